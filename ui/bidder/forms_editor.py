"""The bid letter (投标函) and price schedule (开标一览表), with validation shown next to each field as the
user types: 大写 must agree with the figures, the lines must add up to the total, required fields.

Every change goes into the project and is saved shortly after (the draft survives a crash)."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from bidclient import bid_project as bp
from forms.amounts import parse_figures, to_capital
from forms.errors import AmountError
from forms.model import PRICE_LINE_COLUMNS, WORDS_SUFFIX, FormDef, Issue, PriceLine
from ui.bidder.common import issue_text
from ui.error_view import plain_label

_ERROR_STYLE = "color: #b00020;"
_OK_STYLE = "color: #1b5e20;"


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
        self.form_layout = QFormLayout(self)
        self.form: FormDef | None = None

    def build(self, form: FormDef, values: dict[str, str]) -> None:
        while self.form_layout.rowCount():
            self.form_layout.removeRow(0)
        self.edits.clear()
        self.problems.clear()
        self.words_buttons.clear()
        self.labels.clear()
        self.form = form
        self.setTitle(form.name)
        for f in form.fields:
            edit = QLineEdit(self)
            edit.setObjectName(f"{self.key}.{f.name}")
            edit.setText(values.get(f.name, ""))
            edit.setAccessibleName(f.label)
            edit.setMaxLength(f.max_length)
            edit.textChanged.connect(self.changed)
            problem = plain_label(self, name=f"{self.key}.{f.name}.problem")
            problem.setStyleSheet(_ERROR_STYLE)
            problem.setVisible(False)
            row = QHBoxLayout()
            row.addWidget(edit, 2)
            words_field = form.field(f.name[: -len(WORDS_SUFFIX)]) if f.name.endswith(WORDS_SUFFIX) else None
            if words_field is not None and words_field.type == "money":
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

    def _fill_words(self, words_name: str, figures_name: str) -> None:
        try:
            amount = parse_figures(self.edits[figures_name].text())
        except AmountError:
            self.edits[figures_name].setFocus()
            return
        self.edits[words_name].setText(to_capital(amount))

    def values(self) -> dict[str, str]:
        return {name: edit.text() for name, edit in self.edits.items() if edit.text().strip()}

    def show_issues(self, issues: list[Issue]) -> None:
        by_field: dict[str, list[str]] = {}
        for issue in issues:
            by_field.setdefault(issue.field, []).append(issue_text(issue))
        for name, label in self.problems.items():
            texts = by_field.get(name, [])
            label.setText("; ".join(texts))
            label.setVisible(bool(texts))
            self.edits[name].setStyleSheet("border: 1px solid #b00020;" if texts else "")
            self.edits[name].setAccessibleDescription("; ".join(texts))


class FormsEditor(QWidget):
    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("formsEditor")
        self.project: bp.BidProject | None = None
        self._loading = False
        self.intro = plain_label(self)
        self.summary = plain_label(self, name="formsSummary")
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
        self.lines.itemChanged.connect(lambda _item: self._edited())
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
        self.cross = plain_label(self, name="formsCrossCheck")
        self.cross.setStyleSheet(_ERROR_STYLE)
        self.extra_sections: list[FormSection] = []

        buttons = QHBoxLayout()
        buttons.addWidget(self.add_line_button)
        buttons.addWidget(self.remove_line_button)
        buttons.addWidget(self.sum_button)
        buttons.addStretch(1)
        lines_layout = QVBoxLayout(self.lines_box)
        lines_layout.addWidget(self.lines)
        lines_layout.addLayout(buttons)
        lines_layout.addWidget(self.lines_problem)
        inner = QWidget(self)
        self.inner_layout = QVBoxLayout(inner)
        self.inner_layout.addWidget(self.letter)
        self.inner_layout.addWidget(self.schedule)
        self.inner_layout.addWidget(self.lines_box)
        self.inner_layout.addWidget(self.cross)
        self.inner_layout.addStretch(1)
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setWidget(inner)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.intro)
        layout.addWidget(self.summary)
        layout.addWidget(scroll, 1)
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
            self.letter.build(project.bid_letter_form(), project.bid_letter)
            self.schedule.build(project.price_schedule_form(), project.price_schedule)
            for form in project.other_form_defs():
                section = FormSection(form.id, self)
                section.build(form, project.other_forms.get(form.id, {}))
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
        for column, text in enumerate(texts):
            self.lines.setItem(row, column, QTableWidgetItem(text))

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
            self.lines.setItem(row, columns.index(name), QTableWidgetItem(value))

    def use_sum_of_lines(self) -> None:
        if self.project is None:
            return
        try:
            total = sum((parse_figures(line.total) for line in self.project.price_lines if line.total.strip()),
                        start=parse_figures("0"))
        except AmountError:
            return
        from forms.amounts import format_figures

        if "total" in self.schedule.edits:
            self.schedule.edits["total"].setText(format_figures(total))
        if "total_words" in self.schedule.edits:
            self.schedule.edits["total_words"].setText(to_capital(total))

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
        self.letter.show_issues(issues["bid_letter"] + issues["cross"])
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
            self.summary.setText(self.tr("{count} problem(s) to fix before sealing.").format(count=count))
            self.summary.setStyleSheet(_ERROR_STYLE)
        else:
            self.summary.setText(self.tr("The forms are complete and consistent."))
            self.summary.setStyleSheet(_OK_STYLE)
        return count

    def _line_prefix(self, issue: Issue) -> str:
        parts = issue.field.split(".")
        if len(parts) >= 2 and parts[1].isdigit():
            return self.tr("Line {n}: ").format(n=int(parts[1]) + 1)
        return ""
