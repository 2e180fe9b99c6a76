"""The hosts' opening terminal as the desktop app runs it: one view of the opening for the person signed in
(host, supervisor or onlooker), what each bid's decryption stands at, the countdown by the server clock,
which host actions the state allows, and the actions themselves with the signed-in dongle.

Qt-free like every core module: the Opening workspace (ui/opening/) calls each function in one line from
a ``ui.workers.Task``; the rules live here, so the window only shows what they decide. The server decides
again (every action names the step it was decided on, docs/opening.md "States"): what is enabled here is
what the server would accept, never a substitute for its check.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from bidclient import opening
from bidclient.api_client import ApiClient
from bidclient.errors import BidclientError
from bidclient.i18n import _
from bidclient.interaction import Prompter
from bidclient.jobs import Cancel, JobCancelled, never_cancel
from bidclient.opening import OpenedBid, OpeningApi
from bidclient.protocol import opening as proto
from bidclient.signin import open_signed_in_key
from crypto import trust

__all__ = [
    "BidPhase",
    "BidRow",
    "Countdown",
    "CountdownTarget",
    "HostActions",
    "HostView",
    "OpenedSummary",
    "Role",
    "actions",
    "countdown",
    "load_view",
    "open_bids",
    "open_window",
    "parse_time",
    "sign_record",
]


class Role(enum.Enum):
    HOST = "host"  # 主持人: acts
    SUPERVISOR = "supervisor"  # 监督人: watches everything, co-signs the record
    OTHER = "other"  # another participant (a bidder): reads what the server shows it


class BidPhase(enum.Enum):
    """Where one bid's decryption stands, as the host's screen shows it."""

    AWAITING_KEY = "awaiting_key"
    KEY_RELEASED = "key_released"  # the bidder released its key: the terminal opens it next
    REMEDY = "remedy"  # the committee remedy runs: k of n partial results wanted
    REMEDY_READY = "remedy_ready"  # k partial results are in: the terminal can open it
    OPENED = "opened"
    REMEDIED = "remedied"  # opened by the committee (补救方案)
    FAILED = "failed"  # decryption or verification failed; the bidder may retry in the window
    REVOKED = "revoked"  # 撤销: not decrypted through the bidder's fault (Art. 31)
    WITHDRAWN = "withdrawn"  # 撤回: through anyone else's fault (Art. 31)


@dataclass(frozen=True)
class RemedyProgress:
    committee_id: str
    threshold: int  # k
    members: tuple[int, ...]  # the members whose partial results are in (each counted once)

    @property
    def partials(self) -> int:
        return len(self.members)


@dataclass(frozen=True)
class BidRow:
    bid: proto.BidOut
    phase: BidPhase
    remedy: RemedyProgress | None = None

    @property
    def bidder(self) -> str:
        return self.bid.organization or self.bid.identity_key


@dataclass(frozen=True)
class HostView:
    """The opening as the signed-in person sees it, fetched at one moment."""

    opening: proto.OpeningOut
    role: Role
    me: str  # the signed-in identity key
    rows: tuple[BidRow, ...] = field(default=())

    @property
    def tender_id(self) -> str:
        return self.opening.tender_id

    @property
    def state(self) -> str:
        return self.opening.state

    @property
    def announced(self) -> tuple[BidRow, ...]:
        """The rows of the announcement (唱标), once announced; in order of submission."""
        if self.state in ("scheduled", "locked", "no_opening", "decrypting"):
            return ()
        return self.rows

    @property
    def open_objections(self) -> list[proto.ObjectionOut]:
        return [o for o in self.opening.objections if o.answer is None]


def parse_time(value: str | None) -> datetime | None:
    """A server time (ISO 8601, 'Z' or an offset); None for none or a value that is not one."""
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else None


def _phase(bid: proto.BidOut, remedy: RemedyProgress | None) -> BidPhase:
    if bid.state == "opened":
        return BidPhase.REMEDIED if bid.remedied else BidPhase.OPENED
    if bid.state == "remedy":
        ready = remedy is not None and remedy.partials >= remedy.threshold
        return BidPhase.REMEDY_READY if ready else BidPhase.REMEDY
    try:
        return BidPhase(bid.state)
    except ValueError:
        return BidPhase.FAILED if bid.failure_code else BidPhase.AWAITING_KEY


def role_of(opening_out: proto.OpeningOut, me: str) -> Role:
    if me in opening_out.hosts:
        return Role.HOST
    if me in opening_out.supervisors:
        return Role.SUPERVISOR
    return Role.OTHER


def load_view(client: ApiClient, tender_id: str, me: str) -> HostView:
    """The opening of ``tender_id`` and, for each bid under the committee remedy, how many of the k partial
    results are in (one request each: only while the remedy runs)."""
    api = OpeningApi(client, tender_id)
    out = api.get()
    rows = []
    for bid in out.bids:
        remedy = None
        if bid.state == "remedy":
            r = api.remedy(bid.submission_id)
            remedy = RemedyProgress(r.committee_id, r.threshold, tuple(sorted({p.member for p in r.partials})))
        rows.append(BidRow(bid, _phase(bid, remedy), remedy))
    return HostView(out, role_of(out, me), me, tuple(rows))


# --- the countdown -------------------------------------------------------------------------------------

class CountdownTarget(enum.Enum):
    DEADLINE = "deadline"  # the bid deadline: then the host locks and counts
    OPENING_TIME = "opening_time"  # then the host opens the decryption window
    WINDOW_END = "window_end"  # the decryption window closes
    NONE = "none"  # nothing more runs against the clock


@dataclass(frozen=True)
class Countdown:
    target: CountdownTarget
    at: datetime | None
    seconds_left: int  # 0 once reached

    @property
    def reached(self) -> bool:
        return self.at is not None and self.seconds_left <= 0


def countdown(view: HostView, now: datetime) -> Countdown:
    """What the opening waits for next by the server clock ``now`` (``ApiClient.server_now()``)."""
    o = view.opening
    state = o.state
    if state == "scheduled":
        target, at = CountdownTarget.DEADLINE, parse_time(o.deadline)
    elif state == "locked":
        target, at = CountdownTarget.OPENING_TIME, parse_time(o.opening_time)
    elif state == "decrypting":
        target, at = CountdownTarget.WINDOW_END, parse_time(o.window_closes_at)
    else:
        return Countdown(CountdownTarget.NONE, None, 0)
    if at is None:
        return Countdown(CountdownTarget.NONE, None, 0)
    return Countdown(target, at, max(0, int((at - now).total_seconds() + 0.999)))


def clock_text(seconds: int) -> str:
    """"2 d 03:04:05" / "03:04:05"."""
    days, rest = divmod(max(0, seconds), 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    text = f"{hours:02d}:{minutes:02d}:{secs:02d}"
    return _("{days} d {clock}").format(days=days, clock=text) if days else text


# --- what the host may do now ----------------------------------------------------------------------------

@dataclass(frozen=True)
class HostActions:
    lock: bool = False
    open_window: bool = False
    extend: bool = False
    open_bids: bool = False
    announce: bool = False
    answer: bool = False
    draft_record: bool = False
    sign_record: bool = False
    publish: bool = False
    remedy_for: frozenset[str] = frozenset()  # the submissions whose remedy the host may start


def actions(view: HostView, now: datetime) -> HostActions:
    """The actions the opening's state allows the signed-in person by the server clock ``now``.
    A supervisor may only co-sign the record (after the host); anyone else, nothing."""
    o, state = view.opening, view.state
    if view.role is Role.SUPERVISOR:
        return HostActions(sign_record=state == "host_signed")
    if view.role is not Role.HOST:
        return HostActions()
    deadline, opening_time = parse_time(o.deadline), parse_time(o.opening_time)
    closes = parse_time(o.window_closes_at)
    window_over = closes is not None and now >= closes
    phases = [r.phase for r in view.rows]
    openable = any(p in (BidPhase.KEY_RELEASED, BidPhase.REMEDY_READY) for p in phases)
    # The server announces nothing while a released key or a remedy waits (opening.results_pending).
    pending = openable or BidPhase.REMEDY in phases
    undecided = any(p in (BidPhase.AWAITING_KEY, BidPhase.FAILED) for p in phases)
    remedy_for: frozenset[str] = frozenset()
    if state == "decrypting" and o.remedy_allowed:
        remedy_for = frozenset(r.bid.submission_id for r in view.rows
                               if r.phase is BidPhase.FAILED or (r.phase is BidPhase.AWAITING_KEY and window_over))
    return HostActions(
        lock=state == "scheduled" and deadline is not None and now >= deadline,
        open_window=state == "locked" and opening_time is not None and now >= opening_time,
        extend=state == "decrypting",
        open_bids=state == "decrypting" and openable,
        announce=state == "decrypting" and not pending and (window_over or not undecided),
        answer=state in ("decrypting", "announced") and bool(view.open_objections),
        draft_record=state == "announced" and not view.open_objections,
        sign_record=state == "record_drafted",
        publish=state == "signed",
        remedy_for=remedy_for,
    )


# --- the actions that need the host's dongle -----------------------------------------------------------

def _require_dongle(certificate_sha256: str) -> None:
    """A restored session names no certificate: the host's dongle cannot be found again without a sign-in."""
    if not certificate_sha256:
        raise BidclientError(_("the session was restored and does not name the dongle it was opened with"),
                             code="opening.dongle_unknown")


def open_window(client: ApiClient, tender_id: str, certificate_sha256: str, prompter: Prompter, *,
                step: int) -> proto.OpeningOut:
    """Open the decryption window: the bidders' released keys will be encrypted to the signed-in dongle's
    encryption certificate (read from the token, no PIN needed)."""
    from bidclient.signin import find_signed_in_key

    _require_dongle(certificate_sha256)
    key = find_signed_in_key(certificate_sha256)
    if key.encryption_certificate is None:
        raise BidclientError(_("Your key has no encryption certificate for the bidders to release their keys "
                               "to."), code="opening.no_encryption_certificate")
    return OpeningApi(client, tender_id).open_window([key.encryption_certificate], step=step)


@dataclass(frozen=True)
class OpenedSummary:
    results: tuple[OpenedBid, ...]
    cancelled: bool  # stopped before every released bid was opened (those done are reported)

    @property
    def opened(self) -> int:
        return sum(1 for r in self.results if r.state == "opened")

    @property
    def failed(self) -> int:
        return sum(1 for r in self.results if r.state not in ("opened", "remedy"))


def open_bids(client: ApiClient, tender_id: str, certificate_sha256: str, prompter: Prompter,
              trust_list: trust.TrustList, output: Path | None, *,
              progress: Callable[[int, int], None] | None = None, cancel: Cancel = never_cancel) -> OpenedSummary:
    """Open and verify every released bid with the signed-in dongle (one PIN), reporting each result
    (``opening.open_released_bids``; ``output`` None: verify only, keep no copy). ``progress(done, total)``
    after each bid; ``cancel`` is polled
    between bids: a bid already opened stays reported (the server holds its result), the rest wait."""
    _require_dongle(certificate_sha256)
    api = OpeningApi(client, tender_id)
    waiting = [b for b in api.get().bids if b.state in ("key_released", "remedy")]
    total = len(waiting)
    done = 0
    if progress is not None:
        progress(0, total)

    def each(_submission: str) -> None:
        nonlocal done
        if cancel():
            raise JobCancelled(_("Opening the bids was cancelled."))
        if progress is not None and done:
            progress(done, total)
        done += 1

    results: list[OpenedBid] = []
    with open_signed_in_key(certificate_sha256, prompter) as session:
        try:
            results = opening.open_released_bids(api, session, trust_list, output, progress=each)
        except JobCancelled:
            return OpenedSummary(tuple(results), True)
    if progress is not None:
        progress(total, total)
    return OpenedSummary(tuple(results), False)


def sign_record(client: ApiClient, tender_id: str, certificate_sha256: str,
                prompter: Prompter) -> proto.OpeningOut:
    """Sign the drafted record (PAdES, visible seal) with the signed-in dongle and upload it: the host
    first, then a supervisor (``opening.sign_record``)."""
    _require_dongle(certificate_sha256)
    with open_signed_in_key(certificate_sha256, prompter) as session:
        return opening.sign_record(OpeningApi(client, tender_id), session, prompter)


def record_to_file(client: ApiClient, tender_id: str, folder: Path) -> Path:
    """The record as it stands, saved under ``folder`` to preview it (a new name each time, so a viewer
    holding the previous one is not disturbed)."""
    import hashlib

    data = OpeningApi(client, tender_id).record()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{_safe(tender_id)}-record-{hashlib.sha256(data).hexdigest()[:12]}.pdf"
    if not path.exists():
        tmp = path.with_name(f".{path.name}.part")
        tmp.write_bytes(data)
        tmp.replace(path)
    return path


def _safe(text: str) -> str:
    return "".join(c if c.isalnum() or c in "-_." else "_" for c in text)[:80] or "tender"
