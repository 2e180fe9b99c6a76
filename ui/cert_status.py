"""A certificate's standing in plain words, with the next step for the user.

``assess`` and ``Assessment`` live in bidclient.signin_check (no Qt, may fetch OCSP/CRLs: call it on a
worker thread); ``explain`` (GUI thread) words an Assessment in the current language.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication

from bidclient.signin_check import NO_TRUST_LIST, TRUSTED, Assessment
from crypto.errors import TrustError


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
