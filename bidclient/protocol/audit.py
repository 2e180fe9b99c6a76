"""The audit chain's hashing rule, shared by the server (append) and the offline verifier."""

from __future__ import annotations

import hashlib
from typing import Any

from bidclient.protocol.common import canonical_json

GENESIS_HASH = "0" * 64
HASHED_FIELDS = ("seq", "time", "actor", "actor_cert_sha256", "address", "action", "object_type",
                 "object_id", "payload_sha256", "prev_hash")


def entry_hash(fields: dict[str, Any]) -> str:
    """SHA-256 of the canonical JSON of exactly the HASHED_FIELDS."""
    return hashlib.sha256(canonical_json({name: fields[name] for name in HASHED_FIELDS})).hexdigest()
