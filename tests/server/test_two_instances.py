"""Two server instances on one PostgreSQL behave as one: a session opened through one works through the
other, and audit entries appended through both at once form one unbroken chain."""

from __future__ import annotations

import json
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from sqlalchemy import select

from bidclient.api_client import ApiClient
from bidclient.audit_verify import verify_export
from bidclient.protocol.audit import GENESIS_HASH, entry_hash
from tests.server.conftest import _database_url, start_server
from tests.server.submission_helpers import login


@pytest.mark.parametrize("backend", ["postgresql"])
def test_two_instances_share_sessions_and_one_audit_chain(server_data: Path, pki, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    # Both instances race to make checkpoints too, every few entries.
    monkeypatch.setenv("BIDCLIENT_AUDIT_CHECKPOINT_POLL", "0.1")
    monkeypatch.setenv("BIDCLIENT_AUDIT_CHECKPOINT_ENTRIES", "3")
    database_url = json.loads((server_data / "server.json").read_text())["database_url"]
    assert database_url.startswith("postgresql")
    first = start_server(server_data, database_url)
    second = start_server(server_data, database_url)
    try:
        ent = login(first.url, pki, "ent-a")
        through_second = ApiClient(second.url, token=ent.client.token)
        assert through_second.get_json("/api/v1/auth/me")["identity_key"] == ent.identity

        supervisor_id = login(second.url, pki, "expert-1").identity
        assert first.admin("grant", "--identity", supervisor_id, "--role", "supervisor") == 0
        parties = ["ent-a", "ent-b", "ent-a-ec", "opener-1"] * 4
        urls = [first.url, second.url]
        # First logins create accounts; the burst below is about the audit chain, so each identity has
        # logged in once already (concurrent FIRST logins of one identity are a separate matter).
        for party in sorted(set(parties)):
            login(first.url, pki, party)
        with ThreadPoolExecutor(max_workers=8) as pool:
            done = list(pool.map(lambda i: login(urls[i % 2], pki, parties[i]).identity, range(len(parties))))
        assert len(done) == len(parties)

        supervisor = login(first.url, pki, "expert-1")
        export = ApiClient(second.url, token=supervisor.client.token).request("GET", "/api/v1/audit/export").content
        report = verify_export(export, known_heads=())
        entries = [json.loads(line) for line in export.splitlines() if b'"record":"entry"' in line]
        assert [e["seq"] for e in entries] == list(range(1, len(entries) + 1))
        assert sum(1 for e in entries if e["action"] == "auth.login") == len(parties) + 4 + 3
        assert report.checkpoints, "neither instance made a checkpoint"
    finally:
        first.stop()
        second.stop()


@pytest.mark.parametrize("backend", ["postgresql"])
def test_concurrent_first_appends_do_not_fork_the_chain(backend: str, pg_cluster) -> None:  # type: ignore[no-untyped-def]
    """The head row does not exist yet: writers in two connections create it at once."""
    from server.audit import chain
    from server.audit.models import AuditEntry
    from server.db import make_engine, make_session_factory
    from server.schema import create_schema

    engine = make_engine(_database_url(backend, pg_cluster))
    create_schema(engine)
    factory = make_session_factory(engine)
    barrier = threading.Barrier(4)

    def writer(n: int) -> None:
        barrier.wait()
        for i in range(10):
            with factory() as db:
                chain.append(db, actor=chain.SYSTEM, action="test.append", object_type="writer",
                             object_id=f"{n}-{i}")
                db.commit()

    try:
        with ThreadPoolExecutor(max_workers=4) as pool:
            list(pool.map(writer, range(4)))
        with factory() as db:
            rows = db.execute(select(AuditEntry).order_by(AuditEntry.seq)).scalars().all()
            fields = [(chain.entry_fields(r), r.entry_hash) for r in rows]
    finally:
        engine.dispose()
    assert [f["seq"] for f, _ in fields] == list(range(1, 41))
    prev = GENESIS_HASH
    for f, digest in fields:
        assert f["prev_hash"] == prev and entry_hash(f) == digest
        prev = digest
