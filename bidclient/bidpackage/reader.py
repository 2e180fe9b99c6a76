"""Read a bid package as hostile input: check everything, extract all or nothing.

Three steps, each refusing with a precise BidPackageError:

``open_package``      the ZIP's structure, before any byte of content is trusted: a bounded walk of the
                      central directory, then every entry's name, type, flags, method and declared sizes.
``PackageReader.check``  the manifest signature first (through the caller's callable), then the manifest
                      itself, then that the ZIP holds exactly the files the manifest lists, at their sizes.
``PackageReader.extract_to``  streams every file once, counting and hashing as it writes into a temporary
                      folder beside the destination, renamed into place only when every file matched.

Header sizes are never trusted for what is read: bytes are counted as they come out.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import stat
import struct
import tempfile
import zipfile
import zlib
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import IO, BinaryIO

from bidclient.bidpackage.errors import (
    BidPackageError,
    CompressionBomb,
    CorruptZip,
    DestinationExists,
    EncryptedEntry,
    EntryMissing,
    EntryNotInManifest,
    ExtractFailed,
    HashMismatch,
    ManifestMissing,
    ManifestTooLarge,
    NotAZip,
    NotChecked,
    NotRegularEntry,
    OverlappingEntries,
    SignatureMissing,
    SizeMismatch,
    TooManyEntries,
    UnsafePath,
    UnsupportedCompression,
)
from bidclient.bidpackage.manifest import (
    DEFAULT_LIMITS,
    MANIFEST_NAME,
    SIGNATURE_NAME,
    FileEntry,
    Limits,
    Manifest,
    check_path,
    check_unique,
    parse_manifest,
    shown,
)
from bidclient.jobs import Cancel, Progress
from crypto.errors import OperationCancelled

CHUNK_SIZE = 4 * 1024 * 1024
VerifyManifest = Callable[[bytes, bytes], object]

_EOCD = struct.Struct("<4s4H2LH")
_EOCD_SIG = b"PK\x05\x06"
_ZIP64_LOCATOR = struct.Struct("<4sLQL")
_ZIP64_LOCATOR_SIG = b"PK\x06\x07"
_ZIP64_EOCD = struct.Struct("<4sQ2H2L4Q")
_ZIP64_EOCD_SIG = b"PK\x06\x06"
_CENTRAL = struct.Struct("<4s6H3L5H2L")
_CENTRAL_SIG = b"PK\x01\x02"
_LOCAL_HEADER_SIZE = 30
_FLAG_ENCRYPTED = 0x1
_FLAG_STRONG_ENCRYPTION = 0x40
_FLAG_UTF8 = 0x800
_DOS_DIRECTORY = 0x10
_DOS_REPARSE_POINT = 0x400  # how Windows zippers mark a symbolic link
_EXTRA_UNICODE_PATH = 0x7075  # Info-ZIP: a second name some unzips prefer over the checked one
_ZIP_ERRORS = (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, EOFError, struct.error, ValueError,
               NotImplementedError, RuntimeError, UnicodeDecodeError)


def open_package(path: Path, limits: Limits = DEFAULT_LIMITS) -> PackageReader:
    """Open a decrypted package for checking. Refuses a file that is not a sound, safe ZIP.

    The reader holds the file open; close it (or use it as a context manager) when done.
    """
    try:
        fp: BinaryIO = open(path, "rb")  # owned by the reader, closed by close()
    except OSError as ex:
        raise NotAZip(f"cannot open {path}: {ex.strerror or ex}") from ex
    try:
        return PackageReader(fp, limits)
    except BaseException:
        fp.close()
        raise


class PackageReader:
    """A bid package whose ZIP structure passed; see :meth:`check` and :meth:`extract_to`."""

    def __init__(self, fp: BinaryIO, limits: Limits = DEFAULT_LIMITS) -> None:
        self._fp = fp
        self._limits = limits
        self._manifest: Manifest | None = None
        central_start = _precheck_central_directory(fp, max_entries=limits.max_files + 2)
        try:
            self._zip = zipfile.ZipFile(fp)
        except (*_ZIP_ERRORS, OSError) as ex:
            raise CorruptZip(f"the package is not a readable ZIP: {ex}") from ex
        try:
            self._entries = _check_entries(self._zip.infolist(), central_start, limits)
            self.manifest_bytes = self._read_small(MANIFEST_NAME, limits.max_manifest_size, ManifestMissing,
                                                   "the package has no manifest.json")
            self.signature_bytes = self._read_small(SIGNATURE_NAME, limits.max_signature_size,
                                                    SignatureMissing,
                                                    "the package has no manifest.json.p7s (signature)")
        except BaseException:
            self._zip.close()
            raise

    # --- lifetime ------------------------------------------------------------------------------

    def close(self) -> None:
        self._zip.close()
        self._fp.close()

    def __enter__(self) -> PackageReader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def names(self) -> list[str]:
        """Every entry name, in archive order (including manifest.json and its signature)."""
        return list(self._entries)

    @property
    def manifest(self) -> Manifest:
        """The manifest, once :meth:`check` has passed."""
        if self._manifest is None:
            raise NotChecked("the package has not been checked; call check() first")
        return self._manifest

    # --- checks --------------------------------------------------------------------------------

    def check(self, verify_manifest: VerifyManifest) -> Manifest:
        """Verify the signature, parse the manifest and match it against the ZIP's entries.

        ``verify_manifest(manifest_bytes, signature_bytes)`` must raise if the signature is not
        acceptable; its exception propagates unchanged (it knows why: trust, revocation, tampering).
        The manifest's contents are parsed only after it returned.
        """
        self._manifest = None
        verify_manifest(self.manifest_bytes, self.signature_bytes)
        manifest = parse_manifest(self.manifest_bytes, self._limits)
        listed = {entry.path: entry for entry in manifest.files}
        for name in self._entries:
            if name not in listed and name not in (MANIFEST_NAME, SIGNATURE_NAME):
                raise EntryNotInManifest(f"the package holds {shown(name)}, which the signed manifest "
                                         "does not list")
        for entry in manifest.files:
            info = self._entries.get(entry.path)
            if info is None:
                raise EntryMissing(f"the signed manifest lists {shown(entry.path)}, which the package lacks")
            if info.file_size != entry.size:
                raise SizeMismatch(f"{shown(entry.path)} is {entry.size} bytes in the signed manifest but "
                                   f"{info.file_size} in the ZIP header")
        self._manifest = manifest
        return manifest

    def verify_contents(self, *, progress: Progress | None = None, cancel: Cancel | None = None) -> None:
        """Read every file once and compare its size and SHA-256 with the manifest, writing nothing."""
        manifest = self.manifest
        done = 0
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="bidpackage-sha256") as hasher:
            for entry in self._in_archive_order(manifest):
                done = self._stream(entry, None, hasher, done, progress, cancel)

    def extract_to(self, dest: Path, *, progress: Progress | None = None,
                   cancel: Cancel | None = None) -> Path:
        """Extract every file (and manifest.json, manifest.json.p7s) into the new folder ``dest``.

        ``dest`` must not exist; its parent must. Files are written into a temporary folder beside
        ``dest`` that is renamed to ``dest`` only if every file had its signed size and SHA-256; on
        any failure the temporary folder is removed and nothing is left behind.
        """
        manifest = self.manifest
        dest = Path(dest)
        if dest.exists() or dest.is_symlink():
            raise DestinationExists(f"{dest} already exists; it was left untouched")
        parent = dest.parent if str(dest.parent) else Path(".")
        try:
            tmp = Path(tempfile.mkdtemp(prefix=f".{dest.name}.", suffix=".partial", dir=parent))
        except OSError as ex:
            raise ExtractFailed(f"cannot create a folder in {parent}: {ex.strerror or ex}") from ex
        try:
            done = 0
            with ThreadPoolExecutor(max_workers=1, thread_name_prefix="bidpackage-sha256") as hasher:
                for entry in self._in_archive_order(manifest):
                    with _create(tmp, entry.path) as out:
                        done = self._stream(entry, out, hasher, done, progress, cancel)
            for name, data in ((MANIFEST_NAME, self.manifest_bytes), (SIGNATURE_NAME, self.signature_bytes)):
                with _create(tmp, name) as out:
                    out.write(data)
            if dest.exists() or dest.is_symlink():
                raise DestinationExists(f"{dest} appeared while the bid was being extracted; it was left "
                                        "untouched")
            os.rename(tmp, dest)
        except BaseException as ex:
            shutil.rmtree(tmp, ignore_errors=True)
            if isinstance(ex, OSError):
                raise ExtractFailed(f"extracting into {dest} failed: {ex.strerror or ex}; nothing was "
                                    "kept") from ex
            raise
        return dest

    # --- internals -----------------------------------------------------------------------------

    def _in_archive_order(self, manifest: Manifest) -> list[FileEntry]:
        # Reading in file order keeps the temporary file's reads sequential.
        return sorted(manifest.files, key=lambda e: self._entries[e.path].header_offset)

    def _read_small(self, name: str, cap: int, missing: type[BidPackageError], message: str) -> bytes:
        info = self._entries.get(name)
        if info is None:
            raise missing(message)
        if info.file_size > cap:
            raise ManifestTooLarge(f"{name} declares {info.file_size} bytes; at most {cap} are accepted")
        try:
            with self._zip.open(info) as src:
                data = src.read(cap + 1)
        except _ZIP_ERRORS as ex:
            raise CorruptZip(f"{name} is damaged: {ex}") from ex
        if len(data) != info.file_size:
            raise SizeMismatch(f"{name} is {len(data)} bytes, not the {info.file_size} its ZIP header says")
        return data

    def _stream(self, entry: FileEntry, out: IO[bytes] | None, hasher: ThreadPoolExecutor, done: int,
                progress: Progress | None, cancel: Cancel | None) -> int:
        info = self._entries[entry.path]
        sha = hashlib.sha256()
        count = 0
        pending: Future[None] | None = None
        try:
            with self._zip.open(info) as src:
                while True:
                    if cancel is not None and cancel():
                        raise OperationCancelled("opening was cancelled; nothing was kept")
                    chunk = src.read(CHUNK_SIZE)
                    if pending is not None:
                        pending.result()
                    if not chunk:
                        break
                    count += len(chunk)
                    if count > entry.size:
                        raise SizeMismatch(f"{shown(entry.path)} holds more than the {entry.size} bytes the "
                                           "signed manifest says")
                    # SHA-256 on a second thread (hashlib releases the GIL) beside CRC-32 and the write.
                    pending = hasher.submit(sha.update, chunk)
                    if out is not None:
                        out.write(chunk)
                    if progress is not None:
                        progress(done + count)
        except _ZIP_ERRORS as ex:
            raise CorruptZip(f"{shown(entry.path)} is damaged: {ex}") from ex
        if count != entry.size:
            raise SizeMismatch(f"{shown(entry.path)} holds {count} bytes; the signed manifest says "
                               f"{entry.size}")
        if sha.hexdigest() != entry.sha256:
            raise HashMismatch(f"{shown(entry.path)} does not match the SHA-256 in the signed manifest "
                               "(altered after signing)")
        return done + count


@contextmanager
def _create(root: Path, name: str) -> Iterator[IO[bytes]]:
    """Create root/name, which must not exist, never following a link (the name was checked)."""
    target = root.joinpath(*name.split("/"))
    target.parent.mkdir(parents=True, exist_ok=True)
    flags = (os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
             | getattr(os, "O_BINARY", 0))
    fd = os.open(target, flags, 0o644)
    with open(fd, "wb", buffering=0) as out:
        yield out


# --- structure checks ------------------------------------------------------------------------------


def _precheck_central_directory(fp: BinaryIO, *, max_entries: int) -> int:
    """Find the central directory and count its records without building them; return its offset.

    zipfile builds an object per central-directory record of any size it is given; a hostile
    package could declare millions. This walk reads only fixed headers and stops past max_entries.
    """
    try:
        size = fp.seek(0, os.SEEK_END)
        if size < _EOCD.size:
            raise NotAZip("the package is not a ZIP file (too short)")
        tail_len = min(size, _EOCD.size + 0xFFFF)
        fp.seek(size - tail_len)
        tail = fp.read(tail_len)
        pos = tail.rfind(_EOCD_SIG)
        # The comment length must reach exactly to the end, or the signature is inside the comment.
        while pos >= 0 and (pos + _EOCD.size > len(tail)
                            or pos + _EOCD.size + _EOCD.unpack_from(tail, pos)[-1] != len(tail)):
            pos = tail.rfind(_EOCD_SIG, 0, pos)
        if pos < 0:
            raise NotAZip("the package is not a ZIP file (no end of central directory)")
        eocd_offset = size - tail_len + pos
        (_, disk, cd_disk, disk_entries, total_entries, cd_size, cd_offset,
         _comment) = _EOCD.unpack_from(tail, pos)
        end_of_cd = eocd_offset
        # A ZIP64 locator right before the end record means the ZIP64 record holds the true values, as
        # zipfile reads it too. zipfile writes one from 2 GiB on, where the 32-bit fields still fit.
        locator = b""
        if eocd_offset >= _ZIP64_LOCATOR.size:
            fp.seek(eocd_offset - _ZIP64_LOCATOR.size)
            locator = fp.read(_ZIP64_LOCATOR.size)
            if locator[:4] != _ZIP64_LOCATOR_SIG:
                locator = b""
        if locator or 0xFFFF in (disk_entries, total_entries) or 0xFFFFFFFF in (cd_size, cd_offset):
            if not locator:
                raise CorruptZip("the ZIP64 end of central directory locator is missing")
            sig, _, z64_offset, _ = _ZIP64_LOCATOR.unpack(locator)
            if sig != _ZIP64_LOCATOR_SIG or z64_offset + _ZIP64_EOCD.size > eocd_offset:
                raise CorruptZip("the ZIP64 end of central directory locator is damaged")
            fp.seek(z64_offset)
            (sig, _, _, _, disk, cd_disk, disk_entries, total_entries, cd_size,
             cd_offset) = _ZIP64_EOCD.unpack(fp.read(_ZIP64_EOCD.size))
            if sig != _ZIP64_EOCD_SIG:
                raise CorruptZip("the ZIP64 end of central directory record is damaged")
            end_of_cd = z64_offset
        if disk != 0 or cd_disk != 0 or disk_entries != total_entries:
            raise CorruptZip("multi-volume ZIP files are not accepted")
        if total_entries > max_entries:
            raise TooManyEntries(f"the package declares {total_entries} entries; at most {max_entries} "
                                 "are accepted")
        # No bytes before the first entry or between the directory and its end record: data hidden
        # there is invisible to some readers and read by others.
        if cd_offset + cd_size != end_of_cd:
            raise CorruptZip("the ZIP central directory is not where its end record says")
        fp.seek(cd_offset)
        count = 0
        consumed = 0
        while consumed < cd_size:
            header = fp.read(_CENTRAL.size)
            if len(header) != _CENTRAL.size or header[:4] != _CENTRAL_SIG:
                raise CorruptZip("the ZIP central directory is damaged")
            fields = _CENTRAL.unpack(header)
            name_len, extra_len, comment_len = fields[10], fields[11], fields[12]
            skip = name_len + extra_len + comment_len
            fp.seek(skip, os.SEEK_CUR)
            consumed += _CENTRAL.size + skip
            count += 1
            if count > max_entries:
                raise TooManyEntries(f"the package holds more than {max_entries} entries")
        if consumed != cd_size or count != total_entries:
            raise CorruptZip("the ZIP central directory does not match its end record")
        return int(cd_offset)
    except (OSError, struct.error) as ex:
        raise CorruptZip(f"the package is not a readable ZIP: {ex}") from ex


def _extra_ids(extra: bytes) -> Iterator[int]:
    offset = 0
    while offset + 4 <= len(extra):
        ident, length = struct.unpack_from("<HH", extra, offset)
        yield ident
        offset += 4 + length


def _check_entries(infos: list[zipfile.ZipInfo], central_start: int,
                   limits: Limits) -> dict[str, zipfile.ZipInfo]:
    """Check each entry on its own, then as a set; return them by name."""
    if len(infos) > limits.max_files + 2:
        raise TooManyEntries(f"the package holds {len(infos)} entries; at most {limits.max_files + 2} "
                             "are accepted")
    for info in infos:
        name = info.orig_filename  # zipfile's .filename cuts at NUL; the check must see the raw name
        if info.flag_bits & (_FLAG_ENCRYPTED | _FLAG_STRONG_ENCRYPTION):
            raise EncryptedEntry(f"the entry {shown(name)} is encrypted; bid packages never are")
        _check_regular(info, name)
        if not info.flag_bits & _FLAG_UTF8 and not name.isascii():
            raise UnsafePath(f"the entry name {shown(name)} is not marked as UTF-8")
        if _EXTRA_UNICODE_PATH in _extra_ids(info.extra):
            raise UnsafePath(f"the entry {shown(name)} carries a second (Info-ZIP Unicode) name")
    # Before the per-name rules, so that a decomposed twin of a name is reported as the collision
    # it is on macOS rather than only as "not NFC".
    check_unique(info.orig_filename for info in infos)
    total = 0
    for info in infos:
        name = info.orig_filename
        check_path(name, limits)
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise UnsupportedCompression(f"the entry {shown(name)} uses compression method "
                                         f"{info.compress_type}; only stored (0) and deflated (8) are "
                                         "accepted")
        if info.file_size > limits.max_file_size:
            raise CompressionBomb(f"the entry {shown(name)} declares {info.file_size} bytes; at most "
                                  f"{limits.max_file_size} are accepted")
        if info.compress_type == zipfile.ZIP_STORED and info.compress_size != info.file_size:
            raise SizeMismatch(f"the stored entry {shown(name)} has different compressed and uncompressed "
                               "sizes")
        if info.file_size > max(info.compress_size, 1) * limits.max_compression_ratio:
            raise CompressionBomb(f"the entry {shown(name)} expands {info.compress_size} bytes to "
                                  f"{info.file_size} (more than {limits.max_compression_ratio} times)")
        total += info.file_size
    if total > limits.max_total_size:
        raise CompressionBomb(f"the package expands to {total} bytes; at most {limits.max_total_size} "
                              "are accepted")
    _check_no_overlap(infos, central_start)
    return {info.orig_filename: info for info in infos}


def _check_regular(info: zipfile.ZipInfo, name: str) -> None:
    mode = info.external_attr >> 16
    kind = stat.S_IFMT(mode)
    if (name.endswith("/") or info.external_attr & _DOS_DIRECTORY or kind == stat.S_IFDIR):
        raise NotRegularEntry(f"the entry {shown(name)} is a folder; bid packages hold files only")
    if kind == stat.S_IFLNK or info.external_attr & _DOS_REPARSE_POINT:
        raise NotRegularEntry(f"the entry {shown(name)} is a symbolic link")
    if kind not in (0, stat.S_IFREG):
        raise NotRegularEntry(f"the entry {shown(name)} is not a regular file (mode {mode:o})")


def _check_no_overlap(infos: list[zipfile.ZipInfo], central_start: int) -> None:
    # Entries sharing bytes are how "overlapping" ZIP bombs reach huge ratios from one compressed
    # stream; they also let two entries claim the same content.
    ordered = sorted(infos, key=lambda i: i.header_offset)
    for current, following in zip(ordered, [*ordered[1:], None], strict=True):
        end = (current.header_offset + _LOCAL_HEADER_SIZE + len(current.orig_filename.encode("utf-8"))
               + current.compress_size)
        limit = following.header_offset if following is not None else central_start
        if end > limit:
            raise OverlappingEntries(f"the entry {shown(current.orig_filename)} overlaps the next one or the "
                                     "central directory")
