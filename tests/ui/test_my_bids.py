"""What a clerk expects around the bid, on the real widgets: My bids (state, countdown, the stale notice
after a clarification), the deadline on every tab, the receipt as PDF and the export from the submit page,
and Help → the user guide and the opening, in the app's language."""

from __future__ import annotations

import os
import zipfile
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from bidclient import bid_project as bp
from bidclient.protocol.auth import AccountOut
from bidclient.sealed_export import README_NAME
from bidclient.signin import SignedIn
from tests.bidclient.test_bid_project import tender_folder
from tests.bidclient.test_my_bids import make_project, seal
from tests.forms.test_render import pdftotext
from tests.server.submission_helpers import clarify, login, make_tender
from tests.submitted_bid import submit_bid
from ui.bidder.workspace import MY_BIDS, SUBMIT, TENDERS, BidderWorkspace
from ui.help_dialog import HelpDialog
from ui.main_window import MainWindow


@pytest.fixture
def bids_root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "bids"
    root.mkdir()
    monkeypatch.setenv("BIDCLIENT_BIDS_DIR", str(root))
    return root


def screenshot(window: MainWindow, widget: Any, name: str) -> None:
    """With BIDCLIENT_SCREENSHOTS_DIR set, save ``widget`` in zh_CN for the user guide."""
    folder = os.environ.get("BIDCLIENT_SCREENSHOTS_DIR")
    if not folder:
        return
    window.languages.set_language("zh_CN")
    QApplication.processEvents()
    assert widget.grab().save(str(Path(folder) / f"{name}.png"))
    window.languages.set_language("en")


def workspace(window: MainWindow) -> BidderWorkspace:
    ws = window.workspaces["bidder"]
    assert isinstance(ws, BidderWorkspace)
    return ws


def rows(ws: BidderWorkspace) -> dict[str, list[str]]:
    table = ws.my_bids.table
    return {table.item(r, 0).text(): [table.item(r, c).text() for c in range(table.columnCount())]
            for r in range(table.rowCount())}


def sign_in_as(window: MainWindow, server: Any, pki: Any) -> Any:
    bidder = login(server.url, pki, "ent-a")
    account = AccountOut.model_validate(bidder.client.get_json("/api/v1/auth/me"))
    window.context.set_session(SignedIn(server.url, bidder.client, account, None))
    return bidder


def test_my_bids_lists_states_counts_down_and_flags_a_clarification(  # type: ignore[no-untyped-def]
        qtbot, bids_root: Path, window: MainWindow, sqlite_server, pki) -> None:
    tender_id = make_tender(sqlite_server.data, deadline_in=timedelta(days=3))
    make_project(bids_root, "draft", pki)
    seal(make_project(bids_root, "sealed", pki, deadline_in=timedelta(days=1)), pki)
    # A draft answering the server's tender (same id), version 1.
    folder = tender_folder(bids_root / ".server-tender", pki, edit=lambda d: d.update(tender_id=tender_id))
    stale = bp.create_project(bids_root / "answers-server", folder, bidder_name="示例建设工程有限公司")

    ws = workspace(window)
    ws.tabs.setCurrentIndex(MY_BIDS)
    table = rows(ws)
    states = {ws.my_bids.table.item(r, 0).data(Qt.ItemDataRole.UserRole).split("/")[-1]:
              ws.my_bids.table.item(r, 2).text() for r in range(ws.my_bids.table.rowCount())}
    assert states == {"sealed": "sealed, not submitted", "draft": "draft", "answers-server": "draft"}
    assert next(iter(table.values()))[0] == "ZB-2026-007"  # soonest deadline first: the sealed one
    # Signed out: the countdown says it runs on this computer's clock.
    assert any("left (this computer's clock)" in r[4] for r in table.values())
    assert "Beijing time" in next(iter(table.values()))[3]

    # Signed in: the server says version 2 (a clarification) — the draft answering version 1 is stale.
    clarify(sqlite_server.data, tender_id)
    sign_in_as(window, sqlite_server, pki)
    qtbot.waitUntil(lambda: not ws.my_bids.busy and ws.my_bids.versions.get(tender_id) == 2, timeout=30_000)
    notice = rows(ws)[tender_id][5]
    assert "version 2" in notice and "stale" in notice
    assert "stale" in ws.my_bids.summary.text()
    assert "computer's clock" not in rows(ws)[tender_id][4] and rows(ws)[tender_id][4].endswith("left")

    # Opening a draft from the list makes it the current one; its deadline shows above every tab.
    row = [ws.my_bids.table.item(r, 0).text() for r in range(ws.my_bids.table.rowCount())].index(tender_id)
    ws.my_bids.table.selectRow(row)
    qtbot.mouseClick(ws.my_bids.open_button, Qt.MouseButton.LeftButton)
    assert ws.project is not None and ws.project.directory == stale.directory
    assert ws.tabs.currentIndex() == TENDERS
    assert tender_id in ws.deadline_badge.text()  # at once, not on the next tick
    for index in (TENDERS, MY_BIDS):
        ws.tabs.setCurrentIndex(index)
        assert ws.deadline_badge.isVisible()
    assert tender_id in ws.deadline_badge.text() and "left" in ws.deadline_badge.text()
    ws.tabs.setCurrentIndex(MY_BIDS)
    screenshot(window, window, "bidder-my-bids")


def test_receipt_pdf_and_export_from_the_submit_page(  # type: ignore[no-untyped-def]
        qtbot, bids_root: Path, window: MainWindow, sqlite_server, pki, tmp_path: Path) -> None:
    project = make_project(bids_root, "submitted", pki)
    submitted = submit_bid(sqlite_server, pki, seal(project, pki))
    ws = workspace(window)
    ws.open_project_folder(project.directory)
    assert ws.tabs.currentIndex() == SUBMIT
    actions = ws.submit_page.receipt_actions
    assert actions.isVisible() and actions.pdf_button.isEnabled() and actions.export_button.isEnabled()

    out = tmp_path / "回执"
    actions.choose_pdf = lambda: out
    qtbot.mouseClick(actions.pdf_button, Qt.MouseButton.LeftButton)
    pdf = out.with_name("回执.pdf")
    text = pdftotext(pdf)
    assert "投标文件递交回执" in text and submitted.tender_id in text
    assert "saved as" in actions.status.text()

    archive = tmp_path / "backup.zip"
    actions.choose_export = lambda: archive
    with qtbot.waitSignal(actions.exported, timeout=30_000):
        qtbot.mouseClick(actions.export_button, Qt.MouseButton.LeftButton)
    with zipfile.ZipFile(archive) as zf:
        assert README_NAME in zf.namelist() and zf.read(submitted.bid.name) == submitted.bid.read_bytes()
    assert "checked against the receipt" in actions.status.text()
    window.languages.set_language("zh_CN")  # the status line follows the language
    assert "已与回执核对一致" in actions.status.text()
    window.languages.set_language("en")
    ws.submit_page.scroll_area.ensureWidgetVisible(actions.status)
    screenshot(window, window, "bidder-receipt-export")

    # A receipt that no longer verifies is not printed: the reason is shown, no file is written.
    submitted.receipt.write_text(submitted.receipt.read_text().replace('"size": ', '"size": 1', 1))
    again = tmp_path / "again.pdf"
    actions.choose_pdf = lambda: again
    qtbot.mouseClick(actions.pdf_button, Qt.MouseButton.LeftButton)
    assert not again.exists()
    assert actions.error_view.message is not None and actions.error_view.message.code.startswith("receipt.")
    qtbot.waitUntil(lambda: not ws.my_bids.busy, timeout=10_000)


def _help_dialogs() -> list[HelpDialog]:
    return [w for w in QApplication.topLevelWidgets() if isinstance(w, HelpDialog) and w.isVisible()]


def test_help_shows_the_guide_and_the_opening_in_the_apps_language(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    assert window.guide_action in window.help_menu.actions()
    window.guide_action.trigger()
    dialog = _help_dialogs()[-1]
    assert dialog.windowTitle() == "User guide"
    assert "bidclient user guide" in dialog.browser.toPlainText()
    # The guide follows the app's language, also while it is open (issue 9: "in the app's language").
    window.languages.set_language("zh_CN")
    assert dialog.path.name == "user-guide.zh_CN.md" and dialog.windowTitle() == "用户指南"
    text = dialog.browser.toPlainText()
    assert "bidclient 用户指南" in text and "预览整本投标文件" in text and "bidclient user guide" not in text
    window.languages.set_language("en")
    assert dialog.path.name == "user-guide.md"
    screenshot(window, dialog, "help-guide")
    dialog.close()
    window.languages.set_language("zh_CN")
    window.guide_action.trigger()
    dialog = _help_dialogs()[-1]
    assert dialog.path.name == "user-guide.zh_CN.md" and "投标人工作区" in dialog.browser.toPlainText()
    dialog.close()
    window.languages.set_language("en")

    window.languages.set_language("zh_CN")
    window.opening_help_action.trigger()
    dialog = _help_dialogs()[-1]
    assert "开标时会发生什么" in dialog.browser.toPlainText()
    assert dialog.windowTitle() == "开标时会发生什么" and dialog.close_button.text() == "关闭"
    assert dialog.path.name == "opening.zh_CN.md"
    screenshot(window, dialog, "help-opening")
    dialog.close()
