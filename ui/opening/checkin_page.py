"""Check-in and count: who checked in (签到) and when (late ones marked), and the host's "Lock and count" at
the bid deadline by the server clock. Fewer than 3 bids: no opening (招标投标法实施条例 Art. 44)."""

from __future__ import annotations

from PySide6.QtCore import QEvent
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from bidclient import opening_host as oh
from bidclient.opening import OpeningApi
from bidclient.protocol.opening import MIN_BIDS
from ui.error_view import plain_label
from ui.opening.common import fill_row, named, read_only_table, shown_time
from ui.opening.controller import OpeningController


class CheckInPage(QWidget):
    def __init__(self, controller: OpeningController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("openingCheckInPage")
        self.controller = controller
        self.heading = QLabel(self)
        self.table = read_only_table(3, self, "checkInTable")
        self.count_label = plain_label(self, name="bidCountLabel")
        self.lock_button = named(QPushButton(self), "lockButton")
        self.lock_button.clicked.connect(self.lock)
        row = QHBoxLayout()
        row.addWidget(self.lock_button)
        row.addWidget(self.count_label, 1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addWidget(self.table, 1)
        layout.addLayout(row)
        controller.view_changed.connect(self.show_view)
        controller.tick.connect(self.update_buttons)
        controller.busy_changed.connect(lambda _b: self.update_buttons())
        self.retranslate()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def retranslate(self) -> None:
        self.heading.setText(self.tr("Bidders who checked in (签到)"))
        self.table.setHorizontalHeaderLabels([self.tr("Bidder"), self.tr("Checked in at"), self.tr("Late")])
        self.table.setAccessibleName(self.tr("Check-in list"))
        self.lock_button.setText(self.tr("Lock and count"))
        self.lock_button.setAccessibleName(self.tr("Lock the opening and count the bids"))
        self.lock_button.setToolTip(self.tr("At or after the bid deadline by the server clock: no bid is accepted "
                                            "after it, and the bids in are counted."))
        self.show_view(self.controller.view)

    def show_view(self, view: oh.HostView | None) -> None:
        checkins = view.opening.check_ins if view is not None else []
        self.table.setRowCount(len(checkins))
        for index, c in enumerate(checkins):
            fill_row(self.table, index, [c.organization or c.identity_key, shown_time(c.checked_in_at),
                                         self.tr("late") if c.late else ""])
        if view is None or view.opening.bid_count is None:
            self.count_label.setText(self.tr("Not counted yet: the host locks the opening at the deadline."))
            self.count_label.setStyleSheet("")
        elif view.state == "no_opening":
            self.count_label.setText(self.tr("{n} bid(s) counted: fewer than {min}, so there is NO OPENING "
                                             "(招标投标法实施条例 Art. 44).").format(n=view.opening.bid_count,
                                                                               min=MIN_BIDS))
            self.count_label.setStyleSheet("color: #b00020; font-weight: bold;")
        else:
            self.count_label.setText(self.tr("{n} bids counted.").format(n=view.opening.bid_count))
            self.count_label.setStyleSheet("font-weight: bold;")
        self.lock_button.setVisible(view is not None and view.role is oh.Role.HOST)
        self.update_buttons()

    def update_buttons(self) -> None:
        self.lock_button.setEnabled(self.controller.actions().lock)

    def lock(self) -> None:
        tender, step = self.controller.tender_id, self.controller.step
        self.controller.run("lock", lambda client, _ctx: OpeningApi(client, tender).lock(step=step))
