"""The opening session (开标): its states, who may act, and every rule (docs/opening.md).

States: scheduled → (bidders check in) → locked at the deadline (server clock) and counted: fewer than
three bids → no_opening (条例 Art. 44) → decrypting (the window; the host may extend it with a reason) →
announced (唱标; objections) → record_drafted → host_signed → signed → published.

Every change is an audited event (time, actor, address) and a live event on ``opening:<tender_id>``, in
the same transaction. A host's action names the ``step`` it saw: the session row is locked and the step
compared, so of two hosts acting at once exactly one succeeds.

What the server holds never opens a bid: a released content key arrives (and is kept) only as a CMS
envelope the bidder made for the hosts' encryption certificates, and it is accepted only inside the
decryption window, which cannot open before the opening time.
"""

from __future__ import annotations

import hashlib
import io
import json
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from sqlalchemy import select
from sqlalchemy.orm import Session

from bidclient.protocol import opening as proto
from crypto import cms_envelope, identity, trust
from crypto.errors import CryptoError, TrustError
from server import clock
from server.audit import chain
from server.auth.models import Role, RoleGrant
from server.auth.service import Actor, current_trust_list, verify_signed_by_trusted
from server.blobs import BlobStore
from server.live import service as live
from server.opening.models import (
    OpeningAcknowledgment,
    OpeningBid,
    OpeningCheckIn,
    OpeningObjection,
    OpeningPartial,
    OpeningSession,
)
from server.problems import DomainError
from server.settings import Settings
from server.submissions.models import Submission
from server.tenders import service as tenders
from server.tenders.models import Tender, TenderVersion

FINAL_BID_STATES = ("opened", "revoked", "withdrawn")


def channel(tender_id: str) -> str:
    return f"opening:{tender_id}"


# --- reading -------------------------------------------------------------------------------------------

def _session(db: Session, tender_id: str, *, for_update: bool = False) -> OpeningSession:
    stmt = select(OpeningSession).where(OpeningSession.tender_id == tender_id)
    if for_update:
        stmt = stmt.with_for_update().execution_options(populate_existing=True)
    row = db.execute(stmt).scalar_one_or_none()
    if row is None:
        raise DomainError("opening.not_found", f"tender {tender_id!r} has no opening session; the agency "
                          "schedules it", status=404)
    return row


def _version(db: Session, tender_id: str) -> TenderVersion:
    return tenders.current_version(db, tender_id=tender_id)


def _ids(text: str) -> list[str]:
    return [str(v) for v in json.loads(text)]


def role_in(db: Session, actor: Actor, session: OpeningSession) -> str | None:
    """host | supervisor | bidder (has a submission or checked in) | None."""
    if actor.identity_key in _ids(session.hosts) and actor.has(Role.OPENING_STAFF.value):
        return "host"
    if actor.identity_key in _ids(session.supervisors) and actor.has(Role.SUPERVISOR.value):
        return "supervisor"
    has_bid = db.execute(select(Submission.id).where(Submission.tender_id == session.tender_id,
                                                     Submission.identity_key == actor.identity_key)
                         .limit(1)).first() is not None
    return "bidder" if has_bid else None


def _participant(db: Session, actor: Actor, tender_id: str) -> tuple[OpeningSession, str]:
    session = _session(db, tender_id)
    role = role_in(db, actor, session)
    if role is None:
        # Not a participant: as if the opening did not exist (nothing reveals who bid).
        raise DomainError("opening.not_found", f"tender {tender_id!r} has no opening session you take part in",
                          status=404)
    return session, role


def live_reader(db: Session, actor: Actor, tender_id: str) -> bool:
    session = db.get(OpeningSession, tender_id)
    if session is None:
        raise DomainError("live.channel_not_found", f"tender {tender_id!r} has no opening session", status=404)
    return role_in(db, actor, session) is not None


live.register_reader("opening", live_reader)


def _remedy_allowed(version: TenderVersion) -> bool:
    return bool(_opening_options(version).get("remedy", False))


def _opening_options(version: TenderVersion) -> dict[str, Any]:
    """The tender's v3 ``opening`` object (docs/formats/tender.md), {} when it has none."""
    try:
        definition = json.loads(version.definition)
    except ValueError:
        return {}
    options = definition.get("opening") if isinstance(definition, dict) else None
    return options if isinstance(options, dict) else {}


def view(db: Session, *, actor: Actor, tender_id: str) -> proto.OpeningOut:
    session, _role = _participant(db, actor, tender_id)
    return opening_out(db, session)


def opening_out(db: Session, session: OpeningSession) -> proto.OpeningOut:
    version = _version(db, session.tender_id)
    now = clock.now()
    bids: list[proto.BidOut] = []
    if now >= version.opening_time or session.state not in ("scheduled", "locked"):
        rows = db.execute(select(OpeningBid, Submission).join(Submission, Submission.id == OpeningBid.submission_id)
                          .where(OpeningBid.tender_id == session.tender_id)
                          .order_by(OpeningBid.position)).all()
        bids = [_bid_out(bid, sub) for bid, sub in rows]
    check_ins = db.execute(select(OpeningCheckIn).where(OpeningCheckIn.tender_id == session.tender_id)
                           .order_by(OpeningCheckIn.id)).scalars().all()
    objections = db.execute(select(OpeningObjection).where(OpeningObjection.tender_id == session.tender_id)
                            .order_by(OpeningObjection.raised_at, OpeningObjection.id)).scalars().all()
    acks = db.execute(select(OpeningAcknowledgment).where(OpeningAcknowledgment.tender_id == session.tender_id)
                      .order_by(OpeningAcknowledgment.id)).scalars().all()
    return proto.OpeningOut(
        tender_id=session.tender_id, state=session.state, step=session.step, hosts=_ids(session.hosts),
        supervisors=_ids(session.supervisors), deadline=clock.isoformat(version.deadline),
        opening_time=clock.isoformat(version.opening_time), server_time=clock.isoformat(now),
        bid_count=session.bid_count, window_opens_at=_iso(session.window_opens_at),
        window_closes_at=_iso(session.window_closes_at),
        recipients=_pems(session.recipients),
        check_ins=[proto.CheckInOut(identity_key=c.identity_key, organization=c.organization,
                                    checked_in_at=clock.isoformat(c.checked_in_at),
                                    late=c.late) for c in check_ins],
        bids=bids,
        objections=[proto.ObjectionOut(id=o.id, identity_key=o.identity_key, organization=o.organization, text=o.text,
                                       raised_at=clock.isoformat(o.raised_at), answer=o.answer,
                                       answered_by=o.answered_by, answered_at=_iso(o.answered_at))
                    for o in objections],
        record_sha256=session.record_sha256, record_signers=_ids(session.record_signers),
        published_at=_iso(session.published_at),
        acknowledgments=[proto.AcknowledgmentOut(
            identity_key=a.identity_key, decision=a.decision,
            text=str(proto.parse_statement(a.statement, proto.ACKNOWLEDGMENT_FORMAT).get("text", "")),
            received_at=clock.isoformat(a.received_at)) for a in acks],
        remedy_allowed=_remedy_allowed(version))


def _shown(value: datetime | None) -> str:
    """A time as the record prints it: UTC to the second, named."""
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC") if value is not None else ""


def _iso(value: datetime | None) -> str | None:
    return clock.isoformat(value) if value is not None else None


def _pems(data: bytes | None) -> list[str]:
    if not data:
        return []
    return [c.public_bytes(serialization.Encoding.PEM).decode("ascii")
            for c in x509.load_pem_x509_certificates(data)]


def _outcome(bid: OpeningBid) -> str | None:
    return bid.state if bid.state in FINAL_BID_STATES else None


def _bid_out(bid: OpeningBid, sub: Submission) -> proto.BidOut:
    return proto.BidOut(
        submission_id=bid.submission_id, position=bid.position, identity_key=bid.identity_key,
        organization=bid.organization, envelope_sha256=sub.envelope_sha256, state=bid.state,
        attempts=bid.attempts, key_released_at=_iso(bid.key_released_at), failure_code=bid.failure_code,
        failure_detail=bid.failure_detail, fault=bid.fault, outcome=_outcome(bid),
        announced=proto.AnnouncedOut(**json.loads(bid.announced)) if bid.announced else None,
        remedied=bool(bid.remedied))


# --- changes -------------------------------------------------------------------------------------------

def _record(db: Session, actor: Actor, session: OpeningSession, action: str, payload: dict[str, Any],
            *, object_id: str | None = None, advance: bool = True) -> None:
    """Audit and announce one change, in the caller's transaction."""
    if advance:
        session.step += 1
    now = clock.now()
    chain.append(db, actor=actor.ref, action=f"opening.{action}", object_type="opening",
                 object_id=object_id or session.tender_id, payload={**payload, "state": session.state}, when=now)
    live.publish(db, channel(session.tender_id), f"opening.{action}",
                 {**payload, "state": session.state, "step": session.step, "actor": actor.identity_key})


def _require_host(db: Session, actor: Actor, session: OpeningSession) -> None:
    if role_in(db, actor, session) != "host":
        raise DomainError("opening.not_host", f"only the hosts of this opening ({', '.join(_ids(session.hosts))}) "
                          "may do this; a supervisor watches read-only", status=403)


def _require_step(session: OpeningSession, step: int, *states: str) -> None:
    if session.step != step:
        raise DomainError("opening.state_conflict",
                          f"the opening moved on (step {session.step}, state {session.state}) since you looked "
                          f"(step {step}); another host acted — reload and decide again", status=409,
                          state=session.state, step=session.step)
    if session.state not in states:
        raise DomainError("opening.wrong_state", f"the opening is {session.state}; this needs it to be "
                          f"{' or '.join(states)}", status=409, state=session.state)


def schedule(db: Session, *, actor: Actor, tender_id: str, body: proto.ScheduleIn) -> proto.OpeningOut:
    """The agency names the hosts (opening staff) and supervisors of its tender's opening."""
    tenders.require_owner(db, actor=actor, tender_id=tender_id)
    if db.get(OpeningSession, tender_id) is not None:
        raise DomainError("opening.already_scheduled", f"the opening of {tender_id} is already scheduled",
                          status=409)
    for key, role in [*((h, Role.OPENING_STAFF) for h in body.hosts),
                      *((s, Role.SUPERVISOR) for s in body.supervisors)]:
        granted = db.execute(select(RoleGrant).where(RoleGrant.identity_key == key,
                                                     RoleGrant.role == role.value)).first()
        if granted is None:
            raise DomainError("opening.role_missing", f"{key} does not hold the role {role.value}; an "
                              "administrator grants it first", status=422, identity=key, role=role.value)
    version = _version(db, tender_id)
    minutes = _opening_options(version).get("decryption_window_minutes", proto.DEFAULT_WINDOW_MINUTES)
    session = OpeningSession(tender_id=tender_id, state="scheduled", hosts=json.dumps(sorted(set(body.hosts))),
                             supervisors=json.dumps(sorted(set(body.supervisors))), scheduled_by=actor.identity_key,
                             scheduled_at=clock.now(), step=0, window_minutes=int(minutes), record_signers="[]")
    db.add(session)
    db.flush()
    _record(db, actor, session, "schedule", {"hosts": _ids(session.hosts), "supervisors": _ids(session.supervisors),
                                             "window_minutes": session.window_minutes})
    return opening_out(db, session)


def check_in(db: Session, *, actor: Actor, tender_id: str, body: proto.SignedIn,
             settings: Settings) -> proto.OpeningOut:
    """A bidder's signed check-in (签到). Late check-ins are accepted and marked late."""
    session, role = _participant(db, actor, tender_id)
    if role != "bidder":
        raise DomainError("opening.not_bidder", "only a bidder of this tender checks in", status=403)
    if session.state in ("no_opening", "published"):
        raise DomainError("opening.wrong_state", f"the opening is {session.state}: check-in has ended", status=409)
    content, signature = _decode(body.statement), _decode(body.signature)
    fields = _statement(content, proto.CHECK_IN_FORMAT)
    if fields.get("tender_id") != tender_id or fields.get("identity") != actor.identity_key:
        raise DomainError("opening.statement_invalid", "the check-in statement names another tender or bidder",
                          status=422)
    _verify_signer(db, actor=actor, content=content, signature=signature, settings=settings, what="check-in")
    existing = db.execute(select(OpeningCheckIn).where(
        OpeningCheckIn.tender_id == tender_id, OpeningCheckIn.identity_key == actor.identity_key)).scalar_one_or_none()
    if existing is not None:
        return opening_out(db, session)  # checked in already: the first check-in stands
    late = session.state != "scheduled"
    db.add(OpeningCheckIn(tender_id=tender_id, identity_key=actor.identity_key, organization=actor.organization,
                          statement=content, signature=signature, checked_in_at=clock.now(), late=late,
                          address=actor.address))
    db.flush()
    _record(db, actor, session, "check_in", {"bidder": actor.identity_key, "organization": actor.organization,
                                             "late": late}, advance=False)
    return opening_out(db, session)


def lock(db: Session, *, actor: Actor, tender_id: str, body: proto.StepIn) -> proto.OpeningOut:
    """At the deadline (server clock): count the active bids; fewer than three → no opening (Art. 44)."""
    session = _session(db, tender_id, for_update=True)
    _require_host(db, actor, session)
    _require_step(session, body.step, "scheduled")
    version = _version(db, tender_id)
    now = clock.now()
    if now < version.deadline:
        raise DomainError("opening.before_deadline", f"bids are accepted until {clock.isoformat(version.deadline)} "
                          f"(server time {clock.isoformat(now)}); the opening locks only then", status=409)
    subs = db.execute(select(Submission).where(Submission.tender_id == tender_id, Submission.status == "active")
                      .order_by(Submission.submitted_at, Submission.id)).scalars().all()
    from server.auth.models import Account

    for position, sub in enumerate(subs, start=1):
        account = db.get(Account, sub.account_id)
        db.add(OpeningBid(submission_id=sub.id, tender_id=tender_id, position=position,
                          identity_key=sub.identity_key, organization=account.organization if account else None,
                          state="awaiting_key", attempts=0))
    session.bid_count = len(subs)
    session.state = "no_opening" if len(subs) < proto.MIN_BIDS else "locked"
    db.flush()
    _record(db, actor, session, "lock", {"bid_count": len(subs), "minimum": proto.MIN_BIDS,
                                         "no_opening": session.state == "no_opening"})
    return opening_out(db, session)


def open_window(db: Session, *, actor: Actor, tender_id: str, body: proto.WindowIn,
                settings: Settings) -> proto.OpeningOut:
    """From the opening time: the decryption window opens; bidders encrypt their keys to ``recipients``."""
    session = _session(db, tender_id, for_update=True)
    _require_host(db, actor, session)
    _require_step(session, body.step, "locked")
    version = _version(db, tender_id)
    now = clock.now()
    if now < version.opening_time:
        raise DomainError("opening.before_opening_time",
                          f"the opening is at {clock.isoformat(version.opening_time)} (server time "
                          f"{clock.isoformat(now)}); nobody, administrators included, opens it earlier", status=403)
    certs = []
    trust_list = current_trust_list(db)
    hosts = _ids(session.hosts)
    for pem in body.recipients:
        try:
            cert = x509.load_pem_x509_certificate(pem.encode("ascii"))
            trust.validate(cert, trust_list, usage="encryption")
            holder = identity.identity_of(cert).key
        except (ValueError, CryptoError, TrustError) as ex:
            raise DomainError("opening.recipient_invalid", f"a recipient certificate is not usable: {ex}",
                              status=422) from ex
        if holder not in hosts:
            raise DomainError("opening.recipient_invalid", f"the recipient certificate belongs to {holder}, who is "
                              "not a host of this opening", status=422)
        certs.append(cert)
    session.recipients = b"".join(c.public_bytes(serialization.Encoding.PEM) for c in certs)
    session.window_opens_at = now
    session.window_closes_at = now + timedelta(minutes=session.window_minutes)
    session.state = "decrypting"
    _record(db, actor, session, "window_open", {"opens_at": clock.isoformat(now),
                                                "closes_at": clock.isoformat(session.window_closes_at)})
    return opening_out(db, session)


def extend_window(db: Session, *, actor: Actor, tender_id: str, body: proto.ExtendIn) -> proto.OpeningOut:
    session = _session(db, tender_id, for_update=True)
    _require_host(db, actor, session)
    _require_step(session, body.step, "decrypting")
    assert session.window_closes_at is not None
    base = max(session.window_closes_at, clock.now())
    session.window_closes_at = base + timedelta(minutes=body.minutes)
    _record(db, actor, session, "window_extend", {"minutes": body.minutes, "reason": body.reason,
                                                  "closes_at": clock.isoformat(session.window_closes_at)})
    return opening_out(db, session)


def _own_bid(db: Session, actor: Actor, tender_id: str, submission_id: str) -> tuple[OpeningBid, Submission]:
    bid = db.get(OpeningBid, submission_id)
    sub = db.get(Submission, submission_id)
    if bid is None or sub is None or bid.tender_id != tender_id:
        raise DomainError("opening.bid_not_found", f"bid {submission_id} is not one of the bids counted for "
                          f"{tender_id}", status=404)
    return bid, sub


def release_key(db: Session, *, actor: Actor, tender_id: str, submission_id: str, body: proto.KeyReleaseIn,
                arrived: datetime, settings: Settings) -> proto.BidOut:
    """The bidder's content key, encrypted to the hosts, with its signed release statement. Judged by the
    time it arrived (``arrived``), as the deadline is."""
    session = _session(db, tender_id, for_update=True)
    version = _version(db, tender_id)
    if arrived < version.opening_time or session.state in ("scheduled", "locked"):
        raise DomainError("opening.before_opening_time",
                          f"content keys are accepted only in the decryption window, which opens at the opening "
                          f"({clock.isoformat(version.opening_time)}) when the host opens it; server time "
                          f"{clock.isoformat(arrived)}. Nobody, administrators included, may send one earlier",
                          status=403)
    if session.state != "decrypting":
        raise DomainError("opening.window_closed", f"the decryption window is over (the opening is {session.state})",
                          status=409)
    assert session.window_closes_at is not None
    if arrived >= session.window_closes_at:
        raise DomainError("opening.window_closed", f"the decryption window closed at "
                          f"{clock.isoformat(session.window_closes_at)}; the key arrived at {clock.isoformat(arrived)}",
                          status=409)
    bid, sub = _own_bid(db, actor, tender_id, submission_id)
    if sub.identity_key != actor.identity_key:
        raise DomainError("opening.not_your_bid", "only the bidder who submitted a bid releases its key",
                          status=403)
    if bid.state in FINAL_BID_STATES:
        raise DomainError("opening.bid_final", f"bid {submission_id} is already {bid.state}; nothing more is needed",
                          status=409, state=bid.state)
    content, signature, key_envelope = _decode(body.statement), _decode(body.signature), _decode(body.key_envelope)
    fields = _statement(content, proto.KEY_RELEASE_FORMAT)
    expected = {"tender_id": tender_id, "submission_id": submission_id, "envelope_sha256": sub.envelope_sha256,
                "key_envelope_sha256": hashlib.sha256(key_envelope).hexdigest()}
    wrong = [k for k, v in expected.items() if fields.get(k) != v]
    if wrong:
        raise DomainError("opening.statement_invalid", f"the release statement does not match ({', '.join(wrong)})",
                          status=422)
    _verify_signer(db, actor=actor, content=content, signature=signature, settings=settings, what="key release")
    try:
        info = cms_envelope.describe(io.BytesIO(key_envelope))
    except CryptoError as ex:
        raise DomainError("opening.key_envelope_invalid", f"the released key is not a CMS envelope: {ex}",
                          status=422) from ex
    recipients = x509.load_pem_x509_certificates(session.recipients or b"")
    if not any(r.matches(c) for r in info.recipients for c in recipients):
        raise DomainError("opening.key_envelope_invalid", "the released key is not encrypted to this opening's "
                          "hosts; fetch the opening again and release once more", status=422)
    bid.key_envelope, bid.key_statement, bid.key_signature = key_envelope, content, signature
    bid.key_released_at = arrived
    bid.attempts += 1
    bid.state = "key_released"
    bid.failure_code = bid.failure_detail = bid.fault = None
    db.flush()
    _record(db, actor, session, "key_released", {"submission_id": submission_id, "attempt": bid.attempts,
                                                 "arrived": clock.isoformat(arrived)},
            object_id=submission_id, advance=False)
    return _bid_out(bid, sub)


def key_envelope(db: Session, *, actor: Actor, tender_id: str, submission_id: str) -> bytes:
    """The released key envelope, for the hosts' opening terminal (and supervisors, to re-check)."""
    session = _session(db, tender_id)
    if role_in(db, actor, session) not in ("host", "supervisor"):
        raise DomainError("opening.not_host", "only the hosts and supervisors fetch released keys", status=403)
    bid, _sub = _own_bid(db, actor, tender_id, submission_id)
    if bid.key_envelope is None:
        raise DomainError("opening.no_key", f"the bidder has not released the key of {submission_id}", status=404)
    return bid.key_envelope


def record_result(db: Session, *, actor: Actor, tender_id: str, submission_id: str, body: proto.BidResultIn,
                  settings: Settings, store: BlobStore) -> proto.BidOut:
    """The opening terminal's result for a released key. For "opened" the server re-checks what it can
    without the plaintext: the manifest signature (trusted), its signer is the submitter (same USCC), the
    tender and version are the ones bid on; the 唱标 items are taken from that signed manifest."""
    session = _session(db, tender_id, for_update=True)
    _require_host(db, actor, session)
    if session.state != "decrypting":
        raise DomainError("opening.wrong_state", f"the opening is {session.state}; results are recorded while "
                          "decrypting", status=409)
    bid, sub = _own_bid(db, actor, tender_id, submission_id)
    if bid.state not in ("key_released", "remedy"):
        raise DomainError("opening.no_key", f"bid {submission_id} is {bid.state}: there is no released key to "
                          "report on", status=409, state=bid.state)
    remedy = bid.state == "remedy"
    now = clock.now()
    if body.outcome == "opened":
        if body.manifest is None or body.manifest_signature is None:
            raise DomainError("request.invalid", "an opened bid needs its manifest and signature", status=422)
        manifest, signature = _decode(body.manifest), _decode(body.manifest_signature)
        failure = _check_manifest(db, manifest, signature, sub, settings)
        if failure is None:
            bid.state, bid.manifest, bid.manifest_signature = "opened", manifest, signature
            bid.announced = json.dumps(announce(json.loads(manifest), _opening_options(_version(db, tender_id))),
                                       ensure_ascii=False)
            bid.opened_at, bid.opened_by = now, actor.identity_key
            bid.remedied = remedy
            bid.failure_code = bid.failure_detail = bid.fault = None
        else:
            bid.state, (bid.failure_code, bid.failure_detail), bid.fault = "failed", failure, "bidder"
    else:
        code = body.failure_code or "opening.decryption_failed"
        detail = body.failure_detail or ""
        fault = "bidder"
        if code in ("opening.decryption_failed", "opening.stored_bid_damaged"):
            if not _stored_intact(store, sub):
                # The stored bid is not the one received (its receipt's SHA-256): the platform's fault,
                # whatever the key.
                code, detail, fault = "opening.stored_bid_damaged", (
                    "the stored sealed bid no longer matches the SHA-256 on its receipt"), "other"
            elif code == "opening.stored_bid_damaged":
                fault = "other"  # intact here, damaged on the way to the terminal: not the bidder's doing
        bid.state, bid.failure_code, bid.failure_detail, bid.fault = "failed", code, detail[:2000], fault
    db.flush()
    announced = json.loads(bid.announced) if bid.state == "opened" and bid.announced else None
    _record(db, actor, session, "bid_result", {"submission_id": submission_id, "state": bid.state,
                                               "failure_code": bid.failure_code, "announced": announced},
            object_id=submission_id, advance=False)
    return _bid_out(bid, sub)


def _stored_intact(store: BlobStore, sub: Submission) -> bool:
    path = store.path(sub.envelope_sha256)
    try:
        with open(path, "rb") as f:
            return hashlib.file_digest(f, "sha256").hexdigest() == sub.envelope_sha256
    except OSError:
        return False


def _check_manifest(db: Session, manifest: bytes, signature: bytes, sub: Submission,
                    settings: Settings) -> tuple[str, str] | None:
    try:
        info = verify_signed_by_trusted(db, content=manifest, signature=signature, settings=settings)
    except DomainError as ex:
        return "opening.manifest_signature_invalid", ex.detail
    signer = identity.identity_of(info.signer_certificate)
    if signer.key != sub.identity_key:
        return "opening.signer_mismatch", (f"the bid is signed by {signer.key}, but {sub.identity_key} submitted "
                                           "it")
    try:
        value = json.loads(manifest)
        tender = value["tender"]
        bidder = value["bidder"]
    except (ValueError, KeyError, TypeError):
        return "opening.manifest_invalid", "the manifest is not a sealed-bid manifest"
    fingerprint = info.signer_certificate.fingerprint(hashes.SHA256()).hex()
    if bidder.get("signing_certificate_sha256") != fingerprint:
        return "opening.signer_mismatch", "the manifest names another signing certificate than the one that signed it"
    if tender.get("id") != sub.tender_id or tender.get("version") != sub.tender_version:
        return "opening.tender_mismatch", (f"the bid answers {tender.get('id')} version {tender.get('version')}, "
                                           f"but was submitted for {sub.tender_id} version {sub.tender_version}")
    return None


def announce(manifest: dict[str, Any], options: dict[str, Any]) -> dict[str, Any]:
    """The 唱标 items from a bid's 开标一览表 (forms.price_schedule.values): price in figures and in words
    (a mismatch is flagged and the words prevail, 87号令 Art. 59), duration, quality, and the other fields
    the tender's ``opening.announce`` names."""
    from forms import amounts

    forms = _dict(manifest.get("forms"))
    schedule = _dict(forms.get("price_schedule"))
    values = _dict(schedule.get("values")) or schedule

    def get(name: str) -> str | None:
        value = values.get(name)
        if isinstance(value, bool) or not isinstance(value, str | int):
            return None  # a form value is text (money as a decimal string); anything else is not announced
        return str(value)[:500] or None

    figures, words = get("total"), get("total_words")
    mismatch = False
    price = figures
    if figures is not None and words is not None:
        try:
            mismatch = not amounts.amounts_agree(figures, words)
            if mismatch:
                price = amounts.format_figures(amounts.parse_capital(words))
        except Exception:  # hostile text: any failure to read the words is a mismatch
            mismatch = True
            price = None
    elif figures is None and words is not None:
        try:
            price = amounts.format_figures(amounts.parse_capital(words))
        except Exception:
            price = None
    if price is not None:
        try:
            price = str(Decimal(price.replace(",", "")))
        except InvalidOperation:
            price, mismatch = None, True  # figures that are not a number: flagged, no price made up
    bidder = _dict(manifest.get("bidder"))
    listed = options.get("announce")
    others: list[Any] = listed if isinstance(listed, list) else []
    return {"bidder": str(bidder.get("name") or "")[:256], "uscc": bidder.get("uscc"),
            "price_figures": figures, "price_words": words, "price_mismatch": mismatch, "price": price,
            "duration": get("duration_days"), "quality": get("quality"),
            "other": {str(n): v for n in others[:20] if isinstance(n, str) and (v := get(n)) is not None}}


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def announce_all(db: Session, *, actor: Actor, tender_id: str, body: proto.StepIn) -> proto.OpeningOut:
    """唱标: once the window closed (or every bid is decided). Every bid not opened gets its Art. 31 outcome:
    the bidder's fault → 撤销 (revoked), anyone else's → 撤回 (withdrawn)."""
    session = _session(db, tender_id, for_update=True)
    _require_host(db, actor, session)
    _require_step(session, body.step, "decrypting")
    bids = db.execute(select(OpeningBid).where(OpeningBid.tender_id == tender_id)
                      .order_by(OpeningBid.position)).scalars().all()
    pending = [b.submission_id for b in bids if b.state in ("key_released", "remedy")]
    if pending:
        raise DomainError("opening.results_pending", f"released keys of {len(pending)} bid(s) are not opened yet: "
                          f"{', '.join(pending)}", status=409, pending=pending)
    assert session.window_closes_at is not None
    undecided = [b for b in bids if b.state in ("awaiting_key", "failed")]
    if undecided and clock.now() < session.window_closes_at:
        raise DomainError("opening.window_open", f"the decryption window is open until "
                          f"{clock.isoformat(session.window_closes_at)} and {len(undecided)} bid(s) may still be "
                          "decrypted", status=409)
    for bid in undecided:
        if bid.state == "awaiting_key":
            bid.failure_code, bid.failure_detail = "opening.no_key", "the bidder released no key inside the window"
            bid.fault = "bidder"
        bid.state = "withdrawn" if bid.fault == "other" else "revoked"
    session.state = "announced"
    db.flush()
    table = [{"position": b.position, "bidder": b.organization or b.identity_key, "state": b.state,
              "failure_code": b.failure_code, "announced": json.loads(b.announced) if b.announced else None}
             for b in bids]
    _record(db, actor, session, "announce", {"bids": table})
    return opening_out(db, session)


def raise_objection(db: Session, *, actor: Actor, tender_id: str, body: proto.ObjectionIn) -> proto.ObjectionOut:
    session, role = _participant(db, actor, tender_id)
    if role != "bidder":
        raise DomainError("opening.not_bidder", "objections at the opening are raised by bidders", status=403)
    if session.state not in ("decrypting", "announced"):
        raise DomainError("opening.wrong_state", f"objections are raised during the opening; it is {session.state}",
                          status=409)
    row = OpeningObjection(id=str(uuid.uuid4()), tender_id=tender_id, identity_key=actor.identity_key,
                           organization=actor.organization, text=body.text, raised_at=clock.now())
    db.add(row)
    db.flush()
    _record(db, actor, session, "objection", {"objection_id": row.id, "bidder": actor.identity_key, "text": body.text},
            object_id=row.id, advance=False)
    return _objection_out(row)


def answer_objection(db: Session, *, actor: Actor, tender_id: str, objection_id: str,
                     body: proto.AnswerIn) -> proto.ObjectionOut:
    session = _session(db, tender_id, for_update=True)
    _require_host(db, actor, session)
    row = db.get(OpeningObjection, objection_id)
    if row is None or row.tender_id != tender_id:
        raise DomainError("opening.objection_not_found", f"no objection {objection_id} in this opening", status=404)
    if row.answer is not None:
        raise DomainError("opening.objection_answered", "this objection is answered already", status=409)
    if session.state not in ("decrypting", "announced"):
        raise DomainError("opening.wrong_state", f"the opening is {session.state}", status=409)
    row.answer, row.answered_by, row.answered_at = body.answer, actor.identity_key, clock.now()
    db.flush()
    _record(db, actor, session, "answer", {"objection_id": row.id, "answer": body.answer}, object_id=row.id,
            advance=False)
    return _objection_out(row)


def _objection_out(row: OpeningObjection) -> proto.ObjectionOut:
    return proto.ObjectionOut(id=row.id, identity_key=row.identity_key, organization=row.organization, text=row.text,
                              raised_at=clock.isoformat(row.raised_at), answer=row.answer, answered_by=row.answered_by,
                              answered_at=_iso(row.answered_at))


# --- the record ----------------------------------------------------------------------------------------

def draft_record(db: Session, *, actor: Actor, tender_id: str, body: proto.StepIn) -> proto.OpeningOut:
    """Render the opening record (开标记录表) from the stored facts; every objection must be answered."""
    from forms.opening_record import RecordBid, RecordObjection, RecordSheet, render_record

    session = _session(db, tender_id, for_update=True)
    _require_host(db, actor, session)
    _require_step(session, body.step, "announced")
    objections = db.execute(select(OpeningObjection).where(OpeningObjection.tender_id == tender_id)
                            .order_by(OpeningObjection.raised_at)).scalars().all()
    unanswered = [o.id for o in objections if o.answer is None]
    if unanswered:
        raise DomainError("opening.objections_open", f"{len(unanswered)} objection(s) are not answered yet",
                          status=409, objections=unanswered)
    version = _version(db, tender_id)
    tender = db.get(Tender, tender_id)
    bids = db.execute(select(OpeningBid).where(OpeningBid.tender_id == tender_id)
                      .order_by(OpeningBid.position)).scalars().all()
    labels = {"opened": "开标 opened", "revoked": "撤销 revoked", "withdrawn": "撤回 withdrawn"}
    rows = []
    for b in bids:
        a = json.loads(b.announced) if b.announced else {}
        outcome = labels.get(b.state, b.state)
        if b.failure_code:
            outcome += f"\n{b.failure_code}"
        if b.state == "opened" and b.remedied:  # evidence: its bidder's key did not open it, the committee did
            outcome += "\n委员会补救\nremedied"
        rows.append(RecordBid(position=b.position, bidder=a.get("bidder") or b.organization or b.identity_key,
                              uscc=b.identity_key, outcome=outcome, price=a.get("price") or "",
                              price_words=a.get("price_words") or "", mismatch=bool(a.get("price_mismatch")),
                              duration=a.get("duration") or "", quality=a.get("quality") or "",
                              other=tuple((a.get("other") or {}).items())))
    check_ins = db.execute(select(OpeningCheckIn).where(OpeningCheckIn.tender_id == tender_id)
                           .order_by(OpeningCheckIn.id)).scalars().all()
    sheet = RecordSheet(
        tender_id=tender_id, tender_title=tender.title if tender else "",
        opening_time=_shown(version.opening_time), bid_count=session.bid_count or 0,
        window=f"{_shown(session.window_opens_at)} – {_shown(session.window_closes_at)}",
        hosts=_ids(session.hosts), supervisors=_ids(session.supervisors), bids=rows,
        objections=[RecordObjection(o.organization or o.identity_key, o.text, _shown(o.raised_at),
                                    o.answer or "", _shown(o.answered_at)) for o in objections],
        check_ins=[c.organization or c.identity_key for c in check_ins])
    pdf = render_record(sheet)
    session.record_pdf, session.record_sha256, session.record_signers = pdf, hashlib.sha256(pdf).hexdigest(), "[]"
    session.state = "record_drafted"
    _record(db, actor, session, "record_draft", {"record_sha256": session.record_sha256})
    return opening_out(db, session)


def record_pdf(db: Session, *, actor: Actor, tender_id: str) -> bytes:
    session, role = _participant(db, actor, tender_id)
    if session.record_pdf is None:
        raise DomainError("opening.no_record", "the record is not drafted yet", status=404)
    if role == "bidder" and session.state != "published":
        raise DomainError("opening.no_record", "the record is shown to bidders once it is published", status=404)
    return session.record_pdf


@dataclass(frozen=True)
class CheckedRecord:
    pdf: bytes
    signer: str


def sign_record(db: Session, *, actor: Actor, tender_id: str, pdf: bytes, step: int) -> proto.OpeningOut:
    """The host's, then the supervisor's, signed record: the stored record with one more valid PAdES
    signature appended (an incremental update), by the caller."""
    import tempfile
    from pathlib import Path

    from forms.pdf_sign import verify_pdf

    session = _session(db, tender_id, for_update=True)
    role = role_in(db, actor, session)
    expected = {"record_drafted": "host", "host_signed": "supervisor"}.get(session.state)
    _require_step(session, step, "record_drafted", "host_signed")
    if role != expected:
        raise DomainError("opening.not_your_turn", f"the record is {session.state}: the {expected} signs next",
                          status=403)
    assert session.record_pdf is not None
    if not pdf.startswith(session.record_pdf) or len(pdf) == len(session.record_pdf):
        raise DomainError("opening.record_invalid", "the signed record must be the stored record with your signature "
                          "appended (an incremental update); download it again and sign that", status=422)
    trust_list = current_trust_list(db)
    roots = [*trust_list.roots, *trust_list.intermediates]  # the administrators' trust list decides
    with tempfile.TemporaryDirectory(prefix="opening-record-") as scratch:
        path = Path(scratch) / "record.pdf"
        path.write_bytes(pdf)
        verification = verify_pdf(path, roots)
    reports = verification.signatures
    signers = _ids(session.record_signers)
    if not verification.ok or len(reports) != len(signers) + 1:
        problem = next((r.problem for r in reports if not r.ok), "") or "it does not carry exactly one new signature"
        raise DomainError("opening.record_invalid", f"the signed record is not valid: {problem}", status=422)
    last = reports[-1].signer_certificate
    assert last is not None
    if identity.identity_of(last).key != actor.identity_key:
        raise DomainError("opening.record_invalid", "the new signature is not by you", status=422)
    session.record_pdf, session.record_sha256 = pdf, hashlib.sha256(pdf).hexdigest()
    session.record_signers = json.dumps([*signers, actor.identity_key])
    session.state = "host_signed" if expected == "host" else "signed"
    _record(db, actor, session, "record_sign", {"record_sha256": session.record_sha256, "signer": actor.identity_key,
                                                "as": expected})
    return opening_out(db, session)


def publish_record(db: Session, *, actor: Actor, tender_id: str, body: proto.StepIn) -> proto.OpeningOut:
    session = _session(db, tender_id, for_update=True)
    _require_host(db, actor, session)
    _require_step(session, body.step, "signed")
    session.state = "published"
    session.published_at = clock.now()
    _record(db, actor, session, "publish", {"record_sha256": session.record_sha256})
    return opening_out(db, session)


def acknowledge(db: Session, *, actor: Actor, tender_id: str, body: proto.SignedIn,
                settings: Settings) -> proto.OpeningOut:
    """A bidder confirms the published record, or objects to it, with a signed statement."""
    session, role = _participant(db, actor, tender_id)
    if role != "bidder":
        raise DomainError("opening.not_bidder", "bidders confirm the record", status=403)
    if session.state != "published":
        raise DomainError("opening.wrong_state", "the record is not published yet", status=409)
    content, signature = _decode(body.statement), _decode(body.signature)
    fields = _statement(content, proto.ACKNOWLEDGMENT_FORMAT)
    if fields.get("tender_id") != tender_id or fields.get("record_sha256") != session.record_sha256 \
            or fields.get("decision") not in ("confirm", "object") or not isinstance(fields.get("text", ""), str):
        raise DomainError("opening.statement_invalid", "the acknowledgment names another tender or record, or no "
                          "decision (confirm | object)", status=422)
    _verify_signer(db, actor=actor, content=content, signature=signature, settings=settings, what="acknowledgment")
    if db.execute(select(OpeningAcknowledgment).where(
            OpeningAcknowledgment.tender_id == tender_id,
            OpeningAcknowledgment.identity_key == actor.identity_key)).first():
        raise DomainError("opening.already_acknowledged", "you answered this record already", status=409)
    db.add(OpeningAcknowledgment(tender_id=tender_id, identity_key=actor.identity_key, decision=fields["decision"],
                                 statement=content, signature=signature, received_at=clock.now()))
    db.flush()
    _record(db, actor, session, "acknowledge", {"bidder": actor.identity_key, "decision": fields["decision"]},
            advance=False)
    return opening_out(db, session)


# --- helpers -------------------------------------------------------------------------------------------

def _decode(text: str) -> bytes:
    try:
        return proto.b64decode(text)
    except ValueError as ex:
        raise DomainError("request.invalid", "a field that must be base64 is not", status=422) from ex


def _statement(content: bytes, kind: str) -> dict[str, Any]:
    try:
        return proto.parse_statement(content, kind)
    except ValueError as ex:
        raise DomainError("opening.statement_invalid", str(ex), status=422) from ex


def _verify_signer(db: Session, *, actor: Actor, content: bytes, signature: bytes, settings: Settings,
                   what: str) -> None:
    try:
        info = verify_signed_by_trusted(db, content=content, signature=signature, settings=settings)
    except DomainError as ex:
        raise DomainError("opening.statement_invalid", f"the {what} statement's signature is not valid: {ex.detail}",
                          status=422) from ex
    signer = identity.identity_of(info.signer_certificate)
    if signer.key != actor.identity_key:
        raise DomainError("opening.statement_signer_mismatch", f"the {what} statement is signed by {signer.key}, but "
                          f"you are logged in as {actor.identity_key}", status=403)


# --- the committee remedy (补救方案) -------------------------------------------------------------------

def start_remedy(db: Session, *, actor: Actor, tender_id: str, submission_id: str, settings: Settings,
                 store: BlobStore) -> proto.RemedyOut:
    """Open a bid its bidder could not decrypt with the committee's partial results, where the tender allows
    it: once the bid failed, or once the window closed without its key."""
    from server.committee import service as committees

    session = _session(db, tender_id, for_update=True)
    _require_host(db, actor, session)
    if session.state != "decrypting":
        raise DomainError("opening.wrong_state", f"the remedy runs while decrypting; the opening is {session.state}",
                          status=409)
    version = _version(db, tender_id)
    if not _remedy_allowed(version):
        raise DomainError("opening.remedy_not_allowed", "this tender allows no committee remedy (its opening object "
                          "does not say remedy: true)", status=409)
    bid, sub = _own_bid(db, actor, tender_id, submission_id)
    assert session.window_closes_at is not None
    window_over = clock.now() >= session.window_closes_at
    if bid.state in FINAL_BID_STATES or bid.state == "key_released" or (bid.state == "awaiting_key"
                                                                         and not window_over):
        raise DomainError("opening.remedy_not_needed", f"bid {submission_id} is {bid.state}: the remedy is for a "
                          "bid whose bidder could not decrypt it (failed, or no key when the window closed)",
                          status=409, state=bid.state)
    if bid.state == "remedy":
        return remedy_out(db, bid, sub)
    committee = committees.committee_for_tender(db, tender_id)
    try:
        with open(store.path(sub.envelope_sha256), "rb") as f:
            keys = cms_envelope.key_agreement_keys(f, committee.certificate)
    except (OSError, CryptoError) as ex:
        raise DomainError("opening.stored_bid_damaged", f"the stored bid cannot be read: {ex}", status=409) from ex
    if not keys:
        raise DomainError("opening.not_sealed_to_committee", f"bid {submission_id} was not sealed to the committee "
                          f"{committee.committee_id}: the committee cannot open it", status=409)
    bid.state, bid.remedy_committee = "remedy", committee.committee_id
    bid.remedy_ephemeral = json.dumps([k.hex() for k in keys])
    db.flush()
    _record(db, actor, session, "remedy_start", {"submission_id": submission_id, "committee": committee.committee_id,
                                                 "threshold": committee.threshold}, object_id=submission_id,
            advance=False)
    return remedy_out(db, bid, sub)


def remedy_out(db: Session, bid: OpeningBid, sub: Submission) -> proto.RemedyOut:
    from crypto import threshold as th
    from server.committee import service as committees

    if bid.remedy_committee is None or bid.remedy_ephemeral is None:
        raise DomainError("opening.no_remedy", f"no remedy was started for bid {bid.submission_id}", status=404)
    committee = committees.info(db, committees.get(db, committee_id=bid.remedy_committee))
    rows = db.execute(select(OpeningPartial).where(OpeningPartial.submission_id == bid.submission_id)
                      .order_by(OpeningPartial.member)).scalars().all()
    return proto.RemedyOut(
        submission_id=bid.submission_id, committee_id=committee.committee_id, threshold=committee.threshold,
        context=th.opening_context(sub.tender_id, sub.envelope_sha256),
        ephemeral=json.loads(bid.remedy_ephemeral),
        certificate=committee.certificate.public_bytes(serialization.Encoding.PEM).decode("ascii"),
        partials=[proto.PartialOut(member=r.member, identity_key=r.identity_key, partial=proto.b64(r.partial),
                                   signature=proto.b64(r.signature), received_at=clock.isoformat(r.received_at))
                  for r in rows],
        position=bid.position, state=bid.state)


def list_remedies(db: Session, *, actor: Actor, tender_id: str) -> list[proto.RemedyOut]:
    """The bids of the tender for which a remedy was started, in count order: every one for the hosts and
    supervisors, those of the caller's committees for a committee member, none for anyone else."""
    session = _session(db, tender_id)
    sees_all = role_in(db, actor, session) in ("host", "supervisor")
    bids = db.execute(select(OpeningBid).where(OpeningBid.tender_id == tender_id,
                                               OpeningBid.remedy_committee.is_not(None))
                      .order_by(OpeningBid.position)).scalars().all()
    member_of: dict[str, bool] = {}
    out = []
    for bid in bids:
        committee_id = str(bid.remedy_committee)
        if committee_id not in member_of:
            member_of[committee_id] = sees_all or _member_number(db, actor, committee_id) is not None
        if member_of[committee_id]:
            sub = db.get(Submission, bid.submission_id)
            if sub is not None:
                out.append(remedy_out(db, bid, sub))
    return out


def _member_number(db: Session, actor: Actor, committee_id: str) -> int | None:
    from server.committee import service as committees

    committee = committees.info(db, committees.get(db, committee_id=committee_id))
    return next((m.number for m in committee.members if m.identity_key == actor.identity_key), None)


def get_remedy(db: Session, *, actor: Actor, tender_id: str, submission_id: str) -> proto.RemedyOut:
    """The remedy of one bid: for the hosts and supervisors, and for the committee's members."""
    session = _session(db, tender_id)
    bid, sub = _own_bid(db, actor, tender_id, submission_id)
    role = role_in(db, actor, session)
    if role not in ("host", "supervisor") and (bid.remedy_committee is None
                                               or _member_number(db, actor, bid.remedy_committee) is None):
        raise DomainError("opening.not_member", "only the hosts, the supervisors and the committee's members see "
                          "a remedy", status=403)
    return remedy_out(db, bid, sub)


def _record_refused_partial(db: Session, actor: Actor, tender_id: str, submission_id: str, member: int,
                            reason: str) -> None:
    """A wrong or forged partial result is evidence against the member who sent it: it is audited and announced
    in a transaction of its own, committed before the refusal is answered, so that the refusal (which rolls the
    request's transaction back) does not erase it. Nothing of the partial is kept but who sent it and why it
    failed."""
    db.rollback()
    session = _session(db, tender_id, for_update=True)
    _record(db, actor, session, "partial_refused", {"submission_id": submission_id, "member": member,
                                                    "reason": reason[:500]},
            object_id=submission_id, advance=False)
    db.commit()


def post_partial(db: Session, *, actor: Actor, tender_id: str, submission_id: str, body: proto.SignedIn,
                 settings: Settings, arrived: datetime) -> proto.RemedyOut:
    """A member's partial result for a bid in the remedy: refused before the opening time for everyone; only
    from a member of the committee, signed by that member, with a proof that verifies against its committed
    key share (a wrong or forged partial is refused, naming its member)."""
    from crypto import threshold as th
    from crypto.errors import CommitteeError
    from server.committee import service as committees

    session = _session(db, tender_id, for_update=True)
    version = _version(db, tender_id)
    if arrived < version.opening_time:
        raise DomainError("opening.before_opening_time",
                          f"partial results are accepted only from the opening "
                          f"({clock.isoformat(version.opening_time)}); server time {clock.isoformat(arrived)}. "
                          "Nobody, administrators included, may send one earlier", status=403)
    bid, sub = _own_bid(db, actor, tender_id, submission_id)
    if bid.state != "remedy" or bid.remedy_committee is None or bid.remedy_ephemeral is None:
        raise DomainError("opening.no_remedy", f"bid {submission_id} is {bid.state}: the host has not started the "
                          "committee remedy for it", status=409, state=bid.state)
    committee = committees.info(db, committees.get(db, committee_id=bid.remedy_committee))
    number = next((m.number for m in committee.members if m.identity_key == actor.identity_key), None)
    if number is None:
        raise DomainError("opening.not_member", f"you ({actor.identity_key}) are not a member of committee "
                          f"{committee.committee_id}; only its members contribute partial results", status=403)
    content, signature = _decode(body.statement), _decode(body.signature)
    _verify_signer(db, actor=actor, content=content, signature=signature, settings=settings, what="partial result")
    context = th.opening_context(sub.tender_id, sub.envelope_sha256)
    ephemeral = [bytes.fromhex(k) for k in json.loads(bid.remedy_ephemeral)]
    try:
        partial = th.Partial.from_bytes(content)
        if partial.member != number:
            raise th.BadPartial(f"member {number} sent a partial result naming member {partial.member}",
                                member=number)
        if partial.ephemeral not in ephemeral:
            raise th.BadPartial(f"member {number}'s partial result was made for another bid", member=number)
        partial.verify(committee.key, context, partial.ephemeral)
    except CommitteeError as ex:
        _record_refused_partial(db, actor, tender_id, submission_id, number, str(ex))
        raise DomainError("opening.partial_invalid", f"the partial result of member {number} ({actor.identity_key}) "
                          f"is refused: {ex}", status=422, member=number, identity=actor.identity_key) from ex
    existing = db.execute(select(OpeningPartial).where(
        OpeningPartial.submission_id == submission_id, OpeningPartial.member == number,
        OpeningPartial.ephemeral == partial.ephemeral.hex())).scalar_one_or_none()
    if existing is None:
        db.add(OpeningPartial(submission_id=submission_id, member=number, ephemeral=partial.ephemeral.hex(),
                              identity_key=actor.identity_key, partial=content, signature=signature,
                              received_at=arrived))
        db.flush()
        count = len(db.execute(select(OpeningPartial.member).where(OpeningPartial.submission_id == submission_id)
                               .distinct()).all())
        _record(db, actor, session, "partial", {"submission_id": submission_id, "member": number,
                                                "partials": count, "threshold": committee.threshold},
                object_id=submission_id, advance=False)
    return remedy_out(db, bid, sub)
