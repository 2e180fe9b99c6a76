"""Where a chunk's bytes go: hashed and written at their offset, off the event loop.

The event loop only parses HTTP. The bytes are gathered into blocks and each block is hashed and
written by a small pool of threads (hashlib and os.pwrite release the GIL), so in a deadline rush the
loop keeps reading every connection while another core hashes, and short requests are not queued
behind megabytes of SHA-256 on the loop's thread.
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import ctypes.util
import hashlib
import os
from collections.abc import Callable
from concurrent.futures import Executor

BLOCK = 256 << 10  # bytes handed to a thread at once: large enough to amortise the hand-off


class ChunkSink:
    def __init__(self, executor: Executor, fd: int | None, offset: int) -> None:
        """``fd``: the partial file, or None to hash only (a duplicate chunk being compared)."""
        self.digest = hashlib.sha256()
        self._executor = executor
        self._fd = fd
        self._position = offset
        self._buffer = bytearray()

    async def add(self, piece: bytes) -> None:
        self._buffer += piece
        if len(self._buffer) >= BLOCK:
            await self._flush()

    async def finish(self) -> str:
        """Flush what is left; the hex SHA-256 of every byte added."""
        if self._buffer:
            await self._flush()
        return self.digest.hexdigest()

    async def _flush(self) -> None:
        block, self._buffer = self._buffer, bytearray()
        position = self._position
        self._position += len(block)
        job = asyncio.get_running_loop().run_in_executor(self._executor, self._consume, block, position)
        try:
            await asyncio.shield(job)
        except asyncio.CancelledError:
            # The request was cancelled (the client went away): let the write end before the caller
            # closes the file descriptor, which could otherwise be reused for another file meanwhile.
            with contextlib.suppress(Exception):
                await job
            raise

    def _consume(self, block: bytearray, position: int) -> None:
        self.digest.update(block)
        if self._fd is not None:
            start = position
            view = memoryview(block)
            while view:  # pwrite may write less than asked
                written = os.pwrite(self._fd, view, position)
                view = view[written:]
                position += written
            start_writeback(self._fd, start, position - start)


def _load_sync_file_range() -> Callable[[int, int, int], None] | None:
    """Linux's sync_file_range(2) with SYNC_FILE_RANGE_WRITE, or None where there is none."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        function = libc.sync_file_range
    except (OSError, AttributeError):
        return None
    function.argtypes = [ctypes.c_int, ctypes.c_int64, ctypes.c_int64, ctypes.c_uint]
    function.restype = ctypes.c_int

    def call(fd: int, offset: int, length: int) -> None:
        function(fd, offset, length, 2)  # SYNC_FILE_RANGE_WRITE: start writing back, do not wait

    return call


_sync_file_range = _load_sync_file_range()


def start_writeback(fd: int, offset: int, length: int) -> None:
    """Start writing a block to disk now, so that the chunk's fdatasync before its acknowledgement
    finds little left to write: the disk works while the rest of the chunk is still arriving."""
    if _sync_file_range is not None:
        _sync_file_range(fd, offset, length)
