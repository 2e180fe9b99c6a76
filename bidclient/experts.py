"""The expert pool and committee draws, as typed services over the server API, and the offline check of a
published draw record (``bidclient experts verify-draw``; docs/formats/expert-draw.md).

The core never prints and never reads stdin; the CLI (bidclient/cli/experts_commands.py) calls these.
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

from pydantic import ValidationError

from bidclient.api_client import ApiClient, ApiError, body_chunks
from bidclient.errors import BidclientError
from bidclient.i18n import _
from bidclient.protocol import experts as proto
from crypto.identity import is_valid_uscc

MAX_RECORD_SIZE = 256 << 20  # a draw record of a 100,000-expert snapshot is ~10 MB


class ImportRefused(BidclientError):
    """The server refused a CSV; ``rows`` is its per-row report (line number, errors)."""

    def __init__(self, message: str, *, code: str, rows: list[proto.ImportRowError]) -> None:
        super().__init__(message, code=code)
        self.rows = rows


class ExpertsService:
    """What the administrator, the agency and the expert do with the pool and the draws."""

    def __init__(self, client: ApiClient) -> None:
        self.client = client

    # --- administrator ---------------------------------------------------------------------------

    def specialties(self) -> list[proto.SpecialtyOut]:
        return proto.SpecialtyListOut.model_validate(self.client.get_json("/api/v1/experts/specialties")).specialties

    def put_specialty(self, code: str, name: str, category: str) -> proto.SpecialtyOut:
        body = proto.SpecialtyIn.model_validate({"name": name, "category": category}).model_dump()
        response = self.client.request("PUT", f"/api/v1/experts/specialties/{quote(code, safe='')}", json=body)
        return proto.SpecialtyOut.model_validate(response.json())

    def import_csv(self, path: Path) -> proto.ImportOut:
        data = _read_input(path)
        try:
            response = self.client.request("POST", "/api/v1/experts/import", data=data,
                                           headers={"Content-Type": "text/csv; charset=utf-8"})
        except ApiError as ex:
            rows = ex.problem.get("rows") if isinstance(ex.problem, dict) else None
            if isinstance(rows, list):
                report = [proto.ImportRowError.model_validate(r) for r in rows]
                raise ImportRefused(str(ex), code=ex.code, rows=report) from None
            raise
        return proto.ImportOut.model_validate(response.json())

    def export_csv(self, output: Path) -> int:
        from bidclient.atomic import atomic_output

        response = self.client.request("GET", "/api/v1/experts/export", stream=True)
        size = 0
        with response, atomic_output(output) as out:
            for chunk in body_chunks(response):
                out.write(chunk)
                size += len(chunk)
        return size

    def list_experts(self, *, status: str | None = None, specialty: str | None = None, region: str | None = None,
                     name: str | None = None, sort: str = "name", limit: int = 100,
                     offset: int = 0) -> proto.ExpertListOut:
        """One page of the pool (at most 1000 a page). ``name`` matches part of a name or identity; ``sort``
        is name, identity, employer, region, title or status, descending with a leading '-'."""
        query = {k: v for k, v in (("status", status), ("specialty", specialty), ("region", region),
                                   ("name", name)) if v}
        query.update(sort=sort, limit=str(limit), offset=str(offset))
        return proto.ExpertListOut.model_validate(self.client.get_json(f"/api/v1/experts?{urlencode(query)}"))

    def get(self, expert_id: str) -> proto.ExpertOut:
        return proto.ExpertOut.model_validate(self.client.get_json(f"/api/v1/experts/{quote(expert_id, safe='')}"))

    def set_status(self, expert_id: str, status: str, reason: str, until: datetime | None = None) -> proto.ExpertOut:
        body = proto.StatusChangeIn.model_validate({"status": status, "reason": reason, "until": until})
        return proto.ExpertOut.model_validate(self.client.post_json(
            f"/api/v1/experts/{quote(expert_id, safe='')}/status", body.model_dump(mode="json")))

    def add_relation(self, expert_id: str, kind: str, uscc: str | None, note: str = "") -> proto.RelationOut:
        body = proto.RelationIn.model_validate({"kind": kind, "uscc": uscc, "note": note})
        return proto.RelationOut.model_validate(self.client.post_json(
            f"/api/v1/experts/{quote(expert_id, safe='')}/relations", body.model_dump(mode="json")))

    def count(self, *, specialty: str | None = None, region: str | None = None) -> int:
        query = {k: v for k, v in (("specialty", specialty), ("region", region)) if v}
        return proto.ExpertCountOut.model_validate(
            self.client.get_json(f"/api/v1/experts/count?{urlencode(query)}")).count

    # --- expert ----------------------------------------------------------------------------------

    def me(self) -> proto.ExpertOut:
        return proto.ExpertOut.model_validate(self.client.get_json("/api/v1/experts/me"))

    def invitations(self) -> list[proto.InvitationOut]:
        return proto.InvitationListOut.model_validate(
            self.client.get_json("/api/v1/experts/me/invitations")).invitations

    def accept(self, invitation_id: int) -> proto.InvitationOut:
        return proto.InvitationOut.model_validate(
            self.client.post_json(f"/api/v1/experts/invitations/{int(invitation_id)}/accept", {}))

    def decline(self, invitation_id: int, reason: str) -> proto.InvitationOut:
        body = proto.DeclineIn.model_validate({"reason": reason}).model_dump()
        return proto.InvitationOut.model_validate(
            self.client.post_json(f"/api/v1/experts/invitations/{int(invitation_id)}/decline", body))

    def my_relations(self) -> list[proto.RelationOut]:
        """Your declared relations (and those the administrator recorded for you), withdrawn ones too."""
        return proto.RelationListOut.model_validate(self.client.get_json("/api/v1/experts/me/relations")).relations

    def declare_relation(self, kind: str, uscc: str | None, note: str = "",
                         until: datetime | None = None) -> proto.RelationOut:
        """Declare a relation of your own (12号令 Art. 12): from now on no draw for that enterprise (or, for
        ``punished``, no draw at all) picks you."""
        if uscc is not None and not is_valid_uscc(uscc):
            raise BidclientError(_("{uscc} is not a valid 统一社会信用代码: 18 characters whose last is the check "
                                   "character").format(uscc=uscc[:40]), code="experts.uscc_invalid")
        body = proto.RelationIn.model_validate({"kind": kind, "uscc": uscc, "note": note, "until": until})
        return proto.RelationOut.model_validate(self.client.post_json("/api/v1/experts/me/relations",
                                                                      body.model_dump(mode="json")))

    def withdraw_relation(self, relation_id: int) -> proto.RelationOut:
        """Withdraw a relation you declared; it stays on record, and no longer excludes you."""
        return proto.RelationOut.model_validate(self.client.post_json(
            f"/api/v1/experts/me/relations/{int(relation_id)}/withdraw", {}))

    # --- agency ----------------------------------------------------------------------------------

    def commit_draw(self, request: proto.DrawRequestIn) -> proto.DrawOut:
        """Step 1: the server fixes the eligible pool and commits to a secret seed (both published)."""
        return proto.DrawOut.model_validate(self.client.post_json("/api/v1/experts/draws",
                                                                  request.model_dump(mode="json")))

    def run_draw(self, draw_id: str) -> proto.DrawOut:
        """Step 2: the server draws and reveals the seed; running a drawn draw again changes nothing."""
        return proto.DrawOut.model_validate(self.client.post_json(f"/api/v1/experts/draws/{_id(draw_id)}/run", {}))

    def draw(self, request: proto.DrawRequestIn,
             on_committed: Callable[[proto.DrawOut], None] | None = None) -> proto.DrawOut:
        committed = self.commit_draw(request)
        if on_committed is not None:
            on_committed(committed)
        return self.run_draw(committed.id)

    def get_draw(self, draw_id: str) -> proto.DrawOut:
        return proto.DrawOut.model_validate(self.client.get_json(f"/api/v1/experts/draws/{_id(draw_id)}"))

    def recheck(self, draw_id: str) -> proto.DrawOut:
        return proto.DrawOut.model_validate(
            self.client.post_json(f"/api/v1/experts/draws/{_id(draw_id)}/recheck", {}))

    def record(self, draw_id: str) -> dict[str, Any]:
        response = self.client.request("GET", f"/api/v1/experts/draws/{_id(draw_id)}/record")
        if len(response.content) > MAX_RECORD_SIZE:
            raise BidclientError(_("the draw record is larger than {size} bytes").format(size=MAX_RECORD_SIZE),
                                 code="experts.record_invalid")
        record = response.json()
        if not isinstance(record, dict):
            raise BidclientError(_("the server's draw record is not a JSON object"), code="experts.record_invalid")
        return record


@dataclass(frozen=True)
class TenderFacts:
    """What the committee rules judge of a tender, read from its published definition (the server judges
    again from the same definition; this lets the agency see a refusal coming before sending)."""

    tender_id: str
    title: str
    budget: Decimal | None
    complex_project: bool
    tenderer_uscc: str | None
    bid_deadline: datetime


def tender_facts(client: ApiClient, tender_id: str) -> TenderFacts:
    """The tender's title, committee budget (the evaluation's, else the sum of its lots'), complexity and
    tenderer, from its current published version."""
    from bidclient.protocol.tender import Evaluation, Lot, TenderOut, TenderVersionOut

    tender = TenderOut.model_validate(client.get_json(f"/api/v1/tenders/{_id(tender_id)}"))
    version = TenderVersionOut.model_validate(client.get_json(
        f"/api/v1/tenders/{_id(tender_id)}/versions/{int(tender.current_version)}"))
    try:
        definition = json.loads(base64.b64decode(version.definition, validate=True))
        evaluation = Evaluation.model_validate(definition.get("evaluation") or {})
        lots = [Lot.model_validate(lot) for lot in definition.get("lots") or []]
    except (ValueError, TypeError, AttributeError, ValidationError):
        raise BidclientError(_("the server's definition of tender {tender} cannot be read").format(
            tender=tender_id), code="experts.tender_unreadable") from None
    return TenderFacts(tender_id=tender.tender_id, title=tender.title, budget=evaluation.committee_budget(lots),
                       complex_project=evaluation.complex, tenderer_uscc=evaluation.tenderer_uscc,
                       bid_deadline=tender.bid_deadline)


def build_request(*, tender_id: str, slots: list[dict[str, Any]], representatives: int, starts_at: datetime,
                  ends_at: datetime, respond_by: datetime, place: str = "remote", tenderer_uscc: str | None = None,
                  replaces: str | None = None, reason: str = "") -> proto.DrawRequestIn:
    """A draw request from what the agency typed; each slot's ``regions`` may be one text separated by commas
    (, ， 、 ; ；). BidclientError ``experts.request_invalid`` (or ``experts.uscc_invalid``) saying what is
    wrong."""
    def invalid(message: str) -> BidclientError:
        return BidclientError(message, code="experts.request_invalid")

    if not tender_id:
        raise invalid(_("name the tender the committee is drawn for"))
    if any(not str(s.get("specialty") or "").strip() for s in slots):
        raise invalid(_("choose a specialty for every row"))
    if tenderer_uscc is not None and not is_valid_uscc(tenderer_uscc):
        raise BidclientError(_("{uscc} is not a valid 统一社会信用代码: 18 characters whose last is the check "
                               "character").format(uscc=tenderer_uscc[:40]), code="experts.uscc_invalid")
    parsed = []
    for slot in slots:
        regions = slot.get("regions") or []
        if isinstance(regions, str):
            regions = [r.strip() for r in re.split(r"[,，、;；]", regions) if r.strip()]
        parsed.append({**slot, "regions": regions})
    try:
        return proto.DrawRequestIn.model_validate({
            "tender_id": tender_id, "slots": parsed, "representatives": representatives, "starts_at": starts_at,
            "ends_at": ends_at, "respond_by": respond_by, "place": place or "remote", "tenderer_uscc": tenderer_uscc,
            "replaces": replaces, "reason": reason})
    except ValidationError as ex:
        first = ex.errors()[0]
        where = ".".join(str(p) for p in first.get("loc", ()))
        raise invalid(_("{field}: {problem}").format(field=where, problem=first.get("msg", ""))) from None


def check_request(request: proto.DrawRequestIn, specialties: list[proto.SpecialtyOut],
                  facts: TenderFacts | None) -> int:
    """The committee size, or BidclientError with the rule's code (experts.committee_*), judged as the server
    will: at least 5 and odd; at least 7 for a complex project of ¥10 million or more; technical and economic
    experts at least two thirds. Checks the times too (experts.draw_times)."""
    try:
        size = proto.check_committee(request.slots, representatives=request.representatives,
                                     categories={s.code: s.category for s in specialties},
                                     budget=facts.budget if facts else None,
                                     complex_project=facts.complex_project if facts else False)
    except proto.CommitteeError as ex:
        raise BidclientError(str(ex), code=ex.code) from None
    if not request.respond_by <= request.starts_at < request.ends_at:
        raise BidclientError(_("the answers are due before the evaluation starts, and it starts before it ends"),
                             code="experts.draw_times")
    return size


def write_record(path: Path, record: dict[str, Any]) -> None:
    """Save a draw record as JSON (written whole or not at all)."""
    from bidclient.atomic import atomic_output

    with atomic_output(path) as out:
        out.write(json.dumps(record, ensure_ascii=False, indent=1, sort_keys=True).encode("utf-8"))


def _id(draw_id: str) -> str:
    return quote(draw_id, safe="")


def _read_input(path: Path) -> bytes:
    if not path.is_file():
        raise BidclientError(_("{file} does not exist or is not a file").format(file=path), code="io.input_missing")
    return path.read_bytes()


# --- verification -------------------------------------------------------------------------------------

@dataclass(frozen=True)
class DrawVerification:
    draw_id: str
    tender_id: str
    candidates: int
    members: int
    reserves: int
    skips: int
    seed: str
    commitment: str
    snapshot_sha256: str


def load_record(path: Path) -> dict[str, Any]:
    data = _read_input(path)
    if len(data) > MAX_RECORD_SIZE:
        raise BidclientError(_("{file} is larger than a draw record can be").format(file=path),
                             code="experts.record_invalid")
    try:
        record = json.loads(data)
    except (UnicodeDecodeError, ValueError):
        raise BidclientError(_("{file} is not a JSON draw record").format(file=path),
                             code="experts.record_invalid") from None
    if not isinstance(record, dict):
        raise BidclientError(_("{file} is not a JSON draw record").format(file=path), code="experts.record_invalid")
    return record


def verify_record(record: dict[str, Any]) -> DrawVerification:
    """Recompute the committee from the record's snapshot and seed; BidclientError ``experts.draw_mismatch``
    (or ``experts.record_invalid``, ``experts.draw_not_run``) naming the first check that fails."""
    def fail(message: str, code: str = "experts.draw_mismatch") -> BidclientError:
        return BidclientError(message, code=code)

    try:
        if record.get("format") != proto.DRAW_FORMAT:
            raise fail(_("this is not a {format} record").format(format=proto.DRAW_FORMAT), "experts.record_invalid")
        snapshot = record["snapshot"]
        slots = [proto.Slot.model_validate(s) for s in record["slots"]]
        entries = proto.check_entries(snapshot)
        picks = [proto.Pick.model_validate(p) for p in record["picks"]]
        skips = [proto.Skip.model_validate(s) for s in record["skips"]]
        exclusions = [proto.Exclusion.model_validate(e) for e in record["exclusions"]]
        seed, commitment, snapshot_hash = record["seed"], str(record["commitment"]), str(record["snapshot_sha256"])
        draw_id, tender_id = str(record["draw_id"]), str(record["tender_id"])
    except (KeyError, TypeError, ValueError, ValidationError) as ex:
        if isinstance(ex, BidclientError):
            raise
        raise fail(_("the draw record is not well formed: {reason}").format(reason=str(ex).splitlines()[0]),
                   "experts.record_invalid") from None
    if seed is None:
        raise fail(_("the draw has not been run: the record has no seed yet"), "experts.draw_not_run")
    if not (isinstance(seed, str) and len(seed) == 64 and all(c in "0123456789abcdef" for c in seed)):
        raise fail(_("the seed is not 64 hexadecimal digits"), "experts.record_invalid")
    if proto.snapshot_sha256(snapshot) != snapshot_hash:
        raise fail(_("the snapshot does not have the published hash {hash}: the pool was changed after the "
                     "commitment").format(hash=snapshot_hash))
    if snapshot.get("draw_id") != draw_id or snapshot.get("tender_id") != tender_id:
        raise fail(_("the snapshot belongs to another draw or tender"))
    if proto.commitment(seed) != commitment:
        raise fail(_("the revealed seed does not match the published commitment {hash}: another seed was "
                     "used than the one committed to").format(hash=commitment))
    ids = {e[0] for e in entries}
    if len(ids) != len(entries):
        raise fail(_("the snapshot names an expert twice"))
    stray = [e.id for e in exclusions if e.id in ids] + [s.id for s in skips if s.id not in ids]
    if stray:
        raise fail(_("an expert is both excluded and a candidate, or a skipped expert is not a candidate: "
                     "{id}").format(id=stray[0]))
    expected, _short = proto.draw_entries(entries, slots, seed, skipped=[s.id for s in skips])
    key = lambda p: (p.slot, p.role, p.order)  # noqa: E731
    if sorted(expected, key=key) != sorted(picks, key=key):
        wrong = next((p for p in sorted(picks, key=key) if p not in expected), None)
        raise fail(_("the recorded committee is not the one the seed and the snapshot give{which}").format(
            which=f" ({_('first difference')}: slot {wrong.slot} {wrong.role} {wrong.order})" if wrong else ""))
    return DrawVerification(draw_id=draw_id, tender_id=tender_id, candidates=len(entries),
                            members=sum(1 for p in picks if p.role == "member"),
                            reserves=sum(1 for p in picks if p.role == "reserve"), skips=len(skips), seed=seed,
                            commitment=commitment, snapshot_sha256=snapshot_hash)
