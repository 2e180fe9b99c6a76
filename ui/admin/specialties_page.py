"""The specialty codes of the pool (专业分类): list them; add one or change a name or category."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QEvent, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from bidclient.experts import ExpertsService
from bidclient.protocol.experts import SpecialtyOut
from ui.context import AppContext
from ui.error_view import ErrorView, plain_label
from ui.expert_texts import category_text
from ui.status_line import StatusLine
from ui.workers import Task, start

CATEGORIES = ("technical", "economic", "legal", "other")


class SpecialtiesPage(QWidget):
    changed = Signal(object)  # the list of SpecialtyOut, after loading or saving

    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("specialtiesPage")
        self.context = context
        self.specialties: list[SpecialtyOut] = []
        self._task: Task | None = None

        self.heading = QLabel(self)
        self.heading.setStyleSheet("font-weight: bold;")
        self.refresh_button = QPushButton(self)
        self.refresh_button.setObjectName("refreshSpecialties")
        self.refresh_button.clicked.connect(self.refresh)
        self.table = QTableWidget(0, 3, self)
        self.table.setObjectName("specialtyTable")
        self.table.verticalHeader().setVisible(False)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSortingEnabled(True)
        self.table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.table.itemSelectionChanged.connect(self._selected)
        self.edit_box = QGroupBox(self)
        self.code_label = QLabel(self.edit_box)
        self.code_edit = QLineEdit(self.edit_box)
        self.code_edit.setObjectName("specialtyCode")
        self.code_edit.setMaxLength(32)
        self.code_label.setBuddy(self.code_edit)
        self.name_label = QLabel(self.edit_box)
        self.name_edit = QLineEdit(self.edit_box)
        self.name_edit.setObjectName("specialtyName")
        self.name_edit.setMaxLength(300)
        self.name_label.setBuddy(self.name_edit)
        self.category_label = QLabel(self.edit_box)
        self.category = QComboBox(self.edit_box)
        self.category.setObjectName("specialtyCategory")
        self.category_label.setBuddy(self.category)
        self.save_button = QPushButton(self.edit_box)
        self.save_button.setObjectName("saveSpecialty")
        self.save_button.clicked.connect(self.save)
        for edit in (self.code_edit, self.name_edit):
            edit.textChanged.connect(lambda _t: self._update_buttons())
            edit.returnPressed.connect(self.save)
        self.note = plain_label(self.edit_box, name="specialtyNote")
        self.note.setStyleSheet("color: #555;")
        form = QFormLayout(self.edit_box)
        form.addRow(self.code_label, self.code_edit)
        form.addRow(self.name_label, self.name_edit)
        form.addRow(self.category_label, self.category)
        form.addRow(self.note)
        form.addRow(self.save_button)
        self.status = plain_label(self, name="specialtiesStatus")
        self.status_line = StatusLine(self.status)
        self.error_view = ErrorView(self)

        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addWidget(self.refresh_button)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.edit_box)
        layout.addWidget(self.status)
        layout.addWidget(self.error_view)
        self.retranslate()
        self._update_buttons()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def retranslate(self) -> None:
        self.heading.setText(self.tr("Specialties (专业分类)"))
        self.refresh_button.setText(self.tr("Re&fresh"))
        self.refresh_button.setAccessibleName(self.tr("Refresh the specialties"))
        self.table.setAccessibleName(self.tr("Specialties"))
        self.table.setHorizontalHeaderLabels([self.tr("Code"), self.tr("Name"), self.tr("Category")])
        self.edit_box.setTitle(self.tr("Add a specialty, or change the one selected"))
        self.code_label.setText(self.tr("C&ode:"))
        self.code_edit.setAccessibleName(self.tr("Specialty code"))
        self.code_edit.setPlaceholderText(self.tr("e.g. it.hw"))
        self.name_label.setText(self.tr("Na&me:"))
        self.name_edit.setAccessibleName(self.tr("Specialty name"))
        self.category_label.setText(self.tr("Ca&tegory:"))
        self.category.setAccessibleName(self.tr("Specialty category"))
        chosen = self.category.currentData()
        self.category.clear()
        for c in CATEGORIES:
            self.category.addItem(category_text(c), c)
        self.category.setCurrentIndex(max(self.category.findData(chosen or CATEGORIES[0]), 0))
        self.note.setText(self.tr("Technical and economic experts must be at least two thirds of a committee; "
                                  "the category says which a specialty is."))
        self.save_button.setText(self.tr("&Save specialty"))
        self.save_button.setAccessibleName(self.tr("Save the specialty"))
        self.status_line.retranslate()
        self._fill()

    @property
    def busy(self) -> bool:
        return self._task is not None

    def refresh(self) -> None:
        self._run(lambda s: s.specialties(), self._loaded, lambda: self.tr("Asking the server…"))

    def _loaded(self, specialties: list[SpecialtyOut]) -> None:
        self.specialties = sorted(specialties, key=lambda s: s.code)
        self._fill()
        self.status_line.set(lambda: self.tr("{count} specialties.").format(count=len(self.specialties)))
        self.changed.emit(self.specialties)

    def _fill(self) -> None:
        self.table.setSortingEnabled(False)
        self.table.setRowCount(len(self.specialties))
        for row, s in enumerate(self.specialties):
            for column, text in enumerate([s.code, s.name, category_text(s.category)]):
                self.table.setItem(row, column, QTableWidgetItem(text))
        self.table.setSortingEnabled(True)

    def _selected(self) -> None:
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return
        code_item = self.table.item(rows[0].row(), 0)
        chosen = next((s for s in self.specialties if code_item is not None and s.code == code_item.text()), None)
        if chosen is not None:
            self.code_edit.setText(chosen.code)
            self.name_edit.setText(chosen.name)
            self.category.setCurrentIndex(max(self.category.findData(chosen.category), 0))

    def _update_buttons(self) -> None:
        self.save_button.setEnabled(self._task is None and bool(self.code_edit.text().strip())
                                    and bool(self.name_edit.text().strip()))
        self.refresh_button.setEnabled(self._task is None)

    def save(self) -> None:
        code, name = self.code_edit.text().strip(), self.name_edit.text().strip()
        category = str(self.category.currentData())
        if not code or not name:
            self.status_line.set(lambda: self.tr("Give the code and the name."))
            return
        self._run(lambda s: (s.put_specialty(code, name, category), s.specialties()), self._saved,
                  lambda: self.tr("Saving…"))

    def _saved(self, result: tuple[SpecialtyOut, list[SpecialtyOut]]) -> None:
        saved, specialties = result
        self._loaded(specialties)
        self.status_line.set(lambda: self.tr("Saved {code}: {name}.").format(code=saved.code, name=saved.name))

    def _run(self, job: Callable[[ExpertsService], Any], on_success: Callable[[Any], None],
             waiting: Callable[[], str]) -> None:
        client = self.context.client()
        if client is None:
            self.status_line.set(lambda: self.tr("Sign in as the pool's administrator first."))
            return
        if self._task is not None:
            return
        self.error_view.clear()
        self.status_line.set(waiting)
        task = Task(lambda _ctx: job(ExpertsService(client)), name="pool-specialties")
        task.signals.succeeded.connect(on_success)
        task.signals.failed.connect(self._failed)
        task.signals.finished.connect(self._done)
        self._task = start(task)
        self._update_buttons()

    def _done(self) -> None:
        self._task = None
        self._update_buttons()

    def _failed(self, error: BaseException) -> None:
        self.status_line.clear()
        self.error_view.show_error(error)
