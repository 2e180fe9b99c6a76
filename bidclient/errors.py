"""Errors a user can meet, mapped once to a stable code, a translated message and an exit status.

Every exception family of the project (crypto.errors, bidclient.bidpackage.errors, BidclientError)
is turned into a UserMessage here, at the boundary; nothing deeper prints or exits.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from bidclient.i18n import _

EXIT_OK = 0
EXIT_FAILED = 1  # invalid, untrusted, tampered or failed
EXIT_USAGE = 2
EXIT_KEY_UNAVAILABLE = 3  # no token, wrong PIN, locked


class BidclientError(Exception):
    """An error of the application core with a stable code."""

    code = "bidclient.error"
    exit_status = EXIT_FAILED

    def __init__(self, message: str, *, code: str | None = None, exit_status: int | None = None) -> None:
        super().__init__(message)
        if code is not None:
            self.code = code
        # The status follows the code unless the raiser says otherwise, so that e.g. a missing input
        # file is a usage error (2) wherever it is detected.
        self.exit_status = exit_status if exit_status is not None else _exit_status_for(self.code)

    @property
    def message(self) -> str:
        return str(self.args[0]) if self.args else self.code


class UsageError(BidclientError):
    code = "usage.invalid"
    exit_status = EXIT_USAGE


@dataclass(frozen=True)
class UserMessage:
    code: str
    headline: str  # translated: what happened
    hint: str  # translated: what to do next
    detail: str  # specifics (file names, subjects), from the raising code
    exit_status: int

    def render(self) -> str:
        lines = [f"{_('error')} [{self.code}]: {self.headline}"]
        if self.detail and self.detail != self.headline:
            lines.append(f"  {self.detail}")
        if self.hint:
            lines.append(f"  {self.hint}")
        return "\n".join(lines)


def _catalog() -> dict[str, tuple[str, str]]:
    """code -> (headline, hint), translated at call time."""
    return {
        # tokens and keys
        "token.module_load_failed": (_("A PKCS#11 module could not be loaded."),
                                     _("Check the module path, or install your CA's driver.")),
        "token.not_present": (_("The token (dongle) was not found."),
                              _("Insert the dongle and run 'bidclient keys' to see what is available.")),
        "token.key_not_found": (_("The key was not found."),
                                _("Name a key by a pkcs11: URI shown by 'bidclient keys', "
                                  "or a PKCS#12 file.")),
        "token.key_ambiguous": (_("More than one key matches."),
                                _("Add object= or id= to the pkcs11: URI to choose one.")),
        "token.encryption_key_ambiguous": (_("Several encryption keys on the token belong to the signer."),
                                           _("Name yours with --enc-key KEY (one of the URIs above, as "
                                             "'bidclient keys' lists them).")),
        "token.no_paired_encryption_key": (_("No encryption key on the token belongs to the signer."),
                                           _("Name your encryption key with --enc-key KEY: its pkcs11: URI "
                                             "from 'bidclient keys', or its PKCS#12 file.")),
        "token.pin_incorrect": (_("The PIN is incorrect."),
                                _("It was not retried. Check the PIN before trying again: "
                                  "too many wrong PINs lock the token.")),
        "token.pin_locked": (_("The token is locked after too many wrong PINs."),
                             _("Unblock it with your CA's tool or service desk.")),
        "token.pin_cancelled": (_("No PIN was given."),
                                _("Enter the PIN when asked, or use --pin-source file:PATH or env:NAME.")),
        "token.pin_source_unavailable": (_("The PIN source could not be read."),
                                         _("Check the file or environment variable named by "
                                           "the pin source.")),
        "token.mechanism_unsupported": (_("The key or token cannot perform this operation."),
                                        _("Use a key of another type, or another token.")),
        "token.pin_invalid": (_("The token does not accept the new PIN."),
                              _("Choose a PIN of the length and characters your CA allows; the PIN was not changed.")),
        "token.key_file": (_("The key file could not be opened."),
                           _("Check the file and its password.")),
        "token.invalid_uri": (_("The pkcs11: URI is not valid."),
                              _("Copy a URI shown by 'bidclient keys' (RFC 7512).")),
        "token.error": (_("The token reported an error."), _("Reconnect the dongle and try again.")),
        # trust
        "trust.expired": (_("The certificate has expired."), _("Renew the certificate with your CA.")),
        "trust.not_yet_valid": (_("The certificate is not yet valid."),
                                _("Check the computer's clock, or wait until the certificate's start date.")),
        "trust.revoked": (_("The certificate has been revoked."), _("Contact the issuing CA.")),
        "trust.untrusted_root": (_("The certificate was not issued by a trusted CA."),
                                 _("Add the CA to the trust list (--trust) if it is recognised.")),
        "trust.wrong_key_usage": (_("The certificate may not be used for this purpose."),
                                  _("Use the signing certificate to sign and the encryption certificate "
                                    "to encrypt.")),
        "trust.revocation_unknown": (_("The revocation status could not be checked."),
                                     _("Check the network connection to the CA, or update the CRLs.")),
        "trust.no_trust_list": (_("No trust list is configured."),
                                _("Get the platform's trust list: in the app, sign in and accept the offer to get "
                                  "it; on the command line, run 'bidclient trust sync', or pass --trust with CA "
                                  "certificates.")),
        "trust.fingerprint_mismatch": (_("The server now presents another CA than the fingerprint you confirmed."),
                                       _("Nothing was changed. Sign in again and compare the fingerprint shown "
                                         "with the one the platform publishes.")),
        "trust.invalid": (_("The certificate is not valid."), ""),
        "trust.list_invalid": (_("The trust list could not be read."),
                               _("Give --trust CA certificates and CRLs (PEM or DER), or folders of them.")),
        "trust.server_ca_changed": (_("The server presents another CA than the one pinned on first use."),
                                    _("Nothing was changed. Confirm the new fingerprint with the server's "
                                      "operator, then pass --accept-ca FINGERPRINT.")),
        "trust.list_signature_invalid": (_("The server's trust list is not validly signed by the server."),
                                         _("Nothing was changed. Do not trust this connection; tell the "
                                           "server's operator.")),
        "trust.list_malformed": (_("The server's trust list is damaged."), _("Nothing was changed. Try again later.")),
        "trust.list_rollback": (_("The server sent an older trust list than the one installed."),
                                _("Nothing was changed. A replayed list could bring back a removed CA; tell the "
                                  "server's operator.")),
        "config.unknown_time_zone": (_("The time zone is not known."),
                                     _("Give an IANA time zone name such as Asia/Shanghai or UTC.")),
        # audit
        "audit.tampered": (_("The audit trail is not intact."),
                           _("The problems are listed above. Keep the file as evidence and tell the supervisor.")),
        "audit.malformed": (_("The file is not an audit trail export."),
                            _("Export it with: bidclient audit export -o FILE.")),
        "cert.unreadable": (_("The certificate file could not be read."),
                            _("Give an X.509 certificate in PEM or DER form.")),
        # CMS
        "cms.malformed": (_("The file is damaged or not of the expected kind."),
                          _("Run 'bidclient inspect' on it to see what it is.")),
        "cms.not_a_recipient": (_("This file was not encrypted for your key."),
                                _("Use the key of one of the recipients listed by 'bidclient inspect'.")),
        "cms.decryption_failed": (_("Decryption failed: the file is damaged or was altered, "
                                    "or the key is wrong."),
                                  _("Nothing was written. Obtain an intact copy of the file.")),
        "cms.signature_invalid": (_("The signature is not valid: the file or the signature was altered."),
                                  _("Do not trust this file.")),
        "cms.signer_key_mismatch": (_("The signing key does not belong to its certificate."),
                                    _("Check that the token holds the right certificate for this key.")),
        "cms.unsupported_algorithm": (_("The file uses an algorithm bidclient does not support."),
                                      _("Ask the sender to encrypt with AES (CBC or GCM) and to sign with "
                                        "SHA-256 or stronger, with RSA or EC (P-256/P-384/P-521) keys.")),
        "crypto.cancelled": (_("The operation was cancelled; nothing was written."), ""),
        "job.cancelled": (_("The work was cancelled; nothing of it was left behind."), ""),
        # the committee opening key (crypto.threshold)
        "committee.error": (_("The committee key operation failed."),
                            _("Read the detail above; nothing was changed.")),
        "committee.invalid_parameters": (_("The opening committee's settings are not valid."),
                                         _("A committee has 1 to 10 members and needs k of them, with "
                                           "1 ≤ k ≤ n; correct the tender's committee and try again.")),
        "committee.malformed": (_("A committee message is damaged or not in its documented form."),
                                _("Ask the member to send it again; see docs/formats/committee-key.md.")),
        "committee.bad_commitments": (_("A committee member's key commitments do not verify."),
                                      _("The member named above must take part in a new key ceremony; "
                                        "nothing from this ceremony can be used.")),
        "committee.bad_share": (_("A committee member sent a key share that does not match its "
                                  "commitments."),
                                _("Do not acknowledge the ceremony. The member named above must send its "
                                  "share again, or the ceremony is run anew.")),
        "committee.bad_partial": (_("A committee member's partial result does not verify."),
                                  _("It was not used. Ask the member named above to compute it again with "
                                    "its own dongle, or open with other members.")),
        "committee.not_enough_partials": (_("Not enough committee members have given a valid result to "
                                            "open the bid."),
                                          _("k members of the committee must take part; ask the others to "
                                            "join.")),
        "committee.key_mismatch": (_("The committee members' shares do not give the committee's key."),
                                   _("A share is wrong or belongs to another ceremony; check each member's "
                                     "shares before going on.")),
        # inspect, tender, seal
        "inspect.unknown": (_("The file is not of a kind bidclient knows."),
                            _("bidclient reads CMS envelopes and sealed bids, CMS signatures, bid packages "
                              "and X.509 certificates.")),
        "inspect.damaged": (_("The file is damaged."), _("Obtain an intact copy of the file.")),
        "inspect.unsupported": (_("The file uses an algorithm bidclient does not support (it is not "
                                  "damaged)."),
                                _("Ask the sender to encrypt with AES (CBC or GCM) and to sign with "
                                  "SHA-256 or stronger, with RSA or EC (P-256/P-384/P-521) keys.")),
        "tender.invalid": (_("The tender file is not usable."),
                           _("Download the tender file from the platform again.")),
        "tender.package_tampered": (_("The tender package was altered: its signature or a document does not "
                                      "match."),
                                    _("Nothing was written. Fetch the tender again; if this repeats, tell the "
                                      "agency.")),
        "tender.opening_invalid": (_("The tender's opening settings are not valid."),
                                   _("Use format bidclient-tender/3 and name only fields of the price schedule "
                                     "(开标一览表) in opening.announce.")),
        "tender.committee_invalid": (_("The tender's opening committee does not check: its certificate, "
                                       "commitments or members' acknowledgments do not agree."),
                                     _("Nothing was sealed or published. A bidder: do not bid on it and tell "
                                       "the agency. The agency: publish the committee exactly as "
                                       "'bidclient committee verify -o' writes it.")),
        # the committee key ceremony through the server (server/committee)
        "committee.not_member": (_("You are not a member of this opening committee."),
                                 _("Use the dongle of the member the agency named, or ask the agency.")),
        "committee.not_found": (_("There is no such opening committee, or you may not see it."),
                                _("Check the committee id the agency gave you.")),
        "committee.not_owner": (_("Only the agency that owns the tender may name its opening committee."),
                                _("Log in with the agency's own dongle.")),
        "committee.wrong_state": (_("The key ceremony is not at that step."),
                                  _("Run 'bidclient committee status' to see who still has to deal or "
                                    "acknowledge.")),
        "committee.not_complete": (_("The opening committee is not complete yet."),
                                   _("Every member must deal and acknowledge first.")),
        "committee.already_dealt": (_("You have already dealt in this key ceremony."),
                                    _("Nothing was changed; a member deals once.")),
        "committee.already_acknowledged": (_("You have already acknowledged this committee."),
                                           _("Nothing was changed.")),
        "committee.complaint_open": (_("You have a complaint open against a member."),
                                     _("Wait for that member's disclosure, then check and acknowledge.")),
        "committee.threshold_invalid": (_("The committee's threshold is not valid."),
                                        _("A committee has 1 to 10 members and needs k of them, with 1 ≤ k ≤ n.")),
        "committee.duplicate_member": (_("The same person or organisation is named twice in the committee."),
                                       _("Name each member once.")),
        "committee.wrong_key": (_("The key opened is not the one the committee names for you."),
                                _("Give your encryption key's URI with --encryption-key.")),
        "committee.signature_invalid": (_("The signature on the ceremony message is not acceptable."),
                                        _("Sign with your own, valid dongle; nothing was recorded.")),
        "committee.signer_not_member": (_("The ceremony message was signed by someone other than the member."),
                                        _("Each member signs its own messages with its own dongle.")),
        "committee.ack_not_yours": (_("That acknowledgment belongs to another member."),
                                    _("Each member signs and posts its own acknowledgment.")),
        "tender.package_untrusted": (_("The tender package is not signed by a trusted agency."),
                                     _("Do not bid on it. Check the trust list (--trust) and the tender's "
                                       "agency.")),
        "tender.announced_item": (_("The tender definition marks a price, duration or quality field wrongly."),
                                  _("In each form, mark at most one field per item, of the matching type "
                                    "(price: money, duration: duration_days, quality: text); see "
                                    "docs/formats/tender.md.")),
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
        # usage and files
        "usage.invalid": (_("The command is not valid."), _("Run 'bidclient --help'.")),
        "io.input_missing": (_("The input file does not exist."), _("Check the path.")),
        "io.output_exists": (_("The output already exists."),
                             _("Choose another output path, or remove the existing one.")),
        "io.error": (_("A file could not be read or written."), _("Check the path and permissions.")),
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
        "bid.book_failed": (_("The bid could not be bound into one PDF (投标文件.pdf)."),
                            _("The detail names the document: open it, save it again as a PDF (print to PDF), "
                              "remove it and attach the new copy. Nothing was sealed; the draft is unchanged.")),
        "bid.older_tender": (_("The tender has a newer version (clarification)."),
                             _("Review the changes, re-link where asked, and seal again.")),
        "upload.storage_failed": (_("The server could not store part of the bid on its disk; that part was not "
                                    "counted."),
                                  _("Submit again later: the upload resumes where it stopped. If this repeats, "
                                    "tell the platform's operator.")),
        "auth.certificate_revoked": (_("The server refused the certificate: it has been revoked."),
                                     _("Sign in with another certificate; ask your CA for a new one.")),
        "auth.certificate_expired": (_("The server refused the certificate: it has expired."),
                                     _("Renew the certificate with your CA, then sign in with the new one.")),
        "auth.certificate_not_yet_valid": (_("The server refused the certificate: it is not valid yet."),
                                           _("Check this computer's clock, or wait until the certificate is "
                                             "valid.")),
        "auth.certificate_untrusted_root": (_("The server refused the certificate: it was not issued by a CA the "
                                              "platform trusts."),
                                            _("Use a certificate from a CA on the platform's trust list.")),
        "auth.certificate_revocation_unknown": (_("The server could not check whether the certificate has been "
                                                  "revoked."),
                                                _("Try again later; if it repeats, tell the platform's "
                                                  "operator.")),
        "submission.statement_signer_revoked": (_("The server refused the signed statement: the signing "
                                                  "certificate has been revoked."),
                                                _("Nothing was changed. Sign with a valid certificate of the "
                                                  "same enterprise.")),
        "tender.signer_revoked": (_("The server refused the tender: the agency's signing certificate has been "
                                    "revoked."),
                                  _("Nothing was published. Sign with a valid certificate.")),
        "submission.bid_changed": (_("The sealed bid file is not the one that was sealed; nothing was submitted."),
                                   _("It was changed or damaged after sealing. Seal the bid again, then "
                                     "submit it.")),
        "submission.history_invalid": (_("The server's list of your submissions could not be trusted; nothing "
                                         "is shown."),
                                       _("A submission or its receipt does not match what the server signed. "
                                         "Try again; if it persists, tell the platform's operator and keep your "
                                         "saved receipts.")),
        "request.rate_limited": (_("The server refused: too many attempts in a short time; nothing was changed."),
                                 _("Wait the time named above, then try again. If you did not try this often, "
                                   "tell the platform's operator.")),
        "live.forbidden": (_("You may not follow these live updates."),
                           _("Only its participants may follow it: sign in with the dongle of a participant.")),
        "live.channel_unknown": (_("The server has no live updates of this kind."),
                                 _("Update bidclient: the server may be newer or older than this client.")),
        "live.channel_not_found": (_("There are no live updates for this item: it does not exist on the server."),
                                   _("Check the tender or opening number and try again.")),
        "live.channel_invalid": (_("The name of the live channel is not valid."),
                                 _("Use <kind>:<id>, for example tender:T-2026-001.")),
        "live.cursor_invalid": (_("The position to resume live updates from is not valid."),
                                _("Start following again from the beginning; nothing is lost.")),
        # the opening (开标)
        "opening.before_opening_time": (_("It is not the opening time yet: no key is accepted before it."),
                                        _("Wait for the opening time on the server clock, then for the host to "
                                          "open the decryption window.")),
        "opening.before_deadline": (_("The bid deadline has not passed: the opening cannot lock yet."),
                                    _("Lock it at or after the deadline on the server clock.")),
        "opening.window_closed": (_("The decryption window is closed: the key arrived too late."),
                                  _("Ask the host whether the window can be extended; the remedy may still open "
                                    "the bid.")),
        "opening.window_not_open": (_("The decryption window is not open."),
                                    _("Wait for the host to open it ('bidclient opening show' tells its state).")),
        "opening.state_conflict": (_("Another host acted first: the opening has moved on."),
                                   _("Look at it again with 'bidclient opening show' and decide once more.")),
        "opening.wrong_state": (_("The opening is not at the step this needs."),
                                _("See its state with 'bidclient opening show'.")),
        "opening.not_your_bid": (_("Only the bidder who submitted a bid may release its key."),
                                 _("Sign in with the dongle of the enterprise that submitted the bid.")),
        "opening.not_host": (_("Only the hosts of this opening may do this."),
                             _("The agency names the hosts when it schedules the opening.")),
        "opening.bid_final": (_("This bid is already decided; nothing more is needed."),
                              _("See its outcome with 'bidclient opening show'.")),
        "opening.no_bid": (_("You have no bid in this opening."),
                           _("Check the tender number, and that you signed in with your enterprise's dongle.")),
        "opening.not_a_recipient": (_("Your key cannot open this bid."),
                                    _("Use the dongle whose encryption certificate the bid was sealed to; if it was "
                                      "renewed since, the committee remedy is the way.")),
        "opening.unwrap_failed": (_("Your dongle could not decrypt the bid's key."),
                                  _("Check the dongle and retry while the window is open.")),
        "opening.wrong_bid_file": (_("This file is not the bid counted in the opening."),
                                   _("Give the sealed bid you submitted, or leave out --bid to fetch it.")),
        "opening.cancelled": (_("Nothing was done: you did not confirm."),
                              _("Run the command again and confirm, or add --yes.")),
        "opening.objections_open": (_("Some objections are not answered yet."),
                                    _("Answer every objection before drafting the record.")),
        "opening.not_your_turn": (_("It is not your turn to sign the record."),
                                  _("The host signs first, then the supervisor.")),
        "opening.nothing_to_sign": (_("There is no record to sign or confirm yet."),
                                    _("Wait until the host has drafted (or published) the record.")),
        "opening.record_changed": (_("The record downloaded is not the one the opening names."),
                                   _("Download it again; if this repeats, tell the platform's operator.")),
        "opening.record_invalid": (_("The opening record is not valid."),
                                   _("Read the detail above; keep the file as evidence.")),
        "opening.no_encryption_certificate": (_("Your key has no encryption certificate."),
                                              _("Use a dongle with an encryption certificate, or name it with "
                                                "--enc-key.")),
        # the expert pool and the committee draw (docs/experts.md)
        "experts.csv_rows_invalid": (_("The expert file has bad rows; nothing was imported."),
                                     _("Correct the rows listed above, then import the whole file again.")),
        "experts.csv_encoding": (_("The expert file is not UTF-8; nothing was imported."),
                                 _("Save it as 'CSV UTF-8' in the spreadsheet program and import it again.")),
        "experts.csv_columns": (_("The expert file lacks required columns; nothing was imported."),
                                _("Start from 'bidclient experts export' or docs/formats/expert-csv.md.")),
        "experts.csv_empty": (_("The expert file holds no experts; nothing was imported."),
                              _("Add one row per expert under the header row.")),
        "experts.csv_invalid": (_("The expert file is not a CSV file; nothing was imported."),
                                _("Save it as 'CSV UTF-8' and import it again.")),
        "experts.csv_too_large": (_("The expert file is too large; nothing was imported."),
                                  _("Split it into several files and import each.")),
        "experts.specialty_code_invalid": (_("The specialty code is not valid."),
                                           _("Use letters, digits, '.', '_' and '-', at most 32 characters.")),
        "experts.specialty_unknown": (_("The committee names a specialty the pool does not have."),
                                      _("See 'bidclient experts specialties' for the codes.")),
        "experts.not_found": (_("No such expert in the pool."),
                              _("Check the expert's id in 'bidclient experts list'.")),
        "experts.not_in_pool": (_("You are not in the expert pool."),
                                _("Ask the platform's administrator to admit you with the identity of your "
                                  "certificate.")),
        "experts.dismissed": (_("The expert was dismissed; the record is not changed again."),
                              _("A returning expert is admitted anew.")),
        "experts.suspension_until": (_("A suspension needs an end date in the future; nothing was changed."),
                                     _("Pass --until with a time and zone, only for a suspension.")),
        "experts.relation_uscc": (_("The relation names no enterprise; nothing was recorded."),
                                  _("Pass --uscc with the enterprise's 统一社会信用代码.")),
        "experts.uscc_invalid": (_("The 统一社会信用代码 is not valid: its check character does not match."),
                                 _("Copy the code again from the business licence.")),
        "experts.committee_too_small": (_("The committee is too small: it needs at least 5 members; nothing was "
                                          "drawn."), _("Ask for more experts.")),
        "experts.committee_even": (_("The committee must have an odd number of members; nothing was drawn."),
                                   _("Add or remove one expert.")),
        "experts.committee_too_small_large_project": (
            _("A complex project with a budget of ¥10 million or more needs a committee of at least 7; nothing "
              "was drawn."), _("Ask for more experts (87号令 Art. 47).")),
        "experts.committee_composition": (_("Technical and economic experts must be at least two thirds of the "
                                            "committee; nothing was drawn."),
                                          _("Ask for more technical or economic experts, or fewer others.")),
        "experts.draw_times": (_("The draw's times are not in order; nothing was drawn."),
                               _("Answers are due before the evaluation starts, which is before it ends.")),
        "experts.tender_not_found": (_("You published no tender with this number."),
                                     _("A committee is drawn by the agency that published the tender.")),
        "experts.pool_too_small": (_("The pool cannot fill the committee; nothing was drawn."),
                                   _("The detail names what is short: ask for fewer, widen the regions, or have "
                                     "the administrator admit more experts.")),
        "experts.draw_exists": (_("The tender has a committee draw already; nothing was drawn."),
                                _("A redraw names the draw it replaces and why: --replaces DRAW_ID --reason TEXT.")),
        "experts.redraw_reason": (_("A redraw needs a reason; nothing was drawn."),
                                  _("Pass --reason: it is kept in the audit trail.")),
        "experts.draw_not_found": (_("No such draw of yours."), _("Check the draw's id.")),
        "experts.draw_state": (_("The draw is not in a state that allows this."), _("Read the detail above.")),
        "experts.bidders_unknown": (_("The bidders are not known before the bid deadline."),
                                    _("Re-check the committee after the deadline.")),
        "experts.invitation_not_found": (_("You have no such invitation."),
                                         _("See 'bidclient experts invitations'.")),
        "experts.invitation_answered": (_("The invitation was answered already."),
                                        _("An answer is final; tell the agency if something changed.")),
        "experts.invitation_expired": (_("The deadline for answering has passed; the answer was not recorded."),
                                       _("A reserve has been called instead; tell the agency if needed.")),
        "experts.draw_mismatch": (_("The draw does not verify: the recorded committee is not the one the "
                                    "published seed and snapshot give."),
                                  _("Keep the record and report it to the supervisor; the detail names the check "
                                    "that failed.")),
        "experts.draw_not_run": (_("The draw has not been run yet; there is nothing to verify."),
                                 _("Verify it after the agency has run the draw.")),
        "experts.record_invalid": (_("The file is not a usable draw record."),
                                   _("Download it again with 'bidclient experts record'.")),
        "server.busy": (_("The server is too busy to take the request right now; nothing was changed."),
                        _("Send it again in a moment: an interrupted upload resumes where it stopped.")),
        "server.internal": (_("The server failed; the request was not applied."),
                            _("Try again; if it repeats, tell the platform's operator.")),
        # transport security
        "net.insecure_http": (_("The server address is plain HTTP to another computer; nothing was sent."),
                              _("Use the server's https:// address. Only on a network you fully trust, pass "
                                "--insecure-http.")),
        "net.tls_untrusted": (_("The server's certificate was not issued by a trusted CA; nothing was sent."),
                              _("Check the server address. If the platform uses its own CA, get its certificate "
                                "from the operator and pass --ca-file.")),
        "net.tls_expired": (_("The server's certificate has expired; nothing was sent."),
                            _("Check the computer's clock, then tell the platform's operator.")),
        "net.tls_hostname_mismatch": (_("The server's certificate is for another address; nothing was sent."),
                                      _("Use the address named in the platform's certificate, or tell its "
                                        "operator.")),
        "net.tls_pin_mismatch": (_("The server's certificate is not the pinned one; nothing was sent."),
                                 _("Do not trust this connection. If the platform changed its certificate, "
                                   "confirm the new fingerprint with its operator and pass --pin-sha256.")),
        "net.tls_failed": (_("No secure connection to the server could be made; nothing was sent."),
                           _("Check the server address (https://) and the network.")),
        "net.ca_file_unreadable": (_("The CA file could not be used."),
                                   _("Give a PEM file with the platform's CA certificates (--ca-file).")),
        # the evaluation's rules and report (bidclient.evaluation, docs/evaluation.md)
        "evaluation.score_not_a_number": (_("The score is not a number."),
                                          _("Enter a plain number such as 8 or 7.5.")),
        "evaluation.score_precision": (_("The number has more than 2 decimals."),
                                       _("Enter at most 2 decimals, such as 7.25.")),
        "evaluation.score_out_of_range": (_("The score is outside the criterion's range."),
                                          _("Enter a score within the range shown for the criterion.")),
        "evaluation.score_computed": (_("This score is computed, not entered."),
                                      _("The price score follows from the prices; leave it to the calculation.")),
        "evaluation.fail_without_reason": (_("A fail needs a reason."),
                                           _("Write why the bid fails this item, then save again.")),
        "evaluation.review_incomplete": (_("Not every expert has decided every review item."),
                                         _("Each expert decides pass or fail for every bid and item first.")),
        "evaluation.sheet_incomplete": (_("A score sheet is incomplete."),
                                        _("Score every criterion of every bid before submitting.")),
        "evaluation.sheet_missing": (_("Not every expert has submitted a score sheet."),
                                     _("The chair can summarise only after every expert has submitted.")),
        "evaluation.no_valid_bids": (_("No bid is left to evaluate."),
                                     _("Every bid failed the review; record the result as the tender says.")),
        "evaluation.price_invalid": (_("A bid price is not a positive amount in yuan with at most 2 decimals."),
                                     _("Check the price read out at the opening.")),
        "evaluation.definition_invalid": (_("The tender's scoring definition cannot be used."),
                                          _("Ask the agency to correct the tender; nothing was scored.")),
        "evaluation.report_invalid": (_("The evaluation report did not verify."),
                                      _("Do not rely on this file; the detail above names the check that "
                                        "failed. Ask the agency for the report kept on the platform.")),
        "evaluation.report_unreadable": (_("The file is not a bidclient evaluation report."),
                                         _("Give the report PDF written by bidclient.")),
        "evaluation.report_signer": (_("This key may not sign the report now."),
                                     _("The members sign in the committee's order, each once, with the "
                                       "dongle they checked in with.")),
        "evaluation.dissent_without_reasons": (_("Disagreeing or refusing needs written reasons."),
                                               _("Write your reasons; without them you are taken to agree "
                                                 "(实施条例).")),
        "bidclient.internal": (_("An unexpected error occurred; this is a bug in bidclient."),
                               _("Please report it with the detail above.")),
    }


Catalogue = Callable[[], Mapping[str, tuple[str, str]]]
_registered: list[Catalogue] = []


def register_catalogue(catalogue: Catalogue) -> Catalogue:
    """Add the codes and messages of a part outside the product's own domains (the developer tools)."""
    if catalogue not in _registered:
        _registered.append(catalogue)
    return catalogue


def catalogue() -> dict[str, tuple[str, str]]:
    """Every known code -> (headline, hint), translated now."""
    merged = dict(_catalog())
    for extra in _registered:
        merged.update(extra())
    return merged


def _prefix_headline(code: str) -> tuple[str, str]:
    if code.startswith("source."):
        return (_("The bid folder cannot be sealed."),
                _("Fix or remove the file named above, then seal again. Nothing was written."))
    if code.startswith("seal."):
        return (_("Sealing failed."), _("Nothing was written. Check the key and the bid folder, then retry."))
    if code.startswith("net."):
        return (_("The server cannot be reached."),
                _("Check the network and the server address; your work is kept and can be resumed."))
    if code.startswith("auth."):
        return (_("The server did not accept the login or session."),
                _("Log in again with your dongle: bidclient login --key KEY."))
    if code.startswith("receipt."):
        return (_("The receipt could not be verified."),
                _("Keep the file and ask the platform's operator; the detail above names the check that failed."))
    if code.startswith(("tender.", "submission.", "upload.", "audit.", "request.", "http.")):
        return (_("The server refused the request."), _("Read the detail above; nothing was changed."))
    if code in _opening_codes():
        return (_("The sealed bid is not acceptable."),
                _("Nothing was extracted. Ask the bidder for an intact bid."))
    if code.startswith("opening."):
        return (_("The opening refused this step."), _("Read the detail above; nothing was changed."))
    if code.startswith("bid."):
        # Raised on the bidder's side (the draft, sealing, submitting): asking "the bidder" would
        # send the user to themselves.
        return (_("The bid cannot be prepared."),
                _("Read the detail above and correct it; nothing was sealed or sent."))
    if code.startswith("source."):
        return (_("The bid folder cannot be sealed."),
                _("Fix the file named above and seal again; nothing was written."))
    if code.startswith("timestamp."):
        return (_("No valid timestamp could be obtained from the time-stamping authority."),
                _("Check the TSA address and the network connection."))
    if code.startswith("token."):
        return (_("The token reported an error."), _("Reconnect the dongle and try again."))
    if code.startswith("committee."):
        return (_("The key ceremony refused the message."), _("Read the detail above; nothing was recorded."))
    if code.startswith("evaluation."):
        return (_("The evaluation input is not acceptable."),
                _("Read the detail above and correct it; nothing was saved."))
    if code.startswith("committee."):
        return (_("The key ceremony refused the message."), _("Read the detail above; nothing was recorded."))
    return (_("The operation failed."), "")


def _opening_codes() -> frozenset[str]:
    """The codes of a sealed bid refused when it is opened: the package reader's, and a signer mismatch."""
    from bidclient.bidpackage import errors as package_errors

    found = {"bid.signer_mismatch"}
    pending: list[type[package_errors.BidPackageError]] = [package_errors.BidPackageError]
    while pending:
        cls = pending.pop()
        pending += cls.__subclasses__()
        if not issubclass(cls, package_errors.SourceError) and cls is not package_errors.BidPackageError:
            found.add(cls.code)
    return frozenset(found)


def _exit_status_for(code: str) -> int:
    if code.startswith("token."):
        return EXIT_KEY_UNAVAILABLE
    if code.startswith("usage.") or code in ("io.input_missing", "io.output_exists"):
        return EXIT_USAGE
    return EXIT_FAILED


def describe(error: BaseException) -> UserMessage:
    """The user-facing message for any error of the project."""
    code = getattr(error, "code", None)
    if not isinstance(code, str):
        if isinstance(error, OSError):
            code = "io.error"
            detail = f"{error.filename or ''}: {error.strerror or error}".strip(": ")
        else:
            code = "bidclient.internal"
            detail = f"{type(error).__name__}: {error}"
    else:
        detail = str(error.args[0]) if error.args else ""
    headline, hint = catalogue().get(code) or _prefix_headline(code)
    status = getattr(error, "exit_status", None)
    if not isinstance(status, int):
        status = _exit_status_for(code)
    return UserMessage(code=code, headline=headline, hint=hint, detail=detail, exit_status=status)
