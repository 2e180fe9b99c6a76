"""The moment a bid deadline passes is recorded with the state of the clock that judged it.

Every instance checks every ``deadline_watch_poll`` seconds for tenders whose current deadline has
passed and which have no ``tender.deadline_passed`` entry yet; the entry is appended under the audit
chain's head lock, after looking again, so several instances record each deadline once. The entry's
entry's time is when it was noticed; its payload (digested in the trail: {tender_id, bid_deadline, clock})
and the JSON log line carry the deadline and the clock state (server/timesync.py).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from server import clock
from server.audit import chain
from server.audit.models import AuditEntry
from server.tenders.models import Tender, TenderVersion
from server.timesync import ClockState

log = logging.getLogger("server.tenders")
ACTION = "tender.deadline_passed"
BATCH = 100


def _recorded(db: Session, tender_ids: list[str]) -> set[str]:
    return set(db.execute(select(AuditEntry.object_id).where(AuditEntry.action == ACTION,
                                                             AuditEntry.object_id.in_(tender_ids))).scalars())


def record_passed(session_factory: sessionmaker[Session], state: ClockState) -> list[str]:
    """Append an entry for every passed deadline not yet recorded; returns their tender ids."""
    now = clock.now()
    with session_factory() as db:
        due = db.execute(select(Tender.id, TenderVersion.deadline)
                         .join(TenderVersion, (TenderVersion.tender_id == Tender.id)
                               & (TenderVersion.version == Tender.current_version))
                         .where(TenderVersion.deadline <= now).order_by(TenderVersion.deadline)).all()
        if not due:
            return []
        done = _recorded(db, [t for t, _ in due])
        pending = [(t, d) for t, d in due if t not in done][:BATCH]
        if not pending:
            return []
        chain.lock_head(db)  # from here on, no other instance appends; look again
        done = _recorded(db, [t for t, _ in pending])
        recorded = []
        for tender_id, deadline in pending:
            if tender_id in done:
                continue
            payload = {"tender_id": tender_id, "bid_deadline": clock.isoformat(deadline),
                       "clock": state.as_dict()}
            chain.append(db, actor=chain.SYSTEM, action=ACTION, object_type="tender", object_id=tender_id,
                         payload=payload)
            recorded.append(tender_id)
            log.info("the bid deadline of %s passed; clock synchronised: %s", tender_id, state.synchronised,
                     extra={"event": ACTION, **payload})
        db.commit()
        return recorded


async def _loop(app: Any) -> None:
    settings = app.state.settings
    while True:
        await asyncio.sleep(settings.deadline_watch_poll)
        try:
            state = await asyncio.to_thread(app.state.clock_watch.state)
            await asyncio.to_thread(record_passed, app.state.session_factory, state)
        except Exception:  # the database restarting must not end the watch
            log.exception("checking for passed deadlines failed; retrying at the next poll")


@contextlib.asynccontextmanager
async def lifespan(app: Any) -> AsyncIterator[None]:
    """Runs the deadline watch for as long as the server runs (attached to the tenders router)."""
    task = asyncio.create_task(_loop(app), name="deadline-watch")
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
