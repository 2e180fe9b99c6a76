"""Sealed-bid submission over real HTTP on SQLite and PostgreSQL: resumable upload, signed statement,
receipts verified offline and by `openssl ts -verify`, replace and withdraw, the opening-time gate."""

from __future__ import annotations

import base64
import hashlib
import json
import subprocess
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import requests

from bidclient import receipts
from bidclient.api_client import ApiError
from bidclient.protocol.submission import ReceiptFile, SubmissionOut
from bidclient.submit import SubmitCancelled, SubmitError, Uploader, receipt_path, state_path
from tests.server.submission_helpers import clarify, login, make_tender, sealed_bid, set_times

CHUNK = 64 << 10


def _submit(bidder, bid: Path, tender_id: str, version: int = 1, *, sealed_as: tuple[str, int] | None = None,  # type: ignore[no-untyped-def]
            **kwargs) -> SubmissionOut:
    return Uploader(bidder.client, chunk_size=CHUNK, **kwargs).submit(
        bid, tender_id=tender_id, tender_version=version, bidder=bidder.identity, sign=bidder.sign,
        sealed_as=sealed_as)


def _audit_actions(data: Path) -> list[str]:
    from sqlalchemy import select

    from server.audit.models import AuditEntry
    from tests.server.submission_helpers import db_session

    with db_session(data) as db:
        return list(db.execute(select(AuditEntry.action).order_by(AuditEntry.seq)).scalars())


def test_submit_then_verify_receipt_offline_and_with_openssl(live_server, pki, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    tender_id = make_tender(live_server.data)
    bidder = login(live_server.url, pki, "ent-a")
    bid = sealed_bid(tmp_path / "a.bid", pki, 300_000)
    seen: list[tuple[int, int]] = []
    out = _submit(bidder, bid, tender_id, progress=lambda held, total: seen.append((held, total)))

    assert out.status == "active" and out.tender_id == tender_id and out.bidder == bidder.identity
    assert out.envelope_sha256 == hashlib.sha256(bid.read_bytes()).hexdigest()
    assert out.size == bid.stat().st_size
    assert seen[-1] == (bid.stat().st_size, bid.stat().st_size) and len(seen) > 3
    assert not state_path(bid).exists()  # nothing left to resume

    ca = receipts.pinned_server_ca(bidder.client)
    receipts.save_receipt(receipt_path(bid), out.receipt, ca)
    loaded = receipts.load_receipt(receipt_path(bid))
    verified = receipts.verify_receipt(loaded, bid=bid)
    assert verified.kind == "submission" and verified.bid_checked
    assert verified.tender_id == tender_id and verified.bidder == bidder.identity
    assert abs(verified.time - datetime.now(UTC)) < timedelta(minutes=1)

    # Another bid file does not match the receipt.
    other = sealed_bid(tmp_path / "other.bid", pki, 1000)
    with pytest.raises(receipts.ReceiptError) as caught:
        receipts.verify_receipt(loaded, bid=other)
    assert caught.value.code == "receipt.bid_mismatch"

    # A receipt whose content was edited fails, whichever copy is edited.
    content = json.loads(base64.b64decode(loaded.content))
    content["size"] += 1
    forged = loaded.model_copy(update={"content": base64.b64encode(json.dumps(content).encode()).decode(),
                                       "receipt": content})
    with pytest.raises(receipts.ReceiptError) as caught:
        receipts.verify_receipt(forged)
    assert caught.value.code == "receipt.signature_invalid"
    with pytest.raises(receipts.ReceiptError) as caught:
        receipts.verify_receipt(loaded.model_copy(update={"receipt": content}))
    assert caught.value.code == "receipt.tampered"

    # openssl ts -verify accepts the timestamp over the receipt content, chained to the server CA.
    (tmp_path / "content.json").write_bytes(base64.b64decode(loaded.content))
    (tmp_path / "token.der").write_bytes(base64.b64decode(loaded.timestamp_token))
    assert loaded.server_ca is not None
    (tmp_path / "server-ca.pem").write_text(loaded.server_ca)
    done = subprocess.run(["openssl", "ts", "-verify", "-data", str(tmp_path / "content.json"), "-in",
                           str(tmp_path / "token.der"), "-token_in", "-CAfile", str(tmp_path / "server-ca.pem")],
                          capture_output=True, text=True, check=False)
    assert done.returncode == 0 and "Verification: OK" in done.stdout, done.stderr
    # ... and the server's CMS signature verifies with openssl cms as well.
    (tmp_path / "receipt.p7s").write_bytes(base64.b64decode(loaded.signature))
    done = subprocess.run(["openssl", "cms", "-verify", "-binary", "-inform", "DER", "-in",
                           str(tmp_path / "receipt.p7s"), "-content", str(tmp_path / "content.json"),
                           "-CAfile", str(tmp_path / "server-ca.pem"), "-purpose", "any", "-out", "/dev/null"],
                          capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    # openssl refuses the token for other data.
    (tmp_path / "content.json").write_bytes(base64.b64decode(forged.content))
    done = subprocess.run(["openssl", "ts", "-verify", "-data", str(tmp_path / "content.json"), "-in",
                           str(tmp_path / "token.der"), "-token_in", "-CAfile", str(tmp_path / "server-ca.pem")],
                          capture_output=True, text=True, check=False)
    assert done.returncode != 0

    actions = _audit_actions(live_server.data)
    assert actions.index("upload.create") < actions.index("upload.complete") < actions.index("submission.submit")


def test_builtin_tsa_answers_openssl_ts_queries(live_server, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    data = tmp_path / "doc.txt"
    data.write_bytes(b"any document")
    query = tmp_path / "q.tsq"
    subprocess.run(["openssl", "ts", "-query", "-data", str(data), "-sha256", "-cert", "-out", str(query)],
                   check=True, capture_output=True)
    response = requests.post(live_server.url + "/api/v1/tsa", data=query.read_bytes(),
                             headers={"Content-Type": "application/timestamp-query"}, timeout=10)
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/timestamp-reply"
    (tmp_path / "r.tsr").write_bytes(response.content)
    certs = requests.get(live_server.url + "/api/v1/server/certificates", timeout=10).json()
    (tmp_path / "ca.pem").write_text(certs["ca"])
    done = subprocess.run(["openssl", "ts", "-verify", "-queryfile", str(query), "-in", str(tmp_path / "r.tsr"),
                           "-CAfile", str(tmp_path / "ca.pem")], capture_output=True, text=True, check=False)
    assert done.returncode == 0 and "Verification: OK" in done.stdout, done.stderr
    garbage = requests.post(live_server.url + "/api/v1/tsa", data=b"not a query",
                            headers={"Content-Type": "application/timestamp-query"}, timeout=10)
    assert garbage.status_code == 200  # RFC 3161: a rejection is a TimeStampResp with a failure status
    (tmp_path / "bad.tsr").write_bytes(garbage.content)
    shown = subprocess.run(["openssl", "ts", "-reply", "-in", str(tmp_path / "bad.tsr"), "-text"],
                           capture_output=True, text=True, check=False)
    assert "Rejected" in shown.stdout


def test_chunks_duplicated_out_of_order_and_status_ranges(live_server, pki, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    tender_id = make_tender(live_server.data)
    bidder = login(live_server.url, pki, "ent-b")
    bid = sealed_bid(tmp_path / "b.bid", pki, 200_000)
    data = bid.read_bytes()
    from bidclient.protocol.submission import b64, submission_statement

    sha = hashlib.sha256(data).hexdigest()
    statement = submission_statement(tender_id=tender_id, tender_version=1, envelope_sha256=sha, size=len(data),
                                     bidder=bidder.identity)
    up = bidder.client.post_json("/api/v1/uploads", {"tender_id": tender_id, "tender_version": 1, "size": len(data),
                                                     "sha256": sha, "statement_signature": b64(bidder.sign(statement))})
    uid = up["id"]
    assert up["received"] == [] and up["state"] == "open"

    def put(offset: int, chunk: bytes, digest: str | None = None) -> requests.Response:
        return requests.put(f"{live_server.url}/api/v1/uploads/{uid}/chunks/{offset}", data=chunk, timeout=10,
                            headers={"Authorization": f"Bearer {bidder.client.token}",
                                     "X-Chunk-SHA256": digest or hashlib.sha256(chunk).hexdigest()})

    pieces = [(o, data[o:o + CHUNK]) for o in range(0, len(data), CHUNK)]
    last_offset, last = pieces[-1]
    first = put(last_offset, last)  # out of order: the end first
    assert first.status_code == 200, first.text
    assert first.json()["received"] == [[last_offset, len(data)]]
    again = put(last_offset, last)  # an exact duplicate is accepted and changes nothing
    assert again.status_code == 200 and again.json()["duplicate"] is True
    different = put(last_offset, bytes(len(last)))  # the same range with other bytes is refused
    assert different.status_code == 409 and different.json()["code"] == "upload.chunk_conflict"
    wrong_hash = put(0, pieces[0][1], "0" * 64)
    assert wrong_hash.status_code == 422 and wrong_hash.json()["code"] == "upload.chunk_hash_mismatch"
    out_of_range = put(len(data) - 10, b"x" * 100)
    assert out_of_range.status_code == 416 and out_of_range.json()["code"] == "upload.chunk_out_of_range"
    overlapping = put(last_offset - 100, data[last_offset - 100:last_offset + 65436])
    assert overlapping.status_code == 409 and overlapping.json()["code"] == "upload.chunk_conflict"
    too_small = put(0, data[:1000])
    assert too_small.status_code == 422 and too_small.json()["code"] == "upload.chunk_too_small"

    status = requests.head(f"{live_server.url}/api/v1/uploads/{uid}", timeout=10,
                           headers={"Authorization": f"Bearer {bidder.client.token}"})
    assert status.headers["X-Received-Ranges"] == f"{last_offset}-{len(data) - 1}"
    with pytest.raises(ApiError) as caught:  # completing early names what is missing
        bidder.client.post_json(f"/api/v1/uploads/{uid}/complete", {})
    assert caught.value.code == "upload.incomplete"
    assert caught.value.problem["missing"] == [[0, last_offset]]

    for offset, chunk in reversed(pieces[:-1]):
        assert put(offset, chunk).status_code == 200
    status = bidder.client.get_json(f"/api/v1/uploads/{uid}")
    assert status["received"] == [[0, len(data)]] and status["received_bytes"] == len(data)
    done = SubmissionOut.model_validate(bidder.client.post_json(f"/api/v1/uploads/{uid}/complete", {}))
    assert done.envelope_sha256 == sha
    repeat = SubmissionOut.model_validate(bidder.client.post_json(f"/api/v1/uploads/{uid}/complete", {}))
    assert repeat.id == done.id  # a retried completion is the same submission, not a second one
    late_chunk = put(0, pieces[0][1])
    assert late_chunk.status_code == 409 and late_chunk.json()["code"] == "upload.closed"


def test_replace_and_withdraw(live_server, pki, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from bidclient.submit import withdraw

    tender_id = make_tender(live_server.data)
    bidder = login(live_server.url, pki, "ent-a")
    first = _submit(bidder, sealed_bid(tmp_path / "1.bid", pki, 100_000), tender_id)
    second = _submit(bidder, sealed_bid(tmp_path / "2.bid", pki, 120_000), tender_id)
    assert second.replaces == first.id and second.receipt.receipt["replaces"] == first.id
    mine = {s["id"]: s["status"] for s in bidder.client.get_json(f"/api/v1/submissions?tender_id={tender_id}")}
    assert mine == {first.id: "replaced", second.id: "active"}
    # The same enterprise through its other CA's certificate is the same bidder: it replaces, not adds.
    same = login(live_server.url, pki, "ent-a-ec")
    third = _submit(same, sealed_bid(tmp_path / "3.bid", pki, 90_000), tender_id)
    assert third.replaces == second.id

    gone = withdraw(same.client, tender_id=tender_id, bidder=same.identity, sign=same.sign)
    assert gone.status == "withdrawn" and gone.withdrawal_receipt is not None
    ca = receipts.pinned_server_ca(same.client)
    verified = receipts.verify_receipt(gone.withdrawal_receipt, server_ca=ca)
    assert verified.kind == "withdrawal" and verified.submission_id == third.id
    with pytest.raises(SubmitError) as caught:
        withdraw(same.client, tender_id=tender_id, bidder=same.identity, sign=same.sign)
    assert caught.value.code == "submission.not_found"
    actions = _audit_actions(live_server.data)
    assert actions.count("submission.replace") == 2 and actions.count("submission.withdraw") == 1


def test_hash_recorded_at_sealing_is_used_and_a_bid_changed_since_is_refused(live_server, pki, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    tender_id = make_tender(live_server.data)
    bidder = login(live_server.url, pki, "ent-a")
    bid = sealed_bid(tmp_path / "a.bid", pki, 300_000)
    genuine = bid.read_bytes()
    sealed_as = (hashlib.sha256(genuine).hexdigest(), len(genuine))

    # Damaged after sealing, same size: every chunk arrives intact, the server finds the whole wrong.
    damaged = bytearray(genuine)
    damaged[len(damaged) // 2] ^= 0x01
    bid.write_bytes(damaged)
    with pytest.raises(SubmitError) as caught:
        _submit(bidder, bid, tender_id, sealed_as=sealed_as)
    assert caught.value.code == "submission.bid_changed" and sealed_as[0] in str(caught.value)
    assert not state_path(bid).exists()  # that upload can never complete: the next try starts afresh
    assert bidder.client.get_json(f"/api/v1/submissions?tender_id={tender_id}") == []

    # Shorter than sealed: refused before anything is sent.
    bid.write_bytes(genuine[:-1])
    with pytest.raises(SubmitError) as caught:
        _submit(bidder, bid, tender_id, sealed_as=sealed_as)
    assert caught.value.code == "submission.bid_changed" and f"{len(genuine) - 1} bytes" in str(caught.value)
    assert not state_path(bid).exists()

    bid.write_bytes(genuine)
    out = _submit(bidder, bid, tender_id, sealed_as=sealed_as)
    assert (out.envelope_sha256, out.size) == sealed_as
    assert receipts.verify_receipt(out.receipt, server_ca=receipts.pinned_server_ca(bidder.client), bid=bid).bid_checked


@pytest.mark.parametrize("line", ["fast", "slow"])
def test_chunks_grow_on_a_fast_line_and_not_on_a_slow_one(live_server, pki, tmp_path: Path, line: str,  # type: ignore[no-untyped-def]
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """The default (adaptive) chunk size: 8 MiB, doubled up to the server's max_chunk_size (16 MiB) while
    chunks are acknowledged quickly, never shrunk. Which line counts as fast is set here, so that the
    test does not depend on this machine's speed."""
    from sqlalchemy import select

    import bidclient.submit as submit_module
    from server.submissions.models import UploadRange
    from tests.server.submission_helpers import db_session

    monkeypatch.setattr(submit_module, "GROW_BELOW_SECONDS", 3600.0 if line == "fast" else 0.0)
    tender_id = make_tender(live_server.data)
    bidder = login(live_server.url, pki, "ent-a")
    bid = sealed_bid(tmp_path / "big.bid", pki, 100 << 20)
    stop = threading.Event()

    def stop_after_a_chunk(held: int, _total: int) -> None:
        if held > 0:
            stop.set()

    with pytest.raises(SubmitCancelled):  # interrupted, then resumed with the same adaptive sizes
        Uploader(bidder.client, progress=stop_after_a_chunk, cancel=stop).submit(
            bid, tender_id=tender_id, tender_version=1, bidder=bidder.identity, sign=bidder.sign)
    out = Uploader(bidder.client).submit(bid, tender_id=tender_id, tender_version=1, bidder=bidder.identity,
                                         sign=bidder.sign)
    assert out.envelope_sha256 == hashlib.sha256(bid.read_bytes()).hexdigest()
    with db_session(live_server.data) as db:
        lengths = list(db.execute(select(UploadRange.length).order_by(UploadRange.offset)).scalars())
    assert sum(lengths) == bid.stat().st_size
    assert lengths[0] == 8 << 20
    if line == "fast":
        assert max(lengths) == 16 << 20  # the server's max_chunk_size
    else:
        assert max(lengths) == 8 << 20


def test_sealed_bid_download_is_refused_before_opening_even_for_admin(live_server, pki, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    tender_id = make_tender(live_server.data)
    owner = login(live_server.url, pki, "ent-a")
    bid = sealed_bid(tmp_path / "a.bid", pki, 50_000)
    sub = _submit(owner, bid, tender_id)
    opener_key = login(live_server.url, pki, "opener-1").identity
    for role in ("admin", "opening_staff", "supervisor"):
        assert live_server.admin("grant", "--identity", opener_key, "--role", role) == 0
    staff = login(live_server.url, pki, "opener-1")
    for who in (owner, staff):
        response = requests.get(f"{live_server.url}/api/v1/submissions/{sub.id}/envelope", timeout=10,
                                headers={"Authorization": f"Bearer {who.client.token}"})
        assert response.status_code == 403
        assert response.json()["code"] == "submission.sealed_until_opening"
    with pytest.raises(ApiError) as caught:  # staff cannot even learn who submitted before the opening
        staff.client.get_json(f"/api/v1/tenders/{tender_id}/submissions")
    assert caught.value.code == "submission.sealed_until_opening"

    past = datetime.now(UTC) - timedelta(seconds=1)
    set_times(live_server.data, tender_id, deadline=past - timedelta(minutes=1), opening=past)
    other = login(live_server.url, pki, "ent-b")
    response = requests.get(f"{live_server.url}/api/v1/submissions/{sub.id}/envelope", timeout=10,
                            headers={"Authorization": f"Bearer {other.client.token}"})
    assert response.status_code == 403, response.text  # another bidder never
    for who in (owner, staff):
        response = requests.get(f"{live_server.url}/api/v1/submissions/{sub.id}/envelope", timeout=10,
                                headers={"Authorization": f"Bearer {who.client.token}"})
        assert response.status_code == 200 and response.content == bid.read_bytes()
    listed = staff.client.get_json(f"/api/v1/tenders/{tender_id}/submissions")
    assert [s["id"] for s in listed] == [sub.id]
    assert "submission.download" in _audit_actions(live_server.data)


def test_stale_version_is_refused_naming_both_versions(live_server, pki, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    tender_id = make_tender(live_server.data)
    bidder = login(live_server.url, pki, "ent-a")
    assert clarify(live_server.data, tender_id) == 2
    with pytest.raises(ApiError) as caught:
        _submit(bidder, sealed_bid(tmp_path / "a.bid", pki, 10_000), tender_id, version=1)
    assert caught.value.code == "submission.stale_version"
    assert "sealed against version 1" in caught.value.message and "current is version 2" in caught.value.message
    assert _submit(bidder, tmp_path / "a.bid", tender_id, version=2).tender_version == 2


def test_clarification_during_upload_makes_completion_stale(live_server, pki, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    import threading

    tender_id = make_tender(live_server.data)
    bidder = login(live_server.url, pki, "ent-a")
    bid = sealed_bid(tmp_path / "a.bid", pki, 200_000)
    stop = threading.Event()

    def progress(held: int, total: int) -> None:
        if held >= CHUNK:
            stop.set()

    with pytest.raises(SubmitCancelled):
        _submit(bidder, bid, tender_id, progress=progress, cancel=stop)
    clarify(live_server.data, tender_id)
    with pytest.raises(ApiError) as caught2:
        _submit(bidder, bid, tender_id)
    assert caught2.value.code == "submission.stale_version"


def test_deadline_by_the_server_clock(live_server, pki, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    import threading

    tender_id = make_tender(live_server.data, deadline_in=timedelta(seconds=3))
    bidder = login(live_server.url, pki, "ent-a")
    bid = sealed_bid(tmp_path / "a.bid", pki, 200_000)
    stop = threading.Event()
    with pytest.raises(SubmitCancelled):
        _submit(bidder, bid, tender_id, progress=lambda held, total: held >= CHUNK and stop.set(), cancel=stop)
    upload_id = json.loads(state_path(bid).read_text())["upload_id"]
    time.sleep(3.2)
    with pytest.raises(ApiError) as caught:  # the rest of the upload arrives too late
        _submit(bidder, bid, tender_id)
    assert caught.value.code == "submission.deadline_passed"
    with pytest.raises(ApiError) as caught:
        bidder.client.post_json(f"/api/v1/uploads/{upload_id}/complete", {})
    assert caught.value.code in ("submission.deadline_passed", "upload.incomplete")
    with pytest.raises(ApiError) as caught:  # and no new upload can start
        Uploader(bidder.client, chunk_size=CHUNK).submit(sealed_bid(tmp_path / "b.bid", pki, 1000),
                                                         tender_id=tender_id, tender_version=1,
                                                         bidder=bidder.identity, sign=bidder.sign)
    assert caught.value.code == "submission.deadline_passed"
    assert bidder.client.get_json(f"/api/v1/submissions?tender_id={tender_id}") == []


def test_receipt_file_round_trip_is_pydantic(tmp_path: Path) -> None:
    bad = tmp_path / "x.receipt"
    bad.write_text('{"format": "something else"}')
    with pytest.raises(receipts.ReceiptError) as caught:
        receipts.load_receipt(bad)
    assert caught.value.code == "receipt.malformed"
    assert ReceiptFile.model_fields["format"].default == "bidclient-receipt/1"
