"""The app's ``bidclient.interaction.Prompter``: the core, on a worker thread, asks the user on the GUI
thread (the Electrum hardware-handler pattern).

The worker calls ``ask_pin`` / ``confirm`` / ``choose`` like any Prompter; the request is posted to the
GUI thread, where a dialog is opened (non-blocking ``open()``, no nested event loop), and the worker
waits on a threading.Event until the user answers (or the window closes: ``abandon``). A PIN passes
through once and is not kept. ``notice`` never blocks: it is re-emitted on the GUI thread as ``noticed``.
A QtPrompter is also callable as a ``crypto.pin.PinSource``.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence

from PySide6.QtCore import QObject, Signal, Slot
from PySide6.QtWidgets import QDialog, QInputDialog, QMessageBox, QWidget

from bidclient.interaction import Choice, Notice, Question, Severity
from crypto.pin import PinRequest
from ui.pin_dialog import PinDialog
from ui.workers import on_gui_thread

_Opener = Callable[[int, object], None]  # (the question's number, its argument)


class QtPrompter(QObject):
    """A Prompter for worker threads; never call it from the GUI thread."""

    _asked = Signal(object, int, object)  # the GUI-side opener, the question's number, its argument
    _posted = Signal(object)  # a Notice
    dialog_opened = Signal(object)  # the PinDialog, once shown (for status text and tests)
    question_opened = Signal(object)  # the QMessageBox or QInputDialog of a confirm / choose, once shown
    noticed = Signal(object)  # a Notice, on the GUI thread

    def __init__(self, parent_widget: QWidget | None = None) -> None:
        super().__init__(parent_widget)
        self._parent_widget = parent_widget
        self._lock = threading.Lock()
        self._answered = threading.Event()
        self._answer: object = None
        self._asking = 0  # the number of the question a worker waits for; an older dialog's answer is dropped
        self._abandoned = threading.Event()
        self.times_asked = 0  # PIN entries asked
        self._asked.connect(self._open)
        self._posted.connect(self.noticed)

    # --- the worker side (bidclient.interaction.Prompter) ---

    def __call__(self, request: PinRequest) -> str | None:
        return self.ask_pin(request)

    def ask_pin(self, request: PinRequest) -> str | None:
        answer = self._ask(self._open_pin, request)
        return answer if isinstance(answer, str) else None

    def confirm(self, question: Question) -> bool:
        return self._ask(self._open_confirm, question) is True

    def choose(self, title: str, options: Sequence[Choice]) -> int | None:
        answer = self._ask(self._open_choice, (title, tuple(options)))
        return answer if isinstance(answer, int) and not isinstance(answer, bool) else None

    def notice(self, notice: Notice) -> None:
        self._posted.emit(notice)

    def abandon(self) -> None:
        """Release a waiting worker with "cancelled" (the window is closing, the user stopped the job)."""
        self._abandoned.set()

    def _ask(self, opener: _Opener, argument: object) -> object:
        assert not on_gui_thread(), "ask the user from a worker thread, never from the GUI thread"
        with self._lock:
            self._answered.clear()
            self._abandoned.clear()
            self._answer = None
            self._asking += 1
            self._asked.emit(opener, self._asking, argument)
            while not self._answered.wait(0.2):
                if self._abandoned.is_set():
                    return None
            answer, self._answer = self._answer, None
            return answer

    # --- the GUI side ---

    @Slot(object, int, object)
    def _open(self, opener: _Opener, number: int, argument: object) -> None:
        assert on_gui_thread()
        opener(number, argument)

    def _answer_with(self, number: int, value: object) -> None:
        if number != self._asking:  # a dialog left open after its worker was released (abandon)
            return
        self._answer = value
        self._answered.set()

    def _open_pin(self, number: int, request: object) -> None:
        assert isinstance(request, PinRequest)
        self.times_asked += 1
        dialog = PinDialog(request, self._parent_widget)

        def finished(_result: int) -> None:
            pin = dialog.take_pin()
            dialog.deleteLater()
            self._answer_with(number, pin)

        dialog.finished.connect(finished)
        dialog.open()
        self.dialog_opened.emit(dialog)

    def _open_confirm(self, number: int, question: object) -> None:
        assert isinstance(question, Question)
        icon = QMessageBox.Icon.Warning if question.severity is not Severity.INFO else QMessageBox.Icon.Question
        box = QMessageBox(icon, question.title, question.text, QMessageBox.StandardButton.NoButton,
                          self._parent_widget)
        box.setObjectName("prompterConfirm")
        yes = box.addButton(question.yes_label or self.tr("Yes"), QMessageBox.ButtonRole.AcceptRole)
        no = box.addButton(self.tr("No"), QMessageBox.ButtonRole.RejectRole)
        yes.setObjectName("prompterYes")
        no.setObjectName("prompterNo")
        # Something costly when wrong is never confirmed by a stray Enter.
        box.setDefaultButton(no if question.severity is Severity.DANGER else yes)
        box.setEscapeButton(no)

        def finished(_result: int) -> None:
            clicked = box.clickedButton() is yes
            box.deleteLater()
            self._answer_with(number, clicked)

        box.finished.connect(finished)
        box.open()
        self.question_opened.emit(box)

    def _open_choice(self, number: int, argument: object) -> None:
        assert isinstance(argument, tuple)
        title: str = argument[0]
        options: tuple[Choice, ...] = argument[1]
        labels = [f"{o.label} — {o.detail}" if o.detail else o.label for o in options]
        dialog = QInputDialog(self._parent_widget)
        dialog.setObjectName("prompterChoice")
        dialog.setWindowTitle(title)
        dialog.setLabelText(title)
        dialog.setComboBoxItems(labels)
        dialog.setComboBoxEditable(False)

        def finished(result: int) -> None:
            chosen = labels.index(dialog.textValue()) if result == QDialog.DialogCode.Accepted else None
            dialog.deleteLater()
            self._answer_with(number, chosen)

        dialog.finished.connect(finished)
        dialog.open()
        self.question_opened.emit(dialog)
