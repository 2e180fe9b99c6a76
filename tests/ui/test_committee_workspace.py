"""The opening committee workspace on the real widgets against a live server over loopback. Member 1 is the
signed-in app with opener-1's SoftHSM dongle; members 2 and 3 (another CA's PKCS#12 files) act through the
core. A first ceremony: member 3 deals a bad share to member 1, whose check names member 3, who complains
through the workspace; member 3's disclosure does not verify and the workspace says plainly that member 3 is
at fault and the ceremony failed. A second ceremony completes through the workspace (deal, check,
acknowledge); at the opening ent-c never releases its key, and the workspace's partial result with member
2's (k = 2 of 3) lets the host open ent-c's bid."""

from __future__ import annotations

import base64
import dataclasses
import os
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QApplication, QMessageBox, QPushButton, QWidget

from bidclient import committee as committees
from bidclient import opening
from bidclient.api_client import ApiError
from bidclient.signin import SignedIn, sign_in
from crypto import threshold as th
from tests.opening_helpers import P12_PASSWORD
from tests.prompters import PinPrompter
from tests.server.conftest import RunningServer
from tests.server.submission_helpers import set_times
from tests.server.test_opening import Opening, Yes, _close_window, _now, _trust
from tests.server.test_opening_remedy import Member, _allow_remedy
from tests.ui.conftest import answer_pin
from ui.committee.workspace import CommitteeWorkspace
from ui.context import AppContext
from ui.pin_bridge import QtPrompter
from ui.workspaces import registered_workspaces

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
def member_app(qtbot: Any, ui_env: Path, tmp_path: Path) -> Iterator[tuple[AppContext, QtPrompter]]:
    context = AppContext(QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat))
    prompter = QtPrompter()
    context.pin_source = prompter
    yield context, prompter


def signed_in(url: str, pki: Any, party: str) -> SignedIn:
    return sign_in(url, pki.party(party).signing_uri, PinPrompter(lambda _r: pki.user_pin))


def click(qtbot: Any, button: QPushButton, timeout: int = 20_000) -> None:
    qtbot.waitUntil(button.isEnabled, timeout=timeout)
    qtbot.mouseClick(button, LEFT)


def say_yes(qtbot: Any, opened: list[QMessageBox], count: int) -> str:
    """Press Yes on question number ``count`` (1-based); return its text."""
    qtbot.waitUntil(lambda: len(opened) >= count and opened[count - 1].isVisible(), timeout=20_000)
    box = opened[count - 1]
    text = box.text()
    yes = box.findChild(QPushButton, "prompterYes")
    assert yes is not None
    qtbot.mouseClick(yes, LEFT)
    return text


def idle(qtbot: Any, ws: CommitteeWorkspace) -> None:
    qtbot.waitUntil(lambda: not ws.busy, timeout=30_000)
    assert ws.error_view.message is None, ws.error_view.message


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def deal_bad_share(member: committees.MemberSession, committee_id: str, victim: int) -> None:
    """Member 3's deal with a share for ``victim`` (and its dealer's copy) off its commitments by one."""
    out = committees.status(member.client, committee_id)
    number = member.number(out)
    ceremony = th.Ceremony(committee_id, out.threshold, len(out.members))
    dealer = th.Dealer(ceremony, number)
    certs = [x509.load_pem_x509_certificate(m.encryption_certificate.encode()) for m in out.members]
    own = member.decrypter.certificate
    shares = [dealer.encrypt_share(j, c) for j, c in enumerate(certs, 1)]
    copies = [dealer.encrypt_share(j, own) for j in range(1, len(certs) + 1)]
    wrong = dealer.share_value(victim) + 1
    shares[victim - 1] = th.EncryptedShare.seal(ceremony, number, victim, wrong, certs[victim - 1])
    copies[victim - 1] = th.EncryptedShare.seal(ceremony, number, victim, wrong, own)
    body = {**member._signed(dealer.commitments().to_bytes()), "shares": [b64(s.to_bytes()) for s in shares],
            "copies": [b64(c.to_bytes()) for c in copies]}
    member.client.post_json(f"/api/v1/committees/{committee_id}/deal", body)


def test_committee_member_runs_the_ceremony_and_the_remedy(
        qtbot: Any, sqlite_server: RunningServer, pki: Any, tmp_path: Path,
        member_app: tuple[AppContext, QtPrompter]) -> None:
    context, prompter = member_app
    server = sqlite_server
    assert "committee" in [spec.role for spec in registered_workspaces()]
    o = Opening(server, pki, tmp_path, bidders=())
    third = o.third
    with o.as_("centre") as (_a, s):
        assert server.admin("grant", "--identity", opening._me(s), "--role", "opening_staff") == 0
    others = {2: (str(third.centre), str(third.centre_enc)), 3: (str(third.agency), str(third.agency_enc))}

    def as_member(number: int) -> Any:
        key, enc = others[number]
        return committees.open_member(server.url, key, Member(P12_PASSWORD), encryption_key=enc)

    def create() -> str:
        with o.as_("agency") as (a, _s):
            return committees.create(a.client, tender_id=o.tender, threshold=2, members=[
                (Path(pki.party("opener-1").signing_cert), Path(pki.party("opener-1").encryption_cert)),
                (third.certificate(third.centre), third.certificate(third.centre_enc)),
                (third.certificate(third.agency), third.certificate(third.agency_enc))]).committee_id

    first = create()
    context.set_session(signed_in(server.url, pki, "opener-1"))
    ws = CommitteeWorkspace(context, None)
    qtbot.addWidget(ws)
    ws.resize(1280, 900)
    ws.show()
    questions: list[QMessageBox] = []
    prompter.question_opened.connect(questions.append)
    try:
        qtbot.waitUntil(lambda: ws.selected_id == first, timeout=20_000)
        assert ws.list_table.item(0, 4).text() == "1"  # I am member 1
        assert ws.list_table.item(0, 5).text() == "Deal your shares."

        # --- ceremony 1: member 3 deals a bad share to member 1 ---
        click(qtbot, ws.deal_button)
        answer_pin(qtbot, pki.user_pin)
        idle(qtbot, ws)
        with as_member(2) as m:
            committees.deal(m, first)
        with as_member(3) as m:
            deal_bad_share(m, first, victim=1)
        qtbot.waitUntil(lambda: ws.selected is not None and ws.selected.status == "checking", timeout=20_000)
        click(qtbot, ws.check_button)
        answer_pin(qtbot, pki.user_pin)
        idle(qtbot, ws)
        assert ws.bad_senders == (3,)
        assert "member 3" in ws.check_label.text() and "does not match" in ws.check_label.text()
        assert ws.accused_combo.currentData() == 3  # the bad sender is named, ready to complain about
        assert not ws.ack_button.isEnabled()
        click(qtbot, ws.complain_button)
        answer_pin(qtbot, pki.user_pin)
        idle(qtbot, ws)
        qtbot.waitUntil(lambda: ws.selected is not None and ws.selected.status == "disputed", timeout=20_000)
        assert "complains that the share from member 3" in ws.outcome_label.text()
        # Member 3 answers by disclosing; its disclosed value does not match its commitments: at fault.
        with as_member(3) as m:
            committees.disclose(m, first, 1, Member(P12_PASSWORD))
        qtbot.waitUntil(lambda: ws.selected is not None and ws.selected.status == "failed", timeout=20_000)
        outcome = ws.outcome_label.text()
        assert "member 3" in outcome and "is at fault" in outcome and "The ceremony failed" in outcome
        shot(ws, "committee-bad-share")
        assert not ws.deal_button.isEnabled() and not ws.ack_button.isEnabled()

        # --- ceremony 2: complete through the workspace ---
        second = create()
        click(qtbot, ws.refresh_button)  # a new committee is on no channel followed yet
        qtbot.waitUntil(lambda: second in [c.committee_id for c in ws.committees], timeout=20_000)
        ws.select(second)
        qtbot.waitUntil(lambda: ws.selected_id == second)
        click(qtbot, ws.deal_button)
        answer_pin(qtbot, pki.user_pin)
        idle(qtbot, ws)
        for number in (2, 3):
            with as_member(number) as m:
                committees.deal(m, second)
        qtbot.waitUntil(lambda: ws.selected is not None and ws.selected.status == "checking", timeout=20_000)
        click(qtbot, ws.check_button)
        answer_pin(qtbot, pki.user_pin)
        idle(qtbot, ws)
        assert ws.bad_senders == () and "✓" in ws.check_label.text()
        click(qtbot, ws.ack_button)
        answer_pin(qtbot, pki.user_pin)
        assert "Sign that committee" in say_yes(qtbot, questions, 1)
        idle(qtbot, ws)
        for number in (2, 3):
            with as_member(number) as m:
                done = committees.acknowledge(m, second, Member(P12_PASSWORD))
        assert done.status == "complete" and done.certificate is not None
        qtbot.waitUntil(lambda: ws.selected is not None and ws.selected.status == "complete", timeout=20_000)
        assert "certificate is issued" in ws.outcome_label.text()

        # --- the opening: ent-c never releases its key; the committee opens its bid ---
        o.opening_cert = x509.load_pem_x509_certificate(done.certificate.encode())
        _allow_remedy(server.data, o.tender)
        o.add_bidders(("ent-a", "ent-b", "ent-c"))
        set_times(server.data, o.tender, deadline=_now() - timedelta(minutes=1), opening=_now() - timedelta(seconds=1))
        o.host(lambda a, s: a.lock())
        o.host(lambda a, s: a.open_window([x509.load_pem_x509_certificate(
            Path(pki.party("opener-1").encryption_cert).read_bytes())]))
        for who in ("ent-a", "ent-b"):
            with o.as_(who) as (a, s):
                opening.release_key(a, s, Yes(), bid=o.bids[who])
        o.host(lambda a, s: opening.open_released_bids(a, s, _trust(pki, o), tmp_path / "opened"))
        _close_window(server.data, o.tender)
        target = o.submissions["ent-c"]
        o.host(lambda a, s: a.start_remedy(target))
        # Who sees what: a bidder is in no committee and may not list the remedies.
        with o.as_("ent-a") as (a, _s):
            assert a.client.get_json("/api/v1/committees") == []
            with pytest.raises(ApiError) as refused:
                opening.list_remedies(a.client, o.tender)
            assert refused.value.code == "auth.forbidden"
        ws.load_remedies()
        qtbot.waitUntil(lambda: [r.submission_id for r in ws.remedies] == [target], timeout=20_000)
        assert ws.remedy_table.item(0, 2).text() == "0 of 2 arrived"
        # The app restarted overnight: its restored session does not say which certificate it was signed in
        # with; the member's one signing certificate on the plugged-in dongle is found by its identity.
        real = context.session
        assert real is not None
        context.set_session(dataclasses.replace(real, certificate_sha256=""))
        qtbot.waitUntil(lambda: not ws.busy and ws.selected_id == second, timeout=20_000)
        ws.load_remedies()
        qtbot.waitUntil(lambda: ws.contribute_button.isEnabled(), timeout=20_000)
        click(qtbot, ws.contribute_button)
        assert target in say_yes(qtbot, questions, 2)
        answer_pin(qtbot, pki.user_pin)
        idle(qtbot, ws)
        assert ws.remedy_table.item(0, 2).text() == "1 of 2 arrived (yours included)"
        shot(ws, "committee-remedy")
        assert "1 of 2 arrived" in ws.status_label.text()
        assert not ws.contribute_button.isEnabled()  # one partial per member
        with as_member(2) as m:
            opening.contribute_partial(opening.OpeningApi(m.client, o.tender), m, target, Member(P12_PASSWORD))
        ws.load_remedies()
        qtbot.waitUntil(lambda: ws.remedy_table.item(0, 2) is not None
                        and ws.remedy_table.item(0, 2).text().startswith("2 of 2"), timeout=20_000)
        assert ws.remedy_table.item(0, 3).text() == "enough: the host can open it"
        opened = o.host(lambda a, s: opening.open_released_bids(a, s, _trust(pki, o), tmp_path / "opened"))
        assert [(r.submission_id, r.state) for r in opened] == [(target, "opened")]
        ws.load_remedies()
        qtbot.waitUntil(lambda: ws.remedy_table.item(0, 3) is not None
                        and ws.remedy_table.item(0, 3).text() == "opened by the committee", timeout=20_000)
    finally:
        prompter.abandon()
        ws.stop()
