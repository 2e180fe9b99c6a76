"""The opening terminal's own work on one sealed bid, without the server or HTTP: the one-pass path of
``bidclient.opening._receive_and_open`` (envelope SHA-256 on a thread, AES-256-GCM, the package parsed and
every file hashed on a second thread, the central directory checked, the manifest checked), against the
least work over the same bytes (one SHA-256 and one AES-256-GCM pass, one thread). Alternates the two
``--rounds`` times and prints wall and CPU time (all threads) of each, and their ratios.

    python3 benchmarks/opening_one_pass.py [--size 200MB] [--rounds 5] [--copies DIR]

The sealed bid (one file of SIZE random bytes, sealed with the reference writer and EnvelopeWriter) is held
in memory and served in 1 MiB pieces, as the download hands them over. ``--copies DIR`` also writes the
verified copy into DIR (as ``open-bids -o``), removed after each round.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path
from types import SimpleNamespace
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _server_fixture as fx

BLOCK = 1 << 20


def _certificate() -> Any:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "opening host")])
    now = dt.datetime.now(dt.UTC)
    usage = x509.KeyUsage(digital_signature=False, content_commitment=False, key_encipherment=False,
                          data_encipherment=False, key_agreement=True, key_cert_sign=False, crl_sign=False,
                          encipher_only=False, decipher_only=False)
    return (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(1).not_valid_before(now - dt.timedelta(days=1)).not_valid_after(now + dt.timedelta(days=1))
            .add_extension(usage, critical=True).sign(key, hashes.SHA256()))


class _Response:
    def __init__(self, body: bytes) -> None:
        self.headers = {"Content-Length": str(len(body))}
        self._body = memoryview(body)

    def iter_content(self, chunk_size: int) -> Any:
        for i in range(0, len(self._body), chunk_size):
            yield bytes(self._body[i:i + chunk_size])  # a download hands over new bytes objects


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=fx.parse_size, default=fx.parse_size("200MB"))
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--copies", type=Path, help="also write the verified copy into this folder")
    args = parser.parse_args()

    from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

    from bidclient import opening
    from bidclient.bidpackage.writer import write_package
    from crypto import cms_envelope

    src = Path(tempfile.mkdtemp(prefix="opening-one-pass-"))
    try:
        with open(src / "proposal.pdf", "wb") as f:
            for left in range(args.size, 0, -16 * BLOCK):
                f.write(os.urandom(min(left, 16 * BLOCK)))
        plain = _Collect()
        write_package(plain, src, tender_id="T-1", tender_version=1, signing_certificate_sha256="a" * 64,
                      sign_manifest=lambda data: b"signature")
        package = plain.value()
    finally:
        shutil.rmtree(src, ignore_errors=True)
    sealed_out = _Collect()
    with cms_envelope.EnvelopeWriter(sealed_out, [_certificate()], length=len(package),  # type: ignore[arg-type]
                                     keep_content_key=True) as writer:
        writer.write(package)
        key = writer.content_key
    sealed = sealed_out.value()
    del package
    bid = SimpleNamespace(envelope_sha256=hashlib.sha256(sealed).hexdigest())

    def product() -> None:
        dest = None if args.copies is None else args.copies / "01-bid"
        failure, stream = opening._receive_and_open(_Response(sealed), bid, lambda _sealed: key, dest)  # type: ignore[arg-type]
        assert failure is None and stream is not None, failure
        stream.check(lambda manifest, signature: None)
        stream.keep()
        stream.discard()
        if dest is not None:
            shutil.rmtree(dest)

    def reference() -> None:
        view = memoryview(sealed)
        decryptor = Cipher(algorithms.AES(os.urandom(32)), modes.GCM(os.urandom(12))).decryptor()
        out = bytearray(BLOCK + 16)
        digest = hashlib.sha256()
        for i in range(0, len(view), BLOCK):
            digest.update(view[i:i + BLOCK])
            decryptor.update_into(view[i:i + BLOCK], out)

    times: dict[str, list[tuple[float, float]]] = {"reference": [], "product": []}
    print(f"one sealed bid of {fx.human_size(len(sealed))}; load average {fx.loadavg()}"
          + (f"; copies written into {args.copies}" if args.copies else "; verify only"))
    for _ in range(args.rounds):
        for name, run in (("reference", reference), ("product", product)):
            wall, cpu = time.perf_counter(), time.process_time()
            run()
            times[name].append((time.perf_counter() - wall, time.process_time() - cpu))
    ref_wall = min(t[0] for t in times["reference"])
    ref_cpu = min(t[1] for t in times["reference"])
    prod_wall = min(t[0] for t in times["product"])
    prod_cpu = min(t[1] for t in times["product"])
    print("| | wall (s, best of rounds) | CPU, all threads (s) |")
    print("|---|---|---|")
    print(f"| least work: SHA-256 + AES-GCM | {ref_wall:.3f} | {ref_cpu:.3f} |")
    print(f"| the one-pass opening | {prod_wall:.3f} | {prod_cpu:.3f} |")
    print(f"| **ratio** | **{prod_wall / ref_wall:.2f}×** | **{prod_cpu / ref_cpu:.2f}×** |")
    print(f"load average after: {fx.loadavg()}")


class _Collect:
    def __init__(self) -> None:
        self._parts: list[bytes] = []

    def write(self, data: Any) -> int:
        self._parts.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        pass

    def value(self) -> bytes:
        return b"".join(self._parts)


if __name__ == "__main__":
    main()
