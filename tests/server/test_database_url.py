"""Database URLs (issue 16 §2): `init`, `run` and every `admin` command work with a PostgreSQL socket-folder URL
and with a password holding `@ / % :` — given as an option, in a file, or in the environment — against the
throwaway cluster, logging in with that password for real; and no output, error or log line shows it."""

from __future__ import annotations

import json
import os
import signal
import stat
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import psycopg
import pytest
import requests

from server.cli import main as server_main
from server.settings import DATABASE_URL_ENV, DATABASE_URL_FILE_ENV
from tests.server.pgcluster import Cluster, free_port
from tests.server.startup import wait_until_healthy

ROLE = "bid_owner"
PASSWORD = "p@ss/w%rd:x"
WRONG = "wr@ng/p%ss:y"


def _forms(password: str) -> list[str]:
    """Every way the password could be printed: as is, percent-encoded (both ways), with '%' doubled."""
    encoded = quote(password, safe="")
    return [password, encoded, quote(password), encoded.replace("%", "%%"), password.replace("%", "%%")]


def assert_no_password(text: str) -> None:
    for secret in _forms(PASSWORD) + _forms(WRONG):
        assert secret not in text, f"the password ({secret!r}) appears in: {text}"


@dataclass
class PasswordRole:
    cluster: Cluster

    def database(self) -> str:
        name = "u_" + uuid.uuid4().hex[:12]
        with psycopg.connect(self.cluster.url, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}" OWNER {ROLE}')
        return name

    def tcp_url(self, database: str, password: str = PASSWORD) -> str:
        return f"postgresql://{ROLE}:{quote(password, safe='')}@127.0.0.1:{self.cluster.port}/{database}"

    def socket_url(self, database: str, password: str = PASSWORD) -> str:
        folder = quote(str(self.cluster.sockets), safe="")
        return f"postgresql://{ROLE}:{quote(password, safe='')}@/{database}?host={folder}&port={self.cluster.port}"


@pytest.fixture(scope="module")
def password_role(pg_cluster: Cluster | str) -> PasswordRole:
    """A login role whose password the cluster really checks (scram-sha-256 for it, over TCP and the socket;
    the other tests' role keeps trust)."""
    if not isinstance(pg_cluster, Cluster):
        pytest.skip("needs the throwaway cluster (its socket folder and pg_hba.conf), not BIDCLIENT_TEST_POSTGRES_URL")
    with psycopg.connect(pg_cluster.url, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (ROLE,)).fetchone()
        if not exists:
            conn.execute(f"CREATE ROLE {ROLE} LOGIN PASSWORD '{PASSWORD}'")
        hba = pg_cluster.data / "pg_hba.conf"
        rules = f"local all {ROLE} scram-sha-256\nhost all {ROLE} 127.0.0.1/32 scram-sha-256\n"
        text = hba.read_text()
        if rules not in text:
            hba.write_text(rules + text)
        conn.execute("SELECT pg_reload_conf()")
    role = PasswordRole(pg_cluster)
    database = role.database()
    time.sleep(0.2)  # the postmaster re-reads pg_hba.conf on the signal
    with pytest.raises(psycopg.OperationalError, match="password authentication failed"):
        psycopg.connect(role.tcp_url(database, WRONG)).close()
    psycopg.connect(role.tcp_url(database)).close()
    return role


def _cli(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    status = server_main(args)
    captured = capsys.readouterr()
    return status, captured.out + captured.err


@dataclass
class Given:
    """How the URL reaches the command: options to add, and the environment to set."""

    options: list[str]
    env: dict[str, str]


def _given(how: str, url: str, folder: Path) -> Given:
    if how == "option":
        return Given(["--database-url", url], {})
    url_file = folder / "database-url"
    fd = os.open(url_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(url + "\n")
    if how == "file":
        return Given(["--database-url-file", str(url_file)], {})
    if how == "env":
        return Given([], {DATABASE_URL_ENV: url})
    return Given([], {DATABASE_URL_FILE_ENV: str(url_file)})  # "env-file"


class RunProcess:
    """`bidclient-server run` as a user starts it, its output kept (to look for the password in it)."""

    def __init__(self, data: Path, extra: list[str], env: dict[str, str], workers: int) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = data.parent / f"run-{self.port}.log"
        with open(self.log, "wb") as log:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "server.cli", "run", "--data", str(data), "--port", str(self.port),
                 "--workers", str(workers), "--log-level", "info", *extra],
                stdout=log, stderr=subprocess.STDOUT, start_new_session=True, env={**os.environ, **env})

    def wait_healthy(self, *, database_ok: bool = True) -> requests.Response:
        """Until the health endpoint answers: 200, or with ``database_ok=False`` the 503 of an instance
        that cannot reach its database (docs/operations.md)."""
        return wait_until_healthy(self.url, timeout=60, what="the server",
                                  still_starting=lambda: None if self.proc.poll() is None else self.output(),
                                  accept=lambda answer: not database_ok and answer.status_code == 503)

    def stop(self) -> str:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=10)
        return self.output()

    def output(self) -> str:
        return self.log.read_text(errors="replace")


@pytest.fixture
def run_processes() -> Iterator[list[RunProcess]]:
    started: list[RunProcess] = []
    yield started
    for process in started:
        process.stop()


@pytest.mark.parametrize(("how", "form"), [("option", "socket"), ("file", "socket"), ("env", "tcp"),
                                           ("env-file", "socket")])
def test_init_run_and_every_admin_command_log_in_with_the_password(
        password_role: PasswordRole, pki, tmp_path: Path, how: str, form: str,  # type: ignore[no-untyped-def]
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
        run_processes: list[RunProcess]) -> None:
    database = password_role.database()
    url = password_role.socket_url(database) if form == "socket" else password_role.tcp_url(database)
    given = _given(how, url, tmp_path)
    for name, value in given.env.items():
        monkeypatch.setenv(name, value)
    data = tmp_path / "server"
    with_data = ["--data", str(data), *given.options]

    status, output = _cli(["init", *with_data], capsys)
    assert status == 0, output
    assert "(postgresql)" in output
    config_text = (data / "server.json").read_text()
    assert stat.S_IMODE((data / "server.json").stat().st_mode) == 0o600
    if how != "option":  # the URL stays where it was given; server.json does not copy the password
        assert_no_password(config_text)
    if how == "file":
        assert json.loads(config_text)["database_url_file"] == str(tmp_path / "database-url")

    trust = [str(p) for p in sorted(Path(pki.trust_dir).glob("*.pem"))]
    status, output = _cli(["admin", "trust-add", *with_data, *trust], capsys)
    assert status == 0 and output.startswith("added "), output
    added = int(output.split()[1])
    status, listing = _cli(["admin", "trust-list", *with_data], capsys)
    assert status == 0 and len(listing.splitlines()) == added >= 2, listing
    first_entry = listing.split()[0]
    status, output = _cli(["admin", "trust-remove", *with_data, first_entry], capsys)
    assert status == 0 and first_entry in output, output
    agency = f"uscc:{pki.party('opener-1').uscc}"
    for command, said in (("grant", "granted"), ("revoke", "revoked")):
        status, output = _cli(["admin", command, *with_data, "--identity", agency, "--role", "agency"], capsys)
        assert status == 0 and output.startswith(said), output
    status, output = _cli(["admin", "audit-checkpoint", *with_data], capsys)
    assert status == 0 and "timestamped the audit chain" in output, output
    assert_no_password(output + listing)

    # Everything went into the role's database, through its password.
    with psycopg.connect(password_role.tcp_url(database)) as conn:
        assert conn.execute("SELECT count(*) FROM trust_entry").fetchone() == (added - 1,)
        assert conn.execute("SELECT count(*) FROM audit_entry WHERE action = 'auth.grant_role'").fetchone() == (1,)

    server = RunProcess(data, given.options, given.env, workers=2)
    run_processes.append(server)
    server.wait_healthy()
    answer = requests.get(server.url + "/api/v1/trust-list", timeout=30)  # reads the database in a worker
    assert answer.status_code == 200
    assert len(answer.json()["server_ca"]) > 0
    assert_no_password(server.stop())


@pytest.mark.parametrize("form", ["socket", "tcp"])
def test_a_wrong_password_is_reported_without_it_and_init_leaves_nothing(
        password_role: PasswordRole, tmp_path: Path, form: str,  # type: ignore[no-untyped-def]
        capsys: pytest.CaptureFixture[str], run_processes: list[RunProcess]) -> None:
    database = password_role.database()
    make = password_role.socket_url if form == "socket" else password_role.tcp_url
    wrong, right = make(database, WRONG), make(database)
    data = tmp_path / "server"

    status, output = _cli(["init", "--data", str(data), "--database-url", wrong], capsys)
    assert status == 1
    assert output.startswith("error [server.database_unavailable]: the database at postgresql://bid_owner:***@")
    assert "password authentication failed" in output, output
    assert_no_password(output)
    assert not data.exists()  # nothing half-made: init can simply be run again

    status, output = _cli(["init", "--data", str(data), "--database-url", right], capsys)
    assert status == 0, output
    for args in (["admin", "trust-list"], ["admin", "audit-checkpoint"],
                 ["admin", "grant", "--identity", "person:Li Lei", "--role", "expert"]):
        status, output = _cli([*args[:2], "--data", str(data), "--database-url", wrong, *args[2:]], capsys)
        assert status == 1 and "password authentication failed" in output, output
        assert output.startswith("error [server.database_unavailable]"), output
        assert_no_password(output)

    # run: the workers start (the database is reached lazily); the health endpoint says the database
    # fails (503, so a load balancer sends nothing here), the first request that needs it fails, and the
    # log says why — all without the password.
    server = RunProcess(data, ["--database-url", wrong], {}, workers=2)
    run_processes.append(server)
    health = server.wait_healthy(database_ok=False)
    assert health.json()["code"] == "server.unhealthy" and not health.json()["checks"]["database"]["ok"]
    assert "password authentication failed" in health.text, health.text
    assert_no_password(health.text)
    assert requests.get(server.url + "/api/v1/trust-list", timeout=30).status_code == 500
    log = server.stop()
    assert "password authentication failed" in log, log
    assert_no_password(log)


@pytest.mark.parametrize("url", [
    f"postgresql://{ROLE}:{PASSWORD}@127.0.0.1:1/db",  # not percent-encoded: '@' and '/' confuse the parser
    f"postgresql://{ROLE}:{quote(PASSWORD, safe='')}@127.0.0.1:notaport/db",
    f"postgresql+nodriver://{ROLE}:{quote(PASSWORD, safe='')}@127.0.0.1/db",
    f"{PASSWORD}",
])
def test_an_unusable_url_is_reported_without_its_password(tmp_path: Path, url: str,
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    data = tmp_path / "server"
    status, output = _cli(["init", "--data", str(data), "--database-url", url], capsys)
    assert status == 1 and output.startswith("error ["), output
    assert_no_password(output)
    assert not data.exists()


def test_a_database_url_file_that_cannot_be_used_is_a_clear_error(tmp_path: Path,
                                                                   capsys: pytest.CaptureFixture[str]) -> None:
    data = tmp_path / "server"
    empty = tmp_path / "empty"
    empty.write_text("\n")
    for path, said in ((tmp_path / "missing", "cannot be read"), (empty, "is empty")):
        status, output = _cli(["init", "--data", str(data), "--database-url-file", str(path)], capsys)
        assert status == 2, output
        assert output.startswith("error [server.database_url_unreadable]") and said in output, output
        assert not data.exists()
    status, output = _cli(["init", "--data", str(data), "--database-url", "postgresql://x@/y",
                           "--database-url-file", str(empty)], capsys)
    assert status == 2 and "not both" in output, output
