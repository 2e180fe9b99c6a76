"""One batch of score edits as the journal sends it after a pause, over real HTTP on SQLite and PostgreSQL:
the server reads and writes a batch at once (issue 13 §7), so edits of the same cell, a repeated edit id and a
stale edit inside one batch must still be applied in order, each once, and conflicts reported."""

from __future__ import annotations

import uuid
from pathlib import Path

from sqlalchemy import func, select

from bidclient.protocol.evaluation_session import EditIn
from tests.server.conftest import RunningServer
from tests.server.evaluation_helpers import committee
from tests.server.submission_helpers import db_session
from tests.server.test_evaluation_sync import _scoring, _server_cells


def _audited_edits(data: Path, session_id: str) -> int:
    from server.audit.models import AuditEntry

    with db_session(data) as db:
        return int(db.execute(select(func.count()).select_from(AuditEntry).where(
            AuditEntry.action == "evaluation.edit", AuditEntry.object_id == session_id)).scalar_one())


def test_one_batch_applies_edits_of_one_cell_in_order_each_once(live_server: RunningServer, pki,  # type: ignore[no-untyped-def]
                                                                tmp_path: Path) -> None:
    c = committee(live_server, pki, experts=1)
    spaces = _scoring(c, tmp_path)
    e1 = c.experts[0]
    try:
        before = _audited_edits(live_server.data, c.session_id)

        def edit(bid: str, value: str, base: int, edit_id: str | None = None) -> EditIn:
            return EditIn(edit_id=edit_id or uuid.uuid4().hex, seq=1, kind="score", bid=bid, item="tech",
                          value=value, base_version=base)

        first = edit("bid-a", "10", 0)
        batch = [first, edit("bid-a", "12.5", 1), first, edit("bid-a", "13", 1), edit("bid-b", "8", 0),
                 edit("bid-b", "31", 1)]
        out = e1.api.send_edits(c.session_id, batch)
        assert [(r.status, r.version) for r in out.results] == [
            ("applied", 1), ("applied", 2), ("duplicate", 1), ("conflict", 2), ("applied", 1), ("rejected", 0)]
        assert out.results[3].code == "evaluation.cell_changed"
        assert out.results[5].code == "evaluation.score_out_of_range"
        key = e1.identity
        cells = _server_cells(c)
        assert cells[(key, "bid-a", "tech")] == ("12.50", 2)
        assert cells[(key, "bid-b", "tech")] == ("8.00", 1)
        assert _audited_edits(live_server.data, c.session_id) - before == 3  # one entry per applied edit

        # The same batch again: every edit is a duplicate with its first outcome, nothing changes.
        again = e1.api.send_edits(c.session_id, batch)
        assert [(r.status, r.original_status) for r in again.results] == [
            ("duplicate", "applied"), ("duplicate", "applied"), ("duplicate", "applied"),
            ("duplicate", "conflict"), ("duplicate", "applied"), ("duplicate", "rejected")]
        assert _server_cells(c) == cells
        assert _audited_edits(live_server.data, c.session_id) - before == 3
    finally:
        for space in spaces:
            space.close()
