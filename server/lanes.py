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

from fastapi import Request


class Lane:
    def __init__(self, size: int) -> None:
        self.size = max(1, size)
        self._semaphore = asyncio.Semaphore(self.size)

    async def __aenter__(self) -> None:
        await self._semaphore.acquire()

    async def __aexit__(self, *_exc: object) -> None:
        self._semaphore.release()


def upload_lane(request: Request) -> Lane:
    lane: Lane = request.app.state.upload_lane
    return lane
