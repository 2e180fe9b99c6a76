"""Amounts of money in figures and in Chinese capital numerals (大写金额).

The spelling follows 《支付结算办法》 (中国人民银行, 附件一 正确填写票据和结算凭证的基本规定):

- digits 零壹贰叁肆伍陆柒捌玖, units 拾佰仟万亿, then 元角分; 拾 always carries its digit (10 = 壹拾元整);
- a run of zeros inside the number is written as one 零 (6007.14 = 陆仟零柒元壹角肆分), zeros at the end of
  the integer part are not written (100 = 壹佰元整), an empty 万 section is skipped (100000001 = 壹亿零壹元整);
- 整 follows an amount that ends at 元 or 角, never one that has 分 (100.10 = 壹佰元壹角整);
- 角 zero with 分 not zero: 零 after 元 (16409.02 = 壹万陆仟肆佰零玖元零贰分);
- an amount below one yuan has no 元 part (0.05 = 人民币伍分).

Where the rules allow two spellings (a 零 at a 万/亿 boundary whose lower digit is zero, e.g. 107000.53 =
壹拾万柒仟元伍角叁分 or 壹拾万零柒仟元伍角叁分; a 零 after 元 when 元 is zero and 角 is not, e.g. 1680.32 =
壹仟陆佰捌拾元叁角贰分 or 壹仟陆佰捌拾元零叁角贰分), ``to_capital`` writes the first and ``parse_capital``
accepts both. Amounts are Decimals with at most two decimals, from 0 up to 9999,9999,9999.99 (千亿).
"""

from __future__ import annotations

import itertools
import re
from decimal import Decimal, InvalidOperation

from forms.errors import AmountError

__all__ = [
    "MAX_AMOUNT",
    "amounts_agree",
    "format_figures",
    "parse_capital",
    "parse_figures",
    "to_capital",
]

MAX_AMOUNT = Decimal("999999999999.99")
PREFIX = "人民币"
DIGITS = "零壹贰叁肆伍陆柒捌玖"
_SMALL_UNITS = ("仟", "佰", "拾", "")
_SECTION_UNITS = ("亿", "万", "")
_ALPHABET = set(DIGITS) | set("拾佰仟万亿元角分整正")
_MAX_WORDS = 64  # the longest valid spelling is about 40 characters

# 1,234,567.89 / 1234567.89 / ¥1,234,567 — commas only in groups of three.
_FIGURES = re.compile(r"^(?:[¥￥]\s*)?(?P<int>0|[1-9][0-9]{0,2}(?:,[0-9]{3})*|[1-9][0-9]*)(?:\.(?P<frac>[0-9]{1,2}))?$")


def parse_figures(text: str) -> Decimal:
    """An amount in figures (yuan, at most two decimals, optional ¥ and thousands commas) as a Decimal.

    Raises AmountError (amount.invalid_figures, amount.out_of_range). Never rounds: 1.005 is refused.
    """
    if not isinstance(text, str):
        raise TypeError("parse_figures takes the text the user typed")
    stripped = text.strip()
    match = _FIGURES.match(stripped)
    if match is None:
        raise AmountError(f"{text!r} is not an amount in yuan (digits, optional thousands commas, at most "
                          "two decimals)", code="amount.invalid_figures")
    value = Decimal(match["int"].replace(",", "") + "." + (match["frac"] or "0").ljust(2, "0"))
    _check_range(value)
    return value


def format_figures(amount: Decimal) -> str:
    """``1280000.5`` → ``1,280,000.50`` (the way amounts are printed on the forms)."""
    return f"{_exact(amount):,.2f}"


def to_capital(amount: Decimal | int | str, *, prefix: bool = True) -> str:
    """The amount in Chinese capital numerals, e.g. ``人民币壹佰贰拾捌万元整``.

    Accepts a Decimal or int, or a string as ``parse_figures`` reads it (floats are refused: they cannot
    hold 0.1 exactly). Raises AmountError for a negative amount, more than two decimals or ≥ 1万亿.
    """
    value = _exact(amount)
    return (PREFIX if prefix else "") + _spell(value, boundary_zeros=(False, False), zero_after_yuan=False)


def parse_capital(text: str) -> Decimal:
    """The value of an amount written in capital numerals; strict.

    The optional ``人民币`` prefix aside, ``text`` must be exactly one of the spellings the rules allow for
    its value (see the module docstring): no lower-case digits (一二三), no 两, no missing 壹 before 拾, 整
    (or 正) after an amount ending in 元 or 角 and never after 分. Raises AmountError (amount.invalid_words).
    """
    if not isinstance(text, str):
        raise TypeError("parse_capital takes the text the user typed")
    words = text.strip()
    if words.startswith(PREFIX):
        words = words[len(PREFIX):]
    if not words or len(words) > _MAX_WORDS:
        raise _bad_words(text, "it is empty or too long")
    for char in words:
        if char not in _ALPHABET:
            raise _bad_words(text, f"{char!r} is not a capital numeral (use 零壹贰叁肆伍陆柒捌玖拾佰仟万亿元角分整)")
    if words.endswith("正"):
        words = words[:-1] + "整"  # 正 is an accepted variant of 整
    if "正" in words:
        raise _bad_words(text, "正 may only end the amount")
    value = _rough_value(words, text)
    try:
        _check_range(value)
    except AmountError:
        raise _bad_words(text, "the amount is out of range") from None
    if words not in _spellings(value):
        raise _bad_words(text, f"this is not how {format_figures(value)} is written; write "
                         f"{to_capital(value)}")
    return value


def amounts_agree(figures: str | Decimal, words: str) -> bool:
    """True when the amount in figures and the amount in words have the same value.

    Raises AmountError when either cannot be read (the caller reports which one).
    """
    value = figures if isinstance(figures, Decimal) else parse_figures(figures)
    return _exact(value) == parse_capital(words)


# --- spelling --------------------------------------------------------------------------------------


def _exact(amount: Decimal | int | str) -> Decimal:
    if isinstance(amount, bool) or isinstance(amount, float):
        raise TypeError("amounts are Decimal, int or str, never float")
    if isinstance(amount, str):
        return parse_figures(amount)
    try:
        value = Decimal(amount)
    except (InvalidOperation, TypeError, ValueError):
        raise AmountError(f"{amount!r} is not an amount", code="amount.invalid_figures") from None
    if not value.is_finite():
        raise AmountError(f"{amount} is not an amount", code="amount.invalid_figures")
    _check_range(value)
    if value != value.quantize(Decimal("0.01"), rounding="ROUND_DOWN"):
        raise AmountError(f"{amount} has more than two decimals (amounts are in yuan and fen)",
                          code="amount.invalid_figures")
    return value.quantize(Decimal("0.01"))


def _check_range(value: Decimal) -> None:
    if value < 0 or value > MAX_AMOUNT:
        raise AmountError(f"{value} is outside 0 … {format_figures(MAX_AMOUNT)}", code="amount.out_of_range")


def _section(number: int) -> str:
    """1 … 9999 without leading zeros; inner zero runs as one 零, trailing zeros silent."""
    out = []
    pending_zero = False
    started = False
    for digit_char, unit in zip(f"{number:04d}", _SMALL_UNITS, strict=True):
        digit = int(digit_char)
        if digit == 0:
            pending_zero = started
            continue
        if pending_zero:
            out.append("零")
            pending_zero = False
        out.append(DIGITS[digit] + unit)
        started = True
    return "".join(out)


def _integer(number: int, boundary_zeros: tuple[bool, bool]) -> str:
    """The integer part; ``boundary_zeros[i]`` chooses the optional 零 before section i+1 (万, 个)."""
    sections = ((number // 10**8) % 10**4, (number // 10**4) % 10**4, number % 10**4)
    out = []
    started = False
    skipped = False  # a whole section of zeros since the last written one
    previous_ends_in_zero = False
    for index, (value, unit) in enumerate(zip(sections, _SECTION_UNITS, strict=True)):
        if value == 0:
            skipped = skipped or started
            continue
        if started:
            if skipped or value < 1000:
                out.append("零")  # required: zeros between non-zero digits
            elif previous_ends_in_zero and boundary_zeros[index - 1]:
                out.append("零")  # optional: 壹拾万零柒仟
        out.append(_section(value) + unit)
        started = True
        skipped = False
        previous_ends_in_zero = value % 10 == 0
    return "".join(out)


def _spell(value: Decimal, *, boundary_zeros: tuple[bool, bool], zero_after_yuan: bool) -> str:
    cents = int(value * 100)
    yuan, jiao, fen = cents // 100, (cents // 10) % 10, cents % 10
    if cents == 0:
        return "零元整"
    out = _integer(yuan, boundary_zeros) + "元" if yuan else ""
    if jiao == 0 and fen == 0:
        return out + "整"
    if yuan and (jiao == 0 or (zero_after_yuan and yuan % 10 == 0)):
        out += "零"
    if jiao:
        out += DIGITS[jiao] + "角"
    return out + (DIGITS[fen] + "分" if fen else "整")


def _spellings(value: Decimal) -> set[str]:
    """Every spelling the rules allow for ``value`` (at most eight)."""
    return {_spell(value, boundary_zeros=(a, b), zero_after_yuan=c)
            for a, b, c in itertools.product((False, True), repeat=3)}


def _rough_value(words: str, original: str) -> Decimal:
    """The value the characters denote if well formed; ``_spellings`` then decides whether they are."""
    integer_words, has_yuan, fraction_words = words.partition("元")
    if not has_yuan:
        integer_words, fraction_words = "", words
    if has_yuan and not integer_words:
        raise _bad_words(original, "元 needs an amount before it")
    total = section = digit = 0
    for char in integer_words:
        if char in DIGITS:
            digit = DIGITS.index(char)
        elif char in "拾佰仟":
            section += digit * 10 ** (3 - _SMALL_UNITS.index(char))
            digit = 0
        elif char == "万":
            total += (section + digit) * 10**4
            section = digit = 0
        elif char == "亿":
            total = (total + section + digit) * 10**8
            section = digit = 0
        else:
            raise _bad_words(original, f"{char!r} cannot stand before 元")
    total += section + digit
    match = re.fullmatch(r"零?(?:([壹贰叁肆伍陆柒捌玖])角)?(?:([壹贰叁肆伍陆柒捌玖])分)?整?", fraction_words)
    if match is None:
        raise _bad_words(original, "the 角/分 part is malformed")
    jiao = DIGITS.index(match[1]) if match[1] else 0
    fen = DIGITS.index(match[2]) if match[2] else 0
    return (Decimal(total) + Decimal(jiao) / 10 + Decimal(fen) / 100).quantize(Decimal("0.01"))


def _bad_words(text: str, why: str) -> AmountError:
    shown = text if len(text) <= 80 else text[:80] + "…"
    return AmountError(f"{shown!r} is not an amount in capital numerals: {why}", code="amount.invalid_words")
