"""Error codes and messages of submitting a sealed bid: the upload, the signed statement, the receipt.

One domain's entries of the catalogue that bidclient.errors.describe reads (see docs/architecture.md,
"Errors per domain"). Imports nothing of the project but bidclient.i18n, so any module may raise these
codes without an import cycle.
"""

from __future__ import annotations

from bidclient.i18n import _


def messages() -> dict[str, tuple[str, str]]:
    """code -> (headline, hint), translated at call time."""
    return {
        "upload.storage_failed": (_("The server could not store part of the bid on its disk; that part was not "
                                    "counted."),
                                  _("Submit again later: the upload resumes where it stopped. If this repeats, "
                                    "tell the platform's operator.")),
        "submission.statement_signer_revoked": (_("The server refused the signed statement: the signing "
                                                  "certificate has been revoked."),
                                                _("Nothing was changed. Sign with a valid certificate of the "
                                                  "same enterprise.")),
        "submission.bid_changed": (_("The sealed bid file is not the one that was sealed; nothing was submitted."),
                                   _("It was changed or damaged after sealing. Seal the bid again, then "
                                     "submit it.")),
        "submission.cancelled": (_("The submission was cancelled."),
                                 _("Submit again when ready: the upload resumes where it "
                                   "stopped.")),
        "submission.failed": (_("The bid could not be submitted."),
                              _("Submit again: the upload resumes where it stopped.")),
        "submission.not_found": (_("The submission was not found on the server."),
                                 _("Check the submission number, or list your bids again.")),
        "submission.deadline_passed": (_("The bid deadline has passed (server time)."),
                                       _("The server refused the bid; nothing was "
                                         "submitted.")),
        "submission.not_active": (_("The server refused the request."),
                                  _("Read the detail above; nothing was changed.")),
        "submission.sealed_until_opening": (_("Sealed bids stay sealed until the opening."),
                                            _("Nothing was released; the bids can be "
                                              "fetched from the opening time (server time).")),
        "submission.stale_version": (_("The bid answers an older version of the tender."),
                                     _("Review the changes, re-link where asked, and seal "
                                       "again.")),
        "submission.statement_invalid": (_("The server refused the signed statement."),
                                         _("Nothing was changed. Sign with a valid "
                                           "certificate of the same enterprise.")),
        "submission.statement_signer_mismatch": (_("The server refused the signed "
                                                   "statement."),
                                                 _("Nothing was changed. Sign with a valid "
                                                   "certificate of the same enterprise.")),
        "upload.chunk_conflict": (_("The server refused part of the upload; that part was "
                                    "not counted."),
                                  _("Submit again later: the upload resumes where it "
                                    "stopped. If this repeats, tell the platform's "
                                    "operator.")),
        "upload.chunk_hash_mismatch": (_("The server refused part of the upload; that part "
                                         "was not counted."),
                                       _("Submit again later: the upload resumes where it "
                                         "stopped. If this repeats, tell the platform's "
                                         "operator.")),
        "upload.chunk_hash_missing": (_("The server refused part of the upload; that part "
                                        "was not counted."),
                                      _("Submit again later: the upload resumes where it "
                                        "stopped. If this repeats, tell the platform's "
                                        "operator.")),
        "upload.chunk_interrupted": (_("The server refused part of the upload; that part "
                                       "was not counted."),
                                     _("Submit again later: the upload resumes where it "
                                       "stopped. If this repeats, tell the platform's "
                                       "operator.")),
        "upload.chunk_length_mismatch": (_("The server refused part of the upload; that "
                                           "part was not counted."),
                                         _("Submit again later: the upload resumes where it"
                                           " stopped. If this repeats, tell the platform's "
                                           "operator.")),
        "upload.chunk_out_of_range": (_("The server refused part of the upload; that part "
                                        "was not counted."),
                                      _("Submit again later: the upload resumes where it "
                                        "stopped. If this repeats, tell the platform's "
                                        "operator.")),
        "upload.chunk_too_large": (_("The server refused part of the upload; that part was "
                                     "not counted."),
                                   _("Submit again later: the upload resumes where it "
                                     "stopped. If this repeats, tell the platform's "
                                     "operator.")),
        "upload.chunk_too_small": (_("The server refused part of the upload; that part was "
                                     "not counted."),
                                   _("Submit again later: the upload resumes where it "
                                     "stopped. If this repeats, tell the platform's "
                                     "operator.")),
        "upload.data_lost": (_("The server refused part of the upload; that part was not "
                               "counted."),
                             _("Submit again later: the upload resumes where it stopped. If"
                               " this repeats, tell the platform's operator.")),
        "upload.hash_mismatch": (_("The server refused part of the upload; that part was "
                                   "not counted."),
                                 _("Submit again later: the upload resumes where it "
                                   "stopped. If this repeats, tell the platform's operator.")),
        "upload.incomplete": (_("The server refused part of the upload; that part was not "
                                "counted."),
                              _("Submit again later: the upload resumes where it stopped. "
                                "If this repeats, tell the platform's operator.")),
        "upload.length_required": (_("The server refused part of the upload; that part was "
                                     "not counted."),
                                   _("Submit again later: the upload resumes where it "
                                     "stopped. If this repeats, tell the platform's "
                                     "operator.")),
        "upload.closed": (_("The upload was closed or has expired."),
                          _("Submit the bid again; a new upload starts.")),
        "upload.not_found": (_("The upload was closed or has expired."),
                             _("Submit the bid again; a new upload starts.")),
        "upload.not_sealed": (_("The upload is not a sealed bid."),
                              _("Seal the bid with bidclient, then submit the .bid file.")),
        "tsa.media_type": (_("No valid timestamp could be obtained from the time-stamping "
                             "authority."),
                           _("Check the TSA address and the network connection.")),
        "tsa.request_too_large": (_("No valid timestamp could be obtained from the "
                                    "time-stamping authority."),
                                  _("Check the TSA address and the network connection.")),
        "receipt.invalid": (_("The receipt could not be verified."),
                            _("Keep the file and ask the platform's operator; the detail "
                              "above names the check that failed.")),
        "receipt.signature_invalid": (_("The receipt could not be verified."),
                                      _("Keep the file and ask the platform's operator; the"
                                        " detail above names the check that failed.")),
        "receipt.tampered": (_("The receipt could not be verified."),
                             _("Keep the file and ask the platform's operator; the detail "
                               "above names the check that failed.")),
        "receipt.time_mismatch": (_("The receipt could not be verified."),
                                  _("Keep the file and ask the platform's operator; the "
                                    "detail above names the check that failed.")),
        "receipt.timestamp_invalid": (_("The receipt could not be verified."),
                                      _("Keep the file and ask the platform's operator; the"
                                        " detail above names the check that failed.")),
        "receipt.timestamp_untrusted": (_("The receipt could not be verified."),
                                        _("Keep the file and ask the platform's operator; "
                                          "the detail above names the check that failed.")),
        "receipt.untrusted": (_("The receipt could not be verified."),
                              _("Keep the file and ask the platform's operator; the detail "
                                "above names the check that failed.")),
        "receipt.server_ca_invalid": (_("The receipt could not be verified."),
                                      _("Keep the file and ask the platform's operator; the"
                                        " detail above names the check that failed.")),
        "receipt.malformed": (_("The file is not a readable receipt."),
                              _("Choose the .receipt file saved when the bid was submitted.")),
        "receipt.bid_mismatch": (_("The receipt is for another sealed bid than this file."),
                                 _("Choose the sealed bid the receipt belongs to.")),
        "receipt.no_server_ca": (_("The server's CA for checking receipts is not known."),
                                 _("Sign in to the server once, then check the receipt "
                                   "again.")),
        "receipt.server_ca_changed": (_("The server presents another CA than the one pinned"
                                        " on first use."),
                                      _("Nothing was changed. Confirm the new fingerprint "
                                        "with the server's operator, then pass --accept-ca "
                                        "FINGERPRINT.")),
        "receipt.unavailable": (_("The server has no receipt for this submission yet."),
                                _("Try again in a moment.")),
        "submission.history_invalid": (_("The server's list of your submissions could not be trusted; nothing "
                                         "is shown."),
                                       _("A submission or its receipt does not match what the server signed. "
                                         "Try again; if it persists, tell the platform's operator and keep your "
                                         "saved receipts.")),
    }
