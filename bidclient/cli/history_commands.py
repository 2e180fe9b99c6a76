"""`bidclient submissions TENDER_ID`: the bidder's submission history for a tender, receipts verified."""

from __future__ import annotations

import argparse
from typing import Any

from bidclient.i18n import _


def register(sub: Any) -> None:
    p = sub.add_parser("submissions", help=_("your submission history for a tender: every submission, replaced or "
                                             "withdrawn, with its receipt times"))
    p.add_argument("tender", metavar="TENDER_ID")
    p.add_argument("--server", metavar="URL", help=_("server URL (default: the one you logged in to)"))
    p.add_argument("--key", metavar="KEY",
                   help=_("sign in with this key when the saved session has expired (pkcs11: URI or PKCS#12)"))
    p.add_argument("--pin-source", metavar="SPEC", help=_("where the PIN comes from: file:PATH or env:NAME"))
    p.add_argument("--module", action="append", default=[], metavar="PATH",
                   help=_("an extra PKCS#11 module to load (repeatable)"))
    p.set_defaults(handler=cmd_submissions)


def status_text(entry: Any) -> str:
    if entry.status == "active":
        return _("active (this is the bid the opening will decrypt)")
    if entry.status == "withdrawn":
        return _("withdrawn")
    if entry.replaced_by:
        return _("replaced by {id}").format(id=entry.replaced_by)
    return _("replaced")


def cmd_submissions(args: argparse.Namespace) -> int:
    from bidclient import session_store
    from bidclient.api_client import ApiClient
    from bidclient.submission_history import submission_history
    from bidclient.timefmt import format_time

    if args.key:
        from bidclient.cli.submission_commands import _connected

        with _connected(args) as connected:
            history = submission_history(connected.client, args.tender)
    else:
        url = session_store.resolve_server(args.server)
        client = ApiClient(url, token=session_store.load_token(url), tls=session_store.tls_options(url))
        history = submission_history(client, args.tender)
    if not history:
        print(_("You have no submissions for tender {tender}.").format(tender=args.tender))
        return 0
    print(_("Your submissions for tender {tender}, oldest first:").format(tender=args.tender))
    for number, entry in enumerate(history, 1):
        print(f"{number}. {entry.submission_id}  ({_('tender version')} {entry.tender_version})")
        print(f"   {_('state')}: {status_text(entry)}")
        print(f"   {_('received at (server time)')}: {format_time(entry.received_at, seconds=True)}")
        print(f"   {_('timestamp')}: {format_time(entry.timestamp_time, seconds=True)}")
        if entry.withdrawn_at is not None:
            print(f"   {_('withdrawn at (server time)')}: {format_time(entry.withdrawn_at, seconds=True)}")
        if entry.replaces:
            print(f"   {_('replaces')}: {entry.replaces}")
        print(f"   {_('envelope SHA-256')}: {entry.envelope_sha256} ({entry.size} {_('bytes')})")
    return 0
