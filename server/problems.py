"""RFC 9457 problem details with stable codes; the client turns codes into translated messages."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException

log = logging.getLogger(__name__)

PROBLEM_TYPE_BASE = "urn:bidclient:problem:"
PROBLEM_MEDIA_TYPE = "application/problem+json"


class Problem(Exception):
    """Raised by routers and dependencies (services raise domain errors that routers map)."""

    def __init__(self, status: int, code: str, title: str, detail: str = "", **extra: Any) -> None:
        super().__init__(detail or title)
        self.status = status
        self.code = code
        self.title = title
        self.detail = detail
        self.extra = extra

    def body(self, instance: str = "") -> dict[str, Any]:
        body: dict[str, Any] = {"type": PROBLEM_TYPE_BASE + self.code, "title": self.title,
                                "status": self.status, "code": self.code}
        if self.detail:
            body["detail"] = self.detail
        if instance:
            body["instance"] = instance
        body.update(self.extra)
        return body


class DomainError(Exception):
    """A service-level refusal with a stable code and an HTTP status for the router boundary."""

    status = 400

    def __init__(self, code: str, detail: str, *, status: int | None = None, **extra: Any) -> None:
        super().__init__(detail)
        self.code = code
        self.detail = detail
        if status is not None:
            self.status = status
        self.extra = extra


def problem_response(problem: Problem, request: Request | None = None) -> JSONResponse:
    return JSONResponse(problem.body(request.url.path if request else ""), status_code=problem.status,
                        media_type=PROBLEM_MEDIA_TYPE)


_STATUS_CODES = {400: "bad_request", 401: "unauthenticated", 403: "forbidden", 404: "not_found",
                 405: "method_not_allowed", 409: "conflict", 413: "too_large", 415: "unsupported_media_type",
                 422: "invalid_request", 429: "too_many_requests"}


def _is_contention(exc: OperationalError) -> bool:
    """Lock waits that ran out (SQLite's busy timeout, our writer lock) and PostgreSQL's deadlock and
    serialisation failures: the transaction was rolled back whole, so sending the request again is safe."""
    sqlstate = getattr(exc.orig, "sqlstate", None)
    if sqlstate in ("40001", "40P01", "55P03"):
        return True
    return "database is locked" in str(exc.orig)


def _allowed_methods(request: Request) -> list[str]:
    from starlette.routing import Match

    methods: set[str] = set()
    for route in request.app.routes:
        match, _child = route.matches(request.scope)
        if match != Match.NONE:
            methods.update(getattr(route, "methods", None) or ())
    return sorted(methods)


def install_problem_handlers(app: FastAPI) -> None:
    @app.exception_handler(Problem)
    async def _problem(request: Request, exc: Problem) -> JSONResponse:
        response = problem_response(exc, request)
        if exc.status in (429, 503) and isinstance(exc.extra.get("retry_after"), int):
            response.headers["Retry-After"] = str(exc.extra["retry_after"])
        return response

    @app.exception_handler(DomainError)
    async def _domain(request: Request, exc: DomainError) -> JSONResponse:
        return problem_response(Problem(exc.status, exc.code, exc.detail, exc.detail, **exc.extra), request)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [{"loc": [str(p) for p in e.get("loc", ())], "msg": str(e.get("msg", ""))}
                  for e in exc.errors()][:20]
        return problem_response(Problem(422, "request.invalid", "The request is not valid",
                                        "; ".join(f"{'.'.join(e['loc'])}: {e['msg']}" for e in errors),
                                        errors=errors), request)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = "http." + _STATUS_CODES.get(exc.status_code, str(exc.status_code))
        response = problem_response(Problem(exc.status_code, code, str(exc.detail)), request)
        response.headers.update(exc.headers or {})
        if exc.status_code == 405:  # RFC 9110: Allow lists every method of the resource, not one route's
            response.headers["Allow"] = ", ".join(_allowed_methods(request))
        return response

    @app.exception_handler(OperationalError)
    async def _database(request: Request, exc: OperationalError) -> JSONResponse:
        if not _is_contention(exc):
            # The operator needs the cause (database down, wrong password...): the driver's message, one
            # line, no SQL. The server's log redaction masks a database URL in it (server/cli.py).
            log.error("%s %s failed: the database is not usable: %s", request.method, request.url.path,
                      str(exc.orig if exc.orig is not None else exc).strip().replace("\n", " "))
            return await _internal(request, exc)
        response = problem_response(Problem(503, "server.busy", "The server is busy",
                                            "the database was held by other requests for too long; the request "
                                            "was not applied — send it again"), request)
        response.headers["Retry-After"] = "1"
        return response

    @app.exception_handler(Exception)
    async def _internal(request: Request, exc: Exception) -> JSONResponse:
        return problem_response(Problem(500, "server.internal", "Internal server error",
                                        "The server failed; the request was not applied."), request)
