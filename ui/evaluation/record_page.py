"""The expert's own record in the pool: specialties, region, title, contact, and the status with its history
(GET /experts/me: the server gives an expert nothing but their own record), plus their relations
(评标委员会和评标方法暂行规定 Art. 12 回避, GET /experts/me/relations), which they declare and withdraw
themselves in :class:`ui.evaluation.relations_panel.RelationsPanel`; those the administrator recorded are
listed there too, and only the administrator changes them.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from bidclient import timefmt
from bidclient.experts import ExpertsService
from bidclient.protocol.experts import ExpertOut, RelationOut, SpecialtyOut
from ui.context import AppContext
from ui.error_view import ErrorView, plain_label
from ui.evaluation.relations_panel import RelationsPanel
from ui.expert_texts import status_text
from ui.status_line import StatusLine
from ui.workers import Task, start


@dataclass(frozen=True)
class OwnRecord:
    expert: ExpertOut
    specialties: list[SpecialtyOut]
    relations: list[RelationOut]


def fetch_own_record(service: ExpertsService) -> OwnRecord:
    """Worker side: the record, the specialty names it refers to, and the relations (withdrawn ones too)."""
    return OwnRecord(service.me(), service.specialties(), service.my_relations())


class RecordPage(QWidget):
    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("expertRecord")
        self.context = context
        self.record: OwnRecord | None = None
        self._task: Task | None = None

        self.heading = QLabel(self)
        self.heading.setStyleSheet("font-weight: bold;")
        self.refresh_button = QPushButton(self)
        self.refresh_button.setObjectName("refreshRecord")
        self.refresh_button.clicked.connect(self.refresh)
        self.form = QFormLayout()
        self.values: dict[str, QLabel] = {}
        self.captions: dict[str, QLabel] = {}
        for key in ("name", "identity", "employer", "specialties", "region", "title", "email", "phone", "status"):
            caption = QLabel(self)
            value = plain_label(self, name=f"record_{key}")
            self.captions[key], self.values[key] = caption, value
            self.form.addRow(caption, value)
        self.history_label = QLabel(self)
        self.history = QTableWidget(0, 5, self)
        self.history.setObjectName("recordHistory")
        self.history.verticalHeader().setVisible(False)
        self.history.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.history.horizontalHeader().setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.relations = RelationsPanel(context, self)
        self.status = plain_label(self, name="recordStatus")
        self.status_line = StatusLine(self.status)
        self.error_view = ErrorView(self)

        top = QHBoxLayout()
        top.addWidget(self.heading, 1)
        top.addWidget(self.refresh_button)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addLayout(self.form)
        layout.addWidget(self.history_label)
        layout.addWidget(self.history, 1)
        layout.addWidget(self.relations, 2)
        layout.addWidget(self.status)
        layout.addWidget(self.error_view)
        self.retranslate()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def retranslate(self) -> None:
        self.heading.setText(self.tr("My record in the expert pool"))
        self.refresh_button.setText(self.tr("Re&fresh"))
        self.refresh_button.setAccessibleName(self.tr("Refresh my record"))
        captions = {"name": self.tr("Name:"), "identity": self.tr("Identity:"), "employer": self.tr("Employer:"),
                    "specialties": self.tr("Specialties:"), "region": self.tr("Region:"), "title": self.tr("Title:"),
                    "email": self.tr("E-mail:"), "phone": self.tr("Phone:"), "status": self.tr("Status:")}
        for key, text in captions.items():
            self.captions[key].setText(text)
        self.history_label.setText(self.tr("Status history"))
        self.history.setAccessibleName(self.tr("Status history"))
        zone = timefmt.current_zone_label()
        self.history.setHorizontalHeaderLabels([self.tr("When ({zone})").format(zone=zone), self.tr("Status"),
                                                self.tr("Reason"), self.tr("Until"), self.tr("By")])
        self.status_line.retranslate()
        self._show()

    @property
    def busy(self) -> bool:
        return self._task is not None or self.relations.busy

    def refresh(self) -> None:
        client = self.context.client()
        if client is None:
            self.record = None
            self._show()
            self.relations.clear()
            self.status_line.set(lambda: self.tr("Sign in with your dongle to see your record."))
            return
        if self.busy:
            return
        self.error_view.clear()
        self.relations.error_view.clear()
        self.status_line.set(lambda: self.tr("Asking the server…"))
        task = Task(lambda _ctx: fetch_own_record(ExpertsService(client)), name="expert-record")
        task.signals.succeeded.connect(self._loaded)
        task.signals.failed.connect(self._failed)
        task.signals.finished.connect(self._done)
        self.refresh_button.setEnabled(False)
        self._task = start(task)

    def _done(self) -> None:
        self._task = None
        self.refresh_button.setEnabled(True)

    def _failed(self, error: BaseException) -> None:
        self.record = None
        self._show()
        self.relations.clear()
        self.status_line.clear()
        self.error_view.show_error(error)

    def _loaded(self, record: OwnRecord) -> None:
        self.record = record
        self._show()
        # Only here: the panel's list may be newer than the record (after a declaration), and a language
        # switch re-shows the record.
        self.relations.set_relations(record.relations, dismissed=record.expert.status == "dismissed")
        self.status_line.clear()

    def _show(self) -> None:
        record = self.record
        if record is None:
            for label in self.values.values():
                label.clear()
            self.history.setRowCount(0)
            return
        e = record.expert
        names = {s.code: s.name for s in record.specialties}
        status = status_text(e.status)
        if e.status == "suspended" and e.suspended_until is not None:
            status = self.tr("{status} until {time}").format(status=status,
                                                             time=timefmt.format_time(e.suspended_until))
        values = {"name": e.name, "identity": e.identity, "employer": f"{e.employer_name} ({e.employer_uscc})",
                  "specialties": "; ".join(f"{names.get(c, c)} ({c})" for c in e.specialties),
                  "region": e.region, "title": e.title, "email": e.email or "—", "phone": e.phone or "—",
                  "status": status}
        for key, text in values.items():
            self.values[key].setText(text)
        self.history.setRowCount(len(e.history))
        for row, h in enumerate(reversed(e.history)):  # the newest first
            cells = [timefmt.format_time(h.at, named=False), status_text(h.status), h.reason,
                     timefmt.format_time(h.until, named=False) if h.until else "", h.by]
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setToolTip(text)
                self.history.setItem(row, column, item)
        for column in (0, 1, 3):
            self.history.resizeColumnToContents(column)

    def time_zone_changed(self) -> None:
        self.retranslate()
        self.relations.time_zone_changed()
