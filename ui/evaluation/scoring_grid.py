"""The scoring grid (详细评审): one row per bid still in, one column per criterion with its range.

A score is checked as it is typed: a key that would make it not a number, give it more than two decimals
or take it above the criterion's maximum is refused on the spot, and the line under the grid says why.
Tab and Enter commit the cell and move to the next one to score (computed cells are skipped); Shift+Tab
goes back. Computed criteria (the price score) are read-only and show their calculation. The grid holds no
flow logic: a committed value is emitted (``score_entered``) for the page to save through the journal.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from PySide6.QtCore import QCoreApplication, QEvent, QModelIndex, QObject, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QKeyEvent, QValidator
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemDelegate,
    QAbstractItemView,
    QHeaderView,
    QLineEdit,
    QPushButton,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from bidclient.evaluation.desk import ComputedCell
from bidclient.protocol.evaluation_session import CriterionDef, ScoreError, SessionOut, format_score, parse_score
from ui.error_view import plain_label

_TYPING = re.compile(r"^[0-9]{0,4}(\.[0-9]{0,2})?$")
BID_ROLE = Qt.ItemDataRole.UserRole
CRITERION_ROLE = Qt.ItemDataRole.UserRole + 1


class ScoreValidator(QValidator):
    """Accepts, key by key, only what can still become a score within the criterion's range."""

    refused = Signal(str)  # the text that was refused

    def __init__(self, criterion: CriterionDef, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.criterion = criterion

    def validate(self, text: str, pos: int) -> QValidator.State:
        if text == "":
            return QValidator.State.Intermediate
        if not _TYPING.match(text):
            self.refused.emit(text)
            return QValidator.State.Invalid
        try:
            value = Decimal(text.rstrip(".") or "0")
        except InvalidOperation:  # cannot happen after the pattern
            self.refused.emit(text)
            return QValidator.State.Invalid
        if value > self.criterion.max:
            self.refused.emit(text)
            return QValidator.State.Invalid
        if text.endswith(".") or value < self.criterion.min:
            return QValidator.State.Intermediate
        return QValidator.State.Acceptable


class _ScoreDelegate(QStyledItemDelegate):
    def __init__(self, grid: ScoringGrid) -> None:
        super().__init__(grid)
        self.grid = grid

    def createEditor(self, parent: QWidget, option: QStyleOptionViewItem,
                     index: QModelIndex | QPersistentModelIndex) -> QWidget:
        criterion = self.grid.criterion_at(index.column())
        editor = QLineEdit(parent)
        editor.setObjectName("scoreEditor")
        validator = ScoreValidator(criterion, editor)
        validator.refused.connect(lambda text, c=criterion: self.grid.refuse_typed(text, c))
        editor.setValidator(validator)
        name = QCoreApplication.translate("ScoringGrid", "Score for %1 (%2 to %3)")
        editor.setAccessibleName(name.replace("%1", criterion.name).replace("%2", str(criterion.min))
                                 .replace("%3", str(criterion.max)))
        editor.installEventFilter(self)
        return editor

    def setEditorData(self, editor: QWidget, index: QModelIndex | QPersistentModelIndex) -> None:
        assert isinstance(editor, QLineEdit)
        editor.setText(str(index.data(Qt.ItemDataRole.EditRole) or ""))
        editor.selectAll()

    def setModelData(self, editor: QWidget, model: object, index: QModelIndex | QPersistentModelIndex) -> None:
        assert isinstance(editor, QLineEdit)
        self.grid.commit_typed(index.row(), index.column(), editor.text())

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if isinstance(watched, QLineEdit) and event.type() == QEvent.Type.KeyPress:
            assert isinstance(event, QKeyEvent)
            if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                self.commitData.emit(watched)
                self.closeEditor.emit(watched, QAbstractItemDelegate.EndEditHint.EditNextItem)
                return True
        return super().eventFilter(watched, event)


class ScoringTable(QTableWidget):
    """Tab, Shift+Tab and Enter skip the cells that cannot be scored (computed ones)."""

    def moveCursor(self, action: QAbstractItemView.CursorAction,
                   modifiers: Qt.KeyboardModifier) -> QModelIndex:
        index = super().moveCursor(action, modifiers)
        if action not in (QAbstractItemView.CursorAction.MoveNext, QAbstractItemView.CursorAction.MovePrevious):
            return index
        rows, cols = self.rowCount(), self.columnCount()
        if not rows or not cols:
            return index
        current = self.currentIndex()
        position = current.row() * cols + current.column() if current.isValid() else -1
        step = 1 if action is QAbstractItemView.CursorAction.MoveNext else -1
        for _ in range(rows * cols):
            position = (position + step) % (rows * cols)
            item = self.item(position // cols, position % cols)
            if item is not None and item.flags() & Qt.ItemFlag.ItemIsEditable:
                return self.model().index(position // cols, position % cols)
        return index


class ScoringGrid(QWidget):
    score_entered = Signal(str, str, str, str)  # bid, criterion, value, comment
    submit_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.table = ScoringTable(self)
        self.table.setObjectName("scoringTable")
        self.table.setItemDelegate(_ScoreDelegate(self))
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.AnyKeyPressed
                                   | QAbstractItemView.EditTrigger.DoubleClicked
                                   | QAbstractItemView.EditTrigger.EditKeyPressed
                                   | QAbstractItemView.EditTrigger.CurrentChanged)
        self.table.setTabKeyNavigation(True)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.table.currentCellChanged.connect(self._current_changed)
        self.corner = self.table.findChild(QAbstractButton, "qt_tableview_cornerbutton")  # selects every cell
        if self.corner is not None:
            self.corner.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
        self.comment = QLineEdit(self)
        self.comment.setObjectName("scoreComment")
        self.comment.editingFinished.connect(self._comment_done)
        self.message = plain_label(self, name="scoringMessage")
        self.calculation = plain_label(self, name="scoringCalculation")
        self.calculation.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.submit_button = QPushButton(self)
        self.submit_button.setObjectName("submitSheet")
        self.submit_button.clicked.connect(self.submit_requested)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.message)
        layout.addWidget(self.comment)
        layout.addWidget(self.calculation)
        layout.addWidget(self.submit_button)
        self.criteria: list[CriterionDef] = []
        self.bids: list[tuple[str, str]] = []  # (id, name), the bids still in
        self.values: dict[tuple[str, str], str] = {}
        self.comments: dict[tuple[str, str], str] = {}
        self.computed: dict[tuple[str, str], ComputedCell] = {}
        self.editable = False
        self.retranslate()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def retranslate(self) -> None:
        self.table.setAccessibleName(self.tr("Scoring grid: bids by criterion"))
        if self.corner is not None:
            self.corner.setAccessibleName(self.tr("Select every score"))
        self.comment.setPlaceholderText(self.tr("Comment on the selected score (optional)"))
        self.comment.setAccessibleName(self.tr("Comment on the selected score"))
        self.message.setAccessibleName(self.tr("Scoring message"))
        self._current_changed(self.table.currentRow(), self.table.currentColumn())
        self.submit_button.setText(self.tr("Sign and submit my sheet…"))
        self.submit_button.setAccessibleName(self.tr("Sign my score sheet with my dongle and submit it"))
        self._headers()

    def _headers(self) -> None:
        labels = []
        for c in self.criteria:
            if c.kind == "computed":
                labels.append(self.tr("%1\n(computed)").replace("%1", c.name))
            else:
                labels.append(f"{c.name}\n{c.min}–{c.max}")
        self.table.setHorizontalHeaderLabels(labels)
        self.table.setVerticalHeaderLabels([f"{name} ({bid})" for bid, name in self.bids])

    def criterion_at(self, column: int) -> CriterionDef:
        return self.criteria[column]

    def load(self, session: SessionOut, values: dict[tuple[str, str], tuple[str, str]],
             computed: dict[tuple[str, str], ComputedCell], *, editable: bool) -> None:
        """Show ``session``'s grid: ``values`` (bid, criterion) -> (value, comment) from the journal."""
        self.criteria = list(session.definition.criteria)
        self.bids = [(b.id, b.name) for b in session.definition.bids if b.id not in session.excluded_bids]
        self.values = {k: v for k, (v, _c) in values.items()}
        self.comments = {k: c for k, (_v, c) in values.items()}
        self.computed = computed
        self.editable = editable
        self.table.blockSignals(True)
        self.table.clear()
        self.table.setRowCount(len(self.bids))
        self.table.setColumnCount(len(self.criteria))
        for row, (bid, _name) in enumerate(self.bids):
            for col, c in enumerate(self.criteria):
                item = QTableWidgetItem()
                item.setData(BID_ROLE, bid)
                item.setData(CRITERION_ROLE, c.id)
                item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
                flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
                if c.kind == "computed":
                    cell = computed.get((bid, c.id))
                    item.setText(cell.value if cell else "—")
                    item.setToolTip(cell.calculation if cell else self.tr("Computed by the rules"))
                    item.setBackground(QBrush(QColor("#eeeeee")))
                else:
                    item.setText(self.values.get((bid, c.id), ""))
                    if editable:
                        flags |= Qt.ItemFlag.ItemIsEditable
                item.setFlags(flags)
                self.table.setItem(row, col, item)
        self.table.blockSignals(False)
        self._headers()
        self.comment.setEnabled(editable)
        self.submit_button.setVisible(editable)
        self.message.clear()

    def mark_problems(self, problems: dict[tuple[str, str], str]) -> None:
        """Mark the cells whose latest edit the server did not apply, with its answer as the tooltip."""
        for row, (bid, _name) in enumerate(self.bids):
            for col, c in enumerate(self.criteria):
                why = problems.get((bid, c.id))
                item = self.table.item(row, col)
                if why is None or item is None:
                    continue
                item.setBackground(QBrush(QColor("#ffcdd2")))
                item.setToolTip(self.tr("Not applied by the server: %1").replace("%1", why))

    def cell_text(self, bid: str, criterion: str) -> str:
        for row, (b, _n) in enumerate(self.bids):
            for col, c in enumerate(self.criteria):
                if b == bid and c.id == criterion:
                    item = self.table.item(row, col)
                    return item.text() if item else ""
        return ""

    def refuse_typed(self, text: str, criterion: CriterionDef) -> None:
        self.message.setText(self.tr("Refused “%1”: a score for %2 is a number from %3 to %4 with at most two "
                                     "decimals.").replace("%1", text[:20]).replace("%2", criterion.name)
                             .replace("%3", str(criterion.min)).replace("%4", str(criterion.max)))

    def commit_typed(self, row: int, column: int, text: str) -> None:
        bid, criterion = self.bids[row][0], self.criteria[column]
        text = text.strip()
        if not text or text == self.values.get((bid, criterion.id), ""):
            return
        try:
            value = format_score(parse_score(text, criterion))
        except ScoreError:
            self.refuse_typed(text, criterion)
            return
        self.message.clear()
        self.values[(bid, criterion.id)] = value
        item = self.table.item(row, column)
        if item is not None:
            item.setText(value)
        self.score_entered.emit(bid, criterion.id, value, self.comments.get((bid, criterion.id), ""))

    def _current_changed(self, row: int, column: int, _prev_row: int = -1, _prev_col: int = -1) -> None:
        if not (0 <= row < len(self.bids) and 0 <= column < len(self.criteria)):
            self.calculation.clear()
            return
        bid, criterion = self.bids[row][0], self.criteria[column]
        key = (bid, criterion.id)
        self.comment.blockSignals(True)
        self.comment.setText(self.comments.get(key, ""))
        self.comment.blockSignals(False)
        self.comment.setEnabled(self.editable and criterion.kind != "computed")
        cell = self.computed.get(key)
        if criterion.kind == "computed":
            self.calculation.setText(self.tr("%1 of %2 is computed by the rules (read-only):\n%3")
                                     .replace("%1", criterion.name).replace("%2", self.bids[row][1])
                                     .replace("%3", cell.calculation if cell else self.tr("not available yet")))
        else:
            self.calculation.clear()

    def _comment_done(self) -> None:
        row, column = self.table.currentRow(), self.table.currentColumn()
        if not (0 <= row < len(self.bids) and 0 <= column < len(self.criteria)):
            return
        bid, criterion = self.bids[row][0], self.criteria[column]
        key = (bid, criterion.id)
        text = self.comment.text().strip()
        if criterion.kind == "computed" or text == self.comments.get(key, ""):
            return
        if key not in self.values:
            self.message.setText(self.tr("Score the cell first; the comment is saved with its score."))
            return
        self.comments[key] = text
        self.score_entered.emit(bid, criterion.id, self.values[key], text)
