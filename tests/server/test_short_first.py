"""Short requests first (server/lanes.py): while a tender list or a login is in flight, upload work waits for
it; a request that stays open does not hold the uploads back for longer than the hold. A real server over
HTTP on loopback; the "short request in flight" is a login whose body the test sends only part of, so the
test decides when it ends (no timing: the assertions are about which answer comes first)."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
import uvicorn

from bidclient.submit import Uploader
from tests.server.conftest import free_port
from tests.server.startup import make_app, wait_until_healthy
from tests.server.submission_helpers import login, make_tender, sealed_bid

WAITS = "bidclient_short_first_waits_total"
BODY = b'{"nonce": "' + b"n" * 43 + b'", "signature": "c2lnbmF0dXJlIGJ5dGVz"}'


@pytest.fixture
def backend() -> str:
    return "sqlite"


class Served:
    def __init__(self, data: Path) -> None:
        self.app: Any = make_app(data)
        port = free_port()
        self.url = f"http://127.0.0.1:{port}"
        self.port = port
        self._server = uvicorn.Server(uvicorn.Config(self.app, host="127.0.0.1", port=port, log_level="warning",
                                                     access_log=False))
        self._thread = threading.Thread(target=self._server.run, daemon=True)
        self._thread.start()
        wait_until_healthy(self.url, timeout=90)

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=10)


@pytest.fixture
def served(server_data: Path) -> Iterator[Served]:
    running = Served(server_data)
    try:
        yield running
    finally:
        running.stop()


def waits(served: Served) -> float:
    """bidclient_short_first_waits_total from /metrics: upload steps that let a short request go first."""
    answer = requests.get(served.url + "/metrics", timeout=30)
    assert answer.status_code == 200, answer.text
    for line in answer.text.splitlines():
        if line.startswith(WAITS + " "):
            return float(line.rpartition(" ")[2])
    return 0.0


def open_login(port: int) -> socket.socket:
    """A login request whose headers are sent and whose body is not yet complete: in flight on the server."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=60)
    sock.sendall(b"POST /api/v1/auth/login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                 b"Content-Length: " + str(len(BODY)).encode() + b"\r\nConnection: close\r\n\r\n" + BODY[:10])
    return sock


def status_of(sock: socket.socket) -> int:
    answer = b""
    while b"\r\n" not in answer:
        piece = sock.recv(4096)
        assert piece, "the server closed the connection without answering"
        answer += piece
    return int(answer.split(b" ", 2)[1])


def answered(sock: socket.socket) -> bool:
    """Has the server sent anything on ``sock`` yet (without waiting)?"""
    sock.setblocking(False)
    try:
        return bool(sock.recv(1, socket.MSG_PEEK))
    except BlockingIOError:
        return False
    finally:
        sock.setblocking(True)


def wait_for(condition: Callable[[], bool], what: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.02)


def start_submission(served: Served, server_data: Path, pki, tmp_path: Path) -> tuple[threading.Thread, list[Any]]:  # type: ignore[no-untyped-def]
    bidder = login(served.url, pki, "ent-a")
    tender_id = make_tender(server_data)
    bid = sealed_bid(tmp_path / "a.bid", pki, 300_000)
    outcome: list[Any] = []

    def submit() -> None:
        try:
            outcome.append(Uploader(bidder.client, chunk_size=64 << 10).submit(
                bid, tender_id=tender_id, tender_version=1, bidder=bidder.identity, sign=bidder.sign))
        except Exception as ex:  # reported by the test
            outcome.append(ex)

    return threading.Thread(target=submit, daemon=True), outcome


def test_upload_work_waits_until_the_short_request_in_flight_is_answered(served: Served, server_data: Path,
                                                                        pki, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    served.app.state.short_first.hold = 120.0  # the test, not the clock, ends the short request
    submission, outcome = start_submission(served, server_data, pki, tmp_path)
    waits_before = waits(served)
    short = open_login(served.port)
    try:
        wait_for(lambda: served.app.state.short_first.in_flight >= 1, "the login to be in flight")
        submission.start()
        wait_for(lambda: waits(served) > waits_before, "the upload to wait for the login")
        assert submission.is_alive() and not outcome, "the upload went ahead of the login in flight"
        short.sendall(BODY[10:])
        assert status_of(short) == 401  # the made-up nonce: answered, and before the upload went on
    finally:
        short.close()
    submission.join(timeout=120)
    assert outcome and not isinstance(outcome[0], Exception), outcome
    assert outcome[0].status == "active"


def test_a_request_left_open_holds_uploads_back_only_for_the_hold(served: Served, server_data: Path, pki,
                                                                  tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """A client that never finishes its request (or a live-updates stream) must not stop the uploads."""
    served.app.state.short_first.hold = 2.0  # long enough to see it in flight, short enough for a test
    submission, outcome = start_submission(served, server_data, pki, tmp_path)
    stuck = open_login(served.port)
    try:
        wait_for(lambda: served.app.state.short_first.in_flight >= 1, "the login to be in flight")
        submission.start()
        submission.join(timeout=120)
        assert outcome and not isinstance(outcome[0], Exception), outcome
        assert outcome[0].status == "active"
        assert not answered(stuck), "the stuck login was answered before the upload finished"
    finally:
        stuck.close()


def test_a_chunk_stops_taking_bytes_while_a_short_request_is_in_flight(tmp_path: Path) -> None:
    """The chunk's bytes wait too (a waiting chunk reads no more of its body, so its connection pauses)."""
    import asyncio
    import hashlib
    import os
    from concurrent.futures import ThreadPoolExecutor

    from server.lanes import ShortFirst
    from server.submissions.chunk_sink import BLOCK, ChunkSink

    data = os.urandom(2 * BLOCK)
    target = tmp_path / "partial"
    target.write_bytes(b"")
    handed: list[int] = []

    class Pool(ThreadPoolExecutor):  # a real pool that notes each block handed to it
        def submit(self, fn: Any, /, *args: Any, **kwargs: Any) -> Any:
            handed.append(len(args[0]))
            return super().submit(fn, *args, **kwargs)

    async def scenario() -> None:
        gate = ShortFirst(hold=120)
        fd = os.open(target, os.O_WRONLY)
        try:
            with Pool(2) as pool:
                sink = ChunkSink(pool, fd, 0, wait_turn=gate.wait_turn)
                short = gate.begin()
                adding = asyncio.create_task(sink.add(data[:BLOCK]))
                for _ in range(20):  # let the sink go as far as it would
                    await asyncio.sleep(0)
                assert handed == [] and not adding.done(), "the block went to hashing during the short request"
                gate.end(short)
                await adding
                assert handed == [BLOCK]
                await sink.add(data[BLOCK:])
                assert await sink.finish() == hashlib.sha256(data).hexdigest()
        finally:
            os.close(fd)

    asyncio.run(scenario())
    assert target.read_bytes() == data
