"""RFC 3161 timestamps: a client over HTTP, a minimal authority, and token verification.

A TimeStampToken is a CMS SignedData whose content is a TSTInfo; it is built and checked with the same
building blocks as crypto.cms_sign (crypto._signed_data). Tokens made here pass ``openssl ts -verify``: the
TSA certificate has a critical extendedKeyUsage of timeStamping only, it is embedded when the request asks
for it, and the signed attributes carry an ESS signing-certificate-v2.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

import requests
from asn1crypto import algos, core, tsp
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding
from cryptography.x509.oid import ExtendedKeyUsageOID

from crypto._signed_data import (
    DIGEST_OF,
    build_signed_data,
    build_signer_info,
    load_signed_data,
    verify_signer_info,
)
from crypto.errors import CryptoError, MalformedError, SignatureInvalid, TimestampError, TrustError
from crypto.keys import Signer

__all__ = [
    "PRIVATE_POLICY_OID",
    "HttpTimestamper",
    "TimestampAuthority",
    "TimestampInfo",
    "Timestamper",
    "describe_timestamp_token",
    "verify_timestamp_token",
]

# A placeholder under the IANA "private enterprise" arc (99999 is not assigned to this project): the policy
# under which the built-in TSA issues tokens until a real policy OID is registered.
PRIVATE_POLICY_OID = "1.3.6.1.4.1.99999.1.1"

_DIGEST_SIZES = {"sha256": 32, "sha384": 48, "sha512": 64}
_MAX_RESPONSE = 1 << 20  # a TimeStampResp is a few KiB; a larger answer is refused unread


class Timestamper(Protocol):
    """Anything that returns an RFC 3161 TimeStampToken (DER ContentInfo) over a digest."""

    def timestamp(self, digest: bytes, hash_algorithm: str) -> bytes: ...


@dataclass(frozen=True)
class TimestampInfo:
    """A timestamp token's content. ``verified`` is True when its signature and imprint were checked."""

    gen_time: datetime
    serial_number: int
    policy: str
    hash_algorithm: str
    message_imprint: bytes
    nonce: int | None
    tsa_certificate: x509.Certificate | None
    certificates: list[x509.Certificate]
    verified: bool


# --- verification ----------------------------------------------------------------------------------


def verify_timestamp_token(token: bytes, *, digest: bytes | None = None, data: bytes | None = None,
                           tsa_certificate: x509.Certificate | None = None) -> TimestampInfo:
    """Verify a TimeStampToken's signature and, given ``digest`` or ``data``, its message imprint.

    ``tsa_certificate`` is needed only when the token does not embed it. Raises MalformedError for
    something that is not a token, SignatureInvalid when it does not verify or covers other data, and
    TrustError when the signer is not a timestamping certificate. No trust decision is made on the TSA.
    """
    parsed = load_signed_data(token, what="timestamp token")
    info = _tst_info(parsed.content_type, parsed.encap_content)
    if data is not None:
        digest = hashlib.new(info.hash_algorithm, data).digest()
    if digest is not None and digest != info.message_imprint:
        raise SignatureInvalid("the timestamp token covers other data (message imprint differs)",
                               code="timestamp.imprint_mismatch")
    if parsed.digest_algorithm not in _DIGEST_SIZES:
        raise SignatureInvalid(f"the timestamp token uses an unsupported digest ({parsed.digest_algorithm})")
    assert parsed.encap_content is not None
    content_digest = hashlib.new(parsed.digest_algorithm, parsed.encap_content).digest()
    cert = verify_signer_info(parsed, content_digest=content_digest, signer_certificate=tsa_certificate
                              or parsed.signer_certificate, what="timestamp token")
    if not {"signing_certificate_v2", "signing_certificate"} & parsed.signed_attrs.keys():
        raise SignatureInvalid("the timestamp token lacks the ESS signing-certificate attribute (RFC 3161)")
    _require_timestamping_eku(cert)
    return _info(info, cert, parsed.certificates, verified=True)


def describe_timestamp_token(token: bytes) -> TimestampInfo:
    """Read a token's content without checking it (``verified`` is False). Raises MalformedError."""
    parsed = load_signed_data(token, what="timestamp token")
    info = _tst_info(parsed.content_type, parsed.encap_content)
    return _info(info, parsed.signer_certificate, parsed.certificates, verified=False)


@dataclass(frozen=True)
class _Tst:
    gen_time: datetime
    serial_number: int
    policy: str
    hash_algorithm: str
    message_imprint: bytes
    nonce: int | None


def _tst_info(content_type: str, content: bytes | None) -> _Tst:
    if content_type != "tst_info":
        raise MalformedError(f"the timestamp token holds {content_type}, not a TSTInfo")
    if content is None:
        raise MalformedError("the timestamp token has no TSTInfo content")
    try:
        tst = tsp.TSTInfo.load(content, strict=True)
        imprint = tst["message_imprint"]
        hash_name = imprint["hash_algorithm"]["algorithm"].native
        hashed = imprint["hashed_message"].native
        gen_time = tst["gen_time"].native
        out = _Tst(gen_time=gen_time, serial_number=tst["serial_number"].native,
                   policy=tst["policy"].dotted, hash_algorithm=hash_name, message_imprint=hashed,
                   nonce=tst["nonce"].native)
    except Exception as ex:  # hostile input: asn1crypto raises many kinds while parsing lazily
        raise MalformedError(f"the timestamp token's TSTInfo is not valid: {str(ex)[:200]}") from ex
    if tst["version"].native != "v1":
        raise MalformedError("the timestamp token's TSTInfo version is not 1")
    if hash_name not in _DIGEST_SIZES or len(hashed) != _DIGEST_SIZES[hash_name]:
        raise MalformedError(f"the timestamp token's message imprint ({hash_name}, {len(hashed)} bytes) "
                             "is not supported")
    if not isinstance(gen_time, datetime):
        raise MalformedError("the timestamp token's time is not valid")
    return out


def _info(tst: _Tst, cert: x509.Certificate | None, certs: list[x509.Certificate], *,
          verified: bool) -> TimestampInfo:
    return TimestampInfo(gen_time=tst.gen_time, serial_number=tst.serial_number, policy=tst.policy,
                         hash_algorithm=tst.hash_algorithm, message_imprint=tst.message_imprint,
                         nonce=tst.nonce, tsa_certificate=cert, certificates=list(certs), verified=verified)


def _require_timestamping_eku(cert: x509.Certificate) -> None:
    """RFC 3161 2.3: the TSA certificate has exactly one EKU, timeStamping, marked critical."""
    try:
        ext = cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage)
    except x509.ExtensionNotFound:
        ext = None
    except ValueError as ex:
        raise MalformedError("the TSA certificate's extensions cannot be read") from ex
    if ext is None or not ext.critical or list(ext.value) != [ExtendedKeyUsageOID.TIME_STAMPING]:
        raise TrustError("the timestamp signer's certificate is not a timestamping certificate (it needs a "
                         "critical extendedKeyUsage of timeStamping only)",
                         reason=TrustError.REASON_WRONG_KEY_USAGE, subject=cert.subject.rfc4514_string())


# --- wire format -----------------------------------------------------------------------------------


class _TimeStampResp(core.Sequence):
    """RFC 3161 TimeStampResp; asn1crypto's version wrongly makes the token mandatory."""

    _fields = [  # noqa: RUF012 - asn1crypto's declaration style
        ("status", tsp.PKIStatusInfo),
        ("time_stamp_token", tsp.ContentInfo, {"optional": True}),
    ]


def _normalise_hash(name: str) -> str:
    norm = name.lower().replace("-", "")
    if norm not in _DIGEST_SIZES:
        raise ValueError(f"unsupported timestamp hash algorithm {name!r}")
    return norm


def _check_digest(digest: bytes, hash_name: str) -> None:
    if len(digest) != _DIGEST_SIZES[hash_name]:
        raise ValueError(f"a {hash_name} digest is {_DIGEST_SIZES[hash_name]} bytes, not {len(digest)}")


# --- client ----------------------------------------------------------------------------------------


class HttpTimestamper:
    """An RFC 3161 client over HTTP (POST application/timestamp-query).

    Every answer is checked before it is returned: status granted, nonce echoed, imprint equal to the
    request, token signature valid. Failures raise TimestampError with a specific ``code``.
    """

    def __init__(self, url: str, *, timeout: float = 10.0, session: requests.Session | None = None) -> None:
        if not url.startswith(("http://", "https://")):
            raise ValueError(f"a timestamp server URL must be http(s): {url!r}")
        self.url = url
        self.timeout = timeout
        self._session = session

    def timestamp(self, digest: bytes, hash_algorithm: str) -> bytes:
        hash_name = _normalise_hash(hash_algorithm)
        _check_digest(digest, hash_name)
        nonce = secrets.randbits(63) | 1  # odd: never zero, positive INTEGER of stable length
        request = tsp.TimeStampReq({
            "version": "v1",
            "message_imprint": {"hash_algorithm": {"algorithm": hash_name}, "hashed_message": digest},
            "nonce": nonce,
            "cert_req": True,
        }).dump()
        body = self._post(request)
        return self._token_from(body, digest, hash_name, nonce)

    def _post(self, request: bytes) -> bytes:
        session = self._session or requests.Session()
        try:
            with session.post(self.url, data=request, timeout=self.timeout, stream=True,
                              headers={"Content-Type": "application/timestamp-query",
                                       "Accept": "application/timestamp-reply"}) as resp:
                if resp.status_code != 200:
                    raise TimestampError(f"the timestamp server answered HTTP {resp.status_code}",
                                         code="timestamp.http_status")
                body = resp.raw.read(_MAX_RESPONSE + 1, decode_content=True)
        except requests.RequestException as ex:
            raise TimestampError(f"the timestamp server {self.url} cannot be reached: {type(ex).__name__}",
                                 code="timestamp.unreachable") from ex
        finally:
            if self._session is None:
                session.close()
        if len(body) > _MAX_RESPONSE:
            raise TimestampError("the timestamp server's answer is too large", code="timestamp.bad_response")
        return bytes(body)

    def _token_from(self, body: bytes, digest: bytes, hash_name: str, nonce: int) -> bytes:
        return token_from_response(body, digest=digest, hash_algorithm=hash_name, nonce=nonce)


def token_from_response(body: bytes, *, digest: bytes, hash_algorithm: str, nonce: int | None) -> bytes:
    """Check a TimeStampResp against its request and return the token DER. Raises TimestampError."""
    try:
        resp = _TimeStampResp.load(body, strict=True)
        status = resp["status"]["status"].native
        fail_info = resp["status"]["fail_info"].native
        status_text = resp["status"]["status_string"].native
        token_value = resp["time_stamp_token"]
        token = token_value.dump() if token_value.native is not None else None
    except Exception as ex:  # hostile input
        raise TimestampError("the timestamp server's answer is not an RFC 3161 response",
                             code="timestamp.bad_response") from ex
    if status not in ("granted", "granted_with_mods"):
        detail = ", ".join(sorted(fail_info)) if fail_info else ""
        text = "; ".join(status_text) if status_text else ""
        raise TimestampError(f"the timestamp server refused the request ({status}"
                             f"{': ' + detail if detail else ''}{' - ' + text[:200] if text else ''})",
                             code="timestamp.rejected")
    if token is None:
        raise TimestampError("the timestamp server granted the request but sent no token",
                             code="timestamp.bad_response")
    try:
        info = verify_timestamp_token(token, digest=digest)
    except SignatureInvalid as ex:
        code = "timestamp.imprint_mismatch" if ex.code == "timestamp.imprint_mismatch" else \
            "timestamp.bad_signature"
        raise TimestampError(f"the timestamp server's token is not valid: {ex.message}", code=code) from ex
    except CryptoError as ex:
        raise TimestampError(f"the timestamp server's token is not valid: {ex.message}",
                             code="timestamp.bad_response") from ex
    if info.hash_algorithm != hash_algorithm:
        raise TimestampError("the timestamp token uses another hash than requested",
                             code="timestamp.imprint_mismatch")
    if info.nonce != nonce:
        raise TimestampError("the timestamp server did not echo our nonce (a replayed or foreign answer)",
                             code="timestamp.nonce_mismatch")
    return token


# --- authority -------------------------------------------------------------------------------------


class TimestampAuthority:
    """A minimal RFC 3161 TSA over a Signer whose certificate is a timestamping certificate.

    ``policy_oid`` defaults to PRIVATE_POLICY_OID, a private placeholder. ``serial_source`` returns unique
    positive serial numbers (default: 128 random bits). ``clock`` returns an aware datetime.
    ``respond`` may be called from several threads at once if the signer allows it (SoftwareKey does;
    a PKCS#11 signer serialises through its token thread).
    """

    def __init__(self, signer: Signer, *, policy_oid: str = PRIVATE_POLICY_OID,
                 clock: Callable[[], datetime] = lambda: datetime.now(UTC),
                 serial_source: Callable[[], int] | None = None) -> None:
        _require_timestamping_eku(signer.certificate)
        self._signer = signer
        self._algorithm = signer.supported_signature_algorithms()[0]
        self._policy = policy_oid
        self._clock = clock
        self._serial = serial_source or (lambda: secrets.randbits(127) | (1 << 126))

    def timestamp(self, digest: bytes, hash_algorithm: str) -> bytes:
        """Issue a token locally (implements Timestamper). The TSA certificate is embedded."""
        hash_name = _normalise_hash(hash_algorithm)
        _check_digest(digest, hash_name)
        return self._issue(hash_name, digest, nonce=None, include_certs=True).dump()

    def respond(self, request_der: bytes) -> bytes:
        """Answer a DER TimeStampReq with a DER TimeStampResp. A bad request gets a rejection response."""
        try:
            req = tsp.TimeStampReq.load(request_der, strict=True)
            version = req["version"].native
            imprint = req["message_imprint"]
            hash_name = imprint["hash_algorithm"]["algorithm"].native
            digest = imprint["hashed_message"].native
            req_policy = req["req_policy"].dotted if req["req_policy"].native is not None else None
            nonce = req["nonce"].native
            cert_req = bool(req["cert_req"].native)
            has_extensions = req["extensions"].native is not None
        except Exception:  # a client's bytes are hostile input; a TSA answers, it does not crash
            return _rejection("bad_data_format", "the request is not a DER TimeStampReq")
        if version != "v1":
            return _rejection("bad_request", "only version 1 requests are supported")
        if hash_name not in _DIGEST_SIZES:
            return _rejection("bad_alg", f"hash algorithm {hash_name} is not accepted")
        if not isinstance(digest, bytes) or len(digest) != _DIGEST_SIZES[hash_name]:
            return _rejection("bad_data_format", "the message imprint has the wrong length")
        if req_policy is not None and req_policy != self._policy:
            return _rejection("unaccepted_policy", f"only policy {self._policy} is offered")
        if has_extensions:
            return _rejection("unaccepted_extensions", "no request extension is supported")
        try:
            token = self._issue(hash_name, digest, nonce=nonce, include_certs=cert_req)
        except CryptoError:
            return _rejection("system_failure", "the timestamp authority cannot sign now")
        return _TimeStampResp({"status": {"status": "granted"}, "time_stamp_token": token}).dump()

    def _issue(self, hash_name: str, digest: bytes, *, nonce: int | None, include_certs: bool) -> Any:
        now = self._clock().astimezone(UTC).replace(microsecond=0)
        cert = asn1_x509.Certificate.load(self._signer.certificate.public_bytes(Encoding.DER))
        tst: dict[str, Any] = {
            "version": "v1",
            "policy": self._policy,
            "message_imprint": {"hash_algorithm": algos.DigestAlgorithm({"algorithm": hash_name}),
                                "hashed_message": digest},
            "serial_number": self._serial(),
            "gen_time": now,
            "accuracy": {"seconds": 1},
            "tsa": asn1_x509.GeneralName({"directory_name": cert.subject}),
        }
        if nonce is not None:
            tst["nonce"] = nonce
        tst_info = tsp.TSTInfo(tst)
        tst_der = tst_info.dump()
        signer_info = build_signer_info(self._signer, self._algorithm, content_type="tst_info",
                                        message_digest=hashlib.new(DIGEST_OF[self._algorithm], tst_der)
                                        .digest(), signing_time=now)
        return build_signed_data(signer_info, self._signer if include_certs else None,
                                 DIGEST_OF[self._algorithm], content_type="tst_info",
                                 content=tst_der)


def _rejection(fail_info: str, text: str) -> bytes:
    return _TimeStampResp({"status": {"status": "rejection", "status_string": [text],
                                      "fail_info": tsp.PKIFailureInfo({fail_info})}}).dump()
