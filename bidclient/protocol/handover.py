"""The hand-over of the opened bids to the evaluation committee (docs/evaluation.md "The opened bids reach the
committee", docs/formats/handover.md): shapes shared by the client and the server.

The sealed bids stay on the server exactly as submitted. What moves is each opened bid's 32-byte content
key, wrapped by the opening host's terminal to one seated expert's encryption certificate (a CMS
AuthEnvelopedData with exactly one recipient): the server stores and relays envelopes it cannot open.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

MAX_KEY_ENVELOPE = 16 << 10  # as a released key (docs/formats/opening.md §2)
MAX_CERTIFICATE = 16 << 10
CONTENT_KEY_SIZE = 32

Identity = Annotated[str, Field(min_length=3, max_length=300)]
Pem = Annotated[str, Field(min_length=1, max_length=MAX_CERTIFICATE)]
B64Envelope = Annotated[str, Field(min_length=1, max_length=(MAX_KEY_ENVELOPE * 4) // 3 + 8)]
HandoverRole = Literal["host", "supervisor", "expert", "agency"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class EncryptionCertificateIn(_Strict):
    """An expert's encryption certificate (PEM), paired by identity with the signing certificate it logs in with."""

    certificate: Pem


class HandoverKeyIn(_Strict):
    submission_id: Annotated[str, Field(min_length=1, max_length=64)]
    expert: Identity
    key_envelope: B64Envelope  # base64 of the CMS envelope of the content key to the expert's certificate


class HandoverIn(_Strict):
    keys: Annotated[list[HandoverKeyIn], Field(min_length=1, max_length=2500)]


class SeatOut(BaseModel):
    """A seated (active) member of the committee and the encryption certificate it registered, if any."""

    identity_key: str
    certificate: str | None = None  # PEM
    certificate_sha256: str | None = None


class HandoverBidOut(BaseModel):
    submission_id: str
    position: int
    identity_key: str  # the bidder that submitted it
    organization: str | None
    envelope_sha256: str  # the sealed bid as counted at the opening
    state: str  # the opening's outcome: only "opened" bids are handed over
    remedied: bool = False
    handed_to: list[str] = Field(default_factory=list)  # the seated experts holding a key envelope for it


class HandoverOut(BaseModel):
    session_id: str
    tender_id: str
    phase: str
    seated: bool  # the check-in is closed: the committee is seated and may receive the bids
    your_role: HandoverRole
    members: list[SeatOut]
    bids: list[HandoverBidOut]

    def missing(self) -> list[tuple[str, str]]:
        """(submission, expert) pairs still without a key envelope, for members with a certificate."""
        return [(b.submission_id, m.identity_key) for b in self.bids if b.state == "opened"
                for m in self.members if m.certificate and m.identity_key not in b.handed_to]
