"""Appending to and hashing the audit chain. The same hashing verifies an export offline
(bidclient.audit_verify uses the identical rules, documented in docs/formats/audit.md)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
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


def append(db: Session, *, actor: ActorRef, action: str, object_type: str, object_id: str,
           payload: bytes | dict[str, Any] | None = None, when: datetime | None = None) -> AuditEntry:
    """Append one entry in the caller's transaction (it commits or rolls back with the change it records)."""
    head = lock_head(db)
    entry = AuditEntry(seq=head.seq + 1, time=when or clock.now(), actor=actor.key,
                       actor_cert_sha256=actor.cert_sha256, address=actor.address, action=action,
                       object_type=object_type, object_id=object_id, payload_sha256=payload_digest(payload),
                       prev_hash=head.entry_hash, entry_hash="")
    entry.entry_hash = entry_hash(entry_fields(entry))
    db.add(entry)
    head.seq = entry.seq
    head.entry_hash = entry.entry_hash
    db.flush()
    return entry


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
