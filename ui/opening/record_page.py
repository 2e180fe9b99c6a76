"""The opening record (开标记录表): the host drafts it once every objection is answered, previews it in the
app's PDF viewer, signs it (PAdES with a visible seal, the dongle's PIN through the app's prompter), a
supervisor co-signs it, and the host publishes it. The record shown is always the server's current one."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from PySide6.QtCore import QEvent
from PySide6.QtWidgets import QHBoxLayout, QPushButton, QVBoxLayout, QWidget

from bidclient import opening_host as oh
from bidclient.opening import OpeningApi
from ui.error_view import ErrorView, plain_label
from ui.opening.common import named
from ui.opening.controller import OpeningController
from ui.pdf_viewer import PdfViewer
from ui.workers import Task, start


class RecordPage(QWidget):
    def __init__(self, controller: OpeningController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("openingRecordPage")
        self.controller = controller
        self.folder = Path(tempfile.mkdtemp(prefix="bidclient-opening-record-"))
        self.destroyed.connect(lambda *_a, folder=self.folder: shutil.rmtree(folder, ignore_errors=True))
        self.previewed_sha: str | None = None
        self._preview_task: Task | None = None
        self.draft_button = named(QPushButton(self), "draftRecordButton")
        self.draft_button.clicked.connect(self.draft)
        self.sign_button = named(QPushButton(self), "signRecordButton")
        self.sign_button.clicked.connect(self.sign)
        self.publish_button = named(QPushButton(self), "publishButton")
        self.publish_button.clicked.connect(self.publish)
        self.status = plain_label(self, name="recordStatus")
        self.error_view = ErrorView(self)
        self.viewer = PdfViewer(self)
        self.viewer.setObjectName("recordViewer")
        row = QHBoxLayout()
        for button in (self.draft_button, self.sign_button, self.publish_button):
            row.addWidget(button)
        row.addStretch()
        layout = QVBoxLayout(self)
        layout.addLayout(row)
        layout.addWidget(self.status)
        layout.addWidget(self.error_view)
        layout.addWidget(self.viewer, 1)
        controller.view_changed.connect(self.show_view)
        controller.busy_changed.connect(lambda _b: self.update_buttons())
        self.retranslate()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def retranslate(self) -> None:
        self.draft_button.setText(self.tr("Draft the record"))
        self.draft_button.setAccessibleName(self.tr("Draft the opening record"))
        self.sign_button.setText(self.tr("Sign the record"))
        self.sign_button.setAccessibleName(self.tr("Sign the opening record with your dongle"))
        self.publish_button.setText(self.tr("Publish the record"))
        self.publish_button.setAccessibleName(self.tr("Publish the signed record to the participants"))
        self.viewer.setAccessibleName(self.tr("Preview of the opening record"))
        self.show_view(self.controller.view)

    def show_view(self, view: oh.HostView | None) -> None:
        o = view.opening if view is not None else None
        if o is None or o.record_sha256 is None:
            self.status.setText(self.tr("No record yet: the host drafts it after the announcement, once every "
                                        "objection is answered."))
        else:
            signers = ", ".join(o.record_signers) or self.tr("nobody yet")
            text = self.tr("Record SHA-256 {sha}; signed by: {who}.").format(sha=o.record_sha256, who=signers)
            if o.published_at:
                text += " " + self.tr("Published.")
            self.status.setText(text)
            if o.record_sha256 != self.previewed_sha:
                self.preview(o.record_sha256)
        host = view is not None and view.role is oh.Role.HOST
        self.draft_button.setVisible(host)
        self.publish_button.setVisible(host)
        self.sign_button.setVisible(view is not None and view.role in (oh.Role.HOST, oh.Role.SUPERVISOR))
        self.update_buttons()

    def update_buttons(self) -> None:
        a = self.controller.actions()
        self.draft_button.setEnabled(a.draft_record)
        self.sign_button.setEnabled(a.sign_record)
        self.publish_button.setEnabled(a.publish)

    def preview(self, sha: str) -> None:
        """Download the server's current record and show it (off the GUI thread)."""
        client, tender = self.controller.context.client(), self.controller.tender_id
        if client is None or self._preview_task is not None:
            return
        self.previewed_sha = sha
        folder = self.folder
        task = Task(lambda _ctx: oh.record_to_file(client, tender, folder), name="record-preview")
        task.signals.succeeded.connect(self.viewer.open)
        task.signals.failed.connect(self._preview_failed)
        task.signals.finished.connect(self._preview_done)
        self._preview_task = start(task)

    def _preview_failed(self, error: BaseException) -> None:
        self.previewed_sha = None
        self.error_view.show_error(error)

    def _preview_done(self) -> None:
        self._preview_task = None
        view = self.controller.view
        if view is not None and view.opening.record_sha256 not in (None, self.previewed_sha):
            self.preview(str(view.opening.record_sha256))  # it changed while the previous one downloaded

    # --- actions ---

    def draft(self) -> None:
        tender, step = self.controller.tender_id, self.controller.step
        self.controller.run("draft-record", lambda client, _ctx: OpeningApi(client, tender).draft_record(step=step))

    def sign(self) -> None:
        tender, sha = self.controller.tender_id, self.controller.certificate_sha256()
        prompter = self.controller.context.pin_source
        if prompter is None:
            return
        self.controller.run("sign-record", lambda client, _ctx: oh.sign_record(client, tender, sha(), prompter))

    def publish(self) -> None:
        tender, step = self.controller.tender_id, self.controller.step
        self.controller.run("publish", lambda client, _ctx: OpeningApi(client, tender).publish(step=step))
