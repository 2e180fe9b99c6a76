"""The bidder's pages at a 1366×768 laptop's size (issue 9, layout): the scoring criteria tables show
their rows instead of one and a half."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtWidgets import QApplication, QTableWidget

from tests.ui.test_pdf_viewer import offline_project, workspace
from ui.bidder.workspace import DOCUMENTS, TENDERS
from ui.main_window import MainWindow


def rows_shown(table: QTableWidget) -> float:
    return table.viewport().height() / table.verticalHeader().defaultSectionSize()


def test_the_criteria_tables_show_every_criterion_on_a_laptop_screen(qtbot: Any, window: MainWindow, pki: Any,
                                                                     tmp_path: Path) -> None:
    window.resize(1366, 768)
    ws = workspace(window)
    ws.set_project(offline_project(tmp_path, pki))
    ws.tabs.setCurrentIndex(TENDERS)
    QApplication.processEvents()
    assert ws.browser.criteria.rowCount() == 4
    assert rows_shown(ws.browser.criteria) >= 4
    ws.tabs.setCurrentIndex(DOCUMENTS)
    QApplication.processEvents()
    assert ws.documents.criteria.rowCount() == 4
    assert rows_shown(ws.documents.criteria) >= 4

