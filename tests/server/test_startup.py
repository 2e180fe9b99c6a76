"""The one helper that waits for a test server (tests/server/startup.py): it outlasts every kind of request
error a starting or loaded server gives, and no test keeps its own copy of it."""

from __future__ import annotations

import ast
import socket
import threading
from pathlib import Path

import pytest

from tests.server.startup import HEALTH, wait_until_healthy

ROOT = Path(__file__).resolve().parent.parent.parent


class _SlowToStart:
    """A loopback server that first resets a connection, then leaves two requests unanswered (the client's
    ReadTimeout), then answers the health check."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}"
        self.served = 0
        self.held: list[socket.socket] = []
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        while True:
            try:
                conn, _addr = self.sock.accept()
            except OSError:
                return
            self.served += 1
            if self.served == 1:
                conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
                conn.close()  # a reset
            elif self.served <= 3:
                self.held.append(conn)  # read but never answered
            else:
                conn.recv(65536)
                conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 15\r\n"
                             b"Connection: close\r\n\r\n{\"status\":\"ok\"}")
                conn.close()

    def close(self) -> None:
        self.sock.close()
        for conn in self.held:
            conn.close()


def test_every_request_error_means_not_up_yet() -> None:
    server = _SlowToStart()
    try:
        answer = wait_until_healthy(server.url, timeout=30, request_timeout=0.3)
        assert answer.json() == {"status": "ok"}
        assert server.served >= 4  # it went through the reset and both timeouts
    finally:
        server.close()


def test_a_server_that_never_answers_is_reported_with_its_reason() -> None:
    with socket.socket() as unused:
        unused.bind(("127.0.0.1", 0))
        port = unused.getsockname()[1]
    with pytest.raises(RuntimeError, match="did not answer"):
        wait_until_healthy(f"http://127.0.0.1:{port}", timeout=0.5, request_timeout=0.2)
    with pytest.raises(RuntimeError, match="did not start: it exited"):
        wait_until_healthy(f"http://127.0.0.1:{port}", timeout=5, still_starting=lambda: "it exited")


def _health_polling_loops(path: Path) -> list[int]:
    """Line numbers of loops in ``path`` that request the health endpoint themselves."""
    source = path.read_text(encoding="utf-8")
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.While | ast.For):
            segment = ast.get_source_segment(source, node) or ""
            if (HEALTH in segment or "+ HEALTH" in segment) and "requests." in segment:
                found.append(node.lineno)
    return found


def test_no_test_keeps_its_own_copy_of_the_start_up_wait() -> None:
    assert _health_polling_loops(Path(__file__).parent / "startup.py")  # the checker sees the helper's loop
    copies = {str(path.relative_to(ROOT)): lines for path in sorted((ROOT / "tests").rglob("*.py"))
              if path.name not in ("startup.py", "test_startup.py") and (lines := _health_polling_loops(path))}
    assert not copies, f"wait with tests/server/startup.py's wait_until_healthy instead: {copies}"
