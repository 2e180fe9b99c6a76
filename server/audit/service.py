"""Reading the audit trail: the live feed, the checkpoints and the batches of an export.

Services take keyword arguments, flush but never commit, and raise DomainError, never HTTP errors. The
router runs each of these in a short transaction of its own (see server/audit/router.py for why).
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from server.audit import chain
from server.audit.models import AuditCheckpoint, AuditEntry, AuditHead
from server.auth.service import Actor


def entries_after(db: Session, *, after: int, limit: int, upto: int | None = None) -> Sequence[AuditEntry]:
    """Up to ``limit`` entries with ``after < seq`` (and ``seq <= upto``), in order."""
    query = select(AuditEntry).where(AuditEntry.seq > after)
    if upto is not None:
        query = query.where(AuditEntry.seq <= upto)
    return db.execute(query.order_by(AuditEntry.seq).limit(limit)).scalars().all()


def head_seq(db: Session) -> int:
    """The sequence number of the newest entry (0 for an empty trail)."""
    return db.execute(select(AuditHead.seq).where(AuditHead.id == 1)).scalar_one_or_none() or 0


def checkpoints_after(db: Session, *, after: int, limit: int) -> Sequence[AuditCheckpoint]:
    return db.execute(select(AuditCheckpoint).where(AuditCheckpoint.seq > after)
                      .order_by(AuditCheckpoint.seq).limit(limit)).scalars().all()


def checkpoints_upto(db: Session, *, upto: int) -> Sequence[AuditCheckpoint]:
    return db.execute(select(AuditCheckpoint).where(AuditCheckpoint.seq <= upto)
                      .order_by(AuditCheckpoint.seq)).scalars().all()


def record_export(db: Session, *, actor: Actor) -> tuple[int, str]:
    """Record that ``actor`` took a copy of the trail; the export ends at this entry (seq, hash)."""
    entry = chain.append(db, actor=actor.ref, action="audit.export", object_type="audit_chain", object_id="export")
    return entry.seq, entry.entry_hash
