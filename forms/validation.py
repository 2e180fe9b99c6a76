"""Checking a form's values: required fields, formats, lengths, amounts in figures vs words, price arithmetic.

Each check returns ``Issue``s (never raises on bad input), in the order of the form's fields, so the UI
can show each next to its field. Codes:

===================================  ======================================================================
form.required                        a required field is empty
form.too_long                        longer than the field's max_length
form.invalid_characters              control characters in a text
form.unknown_field                   a value for a field the form does not define
form.invalid_money                   not an amount in yuan with at most two decimals (or out of range)
form.invalid_integer / _decimal      not a whole number / not a decimal number
form.invalid_percent                 not a number from 0 to 100
form.invalid_days                    not a whole number of days from 1 to 36500
form.invalid_date                    not a date YYYY-MM-DD
form.invalid_boolean                 not true/false
form.invalid_amount_words            the 大写 amount is not written the way the rules require
form.amount_words_mismatch           figures and words differ; the words prevail (87号令 Art. 59)
price_schedule.no_lines              the schedule has no priced line
price_schedule.invalid_quantity      a quantity is not a positive number (at most 4 decimals)
price_schedule.line_total_mismatch   quantity × unit price ≠ the line's total
price_schedule.sum_mismatch          the lines' totals do not add up to the total
forms.letter_schedule_mismatch       the bid letter's amount ≠ the price schedule's total (一览表 prevails)
forms.announced_mismatch             the bid letter and the price schedule state a different duration or quality
===================================  ======================================================================
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from forms.amounts import format_figures, parse_capital, parse_figures
from forms.errors import AmountError
from forms.model import (
    PRICE_LINE_COLUMNS,
    WORDS_SUFFIX,
    BidLetter,
    FieldDef,
    FormDef,
    Issue,
    PriceLine,
    PriceSchedule,
    announced_item,
)

__all__ = [
    "cross_check",
    "validate_bid_letter",
    "validate_form",
    "validate_price_schedule",
]

_INTEGER = re.compile(r"^-?(0|[1-9][0-9]{0,17})$")
_DECIMAL = re.compile(r"^-?(0|[1-9][0-9]{0,17})(\.[0-9]{1,6})?$")
_QUANTITY = re.compile(r"^(0|[1-9][0-9]{0,11})(\.[0-9]{1,4})?$")
_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
_MAX_DAYS = 36500
_CENT = Decimal("0.01")
_HEADINGS = {attribute: heading for attribute, heading, _ in PRICE_LINE_COLUMNS}


def validate_form(form: FormDef, values: Mapping[str, str]) -> list[Issue]:
    """Every problem with ``values`` against ``form``'s fields, including figures-vs-words amounts."""
    issues: list[Issue] = []
    for name in values:
        if form.field(name) is None:
            issues.append(Issue("form.unknown_field", name, f"{form.id} has no field {name!r}", {"field": name}))
    for definition in form.fields:
        issues += _check_field(definition, values.get(definition.name, ""))
    issues += _check_words(form, values, issues)
    return issues


def validate_bid_letter(letter: BidLetter) -> list[Issue]:
    """The bid letter's fields, and its amount in figures against the amount in words."""
    return validate_form(letter.form, letter.values)


def validate_price_schedule(schedule: PriceSchedule) -> list[Issue]:
    """Header fields, every line (quantity × unit price = line total), and Σ line totals = total."""
    issues = validate_form(schedule.form, schedule.values)
    if not schedule.lines:
        issues.append(Issue("price_schedule.no_lines", "lines", "the price schedule has no priced line"))
        return issues
    line_totals: list[Decimal] = []
    all_readable = True
    for index, line in enumerate(schedule.lines):
        line_issues = _check_line(index, line)
        issues += line_issues
        try:
            line_totals.append(parse_figures(line.total))
        except AmountError:
            all_readable = False
    total_field = _price_field(schedule.form)
    stated = _money(schedule.values.get(total_field, "")) if total_field else None
    if total_field and all_readable and stated is not None:
        computed = sum(line_totals, Decimal(0))
        if computed != stated:
            issues.append(Issue(
                "price_schedule.sum_mismatch", total_field,
                f"the lines add up to {format_figures(computed)} but the total says {format_figures(stated)}",
                {"computed": format_figures(computed), "stated": format_figures(stated)}))
    return issues


def cross_check(letter: BidLetter, schedule: PriceSchedule) -> list[Issue]:
    """The announced items the bid letter and the price schedule both state must agree: the amount
    (87号令 Art. 59: the 一览表 prevails), the duration and the quality.

    Compares the amounts that prevail within each form (the words where they can be read); the price
    is the field that announces it (model.announced_item), else the form's first money field.
    """
    issues: list[Issue] = []
    letter_price = _price_field(letter.form)
    letter_amount = _prevailing(letter.form, letter.values, letter_price)
    schedule_total = _prevailing(schedule.form, schedule.values, _price_field(schedule.form))
    if letter_price and letter_amount is not None and schedule_total is not None and letter_amount != schedule_total:
        issues.append(Issue(
            "forms.letter_schedule_mismatch", letter_price,
            f"the bid letter says {format_figures(letter_amount)} but the price schedule (开标一览表) says "
            f"{format_figures(schedule_total)}; the price schedule prevails (87号令 Art. 59)",
            {"letter": format_figures(letter_amount), "schedule": format_figures(schedule_total)}))
    for item in ("duration", "quality"):
        in_letter = _announcing(letter.form, item)
        in_schedule = _announcing(schedule.form, item)
        if in_letter is None or in_schedule is None:
            continue
        said = _plain(letter.values.get(in_letter.name, ""))
        scheduled = _plain(schedule.values.get(in_schedule.name, ""))
        if said and scheduled and said != scheduled:
            issues.append(Issue(
                "forms.announced_mismatch", in_letter.name,
                f"{in_letter.label}: the bid letter says {said!r} but the price schedule (开标一览表) says "
                f"{scheduled!r}",
                {"label": in_letter.label, "letter": said, "schedule": scheduled}))
    return issues


def _plain(value: object) -> str:
    return value.strip() if isinstance(value, str) else ""


def _announcing(form: FormDef, item: str) -> FieldDef | None:
    return next((f for f in form.fields if announced_item(f) == item), None)


def _price_field(form: FormDef) -> str | None:
    found = _announcing(form, "price")
    if found is not None:
        return found.name
    return next((f.name for f in form.fields if f.type == "money"), None)


# --- fields ------------------------------------------------------------------------------------------


def _check_field(definition: FieldDef, raw: str) -> list[Issue]:
    name, label = definition.name, definition.label
    if not isinstance(raw, str):
        return [Issue("form.invalid_characters", name, f"{label}: the value is not text", {"label": label})]
    value = raw.strip()
    if not value:
        if definition.required:
            return [Issue("form.required", name, f"{label} is required", {"label": label})]
        return []
    if len(value) > definition.max_length:
        return [Issue("form.too_long", name, f"{label} is longer than {definition.max_length} characters",
                      {"label": label, "max_length": str(definition.max_length)})]
    if any(unicodedata.category(c) == "Cc" and c not in "\n\t" for c in value):
        return [Issue("form.invalid_characters", name, f"{label} contains control characters", {"label": label})]
    problem = _type_problem(definition.type, value)
    if problem is None:
        return []
    code, why = problem
    return [Issue(code, name, f"{label}: {value!r} {why}", {"label": label, "value": value})]


def _type_problem(kind: str, value: str) -> tuple[str, str] | None:
    if kind == "money":
        try:
            parse_figures(value)
        except AmountError:
            return "form.invalid_money", "is not an amount in yuan (e.g. 1,280,000.00)"
    elif kind == "integer":
        if not _INTEGER.match(value):
            return "form.invalid_integer", "is not a whole number"
    elif kind == "decimal":
        if not _DECIMAL.match(value):
            return "form.invalid_decimal", "is not a number"
    elif kind == "percent":
        if not _DECIMAL.match(value) or not Decimal(0) <= Decimal(value) <= 100:
            return "form.invalid_percent", "is not a percentage from 0 to 100"
    elif kind == "duration_days":
        if not _INTEGER.match(value) or not 1 <= int(value) <= _MAX_DAYS:
            return "form.invalid_days", f"is not a whole number of days from 1 to {_MAX_DAYS}"
    elif kind == "date":
        if not _DATE.match(value) or _date(value) is None:
            return "form.invalid_date", "is not a date written YYYY-MM-DD"
    elif kind == "boolean" and value not in ("true", "false"):
        return "form.invalid_boolean", "is not true or false"
    return None


def _date(value: str) -> date | None:
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def _check_words(form: FormDef, values: Mapping[str, str], earlier: list[Issue]) -> list[Issue]:
    """For every money field X with an X_words field: the words must be valid 大写 and say the same."""
    flagged = {issue.field for issue in earlier}
    issues = []
    for definition in form.fields:
        words_name = definition.name + WORDS_SUFFIX
        words_def = form.field(words_name)
        if definition.type != "money" or words_def is None or words_name in flagged:
            continue
        words = values.get(words_name, "").strip()
        if not words:
            continue
        try:
            in_words = parse_capital(words)
        except AmountError as ex:
            issues.append(Issue("form.invalid_amount_words", words_name, f"{words_def.label}: {ex.message}",
                                {"label": words_def.label, "value": words}))
            continue
        in_figures = None if definition.name in flagged else _money(values.get(definition.name, ""))
        if in_figures is not None and in_figures != in_words:
            issues.append(Issue(
                "form.amount_words_mismatch", words_name,
                f"{definition.label} is {format_figures(in_figures)} in figures but {words} "
                f"({format_figures(in_words)}) in words; the amount in words prevails (87号令 Art. 59)",
                {"figures": format_figures(in_figures), "words": words, "words_value": format_figures(in_words),
                 "figures_field": definition.name}))
    return issues


def _money(raw: str) -> Decimal | None:
    try:
        return parse_figures(raw) if isinstance(raw, str) and raw.strip() else None
    except AmountError:
        return None


def _prevailing(form: FormDef, values: Mapping[str, str], name: str | None) -> Decimal | None:
    if name is None:
        return None
    words = values.get(name + WORDS_SUFFIX, "")
    if isinstance(words, str) and words.strip():
        try:
            return parse_capital(words)
        except AmountError:
            pass
    return _money(values.get(name, ""))


# --- price lines ---------------------------------------------------------------------------------------


def _check_line(index: int, line: PriceLine) -> list[Issue]:
    issues: list[Issue] = []
    prefix = f"lines.{index}."
    row = str(index + 1)
    for attribute, heading, max_length in PRICE_LINE_COLUMNS:
        value = getattr(line, attribute)
        if not isinstance(value, str):
            issues.append(Issue("form.invalid_characters", prefix + attribute,
                                f"line {row}, {heading}: the value is not text", {"row": row, "label": heading}))
        elif len(value.strip()) > max_length:
            issues.append(Issue("form.too_long", prefix + attribute,
                                f"line {row}, {heading} is longer than {max_length} characters",
                                {"row": row, "label": heading, "max_length": str(max_length)}))
        elif any(unicodedata.category(c) == "Cc" for c in value):
            issues.append(Issue("form.invalid_characters", prefix + attribute,
                                f"line {row}, {heading} contains control characters", {"row": row, "label": heading}))
    if issues:
        return issues
    item, quantity_text = line.item.strip(), line.quantity.strip()
    if not item:
        issues.append(Issue("form.required", prefix + "item", f"line {row}: the item name is required",
                            {"row": row, "label": "货物（服务）名称"}))
    quantity = None
    if not _QUANTITY.match(quantity_text) or Decimal(quantity_text) == 0:
        issues.append(Issue("price_schedule.invalid_quantity", prefix + "quantity",
                            f"line {row}: quantity {quantity_text!r} is not a positive number (at most 4 decimals)",
                            {"row": row, "value": quantity_text}))
    else:
        quantity = Decimal(quantity_text)
    amounts: dict[str, Decimal] = {}
    for attribute in ("unit_price", "total"):
        text = getattr(line, attribute).strip()
        heading = _HEADINGS[attribute]
        if not text:
            issues.append(Issue("form.required", prefix + attribute, f"line {row}: {heading} is required",
                                {"row": row, "label": heading}))
            continue
        try:
            amounts[attribute] = parse_figures(text)
        except AmountError:
            issues.append(Issue("form.invalid_money", prefix + attribute,
                                f"line {row}, {heading}: {text!r} is not an amount in yuan",
                                {"row": row, "label": heading, "value": text}))
    if quantity is not None and len(amounts) == 2:
        try:
            computed = (quantity * amounts["unit_price"]).quantize(_CENT, rounding=ROUND_HALF_UP)
        except InvalidOperation:  # pragma: no cover - bounded by the patterns above
            return issues
        if computed != amounts["total"]:
            issues.append(Issue(
                "price_schedule.line_total_mismatch", prefix + "total",
                f"line {row}: {quantity_text} × {format_figures(amounts['unit_price'])} = "
                f"{format_figures(computed)}, but the line total says {format_figures(amounts['total'])}",
                {"row": row, "quantity": quantity_text, "unit_price": format_figures(amounts["unit_price"]),
                 "computed": format_figures(computed), "stated": format_figures(amounts["total"])}))
    return issues
