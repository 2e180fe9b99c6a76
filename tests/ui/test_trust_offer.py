"""The platform's trust list at the first sign-in: offered with the server CA's fingerprint to confirm,
installed only when the user accepts (and only if the server still presents that CA), kept in sync at
later sign-ins; declining leaves nothing pinned and says how to get it later."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from bidclient.api_client import ApiClient
from bidclient.errors import describe
from bidclient.signing import load_trust
from bidclient.trust_sync import ca_pin_path, configured_trust_dir, grouped, sync_trust_list, synced_before
from tests.ui import test_bidder_flow as flow
from tests.ui.conftest import answer_pin
from ui.main_window import MainWindow

LEFT = Qt.MouseButton.LeftButton
BIDDER = "ent-a"


def server_ca_sha256(server: Any) -> str:
    path = next(Path(server.data).rglob("ca.pem"))
    return x509.load_pem_x509_certificate(path.read_bytes()).fingerprint(hashes.SHA256()).hex()


def screenshot(window: MainWindow, dialog: Any) -> None:
    """BIDCLIENT_SCREENSHOTS_DIR=docs/screenshots refreshes the user guide's picture of this window (zh_CN)."""
    folder = os.environ.get("BIDCLIENT_SCREENSHOTS_DIR")
    if not folder:
        return
    window.languages.set_language("zh_CN")
    try:
        QApplication.processEvents()
        assert dialog.grab().save(str(Path(folder) / "trust-list.png"))
    finally:
        window.languages.set_language("en")


def sign_in(qtbot: Any, window: MainWindow, url: str, pki: Any) -> None:
    dialog = window.open_sign_in()
    qtbot.waitUntil(lambda: dialog.key_combo.count() > 0 and not dialog.busy, timeout=60_000)
    dialog.server_edit.setText(url)
    dialog.select_token(pki.party(BIDDER).token_label or BIDDER)
    qtbot.mouseClick(dialog.sign_in_button, LEFT)
    answer_pin(qtbot, pki.user_pin)
    qtbot.waitUntil(lambda: window.context.session is not None, timeout=60_000)


def test_first_sign_in_offers_the_trust_list_with_its_fingerprint(  # type: ignore[no-untyped-def]
        qtbot, window: MainWindow, sqlite_server, pki, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("BIDCLIENT_TRUST")  # a new computer: no trust list at all
    url = sqlite_server.url
    expected = server_ca_sha256(sqlite_server)
    sign_in(qtbot, window, url, pki)
    qtbot.waitUntil(lambda: window.trust.dialog is not None and window.trust.dialog.isVisible(), timeout=30_000)
    dialog = window.trust.dialog
    assert dialog is not None and dialog.isModal()
    shown = dialog.fingerprints.text().replace("\n", " ")
    assert grouped(expected) in shown  # what the user compares with the published one
    assert url in dialog.intro.text()
    screenshot(window, dialog)

    # "Not now": nothing pinned, nothing installed, and the way to get it later is said.
    qtbot.mouseClick(dialog.later_button, LEFT)
    qtbot.waitUntil(lambda: window.trust.dialog is None)
    assert "File menu" in window.statusBar().currentMessage()
    assert not ca_pin_path(url).exists() and not configured_trust_dir().exists()

    # File → Get the platform's trust list…: asked again; accepted, the list is installed and usable.
    window.trust_action.trigger()
    qtbot.waitUntil(lambda: window.trust.dialog is not None and window.trust.dialog.isVisible(), timeout=30_000)
    qtbot.mouseClick(window.trust.dialog.accept_button, LEFT)
    qtbot.waitUntil(lambda: synced_before(url) and not window.trust.busy, timeout=30_000)
    assert "Trust list of" in window.statusBar().currentMessage()
    installed = sorted(p.name for p in configured_trust_dir().iterdir())
    assert installed and all(name.startswith("server-") for name in installed)
    assert load_trust([]) is not None  # what fetching a tender needs
    assert x509.load_pem_x509_certificate(ca_pin_path(url).read_bytes()).fingerprint(hashes.SHA256()).hex() == \
        expected

    # The next sign-in keeps it in sync without asking.
    window.sign_out()
    state = ca_pin_path(url).with_name(ca_pin_path(url).name.replace(".ca.pem", ".trust.json"))
    before = state.read_text()
    sign_in(qtbot, window, url, pki)
    qtbot.waitUntil(lambda: state.read_text() != before and not window.trust.busy, timeout=30_000)
    assert window.trust.dialog is None


def test_a_server_presenting_another_ca_than_the_one_confirmed_installs_nothing(  # type: ignore[no-untyped-def]
        sqlite_server, ui_env, tmp_path: Path) -> None:
    client = ApiClient(sqlite_server.url)
    with pytest.raises(Exception) as raised:
        sync_trust_list(client, trust_dir=tmp_path / "trust", expect_ca_sha256="ab" * 32)
    message = describe(raised.value)
    assert message.code == "trust.fingerprint_mismatch"
    assert "fingerprint" in message.headline and "Nothing was changed" in message.hint
    assert not (tmp_path / "trust").exists() and not ca_pin_path(sqlite_server.url).exists()


server = flow.server  # a server process with an agency that publishes tenders
bids_dir = flow.bids_dir


def test_fetching_a_tender_without_a_trust_list_offers_it_and_then_works(  # type: ignore[no-untyped-def]
        qtbot, window: MainWindow, server, pki, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The old dead end: "No trust list is configured. Pass --trust …" and nothing in the app to fix it."""
    monkeypatch.delenv("BIDCLIENT_TRUST")
    flow.publish(server, pki, tmp_path, "ZB-2026-301")
    sign_in(qtbot, window, server.url, pki)
    qtbot.waitUntil(lambda: window.trust.dialog is not None and window.trust.dialog.isVisible(), timeout=30_000)
    qtbot.mouseClick(window.trust.dialog.later_button, LEFT)  # "Not now", then the clerk tries anyway
    qtbot.waitUntil(lambda: window.trust.dialog is None)
    ws = flow.workspace(window)
    qtbot.mouseClick(ws.browser.refresh_button, LEFT)
    qtbot.waitUntil(lambda: bool(ws.browser.tenders) and not ws.browser.busy, timeout=30_000)
    ws.browser.select_tender("ZB-2026-301")
    qtbot.mouseClick(ws.browser.fetch_button, LEFT)
    qtbot.waitUntil(lambda: ws.browser.error_view.message is not None, timeout=30_000)
    message = ws.browser.error_view.message
    assert message is not None and message.code == "trust.no_trust_list"
    assert "in the app" in message.hint  # not only a command-line hint
    qtbot.waitUntil(lambda: window.trust.dialog is not None and window.trust.dialog.isVisible(), timeout=30_000)
    qtbot.mouseClick(window.trust.dialog.accept_button, LEFT)
    qtbot.waitUntil(lambda: synced_before(server.url) and not window.trust.busy, timeout=30_000)
    qtbot.mouseClick(ws.browser.fetch_button, LEFT)
    qtbot.waitUntil(lambda: ws.project is not None or (ws.browser.error_view.message is not None
                                                        and not ws.browser.busy), timeout=60_000)
    assert ws.project is not None and ws.project.definition.tender_id == "ZB-2026-301", ws.browser.error_view.message
    assert "signature verified" in ws.browser.detail.text()
