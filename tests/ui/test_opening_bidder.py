"""The bidder's Opening tab (开标) on the real widgets against a live server over loopback, with ent-a's
SoftHSM dongle: it lists the tender bid on, checks in (PIN), counts down by the server clock, follows the
host's steps live, decrypts in the window (a wrong PIN first: refused, nothing released, retried), shows the
announcement with ent-b's figures/words mismatch flagged, raises an objection and shows the host's answer,
shows and saves the signed record, and confirms it with a signed statement."""

from __future__ import annotations

import dataclasses
import os
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QApplication, QMessageBox, QPushButton, QWidget

from bidclient import opening
from bidclient.signin import SignedIn, sign_in
from tests.prompters import PinPrompter
from tests.server.conftest import RunningServer
from tests.server.submission_helpers import set_times
from tests.server.test_opening import Opening, Yes, _close_window, _now, _trust
from tests.ui.conftest import all_widgets, answer_pin
from ui.bidder.opening_page import OpeningPage
from ui.bidder.workspace import OPENING, BidderWorkspace
from ui.context import AppContext
from ui.pin_bridge import QtPrompter

LEFT = Qt.MouseButton.LeftButton


def shot(widget: QWidget, name: str) -> None:
    """Save ``widget`` as docs/screenshots/NAME.png when BIDCLIENT_SCREENSHOTS_DIR is set (run under Xvfb)."""
    folder = os.environ.get("BIDCLIENT_SCREENSHOTS_DIR")
    if not folder:
        return
    from ui.app import install_cjk_font

    install_cjk_font(QApplication.instance())  # type: ignore[arg-type]  # as the app does at start
    deadline = time.monotonic() + 20
    while getattr(widget, "busy", False) and time.monotonic() < deadline:  # buttons as a person sees them
        QApplication.processEvents()
        time.sleep(0.02)
    QApplication.processEvents()
    assert widget.grab().save(str(Path(folder) / f"{name}.png"))
    from PySide6.QtCore import QSettings

    from ui.languages import LanguageManager

    languages = LanguageManager(QSettings(str(Path(folder) / ".shot-settings.ini"), QSettings.Format.IniFormat))
    languages.set_language("zh_CN")  # the same screen in Chinese, for the Chinese guide
    QApplication.processEvents()
    try:
        assert widget.grab().save(str(Path(folder) / f"{name}.zh_CN.png"))
    finally:
        languages.set_language("en")
        (Path(folder) / ".shot-settings.ini").unlink(missing_ok=True)


@pytest.fixture
def bidder_app(qtbot: Any, ui_env: Path, tmp_path: Path) -> Iterator[tuple[AppContext, QtPrompter]]:
    context = AppContext(QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat))
    prompter = QtPrompter()
    context.pin_source = prompter
    yield context, prompter


def signed_in(url: str, pki: Any, party: str) -> SignedIn:
    return sign_in(url, pki.party(party).signing_uri, PinPrompter(lambda _r: pki.user_pin))


def click(qtbot: Any, button: QPushButton, timeout: int = 20_000) -> None:
    qtbot.waitUntil(button.isEnabled, timeout=timeout)
    qtbot.mouseClick(button, LEFT)


def confirm(qtbot: Any, opened: list[QMessageBox], count: int) -> QMessageBox:
    """Press the Yes button of question number ``count`` (1-based) once it is open."""
    qtbot.waitUntil(lambda: len(opened) >= count and opened[count - 1].isVisible(), timeout=20_000)
    box = opened[count - 1]
    yes = box.findChild(QPushButton, "prompterYes")
    assert yes is not None
    text = box.text()
    qtbot.mouseClick(yes, LEFT)
    box.setProperty("seenText", text)
    return box


def idle(qtbot: Any, page: OpeningPage) -> None:
    qtbot.waitUntil(lambda: not page.busy, timeout=30_000)


def test_bidder_takes_part_in_the_opening(qtbot: Any, sqlite_server: RunningServer, pki: Any, tmp_path: Path,
                                          bidder_app: tuple[AppContext, QtPrompter]) -> None:
    context, prompter = bidder_app
    live_server = sqlite_server
    o = Opening(live_server, pki, tmp_path, bidders=("ent-a", "ent-b", "ent-c"))
    context.set_session(signed_in(live_server.url, pki, "ent-a"))
    ws = BidderWorkspace(context, None, projects_root=tmp_path / "bids")
    qtbot.addWidget(ws)
    ws.resize(1280, 900)
    ws.show()
    try:
        ws.tabs.setCurrentIndex(OPENING)
        page = ws.opening_page
        assert ws.tabs.tabText(OPENING) == "Opening (开标)"
        qtbot.waitUntil(lambda: page.tender_id == o.tender and page.current is not None, timeout=20_000)
        assert page.current is not None and page.current.state == "scheduled"
        assert "Opening in" in page.countdown.text() and "(server clock)" in page.countdown.text()
        assert not page.decrypt_button.isEnabled()  # no decrypting before the window
        for widget in all_widgets(page):
            if isinstance(widget, QPushButton) and widget.objectName().startswith("opening"):
                assert widget.accessibleName(), widget.objectName()
        questions: list[QMessageBox] = []
        prompter.question_opened.connect(questions.append)

        # 签到 with the dongle: one PIN.
        click(qtbot, page.check_in_button)
        answer_pin(qtbot, pki.user_pin)
        qtbot.waitUntil(lambda: "You are checked in." in page.state_label.text(), timeout=20_000)
        assert not page.check_in_button.isEnabled()

        # The host locks and opens the window: the page follows live, and the countdown is the window's.
        set_times(live_server.data, o.tender, deadline=_now() - timedelta(minutes=2),
                  opening=_now() - timedelta(seconds=1))
        o.host(lambda a, s: a.lock())
        o.host(lambda a, s: a.open_window([o.opening_cert]))
        qtbot.waitUntil(lambda: page.current is not None and page.current.state == "decrypting", timeout=20_000)
        qtbot.waitUntil(lambda: "Decryption window closes in" in page.countdown.text(), timeout=5_000)
        shot(page, "opening-bidder-window")

        # A wrong PIN: refused, nothing released, and the page says it can be tried again.
        click(qtbot, page.decrypt_button)
        box = confirm(qtbot, questions, 1)
        assert o.submissions["ent-a"] in box.property("seenText")
        answer_pin(qtbot, "00000000")
        idle(qtbot, page)
        assert page.error_view.message is not None and page.error_view.message.code.startswith("token."), \
            page.error_view.message
        assert "try again" in page.status_label.text()
        mine = next(b for b in o.host(lambda a, s: a.get()).bids if b.submission_id == o.submissions["ent-a"])
        assert mine.state == "awaiting_key" and mine.attempts == 0
        assert page.decrypt_button.isEnabled()

        # The dongle pulled out: said so before anything is asked, nothing released.
        real = context.session
        assert real is not None
        context.set_session(dataclasses.replace(real, certificate_sha256="00" * 32))
        idle(qtbot, page)
        click(qtbot, page.decrypt_button)
        idle(qtbot, page)
        assert page.error_view.message is not None and page.error_view.message.code == "token.not_present"
        assert "Insert the dongle" in page.error_view.message.hint
        context.set_session(real)
        idle(qtbot, page)

        # Again with the right PIN, then the confirmation: the key is released.
        click(qtbot, page.decrypt_button)
        confirm(qtbot, questions, 2)
        answer_pin(qtbot, pki.user_pin)
        qtbot.waitUntil(lambda: "Your key is released" in page.my_bid_label.text(), timeout=30_000)
        assert page.error_view.message is None

        # The others release, the host opens every bid and announces (唱标): the table arrives live.
        for who in ("ent-b", "ent-c"):
            with o.as_(who) as (a, s):
                opening.release_key(a, s, Yes(), bid=o.bids[who])
        o.host(lambda a, s: opening.open_released_bids(a, s, _trust(pki, o), tmp_path / "opened"))
        _close_window(live_server.data, o.tender)
        o.host(lambda a, s: a.announce())
        qtbot.waitUntil(lambda: page.announce_table.rowCount() == 3, timeout=20_000)
        assert "Your bid is opened" in page.my_bid_label.text()
        rows = {page.announce_table.item(r, 2).text(): r for r in range(3)}
        flagged = rows["990000.00"]
        assert page.announce_table.item(flagged, 4).text() == "995000.00"  # the words prevail
        assert "the words prevail" in page.announce_table.item(flagged, 7).text()
        assert "the words prevail" not in page.announce_table.item(rows["1000000"], 7).text()
        assert page.mismatch_note.isVisible() and "1 bid(s)" in page.mismatch_note.text()

        # An objection (异议), and the host's answer shown live.
        page.objection_text.setPlainText("我方报价应以大写为准。")
        click(qtbot, page.object_button)
        qtbot.waitUntil(lambda: page.objection_list.count() == 1, timeout=20_000)
        assert "Not answered yet" in page.objection_list.item(0).text()
        objection_id = o.host(lambda a, s: a.get()).objections[0].id
        o.host(lambda a, s: a.answer(objection_id, "确认：以大写金额为准。"))
        qtbot.waitUntil(lambda: "确认：以大写金额为准。" in page.objection_list.item(0).text(), timeout=20_000)
        shot(page, "opening-bidder-announced")

        # The record: drafted, signed by the host and the supervisor, published; viewed, saved, confirmed.
        o.host(lambda a, s: a.draft_record())
        o.host(lambda a, s: opening.sign_record(a, s, Yes()))
        with o.as_("expert-1") as (a, s):
            opening.sign_record(a, s, Yes())
        published = o.host(lambda a, s: a.publish())
        qtbot.waitUntil(lambda: page.view_record_button.isEnabled(), timeout=20_000)
        click(qtbot, page.view_record_button)
        qtbot.waitUntil(lambda: page.record_path is not None, timeout=20_000)
        qtbot.waitUntil(lambda: page.viewer.current_image() is not None, timeout=20_000)
        assert page.record_path is not None
        page.save_to(tmp_path / "saved.pdf")
        idle(qtbot, page)
        assert (tmp_path / "saved.pdf").read_bytes() == page.record_path.read_bytes()
        check = opening.verify_record(tmp_path / "saved.pdf", _trust(pki, o))
        assert check.ok and check.sha256 == published.record_sha256
        click(qtbot, page.confirm_record_button)
        answer_pin(qtbot, pki.user_pin)
        qtbot.waitUntil(lambda: "You confirmed the record." in page.record_label.text(), timeout=20_000)
        shot(page, "opening-bidder-record")
        acks = o.host(lambda a, s: a.get()).acknowledgments
        assert [(a.identity_key, a.decision) for a in acks] == [(context.session.account.identity_key, "confirm")]
        assert not page.confirm_record_button.isEnabled()
    finally:
        prompter.abandon()  # a question left open by a failure must not hold a worker forever
        ws.opening_page.stop()


def test_without_session_the_page_says_sign_in(qtbot: Any, bidder_app: tuple[AppContext, QtPrompter]) -> None:
    context, _prompter = bidder_app
    page = OpeningPage(context, None)
    qtbot.addWidget(page)
    page.refresh()
    assert "Sign in" in page.state_label.text()
    assert not any(b.isEnabled() for b in page.findChildren(QPushButton) if b is not page.refresh_button)
    assert isinstance(page, QWidget)
