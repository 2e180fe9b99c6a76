"""Sign in with the dongle: server URL, signing certificate, PIN, then a challenge signed on a worker.

On success the session token goes to the keyring (bidclient.session_store.save_session; never the
PIN), the server URL to QSettings, and ``signed_in`` carries a ui.context.SignedIn.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from bidclient import session_store
from bidclient.signin import SignedIn, SigningCertificate, sign_in, signing_certificates
from bidclient.signin_check import RefusedBeforePin, describe_subject
from crypto.errors import TrustError
from ui.cert_status import explain
from ui.context import AppContext
from ui.error_view import ErrorView, plain_label
from ui.pin_bridge import QtPrompter
from ui.status_line import StatusLine
from ui.task_progress import TaskProgress
from ui.workers import Task, TaskContext, start


class SignInDialog(QDialog):
    signed_in = Signal(object)  # SignedIn

    def __init__(self, context: AppContext, pin_source: QtPrompter | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("signInDialog")
        self.context = context
        self.pin_source = pin_source or QtPrompter(self)
        self.choices: list[SigningCertificate] = []  # the signing certificates found, with their standing
        self._list_task: Task | None = None
        self._login_task: Task | None = None
        self._stopped: set[Task] = set()  # sign-ins the user stopped waiting for, still finishing
        self.result_session: SignedIn | None = None
        self.preferred_token: str | None = None  # chosen when the tokens are listed (the demo's dongle)

        self.intro = plain_label(self)
        self.server_edit = QLineEdit(self)
        self.server_edit.setObjectName("serverEdit")
        self.server_edit.setText(context.server_url())
        self.server_label = QLabel(self)
        self.server_label.setBuddy(self.server_edit)
        # Red, shown only for a plain http:// address of another computer (refused unless allowed).
        self.http_warning = plain_label(self, name="insecureHttpWarning")
        self.http_warning.setStyleSheet("color: #c00000; font-weight: bold;")
        self.http_warning.hide()
        self.server_edit.textChanged.connect(self._update_http_warning)
        self.key_combo = QComboBox(self)
        self.key_combo.setObjectName("keyCombo")
        self.key_label = QLabel(self)
        self.key_label.setBuddy(self.key_combo)
        self.rescan_button = QPushButton(self)
        self.rescan_button.setObjectName("rescanButton")
        self.rescan_button.clicked.connect(self.refresh_tokens)
        self.status = plain_label(self, name="signInStatus")
        self.status_line = StatusLine(self.status)
        self.progress = TaskProgress(self, name="signInProgress")
        self.progress.stop_requested.connect(self.stop_sign_in)
        self.error_view = ErrorView(self)
        self.sign_in_button = QPushButton(self)
        self.sign_in_button.setObjectName("signInButton")
        self.sign_in_button.setDefault(True)
        self.sign_in_button.clicked.connect(self.start_sign_in)
        self.cancel_button = QPushButton(self)
        self.cancel_button.setObjectName("cancelButton")
        self.cancel_button.clicked.connect(self.reject)

        key_row = QHBoxLayout()
        key_row.addWidget(self.key_combo, 1)
        key_row.addWidget(self.rescan_button)
        form = QFormLayout()
        form.addRow(self.server_label, self.server_edit)
        form.addRow(self.http_warning)
        form.addRow(self.key_label, key_row)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.sign_in_button)
        buttons.addWidget(self.cancel_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.intro)
        layout.addLayout(form)
        layout.addWidget(self.status)
        layout.addWidget(self.progress)
        layout.addWidget(self.error_view)
        layout.addLayout(buttons)
        self.resize(640, 300)
        self.retranslate()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def retranslate(self) -> None:
        self.setWindowTitle(self.tr("Sign in with your dongle"))
        self.intro.setText(self.tr("Plug in your CA dongle, choose its signing certificate and sign in. "
                                   "You will be asked for the dongle's PIN once."))
        self.server_label.setText(self.tr("&Server:"))
        self.server_edit.setAccessibleName(self.tr("Server address"))
        self.server_edit.setPlaceholderText("https://")
        self.key_label.setText(self.tr("&Certificate:"))
        self.key_combo.setAccessibleName(self.tr("Signing certificate"))
        self.status.setAccessibleName(self.tr("Sign-in status"))
        self.rescan_button.setText(self.tr("&Look again"))
        self.rescan_button.setAccessibleName(self.tr("Look for dongles again"))
        self.sign_in_button.setText(self.tr("Sign &in"))
        self.sign_in_button.setAccessibleName(self.tr("Sign in"))
        self.cancel_button.setText(self.tr("Cancel"))
        self.cancel_button.setAccessibleName(self.tr("Cancel"))
        self.status_line.retranslate()
        self._update_http_warning()
        self._fill_combo()

    def _update_http_warning(self) -> None:
        from urllib.parse import urlsplit

        from bidclient.api_client import is_loopback

        url = self.server_edit.text().strip()
        try:
            host = urlsplit(url).hostname or ""
        except ValueError:
            host = ""
        if not url.lower().startswith("http://") or not host or is_loopback(host):
            self.http_warning.hide()
            return
        if session_store.tls_options(url).insecure_http:
            self.http_warning.setText(self.tr("Warning: this connection is not encrypted. Your session and "
                                              "sign-in can be read and changed by anyone on the network."))
        else:
            self.http_warning.setText(self.tr("Plain http:// to another computer is refused: it is not encrypted. "
                                              "Use the platform's https:// address."))
        self.http_warning.show()

    # --- dongles -------------------------------------------------------------------------------

    def refresh_tokens(self) -> None:
        if self._list_task is not None:
            return
        self.rescan_button.setEnabled(False)
        self.status_line.set(lambda: self.tr("Looking for dongles…"))

        task = Task(lambda _ctx: signing_certificates(), name="list-tokens")
        task.signals.succeeded.connect(self._tokens_listed)
        task.signals.failed.connect(self.error_view.show_error)
        task.signals.finished.connect(self._listing_done)
        self._list_task = start(task)

    def _listing_done(self) -> None:
        self._list_task = None
        self.rescan_button.setEnabled(True)

    @property
    def token_labels(self) -> list[str]:
        """The dongle of each certificate in the list, in its order."""
        return [choice.token_label for choice in self.choices]

    def _tokens_listed(self, choices: list[SigningCertificate]) -> None:
        self.choices = choices
        self._fill_combo()
        if self.preferred_token in self.token_labels:
            self.select_token(self.preferred_token)
        if self.choices:
            self.status_line.set(lambda: self.tr("{count} signing certificates found.").format(
                count=len(self.choices)))
        else:
            self.status_line.set(lambda: self.tr("No dongle with a signing certificate was found. Plug it in and "
                                        "press “Look again”; the Dongles and certificates window shows why a "
                                        "dongle is not seen."))

    def _fill_combo(self) -> None:
        current = self.key_combo.currentIndex()
        self.key_combo.clear()
        for choice in self.choices:
            label = choice.token_label
            until = choice.certificate.not_valid_after_utc.strftime("%Y-%m-%d")
            subject = describe_subject(choice.certificate)
            standing = choice.assessment
            kind = standing.kind
            if kind == TrustError.REASON_EXPIRED:
                text = self.tr("{subject} — dongle “{token}” — EXPIRED on {date}").format(
                    subject=subject, token=label, date=until)
            elif kind == TrustError.REASON_REVOKED:
                text = self.tr("{subject} — dongle “{token}” — REVOKED").format(subject=subject, token=label)
            elif kind == TrustError.REASON_NOT_YET_VALID:
                text = self.tr("{subject} — dongle “{token}” — NOT VALID YET").format(subject=subject, token=label)
            else:
                text = self.tr("{subject} — dongle “{token}”, valid until {date}").format(
                    subject=subject, token=label, date=until)
            self.key_combo.addItem(text, choice.uri)
            if standing.refused_locally:
                index = self.key_combo.count() - 1
                self.key_combo.setItemData(index, QBrush(QColor("#b00020")), Qt.ItemDataRole.ForegroundRole)
                self.key_combo.setItemData(index, explain(standing)[0], Qt.ItemDataRole.ToolTipRole)
        if 0 <= current < self.key_combo.count():
            self.key_combo.setCurrentIndex(current)

    def prefer_token(self, token_label: str) -> None:
        """Preselect this dongle now if it is listed, else as soon as the listing arrives."""
        self.preferred_token = token_label
        if token_label in self.token_labels:
            self.select_token(token_label)

    def select_token(self, token_label: str) -> None:
        """Choose the first signing certificate of the dongle with this label."""
        self.key_combo.setCurrentIndex(self.token_labels.index(token_label))

    # --- signing in ----------------------------------------------------------------------------

    @property
    def busy(self) -> bool:
        """True while a task of this dialog still runs (also a sign-in the user stopped waiting for)."""
        return self._login_task is not None or self._list_task is not None or bool(self._stopped)

    @property
    def signing_in(self) -> bool:
        """True while the dialog waits for a sign-in (the Stop button is shown)."""
        return self._login_task is not None

    def start_sign_in(self) -> None:
        if self._login_task is not None:
            return
        self.error_view.clear()
        server = self.server_edit.text().strip()
        key_uri = self.key_combo.currentData()
        if not server:
            self.status_line.set(lambda: self.tr("Enter the server address first."))
            self.server_edit.setFocus()
            return
        if not key_uri:
            self.status_line.set(lambda: self.tr("Choose a signing certificate first."))
            self.key_combo.setFocus()
            return
        self.sign_in_button.setEnabled(False)
        self.status_line.set(lambda: self.tr("Signing in to {server}: enter the PIN when asked…").format(server=server))
        self.progress.begin(self.tr("signing in"))
        prompter = self.pin_source
        chosen = next((c.certificate for c in self.choices if c.uri == key_uri), None)

        def job(ctx: TaskContext) -> SignedIn:
            return sign_in(server, str(key_uri), prompter, ctx.cancelled, certificate=chosen)

        task = Task(job, name="sign-in")
        task.signals.succeeded.connect(self._signed_in)
        task.signals.failed.connect(self._failed)
        task.signals.finished.connect(self._login_done)
        self._login_task = start(task)

    def stop_sign_in(self) -> None:
        """Stop waiting for the server or the dongle: the dialog is usable again at once; whatever the
        stopped sign-in still receives is dropped (no PIN asked, no session stored)."""
        task = self._login_task
        if task is None:
            return
        task.cancel()
        self.pin_source.abandon()
        self._stopped.add(task)
        self._login_task = None
        self.progress.end()
        self.sign_in_button.setEnabled(True)
        self.status_line.set(lambda: self.tr("Sign-in stopped. You are not signed in."))

    def _current(self) -> bool:
        return self._login_task is not None and self.sender() is self._login_task.signals

    def _login_done(self) -> None:
        if not self._current():
            self._stopped = {t for t in self._stopped if self.sender() is not t.signals}
            return
        self._login_task = None
        self.progress.end()
        self.sign_in_button.setEnabled(True)

    def _failed(self, error: BaseException) -> None:
        if not self._current():
            return
        if isinstance(error, RefusedBeforePin) and not error.after_password:
            status, step = explain(error.assessment)
            self.status_line.set(lambda: self.tr("Not signed in, and no PIN was asked: this certificate cannot be "
                                                 "used. {status} {step}").format(status=status, step=step))
        else:
            self.status_line.set(lambda: self.tr("Not signed in."))
        self.error_view.show_error(error)

    def _signed_in(self, session: SignedIn) -> None:
        if not self._current():
            return
        self.result_session = session
        self.status_line.set(lambda: self.tr("Signed in."))
        self.context.set_session(session)
        self.signed_in.emit(session)
        self.accept()

    def reject(self) -> None:
        self.stop_sign_in()
        super().reject()
