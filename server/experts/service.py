"""The expert pool, the verifiable committee draw, invitations and reserves (docs/experts.md).

Services take keyword arguments, flush but never commit, and raise DomainError, never HTTP errors. Every
change appends to the audit trail in the same transaction; the draw's progress is published on the live
channel ``draw:<id>`` (readable by the owning agency and the supervisor).
"""

from __future__ import annotations

import csv
import gc
import io
import json
import secrets
import uuid
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from operator import itemgetter
from typing import Any

from pydantic import ValidationError
from sqlalchemy import and_, case, delete, func, or_, select, text
from sqlalchemy.orm import Session

from bidclient.protocol import experts as proto
from bidclient.protocol.common import canonical_json
from bidclient.protocol.tender import Evaluation, Lot
from crypto.identity import is_valid_uscc
from server import clock
from server.audit import chain
from server.auth.models import Role, RoleGrant
from server.auth.service import Actor
from server.experts.models import Draw, Expert, ExpertSpecialty, Mail, Pick, Relation, Specialty, StatusEvent
from server.live import service as live
from server.problems import DomainError
from server.settings import Settings
from server.tenders.models import Tender, TenderVersion

MAX_IMPORT_ROWS = 200_000
ACTIVE_PICK_STATES = ("waiting", "pending", "accepted")
# How much of a draw's order the commitment keeps for the run: enough for any usual committee (the largest
# request, 20 slots of 50 + 50, takes 2,000; region limits make the walk longer). A run that needs more ranks
# the whole snapshot again.
RANKING_HEAD = 5000


# --- specialties ----------------------------------------------------------------------------------

def list_specialties(db: Session) -> list[Specialty]:
    return list(db.execute(select(Specialty).order_by(Specialty.code)).scalars())


def put_specialty(db: Session, *, actor: Actor, code: str, body: proto.SpecialtyIn) -> Specialty:
    if not _matches(proto._CODE, code):
        raise DomainError("experts.specialty_code_invalid",
                          f"{code[:40]!r} is not a specialty code: letters, digits, '.', '_', '-', at most 32",
                          status=422)
    row = db.get(Specialty, code)
    if row is None:
        row = Specialty(code=code, name=body.name, category=body.category)
        db.add(row)
    else:
        row.name, row.category = body.name, body.category
    db.flush()
    chain.append(db, actor=actor.ref, action="expert.specialty_put", object_type="expert_specialty", object_id=code,
                 payload={"name": body.name, "category": body.category})
    return row


def _matches(pattern: str, value: str) -> bool:
    import re

    return re.match(pattern, value) is not None


# --- the pool ---------------------------------------------------------------------------------------

def _specialties_of(db: Session, expert_ids: Sequence[str]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {i: [] for i in expert_ids}
    for chunk in _chunks(list(expert_ids), 500):
        for expert_id, code in db.execute(select(ExpertSpecialty.expert_id, ExpertSpecialty.specialty)
                                          .where(ExpertSpecialty.expert_id.in_(chunk))):
            out[expert_id].append(code)
    return {k: sorted(v) for k, v in out.items()}


def _chunks(items: list[Any], size: int) -> Iterable[list[Any]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


def expert_out(db: Session, row: Expert, *, full: bool = True) -> proto.ExpertOut:
    history: list[proto.StatusEventOut] = []
    relations: list[proto.RelationOut] = []
    if full:
        history = [proto.StatusEventOut(status=e.status, reason=e.reason, until=e.until, by=e.by, at=e.at)
                   for e in db.execute(select(StatusEvent).where(StatusEvent.expert_id == row.id)
                                       .order_by(StatusEvent.id)).scalars()]
        relations = [relation_out(r) for r in db.execute(select(Relation).where(Relation.expert_id == row.id)
                                         .order_by(Relation.id)).scalars()]
    return proto.ExpertOut(id=row.id, identity=row.identity_key, name=row.name, employer_uscc=row.employer_uscc,
                           employer_name=row.employer_name, specialties=_specialties_of(db, [row.id])[row.id],
                           region=row.region, title=row.title, email=row.email, phone=row.phone,
                           status=row.status, suspended_until=row.suspended_until, history=history,
                           relations=relations)


def get_expert(db: Session, *, expert_id: str) -> Expert:
    row = db.get(Expert, expert_id)
    if row is None:
        raise DomainError("experts.not_found", f"there is no expert {expert_id[:40]!r} in the pool", status=404)
    return row


def own_record(db: Session, *, actor: Actor) -> Expert:
    row = db.execute(select(Expert).where(Expert.identity_key == actor.identity_key)).scalar_one_or_none()
    if row is None:
        raise DomainError("experts.not_in_pool", f"{actor.identity_key} is not in the expert pool; ask the "
                          "platform's administrator to admit you", status=404)
    return row


def _pool_query(*, status: str | None, specialty: str | None, region: str | None) -> Any:
    query = select(Expert)
    if status:
        query = query.where(Expert.status == status)
    if region:
        query = query.where(Expert.region == region)
    if specialty:
        query = query.where(Expert.id.in_(select(ExpertSpecialty.expert_id)
                                          .where(ExpertSpecialty.specialty == specialty)))
    return query


# What the pool may be sorted by (``sort=name``, ``sort=-region``): the list's columns, then the id.
SORT_COLUMNS = {"name": Expert.name, "identity": Expert.identity_key, "employer": Expert.employer_name,
                "region": Expert.region, "title": Expert.title, "status": Expert.status}


def list_experts(db: Session, *, status: str | None, specialty: str | None, region: str | None,
                 limit: int, offset: int, name: str | None = None,
                 sort: str = "name") -> tuple[list[proto.ExpertOut], int]:
    """One page of the pool; ``name`` matches part of the name or the identity, ``sort`` is a key of
    SORT_COLUMNS, descending with a leading ``-``."""
    query = _pool_query(status=status, specialty=specialty, region=region)
    if name:
        query = query.where(Expert.name.contains(name, autoescape=True)
                            | Expert.identity_key.contains(name, autoescape=True))
    descending = sort.startswith("-")
    column = SORT_COLUMNS.get(sort.lstrip("-"))
    if column is None:
        raise DomainError("experts.sort_invalid", f"the pool cannot be sorted by {sort[:40]!r}; sort by one of "
                          f"{', '.join(SORT_COLUMNS)}, descending with a leading '-'", status=422)
    order: list[Any] = [column.desc(), Expert.id.desc()] if descending else [column, Expert.id]
    if column is not Expert.name:
        order.insert(1, Expert.name)
    total = db.execute(select(func.count()).select_from(query.subquery())).scalar_one()
    rows = list(db.execute(query.order_by(*order).limit(limit).offset(offset)).scalars())
    specialties = _specialties_of(db, [r.id for r in rows])
    # One query for the page's specialties, not one per row (expert_out asks for a single record's).
    out = [proto.ExpertOut(id=r.id, identity=r.identity_key, name=r.name, employer_uscc=r.employer_uscc,
                           employer_name=r.employer_name, specialties=specialties[r.id], region=r.region,
                           title=r.title, email=r.email, phone=r.phone, status=r.status,
                           suspended_until=r.suspended_until) for r in rows]
    return out, int(total)


def count_experts(db: Session, *, specialty: str | None, region: str | None) -> int:
    """How many experts could be drawn (status admitted or renewed): what an agency may know of the pool."""
    query = _pool_query(status=None, specialty=specialty, region=region).where(
        Expert.status.in_(proto.ELIGIBLE_STATUSES))
    return int(db.execute(select(func.count()).select_from(query.subquery())).scalar_one())


def change_status(db: Session, *, actor: Actor, expert_id: str, body: proto.StatusChangeIn) -> Expert:
    row = get_expert(db, expert_id=expert_id)
    now = clock.now()
    if row.status == "dismissed":
        raise DomainError("experts.dismissed", f"{row.name} was dismissed (解聘); a dismissed expert is not "
                          "changed again — admit them anew by import under a new record if they return", status=409)
    if body.status == "suspended":
        if body.until is None or body.until <= now:
            raise DomainError("experts.suspension_until", "a suspension (暂停) needs an until-date in the future",
                              status=422)
    elif body.until is not None:
        raise DomainError("experts.suspension_until", "only a suspension has an until-date", status=422)
    row.status = body.status
    row.suspended_until = body.until if body.status == "suspended" else None
    row.updated_at = now
    db.add(StatusEvent(expert_id=row.id, status=body.status, reason=body.reason, until=body.until,
                       by=actor.identity_key, at=now))
    db.flush()
    chain.append(db, actor=actor.ref, action="expert.status", object_type="expert", object_id=row.id,
                 payload={"status": body.status, "reason": body.reason,
                          "until": clock.isoformat(body.until) if body.until else None})
    return row


def _active_relation(now: datetime) -> Any:
    """A relation that excludes: not withdrawn, and without an end or ending after ``now``."""
    return and_(Relation.withdrawn_at.is_(None), or_(Relation.until.is_(None), Relation.until > now))


def relation_out(row: Relation) -> proto.RelationOut:
    return proto.RelationOut(id=row.id, kind=row.kind, uscc=row.uscc, note=row.note,  # type: ignore[arg-type]
                             until=row.until, source=row.source, declared_at=row.declared_at,  # type: ignore[arg-type]
                             withdrawn_at=row.withdrawn_at)


def _new_relation(db: Session, *, actor: Actor, expert: Expert, body: proto.RelationIn, source: str,
                  action: str) -> Relation:
    if body.kind != "punished" and body.uscc is None:
        raise DomainError("experts.relation_uscc", f"a {body.kind} relation names the enterprise it concerns by "
                          "its 统一社会信用代码 (uscc)", status=422)
    if body.uscc is not None and not is_valid_uscc(body.uscc):
        raise DomainError("experts.uscc_invalid", f"{body.uscc} is not a valid 统一社会信用代码: its check "
                          "character does not match", status=422)
    if body.until is not None and body.until <= clock.now():
        raise DomainError("experts.relation_until", "a relation's end (until) lies in the future; a relation "
                          "that has ended is not declared", status=422)
    relation = Relation(expert_id=expert.id, kind=body.kind, uscc=body.uscc, note=body.note, until=body.until,
                        source=source, declared_at=clock.now(), withdrawn_at=None)
    db.add(relation)
    db.flush()
    chain.append(db, actor=actor.ref, action=action, object_type="expert", object_id=expert.id,
                 payload={**body.model_dump(mode="json"), "relation_id": relation.id})
    return relation


def add_relation(db: Session, *, actor: Actor, expert_id: str, body: proto.RelationIn) -> Relation:
    """The administrator records a relation for an expert (e.g. from a paper declaration)."""
    return _new_relation(db, actor=actor, expert=get_expert(db, expert_id=expert_id), body=body, source="admin",
                         action="expert.relation_add")


def my_relations(db: Session, *, actor: Actor) -> list[Relation]:
    """The signed-in expert's relations, those the administrator recorded and their own, withdrawn ones too."""
    expert = own_record(db, actor=actor)
    return list(db.execute(select(Relation).where(Relation.expert_id == expert.id).order_by(Relation.id)).scalars())


def declare_relation(db: Session, *, actor: Actor, body: proto.RelationIn) -> Relation:
    """The signed-in expert declares a relation of their own (12号令 Art. 12); draws exclude them from then on."""
    expert = own_record(db, actor=actor)
    if expert.status == "dismissed":
        raise DomainError("experts.dismissed", f"{expert.name} was dismissed (解聘); the record is not changed "
                          "again", status=409)
    return _new_relation(db, actor=actor, expert=expert, body=body, source="self", action="expert.relation_declare")


def withdraw_relation(db: Session, *, actor: Actor, relation_id: int) -> Relation:
    """The signed-in expert withdraws a relation they declared themselves. Another expert's relation, and one
    the administrator recorded, is "not found" to them (nothing reveals that it exists)."""
    expert = own_record(db, actor=actor)
    row = db.execute(select(Relation).where(Relation.id == relation_id).with_for_update()).scalar_one_or_none()
    if row is None or row.expert_id != expert.id:
        raise DomainError("experts.relation_not_found", f"you declared no relation {relation_id}", status=404)
    if row.source != "self":
        raise DomainError("experts.relation_not_yours", "the administrator recorded this relation; only the "
                          "administrator changes it — ask them", status=403)
    if row.withdrawn_at is not None:
        raise DomainError("experts.relation_withdrawn", f"relation {relation_id} was withdrawn already at "
                          f"{clock.isoformat(row.withdrawn_at)}", status=409)
    row.withdrawn_at = clock.now()
    db.flush()
    chain.append(db, actor=actor.ref, action="expert.relation_withdraw", object_type="expert", object_id=expert.id,
                 payload={"relation_id": row.id, "kind": row.kind, "uscc": row.uscc})
    return row


# --- CSV -----------------------------------------------------------------------------------------------

@dataclass
class _Row:
    line: int
    values: dict[str, str]
    specialties: list[str]


def import_csv(db: Session, *, actor: Actor, data: bytes) -> proto.ImportOut:
    """Admit or update experts from a CSV (UTF-8, header row of proto.CSV_COLUMNS; extra columns such as the
    export's status are ignored). All or nothing: any bad row refuses the whole file with a row report."""
    try:
        content = data.decode("utf-8-sig")
    except UnicodeDecodeError as ex:
        raise DomainError("experts.csv_encoding", f"the file is not UTF-8 (byte {ex.start}); save it as "
                          "'CSV UTF-8'", status=422) from None
    reader = csv.reader(io.StringIO(content, newline=""))
    try:
        header = [h.strip().lower() for h in next(reader)]
    except StopIteration:
        raise DomainError("experts.csv_empty", "the file is empty: it needs a header row and one row per expert",
                          status=422) from None
    except csv.Error as ex:
        raise DomainError("experts.csv_invalid", f"the file is not CSV: {ex}", status=422) from None
    missing = [c for c in proto.CSV_COLUMNS if c not in header]
    if missing:
        raise DomainError("experts.csv_columns", f"the header lacks the columns {', '.join(missing)} (expected: "
                          f"{','.join(proto.CSV_COLUMNS)})", status=422)
    known = {s.code for s in list_specialties(db)}
    rows: list[_Row] = []
    report: list[proto.ImportRowError] = []
    seen: dict[str, int] = {}
    try:
        for record in reader:
            line = reader.line_num
            if not any(v.strip() for v in record):
                continue
            if len(rows) + len(report) >= MAX_IMPORT_ROWS:
                raise DomainError("experts.csv_too_large", f"at most {MAX_IMPORT_ROWS} experts per file",
                                  status=413)
            if len(record) != len(header):
                report.append(proto.ImportRowError(row=line, errors=[
                    f"{len(record)} fields where the header has {len(header)}"]))
                continue
            values = {h: v.strip() for h, v in zip(header, record, strict=True)}
            errors, specialties = _row_errors(values, known)
            identity = values["identity"]
            if identity in seen:
                errors.append(f"the identity {identity} is also on line {seen[identity]}")
            elif identity:
                seen[identity] = line
            if errors:
                report.append(proto.ImportRowError(row=line, errors=errors))
            else:
                rows.append(_Row(line, values, specialties))
    except csv.Error as ex:
        raise DomainError("experts.csv_invalid", f"the file is not CSV (line {reader.line_num}): {ex}",
                          status=422) from None
    if report:
        raise DomainError("experts.csv_rows_invalid", f"{len(report)} rows are not valid; nothing was imported. "
                          "Correct them and import the whole file again", status=422,
                          rows=[r.model_dump() for r in report[:1000]])
    if not rows:
        raise DomainError("experts.csv_empty", "the file has a header but no experts", status=422)
    out = _apply_rows(db, actor=actor, rows=rows)
    analyze_pool(db)
    return out


def analyze_pool(db: Session) -> None:
    """Refresh the database's statistics of the pool (ANALYZE of the experts and their specialty links), as
    the import does after changing it. With them the planner reads a draw's candidates through the pool's
    covering index and the links in expert order (docs/experts.md, "At scale"); without them SQLite takes the
    table and the specialty index, 2-3 times slower at 100,000 experts. A few tenths of a second at that size."""
    db.flush()
    if db.get_bind().dialect.name == "postgresql":
        db.execute(text("ANALYZE expert, expert_specialty_link"))
    else:
        db.execute(text("ANALYZE expert"))
        db.execute(text("ANALYZE expert_specialty_link"))


def _row_errors(values: dict[str, str], known: set[str]) -> tuple[list[str], list[str]]:
    errors: list[str] = []
    identity = values["identity"]
    if not _matches(r"^(person|uscc):\S.{0,290}$", identity):
        errors.append("identity must be person:<name as in the certificate> or uscc:<code>")
    for column, limit in (("name", 300), ("employer_name", 300), ("region", 100)):
        if not values[column]:
            errors.append(f"{column} is empty")
        elif len(values[column]) > limit:
            errors.append(f"{column} is longer than {limit} characters")
    for column, limit in (("title", 100), ("phone", 50), ("email", 300)):
        if len(values[column]) > limit:
            errors.append(f"{column} is longer than {limit} characters")
    uscc = values["employer_uscc"].upper()
    if not _matches(proto._USCC, uscc):
        errors.append(f"employer_uscc {values['employer_uscc'][:30]!r} is not 18 characters of a 统一社会信用代码")
    elif not is_valid_uscc(uscc):
        errors.append(f"employer_uscc {uscc} has a wrong check character")
    email = values["email"]
    if email and not _matches(r"^[^@\s,;<>]+@[^@\s,;<>]+\.[^@\s,;<>]+$", email):
        errors.append(f"email {email[:60]!r} is not an e-mail address")
    specialties = sorted({s.strip() for s in values["specialties"].replace(",", ";").split(";") if s.strip()})
    if not specialties:
        errors.append("specialties is empty (codes separated by ';')")
    unknown = [s for s in specialties if s not in known]
    if unknown:
        errors.append(f"unknown specialties: {', '.join(unknown)} (the administrator adds codes first)")
    return errors, specialties


def _apply_rows(db: Session, *, actor: Actor, rows: list[_Row]) -> proto.ImportOut:
    """Create or update every row's expert, in a few statements for the whole file: the experts, then their
    specialties, then the role grants, each with its audit entries appended in one move of the chain's head."""
    now = clock.now()
    identities = [r.values["identity"] for r in rows]
    existing = {e.identity_key: e for chunk in _chunks(identities, 500)
                for e in db.execute(select(Expert).where(Expert.identity_key.in_(chunk))).scalars()}
    granted = {key for chunk in _chunks(identities, 500)
               for key in db.execute(select(RoleGrant.identity_key).where(RoleGrant.identity_key.in_(chunk),
                                                                          RoleGrant.role == Role.EXPERT.value)
                                     ).scalars()}
    for chunk in _chunks([e.id for e in existing.values()], 500):  # an update replaces the specialties
        db.execute(delete(ExpertSpecialty).where(ExpertSpecialty.expert_id.in_(chunk)))
    created = updated = 0
    records: list[chain.Record] = []
    specialties: list[ExpertSpecialty] = []
    for row in rows:
        v = row.values
        fields = {"name": v["name"], "employer_uscc": v["employer_uscc"].upper(), "employer_name": v["employer_name"],
                  "region": v["region"], "title": v["title"], "email": v["email"], "phone": v["phone"]}
        expert = existing.get(v["identity"])
        if expert is None:
            expert = Expert(id=str(uuid.uuid4()), identity_key=v["identity"], status="admitted",
                            suspended_until=None, created_at=now, updated_at=now, **fields)
            db.add(expert)
            db.add(StatusEvent(expert_id=expert.id, status="admitted", reason="imported", until=None,
                               by=actor.identity_key, at=now))
            created += 1
            action = "expert.admit"
        else:
            for key, value in fields.items():
                setattr(expert, key, value)
            expert.updated_at = now
            updated += 1
            action = "expert.update"
        specialties.extend(ExpertSpecialty(expert_id=expert.id, specialty=s) for s in row.specialties)
        records.append(chain.Record(action, "expert", expert.id,
                                    {**fields, "identity": v["identity"], "specialties": row.specialties}))
    db.flush()  # the experts exist before their specialties refer to them
    db.add_all(specialties)
    chain.append_all(db, actor=actor.ref, records=records, when=now)
    new_grants = [identity for identity in dict.fromkeys(identities) if identity not in granted]
    if new_grants:  # as auth.service.grant_role records each grant, for the whole file at once
        db.add_all([RoleGrant(id=str(uuid.uuid4()), identity_key=identity, role=Role.EXPERT.value,
                              granted_by=actor.identity_key, granted_at=now) for identity in new_grants])
        chain.append_all(db, actor=chain.ActorRef(actor.identity_key), when=now, records=[
            chain.Record("auth.grant_role", "identity", identity, {"role": Role.EXPERT.value})
            for identity in new_grants])
    db.flush()
    return proto.ImportOut(created=created, updated=updated)


def export_csv(db: Session) -> bytes:
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([*proto.CSV_COLUMNS, "status", "suspended_until"])
    offset = 0
    while True:
        rows = list(db.execute(select(Expert).order_by(Expert.identity_key).limit(2000).offset(offset)).scalars())
        if not rows:
            break
        specialties = _specialties_of(db, [r.id for r in rows])
        for r in rows:
            writer.writerow([r.identity_key, r.name, r.employer_uscc, r.employer_name, ";".join(specialties[r.id]),
                             r.region, r.title, r.email, r.phone, r.status,
                             clock.isoformat(r.suspended_until) if r.suspended_until else ""])
        offset += len(rows)
    return ("\ufeff" + out.getvalue()).encode("utf-8")  # the BOM: spreadsheet programs then read UTF-8


# --- the draw -------------------------------------------------------------------------------------

def _tender_facts(db: Session, tender: Tender) -> tuple[Evaluation, list[Lot], datetime]:
    """The tender's evaluation object (empty if absent), its lots, and its current bid deadline."""
    version = db.execute(select(TenderVersion).where(TenderVersion.tender_id == tender.id,
                                                     TenderVersion.version == tender.current_version)).scalar_one()
    evaluation, lots = Evaluation(), []
    try:
        definition = json.loads(version.definition)
        if isinstance(definition, dict):
            if isinstance(definition.get("evaluation"), dict):
                evaluation = Evaluation.model_validate(definition["evaluation"])
            lots = [Lot.model_validate(lot) for lot in definition.get("lots") or []]
    except (ValueError, ValidationError):
        pass  # a published definition was checked at publication; nothing more to learn here
    return evaluation, lots, version.deadline


def _owned_tender(db: Session, actor: Actor, tender_id: str) -> Tender:
    tender = db.get(Tender, tender_id)
    if tender is None or tender.agency_account_id != actor.account_id:
        raise DomainError("experts.tender_not_found", f"you published no tender {tender_id[:64]!r}", status=404)
    return tender


def _bidders(db: Session, tender_id: str) -> set[str]:
    from server.submissions.models import Submission

    keys = db.execute(select(Submission.identity_key).where(Submission.tender_id == tender_id,
                                                            Submission.status == "active")).scalars()
    return {k.removeprefix("uscc:") for k in keys if k.startswith("uscc:")}


def _busy_query(*, starts_at: datetime, ends_at: datetime, exclude_draw: str) -> Any:
    """(expert, draw) of experts drawn (member or reserve, not released) for another committee whose time
    overlaps."""
    return (select(Pick.expert_id, Draw.id).join(Draw, Draw.id == Pick.draw_id)
            .where(Draw.state == "drawn", Draw.id != exclude_draw, Pick.state.in_(ACTIVE_PICK_STATES),
                   Draw.starts_at < ends_at, Draw.ends_at > starts_at))


def _busy(db: Session, *, starts_at: datetime, ends_at: datetime, exclude_draw: str) -> dict[str, str]:
    db.flush()
    return {expert_id: draw_id for expert_id, draw_id in db.connection().execute(
        _busy_query(starts_at=starts_at, ends_at=ends_at, exclude_draw=exclude_draw))}


def _recent_query(*, tenderer: str, starts_at: datetime, days: int) -> Any:
    """(expert, draw) of experts who accepted a committee of the same tenderer ending within ``days`` before
    ``starts_at``; None when the rule is off (``days`` 0)."""
    if days <= 0:
        return None
    return (select(Pick.expert_id, Draw.id).join(Draw, Draw.id == Pick.draw_id)
            .where(Draw.state == "drawn", Pick.state == "accepted", Draw.tenderer_uscc == tenderer,
                   Draw.ends_at <= starts_at, Draw.ends_at > starts_at - timedelta(days=days)))


# Why an expert is not a candidate, in the order docs/experts.md lists the rules: the eligibility statement
# gives the index of the first that applies (0: none, a candidate).
_REASONS = ("", "status", "employer_is_tenderer", "employer_is_bidder", "declared_relation", "recent_service",
            "overlapping_draw")


class _SpecialtyLists(dict[int, list[str]]):
    """An expert's requested specialties from the bit mask the eligibility statement sums (bit i: the i-th
    code in code order): one sorted list per distinct mask, shared by every entry with that mask (a handful of
    lists for 80,000 entries, none built or sorted per expert). Nobody changes an entry's list."""

    def __init__(self, codes: Sequence[str]) -> None:
        super().__init__()
        self._codes = codes

    def __missing__(self, mask: int) -> list[str]:
        value = self[mask] = [code for bit, code in enumerate(self._codes) if mask >> bit & 1]
        return value


def _eligibility(db: Session, *, draw_id: str, tenderer: str, bidders: set[str], starts_at: datetime,
                 ends_at: datetime, recent_days: int, specialties: set[str]
                 ) -> tuple[list[list[Any]], list[dict[str, str]]]:
    """The candidates of the requested specialties, as snapshot entries ``[id, region, [specialties]]``
    sorted by id, and the exclusions among them, each with its reason.

    One statement decides, in the database, for every expert of the requested specialties: their region,
    which of those specialties they have (a bit mask summed over their specialty links, decoded through a
    table of a few lists), and the first exclusion reason that applies (a CASE over the expert's own columns
    and set-based subqueries, in the order of docs/experts.md) — so the candidates and the exclusions come
    from one consistent read, and Python evaluates no rule: it only puts each row in one list or the other.
    The details of the few excluded (which relation, which other draw) come from small queries after it."""
    now = clock.now()
    codes = sorted(specialties)
    parties = sorted({tenderer, *bidders} - {""})
    active_relation = _active_relation(now)
    relation_hit = or_(Relation.kind == "punished", Relation.uscc.in_(parties)) if parties else (
        Relation.kind == "punished")
    related_ids = select(Relation.expert_id).where(active_relation, relation_hit)
    busy_ids = _busy_query(starts_at=starts_at, ends_at=ends_at, exclude_draw=draw_id).with_only_columns(
        Pick.expert_id)
    recent_ids = _recent_query(tenderer=tenderer, starts_at=starts_at, days=recent_days)
    whens: list[Any] = [(Expert.status.notin_(proto.ELIGIBLE_STATUSES), 1)]
    if tenderer:
        whens.append((Expert.employer_uscc == tenderer, 2))
    if bidders:
        whens.append((Expert.employer_uscc.in_(sorted(bidders)), 3))
    whens.append((Expert.id.in_(related_ids), 4))
    if recent_ids is not None:
        whens.append((Expert.id.in_(recent_ids.with_only_columns(Pick.expert_id)), 5))
    whens.append((Expert.id.in_(busy_ids), 6))
    # Per expert of the requested specialties, which of them they have: a link is unique per expert and
    # specialty, so the sum of the codes' bits is the set of them.
    links = (select(ExpertSpecialty.expert_id.label("expert_id"),
                    func.sum(case({code: 1 << bit for bit, code in enumerate(codes)},
                                  value=ExpertSpecialty.specialty, else_=0)).label("bits"))
             .where(ExpertSpecialty.specialty.in_(codes)).group_by(ExpertSpecialty.expert_id).subquery("links"))
    query = (select(Expert.id, Expert.region, links.c.bits, case(*whens, else_=0),
                    case((Expert.status.notin_(proto.ELIGIBLE_STATUSES), Expert.status), else_=None))
             .select_from(links).join(Expert, Expert.id == links.c.expert_id))
    # Through the session's connection (its transaction; flushed first, as the ORM would), all rows at once as
    # plain tuples: no ORM and no per-row fetch (87,000 rows at 100,000 experts).
    db.flush()
    rows = db.connection().execute(query).all()
    lists = _SpecialtyLists(codes)
    entries: list[list[Any]] = []
    excluded: list[dict[str, str]] = []  # as proto.Exclusion, kept plain: there may be thousands
    add_entry, add_excluded = entries.append, excluded.append
    for expert_id, region, bits, why, status in rows:
        if why:
            add_excluded({"id": expert_id, "reason": _REASONS[why], "detail": status or ""})
        else:
            add_entry([expert_id, region, lists[bits]])
    entries.sort(key=itemgetter(0))  # by code point, whatever the database's collation (cheap when in order)
    if excluded:
        _exclusion_details(db, excluded, now=now, parties=parties, related_ids=related_ids,
                           busy=_busy_query(starts_at=starts_at, ends_at=ends_at, exclude_draw=draw_id),
                           recent=recent_ids)
    return entries, sorted(excluded, key=itemgetter("id"))


def _exclusion_details(db: Session, excluded: list[dict[str, str]], *, now: datetime, parties: list[str],
                       related_ids: Any, busy: Any, recent: Any) -> None:
    """Fill in which relations, and which other draw, excluded an expert (a few small queries)."""
    kinds: dict[str, set[str]] = {}
    if any(e["reason"] == "declared_relation" for e in excluded):
        hit = or_(Relation.kind == "punished", Relation.uscc.in_(parties)) if parties else (
            Relation.kind == "punished")
        for expert_id, kind in db.execute(select(Relation.expert_id, Relation.kind).where(
                _active_relation(now), hit)):
            kinds.setdefault(expert_id, set()).add(kind)
    draws: dict[str, dict[str, str]] = {"recent_service": {}, "overlapping_draw": {}}
    if recent is not None and any(e["reason"] == "recent_service" for e in excluded):
        draws["recent_service"] = {expert_id: draw_id for expert_id, draw_id in db.execute(recent)}
    if any(e["reason"] == "overlapping_draw" for e in excluded):
        draws["overlapping_draw"] = {expert_id: draw_id for expert_id, draw_id in db.execute(busy)}
    for e in excluded:
        if e["reason"] == "declared_relation":
            e["detail"] = ",".join(sorted(kinds.get(e["id"], ())))
        elif e["reason"] in draws:
            e["detail"] = draws[e["reason"]].get(e["id"], "")


def _shortages(entries: Sequence[Sequence[Any]], slots: Sequence[proto.Slot],
               short: dict[int, int] | None = None) -> list[dict[str, Any]]:
    """The slots the candidates cannot fill (members and reserves), each slot on its own. Counting stops as
    soon as a slot is known to be fillable, so a large pool is not walked once per slot."""
    out = []
    for index, slot in enumerate(slots):
        regions = set(slot.regions)
        needed = slot.count + slot.reserves
        if short is not None:
            lacking = short[index]
            available = needed - lacking
        else:
            available = 0
            for entry in entries:
                if slot.specialty in entry[2] and (not regions or entry[1] in regions):
                    available += 1
                    if available >= needed:
                        break
            lacking = needed - available
        if lacking > 0:
            out.append({"slot": index, "specialty": slot.specialty, "regions": slot.regions, "needed": needed,
                        "available": available})
    return out


def _short_error(shortages: list[dict[str, Any]]) -> DomainError:
    parts = [f"{s['specialty']}{' in ' + '/'.join(s['regions']) if s['regions'] else ''}: "
             f"{s['needed']} needed (members and reserves), {s['available']} available" for s in shortages]
    return DomainError("experts.pool_too_small", "the pool cannot fill the committee; nothing was drawn. "
                       + "; ".join(parts), status=409, short=shortages)


class _LazyArray(Sequence[Any]):
    """The items of a JSON array the server wrote itself (``[item,item,…]``, compact), decoded one by one
    only as far as they are read."""

    def __init__(self, text: str, start: int = 0) -> None:
        self._text = text
        self._items: list[Any] = []
        self._pos = start + 1  # after "["
        self._done = text[start + 1:start + 2] == "]"
        self._decode = json.JSONDecoder().raw_decode

    def __getitem__(self, index: int) -> Any:  # type: ignore[override]
        while len(self._items) <= index and not self._done:
            item, end = self._decode(self._text, self._pos)
            self._items.append(item)
            self._done = self._text[end] == "]"
            self._pos = end + 1
        return self._items[index]

    def __len__(self) -> int:
        while not self._done:
            self[len(self._items)]
        return len(self._items)


@contextmanager
def _bulk() -> Iterator[None]:
    """No cyclic garbage collection while a draw builds its tens of thousands of rows and entries.

    Every few hundred new lists, tuples or dicts, CPython's collector runs, and as the new objects pile up it
    walks every tracked object of the process again (the server's modules, the ORM, all the entries so far):
    at 100,000 experts that was a third of the time spent reading the pool. None of these objects forms a
    cycle (reference counting frees them), so the collector is paused for these few hundred milliseconds and
    runs again afterwards, as it was (it stays off if someone else had turned it off)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _lock_draws(db: Session) -> None:
    """Draws run one at a time (two agencies never take the same expert for overlapping committees).
    SQLite serialises writers already; PostgreSQL takes a transaction-scoped advisory lock."""
    if db.get_bind().dialect.name == "postgresql":
        db.execute(text("SELECT pg_advisory_xact_lock(hashtext('bidclient.expert_draw'))"))


def commit_draw(db: Session, *, actor: Actor, body: proto.DrawRequestIn, settings: Settings) -> Draw:
    """Check the request, fix the eligible pool (snapshot) and commit to a secret seed; nothing is drawn yet.
    The commitment and the snapshot hash are published (audit trail, live channel) before any run."""
    now = clock.now()
    tender = _owned_tender(db, actor, body.tender_id)
    evaluation, lots, deadline = _tender_facts(db, tender)
    categories = {s.code: s.category for s in list_specialties(db)}
    try:
        size = proto.check_committee(body.slots, representatives=body.representatives, categories=categories,
                                     budget=evaluation.committee_budget(lots), complex_project=evaluation.complex)
    except proto.CommitteeError as ex:
        raise DomainError(ex.code, str(ex), status=422) from None
    if not now < body.respond_by <= body.starts_at < body.ends_at:
        raise DomainError("experts.draw_times", "the times must follow each other: now < respond_by ≤ starts_at "
                          "< ends_at", status=422)
    _lock_draws(db)
    active = db.execute(select(Draw).where(Draw.tender_id == tender.id, Draw.state.in_(("committed", "drawn")))
                        .with_for_update()).scalars().all()
    if body.replaces is None and active:
        raise DomainError("experts.draw_exists", f"tender {tender.id} has draw {active[0].id} already; a redraw "
                          "names it (replaces) and says why (reason) — nothing is redrawn silently", status=409,
                          draw_id=active[0].id)
    replaced: Draw | None = None
    if body.replaces is not None:
        replaced = next((d for d in active if d.id == body.replaces), None)
        if replaced is None:
            raise DomainError("experts.draw_not_found", f"tender {tender.id} has no current draw "
                              f"{body.replaces[:40]!r} to replace", status=404)
        if not body.reason.strip():
            raise DomainError("experts.redraw_reason", "a redraw needs a reason; it is kept in the audit trail",
                              status=422)
    tenderer = body.tenderer_uscc or evaluation.tenderer_uscc or _agency_uscc(db, tender)
    bidders = _bidders(db, tender.id) if now >= deadline else set()
    draw_id = str(uuid.uuid4())
    with _bulk():
        entries, exclusions = _eligibility(
            db, draw_id=replaced.id if replaced else draw_id, tenderer=tenderer, bidders=bidders,
            starts_at=body.starts_at, ends_at=body.ends_at, recent_days=settings.expert_recent_service_days,
            specialties={s.specialty for s in body.slots})
        shortages = _shortages(entries, body.slots)
        if shortages or len(entries) < sum(s.count + s.reserves for s in body.slots):
            raise _short_error(shortages or [{"slot": -1, "specialty": "all", "regions": [],
                                              "needed": sum(s.count + s.reserves for s in body.slots),
                                              "available": len(entries)}])
        seed = secrets.token_hex(32)
        # The snapshot document as published (proto.snapshot_document's shape: entries sorted by id).
        snapshot = canonical_json({"format": proto.SNAPSHOT_FORMAT, "draw_id": draw_id, "tender_id": tender.id,
                                   "candidates": entries})
        # The ranking is fixed by the seed and the snapshot: computed now, kept private with the seed, so that
        # the run (inside the one-at-a-time draw lock) reads only as much of it as the slots need. Its head is
        # enough for any usual committee; a run that walks past it ranks the whole snapshot again.
        ranking = ('{"complete":%s,"order":' % ("true" if len(entries) <= RANKING_HEAD else "false")
                   + json.dumps(proto.rank_head(entries, seed, RANKING_HEAD), separators=(",", ":"),
                                ensure_ascii=False) + "}")
    if replaced is not None:
        _supersede(db, actor=actor, draw=replaced, by=draw_id, reason=body.reason)
    request = body.model_dump(mode="json")
    row = Draw(id=draw_id, tender_id=tender.id, agency_account_id=actor.account_id, state="committed",
               request=canonical_json(request).decode("utf-8"), committee_size=size, starts_at=body.starts_at,
               ends_at=body.ends_at, respond_by=body.respond_by, tenderer_uscc=tenderer, seed=seed,
               commitment=proto.commitment(seed), snapshot=snapshot.decode("utf-8"),
               snapshot_sha256=proto.snapshot_sha256(snapshot), ranking=ranking,
               exclusions=json.dumps(exclusions, separators=(",", ":")), skips="[]",
               bidders_checked=now >= deadline, replaces=body.replaces, reason=body.reason, superseded_by=None,
               created_at=now, drawn_at=None)
    db.add(row)
    db.flush()
    chain.append(db, actor=actor.ref, action="expert.draw_commit", object_type="expert_draw", object_id=draw_id,
                 payload={"tender_id": tender.id, "commitment": row.commitment,
                          "snapshot_sha256": row.snapshot_sha256, "request": request})
    live.publish(db, f"draw:{draw_id}", "draw.committed",
                 {"commitment": row.commitment, "snapshot_sha256": row.snapshot_sha256,
                  "candidates": len(entries), "excluded": len(exclusions)})
    return row


def _agency_uscc(db: Session, tender: Tender) -> str:
    from server.auth.models import Account

    account = db.get(Account, tender.agency_account_id)
    return (account.uscc if account is not None else None) or ""


def _supersede(db: Session, *, actor: Actor, draw: Draw, by: str, reason: str) -> None:
    draw.state = "superseded"
    draw.superseded_by = by
    now = clock.now()
    for pick in db.execute(select(Pick).where(Pick.draw_id == draw.id,
                                              Pick.state.in_(ACTIVE_PICK_STATES))).scalars():
        pick.state, pick.responded_at, pick.reason = "withdrawn", now, "the draw was replaced"
    db.flush()
    chain.append(db, actor=actor.ref, action="expert.draw_superseded", object_type="expert_draw", object_id=draw.id,
                 payload={"by": by, "reason": reason})
    live.publish(db, f"draw:{draw.id}", "draw.superseded", {"by": by, "reason": reason})


def get_draw(db: Session, *, draw_id: str) -> Draw:
    row = db.get(Draw, draw_id)
    if row is None:
        raise DomainError("experts.draw_not_found", f"there is no draw {draw_id[:40]!r}", status=404)
    return row


def _own_draw(db: Session, actor: Actor, draw_id: str, *, lock: bool = False) -> Draw:
    query = select(Draw).where(Draw.id == draw_id)
    if lock:
        query = query.with_for_update().execution_options(populate_existing=True)
    row = db.execute(query).scalar_one_or_none()
    if row is None or row.agency_account_id != actor.account_id:
        raise DomainError("experts.draw_not_found", f"you made no draw {draw_id[:40]!r}", status=404)
    return row


def run_draw(db: Session, *, actor: Actor, draw_id: str, settings: Settings) -> Draw:
    """Draw the committed committee and reveal the seed, all in this transaction (all or nothing). Experts
    taken since the commitment by an overlapping committee, or suspended or dismissed since, are skipped,
    each with its reason in the record. Running a drawn draw again changes nothing."""
    _lock_draws(db)
    row = _own_draw(db, actor, draw_id, lock=True)
    if row.state == "drawn":
        return row
    if row.state != "committed":
        raise DomainError("experts.draw_state", f"draw {row.id} is {row.state}; only a committed draw runs",
                          status=409)
    now = clock.now()
    slots = [proto.Slot.model_validate(s) for s in json.loads(row.request)["slots"]]
    busy = _busy(db, starts_at=row.starts_at, ends_at=row.ends_at, exclude_draw=row.id)
    statuses = dict(db.execute(select(Expert.id, Expert.status).where(Expert.status.notin_(
        proto.ELIGIBLE_STATUSES))).all())
    skipped = busy.keys() | statuses.keys()
    complete = row.ranking is not None and row.ranking.startswith('{"complete":true,')
    if row.ranking is not None:  # the server's own: the head of the order, decoded only as far as walked
        picks, short, met = proto.select_committee(_LazyArray(row.ranking, start=row.ranking.index("[")), slots,
                                                   skipped)
    if row.ranking is None or (any(short.values()) and not complete):
        picks, short, met = proto.select_committee(
            proto.rank(json.loads(row.snapshot)["candidates"], row.seed), slots, skipped)
    if any(short.values()):
        raise _short_error(_shortages([], slots, short))
    # Skipped: the candidates the walk passed over because they were taken by an overlapping committee, or
    # suspended or dismissed, since the commitment.
    skips = [proto.Skip(id=i, reason="overlapping_draw", detail=busy[i]) if i in busy
             else proto.Skip(id=i, reason="status", detail=statuses[i]) for i in met]
    for pick in picks:
        member = pick.role == "member"
        db.add(Pick(draw_id=row.id, expert_id=pick.id, slot=pick.slot, role=pick.role, position=pick.order,
                    state="pending" if member else "waiting", invited_at=now if member else None,
                    respond_by=row.respond_by if member else None, responded_at=None, reason=""))
    db.flush()
    row.state, row.drawn_at, row.skips = "drawn", now, json.dumps([s.model_dump() for s in skips])
    tender = db.get(Tender, row.tender_id)
    for pick_row in db.execute(select(Pick).where(Pick.draw_id == row.id, Pick.state == "pending")).scalars():
        _queue_mail(db, pick_row, row, tender)
    chain.append(db, actor=actor.ref, action="expert.draw_run", object_type="expert_draw", object_id=row.id,
                 payload={"seed": row.seed, "skips": [s.model_dump() for s in skips],
                          "picks": [p.model_dump() for p in picks]})
    live.publish(db, f"draw:{row.id}", "draw.drawn",
                 {"seed": row.seed, "members": sum(1 for p in picks if p.role == "member"),
                  "reserves": sum(1 for p in picks if p.role == "reserve"), "skipped": len(skips)})
    return row


def draw_record(row: Draw, db: Session) -> dict[str, Any]:
    """The published, verifiable record (docs/formats/expert-draw.md): ids only, never names."""
    picks = []
    if row.state in ("drawn", "superseded") and row.drawn_at is not None:
        picks = [proto.Pick(id=p.expert_id, slot=p.slot, role=p.role,  # type: ignore[arg-type]
                            order=p.position).model_dump()
                 for p in db.execute(select(Pick).where(Pick.draw_id == row.id)
                                     .order_by(Pick.slot, Pick.role, Pick.position)).scalars()]
    request = json.loads(row.request)
    return {"format": proto.DRAW_FORMAT, "draw_id": row.id, "tender_id": row.tender_id, "state": row.state,
            "slots": request["slots"], "representatives": request["representatives"],
            "commitment": row.commitment, "snapshot_sha256": row.snapshot_sha256,
            "snapshot": json.loads(row.snapshot), "exclusions": json.loads(row.exclusions),
            "seed": row.seed if row.drawn_at is not None else None, "skips": json.loads(row.skips),
            "picks": picks, "replaces": row.replaces, "reason": row.reason, "superseded_by": row.superseded_by}


def may_see_names(row: Draw, actor: Actor) -> bool:
    """The supervisor always; the agency once the evaluation has begun; nobody else."""
    if actor.has(Role.SUPERVISOR.value):
        return True
    return row.agency_account_id == actor.account_id and clock.now() >= row.starts_at


def may_follow(row: Draw, actor: Actor) -> bool:
    return actor.has(Role.SUPERVISOR.value) or row.agency_account_id == actor.account_id


def draw_out(db: Session, row: Draw, actor: Actor) -> proto.DrawOut:
    request = json.loads(row.request)
    picks = list(db.execute(select(Pick, Expert).join(Expert, Expert.id == Pick.expert_id)
                            .where(Pick.draw_id == row.id).order_by(Pick.slot, Pick.role, Pick.position)).all())
    counts: dict[str, int] = {}
    for pick, _expert in picks:
        counts[pick.state] = counts.get(pick.state, 0) + 1
    members = None
    if may_see_names(row, actor):
        members = [{"slot": p.slot, "role": p.role, "position": p.position, "state": p.state, "reason": p.reason,
                    "expert_id": e.id, "name": e.name, "employer_name": e.employer_name, "phone": e.phone,
                    "email": e.email} for p, e in picks]
    return proto.DrawOut(id=row.id, tender_id=row.tender_id, state=row.state, committee_size=row.committee_size,
                         slots=[proto.Slot.model_validate(s) for s in request["slots"]],
                         representatives=request["representatives"], starts_at=row.starts_at, ends_at=row.ends_at,
                         place=request["place"], respond_by=row.respond_by, commitment=row.commitment,
                         snapshot_sha256=row.snapshot_sha256, seed=row.seed if row.drawn_at else None,
                         counts=counts, members=members, replaces=row.replaces, reason=row.reason,
                         superseded_by=row.superseded_by)


# --- invitations ----------------------------------------------------------------------------------

def _queue_mail(db: Session, pick: Pick, draw: Draw, tender: Tender | None) -> None:
    expert = db.get(Expert, pick.expert_id)
    if expert is None or not expert.email:
        return
    place = json.loads(draw.request)["place"]
    title = tender.title if tender is not None else draw.tender_id
    # Time and place, never the bidders: an expert must not learn whom they will evaluate.
    body = (f"{expert.name}:\n\n您被抽取为评标委员会成员 / You are invited to an evaluation committee.\n\n"
            f"项目 / Project: {title} ({draw.tender_id})\n"
            f"时间 / Time: {clock.isoformat(draw.starts_at)} – {clock.isoformat(draw.ends_at)}\n"
            f"地点 / Place: {'远程异地评标 / remote' if place == 'remote' else place}\n"
            f"请在此之前答复 / Answer by: {clock.isoformat(pick.respond_by) if pick.respond_by else ''}\n\n"
            "请登录 bidclient 接受或谢绝 / Accept or decline in bidclient: bidclient experts invitations\n")
    now = clock.now()
    db.add(Mail(pick_id=pick.id, recipient=expert.email, subject=f"评标邀请 / Evaluation invitation: {title}",
                body=body, attempts=0, last_error="", next_attempt_at=now, sent_at=None, created_at=now))


def invitations(db: Session, *, actor: Actor) -> list[proto.InvitationOut]:
    expert = own_record(db, actor=actor)
    rows = db.execute(select(Pick, Draw, Tender).join(Draw, Draw.id == Pick.draw_id)
                      .join(Tender, Tender.id == Draw.tender_id)
                      .where(Pick.expert_id == expert.id, Pick.state != "waiting")
                      .order_by(Pick.invited_at.desc())).all()
    return [_invitation_out(p, d, t) for p, d, t in rows]


def _invitation_out(pick: Pick, draw: Draw, tender: Tender) -> proto.InvitationOut:
    assert pick.respond_by is not None
    return proto.InvitationOut(id=pick.id, draw_id=draw.id, tender_title=tender.title, starts_at=draw.starts_at,
                               ends_at=draw.ends_at, place=json.loads(draw.request)["place"],
                               respond_by=pick.respond_by, state=pick.state, reason=pick.reason)


def _own_invitation(db: Session, actor: Actor, invitation_id: int) -> tuple[Pick, Draw]:
    expert = own_record(db, actor=actor)
    pick = db.execute(select(Pick).where(Pick.id == invitation_id).with_for_update()
                      .execution_options(populate_existing=True)).scalar_one_or_none()
    if pick is None or pick.expert_id != expert.id or pick.state == "waiting":
        raise DomainError("experts.invitation_not_found", f"you have no invitation {invitation_id}", status=404)
    draw = db.get(Draw, pick.draw_id)
    assert draw is not None
    assert pick.respond_by is not None
    if pick.state not in ("pending", "expired"):
        raise DomainError("experts.invitation_answered", f"this invitation is {pick.state} already", status=409)
    if pick.state == "expired" or clock.now() > pick.respond_by:
        raise DomainError("experts.invitation_expired", f"the answer was due by {clock.isoformat(pick.respond_by)}; "
                          "a reserve is called instead", status=409)
    return pick, draw


def answer(db: Session, *, actor: Actor, invitation_id: int, accept: bool, reason: str = "") -> proto.InvitationOut:
    pick, draw = _own_invitation(db, actor, invitation_id)
    pick.state = "accepted" if accept else "declined"
    pick.responded_at, pick.reason = clock.now(), reason
    db.flush()
    chain.append(db, actor=actor.ref, action="expert.accept" if accept else "expert.decline",
                 object_type="expert_pick", object_id=str(pick.id), payload={"draw_id": draw.id, "reason": reason})
    live.publish(db, f"draw:{draw.id}", "invitation.accepted" if accept else "invitation.declined",
                 {"slot": pick.slot, "role": pick.role, "position": pick.position})
    if not accept:
        call_reserve(db, draw=draw, slot=pick.slot)
    tender = db.get(Tender, draw.tender_id)
    assert tender is not None
    return _invitation_out(pick, draw, tender)


def call_reserve(db: Session, *, draw: Draw, slot: int) -> Pick | None:
    """Invite the slot's next waiting reserve, in draw order; None (and a draw.short event) when none is left."""
    reserve = db.execute(select(Pick).where(Pick.draw_id == draw.id, Pick.slot == slot, Pick.state == "waiting")
                         .order_by(Pick.position).limit(1)).scalar_one_or_none()
    if reserve is None:
        live.publish(db, f"draw:{draw.id}", "draw.short", {"slot": slot})
        chain.append(db, actor=chain.SYSTEM, action="expert.reserves_exhausted", object_type="expert_draw",
                     object_id=draw.id, payload={"slot": slot})
        return None
    now = clock.now()
    window = max(draw.respond_by - (draw.drawn_at or now), timedelta(hours=1))
    reserve.state, reserve.invited_at = "pending", now
    # Before the evaluation: answer by its start. During it (an expert recused at the check-in): within the hour.
    reserve.respond_by = min(draw.starts_at, now + window) if now < draw.starts_at else now + timedelta(hours=1)
    db.flush()
    _queue_mail(db, reserve, draw, db.get(Tender, draw.tender_id))
    chain.append(db, actor=chain.SYSTEM, action="expert.reserve_called", object_type="expert_pick",
                 object_id=str(reserve.id), payload={"draw_id": draw.id, "slot": slot, "position": reserve.position})
    live.publish(db, f"draw:{draw.id}", "reserve.called", {"slot": slot, "position": reserve.position})
    return reserve


def expire_unanswered(db: Session) -> int:
    """Invitations not answered by their deadline expire, and the next reserve is called; returns how many."""
    now = clock.now()
    due = list(db.execute(select(Pick).where(Pick.state == "pending", Pick.respond_by < now)
                          .with_for_update(skip_locked=True).limit(100)).scalars())
    for pick in due:
        pick.state, pick.responded_at, pick.reason = "expired", now, "no answer by the deadline"
        db.flush()
        draw = db.get(Draw, pick.draw_id)
        assert draw is not None
        chain.append(db, actor=chain.SYSTEM, action="expert.invitation_expired", object_type="expert_pick",
                     object_id=str(pick.id), payload={"draw_id": draw.id})
        live.publish(db, f"draw:{draw.id}", "invitation.expired",
                     {"slot": pick.slot, "role": pick.role, "position": pick.position})
        call_reserve(db, draw=draw, slot=pick.slot)
    return len(due)


def recheck_bidders(db: Session, *, actor: Actor, draw_id: str) -> list[int]:
    """After the bid deadline: release every drawn expert whose employer (or declared relation) is now known
    to be a bidder, calling reserves in their place. Returns the released picks' ids."""
    row = _own_draw(db, actor, draw_id, lock=True)
    tender = db.get(Tender, row.tender_id)
    assert tender is not None
    _evaluation, _lots, deadline = _tender_facts(db, tender)
    if clock.now() < deadline:
        raise DomainError("experts.bidders_unknown", f"the bid deadline ({clock.isoformat(deadline)}) has not "
                          "passed: the bidders are not known yet", status=409)
    if row.state != "drawn":
        raise DomainError("experts.draw_state", f"draw {row.id} is {row.state}; only a drawn draw is re-checked",
                          status=409)
    bidders = _bidders(db, row.tender_id)
    released = []
    for pick, expert in db.execute(select(Pick, Expert).join(Expert, Expert.id == Pick.expert_id)
                                   .where(Pick.draw_id == row.id, Pick.state.in_(ACTIVE_PICK_STATES))
                                   .order_by(Pick.slot, Pick.role.desc(), Pick.position)).all():
        related = db.execute(select(Relation.uscc).where(Relation.expert_id == expert.id,
                                                         _active_relation(clock.now()))).scalars().all()
        if expert.employer_uscc in bidders or any(u in bidders for u in related if u):
            was_invited = pick.state != "waiting"
            pick.state, pick.responded_at = "withdrawn", clock.now()
            pick.reason = "employer_is_bidder" if expert.employer_uscc in bidders else "declared_relation"
            db.flush()
            released.append(pick.id)
            chain.append(db, actor=actor.ref, action="expert.conflict_released", object_type="expert_pick",
                         object_id=str(pick.id), payload={"draw_id": row.id, "reason": pick.reason})
            if was_invited:
                call_reserve(db, draw=row, slot=pick.slot)
    row.bidders_checked = True
    chain.append(db, actor=actor.ref, action="expert.bidders_rechecked", object_type="expert_draw", object_id=row.id,
                 payload={"released": released})
    live.publish(db, f"draw:{row.id}", "draw.rechecked", {"released": len(released)})
    return released


def _draw_reader(db: Session, actor: Actor, draw_id: str) -> bool:
    row = db.get(Draw, draw_id)
    if row is None:
        raise DomainError("live.channel_not_found", f"there is no draw {draw_id!r}", status=404)
    return may_follow(row, actor)


live.register_reader("draw", _draw_reader)
