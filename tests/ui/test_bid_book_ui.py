"""Issue 9: reorder attachments from the keyboard (the order is saved and binds the bid), and preview the
whole bid before sealing — contents, page seals, the riding seal, the two signature seals in place.
Real widgets offscreen, a real signed tender folder, the preview read back with pdftotext."""

from __future__ import annotations

import json
import re
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QApplication

from bidclient import bid_project as bp
from tests.bidclient.test_bid_project import make_pdf
from tests.ui.test_documents_page import page, project  # noqa: F401  (fixtures)
from ui import pdf_viewer
from ui.bidder.documents_page import DocumentsPage
from ui.bidder.seal_page import SealPage
from ui.context import AppContext


def technical_order(draft: bp.BidProject) -> list[str]:
    data = json.loads((draft.directory / bp.PROJECT_FILE).read_text("utf-8"))
    return [a["name"] for a in data["attachments"] if a["section"] == "technical"]


def test_attachments_are_reordered_from_the_keyboard_and_the_order_is_kept(
        qtbot: Any, page: DocumentsPage, project: bp.BidProject, tmp_path: Path) -> None:  # noqa: F811
    page.attach_files("technical", [make_pdf(tmp_path / "施工组织设计.pdf"), make_pdf(tmp_path / "质量保证措施.pdf")])
    assert technical_order(project) == ["施工组织设计.pdf", "质量保证措施.pdf"]
    page.select_attachment("technical/质量保证措施.pdf")
    page.tree.setFocus()
    qtbot.waitUntil(page.tree.hasFocus)
    qtbot.keyClick(page.tree, Qt.Key.Key_Up, Qt.KeyboardModifier.ControlModifier)
    assert technical_order(project) == ["质量保证措施.pdf", "施工组织设计.pdf"]
    current = page.tree.currentItem()
    assert current is not None and current.data(0, Qt.ItemDataRole.UserRole) == "technical/质量保证措施.pdf"
    qtbot.mouseClick(page.down_button, Qt.MouseButton.LeftButton)
    assert technical_order(project) == ["施工组织设计.pdf", "质量保证措施.pdf"]
    assert page.up_button.accessibleName() and page.down_button.accessibleName()


@pytest.fixture
def seal_page(qtbot: Any, project: bp.BidProject, tmp_path: Path) -> Iterator[SealPage]:  # noqa: F811
    context = AppContext(QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat))
    widget = SealPage(context)
    qtbot.addWidget(widget)
    widget.set_project(project)
    widget.show()
    yield widget
    if widget.preview_dialog is not None:
        widget.preview_dialog.close()
    widget.set_project(None)
    assert pdf_viewer.pdfium_pool().waitForDone(30_000)
    QApplication.processEvents()


def test_the_whole_bid_is_previewed_before_sealing(qtbot: Any, seal_page: SealPage,
                                                   project: bp.BidProject,  # noqa: F811
                                                   tmp_path: Path) -> None:
    project.attach("technical", make_pdf(tmp_path / "技术方案.pdf", pages=3, text="technical proposal"))
    project.save()
    assert seal_page.preview_button.isEnabled()  # no dongle needed to look
    qtbot.mouseClick(seal_page.preview_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: seal_page.preview_dialog is not None or seal_page.error_view.message is not None,
                    timeout=60_000)
    assert seal_page.error_view.message is None, seal_page.error_view.message
    dialog = seal_page.preview_dialog
    assert dialog is not None and dialog.isVisible()
    book = dialog.book
    qtbot.waitUntil(lambda: dialog.viewer.page == 1, timeout=30_000)
    assert dialog.viewer.path == book.path and book.path.name == "投标文件（预览）.pdf"
    assert f"{book.pages}" in dialog.heading.text()
    assert "王五" in dialog.summary.text()  # the legal representative's seal, by name
    text = re.sub(r"\s+", "", subprocess.run(["pdftotext", str(book.path), "-"], capture_output=True,
                                             text=True, check=True).stdout)
    assert "目录" in text and "技术方案" in text and "预览（未签章）" in text
    assert [e.title for e in book.entries] == ["投标函", "开标一览表", "技术方案"]
