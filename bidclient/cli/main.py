"""`bidclient` entry point: parses arguments, runs one command, turns every error into one message.

Exit status: 0 ok · 1 invalid, untrusted, tampered or failed · 2 usage · 3 key or token unavailable.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from bidclient import __version__
from bidclient.errors import EXIT_USAGE, describe
from bidclient.i18n import _


class _Parser(argparse.ArgumentParser):
    """argparse that reports usage errors with our exit status and no traceback."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        print(f"{_('error')} [usage.invalid]: {message}", file=sys.stderr)
        sys.exit(EXIT_USAGE)


def _add_key_options(parser: argparse.ArgumentParser, *, required: bool = True) -> None:
    parser.add_argument("--key", required=required, metavar="KEY",
                        help=_("RFC 7512 pkcs11: URI, or a PKCS#12 file"))
    parser.add_argument("--pin-source", metavar="SPEC",
                        help=_("where the PIN comes from: file:PATH or env:NAME (default: ask)"))
    parser.add_argument("--module", action="append", default=[], metavar="PATH",
                        help=_("an extra PKCS#11 module to load (repeatable)"))


def _add_trust_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--trust", action="append", default=[], metavar="PATH", type=Path,
                        help=_("CA certificates and CRLs, files or directories (repeatable); "
                               "default: the configured trust list"))
    parser.add_argument("--revocation", choices=["soft-fail", "hard-fail", "off"], default="soft-fail",
                        help=_("revocation checking (default: soft-fail)"))


def _add_chain_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--trust", action="append", default=[], metavar="PATH", type=Path,
                        help=_("CA certificates, files or directories (repeatable), to embed the issuing CAs "
                               "your key lacks in the signature; the configured trust list is always used"))


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="bidclient",
                     description=_("Sign, seal and open bids with any CA's dongle; "
                                   "every file verifiable with OpenSSL."))
    parser.add_argument("--version", action="version", version=f"bidclient {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    p = sub.add_parser("keys", help=_("list modules, tokens, key pairs and certificates, with URIs"))
    p.add_argument("--module", action="append", default=[], metavar="PATH",
                   help=_("an extra PKCS#11 module to load (repeatable)"))

    p = sub.add_parser("sign", help=_("make a detached CMS signature (DER)"))
    p.add_argument("file", type=Path, metavar="FILE")
    _add_key_options(p)
    p.add_argument("-o", "--output", type=Path, metavar="SIG", help=_("default: FILE.p7s"))
    p.add_argument("--tsa", metavar="URL", help=_("add an RFC 3161 timestamp from this TSA"))
    _add_chain_option(p)

    p = sub.add_parser("verify", help=_("verify a detached signature; exit 0 only if intact and trusted"))
    p.add_argument("file", type=Path, metavar="FILE")
    p.add_argument("--signature", type=Path, required=True, metavar="SIG")
    _add_trust_option(p)

    p = sub.add_parser("encrypt", help=_("encrypt a file to one or more certificates (CMS)"))
    p.add_argument("file", type=Path, metavar="FILE")
    p.add_argument("--to", action="append", required=True, type=Path, metavar="CERT",
                   help=_("recipient certificate (repeatable)"))
    p.add_argument("--cipher", choices=["aes-256-gcm", "aes-256-cbc"], default="aes-256-gcm")
    p.add_argument("-o", "--output", type=Path, metavar="OUT", help=_("default: FILE.p7m"))

    p = sub.add_parser("decrypt", help=_("decrypt a CMS envelope with your key"))
    p.add_argument("file", type=Path, metavar="FILE")
    _add_key_options(p)
    p.add_argument("-o", "--output", type=Path, metavar="OUT",
                   help=_("default: FILE without .p7m, or FILE.out"))

    p = sub.add_parser("seal", help=_("sign and seal a bid directory into a sealed bid"))
    p.add_argument("directory", type=Path, metavar="DIR")
    _add_key_options(p)
    target = p.add_mutually_exclusive_group(required=True)
    target.add_argument("--to", action="append", type=Path, metavar="CERT",
                        help=_("opening certificate (repeatable); your own encryption certificate is "
                               "always added"))
    target.add_argument("--tender", type=Path, metavar="TENDER",
                        help=_("a fetched tender package naming the recipients"))
    p.add_argument("--tender-id", default="", metavar="ID",
                   help=_("tender identifier recorded in the manifest; required with --to (a tender file "
                          "names its own)"))
    p.add_argument("--enc-key", metavar="KEY",
                   help=_("your own encryption key (pkcs11: URI or PKCS#12 file) when KEY does not settle it: "
                          "software certificates' encryption file, or one of several on the token; the bid is "
                          "sealed to it too and the self-check opens it"))
    _add_chain_option(p)
    p.add_argument("-o", "--output", type=Path, metavar="BID", help=_("default: DIR.bid"))

    p = sub.add_parser("unseal", help=_("open a sealed bid, verify it and extract its files"))
    p.add_argument("bid", type=Path, metavar="BID")
    _add_key_options(p)
    _add_trust_option(p)
    p.add_argument("-o", "--output", type=Path, metavar="DIR", help=_("default: BID without .bid"))

    p = sub.add_parser("inspect", help=_("show what a file is: recipients, signers, manifest"))
    p.add_argument("file", type=Path, metavar="FILE")

    for module in _command_modules():
        module.register(sub)
    return parser


# Modules that add commands: each has register(sub), whose parsers set_defaults(handler=...).
COMMAND_MODULES = (
    "bidclient.cli.server_commands",
    "bidclient.cli.tender_commands",
    "bidclient.cli.submission_commands",
    "bidclient.cli.history_commands",
    "bidclient.cli.audit_commands",
    "bidclient.cli.evaluation_commands",
    "bidclient.cli.opening_commands",
    "bidclient.cli.committee_commands",
    "bidclient.cli.evaluation_report_commands",
    "bidclient.cli.experts_commands",
    "bidclient.cli.handover_commands",
)


def _command_modules() -> list[Any]:
    import importlib

    found = []
    for name in COMMAND_MODULES:
        try:
            found.append(importlib.import_module(name))
        except ModuleNotFoundError as ex:
            if ex.name is None or not name.startswith(ex.name):
                raise
    return found


def _handlers() -> dict[str, Callable[[argparse.Namespace], int]]:
    from bidclient.cli import commands

    return {
        "keys": commands.cmd_keys,
        "sign": commands.cmd_sign,
        "verify": commands.cmd_verify,
        "encrypt": commands.cmd_encrypt,
        "decrypt": commands.cmd_decrypt,
        "seal": commands.cmd_seal,
        "unseal": commands.cmd_unseal,
        "inspect": commands.cmd_inspect,
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 0
    try:
        handler = getattr(args, "handler", None) or _handlers()[args.command]
        return int(handler(args))
    except KeyboardInterrupt:
        print(_("Interrupted; nothing was written."), file=sys.stderr)
        return 130
    except Exception as error:  # the one place where every error becomes a message
        message = describe(error)
        print(message.render(), file=sys.stderr)
        return message.exit_status


if __name__ == "__main__":
    sys.exit(main())
