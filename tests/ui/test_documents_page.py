"""Documents and links (issue 9, point 9): the bid letter and price schedule can be previewed before
sealing and linked to by page; choosing the price criterion shows the price schedule, never the file
shown before. Real widgets offscreen, a real signed tender folder, PDFs read back with pdftotext."""

from __future__ import annotations

import re
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from bidclient import bid_project as bp
from tests.bidclient.test_bid_project import fill, make_pdf, tender_folder
from ui import pdf_viewer
from ui.bidder.documents_page import DocumentsPage

LEFT = Qt.MouseButton.LeftButton


@pytest.fixture
def project(tmp_path: Path, pki: Any) -> bp.BidProject:
    draft = tmp_path / "draft"
    project = bp.create_project(draft, tender_folder(draft, pki), bidder_name="示例建设工程有限公司")
    fill(project)
    return project


@pytest.fixture
def page(qtbot: Any, project: bp.BidProject) -> Iterator[DocumentsPage]:
    widget = DocumentsPage()
    qtbot.addWidget(widget)
    widget.resize(1300, 760)
    widget.set_project(project)
    widget.show()
    qtbot.waitExposed(widget)
    yield widget
    # Until Qt deletes it, the page still hears a later test's language switch and would open a new
    # preview: leave it with no project, and let the pdfium thread's replies arrive while it exists.
    widget.set_project(None)
    assert pdf_viewer.pdfium_pool().waitForDone(30_000)
    qtbot.waitUntil(lambda: not widget.viewer.busy, timeout=30_000)
    QApplication.processEvents()


def shown_text(page: DocumentsPage) -> str:
    assert page.viewer.path is not None
    out = subprocess.run(["pdftotext", str(page.viewer.path), "-"], check=True, capture_output=True, text=True)
    return re.sub(r"\s+", "", out.stdout)


def test_the_bid_letter_is_previewed_and_can_be_linked_by_page(qtbot: Any, page: DocumentsPage,
                                                               project: bp.BidProject) -> None:
    page.select_criterion("tech")
    page.select_file(bp.FORM_FILES["bid_letter"])
    qtbot.waitUntil(lambda: page.viewer.page == 1, timeout=30_000)
    text = shown_text(page)
    assert "投标函" in text and "示例建设工程有限公司" in text and "壹佰贰拾捌万元整" in text
    assert "预览：盖章位置" in text  # where the seal goes, outlined
    assert page.preview_note.isVisible()
    assert page.link_page_button.isEnabled()
    qtbot.mouseClick(page.link_page_button, LEFT)
    assert project.links["tech"] == bp.CriterionLink("tech", bp.FORM_FILES["bid_letter"], 1)
    row = [page.criteria.item(r, 0).text() for r in range(page.criteria.rowCount())].index("技术方案")
    assert page.criteria.item(row, 2).text() == "Bid letter (signed form)"  # not the internal forms/ path
    # An edit of the forms shows in the next preview.
    project.bid_letter["quality"] = "优良"
    page.refresh()
    qtbot.waitUntil(lambda: page.viewer.page == 1 and "优良" in shown_text(page), timeout=30_000)


def test_choosing_the_price_criterion_shows_the_price_schedule(qtbot: Any, page: DocumentsPage,
                                                              project: bp.BidProject, tmp_path: Path) -> None:
    page.attach_files("technical", [make_pdf(tmp_path / "技术方案.pdf", pages=3, text="technical proposal")])
    page.select_criterion("tech")
    page.select_file("technical/技术方案.pdf")
    qtbot.waitUntil(lambda: page.viewer.page == 1, timeout=30_000)
    assert "technicalproposal" in shown_text(page)
    assert page.file_combo.currentText() == "Technical documents/技术方案.pdf (3)"  # no internal folder name
    page.select_criterion("price")
    qtbot.waitUntil(lambda: page.viewer.page == 1 and "开标一览表" in shown_text(page), timeout=30_000)
    assert page.file_combo.currentData() == bp.FORM_FILES["price_schedule"]
    assert "1,280,000.00" in shown_text(page)
    qtbot.mouseClick(page.link_page_button, LEFT)  # what is shown is what gets linked
    assert project.links["price"] == bp.CriterionLink("price", bp.FORM_FILES["price_schedule"], 1)


def test_attached_file_names_are_not_cut(qtbot: Any, page: DocumentsPage, tmp_path: Path) -> None:
    page.attach_files("technical", [make_pdf(tmp_path / "技术方案及售后服务承诺.pdf", pages=3)])
    top = page.tree.topLevelItem(2)
    item = top.child(0)
    needed = page.tree.fontMetrics().horizontalAdvance(item.text(0)) + page.tree.indentation() * 2
    assert page.tree.columnWidth(0) >= needed
