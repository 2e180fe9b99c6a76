"""Helpers for the live-updates tests: publishing as a domain service would, reading an SSE stream raw."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path
from typing import Any

import requests

from bidclient.live import shutdown_stream
from tests.server.submission_helpers import db_session


def publish(data: Path, channel: str, kind: str, payload: dict[str, Any]) -> int:
    """Publish and commit in a unit of work of this process (as a domain service in a request would)."""
    from server.live import service

    with db_session(data) as db:
        seq = service.publish(db, channel, kind, payload).seq
        db.commit()
    return seq


def publish_from_other_process(data: Path, channel: str, kind: str, payload: dict[str, Any]) -> None:
    """Publish from a separate process: no in-process wake-up can reach the servers under test."""
    code = textwrap.dedent(f"""
        import json
        from pathlib import Path
        from tests.server.live_helpers import publish
        publish(Path({str(data)!r}), {channel!r}, {kind!r}, json.loads({json.dumps(payload)!r}))
    """)
    subprocess.run([sys.executable, "-c", code], check=True, cwd=Path(__file__).resolve().parents[2], timeout=120)


class Stream:
    """An SSE stream read on a thread of its own: events (envelopes) and comment lines as they arrive."""

    def __init__(self, url: str, token: str, channel: str, *, last_event_id: int | None = None,
                 after: int | None = None) -> None:
        headers = {"Authorization": f"Bearer {token}"}
        if last_event_id is not None:
            headers["Last-Event-ID"] = str(last_event_id)
        params: dict[str, Any] = {"channel": channel}
        if after is not None:
            params["after"] = after
        self.response = requests.get(url + "/api/v1/live/events", params=params, headers=headers,
                                     stream=True, timeout=(5, 60))
        self.events: list[dict[str, Any]] = []
        self.ids: list[str] = []
        self.comments: list[str] = []
        self.arrived: list[float] = []
        self.ended = threading.Event()
        self._thread = threading.Thread(target=self._read, daemon=True)
        if self.response.status_code == 200:
            self._thread.start()

    def _read(self) -> None:
        frame: dict[str, str] = {}
        try:
            for raw in self.response.iter_lines(chunk_size=1):
                line = raw.decode()
                if not line:
                    if "data" in frame:
                        self.events.append(json.loads(frame["data"]))
                        self.ids.append(frame.get("id", ""))
                        self.arrived.append(time.monotonic())
                    frame = {}
                elif line.startswith(":"):
                    self.comments.append(line[1:].strip())
                else:
                    name, _, value = line.partition(":")
                    frame[name] = value.removeprefix(" ")
        except (requests.RequestException, OSError, AttributeError):
            pass
        finally:
            self.ended.set()

    def wait(self, count: int, timeout: float = 20) -> list[dict[str, Any]]:
        deadline = time.monotonic() + timeout
        while len(self.events) < count and time.monotonic() < deadline and not self.ended.is_set():
            time.sleep(0.01)
        return self.events

    def seqs(self) -> list[int]:
        return [e["seq"] for e in self.events]

    def close(self) -> None:
        # Shut the socket down first: a plain close() waits for the reader thread's blocked read, i.e. for the
        # server's next heartbeat (15 s).
        shutdown_stream(self.response)
