"""Tenders: publish a signed package, clarify (new signed version), list, fetch.

Services take keyword arguments, flush but never commit, and raise DomainError, never HTTP errors.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import hashlib
import os
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from sqlalchemy import and_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bidclient.protocol.tender import (
    MAX_DOCUMENT_SIZE,
    DefinitionError,
    TenderDefinition,
    package_sha256,
    parse_definition,
)
from crypto import cms_sign, identity, trust
from crypto.errors import CryptoError, TrustError
from server import clock
from server.audit import chain
from server.auth.models import Account
from server.auth.service import Actor, current_trust_list
from server.blobs import BlobStore
from server.committee import service as committee_service
from server.problems import DomainError
from server.settings import Settings
from server.tenders.models import Tender, TenderDocument, TenderVersion


def get_tender(db: Session, *, tender_id: str) -> Tender:
    """The tender, or DomainError ``tender.not_found`` (404)."""
    tender = db.get(Tender, tender_id)
    if tender is None:
        raise DomainError("tender.not_found", f"there is no tender {tender_id!r}", status=404)
    return tender


def get_version(db: Session, *, tender_id: str, version: int) -> TenderVersion:
    """One published version of a tender, or DomainError ``tender.not_found`` /
    ``tender.version_not_found`` (404)."""
    get_tender(db, tender_id=tender_id)
    row = db.execute(select(TenderVersion).where(TenderVersion.tender_id == tender_id,
                                                 TenderVersion.version == version)).scalar_one_or_none()
    if row is None:
        raise DomainError("tender.version_not_found", f"tender {tender_id!r} has no version {version}",
                          status=404)
    return row


def current_version(db: Session, *, tender_id: str) -> TenderVersion:
    """The latest published version (the one bids must be sealed against), or ``tender.not_found`` (404)."""
    row = db.execute(select(TenderVersion).join(Tender, and_(Tender.id == TenderVersion.tender_id,
                                                             Tender.current_version == TenderVersion.version))
                     .where(Tender.id == tender_id)).scalar_one_or_none()
    if row is not None:
        return row
    tender = get_tender(db, tender_id=tender_id)  # says which is missing: the tender or its version
    return get_version(db, tender_id=tender_id, version=tender.current_version)


# --- documents ------------------------------------------------------------------------------------

PDF_MAGIC = b"%PDF-"


def max_document_size(settings: Settings) -> int:
    try:
        return int(settings.extra.get("max_tender_document_size", MAX_DOCUMENT_SIZE))
    except ValueError:
        return MAX_DOCUMENT_SIZE


class DocumentSink:
    """Receives an uploaded tender PDF chunk by chunk into the uploads folder, then moves it into the
    blob store under its SHA-256. Refused (and nothing kept): not a PDF (``tender.document_not_pdf``,
    415, detected from the first bytes), too large (``tender.document_too_large``, 413), or not the bytes
    the uploader announced (``tender.document_hash_mismatch``, 422)."""

    def __init__(self, *, settings: Settings, expected_sha256: str | None) -> None:
        self._settings = settings
        self._expected = expected_sha256
        self._limit = max_document_size(settings)
        settings.upload_dir.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(prefix="tender-doc-", dir=settings.upload_dir)
        self._file = os.fdopen(fd, "wb")
        self._temp = Path(name)
        self._digest = hashlib.sha256()
        self._head = b""
        self.size = 0

    def write(self, chunk: bytes) -> None:
        self.size += len(chunk)
        if self.size > self._limit:
            raise DomainError("tender.document_too_large",
                              f"a tender document may not be larger than {self._limit} bytes", status=413)
        if len(self._head) < len(PDF_MAGIC):
            self._head += chunk[: len(PDF_MAGIC) - len(self._head)]
            if not PDF_MAGIC.startswith(self._head):  # refuse early, before storing a large non-PDF
                raise _not_pdf()
        self._digest.update(chunk)
        self._file.write(chunk)

    def finish(self) -> tuple[str, int]:
        """Returns (sha256, size) of the stored blob."""
        self._file.flush()
        os.fsync(self._file.fileno())
        self._file.close()
        if self._head != PDF_MAGIC:
            raise _not_pdf()
        sha = self._digest.hexdigest()
        if self._expected is not None and self._expected != sha:
            raise DomainError("tender.document_hash_mismatch",
                              f"the uploaded document's SHA-256 is {sha}, not the announced {self._expected}; "
                              "it was damaged in transit or is not the file that was meant", status=422)
        blobs = BlobStore(self._settings.blob_dir)
        if not blobs.exists(sha):
            blobs.adopt(self._temp, sha)
        return sha, self.size

    def discard(self) -> None:
        """Remove the temporary file (always call it; harmless after finish)."""
        self._file.close()
        with contextlib.suppress(FileNotFoundError):
            self._temp.unlink()


def store_document(chunks: Iterable[bytes], *, settings: Settings, expected_sha256: str | None) -> tuple[str, int]:
    """Store a whole tender PDF from ``chunks`` (see DocumentSink)."""
    sink = DocumentSink(settings=settings, expected_sha256=expected_sha256)
    try:
        for chunk in chunks:
            sink.write(chunk)
        return sink.finish()
    finally:
        sink.discard()


def revocation_mode(settings: Settings) -> trust.RevocationMode:
    return {"hard-fail": trust.RevocationMode.HARD_FAIL, "off": trust.RevocationMode.OFF}.get(
        settings.revocation, trust.RevocationMode.SOFT_FAIL)


def _not_pdf() -> DomainError:
    return DomainError("tender.document_not_pdf", "tender documents must be PDF files (starting with %PDF-)",
                       status=415)


def _check_documents(definition: TenderDefinition, *, settings: Settings) -> None:
    """Every listed document must have been uploaded, with the listed size, and be a PDF. The PDF check
    is repeated here because the blob store is shared: it keeps anyone from publishing, say, a sealed
    bid's blob as a 'document' (sealed bids are DER and never start with %PDF-)."""
    blobs = BlobStore(settings.blob_dir)
    seen: set[str] = set()
    for doc in definition.documents:
        if doc.sha256 in seen:
            raise DomainError("tender.duplicate_document", f"{doc.name} has the same content as another "
                              "document of this version", status=422)
        seen.add(doc.sha256)
        if not blobs.exists(doc.sha256):
            raise DomainError("tender.document_missing", f"{doc.name} (SHA-256 {doc.sha256}) has not been "
                              "uploaded: upload every document before publishing", status=422,
                              document=doc.name)
        path = blobs.path(doc.sha256)
        if path.stat().st_size != doc.size:
            raise DomainError("tender.document_size_mismatch", f"{doc.name}: the definition says {doc.size} "
                              f"bytes, the uploaded document has {path.stat().st_size}", status=422,
                              document=doc.name)
        with open(path, "rb") as f:
            if f.read(len(PDF_MAGIC)) != PDF_MAGIC:
                raise _not_pdf()


def document_path(db: Session, *, tender_id: str, version: int, sha256: str, settings: Settings
                  ) -> tuple[TenderDocument, Path]:
    row = get_version(db, tender_id=tender_id, version=version)
    doc = db.execute(select(TenderDocument).where(TenderDocument.tender_version_id == row.id,
                                                  TenderDocument.sha256 == sha256)).scalar_one_or_none()
    if doc is None:
        raise DomainError("tender.document_not_found", f"version {version} of tender {tender_id!r} has no "
                          f"document with SHA-256 {sha256}", status=404)
    return doc, BlobStore(settings.blob_dir).path(doc.sha256)


# --- publish and clarify --------------------------------------------------------------------------


def _parse(definition: bytes) -> TenderDefinition:
    try:
        return parse_definition(definition)
    except DefinitionError as ex:
        raise DomainError(ex.code, ex.message, status=422) from None


def _verify_signature(db: Session, *, actor: Actor, definition: TenderDefinition, content: bytes,
                      signature: bytes, settings: Settings) -> str:
    """The agency's signature: intact, by a certificate trusted for signing, of the publishing account,
    whose enterprise is the agency the definition names. Returns the signer certificate's SHA-256."""
    try:
        info = cms_sign.verify_detached(content, signature)
    except CryptoError as ex:
        raise DomainError("tender.signature_invalid", f"the signature over the definition is not valid: {ex}",
                          status=422) from ex
    try:
        trust.validate(info.signer_certificate, current_trust_list(db), usage="signing",
                       extra_certs=info.certificates, revocation=revocation_mode(settings))
    except TrustError as ex:
        code = "tender.signer_revoked" if ex.reason == TrustError.REASON_REVOKED else "tender.signer_untrusted"
        raise DomainError(code, f"the signing certificate is not acceptable: {ex}", status=422,
                          reason=ex.reason) from ex
    signer = identity.identity_of(info.signer_certificate)
    if signer.key != actor.identity_key:
        raise DomainError("tender.signer_not_publisher", f"the definition was signed by {signer.display_name()}, "
                          "not by the account publishing it; sign with your own key", status=403)
    if signer.uscc != definition.agency.uscc:
        raise DomainError("tender.agency_mismatch", f"the definition names agency {definition.agency.uscc} but "
                          f"was signed by {signer.display_name()}", status=422)
    return info.signer_certificate.fingerprint(hashes.SHA256()).hex()


def _check_opening_certificates(db: Session, definition: TenderDefinition, *, settings: Settings) -> None:
    trust_list = current_trust_list(db)
    for index, pem in enumerate(definition.opening_certificates):
        try:
            cert = x509.load_pem_x509_certificate(pem.encode("ascii"))
        except ValueError:
            raise DomainError("tender.opening_certificate_invalid", f"opening certificate {index + 1} is not "
                              "a PEM X.509 certificate", status=422) from None
        try:
            trust.validate(cert, trust_list, usage="encryption", revocation=revocation_mode(settings))
        except TrustError as ex:
            raise DomainError("tender.opening_certificate_invalid", f"opening certificate {index + 1} cannot "
                              f"be used to seal bids: {ex}", status=422, reason=ex.reason) from ex
        if cert.not_valid_after_utc <= definition.opening_time:
            raise DomainError("tender.opening_certificate_invalid", f"opening certificate {index + 1} expires "
                              f"{cert.not_valid_after_utc:%Y-%m-%d %H:%M} UTC, before the opening", status=422)


def _check_times(definition: TenderDefinition, now: datetime) -> None:
    if definition.bid_deadline <= now:
        raise DomainError("tender.deadline_in_past", "the bid deadline must be after the server's current time "
                          f"({clock.isoformat(now)})", status=422)


def _decode(definition_b64: str, signature_b64: str) -> tuple[bytes, bytes]:
    try:
        return (base64.b64decode(definition_b64, validate=True), base64.b64decode(signature_b64, validate=True))
    except (binascii.Error, ValueError):
        raise DomainError("request.invalid", "definition and signature must be base64", status=422) from None


def _add_version(db: Session, *, tender: Tender, definition: TenderDefinition, content: bytes, signature: bytes,
                 signer_cert_sha256: str, now: datetime) -> TenderVersion:
    row = TenderVersion(tender_id=tender.id, version=definition.version, definition=content, signature=signature,
                        package_sha256=package_sha256(content), signer_cert_sha256=signer_cert_sha256,
                        deadline=definition.bid_deadline, opening_time=definition.opening_time, published_at=now)
    db.add(row)
    db.flush()
    for position, doc in enumerate(definition.documents):
        db.add(TenderDocument(tender_version_id=row.id, position=position, name=doc.name, sha256=doc.sha256,
                              size=doc.size))
    db.flush()
    return row


def _audit_payload(definition: TenderDefinition, row: TenderVersion) -> dict[str, Any]:
    return {"tender_id": definition.tender_id, "version": definition.version,
            "package_sha256": row.package_sha256, "signer_cert_sha256": row.signer_cert_sha256,
            "bid_deadline": clock.isoformat(definition.bid_deadline),
            "opening_time": clock.isoformat(definition.opening_time),
            "previous_package_sha256": definition.previous_package_sha256,
            "documents": [{"name": d.name, "sha256": d.sha256, "size": d.size} for d in definition.documents]}


def publish(db: Session, *, actor: Actor, definition_b64: str, signature_b64: str,
            settings: Settings) -> TenderVersion:
    """Publish version 1 of a new tender (the caller has the agency role)."""
    content, signature = _decode(definition_b64, signature_b64)
    definition = _parse(content)
    if definition.version != 1:
        raise DomainError("tender.version_conflict", f"a new tender starts at version 1, not "
                          f"{definition.version}; publish clarifications to /tenders/{{id}}/versions", status=409)
    signer_cert = _verify_signature(db, actor=actor, definition=definition, content=content, signature=signature,
                                    settings=settings)
    now = clock.now()
    _check_times(definition, now)
    _check_opening_certificates(db, definition, settings=settings)
    committee_service.check_tender_committee(db, actor=actor, tender_id=definition.tender_id,
                                             entry=definition.committee)
    _check_documents(definition, settings=settings)
    if db.get(Tender, definition.tender_id) is not None:
        raise DomainError("tender.exists", f"tender {definition.tender_id!r} already exists; a change is a "
                          "clarification (new version)", status=409)
    tender = Tender(id=definition.tender_id, agency_account_id=actor.account_id, title=definition.title,
                    procurement_kind=definition.procurement_kind, current_version=1, created_at=now)
    db.add(tender)
    try:
        db.flush()
    except IntegrityError:
        # Two publishers raced for the same id (PostgreSQL; SQLite serialises at BEGIN IMMEDIATE).
        raise DomainError("tender.exists", f"tender {definition.tender_id!r} already exists", status=409) from None
    row = _add_version(db, tender=tender, definition=definition, content=content, signature=signature,
                       signer_cert_sha256=signer_cert, now=now)
    chain.append(db, actor=actor.ref, action="tender.publish", object_type="tender", object_id=tender.id,
                 payload=_audit_payload(definition, row))
    return row


def require_owner(db: Session, *, actor: Actor, tender_id: str) -> None:
    """Refuse unless ``actor`` is the agency that published the tender (for the route's permission)."""
    _require_owner(get_tender(db, tender_id=tender_id), actor)


def _require_owner(tender: Tender, actor: Actor) -> None:
    if tender.agency_account_id != actor.account_id:
        raise DomainError("tender.not_owner", "only the agency that published this tender may clarify it",
                          status=403)


def clarify(db: Session, *, actor: Actor, tender_id: str, definition_b64: str, signature_b64: str,
            settings: Settings) -> TenderVersion:
    """Publish a clarification (答疑): version current + 1 by the owning agency, before the deadline."""
    tender = db.execute(select(Tender).where(Tender.id == tender_id).with_for_update()).scalar_one_or_none()
    if tender is None:
        raise DomainError("tender.not_found", f"there is no tender {tender_id!r}", status=404)
    _require_owner(tender, actor)
    current = get_version(db, tender_id=tender_id, version=tender.current_version)
    now = clock.now()
    if now >= current.deadline:
        raise DomainError("tender.deadline_passed", f"the bid deadline {clock.isoformat(current.deadline)} has "
                          "passed; a tender cannot be clarified after it", status=409)
    content, signature = _decode(definition_b64, signature_b64)
    definition = _parse(content)
    if definition.tender_id != tender_id:
        raise DomainError("tender.id_mismatch", f"the definition is for tender {definition.tender_id!r}, "
                          f"not {tender_id!r}", status=422)
    if definition.version != current.version + 1:
        raise DomainError("tender.version_conflict", f"the current version is {current.version}; a clarification "
                          f"must be version {current.version + 1}, not {definition.version}", status=409,
                          current_version=current.version)
    if definition.previous_package_sha256 != current.package_sha256:
        raise DomainError("tender.version_conflict", f"the clarification must name version {current.version}'s "
                          f"package_sha256 {current.package_sha256} as its previous package", status=409,
                          current_version=current.version)
    signer_cert = _verify_signature(db, actor=actor, definition=definition, content=content, signature=signature,
                                    settings=settings)
    _check_times(definition, now)
    _check_opening_certificates(db, definition, settings=settings)
    committee_service.check_tender_committee(db, actor=actor, tender_id=tender_id, entry=definition.committee)
    _check_documents(definition, settings=settings)
    row = _add_version(db, tender=tender, definition=definition, content=content, signature=signature,
                       signer_cert_sha256=signer_cert, now=now)
    tender.current_version = definition.version
    tender.title = definition.title
    db.flush()
    chain.append(db, actor=actor.ref, action="tender.clarify", object_type="tender", object_id=tender.id,
                 payload=_audit_payload(definition, row) | {"changes": list(definition.changes)})
    return row


# --- reading (public) -----------------------------------------------------------------------------


@dataclass(frozen=True)
class TenderListing:
    tender: Tender
    current: TenderVersion
    agency: Account


def list_tenders(db: Session, *, limit: int = 100, offset: int = 0) -> list[TenderListing]:
    rows = db.execute(select(Tender, TenderVersion, Account)
                      .join(TenderVersion, (TenderVersion.tender_id == Tender.id)
                            & (TenderVersion.version == Tender.current_version))
                      .join(Account, Account.id == Tender.agency_account_id)
                      .order_by(Tender.created_at.desc(), Tender.id).limit(limit).offset(offset)).all()
    return [TenderListing(tender, current, agency) for tender, current, agency in rows]


def tender_listing(db: Session, *, tender_id: str) -> tuple[TenderListing, list[TenderVersion]]:
    tender = get_tender(db, tender_id=tender_id)
    current = get_version(db, tender_id=tender_id, version=tender.current_version)
    agency = db.get(Account, tender.agency_account_id)
    assert agency is not None  # a foreign key
    versions = list(db.execute(select(TenderVersion).where(TenderVersion.tender_id == tender_id)
                               .order_by(TenderVersion.version)).scalars())
    return TenderListing(tender, current, agency), versions
