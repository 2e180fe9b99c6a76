"""The main window: workspaces, language switching, plain server text, clock, keyboard and accessibility."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QHeaderView,
    QLineEdit,
    QPlainTextEdit,
    QTextEdit,
    QWidget,
)

from bidclient import timefmt
from bidclient.api_client import ApiClient
from bidclient.errors import describe
from bidclient.protocol.auth import AccountOut
from bidclient.signin import SignedIn
from crypto.errors import PinIncorrect
from crypto.pin import PinRequest
from tests.ui.conftest import all_widgets
from ui.app import build_main_window
from ui.context import SETTING_LANGUAGE
from ui.main_window import MainWindow
from ui.pin_dialog import PinDialog

INTERACTIVE = (QAbstractButton, QLineEdit, QComboBox, QAbstractItemView, QAbstractSpinBox, QTextEdit,
               QPlainTextEdit)


def _session(organization: str, uscc: str = "91110108MA01B2C3D0", offset: timedelta = timedelta(0)) -> SignedIn:
    client = ApiClient("http://127.0.0.1:9")
    client.clock_offset = offset
    account = AccountOut(id="a1", identity_key=f"uscc:{uscc}", uscc=uscc, organization=organization,
                         person=None, roles=["bidder"])
    return SignedIn("http://127.0.0.1:9", client, account, datetime.now(UTC) + timedelta(hours=1), "00")


def test_main_window_opens_with_the_bidder_workspace(window: MainWindow) -> None:
    assert window.role_combo.count() >= 1 and window.role_combo.itemData(0) == "bidder"
    assert window.current_workspace() is window.workspaces["bidder"]
    assert window.identity_label.text() == "Not signed in"
    assert window.clock_label.text() == "Server time: not connected"
    assert [a.text() for a in window.menuBar().actions()] == ["&File", "&View", "&Help"]


def test_language_switch_changes_visible_texts_and_is_remembered(qtbot, window: MainWindow,  # type: ignore[no-untyped-def]
                                                                  settings: QSettings) -> None:
    home = window.workspaces["bidder"]
    window.language_actions["zh_CN"].trigger()
    qtbot.waitUntil(lambda: window.file_menu.title() == "文件(&F)")
    assert window.role_combo.itemText(0) == "投标人"
    assert window.identity_label.text() == "未登录"
    assert home.heading.text() == "编制并递交投标文件"  # type: ignore[attr-defined]
    assert window.language_actions["zh_CN"].isChecked()
    assert settings.value(SETTING_LANGUAGE) == "zh_CN"
    # The core's error texts follow the app's language.
    doctor = window.open_doctor()
    qtbot.waitUntil(lambda: not doctor.doctor.busy, timeout=60_000)
    doctor.doctor.error_view.show_error(PinIncorrect("the PIN is incorrect"))
    assert any("\u4e00" <= ch <= "\u9fff" for ch in doctor.doctor.error_view.headline.text())
    window.language_actions["en"].trigger()
    qtbot.waitUntil(lambda: window.file_menu.title() == "&File")
    assert window.role_combo.itemText(0) == "Bidder"
    assert doctor.doctor.title.text() == "Dongles and certificates"
    assert doctor.doctor.error_view.headline.text() == describe(PinIncorrect("x")).headline
    assert doctor.doctor.error_view.headline.text().isascii()
    assert settings.value(SETTING_LANGUAGE) == "en"


def test_saved_language_is_used_at_start(qtbot, qapp, settings: QSettings, ui_env) -> None:  # type: ignore[no-untyped-def]
    settings.setValue(SETTING_LANGUAGE, "zh_CN")
    main = build_main_window(qapp, settings)
    qtbot.addWidget(main)
    try:
        assert main.languages.language == "zh_CN"
        assert main.windowTitle() == "电子投标"  # the platform adds " — bidclient" once
    finally:
        main.languages.set_language("en")


def test_a_fresh_app_starts_in_the_language_bidclient_lang_names(qtbot, qapp, settings: QSettings, ui_env,  # type: ignore[no-untyped-def]
                                                                 monkeypatch) -> None:
    """`BIDCLIENT_LANG=zh_CN scripts/demo` opened the app in English (only a saved choice or the system
    locale counted); a choice made in the app still wins over the variable."""
    monkeypatch.setenv("BIDCLIENT_LANG", "zh_CN")
    assert not settings.value(SETTING_LANGUAGE)
    main = build_main_window(qapp, settings)
    qtbot.addWidget(main)
    try:
        assert main.languages.language == "zh_CN" and main.file_menu.title() == "文件(&F)"
        main.languages.set_language("en")
        monkeypatch.setenv("BIDCLIENT_LANG", "zh_CN")
        again = build_main_window(qapp, settings)
        qtbot.addWidget(again)
        assert again.languages.language == "en"  # saved in the app: the user's own choice
    finally:
        main.languages.set_language("en")


def test_server_text_is_shown_as_plain_text(window: MainWindow) -> None:
    window.context.set_session(_session("<b>x</b>"))
    assert window.identity_label.textFormat() == Qt.TextFormat.PlainText
    assert window.identity_label.text() == "Signed in: <b>x</b> (91110108MA01B2C3D0)"
    home = window.workspaces["bidder"]
    assert home.who.textFormat() == Qt.TextFormat.PlainText  # type: ignore[attr-defined]
    assert "<b>x</b>" in home.who.text()  # type: ignore[attr-defined]
    # Rendered literally: the label is as wide as the eight characters, not as one bold "x".
    metrics = window.identity_label.fontMetrics()
    assert window.identity_label.sizeHint().width() >= metrics.horizontalAdvance("<b>x</b>")


def test_clock_shows_server_time_and_ticks(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    window.context.set_session(_session("某某建设有限公司", offset=timedelta(hours=3)))
    # Shown in Beijing time with the zone named (a clerk thinks in 北京时间), whatever the computer's zone.
    expected = (datetime.now(UTC) + timedelta(hours=3)).astimezone(timezone(timedelta(hours=8)))
    first = window.clock_label.text()
    assert first.startswith("Server time: " + expected.strftime("%Y-%m-%d %H:"))
    assert first.endswith(" Beijing time (UTC+8)")
    qtbot.waitUntil(lambda: window.clock_label.text() != first, timeout=3000)
    # View ▸ Time zone ▸ UTC: shown in UTC from now on, remembered for the next start and the CLI.
    window.zone_actions["UTC"].trigger()
    assert window.clock_label.text().endswith(" UTC") and "Beijing" not in window.clock_label.text()
    assert timefmt.display_zone_name() == "UTC" and window.zone_actions["UTC"].isChecked()
    window.zone_actions["Asia/Shanghai"].trigger()
    assert window.clock_label.text().endswith(" Beijing time (UTC+8)")
    window.sign_out()
    assert window.identity_label.text() == "Not signed in"
    assert window.clock_label.text() == "Server time: not connected"


def _unnamed_interactive(root: QWidget) -> list[str]:
    missing = []
    for widget in all_widgets(root):
        if not isinstance(widget, INTERACTIVE) or not widget.isVisibleTo(root):
            continue
        if isinstance(widget, QHeaderView):
            continue  # part of its view (which is checked); Qt gives headers no focus by design
        if isinstance(widget, QLineEdit) and isinstance(widget.parent(), QComboBox):
            continue  # an editable combo's own line edit shares the combo's name
        if not widget.accessibleName().strip():
            missing.append(f"{type(widget).__name__} {widget.objectName()!r} {getattr(widget, 'text', lambda: '')()!r}")
        if widget.focusPolicy() == Qt.FocusPolicy.NoFocus:
            missing.append(f"{type(widget).__name__} {widget.objectName()!r} cannot take keyboard focus")
    return missing


def test_every_interactive_widget_has_an_accessible_name(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    assert _unnamed_interactive(window) == []
    signin = window.open_sign_in()
    qtbot.waitUntil(lambda: not signin.busy, timeout=60_000)
    assert _unnamed_interactive(signin) == []
    doctor = window.open_doctor()
    qtbot.waitUntil(lambda: doctor.doctor.report is not None and not doctor.doctor.busy, timeout=60_000)
    assert _unnamed_interactive(doctor) == []
    pin = PinDialog(PinRequest("ent-a-rsa", "1234", count_low=True))
    qtbot.addWidget(pin)
    pin.show()
    assert _unnamed_interactive(pin) == []
    # Menus are reachable with Alt+letter: every top-level menu title carries an accelerator.
    assert all("&" in a.text() for a in window.menuBar().actions())


def test_tab_walks_from_the_role_switcher_into_the_workspace(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    window.activateWindow()
    window.role_combo.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is window.role_combo)
    seen = []
    for _ in range(4):
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
        seen.append(QApplication.focusWidget())
    home = window.workspaces["bidder"]
    assert home.sign_in_button in seen and home.doctor_button in seen  # type: ignore[attr-defined]
