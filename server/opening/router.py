"""The opening session API (docs/api.md "Opening"). Thin: every rule is in server/opening/service.py.

Who may call: the tender's agency schedules; hosts (the opening staff the agency named) act; the named
supervisors and the bidders of the tender read; bidders check in, release their keys, object and confirm
the record. The per-route permission says the least a caller needs; the service then checks the caller's
part in this opening (a non-participant sees 404, so nothing reveals who bid)."""

from __future__ import annotations

import contextlib
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Header, Request, Response

from bidclient.protocol import opening as proto
from server import clock
from server.auth import permissions
from server.auth.models import Role
from server.auth.permissions import BidderActor, CurrentActor
from server.auth.service import Actor
from server.blobs import BlobStore
from server.db import session_scope
from server.deps import DbSession, ReadDbSession, SettingsDep
from server.opening import service
from server.problems import Problem
from server.tenders.router import TenderOwner

router = APIRouter(prefix="/api/v1/tenders/{tender_id}/opening", tags=["opening"])

HostActor = Annotated[Actor, Depends(permissions.RequireRole(Role.OPENING_STAFF.value,
                                                             doing="acting as the host of an opening"))]
SignerActor = Annotated[Actor, Depends(permissions.RequireRole(Role.OPENING_STAFF.value, Role.SUPERVISOR.value,
                                                               doing="signing an opening record"))]


def _arrived() -> datetime:
    """When the request had arrived (its body read), before any wait for the database: the window's end
    is judged by arrival, as the bid deadline is."""
    return clock.now()


Arrived = Annotated[datetime, Depends(_arrived)]
MemberActor = Annotated[Actor, Depends(permissions.RequireRole(
    Role.OPENING_STAFF.value, Role.SUPERVISOR.value, Role.AGENCY.value,
    doing="contributing a committee member's partial result"))]
# Anyone logged in may ask; the service answers only participants (hosts, supervisors, the tender's bidders).
ParticipantActor = CurrentActor


@router.post("", response_model=proto.OpeningOut, status_code=201,
             summary="Schedule the opening: name its hosts (opening staff) and supervisors (the owning agency)")
def schedule(tender_id: str, body: proto.ScheduleIn, db: DbSession, actor: TenderOwner) -> proto.OpeningOut:
    return service.schedule(db, actor=actor, tender_id=tender_id, body=body)


@router.get("", response_model=proto.OpeningOut, summary="The opening as the caller may see it (participants)")
def view(tender_id: str, db: ReadDbSession, actor: ParticipantActor) -> proto.OpeningOut:
    return service.view(db, actor=actor, tender_id=tender_id)


@router.post("/check-in", response_model=proto.OpeningOut, summary="A bidder's signed check-in (签到)")
def check_in(tender_id: str, body: proto.SignedIn, db: DbSession, actor: BidderActor,
             settings: SettingsDep) -> proto.OpeningOut:
    return service.check_in(db, actor=actor, tender_id=tender_id, body=body, settings=settings)


@router.post("/lock", response_model=proto.OpeningOut, summary="Lock and count at the deadline (host)")
def lock(tender_id: str, body: proto.StepIn, db: DbSession, actor: HostActor) -> proto.OpeningOut:
    return service.lock(db, actor=actor, tender_id=tender_id, body=body)


@router.post("/window", response_model=proto.OpeningOut,
             summary="Open the decryption window from the opening time (host)")
def open_window(tender_id: str, body: proto.WindowIn, db: DbSession, actor: HostActor,
                settings: SettingsDep) -> proto.OpeningOut:
    return service.open_window(db, actor=actor, tender_id=tender_id, body=body, settings=settings)


@router.post("/window/extend", response_model=proto.OpeningOut, summary="Extend the window, with a reason (host)")
def extend_window(tender_id: str, body: proto.ExtendIn, db: DbSession, actor: HostActor) -> proto.OpeningOut:
    return service.extend_window(db, actor=actor, tender_id=tender_id, body=body)


@router.post("/bids/{submission_id}/key", response_model=proto.BidOut,
             summary="Release a bid's content key, encrypted to the hosts, with a signed statement (the bidder)")
def release_key(tender_id: str, submission_id: str, arrived: Arrived, body: proto.KeyReleaseIn, db: DbSession,
                actor: BidderActor, settings: SettingsDep) -> proto.BidOut:
    return service.release_key(db, actor=actor, tender_id=tender_id, submission_id=submission_id, body=body,
                               arrived=arrived, settings=settings)


@router.get("/bids/{submission_id}/key", summary="The released key envelope (hosts, supervisors)",
            responses={200: {"content": {"application/cms": {"schema": {"type": "string", "format": "binary"}}}}})
def key_envelope(tender_id: str, submission_id: str, db: ReadDbSession, actor: SignerActor) -> Response:
    data = service.key_envelope(db, actor=actor, tender_id=tender_id, submission_id=submission_id)
    return Response(data, media_type="application/cms")


@router.post("/bids/{submission_id}/result", response_model=proto.BidOut,
             summary="The opening terminal's verified result for a released key (host)")
def record_result(tender_id: str, submission_id: str, body: proto.BidResultIn, db: DbSession, actor: HostActor,
                  settings: SettingsDep) -> proto.BidOut:
    return service.record_result(db, actor=actor, tender_id=tender_id, submission_id=submission_id, body=body,
                                 settings=settings, store=BlobStore(settings.blob_dir))


@router.post("/announce", response_model=proto.OpeningOut, summary="唱标: announce every bid (host)")
def announce(tender_id: str, body: proto.StepIn, db: DbSession, actor: HostActor) -> proto.OpeningOut:
    return service.announce_all(db, actor=actor, tender_id=tender_id, body=body)


@router.post("/objections", response_model=proto.ObjectionOut, status_code=201,
             summary="Raise an objection (异议) during the opening (a bidder)")
def raise_objection(tender_id: str, body: proto.ObjectionIn, db: DbSession, actor: BidderActor) -> proto.ObjectionOut:
    return service.raise_objection(db, actor=actor, tender_id=tender_id, body=body)


@router.post("/objections/{objection_id}/answer", response_model=proto.ObjectionOut,
             summary="Answer an objection (host)")
def answer_objection(tender_id: str, objection_id: str, body: proto.AnswerIn, db: DbSession,
                     actor: HostActor) -> proto.ObjectionOut:
    return service.answer_objection(db, actor=actor, tender_id=tender_id, objection_id=objection_id, body=body)


@router.post("/record", response_model=proto.OpeningOut, summary="Draft the opening record (开标记录表) (host)")
def draft_record(tender_id: str, body: proto.StepIn, db: DbSession, actor: HostActor) -> proto.OpeningOut:
    return service.draft_record(db, actor=actor, tender_id=tender_id, body=body)


@router.get("/record", summary="The opening record PDF as it stands (participants; bidders once published)",
            responses={200: {"content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}}}})
def get_record(tender_id: str, db: ReadDbSession, actor: ParticipantActor) -> Response:
    return Response(service.record_pdf(db, actor=actor, tender_id=tender_id), media_type="application/pdf")


@router.put("/record", response_model=proto.OpeningOut,
            summary="Upload the record with your PAdES signature appended (host, then supervisor)")
async def sign_record(tender_id: str, request: Request, actor: SignerActor,
                      x_opening_step: Annotated[int, Header()]) -> proto.OpeningOut:
    from starlette.concurrency import run_in_threadpool

    body = bytearray()
    async for chunk in request.stream():
        body.extend(chunk)
        if len(body) > proto.MAX_RECORD:
            raise Problem(413, "opening.record_too_large", "The record is too large",
                          f"a signed record may not exceed {proto.MAX_RECORD} bytes")

    def work() -> proto.OpeningOut:
        with contextlib.contextmanager(session_scope)(request.app.state.session_factory) as db:
            return service.sign_record(db, actor=actor, tender_id=tender_id, pdf=bytes(body), step=x_opening_step)

    return await run_in_threadpool(work)


@router.post("/publish", response_model=proto.OpeningOut, summary="Publish the signed record (host)")
def publish(tender_id: str, body: proto.StepIn, db: DbSession, actor: HostActor) -> proto.OpeningOut:
    return service.publish_record(db, actor=actor, tender_id=tender_id, body=body)


@router.post("/acknowledgment", response_model=proto.OpeningOut,
             summary="Confirm the published record or object to it, signed (a bidder)")
def acknowledge(tender_id: str, body: proto.SignedIn, db: DbSession, actor: BidderActor,
                settings: SettingsDep) -> proto.OpeningOut:
    return service.acknowledge(db, actor=actor, tender_id=tender_id, body=body, settings=settings)


@router.post("/bids/{submission_id}/remedy", response_model=proto.RemedyOut,
             summary="Start the committee remedy (补救方案) for a bid its bidder could not decrypt (host)")
def start_remedy(tender_id: str, submission_id: str, db: DbSession, actor: HostActor,
                 settings: SettingsDep) -> proto.RemedyOut:
    return service.start_remedy(db, actor=actor, tender_id=tender_id, submission_id=submission_id,
                                settings=settings, store=BlobStore(settings.blob_dir))


@router.get("/remedies", response_model=list[proto.RemedyOut],
            summary="The bids in the committee remedy, in count order (hosts and supervisors: all; a committee "
                    "member: those of its committees)")
def list_remedies(tender_id: str, db: ReadDbSession, actor: MemberActor) -> list[proto.RemedyOut]:
    return service.list_remedies(db, actor=actor, tender_id=tender_id)


@router.get("/bids/{submission_id}/remedy", response_model=proto.RemedyOut,
            summary="A bid's remedy: the ephemeral keys, the context, the partial results so far "
                    "(hosts, supervisors, committee members)")
def get_remedy(tender_id: str, submission_id: str, db: ReadDbSession, actor: CurrentActor) -> proto.RemedyOut:
    return service.get_remedy(db, actor=actor, tender_id=tender_id, submission_id=submission_id)


@router.post("/bids/{submission_id}/partials", response_model=proto.RemedyOut,
             summary="A committee member's signed partial result with its proof (committee members)")
def post_partial(tender_id: str, submission_id: str, arrived: Arrived, body: proto.SignedIn, db: DbSession,
                 actor: MemberActor, settings: SettingsDep) -> proto.RemedyOut:
    return service.post_partial(db, actor=actor, tender_id=tender_id, submission_id=submission_id, body=body,
                                settings=settings, arrived=arrived)
