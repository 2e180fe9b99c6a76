"""An in-app PDF reader: tender documents and the bid's own attachments, one page at a time.

PySide6's wheels ship no QtPdf, so pages are rasterised by PDFium through pypdfium2 and shown as images.
PDFium is not thread-safe (one global library state), so every pdfium call of the app runs on one
dedicated single-thread pool *and* holds ``PDFIUM_LOCK``; any other code that calls pypdfium2 must
take the lock too. Documents are opened, rendered and closed there, never on the GUI thread, and
never left to the garbage collector (whose finalizers would call pdfium from any thread).

Usage::

    viewer = PdfViewer(parent)
    viewer.open(path)                 # asynchronous; loaded / failed / page_changed signals follow
    viewer.go_to_page(3)              # 1-based
    viewer.page, viewer.page_count    # what the user sees now
"""

from __future__ import annotations

import atexit
import itertools
import threading
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import shiboken6
from PySide6.QtCore import QEvent, QObject, Qt, QThreadPool, QTimer, Signal
from PySide6.QtGui import QImage, QKeySequence, QPixmap, QResizeEvent, QShortcut
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QScrollArea,
    QSizePolicy,
    QSpinBox,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from bidclient.errors import BidclientError
from ui.error_view import plain_label
from ui.workers import Task, TaskContext, start

PDFIUM_LOCK = threading.Lock()

ZOOM_STEPS = (0.25, 0.33, 0.5, 0.67, 0.75, 0.9, 1.0, 1.1, 1.25, 1.5, 1.75, 2.0, 2.5, 3.0, 4.0, 5.0, 6.0, 8.0)
MAX_PIXELS = 16_000_000  # one rendered page at most ~64 MB: a page claiming to be 5 m wide is drawn smaller
CACHE_BYTES = 96 << 20  # rendered pages kept for paging back and forth
CACHE_PAGES = 8
FIT_MARGIN = 8  # pixels left beside a fit-width page

_pool: QThreadPool | None = None
_exit_hook = False


def pdfium_pool() -> QThreadPool:
    """The one thread every pdfium call of the app runs on (created on first use)."""
    global _pool
    if _pool is None:
        _pool = QThreadPool()
        _pool.setMaxThreadCount(1)
        _pool.setObjectName("pdfium")
    return _pool


class PdfViewError(BidclientError):
    """A PDF that cannot be shown. Codes: ``pdf.not_found``, ``pdf.unreadable`` (damaged or not a PDF),
    ``pdf.encrypted`` (password-protected), ``pdf.page_unreadable`` (one page cannot be drawn)."""

    code = "pdf.unreadable"


# --- worker side: everything below that touches pdfium runs on pdfium_pool() under PDFIUM_LOCK -------


class _Document:
    """An open pdfium document. Only jobs on the pdfium pool touch ``pdf``; the GUI keeps the handle."""

    def __init__(self, path: Path, pdf: Any, page_count: int) -> None:
        self.path = path
        self.pdf = pdf
        self.page_count = page_count
        self.closed = False


# Every open document, so that none is ever garbage-collected (pdfium finalizer on an arbitrary thread).
_open_documents: dict[int, _Document] = {}


def _load(path: Path) -> _Document:
    import pypdfium2 as pdfium

    try:
        with PDFIUM_LOCK:
            pdf = pdfium.PdfDocument(str(path))
            try:
                count = len(pdf)
            except BaseException:
                pdf.close()
                raise
    except FileNotFoundError:
        raise PdfViewError(f"{path.name} does not exist", code="pdf.not_found") from None
    except OSError as ex:
        raise PdfViewError(f"{path.name} cannot be read: {ex.strerror or ex}", code="pdf.not_found") from ex
    except pdfium.PdfiumError as ex:
        # err_code (FPDF_ERR_PASSWORD = 4, FPDF_ERR_SECURITY = 5) is new in pypdfium2 5; 4.x says it in words
        if getattr(ex, "err_code", None) in (4, 5) or "password" in str(ex).lower():
            raise PdfViewError(f"{path.name} is password-protected", code="pdf.encrypted") from ex
        raise PdfViewError(f"{path.name} is damaged or not a PDF ({ex})", code="pdf.unreadable") from ex
    document = _Document(path, pdf, count)
    global _exit_hook
    if not _exit_hook:  # registered after pypdfium2's finalizers' exit hook, so that it runs first
        atexit.register(_close_all)
        _exit_hook = True
    _open_documents[id(document)] = document
    if count < 1:
        _close(document)
        raise PdfViewError(f"{path.name} has no pages", code="pdf.unreadable")
    return document


def _close_all() -> None:
    """At exit: documents whose viewer was never destroyed are closed here, not by finalizers."""
    if _pool is not None:
        _pool.waitForDone(5000)
    for document in list(_open_documents.values()):
        _close(document)


def _close(document: _Document) -> None:
    with PDFIUM_LOCK:
        if not document.closed:
            document.closed = True
            document.pdf.close()
    _open_documents.pop(id(document), None)


def _find_text(document: _Document, text: str, after: int) -> int | None:
    """The first page after page ``after`` (1-based, wrapping round) whose text contains ``text``."""
    with PDFIUM_LOCK:
        if document.closed:
            return None
        count = document.page_count
        for index in [*range(after, count), *range(0, min(after, count))]:
            page = document.pdf[index]
            try:
                textpage = page.get_textpage()
                try:
                    searcher = textpage.search(text, match_case=False)
                    try:
                        hit = searcher.get_next()
                    finally:
                        searcher.close()
                finally:
                    textpage.close()
            finally:
                page.close()
            if hit:
                return index + 1
    return None


@dataclass(frozen=True)
class _Request:
    """What to draw: a page (0-based) at a zoom, or as wide as ``fit_width`` device pixels."""

    index: int
    zoom: float  # 1.0 = the page's real size on a 96-dpi screen; ignored when fit_width is set
    fit_width: int  # device pixels, 0 = use zoom
    dpr: float  # the screen's device pixel ratio: render sharp on high-dpi screens
    dpi: float


@dataclass(frozen=True)
class _Rendered:
    request: _Request
    image: QImage
    zoom: float  # the zoom actually used (fit width computes it)


# pypdfium2's pixel layouts and the QImage formats with the same bytes in memory.
_FORMATS = {
    "RGBX": QImage.Format.Format_RGBX8888,
    "RGBA": QImage.Format.Format_RGBA8888,
    "RGB": QImage.Format.Format_RGB888,
    "BGR": QImage.Format.Format_BGR888,
    "L": QImage.Format.Format_Grayscale8,
}


def _render(document: _Document, request: _Request) -> _Rendered:
    import pypdfium2 as pdfium

    with PDFIUM_LOCK:
        if document.closed:
            raise PdfViewError(f"{document.path.name} was closed", code="pdf.unreadable")
        try:
            width_pt, height_pt = document.pdf.get_page_size(request.index)
            if not (width_pt > 0 and height_pt > 0):
                raise PdfViewError(f"page {request.index + 1} has no size", code="pdf.page_unreadable")
            pixels_per_pt = request.dpi / 72.0
            if request.fit_width:
                scale = request.fit_width / width_pt
                zoom = scale / (pixels_per_pt * request.dpr)
            else:
                zoom = request.zoom
                scale = zoom * pixels_per_pt * request.dpr
            if width_pt * height_pt * scale * scale > MAX_PIXELS:
                scale = (MAX_PIXELS / (width_pt * height_pt)) ** 0.5
            page = document.pdf[request.index]
            try:
                bitmap = page.render(scale=scale, rev_byteorder=True, prefer_bgrx=True, may_draw_forms=False)
                try:
                    image_format = _FORMATS.get(bitmap.mode)
                    if image_format is None:
                        raise PdfViewError(f"unexpected pixel format {bitmap.mode}", code="pdf.page_unreadable")
                    data = bytes(bitmap.buffer)  # a copy: the bitmap's memory is freed just below
                    image = QImage(data, bitmap.width, bitmap.height, bitmap.stride, image_format).copy()
                finally:
                    bitmap.close()
            finally:
                page.close()
        except PdfViewError:
            raise
        except (pdfium.PdfiumError, ValueError, OSError) as ex:
            raise PdfViewError(f"page {request.index + 1} cannot be drawn: {ex}",
                               code="pdf.page_unreadable") from ex
    image.setDevicePixelRatio(request.dpr)
    return _Rendered(request, image, zoom)


# --- the widget ------------------------------------------------------------------------------------


class PdfViewer(QWidget):
    """Reads one PDF: previous/next, a page box, zoom (fit width, +/-), PgUp/PgDn and Ctrl+±."""

    loaded = Signal(int)  # page count, after open() succeeded
    failed = Signal(object)  # PdfViewError, after open() or a page render failed
    page_changed = Signal(int)  # 1-based page now shown
    rendered = Signal(int)  # 1-based page whose image is now on screen
    found = Signal(str, int)  # the text searched, and the 1-based page shown for it (0: not found)

    _generations = itertools.count(1)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("pdfViewer")
        self.path: Path | None = None
        self.page_count = 0
        self.page = 0  # 1-based, 0 while nothing is open
        self.error: PdfViewError | None = None
        self.fit_width = True
        self.zoom = 1.0
        self._document: _Document | None = None
        self._holder = _Holder()
        self._generation = 0
        self._tasks: set[Task] = set()
        self._inflight: _Request | None = None
        self._cache: OrderedDict[_Request, _Rendered] = OrderedDict()
        self._shown: _Rendered | None = None
        self._open_page = 1
        self._idle_message = ""

        self.prev_button = self._tool_button("pdfPrevious", self.previous_page)
        self.next_button = self._tool_button("pdfNext", self.next_page)
        self.page_spin = QSpinBox(self)
        self.page_spin.setObjectName("pdfPage")
        self.page_spin.setRange(0, 0)
        self.page_spin.setKeyboardTracking(False)  # typing "12" goes to 12, not to 1 then 12
        self.page_spin.setButtonSymbols(QAbstractSpinBox.ButtonSymbols.NoButtons)
        self.page_spin.valueChanged.connect(self._spin_changed)
        self.page_label = QLabel(self)
        self.page_label.setObjectName("pdfPageOf")
        self.zoom_out_button = self._tool_button("pdfZoomOut", self.zoom_out)
        self.zoom_in_button = self._tool_button("pdfZoomIn", self.zoom_in)
        self.fit_button = self._tool_button("pdfFitWidth", self.set_fit_width)
        self.fit_button.setCheckable(True)
        self.fit_button.setChecked(True)
        self.zoom_label = QLabel(self)
        self.zoom_label.setObjectName("pdfZoom")
        self.find_edit = QLineEdit(self)
        self.find_edit.setObjectName("pdfFind")
        self.find_edit.setMaximumWidth(160)
        self.find_edit.returnPressed.connect(lambda: self.find_text(self.find_edit.text()))
        self.find_button = self._tool_button("pdfFindNext", lambda: self.find_text(self.find_edit.text()))
        self.find_result = QLabel(self)
        self.find_result.setObjectName("pdfFindResult")
        self.find_result.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)  # never widens
        self.name_label = plain_label(self, name="pdfName")
        self.name_label.setWordWrap(False)
        self.name_label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)

        self.page_view = QLabel(self)
        self.page_view.setObjectName("pdfPageImage")
        self.page_view.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.scroll_area = QScrollArea(self)
        self.scroll_area.setObjectName("pdfScroll")
        self.scroll_area.setWidget(self.page_view)
        self.scroll_area.setWidgetResizable(True)
        self.scroll_area.setAlignment(Qt.AlignmentFlag.AlignCenter)
        # Always there, so that a page taller than the viewer does not narrow it and re-fit it, in a loop.
        self.scroll_area.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOn)
        self.scroll_area.setStyleSheet("QScrollArea { background: #808080; }")
        self.scroll_area.viewport().installEventFilter(self)
        self.message = plain_label(self, name="pdfMessage")
        self.message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.error_label = plain_label(self, name="pdfError")
        self.error_label.setStyleSheet("color: #b00020; font-weight: bold;")
        self.error_detail = plain_label(self, name="pdfErrorDetail")
        self.error_detail.setStyleSheet("color: #666;")
        self.error_detail.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        bar = QHBoxLayout()
        bar.setContentsMargins(0, 0, 0, 0)
        for widget in (self.prev_button, self.page_spin, self.page_label, self.next_button):
            bar.addWidget(widget)
        bar.addSpacing(12)
        for widget in (self.zoom_out_button, self.zoom_label, self.zoom_in_button, self.fit_button):
            bar.addWidget(widget)
        bar.addSpacing(12)
        for finder in (self.find_edit, self.find_button, self.find_result):
            bar.addWidget(finder)
        bar.addSpacing(12)
        bar.addWidget(self.name_label, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(bar)
        layout.addWidget(self.error_label)
        layout.addWidget(self.error_detail)
        layout.addWidget(self.message)
        layout.addWidget(self.scroll_area, 1)

        self._shortcuts: list[tuple[QShortcut, QKeySequence]] = []
        for keys, slot in (((QKeySequence.StandardKey.MoveToNextPage, "PgDown"), self.next_page),
                           ((QKeySequence.StandardKey.MoveToPreviousPage, "PgUp"), self.previous_page),
                           ((QKeySequence.StandardKey.ZoomIn, "Ctrl++", "Ctrl+="), self.zoom_in),
                           ((QKeySequence.StandardKey.ZoomOut, "Ctrl+-"), self.zoom_out),
                           (("Ctrl+0",), self.set_fit_width)):
            seen: set[str] = set()
            for key in keys:
                sequence = QKeySequence(key)
                if sequence.isEmpty() or sequence.toString() in seen:
                    continue
                seen.add(sequence.toString())
                shortcut = QShortcut(sequence, self)
                shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
                shortcut.activated.connect(slot)

        self._resize_timer = QTimer(self)
        self._resize_timer.setSingleShot(True)
        self._resize_timer.setInterval(120)
        self._resize_timer.timeout.connect(self._request_render)
        holder = self._holder  # not self: the slot runs when the Python wrapper may be gone
        self.destroyed.connect(lambda *_a: holder.close())
        self.retranslate()
        self._update_controls()

    def _tool_button(self, name: str, slot: Any) -> QToolButton:
        button = QToolButton(self)
        button.setObjectName(name)
        button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        button.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        button.clicked.connect(lambda _checked=False: slot())
        return button

    # --- texts ---

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def retranslate(self) -> None:
        self.prev_button.setText(self.tr("Previous"))
        self.prev_button.setToolTip(self.tr("Previous page (PgUp)"))
        self.prev_button.setAccessibleName(self.tr("Previous page"))
        self.next_button.setText(self.tr("Next"))
        self.next_button.setToolTip(self.tr("Next page (PgDn)"))
        self.next_button.setAccessibleName(self.tr("Next page"))
        self.page_spin.setAccessibleName(self.tr("Page number to show"))
        inner = self.page_spin.findChild(QLineEdit)
        if inner is not None:  # the spin box's own editor is what takes the focus
            inner.setAccessibleName(self.page_spin.accessibleName())
        self.zoom_out_button.setText("−")  # the symbols every reader uses; the words are in the tooltip and the name
        self.zoom_out_button.setToolTip(self.tr("Zoom out (Ctrl+-)"))
        self.zoom_out_button.setAccessibleName(self.tr("Zoom out"))
        self.zoom_in_button.setText("+")
        self.zoom_in_button.setToolTip(self.tr("Zoom in (Ctrl++)"))
        self.zoom_in_button.setAccessibleName(self.tr("Zoom in"))
        self.fit_button.setText(self.tr("Fit width"))
        self.fit_button.setToolTip(self.tr("Fit the page to the width of the viewer (Ctrl+0)"))
        self.fit_button.setAccessibleName(self.tr("Fit width"))
        self.find_edit.setPlaceholderText(self.tr("Find in document"))
        self.find_edit.setAccessibleName(self.tr("Text to find in the document"))
        self.find_button.setText(self.tr("Find next"))
        self.find_button.setToolTip(self.tr("Go to the next page that contains the text (Enter)"))
        self.find_button.setAccessibleName(self.tr("Find next"))
        self.scroll_area.setAccessibleName(self.tr("Document page"))
        self.page_view.setAccessibleName(self.tr("Page image"))
        if self.error is not None:
            self._show_error(self.error)
        self._update_controls()

    def _update_controls(self) -> None:
        has = self._document is not None and self.error is None
        self.page_label.setText(self.tr("Page {page} of {count}").format(page=self.page, count=self.page_count)
                                if self.page_count else "")
        self.page_label.setAccessibleName(self.page_label.text())
        self.page_view.setAccessibleDescription(self.page_label.text())
        self.zoom_label.setText(f"{round(self.zoom * 100)}%" if has else "")
        self.page_spin.setEnabled(has)
        self.prev_button.setEnabled(has and self.page > 1)
        self.next_button.setEnabled(has and self.page < self.page_count)
        for button in (self.zoom_in_button, self.zoom_out_button, self.fit_button, self.find_button):
            button.setEnabled(has)
        self.find_edit.setEnabled(has)
        self.zoom_in_button.setEnabled(has and self.zoom < ZOOM_STEPS[-1] - 1e-6)
        self.zoom_out_button.setEnabled(has and self.zoom > ZOOM_STEPS[0] + 1e-6)
        self.fit_button.setChecked(self.fit_width)
        self.name_label.setText(self.path.name if self.path is not None else "")
        if self._document is None and self.error is None and self.path is None:
            self.message.setText(self._idle_message or self.tr("No document open."))

    # --- opening ---

    def open(self, path: Path, *, page: int = 1) -> None:
        """Show ``path`` (asynchronously). Opening the file already shown only moves to ``page``."""
        path = Path(path)
        if self.path == path and self.error is None and (self._document is not None or self._tasks):
            if self._document is not None:
                self.go_to_page(page)
            else:
                self._open_page = page  # still loading: start there
            return
        self.close_document()
        self.path = path
        self._open_page = page
        self._generation = next(self._generations)
        self.message.setText(self.tr("Opening {name}…").format(name=path.name))
        self.message.setVisible(True)
        self._update_controls()
        generation = self._generation
        task = Task(lambda _ctx: _load(path), name="pdf-open")
        task.signals.succeeded.connect(lambda doc: self._opened(generation, doc))
        task.signals.failed.connect(lambda ex: self._open_failed(generation, ex))
        self._start(task)

    def close_document(self, message: str = "") -> None:
        """Forget the current document (closed on the pdfium thread); the viewer shows ``message``."""
        for task in list(self._tasks):
            task.cancel()
        self._holder.close()
        self._document = None
        self._generation = next(self._generations)
        self.path = None
        self.page_count = 0
        self.page = 0
        self.error = None
        self._inflight = None
        self._cache.clear()
        self._shown = None
        self.page_view.clear()
        self.error_label.setVisible(False)
        self.error_detail.setVisible(False)
        self.page_spin.blockSignals(True)
        self.page_spin.setRange(0, 0)
        self.page_spin.blockSignals(False)
        self.message.setVisible(True)
        self._idle_message = message
        self._update_controls()

    def _start(self, task: Task) -> None:
        self._tasks.add(task)
        task.signals.finished.connect(lambda: self._tasks.discard(task))
        start(task, pdfium_pool())

    # --- finding text ---

    def find_text(self, text: str) -> None:
        """Go to the next page after the current one (wrapping round) whose text contains ``text``
        (ignoring case); ``found`` tells where, or 0 when no page has it."""
        document = self._document
        text = text.strip()
        if document is None or not text:
            return
        after, generation = self.page, self._generation
        self.find_result.setText(self.tr("Searching…"))
        task = Task(lambda _ctx: _find_text(document, text, after), name="pdf-find")
        task.signals.succeeded.connect(lambda page: self._found(generation, text, page))
        task.signals.failed.connect(lambda _ex: self._found(generation, text, None))
        self._start(task)

    def _found(self, generation: int, text: str, page: int | None) -> None:
        if generation != self._generation:
            return
        if page is None:
            self.find_result.setText(self.tr("Not found"))
        else:
            self.find_result.setText(self.tr("Page {page}").format(page=page))
            self.go_to_page(page)
        self.find_result.setAccessibleName(self.find_result.text())
        self.found.emit(text, page or 0)

    @property
    def busy(self) -> bool:
        return bool(self._tasks)

    def _opened(self, generation: int, document: _Document) -> None:
        if generation != self._generation:
            _submit_close(document)  # another document was asked for meanwhile
            return
        self._document = self._holder.document = document
        self.page_count = document.page_count
        self.message.setVisible(False)
        self.page_spin.blockSignals(True)
        self.page_spin.setRange(1, self.page_count)
        self.page_spin.blockSignals(False)
        self.loaded.emit(self.page_count)
        self.page = 0
        self.go_to_page(self._open_page)

    def _open_failed(self, generation: int, error: BaseException) -> None:
        if generation != self._generation:
            return
        self._show_error(error)

    def _show_error(self, error: BaseException) -> None:
        if not isinstance(error, PdfViewError):  # a bug, not the file's fault: say so, keep the detail
            error = PdfViewError(f"{type(error).__name__}: {error}", code="pdf.unreadable")
        first = self.error is None
        self.error = error
        name = self.path.name if self.path is not None else ""
        headlines = {
            "pdf.not_found": self.tr("{name} cannot be found or read.").format(name=name),
            "pdf.encrypted": self.tr("{name} is password-protected and cannot be shown.").format(name=name),
            "pdf.page_unreadable": self.tr("This page of {name} cannot be drawn: the PDF is damaged.").format(
                name=name),
        }
        self.error_label.setText(headlines.get(error.code, self.tr(
            "{name} cannot be shown: it is damaged or not a PDF.").format(name=name)))
        self.error_detail.setText(f"[{error.code}] {error.message}")
        self.error_label.setVisible(True)
        self.error_detail.setVisible(True)
        self.message.setVisible(False)
        self.page_view.clear()
        self.setAccessibleDescription(self.error_label.text())
        self._update_controls()
        if first:
            self.failed.emit(error)

    # --- navigation and zoom ---

    def go_to_page(self, page: int) -> None:
        if self._document is None or self.error is not None:
            return
        page = max(1, min(page, self.page_count))
        changed = page != self.page
        self.page = page
        self.page_spin.blockSignals(True)
        self.page_spin.setValue(page)
        self.page_spin.blockSignals(False)
        self._update_controls()
        self.scroll_area.verticalScrollBar().setValue(0)
        if changed:
            self.page_changed.emit(page)
        self._request_render()

    def next_page(self) -> None:
        self.go_to_page(self.page + 1)

    def previous_page(self) -> None:
        self.go_to_page(self.page - 1)

    def _spin_changed(self, value: int) -> None:
        if value >= 1:
            self.go_to_page(value)

    def set_zoom(self, zoom: float) -> None:
        """A fixed zoom (1.0 = real size); leaves fit-width mode."""
        self.fit_width = False
        self.zoom = max(ZOOM_STEPS[0], min(zoom, ZOOM_STEPS[-1]))
        self._update_controls()
        self._request_render()

    def zoom_in(self) -> None:
        if self._document is not None:
            self.set_zoom(next((z for z in ZOOM_STEPS if z > self.zoom + 1e-3), ZOOM_STEPS[-1]))

    def zoom_out(self) -> None:
        if self._document is not None:
            self.set_zoom(next((z for z in reversed(ZOOM_STEPS) if z < self.zoom - 1e-3), ZOOM_STEPS[0]))

    def set_fit_width(self) -> None:
        self.fit_width = True
        self._update_controls()
        self._request_render()

    # --- rendering ---

    def current_image(self) -> QImage | None:
        """The image of the page on screen (None while it is being drawn)."""
        shown = self._shown
        if shown is None or shown.request.index != self.page - 1:
            return None
        return shown.image

    def _wanted(self, index: int) -> _Request:
        dpr = self.devicePixelRatioF() or 1.0
        fit = max(50, int((self.scroll_area.viewport().width() - FIT_MARGIN) * dpr)) if self.fit_width else 0
        return _Request(index, 1.0 if fit else self.zoom, fit, dpr, float(self.logicalDpiX() or 96))

    def _request_render(self) -> None:
        if self._document is None or self.error is not None or self.page < 1:
            return
        request = self._wanted(self.page - 1)
        cached = self._cache.get(request)
        if cached is not None:
            self._cache.move_to_end(request)
            self._display(cached)
            self._prefetch()
            return
        if self._inflight is None:
            self._render_async(request)
        # else: _rendered() asks again for whatever is wanted by then (fast paging skips pages)

    def _prefetch(self) -> None:
        if self._inflight is None and self._document is not None and self.page < self.page_count:
            request = self._wanted(self.page)
            if request not in self._cache:
                self._render_async(request)

    def _render_async(self, request: _Request) -> None:
        document, generation = self._document, self._generation
        assert document is not None
        self._inflight = request

        def job(ctx: TaskContext) -> _Rendered | None:
            return None if ctx.cancelled() else _render(document, request)

        task = Task(job, name="pdf-render")
        task.signals.succeeded.connect(lambda result: self._rendered(generation, request, result))
        task.signals.failed.connect(lambda ex: self._render_failed(generation, request, ex))
        self._start(task)

    def _rendered(self, generation: int, request: _Request, result: _Rendered | None) -> None:
        # A render can finish after the viewer was closed and deleted (the lambda outlives the widget).
        if not shiboken6.isValid(self) or generation != self._generation:
            return
        self._inflight = None
        if result is not None:
            self._cache[request] = result
            self._trim_cache()
        self._request_render()

    def _render_failed(self, generation: int, request: _Request, error: BaseException) -> None:
        if not shiboken6.isValid(self) or generation != self._generation:
            return
        self._inflight = None
        if request.index == self.page - 1:
            self._show_error(error)

    def _trim_cache(self) -> None:
        total = sum(r.image.sizeInBytes() for r in self._cache.values())
        while self._cache and (len(self._cache) > CACHE_PAGES or total > CACHE_BYTES):
            _key, dropped = self._cache.popitem(last=False)
            total -= dropped.image.sizeInBytes()

    def _display(self, rendered: _Rendered) -> None:
        if self._shown is rendered:
            return
        self._shown = rendered
        if self.fit_width:
            self.zoom = rendered.zoom
        self.page_view.setPixmap(QPixmap.fromImage(rendered.image))
        self._update_controls()
        self.rendered.emit(rendered.request.index + 1)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.scroll_area.viewport() and isinstance(event, QResizeEvent) and self.fit_width \
                and event.oldSize().width() != event.size().width():
            self._resize_timer.start()
        return super().eventFilter(watched, event)


def _submit_close(document: _Document) -> None:
    start(Task(lambda _ctx: _close(document), name="pdf-close"), pdfium_pool())


class _Holder:
    """The viewer's open document, reachable from its ``destroyed`` slot without keeping the viewer alive."""

    def __init__(self) -> None:
        self.document: _Document | None = None

    def close(self, *_args: object) -> None:
        if self.document is not None:
            _submit_close(self.document)
            self.document = None


__all__ = ["PDFIUM_LOCK", "PdfViewError", "PdfViewer", "pdfium_pool"]
