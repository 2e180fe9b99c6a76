"""State shared by the main window and every workspace: settings, the server session, the PIN bridge.

A workspace receives the AppContext when it is created and listens to ``session_changed`` to learn
that the user signed in or out. Nothing here stores a PIN: the session token lives in the keyring
(bidclient.session_store), preferences in QSettings.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QSettings, Signal

from bidclient.api_client import ApiClient
from bidclient.protocol.auth import AccountOut

if TYPE_CHECKING:
    from ui.pin_bridge import QtPinSource

SETTING_SERVER = "server/url"
SETTING_LANGUAGE = "ui/language"
SETTING_ROLE = "ui/role"


@dataclass(frozen=True)
class SignedIn:
    """A successful dongle login: the client carries the session token and the server clock offset."""

    server: str
    client: ApiClient
    account: AccountOut
    expires_at: datetime
    certificate_sha256: str

    @property
    def enterprise_name(self) -> str:
        return self.account.organization or self.account.person or ""

    @property
    def enterprise_code(self) -> str:
        return self.account.uscc or ""


class AppContext(QObject):
    session_changed = Signal(object)  # SignedIn, or None after signing out

    def __init__(self, settings: QSettings, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.settings = settings
        self.session: SignedIn | None = None
        self.pin_source: QtPinSource | None = None  # set by the main window

    def server_url(self) -> str:
        """The last server used in the app, else bidclient's configured default, else empty."""
        from bidclient.session_store import default_server

        value = self.settings.value(SETTING_SERVER, "")
        return str(value or default_server() or "")

    def set_session(self, session: SignedIn | None) -> None:
        self.session = session
        if session is not None:
            self.settings.setValue(SETTING_SERVER, session.server)
        self.session_changed.emit(session)

    def client(self) -> ApiClient | None:
        return self.session.client if self.session is not None else None
