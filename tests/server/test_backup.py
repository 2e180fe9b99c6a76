"""Backups that restore, on SQLite and PostgreSQL: `bidclient-server backup` while a bid is being
uploaded, `restore` into a new data directory (and database), then the restored server serves every
bid byte for byte, every receipt still verifies, and `bidclient audit verify` passes on its trail."""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bidclient import receipts
from bidclient.protocol.submission import SubmissionOut
from bidclient.submit import Uploader
from server.cli import main as server_main
from tests.server.conftest import _database_url, start_server
from tests.server.submission_helpers import login, make_tender, sealed_bid

CHUNK = 64 << 10


def _server_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "server.cli", *args], capture_output=True, text=True, timeout=300,
                          check=False)


def _submit(bidder, bid: Path, tender_id: str, **kwargs) -> SubmissionOut:  # type: ignore[no-untyped-def]
    return Uploader(bidder.client, chunk_size=CHUNK, **kwargs).submit(
        bid, tender_id=tender_id, tender_version=1, bidder=bidder.identity, sign=bidder.sign)


def _open_now(data: Path, database_url: str, tender_id: str) -> None:
    """Move the tender's deadline and opening into the past, in the restored database."""
    from sqlalchemy import update
    from sqlalchemy.orm import Session

    from server.db import make_engine
    from server.settings import Settings
    from server.tenders.models import TenderVersion

    engine = make_engine(Settings(data_dir=data, database_url=database_url).resolved_database_url)
    now = datetime.now(UTC)
    try:
        with Session(engine) as db:
            db.execute(update(TenderVersion).where(TenderVersion.tender_id == tender_id).values(
                deadline=now - timedelta(minutes=2), opening_time=now - timedelta(minutes=1)))
            db.commit()
    finally:
        engine.dispose()


def _export(url: str, pki, path: Path, admin) -> list[str]:  # type: ignore[no-untyped-def]
    """The audit trail of the server at ``url`` exported by a supervisor; returns the entry hashes."""
    identity = login(url, pki, "expert-1").identity
    assert admin("grant", "--identity", identity, "--role", "supervisor") == 0
    supervisor = login(url, pki, "expert-1")
    path.write_bytes(supervisor.client.request("GET", "/api/v1/audit/export").content)
    return [r["entry_hash"] for r in map(json.loads, path.read_bytes().splitlines()) if r.get("record") == "entry"]


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_backup_during_an_upload_restores_every_bid_receipt_and_the_audit_trail(  # type: ignore[no-untyped-def]
        live_server, backend: str, pg_cluster, pki, tmp_path: Path) -> None:
    tender_id = make_tender(live_server.data, deadline_in=timedelta(hours=1))
    ent_a = login(live_server.url, pki, "ent-a")
    ent_b = login(live_server.url, pki, "ent-b")
    bids = {"a1": sealed_bid(tmp_path / "a1.bid", pki, 300_000), "a2": sealed_bid(tmp_path / "a2.bid", pki, 250_000),
            "b": sealed_bid(tmp_path / "b.bid", pki, 200_000)}
    submitted = {"a1": _submit(ent_a, bids["a1"], tender_id), "b": _submit(ent_b, bids["b"], tender_id)}
    submitted["a2"] = _submit(ent_a, bids["a2"], tender_id)  # replaces a1: both stay on record
    server_ca = receipts.pinned_server_ca(ent_a.client)

    # A large bid is being uploaded, paced, while the backup runs.
    late = login(live_server.url, pki, "ent-a-ec")
    big = sealed_bid(tmp_path / "big.bid", pki, 6 << 20)
    acknowledged: list[float] = []
    started = threading.Event()
    outcome: dict[str, object] = {}

    def progress(held: int, _total: int) -> None:
        acknowledged.append(time.monotonic())
        if len(acknowledged) == 5:
            started.set()
        time.sleep(0.05)  # a slow line: the upload lasts longer than the backup

    def upload() -> None:
        try:
            outcome["out"] = Uploader(late.client.sibling(), chunk_size=CHUNK, progress=progress).submit(
                big, tender_id=tender_id, tender_version=1, bidder=late.identity, sign=late.sign)
        except BaseException as ex:  # reported below
            outcome["error"] = ex

    worker = threading.Thread(target=upload)
    worker.start()
    deadline = time.monotonic() + 120
    while not started.wait(0.2):
        assert worker.is_alive() and time.monotonic() < deadline, outcome
    backup_dir = tmp_path / "backup"
    begun = time.monotonic()
    done = _server_cli("backup", "--data", str(live_server.data), str(backup_dir))
    ended = time.monotonic()
    worker.join(300)
    assert done.returncode == 0, done.stderr
    assert "backed up 3 submissions" in done.stdout or "backed up 4 submissions" in done.stdout, done.stdout
    assert "error" not in outcome, outcome.get("error")
    assert any(begun <= t <= ended for t in acknowledged), "the upload was not running during the backup"
    assert oct((backup_dir / "keys").stat().st_mode & 0o777) and \
        (backup_dir.stat().st_mode & 0o077) == 0  # private keys inside: the folder is the owner's only
    manifest = json.loads((backup_dir / "manifest.json").read_text())
    assert "database_url" not in json.loads((backup_dir / "server.json").read_text())
    original_trail = _export(live_server.url, pki, tmp_path / "original.ndjson", live_server.admin)

    # Restore into a new data directory (and a new, empty PostgreSQL database).
    restored = tmp_path / "restored"
    target_url = _database_url(backend, pg_cluster)
    args = ["restore", "--data", str(restored), str(backup_dir)]
    if target_url:  # as an operator passes it: in a file readable by the server only
        url_file = tmp_path / "database-url"
        url_file.write_text(target_url + "\n")
        url_file.chmod(0o600)
        args += ["--database-url-file", str(url_file)]
    done = _server_cli(*args)
    assert done.returncode == 0, done.stderr
    config = json.loads((restored / "server.json").read_text())
    assert config.get("database_url") in ("", None)
    if target_url:
        assert target_url not in (restored / "server.json").read_text() and config["database_url_file"]
    assert (restored / "server.json").stat().st_mode & 0o077 == 0
    assert f"verified: {manifest['submissions']} submissions" in done.stdout
    assert "audit chain of" in done.stdout and "receipts verify" in done.stdout

    server = start_server(restored, target_url)
    try:
        # Every receipt the bidders hold still verifies against the pinned server CA, for their bid file.
        for name, out in submitted.items():
            verified = receipts.verify_receipt(out.receipt, server_ca=server_ca, bid=bids[name])
            assert verified.bid_checked
        # The restored server knows every submission, with the same receipts ...
        again_a = login(server.url, pki, "ent-a")
        mine = {s.id: s for s in map(SubmissionOut.model_validate, again_a.client.get_json("/api/v1/submissions"))}
        for name in ("a1", "a2"):
            assert mine[submitted[name].id].receipt.content == submitted[name].receipt.content
        assert mine[submitted["a1"].id].status == "replaced" and mine[submitted["a2"].id].status == "active"
        # ... and serves every bid byte for byte once the opening time has come.
        _open_now(restored, target_url, tender_id)
        again_b = login(server.url, pki, "ent-b")
        for name, client in (("a1", again_a.client), ("a2", again_a.client), ("b", again_b.client)):
            body = client.request("GET", f"/api/v1/submissions/{submitted[name].id}/envelope").content
            assert hashlib.sha256(body).hexdigest() == hashlib.sha256(bids[name].read_bytes()).hexdigest()
        # The audit trail verifies with the client's own tool, and begins with the original's entries.
        restored_trail = _export(server.url, pki, tmp_path / "restored.ndjson", server.admin)
    finally:
        server.stop()
    assert restored_trail[:manifest["audit_entries"]] == original_trail[:manifest["audit_entries"]]
    done = subprocess.run([sys.executable, "-m", "bidclient.cli.main", "audit", "verify",
                           str(tmp_path / "restored.ndjson"), "--server-ca",
                           str(live_server.data / "keys" / "ca.pem")], capture_output=True, text=True, timeout=120,
                          check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    assert _server_cli("verify", "--data", str(restored), *(["--database-url", target_url] if target_url
                                                            else [])).returncode == 0


@pytest.fixture
def backend() -> str:
    return "sqlite"  # the failure paths do not depend on the database


def test_damaged_backup_is_refused_and_leaves_nothing(live_server, pki, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    tender_id = make_tender(live_server.data)
    bidder = login(live_server.url, pki, "ent-a")
    out = _submit(bidder, sealed_bid(tmp_path / "a.bid", pki, 100_000), tender_id)
    backup_dir = tmp_path / "backup"
    assert _server_cli("backup", "--data", str(live_server.data), str(backup_dir)).returncode == 0
    # Backing up into a folder that holds something: refused, the folder untouched.
    done = _server_cli("backup", "--data", str(live_server.data), str(backup_dir))
    assert done.returncode == 1 and "[backup.destination_exists]" in done.stderr

    sha = out.envelope_sha256
    blob = backup_dir / "blobs" / sha[:2] / sha
    original = blob.read_bytes()
    blob.write_bytes(original[:-1] + bytes([original[-1] ^ 1]))  # one bit of the sealed bid flipped
    restored = tmp_path / "restored"
    done = _server_cli("restore", "--data", str(restored), str(backup_dir))
    assert done.returncode == 1 and "[backup.damaged]" in done.stderr and f"blobs/{sha[:2]}/{sha}" in done.stderr
    assert "Traceback" not in done.stderr
    assert not restored.exists() and not list(tmp_path.glob(".restored.partial-*"))

    # A bid file the live database needs but the storage lost: the backup says so and writes nothing.
    blob.write_bytes(original)
    live_blob = live_server.data / "blobs" / sha[:2] / sha
    shutil.move(live_blob, tmp_path / "aside")
    done = _server_cli("backup", "--data", str(live_server.data), str(tmp_path / "second"))
    assert done.returncode == 1 and "[backup.blob_missing]" in done.stderr and sha in done.stderr
    assert not (tmp_path / "second").exists() and not list(tmp_path.glob(".second.partial-*"))
    done = _server_cli("verify", "--data", str(live_server.data))
    assert done.returncode == 1 and "[storage.verify_failed]" in done.stderr and sha in done.stderr
    shutil.move(tmp_path / "aside", live_blob)

    # The repaired backup restores.
    done = _server_cli("restore", "--data", str(restored), str(backup_dir))
    assert done.returncode == 0, done.stderr
    assert "verified: 1 submissions" in done.stdout


def test_restore_refuses_a_used_target_and_another_backend(live_server, pg_cluster, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    backup_dir = tmp_path / "backup"
    assert server_main(["backup", "--data", str(live_server.data), str(backup_dir)]) == 0
    # Into the live data directory: refused, nothing changed.
    before = (live_server.data / "server.json").read_bytes()
    done = _server_cli("restore", "--data", str(live_server.data), str(backup_dir))
    assert done.returncode == 1 and "[server.already_initialised]" in done.stderr
    assert (live_server.data / "server.json").read_bytes() == before
    done = _server_cli("restore", "--data", str(tmp_path / "r"), "--database-url", _database_url("postgresql",
                                                                                                   pg_cluster),
                       str(backup_dir))
    assert done.returncode == 1 and "[backup.backend_mismatch]" in done.stderr
    done = _server_cli("restore", "--data", str(tmp_path / "r"), str(tmp_path))
    assert done.returncode == 1 and "[backup.not_a_backup]" in done.stderr
    assert not (tmp_path / "r").exists()


def test_postgresql_restore_refuses_a_database_that_holds_tables(pg_cluster, pki, tmp_path: Path,  # type: ignore[no-untyped-def]
                                                                   ) -> None:
    data = tmp_path / "server"
    url = _database_url("postgresql", pg_cluster)
    assert server_main(["init", "--data", str(data), "--database-url", url]) == 0
    backup_dir = tmp_path / "backup"
    done = _server_cli("backup", "--data", str(data), str(backup_dir))
    assert done.returncode == 0, done.stderr
    assert (backup_dir / "database.pgdump").read_bytes()[:5] == b"PGDMP"
    done = _server_cli("restore", "--data", str(tmp_path / "r"), "--database-url", url, str(backup_dir))
    assert done.returncode == 1 and "[backup.target_not_empty]" in done.stderr
    assert not (tmp_path / "r").exists()


def test_an_upload_interrupted_before_the_backup_resumes_on_the_restored_server(  # type: ignore[no-untyped-def]
        live_server, pki, tmp_path: Path) -> None:
    from bidclient.submit import SubmitCancelled, state_path

    tender_id = make_tender(live_server.data)
    bidder = login(live_server.url, pki, "ent-a")
    bid = sealed_bid(tmp_path / "big.bid", pki, 2 << 20)
    stop = threading.Event()

    def stop_after_some_chunks(held: int, _total: int) -> None:
        if held >= 10 * CHUNK:
            stop.set()

    with pytest.raises(SubmitCancelled):
        _submit(bidder, bid, tender_id, progress=stop_after_some_chunks, cancel=stop)
    backup_dir = tmp_path / "backup"
    assert _server_cli("backup", "--data", str(live_server.data), str(backup_dir)).returncode == 0
    restored = tmp_path / "restored"
    assert _server_cli("restore", "--data", str(restored), str(backup_dir)).returncode == 0
    server = start_server(restored)
    try:
        # The restored platform answers at its old address: here, point the bidder's upload state at it.
        state = json.loads(state_path(bid).read_text())
        state["server"] = server.url
        state_path(bid).write_text(json.dumps(state))
        again = login(server.url, pki, "ent-a")
        first: list[int] = []
        out = _submit(again, bid, tender_id, progress=lambda held, _total: first.append(held))
    finally:
        server.stop()
    assert first[0] >= 10 * CHUNK  # resumed where it stopped, not from the start
    assert out.envelope_sha256 == hashlib.sha256(bid.read_bytes()).hexdigest()
