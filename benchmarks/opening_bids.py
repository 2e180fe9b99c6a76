"""Opening N sealed bids (default 50 × 100 MB) on the hosts' terminal, against the least work, in the same run
(issue 11 §8: "decrypt + verify + extract the announcement ... goal ≤ 1.5× the least work: one AES-256-GCM
decrypt and one SHA-256 pass over the same bytes").

    python3 benchmarks/opening_bids.py [--count 50] [--size 100MB] [--workdir DIR] [--markdown PATH]
                                       [--cprofile PATH] [--keep] [--copies]

Set-up (not timed): a benchmark CA issuing N enterprises (a signing and an encryption certificate each, in
PKCS#12 files: software keys, so no token latency), the host (opening staff, whose encryption certificate is
the opening certificate), a supervisor and the agency; ``bidclient-server run`` on SQLite in a child process
on 127.0.0.1; one tender; each enterprise seals a bid folder holding one SIZE file (random bytes) and a price
schedule (开标一览表) with the real ``bidclient.sealing.seal`` and submits it with the real uploader; the
deadline passes, the host locks the opening, the opening time passes, the host opens the decryption window,
and every enterprise releases its content key (``bidclient.opening.release_key``).

Timed, in a child process of its own (so its peak RSS is its own): the host's
``bidclient.opening.open_released_bids`` for all N bids, the product path (for each bid: download with the
envelope's SHA-256, unwrap the released key, AES-256-GCM decryption, the manifest's signature and signer,
every file's size and SHA-256 — since the one-pass opening all while the bid downloads and decrypts —, the
report to the server; without ``--copies`` nothing is written, as ``open-bids`` without ``-o``; with it a
verified copy of every bid is written, as ``open-bids -o DIR``), then the announcement's price schedule
(``GET .../opening``: the server reads it from the reported manifests). Each stage is timed by wrapping the
functions ``open_released_bids`` calls (no change to the product code); ``--cprofile PATH`` instead runs
the timed child under cProfile and writes its statistics.

The reference, in the same run and also in a child process: for each sealed bid file, read in 1 MiB blocks,
one SHA-256 pass and one AES-256-GCM decryption (cryptography's streaming Cipher with a random key: the
cost is the same as with the bid's key; the tag is not checked, which costs nothing measurable). Both read
files that were just written, so from the page cache alike.

Prints wall time, MB/s and peak RSS of both, the ratio (product / reference) and the stage breakdown; no
thresholds. ``--markdown PATH`` appends the results. Needs about 3 × COUNT × SIZE of free disk (the server's
copies, the sealed bids kept for the reference, the opened files).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _server_fixture as fx

REPO = fx.REPO
P12_PASSWORD = "opening-bench"  # noqa: S105 - throwaway benchmark keys
BLOCK = 1 << 20


# --- the parties ----------------------------------------------------------------------------------------


def _write_p12(path: Path, key: Any, cert: Any, ca: Any) -> Path:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.serialization import pkcs12

    path.write_bytes(pkcs12.serialize_key_and_certificates(
        b"key", key, cert, [ca], serialization.BestAvailableEncryption(P12_PASSWORD.encode())))
    return path


def make_party(ca: fx.BenchCA, folder: Path, name: str, subject: Any) -> tuple[Path, Path]:
    """A signing and an encryption (key agreement) pair of one holder, as two PKCS#12 files."""
    from cryptography.hazmat.primitives.asymmetric import ec

    paths = []
    for signing in (True, False):
        key = ec.generate_private_key(ec.SECP256R1())
        cert = ca._issue(subject, key.public_key(), signing=signing)
        paths.append(_write_p12(folder / f"{name}-{'sign' if signing else 'enc'}.p12", key, cert, ca.certificate))
    return paths[0], paths[1]


def enterprise_subject(index: int) -> Any:
    from cryptography import x509
    from cryptography.x509.oid import NameOID

    org = f"Bench Enterprise {index:03d} Co., Ltd."
    return x509.Name([x509.NameAttribute(NameOID.COUNTRY_NAME, "CN"),
                      x509.NameAttribute(NameOID.ORGANIZATION_NAME, org),
                      x509.NameAttribute(NameOID.ORGANIZATION_IDENTIFIER, f"NTRCN-{fx.bench_uscc(index)}"),
                      x509.NameAttribute(NameOID.COMMON_NAME, org)])


def person_subject(name: str) -> Any:
    from cryptography import x509
    from cryptography.x509.oid import NameOID

    return x509.Name([x509.NameAttribute(NameOID.COUNTRY_NAME, "CN"), x509.NameAttribute(NameOID.COMMON_NAME, name)])


def _pin(_request: Any) -> str:
    return P12_PASSWORD


class _Yes:
    """The person at the bidder's terminal, who confirms the key release."""

    def ask_pin(self, request: Any) -> str | None:
        return None

    def confirm(self, question: Any) -> bool:
        return True

    def choose(self, title: str, options: Any) -> int | None:
        return None

    def notice(self, notice: Any) -> None:
        pass


def _session(pair: tuple[Path, Path]) -> Any:
    from crypto.key_access import open_key

    return open_key(str(pair[0]), _pin, encryption_key=str(pair[1]))


def _login(url: str, session: Any) -> tuple[Any, str]:
    from bidclient.api_client import ApiClient
    from crypto import cms_sign, identity

    signer = session.signer()
    client = ApiClient(url, retries=0)
    client.login(lambda data: cms_sign.sign_detached(data, signer))
    return client, identity.identity_of(signer.certificate).key


def _identity(pair: tuple[Path, Path]) -> str:
    from crypto import identity

    with _session(pair) as s:
        return str(identity.identity_of(s.signer().certificate).key)


# --- set-up ----------------------------------------------------------------------------------------------


def set_up(work: Path, count: int, size: int, log: Any) -> dict[str, Any]:
    from bidclient.opening import OpeningApi, release_key
    from bidclient.sealing import TenderTarget, seal
    from bidclient.submit import Uploader
    from crypto import cms_sign
    from tests.server.submission_helpers import set_times

    started = time.perf_counter()
    keys = work / "keys"
    keys.mkdir()
    ca = fx.BenchCA()
    ca_pem = ca.write(work / "ca.pem")
    host = make_party(ca, keys, "host", person_subject("开标主持人 Bench Host"))
    supervisor = make_party(ca, keys, "supervisor", person_subject("监督人 Bench Supervisor"))
    agency = make_party(ca, keys, "agency", person_subject("代理机构 Bench Agency"))
    bidders = [make_party(ca, keys, f"ent-{n:03d}", enterprise_subject(n + 1)) for n in range(count)]
    with _session(host) as s:
        opening_cert = s.encryption_certificate
    assert opening_cert is not None

    data = work / "server"
    fx.init_server(data, ca_pem)
    ids = {who: _identity(pair) for who, pair in (("host", host), ("supervisor", supervisor), ("agency", agency))}
    for who, role in (("host", "opening_staff"), ("supervisor", "supervisor"), ("agency", "agency")):
        fx._server_cli("admin", "grant", "--data", str(data), "--identity", ids[who], "--role", role)
    server = fx.ServerProcess.start(data, log=work / "server.log")
    try:
        from tests.opening_helpers import own_tender

        tender = fx.make_tender(data)
        with _session(agency) as s:
            client, _ = _login(server.url, s)
            own_tender(data, tender, ids["agency"])
            OpeningApi(client, tender).schedule([ids["host"]], [ids["supervisor"]])

        folder = work / "bid-files"
        (folder / "tech").mkdir(parents=True)
        with open(folder / "tech" / "proposal.pdf", "wb") as f:  # stored in the ZIP: its content is irrelevant
            left = size
            while left:
                n = min(left, 16 * BLOCK)
                f.write(os.urandom(n))
                left -= n
        sealed_dir = work / "sealed"
        sealed_dir.mkdir()
        sealed = []
        for n, pair in enumerate(bidders):
            total = f"{1_000_000 + n * 1000}.00"
            forms = {"price_schedule": {"values": {"total": total, "total_words": "", "duration_days": "90",
                                                   "quality": "合格", "bidder_name": f"Bench Enterprise {n + 1:03d}"},
                                        "lines": []}}
            out = sealed_dir / f"ent-{n:03d}.bid"
            with _session(pair) as s:
                result = seal(folder, out, session=s, target=TenderTarget(tender, 1, [opening_cert]), forms=forms)
                client, me = _login(server.url, s)
                signer = s.signer()
                Uploader(client).submit(out, tender_id=tender, tender_version=1, bidder=me,
                                        sign=lambda d, signer=signer: cms_sign.sign_detached(d, signer),
                                        sealed_as=(result.envelope_sha256, result.envelope_size))
            sealed.append(out)
            print(f"  sealed and submitted {n + 1}/{count}", file=log, flush=True)
        now = dt.datetime.now(dt.UTC)
        set_times(data, tender, deadline=now - dt.timedelta(seconds=1), opening=now + dt.timedelta(hours=1))
        with _session(host) as s:
            client, _ = _login(server.url, s)
            locked = OpeningApi(client, tender).lock()
            assert locked.bid_count == count, locked.bid_count
        now = dt.datetime.now(dt.UTC)
        set_times(data, tender, deadline=now - dt.timedelta(minutes=2), opening=now - dt.timedelta(seconds=1))
        with _session(host) as s:
            client, _ = _login(server.url, s)
            OpeningApi(client, tender).open_window([opening_cert])
        for pair, bid in zip(bidders, sealed, strict=True):
            with _session(pair) as s:
                client, _ = _login(server.url, s)
                out = release_key(OpeningApi(client, tender), s, _Yes(), bid=bid)  # type: ignore[arg-type]
                assert out.state == "key_released", out.state
        print(f"  {count} keys released", file=log, flush=True)
    except BaseException:
        server.stop()
        raise
    return {"server": server, "url": server.url, "tender": tender, "host": [str(p) for p in host],
            "ca": str(ca_pem), "sealed": [str(p) for p in sealed], "setup_seconds": time.perf_counter() - started}


# --- the measured children -------------------------------------------------------------------------------


def _peak_rss_mib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


class _Stages:
    """Wall time per stage of open_released_bids, from wrappers around the functions it calls."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}

    def add(self, stage: str, seconds: float) -> None:
        self.seconds[stage] = self.seconds.get(stage, 0.0) + seconds

    def wrap(self, owner: Any, name: str, stage: str) -> None:
        original = getattr(owner, name)

        def timed(*args: Any, **kwargs: Any) -> Any:
            t0 = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                self.add(stage, time.perf_counter() - t0)

        setattr(owner, name, timed)

    def wrap_key_source(self, opening: Any) -> None:
        original = opening._released_key_source

        def source(*args: Any) -> Any:
            get = original(*args)

            def timed(sealed: Path) -> bytes:
                t0 = time.perf_counter()
                try:
                    return get(sealed)  # type: ignore[no-any-return]
                finally:
                    self.add("key", time.perf_counter() - t0)

            return timed

        opening._released_key_source = source


def child_open(spec: dict[str, Any]) -> dict[str, Any]:
    from bidclient import opening
    from bidclient.bidpackage import reader
    from crypto import cms_envelope, trust

    stages = _Stages()
    if not spec.get("cprofile"):
        stages.wrap(opening, "_open_one", "per bid")
        stages.wrap_key_source(opening)
        stages.wrap(cms_envelope, "decrypt_file", "decrypt")
        for name in ("_receive_and_decrypt", "_receive_then_decrypt", "_receive_and_open"):
            if hasattr(opening, name):  # the one-pass opening; since the streaming package check
                stages.wrap(opening, name, "receive")
        stages.wrap(opening, "verify_content", "verify signature")
        stages.wrap(reader.PackageReader, "check", "check manifest")
        stages.wrap(reader.PackageReader, "extract_to", "extract")
        if hasattr(opening, "PackageStream"):  # the streaming check: digests done while receiving
            stages.wrap(opening.PackageStream, "check", "check manifest")
            stages.wrap(opening.PackageStream, "keep", "extract")
        stages.wrap(opening.OpeningApi, "post_result", "report")
    host = (Path(spec["host"][0]), Path(spec["host"][1]))
    trust_list = trust.TrustList.load([Path(spec["ca"])])
    output = Path(spec["output"]) if spec.get("output") else None
    with _session(host) as s:
        client, _ = _login(spec["url"], s)
        api = opening.OpeningApi(client, spec["tender"])
        profiler = None
        if spec.get("cprofile"):
            import cProfile

            profiler = cProfile.Profile()
            profiler.enable()
        t0 = time.perf_counter()
        results = opening.open_released_bids(api, s, trust_list, output)
        opened = time.perf_counter()
        announced = api.get()
        done = time.perf_counter()
        if profiler is not None:
            profiler.disable()
            profiler.dump_stats(spec["cprofile"])
    states = sorted({r.state for r in results})
    schedules = sum(1 for b in announced.bids if b.announced is not None and b.announced.price is not None)
    return {"seconds": done - t0, "open_seconds": opened - t0, "announce_seconds": done - opened,
            "opened": sum(1 for r in results if r.state == "opened"), "states": states,
            "failures": sorted({r.failure_code for r in results if r.failure_code}),
            "schedules": schedules, "stages": stages.seconds, "peak_rss_mib": _peak_rss_mib(),
            "streamed": hasattr(opening, "PackageStream"), "kept_bytes": _tree_bytes(output)}


def _tree_bytes(folder: Path | None) -> int:
    return 0 if folder is None else sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def child_reference(spec: dict[str, Any]) -> dict[str, Any]:
    import hashlib

    from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

    buf = bytearray(BLOCK)
    view = memoryview(buf)
    total = 0
    t0 = time.perf_counter()
    for path in spec["sealed"]:
        decryptor = Cipher(algorithms.AES(os.urandom(32)), modes.GCM(os.urandom(12))).decryptor()
        out = bytearray(BLOCK + 16)
        digest = hashlib.sha256()
        with open(path, "rb", buffering=0) as f:
            while n := f.readinto(buf):
                digest.update(view[:n])
                decryptor.update_into(view[:n], out)
                total += n
        digest.hexdigest()
    return {"seconds": time.perf_counter() - t0, "bytes": total, "peak_rss_mib": _peak_rss_mib()}


def run_child(kind: str, spec: dict[str, Any]) -> dict[str, Any]:
    done = subprocess.run([sys.executable, __file__, "--child", kind], input=json.dumps(spec), text=True,
                          capture_output=True, cwd=REPO, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"the {kind} child failed:\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def stage_rows(product: dict[str, Any]) -> list[str]:
    """The breakdown: what was timed directly, and the remainders (download, scratch, listing)."""
    st = dict(product["stages"])
    per_bid = st.pop("per bid", 0.0)
    key, check, extract = st.get("key", 0.0), st.get("check manifest", 0.0), st.get("extract", 0.0)
    rows: list[tuple[str, float]] = []
    if "receive" in st and product.get("streamed"):  # one pass, the package checked as it decrypts
        copy = " + the copy written" if product.get("kept_bytes") else ""
        rows.append((f"download + envelope SHA-256 + AES-GCM + ZIP parse + SHA-256 per file{copy} (one pass)",
                     st["receive"] - key))
        rows.append(("unwrap the released key (GET + ECDH)", key))
        rest_of_bid = per_bid - st["receive"] - check - extract
    elif "receive" in st:  # one pass: download, envelope SHA-256 and decryption together
        rows.append(("download + envelope SHA-256 + AES-GCM decryption (one pass)", st["receive"] - key))
        rows.append(("unwrap the released key (GET + ECDH)", key))
        rest_of_bid = per_bid - st["receive"] - check - extract
    else:
        rows.append(("download + envelope SHA-256 (written to disk)", per_bid - key - st.get("decrypt", 0.0)
                     - check - extract))
        rows.append(("unwrap the released key (GET + ECDH)", key))
        rows.append(("AES-GCM decryption (file to file, synced)", st.get("decrypt", 0.0)))
        rest_of_bid = 0.0
    rows.append(("manifest: signature and signer (CMS, chain)", st.get("verify signature", 0.0)))
    rows.append(("manifest: the rest of the check", check - st.get("verify signature", 0.0)))
    if product.get("streamed"):
        rows.append(("keep the verified copy (manifest files, rename)", extract))
        if rest_of_bid:
            rows.append(("the rest of each bid (request, checks)", rest_of_bid))
    else:
        rows.append(("extraction (CRC-32, SHA-256 per file, write)", extract))
        if rest_of_bid:
            rows.append(("scratch folder: create, remove", rest_of_bid))
    rows.append(("report each result (POST, the server's announcement items)", st.get("report", 0.0)))
    rows.append(("listing and the announcement's GET", product["seconds"] - per_bid - st.get("report", 0.0)))
    return [f"| {name} | {seconds:.2f} | {seconds / product['seconds']:.0%} |" for name, seconds in rows]


# --- main ------------------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=50, help="bids (default 50)")
    parser.add_argument("--size", type=fx.parse_size, default=fx.parse_size("100MB"),
                        help="size of each bid's file (default 100MB)")
    parser.add_argument("--workdir", type=Path, default=Path(tempfile.gettempdir()))
    parser.add_argument("--markdown", type=Path, help="append the results to this file")
    parser.add_argument("--cprofile", type=Path, help="profile the product path with cProfile into this file")
    parser.add_argument("--keep", action="store_true", help="keep the work folder")
    parser.add_argument("--copies", action="store_true",
                        help="keep a verified copy of every bid, as `open-bids -o DIR` and the desktop app do "
                             "(default: verify only, as `open-bids` without -o)")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        spec = json.loads(sys.stdin.read())
        result = child_open(spec) if args.child == "open" else child_reference(spec)
        print(json.dumps(result))
        return
    if not 3 <= args.count <= 500:
        parser.error("--count must be 3..500 (an opening needs three bids)")

    work = fx.temp_dir(args.workdir, "opening-bench-")
    print(f"set-up: {args.count} bids of {fx.human_size(args.size)} in {work}", flush=True)
    world = None
    try:
        world = set_up(work, args.count, args.size, sys.stdout)
        print(f"  set-up took {world['setup_seconds']:.0f} s", flush=True)
        load = fx.loadavg()
        reference = run_child("reference", {"sealed": world["sealed"]})
        spec = {k: world[k] for k in ("url", "tender", "host", "ca")}
        spec["output"] = str(work / "opened") if args.copies else None
        if args.cprofile:
            spec["cprofile"] = str(args.cprofile.resolve())
        product = run_child("open", spec)
        server_rss = world["server"].peak_rss_mib()
        load_after = fx.loadavg()
        if product["opened"] != args.count:
            raise RuntimeError(f"only {product['opened']} of {args.count} bids opened: {product}")
    finally:
        if world is not None:
            world["server"].stop()
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)

    mb = reference["bytes"] / 1e6
    ratio = product["seconds"] / reference["seconds"]
    mode = "with a verified copy of every bid written (-o DIR)" if args.copies else "verify only (no -o)"
    lines = [f"opening mode: {mode}",
             f"machine: {fx.machine_summary()}; filesystem {fx.filesystem_of(args.workdir)}; "
             f"load average before / after the timed runs {load} | {load_after}",
             "",
             "| bids | each | sealed bytes | opening (s) | MB/s | peak RSS (MiB) | least work: SHA-256 + AES-GCM (s) "
             "| MB/s | peak RSS (MiB) | ratio |",
             "|---|---|---|---|---|---|---|---|---|---|",
             f"| {args.count} | {fx.human_size(args.size)} | {mb:,.0f} MB | {product['seconds']:.2f} | "
             f"{mb / product['seconds']:.0f} | {product['peak_rss_mib']:.0f} | {reference['seconds']:.2f} | "
             f"{mb / reference['seconds']:.0f} | {reference['peak_rss_mib']:.0f} | **{ratio:.2f}×** |",
             "",
             f"opened: {product['opened']} of {args.count}, {product['schedules']} with the price announced, "
             f"{product['kept_bytes'] / 1e6:,.0f} MB of verified files written by the opening (counted in its time); "
             f"the announcement's GET took "
             f"{product['announce_seconds'] * 1000:.0f} ms; the server's peak RSS {server_rss:.0f} MiB"]
    if product["stages"]:
        lines += ["", "| stage (all bids) | s | share |", "|---|---|---|", *stage_rows(product)]
    text = "\n".join(lines)
    print(text)
    if args.markdown:
        with open(args.markdown, "a") as f:
            f.write(text + "\n\n")


if __name__ == "__main__":
    main()
