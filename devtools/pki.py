"""A complete demo/test PKI: CAs, enterprises, staff, experts, bad certificates, CRLs, OCSP, tokens.

``generate(directory)`` writes everything under one directory and an index, ``pki.json``, that
``load(directory)`` (or any other process) reads back. Keys are random; the structure (names,
subjects, extensions, which certificate is bad and why) is fixed. See docs/formats/dev-pki.md.

Every party's keys are also loaded into its own SoftHSM2 token (user PIN ``12345678``, SO PIN
``87654321``) under ``<directory>/softhsm``; point SOFTHSM2_CONF at ``pki.softhsm_conf`` to use
them. The tokens are built with the ``softhsm2-util`` and ``pkcs11-tool`` commands rather than
in-process, so this process never loads the PKCS#11 module with a configuration of its own.

This is for development and tests only: the private keys of the CAs are written in clear.
"""

from __future__ import annotations

import concurrent.futures
import datetime as dt
import json
import os
import shutil
import subprocess
import urllib.parse
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import AuthorityInformationAccessOID, ExtendedKeyUsageOID, NameOID

from crypto.identity import uscc_check_character

SOFTHSM_MODULE = "/usr/lib/softhsm/libsofthsm2.so"
USER_PIN = "12345678"  # demo PIN of every token, and the password of every PKCS#12 file
SO_PIN = "87654321"
P12_PASSWORD = USER_PIN
DEFAULT_PORT = 8990  # loopback port of the OCSP/CRL server (devtools.ocsp) named in the certs
INDEX_NAME = "pki.json"
INDEX_VERSION = 1

PrivateKey = rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey


def _uscc(body: str) -> str:
    return body + uscc_check_character(body)


# The demo enterprises. Codes are made up, with a valid GB 32100 check character.
# The people of the demo opening (docs/opening.md): a trading centre clerk and a supervisor, each with a
# person certificate and a dongle of their own; with the agency they are the opening committee.
CENTRE_PERSON = "交易中心工作人员孙七"
SUPERVISOR_PERSON = "监督人周八"
ENT_A_NAME = "示例建设工程有限公司"
ENT_A_USCC = _uscc("91110108MA01B2C3D")
ENT_B_NAME = "乙方科技有限公司"
ENT_B_USCC = _uscc("91440300MA5F8K2L7")
ENT_C_NAME = "丙方建设集团有限公司"
ENT_C_USCC = _uscc("91320505MA1X4R7T8")
OPENER_NAME = "示例招标代理有限公司"
OPENER_USCC = _uscc("91310115MA1H7X9Q4")
ROGUE_NAME = "冒名顶替有限公司"
ROGUE_USCC = _uscc("91110000100001234")


@dataclass(frozen=True)
class CertificateAuthority:
    name: str
    certificate: Path  # PEM
    certificate_der: Path
    key: Path  # PKCS#8 PEM, unencrypted (dev only)
    crl: Path | None  # PEM; None for the rogue CA, whose CRL nobody trusts
    crl_url: str | None
    trusted: bool
    issuer: str  # name of the issuing CA (itself for a root)


@dataclass(frozen=True)
class Party:
    """One certificate holder. Encryption fields are None for signing-only parties."""

    name: str
    description: str
    ca: str
    token_label: str | None
    signing_uri: str | None
    encryption_uri: str | None
    signing_cert: Path
    signing_key: Path  # PKCS#8 PEM, unencrypted
    signing_p12: Path
    encryption_cert: Path | None
    encryption_key: Path | None
    encryption_p12: Path | None
    p12_password: str
    chain: list[Path]  # issuer first, root last (PEM)
    uscc: str | None
    organization: str | None
    bad: str | None = None  # why the certificate must be refused (None for good parties)
    serials: dict[str, int] = field(default_factory=dict)

    @property
    def p12(self) -> Path:
        return self.signing_p12


@dataclass(frozen=True)
class DevPki:
    directory: Path
    created: dt.datetime
    port: int
    trust_dir: Path  # trusted CA certificates only (PEM), what a TrustList is loaded from
    crl_dir: Path  # CRLs of the trusted CAs (PEM)
    pin_file: Path
    user_pin: str
    so_pin: str
    softhsm_conf: Path | None
    module_path: str
    cas: dict[str, CertificateAuthority]
    parties: dict[str, Party]
    ocsp_responder_cert: Path
    ocsp_responder_key: Path
    ocsp_url: str
    revoked: dict[str, list[int]]  # CA name -> revoked serials (what the OCSP responder answers)
    crl_revoked: dict[str, list[int]]  # CA name -> serials listed in its CRL
    # False: the CAs put no CRL distribution point and no OCSP address in the certificates they issue
    # (their CRLs are still written to crl_dir); see generate(revocation_addresses=...).
    revocation_addresses: bool = True

    def party(self, name: str) -> Party:
        try:
            return self.parties[name]
        except KeyError:
            raise KeyError(f"no party {name!r} in the dev PKI; known: {', '.join(self.parties)}") from None

    def ca(self, name: str) -> CertificateAuthority:
        return self.cas[name]

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def softhsm_env(self) -> dict[str, str]:
        """os.environ plus SOFTHSM2_CONF for child processes (openssl, pkcs11-tool, the CLI)."""
        env = dict(os.environ)
        if self.softhsm_conf is not None:
            env["SOFTHSM2_CONF"] = str(self.softhsm_conf)
        return env


# --- generation ------------------------------------------------------------------------------------


class _KeySource:
    """Fresh keys, or keys reused from a cache directory (key generation dominates the run time)."""

    def __init__(self, cache: Path | None) -> None:
        self.cache = cache
        if cache is not None:
            cache.mkdir(parents=True, exist_ok=True)

    def get(self, name: str, kind: str) -> PrivateKey:
        path = self.cache / f"{name}.{kind}.pem" if self.cache is not None else None
        if path is not None and path.exists():
            loaded = serialization.load_pem_private_key(path.read_bytes(), password=None)
            if isinstance(loaded, rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey):
                return loaded
        key: PrivateKey
        if kind == "rsa":
            key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        elif kind == "p256":
            key = ec.generate_private_key(ec.SECP256R1())
        elif kind == "p384":
            key = ec.generate_private_key(ec.SECP384R1())
        else:
            raise ValueError(kind)
        if path is not None:
            _write_private(path, _pkcs8(key))
        return key


def _pkcs8(key: PrivateKey) -> bytes:
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())


def _write_private(path: Path, data: bytes) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(data)


def _name(*pairs: tuple[x509.ObjectIdentifier, str]) -> x509.Name:
    return x509.Name([x509.NameAttribute(oid, value) for oid, value in pairs])


def _hash_for(key: PrivateKey) -> hashes.SHA256 | hashes.SHA384:
    if isinstance(key, ec.EllipticCurvePrivateKey) and key.curve.key_size >= 384:
        return hashes.SHA384()
    return hashes.SHA256()


class _Issuer:
    def __init__(self, name: str, cert: x509.Certificate, key: PrivateKey,
                 crl_url: str | None, ocsp_url: str | None, ca_issuers_url: str | None) -> None:
        self.name = name
        self.cert = cert
        self.key = key
        self.crl_url = crl_url
        self.ocsp_url = ocsp_url
        self.ca_issuers_url = ca_issuers_url
        self.next_serial = 0x1000


class _Builder:
    def __init__(self, directory: Path, now: dt.datetime, port: int, keys: _KeySource,
                 revocation_addresses: bool = True) -> None:
        self.revocation_addresses = revocation_addresses
        self.dir = directory
        self.now = now
        self.port = port
        self.keys = keys
        self.base = f"http://127.0.0.1:{port}"
        self.issuers: dict[str, _Issuer] = {}
        self.cas: dict[str, CertificateAuthority] = {}

    def _serial(self, issuer: _Issuer) -> int:
        # Readable, unique per CA, and not predictable across runs of the same structure is not
        # needed here: dev certificates are deliberately easy to name in logs and OCSP answers.
        issuer.next_serial += 1
        return issuer.next_serial

    def make_ca(self, name: str, subject: x509.Name, kind: str, parent: str | None, *,
                trusted: bool, path_len: int | None) -> _Issuer:
        key = self.keys.get(f"ca-{name}", kind)
        builder = (x509.CertificateBuilder()
                   .subject_name(subject)
                   .public_key(key.public_key())
                   .not_valid_before(self.now - dt.timedelta(days=1))
                   .not_valid_after(self.now + dt.timedelta(days=3650))
                   .add_extension(x509.BasicConstraints(ca=True, path_length=path_len), critical=True)
                   .add_extension(x509.KeyUsage(digital_signature=False, content_commitment=False,
                                                key_encipherment=False, data_encipherment=False,
                                                key_agreement=False, key_cert_sign=True, crl_sign=True,
                                                encipher_only=False, decipher_only=False), critical=True)
                   .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()),
                                  critical=False))
        if parent is None:
            signer_key: PrivateKey = key
            builder = builder.issuer_name(subject).serial_number(1)
        else:
            up = self.issuers[parent]
            signer_key = up.key
            builder = (builder.issuer_name(up.cert.subject)
                       .serial_number(self._serial(up))
                       .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(
                           up.key.public_key()), critical=False))
            builder = self._revocation_extensions(builder, up)
        cert = builder.sign(signer_key, _hash_for(signer_key))
        crl_url = f"{self.base}/crl/{name}.crl" if trusted else None
        ocsp_url = f"{self.base}/ocsp/{name}" if name == "rsa-ca" else None
        ca_issuers_url = f"{self.base}/ca/{name}.cer"
        issuer = _Issuer(name, cert, key, crl_url, ocsp_url, ca_issuers_url)
        self.issuers[name] = issuer

        ca_dir = self.dir / "ca"
        pem = ca_dir / f"{name}.pem"
        der = ca_dir / f"{name}.cer"
        key_path = ca_dir / f"{name}.key.pem"
        pem.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
        der.write_bytes(cert.public_bytes(serialization.Encoding.DER))
        _write_private(key_path, _pkcs8(key))
        if trusted:
            (self.dir / "trust" / f"{name}.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
        self.cas[name] = CertificateAuthority(
            name=name, certificate=pem, certificate_der=der, key=key_path,
            crl=(self.dir / "crl" / f"{name}.crl.pem") if trusted else None,
            crl_url=crl_url, trusted=trusted, issuer=parent or name)
        return issuer

    def _revocation_extensions(self, builder: x509.CertificateBuilder,
                               issuer: _Issuer) -> x509.CertificateBuilder:
        if issuer.crl_url and self.revocation_addresses:
            builder = builder.add_extension(x509.CRLDistributionPoints([x509.DistributionPoint(
                full_name=[x509.UniformResourceIdentifier(issuer.crl_url)], relative_name=None,
                reasons=None, crl_issuer=None)]), critical=False)
        access = []
        if issuer.ocsp_url and self.revocation_addresses:
            access.append(x509.AccessDescription(AuthorityInformationAccessOID.OCSP,
                                                 x509.UniformResourceIdentifier(issuer.ocsp_url)))
        if issuer.ca_issuers_url:
            access.append(x509.AccessDescription(AuthorityInformationAccessOID.CA_ISSUERS,
                                                 x509.UniformResourceIdentifier(issuer.ca_issuers_url)))
        if access:
            builder = builder.add_extension(x509.AuthorityInformationAccess(access), critical=False)
        return builder

    def end_entity(self, issuer_name: str, subject: x509.Name, key: PrivateKey, usage: str, *,
                   not_before: dt.datetime | None = None, not_after: dt.datetime | None = None,
                   eku: Sequence[x509.ObjectIdentifier] = (), extra_ocsp_nocheck: bool = False,
                   ) -> x509.Certificate:
        issuer = self.issuers[issuer_name]
        if usage == "signing":
            ku = dict(digital_signature=True, content_commitment=True, key_encipherment=False,
                      key_agreement=False)
        elif usage == "encryption":
            is_ec = isinstance(key, ec.EllipticCurvePrivateKey)
            ku = dict(digital_signature=False, content_commitment=False, key_encipherment=not is_ec,
                      key_agreement=is_ec)
        elif usage == "ocsp":
            ku = dict(digital_signature=True, content_commitment=False, key_encipherment=False,
                      key_agreement=False)
        else:
            raise ValueError(usage)
        builder = (x509.CertificateBuilder()
                   .subject_name(subject)
                   .issuer_name(issuer.cert.subject)
                   .public_key(key.public_key())
                   .serial_number(self._serial(issuer))
                   .not_valid_before(not_before or (self.now - dt.timedelta(hours=1)))
                   .not_valid_after(not_after or (self.now + dt.timedelta(days=730)))
                   .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
                   .add_extension(x509.KeyUsage(data_encipherment=False, key_cert_sign=False, crl_sign=False,
                                                encipher_only=False, decipher_only=False, **ku),
                                  critical=True)
                   .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()),
                                  critical=False)
                   .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(
                       issuer.key.public_key()), critical=False))
        if eku:
            builder = builder.add_extension(x509.ExtendedKeyUsage(list(eku)), critical=False)
        if extra_ocsp_nocheck:
            builder = builder.add_extension(x509.OCSPNoCheck(), critical=False)
        else:
            builder = self._revocation_extensions(builder, issuer)
        return builder.sign(issuer.key, _hash_for(issuer.key))

    def write_crl(self, ca_name: str, revoked: Sequence[int]) -> None:
        issuer = self.issuers[ca_name]
        builder = (x509.CertificateRevocationListBuilder()
                   .issuer_name(issuer.cert.subject)
                   .last_update(self.now - dt.timedelta(hours=1))
                   .next_update(self.now + dt.timedelta(days=365))
                   .add_extension(x509.CRLNumber(1), critical=False)
                   .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(
                       issuer.key.public_key()), critical=False))
        for serial in revoked:
            builder = builder.add_revoked_certificate(
                x509.RevokedCertificateBuilder().serial_number(serial)
                .revocation_date(self.now - dt.timedelta(minutes=30))
                .add_extension(x509.CRLReason(x509.ReasonFlags.key_compromise), critical=False)
                .build())
        crl = builder.sign(issuer.key, _hash_for(issuer.key))
        (self.dir / "crl" / f"{ca_name}.crl.pem").write_bytes(crl.public_bytes(serialization.Encoding.PEM))
        (self.dir / "crl" / f"{ca_name}.crl").write_bytes(crl.public_bytes(serialization.Encoding.DER))

    def chain_of(self, ca_name: str) -> list[str]:
        names = [ca_name]
        while self.cas[names[-1]].issuer != names[-1]:
            names.append(self.cas[names[-1]].issuer)
        return names


@dataclass
class _PartySpec:
    name: str
    description: str
    ca: str
    signing_subject: x509.Name
    signing_kind: str
    encryption_subject: x509.Name | None = None
    encryption_kind: str | None = None
    uscc: str | None = None
    organization: str | None = None
    bad: str | None = None
    not_before: dt.datetime | None = None
    not_after: dt.datetime | None = None
    signing_usage: str = "signing"
    token_label: str | None = None  # default: the party name
    eku: tuple[x509.ObjectIdentifier, ...] = ()


def _party_specs(now: dt.datetime) -> list[_PartySpec]:
    n = NameOID
    cn = x509.NameOID.COUNTRY_NAME
    client_eku = (ExtendedKeyUsageOID.CLIENT_AUTH, ExtendedKeyUsageOID.EMAIL_PROTECTION)

    def ent_a_rsa(cn_suffix: str) -> x509.Name:
        # rsa-ca style: ETSI organizationIdentifier with the NTR prefix.
        return _name((cn, "CN"), (n.ORGANIZATION_NAME, ENT_A_NAME),
                     (n.ORGANIZATION_IDENTIFIER, f"NTRCN-{ENT_A_USCC}"),
                     (n.COMMON_NAME, f"{ENT_A_NAME}{cn_suffix}"))

    def ent_a_ec(cn_suffix: str) -> x509.Name:
        # ec-sub style: the bare code in serialNumber.
        return _name((cn, "CN"), (n.ORGANIZATION_NAME, ENT_A_NAME), (n.SERIAL_NUMBER, ENT_A_USCC),
                     (n.COMMON_NAME, f"{ENT_A_NAME}{cn_suffix}"))

    def ent_b(cn_suffix: str) -> x509.Name:
        # Code as free text in OU, the way several provincial CAs do it.
        return _name((cn, "CN"), (n.ORGANIZATION_NAME, ENT_B_NAME),
                     (n.ORGANIZATIONAL_UNIT_NAME, f"统一社会信用代码:{ENT_B_USCC}"),
                     (n.COMMON_NAME, f"{ENT_B_NAME}{cn_suffix}"))

    def ent_c(cn_suffix: str) -> x509.Name:
        return _name((cn, "CN"), (n.ORGANIZATION_NAME, ENT_C_NAME),
                     (n.ORGANIZATION_IDENTIFIER, f"NTRCN-{ENT_C_USCC}"),
                     (n.COMMON_NAME, f"{ENT_C_NAME}{cn_suffix}"))

    def opener(cn_suffix: str) -> x509.Name:
        # Code glued inside CN, no O: name and code come from CN alone.
        return _name((cn, "CN"), (n.COMMON_NAME, f"{OPENER_USCC}@{OPENER_NAME}{cn_suffix}"))

    def bad(label: str) -> x509.Name:
        return _name((cn, "CN"), (n.ORGANIZATION_NAME, ENT_B_NAME),
                     (n.ORGANIZATIONAL_UNIT_NAME, f"统一社会信用代码:{ENT_B_USCC}"),
                     (n.COMMON_NAME, f"{ENT_B_NAME} ({label})"))

    return [
        _PartySpec("ent-a", f"Enterprise A ({ENT_A_NAME}) from rsa-ca: RSA signing + RSA encryption pair; "
                   "USCC in organizationIdentifier NTRCN-<code>", "rsa-ca",
                   ent_a_rsa(""), "rsa", ent_a_rsa(""), "rsa", ENT_A_USCC, ENT_A_NAME, eku=client_eku,
                   token_label="ent-a-rsa"),  # noqa: S106 (a token name, not a password)
        _PartySpec("ent-a-ec", "The same enterprise A from ec-sub (another CA's dongle): EC P-256 pairs; "
                   "USCC in serialNumber", "ec-sub",
                   ent_a_ec(""), "p256", ent_a_ec(""), "p256", ENT_A_USCC, ENT_A_NAME, eku=client_eku),
        _PartySpec("ent-b", f"Enterprise B ({ENT_B_NAME}) from ec-sub: EC P-256 signing + ECDH encryption; "
                   "USCC as text in OU", "ec-sub",
                   ent_b(""), "p256", ent_b(""), "p256", ENT_B_USCC, ENT_B_NAME, eku=client_eku),
        _PartySpec("ent-c", f"Enterprise C ({ENT_C_NAME}) from rsa-ca: RSA signing + RSA encryption; USCC in "
                   "organizationIdentifier (the demo opening's third bidder)", "rsa-ca",
                   ent_c(""), "rsa", ent_c(""), "rsa", ENT_C_USCC, ENT_C_NAME, eku=client_eku),
        _PartySpec("centre-1", f"Trading centre clerk {CENTRE_PERSON}, a person certificate from ec-sub (EC P-256 "
                   "signing + ECDH encryption): an opening committee member", "ec-sub",
                   _name((cn, "CN"), (n.COMMON_NAME, CENTRE_PERSON)), "p256",
                   _name((cn, "CN"), (n.COMMON_NAME, CENTRE_PERSON)), "p256", eku=client_eku),
        _PartySpec("supervisor-1", f"Supervisor {SUPERVISOR_PERSON}, a person certificate from ec-sub (EC P-256 "
                   "signing + ECDH encryption): signs the opening record, an opening committee member", "ec-sub",
                   _name((cn, "CN"), (n.COMMON_NAME, SUPERVISOR_PERSON)), "p256",
                   _name((cn, "CN"), (n.COMMON_NAME, SUPERVISOR_PERSON)), "p256", eku=client_eku),
        _PartySpec("expert-1", "Expert 张三, a person certificate from ec-sub (EC P-256, signing only)",
                   "ec-sub", _name((cn, "CN"), (n.COMMON_NAME, "张三")), "p256", eku=client_eku),
        _PartySpec("opener-1", f"Opening staff of {OPENER_NAME} from rsa-ca: the tender opening "
                   "certificate (RSA signing + RSA encryption); USCC inside CN", "rsa-ca",
                   opener(""), "rsa", opener(""), "rsa", OPENER_USCC, OPENER_NAME, eku=client_eku),
        _PartySpec("bad-expired", "rsa-ca signing certificate that expired yesterday", "rsa-ca",
                   bad("expired"), "rsa", uscc=ENT_B_USCC, organization=ENT_B_NAME, bad="expired",
                   not_before=now - dt.timedelta(days=400), not_after=now - dt.timedelta(days=1)),
        _PartySpec("bad-not-yet-valid", "rsa-ca signing certificate valid only from 30 days from now",
                   "rsa-ca", bad("not yet valid"), "rsa", uscc=ENT_B_USCC, organization=ENT_B_NAME,
                   bad="not_yet_valid", not_before=now + dt.timedelta(days=30),
                   not_after=now + dt.timedelta(days=400)),
        _PartySpec("bad-revoked-crl", "ec-sub signing certificate listed in ec-sub's CRL (ec-sub has no "
                   "OCSP)", "ec-sub", bad("revoked, CRL"), "p256", uscc=ENT_B_USCC,
                   organization=ENT_B_NAME, bad="revoked"),
        _PartySpec("bad-revoked-ocsp", "rsa-ca signing certificate revoked only in the OCSP responder "
                   "(not in the CRL file)", "rsa-ca", bad("revoked, OCSP"), "rsa", uscc=ENT_B_USCC,
                   organization=ENT_B_NAME, bad="revoked"),
        _PartySpec("bad-wrong-usage", "rsa-ca encryption-only certificate (keyEncipherment, no "
                   "digitalSignature): refused for signing", "rsa-ca", bad("encryption only"), "rsa",
                   uscc=ENT_B_USCC, organization=ENT_B_NAME, bad="wrong_key_usage",
                   signing_usage="encryption"),
        _PartySpec("bad-rogue", f"A certificate from rogue-ca (not trusted) claiming {ENT_A_NAME}'s code",
                   "rogue-ca", _name((cn, "CN"), (n.ORGANIZATION_NAME, ENT_A_NAME),
                                     (n.ORGANIZATION_IDENTIFIER, f"NTRCN-{ENT_A_USCC}"),
                                     (n.COMMON_NAME, ENT_A_NAME)), "p256",
                   uscc=ENT_A_USCC, organization=ENT_A_NAME, bad="untrusted_root"),
    ]


def _token_run(args: list[str], env: dict[str, str], what: str) -> None:
    result = subprocess.run(args, env=env, capture_output=True, text=True, check=False, timeout=60)
    if result.returncode != 0:
        raise RuntimeError(f"{what} failed ({result.returncode}): {result.stderr.strip() or result.stdout}")


def _pkcs11_uri(token: str, label: str, pin_file: Path) -> str:
    q = urllib.parse.quote
    return (f"pkcs11:token={q(token, safe='')};object={q(label, safe='')};type=private"
            f"?module-path={q(SOFTHSM_MODULE, safe='/')}&pin-source={q('file:' + str(pin_file), safe='/:')}")


def generate(directory: Path, *, now: dt.datetime | None = None, softhsm: bool = True,
             port: int = DEFAULT_PORT, key_cache: Path | None = None,
             revocation_addresses: bool = True) -> DevPki:
    """Write the dev PKI under ``directory`` (created; must be empty or absent) and return it.

    ``port`` is the loopback port named in the certificates' OCSP and CRL URLs; serve them with
    ``devtools.ocsp.PkiServer``. ``key_cache`` reuses private keys from (and saves new ones to)
    a directory, which makes repeated runs fast. ``now`` fixes the validity reference time.

    ``revocation_addresses=False`` makes CAs that put no CRL distribution point and no OCSP address in
    the certificates they issue, as several CAs do: revocation is then known only from the CRLs in
    ``crl_dir`` ("bad-revoked-ocsp" is then not detectably revoked). Their subjects carry the
    organization "bidclient dev PKI (no revocation addresses)", so that both kinds of dev PKI can be
    trusted side by side.
    """
    directory = Path(directory).resolve()
    if directory.exists() and any(directory.iterdir()):
        raise FileExistsError(f"{directory} is not empty; the dev PKI is written to a fresh directory")
    now = (now or dt.datetime.now(dt.UTC)).replace(microsecond=0)
    if now.tzinfo is None:
        now = now.replace(tzinfo=dt.UTC)
    for sub in ("ca", "trust", "crl", "parties"):
        (directory / sub).mkdir(parents=True, exist_ok=True)
    pin_file = directory / "pin.txt"
    _write_private(pin_file, USER_PIN.encode())

    keys = _KeySource(key_cache)
    b = _Builder(directory, now, port, keys, revocation_addresses)
    org = "bidclient dev PKI" if revocation_addresses else "bidclient dev PKI (no revocation addresses)"
    C = NameOID.COUNTRY_NAME
    b.make_ca("rsa-ca", _name((C, "CN"), (NameOID.ORGANIZATION_NAME, org),
                              (NameOID.COMMON_NAME, "bidclient Dev RSA Root CA")),
              "rsa", None, trusted=True, path_len=0)
    b.make_ca("ec-root", _name((C, "CN"), (NameOID.ORGANIZATION_NAME, org),
                               (NameOID.COMMON_NAME, "bidclient Dev EC Root CA")),
              "p384", None, trusted=True, path_len=1)
    b.make_ca("ec-sub", _name((C, "CN"), (NameOID.ORGANIZATION_NAME, org),
                              (NameOID.COMMON_NAME, "bidclient Dev EC Issuing CA 1")),
              "p256", "ec-root", trusted=True, path_len=0)
    b.make_ca("rogue-ca", _name((C, "CN"), (NameOID.ORGANIZATION_NAME, "Rogue Certificates Ltd"),
                                (NameOID.COMMON_NAME, "Rogue Root CA")),
              "p256", None, trusted=False, path_len=0)

    # OCSP responder for rsa-ca: delegated (EKU OCSPSigning) and exempt from revocation checks.
    ocsp_key = keys.get("ocsp-rsa-ca", "p256")
    ocsp_cert = b.end_entity("rsa-ca", _name((C, "CN"), (NameOID.ORGANIZATION_NAME, org),
                                             (NameOID.COMMON_NAME, "bidclient Dev RSA CA OCSP Responder")),
                             ocsp_key, "ocsp", eku=[ExtendedKeyUsageOID.OCSP_SIGNING],
                             extra_ocsp_nocheck=True)
    ocsp_cert_path = directory / "ca" / "rsa-ca-ocsp.pem"
    ocsp_key_path = directory / "ca" / "rsa-ca-ocsp.key.pem"
    ocsp_cert_path.write_bytes(ocsp_cert.public_bytes(serialization.Encoding.PEM))
    _write_private(ocsp_key_path, _pkcs8(ocsp_key))

    env = dict(os.environ)
    softhsm_conf: Path | None = None
    if softhsm:
        token_dir = directory / "softhsm" / "tokens"
        token_dir.mkdir(parents=True)
        softhsm_conf = directory / "softhsm" / "softhsm2.conf"
        softhsm_conf.write_text(f"directories.tokendir = {token_dir}\nobjectstore.backend = file\n"
                                "log.level = ERROR\nslots.removable = false\n", encoding="utf-8")
        env["SOFTHSM2_CONF"] = str(softhsm_conf)
        for tool in ("softhsm2-util", "pkcs11-tool"):
            if shutil.which(tool) is None:
                raise RuntimeError(f"{tool} is not installed; generate with softhsm=False")

    specs = _party_specs(now)
    labels = [spec.token_label or spec.name for spec in specs]
    # pkcs11-tool's --token-label matches by prefix, so "ent-a" would also select "ent-a-ec".
    assert not any(a != b and b.startswith(a) for a in labels for b in labels), labels
    parties: dict[str, Party] = {}
    revoked_crl: dict[str, list[int]] = {"rsa-ca": [], "ec-root": [], "ec-sub": []}
    revoked_ocsp: dict[str, list[int]] = {"rsa-ca": []}
    token_jobs: list[tuple[str, list[list[str]]]] = []
    for spec in specs:
        pdir = directory / "parties" / spec.name
        pdir.mkdir()
        chain_names = b.chain_of(spec.ca)
        chain_paths = [b.cas[c].certificate for c in chain_names]
        chain_certs = [b.issuers[c].cert for c in chain_names]
        objects: list[tuple[str, str, PrivateKey, x509.Certificate]] = []
        skey = keys.get(f"{spec.name}-signing", spec.signing_kind)
        scert = b.end_entity(spec.ca, spec.signing_subject, skey, spec.signing_usage,
                             not_before=spec.not_before, not_after=spec.not_after, eku=spec.eku)
        objects.append(("signing", "01", skey, scert))
        if spec.encryption_subject is not None and spec.encryption_kind is not None:
            ekey = keys.get(f"{spec.name}-encryption", spec.encryption_kind)
            ecert = b.end_entity(spec.ca, spec.encryption_subject, ekey, "encryption",
                                 eku=(ExtendedKeyUsageOID.EMAIL_PROTECTION,))
            objects.append(("encryption", "02", ekey, ecert))
        paths: dict[str, dict[str, Path]] = {}
        serials: dict[str, int] = {}
        for label, _id, key, cert in objects:
            cert_path = pdir / f"{label}.pem"
            key_path = pdir / f"{label}.key.pem"
            p12_path = pdir / f"{label}.p12"
            cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
            (pdir / f"{label}.cer").write_bytes(cert.public_bytes(serialization.Encoding.DER))
            _write_private(key_path, _pkcs8(key))
            p12 = pkcs12.serialize_key_and_certificates(
                f"{spec.name} {label}".encode(), key, cert, chain_certs,
                serialization.BestAvailableEncryption(P12_PASSWORD.encode()))
            _write_private(p12_path, p12)
            paths[label] = {"cert": cert_path, "key": key_path, "p12": p12_path}
            serials[label] = cert.serial_number
        if spec.name == "bad-revoked-crl":
            revoked_crl[spec.ca].append(serials["signing"])
        if spec.name == "bad-revoked-ocsp":
            revoked_ocsp[spec.ca].append(serials["signing"])

        token_label: str | None = None
        uris: dict[str, str] = {}
        if softhsm:
            token_label = spec.token_label or spec.name
            commands: list[list[str]] = []
            for label, obj_id, key, _cert in objects:
                # pkcs11-tool rather than `softhsm2-util --import`: the latter cannot set CKA_DERIVE,
                # which ECDH decryption needs.
                if label == "signing":
                    usage = "--usage-sign"
                elif isinstance(key, ec.EllipticCurvePrivateKey):
                    usage = "--usage-derive"
                else:
                    usage = "--usage-decrypt"
                pub_path = pdir / f"{label}.pub.pem"
                pub_path.write_bytes(key.public_key().public_bytes(
                    serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo))
                for kind, source in (("privkey", paths[label]["key"]), ("pubkey", pub_path)):
                    commands.append(_pkcs11_tool(token_label, "--write-object", str(source), "--type", kind,
                                                 "--id", obj_id, "--label", label, usage))
                commands.append(_pkcs11_tool(token_label, "--write-object", str(pdir / f"{label}.cer"),
                                             "--type", "cert", "--id", obj_id, "--label", label))
                uris[label] = _pkcs11_uri(token_label, label, pin_file)
            for index, ca_name in enumerate(chain_names):
                ca_der = str(b.cas[ca_name].certificate_der)
                commands.append(_pkcs11_tool(token_label, "--write-object", ca_der, "--type", "cert",
                                             "--id", f"{0x11 + index:02x}", "--label", ca_name))
            token_jobs.append((token_label, commands))

        enc = paths.get("encryption")
        parties[spec.name] = Party(
            name=spec.name, description=spec.description, ca=spec.ca, token_label=token_label,
            signing_uri=uris.get("signing"), encryption_uri=uris.get("encryption"),
            signing_cert=paths["signing"]["cert"], signing_key=paths["signing"]["key"],
            signing_p12=paths["signing"]["p12"],
            encryption_cert=enc["cert"] if enc else None, encryption_key=enc["key"] if enc else None,
            encryption_p12=enc["p12"] if enc else None, p12_password=P12_PASSWORD,
            chain=chain_paths, uscc=spec.uscc, organization=spec.organization, bad=spec.bad,
            serials=serials)

    for ca_name in ("rsa-ca", "ec-root", "ec-sub"):
        b.write_crl(ca_name, revoked_crl[ca_name])
    if token_jobs:
        _build_tokens(token_jobs, env)
    revoked_all = {"rsa-ca": sorted(set(revoked_crl["rsa-ca"]) | set(revoked_ocsp["rsa-ca"]))}

    pki = DevPki(
        directory=directory, created=now, port=port, trust_dir=directory / "trust",
        crl_dir=directory / "crl", pin_file=pin_file, user_pin=USER_PIN, so_pin=SO_PIN,
        softhsm_conf=softhsm_conf, module_path=SOFTHSM_MODULE, cas=b.cas, parties=parties,
        ocsp_responder_cert=ocsp_cert_path, ocsp_responder_key=ocsp_key_path,
        ocsp_url=f"http://127.0.0.1:{port}/ocsp/rsa-ca", revoked=revoked_all, crl_revoked=revoked_crl,
        revocation_addresses=revocation_addresses)
    (directory / INDEX_NAME).write_text(json.dumps(_to_json(pki), indent=2, ensure_ascii=False) + "\n",
                                        encoding="utf-8")
    return pki


def _pkcs11_tool(token: str, *args: str) -> list[str]:
    return ["pkcs11-tool", "--module", SOFTHSM_MODULE, "--token-label", token, "--login", "--pin", USER_PIN,
            *args]


def _build_tokens(jobs: list[tuple[str, list[list[str]]]], env: dict[str, str]) -> None:
    # `--init-token --free` takes the first free slot, so tokens are created one after the other;
    # filling them (about 70 tool runs, most of the generation time) runs in parallel, one token
    # per worker, since each token is its own folder.
    for token, _commands in jobs:
        _token_run(["softhsm2-util", "--init-token", "--free", "--label", token,
                    "--pin", USER_PIN, "--so-pin", SO_PIN], env, f"creating token {token}")

    def fill(job: tuple[str, list[list[str]]]) -> None:
        token, commands = job
        for command in commands:
            _token_run(command, env, f"loading token {token} ({' '.join(command[7:9])})")

    with concurrent.futures.ThreadPoolExecutor(max_workers=max(2, os.cpu_count() or 2)) as pool:
        for _ in pool.map(fill, jobs):
            pass


# --- index -------------------------------------------------------------------------------------------


def _to_json(pki: DevPki) -> dict[str, Any]:
    def conv(value: Any) -> Any:
        if isinstance(value, Path):
            return str(value)
        if isinstance(value, dt.datetime):
            return value.isoformat()
        if isinstance(value, dict):
            return {k: conv(v) for k, v in value.items()}
        if isinstance(value, list):
            return [conv(v) for v in value]
        return value

    data = conv(asdict(pki))
    data["version"] = INDEX_VERSION
    return data


def load(directory: Path) -> DevPki:
    """Read back a dev PKI written by ``generate`` (from its ``pki.json``)."""
    path = Path(directory) / INDEX_NAME
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as ex:
        raise ValueError(f"{path} is not a dev PKI index: {ex}") from ex
    if data.get("version") != INDEX_VERSION:
        raise ValueError(f"{path} has index version {data.get('version')!r}, expected {INDEX_VERSION}")

    def p(value: str | None) -> Path | None:
        return Path(value) if value is not None else None

    def req(value: str) -> Path:
        return Path(value)

    cas = {name: CertificateAuthority(
        name=c["name"], certificate=req(c["certificate"]), certificate_der=req(c["certificate_der"]),
        key=req(c["key"]), crl=p(c["crl"]), crl_url=c["crl_url"], trusted=c["trusted"], issuer=c["issuer"])
        for name, c in data["cas"].items()}
    parties = {name: Party(
        name=q["name"], description=q["description"], ca=q["ca"], token_label=q["token_label"],
        signing_uri=q["signing_uri"], encryption_uri=q["encryption_uri"],
        signing_cert=req(q["signing_cert"]), signing_key=req(q["signing_key"]),
        signing_p12=req(q["signing_p12"]), encryption_cert=p(q["encryption_cert"]),
        encryption_key=p(q["encryption_key"]), encryption_p12=p(q["encryption_p12"]),
        p12_password=q["p12_password"], chain=[req(c) for c in q["chain"]], uscc=q["uscc"],
        organization=q["organization"], bad=q["bad"], serials=dict(q["serials"]))
        for name, q in data["parties"].items()}
    return DevPki(
        directory=req(data["directory"]), created=dt.datetime.fromisoformat(data["created"]),
        port=data["port"], trust_dir=req(data["trust_dir"]), crl_dir=req(data["crl_dir"]),
        pin_file=req(data["pin_file"]), user_pin=data["user_pin"], so_pin=data["so_pin"],
        softhsm_conf=p(data["softhsm_conf"]), module_path=data["module_path"], cas=cas, parties=parties,
        ocsp_responder_cert=req(data["ocsp_responder_cert"]),
        ocsp_responder_key=req(data["ocsp_responder_key"]), ocsp_url=data["ocsp_url"],
        revoked={k: list(v) for k, v in data["revoked"].items()},
        crl_revoked={k: list(v) for k, v in data["crl_revoked"].items()},
        revocation_addresses=bool(data.get("revocation_addresses", True)))
