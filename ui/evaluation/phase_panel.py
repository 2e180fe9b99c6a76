"""Where the session stands and what the expert can do in this phase: check in with the recusal declaration
and the commitment, vote for the chair, submit the signed sheet; the chair moves the session on. Signals
only: the page runs the jobs."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QEvent, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from bidclient.protocol.evaluation_session import PHASES, MemberStatus, Phase, SessionOut, SheetState, next_phase
from ui.error_view import plain_label


def phase_title(phase: Phase) -> str:
    return {
        Phase.CHECKIN: QCoreApplication.translate("Evaluation", "Check-in and declaration"),
        Phase.ELECTION: QCoreApplication.translate("Evaluation", "Chair election"),
        Phase.READING: QCoreApplication.translate("Evaluation", "Reading"),
        Phase.REVIEW: QCoreApplication.translate("Evaluation", "Review"),
        Phase.SCORING: QCoreApplication.translate("Evaluation", "Scoring"),
        Phase.SUMMARY: QCoreApplication.translate("Evaluation", "Summary"),
        Phase.RANKING: QCoreApplication.translate("Evaluation", "Ranking"),
        Phase.REPORT: QCoreApplication.translate("Evaluation", "Report"),
        Phase.CLOSED: QCoreApplication.translate("Evaluation", "Closed"),
    }[phase]


def sheet_title(state: SheetState) -> str:
    return {
        SheetState.OPEN: QCoreApplication.translate("Evaluation", "open"),
        SheetState.SUBMITTED: QCoreApplication.translate("Evaluation", "submitted"),
        SheetState.RETURNED: QCoreApplication.translate("Evaluation", "returned"),
    }[state]


def member_title(status: MemberStatus) -> str:
    return {
        MemberStatus.INVITED: QCoreApplication.translate("Evaluation", "invited"),
        MemberStatus.CHECKED_IN: QCoreApplication.translate("Evaluation", "checked in"),
        MemberStatus.DECLARED: QCoreApplication.translate("Evaluation", "declared"),
        MemberStatus.RECUSED: QCoreApplication.translate("Evaluation", "recused"),
    }[status]


def stepper(phase: Phase) -> str:
    return "  ›  ".join(f"【{phase_title(p)}】" if p == phase else phase_title(p) for p in PHASES)


class PhasePanel(QWidget):
    checkin_requested = Signal(bool, str)  # conflict declared, its reason
    vote_requested = Signal(str)  # candidate identity
    submit_requested = Signal()
    advance_requested = Signal(str)  # the next phase

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.steps = plain_label(self, name="phaseSteps")
        self.what = plain_label(self, name="phaseWhat")
        self.members = plain_label(self, name="phaseMembers")
        self.conflict = QCheckBox(self)
        self.conflict_reason = QLineEdit(self)
        self.conflict_reason.setMaxLength(2000)
        self.checkin_button = QPushButton(self)
        self.checkin_button.clicked.connect(lambda: self.checkin_requested.emit(
            self.conflict.isChecked(), self.conflict_reason.text()))
        self.candidate = QComboBox(self)
        self.vote_button = QPushButton(self)
        self.vote_button.clicked.connect(lambda: self.vote_requested.emit(str(self.candidate.currentData() or "")))
        self.submit_button = QPushButton(self)
        self.submit_button.clicked.connect(self.submit_requested)
        self.advance_button = QPushButton(self)
        self.advance_button.clicked.connect(self._advance)
        self.checkin_box = QWidget(self)
        row = QHBoxLayout(self.checkin_box)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.conflict)
        row.addWidget(self.conflict_reason, 1)
        row.addWidget(self.checkin_button)
        self.vote_box = QWidget(self)
        row = QHBoxLayout(self.vote_box)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.candidate, 1)
        row.addWidget(self.vote_button)
        layout = QVBoxLayout(self)
        for widget in (self.steps, self.what, self.checkin_box, self.vote_box, self.submit_button,
                       self.advance_button, self.members):
            layout.addWidget(widget)
        layout.addStretch(1)
        self.session: SessionOut | None = None
        self.identity = ""
        self._next: Phase | None = None
        self.retranslate()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def retranslate(self) -> None:
        self.conflict.setText(self.tr("I have a conflict of interest (回避)"))
        self.conflict.setAccessibleName(self.tr("I have a conflict of interest"))
        self.conflict_reason.setPlaceholderText(self.tr("The conflict: who, and how you are related (required)"))
        self.conflict_reason.setAccessibleName(self.tr("The conflict of interest"))
        self.checkin_button.setText(self.tr("Check in and sign the declaration…"))
        self.checkin_button.setAccessibleName(self.tr("Check in and sign the recusal declaration and commitment"))
        self.candidate.setAccessibleName(self.tr("Candidate for chair"))
        self.vote_button.setText(self.tr("Vote for chair"))
        self.vote_button.setAccessibleName(self.tr("Vote for chair"))
        self.submit_button.setText(self.tr("Sign and submit my sheet…"))
        self.submit_button.setAccessibleName(self.tr("Sign my score sheet with my dongle and submit it"))
        self.advance_button.setAccessibleName(self.tr("Move the session on to its next phase"))
        if self.session is not None:
            self.show_session(self.session, self.identity)

    def _advance(self) -> None:
        if self._next is not None:
            self.advance_requested.emit(self._next.value)

    def show_session(self, session: SessionOut, identity: str) -> None:
        self.session, self.identity = session, identity
        me = next((m for m in session.members if m.identity_key == identity), None)
        phase = session.phase
        chair = session.chair == identity
        self.steps.setText(stepper(phase))
        active = [m for m in session.members if m.status == MemberStatus.DECLARED]
        what = {
            Phase.CHECKIN: self.tr("Check in with your dongle and sign the recusal declaration (回避, 12号令 Art. 12) "
                                   "and the commitment. A declared conflict removes you from this committee."),
            Phase.ELECTION: self.tr("Vote for the chair (组长): a majority of the members elects."),
            Phase.READING: self.tr("Read the tender and the bids (Documents)."),
            Phase.REVIEW: self.tr("Judge every bid on every review item (Review): pass, or fail with its reason."),
            Phase.SCORING: self.tr("Score every bid still in (Scoring), then sign and submit your sheet."),
            Phase.SUMMARY: self.tr("The chair summarises; a sheet may be returned to its expert with a reason."),
            Phase.RANKING: self.tr("The ranking and the recommended candidates."),
            Phase.REPORT: self.tr("Every member signs the report in turn (Report)."),
            Phase.CLOSED: self.tr("The session is closed; everything is read-only."),
        }[phase]
        if me is not None and me.status == MemberStatus.RECUSED:
            what = self.tr("You declared a conflict of interest and are no longer on this committee.")
        if me is not None and me.sheet_state == SheetState.RETURNED and me.returned_reason:
            what += "\n" + self.tr("The chair returned your sheet: %1").replace("%1", me.returned_reason)
        if me is not None and phase in (Phase.SCORING, Phase.SUMMARY):
            what += "\n" + self.tr("Your sheet: %1").replace("%1", sheet_title(me.sheet_state))
        self.what.setText(what)
        self.members.setText("\n".join(
            f"{m.identity_key.removeprefix('person:')}: {member_title(m.status)}"
            + (f" · {self.tr('chair')}" if m.is_chair else "")
            + (f" · {self.tr('sheet')} {sheet_title(m.sheet_state)}" if phase in (Phase.SCORING, Phase.SUMMARY)
               else "") for m in session.members))
        may_declare = me is not None and me.status in (MemberStatus.INVITED, MemberStatus.CHECKED_IN)
        self.checkin_box.setVisible(phase == Phase.CHECKIN and may_declare)
        self.vote_box.setVisible(phase == Phase.ELECTION and me is not None and me.status == MemberStatus.DECLARED)
        self.candidate.clear()
        for m in active:
            self.candidate.addItem(m.identity_key.removeprefix("person:"), m.identity_key)
        self.submit_button.setVisible(phase in (Phase.SCORING, Phase.SUMMARY) and me is not None
                                      and me.status == MemberStatus.DECLARED
                                      and me.sheet_state != SheetState.SUBMITTED)
        self._next = next_phase(phase)
        self.advance_button.setVisible(chair and self._next is not None and phase != Phase.CHECKIN)
        if self._next is not None:
            self.advance_button.setText(self.tr("Move on to: %1").replace("%1", phase_title(self._next)))
