"""Error codes and messages of the expert pool and the committee draw (评标专家库, 抽取).

One domain's entries of the catalogue that bidclient.errors.describe reads (see docs/architecture.md,
"Errors per domain"). Imports nothing of the project but bidclient.i18n, so any module may raise these
codes without an import cycle.
"""

from __future__ import annotations

from bidclient.i18n import _


def messages() -> dict[str, tuple[str, str]]:
    """code -> (headline, hint), translated at call time."""
    return {
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
        "experts.sort_invalid": (_("The pool cannot be sorted that way."),
                                 _("Sort by name, identity, employer, region, title or status; a leading '-' "
                                   "sorts descending.")),
        "experts.not_in_pool": (_("You are not in the expert pool."),
                                _("Ask the platform's administrator to admit you with the identity of your "
                                  "certificate.")),
        "experts.dismissed": (_("The expert was dismissed; the record is not changed again."),
                              _("A returning expert is admitted anew.")),
        "experts.suspension_until": (_("A suspension needs an end date in the future; nothing was changed."),
                                     _("Pass --until with a time and zone, only for a suspension.")),
        "experts.relation_uscc": (_("The relation names no enterprise; nothing was recorded."),
                                  _("Pass --uscc with the enterprise's 统一社会信用代码.")),
        "experts.request_invalid": (_("The draw request is not complete; nothing was sent."),
                                    _("The detail names what to correct.")),
        "experts.tender_unreadable": (_("The tender's published definition cannot be read."),
                                      _("Check the tender number; the server checks the committee rules anyway.")),
        "experts.relation_until": (_("A relation's end date lies in the past; nothing was recorded."),
                                   _("Give an end in the future, or none for a relation that lasts.")),
        "experts.relation_not_found": (_("You declared no relation with this number."),
                                       _("See your relations with 'bidclient experts my-relations'.")),
        "experts.relation_not_yours": (_("The administrator recorded this relation; you cannot withdraw it."),
                                       _("Ask the platform's administrator if it no longer holds.")),
        "experts.relation_withdrawn": (_("This relation was withdrawn already."),
                                       _("Nothing more to do; it no longer excludes you from draws.")),
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
    }
