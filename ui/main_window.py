"""The main window: menus, a role switcher over the registered workspaces, and the status bar
(server, signed-in identity, server clock). Workspaces are added through ui.workspaces.

At start-up a stored session is checked with the server on a worker (bidclient.signin.restore_session). An
unreachable server is said once, quietly, in the status bar ("offline") and checked again every
RETRY_OFFLINE_MS; it never opens a dialog.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt, QTimer
from PySide6.QtGui import QAction, QActionGroup, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QMessageBox,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

import ui.workspaces_builtin  # noqa: F401  (registers the shipped workspaces)
from bidclient import session_store, timefmt
from bidclient.revocation import revocation_lines
from bidclient.signin import SignedIn, restore_session
from ui.ca_doctor import CaDoctorDialog
from ui.context import SETTING_ROLE, AppContext
from ui.error_view import plain_label
from ui.help_dialog import GUIDE, OPENING, HelpDialog
from ui.languages import LANGUAGE_NAMES, LANGUAGES, LanguageManager
from ui.pin_bridge import QtPrompter
from ui.signin_dialog import SignInDialog
from ui.trust_offer import TrustKeeper
from ui.workers import Task, TaskContext, start
from ui.workspaces import registered_workspaces

VERSION = "0.1.0"
TIME_ZONES = ("Asia/Shanghai", "UTC")  # the View menu's choices; BIDCLIENT_TIMEZONE may name any other
RETRY_OFFLINE_MS = 30_000

# What the status bar says about the connection besides the server's address.
CONNECTION_UNKNOWN, CHECKING, OFFLINE, SESSION_ENDED = "", "checking", "offline", "session_ended"


class MainWindow(QMainWindow):
    def __init__(self, context: AppContext, languages: LanguageManager) -> None:
        super().__init__()
        self.setObjectName("mainWindow")
        self.context = context
        self.languages = languages
        self.pin_source = QtPrompter(self)
        context.pin_source = self.pin_source
        self.signin_dialog: SignInDialog | None = None
        self.doctor_dialog: CaDoctorDialog | None = None
        self.connection = CONNECTION_UNKNOWN
        self._restore_task: Task | None = None
        self.retry_timer = QTimer(self)
        self.retry_timer.setSingleShot(True)
        self.retry_timer.setInterval(RETRY_OFFLINE_MS)
        self.retry_timer.timeout.connect(self.restore_session)

        # --- workspaces ---
        central = QWidget(self)
        self.role_label = QLabel(central)
        self.role_combo = QComboBox(central)
        self.role_combo.setObjectName("roleSwitcher")
        self.role_label.setBuddy(self.role_combo)
        self.stack = QStackedWidget(central)
        self.workspaces: dict[str, QWidget] = {}
        self.specs = registered_workspaces()
        for spec in self.specs:
            widget = spec.factory(context, self.stack)
            self.workspaces[spec.role] = widget
            self.stack.addWidget(widget)
            self.role_combo.addItem(spec.title(), spec.role)
            for signal_name, slot in (("sign_in_requested", self.open_sign_in),
                                      ("doctor_requested", self.open_doctor),
                                      ("trust_list_requested", self.offer_trust_list)):
                signal = getattr(widget, signal_name, None)
                if signal is not None:
                    signal.connect(slot)
        self.role_combo.currentIndexChanged.connect(self._switch_role)
        top = QHBoxLayout()
        top.addWidget(self.role_label)
        top.addWidget(self.role_combo)
        top.addStretch(1)
        layout = QVBoxLayout(central)
        layout.addLayout(top)
        layout.addWidget(self.stack, 1)
        self.setCentralWidget(central)

        # --- status bar ---
        self.server_label = plain_label(self, name="statusServer")
        self.identity_label = plain_label(self, name="statusIdentity")
        self.clock_label = plain_label(self, name="statusClock")
        for label in (self.server_label, self.identity_label, self.clock_label):
            label.setWordWrap(False)
        self.trust = TrustKeeper(self)
        self.trust.status.connect(self._trust_status)
        self.statusBar().addWidget(self.server_label, 1)
        self.statusBar().addWidget(self.identity_label, 1)
        self.statusBar().addPermanentWidget(self.clock_label)
        self.clock = QTimer(self)
        self.clock.setInterval(1000)
        self.clock.timeout.connect(self.update_clock)
        self.clock.start()

        # --- menus ---
        self.file_menu = self.menuBar().addMenu("")
        self.sign_in_action = QAction(self)
        self.sign_in_action.setShortcut(QKeySequence("Ctrl+L"))
        self.sign_in_action.triggered.connect(self.open_sign_in)
        self.sign_out_action = QAction(self)
        self.sign_out_action.triggered.connect(self.sign_out)
        self.doctor_action = QAction(self)
        self.doctor_action.setShortcut(QKeySequence("Ctrl+D"))
        self.doctor_action.triggered.connect(self.open_doctor)
        self.trust_action = QAction(self)
        self.trust_action.setObjectName("trustListAction")
        self.trust_action.triggered.connect(self.offer_trust_list)
        self.quit_action = QAction(self)
        self.quit_action.setShortcut(QKeySequence.StandardKey.Quit)
        self.quit_action.triggered.connect(self.close)
        for action in (self.sign_in_action, self.sign_out_action, self.doctor_action, self.trust_action):
            self.file_menu.addAction(action)
        self.file_menu.addSeparator()
        self.file_menu.addAction(self.quit_action)

        self.view_menu = self.menuBar().addMenu("")
        self.language_menu = self.view_menu.addMenu("")
        self.language_group = QActionGroup(self)
        self.language_actions: dict[str, QAction] = {}
        for language in LANGUAGES:
            action = QAction(LANGUAGE_NAMES[language], self)
            action.setCheckable(True)
            action.setData(language)
            action.triggered.connect(lambda _checked=False, lang=language: self.languages.set_language(lang))
            self.language_group.addAction(action)
            self.language_menu.addAction(action)
            self.language_actions[language] = action
        languages.changed.connect(self._language_changed)
        self.zone_menu = self.view_menu.addMenu("")
        self.zone_group = QActionGroup(self)
        self.zone_actions: dict[str, QAction] = {}
        for zone in TIME_ZONES:
            action = QAction(self)
            action.setCheckable(True)
            action.triggered.connect(lambda _checked=False, z=zone: self.set_time_zone(z))
            self.zone_group.addAction(action)
            self.zone_menu.addAction(action)
            self.zone_actions[zone] = action

        self.help_menu = self.menuBar().addMenu("")
        self.about_action = QAction(self)
        self.about_action.triggered.connect(self.show_about)
        self.guide_action = QAction(self)
        self.guide_action.setShortcut(QKeySequence.StandardKey.HelpContents)
        self.guide_action.triggered.connect(lambda: self.open_help(GUIDE))
        self.opening_help_action = QAction(self)
        self.opening_help_action.triggered.connect(lambda: self.open_help(OPENING))
        self.help_menu.addAction(self.guide_action)
        self.help_menu.addAction(self.opening_help_action)
        self.help_menu.addSeparator()
        self.help_menu.addAction(self.about_action)

        context.session_changed.connect(self._session_changed)
        saved_role = str(context.settings.value(SETTING_ROLE, "") or "")
        index = self.role_combo.findData(saved_role)
        self.role_combo.setCurrentIndex(max(index, 0))
        self.resize(1100, 720)
        self.retranslate()
        self._language_changed(languages.language)
        self.restore_session()

    def fit_to_screen(self) -> None:
        """Never open larger than the screen's free area (a 1366×768 laptop, a taskbar, a title bar)."""
        screen = self.screen()
        if screen is not None:
            room = screen.availableGeometry()
            self.resize(min(self.width(), room.width()), min(self.height(), max(room.height() - 40, 400)))

    # --- language ------------------------------------------------------------------------------

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def retranslate(self) -> None:
        # The platform adds the application's name ("… — bidclient"): the title does not repeat it.
        self.setWindowTitle(self.tr("Paperless bidding"))
        self.role_label.setText(self.tr("&Workspace:"))
        self.role_combo.setAccessibleName(self.tr("Workspace"))
        for i, spec in enumerate(self.specs):
            self.role_combo.setItemText(i, spec.title())
        self.file_menu.setTitle(self.tr("&File"))
        self.sign_in_action.setText(self.tr("&Sign in with the dongle…"))
        self.sign_out_action.setText(self.tr("Sign &out"))
        self.doctor_action.setText(self.tr("&Dongles and certificates…"))
        self.trust_action.setText(self.tr("Get the platform's &trust list…"))
        self.quit_action.setText(self.tr("&Quit"))
        self.view_menu.setTitle(self.tr("&View"))
        self.language_menu.setTitle(self.tr("&Language"))
        self.zone_menu.setTitle(self.tr("&Time zone"))
        names = {"Asia/Shanghai": self.tr("Beijing time (UTC+8)"), "UTC": self.tr("UTC")}
        for zone, action in self.zone_actions.items():
            action.setText(names.get(zone, zone))
            action.setChecked(zone == timefmt.display_zone_name())
        self.help_menu.setTitle(self.tr("&Help"))
        self.about_action.setText(self.tr("&About bidclient"))
        self.guide_action.setText(self.tr("&User guide"))
        self.opening_help_action.setText(self.tr("What happens at the &opening"))
        self.server_label.setAccessibleName(self.tr("Server"))
        self.identity_label.setAccessibleName(self.tr("Signed-in identity"))
        self.clock_label.setAccessibleName(self.tr("Server clock"))
        self._show_session(self.context.session)
        self.update_clock()

    def _language_changed(self, language: str) -> None:
        action = self.language_actions.get(language)
        if action is not None:
            action.setChecked(True)

    # --- workspaces ----------------------------------------------------------------------------

    def _switch_role(self, index: int) -> None:
        if index < 0:
            return
        role = self.role_combo.itemData(index)
        widget = self.workspaces[role]
        self.stack.setCurrentWidget(widget)
        self.context.settings.setValue(SETTING_ROLE, role)
        hook = getattr(widget, "workspace_activated", None)
        if callable(hook):
            hook()

    def current_workspace(self) -> QWidget | None:
        return self.stack.currentWidget()

    # --- session and status bar ----------------------------------------------------------------

    @property
    def busy(self) -> bool:
        """True while the stored session is being checked with the server."""
        return self._restore_task is not None

    def restore_session(self) -> None:
        """Check the stored session of the last server on a worker; sign in with it if still valid."""
        server = self.context.server_url()
        if not server or self.context.session is not None or self._restore_task is not None:
            return
        self.connection = CHECKING
        self._show_session(None)

        def job(_ctx: TaskContext) -> SignedIn | None:
            return restore_session(server)

        task = Task(job, name="restore-session")
        task.signals.succeeded.connect(self._restored)
        task.signals.failed.connect(self._restore_failed)
        task.signals.finished.connect(self._restore_done)
        self._restore_task = start(task)

    def _restored(self, session: SignedIn | None) -> None:
        self.connection = CONNECTION_UNKNOWN
        if session is not None and self.context.session is None:  # a sign-in meanwhile wins
            self.context.set_session(session)
        else:
            self._show_session(self.context.session)

    def _restore_failed(self, error: BaseException) -> None:
        code = str(getattr(error, "code", ""))
        if code.startswith("net."):
            # The token may still be good: keep it, say so calmly, try again later.
            self.connection = OFFLINE
            self.retry_timer.start()
        else:
            # The server no longer accepts the token (expired, revoked): forget it, ask for a sign-in.
            session_store.forget_session(self.context.server_url())
            self.connection = SESSION_ENDED
        self._show_session(self.context.session)

    def _restore_done(self) -> None:
        self._restore_task = None

    def _session_changed(self, session: SignedIn | None) -> None:
        if session is not None:
            self.connection = CONNECTION_UNKNOWN
            self.retry_timer.stop()
            # A sign-in with the dongle may offer the trust list; a session restored at start-up only syncs.
            self.trust.signed_in(session.client, may_ask=session.expires_at is not None)
        self._show_session(session)
        self.update_clock()

    def _show_session(self, session: SignedIn | None) -> None:
        server = session.server if session is not None else self.context.server_url()
        text = self.tr("Server: {url}").format(url=server or self.tr("none chosen"))
        if session is None and self.connection == CHECKING:
            text = self.tr("Server: {url} — checking the saved session…").format(url=server)
        elif session is None and self.connection == OFFLINE:
            text = self.tr("Server: {url} — offline, trying again every {seconds} s").format(
                url=server, seconds=RETRY_OFFLINE_MS // 1000)
        elif session is None and self.connection == SESSION_ENDED:
            text = self.tr("Server: {url} — the saved session has ended; sign in again").format(url=server)
        self.server_label.setText(text)
        if session is None:
            self.identity_label.setText(self.tr("Not signed in"))
        else:
            self.identity_label.setText(self.tr("Signed in: {name} ({code})").format(
                name=session.enterprise_name, code=session.enterprise_code or "—"))
        # How the server checked the certificate's revocation at this sign-in (not known for a restored session).
        revocation = revocation_lines(session.revocation) if session is not None and session.revocation else []
        self.identity_label.setToolTip("\n".join(
            self.tr("Certificate revocation (checked by the server): {how}").format(how=line) for line in revocation))
        # Offline with a saved session: signing out still forgets it.
        self.sign_out_action.setEnabled(session is not None or self.connection == OFFLINE)

    def update_clock(self) -> None:
        client = self.context.client()
        if client is None:
            self.clock_label.setText(self.tr("Server time: not connected"))
            return
        self.clock_label.setText(self.tr("Server time: {time}").format(
            time=timefmt.format_time(client.server_now(), seconds=True)))

    def set_time_zone(self, zone: str) -> None:
        """Show every time in ``zone`` from now on (remembered in the client configuration)."""
        timefmt.set_display_zone(zone)
        for name, action in self.zone_actions.items():
            action.setChecked(name == zone)
        self.update_clock()
        for widget in self.workspaces.values():
            hook = getattr(widget, "time_zone_changed", None)
            if callable(hook):
                hook()

    def sign_out(self) -> None:
        """Forget the session token (keyring or file) and show the window signed out."""
        session = self.context.session
        if session is None and self.connection != OFFLINE:
            return
        session_store.forget_session(session.server if session is not None else self.context.server_url())
        self.retry_timer.stop()
        self.connection = CONNECTION_UNKNOWN
        self.context.set_session(None)

    # --- dialogs -------------------------------------------------------------------------------

    def offer_trust_list(self) -> None:
        """File menu: get (again) the trust list of the signed-in server, fingerprints shown first."""
        client = self.context.client()
        if client is None:
            self.statusBar().showMessage(self.tr("Sign in first: the trust list comes from the server you "
                                                 "sign in to."), 15_000)
            self.open_sign_in()
            return
        self.trust.offer(client)

    def _trust_status(self, text: str) -> None:
        if text:
            self.statusBar().showMessage(text, 15_000)
        else:
            self.statusBar().clearMessage()

    def open_sign_in(self) -> SignInDialog:
        if self.signin_dialog is None:
            self.signin_dialog = SignInDialog(self.context, self.pin_source, self)
            self.signin_dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog = self.signin_dialog
        dialog.error_view.clear()
        dialog.server_edit.setText(self.context.server_url() or dialog.server_edit.text())
        dialog.show()
        dialog.raise_()
        dialog.refresh_tokens()
        return dialog

    def open_doctor(self) -> CaDoctorDialog:
        if self.doctor_dialog is None:
            self.doctor_dialog = CaDoctorDialog(self.pin_source, self)
        dialog = self.doctor_dialog
        dialog.show()
        dialog.raise_()
        dialog.doctor.refresh()
        return dialog

    def open_help(self, page: str) -> HelpDialog:
        dialog = HelpDialog(page, self.languages.language, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.languages.changed.connect(dialog.follow_language)  # the guide in the app's language, also later
        dialog.show()
        return dialog

    def show_about(self) -> None:
        box = QMessageBox(self)
        box.setObjectName("aboutBox")
        box.setWindowTitle(self.tr("About bidclient"))
        box.setTextFormat(Qt.TextFormat.PlainText)
        box.setText(self.tr("bidclient {version}\nOpen client for paperless public tendering: any CA's dongle, "
                            "sealed bids verifiable with OpenSSL.\nLicence: Apache-2.0. CJK font: Droid Sans "
                            "Fallback (Apache-2.0).").format(version=VERSION))
        box.open()

    def closeEvent(self, event: QCloseEvent) -> None:
        for widget in self.workspaces.values():
            hook = getattr(widget, "can_close", None)
            if callable(hook) and not hook():
                event.ignore()
                return
        self.pin_source.abandon()
        self.clock.stop()
        self.retry_timer.stop()
        super().closeEvent(event)
