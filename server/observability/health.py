"""GET /api/v1/health: can this instance serve (database, storage), and what must an operator look at
(free disk against the largest expected bid, the clock)?

An instance that has lost its database or its storage answers 503 ``server.unhealthy`` (problem+json
with the same members), so that a load balancer stops sending requests to it. Problems that do not stop
it serving (too little free disk, a clock not known to be synchronised) are listed in ``warnings``.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from typing import Any, Literal

import anyio
import anyio.to_thread
from fastapi import FastAPI
from pydantic import BaseModel
from sqlalchemy import text

from server import clock
from server.auth.permissions import Public
from server.problems import Problem
from server.settings import redact


class ClockOut(BaseModel):
    synchronised: bool | None
    source: str
    detail: str


class CheckOut(BaseModel):
    ok: bool
    detail: str = ""


class DiskOut(CheckOut):
    free_bytes: int | None
    needed_bytes: int


class ChecksOut(BaseModel):
    database: CheckOut
    storage: CheckOut
    disk: DiskOut


class HealthOut(BaseModel):
    status: Literal["ok"]
    version: str
    server_time: str
    instance: str
    clock: ClockOut
    checks: ChecksOut
    warnings: list[str]


def _database(app: FastAPI) -> dict[str, Any]:
    try:
        with app.state.engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        return {"ok": True, "detail": app.state.engine.dialect.name}
    except Exception as ex:  # any failure is the answer, not an error of the endpoint
        reason = (str(getattr(ex, "orig", None) or ex).strip().splitlines() or [""])[0][:200]
        # The driver may quote the URL: never show its password.
        url = app.state.settings.resolved_database_url
        return {"ok": False, "detail": redact(f"{type(ex).__name__}: {reason}", url)}


def _storage(app: FastAPI) -> dict[str, Any]:
    settings = app.state.settings
    for folder in (settings.blob_dir, settings.upload_dir):
        try:
            with tempfile.NamedTemporaryFile(dir=folder, prefix=".health-"):
                pass
        except OSError as ex:
            return {"ok": False, "detail": f"{folder.name}: {ex.strerror or type(ex).__name__}"}
    return {"ok": True, "detail": "blobs and uploads writable"}


def _disk(app: FastAPI) -> dict[str, Any]:
    settings = app.state.settings
    needed = 2 * settings.largest_expected_bid  # the upload file and its adopted blob, during completion
    try:
        free = min(shutil.disk_usage(settings.upload_dir).free, shutil.disk_usage(settings.blob_dir).free)
    except OSError as ex:
        return {"ok": False, "free_bytes": None, "needed_bytes": needed, "detail": ex.strerror or str(ex)}
    return {"ok": free >= needed, "free_bytes": free, "needed_bytes": needed}


def install_health(app: FastAPI, version: str, clock_limiter: anyio.CapacityLimiter) -> None:
    checks_limiter = anyio.CapacityLimiter(2)
    instance = f"{os.uname().nodename}:{os.getpid()}"

    def run_checks() -> dict[str, dict[str, Any]]:
        return {"database": _database(app), "storage": _storage(app), "disk": _disk(app)}

    @app.get("/api/v1/health", tags=["meta"], response_model=HealthOut, dependencies=[Public],
             summary="Whether this instance can serve, and what an operator must look at",
             responses={503: {"description": "server.unhealthy: the database or the storage fails; the "
                                             "problem carries the same members"}})
    async def health() -> HealthOut:
        # async, with threads of its own: answers even while every request thread waits for the
        # database. The clock probe runs a command at most once a minute.
        state = await anyio.to_thread.run_sync(app.state.clock_watch.state, limiter=clock_limiter)
        checks = await anyio.to_thread.run_sync(run_checks, limiter=checks_limiter)
        warnings: list[str] = []
        if not checks["disk"]["ok"]:
            warnings.append("disk.low")
        if state.synchronised is False:
            warnings.append("clock.unsynchronised")
        elif state.synchronised is None:
            warnings.append("clock.unknown")
        members = {"version": version, "server_time": clock.isoformat(clock.now()), "instance": instance,
                   "clock": state.as_dict(), "checks": checks, "warnings": warnings}
        failed = [name for name in ("database", "storage") if not checks[name]["ok"]]
        if failed:
            raise Problem(503, "server.unhealthy", "This instance cannot serve",
                          "; ".join(f"{name}: {checks[name]['detail']}" for name in failed), **members)
        return HealthOut(status="ok", **members)
