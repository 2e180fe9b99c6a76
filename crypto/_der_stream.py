"""Streaming BER/DER framing: read TLV headers from a file without loading it, and encode headers.

Only the framing is handled here; the small inner parts (RecipientInfos, AlgorithmIdentifiers) are
read whole with `StreamReader.read_element` and parsed with asn1crypto. Every length is checked
against the enclosing definite-length container and the file size, so an absurd length fails at
once with MalformedError instead of after reading gigabytes.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO

from crypto.errors import MalformedError

CLASS_UNIVERSAL = 0
CLASS_CONTEXT = 2

TAG_INTEGER = 2
TAG_OCTET_STRING = 4
TAG_OID = 6
TAG_SEQUENCE = 16
TAG_SET = 17

EOC = b"\x00\x00"

# Nesting deeper than this is never needed by CMS envelopes and only serves to exhaust the stack.
MAX_DEPTH = 24
_READ_AHEAD = 1 << 16


@dataclass(frozen=True, slots=True)
class Header:
    """One decoded identifier + length. ``length`` is None for the BER indefinite form."""

    cls: int
    constructed: bool
    tag: int
    length: int | None
    raw: bytes
    offset: int

    @property
    def is_eoc(self) -> bool:
        return self.cls == CLASS_UNIVERSAL and self.tag == 0 and not self.constructed

    @property
    def content_offset(self) -> int:
        return self.offset + len(self.raw)

    @property
    def end(self) -> int | None:
        return None if self.length is None else self.content_offset + self.length

    def is_(self, cls: int, tag: int, *, constructed: bool | None = None) -> bool:
        return (self.cls == cls and self.tag == tag
                and (constructed is None or self.constructed == constructed))


class StreamReader:
    """Reads BER from a binary stream, tracking the offset and the enclosing length limits.

    ``size`` (the number of bytes left in the stream, if known) lets absurd lengths fail early.
    """

    def __init__(self, f: BinaryIO, *, size: int | None = None, what: str = "the envelope") -> None:
        self._f = f
        self._what = what
        self.pos = 0
        self._limit = size
        self._limits: list[int | None] = []
        self._peeked: Header | None = None
        # Our own read-ahead: headers are parsed from memory, which matters for `openssl cms -stream`
        # output (a header every 4 KiB, 262,144 of them per GiB).
        self._buf = b""
        self._mv = memoryview(self._buf)
        self._i = 0

    # --- raw bytes ------------------------------------------------------------------------------

    def truncated(self, at: int | None = None) -> MalformedError:
        where = self.pos if at is None else at
        return MalformedError(f"{self._what} is truncated: it ends at byte {where} inside an element")

    def _refill(self, need: int) -> int:
        """Try to have ``need`` bytes buffered; returns how many are."""
        rest = self._buf[self._i:]
        while len(rest) < need:
            chunk = self._f.read(max(_READ_AHEAD, need - len(rest)))
            if not chunk:
                break
            rest += chunk
        self._buf = rest
        self._mv = memoryview(rest)
        self._i = 0
        return len(rest)

    def read_exact(self, n: int) -> bytes:
        i = self._i
        if len(self._buf) - i < n:
            avail = self._refill(n)
            if avail < n:
                raise self.truncated(self.pos + avail)
            i = 0
        self._i = i + n
        self.pos += n
        return self._buf[i:i + n]

    def readinto_exact(self, view: memoryview) -> None:
        """Fill ``view`` completely from the stream."""
        total = len(view)
        got = min(len(self._buf) - self._i, total)
        if got:
            view[:got] = self._mv[self._i:self._i + got]
            self._i += got
        readinto = getattr(self._f, "readinto", None)
        while got < total:
            if readinto is not None:
                n = readinto(view[got:])
            else:
                chunk = self._f.read(total - got)
                n = len(chunk)
                view[got:got + n] = chunk
            if not n:
                raise self.truncated(self.pos + got)
            got += n
        self.pos += total

    def at_eof(self) -> bool:
        if self._peeked is not None or self._i < len(self._buf):
            return False
        return self._f.read(1) == b""

    # --- headers --------------------------------------------------------------------------------

    def peek_header(self, *, check_fits: bool = True) -> Header:
        """The next header without consuming it. With ``check_fits=False`` its length is not yet checked
        against the container (so a caller can first look at the tag), see `check_fits`."""
        if self._peeked is None:
            self._peeked = self._read_header(check_fits=check_fits)
        return self._peeked

    def read_header(self) -> Header:
        if self._peeked is not None:
            hdr, self._peeked = self._peeked, None
            return hdr
        return self._read_header()

    def _read_header(self, *, check_fits: bool = True) -> Header:
        offset = self.pos
        if offset == 0 and self._limit == 0:
            raise MalformedError(f"{self._what} is empty")
        if self._limit is not None and offset >= self._limit:
            raise MalformedError(f"{self._what} is malformed: an element runs past the end of its container "
                                 f"at byte {offset}")
        buf, i = self._buf, self._i
        if len(buf) - i >= 6 and buf[i] & 0x1F != 0x1F and buf[i + 1] <= 0x84 and buf[i + 1] != 0x80:
            # Fast path: low tag number, definite length in at most 4 length octets.
            ident, len_octet = buf[i], buf[i + 1]
            if len_octet < 0x80:
                hlen, short_length = 2, len_octet
            else:
                hlen = 2 + (len_octet & 0x7F)
                short_length = int.from_bytes(buf[i + 2:i + hlen], "big")
            self._i = i + hlen
            self.pos += hlen
            hdr = Header(ident >> 6, bool(ident & 0x20), ident & 0x1F, short_length, buf[i:i + hlen], offset)
            if hdr.is_eoc and short_length != 0:
                raise MalformedError(f"{self._what} is malformed: bad end-of-contents at byte {offset}")
            if check_fits:
                self.check_fits(hdr)
            return hdr
        first = self.read_exact(1)
        raw = bytearray(first)
        b = first[0]
        cls = b >> 6
        constructed = bool(b & 0x20)
        tag = b & 0x1F
        if tag == 0x1F:
            tag = 0
            for k in range(5):
                nb = self.read_exact(1)
                raw += nb
                tag = (tag << 7) | (nb[0] & 0x7F)
                if not nb[0] & 0x80:
                    break
                if k == 4:
                    raise MalformedError(f"{self._what} is malformed: tag number too long at byte {offset}")
        lb = self.read_exact(1)
        raw += lb
        length: int | None
        if lb[0] < 0x80:
            length = lb[0]
        elif lb[0] == 0x80:
            if not constructed:
                raise MalformedError(f"{self._what} is malformed: indefinite length on a primitive element "
                                     f"at byte {offset}")
            length = None
        else:
            n = lb[0] & 0x7F
            if n > 8:
                raise MalformedError(f"{self._what} is malformed: absurd length field ({n} bytes) "
                                     f"at byte {offset}")
            lbytes = self.read_exact(n)
            raw += lbytes
            length = int.from_bytes(lbytes, "big")
        hdr = Header(cls, constructed, tag, length, bytes(raw), offset)
        if hdr.is_eoc and length != 0:
            raise MalformedError(f"{self._what} is malformed: bad end-of-contents marker at byte {offset}")
        if check_fits:
            self.check_fits(hdr)
        return hdr

    def check_fits(self, hdr: Header) -> None:
        end = hdr.end
        if end is not None and self._limit is not None and end > self._limit:
            raise MalformedError(
                f"{self._what} is malformed or truncated: an element at byte {hdr.offset} claims "
                f"{hdr.length} bytes, more than remain in its container")

    def expect(self, what: str, cls: int, tag: int, *, constructed: bool | None = None) -> Header:
        hdr = self.read_header()
        if not hdr.is_(cls, tag, constructed=constructed):
            raise MalformedError(f"{self._what} is malformed: expected {what} at byte {hdr.offset}")
        return hdr

    # --- containers -----------------------------------------------------------------------------

    def enter(self, hdr: Header) -> None:
        """Descend into a constructed element; its definite end becomes the limit for children."""
        if not hdr.constructed:
            raise MalformedError(f"{self._what} is malformed: expected a constructed element at byte "
                                 f"{hdr.offset}")
        if len(self._limits) >= MAX_DEPTH:
            raise MalformedError(f"{self._what} is malformed: nested too deeply")
        self._limits.append(self._limit)
        if hdr.end is not None:
            self._limit = hdr.end

    def at_end(self, hdr: Header) -> bool:
        """True when the container ``hdr`` (entered last) has no more children."""
        if hdr.length is None:
            return self.peek_header().is_eoc
        return self.pos >= hdr.content_offset + hdr.length and self._peeked is None

    def leave(self, hdr: Header) -> None:
        """Check the container ``hdr`` ends here (consuming its end-of-contents marker)."""
        if hdr.length is None:
            end = self.read_header()
            if not end.is_eoc:
                raise MalformedError(f"{self._what} is malformed: unexpected element at byte {end.offset}")
        elif self._peeked is not None or self.pos != hdr.content_offset + hdr.length:
            raise MalformedError(f"{self._what} is malformed: unexpected data at byte {self.pos}")
        self._limit = self._limits.pop()

    # --- small elements -------------------------------------------------------------------------

    def read_element(self, hdr: Header, *, max_size: int, what: str) -> bytes:
        """The whole encoding (header, content, end markers) of the element ``hdr``, at most ``max_size``."""
        out = bytearray(hdr.raw)
        self._collect(hdr, out, max_size, what, 0)
        return bytes(out)

    def _collect(self, hdr: Header, out: bytearray, max_size: int, what: str, depth: int) -> None:
        if hdr.length is not None:
            if len(out) + hdr.length > max_size:
                raise MalformedError(f"{self._what} is malformed: {what} is larger than {max_size} bytes")
            out += self.read_exact(hdr.length)
            return
        if depth >= MAX_DEPTH:
            raise MalformedError(f"{self._what} is malformed: {what} is nested too deeply")
        self.enter(hdr)
        while True:
            child = self.read_header()
            out += child.raw
            if child.is_eoc:
                break
            self._collect(child, out, max_size, what, depth + 1)
            if len(out) > max_size:
                raise MalformedError(f"{self._what} is malformed: {what} is larger than {max_size} bytes")
        self._limit = self._limits.pop()

    def octet_string_chunks(self, hdr: Header, out: memoryview) -> Iterator[int]:
        """Copy the content of a (possibly constructed, BER) OCTET STRING into ``out``.

        Yields ``len(out)`` each time ``out`` is full and finally the size of the remainder (if any);
        the caller must use ``out[:n]`` before advancing the iterator.
        """
        state = [0]  # bytes of ``out`` filled so far
        yield from self._chunks(hdr, out, state, 0)
        if state[0]:
            yield state[0]

    def _copy(self, n: int, out: memoryview, state: list[int]) -> Iterator[int]:
        size = len(out)
        while n:
            fill = state[0]
            k = min(n, size - fill)
            self.readinto_exact(out[fill:fill + k])
            fill += k
            n -= k
            if fill == size:
                state[0] = 0
                yield size
            else:
                state[0] = fill

    def _chunks(self, hdr: Header, out: memoryview, state: list[int], depth: int) -> Iterator[int]:
        if not hdr.constructed:
            assert hdr.length is not None
            yield from self._copy(hdr.length, out, state)
            return
        if depth >= MAX_DEPTH:
            raise MalformedError(f"{self._what} is malformed: the content is nested too deeply")
        self.enter(hdr)
        size = len(out)
        while True:
            # Fast path for the usual piece, a primitive OCTET STRING with up to 4 length octets, parsed
            # and copied straight from the read-ahead buffer (`openssl cms -stream` writes 4 KiB pieces).
            buf, i = self._buf, self._i
            if self._peeked is None and len(buf) - i >= 6 and buf[i] == 0x04:
                lb = buf[i + 1]
                hlen = 2 if lb < 0x80 else 2 + (lb & 0x7F) if 0x81 <= lb <= 0x84 else 0
                if hlen:
                    n = lb if hlen == 2 else int.from_bytes(buf[i + 2:i + hlen], "big")
                    if self._limit is None or self.pos + hlen + n <= self._limit:
                        fill = state[0]
                        if i + hlen + n <= len(buf) and fill + n <= size:
                            out[fill:fill + n] = self._mv[i + hlen:i + hlen + n]
                            self._i = i + hlen + n
                            self.pos += hlen + n
                            fill += n
                            if fill == size:
                                state[0] = 0
                                yield size
                            else:
                                state[0] = fill
                            continue
                        self._i = i + hlen
                        self.pos += hlen
                        yield from self._copy(n, out, state)
                        continue
            if self.at_end(hdr):
                break
            child = self.read_header()
            if not child.is_(CLASS_UNIVERSAL, TAG_OCTET_STRING):
                raise MalformedError(f"{self._what} is malformed: the encrypted content contains a "
                                     f"non-OCTET STRING element at byte {child.offset}")
            yield from self._chunks(child, out, state, depth + 1)
        self.leave(hdr)


# --- encoding ------------------------------------------------------------------------------------


def encode_length(length: int | None) -> bytes:
    """DER length octets; None gives the BER indefinite form."""
    if length is None:
        return b"\x80"
    if length < 0x80:
        return bytes([length])
    body = length.to_bytes((length.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(body)]) + body


def header(identifier: int, length: int | None) -> bytes:
    """Identifier octet (low tag numbers only) followed by the length octets."""
    return bytes([identifier]) + encode_length(length)


def tlv(identifier: int, content: bytes) -> bytes:
    return header(identifier, len(content)) + content
