"""`bidclient submit`, `withdraw`, `receipt verify`: sealed-bid submission and its receipts."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from bidclient.i18n import _
from bidclient.timefmt import format_time

if TYPE_CHECKING:
    from bidclient.signin import KeyedClient


def _key_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--key", required=True, metavar="KEY", help=_("RFC 7512 pkcs11: URI, or a PKCS#12 file"))
    p.add_argument("--pin-source", metavar="SPEC", help=_("where the PIN comes from: file:PATH or env:NAME"))
    p.add_argument("--module", action="append", default=[], metavar="PATH",
                   help=_("an extra PKCS#11 module to load (repeatable)"))
    p.add_argument("--server", metavar="URL", help=_("server URL (default: the one you logged in to)"))


def register(sub: Any) -> None:
    p = sub.add_parser("submit", help=_("submit a sealed bid before the deadline (resumable) and keep its receipt"))
    p.add_argument("bid", type=Path, metavar="BID")
    p.add_argument("--tender", required=True, metavar="TENDER_ID", help=_("the tender's identifier"))
    p.add_argument("--version", type=int, metavar="N",
                   help=_("the tender version the bid was sealed against (default: the current one)"))
    _key_options(p)
    p.add_argument("--chunk-size", type=int, default=None, metavar="BYTES",
                   help=_("upload chunk size (default: 8 MiB, doubled up to the server's maximum while chunks take "
                          "less than a second)"))
    p.set_defaults(handler=cmd_submit)

    p = sub.add_parser("withdraw", help=_("withdraw your submitted bid before the deadline"))
    p.add_argument("tender", metavar="TENDER_ID")
    _key_options(p)
    p.add_argument("-o", "--output", type=Path, metavar="RECEIPT",
                   help=_("where to save the withdrawal receipt (default: SUBMISSION.withdrawal.receipt)"))
    p.set_defaults(handler=cmd_withdraw)

    p = sub.add_parser("receipt", help=_("submission receipts"))
    receipt_sub = p.add_subparsers(dest="receipt_command", metavar="COMMAND", required=True)
    p = receipt_sub.add_parser("verify", help=_("verify a receipt offline: signature, timestamp, bid hash"))
    p.add_argument("receipt", type=Path, metavar="RECEIPT")
    p.add_argument("--bid", type=Path, metavar="BID", help=_("also check that this file is the bid received"))
    p.add_argument("--server-ca", type=Path, metavar="PEM",
                   help=_("the server CA certificate (default: the one stored in the receipt)"))
    p.set_defaults(handler=cmd_receipt_verify)
    p = receipt_sub.add_parser("pdf", help=_("verify a receipt, then print it to a PDF (回执) to keep or print"))
    p.add_argument("receipt", type=Path, metavar="RECEIPT")
    p.add_argument("-o", "--output", type=Path, required=True, metavar="OUT.pdf", help=_("the PDF to write"))
    p.add_argument("--bid", type=Path, metavar="BID", help=_("also check that this file is the bid received"))
    p.set_defaults(handler=cmd_receipt_pdf)


def _connected(args: argparse.Namespace) -> AbstractContextManager[KeyedClient]:
    """The key (opened once: one PIN entry) and a logged-in client for the server."""
    from bidclient import session_store
    from bidclient.cli.prompt import TerminalPrompter
    from bidclient.signin import connect_with_key

    return connect_with_key(session_store.resolve_server(args.server), args.key, TerminalPrompter(args.pin_source),
                            modules=args.module)


def _progress_printer() -> Callable[[int, int], None]:
    state = {"last": -1}

    def show(held: int, total: int) -> None:
        percent = int(held * 100 / total) if total else 100
        if percent != state["last"]:
            state["last"] = percent
            print(f"\r{_('uploaded')} {held / 1e6:.1f} / {total / 1e6:.1f} MB ({percent}%)", end="",
                  file=sys.stderr, flush=True)
            if held >= total:
                print(file=sys.stderr)

    return show


def cmd_submit(args: argparse.Namespace) -> int:
    from bidclient.errors import BidclientError
    from bidclient.submit import SubmitCancelled, load_state, submit_bid

    if not args.bid.is_file():
        raise BidclientError(f"{args.bid} does not exist", code="io.input_missing")
    with _connected(args) as s:
        version = args.version
        if version is None:
            version = int(s.client.get_json(f"/api/v1/tenders/{quote(args.tender, safe='')}")["current_version"])
        if load_state(args.bid) is not None:
            print(_("Resuming the upload of {bid}").format(bid=args.bid), file=sys.stderr)
        try:
            submitted = submit_bid(s.client, args.bid, tender_id=args.tender, tender_version=version,
                                   bidder=s.identity, sign=s.sign, chunk_size=args.chunk_size,
                                   progress=_progress_printer())
        except KeyboardInterrupt:
            raise SubmitCancelled(_("The upload was interrupted; run the same command again to resume it."),
                                  code="submission.cancelled") from None
    out, verified, path = submitted.submission, submitted.receipt, submitted.receipt_file
    print(_("Submitted {bid} to tender {tender} (version {version})").format(
        bid=args.bid, tender=out.tender_id, version=out.tender_version))
    if verified.content.get("status") == "replaced":
        # Two completions of one bidder overlapped and a later-arriving one is already recorded: that one counts.
        print(_("  This bid is NOT the one that counts: a submission of yours that arrived later ({later}) "
                "replaces it.").format(later=verified.content.get("replaced_by") or "?"))
    print(f"  {_('submission')}: {out.id}")
    print(f"  {_('received at (server time)')}: {format_time(verified.time, seconds=True)}")
    print(f"  {_('envelope SHA-256')}: {out.envelope_sha256}")
    if out.replaces:
        print(f"  {_('replaces')}: {out.replaces}")
    print(f"  {_('receipt')}: {path} ({_('verified')})")
    return 0


def cmd_withdraw(args: argparse.Namespace) -> int:
    from bidclient.submit import withdraw_bid

    with _connected(args) as s:
        withdrawn = withdraw_bid(s.client, tender_id=args.tender, bidder=s.identity, sign=s.sign,
                                 receipt_file=args.output)
    out = withdrawn.submission
    print(_("Withdrew submission {id} from tender {tender}").format(id=out.id, tender=out.tender_id))
    print(f"  {_('receipt')}: {withdrawn.receipt_file} ({_('verified')})")
    return 0


def cmd_receipt_verify(args: argparse.Namespace) -> int:
    from bidclient import receipts

    server_ca = receipts.load_server_ca(args.server_ca) if args.server_ca is not None else None
    verified = receipts.verify_receipt_file(args.receipt, server_ca=server_ca, bid=args.bid)
    print(_("Receipt OK: signed by the server and timestamped"))
    print(f"  {_('kind')}: {verified.kind}")
    print(f"  {_('tender')}: {verified.tender_id} ({_('version')} {verified.tender_version})")
    print(f"  {_('bidder')}: {verified.bidder}")
    print(f"  {_('submission')}: {verified.submission_id}")
    print(f"  {_('envelope SHA-256')}: {verified.envelope_sha256} ({verified.size} {_('bytes')})")
    print(f"  {_('received at (server time)')}: {format_time(verified.time, seconds=True)}")
    print(f"  {_('timestamp')}: {format_time(verified.timestamp_time, seconds=True)}")
    print(f"  {_('server CA SHA-256')}: {verified.server_ca_sha256}")
    if verified.bid_checked:
        print(f"  {_('bid file')}: {args.bid} ({_('matches')})")
    else:
        print(f"  {_('bid file')}: {_('not checked (use --bid BID)')}")
    return 0


def cmd_receipt_pdf(args: argparse.Namespace) -> int:
    from bidclient.receipt_print import save_receipt_pdf

    verified = save_receipt_pdf(args.receipt, args.output, bid=args.bid)
    print(_("Receipt verified and printed to {pdf}").format(pdf=args.output))
    print(f"  {_('submission')}: {verified.submission_id}")
    return 0
