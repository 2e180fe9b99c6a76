"""The seal's self-check: the bid on disk must open with the bidder's own key, or nothing is kept.

The self-check reads the file back while it is written and verifies the content with the key the
writer used, then has the bidder's key unwrap that key from the file (bidclient/sealing.py). These
tests break what reaches the file, or the bidder's own recipient entry, the way a faulty disk, file
system or writer would, and check that the seal fails with seal.self_check_failed and leaves nothing;
and that a good seal opens with OpenSSL and unzip and reports the hash of the file as it is on disk.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, BinaryIO

import pytest
from cryptography import x509

from bidclient import sealing
from bidclient.errors import BidclientError
from crypto import _cms_recipients, cms_envelope
from crypto.key_access import open_key
from crypto.pin import pin_from_source_spec
from devtools.pki import DevPki

pytestmark = pytest.mark.skipif(not (shutil.which("openssl") and shutil.which("unzip")),
                                reason="needs openssl and unzip")

BIG = 5 * (1 << 20) + 12_345  # several 1 MiB envelope segments and a partial one


@pytest.fixture
def bid_folder(tmp_path: Path) -> Path:
    src = tmp_path / "bid"
    (src / "tech").mkdir(parents=True)
    (src / "tech" / "drawings.pdf").write_bytes(b"%PDF-1.7 drawings\n" + os.urandom(BIG))
    (src / "报价单.pdf").write_bytes(b"%PDF-1.7 prices\n")
    return src


def seal_with(pki: DevPki, src: Path, out: Path) -> sealing.SealResult:
    bidder = pki.party("ent-a")
    opener = x509.load_pem_x509_certificate(pki.party("opener-1").encryption_cert.read_bytes())  # type: ignore[union-attr]
    target = sealing.TenderTarget(tender_id="ZB-2026-0042", tender_version=1, opening_certificates=[opener])
    assert bidder.signing_uri is not None
    # Enterprise A's SoftHSM token: a signing pair and an encryption pair, one PIN entry.
    with open_key(bidder.signing_uri, pin_from_source_spec(f"file:{pki.pin_file}")) as session:
        return sealing.seal(src, out, session=session, target=target)


class _Tampering:
    """The seal's output file with one fault between the writer and the file."""

    def __init__(self, stream: BinaryIO, fault: Callable[[int, bytes], bytes]) -> None:
        self._stream = stream
        self._fault = fault
        self.name = stream.name
        self.offset = 0

    def write(self, data: Any) -> int:
        data = bytes(data)
        self._stream.write(self._fault(self.offset, data))
        self.offset += len(data)
        return len(data)

    def flush(self) -> None:
        self._stream.flush()

    def fileno(self) -> int:
        return self._stream.fileno()


def tamper(monkeypatch: pytest.MonkeyPatch, fault: Callable[[int, bytes], bytes]) -> None:
    real = sealing.atomic_output

    @contextlib.contextmanager
    def faulty(path: Path) -> Iterator[Any]:
        with real(path) as stream:
            yield _Tampering(stream, fault)

    monkeypatch.setattr(sealing, "atomic_output", faulty)


def flip_at(position: Callable[[int], bool]) -> Callable[[int, bytes], bytes]:
    """Flip one bit of the first written byte whose offset satisfies ``position``."""
    done = [False]

    def fault(offset: int, data: bytes) -> bytes:
        if done[0]:
            return data
        for i in range(len(data)):
            if position(offset + i):
                done[0] = True
                changed = bytearray(data)
                changed[i] ^= 0x10
                return bytes(changed)
        return data

    return fault


def assert_nothing_left(tmp_path: Path, out: Path) -> None:
    assert not out.exists()
    assert [p.name for p in out.parent.iterdir() if p.name.startswith(".")] == []


def test_a_seal_is_hashed_as_it_is_on_disk_and_opens_with_openssl_and_unzip(
        pki: DevPki, bid_folder: Path, tmp_path: Path) -> None:
    out = tmp_path / "sealed.bid"
    result = seal_with(pki, bid_folder, out)
    data = out.read_bytes()
    assert result.self_check_passed
    assert (result.envelope_sha256, result.envelope_size) == (hashlib.sha256(data).hexdigest(), len(data))
    # The opener (and, as the self-check proved, the bidder) open it with OpenSSL; the ZIP inside is sound.
    for name in ("opener-1", "ent-a"):
        who = pki.party(name)
        inner = tmp_path / f"{name}.zip"
        done = subprocess.run(["openssl", "cms", "-decrypt", "-binary", "-inform", "DER", "-in", str(out),
                               "-recip", str(who.encryption_cert), "-inkey", str(who.encryption_key),
                               "-out", str(inner)], capture_output=True, text=True, check=False)
        assert done.returncode == 0, done.stderr
        test = subprocess.run(["unzip", "-t", str(inner)], capture_output=True, text=True, check=False)
        assert test.returncode == 0 and "No errors detected" in test.stdout, test.stdout
    listing = subprocess.run(["unzip", "-Z1", str(inner)], capture_output=True, text=True, check=True).stdout
    assert listing.splitlines() == ["tech/drawings.pdf", "报价单.pdf", "manifest.json", "manifest.json.p7s"]
    subprocess.run(["unzip", "-q", str(inner), "-d", str(tmp_path / "u")], check=True)
    assert (tmp_path / "u" / "tech" / "drawings.pdf").read_bytes() == \
        (bid_folder / "tech" / "drawings.pdf").read_bytes()


@pytest.mark.parametrize("where", ["in the content", "in the last bytes (the tag)"])
def test_a_byte_changed_on_its_way_to_the_file_fails_the_seal_and_leaves_nothing(
        pki: DevPki, bid_folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, where: str) -> None:
    if where == "in the content":
        tamper(monkeypatch, flip_at(lambda offset: offset == 3 * (1 << 20) + 7))
    else:
        def tag_fault(offset: int, data: bytes) -> bytes:
            # The envelope (BER) ends with two end-of-contents markers, the tag's header, the 16-byte
            # tag and three end-of-contents markers, written at once; flip a bit of the tag.
            if len(data) == 4 + 2 + 16 + 6 and data[4:6] == b"\x04\x10":
                changed = bytearray(data)
                changed[-7] ^= 0x01
                return bytes(changed)
            return data

        tamper(monkeypatch, tag_fault)
    out = tmp_path / "sealed.bid"
    with pytest.raises(BidclientError) as caught:
        seal_with(pki, bid_folder, out)
    assert caught.value.code == "seal.self_check_failed"
    assert_nothing_left(tmp_path, out)


def test_a_lost_write_fails_the_seal_and_leaves_nothing(pki: DevPki, bid_folder: Path, tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    lost = [False]

    def drop(offset: int, data: bytes) -> bytes:
        if not lost[0] and offset >= 2 * (1 << 20):
            lost[0] = True
            return b""
        return data

    tamper(monkeypatch, drop)
    out = tmp_path / "sealed.bid"
    with pytest.raises(BidclientError) as caught:
        seal_with(pki, bid_folder, out)
    assert caught.value.code == "seal.self_check_failed"
    assert_nothing_left(tmp_path, out)


def test_a_bidder_entry_the_bidders_key_cannot_open_fails_the_seal(
        pki: DevPki, bid_folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # The content itself is sound, but the bidder's own recipient entry wraps another key: only the
    # unwrap with the bidder's real key shows that this bid would not open for them.
    own = x509.load_pem_x509_certificate(pki.party("ent-a").encryption_cert.read_bytes())  # type: ignore[union-attr]
    real = _cms_recipients.build_recipient_info

    def wrong_for_the_bidder(cert: x509.Certificate, key_transport: Any, cek: bytes) -> Any:
        return real(cert, key_transport, os.urandom(len(cek)) if cert == own else cek)

    monkeypatch.setattr(cms_envelope, "build_recipient_info", wrong_for_the_bidder)
    out = tmp_path / "sealed.bid"
    with pytest.raises(BidclientError) as caught:
        seal_with(pki, bid_folder, out)
    assert caught.value.code == "seal.self_check_failed"
    assert "does not unwrap" in caught.value.message
    assert_nothing_left(tmp_path, out)
