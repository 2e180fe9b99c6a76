"""The whole bid as one PDF (投标文件), as a clerk prints and seals it: a table of contents, the forms and
every attachment in order, page numbers, page seals and the 骑缝章 — then PAdES underneath.

``build_book`` lays out the book: a contents page (目录) listing the four sections with every part and the
page it starts on (and the same as PDF bookmarks), then the parts' pages unchanged, each with an overlay:

* the book's page number (第 i 页 共 N 页) in the top margin;
* a page seal (逐页章): the enterprise seal, small, in the lower right corner;
* a slice of the riding seal (骑缝章): one enterprise seal cut into vertical strips, strip k drawn at the
  right edge of page k of its group, so that the seal reassembles when the pages' right edges are
  fanned out (GB/T 38540-style appearance; groups of at most ``RIDING_GROUP`` pages so that no strip is
  too narrow to see);
* in a preview only: "预览（未签章）" and the two signature seals drawn where ``sign_book`` puts them.

``sign_book`` then signs the book twice with the bidder's key, as PAdES signatures with visible seals:
the enterprise seal (单位公章) and the legal representative's seal (法定代表人章) on the bid letter's
signature place. The page seals and the riding seal are page content, so both signatures cover them
(changing a page breaks them); ``pdfsig`` validates both. Links and form fields of attached PDFs are
not carried over (their pages are copied as they print).
"""

from __future__ import annotations

import io
import math
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfgen.canvas import Canvas

from crypto.keys import Signer
from crypto.timestamp import Timestamper
from forms._layout import write_atomically
from forms.errors import FormsError, PdfMalformed, RenderError
from forms.fonts import cjk_font, draw_text, runs
from forms.seal_image import SEAL_RED, draw_company_seal, draw_personal_seal

__all__ = [
    "BOOK_SECTIONS",
    "RIDING_GROUP",
    "BidBook",
    "BookEntry",
    "BookPart",
    "SealMarks",
    "SealSpot",
    "build_book",
    "riding_groups",
    "sign_book",
]

# The sections of a Chinese bid, in the order they are bound.
BOOK_SECTIONS = ("资格证明文件", "商务文件", "技术文件", "其他材料")
RIDING_GROUP = 20  # at most this many pages share one riding seal (a strip stays ≥ 2 mm wide)
RIDING_RADIUS = 21 * mm  # a 42 mm enterprise seal
PAGE_SEAL_RADIUS = 14 * mm
PERSONAL_BOX = 110  # points: the legal representative's seal area, left of the enterprise seal's
MAX_BOOK_PAGES = 20_000
COMPANY_FIELD = "CompanySeal"
PERSONAL_FIELD = "LegalRepresentativeSeal"
_OVERLAY = "/BidclientBookOverlay"


@dataclass(frozen=True)
class BookPart:
    """A PDF bound into the book: its section (one of ``BOOK_SECTIONS``), its title in the contents, its
    path in the bid folder (``key``) and the file to copy the pages from."""

    section: str
    title: str
    key: str
    source: Path


@dataclass(frozen=True)
class BookEntry:
    section: str
    title: str
    key: str
    first_page: int  # 1-based page of the book
    pages: int


@dataclass(frozen=True)
class SealSpot:
    page: int  # 0-based page of the book
    box: tuple[int, int, int, int]  # x1, y1, x2, y2 in points from the page's lower left


@dataclass(frozen=True)
class SealMarks:
    """What the book is sealed with: the enterprise seal (name on the ring, inscription), the legal
    representative's name (no personal seal when empty), page seals and the riding seal."""

    enterprise: str
    legal_representative: str = ""
    inscription: str = ""
    page_seals: bool = True
    riding_seal: bool = True


@dataclass(frozen=True)
class BidBook:
    path: Path
    pages: int
    toc_pages: int
    entries: tuple[BookEntry, ...]
    company_seal: SealSpot
    personal_seal: SealSpot | None
    riding: tuple[tuple[int, int], ...]  # (first 0-based page, page count) of each riding-seal group
    marks: SealMarks
    preview: bool


def riding_groups(pages: int, group: int = RIDING_GROUP) -> tuple[tuple[int, int], ...]:
    """The pages split into as few groups of at most ``group`` pages as possible, of even sizes."""
    if pages <= 0:
        return ()
    count = math.ceil(pages / group)
    base, extra = divmod(pages, count)
    out, first = [], 0
    for index in range(count):
        size = base + (1 if index < extra else 0)
        out.append((first, size))
        first += size
    return tuple(out)


# --- reading the parts ------------------------------------------------------------------------------


@dataclass
class _SourcePage:
    reader: Any
    index: int
    media_box: tuple[float, float, float, float]
    rotate: int

    @property
    def display_size(self) -> tuple[float, float]:
        x0, y0, x1, y1 = self.media_box
        width, height = abs(x1 - x0), abs(y1 - y0)
        return (height, width) if self.rotate in (90, 270) else (width, height)


def _open(part: BookPart) -> tuple[Any, list[_SourcePage]]:
    from pyhanko.pdf_utils.reader import PdfFileReader

    try:
        data = part.source.read_bytes()
    except OSError as ex:
        raise PdfMalformed(f"cannot read {part.key}: {ex.strerror}", code="pdf.unreadable") from None
    if not data.startswith(b"%PDF-"):
        raise PdfMalformed(f"{part.key} is not a PDF (no %PDF- header)")
    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        if reader.encrypted:
            raise PdfMalformed(f"{part.key} is encrypted; remove the password first", code="pdf.encrypted")
        count = int(reader.root["/Pages"]["/Count"])
        if not 0 < count <= MAX_BOOK_PAGES:
            raise PdfMalformed(f"{part.key} has no pages")
        pages = []
        for index in range(count):
            page_ref, _resources = reader.find_page_for_modification(index)
            page = page_ref.get_object()
            box = _inherited(page, "/MediaBox")
            if box is None or len(box) != 4:
                raise PdfMalformed(f"{part.key}: page {index + 1} has no page size")
            rotate = int(_inherited(page, "/Rotate") or 0) % 360
            pages.append(_SourcePage(reader, index, tuple(float(v) for v in box), rotate))  # type: ignore[arg-type]
    except FormsError:
        raise
    except Exception as ex:  # hostile input: pyHanko raises many kinds on junk
        raise PdfMalformed(f"{part.key} is not a readable PDF: {type(ex).__name__}: {ex}") from ex
    return reader, pages


def _inherited(page: Any, key: str) -> Any:
    node = page
    while node is not None:
        if key in node:
            return node[key]
        node = node.get("/Parent")
    return None


# --- drawing ------------------------------------------------------------------------------------------


def _toc_lines(entries: Sequence[BookEntry]) -> list[tuple[str, str, str]]:
    """(kind, text, page) rows of the contents: a section heading, then its parts."""
    rows: list[tuple[str, str, str]] = []
    for section in BOOK_SECTIONS:
        mine = [e for e in entries if e.section == section]
        if not mine:
            continue
        rows.append(("section", section, str(mine[0].first_page)))
        rows += [("part", e.title, str(e.first_page)) for e in mine]
    return rows


TOC_FIRST_ROWS = 24  # rows on the first contents page (below the title block)
TOC_ROWS = 32


def _toc_page_count(rows: int) -> int:
    if rows <= TOC_FIRST_ROWS:
        return 1
    return 1 + math.ceil((rows - TOC_FIRST_ROWS) / TOC_ROWS)


def _width(value: str, size: float) -> float:
    return sum(pdfmetrics.stringWidth(run, face, size) for face, run in runs(value))


def _fit(value: str, width: float, size: float) -> str:
    if _width(value, size) <= width:
        return value
    while value and _width(value + "…", size) > width:
        value = value[:-1]
    return value + "…"


def _render_toc(rows: list[tuple[str, str, str]], *, title: str, bidder: str) -> bytes:
    from reportlab.lib.pagesizes import A4

    width, height = A4
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4, initialFontName=cjk_font(), pageCompression=1)
    canvas.setTitle("投标文件")
    canvas.setAuthor(bidder)
    left, right = 25 * mm, width - 25 * mm
    remaining = list(rows)
    first = True
    while first or remaining:
        y = height - 30 * mm
        if first:
            draw_text(canvas, width / 2, y, "投 标 文 件", 26, centred=True)
            y -= 14 * mm
            for line in (title, bidder):
                if line.strip():
                    draw_text(canvas, width / 2, y, _fit(line.strip(), right - left, 13), 13, centred=True)
                    y -= 8 * mm
            y -= 6 * mm
            draw_text(canvas, width / 2, y, "目  录", 18, centred=True)
            y -= 12 * mm
            capacity = TOC_FIRST_ROWS
        else:
            draw_text(canvas, width / 2, y, "目  录（续）", 14, centred=True)
            y -= 12 * mm
            capacity = TOC_ROWS
        for kind, text_value, page in remaining[:capacity]:
            size = 13 if kind == "section" else 11
            x = left if kind == "section" else left + 8 * mm
            number_width = _width(page, size)
            label = _fit(text_value, right - x - number_width - 12 * mm, size)
            draw_text(canvas, x, y, label, size)
            draw_text(canvas, right - number_width, y, page, size)
            dots_from, dots_to = x + _width(label, size) + 2 * mm, right - number_width - 2 * mm
            canvas.setFillColor(colors.grey)
            dot = dots_from
            while dot < dots_to:
                canvas.circle(dot, y + 2, 0.45, stroke=0, fill=1)
                dot += 3.2
            canvas.setFillColor(colors.black)
            y -= 8 * mm if kind == "section" else 7 * mm
        remaining = remaining[capacity:]
        first = False
        canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def _clip_rect(canvas: Canvas, x: float, y: float, w: float, h: float) -> None:
    path = canvas.beginPath()
    path.rect(x, y, w, h)
    canvas.clipPath(path, stroke=0, fill=0)


def _render_overlay(sizes: Sequence[tuple[float, float]], *, marks: SealMarks, company: SealSpot,
                    personal: SealSpot | None, riding: Sequence[tuple[int, int]], preview: bool) -> bytes:
    """One overlay page per book page, in the page's displayed orientation."""
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=sizes[0], initialFontName=cjk_font(), pageCompression=1)
    strip_of: dict[int, tuple[int, int]] = {}
    for first, count in riding:
        for k in range(count):
            strip_of[first + k] = (k, count)
    total = len(sizes)
    for index, (width, height) in enumerate(sizes):
        canvas.setPageSize((width, height))
        canvas.saveState()
        canvas.setFillColor(colors.grey)
        number = f"第 {index + 1} 页 共 {total} 页"
        draw_text(canvas, width - 12 * mm - _width(number, 8), height - 8 * mm, number, 8)
        if preview:
            canvas.setFillColor(SEAL_RED)
            draw_text(canvas, 12 * mm, height - 8 * mm, "预览（未签章）— 加密封装时签章", 8)
        canvas.restoreState()
        if marks.page_seals and marks.enterprise.strip():
            canvas.saveState()
            canvas.setFillAlpha(0.85)
            canvas.setStrokeAlpha(0.85)
            draw_company_seal(canvas, width - 22 * mm - PAGE_SEAL_RADIUS, 18 * mm + PAGE_SEAL_RADIUS,
                              PAGE_SEAL_RADIUS, marks.enterprise, inscription=marks.inscription)
            canvas.restoreState()
        if marks.riding_seal and marks.enterprise.strip() and index in strip_of:
            strip, count = strip_of[index]
            diameter = 2 * RIDING_RADIUS
            strip_width = diameter / count
            canvas.saveState()
            _clip_rect(canvas, width - strip_width, 0, strip_width, height)
            canvas.setFillAlpha(0.9)
            canvas.setStrokeAlpha(0.9)
            left = width - (strip + 1) * strip_width  # the seal's left edge, so strip k shows on page k
            draw_company_seal(canvas, left + RIDING_RADIUS, height / 2, RIDING_RADIUS, marks.enterprise,
                              inscription=marks.inscription)
            canvas.restoreState()
        if preview:
            for spot, personal_seal in ((company, False), (personal, True)):
                if spot is None or spot.page != index:
                    continue
                x1, y1, x2, y2 = spot.box
                canvas.saveState()
                canvas.setStrokeColor(SEAL_RED)
                canvas.setDash(3, 2)
                canvas.rect(x1, y1, x2 - x1, y2 - y1)
                canvas.restoreState()
                radius = min(x2 - x1, y2 - y1) / 2 - 2
                cx, cy = (x1 + x2) / 2, (y1 + y2) / 2
                canvas.saveState()
                canvas.setFillAlpha(0.9)
                canvas.setStrokeAlpha(0.9)
                if personal_seal:
                    draw_personal_seal(canvas, cx, cy, radius * 0.8, marks.legal_representative)
                else:
                    draw_company_seal(canvas, cx, cy, radius, marks.enterprise, inscription=marks.inscription)
                canvas.restoreState()
        canvas.showPage()
    canvas.save()
    return buffer.getvalue()


# --- binding ------------------------------------------------------------------------------------------


def _display_matrix(page: _SourcePage) -> list[float]:
    """The matrix taking the displayed page's coordinates (what the overlay is drawn in) to the page's."""
    x0, y0, x1, y1 = page.media_box
    x0, x1 = min(x0, x1), max(x0, x1)
    y0, y1 = min(y0, y1), max(y0, y1)
    w, h = x1 - x0, y1 - y0
    if page.rotate == 90:
        return [0, 1, -1, 0, w + x0, y0]
    if page.rotate == 180:
        return [-1, 0, 0, -1, w + x0, h + y0]
    if page.rotate == 270:
        return [0, -1, 1, 0, x0, h + y0]
    return [1, 0, 0, 1, x0, y0]


def _bind(pages: Sequence[_SourcePage], overlay: Any, entries: Sequence[BookEntry], toc_pages: int, *,
          title: str, bidder: str) -> bytes:
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.generic import pdf_name
    from pyhanko.pdf_utils.writer import PdfFileWriter, _ObjectImporter

    writer = PdfFileWriter()
    importers: dict[int, Any] = {}

    def importer(reader: Any) -> Any:
        # One importer per source, so that what its pages share (fonts, images) is copied once.
        if id(reader) not in importers:
            importers[id(reader)] = _ObjectImporter(source=reader, target=writer, reference_map={},
                                                    obj_stream=None)
        return importers[id(reader)]

    page_refs = []
    for index, source in enumerate(pages):
        page_ref, resources = source.reader.find_page_for_modification(source.index)
        page = page_ref.get_object()
        copy = importer(source.reader)
        imported_resources = copy.import_object(resources) if resources is not None else generic.DictionaryObject()
        resource_dict = generic.DictionaryObject(dict(imported_resources.get_object().items()))
        xobjects = resource_dict.get("/XObject")
        xobject_dict = generic.DictionaryObject(dict(xobjects.items()) if xobjects is not None else {})
        xobject_dict[pdf_name(_OVERLAY)] = _overlay_xobject(writer, importer(overlay), overlay, index,
                                                            _display_matrix(source))
        resource_dict[pdf_name("/XObject")] = xobject_dict
        contents = page.raw_get("/Contents") if "/Contents" in page else None
        streams: list[Any] = [writer.add_object(generic.StreamObject(stream_data=b"q\n"))]
        if contents is not None:
            imported = copy.import_object(contents)
            resolved = imported.get_object() if isinstance(imported, generic.IndirectObject) else imported
            if isinstance(resolved, generic.ArrayObject):
                streams += list(resolved)
            else:
                streams.append(imported)
        streams.append(writer.add_object(generic.StreamObject(stream_data=f"\nQ q {_OVERLAY} Do Q\n".encode())))
        new_page = generic.DictionaryObject({
            pdf_name("/Type"): pdf_name("/Page"),
            pdf_name("/MediaBox"): generic.ArrayObject(generic.FloatObject(v) for v in source.media_box),
            pdf_name("/Resources"): writer.add_object(resource_dict),
            pdf_name("/Contents"): generic.ArrayObject(streams),
        })
        if source.rotate:
            new_page[pdf_name("/Rotate")] = generic.NumberObject(source.rotate)
        page_refs.append(writer.insert_page(new_page))
    _outline(writer, page_refs, entries, toc_pages)
    # Metadata names the bid and the bidder only (no user, host or tool fingerprint: see forms/_layout.py).
    writer.set_info(generic.DictionaryObject({
        pdf_name("/Title"): generic.TextStringObject(f"投标文件 {title}".strip()),
        pdf_name("/Author"): generic.TextStringObject(bidder),
        pdf_name("/Creator"): generic.TextStringObject("bidclient forms"),
    }))
    writer.root[pdf_name("/PageMode")] = pdf_name("/UseOutlines")
    writer.update_root()
    output = io.BytesIO()
    writer.write(output)
    return output.getvalue()


def _overlay_xobject(writer: Any, copy: Any, overlay: Any, index: int, matrix: list[float]) -> Any:
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.generic import pdf_name

    page_ref, resources = overlay.find_page_for_modification(index)
    page = page_ref.get_object()
    contents = page["/Contents"]
    if isinstance(contents, generic.ArrayObject):
        data = b"".join(part.get_object().data for part in contents)
    else:
        data = contents.data
    box = page["/MediaBox"]
    width, height = float(box[2]) - float(box[0]), float(box[3]) - float(box[1])
    stream = generic.StreamObject({
        pdf_name("/Type"): pdf_name("/XObject"),
        pdf_name("/Subtype"): pdf_name("/Form"),
        pdf_name("/BBox"): generic.ArrayObject(generic.FloatObject(v) for v in (0, 0, width, height)),
        pdf_name("/Matrix"): generic.ArrayObject(generic.FloatObject(v) for v in matrix),
        pdf_name("/Resources"): copy.import_object(resources),
    }, stream_data=data)
    stream.compress()
    return writer.add_object(stream)


def _outline(writer: Any, page_refs: Sequence[Any], entries: Sequence[BookEntry], toc_pages: int) -> None:
    """PDF bookmarks: 目录, then each section with its parts."""
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.generic import pdf_name

    def destination(page: int) -> Any:
        return generic.ArrayObject([page_refs[page], pdf_name("/Fit")])

    tree: list[tuple[str, int, list[tuple[str, int]]]] = [("目录", 0, [])]
    for section in BOOK_SECTIONS:
        mine = [e for e in entries if e.section == section]
        if mine:
            tree.append((section, mine[0].first_page - 1, [(e.title, e.first_page - 1) for e in mine]))
    root = writer.add_object(generic.DictionaryObject({pdf_name("/Type"): pdf_name("/Outlines")}))

    def items(parent: Any, nodes: list[tuple[str, int, list[tuple[str, int]]]]) -> int:
        refs = [writer.add_object(generic.DictionaryObject()) for _ in nodes]
        visible = len(nodes)
        for position, (label, page, children) in enumerate(nodes):
            item = refs[position].get_object()
            item[pdf_name("/Title")] = generic.TextStringObject(label)
            item[pdf_name("/Parent")] = parent
            item[pdf_name("/Dest")] = destination(page)
            if position > 0:
                item[pdf_name("/Prev")] = refs[position - 1]
            if position + 1 < len(refs):
                item[pdf_name("/Next")] = refs[position + 1]
            if children:
                opened = items(refs[position], [(t, p, []) for t, p in children])
                item[pdf_name("/Count")] = generic.NumberObject(opened)
                visible += opened
        parent_obj = parent.get_object()
        parent_obj[pdf_name("/First")] = refs[0]
        parent_obj[pdf_name("/Last")] = refs[-1]
        return visible

    count = items(root, tree)
    root.get_object()[pdf_name("/Count")] = generic.NumberObject(count)
    writer.root[pdf_name("/Outlines")] = root


def build_book(parts: Sequence[BookPart], path: Path, *, title: str, bidder: str, marks: SealMarks,
               company_seal: tuple[str, int, tuple[int, int, int, int]], preview: bool = False) -> BidBook:
    """Bind ``parts`` (in order; grouped into ``BOOK_SECTIONS`` as they come) into one PDF at ``path``.

    ``company_seal`` is (part key, 0-based page of that part, box): where the enterprise seal's
    signature goes (the bid letter's signature place); the legal representative's seal goes left of it.
    With ``preview`` the two signature seals are drawn in place and every page says it is a preview.
    Raises PdfMalformed for an unreadable part, RenderError when the book cannot be drawn; the file is
    written whole or not at all.
    """
    if not parts:
        raise RenderError("a bid book needs at least one part")
    for part in parts:
        if part.section not in BOOK_SECTIONS:
            raise RenderError(f"{part.key}: unknown section {part.section!r}")
    order = {s: i for i, s in enumerate(BOOK_SECTIONS)}
    ordered = sorted(parts, key=lambda p: order[p.section])  # stable: the parts' own order within a section
    opened = [(part, *_open(part)) for part in ordered]
    rows = sum(1 for s in BOOK_SECTIONS if any(p.section == s for p in ordered)) + len(ordered)
    toc_pages = _toc_page_count(rows)
    entries: list[BookEntry] = []
    next_page = toc_pages + 1
    for part, _reader, pages in opened:
        entries.append(BookEntry(part.section, part.title, part.key, next_page, len(pages)))
        next_page += len(pages)
    total = next_page - 1
    if total > MAX_BOOK_PAGES:
        raise RenderError(f"the bid has {total} pages; at most {MAX_BOOK_PAGES} can be bound")
    key, part_page, box = company_seal
    entry = next((e for e in entries if e.key == key), None)
    if entry is None or not 0 <= part_page < entry.pages:
        raise RenderError(f"the seal's place {key!r} page {part_page + 1} is not in the bid")
    company = SealSpot(entry.first_page - 1 + part_page, box)
    personal = None
    if marks.legal_representative.strip():
        x1, y1, _x2, y2 = box
        size = min(PERSONAL_BOX, y2 - y1)
        personal = SealSpot(company.page, (x1 - 10 - size, y1, x1 - 10, y1 + size))
    groups = riding_groups(total)
    from pyhanko.pdf_utils.reader import PdfFileReader

    try:
        toc_rows = _toc_lines(entries)
        toc_reader = PdfFileReader(io.BytesIO(_render_toc(toc_rows, title=title, bidder=bidder)), strict=False)
        toc = [_SourcePage(toc_reader, i, (0.0, 0.0, 595.2756, 841.8898), 0) for i in range(toc_pages)]
        all_pages = toc + [p for _part, _reader, pages in opened for p in pages]
        overlay_data = _render_overlay([p.display_size for p in all_pages], marks=marks, company=company,
                                       personal=personal, riding=groups, preview=preview)
        overlay = PdfFileReader(io.BytesIO(overlay_data), strict=False)
        data = _bind(all_pages, overlay, entries, toc_pages, title=title, bidder=bidder)
    except FormsError:
        raise
    except Exception as ex:  # a part pyHanko read but cannot copy (broken resources...)
        raise RenderError(f"the bid could not be bound into one PDF: {type(ex).__name__}: {ex}") from ex
    write_atomically(path, data)
    return BidBook(path=path, pages=total, toc_pages=toc_pages, entries=tuple(entries), company_seal=company,
                   personal_seal=personal, riding=groups, marks=marks, preview=preview)


def sign_book(book: BidBook, output: Path, signer: Signer, *, timestamper: Timestamper | None = None,
              time_text: Callable[[datetime], str] | None = None) -> None:
    """Sign the (non-preview) book: the enterprise seal, then the legal representative's seal (the same
    key: the dongle is the enterprise's), each a PAdES signature with its seal visible. ``output`` is
    written whole or not at all (a wrong PIN leaves nothing)."""
    from forms.pdf_sign import sign_pdf

    if book.preview:
        raise RenderError("a preview is never signed; build the book without preview")
    with tempfile.TemporaryDirectory(prefix="bidclient-book-") as scratch:
        work = Path(scratch) / "book.pdf"
        sign_pdf(book.path, work, signer, field_name=COMPANY_FIELD, page=book.company_seal.page,
                 box=book.company_seal.box, seal_name=book.marks.enterprise, inscription=book.marks.inscription,
                 reason="投标文件签章（单位公章）", timestamper=timestamper, time_text=time_text)
        if book.personal_seal is not None:
            sign_pdf(work, work, signer, field_name=PERSONAL_FIELD, page=book.personal_seal.page,
                     box=book.personal_seal.box, seal_name=book.marks.legal_representative,
                     seal_style="personal", reason="法定代表人签章", timestamper=timestamper, time_text=time_text)
        write_atomically(output, work.read_bytes())
