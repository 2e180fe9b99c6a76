"""One page of the expert pool as a Qt table model. The pool may hold 100,000 experts: the model never holds
more than the page the server returned; sorting asks the server (``sort_requested``), which sorts the whole
pool, not the page."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractTableModel, QCoreApplication, QModelIndex, QPersistentModelIndex, Qt, Signal

from bidclient.protocol.experts import ExpertOut
from ui.expert_texts import status_text

# Column -> the server's sort key (None: not sortable on the server).
COLUMNS: list[tuple[str, str | None]] = [("name", "name"), ("identity", "identity"), ("employer", "employer"),
                                         ("specialties", None), ("region", "region"), ("title", "title"),
                                         ("status", "status")]


class PoolModel(QAbstractTableModel):
    sort_requested = Signal(str)  # "name", "-region", …

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.experts: list[ExpertOut] = []
        self.sort_key = "name"

    def headers(self) -> list[str]:
        return [QCoreApplication.translate("PoolModel", "Name"), QCoreApplication.translate("PoolModel", "Identity"),
                QCoreApplication.translate("PoolModel", "Employer"),
                QCoreApplication.translate("PoolModel", "Specialties"),
                QCoreApplication.translate("PoolModel", "Region"), QCoreApplication.translate("PoolModel", "Title"),
                QCoreApplication.translate("PoolModel", "Status")]

    def set_page(self, experts: list[ExpertOut]) -> None:
        self.beginResetModel()
        self.experts = list(experts)
        self.endResetModel()

    def replace(self, expert: ExpertOut) -> None:
        for row, e in enumerate(self.experts):
            if e.id == expert.id:
                self.experts[row] = expert.model_copy(update={"history": [], "relations": []})
                self.dataChanged.emit(self.index(row, 0), self.index(row, len(COLUMNS) - 1))

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.experts)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= len(self.experts):
            return None
        e = self.experts[index.row()]
        if role == Qt.ItemDataRole.UserRole:
            return e.id
        if role not in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return None
        key = COLUMNS[index.column()][0]
        if key == "employer":
            return f"{e.employer_name} ({e.employer_uscc})"
        if key == "specialties":
            return ", ".join(e.specialties)
        if key == "status":
            return status_text(e.status)
        return str(getattr(e, key))

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.headers()[section]
        return None

    def retranslate(self) -> None:
        self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, len(COLUMNS) - 1)
        if self.experts:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self.experts) - 1, len(COLUMNS) - 1))

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        key = COLUMNS[column][1] if 0 <= column < len(COLUMNS) else None
        if key is None:
            return  # the specialties are a list: the server does not sort by them
        wanted = key if order == Qt.SortOrder.AscendingOrder else f"-{key}"
        if wanted != self.sort_key:
            self.sort_key = wanted
            self.sort_requested.emit(wanted)
