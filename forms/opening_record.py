"""The opening record (开标记录表) as a PDF: the bids counted, each bid's outcome and announced items
(唱标), the objections and their answers. The server renders it from the opening's stored facts; the host
and the supervisor sign it (PAdES, forms.pdf_sign) with space left for their seals on the last page."""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, SimpleDocTemplate, Spacer, Table, TableStyle

from forms._layout import MARGIN, PAGE, draw_text, para, styles, text
from forms.errors import RenderError
from forms.fonts import cjk_font

__all__ = ["HOST_SEAL_BOX", "SUPERVISOR_SEAL_BOX", "RecordBid", "RecordObjection", "RecordSheet", "render_record"]

# Where the host's and the supervisor's seals go on the last page (points, x1 y1 x2 y2): the bottom band
# the layout keeps free.
HOST_SEAL_BOX = (70, 60, 230, 150)
SUPERVISOR_SEAL_BOX = (330, 60, 490, 150)


@dataclass(frozen=True)
class RecordBid:
    position: int
    bidder: str
    uscc: str
    outcome: str  # e.g. "开标 opened", "撤销 revoked: ..."
    price: str = ""
    price_words: str = ""
    mismatch: bool = False
    duration: str = ""
    quality: str = ""
    other: Sequence[tuple[str, str]] = ()


@dataclass(frozen=True)
class RecordObjection:
    bidder: str
    text: str
    raised_at: str
    answer: str
    answered_at: str


@dataclass(frozen=True)
class RecordSheet:
    tender_id: str
    tender_title: str
    opening_time: str
    bid_count: int
    window: str
    hosts: Sequence[str]
    supervisors: Sequence[str]
    bids: Sequence[RecordBid]
    objections: Sequence[RecordObjection] = ()
    check_ins: Sequence[str] = ()
    notes: Sequence[str] = field(default_factory=tuple)


def _story(sheet: RecordSheet) -> list[Flowable]:
    """The record's flowables, new for each layout pass (reportlab flowables keep layout state)."""
    s = styles()
    width = PAGE[0] - 2 * MARGIN
    head_rows = [
        ("招标编号 Tender", f"{sheet.tender_id}  {sheet.tender_title}"),
        ("开标时间 Opening time", sheet.opening_time),
        ("递交投标文件数 Bids received", str(sheet.bid_count)),
        ("解密时段 Decryption window", sheet.window),
        ("主持人 Host", "、".join(sheet.hosts)),
        ("监督人 Supervisor", "、".join(sheet.supervisors) or "—"),
        ("签到 Checked in", "、".join(sheet.check_ins) or "—"),
    ]
    head = _table([[para(text(k), s["cell"]), para(text(v), s["cell"])] for k, v in head_rows],
                  [48 * mm, width - 48 * mm])
    bid_rows: list[list[Any]] = [[para(text(h), s["cell"]) for h in (
        "序号\nNo.", "投标人\nBidder", "结果\nOutcome", "投标报价（元）\nPrice", "大写\nIn words", "工期\nDuration",
        "质量\nQuality")]]
    for bid in sheet.bids:
        price = bid.price + ("\n注：大小写不一致，以大写为准（87号令第59条）" if bid.mismatch else "")
        other = "".join(f"\n{k}: {v}" for k, v in bid.other)
        bid_rows.append([para(text(v), s["cell"]) for v in (
            str(bid.position), f"{bid.bidder}\n{bid.uscc}", bid.outcome, price, bid.price_words,
            bid.duration, bid.quality + other)])
    bids = _table(bid_rows, [10 * mm, 38 * mm, 26 * mm, 28 * mm, 34 * mm, 16 * mm, width - 152 * mm])
    story: list[Flowable] = [
        para("开标记录表", s["title"]),
        para("Opening record", s["right"]),
        Spacer(0, 6),
        head,
        Spacer(0, 8),
        para("唱标 Announced bids", s["body"]),
        bids,
        Spacer(0, 8),
    ]
    if sheet.objections:
        rows: list[list[Any]] = [[para(text(h), s["cell"]) for h in (
            "提出人 Raised by", "异议 Objection", "答复 Answer")]]
        for o in sheet.objections:
            rows.append([para(text(f"{o.bidder}\n{o.raised_at}"), s["cell"]), para(text(o.text), s["cell"]),
                         para(text(f"{o.answer}\n{o.answered_at}"), s["cell"])])
        story += [para("异议及答复 Objections and answers", s["body"]),
                  _table(rows, [40 * mm, (width - 40 * mm) / 2, (width - 40 * mm) / 2])]
    else:
        story.append(para("开标过程中无异议。No objection was raised during the opening.", s["body"]))
    for note in sheet.notes:
        story.append(para(text(note), s["small"]))
    story += [Spacer(0, 10),
              para("主持人及监督人以电子签名确认本记录；投标人可在线确认或提出异议。"
                   "The host and the supervisor sign this record electronically; bidders confirm it or object "
                   "online. Verify it with: bidclient opening verify-record FILE", s["small"])]
    return story


def render_record(sheet: RecordSheet) -> bytes:
    """The record's PDF bytes (A4, fonts embedded). Raises RenderError."""

    def build(pages: int | None) -> tuple[bytes, int]:
        buffer = io.BytesIO()
        seen = [0]

        def on_page(canvas: Canvas, _doc: Any) -> None:
            seen[0] = canvas.getPageNumber()
            canvas.saveState()
            canvas.setFillColor(colors.grey)
            draw_text(canvas, PAGE[0] / 2, 12 * mm, f"{sheet.tender_id} 开标记录表  第 {seen[0]} 页", 9, centred=True)
            canvas.restoreState()
            if seen[0] == pages:  # the last page: where the host and the supervisor sign
                draw_text(canvas, HOST_SEAL_BOX[0], HOST_SEAL_BOX[3] + 6, "主持人（签章）Host", 10)
                draw_text(canvas, SUPERVISOR_SEAL_BOX[0], SUPERVISOR_SEAL_BOX[3] + 6, "监督人（签章）Supervisor", 10)

        doc = SimpleDocTemplate(buffer, pagesize=PAGE, leftMargin=MARGIN, rightMargin=MARGIN, topMargin=MARGIN,
                                bottomMargin=HOST_SEAL_BOX[3] + 24, title=f"{sheet.tender_id} 开标记录表",
                                author="bidclient server", subject=sheet.tender_id, creator="bidclient forms",
                                producer="bidclient forms (reportlab)", lang="zh-CN", initialFontName=cjk_font(),
                                initialFontSize=11, invariant=1)
        doc.build(_story(sheet), onFirstPage=on_page, onLaterPages=on_page)
        return buffer.getvalue(), seen[0]

    try:
        _draft, pages = build(None)  # first pass: how many pages, so the labels go on the last one
        pdf, _ = build(pages)
    except Exception as ex:  # reportlab raises bare LayoutError/ValueError from deep inside
        raise RenderError(f"the opening record could not be laid out: {ex}") from ex
    return pdf


def _table(rows: list[list[Any]], widths: list[float]) -> Table:
    table = Table(rows, colWidths=widths, repeatRows=1)
    table.setStyle(TableStyle([
        ("GRID", (0, 0), (-1, -1), 0.5, colors.grey),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("FONTNAME", (0, 0), (-1, -1), cjk_font()),
    ]))
    return table
