"""The moment a bid deadline passes is recorded with the state of the clock that judged it.

Every instance checks every ``deadline_watch_poll`` seconds for tenders whose current deadline has
passed (in the last week) and which have no ``tender.deadline_passed`` entry yet; the trail is searched
and the entry appended under the audit chain's head lock, so several instances record each deadline
once. An instance remembers the tenders it saw recorded, so between deadlines a poll is one small query. The entry's
entry's time is when it was noticed; its payload (digested in the trail: {tender_id, bid_deadline, clock})
and the JSON log line carry the deadline and the clock state (server/timesync.py).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from datetime import timedelta
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
# A deadline that passed while no instance ran is still recorded, when one starts within this time.
CATCH_UP = timedelta(days=7)


def _recorded(db: Session, tender_ids: list[str]) -> set[str]:
    return set(db.execute(select(AuditEntry.object_id).where(AuditEntry.action == ACTION,
                                                             AuditEntry.object_id.in_(tender_ids))).scalars())


def record_passed(session_factory: sessionmaker[Session], state: ClockState, *, done: set[str],
                  catch_up: timedelta = CATCH_UP) -> list[str]:
    """Append an entry for every deadline passed in the last ``catch_up`` and not yet recorded; returns
    their tender ids. ``done``: tenders this process knows are recorded, so that the audit trail is only
    searched around a deadline, not on every poll."""
    now = clock.now()
    with session_factory() as db:
        due = [(t, d) for t, d in db.execute(
            select(Tender.id, TenderVersion.deadline)
            .join(TenderVersion, (TenderVersion.tender_id == Tender.id)
                  & (TenderVersion.version == Tender.current_version))
            .where(TenderVersion.deadline <= now, TenderVersion.deadline > now - catch_up)
            .order_by(TenderVersion.deadline)).all() if t not in done][:BATCH]
        if not due:
            return []
        chain.lock_head(db)  # from here on no other instance appends: look, then append what is missing
        recorded_before = _recorded(db, [t for t, _ in due])
        recorded = []
        for tender_id, deadline in due:
            if tender_id in recorded_before:
                continue
            payload = {"tender_id": tender_id, "bid_deadline": clock.isoformat(deadline), "clock": state.as_dict()}
            chain.append(db, actor=chain.SYSTEM, action=ACTION, object_type="tender", object_id=tender_id,
                         payload=payload)
            recorded.append(tender_id)
            log.info("the bid deadline of %s passed; clock synchronised: %s", tender_id, state.synchronised,
                     extra={"event": ACTION, **payload})
        db.commit()
    done.update(t for t, _ in due)
    return recorded


async def _loop(app: Any) -> None:
    settings = app.state.settings
    done: set[str] = set()
    while True:
        await asyncio.sleep(settings.deadline_watch_poll)
        try:
            state = await asyncio.to_thread(app.state.clock_watch.state)
            await asyncio.to_thread(record_passed, app.state.session_factory, state, done=done)
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
