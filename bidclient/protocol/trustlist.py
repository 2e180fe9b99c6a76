"""The signed trust list the server publishes, so that clients validate exactly as the server does.

``content`` is canonical JSON (bidclient.protocol.common.canonical_json) of a TrustListDocument;
``signature`` a detached CMS SignedData over exactly those bytes by the server's receipt key, with the
chain to the server CA embedded. Documented in docs/api.md (Trust list).
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

TRUST_LIST_FORMAT = "bidclient-trust-list"
TRUST_LIST_VERSION = 1
TRUST_CHANGE_ACTIONS = ("trust.add", "trust.remove")


class TrustListItem(BaseModel):
    kind: Literal["certificate", "crl"]
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$", description="SHA-256 of the DER")
    der: str = Field(description="base64 DER")
    label: str = Field(description="subject (certificate) or issuer (CRL), RFC 4514")


class TrustListDocument(BaseModel):
    format: Literal["bidclient-trust-list"] = "bidclient-trust-list"
    version: int = TRUST_LIST_VERSION
    serial: int = Field(ge=0, description="the audit seq of the last trust-list change: grows with every change, "
                                          "the same on every server instance; a client refuses a lower one")
    issued_at: str = Field(description="UTC, ISO 8601 with 'Z'")
    entries: list[TrustListItem] = Field(description="sorted by kind, then sha256")


class SignedTrustListOut(BaseModel):
    content: str = Field(description="base64 of the canonical JSON TrustListDocument (the signed bytes)")
    signature: str = Field(description="base64 DER detached CMS SignedData over the decoded content, "
                                       "signed by the server's receipt key, chain to the server CA embedded")
    server_ca: str = Field(description="PEM of the server CA (pin it; compare out of band on first use)")
    server_time: datetime
