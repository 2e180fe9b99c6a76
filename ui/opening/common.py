"""Small shared pieces of the Opening workspace's pages."""

from __future__ import annotations

from typing import TypeVar

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableWidget, QTableWidgetItem, QWidget

from bidclient.opening_host import parse_time
from bidclient.timefmt import format_time

W = TypeVar("W", bound=QWidget)


def named(widget: W, name: str) -> W:
    """Give ``widget`` an object name (tests, screenshots); the accessible name is set on retranslate."""
    widget.setObjectName(name)
    return widget


def shown_time(value: str | None) -> str:
    """A server time in the tender's zone (China Standard Time by default), with the zone named."""
    parsed = parse_time(value)
    return format_time(parsed, seconds=True) if parsed is not None else "—"


def read_only_table(columns: int, parent: QWidget, name: str) -> QTableWidget:
    table = QTableWidget(0, columns, parent)
    table.setObjectName(name)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.verticalHeader().setVisible(False)
    table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    table.horizontalHeader().setStretchLastSection(True)
    return table


def fill_row(table: QTableWidget, row: int, texts: list[str], *, background: str | None = None,
             data: object = None) -> None:
    """One row of plain-text cells (server text is never interpreted)."""
    from PySide6.QtGui import QBrush, QColor

    for column, text in enumerate(texts):
        item = QTableWidgetItem(text)
        item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable)
        if background:
            item.setBackground(QBrush(QColor(background)))
            item.setForeground(QBrush(QColor("#000000")))
        if column == 0 and data is not None:
            item.setData(Qt.ItemDataRole.UserRole, data)
        table.setItem(row, column, item)


def table_texts(table: QTableWidget) -> list[list[str]]:
    def text(r: int, c: int) -> str:
        item = table.item(r, c)
        return item.text() if item is not None else ""

    return [[text(r, c) for c in range(table.columnCount())] for r in range(table.rowCount())]
