"""The evaluation report's format on the wire: its manifest attachment and the stance each signature states.

The report (bidclient.evaluation.report writes, signs and verifies it; docs/evaluation.md "The report") carries
``evaluation.json`` (format ``bidclient-evaluation-report/1``): the report id (the session), the tender, version
and lot, the committee in signing order with each member's certificate SHA-256 and signature box, and the
candidates. Each member's incremental PAdES signature is in field ``member-N`` and its /Reason states the
member's position (``同意 agree``, ``不同意 dissent: REASONS``, ``拒签 refuse: REASONS``).

Shared by the client and the session server, which checks every uploaded revision with these readers.
Everything read here is hostile input: a failure to read is ``evaluation.report_unreadable``.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
from dataclasses import dataclass
from typing import Any, Literal

from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding
from pyhanko.pdf_utils.reader import PdfFileReader

from bidclient.protocol.evaluation_rules import EvaluationError

MANIFEST_NAME = "evaluation.json"  # as forms.evaluation_report attaches it

REPORT_FORMAT = "bidclient-evaluation-report/1"
MAX_REASONS = 4000
MAX_MANIFEST = 1 << 20
Decision = Literal["agree", "dissent", "refuse"]
LABELS: dict[str, str] = {"agree": "同意", "dissent": "不同意", "refuse": "拒签"}
REASON = re.compile(r"^(同意|不同意|拒签) (agree|dissent|refuse)(?:: (.*))?$", re.DOTALL)
FIELD = re.compile(r"^member-([1-9][0-9]{0,2})$")


@dataclass(frozen=True)
class Member:
    """A committee member in signing order, with the certificate of the dongle they checked in with."""

    expert_id: str
    name: str
    certificate_sha256: str  # lowercase hex SHA-256 of the DER certificate
    chair: bool = False

    @staticmethod
    def fingerprint(certificate: x509.Certificate) -> str:
        return hashlib.sha256(certificate.public_bytes(Encoding.DER)).hexdigest()


@dataclass(frozen=True)
class ReportManifest:
    report_id: str
    tender_id: str
    tender_version: int
    lot_id: str
    members: tuple[Member, ...]
    slots: tuple[tuple[int, tuple[int, int, int, int]], ...]
    candidates: tuple[str, ...]
    raw: bytes


def unreadable(detail: str) -> EvaluationError:
    return EvaluationError(detail, code="evaluation.report_unreadable")


def read_manifest(data: bytes) -> ReportManifest:
    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        names = reader.root["/Names"]["/EmbeddedFiles"]["/Names"]
        raw = None
        for i in range(0, len(names) - 1, 2):
            if str(names[i]) == MANIFEST_NAME:
                raw = names[i + 1].get_object()["/EF"]["/F"].get_object().data
                break
    except Exception as ex:  # hostile input: any failure to find it means "not a report"
        raise unreadable(f"no {MANIFEST_NAME} in the file ({type(ex).__name__})") from None
    if raw is None:
        raise unreadable(f"no {MANIFEST_NAME} in the file")
    if len(raw) > MAX_MANIFEST:
        raise unreadable(f"{MANIFEST_NAME} is too large")
    try:
        obj = json.loads(raw.decode("utf-8"))
        if obj["format"] != REPORT_FORMAT:
            raise unreadable(f"{MANIFEST_NAME} is not {REPORT_FORMAT}")
        members = tuple(Member(str(m["expert_id"]), str(m["name"]), str(m["certificate_sha256"]), bool(m["chair"]))
                        for m in obj["members"])
        slots = tuple((int(s[0]), (int(s[1]), int(s[2]), int(s[3]), int(s[4]))) for s in obj["slots"])
        if len(slots) != len(members) or not members:
            raise unreadable(f"{MANIFEST_NAME}: members and signature boxes differ")
        return ReportManifest(str(obj["report_id"]), str(obj["tender_id"]), int(obj["tender_version"]),
                              str(obj["lot_id"]), members, slots, tuple(str(c) for c in obj["candidates"]), raw)
    except EvaluationError:
        raise
    except (UnicodeDecodeError, ValueError, KeyError, TypeError, IndexError):
        raise unreadable(f"{MANIFEST_NAME} cannot be read") from None


def parse_statement(reason: str | None) -> tuple[Decision, str] | None:
    match = REASON.match(reason or "")
    if match is None or LABELS[match.group(2)] != match.group(1):
        return None
    decision: Decision = match.group(2)  # type: ignore[assignment]
    return decision, (match.group(3) or "").strip()


def signature_reasons(data: bytes) -> dict[str, str | None]:
    """Each signature field's /Reason, as the signer wrote it."""
    reader = PdfFileReader(io.BytesIO(data), strict=False)
    found: dict[str, str | None] = {}
    for signature in reader.embedded_signatures:
        value = signature.sig_object.get("/Reason")
        found[str(signature.field_name)] = str(value) if value is not None else None
    return found




def member_index(field_name: str) -> int | None:
    """The committee position (0-based) a signature field ``member-N`` names, or None."""
    match = FIELD.match(field_name)
    return int(match.group(1)) - 1 if match else None


def first_signed_manifest(data: bytes) -> ReportManifest:
    """The manifest as the first signature covers it (EvaluationError when it cannot be read)."""
    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        first = next(iter(reader.embedded_signatures))
        byte_range: Any = first.byte_range
        end = int(byte_range[2]) + int(byte_range[3])
    except (StopIteration, ValueError, TypeError, IndexError, KeyError):
        raise unreadable("the manifest the first signature covers cannot be read") from None
    return read_manifest(data[:end])
