"""Sign-in with the dongle against a real server (SQLite) and SoftHSM tokens, driven through the widgets."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, Qt

from tests.server.pgcluster import free_port
from tests.ui.conftest import answer_pin, open_pin_dialogs
from ui.main_window import MainWindow
from ui.signin_dialog import SignInDialog


def _dialog(qtbot, window: MainWindow, server: str) -> SignInDialog:  # type: ignore[no-untyped-def]
    qtbot.mouseClick(window.workspaces["bidder"].sign_in_button, Qt.MouseButton.LeftButton)  # type: ignore[attr-defined]
    dialog = window.signin_dialog
    assert dialog is not None and dialog.isVisible()
    qtbot.waitUntil(lambda: dialog.key_combo.count() > 0 and not dialog.busy, timeout=60_000)
    dialog.server_edit.clear()
    qtbot.keyClicks(dialog.server_edit, server)
    return dialog


def test_sign_in_puts_the_identity_in_the_status_bar(qtbot, window: MainWindow, sqlite_server, pki,  # type: ignore[no-untyped-def]
                                                     settings: QSettings, ui_env: Path, tmp_path: Path) -> None:
    dialog = _dialog(qtbot, window, sqlite_server.url)
    dialog.select_token(pki.party("ent-a-ec").token_label or "ent-a-ec")
    assert "ent-a-ec" in dialog.key_combo.currentText()
    opened: list[object] = []
    dialog.pin_source.dialog_opened.connect(opened.append)
    qtbot.mouseClick(dialog.sign_in_button, Qt.MouseButton.LeftButton)
    answer_pin(qtbot, pki.user_pin)
    qtbot.waitUntil(lambda: window.context.session is not None, timeout=60_000)
    assert len(opened) == 1
    party = pki.party("ent-a-ec")
    assert window.identity_label.text() == f"Signed in: {party.organization} ({party.uscc})"
    assert window.server_label.text() == f"Server: {sqlite_server.url}"
    assert window.clock_label.text().startswith("Server time: 20")
    # How the server checked the certificate's revocation (ent-a-ec: ec-sub's CRL on the server's trust list).
    assert window.identity_label.toolTip().startswith(
        "Certificate revocation (checked by the server): not revoked according to the CRL of bidclient Dev EC "
        "Issuing CA 1 issued ")
    assert not dialog.isVisible()
    # The session token is stored (file, since the keyring is off here); the PIN is nowhere.
    sessions = ui_env / "bidclient" / "sessions.json"
    assert sqlite_server.url in sessions.read_text()
    settings.sync()
    for path in (sessions, Path(settings.fileName())):
        assert pki.user_pin not in path.read_text(), path
    assert settings.value("server/url") == sqlite_server.url
    # The session works: the context's client is authenticated.
    me = window.context.client().get_json("/api/v1/auth/me")  # type: ignore[union-attr]
    assert me["uscc"] == party.uscc


def test_untrusted_certificate_is_refused_with_a_clear_message(qtbot, window: MainWindow, sqlite_server,  # type: ignore[no-untyped-def]
                                                               pki) -> None:
    dialog = _dialog(qtbot, window, sqlite_server.url)
    dialog.select_token(pki.party("bad-rogue").token_label or "bad-rogue")
    qtbot.mouseClick(dialog.sign_in_button, Qt.MouseButton.LeftButton)
    answer_pin(qtbot, pki.user_pin)
    qtbot.waitUntil(lambda: dialog.error_view.message is not None, timeout=60_000)
    assert dialog.error_view.message.code == "auth.certificate_untrusted_root"  # type: ignore[union-attr]
    assert dialog.error_view.headline.isVisible() and dialog.error_view.headline.text()
    assert "[auth.certificate_untrusted_root]" in dialog.error_view.code.text()
    assert window.context.session is None
    assert window.identity_label.text() == "Not signed in"


def test_unreachable_server_fails_before_any_pin_is_asked(qtbot, window: MainWindow, pki) -> None:  # type: ignore[no-untyped-def]
    dialog = _dialog(qtbot, window, f"http://127.0.0.1:{free_port()}")
    dialog.select_token(pki.party("ent-a").token_label or "ent-a")  # a usable certificate: only the server fails
    dialog.pin_source.dialog_opened.connect(lambda _d: pytest_fail_pin())
    qtbot.mouseClick(dialog.sign_in_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.error_view.message is not None, timeout=60_000)
    assert dialog.error_view.message.code == "net.unreachable"  # type: ignore[union-attr]
    assert dialog.error_view.hint.text()
    assert not open_pin_dialogs()
    assert dialog.sign_in_button.isEnabled()


def pytest_fail_pin() -> None:
    raise AssertionError("no PIN may be asked when the server cannot be reached")


# --- issue 9 point 7: a certificate that cannot be used costs no PIN, and the reason is in words ------


def _no_pin(_dialog: object) -> None:
    raise AssertionError("no PIN may be asked for a certificate known to be unusable")


def test_the_list_marks_expired_and_revoked_certificates(qtbot, window: MainWindow, sqlite_server, pki) -> None:  # type: ignore[no-untyped-def]
    dialog = _dialog(qtbot, window, sqlite_server.url)
    texts = {dialog.token_labels[i]: dialog.key_combo.itemText(i) for i in range(dialog.key_combo.count())}
    assert "— EXPIRED on " in texts[pki.party("bad-expired").token_label or "bad-expired"]
    assert texts[pki.party("bad-revoked-crl").token_label or "bad-revoked-crl"].endswith("— REVOKED")
    assert texts[pki.party("bad-revoked-ocsp").token_label or "bad-revoked-ocsp"].endswith("— REVOKED")
    assert "NOT VALID YET" in texts[pki.party("bad-not-yet-valid").token_label or "bad-not-yet-valid"]
    good = texts[pki.party("ent-a").token_label or "ent-a"]
    assert ", valid until " in good and "EXPIRED" not in good and "REVOKED" not in good


@pytest.mark.parametrize(("party", "code", "words"), [
    ("bad-expired", "trust.expired", "Expired on"),
    ("bad-revoked-crl", "trust.revoked", "Revoked by the CA that issued it."),
])
def test_an_unusable_certificate_is_refused_before_the_pin(qtbot, window: MainWindow, sqlite_server, pki,  # type: ignore[no-untyped-def]
                                                           party: str, code: str, words: str) -> None:
    dialog = _dialog(qtbot, window, sqlite_server.url)
    dialog.select_token(pki.party(party).token_label or party)
    dialog.pin_source.dialog_opened.connect(_no_pin)
    qtbot.mouseClick(dialog.sign_in_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.error_view.message is not None and not dialog.signing_in, timeout=60_000)
    assert not open_pin_dialogs()
    assert dialog.error_view.message.code == code  # type: ignore[union-attr]
    status = dialog.status.text()
    assert status.startswith("Not signed in, and no PIN was asked: this certificate cannot be used.")
    assert words in status
    assert "bidclient login" not in dialog.error_view.hint.text()
    assert window.context.session is None


def test_a_revocation_only_the_server_knows_is_said_in_words(qtbot, window: MainWindow, sqlite_server, pki,  # type: ignore[no-untyped-def]
                                                             monkeypatch: pytest.MonkeyPatch, pki_server_down) -> None:
    # Here: no CRL and the CA's CRL server is down, so the app cannot know; the server's trust list has the CRL.
    monkeypatch.setenv("BIDCLIENT_TRUST", str(pki.trust_dir))
    dialog = _dialog(qtbot, window, sqlite_server.url)
    dialog.select_token(pki.party("bad-revoked-crl").token_label or "bad-revoked-crl")
    qtbot.mouseClick(dialog.sign_in_button, Qt.MouseButton.LeftButton)
    answer_pin(qtbot, pki.user_pin)
    qtbot.waitUntil(lambda: dialog.error_view.message is not None and not dialog.signing_in, timeout=60_000)
    message = dialog.error_view.message
    assert message is not None and message.code == "auth.certificate_revoked"
    assert dialog.error_view.headline.text() == "The server refused the certificate: it has been revoked."
    assert "bidclient login" not in dialog.error_view.hint.text()
