"""Regular RFC 3161 timestamps over the audit chain's head (checkpoints).

A checkpoint is made under the head lock, in one transaction: an ``audit.checkpoint`` entry is appended
(so each checkpoint is itself recorded in the chain), then the built-in TSA stamps
checkpoint_statement(seq, entry_hash) of that very entry, and the token is stored. The checkpoint thus
anchors every entry up to and including its own record.

Policy: a checkpoint is due when ``entries`` entries are unanchored, or when the oldest unanchored entry
is older than ``max_age``. Every server instance runs the check every ``poll`` seconds; the head lock makes
concurrent instances agree (the second finds nothing due).
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import os
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from bidclient.protocol.audit import CHECKPOINT_ACTION, checkpoint_statement
from crypto.timestamp import TimestampAuthority
from server import clock
from server.audit import chain
from server.audit.models import AuditCheckpoint, AuditEntry
from server.keys import ServerKeys

log = logging.getLogger(__name__)

ENTRIES_ENV = "BIDCLIENT_AUDIT_CHECKPOINT_ENTRIES"
SECONDS_ENV = "BIDCLIENT_AUDIT_CHECKPOINT_SECONDS"
POLL_ENV = "BIDCLIENT_AUDIT_CHECKPOINT_POLL"


@dataclass(frozen=True)
class CheckpointPolicy:
    entries: int = 100  # at most this many entries wait for a timestamp
    max_age: timedelta = timedelta(minutes=5)  # no entry waits longer than this (plus one poll)
    poll: float = 15.0  # seconds between checks

    @classmethod
    def from_settings(cls, extra: Mapping[str, str]) -> CheckpointPolicy:
        """Settings.extra keys audit_checkpoint_entries/_seconds/_poll, else the environment, else defaults."""
        def pick(key: str, env: str) -> str | None:
            return extra.get(key) or os.environ.get(env) or None

        default = cls()
        entries = pick("audit_checkpoint_entries", ENTRIES_ENV)
        seconds = pick("audit_checkpoint_seconds", SECONDS_ENV)
        poll = pick("audit_checkpoint_poll", POLL_ENV)
        return cls(entries=max(1, int(entries)) if entries else default.entries,
                   max_age=timedelta(seconds=float(seconds)) if seconds else default.max_age,
                   poll=max(0.1, float(poll)) if poll else default.poll)


def last_checkpoint_seq(db: Session) -> int:
    return int(db.execute(select(func.coalesce(func.max(AuditCheckpoint.seq), 0))).scalar_one())


def make_checkpoint(db: Session, *, keys: ServerKeys, policy: CheckpointPolicy | None = None,
                    force: bool = False) -> AuditCheckpoint | None:
    """Timestamp the head if a checkpoint is due (always when ``force``, unless nothing is unanchored).

    Runs in the caller's transaction; returns the new checkpoint or None when none was needed.
    """
    head = chain.lock_head(db)
    anchored = last_checkpoint_seq(db)
    if head.seq <= anchored:
        return None  # nothing new since the last checkpoint (or an empty chain)
    if not force:
        policy = policy or CheckpointPolicy()
        oldest = db.execute(select(AuditEntry.time).where(AuditEntry.seq == anchored + 1)).scalar_one_or_none()
        too_many = head.seq - anchored >= policy.entries
        too_old = oldest is not None and clock.now() - oldest >= policy.max_age
        if not (too_many or too_old):
            return None
    entry = chain.append(db, actor=chain.SYSTEM, action=CHECKPOINT_ACTION, object_type="audit_checkpoint",
                         object_id=str(head.seq + 1), payload={"previous_checkpoint_seq": anchored})
    statement = checkpoint_statement(entry.seq, entry.entry_hash)
    token = TimestampAuthority(keys.tsa_signer, clock=clock.now).timestamp(
        hashlib.sha256(statement).digest(), "sha256")
    checkpoint = AuditCheckpoint(seq=entry.seq, entry_hash=entry.entry_hash, created_at=clock.now(), token=token)
    db.add(checkpoint)
    db.flush()
    return checkpoint


def run_once(session_factory: sessionmaker[Session], keys: ServerKeys, policy: CheckpointPolicy) -> int | None:
    """One check in its own transaction; returns the new checkpoint's seq, if one was made."""
    with session_factory() as db:
        checkpoint = make_checkpoint(db, keys=keys, policy=policy)
        seq = checkpoint.seq if checkpoint is not None else None
        db.commit()
        return seq


async def _loop(app: Any, policy: CheckpointPolicy) -> None:
    while True:
        await asyncio.sleep(policy.poll)
        try:
            await asyncio.to_thread(run_once, app.state.session_factory, app.state.keys, policy)
        except Exception:  # a failed check must not stop the next one (e.g. the database restarting)
            log.exception("audit checkpoint failed; retrying at the next poll")


@contextlib.asynccontextmanager
async def lifespan(app: Any) -> AsyncIterator[None]:
    """Runs the checkpoint task for as long as the server runs (attached to the audit router)."""
    settings = getattr(app.state, "settings", None)
    policy = CheckpointPolicy.from_settings(settings.extra if settings is not None else {})
    task = asyncio.create_task(_loop(app, policy), name="audit-checkpoints")
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
