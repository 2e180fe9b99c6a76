"""One thread owns each loaded PKCS#11 module.

Modules are initialised without CKF_OS_LOCKING_OK (python-pkcs11 passes NULL to C_Initialize), so a
module may assume it is called from one thread at a time; many vendor modules are not thread-safe
anyway. Every python-pkcs11 call for a module therefore runs as a job on that module's worker thread:
callers on any thread submit a job and wait for its result. Sessions are opened and closed there too.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

import pkcs11

from crypto.errors import ModuleLoadError

T = TypeVar("T")


class ModuleWorker:
    """The thread that owns one module (by real path) and everything opened through it."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._executor = ThreadPoolExecutor(max_workers=1,
                                            thread_name_prefix=f"pkcs11-{path.name}")
        self._thread: threading.Thread | None = None
        self._lib: Any = None
        self._thread_known = threading.Event()
        self._executor.submit(self._note_thread).result()

    def _note_thread(self) -> None:
        self._thread = threading.current_thread()
        self._thread_known.set()

    @property
    def thread(self) -> threading.Thread:
        assert self._thread is not None
        return self._thread

    def on_worker_thread(self) -> bool:
        return threading.current_thread() is self._thread

    def submit(self, job: Callable[[], T]) -> Future[T]:
        return self._executor.submit(job)

    def run(self, job: Callable[[], T]) -> T:
        """Run ``job`` on the worker thread and return its result (or raise its exception).

        A job that itself calls ``run`` is executed inline: queueing it would deadlock.
        """
        if self.on_worker_thread():
            return job()
        return self._executor.submit(job).result()

    @property
    def lib(self) -> Any:
        """The loaded ``pkcs11.lib`` (loading it on first use). Only valid inside a job."""
        if not self.on_worker_thread():
            raise RuntimeError("PKCS#11 module used outside its worker thread")
        if self._lib is None:
            if not self.path.exists():
                raise ModuleLoadError(f"PKCS#11 module {self.path} does not exist")
            try:
                self._lib = pkcs11.lib(str(self.path))
            except (pkcs11.PKCS11Error, OSError) as ex:
                raise ModuleLoadError(f"PKCS#11 module {self.path} could not be loaded: {ex}") from ex
        return self._lib

    def load(self) -> Any:
        """Load the module now (on the worker thread); raises ModuleLoadError."""
        return self.run(lambda: self.lib)

    def shutdown(self) -> None:
        """Finalise the module and stop the thread. Later use needs a new worker."""
        def finalize() -> None:
            if self._lib is not None:
                try:
                    pkcs11.unload(str(self.path))
                except pkcs11.PKCS11Error:
                    pass  # nothing useful to do with a module that fails to finalise at exit
                self._lib = None
        try:
            self.run(finalize)
        finally:
            self._executor.shutdown(wait=True)


_workers: dict[str, ModuleWorker] = {}
_workers_lock = threading.Lock()


def worker_for(path: str | Path) -> ModuleWorker:
    """The worker owning the module at ``path`` (one per real path: the same file reached through a
    symlink is the same dlopen handle and must not be initialised twice)."""
    key = os.path.realpath(path)
    with _workers_lock:
        worker = _workers.get(key)
        if worker is None:
            worker = ModuleWorker(Path(key))
            _workers[key] = worker
        return worker


def shutdown_all() -> None:
    """Finalise every loaded module (tests, and orderly exit)."""
    with _workers_lock:
        workers = list(_workers.values())
        _workers.clear()
    for worker in workers:
        worker.shutdown()
