"""Helpers for the evaluation tests: a committee of experts with certificates from the dev PKI's ec-sub CA,
an organising agency, a supervisor and a bidder, all logged in over real HTTP; a session ready to score."""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from sqlalchemy import select, update

from bidclient.api_client import ApiClient
from bidclient.evaluation.session import EvaluationApi
from bidclient.protocol.evaluation_session import (
    BidRef,
    CriterionDef,
    Phase,
    ReviewItemDef,
    SessionCreateIn,
    SessionDefinition,
    SessionOut,
)
from crypto.software_key import SoftwareKey
from tests.server.conftest import RunningServer
from tests.server.submission_helpers import db_session, login, make_tender, signer_for, software_key


@dataclass
class Person:
    identity: str
    client: ApiClient
    api: EvaluationApi
    key: SoftwareKey

    def sign(self, data: bytes) -> bytes:
        return signer_for(self.key)(data)


def issue_expert(pki, name: str) -> SoftwareKey:  # type: ignore[no-untyped-def]
    """A person certificate for expert ``name`` from the dev PKI's ec-sub CA (as expert-1's)."""
    ca = pki.ca("ec-sub")
    ca_cert = x509.load_pem_x509_certificate(Path(ca.certificate).read_bytes())
    ca_key = serialization.load_pem_private_key(Path(ca.key).read_bytes(), None)
    key = ec.generate_private_key(ec.SECP256R1())
    now = dt.datetime.now(dt.UTC)
    builder = (x509.CertificateBuilder()
               .subject_name(x509.Name([x509.NameAttribute(NameOID.COUNTRY_NAME, "CN"),
                                        x509.NameAttribute(NameOID.COMMON_NAME, name)]))
               .issuer_name(ca_cert.subject).public_key(key.public_key())
               .serial_number(secrets.randbits(63) | 1 << 62)
               .not_valid_before(now - dt.timedelta(hours=1)).not_valid_after(now + dt.timedelta(days=30))
               .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
               .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=True, key_encipherment=False,
                                            data_encipherment=False, key_agreement=False, key_cert_sign=False,
                                            crl_sign=False, encipher_only=False, decipher_only=False), critical=True)
               .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.CLIENT_AUTH]), critical=False)
               .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()),  # type: ignore[arg-type]
                              critical=False))
    if ca.crl_url:
        builder = builder.add_extension(x509.CRLDistributionPoints([x509.DistributionPoint(
            full_name=[x509.UniformResourceIdentifier(ca.crl_url)], relative_name=None, reasons=None,
            crl_issuer=None)]), critical=False)
    cert = builder.sign(ca_key, hashes.SHA256())  # type: ignore[arg-type]
    chain = [x509.load_pem_x509_certificate(Path(c).read_bytes()) for c in pki.party("expert-1").chain]
    return SoftwareKey(key, cert, chain)


def person(url: str, key: SoftwareKey) -> Person:
    client = ApiClient(url, retries=0)
    out = client.login(signer_for(key))
    return Person(out.account.identity_key, client, EvaluationApi(client), key)


def party(url: str, pki, name: str) -> Person:  # type: ignore[no-untyped-def]
    logged = login(url, pki, name)
    return Person(logged.identity, logged.client, EvaluationApi(logged.client), software_key(pki, name))


@dataclass
class Committee:
    server: RunningServer
    tender_id: str
    agency: Person
    experts: list[Person]
    supervisor: Person
    bidder: Person
    session: SessionOut

    @property
    def session_id(self) -> str:
        return self.session.id


def definition(bidder_identity: str | None = None) -> SessionDefinition:
    return SessionDefinition(
        bids=[BidRef(id="bid-a", name="北京甲公司", bidder=bidder_identity, price=Decimal("1000000.00"), sme=True),
              BidRef(id="bid-b", name="上海乙公司", price=Decimal("850000.00")),
              BidRef(id="bid-c", name="广州丙公司", price=Decimal("950000.00"))],
        criteria=[CriterionDef(id="tech", name="技术方案", min=0, max=30, weight=30),  # type: ignore[arg-type]
                  CriterionDef(id="service", name="售后服务", min=0, max=10, weight=10),  # type: ignore[arg-type]
                  CriterionDef(id="price", name="价格分", min=0, max=100, weight=60, kind="computed")],  # type: ignore[arg-type]
        review_items=[ReviewItemDef(id="licence", name="营业执照", kind="qualification")],
        candidates=2, sme_deduction=Decimal(10))


def grant(server: RunningServer, identity: str, role: str) -> None:
    assert server.admin("grant", "--identity", identity, "--role", role) == 0


def committee(server: RunningServer, pki, *, experts: int = 3, names: tuple[str, ...] = (),  # type: ignore[no-untyped-def]
              also: tuple[str, ...] = ()) -> Committee:
    """A tender owned by a logged-in agency, ``experts`` logged-in experts (roles granted), a supervisor, a
    bidder, and a session in phase checkin. ``also``: identity keys of more experts (e.g. one driven by the
    CLI), granted the expert role and named in the session after the others."""
    from server.auth.models import Account
    from server.tenders.models import Tender

    tender_id = make_tender(server.data)
    keys = [issue_expert(pki, n) for n in (names or tuple(f"专家{secrets.token_hex(3)}" for _ in range(experts)))]
    for key in keys:
        grant(server, "person:" + str(key.certificate.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value),
              "expert")
    members = [person(server.url, key) for key in keys]
    agency = party(server.url, pki, "ent-b")
    grant(server, agency.identity, "agency")
    supervisor = party(server.url, pki, "opener-1")
    grant(server, supervisor.identity, "supervisor")
    bidder = party(server.url, pki, "ent-a")
    grant(server, bidder.identity, "bidder")
    with db_session(server.data) as db:
        account = db.execute(select(Account).where(Account.identity_key == agency.identity)).scalar_one()
        db.execute(update(Tender).where(Tender.id == tender_id).values(agency_account_id=account.id))
        db.commit()
    for key in also:
        grant(server, key, "expert")
    session = agency.api.create(SessionCreateIn(tender_id=tender_id, experts=[m.identity for m in members] + list(also),
                                                definition=definition(bidder.identity)))
    return Committee(server, tender_id, agency, members, supervisor, bidder, session)


def to_review(c: Committee) -> str:
    """Check in and declare everyone, elect the first expert chair, move to the review; the chair's id."""
    sid = c.session_id
    for m in c.experts:
        m.api.check_in(sid, m.identity, m.sign)
        m.api.declare(sid, m.identity, m.sign, conflict=False, detail="")
    c.agency.api.advance(sid, Phase.ELECTION)
    chair = c.experts[0]
    for m in c.experts:
        m.api.vote_chair(sid, chair.identity)
    chair.api.advance(sid, Phase.READING)
    chair.api.advance(sid, Phase.REVIEW)
    return chair.identity
