"""`bidclient opening …`: every step of the opening (开标) from the terminal, scriptable (docs/cli.md)."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from bidclient.cli.prompt import TerminalPrompter
from bidclient.i18n import _


def _key_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--key", required=True, metavar="KEY", help=_("RFC 7512 pkcs11: URI, or a PKCS#12 file"))
    p.add_argument("--enc-key", metavar="KEY",
                   help=_("your encryption key, when KEY's token or file does not settle it"))
    p.add_argument("--pin-source", metavar="SPEC", help=_("where the PIN comes from: file:PATH or env:NAME"))
    p.add_argument("--module", action="append", default=[], metavar="PATH",
                   help=_("an extra PKCS#11 module to load (repeatable)"))
    p.add_argument("--server", metavar="URL", help=_("server URL (default: the one you logged in to)"))
    p.add_argument("--json", action="store_true", help=_("print the opening as JSON"))


def _step_option(p: argparse.ArgumentParser) -> None:
    p.add_argument("--step", type=int, metavar="N",
                   help=_("the step of the opening you decided on (from 'opening show'); refused if another "
                          "host acted since (default: the current step)"))


def register(sub: Any) -> None:
    p = sub.add_parser("opening", help=_("the bid opening (开标): check in, release keys, open, announce, record"))
    cmds = p.add_subparsers(dest="opening_command", metavar="COMMAND", required=True)

    def add(name: str, help_text: str, handler: Any, *, key: bool = True,
            step: bool = False) -> argparse.ArgumentParser:
        q = cmds.add_parser(name, help=help_text)
        if name != "verify-record":
            q.add_argument("tender", metavar="TENDER_ID")
        if key:
            _key_options(q)
        if step:
            _step_option(q)
        q.set_defaults(handler=handler)
        return q

    add("show", _("show the opening: state, window, check-ins, bids and their outcome, objections"), cmd_show)
    q = add("schedule", _("schedule the opening of your tender, naming its hosts and supervisors (agency)"),
            cmd_schedule)
    q.add_argument("--host", action="append", required=True, metavar="IDENTITY",
                   help=_("a host: opening staff, as uscc:<code> or person:<name> (repeatable)"))
    q.add_argument("--supervisor", action="append", default=[], metavar="IDENTITY",
                   help=_("a supervisor who watches read-only and co-signs the record (repeatable)"))
    add("check-in", _("check in to the opening with a signed statement (bidder)"), cmd_check_in)
    add("lock", _("lock the opening at the deadline and count the bids (host)"), cmd_lock, step=True)
    add("window", _("open the decryption window from the opening time (host)"), cmd_window, step=True)
    q = add("extend", _("extend the decryption window, with a reason (host)"), cmd_extend, step=True)
    q.add_argument("--minutes", type=int, required=True, metavar="N", help=_("minutes to add (1–240)"))
    q.add_argument("--reason", required=True, metavar="TEXT", help=_("why (goes into the record)"))
    q = add("release-key", _("decrypt your bid's key with your dongle and release it to the opening (bidder)"),
            cmd_release_key)
    q.add_argument("--bid", type=Path, metavar="BID", help=_("your sealed bid file (default: fetched from the server)"))
    q.add_argument("--yes", action="store_true", help=_("release without asking for confirmation"))
    q = add("open-bids", _("open and verify every bid whose key was released, and report each result (host)"),
            cmd_open_bids)
    q.add_argument("-o", "--output", type=Path, metavar="DIR",
                   help=_("also keep a verified copy of each opened bid here, one folder per bid (without it "
                          "nothing is written: the bids are verified and reported)"))
    q.add_argument("--trust", action="append", type=Path, default=[], metavar="PATH",
                   help=_("trusted CA certificates for the bidders' signatures (repeatable; default: your trust list)"))
    q = add("remedy", _("start the committee remedy (补救方案) for a bid its bidder could not decrypt (host)"),
            cmd_remedy)
    q.add_argument("submission", metavar="SUBMISSION_ID")
    q = add("partial", _("contribute your partial result to a bid's remedy (committee member)"), cmd_partial)
    q.add_argument("submission", metavar="SUBMISSION_ID")
    q.add_argument("--yes", action="store_true", help=_("contribute without asking for confirmation"))
    add("announce", _("announce (唱标) every bid once the window has closed (host)"), cmd_announce, step=True)
    q = add("object", _("raise an objection (异议) during the opening (bidder)"), cmd_object)
    q.add_argument("text", metavar="TEXT")
    q = add("answer", _("answer an objection (host)"), cmd_answer)
    q.add_argument("objection", metavar="OBJECTION_ID")
    q.add_argument("text", metavar="TEXT")
    add("draft-record", _("draft the opening record (开标记录表) once every objection is answered (host)"),
        cmd_draft_record, step=True)
    q = add("sign-record", _("sign the opening record: the host first, then the supervisor"), cmd_sign_record)
    q.add_argument("--yes", action="store_true", help=_("sign without asking for confirmation"))
    q.add_argument("-o", "--output", type=Path, metavar="FILE", help=_("also keep the signed record here"))
    add("publish", _("publish the signed record to the participants (host)"), cmd_publish, step=True)
    q = add("download-record", _("download the opening record"), cmd_download_record)
    q.add_argument("-o", "--output", type=Path, required=True, metavar="FILE", help=_("the PDF to write"))
    q = add("acknowledge", _("confirm the published record, or object to it, with a signed statement (bidder)"),
            cmd_acknowledge)
    group = q.add_mutually_exclusive_group(required=True)
    group.add_argument("--confirm", action="store_true", help=_("confirm the record"))
    group.add_argument("--object", metavar="TEXT", help=_("object to the record, saying why"))
    q = add("verify-record", _("verify an opening record offline: every signature, the host's and the supervisor's"),
            cmd_verify_record, key=False)
    q.add_argument("record", type=Path, metavar="FILE")
    q.add_argument("--trust", action="append", type=Path, default=[], metavar="PATH",
                   help=_("trusted CA certificates (repeatable; default: your trust list)"))


@contextmanager
def _session(args: argparse.Namespace) -> Iterator[tuple[Any, Any, TerminalPrompter]]:
    """The key (one PIN), a client logged in as the key's holder, and the opening API of the tender."""
    from bidclient import session_store
    from bidclient.opening import OpeningApi
    from bidclient.signin import connect_with_key

    prompter = _prompter(args)
    with connect_with_key(session_store.resolve_server(args.server), args.key, prompter, modules=args.module,
                          encryption_key=args.enc_key) as connected:
        yield OpeningApi(connected.client, args.tender), connected.session, prompter


def _prompter(args: argparse.Namespace) -> TerminalPrompter:
    """PINs from --pin-source or the terminal; a question is yes only with --yes or a typed yes."""
    return TerminalPrompter(args.pin_source, assume_yes=bool(getattr(args, "yes", False)),
                            refuse_without_terminal=False)


def _t(value: str | None) -> str:
    """A server time, shown in the reader's zone with the zone named (bidclient.timefmt)."""
    from datetime import datetime

    from bidclient.timefmt import format_time

    if not value:
        return "—"
    try:
        return format_time(datetime.fromisoformat(value.replace("Z", "+00:00")), seconds=True)
    except ValueError:
        return value


def _print(args: argparse.Namespace, out: Any) -> None:
    if args.json:
        print(json.dumps(out.model_dump(mode="json"), ensure_ascii=False, indent=2))
        return
    print(_("Tender {tender}: {state} (step {step})").format(tender=out.tender_id, state=_state(out.state),
                                                             step=out.step))
    print(_("  deadline {deadline}, opening {opening}, server time {now}").format(
        deadline=_t(out.deadline), opening=_t(out.opening_time), now=_t(out.server_time)))
    if out.bid_count is not None:
        print(_("  bids counted: {n}").format(n=out.bid_count))
    if out.window_closes_at:
        print(_("  decryption window {start} – {end}").format(start=_t(out.window_opens_at),
                                                              end=_t(out.window_closes_at)))
    for c in out.check_ins:
        late = _(" (late)") if c.late else ""
        print(_("  checked in: {who} at {time}{late}").format(who=c.organization or c.identity_key,
                                                              time=_t(c.checked_in_at), late=late))
    for b in out.bids:
        line = f"  #{b.position} {b.organization or b.identity_key} [{b.submission_id}] {_state(b.state)}"
        if b.failure_code:
            line += f" — {b.failure_code}: {b.failure_detail or ''}"
        print(line)
        a = b.announced
        if a is not None:
            print(_("      price {price} (figures {figures}, words {words}){flag}; duration {duration}; "
                    "quality {quality}").format(
                price=a.price, figures=a.price_figures, words=a.price_words,
                flag=_(" — figures and words differ: the words prevail (87号令 Art. 59)") if a.price_mismatch else "",
                duration=a.duration or "—", quality=a.quality or "—"))
            for name, value in a.other.items():
                print(f"      {name}: {value}")
    for o in out.objections:
        print(_("  objection {id} by {who}: {text}").format(id=o.id, who=o.organization or o.identity_key,
                                                            text=o.text))
        if o.answer:
            print(_("      answer: {answer}").format(answer=o.answer))
    if out.record_sha256:
        print(_("  record SHA-256 {sha}, signed by: {who}").format(sha=out.record_sha256,
                                                                   who=", ".join(out.record_signers) or "—"))
    for ack in out.acknowledgments:
        print(_("  {who}: {decision} {text}").format(who=ack.identity_key, decision=ack.decision, text=ack.text))


def _state(state: str) -> str:
    names = {
        "scheduled": _("scheduled"), "locked": _("locked and counted"),
        "no_opening": _("no opening (fewer than 3 bids)"),
        "decrypting": _("decryption window"), "announced": _("announced"), "record_drafted": _("record drafted"),
        "host_signed": _("signed by the host"), "signed": _("signed"), "published": _("published"),
        "awaiting_key": _("awaiting the key"), "key_released": _("key released"), "opened": _("opened"),
        "failed": _("failed (may retry in the window)"), "revoked": _("撤销 revoked (bidder's fault)"),
        "withdrawn": _("撤回 withdrawn (not the bidder's fault)"),
    }
    return names.get(state, state)


def cmd_show(args: argparse.Namespace) -> int:
    with _session(args) as (api, _s, _p):
        _print(args, api.get())
    return 0


def cmd_schedule(args: argparse.Namespace) -> int:
    with _session(args) as (api, _s, _p):
        _print(args, api.schedule(args.host, args.supervisor))
    return 0


def cmd_check_in(args: argparse.Namespace) -> int:
    from bidclient import opening

    with _session(args) as (api, s, _p):
        _print(args, opening.check_in(api, s))
    return 0


def cmd_lock(args: argparse.Namespace) -> int:
    with _session(args) as (api, _s, _p):
        _print(args, api.lock(step=args.step))
    return 0


def cmd_window(args: argparse.Namespace) -> int:
    from bidclient.errors import BidclientError

    with _session(args) as (api, s, _p):
        certificate = s.encryption_certificate
        if certificate is None:
            raise BidclientError(_("Your key has no encryption certificate for the bidders to release their keys "
                                   "to."), code="opening.no_encryption_certificate")
        _print(args, api.open_window([certificate], step=args.step))
    return 0


def cmd_extend(args: argparse.Namespace) -> int:
    with _session(args) as (api, _s, _p):
        _print(args, api.extend_window(args.minutes, args.reason, step=args.step))
    return 0


def cmd_release_key(args: argparse.Namespace) -> int:
    from bidclient import opening

    with _session(args) as (api, s, prompter):
        out = opening.release_key(api, s, prompter, bid=args.bid)
    print(_("Key of bid {bid} released (attempt {n}); the host opens it now.").format(bid=out.submission_id,
                                                                                      n=out.attempts))
    return 0


def cmd_open_bids(args: argparse.Namespace) -> int:
    from bidclient import opening
    from bidclient.signing import load_trust

    trust_list = load_trust(args.trust)
    with _session(args) as (api, s, _p):
        results = opening.open_released_bids(
            api, s, trust_list, args.output,
            progress=lambda sub: print(_("opening {bid}…").format(bid=sub), file=sys.stderr))
    for r in results:
        if r.state == "opened" and r.directory is not None:
            print(_("#{n} {bid}: opened and verified → {dir}").format(n=r.position, bid=r.submission_id,
                                                                     dir=r.directory))
        elif r.state == "opened":
            print(_("#{n} {bid}: opened and verified").format(n=r.position, bid=r.submission_id))
        else:
            print(_("#{n} {bid}: {state} ({code})").format(n=r.position, bid=r.submission_id, state=_state(r.state),
                                                          code=r.failure_code))
    if not results:
        print(_("No released key is waiting to be opened."))
    return 0 if all(r.state == "opened" for r in results) else 1


def _print_remedy(out: Any) -> None:
    print(_("Remedy of bid {bid} by committee {committee}: {n} of {k} partial results").format(
        bid=out.submission_id, committee=out.committee_id, n=len({p.member for p in out.partials}), k=out.threshold))
    for p in out.partials:
        print(_("  member {n}: {who} at {time}").format(n=p.member, who=p.identity_key, time=_t(p.received_at)))


def cmd_remedy(args: argparse.Namespace) -> int:
    with _session(args) as (api, _s, _p):
        _print_remedy(api.start_remedy(args.submission))
    return 0


def cmd_partial(args: argparse.Namespace) -> int:
    from bidclient import committee, opening
    from bidclient.opening import OpeningApi

    prompter = _prompter(args)
    with committee.open_member(args.server, args.key, prompter, modules=args.module,
                               encryption_key=args.enc_key) as member:
        _print_remedy(opening.contribute_partial(OpeningApi(member.client, args.tender), member, args.submission,
                                                 prompter))
    return 0


def cmd_announce(args: argparse.Namespace) -> int:
    with _session(args) as (api, _s, _p):
        _print(args, api.announce(step=args.step))
    return 0


def cmd_object(args: argparse.Namespace) -> int:
    with _session(args) as (api, _s, _p):
        out = api.object(args.text)
    print(_("Objection {id} raised.").format(id=out.id))
    return 0


def cmd_answer(args: argparse.Namespace) -> int:
    with _session(args) as (api, _s, _p):
        api.answer(args.objection, args.text)
    print(_("Objection {id} answered.").format(id=args.objection))
    return 0


def cmd_draft_record(args: argparse.Namespace) -> int:
    with _session(args) as (api, _s, _p):
        _print(args, api.draft_record(step=args.step))
    return 0


def cmd_sign_record(args: argparse.Namespace) -> int:
    from bidclient import opening

    with _session(args) as (api, s, prompter):
        _print(args, opening.sign_record(api, s, prompter, keep=args.output))
    return 0


def cmd_publish(args: argparse.Namespace) -> int:
    with _session(args) as (api, _s, _p):
        _print(args, api.publish(step=args.step))
    return 0


def cmd_download_record(args: argparse.Namespace) -> int:
    from bidclient import opening

    with _session(args) as (api, _s, _p):
        sha = opening.download_record(api, args.output)
    print(_("Saved the record to {file} (SHA-256 {sha}).").format(file=args.output, sha=sha))
    return 0


def cmd_acknowledge(args: argparse.Namespace) -> int:
    from bidclient import opening

    decision, text = ("confirm", "") if args.confirm else ("object", args.object)
    with _session(args) as (api, s, _p):
        _print(args, opening.acknowledge_record(api, s, decision=decision, text=text))
    return 0


def cmd_verify_record(args: argparse.Namespace) -> int:
    from bidclient import opening
    from bidclient.signing import load_trust

    check = opening.verify_record(args.record, load_trust(args.trust))
    print(_("Record {file}, SHA-256 {sha}").format(file=args.record, sha=check.sha256))
    for n, who in enumerate(check.signers, start=1):
        print(_("  signature {n}: {who}").format(n=n, who=who))
    if check.ok:
        print(_("The record is intact and signed by the host and the supervisor."))
        return 0
    for problem in check.problems:
        print(_("  problem: {problem}").format(problem=problem))
    return 1
