"""Tenders and their signed versions (答疑 clarifications publish a new version)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Integer, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from server.db import Base, UTCDateTime


class Tender(Base):
    __tablename__ = "tender"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    agency_account_id: Mapped[str] = mapped_column(ForeignKey("account.id"), index=True)
    title: Mapped[str] = mapped_column(String(500))
    procurement_kind: Mapped[str] = mapped_column(String(16))
    current_version: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class TenderVersion(Base):
    __tablename__ = "tender_version"
    __table_args__ = (UniqueConstraint("tender_id", "version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    tender_id: Mapped[str] = mapped_column(ForeignKey("tender.id"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    definition: Mapped[bytes] = mapped_column(LargeBinary)  # the exact signed JSON bytes
    signature: Mapped[bytes] = mapped_column(LargeBinary)  # detached CMS by the agency
    package_sha256: Mapped[str] = mapped_column(String(64))  # SHA-256 of `definition`
    signer_cert_sha256: Mapped[str] = mapped_column(String(64))
    deadline: Mapped[datetime] = mapped_column(UTCDateTime())
    opening_time: Mapped[datetime] = mapped_column(UTCDateTime())
    published_at: Mapped[datetime] = mapped_column(UTCDateTime())


class TenderDocument(Base):
    """A tender PDF of one version, stored as a blob. Only blobs listed here are ever served publicly
    (the blob store also holds sealed bids, which nobody may download before the opening)."""

    __tablename__ = "tender_document"
    __table_args__ = (UniqueConstraint("tender_version_id", "sha256"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    tender_version_id: Mapped[int] = mapped_column(ForeignKey("tender_version.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(200))
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(BigInteger)
