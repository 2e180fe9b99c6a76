"""Lanes: at most N requests of one kind do thread work (database, signatures, hashing) at once.

In a deadline rush hundreds of uploads arrive together. Given a worker thread each, they all compete for
the GIL: CPython hands it over every 5 ms to the next waiting thread, so with a hundred runnable threads
a short request (the tender list, a login challenge) waits in that queue for seconds, and the lock
holder of the database does too. A lane lets one (or a few) upload steps run at a time; the others wait in the
event loop, holding neither a thread nor a lock, in arrival order (asyncio.Semaphore is FIFO). Bytes
are never read inside a lane, so a bidder on a slow line does not hold one while its chunk trickles in.
Total upload throughput is unchanged (the machine's cores are the limit either way); what changes is
that everything else keeps answering.

Short requests first. A lane bounds how many upload steps compete with a short request, but not that
they do: with one upload step in a worker thread, two byte threads and the event loop parsing 200
bodies, a tender list or a login challenge still waited for the GIL and the loop at every step (p99
≈ 230 ms in the quiet rush of 2026-12-02). ``ShortFirst`` gives the short requests precedence: while
one is in flight, upload work that is about to start — entering the upload lane, handing a block of
bytes to a byte thread — first waits for the short requests in flight at that moment. A waiting chunk
stops reading its body, so uvicorn stops reading that connection and the loop has its time for the
short request. Waiting is bounded: a request counts as short for at most ``hold`` seconds (a live
updates stream or a large download is short only for its first moments), and upload work waits only
for those already in flight, never for ones that arrive after it, so a steady stream of short
requests slows uploads but cannot stop them.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any

from fastapi import Request
from starlette.types import ASGIApp, Receive, Scope, Send


class ShortFirst:
    """Which short requests are in flight, and the wait of upload work for them (see the module's text)."""

    def __init__(self, hold: float, *, waited: Any = None) -> None:
        """``hold``: seconds a request counts as short at most (0: no precedence); ``waited``: a counter
        (prometheus-client) of the upload steps that waited for a short request."""
        self.hold = hold
        self._active: set[asyncio.Future[None]] = set()
        self._waited = waited

    @property
    def in_flight(self) -> int:
        return len(self._active)

    def begin(self) -> asyncio.Future[None]:
        """A short request starts; ``end`` it when it is answered (it ends by itself after ``hold``)."""
        loop = asyncio.get_running_loop()
        done: asyncio.Future[None] = loop.create_future()
        self._active.add(done)
        loop.call_later(self.hold, self.end, done)
        return done

    def end(self, done: asyncio.Future[None]) -> None:
        if not done.done():
            done.set_result(None)
        self._active.discard(done)

    async def wait_turn(self) -> None:
        """Let the short requests now in flight finish first (each at most until its ``hold`` runs out)."""
        if not self._active:
            return
        if self._waited is not None:
            self._waited.inc()
        await asyncio.wait(tuple(self._active))


class ShortFirstMiddleware:
    """Counts every HTTP request outside ``exempt`` (path prefixes: the upload steps) as short while it runs."""

    def __init__(self, app: ASGIApp, gate: ShortFirst, exempt: Sequence[str]) -> None:
        self.app = app
        self.gate = gate
        self.exempt = tuple(exempt)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or self.gate.hold <= 0 or scope["path"].startswith(self.exempt):
            await self.app(scope, receive, send)
            return
        done = self.gate.begin()
        try:
            await self.app(scope, receive, send)
        finally:
            self.gate.end(done)


class Lane:
    def __init__(self, size: int, *, waiting: Any = None, busy: Any = None,
                 yields_to: ShortFirst | None = None) -> None:
        """``waiting`` and ``busy``: gauges (prometheus-client) of the queue depth and the lane's use;
        ``yields_to``: once its turn has come, a step waits for the short requests then in flight."""
        self.size = max(1, size)
        self._semaphore = asyncio.Semaphore(self.size)
        self._waiting = waiting
        self._busy = busy
        self._yields_to = yields_to

    async def __aenter__(self) -> None:
        if self._waiting is not None:
            self._waiting.inc()
        try:
            await self._semaphore.acquire()
        finally:
            if self._waiting is not None:
                self._waiting.dec()
        if self._yields_to is not None:
            try:
                await self._yields_to.wait_turn()
            except BaseException:
                self._semaphore.release()
                raise
        if self._busy is not None:
            self._busy.inc()

    async def __aexit__(self, *_exc: object) -> None:
        self._semaphore.release()
        if self._busy is not None:
            self._busy.dec()


def upload_lane(request: Request) -> Lane:
    lane: Lane = request.app.state.upload_lane
    return lane
