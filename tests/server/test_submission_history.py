"""Issue 9, point 5: a bidder's submission history for a tender — every submission, replaced or withdrawn,
with verified receipt times — over real HTTP (SQLite and PostgreSQL), in the core and in
`bidclient submissions`; another bidder probing sees none of it; a server that lies is caught."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from bidclient import receipts
from bidclient.api_client import ApiError
from bidclient.submission_history import HistoryError, submission_history
from bidclient.submit import Uploader, withdraw
from tests.server.submission_helpers import login, make_tender, sealed_bid

CHUNK = 64 << 10


def _submit(bidder: Any, bid: Path, tender_id: str) -> Any:
    return Uploader(bidder.client, chunk_size=CHUNK).submit(bid, tender_id=tender_id, tender_version=1,
                                                            bidder=bidder.identity, sign=bidder.sign)


class LyingClient:
    """The real server's client whose list of submissions is altered on the way: a hostile server."""

    def __init__(self, client: Any, alter: Any) -> None:
        self.client, self.alter, self.base_url = client, alter, client.base_url

    def get_json(self, path: str) -> Any:
        value = self.client.get_json(path)
        return self.alter(value) if path.startswith("/api/v1/submissions?") else value


def test_history_shows_every_submission_and_another_bidder_sees_none(live_server, pki, tmp_path: Path,  # type: ignore[no-untyped-def]
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    tender_id = make_tender(live_server.data)
    bidder = login(live_server.url, pki, "ent-a")
    assert submission_history(bidder.client, tender_id) == []
    first = _submit(bidder, sealed_bid(tmp_path / "1.bid", pki, 50_000), tender_id)
    second = _submit(bidder, sealed_bid(tmp_path / "2.bid", pki, 60_000), tender_id)
    withdraw(bidder.client, tender_id=tender_id, bidder=bidder.identity, sign=bidder.sign)

    history = submission_history(bidder.client, tender_id)
    assert [(e.submission_id, e.status) for e in history] == [(first.id, "replaced"), (second.id, "withdrawn")]
    older, newer = history
    assert older.replaced_by == second.id and newer.replaces == first.id and older.replaces is None
    assert older.received_at <= newer.received_at <= (newer.withdrawn_at or datetime.min.replace(tzinfo=UTC))
    assert abs(newer.received_at - datetime.now(UTC)) < timedelta(minutes=5)
    assert older.withdrawn_at is None and newer.envelope_sha256 == second.envelope_sha256

    # Another enterprise probing the same tender and the same submissions sees nothing of them.
    other = login(live_server.url, pki, "ent-b")
    assert submission_history(other.client, tender_id) == []
    for submission_id in (first.id, second.id):
        with pytest.raises(ApiError) as caught:
            other.client.get_json(f"/api/v1/submissions/{submission_id}")
        assert caught.value.status in (403, 404)

    # `bidclient submissions` shows the same, from the saved session.
    from bidclient import session_store

    session_store.save_session(live_server.url, bidder.client.token, datetime.now(UTC) + timedelta(hours=1),
                               bidder.identity)
    env = dict(os.environ, BIDCLIENT_LANG="en", BIDCLIENT_NO_KEYRING="1", BIDCLIENT_TIMEZONE="Asia/Shanghai")
    env.pop("BIDCLIENT_SERVER", None)
    done = subprocess.run([sys.executable, "-m", "bidclient.cli.main", "submissions", tender_id, "--server",
                           live_server.url], capture_output=True, text=True, env=env, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    lines = done.stdout
    assert lines.index(first.id) < lines.index(second.id)
    assert f"replaced by {second.id}" in lines and "withdrawn" in lines and "withdrawn at" in lines
    assert "Beijing time" in lines or "北京时间" in lines
    env["BIDCLIENT_LANG"] = "zh_CN"
    done = subprocess.run([sys.executable, "-m", "bidclient.cli.main", "submissions", tender_id, "--server",
                           live_server.url], capture_output=True, text=True, env=env, timeout=120, check=False)
    assert done.returncode == 0 and "已撤回" in done.stdout, done.stdout + done.stderr


def test_a_server_that_lies_about_the_history_is_caught(live_server, pki, tmp_path: Path,  # type: ignore[no-untyped-def]
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    tender_id = make_tender(live_server.data)
    bidder = login(live_server.url, pki, "ent-a")
    _submit(bidder, sealed_bid(tmp_path / "1.bid", pki, 40_000), tender_id)
    _submit(bidder, sealed_bid(tmp_path / "2.bid", pki, 40_000), tender_id)

    def swap_receipts(listed: list[dict[str, Any]]) -> list[dict[str, Any]]:
        listed[0]["receipt"], listed[1]["receipt"] = listed[1]["receipt"], listed[0]["receipt"]
        return listed

    def other_tender(listed: list[dict[str, Any]]) -> list[dict[str, Any]]:
        listed[0]["tender_id"] = "ZB-OTHER"
        return listed

    def not_a_list(_listed: Any) -> Any:
        return {"submissions": []}

    for alter in (swap_receipts, other_tender, not_a_list):
        with pytest.raises(HistoryError) as caught:
            submission_history(LyingClient(bidder.client, alter), tender_id)
        assert caught.value.code == "submission.history_invalid"

    def forged_time(listed: list[dict[str, Any]]) -> list[dict[str, Any]]:
        listed[0]["receipt"]["receipt"]["time"] = "2020-01-01T00:00:00Z"
        return listed

    with pytest.raises(receipts.ReceiptError):
        submission_history(LyingClient(bidder.client, forged_time), tender_id)
