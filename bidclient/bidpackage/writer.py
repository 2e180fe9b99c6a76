"""Write a bid package: a folder of bid files -> a ZIP with a signed manifest, in one streaming pass.

The output stream need not be seekable (it is usually the CMS envelope encryptor), so every entry is
written with a data descriptor, stored (bid files are PDFs, already compressed: storing is fast and
cannot be a compression bomb) and in ZIP64 form when it may pass 4 GiB. Each file is read once: its
SHA-256 is computed on a second thread while the CRC-32 is computed and the bytes go to the output,
so the two hashes overlap. manifest.json and its detached signature are written last.

The ZIP structures are written here rather than by ``zipfile``: byte for byte what
``zipfile.ZipFile(stream, "w")`` writes on a stream it cannot seek (tests compare the two), without
its per-write Python work, and with the CRC-32 from ISA-L when the ``isal`` package is installed
(about ten times zlib's speed; the same polynomial, so the same value).
"""

from __future__ import annotations

import hashlib
import os
import stat
import struct
import unicodedata
import zipfile
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, BinaryIO, Protocol

from bidclient import __version__
from bidclient.bidpackage.errors import (
    DuplicateEntry,
    ManifestFieldInvalid,
    ManifestValueInvalid,
    SourceBadName,
    SourceChanged,
    SourceEmpty,
    SourceNameCollision,
    SourceNotADirectory,
    SourceSpecialFile,
    SourceSymlink,
    SourceTooLarge,
    SourceUnreadable,
    UnsafePath,
)
from bidclient.bidpackage.manifest import (
    DEFAULT_LIMITS,
    MANIFEST_NAME,
    RESERVED_NAMES,
    SIGNATURE_NAME,
    BidderRef,
    FileEntry,
    Limits,
    Link,
    Manifest,
    TenderRef,
    check_path,
    check_unique,
    shown,
)
from bidclient.jobs import Cancel, Progress
from crypto.errors import OperationCancelled

try:  # ISA-L's CRC-32 (PCLMULQDQ): the same checksum as zlib's at about ten times the speed
    from isal.isal_zlib import crc32 as _crc32
except ImportError:  # pragma: no cover - isal is a dependency; a platform without its wheel still works
    from zlib import crc32 as _crc32

CHUNK_SIZE = 4 * 1024 * 1024
# zipfile must know before writing an entry whether it needs ZIP64 fields (the stream cannot be
# rewound to fix the local header). Files this large get them; 1/8 headroom absorbs nothing but
# rounding, since a file that grows while being read is refused anyway.
ZIP64_THRESHOLD = zipfile.ZIP64_LIMIT - zipfile.ZIP64_LIMIT // 8
_REGULAR_FILE_MODE = stat.S_IFREG | 0o644

# Files and folders operating systems leave in folders without the user asking.
JUNK_FILES = frozenset({".DS_Store", "Thumbs.db", "ehthumbs.db", "desktop.ini", "Desktop.ini", ".localized"})
JUNK_FOLDERS = frozenset({"__MACOSX", ".Spotlight-V100", ".Trashes", ".fseventsd", ".TemporaryItems",
                          "$RECYCLE.BIN", "System Volume Information"})

SignManifest = Callable[[bytes], bytes]


class _Writable(Protocol):
    def write(self, data: memoryview, /) -> object: ...


@dataclass(frozen=True)
class SourceFile:
    path: str  # the name in the package: relative, "/"-separated, NFC
    source: Path
    size: int


@dataclass(frozen=True)
class PackagePlan:
    """The files of a bid folder, in package order, as they will be written."""

    files: tuple[SourceFile, ...]

    @property
    def total_size(self) -> int:
        return sum(f.size for f in self.files)


def _is_junk(name: str, is_dir: bool) -> bool:
    if is_dir:
        return name in JUNK_FOLDERS
    return name in JUNK_FILES or name.startswith("._")  # AppleDouble resource forks


def plan_package(source_dir: Path, limits: Limits = DEFAULT_LIMITS) -> PackagePlan:
    """Walk ``source_dir`` and list what a package would hold; refuse anything that cannot be stored.

    Symbolic links and special files are refused (a link could pull in files from outside the bid);
    empty folders are ignored; OS junk (.DS_Store, Thumbs.db...) is skipped.
    """
    if not source_dir.is_dir():
        raise SourceNotADirectory(f"{source_dir} is not a folder")
    found: list[SourceFile] = []
    pending: list[tuple[Path, str]] = [(source_dir, "")]
    while pending:
        folder, prefix = pending.pop()
        try:
            with os.scandir(folder) as it:
                entries = sorted(it, key=lambda e: e.name)
        except OSError as ex:
            raise SourceUnreadable(f"cannot list {folder}: {ex.strerror or ex}") from ex
        for entry in entries:
            path = Path(entry.path)
            try:
                if entry.is_symlink():
                    raise SourceSymlink(f"{path} is a symbolic link; copy the file itself into the "
                                        "bid folder")
                info = entry.stat(follow_symlinks=False)
            except OSError as ex:
                raise SourceUnreadable(f"cannot read {path}: {ex.strerror or ex}") from ex
            is_dir = stat.S_ISDIR(info.st_mode)
            if _is_junk(entry.name, is_dir):
                continue
            name = prefix + _storable_name(entry.name, path)
            if is_dir:
                pending.append((path, name + "/"))
            elif stat.S_ISREG(info.st_mode):
                found.append(SourceFile(path=name, source=path, size=info.st_size))
            else:
                raise SourceSpecialFile(f"{path} is not a regular file (device, pipe or socket)")
    if not found:
        raise SourceEmpty(f"{source_dir} holds no files to put in a bid")
    found.sort(key=lambda f: f.path)
    _check_plan(found, limits)
    return PackagePlan(files=tuple(found))


def _storable_name(name: str, path: Path) -> str:
    try:
        name.encode("utf-8")
    except UnicodeEncodeError as ex:  # bytes that are not UTF-8 in the file name (surrogateescape)
        raise SourceBadName(f"the name of {shown(str(path))} is not valid UTF-8; rename it") from ex
    # macOS hands out NFD names; the package stores NFC so that names compare equal everywhere.
    return unicodedata.normalize("NFC", name)


def _check_plan(files: list[SourceFile], limits: Limits) -> None:
    if len(files) > limits.max_files:
        raise SourceTooLarge(f"the bid folder holds {len(files)} files; at most {limits.max_files} "
                             "are allowed")
    total = 0
    for f in files:
        try:
            check_path(f.path, limits)
        except UnsafePath as ex:
            raise SourceBadName(f"{f.source} cannot be stored portably: {ex.message}; rename it") from ex
        if f.path.casefold() in RESERVED_NAMES:
            raise SourceBadName(f"{f.source} uses the name {f.path!r}, which the package reserves; rename it")
        if f.size > limits.max_file_size:
            raise SourceTooLarge(f"{f.source} is {f.size} bytes; at most {limits.max_file_size} are allowed")
        total += f.size
    if total > limits.max_total_size:
        raise SourceTooLarge(f"the bid files add up to {total} bytes; at most {limits.max_total_size} "
                             "are allowed")
    try:
        check_unique(f.path for f in files)
    except DuplicateEntry as ex:
        raise SourceNameCollision(f"{ex.message}; such names collide on Windows and macOS, "
                                  "rename one") from ex


class _Output:
    """What the package is written to: writes everything (a raw stream may take less than asked) and
    counts the bytes, which are the offsets the ZIP headers record."""

    def __init__(self, dst: _Writable) -> None:
        self._dst = dst
        self.offset = 0

    def write(self, data: bytes | memoryview) -> None:
        view = memoryview(data)
        total = view.nbytes
        while view.nbytes:
            written = self._dst.write(view)
            # A raw stream may write less than asked; anything not reporting a count wrote it all.
            if not isinstance(written, int) or written >= view.nbytes:
                break
            view = view[written:]
        self.offset += total

    def flush(self) -> None:
        flush = getattr(self._dst, "flush", None)
        if flush is not None:
            flush()


# The ZIP records (APPNOTE.TXT 4.3), as zipfile defines them.
_DATA_DESCRIPTOR_FLAG = 0x08
_DATA_DESCRIPTOR_SIGNATURE = 0x08074B50
_CENTRAL_DIR = struct.Struct("<4s4B4HL2L5H2L")
_END_ARCHIVE = struct.Struct("<4s4H2LH")
_END_ARCHIVE64 = struct.Struct("<4sQ2H2L4Q")
_END_ARCHIVE64_LOCATOR = struct.Struct("<4sLQL")
_FILECOUNT_LIMIT = (1 << 16) - 1
_ZIP64_VERSION = 45


class _StoredZip:
    """Writes a ZIP of stored entries, each followed by a data descriptor, exactly as ``zipfile`` does
    on an unseekable stream: ``ZipInfo.FileHeader`` for the local headers, and the data descriptors,
    central directory and end records of ``zipfile.ZipFile`` (3.11-3.13) rebuilt here field by field."""

    def __init__(self, out: _Output) -> None:
        self._out = out
        self._entries: list[zipfile.ZipInfo] = []

    @staticmethod
    def needs_zip64(info: zipfile.ZipInfo, force: bool) -> bool:
        # zipfile's rule for an entry opened for writing with allowZip64 (its size announced up front).
        return force or info.file_size * 1.05 > zipfile.ZIP64_LIMIT

    def begin(self, info: zipfile.ZipInfo, zip64: bool) -> None:
        info.flag_bits = _DATA_DESCRIPTOR_FLAG  # sizes and CRC follow the data: the stream is not sought
        info.CRC = info.compress_size = 0
        info.header_offset = self._out.offset
        self._out.write(info.FileHeader(zip64))

    def data(self, chunk: bytes | memoryview) -> None:
        """Bytes of the entry opened by ``begin``."""
        self._out.write(chunk)

    def end(self, info: zipfile.ZipInfo, crc: int, size: int, zip64: bool) -> None:
        if not zip64 and size > zipfile.ZIP64_LIMIT:  # cannot happen: sizes are checked against the plan
            raise RuntimeError("an entry grew past 4 GiB without ZIP64 fields")
        info.CRC = crc
        info.compress_size = info.file_size = size
        fmt = "<LLQQ" if zip64 else "<LLLL"
        self._out.write(struct.pack(fmt, _DATA_DESCRIPTOR_SIGNATURE, crc, size, size))
        self._entries.append(info)

    def add(self, info: zipfile.ZipInfo, data: bytes) -> None:
        info.file_size = len(data)
        zip64 = self.needs_zip64(info, False)
        self.begin(info, zip64)
        self._out.write(data)
        self.end(info, _crc32(data), len(data), zip64)

    def finish(self) -> None:
        limit = zipfile.ZIP64_LIMIT
        start = self._out.offset
        for info in self._entries:
            year, month, day, hour, minute, second = info.date_time
            dosdate = (year - 1980) << 9 | month << 5 | day
            dostime = hour << 11 | minute << 5 | (second // 2)
            extra: list[int] = []
            file_size = compress_size = info.file_size
            if info.file_size > limit or info.compress_size > limit:
                extra += [info.file_size, info.compress_size]
                file_size = compress_size = 0xFFFFFFFF
            header_offset = info.header_offset
            if header_offset > limit:
                extra.append(header_offset)
                header_offset = 0xFFFFFFFF
            extra_data = info.extra
            min_version = 0
            if extra:
                extra_data = struct.pack("<HH" + "Q" * len(extra), 1, 8 * len(extra), *extra) + extra_data
                min_version = _ZIP64_VERSION
            filename = info.filename.encode("utf-8")
            flag_bits = info.flag_bits
            if not filename.isascii():
                flag_bits |= 0x800  # the name is UTF-8
            self._out.write(_CENTRAL_DIR.pack(
                b"PK\x01\x02", max(min_version, info.create_version),
                info.create_system, max(min_version, info.extract_version), info.reserved, flag_bits,
                info.compress_type, dostime, dosdate, info.CRC, compress_size, file_size, len(filename),
                len(extra_data), len(info.comment), 0, info.internal_attr, info.external_attr,
                header_offset))
            self._out.write(filename + extra_data + info.comment)
        end = self._out.offset
        count, size, offset = len(self._entries), end - start, start
        if count > _FILECOUNT_LIMIT or offset > limit or size > limit:
            self._out.write(_END_ARCHIVE64.pack(b"PK\x06\x06", 44, 45, 45, 0, 0, count, count, size, offset))
            self._out.write(_END_ARCHIVE64_LOCATOR.pack(b"PK\x06\x07", 0, end, 1))
            count, size, offset = min(count, 0xFFFF), min(size, 0xFFFFFFFF), min(offset, 0xFFFFFFFF)
        self._out.write(_END_ARCHIVE.pack(b"PK\x05\x06", 0, 0, count, count, size, offset, 0))


def _zip_time(created: datetime) -> tuple[int, int, int, int, int, int]:
    # ZIP times have no zone and start in 1980; every entry gets the manifest's creation time (UTC),
    # so two packages of the same files at the same time are byte-identical.
    t = created.astimezone(UTC)
    return (max(t.year, 1980), t.month, t.day, t.hour, t.minute, t.second - t.second % 2)


def _entry_info(name: str, created: datetime, size: int) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=_zip_time(created))
    info.compress_type = zipfile.ZIP_STORED
    info.create_system = 3  # Unix, so the mode in external_attr means "regular file, rw-r--r--"
    info.external_attr = _REGULAR_FILE_MODE << 16
    info.file_size = size
    return info


def write_package(
    dst: BinaryIO,
    source_dir: Path,
    *,
    tender_id: str,
    tender_version: int,
    signing_certificate_sha256: str,
    sign_manifest: SignManifest,
    package_sha256: str | None = None,
    bidder_uscc: str | None = None,
    bidder_name: str = "",
    forms: Mapping[str, Any] | None = None,
    links: Sequence[Link] = (),
    created: datetime | None = None,
    tool: str | None = None,
    progress: Progress | None = None,
    cancel: Cancel | None = None,
    limits: Limits = DEFAULT_LIMITS,
) -> Manifest:
    """Write the files of ``source_dir`` and a signed manifest as a ZIP to ``dst``, in one pass.

    ``dst`` needs only ``write`` (and ``flush`` if it has one); it is never sought or closed.
    ``sign_manifest`` receives the exact manifest.json bytes and returns a DER detached CMS
    signature. ``progress`` receives the number of file bytes written so far (the total is
    ``plan_package(source_dir).total_size``); ``cancel`` returning True stops the job with
    OperationCancelled. On any error the output is incomplete and must be discarded.
    Returns the manifest written; ``manifest.to_json_bytes()`` are the bytes that were signed.
    """
    created = (created or datetime.now(UTC)).astimezone(UTC).replace(microsecond=0)
    uscc = bidder_uscc or None  # a certificate without a credit code gives "" or None: both mean null
    # Validate the manifest fields before reading a single file, so a bad argument fails fast.
    probe = Manifest(
        tender=TenderRef(id=tender_id, version=tender_version, package_sha256=package_sha256),
        bidder=BidderRef(uscc=uscc, name=bidder_name, signing_certificate_sha256=signing_certificate_sha256),
        files=(), created=created, tool=tool or f"bidclient {__version__}",
        forms=dict(forms or {}), links=tuple(links))
    plan = plan_package(source_dir, limits)
    _validate(_with_files(probe, tuple(FileEntry(f.path, f.size, "0" * 64) for f in plan.files)), limits)

    out = _Output(dst)
    archive = _StoredZip(out)
    entries: list[FileEntry] = []
    done = 0
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="bidpackage-sha256") as hasher:
        for f in plan.files:
            digest, done = _write_file(archive, hasher, f, created, done, progress, cancel)
            entries.append(FileEntry(path=f.path, size=f.size, sha256=digest))
    manifest = _with_files(probe, tuple(entries))
    manifest_bytes = _validate(manifest, limits)
    _check_cancel(cancel)
    signature = sign_manifest(manifest_bytes)
    if not isinstance(signature, bytes | bytearray) or not signature:
        raise TypeError("sign_manifest must return the DER signature as non-empty bytes")
    if len(signature) > limits.max_signature_size:
        raise SourceTooLarge(f"the manifest signature is {len(signature)} bytes; readers accept at most "
                             f"{limits.max_signature_size}")
    # Written last, so the package is produced in one pass; readers find entries by name.
    archive.add(_entry_info(MANIFEST_NAME, created, len(manifest_bytes)), manifest_bytes)
    archive.add(_entry_info(SIGNATURE_NAME, created, len(signature)), bytes(signature))
    archive.finish()
    out.flush()
    return manifest


def _check_cancel(cancel: Cancel | None) -> None:
    if cancel is not None and cancel():
        raise OperationCancelled("sealing was cancelled; nothing was kept")


def _with_files(probe: Manifest, files: tuple[FileEntry, ...]) -> Manifest:
    return Manifest(tender=probe.tender, bidder=probe.bidder, files=files, created=probe.created,
                    tool=probe.tool, forms=probe.forms, links=probe.links)


def _validate(manifest: Manifest, limits: Limits) -> bytes:
    """The manifest's bytes; ManifestValueInvalid (the writer's input, never "the received bid is not
    acceptable") if a value given cannot go into one."""
    try:
        data = manifest.to_json_bytes()
        manifest.validate(limits)
    except (TypeError, ValueError) as ex:  # forms holding something that is not JSON
        raise ManifestValueInvalid(f"the form data cannot be written as JSON: {ex}") from ex
    except ManifestFieldInvalid as ex:
        raise ManifestValueInvalid(ex.message) from ex
    if len(data) > limits.max_manifest_size:
        raise ManifestValueInvalid(f"the manifest would be {len(data)} bytes; readers accept at most "
                                   f"{limits.max_manifest_size}")
    return data


def _write_file(archive: _StoredZip, hasher: ThreadPoolExecutor, f: SourceFile,
                created: datetime, done: int, progress: Progress | None,
                cancel: Cancel | None) -> tuple[str, int]:
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(f.source, flags)
    except OSError as ex:
        raise SourceUnreadable(f"cannot open {f.source}: {ex.strerror or ex}") from ex
    with open(fd, "rb", buffering=0) as src:
        info = os.fstat(src.fileno())
        # The name was checked when planning; what is opened now must still be that regular file.
        if not stat.S_ISREG(info.st_mode) or info.st_size != f.size:
            raise SourceChanged(f"{f.source} changed while the bid was being sealed; seal again")
        sha = hashlib.sha256()
        zinfo = _entry_info(f.path, created, f.size)
        zip64 = archive.needs_zip64(zinfo, f.size >= ZIP64_THRESHOLD)
        archive.begin(zinfo, zip64)
        count, crc = _copy(src, archive, sha, hasher, f, done, progress, cancel)
        if count != f.size:
            raise SourceChanged(f"{f.source} shrank while the bid was being sealed; seal again")
        archive.end(zinfo, crc, count, zip64)
    return sha.hexdigest(), done + count


def _copy(src: BinaryIO, archive: _StoredZip, sha: Any, hasher: ThreadPoolExecutor, f: SourceFile, done: int,
          progress: Progress | None, cancel: Cancel | None) -> tuple[int, int]:
    """Copy ``src`` into the open entry; returns (bytes copied, their CRC-32)."""
    count = 0
    crc = 0
    pending: Future[None] | None = None
    while True:
        _check_cancel(cancel)
        try:
            chunk = src.read(CHUNK_SIZE)
        except OSError as ex:
            raise SourceUnreadable(f"cannot read {f.source}: {ex.strerror or ex}") from ex
        if pending is not None:
            pending.result()
        if not chunk:
            return count, crc
        count += len(chunk)
        if count > f.size:
            raise SourceChanged(f"{f.source} grew while the bid was being sealed; seal again")
        # hashlib releases the GIL on large buffers, so SHA-256 of this chunk runs beside its CRC-32,
        # its encryption and the read of the next chunk instead of after them.
        pending = hasher.submit(sha.update, chunk)
        crc = _crc32(chunk, crc)
        archive.data(chunk)
        if progress is not None:
            progress(done + count)
