"""Login challenges that the server does not store until they are used.

A challenge is ``base64url(random 16 bytes || expiry (8 bytes, Unix seconds) || HMAC-SHA256 tag, 16
bytes)``, the HMAC key derived (HKDF) from the server's receipt key, which every instance sharing the
data folder holds. Handing one out therefore needs no database write: an unauthenticated endpoint that
anyone may call cannot fill the database, and it answers at once even while a deadline rush holds the
write lock. The login checks the tag and the expiry, then records the nonce as used (a unique key), so
a challenge still works exactly once.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import secrets
import struct
from datetime import UTC, datetime, timedelta

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from server.problems import DomainError

_RANDOM = 16
_TAG = 16
_INFO = b"bidclient login challenge v1"


def derive_key(receipt_key: ec.EllipticCurvePrivateKey) -> bytes:
    """The HMAC key for challenges, the same in every instance that holds the server's keys."""
    secret = receipt_key.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
                                       serialization.NoEncryption())
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_INFO).derive(secret)


def issue(key: bytes, *, now: datetime, ttl: timedelta) -> tuple[str, datetime]:
    """A fresh challenge and its expiry (whole seconds)."""
    expires = datetime.fromtimestamp(int((now + ttl).timestamp()), UTC)
    body = secrets.token_bytes(_RANDOM) + struct.pack(">Q", int(expires.timestamp()))
    tag = hmac.new(key, body, hashlib.sha256).digest()[:_TAG]
    return base64.urlsafe_b64encode(body + tag).decode("ascii").rstrip("="), expires


def check(key: bytes, nonce: str, *, now: datetime) -> datetime:
    """The challenge's expiry if ``nonce`` was issued by this server and has not expired; otherwise
    DomainError ``auth.challenge_invalid`` (whether it was already used is the caller's check)."""
    try:
        raw = base64.urlsafe_b64decode(nonce + "=" * (-len(nonce) % 4))
    except (binascii.Error, ValueError):
        raw = b""
    if len(raw) == _RANDOM + 8 + _TAG:
        body, tag = raw[:-_TAG], raw[-_TAG:]
        if hmac.compare_digest(tag, hmac.new(key, body, hashlib.sha256).digest()[:_TAG]):
            expires = datetime.fromtimestamp(struct.unpack(">Q", body[_RANDOM:])[0], UTC)
            if now <= expires:
                return expires
    raise invalid()


def invalid() -> DomainError:
    return DomainError("auth.challenge_invalid", "the login challenge is unknown, expired or already used; "
                       "ask for a new one", status=401)
