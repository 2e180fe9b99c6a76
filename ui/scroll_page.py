"""A workspace page in a scroll area, so that no page makes the window larger than a small screen (1366×768):
the main window stacks every workspace, and its minimum size is the largest page's."""

from __future__ import annotations

from PySide6.QtWidgets import QFrame, QScrollArea, QWidget


def in_scroll_area(page: QWidget, parent: QWidget | None = None) -> QScrollArea:
    """``page`` inside a frameless, resizable scroll area (named after the page, for tests and screen readers)."""
    area = QScrollArea(parent)
    area.setObjectName(page.objectName() + "Scroll")
    area.setWidgetResizable(True)
    area.setFrameShape(QFrame.Shape.NoFrame)
    area.setWidget(page)
    return area
