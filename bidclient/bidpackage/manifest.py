"""The manifest of a bid package (format v1, docs/formats/sealed-bid.md): model, path rules, strict parser.

The manifest is what the bidder signs. Its exact bytes are signed, so a reader never re-serialises it
to verify; :meth:`Manifest.to_json_bytes` is deterministic, so a writer can recompute what it signed.
Everything here treats its input as hostile: a parse either returns a fully valid :class:`Manifest`
or raises a :class:`~bidclient.bidpackage.errors.BidPackageError` with a stable code.
"""

from __future__ import annotations

import json
import math
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from bidclient.bidpackage.errors import (
    AbsolutePath,
    ControlCharPath,
    DriveOrBackslashPath,
    DuplicateEntry,
    ManifestFieldInvalid,
    ManifestTooLarge,
    PathTraversal,
    TooManyEntries,
    UnsafePath,
    UnsupportedVersion,
)

FORMAT = "bidclient-sealed-bid"
FORMAT_VERSION = 1
MANIFEST_NAME = "manifest.json"
SIGNATURE_NAME = "manifest.json.p7s"
RESERVED_NAMES = frozenset({MANIFEST_NAME, SIGNATURE_NAME})

GiB = 1 << 30
MiB = 1 << 20


@dataclass(frozen=True)
class Limits:
    """Caps a reader enforces (and a writer respects, so that what it writes is readable)."""

    max_files: int = 10_000
    max_file_size: int = 16 * GiB
    max_total_size: int = 64 * GiB
    max_manifest_size: int = 16 * MiB
    max_signature_size: int = 1 * MiB
    max_compression_ratio: int = 100
    max_links: int = 10_000
    max_forms_depth: int = 32
    max_path_bytes: int = 1024
    max_component_bytes: int = 255


DEFAULT_LIMITS = Limits()

_HEX64 = re.compile(r"[0-9a-f]{64}")
_CREATED = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z")
_USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_DRIVE = re.compile(r"[A-Za-z]:")
# Names Windows maps to devices whatever the extension ("NUL.pdf" opens the null device).
_WINDOWS_DEVICES = frozenset(
    {"CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$"}
    | {f"{p}{n}" for p in ("COM", "LPT") for n in (*"123456789", "¹", "²", "³")}
)
_WINDOWS_FORBIDDEN = frozenset('<>"|?*')
# Bidirectional overrides let "proposal\u202efdp.exe" display as "proposalexe.pdf".
_BIDI_CONTROLS = frozenset("\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


# --- paths ---------------------------------------------------------------------------------------


def _is_control(ch: str) -> bool:
    code = ord(ch)
    return code < 0x20 or 0x7F <= code <= 0x9F or ch in _BIDI_CONTROLS


def shown(name: str, limit: int = 160) -> str:
    """A name quoted for a message: printable text kept (Chinese stays readable), the rest escaped."""
    text = "".join(ch if ch.isprintable() and not _is_control(ch) else f"\\u{ord(ch):04x}" for ch in name)
    if len(text) > limit:
        text = text[:limit] + "…"
    return f"'{text}'"


def check_path(name: str, limits: Limits = DEFAULT_LIMITS) -> None:
    """Raise an UnsafePath subclass unless ``name`` is a safe, portable relative file path.

    Safe: relative, "/"-separated, no "." or ".." or empty component, no control characters, no
    backslash, colon or drive letter, NFC-normalised, extractable on Windows, macOS and Linux.
    """
    quoted = shown(name)
    if not name:
        raise UnsafePath("an entry has an empty name")
    if any(_is_control(ch) for ch in name):
        raise ControlCharPath(f"entry name {quoted} contains a control character")
    if "\\" in name or _DRIVE.match(name) or ":" in name:
        raise DriveOrBackslashPath(f"entry name {quoted} contains a backslash, colon or drive letter")
    if name.startswith("/"):
        raise AbsolutePath(f"entry name {quoted} is an absolute path")
    parts = name.split("/")
    if ".." in parts:
        raise PathTraversal(f"entry name {quoted} climbs out of the bid folder ('..')")
    if name.endswith("/"):
        raise UnsafePath(f"entry name {quoted} is a directory, not a file")
    if "" in parts or "." in parts:
        raise UnsafePath(f"entry name {quoted} has an empty or '.' component")
    if unicodedata.normalize("NFC", name) != name:
        raise UnsafePath(f"entry name {quoted} is not in Unicode normalisation form C")
    try:
        encoded = name.encode("utf-8")
    except UnicodeEncodeError as ex:  # lone surrogates
        raise UnsafePath(f"entry name {quoted} is not valid Unicode") from ex
    if len(encoded) > limits.max_path_bytes:
        raise UnsafePath(f"entry name {quoted} is longer than {limits.max_path_bytes} bytes")
    for part in parts:
        if len(part.encode("utf-8")) > limits.max_component_bytes:
            raise UnsafePath(f"entry name {quoted} has a component longer than "
                             f"{limits.max_component_bytes} bytes")
        if _WINDOWS_FORBIDDEN.intersection(part):
            raise UnsafePath(f"entry name {quoted} contains a character Windows forbids (<>\"|?*)")
        if part.endswith((".", " ")):
            raise UnsafePath(f"entry name {quoted} has a component ending in '.' or space (unportable)")
        if part.split(".", 1)[0].rstrip(" ").upper() in _WINDOWS_DEVICES:
            raise UnsafePath(f"entry name {quoted} is a reserved device name on Windows")


def collision_key(name: str) -> str:
    """A key equal for names that a case-insensitive or normalising file system treats as one."""
    return unicodedata.normalize("NFC", unicodedata.normalize("NFD", name).casefold())


def check_unique(names: Iterable[str]) -> None:
    """Raise DuplicateEntry if two names collide, or one is used both as a file and a folder."""
    files: dict[str, str] = {}
    folders: dict[str, str] = {}
    for name in names:
        key = collision_key(name)
        if key in files:
            other = files[key]
            what = "twice" if other == name else f"as {shown(other)} and {shown(name)}"
            raise DuplicateEntry(f"the entry {shown(name)} occurs {what} "
                                 "(names equal after case folding or Unicode normalisation)")
        files[key] = name
        parts = key.split("/")
        for depth in range(1, len(parts)):
            folders.setdefault("/".join(parts[:depth]), name)
    for key, name in files.items():
        if key in folders:
            raise DuplicateEntry(f"{shown(name)} is both a file and the folder of {shown(folders[key])}")


# --- model ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TenderRef:
    id: str
    version: int
    package_sha256: str | None = None


@dataclass(frozen=True)
class BidderRef:
    uscc: str | None
    name: str
    signing_certificate_sha256: str


@dataclass(frozen=True)
class FileEntry:
    path: str
    size: int
    sha256: str


@dataclass(frozen=True)
class Link:
    """A scoring criterion pointing at the page of a bid file that answers it."""

    criterion: str
    file: str
    page: int | None = None


@dataclass(frozen=True)
class Manifest:
    tender: TenderRef
    bidder: BidderRef
    files: tuple[FileEntry, ...]
    created: datetime
    tool: str
    forms: Mapping[str, Any] = field(default_factory=dict)
    links: tuple[Link, ...] = ()
    format_version: int = FORMAT_VERSION

    def file(self, path: str) -> FileEntry:
        for entry in self.files:
            if entry.path == path:
                return entry
        raise KeyError(path)

    @property
    def total_size(self) -> int:
        return sum(entry.size for entry in self.files)

    def to_json(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "format_version": self.format_version,
            "tender": {"id": self.tender.id, "version": self.tender.version,
                       "package_sha256": self.tender.package_sha256},
            "bidder": {"uscc": self.bidder.uscc, "name": self.bidder.name,
                       "signing_certificate_sha256": self.bidder.signing_certificate_sha256},
            "files": [{"path": f.path, "size": f.size, "sha256": f.sha256} for f in self.files],
            "forms": dict(self.forms),
            "links": [{"criterion": k.criterion, "file": k.file, "page": k.page} for k in self.links],
            "created": format_created(self.created),
            "tool": self.tool,
        }

    def to_json_bytes(self) -> bytes:
        """The canonical serialisation: UTF-8, sorted keys, two-space indent, final newline."""
        text = json.dumps(self.to_json(), sort_keys=True, ensure_ascii=False, indent=2, allow_nan=False)
        return (text + "\n").encode("utf-8")

    def validate(self, limits: Limits = DEFAULT_LIMITS) -> None:
        """Raise a BidPackageError unless every field is within format v1 (the writer calls this too)."""
        _validate_object(self.to_json(), limits)


def format_created(value: datetime) -> str:
    if value.tzinfo is None:
        raise ManifestFieldInvalid("the creation time must carry a time zone")
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def uscc_is_valid(code: str) -> bool:
    """Check a unified social credit code (GB 32100-2015): alphabet, length and check character."""
    if len(code) != 18 or any(ch not in _USCC_ALPHABET for ch in code):
        return False
    total = sum(_USCC_ALPHABET.index(ch) * w for ch, w in zip(code[:17], _USCC_WEIGHTS, strict=True))
    return _USCC_ALPHABET[(31 - total % 31) % 31] == code[17]


# --- strict parsing ------------------------------------------------------------------------------


def parse_manifest(data: bytes, limits: Limits = DEFAULT_LIMITS) -> Manifest:
    """Parse and validate manifest.json bytes; raise a BidPackageError on anything outside format v1."""
    if len(data) > limits.max_manifest_size:
        raise ManifestTooLarge(f"manifest.json is {len(data)} bytes; at most {limits.max_manifest_size} "
                               "are accepted")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as ex:
        raise ManifestFieldInvalid("manifest.json is not valid UTF-8") from ex
    if text.startswith("\ufeff"):
        raise ManifestFieldInvalid("manifest.json starts with a byte order mark")
    try:
        obj = json.loads(text, object_pairs_hook=_no_duplicate_keys, parse_constant=_no_constant,
                         parse_float=_finite_float)
    except ManifestFieldInvalid:
        raise
    except (ValueError, RecursionError) as ex:  # JSONDecodeError, int digit limit, nesting depth
        raise ManifestFieldInvalid(f"manifest.json is not valid JSON: {_short(ex)}") from ex
    _validate_object(obj, limits)
    tender, bidder = obj["tender"], obj["bidder"]
    return Manifest(
        format_version=obj["format_version"],
        tender=TenderRef(id=tender["id"], version=tender["version"], package_sha256=tender["package_sha256"]),
        bidder=BidderRef(uscc=bidder["uscc"], name=bidder["name"],
                         signing_certificate_sha256=bidder["signing_certificate_sha256"]),
        files=tuple(FileEntry(path=f["path"], size=f["size"], sha256=f["sha256"]) for f in obj["files"]),
        forms=obj["forms"],
        links=tuple(Link(criterion=k["criterion"], file=k["file"], page=k["page"]) for k in obj["links"]),
        created=datetime.strptime(obj["created"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC),
        tool=obj["tool"],
    )


def _short(ex: BaseException) -> str:
    return str(ex)[:200]


def _no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    # Two JSON parsers may keep different copies of a duplicated key: the signer and the reader
    # must not see different manifests in the same signed bytes.
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise ManifestFieldInvalid(f"manifest.json repeats the key {shown(key)[:80]}")
        result[key] = value
    return result


def _no_constant(name: str) -> Any:
    raise ManifestFieldInvalid(f"manifest.json contains {name}, which is not JSON")


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ManifestFieldInvalid(f"manifest.json contains a number out of range ({text[:40]})")
    return value


def _fail(where: str, what: str) -> ManifestFieldInvalid:
    return ManifestFieldInvalid(f"manifest.json: {where} {what}")


def _object(value: Any, where: str, keys: set[str]) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise _fail(where, "must be an object")
    missing = keys - value.keys()
    if missing:
        raise _fail(where, f"lacks {', '.join(sorted(missing))}")
    unknown = value.keys() - keys
    if unknown:
        names = ", ".join(shown(k)[:60] for k in sorted(unknown)[:5])
        raise _fail(where, f"has unknown fields: {names}")
    return value


def _int(value: Any, where: str, *, minimum: int, maximum: int) -> int:
    # bool is an int in Python but not a number in the format.
    if not isinstance(value, int) or isinstance(value, bool):
        raise _fail(where, "must be an integer")
    if not minimum <= value <= maximum:
        raise _fail(where, f"must be between {minimum} and {maximum}")
    return value


def _text(value: Any, where: str, *, max_len: int, allow_empty: bool = False) -> str:
    if not isinstance(value, str):
        raise _fail(where, "must be a string")
    if not value and not allow_empty:
        raise _fail(where, "must not be empty")
    if len(value) > max_len:
        raise _fail(where, f"is longer than {max_len} characters")
    if any(_is_control(ch) for ch in value):
        raise _fail(where, "contains a control character")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as ex:
        raise _fail(where, "is not valid Unicode") from ex
    return value


def _hex64(value: Any, where: str) -> str:
    if not isinstance(value, str) or not _HEX64.fullmatch(value):
        raise _fail(where, "must be 64 lowercase hexadecimal digits (SHA-256)")
    return value


def _array(value: Any, where: str, *, max_len: int,
           error: type[Exception] = ManifestFieldInvalid) -> list[Any]:
    if not isinstance(value, list):
        raise _fail(where, "must be an array")
    if len(value) > max_len:
        raise error(f"manifest.json: {where} has {len(value)} items; at most {max_len} are accepted")
    return value


def _check_depth(value: Any, max_depth: int) -> None:
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if depth > max_depth:
            raise _fail("forms", f"is nested deeper than {max_depth} levels")
        if isinstance(item, dict):
            stack.extend((v, depth + 1) for v in item.values())
        elif isinstance(item, list):
            stack.extend((v, depth + 1) for v in item)


def _validate_object(obj: Any, limits: Limits) -> None:
    if not isinstance(obj, dict):
        raise _fail("the top level", "must be an object")
    # The version decides what the rest means, so check it before the field set.
    if obj.get("format") != FORMAT:
        raise _fail("format", f"must be {FORMAT!r}")
    version = obj.get("format_version")
    if not isinstance(version, int) or isinstance(version, bool):
        raise _fail("format_version", "must be an integer")
    if version != FORMAT_VERSION:
        raise UnsupportedVersion(f"manifest format version {version} is not supported; this bidclient "
                                 f"reads version {FORMAT_VERSION} (a newer bidclient may read it)")
    _object(obj, "the top level",
            {"format", "format_version", "tender", "bidder", "files", "forms", "links", "created", "tool"})

    tender = _object(obj["tender"], "tender", {"id", "version", "package_sha256"})
    _text(tender["id"], "tender.id", max_len=128)
    _int(tender["version"], "tender.version", minimum=1, maximum=2**31 - 1)
    if tender["package_sha256"] is not None:
        _hex64(tender["package_sha256"], "tender.package_sha256")

    bidder = _object(obj["bidder"], "bidder", {"uscc", "name", "signing_certificate_sha256"})
    if bidder["uscc"] is not None:
        if not isinstance(bidder["uscc"], str) or not uscc_is_valid(bidder["uscc"]):
            raise _fail("bidder.uscc", "is not a valid unified social credit code")
    _text(bidder["name"], "bidder.name", max_len=256, allow_empty=True)
    _hex64(bidder["signing_certificate_sha256"], "bidder.signing_certificate_sha256")

    files = _array(obj["files"], "files", max_len=limits.max_files, error=TooManyEntries)
    if not files:
        raise _fail("files", "must list at least one file")
    total = 0
    for index, item in enumerate(files):
        where = f"files[{index}]"
        entry = _object(item, where, {"path", "size", "sha256"})
        if not isinstance(entry["path"], str):
            raise _fail(f"{where}.path", "must be a string")
        check_path(entry["path"], limits)
        if entry["path"].casefold() in RESERVED_NAMES:
            raise _fail(f"{where}.path", f"uses the reserved name {entry['path']!r}")
        total += _int(entry["size"], f"{where}.size", minimum=0, maximum=limits.max_file_size)
        _hex64(entry["sha256"], f"{where}.sha256")
    if total > limits.max_total_size:
        raise _fail("files", f"add up to {total} bytes; at most {limits.max_total_size} are accepted")
    paths = [f["path"] for f in files]
    check_unique(paths)

    forms = obj["forms"]
    if not isinstance(forms, dict):
        raise _fail("forms", "must be an object")
    _check_depth(forms, limits.max_forms_depth)

    listed = set(paths)
    for index, item in enumerate(_array(obj["links"], "links", max_len=limits.max_links)):
        where = f"links[{index}]"
        link = _object(item, where, {"criterion", "file", "page"})
        _text(link["criterion"], f"{where}.criterion", max_len=256)
        if link["file"] not in listed:
            raise _fail(f"{where}.file", "must name a file listed in files")
        if link["page"] is not None:
            _int(link["page"], f"{where}.page", minimum=1, maximum=10**6)

    created = obj["created"]
    if not isinstance(created, str) or not _CREATED.fullmatch(created):
        raise _fail("created", "must be a UTC time like 2026-11-26T07:00:00Z")
    try:
        datetime.strptime(created, "%Y-%m-%dT%H:%M:%SZ")
    except ValueError as ex:
        raise _fail("created", "is not a valid date and time") from ex
    _text(obj["tool"], "tool", max_len=128)
