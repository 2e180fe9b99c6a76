"""An expert's encryption certificate registered with an evaluation session, so that the opening host can hand
the opened bids to it (docs/formats/handover.md §2). Its own module: the check-in (bidclient.evaluation.desk)
and getting the bids (bidclient.evaluation.bids) both register."""

from __future__ import annotations

from urllib.parse import quote

from cryptography.hazmat.primitives import serialization

from bidclient.api_client import ApiClient
from bidclient.errors import BidclientError
from bidclient.i18n import _
from bidclient.protocol.handover import SeatOut
from crypto.key_access import KeySession


def register_certificate(client: ApiClient, session_id: str, session: KeySession) -> SeatOut:
    """Register the dongle's encryption certificate (paired with the signing one by identity) with the session,
    so that the host can hand the bids to it. No PIN is needed; registering again is harmless."""
    cert = session.encryption_certificate
    if cert is None:
        raise BidclientError(_("Your dongle has no encryption certificate to receive the bids with."),
                             code="handover.no_encryption_certificate")
    pem = cert.public_bytes(serialization.Encoding.PEM).decode("ascii")
    path = f"/api/v1/evaluation/sessions/{quote(session_id, safe='')}/encryption-certificate"
    response = client.request("PUT", path, json={"certificate": pem})
    return SeatOut.model_validate(response.json())
