"""The FastAPI application factory. No engine or app is created at import time."""

from __future__ import annotations

import contextlib
import gc
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor

import anyio.to_thread
from fastapi import FastAPI
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from server import clock, keys
from server.db import make_engine, make_read_session_factory, make_session_factory
from server.problems import install_problem_handlers
from server.settings import Settings


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("bidclient")
    except PackageNotFoundError:
        return "0+unknown"


__version__ = _version()


class ServerTimeMiddleware:
    """Adds X-Server-Time to every response: clients show deadlines by the server clock (Art. 27:
    arrival is the server's time). Plain ASGI, so upload bodies stream through untouched."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_time(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                headers.append((b"x-server-time", clock.isoformat(clock.now()).encode("ascii")))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_time)


def freeze_heap() -> None:
    """Collect once, then exempt every object alive now from later collections (gc.freeze).

    The server's heap after start-up is mostly what stays for its lifetime: modules, the ORM's and pydantic's
    class machinery, keys, the trust list. Left in the oldest generation, every full collection walks all of
    it while every thread of the process waits — in a deadline rush the longest pauses any request saw
    (docs/benchmarks.md, "Scheduling and collector pauses"). Frozen, a full collection walks only what was
    made since. Objects frozen here are never collected as cycles; they are what lives as long as the process."""
    gc.collect()
    gc.freeze()


@contextlib.asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    # Every request may wait in a worker thread (a database lock, a pool connection); with more threads
    # than requests admitted at once (uvicorn's limit_concurrency), the request holding the lock can
    # always get a thread to finish, so waiting never turns into a deadlock.
    settings: Settings = app.state.settings
    anyio.to_thread.current_default_thread_limiter().total_tokens = settings.max_threads
    if settings.freeze_heap:
        freeze_heap()
    try:
        yield
    finally:
        app.state.byte_workers.shutdown(wait=False, cancel_futures=True)


def create_app(settings: Settings) -> FastAPI:
    app = FastAPI(title="bidclient server", version=__version__, lifespan=_lifespan,
                  description="Tenders, dongle login, sealed-bid submission with signed receipts, audit trail.")
    engine = make_engine(settings.resolved_database_url, lock_timeout=settings.lock_timeout)
    app.state.settings = settings
    app.state.engine = engine
    app.state.session_factory = make_session_factory(engine)
    app.state.read_session_factory = make_read_session_factory(engine)
    app.state.keys = keys.load(settings.keys_dir)
    from server.tls import parse_networks

    app.state.trusted_proxies = parse_networks(settings.trusted_proxies)
    from server.lanes import Lane
    from server.observability.metrics import Metrics
    from server.ratelimit import RateLimiter

    metrics = app.state.metrics = Metrics()
    app.state.rate_limiter = RateLimiter.for_database(settings.rate_window, engine)
    app.state.upload_lane = Lane(settings.upload_lane, waiting=metrics.lane_waiting.labels("upload"),
                                 busy=metrics.lane_busy.labels("upload"))
    app.state.verify_lane = Lane(settings.verify_lane, waiting=metrics.lane_waiting.labels("verify"),
                                 busy=metrics.lane_busy.labels("verify"))
    from server.evaluation.edit_lane import GroupLane
    from server.evaluation.service import write_audit

    app.state.evaluation_edit_lane = GroupLane(app.state.session_factory, finish=write_audit, waiting=metrics.
                                               lane_waiting.labels("evaluation_edits"),
                                               busy=metrics.lane_busy.labels("evaluation_edits"))
    # Hashing and writing upload bytes (server/submissions/chunk_sink.py).
    app.state.byte_workers = ThreadPoolExecutor(max_workers=settings.byte_workers, thread_name_prefix="bytes")
    install_problem_handlers(app)
    from server.openapi import install_openapi

    install_openapi(app)

    app.add_middleware(ServerTimeMiddleware)
    from server.observability.requests import RequestContextMiddleware

    # Outermost: the request id is set before anything else runs, and the latency includes everything.
    app.add_middleware(RequestContextMiddleware, metrics=metrics,
                       trusted_proxies=tuple(getattr(settings, "trusted_proxies", ()) or ()),
                       access_log_enabled=settings.access_log)

    from server.audit.router import router as audit_router
    from server.auth.router import router as auth_router
    from server.committee.router import router as committee_router
    from server.evaluation.router import router as evaluation_router
    from server.experts.router import router as experts_router
    from server.live.router import router as live_router
    from server.opening.router import router as opening_router
    from server.submissions.router import router as submissions_router
    from server.tenders.router import router as tenders_router
    from server.trustlist.router import router as trustlist_router

    for router in (auth_router, trustlist_router, tenders_router, submissions_router, audit_router,
                   live_router, committee_router, opening_router, experts_router, evaluation_router):
        app.include_router(router)

    from server.timesync import ClockWatch

    app.state.clock_watch = ClockWatch(command=settings.clock_check_command)
    from server.observability.health import install_health

    # One limiter per app: an anyio limiter binds to the first event loop that uses it, and test servers run
    # several apps, each on its own loop, in one process.
    install_health(app, __version__, anyio.CapacityLimiter(1))
    from server.observability.metrics import install_endpoint

    install_endpoint(app)

    return app
