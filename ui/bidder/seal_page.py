"""Seal: the warnings first (unlinked criteria, a certificate that expires before the opening, the
deadline), then one PIN entry for signing the forms, sealing and signing the submission statement,
with progress and cancel on a worker; the self-check's result at the end."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QEvent, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from bidclient import bid_project as bp
from bidclient.sealing import SealResult
from bidclient.signin import DongleKey, find_signed_in_key
from ui.bidder.book_preview import BookPreviewDialog
from ui.bidder.common import warning_text
from ui.context import AppContext
from ui.error_view import ErrorView, plain_label
from ui.status_line import StatusLine
from ui.workers import Task, TaskContext, start


class SealPage(QWidget):
    sealed = Signal(object)  # SealResult

    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("sealPage")
        self.context = context
        self.project: bp.BidProject | None = None
        self.key: DongleKey | None = None
        self.warnings: list[bp.SealWarning] = []
        self.result: SealResult | None = None
        self._task: Task | None = None
        self._key_task: Task | None = None
        self._preview_task: Task | None = None
        self.preview_dialog: BookPreviewDialog | None = None

        self.heading = QLabel(self)
        self.heading.setStyleSheet("font-size: 14pt; font-weight: bold;")
        self.intro = plain_label(self)
        self.key_label = plain_label(self, name="sealKey")
        self.warnings_label = QLabel(self)
        self.warning_list = QListWidget(self)
        self.warning_list.setObjectName("sealWarnings")
        self.accept_box = QCheckBox(self)
        self.accept_box.setObjectName("acceptWarnings")
        self.accept_box.toggled.connect(lambda _c: self._update_buttons())
        self.seal_button = QPushButton(self)
        self.seal_button.setObjectName("sealButton")
        self.seal_button.clicked.connect(self.start_seal)
        self.cancel_button = QPushButton(self)
        self.cancel_button.setObjectName("cancelSeal")
        self.cancel_button.clicked.connect(self.cancel)
        self.preview_button = QPushButton(self)
        self.preview_button.setObjectName("previewBook")
        self.preview_button.clicked.connect(self.start_preview)
        self.progress = QProgressBar(self)
        self.progress.setObjectName("sealProgress")
        self.status = plain_label(self, name="sealStatus")
        self.status_line = StatusLine(self.status)
        self.result_label = plain_label(self, name="sealResult")
        self.error_view = ErrorView(self)

        buttons = QHBoxLayout()
        buttons.addWidget(self.preview_button)
        buttons.addWidget(self.seal_button)
        buttons.addWidget(self.cancel_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addWidget(self.intro)
        layout.addWidget(self.key_label)
        layout.addWidget(self.warnings_label)
        layout.addWidget(self.warning_list, 1)
        layout.addWidget(self.accept_box)
        layout.addLayout(buttons)
        layout.addWidget(self.progress)
        layout.addWidget(self.status)
        layout.addWidget(self.result_label)
        layout.addWidget(self.error_view)
        context.session_changed.connect(lambda _s: self.refresh())
        self.retranslate()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def retranslate(self) -> None:
        self.heading.setText(self.tr("Seal the bid (加密)"))
        self.intro.setText(self.tr("Sealing signs the bid letter, the price schedule and the whole bid bound as "
                                   "one PDF (投标文件.pdf: enterprise and legal representative's seals, page seals, "
                                   "riding seal) with your dongle, encrypts the whole bid for the opening and for "
                                   "yourself, and checks that it opens again. You enter the PIN once."))
        self.warnings_label.setText(self.tr("Before you seal"))
        self.warning_list.setAccessibleName(self.tr("Warnings before sealing"))
        self.accept_box.setText(self.tr("I have read the warnings and want to seal anyway"))
        self.accept_box.setAccessibleName(self.tr("Seal despite the warnings"))
        self.seal_button.setText(self.tr("&Seal the bid…"))
        self.seal_button.setAccessibleName(self.tr("Seal the bid with the dongle"))
        self.cancel_button.setText(self.tr("Cancel"))
        self.preview_button.setText(self.tr("&Preview the whole bid…"))
        self.preview_button.setAccessibleName(self.tr("Preview the whole bid as it will be sealed, with its "
                                                      "contents, page seals and riding seal"))
        self.cancel_button.setAccessibleName(self.tr("Cancel sealing"))
        self.progress.setAccessibleName(self.tr("Sealing progress"))
        self.status_line.retranslate()
        self._show_key()
        self._show_warnings()
        self._show_result()

    # --- state ---

    @property
    def busy(self) -> bool:
        return self._task is not None or self._key_task is not None

    def set_project(self, project: bp.BidProject | None) -> None:
        self.project = project
        self.result = None
        self.status_line.clear()
        self.progress.setValue(0)
        self._show_result()
        self.refresh()

    def project_changed(self) -> None:
        """The forms or documents changed: a result shown for the earlier sealing no longer describes them."""
        if self._task is not None:
            return
        if self.result is not None or (self.project is not None and self.project.sealed is not None):
            self.result = None
            self._show_result()
            self.progress.setValue(0)
            self.status_line.set(lambda: self.tr("The bid changed after it was sealed: seal it again, or the "
                                                 "changes are not in what you submit."))
        self.refresh()

    def refresh(self) -> None:
        """Recompute the warnings; look for the signed-in dongle's certificates (no PIN) if not known."""
        session = self.context.session
        if session is not None and self.key is None and self._key_task is None:
            sha = session.certificate_sha256
            task = Task(lambda _ctx: find_signed_in_key(sha), name="find-key")
            task.signals.succeeded.connect(self._key_found)
            task.signals.failed.connect(self.error_view.show_error)
            task.signals.finished.connect(self._key_done)
            self._key_task = start(task)
        if session is None:
            self.key = None
        self._show_key()
        self._show_warnings()

    def _key_found(self, key: DongleKey) -> None:
        self.key = key
        self._show_key()
        self._show_warnings()

    def _key_done(self) -> None:
        self._key_task = None
        self._update_buttons()

    def _show_key(self) -> None:
        if self.context.session is None:
            self.key_label.setText(self.tr("Sign in with your dongle to seal."))
        elif self.key is None:
            self.key_label.setText(self.tr("Looking for your dongle…"))
        else:
            enc = self.key.encryption_certificate
            until = enc.not_valid_after_utc.strftime("%Y-%m-%d") if enc is not None else "—"
            self.key_label.setText(self.tr("Dongle found; encryption certificate valid until {date}.").format(
                date=until))

    def _show_warnings(self) -> None:
        self.warning_list.clear()
        self.warnings = []
        if self.project is not None:
            client = self.context.client()
            now = client.server_now() if client is not None else None
            self.warnings = self.project.preseal_warnings(
                now=now, encryption_certificate=self.key.encryption_certificate if self.key else None)
        for w in self.warnings:
            item = QListWidgetItem(("⛔ " if w.blocking else "⚠ ") + warning_text(w))
            self.warning_list.addItem(item)
        if self.project is not None and not self.warnings:
            self.warning_list.addItem(QListWidgetItem("✓ " + self.tr("Nothing to warn about: every criterion is "
                                                                     "linked and the forms are complete.")))
        self.accept_box.setVisible(any(not w.blocking for w in self.warnings))
        self._update_buttons()

    def _update_buttons(self) -> None:
        blocking = any(w.blocking for w in self.warnings)
        must_accept = any(not w.blocking for w in self.warnings)
        ready = (self.project is not None and self.key is not None and self._task is None and not blocking
                 and (self.accept_box.isChecked() or not must_accept))
        self.seal_button.setEnabled(ready)
        self.preview_button.setEnabled(self.project is not None and self._preview_task is None)
        self.cancel_button.setEnabled(self._task is not None)

    # --- the whole bid, before sealing ---

    def start_preview(self) -> None:
        """Bind the bid as it will be sealed (on a worker: a long bid takes a moment) and show it."""
        project = self.project
        if project is None or self._preview_task is not None:
            return
        self.error_view.clear()
        enterprise = _organisation(self.key.signing_certificate) if self.key is not None else None
        task = Task(lambda _ctx: project.render_book_preview(enterprise=enterprise), name="book-preview")
        task.signals.succeeded.connect(self._show_preview)
        task.signals.failed.connect(self.error_view.show_error)
        task.signals.finished.connect(self._preview_done)
        self._preview_task = start(task)
        self._update_buttons()

    def _show_preview(self, book: Any) -> None:
        if self.preview_dialog is not None:
            self.preview_dialog.close()
        self.preview_dialog = BookPreviewDialog(book, self)
        self.preview_dialog.show()

    def _preview_done(self) -> None:
        self._preview_task = None
        self._update_buttons()

    # --- sealing ---

    def start_seal(self) -> None:
        session = self.context.session
        project, key, prompter = self.project, self.key, self.context.pin_source
        if session is None or project is None or key is None or self._task is not None or prompter is None:
            return
        self.error_view.clear()
        self.result = None
        self._show_result()
        self.progress.setValue(0)
        self.status_line.set(lambda: self.tr("Enter the dongle's PIN when asked…"))
        client = session.client
        identity = session.account.identity_key

        def job(ctx: TaskContext) -> SealResult:
            total = sum(a.size for a in project.attachments) or 1
            return bp.seal_with_key(project, key.uri, prompter, bidder_identity=identity, now=client.server_now,
                                    progress=lambda done: ctx.progress(done, total), cancel=ctx.cancelled)

        task = Task(job, name="seal")
        task.signals.progress.connect(self._progress)
        task.signals.succeeded.connect(self._sealed)
        task.signals.failed.connect(self._failed)
        task.signals.finished.connect(self._seal_done)
        self._task = start(task)
        self._update_buttons()

    def cancel(self) -> None:
        if self._task is not None:
            self._task.cancel()
            self.status_line.set(lambda: self.tr("Cancelling…"))

    def _progress(self, done: int, total: int) -> None:
        if total:
            self.progress.setMaximum(100)
            self.progress.setValue(min(100, done * 100 // total))
            self.status_line.set(lambda: self.tr("Sealing… {percent}%").format(percent=min(100, done * 100 // total)))

    def _sealed(self, result: SealResult) -> None:
        self.result = result
        self.progress.setValue(100)
        self.status_line.set(lambda: self.tr("Sealed."))
        self._show_result()
        self.sealed.emit(result)

    def _failed(self, error: BaseException) -> None:
        self.status_line.set(lambda: self.tr("Not sealed."))
        self.error_view.show_error(error)
        if self.project is not None and self.project.sealed is not None and \
                getattr(error, "code", "") == "bid.deadline_passed":
            self.status_line.set(lambda: self.tr("Sealed, but the deadline passed meanwhile: the server will "
                                                 "refuse it."))

    def _seal_done(self) -> None:
        self._task = None
        self._show_warnings()

    def _show_result(self) -> None:
        r: Any = self.result
        if r is None:
            self.result_label.setText("")
            return
        check = self.tr("passed: the bid opens again with your own key") if r.self_check_passed else \
            self.tr("FAILED")
        self.result_label.setText(self.tr(
            "Self-check {check}.\nEnvelope SHA-256: {sha}\nSize: {size} bytes; files: {files}").format(
            check=check, sha=r.envelope_sha256, size=r.envelope_size, files=len(r.manifest.files)))
        self.result_label.setStyleSheet("color: #1b5e20;" if r.self_check_passed else "color: #b00020;")


def _organisation(certificate: Any) -> str | None:
    """The enterprise a signing certificate names (its O): the name the seals will carry."""
    from cryptography.x509.oid import NameOID

    values = certificate.subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)
    return str(values[0].value) if values else None
