"""The opening's hard cases over real HTTP, on SQLite and PostgreSQL (docs/opening.md "When things happen at
once"): two hosts acting at the same moment from several threads (exactly one takes effect, the others are
told the opening moved on, the audit trail and the live channel have one step); a bidder's key release in
flight when the decryption window closes (judged by its arrival on the server clock, and either recorded
whole or refused whole); a late joiner to the live channel while events are still being published gets
every event, in order, exactly once."""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select, update

from bidclient import opening
from bidclient.api_client import ApiClient
from bidclient.errors import BidclientError
from bidclient.live import EventFollower
from tests.opening_helpers import login, session_for
from tests.server.conftest import RunningServer
from tests.server.submission_helpers import db_session, set_times
from tests.server.test_opening import Opening, Yes, _trust, _wait


def _now() -> datetime:
    return datetime.now(UTC)


def _at_once(calls: list[Callable[[], Any]]) -> list[str]:
    """Run every call in its own thread, released together by a barrier; each outcome is "ok" or the error
    code it met."""
    barrier = threading.Barrier(len(calls))
    outcomes: list[str] = [""] * len(calls)

    def run(i: int, call: Callable[[], Any]) -> None:
        barrier.wait()
        try:
            call()
            outcomes[i] = "ok"
        except BidclientError as ex:
            outcomes[i] = ex.code

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return outcomes


def _hosts(o: Opening) -> list[opening.OpeningApi]:
    """Two clients per host (the two hosts' terminals, each clicking twice), each its own HTTP session."""
    apis = []
    for who in ("opener-1", "centre"):
        with session_for(o.pki, o.third, who) as s:
            client, _ = login(o.server.url, s)
        for _i in range(2):
            apis.append(opening.OpeningApi(ApiClient(o.server.url, token=client.token, retries=0), o.tender))
    return apis


def _audited(data: Path, action: str, object_id: str | None = None) -> int:
    from server.audit.models import AuditEntry

    query = select(AuditEntry.seq).where(AuditEntry.action == action)
    if object_id is not None:
        query = query.where(AuditEntry.object_id == object_id)
    with db_session(data) as db:
        return len(db.execute(query).all())


def _events(data: Path, tender: str) -> list[tuple[int, str]]:
    from server.live.models import LiveEvent

    with db_session(data) as db:
        return [(seq, kind) for seq, kind in db.execute(
            select(LiveEvent.seq, LiveEvent.kind).where(LiveEvent.channel == f"opening:{tender}")
            .order_by(LiveEvent.seq))]


def _race(o: Opening, hosts: list[opening.OpeningApi], action: str,
          call: Callable[[opening.OpeningApi, int], Any]) -> None:
    step = hosts[0].get().step
    outcomes = _at_once([lambda h=h: call(h, step) for h in hosts])  # type: ignore[misc]
    assert sorted(outcomes) == ["ok"] + ["opening.state_conflict"] * (len(hosts) - 1), outcomes
    assert _audited(o.server.data, f"opening.{action}") == 1
    assert [k for _s, k in _events(o.server.data, o.tender)].count(f"opening.{action}") == 1
    assert hosts[0].get().step == step + 1


@contextlib.contextmanager
def _database_busy(data: Path, tender: str) -> Iterator[None]:
    """Another writer holds the opening (SQLite: the write lock; PostgreSQL: the session's row) until the
    block ends: requests that arrive meanwhile wait for it."""
    from server.opening.models import OpeningSession

    with db_session(data) as db:
        db.execute(select(OpeningSession).where(OpeningSession.tender_id == tender).with_for_update()).one()
        try:
            yield
        finally:
            db.rollback()


def test_simultaneous_hosts_a_release_in_flight_at_the_close_and_a_late_joiner(live_server: RunningServer,
                                                                              pki: Any, tmp_path: Path) -> None:
    o = Opening(live_server, pki, tmp_path, bidders=("ent-a", "ent-b", "ent-c"), extra_hosts=("centre",))
    data = live_server.data
    hosts = _hosts(o)
    set_times(data, o.tender, deadline=_now() - timedelta(seconds=1), opening=_now() - timedelta(seconds=1))

    # Two hosts lock at the same moment, each from two threads: one lock counts the bids once.
    _race(o, hosts, "lock", lambda h, step: h.lock(step=step))
    from server.opening.models import OpeningBid, OpeningSession

    with db_session(data) as db:
        assert len(db.execute(select(OpeningBid).where(OpeningBid.tender_id == o.tender)).all()) == 3
    _race(o, hosts, "window_open", lambda h, step: h.open_window([o.opening_cert], step=step))

    # The window closes in a few seconds. Meanwhile the database is busy (another writer holds the opening):
    # ent-a's release arrives before the close and ent-c tries around it, but none is decided before the
    # close; ent-b's arrives after it. Each is judged by when it arrived, and is recorded whole or not at all.
    closes = _now() + timedelta(seconds=4)
    with db_session(data) as db:
        db.execute(update(OpeningSession).where(OpeningSession.tender_id == o.tender)
                   .values(window_closes_at=closes))
        db.commit()
    bidders: dict[str, tuple[opening.OpeningApi, Any]] = {}
    stack = contextlib.ExitStack()
    for who in ("ent-a", "ent-b", "ent-c"):  # signed in beforehand: a login writes to the database too
        bidders[who] = stack.enter_context(o.as_(who))
    outcomes: dict[str, list[str]] = {"ent-a": [], "ent-b": [], "ent-c": []}

    def release(who: str, at: datetime | None = None) -> None:
        if at is not None:
            time.sleep(max(0.0, (at - _now()).total_seconds()))
        a, s = bidders[who]
        mine = opening.OpeningApi(ApiClient(o.server.url, token=a.client.token, retries=0), o.tender)
        try:
            opening.release_key(mine, s, Yes(), bid=o.bids[who])
            outcomes[who].append("ok")
        except BidclientError as ex:
            outcomes[who].append(ex.code)

    with stack:
        with _database_busy(data, o.tender):
            threads = [threading.Thread(target=release, args=("ent-a",))]
            threads += [threading.Thread(target=release, args=("ent-c", closes + timedelta(seconds=offset)))
                        for offset in (-0.6, -0.2, 0.2)]
            for t in threads:
                t.start()
            _wait(lambda: _now() > closes + timedelta(seconds=0.5))
            late = threading.Thread(target=release, args=("ent-b",))
            late.start()
            threads.append(late)
            _wait(lambda: _now() > closes + timedelta(seconds=1.2))
        for t in threads:
            t.join(timeout=60)
    assert outcomes["ent-a"] == ["ok"]  # arrived in time, decided after the close:
    from server.audit.models import AuditEntry

    with db_session(data) as db:
        decided = db.execute(select(AuditEntry.time).where(
            AuditEntry.action == "opening.key_released",
            AuditEntry.object_id == o.submissions["ent-a"])).scalar_one()
    assert decided.replace(tzinfo=decided.tzinfo or UTC) >= closes
    assert outcomes["ent-b"] == ["opening.window_closed"]
    assert set(outcomes["ent-c"]) <= {"ok", "opening.window_closed"} and len(outcomes["ent-c"]) == 3
    events = _events(data, o.tender)
    with db_session(data) as db:
        rows = {b.submission_id: b for b in db.execute(
            select(OpeningBid).where(OpeningBid.tender_id == o.tender)).scalars()}
    for who in ("ent-a", "ent-b", "ent-c"):
        sub = o.submissions[who]
        accepted = outcomes[who].count("ok")
        row = rows[sub]
        # Never half: the bid's state, its stored key, the audit trail and the live channel agree.
        assert row.attempts == accepted
        assert (row.state == "key_released") == (accepted > 0)
        assert (row.key_envelope is not None) == (accepted > 0)
        assert _audited(data, "opening.key_released", sub) == accepted
        if accepted:
            assert row.key_released_at is not None
            assert row.key_released_at.replace(tzinfo=row.key_released_at.tzinfo or UTC) < closes
    assert [k for _s, k in events].count("opening.key_released") == sum(o.count("ok") for o in outcomes.values())

    # The host opens what was released; two hosts announce at the same moment: one 唱标.
    o.host(lambda a, s: opening.open_released_bids(a, s, _trust(pki, o), tmp_path / "opened"))
    _race(o, hosts, "announce", lambda h, step: h.announce(step=step))
    announced = hosts[0].get()
    assert announced.state == "announced"
    by_sub = {b.submission_id: b.outcome for b in announced.bids}
    assert by_sub[o.submissions["ent-a"]] == "opened" and by_sub[o.submissions["ent-b"]] == "revoked"

    # Objections pour in while a bidder joins the live channel late: it gets every event of the opening, from
    # the first, in order, exactly once; one resuming from the middle gets exactly the rest.
    with o.as_("ent-b") as (a, _s):
        token = a.client.token
    stop = threading.Event()

    def objections() -> None:
        with o.as_("ent-c") as (a, _s):
            for n in range(12):
                a.object(f"异议 {n}")
        stop.set()

    publisher = threading.Thread(target=objections)
    publisher.start()
    _wait(lambda: [k for _s, k in _events(data, o.tender)].count("opening.objection") >= 2)
    seen: list[Any] = []
    resumed: list[Any] = []
    middle = len(events) // 2
    followers = [EventFollower(ApiClient(o.server.url, token=token), f"opening:{o.tender}", on_event=seen.append),
                 EventFollower(ApiClient(o.server.url, token=token), f"opening:{o.tender}", on_event=resumed.append,
                               after=middle)]
    runs = [threading.Thread(target=f.run, daemon=True) for f in followers]
    for r in runs:
        r.start()
    try:
        publisher.join(timeout=60)
        assert stop.is_set()
        final = _events(data, o.tender)
        _wait(lambda: len(seen) >= len(final) and len(resumed) >= len(final) - middle)
        time.sleep(0.3)  # nothing more (no duplicate) arrives after the last event
    finally:
        for f in followers:
            f.stop()
        for r in runs:
            r.join(timeout=10)
    assert [(e.seq, e.kind) for e in seen] == final
    assert [(e.seq, e.kind) for e in resumed] == final[middle:]
