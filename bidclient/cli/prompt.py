"""The terminal side of the core's questions: PINs (the PIN goes to the token and is dropped; never
echoed or kept), confirmations, choices and notices (``TerminalPrompter``)."""

from __future__ import annotations

import getpass
import sys
from collections.abc import Sequence
from typing import TextIO

from bidclient.errors import UsageError
from bidclient.i18n import _
from bidclient.interaction import Choice, Notice, Question, Severity
from crypto.errors import PinCancelled
from crypto.pin import PinRequest, PinSource, pin_from_source_spec


def terminal_pin_source(request: PinRequest) -> str | None:
    if not sys.stdin.isatty():
        raise PinCancelled(f"a PIN is needed for {request.token_label!r} but there is no terminal to ask on; "
                           "use --pin-source file:PATH or env:NAME")
    if request.final_try:
        print(_("Warning: one more wrong PIN will lock this token."), file=sys.stderr)
    elif request.count_low:
        print(_("Warning: a wrong PIN was entered before; few tries remain."), file=sys.stderr)
    if request.for_file:
        label = _("Password for {name}: ").format(name=request.token_label)
    else:
        label = _("PIN for token {name}: ").format(name=request.token_label)
    try:
        pin = getpass.getpass(label)
    except (EOFError, KeyboardInterrupt):
        return None
    return pin or None


def pin_source_for(spec: str | None) -> PinSource:
    """--pin-source if given, else the terminal."""
    if spec:
        if not (spec.startswith("file:") or spec.startswith("env:")):
            raise UsageError(f"--pin-source must be file:PATH or env:NAME, not {spec!r}")
        return pin_from_source_spec(spec)
    return terminal_pin_source


class NotConfirmed(UsageError):
    """A question needed a yes and there was no one to give it: no --yes, and no terminal to ask on."""


class TerminalPrompter:
    """The CLI's ``bidclient.interaction.Prompter``.

    - ``ask_pin``: from ``--pin-source`` (file:PATH or env:NAME) when given, else asked on the terminal.
    - ``confirm``: yes when the command was given ``--yes``; otherwise asked on the terminal; with no
      terminal, refused (NotConfirmed) with a message naming ``--yes`` — or, for a command whose question
      has another way to be answered (``trust sync --accept-ca``), just no. Never an implicit yes.
    - ``choose``: a numbered list on the terminal; with no terminal, refused (a script names its choice
      with an option instead).
    - ``notice``: a line on stderr.
    """

    def __init__(self, pin_source: str | None = None, *, assume_yes: bool = False, yes_option: str = "--yes",
                 refuse_without_terminal: bool = True, stdin: TextIO | None = None,
                 stderr: TextIO | None = None) -> None:
        self._pins = pin_source_for(pin_source)
        self.assume_yes = assume_yes
        self.yes_option = yes_option
        self.refuse_without_terminal = refuse_without_terminal
        self._stdin = stdin
        self._stderr = stderr

    @property
    def stdin(self) -> TextIO:
        return self._stdin or sys.stdin

    @property
    def stderr(self) -> TextIO:
        return self._stderr or sys.stderr

    def ask_pin(self, request: PinRequest) -> str | None:
        return self._pins(request)

    def confirm(self, question: Question) -> bool:
        if self.assume_yes:
            return True
        if not self.stdin.isatty():
            if not self.refuse_without_terminal:
                return False
            raise NotConfirmed(f"{question.title}: {question.text} — there is no terminal to ask on; run the "
                               f"command again with {self.yes_option} to confirm")
        yes = question.yes_label or _("yes")
        print(question.title, file=self.stderr)
        print(question.text, file=self.stderr)
        try:
            answer = input(_("Type “{yes}” to go on, anything else to stop: ").format(yes=yes))
        except (EOFError, KeyboardInterrupt):
            print(file=self.stderr)
            return False
        return answer.strip().casefold() in {yes.casefold(), _("yes").casefold(), "yes", "y"}

    def choose(self, title: str, options: Sequence[Choice]) -> int | None:
        if not self.stdin.isatty():
            raise UsageError(f"{title}: there is no terminal to choose on; name your choice with the command's "
                             "options")
        print(title, file=self.stderr)
        for number, option in enumerate(options, 1):
            print(f"  {number}. {option.label}" + (f" — {option.detail}" if option.detail else ""),
                  file=self.stderr)
        try:
            answer = input(_("Number (empty to cancel): ")).strip()
        except (EOFError, KeyboardInterrupt):
            return None
        if answer.isdigit() and 1 <= int(answer) <= len(options):
            return int(answer) - 1
        return None

    def notice(self, notice: Notice) -> None:
        prefix = {Severity.INFO: "", Severity.WARNING: _("Warning: "), Severity.DANGER: _("Warning: ")}
        print(prefix[notice.severity] + notice.text, file=self.stderr)
