"""The Opening workspace (开标): the hosts' opening terminal, and the same view read-only for a supervisor.

The person chooses the tender whose opening they host or supervise; the workspace then follows that
opening (ui/opening/controller.py: loaded from the server, reloaded on each live event of its channel)
and shows it in five pages in the order of the work — check-in and count, decryption, announcement (唱标),
objections, record — under a header with the state, the person's part and a countdown on the server
clock. Every action is a worker task calling a core service (bidclient.opening_host, bidclient.opening);
"Show on hall display" opens the projector window (ui/opening/hall_display.py).
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QEvent, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from bidclient import opening_host as oh
from bidclient.tender_package import list_tenders
from ui.context import AppContext
from ui.error_view import ErrorView, plain_label
from ui.live_adapter import ConnectionIndicator
from ui.opening.announce_page import AnnouncePage
from ui.opening.checkin_page import CheckInPage
from ui.opening.common import named
from ui.opening.controller import OpeningController
from ui.opening.decryption_page import DecryptionPage
from ui.opening.hall_display import HallDisplay
from ui.opening.handover_page import HandoverPage
from ui.opening.objections_page import ObjectionsPage
from ui.opening.record_page import RecordPage
from ui.opening.texts import countdown_line, state_text
from ui.scroll_page import in_scroll_area
from ui.workers import Task, start
from ui.workspaces import WorkspaceSpec, register_workspace

SETTING_TENDER = "opening/tender"
CHECK_IN, DECRYPTION, ANNOUNCEMENT, OBJECTIONS, RECORD, HANDOVER = range(6)


class OpeningWorkspace(QWidget):
    sign_in_requested = Signal()  # the main window opens its sign-in dialog

    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("openingWorkspace")
        self.context = context
        self.controller = OpeningController(context, self)
        self.hall: HallDisplay | None = None
        self._list_task: Task | None = None

        self.heading = QLabel(self)
        font = self.heading.font()
        font.setPointSize(font.pointSize() + 3)
        font.setBold(True)
        self.heading.setFont(font)
        self.tender_label = QLabel(self)
        self.tender_box = named(QComboBox(self), "tenderChooser")
        self.tender_box.setEditable(True)
        self.tender_box.setMinimumWidth(320)
        self.tender_box.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.tender_label.setBuddy(self.tender_box)
        edit = self.tender_box.lineEdit()
        assert edit is not None
        self.tender_edit: QLineEdit = edit
        self.tender_edit.returnPressed.connect(self.open_chosen)
        self.open_button = named(QPushButton(self), "openTenderButton")
        self.open_button.clicked.connect(self.open_chosen)
        self.reload_button = named(QPushButton(self), "reloadButton")
        self.reload_button.clicked.connect(self.reload)
        self.hall_button = named(QPushButton(self), "hallDisplayButton")
        self.hall_button.clicked.connect(self.show_hall_display)
        self.sign_in_button = named(QPushButton(self), "openingSignInButton")
        self.sign_in_button.clicked.connect(self.sign_in_requested)
        self.indicator = ConnectionIndicator(self)
        self.controller.live_state.connect(self.indicator.set_state)
        chooser = QHBoxLayout()
        chooser.addWidget(self.tender_label)
        chooser.addWidget(self.tender_box, 1)
        chooser.addWidget(self.open_button)
        chooser.addWidget(self.reload_button)
        chooser.addWidget(self.sign_in_button)
        chooser.addWidget(self.hall_button)
        chooser.addWidget(self.indicator)

        self.state_label = plain_label(self, name="openingState")
        state_font = self.state_label.font()
        state_font.setPointSize(state_font.pointSize() + 2)
        state_font.setBold(True)
        self.state_label.setFont(state_font)
        self.role_label = plain_label(self, name="openingRole")
        self.countdown_label = plain_label(self, name="openingCountdown")
        self.notice = plain_label(self, name="openingNotice")
        self.notice.setVisible(False)
        self.countdown_label.setFont(state_font)
        self.error_view = ErrorView(self)

        self.tabs = QTabWidget(self)
        self.tabs.setObjectName("openingSteps")
        self.checkin_page = CheckInPage(self.controller, self.tabs)
        self.decryption_page = DecryptionPage(self.controller, self.tabs)
        self.announce_page = AnnouncePage(self.controller, self.tabs)
        self.objections_page = ObjectionsPage(self.controller, self.tabs)
        self.record_page = RecordPage(self.controller, self.tabs)
        self.handover_page = HandoverPage(self.controller, self.tabs)
        for page in (self.checkin_page, self.decryption_page, self.announce_page, self.objections_page):
            self.tabs.addTab(self._scrolled(page), "")
        self.tabs.addTab(self.record_page, "")
        self.tabs.addTab(self._scrolled(self.handover_page), "")

        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addLayout(chooser)
        layout.addWidget(self.state_label)
        layout.addWidget(self.role_label)
        layout.addWidget(self.countdown_label)
        layout.addWidget(self.notice)
        layout.addWidget(self.error_view)
        layout.addWidget(self.tabs, 1)

        self.controller.view_changed.connect(self.show_view)
        self.controller.tick.connect(self.tick)
        self.controller.failed.connect(self.error_view.show_error)
        self.controller.busy_changed.connect(self._busy_changed)
        self.controller.declined.connect(self._declined)
        context.session_changed.connect(self._session_changed)
        self.retranslate()
        self._session_changed(context.session)

    def _scrolled(self, page: QWidget) -> QWidget:
        return in_scroll_area(page, self.tabs)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def retranslate(self) -> None:
        self.heading.setText(self.tr("Bid opening (开标)"))
        self.tender_label.setText(self.tr("Tender:"))
        self.tender_box.setAccessibleName(self.tr("Tender whose opening to follow"))
        self.tender_edit.setPlaceholderText(self.tr("Tender number, e.g. ZB-2026-0042"))
        self.open_button.setText(self.tr("Open"))
        self.open_button.setAccessibleName(self.tr("Follow this tender's opening"))
        self.hall_button.setText(self.tr("Show on hall display"))
        self.hall_button.setAccessibleName(self.tr("Show the opening on the hall display"))
        self.sign_in_button.setText(self.tr("Sign in with your dongle"))
        self.sign_in_button.setAccessibleName(self.tr("Sign in with your dongle"))
        self.reload_button.setText(self.tr("Reload"))
        self.reload_button.setAccessibleName(self.tr("Reload the opening and the tender list"))
        titles = [self.tr("1 Check-in and count"), self.tr("2 Decryption"), self.tr("3 Announcement (唱标)"),
                  self.tr("4 Objections"), self.tr("5 Record"), self.tr("6 Committee")]
        for index, title in enumerate(titles):
            self.tabs.setTabText(index, title)
        self.tabs.setAccessibleName(self.tr("Steps of the opening"))
        if self.indicator.state is not None:
            self.indicator.set_state(self.indicator.state)  # its words follow the language too
        self.show_view(self.controller.view)

    # --- the session and the tender ---

    def _session_changed(self, session: object) -> None:
        self.sign_in_button.setVisible(session is None)
        for widget in (self.tender_box, self.open_button, self.reload_button):
            widget.setEnabled(session is not None)
        if session is None:
            self.tender_box.clear()
            return
        self.load_tender_list()
        saved = str(self.context.settings.value(SETTING_TENDER, "") or "")
        if saved and not self.controller.tender_id:
            self.tender_box.setEditText(saved)
            self.open_chosen()

    def load_tender_list(self) -> None:
        client = self.context.client()
        if client is None or self._list_task is not None:
            return
        task = Task(lambda _ctx: list_tenders(client), name="opening-tenders")
        task.signals.succeeded.connect(self._listed)
        task.signals.failed.connect(self.error_view.show_error)
        task.signals.finished.connect(self._listed_done)
        self._list_task = start(task)

    def _listed(self, out: object) -> None:
        from bidclient.protocol.tender import TenderListOut

        if not isinstance(out, TenderListOut):
            return
        current = self.tender_box.currentText()
        self.tender_box.clear()
        for t in out.tenders:
            self.tender_box.addItem(f"{t.tender_id} — {t.title}", t.tender_id)
        self.tender_box.setEditText(current)

    def _listed_done(self) -> None:
        self._list_task = None

    def chosen_tender(self) -> str:
        text = self.tender_box.currentText().strip()
        index = self.tender_box.findText(text)
        if index >= 0 and self.tender_box.itemData(index):
            return str(self.tender_box.itemData(index))
        return text.split(" — ", 1)[0].strip()

    def open_chosen(self) -> None:
        tender = self.chosen_tender()
        if not tender:
            return
        self.error_view.clear()
        self.context.settings.setValue(SETTING_TENDER, tender)
        self.controller.set_tender(tender)

    def open_tender(self, tender_id: str) -> None:
        self.tender_box.setEditText(tender_id)
        self.open_chosen()

    def reload(self) -> None:
        self.error_view.clear()
        self.load_tender_list()
        self.controller.resume()

    # --- what is shown ---

    def show_view(self, view: oh.HostView | None) -> None:
        if view is None:
            self.state_label.setText(self.tr("Choose the tender whose opening you host or supervise.")
                                     if self.context.session is not None
                                     else self.tr("Sign in with your dongle to host or supervise an opening."))
            self.role_label.clear()
        else:
            text = self.tr("Tender {tender}: {state}").format(tender=view.tender_id, state=state_text(view.state))
            if view.opening.bid_count is not None:
                text += " — " + self.tr("{n} bids counted").format(n=view.opening.bid_count)
            self.state_label.setText(text)
            self.state_label.setStyleSheet("color: #b00020;" if view.state == "no_opening" else "")
            self.role_label.setText({
                oh.Role.HOST: self.tr("You are a host of this opening (step {step})."),
                oh.Role.SUPERVISOR: self.tr("You are a supervisor of this opening: you see everything, read-only, "
                                            "and co-sign the record after the host."),
                oh.Role.OTHER: self.tr("You take part in this opening as a bidder: read-only."),
            }[view.role].format(step=view.opening.step))
        self.tick()

    def tick(self) -> None:
        view = self.controller.view
        line = countdown_line(self.controller.countdown())
        if view is not None:
            from bidclient.timefmt import format_time

            now = self.tr("Server time {now}").format(now=format_time(self.controller.now(), seconds=True))
            line = f"{line} · {now}" if line else now
        self.countdown_label.setText(line)

    def _busy_changed(self, busy: bool) -> None:
        if busy:
            self.error_view.clear()
            self.notice.setVisible(False)

    def _declined(self, _name: str) -> None:
        self.notice.setText(self.tr("Nothing was done: you cancelled (no PIN was given, or you answered no)."))
        self.notice.setVisible(True)

    # --- the hall display ---

    def show_hall_display(self) -> HallDisplay:
        """Show the hall display (a window of its own, owned by the workspace: closing it only hides it)."""
        if self.hall is None:
            self.hall = HallDisplay(self.controller, self)
        self.hall.show()
        self.hall.raise_()
        return self.hall

    def can_close(self) -> bool:
        """The app quits: close the hall display and stop following the live channel (nothing to lose:
        every step is on the server)."""
        if self.hall is not None:
            self.hall.close()
        self.controller.shutdown()
        return True


register_workspace(WorkspaceSpec(
    role="opening",
    title=lambda: QCoreApplication.translate("Workspaces", "Opening"),
    factory=OpeningWorkspace,
))
