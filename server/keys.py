"""The server's own keys, made by `bidclient-server init`: a server CA, a receipt-signing key and a TSA key.

These sign receipts, timestamps and the published trust list. None of them can open a sealed bid:
the server holds no decryption key for any bid, by construction.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from crypto.software_key import SoftwareKey
from server import clock

VALIDITY = timedelta(days=3650)


@dataclass(frozen=True)
class ServerKeys:
    ca_certificate: x509.Certificate
    receipt_signer: SoftwareKey  # signs receipts and the published trust list
    tsa_signer: SoftwareKey  # the built-in RFC 3161 TSA
    challenge_key: bytes  # HMAC key of login challenges, derived from the receipt key (server/auth/challenges.py)


def _name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COUNTRY_NAME, "CN"),
                      x509.NameAttribute(NameOID.ORGANIZATION_NAME, "bidclient server"),
                      x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def _write_key(path: Path, key: ec.EllipticCurvePrivateKey) -> None:
    data = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(data)


def generate(directory: Path, server_name: str = "bidclient server") -> None:
    """Create the server CA, receipt and TSA keys under ``directory`` (which must not hold keys yet)."""
    directory.mkdir(parents=True, exist_ok=True)
    now = clock.now() - timedelta(minutes=5)
    ca_key = ec.generate_private_key(ec.SECP384R1())
    ca_name = _name(f"{server_name} CA")
    ca_cert = (x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name)
               .public_key(ca_key.public_key()).serial_number(x509.random_serial_number())
               .not_valid_before(now).not_valid_after(now + VALIDITY)
               .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
               .add_extension(x509.KeyUsage(False, False, False, False, False, True, True, False, False),
                              critical=True)
               .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
               .sign(ca_key, hashes.SHA384()))

    def leaf(common_name: str, eku: list[x509.ObjectIdentifier]) -> tuple[ec.EllipticCurvePrivateKey,
                                                                         x509.Certificate]:
        key = ec.generate_private_key(ec.SECP256R1())
        cert = (x509.CertificateBuilder().subject_name(_name(common_name)).issuer_name(ca_name)
                .public_key(key.public_key()).serial_number(x509.random_serial_number())
                .not_valid_before(now).not_valid_after(now + VALIDITY)
                .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
                .add_extension(x509.KeyUsage(True, True, False, False, False, False, False, False, False),
                               critical=True)
                .add_extension(x509.ExtendedKeyUsage(eku), critical=True)
                .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()),
                               critical=False)
                .sign(ca_key, hashes.SHA384()))
        return key, cert

    receipt_key, receipt_cert = leaf(f"{server_name} receipts", [ExtendedKeyUsageOID.CODE_SIGNING])
    tsa_key, tsa_cert = leaf(f"{server_name} TSA", [ExtendedKeyUsageOID.TIME_STAMPING])
    _write_key(directory / "ca.key.pem", ca_key)
    _write_key(directory / "receipt.key.pem", receipt_key)
    _write_key(directory / "tsa.key.pem", tsa_key)
    for name, cert in (("ca", ca_cert), ("receipt", receipt_cert), ("tsa", tsa_cert)):
        (directory / f"{name}.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))


def load(directory: Path) -> ServerKeys:
    def cert(name: str) -> x509.Certificate:
        return x509.load_pem_x509_certificate((directory / f"{name}.pem").read_bytes())

    def key(name: str) -> ec.EllipticCurvePrivateKey:
        loaded = serialization.load_pem_private_key((directory / f"{name}.key.pem").read_bytes(), None)
        assert isinstance(loaded, ec.EllipticCurvePrivateKey)
        return loaded

    from server.auth.challenges import derive_key

    ca = cert("ca")
    receipt_key = key("receipt")
    return ServerKeys(ca_certificate=ca,
                      receipt_signer=SoftwareKey(receipt_key, cert("receipt"), [ca]),
                      tsa_signer=SoftwareKey(key("tsa"), cert("tsa"), [ca]),
                      challenge_key=derive_key(receipt_key))
