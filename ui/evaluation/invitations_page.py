"""The expert's invitations to evaluation committees: time, place and the deadline to answer (in the
display zone, 北京时间 by default, with the zone named), never the bidders; accept, or decline with a reason.

The server publishes no channel an expert may follow (a draw's channel is the agency's and the supervisor's),
so the page asks again every ``POLL_MS`` while it is shown. Every request runs on a worker (ui.workers.Task)
calling bidclient.experts.ExpertsService.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QEvent, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from bidclient import timefmt
from bidclient.experts import ExpertsService
from bidclient.protocol.experts import InvitationOut
from ui.context import AppContext
from ui.error_view import ErrorView, plain_label
from ui.status_line import StatusLine
from ui.workers import Task, start

POLL_MS = 60_000  # how often the list is asked again while shown (no live channel for experts)


class InvitationsPage(QWidget):
    answered = Signal(object)  # the InvitationOut after an answer

    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("expertInvitations")
        self.context = context
        self.invitations: list[InvitationOut] = []
        self._task: Task | None = None

        self.heading = QLabel(self)
        self.heading.setStyleSheet("font-weight: bold;")
        self.note = plain_label(self, name="invitationsNote")
        self.refresh_button = QPushButton(self)
        self.refresh_button.setObjectName("refreshInvitations")
        self.refresh_button.clicked.connect(lambda: self.refresh())
        self.table = QTableWidget(0, 5, self)
        self.table.setObjectName("invitationTable")
        self.table.verticalHeader().setVisible(False)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for column in (1, 2, 3, 4):
            self.table.horizontalHeader().setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        self.table.itemSelectionChanged.connect(self._update_buttons)

        self.accept_button = QPushButton(self)
        self.accept_button.setObjectName("acceptInvitation")
        self.accept_button.clicked.connect(self.accept_selected)
        self.reason_label = QLabel(self)
        self.reason_edit = QLineEdit(self)
        self.reason_edit.setObjectName("declineReason")
        self.reason_edit.setMaxLength(1000)
        self.reason_label.setBuddy(self.reason_edit)
        self.reason_edit.textChanged.connect(self._update_buttons)
        self.reason_edit.returnPressed.connect(self.decline_selected)
        self.decline_button = QPushButton(self)
        self.decline_button.setObjectName("declineInvitation")
        self.decline_button.clicked.connect(self.decline_selected)
        self.status = plain_label(self, name="invitationsStatus")
        self.status_line = StatusLine(self.status)
        self.error_view = ErrorView(self)

        top = QHBoxLayout()
        top.addWidget(self.heading, 1)
        top.addWidget(self.refresh_button)
        answer = QHBoxLayout()
        answer.addWidget(self.accept_button)
        answer.addSpacing(24)
        answer.addWidget(self.reason_label)
        answer.addWidget(self.reason_edit, 1)
        answer.addWidget(self.decline_button)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.note)
        layout.addWidget(self.table, 1)
        layout.addLayout(answer)
        layout.addWidget(self.status)
        layout.addWidget(self.error_view)

        self.timer = QTimer(self)
        self.timer.setInterval(POLL_MS)
        self.timer.timeout.connect(self._poll)
        self.retranslate()
        self._update_buttons()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def retranslate(self) -> None:
        self.heading.setText(self.tr("Invitations to evaluation committees"))
        self.note.setText(self.tr("Answer before the deadline. An answer is final; a decline calls the next "
                                  "reserve. The list is checked again every minute."))
        self.refresh_button.setText(self.tr("&Refresh"))
        self.refresh_button.setAccessibleName(self.tr("Refresh the invitations"))
        self.table.setAccessibleName(self.tr("Invitations"))
        zone = timefmt.current_zone_label()
        self.table.setHorizontalHeaderLabels([
            self.tr("Project"), self.tr("Evaluation ({zone})").format(zone=zone), self.tr("Place"),
            self.tr("Answer by ({zone})").format(zone=zone), self.tr("State")])
        self.accept_button.setText(self.tr("&Accept"))
        self.accept_button.setAccessibleName(self.tr("Accept the selected invitation"))
        self.reason_label.setText(self.tr("Reason for declining:"))
        self.reason_edit.setPlaceholderText(self.tr("required to decline, e.g. 出差"))
        self.reason_edit.setAccessibleName(self.tr("Reason for declining"))
        self.decline_button.setText(self.tr("&Decline"))
        self.decline_button.setAccessibleName(self.tr("Decline the selected invitation with the reason given"))
        self.status_line.retranslate()
        self._fill()

    # --- texts ---

    def place_text(self, place: str) -> str:
        return self.tr("Remote (远程异地评标)") if place == "remote" else place

    def state_text(self, state: str) -> str:
        return {"pending": self.tr("Waiting for your answer"), "accepted": self.tr("Accepted"),
                "declined": self.tr("Declined"), "expired": self.tr("Not answered in time"),
                "withdrawn": self.tr("Withdrawn (you are not needed)")}.get(state, state)

    # --- listing ---

    @property
    def busy(self) -> bool:
        return self._task is not None

    def showEvent(self, event: Any) -> None:
        self.timer.start()
        super().showEvent(event)

    def hideEvent(self, event: Any) -> None:
        self.timer.stop()
        super().hideEvent(event)

    def _poll(self) -> None:
        if self._task is None and self.context.client() is not None:
            self.refresh(keep_error=True)

    def refresh(self, keep_error: bool = False) -> None:
        """Ask the server for the invitations; ``keep_error`` leaves a shown error in view (a background
        refresh must not wipe the message of the answer that just failed)."""
        client = self.context.client()
        if client is None:
            self.invitations = []
            self._fill()
            self.status_line.set(lambda: self.tr("Sign in with your dongle to see your invitations."))
            return
        self._run(Task(lambda _ctx: ExpertsService(client).invitations(), name="expert-invitations"),
                  self._listed, lambda: self.tr("Asking the server…"), keep_error=keep_error)

    def _listed(self, invitations: list[InvitationOut]) -> None:
        selected = self.selected()
        # Those waiting for an answer first, the soonest deadline first; then the rest by evaluation time.
        self.invitations = sorted(invitations, key=lambda i: (i.state != "pending", i.respond_by, i.starts_at))
        self._fill(selected.id if selected else None)
        pending = sum(1 for i in invitations if i.state == "pending")
        self.status_line.set(lambda: self.tr("{count} invitation(s), {pending} waiting for your answer.").format(
            count=len(invitations), pending=pending))

    def _fill(self, select_id: int | None = None) -> None:
        self.table.setRowCount(len(self.invitations))
        for row, inv in enumerate(self.invitations):
            cells = [inv.tender_title,
                     f"{timefmt.format_time(inv.starts_at, named=False)} – "
                     f"{timefmt.format_time(inv.ends_at, named=False)}",
                     self.place_text(inv.place), timefmt.format_time(inv.respond_by, named=False),
                     self.tr("{state}: {reason}").format(state=self.state_text(inv.state), reason=inv.reason)
                     if inv.reason else self.state_text(inv.state)]
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)  # QTableWidgetItem shows text as plain text
                item.setToolTip(text)
                item.setData(Qt.ItemDataRole.UserRole, inv.id)
                self.table.setItem(row, column, item)
            if inv.id == select_id:
                self.table.selectRow(row)
        if self.table.currentRow() < 0 and self.invitations:
            pending = [r for r, i in enumerate(self.invitations) if i.state == "pending"]
            self.table.selectRow(pending[0] if pending else 0)
        self._update_buttons()

    def selected(self) -> InvitationOut | None:
        rows = self.table.selectionModel().selectedRows()
        if not rows or rows[0].row() >= len(self.invitations):
            return None
        return self.invitations[rows[0].row()]

    def select_invitation(self, invitation_id: int) -> None:
        for row, inv in enumerate(self.invitations):
            if inv.id == invitation_id:
                self.table.selectRow(row)

    def _update_buttons(self) -> None:
        inv = self.selected()
        open_ = inv is not None and inv.state == "pending" and self._task is None
        self.accept_button.setEnabled(open_)
        self.reason_edit.setEnabled(inv is not None and inv.state == "pending")
        self.decline_button.setEnabled(open_ and bool(self.reason_edit.text().strip()))
        self.refresh_button.setEnabled(self._task is None)

    # --- answers ---

    def accept_selected(self) -> None:
        inv, client = self.selected(), self.context.client()
        if inv is None or client is None or inv.state != "pending":
            return
        self._run(Task(lambda _ctx: ExpertsService(client).accept(inv.id), name="expert-accept"),
                  self._answered, lambda: self.tr("Sending your answer…"))

    def decline_selected(self) -> None:
        inv, client = self.selected(), self.context.client()
        reason = self.reason_edit.text().strip()
        if inv is None or client is None or inv.state != "pending":
            return
        if not reason:
            self.status_line.set(lambda: self.tr("Give a reason to decline."))
            self.reason_edit.setFocus()
            return
        self._run(Task(lambda _ctx: ExpertsService(client).decline(inv.id, reason), name="expert-decline"),
                  self._answered, lambda: self.tr("Sending your answer…"))

    def _answered(self, invitation: InvitationOut) -> None:
        self.reason_edit.clear()
        self.invitations = [invitation if i.id == invitation.id else i for i in self.invitations]
        self._fill(invitation.id)
        if invitation.state == "accepted":
            self.status_line.set(lambda: self.tr("Accepted: {title}. The agency is told.").format(
                title=invitation.tender_title))
        else:
            self.status_line.set(lambda: self.tr("Declined: {title}. A reserve is called.").format(
                title=invitation.tender_title))
        self.answered.emit(invitation)

    def _run(self, task: Task, on_success: Callable[[Any], None], waiting: Callable[[], str], *,
             keep_error: bool = False) -> None:
        if self._task is not None:
            return
        if not keep_error:
            self.error_view.clear()
        self.status_line.set(waiting)
        task.signals.succeeded.connect(on_success)
        task.signals.failed.connect(self._failed)
        task.signals.finished.connect(self._done)
        self._task = start(task)
        self._update_buttons()

    def _done(self) -> None:
        self._task = None
        self._update_buttons()

    def _failed(self, error: BaseException) -> None:
        self.status_line.clear()
        self.error_view.show_error(error)
        if getattr(error, "code", "") in ("experts.invitation_expired", "experts.invitation_answered"):
            # Show the invitation as the server has it now.
            QTimer.singleShot(0, lambda: self.refresh(keep_error=True))

    def time_zone_changed(self) -> None:
        self.retranslate()
