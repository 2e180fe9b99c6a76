"""Appending to and hashing the audit chain. The same hashing verifies an export offline
(bidclient.audit_verify uses the identical rules, documented in docs/formats/audit.md)."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, insert, select
from sqlalchemy.orm import Session

from bidclient.protocol.audit import GENESIS_HASH, entry_hash
from server import clock
from server.audit.models import AuditEntry, AuditHead


@dataclass(frozen=True)
class ActorRef:
    """Who did something: an identity key and the certificate used, or the system."""

    key: str
    cert_sha256: str = ""
    address: str = ""


SYSTEM = ActorRef("system", "", "")


def payload_digest(payload: bytes | dict[str, Any] | None) -> str:
    from bidclient.protocol.common import canonical_json

    if payload is None:
        data = b""
    elif isinstance(payload, bytes):
        data = payload
    else:
        data = canonical_json(payload)
    return hashlib.sha256(data).hexdigest()


@dataclass(frozen=True)
class Record:
    """One entry to append with ``append_all``."""

    action: str
    object_type: str
    object_id: str
    payload: bytes | dict[str, Any] | None = None


def append(db: Session, *, actor: ActorRef, action: str, object_type: str, object_id: str,
           payload: bytes | dict[str, Any] | None = None, when: datetime | None = None) -> AuditEntry:
    """Append one entry in the caller's transaction (it commits or rolls back with the change it records)."""
    return append_all(db, actor=actor, records=[Record(action, object_type, object_id, payload)], when=when)[0]


def append_all(db: Session, *, actor: ActorRef, records: Sequence[Record],
               when: datetime | None = None) -> list[AuditEntry]:
    """Append several entries of one actor, in order, in the caller's transaction: the head is locked, read
    and moved once for all of them (what one request records takes three statements, not three each)."""
    head = lock_head(db)
    at = when or clock.now()
    seq, previous = head.seq, head.entry_hash
    entries = []
    for record in records:
        seq += 1
        entry = AuditEntry(seq=seq, time=at, actor=actor.key, actor_cert_sha256=actor.cert_sha256,
                           address=actor.address, action=record.action, object_type=record.object_type,
                           object_id=record.object_id, payload_sha256=payload_digest(record.payload),
                           prev_hash=previous, entry_hash="")
        entry.entry_hash = previous = entry_hash(entry_fields(entry))
        entries.append(entry)
    db.add_all(entries)
    head.seq = seq
    head.entry_hash = previous
    db.flush()
    return entries


def append_each(db: Session, entries: Sequence[tuple[ActorRef, Record]], when: datetime | None = None) -> None:
    """Append entries of several actors, in order, in the caller's transaction: the head locked, read and moved
    once, the entries inserted in one statement (the evaluation edit lane commits many experts' edits in one
    transaction). Hashed exactly as ``append_all`` hashes."""
    if not entries:
        return
    head = lock_head(db)
    at = when or clock.now()
    seq, previous = head.seq, head.entry_hash
    rows = []
    for actor, record in entries:
        seq += 1
        fields = {"seq": seq, "time": clock.isoformat(at), "actor": actor.key, "actor_cert_sha256": actor.cert_sha256,
                  "address": actor.address, "action": record.action, "object_type": record.object_type,
                  "object_id": record.object_id, "payload_sha256": payload_digest(record.payload),
                  "prev_hash": previous}
        previous = entry_hash(fields)
        rows.append({**fields, "time": at, "entry_hash": previous})
    db.execute(insert(cast(Table, AuditEntry.__table__)), rows)
    head.seq = seq
    head.entry_hash = previous
    db.flush()


def lock_head(db: Session) -> AuditHead:
    """The head row, locked until the caller's transaction ends (SELECT ... FOR UPDATE on PostgreSQL;
    SQLite already serialises writers at BEGIN IMMEDIATE).

    The row is created with INSERT ... ON CONFLICT DO NOTHING: two instances making the very first entry
    at once must not both insert it (one would fail) nor both start a chain (a fork).
    """
    # populate_existing: an earlier unlocked read in this session must not hide a newer head.
    head = db.execute(select(AuditHead).where(AuditHead.id == 1).with_for_update()
                      .execution_options(populate_existing=True)).scalar_one_or_none()
    if head is None:
        insert = _dialect_insert(db)
        db.execute(insert(AuditHead).values(id=1, seq=0, entry_hash=GENESIS_HASH)
                   .on_conflict_do_nothing(index_elements=["id"]))
        head = db.execute(select(AuditHead).where(AuditHead.id == 1).with_for_update()
                          .execution_options(populate_existing=True)).scalar_one()
    return head


def _dialect_insert(db: Session) -> Any:
    if db.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        return pg_insert
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert

    return sqlite_insert


def entry_fields(entry: AuditEntry) -> dict[str, Any]:
    """The fields that are hashed, in their export form."""
    return {
        "seq": entry.seq,
        "time": clock.isoformat(entry.time),
        "actor": entry.actor,
        "actor_cert_sha256": entry.actor_cert_sha256,
        "address": entry.address,
        "action": entry.action,
        "object_type": entry.object_type,
        "object_id": entry.object_id,
        "payload_sha256": entry.payload_sha256,
        "prev_hash": entry.prev_hash,
    }
