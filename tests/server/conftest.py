"""Server fixtures: a real server over HTTP on loopback, on SQLite and on a real PostgreSQL."""

from __future__ import annotations

import os
import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import uvicorn

from server.cli import main as server_main
from tests.server.pgcluster import Cluster, free_port
from tests.server.startup import make_app, wait_until_healthy

BACKENDS = ["sqlite", "postgresql"]


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[Cluster | str]:
    given = os.environ.get("BIDCLIENT_TEST_POSTGRES_URL")
    if given:
        yield given
        return
    cluster = Cluster().start()
    try:
        yield cluster
    finally:
        cluster.stop()


@dataclass
class RunningServer:
    url: str
    data: Path
    database_url: str
    _server: uvicorn.Server
    _thread: threading.Thread

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=10)

    def admin(self, *args: str) -> int:
        return server_main(["admin", args[0], "--data", str(self.data), *args[1:]])


def _database_url(backend: str, pg_cluster: Cluster | str) -> str:
    if backend == "sqlite":
        return ""
    name = "t_" + uuid.uuid4().hex[:12]
    if isinstance(pg_cluster, str):
        import psycopg

        with psycopg.connect(pg_cluster, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return pg_cluster.rsplit("/", 1)[0] + "/" + name
    return pg_cluster.create_database(name)


def start_server(data: Path, database_url: str = "") -> RunningServer:
    """Serve an initialised data directory on a free loopback port, in this process."""
    app = make_app(data, database_url)
    port = free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True, name=f"server-{port}")
    thread.start()
    url = f"http://127.0.0.1:{port}"
    wait_until_healthy(url, timeout=90)  # generous: a loaded CI machine starts slowly
    return RunningServer(url, data, database_url, server, thread)


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def server_data(tmp_path: Path, backend: str, pg_cluster: Cluster | str, pki) -> Path:  # type: ignore[no-untyped-def]
    """An initialised server data directory trusting the dev PKI's CAs (+ CRLs)."""
    data = tmp_path / "server"
    database_url = _database_url(backend, pg_cluster)
    args = ["init", "--data", str(data)]
    if database_url:
        args += ["--database-url", database_url]
    assert server_main(args) == 0
    trust_files = [str(p) for p in sorted(Path(pki.trust_dir).glob("*.pem"))]
    crl_files = [str(p) for p in sorted(Path(pki.crl_dir).glob("*"))]
    assert server_main(["admin", "trust-add", "--data", str(data), *trust_files, *crl_files]) == 0
    return data


@pytest.fixture
def live_server(server_data: Path) -> Iterator[RunningServer]:
    import json

    database_url = json.loads((server_data / "server.json").read_text())["database_url"]
    running = start_server(server_data, database_url)
    try:
        yield running
    finally:
        running.stop()
