"""CSV import and export of the pool (docs/formats/expert-csv.md). The import is all or nothing: a file with
a bad row changes nothing, and the server's per-row report is shown as a table (line, what is wrong)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QEvent, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from bidclient.experts import ExpertsService, ImportRefused
from bidclient.protocol.experts import ImportOut, ImportRowError
from ui.context import AppContext
from ui.error_view import ErrorView, plain_label
from ui.status_line import StatusLine
from ui.workers import Task, start


class TransferPage(QWidget):
    imported = Signal(object)  # ImportOut: the pool changed

    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("poolTransfer")
        self.context = context
        self.report: list[ImportRowError] = []
        self._task: Task | None = None
        self._file = ""

        self.heading = QLabel(self)
        self.heading.setStyleSheet("font-weight: bold;")
        self.explanation = plain_label(self, name="transferExplanation")
        self.import_button = QPushButton(self)
        self.import_button.setObjectName("importCsv")
        self.import_button.clicked.connect(self.choose_import)
        self.export_button = QPushButton(self)
        self.export_button.setObjectName("exportCsv")
        self.export_button.clicked.connect(self.choose_export)
        self.outcome = plain_label(self, name="importOutcome")
        self.outcome.setStyleSheet("font-weight: bold;")
        self.report_table = QTableWidget(0, 2, self)
        self.report_table.setObjectName("importReport")
        self.report_table.verticalHeader().setVisible(False)
        self.report_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.report_table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        self.report_table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.report_table.setVisible(False)
        self.status = plain_label(self, name="transferStatus")
        self.status_line = StatusLine(self.status)
        self.error_view = ErrorView(self)

        buttons = QHBoxLayout()
        buttons.addWidget(self.import_button)
        buttons.addWidget(self.export_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addWidget(self.explanation)
        layout.addLayout(buttons)
        layout.addWidget(self.status)
        layout.addWidget(self.outcome)
        layout.addWidget(self.report_table, 1)  # above the message, whose hint speaks of "the rows listed above"
        layout.addWidget(self.error_view)
        layout.addStretch(0)
        self.retranslate()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def retranslate(self) -> None:
        self.heading.setText(self.tr("Import and export the pool (CSV)"))
        self.explanation.setText(self.tr(
            "The import admits new experts and updates those already in the pool (by identity). It is all or "
            "nothing: if any row is wrong, nothing is imported and every bad line is listed. The export is a file "
            "the import takes back: export, edit in a spreadsheet, save as 'CSV UTF-8', import."))
        self.import_button.setText(self.tr("&Import CSV…"))
        self.import_button.setAccessibleName(self.tr("Import experts from a CSV file"))
        self.export_button.setText(self.tr("&Export CSV…"))
        self.export_button.setAccessibleName(self.tr("Export the pool to a CSV file"))
        self.report_table.setAccessibleName(self.tr("Rows the import refused"))
        self.report_table.setHorizontalHeaderLabels([self.tr("Line"), self.tr("What is wrong")])
        self.status_line.retranslate()
        self._show_report()

    @property
    def busy(self) -> bool:
        return self._task is not None

    # --- import ---

    def choose_import(self) -> None:
        path, _filter = QFileDialog.getOpenFileName(self, self.tr("Import experts"), "",
                                                    self.tr("CSV files (*.csv);;All files (*)"))
        if path:
            self.import_file(Path(path))

    def import_file(self, path: Path) -> None:
        self._file = path.name
        self.report = []
        self.outcome.clear()
        self._show_report()
        self._run(lambda s: s.import_csv(path), self._imported,
                  lambda: self.tr("Checking and importing {file}…").format(file=path.name))

    def _imported(self, out: ImportOut) -> None:
        self.status_line.set(lambda: self.tr("{file} imported: {created} new expert(s), {updated} updated.").format(
            file=self._file, created=out.created, updated=out.updated))
        self.imported.emit(out)

    def _show_report(self) -> None:
        rows = self.report
        self.report_table.setVisible(bool(rows))
        self.report_table.setRowCount(len(rows))
        for row, r in enumerate(rows):
            self.report_table.setItem(row, 0, QTableWidgetItem(str(r.row)))
            self.report_table.setItem(row, 1, QTableWidgetItem("; ".join(r.errors)))
        if rows:
            self.outcome.setText(self.tr("{file} was refused as a whole: {count} line(s) are wrong. Nothing was "
                                         "imported and the pool is unchanged.").format(file=self._file,
                                                                                        count=len(rows)))

    # --- export ---

    def choose_export(self) -> None:
        path, _filter = QFileDialog.getSaveFileName(self, self.tr("Export the pool"), "experts.csv",
                                                    self.tr("CSV files (*.csv)"))
        if path:
            self.export_to(Path(path))

    def export_to(self, path: Path) -> None:
        self.outcome.clear()
        self.report = []
        self._show_report()
        self._run(lambda s: s.export_csv(path), lambda size: self.status_line.set(
            lambda: self.tr("The pool was saved to {path} ({size} bytes).").format(path=str(path), size=size)),
            lambda: self.tr("Exporting the pool…"))

    # --- tasks ---

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
        task = Task(lambda _ctx: job(ExpertsService(client)), name="pool-transfer")
        task.signals.succeeded.connect(on_success)
        task.signals.failed.connect(self._failed)
        task.signals.finished.connect(self._done)
        self.import_button.setEnabled(False)
        self.export_button.setEnabled(False)
        self._task = start(task)

    def _done(self) -> None:
        self._task = None
        self.import_button.setEnabled(True)
        self.export_button.setEnabled(True)

    def _failed(self, error: BaseException) -> None:
        self.status_line.clear()
        if isinstance(error, ImportRefused):
            self.report = list(error.rows)
            self._show_report()
        self.error_view.show_error(error)
