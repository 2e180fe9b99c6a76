"""Sending the journal to the server: in order, each edit applied exactly once however often it is sent.

Each edit carries its journal-made ``edit_id`` (the server answers a repeated id with the answer it gave
the first time, without applying it again) and the cell ``base_version`` it was made on (the version the
journal last learnt from the server, plus the edits of the same cell sent before it). The server's answer
for each edit is written to the journal: ``applied`` (with the cell's new version), ``conflict`` (the phase
closed, the sheet was frozen, or the cell changed on another device — shown to the expert, never resolved
silently) or ``rejected`` (the value is not acceptable). A network failure leaves the edits pending; the
next sync sends them again.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from bidclient.api_client import ApiError
from bidclient.evaluation.journal import Entry, Journal
from bidclient.i18n import _
from bidclient.protocol.evaluation_session import MAX_EDITS_PER_BATCH, EditIn, EditResult, EditsOut


class EditSender(Protocol):
    def send_edits(self, session_id: str, edits: list[EditIn]) -> EditsOut: ...


@dataclass
class SyncReport:
    sent: int = 0
    applied: int = 0
    duplicates: int = 0  # answered before: applied once, not again
    conflicts: list[tuple[Entry, EditResult]] = field(default_factory=list)
    rejected: list[tuple[Entry, EditResult]] = field(default_factory=list)
    offline: str | None = None  # why the server could not be reached (the edits stay pending)
    pending: int = 0


def edit_in(entry: Entry, base_version: int) -> EditIn:
    body = entry.body
    return EditIn(edit_id=entry.edit_id, seq=entry.seq, kind=body["kind"], bid=body["bid"], item=body["item"],
                  value=body.get("value"), passed=body.get("passed"), reason=body.get("reason", ""),
                  comment=body.get("comment", ""), base_version=base_version, client_time=entry.time)


def sync(journal: Journal, sender: EditSender, *, batch: int = 100) -> SyncReport:
    report = SyncReport()
    batch = max(1, min(batch, MAX_EDITS_PER_BATCH))
    while True:
        pending = journal.pending()
        if not pending:
            break
        chunk = pending[:batch]
        predicted: dict[tuple[str, str, str], int] = {}
        edits = []
        for entry in chunk:
            base = predicted.get(entry.cell, journal.known_version(entry.cell))
            edits.append(edit_in(entry, base))
            predicted[entry.cell] = base + 1
        try:
            out = sender.send_edits(journal.session_id, edits)
        except ApiError as ex:
            if ex.code.startswith("net.") or ex.status in (502, 503, 504):
                report.offline = ex.message
                journal.note_sync(ex.message)
                break
            raise
        if [r.edit_id for r in out.results] != [e.edit_id for e in edits]:
            raise ApiError("net.bad_response", _("the server answered for other edits than those sent"))
        report.sent += len(edits)
        for entry, result in zip(chunk, out.results, strict=True):
            status = result.original_status if result.status == "duplicate" else result.status
            if result.status == "duplicate":
                report.duplicates += 1
            if status == "applied":
                report.applied += 1
                journal.set_version(entry.cell, result.version)
            elif status == "conflict":
                report.conflicts.append((entry, result))
                if result.code == "evaluation.cell_changed":
                    journal.set_version(entry.cell, result.version)  # the next edit is made on what the server has
            else:
                report.rejected.append((entry, result))
            journal.record(entry.edit_id, status=status or "rejected", version=result.version, code=result.code,
                           detail=result.detail)
        journal.note_sync(None)
    report.pending = len(journal.pending())
    return report
