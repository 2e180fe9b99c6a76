"""The expert pool (专家库), committee draws and their invitations, and the mail outbox."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from server.db import Base, UTCDateTime


class Specialty(Base):
    """One code of the classification the administrator maintains."""

    __tablename__ = "expert_specialty"

    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(300))
    category: Mapped[str] = mapped_column(String(16))  # technical | economic | legal | other


class Expert(Base):
    __tablename__ = "expert"
    # The pool's list is sorted by name, then id, and paged: the index serves any page without sorting the pool.
    # ix_expert_draw_pool: what a draw reads of each expert of the requested specialties, found by id in one
    # index without visiting the table (server.experts.service._eligibility; migration 0005_draw_pool).
    __table_args__ = (Index("ix_expert_name_id", "name", "id"),
                      Index("ix_expert_draw_pool", "id", "region", "status", "employer_uscc"))

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    identity_key: Mapped[str] = mapped_column(String(300), unique=True)  # as the account's: person:<name>
    name: Mapped[str] = mapped_column(String(300))
    employer_uscc: Mapped[str] = mapped_column(String(18), index=True)
    employer_name: Mapped[str] = mapped_column(String(300))
    region: Mapped[str] = mapped_column(String(100), index=True)
    title: Mapped[str] = mapped_column(String(100))
    email: Mapped[str] = mapped_column(String(300))
    phone: Mapped[str] = mapped_column(String(50))
    status: Mapped[str] = mapped_column(String(16), index=True)  # admitted | suspended | renewed | dismissed
    suspended_until: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class ExpertSpecialty(Base):
    __tablename__ = "expert_specialty_link"

    expert_id: Mapped[str] = mapped_column(ForeignKey("expert.id"), primary_key=True)
    specialty: Mapped[str] = mapped_column(ForeignKey("expert_specialty.code"), primary_key=True, index=True)


class StatusEvent(Base):
    __tablename__ = "expert_status_event"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    expert_id: Mapped[str] = mapped_column(ForeignKey("expert.id"), index=True)
    status: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(String(1000))
    until: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    by: Mapped[str] = mapped_column(String(300))
    at: Mapped[datetime] = mapped_column(UTCDateTime())


class Relation(Base):
    """A declared relation (12号令 Art. 12): relative, economic interest, supervising authority, punished."""

    __tablename__ = "expert_relation"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    expert_id: Mapped[str] = mapped_column(ForeignKey("expert.id"), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    uscc: Mapped[str | None] = mapped_column(String(18), nullable=True)
    note: Mapped[str] = mapped_column(String(1000))
    until: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    # Who recorded it: "admin" (the administrator, for the expert) or "self" (the expert declared it, and only
    # they may withdraw it). A withdrawn relation stays on record and no longer excludes.
    source: Mapped[str] = mapped_column(String(8), default="admin", server_default="admin")
    declared_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class Draw(Base):
    __tablename__ = "expert_draw"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    tender_id: Mapped[str] = mapped_column(ForeignKey("tender.id"), index=True)
    agency_account_id: Mapped[str] = mapped_column(ForeignKey("account.id"), index=True)
    state: Mapped[str] = mapped_column(String(16), index=True)  # committed | drawn | failed | superseded
    request: Mapped[str] = mapped_column(Text)  # the DrawRequestIn as canonical JSON
    committee_size: Mapped[int] = mapped_column(Integer)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime())
    respond_by: Mapped[datetime] = mapped_column(UTCDateTime())
    tenderer_uscc: Mapped[str | None] = mapped_column(String(18), nullable=True)
    seed: Mapped[str] = mapped_column(String(64))  # secret until the draw has run
    commitment: Mapped[str] = mapped_column(String(64))
    snapshot: Mapped[str] = mapped_column(Text, deferred=True)  # canonical JSON of the eligible pool (MBs)
    snapshot_sha256: Mapped[str] = mapped_column(String(64))
    # The head of the snapshot's draw order, fixed at the commitment from the seed: {"complete": whether it is
    # all of it, "order": [entry, …]}. As secret as the seed until the run, never published (the verifier
    # recomputes the order). None: compute it from the snapshot.
    ranking: Mapped[str | None] = mapped_column(Text, nullable=True, deferred=True)
    exclusions: Mapped[str] = mapped_column(Text, deferred=True)  # JSON list of {id, reason, detail}
    skips: Mapped[str] = mapped_column(Text)  # JSON list, filled by the run
    bidders_checked: Mapped[bool] = mapped_column(default=False)
    replaces: Mapped[str | None] = mapped_column(String(36), nullable=True)
    reason: Mapped[str] = mapped_column(String(1000))
    superseded_by: Mapped[str | None] = mapped_column(String(36), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    drawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class Pick(Base):
    """A drawn expert: a member (invited at once) or a reserve (invited when called), with the answer."""

    __tablename__ = "expert_pick"
    __table_args__ = (UniqueConstraint("draw_id", "expert_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    draw_id: Mapped[str] = mapped_column(ForeignKey("expert_draw.id"), index=True)
    expert_id: Mapped[str] = mapped_column(ForeignKey("expert.id"), index=True)
    slot: Mapped[int] = mapped_column(Integer)
    role: Mapped[str] = mapped_column(String(8))  # member | reserve (as drawn)
    position: Mapped[int] = mapped_column(Integer)  # order within the slot's members or reserves, from 1
    # waiting (a reserve not called) | pending (invited) | accepted | declined | expired | withdrawn
    state: Mapped[str] = mapped_column(String(16), index=True)
    invited_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    respond_by: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    responded_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    reason: Mapped[str] = mapped_column(String(1000))


class Mail(Base):
    """The outbox: written with the invitation, sent (and retried) by the mailer (server/experts/mailer.py)."""

    __tablename__ = "expert_mail"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    pick_id: Mapped[int] = mapped_column(ForeignKey("expert_pick.id"), index=True)
    recipient: Mapped[str] = mapped_column(String(300))
    subject: Mapped[str] = mapped_column(String(500))
    body: Mapped[str] = mapped_column(Text)
    attempts: Mapped[int] = mapped_column(Integer)
    last_error: Mapped[str] = mapped_column(String(1000))
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True, index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
