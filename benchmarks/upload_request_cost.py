#!/usr/bin/env python3
"""What one upload request costs the server: SQL statements, transactions, pooled-connection checkouts and
CPU milliseconds per request, on SQLite and on PostgreSQL. These numbers hardly move on a shared machine
(unlike latencies), so they show what a change to the request path saves.

    python3 benchmarks/upload_request_cost.py [--backends sqlite,postgresql] [--bids 4] [--chunks 64]
                                              [--chunk-size 64KiB] [--profile DIR] [--markdown PATH]

The server is the app ``bidclient-server run`` serves, under uvicorn in a thread of this process (so the
database engine's events can be counted); the client is ``requests`` in the main thread, one request at a
time. Server CPU = this process's CPU minus the main thread's (the client's). The database server's own
CPU (PostgreSQL's backends) is not in it. Each bid: log in, POST /api/v1/uploads (signed statement),
``--chunks`` chunk PUTs of ``--chunk-size`` (small, so that the bytes cost little and the per-request work
shows), POST .../complete. The reference in the same run: GET /api/v1/health, the cheapest request.

``--profile DIR``: a py-spy profile of this process during the chunk PUTs (collapsed stacks, one file per
backend; needs py-spy) and its top functions.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import os
import shutil
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import _server_fixture as fx


@dataclass
class Counts:
    statements: int = 0
    transactions: int = 0
    checkouts: int = 0
    by_statement: dict[str, int] = field(default_factory=dict)

    def snapshot(self) -> tuple[int, int, int]:
        return self.statements, self.transactions, self.checkouts


@dataclass
class Cost:
    kind: str
    n: int
    statements: float
    transactions: float
    checkouts: float
    cpu_ms: float
    wall_ms_p50: float
    mix: dict[str, float] = field(default_factory=dict)  # statement kind -> count per request


def _install_counters(engine: Any, counts: Counts, lock: threading.Lock) -> None:
    from sqlalchemy import event

    @event.listens_for(engine, "before_cursor_execute")
    def _statement(_conn: Any, _cursor: Any, statement: str, *_rest: Any) -> None:
        words = " ".join(statement.split()[:4])[:60]
        with lock:
            counts.statements += 1
            counts.by_statement[words] = counts.by_statement.get(words, 0) + 1

    @event.listens_for(engine, "begin")
    def _begin(_conn: Any) -> None:
        with lock:
            counts.transactions += 1

    @event.listens_for(engine.pool, "checkout")
    def _checkout(*_args: Any) -> None:
        with lock:
            counts.checkouts += 1


def _server_cpu() -> float:
    return time.process_time() - time.thread_time()


def measure(kind: str, counts: Counts, lock: threading.Lock, calls: list[Callable[[], Any]]) -> Cost:
    walls: list[float] = []
    with lock:
        s0 = counts.snapshot()
        before = dict(counts.by_statement)
    c0 = _server_cpu()
    for call in calls:
        t = time.perf_counter()
        call()
        walls.append(time.perf_counter() - t)
    c1 = _server_cpu()
    with lock:
        s1 = counts.snapshot()
        after = dict(counts.by_statement)
    n = max(1, len(calls))
    mix = {text: (count - before.get(text, 0)) / n for text, count in after.items() if count > before.get(text, 0)}
    return Cost(kind, len(calls), (s1[0] - s0[0]) / n, (s1[1] - s0[1]) / n, (s1[2] - s0[2]) / n,
                (c1 - c0) * 1000 / n, statistics.median(walls) * 1000 if walls else float("nan"), mix)


def run_backend(backend: str, args: argparse.Namespace, work: Path, ca: fx.BenchCA,
                clusters: list[Any]) -> tuple[list[Cost], str]:
    import requests
    import uvicorn

    from bidclient.api_client import ApiClient
    from bidclient.protocol.submission import CHUNK_SHA256_HEADER, b64, submission_statement
    from tests.server.startup import make_app, wait_until_healthy

    database_url = ""
    if backend == "postgresql":
        cluster = fx.start_postgres()
        clusters.append(cluster)
        database_url = cluster.create_database("bench_cost")
    data = work / f"server-{backend}"
    fx.init_server(data, work / "ca.pem", database_url)
    tender = fx.make_tender(data, deadline_in=dt.timedelta(hours=2))
    app = make_app(data, database_url)
    counts, lock = Counts(), threading.Lock()
    _install_counters(app.state.engine, counts, lock)
    port = fx.free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning",
                                           access_log=False))
    thread = threading.Thread(target=server.run, daemon=True, name="server")
    thread.start()
    url = f"http://127.0.0.1:{port}"
    wait_until_healthy(url, timeout=60)
    costs: dict[str, list[Cost]] = {}
    top = ""
    try:
        opener = ca.issue_opener()
        size = args.chunks * args.chunk_size
        bids = []
        for i in range(args.bids):
            key = ca.issue_bidder(i + 1)
            bid = fx.make_envelope(work / f"bid-{backend}-{i}.bid", size - 600, opener)
            raw = bid.read_bytes()
            bids.append((key, raw))
        health = requests.Session()
        costs.setdefault("health", []).append(measure("health", counts, lock, [
            lambda: health.get(url + "/api/v1/health").raise_for_status() for _ in range(args.chunks)]))
        spy = None
        for key, raw in bids:
            sign = fx.signer_for(key)
            client = ApiClient(url)
            identity = client.login(sign).account.identity_key
            sha = hashlib.sha256(raw).hexdigest()
            statement = submission_statement(tender_id=tender, tender_version=1, envelope_sha256=sha,
                                             size=len(raw), bidder=identity)
            body = {"tender_id": tender, "tender_version": 1, "size": len(raw), "sha256": sha,
                    "statement_signature": b64(sign(statement))}
            created: dict[str, Any] = {}

            def create(body: dict[str, Any] = body, client: ApiClient = client,
                       created: dict[str, Any] = created) -> None:
                created.update(client.post_json("/api/v1/uploads", body))

            costs.setdefault("create upload", []).append(measure("create upload", counts, lock, [create]))
            upload_id = created["id"]
            pieces = []
            for offset in range(0, len(raw), args.chunk_size):
                data_piece = raw[offset:offset + args.chunk_size]
                pieces.append((offset, data_piece, hashlib.sha256(data_piece).hexdigest()))

            def put(piece: tuple[int, bytes, str], client: ApiClient = client, upload_id: str = upload_id) -> None:
                offset, data_piece, digest = piece
                client.request("PUT", f"/api/v1/uploads/{upload_id}/chunks/{offset}", data=data_piece,
                               headers={CHUNK_SHA256_HEADER: digest, "Content-Type": "application/octet-stream"})

            if args.profile is not None and spy is None:
                args.profile.mkdir(parents=True, exist_ok=True)
                spy = fx.PySpy(os.getpid(), args.profile / f"chunks-{backend}.txt", rate=500)
                time.sleep(1.0)  # py-spy attaches
            costs.setdefault("chunk PUT", []).append(measure("chunk PUT", counts, lock,
                                                             [lambda p=p: put(p) for p in pieces]))
            costs.setdefault("complete", []).append(measure("complete", counts, lock, [
                lambda client=client, upload_id=upload_id: client.post_json(
                    f"/api/v1/uploads/{upload_id}/complete", {})]))
        if spy is not None:
            spy.stop()
            out = args.profile / f"chunks-{backend}.txt"
            top = "\n".join(f"    {share:5.1%}  {name}" for name, share in fx.top_frames(out, 25))
    finally:
        server.should_exit = True
        thread.join(timeout=15)
        app.state.engine.dispose()
    merged = []
    for kind, items in costs.items():
        n = sum(c.n for c in items)
        merged.append(Cost(kind, n, sum(c.statements * c.n for c in items) / n,
                           sum(c.transactions * c.n for c in items) / n,
                           sum(c.checkouts * c.n for c in items) / n,
                           statistics.median(c.cpu_ms for c in items),
                           statistics.median(c.wall_ms_p50 for c in items), items[-1].mix))
    return merged, top


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--bids", type=int, default=4, help="bids uploaded one after another per backend")
    parser.add_argument("--chunks", type=int, default=64, help="chunk PUTs per bid")
    parser.add_argument("--chunk-size", type=fx.parse_size, default=fx.parse_size("64KiB"))
    parser.add_argument("--profile", type=Path, default=None, help="py-spy profiles of the chunk PUTs into DIR")
    parser.add_argument("--statements", action="store_true", help="list the statements of each request kind")
    parser.add_argument("--markdown", type=Path, default=None)
    args = parser.parse_args(argv)
    os.environ.setdefault("BIDCLIENT_LANG", "en")
    work = Path(tempfile.mkdtemp(prefix="bench-cost-", dir="/tmp"))
    clusters: list[Any] = []
    lines = [f"Machine: {fx.machine_summary()}; load average at the start {fx.loadavg()}", "",
             "| backend | request | n | SQL statements / request | transactions | connection checkouts | "
             "server CPU ms / request | wall ms p50 |",
             "|---|---|---:|---:|---:|---:|---:|---:|"]
    try:
        ca = fx.BenchCA()
        ca.write(work / "ca.pem")
        for backend in args.backends.split(","):
            costs, top = run_backend(backend, args, work, ca, clusters)
            for c in costs:
                lines.append(f"| {backend} | {c.kind} | {c.n} | {c.statements:.1f} | {c.transactions:.1f} | "
                             f"{c.checkouts:.1f} | {c.cpu_ms:.2f} | {c.wall_ms_p50:.1f} |")
            if args.statements:
                for c in costs:
                    print(f"{backend}, {c.kind}: statements per request")
                    for text, n in sorted(c.mix.items(), key=lambda kv: -kv[1]):
                        print(f"  {n:5.2f}  {text}")
            if top:
                print(f"{backend}: top functions during the chunk PUTs (self time, idle excluded)\n{top}")
    finally:
        for cluster in clusters:
            cluster.stop()
        shutil.rmtree(work, ignore_errors=True)
    lines.append("")
    lines.append(f"Load average at the end {fx.loadavg()}")
    text = "\n".join(lines)
    print(text)
    if args.markdown is not None:
        args.markdown.write_text(text + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
