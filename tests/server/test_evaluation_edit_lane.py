"""Many experts syncing at once (issue 13 §7): the edit route waits in the edit lane and applies every
request waiting in one transaction (server/evaluation/edit_lane.py). What a user notices: every request is
answered with its own results, none is refused, each edit is applied exactly once, and one bad request
(an outsider, a database error) does not fail the others'."""

from __future__ import annotations

import asyncio
import json
import threading
import uuid
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bidclient.api_client import ApiError
from bidclient.audit_verify import verify_export
from bidclient.protocol.evaluation_session import EditIn
from server.db import make_engine, make_session_factory
from server.evaluation.edit_lane import GroupLane
from server.problems import DomainError
from tests.server.conftest import RunningServer
from tests.server.evaluation_helpers import Committee, committee
from tests.server.test_evaluation_sync import _applied_edits, _scoring, _server_cells

CELLS = [(bid, item) for bid in ("bid-a", "bid-b", "bid-c") for item in ("tech", "service")]


def _audited_by_expert(c: Committee) -> Counter[str]:
    """The evaluation.edit entries per actor in the audit trail as a supervisor exports it (verified)."""
    export = c.supervisor.client.request("GET", "/api/v1/audit/export").content
    verify_export(export, known_heads=())
    entries = [json.loads(line) for line in export.splitlines() if b'"record":"entry"' in line]
    assert [e["seq"] for e in entries] == list(range(1, len(entries) + 1))
    return Counter(e["actor"] for e in entries if e["action"] == "evaluation.edit")


def test_concurrent_experts_and_devices_are_all_answered_each_edit_once(live_server: RunningServer, pki,  # type: ignore[no-untyped-def]
                                                                       tmp_path: Path) -> None:
    c = committee(live_server, pki, experts=3)
    spaces = _scoring(c, tmp_path)
    try:
        before = _applied_edits(live_server.data, c.session_id)
        audited_before = _audited_by_expert(c)
        sent: dict[int, list[list[EditIn]]] = {}
        applied: list[int] = []
        failures: list[BaseException] = []
        lock = threading.Lock()

        def device(expert: int, device: int) -> None:
            # Two devices per expert, each sending batches as the journal does, all at once with the others.
            api = c.experts[expert].api
            versions: dict[tuple[str, str], int] = {}
            try:
                for round_ in range(8):
                    batch = [EditIn(edit_id=uuid.uuid4().hex, seq=round_ * 3 + k + 1, kind="score", bid=bid, item=item,
                                    value=str((round_ + device + k) % 10), base_version=versions.get((bid, item), 0))
                             for k, (bid, item) in enumerate(CELLS[device * 3:device * 3 + 3])]
                    out = api.send_edits(c.session_id, batch)
                    assert [r.edit_id for r in out.results] == [e.edit_id for e in batch]  # its own results
                    with lock:
                        sent.setdefault(expert, []).append(batch)
                    for edit, result in zip(batch, out.results, strict=True):
                        assert result.status == "applied", result  # each device owns its cells: no conflicts
                        versions[(edit.bid, edit.item)] = result.version
                        with lock:
                            applied.append(1)
            except BaseException as ex:  # a refused (503) or failed request: reported below
                failures.append(ex)

        # An outsider (the bidder) probing the same endpoint in the same burst.
        def outsider() -> None:
            try:
                for _ in range(8):
                    with pytest.raises(ApiError) as refused:
                        c.bidder.api.send_edits(c.session_id, [EditIn(edit_id=uuid.uuid4().hex, seq=1, kind="score",
                                                                      bid="bid-a", item="tech", value="1",
                                                                      base_version=0)])
                    assert refused.value.code == "auth.forbidden"
            except BaseException as ex:
                failures.append(ex)

        threads = [threading.Thread(target=device, args=(e, d)) for e in range(3) for d in range(2)]
        threads.append(threading.Thread(target=outsider))
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert not failures, failures
        assert len(applied) == 3 * 2 * 8 * 3

        cells = _server_cells(c)
        # Each cell was written by one device, 8 times: version 8, the last value sent.
        assert sorted(v for _value, v in cells.values()) == [8] * 18
        assert _applied_edits(live_server.data, c.session_id) - before == len(applied)  # one audit entry each
        # The group's entries are in the chain, each under its own expert, and the chain verifies.
        assert {k: v - audited_before[k] for k, v in _audited_by_expert(c).items()} == {
            m.identity: 2 * 8 * 3 for m in c.experts}

        # The journal resends everything, all devices at once again (answers lost): every edit is a duplicate
        # with its first outcome, and nothing changes.
        def resend(expert: int, batches: list[list[EditIn]]) -> None:
            try:
                for batch in batches:
                    out = c.experts[expert].api.send_edits(c.session_id, batch)
                    assert {(r.status, r.original_status) for r in out.results} == {("duplicate", "applied")}
            except BaseException as ex:
                failures.append(ex)

        threads = [threading.Thread(target=resend, args=(e, batches)) for e, batches in sent.items()]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert not failures, failures
        assert _server_cells(c) == cells
        assert _applied_edits(live_server.data, c.session_id) - before == len(applied)
    finally:
        for space in spaces:
            space.close()


# --- the lane itself: one group, one transaction; a refused or failing request does not fail the others -----

@pytest.fixture
def lane(tmp_path: Path) -> GroupLane:
    engine = make_engine(f"sqlite:///{tmp_path / 'lane.sqlite'}")
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE t (id INTEGER PRIMARY KEY)"))
        conn.execute(text("INSERT INTO t VALUES (0)"))
    return GroupLane(make_session_factory(engine))


def _stored(lane: GroupLane) -> list[int]:
    with lane._factory() as db:
        return [row[0] for row in db.execute(text("SELECT id FROM t ORDER BY id"))]


def _insert(n: int) -> Callable[[Session], int]:
    def work(db: Session) -> int:
        db.execute(text("INSERT INTO t VALUES (:n)"), {"n": n})
        return n
    return work


def _refused(db: Session) -> int:
    raise DomainError("evaluation.session_not_found", "there is no evaluation session 'x' that you take part in",
                      status=404)


async def _all(lane: GroupLane, works: list[Callable[[Session], int]]) -> list[int | BaseException]:
    return await asyncio.gather(*(lane.run(w) for w in works), return_exceptions=True)


def test_requests_waiting_together_commit_as_one_group_a_refusal_fails_only_itself(lane: GroupLane) -> None:
    outcomes = asyncio.run(_all(lane, [_insert(1), _refused, _insert(2), _insert(3)]))
    assert outcomes[0] == 1 and outcomes[2:] == [2, 3]
    assert isinstance(outcomes[1], DomainError) and outcomes[1].code == "evaluation.session_not_found"
    assert lane.groups == 1  # four requests, one transaction
    assert _stored(lane) == [0, 1, 2, 3]


def test_a_database_error_in_a_group_reruns_each_request_alone(lane: GroupLane) -> None:
    # Inserting 0 again breaks the group's transaction: the group is rolled back and each request runs in a
    # unit of its own, so only the one at fault fails and nothing is applied twice.
    outcomes = asyncio.run(_all(lane, [_insert(1), _insert(0), _insert(2)]))
    assert outcomes[0] == 1 and outcomes[2] == 2
    assert isinstance(outcomes[1], IntegrityError)
    assert _stored(lane) == [0, 1, 2]


# --- a thousand experts connected: the next one is still answered ----------------------------------------

@pytest.mark.parametrize("backend", ["sqlite"])
def test_with_over_a_thousand_connections_open_an_edit_is_still_answered(server_data: Path, pki,  # type: ignore[no-untyped-def]
                                                                         tmp_path: Path) -> None:
    """Served with the connection limits of ``bidclient-server run``: 1,050 other connections held open (a
    thousand experts' apps, idle between edits or following the live stream) and an expert's edit is applied,
    not answered 503."""
    import socket
    import time

    import uvicorn

    from server.cli import connection_options
    from tests.server.pgcluster import free_port
    from tests.server.startup import make_app, wait_until_healthy

    app = make_app(server_data)
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", access_log=False,
                                           **connection_options(app.state.settings)))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{port}"
    wait_until_healthy(url, timeout=90)
    running = RunningServer(url, server_data, "", server, thread)
    held: list[socket.socket] = []
    try:
        c = committee(running, pki, experts=1)
        spaces = _scoring(c, tmp_path)
        for _ in range(1050):
            held.append(socket.create_connection(("127.0.0.1", port)))
        deadline = time.monotonic() + 60
        while len(server.server_state.connections) < 1050 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert len(server.server_state.connections) >= 1050
        out = c.experts[0].api.send_edits(c.session_id, [EditIn(edit_id=uuid.uuid4().hex, seq=1, kind="score",
                                                                bid="bid-a", item="tech", value="12", base_version=0)])
        assert [(r.status, r.version) for r in out.results] == [("applied", 1)]
        for space in spaces:
            space.close()
    finally:
        for sock in held:
            sock.close()
        running.stop()
