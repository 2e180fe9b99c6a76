"""``bidclient-dev``: the developer commands, apart from the product's ``bidclient`` command line.

    scripts/bidclient-dev dev-pki DIR [--no-revocation-addresses]
    scripts/bidclient-dev demo [--data DIR] [--headless] [--opening [--bid-time SECONDS]]

Errors are reported like the product's (a stable code, a translated headline and hint, no traceback).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from bidclient.cli.main import _Parser
from bidclient.errors import EXIT_OK, describe
from bidclient.i18n import _
from devtools import messages

messages.register()


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="bidclient-dev",
                     description=_("Developer tools of bidclient: a demonstration PKI and the demonstration. "
                                   "Not part of the product."))
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    p = sub.add_parser("dev-pki", help=_("generate a demonstration PKI and SoftHSM tokens"))
    p.add_argument("directory", type=Path, metavar="DIR")
    p.add_argument("--no-revocation-addresses", action="store_true",
                   help=_("CAs that put no CRL or OCSP address in their certificates (revocation only from "
                          "their CRLs)"))

    p = sub.add_parser("demo", help=_("seal and open a bid end to end on demonstration keys"))
    p.add_argument("--data", type=Path, default=Path("demo-data"), metavar="DIR")
    p.add_argument("--headless", action="store_true", help=_("run the bidder flow in the terminal even with a display"))
    which = p.add_mutually_exclusive_group()
    which.add_argument("--evaluation", action="store_true",
                   help=_("run the remote evaluation demonstration instead (headless, three expert dongles)"))
    which.add_argument("--opening", action="store_true",
                   help=_("run a complete bid opening instead: three enterprises submit, the committee key "
                          "ceremony, a failed decryption remedied by the committee, the announcement and the "
                          "signed record (with a display, the app starts afterwards)"))
    p.add_argument("--bid-time", type=int, default=30, metavar="SECONDS",
                   help=_("with --opening: how long the bidders have before the deadline (default 30)"))
    return parser


def cmd_dev_pki(args: argparse.Namespace) -> int:
    from devtools import pki as devpki

    pki = devpki.generate(args.directory, revocation_addresses=not args.no_revocation_addresses)
    print(_("Demo PKI written to {dir}").format(dir=pki.directory))
    if pki.softhsm_conf:
        print(f"  export SOFTHSM2_CONF={pki.softhsm_conf}")
    print(f"  {_('trust list')}: {pki.trust_dir}")
    print(f"  {_('CRLs')}: {pki.crl_dir}")
    for party in pki.parties.values():
        if party.signing_uri and not party.bad:
            print(f"  {party.name}: {party.description}")
            print(f"      {_('signing key')}: {party.signing_uri}")
            if party.encryption_uri:
                print(f"      {_('encryption key')}: {party.encryption_uri}")
    return EXIT_OK


def cmd_demo(args: argparse.Namespace) -> int:
    if args.evaluation:
        from devtools.demo_evaluation import run_evaluation_demo

        return run_evaluation_demo(args.data)
    from datetime import timedelta

    from devtools.demo import run_demo

    return run_demo(args.data, headless=args.headless, opening=args.opening,
                    bid_time=timedelta(seconds=max(5, args.bid_time)))


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return EXIT_OK
    try:
        return int({"dev-pki": cmd_dev_pki, "demo": cmd_demo}[args.command](args))
    except KeyboardInterrupt:
        print(_("Interrupted; nothing was written."), file=sys.stderr)
        return 130
    except Exception as error:  # every error becomes one message, as in the product's CLI
        message = describe(error)
        print(message.render(), file=sys.stderr)
        return message.exit_status


if __name__ == "__main__":
    sys.exit(main())
