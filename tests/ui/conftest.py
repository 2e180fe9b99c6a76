"""Desktop app fixtures: offscreen Qt, private settings and config per test, the dev PKI's tokens.

QT_QPA_PLATFORM is set before pytest-qt creates the QApplication, so the tests run without a display.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication, QWidget

from ui.app import build_main_window
from ui.main_window import MainWindow
from ui.pin_dialog import PinDialog


@pytest.fixture
def ui_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, pki) -> Path:  # type: ignore[no-untyped-def]
    """A private config dir (no keyring: the session file goes there), the dev trust list, English."""
    config = tmp_path / "config"
    monkeypatch.setenv("XDG_CONFIG_HOME", str(config))
    monkeypatch.setenv("BIDCLIENT_NO_KEYRING", "1")
    monkeypatch.setenv("BIDCLIENT_TRUST", os.pathsep.join([str(pki.trust_dir), str(pki.crl_dir)]))
    monkeypatch.setenv("BIDCLIENT_LANG", "en")  # the app changes it; monkeypatch restores it
    monkeypatch.delenv("BIDCLIENT_SERVER", raising=False)
    monkeypatch.delenv("BIDCLIENT_PKCS11_MODULES", raising=False)
    return config


@pytest.fixture
def settings(tmp_path: Path) -> QSettings:
    return QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)


@pytest.fixture
def window(qtbot, qapp: QApplication, settings: QSettings, ui_env: Path) -> Iterator[MainWindow]:  # type: ignore[no-untyped-def]
    main = build_main_window(qapp, settings, "en")
    qtbot.addWidget(main)
    main.show()
    qtbot.waitExposed(main)
    yield main
    for dialog in (main.signin_dialog, main.doctor_dialog):
        if dialog is not None:
            qtbot.waitUntil(lambda d=dialog: not d.busy if hasattr(d, "busy") else not d.doctor.busy,
                            timeout=60_000)
    main.languages.set_language("en")  # remove the translator from the shared QApplication


def open_pin_dialogs() -> list[PinDialog]:
    return [w for w in QApplication.topLevelWidgets() if isinstance(w, PinDialog) and w.isVisible()]


def answer_pin(qtbot, pin: str | None, timeout: int = 30_000) -> PinDialog:  # type: ignore[no-untyped-def]
    """Wait for the PIN dialog, type ``pin`` and press OK (None: press Cancel)."""
    qtbot.waitUntil(lambda: len(open_pin_dialogs()) == 1, timeout=timeout)
    dialog = open_pin_dialogs()[0]
    if pin is None:
        dialog.reject()
    else:
        qtbot.keyClicks(dialog.pin_edit, pin)
        from PySide6.QtCore import Qt

        qtbot.keyClick(dialog.pin_edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not dialog.isVisible())
    return dialog


def all_widgets(root: QWidget) -> list[QWidget]:
    return [root, *root.findChildren(QWidget)]


@pytest.fixture
def sqlite_server(tmp_path: Path, pki):  # type: ignore[no-untyped-def]
    """A real bidclient server on loopback (SQLite) trusting the dev CAs."""
    from server.cli import main as server_main
    from tests.server.conftest import start_server

    data = tmp_path / "server"
    assert server_main(["init", "--data", str(data)]) == 0
    trust_files = [str(p) for p in sorted(Path(pki.trust_dir).glob("*.pem"))]
    crl_files = [str(p) for p in sorted(Path(pki.crl_dir).glob("*"))]
    assert server_main(["admin", "trust-add", "--data", str(data), *trust_files, *crl_files]) == 0
    running = start_server(data, "")
    try:
        yield running
    finally:
        running.stop()
