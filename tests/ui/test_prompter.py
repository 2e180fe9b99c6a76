"""The app's Prompter (ui.pin_bridge.QtPrompter): the core asks from a worker thread, the person answers a
real dialog on the GUI thread, and the worker gets exactly that answer (never an implicit yes)."""

from __future__ import annotations

import threading
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QInputDialog, QMessageBox

from bidclient.interaction import Choice, Notice, Question, Severity
from tests.ui.conftest import answer_pin
from ui.pin_bridge import QtPrompter
from ui.workers import Task, start

RELEASE = Question("Release your key?", "Your key share opens the bids of tender T-1 now.", yes_label="Release",
                   severity=Severity.DANGER)


def _ask(qtbot: Any, ask: Any, answer: Any) -> list[Any]:
    """Run ``ask()`` on a worker; ``answer(dialog)`` on the GUI thread once the dialog is open."""
    prompter_thread: list[bool] = []

    def job(_ctx: object) -> object:
        prompter_thread.append(threading.current_thread() is threading.main_thread())
        return ask()

    task = Task(job)
    with qtbot.waitSignal(task.signals.succeeded, timeout=30_000) as got:
        start(task)
        answer()
    assert prompter_thread == [False]  # the core ran off the GUI thread
    return list(got.args)


def _opened(qtbot: Any, prompter: QtPrompter) -> list[Any]:
    opened: list[Any] = []
    prompter.question_opened.connect(opened.append)
    return opened


def test_confirm_returns_yes_only_for_the_yes_button(qtbot) -> None:  # type: ignore[no-untyped-def]
    prompter = QtPrompter()
    opened = _opened(qtbot, prompter)

    def press_yes() -> None:
        qtbot.waitUntil(lambda: bool(opened) and opened[0].isVisible(), timeout=10_000)
        box: QMessageBox = opened[0]
        assert box.text() == RELEASE.text and box.windowTitle() == RELEASE.title
        yes = next(b for b in box.buttons() if b.objectName() == "prompterYes")
        assert yes.text() == "Release"
        # A costly step is never confirmed by a stray Enter: the default is No.
        assert box.defaultButton().objectName() == "prompterNo"
        yes.click()

    assert _ask(qtbot, lambda: prompter.confirm(RELEASE), press_yes) == [True]


def test_confirm_escape_and_no_say_no(qtbot) -> None:  # type: ignore[no-untyped-def]
    prompter = QtPrompter()
    opened = _opened(qtbot, prompter)

    def escape() -> None:
        qtbot.waitUntil(lambda: bool(opened) and opened[-1].isVisible(), timeout=10_000)
        qtbot.keyClick(opened[-1], Qt.Key.Key_Escape)

    assert _ask(qtbot, lambda: prompter.confirm(RELEASE), escape) == [False]

    def enter() -> None:
        qtbot.waitUntil(lambda: len(opened) == 2 and opened[-1].isVisible(), timeout=10_000)
        qtbot.keyClick(opened[-1], Qt.Key.Key_Return)

    assert _ask(qtbot, lambda: prompter.confirm(RELEASE), enter) == [False]


def test_choose_returns_the_chosen_index_or_none(qtbot) -> None:  # type: ignore[no-untyped-def]
    prompter = QtPrompter()
    opened = _opened(qtbot, prompter)
    options = [Choice("Enterprise A", "91110108MA01B2C3D0"), Choice("Enterprise B"), Choice("Enterprise C")]

    def pick_b() -> None:
        qtbot.waitUntil(lambda: bool(opened) and opened[-1].isVisible(), timeout=10_000)
        dialog: QInputDialog = opened[-1]
        assert dialog.comboBoxItems()[0] == "Enterprise A — 91110108MA01B2C3D0"
        dialog.setTextValue("Enterprise B")
        dialog.accept()

    assert _ask(qtbot, lambda: prompter.choose("Which enterprise signs?", options), pick_b) == [1]

    def cancel() -> None:
        qtbot.waitUntil(lambda: len(opened) == 2 and opened[-1].isVisible(), timeout=10_000)
        opened[-1].reject()

    assert _ask(qtbot, lambda: prompter.choose("Which enterprise signs?", options), cancel) == [None]


def test_notice_reaches_the_gui_thread_without_blocking_the_worker(qtbot) -> None:  # type: ignore[no-untyped-def]
    prompter = QtPrompter()
    received: list[tuple[Notice, bool]] = []
    prompter.noticed.connect(lambda n: received.append((n, threading.current_thread() is threading.main_thread())))
    notice = Notice("The server clock is 3 minutes ahead of this computer.", Severity.WARNING)
    assert _ask(qtbot, lambda: prompter.notice(notice) or "went on", lambda: None) == ["went on"]
    qtbot.waitUntil(lambda: bool(received), timeout=10_000)
    assert received == [(notice, True)]


def test_a_pin_and_then_a_question_from_one_worker(qtbot) -> None:  # type: ignore[no-untyped-def]
    from crypto.pin import PinRequest

    prompter = QtPrompter()
    opened = _opened(qtbot, prompter)

    def both() -> tuple[str | None, bool]:
        return prompter.ask_pin(PinRequest("ent-a", "0001")), prompter.confirm(RELEASE)

    def answer() -> None:
        answer_pin(qtbot, "12345678")
        qtbot.waitUntil(lambda: bool(opened) and opened[0].isVisible(), timeout=10_000)
        next(b for b in opened[0].buttons() if b.objectName() == "prompterYes").click()

    assert _ask(qtbot, both, answer) == [("12345678", True)]
    assert prompter.times_asked == 1


def test_abandon_releases_a_waiting_worker_with_no(qtbot) -> None:  # type: ignore[no-untyped-def]
    prompter = QtPrompter()
    opened = _opened(qtbot, prompter)

    def close_window() -> None:
        qtbot.waitUntil(lambda: bool(opened), timeout=10_000)
        prompter.abandon()

    assert _ask(qtbot, lambda: prompter.confirm(RELEASE), close_window) == [False]

    # The next question is answered by its own dialog, not by the one left open for the abandoned one.
    def yes_to_the_old_then_no_to_the_new() -> None:
        qtbot.waitUntil(lambda: len(opened) == 2 and opened[1].isVisible(), timeout=10_000)
        next(b for b in opened[0].buttons() if b.objectName() == "prompterYes").click()
        qtbot.wait(300)
        next(b for b in opened[1].buttons() if b.objectName() == "prompterNo").click()

    assert _ask(qtbot, lambda: prompter.confirm(RELEASE), yes_to_the_old_then_no_to_the_new) == [False]
