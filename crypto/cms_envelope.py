"""CMS envelopes: seal data to any number of certificates, open it with one key. Streaming, constant memory.

Writes AuthEnvelopedData (RFC 5083, AES-256-GCM per RFC 5084; the default) or EnvelopedData (RFC 5652,
AES-256-CBC); reads AES-128, AES-192 and AES-256 in GCM (AuthEnvelopedData) and CBC (EnvelopedData), as
OpenSSL (``-aes128``...) and Mozilla NSS (AES-128-CBC by default) write them. Recipients: RSA key
transport (RSAES-OAEP SHA-1 by default, OAEP SHA-256, PKCS#1 v1.5) and EC key agreement (ephemeral-static
ECDH, X9.63 KDF with SHA-256, AES-256 key wrap). The output opens with ``openssl cms -decrypt -inform DER``;
OpenSSL's output (DER or ``-stream`` BER) and NSS's ``cmsutil -E`` output open here.

Reading never releases plaintext before it is authenticated: ``decrypt_file`` writes to a temporary file
next to the destination and renames it only after the GCM tag verifies (for CBC, which has no
authentication, after the padding checks).
"""

from __future__ import annotations

import contextlib
import enum
import hmac
import io
import os
import stat
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import BinaryIO, Protocol

from asn1crypto import algos, cms, core
from cryptography import x509
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers import Cipher, CipherContext, algorithms, modes

from crypto import _der_stream as der
from crypto._cms_recipients import (
    RecipientSummary,
    build_recipient_info,
    check_recipient,
    originator_keys,
    parse_recipient_infos,
    summarize,
    unwrap_content_key,
)
from crypto.algorithms import KeyTransport
from crypto.errors import DecryptionFailed, MalformedError, OperationCancelled, UnsupportedAlgorithm
from crypto.keys import Decrypter

__all__ = [
    "WRITABLE_CIPHERS",
    "ContentCipher",
    "DecryptionFailed",
    "EnvelopeInfo",
    "EnvelopeWriter",
    "Recipient",
    "RecipientSummary",
    "check_file",
    "check_stream",
    "content_key",
    "decrypt_bytes",
    "decrypt_file",
    "decrypt_into",
    "decrypt_stream",
    "describe",
    "encrypt",
    "is_envelope",
    "key_agreement_keys",
]

CHUNK_SIZE = 1 << 20  # plaintext bytes per cipher call and per BER segment

_OID_DATA = "1.2.840.113549.1.7.1"
_OID_ENVELOPED = "1.2.840.113549.1.7.3"
_OID_AUTH_ENVELOPED = "1.2.840.113549.1.9.16.1.23"
_KNOWN_CONTENT_TYPES = {
    "1.2.840.113549.1.7.1": "data",
    "1.2.840.113549.1.7.2": "signedData",
    "1.2.840.113549.1.7.5": "digestedData",
    "1.2.840.113549.1.7.6": "encryptedData",
    "1.2.840.113549.1.9.16.1.2": "authenticatedData",
    "1.2.840.113549.1.9.16.1.9": "compressedData",
}
_MAX_SMALL_ELEMENT = 4 << 20  # RecipientInfos, originatorInfo, attributes
_GCM_NONCE_BYTES = 12
_GCM_TAG_BYTES = 16
_KEY_BYTES = 32


class _GcmParameters(core.Sequence):
    """GCMParameters (RFC 5084 section 3.2)."""

    _fields = [  # noqa: RUF012 - asn1crypto's declarative spec
        ("aes_nonce", core.OctetString),
        ("aes_icvlen", core.Integer, {"default": 12}),
    ]


class ContentCipher(enum.Enum):
    """A content-encryption algorithm. bidclient writes the AES-256 ones (WRITABLE_CIPHERS) and reads all."""

    AES_256_GCM = "aes-256-gcm"  # AuthEnvelopedData
    AES_256_CBC = "aes-256-cbc"  # EnvelopedData, for readers without AuthEnvelopedData support
    AES_192_GCM = "aes-192-gcm"
    AES_192_CBC = "aes-192-cbc"
    AES_128_GCM = "aes-128-gcm"
    AES_128_CBC = "aes-128-cbc"  # Mozilla NSS's default

    @property
    def key_bytes(self) -> int:
        return int(self.value.split("-")[1]) // 8

    @property
    def authenticated(self) -> bool:
        """GCM, which only AuthEnvelopedData carries; CBC only EnvelopedData."""
        return self.value.endswith("-gcm")


WRITABLE_CIPHERS = (ContentCipher.AES_256_GCM, ContentCipher.AES_256_CBC)

# NIST AES object identifiers (RFC 3565, RFC 5084).
_CIPHER_OIDS: dict[str, ContentCipher] = {
    "2.16.840.1.101.3.4.1.2": ContentCipher.AES_128_CBC,
    "2.16.840.1.101.3.4.1.22": ContentCipher.AES_192_CBC,
    "2.16.840.1.101.3.4.1.42": ContentCipher.AES_256_CBC,
    "2.16.840.1.101.3.4.1.6": ContentCipher.AES_128_GCM,
    "2.16.840.1.101.3.4.1.26": ContentCipher.AES_192_GCM,
    "2.16.840.1.101.3.4.1.46": ContentCipher.AES_256_GCM,
}


@dataclass(frozen=True)
class Recipient:
    """A certificate to seal to. ``key_transport`` None = the default for the key type.

    For RSA the default is RSAES-OAEP with SHA-1, the only OAEP that SoftHSM 2.6 and most dongles can
    decrypt (sound for key transport). EC certificates always use ECDH key agreement.
    """

    certificate: x509.Certificate
    key_transport: KeyTransport | None = None


@dataclass(frozen=True)
class EnvelopeInfo:
    """What an envelope says about itself, read without decrypting."""

    content_type: str  # "auth-enveloped" (AuthEnvelopedData) or "enveloped" (EnvelopedData)
    cipher: ContentCipher
    recipients: tuple[RecipientSummary, ...]
    indefinite_length: bool  # BER streaming form (as `openssl cms -stream` writes)
    encrypted_length: int | None  # bytes of ciphertext when the header states it (definite length)


# --- writing -------------------------------------------------------------------------------------


class _Writable(Protocol):
    def write(self, data: memoryview, /) -> int | None: ...


def _write_all(dst: _Writable, data: bytes | memoryview) -> None:
    view = memoryview(data)
    while view:
        n = dst.write(view)
        if n is None:  # a non-blocking raw stream: nothing sensible to do but fail
            raise OSError("the destination stream would block")
        if n >= len(view):
            return
        view = view[n:]


def _as_recipients(recipients: Sequence[x509.Certificate | Recipient]) -> list[Recipient]:
    out: list[Recipient] = []
    for r in recipients:
        if isinstance(r, x509.Certificate):
            r = Recipient(r)
        elif not isinstance(r, Recipient):
            raise TypeError(f"a recipient must be an x509.Certificate or a Recipient, not {type(r).__name__}")
        check_recipient(r.certificate, r.key_transport)
        out.append(r)
    if not out:
        raise ValueError("an envelope needs at least one recipient")
    return out


class EnvelopeWriter(io.RawIOBase):
    """A writable, non-seekable file object that seals what is written to it into ``dst``.

    With ``length`` (the exact number of plaintext bytes that will be written) the output is DER with
    definite lengths; without it, BER indefinite length with 1 MiB segments, as ``openssl cms -stream``
    writes. ``close()`` writes the authentication tag and the end; ``dst`` is not closed. Leaving a
    ``with`` block by an exception (or calling ``abort()``) stops without completing the envelope, so a
    partial output can never be mistaken for a whole one. ``tell()`` is the plaintext bytes written,
    which is what ``zipfile.ZipFile(writer, "w")`` needs.

    With ``keep_content_key`` the content-encryption key stays readable as ``content_key``, for a
    self-check that verifies the output while it is written (``check_stream``) and then compares the
    key with what a recipient's own key unwraps from the output (``content_key``).
    """

    def __init__(self, dst: BinaryIO, recipients: Sequence[x509.Certificate | Recipient], *,
                 cipher: ContentCipher = ContentCipher.AES_256_GCM, length: int | None = None,
                 keep_content_key: bool = False) -> None:
        super().__init__()
        if not isinstance(cipher, ContentCipher):
            raise TypeError("cipher must be a ContentCipher")
        if cipher not in WRITABLE_CIPHERS:
            raise ValueError(f"bidclient reads {cipher.value} but writes only AES-256 (GCM or CBC)")
        if length is not None and length < 0:
            raise ValueError("length must be >= 0")
        recips = _as_recipients(recipients)
        self._dst = dst
        self._cipher = cipher
        self._length = length
        self._written = 0
        self._finished = False
        cek = os.urandom(_KEY_BYTES)
        if cipher is ContentCipher.AES_256_GCM:
            iv = os.urandom(_GCM_NONCE_BYTES)
            mode: modes.Mode = modes.GCM(iv)
            params = _GcmParameters({"aes_nonce": iv, "aes_icvlen": _GCM_TAG_BYTES})
            alg_id = algos.EncryptionAlgorithm({"algorithm": "aes256_gcm", "parameters": params})
        else:
            iv = os.urandom(16)
            mode = modes.CBC(iv)
            alg_id = algos.EncryptionAlgorithm({"algorithm": "aes256_cbc", "parameters": iv})
        self._ctx: CipherContext = Cipher(algorithms.AES(cek), mode).encryptor()  # type: ignore[misc]
        infos = cms.RecipientInfos([build_recipient_info(r.certificate, r.key_transport, cek)
                                    for r in recips])
        self._content_key = cek if keep_content_key else None
        del cek
        # RFC 5652 section 6.1: EnvelopedData is version 2 once any RecipientInfo is not v0 (kari is v3).
        all_ktri = all(ri.name == "ktri" for ri in infos)
        self._version = 0 if cipher is ContentCipher.AES_256_GCM or all_ktri else 2
        self._buf = bytearray(CHUNK_SIZE)
        self._buf_view = memoryview(self._buf)
        self._fill = 0
        self._out = bytearray(CHUNK_SIZE + 32)
        self._out_view = memoryview(self._out)
        _write_all(dst, self._prefix(infos.dump(), alg_id.dump()))

    def _prefix(self, infos: bytes, alg_id: bytes) -> bytes:
        gcm = self._cipher is ContentCipher.AES_256_GCM
        content_type = der.tlv(0x06, cms.ContentType(_OID_AUTH_ENVELOPED if gcm else _OID_ENVELOPED).contents)
        version = der.tlv(0x02, bytes([self._version]))
        eci_head = der.tlv(0x06, cms.ContentType(_OID_DATA).contents) + alg_id
        if self._length is None:
            self._trailer_after = (der.EOC + der.EOC + (b"\x04\x10" if gcm else b""), der.EOC * 3)
            return (der.header(0x30, None) + content_type + der.header(0xA0, None) + der.header(0x30, None)
                    + version + infos + der.header(0x30, None) + eci_head + der.header(0xA0, None))
        if gcm:
            encrypted = self._length
        else:
            encrypted = (self._length // 16 + 1) * 16
        content_hdr = der.header(0x80, encrypted)
        eci_len = len(eci_head) + len(content_hdr) + encrypted
        mac = 2 + _GCM_TAG_BYTES if gcm else 0
        body_len = len(version) + len(infos) + len(der.header(0x30, eci_len)) + eci_len + mac
        body_hdr = der.header(0x30, body_len)
        explicit_len = len(body_hdr) + body_len
        explicit_hdr = der.header(0xA0, explicit_len)
        ci_len = len(content_type) + len(explicit_hdr) + explicit_len
        self._trailer_after = ((b"\x04\x10" if gcm else b""), b"")
        return (der.header(0x30, ci_len) + content_type + explicit_hdr + body_hdr + version + infos
                + der.header(0x30, eci_len) + eci_head + content_hdr)

    @property
    def content_key(self) -> bytes:
        """The content-encryption key (only with ``keep_content_key``)."""
        if self._content_key is None:
            raise ValueError("the content key was not kept (keep_content_key=False)")
        return self._content_key

    # --- io.RawIOBase ---------------------------------------------------------------------------

    def readable(self) -> bool:
        return False

    def writable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return False

    def tell(self) -> int:
        self._check_open()
        return self._written

    def _check_open(self) -> None:
        if self.closed or self._finished:
            raise ValueError("I/O operation on a closed EnvelopeWriter")

    def write(self, b: bytes | bytearray | memoryview) -> int:  # type: ignore[override]
        self._check_open()
        view = memoryview(b).cast("B")
        n = len(view)
        if self._length is not None and self._written + n > self._length:
            raise ValueError(f"more data written than the announced length ({self._length} bytes)")
        pos = 0
        if self._fill:
            take = min(n, CHUNK_SIZE - self._fill)
            self._buf_view[self._fill:self._fill + take] = view[:take]
            self._fill += take
            pos = take
            if self._fill == CHUNK_SIZE:
                self._emit(self._buf_view)
                self._fill = 0
        while n - pos >= CHUNK_SIZE:
            self._emit(view[pos:pos + CHUNK_SIZE])
            pos += CHUNK_SIZE
        if pos < n:
            rest = n - pos
            self._buf_view[:rest] = view[pos:]
            self._fill = rest
        self._written += n
        return n

    def _emit(self, data: memoryview) -> None:
        k = self._ctx.update_into(data, self._out)
        self._put(self._out_view[:k])

    def _put(self, ciphertext: memoryview | bytes) -> None:
        if not ciphertext:
            return
        if self._length is None:
            _write_all(self._dst, der.header(0x04, len(ciphertext)))
        _write_all(self._dst, ciphertext)

    def flush(self) -> None:
        if not self.closed and not self._finished:
            with contextlib.suppress(AttributeError, OSError, ValueError):
                self._dst.flush()

    def close(self) -> None:
        """Encrypt what is buffered, write the tag and the end of the envelope. Does not close ``dst``."""
        if self.closed:
            return
        try:
            if not self._finished:
                self._finished = True
                self._finish()
        finally:
            super().close()

    def abort(self) -> None:
        """Stop without completing the envelope (the output is unusable and should be deleted)."""
        self._finished = True
        self._buf_view[:] = b"\x00" * len(self._buf_view)
        super().close()

    def _finish(self) -> None:
        if self._length is not None and self._written != self._length:
            raise ValueError(f"{self._written} bytes written but {self._length} were announced; "
                             f"the envelope is incomplete")
        if self._fill:
            self._emit(self._buf_view[:self._fill])
            self._fill = 0
        if self._cipher is ContentCipher.AES_256_CBC:
            pad = 16 - self._written % 16  # PKCS #7 padding (RFC 5652 section 6.3)
            self._emit(memoryview(bytes([pad]) * pad))
        self._put(self._ctx.finalize())
        mac_head, end = self._trailer_after
        tag = self._ctx.tag if self._cipher is ContentCipher.AES_256_GCM else b""  # type: ignore[attr-defined]
        _write_all(self._dst, mac_head + tag + end)
        with contextlib.suppress(AttributeError, OSError, ValueError):
            self._dst.flush()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        if exc_type is not None:
            self.abort()
        else:
            self.close()

    def __del__(self) -> None:
        # io.IOBase's finalizer would close() and so complete an envelope the caller abandoned half-way.
        self._finished = True
        with contextlib.suppress(Exception):
            super().close()


def _remaining_length(src: BinaryIO) -> int | None:
    """Bytes left in ``src`` when it is a regular file, so the output can be DER."""
    try:
        st = os.fstat(src.fileno())
        if not stat.S_ISREG(st.st_mode):
            return None
        return max(st.st_size - src.tell(), 0)
    except (AttributeError, OSError, ValueError):
        return None


def encrypt(src: BinaryIO, dst: BinaryIO, recipients: Sequence[x509.Certificate | Recipient], *,
            cipher: ContentCipher = ContentCipher.AES_256_GCM, length: int | None = None,
            progress: Callable[[int], None] | None = None) -> None:
    """Seal everything read from ``src`` into ``dst``.

    ``length`` defaults to what is left of ``src`` when it is a regular file (DER output); otherwise the
    output is BER indefinite length. ``progress`` receives the plaintext bytes read so far.
    """
    if length is None:
        length = _remaining_length(src)
    buf = bytearray(CHUNK_SIZE * 4)
    view = memoryview(buf)
    readinto = getattr(src, "readinto", None)
    done = 0
    with EnvelopeWriter(dst, recipients, cipher=cipher, length=length) as writer:
        while True:
            if readinto is not None:
                n = readinto(view)
                if n is None:
                    raise OSError("the source stream would block")
                chunk: memoryview | bytes = view[:n]
            else:
                chunk = src.read(len(buf))
                n = len(chunk)
            if not n:
                break
            if length is not None and done + n > length:
                raise ValueError("the source grew while it was being encrypted")
            writer.write(chunk)
            done += n
            if progress is not None:
                progress(done)
        if length is not None and done != length:
            raise ValueError(f"the source ended after {done} of {length} bytes")


# --- reading -------------------------------------------------------------------------------------


@dataclass
class _Envelope:
    """The parsed head of an envelope and the containers still open in the stream."""

    auth: bool
    info: EnvelopeInfo
    infos: cms.RecipientInfos
    iv: bytes
    tag_length: int
    content: der.Header | None  # None: no encryptedContent (detached), which is refused
    open_containers: list[der.Header]  # ECI, body, [0], ContentInfo (innermost first)


def _content_type_name(oid: str) -> str:
    name = _KNOWN_CONTENT_TYPES.get(oid)
    return f"{name} ({oid})" if name else oid


def _read_oid(reader: der.StreamReader, what: str) -> str:
    hdr = reader.expect(what, der.CLASS_UNIVERSAL, der.TAG_OID, constructed=False)
    try:
        return str(core.ObjectIdentifier.load(reader.read_element(hdr, max_size=256, what=what)).dotted)
    except ValueError as ex:
        raise MalformedError(f"the envelope is malformed: bad {what}") from ex


def _read_head(reader: der.StreamReader) -> _Envelope:
    first = reader.peek_header(check_fits=False)
    if not first.is_(der.CLASS_UNIVERSAL, der.TAG_SEQUENCE, constructed=True):
        raise MalformedError("not a CMS envelope: the data does not start with a DER/BER SEQUENCE "
                             "(PEM and S/MIME are not accepted; convert with `openssl cms -outform DER`)")
    reader.check_fits(first)
    ci = reader.read_header()
    reader.enter(ci)
    oid = _read_oid(reader, "content type")
    if oid not in (_OID_AUTH_ENVELOPED, _OID_ENVELOPED):
        raise MalformedError(f"not a CMS envelope: the content type is {_content_type_name(oid)}, "
                             f"not authEnvelopedData or envelopedData")
    auth = oid == _OID_AUTH_ENVELOPED
    explicit = reader.expect("[0] content", der.CLASS_CONTEXT, 0, constructed=True)
    reader.enter(explicit)
    body = reader.expect("the envelope body SEQUENCE", der.CLASS_UNIVERSAL, der.TAG_SEQUENCE,
                         constructed=True)
    reader.enter(body)
    vhdr = reader.expect("version", der.CLASS_UNIVERSAL, der.TAG_INTEGER, constructed=False)
    reader.read_element(vhdr, max_size=16, what="version")
    hdr = reader.read_header()
    if hdr.is_(der.CLASS_CONTEXT, 0):  # originatorInfo: certificates for static-static ECDH, unused
        reader.read_element(hdr, max_size=_MAX_SMALL_ELEMENT, what="originatorInfo")
        hdr = reader.read_header()
    if not hdr.is_(der.CLASS_UNIVERSAL, der.TAG_SET, constructed=True):
        raise MalformedError(f"the envelope is malformed: expected the recipient list at byte {hdr.offset}")
    infos = parse_recipient_infos(reader.read_element(hdr, max_size=_MAX_SMALL_ELEMENT,
                                                      what="the recipient list"))
    eci = reader.expect("encryptedContentInfo", der.CLASS_UNIVERSAL, der.TAG_SEQUENCE, constructed=True)
    reader.enter(eci)
    inner = _read_oid(reader, "inner content type")
    if inner != _OID_DATA:
        raise UnsupportedAlgorithm(f"the envelope holds {_content_type_name(inner)}; only data is supported")
    ahdr = reader.expect("content encryption algorithm", der.CLASS_UNIVERSAL, der.TAG_SEQUENCE,
                         constructed=True)
    alg_der = reader.read_element(ahdr, max_size=1024, what="the content encryption algorithm")
    cipher, iv, tag_length = _content_algorithm(alg_der, auth)
    content: der.Header | None = None
    if not reader.at_end(eci):
        content = reader.read_header()
        if not content.is_(der.CLASS_CONTEXT, 0):
            raise MalformedError(f"the envelope is malformed: expected the encrypted content at byte "
                                 f"{content.offset}")
    indefinite = any(h.length is None for h in (ci, explicit, body, eci)) or (
        content is not None and content.constructed)
    encrypted_length = content.length if content is not None and not content.constructed else None
    info = EnvelopeInfo("auth-enveloped" if auth else "enveloped", cipher, summarize(infos), indefinite,
                        encrypted_length)
    return _Envelope(auth, info, infos, iv, tag_length, content, [eci, body, explicit, ci])


def _content_algorithm(alg_der: bytes, auth: bool) -> tuple[ContentCipher, bytes, int]:
    """The cipher, IV (GCM: nonce) and GCM tag length named by a ContentEncryptionAlgorithmIdentifier.

    MalformedError only for what cannot be decoded; a well-formed identifier of a cipher bidclient does
    not implement (3DES, RC2, SM4, ChaCha20...) or a mode the content type does not allow is
    UnsupportedAlgorithm, so that a file is never called damaged for using another algorithm.
    """
    kind = "AuthEnvelopedData" if auth else "EnvelopedData"
    try:
        alg = algos.EncryptionAlgorithm.load(alg_der, strict=True)
        oid = alg["algorithm"].dotted
        name = alg["algorithm"].native
    except (ValueError, TypeError, KeyError, IndexError) as ex:
        raise MalformedError(f"the envelope's content encryption algorithm is malformed: {ex}") from ex
    cipher = _CIPHER_OIDS.get(oid)
    if cipher is None:
        label = oid if name == oid else f"{name} ({oid})"
        raise UnsupportedAlgorithm(f"the {kind} content is encrypted with {label}; bidclient reads AES-128, "
                                   f"AES-192 and AES-256 in GCM (AuthEnvelopedData) or CBC (EnvelopedData)")
    if cipher.authenticated != auth:
        raise UnsupportedAlgorithm(f"the {kind} content is encrypted with {cipher.value}, which RFC 5084 "
                                   f"and RFC 5652 do not allow there; bidclient reads GCM in "
                                   f"AuthEnvelopedData and CBC in EnvelopedData")
    try:
        params = alg["parameters"]
        if cipher.authenticated:
            gcm = _GcmParameters.load(params.dump(), strict=True)
            nonce = bytes(gcm["aes_nonce"].native)
            tag_length = int(gcm["aes_icvlen"].native)
        else:
            iv = bytes(core.OctetString.load(params.dump(), strict=True).native)
    except (ValueError, TypeError, KeyError, IndexError) as ex:
        raise MalformedError(f"the envelope's content encryption parameters are malformed: {ex}") from ex
    if cipher.authenticated:
        if len(nonce) != _GCM_NONCE_BYTES or not 12 <= tag_length <= 16:
            raise UnsupportedAlgorithm(f"unsupported AES-GCM parameters (nonce {len(nonce)} bytes, tag "
                                       f"{tag_length} bytes); a 12-byte nonce and a 12..16-byte tag are "
                                       f"required")
        return cipher, nonce, tag_length
    if len(iv) != 16:
        raise MalformedError(f"the envelope's content encryption parameters are malformed: the AES-CBC IV "
                             f"is {len(iv)} bytes, not 16")
    return cipher, iv, 0


def _read_tail(reader: der.StreamReader, env: _Envelope) -> bytes:
    """Close the open containers after the content; returns the GCM tag (b"" for CBC)."""
    eci, body, explicit, ci = env.open_containers
    reader.leave(eci)
    mac = b""
    if env.auth:
        hdr = reader.read_header()
        if hdr.is_(der.CLASS_CONTEXT, 1):
            raise UnsupportedAlgorithm("the envelope carries authenticated attributes, which bidclient does "
                                       "not support")
        if not hdr.is_(der.CLASS_UNIVERSAL, der.TAG_OCTET_STRING, constructed=False):
            raise MalformedError(f"the envelope is malformed: expected the authentication tag at byte "
                                 f"{hdr.offset}")
        if hdr.length != env.tag_length:
            raise MalformedError(f"the envelope is malformed: the authentication tag is {hdr.length} bytes, "
                                 f"its parameters say {env.tag_length}")
        mac = reader.read_exact(hdr.length)
    if not reader.at_end(body):
        hdr = reader.read_header()
        if not hdr.is_(der.CLASS_CONTEXT, 2 if env.auth else 1, constructed=True):
            raise MalformedError(f"the envelope is malformed: unexpected element at byte {hdr.offset}")
        reader.read_element(hdr, max_size=_MAX_SMALL_ELEMENT, what="the unprotected attributes")
    reader.leave(body)
    reader.leave(explicit)
    reader.leave(ci)
    if not reader.at_eof():
        raise MalformedError(f"the envelope is malformed: unexpected data after its end at byte {reader.pos}")
    return mac


class _Sink:
    """Decrypts chunks and hands plaintext to ``write``, holding back CBC's last block until checked."""

    def __init__(self, env: _Envelope, cek: bytes, write: Callable[[memoryview], None], *,
                 double: bool = False) -> None:
        self._auth = env.auth
        self._write = write
        mode: modes.Mode
        if env.auth:
            mode = modes.GCM(env.iv, min_tag_length=env.tag_length)
        else:
            mode = modes.CBC(env.iv)
        self._ctx = Cipher(algorithms.AES(cek), mode).decryptor()
        self._out = bytearray(CHUNK_SIZE + 64)
        self._view = memoryview(self._out)
        # GCM with ``double``: two output buffers in turn, so that what was written stays unchanged while
        # the next chunk is decrypted (a consumer may hash it on another thread meanwhile).
        self._other = (bytearray(CHUNK_SIZE + 64) if double and env.auth else None)
        self._copy = double and not env.auth  # CBC reuses its buffer at once: hand out copies
        self._held = 0  # CBC: bytes of the last plaintext block kept at the start of _out

    def update(self, chunk: memoryview) -> None:
        if len(chunk) > CHUNK_SIZE:
            raise AssertionError("chunk larger than the output buffer")
        if self._auth:
            n = self._ctx.update_into(chunk, self._out)
            if n:
                self._write(self._view[:n])
            if self._other is not None:
                self._out, self._other = self._other, self._out
                self._view = memoryview(self._out)
            return
        n = self._ctx.update_into(chunk, self._view[self._held:])
        total = self._held + n
        if total > 16:
            self._write(memoryview(bytes(self._view[:total - 16])) if self._copy else self._view[:total - 16])
            self._view[:16] = self._view[total - 16:total]
            self._held = 16
        else:
            self._held = total

    def finish(self, tag: bytes) -> None:
        try:
            if self._auth:
                rest = self._ctx.finalize_with_tag(tag)  # type: ignore[attr-defined]
                if rest:
                    self._write(memoryview(rest))
                return
            rest = self._ctx.finalize()
        except (InvalidTag, ValueError):
            raise DecryptionFailed("the envelope could not be decrypted: wrong key or damaged data") from None
        if rest:  # CBC output is block-aligned; anything here means misaligned ciphertext
            raise DecryptionFailed("the envelope could not be decrypted: wrong key or damaged data")
        if self._held != 16:
            raise DecryptionFailed("the envelope could not be decrypted: wrong key or damaged data")
        block = bytes(self._view[:16])
        pad = block[-1]
        ok = 1 <= pad <= 16 and hmac.compare_digest(block[16 - max(pad, 1):], bytes([pad]) * max(pad, 1))
        if not ok:
            raise DecryptionFailed("the envelope could not be decrypted: wrong key or damaged data")
        if pad < 16:
            self._write(memoryview(block)[:16 - pad])


def _decrypt_stream(reader: der.StreamReader, decrypter: Decrypter | bytes, write: Callable[[memoryview], None],
                    *, progress: Callable[[int], None] | None = None,
                    cancel: Callable[[], bool] | None = None, double: bool = False) -> EnvelopeInfo:
    env = _read_head(reader)
    if env.content is None:
        raise UnsupportedAlgorithm("the envelope's content is detached (not inside it); bidclient needs "
                                   "the content inside the envelope")
    if isinstance(decrypter, bytes):  # the content key itself (check_stream)
        if len(decrypter) != env.info.cipher.key_bytes:
            raise DecryptionFailed("the envelope could not be decrypted: wrong key or damaged data")
        cek = decrypter
    else:
        cek = unwrap_content_key(env.infos, decrypter, env.info.cipher.key_bytes)
    sink = _Sink(env, cek, write, double=double)
    del cek
    buf = memoryview(bytearray(CHUNK_SIZE))
    for n in reader.octet_string_chunks(env.content, buf):
        if cancel is not None and cancel():
            raise OperationCancelled("decryption cancelled")
        sink.update(buf[:n])
        if progress is not None:
            progress(reader.pos)
    tag = _read_tail(reader, env)
    sink.finish(tag)
    return env.info


def check_file(src: Path, decrypter: Decrypter, *, progress: Callable[[int], None] | None = None,
               cancel: Callable[[], bool] | None = None) -> tuple[EnvelopeInfo, int]:
    """Prove that ``decrypter`` opens the envelope ``src``: unwrap the content key and decrypt the
    whole content, verifying the GCM tag (CBC: the padding), writing nothing. Returns the envelope's
    description and the plaintext length. The plaintext never leaves this function.

    Raises the same errors as ``decrypt_file``.
    """
    with open(Path(src), "rb") as f:
        return check_stream(f, decrypter, size=os.fstat(f.fileno()).st_size, progress=progress, cancel=cancel)


def check_stream(src: BinaryIO, key: Decrypter | bytes, *, size: int | None = None,
                 progress: Callable[[int], None] | None = None,
                 cancel: Callable[[], bool] | None = None) -> tuple[EnvelopeInfo, int]:
    """``check_file`` for a stream read to its end (``size``: its length, when known). ``key`` is a
    Decrypter, or the content-encryption key itself (an EnvelopeWriter's ``content_key``: the
    envelope is then proved to be complete and authentic under that key, and whether a recipient's
    key unwraps that same key is a separate question, see ``content_key``)."""
    opened = 0

    def count(chunk: memoryview) -> None:
        nonlocal opened
        opened += chunk.nbytes

    reader = der.StreamReader(src, size=size)
    info = _decrypt_stream(reader, key, count, progress=progress, cancel=cancel)
    return info, opened


def content_key(src: BinaryIO, decrypter: Decrypter) -> bytes:
    """The content-encryption key that ``decrypter`` unwraps from its entry in the envelope ``src``
    (only the head is read). Raises NotARecipient, DecryptionFailed, MalformedError as decrypt_file."""
    env = _read_head(der.StreamReader(src))
    return unwrap_content_key(env.infos, decrypter, env.info.cipher.key_bytes)


def decrypt_file(src: Path, dst: Path, decrypter: Decrypter, *, progress: Callable[[int], None] | None = None,
                 cancel: Callable[[], bool] | None = None) -> EnvelopeInfo:
    """Open the envelope ``src`` into ``dst``; ``dst`` appears only once the content is authenticated.

    The plaintext goes to a temporary file in ``dst``'s folder, which is synced and renamed to ``dst``
    after the GCM tag verifies (CBC: after the padding checks); on any failure it is deleted.
    ``progress`` receives the bytes of ``src`` consumed so far (its total is the file size); ``cancel``
    is polled between chunks and raises OperationCancelled when it returns True.

    Raises MalformedError, UnsupportedAlgorithm, NotARecipient, DecryptionFailed (one error for a wrong
    key and damaged data), token errors from the decrypter, OSError for file-system failures.
    """
    src = Path(src)
    dst = Path(dst)
    with open(src, "rb") as f:
        size = os.fstat(f.fileno()).st_size
        reader = der.StreamReader(f, size=size)
        fd, tmp_name = tempfile.mkstemp(prefix=f".{dst.name}.", suffix=".part", dir=dst.parent)
        tmp = Path(tmp_name)
        try:
            with open(fd, "wb", buffering=0) as out:

                def write(data: memoryview) -> None:
                    _write_all(out, data)

                info = _decrypt_stream(reader, decrypter, write, progress=progress, cancel=cancel)
                out.flush()
                os.fsync(out.fileno())
            os.replace(tmp, dst)
        except BaseException:
            with contextlib.suppress(OSError):
                tmp.unlink()
            raise
    _fsync_dir(dst.parent)
    return info


def _fsync_dir(folder: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def decrypt_stream(src: BinaryIO, dst: BinaryIO, key: Decrypter | bytes, *, size: int | None = None) -> EnvelopeInfo:
    """Open the envelope read from ``src`` (e.g. a download, read once to the envelope's end) into ``dst``.

    The plaintext is written as it is decrypted, before the GCM tag at the end authenticates it: the caller
    must throw ``dst`` away unless this returns (``decrypt_file`` does that for files, and syncs). ``key``
    is a Decrypter or the content-encryption key itself; ``size``: the bytes ``src`` holds, when known.
    Raises the same errors as ``decrypt_file``.
    """

    def write(chunk: memoryview) -> None:
        _write_all(dst, chunk)

    return _decrypt_stream(der.StreamReader(src, size=size), key, write)


def decrypt_into(src: BinaryIO, key: Decrypter | bytes, consume: Callable[[bytes | bytearray, int], None], *,
                 size: int | None = None) -> EnvelopeInfo:
    """``decrypt_stream`` handing each piece of plaintext to ``consume(buffer, n)`` (the piece is
    ``buffer[:n]``) without a copy. With GCM the buffers alternate: a buffer is refilled only after the
    next ``consume`` call returned, so a consumer may read it on another thread until then. As with
    ``decrypt_stream``, the plaintext is not authenticated until this returns."""

    def write(chunk: memoryview) -> None:
        # _Sink writes only views that start at the start of their buffer (its own, or bytes it made).
        buffer = chunk.obj
        consume(buffer if isinstance(buffer, bytes | bytearray) else bytes(chunk), chunk.nbytes)

    return _decrypt_stream(der.StreamReader(src, size=size), key, write, double=True)


def decrypt_bytes(data: bytes, decrypter: Decrypter) -> bytes:
    """Open a small envelope held in memory; same checks as ``decrypt_file``."""
    out = bytearray()

    def write(chunk: memoryview) -> None:
        out.extend(chunk)

    reader = der.StreamReader(io.BytesIO(data), size=len(data))
    _decrypt_stream(reader, decrypter, write)
    return bytes(out)


def describe(src: BinaryIO) -> EnvelopeInfo:
    """Read the envelope's head (content type, cipher, recipients) from ``src`` without decrypting."""
    return _read_head_of(src).info


def _read_head_of(src: BinaryIO) -> _Envelope:
    size: int | None = None
    with contextlib.suppress(AttributeError, OSError, ValueError):
        st = os.fstat(src.fileno())
        if stat.S_ISREG(st.st_mode):
            size = st.st_size - src.tell()
    if size is None and isinstance(src, io.BytesIO):
        size = len(src.getbuffer()) - src.tell()
    return _read_head(der.StreamReader(src, size=size))


def key_agreement_keys(src: BinaryIO, certificate: x509.Certificate) -> tuple[bytes, ...]:
    """The ephemeral EC public keys (uncompressed SEC 1 points) of the envelope's key agreements
    addressed to ``certificate``, read from its head without decrypting; () when none names it.
    A committee's members compute their partial results on these (crypto.threshold)."""
    return originator_keys(_read_head_of(src).infos, certificate)


_PROBE_BYTES = 64


def is_envelope(data: bytes | Path) -> bool:
    """Whether ``data`` (the first bytes of a file are enough) or the file at ``data`` starts like a CMS
    AuthEnvelopedData or EnvelopedData. A cheap probe for `bidclient inspect`, not a validation."""
    if isinstance(data, Path):
        try:
            with open(data, "rb") as f:
                data = f.read(_PROBE_BYTES)
        except OSError:
            return False
    reader = der.StreamReader(io.BytesIO(bytes(data[:_PROBE_BYTES])), what="the data")
    try:
        ci = reader.read_header()
        if not ci.is_(der.CLASS_UNIVERSAL, der.TAG_SEQUENCE, constructed=True):
            return False
        hdr = reader.read_header()
        if not hdr.is_(der.CLASS_UNIVERSAL, der.TAG_OID, constructed=False) or (hdr.length or 0) > 32:
            return False
        oid = core.ObjectIdentifier.load(hdr.raw + reader.read_exact(hdr.length or 0)).dotted
    except (MalformedError, ValueError):
        return False
    return oid in (_OID_AUTH_ENVELOPED, _OID_ENVELOPED)
