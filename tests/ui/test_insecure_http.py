"""The sign-in dialog warns in red about a plain http:// address of another computer, and signing in
there is refused before any PIN is asked, unless plain HTTP was explicitly allowed for that server."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt

from bidclient import session_store
from bidclient.api_client import TlsOptions
from tests.ui.conftest import open_pin_dialogs
from ui.main_window import MainWindow

REMOTE = "http://192.0.2.10:8443"


def test_plain_http_to_a_remote_server_is_flagged_and_refused(qtbot, window: MainWindow, ui_env: Path,  # type: ignore[no-untyped-def]
                                                              pki) -> None:
    qtbot.mouseClick(window.workspaces["bidder"].sign_in_button, Qt.MouseButton.LeftButton)  # type: ignore[attr-defined]
    dialog = window.signin_dialog
    assert dialog is not None and dialog.isVisible()
    qtbot.waitUntil(lambda: not dialog.busy, timeout=60_000)
    warning = dialog.http_warning

    for url, shown in (("https://platform.example", False), ("http://127.0.0.1:8443", False),
                       ("http://localhost:8443", False), (REMOTE, True)):
        dialog.server_edit.clear()
        qtbot.keyClicks(dialog.server_edit, url)
        assert warning.isVisible() is shown, url
    assert "refused" in warning.text() and "https://" in warning.text()
    assert "#c00000" in warning.styleSheet()

    qtbot.waitUntil(lambda: dialog.key_combo.count() > 0, timeout=60_000)
    dialog.select_token(pki.party("ent-a-ec").token_label or "ent-a-ec")
    qtbot.mouseClick(dialog.sign_in_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.error_view.message is not None, timeout=60_000)
    assert dialog.error_view.message.code == "net.insecure_http"  # type: ignore[union-attr]
    assert not open_pin_dialogs()  # refused before the dongle's PIN was asked for
    qtbot.waitUntil(lambda: not dialog.busy, timeout=60_000)

    # Allowed explicitly for this server ('bidclient login --insecure-http'): a warning, not a refusal.
    session_store.save_tls_options(REMOTE, TlsOptions(insecure_http=True))
    dialog.server_edit.clear()
    qtbot.keyClicks(dialog.server_edit, REMOTE)
    assert warning.isVisible() and "not encrypted" in warning.text() and "refused" not in warning.text()
