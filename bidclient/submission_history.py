"""A bidder's submission history for one tender (Qt-free): every submission the server recorded for the
signed-in bidder — active, replaced by a later one, withdrawn — with its receipt times.

The server's answer is hostile input: each entry's receipt (and withdrawal receipt) is verified against
the server CA pinned on first use (bidclient.receipts), and must name the same submission, tender and
envelope as the entry; the times shown are the ones the server signed and timestamped, not the list's.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import quote

from cryptography import x509
from pydantic import ValidationError

from bidclient import receipts
from bidclient.errors import BidclientError
from bidclient.protocol.submission import SubmissionOut

MAX_ENTRIES = 1000


class HistoryError(BidclientError):
    code = "submission.history_invalid"


@dataclass(frozen=True)
class HistoryEntry:
    submission_id: str
    tender_id: str
    tender_version: int
    status: str  # "active" | "replaced" | "withdrawn"
    envelope_sha256: str
    size: int
    received_at: datetime  # the receipt's time (server clock), signed and timestamped
    timestamp_time: datetime  # the receipt's RFC 3161 timestamp
    withdrawn_at: datetime | None  # the withdrawal receipt's time
    replaces: str | None  # the submission this one replaced
    replaced_by: str | None  # the later submission that replaced this one


def submission_history(client: Any, tender_id: str, *, server_ca: x509.Certificate | None = None) \
        -> list[HistoryEntry]:
    """The caller's submissions to ``tender_id``, oldest first, each with verified receipt times.

    Raises HistoryError when the server's answer is not a list of this bidder's submissions to this
    tender, receipts.ReceiptError when a receipt does not verify, ApiError from the server."""
    ca = server_ca if server_ca is not None else receipts.pinned_server_ca(client)
    listed = client.get_json(f"/api/v1/submissions?tender_id={quote(tender_id, safe='')}")
    if not isinstance(listed, list) or len(listed) > MAX_ENTRIES:
        raise HistoryError("the server's list of submissions is not a list")
    out: list[HistoryEntry] = []
    for raw in listed:
        try:
            submission = SubmissionOut.model_validate(raw)
        except ValidationError as ex:
            raise HistoryError(f"the server listed a malformed submission: {ex.errors()[0].get('msg', '')}") \
                from ex
        if submission.tender_id != tender_id:
            raise HistoryError(f"the server listed submission {submission.id} of another tender "
                               f"({submission.tender_id})")
        receipt = receipts.verify_receipt(submission.receipt, server_ca=ca)
        if (receipt.submission_id, receipt.tender_id, receipt.envelope_sha256) != \
                (submission.id, tender_id, submission.envelope_sha256):
            raise HistoryError(f"the receipt of submission {submission.id} names another submission or bid")
        withdrawn_at = None
        if submission.status == "withdrawn":
            if submission.withdrawal_receipt is None:
                raise HistoryError(f"submission {submission.id} is withdrawn but has no withdrawal receipt")
            withdrawal = receipts.verify_receipt(submission.withdrawal_receipt, server_ca=ca)
            if withdrawal.kind != "withdrawal" or withdrawal.submission_id != submission.id:
                raise HistoryError(f"the withdrawal receipt of submission {submission.id} names another "
                                   "submission")
            withdrawn_at = withdrawal.time
        out.append(HistoryEntry(
            submission_id=submission.id, tender_id=tender_id, tender_version=submission.tender_version,
            status=submission.status, envelope_sha256=submission.envelope_sha256, size=submission.size,
            received_at=receipt.time, timestamp_time=receipt.timestamp_time, withdrawn_at=withdrawn_at,
            replaces=submission.replaces, replaced_by=None))
    by_id = {e.submission_id: e for e in out}
    replaced_by = {e.replaces: e.submission_id for e in out if e.replaces in by_id}
    out = [_with(e, replaced_by.get(e.submission_id)) for e in out]
    return sorted(out, key=lambda e: e.received_at)


def _with(entry: HistoryEntry, replaced_by: str | None) -> HistoryEntry:
    from dataclasses import replace

    return replace(entry, replaced_by=replaced_by)


__all__ = ["HistoryEntry", "HistoryError", "submission_history"]
