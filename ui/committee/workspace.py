"""The opening committee member's workspace (开标委员会): the committees the signed-in member belongs to and
their state, the key ceremony (deal my shares; check the shares I received against their senders'
commitments; acknowledge with a signed statement, or complain naming the member whose share is bad; answer a
complaint against me), and at the opening the remedy (补救方案): the bids awaiting the committee's partial
results, my contribution (one PIN) and how many of k have arrived.

Every step is a ui.workers.Task calling a core service (bidclient.committee, bidclient.opening) with the
signed-in dongle through the app's QtPrompter; the committee's live channel says when to read it again, and
the remedies are read again every few seconds while the workspace is shown.
"""

from __future__ import annotations

from typing import Any

import shiboken6
from PySide6.QtCore import QCoreApplication, QEvent, QTimer
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from bidclient import committee as committees
from bidclient import opening
from bidclient.live import ConnectionState
from bidclient.protocol.committee import CommitteeOut
from bidclient.protocol.opening import RemedyOut
from bidclient.signin import signed_in_fingerprint
from ui.context import AppContext
from ui.error_view import ErrorView, plain_label
from ui.live_adapter import ConnectionIndicator, LiveChannel
from ui.status_line import StatusLine
from ui.workers import Task, start
from ui.workspaces import WorkspaceSpec, register_workspace

REMEDY_POLL_MS = 5000


def _table(parent: QWidget, columns: int) -> QTableWidget:
    table = QTableWidget(0, columns, parent)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.verticalHeader().setVisible(False)
    table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    table.horizontalHeader().setStretchLastSection(True)
    return table


class CommitteeWorkspace(QWidget):
    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("committeeWorkspace")
        self.context = context
        self.committees: list[CommitteeOut] = []
        self.remedies: list[RemedyOut] = []
        self.bad_senders: tuple[int, ...] = ()
        self.check_detail = ""
        self.live: LiveChannel | None = None
        self._live_id: str | None = None
        self._tasks: set[Task] = set()
        self._listing: Task | None = None
        self._list_again = False
        self._remedy_task: Task | None = None
        self._checked_id: str | None = None  # the committee whose shares bad_senders describes

        self.heading = QLabel(self)
        self.heading.setStyleSheet("font-size: 18pt; font-weight: bold;")
        self.who = plain_label(self, name="committeeWho")
        self.refresh_button = QPushButton(self)
        self.indicator = ConnectionIndicator(self)
        self.list_table = _table(self, 6)
        self.list_table.setMinimumHeight(110)
        self.error_view = ErrorView(self)
        self.status_label = plain_label(self, name="committeeStatus")
        self.status_line = StatusLine(self.status_label)

        self.ceremony_box = QGroupBox(self)
        self.outcome_label = plain_label(self.ceremony_box, name="committeeOutcome")
        self.outcome_label.setStyleSheet("font-weight: bold;")
        self.members_table = _table(self.ceremony_box, 4)
        self.members_table.setMinimumHeight(110)
        self.check_label = plain_label(self.ceremony_box, name="committeeCheckResult")
        self.check_line = StatusLine(self.check_label)
        self.deal_button = QPushButton(self.ceremony_box)
        self.check_button = QPushButton(self.ceremony_box)
        self.ack_button = QPushButton(self.ceremony_box)
        self.accused_combo = QComboBox(self.ceremony_box)
        self.complain_button = QPushButton(self.ceremony_box)
        self.disclose_button = QPushButton(self.ceremony_box)

        self.remedy_box = QGroupBox(self)
        self.remedy_explanation = plain_label(self.remedy_box, name="committeeRemedyExplanation")
        self.remedy_table = _table(self.remedy_box, 4)
        self.remedy_table.setMinimumHeight(90)
        self.contribute_button = QPushButton(self.remedy_box)

        for widget, name in ((self.refresh_button, "committeeRefresh"), (self.list_table, "committeeList"),
                             (self.members_table, "committeeMembers"), (self.deal_button, "committeeDeal"),
                             (self.check_button, "committeeCheck"), (self.ack_button, "committeeAcknowledge"),
                             (self.accused_combo, "committeeAccused"), (self.complain_button, "committeeComplain"),
                             (self.disclose_button, "committeeDisclose"), (self.remedy_table, "committeeRemedies"),
                             (self.contribute_button, "committeeContribute")):
            widget.setObjectName(name)

        top = QHBoxLayout()
        top.addWidget(self.who, 1)
        top.addWidget(self.refresh_button)
        top.addWidget(self.indicator)
        steps = QHBoxLayout()
        for w in (self.deal_button, self.check_button, self.ack_button):
            steps.addWidget(w)
        steps.addStretch(1)
        complain = QHBoxLayout()
        complain.addWidget(self.accused_combo)
        complain.addWidget(self.complain_button)
        complain.addWidget(self.disclose_button)
        complain.addStretch(1)
        ceremony = QVBoxLayout(self.ceremony_box)
        ceremony.addWidget(self.outcome_label)
        ceremony.addWidget(self.members_table)
        ceremony.addLayout(steps)
        ceremony.addWidget(self.check_label)
        ceremony.addLayout(complain)
        remedy = QVBoxLayout(self.remedy_box)
        remedy.addWidget(self.remedy_explanation)
        remedy.addWidget(self.remedy_table)
        remedy_row = QHBoxLayout()
        remedy_row.addWidget(self.contribute_button)
        remedy_row.addStretch(1)
        remedy.addLayout(remedy_row)
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addLayout(top)
        layout.addWidget(self.list_table)
        layout.addWidget(self.status_label)
        layout.addWidget(self.error_view)
        layout.addWidget(self.ceremony_box)
        layout.addWidget(self.remedy_box)
        layout.addStretch(1)

        self.refresh_button.clicked.connect(self.refresh)
        self.list_table.itemSelectionChanged.connect(self._selected)
        self.deal_button.clicked.connect(self.deal)
        self.check_button.clicked.connect(self.check)
        self.ack_button.clicked.connect(self.acknowledge)
        self.complain_button.clicked.connect(self.complain)
        self.disclose_button.clicked.connect(self.disclose)
        self.contribute_button.clicked.connect(self.contribute)
        self.remedy_table.itemSelectionChanged.connect(self._update_buttons)
        context.session_changed.connect(lambda _s: self.refresh())
        self.poll = QTimer(self)
        self.poll.setInterval(REMEDY_POLL_MS)
        self.poll.timeout.connect(self.load_remedies)
        self.poll.start()
        self.retranslate()
        self.refresh()

    # --- language ---

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def retranslate(self) -> None:
        self.heading.setText(self.tr("Opening committee (开标委员会)"))
        self.refresh_button.setText(self.tr("Refresh"))
        self.list_table.setHorizontalHeaderLabels([self.tr("Committee"), self.tr("Tender"), self.tr("k of n"),
                                                   self.tr("State"), self.tr("I am member"), self.tr("Next step")])
        self.ceremony_box.setTitle(self.tr("Key ceremony"))
        self.members_table.setHorizontalHeaderLabels([self.tr("No."), self.tr("Member"), self.tr("Dealt"),
                                                      self.tr("Acknowledged")])
        self.deal_button.setText(self.tr("Deal my shares…"))
        self.check_button.setText(self.tr("Check the shares I received…"))
        self.ack_button.setText(self.tr("Acknowledge the committee key…"))
        self.complain_button.setText(self.tr("Complain about this member's share…"))
        self.disclose_button.setText(self.tr("Answer the complaint: disclose my share…"))
        self.remedy_box.setTitle(self.tr("Remedy at the opening (补救方案)"))
        self.remedy_explanation.setText(self.tr(
            "Bids whose bidders could not decrypt them: k members' partial results open them. Your dongle "
            "recomputes your key share in memory for each one; it is never stored."))
        self.remedy_table.setHorizontalHeaderLabels([self.tr("Bid No."), self.tr("Submission"),
                                                     self.tr("Partial results"), self.tr("State")])
        self.contribute_button.setText(self.tr("Contribute my partial result…"))
        for widget, name in ((self.refresh_button, self.tr("Refresh the committees")),
                             (self.list_table, self.tr("My committees")),
                             (self.members_table, self.tr("Committee members")),
                             (self.deal_button, self.tr("Deal my shares")),
                             (self.check_button, self.tr("Check the shares I received")),
                             (self.ack_button, self.tr("Acknowledge the committee key")),
                             (self.accused_combo, self.tr("Member whose share is bad")),
                             (self.complain_button, self.tr("Complain about this member's share")),
                             (self.disclose_button, self.tr("Disclose my share to answer the complaint")),
                             (self.remedy_table, self.tr("Bids awaiting partial results")),
                             (self.contribute_button, self.tr("Contribute my partial result"))):
            widget.setAccessibleName(name)
        self.status_line.retranslate()
        self.check_line.retranslate()
        self._show_who()
        self._show_list()
        self._show_detail()
        self._show_remedies()

    # --- tasks ---

    @property
    def busy(self) -> bool:
        return bool(self._tasks)

    def _alive(self, slot: Any) -> Any:
        """``slot``, called only while this widget exists (a task may finish after its window closed)."""

        def call(*args: object) -> None:
            if shiboken6.isValid(self):
                slot(*args)

        return call

    def _run(self, job: Any, on_done: Any, *, name: str, quiet: bool = False) -> Task:
        task = Task(job, name=name)
        task.signals.succeeded.connect(self._alive(on_done))
        task.signals.failed.connect(self._alive(self._failed))
        task.signals.finished.connect(self._alive(lambda: self._finished(task)))
        if not quiet:
            self._tasks.add(task)
        self._update_buttons()
        return start(task)

    def _failed(self, error: BaseException) -> None:
        self.error_view.show_error(error)
        self.status_line.clear()

    def _finished(self, task: Task) -> None:
        self._tasks.discard(task)
        if task is self._listing:
            self._listing = None
            if self._list_again:
                self._list_again = False
                self.refresh()
        if task is self._remedy_task:
            self._remedy_task = None
        self._update_buttons()

    # --- reading ---

    def refresh(self) -> None:
        client = self.context.client()
        self._show_who()
        if client is None:
            self.committees = []
            self._follow(None)
            self._show_list()
            self._show_detail()
            return
        if self._listing is not None:
            self._list_again = True
            return
        self._listing = self._run(lambda _ctx: committees.my_committees(client), self._listed, name="committees")

    def _show_who(self) -> None:
        session = self.context.session
        self.who.setText(self.tr("Signed in as {who}").format(who=session.enterprise_name or
                                                              session.account.identity_key)
                         if session is not None else self.tr("Sign in with your dongle to take part in a "
                                                             "committee."))

    def _listed(self, found: list[CommitteeOut]) -> None:
        chosen = self.selected_id
        self.committees = found
        self._show_list(chosen)
        self._selected()

    @property
    def selected_id(self) -> str | None:
        rows = self.list_table.selectionModel().selectedRows() if self.list_table.selectionModel() else []
        if rows and 0 <= rows[0].row() < len(self.committees):
            return self.committees[rows[0].row()].committee_id
        return None

    @property
    def selected(self) -> CommitteeOut | None:
        chosen = self.selected_id
        return next((c for c in self.committees if c.committee_id == chosen), None)

    def select(self, committee_id: str) -> None:
        for row, c in enumerate(self.committees):
            if c.committee_id == committee_id:
                self.list_table.selectRow(row)

    def _me(self) -> str:
        session = self.context.session
        return session.account.identity_key if session is not None else ""

    def my_number(self, out: CommitteeOut | None) -> int | None:
        if out is None:
            return None
        return next((m.number for m in out.members if m.identity == self._me()), None)

    def _selected(self) -> None:
        out = self.selected
        if out is None or out.committee_id != self._checked_id:
            self.bad_senders, self.check_detail = (), ""
            self._checked_id = out.committee_id if out is not None else None
            self.check_line.clear()
        self._follow(out.committee_id if out is not None else None)
        self._show_detail()
        self.remedies = []
        self._show_remedies()
        self.load_remedies()

    def _follow(self, committee_id: str | None) -> None:
        if committee_id == self._live_id and (committee_id is None or self.live is not None):
            return
        if self.live is not None:
            self.live.stop()
            self.live.deleteLater()
            self.live = None
        self._live_id = committee_id
        client = self.context.client()
        if committee_id is None or client is None:
            self.indicator.set_state(ConnectionState.OFFLINE)
            return
        self.live = LiveChannel(client, f"committee:{committee_id}", parent=self)
        self.live.received.connect(lambda _event: self.refresh())
        self.live.state_changed.connect(self.indicator.set_state)
        self.live.failed.connect(self.error_view.show_error)
        self.live.start()

    def load_remedies(self) -> None:
        """The selected committee's bids in the remedy (quietly, on a worker; every few seconds)."""
        out, client = self.selected, self.context.client()
        if out is None or client is None or out.status != "complete" or self._remedy_task is not None \
                or not self.isVisible():
            return
        committee_id, tender = out.committee_id, out.tender_id

        def job(_ctx: object) -> list[RemedyOut]:
            from bidclient.api_client import ApiError

            try:
                return [r for r in opening.list_remedies(client, tender) if r.committee_id == committee_id]
            except ApiError as ex:
                if ex.code == "opening.not_found":
                    return []  # the opening is not scheduled yet
                raise

        self._remedy_task = self._run(job, self._remedies_loaded, name="remedies", quiet=True)

    def _remedies_loaded(self, found: list[RemedyOut]) -> None:
        chosen = self.selected_remedy
        self.remedies = found
        self._show_remedies(chosen.submission_id if chosen is not None else None)

    @property
    def selected_remedy(self) -> RemedyOut | None:
        model = self.remedy_table.selectionModel()
        rows = model.selectedRows() if model is not None else []
        if rows and 0 <= rows[0].row() < len(self.remedies):
            return self.remedies[rows[0].row()]
        return None

    # --- what is shown ---

    def status_text(self, status: str) -> str:
        return {"dealing": self.tr("dealing"), "checking": self.tr("checking shares"),
                "disputed": self.tr("disputed (a complaint is open)"), "complete": self.tr("complete"),
                "failed": self.tr("failed"), "abandoned": self.tr("abandoned")}.get(status, status)

    def next_step(self, out: CommitteeOut) -> str:
        me = next((m for m in out.members if m.identity == self._me()), None)
        if out.status == "dealing":
            if me is not None and not me.dealt:
                return self.tr("Deal your shares.")
            waiting = ", ".join(str(m.number) for m in out.members if not m.dealt)
            return self.tr("Waiting for member(s) {numbers} to deal.").format(numbers=waiting)
        if out.status == "checking":
            if me is not None and not me.acknowledged:
                return self.tr("Check your shares, then acknowledge.")
            return self.tr("Waiting for the other members to acknowledge.")
        if out.status == "disputed":
            open_ = [c for c in out.complaints if c.resolution == "open"]
            if me is not None and any(c.accused == me.number for c in open_):
                return self.tr("A member complains about your share: answer by disclosing it.")
            accused = ", ".join(str(c.accused) for c in open_)
            return self.tr("Waiting for member(s) {numbers} to answer a complaint.").format(numbers=accused)
        if out.status == "complete":
            return self.tr("Ready: the committee can open a bid at the opening.")
        if out.status == "failed":
            return self.tr("The agency names a new committee.")
        return ""

    def _show_list(self, chosen: str | None = None) -> None:
        chosen = chosen or self.selected_id
        self.list_table.blockSignals(True)
        self.list_table.setRowCount(len(self.committees))
        for row, c in enumerate(self.committees):
            number = self.my_number(c)
            values = [c.committee_id, c.tender_id, f"{c.threshold} / {len(c.members)}", self.status_text(c.status),
                      str(number) if number is not None else "—", self.next_step(c)]
            for column, value in enumerate(values):
                self.list_table.setItem(row, column, QTableWidgetItem(value))
        ids = [c.committee_id for c in self.committees]
        if chosen in ids:
            self.list_table.selectRow(ids.index(chosen))
        elif ids and self.list_table.currentRow() < 0:
            self.list_table.selectRow(0)
        self.list_table.blockSignals(False)

    def outcome_text(self, out: CommitteeOut) -> str:
        lines = [self.tr("Committee {id} for tender {tender}: {state}. {k} of {n} members open a bid.").format(
            id=out.committee_id, tender=out.tender_id, state=self.status_text(out.status), k=out.threshold,
            n=len(out.members))]
        names = {m.number: m.name or m.identity for m in out.members}
        for c in out.complaints:
            who = self.tr("member {n} ({name})").format(n=c.accused, name=names.get(c.accused, ""))
            if c.resolution == "open":
                lines.append(self.tr("Member {m} complains that the share from {who} is bad; waiting for {who} to "
                                     "disclose it.").format(m=c.member, who=who))
            elif c.resolution == "disclosed":
                lines.append(self.tr("Member {m}'s complaint about {who}: settled, the disclosed share checks "
                                     "out.").format(m=c.member, who=who))
            else:
                lines.append(self.tr("Member {m}'s complaint about {who}: {who} is at fault, the disclosed share "
                                     "does not match its commitments.").format(m=c.member, who=who))
        if out.status == "failed" and out.status_reason:
            lines.append(self.tr("The ceremony failed: {reason}").format(reason=out.status_reason))
        elif out.status == "complete":
            lines.append(self.tr("Every member acknowledged: the committee certificate is issued."))
        return "\n".join(lines)

    def _show_detail(self) -> None:
        out = self.selected
        self.ceremony_box.setVisible(out is not None)
        if out is None:
            self._update_buttons()
            return
        self.outcome_label.setText(self.outcome_text(out))
        colour = {"failed": "#b00020", "disputed": "#b26a00", "complete": "#1b5e20"}.get(out.status, "#222")
        self.outcome_label.setStyleSheet(f"font-weight: bold; color: {colour};")
        self.members_table.setRowCount(len(out.members))
        yes, no = self.tr("yes"), self.tr("no")
        for row, m in enumerate(out.members):
            name = m.name or m.identity
            if m.identity == self._me():
                name += " " + self.tr("(you)")
            for column, value in enumerate([str(m.number), name, yes if m.dealt else no,
                                            yes if m.acknowledged else no]):
                self.members_table.setItem(row, column, QTableWidgetItem(value))
        mine = self.my_number(out)
        self.accused_combo.clear()
        for m in out.members:
            if m.number != mine:
                self.accused_combo.addItem(self.tr("Member {n}: {name}").format(n=m.number, name=m.name or m.identity),
                                           m.number)
        if self.bad_senders:
            index = self.accused_combo.findData(self.bad_senders[0])
            if index >= 0:
                self.accused_combo.setCurrentIndex(index)
        self._update_buttons()

    def _show_remedies(self, chosen: str | None = None) -> None:
        out = self.selected
        self.remedy_box.setVisible(out is not None and out.status == "complete")
        self.remedy_table.blockSignals(True)
        self.remedy_table.setRowCount(len(self.remedies))
        mine = self.my_number(out)
        for row, r in enumerate(self.remedies):
            arrived = opening.partials_received(r)
            count = self.tr("{n} of {k} arrived").format(n=arrived, k=r.threshold)
            if mine is not None and any(p.member == mine for p in r.partials):
                count += " " + self.tr("(yours included)")
            state = {"remedy": self.tr("awaiting partial results") if arrived < r.threshold
                     else self.tr("enough: the host can open it"),
                     "opened": self.tr("opened by the committee")}.get(r.state, r.state)
            for column, value in enumerate([str(r.position), r.submission_id, count, state]):
                self.remedy_table.setItem(row, column, QTableWidgetItem(value))
        ids = [r.submission_id for r in self.remedies]
        if chosen in ids:
            self.remedy_table.selectRow(ids.index(chosen))
        elif ids:
            self.remedy_table.selectRow(0)
        self.remedy_table.blockSignals(False)
        self._update_buttons()

    def _update_buttons(self) -> None:
        out = self.selected
        idle = not self._tasks and self.context.session is not None and out is not None
        me = next((m for m in out.members if m.identity == self._me()), None) if out is not None else None
        status = out.status if out is not None else ""
        self.deal_button.setEnabled(idle and me is not None and status == "dealing" and not me.dealt)
        self.check_button.setEnabled(idle and me is not None and status in ("checking", "disputed"))
        self.ack_button.setEnabled(idle and me is not None and status == "checking" and not me.acknowledged
                                   and not self.bad_senders)
        self.accused_combo.setEnabled(idle and me is not None and status in ("checking", "disputed"))
        self.complain_button.setEnabled(idle and me is not None and status in ("checking", "disputed")
                                        and not me.acknowledged and self.accused_combo.count() > 0)
        disputing = status in ("checking", "disputed")
        self.accused_combo.setVisible(disputing)
        self.complain_button.setVisible(disputing)
        self.check_label.setVisible(status != "complete" and bool(self.check_label.text()))
        accused_open = out is not None and me is not None and any(
            c.accused == me.number and c.resolution == "open" for c in out.complaints)
        self.disclose_button.setVisible(accused_open)
        self.disclose_button.setEnabled(idle and accused_open)
        remedy = self.selected_remedy
        self.contribute_button.setEnabled(idle and me is not None and remedy is not None and remedy.state == "remedy"
                                          and not any(p.member == me.number for p in remedy.partials))
        self.refresh_button.setEnabled(not self._tasks)

    # --- the steps ---

    def _member_step(self, step: Any, done: Any, *, name: str, doing: Any) -> None:
        session, out, prompter = self.context.session, self.selected, self.context.pin_source
        if session is None or out is None or prompter is None:
            return
        client = session.client
        self.error_view.clear()
        self.status_line.set(doing)
        self._run(lambda _ctx: committees.as_signed_in(client, signed_in_fingerprint(session), prompter,
                                                       lambda m: step(m, out.committee_id)), done, name=name)

    def _after(self, message: Any) -> Any:
        def done(result: object) -> None:
            if isinstance(result, CommitteeOut):
                self.committees = [result if c.committee_id == result.committee_id else c for c in self.committees]
                self._show_list()
                self._show_detail()
            self.status_line.set(message)
            self.refresh()

        return done

    def deal(self) -> None:
        self._member_step(committees.deal, self._after(lambda: self.tr("Your shares are dealt.")), name="deal",
                          doing=lambda: self.tr("Dealing… enter your dongle's PIN."))

    def check(self) -> None:
        def checked(result: committees.CheckResult) -> None:
            self.bad_senders, self.check_detail = result.bad_senders, result.detail
            self._checked_id = result.committee.committee_id
            if result.bad_senders:
                named = ", ".join(str(n) for n in result.bad_senders)
                self.check_line.set(lambda: self.tr(
                    "⚠ The share from member {numbers} does not match its commitments. Complain about it: the "
                    "member must then disclose it in public.").format(numbers=named))
                self.check_label.setStyleSheet("color: #b00020; font-weight: bold;")
            else:
                self.check_line.set(lambda: self.tr("✓ Every share you received matches its sender's commitments: "
                                                    "you can acknowledge."))
                self.check_label.setStyleSheet("color: #1b5e20; font-weight: bold;")
            self.status_line.clear()
            self._show_detail()

        self._member_step(committees.check, checked, name="check",
                          doing=lambda: self.tr("Checking your shares… enter your dongle's PIN."))

    def acknowledge(self) -> None:
        prompter = self.context.pin_source
        if prompter is None:
            return
        self._member_step(lambda m, cid: committees.acknowledge(m, cid, prompter),
                          self._after(lambda: self.tr("Your acknowledgment is signed and sent.")), name="ack",
                          doing=lambda: self.tr("Checking and signing… enter your dongle's PIN."))

    def complain(self) -> None:
        accused = self.accused_combo.currentData()
        if accused is None:
            return
        reason = self.check_detail or "the share does not match the sender's commitments"
        self._member_step(lambda m, cid: committees.complain(m, cid, int(accused), reason),
                          self._after(lambda: self.tr("Your complaint about member {n} is signed and sent.").format(
                              n=accused)), name="complain",
                          doing=lambda: self.tr("Signing the complaint… enter your dongle's PIN."))

    def disclose(self) -> None:
        out = self.selected
        mine = self.my_number(out)
        prompter = self.context.pin_source
        if out is None or mine is None or prompter is None:
            return
        complaint = next((c for c in out.complaints if c.accused == mine and c.resolution == "open"), None)
        if complaint is None:
            return
        self._member_step(lambda m, cid: committees.disclose(m, cid, complaint.member, prompter),
                          self._after(lambda: self.tr("Your share is disclosed.")), name="disclose",
                          doing=lambda: self.tr("Disclosing… enter your dongle's PIN."))

    def contribute(self) -> None:
        session, out, remedy = self.context.session, self.selected, self.selected_remedy
        prompter = self.context.pin_source
        if session is None or out is None or remedy is None or prompter is None:
            return
        client = session.client
        tender, submission = out.tender_id, remedy.submission_id
        self.error_view.clear()
        self.status_line.set(lambda: self.tr("Computing your partial result… confirm, then enter your dongle's PIN."))

        def done(result: RemedyOut) -> None:
            self.remedies = [result if r.submission_id == result.submission_id else r for r in self.remedies]
            self._show_remedies(result.submission_id)
            self.status_line.set(lambda: self.tr("Your partial result is sent: {n} of {k} arrived.").format(
                n=opening.partials_received(result), k=result.threshold))

        self._run(lambda _ctx: opening.contribute_partial_signed_in(
            client, tender, submission, signed_in_fingerprint(session), prompter),
                  done, name="partial")

    # --- main window hooks ---

    def workspace_activated(self) -> None:
        self.refresh()

    def stop(self) -> None:
        self.poll.stop()
        self._follow(None)

    def can_close(self) -> bool:
        self.stop()
        return True


register_workspace(WorkspaceSpec(
    role="committee",
    title=lambda: QCoreApplication.translate("Workspaces", "Opening committee"),
    factory=CommitteeWorkspace,
))
