"""Priced lines to and from Excel: a round trip, and files a clerk (or an attacker) might hand over."""

from __future__ import annotations

import zipfile
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from bidclient import priced_lines_xlsx as px
from bidclient.errors import describe
from forms.model import PriceLine

LINES = [
    PriceLine("服务器", "2U 双路", "台", "3", "45,000.00", "135,000.00", "含三年维保"),
    PriceLine("交换机", "", "台", "2.5", "1,234.56", "3,086.40"),
    PriceLine("安装调试", unit="项", quantity="1", unit_price="0.10", total="0.10"),
]


def _sheet(path: Path, rows: list[list[object]]) -> Path:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


HEADER = ["Item", "Unit", "Quantity", "Unit price", "Total"]


def test_round_trip_keeps_every_line_and_writes_numbers(tmp_path: Path) -> None:
    path = tmp_path / "lines.xlsx"
    px.export_lines(LINES, path)
    sheet = load_workbook(path).active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:6] == ("货物（服务）名称", "规格型号", "单位", "数量", "单价（元）", "合价（元）")
    assert rows[1][3:6] == (3, 45000, 135000)  # numbers, so Excel can sum them
    assert px.import_lines(path) == LINES


def test_english_header_number_cells_and_text_cells(tmp_path: Path) -> None:
    path = _sheet(tmp_path / "clerk.xlsx", [
        ["Notes", *HEADER],
        ["mine", "Cable", "m", 120, 2.5, 300],
        [None, "Switch", "pcs", "2", "¥1,234.56", "2469.12"],
        [None, None, None, None, None, None],  # an empty row is skipped
        [None, "Rack", "pcs", 1.25, 100.1, 125.13],  # 125.125 rounds half up
    ])
    lines = px.import_lines(path)
    assert [(line.item, line.quantity, line.unit_price, line.total) for line in lines] == [
        ("Cable", "120", "2.50", "300.00"),
        ("Switch", "2", "1,234.56", "2,469.12"),
        ("Rack", "1.25", "100.10", "125.13"),
    ]


def test_each_bad_row_is_reported_with_its_number_and_nothing_is_returned(tmp_path: Path) -> None:
    path = _sheet(tmp_path / "bad.xlsx", [
        HEADER,
        ["Good", "pcs", 1, 10, 10],
        ["Unrounded", "pcs", 1, 1.005, 1.01],  # a formula's unrounded result
        ["", "pcs", 1, 10, 10],
        ["Words", "pcs", "three", 10, 30],
        ["Wrong total", "pcs", 3, 10, 31],
        ["Negative", "pcs", 1, -5, -5],
    ])
    with pytest.raises(px.LinesImportError) as caught:
        px.import_lines(path)
    found = [(p.row, p.column) for p in caught.value.problems]
    assert found == [(3, "unit_price"), (4, "item"), (5, "quantity"), (6, "total"), (7, "unit_price"),
                     (7, "total")]
    assert "1.005" in caught.value.problems[0].message
    message = describe(caught.value)
    assert message.code == "lines.import_invalid"
    assert "row 3" in message.detail and "unchanged" in message.hint


def test_a_header_without_the_required_columns_is_refused(tmp_path: Path) -> None:
    path = _sheet(tmp_path / "other.xlsx", [["Product", "Cost"], ["x", 1]])
    with pytest.raises(px.LinesImportError) as caught:
        px.import_lines(path)
    assert {p.column for p in caught.value.problems} == {"item", "quantity", "unit_price", "total"}


@pytest.mark.parametrize("content", [b"", b"item,quantity\nx,1\n", b"PK\x03\x04 not really a zip",
                                     b"%PDF-1.7\n"])
def test_not_an_xlsx(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "lines.xlsx"
    path.write_bytes(content)
    with pytest.raises(px.LinesImportError, match="not an Excel workbook"):
        px.import_lines(path)


def test_a_zip_that_is_not_a_workbook(tmp_path: Path) -> None:
    path = tmp_path / "lines.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<not-closed")
    with pytest.raises(px.LinesImportError, match="cannot be read"):
        px.import_lines(path)


def test_a_zip_bomb_is_refused_before_it_is_unpacked(tmp_path: Path) -> None:
    path = tmp_path / "bomb.xlsx"
    px.export_lines(LINES, path)
    with zipfile.ZipFile(path, "a", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/media/padding.bin", b"\0" * (px.MAX_UNPACKED_BYTES + 1))
    assert path.stat().st_size < 1024 * 1024  # small on disk
    with pytest.raises(px.LinesImportError, match="unpacks to more than"):
        px.import_lines(path)


def test_a_file_too_large(tmp_path: Path) -> None:
    path = tmp_path / "huge.xlsx"
    path.write_bytes(b"PK" + b"\0" * px.MAX_FILE_BYTES)
    with pytest.raises(px.LinesImportError, match="larger than 10 MB"):
        px.import_lines(path)


def test_too_many_rows(tmp_path: Path) -> None:
    rows: list[list[object]] = [HEADER] + [[f"Item {n}", "pcs", 1, 1, 1] for n in range(px.MAX_ROWS + 1)]
    path = _sheet(tmp_path / "many.xlsx", rows)
    with pytest.raises(px.LinesImportError, match="more than 5,000 lines") as caught:
        px.import_lines(path)
    assert caught.value.problems[0].row == px.MAX_ROWS + 2
    rows.pop()
    assert len(px.import_lines(_sheet(tmp_path / "enough.xlsx", rows))) == px.MAX_ROWS


def test_export_failure_leaves_nothing(tmp_path: Path) -> None:
    target = tmp_path / "missing-folder" / "lines.xlsx"
    with pytest.raises(px.BidclientError) as caught:
        px.export_lines(LINES, target)
    assert caught.value.code == "lines.export_failed"
    assert not target.parent.exists()


def test_amounts_are_never_floats(tmp_path: Path) -> None:
    path = tmp_path / "big.xlsx"
    big = [PriceLine("Plant", quantity="1", unit_price="999,999,999,999.99", total="999,999,999,999.99")]
    px.export_lines(big, path)
    assert px.import_lines(path) == big
    assert isinstance(px._exported("total", "1.10"), Decimal)


def test_a_float_as_excel_stores_it_is_checked_to_two_decimals(tmp_path: Path) -> None:
    """Excel writes a formula's result with 17 digits (=0.1+0.2 is 0.30000000000000004): refused, not rounded."""
    source = _sheet(tmp_path / "plain.xlsx", [HEADER, ["Fee", "item", 1, 0.3, 0.3]])
    path = tmp_path / "excel.xlsx"
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(path, "w") as new:
        for info in old.infolist():
            data = old.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(b"<v>0.3</v>", b"<v>0.30000000000000004</v>", 1)
            new.writestr(info, data)
    with pytest.raises(px.LinesImportError) as caught:
        px.import_lines(path)
    assert [(p.row, p.column) for p in caught.value.problems] == [(2, "unit_price")]
    assert "0.30000000000000004" in caught.value.problems[0].message
    assert px.import_lines(source)[0].unit_price == "0.30"
