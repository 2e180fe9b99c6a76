"""`bidclient experts …`: the expert pool (admin), committee draws (agency), invitations (expert) and the
offline check of a draw (anyone). See docs/cli.md, "Experts", and docs/experts.md."""

from __future__ import annotations

import argparse
import json
import re
import sys
import threading
from datetime import datetime
from pathlib import Path
from typing import Any

from bidclient.i18n import _
from bidclient.timefmt import format_time


def register(sub: Any) -> None:
    experts = sub.add_parser("experts", help=_("the expert pool, committee draws and invitations"))
    actions = experts.add_subparsers(dest="experts_command", metavar="ACTION", parser_class=type(experts))
    actions.required = True

    def add(name: str, help_text: str, handler: Any, *, server: bool = True) -> argparse.ArgumentParser:
        p: argparse.ArgumentParser = actions.add_parser(name, help=help_text)
        if server:
            p.add_argument("--server", metavar="URL", help=_("server URL (default: the one you logged in to)"))
        p.set_defaults(handler=handler)
        return p

    add("specialties", _("list the specialty codes"), cmd_specialties)
    p = add("specialty-set", _("add or rename a specialty code (admin)"), cmd_specialty_set)
    p.add_argument("code", metavar="CODE")
    p.add_argument("--name", required=True, metavar="TEXT")
    p.add_argument("--category", required=True, choices=["technical", "economic", "legal", "other"])

    p = add("import", _("admit or update experts from a CSV file (admin); all or nothing"), cmd_import)
    p.add_argument("file", type=Path, metavar="FILE.csv")
    p = add("export", _("write the pool to a CSV file (admin)"), cmd_export)
    p.add_argument("-o", "--output", type=Path, required=True, metavar="FILE.csv")

    p = add("list", _("list the pool (admin, supervisor)"), cmd_list)
    p.add_argument("--status", choices=["admitted", "suspended", "renewed", "dismissed"])
    p.add_argument("--specialty", metavar="CODE")
    p.add_argument("--region", metavar="TEXT")
    p.add_argument("--name", metavar="TEXT", help=_("part of the name or the identity"))
    p.add_argument("--sort", default="name", metavar="KEY",
                   help=_("name, identity, employer, region, title or status; --sort=-name sorts descending"))
    p.add_argument("--limit", type=int, default=100, metavar="N")
    p.add_argument("--offset", type=int, default=0, metavar="N")
    p = add("show", _("one expert with the status history (admin, supervisor)"), cmd_show)
    p.add_argument("expert_id", metavar="EXPERT_ID")
    p = add("status", _("suspend, renew or dismiss an expert, with a reason (admin)"), cmd_status)
    p.add_argument("expert_id", metavar="EXPERT_ID")
    p.add_argument("status", choices=["admitted", "suspended", "renewed", "dismissed"])
    p.add_argument("--reason", required=True, metavar="TEXT")
    p.add_argument("--until", metavar="TIME", help=_("end of a suspension, e.g. 2027-06-30T00:00:00+08:00"))
    p = add("relation", _("record an expert's declared relation (admin)"), cmd_relation)
    p.add_argument("expert_id", metavar="EXPERT_ID")
    p.add_argument("kind", choices=["relative", "economic_interest", "supervising_authority", "punished"])
    p.add_argument("--uscc", metavar="CODE", help=_("the enterprise the relation concerns"))
    p.add_argument("--note", default="", metavar="TEXT")
    p = add("count", _("how many experts could be drawn (agency): a count, never names"), cmd_count)
    p.add_argument("--specialty", metavar="CODE")
    p.add_argument("--region", metavar="TEXT")

    add("me", _("your own expert record (expert)"), cmd_me)
    add("my-relations", _("your declared relations, withdrawn ones too (expert)"), cmd_my_relations)
    p = add("declare-relation", _("declare a relation of your own (expert): draws for that enterprise leave you "
                                  "out"), cmd_declare_relation)
    p.add_argument("kind", choices=["relative", "economic_interest", "supervising_authority", "punished"])
    p.add_argument("--uscc", metavar="CODE", help=_("the enterprise the relation concerns"))
    p.add_argument("--note", default="", metavar="TEXT")
    p.add_argument("--until", metavar="TIME", help=_("when the relation ends, if it does"))
    p = add("withdraw-relation", _("withdraw a relation you declared (expert); it stays on record"),
            cmd_withdraw_relation)
    p.add_argument("relation_id", type=int, metavar="ID")
    add("invitations", _("your invitations to evaluation committees (expert)"), cmd_invitations)
    p = add("accept", _("accept an invitation (expert)"), cmd_accept)
    p.add_argument("invitation_id", type=int, metavar="ID")
    p = add("decline", _("decline an invitation with a reason (expert); a reserve is called"), cmd_decline)
    p.add_argument("invitation_id", type=int, metavar="ID")
    p.add_argument("--reason", required=True, metavar="TEXT")

    p = add("draw", _("draw an evaluation committee for your tender (agency)"), cmd_draw)
    p.add_argument("--tender", required=True, metavar="TENDER_ID")
    p.add_argument("--slot", action="append", required=True, metavar="SPEC",
                   help=_("CODE:COUNT[:RESERVES][@REGION,REGION…], e.g. it.hw:4:2@北京 (repeatable)"))
    p.add_argument("--representatives", type=int, default=0, metavar="N",
                   help=_("the tenderer's own representatives on the committee (count toward the size)"))
    p.add_argument("--starts", required=True, metavar="TIME", help=_("evaluation start (ISO 8601 with zone)"))
    p.add_argument("--ends", required=True, metavar="TIME", help=_("evaluation end"))
    p.add_argument("--respond-by", required=True, metavar="TIME", help=_("deadline for the experts' answers"))
    p.add_argument("--place", default="remote", metavar="TEXT", help=_("'remote' or the site's address"))
    p.add_argument("--tenderer-uscc", metavar="CODE", help=_("the tenderer (采购人), if not the agency"))
    p.add_argument("--replaces", metavar="DRAW_ID", help=_("redraw: the draw this one replaces"))
    p.add_argument("--reason", default="", metavar="TEXT", help=_("why a redraw is made (kept in the audit trail)"))
    p.add_argument("--record", type=Path, metavar="FILE", help=_("also write the verifiable draw record here"))

    p = add("draw-status", _("a draw's progress; --watch follows it live"), cmd_draw_status)
    p.add_argument("draw_id", metavar="DRAW_ID")
    p.add_argument("--watch", action="store_true", help=_("print each change as it happens (Ctrl-C to stop)"))
    p.add_argument("--for", dest="watch_for", type=float, metavar="SECONDS", help=_("stop watching after this long"))
    p = add("recheck", _("after the bid deadline, release experts tied to a bidder and call reserves"), cmd_recheck)
    p.add_argument("draw_id", metavar="DRAW_ID")
    p = add("record", _("download a draw's verifiable record"), cmd_record)
    p.add_argument("draw_id", metavar="DRAW_ID")
    p.add_argument("-o", "--output", type=Path, required=True, metavar="FILE")
    p = add("verify-draw", _("recompute a draw from its published snapshot and seed; exit 0 only if it matches"),
            cmd_verify_draw)
    source = p.add_mutually_exclusive_group(required=True)
    source.add_argument("record_file", nargs="?", type=Path, metavar="RECORD")
    source.add_argument("--draw", metavar="DRAW_ID", help=_("fetch the record from the server first"))


def _service(args: argparse.Namespace) -> Any:
    from bidclient import session_store
    from bidclient.experts import ExpertsService

    return ExpertsService(session_store.load_client(args.server))


def _time(text: str, option: str) -> datetime:
    from bidclient.errors import BidclientError

    try:
        value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        value = None
    if value is None or value.tzinfo is None:
        raise BidclientError(_("{option} {value!r} is not a time with a zone, e.g. 2027-03-01T09:00:00+08:00").format(
            option=option, value=text), code="usage.invalid", exit_status=2)
    return value


_SLOT = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]{0,31}):([0-9]{1,2})(?::([0-9]{1,2}))?(?:@(.+))?$")


def _slot(text: str) -> dict[str, Any]:
    from bidclient.errors import BidclientError

    match = _SLOT.match(text.strip())
    if not match:
        raise BidclientError(_("--slot {value!r} is not CODE:COUNT[:RESERVES][@REGION,…]").format(value=text),
                             code="usage.invalid", exit_status=2)
    code, count, reserves, regions = match.groups()
    return {"specialty": code, "count": int(count), "reserves": int(reserves) if reserves else 1,
            "regions": [r.strip() for r in regions.split(",") if r.strip()] if regions else []}


def cmd_specialties(args: argparse.Namespace) -> int:
    for s in _service(args).specialties():
        print(f"{s.code}\t{s.category}\t{s.name}")
    return 0


def cmd_specialty_set(args: argparse.Namespace) -> int:
    s = _service(args).put_specialty(args.code, args.name, args.category)
    print(_("Specialty {code} ({category}): {name}").format(code=s.code, category=s.category, name=s.name))
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    from bidclient.experts import ImportRefused

    try:
        out = _service(args).import_csv(args.file)
    except ImportRefused as ex:
        for row in ex.rows:
            for error in row.errors:
                print(_("{file}, line {line}: {error}").format(file=args.file, line=row.row, error=error),
                      file=sys.stderr)
        raise
    print(_("Imported {file}: {created} experts admitted, {updated} updated.").format(
        file=args.file, created=out.created, updated=out.updated))
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    size = _service(args).export_csv(args.output)
    print(_("Wrote the pool to {file} ({size} bytes).").format(file=args.output, size=size))
    return 0


def _print_expert(e: Any, *, full: bool) -> None:
    print(f"{e.id}\t{e.name}\t{e.status}\t{e.region}\t{';'.join(e.specialties)}\t{e.employer_name} "
          f"({e.employer_uscc})")
    if full:
        print(_("  identity: {identity}; title: {title}; e-mail: {email}; phone: {phone}").format(
            identity=e.identity, title=e.title or "-", email=e.email or "-", phone=e.phone or "-"))
        for h in e.history:
            until = " " + _("until {time}").format(time=format_time(h.until)) if h.until else ""
            print(_("  {time} {status}{until}: {reason} ({by})").format(
                time=format_time(h.at), status=h.status, until=until, reason=h.reason, by=h.by))
        for r in e.relations:
            print(_("  declared relation: {kind} {uscc} {note}").format(kind=r.kind, uscc=r.uscc or "", note=r.note))


def cmd_list(args: argparse.Namespace) -> int:
    out = _service(args).list_experts(status=args.status, specialty=args.specialty, region=args.region,
                                      name=args.name, sort=args.sort, limit=args.limit, offset=args.offset)
    for e in out.experts:
        _print_expert(e, full=False)
    print(_("{shown} of {total} experts").format(shown=len(out.experts), total=out.total))
    return 0


def cmd_show(args: argparse.Namespace) -> int:
    _print_expert(_service(args).get(args.expert_id), full=True)
    return 0


def cmd_status(args: argparse.Namespace) -> int:
    until = _time(args.until, "--until") if args.until else None
    e = _service(args).set_status(args.expert_id, args.status, args.reason, until)
    print(_("{name} is now {status}.").format(name=e.name, status=e.status))
    return 0


def cmd_relation(args: argparse.Namespace) -> int:
    r = _service(args).add_relation(args.expert_id, args.kind, args.uscc, args.note)
    print(_("Recorded the relation {kind} {uscc}.").format(kind=r.kind, uscc=r.uscc or ""))
    return 0


def _print_relation(r: Any) -> None:
    by = _("declared by you") if r.source == "self" else _("recorded by the administrator")
    state = (_("withdrawn {time}").format(time=format_time(r.withdrawn_at)) if r.withdrawn_at
             else _("until {time}").format(time=format_time(r.until)) if r.until else _("in force"))
    print(_("#{id} {kind} {uscc} ({by}; {state}) {note}").format(id=r.id, kind=r.kind, uscc=r.uscc or "-", by=by,
                                                               state=state, note=r.note).rstrip())


def cmd_my_relations(args: argparse.Namespace) -> int:
    relations = _service(args).my_relations()
    for r in relations:
        _print_relation(r)
    if not relations:
        print(_("No declared relations."))
    return 0


def cmd_declare_relation(args: argparse.Namespace) -> int:
    until = _time(args.until, "--until") if args.until else None
    r = _service(args).declare_relation(args.kind, args.uscc.upper() if args.uscc else None, args.note, until)
    _print_relation(r)
    print(_("Declared. From now on, draws leave you out where this relation applies."))
    return 0


def cmd_withdraw_relation(args: argparse.Namespace) -> int:
    _print_relation(_service(args).withdraw_relation(args.relation_id))
    return 0


def cmd_count(args: argparse.Namespace) -> int:
    print(_service(args).count(specialty=args.specialty, region=args.region))
    return 0


def cmd_me(args: argparse.Namespace) -> int:
    _print_expert(_service(args).me(), full=True)
    return 0


def _print_invitation(i: Any) -> None:
    print(_("#{id} {state}: {title}, {start} – {end}, {place}; answer by {due}").format(
        id=i.id, state=i.state, title=i.tender_title, start=format_time(i.starts_at), end=format_time(i.ends_at),
        place=_("remote") if i.place == "remote" else i.place, due=format_time(i.respond_by)))


def cmd_invitations(args: argparse.Namespace) -> int:
    invitations = _service(args).invitations()
    for i in invitations:
        _print_invitation(i)
    if not invitations:
        print(_("No invitations."))
    return 0


def cmd_accept(args: argparse.Namespace) -> int:
    _print_invitation(_service(args).accept(args.invitation_id))
    return 0


def cmd_decline(args: argparse.Namespace) -> int:
    _print_invitation(_service(args).decline(args.invitation_id, args.reason))
    return 0


def _print_draw(d: Any) -> None:
    print(_("Draw {id} for {tender}: {state}; committee of {size}").format(
        id=d.id, tender=d.tender_id, state=d.state, size=d.committee_size))
    print(_("  commitment (SHA-256 of the seed): {hash}").format(hash=d.commitment))
    print(_("  snapshot of the eligible pool (SHA-256): {hash}").format(hash=d.snapshot_sha256))
    if d.seed:
        print(_("  seed (revealed): {seed}").format(seed=d.seed))
    if d.counts:
        print("  " + ", ".join(f"{state}: {n}" for state, n in sorted(d.counts.items())))
    if d.members is None:
        print(_("  names are shown when the evaluation begins ({time})").format(time=format_time(d.starts_at)))
    else:
        for m in d.members:
            print(f"  [{m['slot']}] {m['role']} {m['position']}: {m['name']} ({m['employer_name']}) — {m['state']}")


def cmd_draw(args: argparse.Namespace) -> int:
    from bidclient.protocol.experts import DrawRequestIn

    request = DrawRequestIn.model_validate({
        "tender_id": args.tender, "slots": [_slot(s) for s in args.slot], "representatives": args.representatives,
        "starts_at": _time(args.starts, "--starts"), "ends_at": _time(args.ends, "--ends"), "place": args.place,
        "respond_by": _time(args.respond_by, "--respond-by"), "tenderer_uscc": args.tenderer_uscc,
        "replaces": args.replaces, "reason": args.reason})
    service = _service(args)

    def committed(d: Any) -> None:
        print(_("Committed before the draw: seed commitment {commitment}, snapshot {snapshot}.").format(
            commitment=d.commitment, snapshot=d.snapshot_sha256))

    drawn = service.draw(request, on_committed=committed)
    _print_draw(drawn)
    if args.record:
        _write_record(args.record, service.record(drawn.id))
        print(_("Wrote the draw record to {file}; check it with: bidclient experts verify-draw {file}").format(
            file=args.record))
    return 0


def cmd_draw_status(args: argparse.Namespace) -> int:
    service = _service(args)
    _print_draw(service.get_draw(args.draw_id))
    if not args.watch:
        return 0
    from bidclient.live import EventFollower

    follower = EventFollower(service.client.sibling(), f"draw:{args.draw_id}",
                             on_event=lambda e: print(f"{format_time(datetime.fromisoformat(e.time))} {e.kind} "
                                                      f"{json.dumps(e.payload, ensure_ascii=False)}", flush=True))
    if args.watch_for:
        threading.Timer(args.watch_for, follower.stop).start()
    try:
        follower.run()
    except KeyboardInterrupt:
        follower.stop()
    return 0


def cmd_recheck(args: argparse.Namespace) -> int:
    _print_draw(_service(args).recheck(args.draw_id))
    return 0


def _write_record(path: Path, record: dict[str, Any]) -> None:
    from bidclient.experts import write_record

    write_record(path, record)


def cmd_record(args: argparse.Namespace) -> int:
    _write_record(args.output, _service(args).record(args.draw_id))
    print(_("Wrote the draw record to {file}.").format(file=args.output))
    return 0


def cmd_verify_draw(args: argparse.Namespace) -> int:
    from bidclient.experts import load_record, verify_record

    record = _service(args).record(args.draw) if args.draw else load_record(args.record_file)
    result = verify_record(record)
    print(_("The draw {id} for {tender} is verified: the revealed seed matches the commitment, the snapshot of "
            "{candidates} candidates matches its hash, and the seed and snapshot give exactly the recorded "
            "{members} members and {reserves} reserves ({skips} skipped with reasons).").format(
        id=result.draw_id, tender=result.tender_id, candidates=result.candidates, members=result.members,
        reserves=result.reserves, skips=result.skips))
    return 0
