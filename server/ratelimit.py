"""Rate limits on logging in and on starting uploads, per identity and per network address.

A fixed window per key: at most ``limit`` attempts in ``window`` seconds. On PostgreSQL the count is the
platform's, shared by every server process and instance through one small table (``rate_window``), so a
client behind a load balancer gets the configured limit and not N times it; the database's clock decides
the windows, so instances whose clocks differ slightly still agree. On SQLite (one process) the count is
kept in memory. A key the database refused is refused again by the same process without asking, until
its window ends, so a script hammering the platform costs one lookup in memory per attempt. A refused
attempt is answered 429 ``request.rate_limited`` with Retry-After, before any signature work.

The defaults leave a deadline rush alone — 200 bidders are 200 identities, each logging in and starting
its upload a few times — while a script hammering one account or from one address is held off.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable

from sqlalchemy import Engine, text
from starlette.concurrency import run_in_threadpool

from server.problems import Problem

_PRUNE_AT = 50_000  # keys kept before expired windows are dropped


# One statement per attempt: start a new window if the key's has ended, else count one more in it; the
# database's clock decides. It returns the window's start, the count including this attempt, and "now".
_HIT = text("""
INSERT INTO rate_window AS w (kind, key, started_at, count)
VALUES (:kind, :key, EXTRACT(EPOCH FROM clock_timestamp()), 1)
ON CONFLICT (kind, key) DO UPDATE SET
    started_at = CASE WHEN w.started_at <= EXCLUDED.started_at - :window THEN EXCLUDED.started_at
                      ELSE w.started_at END,
    count = CASE WHEN w.started_at <= EXCLUDED.started_at - :window THEN 1 ELSE w.count + 1 END
RETURNING started_at, count, EXTRACT(EPOCH FROM clock_timestamp())
""")
_PRUNE = text("DELETE FROM rate_window WHERE started_at < EXTRACT(EPOCH FROM clock_timestamp()) - :window")
_PRUNE_EVERY = 1000  # attempts of this process between removals of ended windows


class SharedWindows:
    """The platform-wide counts, in the database (PostgreSQL)."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._hits = 0
        self._lock = threading.Lock()

    def retry_after(self, kind: str, key: str, limit: int, window: float) -> float | None:
        with self._lock:
            self._hits += 1
            prune = self._hits % _PRUNE_EVERY == 0
        with self._engine.begin() as connection:
            started, count, now = connection.execute(
                _HIT, {"kind": kind, "key": key[:300], "window": window}).one()
            if prune:
                connection.execute(_PRUNE, {"window": window})
        if count > limit:
            return max(0.001, float(started) + window - float(now))
        return None


class RateLimiter:
    def __init__(self, window: float, clock: Callable[[], float] = time.monotonic,
                 shared: SharedWindows | None = None) -> None:
        self.window = max(0.001, window)
        self._clock = clock
        self._lock = threading.Lock()
        self._windows: dict[tuple[str, str], tuple[float, int]] = {}
        self.shared = shared
        # With shared counts: keys the database refused, until when (this process's clock); asked again after.
        self._blocked: dict[tuple[str, str], float] = {}

    @classmethod
    def for_database(cls, window: float, engine: Engine) -> RateLimiter:
        """Shared counts on PostgreSQL (several processes and instances); this process's on SQLite."""
        shared = SharedWindows(engine) if engine.dialect.name == "postgresql" else None
        return cls(window, shared=shared)

    def retry_after(self, kind: str, key: str, limit: int) -> float | None:
        """Count one attempt; None if allowed, else the seconds until the key's window ends. With shared
        counts this asks the database: call it from a worker thread (``check_async`` does)."""
        if limit <= 0 or not key:
            return None
        if self.shared is None:
            return self._local_retry_after(kind, key, limit)
        now = self._clock()
        with self._lock:
            until = self._blocked.get((kind, key))
        if until is not None and now < until:  # refused by the platform's count a moment ago
            return until - now
        wait = self.shared.retry_after(kind, key, limit, self.window)
        if wait is not None:
            with self._lock:
                if len(self._blocked) > _PRUNE_AT:
                    self._blocked = {k: v for k, v in self._blocked.items() if v > now}
                self._blocked[(kind, key)] = now + wait
        return wait

    def _local_retry_after(self, kind: str, key: str, limit: int) -> float | None:
        now = self._clock()
        with self._lock:
            start, count = self._windows.get((kind, key), (now, 0))
            if now - start >= self.window:
                start, count = now, 0
            if count >= limit:
                return start + self.window - now
            self._windows[(kind, key)] = (start, count + 1)
            if len(self._windows) > _PRUNE_AT:
                self._windows = {k: v for k, v in self._windows.items() if now - v[0] < self.window}
        return None


async def check_async(limiter: RateLimiter, kind: str, key: str, limit: int, *, what: str,
                      on_refused: Callable[[str], None] | None = None) -> None:
    """``check`` from the event loop: a database lookup, where there is one, runs in a worker thread."""
    if limiter.shared is None:
        check(limiter, kind, key, limit, what=what, on_refused=on_refused)
    else:
        await run_in_threadpool(check, limiter, kind, key, limit, what=what, on_refused=on_refused)


def check(limiter: RateLimiter, kind: str, key: str, limit: int, *, what: str,
          on_refused: Callable[[str], None] | None = None) -> None:
    """Raise 429 if ``key`` has used up ``limit`` attempts of ``kind`` in the current window."""
    wait = limiter.retry_after(kind, key, limit)
    if wait is None:
        return
    if on_refused is not None:
        on_refused(kind)
    seconds = max(1, math.ceil(wait))
    raise Problem(429, "request.rate_limited", "Too many attempts",
                  f"too many {what} in a short time; try again in {seconds} s", retry_after=seconds,
                  limit=kind)
