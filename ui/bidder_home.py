"""The bidder workspace until bid preparation lands: where to start (sign in, check the dongle).

The bid-preparation workspace replaces it by registering role "bidder" (see ui.workspaces).
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QEvent, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from bidclient.signin import SignedIn
from ui.context import AppContext
from ui.error_view import plain_label
from ui.workspaces import WorkspaceSpec, register_workspace


class BidderHome(QWidget):
    sign_in_requested = Signal()
    doctor_requested = Signal()

    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("bidderHome")
        self.context = context
        self.heading = QLabel(self)
        self.heading.setStyleSheet("font-size: 18pt; font-weight: bold;")
        self.explanation = plain_label(self)
        self.who = plain_label(self, name="bidderWho")
        self.sign_in_button = QPushButton(self)
        self.sign_in_button.setObjectName("homeSignIn")
        self.sign_in_button.clicked.connect(self.sign_in_requested)
        self.doctor_button = QPushButton(self)
        self.doctor_button.setObjectName("homeDoctor")
        self.doctor_button.clicked.connect(self.doctor_requested)
        buttons = QHBoxLayout()
        buttons.addWidget(self.sign_in_button)
        buttons.addWidget(self.doctor_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addWidget(self.explanation)
        layout.addWidget(self.who)
        layout.addLayout(buttons)
        layout.addStretch(1)
        context.session_changed.connect(lambda _s: self.retranslate())
        self.retranslate()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def retranslate(self) -> None:
        self.heading.setText(self.tr("Prepare and submit bids"))
        self.explanation.setText(self.tr("1. Check your dongle: it must sign and decrypt, and its certificate "
                                         "must be trusted and valid until the opening.\n2. Sign in with it.\n"
                                         "3. Choose a tender, fill in the forms, seal and submit before the "
                                         "deadline (server time, shown below)."))
        session: SignedIn | None = self.context.session
        if session is None:
            self.who.setText(self.tr("Not signed in."))
        else:
            self.who.setText(self.tr("Signed in as {name} ({code}).").format(
                name=session.enterprise_name, code=session.enterprise_code))
        self.sign_in_button.setText(self.tr("&Sign in with the dongle…"))
        self.sign_in_button.setAccessibleName(self.tr("Sign in with the dongle"))
        self.doctor_button.setText(self.tr("&Check my dongle…"))
        self.doctor_button.setAccessibleName(self.tr("Check my dongle and certificates"))


register_workspace(WorkspaceSpec(
    role="bidder",
    title=lambda: QCoreApplication.translate("Workspaces", "Bidder"),
    factory=BidderHome,
))
