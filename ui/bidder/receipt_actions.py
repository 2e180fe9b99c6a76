"""Under the receipt: "Save the receipt as PDF…" (回执, printed only from a receipt that verifies) and
"Export the sealed bid…" (the .bid, its receipts and how to open it by hand, to a folder or a ZIP; the
copy's SHA-256 is checked). Shown on the submit page."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QEvent, Signal
from PySide6.QtWidgets import QFileDialog, QHBoxLayout, QPushButton, QVBoxLayout, QWidget

from bidclient.receipt_print import save_receipt_pdf
from bidclient.sealed_export import ExportedBid, export_sealed_bid
from bidclient.submit import receipt_path
from ui.error_view import ErrorView, plain_label
from ui.workers import Task, TaskContext, start

Chooser = Callable[[], Path | None]


class ReceiptActions(QWidget):
    exported = Signal(object)  # ExportedBid
    printed = Signal(object)  # Path of the PDF

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("receiptActions")
        self.bid: Path | None = None
        self._status: Callable[[], str] = str  # the status line, re-rendered when the language changes
        self._task: Task | None = None
        # Where to write: a file dialog by default; tests replace these with a fixed answer.
        self.choose_pdf: Chooser = self._ask_pdf
        self.choose_export: Chooser = self._ask_export
        self.pdf_button = QPushButton(self)
        self.pdf_button.setObjectName("receiptPdfButton")
        self.pdf_button.clicked.connect(self.save_pdf)
        self.export_button = QPushButton(self)
        self.export_button.setObjectName("exportBidButton")
        self.export_button.clicked.connect(self.export)
        self.status = plain_label(self, name="receiptActionsStatus")
        self.error_view = ErrorView(self)
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.pdf_button)
        row.addWidget(self.export_button)
        row.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(row)
        layout.addWidget(self.status)
        layout.addWidget(self.error_view)
        self.retranslate()
        self.set_bid(None)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def retranslate(self) -> None:
        self.pdf_button.setText(self.tr("Save the receipt as &PDF…"))
        self.pdf_button.setAccessibleName(self.tr("Save the verified receipt (回执) as a PDF to keep or print"))
        self.export_button.setText(self.tr("&Export the sealed bid…"))
        self.export_button.setAccessibleName(self.tr("Copy the sealed bid and its receipt to a folder or a ZIP"))
        self._say(self._status)

    def _say(self, text: Callable[[], str]) -> None:
        self._status = text
        self.status.setText(text())

    def receipt_file(self) -> Path | None:
        if self.bid is None:
            return None
        for path in (receipt_path(self.bid), self.bid.with_name(self.bid.name + ".withdrawal.receipt")):
            if path.is_file():
                return path
        return None

    def set_bid(self, bid: Path | None) -> None:
        if bid != self.bid:
            self._say(str)
            self.error_view.clear()
        self.bid = bid
        idle = self._task is None
        self.pdf_button.setEnabled(idle and self.receipt_file() is not None)
        self.export_button.setEnabled(idle and bid is not None and bid.is_file())

    # --- where to ---

    def _ask_pdf(self) -> Path | None:
        receipt = self.receipt_file()
        suggested = str(receipt.with_suffix(".pdf")) if receipt else ""
        name, _filter = QFileDialog.getSaveFileName(self, self.tr("Save the receipt as PDF"), suggested,
                                                    self.tr("PDF files (*.pdf)"))
        return Path(name) if name else None

    def _ask_export(self) -> Path | None:
        suggested = str(Path.home() / (self.bid.stem + ".zip")) if self.bid else ""
        name, _filter = QFileDialog.getSaveFileName(
            self, self.tr("Export the sealed bid"), suggested,
            self.tr("ZIP archive (*.zip);;Folder (any name without .zip)"),
            options=QFileDialog.Option.DontConfirmOverwrite)
        return Path(name) if name else None

    # --- doing it ---

    def save_pdf(self) -> None:
        receipt = self.receipt_file()
        if receipt is None:
            return
        out = self.choose_pdf()
        if out is None:
            return
        if out.suffix.lower() != ".pdf":
            out = out.with_name(out.name + ".pdf")
        self.error_view.clear()
        try:
            # Only a receipt that verifies is printed; with the bid beside it, its hash is checked too.
            check = self.bid if self.bid is not None and receipt == receipt_path(self.bid) else None
            save_receipt_pdf(receipt, out, bid=check, overwrite=True)
        except Exception as ex:  # shown in words with its code; nothing was written
            self._say(str)
            self.error_view.show_error(ex)
            return
        self._say(lambda: self.tr("The receipt was verified and saved as {path}").format(path=out))
        self.printed.emit(out)

    def export(self) -> None:
        bid = self.bid
        if bid is None or self._task is not None:
            return
        destination = self.choose_export()
        if destination is None:
            return
        self.error_view.clear()
        self._say(lambda: self.tr("Exporting…"))

        def job(_ctx: TaskContext) -> ExportedBid:
            return export_sealed_bid(bid, destination)

        task = Task(job, name="export")
        task.signals.succeeded.connect(self._exported)
        task.signals.failed.connect(self._failed)
        task.signals.finished.connect(self._finished)
        self._task = start(task)
        self.set_bid(bid)

    def _exported(self, result: ExportedBid) -> None:
        def text() -> str:
            if result.receipt_checked:
                return self.tr("Exported to {path}; the copy's SHA-256 was checked against the receipt.")
            return self.tr("Exported to {path}; the copy's SHA-256 was checked.")

        self._say(lambda: text().format(path=result.destination))
        self.exported.emit(result)

    def _failed(self, error: BaseException) -> None:
        self._say(lambda: self.tr("Not exported."))
        self.error_view.show_error(error)

    def _finished(self) -> None:
        self._task = None
        self.set_bid(self.bid)
