"""`bidclient evaluation verify-report|sign-report`: the signed evaluation report (docs/evaluation.md).

The `evaluation` group is shared with the session commands (evaluation_commands.py): whichever module
registers first creates the group, the other adds its commands to it.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from bidclient.errors import EXIT_FAILED, EXIT_OK
from bidclient.i18n import _
from bidclient.timefmt import format_time


def evaluation_subparsers(sub: Any) -> Any:
    """The subparsers of the `evaluation` command group, created if no module has created it yet."""
    parser = sub.choices.get("evaluation")
    if parser is None:
        parser = sub.add_parser("evaluation", help=_("remote evaluation: sessions, scores and the signed report"))
        parser.add_subparsers(dest="evaluation_command", metavar="COMMAND", required=True,
                              parser_class=type(parser))
    actions = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    return actions[0]


def register(sub: Any) -> None:
    group = evaluation_subparsers(sub)

    p = group.add_parser("verify-report", help=_("verify a signed evaluation report offline; exit 0 only if every "
                                                 "signature is intact, trusted and in committee order"))
    p.add_argument("file", type=Path, metavar="FILE")
    p.add_argument("--trust", action="append", default=[], metavar="PATH", type=Path,
                   help=_("CA certificates, files or directories (repeatable); default: the configured trust "
                          "list"))
    p.add_argument("--require-all", action="store_true",
                   help=_("also fail unless every member signed or refused with reasons"))
    p.set_defaults(handler=cmd_verify_report)

    p = group.add_parser("sign-report", help=_("sign the evaluation report as the next committee member"))
    p.add_argument("file", type=Path, metavar="FILE")
    p.add_argument("--key", required=True, metavar="KEY", help=_("RFC 7512 pkcs11: URI, or a PKCS#12 file"))
    p.add_argument("--pin-source", metavar="SPEC",
                   help=_("where the PIN comes from: file:PATH or env:NAME (default: ask)"))
    p.add_argument("--module", action="append", default=[], metavar="PATH",
                   help=_("an extra PKCS#11 module to load (repeatable)"))
    p.add_argument("--trust", action="append", default=[], metavar="PATH", type=Path,
                   help=_("CA certificates to complete your certificate's chain (repeatable)"))
    position = p.add_mutually_exclusive_group()
    position.add_argument("--dissent", metavar="REASONS", help=_("sign, stating your dissent and its reasons"))
    position.add_argument("--refuse", metavar="REASONS", help=_("refuse to sign, stating your reasons"))
    p.add_argument("--allow-skip", action="store_true",
                   help=_("sign although earlier members have not signed (they are then recorded as not "
                          "signing)"))
    p.set_defaults(handler=cmd_sign_report)


_STATES = {
    "agreed": lambda: _("agreed"),
    "dissented": lambda: _("dissented"),
    "refused": lambda: _("refused to sign"),
    "not_signed": lambda: _("did not sign, no written reasons: taken to agree (实施条例 Art. 53)"),
}


def cmd_verify_report(args: argparse.Namespace) -> int:
    from bidclient.evaluation.report import verify_report
    from bidclient.signing import load_trust

    trust_list = load_trust(args.trust)
    result = verify_report(args.file, trust_list.roots, intermediates=trust_list.intermediates)
    if not result.signatures.signatures:
        result.require_valid()  # unsigned: nobody's position to list
    m = result.manifest
    print(_("Evaluation report {report} of tender {tender} (version {version}), lot {lot}").format(
        report=m.report_id, tender=m.tender_id, version=m.tender_version, lot=m.lot_id))
    for number, status in enumerate(result.members, 1):
        chair = f" ({_('chair')})" if status.member.chair else ""
        line = f"  {number}. {status.member.name}{chair}: {_STATES[status.state]()}"
        if status.signing_time is not None:
            line += f", {format_time(status.signing_time, seconds=True)}"
        print(line)
        if status.reasons:
            print(f"     {_('reasons')}: {status.reasons}")
    result.require_valid()
    if args.require_all and not result.complete:
        missing = ", ".join(s.member.name for s in result.members if s.state == "not_signed")
        print(f"{_('error')} [evaluation.report_incomplete]: "
              + _("not every member has signed: {names}").format(names=missing), file=sys.stderr)
        return EXIT_FAILED
    print(_("Report OK: every signature intact and trusted, in committee order, nothing added after the last."))
    return EXIT_OK


def cmd_sign_report(args: argparse.Namespace) -> int:
    from bidclient.cli.prompt import pin_source_for
    from bidclient.evaluation.report import Decision, sign_report
    from bidclient.signing import incomplete_chain_warning, open_key

    if not args.file.is_file():
        from bidclient.errors import BidclientError

        raise BidclientError(f"{args.file} does not exist", code="io.input_missing")
    decision: Decision = "dissent" if args.dissent is not None else "refuse" if args.refuse is not None else "agree"
    reasons: str = args.dissent if args.dissent is not None else args.refuse if args.refuse is not None else ""
    with open_key(args.key, pin_source_for(args.pin_source), modules=args.module, trust_paths=args.trust) as session:
        signer = session.signer()
        member = sign_report(args.file, signer, decision, reasons, allow_skip=args.allow_skip)
    print(_("{name} signed {file}").format(name=member.name, file=args.file))
    warning = incomplete_chain_warning(signer)
    if warning:
        print(f"{_('warning')}: {warning}", file=sys.stderr)
    return EXIT_OK
