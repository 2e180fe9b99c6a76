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
from crypto.trust import KeyUsagePurpose, RevocationCheck, TrustList, validate
from crypto.trust import describe_subject as describe_subject  # re-exported for the app
from crypto.trust import readable_name as readable_name  # re-exported

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
            return Assessment(TrustError.REASON_EXPIRED, not_after, days_left, issuer,
                              f"The certificate of {describe_subject(cert)} expired on "
                              f"{not_after:%Y-%m-%d %H:%M} UTC.")
        if now < cert.not_valid_before_utc:
            return Assessment(TrustError.REASON_NOT_YET_VALID, not_after, days_left, issuer,
                              f"The certificate of {describe_subject(cert)} is not valid before "
                              f"{cert.not_valid_before_utc:%Y-%m-%d %H:%M} UTC.")
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

    def __init__(self, assessment: Assessment, *, after_password: bool = False) -> None:
        super().__init__(refusal_text(assessment, after_password=after_password), reason=assessment.kind)
        self.assessment = assessment
        self.after_password = after_password  # the key was opened (a PKCS#12 file's password was asked)


def refusal_text(a: Assessment, *, after_password: bool = False) -> str:
    """The reason in words (the validator's), and what was spared: the PIN, or (a PKCS#12 file, whose
    certificate is read with its password) at least the server."""
    if after_password:
        spared = _("Checked once the key was open, before anything was sent to the server.")
    else:
        spared = _("Checked before asking for the PIN: no PIN was asked and nothing was sent to the server.")
    return f"{a.detail} {spared}"


def check_before_pin(certificate: x509.Certificate, trust: TrustList | None = None, *,
                     after_password: bool = False) -> Assessment:
    """Validity, trust and revocation as far as known here (``trust``, default the configured trust list
    with its CRLs; OCSP where the certificate names it); raise RefusedBeforePin when the certificate cannot
    be used whatever the server says. An unknown CA or revocation status is left for the server to judge.
    ``after_password``: the certificate was read from a PKCS#12 file with its password (the refusal says so)."""
    assessment = assess(certificate, trust if trust is not None else configured_trust(), "signing")
    if assessment.refused_locally:
        raise RefusedBeforePin(assessment, after_password=after_password)
    return assessment
