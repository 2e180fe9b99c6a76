"""The edit lane: score and review edits applied by one worker thread at a time, with group commit.

A thousand experts connected at once each sync their journal after every pause in typing. Given a worker
thread per request (as a plain ``def`` route gets), a thousand threads compete for the GIL and, on SQLite,
for the write lock, and the answer to each takes seconds (docs/benchmarks.md, "Evaluation score writes").
Here the edit route waits in the event loop instead, holding neither a thread nor a connection: requests
queue in arrival order, and whenever the lane is free one worker thread takes **every request waiting** (up
to ``max_group``) and applies them in **one transaction** — one BEGIN, one COMMIT (one fsync of the WAL),
whatever the number of experts — then answers each request with its own results.

What stays as it was: each request's edits are applied in the order given, each exactly once by its edit id,
with a version per cell and an audit entry per applied edit (``service.apply_edits``, unchanged); a request
is answered only after the transaction holding its edits has committed.

One request must not fail the others': a request refused before it writes anything (not logged in, not an
expert, not a member of the session: a ``DomainError``/``Problem``, raised before ``apply_edits`` writes)
gets its refusal and the group goes on. Anything else going wrong in the group's transaction (a database
error) rolls the group back and every request of it is run again in a unit of its own, so that only the
one at fault fails. Re-running is safe: nothing of the rolled-back group was committed.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import anyio.to_thread
from sqlalchemy.orm import Session, sessionmaker

from server.db import session_scope
from server.problems import DomainError, Problem

log = logging.getLogger(__name__)
T = TypeVar("T")
_unit = contextlib.contextmanager(session_scope)


@dataclass
class _Job(Generic[T]):
    work: Callable[[Session], T]
    future: asyncio.Future[T]


class GroupLane:
    """Units of work run one group at a time in a worker thread; a group shares one transaction.

    ``work`` given to :meth:`run` must raise ``DomainError``/``Problem`` only before it writes (see the
    module's docstring). ``waiting``/``busy``: gauges (prometheus-client) of the queue and the lane's use."""

    def __init__(self, session_factory: sessionmaker[Session], *, max_group: int = 64,
                 finish: Callable[[Session], None] | None = None, waiting: Any = None, busy: Any = None) -> None:
        """``finish(db)``: run in every unit of work after its requests, before it commits (the evaluation
        edits write the group's audit entries there, the chain's head moved once)."""
        self._factory = session_factory
        self._finish = finish
        self.max_group = max(1, max_group)
        self._queue: list[_Job[Any]] = []
        self._drainer: asyncio.Task[None] | None = None
        self._waiting = waiting
        self._busy = busy
        self.groups = 0  # groups committed, for the tests and the benchmark's reading

    async def run(self, work: Callable[[Session], T]) -> T:
        """``work(db)`` in the lane's next group; its result, or the exception it raised."""
        loop = asyncio.get_running_loop()
        job: _Job[T] = _Job(work, loop.create_future())
        self._queue.append(job)
        if self._waiting is not None:
            self._waiting.inc()
        if self._drainer is None or self._drainer.done():
            self._drainer = loop.create_task(self._drain())
        # A client that goes away does not take its edits back: the group runs them anyway, and the journal's
        # retry is answered "duplicate" with the first outcome.
        return await asyncio.shield(job.future)

    async def _drain(self) -> None:
        while self._queue:
            group, self._queue = self._queue[:self.max_group], self._queue[self.max_group:]
            if self._waiting is not None:
                self._waiting.dec(len(group))
            if self._busy is not None:
                self._busy.inc()
            try:
                outcomes = await anyio.to_thread.run_sync(self._run_group, [job.work for job in group])
            except asyncio.CancelledError:  # the server is stopping
                for job in group + self._queue:
                    job.future.cancel()
                raise
            except Exception as ex:  # the thread could not be run at all
                outcomes = [ex] * len(group)
            finally:
                if self._busy is not None:
                    self._busy.dec()
            for job, outcome in zip(group, outcomes, strict=True):
                if job.future.done():
                    continue
                if isinstance(outcome, BaseException):
                    job.future.set_exception(outcome)
                else:
                    job.future.set_result(outcome)

    def _run_group(self, works: list[Callable[[Session], Any]]) -> list[Any]:
        outcomes: list[Any] = []
        try:
            with _unit(self._factory) as db:
                for work in works:
                    try:
                        outcomes.append(work(db))
                    except (DomainError, Problem) as refused:  # raised before the work wrote anything
                        outcomes.append(refused)
                if self._finish is not None:
                    self._finish(db)
        except Exception as failed:
            if len(works) == 1:
                return [failed]
            log.warning("a group of %d edit requests failed (%s); running each on its own", len(works),
                        type(failed).__name__)
            return [self._run_alone(work) for work in works]
        self.groups += 1
        return outcomes

    def _run_alone(self, work: Callable[[Session], Any]) -> Any:
        try:
            with _unit(self._factory) as db:
                outcome = work(db)
                if self._finish is not None:
                    self._finish(db)
                return outcome
        except Exception as failed:
            return failed
