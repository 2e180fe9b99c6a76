"""Tenders: publish a signed package, clarify (new signed version), list, fetch.

Services take keyword arguments, flush but never commit, and raise DomainError, never HTTP errors.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from server.problems import DomainError
from server.tenders.models import Tender, TenderVersion


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
    tender = get_tender(db, tender_id=tender_id)
    return get_version(db, tender_id=tender_id, version=tender.current_version)
