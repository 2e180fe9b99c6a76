"""One thread for every job that touches an expert's journal.

The journal is a SQLite connection (bidclient.evaluation.journal), usable only on the thread that opened
it, and its edits must be sent in order: so opening the workspace, every edit, every sync and submitting
run one after another on this pool's single thread, which is kept for the life of the app.
"""

from __future__ import annotations

from PySide6.QtCore import QThreadPool

_pool: QThreadPool | None = None


def journal_pool() -> QThreadPool:
    global _pool
    if _pool is None:
        _pool = QThreadPool()
        _pool.setMaxThreadCount(1)
        _pool.setExpiryTimeout(-1)  # the thread that opened a journal stays the one that uses it
        _pool.setObjectName("evaluation-journal")
    return _pool
