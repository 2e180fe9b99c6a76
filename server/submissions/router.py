"""/api/v1/uploads, /api/v1/submissions, the built-in TSA (/api/v1/tsa) and /api/v1/server/certificates.

Chunk and completion requests authenticate and decide in short transactions and move bytes outside
any transaction: on SQLite a transaction holds the database write lock, and 200 bidders uploading in
the last minutes must not wait for each other's bytes.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import re
from collections.abc import Callable, Iterator
from typing import Annotated, Any, TypeVar

from cryptography.hazmat.primitives import hashes, serialization
from fastapi import APIRouter, Depends, Header, Request, Response
from fastapi.responses import FileResponse
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.requests import ClientDisconnect

from bidclient.protocol.submission import (
    CHUNK_SHA256_HEADER,
    ChunkOut,
    ServerCertificatesOut,
    SubmissionOut,
    UploadCreate,
    UploadOut,
    WithdrawIn,
    unb64,
)
from server import clock, ratelimit
from server.auth import service as auth_service
from server.auth.permissions import ActorLater, BidderActor, BidderLater, CurrentActor, OpeningReader, Public
from server.blobs import BlobStore
from server.db import session_scope
from server.deps import KeysDep, ReadDbSession, SettingsDep, client_address
from server.keys import ServerKeys
from server.lanes import upload_lane
from server.problems import DomainError, Problem
from server.settings import Settings
from server.submissions import receipts, service
from server.submissions.chunk_sink import ChunkSink

log = logging.getLogger(__name__)
router = APIRouter(tags=["submissions"])

_SHA256 = re.compile(r"^[0-9a-f]{64}$")
MAX_TSA_REQUEST = 16 << 10
T = TypeVar("T")


_unit = contextlib.contextmanager(session_scope)


def _in_unit(request: Request, work: Callable[[Session], T]) -> T:
    """Run ``work`` in a unit of work of its own (committed if it returns)."""
    with _unit(request.app.state.session_factory) as db:
        return work(db)


def _in_read_unit(request: Request, work: Callable[[Session], T]) -> T:
    """Run ``work`` in a read-only unit of its own (on SQLite: no write lock)."""
    with _unit(request.app.state.read_session_factory) as db:
        return work(db)


async def _laned(request: Request, work: Callable[[], T]) -> T:
    """``work`` in a worker thread, inside the upload lane (server/lanes.py)."""
    async with upload_lane(request):
        return await run_in_threadpool(work)


def _db(request: Request) -> Iterator[Session]:
    yield from session_scope(request.app.state.session_factory)


# scope="function": the unit of work commits before the answer is sent. With the default ("request")
# FastAPI commits after the response has gone out, so a client could hold a receipt for a submission
# whose commit then failed, or race its next request ahead of the commit.
DbSession = Annotated[Session, Depends(_db, scope="function")]


def _store(settings: Settings) -> BlobStore:
    return BlobStore(settings.blob_dir)


def _signature(text: str) -> bytes:
    try:
        return unb64(text)
    except ValueError:
        raise Problem(422, "request.invalid", "The signature is not base64") from None


# --- uploads -------------------------------------------------------------------------------------------


@router.post("/api/v1/uploads", response_model=UploadOut, status_code=201)
async def create_upload(body: UploadCreate, request: Request, authenticate: BidderLater,
                        idempotency_key: Annotated[str | None, Header(max_length=100)] = None) -> UploadOut:
    arrived = clock.now()  # before any wait in a lane
    settings: Settings = request.app.state.settings
    limiter, refused = request.app.state.rate_limiter, request.app.state.metrics.rate_limited
    await ratelimit.check_async(limiter, "upload_start_per_address", client_address(request),
                    settings.upload_start_per_address, what="uploads started from this address",
                    on_refused=lambda kind: refused.labels(kind).inc())
    signature = _signature(body.statement_signature)

    def verify(db: Session) -> tuple[auth_service.Actor, service.VerifiedStatement]:
        actor = authenticate(db)
        ratelimit.check(limiter, "upload_start_per_identity", actor.identity_key,
                        settings.upload_start_per_identity, what="uploads started by this identity",
                        on_refused=lambda kind: refused.labels(kind).inc())
        return actor, service.verify_upload_statement(db, actor=actor, body=body, signature=signature,
                                                      settings=settings)

    # The certificate check may wait for CRL and OCSP servers: it has its own lane, so that it never
    # holds up the upload lane, where every bidder's chunks are recorded.
    async with request.app.state.verify_lane:
        actor, verified = await run_in_threadpool(_in_read_unit, request, verify)
    out = await _laned(request, lambda: _in_unit(request, lambda db: service.create_upload(
        db, actor=actor, body=body, verified=verified, settings=settings, idempotency_key=idempotency_key,
        arrived=arrived)))
    request.app.state.metrics.uploads_started.inc()
    return out


def _status_headers(out: UploadOut) -> dict[str, str]:
    return {"X-Upload-Size": str(out.size), "X-Received-Bytes": str(out.received_bytes),
            "X-Received-Ranges": ",".join(f"{s}-{e - 1}" for s, e in out.received),
            "X-Upload-State": out.state}


@router.get("/api/v1/uploads/{upload_id}", response_model=UploadOut)
def upload_status(upload_id: str, response: Response, db: ReadDbSession, actor: CurrentActor,
                  settings: SettingsDep) -> UploadOut:
    out = service.upload_out(db, service.get_upload(db, actor=actor, upload_id=upload_id), settings)
    response.headers.update(_status_headers(out))
    return out


@router.head("/api/v1/uploads/{upload_id}")
def upload_status_head(upload_id: str, db: ReadDbSession, actor: CurrentActor, settings: SettingsDep) -> Response:
    out = service.upload_out(db, service.get_upload(db, actor=actor, upload_id=upload_id), settings)
    return Response(status_code=200, headers=_status_headers(out))


@router.put("/api/v1/uploads/{upload_id}/chunks/{offset}", response_model=ChunkOut,
            openapi_extra={"requestBody": {"required": True, "content": {"application/octet-stream": {
                "schema": {"type": "string", "format": "binary"}}}}})
async def put_chunk(upload_id: str, offset: int, request: Request, authenticate: ActorLater) -> ChunkOut:
    """Store bytes [offset, offset + Content-Length) of the upload; header X-Chunk-SHA256 is their hash.

    Authentication and the plan run in the upload lane, then the lane is left while the bytes arrive
    (at the bidder's line speed), and entered again to record the chunk."""
    settings: Settings = request.app.state.settings
    sha256 = request.headers.get(CHUNK_SHA256_HEADER, "").strip().lower()
    if not _SHA256.match(sha256):
        raise Problem(400, "upload.chunk_hash_missing", "The chunk's SHA-256 is missing",
                      f"send the chunk's lowercase hex SHA-256 in the {CHUNK_SHA256_HEADER} header")
    try:
        length = int(request.headers["content-length"])
    except (KeyError, ValueError):
        raise Problem(411, "upload.length_required", "Content-Length is required",
                      "send each chunk with a Content-Length (no chunked transfer encoding)") from None
    if length > settings.max_chunk_size:  # refused before a byte is read
        raise Problem(413, "upload.chunk_too_large", "The chunk is too large",
                      f"a chunk may hold at most {settings.max_chunk_size} bytes",
                      max_chunk_size=settings.max_chunk_size)

    def authenticate_and_plan(db: Session) -> tuple[auth_service.Actor, service.ChunkPlan]:
        actor = authenticate(db)
        return actor, service.plan_chunk(db, actor=actor, upload_id=upload_id, offset=offset, length=length,
                                         sha256=sha256, settings=settings)

    actor, plan = await _laned(request, lambda: _in_read_unit(request, authenticate_and_plan))
    metrics = request.app.state.metrics
    metrics.chunks_in_flight.inc()
    try:
        out = await _receive_chunk(request, actor, plan, upload_id, offset, length, sha256)
    finally:
        metrics.chunks_in_flight.dec()
    if not plan.duplicate:
        metrics.upload_bytes.inc(length)
    return out


async def _receive_chunk(request: Request, actor: auth_service.Actor, plan: service.ChunkPlan, upload_id: str,
                         offset: int, length: int, sha256: str) -> ChunkOut:
    received = 0
    fd = None if plan.duplicate else os.open(plan.path, os.O_WRONLY)
    sink = ChunkSink(request.app.state.byte_workers, fd, offset)
    try:
        try:
            async for piece in request.stream():
                if not piece:
                    continue
                received += len(piece)
                if received > length:
                    raise Problem(400, "upload.chunk_length_mismatch", "The chunk is longer than its "
                                  "Content-Length")
                await sink.add(piece)
            actual = await sink.finish()
        except ClientDisconnect:
            raise Problem(400, "upload.chunk_interrupted", "The chunk was interrupted",
                          "nothing of it was acknowledged; send it again") from None
        except OSError as ex:  # writing to the server's disk failed
            raise _storage_failed(upload_id, offset, ex) from None
        if received != length:
            raise Problem(400, "upload.chunk_length_mismatch", "The chunk is shorter than its Content-Length")
        if actual != sha256:
            raise Problem(422, "upload.chunk_hash_mismatch", "The chunk's SHA-256 does not match",
                          f"bytes [{offset}, {offset + length}) hash to {actual}, not {sha256}; "
                          "nothing was acknowledged, send the chunk again")
        last_byte_at = clock.now()  # the chunk's arrival, before any wait for the disk or the lane
        record = _laned(request, lambda: _in_unit(request, lambda db: service.record_chunk(
            db, actor=actor, upload_id=upload_id, offset=offset, length=length, sha256=sha256,
            duplicate=plan.duplicate, arrived=last_byte_at)))
        if fd is None:
            return await record
        # Acknowledged means durable: the answer waits for the fdatasync, so a server killed after
        # answering loses nothing. The record is committed meanwhile (one disk flush instead of two in
        # a row); should the flush fail, the record is taken back before the error is answered. (A
        # crash of the whole machine between the two leaves a recorded range whose bytes may be lost:
        # completion re-reads the file and asks for such ranges again, see _check_and_adopt.)
        synced, recorded = await asyncio.gather(run_in_threadpool(os.fdatasync, fd), record,
                                                return_exceptions=True)
    finally:
        if fd is not None:
            os.close(fd)
    if isinstance(synced, BaseException):
        if not isinstance(recorded, BaseException):
            await _laned(request, lambda: _in_unit(request, lambda db: service.forget_ranges(
                db, upload_id=upload_id, offsets=[offset])))
        if isinstance(synced, OSError):
            raise _storage_failed(upload_id, offset, synced)
        raise synced
    if isinstance(recorded, BaseException):
        raise recorded
    return recorded


def _storage_failed(upload_id: str, offset: int, error: OSError) -> Problem:
    """The disk refused a chunk (full, I/O error): the operator is told in the log, the bidder that nothing
    of the chunk counts and that sending it again is safe (503: clients retry after a pause)."""
    log.error("storing bytes at %d of upload %s failed: %s", offset, upload_id, error)
    return Problem(503, "upload.storage_failed", "The server could not store the chunk",
                   "nothing of it was acknowledged; send it again later. If this repeats, the server's disk "
                   "needs its operator")


@router.post("/api/v1/uploads/{upload_id}/complete", response_model=SubmissionOut, status_code=201)
async def complete_upload(upload_id: str, request: Request, authenticate: ActorLater) -> SubmissionOut:
    """Verify the whole upload, move it into the blob store, record the submission and its receipt.

    The submission time is this request's arrival: every byte was acknowledged before it, and waiting
    for the lane or for the hash of a large file must not push a bid past the deadline. The file is
    hashed outside the lane."""
    arrived = clock.now()
    settings: Settings = request.app.state.settings
    keys: ServerKeys = request.app.state.keys
    store = _store(settings)

    def authenticate_and_plan(db: Session) -> tuple[auth_service.Actor, service.CompletionPlan]:
        actor = authenticate(db)
        return actor, service.plan_completion(db, actor=actor, upload_id=upload_id, arrived=arrived,
                                              settings=settings, store=store)

    actor, plan = await _laned(request, lambda: _in_read_unit(request, authenticate_and_plan))
    if plan.submission_id is None:
        await run_in_threadpool(_check_and_adopt, request, plan, store)
    out = await _laned(request, lambda: _in_unit(request, lambda db: service.submission_out(service.finish(
        db, actor=actor, upload_id=upload_id, arrived=arrived, settings=settings, keys=keys))))
    if plan.submission_id is None:
        request.app.state.metrics.uploads_completed.inc()
    return out


def _check_and_adopt(request: Request, plan: service.CompletionPlan, store: BlobStore) -> None:
    check = service.check_bytes(plan)
    if check.bad_ranges:
        _in_unit(request, lambda db: service.forget_ranges(db, upload_id=plan.upload_id, offsets=check.bad_ranges))
        raise DomainError("upload.incomplete", "some acknowledged chunks no longer match their hashes on the "
                          "server and were dropped; send the missing ranges again", status=409)
    if not check.whole_ok:
        raise DomainError("upload.hash_mismatch", "the uploaded bytes do not have the SHA-256 and size declared "
                          "when the upload was created; nothing was submitted — start a new upload", status=422)
    service.require_sealed(plan.source)
    if not plan.in_store:
        with open(plan.source, "rb") as f:  # the rename must survive a crash before the commit
            os.fsync(f.fileno())
        store.adopt(plan.source, plan.sha256)
        _fsync_dir(store.path(plan.sha256).parent)


def _fsync_dir(path: os.PathLike[str]) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


# --- submissions ---------------------------------------------------------------------------------------


@router.get("/api/v1/submissions", response_model=list[SubmissionOut])
def my_submissions(db: ReadDbSession, actor: CurrentActor, tender_id: str | None = None) -> list[SubmissionOut]:
    return [service.submission_out(s) for s in service.list_mine(db, actor=actor, tender_id=tender_id)]


@router.get("/api/v1/tenders/{tender_id}/submissions", response_model=list[SubmissionOut])
def tender_submissions(tender_id: str, db: ReadDbSession, actor: OpeningReader) -> list[SubmissionOut]:
    return [service.submission_out(s) for s in service.list_for_opening(db, actor=actor, tender_id=tender_id)]


@router.get("/api/v1/submissions/{submission_id}", response_model=SubmissionOut)
def get_submission(submission_id: str, db: ReadDbSession, actor: CurrentActor) -> SubmissionOut:
    return service.submission_out(service.get_submission(db, actor=actor, submission_id=submission_id))


class _EnvelopeFile(FileResponse):
    """A sealed bid (up to gigabytes) sent in 1 MiB reads: Starlette's 64 KiB default costs a thread hop per
    64 KiB and held the opening's download to about a third of the speed (benchmarks/opening_bids.py)."""

    chunk_size = 1 << 20


@router.get("/api/v1/submissions/{submission_id}/envelope", response_class=FileResponse,
            responses={200: {"content": {"application/cms": {"schema": {"type": "string", "format": "binary"}}}}})
def download_envelope(submission_id: str, db: DbSession, actor: CurrentActor, settings: SettingsDep) -> Any:
    path = service.envelope_for_download(db, actor=actor, submission_id=submission_id, store=_store(settings))
    return _EnvelopeFile(path, media_type="application/cms", filename=f"{submission_id}.bid")


@router.post("/api/v1/submissions/{submission_id}/withdraw", response_model=SubmissionOut)
def withdraw(submission_id: str, body: WithdrawIn, db: DbSession, actor: BidderActor, settings: SettingsDep,
             keys: KeysDep) -> SubmissionOut:
    return service.submission_out(service.withdraw(db, actor=actor, submission_id=submission_id,
                                                   signature=_signature(body.statement_signature),
                                                   settings=settings, keys=keys))


# --- the server's certificates and the built-in TSA ----------------------------------------------------


@router.get("/api/v1/server/certificates", response_model=ServerCertificatesOut, tags=["meta"],
            dependencies=[Public])
def server_certificates(keys: KeysDep) -> ServerCertificatesOut:
    def pem(cert: Any) -> str:
        return str(cert.public_bytes(serialization.Encoding.PEM).decode("ascii"))

    return ServerCertificatesOut(ca=pem(keys.ca_certificate), receipt=pem(keys.receipt_signer.certificate),
                                 tsa=pem(keys.tsa_signer.certificate),
                                 ca_sha256=keys.ca_certificate.fingerprint(hashes.SHA256()).hex())


@router.post("/api/v1/tsa", tags=["meta"], response_class=Response, dependencies=[Public],
             openapi_extra={"requestBody": {"required": True, "content": {"application/timestamp-query": {
                 "schema": {"type": "string", "format": "binary"}}}}},
             responses={200: {"content": {"application/timestamp-reply": {
                 "schema": {"type": "string", "format": "binary"}}}}})
async def tsa(request: Request) -> Response:
    """RFC 3161 over HTTP: a DER TimeStampReq in, a DER TimeStampResp out (answers `openssl ts`)."""
    if request.headers.get("content-type", "").split(";")[0].strip() != "application/timestamp-query":
        raise Problem(415, "tsa.media_type", "Send an application/timestamp-query")
    body = bytearray()
    async for piece in request.stream():
        body += piece
        if len(body) > MAX_TSA_REQUEST:
            raise Problem(413, "tsa.request_too_large", "A timestamp request is a few hundred bytes")
    keys: ServerKeys = request.app.state.keys
    answer = await run_in_threadpool(receipts.builtin_tsa(keys).respond, bytes(body))
    return Response(answer, media_type="application/timestamp-reply")
