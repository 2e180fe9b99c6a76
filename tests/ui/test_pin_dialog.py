"""The PIN dialog and its worker bridge: masked, warned, answered once, never kept."""

from __future__ import annotations

import threading

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLineEdit

from crypto.pin import PinRequest
from tests.ui.conftest import answer_pin
from ui.pin_bridge import QtPrompter
from ui.pin_dialog import PinDialog
from ui.workers import Task, start


def test_pin_is_masked_and_final_try_is_warned(qtbot) -> None:  # type: ignore[no-untyped-def]
    dialog = PinDialog(PinRequest("ent-a-rsa", "0001", count_low=True, final_try=True))
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.pin_edit.echoMode() == QLineEdit.EchoMode.Password
    assert "ent-a-rsa" in dialog.prompt.text()
    assert "one more wrong PIN locks the token" in dialog.warning.text()
    qtbot.keyClicks(dialog.pin_edit, "12345678")
    qtbot.keyClick(dialog.pin_edit, Qt.Key.Key_Return)
    assert dialog.pin_edit.text() == ""  # wiped on close
    assert dialog.take_pin() == "12345678"
    assert dialog.take_pin() is None  # handed out once


def test_the_title_and_a_long_token_name_are_not_cut(qtbot) -> None:  # type: ignore[no-untyped-def]
    """Issue 9: the PIN dialog's title was cut off in the title bar (the dialog was as narrow as its field)."""
    dialog = PinDialog(PinRequest("示例建设工程有限公司-签名证书-ent-a-rsa", "0001"))
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    metrics = dialog.fontMetrics()
    # Room for the title beside a window manager's icon and buttons (about 150 px).
    assert dialog.width() >= metrics.horizontalAdvance(dialog.windowTitle()) + 150
    assert dialog.minimumWidth() >= metrics.horizontalAdvance(dialog.windowTitle()) + 150
    # The token's name fits on one line of the prompt (plus the words around it, on at most two lines).
    assert dialog.prompt.width() >= metrics.horizontalAdvance("示例建设工程有限公司-签名证书-ent-a-rsa")
    lines = dialog.prompt.height() / metrics.lineSpacing()
    assert lines < 3, lines


def test_no_warning_when_the_token_reports_nothing(qtbot) -> None:  # type: ignore[no-untyped-def]
    dialog = PinDialog(PinRequest("ent-b", "0002"))
    qtbot.addWidget(dialog)
    dialog.show()
    assert not dialog.warning.isVisible()


@pytest.mark.parametrize("answer", ["87654321", None])
def test_bridge_asks_on_the_gui_thread_and_returns_the_answer_to_the_worker(qtbot, answer: str | None) -> None:  # type: ignore[no-untyped-def]
    bridge = QtPrompter()
    threads: list[bool] = []

    def job(_ctx: object) -> str | None:
        threads.append(threading.current_thread() is threading.main_thread())
        return bridge(PinRequest("ent-b", "0002"))

    task = Task(job)
    with qtbot.waitSignal(task.signals.succeeded, timeout=30_000) as got:
        start(task)
        answer_pin(qtbot, answer)
    assert got.args == [answer]
    assert threads == [False]
    assert bridge.times_asked == 1


def test_bridge_refuses_to_block_the_gui_thread(qapp) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(AssertionError):
        QtPrompter()(PinRequest("ent-b", "0002"))
