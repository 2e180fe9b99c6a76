"""Starting test servers: the app for an initialised data directory, and waiting until a server answers
(in-process or `bidclient-server run`)."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import requests

if TYPE_CHECKING:
    from fastapi import FastAPI

HEALTH = "/api/v1/health"


def make_app(data: Path, database_url: str = "") -> FastAPI:
    """The app `bidclient-server run --data DATA` would serve (built in this process)."""
    from server.app import create_app
    from server.cli import _settings

    class Args:
        pass

    args = Args()
    args.data = data  # type: ignore[attr-defined]
    args.database_url = database_url  # type: ignore[attr-defined]
    return create_app(_settings(args))  # type: ignore[arg-type]


def wait_until_healthy(url: str, *, timeout: float = 60, still_starting: Callable[[], str | None] | None = None,
                       what: str = "the test server", verify: bool | str = True,
                       accept: Callable[[requests.Response], bool] | None = None,
                       request_timeout: float = 2) -> requests.Response:
    """Poll ``url``/api/v1/health until it answers 2xx (or what ``accept`` accepts, e.g. the 503 of an
    instance without its database); return that answer. Raise RuntimeError after ``timeout`` seconds.

    Any request error counts as "not up yet" (refused, reset, a ReadTimeout from a loaded machine, a TLS
    handshake the server is not ready for), never as a failure. ``still_starting`` is asked before each try:
    it returns a reason (e.g. the process exited, with its output) to stop waiting at once. ``verify`` is
    requests' TLS verification (a CA file for an https:// server).
    """
    deadline = time.monotonic() + timeout
    while True:
        if still_starting is not None and (reason := still_starting()) is not None:
            raise RuntimeError(f"{what} did not start: {reason}")
        try:
            answer = requests.get(url + HEALTH, timeout=request_timeout, verify=verify)
            if answer.ok or (accept is not None and accept(answer)):
                return answer
        except requests.RequestException:
            pass
        if time.monotonic() >= deadline:
            raise RuntimeError(f"{what} did not answer {url + HEALTH} within {timeout:.0f} s")
        time.sleep(0.05)
