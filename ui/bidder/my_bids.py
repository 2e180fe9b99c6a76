""""My bids" (我的投标): every tender worked on, its state, the deadline countdown and a notice when a
clarification (答疑) makes a draft stale — a thin view over bidclient.my_bids. Also the deadline badge
shown above the bidder's tabs, so that the countdown is visible on every page.

The list is read from the projects folder on the GUI thread (small files, receipts verified offline);
the server's current versions are asked on a worker when signed in.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from PySide6.QtCore import QEvent, Qt, QTimer, Signal
from PySide6.QtGui import QColor
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

from bidclient import bid_project as bp
from bidclient import my_bids
from bidclient.receipt_print import format_time
from ui.context import AppContext
from ui.error_view import ErrorView, plain_label
from ui.workers import Task, TaskContext, start

STATE_COLOURS = {my_bids.BidState.SUBMITTED: "#1b5e20", my_bids.BidState.OPENED: "#1b5e20",
                 my_bids.BidState.UNREADABLE: "#b00020", my_bids.BidState.WITHDRAWN: "#555555"}


def format_deadline(value: datetime) -> str:
    """In the display zone, zone named (bidclient.timefmt when present, else Beijing time)."""
    return format_time(value, seconds=False)


def server_now(context: AppContext) -> tuple[datetime, bool]:
    """The server clock when signed in (its offset is known), else this computer's clock."""
    client = context.client()
    if client is not None:
        return client.server_now(), True
    return datetime.now(UTC), False


class MyBidsView(QWidget):
    open_requested = Signal(object)  # Path of the draft folder

    COLUMNS = 6

    def __init__(self, context: AppContext, root: Path, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("myBids")
        self.context = context
        self.root = root
        self.entries: list[my_bids.BidEntry] = []
        self.versions: dict[str, int] = {}
        self._task: Task | None = None
        self.heading = QLabel(self)
        self.heading.setStyleSheet("font-size: 14pt; font-weight: bold;")
        self.summary = plain_label(self, name="myBidsSummary")
        self.table = QTableWidget(0, self.COLUMNS, self)
        self.table.setObjectName("myBidsTable")
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setWordWrap(True)
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(5, QHeaderView.ResizeMode.Stretch)
        self.table.cellDoubleClicked.connect(lambda row, _col: self.open_row(row))
        self.open_button = QPushButton(self)
        self.open_button.setObjectName("myBidsOpen")
        self.open_button.clicked.connect(lambda: self.open_row(self.table.currentRow()))
        self.refresh_button = QPushButton(self)
        self.refresh_button.setObjectName("myBidsRefresh")
        self.refresh_button.clicked.connect(self.refresh)
        self.error_view = ErrorView(self)
        row = QHBoxLayout()
        row.addWidget(self.open_button)
        row.addWidget(self.refresh_button)
        row.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addWidget(self.summary)
        layout.addWidget(self.table, 1)
        layout.addLayout(row)
        layout.addWidget(self.error_view)
        self.clock = QTimer(self)
        self.clock.setInterval(1000)
        self.clock.timeout.connect(self.tick)
        self.clock.start()
        context.session_changed.connect(lambda _s: self.refresh())
        self.retranslate()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def retranslate(self) -> None:
        self.heading.setText(self.tr("My bids (我的投标)"))
        self.table.setHorizontalHeaderLabels([self.tr("Tender"), self.tr("Title"), self.tr("State"),
                                              self.tr("Deadline"), self.tr("Time left"), self.tr("Notice")])
        self.table.setAccessibleName(self.tr("Every tender worked on, soonest deadline first"))
        self.open_button.setText(self.tr("&Open"))
        self.refresh_button.setText(self.tr("Re&fresh"))
        self.show_entries()

    # --- reading ---

    def refresh(self) -> None:
        """Read the projects folder again; when signed in, also ask the server for clarifications."""
        self.error_view.clear()
        self.entries = my_bids.scan(self.root, now=server_now(self.context)[0], server_versions=self.versions)
        self.show_entries()
        client = self.context.client()
        if client is None or self._task is not None:
            return
        ids = [e.tender_id for e in self.entries if e.tender_id]
        if not ids:
            return

        def job(_ctx: TaskContext) -> dict[str, int]:
            return my_bids.server_versions(client, ids)

        task = Task(job, name="my-bids")
        task.signals.succeeded.connect(self._versions_known)
        task.signals.failed.connect(self.error_view.show_error)
        task.signals.finished.connect(self._task_done)
        self._task = start(task)

    def _versions_known(self, versions: dict[str, int]) -> None:
        self.versions = versions
        self.entries = my_bids.scan(self.root, now=server_now(self.context)[0], server_versions=versions)
        self.show_entries()

    def _task_done(self) -> None:
        self._task = None

    @property
    def busy(self) -> bool:
        return self._task is not None

    # --- showing ---

    def show_entries(self) -> None:
        self.table.setRowCount(len(self.entries))
        for row, entry in enumerate(self.entries):
            notice = entry.notice()
            values = [entry.tender_id, entry.title, entry.state.label(),
                      format_deadline(entry.bid_deadline) if entry.bid_deadline else "", "", notice]
            for col, value in enumerate(values):
                item = QTableWidgetItem(value)
                item.setData(Qt.ItemDataRole.UserRole, str(entry.directory))
                if col == 2 and entry.state in STATE_COLOURS:
                    item.setForeground(QColor(STATE_COLOURS[entry.state]))
                if col == 5 and (entry.stale or entry.problem):
                    item.setForeground(QColor("#b00020"))
                if col in (1, 5):
                    item.setToolTip(value)
                self.table.setItem(row, col, item)
        self.table.resizeRowsToContents()
        stale = sum(1 for e in self.entries if e.stale)
        if not self.entries:
            self.summary.setText(self.tr("No bids yet: fetch a tender on the Tenders page to start one."))
        elif stale:
            self.summary.setText(self.tr("{n} draft(s) made stale by a clarification (答疑): see the notice.")
                                 .format(n=stale))
        else:
            self.summary.setText(self.tr("{n} tender(s) worked on.").format(n=len(self.entries)))
        self.open_button.setEnabled(bool(self.entries))
        self.tick()

    def tick(self) -> None:
        now, on_server = server_now(self.context)
        for row, entry in enumerate(self.entries):
            item = self.table.item(row, 4)
            if item is None:
                continue
            if entry.bid_deadline is None or entry.state in (my_bids.BidState.WITHDRAWN, my_bids.BidState.OPENED):
                item.setText("")
                continue
            text = my_bids.countdown_text(entry.bid_deadline, now)
            item.setText(text if on_server else self.tr("{left} (this computer's clock)").format(left=text))

    def open_row(self, row: int) -> None:
        if 0 <= row < len(self.entries) and self.entries[row].state is not my_bids.BidState.UNREADABLE:
            self.open_requested.emit(self.entries[row].directory)


class DeadlineBadge(QLabel):
    """The open draft's deadline and time left, by the server clock when signed in; on every tab."""

    def __init__(self, context: AppContext, project: Callable[[], bp.BidProject | None],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("deadlineBadge")
        self.context = context
        self.project = project
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.clock = QTimer(self)
        self.clock.setInterval(1000)
        self.clock.timeout.connect(self.tick)
        self.clock.start()
        self.tick()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.tick()
        super().changeEvent(event)

    def tick(self) -> None:
        project = self.project()
        if project is None:
            self.setVisible(False)
            return
        deadline = project.definition.bid_deadline
        now, on_server = server_now(self.context)
        left = my_bids.countdown_text(deadline, now)
        text = self.tr("{tender} — deadline {deadline} — {left}").format(
            tender=project.definition.tender_id, deadline=format_deadline(deadline), left=left)
        if not on_server:
            text += " " + self.tr("(this computer's clock; sign in for the server's)")
        self.setText(text)
        urgent = (deadline - now).total_seconds() < 3600
        self.setStyleSheet("font-weight: bold; color: %s;" % ("#b00020" if urgent else "#222"))
        self.setVisible(True)
