"""A request that cannot get the database within the lock timeout is refused whole with 503 server.busy
(which the client retries), never a 500, and goes through once the lock is free."""

from __future__ import annotations

import base64
import json
import sqlite3
from pathlib import Path

import pytest
import requests

from bidclient.protocol.auth import login_statement
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
