"""A status line that follows the language: it keeps how its text is made, not the text, and makes it
again when the user switches languages (a finished step's "Submitted." must not stay English)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QLabel


class StatusLine:
    def __init__(self, label: QLabel) -> None:
        self.label = label
        self._make: Callable[[], str] | None = None

    def set(self, make: Callable[[], str] | None) -> None:
        """Show ``make()`` now and after every language switch (None: empty)."""
        self._make = make
        self.label.setText(make() if make is not None else "")

    def clear(self) -> None:
        self.set(None)

    def retranslate(self) -> None:
        if self._make is not None:
            self.label.setText(self._make())
