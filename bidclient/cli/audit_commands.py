"""`bidclient audit export|verify` and `bidclient trust sync`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from bidclient.i18n import _
from bidclient.timefmt import format_time


def register(sub: Any) -> None:
    audit = sub.add_parser("audit", help=_("export and verify the server's audit trail"))
    audit_sub = audit.add_subparsers(dest="audit_command", metavar="COMMAND", required=True,
                                     parser_class=type(audit))

    p = audit_sub.add_parser("export", help=_("download the whole audit trail (supervisor or admin)"))
    p.add_argument("-o", "--output", type=Path, required=True, metavar="FILE", help=_("where to write the export"))
    p.add_argument("--server", metavar="URL", help=_("server URL (default: the one you logged in to)"))
    p.set_defaults(handler=cmd_audit_export)

    p = audit_sub.add_parser("verify", help=_("verify an audit export offline; exit 0 only if intact"))
    p.add_argument("file", type=Path, metavar="FILE")
    p.add_argument("--server-ca", type=Path, metavar="CERT",
                   help=_("the server CA the checkpoints must chain to (default: the CA pinned for --server, "
                          "else the one named in the file)"))
    p.add_argument("--server", metavar="URL", help=_("use the server CA pinned for this server by 'trust sync'"))
    p.add_argument("--known-head", action="append", default=[], metavar="SEQ:HASH",
                   help=_("an entry noted from an earlier verification that must still be there (repeatable)"))
    p.set_defaults(handler=cmd_audit_verify)

    trust = sub.add_parser("trust", help=_("the trust list of recognised CAs"))
    trust_sub = trust.add_subparsers(dest="trust_command", metavar="COMMAND", required=True,
                                     parser_class=type(trust))
    p = trust_sub.add_parser("sync", help=_("install the server's signed trust list as this client's"))
    p.add_argument("--server", metavar="URL", help=_("server URL (default: the one you logged in to)"))
    p.add_argument("--trust-dir", type=Path, metavar="DIR",
                   help=_("where to write it (default: the configured trust folder)"))
    p.add_argument("--accept-ca", metavar="FINGERPRINT",
                   help=_("accept a changed server CA with this SHA-256 fingerprint (confirm it with the "
                          "server's operator first)"))
    p.set_defaults(handler=cmd_trust_sync)


def cmd_audit_export(args: argparse.Namespace) -> int:
    from bidclient import session_store
    from bidclient.api_client import body_chunks
    from bidclient.atomic import atomic_output
    from bidclient.protocol.audit import EXPORT_MEDIA_TYPE

    client = session_store.load_client(args.server)
    response = client.request("GET", "/api/v1/audit/export", stream=True, headers={"Accept": EXPORT_MEDIA_TYPE})
    size = 0
    with response, atomic_output(args.output) as out:
        for chunk in body_chunks(response):
            out.write(chunk)
            size += len(chunk)
    print(_("Exported the audit trail of {url} to {file} ({size} bytes)").format(
        url=client.base_url, file=args.output, size=size))
    print(_("Verify it with: bidclient audit verify {file}").format(file=args.output))
    return 0


def cmd_audit_verify(args: argparse.Namespace) -> int:
    from bidclient import certfiles
    from bidclient.audit_verify import parse_known_head, verify_export
    from bidclient.errors import BidclientError

    if not args.file.is_file():
        raise BidclientError(f"{args.file} does not exist or is not a file", code="io.input_missing")
    server_ca = None
    if args.server_ca is not None:
        server_ca = certfiles.load_certificate(args.server_ca)
    elif args.server:
        from bidclient.trust_sync import pinned_server_ca

        server_ca = pinned_server_ca(args.server)
        if server_ca is None:
            raise BidclientError(f"no server CA is pinned for {args.server}; run 'bidclient trust sync --server "
                                 f"{args.server}' first, or pass --server-ca", code="usage.invalid", exit_status=2)
    known = [parse_known_head(text) for text in args.known_head]
    report = verify_export(args.file, server_ca=server_ca, known_heads=known)
    print(_("The audit trail is intact: {entries} entries, {checkpoints} timestamped checkpoints.").format(
        entries=report.entries, checkpoints=len(report.checkpoints)))
    if report.checkpoints:
        last = report.checkpoints[-1]
        print(_("  anchored up to seq {seq}, timestamped {time}").format(
            seq=last.seq, time=format_time(last.timestamp, seconds=True)))
    print(_("  server CA: {fingerprint} ({how})").format(
        fingerprint=report.server_ca_sha256,
        how=_("as expected") if report.server_ca_pinned else _("named in the file; not checked against a pin")))
    print(_("  head: {seq}:{hash} (note it; pass it later as --known-head)").format(
        seq=report.head_seq, hash=report.head_hash))
    if report.unanchored:
        print(_("warning: the last {count} entries (after seq {seq}) are not yet covered by a timestamp; "
                "had some of them been cut off the end, this check could not tell.").format(
            count=report.unanchored, seq=report.last_anchored_seq), file=sys.stderr)
    return 0


def cmd_trust_sync(args: argparse.Namespace) -> int:
    from bidclient import session_store
    from bidclient.api_client import ApiClient
    from bidclient.cli.prompt import TerminalPrompter
    from bidclient.trust_sync import sync_trust

    url = session_store.resolve_server(args.server)
    client = ApiClient(url, tls=session_store.tls_options(url))
    # A changed server CA is asked about on a terminal; a script keeps passing --accept-ca.
    result = sync_trust(client, TerminalPrompter(refuse_without_terminal=False), trust_dir=args.trust_dir,
                        accept_ca_sha256=args.accept_ca)
    if result.first_use:
        print(_("First use of {url}: its server CA {fingerprint} is now pinned. Compare this fingerprint with "
                "the one the server's operator publishes.").format(url=result.server,
                                                                   fingerprint=result.server_ca_sha256))
    print(_("Installed the trust list of {url} (serial {serial}) in {dir}: {certs} certificates, {crls} CRLs, "
            "{removed} removed.").format(url=result.server, serial=result.serial, dir=result.trust_dir,
                                          certs=result.certificates, crls=result.crls, removed=result.removed))
    if result.other_files:
        print(_("warning: {dir} also holds files not from the server, which stay trusted: {files}").format(
            dir=result.trust_dir, files=", ".join(result.other_files)), file=sys.stderr)
    return 0
