"""Creating and upgrading the database schema with Alembic (server/migrations)."""

from __future__ import annotations

import importlib
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine

from server.db import Base

MODEL_MODULES = ("server.auth.models", "server.audit.models", "server.tenders.models",
                 "server.submissions.models", "server.live.models", "server.ratelimit_models",
                 "server.committee.models", "server.opening.models", "server.experts.models",
                 "server.evaluation.models", "server.evaluation.handover_models")
MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def import_models() -> type[Base]:
    for name in MODEL_MODULES:
        try:
            importlib.import_module(name)
        except ModuleNotFoundError as ex:
            if ex.name is None or not name.startswith(ex.name):
                raise
    return Base


def alembic_config(engine: Engine | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    if engine is not None:
        # Alembic's options go through ConfigParser interpolation, where '%' starts a reference: a URL
        # with a socket folder (host=%2Fpath) or a percent-encoded password must have every '%' doubled.
        config.set_main_option("sqlalchemy.url",
                               engine.url.render_as_string(hide_password=False).replace("%", "%%"))
    return config


def create_schema(engine: Engine) -> None:
    """Bring the database to the latest migration (a new database gets every table)."""
    if not any((MIGRATIONS / "versions").glob("*.py")):
        import_models().metadata.create_all(engine)  # before the first migration exists
        return
    config = alembic_config(engine)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
