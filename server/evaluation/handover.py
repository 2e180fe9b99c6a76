"""The opened bids reach the evaluation committee through the platform (远程异地评标), never in plaintext on
the server (docs/evaluation.md "The opened bids reach the committee", docs/formats/handover.md).

The sealed bids stay in the blob store exactly as submitted. Each seated expert registers an encryption
certificate (its own identity, trusted for encryption). Once the check-in is closed, a host of the tender's
opening hands the committee the bids: its terminal unwraps each opened bid's content key as it did at the
opening and wraps it to each seated expert's certificate, one CMS envelope per (bid, expert); the server
checks that each envelope has exactly that one recipient and keeps it. An expert then fetches the sealed bid
and its own envelope, and opens both on its own computer with its own dongle.

Who may get what: a key envelope and the sealed bid go only to an active (seated, not recused) expert of the
session holding an envelope for that bid; everyone else is told there is none (404), as for a session one
takes no part in. Hosts and supervisors of the opening, and the session's participants, see the state.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import io
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from sqlalchemy import select
from sqlalchemy.orm import Session

from bidclient.protocol.evaluation_session import MemberStatus, Phase
from bidclient.protocol.handover import (
    MAX_KEY_ENVELOPE,
    HandoverBidOut,
    HandoverIn,
    HandoverOut,
    HandoverRole,
    SeatOut,
)
from crypto import cms_envelope, identity, trust
from crypto.errors import CryptoError, TrustError
from server import clock
from server.audit import chain
from server.auth.models import Role
from server.auth.service import Actor, current_trust_list
from server.blobs import BlobStore
from server.evaluation import service as evaluation
from server.evaluation.handover_models import EvalBidKey, EvalRecipient
from server.evaluation.models import EvalMember, EvalSession
from server.live import service as live
from server.opening import service as opening
from server.opening.models import OpeningBid, OpeningSession
from server.problems import DomainError
from server.submissions.models import Submission

OBJECT_TYPE = evaluation.OBJECT_TYPE
NOT_SEATED_PHASES = (Phase.CHECKIN.value,)


def _not_found(session_id: str) -> DomainError:
    return DomainError("evaluation.session_not_found",
                       f"there is no evaluation session {session_id[:64]!r} that you take part in", status=404)


def _no_key(submission_id: str) -> DomainError:
    # The same answer for a bid that does not exist, one not handed to the caller, and a caller who lost
    # their seat: nothing is revealed about the others.
    return DomainError("handover.no_key", f"no opened bid {submission_id[:64]!r} was handed over to you in this "
                       "session", status=404)


def _opening_role(db: Session, actor: Actor, tender_id: str) -> str | None:
    row = db.get(OpeningSession, tender_id)
    if row is None:
        return None
    role = opening.role_in(db, actor, row)
    return role if role in ("host", "supervisor") else None


def _role(db: Session, actor: Actor, row: EvalSession) -> HandoverRole | None:
    taking_part = evaluation.role_of(db, row, actor)
    if taking_part in ("expert", "chair"):
        return "expert"
    at_opening = _opening_role(db, actor, row.tender_id)
    if at_opening == "host":
        return "host"
    if at_opening == "supervisor" or taking_part == "supervisor":
        return "supervisor"
    if taking_part == "agency":
        return "agency"
    return None


def _load(db: Session, actor: Actor, session_id: str) -> tuple[EvalSession, HandoverRole]:
    row = db.get(EvalSession, session_id)
    role = _role(db, actor, row) if row is not None else None
    if row is None or role is None:
        raise _not_found(session_id)
    return row, role


def _seated(db: Session, session_id: str) -> list[EvalMember]:
    return [m for m in evaluation.members(db, session_id) if m.status == MemberStatus.DECLARED.value]


def _recipients(db: Session, session_id: str) -> dict[str, EvalRecipient]:
    return {r.identity_key: r for r in db.execute(select(EvalRecipient).where(EvalRecipient.session_id == session_id))
            .scalars()}


def _opened_bids(db: Session, row: EvalSession) -> list[tuple[OpeningBid, Submission]]:
    """The session's bids that the opening opened (verified), in the opening's order; 撤销/撤回/failed bids are
    never handed over."""
    wanted = {b.id for b in evaluation.definition_of(row).bids}
    found = db.execute(select(OpeningBid, Submission).join(Submission, Submission.id == OpeningBid.submission_id)
                       .where(OpeningBid.tender_id == row.tender_id).order_by(OpeningBid.position)).all()
    return [(bid, sub) for bid, sub in found if bid.submission_id in wanted]


def state(db: Session, *, actor: Actor, session_id: str) -> HandoverOut:
    row, role = _load(db, actor, session_id)
    return _out(db, row, role)


def _out(db: Session, row: EvalSession, role: HandoverRole) -> HandoverOut:
    seated = _seated(db, row.id)
    certs = _recipients(db, row.id)
    active = {m.identity_key for m in seated}
    keys: dict[str, list[str]] = {}
    for submission_id, expert, cert_sha in db.execute(
            select(EvalBidKey.submission_id, EvalBidKey.identity_key, EvalBidKey.certificate_sha256)
            .where(EvalBidKey.session_id == row.id).order_by(EvalBidKey.identity_key)).all():
        # A member who lost the seat, or registered another certificate since, no longer holds it.
        if expert in active and expert in certs and certs[expert].certificate_sha256 == cert_sha:
            keys.setdefault(submission_id, []).append(expert)
    bids = [] if row.phase in NOT_SEATED_PHASES else _opened_bids(db, row)
    return HandoverOut(
        session_id=row.id, tender_id=row.tender_id, phase=row.phase, seated=row.phase not in NOT_SEATED_PHASES,
        your_role=role,
        members=[SeatOut(identity_key=m.identity_key,
                         certificate=certs[m.identity_key].certificate.decode("ascii") if m.identity_key in certs
                         else None,
                         certificate_sha256=certs[m.identity_key].certificate_sha256 if m.identity_key in certs
                         else None) for m in seated],
        bids=[HandoverBidOut(submission_id=bid.submission_id, position=bid.position, identity_key=bid.identity_key,
                             organization=bid.organization, envelope_sha256=sub.envelope_sha256, state=bid.state,
                             remedied=bool(bid.remedied), handed_to=keys.get(bid.submission_id, []))
              for bid, sub in bids])


def for_tender(db: Session, *, actor: Actor, tender_id: str) -> list[HandoverOut]:
    """The hand-over of every evaluation session of ``tender_id``, for a host or supervisor of its opening."""
    role = _opening_role(db, actor, tender_id)
    if role is None:
        raise DomainError("opening.not_found", f"tender {tender_id!r} has no opening session you take part in",
                          status=404)
    rows = db.execute(select(EvalSession).where(EvalSession.tender_id == tender_id)
                      .order_by(EvalSession.created_at, EvalSession.id)).scalars()
    return [_out(db, row, "host" if role == "host" else "supervisor") for row in rows]


# --- the expert's encryption certificate ----------------------------------------------------------------

def register_certificate(db: Session, *, actor: Actor, session_id: str, pem: str) -> SeatOut:
    """The caller's encryption certificate for this session: its own identity, trusted for encryption.
    Registering again replaces it (a renewed certificate); envelopes made for the old one stay unusable to
    anyone but its holder and are made again at the next hand-over."""
    row, member = evaluation.require_member(db, actor=actor, session_id=session_id, lock=True)
    if member.status == MemberStatus.RECUSED.value or row.phase == Phase.CLOSED.value:
        raise DomainError("evaluation.not_active", "you cannot receive the bids: you are not a member of the "
                          "committee now", status=409)
    try:
        cert = x509.load_pem_x509_certificate(pem.encode("ascii"))
        trust.validate(cert, current_trust_list(db), usage="encryption")
        holder = identity.identity_of(cert).key
    except (ValueError, UnicodeEncodeError, CryptoError, TrustError) as ex:
        raise DomainError("handover.certificate_invalid", f"the encryption certificate is not usable: {ex}",
                          status=422) from ex
    if holder != actor.identity_key:
        raise DomainError("handover.certificate_invalid", f"the encryption certificate belongs to {holder}, not to "
                          f"{actor.identity_key}: register your own", status=422)
    data = cert.public_bytes(serialization.Encoding.PEM)
    sha = cert.fingerprint(hashes.SHA256()).hex()
    found = _recipients(db, session_id).get(actor.identity_key)
    if found is None or found.certificate_sha256 != sha:
        if found is None:
            found = EvalRecipient(session_id=session_id, identity_key=actor.identity_key, certificate=data,
                                  certificate_sha256=sha, registered_at=clock.now())
            db.add(found)
        else:
            found.certificate, found.certificate_sha256, found.registered_at = data, sha, clock.now()
        db.flush()
        chain.append(db, actor=actor.ref, action="evaluation.encryption_certificate", object_type=OBJECT_TYPE,
                     object_id=session_id, payload={"certificate_sha256": sha})
    return SeatOut(identity_key=actor.identity_key, certificate=data.decode("ascii"), certificate_sha256=sha)


# --- the host hands the keys over -----------------------------------------------------------------------

def _envelope(text: str) -> bytes:
    try:
        data = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise DomainError("handover.envelope_invalid", "a key envelope is not base64", status=422) from None
    if not data or len(data) > MAX_KEY_ENVELOPE:
        raise DomainError("handover.envelope_invalid", f"a key envelope is empty or larger than {MAX_KEY_ENVELOPE} "
                          "bytes", status=422)
    return data


def hand_over(db: Session, *, actor: Actor, session_id: str, body: HandoverIn) -> HandoverOut:
    """Keep the content-key envelopes a host's terminal made for the seated experts: each for an opened bid of
    the session, to exactly the encryption certificate its expert registered. All or nothing."""
    row, role = _load(db, actor, session_id)
    if role != "host":
        raise DomainError("handover.not_host", "only a host of the tender's opening hands the opened bids to the "
                          "committee", status=403)
    row = db.execute(select(EvalSession).where(EvalSession.id == session_id).with_for_update()
                     .execution_options(populate_existing=True)).scalar_one()
    if row.phase in NOT_SEATED_PHASES:
        raise DomainError("handover.not_seated", "the committee is not seated yet: the bids are handed over once "
                          "every member has checked in and declared and the check-in is closed", status=409)
    if row.phase == Phase.CLOSED.value:
        raise DomainError("handover.not_seated", "the session is closed", status=409)
    seated = {m.identity_key for m in _seated(db, session_id)}
    certs = _recipients(db, session_id)
    opened = {bid.submission_id: bid for bid, _sub in _opened_bids(db, row)}
    now = clock.now()
    kept: list[dict[str, str]] = []
    seen: set[tuple[str, str]] = set()
    checked: dict[str, x509.Certificate] = {}  # each recipient's certificate, checked again now (revoked since?)
    trust_list = current_trust_list(db)
    for item in body.keys:
        bid = opened.get(item.submission_id)
        if bid is None or bid.state != "opened":
            raise DomainError("handover.bid_not_opened", f"bid {item.submission_id[:64]!r} is not a bid of this "
                              "session that the opening opened and verified (revoked, withdrawn and failed bids "
                              "are never handed over)", status=409)
        if item.expert not in seated:
            raise DomainError("handover.recipient_invalid", f"{item.expert[:300]} is not a seated member of the "
                              "committee", status=422)
        registered = certs.get(item.expert)
        if registered is None:
            raise DomainError("handover.recipient_invalid", f"{item.expert[:300]} has not registered an encryption "
                              "certificate", status=422)
        if (item.submission_id, item.expert) in seen:
            raise DomainError("handover.envelope_invalid", "a bid is handed twice to the same expert in one request",
                              status=422)
        seen.add((item.submission_id, item.expert))
        data = _envelope(item.key_envelope)
        cert = checked.get(item.expert)
        if cert is None:
            cert = x509.load_pem_x509_certificate(registered.certificate)
            try:
                trust.validate(cert, trust_list, usage="encryption")
            except (CryptoError, TrustError) as ex:
                raise DomainError("handover.certificate_invalid", f"the encryption certificate {item.expert[:300]} "
                                  f"registered is no longer usable: {ex}; they register a new one", status=422) from ex
            checked[item.expert] = cert
        try:
            recipients = cms_envelope.describe(io.BytesIO(data)).recipients
        except CryptoError as ex:
            raise DomainError("handover.envelope_invalid", f"a key envelope is not a CMS envelope: {ex}",
                              status=422) from ex
        if len(recipients) != 1 or not recipients[0].matches(cert):
            raise DomainError("handover.recipient_invalid", f"the key envelope of bid {item.submission_id[:64]} for "
                              f"{item.expert[:300]} is not encrypted to that expert's registered certificate alone",
                              status=422)
        sha = hashlib.sha256(data).hexdigest()
        found = db.execute(select(EvalBidKey).where(EvalBidKey.session_id == session_id,
                                                    EvalBidKey.submission_id == item.submission_id,
                                                    EvalBidKey.identity_key == item.expert)).scalar_one_or_none()
        if found is None:
            db.add(EvalBidKey(session_id=session_id, submission_id=item.submission_id, identity_key=item.expert,
                              certificate_sha256=registered.certificate_sha256, envelope=data, envelope_sha256=sha,
                              handed_by=actor.identity_key, handed_at=now))
        else:
            found.certificate_sha256, found.envelope, found.envelope_sha256 = registered.certificate_sha256, data, sha
            found.handed_by, found.handed_at = actor.identity_key, now
        kept.append({"submission_id": item.submission_id, "expert": item.expert, "envelope_sha256": sha})
    db.flush()
    chain.append(db, actor=actor.ref, action="evaluation.handover", object_type=OBJECT_TYPE, object_id=session_id,
                 payload={"keys": kept})
    live.publish(db, evaluation.channel(session_id), "evaluation.bids_handed_over",
                 {"bids": len({k["submission_id"] for k in kept}), "experts": len({k["expert"] for k in kept})})
    return _out(db, row, role)


# --- the expert fetches -----------------------------------------------------------------------------------

def _own_key(db: Session, actor: Actor, session_id: str, submission_id: str) -> tuple[EvalSession, EvalBidKey]:
    row = db.get(EvalSession, session_id)
    if row is None or not actor.has(Role.EXPERT.value):
        raise _not_found(session_id)
    member = db.execute(select(EvalMember).where(EvalMember.session_id == session_id,
                                                 EvalMember.identity_key == actor.identity_key)).scalar_one_or_none()
    if member is None:
        raise _not_found(session_id)
    if member.status != MemberStatus.DECLARED.value or row.phase == Phase.CLOSED.value:
        raise _no_key(submission_id)  # recused, replaced, or the session is over: no more access
    key = db.execute(select(EvalBidKey).where(EvalBidKey.session_id == session_id,
                                              EvalBidKey.submission_id == submission_id,
                                              EvalBidKey.identity_key == actor.identity_key)).scalar_one_or_none()
    registered = _recipients(db, session_id).get(actor.identity_key)
    if key is None or registered is None or registered.certificate_sha256 != key.certificate_sha256:
        raise _no_key(submission_id)
    bid = db.get(OpeningBid, submission_id)
    if bid is None or bid.tender_id != row.tender_id or bid.state != "opened":
        raise _no_key(submission_id)
    return row, key


def key_envelope(db: Session, *, actor: Actor, session_id: str, submission_id: str) -> bytes:
    _row, key = _own_key(db, actor, session_id, submission_id)
    return bytes(key.envelope)


def sealed_bid(db: Session, *, actor: Actor, session_id: str, submission_id: str, store: BlobStore) -> Path:
    """The sealed bid, as submitted, for an expert holding its key envelope (audited as a download)."""
    _row, _key = _own_key(db, actor, session_id, submission_id)
    submission = db.get(Submission, submission_id)
    if submission is None:
        raise _no_key(submission_id)
    chain.append(db, actor=actor.ref, action="evaluation.bid_download", object_type="submission",
                 object_id=submission_id, payload={"session_id": session_id,
                                                   "envelope_sha256": submission.envelope_sha256})
    return store.path(submission.envelope_sha256)


