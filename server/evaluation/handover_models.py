"""The hand-over of the opened bids to the evaluation committee (server/evaluation/handover.py): each seated
expert's encryption certificate, and each opened bid's content key wrapped to one of them by the opening
host's terminal. Nothing stored here opens a bid for the server: a key envelope opens only with the expert's
own decryption key, on the expert's dongle (docs/evaluation.md, "The opened bids reach the committee")."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from server.db import Base, UTCDateTime


class EvalRecipient(Base):
    """An expert's encryption certificate for the session (registered by the expert's client)."""

    __tablename__ = "eval_handover_recipient"
    __table_args__ = (UniqueConstraint("session_id", "identity_key", name="uq_eval_handover_recipient"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    session_id: Mapped[str] = mapped_column(ForeignKey("eval_session.id"), index=True)
    identity_key: Mapped[str] = mapped_column(String(300))
    certificate: Mapped[bytes] = mapped_column(LargeBinary)  # PEM
    certificate_sha256: Mapped[str] = mapped_column(String(64))
    registered_at: Mapped[datetime] = mapped_column(UTCDateTime())


class EvalBidKey(Base):
    """One opened bid's content key as a CMS envelope to one expert's registered encryption certificate."""

    __tablename__ = "eval_handover_key"
    __table_args__ = (UniqueConstraint("session_id", "submission_id", "identity_key", name="uq_eval_handover_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    session_id: Mapped[str] = mapped_column(ForeignKey("eval_session.id"), index=True)
    submission_id: Mapped[str] = mapped_column(ForeignKey("submission.id"))
    identity_key: Mapped[str] = mapped_column(String(300))  # the expert
    certificate_sha256: Mapped[str] = mapped_column(String(64))  # the recipient the envelope is for
    envelope: Mapped[bytes] = mapped_column(LargeBinary)
    envelope_sha256: Mapped[str] = mapped_column(String(64))
    handed_by: Mapped[str] = mapped_column(String(300))  # the host
    handed_at: Mapped[datetime] = mapped_column(UTCDateTime())
