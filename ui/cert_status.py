"""A certificate's standing in plain words, with the next step for the user.

``assess`` (no Qt, may fetch OCSP/CRLs: call it on a worker thread) validates against the trust
list and returns an Assessment; ``explain`` (GUI thread) words it in the current language.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from cryptography import x509
from PySide6.QtCore import QCoreApplication

from bidclient.revocation import revocation_lines
from crypto.errors import CryptoError, TrustError
from crypto.trust import KeyUsagePurpose, RevocationCheck, TrustList, readable_name, validate

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


def explain(a: Assessment) -> tuple[str, str]:
    """(status, next step), translated. Every string is a literal so lupdate finds it."""
    date = a.not_after.astimezone().strftime("%Y-%m-%d")
    t = QCoreApplication
    if a.kind == TRUSTED and not a.revocation_checked:
        return (t.translate("CertStatus", "Trusted as far as known (valid until {date}), but its revocation could "
                            "not be fully checked.").format(date=date),
                t.translate("CertStatus", "Check the network connection and look again, or get your CA's current "
                            "revocation list into the trust list. The details say which check is missing."))
    if a.kind == TRUSTED:
        if a.warning_level:
            status = t.translate("CertStatus", "Trusted, but expires in {days} days ({date}).").format(
                days=a.days_left, date=date)
            if a.warning_level <= 15:
                step = t.translate("CertStatus", "Renew only after the opening of the tenders you have bid on "
                                   "(a renewed dongle cannot open bids sealed with the old certificate); if no "
                                   "bid is waiting for an opening, renew now.")
            else:
                step = t.translate("CertStatus", "Renew only after the opening of tenders you have bid on: bids "
                                   "sealed now must be opened with this certificate.")
            return status, step
        return (t.translate("CertStatus", "Trusted: valid until {date}.").format(date=date),
                t.translate("CertStatus", "Nothing to do."))
    if a.kind == NO_TRUST_LIST:
        return (t.translate("CertStatus", "Cannot be checked: no trust list is configured."),
                t.translate("CertStatus", "Sign in to the platform and accept its trust list, or choose "
                            "File ▸ Get the platform's trust list."))
    if a.kind == TrustError.REASON_EXPIRED:
        return (t.translate("CertStatus", "Expired on {date}.").format(date=date),
                t.translate("CertStatus", "Renew the certificate with your CA before you sign or seal anything."))
    if a.kind == TrustError.REASON_NOT_YET_VALID:
        return (t.translate("CertStatus", "Not valid yet."),
                t.translate("CertStatus", "Check the computer's date and time; if they are right, wait until "
                            "the certificate becomes valid or ask your CA."))
    if a.kind == TrustError.REASON_REVOKED:
        return (t.translate("CertStatus", "Revoked by the CA that issued it."),
                t.translate("CertStatus", "Do not use this dongle. Ask your CA for a new certificate."))
    if a.kind == TrustError.REASON_UNTRUSTED_ROOT:
        return (t.translate("CertStatus", "Issued by a CA that is not on the platform's trust list."),
                t.translate("CertStatus", "Use a dongle from a CA the platform recognises, or ask the platform "
                            "to add this CA."))
    if a.kind == TrustError.REASON_WRONG_KEY_USAGE:
        return (t.translate("CertStatus", "Not allowed for this use (wrong key usage)."),
                t.translate("CertStatus", "Use the dongle's other certificate, or ask your CA for one issued "
                            "for this purpose."))
    if a.kind == TrustError.REASON_REVOCATION_UNKNOWN:
        return (t.translate("CertStatus", "Its revocation status could not be checked."),
                t.translate("CertStatus", "Check the network connection and try again."))
    return (t.translate("CertStatus", "Not valid."),
            t.translate("CertStatus", "Show the details to your CA's support."))
