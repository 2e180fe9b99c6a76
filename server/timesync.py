"""Whether the server clock is synchronised: the deadline is judged by it (Art. 27), so an operator and
the agency must see when it is not. Asked of the operating system — systemd's ``timedatectl``, else
chrony's ``chronyc`` — and cached for a minute; ``synchronised`` is None when neither can tell.

An operator may name a check command instead (server.json ``clock_check_command``, e.g. ``["ntpstat"]``):
exit status 0 means synchronised, 1 not synchronised, anything else (or no such command) unknown — the
convention of ``ntpstat``. Its first output line is the detail shown."""

from __future__ import annotations

import os
import shutil
import subprocess
import threading
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

CACHE_SECONDS = 60.0
_TIMEOUT = 3.0


@dataclass(frozen=True)
class ClockState:
    synchronised: bool | None
    source: str  # "timedatectl", "chronyc", the configured command's name, or "none"
    detail: str

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _run(args: list[str]) -> str | None:
    try:
        done = subprocess.run(args, capture_output=True, text=True, timeout=_TIMEOUT, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return done.stdout.strip() if done.returncode == 0 else None


def probe_command(command: Sequence[str]) -> ClockState:
    """Run the configured check: 0 synchronised, 1 not, anything else unknown; never raises."""
    name = os.path.basename(command[0])
    try:
        done = subprocess.run(list(command), capture_output=True, text=True, timeout=_TIMEOUT, check=False)
    except (OSError, subprocess.TimeoutExpired) as ex:
        return ClockState(None, name, f"the clock check {name!r} could not run: {type(ex).__name__}")
    first = (done.stdout.strip() or done.stderr.strip()).splitlines()
    detail = first[0][:200] if first else f"exit status {done.returncode}"
    synchronised = {0: True, 1: False}.get(done.returncode)
    return ClockState(synchronised, name, detail)


def probe(command: Sequence[str] = ()) -> ClockState:
    if command:
        return probe_command(command)
    timedatectl = shutil.which("timedatectl")
    if timedatectl:
        value = _run([timedatectl, "show", "--property=NTPSynchronized", "--value"])
        if value in ("yes", "no"):
            return ClockState(value == "yes", "timedatectl", f"NTPSynchronized={value}")
    chronyc = shutil.which("chronyc")
    if chronyc:
        out = _run([chronyc, "-c", "tracking"])  # CSV; the last field is the leap status
        if out:
            leap = out.split(",")[-1].strip()
            return ClockState(leap == "Normal", "chronyc", f"leap status {leap}")
    return ClockState(None, "none", "neither timedatectl nor chronyc could tell whether the clock is synchronised")


class ClockWatch:
    """The last probe, renewed at most once a minute (the health endpoint is polled)."""

    def __init__(self, ttl: float = CACHE_SECONDS, command: Sequence[str] = ()) -> None:
        self.ttl = ttl
        self.command = tuple(command)
        self._lock = threading.Lock()
        self._state: ClockState | None = None
        self._at = 0.0

    def state(self) -> ClockState:
        with self._lock:
            if self._state is None or time.monotonic() - self._at > self.ttl:
                self._state = probe(self.command)
                self._at = time.monotonic()
            return self._state
