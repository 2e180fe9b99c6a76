"""The supervisor's workspace on real widgets against a live server over loopback: it follows a session live
(check-ins, the election, every expert's scores, submissions) with the audit trail, and offers no action."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QAbstractButton, QAbstractItemView, QTableWidget

from bidclient.evaluation.session import open_workspace
from bidclient.live import ConnectionState
from bidclient.protocol.auth import AccountOut
from bidclient.protocol.evaluation_session import Phase
from bidclient.signin import SignedIn
from tests.server.conftest import RunningServer
from tests.server.evaluation_helpers import committee
from tests.ui.evaluation_ui_helpers import init_server, serve, shot
from ui.context import AppContext
from ui.supervisor.workspace import AUDIT_TAB, SupervisorWorkspace
from ui.workspaces import registered_workspaces


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, pki: Any) -> Iterator[RunningServer]:
    data = tmp_path_factory.mktemp("supervisor-ui") / "server"
    init_server(data, pki)
    running = serve(data)
    try:
        yield running
    finally:
        running.stop()


def _column(table: Any, col: int) -> list[str]:
    return [table.item(r, col).text() for r in range(table.rowCount())]


def test_the_supervisor_follows_a_session_live_and_cannot_act(qtbot: Any, server: RunningServer, pki: Any,
                                                              tmp_path: Path, ui_env: Path) -> None:
    import ui.workspaces_builtin  # noqa: F401  (the app registers the workspace)

    assert "supervisor" in [spec.role for spec in registered_workspaces()]
    c = committee(server, pki, experts=2)
    sid = c.session_id
    e1, e2 = c.experts
    context = AppContext(QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat))
    ws = SupervisorWorkspace(context)
    qtbot.addWidget(ws)
    ws.resize(1300, 800)
    ws.show()
    account = AccountOut.model_validate(c.supervisor.client.get_json("/api/v1/auth/me"))
    context.set_session(SignedIn(server.url, c.supervisor.client, account, None))
    try:
        qtbot.waitUntil(lambda: any(ws.sessions_list.item(n).data(256) == sid
                                    for n in range(ws.sessions_list.count())), timeout=20_000)
        item = next(ws.sessions_list.item(n) for n in range(ws.sessions_list.count())
                    if ws.sessions_list.item(n).data(256) == sid)
        ws.sessions_list.itemClicked.emit(item)
        qtbot.waitUntil(lambda: ws.view is not None and ws.indicator.state is ConnectionState.CONNECTED,
                        timeout=20_000)
        assert "Check-in" in ws.heading.text()
        assert set(_column(ws.members, 1)) == {"invited"}

        # Live: a check-in by an expert appears, with its audit entry, without touching the workspace.
        e1.api.check_in(sid, e1.identity, e1.sign)
        qtbot.waitUntil(lambda: "checked in" in _column(ws.members, 1), timeout=20_000)
        assert "evaluation.checkin" in _column(ws.audit, 3)
        e1.api.declare(sid, e1.identity, e1.sign, conflict=False, detail="")
        e2.api.check_in(sid, e2.identity, e2.sign)
        e2.api.declare(sid, e2.identity, e2.sign, conflict=False, detail="")
        c.agency.api.advance(sid, Phase.ELECTION)
        for m in (e1, e2):
            m.api.vote_chair(sid, e1.identity)
        for phase in (Phase.READING, Phase.REVIEW):
            e1.api.advance(sid, phase)
        spaces = [open_workspace(m.client, sid, m.identity, path=tmp_path / f"s{n}.sqlite")
                  for n, m in enumerate((e1, e2))]
        try:
            for space in spaces:
                for bid in ("bid-a", "bid-b", "bid-c"):
                    space.review(bid, "licence", passed=True)
            e1.api.advance(sid, Phase.SCORING)
            qtbot.waitUntil(lambda: "Scoring" in ws.heading.text(), timeout=20_000)
            # Every expert's scores are visible to the supervisor, while each expert still sees only their own.
            for space, value in zip(spaces, ("27", "18.5"), strict=True):
                for bid in ("bid-a", "bid-b", "bid-c"):
                    space.score(bid, "tech", value)
                    space.score(bid, "service", "8")
            spaces[0].submit(e1.sign)
            qtbot.waitUntil(lambda: "submitted" in _column(ws.members, 3), timeout=20_000)
            rows = {(ws.scores.item(r, 0).text(), ws.scores.item(r, 3).text()) for r in range(ws.scores.rowCount())}
            assert {(e1.identity, "27.00"), (e2.identity, "18.50")} <= rows
            assert e2.api.cells(sid).hidden
            ws.tabs.setCurrentIndex(1)
            shot(ws, "supervisor-scores")
        finally:
            for space in spaces:
                space.close()
        assert ws.updates >= 5
        actions = _column(ws.audit, 3)
        assert "evaluation.chair_elected" in actions and actions[0].startswith("evaluation.")  # newest first
        ws.tabs.setCurrentIndex(AUDIT_TAB)
        shot(ws, "supervisor-audit")
        # Read-only: the only button is Refresh, no table can be edited.
        buttons = [b for b in ws.findChildren(QAbstractButton) if b.isVisibleTo(ws) and b.isEnabled()
                   and b.parent() is not ws.tabs.tabBar()]
        assert [b.text() for b in buttons if b.objectName() != "qt_tabwidget_tabbar"] == ["Refresh"]
        for view in ws.findChildren(QTableWidget):
            assert view.editTriggers() == QAbstractItemView.EditTrigger.NoEditTriggers
        from tests.ui.test_main_window import _unnamed_interactive

        for index in range(ws.tabs.count()):
            ws.tabs.setCurrentIndex(index)
            assert _unnamed_interactive(ws) == []
    finally:
        ws.shutdown()
        qtbot.waitUntil(lambda: not ws.busy, timeout=20_000)
