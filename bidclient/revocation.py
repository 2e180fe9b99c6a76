"""How a certificate's revocation was checked, in words (for the CLI, the app and the server's login answer).

``crypto.trust.validate`` reports one ``RevocationCheck`` per certificate of the path below the root;
the server sends the same fields in ``LoginOut.revocation``. Both are described here, translated.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Protocol

from bidclient.i18n import _


class RevocationCheckLike(Protocol):
    @property
    def subject(self) -> str: ...
    @property
    def end_entity(self) -> bool: ...
    @property
    def source(self) -> str: ...
    @property
    def issuer(self) -> str: ...
    @property
    def this_update(self) -> dt.datetime | None: ...
    @property
    def next_update(self) -> dt.datetime | None: ...
    @property
    def from_trust_list(self) -> bool: ...
    @property
    def stale(self) -> bool: ...
    @property
    def not_checked(self) -> str: ...


def _when(moment: dt.datetime | None) -> str:
    if moment is None:
        return "?"
    from bidclient.timefmt import format_time

    return format_time(moment)  # in the display zone, named, as every other time shown


def describe_check(check: RevocationCheckLike) -> str:
    """One sentence: which CRL (issuer, thisUpdate) or OCSP answer, or "not checked" and why."""
    if check.source == "crl":
        if check.stale:
            return _("checked only against an expired CRL of {issuer} (issued {issued}, next update was due "
                     "{due}): a later revocation would not be seen").format(
                issuer=check.issuer, issued=_when(check.this_update), due=_when(check.next_update))
        if check.from_trust_list:
            return _("not revoked according to the CRL of {issuer} issued {issued} (from the trust list)").format(
                issuer=check.issuer, issued=_when(check.this_update))
        return _("not revoked according to the CRL of {issuer} issued {issued} (fetched from the CA)").format(
            issuer=check.issuer, issued=_when(check.this_update))
    if check.source == "ocsp":
        return _("not revoked according to the OCSP answer of {responder} produced {produced}").format(
            responder=check.issuer, produced=_when(check.this_update))
    if check.not_checked == "disabled":
        return _("not checked: revocation checking is turned off")
    if check.not_checked == "unavailable":
        return _("not checked: the CRL and OCSP addresses in the certificate could not be reached")
    return _("not checked: the trust list holds no CRL of its CA and the certificate names no CRL or OCSP "
             "address")


def revocation_lines(checks: Sequence[RevocationCheckLike]) -> list[str]:
    """The end entity's check, then one line per CA certificate checked (named)."""
    lines: list[str] = []
    for check in checks:
        if check.end_entity:
            lines.append(describe_check(check))
        else:
            lines.append(_("CA {name}: {how}").format(name=check.subject, how=describe_check(check)))
    return lines or [_("not checked: the certificate is itself a trusted root")]


def revocation_summary(checks: Iterable[RevocationCheckLike]) -> str:
    """One line for the end entity's check (the app's status lines)."""
    for check in checks:
        if check.end_entity:
            return describe_check(check)
    return _("not checked: the certificate is itself a trusted root")
