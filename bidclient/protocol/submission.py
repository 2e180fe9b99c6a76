"""Sealed-bid submission: resumable uploads, the signed statements, and the receipt (shared schemas).

The statements are the exact bytes a bidder signs (detached CMS); the receipt content is the exact bytes
the server signs and timestamps. Both are canonical JSON with a ``purpose`` string, so that a signature
made for one purpose can never be presented as another (a login signature is not a withdrawal).
"""

from __future__ import annotations

import base64
import binascii
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

from bidclient.protocol.common import canonical_json

SUBMISSION_PURPOSE = "bidclient-submission-v1"
WITHDRAWAL_PURPOSE = "bidclient-withdrawal-v1"
RECEIPT_PURPOSE = "bidclient-receipt-v1"
RECEIPT_FORMAT = "bidclient-receipt/1"
CHUNK_SHA256_HEADER = "X-Chunk-SHA256"
SHA256_PATTERN = r"^[0-9a-f]{64}$"
MAX_SIGNATURE_B64 = 262144


def submission_statement(*, tender_id: str, tender_version: int, envelope_sha256: str, size: int,
                         bidder: str) -> bytes:
    """What a bidder signs to submit: this envelope (hash and size) for this tender version."""
    return canonical_json({"purpose": SUBMISSION_PURPOSE, "tender_id": tender_id, "tender_version": tender_version,
                           "envelope_sha256": envelope_sha256, "size": size, "bidder": bidder})


def withdrawal_statement(*, tender_id: str, submission_id: str, envelope_sha256: str, bidder: str) -> bytes:
    """What a bidder signs to withdraw one submission."""
    return canonical_json({"purpose": WITHDRAWAL_PURPOSE, "tender_id": tender_id, "submission_id": submission_id,
                           "envelope_sha256": envelope_sha256, "bidder": bidder})


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def unb64(text: str) -> bytes:
    """Strict base64; ValueError on anything else."""
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError) as ex:
        raise ValueError("not base64") from ex


# --- uploads -----------------------------------------------------------------------------------------


class UploadCreate(BaseModel):
    tender_id: str = Field(min_length=1, max_length=64)
    tender_version: int = Field(ge=1)
    size: int = Field(gt=0, le=1 << 40, description="total size of the sealed bid in bytes")
    sha256: str = Field(pattern=SHA256_PATTERN, description="lowercase hex SHA-256 of the whole sealed bid")
    statement_signature: str = Field(min_length=16, max_length=MAX_SIGNATURE_B64,
                                     description="base64 DER detached CMS over submission_statement(...)")


class UploadOut(BaseModel):
    id: str
    tender_id: str
    tender_version: int
    size: int
    sha256: str
    state: Literal["open", "completed"]
    received: list[tuple[int, int]] = Field(description="half-open byte ranges [start, end) on the server")
    received_bytes: int
    max_chunk_size: int
    deadline: datetime
    server_time: datetime
    submission_id: str | None = None


class ChunkOut(BaseModel):
    offset: int
    length: int
    duplicate: bool
    received: list[tuple[int, int]]
    received_bytes: int


# --- submissions and receipts ------------------------------------------------------------------------


class ReceiptFile(BaseModel):
    """The receipt as served and as saved next to the bid (``BID.receipt``), documented in
    docs/formats/receipt.md. ``content`` is authoritative; ``receipt`` is its readable copy."""

    format: Literal["bidclient-receipt/1"] = "bidclient-receipt/1"
    receipt: dict[str, Any]
    content: str = Field(description="base64 of the canonical JSON bytes that are signed and timestamped")
    signature: str = Field(description="base64 DER detached CMS SignedData over content, by the server")
    timestamp_token: str = Field(description="base64 DER RFC 3161 TimeStampToken over SHA-256(content)")
    server_ca: str | None = Field(default=None, description="PEM of the server CA pinned by the client")


class SubmissionOut(BaseModel):
    id: str
    tender_id: str
    tender_version: int
    bidder: str
    envelope_sha256: str
    size: int
    status: Literal["active", "replaced", "withdrawn"]
    submitted_at: datetime
    withdrawn_at: datetime | None = None
    replaces: str | None = None
    receipt: ReceiptFile
    withdrawal_receipt: ReceiptFile | None = None


class WithdrawIn(BaseModel):
    statement_signature: str = Field(min_length=16, max_length=MAX_SIGNATURE_B64,
                                     description="base64 DER detached CMS over withdrawal_statement(...)")


class ServerCertificatesOut(BaseModel):
    ca: str = Field(description="PEM of the server CA (issuer of the receipt and TSA certificates)")
    receipt: str
    tsa: str
    ca_sha256: str
