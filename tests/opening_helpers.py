"""Helpers for the opening tests: a third enterprise from a CA of its own (no CRL address in what it
issues, software keys in PKCS#12 files — another PKI than the dev fixtures), real sealed bids with a
price schedule (开标一览表), and the parties of one opening (agency, host, supervisor, three bidders)."""

from __future__ import annotations

import contextlib
import datetime as dt
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID
from sqlalchemy import update

from bidclient.api_client import ApiClient
from bidclient.opening import OpeningApi
from bidclient.sealing import TenderTarget, seal
from bidclient.submit import Uploader
from crypto import cms_sign, identity
from crypto.identity import uscc_check_character
from crypto.key_access import KeySession, open_key
from tests.server.submission_helpers import db_session

ENT_C_USCC = "91330106MA2H3J4K5" + uscc_check_character("91330106MA2H3J4K5")
ENT_C_NAME = "丙方设备有限公司"
P12_PASSWORD = "opening-test"


@dataclass(frozen=True)
class ThirdPki:
    ca_pem: Path
    ent_c: Path  # PKCS#12: signing key + certificate
    ent_c_enc: Path  # PKCS#12: encryption key + certificate
    agency: Path  # PKCS#12: the agency's person certificate (signing)
    agency_enc: Path  # PKCS#12: the agency's encryption pair (a committee member needs one)
    centre: Path  # PKCS#12: a trading centre clerk (signing), a committee member
    centre_enc: Path

    def certificate(self, p12: Path) -> Path:
        """The PEM certificate file beside a PKCS#12 file."""
        return p12.with_suffix(".pem")


def _name(*pairs: tuple[x509.ObjectIdentifier, str]) -> x509.Name:
    return x509.Name([x509.NameAttribute(oid, value) for oid, value in pairs])


def make_third_pki(folder: Path) -> ThirdPki:
    """A CA with no CRL or OCSP address anywhere, issuing enterprise C (signing + ECDH encryption) and
    the agency's clerk."""
    folder.mkdir(parents=True, exist_ok=True)
    now = dt.datetime.now(dt.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = _name((NameOID.COUNTRY_NAME, "CN"), (NameOID.ORGANIZATION_NAME, "Third Test CA"),
                    (NameOID.COMMON_NAME, "Third Test Root CA"))
    ca = (x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name).public_key(ca_key.public_key())
          .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(days=1))
          .not_valid_after(now + dt.timedelta(days=3650))
          .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
          .add_extension(x509.KeyUsage(digital_signature=False, content_commitment=False, key_encipherment=False,
                                       data_encipherment=False, key_agreement=False, key_cert_sign=True,
                                       crl_sign=True, encipher_only=False, decipher_only=False), critical=True)
          .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
          .sign(ca_key, hashes.SHA256()))

    def issue(subject: x509.Name, usage: str, path: Path) -> None:
        key = ec.generate_private_key(ec.SECP256R1())
        cert = (x509.CertificateBuilder().subject_name(subject).issuer_name(ca_name).public_key(key.public_key())
                .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(hours=1))
                .not_valid_after(now + dt.timedelta(days=365))
                .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
                .add_extension(x509.KeyUsage(digital_signature=usage == "signing",
                                             content_commitment=usage == "signing",
                                             key_encipherment=False, data_encipherment=False,
                                             key_agreement=usage == "encryption", key_cert_sign=False, crl_sign=False,
                                             encipher_only=False, decipher_only=False), critical=True)
                .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
                .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()),
                               critical=False)
                .sign(ca_key, hashes.SHA256()))
        path.write_bytes(pkcs12.serialize_key_and_certificates(
            b"key", key, cert, [ca], serialization.BestAvailableEncryption(P12_PASSWORD.encode())))
        path.with_suffix(".pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))

    ent_c = _name((NameOID.COUNTRY_NAME, "CN"), (NameOID.ORGANIZATION_NAME, ENT_C_NAME),
                  (NameOID.ORGANIZATION_IDENTIFIER, f"NTRCN-{ENT_C_USCC}"), (NameOID.COMMON_NAME, ENT_C_NAME))
    issue(ent_c, "signing", folder / "ent-c.p12")
    issue(ent_c, "encryption", folder / "ent-c-enc.p12")
    agency = _name((NameOID.COUNTRY_NAME, "CN"), (NameOID.COMMON_NAME, "代理机构经办人王五"))
    issue(agency, "signing", folder / "agency.p12")
    issue(agency, "encryption", folder / "agency-enc.p12")
    centre = _name((NameOID.COUNTRY_NAME, "CN"), (NameOID.COMMON_NAME, "交易中心见证人赵六"))
    issue(centre, "signing", folder / "centre.p12")
    issue(centre, "encryption", folder / "centre-enc.p12")
    ca_pem = folder / "third-ca.pem"
    ca_pem.write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    return ThirdPki(ca_pem, folder / "ent-c.p12", folder / "ent-c-enc.p12", folder / "agency.p12",
                    folder / "agency-enc.p12", folder / "centre.p12", folder / "centre-enc.p12")


def p12_pin(_request: Any) -> str:
    return P12_PASSWORD


def token_pin(pki: Any) -> Any:
    return lambda _request: pki.user_pin


@contextlib.contextmanager
def session_for(pki: Any, third: ThirdPki, who: str) -> Iterator[KeySession]:
    """The key of one party: dev PKI parties on their SoftHSM tokens, ent-c and the agency from files."""
    if who == "ent-c":
        with open_key(str(third.ent_c), p12_pin, encryption_key=str(third.ent_c_enc)) as session:
            yield session
    elif who in ("agency", "centre"):
        signing, encryption = (third.agency, third.agency_enc) if who == "agency" else (third.centre, third.centre_enc)
        with open_key(str(signing), p12_pin, encryption_key=str(encryption)) as session:
            yield session
    else:
        with open_key(pki.party(who).signing_uri, token_pin(pki)) as session:
            yield session


def login(url: str, session: KeySession) -> tuple[ApiClient, str]:
    signer = session.signer()
    client = ApiClient(url, retries=0)
    out = client.login(lambda data: cms_sign.sign_detached(data, signer))
    return client, out.account.identity_key


def identity_of(session: KeySession) -> str:
    return identity.identity_of(session.signer().certificate).key


def price_forms(total: str, words: str, *, duration: str = "90", quality: str = "合格") -> dict[str, Any]:
    return {"price_schedule": {"values": {"total": total, "total_words": words, "duration_days": duration,
                                          "quality": quality, "bidder_name": "x"}, "lines": []}}


def seal_bid(session: KeySession, folder: Path, out: Path, *, tender_id: str, opening_cert: x509.Certificate,
             forms: dict[str, Any], version: int = 1) -> Path:
    (folder / "tech").mkdir(parents=True, exist_ok=True)
    (folder / "tech" / "proposal.pdf").write_bytes(b"%PDF-1.4\n" + uuid.uuid4().bytes * 1000)
    seal(folder, out, session=session, target=TenderTarget(tender_id, version, [opening_cert]), forms=forms)
    return out


def submit(client: ApiClient, session: KeySession, bid: Path, tender_id: str) -> str:
    signer = session.signer()
    out = Uploader(client).submit(bid, tender_id=tender_id, tender_version=1, bidder=identity_of(session),
                                  sign=lambda data: cms_sign.sign_detached(data, signer))
    return out.id


def own_tender(data: Path, tender_id: str, account_identity: str) -> None:
    """Make the logged-in agency the tender's owner (tests insert tenders directly)."""
    from sqlalchemy import select

    from server.auth.models import Account
    from server.tenders.models import Tender

    with db_session(data) as db:
        account = db.execute(select(Account).where(Account.identity_key == account_identity)).scalar_one()
        db.execute(update(Tender).where(Tender.id == tender_id).values(agency_account_id=account.id))
        db.commit()


def api(client: ApiClient, tender_id: str) -> OpeningApi:
    return OpeningApi(client, tender_id)
