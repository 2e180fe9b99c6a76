"""Whether a signing certificate can be used, checked here before a PIN is asked.

``assess`` (may fetch OCSP/CRLs: off the GUI thread) validates against the trust list and returns an
Assessment; ``check_before_pin`` refuses a certificate known here to be unusable (expired, not yet valid,
revoked, wrong key usage) so that signing in costs no PIN entry and sends nothing to the server. The
desktop app's sign-in and ``bidclient login`` both call it; ui.cert_status words an Assessment in Qt.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from cryptography import x509

from bidclient.config import default_trust_paths
from bidclient.i18n import _
from bidclient.revocation import revocation_lines
from crypto.errors import CryptoError, TrustError
from crypto.trust import KeyUsagePurpose, RevocationCheck, TrustList, describe_subject, readable_name, validate

TRUSTED = "trusted"
NO_TRUST_LIST = "no_trust_list"
EXPIRY_WARNING_DAYS = (90, 30, 15)


@dataclass(frozen=True)
class Assessment:
    kind: str  # TRUSTED, NO_TRUST_LIST or a TrustError reason (expired, revoked, untrusted_root, ...)
    not_after: dt.datetime
    days_left: int  # whole days until expiry (negative once expired)
    issuer: str
    detail: str  # the validator's English message, for the details pane
    revocation: tuple[RevocationCheck, ...] = ()  # how revocation was checked (trusted certificates)
    warnings: tuple[str, ...] = ()  # e.g. a revocation source that could not be used (soft fail)

    @property
    def ok(self) -> bool:
        return self.kind == TRUSTED

    @property
    def revocation_checked(self) -> bool:
        """Trusted, and the certificate's revocation was fully checked: a fresh CRL or OCSP answer said
        "good" and no source it names was left unconsulted."""
        own = [c for c in self.revocation if c.end_entity]
        return (self.ok and bool(own) and all(c.source != "none" and not c.stale for c in own)
                and not self.warnings)

    @property
    def refused_locally(self) -> bool:
        """Known here to be refused by any platform: expired, not yet valid, revoked, or wrong key usage.
        (An unknown CA or an unknown revocation status is for the server to judge.)"""
        return self.kind in (TrustError.REASON_EXPIRED, TrustError.REASON_NOT_YET_VALID,
                             TrustError.REASON_REVOKED, TrustError.REASON_WRONG_KEY_USAGE)

    def revocation_text(self) -> list[str]:
        """How revocation was checked, in words (translated); empty when the certificate was refused."""
        if not self.ok:
            return []
        return revocation_lines(self.revocation)

    @property
    def warning_level(self) -> int:
        """The tightest expiry threshold crossed (90, 30 or 15), 0 when none is."""
        crossed = [d for d in EXPIRY_WARNING_DAYS if 0 <= self.days_left <= d]
        return min(crossed) if crossed else 0


def assess(cert: x509.Certificate, trust: TrustList | None, usage: KeyUsagePurpose,
           now: dt.datetime | None = None) -> Assessment:
    now = now or dt.datetime.now(dt.UTC)
    not_after = cert.not_valid_after_utc
    days_left = (not_after - now).days
    issuer = readable_name(cert.issuer)
    if trust is None:
        # The dates need no trust list: an expired certificate is named as such even without one.
        if now > not_after:
            return Assessment(TrustError.REASON_EXPIRED, not_after, days_left, issuer, "the certificate has expired")
        if now < cert.not_valid_before_utc:
            return Assessment(TrustError.REASON_NOT_YET_VALID, not_after, days_left, issuer,
                              "the certificate is not valid yet")
        return Assessment(NO_TRUST_LIST, not_after, days_left, issuer, "no trust list is configured")
    try:
        validated = validate(cert, trust, usage=usage)
    except TrustError as ex:
        return Assessment(ex.reason, not_after, days_left, issuer, ex.message)
    except CryptoError as ex:
        return Assessment(TrustError.REASON_INVALID, not_after, days_left, issuer, ex.message)
    return Assessment(TRUSTED, not_after, days_left, issuer, "", validated.revocation, validated.warnings)


def configured_trust() -> TrustList | None:
    """The configured trust list (BIDCLIENT_TRUST or ~/.config/bidclient/trust), None when there is none
    or it cannot be read."""
    paths = default_trust_paths()
    if not paths:
        return None
    try:
        return TrustList.load(paths)
    except CryptoError:
        return None


class RefusedBeforePin(TrustError):
    """The certificate is known here to be unusable (expired, not yet valid, revoked, wrong usage): signing
    in stops before the PIN is asked. ``assessment`` says why; the code is the matching ``trust.*``."""

    def __init__(self, assessment: Assessment, certificate: x509.Certificate) -> None:
        super().__init__(refusal_text(assessment, certificate), reason=assessment.kind)
        self.assessment = assessment


def refusal_text(a: Assessment, certificate: x509.Certificate) -> str:
    """The reason in words (translated): whose certificate, what is wrong with it, and that nothing was used."""
    who = describe_subject(certificate)
    date = a.not_after.strftime("%Y-%m-%d")
    if a.kind == TrustError.REASON_EXPIRED:
        reason = _("the certificate of {who} expired on {date}").format(who=who, date=date)
    elif a.kind == TrustError.REASON_NOT_YET_VALID:
        reason = _("the certificate of {who} is not valid yet").format(who=who)
    elif a.kind == TrustError.REASON_REVOKED:
        reason = _("the certificate of {who} has been revoked by {issuer}").format(who=who, issuer=a.issuer)
    else:
        reason = _("the certificate of {who} may not be used to sign").format(who=who)
    return _("{reason} ({detail}); checked before asking for the PIN: no PIN was asked and nothing was sent "
             "to the server").format(reason=reason, detail=a.detail)


def check_before_pin(certificate: x509.Certificate, trust: TrustList | None = None) -> Assessment:
    """Validity, trust and revocation as far as known here (``trust``, default the configured trust list
    with its CRLs; OCSP where the certificate names it); raise RefusedBeforePin when the certificate cannot
    be used whatever the server says. An unknown CA or revocation status is left for the server to judge."""
    assessment = assess(certificate, trust if trust is not None else configured_trust(), "signing")
    if assessment.refused_locally:
        raise RefusedBeforePin(assessment, certificate)
    return assessment
