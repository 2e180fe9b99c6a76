"""The host's terminal opens a released bid in one pass (bidclient.opening._receive_and_open): the served
bytes' SHA-256 first, then the key, then the GCM tag, then the package checked as it decrypted — and nothing
of a bid that fails is left on disk. The HTTP response is the only stand-in (a few attributes); the envelope,
its AES-256-GCM and the package are real."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import os
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from bidclient import opening
from crypto import cms_envelope
from tests.bidclient.test_bidpackage import PDF, craft, make_bid_folder, verify, write


@pytest.fixture(scope="module")
def recipient() -> x509.Certificate:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "opening host")])
    now = dt.datetime.now(dt.UTC)
    return (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(days=1))
            .not_valid_after(now + dt.timedelta(days=30))
            .add_extension(x509.KeyUsage(digital_signature=False, content_commitment=False, key_encipherment=False,
                                         data_encipherment=False, key_agreement=True, key_cert_sign=False,
                                         crl_sign=False, encipher_only=False, decipher_only=False), critical=True)
            .sign(key, hashes.SHA256()))


def seal(package: bytes, recipient: x509.Certificate) -> tuple[bytes, bytes]:
    """(the sealed bid, its content key)."""
    out = io.BytesIO()
    with cms_envelope.EnvelopeWriter(out, [recipient], length=len(package), keep_content_key=True) as writer:
        writer.write(package)
        key = writer.content_key
    return out.getvalue(), key


class Response:
    """What _receive_and_open reads of a streamed HTTP answer."""

    def __init__(self, body: bytes) -> None:
        self.headers = {"Content-Length": str(len(body))}
        self._body = body

    def iter_content(self, chunk_size: int) -> Any:
        for i in range(0, len(self._body), 100_000):  # pieces that do not line up with the cipher's
            yield self._body[i:i + 100_000]


def open_one(sealed: bytes, key: bytes, dest: Path, *, served: bytes | None = None) -> Any:
    bid = SimpleNamespace(envelope_sha256=hashlib.sha256(sealed).hexdigest())
    failure, stream = opening._receive_and_open(Response(served if served is not None else sealed), bid,
                                                lambda _sealed: key, dest)
    if failure is not None:
        return failure
    try:
        stream.check(verify)
        stream.keep()
    finally:
        stream.discard()
    return None


@pytest.fixture(scope="module")
def bid(tmp_path_factory: pytest.TempPathFactory, recipient: x509.Certificate) -> tuple[Path, bytes, bytes]:
    src = make_bid_folder(tmp_path_factory.mktemp("bid"))
    (src / "big.pdf").write_bytes(os.urandom(3 << 20))  # several cipher chunks
    package, _manifest = write(src)
    sealed, key = seal(package, recipient)
    return src, sealed, key


def test_a_sound_bid_is_kept_once_everything_verified(bid: tuple[Path, bytes, bytes], tmp_path: Path) -> None:
    src, sealed, key = bid
    assert open_one(sealed, key, tmp_path / "01-bid") is None
    assert (tmp_path / "01-bid" / "big.pdf").read_bytes() == (src / "big.pdf").read_bytes()
    kept = tmp_path / "01-bid" / "tech" / "proposal.pdf"
    assert kept.read_bytes() == (src / "tech" / "proposal.pdf").read_bytes()
    assert os.listdir(tmp_path) == ["01-bid"]


def test_a_hostile_package_under_a_valid_tag_is_refused_and_nothing_left(recipient: x509.Certificate,
                                                                       tmp_path: Path) -> None:
    sealed, key = seal(craft([("a.pdf", PDF), ("A.PDF", PDF)]), recipient)
    failure = open_one(sealed, key, tmp_path / "01-bid")
    assert failure[0] == "opening.bid_invalid"
    assert "occurs" in failure[1]  # the reader's reason: a duplicate name
    assert os.listdir(tmp_path) == []


def test_altered_ciphertext_is_a_decryption_failure_not_a_package_error(bid: tuple[Path, bytes, bytes],
                                                                        tmp_path: Path) -> None:
    """Garbage plaintext makes no sense as a ZIP, but what is reported is what the tag says."""
    _src, sealed, key = bid
    altered = bytearray(sealed)
    altered[2000] ^= 0x01  # inside the first file's bytes, early in the stream
    altered[len(altered) // 2] ^= 0xFF
    failure = open_one(bytes(altered), key, tmp_path / "01-bid")  # served as received: the hash matches
    assert failure[0] == "opening.decryption_failed"
    assert os.listdir(tmp_path) == []


def test_bytes_served_that_differ_from_the_receipt_are_judged_first(bid: tuple[Path, bytes, bytes],
                                                                    tmp_path: Path) -> None:
    _src, sealed, key = bid
    altered = bytearray(sealed)
    altered[-40] ^= 0xFF
    failure = open_one(sealed, key, tmp_path / "01-bid", served=bytes(altered))
    assert failure[0] == "opening.stored_bid_damaged"
    assert os.listdir(tmp_path) == []


def test_a_wrong_key_is_a_decryption_failure(bid: tuple[Path, bytes, bytes], tmp_path: Path) -> None:
    _src, sealed, _key = bid
    failure = open_one(sealed, os.urandom(32), tmp_path / "01-bid")
    assert failure[0] == "opening.decryption_failed"
    assert os.listdir(tmp_path) == []


def test_decrypt_into_keeps_each_buffer_until_the_next_call_returned(bid: tuple[Path, bytes, bytes]) -> None:
    """The contract the second hashing thread relies on: a buffer handed out is not refilled while the
    consumer may still read it (until its next call returned)."""
    _src, sealed, key = bid
    seen: list[tuple[Any, int, bytes]] = []
    pieces = bytearray()

    def consume(buffer: Any, n: int) -> None:
        if seen:
            previous, m, copy = seen[-1]
            assert bytes(previous[:m]) == copy  # the previous piece is still intact now
        seen.append((buffer, n, bytes(buffer[:n])))
        pieces.extend(buffer[:n])

    cms_envelope.decrypt_into(io.BytesIO(sealed), key, consume, size=len(sealed))
    assert len(seen) > 3
    whole = io.BytesIO()
    cms_envelope.decrypt_stream(io.BytesIO(sealed), whole, key)
    assert bytes(pieces) == whole.getvalue()
