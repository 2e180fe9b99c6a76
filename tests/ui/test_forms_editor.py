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


def test_priced_lines_come_from_an_excel_workbook_all_or_nothing(qtbot: Any, editor: FormsEditor,
                                                                  project: bp.BidProject, tmp_path: Path) -> None:
    """The clerk keeps the 报价明细 in Excel: "Import from Excel…" fills the table (and the saved draft);
    a workbook with a bad row changes nothing and says which row; "Export to Excel…" gives them back."""
    import json

    from openpyxl import Workbook

    from bidclient import priced_lines_xlsx
    from bidclient.bid_project import PROJECT_FILE

    def workbook(name: str, rows: list[list[object]]) -> Path:
        book = Workbook()
        sheet = book.active
        assert sheet is not None
        for row in [["货物（服务）名称", "单位", "数量", "单价（元）", "合价（元）"], *rows]:
            sheet.append(row)
        path = tmp_path / name
        book.save(path)
        return path

    good = workbook("good.xlsx", [["服务器", "台", 3, 45000, 135000], ["交换机", "台", "2", "1,234.56", 2469.12]])
    editor.choose_import_file = lambda: good
    qtbot.mouseClick(editor.import_button, LEFT)
    def cell(row: int, column: int) -> str:
        item = editor.lines.item(row, column)
        return item.text() if item is not None else ""

    table = [[cell(r, c) for c in (0, 2, 3, 4, 5)] for r in range(editor.lines.rowCount())]
    assert table == [["服务器", "台", "3", "45,000.00", "135,000.00"], ["交换机", "台", "2", "1,234.56", "2,469.12"]]
    saved = json.loads((project.directory / PROJECT_FILE).read_text("utf-8"))["price_schedule"]["lines"]
    assert [line["item"] for line in saved] == ["服务器", "交换机"]
    assert "2" in editor.excel_status.text() and "good.xlsx" in editor.excel_status.text()

    bad = workbook("bad.xlsx", [["路由器", "台", 1, 800, 800], ["网线", "米", 100, 1.005, 100.5]])
    editor.choose_import_file = lambda: bad
    asked: list[tuple[int, int]] = []
    def confirm(current: int, imported: int) -> bool:
        asked.append((current, imported))
        return True

    editor.confirm_replace = confirm
    qtbot.mouseClick(editor.import_button, LEFT)
    assert editor.lines.rowCount() == 2 and cell(0, 0) == "服务器"  # nothing changed
    assert [line.item for line in project.price_lines] == ["服务器", "交换机"]
    assert not asked
    assert editor.excel_error.isVisible() and editor.excel_error.message is not None
    assert editor.excel_error.message.code == "lines.import_invalid"
    assert editor.excel_problems.isVisible() and "row 3" in editor.excel_problems.text()
    assert "1.005" in editor.excel_problems.text()

    out = tmp_path / "exported"
    editor.choose_export_file = lambda: out
    qtbot.mouseClick(editor.export_button, LEFT)
    assert not editor.excel_error.isVisible()
    assert priced_lines_xlsx.import_lines(tmp_path / "exported.xlsx") == list(project.price_lines)

    fixed = workbook("fixed.xlsx", [["路由器", "台", 1, 800, 800]])
    editor.choose_import_file = lambda: fixed
    qtbot.mouseClick(editor.import_button, LEFT)
    assert asked == [(2, 1)]  # replacing typed lines is confirmed first
    assert [line.item for line in project.price_lines] == ["路由器"]
    assert not editor.excel_problems.isVisible()
