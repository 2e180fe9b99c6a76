"""The bidder workspace: from a fetched tender to a submitted, sealed bid with a verified receipt.

Five pages in the order of the work — tenders, forms, documents and links, seal, submit — over one
bid project (bidclient.bid_project), restored at start from QSettings (``bidder/project``). Token work,
sealing and uploading run on workers (ui.workers); the GUI thread never waits for them. Then My bids,
and the Opening tab (ui/bidder/opening_page.py): taking part in the remote opening of the tenders bid on; and
Clarifications (ui/bidder/clarifications_page.py): answering, signed, what an evaluation committee asks.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QCoreApplication, QEvent, Signal
from PySide6.QtWidgets import QTabWidget, QVBoxLayout, QWidget

from bidclient import bid_project as bp
from bidclient.my_bids import default_projects_root
from bidclient.signing import load_trust
from ui.bidder.clarifications_page import ClarificationsPage
from ui.bidder.common import SETTING_PROJECT
from ui.bidder.documents_page import DocumentsPage
from ui.bidder.forms_editor import FormsEditor
from ui.bidder.my_bids import DeadlineBadge, MyBidsView
from ui.bidder.opening_page import OpeningPage
from ui.bidder.seal_page import SealPage
from ui.bidder.submit_page import SubmitPage
from ui.bidder.tender_browser import TenderBrowser
from ui.bidder_home import BidderHome
from ui.context import AppContext
from ui.error_view import ErrorView
from ui.scroll_page import in_scroll_area
from ui.workspaces import WorkspaceSpec, register_workspace

TENDERS, FORMS, DOCUMENTS, SEAL, SUBMIT, MY_BIDS, OPENING, CLARIFICATIONS = range(8)


class BidderWorkspace(QWidget):
    sign_in_requested = Signal()
    doctor_requested = Signal()
    trust_list_requested = Signal()

    def __init__(self, context: AppContext, parent: QWidget | None = None, *,
                 projects_root: Path | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("bidderWorkspace")
        self.context = context
        self.root = projects_root or default_projects_root()
        self.project: bp.BidProject | None = None

        # The start panel (sign in, check the dongle) stays on top: the first things to do.
        self.home = BidderHome(context, self)
        self.home.sign_in_requested.connect(self.sign_in_requested)
        self.home.doctor_requested.connect(self.doctor_requested)
        self.heading, self.who = self.home.heading, self.home.who
        self.sign_in_button, self.doctor_button = self.home.sign_in_button, self.home.doctor_button
        self.error_view = ErrorView(self)

        self.tabs = QTabWidget(self)
        self.tabs.setObjectName("bidderSteps")
        self.browser = TenderBrowser(context, self.root, self.tabs)
        self.forms = FormsEditor(self.tabs)
        self.documents = DocumentsPage(self.tabs)
        self.seal_page = SealPage(context, self.tabs)
        self.submit_page = SubmitPage(context, self.tabs)
        for page in (self.browser, self.forms, self.documents, self.seal_page, self.submit_page):
            self.tabs.addTab(self._scrolled(page), "")
        self.my_bids = MyBidsView(context, self.root, self.tabs)
        self.my_bids.open_requested.connect(self.open_project_folder)
        self.tabs.addTab(self.my_bids, "")
        self.opening_page = OpeningPage(context, self.tabs)
        self.tabs.addTab(self._scrolled(self.opening_page), "")
        self.clarifications_page = ClarificationsPage(context, self.tabs)
        self.tabs.addTab(self._scrolled(self.clarifications_page), "")
        self.deadline_badge = DeadlineBadge(context, lambda: self.project, self)
        self.tabs.currentChanged.connect(self._page_changed)
        self.browser.project_opened.connect(self._project_fetched)
        self.browser.trust_list_needed.connect(self.trust_list_requested)
        self.forms.changed.connect(self._project_edited)
        self.documents.changed.connect(self._project_edited)
        self.seal_page.sealed.connect(lambda _r: self._after_seal())
        self.submit_page.replace_requested.connect(lambda: self.tabs.setCurrentIndex(SEAL))
        context.session_changed.connect(self._session_changed)

        layout = QVBoxLayout(self)
        layout.addWidget(self.home)
        layout.addWidget(self.error_view)
        layout.addWidget(self.deadline_badge)
        layout.addWidget(self.tabs, 1)
        self.retranslate()
        self.restore_project()
        self._session_changed(context.session)

    def _scrolled(self, page: QWidget) -> QWidget:
        """The page in a scroll area: on a small screen (1366×768) the page scrolls; it never makes the
        window larger than the screen, nor wider when another tab is chosen."""
        if page in (self.submit_page, self.forms, self.documents):
            return page  # these scroll by themselves (the documents page's reader must keep its width)
        return in_scroll_area(page, self.tabs)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def retranslate(self) -> None:
        titles = [self.tr("1 Tenders"), self.tr("2 Forms (投标函, 开标一览表)"), self.tr("3 Documents and links"),
                  self.tr("4 Seal"), self.tr("5 Submit and receipt")]
        for index, title in enumerate(titles):
            self.tabs.setTabText(index, title)
        self.tabs.setTabText(MY_BIDS, self.tr("My bids"))
        self.tabs.setTabText(OPENING, self.tr("Opening (开标)"))
        self.tabs.setTabText(CLARIFICATIONS, self.tr("Clarifications (澄清)"))
        self.tabs.setAccessibleName(self.tr("Steps of the bid"))
        self._update_tabs()

    # --- the project ---

    def restore_project(self) -> None:
        """Reopen the draft used last (verified again); a broken draft is reported, not fatal."""
        saved = str(self.context.settings.value(SETTING_PROJECT, "") or "")
        if not saved or not (Path(saved) / bp.PROJECT_FILE).is_file():
            return
        try:
            trust_list = load_trust([])
        except Exception:
            trust_list = None  # no trust list configured: integrity only, as the CLI does
        try:
            self.set_project(bp.open_project(Path(saved), trust_list=trust_list))
        except Exception as ex:
            self.error_view.show_error(ex)

    def open_project_folder(self, directory: Path) -> None:
        """Open a draft chosen in My bids (verified again) on the Tenders page."""
        try:
            trust_list = load_trust([])
        except Exception:
            trust_list = None  # no trust list configured: integrity only, as the CLI does
        try:
            self.set_project(bp.open_project(directory, trust_list=trust_list))
        except Exception as ex:
            self.error_view.show_error(ex)
            return
        self.tabs.setCurrentIndex(SUBMIT if self.project and self.project.sealed else TENDERS)

    def set_project(self, project: bp.BidProject | None) -> None:
        self.project = project
        if project is not None:
            self.context.settings.setValue(SETTING_PROJECT, str(project.directory))
        self.browser.show_project(project)
        self.forms.set_project(project)
        self.documents.set_project(project)
        self.seal_page.set_project(project)
        self.submit_page.set_project(project)
        self.deadline_badge.tick()
        self._update_tabs()

    def _project_fetched(self, project: bp.BidProject, changes: bp.TenderChanges | None) -> None:
        self.set_project(project)
        if changes is not None and not changes.empty:
            self.tabs.setCurrentIndex(DOCUMENTS)  # the changes and the links to re-check are shown there

    def _project_edited(self) -> None:
        self.seal_page.project_changed()

    def _after_seal(self) -> None:
        self.submit_page.set_project(self.project)
        self._update_tabs()

    def _update_tabs(self) -> None:
        has = self.project is not None
        for index in (FORMS, DOCUMENTS, SEAL):
            self.tabs.setTabEnabled(index, has)
        self.tabs.setTabEnabled(SUBMIT, has and self.project is not None and self.project.sealed is not None)

    def _page_changed(self, index: int) -> None:
        if index == SEAL:
            self.seal_page.refresh()
        elif index == SUBMIT:
            self.submit_page.refresh()
        elif index == DOCUMENTS:
            self.documents.refresh()
        elif index == MY_BIDS:
            self.my_bids.refresh()
        elif index == OPENING:
            self.opening_page.refresh()
        elif index == CLARIFICATIONS:
            self.clarifications_page.refresh()

    def _session_changed(self, session: object) -> None:
        self.home.explanation.setVisible(session is None)

    # --- main window hooks ---

    def workspace_activated(self) -> None:
        self._page_changed(self.tabs.currentIndex())

    def time_zone_changed(self) -> None:
        """The user chose another zone to show times in (View menu)."""
        self.browser.retranslate()
        self.seal_page.refresh()
        self.submit_page.refresh()
        self.my_bids.show_entries()
        self.opening_page.retranslate()
        self.clarifications_page.retranslate()
        self.deadline_badge.tick()

    @property
    def busy(self) -> bool:
        return (self.browser.busy or self.seal_page.busy or self.submit_page.busy or self.my_bids.busy
                or self.opening_page.busy or self.clarifications_page.busy)

    def can_close(self) -> bool:
        """Stop what runs: an upload resumes next time; a cancelled seal leaves nothing behind."""
        self.forms.save()
        self.seal_page.cancel()
        self.submit_page.cancel()
        self.opening_page.stop()
        return True


register_workspace(WorkspaceSpec(
    role="bidder",
    title=lambda: QCoreApplication.translate("Workspaces", "Bidder"),
    factory=BidderWorkspace,
))
