"""Who may call a route: one permission dependency per rule, declared on the route.

Every route names its rule in its signature (or in ``dependencies=[...]``), so reading a route tells who may
call it, and tests/server/test_permissions.py fails for any route that names none:

    @router.post("/things")
    def create(body: ThingIn, db: DbSession, actor: permissions.AgencyActor) -> ThingOut: ...

    @router.get("/things", dependencies=[permissions.Public])
    def list_things(db: ReadDbSession) -> ThingListOut: ...

The rules:
- ``Public``: no login (published tenders, the trust list, the login challenge, health);
- ``CurrentActor``: any logged-in account; what it may see is then scoped by the service to the actor's own
  rows (a row that is not the caller's is "not found", so nothing reveals that it exists);
- ``RequireRole(role, ...)``: one of the roles (aliases below: ``AgencyActor``, ``BidderActor``, ...);
- an ownership rule on a loaded object: a dependency of the domain, marked with ``@permission`` (see
  ``server/tenders/router.py``: ``TenderOwner``);
- ``ActorLater`` / ``RequireRoleLater(role, ...)``: the same checks, made when the handler calls the
  returned ``ActorCheck`` — for the upload routes, which authenticate inside a lane (server/lanes.py) so that
  a deadline rush never holds database connections outside it.

Authentication (``current_actor`` in server/deps.py) reads in a short read-only unit of its own, closed
before the handler runs (or the body streams in): it never holds the request's transaction (on SQLite, the
write lock) open.
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from server.auth.models import Role
from server.auth.service import Actor
from server.deps import CurrentActor, actor_in_unit, current_actor
from server.problems import Problem

__all__ = [
    "ActorCheck",
    "ActorLater",
    "AgencyActor",
    "AuditReader",
    "BidderActor",
    "BidderLater",
    "CurrentActor",
    "OpeningReader",
    "Public",
    "RequireRole",
    "RequireRoleLater",
    "current_actor",
    "is_permission",
    "permission",
    "permission_of",
]

F = TypeVar("F", bound=Callable[..., Any])

_RULES: dict[Callable[..., Any], str] = {}


def permission(rule: str) -> Callable[[F], F]:
    """Mark a dependency as a permission rule (described by ``rule``, e.g. "role agency")."""

    def mark(dependency: F) -> F:
        _RULES[dependency] = rule
        return dependency

    return mark


def is_permission(dependency: object) -> bool:
    return dependency in _RULES


def permission_of(dependency: object) -> str | None:
    """The rule a dependency enforces, or None when it is not a permission."""
    return _RULES.get(dependency)  # type: ignore[call-overload]


# Authentication itself is a request dependency (server/deps.py); being logged in is the weakest rule.
permission("authenticated")(current_actor)


def _check_roles(actor: Actor, roles: tuple[str, ...], doing: str) -> Actor:
    if not actor.has(*roles):
        raise Problem(403, "auth.forbidden", "Not allowed",
                      f"{doing} needs the role {' or '.join(roles)}; you have "
                      f"{', '.join(sorted(actor.roles)) or 'no role'}")
    return actor


@functools.cache
def RequireRole(*roles: str, doing: str = "this") -> Callable[[Request], Actor]:
    """A dependency that lets through only actors holding one of ``roles`` (else 403 auth.forbidden)."""

    @permission(f"role {' or '.join(roles)}")
    def require_role(request: Request) -> Actor:
        return _check_roles(current_actor(request), roles, doing)

    return require_role


class ActorCheck:
    """Authenticates the caller and checks the rule when called: for handlers that must do both at a
    moment of their choosing (inside a lane, in a worker thread)."""

    def __init__(self, request: Request, roles: tuple[str, ...], doing: str) -> None:
        self._request = request
        self._roles = roles
        self._doing = doing

    def __call__(self, db: Session | None = None) -> Actor:
        """``db``: a read-only unit to authenticate in (see ``current_actor``)."""
        actor = actor_in_unit(self._request, db)
        return _check_roles(actor, self._roles, self._doing) if self._roles else actor


# Dependencies that do no blocking work are coroutines: a plain ``def`` one would cost a worker-thread hop
# (server/deps.py).
@permission("authenticated (checked by the handler)")
async def _actor_later(request: Request) -> ActorCheck:
    return ActorCheck(request, (), "")


@functools.cache
def RequireRoleLater(*roles: str, doing: str = "this") -> Callable[[Request], Awaitable[ActorCheck]]:
    """Like RequireRole, checked when the handler calls the ``ActorCheck`` it is given."""

    @permission(f"role {' or '.join(roles)} (checked by the handler)")
    async def require_role_later(request: Request) -> ActorCheck:
        return ActorCheck(request, roles, doing)

    return require_role_later


@permission("public")
async def _public() -> None:
    """No login: the route serves what anyone may see."""


Public = Depends(_public)
ActorLater = Annotated[ActorCheck, Depends(_actor_later)]
AgencyActor = Annotated[Actor, Depends(RequireRole(Role.AGENCY.value))]
BidderActor = Annotated[Actor, Depends(RequireRole(Role.BIDDER.value, doing="submitting or withdrawing a bid"))]
BidderLater = Annotated[ActorCheck, Depends(RequireRoleLater(Role.BIDDER.value,
                                                             doing="submitting or withdrawing a bid"))]
OpeningReader = Annotated[Actor, Depends(RequireRole(Role.OPENING_STAFF.value, Role.SUPERVISOR.value,
                                                     doing="listing a tender's bids"))]
AuditReader = Annotated[Actor, Depends(RequireRole(Role.SUPERVISOR.value, Role.ADMIN.value,
                                                   doing="reading the audit trail"))]
