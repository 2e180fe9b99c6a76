"""The bid letter (投标函) and price schedule (开标一览表), with validation shown next to each field as the
user types: 大写 must agree with the figures, the lines must add up to the total, required fields.

What the price schedule repeats from the bid letter (the amount, the duration, the bidder...) is typed
once, in the letter: the schedule shows it read-only (BidProject.carried_fields). Amounts are shown as
1,234,567.80 once typed. Each field keeps the same height whether or not a problem is shown beside it,
so nothing moves under the mouse; the problem count above is a button to the first problem.

Every change goes into the project and is saved shortly after (the draft survives a crash)."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QEvent, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from bidclient import bid_project as bp
from bidclient import priced_lines_xlsx
from bidclient.bid_forms import (
    PRICE_LINE_COLUMNS,
    WORDS_SUFFIX,
    AmountError,
    FormDef,
    Issue,
    PriceLine,
    format_figures,
    parse_figures,
    to_capital,
)
from bidclient.errors import BidclientError
from ui.bidder.common import issue_text
from ui.error_view import ErrorView, plain_label

_ERROR_STYLE = "color: #b00020;"
_OK_STYLE = "color: #1b5e20;"
_SUMMARY_STYLE = "QPushButton {{ text-align: left; border: none; padding: 2px; {colour} }}"
_CARRIED_STYLE = "background: #f0f0f0; color: #333333;"
_MONEY_COLUMNS = ("unit_price", "total")


def formatted_money(text: str) -> str:
    """``text`` as 1,234,567.80 when it is an amount, else unchanged (the problem is shown beside it)."""
    try:
        return format_figures(parse_figures(text)) if text.strip() else text
    except AmountError:
        return text


class FormSection(QGroupBox):
    """One form: a line edit per field, the problem (if any) right next to it."""

    changed = Signal()

    def __init__(self, key: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.key = key
        self.edits: dict[str, QLineEdit] = {}
        self.problems: dict[str, QLabel] = {}
        self.words_buttons: dict[str, QPushButton] = {}
        self.labels: dict[str, QLabel] = {}
        self.carried: dict[str, str] = {}  # field → the bid letter field it shows (read-only)
        self.form_layout = QFormLayout(self)
        self.form: FormDef | None = None

    def build(self, form: FormDef, values: dict[str, str], carried: dict[str, str] | None = None) -> None:
        while self.form_layout.rowCount():
            self.form_layout.removeRow(0)
        self.edits.clear()
        self.problems.clear()
        self.words_buttons.clear()
        self.labels.clear()
        self.form = form
        self.carried = dict(carried or {})
        self.setTitle(form.name)
        line_height = self.fontMetrics().lineSpacing()
        for f in form.fields:
            edit = QLineEdit(self)
            edit.setObjectName(f"{self.key}.{f.name}")
            edit.setText(formatted_money(values.get(f.name, "")) if f.type == "money" else values.get(f.name, ""))
            edit.setAccessibleName(f.label)
            edit.setMaxLength(f.max_length)
            edit.setFixedHeight(edit.sizeHint().height())  # the red border of a problem must not grow it
            if f.name in self.carried:
                edit.setReadOnly(True)
                edit.setFocusPolicy(Qt.FocusPolicy.ClickFocus)  # shown, not typed: Tab goes past it
                edit.setStyleSheet(_CARRIED_STYLE)
            else:
                edit.textChanged.connect(self.changed)
            if f.type == "money":
                edit.editingFinished.connect(lambda e=edit: self._format_amount(e))
            # One fixed height for the problem, shown or not: the fields below never move.
            problem = plain_label(self, name=f"{self.key}.{f.name}.problem")
            problem.setStyleSheet(_ERROR_STYLE)
            problem.setFixedHeight(2 * line_height + 2)
            problem.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
            policy = problem.sizePolicy()
            policy.setRetainSizeWhenHidden(True)
            policy.setHorizontalPolicy(QSizePolicy.Policy.Ignored)
            problem.setSizePolicy(policy)
            problem.setVisible(False)
            row = QHBoxLayout()
            row.setAlignment(Qt.AlignmentFlag.AlignTop)  # the field beside its label, the problem beside it
            row.addWidget(edit, 2)
            words_field = form.field(f.name[: -len(WORDS_SUFFIX)]) if f.name.endswith(WORDS_SUFFIX) else None
            if words_field is not None and words_field.type == "money" and f.name not in self.carried:
                button = QPushButton(self)
                button.setObjectName(f"{self.key}.{f.name}.fill")
                button.clicked.connect(lambda _c=False, n=f.name, m=words_field.name: self._fill_words(n, m))
                row.addWidget(button)
                self.words_buttons[f.name] = button
            row.addWidget(problem, 3)
            label = QLabel(("* " if f.required else "") + f.label, self)
            label.setBuddy(edit)
            self.form_layout.addRow(label, row)
            self.edits[f.name] = edit
            self.problems[f.name] = problem
            self.labels[f.name] = label
        self.retranslate()

    def retranslate(self) -> None:
        for button in self.words_buttons.values():
            button.setText(self.tr("Write in 大写"))
            button.setAccessibleName(self.tr("Write the amount in capital numerals from the figures"))
        for name in self.carried:
            hint = self.tr("Typed in the bid letter; shown here as it will be printed")
            self.edits[name].setToolTip(hint)
            self.edits[name].setAccessibleDescription(hint)

    def show_carried(self, letter_values: dict[str, str]) -> None:
        """Show the bid letter's values in the fields this form repeats from it."""
        for name, source in self.carried.items():
            edit = self.edits.get(name)
            if edit is None:
                continue
            value = letter_values.get(source, "")
            field = self.form.field(name) if self.form is not None else None
            edit.setText(formatted_money(value) if field is not None and field.type == "money" else value)

    @staticmethod
    def _format_amount(edit: QLineEdit) -> None:
        shown = formatted_money(edit.text())
        if shown != edit.text():
            edit.setText(shown)

    def first_problem(self) -> QLineEdit | None:
        return next((self.edits[name] for name, label in self.problems.items() if label.text()), None)

    def _fill_words(self, words_name: str, figures_name: str) -> None:
        try:
            amount = parse_figures(self.edits[figures_name].text())
        except AmountError:
            self.edits[figures_name].setFocus()
            return
        self.edits[words_name].setText(to_capital(amount))

    def values(self) -> dict[str, str]:
        return {name: edit.text() for name, edit in self.edits.items()
                if edit.text().strip() and name not in self.carried}

    def show_issues(self, issues: list[Issue]) -> None:
        by_field: dict[str, list[str]] = {}
        for issue in issues:
            by_field.setdefault(issue.field, []).append(issue_text(issue))
        for name, label in self.problems.items():
            texts = by_field.get(name, [])
            label.setText("; ".join(texts))
            label.setToolTip("; ".join(texts))
            label.setVisible(bool(texts))
            style = _CARRIED_STYLE if name in self.carried else ""
            self.edits[name].setStyleSheet(style + ("border: 1px solid #b00020;" if texts else ""))
            if name not in self.carried:
                self.edits[name].setAccessibleDescription("; ".join(texts))


class FormsEditor(QWidget):
    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("formsEditor")
        self.project: bp.BidProject | None = None
        self._loading = False
        self.intro = plain_label(self)
        self.summary = QPushButton(self)
        self.summary.setObjectName("formsSummary")
        self.summary.setFlat(True)
        self.summary.setCursor(Qt.CursorShape.PointingHandCursor)
        self.summary.clicked.connect(self.go_to_first_problem)
        self.letter = FormSection("bid_letter", self)
        self.schedule = FormSection("price_schedule", self)
        self.letter.changed.connect(self._edited)
        self.schedule.changed.connect(self._edited)
        self.lines_box = QGroupBox(self)
        self.lines = QTableWidget(0, len(PRICE_LINE_COLUMNS), self.lines_box)
        self.lines.verticalHeader().setVisible(False)  # no row numbers: no unnamed corner button
        self.lines.setObjectName("priceLines")
        self.lines.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.lines.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        # Room for a header and five lines, whatever the window's height (it collapsed to one).
        self.lines.setMinimumHeight(self.lines.horizontalHeader().sizeHint().height()
                                    + 5 * self.lines.verticalHeader().defaultSectionSize() + 4)
        self.lines.itemChanged.connect(self._line_changed)
        self.scroll_area = QScrollArea(self)
        self.lines_problem = plain_label(self, name="priceLinesProblem")
        self.lines_problem.setStyleSheet(_ERROR_STYLE)
        self.add_line_button = QPushButton(self.lines_box)
        self.add_line_button.setObjectName("addPriceLine")
        self.add_line_button.clicked.connect(self.add_line)
        self.remove_line_button = QPushButton(self.lines_box)
        self.remove_line_button.setObjectName("removePriceLine")
        self.remove_line_button.clicked.connect(self.remove_line)
        self.sum_button = QPushButton(self.lines_box)
        self.sum_button.setObjectName("sumPriceLines")
        self.sum_button.clicked.connect(self.use_sum_of_lines)
        self.import_button = QPushButton(self.lines_box)
        self.import_button.setObjectName("importPriceLines")
        self.import_button.clicked.connect(self.import_from_excel)
        self.export_button = QPushButton(self.lines_box)
        self.export_button.setObjectName("exportPriceLines")
        self.export_button.clicked.connect(self.export_to_excel)
        self.excel_error = ErrorView(self.lines_box)
        self.excel_problems = plain_label(self.lines_box, name="priceLinesImportProblems")
        self.excel_problems.setStyleSheet(_ERROR_STYLE)
        self.excel_problems.setVisible(False)
        self.excel_status = plain_label(self.lines_box, name="priceLinesExcelStatus")
        # Seams: where the file dialogs would ask (tests answer without a dialog).
        self.choose_import_file: Callable[[], Path | None] = self._ask_import_file
        self.choose_export_file: Callable[[], Path | None] = self._ask_export_file
        self.confirm_replace: Callable[[int, int], bool] = self._ask_replace
        self.cross = plain_label(self, name="formsCrossCheck")
        self.cross.setStyleSheet(_ERROR_STYLE)
        self.extra_sections: list[FormSection] = []

        buttons = QHBoxLayout()
        buttons.addWidget(self.add_line_button)
        buttons.addWidget(self.remove_line_button)
        buttons.addWidget(self.sum_button)
        buttons.addStretch(1)
        buttons.addWidget(self.import_button)
        buttons.addWidget(self.export_button)
        lines_layout = QVBoxLayout(self.lines_box)
        lines_layout.addWidget(self.lines)
        lines_layout.addLayout(buttons)
        lines_layout.addWidget(self.excel_status)
        lines_layout.addWidget(self.excel_error)
        lines_layout.addWidget(self.excel_problems)
        lines_layout.addWidget(self.lines_problem)
        inner = QWidget(self)
        self.inner_layout = QVBoxLayout(inner)
        self.inner_layout.addWidget(self.letter)
        self.inner_layout.addWidget(self.schedule)
        self.inner_layout.addWidget(self.lines_box)
        self.inner_layout.addWidget(self.cross)
        self.inner_layout.addStretch(1)
        self.scroll_area.setWidgetResizable(True)
        self.scroll_area.setWidget(inner)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.intro)
        layout.addWidget(self.summary)
        layout.addWidget(self.scroll_area, 1)
        self.save_timer = QTimer(self)
        self.save_timer.setSingleShot(True)
        self.save_timer.setInterval(400)
        self.save_timer.timeout.connect(self.save)
        self.retranslate()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def retranslate(self) -> None:
        self.intro.setText(self.tr("Fill in the forms the tender requires. Problems are shown next to each field "
                                   "as you type; the bid cannot be sealed while any remain."))
        self.lines_box.setTitle(self.tr("Priced lines (报价明细)"))
        self.lines.setAccessibleName(self.tr("Priced lines"))
        self.lines.setHorizontalHeaderLabels([heading for _, heading, _ in PRICE_LINE_COLUMNS])
        self.add_line_button.setText(self.tr("&Add line"))
        self.add_line_button.setAccessibleName(self.tr("Add a priced line"))
        self.remove_line_button.setText(self.tr("Remove line"))
        self.remove_line_button.setAccessibleName(self.tr("Remove the selected priced line"))
        self.sum_button.setText(self.tr("Use the sum as the total"))
        self.sum_button.setAccessibleName(self.tr("Put the sum of the line totals into the total"))
        self.import_button.setText(self.tr("Import from Excel…"))
        self.import_button.setAccessibleName(self.tr("Replace the priced lines with those of an Excel workbook"))
        self.export_button.setText(self.tr("Export to Excel…"))
        self.export_button.setAccessibleName(self.tr("Save the priced lines as an Excel workbook"))
        for section in (self.letter, self.schedule, *self.extra_sections):
            section.retranslate()
        self.validate()

    # --- loading and saving ---

    def set_project(self, project: bp.BidProject | None) -> None:
        self.project = project
        self._loading = True
        try:
            for section in self.extra_sections:
                section.deleteLater()
            self.extra_sections = []
            if project is None:
                self.setEnabled(False)
                return
            self.setEnabled(True)
            self.letter.build(project.bid_letter_form(), project.letter_values())
            self.schedule.build(project.price_schedule_form(), project.schedule_values(), project.carried_fields())
            for form in project.other_form_defs():
                section = FormSection(form.id, self)
                section.build(form, project.other_values(form), project.carried_fields(form))
                section.changed.connect(self._edited)
                self.inner_layout.insertWidget(self.inner_layout.count() - 2, section)
                self.extra_sections.append(section)
            self.lines.setRowCount(0)
            for line in project.price_lines:
                self._append_row([getattr(line, c) for c, _, _ in PRICE_LINE_COLUMNS])
            if not project.price_lines:
                self._append_row([""] * len(PRICE_LINE_COLUMNS))
        finally:
            self._loading = False
        self._collect()
        self.validate()

    def _append_row(self, texts: list[str]) -> None:
        row = self.lines.rowCount()
        self.lines.insertRow(row)
        columns = [c for c, _, _ in PRICE_LINE_COLUMNS]
        for column, text in enumerate(texts):
            self.lines.setItem(row, column, self._cell(columns[column], text))

    @staticmethod
    def _cell(column: str, text: str) -> QTableWidgetItem:
        if column in _MONEY_COLUMNS:
            item = QTableWidgetItem(formatted_money(text))
            item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            return item
        return QTableWidgetItem(text)

    def _line_changed(self, item: QTableWidgetItem) -> None:
        """An edited cell: amounts shown as 1,234.00; a line total worked out from quantity × unit price
        when it is still empty."""
        if self._loading:
            return
        columns = [c for c, _, _ in PRICE_LINE_COLUMNS]
        column = columns[item.column()]
        self._loading = True
        try:
            if column in _MONEY_COLUMNS and formatted_money(item.text()) != item.text():
                item.setText(formatted_money(item.text()))
            if column in ("quantity", "unit_price"):
                self._fill_line_total(item.row())
        finally:
            self._loading = False
        self._edited()

    def _fill_line_total(self, row: int) -> None:
        columns = [c for c, _, _ in PRICE_LINE_COLUMNS]
        cells = {c: self.lines.item(row, i) for i, c in enumerate(columns)}
        total = cells["total"]
        if total is not None and total.text().strip():
            return
        try:
            quantity = parse_figures(cells["quantity"].text() if cells["quantity"] is not None else "")
            price = parse_figures(cells["unit_price"].text() if cells["unit_price"] is not None else "")
        except AmountError:
            return
        from decimal import ROUND_HALF_UP, Decimal

        amount = (quantity * price).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
        self.lines.setItem(row, columns.index("total"), self._cell("total", format_figures(amount)))

    def add_line(self) -> None:
        self._loading = True
        self._append_row([""] * len(PRICE_LINE_COLUMNS))
        self._loading = False
        self.lines.setCurrentCell(self.lines.rowCount() - 1, 0)
        self._edited()

    def remove_line(self) -> None:
        row = self.lines.currentRow()
        if row >= 0:
            self.lines.removeRow(row)
            self._edited()

    def set_line(self, row: int, values: dict[str, str]) -> None:
        """Type a whole line (tests and paste)."""
        while self.lines.rowCount() <= row:
            self._append_row([""] * len(PRICE_LINE_COLUMNS))
        columns = [c for c, _, _ in PRICE_LINE_COLUMNS]
        for name, value in values.items():
            self.lines.setItem(row, columns.index(name), self._cell(name, value))

    def use_sum_of_lines(self) -> None:
        if self.project is None:
            return
        try:
            total = sum((parse_figures(line.total) for line in self.project.price_lines if line.total.strip()),
                        start=parse_figures("0"))
        except AmountError:
            return
        # The total is the bid letter's amount, typed once there; the schedule shows it.
        carried = self.project.carried_fields()
        for name, shown in (("total", format_figures(total)), ("total_words", to_capital(total))):
            section, field = (self.letter, carried[name]) if name in carried else (self.schedule, name)
            if field in section.edits:
                section.edits[field].setText(shown)

    # --- Excel ---

    def _ask_import_file(self) -> Path | None:
        name, _filter = QFileDialog.getOpenFileName(self, self.tr("Import priced lines from Excel"), "",
                                                    self.tr("Excel workbooks (*.xlsx)"))
        return Path(name) if name else None

    def _ask_export_file(self) -> Path | None:
        name, _filter = QFileDialog.getSaveFileName(self, self.tr("Export priced lines to Excel"),
                                                    str(Path.home() / "报价明细.xlsx"),
                                                    self.tr("Excel workbooks (*.xlsx)"))
        return Path(name) if name else None

    def _ask_replace(self, current: int, imported: int) -> bool:
        answer = QMessageBox.question(
            self, self.tr("Replace the priced lines?"),
            self.tr("The bid has {current} priced line(s). Replace them with the {imported} line(s) of the "
                    "workbook?").format(current=current, imported=imported))
        return answer == QMessageBox.StandardButton.Yes

    def _clear_excel_messages(self) -> None:
        self.excel_error.clear()
        self.excel_problems.clear()
        self.excel_problems.setVisible(False)
        self.excel_status.clear()

    def import_from_excel(self) -> bool:
        """Replace the lines with a workbook's, all or nothing; True if they were replaced."""
        if self.project is None:
            return False
        path = self.choose_import_file()
        if path is None:
            return False
        self._clear_excel_messages()
        try:
            lines = priced_lines_xlsx.import_lines(path)
        except priced_lines_xlsx.LinesImportError as ex:
            self.excel_error.show_error(ex)
            self.excel_problems.setText("\n".join(str(problem) for problem in ex.problems))
            self.excel_problems.setVisible(True)
            return False
        current = self._lines()
        if current and not self.confirm_replace(len(current), len(lines)):
            return False
        self._loading = True
        try:
            self.lines.setRowCount(0)
            for line in lines:
                self._append_row([getattr(line, c) for c, _, _ in PRICE_LINE_COLUMNS])
        finally:
            self._loading = False
        self._edited()
        self.save()
        self.excel_status.setText(self.tr("{count} line(s) imported from {file}.").format(count=len(lines),
                                                                                            file=path.name))
        return True

    def export_to_excel(self) -> bool:
        if self.project is None:
            return False
        path = self.choose_export_file()
        if path is None:
            return False
        if path.suffix.lower() != ".xlsx":
            path = path.with_name(path.name + ".xlsx")
        self._clear_excel_messages()
        lines = self._lines()
        try:
            priced_lines_xlsx.export_lines(lines, path)
        except BidclientError as ex:
            self.excel_error.show_error(ex)
            return False
        self.excel_status.setText(self.tr("{count} line(s) exported to {file}.").format(count=len(lines),
                                                                                          file=path.name))
        return True

    def _lines(self) -> list[PriceLine]:
        columns = [c for c, _, _ in PRICE_LINE_COLUMNS]
        out = []
        for row in range(self.lines.rowCount()):
            items = [self.lines.item(row, i) for i in range(len(columns))]
            cells = {c: (item.text() if item is not None else "") for c, item in zip(columns, items, strict=True)}
            if any(v.strip() for v in cells.values()):
                out.append(PriceLine(**cells))
        return out

    def _collect(self) -> None:
        if self.project is None:
            return
        self.project.bid_letter = self.letter.values()
        self.project.price_schedule = self.schedule.values()
        self._loading, loading = True, self._loading
        try:
            for section in (self.schedule, *self.extra_sections):
                section.show_carried(self.project.letter_values())
        finally:
            self._loading = loading
        self.project.price_lines = self._lines()
        for section in self.extra_sections:
            self.project.other_forms[section.key] = section.values()

    def _edited(self) -> None:
        if self._loading or self.project is None:
            return
        self._collect()
        self.validate()
        self.save_timer.start()
        self.changed.emit()

    def save(self) -> None:
        if self.project is not None:
            self.project.save()

    # --- validation ---

    def validate(self) -> int:
        """Show every problem next to its field; returns how many there are."""
        if self.project is None:
            self.summary.setText("")
            return 0
        issues = self.project.form_issues()
        # A problem of a field the schedule repeats is shown where it is typed too (the bid letter).
        echoed = []
        for section in (self.schedule, *self.extra_sections):
            echoed += [dataclasses.replace(i, field=section.carried[i.field]) for i in issues.get(section.key, [])
                       if i.field in section.carried]
        self.letter.show_issues(issues["bid_letter"] + issues["cross"] + echoed)
        self.schedule.show_issues(issues["price_schedule"])
        for section in self.extra_sections:
            section.show_issues(issues.get(section.key, []))
        line_issues = [i for i in issues["price_schedule"] if i.field.startswith("lines")]
        self.lines_problem.setText("\n".join(f"{self._line_prefix(i)}{issue_text(i)}" for i in line_issues))
        self.lines_problem.setVisible(bool(line_issues))
        self.cross.setText("\n".join(issue_text(i) for i in issues["cross"]))
        self.cross.setVisible(bool(issues["cross"]))
        count = sum(len(v) for v in issues.values())
        if count:
            self.summary.setText(self.tr("{count} problem(s) to fix before sealing — show the first").format(
                count=count))
            self.summary.setStyleSheet(_SUMMARY_STYLE.format(colour=_ERROR_STYLE + " text-decoration: underline;"))
            self.summary.setAccessibleName(self.tr("Go to the first problem"))
        else:
            self.summary.setText(self.tr("The forms are complete and consistent."))
            self.summary.setStyleSheet(_SUMMARY_STYLE.format(colour=_OK_STYLE))
            self.summary.setAccessibleName(self.tr("The forms are complete and consistent."))
        self.summary.setEnabled(bool(count))
        return count

    def go_to_first_problem(self) -> None:
        """Scroll to the first field with a problem and put the cursor in it."""
        for section in (self.letter, self.schedule, *self.extra_sections):
            edit = section.first_problem()
            if edit is not None:
                source = section.carried.get(edit.objectName().split(".", 1)[1])
                target = self.letter.edits.get(source, edit) if source else edit  # typed in the letter
                self.scroll_area.ensureWidgetVisible(target, 50, 50)
                target.setFocus(Qt.FocusReason.OtherFocusReason)
                target.selectAll()
                return
        if self.lines_problem.text():
            self.scroll_area.ensureWidgetVisible(self.lines_box, 50, 50)
            self.lines.setFocus(Qt.FocusReason.OtherFocusReason)
            first = next((i for i in self._line_issue_fields()), None)
            if first is not None:
                self.lines.setCurrentCell(*first)
        elif self.cross.text():
            self.scroll_area.ensureWidgetVisible(self.cross, 50, 50)

    def _line_issue_fields(self) -> list[tuple[int, int]]:
        if self.project is None:
            return []
        columns = [c for c, _, _ in PRICE_LINE_COLUMNS]
        out = []
        for issue in self.project.form_issues()["price_schedule"]:
            parts = issue.field.split(".")
            if len(parts) == 3 and parts[0] == "lines" and parts[1].isdigit() and parts[2] in columns:
                out.append((int(parts[1]), columns.index(parts[2])))
        return out

    def _line_prefix(self, issue: Issue) -> str:
        parts = issue.field.split(".")
        if len(parts) >= 2 and parts[1].isdigit():
            return self.tr("Line {n}: ").format(n=int(parts[1]) + 1)
        return ""
