"""The HTTP client of the bidclient server API (requests): timeouts, retries with idempotency keys,
the server clock, and RFC 9457 problems turned into ApiError with a stable code.

Every response is hostile input: sizes are bounded, JSON shapes are validated by the caller's
pydantic models, and text from the server is only ever shown as plain text.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import ipaddress
import re
import ssl
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import requests
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPSConnection
from urllib3.connectionpool import HTTPSConnectionPool

from bidclient.errors import BidclientError
from bidclient.i18n import _
from bidclient.protocol.auth import ChallengeOut, LoginOut, login_statement

DEFAULT_TIMEOUT = (5.0, 60.0)  # connect, read
MAX_JSON_RESPONSE = 8 << 20
RETRY_STATUSES = {502, 503, 504}
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")  # shown to the user: nothing else from the header


class ApiError(BidclientError):
    """The server refused a request (problem+json), or could not be reached."""

    def __init__(self, code: str, message: str, *, status: int = 0, problem: dict[str, Any] | None = None) -> None:
        super().__init__(message, code=code, exit_status=3 if code.startswith("net.") else 1)
        self.status = status
        self.problem = problem or {}


@dataclass(frozen=True)
class TlsOptions:
    """How the client checks the server: ``ca_file`` (PEM) instead of the system's CA store, certificate
    pins (SHA-256 of the server certificate or of its public key, SPKI), and whether plain ``http://``
    to a remote server is allowed at all (never by default: tokens and login statements would cross the
    network in the clear)."""

    ca_file: str | None = None
    pin_sha256: tuple[str, ...] = ()
    insecure_http: bool = False


def normalise_pin(text: str) -> str:
    """A SHA-256 pin as 64 lowercase hex digits; accepts hex (colons allowed) or base64 (``sha256/...``)."""
    value = text.strip()
    value = value.removeprefix("sha256/").removeprefix("sha256:")
    hexed = value.replace(":", "").lower()
    if len(hexed) == 64 and all(c in "0123456789abcdef" for c in hexed):
        return hexed
    try:
        raw = base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raw = b""
    if len(raw) == 32:
        return raw.hex()
    raise BidclientError(f"{text!r} is not a SHA-256 pin (64 hex digits, or base64 of 32 bytes)",
                         code="usage.invalid", exit_status=2)


def is_loopback(host: str) -> bool:
    if host.lower() in ("localhost", "localhost."):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def certificate_pins(der: bytes) -> set[str]:
    """The SHA-256 pins a certificate matches: of the whole certificate and of its public key (SPKI)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import serialization

    pins = {hashlib.sha256(der).hexdigest()}
    try:
        spki = x509.load_der_x509_certificate(der).public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
        pins.add(hashlib.sha256(spki).hexdigest())
    except ValueError:
        pass
    return pins


def tls_context(ca_file: str | None) -> ssl.SSLContext:
    """TLS 1.2 or later, hostname checked, trusting ``ca_file`` only, else the system's CA store."""
    try:
        context = ssl.create_default_context(cafile=ca_file) if ca_file else ssl.create_default_context()
    except (OSError, ssl.SSLError) as ex:
        raise BidclientError(f"the CA file {ca_file} cannot be used: {ex}", code="net.ca_file_unreadable",
                             exit_status=2) from None
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    return context


class _TlsAdapter(HTTPAdapter):
    """Verifies the server with our SSL context (not requests' bundled CA list) and checks the pins
    right after the handshake, before a byte of the request (with its token) is sent."""

    def __init__(self, context: ssl.SSLContext, pins: Iterable[str]) -> None:
        self._context = context
        self._pins = frozenset(pins)
        super().__init__()

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        kwargs["ssl_context"] = self._context
        super().init_poolmanager(*args, **kwargs)
        pins = self._pins

        class PinnedConnection(HTTPSConnection):
            def connect(self) -> None:
                super().connect()
                if not pins:
                    return
                peer = getattr(self.sock, "getpeercert", None)
                der = peer(binary_form=True) if peer is not None else None
                if not der or not certificate_pins(der) & pins:
                    self.close()
                    presented = hashlib.sha256(der).hexdigest() if der else "none"
                    raise ApiError("net.tls_pin_mismatch",
                                   f"the server {self.host} presents a certificate that does not match the pinned "
                                   f"SHA-256 (it presents {presented}); nothing was sent")

        class PinnedPool(HTTPSConnectionPool):
            ConnectionCls = PinnedConnection

        self.poolmanager.pool_classes_by_scheme = {**self.poolmanager.pool_classes_by_scheme,
                                                   "https": PinnedPool}

    def cert_verify(self, conn: Any, url: str, verify: Any, cert: Any) -> None:
        conn.cert_reqs = "CERT_REQUIRED"  # always; the CAs are in our context
        conn.ca_certs = None
        conn.ca_cert_dir = None


def _tls_problem(ex: BaseException, base_url: str) -> ApiError:
    """A failed TLS handshake as a stable code: expired, untrusted, wrong host name, or other."""
    cause: BaseException | None = ex
    seen = 0
    while cause is not None and seen < 20:
        if isinstance(cause, ssl.SSLCertVerificationError):
            reason = cause.verify_message or str(cause)
            if cause.verify_code == 10:  # X509_V_ERR_CERT_HAS_EXPIRED
                return ApiError("net.tls_expired", f"the certificate of {base_url} has expired ({reason}); "
                                "nothing was sent")
            if cause.verify_code in (62, 64):  # X509_V_ERR_HOSTNAME_MISMATCH, _IP_ADDRESS_MISMATCH
                return ApiError("net.tls_hostname_mismatch", f"the certificate of {base_url} is for another "
                                f"host name ({reason}); nothing was sent")
            return ApiError("net.tls_untrusted", f"the certificate of {base_url} was not issued by a trusted CA "
                            f"({reason}); nothing was sent")
        nested = cause.args[0] if cause.args and isinstance(cause.args[0], BaseException) else None
        cause = getattr(cause, "reason", None) or nested or cause.__cause__ or cause.__context__
        seen += 1
    return ApiError("net.tls_failed", f"no secure connection to {base_url}: {_reason(ex)}")


class ApiClient:
    def __init__(self, base_url: str, *, token: str | None = None, session: requests.Session | None = None,
                 timeout: tuple[float, float] = DEFAULT_TIMEOUT, retries: int = 3,
                 tls: TlsOptions | None = None) -> None:
        if not base_url.startswith(("http://", "https://")):
            raise BidclientError(f"the server URL {base_url!r} must start with http:// or https://",
                                 code="usage.invalid", exit_status=2)
        self.tls = tls or TlsOptions()
        host = urlsplit(base_url).hostname or ""
        if base_url.startswith("http://") and not is_loopback(host) and not self.tls.insecure_http:
            raise BidclientError(f"{base_url} is plain HTTP: the session token and your login would cross the "
                                 "network unencrypted; use the server's https:// address (or, on a network you "
                                 "trust, pass --insecure-http)", code="net.insecure_http", exit_status=2)
        self.base_url = base_url.rstrip("/")
        self.token = token
        self.http = session or requests.Session()
        if self.base_url.startswith("https://"):
            pins = tuple(normalise_pin(p) for p in self.tls.pin_sha256)
            self.http.mount("https://", _TlsAdapter(tls_context(self.tls.ca_file), pins))
        self.timeout = timeout
        self.retries = retries
        self.clock_offset = timedelta(0)  # server time minus local time

    def sibling(self) -> ApiClient:
        """Another client for the same server and session, with its own connection pool (a
        requests.Session is not meant to be shared between threads)."""
        other = ApiClient(self.base_url, token=self.token, timeout=self.timeout, retries=self.retries,
                          tls=self.tls)
        other.clock_offset = self.clock_offset
        return other

    # --- plumbing ----------------------------------------------------------------------------

    def server_now(self) -> datetime:
        return datetime.now(UTC) + self.clock_offset

    def _note_server_time(self, response: requests.Response) -> None:
        value = response.headers.get("X-Server-Time")
        if not value:
            return
        try:
            server_time = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return
        self.clock_offset = server_time - datetime.now(UTC)

    def request(self, method: str, path: str, *, json: Any = None, data: bytes | None = None,
                headers: dict[str, str] | None = None, idempotent: bool | None = None,
                stream: bool = False, timeout: tuple[float, float] | None = None) -> requests.Response:
        """Send with retries on network errors and 502/503/504. Non-GET writes carry one Idempotency-Key
        for all attempts, so a retried write is applied once."""
        all_headers = dict(headers or {})
        if self.token:
            all_headers["Authorization"] = f"Bearer {self.token}"
        if method != "GET" and "Idempotency-Key" not in all_headers:
            all_headers["Idempotency-Key"] = str(uuid.uuid4())
        may_retry = idempotent if idempotent is not None else True
        attempt = 0
        while True:
            attempt += 1
            try:
                response = self.http.request(method, self.base_url + path, json=json, data=data,
                                             headers=all_headers, timeout=timeout or self.timeout, stream=stream)
            except requests.exceptions.SSLError as ex:  # not retried: the same certificate comes back
                raise _tls_problem(ex, self.base_url) from None
            except (requests.ConnectionError, requests.Timeout, requests.exceptions.ChunkedEncodingError) as ex:
                # ChunkedEncodingError: the server died while sending its answer (the request may have landed;
                # a retried write carries the same Idempotency-Key, so it is applied once).
                if may_retry and attempt <= self.retries:
                    time.sleep(min(0.2 * 2 ** attempt, 3.0))
                    continue
                raise ApiError("net.unreachable", f"the server at {self.base_url} cannot be reached: "
                               f"{type(ex).__name__} ({_reason(ex)})") from None
            self._note_server_time(response)
            if response.status_code in RETRY_STATUSES and may_retry and attempt <= self.retries:
                time.sleep(min(0.2 * 2 ** attempt, 3.0))
                continue
            if response.status_code >= 400:
                raise self._problem(response)
            return response

    @staticmethod
    def _problem(response: requests.Response) -> ApiError:
        problem: dict[str, Any] = {}
        try:
            if len(response.content) <= MAX_JSON_RESPONSE:
                parsed = response.json()
                if isinstance(parsed, dict):
                    problem = parsed
        except ValueError:
            pass
        code = problem.get("code")
        if not isinstance(code, str) or not code or len(code) > 100:
            code = f"http.{response.status_code}"
        detail = str(problem.get("detail") or problem.get("title") or response.reason or "")[:2000]
        # The id the server logged this request under (X-Request-ID): what the operator searches for.
        request_id = response.headers.get("X-Request-ID", "")
        if request_id and _REQUEST_ID.match(request_id):
            detail = f"{detail} ({_('request id')}: {request_id})" if detail else f"{_('request id')}: {request_id}"
        return ApiError(code, detail, status=response.status_code, problem=problem)

    def get_json(self, path: str) -> Any:
        response = self.request("GET", path)
        return _json(response)

    def post_json(self, path: str, body: Any, *, headers: dict[str, str] | None = None) -> Any:
        response = self.request("POST", path, json=body, headers=headers)
        return _json(response)

    # --- auth --------------------------------------------------------------------------------

    def login(self, sign: Callable[[bytes], bytes]) -> LoginOut:
        """Challenge–response: ``sign`` makes a detached CMS signature with the user's signing key."""
        challenge = ChallengeOut.model_validate(self.post_json("/api/v1/auth/challenge", {}))
        signature = sign(login_statement(challenge.nonce))
        out = LoginOut.model_validate(self.post_json("/api/v1/auth/login", {
            "nonce": challenge.nonce, "signature": base64.b64encode(signature).decode("ascii")}))
        self.token = out.token
        return out


def body_chunks(response: requests.Response, chunk_size: int | None = 1 << 16) -> Iterator[bytes]:
    """A streamed answer's bytes; a connection lost mid-body becomes ``net.unreachable``, not a traceback."""
    try:
        yield from response.iter_content(chunk_size=chunk_size)
    except (requests.ConnectionError, requests.Timeout, requests.exceptions.ChunkedEncodingError) as ex:
        raise ApiError("net.unreachable", f"the connection to the server was lost while receiving its answer: "
                       f"{type(ex).__name__} ({_reason(ex)})") from None


def _json(response: requests.Response) -> Any:
    if len(response.content) > MAX_JSON_RESPONSE:
        raise ApiError("net.response_too_large", "the server's answer is too large")
    try:
        return response.json()
    except ValueError:
        raise ApiError("net.bad_response", "the server's answer is not JSON") from None


def _reason(ex: BaseException) -> str:
    """The innermost cause of a requests/urllib3 network error, short (e.g. 'Connection refused')."""
    while ex.__context__ is not None and ex.__context__ is not ex:
        ex = ex.__context__
    text = str(ex).split("] ", 1)[-1] if "] " in str(ex) else str(ex)
    return (text or type(ex).__name__)[:120]

