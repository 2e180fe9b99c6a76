"""The evaluation session in the core: every expert, chair, agency and bidder action as one typed call.

:class:`EvaluationApi` speaks the server's /api/v1/evaluation routes (docs/api.md). :class:`ExpertWorkspace`
is an expert's side of one session: edits are checked against the session's definition, written to the
local journal (bidclient/evaluation/journal.py; saved once that returns) and then synced
(bidclient/evaluation/sync.py) when the server can be reached. The CLI (bidclient/cli/evaluation_commands.py)
and, later, the desktop app call these in one line each. Nothing here prints, reads stdin or imports Qt.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bidclient.api_client import ApiClient, ApiError
from bidclient.errors import BidclientError
from bidclient.evaluation import clarifications
from bidclient.evaluation.journal import Entry, Journal, JournalStatus, journal_path
from bidclient.evaluation.sync import SyncReport, sync
from bidclient.i18n import _
from bidclient.protocol.common import canonical_json
from bidclient.protocol.evaluation_session import (
    CellsOut,
    ClarificationOut,
    ClarificationsOut,
    EditIn,
    EditsOut,
    Phase,
    ReportSignatureOut,
    ReportSignaturesOut,
    ScoreError,
    SessionCreateIn,
    SessionDefinition,
    SessionListOut,
    SessionOut,
    SheetOut,
    SheetState,
    SummaryOut,
    checkin_statement,
    declaration_statement,
    format_score,
    parse_score,
)

Sign = Callable[[bytes], bytes]
BASE = "/api/v1/evaluation"


class EvaluationError(BidclientError):
    code = "evaluation.invalid"


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


class EvaluationApi:
    """Typed calls to the server's evaluation routes; every answer is validated (hostile input)."""

    def __init__(self, client: ApiClient) -> None:
        self.client = client

    def _session(self, path: str, body: Any | None = None) -> SessionOut:
        data = self.client.get_json(path) if body is None else self.client.post_json(path, body)
        return SessionOut.model_validate(data)

    def create(self, body: SessionCreateIn) -> SessionOut:
        return self._session(f"{BASE}/sessions", body.model_dump(mode="json"))

    def sessions(self) -> SessionListOut:
        return SessionListOut.model_validate(self.client.get_json(f"{BASE}/sessions"))

    def get(self, session_id: str) -> SessionOut:
        return self._session(f"{BASE}/sessions/{session_id}")

    def add_reserves(self, session_id: str, experts: list[str] | None = None) -> SessionOut:
        """Reserves named by hand, or (``None``) the draw's reserves who accepted."""
        return self._session(f"{BASE}/sessions/{session_id}/reserves", {"experts": experts} if experts else {})

    def check_in(self, session_id: str, identity: str, sign: Sign) -> SessionOut:
        content = checkin_statement(session_id, identity)
        return self._session(f"{BASE}/sessions/{session_id}/checkin",
                             {"content": _b64(content), "signature": _b64(sign(content))})

    def declare(self, session_id: str, identity: str, sign: Sign, *, conflict: bool, detail: str) -> SessionOut:
        content = declaration_statement(session_id, identity, conflict=conflict, detail=detail)
        return self._session(f"{BASE}/sessions/{session_id}/declaration",
                             {"content": _b64(content), "signature": _b64(sign(content))})

    def vote_chair(self, session_id: str, candidate: str) -> SessionOut:
        return self._session(f"{BASE}/sessions/{session_id}/chair-vote", {"candidate": candidate})

    def advance(self, session_id: str, phase: Phase) -> SessionOut:
        return self._session(f"{BASE}/sessions/{session_id}/phase", {"phase": phase.value})

    def send_edits(self, session_id: str, edits: list[EditIn]) -> EditsOut:
        body = {"edits": [e.model_dump(mode="json") for e in edits]}
        return EditsOut.model_validate(self.client.post_json(f"{BASE}/sessions/{session_id}/edits", body))

    def cells(self, session_id: str) -> CellsOut:
        return CellsOut.model_validate(self.client.get_json(f"{BASE}/sessions/{session_id}/cells"))

    def sheet(self, session_id: str) -> bytes:
        out = SheetOut.model_validate(self.client.get_json(f"{BASE}/sessions/{session_id}/sheet"))
        content = base64.b64decode(out.content, validate=True)
        if hashlib.sha256(content).hexdigest() != out.sha256:
            raise ApiError("net.bad_response", _("the server's sheet does not match its own hash"))
        return content

    def submit_sheet(self, session_id: str, content: bytes, sign: Sign) -> SessionOut:
        return self._session(f"{BASE}/sessions/{session_id}/sheet",
                             {"content": _b64(content), "signature": _b64(sign(content))})

    def return_sheet(self, session_id: str, expert: str, reason: str) -> SessionOut:
        if not reason.strip():  # the server refuses it too; say so before sending
            raise EvaluationError(_("a sheet is returned only with a reason"), code="evaluation.reason_required")
        from urllib.parse import quote

        return self._session(f"{BASE}/sessions/{session_id}/sheets/{quote(expert, safe='')}/return",
                             {"reason": reason})

    def summary(self, session_id: str) -> SummaryOut:
        return SummaryOut.model_validate(self.client.get_json(f"{BASE}/sessions/{session_id}/summary"))

    # Clarifications (澄清): bidclient.evaluation.clarifications holds the calls (the app and the CLI use them).
    def ask(self, session_id: str, bid: str, question: str) -> ClarificationOut:
        return clarifications.ask(self.client, session_id, bid, question)

    def clarifications(self, session_id: str | None = None) -> ClarificationsOut:
        return clarifications.fetch(self.client, session_id)

    def answer(self, clarification_id: str, text: str, sign: Sign) -> ClarificationOut:
        return clarifications.answer(self.client, clarification_id, text, sign)

    def sign_report(self, session_id: str, pdf: bytes, *, stance: str = "agree", reason: str = ""
                    ) -> ReportSignatureOut:
        return ReportSignatureOut.model_validate(self.client.post_json(
            f"{BASE}/sessions/{session_id}/report-signatures", {"pdf": _b64(pdf), "stance": stance, "reason": reason}))

    def report(self, session_id: str) -> bytes:
        """The report PDF as it stands after the last signature (checked against the server's hash)."""
        response = self.client.request("GET", f"{BASE}/sessions/{session_id}/report")
        if hashlib.sha256(response.content).hexdigest() != response.headers.get("X-Content-SHA256", ""):
            raise ApiError("net.bad_response", _("the report the server sent does not match its hash"))
        return response.content

    def report_signatures(self, session_id: str) -> ReportSignaturesOut:
        return ReportSignaturesOut.model_validate(self.client.get_json(
            f"{BASE}/sessions/{session_id}/report-signatures"))


@dataclass(frozen=True)
class Saved:
    """An edit as saved: in the journal (always), and what the sync that followed did."""

    entry: Entry
    sync: SyncReport


class ExpertWorkspace:
    """One expert's side of one session: the definition, the journal and the sync.

    Open it with :func:`open_workspace`. Scores and reviews are checked here first (a value outside its
    range, not a number, a fail without a reason, a computed item: refused before anything is written)."""

    def __init__(self, api: ApiClient | EvaluationApi, session: SessionOut, journal: Journal) -> None:
        self.api = api if isinstance(api, EvaluationApi) else EvaluationApi(api)
        self.session = session
        self.journal = journal

    @property
    def definition(self) -> SessionDefinition:
        return self.session.definition

    def close(self) -> None:
        self.journal.close()

    def __enter__(self) -> ExpertWorkspace:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _bid(self, bid: str) -> None:
        if self.definition.bid(bid) is None:
            raise EvaluationError(_("there is no bid {bid!r} in this session; the bids are: {bids}").format(
                bid=bid, bids=", ".join(b.id for b in self.definition.bids)), code="evaluation.unknown_bid")

    def score(self, bid: str, criterion_id: str, value: str, *, comment: str = "") -> Saved:
        """Score one cell: checked, journaled (saved), then synced if the server can be reached."""
        self._bid(bid)
        criterion = self.definition.criterion(criterion_id)
        if criterion is None:
            raise EvaluationError(_("there is no criterion {id!r}; the criteria are: {ids}").format(
                id=criterion_id, ids=", ".join(c.id for c in self.definition.criteria)),
                code="evaluation.unknown_item")
        if criterion.kind == "computed":
            raise EvaluationError(_("{id} ({name}) is computed by the rules and cannot be scored by hand").format(
                id=criterion.id, name=criterion.name), code="evaluation.score_computed")
        try:
            text = format_score(parse_score(value, criterion))
        except ScoreError as ex:
            raise EvaluationError(ex.detail, code=ex.code) from None
        return self._save({"kind": "score", "bid": bid, "item": criterion_id, "value": text, "passed": None,
                           "reason": "", "comment": comment})

    def review(self, bid: str, item_id: str, *, passed: bool, reason: str = "") -> Saved:
        """Judge one bid on one review item; a fail needs its reason."""
        self._bid(bid)
        if self.definition.review_item(item_id) is None:
            raise EvaluationError(_("there is no review item {id!r}; the items are: {ids}").format(
                id=item_id, ids=", ".join(r.id for r in self.definition.review_items)),
                code="evaluation.unknown_item")
        if not passed and not reason.strip():
            raise EvaluationError(_("a fail of {bid} on {item} needs its reason (--reason)").format(
                bid=bid, item=item_id), code="evaluation.fail_without_reason")
        return self._save({"kind": "review", "bid": bid, "item": item_id, "value": None, "passed": passed,
                           "reason": reason, "comment": ""})

    def _save(self, body: dict[str, Any]) -> Saved:
        entry = self.journal.append(body)
        return Saved(entry, self.sync())

    def sync(self) -> SyncReport:
        return sync(self.journal, self.api)

    def status(self) -> JournalStatus:
        return self.journal.status()

    def submit(self, sign: Sign) -> SessionOut:
        """Sync, check that the server's sheet is exactly what the journal holds, sign it, submit it."""
        report = self.sync()
        if report.offline:
            raise EvaluationError(_("the server cannot be reached ({why}); your edits are saved in the journal — "
                                    "submit again when online").format(why=report.offline),
                                  code="evaluation.offline")
        status = self.journal.status()
        if status.pending or status.conflicts:
            raise EvaluationError(_("{n} edit(s) were not applied (conflicts); see 'bidclient evaluation status', "
                                    "enter them again or acknowledge them ('bidclient evaluation acknowledge') "
                                    "before submitting").format(n=status.pending + len(status.conflicts)),
                                  code="evaluation.unsynced_conflicts")
        content = self.api.sheet(self.session.id)
        self._check_sheet(content)
        self.session = self.api.submit_sheet(self.session.id, content, sign)
        return self.session

    def _check_sheet(self, content: bytes) -> None:
        """The sheet to be signed holds exactly the values the journal says (nothing else, nothing less)."""
        import json

        try:
            sheet = json.loads(content)
            cells = {(c["kind"], c["bid"], c["item"]): c for c in sheet["cells"]}
            ok = sheet["session_id"] == self.session.id and sheet["expert"] == self.journal.expert
        except (ValueError, KeyError, TypeError):
            ok, cells = False, {}
        mine = self.journal.latest()
        if ok and set(cells) == set(mine):
            for key, entry in mine.items():
                got, want = cells[key], entry.body
                if (got.get("value"), got.get("passed"), got.get("reason"), got.get("comment")) != \
                        (want.get("value"), want.get("passed"), want.get("reason"), want.get("comment")):
                    ok = False
        else:
            ok = False
        if not ok:
            raise EvaluationError(_("the sheet the server holds differs from your journal: nothing was signed; "
                                    "sync and check 'bidclient evaluation status'"), code="evaluation.sheet_mismatch")

    def sheet_state(self) -> SheetState:
        member = next((m for m in self.session.members if m.identity_key == self.journal.expert), None)
        return member.sheet_state if member else SheetState.OPEN


def open_workspace(client: ApiClient, session_id: str, expert: str, *, path: Path | None = None,
                   journal_factory: Callable[..., Journal] = Journal) -> ExpertWorkspace:
    """The expert's workspace: the session as the server has it (or, offline, as last seen in the journal's
    folder), and the journal for (server, session, expert)."""
    api = EvaluationApi(client)
    where = path or journal_path(client.base_url, session_id, expert)
    cache = where.with_suffix(".session.json")
    try:
        session = api.get(session_id)
        cache.parent.mkdir(parents=True, exist_ok=True)
        cache.write_bytes(canonical_json(session.model_dump(mode="json")))
    except ApiError as ex:
        if not ex.code.startswith("net.") or not cache.exists():
            raise
        session = SessionOut.model_validate_json(cache.read_bytes())  # offline: keep scoring on what we know
    journal = journal_factory(where, server=client.base_url, session_id=session_id, expert=expert)
    return ExpertWorkspace(api, session, journal)


# --- the rules and the report ------------------------------------------------------------------------

def scoring_of(session: SessionOut) -> Any:
    """The rules' ScoringDefinition of a session (bidclient.protocol.evaluation_rules.scoring_of)."""
    from bidclient.protocol.evaluation_rules import scoring_of as rules_scoring_of

    return rules_scoring_of(session.tender_id, session.definition)


def committee_result(api: EvaluationApi, session_id: str) -> Any:
    """The committee's result by the rules — review by majority, Art. 55 price scores, totals, Art. 64 flags,
    ranking and candidates, each with its calculation — computed here from the sheets the server gives the
    chair (or a supervisor) once every expert has submitted, and **checked against the result the server
    computed** with the same rules: a different final score, rank, exclusion or candidate list is refused
    (``evaluation.result_mismatch``), so the report never states numbers the server does not hold."""
    from decimal import Decimal

    from bidclient.protocol.evaluation_rules import ReviewVote, session_result

    session = api.get(session_id)
    summary = api.summary(session_id)
    votes = [ReviewVote(v.expert, v.bid, v.item, v.passed, v.reason) for v in summary.votes]
    try:
        sheets = {expert: {bid: {criterion: Decimal(value) for criterion, value in items.items()}
                           for bid, items in by_bid.items()} for expert, by_bid in summary.sheets.items()}
    except ArithmeticError:
        raise ApiError("net.bad_response", _("the server sent a score that is not a number")) from None
    result = session_result(session.tender_id, session.definition, summary.experts, votes, sheets)
    differences = result_differences(result, summary)
    if differences:
        raise EvaluationError(_("the server's result differs from the one computed here from the same sheets: "
                                "{what}").format(what="; ".join(differences[:5])), code="evaluation.result_mismatch")
    return result


def result_differences(result: Any, summary: SummaryOut) -> list[str]:
    """Where the server's summary differs from ``result`` (the rules run here): exclusions, final scores,
    ranks, candidates. Empty when they agree."""
    from bidclient.protocol.evaluation_rules import show

    found: list[str] = []
    excluded = {e.bidder_id for e in result.review.excluded}
    rows = {r.bidder_id: r for r in result.ranking.rows}
    for line in summary.lines:
        if line.excluded != (line.bid in excluded):
            found.append(_("{bid}: excluded on one side only").format(bid=line.bid))
            continue
        row = rows.get(line.bid)
        if row is None:
            continue
        total = show(row.final) if row.final is not None else show(row.evaluated_price)
        if line.total != total or line.rank != row.rank:
            found.append(_("{bid}: the server says {total} (rank {rank}), the rules here {mine} (rank {my_rank})")
                         .format(bid=line.bid, total=line.total, rank=line.rank, mine=total, my_rank=row.rank))
    if list(summary.candidates) != list(result.ranking.candidates):
        found.append(_("candidates: the server says {theirs}, the rules here {mine}").format(
            theirs=", ".join(summary.candidates), mine=", ".join(result.ranking.candidates)))
    return found


def write_session_report(api: EvaluationApi, session_id: str, path: Path, *, created_at: str) -> Path:
    """The unsigned report of the session (the chair writes it; then every member signs in turn)."""
    from bidclient.evaluation.report import Member, write_report

    session = api.get(session_id)
    result = committee_result(api, session_id)
    active = [m for m in session.members if m.status == "declared"]
    active.sort(key=lambda m: not m.is_chair)  # the chair signs first
    committee = [Member(m.identity_key, m.identity_key.removeprefix("person:"), m.checkin_cert_sha256 or "",
                        chair=m.is_chair) for m in active]
    from bidclient.evaluation.report import ReportClarification
    from bidclient.timefmt import format_time

    recorded = [ReportClarification(c.bid, c.question, format_time(c.asked_at), c.answer,
                                    format_time(c.answered_at) if c.answered_at is not None else "",
                                    c.verdict == "verified")
                for c in clarifications.session_clarifications(api.client, session)]
    return write_report(result, {b.id: b.name for b in session.definition.bids}, committee, path,
                        report_id=session_id, created_at=created_at, clarifications=recorded)
