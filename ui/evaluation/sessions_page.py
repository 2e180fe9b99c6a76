"""The expert's scoring session (远程异地评标): the sessions one takes part in and, for the one opened, the phase
with its actions, the tender and a bid side by side, the review grid, the scoring grid, the chair's summary
and the report to preview and sign.

Every edit goes through the core's ExpertWorkspace: saved in the local journal first, then synced; the sync
state is always shown (SyncIndicator), and while edits wait (offline) the page syncs again every few
seconds. Every action is a ui.workers.Task calling one function of bidclient.evaluation.desk; the jobs that
touch the journal run one after another on the journal's own thread (ui/evaluation/journal_pool.py). The
phase follows the session's live channel. Signing (check-in, the sheet, the report) asks for the PIN through
the app's QtPrompter (``context.pin_source``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import shiboken6
from PySide6.QtCore import QCoreApplication, QEvent, Qt, QThreadPool, QTimer
from PySide6.QtWidgets import (
    QHBoxLayout,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from bidclient.evaluation import desk
from bidclient.evaluation.journal import JournalStatus, data_dir
from bidclient.evaluation.session import ExpertWorkspace
from bidclient.evaluation.sync import SyncReport
from bidclient.protocol.evaluation_session import MemberStatus, Phase, SessionOut, SheetState
from ui.context import AppContext
from ui.error_view import ErrorView, plain_label
from ui.evaluation.clarifications_panel import ClarificationsPanel
from ui.evaluation.documents_view import DocumentsView
from ui.evaluation.journal_pool import journal_pool
from ui.evaluation.phase_panel import PhasePanel, phase_title
from ui.evaluation.report_panel import ReportPanel
from ui.evaluation.review_grid import ReviewGrid
from ui.evaluation.scoring_grid import ScoringGrid
from ui.evaluation.sync_indicator import SyncIndicator, SyncState
from ui.live_adapter import LiveChannel
from ui.workers import Task, TaskContext, start

SESSION_TAB, DOCUMENTS_TAB, REVIEW_TAB, SCORING_TAB, SUMMARY_TAB, REPORT_TAB, CLARIFICATIONS_TAB = range(7)


@dataclass(frozen=True)
class _Opened:
    """What the page shows of the open session, read on the journal's thread."""

    space: ExpertWorkspace
    session: SessionOut
    values: desk.SheetValues
    computed: dict[tuple[str, str], desk.ComputedCell]
    status: JournalStatus


def _read(space: ExpertWorkspace) -> _Opened:
    return _Opened(space, space.session, desk.sheet_values(space), desk.computed_cells(space.session),
                   space.status())


def _reload(space: ExpertWorkspace) -> _Opened:
    space.session = space.api.get(space.session.id)
    return _read(space)


class SessionsPage(QWidget):
    """The expert's sessions. Construct with the app's context; it follows ``session_changed``."""

    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.retry_interval_ms = 5000  # while edits wait for the server
        self.sessions_list = QListWidget(self)
        self.sessions_list.setObjectName("evaluationSessions")
        self.sessions_list.itemActivated.connect(self._activated)
        self.sessions_list.itemClicked.connect(self._activated)
        self.refresh_button = QPushButton(self)
        self.refresh_button.clicked.connect(self.refresh)
        self.heading = plain_label(self, name="evaluationHeading")
        self.heading.setStyleSheet("font-weight: bold;")
        self.sync_indicator = SyncIndicator(self)
        self.acknowledge_button = QPushButton(self)
        self.acknowledge_button.clicked.connect(self.acknowledge_conflicts)
        self.acknowledge_button.setVisible(False)
        self.error_view = ErrorView(self)
        self.notice = plain_label(self, name="evaluationNotice")
        self.notice.setStyleSheet("color: #2e7d32;")
        self.phase_panel = PhasePanel(self)
        self.documents = DocumentsView(self)
        self.documents.attach(context)  # it gets the opened bids from the platform itself
        self.review_grid = ReviewGrid(self)
        self.scoring_grid = ScoringGrid(self)
        from ui.evaluation.summary_view import SummaryView

        self.summary_view = SummaryView(self)
        self.report_panel = ReportPanel(self)
        self.clarifications = ClarificationsPanel(self)
        self.tabs = QTabWidget(self)
        self.tabs.setObjectName("evaluationTabs")
        for widget in (self.phase_panel, self.documents, self.review_grid, self.scoring_grid, self.summary_view,
                       self.report_panel, self.clarifications):
            self.tabs.addTab(widget, "")
        self.tabs.currentChanged.connect(self._tab_changed)

        left = QWidget(self)
        column = QVBoxLayout(left)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.sessions_list, 1)
        column.addWidget(self.refresh_button)
        self.detail = QWidget(self)
        column = QVBoxLayout(self.detail)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.heading)
        row = QHBoxLayout()
        row.addWidget(self.sync_indicator, 1)
        row.addWidget(self.acknowledge_button)
        column.addLayout(row)
        column.addWidget(self.error_view)
        column.addWidget(self.notice)
        column.addWidget(self.tabs, 1)
        splitter = QSplitter(Qt.Orientation.Horizontal, self)
        splitter.addWidget(left)
        splitter.addWidget(self.detail)
        splitter.setStretchFactor(1, 4)
        layout = QVBoxLayout(self)
        layout.addWidget(splitter)

        self._listed: list[SessionOut] = []
        self._shut = False
        self._grids: tuple[object, ...] = ()
        self.space: ExpertWorkspace | None = None
        self.session: SessionOut | None = None
        self.live: LiveChannel | None = None
        self.offline = False
        self._tasks: set[Task] = set()
        self._syncing = False
        self._retry = QTimer(self)
        self._retry.setSingleShot(True)
        self._retry.timeout.connect(self.sync_now)

        self.review_grid.review_entered.connect(self._save_review)
        self.scoring_grid.score_entered.connect(self._save_score)
        self.scoring_grid.submit_requested.connect(self.submit_sheet)
        self.phase_panel.checkin_requested.connect(self._check_in)
        self.phase_panel.vote_requested.connect(self._vote)
        self.phase_panel.submit_requested.connect(self.submit_sheet)
        self.phase_panel.advance_requested.connect(self._advance)
        self.summary_view.return_requested.connect(self._return_sheet)
        self.report_panel.preview_requested.connect(self.preview_report)
        self.report_panel.sign_requested.connect(self._sign_report)
        self.documents.bid_folder_chosen.connect(self._open_bid_folder)
        self.clarifications.ask_requested.connect(self._ask)
        self.clarifications.refresh_requested.connect(self.read_clarifications)
        context.session_changed.connect(lambda _s: self._signed_in_changed())
        app = QCoreApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(self.shutdown)  # the live thread stops and the journal closes first
        self.detail.setEnabled(False)
        self.retranslate()
        if context.session is not None:
            self.refresh()

    # --- texts ---

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def retranslate(self) -> None:
        self.sessions_list.setAccessibleName(self.tr("Your evaluation sessions"))
        self.refresh_button.setText(self.tr("Refresh"))
        self.refresh_button.setAccessibleName(self.tr("Refresh the list of sessions"))
        self.acknowledge_button.setText(self.tr("Acknowledge"))
        self.acknowledge_button.setAccessibleName(self.tr("Acknowledge the edits the server did not apply"))
        self.acknowledge_button.setToolTip(self.tr("Let the edits the server did not apply go, having read why: "
                                                   "they stay in your journal with the server's answer."))
        for index, text in enumerate((self.tr("Session"), self.tr("Documents"), self.tr("Review"),
                                      self.tr("Scoring"), self.tr("Summary"), self.tr("Report"),
                                      self.tr("Clarifications"))):
            self.tabs.setTabText(index, text)
        self.tabs.setAccessibleName(self.tr("The session's work"))
        self._show_heading()
        self._list_sessions(self._listed)

    # --- jobs ---

    @property
    def busy(self) -> bool:
        return bool(self._tasks)

    def _run(self, job: Callable[[TaskContext], Any], done: Callable[[Any], None], *, name: str,
             journal: bool = False, failed: Callable[[BaseException], None] | None = None) -> Task:
        task = Task(job, name=name)
        self._tasks.add(task)
        on_error = failed or self._failed

        def succeeded(result: object) -> None:
            if not self._shut and shiboken6.isValid(self):  # a page closed meanwhile shows nothing
                done(result)

        def failed_(error: BaseException) -> None:
            if not self._shut and shiboken6.isValid(self):
                on_error(error)

        task.signals.succeeded.connect(succeeded)
        task.signals.failed.connect(failed_)
        task.signals.finished.connect(lambda: self._tasks.discard(task))
        pool: QThreadPool | None = journal_pool() if journal else None
        start(task, pool)
        return task

    def _failed(self, error: BaseException) -> None:
        self.notice.clear()
        self.error_view.show_error(error)

    def _identity(self) -> str:
        return self.context.session.account.identity_key if self.context.session is not None else ""

    def _certificate(self) -> str:
        return self.context.session.certificate_sha256 if self.context.session is not None else ""

    # --- the list of sessions ---

    def _signed_in_changed(self) -> None:
        self.close_session()
        self._listed = []
        self._list_sessions([])
        if self.context.session is not None:
            self.refresh()

    def refresh(self) -> None:
        client = self.context.client()
        if client is None:
            return
        self._run(lambda _ctx: desk.my_sessions(client), self._list_sessions, name="evaluation-sessions")

    def _list_sessions(self, sessions: list[SessionOut]) -> None:
        self._listed = [s for s in sessions if s.your_role in ("expert", "chair")]
        current = self.session.id if self.session is not None else None
        self.sessions_list.clear()
        for s in self._listed:
            item = QListWidgetItem(f"{s.tender_id} · {phase_title(s.phase)}\n{s.id}")
            item.setData(Qt.ItemDataRole.UserRole, s.id)
            item.setToolTip(s.id)
            self.sessions_list.addItem(item)
            if s.id == current:
                self.sessions_list.setCurrentItem(item)
        if not self._listed and self.sessions_list.count() == 0:
            self.sessions_list.setAccessibleDescription(self.tr("No evaluation session to take part in."))

    def _activated(self, item: QListWidgetItem) -> None:
        session_id = str(item.data(Qt.ItemDataRole.UserRole))
        if self.session is None or self.session.id != session_id:
            self.open_session(session_id)

    # --- one session ---

    def open_session(self, session_id: str) -> None:
        client = self.context.client()
        identity = self._identity()
        if client is None:
            return
        self.close_session()
        self.error_view.clear()
        self.heading.setText(self.tr("Opening %1…").replace("%1", session_id))
        self._run(lambda _ctx: _read(desk.open_expert_workspace(client, session_id, identity)), self._opened,
                  name="evaluation-open", journal=True)

    def close_session(self) -> None:
        self._retry.stop()
        if self.live is not None:
            self.live.stop()
            self.live.deleteLater()
            self.live = None
        if self.space is not None:
            space = self.space
            self._run(lambda _ctx: space.close(), lambda _r: None, name="evaluation-close", journal=True)
        self.space = None
        self.session = None
        self._grids = ()
        self.detail.setEnabled(False)

    def _opened(self, opened: _Opened) -> None:
        self.space = opened.space
        self._show(opened)
        client = self.context.client()
        if client is not None:
            self.live = LiveChannel(client, f"evaluation:{opened.session.id}", parent=self)
            self.live.received.connect(self._event)
            self.live.start()
            self.read_clarifications()
            tender = opened.session.tender_id
            folder = data_dir() / "evaluation" / "tenders"
            self._run(lambda _ctx: desk.tender_documents(client, tender, folder), self.documents.set_tender_files,
                      name="evaluation-tender",
                      failed=lambda ex: self.documents.set_tender_error(self._describe(ex)))
        self.documents.load_session(opened.session)
        self.sync_now()

    @staticmethod
    def _describe(error: BaseException) -> str:
        from bidclient.errors import describe

        message = describe(error)
        return f"{message.headline} {message.hint}".strip()

    def _event(self, event: Any) -> None:
        self.reload()
        if str(getattr(event, "kind", "")).startswith("evaluation.clarification"):
            self.read_clarifications()  # a question asked or an answer come back: verified on reading

    def reload(self) -> None:
        """Read the session again (a live event, after an action)."""
        space = self.space
        if space is None:
            return
        self._run(lambda _ctx: _reload(space), self._show, name="evaluation-reload", journal=True)

    def _show(self, opened: _Opened) -> None:
        if opened.space is not self.space:
            return
        self.session = opened.session
        session = opened.session
        identity = self._identity()
        me = desk.member_of(session, identity)
        active = me is not None and me.status == MemberStatus.DECLARED
        self.detail.setEnabled(True)
        self._show_heading()
        self.phase_panel.show_session(session, identity)
        review_editable = active and session.phase == Phase.REVIEW
        scoring_editable = (active and session.phase in (Phase.SCORING, Phase.SUMMARY) and me is not None
                            and me.sheet_state != SheetState.SUBMITTED)
        # Rebuilt only when what they show changes: a live event must not throw away a verdict being given.
        values = opened.values
        grids = (session.id, session.phase, tuple(session.excluded_bids), review_editable, scoring_editable,
                 tuple(sorted(values.problems)))
        if grids != self._grids:
            self._grids = grids
            self.review_grid.load(session, values.reviews, editable=review_editable)
            self.scoring_grid.load(session, values.scores, opened.computed, editable=scoring_editable)
            self.scoring_grid.mark_problems({(b, i): why for (k, b, i), why in values.problems.items()
                                             if k == "score"})
        self._set_status(opened.status)
        self.clarifications.set_bids([(b.id, b.name) for b in session.definition.bids], ask_allowed=active)
        chair = session.chair == identity
        self.tabs.setTabVisible(SUMMARY_TAB, chair)
        self.tabs.setTabEnabled(REPORT_TAB, session.phase in (Phase.REPORT, Phase.CLOSED))
        self.report_panel.sign_button.setEnabled(session.phase == Phase.REPORT and active)
        if chair:
            self._show_summary()
        if session.phase in (Phase.REPORT, Phase.CLOSED):
            client = self.context.client()
            if client is not None:
                self._run(lambda _ctx: desk.report_signatures(client, session.id),
                          self.report_panel.show_signatures, name="evaluation-signatures")
        for n, s in enumerate(self._listed):
            if s.id == session.id:
                self._listed[n] = session
        self._list_sessions(self._listed)

    def _show_heading(self) -> None:
        s = self.session
        if s is None:
            self.heading.setText(self.tr("Choose a session on the left."))
            return
        role = self.tr("chair") if s.chair == self._identity() else self.tr("expert")
        self.heading.setText(self.tr("Tender %1 · session %2 · phase: %3 · you: %4")
                             .replace("%1", s.tender_id).replace("%2", s.id).replace("%3", phase_title(s.phase))
                             .replace("%4", role))

    def _tab_changed(self, index: int) -> None:
        if index == SUMMARY_TAB:
            self._show_summary()

    # --- the journal: edits and sync ---

    def _set_status(self, status: JournalStatus, report: SyncReport | None = None) -> None:
        if report is not None:
            self.offline = bool(report.offline)
        self.sync_indicator.set_status(status, offline=self.offline)
        self.acknowledge_button.setVisible(self.sync_indicator.state is SyncState.CONFLICT)
        if status.pending and not self._retry.isActive():
            self._retry.start(self.retry_interval_ms)

    def _saved(self, result: tuple[SyncReport, JournalStatus]) -> None:
        report, status = result
        self._syncing = False
        self._set_status(status, report)
        if report.conflicts or report.rejected or (not status.conflicts and not status.rejected and self._grids
                                                   and self._grids[-1]):
            self.reload()  # the grid shows what the server holds, the edits it did not apply marked

    def _save_failed(self, error: BaseException) -> None:
        self._syncing = False
        self._failed(error)
        self.reload()  # the grid shows the journal again, without the refused value

    def _save_score(self, bid: str, criterion: str, value: str, comment: str) -> None:
        space = self.space
        if space is None:
            return
        self.sync_indicator.set_state(SyncState.SYNCING)
        self._syncing = True
        self.error_view.clear()

        def job(_ctx: TaskContext) -> tuple[SyncReport, JournalStatus]:
            saved = space.score(bid, criterion, value, comment=comment)
            return saved.sync, space.status()

        self._run(job, self._saved, name="evaluation-score", journal=True, failed=self._save_failed)

    def _save_review(self, bid: str, item: str, passed: bool, reason: str) -> None:
        space = self.space
        if space is None:
            return
        self.sync_indicator.set_state(SyncState.SYNCING)
        self._syncing = True
        self.error_view.clear()

        def job(_ctx: TaskContext) -> tuple[SyncReport, JournalStatus]:
            saved = space.review(bid, item, passed=passed, reason=reason)
            return saved.sync, space.status()

        self._run(job, self._saved, name="evaluation-review", journal=True, failed=self._save_failed)

    def sync_now(self) -> None:
        space = self.space
        if space is None or self._syncing:
            return
        self._syncing = True
        if self.sync_indicator.state is not SyncState.CONFLICT:
            self.sync_indicator.set_state(SyncState.SYNCING)

        def job(_ctx: TaskContext) -> tuple[SyncReport, JournalStatus]:
            return space.sync(), space.status()

        self._run(job, self._saved, name="evaluation-sync", journal=True, failed=self._save_failed)

    def acknowledge_conflicts(self) -> None:
        space = self.space
        if space is None:
            return

        def job(_ctx: TaskContext) -> tuple[SyncReport, JournalStatus]:
            status = space.status()
            space.journal.acknowledge([e.edit_id for e, _d in [*status.conflicts, *status.rejected]])
            return SyncReport(), space.status()

        self._run(job, self._saved, name="evaluation-acknowledge", journal=True)

    # --- actions of the phases ---

    def _check_in(self, conflict: bool, detail: str) -> None:
        client, session, prompter = self.context.client(), self.session, self.context.pin_source
        if client is None or session is None or prompter is None:
            return
        identity, sha = self._identity(), self._certificate()
        self.error_view.clear()
        self._run(lambda _ctx: desk.check_in_and_declare(client, session.id, identity, sha, prompter,
                                                         conflict=conflict, detail=detail),
                  lambda _s: self._done(self.tr("Checked in; your declaration and commitment are signed.")),
                  name="evaluation-checkin")

    def _vote(self, candidate: str) -> None:
        client, session = self.context.client(), self.session
        if client is None or session is None or not candidate:
            return
        self._run(lambda _ctx: desk.vote_chair(client, session.id, candidate),
                  lambda _s: self._done(self.tr("Your vote is recorded.")), name="evaluation-vote")

    def _advance(self, phase: str) -> None:
        client, session = self.context.client(), self.session
        if client is None or session is None:
            return
        self._run(lambda _ctx: desk.advance(client, session.id, phase),
                  lambda s: self._done(self.tr("The session is now in phase: %1").replace("%1", phase_title(s.phase))),
                  name="evaluation-advance")

    def submit_sheet(self) -> None:
        space, prompter = self.space, self.context.pin_source
        if space is None or prompter is None:
            return
        sha = self._certificate()
        self.error_view.clear()
        self._run(lambda _ctx: desk.submit_sheet(space, sha, prompter),
                  lambda _s: self._done(self.tr("Your score sheet is signed and submitted; it is now frozen.")),
                  name="evaluation-submit", journal=True)

    def _done(self, message: str) -> None:
        self.error_view.clear()
        self.notice.setText(message)
        self.reload()

    def _show_summary(self) -> None:
        session, client = self.session, self.context.client()
        if session is None or client is None or session.chair != self._identity():
            return
        active = [m for m in session.members if m.status == MemberStatus.DECLARED]
        submitted = sum(1 for m in active if m.sheet_state == SheetState.SUBMITTED)
        if session.phase in (Phase.CHECKIN, Phase.ELECTION, Phase.READING, Phase.REVIEW, Phase.SCORING) \
                or submitted < len(active):
            self.summary_view.show_waiting(submitted, len(active))
            return
        self._run(lambda _ctx: desk.chair_summary(client, session.id),
                  lambda summary: self.summary_view.show_summary(session, summary), name="evaluation-summary")

    def _return_sheet(self, expert: str, reason: str) -> None:
        client, session = self.context.client(), self.session
        if client is None or session is None:
            return
        self._run(lambda _ctx: desk.return_sheet(client, session.id, expert, reason),
                  lambda _s: self._done(self.tr("The sheet is returned to %1 with your reason.")
                                        .replace("%1", expert.removeprefix("person:"))),
                  name="evaluation-return")

    def _report_folder(self) -> Path:
        return data_dir() / "evaluation" / "reports"

    def preview_report(self) -> None:
        client, session = self.context.client(), self.session
        if client is None or session is None:
            return
        identity, folder = self._identity(), self._report_folder()
        self._run(lambda _ctx: desk.current_report(client, session.id, identity, folder),
                  lambda path: self.report_panel.viewer.open(path), name="evaluation-report")

    def _sign_report(self, stance: str, reasons: str) -> None:
        client, session, prompter = self.context.client(), self.session, self.context.pin_source
        if client is None or session is None or prompter is None:
            return
        identity, sha, folder = self._identity(), self._certificate(), self._report_folder()
        self.error_view.clear()

        def signed(result: desk.ReportSigned) -> None:
            self.report_panel.viewer.close_document()
            self.report_panel.viewer.open(result.path)
            self._done(self.tr("You signed the report (signature %1).").replace("%1", str(result.signature.position)))

        self._run(lambda _ctx: desk.sign_and_upload_report(client, session.id, identity, sha, prompter,
                                                           stance, reasons, folder),  # type: ignore[arg-type]
                  signed, name="evaluation-sign-report")

    # --- clarifications ---

    def read_clarifications(self) -> None:
        client, session = self.context.client(), self.session
        if client is None or session is None:
            return
        from bidclient.evaluation.clarifications import session_clarifications

        self._run(lambda _ctx: session_clarifications(client, session), self._clarifications_read,
                  name="evaluation-clarifications")

    def _clarifications_read(self, items: list[Any]) -> None:
        if self.session is not None and all(c.session_id == self.session.id for c in items):
            self.clarifications.show_items(items)

    def _ask(self, bid: str, question: str) -> None:
        client, session = self.context.client(), self.session
        if client is None or session is None:
            return
        from bidclient.evaluation import clarifications

        def asked(_out: object) -> None:
            self.clarifications.asked()
            self._done(self.tr("The question was sent to the bidder through the platform."))
            self.read_clarifications()

        self.error_view.clear()
        self._run(lambda _ctx: clarifications.ask(client, session.id, bid, question), asked,
                  name="evaluation-ask")

    def _open_bid_folder(self, bid: str, folder: str) -> None:
        self._run(lambda _ctx: desk.bid_documents(Path(folder)),
                  lambda documents: self.documents.set_bid_documents(bid, documents), name="evaluation-bid")

    # --- closing ---

    def shutdown(self) -> None:
        """Stop following the session and close the journal (before the window closes)."""
        self._shut = True
        self.close_session()
