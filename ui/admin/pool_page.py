"""The administrator's pool table: filter by status, specialty, region and name; sort and page through the
server's list (the model holds one page, never the whole pool); the selected expert's status history, and
status changes with a required reason (suspend until a date, renew, dismiss, re-admit).

Every request is a worker (ui.workers.Task) calling bidclient.experts.ExpertsService.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time
from typing import Any

from PySide6.QtCore import QDate, QEvent, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDateEdit,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QSplitter,
    QTableView,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from bidclient import timefmt
from bidclient.experts import ExpertsService
from bidclient.protocol.experts import ExpertListOut, ExpertOut, SpecialtyOut
from ui.admin.pool_model import PoolModel
from ui.context import AppContext
from ui.error_view import ErrorView, plain_label
from ui.expert_texts import status_text
from ui.status_line import StatusLine
from ui.workers import Task, start

PAGE_SIZE = 100
STATUSES = ("admitted", "suspended", "renewed", "dismissed")
# The status changes offered: (status sent, what the button says).
ACTIONS = ("suspended", "renewed", "dismissed", "admitted")


class PoolPage(QWidget):
    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("poolPage")
        self.context = context
        self.offset = 0
        self.total = 0
        self.listed = False  # a list has come back from the server
        self.specialties: list[SpecialtyOut] = []
        self.expert: ExpertOut | None = None  # the selected expert, with history
        self._tasks: dict[str, Task] = {}
        self.confirm_box: QMessageBox | None = None  # the question before a dismissal, while open

        # --- filters ---
        self.status_label = QLabel(self)
        self.status_filter = QComboBox(self)
        self.status_filter.setObjectName("poolStatusFilter")
        self.status_label.setBuddy(self.status_filter)
        self.specialty_label = QLabel(self)
        self.specialty_filter = QComboBox(self)
        self.specialty_filter.setObjectName("poolSpecialtyFilter")
        self.specialty_label.setBuddy(self.specialty_filter)
        self.region_label = QLabel(self)
        self.region_filter = QLineEdit(self)
        self.region_filter.setObjectName("poolRegionFilter")
        self.region_label.setBuddy(self.region_filter)
        self.name_label = QLabel(self)
        self.name_filter = QLineEdit(self)
        self.name_filter.setObjectName("poolNameFilter")
        self.name_label.setBuddy(self.name_filter)
        self.search_button = QPushButton(self)
        self.search_button.setObjectName("poolSearch")
        self.search_button.setDefault(True)
        self.search_button.clicked.connect(self.search)
        for edit in (self.region_filter, self.name_filter):
            edit.setMaxLength(100)
            edit.returnPressed.connect(self.search)
        self.status_filter.activated.connect(lambda _i: self.search())
        self.specialty_filter.activated.connect(lambda _i: self.search())

        # --- the table and the pager ---
        self.model = PoolModel(self)
        self.model.sort_requested.connect(lambda _key: self.search())
        self.table = QTableView(self)
        self.table.setObjectName("poolTable")
        self.table.setModel(self.model)
        self.table.verticalHeader().setVisible(False)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setSortIndicator(0, Qt.SortOrder.AscendingOrder)
        self.table.setSortingEnabled(True)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.selectionModel().currentRowChanged.connect(lambda current, _prev: self._row_chosen(current.row()))
        self.previous_button = QPushButton(self)
        self.previous_button.setObjectName("poolPrevious")
        self.previous_button.clicked.connect(lambda: self.go_to(self.offset - PAGE_SIZE))
        self.next_button = QPushButton(self)
        self.next_button.setObjectName("poolNext")
        self.next_button.clicked.connect(lambda: self.go_to(self.offset + PAGE_SIZE))
        self.page_label = plain_label(self, name="poolPageLabel")

        # --- the selected expert ---
        self.detail_title = plain_label(self, name="poolDetailTitle")
        self.detail_title.setStyleSheet("font-weight: bold;")
        self.detail = plain_label(self, name="poolDetail")
        self.detail.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.history_label = QLabel(self)
        self.history = QTableWidget(0, 5, self)
        self.history.setObjectName("poolHistory")
        self.history.verticalHeader().setVisible(False)
        self.history.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.history.horizontalHeader().setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.change_box = QGroupBox(self)
        self.action_label = QLabel(self.change_box)
        self.action = QComboBox(self.change_box)
        self.action.setObjectName("statusAction")
        self.action_label.setBuddy(self.action)
        self.action.currentIndexChanged.connect(lambda _i: self._update_change_form())
        self.reason_label = QLabel(self.change_box)
        self.reason_edit = QLineEdit(self.change_box)
        self.reason_edit.setObjectName("statusReason")
        self.reason_edit.setMaxLength(1000)
        self.reason_label.setBuddy(self.reason_edit)
        self.reason_edit.textChanged.connect(lambda _t: self._update_change_form())
        self.until_label = QLabel(self.change_box)
        self.until_edit = QDateEdit(self.change_box)
        self.until_edit.setObjectName("statusUntil")
        self.until_edit.setCalendarPopup(True)
        self.until_edit.setDisplayFormat("yyyy-MM-dd")
        self.until_label.setBuddy(self.until_edit)
        self.change_note = plain_label(self.change_box, name="statusChangeNote")
        self.change_note.setStyleSheet("color: #555;")
        self.apply_button = QPushButton(self.change_box)
        self.apply_button.setObjectName("applyStatus")
        self.apply_button.clicked.connect(self.apply_status)
        form = QFormLayout(self.change_box)
        form.addRow(self.action_label, self.action)
        form.addRow(self.reason_label, self.reason_edit)
        form.addRow(self.until_label, self.until_edit)
        form.addRow(self.change_note)
        form.addRow(self.apply_button)

        self.status = plain_label(self, name="poolStatus")
        self.status_line = StatusLine(self.status)
        self.error_view = ErrorView(self)

        filters = QHBoxLayout()
        for label, widget in ((self.status_label, self.status_filter), (self.specialty_label, self.specialty_filter),
                              (self.region_label, self.region_filter), (self.name_label, self.name_filter)):
            filters.addWidget(label)
            filters.addWidget(widget, 1)
        filters.addWidget(self.search_button)
        pager = QHBoxLayout()
        pager.addWidget(self.page_label, 1)
        pager.addWidget(self.previous_button)
        pager.addWidget(self.next_button)
        left = QWidget(self)
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(self.table, 1)
        left_layout.addLayout(pager)
        right = QWidget(self)
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.addWidget(self.detail_title)
        right_layout.addWidget(self.detail)
        right_layout.addWidget(self.history_label)
        right_layout.addWidget(self.history, 1)
        right_layout.addWidget(self.change_box)
        splitter = QSplitter(self)
        splitter.addWidget(left)
        splitter.addWidget(right)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        layout = QVBoxLayout(self)
        layout.addLayout(filters)
        layout.addWidget(splitter, 1)
        layout.addWidget(self.status)
        layout.addWidget(self.error_view)
        self._reset_until()
        self.retranslate()
        self._show_expert(None)

    # --- texts ---

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def retranslate(self) -> None:
        self.status_label.setText(self.tr("S&tatus:"))
        self.status_filter.setAccessibleName(self.tr("Filter by status"))
        current = self.status_filter.currentData()
        self.status_filter.clear()
        self.status_filter.addItem(self.tr("Any"), "")
        for status in STATUSES:
            self.status_filter.addItem(status_text(status), status)
        self.status_filter.setCurrentIndex(max(self.status_filter.findData(current or ""), 0))
        self.specialty_label.setText(self.tr("S&pecialty:"))
        self.specialty_filter.setAccessibleName(self.tr("Filter by specialty"))
        self._fill_specialties()
        self.region_label.setText(self.tr("Re&gion:"))
        self.region_filter.setAccessibleName(self.tr("Filter by region"))
        self.region_filter.setPlaceholderText(self.tr("e.g. 北京"))
        self.name_label.setText(self.tr("&Name:"))
        self.name_filter.setAccessibleName(self.tr("Filter by part of the name or identity"))
        self.name_filter.setPlaceholderText(self.tr("part of the name"))
        self.search_button.setText(self.tr("&Search"))
        self.search_button.setAccessibleName(self.tr("Search the pool with these filters"))
        self.table.setAccessibleName(self.tr("Experts in the pool"))
        self.model.retranslate()
        self.previous_button.setText(self.tr("< &Previous"))
        self.previous_button.setAccessibleName(self.tr("Previous page of experts"))
        self.next_button.setText(self.tr("Ne&xt >"))
        self.next_button.setAccessibleName(self.tr("Next page of experts"))
        self.history_label.setText(self.tr("Status history"))
        self.history.setAccessibleName(self.tr("Status history of the selected expert"))
        self.history.setHorizontalHeaderLabels([
            self.tr("When ({zone})").format(zone=timefmt.current_zone_label()), self.tr("Status"),
            self.tr("Reason"), self.tr("Until"), self.tr("By")])
        self.change_box.setTitle(self.tr("Change the status"))
        self.action_label.setText(self.tr("&Change to:"))
        self.action.setAccessibleName(self.tr("New status"))
        chosen = self.action.currentData()
        self.action.blockSignals(True)
        self.action.clear()
        labels = {"suspended": self.tr("Suspend (暂停)"), "renewed": self.tr("Renew (续聘)"),
                  "dismissed": self.tr("Dismiss (解聘)"), "admitted": self.tr("Re-admit (恢复入库)")}
        for status in ACTIONS:
            self.action.addItem(labels[status], status)
        self.action.setCurrentIndex(max(self.action.findData(chosen or ACTIONS[0]), 0))
        self.action.blockSignals(False)
        self.reason_label.setText(self.tr("&Reason:"))
        self.reason_edit.setAccessibleName(self.tr("Reason for the status change"))
        self.reason_edit.setPlaceholderText(self.tr("required; kept in the history and the audit trail"))
        self.until_label.setText(self.tr("Suspended &until:"))
        self.until_edit.setAccessibleName(self.tr("Suspended until (date)"))
        inner = self.until_edit.findChild(QLineEdit)  # the date's own text field, named like the date
        if inner is not None:
            inner.setAccessibleName(self.tr("Suspended until (date)"))
        self.apply_button.setText(self.tr("&Apply"))
        self.apply_button.setAccessibleName(self.tr("Apply the status change"))
        self.status_line.retranslate()
        self._show_page_label()
        self._show_expert(self.expert)
        self._update_change_form()

    def _fill_specialties(self) -> None:
        current = self.specialty_filter.currentData()
        self.specialty_filter.clear()
        self.specialty_filter.addItem(self.tr("Any"), "")
        for s in self.specialties:
            self.specialty_filter.addItem(f"{s.name} ({s.code})", s.code)
        self.specialty_filter.setCurrentIndex(max(self.specialty_filter.findData(current or ""), 0))

    def set_specialties(self, specialties: list[SpecialtyOut]) -> None:
        self.specialties = list(specialties)
        self._fill_specialties()

    # --- tasks ---

    @property
    def busy(self) -> bool:
        return bool(self._tasks)

    def _run(self, kind: str, job: Callable[[ExpertsService], Any], on_success: Callable[[Any], None],
             waiting: Callable[[], str] | None = None) -> bool:
        client = self.context.client()
        if client is None:
            self.status_line.set(lambda: self.tr("Sign in as the pool's administrator first."))
            return False
        if kind in self._tasks:
            return False
        self.error_view.clear()
        if waiting is not None:
            self.status_line.set(waiting)
        task = Task(lambda _ctx: job(ExpertsService(client)), name=f"pool-{kind}")
        task.signals.succeeded.connect(on_success)
        task.signals.failed.connect(self._failed)
        task.signals.finished.connect(lambda: self._done(kind))
        self._tasks[kind] = start(task)
        self._update_buttons()
        return True

    def _done(self, kind: str) -> None:
        self._tasks.pop(kind, None)
        self._update_buttons()

    def _failed(self, error: BaseException) -> None:
        self.status_line.clear()
        self.error_view.show_error(error)

    def _update_buttons(self) -> None:
        listing = "list" in self._tasks
        self.search_button.setEnabled(not listing)
        self.previous_button.setEnabled(not listing and self.offset > 0)
        self.next_button.setEnabled(not listing and self.offset + PAGE_SIZE < self.total)
        self._update_change_form()

    # --- the list ---

    def filters(self) -> dict[str, str | None]:
        return {"status": self.status_filter.currentData() or None,
                "specialty": self.specialty_filter.currentData() or None,
                "region": self.region_filter.text().strip() or None,
                "name": self.name_filter.text().strip() or None}

    def search(self) -> None:
        self.go_to(0)

    def go_to(self, offset: int) -> None:
        offset = max(0, offset)
        filters, sort = self.filters(), self.model.sort_key
        if self._run("list", lambda s: s.list_experts(**filters, sort=sort, limit=PAGE_SIZE, offset=offset),
                     lambda out: self._listed(out, offset), lambda: self.tr("Asking the server…")):
            self.offset = offset

    def _listed(self, out: ExpertListOut, offset: int) -> None:
        selected = self.expert.id if self.expert else None
        self.offset, self.total, self.listed = offset, out.total, True
        self.model.set_page(out.experts)
        self.status_line.clear()
        self._show_page_label()
        self._update_buttons()
        rows = [r for r, e in enumerate(out.experts) if e.id == selected]
        if rows:
            self.table.selectRow(rows[0])
        elif out.experts:
            self.table.selectRow(0)
        else:
            self._show_expert(None)

    def _show_page_label(self) -> None:
        if not self.model.experts:
            self.page_label.setText(self.tr("No expert matches these filters.") if self.listed else "")
            return
        self.page_label.setText(self.tr("Experts {first}–{last} of {total}").format(
            first=self.offset + 1, last=self.offset + len(self.model.experts), total=f"{self.total:,}"))

    # --- the selected expert ---

    def _row_chosen(self, row: int) -> None:
        if not 0 <= row < len(self.model.experts):
            return
        expert_id = self.model.experts[row].id
        if self.expert is not None and self.expert.id == expert_id and self.expert.history:
            return
        self._show_expert(self.model.experts[row])  # at once; the history follows
        self._run("detail", lambda s: s.get(expert_id), self._detail_loaded)

    def _detail_loaded(self, expert: ExpertOut) -> None:
        rows = self.table.selectionModel().selectedRows()
        current = self.model.experts[rows[0].row()].id if rows and rows[0].row() < len(self.model.experts) else None
        if current is not None and current != expert.id:
            self._row_chosen(rows[0].row())  # the selection moved on meanwhile
            return
        self._show_expert(expert)

    def _show_expert(self, expert: ExpertOut | None) -> None:
        self.expert = expert
        self.change_box.setEnabled(expert is not None)
        if expert is None:
            self.detail_title.setText(self.tr("Select an expert to see the status history."))
            self.detail.clear()
            self.history.setRowCount(0)
            self._update_change_form()
            return
        self.detail_title.setText(f"{expert.name} — {status_text(expert.status)}")
        lines = [expert.identity, f"{expert.employer_name} ({expert.employer_uscc})",
                 f"{expert.region} · {expert.title}", " · ".join(x for x in (expert.email, expert.phone) if x)]
        if expert.status == "suspended" and expert.suspended_until is not None:
            lines.append(self.tr("Suspended until {time}").format(time=timefmt.format_time(expert.suspended_until)))
        self.detail.setText("\n".join(line for line in lines if line))
        self.history.setRowCount(len(expert.history))
        for row, h in enumerate(reversed(expert.history)):  # the newest first
            cells = [timefmt.format_time(h.at, named=False), status_text(h.status), h.reason,
                     timefmt.format_time(h.until, named=False) if h.until else "", h.by]
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setToolTip(text)
                self.history.setItem(row, column, item)
        for column in (0, 1, 3):
            self.history.resizeColumnToContents(column)
        self._update_change_form()

    # --- status changes ---

    def _reset_until(self) -> None:
        tomorrow = QDate.currentDate().addDays(1)
        self.until_edit.setMinimumDate(tomorrow)
        self.until_edit.setDate(QDate.currentDate().addDays(90))

    def _update_change_form(self) -> None:
        status = self.action.currentData()
        expert = self.expert
        final = expert is not None and expert.status == "dismissed"
        suspending = status == "suspended"
        self.until_edit.setEnabled(suspending)
        self.until_label.setEnabled(suspending)
        if final:
            self.change_note.setText(self.tr("A dismissed expert's record is not changed again."))
        elif status == "dismissed":
            self.change_note.setText(self.tr("Dismissal (解聘) is final: the record cannot be changed afterwards."))
        elif suspending:
            self.change_note.setText(self.tr("Suspended until the start of that day, {zone}.").format(
                zone=timefmt.current_zone_label()))
        else:
            self.change_note.setText("")
        ready = (expert is not None and not final and bool(self.reason_edit.text().strip())
                 and "status" not in self._tasks and "detail" not in self._tasks)
        self.apply_button.setEnabled(ready)

    def until_time(self) -> datetime:
        """The chosen day's start in the display zone (北京时间 by default), as the server wants it (aware)."""
        day = self.until_edit.date()
        return datetime.combine(date(day.year(), day.month(), day.day()), time(0, 0), tzinfo=timefmt.display_zone())

    def apply_status(self) -> None:
        expert, status, reason = self.expert, str(self.action.currentData()), self.reason_edit.text().strip()
        if expert is None:
            return
        if not reason:
            self.status_line.set(lambda: self.tr("Give a reason for the change."))
            self.reason_edit.setFocus()
            return
        if status == "dismissed":
            self.confirm_dismissal(expert, reason)
            return
        self._change_status(expert, status, reason)

    def _change_status(self, expert: ExpertOut, status: str, reason: str) -> None:
        until = self.until_time() if status == "suspended" else None
        self._run("status", lambda s: s.set_status(expert.id, status, reason, until), self._status_changed,
                  lambda: self.tr("Changing the status…"))

    def confirm_dismissal(self, expert: ExpertOut, reason: str) -> None:
        """Dismissal (解聘) cannot be undone: ask first; the default answer keeps the expert."""
        box = QMessageBox(QMessageBox.Icon.Warning, self.tr("Dismiss the expert?"),
                          self.tr("Dismiss {name} from the pool?").format(name=expert.name),
                          QMessageBox.StandardButton.NoButton, self)
        box.setObjectName("dismissConfirm")
        box.setTextFormat(Qt.TextFormat.PlainText)
        box.setInformativeText(self.tr("A dismissal is final: the record is not changed again, and the expert is "
                                       "never drawn. A returning expert is admitted anew under a new record."))
        dismiss_button = box.addButton(self.tr("Dismiss"), QMessageBox.ButtonRole.DestructiveRole)
        keep_button = box.addButton(self.tr("Keep in the pool"), QMessageBox.ButtonRole.RejectRole)
        dismiss_button.setObjectName("confirmDismiss")
        keep_button.setObjectName("keepExpert")
        box.setDefaultButton(keep_button)
        box.setEscapeButton(keep_button)
        self.confirm_box = box

        def answered(_result: int) -> None:
            self.confirm_box = None
            if box.clickedButton() is dismiss_button:
                self._change_status(expert, "dismissed", reason)
            else:
                self.status_line.set(lambda: self.tr("Not dismissed: {name} stays in the pool.").format(
                    name=expert.name))

        box.finished.connect(answered)
        box.open()

    def _status_changed(self, expert: ExpertOut) -> None:
        self.reason_edit.clear()
        self.model.replace(expert)
        self._show_expert(expert)
        self.status_line.set(lambda: self.tr("{name} is now: {status}.").format(
            name=expert.name, status=status_text(expert.status)))

    def time_zone_changed(self) -> None:
        self.retranslate()
