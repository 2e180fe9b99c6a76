"""The inner bid package: the writer's output is a plain ZIP any unzip reads, and the reader refuses
every kind of hostile package with its own code, leaving nothing behind.

Signing is an HMAC here: the package code takes signing and verification as callables, and the real
CMS signature is tested with the crypto code and in the sealing tests.
"""

from __future__ import annotations

import hashlib
import hmac
import io
import json
import os
import shutil
import stat
import struct
import subprocess
import unicodedata
import warnings
import zipfile
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from bidclient.bidpackage import reader as package_reader
from bidclient.bidpackage import writer as package_writer
from bidclient.bidpackage.errors import BidPackageError, NotChecked
from bidclient.bidpackage.manifest import Limits, Link, Manifest, parse_manifest
from crypto.errors import OperationCancelled

KEY = b"test-signing-key"
CERT_SHA256 = "ab" * 32
USCC = "91350100M000100Y43"
CREATED = datetime(2026, 11, 26, 7, 0, 0, tzinfo=UTC)
UNZIP = shutil.which("unzip")


def sign(data: bytes) -> bytes:
    return hmac.new(KEY, data, hashlib.sha256).digest()


def verify(data: bytes, signature: bytes) -> None:
    if not hmac.compare_digest(sign(data), signature):
        raise ValueError("signature does not match")


class PipeLike:
    """A write-only stream like an encryptor: no tell, no seek, and it copies what it is given."""

    def __init__(self) -> None:
        self._parts: list[bytes] = []

    def write(self, data: bytes) -> int:
        self._parts.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        pass

    def getvalue(self) -> bytes:
        return b"".join(self._parts)


def make_bid_folder(root: Path) -> Path:
    src = root / "bid"
    (src / "tech").mkdir(parents=True)
    (src / "商务").mkdir()
    (src / "empty").mkdir()
    (src / "tech" / "proposal.pdf").write_bytes(b"%PDF-1.7 proposal\n" + os.urandom(200_000))
    (src / "商务" / "报价单.pdf").write_bytes(b"%PDF-1.7 prices\n")
    (src / "zero.txt").write_bytes(b"")
    (src / ".DS_Store").write_bytes(b"junk")
    (src / "tech" / "Thumbs.db").write_bytes(b"junk")
    return src


def write(src: Path, **kwargs: Any) -> tuple[bytes, Manifest]:
    out = PipeLike()
    fields: dict[str, Any] = dict(tender_id="ZB-2026-0042", tender_version=3, package_sha256="cd" * 32,
                                  bidder_uscc=USCC, bidder_name="福州测试建设有限公司",
                                  signing_certificate_sha256=CERT_SHA256, created=CREATED,
                                  sign_manifest=sign)
    fields.update(kwargs)
    manifest = package_writer.write_package(out, src, **fields)  # type: ignore[arg-type]
    return out.getvalue(), manifest


@pytest.fixture(scope="module")
def package(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Manifest]:
    root = tmp_path_factory.mktemp("package")
    src = make_bid_folder(root)
    data, manifest = write(src, forms={"price": {"total": "1234567.89", "currency": "CNY"}},
                           links=[Link(criterion="technical plan", file="tech/proposal.pdf", page=3)])
    path = root / "bid.zip"
    path.write_bytes(data)
    return src, path, manifest


# --- writer ----------------------------------------------------------------------------------------


def test_round_trip_through_a_non_seekable_stream(package: tuple[Path, Path, Manifest],
                                                  tmp_path: Path) -> None:
    src, path, written = package
    assert [f.path for f in written.files] == ["tech/proposal.pdf", "zero.txt", "商务/报价单.pdf"]
    with package_reader.open_package(path) as reader:
        assert reader.manifest_bytes == written.to_json_bytes()
        assert reader.signature_bytes == sign(written.to_json_bytes())
        found = reader.check(verify)
        assert found == written
        dest = reader.extract_to(tmp_path / "opened")
    for entry in written.files:
        content = (dest / entry.path).read_bytes()
        assert content == (src / entry.path).read_bytes()
        assert hashlib.sha256(content).hexdigest() == entry.sha256
        assert len(content) == entry.size
    assert (dest / "manifest.json").read_bytes() == written.to_json_bytes()
    assert sorted(os.listdir(tmp_path)) == ["opened"]


def test_manifest_is_utf8_sorted_json_with_every_field(package: tuple[Path, Path, Manifest]) -> None:
    _, path, written = package
    raw = zipfile.ZipFile(path).read("manifest.json")
    assert "福州测试建设有限公司".encode() in raw  # ensure_ascii=False
    obj = json.loads(raw)
    assert list(obj) == sorted(obj)
    assert obj["format"] == "bidclient-sealed-bid" and obj["format_version"] == 1
    assert obj["tender"] == {"id": "ZB-2026-0042", "version": 3, "package_sha256": "cd" * 32}
    assert obj["bidder"]["uscc"] == USCC
    assert obj["created"] == "2026-11-26T07:00:00Z"
    assert obj["links"] == [{"criterion": "technical plan", "file": "tech/proposal.pdf", "page": 3}]
    assert obj["forms"]["price"]["total"] == "1234567.89"
    assert parse_manifest(raw) == written


@pytest.mark.skipif(UNZIP is None, reason="Info-ZIP unzip is not installed (apt-get install unzip)")
def test_info_zip_and_python_zipfile_accept_the_output(package: tuple[Path, Path, Manifest],
                                                      tmp_path: Path) -> None:
    src, path, _ = package
    result = subprocess.run(["unzip", "-t", str(path)], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "No errors detected" in result.stdout
    subprocess.run(["unzip", "-q", str(path), "-d", str(tmp_path / "u")], check=True)
    assert (tmp_path / "u" / "商务" / "报价单.pdf").read_bytes() == (src / "商务" / "报价单.pdf").read_bytes()
    with zipfile.ZipFile(path) as archive:
        assert archive.testzip() is None
        names = archive.namelist()
        assert names[-2:] == ["manifest.json", "manifest.json.p7s"]
        assert all(i.compress_type == zipfile.ZIP_STORED for i in archive.infolist())
        assert ".DS_Store" not in names and "tech/Thumbs.db" not in names
        assert not any(n.startswith("empty") for n in names)


@pytest.mark.skipif(UNZIP is None, reason="Info-ZIP unzip is not installed (apt-get install unzip)")
def test_zip64_entries_are_readable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Files past 4 GiB get ZIP64 fields; lowering the threshold writes that form for a small file.
    src = tmp_path / "bid"
    src.mkdir()
    (src / "a.pdf").write_bytes(os.urandom(50_000))
    monkeypatch.setattr(package_writer, "ZIP64_THRESHOLD", 0)
    data, _ = write(src)
    path = tmp_path / "bid.zip"
    path.write_bytes(data)
    assert b"\x01\x00" in data  # the ZIP64 extra field id
    result = subprocess.run(["unzip", "-t", str(path)], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout
    with package_reader.open_package(path) as reader:
        reader.check(verify)
        reader.verify_contents()


def zipfile_reference(src: Path, manifest: Manifest, signature: bytes) -> bytes:
    """The package as Python's zipfile writes it on a stream it cannot seek (how the writer made it
    before it wrote the ZIP records itself): the writer must produce these very bytes."""
    out = PipeLike()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_STORED, allowZip64=True) as archive:  # type: ignore[arg-type]
        for entry in manifest.files:
            info = package_writer._entry_info(entry.path, CREATED, entry.size)
            with archive.open(info, "w", force_zip64=entry.size >= package_writer.ZIP64_THRESHOLD) as f:
                f.write((src / entry.path).read_bytes())
        manifest_bytes = manifest.to_json_bytes()
        archive.writestr(package_writer._entry_info("manifest.json", CREATED, len(manifest_bytes)),
                         manifest_bytes)
        archive.writestr(package_writer._entry_info("manifest.json.p7s", CREATED, len(signature)), signature)
    return out.getvalue()


@pytest.mark.skipif(UNZIP is None, reason="Info-ZIP unzip is not installed (apt-get install unzip)")
@pytest.mark.parametrize("zip64", ["none", "forced entries", "offsets past the limit"])
def test_zip_records_are_byte_for_byte_what_zipfile_writes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                           zip64: str) -> None:
    # The writer writes the ZIP structures itself (faster than zipfile); any field it got wrong would
    # show here as a difference from zipfile's output, and in unzip's test below.
    src = make_bid_folder(tmp_path)
    if zip64 == "forced entries":  # what a file past 4 GiB gets
        monkeypatch.setattr(package_writer, "ZIP64_THRESHOLD", 0)
    elif zip64 == "offsets past the limit":  # a package past 4 GiB: ZIP64 sizes, offsets, end records
        monkeypatch.setattr(zipfile, "ZIP64_LIMIT", 100_000)
    data, manifest = write(src)
    assert data == zipfile_reference(src, manifest, sign(manifest.to_json_bytes()))
    if zip64 == "offsets past the limit":
        assert b"PK\x06\x06" in data and b"PK\x06\x07" in data  # the ZIP64 end records were written
    path = tmp_path / "bid.zip"
    path.write_bytes(data)
    result = subprocess.run(["unzip", "-t", str(path)], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    with package_reader.open_package(path) as reader:
        assert reader.check(verify) == manifest
        reader.verify_contents()


def test_output_is_deterministic_and_progress_reaches_the_total(tmp_path: Path) -> None:
    src = make_bid_folder(tmp_path)
    seen: list[int] = []
    first, manifest = write(src, progress=seen.append)
    second, _ = write(src)
    assert first == second
    assert seen == sorted(seen) and seen[-1] == manifest.total_size
    assert package_writer.plan_package(src).total_size == manifest.total_size


def test_names_are_stored_as_nfc(tmp_path: Path) -> None:
    src = tmp_path / "bid"
    src.mkdir()
    nfd = unicodedata.normalize("NFD", "résumé.pdf")
    (src / nfd).write_bytes(b"x")
    _, manifest = write(src)
    assert manifest.files[0].path == unicodedata.normalize("NFC", "résumé.pdf")


def test_signer_gets_the_exact_manifest_bytes(tmp_path: Path) -> None:
    src = make_bid_folder(tmp_path)
    signed: list[bytes] = []

    def capture(data: bytes) -> bytes:
        signed.append(data)
        return sign(data)

    data, manifest = write(src, sign_manifest=capture)
    assert signed == [manifest.to_json_bytes()]
    assert zipfile.ZipFile(io.BytesIO(data)).read("manifest.json") == signed[0]


@pytest.mark.parametrize("setup, code", [
    (lambda s: (s / "link.pdf").symlink_to(s / "a.pdf"), "source.symlink"),
    (lambda s: os.mkfifo(s / "pipe"), "source.special_file"),
    (lambda s: (s / "A.PDF").write_bytes(b"y"), "source.name_collision"),
    (lambda s: (s / "CON.pdf").write_bytes(b"y"), "source.bad_name"),
    (lambda s: (s / "what?.pdf").write_bytes(b"y"), "source.bad_name"),
    (lambda s: (s / "manifest.json").write_bytes(b"{}"), "source.bad_name"),
])
def test_writer_refuses_unstorable_folders(tmp_path: Path, setup: Callable[[Path], None], code: str) -> None:
    src = tmp_path / "bid"
    src.mkdir()
    (src / "a.pdf").write_bytes(b"x")
    setup(src)
    signed: list[bytes] = []
    with pytest.raises(BidPackageError) as err:
        write(src, sign_manifest=signed.append)
    assert err.value.code == code
    assert signed == []


def test_writer_refuses_a_folder_with_nothing_but_junk(tmp_path: Path) -> None:
    src = tmp_path / "bid"
    (src / "empty" / "deeper").mkdir(parents=True)
    (src / ".DS_Store").write_bytes(b"junk")
    with pytest.raises(BidPackageError) as err:
        write(src)
    assert err.value.code == "source.empty"


def test_writer_refuses_bad_manifest_fields_before_reading(tmp_path: Path) -> None:
    src = make_bid_folder(tmp_path)
    with pytest.raises(BidPackageError) as err:
        write(src, bidder_uscc="91350100M000100Y44")  # wrong check character
    assert err.value.code == "source.manifest_invalid"  # the writer's input: never the reader's sealed.*
    with pytest.raises(BidPackageError) as err:
        write(src, links=[Link(criterion="x", file="not/there.pdf", page=1)])
    assert err.value.code == "source.manifest_invalid"


def test_cancel_stops_the_writer(tmp_path: Path) -> None:
    src = make_bid_folder(tmp_path)
    with pytest.raises(OperationCancelled):
        write(src, cancel=lambda: True)


# --- crafting hostile packages ------------------------------------------------------------------


def manifest_for(files: Iterable[tuple[str, bytes]], **overrides: Any) -> bytes:
    obj: dict[str, Any] = {
        "format": "bidclient-sealed-bid", "format_version": 1,
        "tender": {"id": "ZB-1", "version": 1, "package_sha256": None},
        "bidder": {"uscc": USCC, "name": "X", "signing_certificate_sha256": CERT_SHA256},
        "files": [{"path": name, "size": len(data), "sha256": hashlib.sha256(data).hexdigest()}
                  for name, data in files],
        "forms": {}, "links": [], "created": "2026-11-26T07:00:00Z", "tool": "test",
    }
    obj.update(overrides)
    return json.dumps(obj, sort_keys=True, ensure_ascii=False).encode()


Entry = tuple["str | zipfile.ZipInfo", bytes]


def craft(entries: list[Entry], *, listed: list[tuple[str, bytes]] | None = None,
          manifest: bytes | None = None, with_manifest: bool = True, with_signature: bool = True,
          compression: int = zipfile.ZIP_STORED) -> bytes:
    """A ZIP of ``entries`` plus a correctly signed manifest (by default listing exactly those entries)."""
    if listed is None:
        listed = [(e.filename if isinstance(e, zipfile.ZipInfo) else e, d) for e, d in entries]
    if manifest is None:
        manifest = manifest_for(listed)
    buf = io.BytesIO()
    with warnings.catch_warnings(), zipfile.ZipFile(buf, "w", compression=compression) as archive:
        warnings.simplefilter("ignore")  # zipfile warns about the duplicate names some cases need
        for name, data in entries:
            archive.writestr(name, data)
        if with_manifest:
            archive.writestr("manifest.json", manifest)
        if with_signature:
            archive.writestr("manifest.json.p7s", sign(manifest))
    return buf.getvalue()


def central_records(data: bytes) -> list[tuple[int, str, int]]:
    """(offset of the central record, name, offset of the local header) for every entry."""
    eocd = data.rfind(b"PK\x05\x06")
    count, _, cd_offset = struct.unpack_from("<HLL", data, eocd + 10)
    out = []
    pos = cd_offset
    for _ in range(count):
        n, m, k = struct.unpack_from("<3H", data, pos + 28)
        local = struct.unpack_from("<L", data, pos + 42)[0]
        out.append((pos, data[pos + 46:pos + 46 + n].decode("utf-8", "replace"), local))
        pos += 46 + n + m + k
    return out


def patch(data: bytes, name: str, *, central: dict[int, tuple[str, int]] | None = None,
          local: dict[int, tuple[str, int]] | None = None) -> bytes:
    buf = bytearray(data)
    for record, entry_name, header in central_records(data):
        if entry_name == name:
            for offset, (fmt, value) in (central or {}).items():
                struct.pack_into(fmt, buf, record + offset, value)
            for offset, (fmt, value) in (local or {}).items():
                struct.pack_into(fmt, buf, header + offset, value)
            return bytes(buf)
    raise AssertionError(f"no entry {name}")


def rename_raw(data: bytes, old: bytes, new: bytes) -> bytes:
    """Change an entry name in the raw ZIP headers (zipfile itself refuses to write some names).

    The manifest's copy of the name changes too, so the package is refused before its signature is.
    """
    assert len(old) == len(new) and data.count(old) == 3
    return data.replace(old, new)


def symlink_info(name: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name)
    info.create_system = 3
    info.external_attr = (stat.S_IFLNK | 0o777) << 16
    return info


def folder_info(name: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name)
    info.external_attr = (stat.S_IFDIR | 0o755) << 16 | 0x10
    return info


def fifo_info(name: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name)
    info.create_system = 3
    info.external_attr = (stat.S_IFIFO | 0o644) << 16
    return info


def deflate_short(data: bytes, claimed: int) -> bytes:
    """A deflated entry whose headers claim ``claimed`` bytes but whose stream yields ``data``."""
    base = craft([("a.pdf", data)], listed=[("a.pdf", data + b"\0" * (claimed - len(data)))],
                 compression=zipfile.ZIP_DEFLATED)
    return patch(base, "a.pdf", central={24: ("<L", claimed)}, local={22: ("<L", claimed)})


def overlapping() -> bytes:
    base = craft([("a.pdf", b"A" * 100), ("b.pdf", b"B" * 100)])
    # a.pdf's stored data now claims to run on into b.pdf's header.
    return patch(base, "a.pdf", central={20: ("<L", 300), 24: ("<L", 300)})


def too_many_declared() -> bytes:
    base = bytearray(craft([("a.pdf", b"x")]))
    eocd = base.rfind(b"PK\x05\x06")
    struct.pack_into("<HH", base, eocd + 8, 60000, 60000)
    return bytes(base)


def unicode_path_extra() -> bytes:
    info = zipfile.ZipInfo("a.pdf")
    name = b"../evil.pdf"
    info.extra = struct.pack("<HHB", 0x7075, 5 + len(name), 1) + struct.pack("<L", 0) + name
    return craft([(info, b"x")])


def unflagged_non_ascii() -> bytes:
    base = craft([("报价.pdf", b"x")])
    flags = 0  # clear the UTF-8 flag: the name would be read as code page 437
    return patch(base, "报价.pdf", central={8: ("<H", flags)}, local={6: ("<H", flags)})


def encrypted() -> bytes:
    return patch(craft([("a.pdf", b"x")]), "a.pdf", central={8: ("<H", 1)}, local={6: ("<H", 1)})


PDF = b"%PDF-1.7 content"
NFC_NAME = unicodedata.normalize("NFC", "é.pdf")
NFD_NAME = unicodedata.normalize("NFD", "é.pdf")

HOSTILE: dict[str, tuple[Callable[[], bytes], str]] = {
    "random bytes": (lambda: os.urandom(5000), "sealed.not_a_zip"),
    "empty file": (lambda: b"", "sealed.not_a_zip"),
    "truncated": (lambda: craft([("a.pdf", PDF * 100)])[:-30], "sealed.not_a_zip"),
    "damaged central directory": (
        lambda: craft([("a.pdf", PDF)]).replace(b"PK\x01\x02", b"PK\x01\x03", 1), "sealed.corrupt"),
    "damaged data (CRC)": (
        lambda: craft([("a.pdf", PDF)]).replace(PDF, b"%PDF-1.7 CONTENT", 1), "sealed.corrupt"),
    "traversal": (lambda: craft([("../evil.pdf", PDF)]), "sealed.path_traversal"),
    "inner traversal": (lambda: craft([("tech/../../evil.pdf", PDF)]), "sealed.path_traversal"),
    "absolute": (lambda: craft([("/etc/cron.d/evil", PDF)]), "sealed.path_absolute"),
    "drive letter": (lambda: craft([("C:/Windows/evil.pdf", PDF)]), "sealed.path_drive_or_backslash"),
    "backslash": (lambda: craft([("..\\evil.pdf", PDF)]), "sealed.path_drive_or_backslash"),
    "NUL in name": (lambda: rename_raw(craft([("aZb.pdf", PDF)]), b"aZb.pdf", b"a\0b.pdf"),
                    "sealed.path_control_char"),
    "control char": (lambda: craft([("a\x1b[2J.pdf", PDF)]), "sealed.path_control_char"),
    "bidi override": (lambda: craft([("report\u202efdp.exe", PDF)]), "sealed.path_control_char"),
    "symlink": (lambda: craft([(symlink_info("link.pdf"), b"/etc/passwd")]), "sealed.entry_not_regular"),
    "folder entry": (lambda: craft([(folder_info("tech/"), b""), ("tech/a.pdf", PDF)]),
                     "sealed.entry_not_regular"),
    "fifo": (lambda: craft([(fifo_info("pipe"), b"")]), "sealed.entry_not_regular"),
    "duplicate": (lambda: craft([("a.pdf", PDF), ("a.pdf", PDF)]), "sealed.duplicate_entry"),
    "case-folded duplicate": (lambda: craft([("Tech/A.pdf", PDF), ("tech/a.pdf", PDF)]),
                              "sealed.duplicate_entry"),
    "normalised duplicate": (lambda: craft([(NFC_NAME, PDF), (NFD_NAME, PDF)]), "sealed.duplicate_entry"),
    "manifest name twice": (lambda: craft([("MANIFEST.JSON", b"{}")]), "sealed.duplicate_entry"),
    "file and folder": (lambda: craft([("a", PDF), ("A/b.pdf", PDF)]), "sealed.duplicate_entry"),
    "not in manifest": (lambda: craft([("a.pdf", PDF), ("extra.exe", b"MZ")], listed=[("a.pdf", PDF)]),
                        "sealed.entry_not_in_manifest"),
    "missing from zip": (lambda: craft([("a.pdf", PDF)], listed=[("a.pdf", PDF), ("b.pdf", PDF)]),
                         "sealed.entry_missing"),
    "manifest size lie": (lambda: craft([("a.pdf", PDF)], listed=[("a.pdf", PDF + b"!")]),
                          "sealed.size_mismatch"),
    "stored header size lie": (lambda: patch(craft([("a.pdf", PDF)]), "a.pdf", central={24: ("<L", 17)}),
                               "sealed.size_mismatch"),
    "short deflate stream": (lambda: deflate_short(b"hello", 40), "sealed.size_mismatch"),
    "ratio bomb": (lambda: craft([("a.pdf", b"\0" * 2_000_000)], compression=zipfile.ZIP_DEFLATED),
                   "sealed.compression_bomb"),
    "overlapping entries": (overlapping, "sealed.overlapping_entries"),
    "lzma": (lambda: craft([("a.pdf", PDF)], compression=zipfile.ZIP_LZMA), "sealed.unsupported_compression"),
    "hash mismatch": (lambda: craft([("a.pdf", PDF)], listed=[("a.pdf", b"%PDF-1.7 CONTENT")]),
                      "sealed.hash_mismatch"),
    "no manifest": (lambda: craft([("a.pdf", PDF)], with_manifest=False), "sealed.manifest_missing"),
    "no signature": (lambda: craft([("a.pdf", PDF)], with_signature=False), "sealed.signature_missing"),
    "encrypted entry": (encrypted, "sealed.encrypted_entry"),
    "too many entries declared": (too_many_declared, "sealed.too_many_entries"),
    "too many entries": (lambda: craft([(f"f{i}.pdf", b"x") for i in range(10_003)]), "sealed.too_many_entries"),
    "unicode path extra field": (unicode_path_extra, "sealed.unsafe_path"),
    "name not marked UTF-8": (unflagged_non_ascii, "sealed.unsafe_path"),
    "manifest of a newer version": (
        lambda: craft([("a.pdf", PDF)], manifest=manifest_for([("a.pdf", PDF)], format_version=2)),
        "sealed.unsupported_version"),
    "manifest with duplicate keys": (
        lambda: craft([("a.pdf", PDF)], manifest=manifest_for([("a.pdf", PDF)])[:-1] + b',"tool":"other"}'),
        "sealed.manifest_invalid"),
    "manifest listing a traversal": (
        lambda: craft([("a.pdf", PDF)], listed=[("a.pdf", PDF), ("../b.pdf", PDF)]), "sealed.path_traversal"),
}


def open_and_extract(path: Path, dest: Path) -> None:
    with package_reader.open_package(path) as reader:
        reader.check(verify)
        reader.extract_to(dest)


@pytest.mark.parametrize("case", list(HOSTILE))
def test_hostile_package_is_refused_with_its_code_and_nothing_is_left(case: str, tmp_path: Path) -> None:
    make, code = HOSTILE[case]
    path = tmp_path / "bid.zip"
    path.write_bytes(make())
    out = tmp_path / "out"
    out.mkdir()
    with pytest.raises(BidPackageError) as err:
        open_and_extract(path, out / "bid")
    assert err.value.code == code, err.value.message
    assert err.value.message  # says what was wrong
    assert os.listdir(out) == []


def test_absolute_caps_apply_whatever_the_ratio(tmp_path: Path) -> None:
    path = tmp_path / "bid.zip"
    path.write_bytes(craft([("a.pdf", os.urandom(5000)), ("b.pdf", os.urandom(5000))]))
    with pytest.raises(BidPackageError) as err:
        package_reader.open_package(path, Limits(max_file_size=4096))
    assert err.value.code == "sealed.compression_bomb"
    with pytest.raises(BidPackageError) as err:
        package_reader.open_package(path, Limits(max_total_size=8192))
    assert err.value.code == "sealed.compression_bomb"


def test_wrong_signature_extracts_nothing(package: tuple[Path, Path, Manifest], tmp_path: Path) -> None:
    _, path, _ = package
    calls: list[bytes] = []

    def reject(data: bytes, signature: bytes) -> None:
        calls.append(data)
        raise ValueError("untrusted signer")

    with package_reader.open_package(path) as reader:
        with pytest.raises(ValueError, match="untrusted signer"):
            reader.check(reject)
        with pytest.raises(NotChecked):
            reader.extract_to(tmp_path / "bid")
    assert len(calls) == 1
    assert os.listdir(tmp_path) == []


def test_signature_is_verified_before_the_manifest_is_parsed(tmp_path: Path) -> None:
    path = tmp_path / "bid.zip"
    path.write_bytes(craft([("a.pdf", PDF)], manifest=b"not json at all"))
    order: list[str] = []

    def reject(data: bytes, signature: bytes) -> None:
        order.append("verify")
        raise ValueError("bad signature")

    with package_reader.open_package(path) as reader, pytest.raises(ValueError):
        reader.check(reject)
    assert order == ["verify"]


def test_existing_destination_is_left_untouched(package: tuple[Path, Path, Manifest], tmp_path: Path) -> None:
    _, path, _ = package
    dest = tmp_path / "bid"
    dest.mkdir()
    (dest / "mine.txt").write_text("keep")
    with package_reader.open_package(path) as reader:
        reader.check(verify)
        with pytest.raises(BidPackageError) as err:
            reader.extract_to(dest)
    assert err.value.code == "sealed.destination_exists"
    assert os.listdir(dest) == ["mine.txt"]
    assert sorted(os.listdir(tmp_path)) == ["bid"]


def test_cancelled_extraction_leaves_nothing(package: tuple[Path, Path, Manifest], tmp_path: Path) -> None:
    _, path, _ = package
    with package_reader.open_package(path) as reader:
        reader.check(verify)
        with pytest.raises(OperationCancelled):
            reader.extract_to(tmp_path / "bid", cancel=lambda: True)
    assert os.listdir(tmp_path) == []


def test_verify_contents_detects_tampering_without_writing(tmp_path: Path) -> None:
    path = tmp_path / "bid.zip"
    path.write_bytes(craft([("a.pdf", PDF)], listed=[("a.pdf", b"%PDF-1.7 CONTENT")]))
    with package_reader.open_package(path) as reader:
        reader.check(verify)
        with pytest.raises(BidPackageError) as err:
            reader.verify_contents()
    assert err.value.code == "sealed.hash_mismatch"
    assert os.listdir(tmp_path) == ["bid.zip"]


@pytest.mark.slow
def test_large_file_streams_in_constant_memory(tmp_path: Path) -> None:
    import resource

    src = tmp_path / "bid"
    src.mkdir()
    size = 512 * 1024 * 1024
    with open(src / "big.pdf", "wb") as f:
        f.truncate(size)  # sparse: no disk, but every byte is still read, hashed and written

    class Counting:
        total = 0

        def write(self, data: bytes) -> int:
            self.total += len(data)
            return len(data)

    sink = Counting()
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    manifest = package_writer.write_package(
        sink, src, tender_id="T", tender_version=1, signing_certificate_sha256=CERT_SHA256,  # type: ignore[arg-type]
        sign_manifest=sign)
    grown_mib = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    assert manifest.files[0].size == size
    assert sink.total > size
    assert grown_mib < 64, f"peak memory grew by {grown_mib:.0f} MiB while packaging {size >> 20} MiB"


# --- the by-hand recipe of docs/formats/sealed-bid.md ------------------------------------------------

DOC = Path(__file__).resolve().parents[2] / "docs" / "formats" / "sealed-bid.md"


def recipe_blocks() -> list[str]:
    text = DOC.read_text(encoding="utf-8").split("## 7. Opening a sealed bid by hand", 1)[1]
    return [block.split("```", 1)[0] for block in text.split("```sh\n")[1:]]


@pytest.mark.skipif(not all(shutil.which(tool) for tool in ("openssl", "unzip", "jq", "sha256sum")),
                    reason="needs openssl, unzip, jq and sha256sum")
def test_the_documented_recipe_opens_and_checks_a_sealed_package(tmp_path: Path) -> None:
    # A self-signed RSA certificate serves as signer, recipient and trusted CA: the point here is the
    # recipe's commands, not the PKI (which the sealing tests cover with the real signer).
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                    "-subj", "/CN=recipe test", "-keyout", "enc-key.pem", "-out", "enc-cert.pem"],
                   cwd=tmp_path, check=True, capture_output=True)
    shutil.copy(tmp_path / "enc-cert.pem", tmp_path / "ca.pem")

    def openssl_sign(data: bytes) -> bytes:
        return subprocess.run(["openssl", "cms", "-sign", "-binary", "-outform", "DER", "-md", "sha256",
                               "-signer", "enc-cert.pem", "-inkey", "enc-key.pem"],
                              input=data, cwd=tmp_path, check=True, capture_output=True).stdout

    src = make_bid_folder(tmp_path / "work")
    data, manifest = write(src, sign_manifest=openssl_sign)
    (tmp_path / "package.zip").write_bytes(data)
    subprocess.run(["openssl", "cms", "-encrypt", "-binary", "-aes-256-gcm", "-outform", "DER",
                    "-in", "package.zip", "-out", "bid.bid", "enc-cert.pem"],
                   cwd=tmp_path, check=True, capture_output=True)
    by_hand, python_check = recipe_blocks()

    def run(script: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(["bash", "-e", "-o", "pipefail", "-c", script], cwd=tmp_path,
                              capture_output=True, text=True, check=False)

    result = run(by_hand)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Verification successful" in result.stderr
    assert result.stdout.count(": OK") == len(manifest.files)
    result = run(python_check)
    assert result.returncode == 0 and f"all {len(manifest.files)} files match" in result.stdout, result.stderr

    # The same checks catch an altered file and a smuggled one.
    (tmp_path / "bid" / "tech" / "proposal.pdf").write_bytes(b"%PDF-1.7 altered")
    (tmp_path / "bid" / "tech" / "extra.exe").write_bytes(b"MZ")
    step5 = next(line for line in by_hand.splitlines() if "sha256sum" in line)
    result = run(step5)
    assert result.returncode != 0 and "tech/proposal.pdf: FAILED" in result.stdout
    result = run(python_check)
    assert "mismatch: ['tech/proposal.pdf']" in result.stdout and "tech/extra.exe" in result.stdout
