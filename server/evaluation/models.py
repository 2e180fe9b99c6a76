"""Evaluation sessions: members, the cells of their sheets (with a version each), applied edits (for
idempotency), clarifications and the report's signatures in order."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from server.db import Base, UTCDateTime


class EvalSession(Base):
    __tablename__ = "eval_session"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    tender_id: Mapped[str] = mapped_column(ForeignKey("tender.id"), index=True)
    created_by: Mapped[str] = mapped_column(String(300))  # identity key of the organising agency
    phase: Mapped[str] = mapped_column(String(16))  # bidclient.protocol.evaluation_session.Phase
    chair: Mapped[str | None] = mapped_column(String(300), nullable=True)
    definition: Mapped[str] = mapped_column(Text)  # SessionDefinition as JSON
    excluded: Mapped[str] = mapped_column(Text, default="{}")  # bid -> reasons, decided at the review's end
    # The expert draw the committee came from (server/experts); None when the experts were named by hand.
    draw_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    phase_changed_at: Mapped[datetime] = mapped_column(UTCDateTime())


class EvalMember(Base):
    __tablename__ = "eval_member"
    __table_args__ = (UniqueConstraint("session_id", "identity_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    session_id: Mapped[str] = mapped_column(ForeignKey("eval_session.id"), index=True)
    identity_key: Mapped[str] = mapped_column(String(300), index=True)
    status: Mapped[str] = mapped_column(String(16))  # MemberStatus
    is_reserve: Mapped[bool] = mapped_column(Boolean, default=False)
    checked_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    checkin_signature: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    # The dongle's certificate at check-in: the report is signed with the same one (bidclient.evaluation.report).
    checkin_cert_sha256: Mapped[str | None] = mapped_column(String(64), nullable=True)
    declaration: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    declaration_signature: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    recusal_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    chair_vote: Mapped[str | None] = mapped_column(String(300), nullable=True)
    sheet_state: Mapped[str] = mapped_column(String(16))  # SheetState
    submissions: Mapped[int] = mapped_column(Integer, default=0)
    sheet_content: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    sheet_signature: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    returned_reason: Mapped[str | None] = mapped_column(Text, nullable=True)


class EvalCell(Base):
    """One cell of one expert's sheet: a score (bid × criterion) or a review (bid × item)."""

    __tablename__ = "eval_cell"
    __table_args__ = (UniqueConstraint("session_id", "identity_key", "kind", "bid_id", "item_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    session_id: Mapped[str] = mapped_column(ForeignKey("eval_session.id"), index=True)
    identity_key: Mapped[str] = mapped_column(String(300))
    kind: Mapped[str] = mapped_column(String(8))  # score | review
    bid_id: Mapped[str] = mapped_column(String(64))
    item_id: Mapped[str] = mapped_column(String(64))
    value: Mapped[str | None] = mapped_column(String(32), nullable=True)
    passed: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    reason: Mapped[str] = mapped_column(Text, default="")
    comment: Mapped[str] = mapped_column(Text, default="")
    version: Mapped[int] = mapped_column(Integer)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class EvalEdit(Base):
    """An edit the server has answered, by its client-made id: a retry gets the same answer, applied once."""

    __tablename__ = "eval_edit"
    __table_args__ = (UniqueConstraint("session_id", "identity_key", "edit_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    session_id: Mapped[str] = mapped_column(ForeignKey("eval_session.id"), index=True)
    identity_key: Mapped[str] = mapped_column(String(300))
    edit_id: Mapped[str] = mapped_column(String(32))
    result: Mapped[str] = mapped_column(Text)  # EditResult as JSON
    received_at: Mapped[datetime] = mapped_column(UTCDateTime())


class EvalClarification(Base):
    __tablename__ = "eval_clarification"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    session_id: Mapped[str] = mapped_column(ForeignKey("eval_session.id"), index=True)
    bid_id: Mapped[str] = mapped_column(String(64))
    bidder: Mapped[str | None] = mapped_column(String(300), nullable=True, index=True)
    question: Mapped[str] = mapped_column(Text)
    asked_by: Mapped[str] = mapped_column(String(300))
    asked_at: Mapped[datetime] = mapped_column(UTCDateTime())
    answer: Mapped[str | None] = mapped_column(Text, nullable=True)
    answer_signature: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    answered_by: Mapped[str | None] = mapped_column(String(300), nullable=True)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class EvalReportSignature(Base):
    """The report's signatures in order: each row holds the PDF as it stood after that expert signed."""

    __tablename__ = "eval_report_signature"
    __table_args__ = (UniqueConstraint("session_id", "position", name="uq_eval_report_signature_position"),
                      UniqueConstraint("session_id", "identity_key", name="uq_eval_report_signature_signer"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    session_id: Mapped[str] = mapped_column(ForeignKey("eval_session.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    identity_key: Mapped[str] = mapped_column(String(300))
    stance: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(Text, default="")
    pdf: Mapped[bytes] = mapped_column(LargeBinary)
    pdf_sha256: Mapped[str] = mapped_column(String(64))
    signed_at: Mapped[datetime] = mapped_column(UTCDateTime())
