"""The committee key ceremony through the server (docs/opening.md "The committee key", docs/api.md).

The agency that owns a tender names an opening committee (n members by their signing and encryption
certificates, a threshold k); every member deals (its signed commitments message, n shares sealed to the
members' encryption certificates and n dealer's copies sealed to itself), fetches the shares addressed to
it, checks them in its own client and posts a signed acknowledgment — or a signed complaint naming a
sender, which that sender answers with a signed public disclosure. When all n members have acknowledged
the same Y and X_1..X_n, the committee is complete and the server issues the committee certificate.

The server relays and checks what it can check without a secret (signatures, the commitments' proofs,
who sends what to whom, each acknowledgment against the commitments); it never sees a share in the clear
and stores no key share: a member's x_j exists only in its client's memory, recomputed from the envelopes
addressed to it whenever it is needed (the acknowledgment, a partial decryption at the opening).

Services take keyword arguments, flush but never commit, and raise DomainError, never HTTP errors.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from sqlalchemy import select
from sqlalchemy.orm import Session

from bidclient.protocol.committee import ComplaintMalformed, MemberIn, parse_complaint
from bidclient.protocol.submission import unb64
from bidclient.protocol.tender import TenderCommittee
from crypto import identity, trust
from crypto import threshold as th
from crypto.errors import CommitteeError, CommitteeParametersInvalid, CryptoError, TrustError
from server import clock
from server.audit import chain
from server.auth.models import Role
from server.auth.service import Actor, check_signed_by_trusted, current_trust_list
from server.committee.models import Committee, CommitteeMember, CommitteeMessage, CommitteeShare
from server.live import service as live
from server.problems import DomainError
from server.settings import Settings

CERTIFICATE_VALIDITY = timedelta(days=3 * 365)
MEMBER_ROLES = (Role.OPENING_STAFF.value, Role.SUPERVISOR.value, Role.AGENCY.value)
READER_ROLES = (Role.OPENING_STAFF.value, Role.SUPERVISOR.value)
OPEN = ("dealing", "checking", "disputed")


# --- reading ---------------------------------------------------------------------------------------


def get(db: Session, *, committee_id: str, lock: bool = False) -> Committee:
    stmt = select(Committee).where(Committee.id == committee_id)
    if lock:
        stmt = stmt.with_for_update().execution_options(populate_existing=True)
    row = db.execute(stmt).scalar_one_or_none()
    if row is None:
        raise DomainError("committee.not_found", f"there is no committee {committee_id!r}", status=404)
    return row


def members(db: Session, committee: Committee) -> list[CommitteeMember]:
    return list(db.execute(select(CommitteeMember).where(CommitteeMember.committee_id == committee.id)
                           .order_by(CommitteeMember.number)).scalars())


def messages(db: Session, committee: Committee, kind: str | None = None) -> list[CommitteeMessage]:
    stmt = select(CommitteeMessage).where(CommitteeMessage.committee_id == committee.id)
    if kind is not None:
        stmt = stmt.where(CommitteeMessage.kind == kind)
    return list(db.execute(stmt.order_by(CommitteeMessage.sender, CommitteeMessage.receiver)).scalars())


def may_read(db: Session, actor: Actor, committee: Committee) -> bool:
    """The owning agency, the members, and the tender's opening staff and supervisors."""
    if committee.agency_account_id == actor.account_id or actor.has(*READER_ROLES):
        return True
    return _member_row(db, committee, actor.identity_key) is not None


def list_mine(db: Session, *, actor: Actor) -> list[Committee]:
    """The committees naming the caller as a member, newest first (an account sees only its own)."""
    return list(db.execute(select(Committee).join(CommitteeMember, CommitteeMember.committee_id == Committee.id)
                           .where(CommitteeMember.identity_key == actor.identity_key)
                           .order_by(Committee.created_at.desc(), Committee.id)).scalars())


def get_for_reader(db: Session, *, actor: Actor, committee_id: str) -> Committee:
    """The committee if ``actor`` may read it; else ``committee.not_found`` (404: nothing reveals it exists)."""
    committee = get(db, committee_id=committee_id)
    if not may_read(db, actor, committee):
        raise DomainError("committee.not_found", f"there is no committee {committee_id!r}", status=404)
    return committee


def ceremony_of(committee: Committee) -> th.Ceremony:
    return th.Ceremony(committee.id, committee.threshold, committee.members)


def committee_key(db: Session, committee: Committee) -> th.CommitteeKey | None:
    """Y and every X_j from the stored commitments, once every member has dealt (else None)."""
    rows = messages(db, committee, "commitments")
    if len(rows) != committee.members:
        return None
    return th.CommitteeKey.from_commitments(ceremony_of(committee),
                                                   [th.Commitments.from_bytes(r.body) for r in rows])


@dataclass(frozen=True)
class MemberInfo:
    number: int
    identity_key: str
    name: str
    signing_certificate: x509.Certificate
    encryption_certificate: x509.Certificate
    verification_key: bytes  # X_j, 65-byte uncompressed SEC 1


@dataclass(frozen=True)
class CommitteeInfo:
    """A complete committee, as the opening needs it (``committee_for_tender``)."""

    committee_id: str
    tender_id: str
    threshold: int
    members: tuple[MemberInfo, ...]
    public_key: bytes  # Y, 65-byte uncompressed SEC 1
    certificate: x509.Certificate  # the committee certificate bids are sealed to
    key: th.CommitteeKey  # for Partial.verify / combine_partials

    def member(self, number: int) -> MemberInfo:
        return self.members[number - 1]


def info(db: Session, committee: Committee) -> CommitteeInfo:
    """The public facts of a complete committee; ``committee.not_complete`` (409) otherwise."""
    key = committee_key(db, committee)
    if committee.status != "complete" or key is None or committee.certificate_der is None:
        raise DomainError("committee.not_complete", f"committee {committee.id} is {committee.status}, not "
                          "complete: every member must deal and acknowledge first", status=409)
    return CommitteeInfo(
        committee_id=committee.id, tender_id=committee.tender_id, threshold=committee.threshold,
        members=tuple(MemberInfo(m.number, m.identity_key, m.name,
                                 x509.load_der_x509_certificate(m.signing_cert_der),
                                 x509.load_der_x509_certificate(m.encryption_cert_der),
                                 key.verification_key(m.number)) for m in members(db, committee)),
        public_key=key.public_point, certificate=x509.load_der_x509_certificate(committee.certificate_der),
        key=key)


def committee_for_tender(db: Session, tender_id: str) -> CommitteeInfo:
    """The complete committee of a tender: the one its current version names (format v3 ``committee.id``),
    else the most recently completed one. DomainError ``committee.not_found`` (404) when there is none.

    For the opening: ``.threshold`` (k), ``.members`` (number, identity, certificates, X_j), ``.certificate``
    (what bids were sealed to) and ``.key`` (to verify and combine partial results)."""
    named = _named_by_tender(db, tender_id)
    if named is not None:
        return info(db, get(db, committee_id=named))
    row = db.execute(select(Committee).where(Committee.tender_id == tender_id, Committee.status == "complete")
                     .order_by(Committee.completed_at.desc())).scalars().first()
    if row is None:
        raise DomainError("committee.not_found", f"tender {tender_id!r} has no complete opening committee",
                          status=404)
    return info(db, row)


def _named_by_tender(db: Session, tender_id: str) -> str | None:
    from server.tenders.models import Tender, TenderVersion

    tender = db.get(Tender, tender_id)
    if tender is None:
        return None
    row = db.execute(select(TenderVersion).where(TenderVersion.tender_id == tender_id,
                                                 TenderVersion.version == tender.current_version)).scalar_one()
    try:
        named = json.loads(row.definition).get("committee", {}).get("id")
    except (ValueError, AttributeError):
        return None
    return named if isinstance(named, str) else None


def shares_for(db: Session, *, actor: Actor, committee_id: str) -> tuple[int, list[bytes], list[bytes]]:
    """The encrypted shares addressed to the calling member, and its own dealer's copies (only those)."""
    committee = get(db, committee_id=committee_id)
    member = _require_member(db, committee, actor)
    rows = db.execute(select(CommitteeShare).where(CommitteeShare.committee_id == committee.id)
                      .where(((CommitteeShare.kind == "share") & (CommitteeShare.receiver == member.number))
                             | ((CommitteeShare.kind == "copy") & (CommitteeShare.sender == member.number)))
                      .order_by(CommitteeShare.kind, CommitteeShare.sender, CommitteeShare.receiver)).scalars()
    shares: list[bytes] = []
    copies: list[bytes] = []
    for row in rows:
        (shares if row.kind == "share" else copies).append(row.message)
    return member.number, shares, copies


# --- naming the committee ------------------------------------------------------------------------


def _revocation(settings: Settings) -> trust.RevocationMode:
    return {"hard-fail": trust.RevocationMode.HARD_FAIL, "off": trust.RevocationMode.OFF}.get(
        settings.revocation, trust.RevocationMode.SOFT_FAIL)


def _certificate(pem: str, what: str) -> x509.Certificate:
    try:
        return x509.load_pem_x509_certificate(pem.encode("ascii"))
    except ValueError:
        raise DomainError("committee.certificate_invalid", f"{what} is not a PEM X.509 certificate",
                          status=422) from None


def _check_member_certificates(db: Session, index: int, member: MemberIn, settings: Settings
                               ) -> tuple[x509.Certificate, x509.Certificate, identity.Identity]:
    trust_list = current_trust_list(db)
    signing = _certificate(member.signing_certificate, f"member {index}'s signing certificate")
    encryption = _certificate(member.encryption_certificate, f"member {index}'s encryption certificate")
    for cert, usage, what in ((signing, "signing", "signing"), (encryption, "encryption", "encryption")):
        try:
            trust.validate(cert, trust_list, usage=usage, revocation=_revocation(settings))  # type: ignore[arg-type]
        except TrustError as ex:
            raise DomainError("committee.certificate_untrusted", f"member {index}'s {what} certificate cannot be "
                              f"used: {ex}", status=422, member=index, reason=ex.reason) from ex
    try:
        signer, owner = identity.identity_of(signing), identity.identity_of(encryption)
    except CryptoError as ex:
        raise DomainError("committee.certificate_invalid", f"member {index}'s certificate: {ex}",
                          status=422) from ex
    if signer.key != owner.key:
        raise DomainError("committee.certificate_mismatch", f"member {index}'s signing certificate names "
                          f"{signer.display_name()} but its encryption certificate names {owner.display_name()}",
                          status=422, member=index)
    return signing, encryption, signer


def create(db: Session, *, actor: Actor, tender_id: str, threshold_k: int, member_certs: Sequence[MemberIn],
           settings: Settings) -> Committee:
    """Name a committee for ``tender_id`` (the caller has the agency role). If the tender is published,
    the caller must own it; if not, the tender id is taken for the caller's agency. An earlier committee of
    the tender that is not complete is abandoned (re-forming the committee is this same call)."""
    try:
        th.Ceremony(f"{tender_id}.committee-1", threshold_k, len(member_certs))
    except CommitteeParametersInvalid as ex:
        raise DomainError("committee.threshold_invalid", ex.message, status=422) from None
    from server.tenders.models import Tender

    tender = db.get(Tender, tender_id)
    if tender is not None and tender.agency_account_id != actor.account_id:
        raise DomainError("committee.not_owner", f"tender {tender_id!r} belongs to another agency: only the "
                          "agency that published it may name its opening committee", status=403)
    earlier = list(db.execute(select(Committee).where(Committee.tender_id == tender_id)
                              .order_by(Committee.created_at)).scalars())
    if any(c.agency_account_id != actor.account_id for c in earlier):
        raise DomainError("committee.not_owner", f"tender id {tender_id!r} is taken by another agency's "
                          "committee", status=403)
    checked = [_check_member_certificates(db, i, m, settings) for i, m in enumerate(member_certs, start=1)]
    keys = [ident.key for _s, _e, ident in checked]
    for i, key in enumerate(keys, start=1):
        if keys.index(key) != i - 1:
            raise DomainError("committee.duplicate_member", f"members {keys.index(key) + 1} and {i} are the same "
                              f"identity ({key}); each member is a different person or organisation", status=422,
                              member=i)
    now = clock.now()
    for old in earlier:
        if old.status in OPEN:
            _set_status(db, old, "abandoned", f"replaced by a new committee for tender {tender_id}")
            chain.append(db, actor=actor.ref, action="committee.abandon", object_type="committee",
                         object_id=old.id, payload={"committee_id": old.id, "reason": old.status_reason})
    number = len(earlier) + 1
    committee = Committee(id=f"{tender_id}.committee-{number}", tender_id=tender_id,
                          agency_account_id=actor.account_id, threshold=threshold_k, members=len(member_certs),
                          status="dealing", created_at=now)
    db.add(committee)
    db.flush()
    for number_j, (signing, encryption, ident) in enumerate(checked, start=1):
        db.add(CommitteeMember(committee_id=committee.id, number=number_j, identity_key=ident.key,
                               name=ident.display_name()[:600],
                               signing_cert_der=signing.public_bytes(serialization.Encoding.DER),
                               encryption_cert_der=encryption.public_bytes(serialization.Encoding.DER)))
    db.flush()
    payload = {"committee_id": committee.id, "tender_id": tender_id, "threshold": threshold_k,
               "members": [{"number": j, "identity": ident.key,
                            "signing_cert_sha256": s.fingerprint(hashes.SHA256()).hex(),
                            "encryption_cert_sha256": e.fingerprint(hashes.SHA256()).hex()}
                           for j, (s, e, ident) in enumerate(checked, start=1)]}
    chain.append(db, actor=actor.ref, action="committee.create", object_type="committee", object_id=committee.id,
                 payload=payload)
    _publish(db, committee, "committee.created", payload)
    return committee


# --- the members' messages -----------------------------------------------------------------------


def _member_row(db: Session, committee: Committee, identity_key: str) -> CommitteeMember | None:
    return db.execute(select(CommitteeMember).where(CommitteeMember.committee_id == committee.id,
                                                    CommitteeMember.identity_key == identity_key)
                      ).scalar_one_or_none()


def _require_member(db: Session, committee: Committee, actor: Actor) -> CommitteeMember:
    member = _member_row(db, committee, actor.identity_key)
    if member is None:
        raise DomainError("committee.not_member", f"you ({actor.identity_key}) are not a member of committee "
                          f"{committee.id}", status=403)
    return member


def _require_status(committee: Committee, allowed: tuple[str, ...], doing: str) -> None:
    if committee.status not in allowed:
        raise DomainError("committee.wrong_state", f"committee {committee.id} is {committee.status}: {doing} is "
                          f"possible only while it is {' or '.join(allowed)}", status=409, state=committee.status)


def _decode(text: str, what: str) -> bytes:
    try:
        return unb64(text)
    except ValueError:
        raise DomainError("request.invalid", f"{what} must be base64", status=422) from None


def _verify_signed(db: Session, member: CommitteeMember, body: bytes, signature: bytes, settings: Settings,
                   what: str) -> str:
    """The member's own signature over ``body`` (a certificate trusted for signing that names the member's
    identity); returns the signer certificate's SHA-256."""
    try:
        signed, _revocation_checks = check_signed_by_trusted(db, content=body, signature=signature,
                                                              settings=settings)
    except DomainError as ex:
        raise DomainError("committee.signature_invalid", f"the signature over the {what} is not acceptable: "
                          f"{ex.detail}", status=422, reason=ex.code) from None
    try:
        signer = identity.identity_of(signed.signer_certificate).key
    except CryptoError as ex:
        raise DomainError("committee.signature_invalid", f"the {what}'s signer: {ex}", status=422) from ex
    if signer != member.identity_key:
        raise DomainError("committee.signer_not_member", f"the {what} was signed by {signer}, not by member "
                          f"{member.number} ({member.identity_key})", status=403)
    return signed.signer_certificate.fingerprint(hashes.SHA256()).hex()


def _malformed(ex: Exception, what: str) -> DomainError:
    detail = getattr(ex, "message", str(ex))
    return DomainError("committee.message_invalid", f"the {what} is not acceptable: {detail}", status=422)


def _same_ceremony(found: str, committee: Committee, what: str) -> None:
    if found != committee.id:
        raise DomainError("committee.wrong_ceremony", f"the {what} is for ceremony {found!r}, not {committee.id!r}",
                          status=422)


def _store_message(db: Session, committee: Committee, kind: str, sender: int, receiver: int, body: bytes,
                   signature: bytes, resolution: str | None = None) -> CommitteeMessage:
    row = CommitteeMessage(committee_id=committee.id, kind=kind, sender=sender, receiver=receiver, body=body,
                           signature=signature, sha256=hashlib.sha256(body).hexdigest(), resolution=resolution,
                           posted_at=clock.now())
    db.add(row)
    db.flush()
    return row


def _existing(db: Session, committee: Committee, kind: str, sender: int, receiver: int) -> CommitteeMessage | None:
    return db.execute(select(CommitteeMessage).where(
        CommitteeMessage.committee_id == committee.id, CommitteeMessage.kind == kind,
        CommitteeMessage.sender == sender, CommitteeMessage.receiver == receiver)).scalar_one_or_none()


def _parse_shares(committee: Committee, member: CommitteeMember, items: Sequence[str], what: str
                  ) -> dict[int, bytes]:
    by_receiver: dict[int, bytes] = {}
    for text in items:
        data = _decode(text, what)
        try:
            share = th.EncryptedShare.from_bytes(data)
        except CommitteeError as ex:
            raise _malformed(ex, what) from None
        _same_ceremony(share.ceremony_id, committee, what)
        if share.sender != member.number:
            raise DomainError("committee.wrong_sender", f"a {what} says it is from member {share.sender}; you are "
                              f"member {member.number}", status=422)
        if not 1 <= share.receiver <= committee.members:
            raise DomainError("committee.message_invalid", f"a {what} is for member {share.receiver}, outside "
                              f"1..{committee.members}", status=422)
        if share.receiver in by_receiver:
            raise DomainError("committee.share_duplicate", f"two {what}s are for member {share.receiver}",
                              status=422, receiver=share.receiver)
        by_receiver[share.receiver] = data
    missing = [j for j in range(1, committee.members + 1) if j not in by_receiver]
    if missing:
        raise DomainError("committee.share_missing", f"no {what} for member(s) {', '.join(map(str, missing))}: "
                          f"a deal holds exactly one for each of the {committee.members} members", status=422,
                          receivers=missing)
    return by_receiver


def deal(db: Session, *, actor: Actor, committee_id: str, message: str, signature: str, shares: Sequence[str],
         copies: Sequence[str], settings: Settings) -> Committee:
    """Member i's signed commitments, its n shares and its n dealer's copies, all or nothing."""
    committee = get(db, committee_id=committee_id, lock=True)
    member = _require_member(db, committee, actor)
    if _existing(db, committee, "commitments", member.number, 0) is not None:
        raise DomainError("committee.already_dealt", f"member {member.number} has already dealt in committee "
                          f"{committee.id}; a member deals once", status=409)
    _require_status(committee, ("dealing",), "dealing")
    body, sig = _decode(message, "the commitments message"), _decode(signature, "the signature")
    try:
        commitments = th.Commitments.from_bytes(body)
    except CommitteeError as ex:
        raise _malformed(ex, "commitments message") from None
    _same_ceremony(commitments.ceremony.ceremony_id, committee, "commitments message")
    if commitments.ceremony != ceremony_of(committee):
        raise DomainError("committee.wrong_ceremony", f"the commitments are for k={commitments.ceremony.threshold}"
                          f" of n={commitments.ceremony.members}, not k={committee.threshold} of "
                          f"n={committee.members}", status=422)
    if commitments.sender != member.number:
        raise DomainError("committee.wrong_sender", f"the commitments say they are from member "
                          f"{commitments.sender}; you are member {member.number}", status=422)
    try:
        commitments.verify()
    except CommitteeError as ex:
        raise DomainError("committee.commitments_invalid", f"member {member.number}'s commitments do not verify: "
                          f"{getattr(ex, 'message', ex)}", status=422, member=member.number) from None
    cert_sha = _verify_signed(db, member, body, sig, settings, "commitments message")
    dealt = _parse_shares(committee, member, shares, "encrypted share")
    kept = _parse_shares(committee, member, copies, "dealer's copy")
    _store_message(db, committee, "commitments", member.number, 0, body, sig)
    for kind, items in (("share", dealt), ("copy", kept)):
        for receiver, data in items.items():
            db.add(CommitteeShare(committee_id=committee.id, kind=kind, sender=member.number, receiver=receiver,
                                  message=data))
    db.flush()
    payload: dict[str, Any] = {"committee_id": committee.id, "member": member.number,
                               "commitments_sha256": hashlib.sha256(body).hexdigest(), "signer_cert_sha256": cert_sha,
                               "shares_sha256": [hashlib.sha256(dealt[j]).hexdigest() for j in sorted(dealt)]}
    chain.append(db, actor=actor.ref, action="committee.deal", object_type="committee", object_id=committee.id,
                 payload=payload)
    _publish(db, committee, "committee.dealt", {"member": member.number,
                                                "commitments_sha256": payload["commitments_sha256"]})
    key = committee_key(db, committee)
    if key is not None:
        committee.public_key = key.public_point.hex()
        _set_status(db, committee, "checking", None)
        chain.append(db, actor=actor.ref, action="committee.dealt", object_type="committee", object_id=committee.id,
                     payload={"committee_id": committee.id, "public_key": committee.public_key})
        _publish(db, committee, "committee.checking", {"public_key": committee.public_key,
                                                       "verification_keys": [p.hex() for p in
                                                                             key.verification_points]})
    return committee


def acknowledge(db: Session, *, actor: Actor, committee_id: str, message: str, signature: str,
                settings: Settings) -> Committee:
    """Member j's signed acknowledgment (committee-key.md §6); the last one completes the committee."""
    committee = get(db, committee_id=committee_id, lock=True)
    member = _require_member(db, committee, actor)
    if _existing(db, committee, "ack", member.number, 0) is not None:
        raise DomainError("committee.already_acknowledged", f"member {member.number} has already acknowledged",
                          status=409)
    _require_status(committee, ("checking", "disputed"), "acknowledging")
    body, sig = _decode(message, "the acknowledgment"), _decode(signature, "the signature")
    try:
        ack = th.Acknowledgment.from_bytes(body)
    except CommitteeError as ex:
        raise _malformed(ex, "acknowledgment") from None
    _same_ceremony(ack.ceremony.ceremony_id, committee, "acknowledgment")
    if ack.member != member.number:
        raise DomainError("committee.ack_not_yours", f"the acknowledgment is member {ack.member}'s; you are member "
                          f"{member.number}: each member signs and posts its own", status=403)
    if _existing(db, committee, "ack", member.number, 0) is not None:
        raise DomainError("committee.already_acknowledged", f"member {member.number} has already acknowledged",
                          status=409)
    if any(c.sender == member.number and c.resolution == "open" for c in messages(db, committee, "complaint")):
        raise DomainError("committee.complaint_open", f"member {member.number} has a complaint open: acknowledge "
                          "once the accused member's disclosure has been checked", status=409)
    key = committee_key(db, committee)
    assert key is not None  # checking or disputed: every member has dealt
    if not ack.matches(key):
        raise DomainError("committee.ack_mismatch", "the acknowledgment does not name this committee's "
                          "commitments, public key and verification keys; fetch the committee again and "
                          "recompute it", status=422)
    cert_sha = _verify_signed(db, member, body, sig, settings, "acknowledgment")
    _store_message(db, committee, "ack", member.number, 0, body, sig)
    chain.append(db, actor=actor.ref, action="committee.acknowledge", object_type="committee",
                 object_id=committee.id, payload={"committee_id": committee.id, "member": member.number,
                                                  "ack_sha256": hashlib.sha256(body).hexdigest(),
                                                  "signer_cert_sha256": cert_sha})
    _publish(db, committee, "committee.acknowledged", {"member": member.number})
    if len(messages(db, committee, "ack")) == committee.members:
        _complete(db, committee, key, actor, settings)
    return committee


def complain(db: Session, *, actor: Actor, committee_id: str, message: str, signature: str,
             settings: Settings) -> Committee:
    """Member j's signed complaint naming the sender of a bad or missing share."""
    committee = get(db, committee_id=committee_id, lock=True)
    member = _require_member(db, committee, actor)
    _require_status(committee, ("checking", "disputed"), "complaining")
    body, sig = _decode(message, "the complaint"), _decode(signature, "the signature")
    try:
        complaint = parse_complaint(body)
    except ComplaintMalformed as ex:
        raise _malformed(ex, "complaint") from None
    _same_ceremony(complaint["ceremony"], committee, "complaint")
    if complaint["member"] != member.number:
        raise DomainError("committee.wrong_sender", f"the complaint is member {complaint['member']}'s; you are "
                          f"member {member.number}", status=403)
    accused = int(complaint["accused"])
    if not 1 <= accused <= committee.members or accused == member.number:
        raise DomainError("committee.message_invalid", f"a complaint names another member, 1..{committee.members}",
                          status=422)
    if _existing(db, committee, "ack", member.number, 0) is not None:
        raise DomainError("committee.already_acknowledged", f"member {member.number} has already acknowledged "
                          "its shares", status=409)
    if _existing(db, committee, "complaint", member.number, accused) is not None:
        raise DomainError("committee.already_complained", f"member {member.number} has already named member "
                          f"{accused}", status=409)
    _verify_signed(db, member, body, sig, settings, "complaint")
    _store_message(db, committee, "complaint", member.number, accused, body, sig, resolution="open")
    _set_status(db, committee, "disputed", f"member {member.number} names member {accused}: "
                                           f"{complaint['reason'][:500]}")
    chain.append(db, actor=actor.ref, action="committee.complain", object_type="committee", object_id=committee.id,
                 payload={"committee_id": committee.id, "member": member.number, "accused": accused,
                          "complaint_sha256": hashlib.sha256(body).hexdigest()})
    _publish(db, committee, "committee.complaint", {"member": member.number, "accused": accused,
                                                    "reason": complaint["reason"]})
    return committee


def disclose(db: Session, *, actor: Actor, committee_id: str, message: str, signature: str,
             settings: Settings) -> Committee:
    """The accused sender's signed public disclosure (committee-key.md §5): checked against its commitments.
    If it verifies the complaint is settled; if not, the sender is at fault and the committee has failed."""
    committee = get(db, committee_id=committee_id, lock=True)
    member = _require_member(db, committee, actor)
    _require_status(committee, ("disputed",), "disclosing a share")
    body, sig = _decode(message, "the disclosure"), _decode(signature, "the signature")
    try:
        disclosure = th.ShareDisclosure.from_bytes(body)
    except CommitteeError as ex:
        raise _malformed(ex, "disclosure") from None
    _same_ceremony(disclosure.ceremony_id, committee, "disclosure")
    if disclosure.sender != member.number:
        raise DomainError("committee.wrong_sender", f"the disclosure is of member {disclosure.sender}'s share; you "
                          f"are member {member.number}", status=403)
    complaint = _existing(db, committee, "complaint", disclosure.receiver, member.number)
    if complaint is None or complaint.resolution != "open":
        raise DomainError("committee.no_complaint", f"member {disclosure.receiver} has no open complaint against "
                          f"member {member.number}", status=409)
    _verify_signed(db, member, body, sig, settings, "disclosure")
    key = committee_key(db, committee)
    assert key is not None
    try:
        disclosure.verify(key)
        verified = True
    except CommitteeError:
        verified = False
    _store_message(db, committee, "disclosure", member.number, disclosure.receiver, body, sig)
    complaint.resolution = "disclosed" if verified else "sender_at_fault"
    db.flush()
    chain.append(db, actor=actor.ref, action="committee.disclose", object_type="committee",
                 object_id=committee.id, payload={"committee_id": committee.id, "member": member.number,
                                                  "receiver": disclosure.receiver, "verified": verified})
    _publish(db, committee, "committee.disclosed", {"member": member.number, "receiver": disclosure.receiver,
                                                    "verified": verified})
    if not verified:
        reason = (f"member {member.number}'s disclosed share for member {disclosure.receiver} does not match its "
                  f"commitments: member {member.number} is at fault; name a new committee")
        _set_status(db, committee, "failed", reason)
        chain.append(db, actor=actor.ref, action="committee.fail", object_type="committee", object_id=committee.id,
                     payload={"committee_id": committee.id, "at_fault": member.number, "reason": reason})
        _publish(db, committee, "committee.failed", {"at_fault": member.number, "reason": reason})
    elif not any(c.resolution == "open" for c in messages(db, committee, "complaint")):
        _set_status(db, committee, "checking", None)
    return committee


# --- completion: the committee certificate -------------------------------------------------------


def _complete(db: Session, committee: Committee, key: th.CommitteeKey, actor: Actor,
              settings: Settings) -> None:
    cert = issue_certificate(settings, committee.id, key.public_key)
    committee.certificate_der = cert.public_bytes(serialization.Encoding.DER)
    committee.completed_at = clock.now()
    _set_status(db, committee, "complete", None)
    payload = {"committee_id": committee.id, "public_key": key.public_point.hex(),
               "certificate_sha256": cert.fingerprint(hashes.SHA256()).hex(),
               "verification_keys": [p.hex() for p in key.verification_points]}
    chain.append(db, actor=actor.ref, action="committee.complete", object_type="committee", object_id=committee.id,
                 payload=payload)
    _publish(db, committee, "committee.complete", payload)


def issue_certificate(settings: Settings, committee_id: str, public_key: ec.EllipticCurvePublicKey
                      ) -> x509.Certificate:
    """An ordinary keyAgreement certificate for Y, issued by the server CA (keys/ca.key.pem).

    Its issuer is not what makes a bidder trust it: the bidder's client checks that its key is the Y that
    every member acknowledged (signed) and that the agency signed the tender naming it (docs/formats/tender.md
    "committee"). The server CA only gives it the shape every CMS tool expects."""
    ca_key = serialization.load_pem_private_key((settings.keys_dir / "ca.key.pem").read_bytes(), None)
    ca_cert = x509.load_pem_x509_certificate((settings.keys_dir / "ca.pem").read_bytes())
    assert isinstance(ca_key, ec.EllipticCurvePrivateKey)
    now = clock.now() - timedelta(minutes=5)
    return (x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COUNTRY_NAME, "CN"),
                                     x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Opening committee"),
                                     x509.NameAttribute(NameOID.COMMON_NAME, committee_id[:64])]))
            .issuer_name(ca_cert.subject).public_key(public_key).serial_number(x509.random_serial_number())
            .not_valid_before(now).not_valid_after(now + CERTIFICATE_VALIDITY)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.KeyUsage(digital_signature=False, content_commitment=False, key_encipherment=False,
                                         data_encipherment=False, key_agreement=True, key_cert_sign=False,
                                         crl_sign=False, encipher_only=False, decipher_only=False), critical=True)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
            .sign(ca_key, hashes.SHA256()))


# --- status and live events ----------------------------------------------------------------------


def _set_status(db: Session, committee: Committee, status: str, reason: str | None) -> None:
    committee.status = status
    committee.status_reason = reason
    db.flush()
    _publish(db, committee, "committee.status", {"status": status, "reason": reason})


def _publish(db: Session, committee: Committee, kind: str, payload: dict[str, Any]) -> None:
    live.publish(db, f"committee:{committee.id}", kind, {"committee_id": committee.id, **payload})


def _committee_reader(db: Session, actor: Actor, committee_id: str) -> bool:
    committee = db.get(Committee, committee_id)
    if committee is None:
        raise DomainError("live.channel_not_found", f"there is no committee {committee_id!r}", status=404)
    return may_read(db, actor, committee)


live.register_reader("committee", _committee_reader)


# --- the tender naming the committee -------------------------------------------------------------


def check_tender_committee(db: Session, *, actor: Actor, tender_id: str, entry: TenderCommittee | None) -> None:
    """A tender definition (format 3) may name only a complete committee of the same agency and tender, and
    must carry exactly its certificate, commitments and acknowledgments (``tender.committee_invalid``)."""
    if entry is None:
        return

    def refuse(detail: str) -> DomainError:
        return DomainError("tender.committee_invalid", f"the definition's committee {entry.id!r}: {detail}",
                           status=422)

    committee = db.get(Committee, entry.id)
    if committee is None or committee.agency_account_id != actor.account_id:
        raise refuse("there is no such committee of yours")
    if committee.tender_id != tender_id:
        raise refuse(f"it was named for tender {committee.tender_id!r}")
    if committee.status != "complete" or committee.certificate_der is None:
        raise refuse(f"it is {committee.status}, not complete")
    rows = members(db, committee)
    try:
        certificate = x509.load_pem_x509_certificate(entry.certificate.encode("ascii"))
        listed = [(m.identity, x509.load_pem_x509_certificate(m.signing_certificate.encode("ascii")),
                   x509.load_pem_x509_certificate(m.encryption_certificate.encode("ascii"))) for m in entry.members]
        commitments = [unb64(c) for c in entry.commitments]
        acks = [unb64(a.signature) for a in entry.acks]
    except ValueError:
        raise refuse("a certificate or message in it cannot be read") from None
    if certificate.public_bytes(serialization.Encoding.DER) != committee.certificate_der:
        raise refuse("its certificate is not the committee's")
    if entry.threshold != committee.threshold or [(m.identity_key, m.signing_cert_der, m.encryption_cert_der)
                                                  for m in rows] != [
            (ident, s.public_bytes(serialization.Encoding.DER), e.public_bytes(serialization.Encoding.DER))
            for ident, s, e in listed]:
        raise refuse("its threshold or members differ from the committee's")
    if commitments != [r.body for r in messages(db, committee, "commitments")] \
            or acks != [r.signature for r in messages(db, committee, "ack")]:
        raise refuse("its commitments or acknowledgments differ from those the members posted")
