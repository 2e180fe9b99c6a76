"""Shared pieces of the bidder workspace: translated wording for form issues and pre-seal warnings,
and section names. (Finding the signed-in dongle again is the core's: bidclient.signin.find_signed_in_key.)"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QWidget

from bidclient.bid_forms import Issue
from bidclient.bid_project import SealWarning

SETTING_PROJECT = "bidder/project"


def named(widget: QWidget, name: str, accessible: str) -> QWidget:
    """Give ``widget`` an object name (tests) and an accessible name (screen readers)."""
    widget.setObjectName(name)
    widget.setAccessibleName(accessible)
    return widget


def section_title(section: str) -> str:
    return {
        "qualification": QCoreApplication.translate("Bidder", "Qualification documents"),
        "commercial": QCoreApplication.translate("Bidder", "Commercial documents"),
        "technical": QCoreApplication.translate("Bidder", "Technical documents"),
        "other": QCoreApplication.translate("Bidder", "Other documents"),
    }.get(section, section)


def issue_text(issue: Issue) -> str:
    """One form problem in the user's language (the parameters are the user's own values)."""
    p = dict(issue.params)
    templates = {
        "form.required": QCoreApplication.translate("Bidder", "{label} is required"),
        "form.too_long": QCoreApplication.translate("Bidder", "{label} is longer than {max_length} characters"),
        "form.invalid_money": QCoreApplication.translate("Bidder", "Not an amount in yuan, e.g. 1,280,000.00"),
        "form.invalid_integer": QCoreApplication.translate("Bidder", "Not a whole number"),
        "form.invalid_decimal": QCoreApplication.translate("Bidder", "Not a number"),
        "form.invalid_percent": QCoreApplication.translate("Bidder", "Not a percentage from 0 to 100"),
        "form.invalid_days": QCoreApplication.translate("Bidder", "Not a whole number of days"),
        "form.invalid_date": QCoreApplication.translate("Bidder", "Not a date written YYYY-MM-DD"),
        "form.invalid_characters": QCoreApplication.translate(
            "Bidder", "{label} contains characters that cannot be printed"),
        "form.invalid_amount_words": QCoreApplication.translate(
            "Bidder", "Not an amount in capital numerals (大写), e.g. 人民币壹佰万元整"),
        "form.amount_words_mismatch": QCoreApplication.translate(
            "Bidder", "The words say {words_value} but the figures say {figures}; "
                                         "the words prevail"),
        "price_schedule.sum_mismatch": QCoreApplication.translate(
            "Bidder", "The lines add up to {computed}, the total says {stated}"),
        "price_schedule.line_total_mismatch": QCoreApplication.translate(
            "Bidder", "Quantity × unit price does not equal the line total"),
        "price_schedule.invalid_quantity": QCoreApplication.translate("Bidder", "The quantity is not a number"),
        "price_schedule.no_lines": QCoreApplication.translate("Bidder", "Add at least one priced line"),
        "forms.letter_schedule_mismatch": QCoreApplication.translate(
            "Bidder", "The bid letter says {letter}, the price schedule {schedule}; "
                                             "the price schedule prevails"),
        "forms.announced_mismatch": QCoreApplication.translate(
            "Bidder", "{label}: the bid letter says {letter}, the price schedule {schedule}"),
    }
    template = templates.get(issue.code)
    if template is None:
        return issue.message
    try:
        return template.format(**p)
    except (KeyError, IndexError):
        return issue.message


def warning_text(warning: SealWarning) -> str:
    p = dict(warning.params)
    for key in ("deadline", "expires", "opening"):  # ISO times from the core: shown in the display zone
        if key in p:
            p[key] = short_time(str(p[key]))
    templates = {
        "bid.deadline_passed": QCoreApplication.translate(
            "Bidder", "The bid deadline ({deadline}) has passed: the server will refuse the bid."),
        "bid.forms_invalid": QCoreApplication.translate(
            "Bidder", "The forms have {count} problem(s): fix them on the Forms page first."),
        "bid.criterion_unlinked": QCoreApplication.translate(
            "Bidder", "Scoring criterion “{criterion}” is not linked to any page: the experts "
                                     "may not find your answer."),
        "bid.criterion_relink": QCoreApplication.translate(
            "Bidder", "Scoring criterion “{criterion}” changed in the clarification: check its "
                                   "link."),
        "bid.certificate_expires_before_opening": QCoreApplication.translate(
            "Bidder", "Your encryption certificate expires {expires}, before the "
                                                     "opening ({opening}): do not renew it before the opening, "
                                                     "or you cannot decrypt your own bid."),
        "bid.opening_certificate_expires": QCoreApplication.translate(
            "Bidder", "The opening certificate of {subject} expires before the opening."),
    }
    template = templates.get(warning.code)
    return template.format(**p) if template else warning.message


def short_time(value: str) -> str:
    """An ISO 8601 time from the core (a warning's parameter) as the user reads times: in the display
    zone, zone named (bidclient.timefmt)."""
    from datetime import datetime

    from bidclient import timefmt

    try:
        return timefmt.format_time(datetime.fromisoformat(value))
    except ValueError:
        return value
