"""How every error is shown: bidclient.errors.describe's headline and hint, the stable code in small print.

All three are plain text: details can carry text from the server or from a certificate.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from bidclient.errors import UserMessage, describe


def plain_label(parent: QWidget | None = None, *, name: str = "") -> QLabel:
    """A QLabel that never interprets markup (for anything that comes from a server, token or file)."""
    label = QLabel(parent)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setWordWrap(True)
    if name:
        label.setObjectName(name)
    return label


class ErrorView(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("errorView")
        self.headline = plain_label(self, name="errorHeadline")
        self.headline.setStyleSheet("color: #b00020; font-weight: bold;")
        self.hint = plain_label(self, name="errorHint")
        self.code = plain_label(self, name="errorCode")
        self.code.setStyleSheet("color: #666; font-size: small;")
        self.code.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.headline)
        layout.addWidget(self.hint)
        layout.addWidget(self.code)
        self.message: UserMessage | None = None
        self._error: BaseException | None = None
        self.clear()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange and self._error is not None:
            self.show_error(self._error)  # describe() follows the language just chosen
        super().changeEvent(event)

    def show_error(self, error: BaseException) -> UserMessage:
        self._error = error
        message = describe(error)
        self.message = message
        self.headline.setText(message.headline)
        self.hint.setText(message.hint)
        self.hint.setVisible(bool(message.hint))
        detail = f" {message.detail}" if message.detail and message.detail != message.headline else ""
        self.code.setText(f"[{message.code}]{detail}")
        self.setAccessibleDescription(f"{message.headline} {message.hint}")
        self.setVisible(True)
        return message

    def clear(self) -> None:
        self.message = None
        self._error = None
        for label in (self.headline, self.hint, self.code):
            label.clear()
        self.setVisible(False)
