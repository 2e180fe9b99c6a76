"""What the submit page says about the bid on the server, through the real widgets against a real server:
a withdrawal is confirmed before its PIN (saying what the PIN authorises); a cancelled PIN leaves the bid
in and says so; after sealing a replacement the page says the earlier bid is on the server and will be
replaced; every submission is listed; a submitted bid shows 100 % after a restart; after the deadline a
bidder whose bid is in sees it confirmed with the receipt and the opening time; status lines follow a
language switch."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QMessageBox, QPushButton

from bidclient.timefmt import format_time
from tests.server.test_submission_faults import ServerProcess
from tests.ui import test_bidder_flow as flow
from tests.ui.conftest import answer_pin, open_pin_dialogs
from tests.ui.test_bidder_flow import (
    big_pdf,
    fetch,
    fill_forms,
    link_all,
    publish,
    seal,
    sign_in,
    type_into,
    workspace,
)
from ui.bidder.submit_page import SubmitPage
from ui.bidder.workspace import SEAL, SUBMIT, BidderWorkspace
from ui.main_window import MainWindow

LEFT = Qt.MouseButton.LeftButton
server = flow.server  # the bidder flow's fixtures: a server process, drafts in a temporary folder
bids_dir = flow.bids_dir


def confirm_box(qtbot, page: SubmitPage) -> QMessageBox:  # type: ignore[no-untyped-def]
    qtbot.mouseClick(page.withdraw_button, LEFT)
    qtbot.waitUntil(lambda: page.confirm_box is not None and page.confirm_box.isVisible(), timeout=5000)
    assert page.confirm_box is not None
    return page.confirm_box


def press(qtbot, box: QMessageBox, name: str) -> None:  # type: ignore[no-untyped-def]
    button = box.findChild(QPushButton, name)
    assert button is not None, name
    qtbot.mouseClick(button, LEFT)
    qtbot.waitUntil(lambda: not box.isVisible())


def submit(qtbot, page: SubmitPage) -> None:  # type: ignore[no-untyped-def]
    qtbot.waitUntil(lambda: page.submit_button.isEnabled(), timeout=10_000)
    qtbot.mouseClick(page.submit_button, LEFT)
    qtbot.waitUntil(lambda: not page.busy, timeout=60_000)
    assert page.error_view.message is None, page.error_view.message


def states(page: SubmitPage) -> list[str]:
    return [page.history_table.item(row, 3).text() for row in range(page.history_table.rowCount())]


def test_withdrawal_replacement_history_and_the_deadline(  # type: ignore[no-untyped-def]
        qtbot, window: MainWindow, server: ServerProcess, pki, tmp_path: Path) -> None:
    publish(server, pki, tmp_path, "ZB-2026-201")
    ws = workspace(window)
    sign_in(qtbot, window, server, pki)
    fetch(qtbot, ws, "ZB-2026-201")
    fill_forms(qtbot, ws)
    link_all(qtbot, ws, big_pdf(tmp_path / "p.pdf"))
    seal(qtbot, window, ws, pki.user_pin)
    qtbot.waitUntil(lambda: ws.seal_page.result is not None, timeout=120_000)
    ws.tabs.setCurrentIndex(SUBMIT)
    page = ws.submit_page
    submit(qtbot, page)
    first = page.verified
    assert first is not None
    assert states(page) == ["In: the bid that counts"]
    client = window.context.client()
    assert client is not None

    # Withdraw: first a confirmation that says what the PIN authorises; no PIN is asked before it.
    asked = window.pin_source.times_asked
    box = confirm_box(qtbot, page)
    assert "withdrawal statement" in box.informativeText() and first.receipt_id in box.informativeText()
    assert format_time(first.time) in box.informativeText()
    assert window.pin_source.times_asked == asked and not open_pin_dialogs()
    press(qtbot, box, "keepBid")
    assert page.status.text() == "Not withdrawn: your bid is still in."
    assert window.pin_source.times_asked == asked

    # The PIN cancelled: nothing signed, the bid is still in, and no error with a command-line hint.
    press(qtbot, confirm_box(qtbot, page), "confirmWithdraw")
    answer_pin(qtbot, None)
    qtbot.waitUntil(lambda: not page.busy, timeout=30_000)
    assert "no PIN was given" in page.status.text() and "still in" in page.status.text()
    assert page.error_view.message is None and not page.error_view.isVisible()
    assert client.get_json(f"/api/v1/submissions/{first.submission_id}")["status"] == "active"
    assert page.withdraw_button.isEnabled()

    # After a restart the submitted bid shows as fully uploaded, not 0 %.
    again = BidderWorkspace(window.context)
    qtbot.addWidget(again)
    restored = again.submit_page
    assert restored.verified is not None and restored.progress.value() == 100, (  # what the user would see
        again.error_view.message, restored.error_view.message, restored.bid_path(),
        [(e.bid, e.submitted is not None, e.problem) for e in restored.history])

    # The forms change after sealing: the seal page no longer says "Sealed." as if nothing happened.
    ws.tabs.setCurrentIndex(SEAL)
    assert ws.seal_page.status.text() == "Sealed."
    type_into(qtbot, ws.forms.letter.edits["quality"], "，优良")
    assert ws.seal_page.status.text().startswith("The bid changed after it was sealed"), ws.seal_page.status.text()
    assert ws.seal_page.result_label.text() == ""
    ws.tabs.setCurrentIndex(SUBMIT)

    # A replacement: sealed, the page says the earlier bid is on the server and will be replaced.
    qtbot.mouseClick(page.replace_button, LEFT)
    assert ws.tabs.currentIndex() == SEAL
    seal(qtbot, window, ws, pki.user_pin)
    qtbot.waitUntil(lambda: not ws.seal_page.busy, timeout=120_000)
    # A failed seal must say why here (it once timed out in a loaded full run without saying).
    assert ws.seal_page.result is not None, (ws.seal_page.status.text(), ws.seal_page.error_view.message)
    ws.tabs.setCurrentIndex(SUBMIT)
    assert page.verified is None
    assert page.replace_note.isVisible() and "replaces it" in page.replace_note.text()
    assert format_time(first.time) in page.replace_note.text()
    assert "No receipt yet" not in page.receipt_label.text()
    assert "Earlier submission" in page.receipt_label.text() and first.submission_id in page.receipt_label.text()
    assert page.submit_button.text() == "&Submit, replacing the earlier bid"
    assert states(page) == ["Sealed, not submitted yet", "In: the bid that counts"]  # newest first

    submit(qtbot, page)
    assert "replaces your earlier bid" in page.status.text()
    assert states(page) == ["In: the bid that counts", "Replaced by a later submission"]
    second = page.verified
    assert second is not None and second.submission_id != first.submission_id
    # What the server holds, receipts verified: both submissions, the earlier replaced by the later.
    panel = page.server_history
    qtbot.waitUntil(lambda: not panel.busy and panel.table.rowCount() == 2, timeout=30_000)
    assert panel.error_view.message is None, panel.error_view.message
    shown = [panel.table.item(r, 3).text() for r in range(2)]
    assert shown == ["Active: the bid the opening will decrypt", f"Replaced by {second.submission_id[:8]}…"]
    assert panel.table.item(1, 0).toolTip() == first.submission_id
    assert panel.table.item(0, 1).text() == format_time(second.time, seconds=True)

    # The status line follows a language switch (it used to stay English).
    window.languages.set_language("zh_CN")
    try:
        assert any("\u4e00" <= ch <= "\u9fff" for ch in page.status.text()), page.status.text()
        header = ws.browser.table.horizontalHeaderItem(3).text()
        assert "北京时间 (UTC+8)" in header, header  # the deadline column names the zone, in the new language
    finally:
        window.languages.set_language("en")

    # After the deadline (by the server clock): the bid is confirmed in, with its receipt and the opening.
    assert ws.project is not None
    definition = ws.project.definition
    client.clock_offset += (definition.bid_deadline - client.server_now()) + timedelta(minutes=1)
    page.tick()
    QApplication.processEvents()
    text = page.countdown.text()
    assert text.startswith("The deadline has passed and your bid is in"), text
    assert format_time(second.time) in text and format_time(definition.opening_time) in text
    assert "no longer accepted" not in text
    assert not page.withdraw_button.isEnabled() and not page.submit_button.isEnabled()
