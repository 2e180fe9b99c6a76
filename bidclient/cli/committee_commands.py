"""`bidclient committee ...`: the opening committee's key ceremony (docs/cli.md "committee")."""

from __future__ import annotations

import argparse
import hashlib
import json
from pathlib import Path
from typing import Any

from bidclient.cli.prompt import TerminalPrompter
from bidclient.i18n import _


def _key_options(p: argparse.ArgumentParser, *, encryption: bool = True) -> None:
    p.add_argument("--key", required=True, metavar="KEY", help=_("RFC 7512 pkcs11: URI, or a PKCS#12 file"))
    if encryption:
        p.add_argument("--encryption-key", metavar="KEY",
                       help=_("your encryption key, when KEY's token or file does not settle it (a token holding "
                              "several members' keys)"))
    p.add_argument("--pin-source", metavar="SPEC", help=_("where the PIN comes from: file:PATH or env:NAME"))
    p.add_argument("--module", action="append", default=[], metavar="PATH",
                   help=_("an extra PKCS#11 module to load (repeatable)"))
    p.add_argument("--server", metavar="URL", help=_("server URL (default: the one you logged in to)"))


def register(sub: Any) -> None:
    p = sub.add_parser("committee", help=_("the opening committee's key ceremony (k of n members)"))
    c = p.add_subparsers(dest="committee_command", metavar="COMMAND", required=True)

    p = c.add_parser("create", help=_("name an opening committee for your tender (agency)"))
    p.add_argument("--tender", required=True, metavar="TENDER_ID", help=_("the tender's identifier"))
    p.add_argument("--threshold", "-k", required=True, type=int, metavar="K",
                   help=_("how many members together open a bid"))
    p.add_argument("--member", action="append", nargs=2, required=True, type=Path,
                   metavar=("SIGNING_CERT", "ENCRYPTION_CERT"),
                   help=_("a member's signing and encryption certificates, in member order (repeat per member)"))
    _key_options(p, encryption=False)
    p.set_defaults(handler=cmd_create)

    p = c.add_parser("deal", help=_("contribute your part of the committee key (member, once)"))
    p.add_argument("committee", metavar="COMMITTEE_ID")
    _key_options(p)
    p.set_defaults(handler=cmd_deal)

    p = c.add_parser("check", help=_("open and check the shares sent to you, without signing anything"))
    p.add_argument("committee", metavar="COMMITTEE_ID")
    _key_options(p)
    p.set_defaults(handler=cmd_check)

    p = c.add_parser("ack", help=_("check your shares and sign the acknowledgment of the committee key"))
    p.add_argument("committee", metavar="COMMITTEE_ID")
    _key_options(p)
    p.add_argument("--yes", action="store_true", help=_("sign without asking"))
    p.set_defaults(handler=cmd_ack)

    p = c.add_parser("complain", help=_("name the member whose share to you is wrong or missing"))
    p.add_argument("committee", metavar="COMMITTEE_ID")
    p.add_argument("--against", required=True, type=int, metavar="N", help=_("the sending member's number"))
    p.add_argument("--reason", default="", metavar="TEXT", help=_("what is wrong (shown to everyone)"))
    _key_options(p, encryption=False)
    p.set_defaults(handler=cmd_complain)

    p = c.add_parser("disclose", help=_("answer a complaint: publish your share for the member who complained"))
    p.add_argument("committee", metavar="COMMITTEE_ID")
    p.add_argument("--to", required=True, type=int, metavar="N", help=_("the complaining member's number"))
    _key_options(p)
    p.add_argument("--yes", action="store_true", help=_("disclose without asking"))
    p.set_defaults(handler=cmd_disclose)

    p = c.add_parser("status", help=_("show the ceremony: who has dealt, acknowledged, complained"))
    p.add_argument("committee", metavar="COMMITTEE_ID")
    p.add_argument("--server", metavar="URL", help=_("server URL (default: the one you logged in to)"))
    p.set_defaults(handler=cmd_status)

    p = c.add_parser("verify", help=_("check a complete committee: proofs, key, certificate, every acknowledgment"))
    p.add_argument("committee", metavar="COMMITTEE_ID")
    p.add_argument("--trust", action="append", default=[], metavar="PATH", type=Path,
                   help=_("CA certificates the acknowledgments' signers must chain to (default: the configured "
                          "trust list; none: integrity only)"))
    p.add_argument("-o", "--output", type=Path, metavar="COMMITTEE.json",
                   help=_("also write the tender's `committee` object (format 3) to this file"))
    p.add_argument("--server", metavar="URL", help=_("server URL (default: the one you logged in to)"))
    p.set_defaults(handler=cmd_verify)


def _member(args: argparse.Namespace) -> Any:
    from bidclient import committee

    prompter = TerminalPrompter(args.pin_source, assume_yes=bool(getattr(args, "yes", False)),
                                refuse_without_terminal=False)
    return prompter, committee.open_member(args.server, args.key, prompter, modules=args.module,
                                           encryption_key=getattr(args, "encryption_key", None))


def _print_status(out: Any) -> None:
    print(_("Committee {id} for tender {tender}: {k} of {n}, {status}").format(
        id=out.committee_id, tender=out.tender_id, k=out.threshold, n=len(out.members), status=out.status))
    if out.status_reason:
        print(f"  {out.status_reason}")
    for m in out.members:
        marks = [_("dealt") if m.dealt else _("not dealt"), _("acknowledged") if m.acknowledged else _("no ack")]
        print(f"  {m.number}. {m.name} [{m.identity}]: {', '.join(marks)}")
    for complaint in out.complaints:
        print("  " + _("complaint: member {j} names member {i} ({resolution})").format(
            j=complaint.member, i=complaint.accused, resolution=complaint.resolution))
    if out.public_key:
        print(f"  {_('public key Y')}: {out.public_key}")
    if out.certificate:
        from cryptography import x509
        from cryptography.hazmat.primitives import hashes

        cert = x509.load_pem_x509_certificate(out.certificate.encode("ascii"))
        print(f"  {_('committee certificate SHA-256')}: {cert.fingerprint(hashes.SHA256()).hex()}")


def cmd_create(args: argparse.Namespace) -> int:
    from bidclient import committee

    _prompter, opened = _member(args)
    with opened as me:
        out = committee.create(me.client, tender_id=args.tender, threshold=args.threshold,
                               members=[(Path(s), Path(e)) for s, e in args.member])
    _print_status(out)
    print(_("Each member now runs: bidclient committee deal {id} --key KEY").format(id=out.committee_id))
    return 0


def cmd_deal(args: argparse.Namespace) -> int:
    from bidclient import committee

    _prompter, opened = _member(args)
    with opened as me:
        out = committee.deal(me, args.committee)
    print(_("Dealt your part of committee {id}; your polynomial was not kept.").format(id=args.committee))
    _print_status(out)
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    from bidclient import committee

    _prompter, opened = _member(args)
    with opened as me:
        result = committee.check(me, args.committee)
    if result.bad_senders:
        print(_("Your shares do NOT check out: {detail}").format(detail=result.detail))
        for sender in result.bad_senders:
            print("  " + _("name member {i}: bidclient committee complain {id} --against {i} --key KEY").format(
                i=sender, id=args.committee))
        return 1
    print(_("All {n} shares sent to you (member {j}) check out against their senders' commitments.").format(
        n=len(result.committee.members), j=result.member))
    return 0


def cmd_ack(args: argparse.Namespace) -> int:
    from bidclient import committee

    prompter, opened = _member(args)
    with opened as me:
        out = committee.acknowledge(me, args.committee, prompter)
    print(_("Acknowledged committee {id}.").format(id=args.committee))
    _print_status(out)
    return 0


def cmd_complain(args: argparse.Namespace) -> int:
    from bidclient import committee

    _prompter, opened = _member(args)
    with opened as me:
        out = committee.complain(me, args.committee, args.against, args.reason)
    print(_("Complaint against member {i} recorded; it must now disclose its share to you.").format(i=args.against))
    _print_status(out)
    return 0


def cmd_disclose(args: argparse.Namespace) -> int:
    from bidclient import committee

    prompter, opened = _member(args)
    with opened as me:
        out = committee.disclose(me, args.committee, args.to, prompter)
    print(_("Disclosed your share for member {j}.").format(j=args.to))
    _print_status(out)
    return 0


def cmd_status(args: argparse.Namespace) -> int:
    from bidclient import committee, session_store

    _print_status(committee.status(session_store.load_client(args.server), args.committee))
    return 0


def cmd_verify(args: argparse.Namespace) -> int:
    from bidclient import committee, session_store
    from bidclient.atomic import write_atomically
    from bidclient.config import default_trust_paths
    from bidclient.signing import load_trust

    out = committee.status(session_store.load_client(args.server), args.committee)
    trust_list = load_trust(args.trust) if (args.trust or default_trust_paths()) else None
    verified = committee.verify_committee(out, trust_list=trust_list)
    print(_("Committee {id} checks out: {k} of {n}, every proof and acknowledgment verified").format(
        id=verified.committee_id, k=verified.threshold, n=len(verified.members)))
    print(f"  {_('public key Y')}: {verified.public_key.hex()}")
    print(f"  {_('commitments SHA-256')}: {verified.commitments_sha256}")
    from cryptography.hazmat.primitives import serialization

    der = verified.certificate.public_bytes(serialization.Encoding.DER)
    print(f"  {_('committee certificate SHA-256')}: {hashlib.sha256(der).hexdigest()}")
    if trust_list is None:
        print("  " + _("no trust list: the acknowledgments' signers were checked for integrity only"))
    if args.output is not None:
        entry = committee.tender_committee(out)
        write_atomically(args.output, json.dumps(entry.model_dump(mode="json"), ensure_ascii=False, indent=2).encode())
        print(_("Wrote the tender's committee object to {path}").format(path=args.output))
    return 0
