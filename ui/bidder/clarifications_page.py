"""The bidder's clarification requests (澄清): the questions an evaluation committee put to this bidder through
the platform, newest first, and the answer to each, signed with the dongle the bidder signed in with (one
PIN entry) — the same core call as ``bidclient evaluation answer`` (bidclient.evaluation.clarifications).

An answer cannot be replaced once sent, and it may not change the bid's substance: the page says so next to
the answer box. Reading and answering run on workers; the GUI thread never waits.
"""

from __future__ import annotations

from typing import Any

import shiboken6
from PySide6.QtCore import QEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QPlainTextEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from bidclient.evaluation import clarifications
from bidclient.evaluation.clarifications import Clarification
from bidclient.signin import signed_in_fingerprint
from bidclient.timefmt import format_time
from ui.context import AppContext
from ui.error_view import ErrorView, plain_label
from ui.workers import Task, start

MAX_ANSWER = 20000


class ClarificationsPage(QWidget):
    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("bidderClarifications")
        self.context = context
        self.items: list[Clarification] = []
        self._tasks: set[Task] = set()
        self._shown: str | None = None
        self.intro = plain_label(self, name="clarificationsIntro")
        self.refresh_button = QPushButton(self)
        self.refresh_button.clicked.connect(self.refresh)
        self.error_view = ErrorView(self)
        self.notice = plain_label(self, name="clarificationsNotice")
        self.notice.setStyleSheet("color: #2e7d32;")
        self.table = QTableWidget(self)
        self.table.setObjectName("bidderClarificationsTable")
        self.table.setColumnCount(4)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.setMinimumHeight(110)
        self.table.itemSelectionChanged.connect(self._show_current)
        self.question = QPlainTextEdit(self)  # plain text: the committee's words are never markup
        self.question.setObjectName("bidderClarificationQuestion")
        self.question.setReadOnly(True)
        self.question.setMaximumHeight(90)
        self.answer = QPlainTextEdit(self)
        self.answer.setObjectName("bidderClarificationAnswer")
        self.answer.setMaximumHeight(110)
        self.answer.textChanged.connect(self._update_buttons)
        self.rule = plain_label(self, name="clarificationRule")
        self.rule.setStyleSheet("color: #8a5a00;")
        self.answer_button = QPushButton(self)
        self.answer_button.setObjectName("bidderClarificationSend")
        self.answer_button.clicked.connect(self.send_answer)

        top = QHBoxLayout()
        top.addWidget(self.intro, 1)
        top.addWidget(self.refresh_button)
        row = QHBoxLayout()
        row.addWidget(self.rule, 1)
        row.addWidget(self.answer_button)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.error_view)
        layout.addWidget(self.notice)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.question)
        layout.addWidget(self.answer)
        layout.addLayout(row)
        context.session_changed.connect(lambda s: self.show_items([]) if s is None else None)
        self.retranslate()

    # --- texts ---

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def retranslate(self) -> None:
        self.intro.setText(self.tr("Questions an evaluation committee put to you about your bid, through the "
                                   "platform. Answer each in writing; your answer is signed with your dongle and "
                                   "becomes part of the evaluation record."))
        self.refresh_button.setText(self.tr("Refresh"))
        self.refresh_button.setAccessibleName(self.tr("Read the clarification requests again"))
        self.table.setHorizontalHeaderLabels([self.tr("Asked"), self.tr("Bid"), self.tr("Question"),
                                              self.tr("State")])
        self.table.setAccessibleName(self.tr("Clarification requests put to you"))
        self.question.setAccessibleName(self.tr("The committee's question"))
        self.answer.setAccessibleName(self.tr("Your answer"))
        self.answer.setPlaceholderText(self.tr("Your answer to the question above."))
        self.rule.setText(self.tr("A clarification may only explain your bid: it may not change its substance "
                                  "(price, offer, commitments). An answer cannot be replaced once sent."))
        self.answer_button.setText(self.tr("Sign and send the answer"))
        self.answer_button.setAccessibleName(self.tr("Sign the answer with your dongle and send it"))
        self.show_items(self.items)

    # --- jobs ---

    @property
    def busy(self) -> bool:
        return bool(self._tasks)

    def _alive(self, slot: Any) -> Any:
        def call(*args: object) -> None:
            if shiboken6.isValid(self):
                slot(*args)

        return call

    def _run(self, job: Any, on_done: Any, *, name: str) -> None:
        task = Task(job, name=name)
        task.signals.succeeded.connect(self._alive(on_done))
        task.signals.failed.connect(self._alive(self._failed))
        task.signals.finished.connect(self._alive(lambda: self._finished(task)))
        self._tasks.add(task)
        self._update_buttons()
        start(task)

    def _finished(self, task: Task) -> None:
        self._tasks.discard(task)
        self._update_buttons()

    def _failed(self, error: BaseException) -> None:
        self.notice.clear()
        self.error_view.show_error(error)

    def refresh(self) -> None:
        client = self.context.client()
        if client is None:
            self.show_items([])
            return
        self._run(lambda _ctx: clarifications.my_clarifications(client), self.show_items,
                  name="bidder-clarifications")

    def send_answer(self) -> None:
        session, prompter, chosen = self.context.session, self.context.pin_source, self.current()
        if session is None or prompter is None or chosen is None or chosen.answered:
            return
        text = self.answer.toPlainText()[:MAX_ANSWER]
        self.error_view.clear()
        self.notice.setText(self.tr("Signing the answer… enter your dongle's PIN."))

        def sent(_out: object) -> None:
            self.answer.clear()
            self.error_view.clear()
            self.notice.setText(self.tr("Your answer is signed and sent; the committee sees it now."))
            self.refresh()

        self._run(lambda _ctx: clarifications.answer_signed_in(session.client, chosen.id, text,
                                                               signed_in_fingerprint(session), prompter),
                  sent, name="bidder-answer")

    # --- showing ---

    def state_text(self, item: Clarification) -> str:
        if item.answer is None:
            return self.tr("waiting for your answer")
        return self.tr("answered %1").replace("%1", format_time(item.answered_at) if item.answered_at else "")

    def show_items(self, items: list[Clarification]) -> None:
        chosen = self._current_id()
        self.items = list(items)
        self.table.setRowCount(len(self.items))
        for row, c in enumerate(self.items):
            for col, text in enumerate((format_time(c.asked_at), c.bid, c.question.replace("\n", " "),
                                        self.state_text(c))):
                cell = QTableWidgetItem(text)
                cell.setToolTip(text)
                self.table.setItem(row, col, cell)
        if not self.items:
            self.table.setAccessibleDescription(self.tr("No clarification request has been put to you."))
        waiting = next((n for n, c in enumerate(self.items) if c.answer is None), 0 if self.items else -1)
        row = next((n for n, c in enumerate(self.items) if c.id == chosen), waiting)
        if row >= 0:
            self.table.selectRow(row)
        self._show_current()

    def _current_id(self) -> str | None:
        model = self.table.selectionModel()
        rows = model.selectedRows() if model is not None else []
        if not rows or rows[0].row() >= len(self.items):
            return None
        return self.items[rows[0].row()].id

    def current(self) -> Clarification | None:
        chosen = self._current_id()
        return next((c for c in self.items if c.id == chosen), None)

    def _show_current(self) -> None:
        c = self.current()
        self.question.setPlainText(c.question if c is not None else "")
        self.answer.setReadOnly(c is None or c.answer is not None)
        if c is not None and c.answer is not None:
            self.answer.setPlainText(c.answer)
        elif c is None or c.id != self._shown:
            self.answer.clear()  # another request: its own answer is typed afresh
        self._shown = c.id if c is not None else None
        self._update_buttons()

    def _update_buttons(self) -> None:
        c = self.current()
        self.answer_button.setEnabled(not self._tasks and c is not None and c.answer is None
                                      and bool(self.answer.toPlainText().strip()))
        self.refresh_button.setEnabled(not self._tasks)

    def activated(self) -> None:
        self.refresh()

