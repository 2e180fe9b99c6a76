"""The in-app PDF reader (pypdfium2 on its own thread): real widgets, real PDFs made with reportlab,
broken and password-protected files; then the bidder's uses of it — reading a tender document and linking
a scoring criterion to the page shown."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication
from reportlab.lib.colors import black
from reportlab.pdfgen import canvas

from bidclient import bid_project as bp
from tests.bidclient.test_bid_project import tender_folder
from tests.ui.test_bidder_flow import big_pdf, workspace
from tests.ui.test_main_window import _unnamed_interactive
from ui.bidder.workspace import DOCUMENTS, TENDERS
from ui.main_window import MainWindow
from ui.pdf_viewer import PdfViewer

LEFT = Qt.MouseButton.LeftButton


def numbered_pdf(path: Path, pages: int = 3) -> Path:
    """Each page carries a big black block at a different height, so pages differ in their pixels."""
    pdf = canvas.Canvas(str(path))
    width, height = pdf._pagesize
    for n in range(pages):
        pdf.setFillColor(black)
        pdf.rect(72, height - 150 - n * 200, width - 144, 120, fill=1, stroke=0)
        pdf.setFont("Helvetica", 28)
        pdf.drawString(72, 60, f"page {n + 1}")
        pdf.showPage()
    pdf.save()
    return path


def dark_fraction(image: QImage, step: int = 3) -> float:
    """Share of sampled pixels that are dark (text and blocks), 0 for a blank page."""
    gray = image.convertToFormat(QImage.Format.Format_Grayscale8)
    dark = total = 0
    for y in range(0, gray.height(), step):
        for x in range(0, gray.width(), step):
            total += 1
            dark += gray.pixelColor(x, y).value() < 100
    return dark / max(total, 1)


def differing_pixels(a: QImage, b: QImage) -> int:
    assert a.size() == b.size()
    ga, gb = (i.convertToFormat(QImage.Format.Format_Grayscale8) for i in (a, b))
    return sum(ga.pixelColor(x, y).value() != gb.pixelColor(x, y).value()
               for y in range(0, ga.height(), 4) for x in range(0, ga.width(), 4))


@pytest.fixture
def viewer(qtbot: Any) -> PdfViewer:
    widget = PdfViewer()
    qtbot.addWidget(widget)
    widget.resize(700, 900)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def shown(qtbot: Any, viewer: PdfViewer, page: int) -> QImage:
    qtbot.waitUntil(lambda: viewer.page == page and viewer.current_image() is not None, timeout=20_000)
    image = viewer.current_image()
    assert image is not None
    return image


def test_pages_are_drawn_and_navigated_with_buttons_box_and_keys(qtbot: Any, viewer: PdfViewer,
                                                                  tmp_path: Path) -> None:
    with qtbot.waitSignal(viewer.loaded, timeout=20_000) as loaded:
        viewer.open(numbered_pdf(tmp_path / "three.pdf"))
    assert loaded.args == [3]
    first = shown(qtbot, viewer, 1)
    assert viewer.page_label.text() == "Page 1 of 3"
    assert 0.02 < dark_fraction(first) < 0.6  # something was drawn, and not a black square
    assert not viewer.prev_button.isEnabled() and viewer.next_button.isEnabled()

    qtbot.mouseClick(viewer.next_button, LEFT)
    second = shown(qtbot, viewer, 2)
    assert viewer.page_label.text() == "Page 2 of 3"
    assert differing_pixels(first, second) > 100  # the block moved down: another page, not a repaint

    viewer.page_spin.lineEdit().selectAll()
    qtbot.keyClicks(viewer.page_spin, "3")
    qtbot.keyClick(viewer.page_spin, Qt.Key.Key_Return)
    third = shown(qtbot, viewer, 3)
    assert not viewer.next_button.isEnabled()
    assert differing_pixels(second, third) > 100

    viewer.activateWindow()
    viewer.scroll_area.setFocus()
    qtbot.keyClick(viewer.scroll_area, Qt.Key.Key_PageUp)
    again = shown(qtbot, viewer, 2)
    assert differing_pixels(again, second) == 0  # the same page looks the same (from the cache or not)
    qtbot.keyClick(viewer.scroll_area, Qt.Key.Key_PageDown)
    shown(qtbot, viewer, 3)
    qtbot.keyClick(viewer.scroll_area, Qt.Key.Key_PageDown)  # past the end: stays on the last page
    assert viewer.page == 3


def test_zoom_fit_width_and_keyboard_zoom(qtbot: Any, viewer: PdfViewer, tmp_path: Path) -> None:
    viewer.open(numbered_pdf(tmp_path / "z.pdf", pages=2))
    fitted = shown(qtbot, viewer, 1)
    viewport = viewer.scroll_area.viewport().width()
    dpr = fitted.devicePixelRatio()
    assert viewport - 40 <= fitted.width() / dpr <= viewport  # fit width: as wide as the viewer
    assert viewer.fit_button.isChecked()

    before = viewer.zoom
    qtbot.mouseClick(viewer.zoom_in_button, LEFT)
    qtbot.waitUntil(lambda: (img := viewer.current_image()) is not None and img.width() > fitted.width(),
                    timeout=20_000)
    assert viewer.zoom > before and not viewer.fit_button.isChecked()
    assert viewer.zoom_label.text() == f"{round(viewer.zoom * 100)}%"
    qtbot.mouseClick(viewer.zoom_in_button, LEFT)
    qtbot.waitUntil(lambda: viewer.scroll_area.horizontalScrollBar().maximum() > 0, timeout=20_000)  # wider now
    bigger = viewer.current_image()
    assert bigger is not None

    viewer.activateWindow()
    viewer.scroll_area.setFocus()
    qtbot.keyClick(viewer.scroll_area, Qt.Key.Key_Minus, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(viewer.scroll_area, Qt.Key.Key_Minus, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: (img := viewer.current_image()) is not None and img.width() < bigger.width(),
                    timeout=20_000)
    qtbot.keyClick(viewer.scroll_area, Qt.Key.Key_Equal, Qt.KeyboardModifier.ControlModifier)  # Ctrl+= as Ctrl++
    smaller = viewer.zoom
    qtbot.keyClick(viewer.scroll_area, Qt.Key.Key_Minus, Qt.KeyboardModifier.ControlModifier)
    assert viewer.zoom < smaller

    qtbot.mouseClick(viewer.fit_button, LEFT)
    qtbot.waitUntil(lambda: (img := viewer.current_image()) is not None and img.width() == fitted.width(),
                    timeout=20_000)
    assert viewer.fit_button.isChecked()

    viewer.resize(500, 900)  # fit width follows the viewer's width
    qtbot.waitUntil(lambda: (img := viewer.current_image()) is not None and img.width() < fitted.width(),
                    timeout=20_000)


def _encrypted(path: Path) -> Path:
    pdf = canvas.Canvas(str(path), encrypt="secret")
    pdf.drawString(72, 720, "confidential")
    pdf.save()
    return path


def _truncated(path: Path) -> Path:
    data = numbered_pdf(path.with_suffix(".full.pdf")).read_bytes()
    path.write_bytes(data[: len(data) // 3])
    return path


@pytest.mark.parametrize(("make", "expected"), [
    (_truncated, "cannot be shown: it is damaged or not a PDF"),
    (lambda p: (p.write_bytes(b"MZ\x90\x00 this is a program, not a document" * 50), p)[1],
     "cannot be shown: it is damaged or not a PDF"),
    (lambda p: (p.write_bytes(b""), p)[1], "cannot be shown: it is damaged or not a PDF"),
    (_encrypted, "is password-protected and cannot be shown"),
    (lambda p: p, "cannot be found or read"),  # never written
], ids=["truncated", "not-a-pdf", "empty", "encrypted", "missing"])
def test_a_broken_pdf_shows_a_clear_error_in_the_viewer(qtbot: Any, viewer: PdfViewer, tmp_path: Path,
                                                        make: Any, expected: str) -> None:
    path = make(tmp_path / "bad.pdf")
    with qtbot.waitSignal(viewer.failed, timeout=20_000) as failed:
        viewer.open(path)
    assert failed.args[0].code.startswith("pdf.")
    assert viewer.error_label.isVisible()
    assert viewer.error_label.text() == f"bad.pdf {expected}."
    assert viewer.error_detail.text().startswith(f"[{failed.args[0].code}]")
    assert viewer.current_image() is None
    assert not viewer.next_button.isEnabled() and not viewer.zoom_in_button.isEnabled()

    viewer.open(numbered_pdf(tmp_path / "good.pdf", pages=1))  # the viewer recovers with the next file
    shown(qtbot, viewer, 1)
    assert not viewer.error_label.isVisible() and viewer.page_label.text() == "Page 1 of 1"


def test_every_control_has_an_accessible_name_and_a_chinese_text(qtbot: Any, viewer: PdfViewer, tmp_path: Path,
                                                                 settings: QSettings,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BIDCLIENT_LANG", "en")  # the language switch sets it; restored after the test
    viewer.open(numbered_pdf(tmp_path / "a.pdf", pages=2))
    shown(qtbot, viewer, 1)
    assert _unnamed_interactive(viewer) == []
    assert viewer.page_view.accessibleDescription() == "Page 1 of 2"

    from ui.languages import LanguageManager

    languages = LanguageManager(settings)
    languages.set_language("zh_CN")
    try:
        assert viewer.prev_button.text() == "上一页" and viewer.next_button.text() == "下一页"
        assert viewer.page_label.text() == "第 1 页，共 2 页"
        assert viewer.fit_button.text() == "适合宽度"
        assert _unnamed_interactive(viewer) == []
    finally:
        languages.set_language("en")


def test_opening_another_file_while_one_loads_shows_only_the_last(qtbot: Any, viewer: PdfViewer,
                                                                  tmp_path: Path) -> None:
    one = numbered_pdf(tmp_path / "one.pdf", pages=5)
    two = numbered_pdf(tmp_path / "two.pdf", pages=2)
    viewer.open(one)
    viewer.open(two)
    shown(qtbot, viewer, 1)
    assert viewer.path == two and viewer.page_count == 2
    qtbot.waitUntil(lambda: not viewer.busy, timeout=20_000)
    from ui import pdf_viewer

    # Only the viewer's document stays open: the first one was closed on the pdfium thread.
    qtbot.waitUntil(lambda: pdf_viewer.pdfium_pool().activeThreadCount() == 0, timeout=20_000)
    assert [d.path for d in pdf_viewer._open_documents.values() if d is viewer._document] == [two]
    assert one not in [d.path for d in pdf_viewer._open_documents.values()]


# --- in the bidder workspace ------------------------------------------------------------------------


def offline_project(tmp_path: Path, pki: Any) -> bp.BidProject:
    draft = tmp_path / "bids" / "ZB-2026-007"
    return bp.create_project(draft, tender_folder(draft, pki), bidder_name="示例建设工程有限公司")


def test_a_tender_document_opens_in_the_app(qtbot: Any, window: MainWindow, pki: Any, tmp_path: Path) -> None:
    ws = workspace(window)
    ws.set_project(offline_project(tmp_path, pki))
    ws.tabs.setCurrentIndex(TENDERS)
    browser = ws.browser
    assert browser.documents.count() == 1 and not browser.viewer.isVisible()
    qtbot.mouseClick(browser.open_button, LEFT)
    assert browser.viewer.isVisible()
    image = shown(qtbot, browser.viewer, 1)
    assert browser.viewer.path is not None and browser.viewer.path.name == "招标文件.pdf"
    assert browser.viewer.page_label.text() == "Page 1 of 1" and dark_fraction(image, step=1) > 0
    assert browser.system_button.isEnabled() and browser.system_button.accessibleName()
    assert _unnamed_interactive(window) == []


def test_link_a_criterion_to_the_page_shown_in_the_viewer(qtbot: Any, window: MainWindow, pki: Any,
                                                         tmp_path: Path, settings: QSettings) -> None:
    ws = workspace(window)
    ws.set_project(offline_project(tmp_path, pki))
    ws.tabs.setCurrentIndex(DOCUMENTS)
    page = ws.documents
    page.attach_files("technical", [big_pdf(tmp_path / "技术方案.pdf", pages=3)])
    linked_before, total = ws.project.coverage().ratio  # type: ignore[union-attr]
    page.select_criterion("tech")
    page.select_file("technical/技术方案.pdf")
    viewer = page.viewer
    first = shown(qtbot, viewer, 1)
    assert viewer.path == ws.project.directory / bp.ATTACHMENTS_DIR / "technical" / "技术方案.pdf"  # type: ignore[union-attr]
    qtbot.mouseClick(viewer.next_button, LEFT)
    qtbot.mouseClick(viewer.next_button, LEFT)
    assert differing_pixels(first, shown(qtbot, viewer, 3)) > 0
    assert page.link_page_button.isEnabled()
    qtbot.mouseClick(page.link_page_button, LEFT)

    assert ws.project is not None and ws.project.links["tech"] == bp.CriterionLink("tech", "technical/技术方案.pdf", 3)
    assert page.coverage_label.text() == f"{linked_before + 1} of {total} scoring criteria linked"
    assert bp.open_project(ws.project.directory).links["tech"].page == 3  # saved
    row = next(r for r in range(page.criteria.rowCount()) if page.criteria.item(r, 0).data(
        Qt.ItemDataRole.UserRole) == "tech")
    assert page.criteria.item(row, 3).text() == "3"

    # Choosing a linked criterion shows its page, so the bidder can check the link.
    viewer.go_to_page(1)
    shown(qtbot, viewer, 1)
    page.select_criterion("tech")
    shown(qtbot, viewer, 3)

    # A form is drawn from what is typed, so it can be read (and linked) before sealing.
    page.select_file(bp.FORM_FILES["bid_letter"])
    shown(qtbot, viewer, 1)
    assert viewer.path is not None and viewer.path.name == "投标函（预览）.pdf" and page.preview_note.isVisible()
    assert page.link_page_button.isEnabled()
    assert _unnamed_interactive(window) == []

    page.select_file("technical/技术方案.pdf")
    shown(qtbot, viewer, 1)
    folder = Path(os.environ.get("BIDCLIENT_SCREENSHOTS_DIR") or (tmp_path / "screenshots"))
    folder.mkdir(parents=True, exist_ok=True)
    window.languages.set_language("zh_CN")
    try:
        assert page.link_page_button.text() == "链接到此页"
        assert page.link_page_button.isEnabled()  # the criterion stays selected across the language switch
        assert viewer.page == 1 and viewer.page_label.text() == "第 1 页，共 3 页"
        QApplication.processEvents()
        path = folder / "bidder-viewer.png"
        assert window.grab().save(str(path))
        assert path.stat().st_size > 5000
    finally:
        window.languages.set_language("en")


def test_a_page_drawn_after_its_viewer_was_closed_is_dropped_quietly(qtbot: Any, tmp_path: Path) -> None:
    """Closing a document tab while a page is still being drawn: the drawing finishes on the pdfium thread
    after the viewer is gone, and must be dropped without an error (it raised 'already deleted')."""
    import threading

    import shiboken6
    from PySide6.QtCore import QCoreApplication, QEvent

    from ui.pdf_viewer import pdfium_pool

    widget = PdfViewer()
    widget.resize(700, 900)
    widget.show()
    qtbot.waitExposed(widget)
    with qtbot.waitSignal(widget.loaded, timeout=20_000):
        widget.open(numbered_pdf(tmp_path / "three.pdf"))
    shown(qtbot, widget, 1)
    qtbot.waitUntil(lambda: not widget.busy, timeout=20_000)  # the next page's prefetch is done too
    gate = threading.Event()
    pdfium_pool().start(lambda: gate.wait(30))  # the pdfium thread is busy: the next drawing waits behind it
    try:
        widget.set_zoom(widget.zoom * 2)  # a page not drawn yet at this size
        assert widget.busy
        task = next(iter(widget._tasks))
        widget.close()
        widget.deleteLater()
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
        assert not shiboken6.isValid(widget)
    finally:
        gate.set()
    with qtbot.waitSignal(task.signals.finished, timeout=20_000):
        pass  # pytest-qt fails the test if the slot of the finished drawing raises


def test_no_system_viewer_is_said_and_a_copy_can_be_saved(qtbot: Any, window: MainWindow, pki: Any, tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    # A computer with no program to hand PDFs to (no xdg-open): the click used to do nothing at all.
    empty = tmp_path / "no-launchers"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    ws = workspace(window)
    ws.set_project(offline_project(tmp_path, pki))
    ws.tabs.setCurrentIndex(TENDERS)
    browser = ws.browser
    browser.documents.setCurrentRow(0)
    qtbot.mouseClick(browser.system_button, LEFT)
    assert browser.external_problem.isVisible() and "招标文件.pdf" in browser.external_problem.text()
    assert browser.save_copy_button.isVisible() and browser.save_copy_button.accessibleName()
    copy = tmp_path / "copies" / "招标文件.pdf"
    copy.parent.mkdir()
    browser.save_copy(copy)
    assert copy.read_bytes() == Path(str(browser.documents.item(0).data(Qt.ItemDataRole.UserRole))).read_bytes()
    assert str(copy) in browser.external_problem.text() and not browser.save_copy_button.isVisible()
