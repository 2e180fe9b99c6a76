"""Following a live channel of the server (Server-Sent Events), Qt-free.

:class:`EventFollower` connects to ``/api/v1/live/events``, hands each event to a callback in order, and
reconnects with backoff when the connection drops or goes silent (no heartbeat), resuming after the last
event it handled. The server sends every event at least once across reconnects; the follower delivers each
exactly once by its sequence number. Connection state goes to another callback: connected, reconnecting,
offline (still retrying, but long enough that the user should know).

Everything the server sends is hostile input: lines and events are bounded, envelopes are validated, and
an event that does not fit (wrong channel, out of order) drops the connection and resumes from the table.
"""

from __future__ import annotations

import contextlib
import enum
import json
import logging
import random
import socket
import threading
from collections.abc import Callable, Iterator
from typing import Any

import requests
from pydantic import ValidationError

from bidclient.api_client import ApiClient, ApiError
from bidclient.protocol.live import EVENTS_PATH, LiveEventOut

log = logging.getLogger(__name__)

MAX_LINE = 1 << 20  # bytes in one SSE line (an event's data) before the stream is treated as hostile
DEFAULT_IDLE_TIMEOUT = 45.0  # seconds of silence (3 missed heartbeats) before the connection counts as dead


class ConnectionState(enum.Enum):
    CONNECTED = "connected"
    RECONNECTING = "reconnecting"
    OFFLINE = "offline"


class _StreamBroken(Exception):
    """The stream ended or sent something that does not fit; reconnect."""


FATAL_STATUSES = {400, 401, 403, 404, 422}


class EventFollower:
    """Follow one channel until :meth:`stop`. Callbacks run in the thread that calls :meth:`run`.

    ``after``: the sequence number of the last event already handled (0: from the start of the channel).
    ``offline_after``: failed attempts in a row before the state becomes OFFLINE.
    A refusal that retrying cannot fix (not signed in, not a reader, no such channel) raises ApiError
    from :meth:`run`.
    """

    def __init__(self, client: ApiClient, channel: str, *, on_event: Callable[[LiveEventOut], None],
                 on_state: Callable[[ConnectionState], None] | None = None, after: int = 0,
                 idle_timeout: float = DEFAULT_IDLE_TIMEOUT, backoff: tuple[float, float] = (0.25, 15.0),
                 offline_after: int = 3) -> None:
        self.client = client
        self.channel = channel
        self.on_event = on_event
        self.on_state = on_state
        self.last_seq = after
        self.idle_timeout = idle_timeout
        self.backoff = backoff
        self.offline_after = offline_after
        self.state: ConnectionState | None = None
        self._stop = threading.Event()
        self._response: requests.Response | None = None
        self._lock = threading.Lock()

    # --- control -----------------------------------------------------------------------------

    def stop(self) -> None:
        """Thread-safe: end :meth:`run` promptly (the open connection is shut down)."""
        self._stop.set()
        with self._lock:
            response = self._response
        if response is not None:
            shutdown_stream(response)

    @property
    def stopped(self) -> bool:
        return self._stop.is_set()

    def _set_state(self, state: ConnectionState) -> None:
        if state is not self.state:
            self.state = state
            if self.on_state is not None:
                self.on_state(state)

    # --- the loop ----------------------------------------------------------------------------

    def run(self) -> None:
        failures = 0
        while not self._stop.is_set():
            try:
                for ev in self._connect_and_read():
                    failures = 0
                    self.on_event(ev)
                    self.last_seq = ev.seq
                raise _StreamBroken("the server ended the stream")
            except ApiError as ex:
                if ex.status in FATAL_STATUSES:
                    self._set_state(ConnectionState.OFFLINE)
                    raise
                reason = ex.code
            except (_StreamBroken, requests.RequestException, OSError) as ex:
                reason = f"{type(ex).__name__}: {ex}"[:200]
            finally:
                with self._lock:
                    response, self._response = self._response, None
                if response is not None:
                    response.close()
            if self._stop.is_set():
                break
            failures += 1
            log.info("live: %s: connection lost (%s); reconnecting after event %d", self.channel, reason,
                     self.last_seq)
            self._set_state(ConnectionState.OFFLINE if failures >= self.offline_after
                            else ConnectionState.RECONNECTING)
            low, high = self.backoff
            delay = min(high, low * 2 ** (failures - 1)) * random.uniform(0.8, 1.2)  # noqa: S311 (jitter)
            self._stop.wait(delay)
        self._set_state(ConnectionState.OFFLINE)

    def _connect_and_read(self) -> Iterator[LiveEventOut]:
        headers = {"Accept": "text/event-stream", "Last-Event-ID": str(self.last_seq)}
        path = EVENTS_PATH + "?" + requests.compat.urlencode({"channel": self.channel})
        http = self.client.sibling()
        http.retries = 0  # the follower has its own backoff
        response = http.request("GET", path, headers=headers, stream=True,
                                timeout=(min(10.0, self.idle_timeout), self.idle_timeout))
        with self._lock:
            self._response = response
        if self._stop.is_set():
            return
        if not response.headers.get("content-type", "").startswith("text/event-stream"):
            raise _StreamBroken("the server did not answer with an event stream")
        self._set_state(ConnectionState.CONNECTED)
        for fields in _frames(response):
            if self._stop.is_set():
                return
            data = fields.get("data")
            if data is None:
                continue  # retry: or an empty frame
            try:
                ev = LiveEventOut.model_validate(json.loads(data))
            except (ValueError, ValidationError) as ex:
                raise _StreamBroken(f"the server sent an event that is not valid: {type(ex).__name__}") from None
            if ev.channel != self.channel or str(ev.seq) != fields.get("id", "").strip():
                raise _StreamBroken("the server sent an event of another channel or with a wrong id")
            if ev.seq <= self.last_seq:
                continue  # already handled (at-least-once becomes exactly-once)
            if ev.seq != self.last_seq + 1:
                raise _StreamBroken(f"event {self.last_seq + 1} is missing; resuming from the server's table")
            yield ev


def _frames(response: requests.Response) -> Iterator[dict[str, str]]:
    """SSE frames as field dicts (comments skipped), read as the bytes arrive."""
    buffer = b""
    fields: dict[str, str] = {}
    for chunk in response.iter_content(chunk_size=None):
        buffer += chunk
        while True:
            newline = buffer.find(b"\n")
            if newline < 0:
                if len(buffer) > MAX_LINE:
                    raise _StreamBroken("the server sent a line that is too long")
                break
            line, buffer = buffer[:newline].rstrip(b"\r"), buffer[newline + 1:]
            if not line:
                if fields:
                    yield fields
                fields = {}
                continue
            if line.startswith(b":"):
                continue
            name, _sep, value = line.decode("utf-8", errors="replace").partition(":")
            value = value.removeprefix(" ")
            if name == "data" and "data" in fields:
                fields["data"] += "\n" + value
            elif name in ("id", "event", "data", "retry"):
                fields[name] = value


def shutdown_stream(response: requests.Response) -> None:
    """Interrupt a read blocked in another thread by shutting the socket down."""
    raw: Any = response.raw
    conn = getattr(raw, "_connection", None) or getattr(raw, "connection", None)
    sock = getattr(conn, "sock", None)
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)
    with contextlib.suppress(Exception):
        response.close()
