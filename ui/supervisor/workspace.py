"""The supervisor's workspace (监督): a read-only live view of every evaluation session — its phase, the
members (check-in, declaration, chair, sheets), every score and verdict as the server shows supervisors,
the summary once there is one, the report's signatures, the audit trail's entries about the session, and the
clarification requests with the bidders' answers (each signature verified by the core).

Nothing here acts on a session: there is no button but Refresh. Updates arrive through the session's live
channel (ui/live_adapter.py), whose state the ConnectionIndicator shows; each update reads the view again
with one core call (bidclient.evaluation.desk.supervisor_view) on a worker.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

import shiboken6
from PySide6.QtCore import QCoreApplication, QEvent, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from bidclient.evaluation import desk
from bidclient.protocol.audit import AuditEntryOut
from bidclient.protocol.evaluation_session import SessionOut
from bidclient.timefmt import format_time
from ui.context import AppContext
from ui.error_view import ErrorView, plain_label
from ui.evaluation.clarifications_panel import ClarificationsPanel
from ui.evaluation.phase_panel import member_title, phase_title, sheet_title, stepper
from ui.live_adapter import ConnectionIndicator, LiveChannel
from ui.workers import Task, TaskContext, start
from ui.workspaces import WorkspaceSpec, register_workspace

MEMBERS_TAB, SCORES_TAB, SUMMARY_TAB, SIGNATURES_TAB, AUDIT_TAB, CLARIFICATIONS_TAB = range(6)


def _table(parent: QWidget, name: str) -> QTableWidget:
    table = QTableWidget(parent)
    table.setObjectName(name)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    table.horizontalHeader().setStretchLastSection(True)
    table.verticalHeader().setVisible(False)
    return table


def _fill(table: QTableWidget, headers: list[str], rows: list[list[str]]) -> None:
    table.setColumnCount(len(headers))
    table.setHorizontalHeaderLabels(headers)
    table.setRowCount(len(rows))
    for r, row in enumerate(rows):
        for col, text in enumerate(row):
            item = QTableWidgetItem(text)  # server text: an item never interprets markup
            item.setToolTip(text)
            table.setItem(r, col, item)


def _time(value: datetime | None) -> str:
    return format_time(value, seconds=True) if value is not None else ""


def _audit_time(text: str) -> str:
    """An entry's UTC time (ISO 8601, as hashed) in the display zone; as given when it is not a time."""
    try:
        return format_time(datetime.fromisoformat(text.replace("Z", "+00:00")), seconds=True)
    except ValueError:
        return text


class SupervisorWorkspace(QWidget):
    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.sessions_list = QListWidget(self)
        self.sessions_list.setObjectName("supervisedSessions")
        self.sessions_list.itemClicked.connect(self._activated)
        self.sessions_list.itemActivated.connect(self._activated)
        self.refresh_button = QPushButton(self)
        self.refresh_button.clicked.connect(self.refresh)
        self.heading = plain_label(self, name="supervisorHeading")
        self.heading.setStyleSheet("font-weight: bold;")
        self.steps = plain_label(self, name="supervisorSteps")
        self.indicator = ConnectionIndicator(self)
        self.error_view = ErrorView(self)
        self.members = _table(self, "supervisorMembers")
        self.scores = _table(self, "supervisorScores")
        self.summary = _table(self, "supervisorSummary")
        self.signatures = _table(self, "supervisorSignatures")
        self.audit = _table(self, "supervisorAudit")
        self.clarifications = ClarificationsPanel(self, can_ask=False)  # read-only: no form to ask
        self.clarifications.refresh_requested.connect(self.refresh)
        self.tabs = QTabWidget(self)
        for table in (self.members, self.scores, self.summary, self.signatures, self.audit, self.clarifications):
            self.tabs.addTab(table, "")
        left = QWidget(self)
        column = QVBoxLayout(left)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.sessions_list, 1)
        column.addWidget(self.refresh_button)
        right = QWidget(self)
        column = QVBoxLayout(right)
        column.setContentsMargins(0, 0, 0, 0)
        row = QHBoxLayout()
        row.addWidget(self.heading, 1)
        row.addWidget(self.indicator)
        column.addLayout(row)
        column.addWidget(self.steps)
        column.addWidget(self.error_view)
        column.addWidget(self.tabs, 1)
        splitter = QSplitter(Qt.Orientation.Horizontal, self)
        splitter.addWidget(left)
        splitter.addWidget(right)
        splitter.setStretchFactor(1, 4)
        layout = QVBoxLayout(self)
        layout.addWidget(splitter)

        self.session: SessionOut | None = None
        self.view: desk.SupervisorView | None = None
        self.audit_entries: list[AuditEntryOut] = []
        self.audit_seq = 0
        self.live: LiveChannel | None = None
        self.updates = 0  # views shown: one per live event (and per refresh)
        self._sessions: list[SessionOut] = []
        self._tasks: set[Task] = set()
        self._shut = False
        self._reading = False
        self._again = False
        context.session_changed.connect(lambda _s: self._signed_in_changed())
        app = QCoreApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(self.shutdown)  # the live thread stops before the app goes
        self.retranslate()
        if context.session is not None:
            self.refresh()

    # --- texts ---

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def retranslate(self) -> None:
        self.sessions_list.setAccessibleName(self.tr("Evaluation sessions"))
        self.refresh_button.setText(self.tr("Refresh"))
        self.refresh_button.setAccessibleName(self.tr("Refresh the list of sessions"))
        for index, text in enumerate((self.tr("Members"), self.tr("Scores"), self.tr("Summary"),
                                      self.tr("Report signatures"), self.tr("Audit trail"),
                                      self.tr("Clarifications"))):
            self.tabs.setTabText(index, text)
        self.tabs.setAccessibleName(self.tr("The session, read-only"))
        for table, name in ((self.members, self.tr("Members of the committee")),
                            (self.scores, self.tr("Every score and verdict")),
                            (self.summary, self.tr("The committee's summary")),
                            (self.signatures, self.tr("The report's signatures")),
                            (self.audit, self.tr("Audit trail of the session"))):
            table.setAccessibleName(name)
        self._list(self._sessions)
        self._show()

    # --- jobs ---

    @property
    def busy(self) -> bool:
        return bool(self._tasks)

    def _run(self, job: Callable[[TaskContext], Any], done: Callable[[Any], None], name: str,
             failed: Callable[[BaseException], None] | None = None) -> None:
        task = Task(job, name=name)
        self._tasks.add(task)
        on_error = failed or self.error_view.show_error

        def succeeded(result: object) -> None:
            if not self._shut and shiboken6.isValid(self):
                done(result)

        def failed_(error: BaseException) -> None:
            if not self._shut and shiboken6.isValid(self):
                on_error(error)

        task.signals.succeeded.connect(succeeded)
        task.signals.failed.connect(failed_)
        task.signals.finished.connect(lambda: self._tasks.discard(task))
        start(task)

    # --- sessions ---

    def _signed_in_changed(self) -> None:
        self._close_session()
        self._list([])
        if self.context.session is not None:
            self.refresh()

    def refresh(self) -> None:
        client = self.context.client()
        if client is None:
            return
        self._run(lambda _ctx: desk.my_sessions(client), self._list, "supervisor-sessions")
        if self.session is not None:
            self._read()

    def _list(self, sessions: list[SessionOut]) -> None:
        self._sessions = [s for s in sessions if s.your_role == "supervisor"]
        self.sessions_list.clear()
        for s in self._sessions:
            item = QListWidgetItem(f"{s.tender_id} · {phase_title(s.phase)}\n{s.id}")
            item.setData(Qt.ItemDataRole.UserRole, s.id)
            self.sessions_list.addItem(item)
            if self.session is not None and s.id == self.session.id:
                self.sessions_list.setCurrentItem(item)

    def _activated(self, item: QListWidgetItem) -> None:
        session_id = str(item.data(Qt.ItemDataRole.UserRole))
        if self.session is None or self.session.id != session_id:
            self.open_session(session_id)

    def open_session(self, session_id: str) -> None:
        client = self.context.client()
        if client is None:
            return
        self._close_session()
        self.session = next((s for s in self._sessions if s.id == session_id), None)
        self.live = LiveChannel(client, f"evaluation:{session_id}", parent=self)
        self.live.received.connect(lambda _event: self._read())
        self.live.state_changed.connect(self.indicator.set_state)
        self.live.failed.connect(self.error_view.show_error)
        self.live.start()
        self._read(session_id)

    def _close_session(self) -> None:
        if self.live is not None:
            self.live.stop()
            self.live.deleteLater()
            self.live = None
        self.session = None
        self.view = None
        self.audit_entries = []
        self.audit_seq = 0

    def _read(self, session_id: str | None = None) -> None:
        """Read the view again; while a read runs, one more follows it (events are never lost)."""
        client = self.context.client()
        target = session_id or (self.session.id if self.session is not None else None)
        if client is None or target is None:
            return
        if self._reading:
            self._again = True
            return
        self._reading, self._again = True, False
        after = self.audit_seq

        def done(view: desk.SupervisorView) -> None:
            self._reading = False
            if self.session is None or view.session.id == self.session.id or view.session.id == target:
                if self.view is None or self.view.session.id != view.session.id:
                    self.audit_entries = []
                self.view, self.session = view, view.session
                self._sessions = [view.session if x.id == view.session.id else x for x in self._sessions]
                self._list(self._sessions)
                self.audit_entries += view.audit
                self.audit_seq = view.audit_seq
                self.updates += 1
                self.error_view.clear()
                self._show()
            if self._again:
                self._read()

        def failed(error: BaseException) -> None:
            self._reading = False
            self.error_view.show_error(error)

        self._run(lambda _ctx: desk.supervisor_view(client, target, audit_after=after), done, "supervisor-view",
                  failed)

    # --- showing ---

    def _show(self) -> None:
        view = self.view
        if view is None:
            self.heading.setText(self.tr("Choose a session on the left."))
            self.steps.clear()
            return
        s = view.session
        self.heading.setText(self.tr("Tender %1 · session %2 · phase: %3 (read-only)").replace("%1", s.tender_id)
                             .replace("%2", s.id).replace("%3", phase_title(s.phase)))
        self.steps.setText(stepper(s.phase))
        excluded = "; ".join(f"{bid}: {', '.join(reasons)}" for bid, reasons in s.excluded_bids.items())
        if excluded:
            self.steps.setText(self.steps.text() + "\n" + self.tr("Excluded in the review: %1").replace("%1", excluded))
        _fill(self.members, [self.tr("Expert"), self.tr("Status"), self.tr("Chair"), self.tr("Sheet"),
                             self.tr("Checked in"), self.tr("Submitted"), self.tr("Reason")],
              [[m.identity_key, member_title(m.status), self.tr("chair") if m.is_chair else "",
                sheet_title(m.sheet_state), _time(m.checked_in_at), _time(m.submitted_at),
                m.returned_reason or m.recusal_reason or ""] for m in s.members])
        names = {c.id: c.name for c in s.definition.criteria} | {r.id: r.name for r in s.definition.review_items}
        _fill(self.scores, [self.tr("Expert"), self.tr("Bid"), self.tr("Item"), self.tr("Score or verdict"),
                            self.tr("Reason or comment"), self.tr("Version")],
              [[c.expert, c.bid, names.get(c.item, c.item),
                c.value or "" if c.kind == "score" else (self.tr("pass") if c.passed else self.tr("fail")),
                c.reason or c.comment, str(c.version)] for c in view.cells.cells])
        if view.summary is not None:
            criteria = [c.id for c in s.definition.criteria if c.kind != "computed"]
            _fill(self.summary, [self.tr("Rank"), self.tr("Bid"), *[names[c] for c in criteria], self.tr("Total")],
                  [[str(line.rank) if line.rank is not None else "—", f"{line.name} ({line.bid})",
                    *[line.scores.get(c, "") for c in criteria],
                    self.tr("excluded") if line.excluded else line.total] for line in view.summary.lines])
        else:
            _fill(self.summary, [self.tr("Summary")], [[self.tr("Not every sheet is in yet.")]])
        _fill(self.signatures, [self.tr("#"), self.tr("Expert"), self.tr("Position"), self.tr("Reasons"),
                                self.tr("Signed")],
              [[str(x.position), x.expert, x.stance, x.reason, _time(x.signed_at)]
               for x in view.signatures.signatures])
        _fill(self.audit, [self.tr("#"), self.tr("Time"), self.tr("Who"), self.tr("What"), self.tr("Entry hash")],
              [[str(e.seq), _audit_time(e.time), e.actor, e.action, e.entry_hash[:16]]
               for e in reversed(self.audit_entries)])
        self.clarifications.show_items(view.clarifications)

    # --- the main window's hooks ---

    def workspace_activated(self) -> None:
        self.refresh()

    def shutdown(self) -> None:
        self._shut = True
        self._close_session()


register_workspace(WorkspaceSpec(
    role="supervisor",
    title=lambda: QCoreApplication.translate("Workspaces", "Supervisor"),
    factory=SupervisorWorkspace,
))
