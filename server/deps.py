"""Request dependencies: the unit of work, settings, keys, the authenticated actor.

Who may call a route (roles, ownership) is declared with server/auth/permissions.py.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from server.auth import service as auth_service
from server.db import session_scope
from server.keys import ServerKeys
from server.problems import Problem
from server.settings import Settings


def get_db(request: Request) -> Iterator[Session]:
    yield from session_scope(request.app.state.session_factory)


# The trivial dependencies below are coroutines: FastAPI runs a plain ``def`` dependency in a worker thread,
# and each such hop waits for a thread and the GIL, which during a deadline rush cost short requests (a
# login challenge, the tender list) tens of milliseconds apiece (server/lanes.py).
async def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


async def get_keys(request: Request) -> ServerKeys:
    keys: ServerKeys = request.app.state.keys
    return keys


def client_address(request: Request) -> str:
    """The client's network address for sessions and the audit trail: the peer's, or behind a trusted
    reverse proxy, the one it forwards (server/tls.py)."""
    from server.tls import real_client_address

    peer = request.client.host if request.client else ""
    return real_client_address(peer, request.headers.getlist("x-forwarded-for"),
                               getattr(request.app.state, "trusted_proxies", ()))


# "function" scope: commit before the response is sent, so a 2xx always means the change is durable
# and the client's next request sees it (the default "request" scope commits after sending).
DbSession = Annotated[Session, Depends(get_db, scope="function")]
SettingsDep = Annotated[Settings, Depends(get_settings)]
KeysDep = Annotated[ServerKeys, Depends(get_keys)]
async def _client_address(request: Request) -> str:
    return client_address(request)


AddressDep = Annotated[str, Depends(_client_address)]


def get_read_db(request: Request) -> Iterator[Session]:
    yield from session_scope(request.app.state.read_session_factory)


# For handlers that only read: no write lock on SQLite, so listings stay fast while bids pour in.
ReadDbSession = Annotated[Session, Depends(get_read_db, scope="function")]


def current_actor(request: Request) -> auth_service.Actor:
    """The caller, looked up in a short read-only unit of its own: authenticating never holds the
    request's transaction (on SQLite, the write lock) open."""
    return actor_in_unit(request, None)


def actor_in_unit(request: Request, db: Session | None) -> auth_service.Actor:
    """The caller, looked up in ``db``, a read-only unit the handler has open anyway (the upload routes
    authenticate and plan in one), or in a unit of its own when ``db`` is None."""
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise Problem(401, "auth.required", "Authentication required",
                      "log in with your dongle and send the session token as 'Authorization: Bearer'")
    if db is not None:
        return auth_service.actor_for_token(db, token=token.strip(), address=client_address(request))
    with contextlib.closing(request.app.state.read_session_factory()) as own:
        return auth_service.actor_for_token(own, token=token.strip(), address=client_address(request))


CurrentActor = Annotated[auth_service.Actor, Depends(current_actor)]
