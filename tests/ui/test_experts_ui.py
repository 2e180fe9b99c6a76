"""The expert's workspace and the administrator's pool view on the real widgets (offscreen), against one live
server over loopback for the module, with dongle (SoftHSM) logins: the expert sees their own invitations and
record, accepts, declines with a required reason, and is told clearly when a decline comes too late; the
administrator filters, sorts and pages the pool, suspends an expert with a reason (the history shows it),
imports a CSV with bad rows (the row report, nothing changed), then a good one, and adds a specialty."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QApplication, QPushButton, QWidget
from sqlalchemy import update

from bidclient.protocol.auth import AccountOut
from bidclient.signin import SignedIn
from server.cli import main as server_main
from tests.server.conftest import RunningServer, start_server
from tests.server.expert_helpers import (
    EXPERT,
    EXPERT_IDENTITY,
    Party,
    World,
    dongle_login,
    expert_row,
    import_pool,
    own_tender,
    pool_csv,
    request,
    uscc,
    world,
)
from tests.server.submission_helpers import db_session
from tests.ui.test_main_window import _unnamed_interactive
from ui.admin.pool_page import PAGE_SIZE
from ui.admin.workspace import SPECIALTIES, TRANSFER, PoolAdminWorkspace
from ui.app import install_cjk_font
from ui.context import AppContext
from ui.evaluation.workspace import RECORD, SESSIONS, ExpertWorkspace
from ui.expert_texts import relation_text
from ui.languages import LanguageManager

BEIJING = timezone(timedelta(hours=8))


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, pki) -> Iterator[RunningServer]:  # type: ignore[no-untyped-def]
    """One SQLite server for the module (the UI is the same on PostgreSQL; tests/server cover both)."""
    data = tmp_path_factory.mktemp("experts-ui") / "server"
    assert server_main(["init", "--data", str(data)]) == 0
    files = [str(p) for p in sorted(Path(pki.trust_dir).glob("*.pem"))] + \
        [str(p) for p in sorted(Path(pki.crl_dir).glob("*"))]
    assert server_main(["admin", "trust-add", "--data", str(data), *files]) == 0
    running = start_server(data, "")
    try:
        yield running
    finally:
        running.stop()


@pytest.fixture(scope="module")
def parties(server: RunningServer, pki) -> World:  # type: ignore[no-untyped-def]
    return world(server, pki)


def signed_in(party: Party, url: str, settings: QSettings) -> AppContext:
    context = AppContext(settings)
    account = AccountOut.model_validate(party.client.get_json("/api/v1/auth/me"))
    context.set_session(SignedIn(url, party.client, account, None))
    return context


def show(qtbot: Any, widget: QWidget) -> None:
    qtbot.addWidget(widget)
    widget.resize(1300, 850)
    widget.show()
    qtbot.waitExposed(widget)


def screenshot(widget: QWidget, name: str) -> None:
    """With BIDCLIENT_SCREENSHOTS_DIR set, save ``widget`` for the user guide."""
    folder = os.environ.get("BIDCLIENT_SCREENSHOTS_DIR")
    if folder:
        QApplication.processEvents()
        assert widget.grab().save(str(Path(folder) / f"{name}.png"))


def cells(table: Any) -> list[list[str]]:
    model = table.model()
    return [[str(model.index(r, c).data() or "") for c in range(model.columnCount())] for r in range(model.rowCount())]


# --- the expert -------------------------------------------------------------------------------------------

def test_expert_answers_own_invitations_and_reads_own_record(  # type: ignore[no-untyped-def]
        qtbot, server: RunningServer, parties: World, pki, ui_env: Path, settings: QSettings,
        tmp_path: Path) -> None:
    w = parties
    # 张三 is the only it.sw expert in 深圳: member 1 of each of three committees at different times.
    import_pool(tmp_path, w.admin, [expert_row(1, "it.sw;econ", identity=EXPERT_IDENTITY, region="深圳")]
                + [expert_row(n, "it.hw") for n in range(10, 15)])
    titles = {}
    draws = []
    for n, starts_in in enumerate((72, 200, 400)):
        tender = own_tender(server.data, w.agency.account_id)
        with db_session(server.data) as db:
            from server.tenders.models import Tender

            title = f"办公设备采购项目 {n + 1}"
            db.execute(update(Tender).where(Tender.id == tender).values(title=title))
            db.commit()
        place = "remote" if n != 1 else "北京市海淀区评标基地 3 楼"
        draws.append(w.agency.experts.draw(request(
            tender, [{"specialty": "it.sw", "count": 1, "reserves": 0, "regions": ["深圳"]},
                     {"specialty": "it.hw", "count": 4, "reserves": 0}],
            starts_in=starts_in, respond_in=48, place=place)))
        titles[n] = title
    me = dongle_login(server.url, pki, EXPERT)
    ws = ExpertWorkspace(signed_in(me, server.url, settings))
    show(qtbot, ws)
    ws.workspace_activated()
    page = ws.invitations
    qtbot.waitUntil(lambda: page.table.rowCount() == 3 and not page.busy, timeout=20_000)
    # Only 张三's own three invitations (the it.hw members' are not shown); no column names a bidder.
    shown = {inv.tender_title: inv for inv in page.invitations}
    assert sorted(shown) == sorted(titles.values())
    headers = [page.table.horizontalHeaderItem(c).text() for c in range(page.table.columnCount())]
    assert headers[3] == "Answer by (Beijing time (UTC+8))"
    assert not any("bidder" in h.lower() for h in headers)
    rows = {page.table.item(r, 0).text(): [page.table.item(r, c).text() for c in range(5)]
            for r in range(page.table.rowCount())}
    first = shown[titles[0]]
    assert rows[titles[0]][3] == first.respond_by.astimezone(BEIJING).strftime("%Y-%m-%d %H:%M")
    assert rows[titles[0]][2] == "Remote (远程异地评标)"
    assert rows[titles[1]][2] == "北京市海淀区评标基地 3 楼"
    assert all(r[4] == "Waiting for your answer" for r in rows.values())

    # Accept the first.
    page.select_invitation(first.id)
    assert page.accept_button.isEnabled() and not page.decline_button.isEnabled()  # no reason yet
    qtbot.mouseClick(page.accept_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: {i.id: i.state for i in page.invitations}[first.id] == "accepted", timeout=20_000)
    assert "Accepted" in page.status.text()
    assert not page.accept_button.isEnabled()  # an answer is final

    # Decline the second: the reason is required.
    second = shown[titles[1]]
    page.select_invitation(second.id)
    assert not page.decline_button.isEnabled()
    page.decline_selected()  # Enter in an empty reason field: asked for a reason, nothing sent
    assert "reason" in page.status.text() and not page.busy
    page.reason_edit.insert("出差")  # keyClicks types ASCII only
    assert page.decline_button.isEnabled()
    qtbot.mouseClick(page.decline_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: {i.id: i.state for i in page.invitations}[second.id] == "declined", timeout=20_000)
    assert any(page.table.item(r, 4).text() == "Declined: 出差" for r in range(3))
    assert me.experts.invitations() and {i.id: i.reason for i in me.experts.invitations()}[second.id] == "出差"

    # The third's deadline passes while the page is open: the decline is refused, clearly, and nothing recorded.
    third = shown[titles[2]]
    from server.experts.models import Pick

    with db_session(server.data) as db:
        db.execute(update(Pick).where(Pick.id == third.id).values(respond_by=datetime.now(UTC) - timedelta(minutes=1)))
        db.commit()
    page.select_invitation(third.id)
    page.reason_edit.insert("太晚")  # keyClicks types ASCII only
    qtbot.mouseClick(page.decline_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.error_view.isVisible(), timeout=20_000)
    assert page.error_view.headline.text() == ("The deadline for answering has passed; the answer was not "
                                               "recorded.")
    assert "[experts.invitation_expired]" in page.error_view.code.text()
    assert {i.id: i.state for i in me.experts.invitations()}[third.id] in ("pending", "expired")
    qtbot.waitUntil(lambda: not page.busy, timeout=20_000)
    assert page.error_view.isVisible()  # the refresh after the refusal keeps the message in view
    screenshot(ws, "expert-invitations")

    # A new invitation appears without a click: the page asks again while it is shown (no channel for experts).
    page.timer.setInterval(100)
    tender = own_tender(server.data, w.agency.account_id)
    w.agency.experts.draw(request(tender, [{"specialty": "it.sw", "count": 1, "reserves": 0, "regions": ["深圳"]},
                                           {"specialty": "it.hw", "count": 4, "reserves": 0}],
                                  starts_in=600, respond_in=48, tenderer_uscc=uscc(4242)))
    qtbot.waitUntil(lambda: page.table.rowCount() == 4, timeout=20_000)
    assert page.error_view.isVisible()  # a background refresh leaves the last answer's message in view

    # My record: own specialties (with their names), region, title, contact, status with history.
    ws.tabs.setCurrentIndex(RECORD)
    record = ws.record
    qtbot.waitUntil(lambda: record.record is not None and not record.busy, timeout=20_000)
    assert record.values["name"].text() == "专家00001"
    assert record.values["specialties"].text() == "造价 (econ); 软件 (it.sw)"
    assert record.values["region"].text() == "深圳" and record.values["title"].text() == "高级工程师"
    assert record.values["status"].text() == "Admitted (入库)"
    assert record.history.rowCount() == 1 and record.history.item(0, 1).text() == "Admitted (入库)"
    screenshot(ws, "expert-record")
    # The scoring sessions are the workspace's third page; this expert is in none yet.
    ws.tabs.setCurrentIndex(SESSIONS)
    assert ws.tabs.tabText(SESSIONS) == "Evaluation sessions"
    qtbot.waitUntil(lambda: not ws.sessions.busy, timeout=20_000)
    assert ws.sessions.sessions_list.count() == 0
    for index in range(ws.tabs.count()):  # every page, keyboard-reachable and named for a screen reader
        ws.tabs.setCurrentIndex(index)
        assert _unnamed_interactive(ws) == []


def test_expert_declares_and_withdraws_own_relations(  # type: ignore[no-untyped-def]
        qtbot, server: RunningServer, parties: World, pki, ui_env: Path, settings: QSettings,
        tmp_path: Path) -> None:
    w = parties
    import_pool(tmp_path, w.admin, [expert_row(1, "it.sw;econ", identity=EXPERT_IDENTITY, region="深圳")])
    me = dongle_login(server.url, pki, EXPERT)
    own_id = me.experts.me().id
    recorded = w.admin.experts.add_relation(own_id, "supervising_authority", uscc(8801), "原单位主管部门")
    ws = ExpertWorkspace(signed_in(me, server.url, settings))
    show(qtbot, ws)
    ws.tabs.setCurrentIndex(RECORD)
    record, panel = ws.record, ws.record.relations
    qtbot.waitUntil(lambda: record.record is not None and not record.busy, timeout=20_000)
    assert any(r.id == recorded.id for r in panel.relations)

    def row_of(relation_id: int) -> list[str]:
        panel.select_relation(relation_id)
        row = panel.table.currentRow()
        return [panel.table.item(row, c).text() for c in range(panel.table.columnCount())]

    headers = [panel.table.horizontalHeaderItem(c).text() for c in range(panel.table.columnCount())]
    assert headers == ["Relation", "Enterprise (统一社会信用代码)", "Note", "Until (Beijing time (UTC+8))",
                       "Recorded by", "Declared (Beijing time (UTC+8))", "Withdrawn (Beijing time (UTC+8))"]
    admin_row = row_of(recorded.id)
    assert admin_row[:5] == ["Supervising authority (行政监督)", uscc(8801), "原单位主管部门", "", "Administrator"]
    assert recorded.declared_at is not None
    assert admin_row[5] == recorded.declared_at.astimezone(BEIJING).strftime("%Y-%m-%d %H:%M")
    # One the administrator recorded cannot be withdrawn here: the button says why.
    assert not panel.withdraw_button.isEnabled()
    assert "administrator recorded this relation" in panel.withdraw_button.toolTip()

    # Declare: a USCC with the wrong check character is refused as typed; nothing can be sent.
    qtbot.mouseClick(panel.declare_button, Qt.MouseButton.LeftButton)
    dialog = panel.dialog
    assert dialog is not None and dialog.isVisible()
    assert [dialog.kind.itemData(i) for i in range(dialog.kind.count())] == [
        "relative", "economic_interest", "supervising_authority", "punished"]
    dialog.kind.setCurrentIndex(dialog.kind.findData("economic_interest"))
    good = uscc(8802)
    bad = good[:17] + ("0" if good[17] != "0" else "1")
    qtbot.keyClicks(dialog.uscc_edit, bad[:10])
    assert dialog.uscc_check.text() == "10 of 18 characters." and not dialog.declare_button.isEnabled()
    qtbot.keyClicks(dialog.uscc_edit, bad[10:])
    assert "Not a valid 统一社会信用代码" in dialog.uscc_check.text()
    assert not dialog.declare_button.isEnabled()
    qtbot.keyClick(dialog.uscc_edit, Qt.Key.Key_Return)  # Enter with a bad code: nothing sent
    assert panel.confirm_box is None and not panel.busy
    # A penalty names no enterprise (the server's rule): the field is not needed for it.
    dialog.kind.setCurrentIndex(dialog.kind.findData("punished"))
    assert not dialog.uscc_edit.isEnabled() and dialog.declare_button.isEnabled()
    assert dialog.meaning.text() == "From now on no draw will pick you for any tender, until you withdraw it."
    dialog.kind.setCurrentIndex(dialog.kind.findData("economic_interest"))
    dialog.uscc_edit.clear()
    qtbot.keyClicks(dialog.uscc_edit, good.lower())  # typed in lower case: taken in capitals
    assert dialog.uscc_edit.text() == good and dialog.uscc_check.text() == "✓ A valid 统一社会信用代码."
    dialog.note_edit.insert("配偶持股 5%")  # keyClicks types ASCII only
    dialog.until_check.setChecked(True)
    until_day = dialog.until_edit.date().addDays(-30)
    dialog.until_edit.setDate(until_day)
    until = datetime(until_day.year(), until_day.month(), until_day.day(), tzinfo=BEIJING)
    assert dialog.meaning.text() == (f"From now on no draw for {good} (tenderer or bidder) will pick you until "
                                     f"{until:%Y-%m-%d} 00:00 Beijing time (UTC+8).")
    assert _unnamed_interactive(dialog) == []
    qtbot.mouseClick(dialog.declare_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: panel.confirm_box is not None and panel.confirm_box.isVisible(), timeout=5000)
    box = panel.confirm_box
    assert box is not None and "no draw for " + good in box.informativeText()
    assert not dialog.cancel_button.isEnabled() and not dialog.uscc_edit.isEnabled()  # fixed while asked
    # Going back sends nothing and keeps what was typed.
    qtbot.mouseClick(box.findChild(QPushButton, "cancelDeclare"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: panel.confirm_box is None and dialog.declare_button.isEnabled(), timeout=5000)
    assert dialog.uscc_edit.text() == good and len(me.experts.my_relations()) == len(panel.relations)
    qtbot.mouseClick(dialog.declare_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: panel.confirm_box is not None and panel.confirm_box.isVisible(), timeout=5000)
    assert panel.confirm_box is not None
    qtbot.mouseClick(panel.confirm_box.findChild(QPushButton, "confirmDeclare"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: panel.dialog is None and not panel.busy, timeout=20_000)
    assert panel.status.text() == f"Declared: Economic interest (经济利益), {good}. Draws exclude you from now on."
    # What the server holds (the core's my_relations) is what was declared, and what the page lists.
    held = [r for r in me.experts.my_relations() if r.source == "self" and r.uscc == good]
    assert len(held) == 1
    declared = held[0]
    assert (declared.kind, declared.note, declared.until, declared.withdrawn_at) == (
        "economic_interest", "配偶持股 5%", until, None)
    assert [r.id for r in panel.relations] == [r.id for r in me.experts.my_relations()]
    assert row_of(declared.id)[:5] == ["Economic interest (经济利益)", good, "配偶持股 5%",
                                       f"{until:%Y-%m-%d} 00:00", "You"]
    assert panel.withdraw_button.isEnabled()

    # Withdraw it: asked first (the default keeps it); then it stays listed, marked withdrawn.
    qtbot.mouseClick(panel.withdraw_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: panel.confirm_box is not None and panel.confirm_box.isVisible(), timeout=5000)
    box = panel.confirm_box
    assert box is not None and box.defaultButton() is box.findChild(QPushButton, "keepRelation")
    qtbot.keyClick(box, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: panel.confirm_box is None and "Not withdrawn" in panel.status.text(), timeout=5000)
    assert {r.id: r.withdrawn_at for r in me.experts.my_relations()}[declared.id] is None
    qtbot.mouseClick(panel.withdraw_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: panel.confirm_box is not None and panel.confirm_box.isVisible(), timeout=5000)
    assert panel.confirm_box is not None
    qtbot.mouseClick(panel.confirm_box.findChild(QPushButton, "confirmWithdraw"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not panel.busy and "Withdrawn:" in panel.status.text(), timeout=20_000)
    withdrawn_at = {r.id: r.withdrawn_at for r in me.experts.my_relations()}[declared.id]
    assert withdrawn_at is not None
    listed = row_of(declared.id)
    assert listed[6] == withdrawn_at.astimezone(BEIJING).strftime("%Y-%m-%d %H:%M") and listed[1] == good
    assert not panel.withdraw_button.isEnabled() and "Withdrawn already" in panel.withdraw_button.toolTip()

    # Withdrawn elsewhere meanwhile (the command line): the refusal is shown, and the list follows the server.
    other = me.experts.declare_relation("relative", uscc(8803), "弟弟任项目经理")
    qtbot.mouseClick(record.refresh_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not record.busy and any(r.id == other.id for r in panel.relations), timeout=20_000)
    panel.select_relation(other.id)
    me.experts.withdraw_relation(other.id)
    qtbot.mouseClick(panel.withdraw_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: panel.confirm_box is not None and panel.confirm_box.isVisible(), timeout=5000)
    assert panel.confirm_box is not None
    qtbot.mouseClick(panel.confirm_box.findChild(QPushButton, "confirmWithdraw"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: panel.error_view.isVisible(), timeout=20_000)
    assert panel.error_view.headline.text() == "This relation was withdrawn already."
    assert "[experts.relation_withdrawn]" in panel.error_view.code.text()
    qtbot.waitUntil(lambda: not panel.busy and row_of(other.id)[6] != "", timeout=20_000)
    assert panel.error_view.isVisible()
    assert _unnamed_interactive(ws) == []
    qtbot.mouseClick(record.refresh_button, Qt.MouseButton.LeftButton)  # read: the message goes
    qtbot.waitUntil(lambda: not record.busy and not panel.error_view.isVisible(), timeout=20_000)
    assert row_of(other.id)[6] != "" and len(panel.relations) == len(me.experts.my_relations())

    # A language switch renames the panel, the kinds included, and keeps the list as the server has it.
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    install_cjk_font(app)  # as the app does at start
    languages = LanguageManager(settings)
    try:
        languages.set_language("zh_CN")
        assert panel.declare_button.text().startswith("申报回避关系")
        assert row_of(declared.id)[0] == relation_text("economic_interest") != "Economic interest (经济利益)"
        assert row_of(other.id)[6] != ""  # still withdrawn (the record page re-shown does not reset it)
        panel.select_relation(declared.id)
        screenshot(ws, "expert-relations")
    finally:
        languages.set_language("en")

    # The administrator dismisses the expert while the page is open (last: 张三 is dismissed from here on): a
    # declaration is refused in its window, what was typed kept; after Refresh the button says why it is off.
    w.admin.experts.set_status(own_id, "dismissed", "违规")
    dialog = panel.open_declare_dialog()
    qtbot.keyClicks(dialog.uscc_edit, uscc(8804))
    qtbot.mouseClick(dialog.declare_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: panel.confirm_box is not None and panel.confirm_box.isVisible(), timeout=5000)
    assert panel.confirm_box is not None
    qtbot.mouseClick(panel.confirm_box.findChild(QPushButton, "confirmDeclare"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.error_view.isVisible() and not panel.busy, timeout=20_000)
    assert dialog.error_view.headline.text() == "The expert was dismissed; the record is not changed again."
    assert dialog.isVisible() and dialog.uscc_edit.text() == uscc(8804) and dialog.declare_button.isEnabled()
    assert all(r.uscc != uscc(8804) for r in me.experts.my_relations())
    qtbot.mouseClick(dialog.cancel_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: panel.dialog is None, timeout=5000)
    qtbot.mouseClick(record.refresh_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not record.busy and record.values["status"].text() == "Dismissed (解聘)", timeout=20_000)
    assert not panel.declare_button.isEnabled() and "dismissed" in panel.declare_button.toolTip()


def test_a_signed_in_bidder_is_told_they_are_not_in_the_pool(  # type: ignore[no-untyped-def]
        qtbot, server: RunningServer, parties: World, ui_env: Path, settings: QSettings) -> None:
    ws = ExpertWorkspace(signed_in(parties.supervisor, server.url, settings))
    show(qtbot, ws)
    ws.tabs.setCurrentIndex(RECORD)
    qtbot.waitUntil(lambda: ws.record.error_view.isVisible(), timeout=20_000)
    assert "[auth.forbidden]" in ws.record.error_view.code.text()
    assert ws.record.values["name"].text() == ""


# --- the administrator ------------------------------------------------------------------------------------

def test_admin_filters_suspends_imports_and_edits_specialties(  # type: ignore[no-untyped-def]
        qtbot, server: RunningServer, parties: World, ui_env: Path, settings: QSettings, tmp_path: Path) -> None:
    w = parties
    regions = ["北京", "上海", "广州"]
    import_pool(tmp_path, w.admin, [expert_row(n, "it.hw" if n % 2 else "econ", region=regions[n % 3])
                                    for n in range(1000, 1000 + 2 * PAGE_SIZE + 30)])
    total = w.admin.experts.list_experts().total
    ws = PoolAdminWorkspace(signed_in(w.admin, server.url, settings))
    show(qtbot, ws)
    ws.workspace_activated()
    pool = ws.pool
    qtbot.waitUntil(lambda: pool.listed and not pool.busy and pool.specialty_filter.count() > 1, timeout=20_000)
    # One page in the model, the whole pool counted; Next pages through the server's list.
    assert pool.model.rowCount() == PAGE_SIZE
    assert pool.page_label.text() == f"Experts 1–{PAGE_SIZE} of {total:,}"
    qtbot.mouseClick(pool.next_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: pool.offset == PAGE_SIZE and not pool.busy, timeout=20_000)
    assert pool.page_label.text() == f"Experts {PAGE_SIZE + 1}–{2 * PAGE_SIZE} of {total:,}"
    assert pool.previous_button.isEnabled()

    # Filter: specialty econ, region 上海, part of a name.
    pool.specialty_filter.setCurrentIndex(pool.specialty_filter.findData("econ"))
    pool.region_filter.insert("上海")  # keyClicks types ASCII only
    pool.name_filter.insert("专家010")  # keyClicks types ASCII only
    qtbot.keyClick(pool.name_filter, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: pool.offset == 0 and not pool.busy, timeout=20_000)
    expected = sorted(f"专家{n:05d}" for n in range(1000, 1100) if n % 2 == 0 and n % 3 == 1)
    assert [r[0] for r in cells(pool.table)] == expected
    assert all(r[4] == "上海" and r[3] == "econ" for r in cells(pool.table))
    # Sorted by the server, over the whole result: name descending.
    pool.table.sortByColumn(0, Qt.SortOrder.DescendingOrder)
    qtbot.waitUntil(lambda: not pool.busy and [r[0] for r in cells(pool.table)] == expected[::-1], timeout=20_000)

    # Suspend the first shown with a reason until a date: the history shows it, the status filter finds it.
    pool.table.selectRow(0)
    qtbot.waitUntil(lambda: pool.expert is not None and bool(pool.expert.history) and not pool.busy,
                    timeout=20_000)
    chosen = pool.expert
    assert chosen is not None and chosen.name == expected[-1]
    pool.action.setCurrentIndex(pool.action.findData("suspended"))
    assert pool.until_edit.isEnabled() and not pool.apply_button.isEnabled()  # the reason is required
    pool.reason_edit.insert("未按时参加评标")  # keyClicks types ASCII only
    qtbot.mouseClick(pool.apply_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: pool.expert is not None and pool.expert.status == "suspended" and not pool.busy,
                    timeout=20_000)
    assert [pool.history.item(0, c).text() for c in (1, 2)] == ["Suspended (暂停)", "未按时参加评标"]
    assert pool.history.item(0, 3).text().endswith("00:00")  # the until-date's start, Beijing time
    assert pool.history.item(1, 1).text() == "Admitted (入库)"
    assert w.admin.experts.get(chosen.id).history[-1].reason == "未按时参加评标"
    # Dismissal is final: asked first, and the default answer keeps the expert.
    pool.action.setCurrentIndex(pool.action.findData("dismissed"))
    assert not pool.until_edit.isEnabled()
    pool.reason_edit.insert("违规")  # keyClicks types ASCII only
    qtbot.mouseClick(pool.apply_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: pool.confirm_box is not None and pool.confirm_box.isVisible(), timeout=5000)
    box = pool.confirm_box
    assert box is not None and box.defaultButton() is box.findChild(QPushButton, "keepExpert")
    qtbot.keyClick(box, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not box.isVisible() and "stays in the pool" in pool.status.text(), timeout=5000)
    assert w.admin.experts.get(chosen.id).status == "suspended" and not pool.busy
    pool.reason_edit.clear()
    pool.status_filter.setCurrentIndex(pool.status_filter.findData("suspended"))
    pool.specialty_filter.setCurrentIndex(0)
    pool.region_filter.clear()
    pool.name_filter.clear()
    qtbot.mouseClick(pool.search_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not pool.busy and [r[0] for r in cells(pool.table)] == [chosen.name], timeout=20_000)
    assert cells(pool.table)[0][6] == "Suspended (暂停)"
    screenshot(ws, "admin-pool-table")
    # Confirmed, the dismissal is made, and the form then refuses any further change.
    qtbot.waitUntil(lambda: pool.expert is not None and pool.expert.id == chosen.id and not pool.busy, timeout=20_000)
    pool.action.setCurrentIndex(pool.action.findData("dismissed"))
    pool.reason_edit.insert("违规")  # keyClicks types ASCII only
    qtbot.mouseClick(pool.apply_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: pool.confirm_box is not None and pool.confirm_box.isVisible(), timeout=5000)
    assert pool.confirm_box is not None
    qtbot.mouseClick(pool.confirm_box.findChild(QPushButton, "confirmDismiss"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: pool.expert is not None and pool.expert.status == "dismissed" and not pool.busy,
                    timeout=20_000)
    assert pool.history.item(0, 2).text() == "违规"
    pool.reason_edit.insert("再次")  # keyClicks types ASCII only
    assert not pool.apply_button.isEnabled() and "not changed again" in pool.change_note.text()

    # Import a CSV with bad rows: the row report, nothing changed; then a good one.
    ws.tabs.setCurrentIndex(TRANSFER)
    transfer = ws.transfer
    good = [expert_row(n) for n in (5001, 5002)]
    broken = expert_row(5003) | {"employer_uscc": uscc(7)[:17] + ("0" if uscc(7)[17] != "0" else "1")}
    bad_file = tmp_path / "bad.csv"
    bad_file.write_bytes(pool_csv([*good, broken, expert_row(5004, "nosuch")]))
    transfer.import_file(bad_file)
    qtbot.waitUntil(lambda: not transfer.busy and transfer.report_table.isVisible(), timeout=20_000)
    report = [[transfer.report_table.item(r, c).text() for c in range(2)]
              for r in range(transfer.report_table.rowCount())]
    assert [r[0] for r in report] == ["4", "5"]
    assert "wrong check character" in report[0][1] and "unknown specialties: nosuch" in report[1][1]
    assert "Nothing was imported and the pool is unchanged." in transfer.outcome.text()
    assert transfer.error_view.headline.text() == "The expert file has bad rows; nothing was imported."
    assert w.admin.experts.list_experts().total == total
    screenshot(ws, "admin-pool-import-report")
    good_file = tmp_path / "good.csv"
    good_file.write_bytes(pool_csv(good))
    transfer.import_file(good_file)
    qtbot.waitUntil(lambda: not transfer.busy and "imported" in transfer.status.text(), timeout=20_000)
    assert transfer.status.text() == "good.csv imported: 2 new expert(s), 0 updated."
    assert not transfer.report_table.isVisible() and not transfer.error_view.isVisible()
    assert w.admin.experts.list_experts().total == total + 2
    qtbot.waitUntil(lambda: not pool.busy and pool.listed, timeout=20_000)  # the pool was listed again
    exported = tmp_path / "export.csv"
    transfer.export_to(exported)
    qtbot.waitUntil(lambda: not transfer.busy and exported.exists(), timeout=20_000)
    assert "专家05001" in exported.read_text(encoding="utf-8-sig")

    # Specialties: add one; the pool's filter offers it.
    ws.tabs.setCurrentIndex(SPECIALTIES)
    specialties = ws.specialties
    qtbot.waitUntil(lambda: not specialties.busy and specialties.table.rowCount() >= 4, timeout=20_000)
    qtbot.keyClicks(specialties.code_edit, "civil.road")
    specialties.name_edit.insert("道路工程")  # keyClicks types ASCII only
    specialties.category.setCurrentIndex(specialties.category.findData("technical"))
    qtbot.mouseClick(specialties.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not specialties.busy and "civil.road" in [s.code for s in specialties.specialties],
                    timeout=20_000)
    assert pool.specialty_filter.findData("civil.road") > 0
    # Selecting one fills the form; a new name is saved under the same code.
    row = next(r for r in range(specialties.table.rowCount()) if specialties.table.item(r, 0).text() == "econ")
    specialties.table.selectRow(row)
    assert (specialties.code_edit.text(), specialties.name_edit.text()) == ("econ", "造价")
    assert specialties.category.currentData() == "economic"
    specialties.name_edit.setText("工程造价")
    qtbot.keyClick(specialties.name_edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not specialties.busy and {s.code: s.name for s in specialties.specialties}["econ"]
                    == "工程造价", timeout=20_000)
    assert pool.specialty_filter.itemText(pool.specialty_filter.findData("econ")) == "工程造价 (econ)"
    for index in range(ws.tabs.count()):  # every page, keyboard-reachable and named for a screen reader
        ws.tabs.setCurrentIndex(index)
        assert _unnamed_interactive(ws) == []
