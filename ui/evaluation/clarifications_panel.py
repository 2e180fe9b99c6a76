"""Clarification requests (澄清) of one session: the list with each request's state and times (in the display
zone, China Standard Time by default), the chosen request's question and answer with its signature as the
core verified it (bidclient.evaluation.clarifications), and — for the session's experts — the form to ask
the bidder of a bid in writing. The supervisor's workspace shows the same panel without the form.

The panel holds no flow logic: the page runs the jobs (asking, reading) and gives it what to show. An answer
is shown as signed only when the core's verdict is ``verified``; the bidder is named as the session names
the bid, never by its certificate.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from bidclient.evaluation.clarifications import Clarification
from bidclient.timefmt import format_time
from ui.error_view import plain_label

MAX_QUESTION = 5000  # as the server accepts (ClarificationIn)


class ClarificationsPanel(QWidget):
    ask_requested = Signal(str, str)  # bid id, question
    refresh_requested = Signal()

    def __init__(self, parent: QWidget | None = None, *, can_ask: bool = True) -> None:
        super().__init__(parent)
        self.setObjectName("clarificationsPanel")
        self.can_ask = can_ask
        self.items: list[Clarification] = []
        self.table = QTableWidget(self)
        self.table.setObjectName("clarificationsTable")
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.setColumnCount(5)
        self.table.itemSelectionChanged.connect(self._show_current)
        self.detail = QPlainTextEdit(self)  # plain text: the question and answer are never markup
        self.detail.setObjectName("clarificationDetail")
        self.detail.setReadOnly(True)
        self.signature = plain_label(self, name="clarificationSignature")
        self.refresh_button = QPushButton(self)
        self.refresh_button.clicked.connect(self.refresh_requested)

        self.ask_box = QGroupBox(self)
        self.bid_choice = QComboBox(self.ask_box)
        self.bid_choice.setObjectName("clarificationBid")
        self.question = QPlainTextEdit(self.ask_box)
        self.question.setObjectName("clarificationQuestion")
        self.question.setMaximumHeight(80)
        self.question.textChanged.connect(self._update_ask)
        self.ask_button = QPushButton(self.ask_box)
        self.ask_button.setObjectName("clarificationAsk")
        self.ask_button.clicked.connect(self._ask)
        self.ask_note = plain_label(self.ask_box, name="clarificationAskNote")
        self.ask_note.setStyleSheet("color: #555;")
        form = QVBoxLayout(self.ask_box)
        row = QHBoxLayout()
        row.addWidget(self.bid_choice, 1)
        row.addWidget(self.ask_button)
        form.addLayout(row)
        form.addWidget(self.question)
        form.addWidget(self.ask_note)
        self.ask_box.setVisible(can_ask)

        shown = QWidget(self)
        column = QVBoxLayout(shown)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.signature)
        column.addWidget(self.detail, 1)
        splitter = QSplitter(Qt.Orientation.Vertical, self)
        splitter.addWidget(self.table)
        splitter.addWidget(shown)
        layout = QVBoxLayout(self)
        top = QHBoxLayout()
        self.count = plain_label(self, name="clarificationsCount")
        top.addWidget(self.count, 1)
        top.addWidget(self.refresh_button)
        layout.addLayout(top)
        layout.addWidget(splitter, 1)
        layout.addWidget(self.ask_box)
        self._ask_allowed = False
        self.retranslate()

    # --- texts ---

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def retranslate(self) -> None:
        self.table.setHorizontalHeaderLabels([self.tr("Bid"), self.tr("Question"), self.tr("State"),
                                              self.tr("Asked"), self.tr("Answered")])
        self.table.setAccessibleName(self.tr("Clarification requests of the session"))
        self.detail.setAccessibleName(self.tr("The chosen request's question and answer"))
        self.refresh_button.setText(self.tr("Refresh"))
        self.refresh_button.setAccessibleName(self.tr("Read the clarification requests again"))
        self.ask_box.setTitle(self.tr("Ask the bidder of a bid to clarify (in writing, through the platform)"))
        self.bid_choice.setAccessibleName(self.tr("The bid whose bidder is asked"))
        self.question.setAccessibleName(self.tr("The question to the bidder"))
        self.question.setPlaceholderText(self.tr("The question: what is unclear in the bid. A clarification may "
                                                 "not change the bid's substance (price, offer)."))
        self.ask_button.setText(self.tr("Send the question"))
        self.ask_button.setAccessibleName(self.tr("Send the question to the bidder"))
        self.ask_note.setText(self.tr("Questions are sent during the review and the scoring; the bidder answers "
                                      "signed with its dongle, and the answer becomes part of the record."))
        self.show_items(self.items)

    # --- what the page gives ---

    def set_bids(self, bids: list[tuple[str, str]], *, ask_allowed: bool) -> None:
        """The session's bids (id, name) to ask about, and whether the caller may ask now (an active expert;
        the server decides the phase and its refusal is shown)."""
        current = self.bid_choice.currentData()
        self.bid_choice.clear()
        for bid, name in bids:
            self.bid_choice.addItem(f"{name} ({bid})", bid)
        index = self.bid_choice.findData(current)
        if index >= 0:
            self.bid_choice.setCurrentIndex(index)
        self._ask_allowed = ask_allowed
        self._update_ask()

    def asked(self) -> None:
        """The question was accepted: the form is cleared."""
        self.question.clear()

    def _update_ask(self) -> None:
        self.ask_button.setEnabled(self._ask_allowed and bool(self.question.toPlainText().strip())
                                   and self.bid_choice.count() > 0)

    def _ask(self) -> None:
        text = self.question.toPlainText()[:MAX_QUESTION]
        self.ask_requested.emit(str(self.bid_choice.currentData()), text)

    def state_text(self, item: Clarification) -> str:
        if item.verdict == "asked":
            return self.tr("asked, waiting for the answer")
        if item.verdict == "verified":
            return self.tr("answered · signed by %1 (verified)").replace("%1", item.bid_name)
        return self.tr("answered · signature NOT verified")

    def show_items(self, items: list[Clarification]) -> None:
        chosen = self._current_id()
        self.items = list(items)
        self.table.setRowCount(len(self.items))
        for row, c in enumerate(self.items):
            texts = [c.bid_name, c.question.replace("\n", " "), self.state_text(c), format_time(c.asked_at),
                     format_time(c.answered_at) if c.answered_at is not None else ""]
            for col, text in enumerate(texts):
                cell = QTableWidgetItem(text)  # server text: a table item never interprets markup
                cell.setToolTip(text)
                cell.setData(Qt.ItemDataRole.UserRole, c.id)
                self.table.setItem(row, col, cell)
        answered = sum(1 for c in self.items if c.answered)
        self.count.setText(self.tr("%1 requests, %2 answered").replace("%1", str(len(self.items)))
                           .replace("%2", str(answered)) if self.items else self.tr("No clarification requests."))
        row = next((n for n, c in enumerate(self.items) if c.id == chosen), 0 if self.items else -1)
        if row >= 0:
            self.table.selectRow(row)
        self._show_current()

    def _current_id(self) -> str | None:
        rows = self.table.selectionModel().selectedRows() if self.table.selectionModel() else []
        if not rows or rows[0].row() >= len(self.items):
            return None
        return self.items[rows[0].row()].id

    def current(self) -> Clarification | None:
        chosen = self._current_id()
        return next((c for c in self.items if c.id == chosen), None)

    def _show_current(self) -> None:
        c = self.current()
        if c is None:
            self.detail.clear()
            self.signature.clear()
            return
        lines = [self.tr("Question to %1, asked %2:").replace("%1", c.bid_name).replace("%2", format_time(c.asked_at)),
                 c.question, ""]
        if c.answer is None:
            lines.append(self.tr("Not answered yet."))
            self.signature.setText(self.tr("Waiting for the bidder's signed answer."))
            self.signature.setStyleSheet("color: #555;")
        else:
            when = format_time(c.answered_at) if c.answered_at is not None else ""
            lines += [self.tr("Answer, %1:").replace("%1", when), c.answer]
            if c.verdict == "verified":
                self.signature.setText(self.tr("Signed by %1 (verified)").replace("%1", c.bid_name))
                self.signature.setStyleSheet("color: #2e7d32; font-weight: bold;")
            else:
                self.signature.setText(self.tr("The signature of this answer is NOT verified: %1")
                                       .replace("%1", c.problem))
                self.signature.setStyleSheet("color: #c62828; font-weight: bold;")
        self.detail.setPlainText("\n".join(lines))
