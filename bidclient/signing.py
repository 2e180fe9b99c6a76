"""Signing files and verifying signatures: integrity (crypto.cms_sign) plus trust and identity."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import BinaryIO

from cryptography import x509

from bidclient.config import default_trust_paths
from bidclient.errors import BidclientError
from crypto import cms_sign, identity, trust
from crypto.keys import Signer


@dataclass(frozen=True)
class VerifiedSignature:
    """A signature that is intact and chains to a trusted CA."""

    certificate: x509.Certificate
    identity: identity.Identity
    signer_name: str
    issuer_name: str
    signing_time: datetime | None
    timestamp_time: datetime | None
    warnings: tuple[str, ...] = ()


def load_trust(paths: Sequence[Path]) -> trust.TrustList:
    """The trust list from ``paths``, else the configured default; an error when there is none."""
    chosen = list(paths) or default_trust_paths()
    if not chosen:
        raise BidclientError("no CA certificates were given with --trust and no trust list is configured",
                             code="trust.no_trust_list")
    for path in chosen:
        if not path.exists():
            raise BidclientError(f"trust path {path} does not exist", code="io.input_missing")
    return trust.TrustList.load(chosen)


def revocation_mode(name: str) -> trust.RevocationMode:
    return {
        "soft-fail": trust.RevocationMode.SOFT_FAIL,
        "hard-fail": trust.RevocationMode.HARD_FAIL,
        "off": trust.RevocationMode.OFF,
    }[name]


def sign_content(content: BinaryIO | bytes, signer: Signer, *, tsa_url: str | None = None) -> bytes:
    """A detached CMS signature (DER) over ``content``, timestamped when a TSA URL is given."""
    timestamper = None
    if tsa_url:
        from crypto.timestamp import HttpTimestamper

        timestamper = HttpTimestamper(tsa_url)
    return cms_sign.sign_detached(content, signer, timestamper=timestamper)


def verify_content(content: BinaryIO | bytes, signature: bytes, trust_list: trust.TrustList, *,
                   revocation: trust.RevocationMode = trust.RevocationMode.SOFT_FAIL) -> VerifiedSignature:
    """Check integrity, then the signer's certificate path at the signing time; raise on any failure."""
    info = cms_sign.verify_detached(content, signature)
    when = info.timestamp.gen_time if info.timestamp is not None else None
    validated = trust.validate(info.signer_certificate, trust_list, usage="signing",
                               at=when, extra_certs=info.certificates, revocation=revocation)
    cert = info.signer_certificate
    return VerifiedSignature(
        certificate=cert,
        identity=identity.identity_of(cert),
        signer_name=trust.describe_subject(cert),
        issuer_name=validated.issuer_name,
        signing_time=info.signing_time,
        timestamp_time=when,
        warnings=validated.warnings,
    )
