"""The Alembic migrations build exactly the schema the models describe, on SQLite and PostgreSQL."""

from __future__ import annotations

import uuid

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from server.db import make_engine
from server.schema import create_schema, import_models


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_migrations_match_models(backend: str, tmp_path, pg_cluster) -> None:  # type: ignore[no-untyped-def]
    if backend == "sqlite":
        url = f"sqlite:///{tmp_path / 'm.sqlite3'}"
    elif isinstance(pg_cluster, str):
        pytest.fail("use the throwaway cluster for this test")
    else:
        url = pg_cluster.create_database("m_" + uuid.uuid4().hex[:10])
    engine = make_engine(url)
    try:
        create_schema(engine)
        create_schema(engine)  # a second run is a no-op, not an error
        with engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            diff = compare_metadata(context, import_models().metadata)
            tables = set(inspect(conn).get_table_names())
        assert diff == [], f"models and migrations differ: {diff}"
        assert {"account", "tender", "submission", "audit_entry", "alembic_version"} <= tables
    finally:
        engine.dispose()
