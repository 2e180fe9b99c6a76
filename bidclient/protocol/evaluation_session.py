"""The remote evaluation session (远程异地评标) on the wire: phases, edits, signed statements and sheets.

Shared by the server (server/evaluation/) and the client (bidclient/evaluation/session.py, journal.py,
sync.py), so both build the exact bytes an expert signs from the same functions. Every model is strict
and bounded: a server answer and a client request are both hostile input. Described in docs/api.md
("Evaluation") and docs/formats/evaluation-journal.md, docs/formats/evaluation-sheet.md.
"""

from __future__ import annotations

import enum
import re
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from bidclient.protocol.common import canonical_json

CHANNEL_KIND = "evaluation"
CHECKIN_PURPOSE = "bidclient-evaluation-checkin-v1"
DECLARATION_PURPOSE = "bidclient-evaluation-declaration-v1"
SHEET_PURPOSE = "bidclient-evaluation-sheet-v1"
ANSWER_PURPOSE = "bidclient-evaluation-answer-v1"
MAX_SIGNATURE = 256 << 10
MAX_EDITS_PER_BATCH = 500
SCORE_DECIMALS = 2  # a score has at most two decimals (e.g. 7.25)

_ID = r"^[A-Za-z0-9_][A-Za-z0-9_.:-]{0,63}$"
Identifier = Annotated[str, Field(pattern=_ID)]
IdentityKey = Annotated[str, Field(min_length=3, max_length=300)]
ShortText = Annotated[str, Field(max_length=2000)]
Name = Annotated[str, Field(min_length=1, max_length=300)]


class Phase(enum.StrEnum):
    """The session's phases, in order. Only the next phase can be entered (docs/evaluation.md)."""

    CHECKIN = "checkin"  # check-in with the dongle, recusal declaration (回避) and commitment
    ELECTION = "election"  # the committee elects its chair (组长)
    READING = "reading"  # everyone reads the tender and the opened bids
    REVIEW = "review"  # qualification and compliance review (资格性/符合性审查): pass/fail per bid per item
    SCORING = "scoring"  # detailed scoring; each expert submits a signed sheet
    SUMMARY = "summary"  # the chair summarises; Art. 64 checks; a sheet returned only with a reason
    RANKING = "ranking"  # ranking and the recommended candidates
    REPORT = "report"  # the report, signed by every expert in turn
    CLOSED = "closed"


PHASES = tuple(Phase)


def next_phase(phase: Phase) -> Phase | None:
    index = PHASES.index(phase)
    return PHASES[index + 1] if index + 1 < len(PHASES) else None


class MemberStatus(enum.StrEnum):
    INVITED = "invited"
    CHECKED_IN = "checked_in"
    DECLARED = "declared"  # signed the recusal declaration (no conflict) and the commitment
    RECUSED = "recused"  # declared a conflict: removed; a reserve is needed


class SheetState(enum.StrEnum):
    OPEN = "open"
    SUBMITTED = "submitted"  # signed and frozen
    RETURNED = "returned"  # the chair returned it with a recorded reason: open for that expert only


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


# --- the session's definition -------------------------------------------------------------------

class BidRef(_Strict):
    """An opened bid under evaluation (the opening domain's id) and who submitted it."""

    id: Identifier
    name: Name
    bidder: IdentityKey | None = None  # identity key of the bidder: who may answer clarifications
    # As opened (投标报价, yuan, ≤ 2 decimals: the opening's announced price) and the 中小企业 declaration:
    # what the price score needs (bidclient.protocol.evaluation_rules).
    price: Annotated[Decimal, Field(gt=0, le=Decimal("1e13"), decimal_places=2)] | None = None
    sme: bool = False


class CriterionDef(_Strict):
    """A scoring item. ``computed`` items (objective arithmetic, the price score) are read-only for experts:
    the rules compute them (bidclient.protocol.evaluation_rules)."""

    id: Identifier
    name: Name
    min: Annotated[Decimal, Field(ge=0, le=1000)]
    max: Annotated[Decimal, Field(gt=0, le=1000)]
    kind: Literal["subjective", "objective", "computed"] = "subjective"
    weight: Annotated[Decimal, Field(gt=0, le=100)] | None = None


class ReviewItemDef(_Strict):
    """A qualification (资格性) or compliance (符合性) item, judged pass/fail per bid."""

    id: Identifier
    name: Name
    kind: Literal["qualification", "compliance"] = "qualification"


class SessionDefinition(_Strict):
    bids: Annotated[list[BidRef], Field(min_length=1, max_length=200)]
    criteria: Annotated[list[CriterionDef], Field(min_length=1, max_length=500)]
    review_items: Annotated[list[ReviewItemDef], Field(max_length=200)] = []
    candidates: Annotated[int, Field(ge=1, le=3)] = 3  # recommended candidates (1–3, as the tender says)
    # From the tender's ``scoring`` and version-3 ``evaluation`` object (bidclient.protocol.evaluation_rules).
    method: Literal["comprehensive", "lowest_evaluated_price"] = "comprehensive"
    procurement_kind: Literal["goods", "services", "works"] = "goods"
    sme_deduction: Annotated[Decimal, Field(ge=0, lt=100)] = Decimal(0)
    tie_break: Literal["price", "price_then_technical"] = "price"
    abnormal_deviation_percent: Annotated[Decimal, Field(ge=1, le=100)] = Decimal(30)
    # Which tender version and lot the session evaluates (the report names them).
    tender_version: Annotated[int, Field(ge=1, le=1000)] = 1
    title: Annotated[str, Field(max_length=500)] = ""
    lot_id: Annotated[str, Field(min_length=1, max_length=64)] = "1"
    lot_name: Annotated[str, Field(max_length=300)] = ""

    def criterion(self, criterion_id: str) -> CriterionDef | None:
        return next((c for c in self.criteria if c.id == criterion_id), None)

    def review_item(self, item_id: str) -> ReviewItemDef | None:
        return next((r for r in self.review_items if r.id == item_id), None)

    def bid(self, bid_id: str) -> BidRef | None:
        return next((b for b in self.bids if b.id == bid_id), None)


class SessionCreateIn(_Strict):
    """A session for a tender. The normal path gives neither ``experts`` nor ``definition``: the committee is
    the tender's expert draw (its accepted invitations), the bids are the opening's opened bids with their
    announced prices, and the criteria come from the tender's ``scoring`` and ``evaluation`` (docs/evaluation.md,
    "Where the session's experts and bids come from"). ``experts`` and ``definition`` given by hand are the
    explicit way (tests, demonstrations, a tender evaluated outside the platform's draw or opening)."""

    tender_id: Annotated[str, Field(min_length=1, max_length=64)]
    experts: Annotated[list[IdentityKey], Field(min_length=1, max_length=50)] | None = None
    definition: SessionDefinition | None = None
    # The tenderer's representatives (采购人代表) on the committee, named by the agency: as many as the draw
    # counted (87号令 Art. 47). With experts given by hand they simply join them.
    representatives: Annotated[list[IdentityKey], Field(max_length=10)] = []
    lot: Identifier | None = None  # the lot evaluated, from the tender (default: its only lot)
    # The opened bids whose bidder declared itself a small or micro enterprise (中小企业声明函): the tender's
    # price deduction applies to them. Used with the opening's bids (a hand-given definition says ``sme``).
    sme_bids: Annotated[list[Identifier], Field(max_length=200)] = []


class MemberOut(_Strict):
    identity_key: str
    status: MemberStatus
    sheet_state: SheetState
    is_chair: bool
    checked_in_at: datetime | None = None
    checkin_cert_sha256: str | None = None  # the dongle checked in with: the report is signed with it
    submitted_at: datetime | None = None
    returned_reason: str | None = None
    recusal_reason: str | None = None


class SessionOut(_Strict):
    id: str
    tender_id: str
    phase: Phase
    chair: str | None
    created_by: str
    draw_id: str | None = None  # the expert draw the committee came from (absent: experts given by hand)
    reserves_needed: int
    excluded_bids: dict[str, list[str]] = Field(default_factory=dict)  # bid -> reasons (after the review)
    members: list[MemberOut]
    definition: SessionDefinition
    your_role: Literal["expert", "chair", "agency", "supervisor"]
    server_time: datetime


class SessionListOut(_Strict):
    sessions: list[SessionOut]


class PhaseIn(_Strict):
    phase: Phase


class SignedIn(_Strict):
    """A statement and its detached CMS signature (both base64)."""

    content: Annotated[str, Field(min_length=4, max_length=1 << 20)]
    signature: Annotated[str, Field(min_length=4, max_length=MAX_SIGNATURE * 2)]


class ChairVoteIn(_Strict):
    candidate: IdentityKey


class MembersAddIn(_Strict):
    """Reserves for recused experts. Without ``experts``, a session made from a draw takes the draw's reserves
    who accepted their invitation and are not in the session yet."""

    experts: Annotated[list[IdentityKey], Field(min_length=1, max_length=20)] | None = None


# --- edits: what the journal holds and sync sends ------------------------------------------------

class EditIn(_Strict):
    """One edit of one cell of the expert's own sheet, as journaled. ``edit_id`` makes it idempotent;
    ``base_version`` is the cell version the edit was made on (a different server version = conflict)."""

    edit_id: Annotated[str, Field(pattern=r"^[0-9a-f]{32}$")]
    seq: Annotated[int, Field(ge=1)]
    kind: Literal["score", "review"]
    bid: Identifier
    item: Identifier
    value: Annotated[str, Field(max_length=32)] | None = None  # a score, as a decimal string
    passed: bool | None = None  # a review
    reason: ShortText = ""  # required for a failed review
    comment: ShortText = ""
    base_version: Annotated[int, Field(ge=0)]
    client_time: Annotated[str, Field(max_length=40)] = ""  # informational only: the server's clock rules


class EditsIn(_Strict):
    edits: Annotated[list[EditIn], Field(min_length=1, max_length=MAX_EDITS_PER_BATCH)]


EditStatus = Literal["applied", "duplicate", "conflict", "rejected"]


class EditResult(_Strict):
    """``duplicate``: this edit was applied before (a retry); the outcome is the one recorded then.
    ``conflict``: the session moved on (phase closed, sheet frozen, the cell changed on another device);
    ``rejected``: the value is not acceptable. Neither changes anything; ``code``/``detail`` say why."""

    edit_id: str
    status: EditStatus
    version: int = 0  # the cell's version after this edit (applied), or its current version (conflict)
    code: str = ""
    detail: str = ""
    original_status: Literal["applied", "conflict", "rejected"] | None = None  # for a duplicate


class EditsOut(_Strict):
    results: list[EditResult]
    server_time: datetime


class CellOut(_Strict):
    expert: str
    kind: Literal["score", "review"]
    bid: str
    item: str
    value: str | None = None
    passed: bool | None = None
    reason: str = ""
    comment: str = ""
    version: int


class CellsOut(_Strict):
    """The cells the caller may see: always their own; everyone's once their own sheet is submitted
    (supervisors: everyone's, read-only). Ordered by expert, kind, bid, item — never by value or time."""

    cells: list[CellOut]
    hidden: bool  # True when others' cells are withheld from this answer
    server_time: datetime


class SheetOut(_Strict):
    """The exact bytes of the caller's sheet as the server holds it (base64): what the expert signs."""

    content: str
    sha256: str


class ReturnIn(_Strict):
    reason: Annotated[str, Field(max_length=2000)]


class SummaryLine(_Strict):
    """One bid in the server's result (bidclient.protocol.evaluation_rules.session_result): ``total`` is the
    final score (综合评分法: the mean of the experts' totals; 经评审的最低投标价法: the evaluated price), ``rank``
    its place (tied rows share one; None for an excluded bid)."""

    bid: str
    name: str
    excluded: bool
    scores: dict[str, str]  # criterion -> mean of the experts' raw scores, 2 decimals (for reading only)
    total: str
    rank: int | None
    tied: bool = False
    evaluated_price: str | None = None  # after the small/micro-enterprise deduction
    price_score: str | None = None  # 87号令 Art. 55, 0–100 (综合评分法)


class VoteOut(_Strict):
    expert: str
    bid: str
    item: str
    passed: bool
    reason: str


class SummaryOut(_Strict):
    """For the chair once every sheet is in (and supervisors): the committee's plain summary, and everything
    the rules need to compute the result with its calculations (bidclient.evaluation.session.committee_result)."""

    lines: list[SummaryLine]
    candidates: list[str]
    experts: list[str] = []  # the active members, whose sheets and votes these are
    sheets: dict[str, dict[str, dict[str, str]]]  # expert -> bid -> criterion -> score
    votes: list[VoteOut] = []  # every expert's review judgements
    flags: list[dict[str, str]] = []  # Art. 64 checks: code, expert, bid, criterion, value, detail
    benchmark: str | None = None  # 评标基准价: the lowest evaluated price of the bids still in
    unresolved_tie: bool = False  # a tie crosses the candidates' cut-off: the committee decides
    server_time: datetime


class ClarificationIn(_Strict):
    bid: Identifier
    question: Annotated[str, Field(min_length=1, max_length=5000)]


class ClarificationOut(_Strict):
    id: str
    session_id: str
    bid: str
    question: str
    asked_by: str
    asked_at: datetime
    answer: str | None = None
    answered_by: str | None = None
    answered_at: datetime | None = None
    # The bidder's detached CMS signature (base64) over answer_statement(id, answer): anyone who reads the
    # answer verifies it (bidclient.evaluation.clarifications.verify_answer).
    answer_signature: str | None = None


class ClarificationsOut(_Strict):
    clarifications: list[ClarificationOut]


class ReportSignatureIn(_Strict):
    """The report PDF as signed by the caller (base64): the previous signed revision plus one more
    incremental PAdES signature. ``stance``: agree; dissent (signs, with written reasons); refuse (with
    reasons; refusing without reasons counts as agreeing, 实施条例)."""

    pdf: Annotated[str, Field(min_length=8, max_length=200 << 20)]
    stance: Literal["agree", "dissent", "refuse"] = "agree"
    reason: ShortText = ""


class ReportSignatureOut(_Strict):
    position: int
    expert: str
    stance: str
    reason: str
    pdf_sha256: str
    signed_at: datetime


class ReportSignaturesOut(_Strict):
    signatures: list[ReportSignatureOut]


# --- signed statements ---------------------------------------------------------------------------

def checkin_statement(session_id: str, identity_key: str) -> bytes:
    """What an expert signs with the dongle to check in (binds the session and the identity)."""
    return canonical_json({"purpose": CHECKIN_PURPOSE, "session_id": session_id, "expert": identity_key})


def declaration_statement(session_id: str, identity_key: str, *, conflict: bool, detail: str) -> bytes:
    """The recusal declaration (回避, 12号令 Art. 12) and the commitment (承诺), signed together."""
    return canonical_json({"purpose": DECLARATION_PURPOSE, "session_id": session_id, "expert": identity_key,
                           "conflict": conflict, "detail": detail,
                           "commitment": "I will evaluate independently, fairly and in confidence"})


def answer_statement(clarification_id: str, answer: str) -> bytes:
    return canonical_json({"purpose": ANSWER_PURPOSE, "clarification_id": clarification_id, "answer": answer})


def sheet_statement(session_id: str, identity_key: str, submission: int, cells: list[dict[str, Any]]) -> bytes:
    """The score sheet an expert signs: every cell of theirs (reviews and scores), sorted, with versions.

    ``submission`` counts the expert's submissions (1, then 2 after a return…), so a signature over an
    earlier sheet cannot be presented again for a later one."""
    keys = ("kind", "bid", "item", "value", "passed", "reason", "comment", "version")
    rows = sorted(({k: c.get(k) for k in keys} for c in cells), key=lambda c: (c["kind"], c["bid"], c["item"]))
    return canonical_json({"purpose": SHEET_PURPOSE, "session_id": session_id, "expert": identity_key,
                           "submission": submission, "cells": rows})


# --- score values --------------------------------------------------------------------------------

class ScoreError(ValueError):
    def __init__(self, code: str, detail: str) -> None:
        super().__init__(detail)
        self.code = code
        self.detail = detail


_SCORE_TEXT = re.compile(r"^[0-9]{1,4}(\.[0-9]{1,2})?$")  # at most SCORE_DECIMALS decimals


def parse_score(text: str, criterion: CriterionDef) -> Decimal:
    """A score for ``criterion``: plain ASCII digits with at most two decimals (no sign, exponent, NaN or
    other scripts' digits), within its range. Raises ScoreError ``evaluation.score_not_a_number`` or
    ``evaluation.score_out_of_range``."""
    stripped = text.strip() if isinstance(text, str) else ""
    if re.fullmatch(r"[0-9]{1,4}\.[0-9]{3,20}", stripped):
        raise ScoreError("evaluation.score_precision", f"{text[:40]!r} has more than {SCORE_DECIMALS} decimals")
    if not _SCORE_TEXT.match(stripped):
        raise ScoreError("evaluation.score_not_a_number",
                         f"{text[:40]!r} is not a score: give it as digits with at most {SCORE_DECIMALS} "
                         f"decimals, e.g. {criterion.max}")
    try:
        value = Decimal(stripped)
    except InvalidOperation:  # cannot happen after the pattern; kept as a guard
        raise ScoreError("evaluation.score_not_a_number", f"{text[:40]!r} is not a number") from None
    if not criterion.min <= value <= criterion.max:
        raise ScoreError("evaluation.score_out_of_range",
                         f"{value} is outside the range of {criterion.id} ({criterion.name}): "
                         f"{criterion.min} to {criterion.max}")
    return value


def format_score(value: Decimal) -> str:
    return str(value.quantize(Decimal("0.01")))
