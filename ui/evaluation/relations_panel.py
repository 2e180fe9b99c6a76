"""The expert's own relations (评标委员会和评标方法暂行规定 Art. 12 回避): the list the server holds for them,
declaring a new one and withdrawing one they declared.

A relation to an enterprise (a close relative there, an economic interest in it, supervising authority over
it) keeps every draw for that enterprise's tenders from picking the expert; an administrative or criminal
penalty keeps every draw from picking them, while it lasts. The administrator may have recorded some (from a
paper declaration): those are listed too and only the administrator changes them. A withdrawn relation stays
on record, marked withdrawn, and no longer excludes.

The calls are ``ExpertsService.declare_relation`` / ``withdraw_relation`` / ``my_relations``, each in a
``ui.workers.Task``; the USCC is checked as typed with the same check the core makes before sending.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any, get_args

from PySide6.QtCore import QDate, QEvent, Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from bidclient import timefmt
from bidclient.experts import ExpertsService, is_valid_uscc
from bidclient.protocol.experts import RelationKind, RelationOut
from ui.context import AppContext
from ui.error_view import ErrorView, plain_label
from ui.expert_texts import relation_text
from ui.status_line import StatusLine
from ui.workers import Task, start

KINDS: tuple[str, ...] = get_args(RelationKind)  # the kinds the server accepts
WITHOUT_ENTERPRISE = ("punished",)  # the server's rule: every other kind names the enterprise by its USCC
USCC_LENGTH = 18


@dataclass(frozen=True)
class Declaration:
    kind: str
    uscc: str | None
    note: str
    until: datetime | None


@dataclass(frozen=True)
class Outcome:
    """Worker side: what a change returned, and the list as the server holds it afterwards."""
    relation: RelationOut
    relations: list[RelationOut]


def declare_and_list(service: ExpertsService, declaration: Declaration) -> Outcome:
    made = service.declare_relation(declaration.kind, declaration.uscc, declaration.note, declaration.until)
    return Outcome(made, service.my_relations())


def withdraw_and_list(service: ExpertsService, relation_id: int) -> Outcome:
    made = service.withdraw_relation(relation_id)
    return Outcome(made, service.my_relations())


class DeclareRelationDialog(QDialog):
    """Kind, the enterprise's 统一社会信用代码 (checked as typed), a note and an optional end. Stays open
    while the declaration is confirmed and sent, so a refusal is shown here with what was typed."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("declareRelationDialog")
        self.setModal(True)
        self.submit: Callable[[Declaration], None] | None = None  # set by the panel
        self.submit_allowed = True  # False while the declaration is confirmed and sent
        self.kind = QComboBox(self)
        self.kind.setObjectName("relationKind")
        for kind in KINDS:
            self.kind.addItem("", kind)
        self.kind_label = QLabel(self)
        self.kind_label.setBuddy(self.kind)
        self.uscc_edit = QLineEdit(self)
        self.uscc_edit.setObjectName("relationUscc")
        self.uscc_edit.setMaxLength(USCC_LENGTH + 2)  # room to see a code pasted with a stray character
        self.uscc_label = QLabel(self)
        self.uscc_label.setBuddy(self.uscc_edit)
        self.uscc_check = plain_label(self, name="relationUsccCheck")
        self.note_edit = QLineEdit(self)
        self.note_edit.setObjectName("relationNote")
        self.note_edit.setMaxLength(1000)
        self.note_label = QLabel(self)
        self.note_label.setBuddy(self.note_edit)
        self.until_check = QCheckBox(self)
        self.until_check.setObjectName("relationHasEnd")
        self.until_edit = QDateEdit(self)
        self.until_edit.setObjectName("relationUntil")
        self.until_edit.setCalendarPopup(True)
        self.until_edit.setDisplayFormat("yyyy-MM-dd")
        tomorrow = QDate.currentDate().addDays(1)
        self.until_edit.setMinimumDate(tomorrow)
        self.until_edit.setDate(QDate.currentDate().addYears(1))
        self.until_edit.setEnabled(False)
        self.meaning = plain_label(self, name="relationMeaning")
        self.meaning.setStyleSheet("font-weight: bold;")
        self.error_view = ErrorView(self)
        self.buttons = QDialogButtonBox(self)
        self.declare_button = self.buttons.addButton("", QDialogButtonBox.ButtonRole.AcceptRole)
        self.declare_button.setObjectName("declareRelation")
        self.cancel_button = self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.cancel_button.setObjectName("cancelDeclaration")
        self.buttons.accepted.connect(self._declare)
        self.buttons.rejected.connect(self.reject)

        until_row = QHBoxLayout()
        until_row.addWidget(self.until_check)
        until_row.addWidget(self.until_edit, 1)
        self.until_label = QLabel(self)
        form = QFormLayout()
        form.addRow(self.kind_label, self.kind)
        form.addRow(self.uscc_label, self.uscc_edit)
        form.addRow("", self.uscc_check)
        form.addRow(self.note_label, self.note_edit)
        form.addRow(self.until_label, until_row)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.meaning)
        layout.addWidget(self.error_view)
        layout.addWidget(self.buttons)

        self.kind.currentIndexChanged.connect(self._update)
        self.uscc_edit.textEdited.connect(self._uscc_edited)
        self.until_check.toggled.connect(self._update)
        self.until_edit.dateChanged.connect(self._update)
        self.retranslate()
        self.resize(640, self.sizeHint().height())

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def retranslate(self) -> None:
        self.setWindowTitle(self.tr("Declare a relation (回避, Art. 12)"))
        for index in range(self.kind.count()):
            self.kind.setItemText(index, relation_text(str(self.kind.itemData(index))))
        self.kind_label.setText(self.tr("&Relation:"))
        self.kind.setAccessibleName(self.tr("Kind of relation"))
        self.uscc_label.setText(self.tr("&Enterprise (统一社会信用代码):"))
        self.uscc_edit.setAccessibleName(self.tr("The enterprise's 统一社会信用代码"))
        self.uscc_edit.setPlaceholderText(self.tr("18 characters, from its business licence"))
        self.note_label.setText(self.tr("&Note:"))
        self.note_edit.setAccessibleName(self.tr("Note on the relation"))
        self.note_edit.setPlaceholderText(self.tr("For example: my brother works there as project manager"))
        self.until_label.setText(self.tr("Ends:"))
        self.until_check.setText(self.tr("&On"))
        self.until_check.setAccessibleName(self.tr("The relation ends on a date"))
        self.until_edit.setAccessibleName(self.tr("The day the relation ends"))
        inner = self.until_edit.findChild(QLineEdit)  # the date's own text field, named like the date
        if inner is not None:
            inner.setAccessibleName(self.tr("The day the relation ends"))
        self.until_edit.setToolTip(self.tr("It stops excluding you at the start of that day, {zone}.").format(
            zone=timefmt.current_zone_label()))
        self.declare_button.setText(self.tr("&Declare…"))
        self.declare_button.setAccessibleName(self.tr("Declare this relation"))
        self.cancel_button.setText(self.tr("Cancel"))
        self.cancel_button.setAccessibleName(self.tr("Cancel the declaration"))
        self._update()

    # --- the form ---

    def _uscc_edited(self, text: str) -> None:
        upper = text.strip().upper()  # the standard uses capitals only; licences are often copied in lower case
        if upper != text:
            position = self.uscc_edit.cursorPosition()
            self.uscc_edit.setText(upper)
            self.uscc_edit.setCursorPosition(min(position, len(upper)))
        self._update()

    @property
    def needs_enterprise(self) -> bool:
        return str(self.kind.currentData()) not in WITHOUT_ENTERPRISE

    def uscc_problem(self) -> str | None:
        """Why the typed code is not yet a 统一社会信用代码 (None: it is one)."""
        code = self.uscc_edit.text()
        if not code:
            return self.tr("Type the enterprise's 统一社会信用代码 (18 characters).")
        if len(code) != USCC_LENGTH:
            return self.tr("{count} of 18 characters.").format(count=len(code))
        if not is_valid_uscc(code):
            return self.tr("Not a valid 统一社会信用代码: the check character (the last) does not match, or a "
                           "letter is one such codes never use. Copy it again from the business licence.")
        return None

    def until_time(self) -> datetime | None:
        """The chosen day's start in the display zone (北京时间 by default), as the server wants it (aware)."""
        if not self.until_check.isChecked():
            return None
        day = self.until_edit.date()
        return datetime.combine(date(day.year(), day.month(), day.day()), time(0, 0), tzinfo=timefmt.display_zone())

    def meaning_text(self) -> str:
        until = self.until_time()
        end = (self.tr(" until {time}").format(time=timefmt.format_time(until)) if until is not None
               else self.tr(", until you withdraw it"))
        if not self.needs_enterprise:
            return self.tr("From now on no draw will pick you for any tender{end}.").format(end=end)
        code = self.uscc_edit.text() if self.uscc_problem() is None else self.tr("that enterprise")
        return self.tr("From now on no draw for {enterprise} (tenderer or bidder) will pick you{end}.").format(
            enterprise=code, end=end)

    def _update(self) -> None:
        needs = self.needs_enterprise
        self.uscc_edit.setEnabled(needs)
        self.uscc_label.setEnabled(needs)
        problem = self.uscc_problem() if needs else None
        if not needs:
            self.uscc_check.setText(self.tr("A penalty names no enterprise: it keeps you out of every draw."))
            self.uscc_check.setStyleSheet("color: #555;")
        elif problem is None:
            self.uscc_check.setText(self.tr("✓ A valid 统一社会信用代码."))
            self.uscc_check.setStyleSheet("color: #1b5e20;")
        else:
            self.uscc_check.setText(problem)
            bad = len(self.uscc_edit.text()) == USCC_LENGTH
            self.uscc_check.setStyleSheet("color: #b00020;" if bad else "color: #555;")
        self.until_edit.setEnabled(self.until_check.isChecked())
        self.meaning.setText(self.meaning_text())
        self.declare_button.setEnabled(problem is None and self.submit_allowed)

    def set_sending(self, sending: bool) -> None:
        """While the declaration is confirmed and sent, nothing changes and the window stays open."""
        self.submit_allowed = not sending
        for widget in (self.kind, self.uscc_edit, self.note_edit, self.until_check, self.cancel_button):
            widget.setEnabled(not sending)
        if not sending:
            self._update()
        else:
            self.until_edit.setEnabled(False)
            self.declare_button.setEnabled(False)

    def reject(self) -> None:
        if not self.submit_allowed:
            return  # sending: the answer comes back to this window
        super().reject()

    def declaration(self) -> Declaration:
        needs = self.needs_enterprise
        return Declaration(str(self.kind.currentData()), self.uscc_edit.text() if needs else None,
                           self.note_edit.text().strip(), self.until_time())

    def _declare(self) -> None:
        if self.needs_enterprise and self.uscc_problem() is not None:
            self.uscc_edit.setFocus()
            return
        if self.submit is not None:
            self.error_view.clear()
            self.submit(self.declaration())


class RelationsPanel(QWidget):
    """The table of the expert's relations with Declare… and Withdraw."""

    COLUMNS = 7

    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("relationsPanel")
        self.context = context
        self.relations: list[RelationOut] = []
        self.dismissed = False
        self.dialog: DeclareRelationDialog | None = None
        self.confirm_box: QMessageBox | None = None  # the question before a declaration or withdrawal, while open
        self._task: Task | None = None
        self._reload_after = False  # a refused change: list again once its task is done

        self.label = QLabel(self)
        self.label.setStyleSheet("font-weight: bold;")
        self.declare_button = QPushButton(self)
        self.declare_button.setObjectName("declareRelationOpen")
        self.declare_button.clicked.connect(self.open_declare_dialog)
        self.withdraw_button = QPushButton(self)
        self.withdraw_button.setObjectName("withdrawRelation")
        self.withdraw_button.clicked.connect(self.withdraw_selected)
        self.table = QTableWidget(0, self.COLUMNS, self)
        self.table.setObjectName("recordRelations")
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        header = self.table.horizontalHeader()
        for column in range(self.COLUMNS):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.table.itemSelectionChanged.connect(self._update_buttons)
        self.note = plain_label(self, name="relationsNote")
        self.note.setStyleSheet("color: #555;")
        self.status = plain_label(self, name="relationsStatus")
        self.status_line = StatusLine(self.status)
        self.error_view = ErrorView(self)

        top = QHBoxLayout()
        top.addWidget(self.label, 1)
        top.addWidget(self.declare_button)
        top.addWidget(self.withdraw_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.note)
        layout.addWidget(self.status)
        layout.addWidget(self.error_view)
        self.retranslate()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def retranslate(self) -> None:
        self.label.setText(self.tr("My relations (回避, Art. 12)"))
        self.declare_button.setText(self.tr("&Declare a relation…"))
        self.declare_button.setAccessibleName(self.tr("Declare a relation"))
        self.withdraw_button.setText(self.tr("&Withdraw"))
        self.withdraw_button.setAccessibleName(self.tr("Withdraw the selected relation"))
        self.table.setAccessibleName(self.tr("My declared relations"))
        zone = timefmt.current_zone_label()
        self.table.setHorizontalHeaderLabels([
            self.tr("Relation"), self.tr("Enterprise (统一社会信用代码)"), self.tr("Note"),
            self.tr("Until ({zone})").format(zone=zone), self.tr("Recorded by"),
            self.tr("Declared ({zone})").format(zone=zone), self.tr("Withdrawn ({zone})").format(zone=zone)])
        self.note.setText(self.tr(
            "A close relative at, an economic interest in, or supervising authority over an enterprise keeps you "
            "out of its tenders; so does a penalty, of every tender, while it lasts. Declare each here: from then "
            "on no draw picks you for them. A relation you declared you may withdraw; it stays on record."))
        self.status_line.retranslate()
        self._show()

    @property
    def busy(self) -> bool:
        return self._task is not None

    # --- the list ---

    def set_relations(self, relations: list[RelationOut], *, dismissed: bool = False) -> None:
        self.relations = list(relations)
        self.dismissed = dismissed
        self._show()

    def clear(self) -> None:
        self.set_relations([])

    def selected(self) -> RelationOut | None:
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return None
        item = self.table.item(rows[0].row(), 0)
        wanted = item.data(Qt.ItemDataRole.UserRole) if item is not None else None
        return next((r for r in self.relations if r.id == wanted), None)

    def select_relation(self, relation_id: int) -> None:
        for row in range(self.table.rowCount()):
            item = self.table.item(row, 0)
            if item is not None and item.data(Qt.ItemDataRole.UserRole) == relation_id:
                self.table.selectRow(row)
                return

    def _show(self) -> None:
        chosen = self.selected()
        self.table.setRowCount(len(self.relations))
        grey = QBrush(QColor("#777"))
        for row, r in enumerate(self.relations):
            by = self.tr("You") if r.source == "self" else self.tr("Administrator")
            cells = [relation_text(r.kind), r.uscc or "—", r.note,
                     timefmt.format_time(r.until, named=False) if r.until else "",
                     by, timefmt.format_time(r.declared_at, named=False) if r.declared_at else "",
                     timefmt.format_time(r.withdrawn_at, named=False) if r.withdrawn_at else ""]
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setToolTip(text)
                if r.withdrawn_at is not None:
                    item.setForeground(grey)
                    item.setToolTip(self.tr("Withdrawn: it no longer excludes you."))
                if column == 0:
                    item.setData(Qt.ItemDataRole.UserRole, r.id)
                self.table.setItem(row, column, item)
        if chosen is not None:
            self.select_relation(chosen.id)
        self._update_buttons()

    def _update_buttons(self) -> None:
        signed_in = self.context.client() is not None
        idle = self._task is None and self.confirm_box is None
        self.declare_button.setEnabled(signed_in and idle and not self.dismissed)
        self.declare_button.setToolTip(
            self.tr("A dismissed expert's record is not changed again.") if self.dismissed
            else self.tr("Declare a relation that keeps you out of an enterprise's tenders."))
        chosen = self.selected()
        if chosen is None:
            why = self.tr("Select a relation you declared to withdraw it.")
        elif chosen.source != "self":
            why = self.tr("The administrator recorded this relation; only the administrator can withdraw it — "
                          "ask them.")
        elif chosen.withdrawn_at is not None:
            why = self.tr("Withdrawn already on {time}.").format(time=timefmt.format_time(chosen.withdrawn_at))
        else:
            why = ""
        self.withdraw_button.setEnabled(signed_in and idle and not why)
        self.withdraw_button.setToolTip(why or self.tr("Withdraw this relation: draws may pick you again for "
                                                       "that enterprise's tenders."))
        self.withdraw_button.setAccessibleDescription(why)

    # --- declaring ---

    def open_declare_dialog(self) -> DeclareRelationDialog:
        dialog = DeclareRelationDialog(self)
        dialog.submit = lambda d: self.confirm_declaration(dialog, d)
        self.dialog = dialog

        def closed(_result: int) -> None:
            if self.dialog is dialog:
                self.dialog = None
            dialog.deleteLater()

        dialog.finished.connect(closed)
        dialog.open()
        dialog.uscc_edit.setFocus()
        return dialog

    def confirm_declaration(self, dialog: DeclareRelationDialog, declaration: Declaration) -> None:
        """Say what it means before anything is sent."""
        box = QMessageBox(QMessageBox.Icon.Question, self.tr("Declare the relation?"),
                          self.tr("Declare: {kind}{enterprise}?").format(
                              kind=relation_text(declaration.kind),
                              enterprise=f", {declaration.uscc}" if declaration.uscc else ""),
                          QMessageBox.StandardButton.NoButton, dialog)
        box.setObjectName("declareConfirm")
        box.setTextFormat(Qt.TextFormat.PlainText)
        box.setInformativeText(dialog.meaning_text() + "\n\n" + self.tr(
            "The declaration is recorded with your name and time in the platform's audit log. You can withdraw "
            "it later; it stays on record, marked withdrawn."))
        yes = box.addButton(self.tr("Declare"), QMessageBox.ButtonRole.AcceptRole)
        no = box.addButton(self.tr("Go back"), QMessageBox.ButtonRole.RejectRole)
        yes.setObjectName("confirmDeclare")
        no.setObjectName("cancelDeclare")
        box.setDefaultButton(yes)
        box.setEscapeButton(no)
        self.confirm_box = box
        dialog.set_sending(True)

        def answered(_result: int) -> None:
            self.confirm_box = None
            if box.clickedButton() is yes:
                self._declare(dialog, declaration)
            else:
                dialog.set_sending(False)
                self._update_buttons()

        box.finished.connect(answered)
        box.open()

    def _declare(self, dialog: DeclareRelationDialog, declaration: Declaration) -> None:
        def declared(outcome: Outcome) -> None:
            self._changed(outcome)
            made = outcome.relation
            self.status_line.set(lambda: self.tr("Declared: {kind}{enterprise}. Draws exclude you from now on.").format(
                kind=relation_text(made.kind), enterprise=f", {made.uscc}" if made.uscc else ""))
            dialog.accept()

        def refused(error: BaseException) -> None:
            dialog.set_sending(False)
            dialog.error_view.show_error(error)  # beside what was typed, to correct and send again

        self._run(lambda s: declare_and_list(s, declaration), declared, refused,
                  lambda: self.tr("Declaring the relation…"))

    # --- withdrawing ---

    def withdraw_selected(self) -> None:
        chosen = self.selected()
        if chosen is None or chosen.source != "self" or chosen.withdrawn_at is not None or self.busy:
            return
        box = QMessageBox(QMessageBox.Icon.Question, self.tr("Withdraw the relation?"),
                          self.tr("Withdraw: {kind}{enterprise}?").format(
                              kind=relation_text(chosen.kind),
                              enterprise=f", {chosen.uscc}" if chosen.uscc else ""),
                          QMessageBox.StandardButton.NoButton, self)
        box.setObjectName("withdrawConfirm")
        box.setTextFormat(Qt.TextFormat.PlainText)
        box.setInformativeText(self.tr(
            "From now on draws may pick you again for tenders this relation concerned. Withdraw it only if it no "
            "longer holds: an expert who hides a relation breaks Art. 12. It stays on record, marked withdrawn."))
        yes = box.addButton(self.tr("Withdraw"), QMessageBox.ButtonRole.DestructiveRole)
        no = box.addButton(self.tr("Keep it"), QMessageBox.ButtonRole.RejectRole)
        yes.setObjectName("confirmWithdraw")
        no.setObjectName("keepRelation")
        box.setDefaultButton(no)
        box.setEscapeButton(no)
        self.confirm_box = box
        self._update_buttons()

        def answered(_result: int) -> None:
            self.confirm_box = None
            if box.clickedButton() is yes:
                self._withdraw(chosen)
            else:
                self.status_line.set(lambda: self.tr("Not withdrawn: the relation still excludes you."))
                self._update_buttons()

        box.finished.connect(answered)
        box.open()

    def _withdraw(self, relation: RelationOut) -> None:
        def withdrawn(outcome: Outcome) -> None:
            self._changed(outcome)
            made = outcome.relation
            self.status_line.set(lambda: self.tr("Withdrawn: {kind}{enterprise}. It stays on record and no longer "
                                                 "excludes you.").format(
                kind=relation_text(made.kind), enterprise=f", {made.uscc}" if made.uscc else ""))

        def refused(error: BaseException) -> None:
            self.error_view.show_error(error)
            self._reload_after = True  # show the relation as the server holds it now (withdrawn elsewhere)

        self._run(lambda s: withdraw_and_list(s, relation.id), withdrawn, refused,
                  lambda: self.tr("Withdrawing the relation…"))

    # --- tasks ---

    def reload(self) -> None:
        """Ask the server for the list again (after a refusal; the record page's Refresh fetches it too)."""
        def listed(relations: list[RelationOut]) -> None:
            self.relations = relations
            self._show()

        self._run(lambda s: s.my_relations(), listed, lambda error: None, None, keep_error=True)

    def _changed(self, outcome: Outcome) -> None:
        self.relations = outcome.relations
        self._show()
        self.select_relation(outcome.relation.id)

    def _run(self, job: Callable[[ExpertsService], Any], on_success: Callable[[Any], None],
             on_failure: Callable[[BaseException], None], busy_text: Callable[[], str] | None, *,
             keep_error: bool = False) -> None:
        client = self.context.client()
        if client is None or self._task is not None:
            return
        if not keep_error:
            self.error_view.clear()
        if busy_text is not None:
            self.status_line.set(busy_text)
        task = Task(lambda _ctx: job(ExpertsService(client)), name="expert-relations")

        def failed(error: BaseException) -> None:
            if busy_text is not None:
                self.status_line.clear()
            on_failure(error)

        task.signals.succeeded.connect(on_success)
        task.signals.failed.connect(failed)
        task.signals.finished.connect(self._done)
        self._task = start(task)
        self._update_buttons()

    def _done(self) -> None:
        self._task = None
        self._update_buttons()
        if self._reload_after:
            self._reload_after = False
            self.reload()

    def time_zone_changed(self) -> None:
        self.retranslate()
        if self.dialog is not None:
            self.dialog.retranslate()
