"""A progress bar with a Stop button for one ui.workers.Task at a time (hidden while idle).

Stop stops *waiting*: the caller cancels the task (the job sees ``ctx.cancelled()``) and forgets it at
once, so the window is usable again even while a token or the network is still answering the old call.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, Signal
from PySide6.QtWidgets import QHBoxLayout, QProgressBar, QPushButton, QWidget


class TaskProgress(QWidget):
    stop_requested = Signal()

    def __init__(self, parent: QWidget | None = None, *, name: str = "taskProgress") -> None:
        super().__init__(parent)
        self.setObjectName(name)
        self.bar = QProgressBar(self)
        self.bar.setObjectName(f"{name}Bar")
        self.bar.setTextVisible(True)
        self.stop_button = QPushButton(self)
        self.stop_button.setObjectName(f"{name}Stop")
        self.stop_button.clicked.connect(self.stop_requested)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.bar, 1)
        layout.addWidget(self.stop_button)
        self._what = ""
        self.retranslate()
        self.setVisible(False)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def retranslate(self) -> None:
        self.stop_button.setText(self.tr("&Stop"))
        self.stop_button.setAccessibleName(self.tr("Stop: {what}").format(what=self._what) if self._what
                                           else self.tr("Stop"))
        self.bar.setAccessibleName(self.tr("Progress: {what}").format(what=self._what) if self._what
                                   else self.tr("Progress"))

    def begin(self, what: str) -> None:
        """Show an indeterminate bar for ``what`` (a short translated phrase: "looking for dongles")."""
        self._what = what
        self.bar.setRange(0, 0)
        self.bar.setValue(0)
        self.stop_button.setEnabled(True)
        self.retranslate()
        self.setVisible(True)

    def set_progress(self, done: int, total: int) -> None:
        if total > 0:
            self.bar.setRange(0, total)
            self.bar.setValue(min(done, total))
        else:
            self.bar.setRange(0, 0)

    def end(self) -> None:
        self.setVisible(False)
        self._what = ""
