"""The evaluation steps of the desktop app (ui/evaluation/, ui/supervisor/), each one call of the core.

The expert's scoring session and the supervisor's read-only view call these from worker threads; each is a
plain function over the core's session API (bidclient.evaluation.session), the signed-in dongle
(bidclient.signin) and the report (bidclient.evaluation.report). Nothing here imports Qt or prints; what must
be asked (the PIN) goes through the Prompter given.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from bidclient.api_client import ApiClient, ApiError
from bidclient.evaluation.clarifications import Clarification, session_clarifications
from bidclient.evaluation.report import Decision, sign_report
from bidclient.evaluation.session import (
    EvaluationApi,
    EvaluationError,
    ExpertWorkspace,
    committee_result,
    open_workspace,
    scoring_of,
    write_session_report,
)
from bidclient.i18n import _
from bidclient.interaction import Prompter
from bidclient.protocol.audit import AuditEntryOut, AuditFeedOut
from bidclient.protocol.evaluation_session import (
    CellsOut,
    MemberOut,
    MemberStatus,
    ReportSignatureOut,
    ReportSignaturesOut,
    SessionOut,
    SummaryOut,
)
from bidclient.signin import find_signed_in_key, open_signed_in_key, signing_certificates
from bidclient.signing import detached_signer


def my_sessions(client: ApiClient) -> list[SessionOut]:
    """The sessions the signed-in person takes part in (a supervisor: every session)."""
    return EvaluationApi(client).sessions().sessions


def session(client: ApiClient, session_id: str) -> SessionOut:
    return EvaluationApi(client).get(session_id)


def member_of(session_out: SessionOut, identity: str) -> MemberOut | None:
    return next((m for m in session_out.members if m.identity_key == identity), None)


def open_expert_workspace(client: ApiClient, session_id: str, identity: str, *, path: Path | None = None
                          ) -> ExpertWorkspace:
    """The expert's workspace (journal + sync) on a client of its own, which gives up on an unreachable
    server at once (the edit is saved in the journal; the app syncs again later) instead of retrying."""
    own = client.sibling()
    own.retries = 0
    return open_workspace(own, session_id, identity, path=path)


def _dongle_for(identity: str, preferred: str) -> str:
    """The SHA-256 of the certificate to sign with: ``preferred`` (the signed-in or checked-in one) when its
    dongle is plugged in, else a plugged-in signing certificate of ``identity``."""
    from crypto.identity import identity_of

    if preferred:
        return preferred
    for found in signing_certificates():
        if identity_of(found.certificate).key == identity:
            from cryptography.hazmat.primitives import hashes

            return found.certificate.fingerprint(hashes.SHA256()).hex()
    raise EvaluationError(_("no plugged-in dongle holds a signing certificate of {identity}; plug in the dongle "
                            "you signed in with").format(identity=identity), code="token.not_present")


def check_in_and_declare(client: ApiClient, session_id: str, identity: str, certificate_sha256: str,
                         prompter: Prompter, *, conflict: bool, detail: str) -> SessionOut:
    """Check in (if not yet) and sign the recusal declaration with the commitment, with one PIN entry.

    ``conflict`` declares a conflict of interest (its reason in ``detail``, required): the expert is then
    removed from the committee and a reserve is called."""
    if conflict and not detail.strip():
        raise EvaluationError(_("a declared conflict of interest needs its reason"),
                              code="evaluation.reason_required")
    api = EvaluationApi(client)
    current = api.get(session_id)
    member = member_of(current, identity)
    sha = _dongle_for(identity, (member.checkin_cert_sha256 if member else None) or certificate_sha256)
    with open_signed_in_key(sha, prompter) as key:
        sign = detached_signer(key.signer())
        if member is None or member.status == MemberStatus.INVITED:
            current = api.check_in(session_id, identity, sign)
        declared = api.declare(session_id, identity, sign, conflict=conflict, detail=detail.strip())
        if not conflict:
            _register_encryption(client, session_id, key)
        return declared


def _register_encryption(client: ApiClient, session_id: str, key: Any) -> None:
    """Register the dongle's encryption certificate at check-in, so that the opening host can hand the bids
    over. A failure here does not undo the check-in: getting the bids registers again and says what is wrong."""
    from bidclient.errors import BidclientError
    from bidclient.evaluation.recipient import register_certificate
    from crypto.errors import CryptoError

    try:
        register_certificate(client, session_id, key)
    except (BidclientError, CryptoError):
        pass


def submit_sheet(space: ExpertWorkspace, certificate_sha256: str, prompter: Prompter) -> SessionOut:
    """Sync, check, sign (the dongle checked in with; one PIN entry) and submit the expert's sheet."""
    member = member_of(space.session, space.journal.expert)
    sha = _dongle_for(space.journal.expert, (member.checkin_cert_sha256 if member else None) or certificate_sha256)
    find_signed_in_key(sha)  # the dongle must be plugged in before anything is synced or asked
    with open_signed_in_key(sha, prompter) as key:
        return space.submit(detached_signer(key.signer()))


@dataclass(frozen=True)
class SheetValues:
    """What the expert's grids show: each cell's value as the server has it, or the journal's edit still on
    its way; and the cells whose latest edit the server did not apply (cell -> what it answered)."""

    scores: dict[tuple[str, str], tuple[str, str]]  # (bid, criterion) -> (value, comment)
    reviews: dict[tuple[str, str], tuple[bool, str]]  # (bid, item) -> (passed, reason)
    problems: dict[tuple[str, str, str], str]  # (kind, bid, item) -> the server's answer, with its code


def sheet_values(space: ExpertWorkspace) -> SheetValues:
    """The expert's own cells: the journal's pending edits over the server's values (read when it can be
    reached; else the journal's applied edits), and the edits not applied, not yet acknowledged."""
    scores: dict[tuple[str, str], tuple[str, str]] = {}
    reviews: dict[tuple[str, str], tuple[bool, str]] = {}

    def put(kind: str, bid: str, item: str, body: dict[str, Any]) -> None:
        if kind == "score" and body.get("value") is not None:
            scores[(bid, item)] = (str(body["value"]), str(body.get("comment") or ""))
        elif kind == "review" and body.get("passed") is not None:
            reviews[(bid, item)] = (bool(body["passed"]), str(body.get("reason") or ""))

    latest = space.journal.latest()
    try:
        cells = [c for c in space.api.cells(space.session.id).cells if c.expert == space.journal.expert]
    except ApiError:
        cells = None
    if cells is None:
        for (kind, bid, item), entry in latest.items():
            put(kind, bid, item, entry.body)
    else:
        for c in cells:
            put(c.kind, c.bid, c.item, c.model_dump())
        for entry in space.journal.pending():
            put(entry.body["kind"], entry.body["bid"], entry.body["item"], entry.body)
    status = space.journal.status()
    problems = {e.cell: f"{d.detail or d.code} [{d.code}]" for e, d in [*status.conflicts, *status.rejected]}
    return SheetValues(scores, reviews, problems)


@dataclass(frozen=True)
class ComputedCell:
    value: str  # the weighted price score, 2 decimals
    calculation: str  # how it was obtained, with its numbers


def computed_cells(session_out: SessionOut) -> dict[tuple[str, str], ComputedCell]:
    """The price score of every bid still in, for each computed criterion, with its calculation (Art. 55):
    what the scoring grid shows read-only. Empty when a price is missing or no bid is left."""
    from bidclient.evaluation.rules import Bid, price_scores

    d = session_out.definition
    computed = [c for c in d.criteria if c.kind == "computed"]
    bids = [b for b in d.bids if b.id not in session_out.excluded_bids]
    if not computed or not bids or any(b.price is None for b in bids):
        return {}
    result = price_scores(scoring_of(session_out),
                          [Bid(b.id, b.name, b.price or Decimal(0), b.sme) for b in bids])
    cells: dict[tuple[str, str], ComputedCell] = {}
    for criterion in computed:
        for score in result.scores:
            steps = [str(score.evaluated_calculation), str(result.benchmark_calculation)]
            steps += [str(c) for c in (score.score_calculation, score.weighted_calculation) if c is not None]
            value = score.weighted if score.weighted is not None else score.score
            cells[(score.bidder_id, criterion.id)] = ComputedCell(
                f"{value:.2f}" if value is not None else "", "\n".join(steps))
    return cells


@dataclass(frozen=True)
class ChairSummary:
    summary: SummaryOut
    flags: tuple[Any, ...]  # bidclient.evaluation.rules.Flag: the Art. 64 checks, each with what may change
    result: Any  # bidclient.evaluation.rules.EvaluationResult, or None when a price is missing


def chair_summary(client: ApiClient, session_id: str) -> ChairSummary:
    """The committee's summary for the chair (only once every sheet is in: else evaluation.sheet_missing),
    with the Art. 64 flags of the rules."""
    api = EvaluationApi(client)
    summary = api.summary(session_id)
    try:
        result = committee_result(api, session_id)
    except EvaluationError as ex:
        if ex.code != "evaluation.price_invalid":
            raise
        return ChairSummary(summary, (), None)
    return ChairSummary(summary, tuple(result.flags), result)


def return_sheet(client: ApiClient, session_id: str, expert: str, reason: str) -> SessionOut:
    """The chair returns a submitted sheet to its expert; the reason is required and recorded."""
    return EvaluationApi(client).return_sheet(session_id, expert, reason.strip())


def advance(client: ApiClient, session_id: str, phase: str) -> SessionOut:
    from bidclient.protocol.evaluation_session import Phase

    return EvaluationApi(client).advance(session_id, Phase(phase))


def vote_chair(client: ApiClient, session_id: str, candidate: str) -> SessionOut:
    return EvaluationApi(client).vote_chair(session_id, candidate)


def report_path(folder: Path, session_id: str) -> Path:
    return folder / f"evaluation-report-{session_id}.pdf"


def current_report(client: ApiClient, session_id: str, identity: str, folder: Path) -> Path:
    """The report as it stands (after the last signature), saved in ``folder`` to read or sign. Before anyone
    has signed, the chair writes it from the committee's result; another member is told to wait."""
    from bidclient.atomic import write_atomically

    api = EvaluationApi(client)
    path = report_path(folder, session_id)
    folder.mkdir(parents=True, exist_ok=True)
    try:
        write_atomically(path, api.report(session_id))
        return path
    except ApiError as ex:
        if ex.code != "evaluation.report_not_found":
            raise
    current = api.get(session_id)
    if current.chair != identity:
        raise ApiError("evaluation.report_not_found", _("the chair has not written and signed the report yet"))
    from bidclient.timefmt import format_time

    return write_session_report(api, session_id, path, created_at=format_time(datetime.now(UTC)))


@dataclass(frozen=True)
class ReportSigned:
    path: Path  # the report with this member's signature added
    signature: ReportSignatureOut


def sign_and_upload_report(client: ApiClient, session_id: str, identity: str, certificate_sha256: str,
                           prompter: Prompter, decision: Decision, reasons: str, folder: Path) -> ReportSigned:
    """Sign the report as it stands as the next member (agree; dissent or refuse with reasons) with the
    dongle checked in with (one PIN entry), and store the signed revision on the server."""
    from bidclient.evaluation.report import statement_text

    statement_text(decision, reasons)  # dissent or refusal without reasons: refused before the PIN
    api = EvaluationApi(client)
    path = current_report(client, session_id, identity, folder)
    member = member_of(api.get(session_id), identity)
    sha = _dongle_for(identity, (member.checkin_cert_sha256 if member else None) or certificate_sha256)
    with open_signed_in_key(sha, prompter) as key:
        sign_report(path, key.signer(), decision, reasons.strip())
    out = api.sign_report(session_id, path.read_bytes(), stance=decision, reason=reasons.strip())
    return ReportSigned(path, out)


def report_signatures(client: ApiClient, session_id: str) -> ReportSignaturesOut:
    return EvaluationApi(client).report_signatures(session_id)


def session_audit(client: ApiClient, session_id: str, *, after: int = 0, limit: int = 2000
                  ) -> tuple[list[AuditEntryOut], int]:
    """The audit trail's entries about ``session_id`` after ``after`` (supervisors), and the last seq read:
    pass it as ``after`` next time to read only what is new."""
    found: list[AuditEntryOut] = []
    last = after
    while True:
        feed = AuditFeedOut.model_validate(client.get_json(f"/api/v1/audit?after={last}&limit=500"))
        if not feed.entries:
            break
        last = feed.entries[-1].seq
        found += [e for e in feed.entries if e.object_type == "evaluation_session" and e.object_id == session_id]
        if last >= feed.head_seq:
            break
    return found[-limit:], last


@dataclass(frozen=True)
class SupervisorView:
    """Everything the supervisor sees of a session, read-only: the session, every cell, the summary once
    every sheet is in (None before), the report's signatures and the audit entries about it."""

    session: SessionOut
    cells: CellsOut
    summary: SummaryOut | None
    signatures: ReportSignaturesOut
    audit: list[AuditEntryOut]
    audit_seq: int
    clarifications: list[Clarification] = field(default_factory=list)  # answers verified (澄清)


def supervisor_view(client: ApiClient, session_id: str, *, audit_after: int = 0) -> SupervisorView:
    api = EvaluationApi(client)
    current = api.get(session_id)
    cells = api.cells(session_id)
    try:
        summary: SummaryOut | None = api.summary(session_id)
    except ApiError as ex:
        if ex.code != "evaluation.sheet_missing":
            raise
        summary = None
    signatures = api.report_signatures(session_id)
    audit, seq = session_audit(client, session_id, after=audit_after)
    return SupervisorView(current, cells, summary, signatures, audit, seq, session_clarifications(client, current))


# --- the documents: the tender and a bid side by side ---------------------------------------------------

def tender_documents(client: ApiClient, tender_id: str, folder: Path) -> list[Path]:
    """The tender's PDF documents, fetched once into ``folder`` (signature and every document verified,
    bidclient.tender_package) and verified again when already there."""
    from bidclient import tender_package as tp
    from bidclient.signing import load_trust

    trust_list = load_trust([])
    target = folder / tp._path_id(tender_id)
    package = tp.verify_folder(target, trust_list=trust_list) if target.exists() else \
        tp.fetch(client, tender_id, target, trust_list=trust_list)
    return [target / tp.DOCUMENTS_DIR / d.name for d in package.definition.documents
            if d.name.lower().endswith(".pdf")]


@dataclass(frozen=True)
class BidLink:
    criterion: str  # the criterion's id or title, as the bidder wrote it
    file: Path
    page: int


@dataclass(frozen=True)
class BidDocuments:
    folder: Path
    files: tuple[Path, ...]  # the bid's PDFs
    links: tuple[BidLink, ...]  # the bidder's criterion → page links (from its manifest.json), if any


def bid_documents(folder: Path) -> BidDocuments:
    """An opened bid's folder: its PDFs, and the bidder's criterion → page links when its manifest.json
    (docs/formats/sealed-bid.md) names them. A link to a file outside the folder, or not a PDF, is left out."""
    from bidclient.bidpackage.manifest import MANIFEST_NAME, parse_manifest

    if not folder.is_dir():
        raise EvaluationError(_("{folder} is not a folder").format(folder=folder), code="io.input_missing")
    root = folder.resolve()
    files = tuple(sorted((p for p in root.rglob("*") if p.is_file() and p.suffix.lower() == ".pdf"),
                         key=lambda p: str(p.relative_to(root))))
    links: list[BidLink] = []
    manifest = root / MANIFEST_NAME
    if manifest.is_file():
        parsed = parse_manifest(manifest.read_bytes())
        for link in parsed.links:
            target = (root / link.file).resolve()
            if target in files and link.page is not None:
                links.append(BidLink(link.criterion, target, link.page))
    return BidDocuments(root, files, tuple(links))
