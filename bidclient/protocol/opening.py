"""The opening session (开标) API's shapes and the statements participants sign (docs/formats/opening.md)."""

from __future__ import annotations

import base64
import binascii
import json
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from bidclient.protocol.common import canonical_json

CHECK_IN_FORMAT = "bidclient-opening-check-in"
KEY_RELEASE_FORMAT = "bidclient-opening-key-release"
ACKNOWLEDGMENT_FORMAT = "bidclient-opening-acknowledgment"
STATEMENT_VERSION = 1
MIN_BIDS = 3  # 招标投标法实施条例 Art. 44: fewer than three bids, no opening
DEFAULT_WINDOW_MINUTES = 30
MAX_KEY_ENVELOPE = 16 << 10
MAX_STATEMENT = 8 << 10
MAX_MANIFEST = 16 << 20
MAX_RECORD = 32 << 20

# The states of an opening, in order (no_opening ends it after the count).
STATES = ("scheduled", "locked", "no_opening", "decrypting", "announced", "record_drafted", "host_signed",
          "signed", "published")
BidState = Literal["awaiting_key", "key_released", "remedy", "opened", "failed", "revoked", "withdrawn"]

B64 = Annotated[str, Field(min_length=1, max_length=(MAX_MANIFEST * 4) // 3 + 8)]
Identity = Annotated[str, Field(min_length=1, max_length=300)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def b64decode(text: str) -> bytes:
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError) as ex:
        raise ValueError("not valid base64") from ex


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def statement(kind: str, **fields: Any) -> bytes:
    """The exact bytes a participant signs: canonical JSON with the format and version first in meaning."""
    return canonical_json({"format": kind, "format_version": STATEMENT_VERSION, **fields})


def parse_statement(data: bytes, kind: str) -> dict[str, Any]:
    """A signed statement's fields; ValueError if it is not canonical JSON of ``kind`` version 1."""
    if len(data) > MAX_STATEMENT:
        raise ValueError("the statement is too large")
    try:
        value = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as ex:
        raise ValueError("the statement is not UTF-8 JSON") from ex
    if not isinstance(value, dict) or value.get("format") != kind or value.get("format_version") != STATEMENT_VERSION:
        raise ValueError(f"the statement is not a {kind} statement of version {STATEMENT_VERSION}")
    if canonical_json(value) != data:
        raise ValueError("the statement is not in canonical form")
    return value


class ScheduleIn(_Strict):
    hosts: Annotated[list[Identity], Field(min_length=1, max_length=10)]
    supervisors: Annotated[list[Identity], Field(max_length=10)] = []


class StepIn(_Strict):
    """A host's action, naming the step of the session it saw (two hosts acting at once: one wins)."""

    step: Annotated[int, Field(ge=0)]


class WindowIn(StepIn):
    # PEM encryption certificates of the hosts: what bidders encrypt their released keys to.
    recipients: Annotated[list[Annotated[str, Field(max_length=20000)]], Field(min_length=1, max_length=10)]


class ExtendIn(StepIn):
    minutes: Annotated[int, Field(ge=1, le=240)]
    reason: Annotated[str, Field(min_length=1, max_length=1000)]


class SignedIn(_Strict):
    statement: Annotated[str, Field(min_length=1, max_length=MAX_STATEMENT * 2)]
    signature: Annotated[str, Field(min_length=1, max_length=1 << 20)]


class KeyReleaseIn(SignedIn):
    key_envelope: Annotated[str, Field(min_length=1, max_length=MAX_KEY_ENVELOPE * 2)]


class BidResultIn(_Strict):
    outcome: Literal["opened", "failed"]
    manifest: B64 | None = None
    manifest_signature: Annotated[str, Field(max_length=(2 << 20))] | None = None
    failure_code: Annotated[str, Field(pattern=r"^[a-z][a-z0-9_.]{0,63}$")] | None = None
    failure_detail: Annotated[str, Field(max_length=2000)] | None = None


class ObjectionIn(_Strict):
    text: Annotated[str, Field(min_length=1, max_length=4000)]


class AnswerIn(_Strict):
    answer: Annotated[str, Field(min_length=1, max_length=4000)]


class AnnouncedOut(BaseModel):
    bidder: str
    uscc: str | None
    price_figures: str | None
    price_words: str | None
    price_mismatch: bool  # figures and words differ: the words prevail (87号令 Art. 59)
    price: str | None  # the amount that counts
    duration: str | None
    quality: str | None
    other: dict[str, str] = {}


class BidOut(BaseModel):
    submission_id: str
    position: int
    identity_key: str
    organization: str | None
    envelope_sha256: str
    state: str
    attempts: int
    key_released_at: str | None
    failure_code: str | None
    failure_detail: str | None
    fault: str | None
    outcome: str | None  # opened | 撤销 revoked | 撤回 withdrawn, once final
    announced: AnnouncedOut | None
    remedied: bool = False  # opened by the committee's partial results (补救方案)


class PartialOut(BaseModel):
    member: int
    identity_key: str
    partial: str  # base64: the exact signed bytes of the partial result (docs/formats/committee-key.md)
    signature: str  # base64: the member's detached CMS over them
    received_at: str


class RemedyOut(BaseModel):
    submission_id: str
    committee_id: str
    threshold: int
    context: str  # crypto.threshold.opening_context(tender, envelope SHA-256): what every partial is bound to
    ephemeral: list[str]  # hex: the bid's ephemeral keys R for the committee certificate
    certificate: str  # PEM: the committee certificate
    partials: list[PartialOut]
    position: int = 0  # the bid's place in the count (order of submission)
    state: str = "remedy"  # the bid's state: remedy while partials are awaited; opened once the host opened it


class CheckInOut(BaseModel):
    identity_key: str
    organization: str | None
    checked_in_at: str
    late: bool


class ObjectionOut(BaseModel):
    id: str
    identity_key: str
    organization: str | None
    text: str
    raised_at: str
    answer: str | None
    answered_by: str | None
    answered_at: str | None


class AcknowledgmentOut(BaseModel):
    identity_key: str
    decision: str
    text: str
    received_at: str


class OpeningOut(BaseModel):
    tender_id: str
    state: str
    step: int
    hosts: list[str]
    supervisors: list[str]
    deadline: str
    opening_time: str
    server_time: str
    bid_count: int | None
    window_opens_at: str | None
    window_closes_at: str | None
    recipients: list[str]
    check_ins: list[CheckInOut]
    bids: list[BidOut]
    objections: list[ObjectionOut]
    record_sha256: str | None
    record_signers: list[str]
    published_at: str | None
    acknowledgments: list[AcknowledgmentOut]
    remedy_allowed: bool
