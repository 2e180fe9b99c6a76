"""PKCS#12 (.p12 / .pfx) files as keys: the software alternative to a dongle."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import pkcs12

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


def load_pkcs12(path: str | Path, pin_source: PinSource) -> Pkcs12Contents:
    """Read ``path``, asking ``pin_source`` once for its password (``PinRequest.for_file``).

    A file without a password is tried first without asking. Raises KeyFileError for a wrong
    password or a file that is not PKCS#12, PinCancelled when the user gives no password.
    """
    path = Path(path)
    data = _read(path)
    try:
        parsed = pkcs12.load_pkcs12(data, None)
    except ValueError:
        request = PinRequest(token_label=path.name, token_serial="", for_file=True)
        password = pin_source(request)
        if password is None:
            raise PinCancelled(f"no password was given for the key file {path}") from None
        try:
            parsed = pkcs12.load_pkcs12(data, password.encode("utf-8"))
        except ValueError:
            raise KeyFileError(f"cannot open the key file {path}: the password is wrong, or the file "
                               "is not a PKCS#12 (.p12/.pfx) file") from None
        finally:
            del password
    if parsed.key is None or parsed.cert is None:
        raise KeyFileError(f"the key file {path} holds no private key with its certificate")
    key = parsed.key
    if not isinstance(key, rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey):
        raise KeyFileError(f"the key file {path} holds a key type this program does not support "
                           "(only RSA and EC)")
    certificate = parsed.cert.certificate
    if certificate.public_key() != key.public_key():
        raise KeyFileError(f"in the key file {path} the certificate does not belong to the private key")
    others = [c.certificate for c in parsed.additional_certs]
    chain = issuer_chain(certificate, others)
    return Pkcs12Contents(path=path, key=SoftwareKey(key, certificate, chain),
                          certificates=[certificate, *others])
