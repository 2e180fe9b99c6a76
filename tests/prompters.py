"""A Prompter for tests that drive core flows directly: PINs from a PinSource, a fixed answer to confirm."""

from __future__ import annotations

from collections.abc import Sequence

from bidclient.interaction import Choice, Notice, Question
from crypto.pin import PinRequest, PinSource


class PinPrompter:
    def __init__(self, pin_source: PinSource, *, confirm: bool = False) -> None:
        self.pin_source = pin_source
        self.answer = confirm
        self.asked: list[Question] = []
        self.notices: list[Notice] = []

    def ask_pin(self, request: PinRequest) -> str | None:
        return self.pin_source(request)

    def confirm(self, question: Question) -> bool:
        self.asked.append(question)
        return self.answer

    def choose(self, title: str, options: Sequence[Choice]) -> int | None:
        return None

    def notice(self, notice: Notice) -> None:
        self.notices.append(notice)
