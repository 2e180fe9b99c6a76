"""Login with the dongle: the server's nonce, signed by the user's signing key (detached CMS)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from bidclient.protocol.common import canonical_json

LOGIN_PURPOSE = "bidclient-login-v1"


def login_statement(nonce: str) -> bytes:
    """The bytes a user signs to log in. The purpose string keeps a login signature from being
    reusable as any other kind of signature."""
    return canonical_json({"purpose": LOGIN_PURPOSE, "nonce": nonce})


class ChallengeOut(BaseModel):
    nonce: str
    expires_at: datetime
    server_time: datetime


class LoginIn(BaseModel):
    nonce: str = Field(min_length=16, max_length=64)
    signature: str = Field(min_length=16, max_length=262144, description="base64 DER detached CMS over "
                           "login_statement(nonce)")


class AccountOut(BaseModel):
    id: str
    identity_key: str
    uscc: str | None
    organization: str | None
    person: str | None
    roles: list[str]


class RevocationCheckOut(BaseModel):
    """How the server checked the revocation of one certificate of the login certificate's path."""

    subject: str
    end_entity: bool
    source: Literal["crl", "ocsp", "none"]
    issuer: str = Field("", description="the CRL's issuer or the OCSP responder")
    this_update: datetime | None = Field(None, description="the CRL's thisUpdate or the OCSP answer's producedAt")
    next_update: datetime | None = None
    from_trust_list: bool = False
    stale: bool = Field(False, description="the CRL was past its nextUpdate")
    not_checked: str = Field("", description="why not checked when source is none: disabled, no_source, "
                             "unavailable")


class LoginOut(BaseModel):
    token: str
    expires_at: datetime
    account: AccountOut
    certificate_sha256: str
    revocation: list[RevocationCheckOut] = Field(default_factory=list, description="how the server checked the "
                                                 "certificate's revocation, end entity first")
