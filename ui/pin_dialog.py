"""The PIN dialog: one question, one answer, never repeated by itself.

It shows which token asks, warns when the token says earlier tries failed (COUNT_LOW) or that one
more wrong PIN locks it (FINAL_TRY), masks the input, and clears it as soon as it is read. Cancel
answers None. The PIN is handed to the caller once and not kept by the dialog.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QLineEdit, QVBoxLayout, QWidget

from crypto.pin import PinRequest


class PinDialog(QDialog):
    def __init__(self, request: PinRequest, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("pinDialog")
        self.request = request
        self._answer: str | None = None
        self.setWindowModality(Qt.WindowModality.ApplicationModal)

        self.prompt = QLabel(self)
        self.prompt.setTextFormat(Qt.TextFormat.PlainText)  # the label comes from the token
        self.prompt.setWordWrap(True)
        self.warning = QLabel(self)
        self.warning.setTextFormat(Qt.TextFormat.PlainText)
        self.warning.setWordWrap(True)
        self.warning.setObjectName("pinWarning")
        self.warning.setStyleSheet("color: #b00020; font-weight: bold;")
        self.pin_edit = QLineEdit(self)
        self.pin_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.pin_edit.setObjectName("pinEdit")
        # No input method, no autocompletion, no undo history for the PIN.
        self.pin_edit.setAttribute(Qt.WidgetAttribute.WA_InputMethodEnabled, False)
        self.prompt.setBuddy(self.pin_edit)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(self.prompt)
        layout.addWidget(self.warning)
        layout.addWidget(self.pin_edit)
        layout.addWidget(self.buttons)
        self.retranslate()
        self.pin_edit.setFocus()

    def retranslate(self) -> None:
        self.setWindowTitle(self.tr("Dongle PIN"))
        # Wide enough for the title in the title bar (window managers cut it short beside their buttons)
        # and for the prompt on a line or two: the dialog is otherwise as narrow as its PIN field.
        metrics = self.fontMetrics()
        self.setMinimumWidth(max(380, metrics.horizontalAdvance(self.windowTitle()) + 200,
                                 min(640, metrics.horizontalAdvance(self.request.token_label) + 240)))
        what = self.tr("password of the key file") if self.request.for_file else self.tr("PIN")
        self.prompt.setText(self.tr("Enter the {what} for “{label}”.").format(
            what=what, label=self.request.token_label))
        if self.request.final_try:
            warning = self.tr("Careful: one more wrong PIN locks the token. If you are not sure of the PIN, "
                              "cancel and ask your CA.")
        elif self.request.count_low:
            warning = self.tr("A wrong PIN was entered since the last successful login. The token locks "
                              "after a few wrong tries.")
        else:
            warning = ""
        self.warning.setText(warning)
        self.warning.setVisible(bool(warning))
        self.pin_edit.setAccessibleName(self.tr("PIN"))
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText(self.tr("OK"))
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setAccessibleName(self.tr("OK"))
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(self.tr("Cancel"))
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setAccessibleName(self.tr("Cancel"))

    def done(self, result: int) -> None:
        # Read once and wipe the field before anything else can look at it.
        self._answer = self.pin_edit.text() if result == QDialog.DialogCode.Accepted else None
        self.pin_edit.clear()
        super().done(result)

    def take_pin(self) -> str | None:
        """The PIN entered (None when cancelled), handed out once."""
        answer, self._answer = self._answer, None
        return answer
