"""Receipts: server-signed CMS over canonical JSON, with an RFC 3161 timestamp over the same bytes.

The timestamp covers SHA-256 of the receipt content itself (not the signature value), so that
``openssl ts -verify -data content.json`` checks it directly, and so that an external TSA attests the
bid's hash and time independently of the server's own signing key.
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass
from datetime import datetime

from bidclient.protocol.common import canonical_json
from bidclient.protocol.submission import RECEIPT_PURPOSE, ReceiptFile, b64
from crypto import cms_sign
from crypto.errors import CryptoError
from crypto.timestamp import HttpTimestamper, TimestampAuthority, Timestamper
from server import clock
from server.keys import ServerKeys
from server.problems import DomainError
from server.settings import Settings


@dataclass(frozen=True)
class Receipt:
    id: str
    content: bytes
    signature: bytes
    timestamp_token: bytes


def timestamper_for(settings: Settings, keys: ServerKeys) -> Timestamper:
    """The configured external TSA, else the built-in one (its certificate is issued by the server CA)."""
    if settings.tsa_url:
        return HttpTimestamper(settings.tsa_url)
    return builtin_tsa(keys)


def builtin_tsa(keys: ServerKeys) -> TimestampAuthority:
    return TimestampAuthority(keys.tsa_signer, clock=clock.now)


def issue(*, kind: str, fields: dict[str, object], when: datetime, settings: Settings,
          keys: ServerKeys) -> Receipt:
    """Sign and timestamp a receipt of ``kind`` ("submission" or "withdrawal") over ``fields``."""
    receipt_id = str(uuid.uuid4())
    content = canonical_json({"purpose": RECEIPT_PURPOSE, "kind": kind, "receipt_id": receipt_id,
                              "time": clock.isoformat(when), **fields})
    try:
        signature = cms_sign.sign_detached(content, keys.receipt_signer, signing_time=when)
        token = timestamper_for(settings, keys).timestamp(hashlib.sha256(content).digest(), "sha256")
    except CryptoError as ex:
        # Nothing is recorded without a receipt: the whole submission rolls back and can be retried.
        raise DomainError("receipt.unavailable", f"the receipt could not be signed or timestamped: {ex}",
                          status=503) from ex
    return Receipt(receipt_id, content, signature, token)


def receipt_file(content: bytes, signature: bytes, token: bytes) -> ReceiptFile:
    import json

    return ReceiptFile(receipt=json.loads(content), content=b64(content), signature=b64(signature),
                       timestamp_token=b64(token))
