"""Rate limits on logging in and on starting uploads, per identity and per network address.

A fixed window per key: at most ``limit`` attempts in ``window`` seconds, counted in this server
process (several instances each count their own share: the effective limit behind a load balancer is
the configured one times the instances, see docs/operations.md). A refused attempt is answered 429
``request.rate_limited`` with Retry-After, before any database or signature work.

The defaults leave a deadline rush alone — 200 bidders are 200 identities, each logging in and starting
its upload a few times — while a script hammering one account or from one address is held off.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable

from server.problems import Problem

_PRUNE_AT = 50_000  # keys kept before expired windows are dropped


class RateLimiter:
    def __init__(self, window: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.window = max(0.001, window)
        self._clock = clock
        self._lock = threading.Lock()
        self._windows: dict[tuple[str, str], tuple[float, int]] = {}

    def retry_after(self, kind: str, key: str, limit: int) -> float | None:
        """Count one attempt; None if allowed, else the seconds until the key's window ends."""
        if limit <= 0 or not key:
            return None
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
