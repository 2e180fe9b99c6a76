"""/api/v1/experts: the pool (administrator), the draw (agency), invitations (expert), the draw record.

Who sees what (docs/experts.md): the administrator and the supervisor read the pool; an agency only counts
it; an expert reads their own record and invitations; a draw's names are shown to the supervisor, and to the
agency once the evaluation begins; the verifiable record (ids, never names) to anyone signed in.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Depends, Query
from fastapi.responses import Response

from bidclient.protocol import experts as proto
from server.auth.models import Role
from server.auth.permissions import AgencyActor, CurrentActor, RequireRole
from server.auth.service import Actor
from server.deps import DbSession, ReadDbSession, SettingsDep
from server.experts import mailer, service
from server.problems import DomainError

router = APIRouter(prefix="/api/v1/experts", tags=["experts"], lifespan=mailer.lifespan)

PoolAdmin = Annotated[Actor, Depends(RequireRole(Role.ADMIN.value, doing="managing the expert pool"))]
PoolReader = Annotated[Actor, Depends(RequireRole(Role.ADMIN.value, Role.SUPERVISOR.value,
                                                  doing="reading the expert pool"))]
PoolCounter = Annotated[Actor, Depends(RequireRole(Role.AGENCY.value, Role.ADMIN.value, Role.SUPERVISOR.value,
                                                   doing="counting the expert pool"))]
ExpertSelf = Annotated[Actor, Depends(RequireRole(Role.EXPERT.value, doing="reading your expert record"))]
MAX_CSV = 64 << 20


@router.get("/specialties", response_model=proto.SpecialtyListOut, summary="The specialty codes (signed in)")
def specialties(db: ReadDbSession, actor: CurrentActor) -> proto.SpecialtyListOut:
    return proto.SpecialtyListOut(specialties=[proto.SpecialtyOut(code=s.code, name=s.name,
                                                                  category=s.category)  # type: ignore[arg-type]
                                               for s in service.list_specialties(db)])


@router.put("/specialties/{code}", response_model=proto.SpecialtyOut, summary="Add or rename a specialty (admin)")
def put_specialty(code: str, body: proto.SpecialtyIn, db: DbSession, actor: PoolAdmin) -> proto.SpecialtyOut:
    row = service.put_specialty(db, actor=actor, code=code, body=body)
    return proto.SpecialtyOut(code=row.code, name=row.name, category=row.category)  # type: ignore[arg-type]


@router.post("/import", response_model=proto.ImportOut,
             summary="Admit or update experts from a CSV (admin); all or nothing, with a per-row report")
def import_csv(data: Annotated[bytes, Body(media_type="text/csv")], db: DbSession,
               actor: PoolAdmin) -> proto.ImportOut:
    if len(data) > MAX_CSV:
        raise DomainError("experts.csv_too_large", f"a CSV may not be larger than {MAX_CSV} bytes", status=413)
    return service.import_csv(db, actor=actor, data=data)


@router.get("/export", response_class=Response, summary="The pool as CSV (admin)",
            responses={200: {"content": {"text/csv": {"schema": {"type": "string"}}}}})
def export_csv(db: ReadDbSession, actor: PoolAdmin) -> Response:
    return Response(service.export_csv(db), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": 'attachment; filename="experts.csv"'})


@router.get("", response_model=proto.ExpertListOut, summary="List the pool (admin, supervisor)")
def list_experts(db: ReadDbSession, actor: PoolReader, status: Annotated[str | None, Query(max_length=16)] = None,
                 specialty: Annotated[str | None, Query(max_length=32)] = None,
                 region: Annotated[str | None, Query(max_length=100)] = None,
                 name: Annotated[str | None, Query(max_length=100)] = None,
                 sort: Annotated[str, Query(max_length=16)] = "name",
                 limit: Annotated[int, Query(ge=1, le=1000)] = 100,
                 offset: Annotated[int, Query(ge=0)] = 0) -> proto.ExpertListOut:
    rows, total = service.list_experts(db, status=status, specialty=specialty, region=region, name=name,
                                       sort=sort, limit=limit, offset=offset)
    return proto.ExpertListOut(experts=rows, total=total)


@router.get("/count", response_model=proto.ExpertCountOut,
            summary="How many experts could be drawn (agency, admin, supervisor): a count, never names")
def count(db: ReadDbSession, actor: PoolCounter, specialty: Annotated[str | None, Query(max_length=32)] = None,
          region: Annotated[str | None, Query(max_length=100)] = None) -> proto.ExpertCountOut:
    return proto.ExpertCountOut(count=service.count_experts(db, specialty=specialty, region=region))


@router.get("/me", response_model=proto.ExpertOut, summary="Your own record (expert)")
def me(db: ReadDbSession, actor: ExpertSelf) -> proto.ExpertOut:
    return service.expert_out(db, service.own_record(db, actor=actor))


@router.get("/me/invitations", response_model=proto.InvitationListOut, summary="Your invitations (expert)")
def my_invitations(db: ReadDbSession, actor: ExpertSelf) -> proto.InvitationListOut:
    return proto.InvitationListOut(invitations=service.invitations(db, actor=actor))


@router.get("/me/relations", response_model=proto.RelationListOut,
            summary="Your declared relations, withdrawn ones too (expert)")
def my_relations(db: ReadDbSession, actor: ExpertSelf) -> proto.RelationListOut:
    return proto.RelationListOut(relations=[service.relation_out(r)
                                            for r in service.my_relations(db, actor=actor)])


@router.post("/me/relations", response_model=proto.RelationOut, status_code=201,
             summary="Declare a relation of your own (12号令 Art. 12); draws exclude you from then on (expert)")
def declare_relation(body: proto.RelationIn, db: DbSession, actor: ExpertSelf) -> proto.RelationOut:
    return service.relation_out(service.declare_relation(db, actor=actor, body=body))


@router.post("/me/relations/{relation_id}/withdraw", response_model=proto.RelationOut,
             summary="Withdraw a relation you declared (expert); it stays on record")
def withdraw_relation(relation_id: int, db: DbSession, actor: ExpertSelf) -> proto.RelationOut:
    return service.relation_out(service.withdraw_relation(db, actor=actor, relation_id=relation_id))


@router.post("/invitations/{invitation_id}/accept", response_model=proto.InvitationOut,
             summary="Accept an invitation before its deadline (the invited expert)")
def accept(invitation_id: int, db: DbSession, actor: ExpertSelf) -> proto.InvitationOut:
    return service.answer(db, actor=actor, invitation_id=invitation_id, accept=True)


@router.post("/invitations/{invitation_id}/decline", response_model=proto.InvitationOut,
             summary="Decline an invitation with a reason before its deadline; the next reserve is called")
def decline(invitation_id: int, body: proto.DeclineIn, db: DbSession, actor: ExpertSelf) -> proto.InvitationOut:
    return service.answer(db, actor=actor, invitation_id=invitation_id, accept=False, reason=body.reason)


@router.post("/draws", response_model=proto.DrawOut, status_code=201,
             summary="Commit to a draw for a tender you published (agency): snapshot hash and seed commitment")
def commit_draw(body: proto.DrawRequestIn, db: DbSession, settings: SettingsDep,
                actor: AgencyActor) -> proto.DrawOut:
    row = service.commit_draw(db, actor=actor, body=body, settings=settings)
    return service.draw_out(db, row, actor)


@router.post("/draws/{draw_id}/run", response_model=proto.DrawOut,
             summary="Run a committed draw and reveal its seed (the agency that made it)")
def run_draw(draw_id: str, db: DbSession, settings: SettingsDep, actor: AgencyActor) -> proto.DrawOut:
    row = service.run_draw(db, actor=actor, draw_id=draw_id, settings=settings)
    return service.draw_out(db, row, actor)


@router.post("/draws/{draw_id}/recheck", response_model=proto.DrawOut,
             summary="After the bid deadline, release drawn experts employed by or related to a bidder")
def recheck(draw_id: str, db: DbSession, actor: AgencyActor) -> proto.DrawOut:
    service.recheck_bidders(db, actor=actor, draw_id=draw_id)
    return service.draw_out(db, service.get_draw(db, draw_id=draw_id), actor)


@router.get("/draws/{draw_id}", response_model=proto.DrawOut,
            summary="A draw's progress (the agency that made it, the supervisor); names per docs/experts.md")
def get_draw(draw_id: str, db: ReadDbSession, actor: CurrentActor) -> proto.DrawOut:
    row = service.get_draw(db, draw_id=draw_id)
    if not service.may_follow(row, actor):
        raise DomainError("experts.draw_not_found", f"there is no draw {draw_id[:40]!r} of yours", status=404)
    return service.draw_out(db, row, actor)


@router.get("/draws/{draw_id}/record", summary="The verifiable draw record (signed in): ids, never names")
def draw_record(draw_id: str, db: ReadDbSession, actor: CurrentActor) -> dict[str, object]:
    return service.draw_record(service.get_draw(db, draw_id=draw_id), db)


@router.get("/{expert_id}", response_model=proto.ExpertOut, summary="One expert with history (admin, supervisor)")
def get_expert(expert_id: str, db: ReadDbSession, actor: PoolReader) -> proto.ExpertOut:
    return service.expert_out(db, service.get_expert(db, expert_id=expert_id))


@router.post("/{expert_id}/status", response_model=proto.ExpertOut,
             summary="Suspend, renew or dismiss an expert, with a reason (admin)")
def change_status(expert_id: str, body: proto.StatusChangeIn, db: DbSession, actor: PoolAdmin) -> proto.ExpertOut:
    return service.expert_out(db, service.change_status(db, actor=actor, expert_id=expert_id, body=body))


@router.post("/{expert_id}/relations", response_model=proto.RelationOut, status_code=201,
             summary="Record a declared relation (12号令 Art. 12) of an expert (admin)")
def add_relation(expert_id: str, body: proto.RelationIn, db: DbSession, actor: PoolAdmin) -> proto.RelationOut:
    return service.relation_out(service.add_relation(db, actor=actor, expert_id=expert_id, body=body))
