"""6 Committee: hand the opened bids to the seated evaluation committee (docs/evaluation.md "The opened bids
reach the committee"). The table shows, per opened bid and seated expert, whether the expert holds the bid's
key; the host's button runs bidclient.opening_handover (one PIN, one confirmation) as a worker task. A
supervisor sees the same table, read-only. Nothing here decides: the core and the server do."""

from __future__ import annotations

import shiboken6
from PySide6.QtCore import QEvent
from PySide6.QtWidgets import QHBoxLayout, QPushButton, QVBoxLayout, QWidget

from bidclient import opening_handover
from bidclient import opening_host as oh
from bidclient.protocol.handover import HandoverOut
from bidclient.signing import load_trust
from ui.error_view import plain_label
from ui.opening.common import fill_row, named, read_only_table
from ui.opening.controller import OpeningController
from ui.workers import Task, start

# The opening's states after the announcement: the bids are decided, the committee may receive them.
DECIDED = ("announced", "record_drafted", "host_signed", "signed", "published")


class HandoverPage(QWidget):
    def __init__(self, controller: OpeningController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("openingHandoverPage")
        self.controller = controller
        self.sessions: list[HandoverOut] = []
        self._load: Task | None = None
        self._again = False
        self._handed: int | None = None  # envelopes made by the last hand-over from this terminal
        self._tender = ""
        self.hand_over_button = named(QPushButton(self), "handOverButton")
        self.hand_over_button.clicked.connect(self.hand_over)
        self.note = plain_label(self, name="handoverNote")
        self.note.setWordWrap(True)
        self.table = read_only_table(2, self, "handoverTable")
        row = QHBoxLayout()
        row.addWidget(self.hand_over_button)
        row.addWidget(self.note, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(row)
        layout.addWidget(self.table, 1)
        controller.view_changed.connect(self.show_view)
        controller.busy_changed.connect(lambda _b: self.update_buttons())
        controller.succeeded.connect(self._succeeded)
        self.retranslate()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def retranslate(self) -> None:
        self.hand_over_button.setText(self.tr("Hand the opened bids to the committee"))
        self.hand_over_button.setAccessibleName(self.tr("Hand the opened bids to the evaluation committee"))
        self.hand_over_button.setToolTip(self.tr("Each opened bid's key is wrapped to each seated expert's own "
                                                 "encryption certificate: only the expert's dongle opens it. The "
                                                 "bids stay on the server as submitted."))
        self.table.setAccessibleName(self.tr("Which expert holds which opened bid"))
        self._show()

    # --- the state ---

    def show_view(self, view: oh.HostView | None) -> None:
        if view is None or view.tender_id != self._tender:
            self._handed = None
            self._tender = view.tender_id if view is not None else ""
        if view is None or view.role is oh.Role.OTHER or view.state not in DECIDED:
            self.sessions = []
            self._show()
            return
        self.load()

    def load(self) -> None:
        """Read the hand-over state of the tender's evaluation sessions (coalesced with a load under way)."""
        client = self.controller.context.client()
        tender = self.controller.tender_id
        if client is None or not tender:
            return
        if self._load is not None:
            self._again = True
            return
        task = Task(lambda _ctx: opening_handover.handover_state(client, tender), name="opening-handover-state")
        task.signals.succeeded.connect(self._loaded)
        task.signals.failed.connect(self._load_failed)
        task.signals.finished.connect(self._load_done)
        self._load = start(task)

    def _loaded(self, sessions: object) -> None:
        if shiboken6.isValid(self):
            assert isinstance(sessions, list)
            self.sessions = sessions
            self._show()

    def _load_failed(self, error: BaseException) -> None:
        if shiboken6.isValid(self) and getattr(error, "code", "") not in ("opening.not_found",):
            self.controller.failed.emit(error)

    def _load_done(self) -> None:
        self._load = None
        if self._again and shiboken6.isValid(self):
            self._again = False
            self.load()

    def _succeeded(self, name: str, result: object) -> None:
        if name == "hand-over" and isinstance(result, list):
            self.sessions = [r.session for r in result]
            self._handed = sum(r.handed for r in result)
            self._show()

    def _show(self) -> None:
        view = self.controller.view
        self.hand_over_button.setVisible(view is not None and view.role is oh.Role.HOST)
        experts = [m.identity_key for s in self.sessions for m in s.members]
        self.table.setColumnCount(2 + len(experts))
        self.table.setHorizontalHeaderLabels([self.tr("No."), self.tr("Bidder"), *experts])
        rows = [(s, b) for s in self.sessions for b in s.bids]
        self.table.setRowCount(len(rows))
        for n, (session, bid) in enumerate(rows):
            cells = [str(bid.position), bid.organization or bid.identity_key]
            for expert in experts:
                if expert not in {m.identity_key for m in session.members}:
                    cells.append("")
                elif bid.state != "opened":
                    cells.append(self.tr("not opened: not handed over"))
                elif expert in bid.handed_to:
                    cells.append(self.tr("handed over"))
                else:
                    cells.append(self.tr("waiting"))
            fill_row(self.table, n, cells, background="#e8f5e9" if bid.state == "opened" and
                     len(bid.handed_to) == len(session.members) and session.members else None)
        lines = [self.tr("%n key envelope(s) handed over.", "", self._handed)] if self._handed is not None else []
        if view is not None and view.state not in DECIDED:
            lines.append(self.tr("The opened bids are handed to the evaluation committee after the announcement."))
        elif not self.sessions:
            lines.append(self.tr("No evaluation session of this tender yet."))
        for session in self.sessions:
            if not session.seated:
                lines.append(self.tr("Session %1: the committee is not seated yet (check-in open).")
                             .replace("%1", session.session_id))
            missing = [m.identity_key for m in session.members if not m.certificate]
            if missing:
                lines.append(self.tr("No encryption certificate registered yet: %1").replace("%1", ", ".join(missing)))
        self.note.setText("\n".join(lines))
        self.update_buttons()

    def update_buttons(self) -> None:
        ready = any(s.seated and s.missing() for s in self.sessions)
        self.hand_over_button.setEnabled(ready and not self.controller.busy)

    # --- the host's action ---

    def hand_over(self) -> None:
        tender, sha = self.controller.tender_id, self.controller.certificate_sha256()
        prompter = self.controller.context.pin_source
        if prompter is None:
            return
        self.controller.run("hand-over", lambda client, ctx: opening_handover.hand_over_signed_in(
            client, tender, sha(), prompter, load_trust([]), progress=ctx.progress))
