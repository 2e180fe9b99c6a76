"""Submit (递交): upload the sealed bid with progress that survives a dropped connection and an app restart
(the upload state is kept next to the bid and resumed), a countdown to the deadline by the SERVER clock,
and the receipt (回执) verified offline — server signature, timestamp, envelope hash — and kept with the bid.
Before the deadline the bid can be withdrawn (撤回) or replaced by sealing again."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QEvent, QTimer, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QPushButton, QVBoxLayout, QWidget

from bidclient import bid_project as bp
from bidclient import receipts
from bidclient.protocol.submission import SubmissionOut
from bidclient.signing import open_key
from bidclient.submit import Uploader, load_state, receipt_path, withdraw
from crypto import cms_sign
from ui.bidder.common import find_signed_in_key
from ui.context import AppContext
from ui.error_view import ErrorView, plain_label
from ui.workers import Task, TaskContext, start


@dataclass(frozen=True)
class Submitted:
    submission: SubmissionOut
    receipt: receipts.VerifiedReceipt
    receipt_file: Path


def withdrawal_receipt_path(bid: Path) -> Path:
    return bid.with_name(bid.name + ".withdrawal.receipt")


class SubmitPage(QWidget):
    submitted = Signal(object)  # Submitted
    replace_requested = Signal()

    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("submitPage")
        self.context = context
        self.project: bp.BidProject | None = None
        self.chunk_size: int | None = None  # None: the Uploader's adaptive size (tests set a small fixed one)
        self.verified: receipts.VerifiedReceipt | None = None
        self.withdrawn: receipts.VerifiedReceipt | None = None
        self._task: Task | None = None
        self._stop = threading.Event()

        self.heading = QLabel(self)
        self.heading.setStyleSheet("font-size: 14pt; font-weight: bold;")
        self.countdown = plain_label(self, name="deadlineCountdown")
        self.countdown.setStyleSheet("font-size: 13pt;")
        self.bid_label = plain_label(self, name="sealedBidLabel")
        self.submit_button = QPushButton(self)
        self.submit_button.setObjectName("submitButton")
        self.submit_button.clicked.connect(self.start_submit)
        self.cancel_button = QPushButton(self)
        self.cancel_button.setObjectName("cancelUpload")
        self.cancel_button.clicked.connect(self.cancel)
        self.progress = QProgressBar(self)
        self.progress.setObjectName("uploadProgress")
        self.status = plain_label(self, name="submitStatus")
        self.error_view = ErrorView(self)
        self.receipt_heading = QLabel(self)
        self.receipt_heading.setStyleSheet("font-weight: bold;")
        self.receipt_label = plain_label(self, name="receiptLabel")
        self.withdraw_button = QPushButton(self)
        self.withdraw_button.setObjectName("withdrawButton")
        self.withdraw_button.clicked.connect(self.start_withdraw)
        self.replace_button = QPushButton(self)
        self.replace_button.setObjectName("replaceButton")
        self.replace_button.clicked.connect(self.replace_requested)

        buttons = QHBoxLayout()
        buttons.addWidget(self.submit_button)
        buttons.addWidget(self.cancel_button)
        buttons.addStretch(1)
        after = QHBoxLayout()
        after.addWidget(self.withdraw_button)
        after.addWidget(self.replace_button)
        after.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addWidget(self.countdown)
        layout.addWidget(self.bid_label)
        layout.addLayout(buttons)
        layout.addWidget(self.progress)
        layout.addWidget(self.status)
        layout.addWidget(self.error_view)
        layout.addWidget(self.receipt_heading)
        layout.addWidget(self.receipt_label)
        layout.addLayout(after)
        layout.addStretch(1)
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
        self.heading.setText(self.tr("Submit the sealed bid (递交)"))
        self.cancel_button.setText(self.tr("Stop"))
        self.cancel_button.setAccessibleName(self.tr("Stop the upload (it can be resumed)"))
        self.progress.setAccessibleName(self.tr("Upload progress"))
        self.receipt_heading.setText(self.tr("Receipt (回执)"))
        self.withdraw_button.setText(self.tr("&Withdraw the bid…"))
        self.withdraw_button.setAccessibleName(self.tr("Withdraw the submitted bid before the deadline"))
        self.replace_button.setText(self.tr("Seal a &replacement…"))
        self.replace_button.setAccessibleName(self.tr("Seal a new bid that replaces the submitted one"))
        self.refresh()

    # --- state ---

    @property
    def busy(self) -> bool:
        return self._task is not None

    def bid_path(self) -> Path | None:
        return self.project.sealed_path() if self.project is not None else None

    def set_project(self, project: bp.BidProject | None) -> None:
        self.project = project
        self.verified = None
        self.withdrawn = None
        self.error_view.clear()
        self.status.setText("")
        self.progress.setValue(0)
        self._load_receipts()
        self.refresh()

    def _load_receipts(self) -> None:
        """A receipt saved with the bid (e.g. before a restart) is verified again, offline."""
        bid = self.bid_path()
        if bid is None:
            return
        for path, attr in ((receipt_path(bid), "verified"), (withdrawal_receipt_path(bid), "withdrawn")):
            if path.is_file():
                try:
                    setattr(self, attr, receipts.verify_receipt(receipts.load_receipt(path),
                                                                bid=bid if attr == "verified" else None))
                except Exception as ex:  # a damaged receipt is shown, not hidden
                    self.error_view.show_error(ex)

    def refresh(self) -> None:
        bid = self.bid_path()
        sealed = self.project.sealed if self.project is not None else None
        if bid is None or sealed is None:
            self.bid_label.setText(self.tr("No sealed bid yet: seal it on the previous page."))
        else:
            self.bid_label.setText(self.tr("Sealed bid: {name}\nSHA-256: {sha}\nSize: {size} bytes").format(
                name=bid.name, sha=sealed.envelope_sha256, size=sealed.size))
        self._update_submit_label()
        self._show_receipt()
        self._update_buttons()
        self.tick()

    def _update_submit_label(self) -> None:
        bid = self.bid_path()
        if bid is not None and load_state(bid) is not None:
            self.submit_button.setText(self.tr("&Resume the upload"))
            self.submit_button.setAccessibleName(self.tr("Resume the interrupted upload"))
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
        self.withdraw_button.setEnabled(signed_in and idle and open_ and self.verified is not None
                                        and self.withdrawn is None)
        self.replace_button.setEnabled(idle and open_ and (self.verified is not None or self.withdrawn is not None))

    def deadline_passed(self) -> bool:
        client = self.context.client()
        if self.project is None or client is None:
            return False
        return client.server_now() >= self.project.definition.bid_deadline

    def tick(self) -> None:
        client = self.context.client()
        if self.project is None:
            self.countdown.setText("")
            return
        deadline = self.project.definition.bid_deadline
        if client is None:
            self.countdown.setText(self.tr("Deadline {time} (sign in to see the server clock)").format(
                time=deadline.strftime("%Y-%m-%d %H:%M:%S UTC")))
            return
        left = int((deadline - client.server_now()).total_seconds())
        if left <= 0:
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
        project, bid, pin_source = self.project, self.bid_path(), self.context.pin_source
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
        self.status.setText(self.tr("Resuming the upload…") if resuming else self.tr("Uploading…"))

        def job(ctx: TaskContext) -> Submitted:
            server_ca = receipts.pinned_server_ca(client)  # pinned before anything is sent (TOFU)
            uploader = Uploader(client, chunk_size=chunk, progress=ctx.progress, cancel=stop)
            if presigned is not None:
                out = uploader.submit(bid, tender_id=tender_id, tender_version=version, bidder=identity,
                                      sign=presigned, sealed_as=sealed_as)
            else:  # sealed in another session: the statement needs the dongle (one PIN entry)
                assert pin_source is not None
                key = find_signed_in_key(cert_sha)
                with open_key(key.uri, pin_source) as token:
                    signer = token.signer()
                    out = uploader.submit(bid, tender_id=tender_id, tender_version=version, bidder=identity,
                                          sign=lambda data: cms_sign.sign_detached(data, signer),
                                          sealed_as=sealed_as)
            path = receipt_path(bid)
            receipts.save_receipt(path, out.receipt, server_ca)
            verified = receipts.verify_receipt(receipts.load_receipt(path), bid=bid)
            return Submitted(out, verified, path)

        self._start(Task(job, name="submit"), self._submitted)

    def _start(self, task: Task, on_success: object) -> None:
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
            self.status.setText(self.tr("Uploaded {held:.1f} of {total:.1f} MB").format(
                held=held / 1e6, total=total / 1e6))

    def _submitted(self, result: Submitted) -> None:
        self.verified = result.receipt
        self.withdrawn = None
        self.progress.setValue(100)
        self.status.setText(self.tr("Submitted. The receipt was verified and saved with the bid."))
        self.submitted.emit(result)

    def _failed(self, error: BaseException) -> None:
        self._update_submit_label()  # before the error shows: what the user reads next is the way on
        self.error_view.show_error(error)
        bid = self.bid_path()
        if bid is not None and load_state(bid) is not None:
            self.status.setText(self.tr("The upload stopped. What the server received is kept: press “Resume "
                                        "the upload” when the connection is back (also after restarting)."))
        else:
            self.status.setText(self.tr("Not submitted."))

    def _done(self) -> None:
        self._task = None
        self.refresh()

    # --- withdrawing ---

    def start_withdraw(self) -> None:
        session = self.context.session
        project, bid, pin_source = self.project, self.bid_path(), self.context.pin_source
        if session is None or project is None or bid is None or pin_source is None or self._task is not None:
            return
        self.error_view.clear()
        self.status.setText(self.tr("Withdrawing: enter the dongle's PIN when asked…"))
        client, identity, cert_sha = session.client, session.account.identity_key, session.certificate_sha256
        tender_id = project.definition.tender_id

        def job(_ctx: TaskContext) -> receipts.VerifiedReceipt:
            server_ca = receipts.pinned_server_ca(client)
            key = find_signed_in_key(cert_sha)
            with open_key(key.uri, pin_source) as token:
                signer = token.signer()
                out = withdraw(client, tender_id=tender_id, bidder=identity,
                               sign=lambda data: cms_sign.sign_detached(data, signer))
            assert out.withdrawal_receipt is not None
            path = withdrawal_receipt_path(bid)
            receipts.save_receipt(path, out.withdrawal_receipt, server_ca)
            return receipts.verify_receipt(receipts.load_receipt(path))

        self._start(Task(job, name="withdraw"), self._withdrawn)

    def _withdrawn(self, verified: receipts.VerifiedReceipt) -> None:
        self.withdrawn = verified
        self.status.setText(self.tr("Withdrawn. You may seal and submit a new bid before the deadline."))

    # --- the receipt ---

    def _show_receipt(self) -> None:
        lines = []
        for verified, title in ((self.verified, self.tr("Submission")), (self.withdrawn, self.tr("Withdrawal"))):
            if verified is None:
                continue
            lines.append(self.tr(
                "{title}: verified ✓\nReceived at (server time): {time}\nTimestamp: {stamp}\n"
                "Signed by the server: {signer}\nEnvelope SHA-256: {sha}{match}\nSubmission: {id}").format(
                title=title, time=verified.time.strftime("%Y-%m-%d %H:%M:%S UTC"),
                stamp=verified.timestamp_time.strftime("%Y-%m-%d %H:%M:%S UTC"), signer=verified.signer,
                sha=verified.envelope_sha256,
                match=self.tr(" (matches the sealed bid)") if verified.bid_checked else "",
                id=verified.submission_id))
        self.receipt_label.setText("\n\n".join(lines) or self.tr("No receipt yet."))
        self.receipt_label.setStyleSheet("color: #1b5e20;" if lines else "")
