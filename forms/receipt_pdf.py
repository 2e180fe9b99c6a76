"""The receipt (回执) as a printable PDF: what the server acknowledged, and how anyone can check it.

The sheet is rendered from values the caller has taken from a *verified* receipt
(bidclient.receipt_print does that: it verifies first, then calls ``render_receipt``); this module only
lays them out. Times arrive already formatted in the reader's zone with the zone named. The CJK and
Latin faces are embedded like every other form (forms.fonts).
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, SimpleDocTemplate, Spacer, Table, TableStyle

from forms._layout import MARGIN, PAGE, draw_text, para, styles, text, write_atomically
from forms.errors import RenderError
from forms.fonts import cjk_font

__all__ = ["ReceiptSheet", "render_receipt"]


@dataclass(frozen=True)
class ReceiptSheet:
    """What the printed receipt shows; every value is printed as text, never as markup."""

    kind: str  # "submission" or "withdrawal"
    receipt_id: str
    submission_id: str
    tender_id: str
    tender_version: int
    bidder: str
    envelope_sha256: str
    size: int
    received_at: str  # the server's receipt time, formatted with the zone named
    timestamped_at: str  # the RFC 3161 timestamp's time, formatted with the zone named
    signer: str
    server_ca_sha256: str
    receipt_file: str
    bid_file: str = ""  # the bid checked against the receipt's hash, if any
    notes: Sequence[str] = field(default_factory=tuple)


def _grouped(hex_digest: str) -> str:
    """A SHA-256 in groups of eight, two lines, so that it can be compared by eye."""
    groups = [hex_digest[i:i + 8] for i in range(0, len(hex_digest), 8)]
    return " ".join(groups[:4]) + "\n" + " ".join(groups[4:]) if len(groups) > 4 else " ".join(groups)


def render_receipt(sheet: ReceiptSheet, path: str | Path) -> Path:
    """Render ``sheet`` to ``path`` (A4, fonts embedded), written atomically. Raises RenderError."""
    s = styles()
    withdrawal = sheet.kind == "withdrawal"
    title = "投标文件撤回回执" if withdrawal else "投标文件递交回执"
    subtitle = "Withdrawal receipt" if withdrawal else "Submission receipt"
    rows: list[tuple[str, str]] = [
        ("招标编号 Tender", f"{sheet.tender_id}（第 {sheet.tender_version} 版 version）"),
        ("投标人 Bidder", sheet.bidder),
        ("递交编号 Submission", sheet.submission_id),
        ("回执编号 Receipt", sheet.receipt_id),
        ("投标文件 SHA-256", _grouped(sheet.envelope_sha256)),
        ("文件大小 Size", f"{sheet.size:,} 字节 bytes"),
        ("服务器接收时间 Received (server clock)", sheet.received_at),
        ("可信时间戳 RFC 3161 timestamp", sheet.timestamped_at),
        ("签发者 Signed by", sheet.signer),
        ("服务器 CA SHA-256", _grouped(sheet.server_ca_sha256)),
    ]
    if sheet.bid_file:
        rows.append(("已核对的投标文件 Bid file checked", sheet.bid_file))
    table = Table([[para(text(k), s["cell"]), para(text(v), s["cell"])] for k, v in rows],
                  colWidths=[52 * mm, PAGE[0] - 2 * MARGIN - 52 * mm])
    table.setStyle(TableStyle([
        ("GRID", (0, 0), (-1, -1), 0.5, colors.grey),
        ("BACKGROUND", (0, 0), (0, -1), colors.HexColor("#f0f0f0")),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("FONTNAME", (0, 0), (-1, -1), cjk_font()),
    ]))
    verify = f"bidclient receipt verify {sheet.receipt_file} --bid BID"
    story: list[Flowable] = [
        para(text(title), s["title"]),
        para(text(subtitle), s["right"]),
        Spacer(0, 8),
        para("服务器已收到下列投标文件，并以其证书签名、加盖可信时间戳。"
             "The server received the sealed bid below, signed this receipt and had it timestamped.", s["body"]),
        Spacer(0, 8),
        table,
        Spacer(0, 10),
    ]
    for note in sheet.notes:
        story.append(para(text(note), s["body"]))
    story += [
        Spacer(0, 10),
        para("如何核验 How to verify", s["body"]),
        para("本页仅为打印件；具有证明力的是回执文件本身。在任何电脑上运行：", s["small"]),
        para("This page is a printout; the receipt file is the evidence. On any computer, run:", s["small"]),
        para(text(verify), s["cell"]),
        para("该命令离线核验服务器签名、时间戳以及投标文件的 SHA-256 与大小。"
             "It checks, offline, the server's signature, the timestamp, and the bid's SHA-256 and size.",
             s["small"]),
    ]
    buffer = io.BytesIO()

    def on_page(canvas: Canvas, _doc: Any) -> None:
        canvas.saveState()
        canvas.setFillColor(colors.grey)
        draw_text(canvas, PAGE[0] / 2, 12 * mm, f"{sheet.receipt_id}  第 {canvas.getPageNumber()} 页", 9,
                  centred=True)
        canvas.restoreState()

    doc = SimpleDocTemplate(buffer, pagesize=PAGE, leftMargin=MARGIN, rightMargin=MARGIN, topMargin=MARGIN,
                            bottomMargin=MARGIN, title=title, author=sheet.bidder,
                            subject=f"{sheet.tender_id} {sheet.submission_id}", creator="bidclient forms",
                            producer="bidclient forms (reportlab)", lang="zh-CN", initialFontName=cjk_font(),
                            initialFontSize=12)
    try:
        doc.build(story, onFirstPage=on_page, onLaterPages=on_page)
    except Exception as ex:  # reportlab raises bare LayoutError/ValueError from deep inside
        raise RenderError(f"{title} could not be laid out: {ex}") from ex
    out = Path(path)
    write_atomically(out, buffer.getvalue())
    return out
