"""Accounts are identities (enterprise credit code or person), not certificates."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from server.db import Base, UTCDateTime


class Role(enum.StrEnum):
    AGENCY = "agency"
    BIDDER = "bidder"
    OPENING_STAFF = "opening_staff"
    EXPERT = "expert"
    SUPERVISOR = "supervisor"
    ADMIN = "admin"


class Account(Base):
    __tablename__ = "account"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    identity_key: Mapped[str] = mapped_column(String(300), unique=True)
    uscc: Mapped[str | None] = mapped_column(String(18), index=True)
    organization: Mapped[str | None] = mapped_column(String(300))
    person: Mapped[str | None] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class Credential(Base):
    """A certificate an account has logged in with (one account, several CAs)."""

    __tablename__ = "credential"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    account_id: Mapped[str] = mapped_column(ForeignKey("account.id"), index=True)
    cert_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    certificate_der: Mapped[bytes] = mapped_column(LargeBinary)
    subject: Mapped[str] = mapped_column(String(1000))
    issuer: Mapped[str] = mapped_column(String(1000))
    first_seen: Mapped[datetime] = mapped_column(UTCDateTime())
    last_seen: Mapped[datetime] = mapped_column(UTCDateTime())


class RoleGrant(Base):
    __tablename__ = "role_grant"
    __table_args__ = (UniqueConstraint("identity_key", "role"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    # Granted to an identity, so a grant can precede the first login.
    identity_key: Mapped[str] = mapped_column(String(300), index=True)
    role: Mapped[str] = mapped_column(String(32))
    granted_by: Mapped[str] = mapped_column(String(300))
    granted_at: Mapped[datetime] = mapped_column(UTCDateTime())


class Challenge(Base):
    __tablename__ = "login_challenge"

    nonce: Mapped[str] = mapped_column(String(64), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class SessionToken(Base):
    __tablename__ = "session_token"

    token_sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    account_id: Mapped[str] = mapped_column(ForeignKey("account.id"), index=True)
    credential_id: Mapped[str] = mapped_column(ForeignKey("credential.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    address: Mapped[str] = mapped_column(String(64))


class TrustEntry(Base):
    """The server's trust list lives in the database so that every instance uses the same one."""

    __tablename__ = "trust_entry"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))  # "certificate" or "crl"
    der: Mapped[bytes] = mapped_column(LargeBinary)
    label: Mapped[str] = mapped_column(String(1000))
    added_at: Mapped[datetime] = mapped_column(UTCDateTime())
