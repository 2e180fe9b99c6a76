"""唱标: the host announces once the window has closed (or every bid is decided); the table then shows each
bid's announced items from its signed price schedule, a figures/words mismatch flagged."""

from __future__ import annotations

from PySide6.QtCore import QEvent
from PySide6.QtWidgets import QHBoxLayout, QPushButton, QVBoxLayout, QWidget

from bidclient import opening_host as oh
from bidclient.opening import OpeningApi
from ui.error_view import plain_label
from ui.opening.announcement import AnnouncementTable
from ui.opening.common import named
from ui.opening.controller import OpeningController


class AnnouncePage(QWidget):
    def __init__(self, controller: OpeningController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("openingAnnouncePage")
        self.controller = controller
        self.announce_button = named(QPushButton(self), "announceButton")
        self.announce_button.clicked.connect(self.announce)
        self.note = plain_label(self, name="announceNote")
        self.table = AnnouncementTable(self)
        row = QHBoxLayout()
        row.addWidget(self.announce_button)
        row.addWidget(self.note, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(row)
        layout.addWidget(self.table, 1)
        controller.view_changed.connect(self.show_view)
        controller.tick.connect(self.update_buttons)
        controller.busy_changed.connect(lambda _b: self.update_buttons())
        self.retranslate()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def retranslate(self) -> None:
        self.announce_button.setText(self.tr("Announce (唱标)"))
        self.announce_button.setAccessibleName(self.tr("Announce every bid"))
        self.announce_button.setToolTip(self.tr("Once the window has closed, or every bid is decided. A bid not "
                                                "opened gets its outcome: 撤销 or 撤回 (Art. 31)."))
        self.show_view(self.controller.view)

    def show_view(self, view: oh.HostView | None) -> None:
        rows = view.announced if view is not None else ()
        self.table.set_rows(rows)
        if view is None or not rows:
            self.note.setText(self.tr("Nothing is announced yet."))
        else:
            flagged = sum(1 for r in rows if r.bid.announced is not None and r.bid.announced.price_mismatch)
            text = self.tr("{n} bid(s) announced.").format(n=len(rows))
            if flagged:
                text += " " + self.tr("{n} with figures and words that differ: the amount in words prevails "
                                      "(87号令 Art. 59).").format(n=flagged)
            self.note.setText(text)
        self.announce_button.setVisible(view is not None and view.role is oh.Role.HOST)
        self.update_buttons()

    def update_buttons(self) -> None:
        self.announce_button.setEnabled(self.controller.actions().announce)

    def announce(self) -> None:
        tender, step = self.controller.tender_id, self.controller.step
        self.controller.run("announce", lambda client, _ctx: OpeningApi(client, tender).announce(step=step))
