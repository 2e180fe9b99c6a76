"""Creating and upgrading the database schema."""

from __future__ import annotations

import importlib

from sqlalchemy import Engine

from server.db import Base

MODEL_MODULES = ("server.auth.models", "server.audit.models", "server.tenders.models",
                 "server.submissions.models")


def import_models() -> type[Base]:
    for name in MODEL_MODULES:
        try:
            importlib.import_module(name)
        except ModuleNotFoundError as ex:
            if ex.name is None or not name.startswith(ex.name):
                raise
    return Base


def create_schema(engine: Engine) -> None:
    import_models().metadata.create_all(engine)
