"""The evaluation report (评标报告) as a PDF: sections of tables and text, then one signature box per member.

bidclient.evaluation.report decides what the report says (the committee, the reviews with reasons, every
expert's scores, the price calculations, the Art. 64 decisions, the ranking) and hands it here as plain
strings; this module only lays them out (A4, the CJK and Latin faces embedded, forms.fonts) and attaches
the machine-readable manifest (``evaluation.json``) that the members' signatures then cover.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pyhanko.pdf_utils import embed
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    CondPageBreak,
    Flowable,
    KeepTogether,
    PageBreak,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from forms._layout import MARGIN, PAGE, draw_text, para, styles, text, write_atomically
from forms.errors import RenderError
from forms.fonts import cjk_font

__all__ = ["MANIFEST_NAME", "ReportSection", "ReportSheet", "ReportTable", "SignatureSlot", "render_report"]

MANIFEST_NAME = "evaluation.json"
BOX = (230, 100)  # points: one member's signature appearance
_WIDTH = PAGE[0] - 2 * MARGIN


@dataclass(frozen=True)
class ReportTable:
    """A table: a header row and body rows of plain text (never markup)."""

    header: Sequence[str]
    rows: Sequence[Sequence[str]]
    widths: Sequence[float] = ()  # relative column widths; default equal


@dataclass(frozen=True)
class ReportSection:
    heading: str
    parts: Sequence[str | ReportTable]  # paragraphs and tables, in order


@dataclass(frozen=True)
class SignatureSlot:
    """A member's line on the signing page: where their signature appearance goes."""

    label: str  # e.g. "1. 张三（组长）"
    page: int = -1  # 0-based, filled in by render_report
    box: tuple[int, int, int, int] = (0, 0, 0, 0)


@dataclass(frozen=True)
class ReportSheet:
    title: str
    subtitle: str
    facts: Sequence[tuple[str, str]]  # the header table: tender, lot, method, report id...
    sections: Sequence[ReportSection]
    signing_note: str
    slots: Sequence[SignatureSlot]
    footer: str  # printed on every page with the page number
    author: str = ""
    subject: str = ""
    extra_notes: Sequence[str] = field(default_factory=tuple)


class _Slot(Flowable):
    """One member's signature box; remembers the page and the absolute box it landed on."""

    def __init__(self, label: str) -> None:
        super().__init__()
        self.label = label
        self.width, self.height = _WIDTH, BOX[1] + 18
        self.placed: tuple[int, tuple[int, int, int, int]] | None = None

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        return self.width, self.height

    def draw(self) -> None:
        canvas = self.canv
        draw_text(canvas, 0, self.height - 12, self.label, 11)
        x0 = self.width - BOX[0]
        canvas.saveState()
        canvas.setStrokeColor(colors.lightgrey)
        canvas.setDash(2, 3)
        canvas.rect(x0, 0, BOX[0], BOX[1])
        canvas.restoreState()
        x, y = canvas.absolutePosition(x0, 0)
        self.placed = (canvas.getPageNumber() - 1, (round(x), round(y), round(x) + BOX[0], round(y) + BOX[1]))


def _table(table: ReportTable, s: dict[str, Any]) -> Table:
    columns = len(table.header)
    weights = list(table.widths) or [1.0] * columns
    total = sum(weights)
    widths = [_WIDTH * w / total for w in weights]
    data = [[para(f"<b>{text(h)}</b>", s["cell"]) for h in table.header]]
    data += [[para(text(cell), s["cell"]) for cell in row] for row in table.rows]
    result = Table(data, colWidths=widths, repeatRows=1)
    result.setStyle(TableStyle([
        ("GRID", (0, 0), (-1, -1), 0.5, colors.grey),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#f0f0f0")),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("FONTNAME", (0, 0), (-1, -1), cjk_font()),
    ]))
    return result


def render_report(sheet: ReportSheet, path: str | Path, manifest: bytes) -> tuple[SignatureSlot, ...]:
    """Render ``sheet`` to ``path`` with ``manifest`` attached as evaluation.json, written atomically.

    ``manifest`` may contain the marker ``@SLOTS@``: it is replaced by the JSON list of the signature
    slots' [page, x1, y1, x2, y2] once the layout is known. Returns the slots with their places.
    Raises RenderError.
    """
    s = styles()
    story: list[Flowable] = [para(text(sheet.title), s["title"]), para(text(sheet.subtitle), s["right"]),
                             Spacer(0, 6)]
    facts = Table([[para(text(k), s["cell"]), para(text(v), s["cell"])] for k, v in sheet.facts],
                  colWidths=[45 * mm, _WIDTH - 45 * mm])
    facts.setStyle(TableStyle([
        ("GRID", (0, 0), (-1, -1), 0.5, colors.grey),
        ("BACKGROUND", (0, 0), (0, -1), colors.HexColor("#f0f0f0")),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("FONTNAME", (0, 0), (-1, -1), cjk_font()),
    ]))
    story += [facts, Spacer(0, 10)]
    for section in sheet.sections:
        story += [CondPageBreak(60), para(f"<b>{text(section.heading)}</b>", s["body"]), Spacer(0, 4)]
        for part in section.parts:
            story.append(_table(part, s) if isinstance(part, ReportTable) else para(text(part), s["cell"]))
            story.append(Spacer(0, 6))
    for note in sheet.extra_notes:
        story.append(para(text(note), s["small"]))
    story += [PageBreak(), para("<b>评标委员会成员签字 Signatures of the committee</b>", s["body"]),
              para(text(sheet.signing_note), s["small"]), Spacer(0, 8)]
    slots = [_Slot(slot.label) for slot in sheet.slots]
    story += [KeepTogether([slot, Spacer(0, 8)]) for slot in slots]

    buffer = io.BytesIO()

    def on_page(canvas: Canvas, _doc: Any) -> None:
        canvas.saveState()
        canvas.setFillColor(colors.grey)
        draw_text(canvas, PAGE[0] / 2, 12 * mm, f"{sheet.footer}  第 {canvas.getPageNumber()} 页", 9,
                  centred=True)
        canvas.restoreState()

    doc = SimpleDocTemplate(buffer, pagesize=PAGE, leftMargin=MARGIN, rightMargin=MARGIN, topMargin=MARGIN,
                            bottomMargin=MARGIN, title=sheet.title, author=sheet.author, subject=sheet.subject,
                            creator="bidclient forms", producer="bidclient forms (reportlab)", lang="zh-CN",
                            initialFontName=cjk_font(), initialFontSize=12)
    try:
        doc.build(story, onFirstPage=on_page, onLaterPages=on_page)
    except Exception as ex:  # reportlab raises bare LayoutError/ValueError from deep inside
        raise RenderError(f"{sheet.title} could not be laid out: {ex}") from ex
    placed = []
    for slot, flowable in zip(sheet.slots, slots, strict=True):
        if flowable.placed is None:
            raise RenderError(f"{sheet.title}: the signature box of {slot.label} was not placed")
        page, box = flowable.placed
        placed.append(SignatureSlot(slot.label, page, box))
    places = "[" + ",".join(f"[{p.page},{p.box[0]},{p.box[1]},{p.box[2]},{p.box[3]}]" for p in placed) + "]"
    manifest = manifest.replace(b'"@SLOTS@"', places.encode("ascii"))
    # The manifest goes in as an attachment before anyone signs, so that every signature covers it.
    writer = IncrementalPdfFileWriter(io.BytesIO(buffer.getvalue()), strict=False)
    data = embed.EmbeddedFileObject.from_file_data(writer, data=manifest, mime_type="application/json")
    embed.embed_file(writer, embed.FileSpec(file_spec_string=MANIFEST_NAME, file_name=MANIFEST_NAME,
                                            embedded_data=data, description="bidclient evaluation report manifest"))
    output = io.BytesIO()
    writer.write(output)
    write_atomically(Path(path), output.getvalue())
    return tuple(placed)
