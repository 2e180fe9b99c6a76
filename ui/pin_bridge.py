"""A crypto.pin.PinSource for worker threads that asks the user on the GUI thread (the Electrum pattern).

The worker calls the bridge like any PinSource; the bridge posts the request to the GUI thread, where
a PinDialog is opened (non-blocking ``open()``, no nested event loop), and the worker waits on a
threading.Event until the user answers. The PIN passes through once and is not kept.
"""

from __future__ import annotations

import threading

from PySide6.QtCore import QObject, Signal, Slot
from PySide6.QtWidgets import QWidget

from crypto.pin import PinRequest
from ui.pin_dialog import PinDialog
from ui.workers import on_gui_thread


class QtPinSource(QObject):
    """Callable as ``PinSource`` from any thread except the GUI thread."""

    _asked = Signal(object)
    dialog_opened = Signal(object)  # the PinDialog, once shown (for status text and tests)

    def __init__(self, parent_widget: QWidget | None = None) -> None:
        super().__init__(parent_widget)
        self._parent_widget = parent_widget
        self._lock = threading.Lock()
        self._answered = threading.Event()
        self._answer: str | None = None
        self._abandoned = threading.Event()
        self.times_asked = 0
        self._asked.connect(self._show)

    def __call__(self, request: PinRequest) -> str | None:
        assert not on_gui_thread(), "ask for a PIN from a worker thread, never from the GUI thread"
        with self._lock:
            self._answered.clear()
            self._abandoned.clear()
            self._answer = None
            self._asked.emit(request)
            while not self._answered.wait(0.2):
                if self._abandoned.is_set():
                    return None
            answer, self._answer = self._answer, None
            return answer

    def abandon(self) -> None:
        """Release a waiting worker with "cancelled" (the window is closing)."""
        self._abandoned.set()

    @Slot(object)
    def _show(self, request: PinRequest) -> None:
        assert on_gui_thread()
        self.times_asked += 1
        dialog = PinDialog(request, self._parent_widget)
        dialog.finished.connect(lambda _result: self._finish(dialog))
        dialog.open()
        self.dialog_opened.emit(dialog)

    def _finish(self, dialog: PinDialog) -> None:
        self._answer = dialog.take_pin()
        dialog.deleteLater()
        self._answered.set()
