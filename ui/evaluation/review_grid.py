"""The review grid (资格性/符合性审查): every bid × every review item, pass or fail; a fail needs its reason.

A fail without a reason is refused (nothing is saved; the reason box is focused and the line under the grid
says why); the verdict is emitted (``review_entered``) once it is complete, for the page to save through
the journal. No flow logic here.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHeaderView,
    QLineEdit,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from bidclient.protocol.evaluation_session import SessionOut
from ui.error_view import plain_label

VERDICT, REASON = 2, 3
UNDECIDED, PASS, FAIL = 0, 1, 2


class ReviewGrid(QWidget):
    review_entered = Signal(str, str, bool, str)  # bid, item, passed, reason

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.table = QTableWidget(0, 4, self)
        self.table.setObjectName("reviewTable")
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setSectionResizeMode(REASON, QHeaderView.ResizeMode.Stretch)
        self.table.verticalHeader().setVisible(False)  # the bid is the first column
        self.message = plain_label(self, name="reviewMessage")
        self.message.setStyleSheet("color: #b00020;")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.message)
        self.cells: list[tuple[str, str]] = []  # (bid, item) per row
        self.saved: dict[tuple[str, str], tuple[bool, str]] = {}
        self.verdicts: list[QComboBox] = []
        self.reasons: list[QLineEdit] = []
        self.names: dict[str, str] = {}
        self.retranslate()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def retranslate(self) -> None:
        self.table.setHorizontalHeaderLabels([self.tr("Bid"), self.tr("Review item"), self.tr("Verdict"),
                                              self.tr("Reason (required for a fail)")])
        self.table.setAccessibleName(self.tr("Review grid: every bid on every review item"))
        for row, combo in enumerate(self.verdicts):
            for index, text in enumerate((self.tr("— not judged —"), self.tr("Pass"), self.tr("Fail"))):
                combo.setItemText(index, text)
            bid, item = self.cells[row]
            combo.setAccessibleName(self.tr("Verdict on %1, %2").replace("%1", self.names.get(bid, bid))
                                    .replace("%2", self.names.get(item, item)))
            self.reasons[row].setAccessibleName(self.tr("Reason for failing %1 on %2")
                                                .replace("%1", self.names.get(bid, bid))
                                                .replace("%2", self.names.get(item, item)))

    def load(self, session: SessionOut, saved: dict[tuple[str, str], tuple[bool, str]], *, editable: bool) -> None:
        d = session.definition
        self.names = {b.id: b.name for b in d.bids} | {r.id: r.name for r in d.review_items}
        self.cells = [(b.id, r.id) for b in d.bids for r in d.review_items]
        self.saved = dict(saved)
        self.verdicts, self.reasons = [], []
        self.table.setRowCount(len(self.cells))
        for row, (bid, item) in enumerate(self.cells):
            for col, text in ((0, f"{self.names[bid]} ({bid})"), (1, self.names[item])):
                cell = QTableWidgetItem(text)
                self.table.setItem(row, col, cell)
            combo = QComboBox(self.table)
            combo.addItems(["", "", ""])
            reason = QLineEdit(self.table)
            reason.setMaxLength(2000)
            verdict = saved.get((bid, item))
            combo.setCurrentIndex(UNDECIDED if verdict is None else PASS if verdict[0] else FAIL)
            reason.setText(verdict[1] if verdict else "")
            combo.setEnabled(editable)
            reason.setEnabled(editable)
            combo.currentIndexChanged.connect(lambda _i, r=row: self._changed(r, from_verdict=True))
            reason.editingFinished.connect(lambda r=row: self._changed(r, from_verdict=False))
            self.table.setCellWidget(row, VERDICT, combo)
            self.table.setCellWidget(row, REASON, reason)
            self.verdicts.append(combo)
            self.reasons.append(reason)
        self.message.clear()
        self.retranslate()

    def row_of(self, bid: str, item: str) -> int:
        return self.cells.index((bid, item))

    def _changed(self, row: int, *, from_verdict: bool) -> None:
        bid, item = self.cells[row]
        choice = self.verdicts[row].currentIndex()
        reason = self.reasons[row].text().strip()
        if choice == UNDECIDED:
            return
        passed = choice == PASS
        if not passed and not reason:
            self.message.setText(self.tr("A fail of %1 on %2 needs its reason: type it in the reason box. "
                                         "Nothing was saved.").replace("%1", self.names.get(bid, bid))
                                 .replace("%2", self.names.get(item, item)))
            if from_verdict:
                self.reasons[row].setFocus()
            return
        if passed:
            reason = ""
        if self.saved.get((bid, item)) == (passed, reason):
            return
        self.message.clear()
        self.saved[(bid, item)] = (passed, reason)
        self.review_entered.emit(bid, item, passed, reason)
