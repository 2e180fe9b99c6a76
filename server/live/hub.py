"""Fan-out of live events to the streams open in this server process.

One hub per app. The database is the source of truth; the hub only decides when to look:
- an in-process wake-up after a commit in this process (any backend);
- on PostgreSQL, one LISTEN connection per process (a thread) hears the commits of every instance;
- a fallback poll of every followed channel, so that nothing is missed between a commit and a wake-up
  (a lost NOTIFY while the listener reconnects, another process on SQLite).
For each channel the hub reads new events once and hands them to every stream following it.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import gc
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker
from starlette.concurrency import run_in_threadpool

from server.live import service
from server.live.service import Event

log = logging.getLogger(__name__)

QUEUE_LIMIT = 1000  # events waiting for one slow stream; beyond that it re-reads from the table
TICK = 0.2  # seconds between shutdown checks
FREEZE_FIRST = 100  # open streams at which their objects are first moved out of the collector's reach
FREEZE_GROWTH = 1.25  # and again each time the open streams grow by this factor over the last freeze


@dataclass(eq=False)
class Subscription:
    channel: str
    queue: asyncio.Queue[Event | None] = field(default_factory=lambda: asyncio.Queue(QUEUE_LIMIT))
    overflowed: bool = False
    closing: bool = False
    # Whether the HTTP connection still wants keep-alive: uvicorn clears it on every open connection when it
    # begins a graceful shutdown, which is how a stream learns that it must end (see Hub.check_shutdown).
    keep_alive: Callable[[], bool] = lambda: True
    kept_alive_at_start: bool = True


class Hub:
    def __init__(self, engine: Engine, read_factory: sessionmaker[Session], *, poll_interval: float,
                 listen: bool, freeze: bool = False) -> None:
        """``freeze``: keep the objects of open streams out of full collections (see :meth:`_freeze_streams`;
        set where the process's heap is frozen at start-up, ``Settings.freeze_heap``)."""
        self.engine = engine
        self.read_factory = read_factory
        self.poll_interval = poll_interval
        self.listen = listen and engine.dialect.name == "postgresql"
        self.subscriptions: dict[str, set[Subscription]] = {}
        self.cursor: dict[str, int] = {}
        self._fetching: dict[str, bool] = {}
        self._again: set[str] = set()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._ticker: asyncio.Task[None] | None = None
        self._stop = threading.Event()
        self._listener: threading.Thread | None = None
        self.closing = False
        self.freeze = freeze
        self.frozen_at = 0  # open streams at the last freeze; 0: nothing frozen since start-up
        self.freezes = 0

    # --- lifecycle ---------------------------------------------------------------------------

    async def start(self) -> None:
        self._loop = asyncio.get_running_loop()
        service.add_waker(self.engine, self)
        self._ticker = asyncio.create_task(self._tick())
        if self.listen:
            self._listener = threading.Thread(target=self._listen, name="live-listener", daemon=True)
            self._listener.start()

    async def stop(self) -> None:
        self.close_streams()
        service.remove_waker(self.engine, self)
        self._stop.set()
        if self._ticker is not None:
            self._ticker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._ticker
        if self._listener is not None:
            await run_in_threadpool(self._listener.join, 5)

    def close_streams(self) -> None:
        """End every open stream (clients reconnect, to another instance or after a restart)."""
        self.closing = True
        for subs in self.subscriptions.values():
            for sub in subs:
                sub.closing = True
                with contextlib.suppress(asyncio.QueueFull):
                    sub.queue.put_nowait(None)

    # --- subscriptions -----------------------------------------------------------------------

    async def subscribe(self, channel: str) -> Subscription:
        sub = Subscription(channel, closing=self.closing)  # joining while the server stops: end at once
        if channel not in self.cursor:
            head = await run_in_threadpool(self._read, lambda db: service.last_seq(db, channel))
            self.cursor.setdefault(channel, head)
        self.subscriptions.setdefault(channel, set()).add(sub)
        if self.freeze:
            self._freeze_streams()
        return sub

    def open_streams(self) -> int:
        return sum(len(subs) for subs in self.subscriptions.values())

    def _freeze_streams(self) -> None:
        """Move the objects of the open streams out of the garbage collector's reach (gc.freeze), as the
        start-up heap is (server/app.py ``freeze_heap``).

        A thousand open streams are ≈ 240,000 objects that live for hours. Left in the oldest generation,
        every full collection walks them all with every thread stopped: 100–200 ms, the p99 of the evaluation
        score writes (docs/benchmarks.md, "Evaluation score writes"). Frozen, a full collection walks only
        what was made since. The young generations are collected first (cheap), so no young garbage is
        frozen. A frozen object is still freed when its last reference goes, only a reference cycle among
        objects frozen here outlives its stream; to bound that, freezes happen only when the open streams
        reach ``FREEZE_FIRST`` and then each ``FREEZE_GROWTH`` times the last freeze (a handful per busy
        period, each freezing at most the heap of that moment), and once the last stream has closed the
        frozen objects are collected once and frozen again (:meth:`_thaw`, from the next tick, when the
        streams' tasks have ended)."""
        open_now = self.open_streams()
        if open_now >= max(FREEZE_FIRST, FREEZE_GROWTH * self.frozen_at):
            gc.collect(1)
            gc.freeze()
            self.frozen_at = open_now
            self.freezes += 1

    def _thaw(self) -> None:
        """No stream open any more: collect whatever the frozen streams left in cycles, then freeze what is
        alive again (one full collection, at a moment no expert is connected)."""
        self.frozen_at = 0
        gc.unfreeze()
        gc.collect()
        gc.freeze()

    def unsubscribe(self, sub: Subscription) -> None:
        subs = self.subscriptions.get(sub.channel)
        if subs is None:
            return
        subs.discard(sub)
        if not subs:
            del self.subscriptions[sub.channel]
            self.cursor.pop(sub.channel, None)

    def _read(self, work: Callable[[Session], Any]) -> Any:
        with self.read_factory() as db:
            try:
                return work(db)
            finally:
                db.rollback()

    # --- wake-ups ----------------------------------------------------------------------------

    def wake(self, channel: str) -> None:
        """Thread-safe: new events may be on ``channel``."""
        loop = self._loop
        if loop is None or loop.is_closed():
            return
        with contextlib.suppress(RuntimeError):  # the loop closed meanwhile
            loop.call_soon_threadsafe(self._wake, channel)

    def _wake(self, channel: str) -> None:
        if channel not in self.subscriptions:
            return
        if self._fetching.get(channel):
            self._again.add(channel)
            return
        self._fetching[channel] = True
        asyncio.get_running_loop().create_task(self._fetch(channel))

    async def _fetch(self, channel: str) -> None:
        try:
            while channel in self.subscriptions:
                self._again.discard(channel)
                after = self.cursor.get(channel, 0)
                try:
                    events: list[Event] = await run_in_threadpool(
                        self._read, functools.partial(service.events_after, channel=channel, after=after))
                except Exception as ex:  # the database is away: the next poll tries again
                    log.warning("live: reading %s failed: %s", channel, type(ex).__name__)
                    return
                for ev in events:
                    for sub in list(self.subscriptions.get(channel, ())):
                        try:
                            sub.queue.put_nowait(ev)
                        except asyncio.QueueFull:
                            sub.overflowed = True
                if events and channel in self.cursor:
                    self.cursor[channel] = max(self.cursor[channel], events[-1].seq)
                if len(events) < 500 and channel not in self._again:
                    return
        finally:
            self._fetching[channel] = False

    async def _tick(self) -> None:
        ticks_per_poll = max(1, round(self.poll_interval / TICK))
        n = 0
        while True:
            await asyncio.sleep(TICK)
            n += 1
            self.check_shutdown()
            if self.frozen_at and not self.subscriptions:
                self._thaw()
            if n % ticks_per_poll == 0 and self.subscriptions:
                await self._poll()

    async def _poll(self) -> None:
        """The fallback look at every followed channel: one read of the channels' heads, then a fetch only
        where a head is past what the streams have been given. With a thousand experts following their
        sessions this is one statement every poll interval, not a thousand."""
        channels = list(self.subscriptions)
        try:
            heads: dict[str, int] = await run_in_threadpool(
                self._read, functools.partial(service.heads, channels=channels))
        except Exception as ex:  # the database is away: the next poll tries again
            log.warning("live: polling the channels failed: %s", type(ex).__name__)
            return
        for channel, head in heads.items():
            if head > self.cursor.get(channel, head):
                self._wake(channel)

    def check_shutdown(self) -> None:
        """uvicorn waits for open responses before it shuts down; a stream never ends by itself. When the
        server starts its graceful shutdown it takes keep-alive away from every open connection: seeing
        that on one stream that had it, end them all so the server stops promptly."""
        if self.closing:
            return
        for subs in self.subscriptions.values():
            for sub in subs:
                if sub.kept_alive_at_start and not sub.keep_alive():
                    log.info("live: the server is shutting down; closing %d streams",
                             sum(len(s) for s in self.subscriptions.values()))
                    self.close_streams()
                    return

    # --- PostgreSQL LISTEN -------------------------------------------------------------------

    def _listen(self) -> None:
        import psycopg

        url = self.engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
        backoff = 0.5
        while not self._stop.is_set():
            try:
                with psycopg.connect(url, autocommit=True) as conn:
                    conn.execute(f"LISTEN {service.NOTIFY_CHANNEL}")
                    backoff = 0.5
                    self._wake_all()  # anything committed while we were not listening
                    while not self._stop.is_set():
                        for note in conn.notifies(timeout=0.5):
                            self.wake(note.payload)
            except Exception as ex:
                if self._stop.is_set():
                    return
                log.warning("live: the PostgreSQL listener lost its connection (%s); retrying",
                            type(ex).__name__)
                self._stop.wait(backoff)
                backoff = min(backoff * 2, 10.0)

    def _wake_every_channel(self) -> None:
        for channel in list(self.subscriptions):
            self._wake(channel)

    def _wake_all(self) -> None:
        """Thread-safe: look again at every followed channel."""
        loop = self._loop
        if loop is None or loop.is_closed():
            return
        with contextlib.suppress(RuntimeError):
            loop.call_soon_threadsafe(self._wake_every_channel)
