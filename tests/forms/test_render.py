"""Rendered forms: the fonts are embedded, the Chinese text and the 大写 amount are really in the PDF."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from forms.bid_letter import render_bid_letter
from forms.model import BID_LETTER_FORM, BidLetter, FieldDef, FormDef, PriceLine, PriceSchedule
from forms.price_schedule import render_price_schedule
from tests.forms.test_validation import LETTER, LINES, SCHEDULE


def pdffonts(path: Path) -> list[list[str]]:
    out = subprocess.run(["pdffonts", str(path)], check=True, capture_output=True, text=True).stdout
    return [line.split() for line in out.splitlines()[2:]]


def pdftotext(path: Path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True,
                          text=True).stdout


def assert_fonts_embedded(path: Path) -> None:
    fonts = pdffonts(path)
    names = [f[0].split("+")[-1] for f in fonts]
    assert "DroidSansFallback" in names, fonts
    # name type encoding emb sub uni object ID: every font embedded, nothing left to the viewer
    assert all(f[-5] == "yes" for f in fonts), fonts


def test_bid_letter_pdf(tmp_path: Path) -> None:
    rendered = render_bid_letter(BidLetter(LETTER), tmp_path / "letter.pdf")
    assert rendered.pages == 1 and rendered.seal_page == 0
    x1, y1, x2, y2 = rendered.seal_box
    assert 0 < x1 < x2 <= 595 and 0 < y1 < y2 <= 842
    assert_fonts_embedded(rendered.path)
    body = pdftotext(rendered.path)
    assert "投标函" in body
    assert "壹佰贰拾捌万元整" in body and "1,280,000.00" in body
    assert "ZB-2025-001" in body and "示例建设工程有限公司" in body and "2025年3月1日" in body


def test_user_text_is_printed_not_interpreted(tmp_path: Path) -> None:
    hostile = "合格 <b>粗</b> &amp; <img src='/etc/passwd'/> <font size=80>"
    rendered = render_bid_letter(BidLetter(dict(LETTER, quality=hostile)), tmp_path / "letter.pdf")
    flat = re.sub(r"\s+", "", pdftotext(rendered.path))
    assert re.sub(r"\s+", "", hostile) in flat


def test_extra_tender_fields_are_printed(tmp_path: Path) -> None:
    form = FormDef("bid_letter", "投标函", (*BID_LETTER_FORM.fields, FieldDef("warranty", "质保期", required=False)))
    rendered = render_bid_letter(BidLetter(dict(LETTER, warranty="五年"), form), tmp_path / "letter.pdf")
    assert "质保期：五年" in pdftotext(rendered.path)


def test_extra_fields_are_printed_formatted_with_their_units(tmp_path: Path) -> None:
    form = FormDef("bid_letter", "投标函", (
        *BID_LETTER_FORM.fields, FieldDef("bond", "投标保证金", "money"),
        FieldDef("warranty", "质保期", "duration_days"),
        FieldDef("discount", "优惠率", "percent"), FieldDef("start", "开工日期", "date"),
        FieldDef("joint", "是否联合体投标", "boolean")))
    values = dict(LETTER, bond="20000", warranty="365", discount="5", start="2027-03-01", joint="false")
    flat = re.sub(r"\s+", "", pdftotext(render_bid_letter(BidLetter(values, form), tmp_path / "l.pdf").path))
    for printed in ("投标保证金：20,000.00元", "质保期：365天", "优惠率：5%", "开工日期：2027年3月1日",
                    "是否联合体投标：否"):
        assert printed in flat, flat


def test_price_schedule_pdf_over_several_pages(tmp_path: Path) -> None:
    lines = [PriceLine(f"设备{i}", "型号A", "台", "2", "1,000.00", "2,000.00") for i in range(60)]
    values = dict(SCHEDULE, total="120,000.00", total_words="人民币壹拾贰万元整")
    rendered = render_price_schedule(PriceSchedule(values, lines), tmp_path / "schedule.pdf")
    assert rendered.pages >= 2 and rendered.seal_page == rendered.pages - 1
    assert_fonts_embedded(rendered.path)
    body = pdftotext(rendered.path)
    assert "开标一览表" in body and "壹拾贰万元整" in body and "120,000.00" in body
    assert "设备0" in body and "设备59" in body and "合计" in body


def test_output_is_deterministic_apart_from_timestamps(tmp_path: Path) -> None:
    def normalised(path: Path) -> bytes:
        data = path.read_bytes()
        data = re.sub(rb"/(CreationDate|ModDate) \(D:[^)]*\)", b"", data)
        return re.sub(rb"/ID\s*\[<[0-9a-fA-F]+><[0-9a-fA-F]+>\]", b"", data)

    a = render_price_schedule(PriceSchedule(SCHEDULE, LINES), tmp_path / "a.pdf").path
    b = render_price_schedule(PriceSchedule(SCHEDULE, LINES), tmp_path / "b.pdf").path
    assert normalised(a) == normalised(b)


def test_a_failed_render_leaves_no_file(tmp_path: Path) -> None:
    target = tmp_path / "missing-dir" / "letter.pdf"
    with pytest.raises(OSError):
        render_bid_letter(BidLetter(LETTER), target)
    assert not target.exists()
    assert list(tmp_path.iterdir()) == []


def test_the_demo_tender_document_prints_latin_text_too(tmp_path: Path) -> None:
    # Drawn with the CJK face alone, "30%" was missing: that face has no Latin glyphs.
    from devtools.demo_env import tender_document

    path = tender_document(tmp_path / "招标文件.pdf")
    assert "综合评分法（价格权重30%）" in re.sub(r"\s+", "", pdftotext(path))
    assert_fonts_embedded(path)
    assert any("Vera" in f[0] for f in pdffonts(path))
