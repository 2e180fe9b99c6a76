"""Objections (异议): raised live by bidders during the decryption and after the announcement; the host answers
each (the record cannot be drafted while one is open)."""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPlainTextEdit, QPushButton, QVBoxLayout, QWidget

from bidclient import opening_host as oh
from bidclient.opening import OpeningApi
from ui.error_view import plain_label
from ui.opening.common import fill_row, named, read_only_table, shown_time
from ui.opening.controller import OpeningController

OPEN_COLOUR = "#fff3c4"


class ObjectionsPage(QWidget):
    def __init__(self, controller: OpeningController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("openingObjectionsPage")
        self.controller = controller
        self.summary = plain_label(self, name="objectionsSummary")
        self.table = read_only_table(5, self, "objectionsTable")
        self.table.setWordWrap(True)
        self.table.itemSelectionChanged.connect(self._selected)
        self.answer_label = QLabel(self)
        self.answer_edit = named(QPlainTextEdit(self), "answerEdit")
        self.answer_edit.setMaximumHeight(90)
        self.answer_edit.textChanged.connect(self.update_buttons)
        self.answer_label.setBuddy(self.answer_edit)
        self.answer_button = named(QPushButton(self), "answerButton")
        self.answer_button.clicked.connect(self.answer)
        self.answer_box = QWidget(self)
        box = QVBoxLayout(self.answer_box)
        box.setContentsMargins(0, 0, 0, 0)
        box.addWidget(self.answer_label)
        row = QHBoxLayout()
        row.addWidget(self.answer_edit, 1)
        row.addWidget(self.answer_button, 0, Qt.AlignmentFlag.AlignTop)
        box.addLayout(row)
        self.answer_edit.setParent(self.answer_box)
        self.answer_button.setParent(self.answer_box)
        self.answer_label.setParent(self.answer_box)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.answer_box)
        controller.view_changed.connect(self.show_view)
        controller.busy_changed.connect(lambda _b: self.update_buttons())
        controller.succeeded.connect(self._succeeded)
        self.retranslate()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def retranslate(self) -> None:
        self.table.setHorizontalHeaderLabels([self.tr("Raised by"), self.tr("At"), self.tr("Objection"),
                                              self.tr("Answer"), self.tr("Answered at")])
        self.table.setAccessibleName(self.tr("Objections"))
        self.answer_label.setText(self.tr("Answer to the selected objection:"))
        self.answer_edit.setAccessibleName(self.tr("Answer to the selected objection"))
        self.answer_button.setText(self.tr("Answer"))
        self.answer_button.setAccessibleName(self.tr("Send the answer"))
        self.show_view(self.controller.view)

    def show_view(self, view: oh.HostView | None) -> None:
        selected = self.selected_objection()
        objections = view.opening.objections if view is not None else []
        self.table.setRowCount(len(objections))
        for index, o in enumerate(objections):
            fill_row(self.table, index, [o.organization or o.identity_key, shown_time(o.raised_at), o.text,
                                         o.answer or self.tr("(not answered)"),
                                         shown_time(o.answered_at) if o.answered_at else ""],
                     background=None if o.answer else OPEN_COLOUR, data=o.id)
            if o.id == selected:
                self.table.selectRow(index)
        self.table.resizeRowsToContents()
        waiting = len(view.open_objections) if view is not None else 0
        if not objections:
            self.summary.setText(self.tr("No objection has been raised."))
        elif waiting:
            self.summary.setText(self.tr("{n} objection(s) wait for an answer: the record cannot be drafted "
                                         "before every one is answered.").format(n=waiting))
        else:
            self.summary.setText(self.tr("Every objection is answered."))
        self.answer_box.setVisible(view is not None and view.role is oh.Role.HOST)
        self.update_buttons()

    def selected_objection(self) -> str | None:
        row = self.table.currentRow()
        item = self.table.item(row, 0) if row >= 0 and self.table.selectedItems() else None
        return str(item.data(Qt.ItemDataRole.UserRole)) if item is not None else None

    def _selected(self) -> None:
        self.update_buttons()

    def update_buttons(self) -> None:
        view = self.controller.view
        chosen = self.selected_objection()
        unanswered = view is not None and any(o.id == chosen for o in view.open_objections)
        self.answer_button.setEnabled(self.controller.actions().answer and unanswered
                                      and bool(self.answer_edit.toPlainText().strip()))

    def answer(self) -> None:
        objection, text = self.selected_objection(), self.answer_edit.toPlainText().strip()
        if objection is None or not text:
            return
        tender = self.controller.tender_id
        self.controller.run("answer", lambda client, _ctx: OpeningApi(client, tender).answer(objection, text))

    def _succeeded(self, name: str, _result: object) -> None:
        if name == "answer":
            self.answer_edit.clear()
