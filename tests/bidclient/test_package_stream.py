"""The opening's one-pass package check (bidclient.bidpackage.stream): fed the decrypted bytes as they come,
it accepts what the writer writes, keeps a copy identical to the bid folder, and refuses every hostile
package the file reader refuses — plus the ones only a streaming parser could be fooled by: a central
directory that differs from the local headers, an entry hidden from either, an entry running past the end,
size lies, a data descriptor that is missing or lies, a descriptor planted inside a file's bytes."""

from __future__ import annotations

import hashlib
import io
import os
import struct
import zipfile
from pathlib import Path

import pytest

from bidclient.bidpackage.errors import BidPackageError
from bidclient.bidpackage.manifest import Limits
from bidclient.bidpackage.stream import PackageStream
from tests.bidclient.test_bidpackage import HOSTILE, PDF, craft, make_bid_folder, manifest_for, sign, verify, write

# The file reader computes CRC-32 (zipfile does); the stream does not (the signed SHA-256 is the integrity
# check), so altered data is refused for its SHA-256 instead.
STREAM_CODE = {"damaged data (CRC)": "sealed.hash_mismatch"}


def stream(data: bytes, keep_as: Path | None, *, piece: int = 1 << 20, limits: Limits | None = None) -> PackageStream:
    """Feed ``data`` in pieces, close, check and keep; on any error discard (as the opening does)."""
    package = PackageStream(limits or Limits(), keep_as=keep_as)
    try:
        for i in range(0, len(data), piece):
            package.feed(bytearray(data[i:i + piece]))
        package.close()
        package.check(verify)
        package.keep()
        return package
    finally:
        package.discard()


def refused(data: bytes, tmp_path: Path, **kwargs: object) -> BidPackageError:
    out = tmp_path / "out"
    out.mkdir()
    with pytest.raises(BidPackageError) as err:
        stream(data, out / "bid", **kwargs)  # type: ignore[arg-type]
    assert err.value.message
    assert os.listdir(out) == [], "nothing may be left behind"
    return err.value


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, bytes]:
    root = tmp_path_factory.mktemp("stream")
    src = make_bid_folder(root)
    # Bytes that look like the start of a data descriptor, in the files themselves: only a descriptor with
    # both sizes right and a record after it ends an entry.
    (src / "tech" / "decoy.bin").write_bytes(b"PK\x07\x08" + struct.pack("<3L", 0, 5, 5) + b"PK\x03\x04"
                                             + os.urandom(1000) + b"PK\x07\x08" + struct.pack("<3L", 0, 16, 16))
    data, _manifest = write(src)
    return src, data


@pytest.mark.parametrize("piece", [1, 7, 4096, 1 << 20])
def test_the_writers_package_is_kept_exactly_whatever_the_pieces(written: tuple[Path, bytes], tmp_path: Path,
                                                                 piece: int) -> None:
    src, data = written  # piece 1: byte by byte, every record split at every offset
    package = stream(data, tmp_path / "bid", piece=piece)
    kept = tmp_path / "bid"
    for entry in package.manifest.files:
        content = (kept / entry.path).read_bytes()
        assert content == (src / entry.path).read_bytes()
        assert hashlib.sha256(content).hexdigest() == entry.sha256
    assert {p.relative_to(kept).as_posix() for p in kept.rglob("*") if p.is_file()} == {
        *(f.path for f in package.manifest.files), "manifest.json", "manifest.json.p7s"}
    assert (kept / "manifest.json").read_bytes() == package.manifest_bytes
    assert (kept / "manifest.json.p7s").read_bytes() == sign(package.manifest_bytes)
    assert [p.name for p in tmp_path.iterdir()] == ["bid"]  # the hidden folder became it


@pytest.mark.parametrize("piece", [4096, 1 << 20])
def test_a_buffer_refilled_once_the_next_feed_returned_is_not_read_again(written: tuple[Path, bytes],
                                                                         tmp_path: Path, piece: int) -> None:
    """As decrypt_into hands over its two buffers in turn: the file hashing runs beside the next piece's
    parsing, and each buffer is overwritten as soon as the feed after it returned."""
    src, data = written
    package = PackageStream(Limits(), keep_as=tmp_path / "bid")
    buffers = [bytearray(piece), bytearray(piece)]
    try:
        for k, i in enumerate(range(0, len(data), piece)):
            n = len(data[i:i + piece])
            buffers[k % 2][:n] = data[i:i + piece]
            package.feed(buffers[k % 2], n)
            buffers[(k + 1) % 2][:] = b"\xff" * piece  # the previous piece's buffer, refilled at once
        package.close()
        package.check(verify)
        package.keep()
    finally:
        package.discard()
    for entry in package.manifest.files:
        assert (tmp_path / "bid" / entry.path).read_bytes() == (src / entry.path).read_bytes()


def test_without_a_destination_nothing_is_written(written: tuple[Path, bytes], tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    _src, data = written
    monkeypatch.chdir(tmp_path)
    package = stream(data, None)
    assert next(f.path for f in package.manifest.files) == "tech/decoy.bin"
    assert os.listdir(tmp_path) == []


def test_a_deflated_package_is_accepted(tmp_path: Path) -> None:
    body = os.urandom(5000) + PDF * 100
    data = craft([("a.pdf", body), ("b.pdf", b"")], compression=zipfile.ZIP_DEFLATED)
    stream(data, tmp_path / "bid", piece=333)
    assert (tmp_path / "bid" / "a.pdf").read_bytes() == body


@pytest.mark.parametrize("case", list(HOSTILE))
def test_every_package_the_reader_refuses_is_refused(case: str, tmp_path: Path) -> None:
    make, code = HOSTILE[case]
    assert refused(make(), tmp_path, piece=4096).code == STREAM_CODE.get(case, code)


# --- what only a streaming parser could be fooled by -------------------------------------------------


def rewrite_directory(data: bytes, change: object) -> bytes:
    """The same local headers and data, with a central directory that ``change(filelist)`` edited."""
    buf = io.BytesIO(data)
    with zipfile.ZipFile(buf, "a") as archive:
        change(archive.filelist)  # type: ignore[operator]
        archive._didModify = True  # write the directory again
    return buf.getvalue()


def test_a_central_directory_naming_another_file_is_refused(tmp_path: Path) -> None:
    def rename(infos: list[zipfile.ZipInfo]) -> None:
        infos[0].filename = infos[0].orig_filename = "b.pdf"

    data = rewrite_directory(craft([("a.pdf", PDF)], listed=[("b.pdf", PDF)]), rename)
    assert refused(data, tmp_path).code == "sealed.corrupt"


def test_an_entry_hidden_from_the_central_directory_is_refused(tmp_path: Path) -> None:
    """The file reader sees only the directory; the bytes of an entry it does not list are refused here."""

    def hide(infos: list[zipfile.ZipInfo]) -> None:
        del infos[1]

    data = rewrite_directory(craft([("a.pdf", PDF), ("hidden.exe", b"MZ")], listed=[("a.pdf", PDF)]), hide)
    assert refused(data, tmp_path).code == "sealed.corrupt"


def test_an_entry_hidden_inside_another_ones_data_is_refused(tmp_path: Path) -> None:
    """The directory lists an entry whose local header sits inside a.pdf's bytes: the stream never met it."""
    inner = io.BytesIO()
    with zipfile.ZipFile(inner, "w") as z:
        z.writestr("evil.pdf", b"%PDF evil")
    inner_entry = inner.getvalue()[:inner.getvalue().find(b"PK\x01\x02")]
    outer = craft([("a.pdf", inner_entry)], listed=[("a.pdf", inner_entry), ("evil.pdf", b"%PDF evil")])

    def add(infos: list[zipfile.ZipInfo]) -> None:
        evil = zipfile.ZipInfo("evil.pdf")
        evil.header_offset = 30 + len("a.pdf")  # a.pdf's data starts right after its header
        evil.CRC = zipfile.crc32(b"%PDF evil")
        evil.compress_size = evil.file_size = len(b"%PDF evil")
        infos.append(evil)

    err = refused(rewrite_directory(outer, add), tmp_path)
    assert err.code in ("sealed.corrupt", "sealed.overlapping_entries")


def test_duplicate_names_are_refused_before_the_second_is_written(tmp_path: Path) -> None:
    assert refused(craft([("a.pdf", PDF), ("b.pdf", PDF), ("A.PDF", b"other")]), tmp_path).code == \
        "sealed.duplicate_entry"


def test_an_entry_running_past_the_end_is_refused(tmp_path: Path) -> None:
    data = bytearray(craft([("a.pdf", PDF)]))
    struct.pack_into("<LL", data, 18, 10_000, 10_000)  # the local header claims more than the package holds
    assert refused(bytes(data), tmp_path).code == "sealed.corrupt"


def test_a_directory_pointing_past_the_end_is_refused(tmp_path: Path) -> None:
    data = bytearray(craft([("a.pdf", PDF)]))
    eocd = data.rfind(b"PK\x05\x06")
    struct.pack_into("<L", data, eocd + 16, len(data) + 100)
    assert refused(bytes(data), tmp_path).code in ("sealed.corrupt", "sealed.not_a_zip")


def test_a_size_lie_in_the_local_header_is_refused_before_any_byte(tmp_path: Path) -> None:
    data = bytearray(craft([("a.pdf", PDF)]))
    struct.pack_into("<LL", data, 18, 0xFFFF_FFF0, 0xFFFF_FFF0)
    assert refused(bytes(data), tmp_path, limits=Limits(max_file_size=1 << 20)).code == "sealed.compression_bomb"


def test_an_endless_entry_is_cut_at_the_size_cap(tmp_path: Path) -> None:
    """A data descriptor entry that never ends: refused once past the cap, not read to the end first."""
    body = os.urandom(3 << 20)
    data = craft([("a.pdf", body)])
    data = bytearray(data)
    struct.pack_into("<H", data, 6, 0x8)  # flag 3 set, CRC and sizes zero: it ends at a descriptor (none)
    struct.pack_into("<3L", data, 14, 0, 0, 0)
    err = refused(bytes(data), tmp_path, limits=Limits(max_file_size=1 << 20))
    assert err.code == "sealed.compression_bomb"


def test_a_data_descriptor_that_is_missing_is_refused(tmp_path: Path) -> None:
    data = bytearray(craft([("a.pdf", PDF)]))
    struct.pack_into("<H", data, 6, 0x8)  # says a descriptor follows the data; none does
    struct.pack_into("<3L", data, 14, 0, 0, 0)
    assert refused(bytes(data), tmp_path).code == "sealed.corrupt"


def test_a_data_descriptor_with_wrong_sizes_is_refused(written: tuple[Path, bytes], tmp_path: Path) -> None:
    _src, data = written
    first = data.find(b"PK\x07\x08")
    while first != -1:  # the writer's first real descriptor: the one followed by a record
        if data[first + 16:first + 20] in (b"PK\x03\x04", b"PK\x01\x02"):
            break
        first = data.find(b"PK\x07\x08", first + 1)
    bad = bytearray(data)
    struct.pack_into("<LL", bad, first + 8, 0, 0)
    # Not taken for the entry's end: the entry runs on into the next records, which make no sense as data
    # followed by a package; the code depends on where the parse then fails.
    assert refused(bytes(bad), tmp_path).code.startswith("sealed.")


def test_a_descriptor_planted_in_a_files_bytes_is_refused(tmp_path: Path) -> None:
    """A bidder's file carrying, at exactly the right offset, a descriptor and a local header: the stream
    ends the entry there, so its view differs from the central directory and the package is refused."""
    src = tmp_path / "src"
    src.mkdir()
    planted = struct.pack("<4sLLL", b"PK\x07\x08", 0, 100, 100) + b"PK\x03\x04"
    (src / "a.pdf").write_bytes(os.urandom(100) + planted + os.urandom(100))
    data, _manifest = write(src)
    assert refused(data, tmp_path).code.startswith("sealed.")


def test_an_oversized_manifest_is_refused_without_holding_it(tmp_path: Path) -> None:
    big = manifest_for([("a.pdf", PDF)], tool="x" * 5000)
    err = refused(craft([("a.pdf", PDF)], manifest=big), tmp_path, limits=Limits(max_manifest_size=4096))
    assert err.code == "sealed.manifest_too_large"
