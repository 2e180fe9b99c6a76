"""The new-PIN dialog of the CA doctor: the new PIN twice, masked, checked here before the token sees it.

The current PIN is not asked here: the change runs on a worker, which asks for it once through the
app's QtPrompter (the same PIN dialog as everywhere, with the token's warnings). The new PIN is
handed out once by ``take_new_pin`` and both fields are wiped whenever the dialog closes.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QFormLayout, QLabel, QLineEdit, QVBoxLayout, QWidget

from ui.error_view import plain_label

# crypto.key_access.change_pin refuses shorter PINs (token.pin_invalid); saying so up front spares a
# PIN entry that could only fail. A token may still refuse a PIN this length allows (its own policy).
MIN_PIN_LENGTH = 4


class PinChangeDialog(QDialog):
    def __init__(self, token_label: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("pinChangeDialog")
        self.token_label = token_label
        self._answer: str | None = None
        self.setWindowModality(Qt.WindowModality.ApplicationModal)

        self.intro = plain_label(self, name="pinChangeIntro")  # the label comes from the token
        self.new_edit = self._pin_edit("newPinEdit")
        self.repeat_edit = self._pin_edit("repeatPinEdit")
        self.new_label = QLabel(self)
        self.new_label.setBuddy(self.new_edit)
        self.repeat_label = QLabel(self)
        self.repeat_label.setBuddy(self.repeat_edit)
        self.rule = plain_label(self, name="pinRule")
        self.problem = plain_label(self, name="pinChangeProblem")
        self.problem.setStyleSheet("color: #b00020; font-weight: bold;")
        self.problem.setVisible(False)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.new_edit.textChanged.connect(self._clear_problem)
        self.repeat_edit.textChanged.connect(self._clear_problem)

        form = QFormLayout()
        form.addRow(self.new_label, self.new_edit)
        form.addRow(self.repeat_label, self.repeat_edit)
        layout = QVBoxLayout(self)
        layout.addWidget(self.intro)
        layout.addLayout(form)
        layout.addWidget(self.rule)
        layout.addWidget(self.problem)
        layout.addWidget(self.buttons)
        self.retranslate()
        self.new_edit.setFocus()

    def _pin_edit(self, name: str) -> QLineEdit:
        edit = QLineEdit(self)
        edit.setObjectName(name)
        edit.setEchoMode(QLineEdit.EchoMode.Password)
        # No input method, no autocompletion, no undo history for a PIN.
        edit.setAttribute(Qt.WidgetAttribute.WA_InputMethodEnabled, False)
        return edit

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def retranslate(self) -> None:
        self.setWindowTitle(self.tr("Change the dongle's PIN"))
        self.intro.setText(self.tr("Choose a new PIN for “{label}”. After you press OK you will be asked for the "
                                   "current PIN once.").format(label=self.token_label))
        self.new_label.setText(self.tr("&New PIN:"))
        self.new_edit.setAccessibleName(self.tr("New PIN"))
        self.repeat_label.setText(self.tr("&Repeat the new PIN:"))
        self.repeat_edit.setAccessibleName(self.tr("Repeat the new PIN"))
        self.rule.setText(self.tr("At least {count} characters. Some dongles accept digits only.").format(
            count=MIN_PIN_LENGTH))
        self.problem.setAccessibleName(self.tr("Problem with the new PIN"))
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setText(self.tr("OK"))
        ok.setAccessibleName(self.tr("Change the PIN"))
        cancel = self.buttons.button(QDialogButtonBox.StandardButton.Cancel)
        cancel.setText(self.tr("Cancel"))
        cancel.setAccessibleName(self.tr("Cancel"))

    def _clear_problem(self) -> None:
        self.problem.clear()
        self.problem.setVisible(False)

    def _refuse(self, text: str, focus: QLineEdit) -> None:
        self.problem.setText(text)
        self.problem.setVisible(True)
        self.setAccessibleDescription(text)
        focus.setFocus()

    def accept(self) -> None:
        new, repeat = self.new_edit.text(), self.repeat_edit.text()
        if len(new) < MIN_PIN_LENGTH:
            self.new_edit.clear()
            self.repeat_edit.clear()
            self._refuse(self.tr("The new PIN is too short: use at least {count} characters.").format(
                count=MIN_PIN_LENGTH), self.new_edit)
            return
        if new != repeat:
            self.repeat_edit.clear()
            self._refuse(self.tr("The two new PINs differ. Type the new PIN again in the second field."),
                         self.repeat_edit)
            return
        super().accept()

    def done(self, result: int) -> None:
        # Read once and wipe both fields before anything else can look at them.
        self._answer = self.new_edit.text() if result == QDialog.DialogCode.Accepted else None
        self.new_edit.clear()
        self.repeat_edit.clear()
        self._clear_problem()
        super().done(result)

    def take_new_pin(self) -> str | None:
        """The new PIN (None when cancelled), handed out once."""
        answer, self._answer = self._answer, None
        return answer
