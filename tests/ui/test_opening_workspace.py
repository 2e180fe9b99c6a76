"""The Opening workspace on the real widgets against a live server over loopback, with SoftHSM dongles: the
host locks and counts, opens the decryption window and extends it, opens the bids the bidders released
(PIN, progress, cancel), sees a wrong key fail with its reason, starts the committee remedy for that bid and
follows its k-of-n partial results until it opens it, announces (唱标: the figures/words mismatch flagged),
answers an objection raised live, drafts, previews, signs (pdfsig) and publishes the record. A supervisor's
workspace on the same opening shows everything with no host action, co-signs the record, and its hall
display shows the announcement after the live event. One server for the module."""

from __future__ import annotations

import dataclasses
import subprocess
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QApplication, QMessageBox, QPushButton, QWidget

from bidclient import opening
from bidclient.opening_host import BidPhase, Role
from bidclient.signin import sign_in
from tests.opening_helpers import P12_PASSWORD
from tests.prompters import PinPrompter
from tests.server.conftest import RunningServer, start_server
from tests.server.submission_helpers import set_times
from tests.server.test_opening import Opening, Yes, _release_wrong_key
from tests.ui.conftest import answer_pin, open_pin_dialogs
from tests.ui.test_bidder_flow import type_into
from ui.context import AppContext
from ui.main_window import MainWindow
from ui.opening.announcement import BIDDER, FIGURES, OUTCOME, PRICE
from ui.opening.common import table_texts
from ui.opening.workspace import ANNOUNCEMENT, DECRYPTION, OBJECTIONS, RECORD, OpeningWorkspace
from ui.pin_bridge import QtPrompter

LEFT = Qt.MouseButton.LeftButton


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, pki: Any) -> Iterator[RunningServer]:
    from server.cli import main as server_main

    data = tmp_path_factory.mktemp("opening-ui") / "server"
    assert server_main(["init", "--data", str(data)]) == 0
    trust_files = [str(p) for p in sorted(Path(pki.trust_dir).glob("*.pem"))]
    crl_files = [str(p) for p in sorted(Path(pki.crl_dir).glob("*"))]
    assert server_main(["admin", "trust-add", "--data", str(data), *trust_files, *crl_files]) == 0
    running = start_server(data, "")
    try:
        yield running
    finally:
        running.stop()


@pytest.fixture(scope="module")
def scenario(server: RunningServer, pki: Any, tmp_path_factory: pytest.TempPathFactory) -> Opening:
    """A scheduled opening that allows the committee remedy (a 2-of-3 committee from the real key ceremony:
    the host's dongle and two members' PKCS#12 files), three sealed bids (ent-b's figures and words differ),
    two bidders checked in."""
    from cryptography import x509

    from bidclient import committee as committees
    from tests.server.test_opening_remedy import Member, _allow_remedy

    o = Opening(server, pki, tmp_path_factory.mktemp("opening-ui-bids"), bidders=())
    third = o.third
    with o.as_("centre") as (_a, s):
        centre_id = opening._me(s)
    assert server.admin("grant", "--identity", centre_id, "--role", "opening_staff") == 0
    members = [(pki.party("opener-1").signing_uri, None, pki.user_pin),
               (str(third.centre), str(third.centre_enc), P12_PASSWORD),
               (str(third.agency), str(third.agency_enc), P12_PASSWORD)]
    with o.as_("agency") as (a, _s):
        made = committees.create(a.client, tender_id=o.tender, threshold=2, members=[
            (Path(pki.party("opener-1").signing_cert), Path(pki.party("opener-1").encryption_cert)),
            (third.certificate(third.centre), third.certificate(third.centre_enc)),
            (third.certificate(third.agency), third.certificate(third.agency_enc))])
    for step in (committees.deal, lambda m, c: committees.acknowledge(m, c, Member(""))):
        for key, enc, pin in members:
            with committees.open_member(server.url, key, Member(pin), encryption_key=enc) as m:
                out = step(m, made.committee_id)
    assert out.status == "complete" and out.certificate is not None
    o.opening_cert = x509.load_pem_x509_certificate(out.certificate.encode())  # bids are sealed to the committee
    _allow_remedy(server.data, o.tender)
    o.add_bidders(("ent-a", "ent-b", "ent-c"))
    for who in ("ent-a", "ent-b"):
        with o.as_(who) as (a, s):
            opening.check_in(a, s)
    return o


def _contribute(o: Opening, party: str, submission: str) -> None:
    """A committee member contributes its partial result from its own terminal (the core's flow)."""
    from bidclient import committee as committees
    from tests.server.test_opening_remedy import Member

    key, enc = (o.third.centre, o.third.centre_enc) if party == "centre" else (o.third.agency, o.third.agency_enc)
    with committees.open_member(o.server.url, str(key), Member(P12_PASSWORD), encryption_key=str(enc)) as m:
        opening.contribute_partial(opening.OpeningApi(m.client, o.tender), m, submission, Member(P12_PASSWORD))


def _now() -> datetime:
    return datetime.now(UTC)


def _signed_in(context: AppContext, server: RunningServer, pki: Any, who: str, *, restored: bool = False) -> None:
    """Sign in as the app's sign-in dialog does (bidclient.signin.sign_in with the party's dongle); ``restored``:
    as the app finds the session again after a restart, which does not name the certificate signed in with."""
    session = sign_in(server.url, pki.party(who).signing_uri, PinPrompter(lambda _r: pki.user_pin))
    context.set_session(dataclasses.replace(session, certificate_sha256="") if restored else session)


def _click(qtbot: Any, button: QPushButton) -> None:
    qtbot.waitUntil(button.isEnabled, timeout=30_000)
    qtbot.mouseClick(button, LEFT)


def _idle(qtbot: Any, ws: OpeningWorkspace) -> None:
    qtbot.waitUntil(lambda: not ws.controller.busy, timeout=120_000)
    assert ws.error_view.message is None, ws.error_view.message


def _confirm(qtbot: Any, answer: str = "prompterYes") -> None:
    """Press the yes (or no) button of the prompter's question (e.g. "Sign the opening record?")."""
    def box() -> QMessageBox | None:
        return next((w for w in QApplication.topLevelWidgets()
                     if isinstance(w, QMessageBox) and w.objectName() == "prompterConfirm" and w.isVisible()), None)

    qtbot.waitUntil(lambda: box() is not None, timeout=30_000)
    shown = box()
    assert shown is not None
    yes = shown.findChild(QPushButton, answer)
    assert yes is not None
    qtbot.mouseClick(yes, LEFT)


def _phases(ws: OpeningWorkspace) -> dict[str, BidPhase]:
    view = ws.controller.view
    assert view is not None
    return {r.bid.submission_id: r.phase for r in view.rows}


class Shots:
    """Pictures of each step in zh_CN for the user guide: BIDCLIENT_SCREENSHOTS_DIR=docs/screenshots (under
    Xvfb with QT_QPA_PLATFORM=xcb: the real window) refreshes them; otherwise they go to a temporary folder
    and are only checked not to be blank. The language goes back to English for the assertions."""

    def __init__(self, window: MainWindow, folder: Path) -> None:
        import os

        self.window = window
        self.folder = Path(os.environ.get("BIDCLIENT_SCREENSHOTS_DIR") or folder)
        self.folder.mkdir(parents=True, exist_ok=True)

    def __call__(self, widget: QWidget, name: str) -> None:
        from PySide6.QtGui import QImage

        self.window.languages.set_language("zh_CN")
        try:
            QApplication.processEvents()
            path = self.folder / f"opening-{name}.png"
            assert widget.grab().save(str(path))
        finally:
            self.window.languages.set_language("en")
        image = QImage(str(path))
        step = max(1, image.width() // 200)
        colours = {image.pixel(x, y) for x in range(0, image.width(), step) for y in range(0, image.height(), 4)}
        assert len(colours) > 10, path  # not a blank window


def _hidden(widget: QWidget, ws: OpeningWorkspace) -> bool:
    """Hidden by the page itself (or a box of it), whichever tab is current."""
    pages = (ws.checkin_page, ws.decryption_page, ws.announce_page, ws.objections_page, ws.record_page)
    w: QWidget | None = widget
    while w is not None and w not in pages:
        if w.isHidden():
            return True
        w = w.parentWidget()
    return False


def _host_buttons(ws: OpeningWorkspace) -> list[QWidget]:
    d = ws.decryption_page
    return [ws.checkin_page.lock_button, d.window_button, d.extend_button, d.open_button, d.remedy_button,
            ws.announce_page.announce_button, ws.objections_page.answer_button, ws.record_page.draft_button,
            ws.record_page.publish_button]


def test_host_runs_the_opening_and_the_supervisor_watches(  # type: ignore[no-untyped-def]
        qtbot, window: MainWindow, scenario: Opening, server: RunningServer, pki: Any, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    o = scenario
    # The bidders' signatures are checked against the trust list: the dev CAs and the third enterprise's.
    monkeypatch.setenv("BIDCLIENT_TRUST", ":".join([str(pki.trust_dir), str(pki.crl_dir), str(o.third.ca_pem)]))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    shot = Shots(window, tmp_path / "shots")
    window.resize(1280, 860)
    window.role_combo.setCurrentIndex(window.role_combo.findData("opening"))
    ws = window.current_workspace()
    assert isinstance(ws, OpeningWorkspace)
    assert ws.sign_in_button.isVisible()
    _signed_in(window.context, server, pki, "opener-1")
    assert not ws.sign_in_button.isVisible()
    ws.open_tender(o.tender)
    qtbot.waitUntil(lambda: ws.controller.view is not None, timeout=30_000)
    assert ws.controller.view is not None and ws.controller.view.role is Role.HOST
    assert "Scheduled" in ws.state_label.text() and "Bid deadline" in ws.countdown_label.text()
    assert "Beijing time (UTC+8)" in ws.countdown_label.text()  # the tender's zone, China Standard Time
    # The check-in list; locking waits for the deadline by the server clock.
    assert [row[2] for row in table_texts(ws.checkin_page.table)] == ["", ""]
    assert not ws.checkin_page.lock_button.isEnabled()
    qtbot.waitUntil(lambda: ws.indicator.accessibleName() == "Live", timeout=30_000)

    # The supervisor follows the same opening in a workspace of their own, and its hall display.
    settings = QSettings(str(tmp_path / "supervisor.ini"), QSettings.Format.IniFormat)
    sup_context = AppContext(settings, window)  # lives as long as the window
    sup_context.pin_source = QtPrompter(window)
    sup = OpeningWorkspace(sup_context)
    qtbot.addWidget(sup)
    # The supervisor's session is one restored after a restart: co-signing finds the dongle by identity.
    _signed_in(sup_context, server, pki, "expert-1", restored=True)
    sup.open_tender(o.tender)
    qtbot.waitUntil(lambda: sup.controller.view is not None, timeout=30_000)
    qtbot.mouseClick(sup.hall_button, LEFT)
    hall = sup.hall
    assert hall is not None and hall.isVisible()
    assert sup.controller.view is not None and sup.controller.view.role is Role.SUPERVISOR
    assert "supervisor" in sup.role_label.text()
    assert all(_hidden(b, sup) for b in _host_buttons(sup))  # hidden, not merely disabled
    assert not sup.record_page.sign_button.isEnabled()
    assert sup.controller.actions() == type(sup.controller.actions())()  # nothing to do for now
    qtbot.waitUntil(lambda: sup.indicator.accessibleName() == "Live", timeout=30_000)

    # Deadline passed: lock and count.
    set_times(server.data, o.tender, deadline=_now() - timedelta(seconds=1), opening=_now() + timedelta(hours=1))
    qtbot.mouseClick(ws.reload_button, LEFT)
    _click(qtbot, ws.checkin_page.lock_button)
    _idle(qtbot, ws)
    qtbot.waitUntil(lambda: ws.checkin_page.count_label.text() == "3 bids counted.", timeout=30_000)
    assert "Locked and counted" in ws.state_label.text() and "Opening time" in ws.countdown_label.text()
    shot(window, "checkin")
    # The supervisor's view followed the lock by the live event alone.
    qtbot.waitUntil(lambda: sup.controller.view is not None and sup.controller.view.state == "locked",
                    timeout=30_000)

    # Opening time: open the decryption window (the host's encryption certificate, no PIN).
    ws.tabs.setCurrentIndex(DECRYPTION)
    assert not ws.decryption_page.window_button.isEnabled()
    set_times(server.data, o.tender, deadline=_now() - timedelta(minutes=2), opening=_now() - timedelta(seconds=1))
    qtbot.mouseClick(ws.reload_button, LEFT)
    _click(qtbot, ws.decryption_page.window_button)
    _idle(qtbot, ws)
    qtbot.waitUntil(lambda: ws.controller.view is not None and ws.controller.view.state == "decrypting",
                    timeout=30_000)
    assert "Decryption window closes" in ws.countdown_label.text()
    assert not ws.decryption_page.open_button.isEnabled()  # no key released yet

    # Extending needs a reason.
    assert not ws.decryption_page.extend_button.isEnabled()
    ws.decryption_page.extend_minutes.setValue(10)
    type_into(qtbot, ws.decryption_page.extend_reason, "乙方网络故障")
    _click(qtbot, ws.decryption_page.extend_button)
    _idle(qtbot, ws)

    # Two bidders release their keys; the third releases a wrong one. The view follows the live events.
    for who in ("ent-a", "ent-b"):
        with o.as_(who) as (a, s):
            opening.release_key(a, s, Yes(), bid=o.bids[who])
    with o.as_("ent-c") as (a, s):
        _release_wrong_key(a, s, o.submissions["ent-c"])
    qtbot.waitUntil(lambda: list(_phases(ws).values()).count(BidPhase.KEY_RELEASED) == 3, timeout=30_000)
    assert "Key released: ready to open" in [row[3] for row in table_texts(ws.decryption_page.table)]

    # Open the released bids, cancelled during the first: that one is opened and reported, the rest wait.
    d = ws.decryption_page
    _click(qtbot, d.open_button)
    qtbot.waitUntil(lambda: len(open_pin_dialogs()) == 1, timeout=30_000)  # asked once the first bid is at hand
    assert d.cancel_button.isVisible() and d.progress.isVisible()
    d.cancel_button.click()  # pressed while the first bid is opened (here: as its PIN is asked, to be sure)
    answer_pin(qtbot, pki.user_pin)
    _idle(qtbot, ws)
    assert d.result_label.text().startswith("Cancelled: the bids opened so far are reported")
    assert not d.cancel_button.isVisible() and not d.progress.isVisible()
    qtbot.waitUntil(lambda: list(_phases(ws).values()).count(BidPhase.OPENED) == 1, timeout=30_000)
    assert list(_phases(ws).values()).count(BidPhase.KEY_RELEASED) == 2
    # Again, to the end: one PIN, progress shown; the wrong key fails with its reason.
    _click(qtbot, d.open_button)
    answer_pin(qtbot, pki.user_pin)
    _idle(qtbot, ws)
    qtbot.waitUntil(lambda: _phases(ws)[o.submissions["ent-c"]] is BidPhase.FAILED, timeout=30_000)
    phases = _phases(ws)
    assert phases[o.submissions["ent-a"]] is BidPhase.OPENED and phases[o.submissions["ent-b"]] is BidPhase.OPENED
    rows = {r[2]: r for r in table_texts(ws.decryption_page.table)}
    assert rows[o.submissions["ent-c"]][3] == "Failed: the bidder may retry in the window"
    assert rows[o.submissions["ent-c"]][6].startswith("opening.decryption_failed")
    assert "1 bid(s) opened and verified, 1 failed" in ws.decryption_page.result_label.text()
    assert not (tmp_path / "data").exists()  # verified, not copied: the experts get the bids by hand-over
    shot(window, "decryption")
    # ent-c failed and the window is open: announcing must wait (the bidder may still retry).
    assert not ws.announce_page.announce_button.isEnabled()

    # The committee remedy for the bid that failed: the host starts it; two members of three contribute.
    target = o.submissions["ent-c"]
    assert d.remedy_button.isVisible() and not d.remedy_button.isEnabled()  # nothing selected yet
    d.table.selectRow(next(r for r, row in enumerate(table_texts(d.table)) if row[2] == target))
    _click(qtbot, d.remedy_button)
    _idle(qtbot, ws)

    def remedy_text() -> str:
        return next(row[3] for row in table_texts(d.table) if row[2] == target)

    qtbot.waitUntil(lambda: remedy_text() == "Remedy in progress: 0 of 2 partial results", timeout=30_000)
    _contribute(o, "centre", target)
    qtbot.waitUntil(lambda: remedy_text() == "Remedy in progress: 1 of 2 partial results", timeout=30_000)
    assert not d.open_button.isEnabled()  # k − 1 partial results open nothing
    shot(window, "remedy")
    _contribute(o, "agency", target)
    qtbot.waitUntil(lambda: remedy_text() == "Remedy: 2 of 2 partial results, ready to open", timeout=30_000)
    _click(qtbot, d.open_button)  # the committee's key: no PIN of the host's is needed for it
    _idle(qtbot, ws)
    qtbot.waitUntil(lambda: remedy_text() == "Opened by the committee (补救方案)", timeout=30_000)
    assert _phases(ws)[target] is BidPhase.REMEDIED

    # Every bid is opened: announce (唱标) without waiting for the window's end.
    ws.tabs.setCurrentIndex(ANNOUNCEMENT)
    _click(qtbot, ws.announce_page.announce_button)
    _idle(qtbot, ws)
    qtbot.waitUntil(lambda: ws.announce_page.table.rowCount() == 3, timeout=30_000)
    by_bidder = {ws.announce_page.table.row_texts(r)[BIDDER]: ws.announce_page.table.row_texts(r)
                 for r in range(3)}
    b_row = next(row for row in by_bidder.values() if row[FIGURES] == "990000.00")
    assert b_row[FIGURES] == "990000.00" and b_row[PRICE].startswith("995000.00")
    assert "figures and words differ" in b_row[PRICE]
    a_row = next(row for row in by_bidder.values() if row[FIGURES] == "1234567.89")
    assert a_row[PRICE] == "1234567.89" and "differ" not in a_row[PRICE]
    c_row = next(row for row in by_bidder.values() if row[FIGURES] == "1000000")
    assert c_row[PRICE] == "1000000" and c_row[OUTCOME] == "Opened by the committee (补救方案)"
    assert "1 with figures and words that differ" in ws.announce_page.note.text()

    # The supervisor's hall display shows the announcement, brought by the live event.
    qtbot.waitUntil(lambda: hall.table.rowCount() == 3, timeout=30_000)
    assert any("995000.00" in hall.table.row_texts(r)[PRICE] for r in range(3))
    assert "Announced" in hall.state_label.text() and o.tender in hall.tender_label.text()
    shot(window, "announcement")
    hall.resize(1280, 720)
    shot(hall, "hall-display")
    assert hall.table.font().pointSize() >= 20  # readable on a projector
    qtbot.keyClick(hall, Qt.Key.Key_F11)
    qtbot.waitUntil(hall.isFullScreen)
    qtbot.keyClick(hall, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not hall.isFullScreen())

    # A bidder objects; the objection arrives live; the host answers it.
    with o.as_("ent-b") as (a, s):
        objection = a.object("我方报价应以大写为准，请确认。")
    ws.tabs.setCurrentIndex(OBJECTIONS)
    page = ws.objections_page
    qtbot.waitUntil(lambda: page.table.rowCount() == 1, timeout=30_000)
    assert "wait for an answer" in page.summary.text()
    assert not ws.record_page.draft_button.isEnabled()  # not while an objection is open
    page.table.selectRow(0)
    assert not page.answer_button.isEnabled()  # no answer typed yet
    page.answer_edit.setFocus()
    page.answer_edit.insertPlainText("确认：以大写金额为准（87号令第59条）。")  # as an input method inserts it
    shot(window, "objections")
    _click(qtbot, page.answer_button)
    _idle(qtbot, ws)
    qtbot.waitUntil(lambda: page.summary.text() == "Every objection is answered.", timeout=30_000)
    assert table_texts(page.table)[0][3] == "确认：以大写金额为准（87号令第59条）。"
    assert sup.objections_page.answer_box.isHidden()
    assert objection.id

    # The record: draft, preview in the app's PDF viewer, sign with the dongle (PIN and confirmation).
    ws.tabs.setCurrentIndex(RECORD)
    record = ws.record_page
    _click(qtbot, record.draft_button)
    _idle(qtbot, ws)
    qtbot.waitUntil(lambda: record.viewer.current_image() is not None, timeout=60_000)
    # Said no: nothing is signed, and that is no error.
    _click(qtbot, record.sign_button)
    _confirm(qtbot, "prompterNo")
    qtbot.waitUntil(lambda: not ws.controller.busy, timeout=30_000)
    assert ws.notice.isVisible() and ws.notice.text().startswith("Nothing was done")
    assert ws.error_view.message is None and ws.controller.view is not None
    assert ws.controller.view.state == "record_drafted"
    _click(qtbot, record.sign_button)
    _confirm(qtbot)  # asked before the PIN: nothing is signed without it
    answer_pin(qtbot, pki.user_pin)
    _idle(qtbot, ws)
    qtbot.waitUntil(lambda: ws.controller.view is not None and ws.controller.view.state == "host_signed",
                    timeout=30_000)
    assert o.host_id in record.status.text()
    # The preview follows: the signed record (a new SHA-256) is shown in place of the draft.
    qtbot.waitUntil(lambda: ws.controller.view is not None and record.previewed_sha == ws.controller.view.opening
                    .record_sha256 and record._preview_task is None and record.viewer.current_image() is not None,
                    timeout=60_000)
    assert record.viewer.path is not None and str(record.previewed_sha)[:12] in record.viewer.path.name
    shot(window, "record")
    assert not record.sign_button.isEnabled() and not record.publish_button.isEnabled()

    # The supervisor co-signs from their workspace (their only action); the host then publishes.
    qtbot.waitUntil(sup.record_page.sign_button.isEnabled, timeout=30_000)
    sup.resize(1280, 860)
    sup.show()
    qtbot.waitExposed(sup)
    sup.tabs.setCurrentIndex(DECRYPTION)
    shot(sup, "supervisor")
    sup.tabs.setCurrentIndex(RECORD)
    _click(qtbot, sup.record_page.sign_button)
    _confirm(qtbot)
    answer_pin(qtbot, pki.user_pin)
    qtbot.waitUntil(lambda: not sup.controller.busy, timeout=120_000)
    assert sup.error_view.message is None, sup.error_view.message
    _click(qtbot, record.publish_button)  # enabled once the supervisor's signature arrived live
    _idle(qtbot, ws)
    qtbot.waitUntil(lambda: "Published." in record.status.text(), timeout=30_000)
    assert "Record published" in ws.state_label.text()
    assert not any(b.isEnabled() for b in _host_buttons(ws))

    # The published record carries both PAdES signatures (pdfsig).
    with o.as_("ent-a") as (a, _s):
        pdf = tmp_path / "record.pdf"
        opening.download_record(a, pdf)
    out = subprocess.run(["pdfsig", str(pdf)], capture_output=True, text=True, check=False)
    assert out.stdout.count("Signature is Valid.") == 2, out.stdout
    sup.can_close()

    # Signing out leaves nothing of the opening on the screen, and stops following it.
    window.sign_out()
    assert ws.controller.view is None and ws.controller.live is None
    assert ws.state_label.text() == "Sign in with your dongle to host or supervise an opening."
    assert ws.indicator.accessibleName() == "Offline" and ws.sign_in_button.isVisible()


def test_no_opening_and_the_remedy_are_shown_as_such(qtbot, tmp_path: Path, ui_env: Path) -> None:  # type: ignore[no-untyped-def]
    """What the server answered is shown as the state says: fewer than 3 bids is "no opening" in red with
    no action; a remedy counts its partial results k of n and offers nothing to a supervisor; 撤销 and 撤回
    are announced as such."""
    from bidclient import opening_host as oh
    from tests.bidclient.test_opening_host import HOST, SUPERVISOR, _bid, _iso, _opening, _view

    ws = OpeningWorkspace(AppContext(QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)))
    qtbot.addWidget(ws)

    def show(view: oh.HostView) -> None:
        ws.controller.view = view
        ws.controller.view_changed.emit(view)

    show(_view(_opening("no_opening", [_bid(1, "awaiting_key"), _bid(2, "awaiting_key")], bid_count=2)))
    assert "NO OPENING" in ws.checkin_page.count_label.text() and "fewer than 3" in ws.checkin_page.count_label.text()
    assert ws.state_label.text().startswith("Tender ZB-1: No opening") and "b00020" in ws.state_label.styleSheet()
    assert not any(b.isEnabled() for b in _host_buttons(ws))

    remedy = {"S-2": oh.RemedyProgress("C-1", 2, (3,))}
    out = _opening("decrypting", [_bid(1, "opened"), _bid(2, "remedy")], window_closes_at=_iso(timedelta(hours=1)))
    show(_view(out, HOST, remedy))
    assert table_texts(ws.decryption_page.table)[1][3] == "Remedy in progress: 1 of 2 partial results"
    assert not ws.decryption_page.remedy_button.isHidden()
    # Every interactive widget a host sees, on every page and on the hall display, has an accessible name.
    from tests.ui.test_main_window import _unnamed_interactive

    ws.show()
    qtbot.waitExposed(ws)
    for index in range(ws.tabs.count()):
        ws.tabs.setCurrentIndex(index)
        assert _unnamed_interactive(ws) == [], index
    hall = ws.show_hall_display()
    assert _unnamed_interactive(hall) == []
    show(_view(out, SUPERVISOR, {"S-2": oh.RemedyProgress("C-1", 2, (1, 3))}))
    assert table_texts(ws.decryption_page.table)[1][3] == "Remedy: 2 of 2 partial results, ready to open"
    assert ws.decryption_page.remedy_button.isHidden() and ws.decryption_page.open_button.isHidden()

    # Announced: a bid not opened shows its Art. 31 outcome and no price.
    show(_view(_opening("announced", [_bid(1, "revoked", failure_code="opening.no_key"), _bid(2, "withdrawn")])))
    rows = [ws.announce_page.table.row_texts(r) for r in range(ws.announce_page.table.rowCount())]
    assert [(r[PRICE], r[OUTCOME]) for r in rows] == [
        ("—", "撤销 revoked (the bidder's fault, Art. 31)"), ("—", "撤回 withdrawn (not the bidder's fault, Art. 31)")]
    ws.can_close()
