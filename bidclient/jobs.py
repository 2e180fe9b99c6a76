"""One progress/cancel protocol for every long piece of work in the core.

A core service that runs long (sealing, submitting, opening a bid, syncing a journal) takes a
``Progress`` and a ``Cancel`` and nothing else about its caller: the CLI passes a terminal progress
line, the desktop app a Qt adapter that posts to the GUI thread. ``Cancel`` is polled between
units of work; when it returns True the service stops, removes what it had begun writing and
raises :class:`JobCancelled`.
"""

from __future__ import annotations

from collections.abc import Callable

from bidclient.errors import BidclientError

# Called with a percentage 0..100 (monotone, at least once with 100 on success).
Progress = Callable[[int], None]
# Polled between units of work; True asks the job to stop.
Cancel = Callable[[], bool]


def no_progress(_percent: int) -> None:
    """A Progress that reports nowhere."""


def never_cancel() -> bool:
    """A Cancel for work nobody can cancel."""
    return False


class JobCancelled(BidclientError):
    """The user cancelled; nothing of the job's output was left behind."""

    code = "job.cancelled"
