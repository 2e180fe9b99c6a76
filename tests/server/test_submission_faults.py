"""Submission faults (issue section 8): forged and mismatched statements, other bidders' data, oversize and
unsealed uploads, a client interrupted mid-upload, and a server killed mid-upload and mid-completion."""

from __future__ import annotations

import errno
import hashlib
import http.client
import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlparse

import pytest
import requests
from sqlalchemy import func, select

from bidclient.api_client import ApiClient, ApiError
from bidclient.protocol.submission import b64, submission_statement
from bidclient.receipts import load_receipt, verify_receipt
from bidclient.submit import Uploader, receipt_path, state_path
from tests.server.pgcluster import free_port
from tests.server.startup import wait_until_healthy
from tests.server.submission_helpers import (
    Bidder,
    db_session,
    login,
    make_tender,
    sealed_bid,
    signer_for,
    software_key,
)

CHUNK = 64 << 10


def _create(bidder: Bidder, tender_id: str, data: bytes, *, sign=None, sha: str | None = None) -> dict:  # type: ignore[no-untyped-def]
    real = hashlib.sha256(data).hexdigest()
    statement = submission_statement(tender_id=tender_id, tender_version=1, envelope_sha256=sha or real,
                                     size=len(data), bidder=bidder.identity)
    return bidder.client.post_json("/api/v1/uploads", {  # type: ignore[no-any-return]
        "tender_id": tender_id, "tender_version": 1, "size": len(data), "sha256": real,
        "statement_signature": b64((sign or bidder.sign)(statement))})


def test_forged_mismatched_and_untrusted_statements_are_refused(live_server, pki, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    tender_id = make_tender(live_server.data)
    bidder = login(live_server.url, pki, "ent-a")
    data = sealed_bid(tmp_path / "a.bid", pki, 10_000).read_bytes()
    cases = [
        (signer_for(software_key(pki, "ent-b")), None, 403, "submission.statement_signer_mismatch"),
        (None, "ab" * 32, 422, "submission.statement_invalid"),
        (signer_for(software_key(pki, "bad-rogue")), None, 403, "submission.statement_untrusted"),
        (signer_for(software_key(pki, "bad-expired")), None, 403, "submission.statement_untrusted"),
    ]
    for sign, sha, status, code in cases:
        with pytest.raises(ApiError) as caught:
            _create(bidder, tender_id, data, sign=sign, sha=sha)
        assert (caught.value.status, caught.value.code) == (status, code), caught.value.message
    assert bidder.client.get_json(f"/api/v1/submissions?tender_id={tender_id}") == []


def test_another_bidder_cannot_see_or_touch_an_upload_or_submission(live_server, pki, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    tender_id = make_tender(live_server.data)
    owner = login(live_server.url, pki, "ent-a")
    other = login(live_server.url, pki, "ent-b")
    data = sealed_bid(tmp_path / "a.bid", pki, 100_000).read_bytes()
    upload = _create(owner, tender_id, data)
    uid = upload["id"]
    theirs = {"Authorization": f"Bearer {other.client.token}"}
    assert requests.get(f"{live_server.url}/api/v1/uploads/{uid}", headers=theirs, timeout=10).status_code == 404
    assert requests.head(f"{live_server.url}/api/v1/uploads/{uid}", headers=theirs, timeout=10).status_code == 404
    chunk = data[:CHUNK]
    put = requests.put(f"{live_server.url}/api/v1/uploads/{uid}/chunks/0", data=chunk, timeout=10,
                       headers={**theirs, "X-Chunk-SHA256": hashlib.sha256(chunk).hexdigest()})
    assert put.status_code == 404 and put.json()["code"] == "upload.not_found"
    assert requests.put(f"{live_server.url}/api/v1/uploads/{uid}/chunks/0", data=chunk, timeout=10,
                        headers={"X-Chunk-SHA256": hashlib.sha256(chunk).hexdigest()}).status_code == 401
    done = Uploader(owner.client, chunk_size=CHUNK).submit(tmp_path / "a.bid", tender_id=tender_id, tender_version=1,
                                                           bidder=owner.identity, sign=owner.sign)
    for method, path in (("GET", f"/api/v1/submissions/{done.id}"),
                         ("POST", f"/api/v1/uploads/{uid}/complete"),
                         ("GET", f"/api/v1/submissions/{done.id}/envelope")):
        response = requests.request(method, live_server.url + path, headers=theirs, timeout=10)
        assert response.status_code in (403, 404), (path, response.status_code)
    response = requests.post(f"{live_server.url}/api/v1/submissions/{done.id}/withdraw", headers=theirs, timeout=10,
                             json={"statement_signature": b64(other.sign(b"x" * 20))})
    assert response.status_code == 404
    assert other.client.get_json(f"/api/v1/submissions?tender_id={tender_id}") == []
    assert owner.client.get_json(f"/api/v1/submissions/{done.id}")["status"] == "active"


def test_oversize_chunk_is_refused_before_its_body_is_read(live_server, pki, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    tender_id = make_tender(live_server.data)
    bidder = login(live_server.url, pki, "ent-a")
    data = sealed_bid(tmp_path / "a.bid", pki, 10_000).read_bytes()
    uid = _create(bidder, tender_id, data)["id"]
    url = urlparse(live_server.url)
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=10)
    conn.putrequest("PUT", f"/api/v1/uploads/{uid}/chunks/0")
    conn.putheader("Authorization", f"Bearer {bidder.client.token}")
    conn.putheader("X-Chunk-SHA256", "0" * 64)
    conn.putheader("Content-Length", str(64 << 20))
    conn.endheaders()  # no body is sent: the answer must not wait for 64 MiB
    response = conn.getresponse()
    assert response.status == 413
    assert json.loads(response.read())["code"] == "upload.chunk_too_large"
    conn.close()


def test_an_unsealed_file_is_not_accepted(live_server, pki, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    tender_id = make_tender(live_server.data)
    bidder = login(live_server.url, pki, "ent-a")
    plain = tmp_path / "plain.bid"
    plain.write_bytes(b"PK\x03\x04 an unencrypted zip" + os.urandom(5000))
    with pytest.raises(ApiError) as caught:
        Uploader(bidder.client).submit(plain, tender_id=tender_id, tender_version=1, bidder=bidder.identity,
                                       sign=bidder.sign)
    assert caught.value.code == "upload.not_sealed"
    assert bidder.client.get_json(f"/api/v1/submissions?tender_id={tender_id}") == []


@pytest.mark.parametrize("failing", ["pwrite", "fdatasync"])
def test_a_chunk_the_disk_fails_to_store_is_not_acknowledged(live_server, pki, tmp_path: Path, failing: str,  # type: ignore[no-untyped-def]
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    tender_id = make_tender(live_server.data)
    bidder = login(live_server.url, pki, "ent-a")
    data = sealed_bid(tmp_path / "a.bid", pki, 3 * CHUNK).read_bytes()
    uid = _create(bidder, tender_id, data)["id"]
    real = getattr(os, failing)

    def failing_disk(fd: int, *args: object) -> object:
        if os.readlink(f"/proc/self/fd/{fd}").endswith(".part"):
            raise OSError(errno.ENOSPC if failing == "pwrite" else errno.EIO, "the disk failed")
        return real(fd, *args)

    def put_first_chunk() -> dict:  # type: ignore[type-arg]
        first = data[:CHUNK]
        return bidder.client.request("PUT", f"/api/v1/uploads/{uid}/chunks/0", data=first,  # type: ignore[no-any-return]
                                     headers={"X-Chunk-SHA256": hashlib.sha256(first).hexdigest(),
                                              "Content-Type": "application/octet-stream"}).json()

    monkeypatch.setattr(os, failing, failing_disk)
    with pytest.raises(ApiError) as caught:
        put_first_chunk()
    assert caught.value.status == 503 and caught.value.code == "upload.storage_failed"
    assert "nothing of it was acknowledged" in str(caught.value)
    status = bidder.client.get_json(f"/api/v1/uploads/{uid}")
    assert status["received_bytes"] == 0 and status["received"] == []  # a record made meanwhile is taken back

    monkeypatch.setattr(os, failing, real)  # the disk is back: the same chunk is stored and acknowledged
    answer = put_first_chunk()
    assert answer["duplicate"] is False and answer["received_bytes"] == CHUNK


# --- the CLI, interrupted and resumed -------------------------------------------------------------------


def _cli(args: list[str], env: dict[str, str], cwd: Path) -> subprocess.Popen[str]:
    root = Path(__file__).resolve().parents[2]
    env = {**env, "PYTHONPATH": os.pathsep.join(filter(None, [str(root), env.get("PYTHONPATH", "")]))}
    return subprocess.Popen([sys.executable, "-m", "bidclient.cli.main", *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=env, cwd=cwd)


def test_cli_submit_interrupted_then_resumed_by_a_new_process(live_server, pki, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    tender_id = make_tender(live_server.data)
    env = pki.softhsm_env()
    env.update(XDG_CONFIG_HOME=str(tmp_path / "config"), BIDCLIENT_NO_KEYRING="1")
    party = pki.party("ent-a")
    bid = sealed_bid(tmp_path / "big.bid", pki, 6 << 20)
    args = ["submit", str(bid), "--tender", tender_id, "--version", "1", "--key", party.signing_uri,
            "--server", live_server.url, "--chunk-size", str(CHUNK)]
    watcher = login(live_server.url, pki, "ent-a")  # the same enterprise, to watch the upload's progress
    first = _cli(args, env, tmp_path)
    deadline = time.monotonic() + 60
    held = 0
    while time.monotonic() < deadline and first.poll() is None:
        if state_path(bid).exists():
            # Freeze the client while looking, so a fast machine cannot finish the upload between looks.
            first.send_signal(signal.SIGSTOP)
            upload_id = json.loads(state_path(bid).read_text())["upload_id"]
            held = watcher.client.get_json(f"/api/v1/uploads/{upload_id}")["received_bytes"]
            if held >= 512 << 10:
                break
            first.send_signal(signal.SIGCONT)
        time.sleep(0.005)
    first.send_signal(signal.SIGKILL)  # no chance to clean up: like a crash or a power cut
    first.communicate()
    assert 0 < held < bid.stat().st_size, "the client finished before it could be interrupted"
    assert state_path(bid).exists() and not receipt_path(bid).exists()

    second = _cli(args, env, tmp_path)
    out, err = second.communicate(timeout=120)
    assert second.returncode == 0, err
    assert "Resuming" in err and "Submitted" in out
    assert not state_path(bid).exists()
    verified = verify_receipt(load_receipt(receipt_path(bid)), bid=bid)
    assert verified.size == bid.stat().st_size
    # Exactly one submission: the resumed upload, not a second one.
    mine = watcher.client.get_json(f"/api/v1/submissions?tender_id={tender_id}")
    assert [s["id"] for s in mine] == [verified.submission_id]

    verify = _cli(["receipt", "verify", str(receipt_path(bid)), "--bid", str(bid)], env, tmp_path)
    out, err = verify.communicate(timeout=60)
    assert verify.returncode == 0 and "Receipt OK" in out, err
    other = sealed_bid(tmp_path / "other.bid", pki, 1000)
    verify = _cli(["receipt", "verify", str(receipt_path(bid)), "--bid", str(other)], env, tmp_path)
    out, err = verify.communicate(timeout=60)
    assert verify.returncode == 1 and "[receipt.bid_mismatch]" in err and "Traceback" not in err

    withdraw = _cli(["withdraw", tender_id, "--key", party.signing_uri, "--server", live_server.url], env, tmp_path)
    out, err = withdraw.communicate(timeout=60)
    assert withdraw.returncode == 0, err
    assert "Withdrew" in out and len(list(tmp_path.glob("*.withdrawal.receipt"))) == 1
    assert watcher.client.get_json(f"/api/v1/submissions/{verified.submission_id}")["status"] == "withdrawn"


# --- a server process killed mid-upload and mid-write ---------------------------------------------------


class ServerProcess:
    """`bidclient-server run` in a process group of its own, as a service manager runs it; killed whole
    with SIGKILL (the supervisor and, with several workers, every worker: a crash or an OOM kill)."""

    def __init__(self, data: Path, workers: int | None = None, log: Path | None = None) -> None:
        self.data = data
        self.workers = workers
        self.log = log  # where its stderr (the JSON log lines) goes; discarded when None
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> ServerProcess:
        workers = ["--workers", str(self.workers)] if self.workers else []
        with open(self.log or os.devnull, "ab") as stderr:
            self.proc = subprocess.Popen([sys.executable, "-m", "server.cli", "run", "--data", str(self.data),
                                          "--port", str(self.port), *workers], stdout=subprocess.DEVNULL,
                                         stderr=stderr, start_new_session=True)
        proc = self.proc
        wait_until_healthy(self.url, what="the server process",
                           still_starting=lambda: None if proc.poll() is None else f"it exited ({proc.returncode})")
        return self

    def kill(self) -> None:
        assert self.proc is not None
        os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=10)
        deadline = time.monotonic() + 10
        while _group_alive(self.proc.pid) and time.monotonic() < deadline:  # the workers, if any
            time.sleep(0.02)


def _group_alive(pgid: int) -> bool:
    return _processes_in_group(pgid) > 0


def _processes_in_group(pgid: int) -> int:
    """Live processes in a process group (the server's supervisor and workers)."""
    count = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == pgid and fields[0] != "Z":
            count += 1
    return count


@pytest.fixture
def server_process(server_data: Path) -> Iterator[ServerProcess]:
    """SQLite: one process (the default there); PostgreSQL: two worker processes under uvicorn's
    supervisor (the default there is one per core), so that the kills below hit that set-up too."""
    on_postgres = json.loads((server_data / "server.json").read_text())["database_url"].startswith("postgresql")
    server = ServerProcess(server_data, workers=2 if on_postgres else None).start()
    try:
        yield server
    finally:
        if server.proc is not None and server.proc.poll() is None:
            server.kill()


def test_server_killed_mid_upload_loses_nothing_acknowledged(server_process: ServerProcess, pki,  # type: ignore[no-untyped-def]
                                                            tmp_path: Path) -> None:
    tender_id = make_tender(server_process.data)
    bidder = login(server_process.url, pki, "ent-a")
    bid = sealed_bid(tmp_path / "big.bid", pki, 6 << 20)
    acknowledged = [0]

    def progress(held: int, _total: int) -> None:
        acknowledged[0] = held

    failure: list[BaseException] = []

    def upload() -> None:
        try:
            Uploader(bidder.client, chunk_size=CHUNK, progress=progress).submit(
                bid, tender_id=tender_id, tender_version=1, bidder=bidder.identity, sign=bidder.sign)
        except BaseException as ex:  # the upload is expected to fail when the server dies
            failure.append(ex)

    thread = threading.Thread(target=upload)
    thread.start()
    deadline = time.monotonic() + 60
    while acknowledged[0] < (1 << 20) and time.monotonic() < deadline and thread.is_alive():
        time.sleep(0.005)
    server_process.kill()  # while chunks are in flight
    thread.join(timeout=60)
    assert failure and getattr(failure[0], "code", "") == "net.unreachable"
    acked = acknowledged[0]
    assert 0 < acked < bid.stat().st_size

    server_process.start()
    client = ApiClient(server_process.url, token=bidder.client.token, retries=0)
    upload_id = json.loads(state_path(bid).read_text())["upload_id"]
    status = client.get_json(f"/api/v1/uploads/{upload_id}")
    assert status["received_bytes"] >= acked  # every acknowledged byte survived the kill
    resumed_from = status["received_bytes"]
    seen: list[int] = []
    out = Uploader(client, chunk_size=CHUNK, progress=lambda held, total: seen.append(held)).submit(
        bid, tender_id=tender_id, tender_version=1, bidder=bidder.identity, sign=bidder.sign)
    assert seen[0] == resumed_from  # only the rest was sent
    assert out.envelope_sha256 == hashlib.sha256(bid.read_bytes()).hexdigest()


def _consistent(data: Path) -> tuple[int, int]:
    """Every completed upload has exactly one submission with a receipt and an audit entry, and the
    other way round. Returns (submissions, completed uploads)."""
    from server.audit.models import AuditEntry
    from server.submissions.models import Submission, Upload

    with db_session(data) as db:
        uploads = list(db.execute(select(Upload)).scalars())
        submissions = {s.upload_id: s for s in db.execute(select(Submission)).scalars()}
        for upload in uploads:
            if upload.state == "completed":
                sub = submissions[upload.id]
                assert sub.id == upload.submission_id and sub.receipt_content and sub.receipt_timestamp
            else:
                assert upload.id not in submissions and upload.submission_id is None
        submits = db.execute(select(func.count()).select_from(AuditEntry)
                             .where(AuditEntry.action == "submission.submit")).scalar_one()
        assert submits == len(submissions)
        active = [s for s in submissions.values() if s.status == "active"]
        assert len(active) <= 1
        return len(submissions), sum(u.state == "completed" for u in uploads)


def test_server_killed_during_completion_keeps_the_database_consistent(server_process: ServerProcess, pki,  # type: ignore[no-untyped-def]
                                                                      tmp_path: Path) -> None:
    tender_id = make_tender(server_process.data)
    bidder = login(server_process.url, pki, "ent-a")
    outcomes = set()
    for attempt, delay in enumerate((0.0, 0.03, 0.1)):
        bid = sealed_bid(tmp_path / f"{attempt}.bid", pki, 32 << 20)
        data = bid.read_bytes()
        upload = _create(bidder, tender_id, data)
        uploader = Uploader(bidder.client, chunk_size=16 << 20)
        uploader._send_missing(bid, uploader.status(upload["id"]))
        result: list[int] = []

        def complete(uid: str = upload["id"], result: list[int] = result) -> None:
            try:
                result.append(requests.post(f"{server_process.url}/api/v1/uploads/{uid}/complete", timeout=30,
                                            headers={"Authorization": f"Bearer {bidder.client.token}"}).status_code)
            except requests.RequestException:
                result.append(0)

        thread = threading.Thread(target=complete)
        thread.start()
        time.sleep(delay)
        server_process.kill()
        thread.join(timeout=30)
        outcomes.add(result[0])
        _consistent(server_process.data)
        server_process.start()
        bidder.client.base_url = server_process.url
        done = bidder.client.post_json(f"/api/v1/uploads/{upload['id']}/complete", {})  # retry: one submission
        assert done["envelope_sha256"] == hashlib.sha256(data).hexdigest()
        again = bidder.client.post_json(f"/api/v1/uploads/{upload['id']}/complete", {})
        assert again["id"] == done["id"]
        submissions, completed = _consistent(server_process.data)
        assert submissions == completed == attempt + 1
        response = requests.get(f"{server_process.url}/api/v1/submissions/{done['id']}", timeout=10,
                                headers={"Authorization": f"Bearer {bidder.client.token}"})
        from bidclient.protocol.submission import SubmissionOut

        receipt = SubmissionOut.model_validate(response.json()).receipt
        certs = requests.get(f"{server_process.url}/api/v1/server/certificates", timeout=10).json()
        from cryptography import x509

        verify_receipt(receipt, server_ca=x509.load_pem_x509_certificate(certs["ca"].encode()), bid=bid)
    assert 0 in outcomes  # at least one kill landed before the answer
