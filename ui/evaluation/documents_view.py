"""The tender and a bid side by side, each in the in-app PDF reader (with search). The tender's documents
come from the server (signature and documents verified); the opened bids come from the platform too ("Get
the bids from the platform": the expert's dongle opens the keys the opening host handed over, and every bid
is verified before it is listed, bidclient.evaluation.bids), kept in the session's local folder and listed
again when the session is opened; a bid's folder can still be opened by hand as a fallback. The bidder's
criterion → page links (its manifest.json) jump to the right page. Signals for what needs a job; the page
runs them, except getting the bids, which runs its own ``ui.workers.Task`` once ``attach`` gave it the app's
context."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import shiboken6
from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QListWidget,
    QListWidgetItem,
    QProgressBar,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from bidclient.evaluation import bids as platform_bids
from bidclient.evaluation.desk import BidDocuments
from bidclient.protocol.evaluation_session import SessionOut
from ui.error_view import plain_label
from ui.pdf_viewer import PdfViewer
from ui.workers import Task, TaskContext, start


class DocumentsView(QWidget):
    bid_folder_chosen = Signal(str, str)  # bid id, folder

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.tender_files = QComboBox(self)
        self.tender_files.currentIndexChanged.connect(self._show_tender_file)
        self.tender_viewer = PdfViewer(self)
        self.tender_state = plain_label(self, name="tenderDocumentsState")
        self.bid = QComboBox(self)
        self.bid.currentIndexChanged.connect(self._show_bid)
        self.open_bid_button = QPushButton(self)
        self.open_bid_button.clicked.connect(self._choose_folder)
        self.fetch_button = QPushButton(self)
        self.fetch_button.clicked.connect(self.fetch_bids)
        self.fetch_progress = QProgressBar(self)
        self.fetch_progress.setVisible(False)
        self.fetch_state = plain_label(self, name="bidFetchState")
        self.fetch_state.setWordWrap(True)
        self.bid_files = QComboBox(self)
        self.bid_files.currentIndexChanged.connect(self._show_bid_file)
        self.links = QListWidget(self)
        self.links.setMaximumHeight(90)
        self.links.itemActivated.connect(self._follow)
        self.links.itemClicked.connect(self._follow)
        self.bid_viewer = PdfViewer(self)
        self.bid_state = plain_label(self, name="bidDocumentsState")
        left = QWidget(self)
        column = QVBoxLayout(left)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.tender_files)
        column.addWidget(self.tender_state)
        column.addWidget(self.tender_viewer, 1)
        right = QWidget(self)
        column = QVBoxLayout(right)
        column.setContentsMargins(0, 0, 0, 0)
        row = QHBoxLayout()
        row.addWidget(self.bid, 1)
        row.addWidget(self.fetch_button)
        row.addWidget(self.open_bid_button)
        column.addLayout(row)
        column.addWidget(self.fetch_progress)
        column.addWidget(self.fetch_state)
        column.addWidget(self.bid_files)
        column.addWidget(self.links)
        column.addWidget(self.bid_state)
        column.addWidget(self.bid_viewer, 1)
        splitter = QSplitter(Qt.Orientation.Horizontal, self)
        splitter.addWidget(left)
        splitter.addWidget(right)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(splitter)
        self.bid_documents: dict[str, BidDocuments] = {}
        self.context: Any = None  # ui.context.AppContext, given by attach()
        self.session_id = ""
        self.fetch_task: Task | None = None
        self._failures: tuple[platform_bids.FetchedBid, ...] = ()
        self._received: int | None = None  # bids verified at the last fetch, for the line that says so
        self.retranslate()

    def attach(self, context: Any) -> None:
        """The app's context (client, signed-in dongle, PIN prompter): getting the bids needs it."""
        self.context = context

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def retranslate(self) -> None:
        self.tender_files.setAccessibleName(self.tr("Tender document"))
        self.bid.setAccessibleName(self.tr("Bid to read"))
        self.open_bid_button.setText(self.tr("Open the bid's folder…"))
        self.open_bid_button.setAccessibleName(self.tr("Open the folder of the opened bid"))
        self.fetch_button.setText(self.tr("Get the bids from the platform"))
        self.fetch_button.setAccessibleName(self.tr("Get the opened bids from the platform"))
        self.fetch_button.setToolTip(self.tr("Download the bids the opening host handed to the committee, open "
                                             "them with your dongle and verify every file before they are listed."))
        self.fetch_progress.setAccessibleName(self.tr("Bids received"))
        self._show_failures()
        self.bid_files.setAccessibleName(self.tr("Bid document"))
        self.links.setAccessibleName(self.tr("Where the bid answers each criterion"))
        self._state_text()

    def _state_text(self) -> None:
        documents = self.bid_documents.get(str(self.bid.currentData() or ""))
        if documents is None:
            self.bid_state.setText(self.tr("Get the bids from the platform to read this bid here (or open its "
                                           "folder)."))
        else:
            self.bid_state.setText("" if documents.files else self.tr("This folder holds no PDF."))

    def load_session(self, session: SessionOut) -> None:
        self.bid.blockSignals(True)
        self.bid.clear()
        for b in session.definition.bids:
            self.bid.addItem(f"{b.name} ({b.id})", b.id)
        self.bid.blockSignals(False)
        if session.id != self.session_id:
            self.session_id = session.id
            self.bid_documents = {}
            self._failures = ()
            self._received = None
            self._show_failures()
            self._start(lambda _ctx: platform_bids.local_documents(session.id), "evaluation-local-bids")
        self._show_bid()

    # --- the bids from the platform ---

    def fetch_bids(self) -> None:
        """Get the bids handed over to the signed-in expert (one PIN), verified, into the session's folder."""
        context = self.context
        client = context.client() if context is not None else None
        if client is None or context.session is None or context.pin_source is None or not self.session_id:
            return
        session_id, sha, prompter = self.session_id, context.session.certificate_sha256, context.pin_source
        self.fetch_button.setEnabled(False)
        self.fetch_progress.setRange(0, 0)
        self.fetch_progress.setVisible(True)
        self.fetch_state.setText(self.tr("Getting the bids from the platform…"))
        self.fetch_task = self._start(lambda ctx: platform_bids.fetch_for_view(
            client, session_id, sha, prompter, progress=ctx.progress, cancel=ctx.cancelled), "evaluation-fetch-bids",
            fetching=True)

    def _start(self, job: Any, name: str, *, fetching: bool = False) -> Task:
        def job_(ctx: TaskContext) -> Any:
            return job(ctx)

        task = Task(job_, name=name)
        session_id = self.session_id

        def done(result: object) -> None:
            if shiboken6.isValid(self) and session_id == self.session_id:
                assert isinstance(result, platform_bids.ViewBids)
                self.show_bids(result, fetched=fetching)

        def failed(error: BaseException) -> None:
            if shiboken6.isValid(self) and fetching:
                from bidclient.errors import describe

                self._fetch_done()
                self.fetch_state.setText(describe(error).render())

        task.signals.succeeded.connect(done)
        task.signals.failed.connect(failed)
        if fetching:
            task.signals.progress.connect(self._fetch_progress)
        return start(task)

    def _fetch_progress(self, done: int, total: int) -> None:
        if shiboken6.isValid(self) and total:
            self.fetch_progress.setRange(0, total)
            self.fetch_progress.setValue(done)

    def _fetch_done(self) -> None:
        self.fetch_button.setEnabled(True)
        self.fetch_progress.setVisible(False)
        self.fetch_task = None

    def show_bids(self, found: platform_bids.ViewBids, *, fetched: bool = False) -> None:
        """List the verified bids of the platform; after a fetch, say what failed."""
        if fetched:
            self._fetch_done()
            self._failures = found.failures
            self._received = len(found.documents)
        for bid, documents in found.documents.items():
            self.bid_documents[bid] = documents
        self._show_failures()
        self._show_bid()

    def _show_failures(self) -> None:
        from bidclient.errors import catalogue

        if not self._failures:
            if self._received is not None:
                self.fetch_state.setText(self.tr("%n bid(s) received and verified.", "", self._received))
            return
        known = catalogue()
        lines = [self.tr("%1: %2 (%3)").replace("%1", f.bidder).replace(
            "%2", known.get(f.failure_code or "", ("", ""))[0]).replace("%3", f.failure_detail[:300])
            for f in self._failures]
        self.fetch_state.setText("\n".join(lines))

    def set_tender_files(self, files: list[Path]) -> None:
        self.tender_files.clear()
        for path in files:
            self.tender_files.addItem(path.name, str(path))
        self.tender_state.setText("" if files else self.tr("The tender has no PDF document."))

    def set_tender_error(self, message: str) -> None:
        self.tender_state.setText(message)

    def _show_tender_file(self) -> None:
        data = self.tender_files.currentData()
        if data:
            self.tender_viewer.open(Path(str(data)))

    def _choose_folder(self) -> None:
        bid = str(self.bid.currentData() or "")
        if not bid:
            return
        folder = QFileDialog.getExistingDirectory(self, self.tr("The folder of the opened bid"))
        if folder:
            self.bid_folder_chosen.emit(bid, folder)

    def set_bid_documents(self, bid: str, documents: BidDocuments) -> None:
        self.bid_documents[bid] = documents
        if str(self.bid.currentData() or "") == bid:
            self._show_bid()

    def _show_bid(self) -> None:
        bid = str(self.bid.currentData() or "")
        documents = self.bid_documents.get(bid)
        self.bid_files.blockSignals(True)
        self.bid_files.clear()
        self.links.clear()
        self._state_text()
        if documents is None:
            self.bid_files.blockSignals(False)
            self.bid_viewer.close_document()
            return
        for path in documents.files:
            self.bid_files.addItem(str(path.relative_to(documents.folder)), str(path))
        self.bid_files.blockSignals(False)
        for link in documents.links:
            item = QListWidgetItem(self.tr("%1 → %2, page %3").replace("%1", link.criterion)
                                   .replace("%2", link.file.name).replace("%3", str(link.page)))
            item.setData(Qt.ItemDataRole.UserRole, (str(link.file), link.page))
            self.links.addItem(item)
        self.links.setVisible(bool(documents.links))
        self._show_bid_file()

    def _show_bid_file(self) -> None:
        data = self.bid_files.currentData()
        if data:
            self.bid_viewer.open(Path(str(data)))

    def _follow(self, item: QListWidgetItem) -> None:
        file, page = item.data(Qt.ItemDataRole.UserRole)
        index = self.bid_files.findData(file)
        if index >= 0 and index != self.bid_files.currentIndex():
            self.bid_files.blockSignals(True)
            self.bid_files.setCurrentIndex(index)
            self.bid_files.blockSignals(False)
        self.bid_viewer.open(Path(file), page=int(page))
