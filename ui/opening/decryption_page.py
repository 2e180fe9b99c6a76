"""Decryption: the host opens the decryption window at the opening time, extends it with a reason, follows
each bid's state (released by its bidder, failed with the reason, the committee remedy with its k-of-n
partial results, opened, the Art. 31 outcome), starts the remedy for a bid its bidder could not decrypt,
and opens the released bids with the dongle (a long job with progress and cancel)."""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from bidclient import opening_host as oh
from bidclient.api_client import ApiClient
from bidclient.opening import OpeningApi
from bidclient.signing import load_trust
from ui.error_view import plain_label
from ui.opening.common import fill_row, named, read_only_table, shown_time
from ui.opening.controller import OpeningController
from ui.opening.texts import PHASE_COLOURS, phase_text
from ui.workers import TaskContext

POSITION, BIDDER, SUBMISSION, STATE, ATTEMPTS, RELEASED, REASON = range(7)


class DecryptionPage(QWidget):
    def __init__(self, controller: OpeningController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("openingDecryptionPage")
        self.controller = controller
        self.window_label = plain_label(self, name="windowLabel")
        self.window_button = named(QPushButton(self), "openWindowButton")
        self.window_button.clicked.connect(self.open_window)

        self.extend_box = QWidget(self)
        self.extend_minutes = named(QSpinBox(self.extend_box), "extendMinutes")
        self.extend_minutes.setRange(1, 240)
        self.extend_minutes.setValue(15)
        self.extend_reason = named(QLineEdit(self.extend_box), "extendReason")
        self.extend_reason.textChanged.connect(lambda _t: self.update_buttons())
        self.extend_button = named(QPushButton(self.extend_box), "extendButton")
        self.extend_button.clicked.connect(self.extend)
        extend_row = QHBoxLayout(self.extend_box)
        extend_row.setContentsMargins(0, 0, 0, 0)
        self.minutes_label, self.reason_label = QLabel(self.extend_box), QLabel(self.extend_box)
        self.minutes_label.setBuddy(self.extend_minutes)
        self.reason_label.setBuddy(self.extend_reason)
        extend_row.addWidget(self.minutes_label)
        extend_row.addWidget(self.extend_minutes)
        extend_row.addWidget(self.reason_label)
        extend_row.addWidget(self.extend_reason, 1)
        extend_row.addWidget(self.extend_button)

        self.table = read_only_table(7, self, "bidStateTable")
        self.table.itemSelectionChanged.connect(self.update_buttons)
        self.remedy_button = named(QPushButton(self), "remedyButton")
        self.remedy_button.clicked.connect(self.start_remedy)
        self.open_button = named(QPushButton(self), "openBidsButton")
        self.open_button.clicked.connect(self.open_bids)
        self.cancel_button = named(QPushButton(self), "cancelOpenButton")
        self.cancel_button.clicked.connect(controller.cancel)
        self.progress = named(QProgressBar(self), "openProgress")
        self.progress.setVisible(False)
        self.result_label = plain_label(self, name="openResultLabel")
        self.summary: oh.OpenedSummary | None = None  # the last "open released bids", worded on retranslate

        top = QHBoxLayout()
        top.addWidget(self.window_label, 1)
        top.addWidget(self.window_button)
        actions = QHBoxLayout()
        actions.addWidget(self.open_button)
        actions.addWidget(self.progress, 1)
        actions.addWidget(self.cancel_button)
        actions.addStretch()
        actions.addWidget(self.remedy_button)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.extend_box)
        layout.addWidget(self.table, 1)
        layout.addLayout(actions)
        layout.addWidget(self.result_label)
        controller.view_changed.connect(self.show_view)
        controller.tick.connect(self.update_buttons)
        controller.busy_changed.connect(lambda _b: self.update_buttons())
        controller.succeeded.connect(self._succeeded)
        self.retranslate()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def retranslate(self) -> None:
        self.window_button.setText(self.tr("Open the decryption window"))
        self.window_button.setAccessibleName(self.tr("Open the decryption window"))
        self.window_button.setToolTip(self.tr("At or after the opening time: bidders then release their keys, "
                                              "encrypted to your dongle's encryption certificate."))
        self.minutes_label.setText(self.tr("Extend by (minutes):"))
        self.reason_label.setText(self.tr("Reason:"))
        self.extend_minutes.setAccessibleName(self.tr("Minutes to extend the window by"))
        inner = self.extend_minutes.findChild(QLineEdit)
        if inner is not None:  # the spin box's own editor is what takes the focus
            inner.setAccessibleName(self.extend_minutes.accessibleName())
        self.extend_reason.setAccessibleName(self.tr("Reason for extending the window"))
        self.extend_reason.setPlaceholderText(self.tr("Why (goes into the record), e.g. a bidder's dongle failed"))
        self.extend_button.setText(self.tr("Extend the window"))
        self.extend_button.setAccessibleName(self.tr("Extend the decryption window"))
        self.table.setHorizontalHeaderLabels([self.tr("#"), self.tr("Bidder"), self.tr("Submission"),
                                              self.tr("Decryption"), self.tr("Attempts"), self.tr("Key released at"),
                                              self.tr("Reason")])
        self.table.setAccessibleName(self.tr("Decryption state of each bid"))
        self.remedy_button.setText(self.tr("Start the committee remedy"))
        self.remedy_button.setAccessibleName(self.tr("Start the committee remedy for the selected bid"))
        self.remedy_button.setToolTip(self.tr("For a bid its bidder could not decrypt: k committee members "
                                              "contribute partial results (补救方案)."))
        self.open_button.setText(self.tr("Open released bids"))
        self.open_button.setAccessibleName(self.tr("Open and verify the released bids"))
        self.open_button.setToolTip(self.tr("Decrypts each released bid with your dongle (one PIN), verifies it "
                                            "and reports the result."))
        self.cancel_button.setText(self.tr("Cancel"))
        self.cancel_button.setAccessibleName(self.tr("Cancel opening the bids"))
        self.progress.setAccessibleName(self.tr("Progress of opening the bids"))
        self._show_summary()
        self.show_view(self.controller.view)

    def show_view(self, view: oh.HostView | None) -> None:
        o = view.opening if view is not None else None
        if o is None or o.window_closes_at is None:
            self.window_label.setText(self.tr("The decryption window is not open."))
        else:
            self.window_label.setText(self.tr("Decryption window: {start} – {end}").format(
                start=shown_time(o.window_opens_at), end=shown_time(o.window_closes_at)))
        selected = self.selected_submission()
        rows = view.rows if view is not None else ()
        self.table.setRowCount(len(rows))
        for index, row in enumerate(rows):
            b = row.bid
            reason = f"{b.failure_code}: {b.failure_detail or ''}" if b.failure_code else ""
            fill_row(self.table, index, [str(b.position), row.bidder, b.submission_id, phase_text(row),
                                         str(b.attempts), shown_time(b.key_released_at) if b.key_released_at else "",
                                         reason], background=PHASE_COLOURS[row.phase], data=b.submission_id)
            if b.submission_id == selected:
                self.table.selectRow(index)
        host = view is not None and view.role is oh.Role.HOST
        for widget in (self.window_button, self.extend_box, self.remedy_button, self.open_button):
            widget.setVisible(host)
        self.remedy_button.setVisible(host and o is not None and o.remedy_allowed)
        self.update_buttons()

    def selected_submission(self) -> str | None:
        row = self.table.currentRow()
        item = self.table.item(row, 0) if row >= 0 and self.table.selectedItems() else None
        return str(item.data(Qt.ItemDataRole.UserRole)) if item is not None else None

    def update_buttons(self) -> None:
        a = self.controller.actions()
        opening_now = self.controller.action_name == "open-bids"
        self.window_button.setEnabled(a.open_window)
        self.extend_button.setEnabled(a.extend and bool(self.extend_reason.text().strip()))
        self.extend_minutes.setEnabled(a.extend)
        self.extend_reason.setEnabled(a.extend)
        self.open_button.setEnabled(a.open_bids)
        self.remedy_button.setEnabled(self.selected_submission() in a.remedy_for)
        self.cancel_button.setVisible(opening_now)
        self.progress.setVisible(opening_now)

    # --- actions ---

    def open_window(self) -> None:
        tender, step, sha = self.controller.tender_id, self.controller.step, self.controller.certificate_sha256()
        prompter = self.controller.context.pin_source
        if prompter is None:
            return
        self.controller.run("window", lambda client, _ctx: oh.open_window(client, tender, sha(), prompter, step=step))

    def extend(self) -> None:
        tender, step = self.controller.tender_id, self.controller.step
        minutes, reason = self.extend_minutes.value(), self.extend_reason.text().strip()
        if not reason:
            return
        self.controller.run("extend", lambda client, _ctx: OpeningApi(client, tender).extend_window(
            minutes, reason, step=step))

    def start_remedy(self) -> None:
        submission = self.selected_submission()
        if submission is None:
            return
        tender = self.controller.tender_id
        self.controller.run("remedy", lambda client, _ctx: OpeningApi(client, tender).start_remedy(submission))

    def open_bids(self) -> None:
        tender, sha = self.controller.tender_id, self.controller.certificate_sha256()
        prompter = self.controller.context.pin_source
        if prompter is None:
            return
        self.summary = None
        self.result_label.clear()

        def job(client: ApiClient, ctx: TaskContext) -> oh.OpenedSummary:
            return oh.open_bids(client, tender, sha(), prompter, load_trust([]), None, progress=ctx.progress,
                                cancel=ctx.cancelled)

        task = self.controller.run("open-bids", job)
        if task is not None:
            self.progress.setRange(0, 0)
            task.signals.progress.connect(self._progress)
            self.update_buttons()

    def _progress(self, done: int, total: int) -> None:
        self.progress.setRange(0, max(total, 1))
        self.progress.setValue(done)
        self.progress.setFormat(self.tr("%v of %m bids"))

    def _succeeded(self, name: str, result: object) -> None:
        if name == "extend":
            self.extend_reason.clear()
        if name != "open-bids" or not isinstance(result, oh.OpenedSummary):
            return
        self.summary = result
        self._show_summary()

    def _show_summary(self) -> None:
        result = self.summary
        if result is None:
            return
        if result.cancelled:
            self.result_label.setText(self.tr("Cancelled: the bids opened so far are reported; open the others "
                                              "when you are ready."))
        elif not result.results:
            self.result_label.setText(self.tr("No released key is waiting to be opened."))
        else:
            self.result_label.setText(self.tr("{opened} bid(s) opened and verified, {failed} failed (see the reason "
                                              "in the table).").format(opened=result.opened, failed=result.failed))
