"""The FastAPI application factory. No engine or app is created at import time."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request, Response
from starlette.middleware.base import RequestResponseEndpoint

from server import clock, keys
from server.db import make_engine, make_session_factory
from server.problems import install_problem_handlers
from server.settings import Settings


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("bidclient")
    except PackageNotFoundError:
        return "0+unknown"


__version__ = _version()


def create_app(settings: Settings) -> FastAPI:
    app = FastAPI(title="bidclient server", version=__version__,
                  description="Tenders, dongle login, sealed-bid submission with signed receipts, audit trail.")
    engine = make_engine(settings.resolved_database_url)
    app.state.settings = settings
    app.state.engine = engine
    app.state.session_factory = make_session_factory(engine)
    app.state.keys = keys.load(settings.keys_dir)
    install_problem_handlers(app)
    from server.openapi import install_openapi

    install_openapi(app)

    @app.middleware("http")
    async def server_time(request: Request, call_next: RequestResponseEndpoint) -> Response:
        response = await call_next(request)
        # Clients show deadlines by the server clock (Art. 27: arrival is the server's time).
        response.headers["X-Server-Time"] = clock.isoformat(clock.now())
        return response

    from server.auth.router import router as auth_router

    app.include_router(auth_router)
    for module in _optional_routers():
        app.include_router(module)

    @app.get("/api/v1/health", tags=["meta"])
    def health() -> dict[str, str]:
        return {"status": "ok", "version": __version__, "server_time": clock.isoformat(clock.now())}

    return app


def _optional_routers() -> list[Any]:
    """Routers of the domain packages (each package registers itself here)."""
    import importlib

    found = []
    for name in ("server.trustlist.router", "server.tenders.router", "server.submissions.router",
                 "server.audit.router"):
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as ex:
            if ex.name is None or not name.startswith(ex.name):
                raise
            continue
        found.append(module.router)
    return found
