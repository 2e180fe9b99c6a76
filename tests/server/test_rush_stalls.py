"""What stalled short requests in a deadline rush (docs/benchmarks.md, "Scheduling and collector pauses"), over
real HTTP on loopback; the assertions are about what has to happen first, never about time:

- a started server leaves its start-up heap out of the garbage collector's walks (server/app.py,
  ``freeze_heap``): each full collection otherwise stopped every request for 95–620 ms;
- a short request needing no database does not queue for a worker thread (server/deps.py: trivial
  dependencies run on the event loop)."""

from __future__ import annotations

import dataclasses
import gc
import sqlite3
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from types import FrameType

import pytest
import requests
import uvicorn

from tests.server.conftest import free_port
from tests.server.startup import make_app, wait_until_healthy
from tests.server.submission_helpers import login


@pytest.fixture
def backend() -> str:
    return "sqlite"


@pytest.fixture
def unfreeze_after() -> Iterator[None]:
    assert gc.get_freeze_count() == 0, "something else froze this test process's heap"
    try:
        yield
    finally:
        gc.unfreeze()  # the test process goes on collecting as before


def serve(app: object) -> tuple[str, uvicorn.Server, threading.Thread]:
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning",  # type: ignore[arg-type]
                                           access_log=False))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{port}"
    wait_until_healthy(url, timeout=90)
    return url, server, thread


def test_a_started_server_freezes_its_start_up_heap(server_data: Path, unfreeze_after: None) -> None:
    app = make_app(server_data)
    app.state.settings = dataclasses.replace(app.state.settings, freeze_heap=True)  # as `run` sets it
    tracked_before = len(gc.get_objects())
    url, server, thread = serve(app)
    try:
        frozen = gc.get_freeze_count()
        # Everything alive at start-up (the app, its modules, keys, trust list) is out of the collector's walk.
        assert frozen > tracked_before // 2  # (the collection before the freeze frees this process's garbage)
        assert len(gc.get_objects()) < frozen // 10
        keys = app.state.keys
        assert gc.is_tracked(keys) and not any(o is keys for o in gc.get_objects())
        # And the server serves on, collecting what it makes from now on.
        assert requests.get(url + "/api/v1/tenders", timeout=30).status_code == 200
        gc.collect()
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def test_a_server_in_a_test_process_does_not_freeze_it(server_data: Path, unfreeze_after: None) -> None:
    """Only `run` freezes (a process of its own): an app built by a host process leaves its heap alone."""
    url, server, thread = serve(make_app(server_data))
    try:
        assert requests.get(url + "/api/v1/health", timeout=30).ok
        assert gc.get_freeze_count() == 0
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def test_a_login_challenge_is_answered_while_every_worker_thread_is_busy(server_data: Path, pki) -> None:  # type: ignore[no-untyped-def]
    """Trivial dependencies run on the event loop (server/deps.py): a short request that needs no database
    does not queue for a worker thread behind requests that hold them (here: the only one, stuck on the
    database's write lock)."""
    app = make_app(server_data)
    app.state.settings = dataclasses.replace(app.state.settings, max_threads=1)
    url, server, thread = serve(app)
    try:
        check_challenge_while_threads_are_busy(url, server_data, pki)
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def check_challenge_while_threads_are_busy(url: str, server_data: Path, pki) -> None:  # type: ignore[no-untyped-def]
    blocker = sqlite3.connect(server_data / "bidclient.sqlite3", isolation_level=None)
    outcome: list[object] = []
    try:
        blocker.execute("BEGIN IMMEDIATE")  # the write lock: the login's session cannot be written yet
        logging_in = threading.Thread(target=lambda: outcome.append(login(url, pki, "ent-a")), daemon=True)
        logging_in.start()

        def login_waits_for_the_lock() -> bool:
            return any(_in_stack(frame, "_sqlite_begin") for frame in sys._current_frames().values())

        deadline = time.monotonic() + 60
        while not login_waits_for_the_lock():  # the only worker thread now waits in server/db.py
            assert time.monotonic() < deadline, "the login never reached the database"
            time.sleep(0.02)
        answer = requests.post(url + "/api/v1/auth/challenge", timeout=20)  # old code: queued until the login ends
        assert answer.status_code == 200 and answer.json()["nonce"]
        assert logging_in.is_alive() and not outcome, "the login finished first: nothing was tested"
    finally:
        blocker.rollback()
        blocker.close()
    logging_in.join(timeout=60)
    assert outcome, "the login did not finish once the lock was released"


def _in_stack(frame: FrameType | None, name: str) -> bool:
    while frame is not None:
        if frame.f_code.co_name == name:
            return True
        frame = frame.f_back
    return False
