"""Offline verification of an audit export (docs/formats/audit.md).

What it proves: every entry's hash matches its content, every entry links to the one before it, the
sequence has no gap, duplicate or reordering, and every checkpoint's RFC 3161 token (by the server's TSA,
issued by the server CA) covers the entry at its position. Together: no entry up to the last checkpoint was
modified, deleted, inserted or reordered since it was timestamped.

What it cannot prove: that entries after the last checkpoint were not cut off. Deleting the LAST entries
leaves a shorter but consistent chain; only a checkpoint (or a head noted earlier, ``known_heads``) covering
them reveals it. Those entries are reported as unanchored.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from pydantic import ValidationError

from bidclient.errors import BidclientError
from bidclient.protocol.audit import (
    CHECKPOINT_ACTION,
    GENESIS_HASH,
    ExportCheckpoint,
    ExportEnd,
    ExportEntry,
    ExportHeader,
    checkpoint_statement,
    entry_hash,
)
from crypto.errors import CryptoError
from crypto.timestamp import verify_timestamp_token

MAX_LINE = 1 << 20
MAX_PROBLEMS_SHOWN = 20
# The TSA's genTime drops fractions of a second (accuracy 1 s); allow that and a little clock skew
# between instances before calling an entry "later than its own timestamp".
TIME_TOLERANCE = timedelta(seconds=2)


class AuditVerifyError(BidclientError):
    """The export is not intact (code audit.tampered) or not an export at all (audit.malformed)."""

    code = "audit.tampered"

    def __init__(self, message: str, *, code: str | None = None, problems: Sequence[str] = ()) -> None:
        super().__init__(message, code=code)
        self.problems = list(problems)


@dataclass(frozen=True)
class AnchoredCheckpoint:
    seq: int
    entry_hash: str
    timestamp: datetime


@dataclass
class AuditReport:
    entries: int = 0
    head_seq: int = 0
    head_hash: str = GENESIS_HASH
    checkpoints: list[AnchoredCheckpoint] = field(default_factory=list)
    exported_at: str = ""
    server_ca_sha256: str = ""
    server_ca_pinned: bool = False

    @property
    def last_anchored_seq(self) -> int:
        return self.checkpoints[-1].seq if self.checkpoints else 0

    @property
    def unanchored(self) -> int:
        """Entries after the last checkpoint: intact as far as the chain shows, but a cut-off tail of
        them would not be detectable."""
        return self.head_seq - self.last_anchored_seq


def parse_known_head(text: str) -> tuple[int, str]:
    """``SEQ:HASH`` as printed by a previous verification."""
    seq, _, digest = text.partition(":")
    if not seq.isdigit() or len(digest) != 64 or any(c not in "0123456789abcdef" for c in digest):
        raise BidclientError(f"{text!r} is not SEQ:HASH (a sequence number and a 64-digit lowercase hex hash)",
                             code="usage.invalid", exit_status=2)
    return int(seq), digest


def _lines(source: Path | bytes) -> Iterable[tuple[int, bytes]]:
    if isinstance(source, bytes):
        for number, line in enumerate(source.splitlines(), 1):
            yield number, line
        return
    try:
        with open(source, "rb") as stream:
            number = 0
            while True:
                line = stream.readline(MAX_LINE + 1)
                if not line:
                    return
                number += 1
                if len(line) > MAX_LINE:
                    raise AuditVerifyError(f"line {number} is longer than {MAX_LINE} bytes", code="audit.malformed")
                yield number, line
    except OSError as ex:
        raise BidclientError(f"cannot read {source}: {ex.strerror}", code="io.error") from ex


def _record(number: int, line: bytes) -> ExportHeader | ExportEntry | ExportCheckpoint | ExportEnd:
    try:
        value: Any = json.loads(line)
    except (ValueError, UnicodeDecodeError):
        raise AuditVerifyError(f"line {number} is not JSON", code="audit.malformed") from None
    kinds: dict[str, Any] = {"header": ExportHeader, "entry": ExportEntry, "checkpoint": ExportCheckpoint,
                             "end": ExportEnd}
    kind = value.get("record") if isinstance(value, dict) else None
    model = kinds.get(kind) if isinstance(kind, str) else None
    if model is None:
        raise AuditVerifyError(f"line {number} is not an audit export record", code="audit.malformed")
    try:
        return model.model_validate(value)
    except ValidationError as ex:
        first = ex.errors()[0]
        where = ".".join(str(p) for p in first.get("loc", ()))
        raise AuditVerifyError(f"line {number} ({kind}) is malformed: {where}: {first.get('msg')}",
                               code="audit.malformed") from None


def _parse_time(text: str) -> datetime | None:
    try:
        value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def _load_pem(text: str, what: str) -> x509.Certificate:
    try:
        return x509.load_pem_x509_certificate(text.encode("ascii"))
    except (ValueError, UnicodeEncodeError):
        raise AuditVerifyError(f"the export's {what} is not a PEM certificate", code="audit.malformed") from None


def verify_export(source: Path | bytes, *, server_ca: x509.Certificate | None = None,
                  known_heads: Sequence[tuple[int, str]] = ()) -> AuditReport:
    """Verify an export file (or its bytes); return what it proves, or raise AuditVerifyError listing
    every problem found.

    ``server_ca``: the server CA the checkpoints' TSA must chain to (from `bidclient trust sync`'s pin or
    obtained out of band); without it the CA named in the export itself is used, which proves integrity
    against anyone who cannot also replace the server's keys. ``known_heads``: (seq, entry_hash) pairs
    noted earlier, which must still be in the chain (this is how a cut-off tail is caught).
    """
    from cryptography.hazmat.primitives import hashes

    problems: list[str] = []
    report = AuditReport()
    header: ExportHeader | None = None
    end: ExportEnd | None = None
    hashes_by_seq: dict[int, str] = {}
    times_by_seq: dict[int, datetime] = {}
    checkpoint_entries: list[int] = []
    checkpoints: list[ExportCheckpoint] = []
    expected_seq = 1
    prev_hash = GENESIS_HASH
    for number, line in _lines(source):
        if not line.strip():
            continue
        record = _record(number, line)
        if header is None:
            if not isinstance(record, ExportHeader):
                raise AuditVerifyError("the file does not start with an audit export header", code="audit.malformed")
            header = record
            continue
        if end is not None:
            problems.append(f"line {number}: a record follows the end record")
            continue
        if isinstance(record, ExportHeader):
            problems.append(f"line {number}: a second header")
        elif isinstance(record, ExportEntry):
            fields = record.model_dump()
            if record.seq != expected_seq:
                problems.append(f"entry seq {record.seq} found where seq {expected_seq} was expected "
                                "(an entry was deleted, inserted or moved)")
            if entry_hash(fields) != record.entry_hash:
                problems.append(f"entry seq {record.seq} was modified (its hash does not match its content)")
            if record.prev_hash != prev_hash:
                problems.append(f"entry seq {record.seq} does not follow the entry before it in the file "
                                "(an entry was deleted, inserted or moved before it)")
            if record.seq in hashes_by_seq:
                problems.append(f"entry seq {record.seq} appears twice")
            hashes_by_seq[record.seq] = record.entry_hash
            when = _parse_time(record.time)
            if when is not None:
                times_by_seq[record.seq] = when
            if record.action == CHECKPOINT_ACTION:
                checkpoint_entries.append(record.seq)
            expected_seq = record.seq + 1
            prev_hash = record.entry_hash
            report.entries += 1
            report.head_seq, report.head_hash = record.seq, record.entry_hash
        elif isinstance(record, ExportCheckpoint):
            checkpoints.append(record)
        else:
            end = record
    if header is None:
        raise AuditVerifyError("the file is empty", code="audit.malformed")
    report.exported_at = header.exported_at
    ca = _load_pem(header.server_ca, "server CA")
    if server_ca is not None:
        report.server_ca_pinned = True
        if ca.fingerprint(hashes.SHA256()) != server_ca.fingerprint(hashes.SHA256()):
            problems.append("the export names another server CA than the expected one")
        ca = server_ca
    report.server_ca_sha256 = ca.fingerprint(hashes.SHA256()).hex()

    anchored: list[AnchoredCheckpoint] = []
    seen_checkpoints: set[int] = set()
    for cp in checkpoints:
        where = f"checkpoint at seq {cp.seq}"
        if cp.seq in seen_checkpoints:
            problems.append(f"{where} appears twice")
            continue
        seen_checkpoints.add(cp.seq)
        try:
            token = base64.b64decode(cp.token, validate=True)
            info = verify_timestamp_token(token, data=checkpoint_statement(cp.seq, cp.entry_hash))
        except (binascii.Error, ValueError):
            problems.append(f"{where}: the timestamp token is not base64")
            continue
        except CryptoError as ex:
            problems.append(f"{where}: the timestamp token does not verify: {ex.message}")
            continue
        tsa = info.tsa_certificate
        try:
            if tsa is None:
                raise ValueError("no TSA certificate")
            tsa.verify_directly_issued_by(ca)
        except (ValueError, TypeError, InvalidSignature):
            problems.append(f"{where}: the timestamp was not issued by the server's TSA (not certified by the "
                            "server CA)")
            continue
        if tsa is not None and not (tsa.not_valid_before_utc <= info.gen_time <= tsa.not_valid_after_utc):
            problems.append(f"{where}: the timestamp lies outside its TSA certificate's validity")
            continue
        actual = hashes_by_seq.get(cp.seq)
        if actual is None:
            problems.append(f"{where}: the entry it timestamped is missing from the export (entries were deleted)")
            continue
        if actual != cp.entry_hash:
            problems.append(f"{where}: entry seq {cp.seq} differs from what was timestamped (the chain was "
                            "rewritten up to it)")
            continue
        when = times_by_seq.get(cp.seq)
        if when is not None and when > info.gen_time + TIME_TOLERANCE:
            problems.append(f"{where}: the entry's time is later than its own timestamp")
            continue
        anchored.append(AnchoredCheckpoint(cp.seq, cp.entry_hash, info.gen_time))
    missing = [seq for seq in checkpoint_entries if seq not in seen_checkpoints]
    if missing:
        problems.append("the timestamp of the checkpoint recorded at seq "
                        f"{', '.join(str(s) for s in missing[:10])} is missing from the export")
    report.checkpoints = sorted(anchored, key=lambda c: c.seq)

    for seq, digest in known_heads:
        actual = hashes_by_seq.get(seq)
        if actual is None:
            problems.append(f"the known head seq {seq} is missing (the chain was cut off before it)")
        elif actual != digest:
            problems.append(f"entry seq {seq} differs from the known head (the chain was rewritten)")

    if end is None:
        problems.append("the export has no end record (the file was cut short)")
    elif (end.entries, end.head_seq, end.head_hash) != (report.entries, report.head_seq, report.head_hash) \
            or end.checkpoints != len(checkpoints):
        problems.append("the end record does not match the entries and checkpoints in the file "
                        "(records were added or removed)")
    if problems:
        shown = problems[:MAX_PROBLEMS_SHOWN]
        more = len(problems) - len(shown)
        raise AuditVerifyError("the audit trail is not intact:\n  " + "\n  ".join(shown)
                               + (f"\n  ... and {more} more" if more else ""), problems=problems)
    return report
