"""State shared by the main window and every workspace: settings, the server session, the PIN bridge.

The session itself (``bidclient.signin.SignedIn``) is made by the core's sign-in and restore services.
A workspace receives the AppContext when it is created and listens to ``session_changed`` to learn
that the user signed in or out. Nothing here stores a PIN: the session token lives in the keyring
(bidclient.session_store), preferences in QSettings.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QSettings, Signal

from bidclient.api_client import ApiClient
from bidclient.signin import SignedIn

if TYPE_CHECKING:
    from ui.pin_bridge import QtPrompter

SETTING_SERVER = "server/url"
SETTING_LANGUAGE = "ui/language"
SETTING_ROLE = "ui/role"


class AppContext(QObject):
    session_changed = Signal(object)  # SignedIn, or None after signing out

    def __init__(self, settings: QSettings, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.settings = settings
        self.session: SignedIn | None = None
        self.pin_source: QtPrompter | None = None  # set by the main window

    def server_url(self) -> str:
        """BIDCLIENT_SERVER when the app was started with it (scripts/demo hands over the address of the
        server it started), else the last server used in the app, else the configured default, else empty."""
        import os

        from bidclient.session_store import SERVER_ENV, default_server

        given = os.environ.get(SERVER_ENV, "").strip()
        if given:
            return given.rstrip("/")
        value = self.settings.value(SETTING_SERVER, "")
        return str(value or default_server() or "")

    def set_session(self, session: SignedIn | None) -> None:
        self.session = session
        if session is not None:
            self.settings.setValue(SETTING_SERVER, session.server)
        self.session_changed.emit(session)

    def client(self) -> ApiClient | None:
        return self.session.client if self.session is not None else None
