"""Submit (递交): upload the sealed bid with progress that survives a dropped connection and an app restart
(the upload state is kept next to the bid and resumed), a countdown to the deadline by the SERVER clock,
and the receipt (回执) verified offline — server signature, timestamp, envelope hash — and kept with the bid.
Before the deadline the bid can be withdrawn (撤回, after a confirmation that says what the PIN
authorises) or replaced by sealing again; the page says which bid is on the server and lists every
submission made from this draft. After the deadline a bidder whose bid is in sees it confirmed, with the
receipt and the opening time. Times are shown in the display zone (bidclient.timefmt)."""

from __future__ import annotations

import enum
import threading
from pathlib import Path

from PySide6.QtCore import QEvent, Qt, QTimer, Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from bidclient import bid_project as bp
from bidclient import receipts
from bidclient.errors import describe
from bidclient.local_history import HistoryEntry, bid_in, submission_history
from bidclient.signin import signed_in_signer
from bidclient.submit import (
    Receipted,
    load_state,
    submit_bid,
    withdraw_bid,
    withdrawal_receipt_path,
)
from bidclient.timefmt import format_time
from ui.bidder.receipt_actions import ReceiptActions
from ui.bidder.server_history import ServerHistoryPanel
from ui.context import AppContext
from ui.error_view import ErrorView, plain_label
from ui.status_line import StatusLine
from ui.workers import Task, TaskContext, start


class Operation(enum.Enum):
    """What the page's running task does."""

    SUBMIT = "submit"
    WITHDRAW = "withdraw"


class SubmitPage(QWidget):
    submitted = Signal(object)  # Receipted (the submission)
    replace_requested = Signal()

    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("submitPage")
        self.context = context
        self.project: bp.BidProject | None = None
        self.chunk_size: int | None = None  # None: the Uploader's adaptive size (tests set a small fixed one)
        self.verified: receipts.VerifiedReceipt | None = None  # the current sealed bid's receipt
        self.withdrawn: receipts.VerifiedReceipt | None = None  # its withdrawal receipt
        self.history: list[HistoryEntry] = []
        self.active: HistoryEntry | None = None  # the submission on the server that counts
        self.confirm_box: QMessageBox | None = None
        self._task: Task | None = None
        self._operation: Operation | None = None
        self._stop = threading.Event()

        self.heading = QLabel(self)
        self.heading.setStyleSheet("font-size: 14pt; font-weight: bold;")
        self.countdown = plain_label(self, name="deadlineCountdown")
        self.countdown.setStyleSheet("font-size: 13pt;")
        self.deadline_label = plain_label(self, name="deadlineLabel")
        self.bid_label = plain_label(self, name="sealedBidLabel")
        self.replace_note = plain_label(self, name="replaceNote")
        self.replace_note.setStyleSheet("color: #8a5300;")
        self.submit_button = QPushButton(self)
        self.submit_button.setObjectName("submitButton")
        self.submit_button.clicked.connect(self.start_submit)
        self.cancel_button = QPushButton(self)
        self.cancel_button.setObjectName("cancelUpload")
        self.cancel_button.clicked.connect(self.cancel)
        self.progress = QProgressBar(self)
        self.progress.setObjectName("uploadProgress")
        self.status = plain_label(self, name="submitStatus")
        self.status_line = StatusLine(self.status)
        self.error_view = ErrorView(self)
        self.receipt_heading = QLabel(self)
        self.receipt_heading.setStyleSheet("font-weight: bold;")
        self.receipt_label = plain_label(self, name="receiptLabel")
        self.receipt_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.withdraw_button = QPushButton(self)
        self.withdraw_button.setObjectName("withdrawButton")
        self.withdraw_button.clicked.connect(self.confirm_withdraw)
        self.replace_button = QPushButton(self)
        self.replace_button.setObjectName("replaceButton")
        self.replace_button.clicked.connect(self.replace_requested)
        self.history_heading = QLabel(self)
        self.history_heading.setStyleSheet("font-weight: bold;")
        self.history_table = QTableWidget(0, 4, self)
        self.history_table.setObjectName("submissionHistory")
        self.history_table.verticalHeader().setVisible(False)
        self.history_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.history_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        header = self.history_table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        self.history_table.setMinimumHeight(90)

        buttons = QHBoxLayout()
        buttons.addWidget(self.submit_button)
        buttons.addWidget(self.cancel_button)
        buttons.addStretch(1)
        after = QHBoxLayout()
        after.addWidget(self.withdraw_button)
        after.addWidget(self.replace_button)
        after.addStretch(1)
        content = QWidget(self)
        content.setObjectName("submitContent")
        layout = QVBoxLayout(content)
        layout.addWidget(self.heading)
        layout.addWidget(self.countdown)
        layout.addWidget(self.deadline_label)
        layout.addWidget(self.bid_label)
        layout.addWidget(self.replace_note)
        layout.addLayout(buttons)
        layout.addWidget(self.progress)
        layout.addWidget(self.status)
        layout.addWidget(self.error_view)
        layout.addWidget(self.receipt_heading)
        layout.addWidget(self.receipt_label)
        layout.addLayout(after)
        self.receipt_actions = ReceiptActions(self)
        layout.addWidget(self.receipt_actions)
        layout.addWidget(self.history_heading)
        layout.addWidget(self.history_table, 1)
        self.server_history = ServerHistoryPanel(content)
        layout.addWidget(self.server_history, 1)
        # A small screen (1366×768) scrolls the page instead of growing the window.
        scroll = self.scroll_area = QScrollArea(self)
        scroll.setObjectName("submitScroll")
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setWidget(content)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(scroll)
        self.clock = QTimer(self)
        self.clock.setInterval(1000)
        self.clock.timeout.connect(self.tick)
        self.clock.start()
        context.session_changed.connect(lambda _s: self.refresh())
        self.retranslate()

    def showEvent(self, event: QShowEvent) -> None:
        """Coming to this step shows its top: the countdown and the bid first."""
        self.scroll_area.verticalScrollBar().setValue(0)
        super().showEvent(event)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def retranslate(self) -> None:
        self.heading.setText(self.tr("Submit the sealed bid (递交)"))
        self.cancel_button.setText(self.tr("Stop"))
        self.cancel_button.setAccessibleName(self.tr("Stop the upload (it can be resumed)"))
        self.progress.setAccessibleName(self.tr("Upload progress"))
        self.receipt_heading.setText(self.tr("Receipt (回执)"))
        self.withdraw_button.setText(self.tr("&Withdraw the bid…"))
        self.withdraw_button.setAccessibleName(self.tr("Withdraw the submitted bid before the deadline"))
        self.replace_button.setText(self.tr("Seal a &replacement…"))
        self.replace_button.setAccessibleName(self.tr("Seal a new bid that replaces the submitted one"))
        self.history_heading.setText(self.tr("Submission history"))
        self.history_table.setAccessibleName(self.tr("Submission history"))
        self.history_table.setHorizontalHeaderLabels([self.tr("Sealed"), self.tr("Submitted (server time)"),
                                                      self.tr("Receipt"), self.tr("State")])
        self.status_line.retranslate()
        self.refresh()

    # --- state ---

    @property
    def busy(self) -> bool:
        return self._task is not None

    def bid_path(self) -> Path | None:
        return self.project.sealed_path() if self.project is not None else None

    def set_project(self, project: bp.BidProject | None) -> None:
        self.project = project
        self.error_view.clear()
        self.status_line.clear()
        self._load_receipts()
        # A bid submitted before (e.g. before a restart) shows as fully uploaded, not 0 %.
        self.progress.setValue(100 if self.verified is not None else 0)
        self.refresh()

    def _load_receipts(self) -> None:
        """The receipts saved with every sealed bid of the draft, verified again offline."""
        self.verified = self.withdrawn = None
        self.history = submission_history(self.project.sealed_dir) if self.project is not None else []
        self.active = bid_in(self.history)
        bid = self.bid_path()
        for entry in self.history:
            if entry.problem is not None:
                self.error_view.show_error(entry.problem)  # a damaged receipt is shown, not hidden
            if bid is not None and entry.bid == bid:
                self.verified, self.withdrawn = entry.submitted, entry.withdrawn

    def earlier_bid_in(self) -> HistoryEntry | None:
        """An earlier sealed bid that is on the server while the current one is not submitted yet."""
        if self.active is None or self.active.bid == self.bid_path():
            return None
        return self.active

    def refresh(self) -> None:
        bid = self.bid_path()
        sealed = self.project.sealed if self.project is not None else None
        if bid is None or sealed is None:
            self.bid_label.setText(self.tr("No sealed bid yet: seal it on the previous page."))
        else:
            self.bid_label.setText(self.tr("Sealed bid: {name}\nSHA-256: {sha}\nSize: {size} bytes").format(
                name=bid.name, sha=sealed.envelope_sha256, size=sealed.size))
        earlier = self.earlier_bid_in()
        if earlier is not None and earlier.submitted is not None and self.verified is None:
            self.replace_note.setText(self.tr(
                "Your earlier bid, submitted {time}, is on the server and counts until you submit this one. "
                "Submitting this sealed bid replaces it.").format(time=format_time(earlier.submitted.time)))
            self.replace_note.setVisible(True)
        else:
            self.replace_note.setVisible(False)
        self._update_submit_label()
        self._show_receipt()
        self._show_history()
        self.server_history.show_for(self.context.client(),
                                     self.project.definition.tender_id if self.project is not None else None)
        self._update_buttons()
        self.tick()

    def _update_submit_label(self) -> None:
        bid = self.bid_path()
        if bid is not None and load_state(bid) is not None:
            self.submit_button.setText(self.tr("&Resume the upload"))
            self.submit_button.setAccessibleName(self.tr("Resume the interrupted upload"))
        elif self.earlier_bid_in() is not None:
            self.submit_button.setText(self.tr("&Submit, replacing the earlier bid"))
            self.submit_button.setAccessibleName(self.tr("Submit this sealed bid in place of the earlier one"))
        else:
            self.submit_button.setText(self.tr("&Submit the bid"))
            self.submit_button.setAccessibleName(self.tr("Submit the sealed bid to the server"))

    def _update_buttons(self) -> None:
        bid = self.bid_path()
        signed_in = self.context.session is not None
        open_ = not self.deadline_passed()
        idle = self._task is None
        self.submit_button.setEnabled(signed_in and idle and open_ and bid is not None and bid.is_file()
                                      and self.verified is None)
        self.cancel_button.setEnabled(not idle)
        self.withdraw_button.setEnabled(signed_in and idle and open_ and self.active is not None)
        self.replace_button.setEnabled(idle and open_ and (self.verified is not None or self.withdrawn is not None))

    def deadline_passed(self) -> bool:
        client = self.context.client()
        if self.project is None or client is None:
            return False
        return client.server_now() >= self.project.definition.bid_deadline

    def time_zone_changed(self) -> None:
        self.refresh()

    def tick(self) -> None:
        client = self.context.client()
        if self.project is None:
            self.countdown.setText("")
            self.deadline_label.setText("")
            return
        definition = self.project.definition
        deadline = definition.bid_deadline
        self.deadline_label.setText(self.tr("Deadline: {time}; opening: {opening}").format(
            time=format_time(deadline), opening=format_time(definition.opening_time)))
        if client is None:
            self.countdown.setText(self.tr("Deadline {time} (sign in to see the server clock)").format(
                time=format_time(deadline, seconds=True)))
            return
        left = int((deadline - client.server_now()).total_seconds())
        if left <= 0 and self.active is not None and self.active.submitted is not None:
            self.countdown.setText(self.tr(
                "The deadline has passed and your bid is in: submitted {time}, receipt verified. The bids are "
                "opened {opening}.").format(time=format_time(self.active.submitted.time),
                                            opening=format_time(definition.opening_time)))
            self.countdown.setStyleSheet("font-size: 13pt; color: #1b5e20;")
        elif left <= 0:
            self.countdown.setText(self.tr("The deadline has passed (server time): bids are no longer accepted."))
            self.countdown.setStyleSheet("font-size: 13pt; color: #b00020;")
        else:
            days, rest = divmod(left, 86400)
            hours, rest = divmod(rest, 3600)
            minutes, seconds = divmod(rest, 60)
            clock = f"{hours:02d}:{minutes:02d}:{seconds:02d}"
            text = self.tr("Time left until the deadline (server clock): {days} d {clock}").format(
                days=days, clock=clock) if days else self.tr(
                "Time left until the deadline (server clock): {clock}").format(clock=clock)
            self.countdown.setText(text)
            self.countdown.setStyleSheet("font-size: 13pt; color: %s;" % ("#b00020" if left < 3600 else "#222"))
        if self._task is None:
            self._update_buttons()

    # --- submitting ---

    def start_submit(self) -> None:
        session = self.context.session
        project, bid, prompter = self.project, self.bid_path(), self.context.pin_source
        if session is None or project is None or bid is None or self._task is not None:
            return
        self.error_view.clear()
        self._stop = threading.Event()
        stop, chunk = self._stop, self.chunk_size
        client, identity, cert_sha = session.client, session.account.identity_key, session.certificate_sha256
        sealed = project.sealed
        assert sealed is not None
        tender_id, version = project.definition.tender_id, sealed.tender_version
        sealed_as = (sealed.envelope_sha256, sealed.size)  # the file is checked against it by the server
        presigned = bp.presigned_statement(project) if sealed.statement_bidder == identity else None
        resuming = load_state(bid) is not None
        self.status_line.set(lambda: self.tr("Resuming the upload…") if resuming else self.tr("Uploading…"))

        # Sealed in another session: the statement needs the dongle (one PIN entry, when it is signed).
        sign = presigned if presigned is not None else signed_in_signer(cert_sha, prompter) if prompter else None

        def job(ctx: TaskContext) -> Receipted:
            assert sign is not None
            return submit_bid(client, bid, tender_id=tender_id, tender_version=version, bidder=identity, sign=sign,
                              sealed_as=sealed_as, chunk_size=chunk, progress=ctx.progress, cancel=stop)

        self._start(Task(job, name="submit"), self._submitted, Operation.SUBMIT)

    def _start(self, task: Task, on_success: object, operation: Operation) -> None:
        self._operation = operation
        task.signals.progress.connect(self._progress)
        task.signals.succeeded.connect(on_success)
        task.signals.failed.connect(self._failed)
        task.signals.finished.connect(self._done)
        self._task = start(task)
        self._update_buttons()

    def cancel(self) -> None:
        self._stop.set()
        if self._task is not None:
            self._task.cancel()

    def _progress(self, held: int, total: int) -> None:
        if total:
            self.progress.setMaximum(100)
            self.progress.setValue(held * 100 // total)
            self.status_line.set(lambda: self.tr("Uploaded {held:.1f} of {total:.1f} MB").format(
                held=held / 1e6, total=total / 1e6))

    def _submitted(self, result: Receipted) -> None:
        replaced = result.submission.replaces is not None
        self._load_receipts()
        self.progress.setValue(100)
        if replaced:
            self.status_line.set(lambda: self.tr("Submitted. It replaces your earlier bid; the receipt was verified "
                                                 "and saved with the bid."))
        else:
            self.status_line.set(lambda: self.tr("Submitted. The receipt was verified and saved with the bid."))
        self.submitted.emit(result)

    def _failed(self, error: BaseException) -> None:
        operation = self._operation
        self._update_submit_label()  # before the error shows: what the user reads next is the way on
        in_since = self.active.submitted.time if self.active is not None and self.active.submitted else None
        code = describe(error).code
        if operation is Operation.WITHDRAW:
            if code in ("token.pin_cancelled", "crypto.cancelled"):
                # Nothing was signed: say that calmly, not as an error with a command-line hint.
                self.status_line.set(lambda: self.tr(
                    "Not withdrawn: no PIN was given, so nothing was signed. Your bid is still in (submitted "
                    "{time}).").format(time=format_time(in_since) if in_since else "—"))
                return
            self.error_view.show_error(error)
            self.status_line.set(lambda: self.tr("Not withdrawn. Your bid is still in (submitted {time}).").format(
                time=format_time(in_since) if in_since else "—"))
            return
        self.error_view.show_error(error)
        bid = self.bid_path()
        if bid is not None and load_state(bid) is not None:
            self.status_line.set(lambda: self.tr(
                "The upload stopped. What the server received is kept: press “Resume the upload” when the "
                "connection is back (also after restarting)."))
        elif in_since is not None:
            self.status_line.set(lambda: self.tr("Not submitted. Your earlier bid (submitted {time}) is still "
                                                 "in.").format(time=format_time(in_since)))
        else:
            self.status_line.set(lambda: self.tr("Not submitted."))

    def _done(self) -> None:
        self._task = None
        self._operation = None
        self.refresh()
        self.server_history.reload()  # a submission or withdrawal changed what the server holds

    # --- withdrawing ---

    def confirm_withdraw(self) -> None:
        """Say what the PIN will authorise before asking for it; the PIN is asked only after "Withdraw"."""
        active = self.active
        if active is None or active.submitted is None or self.project is None or self._task is not None:
            return
        definition = self.project.definition
        box = QMessageBox(QMessageBox.Icon.Question, self.tr("Withdraw the bid?"),
                          self.tr("Withdraw your bid for {tender}?").format(tender=definition.tender_id),
                          QMessageBox.StandardButton.NoButton, self)
        box.setObjectName("withdrawConfirm")
        box.setTextFormat(Qt.TextFormat.PlainText)
        box.setInformativeText(self.tr(
            "Your PIN will sign a withdrawal statement for the bid submitted {time} (receipt {receipt}). The "
            "server then no longer counts it. To take part, you must submit a bid again before the deadline, "
            "{deadline}.").format(time=format_time(active.submitted.time), receipt=active.submitted.receipt_id,
                                  deadline=format_time(definition.bid_deadline)))
        withdraw_button = box.addButton(self.tr("Withdraw the bid"), QMessageBox.ButtonRole.DestructiveRole)
        keep_button = box.addButton(self.tr("Keep the bid"), QMessageBox.ButtonRole.RejectRole)
        withdraw_button.setObjectName("confirmWithdraw")
        keep_button.setObjectName("keepBid")
        box.setDefaultButton(keep_button)
        box.setEscapeButton(keep_button)
        self.confirm_box = box

        def answered(_result: int) -> None:
            self.confirm_box = None
            if box.clickedButton() is withdraw_button:
                self.start_withdraw()
            else:
                self.status_line.set(lambda: self.tr("Not withdrawn: your bid is still in."))

        box.finished.connect(answered)
        box.open()

    def start_withdraw(self) -> None:
        session = self.context.session
        project, prompter, active = self.project, self.context.pin_source, self.active
        if session is None or project is None or active is None or prompter is None or self._task is not None:
            return
        self.error_view.clear()
        self.status_line.set(lambda: self.tr("Withdrawing: enter the dongle's PIN when asked…"))
        client, identity, cert_sha = session.client, session.account.identity_key, session.certificate_sha256
        tender_id = project.definition.tender_id
        bid = active.bid  # the withdrawal receipt is kept beside the bid it withdraws

        def job(_ctx: TaskContext) -> Receipted:
            return withdraw_bid(client, tender_id=tender_id, bidder=identity, sign=signed_in_signer(cert_sha, prompter),
                                receipt_file=withdrawal_receipt_path(bid))

        self._start(Task(job, name="withdraw"), self._withdrawn, Operation.WITHDRAW)

    def _withdrawn(self, _withdrawn: Receipted) -> None:
        self._load_receipts()
        self.status_line.set(lambda: self.tr("Withdrawn. You may seal and submit a new bid before the deadline."))

    # --- the receipt and the history ---

    def _show_receipt(self) -> None:
        lines = []
        earlier = self.earlier_bid_in()
        shown = [(self.verified, self.tr("Submission")), (self.withdrawn, self.tr("Withdrawal"))]
        if self.verified is None and earlier is not None:
            shown = [(earlier.submitted, self.tr("Earlier submission (on the server until replaced)"))]
        for verified, title in shown:
            if verified is None:
                continue
            lines.append(self.tr(
                "{title}: verified ✓\nReceived at (server time): {time}\nTimestamp: {stamp}\n"
                "Signed by the server: {signer}\nEnvelope SHA-256: {sha}{match}\nSubmission: {id}").format(
                title=title, time=format_time(verified.time, seconds=True),
                stamp=format_time(verified.timestamp_time, seconds=True), signer=verified.signer,
                sha=verified.envelope_sha256,
                match=self.tr(" (matches the sealed bid)") if verified.bid_checked else "",
                id=verified.submission_id))
        self.receipt_label.setText("\n\n".join(lines) or self.tr("No receipt yet."))
        self.receipt_actions.set_bid(self.bid_path())
        self.receipt_label.setStyleSheet("color: #1b5e20;" if lines else "")

    def _show_history(self) -> None:
        table = self.history_table
        table.setRowCount(len(self.history))
        current = self.bid_path()
        for row, entry in enumerate(reversed(self.history)):  # newest first
            if entry.withdrawn is not None:
                state = self.tr("Withdrawn {time}").format(time=format_time(entry.withdrawn.time))
            elif entry is self.active:
                state = self.tr("In: the bid that counts")
            elif entry.submitted is not None:
                state = self.tr("Replaced by a later submission")
            elif entry.bid == current:
                state = self.tr("Sealed, not submitted yet")
            else:
                state = self.tr("Sealed, never submitted")
            cells = [format_time(entry.sealed_at) if entry.sealed_at else entry.bid.name,
                     format_time(entry.submitted.time) if entry.submitted else "—",
                     entry.submitted.receipt_id[:8] + "…" if entry.submitted else "—", state]
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setToolTip(entry.submitted.receipt_id if column == 2 and entry.submitted else entry.bid.name)
                table.setItem(row, column, item)
        self.history_heading.setVisible(bool(self.history))
        table.setVisible(bool(self.history))
