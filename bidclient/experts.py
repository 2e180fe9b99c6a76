"""The expert pool and committee draws, as typed services over the server API, and the offline check of a
published draw record (``bidclient experts verify-draw``; docs/formats/expert-draw.md).

The core never prints and never reads stdin; the CLI (bidclient/cli/experts_commands.py) calls these.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

from pydantic import ValidationError

from bidclient.api_client import ApiClient, ApiError, body_chunks
from bidclient.errors import BidclientError
from bidclient.i18n import _
from bidclient.protocol import experts as proto

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
        candidates = proto.candidates_of(snapshot)
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
    ids = {c.id for c in candidates}
    if len(ids) != len(candidates):
        raise fail(_("the snapshot names an expert twice"))
    stray = [e.id for e in exclusions if e.id in ids] + [s.id for s in skips if s.id not in ids]
    if stray:
        raise fail(_("an expert is both excluded and a candidate, or a skipped expert is not a candidate: "
                     "{id}").format(id=stray[0]))
    expected, _short = proto.draw(candidates, slots, seed, skipped=[s.id for s in skips])
    key = lambda p: (p.slot, p.role, p.order)  # noqa: E731
    if sorted(expected, key=key) != sorted(picks, key=key):
        wrong = next((p for p in sorted(picks, key=key) if p not in expected), None)
        raise fail(_("the recorded committee is not the one the seed and the snapshot give{which}").format(
            which=f" ({_('first difference')}: slot {wrong.slot} {wrong.role} {wrong.order})" if wrong else ""))
    return DrawVerification(draw_id=draw_id, tender_id=tender_id, candidates=len(candidates),
                            members=sum(1 for p in picks if p.role == "member"),
                            reserves=sum(1 for p in picks if p.role == "reserve"), skips=len(skips), seed=seed,
                            commitment=commitment, snapshot_sha256=snapshot_hash)
