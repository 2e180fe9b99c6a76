#!/usr/bin/env python3
"""Upload of one large sealed bid to the server over loopback, with the real client, on SQLite and
PostgreSQL: throughput and the server's peak RSS, against references measured in the same run.

    python3 benchmarks/server_upload.py [--size 1GiB] [--small 256MiB] [--chunks auto,8MiB,16MiB]
                                        [--backends sqlite,postgresql] [--workdir DIR] [--markdown PATH]

Each measured upload gets a fresh server process (``python -m server.cli run``, as a user runs it), so
that its VmHWM (/proc/PID/status, read after the upload) is the peak of that upload alone. The client is
``bidclient.submit.Uploader``: it takes the file's hash recorded at sealing (as the desktop app does;
one row per backend hashes the file first instead, as the CLI does on a bare file), creates the upload
with a signed statement, PUTs the chunks with their SHA-256 and completes; the server checks every
chunk's hash, fdatasyncs it before acknowledging, then re-reads and hashes the whole file, checks it is
a CMS envelope and issues a timestamped receipt. References, same bytes, same run: PUT to a raw socket
sink and to a bare ASGI app under the same uvicorn (the HTTP stack alone); the least work a hashed,
durable upload takes on this stack (the same parallel chunks, hashed on both sides, written and
fdatasynced, the whole hashed once, no database: benchmarks/_server_fixture.py `_asgi_store`); Python
SHA-256 of the file; writing it with an fdatasync per chunk (the disk alone). Speed is reported, never
asserted. Loopback only.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import os
import shutil
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import _server_fixture as fx

from bidclient.api_client import ApiClient
from bidclient.receipts import file_sha256
from bidclient.submit import DEFAULT_CHUNK_SIZE, DEFAULT_PARALLEL, SubmitCancelled, Uploader, load_state

MB = 10**6


@dataclass
class Row:
    label: str
    size: int
    seconds: float
    transfer_s: float | None = None
    client_cpu: float | None = None
    server_cpu: float | None = None
    peak_rss: float | None = None
    note: str = ""
    phases: dict[str, float] = field(default_factory=dict)

    @property
    def mbps(self) -> float:
        return self.size / MB / self.seconds

    @property
    def transfer_mbps(self) -> float | None:
        return self.size / MB / self.transfer_s if self.transfer_s else None


# --- references --------------------------------------------------------------------------------------


def ref_sha256(path: Path) -> Row:
    t0, c0 = time.perf_counter(), time.process_time()
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while block := f.read(1 << 20):
            digest.update(block)
    return Row("reference: Python SHA-256 of the file (one pass)", path.stat().st_size, time.perf_counter() - t0,
               client_cpu=time.process_time() - c0)


def ref_write_fdatasync(path: Path, workdir: Path, chunk: int) -> Row:
    """What the server's disk work costs alone: write the bytes with an fdatasync per chunk."""
    target = workdir / "ref-write.tmp"
    t0, c0 = time.perf_counter(), time.process_time()
    with open(path, "rb") as src:
        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            offset = 0
            while data := src.read(chunk):
                os.pwrite(fd, data, offset)
                os.fdatasync(fd)
                offset += len(data)
        finally:
            os.close(fd)
    row = Row(f"reference: write with fdatasync per {fx.human_size(chunk)} ({fx.filesystem_of(workdir)})",
              path.stat().st_size, time.perf_counter() - t0, client_cpu=time.process_time() - c0)
    target.unlink()
    return row


def ref_put(path: Path, kind: str, chunk: int, env_extra: dict[str, str]) -> Row:
    """PUT the same bytes in the same chunks over one keep-alive connection with requests."""
    import requests

    sink = fx.Sink.start(kind, env_extra)
    try:
        session = requests.Session()
        session.put(sink.url + "/warm", data=b"x").raise_for_status()
        s0 = sink.cpu_seconds()
        t0, c0 = time.perf_counter(), time.process_time()
        with open(path, "rb") as f:
            offset = 0
            while data := f.read(chunk):
                session.put(f"{sink.url}/chunks/{offset}", data=data,
                            headers={"Content-Type": "application/octet-stream"}).raise_for_status()
                offset += len(data)
        seconds = time.perf_counter() - t0
        import importlib.util

        parser = "httptools + uvloop" if importlib.util.find_spec("httptools") or env_extra else "h11"
        what = "raw socket sink" if kind == "socket-sink" else f"bare ASGI app under uvicorn ({parser})"
        return Row(f"reference: PUT {fx.human_size(chunk)} chunks to a {what}", path.stat().st_size, seconds,
                   transfer_s=seconds, client_cpu=time.process_time() - c0, server_cpu=sink.cpu_seconds() - s0)
    finally:
        sink.stop()


def ref_least_work(path: Path, chunk: int, parallel: int, workdir: Path, env_extra: dict[str, str]) -> Row:
    """The least a hashed, durable upload takes with this stack: the client reads and hashes each chunk and
    PUTs it with `parallel` in flight (as the Uploader does, but without hashing the whole file first: as if
    the seal step had recorded its hash); the server (fx._asgi_store) hashes, writes and fdatasyncs each
    chunk, then hashes the whole file once at /complete. No database, no authentication, no receipt."""
    import hashlib
    from concurrent.futures import ThreadPoolExecutor

    import requests

    store_dir = fx.temp_dir(workdir, "least-work-")
    sink = fx.Sink.start("asgi-store", env_extra, str(store_dir))
    local = threading.local()
    try:
        def session() -> requests.Session:
            if not hasattr(local, "session"):
                local.session = requests.Session()
            return local.session

        def put(offset: int) -> None:
            with open(path, "rb") as f:
                f.seek(offset)
                data = f.read(chunk)
            response = session().put(f"{sink.url}/chunks/{offset}", data=data,
                                     headers={"Content-Type": "application/octet-stream",
                                              "X-Chunk-SHA256": hashlib.sha256(data).hexdigest()})
            response.raise_for_status()

        size = path.stat().st_size
        with ThreadPoolExecutor(parallel) as pool:
            list(pool.map(lambda _: session().put(sink.url + "/warm", data=b"x"), range(parallel)))
            s0 = sink.cpu_seconds()
            t0, c0 = time.perf_counter(), time.process_time()
            list(pool.map(put, range(0, size, chunk)))
        transfer = time.perf_counter() - t0
        whole = requests.post(sink.url + "/complete", timeout=600)
        whole.raise_for_status()
        seconds = time.perf_counter() - t0
        row = Row(f"reference: least work — {parallel} chunks of {fx.human_size(chunk)} in flight, each hashed on "
                  "both sides, written and fdatasynced; whole file re-read and hashed at the end (no database, "
                  "no authentication)", size, seconds, transfer_s=transfer, client_cpu=time.process_time() - c0,
                  server_cpu=sink.cpu_seconds() - s0,
                  phases={"hash": 0.0, "chunks": transfer, "complete": seconds - transfer})
        return row
    finally:
        sink.stop()
        shutil.rmtree(store_dir, ignore_errors=True)


def _chunk_name(chunk: int | None) -> str:
    return f"{fx.human_size(chunk)} chunks" if chunk else "adaptive chunks (8 MiB, doubling while fast)"


# --- the real upload ---------------------------------------------------------------------------------


@dataclass
class Setup:
    data: Path
    tender_id: str
    signer: Callable[[bytes], bytes]
    key: object
    workdir: Path
    env_extra: dict[str, str]


def upload_once(setup: Setup, bid: Path, chunk: int | None, label: str, *, profile: Path | None = None,
                sealed_as: tuple[str, int] | None = None) -> Row:
    """One measured upload. ``sealed_as``: the hash and size recorded at sealing (what the desktop app
    passes); None hashes the file first (the CLI on a bare file)."""
    server = fx.ServerProcess.start(setup.data, log=setup.workdir / "server.log", env_extra=setup.env_extra)
    spy = None
    try:
        client = ApiClient(server.url)
        identity = client.login(setup.signer).account.identity_key
        marks: dict[str, float] = {}
        size = bid.stat().st_size

        def progress(held: int, total: int) -> None:
            now = time.perf_counter()
            marks.setdefault("first", now)  # the client has (hashed the file and) created the upload
            if held >= total:
                marks.setdefault("sent", now)

        if profile is not None:
            spy = fx.PySpy(server.pid, profile)
            time.sleep(0.5)
        s0, c0, t0 = server.cpu_seconds(), time.process_time(), time.perf_counter()
        out = Uploader(client, chunk_size=chunk, progress=progress).submit(
            bid, tender_id=setup.tender_id, tender_version=1, bidder=identity, sign=setup.signer, sealed_as=sealed_as)
        seconds = time.perf_counter() - t0
        client_cpu, server_cpu = time.process_time() - c0, server.cpu_seconds() - s0
        if spy is not None:
            spy.stop()
        assert out.size == size and out.status == "active"
        peak = server.peak_rss_mib()
        phases = {"client hash + create": marks["first"] - t0, "chunks": marks["sent"] - marks["first"],
                  "complete": t0 + seconds - marks["sent"]}
        return Row(label, size, seconds, transfer_s=phases["chunks"], client_cpu=client_cpu, server_cpu=server_cpu,
                   peak_rss=peak, phases=phases)
    finally:
        if spy is not None:
            spy.stop()
        server.stop()


def resume_check(setup: Setup, bid: Path, chunk: int | None) -> str:
    """Stop the client at 50 %, start a new client on the same bid: it must resume, not restart."""
    server = fx.ServerProcess.start(setup.data, log=setup.workdir / "server.log", env_extra=setup.env_extra)
    try:
        client = ApiClient(server.url)
        identity = client.login(setup.signer).account.identity_key
        size = bid.stat().st_size
        cancel = threading.Event()

        def stop_half(held: int, total: int) -> None:
            if held >= total // 2:
                cancel.set()

        try:
            Uploader(client, chunk_size=chunk, progress=stop_half, cancel=cancel).submit(
                bid, tender_id=setup.tender_id, tender_version=1, bidder=identity, sign=setup.signer)
            return "FAILED: the upload was not interrupted"
        except SubmitCancelled:
            pass
        state = load_state(bid)
        if state is None:
            return "FAILED: no upload state was kept next to the bid"
        held_before = Uploader(client).status(state.upload_id).received_bytes
        sent: list[int] = []
        out = Uploader(client, chunk_size=chunk, progress=lambda held, total: sent.append(held)).submit(
            bid, tender_id=setup.tender_id, tender_version=1, bidder=identity, sign=setup.signer)
        whole = hashlib.sha256(bid.read_bytes()).hexdigest()
        ok = out.envelope_sha256 == whole and out.size == size and sent and sent[0] == held_before
        return (f"{'ok' if ok else 'FAILED'}: interrupted at {held_before / size:.0%} "
                f"({held_before} of {size} bytes acknowledged); the second run started from byte {sent[0]}, "
                f"sent {size - sent[0]} bytes and got a receipt for SHA-256 {out.envelope_sha256[:16]}… "
                f"({'matches' if out.envelope_sha256 == whole else 'DOES NOT MATCH'} the file)")
    finally:
        server.stop()


# --- report ------------------------------------------------------------------------------------------


def fmt(value: float | None, digits: int = 1) -> str:
    return "" if value is None else f"{value:.{digits}f}"


def table(rows: list[Row], reference: Row | None) -> str:
    out = ["| run | size | s | MB/s | chunks MB/s | hash+create / chunks / complete s | client CPU s | "
           "server CPU s | server peak RSS MiB | time ratio |",
           "|---|---:|---:|---:|---:|---|---:|---:|---:|---:|"]
    for r in rows:
        ratio = f"{r.seconds / (reference.seconds * r.size / reference.size):.2f}" if reference else ""
        phases = " / ".join(f"{v:.2f}" for v in r.phases.values())
        out.append(f"| {r.label} | {fx.human_size(r.size)} | {r.seconds:.2f} | {r.mbps:.0f} | "
                   f"{fmt(r.transfer_mbps, 0)} | {phases} | {fmt(r.client_cpu, 2)} | {fmt(r.server_cpu, 2)} | "
                   f"{fmt(r.peak_rss)} | {ratio} |")
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", type=fx.parse_size, default=fx.parse_size("1GiB"))
    parser.add_argument("--small", type=fx.parse_size, default=fx.parse_size("256MiB"),
                        help="a second size, to show the peak RSS does not grow with the file (0: skip)")
    parser.add_argument("--chunks", default="auto,8MiB,16MiB",
                        help="client chunk sizes, 'auto' for the client's default (8 MiB, growing on a fast line); "
                             "the first is run for every size")
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--workdir", type=Path, default=Path(os.environ.get("TMPDIR", "/tmp")),
                        help="where the server's data directory and the bids go (its filesystem matters: "
                             "every chunk is fdatasynced)")
    parser.add_argument("--server-pythonpath", default="",
                        help="prepended to the server's PYTHONPATH (e.g. a folder with httptools/uvloop, to "
                             "measure uvicorn's faster parsers without installing them)")
    parser.add_argument("--profile", type=Path, default=None,
                        help="record py-spy collapsed stacks of the server during the first upload per backend "
                             "into this folder")
    parser.add_argument("--no-references", action="store_true")
    parser.add_argument("--markdown", type=Path, default=None, help="also write the tables to this file")
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args(argv)
    chunks: list[int | None] = [None if c == "auto" else fx.parse_size(c) for c in args.chunks.split(",") if c]
    fixed = chunks[0] or DEFAULT_CHUNK_SIZE  # the references send fixed chunks
    env_extra = {}
    if args.server_pythonpath:
        env_extra["PYTHONPATH"] = os.pathsep.join(
            [args.server_pythonpath, str(fx.REPO), os.environ.get("PYTHONPATH", "")]).rstrip(os.pathsep)

    work = fx.temp_dir(args.workdir, "bench-upload-")
    lines: list[str] = []

    def say(text: str = "") -> None:
        print(text, flush=True)
        lines.append(text)

    started = time.perf_counter()
    clusters = []
    try:
        say(f"Run {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC: upload of {fx.human_size(args.size)} "
            f"(and {fx.human_size(args.small)}) sealed bids, work directory {args.workdir} "
            f"({fx.filesystem_of(work)}), load average at start {fx.loadavg()}.")
        say(f"Machine: {fx.machine_summary()}.")
        if args.server_pythonpath:
            say(f"Server and sinks run with PYTHONPATH={args.server_pythonpath} first.")
        ca = fx.BenchCA()
        ca_pem = ca.write(work / "ca.pem")
        bidder = ca.issue_bidder(1)
        opener = ca.issue_opener()
        t0 = time.perf_counter()
        big = fx.make_envelope(work / "big.bid", args.size, opener)
        small = fx.make_envelope(work / "small.bid", args.small, opener) if args.small else None
        say(f"Sealed bids made in {time.perf_counter() - t0:.1f} s (CMS AuthEnvelopedData, AES-256-GCM, "
            f"EC P-256 recipient): {big.stat().st_size} and {small.stat().st_size if small else 0} bytes.")
        say("")

        big_sealed_as = file_sha256(big)  # what the seal step records, outside any measured time
        references: list[Row] = []
        if not args.no_references:
            big.read_bytes  # noqa: B018 - the file is in the page cache from its making
            references.append(ref_put(big, "socket-sink", fixed, env_extra))
            references.append(ref_put(big, "asgi-sink", fixed, env_extra))
            references.append(ref_least_work(big, fixed, DEFAULT_PARALLEL, work, env_extra))
            references.append(ref_sha256(big))
            references.append(ref_write_fdatasync(big, work, fixed))
            say("### References (same bytes, same run)")
            say("")
            say(table(references, None))
            say("")
        reference = references[0] if references else None

        for backend in [b for b in args.backends.split(",") if b]:
            database_url = ""
            if backend == "postgresql":
                cluster = fx.start_postgres()
                clusters.append(cluster)
                database_url = cluster.create_database("bench_upload")
            data = work / f"server-{backend}"
            fx.init_server(data, ca_pem, database_url)
            tender = fx.make_tender(data)
            setup = Setup(data, tender, fx.signer_for(bidder), bidder, work, env_extra)
            rows: list[Row] = []
            runs = [(chunk, True) for chunk in chunks]
            runs.insert(1, (chunks[0], False))  # the default chunk size once more, hashing the file first
            for i, (chunk, recorded) in enumerate(runs):
                profile = args.profile / f"server-{backend}-{_chunk_name(chunk)}.txt" if args.profile and i == 0 \
                    else None
                if profile:
                    args.profile.mkdir(parents=True, exist_ok=True)
                label = (f"Uploader, {_chunk_name(chunk)}" + (" (default)" if chunk == chunks[0] else "")
                         + (", hash recorded at sealing (desktop app)" if recorded else ", hashing the file first "
                            "(CLI)"))
                rows.append(upload_once(setup, big, chunk, label, profile=profile,
                                        sealed_as=big_sealed_as if recorded else None))
                print(f"  {backend}: {label}: {rows[-1].mbps:.0f} MB/s", flush=True)
                if profile:
                    say(f"py-spy, server, {backend}, {label}: top self-time frames (share of non-idle samples): "
                        + "; ".join(f"{name} {share:.0%}" for name, share in fx.top_frames(profile, 8)))
                    say("")
            if small is not None:
                rows.append(upload_once(setup, small, chunks[0], f"Uploader, {_chunk_name(chunks[0])} (default), "
                                        "hash recorded at sealing", sealed_as=file_sha256(small)))
            say(f"### {backend}{' (PostgreSQL 15, fsync on)' if backend == 'postgresql' else ' (WAL)'}")
            say("")
            say(table(rows, reference))
            say("")
            if small is not None and backend == args.backends.split(",")[0]:
                say("Resume: " + resume_check(setup, small, chunks[0]))
                say("")
            shutil.rmtree(data / "uploads", ignore_errors=True)
            shutil.rmtree(data / "blobs", ignore_errors=True)
        say(f"Load average at the end {fx.loadavg()}; the whole run took {time.perf_counter() - started:.0f} s.")
        say("MB/s is 10⁶ bytes per second of wall time of the whole `Uploader.submit` (client hash, create, "
            "chunks, complete); 'chunks MB/s' counts only the chunk PUTs. 'time ratio' is the wall time "
            "over that of the first reference (raw socket sink), scaled to the same size.")
    finally:
        for cluster in clusters:
            cluster.stop()
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
        if args.markdown:
            args.markdown.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
