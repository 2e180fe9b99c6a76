"""A started server leaves its start-up heap out of the garbage collector's walks (server/app.py,
``freeze_heap``): in a deadline rush each full collection otherwise stopped every request for 95–620 ms.
A real server over HTTP on loopback; what is asserted is what a full collection has to walk, not time."""

from __future__ import annotations

import dataclasses
import gc
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
import uvicorn

from tests.server.conftest import free_port
from tests.server.startup import make_app, wait_until_healthy


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
