"""The OpenAPI document: every error response is RFC 9457 problem+json, and says so.

FastAPI documents validation errors as its own application/json shape, while server.problems answers
them as problem+json; left alone, the document would lie to every generated client (and schemathesis
says so). Here every operation gets a ``default`` problem response and its 422 is corrected.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from pydantic import BaseModel, Field

from server.problems import PROBLEM_MEDIA_TYPE


class ProblemDetails(BaseModel):
    """RFC 9457 problem details with the stable ``code`` the client translates."""

    type: str = Field(description="urn:bidclient:problem:<code>")
    title: str
    status: int
    code: str = Field(description="stable, dotted, lowercase; see docs/api.md")
    detail: str | None = None
    instance: str | None = None

    model_config = {"extra": "allow"}


_PROBLEM_REF = {"$ref": "#/components/schemas/ProblemDetails"}
_METHODS = ("get", "put", "post", "delete", "patch", "head", "options")


def _problem_response(description: str) -> dict[str, Any]:
    return {"description": description, "content": {PROBLEM_MEDIA_TYPE: {"schema": _PROBLEM_REF}}}


def install_openapi(app: FastAPI) -> None:
    def openapi() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        schema = get_openapi(title=app.title, version=app.version, description=app.description,
                             routes=app.routes, tags=app.openapi_tags)
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        components["ProblemDetails"] = ProblemDetails.model_json_schema(ref_template="#/components/schemas/{model}")
        for name in ("HTTPValidationError", "ValidationError"):
            components.pop(name, None)
        for path_item in schema.get("paths", {}).values():
            for method in _METHODS:
                operation = path_item.get(method)
                if operation is None:
                    continue
                responses = operation.setdefault("responses", {})
                if "422" in responses:
                    responses["422"] = _problem_response("the request is not valid (code request.invalid)")
                for status, response in responses.items():
                    # Error responses a router declared with a description only: give them the problem shape.
                    if status[0] in "45" and "content" not in response:
                        response["content"] = {PROBLEM_MEDIA_TYPE: {"schema": _PROBLEM_REF}}
                responses.setdefault("default", _problem_response(
                    "an error: RFC 9457 problem details with a stable code (docs/api.md)"))
        app.openapi_schema = schema
        return schema

    app.openapi = openapi  # type: ignore[method-assign]
