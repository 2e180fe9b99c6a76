"""Shared setup for the server benchmarks: a dev CA that issues many bidder certificates, real sealed
bids, an initialised data directory, the server as a user runs it (``python -m server.cli run``) in a
child process whose memory and CPU can be read from /proc, a throwaway PostgreSQL, and the two
reference sinks (a raw socket and a bare ASGI app under the same uvicorn) that the upload is
compared with. Everything listens on 127.0.0.1 only.

Run as a script only to start a sink: ``python3 _server_fixture.py socket-sink|asgi-sink PORT``.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from cryptography import x509  # noqa: E402
from cryptography.hazmat.primitives import hashes, serialization  # noqa: E402
from cryptography.hazmat.primitives.asymmetric import ec  # noqa: E402
from cryptography.x509.oid import NameOID  # noqa: E402

from crypto.identity import uscc_check_character  # noqa: E402
from crypto.software_key import SoftwareKey  # noqa: E402

MiB = 1 << 20
CLK_TCK = os.sysconf("SC_CLK_TCK")


# --- sizes, statistics, machine --------------------------------------------------------------------

_UNITS = {"": 1, "b": 1, "k": 10**3, "kb": 10**3, "kib": 1 << 10, "m": 10**6, "mb": 10**6, "mib": 1 << 20,
          "g": 10**9, "gb": 10**9, "gib": 1 << 30}


def parse_size(text: str) -> int:
    m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*", text)
    if not m or m.group(2).lower() not in _UNITS:
        raise ValueError(f"not a size: {text!r} (try 1GiB, 256MiB, 20MB)")
    return int(float(m.group(1)) * _UNITS[m.group(2).lower()])


def human_size(n: int) -> str:
    for unit, div in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if n >= div and n % div == 0:
            return f"{n // div} {unit}"
    if n >= 10**6 and n % 10**6 == 0:
        return f"{n // 10**6} MB"
    if n >= 1 << 20:  # an envelope: the plaintext size plus a few hundred bytes of CMS
        return f"{n / (1 << 20):.0f} MiB"
    return f"{n} bytes"


def percentile(values: Sequence[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100); NaN for no values."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(1, min(len(ordered), int(-(-q * len(ordered) // 100))))
    return ordered[rank - 1]


def median(values: Sequence[float]) -> float:
    return statistics.median(values) if values else float("nan")


def loadavg() -> str:
    return " / ".join(f"{x:.1f}" for x in os.getloadavg())


def machine_summary() -> str:
    cpu = "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    import platform

    import fastapi
    import sqlalchemy
    import uvicorn

    def has(module: str) -> str:
        try:
            __import__(module)
            return "yes"
        except ImportError:
            return "no"

    return (f"{os.cpu_count()} CPUs ({cpu}), Linux {platform.release()}, Python {platform.python_version()}, "
            f"uvicorn {uvicorn.__version__} (httptools: {has('httptools')}, uvloop: {has('uvloop')}), "
            f"FastAPI {fastapi.__version__}, SQLAlchemy {sqlalchemy.__version__}")


def filesystem_of(path: Path) -> str:
    best, kind = "", "?"
    try:
        for line in Path("/proc/mounts").read_text().splitlines():
            parts = line.split()
            mount, fstype = parts[1], parts[2]
            if str(path.resolve()).startswith(mount) and len(mount) > len(best):
                best, kind = mount, fstype
    except OSError:
        pass
    return kind


# --- a dev CA for many enterprises -----------------------------------------------------------------


def bench_uscc(index: int) -> str:
    """A valid 统一社会信用代码 per bidder: 9 (registered by SAMR) 1 (enterprise), region 310000, then the
    index as the 9-character organisation code, then the GB 32100 check character."""
    body = f"91310000{index:09d}"
    return body + uscc_check_character(body)


def _name(*pairs: tuple[x509.ObjectIdentifier, str]) -> x509.Name:
    return x509.Name([x509.NameAttribute(oid, value) for oid, value in pairs])


class BenchCA:
    """An EC P-256 root that issues enterprise signing certificates (digitalSignature, the USCC in
    organizationIdentifier) and one opening certificate (keyAgreement) that sealed bids are sealed to."""

    def __init__(self) -> None:
        now = dt.datetime.now(dt.UTC)
        self.not_before = now - dt.timedelta(hours=1)
        self.not_after = now + dt.timedelta(days=2)
        self.key = ec.generate_private_key(ec.SECP256R1())
        name = _name((NameOID.COUNTRY_NAME, "CN"), (NameOID.ORGANIZATION_NAME, "bidclient benchmark CA"),
                     (NameOID.COMMON_NAME, f"bidclient benchmark root {uuid.uuid4().hex[:8]}"))
        self.name = name
        self.certificate = (
            x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(self.key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(self.not_before)
            .not_valid_after(self.not_after)
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(x509.KeyUsage(digital_signature=False, content_commitment=False, key_encipherment=False,
                                         data_encipherment=False, key_agreement=False, key_cert_sign=True,
                                         crl_sign=True, encipher_only=False, decipher_only=False), critical=True)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(self.key.public_key()), critical=False)
            .sign(self.key, hashes.SHA256()))

    def pem(self) -> bytes:
        return self.certificate.public_bytes(serialization.Encoding.PEM)

    def write(self, path: Path) -> Path:
        path.write_bytes(self.pem())
        return path

    def _issue(self, subject: x509.Name, public_key: ec.EllipticCurvePublicKey, *, signing: bool) -> x509.Certificate:
        return (
            x509.CertificateBuilder().subject_name(subject).issuer_name(self.name).public_key(public_key)
            .serial_number(x509.random_serial_number()).not_valid_before(self.not_before)
            .not_valid_after(self.not_after)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.KeyUsage(digital_signature=signing, content_commitment=False, key_encipherment=False,
                                         data_encipherment=False, key_agreement=not signing, key_cert_sign=False,
                                         crl_sign=False, encipher_only=False, decipher_only=False), critical=True)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(self.key.public_key()),
                           critical=False)
            .sign(self.key, hashes.SHA256()))

    def issue_bidder(self, index: int) -> SoftwareKey:
        """An enterprise's signing key (software, so no token latency) and its certificate."""
        key = ec.generate_private_key(ec.SECP256R1())
        org = f"Bench Enterprise {index:03d} Co., Ltd."
        subject = _name((NameOID.COUNTRY_NAME, "CN"), (NameOID.ORGANIZATION_NAME, org),
                        (NameOID.ORGANIZATION_IDENTIFIER, f"NTRCN-{bench_uscc(index)}"),
                        (NameOID.COMMON_NAME, org))
        return SoftwareKey(key, self._issue(subject, key.public_key(), signing=True), [self.certificate])

    def issue_opener(self) -> x509.Certificate:
        """The opening certificate sealed bids are encrypted to (its key is thrown away: nobody opens them)."""
        key = ec.generate_private_key(ec.SECP256R1())
        subject = _name((NameOID.COUNTRY_NAME, "CN"), (NameOID.ORGANIZATION_NAME, "Bench Opening Committee"),
                        (NameOID.COMMON_NAME, "Bench Opening Committee"))
        return self._issue(subject, key.public_key(), signing=False)


def key_to_pem(key: SoftwareKey) -> tuple[bytes, bytes]:
    """(PKCS#8 key, certificate) PEM, to hand a key to a worker process."""
    private = key._key
    return (private.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                  serialization.NoEncryption()),
            key.certificate.public_bytes(serialization.Encoding.PEM))


def key_from_pem(key_pem: bytes, cert_pem: bytes, chain_pem: bytes) -> SoftwareKey:
    private = serialization.load_pem_private_key(key_pem, None)
    return SoftwareKey(private, x509.load_pem_x509_certificate(cert_pem),  # type: ignore[arg-type]
                       [x509.load_pem_x509_certificate(chain_pem)])


def signer_for(key: SoftwareKey) -> Callable[[bytes], bytes]:
    from crypto import cms_sign

    return lambda data: cms_sign.sign_detached(data, key)


# --- sealed bids -----------------------------------------------------------------------------------


class _Zeros(io.RawIOBase):
    """``length`` zero bytes. The plaintext of a benchmark bid need not be random: AES-GCM output is
    indistinguishable from random whatever goes in, and zeros cost nothing to make."""

    def __init__(self, length: int) -> None:
        super().__init__()
        self.left = length

    def readable(self) -> bool:
        return True

    def readinto(self, b: Any) -> int:
        n = min(len(b), self.left)
        view = memoryview(b)
        view[:n] = bytes(n) if n < (1 << 16) else b"\0" * n
        self.left -= n
        return n


def make_envelope(path: Path, plaintext_size: int, recipient: x509.Certificate) -> Path:
    """A real CMS AuthEnvelopedData (AES-256-GCM, EC key agreement) of ``plaintext_size`` bytes: the
    server refuses anything that is not an envelope."""
    from crypto import cms_envelope

    with open(path, "wb") as out:
        cms_envelope.encrypt(_Zeros(plaintext_size), out, [recipient], length=plaintext_size)
    return path


# --- PostgreSQL ------------------------------------------------------------------------------------


def start_postgres(*, fsync: bool = True) -> Any:
    """A throwaway cluster (tests/server/pgcluster.py). The tests run it with fsync=off; a user's server
    fsyncs its commits, so by default so does the benchmark's (same options otherwise)."""
    from tests.server import pgcluster

    cluster = pgcluster.Cluster()
    if not fsync:
        return cluster.start()
    cluster.sockets.mkdir()
    if cluster._as_postgres:
        import shutil

        shutil.chown(cluster.root, "postgres")
        shutil.chown(cluster.sockets, "postgres")
    cluster._run([pgcluster._bin("initdb"), "-D", str(cluster.data), "-A", "trust", "-U", "postgres",
                  "-E", "UTF8", "--no-sync"])
    options = (f"-p {cluster.port} -k {cluster.sockets} -c listen_addresses=127.0.0.1 "
               "-c max_connections=300 -c shared_buffers=64MB")
    cluster._run([pgcluster._bin("pg_ctl"), "-D", str(cluster.data), "-o", options, "-l",
                  str(cluster.root / "log"), "-w", "start"])
    return cluster


# --- the server ------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _server_cli(*args: str, env: dict[str, str] | None = None) -> None:
    done = subprocess.run([sys.executable, "-m", "server.cli", *args], cwd=REPO, capture_output=True, text=True,
                          check=False, env=env)
    if done.returncode != 0:
        raise RuntimeError(f"bidclient-server {' '.join(args[:2])} failed: {done.stderr.strip()}")


def init_server(data: Path, ca_pem: Path, database_url: str = "") -> None:
    """``bidclient-server init`` and ``admin trust-add CA``, as an administrator would."""
    args = ["init", "--data", str(data)]
    if database_url:
        args += ["--database-url", database_url]
    _server_cli(*args)
    _server_cli("admin", "trust-add", "--data", str(data), str(ca_pem))


def set_max_chunk_size(data: Path, size: int) -> None:
    """server.json's max_chunk_size (read by ``server.cli``): the only server setting the benchmarks touch."""
    config_path = data / "server.json"
    config = json.loads(config_path.read_text())
    config["max_chunk_size"] = size
    config_path.write_text(json.dumps(config, indent=2))


def make_tender(data: Path, *, deadline_in: dt.timedelta = dt.timedelta(hours=1)) -> str:
    """A published tender inserted directly, as the submission tests do: publishing is not measured."""
    from tests.server.submission_helpers import make_tender as insert

    return insert(data, deadline_in=deadline_in)


def set_deadline(data: Path, tender_id: str, deadline: dt.datetime) -> None:
    from tests.server.submission_helpers import set_times

    set_times(data, tender_id, deadline=deadline, opening=deadline + dt.timedelta(minutes=5))


def _proc_status(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])  # kB
    raise KeyError(field)


def proc_cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process (all its threads) from /proc/PID/stat."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


@dataclass
class ServerProcess:
    """``python -m server.cli run`` in a child process (the process a user runs)."""

    proc: subprocess.Popen[bytes]
    url: str
    log: Path

    @classmethod
    def start(cls, data: Path, *, log: Path, env_extra: dict[str, str] | None = None,
              extra_args: Sequence[str] = ()) -> ServerProcess:
        port = free_port()
        env = dict(os.environ)
        env.update(env_extra or {})
        out = open(log, "ab")
        proc = subprocess.Popen([sys.executable, "-m", "server.cli", "run", "--data", str(data), "--host",
                                 "127.0.0.1", "--port", str(port), *extra_args], cwd=REPO, env=env,
                                stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
        out.close()
        server = cls(proc, f"http://127.0.0.1:{port}", log)
        server.wait_ready()
        return server

    def wait_ready(self, timeout: float = 30) -> None:
        import requests

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"the server exited at start (status {self.proc.returncode}); see {self.log}")
            try:
                if requests.get(self.url + "/api/v1/health", timeout=1).ok:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"the server did not answer within {timeout} s; see {self.log}")

    @property
    def pid(self) -> int:
        return self.proc.pid

    def processes(self) -> list[int]:
        """The server's processes: the one started, and with several workers (`run --workers`, the
        default on PostgreSQL) uvicorn's worker processes, which share its process group."""
        pids = []
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[2]) == self.pid and fields[0] != "Z":
                pids.append(int(stat.parent.name))
        return pids or [self.pid]

    def _sum(self, read: Callable[[int], float]) -> float:
        total = 0.0
        for pid in self.processes():
            try:
                total += read(pid)
            except (OSError, ValueError, KeyError):  # a process that just ended
                pass
        return total

    def peak_rss_mib(self) -> float:
        """The sum of every server process's own peak (an upper bound of the peak of the whole)."""
        return self._sum(lambda pid: _proc_status(pid, "VmHWM")) / 1024

    def rss_mib(self) -> float:
        return self._sum(lambda pid: _proc_status(pid, "VmRSS")) / 1024

    def threads(self) -> int:
        return int(self._sum(lambda pid: _proc_status(pid, "Threads")))

    def cpu_seconds(self) -> float:
        """User + system CPU of the server's processes that are alive (workers persist for a run)."""
        return self._sum(proc_cpu_seconds)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


class PySpy:
    """``py-spy record`` of one process into collapsed stacks, for the "where does the time go" tables."""

    def __init__(self, pid: int, out: Path, rate: int = 200, *, gil: bool = False) -> None:
        """``gil``: sample only the thread holding the GIL (where a CPU-bound server's time goes)."""
        self.out = out
        self.proc = subprocess.Popen(["py-spy", "record", "--pid", str(pid), "--format", "raw", "--rate", str(rate),
                                      "--threads", "--function", "--nonblocking", *(["--gil"] if gil else []),
                                      "-o", str(out)],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def stop(self) -> None:
        import signal

        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def top_frames(collapsed: Path, n: int = 12) -> list[tuple[str, float]]:
    """The functions most often on top of a stack (self time), as shares of all samples, idle excluded."""
    counts: dict[str, int] = {}
    total = 0
    idle = ("select (selectors.py", "wait (threading.py", "_worker (concurrent/futures/thread.py",
            "get (queue.py", "run_forever", "_run_once", "wait_for_tstate_lock")
    try:
        lines = collapsed.read_text().splitlines()
    except OSError:
        return []
    for line in lines:
        stack, _, count = line.rpartition(" ")
        leaf = stack.split(";")[-1]
        if any(marker in leaf for marker in idle):
            continue
        counts[leaf] = counts.get(leaf, 0) + int(count)
        total += int(count)
    return [(k, v / total) for k, v in sorted(counts.items(), key=lambda kv: -kv[1])[:n]] if total else []


# --- reference sinks -------------------------------------------------------------------------------


def _socket_sink(port: int) -> None:
    """The least an HTTP/1.1 server can do with a PUT: read the headers, read Content-Length bytes
    into one reused buffer, answer 200. A thread per connection, keep-alive."""
    listener = socket.create_server(("127.0.0.1", port))
    buf = bytearray(1 << 20)

    def serve(conn: socket.socket) -> None:
        view = memoryview(bytearray(1 << 20))
        pending = b""
        with conn:
            while True:
                while b"\r\n\r\n" not in pending:
                    more = conn.recv(65536)
                    if not more:
                        return
                    pending += more
                head, _, pending = pending.partition(b"\r\n\r\n")
                m = re.search(rb"(?im)^content-length:\s*(\d+)", head)
                left = int(m.group(1)) if m else 0
                take = min(left, len(pending))
                left -= take
                pending = pending[take:]
                while left:
                    n = conn.recv_into(view, min(left, len(view)))
                    if not n:
                        return
                    left -= n
                conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")

    del buf
    while True:
        conn, _ = listener.accept()
        threading.Thread(target=serve, args=(conn,), daemon=True).start()


async def _asgi_sink(scope: dict[str, Any], receive: Any, send: Any) -> None:
    """A bare ASGI app that reads and discards the body: the HTTP stack of the server without the app."""
    if scope["type"] == "lifespan":
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await send({"type": "lifespan.shutdown.complete"})
                return
    while True:
        message = await receive()
        if not message.get("more_body"):
            break
    await send({"type": "http.response.start", "status": 200, "headers": [(b"content-length", b"0")]})
    await send({"type": "http.response.body", "body": b""})


def _asgi_store(directory: Path) -> Any:
    """The least work a server can do for a hashed, durable, resumable upload, with no database and no
    checks: each chunk PUT is gathered, hashed (SHA-256, compared with the X-Chunk-SHA256 header),
    written at its offset and fdatasynced before the answer, in a thread off the event loop; POST
    /complete re-reads the whole file for its SHA-256. What the real server does beyond this is its
    overhead (authentication, the plan and record steps, the receipt)."""
    import asyncio
    import hashlib

    target = directory / "store.part"

    def store(data: bytearray, offset: int, expected: str) -> bool:
        if hashlib.sha256(data).hexdigest() != expected:
            return False
        fd = os.open(target, os.O_WRONLY | os.O_CREAT, 0o600)
        try:
            os.pwrite(fd, data, offset)
            os.fdatasync(fd)
        finally:
            os.close(fd)
        return True

    def whole() -> str:
        digest = hashlib.sha256()
        with open(target, "rb") as f:
            while block := f.read(1 << 20):
                digest.update(block)
        return digest.hexdigest()

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            await _asgi_sink(scope, receive, send)
            return
        body = bytearray()
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        path: str = scope["path"]
        headers = dict(scope["headers"])
        answer = b""
        status = 200
        if path.startswith("/chunks/"):
            ok = await asyncio.to_thread(store, body, int(path.rsplit("/", 1)[1]),
                                         headers.get(b"x-chunk-sha256", b"").decode())
            status = 200 if ok else 422
        elif path == "/complete":
            answer = (await asyncio.to_thread(whole)).encode()
        await send({"type": "http.response.start", "status": status,
                    "headers": [(b"content-length", str(len(answer)).encode())]})
        await send({"type": "http.response.body", "body": answer})

    return app


@dataclass
class Sink:
    proc: subprocess.Popen[bytes]
    url: str

    @classmethod
    def start(cls, kind: str, env_extra: dict[str, str] | None = None, *extra: str) -> Sink:
        port = free_port()
        env = dict(os.environ)
        env.update(env_extra or {})
        proc = subprocess.Popen([sys.executable, __file__, kind, str(port), *extra], cwd=REPO, env=env,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                    return cls(proc, f"http://127.0.0.1:{port}")
            except OSError:
                time.sleep(0.05)
        proc.kill()
        raise RuntimeError(f"the {kind} did not start")

    def cpu_seconds(self) -> float:
        return proc_cpu_seconds(self.proc.pid)

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=10)


def temp_dir(parent: Path, prefix: str) -> Path:
    parent.mkdir(parents=True, exist_ok=True)
    return Path(tempfile.mkdtemp(prefix=prefix, dir=parent))


if __name__ == "__main__":
    kind, port_text = sys.argv[1], sys.argv[2]
    if kind == "socket-sink":
        _socket_sink(int(port_text))
    elif kind == "asgi-sink":
        import uvicorn

        uvicorn.run(_asgi_sink, host="127.0.0.1", port=int(port_text), log_level="warning", access_log=False)
    elif kind == "asgi-store":
        import uvicorn

        uvicorn.run(_asgi_store(Path(sys.argv[3])), host="127.0.0.1", port=int(port_text), log_level="warning",
                    access_log=False)
    else:
        sys.exit(f"unknown sink {kind!r}")
