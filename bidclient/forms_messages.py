"""Error codes and messages of the forms and PDFs (the codes of forms.errors: ``amount.*``, ``pdf.*``).

One domain's entries of the catalogue that bidclient.errors.describe reads (see docs/architecture.md,
"Errors per domain"). Imports nothing of the project but bidclient.i18n, so any module may raise these
codes without an import cycle.
"""

from __future__ import annotations

from bidclient.i18n import _


def messages() -> dict[str, tuple[str, str]]:
    """code -> (headline, hint), translated at call time."""
    return {
        "forms.error": (_("The form could not be made."),
                        _("Read the detail above; nothing was written.")),
        "amount.invalid": (_("The amount is not valid."),
                           _("Give the amount in yuan with at most two decimals, for "
                             "example 1280000.00.")),
        "amount.invalid_figures": (_("The amount is not valid."),
                                   _("Give the amount in yuan with at most two decimals, "
                                     "for example 1280000.00.")),
        "amount.out_of_range": (_("The amount is out of range."),
                                _("Correct the amount named above.")),
        "amount.invalid_words": (_("The amount in words is not valid."),
                                 _("Write it in capital Chinese numerals, for example "
                                   "人民币壹佰贰拾捌万元整.")),
        "pdf.malformed": (_("The PDF is damaged or not a PDF."),
                          _("Save the document again as PDF (for example, print it to PDF),"
                            " then try again.")),
        "pdf.unreadable": (_("The PDF is damaged or not a PDF."),
                           _("Save the document again as PDF (for example, print it to "
                             "PDF), then try again.")),
        "pdf.bad_box": (_("The PDF is damaged or not a PDF."),
                        _("Save the document again as PDF (for example, print it to PDF), "
                          "then try again.")),
        "pdf.encrypted": (_("The PDF is password-protected."),
                          _("Save a copy without the password, then use that copy.")),
        "pdf.font_missing": (_("The Chinese font for the forms is missing."),
                             _("Reinstall bidclient; the font ships with it.")),
        "pdf.no_such_page": (_("The PDF has no such page."),
                             _("Choose a page the document has.")),
        "pdf.not_found": (_("The PDF file was not found."),
                          _("Check that the file still exists, then open it again.")),
        "pdf.page_unreadable": (_("The page could not be shown."),
                                _("The document may be damaged; open it in another PDF "
                                  "reader to check.")),
        "pdf.render_failed": (_("The form could not be drawn."),
                              _("Check the values named above; nothing was written.")),
        "pdf.seal_image": (_("The seal image cannot be used."),
                           _("Use a PNG or JPEG image of the seal, at most a few megabytes.")),
        "pdf.sign_failed": (_("The form could not be signed."),
                            _("Reconnect the dongle and try again.")),
        "pdf.signature_invalid": (_("The PDF's signature is not valid."),
                                  _("Do not trust this file.")),
        "pdf.too_large": (_("The PDF is too large."),
                          _("Use a smaller PDF: compress its images, or split it into "
                            "several documents.")),
        "pdf.unsigned": (_("The PDF is not signed."),
                         _("Sign the form, then try again.")),
    }
