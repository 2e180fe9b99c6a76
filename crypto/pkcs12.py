"""PKCS#12 (.p12 / .pfx) files as keys: the software alternative to a dongle.

Files in today's usual form (PBES2: PBKDF2 + AES-CBC, as OpenSSL 3 and cryptography write them, with a
PKCS#12 MAC) are decoded here; anything else (legacy 3DES/RC2 files, no password, several keys) by
cryptography's ``load_pkcs12``. The reason is the desktop app: ``load_pkcs12`` validates an RSA key
with primality tests while holding the GIL (70 ms for 2048 bits on an idle machine, 200 ms loaded,
longer for larger keys), and that froze the app's window while a seal opened its key on a worker
thread. Here the PBKDF2 runs in hashlib (which releases the GIL), the key is loaded without the
primality tests, and instead checked for consistency, which is what protects its use: n = p·q, the
CRT parameters agree with d, and a signature made with it verifies with the certificate.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import os
from dataclasses import dataclass
from pathlib import Path

from asn1crypto import algos
from asn1crypto import keys as asn1_keys
from asn1crypto import pkcs12 as asn1_pkcs12
from cryptography import x509
from cryptography.hazmat.primitives import hashes, padding
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.asymmetric import padding as asym_padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.serialization import load_der_private_key, pkcs12

from crypto.errors import KeyFileError, PinCancelled
from crypto.pin import PinRequest, PinSource
from crypto.pkcs11_keys import issuer_chain
from crypto.software_key import SoftwareKey

MAX_FILE_SIZE = 10 * 1024 * 1024  # a key file is a few KiB; refuse to slurp anything huge


@dataclass(frozen=True)
class Pkcs12Contents:
    """The key of a PKCS#12 file with its certificate, and the other certificates it carries."""

    path: Path
    key: SoftwareKey
    certificates: list[x509.Certificate]  # every certificate in the file, the key's first


def _read(path: Path) -> bytes:
    try:
        size = path.stat().st_size
        if size > MAX_FILE_SIZE:
            raise KeyFileError(f"{path} is too large to be a PKCS#12 key file ({size} bytes)")
        return path.read_bytes()
    except OSError as ex:
        raise KeyFileError(f"cannot read the key file {path}: {ex.strerror}") from None


class _NotHandled(Exception):
    """The file is not in the form decoded here: cryptography's load_pkcs12 decides."""


_MAC_HASHES = {"sha1", "sha224", "sha256", "sha384", "sha512"}


def _pkcs12_mac_key(hash_name: str, password: str, salt: bytes, iterations: int) -> bytes:
    """RFC 7292 appendix B.2 with ID 3 (MAC key), for a key one digest long (a single round)."""
    v = hashlib.new(hash_name).block_size

    def stretch(data: bytes) -> bytes:  # repeated to a whole number of v-byte blocks
        if not data:
            return b""
        length = v * ((len(data) + v - 1) // v)
        return (data * (length // len(data) + 1))[:length]

    secret = password.encode("utf-16-be") + b"\x00\x00"  # BMPString with its terminator
    digest = hashlib.new(hash_name, b"\x03" * v + stretch(salt) + stretch(secret)).digest()
    for _ in range(iterations - 1):
        digest = hashlib.new(hash_name, digest).digest()
    return digest


def _pbes2_decrypt(algorithm: algos.EncryptionAlgorithm, data: bytes, password: str) -> bytes:
    if algorithm["algorithm"].native != "pbes2" or algorithm.kdf != "pbkdf2":
        raise _NotHandled("not PBES2 with PBKDF2")
    if algorithm.encryption_cipher != "aes" or algorithm.encryption_mode != "cbc":
        raise _NotHandled("not AES-CBC")
    iterations = algorithm.kdf_iterations
    if not 1 <= iterations <= 10_000_000:
        raise _NotHandled("implausible iteration count")
    # hashlib releases the GIL while it derives the key: the GUI keeps running.
    key = hashlib.pbkdf2_hmac(algorithm.kdf_hmac, password.encode("utf-8"), algorithm.kdf_salt, iterations,
                              algorithm.key_length)
    decryptor = Cipher(algorithms.AES(key), modes.CBC(algorithm.encryption_iv)).decryptor()
    padded = decryptor.update(data) + decryptor.finalize()
    unpadder = padding.PKCS7(128).unpadder()
    return unpadder.update(padded) + unpadder.finalize()  # ValueError for a wrong password


def _check_rsa_key(key: rsa.RSAPrivateKey, certificate: x509.Certificate) -> None:
    """What the skipped validation protected: a key whose parts disagree would sign wrongly (and a
    wrong CRT signature can give the key away). Cheap arithmetic, then one signature."""
    numbers = key.private_numbers()
    p, q, d = numbers.p, numbers.q, numbers.d
    e, n = numbers.public_numbers.e, numbers.public_numbers.n
    consistent = (p > 2 and q > 2 and p % 2 == 1 and q % 2 == 1 and e % 2 == 1 and e >= 3 and p * q == n
                  and (d * e - 1) % (p - 1) == 0 and (d * e - 1) % (q - 1) == 0
                  and numbers.dmp1 == d % (p - 1) and numbers.dmq1 == d % (q - 1)
                  and numbers.iqmp * q % p == 1)
    if not consistent:
        raise ValueError("inconsistent RSA key")
    probe = os.urandom(32)
    signature = key.sign(probe, asym_padding.PKCS1v15(), hashes.SHA256())
    public = certificate.public_key()
    assert isinstance(public, rsa.RSAPublicKey)
    public.verify(signature, probe, asym_padding.PKCS1v15(), hashes.SHA256())  # InvalidSignature


def _mac_matches(pfx: asn1_pkcs12.Pfx, password: str) -> bool:
    """Whether the file's PKCS#12 MAC verifies with ``password``; _NotHandled if it has none or one
    not decoded here."""
    if pfx["auth_safe"]["content_type"].native != "data" or pfx["mac_data"].native is None:
        raise _NotHandled("no MAC or not password-integrity mode")
    mac_data = pfx["mac_data"]
    hash_name = mac_data["mac"]["digest_algorithm"]["algorithm"].native
    iterations = mac_data["iterations"].native
    if hash_name not in _MAC_HASHES or not 1 <= iterations <= 1_000_000:
        raise _NotHandled("MAC not decoded here")
    content = pfx["auth_safe"]["content"].native
    mac_key = _pkcs12_mac_key(hash_name, password, mac_data["mac_salt"].native, iterations)
    return hmac.compare_digest(hmac.new(mac_key, content, hash_name).digest(), mac_data["mac"]["digest"].native)


def _needs_password(data: bytes) -> bool:
    """True when the file certainly needs a password: its MAC does not verify with an empty one."""
    try:
        return not _mac_matches(asn1_pkcs12.Pfx.load(data, strict=True), "")
    except Exception:  # not decoded here: the full decoder decides
        return False


def _load_fast(data: bytes, password: str) -> tuple[rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey,
                                                      x509.Certificate, list[x509.Certificate]]:
    """Decode a PBES2 PKCS#12 file with a MAC; _NotHandled (or ValueError...) for anything else."""
    pfx = asn1_pkcs12.Pfx.load(data, strict=True)
    if not _mac_matches(pfx, password):
        raise _NotHandled("MAC mismatch")  # a wrong password: load_pkcs12 says so
    key_infos: list[bytes] = []
    certs: list[x509.Certificate] = []
    for info in pfx.authenticated_safe:
        kind = info["content_type"].native
        if kind == "data":
            bags_der = info["content"].native
        elif kind == "encrypted_data":
            eci = info["content"]["encrypted_content_info"]
            bags_der = _pbes2_decrypt(eci["content_encryption_algorithm"], eci["encrypted_content"].native,
                                      password)
        else:
            raise _NotHandled(f"safe of type {kind}")
        for bag in asn1_pkcs12.SafeContents.load(bags_der, strict=True):
            bag_id = bag["bag_id"].native
            if bag_id == "pkcs8_shrouded_key_bag":
                value: asn1_keys.EncryptedPrivateKeyInfo = bag["bag_value"]
                key_infos.append(_pbes2_decrypt(value["encryption_algorithm"], value["encrypted_data"].native,
                                                password))
            elif bag_id == "cert_bag":
                if bag["bag_value"]["cert_id"].native != "x509":
                    continue
                certs.append(x509.load_der_x509_certificate(bag["bag_value"]["cert_value"].parsed.dump()))
            elif bag_id in ("crl_bag", "secret_bag"):
                continue
            else:
                raise _NotHandled(f"bag {bag_id}")
    if len(key_infos) != 1:
        raise _NotHandled("not exactly one key")
    key = load_der_private_key(key_infos[0], None, unsafe_skip_rsa_key_validation=True)
    if not isinstance(key, rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey):
        raise _NotHandled("key type")
    mine = [c for c in certs if c.public_key() == key.public_key()]
    if not mine:
        raise _NotHandled("no certificate for the key")
    certificate = mine[0]
    if isinstance(key, rsa.RSAPrivateKey):
        _check_rsa_key(key, certificate)
    others = [c for c in certs if c is not certificate]
    return key, certificate, others


def _load(data: bytes, password: str | None) -> tuple[object, x509.Certificate | None, list[x509.Certificate]]:
    """(key, its certificate, the other certificates); ValueError when the password is wrong."""
    if password is None:
        if _needs_password(data):
            raise ValueError("a password is needed")
    else:
        # Any surprise in the fast decoder: the full one decides, errors and all.
        with contextlib.suppress(Exception):
            return _load_fast(data, password)
    parsed = pkcs12.load_pkcs12(data, None if password is None else password.encode("utf-8"))
    return (parsed.key, parsed.cert.certificate if parsed.cert is not None else None,
            [c.certificate for c in parsed.additional_certs])


def load_pkcs12(path: str | Path, pin_source: PinSource) -> Pkcs12Contents:
    """Read ``path``, asking ``pin_source`` once for its password (``PinRequest.for_file``).

    A file without a password is tried first without asking. Raises KeyFileError for a wrong
    password or a file that is not PKCS#12, PinCancelled when the user gives no password.
    """
    path = Path(path)
    data = _read(path)
    try:
        key, certificate, others = _load(data, None)
    except ValueError:
        request = PinRequest(token_label=path.name, token_serial="", for_file=True)
        password = pin_source(request)
        if password is None:
            raise PinCancelled(f"no password was given for the key file {path}") from None
        try:
            key, certificate, others = _load(data, password)
        except ValueError:
            raise KeyFileError(f"cannot open the key file {path}: the password is wrong, or the file "
                               "is not a PKCS#12 (.p12/.pfx) file") from None
        finally:
            del password
    if key is None or certificate is None:
        raise KeyFileError(f"the key file {path} holds no private key with its certificate")
    if not isinstance(key, rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey):
        raise KeyFileError(f"the key file {path} holds a key type this program does not support "
                           "(only RSA and EC)")
    if certificate.public_key() != key.public_key():
        raise KeyFileError(f"in the key file {path} the certificate does not belong to the private key")
    chain = issuer_chain(certificate, others)
    return Pkcs12Contents(path=path, key=SoftwareKey(key, certificate, chain),
                          certificates=[certificate, *others])
