"""State shared by the main window and every workspace: settings, the server session, the PIN bridge.

A workspace receives the AppContext when it is created and listens to ``session_changed`` to learn
that the user signed in or out. Nothing here stores a PIN: the session token lives in the keyring
(bidclient.session_store), preferences in QSettings.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from pydantic import ValidationError
from PySide6.QtCore import QObject, QSettings, Signal

from bidclient.api_client import ApiClient, ApiError
from bidclient.protocol.auth import AccountOut, RevocationCheckOut

if TYPE_CHECKING:
    from ui.pin_bridge import QtPinSource

SETTING_SERVER = "server/url"
SETTING_LANGUAGE = "ui/language"
SETTING_ROLE = "ui/role"


@dataclass(frozen=True)
class SignedIn:
    """A successful dongle login (or a stored session the server confirmed at start-up): the client
    carries the session token and the server clock offset."""

    server: str
    client: ApiClient
    account: AccountOut
    expires_at: datetime | None  # None: a restored session (the store keeps the expiry, not the server's word)
    certificate_sha256: str = ""  # empty for a restored session: /auth/me does not say which certificate
    revocation: tuple[RevocationCheckOut, ...] = ()  # how the server checked the certificate (empty if restored)

    @property
    def enterprise_name(self) -> str:
        return self.account.organization or self.account.person or ""

    @property
    def enterprise_code(self) -> str:
        return self.account.uscc or ""


def restore_session(server: str) -> SignedIn | None:
    """Worker side of start-up: the stored session token for ``server``, checked with GET /auth/me.

    None when nothing (still valid) is stored. Raises ApiError: ``net.*`` when the server cannot be
    reached (keep the token, try later), ``auth.*`` when it no longer accepts the token.
    """
    from bidclient.session_store import load_token, tls_options

    token = load_token(server)
    if token is None:
        return None
    # One quick retry: start-up must say "offline" soon, not after the CLI's patient back-off.
    client = ApiClient(server, token=token, retries=1, tls=tls_options(server))
    try:
        account = AccountOut.model_validate(client.get_json("/api/v1/auth/me"))
    except ValidationError:
        raise ApiError("net.bad_response", "the server's answer to /auth/me is not an account") from None
    return SignedIn(client.base_url, client, account, None)


class AppContext(QObject):
    session_changed = Signal(object)  # SignedIn, or None after signing out

    def __init__(self, settings: QSettings, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.settings = settings
        self.session: SignedIn | None = None
        self.pin_source: QtPinSource | None = None  # set by the main window

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
