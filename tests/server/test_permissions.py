"""Every route declares who may call it (server/auth/permissions.py): a route without a permission
dependency cannot land, and the routes open to anyone are exactly the ones named here."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import APIRouter, FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute, iter_route_contexts
from starlette.routing import Route

from server.auth import permissions
from server.cli import main as server_main
from tests.server.startup import make_app

# Open to anyone: health, the login itself, the published tenders and what a client needs to judge
# signatures (trust list, server certificates, the timestamp authority). Adding a route here is a decision
# a reviewer must see.
PUBLIC = {
    ("GET", "/api/v1/health"),
    ("POST", "/api/v1/auth/challenge"),
    ("POST", "/api/v1/auth/login"),
    ("GET", "/api/v1/trust-list"),
    ("GET", "/api/v1/tenders"),
    ("GET", "/api/v1/tenders/{tender_id}"),
    ("GET", "/api/v1/tenders/{tender_id}/versions/{version}"),
    ("GET", "/api/v1/tenders/{tender_id}/versions/{version}/documents/{sha256}"),
    ("GET", "/api/v1/server/certificates"),
    ("POST", "/api/v1/tsa"),
}
# Served by FastAPI itself, not by a router of ours: the API description.
FRAMEWORK = {"/openapi.json", "/docs", "/docs/oauth2-redirect", "/redoc"}


def rules(dependant: Dependant) -> Iterator[str]:
    """The permission rules among a route's dependencies, however deeply nested."""
    for dependency in dependant.dependencies:
        rule = permissions.permission_of(dependency.call)
        if rule is not None:
            yield rule
        yield from rules(dependency)


def route_rules(app: FastAPI) -> dict[tuple[str, str], list[str]]:
    """(method, path) -> its permission rules, for every route of the app as served (routers included with
    their prefixes and dependencies); a route that is not one of ours (a plain Starlette route, a mount)
    maps to ["not an API route"] unless it is FastAPI's own."""
    found: dict[tuple[str, str], list[str]] = {}
    for context in iter_route_contexts(app.routes):
        route, path = context.original_route, str(context.path)
        dependant = getattr(context, "dependant", None)
        if isinstance(route, APIRoute) and dependant is not None:
            for method in sorted(context.methods or ()):
                found[(method, path)] = sorted(set(rules(dependant)))
        elif not (isinstance(route, Route) and path in FRAMEWORK):
            found[("*", path)] = ["not an API route"]
    return found


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> FastAPI:
    data = tmp_path_factory.mktemp("permissions") / "server"
    assert server_main(["init", "--data", str(data)]) == 0
    return make_app(data)


def test_every_route_declares_a_permission(app: FastAPI) -> None:
    found = route_rules(app)
    assert len(found) > len(PUBLIC)
    missing = sorted(key for key, names in found.items() if not names)
    assert not missing, ("these routes declare no permission; add one from server/auth/permissions.py "
                         f"(see docs/architecture.md, 'How to add a server domain'): {missing}")
    strays = sorted(key for key, names in found.items() if names == ["not an API route"])
    assert not strays, f"routes outside FastAPI's routing, which this test cannot check: {strays}"


def test_only_the_named_routes_are_public(app: FastAPI) -> None:
    public = {key for key, names in route_rules(app).items() if "public" in names}
    assert public == PUBLIC
    mixed = {key: names for key, names in route_rules(app).items() if "public" in names and len(names) > 1}
    assert not mixed, f"a route is both public and restricted: {mixed}"


def test_sensitive_routes_name_their_roles(app: FastAPI) -> None:
    found = route_rules(app)
    assert found[("POST", "/api/v1/tenders")] == ["role agency"]
    assert "the agency that published the tender" in found[("POST", "/api/v1/tenders/{tender_id}/versions")]
    assert found[("GET", "/api/v1/tenders/{tender_id}/submissions")] == ["role opening_staff or supervisor"]
    assert found[("POST", "/api/v1/uploads")] == ["role bidder (checked by the handler)"]
    assert found[("POST", "/api/v1/submissions/{submission_id}/withdraw")] == ["role bidder"]
    for path in ("/api/v1/audit", "/api/v1/audit/checkpoints", "/api/v1/audit/export"):
        assert found[("GET", path)] == ["role supervisor or admin"]
    # The expert pool: names only for the administrator and the supervisor; an expert only their own.
    for method, path in (("POST", "/api/v1/experts/import"), ("GET", "/api/v1/experts/export"),
                         ("POST", "/api/v1/experts/{expert_id}/status"),
                         ("PUT", "/api/v1/experts/specialties/{code}")):
        assert found[(method, path)] == ["role admin"]
    assert found[("GET", "/api/v1/experts")] == ["role admin or supervisor"]
    assert found[("GET", "/api/v1/experts/{expert_id}")] == ["role admin or supervisor"]
    assert found[("GET", "/api/v1/experts/me")] == ["role expert"]
    assert found[("POST", "/api/v1/experts/invitations/{invitation_id}/decline")] == ["role expert"]
    assert found[("POST", "/api/v1/experts/draws")] == ["role agency"]


def test_the_walk_finds_a_route_without_permission() -> None:
    router = APIRouter()

    @router.get("/open")
    def forgot() -> dict[str, str]:
        return {}

    @router.get("/mine")
    def nested(actor: permissions.CurrentActor) -> dict[str, str]:
        return {}

    app = FastAPI()
    app.include_router(router)
    found = route_rules(app)
    assert found[("GET", "/open")] == []
    assert found[("GET", "/mine")] == ["authenticated"]


def test_permissions_module_is_where_the_rules_live() -> None:
    assert Path(permissions.__file__).name == "permissions.py"
    assert permissions.RequireRole("agency") is permissions.RequireRole("agency")  # one dependency per rule
