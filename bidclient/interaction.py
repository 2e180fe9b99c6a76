"""One protocol for everything the core must ask a person.

The core never prints, reads a terminal or opens a window. When a flow needs a person — a PIN, a
confirmation ("release your key for this bid now?"), a choice among several keys or sessions, or a
notice worth showing while work goes on — it asks the ``Prompter`` it was given. The CLI passes a
terminal implementation (``bidclient.cli.prompt``), the desktop app a Qt adapter that asks on the GUI
thread while the core runs on a worker thread (the pattern of Electrum's hardware-wallet handler).

Rules every implementation keeps:
- ``ask_pin`` returns the PIN or None (cancelled); the PIN is passed on and dropped, never logged,
  stored or cached (crypto.pin).
- ``confirm`` returns True only on an explicit yes; a non-interactive prompter without a standing
  answer returns False (never an implicit yes).
- ``choose`` returns the index of the chosen option, or None when the person cancels.
- ``notice`` never blocks the flow.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from crypto.pin import PinRequest


class Severity(enum.Enum):
    INFO = "info"
    WARNING = "warning"
    DANGER = "danger"  # irreversible or costly when wrong (releasing a key, signing a record)


@dataclass(frozen=True)
class Question:
    """A yes/no question. ``title`` and ``text`` are already translated."""

    title: str
    text: str
    yes_label: str = ""  # e.g. "Release key"; empty for the front end's default
    severity: Severity = Severity.INFO


@dataclass(frozen=True)
class Choice:
    """One option of a ``choose``; ``label`` translated, ``detail`` a second line (may be empty)."""

    label: str
    detail: str = ""


@dataclass(frozen=True)
class Notice:
    """Something the person should see while the flow goes on."""

    text: str
    severity: Severity = Severity.INFO


class Prompter(Protocol):
    def ask_pin(self, request: PinRequest) -> str | None: ...

    def confirm(self, question: Question) -> bool: ...

    def choose(self, title: str, options: Sequence[Choice]) -> int | None: ...

    def notice(self, notice: Notice) -> None: ...
