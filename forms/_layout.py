"""What the form renderers share: A4 page, styles in the CJK font, escaping, the seal area, atomic output."""

from __future__ import annotations

import contextlib
import io
import os
import re
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_LEFT, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, Paragraph, SimpleDocTemplate

from forms.amounts import format_figures, parse_figures
from forms.errors import AmountError, RenderError
from forms.fonts import cjk_font, draw_text, latin_font, runs
from forms.model import FieldDef, announced_item

PAGE = A4
_TAG = re.compile(r"(<[^>]*>)")
MARGIN = 22 * mm
SEAL_BOX_SIZE = (170.0, 110.0)  # points: a 42 mm seal beside the signer's name and time


@dataclass(frozen=True)
class RenderedForm:
    """A rendered form and where its seal goes: pass ``seal_page`` and ``seal_box`` to ``sign_pdf``."""

    path: Path
    pages: int
    seal_page: int  # 0-based
    seal_box: tuple[int, int, int, int]  # x1, y1, x2, y2 in PDF points from the page's lower left


def styles() -> dict[str, ParagraphStyle]:
    font = cjk_font()
    base = ParagraphStyle("body", fontName=font, bulletFontName=font, fontSize=12, leading=21, wordWrap="CJK",
                          alignment=TA_LEFT)
    return {
        "title": ParagraphStyle("title", parent=base, fontSize=22, leading=30, alignment=TA_CENTER,
                                spaceAfter=18),
        "body": base,
        "indent": ParagraphStyle("indent", parent=base, firstLineIndent=24),
        "item": ParagraphStyle("item", parent=base, leftIndent=24, firstLineIndent=-0),
        "right": ParagraphStyle("right", parent=base, alignment=TA_RIGHT),
        "cell": ParagraphStyle("cell", parent=base, fontSize=10, leading=14),
        "cell_center": ParagraphStyle("cell_center", parent=base, fontSize=10, leading=14, alignment=TA_CENTER),
        "cell_right": ParagraphStyle("cell_right", parent=base, fontSize=10, leading=14, alignment=TA_RIGHT),
        "small": ParagraphStyle("small", parent=base, fontSize=9, leading=12, textColor=colors.grey),
    }


def text(value: object) -> str:
    """User text for a Paragraph: escaped, because Paragraph parses markup (<b>, <img src=...>, &...)."""
    return escape(str(value).strip()).replace("\n", "<br/>")


def para(markup: str, style: ParagraphStyle) -> Paragraph:
    """A Paragraph of the form's own markup with user text inside made safe by ``text``; Latin runs go
    in the Latin face (the CJK face has no ASCII glyphs). Escaped text holds no '<', so the split on
    tags sees only the form's own tags."""
    latin = latin_font()
    parts = []
    for piece in _TAG.split(markup):
        if piece.startswith("<"):
            parts.append(piece)
            continue
        parts += [f'<font face="{latin}">{run}</font>' if face == latin else run for face, run in runs(piece)]
    return Paragraph("".join(parts), style)


def money(raw: str) -> str:
    """Figures as printed: 1,280,000.00 when readable, else exactly what was typed (escaped)."""
    try:
        return text(format_figures(parse_figures(raw)))
    except (AmountError, TypeError):
        return text(raw)


def printed_value(field: FieldDef, raw: str) -> str:
    """A tender field's value as the form prints it (markup-safe), with its unit: amounts as
    1,280,000.00元, days as 30日历天 (the duration) or 90天, 5%, dates as 2026年12月1日, 是/否."""
    value = raw.strip() if isinstance(raw, str) else str(raw)
    if field.type == "money":
        return money(value) + "元"
    if field.type == "duration_days" and value.isdigit():
        return text(value) + ("日历天" if announced_item(field) == "duration" else "天")
    if field.type == "percent":
        return text(value) + "%"
    if field.type == "date":
        return chinese_date(value)
    if field.type == "boolean" and value in ("true", "false"):
        return "是" if value == "true" else "否"
    return text(value)


def chinese_date(raw: str) -> str:
    try:
        day = date.fromisoformat(raw.strip())
    except (ValueError, AttributeError):
        return text(raw)
    return f"{day.year}年{day.month}月{day.day}日"


class SealArea(Flowable):
    """Reserved blank space for the signature appearance; remembers where it landed on which page."""

    def __init__(self, width: float, height: float, *, preview: bool = False) -> None:
        super().__init__()
        self.width, self.height = width, height
        self.hAlign = "RIGHT"
        self.preview = preview  # outline where the seal will go (a preview is never signed)
        self.placed: tuple[int, tuple[int, int, int, int]] | None = None

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        return self.width, self.height

    def draw(self) -> None:
        x, y = self.canv.absolutePosition(0, 0)
        page = self.canv.getPageNumber() - 1
        self.placed = (page, (round(x), round(y), round(x + self.width), round(y + self.height)))
        if self.preview:
            self.canv.saveState()
            self.canv.setStrokeColor(colors.Color(0.75, 0.1, 0.1))
            self.canv.setFillColor(colors.Color(0.75, 0.1, 0.1))
            self.canv.setDash(4, 3)
            self.canv.rect(0, 0, self.width, self.height)
            draw_text(self.canv, self.width / 2, self.height / 2 + 4, "预览：盖章位置", 11, centred=True)
            draw_text(self.canv, self.width / 2, self.height / 2 - 12, "加密封装时用CA证书签名并加盖电子印章", 8,
                      centred=True)
            self.canv.restoreState()


def build(path: Path, story: Sequence[Flowable], seal: SealArea, *, title: str, author: str,
          subject: str) -> RenderedForm:
    """Lay out ``story`` on A4 and write it to ``path`` via a temporary file (no partial output)."""
    buffer = io.BytesIO()
    pages: list[int] = []

    def on_page(canvas: Canvas, _doc: Any) -> None:
        pages.append(canvas.getPageNumber())
        canvas.saveState()
        canvas.setFillColor(colors.grey)
        draw_text(canvas, PAGE[0] / 2, 12 * mm, f"第 {canvas.getPageNumber()} 页", 9, centred=True)
        canvas.restoreState()

    # Metadata names the form and the bidder only: no user name, host or tool fingerprint beyond the
    # producer line (87号令 Art. 37 checks compare such fingerprints across bids; we add none).
    doc = SimpleDocTemplate(buffer, pagesize=PAGE, leftMargin=MARGIN, rightMargin=MARGIN, topMargin=MARGIN,
                            bottomMargin=MARGIN, title=title, author=author, subject=subject,
                            creator="bidclient forms", producer="bidclient forms (reportlab)", lang="zh-CN",
                            initialFontName=cjk_font(), initialFontSize=12)
    try:
        doc.build(list(story), onFirstPage=on_page, onLaterPages=on_page)
    except Exception as ex:  # reportlab raises bare LayoutError/ValueError from deep inside
        raise RenderError(f"{title} could not be laid out: {ex}") from ex
    if seal.placed is None:
        raise RenderError(f"{title}: the signature area was not placed")
    write_atomically(path, buffer.getvalue())
    page, box = seal.placed
    return RenderedForm(path=path, pages=len(pages), seal_page=page, seal_box=box)


def write_atomically(path: Path, data: bytes) -> None:
    """Write to a temporary file beside ``path`` and rename it, so a failure leaves no partial file."""
    directory = path.parent if str(path.parent) else Path(".")
    fd, temp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=directory)
    try:
        with os.fdopen(fd, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temp_name, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temp_name)
        raise
