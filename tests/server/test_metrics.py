"""Prometheus metrics at /metrics, request ids and the JSON access log, over real HTTP on loopback."""

from __future__ import annotations

import json
import logging
import re
from pathlib import Path

import pytest
import requests

from bidclient.api_client import ApiClient, ApiError
from bidclient.submit import Uploader
from server.observability.logs import JsonFormatter
from tests.server.conftest import RunningServer, start_server
from tests.server.submission_helpers import login, make_tender, sealed_bid
from tests.server.test_health import configure

CHUNK = 64 << 10


@pytest.fixture
def backend() -> str:
    return "sqlite"


def samples(server: RunningServer, **headers: str) -> dict[str, float]:
    answer = requests.get(server.url + "/metrics", headers=headers, timeout=30)
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("text/plain; version=0.0.4")
    values = {}
    for line in answer.text.splitlines():
        if line and not line.startswith("#"):
            name, _, value = line.rpartition(" ")
            values[name] = float(value)
    return values


def test_requests_uploads_refused_logins_and_lanes_are_counted(server_data: Path, pki, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    server = start_server(server_data)
    try:
        refused = requests.post(server.url + "/api/v1/auth/login", timeout=30,
                                json={"nonce": "n" * 43, "signature": "c2lnbmF0dXJlIGJ5dGVz"})
        assert refused.status_code == 401
        bidder = login(server.url, pki, "ent-a")
        tender_id = make_tender(server_data)
        bid = sealed_bid(tmp_path / "a.bid", pki, 300_000)
        size = bid.stat().st_size
        Uploader(bidder.client, chunk_size=CHUNK).submit(bid, tender_id=tender_id, tender_version=1,
                                                         bidder=bidder.identity, sign=bidder.sign)
        values = samples(server)
    finally:
        server.stop()
    chunks = -(-size // CHUNK)
    route = 'route="/api/v1/uploads/{upload_id}/chunks/{offset}"'
    assert values[f'bidclient_http_requests_total{{method="PUT",{route},status="200"}}'] == chunks
    assert values[f'bidclient_http_request_duration_seconds_count{{method="PUT",{route}}}'] == chunks
    assert values['bidclient_http_requests_total{method="POST",route="/api/v1/auth/login",status="401"}'] == 1
    assert values['bidclient_logins_refused_total{reason="auth.challenge_invalid"}'] == 1
    assert values["bidclient_upload_bytes_total"] == size
    assert values["bidclient_uploads_started_total"] == 1 and values["bidclient_uploads_completed_total"] == 1
    assert values["bidclient_upload_chunks_in_progress"] == 0
    assert values['bidclient_lane_waiting{lane="upload"}'] == 0 and values['bidclient_lane_busy{lane="upload"}'] == 0
    # Route templates, never raw paths: one series per route, however many uploads there are.
    assert not any(re.search(r"/uploads/[0-9a-f-]{36}", name) for name in values)


def test_metrics_are_not_public_by_default(server_data: Path) -> None:
    server = start_server(server_data)
    try:
        samples(server)  # this machine's loopback, directly: allowed
        relayed = requests.get(server.url + "/metrics", headers={"X-Forwarded-For": "203.0.113.9"}, timeout=30)
    finally:
        server.stop()
    assert relayed.status_code == 403 and relayed.json()["code"] == "metrics.forbidden"


def test_a_metrics_token_is_required_once_configured(server_data: Path) -> None:
    configure(server_data, metrics_token="s3cret-scrape-token")
    server = start_server(server_data)
    try:
        without = requests.get(server.url + "/metrics", timeout=30)
        wrong = requests.get(server.url + "/metrics", headers={"Authorization": "Bearer nope"}, timeout=30)
        values = samples(server, Authorization="Bearer s3cret-scrape-token")
    finally:
        server.stop()
    assert without.status_code == 403 and wrong.status_code == 403
    assert "bidclient_upload_bytes_total" in values


def test_the_client_error_names_the_request_id_the_server_logged(server_data: Path,
                                                                  caplog: pytest.LogCaptureFixture) -> None:
    server = start_server(server_data)
    try:
        with caplog.at_level(logging.INFO, logger="server.access"):
            with pytest.raises(ApiError) as raised:
                # An id offered by a peer that is not a trusted proxy is not taken.
                ApiClient(server.url, retries=0).request("GET", "/api/v1/tenders/NO-SUCH-TENDER",
                                                         headers={"X-Request-ID": "chosen-by-the-caller"})
        ok = requests.get(server.url + "/api/v1/tenders", timeout=30)
    finally:
        server.stop()
    message = str(raised.value)
    found = re.search(r"request id: ([0-9a-f]{32})\)$", message)
    assert found, message
    rid = found.group(1)
    assert raised.value.code == "tender.not_found" and rid != "chosen-by-the-caller"
    assert re.fullmatch(r"[0-9a-f]{32}", ok.headers["X-Request-ID"]) and ok.headers["X-Request-ID"] != rid
    records = [r for r in caplog.records if getattr(r, "request_id", "") == rid]
    assert len(records) == 1
    line = json.loads(JsonFormatter().format(records[0]))
    assert line["request_id"] == rid and line["status"] == 404 and line["route"] == "/api/v1/tenders/{tender_id}"
    assert line["level"] == "info" and line["logger"] == "server.access" and line["duration_ms"] >= 0
