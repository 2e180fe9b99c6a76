"""Private SoftHSM tokens for the token tests, built with the real tools (softhsm2-util, pkcs11-tool).

Keys and certificates are generated in software (fast, and the tests know the public halves), then
written to the tokens with pkcs11-tool in subprocesses, so this process loads the module only through
crypto.token_worker.
"""

from __future__ import annotations

import datetime
import os
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID

MODULE = "/usr/lib/softhsm/libsofthsm2.so"
SO_PIN = "87654321"
USER_PIN = "123456"

PrivateKey = rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey


@dataclass
class SoftHsm:
    root: Path
    conf: Path
    tokens: dict[str, list[KeyPair]] = field(default_factory=dict)

    def env(self) -> dict[str, str]:
        return {**os.environ, "SOFTHSM2_CONF": str(self.conf)}

    def run(self, *args: str) -> str:
        done = subprocess.run(list(args), env=self.env(), capture_output=True, text=True, check=False)
        if done.returncode != 0:
            raise RuntimeError(f"{args[0]} failed: {done.stderr or done.stdout}")
        return done.stdout

    def init_token(self, label: str, pin: str = USER_PIN) -> None:
        self.run("softhsm2-util", "--init-token", "--free", "--label", label, "--so-pin", SO_PIN,
                 "--pin", pin)
        self.tokens[label] = []

    def write(self, label: str, pin: str, der: bytes, kind: str, key_id: bytes, object_label: str,
              *usage: str) -> None:
        path = self.root / "object.der"
        path.write_bytes(der)
        args = ["pkcs11-tool", "--module", MODULE, "--token-label", label, "--write-object", str(path),
                "--type", kind, "--label", object_label]
        if key_id:
            args += ["--id", key_id.hex()]
        if kind == "privkey":
            args += ["--login", "--pin", pin]
        self.run(*args, *usage)
        path.unlink()

    def add_pair(self, label: str, pair: KeyPair, pin: str = USER_PIN) -> None:
        usages = {"sign": "--usage-sign", "decrypt": "--usage-decrypt", "derive": "--usage-derive"}
        key_der = pair.private_key.private_bytes(serialization.Encoding.DER,
                                                 serialization.PrivateFormat.PKCS8,
                                                 serialization.NoEncryption())
        self.write(label, pin, key_der, "privkey", pair.key_id, pair.label,
                   *(usages[u] for u in pair.token_usages))
        pub_der = pair.private_key.public_key().public_bytes(serialization.Encoding.DER,
                                                             serialization.PublicFormat.SubjectPublicKeyInfo)
        self.write(label, pin, pub_der, "pubkey", pair.key_id, pair.label)
        self.write(label, pin, pair.certificate.public_bytes(serialization.Encoding.DER), "cert",
                   pair.key_id, pair.label)
        self.tokens[label].append(pair)

    def add_certificate(self, label: str, certificate: x509.Certificate, object_label: str,
                        key_id: bytes = b"") -> None:
        self.write(label, USER_PIN, certificate.public_bytes(serialization.Encoding.DER), "cert", key_id,
                   object_label)


def make_softhsm(root: Path) -> SoftHsm:
    (root / "tokens").mkdir(parents=True)
    conf = root / "softhsm2.conf"
    conf.write_text(f"directories.tokendir = {root / 'tokens'}\nobjectstore.backend = file\n"
                    "log.level = ERROR\nslots.removable = false\n")
    return SoftHsm(root, conf)


@dataclass
class KeyPair:
    key_id: bytes
    label: str
    private_key: PrivateKey
    certificate: x509.Certificate
    token_usages: tuple[str, ...]


@dataclass
class Ca:
    key: PrivateKey
    certificate: x509.Certificate


def _name(cn: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COUNTRY_NAME, "CN"),
                      x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Test CA Co"),
                      x509.NameAttribute(NameOID.COMMON_NAME, cn)])


def make_ca(cn: str, issuer: Ca | None = None) -> Ca:
    key = ec.generate_private_key(ec.SECP256R1())
    now = datetime.datetime.now(datetime.UTC)
    builder = (x509.CertificateBuilder()
               .subject_name(_name(cn))
               .issuer_name(issuer.certificate.subject if issuer else _name(cn))
               .public_key(key.public_key())
               .serial_number(x509.random_serial_number())
               .not_valid_before(now - datetime.timedelta(days=1))
               .not_valid_after(now + datetime.timedelta(days=3650))
               .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
               .add_extension(x509.KeyUsage(digital_signature=False, content_commitment=False,
                                            key_encipherment=False, data_encipherment=False,
                                            key_agreement=False, key_cert_sign=True, crl_sign=True,
                                            encipher_only=False, decipher_only=False), critical=True))
    certificate = builder.sign(issuer.key if issuer else key, hashes.SHA256())
    return Ca(key, certificate)


def make_leaf(ca: Ca, cn: str, key: PrivateKey, usage: str, *, days: int = 365,
              not_before_days: int = -1) -> x509.Certificate:
    """usage: "sign" (digitalSignature+nonRepudiation) or "enc" (keyEncipherment or keyAgreement)."""
    now = datetime.datetime.now(datetime.UTC)
    is_rsa = isinstance(key, rsa.RSAPrivateKey)
    key_usage = x509.KeyUsage(
        digital_signature=usage == "sign", content_commitment=usage == "sign",
        key_encipherment=usage == "enc" and is_rsa, data_encipherment=False,
        key_agreement=usage == "enc" and not is_rsa, key_cert_sign=False, crl_sign=False,
        encipher_only=False, decipher_only=False)
    return (x509.CertificateBuilder()
            .subject_name(_name(cn))
            .issuer_name(ca.certificate.subject)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now + datetime.timedelta(days=not_before_days))
            .not_valid_after(now + datetime.timedelta(days=days))
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(key_usage, critical=True)
            .sign(ca.key, hashes.SHA256()))
