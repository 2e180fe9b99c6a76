"""The report (评标报告): preview it in the in-app PDF reader, then sign it with the dongle checked in with —
agree, disagree with written reasons, or refuse with written reasons (实施条例 Art. 53). The page runs the
jobs; this panel holds the choices and shows the signatures so far."""

from __future__ import annotations

from PySide6.QtCore import QEvent, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QHBoxLayout,
    QListWidget,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from bidclient.protocol.evaluation_session import ReportSignaturesOut
from ui.error_view import plain_label
from ui.pdf_viewer import PdfViewer

STANCES = ("agree", "dissent", "refuse")


class ReportPanel(QWidget):
    preview_requested = Signal()
    sign_requested = Signal(str, str)  # stance, reasons

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.viewer = PdfViewer(self)
        self.preview_button = QPushButton(self)
        self.preview_button.clicked.connect(self.preview_requested)
        self.radios = [QRadioButton(self) for _ in STANCES]
        self.group = QButtonGroup(self)
        for n, radio in enumerate(self.radios):
            self.group.addButton(radio, n)
        self.radios[0].setChecked(True)
        self.reasons = QPlainTextEdit(self)
        self.reasons.setMaximumHeight(70)
        self.sign_button = QPushButton(self)
        self.sign_button.clicked.connect(lambda: self.sign_requested.emit(self.stance(),
                                                                          self.reasons.toPlainText()))
        self.signatures = QListWidget(self)
        self.signatures.setMaximumHeight(90)
        self.state = plain_label(self, name="reportState")
        side = QVBoxLayout()
        side.addWidget(self.preview_button)
        for radio in self.radios:
            side.addWidget(radio)
        side.addWidget(self.reasons)
        side.addWidget(self.sign_button)
        side.addWidget(self.state)
        side.addWidget(self.signatures)
        side.addStretch(1)
        layout = QHBoxLayout(self)
        layout.addWidget(self.viewer, 3)
        layout.addLayout(side, 1)
        self.retranslate()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def retranslate(self) -> None:
        self.preview_button.setText(self.tr("Show the report"))
        self.preview_button.setAccessibleName(self.tr("Show the report"))
        for radio, text in zip(self.radios, (self.tr("I agree"), self.tr("I disagree (signing, with reasons)"),
                                             self.tr("I refuse to sign (with reasons)")), strict=True):
            radio.setText(text)
            radio.setAccessibleName(text)
        self.reasons.setPlaceholderText(self.tr("Written reasons (required to disagree or refuse)"))
        self.reasons.setAccessibleName(self.tr("Written reasons"))
        self.sign_button.setText(self.tr("Sign with my dongle…"))
        self.sign_button.setAccessibleName(self.tr("Sign the report with my dongle"))
        self.signatures.setAccessibleName(self.tr("Signatures so far"))

    def stance(self) -> str:
        return STANCES[max(0, self.group.checkedId())]

    def show_signatures(self, signatures: ReportSignaturesOut) -> None:
        labels = {"agree": self.tr("agreed"), "dissent": self.tr("disagreed"), "refuse": self.tr("refused")}
        self.signatures.clear()
        for s in signatures.signatures:
            reason = f" — {s.reason}" if s.reason else ""
            self.signatures.addItem(f"{s.position}. {s.expert.removeprefix('person:')}: "
                                    f"{labels.get(s.stance, s.stance)}{reason}")
