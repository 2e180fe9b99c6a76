"""The committee key ceremony through the server: the API's shapes and the one message this layer adds.

The cryptographic messages (commitments, encrypted shares, acknowledgments, disclosures) are those of
docs/formats/committee-key.md (``crypto.threshold``); every message a member posts travels as its exact
canonical bytes (base64) with a detached CMS signature by the member's signing key over those bytes, so a
complaint, a disclosure or an acknowledgment can be proved afterwards by anyone holding the record.
This module adds the complaint message (§5 "Complaints and disclosure" names it without fixing its bytes).
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

from bidclient.protocol.common import canonical_json

FORMAT_COMPLAINT = "bidclient-committee-complaint"
COMMITTEE_ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,149}$"
MAX_MEMBERS = 10
MAX_MESSAGE_B64 = 1 << 20
MAX_SIGNATURE_B64 = 262144
MAX_REASON = 1000
_PEM = r"^-----BEGIN CERTIFICATE-----\r?\n[A-Za-z0-9+/=\r\n]+-----END CERTIFICATE-----\r?\n?$"

CommitteeStatus = Literal["dealing", "checking", "disputed", "complete", "failed", "abandoned"]


class ComplaintMalformed(ValueError):
    """Complaint bytes that are not exactly a complaint message."""


def complaint_message(*, ceremony: str, member: int, accused: int, reason: str) -> bytes:
    """What member ``member`` signs to name member ``accused`` for a bad or missing share."""
    return canonical_json({"format": FORMAT_COMPLAINT, "version": 1, "ceremony": ceremony, "member": member,
                           "accused": accused, "reason": reason[:MAX_REASON]})


def parse_complaint(data: bytes) -> dict[str, Any]:
    """The complaint's fields, or ComplaintMalformed (exact canonical bytes only, no unknown fields)."""
    try:
        obj = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise ComplaintMalformed("the complaint is not UTF-8 JSON") from None
    if not isinstance(obj, dict) or set(obj) != {"format", "version", "ceremony", "member", "accused", "reason"}:
        raise ComplaintMalformed("the complaint must have exactly the fields format, version, ceremony, member, "
                                 "accused and reason")
    if obj["format"] != FORMAT_COMPLAINT or obj["version"] != 1:
        raise ComplaintMalformed(f"not a {FORMAT_COMPLAINT} version 1 message")
    for name in ("member", "accused"):
        if not isinstance(obj[name], int) or isinstance(obj[name], bool) or not 1 <= obj[name] <= MAX_MEMBERS:
            raise ComplaintMalformed(f"the complaint's {name} must be a member number")
    if not isinstance(obj["ceremony"], str) or not isinstance(obj["reason"], str) \
            or len(obj["reason"]) > MAX_REASON:
        raise ComplaintMalformed("the complaint's ceremony and reason must be text")
    if canonical_json(obj) != data:
        raise ComplaintMalformed("the complaint is not in canonical form")
    return obj


# --- API shapes ------------------------------------------------------------------------------------


class MemberIn(BaseModel):
    signing_certificate: str = Field(min_length=64, max_length=16384, pattern=_PEM,
                                     description="PEM: the member's signing certificate (names its identity)")
    encryption_certificate: str = Field(min_length=64, max_length=16384, pattern=_PEM,
                                        description="PEM: the member's encryption certificate (shares are "
                                                    "sealed to it); the same identity as the signing one")


class CommitteeCreate(BaseModel):
    tender_id: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
    threshold: int = Field(description="k: how many members together open a bid (1 ≤ k ≤ n)")
    members: list[MemberIn] = Field(min_length=1, max_length=MAX_MEMBERS,
                                    description="the n members in order: member j is members[j-1]")


class SignedMessage(BaseModel):
    """A ceremony message: its exact canonical bytes and a detached CMS over them by the member."""

    message: str = Field(min_length=4, max_length=MAX_MESSAGE_B64, description="base64 of the message bytes")
    signature: str = Field(min_length=16, max_length=MAX_SIGNATURE_B64,
                           description="base64 DER detached CMS signature over those bytes")


class DealIn(SignedMessage):
    """Member i's contribution: its signed commitments message, the n encrypted shares (one to each member,
    itself included, each sealed to the receiver's encryption certificate) and the n dealer's copies (the
    same values sealed to i's own encryption certificate, so that i can answer a complaint later)."""

    shares: list[str] = Field(min_length=1, max_length=MAX_MEMBERS,
                              description="the n encrypted share messages (exact bytes), base64")
    copies: list[str] = Field(min_length=1, max_length=MAX_MEMBERS,
                              description="the n dealer's copies (encrypted share messages sealed to the "
                                          "dealer's own encryption certificate), base64")


class SignedOut(BaseModel):
    member: int
    receiver: int | None = None
    message: str
    signature: str
    posted_at: datetime


class MemberOut(BaseModel):
    number: int
    identity: str
    name: str
    signing_certificate: str
    encryption_certificate: str
    dealt: bool
    acknowledged: bool


class ComplaintOut(SignedOut):
    accused: int
    resolution: Literal["open", "disclosed", "sender_at_fault"]


class CommitteeOut(BaseModel):
    committee_id: str
    tender_id: str
    threshold: int
    status: CommitteeStatus
    status_reason: str | None = None
    members: list[MemberOut]
    commitments: list[SignedOut]
    acks: list[SignedOut]
    complaints: list[ComplaintOut]
    disclosures: list[SignedOut]
    public_key: str | None = Field(default=None, description="Y, 130 hex digits, once every member dealt")
    verification_keys: list[str] = Field(default=[], description="X_1..X_n, once every member dealt")
    certificate: str | None = Field(default=None, description="PEM: the committee certificate carrying Y, "
                                                              "once every member acknowledged")
    created_at: datetime
    completed_at: datetime | None = None


class SharesOut(BaseModel):
    """What one member may fetch: the shares addressed to it, and its own dealer's copies."""

    committee_id: str
    member: int
    shares: list[str]
    copies: list[str]
