"""The audit trail over real HTTP: export, offline verification against each kind of tampering,
checkpoints (also with `openssl ts -verify`), the live feed for supervisors, and role checks."""

from __future__ import annotations

import base64
import json
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest
import requests

from bidclient.audit_verify import AuditVerifyError, verify_export
from bidclient.protocol.audit import checkpoint_statement, entry_hash
from bidclient.protocol.common import canonical_json
from tests.server.conftest import start_server
from tests.server.submission_helpers import login


def _supervisor(live_server, pki):  # type: ignore[no-untyped-def]
    identity = login(live_server.url, pki, "expert-1").identity
    assert live_server.admin("grant", "--identity", identity, "--role", "supervisor") == 0
    return login(live_server.url, pki, "expert-1")


def _export(client) -> bytes:  # type: ignore[no-untyped-def]
    response = client.request("GET", "/api/v1/audit/export")
    assert response.headers["content-type"].startswith("application/x-ndjson")
    return bytes(response.content)


def _records(data: bytes) -> list[dict[str, Any]]:
    return [json.loads(line) for line in data.splitlines() if line.strip()]


def _dump(records: list[dict[str, Any]]) -> bytes:
    return b"".join(canonical_json(r) + b"\n" for r in records)


def _rechain(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """What a careful forger does after editing entries: renumber, relink, rehash, fix the end record."""
    prev = "0" * 64
    entries = [r for r in records if r["record"] == "entry"]
    for seq, entry in enumerate(entries, 1):
        entry["seq"], entry["prev_hash"] = seq, prev
        entry["entry_hash"] = prev = entry_hash(entry)
    end = records[-1]
    assert end["record"] == "end"
    end.update(entries=len(entries), head_seq=len(entries), head_hash=prev,
               checkpoints=sum(1 for r in records if r["record"] == "checkpoint"))
    return records


@pytest.fixture
def trail(live_server, pki):  # type: ignore[no-untyped-def]
    """An export with entries before a checkpoint and a few after it (unanchored)."""
    supervisor = _supervisor(live_server, pki)
    for party in ("ent-a", "ent-b"):
        login(live_server.url, pki, party)
    assert live_server.admin("audit-checkpoint") == 0
    login(live_server.url, pki, "ent-a-ec")
    return live_server, supervisor, _export(supervisor.client)


def test_export_verifies_and_reports_the_unanchored_tail(trail) -> None:  # type: ignore[no-untyped-def]
    data = trail[2]
    records = _records(data)
    assert records[0]["record"] == "header" and records[-1]["record"] == "end"
    actions = [r["action"] for r in records if r["record"] == "entry"]
    assert actions[0] == "trust.add" and "auth.login" in actions and "auth.grant_role" in actions
    assert actions[-1] == "audit.export"  # taking a copy is itself recorded
    logins = [r for r in records if r["record"] == "entry" and r["action"] == "auth.login"]
    assert all(r["address"] == "127.0.0.1" and len(r["actor_cert_sha256"]) == 64 for r in logins)

    report = verify_export(data)
    assert report.entries == len(actions) == report.head_seq
    assert len(report.checkpoints) == 1
    # after the checkpoint: one login and the export's own record
    assert report.unanchored == report.head_seq - report.last_anchored_seq == 2
    assert actions[report.last_anchored_seq - 1] == "audit.checkpoint"


def _detect(data: bytes, expected: str) -> None:
    with pytest.raises(AuditVerifyError) as caught:
        verify_export(data)
    assert caught.value.code == "audit.tampered"
    assert any(expected in p for p in caught.value.problems), caught.value.problems


def _entry_positions(records: list[dict[str, Any]]) -> list[int]:
    return [i for i, r in enumerate(records) if r["record"] == "entry"]


def test_modified_entry_is_detected_even_when_rehashed(trail) -> None:  # type: ignore[no-untyped-def]
    records = _records(trail[2])
    target = records[_entry_positions(records)[2]]
    target["address"] = "10.9.9.9"
    _detect(_dump(records), "was modified")  # naive: the hash no longer matches
    _detect(_dump(_rechain(records)), "differs from what was timestamped")  # careful: the checkpoint catches it


def test_deleted_entry_is_detected(trail) -> None:  # type: ignore[no-untyped-def]
    records = _records(trail[2])
    del records[_entry_positions(records)[1]]
    _detect(_dump(records), "does not follow the entry before it")
    records = _rechain(records)
    _detect(_dump(records), "differs from what was timestamped")


def test_inserted_entry_is_detected(trail) -> None:  # type: ignore[no-untyped-def]
    records = _records(trail[2])
    position = _entry_positions(records)[1]
    forged = dict(records[position], action="auth.grant_role", object_id="uscc:91110108MA01B2C3D0")
    records.insert(position + 1, forged)
    _detect(_dump(records), "appears twice")
    _detect(_dump(_rechain(records)), "differs from what was timestamped")


def test_reordered_entries_are_detected(trail) -> None:  # type: ignore[no-untyped-def]
    records = _records(trail[2])
    a, b = _entry_positions(records)[1:3]
    records[a], records[b] = records[b], records[a]
    _detect(_dump(records), "was expected")
    _detect(_dump(_rechain(records)), "differs from what was timestamped")


def test_truncation_is_caught_by_a_checkpoint_or_a_known_head(trail) -> None:  # type: ignore[no-untyped-def]
    records = _records(trail[2])
    full = verify_export(_dump(records))
    positions = _entry_positions(records)
    anchored = full.last_anchored_seq
    # Cutting into the anchored part while the checkpoint is still there: its entry is gone.
    cut = _rechain([r for i, r in enumerate(records) if i not in positions[anchored - 2:]])
    _detect(_dump(cut), "is missing from the export")
    # Cutting the tail AND the checkpoint's record leaves a shorter, consistent chain: only a head noted
    # earlier (or a checkpoint kept elsewhere) reveals it. That is the limit the docs state.
    no_cp = [r for r in cut if r["record"] != "checkpoint"]
    _rechain(no_cp)
    assert verify_export(_dump(no_cp)).head_seq == anchored - 2
    with pytest.raises(AuditVerifyError) as caught:
        verify_export(_dump(no_cp), known_heads=[(anchored, full.checkpoints[-1].entry_hash)])
    assert any("cut off" in p for p in caught.value.problems)
    # Cutting only the unanchored tail: consistent too; the full export had reported those entries as
    # unanchored, and its head, once noted, reveals the cut.
    tail_cut = _rechain([r for i, r in enumerate(records) if i not in positions[anchored:]])
    shorter = verify_export(_dump(tail_cut))
    assert full.unanchored == 2 and shorter.head_seq == anchored and shorter.unanchored == 0
    with pytest.raises(AuditVerifyError) as caught:
        verify_export(_dump(tail_cut), known_heads=[(full.head_seq, full.head_hash)])
    assert any("cut off" in p for p in caught.value.problems)
    # A download cut short (no end record) is reported as such.
    _detect(_dump(records[:-1]), "cut short")


def test_checkpoint_from_another_tsa_is_refused(trail, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from server.keys import generate, load

    generate(tmp_path / "other")
    other_ca = load(tmp_path / "other").ca_certificate
    with pytest.raises(AuditVerifyError) as caught:
        verify_export(trail[2], server_ca=other_ca)
    assert any("another server CA" in p for p in caught.value.problems)
    assert any("not issued by the server's TSA" in p for p in caught.value.problems)


def test_checkpoint_token_passes_openssl_ts_verify(trail, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    live_server = trail[0]
    records = _records(trail[2])
    checkpoint = next(r for r in records if r["record"] == "checkpoint")
    (tmp_path / "statement").write_bytes(checkpoint_statement(checkpoint["seq"], checkpoint["entry_hash"]))
    (tmp_path / "token.tst").write_bytes(base64.b64decode(checkpoint["token"]))
    ca = (live_server.data / "keys" / "ca.pem").read_bytes()
    (tmp_path / "ca.pem").write_bytes(ca)
    done = subprocess.run(["openssl", "ts", "-verify", "-data", str(tmp_path / "statement"), "-in",
                           str(tmp_path / "token.tst"), "-token_in", "-CAfile", str(tmp_path / "ca.pem")],
                          capture_output=True, text=True, check=False)
    assert done.returncode == 0 and "Verification: OK" in done.stdout, done.stderr
    assert records[0]["server_ca"].encode() == ca


def test_bidders_and_anonymous_callers_cannot_read_the_trail(live_server, pki) -> None:  # type: ignore[no-untyped-def]
    bidder = login(live_server.url, pki, "ent-a")
    for path in ("/api/v1/audit", "/api/v1/audit/export", "/api/v1/audit/checkpoints"):
        response = requests.get(live_server.url + path, timeout=10,
                                headers={"Authorization": f"Bearer {bidder.client.token}"})
        assert response.status_code == 403, path
        assert response.headers["content-type"].startswith("application/problem+json")
        assert response.json()["code"] == "auth.forbidden"
        assert requests.get(live_server.url + path, timeout=10).json()["code"] == "auth.required"


def test_supervisor_reads_the_trail_live(live_server, pki) -> None:  # type: ignore[no-untyped-def]
    supervisor = _supervisor(live_server, pki)
    page = supervisor.client.get_json("/api/v1/audit?after=0")
    head = page["head_seq"]
    assert [e["seq"] for e in page["entries"]] == list(range(1, head + 1))
    got: dict[str, Any] = {}

    def poll() -> None:
        started = time.monotonic()
        got["page"] = supervisor.client.get_json(f"/api/v1/audit?after={head}&wait=20")
        got["elapsed"] = time.monotonic() - started

    thread = threading.Thread(target=poll)
    thread.start()
    time.sleep(0.8)
    assert thread.is_alive()  # waiting: nothing new yet
    login(live_server.url, pki, "ent-b")
    thread.join(timeout=20)
    entries = got["page"]["entries"]
    assert got["elapsed"] < 10
    assert entries[0]["seq"] == head + 1 and entries[0]["action"] == "auth.login"
    assert entries[0]["entry_hash"] == entry_hash(entries[0])
    empty = supervisor.client.get_json(f"/api/v1/audit?after={head + 10}&wait=0")
    assert empty["entries"] == []


def test_checkpoints_are_made_in_the_background(server_data: Path, pki, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("BIDCLIENT_AUDIT_CHECKPOINT_POLL", "0.2")
    monkeypatch.setenv("BIDCLIENT_AUDIT_CHECKPOINT_ENTRIES", "3")
    database_url = json.loads((server_data / "server.json").read_text())["database_url"]
    server = start_server(server_data, database_url)
    try:
        class Running:
            url = server.url
            data = server.data
            admin = server.admin

        supervisor = _supervisor(Running, pki)
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            checkpoints = supervisor.client.get_json("/api/v1/audit/checkpoints")["checkpoints"]
            if checkpoints:
                break
            time.sleep(0.2)
        assert checkpoints, "no checkpoint was made in the background"
        report = verify_export(_export(supervisor.client))
        assert report.checkpoints[0].seq == checkpoints[0]["seq"]
    finally:
        server.stop()


def test_cli_export_and_verify(trail, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    import os

    from bidclient import session_store

    live_server, supervisor, _data = trail
    env = dict(os.environ, XDG_CONFIG_HOME=str(tmp_path / "config"), BIDCLIENT_NO_KEYRING="1")
    env.pop("BIDCLIENT_SERVER", None)
    old = os.environ.copy()
    os.environ.update(XDG_CONFIG_HOME=env["XDG_CONFIG_HOME"], BIDCLIENT_NO_KEYRING="1")
    try:
        from datetime import UTC, datetime, timedelta

        session_store.save_session(live_server.url, supervisor.client.token, datetime.now(UTC) + timedelta(hours=1),
                                   supervisor.identity)
    finally:
        os.environ.clear()
        os.environ.update(old)

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "bidclient.cli.main", *args], capture_output=True, text=True,
                              env=env, timeout=120, check=False)

    out = tmp_path / "audit.jsonl"
    done = run("audit", "export", "-o", str(out), "--server", live_server.url)
    assert done.returncode == 0, done.stderr
    ca = tmp_path / "ca.pem"
    ca.write_bytes((live_server.data / "keys" / "ca.pem").read_bytes())
    done = run("audit", "verify", str(out), "--server-ca", str(ca))
    assert done.returncode == 0, done.stderr
    assert "intact" in done.stdout and "as expected" in done.stdout
    assert "not yet covered by a timestamp" in done.stderr  # the export record itself is unanchored
    records = _records(out.read_bytes())
    records[_entry_positions(records)[1]]["actor"] = "uscc:someone-else"
    tampered = tmp_path / "tampered.jsonl"
    tampered.write_bytes(_dump(records))
    done = run("audit", "verify", str(tampered))
    assert done.returncode == 1
    assert "[audit.tampered]" in done.stderr and "was modified" in done.stderr and "Traceback" not in done.stderr
    garbage = tmp_path / "garbage.jsonl"
    garbage.write_bytes(b"\x00\xffnot json\n")
    done = run("audit", "verify", str(garbage))
    assert done.returncode == 1 and "[audit.malformed]" in done.stderr

