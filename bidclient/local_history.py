"""A draft's own record of its sealed bids and their receipts, read from the files kept beside them.

What the bidder's computer knows without asking the server (the server's list is
``bidclient.submission_history``): every sealed bid of the draft, oldest first, with its submission and
withdrawal receipts verified again offline, and which of them counts.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from bidclient import bid_project as bp
from bidclient import receipts
from bidclient.submit import receipt_path, withdrawal_receipt_path


@dataclass(frozen=True)
class HistoryEntry:
    """One sealed bid of the draft and what happened to it, from the receipts kept beside it."""

    bid: Path
    sealed_at: datetime | None
    submitted: receipts.VerifiedReceipt | None
    withdrawn: receipts.VerifiedReceipt | None
    problem: BaseException | None = None  # a receipt that does not verify (shown, never hidden)


def submission_history(sealed_dir: Path) -> list[HistoryEntry]:
    """Every sealed bid in ``sealed_dir``, oldest first, each receipt verified again offline."""
    entries = []
    for bid in sorted(sealed_dir.glob("*.bid")) if sealed_dir.is_dir() else []:
        sealed_at = bp.sealed_at(bid)
        found: dict[str, receipts.VerifiedReceipt | None] = {"submitted": None, "withdrawn": None}
        problem: BaseException | None = None
        for key, path, check in (("submitted", receipt_path(bid), bid), ("withdrawn", withdrawal_receipt_path(bid),
                                                                         None)):
            if path.is_file():
                try:
                    found[key] = receipts.verify_receipt_file(path, bid=check)
                except Exception as ex:  # any damage is reported on the page
                    problem = ex
        entries.append(HistoryEntry(bid, sealed_at, found["submitted"], found["withdrawn"], problem))
    return entries


def bid_in(history: list[HistoryEntry]) -> HistoryEntry | None:
    """The submission that counts: the latest one submitted and not withdrawn (a later submission
    replaces an earlier one on the server)."""
    submitted = [e for e in history if e.submitted is not None]
    if not submitted:
        return None
    latest = max(submitted, key=lambda e: e.submitted.time if e.submitted else datetime.min.replace(tzinfo=UTC))
    return latest if latest.withdrawn is None else None
