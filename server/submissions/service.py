"""Sealed-bid submission (电子招标投标办法 Art. 27/28): resumable uploads, signed statements, the deadline
by the server clock, receipts, replace and withdraw, and the opening-time gate on downloads.

Services take keyword arguments, flush but never commit, and raise DomainError, never HTTP errors.
Byte handling (streaming chunks to disk, hashing the whole upload) is done by the router between short
transactions, so that no database transaction (on SQLite: the write lock) is held while bytes move.
"""

from __future__ import annotations

import hashlib
import os
import time
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Row, and_, delete, insert, select
from sqlalchemy.orm import Session

from bidclient.protocol.submission import (
    ChunkOut,
    SubmissionOut,
    UploadCreate,
    UploadOut,
    submission_statement,
    withdrawal_statement,
)
from crypto import identity
from server import clock
from server.audit import chain
from server.auth.models import Role
from server.auth.service import Actor, verify_signed_by_trusted
from server.blobs import BlobStore
from server.keys import ServerKeys
from server.problems import DomainError
from server.settings import Settings
from server.submissions import receipts
from server.submissions.models import Submission, Upload, UploadRange
from server.tenders import service as tenders
from server.tenders.models import Tender, TenderVersion

# Chunks shorter than this are accepted only as the last piece of the file: it bounds the number of
# ranges (rows) an upload can make, whatever the client does.
MIN_CHUNK_SIZE = 64 << 10
READ_BLOCK = 1 << 20


# --- helpers -------------------------------------------------------------------------------------------


def part_path(settings: Settings, upload_id: str) -> Path:
    return settings.upload_dir / f"{upload_id}.part"


def merged(ranges: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """Half-open [start, end) ranges, sorted and with touching ranges joined."""
    out: list[tuple[int, int]] = []
    for start, end in sorted(ranges):
        if out and start <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], end))
        else:
            out.append((start, end))
    return out


def _current_for_bid(db: Session, *, tender_id: str, version: int) -> TenderVersion:
    """The tender's current version, which must be the one the bid was sealed against."""
    current = tenders.current_version(db, tender_id=tender_id)
    _not_stale(tender_id, version, current.version)
    return current


def _not_stale(tender_id: str, version: int, current: int) -> None:
    if version != current:
        raise DomainError("submission.stale_version",
                          f"the bid was sealed against version {version} of tender {tender_id}, current is "
                          f"version {current}; fetch the tender again and seal a new bid",
                          status=409, sealed_version=version, current_version=current)


def _before_deadline(tender: TenderVersion, when: datetime) -> None:
    _deadline_not_passed(tender.tender_id, tender.deadline, when)


def _deadline_not_passed(tender_id: str, deadline: datetime, when: datetime) -> None:
    if when >= deadline:
        raise DomainError("submission.deadline_passed",
                          f"the submission deadline of tender {tender_id} passed at "
                          f"{clock.isoformat(deadline)} (server time {clock.isoformat(when)}); "
                          "nothing was submitted", status=409, deadline=clock.isoformat(deadline))


def _verify_statement(db: Session, *, actor: Actor, content: bytes, signature: bytes, settings: Settings,
                      what: str) -> str:
    """Check a bidder's signed statement: intact over exactly ``content``, trusted, and signed by the
    logged-in identity. Returns the signer certificate's SHA-256."""
    from cryptography.hazmat.primitives import hashes

    try:
        info = verify_signed_by_trusted(db, content=content, signature=signature, settings=settings)
    except DomainError as ex:
        if ex.code == "auth.signature_invalid":
            raise DomainError("submission.statement_invalid",
                              f"the {what} statement's signature does not match this request (tender, version, "
                              f"envelope SHA-256, size, bidder): {ex.detail}", status=422) from ex
        reason = ex.extra.get("reason", "")
        code = "submission.statement_signer_revoked" if reason == "revoked" else "submission.statement_untrusted"
        raise DomainError(code, f"the {what} statement's signer is not trusted: {ex.detail}", status=403,
                          reason=reason) from ex
    signer = identity.identity_of(info.signer_certificate)
    if signer.key != actor.identity_key:
        raise DomainError("submission.statement_signer_mismatch",
                          f"the {what} statement is signed by {signer.key}, but you are logged in as "
                          f"{actor.identity_key}; sign with your own key", status=403)
    return info.signer_certificate.fingerprint(hashes.SHA256()).hex()


# --- uploads -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class VerifiedStatement:
    statement: bytes  # the exact bytes the bidder signed
    signature: bytes
    signer_cert_sha256: str


def verify_upload_statement(db: Session, *, actor: Actor, body: UploadCreate, signature: bytes,
                            settings: Settings) -> VerifiedStatement:
    """Check the bidder's signed submission statement (may fetch CRLs and OCSP answers). Needs only a
    read-only unit: 200 bidders near the deadline must not queue behind each other's certificate checks
    while holding a write lock or an upload lane."""
    statement = submission_statement(tender_id=body.tender_id, tender_version=body.tender_version,
                                     envelope_sha256=body.sha256, size=body.size, bidder=actor.identity_key)
    cert_sha = _verify_statement(db, actor=actor, content=statement, signature=signature, settings=settings,
                                 what="submission")
    return VerifiedStatement(statement, signature, cert_sha)


def create_upload(db: Session, *, actor: Actor, body: UploadCreate, verified: VerifiedStatement, settings: Settings,
                  idempotency_key: str | None, arrived: datetime) -> UploadOut:
    """Open a resumable upload of a sealed bid whose statement was verified (verify_upload_statement).
    ``arrived``: when the request reached the server (the deadline is checked against it). A retry with
    the same idempotency key answers the upload it opened, as it is now."""
    statement, signature, cert_sha = verified.statement, verified.signature, verified.signer_cert_sha256
    if idempotency_key:
        existing = db.execute(select(Upload).where(Upload.account_id == actor.account_id,
                                                   Upload.idempotency_key == idempotency_key)).scalar_one_or_none()
        if existing is not None:
            return upload_out(db, existing, settings)
    now = arrived
    tender = _current_for_bid(db, tender_id=body.tender_id, version=body.tender_version)
    _before_deadline(tender, now)
    upload = Upload(id=str(uuid.uuid4()), account_id=actor.account_id, identity_key=actor.identity_key,
                    tender_id=body.tender_id, tender_version=body.tender_version, size=body.size,
                    sha256=body.sha256, statement=statement, statement_signature=signature,
                    signer_cert_sha256=cert_sha, state="open", idempotency_key=idempotency_key or None,
                    created_at=now)
    db.add(upload)
    db.flush()
    settings.upload_dir.mkdir(parents=True, exist_ok=True)
    fd = os.open(part_path(settings, upload.id), os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        os.ftruncate(fd, body.size)  # sparse: no space is written until chunks arrive
    finally:
        os.close(fd)
    chain.append(db, actor=actor.ref, action="upload.create", object_type="upload", object_id=upload.id,
                 payload={"tender_id": upload.tender_id, "tender_version": upload.tender_version,
                          "size": upload.size, "sha256": upload.sha256, "statement_signer": cert_sha})
    return _out(upload, [], tender.deadline, settings)  # nothing received yet


def get_upload(db: Session, *, actor: Actor, upload_id: str, for_update: bool = False) -> Upload:
    """The caller's own upload; another bidder's upload is reported as not found (no existence leak)."""
    query = select(Upload).where(Upload.id == upload_id)
    if for_update:
        query = query.with_for_update()
    upload = db.execute(query).scalar_one_or_none()
    if upload is None or upload.account_id != actor.account_id:
        raise DomainError("upload.not_found", f"there is no upload {upload_id!r} of yours", status=404)
    return upload


# The upload steps decide on these columns of the upload and of its tender's current version, read in one
# statement without loading ORM objects: every chunk of a deadline rush runs it twice (plan and record).
_UPLOAD_STATE = (select(Upload.account_id, Upload.state, Upload.size, Upload.sha256, Upload.submission_id,
                        Upload.tender_id, Upload.tender_version, Tender.current_version, TenderVersion.deadline)
                 .outerjoin(Tender, Tender.id == Upload.tender_id)
                 .outerjoin(TenderVersion, and_(TenderVersion.tender_id == Upload.tender_id,
                                                TenderVersion.version == Tender.current_version)))


def _upload_state(db: Session, *, actor: Actor, upload_id: str, lock: bool = False) -> Any:
    """The caller's own upload (another bidder's is "not found", as in get_upload) with its tender's current
    version and deadline; ``lock``: the upload's row is locked to the end of the transaction (PostgreSQL;
    SQLite serialises writers at BEGIN IMMEDIATE)."""
    query = _UPLOAD_STATE.where(Upload.id == upload_id)
    if lock:
        query = query.with_for_update(of=Upload)
    row = db.execute(query).one_or_none()
    if row is None or row.account_id != actor.account_id:
        raise DomainError("upload.not_found", f"there is no upload {upload_id!r} of yours", status=404)
    return row


def _in_time(db: Session, row: Row[Any], when: datetime) -> None:
    """The bid's tender version is still the current one and ``when`` is before its deadline."""
    if row.deadline is None:  # the tender or its version is missing: say which, as _current_for_bid does
        _before_deadline(_current_for_bid(db, tender_id=row.tender_id, version=row.tender_version), when)
        return
    _not_stale(row.tender_id, row.tender_version, row.current_version)
    _deadline_not_passed(row.tender_id, row.deadline, when)


def _range_rows(db: Session, upload_id: str) -> list[Row[Any]]:
    return list(db.execute(select(UploadRange.id, UploadRange.offset, UploadRange.length, UploadRange.sha256)
                           .where(UploadRange.upload_id == upload_id).order_by(UploadRange.offset)))


def upload_out(db: Session, upload: Upload, settings: Settings) -> UploadOut:
    ranges = merged((r.offset, r.offset + r.length) for r in _range_rows(db, upload.id))
    return _out(upload, ranges, tenders.current_version(db, tender_id=upload.tender_id).deadline, settings)


def _out(upload: Upload, ranges: list[tuple[int, int]], deadline: datetime, settings: Settings) -> UploadOut:
    return UploadOut(id=upload.id, tender_id=upload.tender_id, tender_version=upload.tender_version,
                     size=upload.size, sha256=upload.sha256, state=upload.state,  # type: ignore[arg-type]
                     received=ranges, received_bytes=sum(e - s for s, e in ranges),
                     max_chunk_size=settings.max_chunk_size, deadline=deadline, server_time=clock.now(),
                     submission_id=upload.submission_id)


@dataclass(frozen=True)
class ChunkPlan:
    duplicate: bool  # the identical chunk is already stored: read and compare, write nothing
    path: Path


def plan_chunk(db: Session, *, actor: Actor, upload_id: str, offset: int, length: int, sha256: str,
               settings: Settings) -> ChunkPlan:
    """Decide, before any byte is read, whether a chunk may be written."""
    upload = _upload_state(db, actor=actor, upload_id=upload_id)
    if upload.state != "open":
        raise DomainError("upload.closed", "this upload is already complete; start a new one to replace the bid",
                          status=409)
    _in_time(db, upload, clock.now())
    if length > settings.max_chunk_size:
        raise DomainError("upload.chunk_too_large", f"a chunk may hold at most {settings.max_chunk_size} bytes",
                          status=413, max_chunk_size=settings.max_chunk_size)
    if offset < 0 or length <= 0 or offset + length > upload.size:
        raise DomainError("upload.chunk_out_of_range", f"bytes [{offset}, {offset + length}) are outside the "
                          f"upload's {upload.size} bytes", status=416)
    if length < MIN_CHUNK_SIZE and offset + length != upload.size:
        raise DomainError("upload.chunk_too_small", f"only the last chunk may be shorter than {MIN_CHUNK_SIZE} "
                          "bytes", status=422)
    overlap = list(db.execute(select(UploadRange.offset, UploadRange.length, UploadRange.sha256).where(
        UploadRange.upload_id == upload_id, UploadRange.offset < offset + length,
        UploadRange.offset + UploadRange.length > offset)))
    if overlap:
        if len(overlap) == 1 and overlap[0].offset == offset and overlap[0].length == length:
            if overlap[0].sha256 == sha256:
                return ChunkPlan(True, part_path(settings, upload_id))
            raise DomainError("upload.chunk_conflict", f"bytes [{offset}, {offset + length}) were already received "
                              "with other content; an acknowledged chunk cannot be changed", status=409)
        raise DomainError("upload.chunk_conflict", f"bytes [{offset}, {offset + length}) overlap chunks already "
                          "received at other boundaries; send only the missing ranges", status=409)
    return ChunkPlan(False, part_path(settings, upload_id))


def record_chunk(db: Session, *, actor: Actor, upload_id: str, offset: int, length: int, sha256: str,
                 duplicate: bool, arrived: datetime) -> ChunkOut:
    """Acknowledge a chunk whose bytes are on disk (fsynced) and whose hash was checked. ``arrived``:
    when its last byte reached the server. Three statements: the upload locked with its deadline, its
    ranges, the new range."""
    upload = _upload_state(db, actor=actor, upload_id=upload_id, lock=True)
    if upload.state != "open":
        raise DomainError("upload.closed", "this upload was completed meanwhile", status=409)
    # Arrival counts when the last byte is in: a chunk finished after the deadline is not received.
    _in_time(db, upload, arrived)
    rows = _range_rows(db, upload_id)
    have = [(r.offset, r.offset + r.length) for r in rows]
    if not duplicate:
        overlap = [r for r in rows if r.offset < offset + length and r.offset + r.length > offset]
        same = [r for r in overlap if r.offset == offset and r.length == length and r.sha256 == sha256]
        if same and len(overlap) == 1:
            duplicate = True
        elif overlap:
            # A concurrent writer recorded overlapping bytes while ours were being written over them:
            # neither can be trusted any more, so both are dropped and reported missing.
            db.execute(delete(UploadRange).where(UploadRange.id.in_([r.id for r in overlap])))
            db.flush()
            raise DomainError("upload.chunk_conflict", f"bytes [{offset}, {offset + length}) were written by two "
                              "requests at once; send the missing ranges again", status=409)
        else:
            db.execute(insert(UploadRange).values(upload_id=upload_id, offset=offset, length=length, sha256=sha256,
                                                  received_at=arrived))
            have.append((offset, offset + length))
    ranges = merged(have)
    return ChunkOut(offset=offset, length=length, duplicate=duplicate, received=ranges,
                    received_bytes=sum(e - s for s, e in ranges))


# --- completion ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CompletionPlan:
    upload_id: str
    size: int
    sha256: str
    source: Path  # the partial file, or the blob already adopted by an interrupted completion
    in_store: bool
    ranges: list[tuple[int, int, str]]  # offset, length, sha256
    submission_id: str | None  # set when the upload was already completed (an idempotent retry)


def plan_completion(db: Session, *, actor: Actor, upload_id: str, arrived: datetime, settings: Settings,
                    store: BlobStore) -> CompletionPlan:
    upload = _upload_state(db, actor=actor, upload_id=upload_id)
    if upload.state == "completed":
        return CompletionPlan(upload_id, upload.size, upload.sha256, Path(), True, [], upload.submission_id)
    _in_time(db, upload, arrived)
    rows = _range_rows(db, upload_id)
    have = merged((r.offset, r.offset + r.length) for r in rows)
    part = part_path(settings, upload_id)
    if part.exists():
        if have != [(0, upload.size)]:
            missing = _gaps(have, upload.size)
            raise DomainError("upload.incomplete", f"{sum(e - s for s, e in missing)} of {upload.size} bytes have "
                              "not been received; send the missing ranges and complete again", status=409,
                              missing=[list(m) for m in missing])
        return CompletionPlan(upload_id, upload.size, upload.sha256, part, False,
                              [(r.offset, r.length, r.sha256) for r in rows], None)
    if store.exists(upload.sha256):
        # An earlier completion moved the file into the store and was interrupted before it committed.
        return CompletionPlan(upload_id, upload.size, upload.sha256, store.path(upload.sha256), True, [], None)
    raise DomainError("upload.data_lost", "the server no longer holds this upload's data; start a new upload",
                      status=409)


def _gaps(have: list[tuple[int, int]], size: int) -> list[tuple[int, int]]:
    gaps, pos = [], 0
    for start, end in have:
        if start > pos:
            gaps.append((pos, start))
        pos = max(pos, end)
    if pos < size:
        gaps.append((pos, size))
    return gaps


# Tests of overlapping requests across server processes set this to a folder: a completion whose upload
# has a file ``<id>.hold`` there stops after its bytes were checked (as if hashing a huge file took that
# long), says so with ``<id>.held``, and goes on when the hold file is removed (or after a minute).
# Unset, as in production, it costs one environment lookup per completion.
HOLD_DIR_ENV = "BIDCLIENT_SERVER_TEST_HOLD_DIR"
MAX_HOLD = 60.0


def _test_hold(upload_id: str) -> None:
    folder = os.environ.get(HOLD_DIR_ENV)
    if not folder:
        return
    hold = Path(folder) / f"{upload_id}.hold"
    if not hold.exists():
        return
    (Path(folder) / f"{upload_id}.held").touch()
    deadline = time.monotonic() + MAX_HOLD
    while hold.exists() and time.monotonic() < deadline:
        time.sleep(0.01)


@dataclass(frozen=True)
class HashCheck:
    whole_ok: bool
    bad_ranges: list[int]  # offsets of acknowledged chunks whose bytes on disk no longer match


def check_bytes(plan: CompletionPlan) -> HashCheck:
    """The whole file's SHA-256 and size, in one sequential pass (constant memory, outside any
    transaction; hashlib releases the GIL). Every chunk's hash was checked as it arrived, so only when
    the whole does not match is the file read again chunk by chunk, to find acknowledged chunks whose
    bytes on disk changed since (they are dropped and sent again)."""
    whole = hashlib.sha256()
    with open(plan.source, "rb") as f:
        while block := f.read(READ_BLOCK):
            whole.update(block)
        if f.tell() == plan.size and whole.hexdigest() == plan.sha256:
            _test_hold(plan.upload_id)
            return HashCheck(True, [])
        if plan.in_store:
            return HashCheck(False, [])
        bad: list[int] = []
        for offset, length, expected in plan.ranges:
            f.seek(offset)
            piece = hashlib.sha256()
            left = length
            while left:
                block = f.read(min(READ_BLOCK, left))
                if not block:
                    break
                piece.update(block)
                left -= len(block)
            if left or piece.hexdigest() != expected:
                bad.append(offset)
    return HashCheck(False, bad)


def require_sealed(path: Path) -> None:
    """The platform refuses unencrypted bids (电子招标投标办法): the file must open as a CMS envelope."""
    from crypto import cms_envelope
    from crypto.errors import CryptoError

    try:
        with open(path, "rb") as f:
            cms_envelope.describe(f)
    except (CryptoError, ValueError) as ex:
        raise DomainError("upload.not_sealed", "the uploaded file is not a sealed bid (a CMS AuthEnvelopedData or "
                          f"EnvelopedData); nothing was submitted — seal the bid first: {ex}", status=422) from ex


def forget_ranges(db: Session, *, upload_id: str, offsets: list[int]) -> None:
    db.execute(delete(UploadRange).where(UploadRange.upload_id == upload_id, UploadRange.offset.in_(offsets)))
    db.flush()


def finish(db: Session, *, actor: Actor, upload_id: str, arrived: datetime, settings: Settings,
           keys: ServerKeys) -> Submission:
    """Record the submission (the data is already in the blob store under its hash), issue the receipt,
    append to the audit chain — one transaction.

    Which of a bidder's submissions is active is decided by arrival (``arrived``: when the completion
    request reached the server), never by the order in which completions finish: hashing a large file
    can let a completion that arrived later finish first. So a completion that arrived after the
    bidder's latest submission supersedes the active one (if any) and becomes active; one that arrived
    before a submission already recorded is recorded as replaced by the first submission that arrived
    after it, and its receipt says so (it never claims to be active)."""
    from server.auth.models import Account

    upload = get_upload(db, actor=actor, upload_id=upload_id, for_update=True)
    if upload.state == "completed" and upload.submission_id:
        return get_submission(db, actor=actor, submission_id=upload.submission_id)
    tender = _current_for_bid(db, tender_id=upload.tender_id, version=upload.tender_version)
    _before_deadline(tender, arrived)
    # One bidder's completions take turns here (PostgreSQL: a row lock on the account, held to the commit;
    # SQLite serialises writers anyway), so that each sees the others' committed submissions.
    db.execute(select(Account.id).where(Account.id == upload.account_id).with_for_update())
    mine = (Submission.tender_id == upload.tender_id, Submission.identity_key == upload.identity_key)
    later = db.execute(select(Submission).where(*mine, Submission.submitted_at > arrived)
                       .order_by(Submission.submitted_at, Submission.id).limit(1)).scalar_one_or_none()
    previous = None if later is not None else db.execute(
        select(Submission).where(*mine, Submission.status == "active").with_for_update()).scalar_one_or_none()
    submission_id = str(uuid.uuid4())
    receipt = receipts.issue(kind="submission", fields={
        "submission_id": submission_id, "tender_id": upload.tender_id, "tender_version": upload.tender_version,
        "bidder": upload.identity_key, "envelope_sha256": upload.sha256, "size": upload.size,
        "statement_sha256": hashlib.sha256(upload.statement).hexdigest(),
        "status": "replaced" if later is not None else "active",
        "replaced_by": later.id if later is not None else None,
        "replaces": previous.id if previous else None}, when=arrived, settings=settings, keys=keys)
    if previous is not None:
        previous.status = "replaced"
        previous.replaced_by = submission_id
        db.flush()  # frees the one-active-per-bidder index before the new row
    submission = Submission(id=submission_id, upload_id=upload.id, account_id=upload.account_id,
                            identity_key=upload.identity_key, tender_id=upload.tender_id,
                            tender_version=upload.tender_version, envelope_sha256=upload.sha256, size=upload.size,
                            status="replaced" if later is not None else "active", submitted_at=arrived,
                            replaces=previous.id if previous else None,
                            replaced_by=later.id if later is not None else None,
                            receipt_id=receipt.id, receipt_content=receipt.content,
                            receipt_signature=receipt.signature, receipt_timestamp=receipt.timestamp_token)
    db.add(submission)
    upload.state = "completed"
    upload.completed_at = arrived
    upload.submission_id = submission_id
    db.flush()
    records = [chain.Record("upload.complete", "upload", upload.id, {"sha256": upload.sha256, "size": upload.size}),
               chain.Record("submission.submit", "submission", submission_id, receipt.content)]
    if previous is not None:
        records.append(chain.Record("submission.replace", "submission", previous.id, {"replaced_by": submission_id}))
    if later is not None:  # it arrived before a submission already recorded: superseded on arrival
        records.append(chain.Record("submission.replace", "submission", submission_id, {"replaced_by": later.id}))
    chain.append_all(db, actor=actor.ref, records=records, when=arrived)
    return submission


# --- submissions ---------------------------------------------------------------------------------------


def get_submission(db: Session, *, actor: Actor, submission_id: str) -> Submission:
    """The caller's own submission. Nobody else sees one before the opening (not even who submitted);
    after the opening time, opening staff and supervisors do."""
    submission = db.get(Submission, submission_id)
    if submission is None:
        raise DomainError("submission.not_found", f"there is no submission {submission_id!r} of yours", status=404)
    if submission.account_id == actor.account_id:
        return submission
    if actor.has(Role.OPENING_STAFF.value, Role.SUPERVISOR.value):
        tender = tenders.current_version(db, tender_id=submission.tender_id)
        if clock.now() >= tender.opening_time:
            return submission
    raise DomainError("submission.not_found", f"there is no submission {submission_id!r} of yours", status=404)


def list_mine(db: Session, *, actor: Actor, tender_id: str | None) -> list[Submission]:
    query = select(Submission).where(Submission.account_id == actor.account_id)
    if tender_id:
        query = query.where(Submission.tender_id == tender_id)
    return list(db.execute(query.order_by(Submission.submitted_at)).scalars())


def list_for_opening(db: Session, *, actor: Actor, tender_id: str) -> list[Submission]:
    """The active submissions of a tender from the opening time (the route admits only opening staff and
    supervisors: server/auth/permissions.py)."""
    tender = tenders.current_version(db, tender_id=tender_id)
    _after_opening(tender)
    return list(db.execute(select(Submission).where(Submission.tender_id == tender_id,
                                                    Submission.status == "active")
                           .order_by(Submission.submitted_at)).scalars())


def _after_opening(tender: TenderVersion) -> None:
    now = clock.now()
    if now < tender.opening_time:
        raise DomainError("submission.sealed_until_opening",
                          f"sealed bids of tender {tender.tender_id} stay sealed until the opening at "
                          f"{clock.isoformat(tender.opening_time)} (server time {clock.isoformat(now)}); nobody, "
                          "administrators included, can fetch them earlier", status=403,
                          opening_time=clock.isoformat(tender.opening_time))


def envelope_for_download(db: Session, *, actor: Actor, submission_id: str, store: BlobStore) -> Path:
    """The sealed bid file, only from the opening time, only to opening staff or the owning bidder."""
    submission = db.get(Submission, submission_id)
    if submission is None:
        raise DomainError("submission.not_found", f"there is no submission {submission_id!r}", status=404)
    tender = tenders.current_version(db, tender_id=submission.tender_id)
    # The time gate comes first and applies to every role, so that no role can probe the sealed bids.
    _after_opening(tender)
    owner = submission.account_id == actor.account_id
    if not owner and not actor.has(Role.OPENING_STAFF.value):
        raise DomainError("auth.forbidden", "only opening staff and the bidder may fetch a sealed bid", status=403)
    if submission.status != "active" and not owner:
        raise DomainError("submission.not_active", f"submission {submission_id} was {submission.status}; it is not "
                          "part of the opening", status=409)
    chain.append(db, actor=actor.ref, action="submission.download", object_type="submission",
                 object_id=submission.id, payload={"envelope_sha256": submission.envelope_sha256})
    return store.path(submission.envelope_sha256)


def withdraw(db: Session, *, actor: Actor, submission_id: str, signature: bytes, settings: Settings,
             keys: ServerKeys) -> Submission:
    """Withdraw the caller's active submission before the deadline (signed by the bidder)."""
    submission = db.execute(select(Submission).where(Submission.id == submission_id).with_for_update()
                            ).scalar_one_or_none()
    if submission is None or submission.account_id != actor.account_id:
        raise DomainError("submission.not_found", f"there is no submission {submission_id!r} of yours", status=404)
    if submission.status == "withdrawn":
        return submission
    if submission.status != "active":
        raise DomainError("submission.not_active", f"submission {submission_id} was {submission.status}; only the "
                          "active submission can be withdrawn", status=409)
    now = clock.now()
    tender = tenders.current_version(db, tender_id=submission.tender_id)
    _before_deadline(tender, now)
    statement = withdrawal_statement(tender_id=submission.tender_id, submission_id=submission.id,
                                     envelope_sha256=submission.envelope_sha256, bidder=actor.identity_key)
    _verify_statement(db, actor=actor, content=statement, signature=signature, settings=settings,
                      what="withdrawal")
    receipt = receipts.issue(kind="withdrawal", fields={
        "submission_id": submission.id, "tender_id": submission.tender_id,
        "tender_version": submission.tender_version, "bidder": submission.identity_key,
        "envelope_sha256": submission.envelope_sha256, "size": submission.size,
        "statement_sha256": hashlib.sha256(statement).hexdigest()}, when=now, settings=settings, keys=keys)
    submission.status = "withdrawn"
    submission.withdrawn_at = now
    submission.withdrawal_statement = statement
    submission.withdrawal_signature = signature
    submission.withdrawal_receipt_content = receipt.content
    submission.withdrawal_receipt_signature = receipt.signature
    submission.withdrawal_receipt_timestamp = receipt.timestamp_token
    db.flush()
    chain.append(db, actor=actor.ref, action="submission.withdraw", object_type="submission",
                 object_id=submission.id, payload=receipt.content, when=now)
    return submission


def submission_out(submission: Submission) -> SubmissionOut:
    withdrawal = None
    if submission.withdrawal_receipt_content is not None:
        assert submission.withdrawal_receipt_signature is not None
        assert submission.withdrawal_receipt_timestamp is not None
        withdrawal = receipts.receipt_file(submission.withdrawal_receipt_content,
                                           submission.withdrawal_receipt_signature,
                                           submission.withdrawal_receipt_timestamp)
    return SubmissionOut(id=submission.id, tender_id=submission.tender_id, tender_version=submission.tender_version,
                         bidder=submission.identity_key, envelope_sha256=submission.envelope_sha256,
                         size=submission.size, status=submission.status,  # type: ignore[arg-type]
                         submitted_at=submission.submitted_at, withdrawn_at=submission.withdrawn_at,
                         replaces=submission.replaces,
                         receipt=receipts.receipt_file(submission.receipt_content, submission.receipt_signature,
                                                       submission.receipt_timestamp),
                         withdrawal_receipt=withdrawal)
