"""Error codes and messages of the bidder's draft bid project (``bid.*``, bidclient.bid_project),
sealing it (``seal.*``), exporting the sealed bid and the priced lines.

One domain's entries of the catalogue that bidclient.errors.describe reads (see docs/architecture.md,
"Errors per domain"). Imports nothing of the project but bidclient.i18n, so any module may raise these
codes without an import cycle.
"""

from __future__ import annotations

from bidclient.i18n import _


def messages() -> dict[str, tuple[str, str]]:
    """code -> (headline, hint), translated at call time."""
    return {
        "seal.no_encryption_certificate": (_("The key has no encryption certificate to seal the bid to "
                                             "yourself."),
                                           _("Nothing was written. Name your encryption key with --enc-key KEY "
                                             "(software certificates come as two PKCS#12 files: give the "
                                             "encryption one), or use a dongle that holds both pairs.")),
        "seal.no_tender_id": (_("The bid names no tender."),
                              _("Nothing was written. Give the tender's id (--tender-id ID), or seal with the "
                                "tender file (--tender TENDER).")),
        "seal.manifest_invalid": (_("The bid's manifest cannot be written from the values given."),
                                  _("Nothing was written. Correct the value named above, then seal again.")),
        "seal.encryption_key_mismatch": (_("The encryption key belongs to another enterprise than the signer."),
                                         _("Nothing was written. Name your own encryption key with --enc-key "
                                           "KEY.")),
        "seal.self_check_failed": (_("The bid just sealed could not be opened again; it was not kept."),
                                   _("Try again; if it fails again, check the dongle and the bid files.")),
        "export.copy_mismatch": (_("The exported copy of the bid differs from the original; it was removed."),
                                 _("Check the destination disk or USB stick, then export again.")),
        "export.failed": (_("The sealed bid could not be exported."),
                          _("Read the detail above; nothing was left at the destination.")),
        "lines.import_invalid": (_("The priced lines could not be imported from the Excel file."),
                                 _("Correct each row listed, by its row number, in the workbook (or save the file "
                                   "as .xlsx) and import again; the lines in the bid are unchanged.")),
        "lines.export_failed": (_("The priced lines could not be exported to Excel."),
                                _("Choose a folder you can write to; no file was left behind.")),
        "bid.forms_invalid": (_("The bid's forms have problems."),
                              _("Correct the fields named above; nothing was sealed.")),
        "bid.deadline_passed": (_("The bid deadline has passed (server time)."),
                                _("The server will refuse this bid; nothing was submitted.")),
        "bid.attachment_invalid": (_("The document cannot be attached."),
                                   _("Attach a readable PDF with a plain file name.")),
        "bid.attachment_exists": (_("A document of that name is already attached."),
                                  _("Remove it first, or rename the file.")),
        "bid.unknown_criterion": (_("No such scoring criterion in the tender."), _("Check the tender's criteria.")),
        "bid.link_invalid": (_("The link points to a file or page the bid does not have."),
                             _("Link the criterion to an attached file and an existing page.")),
        "bid.preview_failed": (_("The form could not be drawn for the preview."),
                               _("Check the values named above; the draft is unchanged.")),
        "bid.older_tender": (_("The tender has a newer version (clarification)."),
                             _("Review the changes, re-link where asked, and seal again.")),
        "bid.attachment_missing": (_("The document is not attached to the bid."),
                                   _("Choose one of the documents attached to the bid.")),
        "bid.project_invalid": (_("The bid draft could not be read."),
                                _("Its folder is damaged or was changed by another program:"
                                  " restore it from a backup, or start a new draft from the"
                                  " tender.")),
        "bid.statement_mismatch": (_("The signed submission statement does not match the "
                                     "sealed bid."),
                                   _("Seal the bid again, then submit it.")),
        "bid.unknown_section": (_("The bid has no such section."),
                                _("Attach the document to one of the bid's sections.")),
        "bid.wrong_tender": (_("The tender is not the one this bid answers."),
                             _("Open the bid draft made for this tender, or start a new "
                               "one.")),
        "bid.book_failed": (_("The bid could not be bound into one PDF (投标文件.pdf)."),
                            _("The detail names the document: open it, save it again as a PDF (print to PDF), "
                              "remove it and attach the new copy. Nothing was sealed; the draft is unchanged.")),
    }
