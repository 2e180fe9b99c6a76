"""`bidclient login`, `logout`, `whoami`: a session with the server, opened with the dongle."""

from __future__ import annotations

import argparse
from typing import Any

from bidclient.i18n import _
from bidclient.timefmt import format_time


def register(sub: Any) -> None:
    p = sub.add_parser("login", help=_("log in to the server with your dongle (challenge signed by your key)"))
    p.add_argument("--server", metavar="URL", help=_("server URL (remembered as the default)"))
    p.add_argument("--key", required=True, metavar="KEY", help=_("RFC 7512 pkcs11: URI, or a PKCS#12 file"))
    p.add_argument("--pin-source", metavar="SPEC", help=_("where the PIN comes from: file:PATH or env:NAME"))
    p.add_argument("--module", action="append", default=[], metavar="PATH",
                   help=_("an extra PKCS#11 module to load (repeatable)"))
    p.add_argument("--ca-file", metavar="PEM",
                   help=_("trust the server's certificate only if issued by a CA in this file (default: the "
                          "system's CA store); remembered for the server"))
    p.add_argument("--pin-sha256", action="append", default=[], metavar="HASH",
                   help=_("accept only a server certificate, or public key, with this SHA-256 (repeatable); "
                          "remembered for the server"))
    p.add_argument("--insecure-http", action="store_true",
                   help=_("allow a plain http:// address to another computer (unencrypted: only on a network "
                          "you trust); remembered for the server"))
    p.set_defaults(handler=cmd_login)

    p = sub.add_parser("logout", help=_("forget the session with the server"))
    p.add_argument("--server", metavar="URL")
    p.set_defaults(handler=cmd_logout)

    p = sub.add_parser("whoami", help=_("show the account of the current session"))
    p.add_argument("--server", metavar="URL")
    p.set_defaults(handler=cmd_whoami)


def cmd_login(args: argparse.Namespace) -> int:
    from bidclient import session_store
    from bidclient.cli.prompt import TerminalPrompter
    from bidclient.revocation import revocation_lines
    from bidclient.signin import sign_in

    url = session_store.resolve_server(args.server)
    tls = session_store.merged_tls_options(url, ca_file=args.ca_file, pin_sha256=args.pin_sha256,
                                           insecure_http=args.insecure_http)
    # An expired or revoked certificate costs no PIN: a token's certificate is read and checked before
    # the PIN is asked; a PKCS#12 file's only with its password, still before anything is sent.
    out = sign_in(url, args.key, TerminalPrompter(args.pin_source), modules=args.module, tls=tls, remember=True)
    account = out.account
    print(_("Logged in to {url} as {who}").format(url=url, who=account.organization or account.person or
                                                  account.identity_key))
    if account.uscc:
        print(f"  {_('enterprise')}: {account.uscc}")
    print(f"  {_('roles')}: {', '.join(account.roles) or '-'}")
    if out.expires_at is not None:  # a new login always says when its session expires
        print(f"  {_('session expires')}: {format_time(out.expires_at)}")
    lines = revocation_lines(out.revocation)
    print(f"  {_('revocation (checked by the server)')}: {lines[0]}")
    for line in lines[1:]:
        print(f"    {line}")
    return 0


def cmd_logout(args: argparse.Namespace) -> int:
    from bidclient import session_store

    url = session_store.resolve_server(args.server)
    session_store.forget_session(url)
    print(_("Logged out of {url}").format(url=url))
    return 0


def cmd_whoami(args: argparse.Namespace) -> int:
    from bidclient import session_store

    client = session_store.load_client(args.server)
    me = client.get_json("/api/v1/auth/me")
    print(f"{me.get('organization') or me.get('person') or me.get('identity_key')}")
    print(f"  {_('identity')}: {me.get('identity_key')}")
    print(f"  {_('roles')}: {', '.join(me.get('roles') or []) or '-'}")
    return 0
