"""Opening committees and their key ceremony (docs/formats/committee-key.md; docs/opening.md).

Nothing here can open a bid: the shares are stored only as CMS envelopes sealed to the members'
encryption certificates, and no member's key share x_j is stored anywhere (it is recomputed in the
member's client, in memory, from the envelopes addressed to it).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from server.db import Base, UTCDateTime


class Committee(Base):
    __tablename__ = "committee"

    id: Mapped[str] = mapped_column(String(150), primary_key=True)  # also the ceremony id: <tender>.committee-<n>
    tender_id: Mapped[str] = mapped_column(String(64), index=True)  # the tender may be published afterwards
    agency_account_id: Mapped[str] = mapped_column(ForeignKey("account.id"), index=True)
    threshold: Mapped[int] = mapped_column(Integer)
    members: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16))
    status_reason: Mapped[str | None] = mapped_column(String(1000), nullable=True)
    public_key: Mapped[str | None] = mapped_column(String(130), nullable=True)  # Y, once all have dealt
    certificate_der: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class CommitteeMember(Base):
    __tablename__ = "committee_member"
    __table_args__ = (UniqueConstraint("committee_id", "number", name="uq_committee_member_number"),
                      UniqueConstraint("committee_id", "identity_key", name="uq_committee_member_identity"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    committee_id: Mapped[str] = mapped_column(ForeignKey("committee.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    identity_key: Mapped[str] = mapped_column(String(300))
    name: Mapped[str] = mapped_column(String(600))
    signing_cert_der: Mapped[bytes] = mapped_column(LargeBinary)
    encryption_cert_der: Mapped[bytes] = mapped_column(LargeBinary)


class CommitteeMessage(Base):
    """A signed message of the ceremony: ``commitments``, ``ack``, ``complaint`` or ``disclosure``, stored
    as the exact bytes the member signed and its detached CMS signature. ``receiver`` is 0 for the first
    two, the accused member of a complaint, the receiver of a disclosure."""

    __tablename__ = "committee_message"
    __table_args__ = (UniqueConstraint("committee_id", "kind", "sender", "receiver"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    committee_id: Mapped[str] = mapped_column(ForeignKey("committee.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    sender: Mapped[int] = mapped_column(Integer)
    receiver: Mapped[int] = mapped_column(Integer)
    body: Mapped[bytes] = mapped_column(LargeBinary)
    signature: Mapped[bytes] = mapped_column(LargeBinary)
    sha256: Mapped[str] = mapped_column(String(64))
    resolution: Mapped[str | None] = mapped_column(String(16), nullable=True)  # complaints only
    posted_at: Mapped[datetime] = mapped_column(UTCDateTime())


class CommitteeShare(Base):
    """One encrypted share message (exact bytes): ``share`` is sealed to the receiver, ``copy`` is the
    dealer's copy of the same value sealed to the sender itself (to answer a complaint later)."""

    __tablename__ = "committee_share"
    __table_args__ = (UniqueConstraint("committee_id", "kind", "sender", "receiver"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    committee_id: Mapped[str] = mapped_column(ForeignKey("committee.id"), index=True)
    kind: Mapped[str] = mapped_column(String(8))
    sender: Mapped[int] = mapped_column(Integer)
    receiver: Mapped[int] = mapped_column(Integer)
    message: Mapped[bytes] = mapped_column(LargeBinary)
