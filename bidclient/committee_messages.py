"""Error codes and messages of the committee opening key (crypto.threshold).

One domain's entries of the catalogue that bidclient.errors.describe reads (see docs/architecture.md,
"Errors per domain"). Imports nothing of the project but bidclient.i18n, so any module may raise these
codes without an import cycle.
"""

from __future__ import annotations

from bidclient.i18n import _


def messages() -> dict[str, tuple[str, str]]:
    """code -> (headline, hint), translated at call time."""
    return {
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
        # the server's refusals of a ceremony step (server/committee)
        "committee.ack_mismatch": (_("The key ceremony refused the message."),
                                   _("Read the detail above; nothing was recorded.")),
        "committee.already_complained": (_("The key ceremony refused the message."),
                                         _("Read the detail above; nothing was recorded.")),
        "committee.certificate_invalid": (_("The key ceremony refused the message."),
                                          _("Read the detail above; nothing was recorded.")),
        "committee.certificate_mismatch": (_("The key ceremony refused the message."),
                                           _("Read the detail above; nothing was recorded.")),
        "committee.certificate_untrusted": (_("The key ceremony refused the message."),
                                            _("Read the detail above; nothing was recorded.")),
        "committee.commitments_invalid": (_("The key ceremony refused the message."),
                                          _("Read the detail above; nothing was recorded.")),
        "committee.message_invalid": (_("The key ceremony refused the message."),
                                      _("Read the detail above; nothing was recorded.")),
        "committee.no_complaint": (_("The key ceremony refused the message."),
                                   _("Read the detail above; nothing was recorded.")),
        "committee.share_duplicate": (_("The key ceremony refused the message."),
                                      _("Read the detail above; nothing was recorded.")),
        "committee.share_missing": (_("The key ceremony refused the message."),
                                    _("Read the detail above; nothing was recorded.")),
        "committee.wrong_ceremony": (_("The key ceremony refused the message."),
                                     _("Read the detail above; nothing was recorded.")),
        "committee.wrong_sender": (_("The key ceremony refused the message."),
                                   _("Read the detail above; nothing was recorded.")),
    }
