"""Helpers for the expert pool and draw tests: dongle logins with roles, tenders owned by the agency who logs
in, a pool as CSV, bids placed directly (these tests are about the draw, not about submitting)."""

from __future__ import annotations

import csv
import io
import json
import random
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select

from bidclient.api_client import ApiClient
from bidclient.experts import ExpertsService
from bidclient.protocol import experts as proto
from crypto import cms_sign
from crypto.identity import uscc_check_character
from crypto.key_access import open_key
from crypto.pin import pin_from_source_spec
from tests.server.submission_helpers import _filled, db_session

AGENCY, OTHER_AGENCY, ADMIN, SUPERVISOR, EXPERT = "opener-1", "ent-b", "ent-b", "ent-a", "expert-1"
EXPERT_IDENTITY = "person:张三"
SPECIALTIES = {"it.hw": ("计算机硬件", "technical"), "it.sw": ("软件", "technical"), "econ": ("造价", "economic"),
               "law": ("法律", "legal")}


def uscc(body_seed: int) -> str:
    body = f"91{body_seed:015d}"
    return body + uscc_check_character(body)


@dataclass
class Party:
    client: ApiClient
    experts: ExpertsService
    identity: str
    account_id: str


def dongle_login(url: str, pki: Any, party: str) -> Party:  # type: ignore[no-untyped-def]
    """Log in with the party's SoftHSM token, as `bidclient login --key pkcs11:…` does."""
    uri = pki.party(party).signing_uri
    pin = pin_from_source_spec(f"file:{pki.pin_file}")

    def sign(data: bytes) -> bytes:
        with open_key(uri, pin) as session:
            return cms_sign.sign_detached(data, session.signer())

    client = ApiClient(url, retries=0)
    out = client.login(sign)
    return Party(client, ExpertsService(client), out.account.identity_key, out.account.id)


def grant(server: Any, identity: str, role: str) -> None:
    assert server.admin("grant", "--identity", identity, "--role", role) == 0


@dataclass
class World:
    admin: Party
    agency: Party
    supervisor: Party


def world(server: Any, pki: Any) -> World:  # type: ignore[no-untyped-def]
    """Admin (ent-b), agency (opener-1) and supervisor (ent-a) logged in with their dongles; the specialties."""
    admin = dongle_login(server.url, pki, ADMIN)
    agency = dongle_login(server.url, pki, AGENCY)
    supervisor = dongle_login(server.url, pki, SUPERVISOR)
    grant(server, admin.identity, "admin")
    grant(server, agency.identity, "agency")
    grant(server, supervisor.identity, "supervisor")
    for code, (name, category) in SPECIALTIES.items():
        admin.experts.put_specialty(code, name, category)
    return World(admin, agency, supervisor)


def pool_csv(rows: list[dict[str, str]]) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(proto.CSV_COLUMNS), lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({c: row.get(c, "") for c in proto.CSV_COLUMNS})
    return out.getvalue().encode("utf-8")


def expert_row(n: int, specialty: str = "it.hw", *, employer: str | None = None, region: str = "北京",
               identity: str | None = None, email: str = "") -> dict[str, str]:
    return {"identity": identity or f"person:专家{n:05d}", "name": f"专家{n:05d}",
            "employer_uscc": employer or uscc(100000 + n), "employer_name": f"单位{n}", "specialties": specialty,
            "region": region, "title": "高级工程师", "email": email, "phone": f"1380000{n:04d}"}


def import_pool(tmp: Path, party: Party, rows: list[dict[str, str]]) -> proto.ImportOut:
    path = tmp / f"pool-{uuid.uuid4().hex[:6]}.csv"
    path.write_bytes(pool_csv(rows))
    return party.experts.import_csv(path)


def own_tender(data: Path, agency_account_id: str, *, deadline_in: timedelta = timedelta(hours=-1),
               evaluation: dict[str, Any] | None = None, budget: str = "1200000.00") -> str:
    """A published tender (version 1) of the agency's account, inserted directly."""
    from server.tenders.models import Tender, TenderVersion

    now = datetime.now(UTC)
    tender_id = "T-" + uuid.uuid4().hex[:10]
    definition: dict[str, Any] = {"tender_id": tender_id, "version": 1, "lots": [
        {"id": "1", "name": "台式计算机", "budget": budget}]}
    if evaluation is not None:
        definition["evaluation"] = evaluation
    with db_session(data) as db:
        db.add(_filled(Tender, id=tender_id, agency_account_id=agency_account_id, title="办公设备采购项目",
                       current_version=1, created_at=now, procurement_kind="goods"))
        db.flush()
        db.add(_filled(TenderVersion, tender_id=tender_id, version=1, definition=json.dumps(definition).encode(),
                       signature=b"", package_sha256="0" * 64, signer_cert_sha256="0" * 64,
                       deadline=now + deadline_in, opening_time=now + deadline_in, published_at=now))
        db.commit()
    return tender_id


def place_bid(data: Path, tender_id: str, bidder_uscc: str) -> None:
    """An active bid of the enterprise on the tender (the rows a submission leaves)."""
    from server.auth.models import Account
    from server.submissions.models import Submission, Upload

    now = datetime.now(UTC)
    key = f"uscc:{bidder_uscc}"
    with db_session(data) as db:
        account = db.execute(select(Account).where(Account.identity_key == key)).scalar_one_or_none()
        if account is None:
            account = Account(id=str(uuid.uuid4()), identity_key=key, uscc=bidder_uscc, organization="投标人",
                              person=None, created_at=now)
            db.add(account)
            db.flush()
        upload_id = str(uuid.uuid4())
        db.add(_filled(Upload, id=upload_id, account_id=account.id, tender_id=tender_id,
                       idempotency_key=upload_id, created_at=now))
        db.flush()
        db.add(_filled(Submission, id=str(uuid.uuid4()), upload_id=upload_id, account_id=account.id,
                       identity_key=key, tender_id=tender_id, tender_version=1, envelope_sha256="0" * 64, size=1,
                       status="active", submitted_at=now, receipt_id=str(uuid.uuid4()), receipt_content=b"",
                       receipt_signature=b"", receipt_timestamp=b""))
        db.commit()


def request(tender_id: str, slots: list[dict[str, Any]], *, representatives: int = 0, starts_in: float = 72,
            hours: float = 8, respond_in: float = 24, **extra: Any) -> proto.DrawRequestIn:
    now = datetime.now(UTC)
    return proto.DrawRequestIn.model_validate({
        "tender_id": tender_id, "slots": slots, "representatives": representatives,
        "starts_at": now + timedelta(hours=starts_in), "ends_at": now + timedelta(hours=starts_in + hours),
        "respond_by": now + timedelta(hours=respond_in), **extra})


def random_rows(count: int, seed: int = 7) -> list[dict[str, str]]:
    rng = random.Random(seed)
    return [expert_row(n, rng.choice(["it.hw", "it.sw", "econ", "it.hw;econ"]), region=rng.choice(["北京", "上海"]))
            for n in range(count)]
