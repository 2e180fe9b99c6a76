"""Live updates: an append-only table of events, numbered per channel (``tender:<id>``, ``opening:<id>``).

The table is the source of truth: a client that reconnects reads what it missed from here. Wake-ups
(PostgreSQL NOTIFY, or in-process on SQLite) only say "look again".
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from server.db import Base, UTCDateTime

SEQ = BigInteger().with_variant(Integer(), "sqlite")


class LiveChannel(Base):
    """One row per channel holding its last sequence number, locked by every publish, so that a channel's
    events commit in sequence order (a reader that has seen N never meets a later-committed N-1)."""

    __tablename__ = "live_channel"

    channel: Mapped[str] = mapped_column(String(200), primary_key=True)
    seq: Mapped[int] = mapped_column(SEQ)


class LiveEvent(Base):
    __tablename__ = "live_event"
    __table_args__ = (UniqueConstraint("channel", "seq"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    channel: Mapped[str] = mapped_column(String(200))
    seq: Mapped[int] = mapped_column(SEQ)
    kind: Mapped[str] = mapped_column(String(64))
    payload: Mapped[str] = mapped_column(Text)  # JSON object
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
