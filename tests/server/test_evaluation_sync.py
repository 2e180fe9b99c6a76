"""Sync faults over real HTTP: answers lost after the server applied an edit, an expert partitioned from the
server while scoring, the server restarted mid-session, client clocks minutes off, two devices of one expert.
Every edit is applied exactly once, in order; every conflict is reported, none resolved silently."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import func, select

from bidclient.api_client import ApiError
from bidclient.evaluation.journal import Journal
from bidclient.evaluation.session import ExpertWorkspace, open_workspace
from bidclient.evaluation.sync import sync
from bidclient.protocol.evaluation_session import EditIn, EditsOut, Phase
from tests.server.conftest import RunningServer, start_server
from tests.server.evaluation_helpers import Committee, committee, to_review
from tests.server.pgcluster import free_port
from tests.server.submission_helpers import db_session


def _scoring(c: Committee, tmp_path: Path) -> list[ExpertWorkspace]:
    to_review(c)
    spaces = [open_workspace(m.client, c.session_id, m.identity, path=tmp_path / f"s{n}.sqlite")
              for n, m in enumerate(c.experts)]
    for space in spaces:
        for bid in ("bid-a", "bid-b", "bid-c"):
            space.review(bid, "licence", passed=True)
    c.experts[0].api.advance(c.session_id, Phase.SCORING)
    return spaces


def _server_cells(c: Committee) -> dict[tuple[str, str, str], tuple[str | None, int]]:
    return {(x.expert, x.bid, x.item): (x.value, x.version) for x in c.supervisor.api.cells(c.session_id).cells
            if x.kind == "score"}


def _applied_edits(data: Path, session_id: str) -> int:
    from server.audit.models import AuditEntry

    with db_session(data) as db:
        return int(db.execute(select(func.count()).select_from(AuditEntry).where(
            AuditEntry.action == "evaluation.edit", AuditEntry.object_id == session_id)).scalar_one())


class LosesAnswers:
    """Sends for real, then drops the server's answer (as a connection cut after the server committed)."""

    def __init__(self, real: ExpertWorkspace, times: int) -> None:
        self.real, self.times = real, times

    def send_edits(self, session_id: str, edits: list[EditIn]) -> EditsOut:
        out = self.real.api.send_edits(session_id, edits)
        if self.times:
            self.times -= 1
            raise ApiError("net.unreachable", "connection reset after sending")
        return out


def test_a_partition_and_lost_answers_apply_every_edit_exactly_once(live_server: RunningServer, pki,  # type: ignore[no-untyped-def]
                                                                  tmp_path: Path) -> None:
    c = committee(live_server, pki, experts=2)
    spaces = _scoring(c, tmp_path)
    e1 = spaces[0]
    try:
        before = _applied_edits(live_server.data, c.session_id)
        # Partitioned: the client points at an address where no server answers; the expert keeps scoring.
        e1.api.client.base_url = f"http://127.0.0.1:{free_port()}"
        e1.api.client.retries = 0
        values = {"bid-a": "21", "bid-b": "17.5", "bid-c": "9"}
        for bid, value in values.items():
            saved = e1.score(bid, "tech", value)
            assert saved.sync.offline and saved.sync.pending >= 1
        e1.score("bid-a", "tech", "22")  # a second edit of the same cell while offline
        status = e1.status()
        assert status.pending == 4 and status.last_error and "cannot be reached" in status.last_error
        # Back online, but the first two answers are lost after the server applied the edits.
        e1.api.client.base_url = live_server.url
        flaky = LosesAnswers(e1, times=2)
        assert sync(e1.journal, flaky, batch=2).offline
        assert sync(e1.journal, flaky, batch=2).offline
        report = sync(e1.journal, flaky, batch=2)
        assert report.pending == 0 and report.duplicates == 2 and not report.conflicts
        assert e1.status().pending == 0 and e1.status().applied == 4 + 3  # + the three reviews
        cells = _server_cells(c)
        key = c.experts[0].identity
        assert cells[(key, "bid-a", "tech")] == ("22.00", 2)  # two edits, in order, each once
        assert cells[(key, "bid-b", "tech")] == ("17.50", 1)
        assert _applied_edits(live_server.data, c.session_id) - before == 4
        # Sending everything again (a client that lost its journal's answers) changes nothing.
        replay = [e1.journal.entries()[n] for n in range(3, 7)]
        from bidclient.evaluation.sync import edit_in

        out = e1.api.send_edits(c.session_id, [edit_in(e, 0) for e in replay])
        assert [r.status for r in out.results] == ["duplicate"] * 4
        assert _server_cells(c) == cells
    finally:
        for space in spaces:
            space.close()


def test_the_server_restarted_mid_session_and_clocks_minutes_apart(server_data: Path, pki,  # type: ignore[no-untyped-def]
                                                                 tmp_path: Path) -> None:
    database_url = json.loads((server_data / "server.json").read_text())["database_url"]
    server = start_server(server_data, database_url)
    try:
        c = committee(server, pki, experts=2)
        spaces = _scoring(c, tmp_path)
        e1 = c.experts[0]
        # A client clock 7 minutes fast, then 9 minutes slow: the journal's order, not the clock, decides.
        skew = [timedelta(minutes=7)]
        journal = Journal(tmp_path / "skewed.sqlite", server=server.url, session_id=c.session_id,
                          expert=e1.identity, now=lambda: datetime.now(UTC) + skew[0])
        skewed = ExpertWorkspace(e1.api, spaces[0].session, journal)
        skewed.score("bid-a", "tech", "10")
        skew[0] = timedelta(minutes=-9)
        server.stop()  # the server goes down mid-session; the expert keeps scoring
        e1.client.retries = 0
        saved = skewed.score("bid-a", "tech", "15")
        assert saved.sync.offline
        server = start_server(server_data, database_url)
        e1.client.base_url = server.url
        c.supervisor.client.base_url = server.url
        assert skewed.sync().applied == 1
        assert _server_cells(c)[(e1.identity, "bid-a", "tech")] == ("15.00", 2)
        times = [e.time for e in journal.entries()]
        assert times[0] > times[1]  # the client's clock went back, the later edit still won
        from server.evaluation.models import EvalCell

        with db_session(server_data) as db:
            updated = db.execute(select(EvalCell.updated_at).where(EvalCell.identity_key == e1.identity,
                                                                   EvalCell.item_id == "tech")).scalar_one()
        assert abs(updated - datetime.now(UTC)) < timedelta(minutes=2)  # dated by the server's clock
        skewed.close()
        for space in spaces:
            space.close()
    finally:
        server.stop()


def test_two_devices_of_one_expert_conflict_visibly(live_server: RunningServer, pki, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    c = committee(live_server, pki, experts=2)
    spaces = _scoring(c, tmp_path)
    e1 = c.experts[0]
    laptop = spaces[0]
    desktop = open_workspace(e1.client.sibling(), c.session_id, e1.identity, path=tmp_path / "desktop.sqlite")
    try:
        assert laptop.score("bid-a", "tech", "10").sync.applied == 1
        saved = desktop.score("bid-a", "tech", "12")  # made on version 0; the server has version 1
        assert [r.code for _e, r in saved.sync.conflicts] == ["evaluation.cell_changed"]
        assert "another device" in saved.sync.conflicts[0][1].detail
        assert _server_cells(c)[(e1.identity, "bid-a", "tech")] == ("10.00", 1)  # not overwritten silently
        status = desktop.status()
        assert len(status.conflicts) == 1 and status.conflicts[0][1].code == "evaluation.cell_changed"
        # Entered again, knowingly, on the version the conflict reported: applied.
        assert desktop.score("bid-a", "tech", "12").sync.applied == 1
        assert _server_cells(c)[(e1.identity, "bid-a", "tech")] == ("12.00", 2)
        # The laptop's next edit of that cell is now the stale one, and says so.
        assert laptop.score("bid-a", "tech", "11").sync.conflicts
    finally:
        desktop.close()
        for space in spaces:
            space.close()


def test_the_server_refuses_bad_edits_a_client_did_not_check(live_server: RunningServer, pki,  # type: ignore[no-untyped-def]
                                                            tmp_path: Path) -> None:
    """A client that skips the checks (another implementation, a tampered app) meets the same rules."""
    import uuid

    c = committee(live_server, pki, experts=1)
    spaces = _scoring(c, tmp_path)
    e1 = c.experts[0]

    def edit(kind: str, item: str, value: str | None = None, passed: bool | None = None) -> EditIn:
        return EditIn(edit_id=uuid.uuid4().hex, seq=1, kind=kind, bid="bid-a", item=item,  # type: ignore[arg-type]
                      value=value, passed=passed, base_version=0)

    cases = [(edit("score", "tech", "30.01"), "evaluation.score_out_of_range"),
             (edit("score", "tech", "-1"), "evaluation.score_not_a_number"),
             (edit("score", "tech", "１０"), "evaluation.score_not_a_number"),
             (edit("score", "tech", "NaN"), "evaluation.score_not_a_number"),
             (edit("score", "tech", "7.125"), "evaluation.score_precision"),
             (edit("score", "price", "90"), "evaluation.score_computed"),
             (edit("score", "nope", "1"), "evaluation.unknown_item"),
             (edit("review", "licence", passed=False), "evaluation.phase_closed")]
    out = e1.api.send_edits(c.session_id, [e for e, _code in cases])
    assert [(r.status, r.code) for r in out.results] == \
        [("conflict" if code == "evaluation.phase_closed" else "rejected", code) for _e, code in cases]
    assert not [x for x in c.supervisor.api.cells(c.session_id).cells if x.kind == "score"]  # nothing stored
    spaces[0].close()
