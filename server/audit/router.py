"""/api/v1/audit: the live trail for supervisors (long-poll), checkpoints, and the full export.

These endpoints read in short transactions of their own instead of the request's unit of work: on SQLite
every transaction takes the write lock (BEGIN IMMEDIATE), so a 30-second long-poll or a large export
holding one would stall every writer. Entries and checkpoints never change once committed, so reading
in batches up to a head fixed at the start gives a consistent export.
"""

from __future__ import annotations

import asyncio
import base64
import time
from collections.abc import Iterator
from typing import Annotated

from cryptography.hazmat.primitives import serialization
from fastapi import APIRouter, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import StreamingResponse
from sqlalchemy.orm import Session, sessionmaker

from bidclient.protocol.audit import (
    EXPORT_MEDIA_TYPE,
    AuditEntryOut,
    AuditFeedOut,
    CheckpointOut,
    CheckpointsOut,
    ExportCheckpoint,
    ExportEnd,
    ExportEntry,
    ExportHeader,
)
from bidclient.protocol.common import canonical_json
from server import clock
from server.audit import chain, service
from server.audit.checkpoints import lifespan
from server.audit.models import AuditEntry
from server.auth.permissions import AuditReader
from server.auth.service import Actor
from server.keys import ServerKeys

BATCH = 1000
MAX_WAIT_SECONDS = 30

router = APIRouter(prefix="/api/v1/audit", tags=["audit"], lifespan=lifespan)


def entry_out(entry: AuditEntry) -> AuditEntryOut:
    return AuditEntryOut(**chain.entry_fields(entry), entry_hash=entry.entry_hash)


def _read_feed(factory: sessionmaker[Session], after: int, limit: int) -> tuple[list[AuditEntryOut], int]:
    with factory() as db:
        rows = service.entries_after(db, after=after, limit=limit)
        return [entry_out(row) for row in rows], service.head_seq(db)


@router.get("", response_model=AuditFeedOut, summary="Read the trail live (long-poll)")
async def feed(request: Request, actor: AuditReader,
               after: Annotated[int, Query(ge=0, le=2**62, description="return entries with seq > after")] = 0,
               limit: Annotated[int, Query(ge=1, le=BATCH)] = 500,
               wait: Annotated[float, Query(ge=0, le=MAX_WAIT_SECONDS,
                                            description="seconds to wait for a new entry when none is "
                                                        "there yet (long-poll)")] = 0) -> AuditFeedOut:
    factory = request.app.state.session_factory
    deadline = time.monotonic() + wait
    while True:
        entries, head = await run_in_threadpool(_read_feed, factory, after, limit)
        if entries or time.monotonic() >= deadline or await request.is_disconnected():
            return AuditFeedOut(entries=entries, head_seq=head, server_time=clock.now())
        await asyncio.sleep(0.25)


@router.get("/checkpoints", response_model=CheckpointsOut, summary="List the timestamped checkpoints")
def checkpoints(request: Request, actor: AuditReader,
                after: Annotated[int, Query(ge=0, le=2**62)] = 0) -> CheckpointsOut:
    factory: sessionmaker[Session] = request.app.state.session_factory
    with factory() as db:
        rows = service.checkpoints_after(db, after=after, limit=BATCH)
    return CheckpointsOut(checkpoints=[CheckpointOut(seq=c.seq, entry_hash=c.entry_hash, created_at=c.created_at,
                                                     token=base64.b64encode(c.token).decode("ascii"))
                                       for c in rows])


def _pem(cert: object) -> str:
    return cert.public_bytes(serialization.Encoding.PEM).decode("ascii")  # type: ignore[attr-defined]


def _line(model: object) -> bytes:
    return canonical_json(model.model_dump(mode="json")) + b"\n"  # type: ignore[attr-defined]


def export_lines(factory: sessionmaker[Session], keys: ServerKeys, head_seq: int, head_hash: str) -> Iterator[bytes]:
    """The export file, line by line, up to ``head_seq`` (see docs/formats/audit.md)."""
    yield _line(ExportHeader(exported_at=clock.isoformat(clock.now()), server_ca=_pem(keys.ca_certificate),
                             tsa_certificate=_pem(keys.tsa_signer.certificate),
                             receipt_certificate=_pem(keys.receipt_signer.certificate)))
    last = 0
    count = 0
    while last < head_seq:
        with factory() as db:
            rows = service.entries_after(db, after=last, upto=head_seq, limit=BATCH)
        if not rows:
            break
        for row in rows:
            yield _line(ExportEntry(**chain.entry_fields(row), entry_hash=row.entry_hash))
        count += len(rows)
        last = rows[-1].seq
    with factory() as db:
        cps = service.checkpoints_upto(db, upto=head_seq)
    for cp in cps:
        yield _line(ExportCheckpoint(seq=cp.seq, entry_hash=cp.entry_hash, created_at=clock.isoformat(cp.created_at),
                                     token=base64.b64encode(cp.token).decode("ascii")))
    yield _line(ExportEnd(entries=count, checkpoints=len(cps), head_seq=head_seq, head_hash=head_hash))


def _record_export(factory: sessionmaker[Session], actor: Actor) -> tuple[int, str]:
    with factory() as db:
        head = service.record_export(db, actor=actor)
        db.commit()
    return head


@router.get("/export", response_class=StreamingResponse, summary="Export the whole trail (JSON Lines)",
            responses={200: {"description": "the export file (docs/formats/audit.md)",
                             "content": {EXPORT_MEDIA_TYPE: {"schema": {"type": "string"}}}}})
def export(request: Request, actor: AuditReader) -> StreamingResponse:
    factory: sessionmaker[Session] = request.app.state.session_factory
    # The export is itself recorded (who took a copy of the trail), and ends at that record.
    head_seq, head_hash = _record_export(factory, actor)
    stamp = clock.now().strftime("%Y%m%dT%H%M%SZ")
    return StreamingResponse(export_lines(factory, request.app.state.keys, head_seq, head_hash),
                             media_type=EXPORT_MEDIA_TYPE,
                             headers={"Content-Disposition": f'attachment; filename="audit-{stamp}.jsonl"'})
