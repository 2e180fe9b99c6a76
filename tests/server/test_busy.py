"""A request that cannot get the database within the lock timeout is refused whole with 503 server.busy
(which the client retries), never a 500, and goes through once the lock is free."""

from __future__ import annotations

import base64
import hashlib
import json
import sqlite3
import time
from pathlib import Path

import pytest
import requests

from bidclient.protocol.auth import login_statement
from bidclient.protocol.submission import submission_statement
from tests.server.conftest import start_server
from tests.server.test_auth import _signer_sign


@pytest.mark.parametrize("backend", ["sqlite"])
def test_a_write_that_waits_too_long_for_the_lock_gets_server_busy_then_succeeds(server_data: Path, pki) -> None:  # type: ignore[no-untyped-def]
    sign = _signer_sign(pki, "ent-a")

    def login(url: str) -> requests.Response:  # a login writes (session, audit entry)
        nonce = requests.post(url + "/api/v1/auth/challenge", timeout=30).json()["nonce"]
        signature = base64.b64encode(sign(login_statement(nonce))).decode()
        return requests.post(url + "/api/v1/auth/login", json={"nonce": nonce, "signature": signature}, timeout=30)

    config = json.loads((server_data / "server.json").read_text())
    config["lock_timeout"] = 0.5
    (server_data / "server.json").write_text(json.dumps(config))
    running = start_server(server_data)
    # Another process holding SQLite's write lock (e.g. a second worker mid-transaction, or a backup).
    other = sqlite3.connect(server_data / "bidclient.sqlite3", isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")
        refused = login(running.url)
        assert refused.status_code == 503
        assert refused.headers["content-type"].startswith("application/problem+json")
        assert refused.json()["code"] == "server.busy"
        assert refused.headers["Retry-After"] == "1"
        assert "not applied" in refused.json()["detail"]
        # Reads do not wait for writers (WAL): the tender list still answers.
        assert requests.get(running.url + "/api/v1/tenders", timeout=30).status_code == 200
        other.execute("ROLLBACK")
        accepted = login(running.url)
        assert accepted.status_code == 200, accepted.text
        assert accepted.json()["token"]
    finally:
        other.close()
        running.stop()


@pytest.mark.parametrize("backend", ["sqlite"])
def test_a_completion_that_arrived_before_the_deadline_counts_even_if_served_after_it(  # type: ignore[no-untyped-def]
        server_data: Path, pki, tmp_path: Path) -> None:
    """电子招标投标办法 Art. 27/28: what counts is when the bid reached the server. A completion that
    arrives in time but has to wait (here: for the database, held by another process past the deadline)
    is accepted with its arrival as the submission time; one that arrives after the deadline is not."""
    import threading
    from datetime import UTC, datetime, timedelta

    from bidclient.submit import Uploader
    from tests.server.submission_helpers import login as bidder_login
    from tests.server.submission_helpers import make_tender, sealed_bid, set_times

    running = start_server(server_data)
    other = sqlite3.connect(server_data / "bidclient.sqlite3", isolation_level=None)
    try:
        tender_id = make_tender(server_data)
        bidders = [bidder_login(running.url, pki, party) for party in ("ent-a", "ent-b")]
        uploads = []
        for i, bidder in enumerate(bidders):
            bid = sealed_bid(tmp_path / f"{i}.bid", pki, 200_000)
            uploader = Uploader(bidder.client, chunk_size=64 << 10)
            sha256 = hashlib.sha256(bid.read_bytes()).hexdigest()
            statement = submission_statement(tender_id=tender_id, tender_version=1, envelope_sha256=sha256,
                                             size=bid.stat().st_size, bidder=bidder.identity)
            upload = bidder.client.post_json("/api/v1/uploads", {
                "tender_id": tender_id, "tender_version": 1, "size": bid.stat().st_size, "sha256": sha256,
                "statement_signature": base64.b64encode(bidder.sign(statement)).decode()})
            uploader._send_missing(bid, uploader.status(upload["id"]))
            uploads.append(upload["id"])
        deadline = datetime.now(UTC) + timedelta(seconds=2)
        set_times(server_data, tender_id, deadline=deadline, opening=deadline + timedelta(minutes=5))
        other.execute("BEGIN IMMEDIATE")  # the database is busy from before the deadline to after it
        answers: dict[int, requests.Response] = {}

        def complete(i: int) -> None:
            answers[i] = requests.post(f"{running.url}/api/v1/uploads/{uploads[i]}/complete", timeout=60,
                                       headers={"Authorization": f"Bearer {bidders[i].client.token}"})

        early = threading.Thread(target=complete, args=(0,))
        early.start()  # arrives now, well before the deadline
        while datetime.now(UTC) < deadline + timedelta(seconds=1):
            time.sleep(0.05)
        late = threading.Thread(target=complete, args=(1,))
        late.start()  # arrives after the deadline (and may wait behind the first one)
        time.sleep(0.5)
        other.execute("ROLLBACK")
        early.join(timeout=60)
        late.join(timeout=60)
        assert 0 in answers and answers[0].status_code == 201, answers[0].text if 0 in answers else "no answer"
        submitted_at = datetime.fromisoformat(answers[0].json()["submitted_at"].replace("Z", "+00:00"))
        assert submitted_at < deadline  # the arrival, not the moment the database was free
        assert answers[1].status_code == 409 and answers[1].json()["code"] == "submission.deadline_passed"
    finally:
        other.close()
        running.stop()
