"""The tender and a bid side by side, each in the in-app PDF reader (with search). The tender's documents
come from the server (signature and documents verified); a bid is opened from its folder as handed over
after the opening, and the bidder's criterion → page links (its manifest.json) jump to the right page.
Signals for what needs a job; the page runs them."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from bidclient.evaluation.desk import BidDocuments
from bidclient.protocol.evaluation_session import SessionOut
from ui.error_view import plain_label
from ui.pdf_viewer import PdfViewer


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
        row.addWidget(self.open_bid_button)
        column.addLayout(row)
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
        self.retranslate()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def retranslate(self) -> None:
        self.tender_files.setAccessibleName(self.tr("Tender document"))
        self.bid.setAccessibleName(self.tr("Bid to read"))
        self.open_bid_button.setText(self.tr("Open the bid's folder…"))
        self.open_bid_button.setAccessibleName(self.tr("Open the folder of the opened bid"))
        self.bid_files.setAccessibleName(self.tr("Bid document"))
        self.links.setAccessibleName(self.tr("Where the bid answers each criterion"))
        self._state_text()

    def _state_text(self) -> None:
        documents = self.bid_documents.get(str(self.bid.currentData() or ""))
        if documents is None:
            self.bid_state.setText(self.tr("Open the bid's folder (as handed over after the opening) to read it "
                                           "here."))
        else:
            self.bid_state.setText("" if documents.files else self.tr("This folder holds no PDF."))

    def load_session(self, session: SessionOut) -> None:
        self.bid.blockSignals(True)
        self.bid.clear()
        for b in session.definition.bids:
            self.bid.addItem(f"{b.name} ({b.id})", b.id)
        self.bid.blockSignals(False)
        self._show_bid()

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
