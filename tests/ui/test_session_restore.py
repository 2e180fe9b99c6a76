"""A stored session restored at start-up against a real server (SQLite), sign-out, and an unreachable
server said calmly in the status bar."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication

from bidclient import session_store
from bidclient.signin import sign_in
from crypto.pin import PinRequest
from tests.prompters import PinPrompter
from tests.server.pgcluster import free_port
from ui.app import build_main_window
from ui.context import SETTING_SERVER
from ui.main_window import OFFLINE, MainWindow

SERVER_AHEAD = timedelta(hours=2)


@pytest.fixture
def start_window(qtbot, qapp: QApplication, settings: QSettings, ui_env: Path) -> Iterator:  # type: ignore[no-untyped-def,type-arg]
    """Builds the main window the way ``bidclient`` does at start-up (after the test stored a session)."""
    made: list[MainWindow] = []

    def start() -> MainWindow:
        main = build_main_window(qapp, settings, "en")
        qtbot.addWidget(main)
        main.show()
        made.append(main)
        return main

    yield start
    for main in made:
        main.retry_timer.stop()
        qtbot.waitUntil(lambda m=main: not m.busy, timeout=30_000)
    if made:
        made[0].languages.set_language("en")


def _sessions(ui_env: Path) -> dict[str, object]:
    path = ui_env / "bidclient" / "sessions.json"
    return json.loads(path.read_text()) if path.exists() else {}


def _stray_dialogs(main: MainWindow) -> list[str]:
    return [w.objectName() or type(w).__name__ for w in QApplication.topLevelWidgets()
            if w.isVisible() and w is not main and w.isWindow()]


def test_stored_session_is_restored_at_start_with_the_server_clock(  # type: ignore[no-untyped-def]
        qtbot, start_window, sqlite_server, pki, settings: QSettings, ui_env: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    party = pki.party("ent-a-ec")

    def pin(_request: PinRequest) -> str:
        return pki.user_pin

    sign_in(sqlite_server.url, party.signing_uri, PinPrompter(pin))  # what an earlier run of the app stored
    settings.setValue(SETTING_SERVER, sqlite_server.url)
    # The server's clock runs ahead of this machine's: the status bar must show the server's time.
    from server import clock

    real_now = clock.now
    monkeypatch.setattr(clock, "now", lambda: real_now() + SERVER_AHEAD)

    main = start_window()
    qtbot.waitUntil(lambda: main.context.session is not None, timeout=30_000)
    session = main.context.session
    assert session is not None
    assert session.account.uscc == party.uscc
    assert main.identity_label.text() == f"Signed in: {party.organization} ({party.uscc})"
    assert main.server_label.text() == f"Server: {sqlite_server.url}"
    offset = session.client.clock_offset
    assert abs(offset - SERVER_AHEAD) < timedelta(seconds=5), offset
    shown = (datetime.now(UTC) + SERVER_AHEAD).astimezone(timezone(timedelta(hours=8)))  # 北京时间
    assert main.clock_label.text().startswith("Server time: " + shown.strftime("%Y-%m-%d %H:"))
    assert main.sign_out_action.isEnabled()
    # The restored client is authenticated for workspaces.
    assert session.client.get_json("/api/v1/auth/me")["uscc"] == party.uscc

    # Sign out: the token is forgotten, and the next start does not sign in.
    main.sign_out_action.trigger()
    assert main.identity_label.text() == "Not signed in"
    assert main.clock_label.text() == "Server time: not connected"
    assert sqlite_server.url not in _sessions(ui_env)
    assert session_store.load_token(sqlite_server.url) is None
    again = start_window()
    qtbot.waitUntil(lambda: not again.busy, timeout=30_000)
    assert again.context.session is None
    assert again.identity_label.text() == "Not signed in"
    assert again.server_label.text() == f"Server: {sqlite_server.url}"


def test_unreachable_server_is_shown_as_offline_without_dialogs(qtbot, start_window, settings: QSettings,  # type: ignore[no-untyped-def]
                                                                ui_env: Path) -> None:
    server = f"http://127.0.0.1:{free_port()}"
    session_store.save_session(server, "stored-token", datetime.now(UTC) + timedelta(hours=1), "uscc:x")
    settings.setValue(SETTING_SERVER, server)
    main = start_window()
    qtbot.waitUntil(lambda: main.connection == OFFLINE, timeout=30_000)
    assert main.server_label.text().startswith(f"Server: {server} — offline")
    assert main.identity_label.text() == "Not signed in"
    assert main.clock_label.text() == "Server time: not connected"
    assert _stray_dialogs(main) == []
    assert main.retry_timer.isActive()  # tried again later, quietly
    assert session_store.load_token(server) == "stored-token"  # kept: the server may come back
    # Signing out while offline still forgets the stored session.
    assert main.sign_out_action.isEnabled()
    main.sign_out_action.trigger()
    assert session_store.load_token(server) is None
    assert not main.retry_timer.isActive()
    assert main.server_label.text() == f"Server: {server}"


def test_token_the_server_refuses_is_forgotten(qtbot, start_window, sqlite_server, settings: QSettings,  # type: ignore[no-untyped-def]
                                               ui_env: Path) -> None:
    session_store.save_session(sqlite_server.url, "not-a-session", datetime.now(UTC) + timedelta(hours=1),
                               "uscc:x")
    settings.setValue(SETTING_SERVER, sqlite_server.url)
    main = start_window()
    qtbot.waitUntil(lambda: "session has ended" in main.server_label.text(), timeout=30_000)
    assert main.context.session is None
    assert session_store.load_token(sqlite_server.url) is None
    assert _stray_dialogs(main) == []


class SilentServer:
    """A loopback server that accepts connections and never answers (a server hanging under load)."""

    def __init__(self) -> None:
        import socket
        import threading

        self._listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._listener.bind(("127.0.0.1", 0))
        self._listener.listen(16)
        self._listener.settimeout(0.1)
        self._held: list[socket.socket] = []
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()
        self.url = f"http://127.0.0.1:{self._listener.getsockname()[1]}"

    def _accept(self) -> None:
        while not self._done.is_set():
            try:
                self._held.append(self._listener.accept()[0])
            except TimeoutError:
                continue

    def close(self) -> None:
        """Hang up: requests waiting for an answer fail now."""
        if self._done.is_set():
            return
        self._done.set()
        self._thread.join()
        self._listener.close()
        for conn in self._held:
            conn.close()


@pytest.fixture
def silent_server() -> Iterator[SilentServer]:
    server = SilentServer()
    try:
        yield server
    finally:
        server.close()


def test_stop_button_ends_the_wait_for_a_silent_server(qtbot, window: MainWindow, silent_server: SilentServer,  # type: ignore[no-untyped-def]
                                                        pki, ui_env: Path) -> None:
    from PySide6.QtCore import Qt

    dialog = window.open_sign_in()
    qtbot.waitUntil(lambda: dialog.key_combo.count() > 0 and not dialog.busy, timeout=60_000)
    assert not dialog.progress.isVisible()
    dialog.server_edit.clear()
    qtbot.keyClicks(dialog.server_edit, silent_server.url)
    dialog.select_token(pki.party("ent-a-ec").token_label or "ent-a-ec")
    asked: list[object] = []
    dialog.pin_source.dialog_opened.connect(asked.append)
    qtbot.mouseClick(dialog.sign_in_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(dialog.progress.isVisible)
    stop = dialog.progress.stop_button
    assert stop.isEnabled() and stop.accessibleName() == "Stop: signing in"
    assert dialog.progress.bar.accessibleName() == "Progress: signing in"
    assert not dialog.sign_in_button.isEnabled()
    qtbot.wait(300)  # the request is out and hanging
    qtbot.mouseClick(stop, Qt.MouseButton.LeftButton)
    # The dialog is usable at once, although the stopped request is still waiting on the socket.
    assert not dialog.signing_in and not dialog.progress.isVisible()
    assert dialog.sign_in_button.isEnabled()
    stopped_text = "Sign-in stopped. You are not signed in."
    assert dialog.status.text() == stopped_text
    assert dialog.busy  # its worker has not ended yet
    # When the stopped request finally fails, its late answer is dropped: no error shown, nothing stored.
    silent_server.close()
    qtbot.waitUntil(lambda: not dialog.busy, timeout=30_000)
    assert dialog.status.text() == stopped_text
    assert dialog.error_view.message is None
    assert dialog.isVisible() and window.context.session is None
    assert asked == []
    assert silent_server.url not in _sessions(ui_env)
