"""/api/v1/tenders: upload documents and publish (agency), clarify (owning agency), list and fetch (public).

Published tenders are public announcements: listing and fetching need no login.
"""

from __future__ import annotations

import base64
import logging
import re
from typing import Annotated

from fastapi import APIRouter, Depends, Header, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import FileResponse

from bidclient.protocol.tender import (
    TENDER_ID_PATTERN,
    DocumentUploadOut,
    PublishIn,
    ServerClockOut,
    TenderListOut,
    TenderOut,
    TenderSummary,
    TenderVersionOut,
    TenderVersionSummary,
)
from server import clock
from server.auth import permissions
from server.auth.models import Role
from server.auth.permissions import AgencyActor, Public, RequireRole
from server.auth.service import Actor
from server.deps import DbSession, ReadDbSession, SettingsDep, get_settings
from server.problems import Problem
from server.settings import Settings
from server.tenders import deadlines, service
from server.tenders.models import TenderVersion

log = logging.getLogger("server.tenders")
router = APIRouter(prefix="/api/v1/tenders", tags=["tenders"], lifespan=deadlines.lifespan)

TenderId = Annotated[str, Query(pattern=TENDER_ID_PATTERN)]
_HEX64 = re.compile(r"^[0-9a-f]{64}$")


# Authentication reads in a short unit of its own, closed before the body streams in, so that a long upload
# holds no database transaction (on SQLite that would be the write lock).
DocumentUploader = Annotated[Actor, Depends(RequireRole(Role.AGENCY.value, doing="uploading tender documents"))]


@permissions.permission("the agency that published the tender")
def tender_owner(tender_id: str, db: ReadDbSession, actor: AgencyActor) -> Actor:
    service.require_owner(db, actor=actor, tender_id=tender_id)
    return actor


TenderOwner = Annotated[Actor, Depends(tender_owner)]


@router.post("/documents", response_model=DocumentUploadOut, status_code=201,
             summary="Upload one tender PDF (agency); the body is the raw PDF")
async def upload_document(request: Request, actor: DocumentUploader,
                          settings: Annotated[Settings, Depends(get_settings)],
                          x_content_sha256: Annotated[str | None, Header()] = None) -> DocumentUploadOut:
    expected = x_content_sha256.strip().lower() if x_content_sha256 else None
    if expected is not None and not _HEX64.match(expected):
        raise Problem(422, "request.invalid", "X-Content-SHA256 must be 64 hex digits")
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > service.max_document_size(settings):
        raise Problem(413, "tender.document_too_large", "The document is too large",
                      f"a tender document may not be larger than {service.max_document_size(settings)} bytes")
    sink = await run_in_threadpool(service.DocumentSink, settings=settings, expected_sha256=expected)
    try:
        async for chunk in request.stream():
            sink.write(chunk)
        sha, size = await run_in_threadpool(sink.finish)
    finally:
        sink.discard()
    return DocumentUploadOut(sha256=sha, size=size)


def _version_summary(row: TenderVersion) -> TenderVersionSummary:
    return TenderVersionSummary(version=row.version, package_sha256=row.package_sha256, bid_deadline=row.deadline,
                                opening_time=row.opening_time, published_at=row.published_at)


def _summary(listing: service.TenderListing) -> TenderSummary:
    tender, current, agency = listing.tender, listing.current, listing.agency
    return TenderSummary(tender_id=tender.id, title=tender.title, procurement_kind=tender.procurement_kind,
                         agency_name=agency.organization, agency_uscc=agency.uscc,
                         current_version=tender.current_version, package_sha256=current.package_sha256,
                         bid_deadline=current.deadline, opening_time=current.opening_time,
                         published_at=current.published_at)


def _version_out(row: TenderVersion, current_version: int) -> TenderVersionOut:
    return TenderVersionOut(tender_id=row.tender_id, version=row.version, current_version=current_version,
                            package_sha256=row.package_sha256,
                            definition=base64.b64encode(row.definition).decode("ascii"),
                            signature=base64.b64encode(row.signature).decode("ascii"),
                            published_at=row.published_at)


@router.post("", response_model=TenderVersionOut, status_code=201,
             summary="Publish a new tender (version 1), signed by the agency")
def publish(body: PublishIn, request: Request, db: DbSession, settings: SettingsDep,
            actor: AgencyActor) -> TenderVersionOut:
    row = service.publish(db, actor=actor, definition_b64=body.definition, signature_b64=body.signature,
                          settings=settings)
    return _published(request, row, "tender.publish")


@router.post("/{tender_id}/versions", response_model=TenderVersionOut, status_code=201,
             summary="Publish a clarification (答疑): the next signed version, by the owning agency")
def clarify(tender_id: str, body: PublishIn, request: Request, db: DbSession, settings: SettingsDep,
            actor: TenderOwner) -> TenderVersionOut:
    row = service.clarify(db, actor=actor, tender_id=tender_id, definition_b64=body.definition,
                          signature_b64=body.signature, settings=settings)
    return _published(request, row, "tender.clarify")


def _published(request: Request, row: TenderVersion, action: str) -> TenderVersionOut:
    """The new version, with the clock state the agency must know of (the deadline is judged by this
    clock), which is also logged with the publication."""
    state = request.app.state.clock_watch.state()  # cached: a command runs at most once a minute
    log.info("%s %s version %d; clock synchronised: %s", action, row.tender_id, row.version,
             state.synchronised, extra={"event": action, "tender_id": row.tender_id, "version": row.version,
                                        "bid_deadline": clock.isoformat(row.deadline),
                                        "clock": state.as_dict()})
    return _version_out(row, row.version).model_copy(update={"server_clock": ServerClockOut(**state.as_dict())})


@router.get("", response_model=TenderListOut, summary="List published tenders (public)", dependencies=[Public])
def list_tenders(db: ReadDbSession, limit: Annotated[int, Query(ge=1, le=500)] = 100,
                 offset: Annotated[int, Query(ge=0)] = 0) -> TenderListOut:
    return TenderListOut(tenders=[_summary(t) for t in service.list_tenders(db, limit=limit, offset=offset)],
                         server_time=clock.now())


@router.get("/{tender_id}", response_model=TenderOut, summary="One tender and its versions (public)",
            dependencies=[Public])
def get_tender(tender_id: str, db: ReadDbSession) -> TenderOut:
    listing, versions = service.tender_listing(db, tender_id=tender_id)
    return TenderOut(**_summary(listing).model_dump(), versions=[_version_summary(v) for v in versions])


@router.get("/{tender_id}/versions/{version}", response_model=TenderVersionOut,
            summary="The signed definition of one version (public)", dependencies=[Public])
def get_version(tender_id: str, version: int, db: ReadDbSession) -> TenderVersionOut:
    row = service.get_version(db, tender_id=tender_id, version=version)
    tender = service.get_tender(db, tender_id=tender_id)
    return _version_out(row, tender.current_version)


@router.get("/{tender_id}/versions/{version}/documents/{sha256}", response_class=FileResponse,
            summary="One tender PDF of a version, by its SHA-256 (public)", dependencies=[Public],
            responses={200: {"content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}}}})
def get_document(tender_id: str, version: int, sha256: str, db: ReadDbSession, settings: SettingsDep) -> FileResponse:
    if not _HEX64.match(sha256):
        raise Problem(404, "tender.document_not_found", "No such document", "documents are named by SHA-256")
    doc, path = service.document_path(db, tender_id=tender_id, version=version, sha256=sha256, settings=settings)
    return FileResponse(path, media_type="application/pdf", headers={"X-Content-SHA256": doc.sha256})
