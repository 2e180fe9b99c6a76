"""The announcement table (唱标): each bid's bidder, price in figures and in words (a mismatch flagged: the
words prevail, 87号令 Art. 59), the price that counts, duration, quality, the further announced fields and
the outcome. Shown in the workspace and, in large type, on the hall display. Every cell is plain text
(QTableWidgetItem never interprets markup): it comes from the bidders' signed price schedules."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QEvent, Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableWidget, QTableWidgetItem, QWidget

from bidclient.opening_host import BidPhase, BidRow
from ui.opening.texts import phase_text

MISMATCH_COLOUR = "#ffcdd2"

POSITION, BIDDER, FIGURES, WORDS, PRICE, DURATION, QUALITY, OTHER, OUTCOME = range(9)


def mismatch_text() -> str:
    return QCoreApplication.translate("Opening", "⚠ figures and words differ: the words prevail")


def mismatch_detail(figures: str, words: str) -> str:
    """The hall display's wording: one column for the price, so the figures and the words are named."""
    return QCoreApplication.translate("Opening", "⚠ figures {figures} differ from the words {words}: the words "
                                                 "prevail").format(figures=figures, words=words)


class AnnouncementTable(QTableWidget):
    def __init__(self, parent: QWidget | None = None, *, large: bool = False) -> None:
        super().__init__(0, 9, parent)
        self.setObjectName("announcementTable")
        self.rows: tuple[BidRow, ...] = ()
        self.large = large
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setWordWrap(True)
        self.verticalHeader().setVisible(False)
        header = self.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(BIDDER, QHeaderView.ResizeMode.Stretch)
        if large:
            # A projector: fewer, wider columns; the figures and words go into the price cell on a mismatch.
            for column in (FIGURES, WORDS, OTHER):
                self.setColumnHidden(column, True)
            header.setSectionResizeMode(BIDDER, QHeaderView.ResizeMode.ResizeToContents)
            header.setSectionResizeMode(PRICE, QHeaderView.ResizeMode.Stretch)  # wraps a mismatch note
            self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
            font = self.font()
            font.setPointSize(max(20, int(font.pointSize() * 1.8)))
            self.setFont(font)
            header_font = header.font()
            header_font.setPointSize(font.pointSize())
            header_font.setBold(True)
            header.setFont(header_font)
            self.setStyleSheet("QTableWidget { background: #ffffff; color: #000000; gridline-color: #000000; }"
                               "QHeaderView::section { background: #ffffff; color: #000000; "
                               "border: 1px solid #000000; padding: 6px; }")
            self.setShowGrid(True)
        self.retranslate()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def retranslate(self) -> None:
        self.setHorizontalHeaderLabels([
            self.tr("#"), self.tr("Bidder"), self.tr("Price in figures"), self.tr("Price in words"),
            self.tr("Price that counts"), self.tr("Duration (days)"), self.tr("Quality"),
            self.tr("Other announced items"), self.tr("Outcome")])
        self.setAccessibleName(self.tr("Announcement (唱标)"))
        self.set_rows(self.rows)

    def set_rows(self, rows: tuple[BidRow, ...]) -> None:
        self.rows = rows
        self.setRowCount(len(rows))
        for index, row in enumerate(rows):
            a = row.bid.announced
            opened = row.phase in (BidPhase.OPENED, BidPhase.REMEDIED)
            cells = [str(row.bid.position), row.bidder]
            if a is not None and opened:
                price = a.price or self.tr("— (unreadable)")
                if a.price_mismatch:
                    note = (mismatch_detail(a.price_figures or "—", a.price_words or "—") if self.large
                            else mismatch_text())
                    price = f"{price}\n{note}"
                other = "; ".join(f"{k}: {v}" for k, v in a.other.items())
                cells += [a.price_figures or "—", a.price_words or "—", price, a.duration or "—", a.quality or "—",
                          other or "—"]
            else:
                cells += ["—"] * 6
            cells.append(phase_text(row))
            mismatch = a is not None and opened and a.price_mismatch
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable)
                if mismatch and column in (FIGURES, WORDS, PRICE):
                    item.setBackground(QBrush(QColor(MISMATCH_COLOUR)))
                    item.setToolTip(mismatch_text())
                self.setItem(index, column, item)
        self.resizeRowsToContents()

    def row_texts(self, row: int) -> list[str]:
        """The texts of one row as shown (tests, and the accessible summary)."""
        items = [self.item(row, c) for c in range(self.columnCount())]
        return [item.text() if item is not None else "" for item in items]
