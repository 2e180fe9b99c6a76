"""One bidder's two completions overlap (issue 16 §1): the submission whose completion *arrived* last is the
active one, whatever order the work (hashing a large file) finishes in, and both receipts say so.

A large and a small bid are uploaded in full, then completed one 50 ms after the other, in both orders, by a
server of two worker processes on SQLite and on PostgreSQL. The server's test hold (HOLD_DIR_ENV) keeps the
first completion after its bytes were checked until the second one has been answered: what a large file's
hash does on a slow disk, made certain. The arrival order is read back from the receipts, the recording
order from the audit chain.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from bidclient.protocol.submission import SubmissionOut, UploadOut, b64, submission_statement
from bidclient.receipts import file_sha256, verify_receipt
from bidclient.submit import Uploader
from server.submissions.service import HOLD_DIR_ENV
from tests.server.submission_helpers import Bidder, db_session, login, make_tender, sealed_bid
from tests.server.test_submission_faults import ServerProcess

LARGE = 8 << 20
SMALL = 300_000


@pytest.fixture(scope="module")
def bids(tmp_path_factory: pytest.TempPathFactory, pki) -> tuple[Path, Path]:  # type: ignore[no-untyped-def]
    folder = tmp_path_factory.mktemp("bids")
    return sealed_bid(folder / "large.bid", pki, LARGE), sealed_bid(folder / "small.bid", pki, SMALL)


@pytest.fixture
def holds(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "holds"
    folder.mkdir()
    monkeypatch.setenv(HOLD_DIR_ENV, str(folder))  # inherited by the server process and its workers
    return folder


@pytest.fixture
def two_workers(server_data: Path, holds: Path) -> Iterator[ServerProcess]:
    server = ServerProcess(server_data, workers=2).start()
    try:
        yield server
    finally:
        server.kill()


def _uploaded(bidder: Bidder, tender_id: str, bid: Path) -> str:
    """An upload of ``bid`` holding every byte, not yet completed."""
    sha256, size = file_sha256(bid)
    statement = submission_statement(tender_id=tender_id, tender_version=1, envelope_sha256=sha256, size=size,
                                     bidder=bidder.identity)
    upload = UploadOut.model_validate(bidder.client.post_json("/api/v1/uploads", {
        "tender_id": tender_id, "tender_version": 1, "size": size, "sha256": sha256,
        "statement_signature": b64(bidder.sign(statement))}))
    Uploader(bidder.client)._send_missing(bid, upload)
    return upload.id


def _recorded_order(data: Path, submission_ids: list[str]) -> list[str]:
    """The submissions in the order the server recorded them (their audit chain entries)."""
    from server.audit.models import AuditEntry

    with db_session(data) as db:
        return list(db.execute(select(AuditEntry.object_id).where(
            AuditEntry.action == "submission.submit", AuditEntry.object_id.in_(submission_ids))
            .order_by(AuditEntry.seq)).scalars())


def _wait_for(path: Path, what: str) -> None:
    deadline = time.monotonic() + 60
    while not path.exists():
        assert time.monotonic() < deadline, what
        time.sleep(0.01)


@pytest.mark.parametrize("held", [True, False], ids=["first-recorded-last", "in-order"])
@pytest.mark.parametrize("first", ["large", "small"])
def test_the_completion_that_arrived_last_is_active(two_workers: ServerProcess, holds: Path,
                                                     bids: tuple[Path, Path], pki, first: str,  # type: ignore[no-untyped-def]
                                                     held: bool) -> None:
    tender_id = make_tender(two_workers.data)
    bidder = login(two_workers.url, pki, "ent-a")
    large, small = bids
    uploads = {"large": _uploaded(bidder, tender_id, large), "small": _uploaded(bidder, tender_id, small)}
    second = "small" if first == "large" else "large"
    out: dict[str, SubmissionOut] = {}
    errors: list[BaseException] = []

    def complete(which: str) -> None:
        try:
            out[which] = SubmissionOut.model_validate(
                bidder.client.sibling().post_json(f"/api/v1/uploads/{uploads[which]}/complete", {}))
        except BaseException as ex:
            errors.append(ex)

    hold = holds / f"{uploads[first]}.hold"
    if held:
        hold.touch()
    threads = {which: threading.Thread(target=complete, args=(which,)) for which in (first, second)}
    threads[first].start()
    if held:  # the first completion arrived and its bytes were checked; it is not recorded yet
        _wait_for(holds / f"{uploads[first]}.held", "the first completion never reached the hold")
    else:
        threads[first].join(timeout=60)
    time.sleep(0.05)
    threads[second].start()
    threads[second].join(timeout=60)
    hold.unlink(missing_ok=True)
    threads[first].join(timeout=60)
    assert not errors, errors

    ca = _server_ca(two_workers.url)
    receipts = {which: verify_receipt(out[which].receipt, server_ca=ca) for which in out}
    # Arrival order as sent (the receipts' times); recording order as intended (the audit chain).
    assert receipts[first].time < receipts[second].time
    recorded = _recorded_order(two_workers.data, [out["large"].id, out["small"].id])
    assert recorded == [out[second].id, out[first].id] if held else [out[first].id, out[second].id]

    winner, loser = out[second], out[first]
    mine = {s["id"]: s for s in bidder.client.get_json(f"/api/v1/submissions?tender_id={tender_id}")}
    assert (mine[winner.id]["status"], mine[loser.id]["status"]) == ("active", "replaced")
    # Each receipt says what the server did when it issued it; the one recorded after the later arrival
    # never claims to be active.
    assert receipts[second].content["status"] == "active"
    assert out[second].status == "active"
    if held:  # recorded after its replacement: it names it, and replaced nothing
        assert receipts[first].content["status"] == "replaced"
        assert receipts[first].content["replaced_by"] == winner.id
        assert receipts[first].content["replaces"] is None and receipts[second].content["replaces"] is None
        assert out[first].status == "replaced"
    else:  # recorded in arrival order: active until the later one, whose receipt says it replaces it
        assert receipts[first].content["status"] == "active"
        assert receipts[second].content["replaces"] == loser.id


def test_completions_recorded_at_once_keep_the_last_arrival_active(two_workers: ServerProcess, holds: Path,
                                                                    bids: tuple[Path, Path], pki) -> None:  # type: ignore[no-untyped-def]
    """Four completions arrive one after another, are all held after their hash, then released at once: the
    two worker processes record them concurrently, in no particular order. The last to arrive is active,
    every other is replaced, and no receipt claims to have replaced a submission that arrived after it."""
    tender_id = make_tender(two_workers.data)
    bidder = login(two_workers.url, pki, "ent-a")
    _, small = bids
    copies = []
    for i in range(4):  # four different bids: the same envelope under different sizes would not be sealed
        copy = small.parent / f"small-{tender_id}-{i}.bid"
        sealed_bid(copy, pki, SMALL + i)
        copies.append(copy)
    uploads = [_uploaded(bidder, tender_id, copy) for copy in copies]
    out: dict[int, SubmissionOut] = {}
    errors: list[BaseException] = []

    def complete(i: int) -> None:
        try:
            out[i] = SubmissionOut.model_validate(
                bidder.client.sibling().post_json(f"/api/v1/uploads/{uploads[i]}/complete", {}))
        except BaseException as ex:
            errors.append(ex)

    threads = []
    for i, upload_id in enumerate(uploads):
        (holds / f"{upload_id}.hold").touch()
        threads.append(threading.Thread(target=complete, args=(i,)))
        threads[-1].start()
        _wait_for(holds / f"{upload_id}.held", f"completion {i} never reached the hold")
    for upload_id in uploads:
        (holds / f"{upload_id}.hold").unlink()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors

    ca = _server_ca(two_workers.url)
    receipts = [verify_receipt(out[i].receipt, server_ca=ca) for i in range(4)]
    assert [r.time for r in receipts] == sorted(r.time for r in receipts)  # arrival order as sent
    mine = {s["id"]: s["status"] for s in bidder.client.get_json(f"/api/v1/submissions?tender_id={tender_id}")}
    assert [mine[out[i].id] for i in range(4)] == ["replaced"] * 3 + ["active"]
    arrival = {out[i].id: receipts[i].time for i in range(4)}
    for receipt in receipts:
        if receipt.content["replaces"]:
            assert arrival[receipt.content["replaces"]] < receipt.time
        if receipt.content["status"] == "replaced":
            assert arrival[receipt.content["replaced_by"]] > receipt.time


def _server_ca(url: str):  # type: ignore[no-untyped-def]
    import requests
    from cryptography import x509

    pem = requests.get(url + "/api/v1/server/certificates", timeout=10).json()["ca"]
    return x509.load_pem_x509_certificate(pem.encode("ascii"))
