"""scripts/demo's own GUI path, end to end, so it can never break silently again: the demo environment
(devtools.demo_env.prepare: demo PKI, SoftHSM dongles, the server process, the demo tender), the
environment the demo hands the app (devtools.demo.app_environment), the app opened the way the demo
opens it (ui.app.start_demo_sign_in), then every step a new user clicks: sign in with the preselected
dongle and the demo PIN, fetch the tender, fill the forms, link the criteria, seal, submit, and a receipt
verified offline. Also: a re-run hands the app the address the demo actually started.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QApplication

from bidclient import receipts
from bidclient.submit import receipt_path
from crypto import token_worker
from devtools.demo import app_environment
from devtools.demo_env import DemoEnvironment, prepare
from tests.ui.conftest import answer_pin
from tests.ui.test_bidder_flow import big_pdf, type_into, workspace
from ui.app import build_main_window, start_demo_sign_in
from ui.bidder.workspace import DOCUMENTS, FORMS, SEAL, SUBMIT
from ui.main_window import MainWindow

LEFT = Qt.MouseButton.LeftButton


def shot(window: MainWindow, name: str) -> None:
    """BIDCLIENT_DEMO_SHOTS=DIR keeps a picture of each step (to look at the run under a real display)."""
    folder = os.environ.get("BIDCLIENT_DEMO_SHOTS")
    if folder:
        QApplication.processEvents()
        window.grab().save(str(Path(folder) / f"{name}.png"))


def _use_environment(monkeypatch: pytest.MonkeyPatch, wanted: dict[str, str]) -> None:
    """Make os.environ what the demo hands the app (monkeypatch restores it after the test)."""
    for name in [n for n in os.environ if n not in wanted]:
        monkeypatch.delenv(name)
    for name, value in wanted.items():
        if os.environ.get(name) != value:
            monkeypatch.setenv(name, value)


@pytest.fixture
def demo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[DemoEnvironment]:
    # prepare() sets XDG_CONFIG_HOME and SOFTHSM2_CONF for the demo: registered here so they are restored.
    monkeypatch.setenv("XDG_CONFIG_HOME", os.environ.get("XDG_CONFIG_HOME", str(tmp_path / "unused")))
    monkeypatch.setenv("SOFTHSM2_CONF", os.environ.get("SOFTHSM2_CONF", ""))
    monkeypatch.setenv("BIDCLIENT_NO_KEYRING", "1")
    # The test suite's own trust list: prepare() drops it from the environment (restored after the test)
    # and never writes the demo server's CAs into it.
    monkeypatch.setenv("BIDCLIENT_TRUST", os.environ.get("BIDCLIENT_TRUST", str(tmp_path / "suite-trust")))
    monkeypatch.delenv("BIDCLIENT_SERVER", raising=False)
    token_worker.shutdown_all()
    env = prepare(tmp_path / "demo", lambda _line: None)
    try:
        yield env
    finally:
        env.stop()
        token_worker.shutdown_all()  # the next test's dongles are another SoftHSM configuration


def demo_window(qtbot: Any, qapp: QApplication, env: DemoEnvironment, monkeypatch: pytest.MonkeyPatch,  # type: ignore[no-untyped-def]
                settings: QSettings) -> MainWindow:
    _use_environment(monkeypatch, app_environment(env))
    window = build_main_window(qapp, settings, "en")
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    return window


def fill_demo_forms(qtbot: Any, window: MainWindow) -> None:
    ws = workspace(window)
    ws.tabs.setCurrentIndex(FORMS)
    letter, schedule = ws.forms.letter, ws.forms.schedule
    for name, text in (("legal_representative", "王五"), ("bid_amount", "1,280,000.00"), ("duration_days", "30"),
                       ("quality", "合格"), ("validity_days", "90"), ("total_price", "1,280,000.00")):
        if name in letter.edits and not letter.edits[name].text():
            type_into(qtbot, letter.edits[name], text)
    qtbot.mouseClick(letter.words_buttons["bid_amount_words"], LEFT)
    ws.forms.set_line(0, {"item": "台式计算机", "unit": "台", "quantity": "200", "unit_price": "5,000.00",
                          "total": "1,000,000.00"})
    ws.forms.set_line(1, {"item": "显示器", "unit": "台", "quantity": "200", "unit_price": "1,400.00",
                          "total": "280,000.00"})
    qtbot.mouseClick(ws.forms.sum_button, LEFT)
    for name, text in (("legal_representative", "王五"), ("total_price", "1,280,000.00"), ("delivery_days", "30")):
        if name in schedule.edits and not schedule.edits[name].text():
            type_into(qtbot, schedule.edits[name], text)
    assert ws.forms.validate() == 0, ws.project.form_issues() if ws.project else None


def test_demo_gui_path_from_sign_in_to_a_verified_receipt(qtbot, qapp, demo: DemoEnvironment,  # type: ignore[no-untyped-def]
                                                          monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    settings = QSettings(str(demo.data / "config" / "app.ini"), QSettings.Format.IniFormat)
    settings.setValue("server/url", "http://127.0.0.1:1")  # what an earlier run left: the demo's address wins
    window = demo_window(qtbot, qapp, demo, monkeypatch, settings)
    ws = workspace(window)

    # The app opens ready to sign in: the demo server's address and the demo enterprise's dongle chosen.
    assert start_demo_sign_in(window)
    qtbot.waitUntil(lambda: window.signin_dialog is not None and window.signin_dialog.isVisible(), timeout=10_000)
    dialog = window.signin_dialog
    assert dialog is not None and dialog.isModal()
    qtbot.waitUntil(lambda: dialog.key_combo.count() > 0 and not dialog.busy, timeout=60_000)
    assert dialog.server_edit.text() == demo.url
    assert f"token={demo.pki.party('ent-a').token_label}" in str(dialog.key_combo.currentData())
    qtbot.mouseClick(dialog.sign_in_button, LEFT)
    answer_pin(qtbot, demo.pki.user_pin)
    qtbot.waitUntil(lambda: window.context.session is not None, timeout=60_000)
    qtbot.waitUntil(lambda: not window.trust.busy, timeout=30_000)
    assert window.trust.dialog is None  # the demo provisioned the trust list: nothing to ask

    # Fetch the demo tender: its agency signature checked against the synced trust list.
    qtbot.mouseClick(ws.browser.refresh_button, LEFT)
    qtbot.waitUntil(lambda: any(t.tender_id == demo.tender_id for t in ws.browser.tenders) and not ws.browser.busy,
                    timeout=30_000)
    ws.browser.select_tender(demo.tender_id)
    qtbot.mouseClick(ws.browser.fetch_button, LEFT)
    qtbot.waitUntil(lambda: ws.project is not None or ws.browser.error_view.message is not None, timeout=60_000)
    assert ws.browser.error_view.message is None, ws.browser.error_view.message
    assert ws.project is not None
    assert ws.project.directory.is_relative_to(demo.data / "bids")  # never the user's real drafts
    assert "Beijing time (UTC+8)" in ws.browser.detail.text()
    shot(window, "1-tender")

    fill_demo_forms(qtbot, window)
    ws.tabs.setCurrentIndex(DOCUMENTS)
    proposal = big_pdf(tmp_path / "技术方案.pdf", pages=3)
    ws.documents.attach_files("technical", [proposal])
    for criterion, page in (("tech", 1), ("service", 2), ("credit", 3)):
        ws.documents.select_criterion(criterion)
        ws.documents.select_file("technical/" + proposal.name)
        ws.documents.page_spin.setValue(page)
        qtbot.mouseClick(ws.documents.link_button, LEFT)
    assert ws.documents.coverage_label.text() == "4 of 4 scoring criteria linked"
    shot(window, "3-links")

    ws.tabs.setCurrentIndex(SEAL)
    qtbot.waitUntil(lambda: ws.seal_page.seal_button.isEnabled(), timeout=60_000)
    qtbot.mouseClick(ws.seal_page.seal_button, LEFT)
    answer_pin(qtbot, demo.pki.user_pin)
    qtbot.waitUntil(lambda: ws.seal_page.result is not None or ws.seal_page.error_view.message is not None,
                    timeout=120_000)
    assert ws.seal_page.error_view.message is None, ws.seal_page.error_view.message

    ws.tabs.setCurrentIndex(SUBMIT)
    page = ws.submit_page
    qtbot.waitUntil(lambda: page.submit_button.isEnabled(), timeout=10_000)
    qtbot.mouseClick(page.submit_button, LEFT)
    qtbot.waitUntil(lambda: page.verified is not None or page.error_view.message is not None, timeout=60_000)
    assert page.error_view.message is None, page.error_view.message
    bid = ws.project.sealed_path()
    assert bid is not None
    verified = receipts.verify_receipt(receipts.load_receipt(receipt_path(bid)), bid=bid)  # offline, from files
    assert verified.envelope_sha256 == ws.project.sealed.envelope_sha256  # type: ignore[union-attr]
    assert "Submission: verified ✓" in page.receipt_label.text()
    assert page.history_table.rowCount() == 1 and page.history_table.item(0, 3).text() == "In: the bid that counts"
    shot(window, "5-submitted")
    fits_a_small_screen(qtbot, window)
    qtbot.waitUntil(lambda: not ws.busy, timeout=30_000)


def test_a_rerun_hands_the_app_the_address_it_started(qtbot, qapp, demo: DemoEnvironment,  # type: ignore[no-untyped-def]
                                                      monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Quit, re-run at once: the demo's port is taken back (TIME_WAIT is no reason to move), and if
    another program holds it the app is still pointed at wherever the server is."""
    demo.stop()
    port = _free_port()  # not 8765 itself: another demo may run on this machine
    started = prepare(demo.data, lambda _line: None, port=port)
    first = started.url
    started.stop()  # the demo quits; its server's connections linger in TIME_WAIT on that port
    assert first == f"http://127.0.0.1:{port}"
    again = prepare(demo.data, lambda _line: None, port=port)
    try:
        assert again.url == first  # the port the app remembered is the one the server is on again
    finally:
        again.stop()
    with socket.socket() as squatter:  # another program now holds the port
        # SO_REUSEADDR: the server's closed connections may linger in TIME_WAIT on it, as servers allow.
        squatter.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        squatter.bind(("127.0.0.1", int(first.rsplit(":", 1)[1])))
        squatter.listen()
        moved = prepare(demo.data, lambda _line: None, port=port)
        try:
            assert moved.url != first
            settings = QSettings(str(tmp_path / "app.ini"), QSettings.Format.IniFormat)
            settings.setValue("server/url", first)  # what the app used last time
            window = demo_window(qtbot, qapp, moved, monkeypatch, settings)
            dialog = window.open_sign_in()
            assert dialog.server_edit.text() == moved.url
            assert window.server_label.text().startswith(f"Server: {moved.url}")
            qtbot.waitUntil(lambda: not dialog.busy, timeout=60_000)
        finally:
            moved.stop()


def fits_a_small_screen(qtbot: Any, window: MainWindow) -> None:
    """A 1366×768 laptop at 125 % scaling leaves about 1093×614 logical pixels, less a taskbar and the
    title bar: with every page filled in, the window shrinks to 1024×540 and keeps its size on every tab."""
    ws = workspace(window)
    window.resize(1024, 540)
    QApplication.processEvents()
    for index in range(ws.tabs.count()):
        ws.tabs.setCurrentIndex(index)
        QApplication.processEvents()
        shot(window, f"small-{index}")
        hint = window.minimumSizeHint()
        assert hint.width() <= 1024 and hint.height() <= 540, (ws.tabs.tabText(index), hint.toTuple())
        assert window.size().toTuple() == (1024, 540), ws.tabs.tabText(index)  # did not widen itself
    assert window.statusBar().isVisible() and window.statusBar().geometry().bottom() < window.height()
    window.resize(1100, 720)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])
