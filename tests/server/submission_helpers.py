"""Helpers for the submission tests: tenders with chosen deadlines, bidders' keys, sealed bids."""

from __future__ import annotations

import io
import json
import os
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from bidclient.api_client import ApiClient
from bidclient.signing import detached_signer
from crypto import cms_envelope
from crypto.software_key import SoftwareKey
from server.db import make_engine
from server.settings import Settings


def db_session(data: Path) -> Session:
    url = json.loads((data / "server.json").read_text())["database_url"]
    engine = make_engine(Settings(data_dir=data, database_url=url).resolved_database_url)
    return Session(engine)


def make_tender(data: Path, *, deadline_in: timedelta = timedelta(hours=1),
                opening_in: timedelta | None = None) -> str:
    """Insert a published tender (version 1) directly: these tests are about submission, not publishing."""
    from server.auth.models import Account
    from server.tenders.models import Tender

    now = datetime.now(UTC)
    tender_id = "T-" + uuid.uuid4().hex[:10]
    with db_session(data) as db:
        agency = db.execute(select(Account).where(Account.identity_key == "test:agency")).scalar_one_or_none()
        if agency is None:
            agency = Account(id=str(uuid.uuid4()), identity_key="test:agency", uscc=None, organization="Agency",
                             person=None, created_at=now)
            db.add(agency)
            db.flush()
        db.add(_filled(Tender, id=tender_id, agency_account_id=agency.id, title="test tender", current_version=1,
                       created_at=now, procurement_kind="goods"))
        db.flush()
        _add_version(db, tender_id, 1, now + deadline_in, now + (opening_in or deadline_in + timedelta(minutes=5)))
        db.commit()
    return tender_id


def _add_version(db: Session, tender_id: str, version: int, deadline: datetime, opening: datetime) -> None:
    from server.tenders.models import TenderVersion

    definition = json.dumps({"tender_id": tender_id, "version": version}).encode()
    db.add(_filled(TenderVersion, tender_id=tender_id, version=version, definition=definition, signature=b"",
                   package_sha256="0" * 64, signer_cert_sha256="0" * 64, deadline=deadline,
                   opening_time=opening, published_at=datetime.now(UTC)))


def _filled(model: Any, **values: Any) -> Any:
    """A row with ``values``, plus placeholders for required columns the tenders engineer adds later
    (these tests insert tenders directly; they are about submission, not publishing)."""
    from sqlalchemy import Integer, LargeBinary

    columns = model.__table__.columns
    row = {k: v for k, v in values.items() if k in columns}
    for column in columns:
        if column.name in row or column.nullable or column.primary_key or column.default is not None \
                or column.server_default is not None:
            continue
        kind = column.type
        row[column.name] = 0 if isinstance(kind, Integer) else b"" if isinstance(kind, LargeBinary) else "x"
    return model(**row)


def clarify(data: Path, tender_id: str) -> int:
    """Publish version N+1 (a 答疑 clarification) with the same times."""
    from server.tenders.models import Tender, TenderVersion

    with db_session(data) as db:
        tender = db.get(Tender, tender_id)
        assert tender is not None
        last = db.execute(select(TenderVersion).where(TenderVersion.tender_id == tender_id,
                                                      TenderVersion.version == tender.current_version)).scalar_one()
        tender.current_version += 1
        _add_version(db, tender_id, tender.current_version, last.deadline, last.opening_time)
        db.commit()
        return tender.current_version


def set_times(data: Path, tender_id: str, *, deadline: datetime, opening: datetime) -> None:
    from server.tenders.models import TenderVersion

    with db_session(data) as db:
        db.execute(update(TenderVersion).where(TenderVersion.tender_id == tender_id)
                   .values(deadline=deadline, opening_time=opening))
        db.commit()


@dataclass
class Bidder:
    client: ApiClient
    key: SoftwareKey
    identity: str
    sign: Callable[[bytes], bytes]


def software_key(pki, party: str, *, encryption: bool = False) -> SoftwareKey:  # type: ignore[no-untyped-def]
    p = pki.party(party)
    key_path = p.encryption_key if encryption else p.signing_key
    cert_path = p.encryption_cert if encryption else p.signing_cert
    key = serialization.load_pem_private_key(Path(key_path).read_bytes(), None)
    cert = x509.load_pem_x509_certificate(Path(cert_path).read_bytes())
    chain = [x509.load_pem_x509_certificate(Path(c).read_bytes()) for c in p.chain]
    return SoftwareKey(key, cert, chain)  # type: ignore[arg-type]


def signer_for(key: SoftwareKey) -> Callable[[bytes], bytes]:
    return detached_signer(key)


def login(url: str, pki, party: str) -> Bidder:  # type: ignore[no-untyped-def]
    key = software_key(pki, party)
    client = ApiClient(url, retries=0)
    out = client.login(signer_for(key))
    return Bidder(client, key, out.account.identity_key, signer_for(key))


def sealed_bid(path: Path, pki, size: int = 300_000) -> Path:  # type: ignore[no-untyped-def]
    """A real CMS envelope (to ent-a's encryption certificate) of random content."""
    recipient = x509.load_pem_x509_certificate(Path(pki.party("ent-a").encryption_cert).read_bytes())
    with open(path, "wb") as out:
        cms_envelope.encrypt(io.BytesIO(os.urandom(size)), out, [recipient], length=size)
    return path
