"""Verify a bid package from its bytes as they arrive: one pass, nothing read twice (the opening's path).

The opening terminal decrypts a sealed bid while it downloads; :class:`PackageStream` takes the plaintext
as it comes out of the cipher and, without a scratch copy of the package:

- parses each local file header (stream-unzip style) and checks its name, flags and method at once;
- hashes every entry with SHA-256 on a second thread (hashlib releases the GIL, so it runs beside the
  AES-GCM decryption and the next piece's parsing on the caller's thread) and, when asked to keep a copy,
  writes it into a hidden folder beside its destination in the same pass;
- keeps only ``manifest.json`` and ``manifest.json.p7s`` in memory (capped);
- at the end reads the central directory with the same checks as :mod:`bidclient.bidpackage.reader`
  (``_precheck_central_directory``, ``zipfile``, ``_check_entries``) and requires it to describe exactly
  the entries that were streamed: same names, offsets, methods, flags and sizes, no byte unaccounted for.
  An entry hidden from the local headers (or from the directory) is refused.

The reference writer stores every file with a data descriptor (flag bit 3: zero sizes in the local
header, as ``zipfile`` writes on a non-seekable stream). Such an entry's end is found by looking for its
descriptor — the signature, both sizes equal to the bytes counted so far, and the next record's signature
right after it. A fake descriptor planted in a file's bytes cannot make a package pass: the streamed view
would then differ from the central directory (refused) or the file's SHA-256 from the signed manifest
(refused). CRC-32 is not computed: the signed SHA-256 of each file is the integrity check (the CRC-32 of
the descriptor must still equal the directory's).

Nothing is final before :meth:`PackageStream.check` passed and the caller knows the GCM tag verified:
until :meth:`keep` renames it, a kept copy sits in a hidden ``.partial`` folder that :meth:`discard`
removes.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import shutil
import struct
import tempfile
import zipfile
import zlib
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, BinaryIO, cast

from bidclient.bidpackage import reader as _reader
from bidclient.bidpackage.errors import (
    BidPackageError,
    CompressionBomb,
    CorruptZip,
    DestinationExists,
    DuplicateEntry,
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
    Limits,
    Manifest,
    check_path,
    collision_key,
    parse_manifest,
    shown,
)

__all__ = ["PackageStream"]

_LOCAL = struct.Struct("<4s5H3L2H")
_LOCAL_SIG = b"PK\x03\x04"
_CENTRAL_SIG = b"PK\x01\x02"
_TAIL_SIGS = (_CENTRAL_SIG, b"PK\x05\x06", b"PK\x06\x06")
_DESCRIPTOR_SIG = b"PK\x07\x08"
_DESCRIPTOR_SEARCH = re.compile(re.escape(_DESCRIPTOR_SIG))
_NEXT_SIGS = (_LOCAL_SIG, _CENTRAL_SIG)
_FLAG_ENCRYPTED = 0x1
_FLAG_DESCRIPTOR = 0x8
_FLAG_STRONG_ENCRYPTION = 0x40
_FLAG_UTF8 = 0x800
_EXTRA_ZIP64 = 0x0001
_EXTRA_UNICODE_PATH = 0x7075
_INFLATE_PIECE = 4 << 20
_MAX_TAIL = 64 << 20  # the central directory and end records: 10 002 entries with long names fit easily

# states
_HEADER, _NAME, _DATA, _DESCRIPTOR, _TAIL, _FAILED = range(6)


@dataclass
class _Entry:
    name: str
    offset: int  # of its local header
    flags: int
    method: int
    zip64: bool
    declared: int  # size in the local header (stored, no descriptor)
    data_start: int = 0
    compressed: int = 0
    size: int = 0
    crc: int | None = None  # from the descriptor or the local header
    sha256: str = ""
    sha: Any = field(default=None, repr=False)
    out: IO[bytes] | None = field(default=None, repr=False)
    memory: bytearray | None = field(default=None, repr=False)
    cap: int = 0
    inflater: Any = field(default=None, repr=False)


class _Names:
    """check_unique, one name at a time (a kept copy is written as the names arrive)."""

    def __init__(self) -> None:
        self.files: dict[str, str] = {}
        self.folders: dict[str, str] = {}

    def add(self, name: str) -> None:
        key = collision_key(name)
        if key in self.files:
            other = self.files[key]
            what = "twice" if other == name else f"as {shown(other)} and {shown(name)}"
            raise DuplicateEntry(f"the entry {shown(name)} occurs {what} "
                                 "(names equal after case folding or Unicode normalisation)")
        if key in self.folders:
            raise DuplicateEntry(f"{shown(name)} is both a file and the folder of {shown(self.folders[key])}")
        parts = key.split("/")
        for depth in range(1, len(parts)):
            folder = "/".join(parts[:depth])
            if folder in self.files:
                raise DuplicateEntry(f"{shown(self.files[folder])} is both a file and the folder of {shown(name)}")
            self.folders.setdefault(folder, name)
        self.files[key] = name


class _TailFile(io.RawIOBase):
    """The package as ``zipfile`` and the reader's directory walk see it: only the bytes from the central
    directory on are known (the entries streamed by); anything before reads as zeros, which hold no record."""

    def __init__(self, tail: bytes, start: int) -> None:
        super().__init__()
        self._tail = tail
        self._start = start
        self._size = start + len(tail)
        self._pos = 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._pos, io.SEEK_END: self._size}[whence]
        if base + offset < 0:
            raise OSError("negative seek position")
        self._pos = base + offset
        return self._pos

    def tell(self) -> int:
        return self._pos

    def readinto(self, buffer: Any) -> int:
        view = memoryview(buffer).cast("B")
        end = min(self._size, self._pos + len(view))
        n = max(0, end - self._pos)
        if not n:
            return 0
        zeros = max(0, min(end, self._start) - self._pos)
        view[:zeros] = bytes(zeros)
        if n > zeros:
            lo = self._pos + zeros - self._start
            view[zeros:n] = self._tail[lo:lo + n - zeros]
        self._pos = end
        return n


class PackageStream:
    """Feed it a package's bytes in order (``feed``), then ``close``, ``check``, and ``keep`` or
    ``discard``. ``keep_as``: where a verified copy of the files goes (a folder that must not exist; its
    parent must), or None to write nothing. Raises BidPackageError subclasses as the file reader does."""

    def __init__(self, limits: Limits = DEFAULT_LIMITS, *, keep_as: Path | None = None) -> None:
        self._limits = limits
        self._pos = 0
        self._state = _HEADER
        self._small = bytearray()  # a record being assembled
        self._entry: _Entry | None = None
        self._entries: list[_Entry] = []
        self._names = _Names()
        self._carry = b""  # the last bytes of a stored entry with a descriptor, held until checked
        self._tail = bytearray()
        self._tail_start = 0
        self._total = 0
        self._closed = False
        self._manifest: Manifest | None = None
        self.manifest_bytes = b""
        self.signature_bytes = b""
        self._hasher = ThreadPoolExecutor(max_workers=1, thread_name_prefix="bidpackage-sha256")
        self._pending: Future[None] | None = None
        self._pending_feed = 0  # the feed call whose buffer the pending hash reads
        self._feeds = 0
        self._dest = keep_as
        self._folder: Path | None = None
        if keep_as is not None:
            if keep_as.exists() or keep_as.is_symlink():
                raise DestinationExists(f"{keep_as} already exists; it was left untouched")
            try:
                self._folder = Path(tempfile.mkdtemp(prefix=f".{keep_as.name}.", suffix=".partial",
                                                     dir=keep_as.parent))
            except OSError as ex:
                raise ExtractFailed(f"cannot create a folder in {keep_as.parent}: {ex.strerror or ex}") from ex

    # --- feeding ---------------------------------------------------------------------------------

    def feed(self, buffer: bytes | bytearray, n: int | None = None) -> None:
        """The next ``buffer[:n]`` bytes of the package. The buffer is read until the next call returns
        (a second thread hashes it meanwhile), so a caller may reuse it from the call after next on."""
        if self._closed or self._state == _FAILED:
            raise ValueError("the package stream is closed")
        hi = len(buffer) if n is None else n
        try:
            self._feeds += 1
            self._feed(buffer, 0, hi)  # overlaps the previous buffer's hashing (the first hash waits for it)
            if self._pending_feed < self._feeds:
                self._wait()  # the previous buffer is hashed: the caller may refill it once this returns
        except BaseException:
            self._state = _FAILED
            self._wait()
            raise

    def _feed(self, buf: bytes | bytearray, lo: int, hi: int) -> None:
        while lo < hi:
            state = self._state
            if state == _DATA:
                lo = self._feed_data(buf, lo, hi)
            elif state == _TAIL:
                if len(self._tail) + hi - lo > _MAX_TAIL:
                    raise TooManyEntries(f"the package's central directory is larger than {_MAX_TAIL} bytes")
                self._tail += buf[lo:hi]
                self._pos += hi - lo
                lo = hi
            else:
                need = self._need()
                take = min(need - len(self._small), hi - lo)
                self._small += buf[lo:lo + take]
                lo += take
                self._pos += take
                if len(self._small) == need:
                    self._record()

    def _need(self) -> int:
        if self._state == _HEADER:
            return 4 if len(self._small) < 4 else _LOCAL.size
        if self._state == _NAME:
            fields = _LOCAL.unpack_from(self._small)
            return _LOCAL.size + fields[9] + fields[10]
        entry = self._entry
        assert entry is not None
        size = 24 if entry.zip64 else 16
        if entry.method == zipfile.ZIP_STORED:  # found by its signature
            return size
        if len(self._small) < 4:
            return 4
        return size if self._small[:4] == _DESCRIPTOR_SIG else size - 4

    def _record(self) -> None:
        if self._state == _HEADER:
            if len(self._small) == 4:
                sig = bytes(self._small)
                if sig in _TAIL_SIGS:
                    self._state = _TAIL
                    self._tail_start = self._pos - 4
                    self._tail = bytearray(self._small)
                    self._small.clear()
                elif sig != _LOCAL_SIG:
                    if self._pos == 4:
                        raise NotAZip("the package is not a ZIP file (it does not start with a file header)")
                    raise CorruptZip(f"the package holds unexpected bytes at offset {self._pos - 4} (not a ZIP "
                                     "record where one must start)")
                return
            self._state = _NAME
            if self._need() == len(self._small):
                self._record()
            return
        if self._state == _NAME:
            self._begin_entry(bytes(self._small))
            self._small.clear()
            return
        self._end_descriptor(bytes(self._small))
        self._small.clear()

    def _begin_entry(self, header: bytes) -> None:
        (_, _version, flags, method, _time, _date, crc, csize, usize, name_len,
         _extra_len) = _LOCAL.unpack_from(header)
        raw = header[_LOCAL.size:_LOCAL.size + name_len]
        extra = header[_LOCAL.size + name_len:]
        offset = self._pos - len(header)
        if len(self._entries) >= self._limits.max_files + 2:
            raise TooManyEntries(f"the package holds more than {self._limits.max_files + 2} entries")
        try:
            name = raw.decode("utf-8" if flags & _FLAG_UTF8 else "cp437")
        except UnicodeDecodeError as ex:
            raise CorruptZip(f"an entry name at offset {offset} is not valid UTF-8") from ex
        if flags & (_FLAG_ENCRYPTED | _FLAG_STRONG_ENCRYPTION):
            raise EncryptedEntry(f"the entry {shown(name)} is encrypted; bid packages never are")
        if not flags & _FLAG_UTF8 and not name.isascii():
            raise UnsafePath(f"the entry name {shown(name)} is not marked as UTF-8")
        zip64 = False
        pos = 0
        while pos + 4 <= len(extra):
            ident, length = struct.unpack_from("<HH", extra, pos)
            if ident == _EXTRA_UNICODE_PATH:
                raise UnsafePath(f"the entry {shown(name)} carries a second (Info-ZIP Unicode) name")
            if ident == _EXTRA_ZIP64:
                zip64 = True
                values = extra[pos + 4:pos + 4 + length]
                sizes = [struct.unpack_from("<Q", values, i)[0] for i in range(0, len(values) - 7, 8)]
                if usize == 0xFFFFFFFF and sizes:
                    usize = sizes.pop(0)
                if csize == 0xFFFFFFFF and sizes:
                    csize = sizes.pop(0)
            pos += 4 + length
        if name.endswith("/"):
            raise NotRegularEntry(f"the entry {shown(name)} is a folder; bid packages hold files only")
        self._names.add(name)  # first, as the reader: a decomposed twin is reported as the collision it is
        check_path(name, self._limits)
        if method not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise UnsupportedCompression(f"the entry {shown(name)} uses compression method {method}; only "
                                         "stored (0) and deflated (8) are accepted")
        entry = _Entry(name, offset, flags, method, zip64, csize, data_start=self._pos)
        if not flags & _FLAG_DESCRIPTOR:
            entry.crc = crc
            if method == zipfile.ZIP_STORED and csize != usize:
                raise SizeMismatch(f"the stored entry {shown(name)} has different compressed and uncompressed "
                                   "sizes")
            if method == zipfile.ZIP_STORED and usize > self._limits.max_file_size:
                raise CompressionBomb(f"the entry {shown(name)} declares {usize} bytes; at most "
                                      f"{self._limits.max_file_size} are accepted")
        elif method == zipfile.ZIP_STORED and (csize or usize):
            # APPNOTE 4.4.4: with bit 3 the local sizes are zero; stored data cannot be delimited otherwise.
            raise CorruptZip(f"the entry {shown(name)} has both sizes in its header and a data descriptor")
        if method == zipfile.ZIP_DEFLATED:
            entry.inflater = zlib.decompressobj(-15)
        if name in (MANIFEST_NAME, SIGNATURE_NAME):
            entry.memory = bytearray()
            entry.cap = (self._limits.max_manifest_size if name == MANIFEST_NAME
                         else self._limits.max_signature_size)
        else:
            entry.sha = hashlib.sha256()
            if self._folder is not None:
                entry.out = self._create(name)
        self._entry = entry
        self._entries.append(entry)
        self._state = _DATA
        if method == zipfile.ZIP_STORED and not flags & _FLAG_DESCRIPTOR and csize == 0:
            self._end_data()

    # --- entry data ------------------------------------------------------------------------------

    def _feed_data(self, buf: bytes | bytearray, lo: int, hi: int) -> int:
        entry = self._entry
        assert entry is not None
        if entry.inflater is not None:
            return self._inflate(entry, buf, lo, hi)
        if not entry.flags & _FLAG_DESCRIPTOR:
            take = min(hi - lo, entry.declared - entry.compressed)
            self._data(entry, buf, lo, lo + take)
            self._pos += take
            entry.compressed += take
            if entry.compressed == entry.declared:
                self._end_data()
            return lo + take
        return self._scan(entry, buf, lo, hi)

    def _scan(self, entry: _Entry, buf: bytes | bytearray, lo: int, hi: int) -> int:
        """A stored entry with a data descriptor: everything up to its descriptor is the entry's."""
        keep = (24 if entry.zip64 else 16) + 3  # a candidate this close to the end cannot be checked yet
        if self._carry:
            carried = self._carry
            take = min(hi - lo, keep + 1)
            joined = carried + bytes(buf[lo:lo + take])
            found, safe = self._find_descriptor(entry, joined, 0, len(joined))
            self._carry = b""
            if found is not None:
                self._data(entry, joined, 0, found)
                self._count_data(entry, found)
                self._end_data()
                self._feed(joined, found, len(joined))  # the descriptor and what follows it: a few bytes
                return lo + take
            self._data(entry, joined, 0, safe)
            self._count_data(entry, safe)
            if take == hi - lo:
                self._carry = joined[safe:]
                self._pos = entry.data_start + entry.compressed + len(self._carry)
                return hi
            return lo + safe - len(carried)  # the rest of ``joined`` is buf's own bytes, scanned there
        found, safe = self._find_descriptor(entry, buf, lo, hi)
        if found is not None:
            self._data(entry, buf, lo, found)
            self._count_data(entry, found - lo)
            self._end_data()
            return found
        self._data(entry, buf, lo, safe)
        self._count_data(entry, safe - lo)
        self._carry = bytes(buf[safe:hi])
        self._pos = entry.data_start + entry.compressed + len(self._carry)  # held back: read, not yet counted
        return hi

    def _count_data(self, entry: _Entry, n: int) -> None:
        entry.compressed += n
        self._pos = entry.data_start + entry.compressed + len(self._carry)
        if entry.compressed > self._limits.max_file_size:
            raise CompressionBomb(f"the entry {shown(entry.name)} holds more than "
                                  f"{self._limits.max_file_size} bytes")

    def _find_descriptor(self, entry: _Entry, buf: bytes | bytearray, lo: int,
                         hi: int) -> tuple[int | None, int]:
        """(the descriptor's index, _) or (None, the index before which no descriptor can start)."""
        size = 24 if entry.zip64 else 16
        limit = hi - size - 4  # a candidate at q needs q + size + 4 <= hi to be checked
        fmt = "<QQ" if entry.zip64 else "<LL"
        search = _DESCRIPTOR_SEARCH.search  # sre's literal-prefix scan: ~2/3 of bytes.find's time here
        found = search(buf, lo, hi)
        while found is not None and (q := found.start()) <= limit:
            counted = entry.compressed + q - lo
            csize, usize = struct.unpack_from(fmt, buf, q + 8)
            if csize == usize == counted and bytes(buf[q + size:q + size + 4]) in _NEXT_SIGS:
                return q, q
            found = search(buf, q + 1, hi)
        return None, max(lo, limit + 1)

    def _inflate(self, entry: _Entry, buf: bytes | bytearray, lo: int, hi: int) -> int:
        inflater = entry.inflater
        data = bytes(buf[lo:hi])
        while data:
            out = inflater.decompress(data, _INFLATE_PIECE)
            data = inflater.unconsumed_tail
            if out:
                self._data(entry, out, 0, len(out))
            if entry.size > self._limits.max_file_size:
                raise CompressionBomb(f"the entry {shown(entry.name)} expands to more than "
                                      f"{self._limits.max_file_size} bytes")
            if inflater.eof:
                break
        if not inflater.eof:
            entry.compressed += hi - lo
            self._pos += hi - lo
            return hi
        used = (hi - lo) - len(inflater.unused_data)
        entry.compressed += used
        self._pos += used
        self._end_data()
        return lo + used

    def _data(self, entry: _Entry, buf: bytes | bytearray, lo: int, hi: int) -> None:
        if hi <= lo:
            return
        if entry.memory is not None:
            if len(entry.memory) + hi - lo > entry.cap:
                raise ManifestTooLarge(f"{entry.name} holds more than {entry.cap} bytes; at most {entry.cap} "
                                       "are accepted")
            entry.memory += buf[lo:hi]
            entry.size += hi - lo
            return
        entry.size += hi - lo
        self._wait()
        self._pending = self._hasher.submit(_digest_and_write, entry.sha, entry.out, memoryview(buf)[lo:hi])
        self._pending_feed = self._feeds

    def _wait(self) -> None:
        pending, self._pending = self._pending, None
        if pending is not None:
            try:
                pending.result()
            except OSError as ex:
                raise ExtractFailed(f"writing the bid's files failed: {ex.strerror or ex}; nothing was "
                                    "kept") from ex

    def _end_data(self) -> None:
        entry = self._entry
        assert entry is not None
        if entry.method == zipfile.ZIP_STORED and not entry.flags & _FLAG_DESCRIPTOR:
            entry.size = entry.compressed
        if entry.flags & _FLAG_DESCRIPTOR:
            self._state = _DESCRIPTOR
        else:
            self._close_entry(entry)

    def _end_descriptor(self, record: bytes) -> None:
        entry = self._entry
        assert entry is not None
        if record[:4] == _DESCRIPTOR_SIG:
            record = record[4:]
        crc, csize, usize = struct.unpack("<LQQ" if entry.zip64 else "<LLL", record)
        if csize != entry.compressed or usize != entry.size:
            raise SizeMismatch(f"the data descriptor of {shown(entry.name)} says {usize} bytes; it holds "
                               f"{entry.size}")
        entry.crc = crc
        self._close_entry(entry)

    def _close_entry(self, entry: _Entry) -> None:
        if entry.method == zipfile.ZIP_STORED and entry.size != entry.compressed:
            raise SizeMismatch(f"the stored entry {shown(entry.name)} has different compressed and uncompressed "
                               "sizes")
        if entry.size > max(entry.compressed, 1) * self._limits.max_compression_ratio:
            raise CompressionBomb(f"the entry {shown(entry.name)} expands {entry.compressed} bytes to "
                                  f"{entry.size} (more than {self._limits.max_compression_ratio} times)")
        self._total += entry.size
        if self._total > self._limits.max_total_size:
            raise CompressionBomb(f"the package expands to more than {self._limits.max_total_size} bytes")
        if entry.sha is not None:
            self._wait()  # the entry's last bytes are hashed (and written) before its digest is read
            entry.sha256 = entry.sha.hexdigest()
            entry.sha = None
            if entry.out is not None:
                entry.out.close()
                entry.out = None
        self._entry = None
        self._state = _HEADER

    # --- the end ---------------------------------------------------------------------------------

    def close(self) -> None:
        """The package ended: its central directory must list exactly the entries streamed."""
        if self._closed:
            return
        self._closed = True
        try:
            self._wait()
            if self._state != _TAIL:
                if self._pos == 0:
                    raise NotAZip("the package is empty")
                raise CorruptZip("the package ends inside an entry (no central directory)")
            self._check_directory()
        except BaseException:
            self._state = _FAILED
            raise
        finally:
            self._hasher.shutdown(wait=True)

    def _check_directory(self) -> None:
        tail = _TailFile(bytes(self._tail), self._tail_start)
        central_start = _reader._precheck_central_directory(cast(BinaryIO, tail),
                                                            max_entries=self._limits.max_files + 2)
        if central_start != self._tail_start:
            raise CorruptZip("the ZIP central directory is not where the streamed entries end")
        try:
            with zipfile.ZipFile(tail) as archive:
                infos = archive.infolist()
        except (*_reader._ZIP_ERRORS, OSError) as ex:
            raise CorruptZip(f"the package is not a readable ZIP: {ex}") from ex
        by_name = _reader._check_entries(infos, central_start, self._limits)
        if len(infos) != len(self._entries):
            raise CorruptZip(f"the central directory lists {len(infos)} entries; the package holds "
                             f"{len(self._entries)}")
        for entry in self._entries:
            info = by_name.get(entry.name)
            if info is None:
                raise CorruptZip(f"the entry {shown(entry.name)} is not in the central directory")
            if (info.header_offset != entry.offset or info.compress_type != entry.method
                    or info.flag_bits != entry.flags):
                raise CorruptZip(f"the central directory describes {shown(entry.name)} differently from its "
                                 "local header")
            if info.compress_size != entry.compressed or info.file_size != entry.size:
                raise SizeMismatch(f"{shown(entry.name)} holds {entry.size} bytes ({entry.compressed} stored); "
                                   f"the central directory says {info.file_size} ({info.compress_size})")
            if info.CRC != entry.crc:
                raise CorruptZip(f"the central directory gives {shown(entry.name)} another CRC-32 than its "
                                 "local header or data descriptor")
            if entry.memory is not None:
                if entry.name == MANIFEST_NAME:
                    self.manifest_bytes = bytes(entry.memory)
                else:
                    self.signature_bytes = bytes(entry.memory)
        if not any(e.name == MANIFEST_NAME for e in self._entries):
            raise ManifestMissing("the package has no manifest.json")
        if not any(e.name == SIGNATURE_NAME for e in self._entries):
            raise SignatureMissing("the package has no manifest.json.p7s (signature)")

    def check(self, verify_manifest: _reader.VerifyManifest) -> Manifest:
        """As ``PackageReader.check``, and every file's SHA-256 (already computed) against the manifest."""
        if not self._closed or self._state == _FAILED:
            raise NotChecked("the package was not streamed to its end")
        self._manifest = None
        verify_manifest(self.manifest_bytes, self.signature_bytes)
        manifest = parse_manifest(self.manifest_bytes, self._limits)
        listed = {entry.path: entry for entry in manifest.files}
        streamed = {e.name: e for e in self._entries}
        for name in streamed:
            if name not in listed and name not in (MANIFEST_NAME, SIGNATURE_NAME):
                raise EntryNotInManifest(f"the package holds {shown(name)}, which the signed manifest "
                                         "does not list")
        for file in manifest.files:
            got = streamed.get(file.path)
            if got is None:
                raise EntryMissing(f"the signed manifest lists {shown(file.path)}, which the package lacks")
            if got.size != file.size:
                raise SizeMismatch(f"{shown(file.path)} is {file.size} bytes in the signed manifest but "
                                   f"{got.size} in the package")
            if got.sha256 != file.sha256:
                raise HashMismatch(f"{shown(file.path)} does not match the SHA-256 in the signed manifest "
                                   "(altered after signing)")
        self._manifest = manifest
        return manifest

    @property
    def manifest(self) -> Manifest:
        if self._manifest is None:
            raise NotChecked("the package has not been checked; call check() first")
        return self._manifest

    def keep(self) -> Path | None:
        """Put the verified copy in place (only after ``check`` passed); returns its folder."""
        self.manifest  # noqa: B018 - raises NotChecked
        if self._folder is None or self._dest is None:
            return None
        try:
            for name, data in ((MANIFEST_NAME, self.manifest_bytes), (SIGNATURE_NAME, self.signature_bytes)):
                with _reader._create(self._folder, name) as out:
                    out.write(data)
            if self._dest.exists() or self._dest.is_symlink():
                raise DestinationExists(f"{self._dest} appeared while the bid was being opened; it was left "
                                        "untouched")
            os.rename(self._folder, self._dest)
        except BaseException as ex:
            self.discard()
            if isinstance(ex, OSError):
                raise ExtractFailed(f"keeping the bid in {self._dest} failed: {ex.strerror or ex}; nothing "
                                    "was kept") from ex
            raise
        self._folder = None
        return self._dest

    def discard(self) -> None:
        """Drop everything (a failure anywhere: nothing is left behind). Safe to call more than once."""
        self._state = _FAILED
        try:
            self._wait()
        except BidPackageError:
            pass
        self._hasher.shutdown(wait=True)
        for entry in self._entries:
            if entry.out is not None:
                entry.out.close()
                entry.out = None
        if self._folder is not None:
            shutil.rmtree(self._folder, ignore_errors=True)
            self._folder = None

    # --- files -----------------------------------------------------------------------------------

    def _create(self, name: str) -> IO[bytes]:
        assert self._folder is not None
        target = self._folder.joinpath(*name.split("/"))
        flags = (os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0))
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(target, flags, 0o644)
        except OSError as ex:
            raise ExtractFailed(f"cannot create {shown(name)}: {ex.strerror or ex}; nothing was kept") from ex
        return open(fd, "wb", buffering=0)


def _digest_and_write(sha: Any, out: IO[bytes] | None, data: memoryview) -> None:
    sha.update(data)
    while out is not None and data:
        written = out.write(data)  # a raw file may take less than asked
        data = data[written if written is not None else len(data):]
