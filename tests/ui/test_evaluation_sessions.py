"""The expert's scoring session in the desktop app, on real widgets against a live server over loopback: the
expert of the SoftHSM token checks in, is elected chair, reviews (a fail without a reason is refused), scores
with the keyboard (Tab/Enter; an out-of-range value refused as typed), keeps scoring while the server is
down (the sync state says offline, then synced: nothing lost, nothing doubled), submits the signed sheet,
sees the summary only once every sheet is in, returns a sheet only with a reason, and signs the report
(pdfsig shows every member's signature)."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLineEdit

from bidclient.evaluation.report import sign_report, verify_report
from bidclient.evaluation.session import committee_result, open_workspace
from bidclient.protocol.evaluation_session import MemberStatus, Phase, SheetState
from tests.server.conftest import RunningServer
from tests.server.evaluation_helpers import Committee, committee
from tests.ui.conftest import answer_pin
from tests.ui.evaluation_ui_helpers import (
    Desk,
    choose_session,
    init_server,
    open_page,
    score_editor,
    serve,
    shot,
    token_identity,
    token_sign_in,
)
from ui.evaluation.review_grid import FAIL, PASS
from ui.evaluation.sync_indicator import SyncState


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, pki: Any) -> Iterator[RunningServer]:
    data = tmp_path_factory.mktemp("evaluation-ui") / "server"
    init_server(data, pki)
    running = serve(data)
    try:
        yield running
    finally:
        running.stop()


@pytest.fixture
def session_committee(server: RunningServer, pki: Any, ui_env: Path) -> Committee:
    return committee(server, pki, experts=2, also=(token_identity(pki),))


@pytest.fixture
def desk(qtbot: Any, tmp_path: Path, server: RunningServer, pki: Any, session_committee: Committee
         ) -> Iterator[Desk]:
    yield from open_page(qtbot, tmp_path, token_sign_in(server.url, pki))


def _phase(qtbot: Any, page: Any, phase: Phase) -> None:
    qtbot.waitUntil(lambda: page.session is not None and page.session.phase == phase, timeout=20_000)


def _me(page: Any) -> Any:
    return next(m for m in page.session.members if m.identity_key == page.context.session.account.identity_key)


def _my_cells(c: Committee, identity: str) -> dict[tuple[str, str, str], tuple[str | None, bool | None, int]]:
    return {(x.kind, x.bid, x.item): (x.value, x.passed, x.version) for x in c.supervisor.api.cells(c.session_id).cells
            if x.expert == identity}


def _synced(qtbot: Any, page: Any) -> None:
    qtbot.waitUntil(lambda: page.sync_indicator.state is SyncState.SYNCED and not page.busy, timeout=20_000)


def test_an_expert_checks_in_reviews_scores_by_keyboard_submits_and_signs_the_report(
        qtbot: Any, desk: Desk, session_committee: Committee, pki: Any, tmp_path: Path) -> None:
    c, page = session_committee, desk.page
    sid = c.session_id
    me = desk.context.session.account.identity_key  # type: ignore[union-attr]
    e1, e2 = c.experts
    choose_session(qtbot, page, sid)
    assert page.tabs.isTabVisible(4) is False  # the summary is the chair's
    shot(page, "evaluation-checkin")

    # Check-in: the declaration with a conflict needs its reason (nothing signed, no PIN asked) …
    panel = page.phase_panel
    assert panel.checkin_box.isVisibleTo(page)
    panel.conflict.setChecked(True)
    qtbot.mouseClick(panel.checkin_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.error_view.message is not None, timeout=20_000)
    assert page.error_view.message.code == "evaluation.reason_required"
    assert desk.context.pin_source.times_asked == 0  # type: ignore[union-attr]
    # … without a conflict: check in and declare, signed with the dongle (one PIN entry).
    panel.conflict.setChecked(False)
    qtbot.mouseClick(panel.checkin_button, Qt.MouseButton.LeftButton)
    answer_pin(qtbot, pki.user_pin)
    qtbot.waitUntil(lambda: _me(page).status == MemberStatus.DECLARED, timeout=20_000)
    assert _me(page).checkin_cert_sha256 == desk.context.session.certificate_sha256  # type: ignore[union-attr]
    for m in (e1, e2):
        m.api.check_in(sid, m.identity, m.sign)
        m.api.declare(sid, m.identity, m.sign, conflict=False, detail="")
    c.agency.api.advance(sid, Phase.ELECTION)
    _phase(qtbot, page, Phase.ELECTION)  # followed live
    assert panel.vote_box.isVisibleTo(page)
    panel.candidate.setCurrentIndex(panel.candidate.findData(me))
    qtbot.mouseClick(panel.vote_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.notice.text() != "", timeout=20_000)
    e1.api.vote_chair(sid, me)
    qtbot.waitUntil(lambda: page.session.chair == me, timeout=20_000)
    assert page.tabs.isTabVisible(4)
    # The chair moves the session on.
    for phase in (Phase.READING, Phase.REVIEW):
        assert panel.advance_button.isVisibleTo(page)
        qtbot.mouseClick(panel.advance_button, Qt.MouseButton.LeftButton)
        _phase(qtbot, page, phase)

    # Review: a fail without its reason is refused and nothing is saved; with the reason it is saved.
    grid = page.review_grid
    row_b = grid.row_of("bid-b", "licence")
    assert grid.verdicts[row_b].isEnabled()
    grid.verdicts[row_b].setCurrentIndex(FAIL)
    assert "needs its reason" in grid.message.text()
    qtbot.waitUntil(lambda: not page.busy, timeout=20_000)
    assert _my_cells(c, me) == {}
    grid.reasons[row_b].insert("营业执照已过期")  # typed through an input method
    qtbot.keyClick(grid.reasons[row_b], Qt.Key.Key_Return)
    for bid in ("bid-a", "bid-c"):
        grid.verdicts[grid.row_of(bid, "licence")].setCurrentIndex(PASS)
    qtbot.waitUntil(lambda: len(_my_cells(c, me)) == 3, timeout=20_000)
    _synced(qtbot, page)
    assert _my_cells(c, me)[("review", "bid-b", "licence")][:2] == (None, False)
    page.tabs.setCurrentIndex(2)
    shot(page, "evaluation-review")
    spaces = [open_workspace(m.client, sid, m.identity, path=tmp_path / f"j{n}.sqlite") for n, m in enumerate((e1, e2))]
    try:
        for space in spaces:
            for bid in ("bid-a", "bid-b", "bid-c"):
                space.review(bid, "licence", passed=True)
        qtbot.mouseClick(panel.advance_button, Qt.MouseButton.LeftButton)
        _phase(qtbot, page, Phase.SCORING)

        # Scoring with the keyboard: Tab and Enter move on (skipping the computed price), an out-of-range
        # value and a third decimal are refused as typed.
        table = page.scoring_grid.table
        assert table.rowCount() == 3 and table.columnCount() == 3
        price = table.item(0, 2)
        assert not price.flags() & Qt.ItemFlag.ItemIsEditable
        assert "900000.00" in price.toolTip()  # bid-a's evaluated price after the 10% SME deduction
        page.tabs.setCurrentIndex(3)
        table.setFocus()
        table.setCurrentCell(0, 0)
        if not [e for e in table.findChildren(QLineEdit, "scoreEditor") if e.isVisible()]:
            qtbot.keyClick(table, Qt.Key.Key_F2)  # the cell was current already: F2 edits it
        editor = score_editor(page)
        qtbot.keyClicks(editor, "35")
        assert editor.text() == "3"  # 35 is above 30: the 5 was refused
        assert "0 to 30" in page.scoring_grid.message.text()
        qtbot.keyClick(editor, Qt.Key.Key_Backspace)
        qtbot.keyClicks(editor, "25")
        qtbot.keyClick(editor, Qt.Key.Key_Tab)
        editor = score_editor(page)
        qtbot.keyClicks(editor, "8.505")
        assert editor.text() == "8.50"
        qtbot.keyClick(editor, Qt.Key.Key_Return)
        assert (table.currentRow(), table.currentColumn()) == (1, 0)  # past the computed price
        for row, (tech, service) in enumerate((("20", "7"), ("18", "9.25")), 1):
            editor = score_editor(page)
            qtbot.keyClicks(editor, tech)
            qtbot.keyClick(editor, Qt.Key.Key_Tab)
            editor = score_editor(page)
            qtbot.keyClicks(editor, service)
            qtbot.keyClick(editor, Qt.Key.Key_Return)
            assert table.currentRow() == min(row + 1, 2) or row == 2
        qtbot.waitUntil(lambda: sum(1 for k in _my_cells(c, me) if k[0] == "score") == 6, timeout=20_000)
        _synced(qtbot, page)
        cells = _my_cells(c, me)
        assert {k[1:]: v[0] for k, v in cells.items() if k[0] == "score"} == {
            ("bid-a", "tech"): "25.00", ("bid-a", "service"): "8.50", ("bid-b", "tech"): "20.00",
            ("bid-b", "service"): "7.00", ("bid-c", "tech"): "18.00", ("bid-c", "service"): "9.25"}
        table.setCurrentCell(0, 2)  # the computed price: its calculation is shown
        shot(page, "evaluation-scoring")

        # The summary is not shown before every sheet is in.
        for space, m in zip(spaces, (e1, e2), strict=True):
            for bid in ("bid-a", "bid-b", "bid-c"):
                space.score(bid, "tech", "5" if m is e2 and bid == "bid-c" else "22")  # e2's 5: abnormally low
                space.score(bid, "service", "8")
            space.submit(m.sign)
        qtbot.waitUntil(lambda: "2 of 3" in page.summary_view.waiting.text(), timeout=20_000)
        assert page.summary_view.summary is None and not page.summary_view.content.isVisibleTo(page)
        # Submit: signed with the dongle; then the grid is frozen and the summary appears.
        submit = page.scoring_grid.submit_button
        assert submit.isVisible()
        qtbot.mouseClick(submit, Qt.MouseButton.LeftButton)
        answer_pin(qtbot, pki.user_pin)
        qtbot.waitUntil(lambda: _me(page).sheet_state == SheetState.SUBMITTED, timeout=20_000)
        qtbot.waitUntil(lambda: not table.item(0, 0).flags() & Qt.ItemFlag.ItemIsEditable, timeout=20_000)
        assert not submit.isVisible()
        qtbot.waitUntil(lambda: "3 of 3" in page.summary_view.waiting.text(), timeout=20_000)
        page.tabs.setCurrentIndex(0)
        qtbot.mouseClick(panel.advance_button, Qt.MouseButton.LeftButton)
        _phase(qtbot, page, Phase.SUMMARY)
        page.tabs.setCurrentIndex(4)
        view = page.summary_view
        qtbot.waitUntil(lambda: view.summary is not None, timeout=20_000)
        assert view.content.isVisible() and view.table.rowCount() == 3
        flags = [view.flags.item(n).text() for n in range(view.flags.count())]
        assert any(f.startswith("[abnormal_low]") and e2.identity.removeprefix("person:") in f for f in flags), flags
        shot(page, "evaluation-summary")
        ranking = committee_result(c.supervisor.api, sid).ranking  # the rules: price score, totals, tie rule
        assert [view.table.item(r, 1).text().rsplit("(", 1)[1].rstrip(")") for r in range(3)] == \
            [row.bidder_id for row in ranking.rows]
        # A return needs a reason: refused without one; with one, the expert's sheet is open again.
        qtbot.waitUntil(lambda: view.summary is not None and view.expert.count() == 3, timeout=20_000)
        view.expert.setCurrentIndex(view.expert.findData(e2.identity))
        qtbot.mouseClick(view.return_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: page.error_view.message is not None, timeout=20_000)
        assert page.error_view.message.code == "evaluation.reason_required"
        assert {m.identity_key: m.sheet_state for m in c.agency.api.get(sid).members}[e2.identity] == \
            SheetState.SUBMITTED
        view.reason.insert("广州丙公司技术方案评分畸低，请复核")
        qtbot.mouseClick(view.return_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: {m.identity_key: m.sheet_state for m in page.session.members}[e2.identity]
                        == SheetState.RETURNED, timeout=20_000)
        assert c.agency.api.get(sid).members[1].returned_reason == "广州丙公司技术方案评分畸低，请复核"
        spaces[1].submit(e2.sign)
        page.tabs.setCurrentIndex(0)
        for phase in (Phase.RANKING, Phase.REPORT):
            qtbot.waitUntil(lambda: panel.advance_button.isVisibleTo(page) and not page.busy, timeout=20_000)
            qtbot.mouseClick(panel.advance_button, Qt.MouseButton.LeftButton)
            _phase(qtbot, page, phase)
    finally:
        for space in spaces:
            space.close()

    # The report: previewed in the reader, then signed; disagreeing needs written reasons.
    report = page.report_panel
    assert page.tabs.isTabEnabled(5)
    page.tabs.setCurrentIndex(5)
    qtbot.mouseClick(report.preview_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: report.viewer.page == 1, timeout=30_000)
    asked = desk.context.pin_source.times_asked  # type: ignore[union-attr]
    report.radios[1].setChecked(True)
    page.error_view.clear()
    qtbot.mouseClick(report.sign_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.error_view.message is not None, timeout=20_000)
    assert page.error_view.message.code == "evaluation.dissent_without_reasons"
    assert desk.context.pin_source.times_asked == asked  # type: ignore[union-attr]
    report.radios[0].setChecked(True)
    qtbot.mouseClick(report.sign_button, Qt.MouseButton.LeftButton)
    answer_pin(qtbot, pki.user_pin)
    qtbot.waitUntil(lambda: report.signatures.count() == 1, timeout=30_000)
    qtbot.waitUntil(lambda: report.viewer.page >= 1 and not report.viewer.busy, timeout=30_000)
    shot(page, "evaluation-report")
    final = tmp_path / "report.pdf"
    for n, m in enumerate((e1, e2)):
        final.write_bytes(m.api.report(sid))
        stance = "dissent" if n == 0 else "agree"
        sign_report(final, m.key, stance, "价格分计算有异议" if n == 0 else "")  # type: ignore[arg-type]
        m.api.sign_report(sid, final.read_bytes(), stance=stance, reason="价格分计算有异议" if n == 0 else "")
    final.write_bytes(c.agency.api.report(sid))
    out = subprocess.run(["pdfsig", str(final)], capture_output=True, text=True, check=False).stdout
    assert out.count("Signature Validation: Signature is Valid.") == 3, out
    first = out.split("Signature #2:")[0]
    assert "Signature Field Name: member-1" in first and "Common Name: 张三" in first  # the chair, from the UI
    assert out.rstrip().count("Total document signed") == 1
    roots = [x509.load_pem_x509_certificate(p.read_bytes()) for p in sorted(Path(pki.trust_dir).glob("*.pem"))]
    verified = verify_report(final, roots)
    assert not verified.problems
    assert [(s.state, s.reasons) for s in verified.members] == [("agreed", ""), ("dissented", "价格分计算有异议"),
                                                                ("agreed", "")]
    assert [s.stance for s in c.supervisor.api.report_signatures(sid).signatures] == ["agree", "dissent", "agree"]
    # Every interactive widget of every tab has an accessible name and takes the keyboard focus.
    from tests.ui.test_main_window import _unnamed_interactive

    for index in range(page.tabs.count()):
        page.tabs.setCurrentIndex(index)
        assert _unnamed_interactive(page) == [], page.tabs.tabText(index)


def _edits_applied(data: Path, session_id: str, identity: str) -> int:
    from sqlalchemy import func, select

    from server.audit.models import AuditEntry
    from tests.server.submission_helpers import db_session

    with db_session(data) as db:
        return int(db.execute(select(func.count()).select_from(AuditEntry).where(
            AuditEntry.action == "evaluation.edit", AuditEntry.object_id == session_id,
            AuditEntry.actor == identity)).scalar_one())


def test_the_sync_state_shows_offline_while_the_server_is_down_then_synced_nothing_lost_or_doubled(
        qtbot: Any, tmp_path: Path, pki: Any, ui_env: Path) -> None:
    from bidclient.evaluation import desk as core
    from bidclient.evaluation.session import EvaluationApi
    from tests.prompters import PinPrompter

    data = tmp_path / "server"
    init_server(data, pki)
    server = serve(data)
    pages = None
    try:
        c = committee(server, pki, experts=1, also=(token_identity(pki),))
        sid, e1 = c.session_id, c.experts[0]
        signed = token_sign_in(server.url, pki)
        me = signed.account.identity_key
        e1.api.check_in(sid, e1.identity, e1.sign)
        e1.api.declare(sid, e1.identity, e1.sign, conflict=False, detail="")
        core.check_in_and_declare(signed.client, sid, me, signed.certificate_sha256,
                                  PinPrompter(lambda _r: pki.user_pin), conflict=False, detail="")
        c.agency.api.advance(sid, Phase.ELECTION)
        mine = EvaluationApi(signed.client)
        e1.api.vote_chair(sid, me)
        mine.vote_chair(sid, me)
        mine.advance(sid, Phase.READING)
        mine.advance(sid, Phase.REVIEW)
        for n, (client, identity) in enumerate(((e1.client, e1.identity), (signed.client, me))):
            with open_workspace(client, sid, identity, path=tmp_path / f"r{n}.sqlite") as space:
                for bid in ("bid-a", "bid-b", "bid-c"):
                    space.review(bid, "licence", passed=True)
        mine.advance(sid, Phase.SCORING)

        pages = open_page(qtbot, tmp_path, signed)
        page = next(pages).page
        choose_session(qtbot, page, sid)
        page.tabs.setCurrentIndex(3)
        table = page.scoring_grid.table
        qtbot.waitUntil(lambda: table.rowCount() == 3 and bool(table.item(0, 0).flags() & Qt.ItemFlag.ItemIsEditable),
                        timeout=20_000)

        def score(row: int, column: int, value: str) -> None:
            table.setFocus()
            table.setCurrentCell(row, column)
            if not [e for e in table.findChildren(QLineEdit, "scoreEditor") if e.isVisible()]:
                qtbot.keyClick(table, Qt.Key.Key_F2)
            editor = score_editor(page)
            qtbot.keyClicks(editor, value)
            qtbot.keyClick(editor, Qt.Key.Key_Return)

        score(0, 0, "21")
        _synced(qtbot, page)
        before = _edits_applied(data, sid, me)
        port = int(server.url.rsplit(":", 1)[1])
        server.stop()  # the server goes down mid-scoring; the expert keeps scoring
        score(0, 1, "8")
        qtbot.waitUntil(lambda: page.sync_indicator.state is SyncState.OFFLINE, timeout=20_000)
        score(1, 0, "19")
        qtbot.waitUntil(lambda: page.sync_indicator.state is SyncState.OFFLINE and page.sync_indicator.pending == 2,
                        timeout=20_000)
        assert "Offline" in page.sync_indicator.text()
        shot(page, "evaluation-offline")
        server = serve(data, port)  # back at the same address: the page syncs again by itself
        qtbot.waitUntil(lambda: page.sync_indicator.state is SyncState.SYNCED, timeout=30_000)
        cells = _my_cells(c, me)
        assert {k[1:]: (v[0], v[2]) for k, v in cells.items() if k[0] == "score"} == {
            ("bid-a", "tech"): ("21.00", 1), ("bid-a", "service"): ("8.00", 1), ("bid-b", "tech"): ("19.00", 1)}
        assert _edits_applied(data, sid, me) - before == 2  # each edit made offline applied exactly once

        # Another device of the same expert changes a cell: the page's edit of it is a conflict, shown with what
        # happened, never resolved silently; acknowledging it lets it go (it stays in the journal).
        with open_workspace(signed.client, sid, me, path=tmp_path / "laptop.sqlite") as laptop:
            laptop.score("bid-c", "tech", "12")
        score(2, 0, "13")
        qtbot.waitUntil(lambda: page.sync_indicator.state is SyncState.CONFLICT, timeout=20_000)
        assert "evaluation.cell_changed" in page.sync_indicator.text()
        assert page.acknowledge_button.isVisible()
        assert _my_cells(c, me)[("score", "bid-c", "tech")][0] == "12.00"  # the other device's value stands
        # The grid shows the value the server holds, the cell marked with what happened to the edit.
        qtbot.waitUntil(lambda: table.item(2, 0).text() == "12.00"
                        and "evaluation.cell_changed" in table.item(2, 0).toolTip(), timeout=20_000)
        shot(page, "evaluation-conflict")
        qtbot.mouseClick(page.acknowledge_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: page.sync_indicator.state is SyncState.SYNCED
                        and "evaluation.cell_changed" not in table.item(2, 0).toolTip(), timeout=20_000)
        assert not page.acknowledge_button.isVisible() and table.item(2, 0).text() == "12.00"
    finally:
        if pages is not None:
            pages.close()
        server.stop()
