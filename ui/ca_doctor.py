"""The CA doctor: dongles, PKCS#11 modules and certificates, each with its status in plain words.

It lists every module found (p11-kit registry, BIDCLIENT_PKCS11_MODULES) and whether it loaded, every
token and its signing/encryption pairs with their trust status, expiry warnings at 90/30/15 days, and
runs the one-click self-test (sign + verify, encrypt + decrypt with one PIN entry) that tells the user
whether the dongle will work at the opening, and changes the dongle's PIN. All token work runs on
worker threads, each with progress and a Stop button that stops waiting for it.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from bidclient.doctor import (
    CheckedUsage,
    DoctorReport,
    PairRow,
    SelfTestResult,
    TokenRow,
    change_token_pin,
    examine,
    self_test,
)
from bidclient.signin_check import Assessment, describe_subject, readable_name
from ui.cert_status import explain
from ui.error_view import ErrorView, plain_label
from ui.pin_bridge import QtPrompter
from ui.pin_change_dialog import PinChangeDialog
from ui.task_progress import TaskProgress
from ui.workers import Task, TaskContext, start

GREEN, ORANGE, RED = QColor("#1b7f3b"), QColor("#a15c00"), QColor("#b00020")
ROLE_TOKEN = Qt.ItemDataRole.UserRole + 1
ROLE_PAIR = Qt.ItemDataRole.UserRole + 2


class CaDoctor(QWidget):
    def __init__(self, pin_source: QtPrompter | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("caDoctor")
        self.pin_source = pin_source or QtPrompter(self)
        self.report: DoctorReport | None = None
        self.last_test: SelfTestResult | None = None
        self.tested_token_uri: str | None = None  # the dongle last_test is about
        self._task: Task | None = None
        self._test_task: Task | None = None
        self._pin_task: Task | None = None
        self._stopped: set[Task] = set()  # stopped by the user, still finishing on a worker
        self.pin_change_dialog: PinChangeDialog | None = None
        self.pin_changed_for: str | None = None  # token label of the last successful change

        self.title = QLabel(self)
        self.title.setStyleSheet("font-size: large; font-weight: bold;")
        self.summary = plain_label(self, name="doctorSummary")
        self.trust_label = plain_label(self, name="trustLabel")
        self.refresh_button = QPushButton(self)
        self.refresh_button.setObjectName("refreshButton")
        self.refresh_button.clicked.connect(self.refresh)

        self.modules_tree = QTreeWidget(self)
        self.modules_tree.setObjectName("modulesTree")
        self.modules_tree.setColumnCount(3)
        self.modules_tree.setRootIsDecorated(False)
        self.tokens_tree = QTreeWidget(self)
        self.tokens_tree.setObjectName("tokensTree")
        self.tokens_tree.setColumnCount(3)
        self.tokens_tree.currentItemChanged.connect(self._selection_changed)
        for tree in (self.modules_tree, self.tokens_tree):
            tree.setWordWrap(True)
            tree.header().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
            tree.header().setStretchLastSection(True)
            tree.setColumnWidth(0, 300)
            tree.setColumnWidth(1, 260)

        self.details = QPlainTextEdit(self)
        self.details.setObjectName("certificateDetails")
        self.details.setReadOnly(True)
        self.test_button = QPushButton(self)
        self.test_button.setObjectName("selfTestButton")
        self.test_button.setEnabled(False)
        self.test_button.clicked.connect(self.run_self_test)
        self.pin_button = QPushButton(self)
        self.pin_button.setObjectName("changePinButton")
        self.pin_button.setEnabled(False)
        self.pin_button.clicked.connect(self.open_pin_change)
        self.test_result = plain_label(self, name="selfTestResult")
        self.scan_progress = TaskProgress(self, name="scanProgress")
        self.scan_progress.stop_requested.connect(self.stop_scan)
        self.test_progress = TaskProgress(self, name="testProgress")
        self.test_progress.stop_requested.connect(self.stop_token_work)
        self.error_view = ErrorView(self)

        top = QHBoxLayout()
        top.addWidget(self.title, 1)
        top.addWidget(self.refresh_button)
        buttons = QHBoxLayout()
        buttons.addWidget(self.test_button)
        buttons.addWidget(self.pin_button)
        buttons.addStretch(1)
        splitter = QSplitter(Qt.Orientation.Vertical, self)
        splitter.addWidget(self.modules_tree)
        splitter.addWidget(self.tokens_tree)
        splitter.addWidget(self.details)
        splitter.setSizes([120, 320, 120])
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.summary)
        layout.addWidget(self.scan_progress)
        layout.addWidget(self.trust_label)
        layout.addWidget(splitter, 1)
        layout.addLayout(buttons)
        layout.addWidget(self.test_progress)
        layout.addWidget(self.test_result)
        layout.addWidget(self.error_view)
        self.retranslate()

    # --- language ------------------------------------------------------------------------------

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def retranslate(self) -> None:
        self.title.setText(self.tr("Dongles and certificates"))
        self.refresh_button.setText(self.tr("&Refresh"))
        self.refresh_button.setAccessibleName(self.tr("Refresh the list of dongles"))
        self.modules_tree.setHeaderLabels([self.tr("PKCS#11 module"), self.tr("Status"), self.tr("Source")])
        self.modules_tree.setAccessibleName(self.tr("PKCS#11 modules"))
        self.tokens_tree.setHeaderLabels([self.tr("Dongle / certificate"), self.tr("Status"),
                                          self.tr("Next step")])
        self.tokens_tree.setAccessibleName(self.tr("Dongles and their certificates"))
        self.details.setAccessibleName(self.tr("Certificate details"))
        self.test_button.setText(self.tr("&Test this dongle"))
        self.test_button.setAccessibleName(self.tr("Test this dongle: sign, encrypt and decrypt"))
        self.test_button.setToolTip(self.tr("Signs a test message and verifies it, then encrypts a message to "
                                            "the encryption certificate and decrypts it with the dongle. "
                                            "Asks for the PIN once."))
        self.pin_button.setText(self.tr("Change &PIN…"))
        self.pin_button.setAccessibleName(self.tr("Change the dongle's PIN"))
        self.pin_button.setToolTip(self.tr("Asks for a new PIN twice, then for the current PIN once."))
        self.test_result.setAccessibleName(self.tr("Result of the dongle test"))
        self.summary.setAccessibleName(self.tr("Summary"))
        self._render()
        self._render_test()

    # --- examining -----------------------------------------------------------------------------

    def refresh(self) -> None:
        if self._task is not None:
            return
        self.refresh_button.setEnabled(False)
        self.summary.setText(self.tr("Looking for dongles…"))
        self.scan_progress.begin(self.tr("looking for dongles"))
        self.error_view.clear()

        def job(ctx: TaskContext) -> DoctorReport:
            return examine(progress=ctx.progress, cancelled=ctx.cancelled)

        task = Task(job, name="ca-doctor")
        task.signals.progress.connect(self._scan_progress)
        task.signals.succeeded.connect(self._examined)
        task.signals.failed.connect(self._scan_failed)
        task.signals.finished.connect(self._examine_done)
        self._task = start(task)

    @property
    def busy(self) -> bool:
        """True while any of this window's tasks still runs (also those the user stopped waiting for)."""
        return (self._task is not None or self._test_task is not None or self._pin_task is not None
                or bool(self._stopped))

    def _from_current(self, task: Task | None) -> bool:
        """Whether the signal being handled comes from ``task`` (a stopped task's late answers are dropped)."""
        return task is not None and self.sender() is task.signals

    def _forget_stopped(self) -> None:
        self._stopped = {t for t in self._stopped if self.sender() is not t.signals}

    def stop_scan(self) -> None:
        task = self._task
        if task is None:
            return
        task.cancel()
        self._stopped.add(task)
        self._task = None
        self.scan_progress.end()
        self.refresh_button.setEnabled(True)
        self.summary.setText(self.tr("Stopped looking for dongles. Press Refresh to look again."))

    def _scan_progress(self, done: int, total: int) -> None:
        if self._from_current(self._task):
            self.scan_progress.set_progress(done, total)

    def _scan_failed(self, error: BaseException) -> None:
        if self._from_current(self._task):
            self.error_view.show_error(error)

    def _examine_done(self) -> None:
        if not self._from_current(self._task):
            self._forget_stopped()
            return
        self._task = None
        self.scan_progress.end()
        self.refresh_button.setEnabled(True)

    def _examined(self, report: DoctorReport) -> None:
        if not self._from_current(self._task):
            return
        self.report = report
        self._render()

    def _render(self) -> None:
        report = self.report
        self.modules_tree.clear()
        self.tokens_tree.clear()
        if report is None:
            self.summary.setText(self.tr("Press Refresh to look for dongles."))
            self.trust_label.clear()
            return
        loaded = sum(1 for m in report.modules if m.error is None)
        self.summary.setText(self.tr("{modules} PKCS#11 modules found, {loaded} loaded; {tokens} dongles.").format(
            modules=len(report.modules), loaded=loaded, tokens=len(report.tokens)))
        if report.trust_error:
            self.trust_label.setText(self.tr("Trust list: {problem}").format(problem=report.trust_error))
        else:
            self.trust_label.setText(self.tr("Trust list: {paths}").format(
                paths=", ".join(str(p) for p in report.trust_sources)))
        for row in report.modules:
            if row.error is None:
                status = self.tr("Loaded, {count} dongles").format(count=row.tokens)
            else:
                status = self.tr("Failed to load: {reason}").format(reason=row.error)
            item = QTreeWidgetItem([f"{row.module.name} ({row.module.path})", status, row.module.source])
            item.setForeground(1, QBrush(GREEN if row.error is None else RED))
            item.setToolTip(1, status)
            self.modules_tree.addTopLevelItem(item)
        for token in report.tokens:
            self.tokens_tree.addTopLevelItem(self._token_item(token))
        self.tokens_tree.expandAll()

    def _token_item(self, token: TokenRow) -> QTreeWidgetItem:
        info = token.listing.info
        if info.pin_locked:
            status, color = self.tr("PIN locked: unblock it with your CA's tool"), RED
        elif info.pin_final_try:
            status, color = self.tr("One more wrong PIN locks this dongle"), RED
        elif info.pin_count_low:
            status, color = self.tr("A wrong PIN was entered recently"), ORANGE
        elif not token.pairs:
            status, color = self.tr("No certificate with a key on this dongle"), ORANGE
        else:
            status, color = self.tr("Present"), GREEN
        name = self.tr("{label} — {maker} {model} (serial {serial})").format(
            label=info.label, maker=info.manufacturer, model=info.model, serial=info.serial)
        item = QTreeWidgetItem([name, status, ""])
        item.setData(0, ROLE_TOKEN, token)
        item.setForeground(1, QBrush(color))
        for pair in token.pairs:
            item.addChild(self._pair_item(token, pair))
        return item

    def _pair_item(self, token: TokenRow, row: PairRow) -> QTreeWidgetItem:
        a = row.assessment
        status, step = explain(a)
        signing = row.usage is CheckedUsage.SIGNING
        role = self.tr("Signing certificate") if signing else self.tr("Encryption certificate")
        item = QTreeWidgetItem([f"{role}: {describe_subject(row.pair.certificate)}", status, step])
        item.setData(0, ROLE_TOKEN, token)
        item.setData(0, ROLE_PAIR, row)
        color = RED if not a.ok else (ORANGE if a.warning_level or not a.revocation_checked else GREEN)
        item.setForeground(1, QBrush(color))
        revocation = a.revocation_text()
        item.setToolTip(1, "\n".join([status, *(self.tr("Revocation: {how}").format(how=line) for line in revocation)]))
        item.setToolTip(2, step)
        return item

    def _selection_changed(self, current: QTreeWidgetItem | None, _previous: QTreeWidgetItem | None) -> None:
        token = current.data(0, ROLE_TOKEN) if current is not None else None
        self._enable_token_buttons(token is not None)
        self._render_test()  # the test result shows only with the dongle it is about
        row = current.data(0, ROLE_PAIR) if current is not None else None
        if isinstance(row, PairRow):
            cert = row.pair.certificate
            lines = [
                self.tr("Subject: {value}").format(value=readable_name(cert.subject)),
                self.tr("Issuer: {value}").format(value=readable_name(cert.issuer)),
                self.tr("Serial number: {value}").format(value=f"{cert.serial_number:x}"),
                self.tr("Valid from: {value}").format(value=f"{cert.not_valid_before_utc:%Y-%m-%d %H:%M} UTC"),
                self.tr("Valid until: {value}").format(value=f"{cert.not_valid_after_utc:%Y-%m-%d %H:%M} UTC"),
                self.tr("Key: {value}").format(value=row.pair.uri),
            ]
            if row.assessment.detail:
                lines.append(self.tr("Validation: {value}").format(value=row.assessment.detail))
            lines.extend(self.tr("Revocation: {how}").format(how=line) for line in row.assessment.revocation_text())
            lines.extend(self.tr("Warning: {value}").format(value=w) for w in row.assessment.warnings)
            self.details.setPlainText("\n".join(lines))
        elif isinstance(token, TokenRow):
            self.details.setPlainText(self.tr("Dongle: {value}").format(value=token.listing.uri))
        else:
            self.details.clear()

    # --- lookups for callers and tests -----------------------------------------------------------

    def token_items(self) -> list[QTreeWidgetItem]:
        items = (self.tokens_tree.topLevelItem(i) for i in range(self.tokens_tree.topLevelItemCount()))
        return [item for item in items if item is not None]

    def find_token_item(self, label: str) -> QTreeWidgetItem | None:
        for item in self.token_items():
            token = item.data(0, ROLE_TOKEN)
            if isinstance(token, TokenRow) and token.listing.info.label == label:
                return item
        return None

    # --- the self-test -------------------------------------------------------------------------

    def selected_token(self) -> TokenRow | None:
        item = self.tokens_tree.currentItem()
        token = item.data(0, ROLE_TOKEN) if item is not None else None
        return token if isinstance(token, TokenRow) else None

    def run_self_test(self) -> None:
        token = self.selected_token()
        if token is None or self._test_task is not None:
            return
        self.last_test = None
        self.tested_token_uri = token.listing.uri
        self.error_view.clear()
        self.test_result.setStyleSheet("")
        self.test_result.setText(self.tr("Testing “{label}”: enter the PIN when asked…").format(
            label=token.listing.info.label))
        self.test_progress.begin(self.tr("testing the dongle"))
        prompter = self.pin_source

        def job(ctx: TaskContext) -> SelfTestResult:
            return self_test(token.listing.uri, prompter, progress=ctx.progress, cancelled=ctx.cancelled)

        task = Task(job, name="self-test")
        task.signals.progress.connect(self._test_progress)
        task.signals.succeeded.connect(self._tested)
        task.signals.failed.connect(self._test_failed)
        task.signals.finished.connect(self._test_done)
        self._test_task = start(task)
        self._enable_token_buttons(True)

    def _enable_token_buttons(self, token_selected: bool) -> None:
        idle = self._test_task is None and self._pin_task is None  # one token operation at a time
        self.test_button.setEnabled(token_selected and idle)
        self.pin_button.setEnabled(token_selected and idle)

    def stop_token_work(self) -> None:
        """Stop waiting for the dongle test or the PIN change (whichever runs)."""
        self.test_result.setStyleSheet("")
        if self._test_task is not None:
            self._test_task.cancel()
            self._stopped.add(self._test_task)
            self._test_task = None
            self.test_result.setText(self.tr("Test stopped: nothing was concluded about this dongle."))
        elif self._pin_task is not None:
            self._pin_task.cancel()
            self._stopped.add(self._pin_task)
            self._pin_task = None
            self.test_result.setText(self.tr("Stopped waiting for the PIN change. If the dongle had already "
                                             "received it, the new PIN is in effect: run the dongle test to "
                                             "find out."))
        else:
            return
        self.test_progress.end()
        self._enable_token_buttons(self.selected_token() is not None)

    def _test_progress(self, done: int, total: int) -> None:
        if self._from_current(self._test_task):
            self.test_progress.set_progress(done, total)

    def _test_failed(self, error: BaseException) -> None:
        if self._from_current(self._test_task):
            self.error_view.show_error(error)

    def _test_done(self) -> None:
        if not self._from_current(self._test_task):
            self._forget_stopped()
            return
        self._test_task = None
        self.test_progress.end()
        self._enable_token_buttons(self.selected_token() is not None)

    def _tested(self, result: SelfTestResult) -> None:
        if not self._from_current(self._test_task):
            return
        self.last_test = result
        self._render_test()
        if result.error is not None:
            self.error_view.show_error(result.error)

    # --- PIN change ----------------------------------------------------------------------------

    def open_pin_change(self) -> PinChangeDialog | None:
        """Ask the new PIN (twice) for the selected dongle; on OK the change runs on a worker."""
        token = self.selected_token()
        if token is None or self._pin_task is not None:
            return None
        dialog = PinChangeDialog(token.listing.info.label, self)
        dialog.accepted.connect(lambda: self._start_pin_change(token, dialog))
        dialog.finished.connect(lambda _result: dialog.deleteLater())
        self.pin_change_dialog = dialog
        dialog.open()
        return dialog

    def _start_pin_change(self, token: TokenRow, dialog: PinChangeDialog) -> None:
        new_pin = dialog.take_new_pin()
        if new_pin is None or self._pin_task is not None:
            return
        self.error_view.clear()
        self.pin_changed_for = None
        label = token.listing.info.label
        self.test_result.setStyleSheet("")
        self.test_result.setText(self.tr("Changing the PIN of “{label}”: enter the current PIN when asked…").format(
            label=label))
        self.test_progress.begin(self.tr("changing the PIN"))
        pin_source, uri = self.pin_source, token.listing.uri
        holder = [new_pin]
        del new_pin

        def job(ctx: TaskContext) -> str:
            try:
                change_token_pin(uri, pin_source, holder[0], ctx.cancelled)
            finally:
                holder.clear()  # the new PIN is not kept past the call
            return label

        task = Task(job, name="change-pin")
        task.signals.succeeded.connect(self._pin_changed)
        task.signals.failed.connect(self._pin_change_failed)
        task.signals.finished.connect(self._pin_change_done)
        self._pin_task = start(task)
        self._enable_token_buttons(True)

    def _pin_changed(self, label: str) -> None:
        if not self._from_current(self._pin_task):
            return
        self.pin_changed_for = label
        self.test_result.setStyleSheet("color: #1b7f3b; font-weight: bold;")
        self.test_result.setText(self.tr("The PIN of “{label}” was changed. Use the new PIN from now on.").format(
            label=label))

    def _pin_change_failed(self, error: BaseException) -> None:
        if not self._from_current(self._pin_task):
            return
        self.test_result.setStyleSheet("color: #b00020; font-weight: bold;")
        self.test_result.setText(self.tr("The PIN was not changed."))
        self.error_view.show_error(error)

    def _pin_change_done(self) -> None:
        if not self._from_current(self._pin_task):
            self._forget_stopped()
            return
        self._pin_task = None
        self.test_progress.end()
        self._enable_token_buttons(self.selected_token() is not None)

    def _tested_assessments(self) -> list[Assessment]:
        """The trust assessments of the tested dongle's certificates (from the last scan)."""
        if self.report is None:
            return []
        return [row.assessment for token in self.report.tokens if token.listing.uri == self.tested_token_uri
                for row in token.pairs]

    def _render_test(self) -> None:
        result = self.last_test
        if result is None:
            return
        selected = self.selected_token()
        if selected is None or selected.listing.uri != self.tested_token_uri:
            self.test_result.setStyleSheet("")  # the result is about another dongle: not shown here
            self.test_result.clear()
            return
        names = {"sign": self.tr("sign"), "verify": self.tr("verify the signature"),
                 "encrypt": self.tr("encrypt"), "decrypt": self.tr("decrypt with the dongle")}
        steps = ", ".join(f"{names[s.name]} {'✔' if s.ok else '✘'}" for s in result.steps)
        assessments = self._tested_assessments()
        refused = [a for a in assessments if a.refused_locally]
        unsure = [a for a in assessments if not a.revocation_checked]
        if result.passed and refused:
            verdict = self.tr("The dongle itself works, but its certificate is not acceptable: {status} Bids signed "
                              "or sealed with it will be refused.").format(status=explain(refused[0])[0])
            self.test_result.setStyleSheet("color: #b00020; font-weight: bold;")
        elif result.passed and (unsure or not assessments):
            status = explain(unsure[0])[0] if unsure else self.tr("the dongle's certificates were not examined.")
            verdict = self.tr("The dongle itself works (sign, encrypt, decrypt), but whether the platform accepts "
                              "its certificates could not be fully checked: {status} Check this before you rely "
                              "on it for a bid.").format(status=status)
            self.test_result.setStyleSheet("color: #a15c00; font-weight: bold;")
        elif result.passed:
            verdict = self.tr("Test passed: this dongle can sign your bid and open it at the opening.")
            self.test_result.setStyleSheet("color: #1b7f3b; font-weight: bold;")
        else:
            verdict = self.tr("Test failed: do not rely on this dongle for a bid until this is fixed.")
            self.test_result.setStyleSheet("color: #b00020; font-weight: bold;")
        self.test_result.setText(f"{verdict}\n{steps}" if steps else verdict)


class CaDoctorDialog(QDialog):
    """The CA doctor in its own window (File ▸ Dongles and certificates)."""

    def __init__(self, pin_source: QtPrompter | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("caDoctorDialog")
        self.doctor = CaDoctor(pin_source, self)
        self.close_button = QPushButton(self)
        self.close_button.clicked.connect(self.accept)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.close_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.doctor)
        layout.addLayout(row)
        self.resize(980, 680)
        self.retranslate()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def retranslate(self) -> None:
        self.setWindowTitle(self.tr("Dongles and certificates — bidclient"))
        self.close_button.setText(self.tr("Close"))
        self.close_button.setAccessibleName(self.tr("Close"))
