"""The hall display (开标大厅显示): a window for a projector or a second screen, in large dark-on-light type —
the tender, the opening's state and countdown on the server clock, and the live announcement table. It
follows the workspace's opening (the same live channel, through the OpeningController): it only shows.
F11 switches full screen; Esc leaves it."""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from bidclient import opening_host as oh
from ui.opening.announcement import AnnouncementTable
from ui.opening.controller import OpeningController
from ui.opening.texts import countdown_line, state_text


def _big(parent: QWidget, name: str, points: int, bold: bool = False) -> QLabel:
    label = QLabel(parent)
    label.setObjectName(name)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setWordWrap(True)
    font = label.font()
    font.setPointSize(points)
    font.setBold(bold)
    label.setFont(font)
    return label


class HallDisplay(QWidget):
    def __init__(self, controller: OpeningController, parent: QWidget | None = None) -> None:
        super().__init__(parent, Qt.WindowType.Window)
        self.setObjectName("hallDisplay")
        self.controller = controller
        self.setStyleSheet("QWidget#hallDisplay { background: #ffffff; } QLabel { color: #000000; }")
        self.setAutoFillBackground(True)
        self.tender_label = _big(self, "hallTender", 40, bold=True)
        self.state_label = _big(self, "hallState", 30)
        self.countdown_label = _big(self, "hallCountdown", 34, bold=True)
        self.hint = _big(self, "hallHint", 12)
        self.hint.setStyleSheet("color: #444444;")
        self.table = AnnouncementTable(self, large=True)
        self.table.setObjectName("hallAnnouncementTable")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(32, 24, 32, 24)
        layout.addWidget(self.tender_label)
        layout.addWidget(self.state_label)
        layout.addWidget(self.countdown_label)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.hint)
        controller.view_changed.connect(self.show_view)
        controller.tick.connect(self.tick)
        self.resize(1280, 720)
        self.retranslate()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def retranslate(self) -> None:
        self.setWindowTitle(self.tr("Bid opening — hall display"))
        self.setAccessibleName(self.tr("Hall display of the bid opening"))
        self.hint.setText(self.tr("F11: full screen · Esc: leave full screen"))
        self.show_view(self.controller.view)

    def show_view(self, view: oh.HostView | None) -> None:
        if view is None:
            self.tender_label.setText(self.tr("Bid opening (开标)"))
            self.state_label.setText(self.tr("Waiting for the opening…"))
            self.table.set_rows(())
        else:
            self.tender_label.setText(self.tr("Bid opening (开标) — tender {tender}").format(tender=view.tender_id))
            text = state_text(view.state)
            if view.opening.bid_count is not None:
                text += " · " + self.tr("{n} bids counted").format(n=view.opening.bid_count)
            self.state_label.setText(text)
            self.table.set_rows(view.announced)
        self.tick()

    def tick(self) -> None:
        line = countdown_line(self.controller.countdown())
        self.countdown_label.setText(line)
        self.countdown_label.setVisible(bool(line))

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_F11:
            self.setWindowState(self.windowState() ^ Qt.WindowState.WindowFullScreen)
        elif event.key() == Qt.Key.Key_Escape and self.isFullScreen():
            self.showNormal()
        else:
            super().keyPressEvent(event)
