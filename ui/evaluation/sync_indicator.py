"""The sync state of the expert's edits, always visible: saved locally, syncing, synced, offline, or a
conflict with what happened (never resolved silently: the expert enters the value again or acknowledges)."""

from __future__ import annotations

import enum
from typing import ClassVar

from PySide6.QtCore import QEvent, Qt
from PySide6.QtWidgets import QLabel, QWidget

from bidclient.evaluation.journal import JournalStatus


class SyncState(enum.Enum):
    SAVED_LOCALLY = "saved"  # in the journal, not sent yet
    SYNCING = "syncing"
    SYNCED = "synced"
    OFFLINE = "offline"  # the server cannot be reached; edits wait in the journal
    CONFLICT = "conflict"  # the server did not apply an edit: shown with its reason


def state_of(status: JournalStatus, *, offline: bool) -> SyncState:
    if status.conflicts or status.rejected:
        return SyncState.CONFLICT
    if offline:
        return SyncState.OFFLINE
    if status.pending:
        return SyncState.SAVED_LOCALLY
    return SyncState.SYNCED


class SyncIndicator(QLabel):
    """One line: the state, how many edits wait, and for a conflict what the server answered."""

    _COLOURS: ClassVar[dict[SyncState, str]] = {
        SyncState.SAVED_LOCALLY: "#1565c0", SyncState.SYNCING: "#1565c0", SyncState.SYNCED: "#2e7d32",
        SyncState.OFFLINE: "#c62828", SyncState.CONFLICT: "#c62828"}

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("evaluationSyncIndicator")
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setWordWrap(True)
        self.state = SyncState.SYNCED
        self.pending = 0
        self.problems: list[str] = []  # "bid / item: what the server said", one per unresolved edit
        self.set_state(SyncState.SYNCED)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self._show()
        super().changeEvent(event)

    def set_status(self, status: JournalStatus, *, offline: bool) -> None:
        self.pending = status.pending
        self.problems = [f"{e.body.get('bid')} / {e.body.get('item')}: {d.detail or d.code} [{d.code}]"
                         for e, d in [*status.conflicts, *status.rejected]]
        self.set_state(state_of(status, offline=offline))

    def set_state(self, state: SyncState) -> None:
        self.state = state
        self._show()

    def _show(self) -> None:
        state = self.state
        if state is SyncState.SYNCING:
            text = self.tr("Syncing…")
        elif state is SyncState.SYNCED:
            text = self.tr("Synced: every edit is on the server")
        elif state is SyncState.SAVED_LOCALLY:
            text = self.tr("Saved locally: %n edit(s) wait to be sent", "", self.pending)
        elif state is SyncState.OFFLINE:
            text = self.tr("Offline: %n edit(s) saved locally, sent when the server is back", "", self.pending)
        else:
            text = self.tr("Conflict: %n edit(s) not applied by the server", "", len(self.problems))
            text += "\n" + "\n".join(self.problems[:5])
        self.setText("● " + text)
        self.setToolTip(self.tr("Every edit is saved in your journal on this computer first, then sent to the "
                                "server. A conflict is never resolved silently: enter the value again, or "
                                "acknowledge it."))
        self.setAccessibleName(self.tr("Sync state"))
        self.setAccessibleDescription(text)
        self.setStyleSheet(f"QLabel#evaluationSyncIndicator {{ color: {self._COLOURS[state]}; }}")
