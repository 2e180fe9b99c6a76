"""`bidclient submit`, `withdraw`, `receipt verify`: sealed-bid submission and its receipts."""

from __future__ import annotations

import argparse
import sys
import threading
from pathlib import Path
from typing import Any
from urllib.parse import quote

from bidclient.i18n import _
from bidclient.timefmt import format_time


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


class _Session:
    """The key (opened once: one PIN entry) and a logged-in client for the server."""

    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args

    def __enter__(self) -> _Session:
        from bidclient import session_store
        from bidclient.cli.prompt import pin_source_for
        from bidclient.signing import open_key

        url = session_store.resolve_server(self.args.server)
        self._key = open_key(self.args.key, pin_source_for(self.args.pin_source), modules=self.args.module)
        session = self._key.__enter__()
        try:
            self._connect(url, session)
        except BaseException:
            self._key.__exit__(*sys.exc_info())
            raise
        return self

    def _connect(self, url: str, session: Any) -> None:
        from bidclient import session_store
        from bidclient.api_client import ApiClient, ApiError
        from crypto import cms_sign

        signer = session.signer()
        self.sign = lambda data: cms_sign.sign_detached(data, signer)
        self.client = ApiClient(url, token=session_store.load_token(url), tls=session_store.tls_options(url))
        me: dict[str, Any] | None = None
        if self.client.token:
            try:
                me = self.client.get_json("/api/v1/auth/me")
            except ApiError as ex:
                if not ex.code.startswith("auth."):
                    raise
        if me is None:  # no session, or an expired one: log in with the same key
            out = self.client.login(self.sign)
            session_store.save_session(url, out.token, out.expires_at, out.account.identity_key)
            self.identity = out.account.identity_key
        else:
            self.identity = str(me["identity_key"])

    def __exit__(self, *exc: object) -> None:
        self._key.__exit__(*exc)  # type: ignore[arg-type]


def _progress_printer() -> Any:
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
    from bidclient import receipts
    from bidclient.errors import BidclientError
    from bidclient.submit import SubmitCancelled, Uploader, load_state, receipt_path

    if not args.bid.is_file():
        raise BidclientError(f"{args.bid} does not exist", code="io.input_missing")
    cancel = threading.Event()
    with _Session(args) as s:
        version = args.version
        if version is None:
            version = int(s.client.get_json(f"/api/v1/tenders/{quote(args.tender, safe='')}")["current_version"])
        server_ca = receipts.pinned_server_ca(s.client)  # pinned before anything is sent (TOFU)
        if load_state(args.bid) is not None:
            print(_("Resuming the upload of {bid}").format(bid=args.bid), file=sys.stderr)
        uploader = Uploader(s.client, chunk_size=args.chunk_size, progress=_progress_printer(), cancel=cancel)
        try:
            out = uploader.submit(args.bid, tender_id=args.tender, tender_version=version, bidder=s.identity,
                                  sign=s.sign)
        except KeyboardInterrupt:
            raise SubmitCancelled(_("The upload was interrupted; run the same command again to resume it."),
                                  code="submission.cancelled") from None
    path = receipt_path(args.bid)
    receipts.save_receipt(path, out.receipt, server_ca)
    verified = receipts.verify_receipt(receipts.load_receipt(path), bid=args.bid)
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
    from bidclient import receipts
    from bidclient.submit import withdraw

    with _Session(args) as s:
        server_ca = receipts.pinned_server_ca(s.client)
        out = withdraw(s.client, tender_id=args.tender, bidder=s.identity, sign=s.sign)
    assert out.withdrawal_receipt is not None
    path = args.output or Path(f"{out.id}.withdrawal.receipt")
    receipts.save_receipt(path, out.withdrawal_receipt, server_ca)
    receipts.verify_receipt(receipts.load_receipt(path))
    print(_("Withdrew submission {id} from tender {tender}").format(id=out.id, tender=out.tender_id))
    print(f"  {_('receipt')}: {path} ({_('verified')})")
    return 0


def cmd_receipt_verify(args: argparse.Namespace) -> int:
    from cryptography import x509

    from bidclient import receipts
    from bidclient.errors import BidclientError

    server_ca = None
    if args.server_ca is not None:
        try:
            server_ca = x509.load_pem_x509_certificate(args.server_ca.read_bytes())
        except FileNotFoundError:
            raise BidclientError(f"{args.server_ca} does not exist", code="io.input_missing") from None
        except ValueError as ex:
            raise receipts.ReceiptError(f"{args.server_ca} is not a PEM certificate",
                                        code="receipt.server_ca_invalid") from ex
    verified = receipts.verify_receipt(receipts.load_receipt(args.receipt), server_ca=server_ca, bid=args.bid)
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
