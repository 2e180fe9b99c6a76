"""The forms as a bid clerk types them (issue 9): each announced item typed once, the schedule showing what
the bid letter says, amounts shown as 1,234,567.80, fields that stay put when problems appear, and a
problem count that takes the clerk to the problem. Real widgets offscreen, a real signed tender folder."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QApplication, QLineEdit

from bidclient import bid_project as bp
from tests.bidclient.test_bid_project import tender_folder
from ui.bidder.forms_editor import FormsEditor

LEFT = Qt.MouseButton.LeftButton


@pytest.fixture
def project(tmp_path: Path, pki: Any) -> bp.BidProject:
    draft = tmp_path / "draft"
    return bp.create_project(draft, tender_folder(draft, pki), bidder_name="示例建设工程有限公司")


@pytest.fixture
def editor(qtbot: Any, project: bp.BidProject) -> FormsEditor:
    widget = FormsEditor()
    qtbot.addWidget(widget)
    widget.resize(1000, 700)
    widget.set_project(project)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def type_into(qtbot: Any, edit: QLineEdit, text: str) -> None:
    """Replace the field's text as a user does, then press Enter and leave the field (Tab). QTest
    cannot synthesise CJK key events, which an input method inserts as a whole: so is it here."""
    edit.setFocus()
    edit.selectAll()
    if text.isascii():
        qtbot.keyClicks(edit, text)
    else:
        edit.insert(text)
    qtbot.keyClick(edit, Qt.Key.Key_Return)
    qtbot.keyClick(edit, Qt.Key.Key_Tab)


def test_the_price_and_duration_are_typed_once_in_the_bid_letter(qtbot: Any, editor: FormsEditor,
                                                                  project: bp.BidProject) -> None:
    # The tender names its own 投标总价 (in both forms) and 交货期: they are the announced price and
    # duration, not a second amount that nothing checks.
    assert "total_price" not in editor.letter.edits and "total_price" not in editor.schedule.edits
    assert "delivery_days" not in editor.schedule.edits
    type_into(qtbot, editor.letter.edits["bid_amount"], "1234567.8")
    assert editor.letter.edits["bid_amount"].text() == "1,234,567.80"
    type_into(qtbot, editor.letter.edits["duration_days"], "45")
    type_into(qtbot, editor.letter.edits["legal_representative"], "王五")
    # The schedule shows what the letter says, read-only.
    total = editor.schedule.edits["total"]
    assert total.text() == "1,234,567.80" and total.isReadOnly()
    assert editor.schedule.edits["duration_days"].text() == "45"
    assert editor.schedule.edits["legal_representative"].text() == "王五"
    assert editor.schedule.edits["bidder_name"].text() == "示例建设工程有限公司"
    # What goes into the sealed bid's manifest: the tender's own names carry the same value.
    data = project.forms_data()
    assert data["bid_letter"]["total_price"] == data["bid_letter"]["bid_amount"] == "1,234,567.80"
    assert data["price_schedule"]["values"]["total_price"] == "1,234,567.80"
    assert data["price_schedule"]["values"]["delivery_days"] == "45"
    # The lines are checked against that one amount, and the problem shows where it is typed.
    editor.set_line(0, {"item": "台式计算机", "quantity": "200", "unit_price": "6172.83"})
    assert editor.lines.item(0, 4).text() == "6,172.83"
    assert editor.lines.item(0, 5).text() == "1,234,566.00"  # worked out from quantity × unit price
    assert "1,234,566.00" in editor.letter.problems["bid_amount"].text()


def test_fields_stay_in_place_when_problems_appear(qtbot: Any, editor: FormsEditor) -> None:
    inner = editor.letter.parentWidget()

    def rows() -> list[int]:
        return [edit.mapTo(inner, QPoint(0, 0)).y() for edit in editor.letter.edits.values()]

    for name, value in (("bid_amount", "1,280,000.00"), ("bid_amount_words", "人民币壹佰贰拾捌万元整"),
                        ("legal_representative", "王五"), ("duration_days", "30"), ("quality", "合格"),
                        ("validity_days", "90")):
        type_into(qtbot, editor.letter.edits[name], value)
    QApplication.processEvents()
    assert not editor.letter.problems["bid_amount_words"].isVisible()
    before = rows()
    # A long problem appears beside the words, and one beside the days.
    type_into(qtbot, editor.letter.edits["bid_amount_words"], "人民币壹佰万元整")
    type_into(qtbot, editor.letter.edits["validity_days"], "ninety")
    QApplication.processEvents()
    assert editor.letter.problems["bid_amount_words"].isVisible()
    assert "1,000,000.00" in editor.letter.problems["bid_amount_words"].text()
    assert rows() == before


def test_the_problem_count_takes_the_clerk_to_the_problem(qtbot: Any, editor: FormsEditor) -> None:
    for name, value in (("bid_amount", "1,280,000.00"), ("bid_amount_words", "人民币壹佰贰拾捌万元整"),
                        ("legal_representative", "王五"), ("duration_days", "30"), ("quality", "合格")):
        type_into(qtbot, editor.letter.edits[name], value)
    editor.summary.setFocus()
    assert "problem(s)" in editor.summary.text()
    qtbot.mouseClick(editor.summary, LEFT)
    assert QApplication.focusWidget() is editor.letter.edits["validity_days"]  # the first field with a problem


def test_a_third_form_repeats_the_bid_letter_instead_of_asking_again(qtbot: Any, tmp_path: Path, pki: Any) -> None:
    def edit(draft: dict[str, Any]) -> None:
        draft["forms"].append({"id": "deviation", "name": "商务条款偏离表", "fields": [
            {"name": "bidder_name", "label": "投标人名称", "type": "text"},
            {"name": "offer", "label": "投标报价（元）", "type": "money"},
            {"name": "deviation", "label": "偏离说明", "type": "text"}]})

    draft = tmp_path / "draft"
    project = bp.create_project(draft, tender_folder(draft, pki, edit=edit), bidder_name="示例建设工程有限公司")
    widget = FormsEditor()
    qtbot.addWidget(widget)
    widget.set_project(project)
    widget.show()
    qtbot.waitExposed(widget)
    [third] = widget.extra_sections
    type_into(qtbot, widget.letter.edits["bid_amount"], "1280000")
    assert third.edits["offer"].isReadOnly() and third.edits["offer"].text() == "1,280,000.00"
    assert third.edits["bidder_name"].text() == "示例建设工程有限公司" and third.edits["bidder_name"].isReadOnly()
    assert not third.edits["deviation"].isReadOnly()
    type_into(qtbot, third.edits["deviation"], "无偏离")
    assert project.forms_data()["deviation"] == {"bidder_name": "示例建设工程有限公司", "offer": "1,280,000.00",
                                                 "deviation": "无偏离"}
