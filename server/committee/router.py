"""/api/v1/committees: the opening committee's key ceremony (docs/api.md "Opening committees").

Naming a committee is the agency's; dealing, acknowledging, complaining and disclosing are the members'
(role opening_staff, supervisor or agency, and named in the committee — checked by the service); reading
is for the owning agency, the members, opening staff and supervisors.
"""

from __future__ import annotations

import base64
from typing import Annotated

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from fastapi import APIRouter, Depends
from sqlalchemy.orm import Session

from bidclient.protocol.committee import (
    CommitteeCreate,
    CommitteeOut,
    ComplaintOut,
    DealIn,
    MemberOut,
    SharesOut,
    SignedMessage,
    SignedOut,
)
from server.auth.permissions import AgencyActor, CurrentActor, RequireRole
from server.auth.service import Actor
from server.committee import service
from server.committee.models import Committee, CommitteeMessage
from server.deps import DbSession, ReadDbSession, SettingsDep

router = APIRouter(prefix="/api/v1/committees", tags=["committees"])

MemberActor = Annotated[Actor, Depends(RequireRole(*service.MEMBER_ROLES, doing="taking part in a key ceremony"))]


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _pem(der: bytes) -> str:
    return x509.load_der_x509_certificate(der).public_bytes(serialization.Encoding.PEM).decode("ascii")


def _signed(row: CommitteeMessage) -> SignedOut:
    return SignedOut(member=row.sender, receiver=row.receiver or None, message=_b64(row.body),
                     signature=_b64(row.signature), posted_at=row.posted_at)


def committee_out(db: Session, committee: Committee) -> CommitteeOut:
    rows = service.messages(db, committee)
    by_kind: dict[str, list[CommitteeMessage]] = {}
    for row in rows:
        by_kind.setdefault(row.kind, []).append(row)
    dealt = {r.sender for r in by_kind.get("commitments", [])}
    acked = {r.sender for r in by_kind.get("ack", [])}
    key = service.committee_key(db, committee)
    return CommitteeOut(
        committee_id=committee.id, tender_id=committee.tender_id, threshold=committee.threshold,
        status=committee.status, status_reason=committee.status_reason,  # type: ignore[arg-type]
        members=[MemberOut(number=m.number, identity=m.identity_key, name=m.name,
                           signing_certificate=_pem(m.signing_cert_der),
                           encryption_certificate=_pem(m.encryption_cert_der),
                           dealt=m.number in dealt, acknowledged=m.number in acked)
                 for m in service.members(db, committee)],
        commitments=[_signed(r) for r in by_kind.get("commitments", [])],
        acks=[_signed(r) for r in by_kind.get("ack", [])],
        complaints=[ComplaintOut(**_signed(r).model_dump(), accused=r.receiver,
                                 resolution=r.resolution or "open")  # type: ignore[arg-type]
                    for r in by_kind.get("complaint", [])],
        disclosures=[_signed(r) for r in by_kind.get("disclosure", [])],
        public_key=committee.public_key,
        verification_keys=[p.hex() for p in key.verification_points] if key is not None else [],
        certificate=_pem(committee.certificate_der) if committee.certificate_der else None,
        created_at=committee.created_at, completed_at=committee.completed_at)


@router.post("", response_model=CommitteeOut, status_code=201,
             summary="Name an opening committee for a tender (the agency that owns it)")
def create(body: CommitteeCreate, db: DbSession, settings: SettingsDep, actor: AgencyActor) -> CommitteeOut:
    committee = service.create(db, actor=actor, tender_id=body.tender_id, threshold_k=body.threshold,
                               member_certs=body.members, settings=settings)
    return committee_out(db, committee)


@router.get("", response_model=list[CommitteeOut],
            summary="The committees naming the caller as a member, newest first")
def my_committees(db: ReadDbSession, actor: CurrentActor) -> list[CommitteeOut]:
    return [committee_out(db, c) for c in service.list_mine(db, actor=actor)]


@router.get("/{committee_id}", response_model=CommitteeOut,
            summary="A committee and every signed message of its ceremony (agency, members, opening staff, "
                    "supervisors)")
def get_committee(committee_id: str, db: ReadDbSession, actor: CurrentActor) -> CommitteeOut:
    return committee_out(db, service.get_for_reader(db, actor=actor, committee_id=committee_id))


@router.post("/{committee_id}/deal", response_model=CommitteeOut,
             summary="A member's signed commitments, its n encrypted shares and its n dealer's copies")
def deal(committee_id: str, body: DealIn, db: DbSession, settings: SettingsDep, actor: MemberActor) -> CommitteeOut:
    committee = service.deal(db, actor=actor, committee_id=committee_id, message=body.message,
                             signature=body.signature, shares=body.shares, copies=body.copies, settings=settings)
    return committee_out(db, committee)


@router.get("/{committee_id}/shares", response_model=SharesOut,
            summary="The encrypted shares addressed to the calling member, and its own dealer's copies")
def shares(committee_id: str, db: ReadDbSession, actor: MemberActor) -> SharesOut:
    number, received, copies = service.shares_for(db, actor=actor, committee_id=committee_id)
    return SharesOut(committee_id=committee_id, member=number, shares=[_b64(s) for s in received],
                     copies=[_b64(c) for c in copies])


@router.post("/{committee_id}/acks", response_model=CommitteeOut,
             summary="A member's signed acknowledgment; the last one completes the committee")
def acknowledge(committee_id: str, body: SignedMessage, db: DbSession, settings: SettingsDep,
                actor: MemberActor) -> CommitteeOut:
    committee = service.acknowledge(db, actor=actor, committee_id=committee_id, message=body.message,
                                    signature=body.signature, settings=settings)
    return committee_out(db, committee)


@router.post("/{committee_id}/complaints", response_model=CommitteeOut,
             summary="A member's signed complaint naming the sender of a bad or missing share")
def complain(committee_id: str, body: SignedMessage, db: DbSession, settings: SettingsDep,
             actor: MemberActor) -> CommitteeOut:
    committee = service.complain(db, actor=actor, committee_id=committee_id, message=body.message,
                                 signature=body.signature, settings=settings)
    return committee_out(db, committee)


@router.post("/{committee_id}/disclosures", response_model=CommitteeOut,
             summary="The accused member's signed public disclosure of the disputed share")
def disclose(committee_id: str, body: SignedMessage, db: DbSession, settings: SettingsDep,
             actor: MemberActor) -> CommitteeOut:
    committee = service.disclose(db, actor=actor, committee_id=committee_id, message=body.message,
                                 signature=body.signature, settings=settings)
    return committee_out(db, committee)
