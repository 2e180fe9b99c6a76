"""The platform-wide rate-limit windows (server/ratelimit.py), one row per limited key."""

from __future__ import annotations

from sqlalchemy import Float, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from server.db import Base


class RateWindow(Base):
    """``started_at`` is the database clock's epoch seconds at the window's first attempt. Rows of ended
    windows are removed as the server goes (every thousandth attempt of a process)."""

    __tablename__ = "rate_window"

    kind: Mapped[str] = mapped_column(String(40), primary_key=True)
    key: Mapped[str] = mapped_column(String(300), primary_key=True)
    started_at: Mapped[float] = mapped_column(Float)
    count: Mapped[int] = mapped_column(Integer)
