"""The trust list the server publishes: the CA certificates and CRLs it accepts, signed by its receipt key.

Services take keyword arguments, flush but never commit, and raise DomainError, never HTTP errors.
"""

from __future__ import annotations

import base64

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bidclient.protocol.common import canonical_json
from bidclient.protocol.trustlist import TRUST_CHANGE_ACTIONS, TrustListDocument, TrustListItem
from crypto import cms_sign
from server import clock
from server.audit.models import AuditEntry
from server.auth.models import TrustEntry
from server.keys import ServerKeys


def trust_list_document(db: Session) -> TrustListDocument:
    """The current entries; the serial is the audit sequence number of the last change to them."""
    rows = db.execute(select(TrustEntry).order_by(TrustEntry.kind, TrustEntry.sha256)).scalars().all()
    serial = db.execute(select(func.coalesce(func.max(AuditEntry.seq), 0))
                        .where(AuditEntry.action.in_(TRUST_CHANGE_ACTIONS))).scalar_one()
    entries = [TrustListItem(kind="crl" if row.kind == "crl" else "certificate", sha256=row.sha256,
                             der=base64.b64encode(row.der).decode("ascii"), label=row.label) for row in rows]
    return TrustListDocument(serial=int(serial), issued_at=clock.isoformat(clock.now()), entries=entries)


def signed_trust_list(db: Session, *, keys: ServerKeys) -> tuple[bytes, bytes]:
    """The trust list document (canonical JSON) and its detached CMS signature by the receipt key."""
    content = canonical_json(trust_list_document(db).model_dump(mode="json"))
    return content, cms_sign.sign_detached(content, keys.receipt_signer)
