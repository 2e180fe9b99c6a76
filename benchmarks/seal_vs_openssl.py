#!/usr/bin/env python3
"""Time and peak memory of encrypt, decrypt, seal and unseal on one large file, against OpenSSL.

    python3 benchmarks/seal_vs_openssl.py [--size 1GiB] [--repeat 3] [--workdir DIR] [--markdown PATH]

Every measured operation runs as its own child process, so its peak RSS is its own (``ru_maxrss`` from
``os.wait4`` on that child, KiB on Linux) and its wall time includes interpreter start-up, as a user
would see it. The reference is ``openssl cms -encrypt -binary -stream -aes-256-gcm`` on the same file in
the same run; ratios are against it (decrypt: against ``openssl cms -decrypt``). Speed is reported, not
asserted: nothing here fails because something is slow.

The input stays in the page cache for every run alike (a warm-up read precedes the runs; dropping the
cache needs root games that would skew the machine for everyone). After each run the script calls
``sync`` and reports how long it took, because bidclient fsyncs its outputs (they must survive a crash
before they are renamed into place) while OpenSSL leaves its output dirty in the page cache.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from contextlib import AbstractContextManager

    from cryptography import x509

    from crypto.key_access import KeySession

REPO = Path(__file__).resolve().parent.parent
PASSWORD_ENV = "BIDCLIENT_BENCH_P12_PASSWORD"  # noqa: S105 - a variable name, not a password
PASSWORD = "bench-password"  # noqa: S105 - protects throwaway benchmark keys
MiB = 1 << 20


# --- sizes and formatting ------------------------------------------------------------------------

_UNITS = {"": 1, "b": 1, "k": 10**3, "kb": 10**3, "kib": 1 << 10, "m": 10**6, "mb": 10**6, "mib": 1 << 20,
          "g": 10**9, "gb": 10**9, "gib": 1 << 30}


def parse_size(text: str) -> int:
    m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*", text)
    if not m or m.group(2).lower() not in _UNITS:
        raise argparse.ArgumentTypeError(f"not a size: {text!r} (try 1GiB, 256MiB, 100MB)")
    return int(float(m.group(1)) * _UNITS[m.group(2).lower()])


def human_size(n: int) -> str:
    for unit, div in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if n >= div and n % div == 0:
            return f"{n // div} {unit}"
    return f"{n} bytes"


# --- child modes (python3 seal_vs_openssl.py --child MODE ...) -------------------------------------
# Run in a fresh interpreter so their RSS and time are their own.


def _child(argv: Sequence[str]) -> int:
    sys.path.insert(0, str(REPO))
    mode, *rest = argv
    if mode == "py-sha256":
        return _child_sha256(Path(rest[0]))
    if mode == "py-aesgcm":
        return _child_aesgcm(Path(rest[0]))
    if mode == "api-encrypt":
        return _child_api_encrypt(Path(rest[0]), Path(rest[1]), Path(rest[2]))
    if mode == "seal-no-check":
        return _child_seal_no_check(Path(rest[0]), Path(rest[1]), Path(rest[2]), Path(rest[3]))
    if mode == "self-check":
        return _child_self_check(Path(rest[0]), Path(rest[1]), Path(rest[2]))
    raise SystemExit(f"unknown child mode {mode!r}")


def _child_sha256(path: Path) -> int:
    """hashlib's SHA-256 over the file, 4 MiB reads: the hashing ceiling for the Python stack."""
    sha = hashlib.sha256()
    buf = bytearray(4 * MiB)
    view = memoryview(buf)
    with open(path, "rb", buffering=0) as f:
        while n := f.readinto(view):
            sha.update(view[:n])
    print(sha.hexdigest())
    return 0


def _child_aesgcm(path: Path) -> int:
    """cryptography's streaming AES-256-GCM over the file, 1 MiB update_into, output discarded."""
    from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

    ctx = Cipher(algorithms.AES(os.urandom(32)), modes.GCM(os.urandom(12))).encryptor()
    buf = bytearray(4 * MiB)
    view = memoryview(buf)
    out = bytearray(MiB + 16)
    with open(path, "rb", buffering=0) as f:
        while n := f.readinto(view):
            for i in range(0, n, MiB):
                ctx.update_into(view[i:min(i + MiB, n)], out)
    ctx.finalize()
    return 0


def _load_cert(path: Path) -> x509.Certificate:
    from cryptography import x509

    return x509.load_pem_x509_certificate(path.read_bytes())


def _child_api_encrypt(src: Path, dst: Path, cert: Path) -> int:
    """crypto.cms_envelope.encrypt to a plain file: no CLI parsing, no atomic rename, no fsync."""
    from crypto import cms_envelope

    with open(src, "rb") as fin, open(dst, "wb") as fout:
        cms_envelope.encrypt(fin, fout, [_load_cert(cert)])
    return 0


def _open_key(p12: Path) -> AbstractContextManager[KeySession]:
    from crypto.key_access import open_key
    from crypto.pin import pin_from_source_spec

    return open_key(str(p12), pin_from_source_spec(f"env:{PASSWORD_ENV}"))


def _child_seal_no_check(bid_dir: Path, out: Path, p12: Path, opener: Path) -> int:
    """bidclient.sealing.seal with its self-check replaced by nothing: hash + zip + sign + encrypt (no
    read-back, no envelope SHA-256, no key unwrap).

    Saves the plaintext size next to ``out`` so that the self-check child can compare against it.
    """
    from bidclient import sealing

    written: list[int] = []

    class NoCheck:
        def __init__(self, *_args: object, **_kw: object) -> None:
            pass

        def start(self, _key: bytes) -> None:
            pass

        def join(self) -> None:
            pass

        def result(self, plaintext_size: int, *_args: object) -> tuple[str, int]:
            written.append(plaintext_size)  # the self-check child compares against it
            return "0" * 64, 0

    sealing._SelfCheck = NoCheck  # type: ignore[assignment,misc]  # time the seal without it
    target = sealing.TenderTarget(tender_id="BENCH-1", tender_version=1,
                                  opening_certificates=[_load_cert(opener)])
    with _open_key(p12) as session:
        sealing.seal(bid_dir, out, session=session, target=target)
    out.with_name(out.name + ".plaintext-size").write_text(str(written[0]))
    return 0


def _child_self_check(bid: Path, size_file: Path, p12: Path) -> int:
    """The seal's self-check alone, on a finished file (in a seal it runs while the file is written):
    read it once, SHA-256 and GCM-decrypt what is read (tag verified, no plaintext written), then the
    bidder's key unwraps the content key, which must be the one the content verified under."""
    import io

    from bidclient import sealing
    from crypto import cms_envelope

    with _open_key(p12) as session:
        decrypter = session.decrypter(session.encryption_certificate)
        with open(bid, "rb") as head:
            key = cms_envelope.content_key(head, decrypter)
        published = sealing._Published(io.BytesIO())
        published.visible = bid.stat().st_size
        published.finish()
        check = sealing._SelfCheck(bid, published, cancel=None)
        check.start(key)
        check.join()
        check.result(int(size_file.read_text()), key, decrypter)
    return 0


# --- the test material ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Material:
    work: Path
    big: Path  # the large random file, inside bid_dir
    bid_dir: Path
    ca_dir: Path  # trust list for unseal
    bidder_p12: Path
    opener_p12: Path
    opener_cert: Path
    opener_key: Path


def make_keys(root: Path) -> tuple[Path, Path, Path, Path, Path]:
    """A root CA, a bidder (sign + encrypt in one RSA certificate, so one PKCS#12 file can seal) and an
    opener (encryption). Returns (ca_dir, bidder_p12, opener_p12, opener_cert_pem, opener_key_pem)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.hazmat.primitives.serialization import pkcs12
    from cryptography.x509.oid import NameOID

    now = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=5)

    def name(cn: str) -> x509.Name:
        return x509.Name([x509.NameAttribute(NameOID.COUNTRY_NAME, "CN"),
                          x509.NameAttribute(NameOID.ORGANIZATION_NAME, "bidclient benchmark"),
                          x509.NameAttribute(NameOID.COMMON_NAME, cn)])

    def ku(*, sign: bool, encrypt: bool, ca: bool = False) -> x509.KeyUsage:
        return x509.KeyUsage(digital_signature=sign, content_commitment=sign, key_encipherment=encrypt,
                             data_encipherment=False, key_agreement=False, key_cert_sign=ca, crl_sign=ca,
                             encipher_only=False, decipher_only=False)

    ca_key = rsa.generate_private_key(public_exponent=65537, key_size=3072)
    ca_cert = (x509.CertificateBuilder().subject_name(name("Benchmark Root CA"))
               .issuer_name(name("Benchmark Root CA")).public_key(ca_key.public_key())
               .serial_number(x509.random_serial_number()).not_valid_before(now)
               .not_valid_after(now + dt.timedelta(days=30))
               .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
               .add_extension(ku(sign=False, encrypt=False, ca=True), critical=True)
               .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
               .sign(ca_key, hashes.SHA256()))

    def leaf(cn: str, *, sign: bool, encrypt: bool) -> tuple[rsa.RSAPrivateKey, x509.Certificate]:
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        cert = (x509.CertificateBuilder().subject_name(name(cn)).issuer_name(ca_cert.subject)
                .public_key(key.public_key()).serial_number(x509.random_serial_number())
                .not_valid_before(now).not_valid_after(now + dt.timedelta(days=30))
                .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
                .add_extension(ku(sign=sign, encrypt=encrypt), critical=True)
                .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()),
                               critical=False)
                .sign(ca_key, hashes.SHA256()))
        return key, cert

    pem = serialization.Encoding.PEM
    ca_dir = root / "trust"
    ca_dir.mkdir()
    (ca_dir / "root.pem").write_bytes(ca_cert.public_bytes(pem))
    enc = serialization.BestAvailableEncryption(PASSWORD.encode())
    bidder_key, bidder_cert = leaf("Benchmark Bidder", sign=True, encrypt=True)
    opener_key, opener_cert = leaf("Benchmark Opener", sign=False, encrypt=True)
    bidder_p12 = root / "bidder.p12"
    bidder_p12.write_bytes(pkcs12.serialize_key_and_certificates(b"bidder", bidder_key, bidder_cert,
                                                                 [ca_cert], enc))
    opener_p12 = root / "opener.p12"
    opener_p12.write_bytes(pkcs12.serialize_key_and_certificates(b"opener", opener_key, opener_cert,
                                                                 [ca_cert], enc))
    opener_cert_pem = root / "opener.pem"
    opener_cert_pem.write_bytes(opener_cert.public_bytes(pem))
    opener_key_pem = root / "opener.key.pem"
    opener_key_pem.write_bytes(opener_key.private_bytes(pem, serialization.PrivateFormat.PKCS8,
                                                        serialization.NoEncryption()))
    return ca_dir, bidder_p12, opener_p12, opener_cert_pem, opener_key_pem


def make_material(work: Path, size: int) -> Material:
    bid_dir = work / "bid"
    (bid_dir / "attachments").mkdir(parents=True)
    big = bid_dir / "attachments" / "drawings.bin"
    chunk = 16 * MiB
    with open(big, "wb") as f:
        left = size
        while left:
            n = min(chunk, left)
            f.write(os.urandom(n))
            left -= n
    (bid_dir / "bid-letter.pdf").write_bytes(b"%PDF-1.7\n" + os.urandom(300_000))
    (bid_dir / "prices.csv").write_text("item,price\nfoundation,1200000\nsteel,3400000\n", encoding="utf-8")
    ca_dir, bidder_p12, opener_p12, opener_cert, opener_key = make_keys(work)
    return Material(work, big, bid_dir, ca_dir, bidder_p12, opener_p12, opener_cert, opener_key)


# --- running and measuring -----------------------------------------------------------------------


@dataclass
class Sample:
    seconds: float
    cpu_seconds: float
    max_rss_kib: int
    sync_seconds: float


@dataclass
class Op:
    key: str
    label: str
    argv: Callable[[], list[str]]
    nbytes: int
    reference: str | None = None  # key of the op this one is compared with
    goal: float | None = None  # ratio to the reference that the issue asks for (<=)
    rss_goal_mib: float | None = None
    cleanup: Callable[[], None] = lambda: None  # before each run (outputs must not exist)
    once: bool = False  # run once even with --repeat N (interop checks)
    note: str = ""
    samples: list[Sample] = field(default_factory=list)

    @property
    def seconds(self) -> float:
        return statistics.median(s.seconds for s in self.samples)

    @property
    def cpu_seconds(self) -> float:
        return statistics.median(s.cpu_seconds for s in self.samples)

    @property
    def sync_seconds(self) -> float:
        return statistics.median(s.sync_seconds for s in self.samples)

    @property
    def max_rss_mib(self) -> float:
        return max(s.max_rss_kib for s in self.samples) / 1024


GNU_TIME = "/usr/bin/time"


def run_measured(argv: list[str], env: dict[str, str], cwd: Path) -> Sample:
    """Run ``argv`` as a child: wall time measured here, peak RSS and CPU time from GNU time.

    Through GNU time rather than os.wait4 on our own child: Linux carries the RSS of the process that
    forked into the child's ru_maxrss, and this (Python) parent is ~50 MiB, which would hide the
    measured command's own peak. GNU time forks from a ~2 MiB process.
    """
    stats = cwd / ".time-stats"
    start = time.perf_counter()
    proc = subprocess.run([GNU_TIME, "-o", str(stats), "-f", "%M %U %S", *argv], env=env, cwd=cwd,
                          capture_output=True, check=False)
    seconds = time.perf_counter() - start
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)} exited {proc.returncode}:\n"
                           f"{proc.stderr.decode(errors='replace')}{proc.stdout.decode(errors='replace')}")
    # GNU time may put a "Command exited..." line first; the format line is the last one.
    rss_kib, user, system = stats.read_text().splitlines()[-1].split()
    stats.unlink()
    t = time.perf_counter()
    os.sync()
    sync_seconds = time.perf_counter() - t
    return Sample(seconds, float(user) + float(system), int(rss_kib), sync_seconds)


def _rm(*paths: Path) -> Callable[[], None]:
    def clean() -> None:
        for p in paths:
            if p.is_dir() and not p.is_symlink():
                shutil.rmtree(p)
            else:
                p.unlink(missing_ok=True)
            for stray in p.parent.glob(f".{p.name}.*"):  # temporaries a failed run may leave
                if stray.is_dir():
                    shutil.rmtree(stray, ignore_errors=True)
                else:
                    stray.unlink(missing_ok=True)
    return clean


def build_ops(m: Material, size: int, py: str, with_cbc: bool) -> list[Op]:
    out = m.work / "out"
    out.mkdir(exist_ok=True)
    me = str(Path(__file__).resolve())
    cli = [py, "-m", "bidclient.cli.main"]
    pin = ["--pin-source", f"env:{PASSWORD_ENV}"]
    ossl_p7m = out / "openssl.p7m"
    ours_p7m = out / "ours.p7m"
    api_p7m = out / "api.p7m"
    sealed = out / "sealed.bid"
    sealed_nc = out / "sealed-no-check.bid"
    plain = out / "plain.out"
    unsealed = out / "unsealed"
    total = sum(p.stat().st_size for p in m.bid_dir.rglob("*") if p.is_file())
    big = str(m.big)
    ops = [
        Op("sha256sum", "baseline: sha256sum", lambda: ["sha256sum", big], size),
        Op("ossl-sha256", "baseline: openssl dgst -sha256",
           lambda: ["openssl", "dgst", "-sha256", big], size),
        Op("py-start", "baseline: start-up (bidclient --version)", lambda: [*cli, "--version"], 0),
        Op("py-sha256", "baseline: Python hashlib SHA-256",
           lambda: [py, me, "--child", "py-sha256", big], size),
        Op("py-aesgcm", "baseline: Python AES-256-GCM (no output)",
           lambda: [py, me, "--child", "py-aesgcm", big], size),
        Op("cp", "baseline: cp (write 1 copy)", lambda: ["cp", big, str(plain)], size, cleanup=_rm(plain)),
        Op("ossl-enc", "openssl cms -encrypt -stream (reference)",
           lambda: ["openssl", "cms", "-encrypt", "-binary", "-stream", "-aes-256-gcm", "-outform", "DER",
                    "-in", big, "-out", str(ossl_p7m), str(m.opener_cert)], size, cleanup=_rm(ossl_p7m)),
        Op("ossl-dec", "openssl cms -decrypt (reference for decrypt)",
           lambda: ["openssl", "cms", "-decrypt", "-binary", "-inform", "DER", "-in", str(ossl_p7m),
                    "-inkey", str(m.opener_key), "-recip", str(m.opener_cert), "-out", str(plain)],
           size, cleanup=_rm(plain)),
        Op("enc-cli", "bidclient encrypt (CLI)",
           lambda: [*cli, "encrypt", big, "--to", str(m.opener_cert), "-o", str(ours_p7m)], size,
           reference="ossl-enc", goal=1.0, rss_goal_mib=64, cleanup=_rm(ours_p7m)),
        Op("enc-api", "cms_envelope.encrypt (API, no fsync)",
           lambda: [py, me, "--child", "api-encrypt", big, str(api_p7m), str(m.opener_cert)], size,
           reference="ossl-enc", goal=1.0, rss_goal_mib=64, cleanup=_rm(api_p7m)),
        Op("dec-cli", "bidclient decrypt (CLI, our DER)",
           lambda: [*cli, "decrypt", str(ours_p7m), "--key", str(m.opener_p12), *pin, "-o", str(plain)],
           size, reference="ossl-dec", goal=0.3, rss_goal_mib=64, cleanup=_rm(plain)),
        Op("dec-cli-ber", "bidclient decrypt (CLI, OpenSSL's BER -stream)",
           lambda: [*cli, "decrypt", str(ossl_p7m), "--key", str(m.opener_p12), *pin, "-o", str(plain)],
           size, reference="ossl-dec", goal=0.3, rss_goal_mib=64, cleanup=_rm(plain)),
        Op("ossl-dec-ours", "openssl cms -decrypt of our envelope (interop)",
           lambda: ["openssl", "cms", "-decrypt", "-binary", "-inform", "DER", "-in", str(ours_p7m),
                    "-inkey", str(m.opener_key), "-recip", str(m.opener_cert), "-out", str(plain)],
           size, reference="ossl-dec", cleanup=_rm(plain), once=True),
        Op("seal-cli", "bidclient seal (CLI: hash+zip+sign+encrypt+self-check)",
           lambda: [*cli, "seal", str(m.bid_dir), "--key", str(m.bidder_p12), *pin,
                    "--to", str(m.opener_cert), "--tender-id", "BENCH-1", "-o", str(sealed)],
           total, reference="ossl-enc", goal=1.2, rss_goal_mib=64, cleanup=_rm(sealed)),
        Op("seal-nc", "  seal without self-check (API)",
           lambda: [py, me, "--child", "seal-no-check", str(m.bid_dir), str(sealed_nc), str(m.bidder_p12),
                    str(m.opener_cert)],
           total, reference="ossl-enc", goal=1.2, rss_goal_mib=64,
           cleanup=_rm(sealed_nc, sealed_nc.with_name(sealed_nc.name + ".plaintext-size"))),
        Op("self-check", "  self-check alone (API: one read, SHA-256 + GCM decrypt with the tag verified, key unwrap)",
           lambda: [py, me, "--child", "self-check", str(sealed_nc),
                    str(sealed_nc.with_name(sealed_nc.name + ".plaintext-size")), str(m.bidder_p12)],
           total, reference="ossl-enc", rss_goal_mib=64),
        Op("unseal-cli", "bidclient unseal (CLI: decrypt+verify+extract)",
           lambda: [*cli, "unseal", str(sealed), "--key", str(m.opener_p12), *pin, "--trust", str(m.ca_dir),
                    "--revocation", "off", "-o", str(unsealed)],
           total, reference="ossl-dec", rss_goal_mib=64, cleanup=_rm(unsealed)),
    ]
    if with_cbc:
        cbc = out / "cbc.p7m"
        ops.insert(8, Op("enc-cli-cbc", "bidclient encrypt --cipher aes-256-cbc (CLI)",
                         lambda: [*cli, "encrypt", big, "--to", str(m.opener_cert), "--cipher", "aes-256-cbc",
                                  "-o", str(cbc)], size, reference="ossl-enc", rss_goal_mib=64,
                         cleanup=_rm(cbc)))
    return ops


def warm_up(path: Path) -> None:
    """Read the input once so it is in the page cache for every run alike."""
    buf = bytearray(16 * MiB)
    with open(path, "rb", buffering=0) as f:
        while f.readinto(buf):
            pass


def openssl_speed() -> dict[str, float]:
    """OpenSSL's raw single-core throughput (MB/s at 16 KiB blocks) for context."""
    found: dict[str, float] = {}
    for alg in ("aes-256-gcm", "sha256"):
        args = ["openssl", "speed", "-seconds", "2", "-bytes", "16384"]
        args += ["-evp", alg] if alg.startswith("aes") else [alg]
        res = subprocess.run(args, capture_output=True, text=True, check=False, timeout=60)
        for line in res.stdout.splitlines():
            parts = line.split()
            if parts and parts[0].lower() == alg and parts[-1].endswith("k"):
                found[alg] = float(parts[-1][:-1]) * 1000 / 1e6  # "1234567.89k" = kB/s (1000 bytes)
    return found


# --- report --------------------------------------------------------------------------------------


def machine_info() -> dict[str, str]:
    cpu = "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    flags = ""
    try:
        text = Path("/proc/cpuinfo").read_text()
        have = set(re.search(r"^flags\s*:(.*)$", text, re.M).group(1).split())  # type: ignore[union-attr]
        flags = " ".join(f for f in ("aes", "pclmulqdq", "sha_ni", "avx2", "vaes", "vpclmulqdq") if f in have)
    except (OSError, AttributeError):
        pass
    import cryptography

    ossl = subprocess.run(["openssl", "version"], capture_output=True, text=True, check=False).stdout.strip()
    return {"cpus": str(os.cpu_count()), "cpu": cpu, "cpu flags": flags,
            "python": platform.python_version(), "openssl": ossl,
            "cryptography": f"{cryptography.__version__} ({_cryptography_openssl()})",
            "kernel": platform.release(),
            # Other work on the machine skews every figure; the load average says how much there was.
            "load average at the end (1/5/15 min)": " ".join(f"{x:.2f}" for x in os.getloadavg())}


def _cryptography_openssl() -> str:
    from cryptography.hazmat.backends.openssl.backend import backend

    return str(backend.openssl_version_text())


def rows(ops: list[Op]) -> list[list[str]]:
    """One row per op that ran. "met?" judges the wall-time ratio and the peak RSS; the ratio with the
    following sync added is shown beside it because bidclient fsyncs its outputs and OpenSSL does not,
    and the CPU-time ratio because it moves less than wall time when other work shares the cores."""
    by_key = {op.key: op for op in ops}
    table = []
    for op in ops:
        if not op.samples:
            continue
        ref = by_key.get(op.reference) if op.reference else None
        have_ref = ref is not None and bool(ref.samples)
        ratio = op.seconds / ref.seconds if ref is not None and have_ref else None
        durable = (statistics.median(s.seconds + s.sync_seconds for s in op.samples)
                   / statistics.median(s.seconds + s.sync_seconds for s in ref.samples)
                   if ref is not None and have_ref else None)
        cpu_ratio = op.cpu_seconds / ref.cpu_seconds if ref is not None and have_ref else None
        goal_parts = []
        met_parts = []
        if op.goal is not None and ref is not None:
            goal_parts.append(f"≤ {op.goal:g}× {ref.key}")
            if ratio is not None:
                met_parts.append("yes" if ratio <= op.goal else "NO (time)")
            else:
                met_parts.append("? (no reference run)")
        if op.rss_goal_mib is not None:
            goal_parts.append(f"≤ {op.rss_goal_mib:g} MiB")
            met_parts.append("yes" if op.max_rss_mib <= op.rss_goal_mib else "NO (RSS)")
        met = "yes" if met_parts and all(p == "yes" for p in met_parts) else \
            ", ".join(p for p in met_parts if p != "yes")
        table.append([
            op.label, f"{op.seconds:.2f}", f"{op.sync_seconds:.2f}",
            f"{op.nbytes / op.seconds / 1e6:.0f}" if op.nbytes else "", f"{op.cpu_seconds:.2f}",
            f"{op.max_rss_mib:.0f}", f"{ratio:.2f}" if ratio is not None else "",
            f"{durable:.2f}" if durable is not None else "",
            f"{cpu_ratio:.2f}" if cpu_ratio is not None else "", ", ".join(goal_parts), met,
            str(len(op.samples)),
        ])
    return table


HEADERS = ["operation", "s (median)", "+sync s", "MB/s", "CPU s", "peak RSS MiB", "ratio", "ratio incl. sync",
           "CPU ratio", "goal", "met?", "runs"]
_TEXT_COLUMNS = (0, 9, 10)


def print_table(table: list[list[str]]) -> None:
    widths = [max(len(h), *(len(r[i]) for r in table)) for i, h in enumerate(HEADERS)]
    right = set(range(len(HEADERS))) - set(_TEXT_COLUMNS)

    def fmt(cells: Sequence[str]) -> str:
        return "  ".join(c.rjust(w) if i in right else c.ljust(w)
                         for i, (c, w) in enumerate(zip(cells, widths, strict=True)))

    print(fmt(HEADERS))
    print("  ".join("-" * w for w in widths))
    for r in table:
        print(fmt(r))


def markdown(table: list[list[str]], info: dict[str, str], speed: dict[str, float], size: int,
             repeat: int, workdir: Path) -> str:
    lines = [f"Run {dt.datetime.now().astimezone():%Y-%m-%d %H:%M %Z}: {human_size(size)} file, median of "
             f"{repeat} run(s), work directory {workdir}.", ""]
    for k, v in info.items():
        lines.append(f"- {k}: {v}")
    for alg, mbs in speed.items():
        lines.append(f"- `openssl speed` {alg} (16 KiB blocks, one core): {mbs:.0f} MB/s")
    lines += ["", "| " + " | ".join(HEADERS) + " |",
              "|" + "|".join("---" if i in _TEXT_COLUMNS else "---:" for i in range(len(HEADERS))) + "|"]
    for r in table:
        lines.append("| " + " | ".join(c.replace("|", "\\|") for c in r) + " |")
    lines.append("")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["--child"]:
        return _child(argv[1:])
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--size", type=parse_size, default=1 << 30, help="size of the large file (default 1GiB)")
    ap.add_argument("--repeat", type=int, default=3,
                    help="runs per operation; the median is shown (default 3)")
    ap.add_argument("--workdir", type=Path, default=Path(tempfile.gettempdir()),
                    help="where the files go (a fresh folder inside it, removed at the end)")
    ap.add_argument("--markdown", type=Path, help="also write the table as Markdown here")
    ap.add_argument("--only", help="comma-separated op keys to run (their inputs are made as needed)")
    ap.add_argument("--cbc", action="store_true", help="also time --cipher aes-256-cbc")
    ap.add_argument("--keep", action="store_true", help="keep the work folder")
    args = ap.parse_args(argv)
    if args.repeat < 1:
        ap.error("--repeat must be at least 1")
    for tool in ("openssl", "sha256sum", "cp", GNU_TIME):
        if shutil.which(tool) is None:
            ap.error(f"{tool} is not installed")
    free = shutil.disk_usage(args.workdir).free
    if free < args.size * 7:
        ap.error(f"{args.workdir} has {free >> 20} MiB free; about {args.size * 7 >> 20} MiB are needed")

    work = Path(tempfile.mkdtemp(prefix="bidclient-bench-", dir=args.workdir))
    env = dict(os.environ)
    env[PASSWORD_ENV] = PASSWORD
    env["PYTHONPATH"] = os.pathsep.join([str(REPO), *filter(None, [env.get("PYTHONPATH")])])
    py = sys.executable
    try:
        print(f"making {human_size(args.size)} of random data and keys in {work} ...", flush=True)
        material = make_material(work, args.size)
        ops = build_ops(material, args.size, py, args.cbc)
        # Products later ops read: they are made by the op itself, whatever --only says.
        wanted = set(args.only.split(",")) if args.only else {op.key for op in ops}
        needs = {"ossl-dec": "ossl-enc", "dec-cli-ber": "ossl-enc", "dec-cli": "enc-cli",
                 "ossl-dec-ours": "enc-cli", "self-check": "seal-nc", "unseal-cli": "seal-cli"}
        refs = {op.key: op.reference for op in ops if op.reference}
        for key in list(wanted):
            for dep in (needs.get(key), refs.get(key), needs.get(refs.get(key) or "")):
                if dep:
                    wanted.add(dep)
        warm_up(material.big)
        os.sync()  # the material just written must not be flushed during the first measured run
        speed = openssl_speed()
        for op in ops:
            if op.key not in wanted:
                continue
            for i in range(1 if op.once else args.repeat):
                op.cleanup()
                sample = run_measured(op.argv(), env, work)
                op.samples.append(sample)
                print(f"  {op.key:14} run {i + 1}: {sample.seconds:6.2f} s  "
                      f"{sample.max_rss_kib / 1024:6.0f} MiB  cpu {sample.cpu_seconds:5.2f} s  "
                      f"sync {sample.sync_seconds:4.2f} s", flush=True)
        info = machine_info()
        table = rows(ops)
        print()
        for k, v in info.items():
            print(f"{k}: {v}")
        for alg, mbs in speed.items():
            print(f"openssl speed {alg} (16 KiB, one core): {mbs:.0f} MB/s")
        print()
        print_table(table)
        if args.markdown:
            args.markdown.write_text(markdown(table, info, speed, args.size, args.repeat, args.workdir),
                                     encoding="utf-8")
            print(f"\nMarkdown written to {args.markdown}")
    finally:
        if args.keep:
            print(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
