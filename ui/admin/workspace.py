"""The administrator's workspace for the expert pool (专家库管理): the pool table with filters, status changes
and history (ui.admin.pool_page), CSV import and export (ui.admin.transfer_page), and the specialty codes
(ui.admin.specialties_page). Every request is a worker calling bidclient.experts.ExpertsService; the server
checks the administrator's role on each."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QEvent, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QTabWidget, QVBoxLayout, QWidget

from ui.admin.pool_page import PoolPage
from ui.admin.specialties_page import SpecialtiesPage
from ui.admin.transfer_page import TransferPage
from ui.context import AppContext
from ui.error_view import plain_label
from ui.scroll_page import in_scroll_area
from ui.workspaces import WorkspaceSpec, register_workspace

POOL, TRANSFER, SPECIALTIES = range(3)


class PoolAdminWorkspace(QWidget):
    sign_in_requested = Signal()

    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("poolAdminWorkspace")
        self.context = context
        self.heading = QLabel(self)
        self.heading.setStyleSheet("font-weight: bold; font-size: 14pt;")
        self.who = plain_label(self, name="poolAdminWho")
        self.sign_in_button = QPushButton(self)
        self.sign_in_button.setObjectName("poolAdminSignIn")
        self.sign_in_button.clicked.connect(self.sign_in_requested)
        self.tabs = QTabWidget(self)
        self.tabs.setObjectName("poolAdminPages")
        self.pool = PoolPage(context, self.tabs)
        self.transfer = TransferPage(context, self.tabs)
        self.specialties = SpecialtiesPage(context, self.tabs)
        for page in (self.pool, self.transfer, self.specialties):
            self.tabs.addTab(in_scroll_area(page, self.tabs), "")  # no page may outgrow a small screen
        self.specialties.changed.connect(self.pool.set_specialties)
        self.transfer.imported.connect(lambda _out: self.pool.search())
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

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def retranslate(self) -> None:
        self.heading.setText(self.tr("Expert pool"))
        self.sign_in_button.setText(self.tr("&Sign in with your dongle…"))
        self.sign_in_button.setAccessibleName(self.tr("Sign in with your dongle"))
        self.tabs.setTabText(POOL, self.tr("Pool"))
        self.tabs.setTabText(TRANSFER, self.tr("Import and export"))
        self.tabs.setTabText(SPECIALTIES, self.tr("Specialties"))
        self.tabs.setAccessibleName(self.tr("Pages of the expert pool"))
        self._show_who()

    def _show_who(self) -> None:
        session = self.context.session
        self.who.setText(self.tr("Not signed in. The pool is managed by the platform's administrator.")
                         if session is None else self.tr("Signed in as {name}").format(
                             name=session.enterprise_name or session.account.identity_key))

    def _session_changed(self, session: object, load: bool = True) -> None:
        self.sign_in_button.setVisible(session is None)
        self._show_who()
        if load and session is not None and self.isVisible():
            self.load()

    def load(self) -> None:
        """The specialties (for the filter) and the first page of the pool."""
        self.specialties.refresh()
        self.pool.search()

    def _page_changed(self, index: int) -> None:
        if index == SPECIALTIES and not self.specialties.specialties:
            self.specialties.refresh()

    # --- main window hooks ---

    def workspace_activated(self) -> None:
        if self.context.session is not None and not self.pool.listed:
            self.load()

    def time_zone_changed(self) -> None:
        self.pool.time_zone_changed()

    @property
    def busy(self) -> bool:
        return self.pool.busy or self.transfer.busy or self.specialties.busy


register_workspace(WorkspaceSpec(
    role="admin",
    title=lambda: QCoreApplication.translate("Workspaces", "Expert pool"),
    factory=PoolAdminWorkspace,
))
