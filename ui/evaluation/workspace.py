"""The expert's workspace (评标专家): invitations to evaluation committees, the expert's own record, and the
evaluation sessions the expert scores in.

Tabs: Invitations (ui.evaluation.invitations_page), My record (ui.evaluation.record_page), Evaluation sessions
(ui.evaluation.sessions_page.SessionsPage). Everything the expert does runs on workers calling the core
(bidclient.experts.ExpertsService; bidclient.evaluation.desk for the sessions).
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QEvent, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QTabWidget, QVBoxLayout, QWidget

from ui.context import AppContext
from ui.error_view import plain_label
from ui.evaluation.invitations_page import InvitationsPage
from ui.evaluation.record_page import RecordPage
from ui.evaluation.sessions_page import SessionsPage
from ui.scroll_page import in_scroll_area
from ui.workspaces import WorkspaceSpec, register_workspace

INVITATIONS, RECORD, SESSIONS = range(3)


class ExpertWorkspace(QWidget):
    sign_in_requested = Signal()

    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("expertWorkspace")
        self.context = context

        self.heading = QLabel(self)
        self.heading.setStyleSheet("font-weight: bold; font-size: 14pt;")
        self.who = plain_label(self, name="expertWho")
        self.sign_in_button = QPushButton(self)
        self.sign_in_button.setObjectName("expertSignIn")
        self.sign_in_button.clicked.connect(self.sign_in_requested)
        self.tabs = QTabWidget(self)
        self.tabs.setObjectName("expertPages")
        self.invitations = InvitationsPage(context, self.tabs)
        self.record = RecordPage(context, self.tabs)
        self.sessions = SessionsPage(context, self.tabs)
        self._add_pages()
        self.tabs.currentChanged.connect(self._page_changed)
        context.session_changed.connect(self._session_changed)

        top = QHBoxLayout()
        top.addWidget(self.heading)
        top.addWidget(self.who, 1)
        top.addWidget(self.sign_in_button)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.tabs, 1)
        self.retranslate()
        self._session_changed(context.session, load=False)

    def _add_pages(self) -> None:
        for page in (self.invitations, self.record, self.sessions):  # no page may outgrow a small screen
            self.tabs.addTab(in_scroll_area(page, self.tabs), "")

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def retranslate(self) -> None:
        self.heading.setText(self.tr("Expert"))
        self.sign_in_button.setText(self.tr("&Sign in with your dongle…"))
        self.sign_in_button.setAccessibleName(self.tr("Sign in with your dongle"))
        self.tabs.setTabText(INVITATIONS, self.tr("Invitations"))
        self.tabs.setTabText(RECORD, self.tr("My record"))
        self.tabs.setTabText(SESSIONS, self.tr("Evaluation sessions"))
        self.tabs.setAccessibleName(self.tr("Pages of the expert's workspace"))
        self._show_who()

    def _show_who(self) -> None:
        session = self.context.session
        if session is None:
            self.who.setText(self.tr("Not signed in. Experts sign in with their own CA dongle."))
        else:
            self.who.setText(self.tr("Signed in as {name}").format(name=session.account.person
                                                                    or session.account.identity_key))

    def _session_changed(self, session: object, load: bool = True) -> None:
        self.sign_in_button.setVisible(session is None)
        self._show_who()
        if load and self.isVisible():
            self._page_changed(self.tabs.currentIndex())
        elif session is None:
            self.invitations.refresh()
            self.record.refresh()

    def _page_changed(self, index: int) -> None:
        if index == INVITATIONS:
            self.invitations.refresh()
        elif index == RECORD:
            self.record.refresh()
        elif index == SESSIONS and self.context.session is not None:
            self.sessions.refresh()

    # --- main window hooks ---

    def workspace_activated(self) -> None:
        self._page_changed(self.tabs.currentIndex())

    def time_zone_changed(self) -> None:
        self.invitations.time_zone_changed()
        self.record.time_zone_changed()

    @property
    def busy(self) -> bool:
        return self.invitations.busy or self.record.busy or self.sessions.busy


register_workspace(WorkspaceSpec(
    role="expert",
    title=lambda: QCoreApplication.translate("Workspaces", "Expert"),
    factory=ExpertWorkspace,
))
