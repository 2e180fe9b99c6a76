"""What the server holds of the bidder's submissions to a tender — from every draft, machine or the CLI —
each with its state (active / replaced / withdrawn) and the receipt times the server signed
(bidclient.submission_history verifies every receipt; a list that does not match is shown as an error)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from bidclient.submission_history import HistoryEntry, submission_history
from bidclient.timefmt import format_time
from ui.error_view import ErrorView, plain_label
from ui.workers import Task, start


class ServerHistoryPanel(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("serverHistory")
        self.entries: list[HistoryEntry] = []
        self.loaded_for: tuple[str, int] | None = None  # (tender, client id) the entries are for
        self._client: Any = None
        self._tender: str | None = None
        self._task: Task | None = None
        self.heading = QLabel(self)
        self.heading.setStyleSheet("font-weight: bold;")
        self.note = plain_label(self, name="serverHistoryNote")
        self.table = QTableWidget(0, 4, self)
        self.table.setObjectName("serverHistoryTable")
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        self.table.setMinimumHeight(90)
        self.reload_button = QPushButton(self)
        self.reload_button.setObjectName("reloadServerHistory")
        self.reload_button.clicked.connect(self.reload)
        self.error_view = ErrorView(self)
        top = QHBoxLayout()
        top.addWidget(self.heading, 1)
        top.addWidget(self.reload_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.note)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.error_view)
        self.retranslate()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def retranslate(self) -> None:
        self.heading.setText(self.tr("On the server: all your submissions to this tender"))
        self.reload_button.setText(self.tr("Check the server"))
        self.reload_button.setAccessibleName(self.tr("Load your submission history from the server again"))
        self.table.setAccessibleName(self.tr("Your submissions on the server"))
        self.table.setHorizontalHeaderLabels([self.tr("Submission"), self.tr("Received (server time)"),
                                              self.tr("Withdrawn at"), self.tr("State")])
        self._show()

    # --- loading ---

    def show_for(self, client: Any, tender_id: str | None) -> None:
        """Load the history when the tender or the signed-in session changed (not on every refresh)."""
        self._client, self._tender = client, tender_id
        key = (tender_id, id(client)) if client is not None and tender_id else None
        if key != self.loaded_for:
            self.reload()

    def reload(self) -> None:
        client, tender = self._client, self._tender
        if client is None or not tender:
            self.loaded_for = None
            self.entries = []
            self.error_view.clear()
            self._show()
            return
        if self._task is not None:
            return
        self.loaded_for = (tender, id(client))
        self.reload_button.setEnabled(False)
        task = Task(lambda _ctx: submission_history(client, tender), name="server-history")
        task.signals.succeeded.connect(self._loaded)
        task.signals.failed.connect(self._failed)
        task.signals.finished.connect(self._finished)
        self._task = start(task)

    def _loaded(self, entries: list[HistoryEntry]) -> None:
        self.entries = entries
        self.error_view.clear()
        self._show()

    def _failed(self, error: BaseException) -> None:
        self.entries = []
        self.loaded_for = None  # try again on the next refresh
        self._show()
        self.error_view.show_error(error)

    def _finished(self) -> None:
        self._task = None
        self.reload_button.setEnabled(True)

    @property
    def busy(self) -> bool:
        return self._task is not None

    # --- showing ---

    def state_text(self, entry: HistoryEntry) -> str:
        if entry.status == "active":
            return self.tr("Active: the bid the opening will decrypt")
        if entry.status == "withdrawn":
            return self.tr("Withdrawn")
        if entry.replaced_by:
            return self.tr("Replaced by {id}").format(id=entry.replaced_by[:8] + "…")
        return self.tr("Replaced by a later submission")

    def _show(self) -> None:
        signed_in = self._client is not None
        self.reload_button.setVisible(signed_in)
        if not signed_in:
            self.note.setText(self.tr("Sign in to see what the server holds."))
        elif not self.entries:
            self.note.setText(self.tr("The server holds no submission of yours for this tender."))
        else:
            self.note.setText(self.tr("Every receipt was verified: the times are the ones the server signed."))
        self.table.setVisible(bool(self.entries))
        self.table.setRowCount(len(self.entries))
        for row, entry in enumerate(reversed(self.entries)):  # newest first
            cells = [entry.submission_id[:8] + "…", format_time(entry.received_at, seconds=True),
                     format_time(entry.withdrawn_at, seconds=True) if entry.withdrawn_at else "—",
                     self.state_text(entry)]
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setToolTip(entry.submission_id if column == 0 else text)
                self.table.setItem(row, column, item)
