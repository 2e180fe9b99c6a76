"""Error codes and messages of the opening (开标): its steps, the bids released and decrypted, the signed record.

One domain's entries of the catalogue that bidclient.errors.describe reads (see docs/architecture.md,
"Errors per domain"). Imports nothing of the project but bidclient.i18n, so any module may raise these
codes without an import cycle.
"""

from __future__ import annotations

from bidclient.i18n import _


def messages() -> dict[str, tuple[str, str]]:
    """code -> (headline, hint), translated at call time."""
    return {
        "opening.before_opening_time": (_("It is not the opening time yet: no key is accepted before it."),
                                        _("Wait for the opening time on the server clock, then for the host to "
                                          "open the decryption window.")),
        "opening.objection_empty": (_("The objection is empty."),
                                    _("Write what you object to, then send it again.")),
        "opening.remedies_invalid": (_("The server's list of remedies could not be read."),
                                     _("Try again; if it persists, tell the trading centre's support.")),
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
        "opening.dongle_unknown": (_("The app does not know which dongle you signed in with (the session was "
                                     "restored)."),
                                   _("Sign in again with your dongle (File ▸ Sign in with the dongle…), then "
                                     "repeat the step.")),
        "opening.no_encryption_certificate": (_("Your key has no encryption certificate."),
                                              _("Use a dongle with an encryption certificate, or name it with "
                                                "--enc-key.")),
        # the server's refusals of an opening step (server/opening)
        "opening.record_too_large": (_("The opening refused this step."),
                                     _("Read the detail above; nothing was changed.")),
        "opening.already_acknowledged": (_("The opening refused this step."),
                                         _("Read the detail above; nothing was changed.")),
        "opening.already_scheduled": (_("The opening refused this step."),
                                      _("Read the detail above; nothing was changed.")),
        "opening.bid_not_found": (_("The opening refused this step."),
                                  _("Read the detail above; nothing was changed.")),
        "opening.key_envelope_invalid": (_("The opening refused this step."),
                                         _("Read the detail above; nothing was changed.")),
        "opening.no_key": (_("The opening refused this step."),
                           _("Read the detail above; nothing was changed.")),
        "opening.no_record": (_("The opening refused this step."),
                              _("Read the detail above; nothing was changed.")),
        "opening.no_remedy": (_("The opening refused this step."),
                              _("Read the detail above; nothing was changed.")),
        "opening.not_bidder": (_("The opening refused this step."),
                               _("Read the detail above; nothing was changed.")),
        "opening.not_found": (_("The opening refused this step."),
                              _("Read the detail above; nothing was changed.")),
        "opening.not_member": (_("The opening refused this step."),
                               _("Read the detail above; nothing was changed.")),
        "opening.not_sealed_to_committee": (_("The opening refused this step."),
                                            _("Read the detail above; nothing was changed.")),
        "opening.objection_answered": (_("The opening refused this step."),
                                       _("Read the detail above; nothing was changed.")),
        "opening.objection_not_found": (_("The opening refused this step."),
                                        _("Read the detail above; nothing was changed.")),
        "opening.partial_invalid": (_("The opening refused this step."),
                                    _("Read the detail above; nothing was changed.")),
        "opening.recipient_invalid": (_("The opening refused this step."),
                                      _("Read the detail above; nothing was changed.")),
        "opening.remedy_not_allowed": (_("The opening refused this step."),
                                       _("Read the detail above; nothing was changed.")),
        "opening.remedy_not_needed": (_("The opening refused this step."),
                                      _("Read the detail above; nothing was changed.")),
        "opening.results_pending": (_("The opening refused this step."),
                                    _("Read the detail above; nothing was changed.")),
        "opening.role_missing": (_("The opening refused this step."),
                                 _("Read the detail above; nothing was changed.")),
        "opening.statement_invalid": (_("The opening refused this step."),
                                      _("Read the detail above; nothing was changed.")),
        "opening.statement_signer_mismatch": (_("The opening refused this step."),
                                              _("Read the detail above; nothing was changed.")),
        "opening.stored_bid_damaged": (_("The opening refused this step."),
                                       _("Read the detail above; nothing was changed.")),
        "opening.window_open": (_("The opening refused this step."),
                                _("Read the detail above; nothing was changed.")),
            # the hand-over of the opened bids to the evaluation committee (docs/evaluation.md)
        "handover.no_key": (_("No such opened bid was handed over to you in this session."),
                            _("Wait for the opening host to hand the bids to the committee; an expert who "
                              "recused or was replaced no longer receives them.")),
        "handover.not_host": (_("Only a host of the tender's opening hands the bids to the committee."),
                              _("Sign in with the dongle of a host the agency named for the opening.")),
        "handover.not_seated": (_("The evaluation committee is not seated yet."),
                                _("Hand the bids over once every member has checked in and declared and the "
                                  "agency has closed the check-in.")),
        "handover.bid_not_opened": (_("This bid was not opened at the opening: it is not handed over."),
                                    _("Only bids the opening opened and verified are evaluated; revoked, withdrawn "
                                      "and failed bids are not.")),
        "handover.recipient_invalid": (_("A key envelope is not for a seated member's registered certificate."),
                                       _("Load the hand-over state again and hand the bids over once more; "
                                         "nothing was kept.")),
        "handover.envelope_invalid": (_("A key envelope could not be read."),
                                      _("Hand the bids over again from the host's terminal; nothing was kept.")),
        "handover.certificate_invalid": (_("An encryption certificate is not usable to receive the bids."),
                                         _("Use the encryption certificate of your own dongle, valid and issued "
                                           "by a trusted CA; nothing was handed over.")),
        "handover.state_invalid": (_("The server's hand-over state could not be read."),
                                   _("Try again; if it persists, tell the trading centre's support.")),
        "handover.no_session": (_("The tender has no evaluation session to hand the bids to."),
                                _("The agency creates the evaluation session first.")),
        "handover.key_unavailable": (_("A bid's content key could not be recovered on this terminal."),
                                     _("Use the dongle of a host the bidders released their keys to; nothing "
                                       "was handed over.")),
        "handover.cancelled": (_("Nothing was handed over."),
                               _("Run the hand-over again when you are ready.")),
        "handover.no_encryption_certificate": (_("Your dongle has no encryption certificate to receive the bids "
                                                 "with."),
                                               _("Use a dongle that holds your encryption certificate.")),
        "handover.not_a_recipient": (_("The bid's key was handed to another certificate than your dongle's."),
                                     _("Fetch again with the dongle you registered, or ask the host to hand the "
                                       "bids over again.")),
        "handover.nothing_yet": (_("No opened bid has been handed to you yet."),
                                 _("Wait for the opening host to hand the bids to the committee, then fetch "
                                   "again.")),
        "handover.bid_invalid": (_("A bid failed its verification: nothing of it was kept."),
                                 _("Do not evaluate it from another copy; tell the supervisor and the opening host "
                                   "what the detail says.")),
}
