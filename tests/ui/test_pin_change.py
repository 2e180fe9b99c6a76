"""Changing a dongle's PIN from the CA doctor, on a private SoftHSM token (never the shared dev PKI's).

The user picks the dongle, types the new PIN twice, then the current PIN once in the usual PIN
dialog; the change runs on a worker. Afterwards only the new PIN opens the token.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from crypto import token_worker
from crypto.errors import PinIncorrect
from crypto.key_access import open_key
from crypto.pin import PinRequest
from tests.crypto.softhsm_fixtures import MODULE, KeyPair, make_ca, make_leaf, make_softhsm
from tests.ui.conftest import all_widgets, answer_pin, open_pin_dialogs
from ui.ca_doctor import CaDoctor
from ui.main_window import MainWindow
from ui.pin_change_dialog import MIN_PIN_LENGTH, PinChangeDialog

LABEL = "pin-change-ui"
OLD = "11112222"
NEW = "33334444"


@pytest.fixture
def private_token(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    from cryptography.hazmat.primitives.asymmetric import ec

    hsm = make_softhsm(tmp_path / "hsm")
    hsm.init_token(LABEL, OLD)
    ca = make_ca("PIN UI test CA")
    key = ec.generate_private_key(ec.SECP256R1())
    hsm.add_pair(LABEL, KeyPair(b"\x01", "signing", key, make_leaf(ca, "PIN holder", key, "sign"), ("sign",)), OLD)
    token_worker.shutdown_all()  # the module re-reads SOFTHSM2_CONF only when loaded again
    monkeypatch.setenv("SOFTHSM2_CONF", str(hsm.conf))
    yield f"pkcs11:token={LABEL};object=signing?module-path={MODULE}"
    token_worker.shutdown_all()


@pytest.fixture
def doctor(qtbot, window: MainWindow, private_token: str) -> CaDoctor:  # type: ignore[no-untyped-def]
    dialog = window.open_doctor()
    qtbot.waitUntil(lambda: dialog.doctor.report is not None and not dialog.doctor.busy, timeout=60_000)
    item = dialog.doctor.find_token_item(LABEL)
    assert item is not None, "the private token is listed"
    dialog.doctor.tokens_tree.setCurrentItem(item)
    return dialog.doctor


def _signs_with(key: str, pin: str) -> bool:
    def answer(_request: PinRequest) -> str:
        return pin

    try:
        with open_key(key, answer) as session:
            signer = session.signer()
            return bool(signer.sign(b"x", signer.supported_signature_algorithms()[0]))
    except PinIncorrect:
        return False


def _open_dialog(qtbot, doctor: CaDoctor) -> PinChangeDialog:  # type: ignore[no-untyped-def]
    assert doctor.pin_button.isEnabled()
    qtbot.mouseClick(doctor.pin_button, Qt.MouseButton.LeftButton)
    dialog = doctor.pin_change_dialog
    assert dialog is not None
    qtbot.waitUntil(dialog.isVisible)
    return dialog


def _type(qtbot, dialog: PinChangeDialog, new: str, repeat: str) -> None:  # type: ignore[no-untyped-def]
    dialog.new_edit.clear()
    dialog.repeat_edit.clear()
    qtbot.keyClicks(dialog.new_edit, new)
    qtbot.keyClicks(dialog.repeat_edit, repeat)
    qtbot.keyClick(dialog.repeat_edit, Qt.Key.Key_Return)


def test_pin_change_asks_the_current_pin_once_then_only_the_new_pin_works(  # type: ignore[no-untyped-def]
        qtbot, doctor: CaDoctor, private_token: str) -> None:
    opened: list[object] = []
    doctor.pin_source.dialog_opened.connect(opened.append)
    dialog = _open_dialog(qtbot, doctor)
    assert dialog.new_edit.echoMode() == dialog.new_edit.EchoMode.Password
    assert dialog.repeat_edit.echoMode() == dialog.repeat_edit.EchoMode.Password
    assert f"At least {MIN_PIN_LENGTH} characters" in dialog.rule.text()
    for widget in (dialog.new_edit, dialog.repeat_edit):
        assert widget.accessibleName()
    _type(qtbot, dialog, NEW, NEW)
    qtbot.waitUntil(lambda: not dialog.isVisible())
    assert dialog.new_edit.text() == "" and dialog.repeat_edit.text() == ""  # wiped on close
    pin_dialog = answer_pin(qtbot, OLD)
    assert pin_dialog.pin_edit.text() == ""
    qtbot.waitUntil(lambda: not doctor.busy, timeout=60_000)
    assert doctor.error_view.message is None
    assert doctor.pin_changed_for == LABEL
    assert doctor.test_result.text().startswith(f"The PIN of “{LABEL}” was changed")
    assert len(opened) == 1
    assert not doctor.test_progress.isVisible()
    assert _signs_with(private_token, NEW)
    assert not _signs_with(private_token, OLD)


def test_mismatched_new_pins_keep_the_dialog_open_and_ask_nothing(qtbot, doctor: CaDoctor,  # type: ignore[no-untyped-def]
                                                                   private_token: str) -> None:
    dialog = _open_dialog(qtbot, doctor)
    _type(qtbot, dialog, NEW, "33334445")
    assert dialog.isVisible()
    assert dialog.problem.isVisible() and "differ" in dialog.problem.text()
    assert dialog.repeat_edit.text() == ""  # the wrong repetition is cleared for a fresh try
    # Typing again clears the complaint; cancelling wipes the fields and changes nothing.
    qtbot.keyClicks(dialog.repeat_edit, "3")
    assert not dialog.problem.isVisible()
    qtbot.mouseClick(dialog.buttons.button(dialog.buttons.StandardButton.Cancel), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not dialog.isVisible())
    assert dialog.new_edit.text() == "" and dialog.repeat_edit.text() == ""
    assert dialog.take_new_pin() is None
    assert not open_pin_dialogs() and not doctor.busy
    assert _signs_with(private_token, OLD)


def test_too_short_new_pin_is_refused_in_the_dialog(qtbot, doctor: CaDoctor, private_token: str) -> None:  # type: ignore[no-untyped-def]
    dialog = _open_dialog(qtbot, doctor)
    _type(qtbot, dialog, "123", "123")
    assert dialog.isVisible()
    assert "too short" in dialog.problem.text() and str(MIN_PIN_LENGTH) in dialog.problem.text()
    assert dialog.new_edit.text() == "" and dialog.repeat_edit.text() == ""
    assert not open_pin_dialogs()
    dialog.reject()
    assert _signs_with(private_token, OLD)


def test_wrong_current_pin_is_shown_and_not_retried(qtbot, doctor: CaDoctor, private_token: str) -> None:  # type: ignore[no-untyped-def]
    opened: list[object] = []
    doctor.pin_source.dialog_opened.connect(opened.append)
    dialog = _open_dialog(qtbot, doctor)
    _type(qtbot, dialog, NEW, NEW)
    answer_pin(qtbot, "00000000")
    qtbot.waitUntil(lambda: not doctor.busy, timeout=60_000)
    assert len(opened) == 1 and not open_pin_dialogs()  # asked once, never again by itself
    assert doctor.error_view.message is not None
    assert doctor.error_view.message.code == "token.pin_incorrect"
    assert doctor.error_view.headline.isVisible()
    assert doctor.test_result.text() == "The PIN was not changed."
    assert doctor.pin_changed_for is None
    assert doctor.pin_button.isEnabled()
    assert _signs_with(private_token, OLD)
    assert not _signs_with(private_token, NEW)


def test_every_control_of_the_pin_dialog_has_an_accessible_name(qtbot, doctor: CaDoctor) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtWidgets import QAbstractButton, QLineEdit

    dialog = _open_dialog(qtbot, doctor)
    controls = [w for w in all_widgets(dialog) if isinstance(w, QAbstractButton | QLineEdit) and w.isVisible()]
    assert len(controls) == 4
    assert all(w.accessibleName() for w in controls), [w.objectName() for w in controls if not w.accessibleName()]
    dialog.reject()
