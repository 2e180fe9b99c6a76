"""The audit chain's hashing rule, checkpoint statement and export records, shared by the server
(append, export) and the offline verifier (bidclient.audit_verify). Documented in docs/formats/audit.md."""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

from bidclient.protocol.common import canonical_json

GENESIS_HASH = "0" * 64
HASHED_FIELDS = ("seq", "time", "actor", "actor_cert_sha256", "address", "action", "object_type",
                 "object_id", "payload_sha256", "prev_hash")
EXPORT_FORMAT = "bidclient-audit-export"
EXPORT_VERSION = 1
EXPORT_MEDIA_TYPE = "application/x-ndjson"
CHECKPOINT_PURPOSE = "bidclient-audit-checkpoint-v1"
CHECKPOINT_ACTION = "audit.checkpoint"


def entry_hash(fields: dict[str, Any]) -> str:
    """SHA-256 of the canonical JSON of exactly the HASHED_FIELDS."""
    return hashlib.sha256(canonical_json({name: fields[name] for name in HASHED_FIELDS})).hexdigest()


def checkpoint_statement(seq: int, head_hash: str) -> bytes:
    """The bytes a checkpoint's RFC 3161 token covers (its message imprint is their SHA-256).

    Binding the sequence number as well as the hash keeps a token from being presented for another
    position in the chain."""
    return canonical_json({"purpose": CHECKPOINT_PURPOSE, "seq": seq, "entry_hash": head_hash})


class AuditEntryOut(BaseModel):
    """One entry as exported and as served live: the hashed fields plus its own hash."""

    seq: int = Field(ge=1)
    time: str = Field(description="UTC, ISO 8601 with 'Z', exactly as hashed")
    actor: str = Field(description="identity key (uscc:..., person:...), 'system' or an admin tool")
    actor_cert_sha256: str = Field(description="SHA-256 of the certificate used, or ''")
    address: str = Field(description="the client's network address, or ''")
    action: str
    object_type: str
    object_id: str
    payload_sha256: str
    prev_hash: str
    entry_hash: str


class AuditFeedOut(BaseModel):
    """A page of the live trail: entries with seq > after, oldest first."""

    entries: list[AuditEntryOut]
    head_seq: int = Field(description="the newest seq when this page was read")
    server_time: datetime


class CheckpointOut(BaseModel):
    seq: int
    entry_hash: str
    created_at: datetime
    token: str = Field(description="base64 DER RFC 3161 TimeStampToken over "
                                   "checkpoint_statement(seq, entry_hash)")


class CheckpointsOut(BaseModel):
    checkpoints: list[CheckpointOut]


# --- export records (one JSON object per line) ---------------------------------------------------


class ExportHeader(BaseModel):
    record: Literal["header"] = "header"
    format: Literal["bidclient-audit-export"] = "bidclient-audit-export"
    version: int = EXPORT_VERSION
    exported_at: str
    genesis_hash: str = GENESIS_HASH
    server_ca: str = Field(description="PEM of the server CA")
    tsa_certificate: str = Field(description="PEM of the built-in TSA's certificate")
    receipt_certificate: str = Field(description="PEM of the server's receipt-signing certificate")


class ExportEntry(AuditEntryOut):
    record: Literal["entry"] = "entry"


class ExportCheckpoint(BaseModel):
    record: Literal["checkpoint"] = "checkpoint"
    seq: int
    entry_hash: str
    created_at: str
    token: str


class ExportEnd(BaseModel):
    """Detects a download cut short; it is not a security property (anyone can rewrite it)."""

    record: Literal["end"] = "end"
    entries: int
    checkpoints: int
    head_seq: int
    head_hash: str
