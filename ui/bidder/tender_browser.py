"""Tenders on the server: list them, fetch one (signature and documents verified), see its version,
requirements and scoring criteria, and read its documents.

Documents open in the app's own reader (ui.pdf_viewer, PDFium: PySide6's wheels have no QtPdf), beside
the tender; the system's PDF viewer stays available as a second choice. They were verified against the
signed definition when fetched.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QEvent, Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from bidclient import bid_project as bp
from bidclient import tender_package as tp
from bidclient import timefmt
from bidclient.api_client import ApiClient
from bidclient.atomic import write_atomically
from bidclient.errors import BidclientError
from bidclient.protocol.tender import TenderSummary
from bidclient.signing import load_trust
from ui.bidder.common import short_time
from ui.context import AppContext
from ui.error_view import ErrorView, plain_label
from ui.pdf_viewer import PdfViewer
from ui.status_line import StatusLine
from ui.workers import Task, TaskContext, start


def fetch_into_project(client: ApiClient, tender_id: str, root: Path, bidder_name: str
                       ) -> tuple[bp.BidProject, bp.TenderChanges | None]:
    """Worker side: fetch the current version (if not fetched yet) and create or update the project."""
    trust_list = load_trust([])
    directory = root / tender_id
    current = tp.get_tender(client, tender_id).current_version
    folder = directory / f"tender-v{current}"
    if not folder.exists():
        tp.fetch(client, tender_id, folder, version=current, trust_list=trust_list)
    if not (directory / bp.PROJECT_FILE).exists():
        return bp.create_project(directory, folder, trust_list=trust_list, bidder_name=bidder_name), None
    project = bp.open_project(directory, trust_list=trust_list)
    changes = None
    if project.definition.version != current:
        changes = project.update_tender(folder, trust_list=trust_list)
        project.save()
    return project, changes


class TenderBrowser(QWidget):
    project_opened = Signal(object, object)  # BidProject, TenderChanges | None
    trust_list_needed = Signal()  # a fetch failed for want of a trust list: offer the platform's

    def __init__(self, context: AppContext, root: Path, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("tenderBrowser")
        self.context = context
        self.root = root
        self.tenders: list[TenderSummary] = []
        self.project: bp.BidProject | None = None
        self._task: Task | None = None

        self.heading = QLabel(self)
        self.refresh_button = QPushButton(self)
        self.refresh_button.setObjectName("refreshTenders")
        self.refresh_button.clicked.connect(self.refresh)
        self.table = QTableWidget(0, 5, self)
        self.table.verticalHeader().setVisible(False)  # no row numbers: no unnamed corner button
        self.table.setObjectName("tenderTable")
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        for column in (0, 2, 3):  # the tender number, version and deadline are read whole, never cut
            self.table.horizontalHeader().setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        self.table.doubleClicked.connect(lambda _i: self.fetch_selected())
        self.fetch_button = QPushButton(self)
        self.fetch_button.setObjectName("fetchTender")
        self.fetch_button.clicked.connect(self.fetch_selected)
        self.status = plain_label(self, name="tenderStatus")
        self.status_line = StatusLine(self.status)
        self.error_view = ErrorView(self)

        self.detail_title = plain_label(self, name="tenderTitle")
        self.detail_title.setStyleSheet("font-weight: bold; font-size: 13pt;")
        self.detail = plain_label(self, name="tenderDetail")
        self.detail.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.criteria_label = QLabel(self)
        self.criteria = QTableWidget(0, 3, self)
        self.criteria.verticalHeader().setVisible(False)  # no row numbers: no unnamed corner button
        self.criteria.setObjectName("tenderCriteria")
        self.criteria.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.criteria.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.documents_label = QLabel(self)
        self.documents = QListWidget(self)
        self.documents.setObjectName("tenderDocuments")
        # A few lines are enough for the documents: the criteria table takes the height (it showed 1.6 rows).
        self.documents.setMaximumHeight(4 * self.documents.fontMetrics().lineSpacing() + 16)
        self.documents.itemActivated.connect(self._open_item)
        self.open_button = QPushButton(self)
        self.open_button.setObjectName("openDocument")
        self.open_button.clicked.connect(lambda: self._open_item(self.documents.currentItem()))
        self.system_button = QPushButton(self)
        self.system_button.setObjectName("openDocumentExternally")
        self.system_button.clicked.connect(lambda: self._open_externally(self.documents.currentItem()))
        self.external_path: Path | None = None
        self.external_problem = plain_label(self, name="externalViewerProblem")
        self.external_problem.setStyleSheet("color: #b00020;")
        self.external_problem.setVisible(False)
        self.save_copy_button = QPushButton(self)
        self.save_copy_button.setObjectName("saveDocumentCopy")
        self.save_copy_button.setVisible(False)
        self.save_copy_button.clicked.connect(self.choose_copy_target)
        self.viewer_note = plain_label(self, name="viewerNote")
        self.viewer_note.setStyleSheet("color: #555;")

        top = QHBoxLayout()
        top.addWidget(self.heading, 1)
        top.addWidget(self.refresh_button)
        top.addWidget(self.fetch_button)
        left = QWidget(self)
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addLayout(top)
        left_layout.addWidget(self.table, 1)
        left_layout.addWidget(self.status)
        left_layout.addWidget(self.error_view)
        right = QWidget(self)
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.addWidget(self.detail_title)
        right_layout.addWidget(self.detail)
        right_layout.addWidget(self.criteria_label)
        right_layout.addWidget(self.criteria, 2)  # every criterion in view, not one and a half
        right_layout.addWidget(self.documents_label)
        right_layout.addWidget(self.documents, 1)
        doc_row = QHBoxLayout()
        doc_row.addWidget(self.open_button)
        doc_row.addWidget(self.system_button)
        right_layout.addLayout(doc_row)
        copy_row = QHBoxLayout()
        copy_row.addWidget(self.external_problem, 1)
        copy_row.addWidget(self.save_copy_button)
        right_layout.addLayout(copy_row)
        right_layout.addWidget(self.viewer_note)
        # The reader takes a third pane once a document is opened: the tender stays in view beside it.
        self.viewer = PdfViewer(self)
        self.viewer.setVisible(False)
        splitter = QSplitter(self)
        self.splitter = splitter
        splitter.addWidget(left)
        splitter.addWidget(right)
        splitter.addWidget(self.viewer)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        splitter.setStretchFactor(2, 4)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(splitter)
        self.retranslate()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def retranslate(self) -> None:
        self.heading.setText(self.tr("Tenders open on the server"))
        self.refresh_button.setText(self.tr("&Refresh"))
        self.refresh_button.setAccessibleName(self.tr("Refresh the list of tenders"))
        self.fetch_button.setText(self.tr("&Fetch and prepare a bid"))
        self.fetch_button.setAccessibleName(self.tr("Fetch the selected tender and prepare a bid"))
        self.table.setAccessibleName(self.tr("Tenders"))
        self.table.setHorizontalHeaderLabels([self.tr("Tender"), self.tr("Title"), self.tr("Version"),
                                              self.tr("Deadline ({zone})").format(
                                                  zone=timefmt.current_zone_label()), self.tr("Agency")])
        self.criteria_label.setText(self.tr("Scoring criteria (评分点)"))
        self.criteria.setAccessibleName(self.tr("Scoring criteria"))
        self.criteria.setHorizontalHeaderLabels([self.tr("Criterion"), self.tr("Weight %"), self.tr("Kind")])
        self.documents_label.setText(self.tr("Tender documents"))
        self.documents.setAccessibleName(self.tr("Tender documents"))
        self.open_button.setText(self.tr("&Open document"))
        self.open_button.setAccessibleName(self.tr("Open the selected tender document in the app"))
        self.save_copy_button.setText(self.tr("Save a copy…"))
        self.save_copy_button.setAccessibleName(self.tr("Save a copy of the tender document"))
        self.system_button.setText(self.tr("Open in system viewer"))
        self.system_button.setAccessibleName(self.tr("Open the selected tender document in the system's "
                                                     "PDF viewer"))
        self.viewer_note.setText(self.tr("The documents were checked against the agency's signature when "
                                         "fetched."))
        self.status_line.retranslate()
        self._fill_table()
        self.show_project(self.project)

    # --- listing ---

    @property
    def busy(self) -> bool:
        return self._task is not None

    def refresh(self) -> None:
        client = self.context.client()
        if client is None:
            self.status_line.set(lambda: self.tr("Sign in to see the tenders."))
            return
        if self._task is not None:
            return
        self.error_view.clear()
        self.status_line.set(lambda: self.tr("Asking the server…"))
        task = Task(lambda _ctx: tp.list_tenders(client).tenders, name="list-tenders")
        task.signals.succeeded.connect(self._listed)
        self._run(task)

    def _run(self, task: Task) -> None:
        self.refresh_button.setEnabled(False)
        self.fetch_button.setEnabled(False)
        task.signals.failed.connect(self._failed)
        task.signals.finished.connect(self._done)
        self._task = start(task)

    def _done(self) -> None:
        self._task = None
        self.refresh_button.setEnabled(True)
        self.fetch_button.setEnabled(True)

    def _failed(self, error: BaseException) -> None:
        self.status_line.clear()
        self.error_view.show_error(error)
        if getattr(error, "code", "") == "trust.no_trust_list":
            self.trust_list_needed.emit()

    def _listed(self, tenders: list[TenderSummary]) -> None:
        self.tenders = tenders
        self._fill_table()
        if tenders and self.table.currentRow() < 0:
            self.table.selectRow(0)
        self.status_line.set(lambda: self.tr("{count} tender(s).").format(count=len(tenders)))

    def _fill_table(self) -> None:
        """The listed tenders; filled again on a language or time zone change (the zone's name is shown)."""
        tenders = self.tenders
        self.table.setRowCount(len(tenders))
        for row, t in enumerate(tenders):
            cells = [t.tender_id, t.title, str(t.current_version),
                     timefmt.format_time(t.bid_deadline, named=False), t.agency_name or ""]
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)  # a table item shows text literally
                self.table.setItem(row, column, item)

    def select_tender(self, tender_id: str) -> None:
        for row, t in enumerate(self.tenders):
            if t.tender_id == tender_id:
                self.table.selectRow(row)
                return
        raise KeyError(tender_id)

    # --- fetching ---

    def fetch_selected(self) -> None:
        row = self.table.currentRow()
        session = self.context.session
        if row < 0 or row >= len(self.tenders) or session is None or self._task is not None:
            return
        tender_id = self.tenders[row].tender_id
        self.error_view.clear()
        self.status_line.set(lambda: self.tr("Fetching {tender} and checking its signature…").format(tender=tender_id))
        root, name, client = self.root, session.enterprise_name, session.client

        def job(_ctx: TaskContext) -> tuple[bp.BidProject, bp.TenderChanges | None]:
            return fetch_into_project(client, tender_id, root, name)

        task = Task(job, name="fetch-tender")
        task.signals.succeeded.connect(self._fetched)
        self._run(task)

    def _fetched(self, result: tuple[bp.BidProject, bp.TenderChanges | None]) -> None:
        project, changes = result
        self.status_line.set(lambda: self.tr("Fetched version {version}; signature and documents verified.").format(
            version=project.definition.version))
        self.project_opened.emit(project, changes)

    # --- detail ---

    def show_project(self, project: bp.BidProject | None) -> None:
        self.project = project
        if project is None:
            self.detail_title.setText(self.tr("No tender chosen yet"))
            self.detail.setText(self.tr("Choose a tender on the left and fetch it. Its signature and documents "
                                        "are checked before anything is shown."))
            self.criteria.setRowCount(0)
            self.documents.clear()
            self._documents_listed()
            return
        d = project.definition
        signer = project.tender.signer
        signed_by = signer.identity.display_name() if signer is not None else d.agency.name
        self.detail_title.setText(d.title)
        self.detail.setText(self.tr(
            "Tender {tender}, version {version}\nSigned by {agency}: signature verified\n"
            "Bid deadline: {deadline} (server time)\nOpening: {opening}\nLots: {lots}").format(
            tender=d.tender_id, version=d.version, agency=signed_by,
            deadline=timefmt.format_time(d.bid_deadline), opening=timefmt.format_time(d.opening_time),
            lots="; ".join(lot.name for lot in d.lots)))
        self.criteria.setRowCount(len(d.scoring.criteria))
        for row, c in enumerate(d.scoring.criteria):
            kind = self.tr("price (formula)") if c.price else (
                self.tr("objective") if c.kind == "objective" else self.tr("subjective"))
            for column, text in enumerate((c.name, f"{c.weight:g}", kind)):
                self.criteria.setItem(row, column, QTableWidgetItem(text))
        self.documents.clear()
        for path in project.tender.document_paths:
            item = QListWidgetItem(path.name)
            item.setData(Qt.ItemDataRole.UserRole, str(path))
            self.documents.addItem(item)
        if self.documents.count():
            self.documents.setCurrentRow(0)
        self._documents_listed()

    def _documents_listed(self) -> None:
        has = self.documents.count() > 0
        self.open_button.setEnabled(has)
        self.system_button.setEnabled(has)
        shown = self.viewer.path
        listed = {str(self.documents.item(i).data(Qt.ItemDataRole.UserRole)) for i in range(self.documents.count())}
        if shown is not None and str(shown) not in listed:  # another tender or version: close its document
            self.viewer.close_document()
            self.viewer.setVisible(False)

    def _open_item(self, item: Any) -> None:
        """Read the document in the app's viewer, which opens beside the tender."""
        if not isinstance(item, QListWidgetItem):
            return
        first = not self.viewer.isVisible()
        self.viewer.setVisible(True)
        if first:  # give the reader half of the width; the user may drag the splitter
            total = sum(self.splitter.sizes())
            self.splitter.setSizes([total // 4, total // 4, total - 2 * (total // 4)])
        self.viewer.open(Path(str(item.data(Qt.ItemDataRole.UserRole))))

    def _open_externally(self, item: Any) -> None:
        """Hand the document to the system's PDF viewer; where none can be started, say so and offer
        to save a copy (to open with a reader of the clerk's choice, or to send on)."""
        if not isinstance(item, QListWidgetItem):
            return
        path = Path(str(item.data(Qt.ItemDataRole.UserRole)))
        self.external_path = path
        opened = QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))
        self.external_problem.setText("" if opened else self.tr(
            "No program to open {name} was found on this computer. Read it here with \"Open document\", or save "
            "a copy and open it with a PDF reader of your choice.").format(name=path.name))
        self.external_problem.setVisible(not opened)
        self.save_copy_button.setVisible(not opened)

    def choose_copy_target(self) -> None:
        if self.external_path is None:
            return
        target, _filter = QFileDialog.getSaveFileName(self, self.tr("Save a copy of the tender document"),
                                                      str(Path.home() / self.external_path.name),
                                                      self.tr("PDF files (*.pdf)"))
        if target:
            self.save_copy(Path(target))

    def save_copy(self, target: Path) -> None:
        """Copy the document shown in the system-viewer notice to ``target`` (replaced atomically)."""
        if self.external_path is None:
            return
        self.error_view.clear()
        try:
            write_atomically(target, self.external_path.read_bytes(), overwrite=True)
        except OSError as ex:
            self.error_view.show_error(BidclientError(f"{target}: {ex.strerror or ex}", code="io.error"))
            return
        self.external_problem.setText(self.tr("Saved a copy as {path}.").format(path=str(target)))
        self.save_copy_button.setVisible(False)


__all__ = ["TenderBrowser", "fetch_into_project", "short_time"]
