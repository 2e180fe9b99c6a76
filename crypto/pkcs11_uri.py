"""RFC 7512 PKCS#11 URIs: ``pkcs11:token=…;object=…;id=%01?module-path=…&pin-source=…``.

Values are percent-decoded; ``id`` is raw bytes, every other attribute is UTF-8 text. Vendor attributes
(``x-…``) are kept; any other unknown attribute is refused rather than silently ignored, because a URI
that names something we cannot check would otherwise match a different key.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field, fields

from crypto.errors import InvalidKeyUri

_log = logging.getLogger(__name__)

SCHEME = "pkcs11:"

OBJECT_TYPES = ("public", "private", "cert", "secret-key", "data")

# RFC 7512 attribute name -> dataclass field
_PATH_ATTRS = {
    "token": "token",
    "manufacturer": "manufacturer",
    "serial": "serial",
    "model": "model",
    "library-manufacturer": "library_manufacturer",
    "library-description": "library_description",
    "library-version": "library_version",
    "object": "object",
    "type": "type",
    "id": "id",
    "slot-manufacturer": "slot_manufacturer",
    "slot-description": "slot_description",
    "slot-id": "slot_id",
}
_QUERY_ATTRS = {
    "module-path": "module_path",
    "module-name": "module_name",
    "pin-source": "pin_source",
    "pin-value": "pin_value",
}

_UNRESERVED = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~"
# Characters RFC 7512 lets stand unescaped in a path value / a query value (';', '/', '?', '&', '#'
# and '%' are always escaped by the formatter so any parser reads the value back).
_PATH_SAFE = frozenset(_UNRESERVED + ":[]@!$'()*+,=")
_QUERY_SAFE = frozenset(_UNRESERVED + ":[]@!$'()*+,=/?|")

_VERSION_RE = re.compile(r"^\d+(\.\d+)?$")


@dataclass(frozen=True)
class Pkcs11Uri:
    """A parsed PKCS#11 URI. ``None`` means the attribute is absent (matches anything)."""

    token: str | None = None
    manufacturer: str | None = None
    serial: str | None = None
    model: str | None = None
    library_manufacturer: str | None = None
    library_description: str | None = None
    library_version: str | None = None
    object: str | None = None
    type: str | None = None
    id: bytes | None = None
    slot_manufacturer: str | None = None
    slot_description: str | None = None
    slot_id: int | None = None
    module_path: str | None = None
    module_name: str | None = None
    pin_source: str | None = None
    pin_value: str | None = field(default=None, repr=False)
    vendor: tuple[tuple[str, str], ...] = ()  # x-… attributes, path then query, in order

    # --- matching -------------------------------------------------------------------------------

    def matches_library(self, manufacturer: str, description: str, version: tuple[int, int]) -> bool:
        if self.library_manufacturer is not None and self.library_manufacturer != manufacturer:
            return False
        if self.library_description is not None and self.library_description != description:
            return False
        if self.library_version is not None:
            major, _, minor = self.library_version.partition(".")
            if int(major) != version[0] or int(minor or "0") != version[1]:
                return False
        return True

    def matches_slot(self, slot_id: int, manufacturer: str, description: str) -> bool:
        return ((self.slot_id is None or self.slot_id == slot_id)
                and (self.slot_manufacturer is None or self.slot_manufacturer == manufacturer)
                and (self.slot_description is None or self.slot_description == description))

    def matches_token(self, label: str, serial: str, manufacturer: str, model: str) -> bool:
        return ((self.token is None or self.token == label)
                and (self.serial is None or self.serial == serial)
                and (self.manufacturer is None or self.manufacturer == manufacturer)
                and (self.model is None or self.model == model))

    @property
    def names_object(self) -> bool:
        """Whether the URI selects particular objects on a token (not only the token)."""
        return self.object is not None or self.id is not None

    def without_pin(self) -> Pkcs11Uri:
        return _replace(self, pin_value=None)

    # --- formatting -----------------------------------------------------------------------------

    def __str__(self) -> str:
        return format_uri(self)


def _replace(uri: Pkcs11Uri, **changes: object) -> Pkcs11Uri:
    values = {f.name: getattr(uri, f.name) for f in fields(uri)}
    values.update(changes)
    return Pkcs11Uri(**values)


def _escape(value: bytes, safe: frozenset[str]) -> str:
    return "".join(chr(b) if chr(b) in safe else f"%{b:02X}" for b in value)


def format_uri(uri: Pkcs11Uri) -> str:
    """The URI text; ``id`` is always fully percent-encoded, text values only where needed."""
    path: list[str] = []
    for name, attr in _PATH_ATTRS.items():
        value = getattr(uri, attr)
        if value is None:
            continue
        if attr == "id":
            path.append(f"id={''.join(f'%{b:02X}' for b in value)}")
        else:
            path.append(f"{name}={_escape(str(value).encode('utf-8'), _PATH_SAFE)}")
    query: list[str] = []
    for name, attr in _QUERY_ATTRS.items():
        value = getattr(uri, attr)
        if value is not None:
            query.append(f"{name}={_escape(value.encode('utf-8'), _QUERY_SAFE)}")
    for name, value in uri.vendor:
        path.append(f"{name}={_escape(value.encode('utf-8'), _PATH_SAFE)}")
    text = SCHEME + ";".join(path)
    if query:
        text += "?" + "&".join(query)
    return text


def _unescape(text: str, what: str) -> bytes:
    out = bytearray()
    i = 0
    raw = text.encode("utf-8")
    while i < len(raw):
        b = raw[i]
        if b == 0x25:  # '%'
            pair = raw[i + 1:i + 3]
            if len(pair) != 2 or not all(chr(c) in "0123456789abcdefABCDEF" for c in pair):
                raise InvalidKeyUri(f"bad percent-encoding in the PKCS#11 URI attribute {what!r}")
            out.append(int(pair, 16))
            i += 3
        else:
            out.append(b)
            i += 1
    return bytes(out)


def _text(value: bytes, what: str) -> str:
    try:
        return value.decode("utf-8")
    except UnicodeDecodeError:
        raise InvalidKeyUri(f"the PKCS#11 URI attribute {what!r} is not UTF-8 text") from None


def is_pkcs11_uri(text: str) -> bool:
    return text[:len(SCHEME)].lower() == SCHEME


def parse_uri(text: str) -> Pkcs11Uri:
    """Parse a PKCS#11 URI. Raises InvalidKeyUri naming the offending attribute."""
    if not is_pkcs11_uri(text):
        raise InvalidKeyUri("a PKCS#11 URI starts with 'pkcs11:'")
    body = text[len(SCHEME):]
    if "#" in body:
        raise InvalidKeyUri("a PKCS#11 URI has no fragment ('#' must be written %23)")
    path_text, _, query_text = body.partition("?")
    values: dict[str, object] = {}
    vendor: list[tuple[str, str]] = []

    def take(part: str, known: dict[str, str], where: str) -> None:
        name, eq, raw = part.partition("=")
        name = name.lower()
        if not eq or not name:
            raise InvalidKeyUri(f"the PKCS#11 URI {where} component {part!r} is not name=value")
        if name.startswith("x-"):
            vendor.append((name, _text(_unescape(raw, name), name)))
            return
        if name not in known:
            raise InvalidKeyUri(f"unknown PKCS#11 URI attribute {name!r}")
        attr = known[name]
        if attr in values:
            raise InvalidKeyUri(f"the PKCS#11 URI attribute {name!r} appears twice")
        data = _unescape(raw, name)
        if attr == "id":
            values[attr] = data
            return
        value = _text(data, name)
        if attr == "slot_id":
            if not value.isascii() or not value.isdigit():
                raise InvalidKeyUri("the PKCS#11 URI attribute 'slot-id' must be a decimal number")
            values[attr] = int(value)
        elif attr == "type":
            if value not in OBJECT_TYPES:
                raise InvalidKeyUri("the PKCS#11 URI attribute 'type' must be one of "
                                    f"{', '.join(OBJECT_TYPES)}")
            values[attr] = value
        elif attr == "library_version":
            if not _VERSION_RE.match(value):
                raise InvalidKeyUri("the PKCS#11 URI attribute 'library-version' must be M or M.m")
            values[attr] = value
        else:
            values[attr] = value

    for part in path_text.split(";") if path_text else []:
        if part:
            take(part, _PATH_ATTRS, "path")
    for part in query_text.split("&") if query_text else []:
        if part:
            take(part, _QUERY_ATTRS, "query")
    if "pin_value" in values:
        _log.warning("a PKCS#11 URI carries pin-value: the PIN is visible to anyone who sees the URI "
                     "(command lines, shell history); prefer pin-source")
    return Pkcs11Uri(vendor=tuple(vendor), **values)  # type: ignore[arg-type]
