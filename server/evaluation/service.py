"""Remote evaluation sessions: phases, check-in and recusal, chair election, edits of the experts' sheets
(idempotent, versioned per cell), signed sheets, returns with reasons, summary, clarifications, report
signatures in order.

Services take keyword arguments, flush but never commit, and raise DomainError, never HTTP errors. Every
state change is an audit entry and, when others should see it, a live event on ``evaluation:<id>``.

**Hidden scores.** An expert sees other experts' cells only while their own sheet is submitted; no answer
to an expert (listing, count, order, error message, live event) depends on another expert's values before
that. Live events never carry a value. Supervisors see everything, read-only. Anyone not taking part in a
session (a bidder, another agency, an expert of another session) is told it does not exist.
"""

from __future__ import annotations

import base64
import binascii
import functools
import hashlib
import json
import uuid
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Literal

from sqlalchemy import insert, select, tuple_, update
from sqlalchemy.orm import Session

from bidclient.protocol import evaluation_rules as rules
from bidclient.protocol.evaluation_session import (
    CHANNEL_KIND,
    PHASES,
    CellOut,
    EditIn,
    EditResult,
    MemberStatus,
    Phase,
    ScoreError,
    SessionCreateIn,
    SessionDefinition,
    SheetState,
    SummaryLine,
    SummaryOut,
    VoteOut,
    answer_statement,
    checkin_statement,
    declaration_statement,
    format_score,
    next_phase,
    parse_score,
    sheet_statement,
)
from crypto import identity
from server import clock
from server.audit import chain
from server.auth.models import Role
from server.auth.service import Actor, verify_signed_by_trusted
from server.evaluation.models import (
    EvalCell,
    EvalClarification,
    EvalEdit,
    EvalMember,
    EvalReportSignature,
    EvalSession,
)
from server.live import service as live
from server.problems import DomainError
from server.settings import Settings

SessionRole = Literal["expert", "chair", "agency", "supervisor"]
OBJECT_TYPE = "evaluation_session"
ACTIVE = (MemberStatus.DECLARED.value,)


def channel(session_id: str) -> str:
    return f"{CHANNEL_KIND}:{session_id}"


def _not_found(session_id: str) -> DomainError:
    # The same answer whether the session does not exist or the caller takes no part in it.
    return DomainError("evaluation.session_not_found",
                       f"there is no evaluation session {session_id[:64]!r} that you take part in", status=404)


def _load(db: Session, session_id: str, *, lock: bool = False) -> EvalSession:
    query = select(EvalSession).where(EvalSession.id == session_id)
    if lock:
        query = query.with_for_update().execution_options(populate_existing=True)
    row = db.execute(query).scalar_one_or_none()
    if row is None:
        raise _not_found(session_id)
    return row


def definition_of(row: EvalSession) -> SessionDefinition:
    return SessionDefinition.model_validate_json(row.definition)


def excluded_of(row: EvalSession) -> dict[str, list[str]]:
    value: dict[str, list[str]] = json.loads(row.excluded or "{}")
    return value


def _member(db: Session, session_id: str, identity_key: str, *, lock: bool = False) -> EvalMember | None:
    query = select(EvalMember).where(EvalMember.session_id == session_id, EvalMember.identity_key == identity_key)
    if lock:
        query = query.with_for_update().execution_options(populate_existing=True)
    return db.execute(query).scalar_one_or_none()


def members(db: Session, session_id: str) -> list[EvalMember]:
    return list(db.execute(select(EvalMember).where(EvalMember.session_id == session_id)
                           .order_by(EvalMember.id)).scalars())


def role_of(db: Session, row: EvalSession, actor: Actor) -> SessionRole | None:
    """How ``actor`` takes part in the session, or None."""
    if actor.has(Role.EXPERT.value) and _member(db, row.id, actor.identity_key) is not None:
        return "chair" if row.chair == actor.identity_key else "expert"
    if actor.has(Role.SUPERVISOR.value):
        return "supervisor"
    if actor.has(Role.AGENCY.value) and row.created_by == actor.identity_key:
        return "agency"
    return None


def participant(db: Session, *, actor: Actor, session_id: str) -> tuple[EvalSession, SessionRole]:
    """The session and the caller's role in it; ``evaluation.session_not_found`` (404) for outsiders."""
    row = _load(db, session_id)
    role = role_of(db, row, actor)
    if role is None:
        raise _not_found(session_id)
    return row, role


def require_member(db: Session, *, actor: Actor, session_id: str, lock: bool = False) -> tuple[EvalSession,
                                                                                                 EvalMember]:
    """The session and the caller's membership; outsiders get ``evaluation.session_not_found`` (404)."""
    row = _load(db, session_id)
    member = _member(db, session_id, actor.identity_key, lock=lock) if actor.has(Role.EXPERT.value) else None
    if member is None:
        raise _not_found(session_id)
    return row, member


def _active(member: EvalMember) -> bool:
    return member.status in ACTIVE


def _require_active(member: EvalMember) -> None:
    if not _active(member):
        why = ("you declared a conflict of interest and were removed from the committee"
               if member.status == MemberStatus.RECUSED.value
               else "you have not yet checked in and signed the recusal declaration")
        raise DomainError("evaluation.not_active", f"you cannot act in this session: {why}", status=409)


def _audit(db: Session, actor: Actor, action: str, session_id: str, payload: dict[str, Any] | bytes) -> None:
    chain.append(db, actor=actor.ref, action=action, object_type=OBJECT_TYPE, object_id=session_id,
                 payload=payload)


def _publish(db: Session, session_id: str, kind: str, payload: dict[str, Any]) -> None:
    live.publish(db, channel(session_id), kind, payload)


# --- creating ------------------------------------------------------------------------------------

def create_session(db: Session, *, actor: Actor, body: SessionCreateIn) -> EvalSession:
    """A session for a tender (by the agency that published it).

    The committee is the tender's expert draw — the experts who accepted their invitation, once the
    evaluation has begun (the draw's start time), with the tenderer's representatives the draw counted —
    unless ``body.experts`` names them by hand. The bids are the opening's opened bids with their announced
    prices (excluded, revoked and withdrawn bids are not evaluated) and the criteria come from the tender's
    ``scoring`` and version-3 ``evaluation``, unless ``body.definition`` gives them by hand."""
    from server.tenders.models import Tender

    tender = db.get(Tender, body.tender_id)
    if tender is None or tender.agency_account_id != actor.account_id:
        raise DomainError("evaluation.tender_not_yours",
                          f"there is no tender {body.tender_id!r} published by your agency", status=404)
    draw_id: str | None = None
    if body.experts is None:
        draw_id, experts = _committee_from_draw(db, tender.id, body.representatives)
    else:
        experts = list(body.experts) + list(body.representatives)
    definition = body.definition if body.definition is not None else \
        _definition_from_opening(db, tender, lot=body.lot, sme_bids=body.sme_bids)
    if len(set(experts)) != len(experts):
        raise DomainError("evaluation.duplicate_expert", "an expert is named twice in the committee", status=422)
    for name, ids in (("bid", [b.id for b in definition.bids]), ("criterion", [c.id for c in definition.criteria]),
                      ("review item", [r.id for r in definition.review_items])):
        if len(set(ids)) != len(ids):
            raise DomainError("evaluation.duplicate_id", f"a {name} id is used twice in the definition", status=422)
    for criterion in definition.criteria:
        if criterion.min > criterion.max:
            raise DomainError("evaluation.range_invalid", f"criterion {criterion.id}: min is above max", status=422)
    try:  # the server ranks with the rules: the definition must be one they accept, with every price
        rules.scoring_of(tender.id, definition)
        rules.session_bids(definition)
    except rules.EvaluationError as ex:
        raise DomainError(ex.code, ex.message, status=422) from None
    now = clock.now()
    row = EvalSession(id=str(uuid.uuid4()), tender_id=tender.id, created_by=actor.identity_key,
                      phase=Phase.CHECKIN.value, chair=None, definition=definition.model_dump_json(),
                      excluded="{}", draw_id=draw_id, created_at=now, phase_changed_at=now)
    db.add(row)
    db.flush()
    for key in experts:
        db.add(_new_member(row.id, key, reserve=False))
    db.flush()
    _audit(db, actor, "evaluation.create", row.id, {"tender_id": tender.id, "experts": experts, "draw_id": draw_id,
                                                    "definition": json.loads(row.definition)})
    _publish(db, row.id, "evaluation.created", {"phase": row.phase, "experts": len(experts)})
    return row


def _current_draw(db: Session, tender_id: str) -> Any:
    from server.experts.models import Draw

    return db.execute(select(Draw).where(Draw.tender_id == tender_id, Draw.state == "drawn")
                      .order_by(Draw.created_at.desc()).limit(1)).scalar_one_or_none()


def _committee_from_draw(db: Session, tender_id: str, representatives: list[str]) -> tuple[str, list[str]]:
    """The drawn committee: every expert who accepted (members, and reserves called in their place), in draw
    order, then the tenderer's representatives. Refused before the evaluation begins, while an invitation is
    unanswered, or when fewer experts accepted than the draw needs."""
    from server.experts.models import Expert, Pick

    draw = _current_draw(db, tender_id)
    if draw is None:
        raise DomainError("evaluation.no_draw", f"tender {tender_id} has no drawn expert committee: draw it first "
                          "('bidclient experts draw'), or name the experts by hand", status=409)
    if clock.now() < draw.starts_at:
        raise DomainError("evaluation.too_early", f"the evaluation begins at {clock.isoformat(draw.starts_at)}: "
                          "the drawn experts are named to the session (and to you) then", status=409)
    picks = list(db.execute(select(Pick, Expert).join(Expert, Expert.id == Pick.expert_id)
                            .where(Pick.draw_id == draw.id).order_by(Pick.slot, Pick.role, Pick.position)).all())
    pending = [p for p, _e in picks if p.state == "pending"]
    accepted = [e.identity_key for p, e in picks if p.state == "accepted"]
    needed = draw.committee_size - json.loads(draw.request).get("representatives", 0)
    if pending or len(accepted) < needed:
        raise DomainError("evaluation.committee_incomplete", f"{len(accepted)} of the {needed} drawn experts have "
                          f"accepted; {len(pending)} invitation(s) are unanswered: wait for the answers (reserves are "
                          "called for those who decline), or draw again", status=409)
    if len(representatives) != json.loads(draw.request).get("representatives", 0):
        raise DomainError("evaluation.representatives", f"the draw counts "
                          f"{json.loads(draw.request).get('representatives', 0)} representative(s) of the tenderer; "
                          f"{len(representatives)} are named", status=422)
    return draw.id, accepted + list(representatives)


def _announced_price(text: Any) -> Decimal | None:
    """The price the opening announced (the words prevail over the figures, 87号令 Art. 59), or None when it
    could not be read: then the session is refused with ``evaluation.price_missing``."""
    try:
        value = Decimal(str(text)) if text else None
    except ArithmeticError:
        return None
    if value is None or not value.is_finite() or not Decimal(0) < value <= Decimal("1e13"):
        return None
    exponent = value.as_tuple().exponent
    return value if isinstance(exponent, int) and exponent >= -2 else None


_OPENING_DONE = ("announced", "record_drafted", "host_signed", "signed", "published")


def _definition_from_opening(db: Session, tender: Any, *, lot: str | None, sme_bids: list[str]) -> SessionDefinition:
    """The bids the opening opened (its verified, announced bids: revoked and withdrawn ones are not evaluated),
    each with its announced price, and the criteria, review items and rules of the tender's current version."""
    from pydantic import ValidationError

    from bidclient.protocol.evaluation_session import BidRef, CriterionDef, ReviewItemDef
    from bidclient.protocol.tender import Evaluation, Lot, Scoring
    from server.opening.models import OpeningBid, OpeningSession
    from server.tenders.models import TenderVersion

    opening = db.get(OpeningSession, tender.id)
    if opening is None or opening.state not in _OPENING_DONE:
        raise DomainError("evaluation.opening_not_done", f"the opening of {tender.id} has not announced its result "
                          f"yet ({opening.state if opening else 'not scheduled'}): the bids are evaluated after the "
                          "opening (唱标)", status=409)
    version = db.execute(select(TenderVersion).where(TenderVersion.tender_id == tender.id,
                                                     TenderVersion.version == tender.current_version)).scalar_one()
    try:
        stated = json.loads(version.definition)
        scoring = Scoring.model_validate(stated["scoring"])
        extra = Evaluation.model_validate(stated["evaluation"]) if "evaluation" in stated else Evaluation()
        lots = [Lot.model_validate(x) for x in stated.get("lots") or []]
    except (ValueError, KeyError, TypeError, ValidationError):
        raise DomainError("evaluation.tender_incomplete", f"tender {tender.id} states no usable scoring: give the "
                          "session's definition by hand", status=409) from None
    if lot is None:
        if len(lots) != 1:
            raise DomainError("evaluation.unknown_lot", f"tender {tender.id} has {len(lots)} lots: name one",
                              status=422)
        lot = lots[0].id
    chosen = next((x for x in lots if x.id == lot), None)
    if chosen is None:
        raise DomainError("evaluation.unknown_lot", f"tender {tender.id} has no lot {lot!r}", status=422)
    opened = list(db.execute(select(OpeningBid).where(OpeningBid.tender_id == tender.id, OpeningBid.state == "opened")
                             .order_by(OpeningBid.position)).scalars())
    if not opened:
        raise DomainError("evaluation.no_valid_bids", "the opening opened no bid: there is nothing to evaluate",
                          status=409)
    unknown = sorted(set(sme_bids) - {b.submission_id for b in opened})
    if unknown:
        raise DomainError("evaluation.unknown_bid", f"not an opened bid of this tender: {', '.join(unknown)}",
                          status=422)
    bids = []
    for bid in opened:
        announced = json.loads(bid.announced or "{}")
        bids.append(BidRef(id=bid.submission_id, name=(str(announced.get("bidder") or "") or bid.organization
                                                       or bid.identity_key)[:300],
                           bidder=bid.identity_key, price=_announced_price(announced.get("price")),
                           sme=bid.submission_id in sme_bids))
    criteria = [CriterionDef(id=c.id, name=c.name, min=Decimal(repr(c.score_range.min)),
                             max=Decimal(repr(c.score_range.max)), weight=Decimal(repr(c.weight)),
                             kind="computed" if c.price else c.kind)
                for c in scoring.criteria if c.lot in (None, lot)]
    return SessionDefinition(
        bids=bids, criteria=criteria or [CriterionDef(id="price", name="评标价 evaluated price", min=Decimal(0),
                                                      max=Decimal(100), kind="computed")],
        review_items=[ReviewItemDef(id=i.id, name=i.name, kind=i.kind) for i in extra.review_items
                      if i.lot in (None, lot)],
        candidates=extra.recommended_candidates, method=scoring.method,
        procurement_kind=tender.procurement_kind if tender.procurement_kind in ("goods", "services", "works")
        else "goods",
        sme_deduction=Decimal(extra.sme_price_deduction) if extra.sme_price_deduction is not None else Decimal(0),
        tie_break=extra.tie_break, abnormal_deviation_percent=Decimal(extra.abnormal_deviation_percent),
        tender_version=tender.current_version, title=tender.title[:500], lot_id=lot, lot_name=chosen.name[:300])


def _new_member(session_id: str, key: str, *, reserve: bool) -> EvalMember:
    return EvalMember(session_id=session_id, identity_key=key, status=MemberStatus.INVITED.value,
                      is_reserve=reserve, sheet_state=SheetState.OPEN.value, submissions=0)


def reserves_needed(db: Session, session_id: str) -> int:
    rows = members(db, session_id)
    recused = sum(1 for m in rows if m.status == MemberStatus.RECUSED.value)
    reserves = sum(1 for m in rows if m.is_reserve)
    return max(0, recused - reserves)


def _call_reserve_for(db: Session, draw_id: str, identity_key: str) -> None:
    """An expert of a drawn committee declared a conflict: their place in the draw is released and the slot's
    next reserve is invited, through the draw's own reserve mechanism (server/experts)."""
    from server.experts import service as experts
    from server.experts.models import Draw, Expert, Pick

    draw = db.get(Draw, draw_id)
    found = db.execute(select(Pick).join(Expert, Expert.id == Pick.expert_id)
                       .where(Pick.draw_id == draw_id, Expert.identity_key == identity_key,
                              Pick.state == "accepted")).scalar_one_or_none()
    if draw is None or found is None:
        return  # a representative, or an expert named by hand: the agency adds a reserve by hand
    found.state, found.responded_at, found.reason = "withdrawn", clock.now(), "declared_conflict"
    db.flush()
    chain.append(db, actor=chain.SYSTEM, action="expert.conflict_released", object_type="expert_pick",
                 object_id=str(found.id), payload={"draw_id": draw_id, "reason": "declared_conflict"})
    experts.call_reserve(db, draw=draw, slot=found.slot)


def _reserves_from_draw(db: Session, row: EvalSession) -> list[str]:
    from server.experts.models import Expert, Pick

    assert row.draw_id is not None
    present = {m.identity_key for m in members(db, row.id)}
    accepted = db.execute(select(Expert.identity_key).join(Pick, Pick.expert_id == Expert.id)
                          .where(Pick.draw_id == row.draw_id, Pick.state == "accepted")
                          .order_by(Pick.slot, Pick.role, Pick.position)).scalars()
    found = [key for key in accepted if key not in present]
    if not found:
        raise DomainError("evaluation.reserve_not_ready", "no reserve of the draw has accepted yet: a reserve is "
                          "invited for each recused expert; add them once they accept", status=409)
    return found


def add_reserves(db: Session, *, actor: Actor, session_id: str, experts: list[str] | None) -> EvalSession:
    """Reserves for recused experts (the agency, during check-in): named by hand, or, for a committee from a
    draw, the draw's reserves who accepted the invitation sent when an expert recused."""
    row = _load(db, session_id, lock=True)
    if role_of(db, row, actor) != "agency":
        raise _not_found(session_id)
    if row.phase != Phase.CHECKIN.value:
        raise DomainError("evaluation.phase_closed", "reserves join during the check-in only", status=409)
    if experts is None:
        if row.draw_id is None:
            raise DomainError("request.invalid", "name the reserves: this committee was not drawn", status=422)
        experts = _reserves_from_draw(db, row)
    for key in experts:
        if _member(db, session_id, key) is not None:
            raise DomainError("evaluation.duplicate_expert", f"{key} is already in this committee", status=409)
        db.add(_new_member(session_id, key, reserve=True))
    db.flush()
    _audit(db, actor, "evaluation.reserves", session_id, {"experts": experts})
    _publish(db, session_id, "evaluation.reserves_added", {"count": len(experts),
                                                           "reserves_needed": reserves_needed(db, session_id)})
    return row


# --- signed statements ---------------------------------------------------------------------------

def _b64(value: str, what: str) -> bytes:
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raise DomainError("request.invalid", f"{what} is not base64", status=422) from None


def _verify_own(db: Session, actor: Actor, content: bytes, signature: bytes, settings: Settings) -> str:
    """The signature is valid, by a trusted certificate, of the caller's own identity; the certificate's
    SHA-256 (hex, of its DER)."""
    info = verify_signed_by_trusted(db, content=content, signature=signature, settings=settings)
    if identity.identity_of(info.signer_certificate).key != actor.identity_key:
        raise DomainError("evaluation.signer_mismatch", "the statement is signed by another identity than the "
                          "one logged in: sign with your own dongle", status=403)
    from cryptography.hazmat.primitives import hashes

    return info.signer_certificate.fingerprint(hashes.SHA256()).hex()


def checkin(db: Session, *, actor: Actor, session_id: str, content_b64: str, signature_b64: str,
            settings: Settings) -> EvalMember:
    row, member = require_member(db, actor=actor, session_id=session_id)
    if row.phase != Phase.CHECKIN.value:
        raise DomainError("evaluation.phase_closed", f"check-in is closed: the session is in phase {row.phase}",
                          status=409)
    content, signature = _b64(content_b64, "content"), _b64(signature_b64, "signature")
    if content != checkin_statement(session_id, actor.identity_key):
        raise DomainError("evaluation.statement_invalid", "the check-in statement is not the one for this session "
                          "and expert (docs/api.md, Evaluation)", status=422)
    cert_sha256 = _verify_own(db, actor, content, signature, settings)
    row, member = require_member(db, actor=actor, session_id=session_id, lock=True)
    if member.status != MemberStatus.INVITED.value:
        return member  # checked in before: a retry
    member.status = MemberStatus.CHECKED_IN.value
    member.checked_in_at = clock.now()
    member.checkin_signature = signature
    member.checkin_cert_sha256 = cert_sha256
    db.flush()
    _audit(db, actor, "evaluation.checkin", session_id, content)
    _publish(db, session_id, "evaluation.checked_in", {"expert": actor.identity_key})
    return member


def declare(db: Session, *, actor: Actor, session_id: str, content_b64: str, signature_b64: str,
            settings: Settings) -> EvalMember:
    row, member = require_member(db, actor=actor, session_id=session_id)
    if row.phase != Phase.CHECKIN.value:
        raise DomainError("evaluation.phase_closed", "declarations are made during the check-in", status=409)
    if member.status == MemberStatus.INVITED.value:
        raise DomainError("evaluation.not_checked_in", "check in with your dongle first", status=409)
    content, signature = _b64(content_b64, "content"), _b64(signature_b64, "signature")
    try:
        stated = json.loads(content)
        conflict, detail = bool(stated["conflict"]), str(stated["detail"])
    except (ValueError, KeyError, TypeError):
        raise DomainError("evaluation.statement_invalid", "the declaration is not a declaration statement",
                          status=422) from None
    if content != declaration_statement(session_id, actor.identity_key, conflict=conflict, detail=detail):
        raise DomainError("evaluation.statement_invalid", "the declaration is not the one for this session and "
                          "expert (docs/api.md, Evaluation)", status=422)
    if conflict and not detail.strip():
        raise DomainError("evaluation.reason_required", "a declared conflict of interest needs its reason "
                          "(which bidder, which relation)", status=422)
    _verify_own(db, actor, content, signature, settings)
    row, member = require_member(db, actor=actor, session_id=session_id, lock=True)
    if member.status in (MemberStatus.DECLARED.value, MemberStatus.RECUSED.value):
        return member  # a retry: the first declaration stands
    member.declaration, member.declaration_signature = content, signature
    if conflict:
        member.status = MemberStatus.RECUSED.value
        member.recusal_reason = detail
    else:
        member.status = MemberStatus.DECLARED.value
    db.flush()
    _audit(db, actor, "evaluation.recused" if conflict else "evaluation.declared", session_id, content)
    if conflict:
        if row.draw_id is not None:
            _call_reserve_for(db, row.draw_id, actor.identity_key)
        _publish(db, session_id, "evaluation.recused", {"expert": actor.identity_key,
                                                        "reserves_needed": reserves_needed(db, session_id)})
    else:
        _publish(db, session_id, "evaluation.declared", {"expert": actor.identity_key})
    return member


def vote_chair(db: Session, *, actor: Actor, session_id: str, candidate: str) -> EvalSession:
    row, member = require_member(db, actor=actor, session_id=session_id, lock=True)
    _require_active(member)
    if row.phase != Phase.ELECTION.value:
        raise DomainError("evaluation.phase_closed", f"the chair is elected in phase election, not {row.phase}",
                          status=409)
    target = _member(db, session_id, candidate)
    if target is None or not _active(target):
        raise DomainError("evaluation.not_a_member", f"{candidate[:100]} is not an active member of this "
                          "committee", status=422)
    member.chair_vote = candidate
    db.flush()
    _audit(db, actor, "evaluation.chair_vote", session_id, {"candidate": candidate})
    row = _load(db, session_id, lock=True)
    active = [m for m in members(db, session_id) if _active(m)]
    votes = [m.chair_vote for m in active if m.chair_vote]
    tally = {c: votes.count(c) for c in set(votes)}
    leader = max(tally, key=lambda c: tally[c])
    if row.chair is None and tally[leader] * 2 > len(active):
        row.chair = leader
        db.flush()
        chain.append(db, actor=chain.SYSTEM, action="evaluation.chair_elected", object_type=OBJECT_TYPE,
                     object_id=session_id, payload={"chair": leader, "votes": tally[leader]})
        _publish(db, session_id, "evaluation.chair_elected", {"chair": leader})
    return row


# --- phases --------------------------------------------------------------------------------------

def advance(db: Session, *, actor: Actor, session_id: str, phase: Phase) -> EvalSession:
    """Enter the next phase. Before a chair is elected the organising agency moves the session on; then
    only the chair. Each step has its precondition (docs/evaluation.md)."""
    row = _load(db, session_id, lock=True)
    role = role_of(db, row, actor)
    if role is None:
        raise _not_found(session_id)
    current = Phase(row.phase)
    allowed: tuple[str, ...] = ("agency",) if current is Phase.CHECKIN else ("chair",)
    if role not in allowed:
        who = "the organising agency" if current is Phase.CHECKIN else "the chair (组长)"
        raise DomainError("evaluation.not_chair", f"only {who} may move the session on from {current}",
                          status=403)
    if next_phase(current) is not phase:
        raise DomainError("evaluation.phase_order", f"the session is in phase {current}; the next phase is "
                          f"{next_phase(current) or 'none (closed)'}, not {phase}", status=409)
    rows = members(db, session_id)
    active = [m for m in rows if _active(m)]
    if current is Phase.CHECKIN:
        waiting = [m.identity_key for m in rows if m.status in (MemberStatus.INVITED.value,
                                                                  MemberStatus.CHECKED_IN.value)]
        if waiting:
            raise DomainError("evaluation.members_waiting", f"{len(waiting)} expert(s) have not checked in and "
                              f"declared: {', '.join(waiting)}", status=409)
        if reserves_needed(db, session_id):
            raise DomainError("evaluation.reserve_needed", f"{reserves_needed(db, session_id)} expert(s) "
                              "recused: add as many reserves first", status=409)
        if not active:
            raise DomainError("evaluation.members_waiting", "no expert is left in the committee", status=409)
    elif current is Phase.ELECTION and row.chair is None:
        raise DomainError("evaluation.no_chair", "the committee has not elected a chair yet", status=409)
    elif current is Phase.REVIEW:
        _close_review(db, row, active)
    elif current is Phase.SCORING:
        _require_all_submitted(active)
    elif current is Phase.SUMMARY:
        _require_all_submitted(active)
        result = result_of(db, row, active)
        if result is not None:  # the ranking the server computed, on the record (no expert's single score)
            _audit(db, actor, "evaluation.ranked", session_id, {
                "candidates": list(result.ranking.candidates), "unresolved_tie": result.ranking.unresolved_tie,
                "rows": [{"bid": r.bidder_id, "rank": r.rank, "final": rules.show(r.final) if r.final is not None
                          else None, "evaluated_price": rules.show(r.evaluated_price), "tied": r.tied}
                         for r in result.ranking.rows]})
    elif current is Phase.REPORT:
        signed = {s.identity_key for s in db.execute(select(EvalReportSignature)
                                                      .where(EvalReportSignature.session_id == session_id)).scalars()}
        missing = [m.identity_key for m in active if m.identity_key not in signed]
        if missing:
            raise DomainError("evaluation.report_unsigned", f"{len(missing)} expert(s) have not signed the "
                              f"report: {', '.join(missing)}", status=409)
    row.phase = phase.value
    row.phase_changed_at = clock.now()
    db.flush()
    _audit(db, actor, "evaluation.phase", session_id, {"from": current.value, "to": phase.value})
    _publish(db, session_id, "evaluation.phase", {"phase": phase.value, "from": current.value})
    return row


def _require_all_submitted(active: list[EvalMember]) -> None:
    waiting = [m.identity_key for m in active if m.sheet_state != SheetState.SUBMITTED.value]
    if waiting:
        raise DomainError("evaluation.sheet_missing", f"{len(waiting)} of {len(active)} score sheet(s) are "
                          f"not submitted yet: {', '.join(waiting)}", status=409)


def _close_review(db: Session, row: EvalSession, active: list[EvalMember]) -> None:
    definition = definition_of(row)
    votes = _votes(db, row.id, {m.identity_key for m in active})
    expected = len(definition.bids) * len(definition.review_items)
    missing = [m.identity_key for m in active if sum(1 for v in votes if v.expert_id == m.identity_key) < expected]
    if missing:
        raise DomainError("evaluation.review_incomplete", f"{len(missing)} expert(s) have not judged every bid on "
                          "every review item yet", status=409)
    try:
        excluded = rules.review_decision(row.tender_id, definition, sorted(m.identity_key for m in active), votes)
    except rules.EvaluationError as ex:
        raise DomainError(ex.code, ex.message, status=409) from None
    row.excluded = json.dumps(excluded, ensure_ascii=False, sort_keys=True)
    _publish(db, row.id, "evaluation.review_decided", {"excluded": excluded})


def _votes(db: Session, session_id: str, experts: set[str]) -> list[rules.ReviewVote]:
    """The active experts' review judgements, in a fixed order (expert, bid, item)."""
    cells = db.execute(select(EvalCell).where(EvalCell.session_id == session_id, EvalCell.kind == "review")
                       .order_by(EvalCell.identity_key, EvalCell.bid_id, EvalCell.item_id)).scalars()
    return [rules.ReviewVote(c.identity_key, c.bid_id, c.item_id, bool(c.passed), c.reason)
            for c in cells if c.identity_key in experts and c.passed is not None]


# --- edits ---------------------------------------------------------------------------------------

@dataclass
class _Refusal(Exception):
    status: Literal["conflict", "rejected"]
    code: str
    detail: str
    version: int = 0


def is_member(db: Session, *, actor: Actor, session_id: str) -> None:
    """``evaluation.session_not_found`` (404) unless the caller is an expert of the session: one lookup of the
    membership row (which exists only for an existing session), for the routes' permission check."""
    found = actor.has(Role.EXPERT.value) and db.execute(
        select(EvalMember.id).where(EvalMember.session_id == session_id,
                                    EvalMember.identity_key == actor.identity_key)).first() is not None
    if not found:
        raise _not_found(session_id)


@functools.lru_cache(maxsize=256)
def _parsed_definition(text: str) -> SessionDefinition:
    """A session's definition, parsed once per text (it is read on every edit; the result is not changed)."""
    return SessionDefinition.model_validate_json(text)


CellKey = tuple[str, str, str]  # kind, bid, item


@dataclass
class _Writes:
    """What a batch of edits writes, sent as a few statements at its end: the cells (new and changed), the
    edits' results, the audit entries."""

    versions: dict[CellKey, int]  # each touched cell's version, as the batch leaves it
    cell_ids: dict[CellKey, int]  # cells that exist in the table
    cells: dict[CellKey, dict[str, Any]] = field(default_factory=dict)
    edits: list[dict[str, Any]] = field(default_factory=list)
    audit: list[chain.Record] = field(default_factory=list)


def apply_edits(db: Session, *, actor: Actor, session_id: str, edits: list[EditIn]) -> list[EditResult]:
    """Apply the edits in the order given, each exactly once (by its ``edit_id``). The caller's membership
    row is locked for the batch, so two devices of one expert are applied one batch after the other.

    A batch reads what it needs in a few statements (the membership, the session, the edits already seen,
    the cells it touches) and writes at its end: the cells, the edit results and one audit entry per
    applied edit (the chain's head moved once)."""
    member = _member(db, session_id, actor.identity_key, lock=True) if actor.has(Role.EXPERT.value) else None
    if member is None:
        raise _not_found(session_id)
    row = _load(db, session_id)
    definition = _parsed_definition(row.definition)
    excluded = excluded_of(row)
    now = clock.now()
    mine = (EvalEdit.session_id == session_id, EvalEdit.identity_key == actor.identity_key)
    seen: dict[str, str] = {edit_id: result for edit_id, result in db.execute(
        select(EvalEdit.edit_id, EvalEdit.result).where(*mine, EvalEdit.edit_id.in_({e.edit_id for e in edits})))}
    keys = {(e.kind, e.bid, e.item) for e in edits}
    stored = db.execute(select(EvalCell.id, EvalCell.kind, EvalCell.bid_id, EvalCell.item_id, EvalCell.version)
                        .where(EvalCell.session_id == session_id, EvalCell.identity_key == actor.identity_key,
                               tuple_(EvalCell.kind, EvalCell.bid_id, EvalCell.item_id).in_(keys))).all()
    writes = _Writes(versions={(c.kind, c.bid_id, c.item_id): c.version for c in stored},
                     cell_ids={(c.kind, c.bid_id, c.item_id): c.id for c in stored})
    results: list[EditResult] = []
    for edit in edits:
        if edit.edit_id in seen:
            first = EditResult.model_validate_json(seen[edit.edit_id])
            results.append(first.model_copy(update={"status": "duplicate", "original_status": first.status}))
            continue
        try:
            result = _apply_one(row, member, definition, excluded, edit, actor, now, writes)
        except _Refusal as refusal:
            result = EditResult(edit_id=edit.edit_id, status=refusal.status, code=refusal.code,
                                detail=refusal.detail, version=refusal.version)
        seen[edit.edit_id] = result.model_dump_json()
        writes.edits.append({"session_id": session_id, "identity_key": actor.identity_key, "edit_id": edit.edit_id,
                             "result": seen[edit.edit_id], "received_at": now})
        results.append(result)
    _write(db, session_id, actor, writes)
    return results


def _write(db: Session, session_id: str, actor: Actor, writes: _Writes) -> None:
    new = [values for key, values in writes.cells.items() if key not in writes.cell_ids]
    changed = [{"id": writes.cell_ids[key], **values} for key, values in writes.cells.items()
               if key in writes.cell_ids]
    if new:
        db.execute(insert(EvalCell), [{"session_id": session_id, "identity_key": actor.identity_key, **values}
                                      for values in new])
    if changed:
        db.execute(update(EvalCell), changed)  # by primary key, one executemany
    if writes.edits:
        db.execute(insert(EvalEdit), writes.edits)
    if writes.audit:
        chain.append_all(db, actor=actor.ref, records=writes.audit)


def _apply_one(row: EvalSession, member: EvalMember, definition: SessionDefinition, excluded: dict[str, list[str]],
               edit: EditIn, actor: Actor, now: Any, writes: _Writes) -> EditResult:
    if not _active(member):
        raise _Refusal("conflict", "evaluation.not_active", "you are not an active member of this committee")
    phase = Phase(row.phase)
    if definition.bid(edit.bid) is None:
        raise _Refusal("rejected", "evaluation.unknown_bid", f"there is no bid {edit.bid!r} in this session")
    value: str | None = None
    if edit.kind == "review":
        item = definition.review_item(edit.item)
        if item is None:
            raise _Refusal("rejected", "evaluation.unknown_item", f"there is no review item {edit.item!r}")
        if phase is not Phase.REVIEW:
            raise _Refusal("conflict", "evaluation.phase_closed",
                           f"the review is closed: the session is in phase {phase}; this judgement was not saved")
        if edit.passed is None:
            raise _Refusal("rejected", "request.invalid", "a review edit says passed: true or false")
        if not edit.passed and not edit.reason.strip():
            raise _Refusal("rejected", "evaluation.fail_without_reason",
                           f"a fail of {edit.bid} on {edit.item} needs its reason")
    else:
        criterion = definition.criterion(edit.item)
        if criterion is None:
            raise _Refusal("rejected", "evaluation.unknown_item", f"there is no criterion {edit.item!r}")
        if criterion.kind == "computed":
            raise _Refusal("rejected", "evaluation.score_computed",
                           f"{criterion.id} ({criterion.name}) is computed by the rules, not scored by hand")
        state = SheetState(member.sheet_state)
        if state is SheetState.SUBMITTED:
            raise _Refusal("conflict", "evaluation.sheet_frozen",
                           "your sheet is submitted and frozen; only the chair can return it, with a reason")
        if not ((phase is Phase.SCORING and state is SheetState.OPEN)
                or (phase is Phase.SUMMARY and state is SheetState.RETURNED)):
            raise _Refusal("conflict", "evaluation.phase_closed",
                           f"scoring is not open: the session is in phase {phase}; this score was not saved")
        if edit.bid in excluded:
            raise _Refusal("conflict", "evaluation.bid_excluded",
                           f"bid {edit.bid} was excluded at the review and is not scored")
        if edit.value is None:
            raise _Refusal("rejected", "evaluation.score_not_a_number", "a score edit carries a value")
        try:
            value = format_score(parse_score(edit.value, criterion))
        except ScoreError as ex:
            raise _Refusal("rejected", ex.code, ex.detail) from None
    key: CellKey = (edit.kind, edit.bid, edit.item)
    current = writes.versions.get(key, 0)
    if edit.base_version != current:
        raise _Refusal("conflict", "evaluation.cell_changed",
                       f"your {edit.kind} of {edit.bid}/{edit.item} was changed meanwhile (on another device): it "
                       f"is at version {current}, this edit was made on version {edit.base_version}; see it with "
                       "'bidclient evaluation scores' and enter it again if it should stand", version=current)
    version = writes.versions[key] = current + 1
    writes.cells[key] = {"kind": edit.kind, "bid_id": edit.bid, "item_id": edit.item, "value": value,
                         "passed": edit.passed if edit.kind == "review" else None, "reason": edit.reason,
                         "comment": edit.comment, "version": version, "updated_at": now}
    # The audit entry keeps the edit's hash only: the trail's readers learn no score from it.
    writes.audit.append(chain.Record("evaluation.edit", OBJECT_TYPE, row.id,
                                     {"edit": edit.model_dump(), "version": version}))
    return EditResult(edit_id=edit.edit_id, status="applied", version=version)


def _cell_out(cell: EvalCell) -> CellOut:
    return CellOut(expert=cell.identity_key, kind=cell.kind, bid=cell.bid_id, item=cell.item_id,  # type: ignore[arg-type]
                   value=cell.value, passed=cell.passed, reason=cell.reason, comment=cell.comment,
                   version=cell.version)


def visible_cells(db: Session, *, actor: Actor, session_id: str) -> tuple[list[CellOut], bool]:
    """(cells, hidden): the caller's own cells, plus everyone's once the caller's sheet is submitted;
    supervisors see all. The order is fixed (expert, kind, bid, item) and reveals nothing."""
    _row, role = participant(db, actor=actor, session_id=session_id)
    if role == "agency":
        raise DomainError("evaluation.scores_hidden", "scores are shown to the committee and the supervisors only",
                          status=403)
    query = select(EvalCell).where(EvalCell.session_id == session_id)
    hidden = False
    if role != "supervisor":
        member = _member(db, session_id, actor.identity_key)
        assert member is not None
        if member.sheet_state != SheetState.SUBMITTED.value:
            query = query.where(EvalCell.identity_key == actor.identity_key)
            hidden = True
    cells = db.execute(query.order_by(EvalCell.identity_key, EvalCell.kind, EvalCell.bid_id,
                                      EvalCell.item_id)).scalars()
    return [_cell_out(c) for c in cells], hidden


def _own_cells(db: Session, session_id: str, identity_key: str) -> list[dict[str, Any]]:
    cells = db.execute(select(EvalCell).where(EvalCell.session_id == session_id,
                                              EvalCell.identity_key == identity_key)).scalars()
    return [_cell_out(c).model_dump() for c in cells]


def sheet_bytes(db: Session, *, actor: Actor, session_id: str) -> bytes:
    """The caller's sheet as the server holds it: the bytes to sign for the next submission."""
    _row, member = require_member(db, actor=actor, session_id=session_id)
    return sheet_statement(session_id, actor.identity_key, member.submissions + 1,
                           _own_cells(db, session_id, actor.identity_key))


def submit_sheet(db: Session, *, actor: Actor, session_id: str, content_b64: str, signature_b64: str,
                 settings: Settings) -> EvalMember:
    row, member = require_member(db, actor=actor, session_id=session_id)
    _require_active(member)
    content, signature = _b64(content_b64, "content"), _b64(signature_b64, "signature")
    _verify_own(db, actor, content, signature, settings)
    row, member = require_member(db, actor=actor, session_id=session_id, lock=True)
    phase, state = Phase(row.phase), SheetState(member.sheet_state)
    if state is SheetState.SUBMITTED:
        if member.sheet_content == content:
            return member  # a retry of the same submission
        raise DomainError("evaluation.sheet_frozen", "your sheet is already submitted and frozen", status=409)
    if not ((phase is Phase.SCORING and state is SheetState.OPEN)
            or (phase is Phase.SUMMARY and state is SheetState.RETURNED)):
        raise DomainError("evaluation.phase_closed", f"sheets are submitted during scoring, not in phase {phase}",
                          status=409)
    own = _own_cells(db, session_id, actor.identity_key)
    if content != sheet_statement(session_id, actor.identity_key, member.submissions + 1, own):
        raise DomainError("evaluation.sheet_out_of_date", "the signed sheet is not your sheet as the server holds "
                          "it: sync your edits, fetch the sheet again and sign that", status=409)
    definition, excluded = definition_of(row), excluded_of(row)
    scored = {(c["bid"], c["item"]) for c in own if c["kind"] == "score" and c["value"] is not None}
    missing = [f"{b.id}/{c.id}" for b in definition.bids if b.id not in excluded
               for c in definition.criteria if c.kind != "computed" and (b.id, c.id) not in scored]
    if missing:
        raise DomainError("evaluation.sheet_incomplete", f"{len(missing)} score(s) are missing: "
                          f"{', '.join(missing[:20])}", status=409)
    member.sheet_state = SheetState.SUBMITTED.value
    member.submissions += 1
    member.sheet_content, member.sheet_signature = content, signature
    member.submitted_at = clock.now()
    member.returned_reason = None
    db.flush()
    _audit(db, actor, "evaluation.sheet_submitted", session_id, content)
    _publish(db, session_id, "evaluation.sheet_submitted", {"expert": actor.identity_key,
                                                            "submission": member.submissions})
    return member


def return_sheet(db: Session, *, actor: Actor, session_id: str, expert: str, reason: str) -> EvalMember:
    row = _load(db, session_id, lock=True)
    if role_of(db, row, actor) != "chair":
        if role_of(db, row, actor) is None:
            raise _not_found(session_id)
        raise DomainError("evaluation.not_chair", "only the chair (组长) may return a sheet", status=403)
    if not reason.strip():
        raise DomainError("evaluation.reason_required", "a sheet is returned only with a recorded reason (Art. 64: "
                          "a sum error, a score out of range, experts differing on an objective item, an abnormal "
                          "score)", status=422)
    if row.phase != Phase.SUMMARY.value:
        raise DomainError("evaluation.phase_closed", "sheets are returned during the summary", status=409)
    member = _member(db, session_id, expert, lock=True)
    if member is None or member.sheet_state != SheetState.SUBMITTED.value:
        raise DomainError("evaluation.not_submitted", f"{expert[:100]} has no submitted sheet in this session",
                          status=409)
    member.sheet_state = SheetState.RETURNED.value
    member.returned_reason = reason
    db.flush()
    _audit(db, actor, "evaluation.sheet_returned", session_id, {"expert": expert, "reason": reason})
    _publish(db, session_id, "evaluation.sheet_returned", {"expert": expert, "reason": reason})
    return member


# --- summary and ranking -------------------------------------------------------------------------

def summary(db: Session, *, actor: Actor, session_id: str) -> SummaryOut:
    """The committee's result computed here by the rules (bidclient.protocol.evaluation_rules.session_result):
    for the chair once every sheet is in, for supervisors at any time."""
    row, role = participant(db, actor=actor, session_id=session_id)
    if role not in ("chair", "supervisor"):
        if role == "agency":
            raise DomainError("evaluation.scores_hidden", "scores are shown to the committee and the supervisors "
                              "only", status=403)
        raise DomainError("evaluation.not_chair", "only the chair (组长) summarises", status=403)
    active = [m for m in members(db, session_id) if _active(m)]
    if role == "chair":
        if PHASES.index(Phase(row.phase)) < PHASES.index(Phase.SUMMARY):
            _require_all_submitted(active)
            raise DomainError("evaluation.phase_order", "every sheet is in: move the session to the summary "
                              "phase first", status=409)
        _require_all_submitted(active)
    return _summary_of(db, row, active)


def _sheets(db: Session, session_id: str, experts: set[str]) -> dict[str, dict[str, dict[str, Decimal]]]:
    sheets: dict[str, dict[str, dict[str, Decimal]]] = {k: {} for k in sorted(experts)}
    for cell in db.execute(select(EvalCell).where(EvalCell.session_id == session_id, EvalCell.kind == "score")
                           ).scalars():
        if cell.identity_key in experts and cell.value is not None:
            sheets[cell.identity_key].setdefault(cell.bid_id, {})[cell.item_id] = Decimal(cell.value)
    return sheets


def result_of(db: Session, row: EvalSession, active: list[EvalMember]) -> rules.EvaluationResult | None:
    """The rules' result over the submitted sheets, or None while it cannot be computed yet (a supervisor
    looking before the review is decided or every sheet is in)."""
    keys = {m.identity_key for m in active}
    if Phase(row.phase) in (Phase.CHECKIN, Phase.ELECTION, Phase.READING, Phase.REVIEW) or not keys:
        return None
    if any(m.sheet_state != SheetState.SUBMITTED.value for m in active):
        return None
    try:
        return rules.session_result(row.tender_id, definition_of(row), sorted(keys),
                                    _votes(db, row.id, keys), _sheets(db, row.id, keys))
    except rules.EvaluationError as ex:
        if ex.code == "evaluation.no_valid_bids":
            return None  # every bid failed the review: nothing to rank, no candidate (the summary says so)
        raise DomainError(ex.code, ex.message, status=409) from None


def _summary_of(db: Session, row: EvalSession, active: list[EvalMember]) -> SummaryOut:
    definition, excluded = definition_of(row), excluded_of(row)
    keys = {m.identity_key for m in active}
    sheets = _sheets(db, row.id, keys)
    votes = _votes(db, row.id, keys)
    result = result_of(db, row, active)
    ranked = {r.bidder_id: r for r in result.ranking.rows} if result is not None else {}
    prices = {p.bidder_id: p for p in result.price.scores} if result is not None else {}
    lines = []
    for bid in definition.bids:
        means: dict[str, str] = {}
        for criterion in definition.criteria:
            given = [s[bid.id][criterion.id] for s in sheets.values() if criterion.id in s.get(bid.id, {})]
            if given:
                means[criterion.id] = format_score(rules.round2(sum(given, Decimal(0)) / len(given)))
        r, p = ranked.get(bid.id), prices.get(bid.id)
        total = (r.final if r.final is not None else r.evaluated_price) if r is not None else Decimal(0)
        lines.append(SummaryLine(bid=bid.id, name=bid.name, excluded=bid.id in excluded, scores=means,
                                 total=rules.show(total), rank=r.rank if r is not None else None,
                                 tied=r.tied if r is not None else False,
                                 evaluated_price=rules.show(p.evaluated_price) if p is not None else None,
                                 price_score=rules.show(p.score) if p is not None and p.score is not None else None))
    # "detail" and "may_change" in the server's language for older readers; the ids and parameters let each
    # reader render the words in its own (rules.flag_texts; docs/api.md, "Calculations in the reader's language").
    flags = [{"code": f.code, "expert": f.expert_id, "bid": f.bidder_id, "criterion": f.criterion_id or "",
              "value": rules.show(f.value), "detail": str(f.detail), "may_change": f.may_change,
              "formula": f.detail.formula, "words_id": f.detail.words_id,
              "words_params": json.dumps(dict(f.detail.params), ensure_ascii=False, sort_keys=True),
              "may_change_id": f.may_change_id}
             for f in (result.flags if result is not None else ())]
    return SummaryOut(
        lines=lines, candidates=list(result.ranking.candidates) if result is not None else [],
        experts=sorted(keys), sheets={e: {b: {c: format_score(v) for c, v in items.items()}
                                          for b, items in bids.items()} for e, bids in sheets.items()},
        votes=[VoteOut(expert=v.expert_id, bid=v.bidder_id, item=v.item_id, passed=v.passed, reason=v.reason)
               for v in votes],
        flags=flags, benchmark=rules.show(result.price.benchmark) if result is not None else None,
        unresolved_tie=result.ranking.unresolved_tie if result is not None else False, server_time=clock.now())


# --- clarifications ------------------------------------------------------------------------------

def ask(db: Session, *, actor: Actor, session_id: str, bid_id: str, question: str) -> EvalClarification:
    row, member = require_member(db, actor=actor, session_id=session_id)
    _require_active(member)
    if row.phase not in (Phase.REVIEW.value, Phase.SCORING.value):
        raise DomainError("evaluation.phase_closed", "clarifications are asked during the review and the scoring",
                          status=409)
    bid = definition_of(row).bid(bid_id)
    if bid is None:
        raise DomainError("evaluation.unknown_bid", f"there is no bid {bid_id!r} in this session", status=422)
    item = EvalClarification(id=str(uuid.uuid4()), session_id=session_id, bid_id=bid_id, bidder=bid.bidder,
                             question=question, asked_by=actor.identity_key, asked_at=clock.now())
    db.add(item)
    db.flush()
    _audit(db, actor, "evaluation.clarification_asked", session_id, {"id": item.id, "bid": bid_id,
                                                                    "question": question})
    _publish(db, session_id, "evaluation.clarification_asked", {"id": item.id, "bid": bid_id})
    return item


def clarifications(db: Session, *, actor: Actor, session_id: str | None) -> list[EvalClarification]:
    """A session's clarifications (its participants), or, without a session, those put to the caller as a
    bidder."""
    query = select(EvalClarification)
    if session_id is not None:
        participant(db, actor=actor, session_id=session_id)
        query = query.where(EvalClarification.session_id == session_id)
    else:
        query = query.where(EvalClarification.bidder == actor.identity_key)
    return list(db.execute(query.order_by(EvalClarification.asked_at, EvalClarification.id)).scalars())


def answer(db: Session, *, actor: Actor, clarification_id: str, content_b64: str, signature_b64: str,
           settings: Settings) -> EvalClarification:
    item = db.get(EvalClarification, clarification_id)
    if item is None or item.bidder is None or item.bidder != actor.identity_key:
        raise DomainError("evaluation.clarification_not_found", "there is no clarification request to you with "
                          "this id", status=404)
    content, signature = _b64(content_b64, "content"), _b64(signature_b64, "signature")
    try:
        text = str(json.loads(content)["answer"])
    except (ValueError, KeyError, TypeError):
        raise DomainError("evaluation.statement_invalid", "the answer is not an answer statement", status=422) from None
    if content != answer_statement(clarification_id, text) or not text.strip():
        raise DomainError("evaluation.statement_invalid", "the answer statement is not for this request, or empty",
                          status=422)
    _verify_own(db, actor, content, signature, settings)
    if item.answer is not None:
        raise DomainError("evaluation.already_answered", "this request has been answered already", status=409)
    item.answer, item.answer_signature = text, signature
    item.answered_by, item.answered_at = actor.identity_key, clock.now()
    db.flush()
    _audit(db, actor, "evaluation.clarification_answered", item.session_id, content)
    _publish(db, item.session_id, "evaluation.clarification_answered", {"id": item.id, "bid": item.bid_id})
    return item


# --- report signatures ---------------------------------------------------------------------------

def sign_report(db: Session, *, actor: Actor, session_id: str, pdf_b64: str, stance: str,
                reason: str) -> EvalReportSignature:
    """Store the report as the caller signed it, after the previous signer's revision: each expert adds an
    incremental signature, so each stored PDF must begin with the previous one's bytes."""
    row, member = require_member(db, actor=actor, session_id=session_id, lock=True)
    _require_active(member)
    if row.phase != Phase.REPORT.value:
        raise DomainError("evaluation.phase_closed", "the report is signed in phase report", status=409)
    pdf = _b64(pdf_b64, "pdf")
    if not pdf.startswith(b"%PDF-"):
        raise DomainError("evaluation.report_not_pdf", "the report is not a PDF", status=422)
    if stance in ("dissent", "refuse") and not reason.strip():
        if stance == "dissent":
            raise DomainError("evaluation.dissent_without_reasons", "disagreeing needs written reasons", status=422)
        stance = "agree"  # 实施条例: refusing to sign without written reasons counts as agreeing
    done = list(db.execute(select(EvalReportSignature).where(EvalReportSignature.session_id == session_id)
                           .order_by(EvalReportSignature.position)).scalars())
    if any(s.identity_key == actor.identity_key for s in done):
        raise DomainError("evaluation.report_signed", "you have signed the report already", status=409)
    if done and not (pdf.startswith(done[-1].pdf) and len(pdf) > len(done[-1].pdf)):
        raise DomainError("evaluation.report_out_of_date", f"sign the report as it stands after signature "
                          f"{len(done)} (fetch it again): a signature is added after the previous ones, never "
                          "over them", status=409)
    _check_report(db, actor, row, member, pdf, len(done), stance, reason)
    entry = EvalReportSignature(session_id=session_id, position=len(done) + 1, identity_key=actor.identity_key,
                                stance=stance, reason=reason, pdf=pdf, pdf_sha256=hashlib.sha256(pdf).hexdigest(),
                                signed_at=clock.now())
    db.add(entry)
    db.flush()
    _audit(db, actor, "evaluation.report_signed", session_id, {"position": entry.position, "stance": stance,
                                                               "reason": reason, "pdf_sha256": entry.pdf_sha256})
    _publish(db, session_id, "evaluation.report_signed", {"expert": actor.identity_key, "position": entry.position,
                                                          "stance": stance})
    return entry


def _check_report(db: Session, actor: Actor, row: EvalSession, member: EvalMember, pdf: bytes, signed: int,
                  stance: str, reason: str) -> None:
    """Validate the uploaded revision (server/evaluation/report_check.py). A refused one is audited in a
    transaction of its own, committed before the refusal is answered (the refusal rolls the request's
    transaction back), so that a forged or foreign signature stays on the record: who sent it, the file's
    SHA-256 and why it was refused."""
    from server.auth.service import current_trust_list
    from server.evaluation import report_check

    active = {m.identity_key: m.checkin_cert_sha256 or "" for m in members(db, row.id) if _active(m)}
    trust = current_trust_list(db)
    expected = report_check.Expected(session_id=row.id, identity_key=actor.identity_key, members=active,
                                     previous_signatures=signed, stance=stance, reason=reason)
    try:
        report_check.check_revision(pdf, expected, list(trust.roots), list(trust.intermediates))
    except report_check.Refusal as refusal:
        session_id = row.id
        db.rollback()
        _audit(db, actor, "evaluation.report_refused", session_id, {
            "code": refusal.code, "detail": refusal.detail[:1000], "pdf_sha256": hashlib.sha256(pdf).hexdigest(),
            "position": signed + 1})
        db.commit()
        raise DomainError(refusal.code, f"the signed report is refused: {refusal.detail}", status=422) from None


def latest_report(db: Session, *, actor: Actor, session_id: str) -> bytes:
    """The report as it stands after the last signature (the next signer signs this)."""
    participant(db, actor=actor, session_id=session_id)
    last = db.execute(select(EvalReportSignature).where(EvalReportSignature.session_id == session_id)
                      .order_by(EvalReportSignature.position.desc()).limit(1)).scalar_one_or_none()
    if last is None:
        raise DomainError("evaluation.report_not_found", "no one has signed the report yet: the first signer "
                          "signs the report written from the summary ('bidclient evaluation write-report')",
                          status=404)
    return last.pdf


def report_signatures(db: Session, *, actor: Actor, session_id: str) -> list[EvalReportSignature]:
    participant(db, actor=actor, session_id=session_id)
    return list(db.execute(select(EvalReportSignature).where(EvalReportSignature.session_id == session_id)
                           .order_by(EvalReportSignature.position)).scalars())


# --- listing -------------------------------------------------------------------------------------

def sessions_for(db: Session, *, actor: Actor) -> list[tuple[EvalSession, SessionRole]]:
    found: list[tuple[EvalSession, SessionRole]] = []
    if actor.has(Role.SUPERVISOR.value):
        rows = list(db.execute(select(EvalSession).order_by(EvalSession.created_at, EvalSession.id)).scalars())
    else:
        ids = set()
        if actor.has(Role.EXPERT.value):
            ids |= set(db.execute(select(EvalMember.session_id).where(EvalMember.identity_key == actor.identity_key))
                       .scalars())
        if actor.has(Role.AGENCY.value):
            ids |= set(db.execute(select(EvalSession.id).where(EvalSession.created_by == actor.identity_key))
                       .scalars())
        rows = list(db.execute(select(EvalSession).where(EvalSession.id.in_(ids))
                               .order_by(EvalSession.created_at, EvalSession.id)).scalars()) if ids else []
    for row in rows:
        role = role_of(db, row, actor)
        if role is not None:
            found.append((row, role))
    return found


def _live_reader(db: Session, actor: Actor, session_id: str) -> bool:
    # An outsider is told the channel does not exist, as for a session that does not: nothing is revealed.
    row = db.get(EvalSession, session_id)
    if row is None or role_of(db, row, actor) is None:
        raise DomainError("live.channel_not_found", f"there is no evaluation session {session_id[:64]!r} that you "
                          "take part in", status=404)
    return True


live.register_reader(CHANNEL_KIND, _live_reader)
