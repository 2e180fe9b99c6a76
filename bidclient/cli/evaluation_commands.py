"""`bidclient evaluation …`: every expert, chair, agency and bidder action of a remote evaluation session.

Each command calls one core function (bidclient/evaluation/session.py). Scores and reviews go to the local
journal first and are then synced; they are saved even when the server cannot be reached. Commands that
print data take --json for scripts. Exit status: 0 done · 1 refused or conflicts · 2 usage · 3 key, token or
network unavailable.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from bidclient.i18n import _
from bidclient.timefmt import format_time

EXIT_CONFLICTS = 1
EXIT_OFFLINE = 3


def _key_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--key", required=True, metavar="KEY", help=_("RFC 7512 pkcs11: URI, or a PKCS#12 file"))
    p.add_argument("--pin-source", metavar="SPEC", help=_("where the PIN comes from: file:PATH or env:NAME"))
    p.add_argument("--module", action="append", default=[], metavar="PATH",
                   help=_("an extra PKCS#11 module to load (repeatable)"))


def register(sub: Any) -> None:
    from bidclient.cli.evaluation_report_commands import evaluation_subparsers

    cmds = evaluation_subparsers(sub)  # the group is shared with the report commands

    def add(name: str, handler: Callable[[argparse.Namespace], int], help_text: str, *, session: bool = True,
            key: bool = False, as_json: bool = False) -> argparse.ArgumentParser:
        p: argparse.ArgumentParser = cmds.add_parser(name, help=help_text)
        p.add_argument("--server", metavar="URL", help=_("server URL (default: the one you logged in to)"))
        if session:
            p.add_argument("session", metavar="SESSION", help=_("the session id"))
        if key:
            _key_options(p)
        if as_json:
            p.add_argument("--json", action="store_true", help=_("print JSON for scripts"))
        p.set_defaults(handler=handler)
        return p

    add("list", cmd_list, _("list the sessions you take part in"), session=False, as_json=True)
    add("show", cmd_show, _("show a session: phase, chair, members, bids, criteria"), as_json=True)
    p = add("create", cmd_create, _("create a session for your tender (agency)"), session=False, as_json=True)
    p.add_argument("--tender", required=True, metavar="TENDER_ID")
    p.add_argument("--expert", action="append", metavar="IDENTITY",
                   help=_("name an expert by hand, person:<name> (repeatable; default: the tender's expert draw)"))
    p.add_argument("--representative", action="append", default=[], metavar="IDENTITY",
                   help=_("a representative of the tenderer on the committee (repeatable)"))
    p.add_argument("--definition", type=Path, metavar="FILE",
                   help=_("JSON with the bids, criteria and review items, given by hand (docs/cli.md; default: "
                          "the opening's bids and the tender's scoring)"))
    p.add_argument("--lot", metavar="LOT", help=_("the lot to evaluate (default: the tender's only lot)"))
    p.add_argument("--sme-bid", action="append", default=[], metavar="BID",
                   help=_("an opened bid whose bidder declared itself a small or micro enterprise (repeatable)"))
    p = add("reserves", cmd_reserves, _("add reserve experts for recused ones (agency)"))
    p.add_argument("--expert", action="append", metavar="IDENTITY",
                   help=_("a reserve's identity (repeatable; default: the draw's reserves who accepted)"))
    add("checkin", cmd_checkin, _("check in with your dongle"), key=True)
    p = add("declare", cmd_declare, _("sign the recusal declaration and the commitment"), key=True)
    p.add_argument("--conflict", metavar="REASON",
                   help=_("declare a conflict of interest (you are then removed from the committee)"))
    p = add("vote-chair", cmd_vote_chair, _("vote for the chair"))
    p.add_argument("candidate", metavar="IDENTITY")
    p = add("advance", cmd_advance, _("move the session to its next phase (agency at check-in, then the chair)"))
    p.add_argument("phase", metavar="PHASE", help=_("election, reading, review, scoring, summary, ranking, report, "
                                                    "closed"))
    p = add("review", cmd_review, _("judge a bid on a review item: pass or fail (a fail needs --reason)"))
    p.add_argument("bid", metavar="BID")
    p.add_argument("item", metavar="ITEM")
    p.add_argument("verdict", choices=["pass", "fail"])
    p.add_argument("--reason", default="", metavar="TEXT")
    p = add("score", cmd_score, _("score a bid on a criterion (saved in your journal, then synced)"))
    p.add_argument("bid", metavar="BID")
    p.add_argument("criterion", metavar="CRITERION")
    p.add_argument("value", metavar="SCORE")
    p.add_argument("--comment", default="", metavar="TEXT")
    add("sync", cmd_sync, _("send your journal's pending edits to the server"))
    add("status", cmd_status, _("show the sync state: pending edits, conflicts, last sync"), as_json=True)
    p = add("acknowledge", cmd_acknowledge, _("let conflicting or rejected edits go, having read them"))
    p.add_argument("edit_ids", nargs="*", metavar="EDIT_ID")
    p.add_argument("--all", action="store_true", help=_("every conflict and rejection shown by status"))
    add("scores", cmd_scores, _("show the scores you may see (others' only after you submitted)"), as_json=True)
    add("submit", cmd_submit, _("sign your score sheet with your dongle and submit it"), key=True)
    add("summary", cmd_summary, _("the committee's scores and ranking (chair, supervisor)"), as_json=True)
    p = add("return", cmd_return, _("return a submitted sheet to its expert, with a reason (chair)"))
    p.add_argument("expert", metavar="IDENTITY")
    p.add_argument("--reason", required=True, metavar="TEXT")
    p = add("ask", cmd_ask, _("ask a bidder to clarify, through the platform"))
    p.add_argument("bid", metavar="BID")
    p.add_argument("--question", required=True, metavar="TEXT")
    p = add("clarifications", cmd_clarifications, _("clarification requests: of a session, or put to you as a "
                                                    "bidder"), session=False, as_json=True)
    p.add_argument("session", nargs="?", metavar="SESSION")
    p = add("answer", cmd_answer, _("answer a clarification request, signed with your dongle (bidder)"),
            session=False, key=True)
    p.add_argument("clarification", metavar="ID")
    p.add_argument("--text", required=True, metavar="TEXT")
    p = add("write-report", cmd_write_report, _("write the unsigned report from the summary (chair)"))
    p.add_argument("--output", "-o", required=True, type=Path, metavar="PDF")
    p = add("upload-report", cmd_upload_report, _("store on the server the report PDF you signed ('sign-report'), "
                                                  "after the previous signatures"))
    p.add_argument("pdf", type=Path, metavar="PDF")
    p.add_argument("--stance", choices=["agree", "dissent", "refuse"], default="agree")
    p.add_argument("--reason", default="", metavar="TEXT")
    p = add("download-report", cmd_download_report, _("save the report as it stands after the last signature"))
    p.add_argument("--output", "-o", required=True, type=Path, metavar="PDF")
    add("signatures", cmd_signatures, _("the report's signatures in order"), as_json=True)


# --- plumbing ------------------------------------------------------------------------------------

def _api(args: argparse.Namespace) -> Any:
    from bidclient import session_store
    from bidclient.evaluation.session import EvaluationApi

    return EvaluationApi(session_store.load_client(args.server))


def _workspace(args: argparse.Namespace) -> Any:
    from bidclient import session_store
    from bidclient.errors import BidclientError
    from bidclient.evaluation.session import open_workspace

    client = session_store.load_client(args.server)
    identity = session_store.stored_identity(client.base_url)
    if identity is None:
        raise BidclientError(_("log in first: bidclient login --key KEY"), code="auth.not_logged_in", exit_status=3)
    return open_workspace(client, args.session, identity)


@contextlib.contextmanager
def _signer(args: argparse.Namespace) -> Iterator[Callable[[bytes], bytes]]:
    from bidclient.cli.prompt import pin_source_for
    from bidclient.signing import open_key
    from crypto import cms_sign

    with open_key(args.key, pin_source_for(args.pin_source), modules=args.module) as session:
        signer = session.signer()
        yield lambda data: cms_sign.sign_detached(data, signer)


def _identity(args: argparse.Namespace) -> str:
    from bidclient import session_store

    identity = session_store.stored_identity(session_store.resolve_server(args.server))
    if identity is None:
        from bidclient.errors import BidclientError

        raise BidclientError(_("log in first: bidclient login --key KEY"), code="auth.not_logged_in", exit_status=3)
    return identity


def _print_json(value: Any) -> None:
    print(json.dumps(value, ensure_ascii=False, indent=2, default=str))


def _print_session(session: Any) -> None:
    print(f"{_('session')}: {session.id}  ({_('tender')} {session.tender_id})")
    print(f"  {_('phase')}: {session.phase}")
    print(f"  {_('chair')}: {session.chair or '-'}")
    print(f"  {_('your role')}: {session.your_role}")
    if session.reserves_needed:
        print(f"  {_('reserves needed')}: {session.reserves_needed}")
    for member in session.members:
        extra = f" — {member.recusal_reason}" if member.recusal_reason else ""
        extra += f" — {_('returned')}: {member.returned_reason}" if member.returned_reason else ""
        print(f"  {member.identity_key}: {member.status}, {_('sheet')} {member.sheet_state}"
              f"{' (' + _('chair') + ')' if member.is_chair else ''}{extra}")
    for bid_id, reasons in session.excluded_bids.items():
        print(f"  {_('excluded')}: {bid_id}: {'; '.join(reasons)}")


def _print_sync(report: Any) -> int:
    if report.offline:
        print(_("saved in your journal; the server cannot be reached ({why}); {n} edit(s) wait to be sent").format(
            why=report.offline, n=report.pending))
        return EXIT_OFFLINE
    for entry, result in [*report.conflicts, *report.rejected]:
        print(_("NOT applied [{code}]: {kind} {bid}/{item}: {detail}").format(
            code=result.code, kind=entry.body["kind"], bid=entry.body["bid"], item=entry.body["item"],
            detail=result.detail), file=sys.stderr)
    print(_("synced: {applied} applied, {dup} already applied before, {bad} not applied, {pending} pending").format(
        applied=report.applied, dup=report.duplicates, bad=len(report.conflicts) + len(report.rejected),
        pending=report.pending))
    return EXIT_CONFLICTS if report.conflicts or report.rejected else 0


# --- commands ------------------------------------------------------------------------------------

def cmd_list(args: argparse.Namespace) -> int:
    sessions = _api(args).sessions().sessions
    if args.json:
        _print_json([s.model_dump(mode="json") for s in sessions])
        return 0
    for s in sessions:
        print(f"{s.id}  {s.tender_id}  {s.phase}  {s.your_role}")
    if not sessions:
        print(_("no sessions"))
    return 0


def cmd_show(args: argparse.Namespace) -> int:
    session = _api(args).get(args.session)
    if args.json:
        _print_json(session.model_dump(mode="json"))
        return 0
    _print_session(session)
    for bid in session.definition.bids:
        print(f"  {_('bid')} {bid.id}: {bid.name}")
    for c in session.definition.criteria:
        print(f"  {_('criterion')} {c.id}: {c.name} [{c.min}–{c.max}] {c.kind}")
    for r in session.definition.review_items:
        print(f"  {_('review item')} {r.id}: {r.name} ({r.kind})")
    return 0


def cmd_create(args: argparse.Namespace) -> int:
    from pydantic import ValidationError

    from bidclient.errors import BidclientError
    from bidclient.protocol.evaluation_session import SessionCreateIn, SessionDefinition

    definition = None
    try:
        if args.definition is not None:
            definition = SessionDefinition.model_validate_json(args.definition.read_bytes())
    except OSError as ex:
        raise BidclientError(_("cannot read {path}: {why}").format(path=args.definition, why=ex.strerror),
                             code="io.input_missing") from None
    except ValidationError as ex:
        raise BidclientError(_("{path} is not a session definition: {why}").format(
            path=args.definition, why="; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}"
                                                for e in ex.errors()[:5])), code="usage.invalid") from None
    session = _api(args).create(SessionCreateIn(tender_id=args.tender, experts=args.expert, definition=definition,
                                                representatives=args.representative, lot=args.lot,
                                                sme_bids=args.sme_bid))
    if args.json:
        _print_json(session.model_dump(mode="json"))
    else:
        print(_("created session {id}").format(id=session.id))
    return 0


def cmd_reserves(args: argparse.Namespace) -> int:
    _print_session(_api(args).add_reserves(args.session, args.expert))
    return 0


def cmd_checkin(args: argparse.Namespace) -> int:
    identity = _identity(args)
    with _signer(args) as sign:
        session = _api(args).check_in(args.session, identity, sign)
    print(_("checked in to {id}").format(id=session.id))
    return 0


def cmd_declare(args: argparse.Namespace) -> int:
    identity = _identity(args)
    with _signer(args) as sign:
        _api(args).declare(args.session, identity, sign, conflict=args.conflict is not None,
                           detail=args.conflict or "")
    if args.conflict is not None:
        print(_("conflict of interest declared: you are removed from this committee, a reserve will be called"))
    else:
        print(_("declaration and commitment signed"))
    return 0


def cmd_vote_chair(args: argparse.Namespace) -> int:
    session = _api(args).vote_chair(args.session, args.candidate)
    print(_("vote recorded; chair: {chair}").format(chair=session.chair or _("not elected yet")))
    return 0


def cmd_advance(args: argparse.Namespace) -> int:
    from bidclient.errors import UsageError
    from bidclient.protocol.evaluation_session import Phase

    try:
        phase = Phase(args.phase)
    except ValueError:
        raise UsageError(_("{phase!r} is not a phase; the phases are: {all}").format(
            phase=args.phase, all=", ".join(p.value for p in Phase))) from None
    session = _api(args).advance(args.session, phase)
    print(_("the session is now in phase {phase}").format(phase=session.phase))
    return 0


def cmd_review(args: argparse.Namespace) -> int:
    with _workspace(args) as space:
        saved = space.review(args.bid, args.item, passed=args.verdict == "pass", reason=args.reason)
        print(_("saved {bid}/{item}: {verdict} (journal entry {seq})").format(
            bid=args.bid, item=args.item, verdict=args.verdict, seq=saved.entry.seq))
        return _print_sync(saved.sync)


def cmd_score(args: argparse.Namespace) -> int:
    with _workspace(args) as space:
        saved = space.score(args.bid, args.criterion, args.value, comment=args.comment)
        print(_("saved {bid}/{item}: {value} (journal entry {seq})").format(
            bid=args.bid, item=args.criterion, value=saved.entry.body["value"], seq=saved.entry.seq))
        return _print_sync(saved.sync)


def cmd_sync(args: argparse.Namespace) -> int:
    with _workspace(args) as space:
        return _print_sync(space.sync())


def cmd_status(args: argparse.Namespace) -> int:
    with _workspace(args) as space:
        status = space.status()
        unresolved = [*status.conflicts, *status.rejected]
        if args.json:
            _print_json({"journal": str(space.journal.path), "entries": status.entries, "pending": status.pending,
                         "applied": status.applied, "acknowledged": status.acknowledged,
                         "last_sync": status.last_sync, "last_error": status.last_error,
                         "not_applied": [{"edit_id": e.edit_id, "seq": e.seq, "edit": e.body, "status": d.status,
                                          "code": d.code, "detail": d.detail} for e, d in unresolved]})
            return 0
        print(f"{_('journal')}: {space.journal.path}")
        print(_("{entries} edit(s) saved: {applied} applied on the server, {pending} waiting to be sent, "
                "{bad} not applied").format(entries=status.entries, applied=status.applied, pending=status.pending,
                                            bad=len(unresolved)))
        print(f"{_('last sync')}: {status.last_sync or '-'}")
        if status.last_error:
            print(f"{_('last failure')}: {status.last_error}")
        for entry, delivery in unresolved:
            print(_("NOT applied [{code}] {edit_id}: {kind} {bid}/{item} = {value}: {detail}").format(
                code=delivery.code, edit_id=entry.edit_id, kind=entry.body["kind"], bid=entry.body["bid"],
                item=entry.body["item"], value=entry.body.get("value") or entry.body.get("passed"),
                detail=delivery.detail))
        return 0


def cmd_acknowledge(args: argparse.Namespace) -> int:
    from bidclient.errors import UsageError

    with _workspace(args) as space:
        status = space.status()
        ids = [e.edit_id for e, _d in [*status.conflicts, *status.rejected]] if args.all else args.edit_ids
        if not ids:
            raise UsageError(_("name the edits to acknowledge (as 'status' lists them), or pass --all"))
        count = space.journal.acknowledge(ids)
        print(_("{n} edit(s) acknowledged; they stay in the journal with the server's answer").format(n=count))
        return 0


def cmd_scores(args: argparse.Namespace) -> int:
    cells = _api(args).cells(args.session)
    if args.json:
        _print_json(cells.model_dump(mode="json"))
        return 0
    if cells.hidden:
        print(_("(others' scores are shown once your own sheet is submitted)"))
    for c in cells.cells:
        shown = c.value if c.kind == "score" else (_("pass") if c.passed else _("fail") + f": {c.reason}")
        print(f"{c.expert}  {c.kind}  {c.bid}/{c.item}  {shown}  v{c.version}"
              f"{'  — ' + c.comment if c.comment else ''}")
    return 0


def cmd_submit(args: argparse.Namespace) -> int:
    with _workspace(args) as space, _signer(args) as sign:
        space.submit(sign)
    print(_("your score sheet is signed and submitted; it is now frozen"))
    return 0


def cmd_summary(args: argparse.Namespace) -> int:
    api = _api(args)
    summary = api.summary(args.session)
    if not args.json and all(b.price is not None for b in api.get(args.session).definition.bids):
        return _print_result(api, args.session)
    if args.json:
        _print_json(summary.model_dump(mode="json"))
        return 0
    for line in summary.lines:
        rank = line.rank if line.rank is not None else "-"
        state = _("excluded") if line.excluded else line.total
        scores = ", ".join(f"{k} {v}" for k, v in line.scores.items())
        print(f"{rank}  {line.bid}  {line.name}  {state}  ({scores})")
    print(f"{_('recommended candidates')}: {', '.join(summary.candidates) or '-'}")
    from bidclient.protocol.evaluation_rules import flag_texts

    for flag in summary.flags:
        detail, may_change = flag_texts(flag)  # in your language, whatever the server's
        print(f"{_('Art. 64')} [{flag.get('code', '')}] {flag.get('expert', '')} {flag.get('bid', '')} "
              f"{flag.get('criterion', '')}: {detail} — {may_change}")
    return 0


def _print_result(api: Any, session_id: str) -> int:
    """The committee's result by the rules, every number with its calculation."""
    from bidclient.evaluation.session import committee_result

    result = committee_result(api, session_id)
    for exclusion in result.review.excluded:
        print(f"{_('excluded')}: {exclusion.bidder_id}")
        for decision in exclusion.failed:
            print(f"    {decision.item_id}: {decision.calculation}")
    print(f"{_('benchmark price')}: {result.price.benchmark_calculation}")
    for price in result.price.scores:
        print(f"  {price.bidder_id}: {price.score_calculation or price.evaluated_calculation}")
    for flag in result.flags:
        print(f"{_('Art. 64')} [{flag.code}] {flag.expert_id} {flag.bidder_id} {flag.criterion_id or ''}: "
              f"{flag.detail} — {flag.may_change_text}")
    for row in result.ranking.rows:
        print(f"{row.rank}. {row.bidder_id} {row.name}: {row.calculation}")
    print(f"{_('recommended candidates')}: {', '.join(result.ranking.candidates) or '-'}")
    return 0


def cmd_write_report(args: argparse.Namespace) -> int:
    from datetime import UTC, datetime

    from bidclient.evaluation.session import write_session_report

    path = write_session_report(_api(args), args.session, args.output,
                                created_at=format_time(datetime.now(UTC)))
    print(_("wrote the report to {path}; each member signs it in turn ('sign-report', then "
            "'upload-report')").format(path=path))
    return 0


def cmd_return(args: argparse.Namespace) -> int:
    _api(args).return_sheet(args.session, args.expert, args.reason)
    print(_("the sheet of {expert} is returned: {reason}").format(expert=args.expert, reason=args.reason))
    return 0


def cmd_ask(args: argparse.Namespace) -> int:
    from bidclient.evaluation import clarifications

    item = clarifications.ask(_api(args).client, args.session, args.bid, args.question)
    print(_("clarification request {id} sent to the bidder of {bid}").format(id=item.id, bid=item.bid))
    return 0


def cmd_clarifications(args: argparse.Namespace) -> int:
    from bidclient.evaluation import clarifications

    api = _api(args)
    if args.json:
        _print_json([i.model_dump(mode="json") for i in api.clarifications(args.session).clarifications])
        return 0
    items = clarifications.session_clarifications(api.client, api.get(args.session)) if args.session \
        else clarifications.my_clarifications(api.client)
    for i in items:
        print(f"{i.id}  {i.bid_name}  {format_time(i.asked_at)}  {i.question}")
        if i.answer is not None:
            when = format_time(i.answered_at) if i.answered_at else ""
            signed = _("signed by {bidder}, verified").format(bidder=i.bid_name) if i.verdict == "verified" \
                else _("signature NOT verified: {why}").format(why=i.problem)
            print(f"    {_('answer')} ({when}; {signed}): {i.answer}")
    if not items:
        print(_("no clarification requests"))
    return 0


def cmd_answer(args: argparse.Namespace) -> int:
    from bidclient.evaluation import clarifications

    with _signer(args) as sign:
        item = clarifications.answer(_api(args).client, args.clarification, args.text, sign)
    print(_("answer to {id} signed and sent").format(id=item.id))
    return 0


def cmd_upload_report(args: argparse.Namespace) -> int:
    from bidclient.errors import BidclientError

    try:
        pdf = args.pdf.read_bytes()
    except OSError as ex:
        raise BidclientError(_("cannot read {path}: {why}").format(path=args.pdf, why=ex.strerror),
                             code="io.input_missing") from None
    out = _api(args).sign_report(args.session, pdf, stance=args.stance, reason=args.reason)
    print(_("signature {n} stored ({stance})").format(n=out.position, stance=out.stance))
    return 0


def cmd_download_report(args: argparse.Namespace) -> int:
    from bidclient.atomic import write_atomically

    pdf = _api(args).report(args.session)
    write_atomically(args.output, pdf)
    print(_("saved the report ({size} bytes) to {path}").format(size=len(pdf), path=args.output))
    return 0


def cmd_signatures(args: argparse.Namespace) -> int:
    signatures = _api(args).report_signatures(args.session).signatures
    if args.json:
        _print_json([s.model_dump(mode="json") for s in signatures])
        return 0
    for s in signatures:
        print(f"{s.position}. {s.expert}  {s.stance}  {format_time(s.signed_at)}  {s.pdf_sha256[:16]}"
              f"{'  — ' + s.reason if s.reason else ''}")
    return 0
