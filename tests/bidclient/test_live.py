"""The event follower (bidclient.live) against the real server over loopback: order, exactly once across a
dropped connection, a silent connection and a server restart, connection states, and refusals."""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

import tests.server.conftest as server_fixtures
from bidclient.api_client import ApiClient, ApiError
from bidclient.live import ConnectionState, EventFollower
from bidclient.protocol.live import LiveEventOut
from tests.server.conftest import start_server
from tests.server.live_helpers import publish
from tests.server.pgcluster import free_port
from tests.server.submission_helpers import login, make_tender

# The server tests' fixtures: a real server data directory (SQLite here) with the dev PKI trusted.
backend = server_fixtures.backend
pg_cluster = server_fixtures.pg_cluster
server_data = server_fixtures.server_data

pytestmark = pytest.mark.parametrize("backend", ["sqlite"])


def _wait(predicate: Callable[[], bool], timeout: float = 20) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.02)
    return predicate()


class Proxy:
    """A TCP proxy on loopback that can cut every connection, refuse new ones, or go silent."""

    def __init__(self, target_port: int) -> None:
        self.target_port = target_port
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.up = True
        self.silent = False
        self.sockets: list[socket.socket] = []
        self.lock = threading.Lock()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            if not self.up:
                client.close()
                continue
            upstream = socket.create_connection(("127.0.0.1", self.target_port))
            with self.lock:
                self.sockets += [client, upstream]
            threading.Thread(target=self._pipe, args=(client, upstream), daemon=True).start()
            threading.Thread(target=self._pipe, args=(upstream, client), daemon=True).start()

    def _pipe(self, source: socket.socket, sink: socket.socket) -> None:
        with contextlib.suppress(OSError):
            while data := source.recv(65536):
                if not self.silent:
                    sink.sendall(data)
        for s in (source, sink):
            with contextlib.suppress(OSError):
                s.shutdown(socket.SHUT_RDWR)

    def cut(self) -> None:
        with self.lock:
            sockets, self.sockets = self.sockets, []
        for s in sockets:
            with contextlib.suppress(OSError):
                s.shutdown(socket.SHUT_RDWR)

    def close(self) -> None:
        self.cut()
        self.listener.close()


class Recorder:
    def __init__(self) -> None:
        self.events: list[LiveEventOut] = []
        self.states: list[ConnectionState] = []

    def seqs(self) -> list[int]:
        return [e.seq for e in self.events]


@contextlib.contextmanager
def following(url: str, token: str, channel: str, **options: object) -> Iterator[tuple[EventFollower, Recorder]]:
    record = Recorder()
    follower = EventFollower(ApiClient(url, token=token), channel, on_event=record.events.append,
                             on_state=record.states.append, **options)  # type: ignore[arg-type]
    errors: list[BaseException] = []

    def run() -> None:
        try:
            follower.run()
        except BaseException as ex:
            errors.append(ex)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    try:
        assert _wait(lambda: follower.state is ConnectionState.CONNECTED)
        yield follower, record
    finally:
        follower.stop()
        thread.join(5)
        assert not thread.is_alive(), "stop() did not end the follower"
        assert not errors, errors


def test_follower_catches_up_exactly_once_after_a_dropped_connection(server_data: Path, pki) -> None:  # type: ignore[no-untyped-def]
    server = start_server(server_data, "")
    proxy = Proxy(int(server.url.rsplit(":", 1)[1]))
    try:
        channel = f"tender:{make_tender(server_data)}"
        token = login(server.url, pki, "ent-a").client.token
        assert token
        publish(server_data, channel, "test.note", {"n": 1})
        with following(f"http://127.0.0.1:{proxy.port}", token, channel, backoff=(0.1, 0.5)) as (follower, record):
            publish(server_data, channel, "test.note", {"n": 2})
            assert _wait(lambda: record.seqs() == [1, 2])
            proxy.up = False
            proxy.cut()
            assert _wait(lambda: follower.state in (ConnectionState.RECONNECTING, ConnectionState.OFFLINE))
            for n in (3, 4):  # committed while the line is down
                publish(server_data, channel, "test.note", {"n": n})
            proxy.up = True
            assert _wait(lambda: follower.state is ConnectionState.CONNECTED)
            publish(server_data, channel, "test.note", {"n": 5})
            assert _wait(lambda: len(record.events) >= 5)
            time.sleep(0.3)
            assert record.seqs() == [1, 2, 3, 4, 5]
            assert [e.payload["n"] for e in record.events] == [1, 2, 3, 4, 5]
            assert follower.last_seq == 5
            assert record.states[0] is ConnectionState.CONNECTED
            assert ConnectionState.RECONNECTING in record.states
            assert record.states[-1] is ConnectionState.CONNECTED
    finally:
        proxy.close()
        server.stop()


def test_a_silent_connection_is_noticed_and_resumed(server_data: Path, pki,  # type: ignore[no-untyped-def]
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BIDCLIENT_LIVE_HEARTBEAT", "0.3")
    server = start_server(server_data, "")
    proxy = Proxy(int(server.url.rsplit(":", 1)[1]))
    try:
        channel = f"tender:{make_tender(server_data)}"
        token = login(server.url, pki, "ent-a").client.token
        assert token
        with following(f"http://127.0.0.1:{proxy.port}", token, channel, idle_timeout=1.5,
                       backoff=(0.1, 0.5)) as (_follower, record):
            publish(server_data, channel, "test.note", {"n": 1})
            assert _wait(lambda: record.seqs() == [1])
            time.sleep(1.0)  # heartbeats alone keep the idle connection up
            assert record.states == [ConnectionState.CONNECTED]
            proxy.silent = True  # a half-open line: nothing arrives, nothing fails
            publish(server_data, channel, "test.note", {"n": 2})
            assert _wait(lambda: ConnectionState.RECONNECTING in record.states, timeout=10)
            proxy.silent = False
            assert _wait(lambda: record.seqs() == [1, 2], timeout=10)
    finally:
        proxy.close()
        server.stop()


def test_follower_resumes_across_a_server_restart(server_data: Path, pki,  # type: ignore[no-untyped-def]
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    port = free_port()
    monkeypatch.setattr(server_fixtures, "free_port", lambda: port)
    server = start_server(server_data, "")
    try:
        channel = f"tender:{make_tender(server_data)}"
        token = login(server.url, pki, "ent-a").client.token
        assert token
        with following(server.url, token, channel, backoff=(0.1, 0.5), offline_after=2) as (follower, record):
            publish(server_data, channel, "test.note", {"n": 1})
            assert _wait(lambda: record.seqs() == [1])
            server.stop()
            assert _wait(lambda: follower.state is ConnectionState.OFFLINE)
            publish(server_data, channel, "test.note", {"n": 2})  # while no server runs
            server = start_server(server_data, "")
            assert _wait(lambda: follower.state is ConnectionState.CONNECTED)
            publish(server_data, channel, "test.note", {"n": 3})
            assert _wait(lambda: len(record.events) >= 3)
            time.sleep(0.3)
            assert record.seqs() == [1, 2, 3]
            assert record.states[:2] == [ConnectionState.CONNECTED, ConnectionState.RECONNECTING]
            assert ConnectionState.OFFLINE in record.states
    finally:
        server.stop()


def test_a_refused_subscription_is_raised_not_retried(server_data: Path, pki) -> None:  # type: ignore[no-untyped-def]
    server = start_server(server_data, "")
    try:
        token = login(server.url, pki, "ent-a").client.token
        states: list[ConnectionState] = []
        follower = EventFollower(ApiClient(server.url, token=token), "tender:T-none", on_event=lambda e: None,
                                 on_state=states.append)
        with pytest.raises(ApiError) as raised:
            follower.run()
        assert (raised.value.status, raised.value.code) == (404, "live.channel_not_found")
        assert states == [ConnectionState.OFFLINE]
    finally:
        server.stop()
