"""Two server instances on one PostgreSQL behave as one: a session opened through one works through the
other, and audit entries appended through both at once form one unbroken chain; behind a real nginx load
balancer, one bid's chunks land on both, and when one instance is killed mid-upload the upload finishes
through the other (docs/deploy-cluster.md)."""

from __future__ import annotations

import hashlib
import json
import shutil
import signal
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from sqlalchemy import select

from bidclient.api_client import ApiClient
from bidclient.audit_verify import verify_export
from bidclient.protocol.audit import GENESIS_HASH, entry_hash
from bidclient.submit import Uploader
from tests.server.conftest import _database_url, start_server
from tests.server.pgcluster import free_port
from tests.server.startup import wait_until_healthy
from tests.server.submission_helpers import login, make_tender, sealed_bid


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


CHUNK_ROUTE = "/api/v1/uploads/{upload_id}/chunks/{offset}"
NGINX_CONFIG = """
worker_processes 1;
master_process off;  # one process, as the user running the test: no privileges needed
daemon off;
pid {tmp}/nginx.pid;
error_log {tmp}/error.log warn;
events {{ worker_connections 256; }}
http {{
    access_log {tmp}/access.log;
    client_body_temp_path {tmp}/client_body;
    proxy_temp_path {tmp}/proxy;
    fastcgi_temp_path {tmp}/fastcgi;
    uwsgi_temp_path {tmp}/uwsgi;
    scgi_temp_path {tmp}/scgi;
    upstream bidclient {{
        server 127.0.0.1:{first} max_fails=1 fail_timeout=30s;
        server 127.0.0.1:{second} max_fails=1 fail_timeout=30s;
        keepalive 16;
    }}
    server {{
        listen 127.0.0.1:{port};
        client_max_body_size 20m;
        location / {{
            proxy_pass http://bidclient;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host $host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_set_header X-Forwarded-Proto $scheme;
            proxy_set_header X-Request-ID $request_id;
            proxy_request_buffering off;
            proxy_next_upstream error timeout http_502;
            proxy_read_timeout 120s;
        }}
    }}
}}
"""


def _wait_healthy(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    wait_until_healthy(url, timeout=90, what=url,
                       still_starting=lambda: None if process.poll() is None else log.read_text()[-2000:])


def _chunk_lines(log: Path) -> list[dict[str, object]]:
    lines = []
    for text in log.read_text().splitlines():
        if text.startswith("{"):
            line = json.loads(text)
            if line.get("logger") == "server.access" and line.get("route") == CHUNK_ROUTE:
                lines.append(line)
    return lines


@pytest.mark.parametrize("backend", ["postgresql"])
def test_behind_nginx_chunks_land_on_both_and_an_upload_survives_a_killed_instance(
        server_data: Path, pki, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    nginx_binary = shutil.which("nginx") or shutil.which("/usr/sbin/nginx")
    assert nginx_binary, "nginx is missing: scripts/bootstrap.sh installs nginx-light"
    tender_id = make_tender(server_data)
    ports = [free_port(), free_port()]
    logs = [tmp_path / "first.log", tmp_path / "second.log"]
    instances: list[subprocess.Popen[bytes]] = []
    nginx = None
    try:
        for port, log in zip(ports, logs, strict=True):
            with open(log, "wb") as out:  # the child keeps its own descriptor
                instances.append(subprocess.Popen(
                    [sys.executable, "-m", "server.cli", "run", "--data", str(server_data), "--port", str(port),
                     "--workers", "1", "--log-level", "info"], stdout=out, stderr=subprocess.STDOUT,
                    cwd=Path(__file__).resolve().parents[2]))
        for port, process, log in zip(ports, instances, logs, strict=True):
            _wait_healthy(f"http://127.0.0.1:{port}", process, log)
        lb = tmp_path / "nginx"
        lb.mkdir()
        lb_port = free_port()
        (lb / "nginx.conf").write_text(NGINX_CONFIG.format(tmp=lb, first=ports[0], second=ports[1], port=lb_port))
        nginx = subprocess.Popen([nginx_binary, "-p", str(lb), "-c", str(lb / "nginx.conf"),
                                  "-e", str(lb / "error.log")], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        url = f"http://127.0.0.1:{lb_port}"
        _wait_healthy(url, nginx, lb / "error.log")

        bidder = login(url, pki, "ent-a")
        bid = sealed_bid(tmp_path / "a.bid", pki, 3_000_000)
        killed = threading.Event()

        def kill_first_midway(held: int, total: int) -> None:
            if held >= total // 3 and not killed.is_set():
                killed.set()
                instances[0].send_signal(signal.SIGKILL)  # no goodbye: a crashed machine

        # The client as bidders run it: a 502 from the balancer (a chunk cut off by the kill) is sent again.
        client = ApiClient(url, token=bidder.client.token)
        out = Uploader(client, chunk_size=64 << 10, progress=kill_first_midway).submit(
            bid, tender_id=tender_id, tender_version=1, bidder=bidder.identity, sign=bidder.sign)
        assert killed.is_set() and instances[0].wait(timeout=10) == -signal.SIGKILL
        mine = ApiClient(url, token=bidder.client.token).get_json(f"/api/v1/submissions?tender_id={tender_id}")
    finally:
        if nginx is not None:
            nginx.terminate()
            nginx.wait(timeout=10)
        for process in instances:
            if process.poll() is None:
                process.terminate()
                process.wait(timeout=20)
    assert [s["id"] for s in mine] == [out.id] and mine[0]["envelope_sha256"] == out.envelope_sha256
    first, second = _chunk_lines(logs[0]), _chunk_lines(logs[1])
    assert any(line["status"] == 200 for line in first), "no chunk was stored by the first instance"
    assert any(line["status"] == 200 for line in second), "no chunk was stored by the second instance"
    # Each line names the instance that served it (host:pid): two processes, not one.
    assert {line["instance"] for line in first}.isdisjoint({line["instance"] for line in second})
    assert hashlib.sha256(bid.read_bytes()).hexdigest() == out.envelope_sha256


@pytest.mark.parametrize("backend", ["postgresql"])
def test_two_instances_record_a_passed_deadline_once(server_data: Path) -> None:
    from datetime import timedelta

    from server.audit.models import AuditEntry
    from tests.server.submission_helpers import db_session
    from tests.server.test_health import configure

    configure(server_data, deadline_watch_poll=0.05)  # both instances poll many times after the deadline
    database_url = json.loads((server_data / "server.json").read_text())["database_url"]
    tender_ids = [make_tender(server_data, deadline_in=timedelta(seconds=2)) for _ in range(3)]
    first = start_server(server_data, database_url)
    second = start_server(server_data, database_url)
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            with db_session(server_data) as db:
                recorded = list(db.execute(select(AuditEntry.object_id).where(
                    AuditEntry.action == "tender.deadline_passed")).scalars())
            if len(set(recorded)) == len(tender_ids):
                break
            time.sleep(0.1)
        time.sleep(1)  # ~20 more polls of each instance
        with db_session(server_data) as db:
            recorded = list(db.execute(select(AuditEntry.object_id).where(
                AuditEntry.action == "tender.deadline_passed")).scalars())
    finally:
        first.stop()
        second.stop()
    assert sorted(recorded) == sorted(tender_ids)
