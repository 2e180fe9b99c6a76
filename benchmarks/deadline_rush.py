#!/usr/bin/env python3
"""The deadline rush: N bidders (default 200), each with its own enterprise certificate, upload a sealed
bid (default 20 MB) at once, the tender's deadline (the server clock) one window (default 60 s) after the
start; meanwhile a probe measures the latency of other requests. On SQLite and on PostgreSQL.

    python3 benchmarks/deadline_rush.py [--bidders 200] [--size 20MB] [--window 60] [--ramp 0]
                                        [--backends sqlite,postgresql] [--procs 2] [--markdown PATH]

Before the window: a CA (added to the server's trust list with ``admin trust-add``) issues one EC P-256
signing certificate per bidder, each with its own 统一社会信用代码 in organizationIdentifier; one distinct
sealed bid per bidder is made (CMS AuthEnvelopedData, so the server accepts it); every bidder logs in
(``ApiClient.login``, software keys) and signs its submission statement. In the window: every bidder runs
``bidclient.submit.Uploader.submit`` (the real client: hash, create, 8 MiB chunks with their SHA-256,
complete) in a thread of one of ``--procs`` load-generator processes. A bid not submitted by the deadline
is refused by the server (``submission.deadline_passed``) and counted as a failure with that code.

The probe is its own process: one thread per request kind (GET /api/v1/tenders, GET /api/v1/health,
POST /api/v1/auth/challenge), each every ``--probe-interval`` (50 ms) on a keep-alive connection, first
for ``--baseline`` seconds with the server idle (the reference), then through the rush. The load is
bounded (N bidders, one window) and targets 127.0.0.1 only.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import multiprocessing as mp
import os
import random
import resource
import shutil
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import _server_fixture as fx

PROBES = {"GET /api/v1/tenders": ("GET", "/api/v1/tenders"), "GET /api/v1/health": ("GET", "/api/v1/health"),
          "POST /api/v1/auth/challenge": ("POST", "/api/v1/auth/challenge")}


@dataclass
class BidderSpec:
    index: int
    key_pem: bytes
    cert_pem: bytes
    bid: str
    sha256: str
    size: int


# --- load generator (child processes) ----------------------------------------------------------------


def _worker(url: str, tender_id: str, ca_pem: bytes, specs: list[BidderSpec], ready: Any, go: Any,
            start_at: Any, ramp: float, results: Any) -> None:
    from concurrent.futures import ThreadPoolExecutor

    from bidclient.api_client import ApiClient, ApiError
    from bidclient.protocol.submission import submission_statement
    from bidclient.submit import Uploader

    def prepare(spec: BidderSpec) -> tuple[Any, ...]:
        key = fx.key_from_pem(spec.key_pem, spec.cert_pem, ca_pem)
        sign = fx.signer_for(key)
        client = ApiClient(url)
        identity = client.login(sign).account.identity_key
        statement = submission_statement(tender_id=tender_id, tender_version=1, envelope_sha256=spec.sha256,
                                         size=spec.size, bidder=identity)
        return (spec, client, identity, statement, sign(statement), sign)

    try:
        with ThreadPoolExecutor(8) as pool:
            prepared = list(pool.map(prepare, specs))
    except Exception as ex:  # reported to the parent, which stops the run
        results.put(("error", f"login failed: {type(ex).__name__}: {ex}"))
        return
    ready.put(len(prepared))
    go.wait()
    t_go = start_at.value
    r0 = resource.getrusage(resource.RUSAGE_SELF)
    outcomes: list[dict[str, Any]] = []
    lock = threading.Lock()
    n_total = max(1, int(os.environ.get("BENCH_RUSH_TOTAL", "1")))

    def run(item: tuple[Any, ...]) -> None:
        spec, client, identity, statement, signature, sign = item
        delay = t_go + ramp * spec.index / n_total - time.time()
        if delay > 0:
            time.sleep(delay)
        started = time.time()
        outcome: dict[str, Any] = {"index": spec.index, "start": started - t_go}
        try:
            out = Uploader(client).submit(Path(spec.bid), tender_id=tender_id, tender_version=1, bidder=identity,
                                          sign=lambda data: signature if data == statement else sign(data))
            outcome.update(ok=out.status == "active" and out.envelope_sha256 == spec.sha256, code="")
        except ApiError as ex:
            outcome.update(ok=False, code=ex.code, status=ex.status, detail=str(ex)[:300])
        except Exception as ex:
            outcome.update(ok=False, code=getattr(ex, "code", type(ex).__name__), detail=str(ex)[:300])
        outcome["end"] = time.time() - t_go
        with lock:
            outcomes.append(outcome)

    threads = [threading.Thread(target=run, args=(item,), daemon=True) for item in prepared]
    for thread in threads:
        thread.start()
    # Bounded in time: a bidder still busy a grace period after the deadline is counted as unfinished
    # (its thread is a daemon and dies with this process), so a run cannot outlast its window for long.
    hard_stop = t_go + float(os.environ.get("BENCH_RUSH_HARD_STOP", "120"))
    for thread in threads:
        thread.join(timeout=max(0.0, hard_stop - time.time()))
    with lock:
        done = {o["index"] for o in outcomes}
        for item in prepared:
            if item[0].index not in done:
                outcomes.append({"index": item[0].index, "start": 0.0, "end": time.time() - t_go, "ok": False,
                                 "code": "unfinished at the hard stop", "detail": ""})
    r1 = resource.getrusage(resource.RUSAGE_SELF)
    cpu = (r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime)
    results.put(("done", outcomes, cpu, r1.ru_maxrss / 1024))


def _probe(url: str, interval: float, stop: Any, results: Any) -> None:
    import requests

    samples: list[tuple[str, float, float, int]] = []
    lock = threading.Lock()

    def loop(kind: str, method: str, path: str) -> None:
        session = requests.Session()
        next_at = time.time()
        while not stop.is_set():
            sent = time.time()
            try:
                status = session.request(method, url + path, timeout=30).status_code
            except requests.RequestException:
                status = 0
            latency = time.time() - sent
            with lock:
                samples.append((kind, sent, latency, status))
            next_at = max(next_at + interval, time.time())
            time.sleep(max(0.0, next_at - time.time()))

    threads = [threading.Thread(target=loop, args=(kind, *spec), daemon=True) for kind, spec in PROBES.items()]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    results.put(samples)


# --- one backend -----------------------------------------------------------------------------------


@dataclass
class RushResult:
    backend: str
    outcomes: list[dict[str, Any]]
    client_cpu: float
    client_rss: float
    server_cpu: float
    server_peak_rss: float
    server_threads: int
    span: float
    samples: list[tuple[str, float, float, int]]
    t_go: float
    active_on_server: int
    load: str
    server_workers: int  # worker processes of `run` (1: the server is one process)


def run_backend(backend: str, args: argparse.Namespace, work: Path, ca: fx.BenchCA, specs: list[BidderSpec],
                clusters: list[Any], env_extra: dict[str, str]) -> RushResult:
    database_url = ""
    if backend == "postgresql":
        cluster = fx.start_postgres()
        clusters.append(cluster)
        database_url = cluster.create_database("bench_rush")
    data = work / f"server-{backend}"
    fx.init_server(data, work / "ca.pem", database_url)
    tender = fx.make_tender(data, deadline_in=dt.timedelta(hours=1))
    extra = ["--workers", str(args.server_workers)] if args.server_workers else []
    from server.cli import default_workers

    server_workers = args.server_workers or default_workers(database_url or "sqlite:")
    server = fx.ServerProcess.start(data, log=work / f"server-{backend}.log", env_extra=env_extra, extra_args=extra)
    ctx = mp.get_context("fork")
    ready, results, probe_results = ctx.Queue(), ctx.Queue(), ctx.Queue()
    go, stop = ctx.Event(), ctx.Event()
    start_at = ctx.Value("d", 0.0)
    os.environ["BENCH_RUSH_TOTAL"] = str(len(specs))
    os.environ["BENCH_RUSH_HARD_STOP"] = str(args.window + args.grace)
    workers = []
    try:
        t0 = time.time()
        for i in range(args.procs):
            mine = specs[i::args.procs]
            p = ctx.Process(target=_worker, args=(server.url, tender, ca.pem(), mine, ready, go, start_at, args.ramp,
                                                  results), daemon=True)
            p.start()
            workers.append(p)
        import queue

        waiting = len(workers)
        while waiting:
            if not results.empty():
                raise RuntimeError(str(results.get()[1]))
            try:
                ready.get(timeout=1)
                waiting -= 1
            except queue.Empty:
                if time.time() - t0 > 600:
                    raise RuntimeError("the bidders did not log in within 600 s") from None
        print(f"  {backend}: {len(specs)} bidders logged in and signed their statements in "
              f"{time.time() - t0:.1f} s", flush=True)
        probe = ctx.Process(target=_probe, args=(server.url, args.probe_interval, stop, probe_results), daemon=True)
        probe.start()
        time.sleep(args.baseline)
        # The deadline is the server's: what is not complete one window after the start is refused.
        t_go = time.time() + 0.5
        fx.set_deadline(data, tender, dt.datetime.fromtimestamp(t_go + args.window, dt.UTC))
        start_at.value = t_go
        s0 = server.cpu_seconds()
        spy = None
        if args.profile is not None:
            args.profile.mkdir(parents=True, exist_ok=True)
            spy = fx.PySpy(server.pid, args.profile / f"server-{backend}.txt", gil=args.profile_gil)
        time.sleep(max(0.0, t_go - time.time()))
        go.set()
        outcomes: list[dict[str, Any]] = []
        client_cpu = client_rss = 0.0
        for _ in workers:
            message = results.get(timeout=args.window + 600)
            if message[0] != "done":
                raise RuntimeError(str(message[1]))
            outcomes += message[1]
            client_cpu += message[2]
            client_rss = max(client_rss, message[3])
        span = time.time() - t_go
        if spy is not None:
            spy.stop()
        server_cpu = server.cpu_seconds() - s0
        stop.set()
        samples = probe_results.get(timeout=60)
        probe.join(timeout=10)
        peak, threads = server.peak_rss_mib(), server.threads()
        server.stop()  # stragglers may still hold the SQLite write lock; count once they are gone
        return RushResult(backend, outcomes, client_cpu, client_rss, server_cpu, peak, threads, span, samples,
                          t_go, _active_submissions(data, tender), fx.loadavg(), server_workers)
    finally:
        stop.set()
        for p in workers:
            p.join(timeout=5)
            if p.is_alive():
                p.kill()
        server.stop()
        shutil.rmtree(data / "uploads", ignore_errors=True)
        shutil.rmtree(data / "blobs", ignore_errors=True)


def _active_submissions(data: Path, tender: str) -> int:
    """What the server recorded, read from its database: -1 if it cannot be read."""
    from sqlalchemy import func, select

    from server.submissions.models import Submission
    from tests.server.submission_helpers import db_session

    try:
        with db_session(data) as db:
            return int(db.execute(select(func.count()).select_from(Submission).where(
                Submission.tender_id == tender, Submission.status == "active")).scalar_one())
    except Exception as ex:
        print(f"  could not count the submissions: {type(ex).__name__}: {ex}", flush=True)
        return -1


# --- report ------------------------------------------------------------------------------------------


def report(r: RushResult, args: argparse.Namespace, total_bytes: int) -> list[str]:
    ok = [o for o in r.outcomes if o.get("ok")]
    failed = Counter(o.get("code") or "wrong receipt" for o in r.outcomes if not o.get("ok"))
    durations = [o["end"] - o["start"] for o in ok]
    last_end = max((o["end"] for o in r.outcomes), default=0.0)
    submitted = total_bytes * len(ok) / max(1, len(r.outcomes))  # the bids are of one size
    lines = [
        f"### {r.backend}{' (PostgreSQL 15, fsync on)' if r.backend == 'postgresql' else ' (WAL, the default)'}, "
        f"{'one server process' if r.server_workers == 1 else f'{r.server_workers} server worker processes'}",
        "",
        "| bidders | succeeded | failed (code: count) | on the server: active submissions | last done after s | "
        "upload s p50 / p95 / max | MB/s submitted | server CPU s (cores) | load generator CPU s (cores) | "
        "server peak RSS MiB | server threads |",
        "|---:|---:|---|---:|---:|---|---:|---:|---:|---:|---:|",
        f"| {len(r.outcomes)} | {len(ok)} | {', '.join(f'{k}: {v}' for k, v in failed.items()) or 'none'} | "
        f"{r.active_on_server} | {last_end:.1f} | {fx.percentile(durations, 50):.1f} / "
        f"{fx.percentile(durations, 95):.1f} / {max(durations, default=float('nan')):.1f} | "
        f"{submitted / 1e6 / last_end:.0f} | {r.server_cpu:.1f} ({r.server_cpu / last_end:.2f}) | "
        f"{r.client_cpu:.1f} ({r.client_cpu / last_end:.2f}) | {r.server_peak_rss:.0f} | {r.server_threads} |",
        "",
        "| probe request | phase | n | p50 ms | p95 ms | p99 ms | max ms | errors | p99 < 200 ms? |",
        "|---|---|---:|---:|---:|---:|---:|---:|---|",
    ]
    for kind in PROBES:
        for phase, lo, hi in (("idle (reference)", float("-inf"), r.t_go), ("rush", r.t_go, r.t_go + last_end)):
            picked = [s for s in r.samples if s[0] == kind and lo <= s[1] < hi]
            lat = [s[2] * 1000 for s in picked]
            errors = sum(1 for s in picked if not 200 <= s[3] < 300)
            p99 = fx.percentile(lat, 99)
            lines.append(f"| {kind} | {phase} | {len(lat)} | {fx.percentile(lat, 50):.0f} | "
                         f"{fx.percentile(lat, 95):.0f} | {p99:.0f} | {max(lat, default=float('nan')):.0f} | "
                         f"{errors} | {'yes' if p99 < 200 else 'NO'} |")
    rush_all = [s[2] * 1000 for s in r.samples if r.t_go <= s[1] < r.t_go + last_end]
    lines += ["", f"All probe requests in the rush: n={len(rush_all)}, p50 {fx.percentile(rush_all, 50):.0f} ms, "
              f"p95 {fx.percentile(rush_all, 95):.0f} ms, p99 {fx.percentile(rush_all, 99):.0f} ms. "
              f"Load average after: {r.load}.",
              f"Against the goals: p99 / 200 ms = {fx.percentile(rush_all, 99) / 200:.2f}× (goal < 1); "
              f"bids in time {len(ok)} / {len(r.outcomes)} (goal all); last done after {last_end:.1f} s of the "
              f"{args.window:.0f} s window ({last_end / args.window:.2f}×).", ""]
    details = [o for o in r.outcomes if not o.get("ok")][:5]
    for o in details:
        lines.append(f"- bidder {o['index']}: {o.get('code')} (HTTP {o.get('status', '?')}): {o.get('detail', '')}")
    if details:
        lines.append("")
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bidders", type=int, default=200)
    parser.add_argument("--size", type=fx.parse_size, default=fx.parse_size("20MB"), help="plaintext per bid")
    parser.add_argument("--window", type=float, default=60.0, help="seconds from the start to the deadline")
    parser.add_argument("--ramp", type=float, default=0.0,
                        help="spread the bidders' starts over this many seconds (default 0: all at once)")
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--grace", type=float, default=60.0,
                        help="after the deadline, wait this long for bidders still busy, then count them unfinished")
    parser.add_argument("--procs", type=int, default=2, help="load-generator processes (threads share them)")
    parser.add_argument("--probe-interval", type=float, default=0.05)
    parser.add_argument("--baseline", type=float, default=5.0, help="seconds of probing the idle server first")
    parser.add_argument("--workdir", type=Path, default=Path("/tmp"), help="the server's data directories")
    parser.add_argument("--client-dir", type=Path, default=Path("/dev/shm"),
                        help="where the bidders' sealed bids are made (tmpfs: the client's disk is not measured)")
    parser.add_argument("--server-pythonpath", default="",
                        help="prepended to the server's PYTHONPATH (e.g. a folder with httptools/uvloop)")
    parser.add_argument("--markdown", type=Path, default=None)
    parser.add_argument("--server-workers", type=int, default=None,
                        help="bidclient-server run --workers N (default: the server's own default, one process "
                             "per core on PostgreSQL and one on SQLite); CPU and RSS are summed over the processes")
    parser.add_argument("--profile", type=Path, default=None,
                        help="record py-spy collapsed stacks of the server during the rush into this folder")
    parser.add_argument("--profile-gil", action="store_true", help="sample only the thread holding the GIL")
    parser.add_argument("--keep-logs", type=Path, default=None, help="copy the server logs into this folder")
    args = parser.parse_args(argv)
    if args.bidders > 1000 or args.window > 600:
        parser.error("the rush is bounded: at most 1000 bidders and a 600 s window")
    env_extra = {}
    if args.server_pythonpath:
        env_extra["PYTHONPATH"] = os.pathsep.join([args.server_pythonpath, str(fx.REPO)])
    work = fx.temp_dir(args.workdir, "bench-rush-")
    bids_dir = fx.temp_dir(args.client_dir, "bench-rush-bids-")
    lines: list[str] = []

    def say(text: str = "") -> None:
        print(text, flush=True)
        lines.append(text)

    clusters: list[Any] = []
    try:
        say(f"Run {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC: {args.bidders} bidders × {fx.human_size(args.size)}"
            f", deadline {args.window:.0f} s after the start, starts spread over {args.ramp:.0f} s, "
            f"{args.procs} load-generator processes; server data in {args.workdir} "
            f"({fx.filesystem_of(work)}), bids in {args.client_dir} ({fx.filesystem_of(bids_dir)}); "
            f"load average at start {fx.loadavg()}.")
        say(f"Machine: {fx.machine_summary()}." + (f" Server run with PYTHONPATH={args.server_pythonpath} first."
                                                   if args.server_pythonpath else ""))
        t0 = time.perf_counter()
        ca = fx.BenchCA()
        ca.write(work / "ca.pem")
        opener = ca.issue_opener()
        specs: list[BidderSpec] = []
        for i in range(args.bidders):
            key = ca.issue_bidder(i + 1)
            key_pem, cert_pem = fx.key_to_pem(key)
            bid = fx.make_envelope(bids_dir / f"bidder-{i + 1:03d}.bid", args.size, opener)
            digest = hashlib.sha256(bid.read_bytes()).hexdigest()
            specs.append(BidderSpec(i, key_pem, cert_pem, str(bid), digest, bid.stat().st_size))
        random.Random(1).shuffle(specs)  # spread bidders over processes without a pattern
        total_bytes = sum(s.size for s in specs)
        say(f"{args.bidders} certificates and {args.bidders} distinct sealed bids ({total_bytes / 1e9:.2f} GB) made "
            f"in {time.perf_counter() - t0:.0f} s.")
        say("")
        for backend in [b for b in args.backends.split(",") if b]:
            result = run_backend(backend, args, work, ca, specs, clusters, env_extra)
            for line in report(result, args, total_bytes):
                say(line)
    finally:
        for cluster in clusters:
            cluster.stop()
        shutil.rmtree(bids_dir, ignore_errors=True)
        if args.keep_logs:
            args.keep_logs.mkdir(parents=True, exist_ok=True)
            for log in work.glob("server-*.log"):
                shutil.copy(log, args.keep_logs / log.name)
        shutil.rmtree(work, ignore_errors=True)
        if args.markdown:
            args.markdown.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
