"""The opening record PDF (forms/opening_record.py): what it prints, where the signatures go, fonts embedded."""

from __future__ import annotations

import subprocess
from pathlib import Path

from forms.opening_record import RecordBid, RecordObjection, RecordSheet, render_record


def _text(pdf: Path, page: int) -> str:
    out = subprocess.run(["pdftotext", "-f", str(page), "-l", str(page), str(pdf), "-"],
                         capture_output=True, text=True, check=True)
    return "".join(out.stdout.split())  # cells wrap: compare without the line breaks


def _pages(pdf: Path) -> int:
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    return int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))


def test_the_record_prints_bids_objections_and_the_seal_labels_on_its_last_page(tmp_path: Path) -> None:
    bids = [RecordBid(n, f"投标人{n}有限公司", "91440300MA5F8K2L74", "开标 opened", "995000.00", "玖拾玖万伍仟元整",
                      mismatch=n == 2, duration="90", quality="合格") for n in range(1, 31)]
    objections = [RecordObjection("乙方科技有限公司", "我方报价应以大写为准。" * 5, "2026-12-02 09:14:00 UTC",
                                  "确认以大写金额为准。", "2026-12-02 09:15:00 UTC")] * 3
    sheet = RecordSheet("ZB-2026-0042", "办公设备采购", "2026-12-02 09:00:00 UTC", 30, "09:00 – 09:30",
                        ["uscc:91310115MA1H7X9Q4X"], ["person:张三"], bids, objections, ["甲公司"])
    pdf = tmp_path / "record.pdf"
    pdf.write_bytes(render_record(sheet))
    pages = _pages(pdf)
    assert pages >= 2  # thirty bids do not fit one page
    first, last = _text(pdf, 1), _text(pdf, pages)
    assert "开标记录表" in first and "投标人1有限公司" in first
    assert "以大写为准" in first  # bid 2's figures and words differ
    assert "主持人（签章）" in last and "监督人（签章）" in last and "主持人（签章）" not in first
    assert "确认以大写金额为准" in _text(pdf, pages) or "确认以大写金额为准" in _text(pdf, pages - 1)
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert all(line.split()[-5] == "yes" for line in fonts.splitlines()[2:])  # every font embedded


def test_a_one_page_record_with_an_objection_lays_out(tmp_path: Path) -> None:
    """The usual opening: three bids, one objection (the two layout passes once shared their flowables
    and failed on exactly this)."""
    bids = [RecordBid(n, f"投标人{n}有限公司", "91440300MA5F8K2L74", "开标 opened", "995000.00", "玖拾玖万伍仟元整",
                      mismatch=n == 2, duration="90", quality="合格") for n in range(1, 4)]
    objection = RecordObjection("乙方科技有限公司", "我方报价应以大写为准。", "2026-12-02 09:14:00 UTC",
                                "确认以大写金额为准。", "2026-12-02 09:15:00 UTC")
    sheet = RecordSheet("ZB-2026-0042", "办公设备采购", "2026-12-02 09:00:00 UTC", 3, "09:00 – 09:30",
                        ["uscc:91310115MA1H7X9Q4X"], ["person:张三"], bids, [objection], ["甲公司"])
    pdf = tmp_path / "record.pdf"
    pdf.write_bytes(render_record(sheet))
    pages = _pages(pdf)
    assert "我方报价应以大写为准" in _text(pdf, 1) and "主持人（签章）" in _text(pdf, pages)
