"""Score writes of remote evaluation sessions under load: many expert clients, each sending its edits one
by one to ``POST /api/v1/evaluation/sessions/{id}/edits`` of ``bidclient-server run`` over loopback.

Measures the writes per second reached, the latency per write (p50, p99), the server's CPU per write, and
counts that nothing was lost or doubled (every answered ``applied`` is one version step of its cell on the
server, and the server holds exactly as many applied edits; an unanswered request is sent again with the
same edit ids, as the journal does, and a "duplicate" of an applied edit counts as applied; an edit whose
request went unanswered three times is "given up" — the server may have applied it or not, never twice). The same load
is sent, in the same run, to the **least work** such a write takes on this stack: a bare ASGI app under the
same uvicorn that, per request, parses the JSON, and in one SQLite transaction (WAL, synchronous=NORMAL as
the server) records the edit ids and updates the cells' values and versions — no authentication, no audit
entry, no session rules.

On PostgreSQL the server runs as ``bidclient-server run`` does by default there (one process per core).
Sessions and members are inserted directly (the check-in and election are not measured); every client logs
in with its own certificate from a benchmark CA. Results and reading: docs/benchmarks.md.

With ``--streams`` every client also holds one live event stream (``GET /api/v1/live/events`` of its session's
channel) open through the load, as the desktop app does; the table says how many the server kept open.
Every server row gives its p99 and CPU per write as a ratio to the least work's, measured in the same run.

    python3 benchmarks/evaluation_writes.py [--clients 60] [--sessions 12] [--rate 200] [--seconds 20]
                                            [--batch 1] [--streams] [--only reference,sqlite,postgresql]
                                            [--markdown PATH] [--server-pythonpath DIR]

``--server-pythonpath $PWD/benchmarks/gclog`` makes the server log its garbage collections (every one longer
than 10 ms and every full one) to ``$BENCH_GC_LOG_DIR/gc-<pid>.log`` (default /tmp).

Issue 13's goal: ``--clients 1000 --sessions 100 --rate 500 --batch 5 --seconds 60 --streams``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sqlite3
import sys
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _server_fixture as fx

CRITERIA = ("c1", "c2", "c3", "c4")
BIDS = ("b1", "b2", "b3", "b4", "b5")


class Streams:
    """One live event stream (SSE) per client, held open during the load as the app holds it, all on one
    asyncio thread of the load generator. Counts the streams the server accepted (200), refused (any other
    answer or none) and dropped before the end."""

    def __init__(self, url: str, requests_: list[tuple[str, str]]) -> None:
        self.host, port = url.removeprefix("http://").split(":")
        self.port = int(port)
        self.requests = requests_  # (path with query, token)
        self.connected = self.refused = self.dropped = 0
        self.loop = asyncio.new_event_loop()
        self.ready = threading.Event()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.tasks: list[asyncio.Future[None]] = []

    async def _one(self, path: str, token: str) -> None:
        try:
            reader, writer = await asyncio.open_connection(self.host, self.port)
        except OSError:
            self.refused += 1
            return
        try:
            writer.write(f"GET {path} HTTP/1.1\r\nHost: {self.host}\r\nAuthorization: Bearer {token}\r\n"
                         "Accept: text/event-stream\r\n\r\n".encode())
            status = await asyncio.wait_for(reader.readline(), 120)
            if b" 200 " not in status:
                self.refused += 1
                return
            self.connected += 1
            while await reader.read(4096):
                pass
            self.dropped += 1  # the server closed it during the load
        except (OSError, TimeoutError):
            self.refused += 1
        finally:
            writer.close()

    def open(self, timeout: float = 300) -> None:
        """Open every stream (a few at a time, as a thousand apps starting do not all start in one
        millisecond) and wait until each is answered."""
        self.thread.start()

        async def open_all() -> None:
            for n, (path, token) in enumerate(self.requests):
                self.tasks.append(asyncio.ensure_future(self._one(path, token)))
                if n % 20 == 19:
                    await asyncio.sleep(0.02)

        asyncio.run_coroutine_threadsafe(open_all(), self.loop).result()
        deadline = time.monotonic() + timeout
        while self.connected + self.refused < len(self.requests) and time.monotonic() < deadline:
            time.sleep(0.1)

    def close(self) -> dict[str, int]:
        held = {"streams": len(self.requests), "streams_connected": self.connected,
                "streams_refused": self.refused, "streams_dropped": self.dropped}

        async def cancel() -> None:
            for task in self.tasks:
                task.cancel()
            await asyncio.gather(*self.tasks, return_exceptions=True)

        asyncio.run_coroutine_threadsafe(cancel(), self.loop).result(timeout=60)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout=10)
        return held


@dataclass
class Client:
    session_id: str
    token: str
    version: dict[tuple[str, str], int] = field(default_factory=dict)
    latencies: list[float] = field(default_factory=list)
    applied: int = 0
    other: int = 0
    errors: int = 0


def _definition() -> dict[str, Any]:
    return {"bids": [{"id": b, "name": f"Bid {b}"} for b in BIDS],
            "criteria": [{"id": c, "name": f"Criterion {c}", "min": 0, "max": 10} for c in CRITERIA],
            "review_items": [], "candidates": 3}


def setup_sessions(data: Path, identities: list[str], sessions: int) -> list[str]:
    """``sessions`` sessions in phase scoring, the identities dealt round-robin as declared members."""
    from bidclient.protocol.evaluation_session import SessionDefinition
    from server import clock
    from server.evaluation.models import EvalMember, EvalSession
    from tests.server.submission_helpers import db_session

    tender = fx.make_tender(data)
    ids = [str(uuid.uuid4()) for _ in range(sessions)]
    with db_session(data) as db:
        now = clock.now()
        definition = SessionDefinition.model_validate(_definition()).model_dump_json()
        for sid in ids:
            db.add(EvalSession(id=sid, tender_id=tender, created_by="bench", phase="scoring", chair=None,
                               definition=definition, excluded="{}", created_at=now, phase_changed_at=now))
        db.flush()
        for n, key in enumerate(identities):
            db.add(EvalMember(session_id=ids[n % sessions], identity_key=key, status="declared", is_reserve=False,
                              sheet_state="open", submissions=0))
        db.commit()
    return ids


def run_load(url: str, clients: list[Client], rate: float, seconds: float,
             path: Callable[[Client], str], batch: int = 1) -> float:
    """Every client sends ``batch`` edits per request (1: each edit as it is made; more: what the journal
    sends after a pause, each edit on its own cell), paced so that all together send ``rate`` writes/s (a
    client waits for its answer before the next: a slow server lowers the rate reached). Each edit counts
    as one write with its request's latency. Returns the wall time."""
    interval = len(clients) * batch / rate
    stop_at = time.monotonic() + seconds

    def work(client: Client, offset: float) -> None:
        http = requests.Session()
        headers = {"Authorization": f"Bearer {client.token}"}
        next_at = time.monotonic() + offset
        n = 0
        while True:
            now = time.monotonic()
            if now >= stop_at:
                return
            if next_at > now:
                time.sleep(next_at - now)
            next_at += interval
            cells, edits = [], []
            for _ in range(batch):
                cell = (BIDS[n % len(BIDS)], CRITERIA[(n // len(BIDS)) % len(CRITERIA)])
                n += 1
                cells.append(cell)
                edits.append({"edit_id": uuid.uuid4().hex, "seq": n, "kind": "score", "bid": cell[0],
                              "item": cell[1], "value": str(n % 11), "base_version": client.version.get(cell, 0)})
            started = time.perf_counter()
            results = None
            for _attempt in range(3):  # as the journal does: an unanswered batch is sent again, same edit ids
                try:
                    response = http.post(url + path(client), json={"edits": edits}, headers=headers, timeout=30)
                    results = response.json()["results"] if response.ok else None
                except (requests.RequestException, ValueError, KeyError):
                    results = None
                if results is not None:
                    break
            elapsed = time.perf_counter() - started
            if results is None or len(results) != batch:
                client.errors += batch
                continue
            client.latencies += [elapsed] * batch
            for cell, result in zip(cells, results, strict=True):
                # A resent edit the server had applied answers "duplicate" with its first outcome.
                if (result.get("original_status") or result["status"]) == "applied":
                    client.applied += 1
                    client.version[cell] = result["version"]
                else:
                    client.other += 1

    threads = [threading.Thread(target=work, args=(c, i * interval / len(clients)), daemon=True)
               for i, c in enumerate(clients)]
    started = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return time.monotonic() - started


def summarise(name: str, clients: list[Client], wall: float, cpu: float) -> dict[str, Any]:
    latencies = [x for c in clients for x in c.latencies]
    applied = sum(c.applied for c in clients)
    return {"name": name, "clients": len(clients), "writes": len(latencies), "applied": applied,
            "not_applied": sum(c.other for c in clients), "errors": sum(c.errors for c in clients),
            "writes_per_s": len(latencies) / wall if wall else 0.0,
            "p50_ms": fx.percentile(latencies, 50) * 1000, "p99_ms": fx.percentile(latencies, 99) * 1000,
            "cpu_ms_per_write": cpu / len(latencies) * 1000 if latencies else float("nan")}


def run_server(args: argparse.Namespace, work: Path, backend: str, clusters: list[Any]) -> dict[str, Any]:
    from bidclient.api_client import ApiClient

    ca = fx.BenchCA()
    data = work / f"server-{backend}"
    database_url = ""
    if backend == "postgresql":
        cluster = fx.start_postgres()
        clusters.append(cluster)
        database_url = cluster.create_database("bench_eval")
    fx.init_server(data, ca.write(work / "ca.pem"), database_url)
    keys = [ca.issue_bidder(i) for i in range(args.clients)]
    identities = [f"uscc:{fx.bench_uscc(i)}" for i in range(args.clients)]
    # The role as `bidclient-server admin grant --role expert` gives it, in one transaction for all (a
    # thousand CLI runs would take longer than the measurement).
    from server.auth.models import Role
    from server.auth.service import grant_role
    from tests.server.submission_helpers import db_session

    with db_session(data) as db:
        for key in identities:
            grant_role(db, identity_key=key, role=Role.EXPERT, granted_by="bench")
        db.commit()
    # Every client logs in from 127.0.0.1: let a thousand do so in one rate window (server.json, as an
    # operator would raise it behind a NAT).
    config = json.loads((data / "server.json").read_text())
    config["login_per_address"] = max(600, 2 * args.clients)
    (data / "server.json").write_text(json.dumps(config, indent=2))
    session_ids = setup_sessions(data, identities, args.sessions)
    from server.cli import default_workers

    workers = default_workers(database_url or "sqlite:")
    env_extra = {}
    if args.server_pythonpath:
        env_extra["PYTHONPATH"] = os.pathsep.join([args.server_pythonpath, str(fx.REPO)])
    server = fx.ServerProcess.start(data, log=work / f"server-{backend}.log", env_extra=env_extra)
    try:
        def login(n: int) -> Client:
            api = ApiClient(server.url, retries=3)
            api.login(fx.signer_for(keys[n]))
            assert api.token
            api.http.close()  # the load uses connections of its own; keep no idle one open
            return Client(session_ids[n % args.sessions], api.token)

        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(8) as pool:
            clients = list(pool.map(login, range(len(keys))))
        streams = None
        if args.streams:
            streams = Streams(server.url, [(f"/api/v1/live/events?channel=evaluation:{c.session_id}", c.token)
                                           for c in clients])
            streams.open()
        cpu_before = server.cpu_seconds()
        wall = run_load(server.url, clients, args.rate, args.seconds,
                        lambda c: f"/api/v1/evaluation/sessions/{c.session_id}/edits", args.batch)
        cpu = server.cpu_seconds() - cpu_before
        held = streams.close() if streams else {}
    finally:
        server.stop()
    name = ("bidclient-server (SQLite, 1 process)" if backend == "sqlite"
            else f"bidclient-server (PostgreSQL, {workers} processes)")
    result = summarise(name, clients, wall, cpu)
    result.update(held)
    result["check"] = check_counts(data, clients)
    return result


def check_counts(data: Path, clients: list[Client]) -> str:
    """Nothing lost or doubled: the server's applied edits equal the clients' applied answers, and each cell's
    version equals the applied edits to it."""
    from sqlalchemy import func, select

    from server.evaluation.models import EvalCell, EvalEdit
    from tests.server.submission_helpers import db_session

    with db_session(data) as db:
        stored = [json.loads(r) for r in db.execute(select(EvalEdit.result)).scalars()]
        versions = int(db.execute(select(func.coalesce(func.sum(EvalCell.version), 0))).scalar_one())
    applied_server = sum(1 for r in stored if r["status"] == "applied")
    applied_clients = sum(c.applied for c in clients)
    given_up = sum(c.errors for c in clients)
    # An edit whose request a client gave up on (three tries unanswered) may have been applied after all —
    # a real journal sends it again and is answered "duplicate" — or not at all: either is consistent.
    ok = versions == applied_server and applied_clients <= applied_server <= applied_clients + given_up
    late = f"; {applied_server - applied_clients} of the {given_up} edits given up on were applied" if given_up else ""
    return (f"{'OK' if ok else 'MISMATCH'}: clients counted {applied_clients} applied, the server holds "
            f"{applied_server} applied edits, cell versions sum to {versions}{late}")


def _reference_app(db_path: Path) -> Any:
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import JSONResponse, StreamingResponse
    from starlette.routing import Route

    local = threading.local()

    def connection() -> sqlite3.Connection:
        conn = getattr(local, "conn", None)
        if conn is None:
            conn = local.conn = sqlite3.connect(str(db_path), isolation_level=None, timeout=30)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
        return conn

    def apply(client: str, body: dict[str, Any]) -> dict[str, Any]:
        conn = connection()
        conn.execute("BEGIN IMMEDIATE")
        results = []
        for edit in body["edits"]:
            key = f"{client}/{edit['bid']}/{edit['item']}"
            conn.execute("INSERT INTO edit (edit_id) VALUES (?)", (edit["edit_id"],))
            conn.execute("INSERT INTO cell (key, value, version) VALUES (?, ?, 1) ON CONFLICT (key) DO UPDATE SET "
                         "value = excluded.value, version = version + 1", (key, edit["value"]))
            version = conn.execute("SELECT version FROM cell WHERE key = ?", (key,)).fetchone()[0]
            results.append({"edit_id": edit["edit_id"], "status": "applied", "version": version})
        conn.execute("COMMIT")
        return {"results": results}

    async def edits(request: Request) -> JSONResponse:
        from starlette.concurrency import run_in_threadpool

        return JSONResponse(await run_in_threadpool(apply, request.path_params["client"], await request.json()))

    async def events(_request: Request) -> StreamingResponse:
        async def held() -> Any:
            yield b": connected\n\n"
            while True:
                await asyncio.sleep(15)
                yield b": heartbeat\n\n"

        return StreamingResponse(held(), media_type="text/event-stream")

    return Starlette(routes=[Route("/edits/{client}", edits, methods=["POST"]), Route("/events", events)])


def reference_main(port: int, db: str) -> None:
    import uvicorn

    uvicorn.run(_reference_app(Path(db)), host="127.0.0.1", port=port, log_level="warning", access_log=False)


def run_reference(args: argparse.Namespace, work: Path) -> dict[str, Any]:
    import subprocess

    db = work / "reference.sqlite"
    conn = sqlite3.connect(db)
    conn.executescript("CREATE TABLE edit (edit_id TEXT PRIMARY KEY); "
                       "CREATE TABLE cell (key TEXT PRIMARY KEY, value TEXT, version INTEGER);")
    conn.close()
    port = fx.free_port()
    proc = subprocess.Popen([sys.executable, __file__, "--serve-reference", str(port), str(db)],
                            start_new_session=True)
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                requests.post(f"http://127.0.0.1:{port}/edits/0", json={"edits": [
                    {"edit_id": "warm", "bid": "w", "item": "w", "value": "0"}]}, timeout=1)
                break
            except requests.RequestException:
                time.sleep(0.1)
        # Each reference client writes cells of its own (as each expert writes only their own sheet).
        clients = [Client(str(n), "-") for n in range(args.clients)]
        streams = None
        if args.streams:
            streams = Streams(f"http://127.0.0.1:{port}", [("/events", "-") for _ in clients])
            streams.open()
        cpu_before = fx.proc_cpu_seconds(proc.pid)
        wall = run_load(f"http://127.0.0.1:{port}", clients, args.rate, args.seconds,
                        lambda c: f"/edits/{c.session_id}", args.batch)
        cpu = fx.proc_cpu_seconds(proc.pid) - cpu_before
        held = streams.close() if streams else {}
    finally:
        proc.terminate()
        proc.wait(timeout=15)
    result = summarise("least work (bare ASGI + SQLite)", clients, wall, cpu)
    result.update(held)
    result["check"] = "-"
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=60)
    parser.add_argument("--sessions", type=int, default=12)
    parser.add_argument("--rate", type=float, default=200.0, help="writes per second asked of all clients together")
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--batch", type=int, default=1, choices=range(1, len(CRITERIA) * len(BIDS) + 1),
                        metavar="1..20", help="edits per request (each on its own cell)")
    parser.add_argument("--streams", action="store_true",
                        help="every client also holds one live event stream open (as the app does)")
    parser.add_argument("--only", default="reference,sqlite,postgresql")
    parser.add_argument("--markdown", type=Path)
    parser.add_argument("--server-pythonpath", default="",
                        help="put DIR first on the server's PYTHONPATH (benchmarks/gclog logs its collections)")
    parser.add_argument("--serve-reference", nargs=2, metavar=("PORT", "DB"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.serve_reference:
        reference_main(int(args.serve_reference[0]), args.serve_reference[1])
        return 0
    print(fx.machine_summary())
    print(f"load before: {fx.loadavg()}")
    print(f"{args.clients} clients in {args.sessions} sessions, {args.rate:.0f} writes/s asked for "
          f"{args.seconds:.0f} s, {args.batch} edit(s) per request"
          + (", each client holding a live event stream" if args.streams else ""))
    import shutil

    results = []
    clusters: list[Any] = []
    work = fx.temp_dir(Path("/tmp"), "bench-eval-")
    try:
        for what in args.only.split(","):
            result = (run_reference(args, work) if what == "reference"
                      else run_server(args, work, what, clusters))
            results.append(result)
            print(json.dumps(result, ensure_ascii=False))
    finally:
        for cluster in clusters:
            cluster.stop()
        shutil.rmtree(work, ignore_errors=True)
    print(f"load after: {fx.loadavg()}")
    reference = next((r for r in results if r["name"].startswith("least work")), None)

    def ratio(r: dict[str, Any], key: str) -> str:
        if reference is None or not reference[key] or r is reference:
            return "–"
        return f"{r[key] / reference[key]:.1f} ×"

    header = ("| run | clients | streams held | writes | writes/s | p50 ms | p99 ms | p99 / least work | "
              "CPU ms/write | CPU / least work | not applied | errors | lost or doubled |\n"
              "|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    rows = [f"| {r['name']} | {r['clients']} | "
            f"{(str(r['streams_connected'] - r['streams_dropped'])) if 'streams' in r else '–'} | {r['writes']} | "
            f"{r['writes_per_s']:.0f} | {r['p50_ms']:.1f} | {r['p99_ms']:.1f} | {ratio(r, 'p99_ms')} | "
            f"{r['cpu_ms_per_write']:.2f} | {ratio(r, 'cpu_ms_per_write')} | {r['not_applied']} | {r['errors']} | "
            f"{r['check']} |" for r in results]
    table = "\n".join([header, *rows])
    print(table)
    for r in results:
        if reference is not None and r is not reference:
            print(f"{r['name']}: ratio to the least work: p99 {ratio(r, 'p99_ms')}, CPU per write "
                  f"{ratio(r, 'cpu_ms_per_write')}, writes/s {r['writes_per_s'] / reference['writes_per_s']:.2f}")
    if args.markdown:
        args.markdown.write_text(table + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
