"""Background tasks: the outcome and `finished` reach the GUI thread together, in order."""

from __future__ import annotations

import threading
import time

import pytest
from PySide6.QtCore import Qt, QTimer

from ui.workers import Task, TaskContext, is_running, start


def _watch(qtbot, task: Task) -> list[str]:  # type: ignore[no-untyped-def]
    """Record what the GUI sees; each outcome slot also queues an event, which must come after `finished`."""
    seen: list[str] = []
    task.signals.progress.connect(lambda done, total: seen.append(f"progress {done}/{total}"))
    task.signals.succeeded.connect(lambda value: (seen.append(f"succeeded {value}"),
                                                  QTimer.singleShot(0, lambda: seen.append("next event"))))
    task.signals.failed.connect(lambda ex: (seen.append(f"failed {ex}"),
                                            QTimer.singleShot(0, lambda: seen.append("next event"))))
    task.signals.finished.connect(lambda: seen.append("finished"))
    # A slow direct listener, connected last: if the outcome were emitted from the worker thread, the worker would
    # stall here between the outcome and `finished`, and the GUI would run other events in the gap.
    for signal in (task.signals.succeeded, task.signals.failed):
        signal.connect(lambda _value: time.sleep(0.3), Qt.ConnectionType.DirectConnection)
    return seen


def test_a_result_arrives_with_finished_and_nothing_runs_between(qtbot) -> None:  # type: ignore[no-untyped-def]
    gui_thread = threading.current_thread()
    ran_on: list[threading.Thread] = []

    def job(ctx: TaskContext) -> int:
        ran_on.append(threading.current_thread())
        ctx.progress(1, 2)
        return 42

    task = Task(job)
    seen = _watch(qtbot, task)
    start(task)
    qtbot.waitUntil(lambda: "next event" in seen, timeout=30_000)
    assert ran_on and ran_on[0] is not gui_thread
    assert seen == ["progress 1/2", "succeeded 42", "finished", "next event"]
    assert not is_running(task)  # other tests' tasks may still run in this process; this one is done


def test_a_failure_arrives_with_finished(qtbot) -> None:  # type: ignore[no-untyped-def]
    def job(_ctx: TaskContext) -> None:
        raise ValueError("the token was removed")

    task = Task(job)
    seen = _watch(qtbot, task)
    start(task)
    qtbot.waitUntil(lambda: "next event" in seen, timeout=30_000)
    assert seen == ["failed the token was removed", "finished", "next event"]


def test_a_task_refuses_to_run_on_the_gui_thread(qapp) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(AssertionError):
        Task(lambda _ctx: None).run()
