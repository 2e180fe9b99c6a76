"""The agency's draw page: request a committee draw for a tender, commit, run, follow the answers, keep the
verifiable record.

Every action is a ui.workers.Task calling bidclient.experts (the core); the page only shows. The rules are
checked as the agency types (bidclient.experts.check_request, with the tender's budget and complexity read
from its definition); the server checks again, and its refusal is shown with the ErrorView. Acceptance is
followed live on the channel ``draw:<id>`` (counts only: the agency sees names once the evaluation begins).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from PySide6.QtCore import QDateTime, QEvent, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDateTimeEdit,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from bidclient import timefmt
from bidclient.errors import BidclientError, describe
from bidclient.experts import (
    DrawVerification,
    ExpertsService,
    TenderFacts,
    build_request,
    check_request,
    tender_facts,
    verify_record,
    write_record,
)
from bidclient.protocol import experts as proto
from bidclient.protocol.live import LiveEventOut
from ui.context import AppContext
from ui.error_view import ErrorView, plain_label
from ui.live_adapter import LiveChannel
from ui.workers import Task, start

SPECIALTY, COUNT, RESERVES, REGIONS = range(4)
MEMBER_COLUMNS = 6


def name_widget(widget: QWidget, name: str) -> None:
    """Give a widget its accessible name, and the line edit inside a spin box or date edit the same."""
    widget.setAccessibleName(name)
    for inner in widget.findChildren(QLineEdit):
        inner.setAccessibleName(name)


class DrawPage(QWidget):
    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("agencyDrawPage")
        self.context = context
        self.specialties: list[proto.SpecialtyOut] = []
        self.facts: TenderFacts | None = None
        self.draw: proto.DrawOut | None = None
        self.verification: DrawVerification | None = None
        self.live: LiveChannel | None = None
        self.events: list[LiveEventOut] = []
        self.busy = False
        self.rules_ok = False
        self._refresh_pending = False
        self.last_task: Task | None = None
        self.error_view = ErrorView(self)

        # --- the request ---
        self.request_box = QGroupBox(self)
        self.tender_edit = QLineEdit(self.request_box)
        self.tender_edit.setObjectName("drawTender")
        self.lookup_button = QPushButton(self.request_box)
        self.lookup_button.setObjectName("drawLookup")
        self.lookup_button.clicked.connect(self.look_up)
        self.tender_edit.returnPressed.connect(self.look_up)
        self.tender_info = plain_label(self.request_box, name="drawTenderInfo")
        self.slots_table = QTableWidget(0, 4, self.request_box)
        self.slots_table.setObjectName("drawSlots")
        self.slots_table.verticalHeader().setVisible(False)
        self.slots_table.horizontalHeader().setSectionResizeMode(REGIONS, QHeaderView.ResizeMode.Stretch)
        self.slots_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.slots_table.setMinimumHeight(110)
        self.slots_table.setMaximumHeight(170)
        self.add_slot_button = QPushButton(self.request_box)
        self.add_slot_button.setObjectName("drawAddSlot")
        self.add_slot_button.clicked.connect(lambda: self.add_slot())
        self.remove_slot_button = QPushButton(self.request_box)
        self.remove_slot_button.setObjectName("drawRemoveSlot")
        self.remove_slot_button.clicked.connect(self.remove_slot)
        self.representatives_spin = QSpinBox(self.request_box)
        self.representatives_spin.setObjectName("drawRepresentatives")
        self.representatives_spin.setRange(0, 10)
        now = datetime.now(timefmt.display_zone()).replace(minute=0, second=0, microsecond=0)
        start_at = (now + timedelta(days=3)).replace(hour=9)
        self.starts_edit = self._time_edit("drawStarts", start_at)
        self.ends_edit = self._time_edit("drawEnds", start_at + timedelta(hours=8))
        self.respond_edit = self._time_edit("drawRespondBy", now + timedelta(days=1))
        self.place_edit = QLineEdit("remote", self.request_box)
        self.place_edit.setObjectName("drawPlace")
        self.tenderer_edit = QLineEdit(self.request_box)
        self.tenderer_edit.setObjectName("drawTendererUscc")
        self.tenderer_edit.setMaxLength(18)
        self.reason_edit = QLineEdit(self.request_box)
        self.reason_edit.setObjectName("drawRedrawReason")
        self.rules_label = plain_label(self.request_box, name="drawRules")
        self.commit_button = QPushButton(self.request_box)
        self.commit_button.setObjectName("drawCommit")
        self.commit_button.clicked.connect(self.commit)
        self.form = QFormLayout()
        tender_row = QHBoxLayout()
        tender_row.addWidget(self.tender_edit, 1)
        tender_row.addWidget(self.lookup_button)
        slot_buttons = QHBoxLayout()
        slot_buttons.addWidget(self.add_slot_button)
        slot_buttons.addWidget(self.remove_slot_button)
        slot_buttons.addStretch(1)
        times = QHBoxLayout()
        for edit in (self.starts_edit, self.ends_edit):
            times.addWidget(edit)
        fields: list[QWidget | QHBoxLayout] = [tender_row, self.tender_info, self.slots_table, slot_buttons,
                                               self.representatives_spin, times, self.respond_edit,
                                               self.place_edit, self.tenderer_edit, self.reason_edit]
        self.form_labels: list[QLabel] = []
        for field in fields:
            label = QLabel(self.request_box)
            self.form_labels.append(label)
            if isinstance(field, QWidget):
                label.setBuddy(field)
                self.form.addRow(label, field)
            else:
                self.form.addRow(label, field)
        self.form_labels[0].setBuddy(self.tender_edit)
        self.form_labels[5].setBuddy(self.starts_edit)
        request_layout = QVBoxLayout(self.request_box)
        request_layout.addLayout(self.form)
        request_layout.addWidget(self.rules_label)
        request_layout.addWidget(self.commit_button)
        request_layout.addStretch(1)

        # --- the draw ---
        self.draw_box = QGroupBox(self)
        self.open_edit = QLineEdit(self.draw_box)
        self.open_edit.setObjectName("drawOpenId")
        self.open_button = QPushButton(self.draw_box)
        self.open_button.setObjectName("drawOpen")
        self.open_button.clicked.connect(self.open_draw)
        self.open_edit.returnPressed.connect(self.open_draw)
        self.state_label = plain_label(self.draw_box, name="drawState")
        self.commitment_label = self._selectable("drawCommitment")
        self.snapshot_label = self._selectable("drawSnapshot")
        self.seed_label = self._selectable("drawSeed")
        self.run_button = QPushButton(self.draw_box)
        self.run_button.setObjectName("drawRun")
        self.run_button.clicked.connect(self.run)
        self.progress = QProgressBar(self.draw_box)
        self.progress.setObjectName("drawAcceptance")
        self.progress.setFormat("%v / %m")
        self.counts_label = plain_label(self.draw_box, name="drawCounts")
        self.names_label = plain_label(self.draw_box, name="drawNamesNote")
        self.members_table = QTableWidget(0, MEMBER_COLUMNS, self.draw_box)
        self.members_table.setObjectName("drawMembers")
        self.members_table.verticalHeader().setVisible(False)
        self.members_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.members_table.horizontalHeader().setStretchLastSection(True)
        self.events_list = QListWidget(self.draw_box)
        self.events_list.setObjectName("drawEvents")
        self.events_list.setMaximumHeight(120)
        self.save_button = QPushButton(self.draw_box)
        self.save_button.setObjectName("drawSaveRecord")
        self.save_button.clicked.connect(self.save_record)
        self.verify_button = QPushButton(self.draw_box)
        self.verify_button.setObjectName("drawVerify")
        self.verify_button.clicked.connect(self.verify)
        self.recheck_button = QPushButton(self.draw_box)
        self.recheck_button.setObjectName("drawRecheck")
        self.recheck_button.clicked.connect(self.recheck)
        self.verify_label = plain_label(self.draw_box, name="drawVerification")
        open_row = QHBoxLayout()
        open_row.addWidget(self.open_edit, 1)
        open_row.addWidget(self.open_button)
        actions = QHBoxLayout()
        for button in (self.run_button, self.save_button, self.verify_button, self.recheck_button):
            actions.addWidget(button)
        actions.addStretch(1)
        draw_layout = QVBoxLayout(self.draw_box)
        draw_layout.addLayout(open_row)
        for widget in (self.state_label, self.commitment_label, self.snapshot_label, self.seed_label):
            draw_layout.addWidget(widget)
        draw_layout.addLayout(actions)
        draw_layout.addWidget(self.progress)
        draw_layout.addWidget(self.counts_label)
        draw_layout.addWidget(self.names_label)
        draw_layout.addWidget(self.members_table)
        draw_layout.addWidget(self.events_list)
        draw_layout.addWidget(self.verify_label)
        draw_layout.addStretch(1)

        columns = QHBoxLayout()
        columns.addWidget(self.request_box, 1)
        columns.addWidget(self.draw_box, 1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.error_view)
        layout.addLayout(columns, 1)

        for signal in (self.representatives_spin.valueChanged, self.starts_edit.dateTimeChanged,
                       self.ends_edit.dateTimeChanged, self.respond_edit.dateTimeChanged,
                       self.tender_edit.textChanged, self.reason_edit.textChanged):
            signal.connect(lambda *_a: self.check_rules())
        context.session_changed.connect(self._session_changed)
        self.add_slot("", 5, 2)
        self.retranslate()

    # --- building blocks -------------------------------------------------------------------------------

    def _time_edit(self, name: str, value: datetime) -> QDateTimeEdit:
        edit = QDateTimeEdit(self.request_box)
        edit.setObjectName(name)
        edit.setCalendarPopup(True)
        edit.setDisplayFormat("yyyy-MM-dd HH:mm")
        edit.setDateTime(QDateTime(value.year, value.month, value.day, value.hour, value.minute, 0))
        return edit

    def _selectable(self, name: str) -> Any:
        label = plain_label(self.draw_box, name=name)
        label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        return label

    @staticmethod
    def _time_of(edit: QDateTimeEdit) -> datetime:
        """The edit's wall time in the display zone (the tender's: China Standard Time by default)."""
        value = edit.dateTime()
        d, t = value.date(), value.time()
        return datetime(d.year(), d.month(), d.day(), t.hour(), t.minute(), tzinfo=timefmt.display_zone())

    def service(self) -> ExpertsService | None:
        client = self.context.client()
        return ExpertsService(client) if client is not None else None

    def add_slot(self, specialty: str = "", count: int = 1, reserves: int = 1, regions: str = "") -> None:
        row = self.slots_table.rowCount()
        self.slots_table.insertRow(row)
        combo = QComboBox(self.slots_table)
        combo.setEditable(True)
        self._fill_specialties(combo, specialty)
        combo.currentTextChanged.connect(lambda _t: self.check_rules())
        self.slots_table.setCellWidget(row, SPECIALTY, combo)
        for column, value in ((COUNT, count), (RESERVES, reserves)):
            spin = QSpinBox(self.slots_table)
            spin.setRange(1 if column == COUNT else 0, 50)
            spin.setValue(value)
            spin.valueChanged.connect(lambda _v: self.check_rules())
            self.slots_table.setCellWidget(row, column, spin)
        edit = QLineEdit(regions, self.slots_table)
        edit.textChanged.connect(lambda _t: self.check_rules())
        self.slots_table.setCellWidget(row, REGIONS, edit)
        self._name_slot_row(row)
        self.check_rules()

    def remove_slot(self) -> None:
        row = self.slots_table.currentRow()
        if row < 0:
            row = self.slots_table.rowCount() - 1
        if self.slots_table.rowCount() > 1 and row >= 0:
            self.slots_table.removeRow(row)
            for r in range(self.slots_table.rowCount()):
                self._name_slot_row(r)
            self.check_rules()

    def _name_slot_row(self, row: int) -> None:
        names = {SPECIALTY: self.tr("Slot {n}: specialty"), COUNT: self.tr("Slot {n}: experts"),
                 RESERVES: self.tr("Slot {n}: reserves"),
                 REGIONS: self.tr("Slot {n}: regions (separated by commas; empty: any)")}
        for column, text in names.items():
            widget = self.slots_table.cellWidget(row, column)
            if widget is not None:
                name_widget(widget, text.format(n=row + 1))

    def _fill_specialties(self, combo: QComboBox, keep: str) -> None:
        current = keep or combo.currentText()
        combo.blockSignals(True)
        combo.clear()
        for s in self.specialties:
            combo.addItem(f"{s.code}", s.code)
            combo.setItemData(combo.count() - 1, f"{s.name} ({s.category})", Qt.ItemDataRole.ToolTipRole)
        combo.setEditText(current)
        combo.blockSignals(False)

    def slots(self) -> list[dict[str, Any]]:
        out = []
        for row in range(self.slots_table.rowCount()):
            combo = self.slots_table.cellWidget(row, SPECIALTY)
            count = self.slots_table.cellWidget(row, COUNT)
            reserves = self.slots_table.cellWidget(row, RESERVES)
            regions = self.slots_table.cellWidget(row, REGIONS)
            assert isinstance(combo, QComboBox) and isinstance(count, QSpinBox)
            assert isinstance(reserves, QSpinBox) and isinstance(regions, QLineEdit)
            out.append({"specialty": combo.currentText().strip(), "count": count.value(),
                        "reserves": reserves.value(), "regions": regions.text()})
        return out

    def request(self) -> proto.DrawRequestIn:
        """The request as typed (BidclientError experts.request_invalid for what is malformed)."""
        tender_id = self.tender_edit.text().strip()
        current = self.draw
        # A request for the tender of the draw on show replaces it (with a reason); the server refuses a
        # second draw for a tender otherwise.
        replaces = (current.id if current is not None and current.tender_id == tender_id
                    and current.state in ("committed", "drawn") else None)
        return build_request(tender_id=tender_id, slots=self.slots(),
                             representatives=self.representatives_spin.value(),
                             starts_at=self._time_of(self.starts_edit), ends_at=self._time_of(self.ends_edit),
                             respond_by=self._time_of(self.respond_edit), place=self.place_edit.text().strip(),
                             tenderer_uscc=self.tenderer_edit.text().strip().upper() or None,
                             replaces=replaces, reason=self.reason_edit.text().strip())

    # --- the rules, as typed ---------------------------------------------------------------------------

    def check_rules(self) -> bool:
        """Judge the request as the server will; say what is wrong, or the committee's size."""
        ok = False
        try:
            request = self.request()
            size = check_request(request, self.specialties, self.facts)
        except BidclientError as ex:
            message = describe(ex)
            detail = f" ({message.detail})" if message.detail and message.detail != message.headline else ""
            self.rules_label.setText("✗ " + message.headline + detail)
            self.rules_label.setStyleSheet("color: #b00020;")
        else:
            experts = sum(s.count for s in request.slots)
            self.rules_label.setText("✓ " + self.tr("A committee of {size}: {experts} experts and {reps} of the "
                                                    "tenderer's representatives; {reserves} reserves.").format(
                size=size, experts=experts, reps=request.representatives,
                reserves=sum(s.reserves for s in request.slots)))
            self.rules_label.setStyleSheet("color: #2e7d32;")
            ok = request.replaces is None or bool(request.reason)
        self.rules_ok = ok
        self._update_buttons()
        return ok

    # --- tasks -------------------------------------------------------------------------------------------

    def _start(self, name: str, job: Callable[[ExpertsService], Any], done: Callable[[Any], None], *,
               quiet: bool = False) -> Task | None:
        """Run ``job`` on a worker; ``done`` gets its result on the GUI thread, the ErrorView its failure.
        ``quiet``: a refresh, which leaves an error on show."""
        service = self.service()
        if service is None:
            self.error_view.show_error(BidclientError(self.tr("Sign in with the agency's dongle first."),
                                                      code="auth.not_logged_in"))
            return None
        if not quiet:
            self.error_view.clear()
        self.busy = True
        self._update_buttons()
        task = Task(lambda _ctx: job(service), name=name)
        task.signals.succeeded.connect(done)
        task.signals.failed.connect(self.error_view.show_error)
        task.signals.finished.connect(self._finished)
        self.last_task = task
        start(task)
        return task

    def _finished(self) -> None:
        self.busy = False
        self._update_buttons()
        if self._refresh_pending:
            self.refresh()

    def look_up(self) -> None:
        tender = self.tender_edit.text().strip()
        if not tender:
            return

        def job(service: ExpertsService) -> tuple[TenderFacts, list[proto.SpecialtyOut]]:
            return tender_facts(service.client, tender), service.specialties()

        self._start("draw.lookup", job, self._looked_up)

    def _looked_up(self, result: tuple[TenderFacts, list[proto.SpecialtyOut]]) -> None:
        self.facts, self.specialties = result
        for row in range(self.slots_table.rowCount()):
            combo = self.slots_table.cellWidget(row, SPECIALTY)
            if isinstance(combo, QComboBox):
                self._fill_specialties(combo, combo.currentText())
        self._show_facts()
        self.check_rules()

    def commit(self) -> None:
        if not self.check_rules():
            return
        request = self.request()
        self._start("draw.commit", lambda service: service.commit_draw(request), self._show_draw)

    def run(self) -> None:
        if self.draw is None:
            return
        draw_id = self.draw.id
        self._start("draw.run", lambda service: service.run_draw(draw_id), self._show_draw)

    def open_draw(self) -> None:
        draw_id = self.open_edit.text().strip()
        if draw_id:
            self._start("draw.open", lambda service: service.get_draw(draw_id), self._show_draw)

    def refresh(self) -> None:
        """Read the draw's counts again (after a live event); one at a time, none lost."""
        if self.draw is None:
            return
        if self.busy:
            self._refresh_pending = True
            return
        self._refresh_pending = False
        draw_id = self.draw.id
        self._start("draw.refresh", lambda service: service.get_draw(draw_id), self._show_draw, quiet=True)

    def recheck(self) -> None:
        if self.draw is not None:
            draw_id = self.draw.id
            self._start("draw.recheck", lambda service: service.recheck(draw_id), self._show_draw)

    def save_record(self) -> None:
        if self.draw is None:
            return
        path, _filter = QFileDialog.getSaveFileName(self, self.tr("Save the draw record"),
                                                    f"draw-{self.draw.id}.json", self.tr("Draw record (*.json)"))
        if path:
            self.save_record_to(Path(path))

    def save_record_to(self, path: Path) -> None:
        assert self.draw is not None
        draw_id = self.draw.id

        def job(service: ExpertsService) -> Path:
            write_record(path, service.record(draw_id))
            return path

        self._start("draw.save", job, lambda p: self.verify_label.setText(
            self.tr("Saved the draw record to {file}. Anyone can check it with 'bidclient experts verify-draw "
                    "FILE'.").format(file=p)))

    def verify(self) -> None:
        if self.draw is None:
            return
        draw_id = self.draw.id
        self._start("draw.verify", lambda service: verify_record(service.record(draw_id)), self._verified)

    def _verified(self, result: DrawVerification) -> None:
        self.verification = result
        self._show_verification()

    # --- showing the draw ----------------------------------------------------------------------------------

    def _show_draw(self, draw: proto.DrawOut) -> None:
        if self.draw is None or self.draw.id != draw.id:
            self._follow(draw.id)
            self.verification = None
            self.verify_label.clear()
        self.draw = draw
        self.open_edit.setText(draw.id)
        if not self.tender_edit.text().strip():
            self.tender_edit.setText(draw.tender_id)
        self._show_state()
        self.check_rules()

    def _follow(self, draw_id: str) -> None:
        if self.live is not None:
            self.live.stop()
            self.live.deleteLater()
        self.events = []
        self.events_list.clear()
        client = self.context.client()
        if client is None:
            self.live = None
            return
        self.live = LiveChannel(client, f"draw:{draw_id}", parent=self)
        self.live.received.connect(self._event)
        self.live.start()

    def _event(self, event: LiveEventOut) -> None:
        self.events.append(event)
        self.events_list.addItem(self._event_text(event))
        self.events_list.scrollToBottom()
        self.refresh()

    def _event_text(self, event: LiveEventOut) -> str:
        p = event.payload if isinstance(event.payload, dict) else {}
        when = timefmt.format_time(datetime.fromisoformat(event.time), seconds=True, named=False)
        slot = self.tr("slot {slot}, {role} #{position}").format(
            slot=int(p.get("slot", 0)) + 1, role=self._role_text(str(p.get("role", "member"))),
            position=p.get("position", ""))
        texts = {
            "draw.committed": self.tr("Committed: {candidates} candidates, {excluded} excluded").format(
                candidates=p.get("candidates", "?"), excluded=p.get("excluded", "?")),
            "draw.drawn": self.tr("Drawn: {members} members, {reserves} reserves; the seed is revealed").format(
                members=p.get("members", "?"), reserves=p.get("reserves", "?")),
            "invitation.accepted": self.tr("Accepted: {slot}").format(slot=slot),
            "invitation.declined": self.tr("Declined: {slot}").format(slot=slot),
            "invitation.expired": self.tr("No answer in time: {slot}").format(slot=slot),
            "reserve.called": self.tr("Reserve called: slot {slot}, reserve #{position}").format(
                slot=int(p.get("slot", 0)) + 1, position=p.get("position", "")),
            "draw.short": self.tr("Slot {slot} has no reserve left: redraw with a reason").format(
                slot=int(p.get("slot", 0)) + 1),
            "draw.rechecked": self.tr("Re-checked against the bidders: {n} released").format(
                n=p.get("released", 0)),
            "draw.superseded": self.tr("Replaced by another draw"),
        }
        return f"{when}  {texts.get(event.kind, event.kind)}"

    def _role_text(self, role: str) -> str:
        return self.tr("reserve") if role == "reserve" else self.tr("member")

    def _state_text(self, state: str) -> str:
        return {"committed": self.tr("committed (not drawn yet)"), "drawn": self.tr("drawn"),
                "superseded": self.tr("replaced by a redraw"), "failed": self.tr("failed"),
                "pending": self.tr("invited"), "accepted": self.tr("accepted"), "declined": self.tr("declined"),
                "expired": self.tr("no answer"), "waiting": self.tr("reserve, not called"),
                "withdrawn": self.tr("released")}.get(state, state)

    def _show_facts(self) -> None:
        facts = self.facts
        if facts is None:
            self.tender_info.setText(self.tr("Look the tender up: its budget and complexity decide the smallest "
                                             "committee."))
            return
        budget = f"¥{facts.budget:,}" if facts.budget is not None else self.tr("not stated")
        self.tender_info.setText(self.tr("{title}. Budget {budget}; {complex}. Bid deadline {deadline}.").format(
            title=facts.title, budget=budget,
            complex=self.tr("complex project") if facts.complex_project else self.tr("not a complex project"),
            deadline=timefmt.format_time(facts.bid_deadline)))

    def _show_state(self) -> None:
        draw = self.draw
        if draw is None:
            self.state_label.setText(self.tr("No draw yet: request one on the left, or open one by its number."))
            for label in (self.commitment_label, self.snapshot_label, self.seed_label, self.counts_label,
                          self.names_label):
                label.clear()
            self.progress.setRange(0, 1)
            self.progress.setValue(0)
            self.members_table.setRowCount(0)
            self.members_table.setVisible(False)
            self._update_buttons()
            return
        self.state_label.setText(self.tr("Draw {id} for tender {tender}: {state}. Evaluation {start} – {end}; "
                                         "answers due {due}.").format(
            id=draw.id, tender=draw.tender_id, state=self._state_text(draw.state),
            start=timefmt.format_time(draw.starts_at), end=timefmt.format_time(draw.ends_at),
            due=timefmt.format_time(draw.respond_by)))
        self.commitment_label.setText(self.tr("Commitment (SHA-256 of the secret seed): {hash}").format(
            hash=draw.commitment))
        self.snapshot_label.setText(self.tr("Snapshot of the eligible pool, SHA-256: {hash}").format(
            hash=draw.snapshot_sha256))
        if draw.seed:
            matches = proto.commitment(draw.seed) == draw.commitment
            self.seed_label.setText(self.tr("Seed, revealed at the run: {seed} — {check}").format(
                seed=draw.seed, check=self.tr("its SHA-256 is the commitment") if matches
                else self.tr("its SHA-256 is NOT the commitment")))
        else:
            self.seed_label.setText(self.tr("Seed: secret until the draw is run."))
        members = sum(s.count for s in draw.slots)
        counts = draw.counts
        self.progress.setRange(0, members)
        self.progress.setValue(min(members, counts.get("accepted", 0)))
        self.progress.setAccessibleName(self.tr("Accepted {n} of {m}").format(n=counts.get("accepted", 0),
                                                                              m=members))
        if draw.seed:
            parts = [f"{self._state_text(state)} {counts[state]}" for state in
                     ("accepted", "pending", "declined", "expired", "waiting", "withdrawn") if counts.get(state)]
            self.counts_label.setText(self.tr("Accepted {n} of {m} members.").format(
                n=counts.get("accepted", 0), m=members) + (" " + " · ".join(parts) if parts else ""))
        else:
            self.counts_label.setText(self.tr("Nobody is drawn before the run."))
        self._show_members()
        self._update_buttons()

    def _show_members(self) -> None:
        draw = self.draw
        assert draw is not None
        if draw.members is None:
            self.names_label.setText(self.tr("Names stay hidden from the agency until the evaluation begins "
                                             "({start}); the supervisor sees them.").format(
                start=timefmt.format_time(draw.starts_at)))
            self.members_table.setRowCount(0)
            self.members_table.setVisible(False)
            return
        self.names_label.setText(self.tr("The evaluation has begun: the drawn experts."))
        self.members_table.setVisible(True)
        self.members_table.setRowCount(len(draw.members))
        for row, m in enumerate(draw.members):
            values = [str(int(m.get("slot", 0)) + 1), f"{self._role_text(str(m.get('role')))} #{m.get('position')}",
                      str(m.get("name", "")), str(m.get("employer_name", "")), self._state_text(str(m.get("state"))),
                      str(m.get("phone", ""))]
            for column, value in enumerate(values):
                self.members_table.setItem(row, column, QTableWidgetItem(value))

    def _show_verification(self) -> None:
        v = self.verification
        if v is None:
            return
        self.verify_label.setText("✓ " + self.tr(
            "Verified: the revealed seed matches the commitment, the snapshot of {candidates} candidates matches "
            "its hash, and the seed and snapshot give exactly the recorded {members} members and {reserves} "
            "reserves ({skips} skipped with reasons).").format(
            candidates=v.candidates, members=v.members, reserves=v.reserves, skips=v.skips))

    def _update_buttons(self) -> None:
        signed_in = self.context.session is not None
        idle = signed_in and not self.busy
        draw = self.draw
        self.lookup_button.setEnabled(idle and bool(self.tender_edit.text().strip()))
        self.commit_button.setEnabled(idle and getattr(self, "rules_ok", False))
        self.open_button.setEnabled(idle)
        self.run_button.setEnabled(idle and draw is not None and draw.state == "committed")
        drawn = idle and draw is not None and draw.seed is not None
        self.save_button.setEnabled(idle and draw is not None)
        self.verify_button.setEnabled(drawn)
        self.recheck_button.setEnabled(drawn and draw is not None and draw.state == "drawn")
        self.reason_edit.setEnabled(draw is not None and draw.state in ("committed", "drawn")
                                    and draw.tender_id == self.tender_edit.text().strip())

    def _session_changed(self, _session: object) -> None:
        if self.live is not None:
            self.live.stop()
            self.live = None
        self.draw = None
        self.facts = None
        self._show_state()
        self._show_facts()
        self.check_rules()

    def stop(self) -> None:
        if self.live is not None:
            self.live.stop()
            self.live = None

    # --- texts ---------------------------------------------------------------------------------------------

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def retranslate(self) -> None:
        self.request_box.setTitle(self.tr("Request a committee draw"))
        self.draw_box.setTitle(self.tr("The draw"))
        labels = [self.tr("&Tender:"), "", self.tr("Experts per specialty:"), "", self.tr("Tenderer's "
                  "representatives:"), self.tr("Evaluation (start, end):"), self.tr("Answers due by:"),
                  self.tr("Place:"), self.tr("Tenderer's USCC (if not the agency):"), self.tr("Redraw reason:")]
        for label, text in zip(self.form_labels, labels, strict=True):
            label.setText(text)
        zone = timefmt.current_zone_label()
        self.tender_edit.setPlaceholderText(self.tr("the tender number, e.g. ZB-2027-001"))
        self.tender_edit.setAccessibleName(self.tr("Tender number"))
        self.lookup_button.setText(self.tr("&Look up"))
        self.lookup_button.setAccessibleName(self.tr("Look up the tender's budget and the specialties"))
        self.slots_table.setHorizontalHeaderLabels([self.tr("Specialty"), self.tr("Experts"), self.tr("Reserves"),
                                                    self.tr("Regions (empty: any)")])
        self.slots_table.setAccessibleName(self.tr("Experts per specialty"))
        for row in range(self.slots_table.rowCount()):
            self._name_slot_row(row)
        self.add_slot_button.setText(self.tr("&Add a specialty"))
        self.add_slot_button.setAccessibleName(self.tr("Add a specialty"))
        self.remove_slot_button.setText(self.tr("Remove the specialty"))
        self.remove_slot_button.setAccessibleName(self.tr("Remove the selected specialty"))
        name_widget(self.representatives_spin, self.tr("Tenderer's representatives on the committee"))
        name_widget(self.starts_edit, self.tr("Evaluation starts ({zone})").format(zone=zone))
        name_widget(self.ends_edit, self.tr("Evaluation ends ({zone})").format(zone=zone))
        name_widget(self.respond_edit, self.tr("Answers due by ({zone})").format(zone=zone))
        for edit in (self.starts_edit, self.ends_edit, self.respond_edit):
            edit.setToolTip(zone)
        self.place_edit.setAccessibleName(self.tr("Place: remote, or the site's address"))
        self.tenderer_edit.setAccessibleName(self.tr("Tenderer's unified social credit code"))
        self.tenderer_edit.setPlaceholderText(self.tr("empty: the tender's, else the agency's"))
        self.reason_edit.setAccessibleName(self.tr("Why this draw replaces the current one"))
        self.reason_edit.setPlaceholderText(self.tr("needed only to replace the current draw"))
        self.commit_button.setText(self.tr("&1. Commit to the draw"))
        self.commit_button.setAccessibleName(self.tr("Commit to the draw: fix the eligible pool and a secret seed"))
        self.commit_button.setToolTip(self.tr("The server fixes the eligible pool and a secret seed, and publishes "
                                              "their hashes before anyone is drawn."))
        self.open_edit.setPlaceholderText(self.tr("a draw number"))
        self.open_edit.setAccessibleName(self.tr("Draw number"))
        self.open_button.setText(self.tr("&Open"))
        self.open_button.setAccessibleName(self.tr("Open the draw with this number"))
        self.run_button.setText(self.tr("&2. Run the draw"))
        self.run_button.setAccessibleName(self.tr("Run the draw and reveal the seed"))
        self.save_button.setText(self.tr("&Save the record…"))
        self.save_button.setAccessibleName(self.tr("Save the verifiable draw record"))
        self.verify_button.setText(self.tr("&Verify"))
        self.verify_button.setAccessibleName(self.tr("Verify the draw from its record"))
        self.recheck_button.setText(self.tr("Re-check the &bidders"))
        self.recheck_button.setAccessibleName(self.tr("After the bid deadline, release experts tied to a bidder"))
        self.progress.setAccessibleName(self.tr("Acceptance"))
        self.events_list.setAccessibleName(self.tr("What happened, as it happens"))
        self.members_table.setHorizontalHeaderLabels([self.tr("Slot"), self.tr("Position"), self.tr("Name"),
                                                      self.tr("Employer"), self.tr("State"), self.tr("Phone")])
        self.members_table.setAccessibleName(self.tr("The drawn experts"))
        self._show_facts()
        self._show_state()
        if self.draw is not None:
            self.events_list.clear()
            for event in self.events:
                self.events_list.addItem(self._event_text(event))
        self._show_verification()
        self.check_rules()
