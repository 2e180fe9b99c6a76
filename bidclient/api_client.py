"""The HTTP client of the bidclient server API (requests): timeouts, retries with idempotency keys,
the server clock, and RFC 9457 problems turned into ApiError with a stable code.

Every response is hostile input: sizes are bounded, JSON shapes are validated by the caller's
pydantic models, and text from the server is only ever shown as plain text.
"""

from __future__ import annotations

import base64
import re
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import requests

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


class ApiClient:
    def __init__(self, base_url: str, *, token: str | None = None, session: requests.Session | None = None,
                 timeout: tuple[float, float] = DEFAULT_TIMEOUT, retries: int = 3) -> None:
        if not base_url.startswith(("http://", "https://")):
            raise BidclientError(f"the server URL {base_url!r} must start with http:// or https://",
                                 code="usage.invalid", exit_status=2)
        self.base_url = base_url.rstrip("/")
        self.token = token
        self.http = session or requests.Session()
        self.timeout = timeout
        self.retries = retries
        self.clock_offset = timedelta(0)  # server time minus local time

    def sibling(self) -> ApiClient:
        """Another client for the same server and session, with its own connection pool (a
        requests.Session is not meant to be shared between threads)."""
        other = ApiClient(self.base_url, token=self.token, timeout=self.timeout, retries=self.retries)
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
            except (requests.ConnectionError, requests.Timeout) as ex:
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

