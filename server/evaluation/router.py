"""/api/v1/evaluation: remote evaluation sessions (thin; the rules live in server/evaluation/service.py).

Who may call what: the organising agency creates a session and moves it through the check-in; experts
named in it act on their own sheet; the chair moves it on, summarises and returns sheets; supervisors read
everything; bidders answer the clarifications put to them. Outsiders are told a session does not exist.
"""

from __future__ import annotations

import base64
import hashlib
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response

from bidclient.protocol.evaluation_session import (
    CellsOut,
    ChairVoteIn,
    ClarificationIn,
    ClarificationOut,
    ClarificationsOut,
    EditsIn,
    EditsOut,
    MemberOut,
    MembersAddIn,
    MemberStatus,
    PhaseIn,
    ReportSignatureIn,
    ReportSignatureOut,
    ReportSignaturesOut,
    ReturnIn,
    SessionCreateIn,
    SessionListOut,
    SessionOut,
    SheetOut,
    SheetState,
    SignedIn,
    SummaryOut,
)
from server import clock
from server.auth import permissions
from server.auth.models import Role
from server.auth.permissions import AgencyActor, CurrentActor, RequireRole
from server.auth.service import Actor
from server.deps import DbSession, ReadDbSession, SettingsDep
from server.evaluation import service
from server.evaluation.edit_lane import GroupLane
from server.evaluation.models import EvalClarification, EvalReportSignature, EvalSession

router = APIRouter(prefix="/api/v1/evaluation", tags=["evaluation"])


@permissions.permission("an expert of the session")
def session_expert(session_id: str, db: ReadDbSession,
                   authenticate: Annotated[permissions.ActorCheck, Depends(permissions.RequireRoleLater(
                       Role.EXPERT.value, doing="acting in an evaluation session"))]) -> Actor:
    actor = authenticate(db)  # in the same read-only unit as the membership check
    service.is_member(db, actor=actor, session_id=session_id)
    return actor


@permissions.permission("a participant of the session (expert, organising agency, supervisor)")
def session_participant(session_id: str, db: ReadDbSession, actor: CurrentActor) -> Actor:
    service.participant(db, actor=actor, session_id=session_id)
    return actor


@permissions.permission("an expert of the session (checked in the edit lane)")
async def session_expert_later(request: Request) -> permissions.ActorCheck:
    """For the edit route: authentication and the membership check happen in the edit lane's unit of work
    (server/evaluation/edit_lane.py). An ``async`` dependency: no worker thread is taken to make it."""
    return permissions.ActorCheck(request, (Role.EXPERT.value,), "acting in an evaluation session")


SessionExpert = Annotated[Actor, Depends(session_expert)]
SessionParticipant = Annotated[Actor, Depends(session_participant)]
BidderActor = Annotated[Actor, Depends(RequireRole(Role.BIDDER.value, doing="answering a clarification request"))]


def _session_out(db: ReadDbSession, row: EvalSession, role: service.SessionRole) -> SessionOut:
    rows = service.members(db, row.id)
    return SessionOut(
        id=row.id, tender_id=row.tender_id, phase=row.phase, chair=row.chair, created_by=row.created_by,  # type: ignore[arg-type]
        draw_id=row.draw_id,
        reserves_needed=service.reserves_needed(db, row.id), excluded_bids=service.excluded_of(row),
        members=[MemberOut(identity_key=m.identity_key, status=MemberStatus(m.status),
                           sheet_state=SheetState(m.sheet_state), is_chair=m.identity_key == row.chair,
                           checked_in_at=m.checked_in_at, checkin_cert_sha256=m.checkin_cert_sha256,
                           submitted_at=m.submitted_at,
                           returned_reason=m.returned_reason, recusal_reason=m.recusal_reason) for m in rows],
        definition=service.definition_of(row), your_role=role, server_time=clock.now())


def _view(db: DbSession, actor: Actor, session_id: str) -> SessionOut:
    row, role = service.participant(db, actor=actor, session_id=session_id)
    return _session_out(db, row, role)


@router.post("/sessions", response_model=SessionOut, status_code=201,
             summary="Create a session for a tender with the drawn experts and the opened bids (its agency)")
def create(body: SessionCreateIn, db: DbSession, actor: AgencyActor) -> SessionOut:
    row = service.create_session(db, actor=actor, body=body)
    return _session_out(db, row, "agency")


@router.get("/sessions", response_model=SessionListOut, summary="The sessions the caller takes part in")
def list_sessions(db: ReadDbSession, actor: CurrentActor) -> SessionListOut:
    return SessionListOut(sessions=[_session_out(db, row, role) for row, role in service.sessions_for(db, actor=actor)])


@router.get("/sessions/{session_id}", response_model=SessionOut, summary="One session: phase, members, definition")
def get_session(session_id: str, db: ReadDbSession, actor: SessionParticipant) -> SessionOut:
    return _view(db, actor, session_id)


@router.post("/sessions/{session_id}/reserves", response_model=SessionOut,
             summary="Add reserve experts for recused ones (the organising agency, during check-in)")
def add_reserves(session_id: str, body: MembersAddIn, db: DbSession, actor: SessionParticipant) -> SessionOut:
    service.add_reserves(db, actor=actor, session_id=session_id, experts=body.experts)
    return _view(db, actor, session_id)


@router.post("/sessions/{session_id}/checkin", response_model=SessionOut,
             summary="Check in: the check-in statement signed with the expert's dongle")
def checkin(session_id: str, body: SignedIn, db: DbSession, settings: SettingsDep, actor: SessionExpert) -> SessionOut:
    service.checkin(db, actor=actor, session_id=session_id, content_b64=body.content, signature_b64=body.signature,
                    settings=settings)
    return _view(db, actor, session_id)


@router.post("/sessions/{session_id}/declaration", response_model=SessionOut,
             summary="The signed recusal declaration (回避) and commitment; a conflict removes the expert")
def declare(session_id: str, body: SignedIn, db: DbSession, settings: SettingsDep, actor: SessionExpert) -> SessionOut:
    service.declare(db, actor=actor, session_id=session_id, content_b64=body.content, signature_b64=body.signature,
                    settings=settings)
    return _view(db, actor, session_id)


@router.post("/sessions/{session_id}/chair-vote", response_model=SessionOut, summary="Vote for the chair (组长)")
def vote_chair(session_id: str, body: ChairVoteIn, db: DbSession, actor: SessionExpert) -> SessionOut:
    service.vote_chair(db, actor=actor, session_id=session_id, candidate=body.candidate)
    return _view(db, actor, session_id)


@router.post("/sessions/{session_id}/phase", response_model=SessionOut,
             summary="Move to the next phase (the agency during check-in, then the chair)")
def advance(session_id: str, body: PhaseIn, db: DbSession, actor: SessionParticipant) -> SessionOut:
    service.advance(db, actor=actor, session_id=session_id, phase=body.phase)
    return _view(db, actor, session_id)


@router.post("/sessions/{session_id}/edits", response_model=EditsOut,
             summary="Apply journaled edits of the caller's own sheet, in order, each exactly once")
async def edits(session_id: str, body: EditsIn, request: Request,
                authenticate: Annotated[permissions.ActorCheck, Depends(session_expert_later)]) -> EditsOut:
    # Waits in the event loop for the edit lane, whose worker applies every request waiting in one
    # transaction (group commit); this request's results come back once that transaction has committed.
    # apply_edits refuses outsiders (404, as session_expert does) before it writes anything.
    lane: GroupLane = request.app.state.evaluation_edit_lane
    results = await lane.run(lambda db: service.apply_edits(db, actor=authenticate(db), session_id=session_id,
                                                            edits=body.edits, defer_audit=True))
    return EditsOut(results=results, server_time=clock.now())


@router.get("/sessions/{session_id}/cells", response_model=CellsOut,
            summary="Sheet cells: one's own; everyone's once one's own sheet is submitted (supervisors: all)")
def cells(session_id: str, db: ReadDbSession, actor: SessionParticipant) -> CellsOut:
    found, hidden = service.visible_cells(db, actor=actor, session_id=session_id)
    return CellsOut(cells=found, hidden=hidden, server_time=clock.now())


@router.get("/sessions/{session_id}/sheet", response_model=SheetOut,
            summary="The caller's sheet as the server holds it: the exact bytes to sign")
def sheet(session_id: str, db: ReadDbSession, actor: SessionExpert) -> SheetOut:
    content = service.sheet_bytes(db, actor=actor, session_id=session_id)
    return SheetOut(content=base64.b64encode(content).decode("ascii"), sha256=hashlib.sha256(content).hexdigest())


@router.post("/sessions/{session_id}/sheet", response_model=SessionOut,
             summary="Submit the sheet signed with the expert's dongle; it is then frozen")
def submit(session_id: str, body: SignedIn, db: DbSession, settings: SettingsDep, actor: SessionExpert) -> SessionOut:
    service.submit_sheet(db, actor=actor, session_id=session_id, content_b64=body.content,
                         signature_b64=body.signature, settings=settings)
    return _view(db, actor, session_id)


@router.post("/sessions/{session_id}/sheets/{expert}/return", response_model=SessionOut,
             summary="Return a submitted sheet to its expert, with a recorded reason (the chair)")
def return_sheet(session_id: str, expert: str, body: ReturnIn, db: DbSession, actor: SessionExpert) -> SessionOut:
    service.return_sheet(db, actor=actor, session_id=session_id, expert=expert, reason=body.reason)
    return _view(db, actor, session_id)


@router.get("/sessions/{session_id}/summary", response_model=SummaryOut,
            summary="The committee's scores and ranking (the chair after every sheet is in; supervisors)")
def summary(session_id: str, db: ReadDbSession, actor: SessionParticipant) -> SummaryOut:
    return service.summary(db, actor=actor, session_id=session_id)


def _clarification_out(item: EvalClarification) -> ClarificationOut:
    return ClarificationOut(id=item.id, session_id=item.session_id, bid=item.bid_id, question=item.question,
                            asked_by=item.asked_by, asked_at=item.asked_at, answer=item.answer,
                            answered_by=item.answered_by, answered_at=item.answered_at,
                            answer_signature=base64.b64encode(item.answer_signature).decode("ascii")
                            if item.answer_signature is not None else None)


@router.post("/sessions/{session_id}/clarifications", response_model=ClarificationOut, status_code=201,
             summary="Ask a bidder to clarify (through the platform)")
def ask(session_id: str, body: ClarificationIn, db: DbSession, actor: SessionExpert) -> ClarificationOut:
    return _clarification_out(service.ask(db, actor=actor, session_id=session_id, bid_id=body.bid,
                                          question=body.question))


@router.get("/sessions/{session_id}/clarifications", response_model=ClarificationsOut,
            summary="A session's clarification requests and answers")
def session_clarifications(session_id: str, db: ReadDbSession, actor: SessionParticipant) -> ClarificationsOut:
    return ClarificationsOut(clarifications=[_clarification_out(c) for c in
                                             service.clarifications(db, actor=actor, session_id=session_id)])


@router.get("/clarifications", response_model=ClarificationsOut, summary="Clarification requests put to the caller "
            "as a bidder")
def my_clarifications(db: ReadDbSession, actor: BidderActor,
                      limit: Annotated[int, Query(ge=1, le=500)] = 100) -> ClarificationsOut:
    found = service.clarifications(db, actor=actor, session_id=None)[:limit]
    return ClarificationsOut(clarifications=[_clarification_out(c) for c in found])


@router.post("/clarifications/{clarification_id}/answer", response_model=ClarificationOut,
             summary="Answer a clarification request, signed with the bidder's dongle")
def answer(clarification_id: str, body: SignedIn, db: DbSession, settings: SettingsDep,
           actor: BidderActor) -> ClarificationOut:
    return _clarification_out(service.answer(db, actor=actor, clarification_id=clarification_id,
                                             content_b64=body.content, signature_b64=body.signature,
                                             settings=settings))


def _signature_out(entry: EvalReportSignature) -> ReportSignatureOut:
    return ReportSignatureOut(position=entry.position, expert=entry.identity_key, stance=entry.stance,
                              reason=entry.reason, pdf_sha256=entry.pdf_sha256, signed_at=entry.signed_at)


@router.post("/sessions/{session_id}/report-signatures", response_model=ReportSignatureOut, status_code=201,
             summary="Store the report as the caller signed it (after the previous signatures)")
def sign_report(session_id: str, body: ReportSignatureIn, db: DbSession, actor: SessionExpert) -> ReportSignatureOut:
    return _signature_out(service.sign_report(db, actor=actor, session_id=session_id, pdf_b64=body.pdf,
                                              stance=body.stance, reason=body.reason))


@router.get("/sessions/{session_id}/report", response_class=Response,
            summary="The report PDF as it stands after the last signature",
            responses={200: {"content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}}}})
def report(session_id: str, db: ReadDbSession, actor: SessionParticipant) -> Response:
    pdf = service.latest_report(db, actor=actor, session_id=session_id)
    return Response(pdf, media_type="application/pdf",
                    headers={"X-Content-SHA256": hashlib.sha256(pdf).hexdigest()})


@router.get("/sessions/{session_id}/report-signatures", response_model=ReportSignaturesOut,
            summary="The report's signatures, in order")
def report_signatures(session_id: str, db: ReadDbSession, actor: SessionParticipant) -> ReportSignaturesOut:
    return ReportSignaturesOut(signatures=[_signature_out(s) for s in
                                           service.report_signatures(db, actor=actor, session_id=session_id)])


# --- the hand-over of the opened bids to the committee (server/evaluation/handover.py) --------------------
# Appended as a block: the rules live in handover.py; the key envelopes and the sealed bid go only to a seated
# expert holding an envelope for the bid (everyone else: 404).

from fastapi.responses import FileResponse as _FileResponse  # noqa: E402

from bidclient.protocol.handover import EncryptionCertificateIn, HandoverIn, HandoverOut, SeatOut  # noqa: E402
from server.blobs import BlobStore as _BlobStore  # noqa: E402
from server.evaluation import handover as _handover  # noqa: E402


class _SealedBidFile(_FileResponse):
    chunk_size = 1 << 20  # as the opening's download (server/submissions/router.py)


@router.put("/sessions/{session_id}/encryption-certificate", response_model=SeatOut,
            summary="Register the caller's encryption certificate, to receive the opened bids' keys (an expert)")
def register_encryption_certificate(session_id: str, body: EncryptionCertificateIn, db: DbSession,
                                    actor: SessionExpert) -> SeatOut:
    return _handover.register_certificate(db, actor=actor, session_id=session_id, pem=body.certificate)


@router.get("/sessions/{session_id}/handover", response_model=HandoverOut,
            summary="Which opened bids were handed to which seated expert (hosts and supervisors of the opening, "
                    "the session's participants)")
def handover_state(session_id: str, db: ReadDbSession, actor: CurrentActor) -> HandoverOut:
    return _handover.state(db, actor=actor, session_id=session_id)


@router.post("/sessions/{session_id}/handover", response_model=HandoverOut,
             summary="Hand the opened bids to the seated committee: content keys wrapped to each expert (a host)")
def hand_over(session_id: str, body: HandoverIn, db: DbSession, actor: CurrentActor) -> HandoverOut:
    return _handover.hand_over(db, actor=actor, session_id=session_id, body=body)


@router.get("/tenders/{tender_id}/handover", response_model=list[HandoverOut],
            summary="The hand-over of every evaluation session of a tender (hosts and supervisors of its opening)")
def handover_of_tender(tender_id: str, db: ReadDbSession, actor: CurrentActor) -> list[HandoverOut]:
    return _handover.for_tender(db, actor=actor, tender_id=tender_id)


@router.get("/sessions/{session_id}/bids/{submission_id}/key", response_class=Response,
            summary="The caller's key envelope for an opened bid (a seated expert it was handed to)",
            responses={200: {"content": {"application/cms": {"schema": {"type": "string", "format": "binary"}}}}})
def bid_key(session_id: str, submission_id: str, db: ReadDbSession, actor: SessionExpert) -> Response:
    data = _handover.key_envelope(db, actor=actor, session_id=session_id, submission_id=submission_id)
    return Response(data, media_type="application/cms")


@router.get("/sessions/{session_id}/bids/{submission_id}/envelope", response_class=_FileResponse,
            summary="The sealed bid as submitted (a seated expert it was handed to)",
            responses={200: {"content": {"application/cms": {"schema": {"type": "string", "format": "binary"}}}}})
def bid_envelope(session_id: str, submission_id: str, db: DbSession, settings: SettingsDep,
                 actor: SessionExpert) -> _FileResponse:
    path = _handover.sealed_bid(db, actor=actor, session_id=session_id, submission_id=submission_id,
                                store=_BlobStore(settings.blob_dir))
    return _SealedBidFile(path, media_type="application/cms", filename=f"{submission_id}.bid")
