"""`bidclient tender publish|clarify|list|fetch`: tender packages on the server (docs/cli.md, Tenders)."""

from __future__ import annotations

import argparse
import base64
import sys
from pathlib import Path
from typing import Any

from bidclient.i18n import _
from bidclient.timefmt import format_time


def register(sub: Any) -> None:
    tender = sub.add_parser("tender", help=_("publish, clarify, list and fetch tenders on the server"))
    actions = tender.add_subparsers(dest="tender_command", metavar="ACTION", parser_class=type(tender))
    actions.required = True

    p = actions.add_parser("publish", help=_("publish a new tender: upload its PDFs, sign the definition (agency)"))
    p.add_argument("definition", type=Path, metavar="DEFINITION.json")
    p.add_argument("--documents", nargs="+", type=Path, required=True, metavar="PDF",
                   help=_("the tender documents (PDF)"))
    _key_and_server(p)
    p.set_defaults(handler=cmd_publish)

    p = actions.add_parser("clarify", help=_("publish a clarification (答疑): the next signed version (agency)"))
    p.add_argument("tender_id", metavar="TENDER_ID")
    p.add_argument("definition", type=Path, metavar="DEFINITION.json")
    p.add_argument("--documents", nargs="+", type=Path, metavar="PDF",
                   help=_("the documents of the new version (default: keep the current ones)"))
    p.add_argument("--change", action="append", default=[], metavar="TEXT",
                   help=_("one change made by this clarification (repeatable; or 'changes' in the definition)"))
    _key_and_server(p)
    p.set_defaults(handler=cmd_clarify)

    p = actions.add_parser("list", help=_("list published tenders (no login needed)"))
    p.add_argument("--server", metavar="URL")
    p.set_defaults(handler=cmd_list)

    p = actions.add_parser("fetch", help=_("download a tender, verify its signature and documents, write a folder"))
    p.add_argument("tender_id", metavar="TENDER_ID")
    p.add_argument("--version", type=int, metavar="N", help=_("default: the current version"))
    p.add_argument("-o", "--output", type=Path, metavar="DIR", help=_("default: TENDER_ID-vN"))
    p.add_argument("--trust", action="append", default=[], metavar="PATH", type=Path,
                   help=_("CA certificates and CRLs, files or directories (repeatable); "
                          "default: the configured trust list"))
    p.add_argument("--revocation", choices=["soft-fail", "hard-fail", "off"], default="soft-fail",
                   help=_("revocation checking (default: soft-fail)"))
    p.add_argument("--server", metavar="URL")
    p.set_defaults(handler=cmd_fetch)


def _key_and_server(p: argparse.ArgumentParser) -> None:
    p.add_argument("--key", required=True, metavar="KEY", help=_("RFC 7512 pkcs11: URI, or a PKCS#12 file"))
    p.add_argument("--pin-source", metavar="SPEC",
                   help=_("where the PIN comes from: file:PATH or env:NAME (default: ask)"))
    p.add_argument("--module", action="append", default=[], metavar="PATH",
                   help=_("an extra PKCS#11 module to load (repeatable)"))
    p.add_argument("--server", metavar="URL")


def _signed_and_sent(args: argparse.Namespace, build: Any) -> Any:
    """Open the key once, with a session of the key's own identity (logging in with it if needed), sign, send."""
    from bidclient import session_store
    from bidclient.cli.prompt import TerminalPrompter
    from bidclient.signin import connect_with_key

    with connect_with_key(session_store.resolve_server(args.server), args.key, TerminalPrompter(args.pin_source),
                          modules=args.module) as connected:
        return build(connected.client, connected.sign)


def cmd_publish(args: argparse.Namespace) -> int:
    from bidclient import tender_package as tp

    draft = tp.load_draft(args.definition)
    entries = [tp.document_entry(path) for path in args.documents]
    definition = tp.prepare_definition(draft, entries)  # checked before the PIN is asked for

    def build(client: Any, sign: Any) -> Any:
        content, signature = tp.sign_definition(definition, sign)
        tp.upload_documents(client, args.documents, entries)
        return tp.publish(client, content, signature)

    out = _signed_and_sent(args, build)
    print(_("Published tender {id} version {version}").format(id=out.tender_id, version=out.version))
    print(f"  {_('package SHA-256')}: {out.package_sha256}")
    _warn_about_clock(out)
    return 0


def _warn_about_clock(out: Any) -> None:
    """The deadline is judged by the server's clock: tell the agency when the server cannot vouch for it."""
    state = out.server_clock
    if state is not None and state.synchronised is True:
        return
    if state is None:
        reason = _("the server did not say")
    elif state.synchronised is False:
        reason = _("the server reports its clock is not synchronised ({detail})").format(detail=state.detail)
    else:
        reason = _("the server cannot tell whether its clock is synchronised ({detail})").format(detail=state.detail)
    print(_("warning: {reason}. The bid deadline is judged by the server's clock: ask the platform's operator "
            "to check its time synchronisation.").format(reason=reason), file=sys.stderr)


def cmd_clarify(args: argparse.Namespace) -> int:
    from bidclient import session_store
    from bidclient import tender_package as tp
    from bidclient.protocol.tender import TenderVersionOut

    draft = tp.load_draft(args.definition)
    public = session_store.load_client(args.server, require_login=False)
    current = tp.get_tender(public, args.tender_id)
    if args.documents:
        paths: list[Path] = list(args.documents)
        entries = [tp.document_entry(path) for path in paths]
    else:
        base = TenderVersionOut.model_validate(
            public.get_json(f"/api/v1/tenders/{args.tender_id}/versions/{current.current_version}"))
        previous = tp.verify_package(base64.b64decode(base.definition), base64.b64decode(base.signature),
                                     trust_list=None)
        paths, entries = [], list(previous.definition.documents)
    changes = args.change or draft.get("changes") or None
    definition = tp.prepare_definition(draft, entries, version=current.current_version + 1,
                                       previous_package_sha256=current.package_sha256, changes=changes)

    def build(client: Any, sign: Any) -> Any:
        content, signature = tp.sign_definition(definition, sign)
        if paths:
            tp.upload_documents(client, paths, entries)
        return tp.clarify(client, args.tender_id, content, signature)

    out = _signed_and_sent(args, build)
    print(_("Published clarification: tender {id} is now at version {version}").format(
        id=out.tender_id, version=out.version))
    print(f"  {_('package SHA-256')}: {out.package_sha256}")
    _warn_about_clock(out)
    return 0


def cmd_list(args: argparse.Namespace) -> int:
    from bidclient import session_store
    from bidclient import tender_package as tp

    listing = tp.list_tenders(session_store.load_client(args.server, require_login=False))
    if not listing.tenders:
        print(_("No tenders are published."))
    for t in listing.tenders:
        # Server text is shown as plain text; control characters are dropped so it cannot move the cursor.
        title = "".join(c for c in t.title if c.isprintable())
        print(f"{t.tender_id}  v{t.current_version}  {title}")
        print(f"  {_('agency')}: {t.agency_name or '-'} {t.agency_uscc or ''}".rstrip())
        print(f"  {_('bid deadline')}: {format_time(t.bid_deadline)}   "
              f"{_('opening')}: {format_time(t.opening_time)}")
    return 0


def cmd_fetch(args: argparse.Namespace) -> int:
    from bidclient import session_store
    from bidclient import tender_package as tp
    from bidclient.atomic import refuse_existing
    from bidclient.signing import load_trust, revocation_mode

    trust_list = load_trust(args.trust)
    client = session_store.load_client(args.server, require_login=False)
    version = args.version
    if version is None:
        version = tp.get_tender(client, args.tender_id).current_version
    output: Path = args.output or Path(f"{args.tender_id}-v{version}")
    refuse_existing(output)
    package = tp.fetch(client, args.tender_id, output, version=version, trust_list=trust_list,
                       revocation=revocation_mode(args.revocation))
    definition = package.definition
    if package.signer is not None:
        for warning in package.signer.warnings:
            print(f"{_('warning')}: {warning}", file=sys.stderr)
    print(_("Fetched tender {id} version {version} -> {dir}: signature trusted, every document intact").format(
        id=definition.tender_id, version=definition.version, dir=output))
    print(f"  {_('title')}: {definition.title}")
    print(f"  {_('agency')}: {definition.agency.name} {definition.agency.uscc}")
    if package.signer is not None:
        from bidclient.revocation import revocation_lines

        lines = revocation_lines(package.signer.revocation)
        print(f"  {_('signer revocation')}: {lines[0]}")
        for line in lines[1:]:
            print(f"    {line}")
    print(f"  {_('bid deadline')}: {format_time(definition.bid_deadline)}")
    print(f"  {_('opening')}: {format_time(definition.opening_time)}")
    print(f"  {_('package SHA-256')}: {package.package_sha256}")
    print(f"  {_('documents')}: {len(definition.documents)}")
    if definition.changes:
        print(f"  {_('changes in this version')}:")
        for change in definition.changes:
            print(f"    - {''.join(c for c in change if c.isprintable())}")
    return 0
