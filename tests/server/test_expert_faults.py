"""Faults around the draw, on SQLite and PostgreSQL: the server killed in the middle of a draw (all or nothing)
and invitation mail through a real SMTP server (aiosmtpd) that is down at first (kept, retried, delivered)."""

from __future__ import annotations

import email
import json
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from email.policy import default as default_policy
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import func, select, text

from bidclient.api_client import ApiError
from bidclient.experts import ExpertsService, verify_record
from server.cli import main as server_main
from tests.server.conftest import start_server
from tests.server.expert_helpers import (
    EXPERT_IDENTITY,
    dongle_login,
    expert_row,
    import_pool,
    own_tender,
    place_bid,
    request,
    uscc,
    world,
)
from tests.server.pgcluster import free_port
from tests.server.submission_helpers import db_session
from tests.server.test_two_instances import _wait_healthy


@dataclass
class Instance:
    url: str
    data: Path
    process: subprocess.Popen[bytes]
    log: Path

    def admin(self, *args: str) -> int:
        return server_main(["admin", args[0], "--data", str(self.data), *args[1:]])


def _run_server(data: Path, log: Path) -> Instance:
    port = free_port()
    with open(log, "ab") as out:
        process = subprocess.Popen([sys.executable, "-m", "server.cli", "run", "--data", str(data), "--port",
                                    str(port), "--workers", "1"], stdout=out, stderr=subprocess.STDOUT,
                                   cwd=Path(__file__).resolve().parents[2])
    url = f"http://127.0.0.1:{port}"
    _wait_healthy(url, process, log)
    return Instance(url, data, process, log)


class HeldLock:
    """Another connection holds what the draw's last step needs: on PostgreSQL the audit chain's head row
    (the run has by then written its picks, uncommitted); on SQLite the database's write lock."""

    def __init__(self, data: Path, backend: str) -> None:
        self.backend = backend
        self.data = data
        if backend == "postgresql":
            self.db = db_session(data)
            self.db.execute(text("SELECT seq FROM audit_head WHERE id = 1 FOR UPDATE"))
        else:
            self.raw = sqlite3.connect(data / "bidclient.sqlite3", isolation_level=None, timeout=30)
            self.raw.execute("BEGIN IMMEDIATE")

    def waiting(self) -> bool:
        """Whether the run is now blocked on the held lock."""
        if self.backend != "postgresql":
            time.sleep(2)  # SQLite cannot tell; the run is blocked at its first write
            return True
        with db_session(self.data) as db:
            return bool(db.execute(text("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                                        "AND datname = current_database()")).scalar_one())

    def release(self) -> None:
        if self.backend == "postgresql":
            self.db.rollback()
            self.db.close()
        else:
            self.raw.rollback()
            self.raw.close()


def test_a_server_killed_mid_draw_records_all_or_nothing(server_data: Path, backend: str, pki,  # type: ignore[no-untyped-def]
                                                         tmp_path: Path) -> None:
    from server.audit.models import AuditEntry
    from server.experts.models import Draw, Pick

    log = tmp_path / "server.log"
    server = _run_server(server_data, log)
    held: HeldLock | None = None
    try:
        w = world(server, pki)
        import_pool(tmp_path, w.admin, [expert_row(n, "it.hw") for n in range(12)])
        tender = own_tender(server_data, w.agency.account_id)
        committed = w.agency.experts.commit_draw(request(tender, [{"specialty": "it.hw", "count": 5}]))
        held = HeldLock(server_data, backend)
        outcome: list[Any] = []

        def run() -> None:
            try:
                outcome.append(w.agency.experts.run_draw(committed.id))
            except ApiError as ex:
                outcome.append(ex)

        runner = threading.Thread(target=run)
        runner.start()
        deadline = time.monotonic() + 60
        while not held.waiting():
            assert time.monotonic() < deadline, "the run never reached the held lock"
            time.sleep(0.1)
        server.process.send_signal(signal.SIGKILL)  # the server dies in the middle of the draw
        server.process.wait(timeout=30)
        runner.join(timeout=60)
        held.release()
        held = None
        assert isinstance(outcome[0], ApiError) and outcome[0].code == "net.unreachable"
        with db_session(server_data) as db:
            assert db.execute(select(func.count()).select_from(Pick).where(Pick.draw_id == committed.id)
                              ).scalar_one() == 0
            row = db.get(Draw, committed.id)
            assert row is not None and row.state == "committed" and row.drawn_at is None
            assert not db.execute(select(AuditEntry).where(AuditEntry.action == "expert.draw_run")).first()

        server = _run_server(server_data, log)  # restarted: the committed draw runs once, with its own seed
        w.agency.client.base_url = server.url
        drawn = w.agency.experts.run_draw(committed.id)
        assert drawn.state == "drawn" and drawn.commitment == committed.commitment
        result = verify_record(w.agency.experts.record(committed.id))
        assert result.members == 5
    finally:
        if held is not None:
            held.release()
        if server.process.poll() is None:
            server.process.terminate()
            server.process.wait(timeout=30)


class Mailbox:
    def __init__(self) -> None:
        self.messages: list[email.message.EmailMessage] = []
        self.recipients: list[str] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.recipients.extend(envelope.rcpt_tos)
        self.messages.append(email.message_from_bytes(envelope.content, policy=default_policy))  # type: ignore[arg-type]
        return "250 OK"


@pytest.fixture
def smtp_port() -> Iterator[int]:
    yield free_port()


def test_invitation_mail_survives_an_smtp_server_that_is_down(server_data: Path, smtp_port: int, pki,  # type: ignore[no-untyped-def]
                                                              tmp_path: Path) -> None:
    from server.experts.models import Mail

    config = json.loads((server_data / "server.json").read_text())
    config.update(smtp_host="127.0.0.1", smtp_port=smtp_port, smtp_from="pingbiao@example.cn", expert_mail_poll=0.2)
    (server_data / "server.json").write_text(json.dumps(config))
    server = start_server(server_data, config["database_url"])
    controller: Controller | None = None
    try:
        w = world(server, pki)
        bidder = uscc(920001)
        import_pool(tmp_path, w.admin, [expert_row(1, "it.sw", identity=EXPERT_IDENTITY, email="zhangsan@example.cn")]
                    + [expert_row(n, "it.hw", email=f"e{n}@example.cn") for n in range(10, 16)])
        tender = own_tender(server_data, w.agency.account_id)
        place_bid(server_data, tender, bidder)
        w.agency.experts.draw(request(tender, [{"specialty": "it.sw", "count": 1, "reserves": 0},
                                               {"specialty": "it.hw", "count": 4, "reserves": 1}],
                                      place="北京市海淀区评标基地 3 楼"))
        # Nobody listens on the SMTP port: the invitations are in the app, the mail waits with its error.
        me = dongle_login(server.url, pki, "expert-1")
        [invitation] = me.experts.invitations()
        deadline = time.monotonic() + 30
        while True:
            with db_session(server_data) as db:
                mails = list(db.execute(select(Mail)).scalars())
            if mails and all(m.attempts >= 1 for m in mails):
                break
            assert time.monotonic() < deadline, "the mailer never tried"
            time.sleep(0.2)
        assert len(mails) == 5 and all(m.sent_at is None and "refused" in m.last_error.lower() for m in mails)

        mailbox = Mailbox()
        controller = Controller(mailbox, hostname="127.0.0.1", port=smtp_port)
        controller.start()
        ExpertsService(me.client).decline(invitation.id, "出差")  # no reserve for it.sw: nothing more to send
        deadline = time.monotonic() + 60
        while len(mailbox.messages) < 5:
            assert time.monotonic() < deadline, f"only {len(mailbox.messages)} of 5 mails arrived"
            time.sleep(0.2)
        time.sleep(1)
        assert len(mailbox.messages) == 5  # each once
        assert "zhangsan@example.cn" in mailbox.recipients
        mine = next(m for m in mailbox.messages if m["To"] == "zhangsan@example.cn")
        body = mine.get_content()
        assert "北京市海淀区评标基地 3 楼" in body and "办公设备采购项目" in body and tender in body
        assert bidder not in body and "投标人" not in body  # the time and place, never the bidders
        with db_session(server_data) as db:
            assert all(m.sent_at is not None for m in db.execute(select(Mail)).scalars())
    finally:
        if controller is not None:
            controller.stop()
        server.stop()
