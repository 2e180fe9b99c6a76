"""The whole bid before sealing: the bound 投标文件 as it will be sealed — contents, every page with its
page seal and 骑缝章 slice, the enterprise and legal representative's seals in place (never signed)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QEvent
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QVBoxLayout, QWidget

from ui.error_view import plain_label
from ui.pdf_viewer import PdfViewer


class BookPreviewDialog(QDialog):
    """Shows a forms.bid_book.BidBook drawn with ``preview=True``."""

    def __init__(self, book: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("bookPreviewDialog")
        self.book = book
        self.heading = QLabel(self)
        self.heading.setStyleSheet("font-weight: bold;")
        self.summary = plain_label(self, name="bookPreviewSummary")
        self.viewer = PdfViewer(self)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addWidget(self.summary)
        layout.addWidget(self.viewer, 1)
        layout.addWidget(self.buttons)
        self.resize(900, 700)
        self.retranslate()
        self.viewer.open(book.path)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def retranslate(self) -> None:
        book = self.book
        self.setWindowTitle(self.tr("Preview of the whole bid"))
        self.heading.setText(self.tr("The bid as it will be sealed: {pages} pages").format(pages=book.pages))
        seals = self.tr("The enterprise seal goes on page {page}").format(page=book.company_seal.page + 1)
        if book.personal_seal is not None:
            seals += self.tr(", beside it the legal representative's seal ({name})").format(
                name=book.marks.legal_representative)
        groups = len(book.riding)
        self.summary.setText(self.tr("{seals}. Every page carries a page seal and a slice of the riding seal "
                                     "(骑缝章, {groups} seal(s) across the right edges); both signatures cover "
                                     "them. Contents and bookmarks list every document with its page.").format(
            seals=seals, groups=groups))
        self.viewer.setAccessibleName(self.tr("Preview of the whole bid"))
