"""Long work off the GUI thread: a QRunnable task with progress, cancel, and result signals.

Usage::

    task = Task(lambda ctx: do_work(progress=ctx.progress, cancelled=ctx.cancelled))
    task.signals.succeeded.connect(on_result)   # result object, on the GUI thread
    task.signals.failed.connect(on_error)       # the exception, on the GUI thread
    task.signals.progress.connect(bar.setValue) # (done, total)
    start(task)                                 # QThreadPool.globalInstance()
    ...
    task.cancel()                               # the job sees ctx.cancelled() == True

Signals cross threads through queued connections, so slots always run on the GUI thread. The job
function must not touch widgets; it asks the user things through ui.pin_bridge.QtPrompter.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QCoreApplication, QObject, QRunnable, Qt, QThread, QThreadPool, Signal, Slot


def on_gui_thread() -> bool:
    app = QCoreApplication.instance()
    return app is not None and QThread.currentThread() is app.thread()


class TaskContext:
    """What a job gets: a progress reporter and a cancel flag (both thread-safe)."""

    def __init__(self, signals: TaskSignals, cancel: threading.Event) -> None:
        self._signals = signals
        self._cancel = cancel

    def progress(self, done: int, total: int = 0) -> None:
        self._signals.progress.emit(int(done), int(total))

    def cancelled(self) -> bool:
        return self._cancel.is_set()


class TaskSignals(QObject):
    progress = Signal(int, int)  # done, total (0 = unknown)
    succeeded = Signal(object)
    failed = Signal(object)  # the exception
    finished = Signal()  # after succeeded or failed, in the same turn of the GUI event loop

    # The worker thread crosses to the GUI thread once, with the outcome; the GUI side then emits
    # succeeded/failed and finished back to back, so no event is processed between them and nobody
    # sees a result whose task still counts as running.
    _outcome = Signal(bool, object)

    def __init__(self) -> None:
        super().__init__()
        self._outcome.connect(self._deliver, Qt.ConnectionType.QueuedConnection)

    @Slot(bool, object)
    def _deliver(self, ok: bool, value: object) -> None:
        try:
            (self.succeeded if ok else self.failed).emit(value)
        finally:
            self.finished.emit()


class Task(QRunnable):
    """One job on the thread pool. Keep a reference until ``finished`` (signals live on the task)."""

    def __init__(self, job: Callable[[TaskContext], Any], *, name: str = "task") -> None:
        super().__init__()
        self.setAutoDelete(False)
        self.name = name
        self.signals = TaskSignals()
        self._cancel = threading.Event()
        self._job = job

    def cancel(self) -> None:
        self._cancel.set()

    @property
    def is_cancelled(self) -> bool:
        return self._cancel.is_set()

    def run(self) -> None:
        assert not on_gui_thread(), "a Task must not run on the GUI thread"
        try:
            result = self._job(TaskContext(self.signals, self._cancel))
        except BaseException as ex:  # every failure reaches the GUI, where describe() words it
            self.signals._outcome.emit(False, ex)
        else:
            self.signals._outcome.emit(True, result)


_running: set[Task] = set()


def start(task: Task, pool: QThreadPool | None = None) -> Task:
    """Start ``task`` on ``pool`` (default: the global pool), keeping it alive until it finishes."""
    _running.add(task)
    task.signals.finished.connect(lambda: _running.discard(task))
    (pool or QThreadPool.globalInstance()).start(task)
    return task


def is_running(task: Task) -> bool:
    """Whether ``task`` was started and has not yet delivered ``finished``."""
    return task in _running
