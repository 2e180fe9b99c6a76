"""Error codes and messages of tenders: fetching and checking a tender package, and the server's tender refusals.

One domain's entries of the catalogue that bidclient.errors.describe reads (see docs/architecture.md,
"Errors per domain"). Imports nothing of the project but bidclient.i18n, so any module may raise these
codes without an import cycle.
"""

from __future__ import annotations

from bidclient.i18n import _


def messages() -> dict[str, tuple[str, str]]:
    """code -> (headline, hint), translated at call time."""
    return {
        "tender.invalid": (_("The tender file is not usable."),
                           _("Download the tender file from the platform again.")),
        "tender.package_tampered": (_("The tender package was altered: its signature or a document does not "
                                      "match."),
                                    _("Nothing was written. Fetch the tender again; if this repeats, tell the "
                                      "agency.")),
        "tender.package_untrusted": (_("The tender package is not signed by a trusted agency."),
                                     _("Do not bid on it. Check the trust list (--trust) and the tender's "
                                       "agency.")),
        "tender.announced_item": (_("The tender definition marks a price, duration or quality field wrongly."),
                                  _("In each form, mark at most one field per item, of the matching type "
                                    "(price: money, duration: duration_days, quality: text); see "
                                    "docs/formats/tender.md.")),
        "tender.signer_revoked": (_("The server refused the tender: the agency's signing certificate has been "
                                    "revoked."),
                                  _("Nothing was published. Sign with a valid certificate.")),
        "tender.not_found": (_("The tender was not found on the server."),
                             _("Check the tender ID.")),
        "tender.version_not_found": (_("That version of the tender was not found on the "
                                       "server."),
                                     _("Fetch the tender again.")),
        "tender.deadline_passed": (_("The bid deadline has passed (server time)."),
                                   _("Read the detail above; nothing was changed.")),
        "tender.agency_mismatch": (_("The server refused the request."),
                                   _("Read the detail above; nothing was changed.")),
        "tender.deadline_in_past": (_("The server refused the request."),
                                    _("Read the detail above; nothing was changed.")),
        "tender.document_hash_mismatch": (_("The server refused the request."),
                                          _("Read the detail above; nothing was changed.")),
        "tender.document_missing": (_("The server refused the request."),
                                    _("Read the detail above; nothing was changed.")),
        "tender.document_not_found": (_("The server refused the request."),
                                      _("Read the detail above; nothing was changed.")),
        "tender.document_not_pdf": (_("The server refused the request."),
                                    _("Read the detail above; nothing was changed.")),
        "tender.document_size_mismatch": (_("The server refused the request."),
                                          _("Read the detail above; nothing was changed.")),
        "tender.document_too_large": (_("The server refused the request."),
                                      _("Read the detail above; nothing was changed.")),
        "tender.duplicate_document": (_("The server refused the request."),
                                      _("Read the detail above; nothing was changed.")),
        "tender.exists": (_("The server refused the request."),
                          _("Read the detail above; nothing was changed.")),
        "tender.id_mismatch": (_("The server refused the request."),
                               _("Read the detail above; nothing was changed.")),
        "tender.not_owner": (_("The server refused the request."),
                             _("Read the detail above; nothing was changed.")),
        "tender.opening_certificate_invalid": (_("The server refused the request."),
                                               _("Read the detail above; nothing was "
                                                 "changed.")),
        "tender.signature_invalid": (_("The server refused the request."),
                                     _("Read the detail above; nothing was changed.")),
        "tender.signer_not_publisher": (_("The server refused the request."),
                                        _("Read the detail above; nothing was changed.")),
        "tender.version_conflict": (_("The server refused the request."),
                                    _("Read the detail above; nothing was changed.")),
        "tender.opening_invalid": (_("The tender's opening settings are not valid."),
                                   _("Use format bidclient-tender/3 and name only fields of the price schedule "
                                     "(开标一览表) in opening.announce.")),
        "tender.committee_invalid": (_("The tender's opening committee does not check: its certificate, "
                                       "commitments or members' acknowledgments do not agree."),
                                     _("Nothing was sealed or published. A bidder: do not bid on it and tell "
                                       "the agency. The agency: publish the committee exactly as "
                                       "'bidclient committee verify -o' writes it.")),
    }
