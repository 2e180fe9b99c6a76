"""Error codes and messages of the evaluation: the experts' scores and reviews, the rules that compute
the result, and the signed report (bidclient.evaluation, docs/evaluation.md).

One domain's entries of the catalogue that bidclient.errors.describe reads (see docs/architecture.md,
"Errors per domain"). Imports nothing of the project but bidclient.i18n, so any module may raise these
codes without an import cycle.
"""

from __future__ import annotations

from bidclient.i18n import _


def messages() -> dict[str, tuple[str, str]]:
    """code -> (headline, hint), translated at call time."""
    return {
        # the session (bidclient evaluation …)
        "evaluation.unknown_bid": (_('There is no such bid in this evaluation session.'),
            _("Check the bid named above with 'bidclient evaluation show'; nothing was saved.")),
        "evaluation.unknown_item": (_('There is no such review item in the tender.'),
            _("Check the item named above against the tender's review items; nothing was saved.")),
        "evaluation.already_answered": (_('This clarification request has been answered already.'),
            _('An answer cannot be replaced; the committee reads the one given.')),
        "evaluation.clarification_not_found": (_('There is no such clarification request to you.'),
            _("Check the request id with 'bidclient evaluation clarifications'.")),
        "evaluation.question_required": (_('A clarification request needs its question.'),
            _('Type the question to put to the bidder; nothing was sent.')),
        "evaluation.answer_required": (_('An answer needs its text.'),
            _('Type the answer to the committee; nothing was signed or sent.')),
        "evaluation.duplicate_id": (_("An id is used twice in the session's definition."),
            _('Give every criterion, item and bid its own id; nothing was created.')),
        "evaluation.members_waiting": (_('Not every expert has checked in and declared yet.'),
            _('Wait for the experts named above, or replace an absent one with a reserve.')),
        "evaluation.no_chair": (_('The committee has not elected a chair yet.'),
            _("Each expert votes for a chair first ('bidclient evaluation vote-chair').")),
        "evaluation.not_a_member": (_('The expert named is not an active member of this committee.'),
            _('Name an expert of this committee who has not recused.')),
        "evaluation.not_active": (_('You cannot act in this session now.'),
            _('The detail says why: check in, or wait until you are a member again.')),
        "evaluation.not_chair": (_('Only the chair (or the agency, before a chair is elected) can move the '
                                   'session on.'),
            _('Ask the chair to move to the next phase.')),
        "evaluation.not_checked_in": (_('You have not checked in to this session.'),
            _('Check in with your dongle first: bidclient evaluation check-in.')),
        "evaluation.not_submitted": (_('That expert has not submitted a score sheet.'),
            _('Only a submitted sheet can be returned; wait for it to be submitted.')),
        "evaluation.phase_closed": (_('This step belongs to a phase that is closed.'),
            _("Nothing was saved. Read the session's phase with 'bidclient evaluation show'.")),
        "evaluation.phase_order": (_('The session cannot move to that phase from where it is.'),
            _('Move on one phase at a time, in order; the detail names the next phase.')),
        "evaluation.range_invalid": (_("A criterion's minimum is above its maximum."),
            _("Correct the criterion's range; nothing was created.")),
        "evaluation.report_not_found": (_('No one has signed the evaluation report yet.'),
            _('The first signer writes the report from the summary and signs it.')),
        "evaluation.report_not_pdf": (_('The uploaded report is not a PDF.'),
            _('Upload the signed report PDF as written by bidclient.')),
        "evaluation.report_out_of_date": (_('The report has been signed by someone else in the meantime.'),
            _('Fetch the report again and sign it as it now stands; a signature is added after the others, '
              'never over them.')),
        "evaluation.report_signed": (_('You have signed the report already.'),
            _('Nothing was changed; each expert signs once.')),
        "evaluation.report_unsigned": (_('Not every expert has signed the report yet.'),
            _('Wait for the experts named above to sign (or to refuse with reasons).')),
        "evaluation.reserve_needed": (_('Experts have recused: reserves must join first.'),
            _('Add as many reserve experts as recused, then go on.')),
        "evaluation.scores_hidden": (_('Scores are shown only to the committee and the supervisors.'),
            _('Nothing is shown to others while the evaluation runs.')),
        "evaluation.sheet_out_of_date": (_('The sheet you signed is not your sheet as the server holds it.'),
            _('Sync your edits, fetch the sheet again and sign that one.')),
        "evaluation.signer_mismatch": (_('The statement is signed by another identity than the one signed in.'),
            _('Sign with your own dongle, the one you signed in with.')),
        "evaluation.statement_invalid": (_('The signed statement is not the one for this session and expert.'),
            _('Let bidclient build the statement; see docs/api.md, Evaluation.')),
        "evaluation.tender_not_yours": (_('There is no such tender published by your agency.'),
            _('Check the tender id; only its agency creates its evaluation session.')),
        "evaluation.reason_required": (_("A reason is required; nothing was saved."),
                                       _("Give the reason with --reason (a failed review, a returned sheet, a "
                                         "declared conflict, a disagreement).")),
        "evaluation.sheet_frozen": (_("Your score sheet is submitted and frozen."),
                                    _("Only the chair can return it to you, with a recorded reason.")),
        "evaluation.session_not_found": (_("There is no such evaluation session that you take part in."),
                                         _("Check the session id with 'bidclient evaluation list'.")),
        "evaluation.unsynced_conflicts": (_("Some of your edits were not applied by the server; nothing was "
                                            "signed."),
                                          _("Read them with 'bidclient evaluation status', enter them again or "
                                            "acknowledge them, then submit.")),
        "evaluation.sheet_mismatch": (_("The sheet the server holds differs from your journal; nothing was signed."),
                                      _("Run 'bidclient evaluation sync' and 'status', then submit again.")),
        "evaluation.offline": (_("The server cannot be reached; your edits are saved in your journal."),
                               _("Keep working; run 'bidclient evaluation sync' when the network is back.")),
        "evaluation.journal_damaged": (_("Your evaluation journal is damaged or belongs to another session."),
                                       _("Keep the file and tell the platform's operator; do not edit it.")),
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
        # The rules' checks of their input (the committee, the bids, the votes), from the platform's data
        "evaluation.invalid": (_("The evaluation input is not acceptable."),
                               _("Read the detail above and correct it; nothing was saved.")),
        "evaluation.no_experts": (_("The evaluation input is not acceptable."),
                                  _("Read the detail above and correct it; nothing was saved.")),
        "evaluation.duplicate_expert": (_("The evaluation input is not acceptable."),
                                        _("Read the detail above and correct it; nothing was saved.")),
        "evaluation.duplicate_bidder": (_("The evaluation input is not acceptable."),
                                        _("Read the detail above and correct it; nothing was saved.")),
        "evaluation.duplicate_vote": (_("The evaluation input is not acceptable."),
                                      _("Read the detail above and correct it; nothing was saved.")),
        "evaluation.unknown_bidder": (_("The evaluation input is not acceptable."),
                                      _("Read the detail above and correct it; nothing was saved.")),
        "evaluation.unknown_criterion": (_("The evaluation input is not acceptable."),
                                         _("Read the detail above and correct it; nothing was saved.")),
        "evaluation.unknown_expert": (_("The evaluation input is not acceptable."),
                                      _("Read the detail above and correct it; nothing was saved.")),
        "evaluation.unknown_lot": (_("The evaluation input is not acceptable."),
                                   _("Read the detail above and correct it; nothing was saved.")),
        "evaluation.unknown_review_item": (_("The evaluation input is not acceptable."),
                                           _("Read the detail above and correct it; nothing was saved.")),
        "evaluation.report_render": (_("The evaluation report could not be written."),
                                     _("Read the detail above; nothing was saved.")),
        # Where a session's committee and bids come from (the expert draw, the opening, the tender)
        "evaluation.no_draw": (_("The tender has no drawn expert committee."),
                               _("Draw the committee first ('bidclient experts draw'), or name the experts "
                                 "by hand with --expert; nothing was created.")),
        "evaluation.too_early": (_("The evaluation has not begun yet."),
                                 _("Create the session from the time the draw gives for the evaluation; the "
                                   "drawn experts are named then.")),
        "evaluation.committee_incomplete": (_("The drawn committee is not complete."),
                                            _("Wait until every invited expert has answered (a reserve is "
                                              "called for each one who declines), or draw again.")),
        "evaluation.representatives": (_("The number of the tenderer's representatives differs from the draw's."),
                                       _("Name as many representatives (--representative) as the draw "
                                         "counted.")),
        "evaluation.opening_not_done": (_("The opening has not announced its result yet."),
                                        _("Create the session after the opening has read out the bids "
                                          "(唱标).")),
        "evaluation.tender_incomplete": (_("The tender states no scoring the session can use."),
                                         _("Give the session's definition by hand (--definition).")),
        "evaluation.price_missing": (_("A bid's opened price is not known."),
                                     _("The price score needs every bid's price as read out at the opening; "
                                       "check the opening record. Nothing was created.")),
        "evaluation.reserve_not_ready": (_("No reserve of the draw has accepted yet."),
                                         _("A reserve is invited for each expert who recused; add the reserves "
                                           "once they accept.")),
        # The server's result and the report kept on the platform
        "evaluation.result_mismatch": (_("The server's result differs from the one computed on this computer."),
                                       _("Nothing was written. Do not sign; report it to the supervisor with "
                                         "the detail above.")),
        "evaluation.report_signature_invalid": (_("The signed report was refused: a signature or the file is "
                                                  "not valid."),
                                                _("Fetch the report again, sign it once with your own dongle "
                                                  "and upload it unchanged; the refusal is on the record.")),
        "evaluation.report_signer_mismatch": (_("The new signature on the report is not yours."),
                                              _("Sign in your own box with the dongle you checked in with; the "
                                                "refusal is on the record.")),
    }
