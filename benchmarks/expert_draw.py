"""A committee draw from a pool of 100,000 experts, with exclusions, on SQLite and PostgreSQL, against a
reference in the same run: the same selection over an in-memory list (the eligibility rules as Python set
look-ups, then the same draw algorithm), i.e. what the draw costs without a database.

    python3 benchmarks/expert_draw.py [--experts 100000] [--repeat 3] [--only sqlite,postgresql]
                                      [--markdown PATH]

The pool: 4 specialties (each expert has one or two), 20 regions; 1 % suspended, 1 % dismissed; 500 experts
employed by one of 20 bidders with active bids; 300 declared relations to bidders; 3,000 experts drawn for an
overlapping committee; 2,000 who served the same tenderer last month. The request: 9 experts in three slots
(one limited to 5 regions) with 6 reserves. Measured: the server's two steps as a request runs them
(`server.experts.service.commit_draw` and `run_draw`, each in its own unit of work that commits), not the HTTP
and login around them (a few milliseconds): wall time, the CPU time of this process (on SQLite all of the
draw), and on PostgreSQL the CPU time of the database server's processes during the two steps. Repeated
``--repeat`` times with redraws (each a new snapshot, seed and selection); the median is reported, and each
draw's ratio to the reference measured right after it.

A/B against another tree (e.g. main): copy this file and _server_fixture.py into that tree's benchmarks/ and
run it there, alternating with a run here; the load average at the start and the end is printed.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _server_fixture as fx

REPO = fx.REPO
SPECIALTIES = {"it.hw": "technical", "it.sw": "technical", "econ": "economic", "law": "legal"}
REGIONS = [f"R{n:02d}" for n in range(20)]


def _actor(account_id: str, identity: str, roles: tuple[str, ...]) -> Any:
    from server.auth.service import Actor

    return Actor(account_id=account_id, identity_key=identity, uscc=None, organization=None, person=None,
                 roles=frozenset(roles), cert_sha256="0" * 64, address="127.0.0.1")


def populate(data: Path, experts: int) -> dict[str, Any]:
    """The pool, the bids, the relations and the earlier draws, inserted in bulk."""
    from sqlalchemy import insert

    from server.auth.models import Account
    from server.experts import service
    from server.experts.models import Draw, Expert, ExpertSpecialty, Pick, Relation, Specialty, StatusEvent
    from tests.server.expert_helpers import own_tender, place_bid, uscc
    from tests.server.submission_helpers import db_session

    rng = random.Random(20261202)
    now = dt.datetime.now(dt.UTC)
    agency_id = str(uuid.uuid4())
    tenderer = uscc(990000)
    bidders = [uscc(980000 + n) for n in range(20)]
    with db_session(data) as db:
        db.add(Account(id=agency_id, identity_key="uscc:" + uscc(970000), uscc=uscc(970000), organization="代理",
                       person=None, created_at=now))
        for code, category in SPECIALTIES.items():
            db.add(Specialty(code=code, name=code, category=category))
        db.commit()
    tender = own_tender(data, agency_id, evaluation={"tenderer_uscc": tenderer})
    earlier = own_tender(data, agency_id, evaluation={"tenderer_uscc": tenderer})  # the earlier committees'
    for bidder in bidders:
        place_bid(data, tender, bidder)
    ids = [str(uuid.UUID(int=rng.getrandbits(128))) for _ in range(experts)]
    rows, links, events = [], [], []
    for n, expert_id in enumerate(ids):
        status = "suspended" if n % 100 == 1 else "dismissed" if n % 100 == 2 else "admitted"
        employer = bidders[n % 20] if n % 200 == 3 else uscc(100000 + n)
        rows.append({"id": expert_id, "identity_key": f"person:bench{n}", "name": f"专家{n}",
                     "employer_uscc": employer, "employer_name": "单位", "region": rng.choice(REGIONS),
                     "title": "", "email": "", "phone": "", "status": status,
                     "suspended_until": now + dt.timedelta(days=30) if status == "suspended" else None,
                     "created_at": now, "updated_at": now})
        for code in rng.sample(sorted(SPECIALTIES), rng.choice((1, 2))):
            links.append({"expert_id": expert_id, "specialty": code})
        events.append({"expert_id": expert_id, "status": "admitted", "reason": "imported", "until": None,
                       "by": "bench", "at": now})
    with db_session(data) as db:
        for start in range(0, experts, 5000):
            db.execute(insert(Expert), rows[start:start + 5000])
        for start in range(0, len(links), 5000):
            db.execute(insert(ExpertSpecialty), links[start:start + 5000])
        for start in range(0, experts, 5000):
            db.execute(insert(StatusEvent), events[start:start + 5000])
        db.execute(insert(Relation), [{"expert_id": ids[n * 7 + 5], "kind": "relative", "uscc": bidders[n % 20],
                                       "note": "", "until": None} for n in range(300)])
        # Earlier committees: one overlapping this evaluation, one that ended last month for the same tenderer.
        for draw_id, starts, state, taken in (
                ("bench-overlap", now + dt.timedelta(days=3), "pending", ids[10_000:13_000]),
                ("bench-recent", now - dt.timedelta(days=30), "accepted", ids[20_000:22_000])):
            db.add(Draw(id=draw_id, tender_id=earlier, agency_account_id=agency_id, state="drawn",
                        request=json.dumps({"slots": [], "representatives": 0, "place": "remote"}),
                        committee_size=5, starts_at=starts, ends_at=starts + dt.timedelta(hours=8),
                        respond_by=starts, tenderer_uscc=tenderer, seed="0" * 64, commitment="0" * 64,
                        snapshot="{}", snapshot_sha256="0" * 64, exclusions="[]", skips="[]", bidders_checked=True,
                        replaces=None, reason="", superseded_by=None, created_at=now, drawn_at=now))
            db.flush()
            db.execute(insert(Pick), [{"draw_id": draw_id, "expert_id": e, "slot": 0, "role": "member",
                                       "position": i + 1, "state": state, "invited_at": now, "respond_by": now,
                                       "responded_at": None, "reason": ""} for i, e in enumerate(taken)])
        # As the CSV import does after changing the pool (the inserts stand in for it). Code before migration
        # 0005_draw_pool has no such step: this file then runs an older tree as it is (an A/B comparison).
        analyze = getattr(service, "analyze_pool", None)
        if analyze is not None:
            analyze(db)
        db.commit()
    return {"tender": tender, "agency_id": agency_id, "tenderer": tenderer, "bidders": set(bidders), "rows": rows,
            "links": links, "overlap": set(ids[10_000:13_000]), "recent": set(ids[20_000:22_000]),
            "related": {ids[n * 7 + 5] for n in range(300)}}


def request(tender: str, *, replaces: str | None = None) -> Any:
    from bidclient.protocol.experts import DrawRequestIn

    now = dt.datetime.now(dt.UTC)
    return DrawRequestIn.model_validate({
        "tender_id": tender, "slots": [
            {"specialty": "it.hw", "count": 4, "reserves": 2},
            {"specialty": "econ", "count": 3, "reserves": 2, "regions": REGIONS[:5]},
            {"specialty": "it.sw", "count": 2, "reserves": 2}],
        "starts_at": now + dt.timedelta(days=3, hours=2), "ends_at": now + dt.timedelta(days=3, hours=6),
        "respond_by": now + dt.timedelta(days=1), "replaces": replaces, "reason": "bench" if replaces else ""})


def server_cpu(postmaster: int | None) -> float:
    """CPU seconds (user + system) of a PostgreSQL cluster's processes alive now: the postmaster's children
    (the backends serving this process, the WAL writer, the checkpointer, …); 0 without a cluster."""
    if postmaster is None:
        return 0.0
    ticks = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue  # gone meanwhile
        if int(fields[1]) == postmaster or stat.parent.name == str(postmaster):  # ppid, or the postmaster
            ticks += int(fields[11]) + int(fields[12])  # utime, stime
    return ticks / fx.CLK_TCK


def draw_once(data: Path, world: dict[str, Any], replaces: str | None,
              postmaster: int | None = None) -> tuple[float, float, str, float, float]:
    """One draw, commit then run, each in its own committed unit of work: (commit s, run s, draw id, CPU s of
    this process, CPU s of the database server). The server's CPU is read before the sessions close, while
    their backends are alive."""
    from server.experts import service
    from server.settings import Settings
    from tests.server.submission_helpers import db_session

    actor = _actor(world["agency_id"], "uscc:bench-agency", ("agency",))
    settings = Settings(data_dir=data)
    cpu = time.process_time()
    database_cpu = -server_cpu(postmaster)
    started = time.perf_counter()
    with db_session(data) as db:
        draw_id = service.commit_draw(db, actor=actor, body=request(world["tender"], replaces=replaces),
                                      settings=settings).id
        db.commit()
        committed = time.perf_counter()
        database_cpu += server_cpu(postmaster)
    resumed = time.perf_counter()
    database_cpu -= server_cpu(postmaster)
    with db_session(data) as db:
        service.run_draw(db, actor=actor, draw_id=draw_id, settings=settings)
        db.commit()
        done = time.perf_counter()
        database_cpu += server_cpu(postmaster)
    return committed - started, done - resumed, draw_id, time.process_time() - cpu, database_cpu


def reference(world: dict[str, Any]) -> float:
    """The same eligibility and selection over the in-memory rows: no database, no JSON, no storing."""
    from bidclient.protocol import experts as proto

    body = request(world["tender"])
    started = time.perf_counter()
    wanted = {s.specialty for s in body.slots}
    specialties: dict[str, list[str]] = {}
    for link in world["links"]:
        if link["specialty"] in wanted:
            specialties.setdefault(link["expert_id"], []).append(link["specialty"])
    candidates = []
    for row in world["rows"]:
        expert_id = row["id"]
        if expert_id not in specialties or row["status"] != "admitted":
            continue
        if row["employer_uscc"] == world["tenderer"] or row["employer_uscc"] in world["bidders"]:
            continue
        if expert_id in world["related"] or expert_id in world["recent"] or expert_id in world["overlap"]:
            continue
        candidates.append(proto.Candidate(expert_id, tuple(sorted(specialties[expert_id])), row["region"]))
    proto.draw(candidates, body.slots, "ab" * 32)
    return time.perf_counter() - started


def run_backend(backend: str, experts: int, repeat: int) -> dict[str, Any]:
    from server.cli import main as server_main

    work = Path(tempfile.mkdtemp(prefix=f"expert-draw-{backend}-"))
    cluster = None
    url = ""
    if backend == "postgresql":
        cluster = fx.start_postgres()
        url = cluster.create_database("experts_bench")
    try:
        data = work / "server"
        args = ["init", "--data", str(data)] + (["--database-url", url] if url else [])
        assert server_main(args) == 0
        started = time.perf_counter()
        world = populate(data, experts)
        populated = time.perf_counter() - started
        postmaster = (int((cluster.data / "postmaster.pid").read_text().split()[0]) if cluster is not None
                      else None)
        commits, runs, totals, refs, cpus, ref_cpus, db_cpus = [], [], [], [], [], [], []
        previous = None
        for _ in range(repeat):
            commit, run, previous, cpu, db_cpu = draw_once(data, world, previous, postmaster)
            commits.append(commit)
            runs.append(run)
            totals.append(commit + run)
            cpus.append(cpu)
            db_cpus.append(db_cpu)
            ref_cpu = time.process_time()
            refs.append(reference(world))
            ref_cpus.append(time.process_time() - ref_cpu)
        from sqlalchemy import select

        from server.experts.models import Draw
        from tests.server.submission_helpers import db_session

        with db_session(data) as db:
            last = db.get(Draw, previous)
            assert last is not None
            exclusions = len(json.loads(last.exclusions))
            candidates = len(json.loads(last.snapshot)["candidates"])
            assert db.execute(select(Draw.state).where(Draw.id == previous)).scalar_one() == "drawn"
        return {"backend": backend, "populate": populated, "commit": statistics.median(commits),
                "run": statistics.median(runs), "total": statistics.median(totals),
                "reference": statistics.median(refs), "candidates": candidates, "excluded": exclusions,
                "cpu": statistics.median(cpus), "reference_cpu": statistics.median(ref_cpus),
                "db_cpu": statistics.median(db_cpus), "totals": totals,
                "ratios": [t / r for t, r in zip(totals, refs, strict=True)]}
    finally:
        if cluster is not None:
            cluster.stop()
        import shutil

        shutil.rmtree(work, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--experts", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--only", default="sqlite,postgresql")
    parser.add_argument("--markdown", type=Path)
    args = parser.parse_args()
    load = fx.loadavg()
    results = [run_backend(b, args.experts, args.repeat) for b in args.only.split(",")]
    lines = [f"machine: {fx.machine_summary()}; load at the start {load}, at the end {fx.loadavg()}",
             "", "| backend | pool | eligible | excluded | commit (s) | run (s) | draw total (s) "
             "| in-memory reference (s) | ratio | draw CPU in this process (s) | database server CPU (s) "
             "| reference CPU (s) |",
             "|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for r in results:
        lines.append(f"| {r['backend']} | {args.experts:,} | {r['candidates']:,} | {r['excluded']:,} | "
                     f"{r['commit']:.3f} | {r['run']:.3f} | {r['total']:.3f} | {r['reference']:.3f} | "
                     f"{r['total'] / r['reference']:.2f}× | {r['cpu']:.3f} | "
                     f"{r['db_cpu']:.3f} | {r['reference_cpu']:.3f} |" if r["backend"] == "postgresql" else
                     f"| {r['backend']} | {args.experts:,} | {r['candidates']:,} | {r['excluded']:,} | "
                     f"{r['commit']:.3f} | {r['run']:.3f} | {r['total']:.3f} | {r['reference']:.3f} | "
                     f"{r['total'] / r['reference']:.2f}× | {r['cpu']:.3f} | (in process) | "
                     f"{r['reference_cpu']:.3f} |")
    lines.append("")
    lines.append("every draw's total (s): " + "; ".join(
        f"{r['backend']} " + ", ".join(f"{t:.3f}" for t in r["totals"]) for r in results))
    lines.append("every draw's ratio to the reference measured right after it: " + "; ".join(
        f"{r['backend']} " + ", ".join(f"{t:.2f}×" for t in r["ratios"]) for r in results))
    lines.append("")
    lines.append("populating the pool (bulk insert, not measured as part of the draw): " + ", ".join(
        f"{r['backend']} {r['populate']:.1f} s" for r in results))
    text = "\n".join(lines)
    print(text)
    if args.markdown:
        args.markdown.write_text(text + "\n")


if __name__ == "__main__":
    main()
