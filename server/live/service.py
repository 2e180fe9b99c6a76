"""Publishing live events and reading them back; who may read which channel.

Other domain services call :func:`publish` inside their own unit of work: the event is numbered and
stored in the same transaction as the change it announces, so it becomes visible when that transaction
commits — and a rolled-back change never produces an event.

Channels are ``<kind>:<object id>``. The domain owning a kind registers who may read its channels with
:func:`register_reader`; a kind nobody registered cannot be subscribed to.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from sqlalchemy import Engine, event, func, select, text
from sqlalchemy.orm import Session

from server import clock
from server.auth.service import Actor
from server.live.models import LiveChannel, LiveEvent
from server.problems import DomainError

CHANNEL_PATTERN = re.compile(r"^([a-z][a-z0-9_]{0,31}):([A-Za-z0-9._-]{1,150})$")
KIND_PATTERN = re.compile(r"^[a-z][a-z0-9_.]{0,63}$")
NOTIFY_CHANNEL = "bidclient_live"
MAX_PAYLOAD = 64 << 10  # bytes of JSON per event: events announce, bulk data is fetched separately
_PENDING = "bidclient_live_pending"


@dataclass(frozen=True)
class Event:
    channel: str
    seq: int
    kind: str
    time: str
    payload: dict[str, Any]

    def envelope(self) -> dict[str, Any]:
        return {"channel": self.channel, "seq": self.seq, "kind": self.kind, "time": self.time,
                "payload": self.payload}


# --- who may read ------------------------------------------------------------------------------

ReaderCheck = Callable[[Session, Actor, str], bool]
_readers: dict[str, ReaderCheck] = {}


def register_reader(kind: str, check: ReaderCheck) -> None:
    """Let the domain owning channels ``<kind>:<id>`` decide who reads them. ``check(db, actor, object_id)``
    returns whether ``actor`` may read; it may raise DomainError (e.g. 404 for an unknown object)."""
    _readers[kind] = check


def parse_channel(channel: str) -> tuple[str, str]:
    match = CHANNEL_PATTERN.match(channel)
    if not match:
        raise DomainError("live.channel_invalid",
                          f"{channel[:100]!r} is not a channel name: use <kind>:<id>, e.g. tender:T-2026-001",
                          status=422)
    return match.group(1), match.group(2)


def authorize(db: Session, actor: Actor, channel: str) -> None:
    """Raise DomainError unless ``actor`` may read ``channel``."""
    kind, object_id = parse_channel(channel)
    check = _readers.get(kind)
    if check is None:
        raise DomainError("live.channel_unknown", f"there are no live channels of the kind {kind!r}", status=404)
    if not check(db, actor, object_id):
        raise DomainError("live.forbidden", f"you may not follow {channel}: it is open to its participants only",
                          status=403)


def _tender_reader(db: Session, actor: Actor, tender_id: str) -> bool:
    from server.tenders.models import Tender

    if db.get(Tender, tender_id) is None:
        raise DomainError("live.channel_not_found", f"there is no tender {tender_id!r}", status=404)
    return True  # tenders are public: anyone signed in may follow one


register_reader("tender", _tender_reader)


# --- publishing ----------------------------------------------------------------------------------

def publish(db: Session, channel: str, kind: str, payload: dict[str, Any]) -> Event:
    """Append an event to ``channel`` in the caller's transaction; it is delivered once that commits."""
    parse_channel(channel)
    if not KIND_PATTERN.match(kind):
        raise ValueError(f"not an event kind: {kind!r}")
    body = json.dumps(payload, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    if len(body.encode("utf-8")) > MAX_PAYLOAD:
        raise ValueError(f"an event payload is limited to {MAX_PAYLOAD} bytes")
    head = _lock_channel(db, channel)
    head.seq += 1
    now = clock.now()
    db.add(LiveEvent(channel=channel, seq=head.seq, kind=kind, payload=body, created_at=now))
    db.flush()
    if db.get_bind().dialect.name == "postgresql":
        # Transactional: PostgreSQL delivers it to the listeners only if and when this transaction commits.
        db.execute(text("SELECT pg_notify(:name, :channel)"), {"name": NOTIFY_CHANNEL, "channel": channel})
    _remember_for_wakeup(db, channel)
    return Event(channel, head.seq, kind, clock.isoformat(now), payload)


def _lock_channel(db: Session, channel: str) -> LiveChannel:
    """The channel's head row, locked until the transaction ends (created on first use without races)."""
    stmt = (select(LiveChannel).where(LiveChannel.channel == channel).with_for_update()
            .execution_options(populate_existing=True))
    head = db.execute(stmt).scalar_one_or_none()
    if head is None:
        if db.get_bind().dialect.name == "postgresql":
            from sqlalchemy.dialects.postgresql import insert as pg_insert

            db.execute(pg_insert(LiveChannel).values(channel=channel, seq=0)
                       .on_conflict_do_nothing(index_elements=["channel"]))
        else:
            from sqlalchemy.dialects.sqlite import insert as sqlite_insert

            db.execute(sqlite_insert(LiveChannel).values(channel=channel, seq=0)
                       .on_conflict_do_nothing(index_elements=["channel"]))
        head = db.execute(stmt).scalar_one()
    return head


# --- reading -------------------------------------------------------------------------------------

def events_after(db: Session, channel: str, after: int, *, limit: int = 500) -> list[Event]:
    rows = db.execute(select(LiveEvent).where(LiveEvent.channel == channel, LiveEvent.seq > after)
                      .order_by(LiveEvent.seq).limit(limit)).scalars().all()
    return [Event(r.channel, r.seq, r.kind, clock.isoformat(r.created_at), json.loads(r.payload)) for r in rows]


def heads(db: Session, channels: list[str]) -> dict[str, int]:
    """The last sequence number of each of ``channels`` that has had an event, in a few statements whatever
    their number (the hub's poll of every followed channel: one read, not one per channel)."""
    found: dict[str, int] = {}
    for start in range(0, len(channels), 500):
        part = channels[start:start + 500]
        found.update((str(c), int(s)) for c, s in db.execute(
            select(LiveChannel.channel, LiveChannel.seq).where(LiveChannel.channel.in_(part))))
    return found


def last_seq(db: Session, channel: str) -> int:
    return int(db.execute(select(func.coalesce(func.max(LiveEvent.seq), 0))
                          .where(LiveEvent.channel == channel)).scalar_one())


# --- in-process wake-ups after commit ------------------------------------------------------------

class Waker(Protocol):
    def wake(self, channel: str) -> None: ...


_wakers: dict[str, set[Waker]] = {}
_wakers_lock = threading.Lock()


def database_key(engine: Engine) -> str:
    return engine.url.render_as_string(hide_password=True)


def add_waker(engine: Engine, waker: Waker) -> None:
    with _wakers_lock:
        _wakers.setdefault(database_key(engine), set()).add(waker)


def remove_waker(engine: Engine, waker: Waker) -> None:
    with _wakers_lock:
        _wakers.get(database_key(engine), set()).discard(waker)


def _remember_for_wakeup(db: Session, channel: str) -> None:
    pending: set[str] | None = db.info.get(_PENDING)
    if pending is None:
        pending = db.info[_PENDING] = set()
        event.listen(db, "after_commit", _after_commit)
        event.listen(db, "after_rollback", _after_rollback)
    pending.add(channel)


def _after_commit(db: Session) -> None:
    channels = db.info.get(_PENDING) or set()
    if not channels:
        return
    db.info[_PENDING] = set()
    bind = db.get_bind()
    engine = bind if isinstance(bind, Engine) else bind.engine
    with _wakers_lock:
        wakers = list(_wakers.get(database_key(engine), ()))
    for waker in wakers:
        for channel in channels:
            waker.wake(channel)


def _after_rollback(db: Session) -> None:
    db.info[_PENDING] = set()
