"""The bidder's side of the remote opening (不见面开标): for each tender the bidder has a bid in, check in
(签到), a server-clock countdown to the opening and to the end of the decryption window, decrypt with the
dongle (release the key, retried while the window is open), the live announcement (唱标, a figures/words
mismatch flagged), objections (异议) and the hosts' answers, and the published record: view it, save it,
confirm it or object to it.

Every step is a ui.workers.Task calling a core service of bidclient.opening (the dongle opened with one PIN
through the app's QtPrompter); the opening's live channel (ui.live_adapter) says when to read it again.
"""

from __future__ import annotations

import shutil
from datetime import datetime
from pathlib import Path
from typing import Any

import shiboken6
from PySide6.QtCore import QEvent, QTimer
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFileDialog,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from bidclient import opening
from bidclient.live import ConnectionState
from bidclient.protocol.opening import BidOut, OpeningOut
from bidclient.signin import SignedIn, signed_in_fingerprint
from bidclient.timefmt import format_time
from ui.context import AppContext
from ui.error_view import ErrorView, plain_label
from ui.live_adapter import ConnectionIndicator, LiveChannel
from ui.pdf_viewer import PdfViewer
from ui.status_line import StatusLine
from ui.workers import Task, TaskContext, start

ANNOUNCE_COLUMNS = 8
MISMATCH_COLOUR = "#fff3cd"


def parse_time(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None


def clock_text(seconds: float) -> str:
    """A duration as "2 d 03:04:05" or "03:04:05"."""
    left = max(0, int(seconds))
    days, rest = divmod(left, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    clock = f"{hours:02d}:{minutes:02d}:{secs:02d}"
    return f"{days} d {clock}" if days else clock


class OpeningPage(QWidget):
    """The "Opening" (开标) tab of the bidder workspace."""

    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("openingPage")
        self.context = context
        self.entries: list[opening.MyOpening] = []
        self.current: OpeningOut | None = None
        self.record_path: Path | None = None
        self._record_tender: str | None = None
        self.live: LiveChannel | None = None
        self._live_tender: str | None = None
        self._tasks: set[Task] = set()
        self._reload_again = False
        self._loading: Task | None = None

        self.heading = QLabel(self)
        self.heading.setStyleSheet("font-size: 15px; font-weight: bold;")
        self.tender_combo = QComboBox(self)
        self.refresh_button = QPushButton(self)
        self.indicator = ConnectionIndicator(self)
        self.state_label = plain_label(self, name="openingState")
        self.countdown = plain_label(self, name="openingCountdown")
        self.countdown.setStyleSheet("font-size: 15px; font-weight: bold;")
        self.my_bid_label = plain_label(self, name="openingMyBid")
        self.check_in_button = QPushButton(self)
        self.decrypt_button = QPushButton(self)
        self.status_label = plain_label(self, name="openingStatus")
        self.status_line = StatusLine(self.status_label)
        self.error_view = ErrorView(self)

        self.announce_box = QGroupBox(self)
        self.announce_table = QTableWidget(0, ANNOUNCE_COLUMNS, self.announce_box)
        self.announce_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.announce_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.announce_table.verticalHeader().setVisible(False)
        self.announce_table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.announce_table.horizontalHeader().setStretchLastSection(True)
        self.announce_table.setMinimumHeight(150)
        self.mismatch_note = plain_label(self.announce_box, name="openingMismatchNote")

        self.objection_box = QGroupBox(self)
        self.objection_list = QListWidget(self.objection_box)
        self.objection_list.setWordWrap(True)
        self.objection_list.setMinimumHeight(80)
        self.objection_list.setMaximumHeight(180)
        self.objection_text = QPlainTextEdit(self.objection_box)
        self.objection_text.setMaximumHeight(70)
        self.object_button = QPushButton(self.objection_box)

        self.record_box = QGroupBox(self)
        self.record_label = plain_label(self.record_box, name="openingRecordState")
        self.view_record_button = QPushButton(self.record_box)
        self.save_record_button = QPushButton(self.record_box)
        self.confirm_record_button = QPushButton(self.record_box)
        self.object_record_button = QPushButton(self.record_box)
        self.viewer = PdfViewer(self.record_box)
        self.viewer.setMinimumHeight(420)
        self.viewer.setVisible(False)

        for widget, name in ((self.tender_combo, "openingTender"), (self.refresh_button, "openingRefresh"),
                             (self.check_in_button, "openingCheckIn"), (self.decrypt_button, "openingDecrypt"),
                             (self.announce_table, "openingAnnouncement"), (self.objection_list, "openingObjections"),
                             (self.objection_text, "openingObjectionText"), (self.object_button, "openingObject"),
                             (self.view_record_button, "openingViewRecord"),
                             (self.save_record_button, "openingSaveRecord"),
                             (self.confirm_record_button, "openingConfirmRecord"),
                             (self.object_record_button, "openingObjectRecord")):
            widget.setObjectName(name)

        top = QHBoxLayout()
        top.addWidget(self.tender_combo, 1)
        top.addWidget(self.refresh_button)
        top.addWidget(self.indicator)
        actions = QHBoxLayout()
        actions.addWidget(self.check_in_button)
        actions.addWidget(self.decrypt_button)
        actions.addStretch(1)
        announce = QVBoxLayout(self.announce_box)
        announce.addWidget(self.announce_table)
        announce.addWidget(self.mismatch_note)
        objections = QVBoxLayout(self.objection_box)
        objections.addWidget(self.objection_list)
        objections.addWidget(self.objection_text)
        object_row = QHBoxLayout()
        object_row.addStretch(1)
        object_row.addWidget(self.object_button)
        objections.addLayout(object_row)
        record = QVBoxLayout(self.record_box)
        record.addWidget(self.record_label)
        record_row = QHBoxLayout()
        for button in (self.view_record_button, self.save_record_button, self.confirm_record_button,
                       self.object_record_button):
            record_row.addWidget(button)
        record_row.addStretch(1)
        record.addLayout(record_row)
        record.addWidget(self.viewer, 1)

        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addLayout(top)
        layout.addWidget(self.state_label)
        layout.addWidget(self.countdown)
        layout.addWidget(self.my_bid_label)
        layout.addLayout(actions)
        layout.addWidget(self.status_label)
        layout.addWidget(self.error_view)
        layout.addWidget(self.announce_box)
        layout.addWidget(self.objection_box)
        layout.addWidget(self.record_box)
        layout.addStretch(1)

        self.refresh_button.clicked.connect(self.refresh)
        self.tender_combo.currentIndexChanged.connect(self._tender_chosen)
        self.check_in_button.clicked.connect(self.check_in)
        self.decrypt_button.clicked.connect(self.decrypt)
        self.object_button.clicked.connect(self.raise_objection)
        self.view_record_button.clicked.connect(self.view_record)
        self.save_record_button.clicked.connect(self.save_record)
        self.confirm_record_button.clicked.connect(lambda: self.acknowledge("confirm"))
        self.object_record_button.clicked.connect(lambda: self.acknowledge("object"))
        context.session_changed.connect(lambda _s: self.refresh())

        self.clock = QTimer(self)
        self.clock.setInterval(1000)
        self.clock.timeout.connect(self._tick)
        self.clock.start()
        self.retranslate()
        self._show()

    # --- language ---

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def retranslate(self) -> None:
        self.heading.setText(self.tr("The opening (开标) of the tenders you bid on"))
        self.refresh_button.setText(self.tr("Refresh"))
        self.check_in_button.setText(self.tr("Check in (签到)…"))
        self.decrypt_button.setText(self.tr("Decrypt my bid with the dongle…"))
        self.announce_box.setTitle(self.tr("Announcement (唱标)"))
        self.announce_table.setHorizontalHeaderLabels([
            self.tr("No."), self.tr("Bidder"), self.tr("Price in figures"), self.tr("Price in words"),
            self.tr("Price that counts"), self.tr("Duration (days)"), self.tr("Quality"), self.tr("Outcome")])
        self.objection_box.setTitle(self.tr("Objections (异议) and the hosts' answers"))
        self.objection_text.setPlaceholderText(self.tr("Your objection, or what you object to in the record"))
        self.object_button.setText(self.tr("Raise objection"))
        self.record_box.setTitle(self.tr("Opening record (开标记录表)"))
        self.view_record_button.setText(self.tr("View record"))
        self.save_record_button.setText(self.tr("Save record…"))
        self.confirm_record_button.setText(self.tr("Confirm the record…"))
        self.object_record_button.setText(self.tr("Object to the record…"))
        for widget, name in (
                (self.tender_combo, self.tr("Tender whose opening is shown")),
                (self.refresh_button, self.tr("Refresh the opening")),
                (self.check_in_button, self.tr("Check in to the opening with your dongle")),
                (self.decrypt_button, self.tr("Decrypt my bid with the dongle")),
                (self.announce_table, self.tr("Announced bids")),
                (self.objection_list, self.tr("Objections and answers")),
                (self.objection_text, self.tr("Objection text")),
                (self.object_button, self.tr("Raise objection")),
                (self.view_record_button, self.tr("View the opening record")),
                (self.save_record_button, self.tr("Save the opening record")),
                (self.confirm_record_button, self.tr("Confirm the opening record")),
                (self.object_record_button, self.tr("Object to the opening record"))):
            widget.setAccessibleName(name)
        self.status_line.retranslate()
        self._show()

    # --- reading the opening ---

    @property
    def busy(self) -> bool:
        return bool(self._tasks)

    @property
    def tender_id(self) -> str | None:
        index = self.tender_combo.currentIndex()
        return self.entries[index].tender_id if 0 <= index < len(self.entries) else None

    def _alive(self, slot: Any) -> Any:
        """``slot``, called only while this widget exists (a task may finish after its window closed)."""

        def call(*args: object) -> None:
            if shiboken6.isValid(self):
                slot(*args)

        return call

    def _run(self, job: Any, on_done: Any, *, name: str) -> Task:
        task = Task(job, name=name)
        task.signals.succeeded.connect(self._alive(on_done))
        task.signals.failed.connect(self._alive(self.error_view.show_error))
        task.signals.finished.connect(self._alive(lambda: self._finished(task)))
        self._tasks.add(task)
        self._update_buttons()
        return start(task)

    def _finished(self, task: Task) -> None:
        self._tasks.discard(task)
        if task is self._loading:
            self._loading = None
            if self._reload_again:
                self._reload_again = False
                self.reload()
        self._update_buttons()

    def refresh(self) -> None:
        """The tenders with an active bid of this bidder, and their openings (on a worker)."""
        client = self.context.client()
        if client is None:
            self.entries, self.current = [], None
            self.tender_combo.clear()
            self._follow(None)
            self._show()
            return
        self.error_view.clear()
        self._run(lambda _ctx: opening.my_openings(client), self._listed, name="my-openings")

    def _listed(self, entries: list[opening.MyOpening]) -> None:
        chosen = self.tender_id
        self.entries = entries
        self.tender_combo.blockSignals(True)
        self.tender_combo.clear()
        for entry in entries:
            self.tender_combo.addItem(entry.tender_id)
        ids = [e.tender_id for e in entries]
        self.tender_combo.setCurrentIndex(ids.index(chosen) if chosen in ids else (0 if ids else -1))
        self.tender_combo.blockSignals(False)
        self._tender_chosen()

    def _tender_chosen(self, *_args: object) -> None:
        index = self.tender_combo.currentIndex()
        self.current = self.entries[index].opening if 0 <= index < len(self.entries) else None
        if self.record_path is not None and self._record_tender != self.tender_id:
            self.record_path = None
            self.viewer.close_document()
            self.viewer.setVisible(False)
        self._follow(self.tender_id if self.current is not None else None)
        self._show()

    def reload(self) -> None:
        """Read the chosen tender's opening again (after a live event or a step)."""
        client, tender = self.context.client(), self.tender_id
        if client is None or tender is None:
            return
        if self._loading is not None:
            self._reload_again = True
            return
        self._loading = self._run(lambda _ctx: opening.OpeningApi(client, tender).get(),
                                  lambda out: self._loaded(tender, out), name="opening-view")

    def _loaded(self, tender: str, out: OpeningOut) -> None:
        for i, entry in enumerate(self.entries):
            if entry.tender_id == tender:
                self.entries[i] = opening.MyOpening(entry.tender_id, entry.submission_id, out)
        if tender == self.tender_id:
            was_following = self.current is not None
            self.current = out
            if not was_following:
                self._follow(tender)
            self._show()

    def _follow(self, tender: str | None) -> None:
        if tender == self._live_tender and (tender is None or self.live is not None):
            return
        if self.live is not None:
            self.live.stop()
            self.live.deleteLater()
            self.live = None
        self._live_tender = tender
        client = self.context.client()
        if tender is None or client is None:
            self.indicator.set_state(ConnectionState.OFFLINE)
            return
        self.live = LiveChannel(client, f"opening:{tender}", parent=self)
        self.live.received.connect(lambda _event: self.reload())
        self.live.state_changed.connect(self.indicator.set_state)
        self.live.failed.connect(self.error_view.show_error)
        self.live.start()

    def stop(self) -> None:
        """Stop following (before the window closes)."""
        self._follow(None)

    # --- what is shown ---

    def _me(self) -> str:
        session = self.context.session
        return session.account.identity_key if session is not None else ""

    def my_bid(self) -> BidOut | None:
        if self.current is None:
            return None
        return next((b for b in self.current.bids if b.identity_key == self._me()), None)

    def state_text(self, state: str) -> str:
        return {
            "scheduled": self.tr("Scheduled: check in before the opening."),
            "locked": self.tr("Bids counted at the deadline; waiting for the opening time."),
            "no_opening": self.tr("Fewer than three bids: there is no opening (招标投标法实施条例 Art. 44)."),
            "decrypting": self.tr("Decryption window open: decrypt your bid with your dongle now."),
            "announced": self.tr("Announced (唱标). Objections can still be raised."),
            "record_drafted": self.tr("The hosts are preparing the opening record."),
            "host_signed": self.tr("The host signed the record; waiting for the supervisor."),
            "signed": self.tr("The record is signed; waiting for it to be published."),
            "published": self.tr("The record is published: confirm it or object to it."),
        }.get(state, state)

    def bid_state_text(self, bid: BidOut) -> str:
        text = {
            "awaiting_key": self.tr("Your bid is counted; not decrypted yet."),
            "key_released": self.tr("Your key is released; the hosts are opening your bid."),
            "remedy": self.tr("The opening committee is opening your bid (补救方案)."),
            "opened": self.tr("Your bid is opened and verified."),
            "failed": self.tr("Your bid could not be opened with the key released: decrypt again while the "
                              "window is open."),
            "revoked": self.tr("Your bid was not decrypted (撤销)."),
            "withdrawn": self.tr("Your bid was withdrawn (撤回) through no fault of yours."),
        }.get(bid.state, bid.state)
        if bid.failure_code and bid.state != "opened":
            text += " " + self.tr("Reason: {code}").format(code=bid.failure_code)
        return text

    def _show(self) -> None:
        signed_in = self.context.session is not None
        out = self.current
        if not signed_in:
            self.state_label.setText(self.tr("Sign in with your dongle to take part in the opening."))
        elif not self.entries:
            self.state_label.setText(self.tr("You have no submitted bid: the openings of the tenders you bid on "
                                             "appear here."))
        elif out is None:
            self.state_label.setText(self.tr("The agency has not scheduled this opening yet."))
        else:
            checked = any(c.identity_key == self._me() for c in out.check_ins)
            text = self.tr("Opening of {tender}: {state}").format(tender=out.tender_id,
                                                                   state=self.state_text(out.state))
            text += " " + (self.tr("You are checked in.") if checked else self.tr("You have not checked in."))
            self.state_label.setText(text)
        bid = self.my_bid()
        self.my_bid_label.setText(self.bid_state_text(bid) if bid is not None else "")
        self.my_bid_label.setVisible(bid is not None)
        self._show_announcement(out)
        self._show_objections(out)
        self._show_record(out)
        self._tick()
        self._update_buttons()

    def _show_announcement(self, out: OpeningOut | None) -> None:
        bids = [b for b in (out.bids if out is not None else []) if b.announced is not None or b.outcome]
        self.announce_table.setRowCount(len(bids))
        mismatches = 0
        outcomes = {"opened": self.tr("opened"), "revoked": self.tr("revoked (撤销)"),
                    "withdrawn": self.tr("withdrawn (撤回)")}
        for row, b in enumerate(bids):
            a = b.announced
            flagged = a is not None and a.price_mismatch
            mismatches += flagged
            outcome = outcomes.get(b.outcome or "", b.outcome or "")
            if b.remedied:
                outcome += " " + self.tr("(by the committee)")
            if flagged:
                outcome += " ⚠ " + self.tr("figures and words differ: the words prevail")
            values = [str(b.position), (a.bidder if a else None) or b.organization or b.identity_key,
                      a.price_figures if a else "", a.price_words if a else "", a.price if a else "",
                      a.duration if a else "", a.quality if a else "", outcome]
            for column, value in enumerate(values):
                item = QTableWidgetItem(value or "")
                if flagged:
                    item.setBackground(QColor(MISMATCH_COLOUR))
                self.announce_table.setItem(row, column, item)
        self.mismatch_note.setText(self.tr("⚠ {n} bid(s): the price in figures and in words differ; the price in "
                                           "words prevails (87号令 Art. 59).").format(n=mismatches)
                                   if mismatches else "")
        self.mismatch_note.setVisible(bool(mismatches))
        self.announce_box.setVisible(bool(bids))

    def _show_objections(self, out: OpeningOut | None) -> None:
        self.objection_list.clear()
        for o in (out.objections if out is not None else []):
            mine = o.identity_key == self._me()
            who = self.tr("You") if mine else (o.organization or o.identity_key)
            text = self.tr("{who}: {text}").format(who=who, text=o.text)
            if o.answer:
                text += "\n" + self.tr("→ Answer: {answer}").format(answer=o.answer)
            else:
                text += "\n" + self.tr("→ Not answered yet")
            self.objection_list.addItem(QListWidgetItem(text))
        self.objection_box.setVisible(out is not None and out.state not in ("scheduled", "no_opening"))

    def _my_acknowledgment(self, out: OpeningOut | None) -> Any:
        if out is None:
            return None
        return next((a for a in out.acknowledgments if a.identity_key == self._me()), None)

    def _show_record(self, out: OpeningOut | None) -> None:
        published = out is not None and out.state == "published"
        self.record_box.setVisible(published)
        if not published or out is None:
            return
        ack = self._my_acknowledgment(out)
        if ack is None:
            text = self.tr("Published. You have not confirmed it yet.")
        elif ack.decision == "confirm":
            text = self.tr("You confirmed the record.")
        else:
            text = self.tr("You objected to the record: {text}").format(text=ack.text)
        signers = ", ".join(out.record_signers)
        if signers:
            text += " " + self.tr("Signed by: {signers}.").format(signers=signers)
        self.record_label.setText(text)

    def _tick(self) -> None:
        out = self.current
        client = self.context.client()
        if out is None or client is None:
            self.countdown.setText("")
            self.countdown.setVisible(False)
            return
        now = client.server_now()
        deadline, opening_time = parse_time(out.deadline), parse_time(out.opening_time)
        closes = parse_time(out.window_closes_at)
        text = ""
        if out.state in ("scheduled", "locked"):
            if deadline is not None and now < deadline:
                text = self.tr("Bids close in {left} ({at}).").format(left=clock_text((deadline - now).total_seconds()),
                                                                      at=format_time(deadline))
            if opening_time is not None and now < opening_time:
                text += (" " if text else "") + self.tr("Opening in {left} ({at}).").format(
                    left=clock_text((opening_time - now).total_seconds()), at=format_time(opening_time))
            elif opening_time is not None:
                text = self.tr("The opening time ({at}) has come: waiting for the host to open the decryption "
                               "window.").format(at=format_time(opening_time))
        elif out.state == "decrypting" and closes is not None:
            if now < closes:
                text = self.tr("Decryption window closes in {left} ({at}).").format(
                    left=clock_text((closes - now).total_seconds()), at=format_time(closes))
            else:
                text = self.tr("The decryption window closed at {at}.").format(at=format_time(closes))
        self.countdown.setText(text + (" " + self.tr("(server clock)") if text else ""))
        self.countdown.setVisible(bool(text))
        urgent = out.state == "decrypting" and closes is not None and (closes - now).total_seconds() < 300
        self.countdown.setStyleSheet("font-size: 15px; font-weight: bold; color: %s;"
                                     % ("#b00020" if urgent else "#0d47a1"))

    def _update_buttons(self) -> None:
        out = self.current
        idle = not self._tasks and self.context.session is not None
        checked = out is not None and any(c.identity_key == self._me() for c in out.check_ins)
        self.check_in_button.setEnabled(idle and out is not None and not checked
                                        and out.state in ("scheduled", "locked", "decrypting"))
        bid = self.my_bid()
        self.decrypt_button.setEnabled(idle and out is not None and out.state == "decrypting" and bid is not None
                                       and bid.state in ("awaiting_key", "key_released", "failed"))
        self.object_button.setEnabled(idle and out is not None
                                      and out.state in ("locked", "decrypting", "announced"))
        published = out is not None and out.state == "published"
        self.view_record_button.setEnabled(idle and published)
        self.save_record_button.setEnabled(idle and published and self.record_path is not None)
        undecided = published and self._my_acknowledgment(out) is None
        self.confirm_record_button.setEnabled(idle and undecided)
        self.object_record_button.setEnabled(idle and undecided)
        self.refresh_button.setEnabled(not self._tasks)

    # --- the steps ---

    def _keyed(self) -> tuple[Any, str, SignedIn, Any] | None:
        """The client, tender, signed-in certificate and the app's prompter, when a dongle step can run."""
        session, tender, prompter = self.context.session, self.tender_id, self.context.pin_source
        if session is None or tender is None or prompter is None:
            return None
        return session.client, tender, session, prompter

    def _step_done(self, message: Any) -> None:
        self.error_view.clear()
        self.status_line.set(message)
        self.reload()

    def check_in(self) -> None:
        keyed = self._keyed()
        if keyed is None:
            return
        client, tender, session, prompter = keyed
        self.error_view.clear()
        self.status_line.set(lambda: self.tr("Checking in… enter your dongle's PIN."))
        self._run(lambda _ctx: opening.check_in_signed_in(client, tender, signed_in_fingerprint(session),
                                                                     prompter),
                  lambda _out: self._step_done(lambda: self.tr("Checked in.")), name="opening-check-in")

    def decrypt(self) -> None:
        keyed = self._keyed()
        if keyed is None:
            return
        client, tender, session, prompter = keyed
        self.error_view.clear()
        self.status_line.set(lambda: self.tr("Decrypting… confirm, then enter your dongle's PIN."))

        def failed(_error: BaseException) -> None:
            self.status_line.set(lambda: self.tr("Not decrypted. You can try again until the window closes."))

        task = self._run(lambda _ctx: opening.release_key_signed_in(
                             client, tender, signed_in_fingerprint(session), prompter),
                         lambda _out: self._step_done(lambda: self.tr("Key released: the hosts are opening your "
                                                                      "bid.")), name="opening-release-key")
        task.signals.failed.connect(self._alive(failed))

    def raise_objection(self) -> None:
        client, tender = self.context.client(), self.tender_id
        if client is None or tender is None:
            return
        text = self.objection_text.toPlainText()

        def raised(_out: object) -> None:
            self.objection_text.clear()
            self._step_done(lambda: self.tr("Objection raised: the hosts answer it."))

        self.error_view.clear()
        self._run(lambda _ctx: opening.raise_objection(client, tender, text), raised, name="opening-object")

    def acknowledge(self, decision: str) -> None:
        keyed = self._keyed()
        if keyed is None:
            return
        client, tender, session, prompter = keyed
        text = self.objection_text.toPlainText() if decision == "object" else ""
        self.error_view.clear()
        self.status_line.set(lambda: self.tr("Signing your answer to the record… enter your dongle's PIN."))

        def done(_out: object) -> None:
            if decision == "object":
                self.objection_text.clear()
            self._step_done(lambda: self.tr("Your answer to the record is signed and sent."))

        self._run(lambda _ctx: opening.acknowledge_signed_in(client, tender, signed_in_fingerprint(session), prompter,
                                                             decision=decision,
                                                             text=text), done, name="opening-acknowledge")

    def view_record(self) -> None:
        client, tender = self.context.client(), self.tender_id
        if client is None or tender is None:
            return
        folder = opening.default_records_folder()
        self.error_view.clear()

        def fetched(path: Path) -> None:
            self.record_path, self._record_tender = path, tender
            self.viewer.setVisible(True)
            self.viewer.open(path)
            self.status_line.set(lambda: self.tr("Record downloaded and checked against the opening: {path}").format(
                path=path))
            self._update_buttons()

        self._run(lambda _ctx: opening.fetch_record(client, tender, folder), fetched, name="opening-record")

    def save_record(self) -> None:
        source = self.record_path
        if source is None:
            return
        target, _filter = QFileDialog.getSaveFileName(self, self.tr("Save the opening record"),
                                                      str(Path.home() / source.name), self.tr("PDF (*.pdf)"))
        if not target:
            return
        self.save_to(Path(target))

    def save_to(self, target: Path) -> None:
        source = self.record_path
        if source is None:
            return

        def copy(_ctx: TaskContext) -> Path:
            shutil.copyfile(source, target)
            return target

        self._run(copy, lambda path: self.status_line.set(lambda: self.tr("Saved to {path}").format(path=path)),
                  name="opening-save-record")

    # --- hooks ---

    def activated(self) -> None:
        self.refresh()
