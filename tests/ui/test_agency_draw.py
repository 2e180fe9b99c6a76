"""The agency's draw page on real widgets (pytest-qt, offscreen) against a live server with dongle (SoftHSM)
logins: the rules judged as typed, the server's refusal shown, commitment then seed, acceptance followed live
(counts, no names until the evaluation begins), the record saved and verified."""

from __future__ import annotations

import json
import os
import re
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QComboBox, QFileDialog, QSpinBox
from sqlalchemy import update

from bidclient.experts import load_record, verify_record
from bidclient.signin import SignedIn
from tests.server.expert_helpers import (
    AGENCY,
    EXPERT,
    EXPERT_IDENTITY,
    dongle_login,
    expert_row,
    import_pool,
    own_tender,
    world,
)
from tests.server.submission_helpers import db_session
from tests.ui.test_main_window import _unnamed_interactive
from ui.agency.draw_page import COUNT, RESERVES, SPECIALTY, DrawPage
from ui.agency.workspace import AgencyWorkspace
from ui.context import AppContext


def _signed_in(url: str, pki) -> SignedIn:  # type: ignore[no-untyped-def]
    """The agency's session as the app's sign-in makes it (a dongle login)."""
    from bidclient.api_client import ApiClient
    from crypto import cms_sign
    from crypto.key_access import open_key
    from crypto.pin import pin_from_source_spec

    uri, pin = pki.party(AGENCY).signing_uri, pin_from_source_spec(f"file:{pki.pin_file}")

    def sign(data: bytes) -> bytes:
        with open_key(uri, pin) as session:
            return cms_sign.sign_detached(data, session.signer())

    client = ApiClient(url, retries=0)
    out = client.login(sign)
    return SignedIn(url, client, out.account, out.expires_at)


def _shoot(workspace: AgencyWorkspace, name: str) -> None:
    """With BIDCLIENT_SCREENSHOTS_DIR set (docs/screenshots, under Xvfb), the workspace as it is now, in
    zh_CN as the user guide shows it; the test goes on in English."""
    folder = os.environ.get("BIDCLIENT_SCREENSHOTS_DIR")
    if not folder:
        return
    from PySide6.QtWidgets import QApplication

    from ui.app import install_cjk_font
    from ui.languages import LanguageManager

    install_cjk_font(QApplication.instance())  # type: ignore[arg-type]
    with tempfile.TemporaryDirectory() as scratch:  # the language manager's settings, not the shots' folder
        languages = LanguageManager(QSettings(str(Path(scratch) / "languages.ini"), QSettings.Format.IniFormat))
        languages.set_language("zh_CN")
        QApplication.processEvents()
        try:
            assert workspace.grab().save(str(Path(folder) / f"agency-draw-{name}.png"))
        finally:
            languages.set_language("en")


def _slot(page: DrawPage, row: int, specialty: str, count: int, reserves: int) -> None:
    combo = page.slots_table.cellWidget(row, SPECIALTY)
    members = page.slots_table.cellWidget(row, COUNT)
    spare = page.slots_table.cellWidget(row, RESERVES)
    assert isinstance(combo, QComboBox) and isinstance(members, QSpinBox) and isinstance(spare, QSpinBox)
    combo.setEditText(specialty)
    members.setValue(count)
    spare.setValue(reserves)


@pytest.fixture
def agency_page(qtbot, sqlite_server, pki, tmp_path: Path):  # type: ignore[no-untyped-def]
    w = world(sqlite_server, pki)
    # Seven experts of it.hw (张三 among them, who answers below) and three lawyers.
    import_pool(tmp_path, w.admin, [expert_row(1, identity=EXPERT_IDENTITY)] + [expert_row(n) for n in range(2, 8)]
                + [expert_row(n, "law") for n in range(8, 11)])
    tender = own_tender(sqlite_server.data, w.agency.account_id,
                        evaluation={"budget": "12000000.00", "complex": True})
    context = AppContext(QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat))
    workspace = AgencyWorkspace(context)
    qtbot.addWidget(workspace)
    workspace.resize(1300, 860)
    workspace.show()
    context.set_session(_signed_in(sqlite_server.url, pki))
    yield workspace, tender, w
    workspace.draw_page.stop()


def test_the_agency_draws_follows_and_verifies_a_committee(qtbot, agency_page, sqlite_server, pki,  # type: ignore[no-untyped-def]
                                                           tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    workspace, tender, w = agency_page
    page: DrawPage = workspace.draw_page
    assert "Signed in as" in workspace.who.text() and not workspace.sign_in_button.isVisible()

    # Look the tender up: its budget and complexity decide the smallest committee.
    qtbot.keyClicks(page.tender_edit, tender)
    qtbot.mouseClick(page.lookup_button, qtbot_left())
    qtbot.waitUntil(lambda: page.facts is not None, timeout=20_000)
    assert "12,000,000" in page.tender_info.text() and "complex project" in page.tender_info.text()
    combo = page.slots_table.cellWidget(0, SPECIALTY)
    assert isinstance(combo, QComboBox) and [combo.itemText(i) for i in range(combo.count())] == [
        "econ", "it.hw", "it.sw", "law"]

    # The rules, judged as the agency types: commit stays disabled while the committee is not allowed.
    _slot(page, 0, "it.hw", 5, 0)
    assert page.rules_label.text().startswith("✗ A complex project with a budget of ¥10 million")
    assert not page.commit_button.isEnabled()
    _slot(page, 0, "it.hw", 6, 0)
    assert "odd number" in page.rules_label.text() and not page.commit_button.isEnabled()
    _slot(page, 0, "it.hw", 4, 0)
    page.add_slot("law", 3, 0)
    assert "two thirds" in page.rules_label.text() and not page.commit_button.isEnabled()
    page.slots_table.setCurrentCell(1, 0)
    qtbot.mouseClick(page.remove_slot_button, qtbot_left())
    _slot(page, 0, "it.hw", 7, 2)
    assert page.rules_label.text().startswith("✓ A committee of 7") and page.commit_button.isEnabled()

    # The server's refusal, shown as it is: seven experts cannot also give two reserves; nothing was drawn.
    qtbot.waitUntil(lambda: page.commit_button.isEnabled(), timeout=30_000)  # not while refreshing
    qtbot.mouseClick(page.commit_button, qtbot_left())
    qtbot.waitUntil(lambda: page.error_view.isVisible(), timeout=30_000)
    assert page.error_view.headline.text() == "The pool cannot fill the committee; nothing was drawn."
    assert "[experts.pool_too_small]" in page.error_view.code.text()
    assert "9 needed (members and reserves), 7 available" in page.error_view.code.text()
    _shoot(workspace, "refused")
    assert page.draw is None

    # Commit: the commitment and the snapshot hash are published, the seed stays secret.
    _slot(page, 0, "it.hw", 7, 0)
    qtbot.waitUntil(lambda: page.commit_button.isEnabled(), timeout=30_000)  # not while refreshing
    qtbot.mouseClick(page.commit_button, qtbot_left())
    qtbot.waitUntil(lambda: page.draw is not None and not page.busy, timeout=30_000)
    assert not page.error_view.isVisible()
    committed = page.draw
    assert committed is not None and committed.state == "committed"
    assert committed.commitment in page.commitment_label.text()
    assert page.seed_label.text() == "Seed: secret until the draw is run."
    assert page.run_button.isEnabled() and not page.verify_button.isEnabled()
    # A second request would replace this draw: it needs a reason first.
    assert not page.commit_button.isEnabled() and page.reason_edit.isEnabled()
    page.reason_edit.setText("一名专家申报了关联关系")
    assert page.commit_button.isEnabled() and page.request().replaces == committed.id
    page.reason_edit.clear()
    _shoot(workspace, "committed")

    # Run: the seed is revealed and matches the commitment; the agency sees counts, not names.
    qtbot.waitUntil(lambda: page.run_button.isEnabled(), timeout=30_000)  # not while refreshing
    qtbot.mouseClick(page.run_button, qtbot_left())
    qtbot.waitUntil(lambda: page.draw is not None and page.draw.seed is not None, timeout=30_000)
    seed = page.draw.seed
    assert seed and seed in page.seed_label.text() and "its SHA-256 is the commitment" in page.seed_label.text()
    assert page.counts_label.text().startswith("Accepted 0 of 7 members.")
    assert "Names stay hidden from the agency until the evaluation begins" in page.names_label.text()
    assert not page.members_table.isVisible()

    # Watch acceptance live: 张三 accepts in his own app; the page follows without a click.
    expert = dongle_login(sqlite_server.url, pki, EXPERT)
    invitation = next(i for i in expert.experts.invitations() if i.draw_id == committed.id)
    expert.experts.accept(invitation.id)
    qtbot.waitUntil(lambda: page.progress.value() == 1, timeout=30_000)
    assert page.progress.maximum() == 7
    assert page.counts_label.text().startswith("Accepted 1 of 7 members.")
    qtbot.waitUntil(lambda: any(page.events_list.item(i).text().endswith(" member #" + str(
        _position(w, committed.id))) and "Accepted: slot 1" in page.events_list.item(i).text()
        for i in range(page.events_list.count())), timeout=30_000)
    assert not any("专家" in page.events_list.item(i).text() for i in range(page.events_list.count()))
    _shoot(workspace, "acceptance")

    # Verify the draw from its published record, and save the record for anyone to check.
    qtbot.waitUntil(lambda: page.verify_button.isEnabled(), timeout=30_000)  # not while refreshing
    qtbot.mouseClick(page.verify_button, qtbot_left())
    qtbot.waitUntil(lambda: page.verify_label.text().startswith("✓ Verified"), timeout=30_000)
    assert "7 members and 0 reserves" in page.verify_label.text()
    target = tmp_path / "saved" / "draw.json"
    target.parent.mkdir()
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), ""))
    qtbot.waitUntil(lambda: page.save_button.isEnabled(), timeout=30_000)
    qtbot.mouseClick(page.save_button, qtbot_left())
    qtbot.waitUntil(lambda: page.verify_label.text().startswith("Saved the draw record"), timeout=30_000)
    saved = load_record(target)
    assert verify_record(saved).seed == seed and "张三" not in json.dumps(saved, ensure_ascii=False)
    _shoot(workspace, "verified")

    # Once the evaluation has begun, the agency sees who was drawn.
    from server.experts.models import Draw

    with db_session(sqlite_server.data) as db:
        db.execute(update(Draw).where(Draw.id == committed.id)
                   .values(starts_at=datetime.now(UTC) - timedelta(minutes=1)))
        db.commit()
    page.open_edit.setText(committed.id)
    qtbot.waitUntil(lambda: page.open_button.isEnabled(), timeout=30_000)
    qtbot.mouseClick(page.open_button, qtbot_left())
    qtbot.waitUntil(lambda: page.members_table.isVisible(), timeout=30_000)
    names = {page.members_table.item(r, 2).text() for r in range(page.members_table.rowCount())}
    assert page.members_table.rowCount() == 7 and "专家00001" in names

    assert _unnamed_interactive(workspace) == []


def _position(w, draw_id: str) -> int:  # type: ignore[no-untyped-def]
    """Where 张三 sits in the committee (the supervisor may see it)."""
    members = w.supervisor.experts.get_draw(draw_id).members
    return int(next(m["position"] for m in members if m["name"] == "专家00001"))


def qtbot_left():  # type: ignore[no-untyped-def]
    from PySide6.QtCore import Qt

    return Qt.MouseButton.LeftButton


def test_times_are_read_in_the_tenders_zone(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    context = AppContext(QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat))
    page = DrawPage(context)
    qtbot.addWidget(page)
    from PySide6.QtCore import QDateTime

    page.starts_edit.setDateTime(QDateTime(2027, 3, 1, 9, 0, 0))
    assert page._time_of(page.starts_edit).astimezone(UTC) == datetime(2027, 3, 1, 1, 0, tzinfo=UTC)  # 09:00 CST
    assert re.search(r"UTC\+8", page.starts_edit.accessibleName())
    # Not signed in: nothing can be sent.
    assert not page.commit_button.isEnabled() and not page.lookup_button.isEnabled()


def test_the_page_follows_a_language_switch(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from ui.languages import LanguageManager

    context = AppContext(QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat))
    workspace = AgencyWorkspace(context)
    qtbot.addWidget(workspace)
    page = workspace.draw_page
    page.tender_edit.setText("ZB-2027-001")
    _slot(page, 0, "", 5, 0)
    assert page.rules_label.text() == "✗ The draw request is not complete; nothing was sent. (choose a specialty " \
                                      "for every row)"
    languages = LanguageManager(QSettings(str(tmp_path / "languages.ini"), QSettings.Format.IniFormat))
    languages.set_language("zh_CN")
    try:
        assert workspace.heading.text() == "抽取评标委员会"
        assert page.commit_button.text() == "1. 承诺抽取(&1)"
        assert page.rules_label.text() == "✗ 抽取申请不完整，未发送。 (请为每一行选择专业)"
        assert page.slots_table.cellWidget(0, SPECIALTY).accessibleName() == "第 1 行：专业"  # type: ignore[union-attr]
    finally:
        languages.set_language("en")
    assert page.commit_button.text() == "&1. Commit to the draw"
