"""The chair's summary (汇总): shown only once every sheet is in. The committee's scores, the ranking with
each final score's calculation, the Art. 64 flags (87号令 Art. 64: what may be changed and why), and the
return of a sheet to its expert — always with a recorded reason. The page runs the jobs."""

from __future__ import annotations

from PySide6.QtCore import QEvent, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from bidclient.evaluation.desk import ChairSummary
from bidclient.protocol.evaluation_session import MemberStatus, SessionOut, SheetState
from ui.error_view import plain_label


class SummaryView(QWidget):
    return_requested = Signal(str, str)  # expert, reason

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.waiting = plain_label(self, name="summaryWaiting")
        self.table = QTableWidget(self)
        self.table.setObjectName("summaryTable")
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.verticalHeader().setVisible(False)  # the rank is the first column
        self.flags_title = QLabel(self)
        self.flags = QListWidget(self)
        self.flags.setObjectName("art64Flags")
        self.flags.setWordWrap(True)
        self.return_title = QLabel(self)
        self.expert = QComboBox(self)
        self.reason = QLineEdit(self)
        self.reason.setMaxLength(2000)
        self.return_button = QPushButton(self)
        self.return_button.clicked.connect(
            lambda: self.return_requested.emit(str(self.expert.currentData() or ""), self.reason.text()))
        row = QHBoxLayout()
        row.addWidget(self.expert)
        row.addWidget(self.reason, 1)
        row.addWidget(self.return_button)
        self.content = QWidget(self)
        inner = QVBoxLayout(self.content)
        inner.setContentsMargins(0, 0, 0, 0)
        inner.addWidget(self.table, 2)
        inner.addWidget(self.flags_title)
        inner.addWidget(self.flags, 1)
        inner.addWidget(self.return_title)
        inner.addLayout(row)
        layout = QVBoxLayout(self)
        layout.addWidget(self.waiting)
        layout.addWidget(self.content, 1)
        self.summary: ChairSummary | None = None
        self._counts: tuple[int, int] | None = None
        self._session: SessionOut | None = None
        self.show_waiting(0, 0)
        self.retranslate()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def retranslate(self) -> None:
        self.flags_title.setText(self.tr("Art. 64 checks (87号令): the only grounds on which a score may change"))
        self.return_title.setText(self.tr("Return a sheet to its expert (the reason is recorded):"))
        self.expert.setAccessibleName(self.tr("Expert whose sheet to return"))
        self.reason.setPlaceholderText(self.tr("Reason for returning the sheet (required)"))
        self.reason.setAccessibleName(self.tr("Reason for returning the sheet"))
        self.return_button.setText(self.tr("Return the sheet"))
        self.return_button.setAccessibleName(self.tr("Return the sheet"))
        self.table.setAccessibleName(self.tr("The committee's scores and ranking"))
        self.flags.setAccessibleName(self.tr("Art. 64 checks"))
        if self.summary is None and self._counts is not None:
            self.show_waiting(*self._counts)
        elif self.summary is not None and self._session is not None:
            self.show_summary(self._session, self.summary)

    def show_waiting(self, submitted: int, active: int) -> None:
        """Before every sheet is in: no scores, only how many sheets are in."""
        self.summary = None
        self._counts = (submitted, active)
        self.content.setVisible(False)
        self.waiting.setVisible(True)
        if active and submitted == active:
            self.waiting.setText(self.tr("Every sheet is in (%1 of %2): move the session on to the summary phase "
                                         "(Session tab) to see it.").replace("%1", str(submitted))
                                 .replace("%2", str(active)))
        else:
            self.waiting.setText(self.tr("The summary is shown once every sheet is in: %1 of %2 submitted.")
                                 .replace("%1", str(submitted)).replace("%2", str(active)))

    def show_summary(self, session: SessionOut, summary: ChairSummary) -> None:
        self.summary, self._session = summary, session
        self._counts = None
        self.waiting.setVisible(False)
        self.content.setVisible(True)
        d = session.definition
        criteria = [c.id for c in d.criteria if c.kind != "computed"]
        names = {c.id: c.name for c in d.criteria}
        headers = [self.tr("Rank"), self.tr("Bid"), *[names[c] for c in criteria], self.tr("Final score"),
                   self.tr("Calculation")]
        rows = summary.result.ranking.rows if summary.result is not None else ()
        calc = {r.bidder_id: str(r.calculation) for r in rows}
        self.table.setColumnCount(len(headers))
        self.table.setHorizontalHeaderLabels(headers)
        # The rank is the rules' (with the price score and the tie rule) when they could be applied.
        ranks = {x.bidder_id: x.rank for x in rows} if rows else {x.bid: x.rank for x in summary.summary.lines}
        lines = sorted(summary.summary.lines,
                       key=lambda line: (ranks.get(line.bid) is None, ranks.get(line.bid) or 0, line.bid))
        self.table.setRowCount(len(lines))
        for r, line in enumerate(lines):
            final = next((x.final for x in rows if x.bidder_id == line.bid), None)
            rank = ranks.get(line.bid)
            values = [str(rank) if rank is not None and not line.excluded else "—", f"{line.name} ({line.bid})",
                      *[line.scores.get(c, "") for c in criteria],
                      self.tr("excluded") if line.excluded else (f"{final:.2f}" if final is not None else line.total),
                      self.tr("excluded in the review") if line.excluded else calc.get(line.bid, "")]
            for col, text in enumerate(values):
                item = QTableWidgetItem(text)
                item.setToolTip(text)
                self.table.setItem(r, col, item)
        self.flags.clear()
        for flag in summary.flags:
            where = f"{flag.bidder_id}" + (f" / {names.get(flag.criterion_id, flag.criterion_id)}"
                                          if flag.criterion_id else "")
            self.flags.addItem(f"[{flag.code}] {flag.expert_id.removeprefix('person:')} · {where}: "
                               f"{flag.detail} — {flag.may_change_text}")
        if not summary.flags:
            self.flags.addItem(self.tr("No Art. 64 flag: no score needs a second look."))
        chosen = self.expert.currentData()
        self.expert.clear()
        for m in session.members:
            if m.status == MemberStatus.DECLARED and m.sheet_state == SheetState.SUBMITTED:
                self.expert.addItem(m.identity_key.removeprefix("person:"), m.identity_key)
        self.expert.setCurrentIndex(max(0, self.expert.findData(chosen)))  # a live update keeps the choice
        self.return_button.setEnabled(self.expert.count() > 0)
