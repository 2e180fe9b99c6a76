"""Error codes and messages of the bid package: a received sealed bid that is not acceptable (``sealed.*``,
the reader), a bid folder that cannot be packaged (``source.*``, the writer), ``bidclient inspect``.

One domain's entries of the catalogue that bidclient.errors.describe reads (see docs/architecture.md,
"Errors per domain"). Imports nothing of the project but bidclient.i18n, so any module may raise these
codes without an import cycle.
"""

from __future__ import annotations

from bidclient.i18n import _


def messages() -> dict[str, tuple[str, str]]:
    """code -> (headline, hint), translated at call time."""
    return {
        "inspect.unknown": (_("The file is not of a kind bidclient knows."),
                            _("bidclient reads CMS envelopes and sealed bids, CMS signatures, bid packages "
                              "and X.509 certificates.")),
        "inspect.damaged": (_("The file is damaged."), _("Obtain an intact copy of the file.")),
        "inspect.unsupported": (_("The file uses an algorithm bidclient does not support (it is not "
                                  "damaged)."),
                                _("Ask the sender to encrypt with AES (CBC or GCM) and to sign with "
                                  "SHA-256 or stronger, with RSA or EC (P-256/P-384/P-521) keys.")),
        "sealed.error": (_("The sealed bid is not acceptable."),
                         _("Nothing was extracted. Ask the bidder for an intact bid.")),
        "sealed.manifest_invalid": (_("The sealed bid is not acceptable."),
                                    _("Nothing was extracted. Ask the bidder for an intact "
                                      "bid.")),
        "sealed.not_a_zip": (_("The sealed bid is not acceptable."),
                             _("Nothing was extracted. Ask the bidder for an intact bid.")),
        "sealed.corrupt": (_("The sealed bid is not acceptable."),
                           _("Nothing was extracted. Ask the bidder for an intact bid.")),
        "sealed.too_many_entries": (_("The sealed bid is not acceptable."),
                                    _("Nothing was extracted. Ask the bidder for an intact "
                                      "bid.")),
        "sealed.unsafe_path": (_("The sealed bid is not acceptable."),
                               _("Nothing was extracted. Ask the bidder for an intact bid.")),
        "sealed.path_traversal": (_("The sealed bid is not acceptable."),
                                  _("Nothing was extracted. Ask the bidder for an intact "
                                    "bid.")),
        "sealed.path_absolute": (_("The sealed bid is not acceptable."),
                                 _("Nothing was extracted. Ask the bidder for an intact "
                                   "bid.")),
        "sealed.path_drive_or_backslash": (_("The sealed bid is not acceptable."),
                                           _("Nothing was extracted. Ask the bidder for an "
                                             "intact bid.")),
        "sealed.path_control_char": (_("The sealed bid is not acceptable."),
                                     _("Nothing was extracted. Ask the bidder for an intact"
                                       " bid.")),
        "sealed.entry_not_regular": (_("The sealed bid is not acceptable."),
                                     _("Nothing was extracted. Ask the bidder for an intact"
                                       " bid.")),
        "sealed.duplicate_entry": (_("The sealed bid is not acceptable."),
                                   _("Nothing was extracted. Ask the bidder for an intact "
                                     "bid.")),
        "sealed.encrypted_entry": (_("The sealed bid is not acceptable."),
                                   _("Nothing was extracted. Ask the bidder for an intact "
                                     "bid.")),
        "sealed.unsupported_compression": (_("The sealed bid is not acceptable."),
                                           _("Nothing was extracted. Ask the bidder for an "
                                             "intact bid.")),
        "sealed.compression_bomb": (_("The sealed bid is not acceptable."),
                                    _("Nothing was extracted. Ask the bidder for an intact "
                                      "bid.")),
        "sealed.overlapping_entries": (_("The sealed bid is not acceptable."),
                                       _("Nothing was extracted. Ask the bidder for an "
                                         "intact bid.")),
        "sealed.manifest_missing": (_("The sealed bid is not acceptable."),
                                    _("Nothing was extracted. Ask the bidder for an intact "
                                      "bid.")),
        "sealed.signature_missing": (_("The sealed bid is not acceptable."),
                                     _("Nothing was extracted. Ask the bidder for an intact"
                                       " bid.")),
        "sealed.manifest_too_large": (_("The sealed bid is not acceptable."),
                                      _("Nothing was extracted. Ask the bidder for an "
                                        "intact bid.")),
        "sealed.unsupported_version": (_("The sealed bid is not acceptable."),
                                       _("Nothing was extracted. Ask the bidder for an "
                                         "intact bid.")),
        "sealed.entry_not_in_manifest": (_("The sealed bid is not acceptable."),
                                         _("Nothing was extracted. Ask the bidder for an "
                                           "intact bid.")),
        "sealed.entry_missing": (_("The sealed bid is not acceptable."),
                                 _("Nothing was extracted. Ask the bidder for an intact "
                                   "bid.")),
        "sealed.size_mismatch": (_("A file in the sealed bid does not match its signed "
                                   "manifest."),
                                 _("Nothing was extracted. Ask the bidder for an intact "
                                   "bid.")),
        "sealed.hash_mismatch": (_("A file in the sealed bid does not match its signed "
                                   "manifest."),
                                 _("Nothing was extracted. Ask the bidder for an intact "
                                   "bid.")),
        "sealed.signer_mismatch": (_("The sealed bid names another enterprise or "
                                     "certificate than the one that signed it."),
                                   _("Nothing was extracted. Ask the bidder for an intact "
                                     "bid.")),
        "sealed.destination_exists": (_("The output already exists."),
                                      _("Choose another output path, or remove the existing"
                                        " one.")),
        "sealed.extract_failed": (_("The bid's files could not be written."),
                                  _("Nothing was left at the destination. Check the free "
                                    "space and permissions of the output folder, then open "
                                    "the bid again.")),
        "sealed.not_checked": (_("An unexpected error occurred; this is a bug in bidclient."),
                               _("Please report it with the detail above.")),
        "source.error": (_("The bid folder cannot be sealed."),
                         _("Fix or remove the file named above, then seal again. Nothing "
                           "was written.")),
        "source.bad_name": (_("The bid folder cannot be sealed."),
                            _("Fix or remove the file named above, then seal again. Nothing"
                              " was written.")),
        "source.not_a_directory": (_("The bid folder cannot be sealed."),
                                   _("Fix or remove the file named above, then seal again. "
                                     "Nothing was written.")),
        "source.special_file": (_("The bid folder cannot be sealed."),
                                _("Fix or remove the file named above, then seal again. "
                                  "Nothing was written.")),
        "source.symlink": (_("The bid folder cannot be sealed."),
                           _("Fix or remove the file named above, then seal again. Nothing "
                             "was written.")),
        "source.name_collision": (_("The bid folder cannot be sealed."),
                                  _("Fix or remove the file named above, then seal again. "
                                    "Nothing was written.")),
        "source.unreadable": (_("The bid folder cannot be sealed."),
                              _("Fix or remove the file named above, then seal again. "
                                "Nothing was written.")),
        "source.too_large": (_("The bid folder cannot be sealed."),
                             _("Fix or remove the file named above, then seal again. "
                               "Nothing was written.")),
        "source.empty": (_("The bid folder holds no files."),
                         _("Put the bid's files in the folder, then seal again. Nothing was"
                           " written.")),
        "source.changed": (_("A file changed while the bid was being sealed."),
                           _("Close the programs editing the bid's files, then seal again. "
                             "Nothing was written.")),
        "source.manifest_invalid": (_("The bid's manifest cannot be written from the values"
                                      " given."),
                                    _("Nothing was written. Correct the value named above, "
                                      "then seal again.")),
    }
