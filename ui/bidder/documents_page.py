"""Documents and links: attach PDFs into the bid's sections, link each scoring criterion (评分点) to a file
and page, and see the coverage — unlinked criteria in red, as the commercial tools do. After a
clarification (答疑) the changes are listed here and the links to re-check are marked.

The file chosen for a link is shown in the app's PDF reader (ui.pdf_viewer) beside the criteria;
"Link to this page" links the selected criterion to the page the bidder is looking at."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from bidclient import bid_project as bp
from ui.bidder.common import section_title
from ui.error_view import ErrorView, plain_label
from ui.pdf_viewer import PdfViewer

RED = QColor("#ffd6d6")
AMBER = QColor("#fff0c2")
GREEN = QColor("#dcf5dc")


class DocumentsPage(QWidget):
    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("documentsPage")
        self.project: bp.BidProject | None = None

        self.changes_box = plain_label(self, name="tenderChanges")
        self.changes_box.setStyleSheet("background: #fff0c2; padding: 6px;")
        self.ack_button = QPushButton(self)
        self.ack_button.setObjectName("acknowledgeChanges")
        self.ack_button.clicked.connect(self.acknowledge)

        self.docs_label = QLabel(self)
        self.tree = QTreeWidget(self)
        self.tree.setObjectName("attachmentsTree")
        self.tree.setColumnCount(2)
        self.tree.header().setStretchLastSection(False)  # the file name gets the width, not the page count
        self.tree.header().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.tree.header().setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        self.section_combo = QComboBox(self)
        self.section_combo.setObjectName("sectionCombo")
        for section in bp.SECTIONS:
            self.section_combo.addItem("", section)
        self.attach_button = QPushButton(self)
        self.attach_button.setObjectName("attachPdf")
        self.attach_button.clicked.connect(self.choose_files)
        self.remove_button = QPushButton(self)
        self.remove_button.setObjectName("removeAttachment")
        self.remove_button.clicked.connect(self.remove_selected)
        self.up_button = QPushButton(self)
        self.up_button.setObjectName("moveAttachmentUp")
        self.up_button.clicked.connect(lambda: self.move_selected(-1))
        self.down_button = QPushButton(self)
        self.down_button.setObjectName("moveAttachmentDown")
        self.down_button.clicked.connect(lambda: self.move_selected(1))
        for keys, offset in ((QKeySequence("Ctrl+Up"), -1), (QKeySequence("Ctrl+Down"), 1)):
            shortcut = QShortcut(keys, self.tree)  # with the list focused, as a keyboard user reorders
            shortcut.setContext(Qt.ShortcutContext.WidgetShortcut)
            shortcut.activated.connect(lambda offset=offset: self.move_selected(offset))
        self.error_view = ErrorView(self)

        self.coverage_label = plain_label(self, name="coverageLabel")
        self.coverage_label.setStyleSheet("font-weight: bold;")
        self.criteria = QTableWidget(0, 5, self)
        self.criteria.verticalHeader().setVisible(False)  # no row numbers: no unnamed corner button
        self.criteria.setObjectName("criteriaTable")
        self.criteria.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.criteria.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.criteria.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.criteria.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.criteria.currentCellChanged.connect(lambda *_a: self._criterion_selected())
        self.file_combo = QComboBox(self)
        self.file_combo.setObjectName("linkFile")
        self.file_combo.currentIndexChanged.connect(lambda _i: self._file_selected())
        self.page_spin = QSpinBox(self)
        self.page_spin.setObjectName("linkPage")
        self.page_spin.setRange(1, 1)
        self.page_label = QLabel(self)
        self.page_label.setBuddy(self.page_spin)
        self.link_button = QPushButton(self)
        self.link_button.setObjectName("linkCriterion")
        self.link_button.clicked.connect(self.link_selected)
        self.unlink_button = QPushButton(self)
        self.unlink_button.setObjectName("unlinkCriterion")
        self.unlink_button.clicked.connect(self.unlink_selected)
        self.keep_button = QPushButton(self)
        self.keep_button.setObjectName("keepLink")
        self.keep_button.clicked.connect(self.keep_selected)
        self.viewer = PdfViewer(self)
        self.viewer.page_changed.connect(lambda _p: self._update_link_page())
        self.viewer.loaded.connect(lambda _n: self._update_link_page())
        self.viewer.failed.connect(lambda _e: self._update_link_page())
        self._previews: dict[str, Path] = {}  # form file → its preview, drawn when chosen
        self.preview_note = plain_label(self, name="formPreviewNote")
        self.preview_note.setStyleSheet("color: #7a4f00;")
        self.preview_note.setVisible(False)
        self.link_page_button = QPushButton(self)
        self.link_page_button.setObjectName("linkShownPage")
        self.link_page_button.clicked.connect(self.link_to_shown_page)
        self.tree.currentItemChanged.connect(lambda item, _old: self._attachment_chosen(item))

        banner = QHBoxLayout()
        banner.addWidget(self.changes_box, 1)
        banner.addWidget(self.ack_button)
        attach_row = QHBoxLayout()
        attach_row.addWidget(self.section_combo, 1)
        attach_row.addWidget(self.attach_button)
        attach_row.addWidget(self.remove_button)
        attach_row.addWidget(self.up_button)
        attach_row.addWidget(self.down_button)
        left = QWidget(self)
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(self.docs_label)
        left_layout.addWidget(self.tree, 1)
        left_layout.addLayout(attach_row)
        left_layout.addWidget(self.error_view)
        link_row = QHBoxLayout()
        link_row.addWidget(self.file_combo, 2)
        link_row.addWidget(self.page_label)
        link_row.addWidget(self.page_spin)
        link_row.addWidget(self.link_button)
        link_row.addWidget(self.unlink_button)
        link_row.addWidget(self.keep_button)
        right = QWidget(self)
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.addWidget(self.coverage_label)
        right_layout.addWidget(self.criteria, 1)
        right_layout.addLayout(link_row)
        work = QSplitter(Qt.Orientation.Vertical, self)
        work.addWidget(left)
        work.addWidget(right)
        work.setStretchFactor(1, 2)
        reader = QWidget(self)
        reader_layout = QVBoxLayout(reader)
        reader_layout.setContentsMargins(0, 0, 0, 0)
        reader_layout.addWidget(self.viewer, 1)
        reader_row = QHBoxLayout()
        reader_row.addWidget(self.preview_note, 1)
        reader_row.addStretch()  # the button keeps its size while the note is hidden
        reader_row.addWidget(self.link_page_button)
        reader_layout.addLayout(reader_row)
        splitter = QSplitter(self)
        splitter.addWidget(work)
        splitter.addWidget(reader)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(banner)
        layout.addWidget(splitter, 1)
        self.retranslate()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def retranslate(self) -> None:
        self.docs_label.setText(self.tr("Bid documents by section"))
        self.tree.setAccessibleName(self.tr("Attached documents"))
        self.tree.setHeaderLabels([self.tr("Document"), self.tr("Pages")])
        for i, section in enumerate(bp.SECTIONS):
            self.section_combo.setItemText(i, section_title(section))
        self.section_combo.setAccessibleName(self.tr("Section to attach into"))
        self.attach_button.setText(self.tr("&Attach PDF…"))
        self.attach_button.setAccessibleName(self.tr("Attach PDF files into the chosen section"))
        self.remove_button.setText(self.tr("Remove"))
        self.remove_button.setAccessibleName(self.tr("Remove the selected document"))
        self.up_button.setText(self.tr("Move up"))
        self.up_button.setAccessibleName(self.tr("Move the selected document up in its section (Ctrl+Up)"))
        self.up_button.setToolTip(self.tr("Ctrl+Up in the list; the bid is bound in this order"))
        self.down_button.setText(self.tr("Move down"))
        self.down_button.setAccessibleName(self.tr("Move the selected document down in its section (Ctrl+Down)"))
        self.down_button.setToolTip(self.tr("Ctrl+Down in the list; the bid is bound in this order"))
        self.criteria.setAccessibleName(self.tr("Scoring criteria and their links"))
        self.criteria.setHorizontalHeaderLabels([self.tr("Criterion"), self.tr("Weight %"), self.tr("File"),
                                                 self.tr("Page"), self.tr("State")])
        self.file_combo.setAccessibleName(self.tr("File that answers the criterion"))
        self.page_label.setText(self.tr("&Page:"))
        self.page_spin.setAccessibleName(self.tr("Page that answers the criterion"))
        inner = self.page_spin.findChild(QLineEdit)
        if inner is not None:  # the spin box's own editor is what takes the focus
            inner.setAccessibleName(self.page_spin.accessibleName())
        self.link_button.setText(self.tr("&Link"))
        self.link_button.setAccessibleName(self.tr("Link the selected criterion to this file and page"))
        self.unlink_button.setText(self.tr("Unlink"))
        self.unlink_button.setAccessibleName(self.tr("Remove the selected criterion's link"))
        self.keep_button.setText(self.tr("Keep link"))
        self.keep_button.setAccessibleName(self.tr("Keep the link after checking it against the clarification"))
        self.preview_note.setText(self.tr("Preview of the form as it will be signed: the seal goes in the "
                                          "outlined box when the bid is sealed."))
        self.link_page_button.setText(self.tr("Link to this page"))
        self.link_page_button.setAccessibleName(self.tr("Link the selected criterion to the page shown in the "
                                                        "viewer"))
        self.ack_button.setText(self.tr("I have read the changes"))
        self.ack_button.setAccessibleName(self.tr("Confirm that you have read the clarification's changes"))
        self.refresh()

    # --- project ---

    def set_project(self, project: bp.BidProject | None) -> None:
        self.project = project
        self.setEnabled(project is not None)
        self.refresh()

    def refresh(self) -> None:
        project = self.project
        selected = self._selected_criterion()  # kept across a refresh (e.g. a language switch)
        self._show_changes()
        self.tree.clear()
        self.criteria.setRowCount(0)
        if project is None:
            self.coverage_label.setText("")
            self._previews.clear()
            self.viewer.close_document()
            self.preview_note.setVisible(False)
            return
        for section in bp.SECTIONS:
            top = QTreeWidgetItem([section_title(section), ""])
            top.setData(0, Qt.ItemDataRole.UserRole, None)
            for a in project.attachments:
                if a.section == section:
                    child = QTreeWidgetItem([a.name, str(a.pages)])
                    child.setData(0, Qt.ItemDataRole.UserRole, a.path)
                    top.addChild(child)
            self.tree.addTopLevelItem(top)
            top.setExpanded(True)
        self._fill_files()
        self._fill_criteria()
        if selected is not None:
            self.criteria.blockSignals(True)  # selected again, not chosen: the viewer stays where it is
            try:
                self.select_criterion(selected)
            except KeyError:
                pass  # removed by a clarification
            finally:
                self.criteria.blockSignals(False)
        self._update_link_page()

    def _fill_files(self) -> None:
        assert self.project is not None
        current = self.file_combo.currentData()
        self.file_combo.blockSignals(True)
        self.file_combo.clear()
        for path, pages in self.project.files().items():
            shown = self._display_name(path)
            self.file_combo.addItem(shown if pages is None else f"{shown} ({pages})", path)
        index = self.file_combo.findData(current)
        self.file_combo.setCurrentIndex(max(index, 0))
        self.file_combo.blockSignals(False)
        self._file_selected()

    def _display_name(self, path: str) -> str:
        """A bid file as the clerk knows it: the form's name, or the section's name and the file's."""
        forms = {bp.FORM_FILES["bid_letter"]: self.tr("Bid letter (signed form)"),
                 bp.FORM_FILES["price_schedule"]: self.tr("Price schedule (signed form)")}
        if path in forms:
            return forms[path]
        section, _sep, name = path.partition("/")
        return f"{section_title(section)}/{name}" if section in bp.SECTIONS and name else path

    def _fill_criteria(self) -> None:
        assert self.project is not None
        coverage = self.project.coverage()
        self.criteria.setRowCount(len(coverage.items))
        states = {"linked": (self.tr("linked"), GREEN), "automatic": (self.tr("price schedule (automatic)"), GREEN),
                  "unlinked": (self.tr("NOT LINKED"), RED), "relink": (self.tr("changed: check the link"), AMBER)}
        for row, item in enumerate(coverage.items):
            text, colour = states[item.state]
            link = item.link
            file = self._display_name(link.file) if link else ""
            cells = [item.criterion.name, f"{item.criterion.weight:g}", file,
                     str(link.page) if link and link.page else "", text]
            for column, value in enumerate(cells):
                cell = QTableWidgetItem(value)
                cell.setToolTip(value)  # the whole text where the column cuts it
                cell.setBackground(QBrush(colour))
                cell.setData(Qt.ItemDataRole.UserRole, item.criterion.id)
                cell.setData(Qt.ItemDataRole.AccessibleDescriptionRole, text)
                self.criteria.setItem(row, column, cell)
        done, total = coverage.ratio
        self.coverage_label.setText(self.tr("{done} of {total} scoring criteria linked").format(done=done,
                                                                                               total=total))
        self.coverage_label.setStyleSheet("font-weight: bold; color: %s;" % ("#1b5e20" if done == total
                                                                             else "#b00020"))

    def _show_changes(self) -> None:
        changes = self.project.changes if self.project is not None else None
        visible = changes is not None
        self.changes_box.setVisible(visible)
        self.ack_button.setVisible(visible)
        if changes is None or self.project is None:
            return
        names = {c.id: c.name for c in self.project.criteria()}
        lines = [self.tr("The tender was clarified (答疑): version {old} → {new}.").format(
            old=changes.old_version, new=changes.new_version)]
        if changes.criteria_added:
            lines.append(self.tr("New criteria to link: {names}").format(
                names="、".join(names.get(k, k) for k in changes.criteria_added)))
        if changes.criteria_changed:
            lines.append(self.tr("Changed criteria (check their links): {names}").format(
                names="、".join(names.get(k, k) for k in changes.criteria_changed)))
        if changes.criteria_removed:
            lines.append(self.tr("Removed criteria: {ids}").format(ids=", ".join(changes.criteria_removed)))
        if changes.forms_changed:
            lines.append(self.tr("Changed forms: {ids}").format(ids=", ".join(changes.forms_changed)))
        if changes.deadline_changed or changes.opening_changed:
            lines.append(self.tr("The deadline or the opening time changed."))
        for note in changes.notes:
            lines.append("• " + note)
        self.changes_box.setText("\n".join(lines))

    def acknowledge(self) -> None:
        if self.project is not None:
            self.project.acknowledge_changes()
            self.project.save()
            self.refresh()
            self.changed.emit()

    # --- attaching ---

    def choose_files(self) -> None:
        paths, _filter = QFileDialog.getOpenFileNames(self, self.tr("Attach PDF files"), "",
                                                      self.tr("PDF files (*.pdf)"))
        if paths:
            self.attach_files(str(self.section_combo.currentData()), [Path(p) for p in paths])

    def attach_files(self, section: str, paths: Sequence[Path]) -> None:
        if self.project is None:
            return
        self.error_view.clear()
        for path in paths:
            try:
                self.project.attach(section, path)
            except Exception as ex:  # shown to the user with its code; the others still go in
                self.error_view.show_error(ex)
        self.project.save()
        self.refresh()
        self.changed.emit()

    def remove_selected(self) -> None:
        item = self.tree.currentItem()
        path = item.data(0, Qt.ItemDataRole.UserRole) if item is not None else None
        if self.project is None or not path:
            return
        self.project.remove_attachment(str(path))
        self.project.save()
        self.refresh()
        self.changed.emit()

    def move_selected(self, offset: int) -> None:
        """Move the selected attachment within its section; the order is saved and binds the bid."""
        item = self.tree.currentItem()
        path = item.data(0, Qt.ItemDataRole.UserRole) if item is not None else None
        if self.project is None or not path:
            return
        self.project.move_attachment(str(path), offset)
        self.project.save()
        self.refresh()
        self.select_attachment(str(path))
        self.changed.emit()

    def select_attachment(self, path: str) -> None:
        for index in range(self.tree.topLevelItemCount()):
            top = self.tree.topLevelItem(index)
            children = [top.child(row) for row in range(top.childCount())] if top is not None else []
            for child in children:
                if child is not None and child.data(0, Qt.ItemDataRole.UserRole) == path:
                    self.tree.setCurrentItem(child)
                    return

    # --- linking ---

    def select_criterion(self, criterion_id: str) -> None:
        for row in range(self.criteria.rowCount()):
            item = self.criteria.item(row, 0)
            if item is not None and item.data(Qt.ItemDataRole.UserRole) == criterion_id:
                self.criteria.setCurrentCell(row, 0)
                return
        raise KeyError(criterion_id)

    def select_file(self, path: str) -> None:
        self.file_combo.setCurrentIndex(self.file_combo.findData(path))

    def _selected_criterion(self) -> str | None:
        row = self.criteria.currentRow()
        item = self.criteria.item(row, 0) if row >= 0 else None
        return str(item.data(Qt.ItemDataRole.UserRole)) if item is not None else None

    def _criterion_selected(self) -> None:
        criterion = self._selected_criterion()
        self._update_link_page()
        if self.project is None or criterion is None:
            return
        item = next((i for i in self.project.coverage().items if i.criterion.id == criterion), None)
        link = item.link if item is not None else None
        if link is not None:  # linked, or the price criterion answered by the price schedule
            if self.file_combo.currentData() != link.file:
                self.select_file(link.file)
            page = link.page or 1
            self.page_spin.setValue(page)
            path = self._file_on_disk(link.file)
            if path is not None:  # show the linked page, so the bidder can check it
                self.viewer.open(path, page=page)
        self._update_link_page()

    def _file_selected(self) -> None:
        if self.project is None:
            self.viewer.close_document()
            return
        file = str(self.file_combo.currentData())
        pages = self.project.files().get(file)
        form_id = next((k for k, v in bp.FORM_FILES.items() if v == file), None)
        self._previews.pop(file, None)
        if form_id is not None:  # drawn now from what is typed, with the seal's place outlined
            try:
                self._previews[file], pages = self.project.render_preview(form_id)
            except Exception as ex:  # the page explains; the draft is unchanged
                self.error_view.show_error(ex)
        self.page_spin.setRange(1, pages or 9999)
        path = self._file_on_disk(file)
        if path is None:
            self.viewer.close_document(self.tr("This form cannot be drawn yet; see the problem above."))
        else:
            self.viewer.open(path)
        self.preview_note.setVisible(form_id is not None and path is not None)
        self._update_link_page()

    def _file_on_disk(self, file: str) -> Path | None:
        """The draft's copy of an attached file, or the preview of a form drawn for showing it."""
        if self.project is None:
            return None
        if file in self._previews:
            return self._previews[file]
        if not any(a.path == file for a in self.project.attachments):
            return None
        return self.project.directory / bp.ATTACHMENTS_DIR / file

    def _attachment_chosen(self, item: QTreeWidgetItem | None) -> None:
        path = item.data(0, Qt.ItemDataRole.UserRole) if item is not None else None
        if path:
            self.select_file(str(path))

    def _shown_file(self) -> str | None:
        """The bid file whose page the viewer shows (None: nothing readable is shown)."""
        file = self.file_combo.currentData()
        if file is None or self.viewer.page < 1 or self.viewer.error is not None:
            return None
        path = self._file_on_disk(str(file))
        return str(file) if path is not None and path == self.viewer.path else None

    def _update_link_page(self) -> None:
        self.link_page_button.setEnabled(self._shown_file() is not None and self._selected_criterion() is not None)

    def link_to_shown_page(self) -> None:
        """Link the selected criterion to the file and page shown in the viewer."""
        if self._shown_file() is None:
            return
        self.page_spin.setValue(self.viewer.page)
        self.link_selected()

    def link_selected(self) -> None:
        criterion = self._selected_criterion()
        if self.project is None or criterion is None or self.file_combo.currentData() is None:
            return
        self.error_view.clear()
        row = self.criteria.currentRow()
        try:
            self.project.link(criterion, str(self.file_combo.currentData()), self.page_spin.value())
        except Exception as ex:
            self.error_view.show_error(ex)
            return
        self.project.save()
        self._fill_criteria()
        self.criteria.setCurrentCell(min(row + 1, self.criteria.rowCount() - 1), 0)
        self.changed.emit()

    def unlink_selected(self) -> None:
        criterion = self._selected_criterion()
        if self.project is not None and criterion is not None:
            self.project.unlink(criterion)
            self.project.save()
            self._fill_criteria()
            self.changed.emit()

    def keep_selected(self) -> None:
        criterion = self._selected_criterion()
        if self.project is not None and criterion is not None:
            self.project.confirm_link(criterion)
            self.project.save()
            self._fill_criteria()
            self.changed.emit()
