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
    }
