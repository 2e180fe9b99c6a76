"""Live fan-out: N connected participants each receive an announcement; latency from the host's action
(the request that publishes) to each participant's receipt, on SQLite (one server process) and on
PostgreSQL (two server processes, participants split between them, the event published through the
first), against a reference in the same run: a bare asyncio SSE server with no database that writes the
same frame to every open connection when told to.

    python3 benchmarks/live_fanout.py [--participants 500] [--events 5] [--identities 20]
                                      [--only sqlite,postgresql,reference] [--markdown PATH]

Each server is the real app (server.app.create_app under uvicorn, as ``bidclient-server run`` serves it)
in a child process, plus one extra route a real domain endpoint stands in for: POST /bench/publish
publishes an event with server.live.service.publish in its own unit of work. Participants are raw
asyncio HTTP/1.1 connections in this process (one event loop, so 500 cost little), signed in with
``--identities`` bench certificates (sessions are shared round-robin). The goal is p99 < 1 s.

Run as ``live_fanout.py serve DATA PORT`` or ``live_fanout.py reference PORT`` only to start a server.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _server_fixture as fx
from fastapi import Request

REPO = fx.REPO


# --- the servers (child processes) -------------------------------------------------------------------

def serve(data: Path, port: int) -> None:
    import uvicorn

    from server.app import create_app
    from server.cli import _settings
    from server.db import session_scope
    from server.live import service

    app = create_app(_settings(argparse.Namespace(data=data, database_url=None, database_url_file=None)))

    @app.post("/bench/publish")
    async def bench_publish(request: Request) -> dict[str, int]:
        body = await request.json()

        def unit() -> int:
            with contextlib.contextmanager(session_scope)(app.state.session_factory) as db:
                return service.publish(db, body["channel"], "opening.announced", body["payload"]).seq

        from starlette.concurrency import run_in_threadpool

        return {"seq": await run_in_threadpool(unit)}

    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", access_log=False,
                limit_concurrency=2000, backlog=2048)


def reference(port: int) -> None:
    """The least work: an asyncio server holding SSE connections, no database, no auth."""
    writers: set[asyncio.StreamWriter] = set()
    seq = 0

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        nonlocal seq
        request = await reader.readuntil(b"\r\n\r\n")
        if request.startswith(b"POST"):
            length = int(next((h.split(b":")[1] for h in request.split(b"\r\n")
                               if h.lower().startswith(b"content-length")), b"0"))
            body = await reader.readexactly(length)
            seq += 1
            envelope = {"channel": "bench:1", "seq": seq, "kind": "opening.announced", "time": "",
                        "payload": json.loads(body)["payload"]}
            frame = f"id: {seq}\nevent: opening.announced\ndata: {json.dumps(envelope)}\n\n".encode()
            for w in list(writers):
                try:
                    w.write(frame)
                except (ConnectionError, RuntimeError):
                    writers.discard(w)
            await asyncio.gather(*(w.drain() for w in list(writers)), return_exceptions=True)
            writer.write(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\nconnection: close\r\n\r\n{}")
            await writer.drain()
            writer.close()
            return
        writer.write(b"HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\nconnection: close\r\n\r\n")
        await writer.drain()
        writers.add(writer)
        await reader.read()  # until the participant leaves
        writers.discard(writer)

    async def main() -> None:
        server = await asyncio.start_server(handle, "127.0.0.1", port, backlog=2048)
        async with server:
            await server.serve_forever()

    asyncio.run(main())


class Child:
    def __init__(self, args: list[str], port: int, log: Path) -> None:
        self.url = f"http://127.0.0.1:{port}"
        with open(log, "ab") as out:
            self.proc = subprocess.Popen([sys.executable, __file__, *args], cwd=REPO, stdout=out,
                                         stderr=subprocess.STDOUT, start_new_session=True)
        self.log = log

    def wait_ready(self, path: str = "/api/v1/health") -> None:
        import requests

        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"a server exited at start; see {self.log}")
            try:
                requests.get(self.url + path, timeout=1)
                return
            except requests.RequestException:
                time.sleep(0.1)
        raise RuntimeError(f"a server did not start; see {self.log}")

    def cpu_seconds(self) -> float:
        return fx.proc_cpu_seconds(self.proc.pid)

    def stop(self) -> float:
        """Stop gracefully (SIGTERM, as a service manager does); the seconds it took."""
        started = time.monotonic()
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
                return float("inf")
        return time.monotonic() - started


# --- the participants (this process) ---------------------------------------------------------------

class Participant:
    def __init__(self) -> None:
        self.received: dict[int, float] = {}
        self.connected = asyncio.Event()


async def follow(url: str, path: str, token: str, who: Participant) -> None:
    host, port = url.removeprefix("http://").split(":")
    reader, writer = await asyncio.open_connection(host, int(port), limit=1 << 20)
    auth = f"Authorization: Bearer {token}\r\n" if token else ""
    writer.write(f"GET {path} HTTP/1.1\r\nHost: {host}\r\nAccept: text/event-stream\r\n{auth}\r\n".encode())
    await writer.drain()
    status = await reader.readline()
    if b" 200 " not in status:
        raise RuntimeError(f"subscription refused: {status!r}")
    try:
        while True:
            line = await reader.readline()
            if not line:
                return
            if line.startswith(b": connected") or (line == b"\r\n" and not who.connected.is_set()):
                who.connected.set()
            if line.startswith(b"id: "):
                who.received.setdefault(int(line[4:]), time.monotonic())
                who.connected.set()
    finally:
        writer.close()


async def fan_out(publish_url: str, stream_urls: list[str], path: str, tokens: list[str], n: int, events: int,
                  publish_token: str, stop: Callable[[], float] | None = None) -> tuple[list[float], float]:
    """Latencies of every participant for every event; then, with every stream still open, ``stop`` (the
    servers' graceful stop, timed)."""
    import requests

    people = [Participant() for _ in range(n)]
    tasks = [asyncio.create_task(follow(stream_urls[i % len(stream_urls)], path,
                                        tokens[i % len(tokens)] if tokens else "", p))
             for i, p in enumerate(people)]
    try:
        ready = asyncio.ensure_future(asyncio.gather(*(p.connected.wait() for p in people)))
        done, _pending = await asyncio.wait([ready, *tasks], timeout=300, return_when=asyncio.FIRST_COMPLETED)
        for t in done:
            if t is not ready:
                t.result()  # a participant failed: say why
                raise RuntimeError("a participant's stream ended before the run")
        if ready not in done:
            ready.cancel()
            raise RuntimeError("the participants did not all connect within 300 s")
        await asyncio.sleep(1.0)
        latencies: list[float] = []
        channel = path.split("channel=")[1]
        for k in range(events):
            headers = {"Authorization": f"Bearer {publish_token}"} if publish_token else {}
            sent = time.monotonic()
            answer = await asyncio.to_thread(
                requests.post, publish_url + "/bench/publish", timeout=60, headers=headers,
                json={"channel": channel, "payload": {"bidder": f"投标人 {k}", "price": "1234567.89"}})
            answer.raise_for_status()
            seq = answer.json().get("seq", k + 1)
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline and not all(seq in p.received for p in people):
                await asyncio.sleep(0.005)
            latencies += [p.received[seq] - sent if seq in p.received else float("inf") for p in people]
            await asyncio.sleep(0.5)
        stop_seconds = await asyncio.to_thread(stop) if stop is not None else 0.0
        return latencies, stop_seconds
    finally:
        for t in tasks:
            t.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)


# --- runs ------------------------------------------------------------------------------------------

def sign_in(url: str, keys: list[Any]) -> list[str]:
    from concurrent.futures import ThreadPoolExecutor

    from bidclient.api_client import ApiClient

    def one(key: Any) -> str:
        client = ApiClient(url)
        client.login(fx.signer_for(key))
        assert client.token
        return client.token

    with ThreadPoolExecutor(4) as pool:
        return list(pool.map(one, keys))


def run_server(backend: str, args: argparse.Namespace, work: Path, ca: fx.BenchCA, keys: list[Any]) -> dict[str, Any]:
    data = work / backend
    cluster = None
    database_url = ""
    if backend == "postgresql":
        cluster = fx.start_postgres()
        database_url = cluster.create_database("live_bench")
    children: list[Child] = []
    try:
        fx.init_server(data, ca.write(work / "ca.pem"), database_url)
        tender = fx.make_tender(data)
        for _ in range(2 if backend == "postgresql" else 1):
            port = fx.free_port()
            children.append(Child(["serve", str(data), str(port)], port, work / f"{backend}.log"))
        for child in children:
            child.wait_ready()
        tokens = sign_in(children[0].url, keys)
        cpu0 = sum(c.cpu_seconds() for c in children)
        cpu_at_end: list[float] = []

        def stop_all() -> float:
            cpu_at_end.append(sum(c.cpu_seconds() for c in children))
            return max(c.stop() for c in children)

        latencies, stop_seconds = asyncio.run(fan_out(children[0].url, [c.url for c in children],
                                                      f"/api/v1/live/events?channel=tender:{tender}", tokens,
                                                      args.participants, args.events, tokens[0], stop_all))
        cpu = cpu_at_end[0] - cpu0
    finally:
        for child in children:
            child.stop()
        if cluster is not None:
            cluster.stop()
    return {"latencies": latencies, "cpu": cpu, "stop": stop_seconds, "processes": len(children)}


def run_reference(args: argparse.Namespace, work: Path) -> dict[str, Any]:
    port = fx.free_port()
    child = Child(["reference", str(port)], port, work / "reference.log")
    try:
        deadline = time.monotonic() + 60
        while True:  # listening yet?
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
        latencies, _ = asyncio.run(fan_out(child.url, [child.url], "/events?channel=bench:1", [],
                                           args.participants, args.events, ""))
    finally:
        child.proc.kill()
        child.proc.wait()
    return {"latencies": latencies, "cpu": float("nan"), "stop": float("nan"), "processes": 1}


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["serve"]:
        serve(Path(argv[1]), int(argv[2]))
        return 0
    if argv[:1] == ["reference"]:
        reference(int(argv[1]))
        return 0
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--participants", type=int, default=500)
    parser.add_argument("--events", type=int, default=5)
    parser.add_argument("--identities", type=int, default=20)
    parser.add_argument("--only", default="reference,sqlite,postgresql")
    parser.add_argument("--markdown", type=Path)
    args = parser.parse_args(argv)
    only = args.only.split(",")
    lines: list[str] = []

    def say(text: str = "") -> None:
        print(text, flush=True)
        lines.append(text)

    say(f"# live fan-out: {args.participants} participants × {args.events} events")
    say(f"machine: {fx.machine_summary()}; load average at start {fx.loadavg()}")
    ca = fx.BenchCA()
    keys = [ca.issue_bidder(i) for i in range(max(1, args.identities))]
    results: dict[str, dict[str, Any]] = {}
    with tempfile.TemporaryDirectory(prefix="live-bench-") as tmp:
        work = Path(tmp)
        if "reference" in only:
            results["reference (bare asyncio SSE, no DB)"] = run_reference(args, work)
        if "sqlite" in only:
            results["SQLite, 1 server process"] = run_server("sqlite", args, work, ca, keys)
        if "postgresql" in only:
            results["PostgreSQL, 2 server processes"] = run_server("postgresql", args, work, ca, keys)
    ref = results.get("reference (bare asyncio SSE, no DB)")
    ref_p99 = fx.percentile(ref["latencies"], 99) if ref else float("nan")
    say()
    say("| setup | received | p50 ms | p99 ms | max ms | p99 / reference | server CPU s | stop with streams open, s |")
    say("|---|---|---|---|---|---|---|---|")
    for name, r in results.items():
        lat = r["latencies"]
        got = sum(1 for x in lat if x != float("inf"))
        p99 = fx.percentile(lat, 99)
        say(f"| {name} | {got}/{len(lat)} | {fx.median(lat) * 1000:.0f} | {p99 * 1000:.0f} | "
            f"{max(lat) * 1000:.0f} | {p99 / ref_p99:.1f}× | {r['cpu']:.1f} | {r['stop']:.1f} |")
    say(f"\nload average at end {fx.loadavg()}; goal: p99 < 1000 ms")
    if args.markdown:
        args.markdown.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    os.environ.setdefault("BIDCLIENT_LANG", "en")
    raise SystemExit(main())
