"""Database: SQLAlchemy 2 engine and sessions. SQLite (WAL) embedded, PostgreSQL by URL.

One unit of work per request: services add and flush, the request dependency commits once.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import DateTime, Engine, MetaData, create_engine, event
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on every backend (SQLite stores naive values)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def make_engine(url: str, *, lock_timeout: float = 30.0) -> Engine:
    """The engine for ``url``. ``lock_timeout``: seconds a transaction may wait for a lock held by others
    before it fails (mapped to 503 server.busy, which clients retry)."""
    if url.startswith("sqlite"):
        # SQLite connections are cheap: enough for every worker thread, so none waits for a connection
        # while it could be waiting for (or holding) the write lock instead.
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": lock_timeout},
                               pool_size=16, max_overflow=256, pool_timeout=60)

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
            # Let SQLAlchemy, not the driver, issue BEGIN, so that we can make it IMMEDIATE.
            dbapi_connection.isolation_level = None
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute(f"PRAGMA busy_timeout={int(lock_timeout * 1000)}")
            cursor.close()

        writer = threading.Lock()

        @event.listens_for(engine, "begin")
        def _sqlite_begin(conn: Any) -> None:
            # Writers serialise at BEGIN instead of failing at the first write (the audit chain needs it);
            # units that only read (READ_ONLY) begin deferred and never wait for writers (WAL).
            if conn.get_execution_options().get(READ_ONLY):
                conn.exec_driver_sql("BEGIN")
                return
            # Within this process writers queue on a lock, not on SQLite's busy handler: that one polls
            # with sleeps of up to 100 ms, so under load the write lock sits idle between writers while
            # hundreds of threads retry. The lock is held until the connection goes back to the pool
            # (after COMMIT or ROLLBACK); other processes still meet SQLite's own lock.
            if not conn.info.get(_HOLDS_WRITER):
                if not writer.acquire(timeout=lock_timeout):
                    raise OperationalError("BEGIN IMMEDIATE", {}, ServerBusy("database is locked"))
                conn.info[_HOLDS_WRITER] = True
            try:
                conn.exec_driver_sql("BEGIN IMMEDIATE")
            except BaseException:
                conn.info.pop(_HOLDS_WRITER, None)
                writer.release()
                raise

        @event.listens_for(engine, "checkin")
        def _sqlite_checkin(_dbapi_connection: Any, record: Any) -> None:
            if record is not None and record.info.pop(_HOLDS_WRITER, False):
                writer.release()

        return engine
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    return create_engine(url, pool_size=10, max_overflow=40, pool_timeout=60, pool_pre_ping=True,
                         connect_args={"options": f"-c lock_timeout={int(lock_timeout * 1000)}"})


READ_ONLY = "bidclient_read_only"
_HOLDS_WRITER = "bidclient_holds_writer_lock"


class ServerBusy(Exception):
    """The database stayed locked by other writers for too long; the request was not applied."""


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(bind=engine, expire_on_commit=False)


def make_read_session_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions for units that only read: on SQLite they take no write lock."""
    return sessionmaker(bind=engine.execution_options(**{READ_ONLY: True}), expire_on_commit=False)


def session_scope(factory: sessionmaker[Session]) -> Iterator[Session]:
    """A request's unit of work: commit if the handler returned, roll back if it raised."""
    session = factory()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
