"""The opened bids reach the evaluation committee (docs/evaluation.md "The opened bids reach the committee"):

- `bidclient opening hand-over TENDER --key KEY` (a host of the opening): wrap each opened bid's content key to
  each seated expert's encryption certificate;
- `bidclient evaluation register-key SESSION --key KEY` (an expert, at check-in): register the dongle's
  encryption certificate so that the host can hand the bids to it;
- `bidclient evaluation handover SESSION`: which bid was handed to which expert;
- `bidclient evaluation fetch-bids SESSION -o DIR --key KEY` (an expert): fetch, open and verify them.

Exit status: 0 done · 1 something is missing or a bid failed its verification · 2 usage · 3 key, token or
network unavailable.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from bidclient.cli.prompt import TerminalPrompter
from bidclient.i18n import _


def _subparsers(parser: argparse.ArgumentParser) -> Any:
    return next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))


def _key_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--key", required=True, metavar="KEY", help=_("RFC 7512 pkcs11: URI, or a PKCS#12 file"))
    p.add_argument("--enc-key", metavar="KEY",
                   help=_("your encryption key, when KEY's token or file does not settle it"))
    p.add_argument("--pin-source", metavar="SPEC", help=_("where the PIN comes from: file:PATH or env:NAME"))
    p.add_argument("--module", action="append", default=[], metavar="PATH",
                   help=_("an extra PKCS#11 module to load (repeatable)"))


def _common(p: argparse.ArgumentParser, *, trust: bool = False) -> None:
    p.add_argument("--server", metavar="URL", help=_("server URL (default: the one you logged in to)"))
    p.add_argument("--json", action="store_true", help=_("print JSON for scripts"))
    if trust:
        p.add_argument("--trust", action="append", type=Path, default=[], metavar="PATH",
                       help=_("trusted CA certificates (repeatable; default: your trust list)"))


def register(sub: Any) -> None:
    from bidclient.cli.evaluation_report_commands import evaluation_subparsers

    opening = sub.choices.get("opening")
    if opening is not None:
        q = _subparsers(opening).add_parser(
            "hand-over", help=_("hand the opened bids to the seated evaluation committee: each content key wrapped to "
                                "each expert's encryption certificate (host)"))
        q.add_argument("tender", metavar="TENDER_ID")
        _key_options(q)
        _common(q, trust=True)
        q.add_argument("--session", metavar="SESSION", help=_("only this evaluation session (default: every session "
                                                              "of the tender)"))
        q.add_argument("--yes", action="store_true", help=_("hand over without asking for confirmation"))
        q.set_defaults(handler=cmd_hand_over)
    group = evaluation_subparsers(sub)
    q = group.add_parser("register-key", help=_("register your dongle's encryption certificate with the session, "
                                                "to receive the opened bids (expert, at check-in)"))
    q.add_argument("session", metavar="SESSION", help=_("the session id"))
    _key_options(q)
    _common(q)
    q.set_defaults(handler=cmd_register_key)
    q = group.add_parser("handover", help=_("which opened bids were handed to which seated expert"))
    q.add_argument("session", metavar="SESSION", help=_("the session id"))
    _common(q)
    q.set_defaults(handler=cmd_handover)
    q = group.add_parser("fetch-bids", help=_("fetch the opened bids handed to you, open them with your dongle and "
                                              "verify every file (expert)"))
    q.add_argument("session", metavar="SESSION", help=_("the session id"))
    q.add_argument("-o", "--output", type=Path, required=True, metavar="DIR",
                   help=_("where the verified bids are extracted, one folder per bid"))
    _key_options(q)
    _common(q, trust=True)
    q.set_defaults(handler=cmd_fetch_bids)


@contextmanager
def _connected(args: argparse.Namespace, prompter: TerminalPrompter) -> Iterator[Any]:
    from bidclient import session_store
    from bidclient.signin import connect_with_key

    with connect_with_key(session_store.resolve_server(args.server), args.key, prompter, modules=args.module,
                          encryption_key=args.enc_key) as connected:
        yield connected


def _prompter(args: argparse.Namespace) -> TerminalPrompter:
    return TerminalPrompter(args.pin_source, assume_yes=bool(getattr(args, "yes", False)),
                            refuse_without_terminal=False)


def _print_state(out: Any) -> None:
    print(_("Session {session} (tender {tender}), phase {phase}: {seated}").format(
        session=out.session_id, tender=out.tender_id, phase=out.phase,
        seated=_("committee seated") if out.seated else _("committee not seated yet")))
    for m in out.members:
        print("  " + _("expert {expert}: {cert}").format(
            expert=m.identity_key, cert=_("encryption certificate {sha}").format(sha=m.certificate_sha256[:16])
            if m.certificate_sha256 else _("no encryption certificate registered yet")))
    for b in out.bids:
        if b.state != "opened":
            print("  " + _("#{n} {bidder}: not opened at the opening ({state}), not handed over").format(
                n=b.position, bidder=b.organization or b.identity_key, state=b.state))
            continue
        print("  " + _("#{n} {bidder}: handed to {count} of {total} expert(s)").format(
            n=b.position, bidder=b.organization or b.identity_key, count=len(b.handed_to), total=len(out.members)))


def cmd_hand_over(args: argparse.Namespace) -> int:
    from bidclient import opening_handover
    from bidclient.signing import load_trust

    trust_list = load_trust(args.trust)
    prompter = _prompter(args)
    with _connected(args, prompter) as connected:
        results = opening_handover.hand_over(
            connected.client, args.tender, connected.session, trust_list, prompter, session_id=args.session,
            progress=lambda done, total: print(_("content key {done}/{total} recovered").format(done=done, total=total),
                                               file=sys.stderr))
    if args.json:
        print(json.dumps([{"session": r.session.model_dump(), "handed": r.handed,
                           "experts_without_certificate": list(r.experts_without_certificate)} for r in results],
                         ensure_ascii=False, indent=2))
    else:
        for r in results:
            print(_("{n} key envelope(s) handed over in session {session}.").format(n=r.handed,
                                                                                    session=r.session.session_id))
            _print_state(r.session)
            for expert in r.experts_without_certificate:
                print(_("{expert} has registered no encryption certificate yet: run this again once they have "
                        "('bidclient evaluation register-key').").format(expert=expert))
    return 1 if any(r.experts_without_certificate for r in results) else 0


def cmd_register_key(args: argparse.Namespace) -> int:
    from bidclient.evaluation import bids

    with _connected(args, _prompter(args)) as connected:
        seat = bids.register_certificate(connected.client, args.session, connected.session)
    if args.json:
        print(json.dumps(seat.model_dump(), ensure_ascii=False, indent=2))
    else:
        print(_("Encryption certificate {sha} registered for {expert}: the opening host can hand you the bids.").format(
            sha=(seat.certificate_sha256 or "")[:16], expert=seat.identity_key))
    return 0


def cmd_handover(args: argparse.Namespace) -> int:
    from bidclient import session_store
    from bidclient.evaluation import bids

    out = bids.handover(session_store.load_client(args.server), args.session)
    if args.json:
        print(json.dumps(out.model_dump(), ensure_ascii=False, indent=2))
    else:
        _print_state(out)
    return 0


def cmd_fetch_bids(args: argparse.Namespace) -> int:
    from bidclient.evaluation import bids
    from bidclient.signing import load_trust

    trust_list = load_trust(args.trust)
    with _connected(args, _prompter(args)) as connected:
        results = bids.fetch_bids(
            connected.client, args.session, connected.session, trust_list, args.output,
            progress=lambda done, total: print(_("bid {done}/{total}").format(done=done, total=total), file=sys.stderr))
    if args.json:
        print(json.dumps([{"submission_id": r.submission_id, "position": r.position, "bidder": r.bidder,
                           "directory": str(r.directory) if r.directory else None, "failure_code": r.failure_code,
                           "failure_detail": r.failure_detail, "already": r.already} for r in results],
                         ensure_ascii=False, indent=2))
    else:
        from bidclient.errors import catalogue

        known = catalogue()
        for r in results:
            if r.ok:
                print(_("#{n} {bidder}: verified → {dir}").format(n=r.position, bidder=r.bidder, dir=r.directory))
            else:
                headline, hint = known.get(r.failure_code or "", ("", ""))
                print(_("#{n} {bidder}: {headline} ({code}: {detail}) {hint}").format(
                    n=r.position, bidder=r.bidder, headline=headline, code=r.failure_code, detail=r.failure_detail,
                    hint=hint))
    return 0 if all(r.ok for r in results) else 1
