"""Reading certificate files given on the command line (PEM or DER), with clear errors."""

from __future__ import annotations

from pathlib import Path

from cryptography import x509

from bidclient.errors import BidclientError
from crypto.identity import readable_name

MAX_CERTIFICATE_FILE = 1 << 20


def load_certificate(path: Path) -> x509.Certificate:
    """The first certificate in a PEM or DER file."""
    if not path.is_file():
        raise BidclientError(f"certificate file {path} does not exist", code="io.input_missing")
    data = path.read_bytes()[: MAX_CERTIFICATE_FILE + 1]
    if len(data) > MAX_CERTIFICATE_FILE:
        raise BidclientError(f"{path} is too large to be a certificate", code="cert.unreadable")
    try:
        if b"-----BEGIN CERTIFICATE-----" in data:
            return x509.load_pem_x509_certificates(data)[0]
        return x509.load_der_x509_certificate(data)
    except ValueError:
        raise BidclientError(f"{path} is not an X.509 certificate (PEM or DER)",
                             code="cert.unreadable") from None


def check_recipient_certificate(cert: x509.Certificate) -> None:
    """Refuse a recipient certificate that no key could decrypt with (a CA certificate, or one whose key
    usage allows neither key encipherment nor key agreement): what is sealed to it would be lost."""
    from crypto.pkcs11_keys import ENCRYPTION, is_ca_certificate, key_usages

    subject = readable_name(cert.subject)
    if is_ca_certificate(cert):
        raise BidclientError(f"{subject} is a CA certificate, not a recipient's encryption certificate",
                             code="trust.wrong_key_usage")
    if ENCRYPTION not in key_usages(cert):
        raise BidclientError(f"{subject} is not an encryption certificate (its key usage allows neither key "
                             "encipherment nor key agreement); nobody could open what is encrypted to it",
                             code="trust.wrong_key_usage")
