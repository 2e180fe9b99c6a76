"""/api/v1/trust-list: the server's trust list, signed by its receipt key (public: CA certificates
and CRLs are public, and a client needs them before it can judge anything else)."""

from __future__ import annotations

import base64

from cryptography.hazmat.primitives import serialization
from fastapi import APIRouter

from bidclient.protocol.trustlist import SignedTrustListOut
from server import clock
from server.auth.permissions import Public
from server.deps import DbSession, KeysDep
from server.trustlist import service

router = APIRouter(prefix="/api/v1/trust-list", tags=["trust"])


@router.get("", response_model=SignedTrustListOut, summary="The signed trust list (CA certificates and CRLs)",
            dependencies=[Public])
def get_trust_list(db: DbSession, keys: KeysDep) -> SignedTrustListOut:
    content, signature = service.signed_trust_list(db, keys=keys)
    return SignedTrustListOut(content=base64.b64encode(content).decode("ascii"),
                              signature=base64.b64encode(signature).decode("ascii"),
                              server_ca=keys.ca_certificate.public_bytes(serialization.Encoding.PEM).decode("ascii"),
                              server_time=clock.now())
