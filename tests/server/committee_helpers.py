"""Helpers for the committee ceremony tests: members logged in over HTTP with their (software) keys."""

from __future__ import annotations

import base64
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import serialization

from bidclient.api_client import ApiClient
from crypto import cms_sign
from crypto import threshold as th
from crypto.software_key import SoftwareKey
from tests.server.submission_helpers import software_key

MEMBER_PARTIES = ("ent-a", "ent-b", "opener-1")
AGENCY_PARTY = "expert-1"


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def pem(cert: x509.Certificate) -> str:
    return cert.public_bytes(serialization.Encoding.PEM).decode("ascii")


@dataclass
class Member:
    party: str
    client: ApiClient
    signing: SoftwareKey
    encryption: SoftwareKey
    identity: str

    def signed(self, message: bytes) -> dict[str, str]:
        return {"message": b64(message), "signature": b64(cms_sign.sign_detached(message, self.signing))}

    def member_in(self) -> dict[str, str]:
        return {"signing_certificate": pem(self.signing.certificate),
                "encryption_certificate": pem(self.encryption.certificate)}


def log_in(url: str, pki: Any, party: str) -> Member:  # type: ignore[no-untyped-def]
    signing = software_key(pki, party)
    encryption = software_key(pki, party, encryption=True) if pki.party(party).encryption_key else signing
    client = ApiClient(url, retries=0)
    out = client.login(lambda data: cms_sign.sign_detached(data, signing))
    return Member(party, client, signing, encryption, out.account.identity_key)


def grant(server: Any, pki: Any, party: str, role: str) -> None:  # type: ignore[no-untyped-def]
    from crypto import identity

    cert = x509.load_pem_x509_certificate(Path(pki.party(party).signing_cert).read_bytes())
    assert server.admin("grant", "--identity", identity.identity_of(cert).key, "--role", role) == 0


def deal_body(dealer: th.Dealer, members: list[Member], me: Member) -> dict[str, Any]:
    """Member ``dealer.member``'s deal: signed commitments, n shares, n dealer's copies."""
    n = dealer.ceremony.members
    return {**me.signed(dealer.commitments().to_bytes()),
            "shares": [b64(dealer.encrypt_share(j, members[j - 1].encryption.certificate).to_bytes())
                       for j in range(1, n + 1)],
            "copies": [b64(dealer.encrypt_share(j, me.encryption.certificate).to_bytes()) for j in range(1, n + 1)]}


def ceremony_of(out: dict[str, Any]) -> th.Ceremony:
    return th.Ceremony(out["committee_id"], out["threshold"], len(out["members"]))


def committee_key(out: dict[str, Any]) -> th.CommitteeKey:
    return th.CommitteeKey.from_commitments(ceremony_of(out), [th.Commitments.from_bytes(base64.b64decode(c["message"]))
                                                               for c in out["commitments"]])
