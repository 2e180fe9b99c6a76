"""Clarification requests (澄清) in the desktop app, on real widgets against a live server over loopback with
SoftHSM dongles: the expert (expert-1's token) asks — refused by the server outside the review and the
scoring, the refusal shown — then asks the bidder of a bid; the bidder (ent-a's token) sees the question on
its Clarifications page and answers with one PIN; the expert sees the answer, live, as signed by the bid's
bidder and verified; the supervisor sees the same, read-only. An answer whose text was altered after signing
is not shown as verified."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QSettings, Qt

from bidclient.evaluation.clarifications import verify_answer
from bidclient.protocol.evaluation_session import MemberStatus, Phase
from bidclient.signin import sign_in
from bidclient.signing import load_trust
from tests.prompters import PinPrompter
from tests.server.conftest import RunningServer
from tests.server.evaluation_helpers import Committee, committee, party
from tests.ui.conftest import answer_pin
from tests.ui.evaluation_ui_helpers import (
    Desk,
    choose_session,
    init_server,
    open_page,
    serve,
    shot,
    token_identity,
    token_sign_in,
)
from ui.context import AppContext
from ui.pin_bridge import QtPrompter

LEFT = Qt.MouseButton.LeftButton


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, pki: Any) -> Iterator[RunningServer]:
    data = tmp_path_factory.mktemp("clarifications-ui") / "server"
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


def _to_reading(c: Committee, pki: Any) -> None:
    """Everyone checks in (the UI's expert too, with a software copy of its key), e1 is chair, reading."""
    sid = c.session_id
    me = party(c.server.url, pki, "expert-1")
    for m in (*c.experts, me):
        m.api.check_in(sid, m.identity, m.sign)
        m.api.declare(sid, m.identity, m.sign, conflict=False, detail="")
    c.agency.api.advance(sid, Phase.ELECTION)
    for m in (*c.experts, me):
        m.api.vote_chair(sid, c.experts[0].identity)
    c.experts[0].api.advance(sid, Phase.READING)


def _context(tmp_path: Path, name: str) -> AppContext:
    return AppContext(QSettings(str(tmp_path / f"{name}.ini"), QSettings.Format.IniFormat))


def test_expert_asks_bidder_answers_with_its_dongle_and_the_answer_shows_verified(
        qtbot: Any, desk: Desk, session_committee: Committee, server: RunningServer, pki: Any,
        tmp_path: Path) -> None:
    from ui.bidder.clarifications_page import ClarificationsPage
    from ui.supervisor.workspace import CLARIFICATIONS_TAB, SupervisorWorkspace

    c, page = session_committee, desk.page
    sid = c.session_id
    _to_reading(c, pki)
    choose_session(qtbot, page, sid)
    qtbot.waitUntil(lambda: any(m.status == MemberStatus.DECLARED and m.identity_key == token_identity(pki)
                                for m in page.session.members), timeout=20_000)
    page.tabs.setCurrentIndex(6)
    panel = page.clarifications
    assert panel.ask_box.isVisibleTo(page)
    assert panel.bid_choice.count() == 3
    assert not panel.ask_button.isEnabled()  # no question typed: nothing to send

    # In the reading phase the server refuses the question: its refusal is shown, nothing is listed.
    panel.bid_choice.setCurrentIndex(panel.bid_choice.findData("bid-a"))
    panel.question.setPlainText("请说明售后服务网点的数量和地址。")
    qtbot.mouseClick(panel.ask_button, LEFT)
    qtbot.waitUntil(lambda: page.error_view.message is not None, timeout=20_000)
    assert page.error_view.message.code == "evaluation.phase_closed"
    assert page.error_view.isVisible()
    assert c.supervisor.api.clarifications(sid).clarifications == []
    assert panel.question.toPlainText() != ""  # kept, to be sent once the review is open

    # In the review the question goes to the bidder of bid-a; the list shows it as asked.
    c.experts[0].api.advance(sid, Phase.REVIEW)
    qtbot.waitUntil(lambda: page.session.phase == Phase.REVIEW, timeout=20_000)
    qtbot.mouseClick(panel.ask_button, LEFT)
    qtbot.waitUntil(lambda: len(panel.items) == 1, timeout=20_000)
    assert page.error_view.message is None
    assert panel.question.toPlainText() == ""
    asked = panel.items[0]
    assert (asked.bid, asked.bid_name, asked.verdict) == ("bid-a", "北京甲公司", "asked")
    assert panel.table.item(0, 2).text() == "asked, waiting for the answer"
    assert panel.table.item(0, 3).text().endswith("Beijing time (UTC+8)")  # the tender's zone

    # The bidder, signed in with its own dongle, sees the question and answers with one PIN entry.
    bidder_context = _context(tmp_path, "bidder")
    bidder_page = ClarificationsPage(bidder_context)
    bidder_context.pin_source = QtPrompter(bidder_page)
    qtbot.addWidget(bidder_page)
    bidder_page.resize(1000, 480)
    bidder_page.show()
    bidder_context.set_session(sign_in(server.url, pki.party("ent-a").signing_uri,
                                       PinPrompter(lambda _r: pki.user_pin)))
    bidder_page.refresh()
    qtbot.waitUntil(lambda: len(bidder_page.items) == 1 and not bidder_page.busy, timeout=20_000)
    assert bidder_page.question.toPlainText() == "请说明售后服务网点的数量和地址。"
    assert bidder_page.table.item(0, 3).text() == "waiting for your answer"
    assert not bidder_page.answer_button.isEnabled()  # nothing typed yet
    bidder_page.answer.setPlainText("我公司在本市设有三个售后服务网点，地址见投标文件第12页。")
    shot(bidder_page, "bidder-clarifications")
    qtbot.mouseClick(bidder_page.answer_button, LEFT)
    answer_pin(qtbot, pki.user_pin)
    qtbot.waitUntil(lambda: bool(bidder_page.items) and bidder_page.items[0].answered and not bidder_page.busy,
                    timeout=20_000)
    assert bidder_page.answer.isReadOnly() and not bidder_page.answer_button.isEnabled()
    assert bidder_page.items[0].verdict == "verified"

    # The expert's panel follows live: the answer is shown as signed by the bid's bidder, verified.
    qtbot.waitUntil(lambda: bool(panel.items) and panel.items[0].answered, timeout=20_000)
    done = panel.items[0]
    assert done.verdict == "verified", done.problem
    assert panel.signature.text() == "Signed by 北京甲公司 (verified)"
    assert "三个售后服务网点" in panel.detail.toPlainText()
    assert panel.table.item(0, 2).text() == "answered · signed by 北京甲公司 (verified)"
    shot(page, "evaluation-clarifications")
    from tests.ui.test_main_window import _unnamed_interactive

    assert _unnamed_interactive(panel) == [] and _unnamed_interactive(bidder_page) == []

    # An answer altered after it was signed is not shown as signed.
    raw = c.supervisor.api.clarifications(sid).clarifications[0]
    trust_list = load_trust([])
    assert verify_answer(raw, c.bidder.identity, trust_list) == ""
    assert verify_answer(raw.model_copy(update={"answer": "我公司设有十个网点"}), c.bidder.identity, trust_list)
    assert verify_answer(raw, c.experts[0].identity, trust_list)  # not the bid's bidder
    assert verify_answer(raw.model_copy(update={"answer_signature": "anVuaw=="}), c.bidder.identity, trust_list)
    assert verify_answer(raw.model_copy(update={"answer_signature": None}), c.bidder.identity, trust_list)

    # The supervisor sees the request and the verified answer, with no form to ask.
    supervisor_context = _context(tmp_path, "supervisor")
    supervisor = SupervisorWorkspace(supervisor_context)
    qtbot.addWidget(supervisor)
    supervisor.show()
    supervisor_context.set_session(sign_in(server.url, pki.party("opener-1").signing_uri,
                                           PinPrompter(lambda _r: pki.user_pin)))
    try:
        qtbot.waitUntil(lambda: supervisor.sessions_list.count() > 0, timeout=20_000)
        supervisor.open_session(sid)
        qtbot.waitUntil(lambda: bool(supervisor.clarifications.items) and not supervisor.busy, timeout=20_000)
        supervisor.tabs.setCurrentIndex(CLARIFICATIONS_TAB)
        assert not supervisor.clarifications.ask_box.isVisibleTo(supervisor)
        assert supervisor.clarifications.items[0].verdict == "verified"
        assert supervisor.clarifications.signature.text() == "Signed by 北京甲公司 (verified)"
        supervisor.resize(1200, 600)
        shot(supervisor, "supervisor-clarifications")
    finally:
        supervisor.shutdown()
        qtbot.waitUntil(lambda: not supervisor.busy, timeout=20_000)
