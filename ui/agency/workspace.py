"""The agency workspace (代理机构): draw the evaluation committee for a tender the agency published, follow the
experts' answers, keep and verify the draw record (docs/experts.md; user guide "Drawing the evaluation
committee (agencies)"). The page is ui/agency/draw_page.py; every action there is a worker task over
bidclient.experts."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QEvent, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QScrollArea, QVBoxLayout, QWidget

from bidclient.signin import SignedIn
from ui.agency.draw_page import DrawPage
from ui.context import AppContext
from ui.error_view import plain_label
from ui.workspaces import WorkspaceSpec, register_workspace


class AgencyWorkspace(QWidget):
    sign_in_requested = Signal()

    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("agencyWorkspace")
        self.context = context
        self.heading = QLabel(self)
        self.heading.setStyleSheet("font-size: 16pt; font-weight: bold;")
        self.who = plain_label(self, name="agencyWho")
        self.sign_in_button = QPushButton(self)
        self.sign_in_button.setObjectName("agencySignIn")
        self.sign_in_button.clicked.connect(self.sign_in_requested)
        self.draw_page = DrawPage(context, self)
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.draw_page)
        top = QHBoxLayout()
        top.addWidget(self.heading)
        top.addWidget(self.who, 1)
        top.addWidget(self.sign_in_button)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(scroll, 1)
        context.session_changed.connect(lambda _s: self.retranslate())
        self.retranslate()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def retranslate(self) -> None:
        self.heading.setText(self.tr("Drawing the evaluation committee"))
        session: SignedIn | None = self.context.session
        if session is None:
            self.who.setText(self.tr("Not signed in: sign in with the agency's dongle."))
        else:
            self.who.setText(self.tr("Signed in as {name} ({code}).").format(
                name=session.enterprise_name, code=session.enterprise_code))
        self.sign_in_button.setVisible(session is None)
        self.sign_in_button.setText(self.tr("&Sign in with the dongle…"))
        self.sign_in_button.setAccessibleName(self.tr("Sign in with the dongle"))

    def can_close(self) -> bool:
        self.draw_page.stop()
        return True


register_workspace(WorkspaceSpec(
    role="agency",
    title=lambda: QCoreApplication.translate("Workspaces", "Agency"),
    factory=AgencyWorkspace,
))
