"""Lanes: at most N requests of one kind do thread work (database, signatures, hashing) at once.

In a deadline rush hundreds of uploads arrive together. Given a worker thread each, they all compete for
the GIL: CPython hands it over every 5 ms to the next waiting thread, so with a hundred runnable threads
a short request (the tender list, a login challenge) waits in that queue for seconds, and the lock
holder of the database does too. A lane lets one (or a few) upload steps run at a time; the others wait in the
event loop, holding neither a thread nor a lock, in arrival order (asyncio.Semaphore is FIFO). Bytes
are never read inside a lane, so a bidder on a slow line does not hold one while its chunk trickles in.
Total upload throughput is unchanged (the machine's cores are the limit either way); what changes is
that everything else keeps answering.
"""

from __future__ import annotations

import asyncio
from typing import Any

from fastapi import Request


class Lane:
    def __init__(self, size: int, *, waiting: Any = None, busy: Any = None) -> None:
        """``waiting`` and ``busy``: gauges (prometheus-client) of the queue depth and the lane's use."""
        self.size = max(1, size)
        self._semaphore = asyncio.Semaphore(self.size)
        self._waiting = waiting
        self._busy = busy

    async def __aenter__(self) -> None:
        if self._waiting is None:
            await self._semaphore.acquire()
            return
        self._waiting.inc()
        try:
            await self._semaphore.acquire()
        finally:
            self._waiting.dec()
        self._busy.inc()

    async def __aexit__(self, *_exc: object) -> None:
        self._semaphore.release()
        if self._busy is not None:
            self._busy.dec()


def upload_lane(request: Request) -> Lane:
    lane: Lane = request.app.state.upload_lane
    return lane
