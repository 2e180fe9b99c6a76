"""A server that dies while sending its answer: the user gets net.unreachable, not a requests traceback."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator

import pytest

from bidclient.api_client import ApiClient, ApiError, body_chunks

# A chunked answer whose second chunk announces 4096 bytes and then the connection closes.
_BROKEN = (b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
           b"2\r\n{\"\r\n1000\r\nabc")


@pytest.fixture
def dying_server() -> Iterator[tuple[str, list[int]]]:
    listener = socket.create_server(("127.0.0.1", 0))
    served = [0]

    def serve() -> None:
        while True:
            try:
                conn, _addr = listener.accept()
            except OSError:
                return
            with conn:
                conn.recv(65536)
                conn.sendall(_BROKEN)
                served[0] += 1

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{listener.getsockname()[1]}", served
    listener.close()


def test_an_answer_cut_off_mid_body_is_unreachable_after_retries(dying_server: tuple[str, list[int]]) -> None:
    url, served = dying_server
    client = ApiClient(url, retries=2)
    with pytest.raises(ApiError) as caught:
        client.get_json("/api/v1/health")
    assert caught.value.code == "net.unreachable"
    assert served[0] == 3  # the first try and two retries


def test_a_streamed_download_cut_off_is_unreachable(dying_server: tuple[str, list[int]]) -> None:
    url, _served = dying_server
    client = ApiClient(url, retries=0)
    response = client.request("GET", "/api/v1/audit/export", stream=True)
    with pytest.raises(ApiError) as caught:
        b"".join(body_chunks(response, 1024))
    assert caught.value.code == "net.unreachable"
    assert "lost" in str(caught.value)
