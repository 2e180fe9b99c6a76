"""The two interfaces every key source implements: Signer and Decrypter.

A PKCS#11 key and a PKCS#12 file differ only in how these few primitive methods are carried out;
CMS assembly (crypto.cms_sign, crypto.cms_envelope) lives once above them, the pyHanko pattern.
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec

from crypto.algorithms import KeyTransport, SignatureAlgorithm


@runtime_checkable
class Signer(Protocol):
    """A private signing key with its certificate and chain."""

    @property
    def certificate(self) -> x509.Certificate: ...

    @property
    def chain(self) -> list[x509.Certificate]:
        """Intermediate (and optionally root) certificates, signer's issuer first. May be empty."""
        ...

    def sign(self, data: bytes, algorithm: SignatureAlgorithm) -> bytes:
        """Sign ``data`` (the signer hashes it). ECDSA output is DER (r, s)."""
        ...

    def supported_signature_algorithms(self) -> list[SignatureAlgorithm]:
        """Algorithms this key can perform, preferred first."""
        ...


@runtime_checkable
class Decrypter(Protocol):
    """A private decryption key with its certificate: unwraps CMS content-encryption keys."""

    @property
    def certificate(self) -> x509.Certificate: ...

    def decrypt_key_transport(self, encrypted_key: bytes, padding_kind: KeyTransport) -> bytes:
        """RSA: decrypt a KeyTransRecipientInfo's encryptedKey. Raises DecryptionFailed."""
        ...

    def exchange(self, peer_public_key: ec.EllipticCurvePublicKey) -> bytes:
        """EC: the raw ECDH shared secret (x coordinate) with the originator's ephemeral key."""
        ...
