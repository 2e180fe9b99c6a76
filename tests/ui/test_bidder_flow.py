"""The whole bidder flow through the real widgets, against a real server (SQLite, its own process) and
SoftHSM tokens: sign in, fetch the tender, fill the forms, link the criteria, seal, submit, receipt,
withdraw — and the error paths: a wrong PIN (asked once, never retried), the server dying mid-upload
(resumed after the server and the app restart), the deadline passing while sealing.

Screenshots of each page in zh_CN go to BIDCLIENT_SCREENSHOTS_DIR (docs/screenshots to refresh the
user guide's pictures), else to a temporary folder where they are only checked."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from PySide6.QtCore import QPoint, QSettings, Qt
from PySide6.QtWidgets import QApplication, QPushButton
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen import canvas

from bidclient import receipts
from bidclient.api_client import ApiClient
from bidclient.submit import load_state, receipt_path
from server.cli import main as server_main
from tests.server.test_submission_faults import ServerProcess
from tests.server.test_tenders import AGENCY, logged_in, publish_new, signer
from tests.ui.conftest import answer_pin
from tests.ui.test_main_window import _unnamed_interactive
from ui.app import build_main_window
from ui.bidder.workspace import DOCUMENTS, FORMS, SEAL, SUBMIT, TENDERS, BidderWorkspace
from ui.main_window import MainWindow

BIDDER = "ent-a"
LEFT = Qt.MouseButton.LeftButton


@pytest.fixture(autouse=True)
def bids_dir(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    folder = tmp_path / "bids"
    monkeypatch.setenv("BIDCLIENT_BIDS_DIR", str(folder))
    return folder


@pytest.fixture
def server(tmp_path: Path, pki: Any) -> Iterator[ServerProcess]:  # type: ignore[no-untyped-def]
    """A server process (SQLite) that a test may kill and start again on the same port."""
    data = tmp_path / "server"
    assert server_main(["init", "--data", str(data)]) == 0
    trust_files = [str(p) for p in sorted(Path(pki.trust_dir).glob("*.pem"))]
    crl_files = [str(p) for p in sorted(Path(pki.crl_dir).glob("*"))]
    assert server_main(["admin", "trust-add", "--data", str(data), *trust_files, *crl_files]) == 0
    assert server_main(["admin", "grant", "--data", str(data), "--identity", f"uscc:{pki.party(AGENCY).uscc}",
                        "--role", "agency"]) == 0
    process = ServerProcess(data).start()
    try:
        yield process
    finally:
        if process.proc is not None and process.proc.poll() is None:
            process.kill()


def publish(server: ServerProcess, pki: Any, tmp_path: Path, tender_id: str, *,  # type: ignore[no-untyped-def]
            deadline: datetime | None = None) -> None:
    sign = signer(pki, AGENCY)
    client = logged_in(server, sign)
    docs = tmp_path / f"docs-{tender_id}"
    docs.mkdir()
    pdf = docs / "招标文件.pdf"
    page = canvas.Canvas(str(pdf))
    page.drawString(72, 720, "tender document")
    page.save()
    publish_new(client, sign, pki, tender_id, [pdf], deadline=deadline)


def big_pdf(path: Path, pages: int = 2, noise: int = 0) -> Path:
    """A PDF of ``pages`` pages; ``noise`` > 0 adds an incompressible image of about noise² × 3 bytes."""
    pdf = canvas.Canvas(str(path))
    for n in range(pages):
        pdf.drawString(72, 760, f"technical proposal, page {n + 1}")
        if noise and n == 0:
            image = Image.frombytes("RGB", (noise, noise), os.urandom(noise * noise * 3))
            pdf.drawImage(ImageReader(image), 72, 200, 400, 400)
        pdf.showPage()
    pdf.save()
    return path


def type_into(qtbot: Any, edit: Any, text: str) -> None:
    """Type like a user; QTest cannot synthesise key events for CJK text, which an input method
    inserts as a whole, so that is what happens here too."""
    edit.setFocus()
    if text.isascii():
        qtbot.keyClicks(edit, text)
    else:
        edit.insert(text)


def workspace(window: MainWindow) -> BidderWorkspace:
    ws = window.workspaces["bidder"]
    assert isinstance(ws, BidderWorkspace)
    return ws


def sign_in(qtbot: Any, window: MainWindow, server: ServerProcess, pki: Any) -> None:  # type: ignore[no-untyped-def]
    qtbot.mouseClick(workspace(window).sign_in_button, LEFT)
    dialog = window.signin_dialog
    assert dialog is not None
    qtbot.waitUntil(lambda: dialog.key_combo.count() > 0 and not dialog.busy, timeout=60_000)
    dialog.server_edit.setText(server.url)
    dialog.select_token(pki.party(BIDDER).token_label or BIDDER)
    qtbot.mouseClick(dialog.sign_in_button, LEFT)
    answer_pin(qtbot, pki.user_pin)
    qtbot.waitUntil(lambda: window.context.session is not None, timeout=60_000)


def fetch(qtbot: Any, ws: BidderWorkspace, tender_id: str) -> None:
    qtbot.mouseClick(ws.browser.refresh_button, LEFT)
    qtbot.waitUntil(lambda: any(t.tender_id == tender_id for t in ws.browser.tenders) and not ws.browser.busy,
                    timeout=30_000)
    ws.browser.select_tender(tender_id)
    qtbot.mouseClick(ws.browser.fetch_button, LEFT)
    qtbot.waitUntil(lambda: ws.project is not None and ws.project.definition.tender_id == tender_id,
                    timeout=60_000)
    assert ws.browser.error_view.message is None


def fill_forms(qtbot: Any, ws: BidderWorkspace) -> None:
    ws.tabs.setCurrentIndex(FORMS)
    letter, schedule = ws.forms.letter, ws.forms.schedule
    for name, text in (("legal_representative", "王五"), ("bid_amount", "1,280,000.00"), ("duration_days", "30"),
                       ("quality", "合格"), ("validity_days", "90")):
        type_into(qtbot, letter.edits[name], text)
    qtbot.mouseClick(letter.words_buttons["bid_amount_words"], LEFT)
    assert letter.edits["bid_amount_words"].text() == "人民币壹佰贰拾捌万元整"
    ws.forms.set_line(0, {"item": "台式计算机", "unit": "台", "quantity": "200", "unit_price": "5,000.00",
                          "total": "1,000,000.00"})
    ws.forms.set_line(1, {"item": "显示器", "unit": "台", "quantity": "200", "unit_price": "1,400.00",
                          "total": "280,000.00"})
    qtbot.mouseClick(ws.forms.sum_button, LEFT)
    assert schedule.edits["total_words"].text() == "人民币壹佰贰拾捌万元整"
    # The schedule repeats the letter (typed once): amount, duration, representative.
    assert schedule.edits["total"].text() == "1,280,000.00" and schedule.edits["total"].isReadOnly()
    assert schedule.edits["duration_days"].text() == "30" and schedule.edits["legal_representative"].text() == "王五"
    assert ws.forms.validate() == 0, ws.project.form_issues() if ws.project else None  # type: ignore[union-attr]
    assert ws.forms.summary.text() == "The forms are complete and consistent."


def link_all(qtbot: Any, ws: BidderWorkspace, pdf: Path) -> None:
    ws.tabs.setCurrentIndex(DOCUMENTS)
    ws.documents.attach_files("technical", [pdf])
    ws.documents.select_criterion("tech")
    ws.documents.select_file("technical/" + pdf.name)
    ws.documents.page_spin.setValue(2)
    qtbot.mouseClick(ws.documents.link_button, LEFT)
    assert ws.documents.coverage_label.text() == "2 of 2 scoring criteria linked"


def seal(qtbot: Any, window: MainWindow, ws: BidderWorkspace, pin: str) -> None:
    ws.tabs.setCurrentIndex(SEAL)
    qtbot.waitUntil(lambda: ws.seal_page.seal_button.isEnabled(), timeout=60_000)
    qtbot.mouseClick(ws.seal_page.seal_button, LEFT)
    answer_pin(qtbot, pin)


def test_whole_bidder_flow_from_tender_to_receipt(qtbot, window: MainWindow, server: ServerProcess, pki,  # type: ignore[no-untyped-def]
                                                   tmp_path: Path, settings: QSettings) -> None:
    publish(server, pki, tmp_path, "ZB-2026-101")
    ws = workspace(window)
    assert not ws.tabs.isTabEnabled(FORMS) and not ws.tabs.isTabEnabled(SUBMIT)
    sign_in(qtbot, window, server, pki)
    fetch(qtbot, ws, "ZB-2026-101")
    assert "version 1" in ws.browser.detail.text() and "signature verified" in ws.browser.detail.text()
    assert ws.browser.documents.count() == 1 and ws.browser.criteria.rowCount() == 2
    assert ws.tabs.isTabEnabled(FORMS)

    # Live validation: a wrong amount in words is flagged next to the field, then fixed.
    ws.tabs.setCurrentIndex(FORMS)
    words = ws.forms.letter.edits["bid_amount_words"]
    type_into(qtbot, ws.forms.letter.edits["bid_amount"], "1,280,000.00")
    type_into(qtbot, words, "人民币壹佰万元整")
    problem = ws.forms.letter.problems["bid_amount_words"]
    assert problem.isVisible() and "1,000,000.00" in problem.text() and "1,280,000.00" in problem.text()
    words.clear()
    ws.forms.letter.edits["bid_amount"].clear()
    assert "required" in problem.text()
    fill_forms(qtbot, ws)
    assert not problem.isVisible()

    # Coverage: the technical criterion is red until linked; sealing warns meanwhile.
    ws.tabs.setCurrentIndex(DOCUMENTS)
    assert ws.documents.coverage_label.text() == "1 of 2 scoring criteria linked"
    row = [ws.documents.criteria.item(r, 0).text() for r in range(2)].index("技术方案")
    assert ws.documents.criteria.item(row, 4).background().color().name() == "#ffd6d6"
    ws.tabs.setCurrentIndex(SEAL)
    qtbot.waitUntil(lambda: ws.seal_page.key is not None, timeout=60_000)
    assert any("技术方案" in ws.seal_page.warning_list.item(i).text()
               for i in range(ws.seal_page.warning_list.count()))
    assert not ws.seal_page.seal_button.isEnabled() and ws.seal_page.accept_box.isVisible()
    link_all(qtbot, ws, big_pdf(tmp_path / "技术方案.pdf", pages=3))
    assert ws.documents.criteria.item(row, 4).background().color().name() == "#dcf5dc"

    asked = window.pin_source.times_asked
    seal(qtbot, window, ws, pki.user_pin)
    qtbot.waitUntil(lambda: ws.seal_page.result is not None or ws.seal_page.error_view.message is not None,
                    timeout=120_000)
    assert ws.seal_page.error_view.message is None, ws.seal_page.error_view.message
    assert "Self-check passed" in ws.seal_page.result_label.text()
    assert ws.project is not None and ws.project.sealed is not None
    assert ws.tabs.isTabEnabled(SUBMIT)

    ws.tabs.setCurrentIndex(SUBMIT)
    page = ws.submit_page
    assert page.countdown.text().startswith("Time left until the deadline (server clock):")
    qtbot.mouseClick(page.submit_button, LEFT)
    qtbot.waitUntil(lambda: page.verified is not None or page.error_view.message is not None, timeout=60_000)
    assert page.error_view.message is None, page.error_view.message
    assert window.pin_source.times_asked == asked + 1  # one PIN entry for signing, sealing and submitting
    bid = ws.project.sealed_path()
    assert bid is not None
    saved = receipt_path(bid)
    verified = receipts.verify_receipt(receipts.load_receipt(saved), bid=bid)  # offline, from the file alone
    assert verified.envelope_sha256 == ws.project.sealed.envelope_sha256
    text = page.receipt_label.text()
    assert "Submission: verified ✓" in text and verified.envelope_sha256 in text and "matches the sealed bid" in text
    assert page.withdraw_button.isEnabled() and not page.submit_button.isEnabled()

    # The state survives a restart: the receipt is verified again from the draft.
    again = BidderWorkspace(window.context)
    qtbot.addWidget(again)
    assert again.project is not None and again.project.directory == ws.project.directory
    assert again.submit_page.verified is not None and again.submit_page.verified.receipt_id == verified.receipt_id
    assert again.project.links["tech"].page == 2

    screenshots(qtbot, window, ws)

    qtbot.mouseClick(page.withdraw_button, LEFT)
    qtbot.waitUntil(lambda: page.confirm_box is not None and page.confirm_box.isVisible())
    assert page.confirm_box is not None
    qtbot.mouseClick(page.confirm_box.findChild(QPushButton, "confirmWithdraw"), LEFT)  # what the PIN authorises
    answer_pin(qtbot, pki.user_pin)
    qtbot.waitUntil(lambda: page.withdrawn is not None or page.error_view.message is not None, timeout=60_000)
    assert page.error_view.message is None, page.error_view.message
    assert "Withdrawal: verified ✓" in page.receipt_label.text()
    assert page.replace_button.isEnabled() and not page.withdraw_button.isEnabled()
    client = window.context.client()
    assert client is not None
    status = client.get_json(f"/api/v1/submissions/{verified.submission_id}")["status"]
    assert status == "withdrawn"


def screenshots(qtbot: Any, window: MainWindow, ws: BidderWorkspace) -> None:  # type: ignore[no-untyped-def]
    folder = Path(os.environ.get("BIDCLIENT_SCREENSHOTS_DIR") or (Path(ws.root) / "screenshots"))
    folder.mkdir(parents=True, exist_ok=True)
    window.languages.set_language("zh_CN")
    try:
        assert ws.tabs.tabText(SEAL) == "4 加密"
        for index, name in ((TENDERS, "bidder-tenders"), (FORMS, "bidder-forms"), (DOCUMENTS, "bidder-links"),
                            (SEAL, "bidder-seal"), (SUBMIT, "bidder-submit")):
            ws.tabs.setCurrentIndex(index)
            QApplication.processEvents()
            if index == FORMS:  # the priced lines with their Excel import and export, as the guide says
                ws.forms.scroll_area.ensureWidgetVisible(ws.forms.export_button, 50, 50)
                QApplication.processEvents()
                viewport = ws.forms.scroll_area.viewport()
                for button in (ws.forms.import_button, ws.forms.export_button):
                    top = button.mapTo(viewport, QPoint(0, 0)).y()
                    assert 0 <= top and top + button.height() <= viewport.height(), button.objectName()
            assert _unnamed_interactive(window) == [], name  # every page, not only the first
            path = folder / f"{name}.png"
            assert window.grab().save(str(path))
            assert path.stat().st_size > 5000
    finally:
        window.languages.set_language("en")


def test_wrong_pin_is_reported_and_not_retried(qtbot, window: MainWindow, server: ServerProcess, pki,  # type: ignore[no-untyped-def]
                                               tmp_path: Path) -> None:
    publish(server, pki, tmp_path, "ZB-2026-102")
    ws = workspace(window)
    sign_in(qtbot, window, server, pki)
    fetch(qtbot, ws, "ZB-2026-102")
    fill_forms(qtbot, ws)
    link_all(qtbot, ws, big_pdf(tmp_path / "p.pdf"))
    asked = window.pin_source.times_asked
    seal(qtbot, window, ws, "00000000")
    qtbot.waitUntil(lambda: ws.seal_page.error_view.message is not None, timeout=60_000)
    assert ws.seal_page.error_view.message.code == "token.pin_incorrect"  # type: ignore[union-attr]
    time.sleep(0.5)
    QApplication.processEvents()
    assert window.pin_source.times_asked == asked + 1  # asked once; the app never retries a PIN by itself
    assert ws.project is not None and ws.project.sealed is None
    assert ws.seal_page.seal_button.isEnabled()  # the user may try again, knowingly


def test_upload_survives_a_dead_server_and_an_app_restart(qtbot, qapp, window: MainWindow, server: ServerProcess,  # type: ignore[no-untyped-def]
                                                          pki, tmp_path: Path, settings: QSettings) -> None:
    publish(server, pki, tmp_path, "ZB-2026-103")
    ws = workspace(window)
    sign_in(qtbot, window, server, pki)
    fetch(qtbot, ws, "ZB-2026-103")
    fill_forms(qtbot, ws)
    link_all(qtbot, ws, big_pdf(tmp_path / "big.pdf", noise=900))  # about 2.4 MB
    seal(qtbot, window, ws, pki.user_pin)
    qtbot.waitUntil(lambda: ws.seal_page.result is not None or ws.seal_page.error_view.message is not None,
                    timeout=120_000)
    assert ws.project is not None and ws.project.sealed is not None
    bid = ws.project.sealed_path()
    assert bid is not None and bid.stat().st_size > 2 << 20

    ws.tabs.setCurrentIndex(SUBMIT)
    page = ws.submit_page
    page.chunk_size = 64 << 10  # the server's smallest chunk: many round trips to interrupt
    seen: list[int] = []

    def kill_once(held: int, total: int) -> None:
        seen.append(held)
        if 0 < held < total and server.proc is not None and server.proc.poll() is None:
            server.kill()

    qtbot.mouseClick(page.submit_button, LEFT)
    assert page._task is not None
    page._task.signals.progress.connect(kill_once)
    qtbot.waitUntil(lambda: page.error_view.message is not None or page.verified is not None, timeout=90_000)
    assert page.verified is None
    assert page.error_view.message.code == "net.unreachable"  # type: ignore[union-attr]
    assert "Resume the upload" in page.status.text()
    assert load_state(bid) is not None and page.submit_button.text() == "&Resume the upload"

    # The app is closed and started again; the server comes back on the same address.
    qtbot.waitUntil(lambda: not ws.busy, timeout=30_000)
    window.close()
    server.start()
    restarted = build_main_window(qapp, settings, "en")
    qtbot.addWidget(restarted)
    restarted.show()
    try:
        ws2 = workspace(restarted)
        assert ws2.project is not None and ws2.project.sealed is not None
        sign_in(qtbot, restarted, server, pki)
        ws2.tabs.setCurrentIndex(SUBMIT)
        page2 = ws2.submit_page
        qtbot.waitUntil(lambda: page2.submit_button.isEnabled(), timeout=10_000)
        assert page2.submit_button.text() == "&Resume the upload"
        page2.chunk_size = 64 << 10
        held: list[int] = []
        qtbot.mouseClick(page2.submit_button, LEFT)
        assert page2._task is not None
        page2._task.signals.progress.connect(lambda h, _t: held.append(h))
        qtbot.waitUntil(lambda: page2.verified is not None or page2.error_view.message is not None, timeout=90_000)
        assert page2.error_view.message is None, page2.error_view.message
        assert held and held[0] > 0  # resumed where the server stopped, not from byte 0
        assert load_state(bid) is None and receipt_path(bid).is_file()
        assert page2.verified is not None and page2.verified.envelope_sha256 == ws2.project.sealed.envelope_sha256
    finally:
        for dialog in (restarted.signin_dialog,):
            if dialog is not None:
                qtbot.waitUntil(lambda d=dialog: not d.busy, timeout=60_000)


def test_deadline_passing_while_sealing_is_reported_and_blocks_submitting(  # type: ignore[no-untyped-def]
        qtbot, window: MainWindow, server: ServerProcess, pki, tmp_path: Path) -> None:
    ws = workspace(window)
    sign_in(qtbot, window, server, pki)
    client = ApiClient(server.url)
    client.get_json("/api/v1/health")
    deadline = (client.server_now() + timedelta(seconds=20)).replace(microsecond=0) + timedelta(seconds=1)
    publish(server, pki, tmp_path, "ZB-2026-104", deadline=deadline)
    fetch(qtbot, ws, "ZB-2026-104")
    fill_forms(qtbot, ws)
    link_all(qtbot, ws, big_pdf(tmp_path / "p.pdf"))
    ws.tabs.setCurrentIndex(SEAL)
    qtbot.waitUntil(lambda: ws.seal_page.seal_button.isEnabled(), timeout=60_000)
    assert datetime.now(UTC) < deadline, "the test machine is too slow for this deadline"
    qtbot.mouseClick(ws.seal_page.seal_button, LEFT)
    # The bidder hesitates at the PIN prompt until the deadline has passed (by the server's clock).
    session_client = window.context.client()
    assert session_client is not None
    qtbot.waitUntil(lambda: session_client.server_now() > deadline, timeout=40_000)
    answer_pin(qtbot, pki.user_pin)
    qtbot.waitUntil(lambda: ws.seal_page.error_view.message is not None, timeout=60_000)
    assert ws.seal_page.error_view.message.code == "bid.deadline_passed"  # type: ignore[union-attr]
    assert "deadline passed" in ws.seal_page.status.text()
    assert not ws.seal_page.seal_button.isEnabled()  # blocked now: the warning says the deadline passed
    ws.tabs.setCurrentIndex(SUBMIT)
    page = ws.submit_page
    page.tick()
    assert page.countdown.text().startswith("The deadline has passed")
    assert not page.submit_button.isEnabled()
