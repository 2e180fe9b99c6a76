"""A private key held in memory (from a PKCS#12 file): the software Signer and Decrypter."""

from __future__ import annotations

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa

from crypto.algorithms import KeyTransport, SignatureAlgorithm
from crypto.errors import DecryptionFailed, MechanismUnsupported

PrivateKey = rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey


class SoftwareKey:
    """Implements both Signer and Decrypter over a cryptography private key."""

    def __init__(self, private_key: PrivateKey, certificate: x509.Certificate,
                 chain: list[x509.Certificate] | None = None) -> None:
        if not isinstance(private_key, rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey):
            raise MechanismUnsupported("only RSA and EC private keys are supported")
        self._key = private_key
        self._certificate = certificate
        self._chain = list(chain or [])

    @property
    def certificate(self) -> x509.Certificate:
        return self._certificate

    @property
    def chain(self) -> list[x509.Certificate]:
        return list(self._chain)

    def supported_signature_algorithms(self) -> list[SignatureAlgorithm]:
        if isinstance(self._key, rsa.RSAPrivateKey):
            return [SignatureAlgorithm.RSA_PKCS1V15_SHA256, SignatureAlgorithm.RSA_PSS_SHA256]
        if self._key.curve.key_size >= 384:
            return [SignatureAlgorithm.ECDSA_SHA384, SignatureAlgorithm.ECDSA_SHA256]
        return [SignatureAlgorithm.ECDSA_SHA256, SignatureAlgorithm.ECDSA_SHA384]

    def sign(self, data: bytes, algorithm: SignatureAlgorithm) -> bytes:
        key = self._key
        if isinstance(key, rsa.RSAPrivateKey):
            if algorithm is SignatureAlgorithm.RSA_PKCS1V15_SHA256:
                return key.sign(data, padding.PKCS1v15(), hashes.SHA256())
            if algorithm is SignatureAlgorithm.RSA_PSS_SHA256:
                return key.sign(data, padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=32),
                                hashes.SHA256())
        else:
            if algorithm is SignatureAlgorithm.ECDSA_SHA256:
                return key.sign(data, ec.ECDSA(hashes.SHA256()))
            if algorithm is SignatureAlgorithm.ECDSA_SHA384:
                return key.sign(data, ec.ECDSA(hashes.SHA384()))
        raise MechanismUnsupported(f"this key cannot sign with {algorithm.value}")

    def decrypt_key_transport(self, encrypted_key: bytes, padding_kind: KeyTransport) -> bytes:
        key = self._key
        if not isinstance(key, rsa.RSAPrivateKey):
            raise DecryptionFailed("this key cannot decrypt")
        if padding_kind is KeyTransport.RSA_PKCS1V15:
            pad: padding.AsymmetricPadding = padding.PKCS1v15()
        else:
            algo = hashes.SHA1() if padding_kind is KeyTransport.RSA_OAEP_SHA1 else hashes.SHA256()  # noqa: S303
            pad = padding.OAEP(mgf=padding.MGF1(algo), algorithm=algo, label=None)
        try:
            return key.decrypt(encrypted_key, pad)
        except ValueError:
            raise DecryptionFailed("the content key could not be decrypted") from None

    def exchange(self, peer_public_key: ec.EllipticCurvePublicKey) -> bytes:
        key = self._key
        if not isinstance(key, ec.EllipticCurvePrivateKey):
            raise DecryptionFailed("this key cannot perform key agreement")
        try:
            return key.exchange(ec.ECDH(), peer_public_key)
        except ValueError:
            raise DecryptionFailed("key agreement failed") from None
