"""What an operator and an agency learn of the server's state: the health endpoint (database, storage,
free disk, the clock), the clock state given to the agency on publishing (API and CLI), and the audit
entry written when a deadline passes, with the clock state it was judged by.

The clock check is the operator's configured command (server.json ``clock_check_command``): here a
small script answering as ``ntpstat`` does (exit 0 synchronised, 1 not, 2 unknown)."""

from __future__ import annotations

import json
import shutil
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import requests
from sqlalchemy import select

from tests.server.conftest import RunningServer, start_server
from tests.server.submission_helpers import db_session, make_tender
from tests.server.test_tenders import AGENCY, draft, grant, make_pdf


@pytest.fixture
def backend() -> str:
    return "sqlite"


def configure(data: Path, **values: Any) -> None:
    path = data / "server.json"
    config = json.loads(path.read_text())
    config.update(values)
    path.write_text(json.dumps(config))


def clock_check(folder: Path, status: int, line: str) -> list[str]:
    folder.mkdir(exist_ok=True)
    script = folder / "ntpcheck"
    script.write_text(f"#!/bin/sh\necho '{line}'\nexit {status}\n")
    script.chmod(0o755)
    return [str(script)]


def health(server: RunningServer) -> requests.Response:
    return requests.get(server.url + "/api/v1/health", timeout=30)


@pytest.mark.parametrize(("status", "synchronised", "warning"), [
    (0, True, None), (1, False, "clock.unsynchronised"), (2, None, "clock.unknown")])
def test_health_uses_the_configured_clock_check(server_data: Path, tmp_path: Path, status: int,
                                                synchronised: bool | None, warning: str | None) -> None:
    configure(server_data, clock_check_command=clock_check(tmp_path / "bin", status, "offset 0.4 ms"))
    server = start_server(server_data)
    try:
        answer = health(server)
    finally:
        server.stop()
    body = answer.json()
    assert answer.status_code == 200 and body["status"] == "ok"
    assert body["clock"] == {"synchronised": synchronised, "source": "ntpcheck", "detail": "offset 0.4 ms"}
    assert body["checks"]["database"]["ok"] and body["checks"]["storage"]["ok"]
    assert [w for w in body["warnings"] if w.startswith("clock.")] == ([warning] if warning else [])


def test_a_missing_clock_check_is_unknown_not_a_crash(server_data: Path, tmp_path: Path) -> None:
    configure(server_data, clock_check_command=[str(tmp_path / "no-such-check")])
    server = start_server(server_data)
    try:
        body = health(server).json()
    finally:
        server.stop()
    assert body["clock"]["synchronised"] is None and "could not run" in body["clock"]["detail"]
    assert "clock.unknown" in body["warnings"]


def test_health_fails_without_storage_and_warns_of_too_little_disk(server_data: Path) -> None:
    configure(server_data, largest_expected_bid=1 << 60)  # more than any disk holds
    server = start_server(server_data)
    try:
        body = health(server).json()
        assert body["status"] == "ok" and "disk.low" in body["warnings"]
        assert body["checks"]["disk"]["needed_bytes"] == 2 << 60 and not body["checks"]["disk"]["ok"]
        # The shared storage goes away (an unmounted share): the load balancer must stop sending here.
        shutil.rmtree(server_data / "uploads")
        (server_data / "uploads").write_text("not a folder")
        answer = health(server)
    finally:
        server.stop()
    assert answer.status_code == 503 and answer.headers["content-type"] == "application/problem+json"
    problem = answer.json()
    assert problem["code"] == "server.unhealthy" and problem["detail"].startswith("storage: uploads")
    assert problem["checks"]["database"]["ok"] and not problem["checks"]["storage"]["ok"]


def test_config_of_the_wrong_type_is_refused_clearly(server_data: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from server.cli import main as server_main

    configure(server_data, clock_check_command="ntpstat")
    assert server_main(["run", "--data", str(server_data)]) == 2
    err = capsys.readouterr().err
    assert "server.config_invalid" in err and "clock_check_command" in err and "Traceback" not in err


def test_publishing_tells_the_agency_when_the_clock_is_not_synchronised(
        server_data: Path, pki: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    from bidclient.cli.main import main

    configure(server_data, clock_check_command=clock_check(tmp_path / "bin", 1, "unsynchronised, polling"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("BIDCLIENT_NO_KEYRING", "1")
    server = start_server(server_data)
    try:
        grant(server, pki, AGENCY)
        make_pdf(tmp_path / "doc.pdf", "tender document")
        (tmp_path / "def.json").write_text(json.dumps(draft(pki, "ZB-2026-0100")), encoding="utf-8")
        assert main(["tender", "publish", str(tmp_path / "def.json"), "--documents", str(tmp_path / "doc.pdf"),
                     "--key", pki.party(AGENCY).signing_uri, "--server", server.url]) == 0
    finally:
        server.stop()
    out, err = capsys.readouterr()
    assert "Published tender ZB-2026-0100 version 1" in out
    assert "warning: the server reports its clock is not synchronised (unsynchronised, polling)" in err


def test_the_deadline_passing_is_audited_once_with_the_clock_state(server_data: Path, tmp_path: Path) -> None:
    from server import clock
    from server.audit.chain import payload_digest
    from server.audit.models import AuditEntry
    from server.tenders.models import TenderVersion

    configure(server_data, deadline_watch_poll=0.2,
              clock_check_command=clock_check(tmp_path / "bin", 0, "synchronised to 10.0.0.1 at stratum 2"))
    tender_id = make_tender(server_data, deadline_in=timedelta(seconds=1))
    later = make_tender(server_data, deadline_in=timedelta(hours=1))
    server = start_server(server_data)
    try:
        entries: list[AuditEntry] = []
        for _ in range(100):
            with db_session(server_data) as db:
                entries = list(db.execute(select(AuditEntry).where(
                    AuditEntry.action == "tender.deadline_passed")).scalars())
            if entries:
                break
            time.sleep(0.1)
        time.sleep(1)  # several more polls: still one entry
        with db_session(server_data) as db:
            entries = list(db.execute(select(AuditEntry).where(
                AuditEntry.action == "tender.deadline_passed")).scalars())
            with_tender = [e.object_id for e in entries]
    finally:
        server.stop()
    assert with_tender == [tender_id] and later not in with_tender
    with db_session(server_data) as db:
        deadline = db.execute(select(TenderVersion.deadline)
                              .where(TenderVersion.tender_id == tender_id)).scalar_one()
    assert entries[0].time >= deadline
    expected = {"tender_id": tender_id, "bid_deadline": clock.isoformat(deadline),
                "clock": {"synchronised": True, "source": "ntpcheck",
                          "detail": "synchronised to 10.0.0.1 at stratum 2"}}
    assert entries[0].payload_sha256 == payload_digest(expected)
