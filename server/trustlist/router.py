"""/api/v1/trust-list: the server's trust list, signed by its receipt key (public: CA certificates
and CRLs are public, and a client needs them before it can judge anything else)."""

from __future__ import annotations

import base64

from cryptography.hazmat.primitives import serialization
from fastapi import APIRouter
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bidclient.protocol.common import canonical_json
from bidclient.protocol.trustlist import (
    TRUST_CHANGE_ACTIONS,
    SignedTrustListOut,
    TrustListDocument,
    TrustListItem,
)
from crypto import cms_sign
from server import clock
from server.audit.models import AuditEntry
from server.auth.models import TrustEntry
from server.deps import DbSession, KeysDep

router = APIRouter(prefix="/api/v1/trust-list", tags=["trust"])


def trust_list_document(db: Session) -> TrustListDocument:
    rows = db.execute(select(TrustEntry).order_by(TrustEntry.kind, TrustEntry.sha256)).scalars().all()
    serial = db.execute(select(func.coalesce(func.max(AuditEntry.seq), 0))
                        .where(AuditEntry.action.in_(TRUST_CHANGE_ACTIONS))).scalar_one()
    entries = [TrustListItem(kind="crl" if row.kind == "crl" else "certificate", sha256=row.sha256,
                             der=base64.b64encode(row.der).decode("ascii"), label=row.label) for row in rows]
    return TrustListDocument(serial=int(serial), issued_at=clock.isoformat(clock.now()), entries=entries)


@router.get("", response_model=SignedTrustListOut, summary="The signed trust list (CA certificates and CRLs)")
def get_trust_list(db: DbSession, keys: KeysDep) -> SignedTrustListOut:
    content = canonical_json(trust_list_document(db).model_dump(mode="json"))
    signature = cms_sign.sign_detached(content, keys.receipt_signer)
    return SignedTrustListOut(content=base64.b64encode(content).decode("ascii"),
                              signature=base64.b64encode(signature).decode("ascii"),
                              server_ca=keys.ca_certificate.public_bytes(serialization.Encoding.PEM).decode("ascii"),
                              server_time=clock.now())
