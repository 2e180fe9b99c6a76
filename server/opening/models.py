"""The opening session (开标) of a tender: its state, the check-ins, each bid's decryption and outcome,
objections and the signed record. Nothing stored here opens a bid: a released content key is kept only
as the CMS envelope the bidder made for the opening's hosts (see docs/opening.md)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from server.db import Base, UTCDateTime


class OpeningSession(Base):
    __tablename__ = "opening_session"

    tender_id: Mapped[str] = mapped_column(ForeignKey("tender.id"), primary_key=True)
    state: Mapped[str] = mapped_column(String(24))
    hosts: Mapped[str] = mapped_column(Text)  # JSON list of identity keys (opening staff of this tender)
    supervisors: Mapped[str] = mapped_column(Text)  # JSON list of identity keys (read-only)
    scheduled_by: Mapped[str] = mapped_column(String(300))
    scheduled_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # Each state change increments it: a host's action names the step it saw, so two hosts acting at
    # once cannot both succeed (the second gets opening.state_conflict).
    step: Mapped[int] = mapped_column(Integer)
    bid_count: Mapped[int | None] = mapped_column(Integer, nullable=True)
    window_minutes: Mapped[int] = mapped_column(Integer)
    window_opens_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    window_closes_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    recipients: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)  # PEM: the hosts' encryption certs
    record_pdf: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    record_sha256: Mapped[str | None] = mapped_column(String(64), nullable=True)
    record_signers: Mapped[str] = mapped_column(Text, default="[]")  # JSON list of identity keys, in order
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class OpeningCheckIn(Base):
    __tablename__ = "opening_check_in"
    __table_args__ = (UniqueConstraint("tender_id", "identity_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    tender_id: Mapped[str] = mapped_column(ForeignKey("opening_session.tender_id"), index=True)
    identity_key: Mapped[str] = mapped_column(String(300))
    organization: Mapped[str | None] = mapped_column(String(300), nullable=True)
    statement: Mapped[bytes] = mapped_column(LargeBinary)
    signature: Mapped[bytes] = mapped_column(LargeBinary)
    checked_in_at: Mapped[datetime] = mapped_column(UTCDateTime())
    late: Mapped[bool] = mapped_column(Boolean)  # after the opening locked at the deadline
    address: Mapped[str] = mapped_column(String(64))


class OpeningBid(Base):
    """One active submission of the tender, counted at the lock."""

    __tablename__ = "opening_bid"
    __table_args__ = (UniqueConstraint("tender_id", "position"),)

    submission_id: Mapped[str] = mapped_column(ForeignKey("submission.id"), primary_key=True)
    tender_id: Mapped[str] = mapped_column(ForeignKey("opening_session.tender_id"), index=True)
    position: Mapped[int] = mapped_column(Integer)  # order of submission: the announcement order
    identity_key: Mapped[str] = mapped_column(String(300))
    organization: Mapped[str | None] = mapped_column(String(300), nullable=True)
    # awaiting_key | key_released | opened | failed (retry possible) | revoked (撤销) | withdrawn (撤回)
    state: Mapped[str] = mapped_column(String(16))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    key_envelope: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    key_statement: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    key_signature: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    key_released_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    failure_code: Mapped[str | None] = mapped_column(String(64), nullable=True)
    failure_detail: Mapped[str | None] = mapped_column(Text, nullable=True)
    fault: Mapped[str | None] = mapped_column(String(16), nullable=True)  # bidder | other
    manifest: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    manifest_signature: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    announced: Mapped[str | None] = mapped_column(Text, nullable=True)  # JSON: the 唱标 items
    opened_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    opened_by: Mapped[str | None] = mapped_column(String(300), nullable=True)
    # The committee remedy (补救方案), once the host started it for this bid:
    remedy_committee: Mapped[str | None] = mapped_column(String(100), nullable=True)
    remedy_ephemeral: Mapped[str | None] = mapped_column(Text, nullable=True)  # JSON list of hex R (from the bid)
    remedied: Mapped[bool] = mapped_column(Boolean, default=False)  # opened by k members' partial results


class OpeningPartial(Base):
    """A committee member's partial result for one bid of the remedy, with its Chaum-Pedersen proof, signed."""

    __tablename__ = "opening_partial"
    __table_args__ = (UniqueConstraint("submission_id", "member", "ephemeral"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    submission_id: Mapped[str] = mapped_column(ForeignKey("opening_bid.submission_id"), index=True)
    member: Mapped[int] = mapped_column(Integer)
    ephemeral: Mapped[str] = mapped_column(String(140))
    identity_key: Mapped[str] = mapped_column(String(300))
    partial: Mapped[bytes] = mapped_column(LargeBinary)  # the exact signed bytes (crypto.threshold.Partial)
    signature: Mapped[bytes] = mapped_column(LargeBinary)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime())


class OpeningObjection(Base):
    __tablename__ = "opening_objection"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    tender_id: Mapped[str] = mapped_column(ForeignKey("opening_session.tender_id"), index=True)
    identity_key: Mapped[str] = mapped_column(String(300))
    organization: Mapped[str | None] = mapped_column(String(300), nullable=True)
    text: Mapped[str] = mapped_column(Text)
    raised_at: Mapped[datetime] = mapped_column(UTCDateTime())
    answer: Mapped[str | None] = mapped_column(Text, nullable=True)
    answered_by: Mapped[str | None] = mapped_column(String(300), nullable=True)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class OpeningAcknowledgment(Base):
    """A bidder's signed confirmation of (or objection to) the published record."""

    __tablename__ = "opening_acknowledgment"
    __table_args__ = (UniqueConstraint("tender_id", "identity_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    tender_id: Mapped[str] = mapped_column(ForeignKey("opening_session.tender_id"), index=True)
    identity_key: Mapped[str] = mapped_column(String(300))
    decision: Mapped[str] = mapped_column(String(16))  # confirm | object
    statement: Mapped[bytes] = mapped_column(LargeBinary)
    signature: Mapped[bytes] = mapped_column(LargeBinary)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime())
