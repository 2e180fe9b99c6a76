"""Submitting a sealed bid: the signed statement, a resumable chunked upload, the receipt.

The upload's state is kept next to the bid (``BID.upload``), written before the first chunk, so a client
that is interrupted — by the user, a crash, a lost line — resumes where the server says it stopped: the
server is asked which byte ranges it holds, and only the missing ones are sent. Memory use is one chunk
per connection (``parallel``).
"""

from __future__ import annotations

import hashlib
import json
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import BinaryIO
from urllib.parse import quote

from bidclient.api_client import ApiClient, ApiError
from bidclient.atomic import write_atomically
from bidclient.errors import BidclientError
from bidclient.protocol.submission import (
    CHUNK_SHA256_HEADER,
    SubmissionOut,
    UploadOut,
    b64,
    submission_statement,
    withdrawal_statement,
)
from bidclient.receipts import (
    VerifiedReceipt,
    file_sha256,
    pinned_server_ca,
    save_receipt,
    verify_receipt_file,
)
from bidclient.signing import Sign

DEFAULT_CHUNK_SIZE = 8 << 20  # where an adaptive upload starts, and what a slow or busy line keeps
# An adaptive upload doubles its chunks (up to the server's max_chunk_size) while a chunk takes less than
# this to send and acknowledge: a fast line spends less of its time on per-chunk round trips and flushes,
# while an interrupted chunk still costs at most about this long to send again. It never shrinks them:
# a server slowed by a deadline rush must not be sent more, smaller requests.
GROW_BELOW_SECONDS = 1.0
MIN_CHUNK_SIZE = 64 << 10  # the server refuses shorter chunks except the one that ends the file
# A chunk's bytes go out under requests' *connect* timeout (urllib3 applies it to sending the body), so
# with the default 5 s a server busy with a deadline rush, which reads slowly, looked unreachable and the
# chunk was sent again from scratch, adding to the load. A stalled send may last this long instead.
CHUNK_TIMEOUT = (60.0, 120.0)  # connect and send, read
DEFAULT_PARALLEL = 3  # chunks in flight at once, each on its own connection
Progress = Callable[[int, int], None]  # bytes the server holds, total bytes
_MAX_ROUNDS = 5


class SubmitError(BidclientError):
    code = "submission.failed"


class SubmitCancelled(BidclientError):
    code = "submission.cancelled"


def state_path(bid: Path) -> Path:
    return bid.with_name(bid.name + ".upload")


def receipt_path(bid: Path) -> Path:
    return bid.with_name(bid.name + ".receipt")


@dataclass(frozen=True)
class UploadState:
    server: str
    upload_id: str
    tender_id: str
    tender_version: int
    sha256: str
    size: int


def load_state(bid: Path) -> UploadState | None:
    try:
        data = json.loads(state_path(bid).read_text(encoding="utf-8"))
        return UploadState(server=str(data["server"]), upload_id=str(data["upload_id"]),
                           tender_id=str(data["tender_id"]), tender_version=int(data["tender_version"]),
                           sha256=str(data["sha256"]), size=int(data["size"]))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _save_state(bid: Path, state: UploadState) -> None:
    write_atomically(state_path(bid), json.dumps(asdict(state), indent=2).encode("utf-8"), overwrite=True)


class Uploader:
    """Uploads one sealed bid resumably. ``cancel`` (a threading.Event) stops between chunks; what the
    server acknowledged is kept and the next run resumes from it."""

    def __init__(self, client: ApiClient, *, chunk_size: int | None = None, progress: Progress | None = None,
                 cancel: threading.Event | None = None, parallel: int = DEFAULT_PARALLEL) -> None:
        """``chunk_size``: fixed; None (the default) starts at DEFAULT_CHUNK_SIZE and grows on a fast line."""
        self.client = client
        self.chunk_size = chunk_size
        self.parallel = parallel
        self._held = 0
        self.progress = progress
        self.cancel = cancel or threading.Event()

    def submit(self, bid: Path, *, tender_id: str, tender_version: int, bidder: str, sign: Sign,
               sealed_as: tuple[str, int] | None = None) -> SubmissionOut:
        """Submit ``bid``; returns the submission with its receipt. Resumes a stored upload of the same bid.

        ``sealed_as``: the envelope's SHA-256 and size recorded when it was sealed. The file is then not
        read in full before the upload starts (a second or so per GiB); the server checks every byte
        against that hash at completion, and a file changed since sealing is refused there, with
        nothing submitted."""
        if sealed_as is not None:
            sha256, size = sealed_as
            try:
                actual_size = bid.stat().st_size
            except FileNotFoundError:
                raise BidclientError(f"{bid} does not exist", code="io.input_missing") from None
            if actual_size != size:
                raise SubmitError(f"{bid} has {actual_size} bytes, but {size} were sealed: the file changed after "
                                  "sealing", code="submission.bid_changed")
        else:
            sha256, size = file_sha256(bid)
        upload = self._resume(bid, tender_id, tender_version, sha256, size)
        if upload is None:
            statement = submission_statement(tender_id=tender_id, tender_version=tender_version,
                                             envelope_sha256=sha256, size=size, bidder=bidder)
            upload = UploadOut.model_validate(self.client.post_json("/api/v1/uploads", {
                "tender_id": tender_id, "tender_version": tender_version, "size": size, "sha256": sha256,
                "statement_signature": b64(sign(statement))}))
            _save_state(bid, UploadState(self.client.base_url, upload.id, tender_id, tender_version, sha256, size))
        for _round in range(_MAX_ROUNDS):
            if upload.state == "open":
                self._send_missing(bid, upload)
            try:
                if upload.state == "completed" and upload.submission_id:
                    out = SubmissionOut.model_validate(
                        self.client.get_json(f"/api/v1/submissions/{upload.submission_id}"))
                else:
                    out = SubmissionOut.model_validate(
                        self.client.post_json(f"/api/v1/uploads/{upload.id}/complete", {}))
            except ApiError as ex:
                if ex.code == "upload.hash_mismatch" and sealed_as is not None:
                    state_path(bid).unlink(missing_ok=True)  # this upload can never complete
                    raise SubmitError(f"{bid} is not the file that was sealed (its SHA-256 was {sha256} at sealing); "
                                      "it changed afterwards", code="submission.bid_changed") from None
                if ex.code != "upload.incomplete":
                    raise
                upload = self.status(upload.id)
                continue
            state_path(bid).unlink(missing_ok=True)
            return out
        raise SubmitError("the server kept reporting missing data; try again later", code="submission.failed")

    def status(self, upload_id: str) -> UploadOut:
        return UploadOut.model_validate(self.client.get_json(f"/api/v1/uploads/{upload_id}"))

    def _resume(self, bid: Path, tender_id: str, version: int, sha256: str, size: int) -> UploadOut | None:
        state = load_state(bid)
        if state is None or (state.server, state.tender_id, state.tender_version, state.sha256, state.size) != (
                self.client.base_url, tender_id, version, sha256, size):
            return None
        try:
            return self.status(state.upload_id)
        except ApiError as ex:
            if ex.code == "upload.not_found":
                return None  # e.g. another account, or a server that was reset: start afresh
            raise

    def _send_missing(self, bid: Path, upload: UploadOut) -> None:
        """Send every range the server does not hold, ``parallel`` chunks at a time: while the server
        makes one chunk durable (fdatasync) the next is already on the wire."""
        limit = max(1, upload.max_chunk_size)
        pieces = _Pieces(_gaps(upload.received, upload.size), upload.size,
                         min(self.chunk_size or DEFAULT_CHUNK_SIZE, limit), limit, grow=self.chunk_size is None)
        self._held = upload.received_bytes
        self._report(self._held, upload.size)
        if pieces.empty:
            return
        workers = max(1, min(self.parallel, pieces.count_at_most(self.parallel)))
        clients = [self.client] + [self.client.sibling() for _ in range(workers - 1)]
        lock = threading.Lock()
        stop = threading.Event()  # a worker failed or asked for a new round: the others stop too
        errors: list[BaseException] = []

        def next_piece() -> tuple[int, int] | None:
            with lock:
                return None if stop.is_set() else pieces.take()

        def work(client: ApiClient) -> None:
            try:
                with open(bid, "rb") as f:
                    while (piece := next_piece()) is not None:
                        if self.cancel.is_set():
                            raise SubmitCancelled("the upload was stopped; run the same command again to resume",
                                                  code="submission.cancelled")
                        offset, length = piece
                        started = time.monotonic()
                        if not self._send_chunk(client, f, bid, upload.id, offset, length):
                            stop.set()  # the next round asks the server again what it holds
                            return
                        took = time.monotonic() - started
                        with lock:
                            pieces.sent(length, took)
                            self._held += length
                            held = self._held
                        self._report(held, upload.size)
            except BaseException as ex:
                stop.set()
                with lock:
                    errors.append(ex)

        threads = [threading.Thread(target=work, args=(c,), name=f"upload-{i}", daemon=True)
                   for i, c in enumerate(clients[1:], 1)]
        for thread in threads:
            thread.start()
        work(clients[0])
        for thread in threads:
            thread.join()
        if errors:
            raise errors[0]

    def _send_chunk(self, client: ApiClient, f: BinaryIO, bid: Path, upload_id: str, offset: int,
                    length: int) -> bool:
        """PUT one chunk; False when the server asks for a new round (interrupted or conflicting chunk)."""
        f.seek(offset)
        data = f.read(length)
        if len(data) != length:
            raise SubmitError(f"{bid} changed during the upload", code="submission.bid_changed")
        try:
            client.request("PUT", f"/api/v1/uploads/{upload_id}/chunks/{offset}", data=data,
                           headers={CHUNK_SHA256_HEADER: hashlib.sha256(data).hexdigest(),
                                    "Content-Type": "application/octet-stream"},
                           timeout=CHUNK_TIMEOUT)
        except ApiError as ex:
            if ex.code not in ("upload.chunk_interrupted", "upload.chunk_conflict"):
                raise
            return False
        return True

    def _report(self, held: int, total: int) -> None:
        if self.progress is not None:
            self.progress(held, total)


class _Pieces:
    """Cuts the missing ranges into chunks, in order, at the current chunk size (which may grow while the
    upload runs). Not thread-safe: the caller holds a lock."""

    def __init__(self, gaps: list[tuple[int, int]], total: int, size: int, limit: int, *, grow: bool) -> None:
        self._gaps = deque((start, end) for start, end in gaps if end > start)
        self._total = total
        self.size = size
        self._limit = limit
        self._grow = grow

    @property
    def empty(self) -> bool:
        return not self._gaps

    def count_at_most(self, n: int) -> int:
        """How many chunks are left, counting no further than ``n``."""
        count = 0
        for start, end in self._gaps:
            count += -(-(end - start) // self.size)
            if count >= n:
                return n
        return count

    def take(self) -> tuple[int, int] | None:
        if not self._gaps:
            return None
        start, end = self._gaps[0]
        length = min(self.size, end - start)
        rest = end - start - length
        if 0 < rest < MIN_CHUNK_SIZE and end < self._total:  # only the file's last piece may be that short
            length = length + rest if length + rest <= self._limit else length - MIN_CHUNK_SIZE
        if start + length >= end:
            self._gaps.popleft()
        else:
            self._gaps[0] = (start + length, end)
        return start, length

    def sent(self, length: int, seconds: float) -> None:
        """A chunk of ``length`` was acknowledged ``seconds`` after it started."""
        if self._grow and length >= self.size and seconds < GROW_BELOW_SECONDS:
            self.size = min(self.size * 2, self._limit)


def _gaps(have: list[tuple[int, int]], size: int) -> list[tuple[int, int]]:
    gaps, pos = [], 0
    for start, end in sorted(have):
        if start > pos:
            gaps.append((pos, start))
        pos = max(pos, end)
    if pos < size:
        gaps.append((pos, size))
    return gaps


def active_submission(client: ApiClient, tender_id: str) -> SubmissionOut:
    listed = client.get_json(f"/api/v1/submissions?tender_id={quote(tender_id, safe='')}")
    mine = [SubmissionOut.model_validate(s) for s in listed]
    active = [s for s in mine if s.status == "active"]
    if not active:
        raise SubmitError(f"you have no active submission for tender {tender_id}", code="submission.not_found")
    return active[0]


def withdraw(client: ApiClient, *, tender_id: str, bidder: str, sign: Sign) -> SubmissionOut:
    """Withdraw the caller's active submission of ``tender_id`` with a signed withdrawal statement."""
    current = active_submission(client, tender_id)
    statement = withdrawal_statement(tender_id=tender_id, submission_id=current.id,
                                     envelope_sha256=current.envelope_sha256, bidder=bidder)
    return SubmissionOut.model_validate(client.post_json(f"/api/v1/submissions/{current.id}/withdraw",
                                                         {"statement_signature": b64(sign(statement))}))


# --- the submit and withdraw flows (the CLI's submit/withdraw and the app's submit page call these) -----


@dataclass(frozen=True)
class Receipted:
    """A submission or withdrawal the server recorded: its answer, and its receipt verified offline and
    saved (beside the bid)."""

    submission: SubmissionOut
    receipt: VerifiedReceipt
    receipt_file: Path


def withdrawal_receipt_path(bid: Path) -> Path:
    return bid.with_name(bid.name + ".withdrawal.receipt")


def submit_bid(client: ApiClient, bid: Path, *, tender_id: str, tender_version: int, bidder: str, sign: Sign,
               sealed_as: tuple[str, int] | None = None, chunk_size: int | None = None,
               progress: Progress | None = None, cancel: threading.Event | None = None) -> Receipted:
    """Submit (or resume submitting) ``bid``; its receipt is checked and kept as ``BID.receipt``.

    The server's CA is pinned before anything is sent (trust on first use), so the receipt is verified
    against the CA pinned then, not one a later answer presents."""
    if sealed_as is None and not bid.is_file():
        raise BidclientError(f"{bid} does not exist", code="io.input_missing")
    server_ca = pinned_server_ca(client)
    uploader = Uploader(client, chunk_size=chunk_size, progress=progress, cancel=cancel)
    out = uploader.submit(bid, tender_id=tender_id, tender_version=tender_version, bidder=bidder, sign=sign,
                          sealed_as=sealed_as)
    path = receipt_path(bid)
    save_receipt(path, out.receipt, server_ca)
    return Receipted(out, verify_receipt_file(path, bid=bid), path)


def withdraw_bid(client: ApiClient, *, tender_id: str, bidder: str, sign: Sign,
                 receipt_file: Path | None = None) -> Receipted:
    """Withdraw the caller's active submission of ``tender_id`` (a signed withdrawal statement); the
    withdrawal receipt is checked and kept as ``receipt_file`` (default: SUBMISSION.withdrawal.receipt
    in the current folder)."""
    server_ca = pinned_server_ca(client)
    out = withdraw(client, tender_id=tender_id, bidder=bidder, sign=sign)
    if out.withdrawal_receipt is None:
        raise SubmitError("the server's answer to the withdrawal has no receipt", code="net.bad_response")
    path = receipt_file or Path(f"{out.id}.withdrawal.receipt")
    save_receipt(path, out.withdrawal_receipt, server_ca)
    return Receipted(out, verify_receipt_file(path), path)
