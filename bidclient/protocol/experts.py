"""The expert pool and the verifiable committee draw: wire models and the one deterministic algorithm.

The server draws with :func:`draw`; ``bidclient experts verify-draw`` recomputes the same committee from the
published record with the same function (docs/formats/expert-draw.md). Nothing here touches a database.
"""

from __future__ import annotations

import hashlib
import heapq
import hmac
from collections.abc import Container, Iterable, Sequence
from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any, Literal, NamedTuple

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from bidclient.protocol.common import canonical_json

DRAW_FORMAT = "bidclient-expert-draw/1"
SNAPSHOT_FORMAT = "bidclient-expert-snapshot/1"
CSV_COLUMNS = ("identity", "name", "employer_uscc", "employer_name", "specialties", "region", "title", "email",
               "phone")
# 87号令 Art. 47: a committee of at least 7 when the budget is at least ¥10 million and the project is complex.
LARGE_BUDGET = Decimal(10_000_000)
MIN_COMMITTEE = 5
MIN_LARGE_COMMITTEE = 7

Status = Literal["admitted", "suspended", "renewed", "dismissed"]
ELIGIBLE_STATUSES = ("admitted", "renewed")
# A specialty's category: technical and economic experts must be at least 2/3 of the committee (招标投标法).
Category = Literal["technical", "economic", "legal", "other"]
RelationKind = Literal["relative", "economic_interest", "supervising_authority", "punished"]
# Why an expert of the pool is not in a draw's snapshot (or was skipped at the run).
ExclusionReason = Literal["status", "employer_is_bidder", "employer_is_tenderer", "declared_relation",
                          "recent_service", "overlapping_draw"]
_CODE = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$"
_USCC = r"^[0-9A-HJ-NPQRTUWXY]{18}$"
_HEX64 = r"^[0-9a-f]{64}$"
Code = Annotated[str, Field(pattern=_CODE)]
Text = Annotated[str, Field(min_length=1, max_length=300)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class CommitteeError(ValueError):
    """A committee the rules forbid; ``code`` is stable (experts.committee_*)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


# --- the pool -----------------------------------------------------------------------------------

class SpecialtyIn(_Model):
    name: Text
    category: Category


class SpecialtyOut(SpecialtyIn):
    code: str


class SpecialtyListOut(BaseModel):
    specialties: list[SpecialtyOut]


class StatusChangeIn(_Model):
    status: Status
    reason: Annotated[str, Field(min_length=1, max_length=1000)]
    until: AwareDatetime | None = None  # required for "suspended"


class StatusEventOut(BaseModel):
    status: str
    reason: str
    until: datetime | None
    by: str
    at: datetime


class RelationIn(_Model):
    kind: RelationKind
    uscc: Annotated[str, Field(pattern=_USCC)] | None = None  # the enterprise it concerns (none: "punished")
    note: Annotated[str, Field(max_length=1000)] = ""
    until: AwareDatetime | None = None


class RelationOut(RelationIn):
    id: int
    source: Literal["admin", "self"] = "admin"  # recorded by the administrator, or declared by the expert
    declared_at: datetime | None = None
    withdrawn_at: datetime | None = None  # withdrawn by the expert: on record, no longer excludes


class RelationListOut(BaseModel):
    relations: list[RelationOut]


class ExpertOut(BaseModel):
    id: str
    identity: str
    name: str
    employer_uscc: str
    employer_name: str
    specialties: list[str]
    region: str
    title: str
    email: str
    phone: str
    status: str
    suspended_until: datetime | None = None
    history: list[StatusEventOut] = []
    relations: list[RelationOut] = []


class ExpertListOut(BaseModel):
    experts: list[ExpertOut]
    total: int


class ExpertCountOut(BaseModel):
    count: int


class ImportRowError(BaseModel):
    row: int  # 1-based line number in the file (the header is line 1)
    errors: list[str]


class ImportOut(BaseModel):
    created: int
    updated: int


# --- the draw -----------------------------------------------------------------------------------

class Slot(_Model):
    """So many experts of one specialty (optionally from some regions), plus reserves in draw order."""

    specialty: Code
    count: Annotated[int, Field(ge=1, le=50)]
    reserves: Annotated[int, Field(ge=0, le=50)] = 1
    regions: Annotated[list[Annotated[str, Field(min_length=1, max_length=100)]], Field(max_length=50)] = []


class DrawRequestIn(_Model):
    tender_id: Annotated[str, Field(min_length=1, max_length=64)]
    slots: Annotated[list[Slot], Field(min_length=1, max_length=20)]
    representatives: Annotated[int, Field(ge=0, le=10)] = 0  # the tenderer's own, toward the size only
    starts_at: AwareDatetime
    ends_at: AwareDatetime
    place: Annotated[str, Field(min_length=1, max_length=300)] = "remote"
    respond_by: AwareDatetime
    tenderer_uscc: Annotated[str, Field(pattern=_USCC)] | None = None
    replaces: str | None = None  # a redraw names the draw it replaces ...
    reason: Annotated[str, Field(max_length=1000)] = ""  # ... and why


class Exclusion(BaseModel):
    id: str
    reason: str
    detail: str = ""


class Skip(BaseModel):
    id: str
    reason: str
    detail: str = ""


class Pick(BaseModel):
    id: str
    slot: int
    role: Literal["member", "reserve"]
    order: int  # position within the slot's members or reserves, from 1


class DrawOut(BaseModel):
    """What the draw's participants see: counts always, names only when entitled."""

    id: str
    tender_id: str
    state: str  # committed | drawn | failed | superseded
    committee_size: int
    slots: list[Slot]
    representatives: int
    starts_at: datetime
    ends_at: datetime
    place: str
    respond_by: datetime
    commitment: str
    snapshot_sha256: str
    seed: str | None = None
    counts: dict[str, int] = {}
    members: list[dict[str, Any]] | None = None  # None: hidden from this reader
    replaces: str | None = None
    reason: str = ""
    superseded_by: str | None = None


class InvitationOut(BaseModel):
    id: int
    draw_id: str
    tender_title: str
    starts_at: datetime
    ends_at: datetime
    place: str
    respond_by: datetime
    state: str  # pending | accepted | declined | expired | withdrawn
    reason: str = ""


class InvitationListOut(BaseModel):
    invitations: list[InvitationOut]


class DeclineIn(_Model):
    reason: Annotated[str, Field(min_length=1, max_length=1000)]


# --- rules ----------------------------------------------------------------------------------------

def check_committee(slots: Sequence[Slot], *, representatives: int, categories: dict[str, str],
                    budget: Decimal | None, complex_project: bool) -> int:
    """The committee size, or CommitteeError naming the rule broken (招标投标法 Art. 37; 87号令 Art. 47)."""
    experts = sum(s.count for s in slots)
    size = experts + representatives
    if size < MIN_COMMITTEE:
        raise CommitteeError("experts.committee_too_small",
                             f"a committee has at least {MIN_COMMITTEE} members; this one has {size}")
    if size % 2 == 0:
        raise CommitteeError("experts.committee_even", f"a committee has an odd number of members; this one has {size}")
    if complex_project and budget is not None and budget >= LARGE_BUDGET and size < MIN_LARGE_COMMITTEE:
        raise CommitteeError("experts.committee_too_small_large_project",
                             f"the budget is ¥{budget} (≥ ¥10 million) and the project is complex: the committee "
                             f"has at least {MIN_LARGE_COMMITTEE} members (87号令 Art. 47); this one has {size}")
    unknown = sorted({s.specialty for s in slots} - categories.keys())
    if unknown:
        raise CommitteeError("experts.specialty_unknown", f"no such specialty: {', '.join(unknown)}")
    technical_economic = sum(s.count for s in slots if categories[s.specialty] in ("technical", "economic"))
    if 3 * technical_economic < 2 * size:
        raise CommitteeError("experts.committee_composition",
                             f"technical and economic experts must be at least 2/3 of the committee: "
                             f"{technical_economic} of {size}")
    return size


# --- the algorithm ---------------------------------------------------------------------------------

class Candidate(NamedTuple):
    id: str
    specialties: tuple[str, ...]  # sorted
    region: str

    def as_json(self) -> list[Any]:
        return [self.id, self.region, list(self.specialties)]


def snapshot_document(draw_id: str, tender_id: str, candidates: Iterable[Candidate]) -> dict[str, Any]:
    """The eligible pool at the commitment, as published: ``[id, region, [specialties]]`` sorted by id,
    specialties sorted; ids only (no names)."""
    return {"format": SNAPSHOT_FORMAT, "draw_id": draw_id, "tender_id": tender_id,
            "candidates": [c.as_json() for c in sorted(candidates)]}


def snapshot_sha256(document: dict[str, Any] | bytes) -> str:
    """SHA-256 of the snapshot's canonical JSON (pass the bytes when they are at hand already)."""
    data = document if isinstance(document, bytes) else canonical_json(document)
    return hashlib.sha256(data).hexdigest()


def commitment(seed_hex: str) -> str:
    """The published commitment to a seed: SHA-256 of the seed's 32 bytes."""
    return hashlib.sha256(bytes.fromhex(seed_hex)).hexdigest()


def rank_key(seed: bytes, expert_id: str) -> bytes:
    return hmac.digest(seed, expert_id.encode("utf-8"), "sha256")


# A snapshot candidate as published: [id, region, [specialties]] (a list, or any sequence of those three).
Entry = Sequence[Any]


def draw(candidates: Sequence[Candidate], slots: Sequence[Slot], seed_hex: str,
         skipped: Iterable[str] = ()) -> tuple[list[Pick], dict[int, int]]:
    """The committee: candidates ranked by HMAC-SHA256(seed, id) (ties by id); each slot in request order
    takes, walking that ranking, the next candidates who have its specialty (and one of its regions, if it
    names any), are not taken by an earlier slot and not ``skipped``: first ``count`` members, then
    ``reserves`` reserves. Returns the picks and, per slot index, how many it lacks (0: none)."""
    return draw_entries([c.as_json() for c in candidates], slots, seed_hex, skipped)


def draw_entries(entries: Sequence[Entry], slots: Sequence[Slot], seed_hex: str,
                 skipped: Iterable[str] = ()) -> tuple[list[Pick], dict[int, int]]:
    """:func:`draw` over the snapshot's own entries ``[id, region, [specialties]]``, as parsed from its JSON
    (no conversion of 100,000 entries first)."""
    picks, short, _met = select_committee(rank(entries, seed_hex), slots, frozenset(skipped))
    return picks, short


def rank(entries: Sequence[Entry], seed_hex: str) -> list[Entry]:
    """The entries in draw order: ascending HMAC-SHA256(key = seed, message = UTF-8 id), ties by id."""
    keys = _rank_keys(entries, seed_hex)
    return [entries[i] for i in sorted(range(len(entries)), key=keys.__getitem__)]


def rank_head(entries: Sequence[Entry], seed_hex: str, n: int) -> list[Entry]:
    """The first ``n`` entries of :func:`rank` (all of them when there are no more), without ordering the
    rest."""
    keys = _rank_keys(entries, seed_hex)
    if n >= len(entries):
        order = sorted(range(len(entries)), key=keys.__getitem__)
    else:
        order = heapq.nsmallest(n, range(len(entries)), key=keys.__getitem__)
    return [entries[i] for i in order]


def _rank_keys(entries: Sequence[Entry], seed_hex: str) -> list[bytes]:
    """Per entry, the bytes whose order is the draw order: the 32-byte HMAC-SHA256(seed, UTF-8 id) followed by
    the UTF-8 id itself. Comparing them compares the HMACs and, where two were equal, the ids (UTF-8 bytes
    order like the code points a ``str`` comparison uses), as (rank, id) would, but with one ``bytes``
    comparison instead of two tuples' and no tuple per entry.

    One keyed HMAC object is copied per id (``hmac.new(seed).copy()``) instead of ``hmac.digest``, which
    derives the key's inner and outer blocks again for every message: at 80,000 ids that is a third less."""
    base = hmac.new(bytes.fromhex(seed_hex), digestmod=hashlib.sha256)
    copy = base.copy
    keys: list[bytes] = []
    append = keys.append
    for entry in entries:
        message = entry[0].encode("utf-8")
        mac = copy()
        mac.update(message)
        append(mac.digest() + message)
    return keys


def select_committee(ranked: Sequence[Entry], slots: Sequence[Slot], skipped: Container[str]
                     ) -> tuple[list[Pick], dict[int, int], list[str]]:
    """Walk the ranking once per slot, in request order: each slot takes the next entries that have its
    specialty (and one of its regions, if it names any), not taken by an earlier slot and not ``skipped`` —
    first ``count`` members, then ``reserves`` reserves. Returns the picks, per slot index how many it lacks
    (0: none), and the skipped ids the walk met, in the order met (the ones that changed something).
    ``ranked`` may be lazy: only as much of it is read as the slots need."""
    taken: set[str] = set()
    met: list[str] = []
    met_set: set[str] = set()
    picks: list[Pick] = []
    short: dict[int, int] = {}
    for index, slot in enumerate(slots):
        wanted = slot.count + slot.reserves
        regions = set(slot.regions)
        specialty = slot.specialty
        got = 0
        position = 0
        while got < wanted:
            try:
                entry = ranked[position]
            except IndexError:  # the end of the ranking (never len(): a lazy ranking need not know it)
                break
            position += 1
            candidate_id = entry[0]
            if candidate_id in taken or specialty not in entry[2] or (regions and entry[1] not in regions):
                continue
            if candidate_id in skipped:
                if candidate_id not in met_set:
                    met_set.add(candidate_id)
                    met.append(candidate_id)
                continue
            taken.add(candidate_id)
            got += 1
            member = got <= slot.count
            picks.append(Pick(id=candidate_id, slot=index, role="member" if member else "reserve",
                              order=got if member else got - slot.count))
        short[index] = wanted - got
    return picks, short, met


def check_entries(snapshot: dict[str, Any]) -> list[Entry]:
    """The snapshot's entries after checking each is ``[id, region, [specialties]]`` (ValueError if not)."""
    entries = snapshot["candidates"]
    if not isinstance(entries, list):
        raise ValueError("the snapshot's candidates are not a list")
    for entry in entries:
        if not (isinstance(entry, list) and len(entry) == 3 and isinstance(entry[0], str)
                and isinstance(entry[1], str) and isinstance(entry[2], list)
                and all(isinstance(x, str) for x in entry[2])):
            raise ValueError(f"a snapshot candidate is [id, region, [specialties]], not {str(entry)[:80]}")
    return entries


def candidates_of(snapshot: dict[str, Any], *, checked: bool = True) -> list[Candidate]:
    """The snapshot's candidates; ValueError for an entry that is not ``[id, region, [specialties]]``
    (``checked=False``: trust the shape, for a snapshot the caller wrote itself)."""
    entries = check_entries(snapshot) if checked else snapshot["candidates"]
    return [Candidate(e[0], tuple(e[2]), e[1]) for e in entries]
