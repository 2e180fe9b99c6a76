"""What an upload request asks of the database, on SQLite and PostgreSQL: in a deadline rush every chunk of
every bidder runs this path, and each statement is a round trip and GIL time that other requests wait for
(issue 8 §5). Counted per request by the request id the server answers with, so that the server's own
background work does not count. A count, never a timing."""

from __future__ import annotations

import hashlib
import threading
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event

from bidclient.protocol.submission import CHUNK_SHA256_HEADER, b64, submission_statement
from server.observability.logs import request_id
from tests.server.submission_helpers import login, make_tender, sealed_bid

CHUNK = 64 << 10


class Statements:
    """SQL statements (BEGIN excluded) and transactions the server ran, by request id."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.statements: dict[str, list[str]] = defaultdict(list)
        self.transactions: dict[str, int] = defaultdict(int)

    def statement(self, _conn: Any, _cursor: Any, text: str, *_rest: Any) -> None:
        if text.lstrip().upper().startswith("BEGIN"):
            return
        with self.lock:
            self.statements[request_id.get()].append(" ".join(text.split()[:3]))

    def begin(self, _conn: Any) -> None:
        with self.lock:
            self.transactions[request_id.get()] += 1


@pytest.fixture
def counted(live_server) -> Iterator[Statements]:  # type: ignore[no-untyped-def]
    engine = live_server._server.config.app.state.engine
    counts = Statements()
    event.listen(engine, "before_cursor_execute", counts.statement)
    event.listen(engine, "begin", counts.begin)
    try:
        yield counts
    finally:
        event.remove(engine, "before_cursor_execute", counts.statement)
        event.remove(engine, "begin", counts.begin)


def test_a_chunk_costs_six_statements_in_two_transactions(live_server, counted: Statements, pki,  # type: ignore[no-untyped-def]
                                                          tmp_path: Path) -> None:
    tender_id = make_tender(live_server.data)
    bidder = login(live_server.url, pki, "ent-a")
    bid = sealed_bid(tmp_path / "a.bid", pki, 3 * CHUNK - 1000)
    data = bid.read_bytes()
    sha = hashlib.sha256(data).hexdigest()
    statement = submission_statement(tender_id=tender_id, tender_version=1, envelope_sha256=sha, size=len(data),
                                     bidder=bidder.identity)
    created = bidder.client.request("POST", "/api/v1/uploads", json={
        "tender_id": tender_id, "tender_version": 1, "size": len(data), "sha256": sha,
        "statement_signature": b64(bidder.sign(statement))})
    upload_id = created.json()["id"]
    # Created in one read unit (session, statement check) and one write unit (upload, audit entry); on
    # PostgreSQL the platform-wide rate limits (per address, per identity) count in two more.
    rid = created.headers["X-Request-ID"]
    rate_counts = sum(s.startswith("INSERT INTO rate_window") for s in counted.statements[rid])
    assert counted.transactions[rid] - rate_counts <= 2

    answers = []
    for offset in range(0, len(data), CHUNK):
        piece = data[offset:offset + CHUNK]
        answers.append(bidder.client.request("PUT", f"/api/v1/uploads/{upload_id}/chunks/{offset}", data=piece,
                                             headers={CHUNK_SHA256_HEADER: hashlib.sha256(piece).hexdigest()}))
    assert answers[-1].json()["received"] == [[0, len(data)]]
    for answer in answers:
        rid = answer.headers["X-Request-ID"]
        # Plan: the session with its roles, the upload with its deadline, the overlapping ranges. Record: the
        # upload locked with its deadline, its ranges, the new range. (Before: 12 statements, 3 transactions.)
        assert len(counted.statements[rid]) <= 6, counted.statements[rid]
        assert counted.transactions[rid] <= 2

    again = bidder.client.request("PUT", f"/api/v1/uploads/{upload_id}/chunks/0", data=data[:CHUNK],
                                  headers={CHUNK_SHA256_HEADER: hashlib.sha256(data[:CHUNK]).hexdigest()})
    assert again.json()["duplicate"] is True  # an acknowledged chunk sent again is recognised, not recorded twice
    assert not any(s.startswith("INSERT") for s in counted.statements[again.headers["X-Request-ID"]])

    done = bidder.client.request("POST", f"/api/v1/uploads/{upload_id}/complete", json={})
    assert done.json()["status"] == "active"
    rid = done.headers["X-Request-ID"]
    assert counted.transactions[rid] <= 2
    # Its two audit entries are appended with one read and one update of the chain's head.
    assert sum(s.startswith("UPDATE audit_head") for s in counted.statements[rid]) == 1
