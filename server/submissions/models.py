"""Resumable uploads and sealed-bid submissions. Upload state lives in the database, not in memory,
so an upload begun through one server instance continues through another."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Index, Integer, LargeBinary, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from server.db import Base, UTCDateTime


class Upload(Base):
    __tablename__ = "upload"
    __table_args__ = (UniqueConstraint("account_id", "idempotency_key"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    account_id: Mapped[str] = mapped_column(ForeignKey("account.id"), index=True)
    identity_key: Mapped[str] = mapped_column(String(300))
    tender_id: Mapped[str] = mapped_column(ForeignKey("tender.id"), index=True)
    tender_version: Mapped[int] = mapped_column(Integer)
    size: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64))
    statement: Mapped[bytes] = mapped_column(LargeBinary)  # the exact signed bytes
    statement_signature: Mapped[bytes] = mapped_column(LargeBinary)
    signer_cert_sha256: Mapped[str] = mapped_column(String(64))
    state: Mapped[str] = mapped_column(String(16))  # open | completed
    idempotency_key: Mapped[str | None] = mapped_column(String(100), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    submission_id: Mapped[str | None] = mapped_column(String(36), nullable=True)


class UploadRange(Base):
    """A chunk the server acknowledged: its bytes are on disk (fsynced) at [offset, offset + length)."""

    __tablename__ = "upload_range"
    __table_args__ = (UniqueConstraint("upload_id", "offset"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    upload_id: Mapped[str] = mapped_column(ForeignKey("upload.id", ondelete="CASCADE"), index=True)
    offset: Mapped[int] = mapped_column(BigInteger)
    length: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime())


class Submission(Base):
    __tablename__ = "submission"
    __table_args__ = (
        # One active submission per bidder identity per tender, enforced by the database itself.
        Index("uq_submission_active_bidder", "tender_id", "identity_key", unique=True,
              sqlite_where=text("status = 'active'"), postgresql_where=text("status = 'active'")),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    upload_id: Mapped[str] = mapped_column(ForeignKey("upload.id"), unique=True)
    account_id: Mapped[str] = mapped_column(ForeignKey("account.id"), index=True)
    identity_key: Mapped[str] = mapped_column(String(300))
    tender_id: Mapped[str] = mapped_column(ForeignKey("tender.id"), index=True)
    tender_version: Mapped[int] = mapped_column(Integer)
    envelope_sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(BigInteger)
    status: Mapped[str] = mapped_column(String(16))  # active | replaced | withdrawn
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime())
    replaces: Mapped[str | None] = mapped_column(String(36), nullable=True)
    replaced_by: Mapped[str | None] = mapped_column(String(36), nullable=True)
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    receipt_id: Mapped[str] = mapped_column(String(36), unique=True)
    receipt_content: Mapped[bytes] = mapped_column(LargeBinary)
    receipt_signature: Mapped[bytes] = mapped_column(LargeBinary)
    receipt_timestamp: Mapped[bytes] = mapped_column(LargeBinary)
    withdrawal_statement: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    withdrawal_signature: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    withdrawal_receipt_content: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    withdrawal_receipt_signature: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    withdrawal_receipt_timestamp: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
