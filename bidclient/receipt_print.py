"""The receipt (回执) printed to PDF — only ever from a receipt that has just been verified."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from cryptography import x509

from bidclient import receipts, timefmt
from bidclient.atomic import refuse_existing
from bidclient.errors import BidclientError
from forms.errors import FormsError
from forms.receipt_pdf import ReceiptSheet, render_receipt


def format_time(value: datetime, *, seconds: bool = True) -> str:
    """The time as a clerk reads it: in the display zone (Beijing time unless configured), zone named."""
    return timefmt.format_time(value, seconds=seconds)


def sheet_for(verified: receipts.VerifiedReceipt, receipt_file: Path, bid: Path | None = None) -> ReceiptSheet:
    notes: list[str] = []
    replaces = verified.content.get("replaces")
    if replaces:
        notes.append(f"本次递交替换了此前的递交 This submission replaces the earlier one: {replaces}")
    if verified.content.get("status") == "replaced":
        notes.append("注意：此投标已被之后到达的递交替换，不是有效的那一份。"
                     f"Note: a later submission replaces this one: {verified.content.get('replaced_by') or '?'}")
    return ReceiptSheet(
        kind=verified.kind, receipt_id=verified.receipt_id, submission_id=verified.submission_id,
        tender_id=verified.tender_id, tender_version=verified.tender_version, bidder=verified.bidder,
        envelope_sha256=verified.envelope_sha256, size=verified.size, received_at=format_time(verified.time),
        timestamped_at=format_time(verified.timestamp_time), signer=verified.signer,
        server_ca_sha256=verified.server_ca_sha256, receipt_file=receipt_file.name,
        bid_file=bid.name if bid is not None and verified.bid_checked else "", notes=tuple(notes))


def save_receipt_pdf(receipt_file: Path, out: Path, *, bid: Path | None = None, overwrite: bool = False,
                     server_ca: x509.Certificate | None = None) -> receipts.VerifiedReceipt:
    """Verify ``receipt_file`` (and ``bid`` against it, if given), then print it to ``out``.

    Nothing is written unless the receipt verifies: a tampered or foreign receipt raises ReceiptError.
    """
    if not overwrite:
        refuse_existing(out)
    verified = receipts.verify_receipt_file(receipt_file, bid=bid, server_ca=server_ca)
    try:
        render_receipt(sheet_for(verified, receipt_file, bid), out)
    except FormsError as ex:
        raise BidclientError(f"the receipt could not be printed to {out}: {ex}", code="io.error") from ex
    except OSError as ex:
        raise BidclientError(f"{out} could not be written: {ex}", code="io.error") from ex
    return verified
