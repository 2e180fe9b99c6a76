"""大写金额: the spellings of Chinese financial practice (支付结算办法), and a strict reader."""

from __future__ import annotations

from decimal import Decimal

import pytest

from forms.amounts import amounts_agree, format_figures, parse_capital, parse_figures, to_capital
from forms.errors import AmountError

# (figures, canonical spelling) — examples from 支付结算办法 附件一 and the edge cases of the 零 rules.
TABLE = [
    ("0", "人民币零元整"),
    ("0.05", "人民币伍分"),
    ("0.50", "人民币伍角整"),
    ("0.12", "人民币壹角贰分"),
    ("1", "人民币壹元整"),
    ("10", "人民币壹拾元整"),
    ("15", "人民币壹拾伍元整"),
    ("20.50", "人民币贰拾元伍角整"),
    ("100", "人民币壹佰元整"),
    ("100.10", "人民币壹佰元壹角整"),
    ("100.01", "人民币壹佰元零壹分"),
    ("110", "人民币壹佰壹拾元整"),
    ("1001", "人民币壹仟零壹元整"),
    ("1010", "人民币壹仟零壹拾元整"),
    ("1409.50", "人民币壹仟肆佰零玖元伍角整"),
    ("1680.32", "人民币壹仟陆佰捌拾元叁角贰分"),
    ("6007.14", "人民币陆仟零柒元壹角肆分"),
    ("10000", "人民币壹万元整"),
    ("10010", "人民币壹万零壹拾元整"),
    ("16409.02", "人民币壹万陆仟肆佰零玖元零贰分"),
    ("100100", "人民币壹拾万零壹佰元整"),
    ("107000.53", "人民币壹拾万柒仟元伍角叁分"),
    ("325.04", "人民币叁佰贰拾伍元零肆分"),
    ("1280000", "人民币壹佰贰拾捌万元整"),
    ("10000000.01", "人民币壹仟万元零壹分"),
    ("100000000", "人民币壹亿元整"),
    ("100000001", "人民币壹亿零壹元整"),
    ("100001000", "人民币壹亿零壹仟元整"),
    ("100010000", "人民币壹亿零壹万元整"),
    ("110000000", "人民币壹亿壹仟万元整"),
    ("1000010000", "人民币壹拾亿零壹万元整"),
    ("1001000000.30", "人民币壹拾亿零壹佰万元叁角整"),
    ("100000000000", "人民币壹仟亿元整"),
    ("999999999999.99", "人民币玖仟玖佰玖拾玖亿玖仟玖佰玖拾玖万玖仟玖佰玖拾玖元玖角玖分"),
]


@pytest.mark.parametrize(("figures", "words"), TABLE)
def test_to_capital_writes_the_financial_spelling(figures: str, words: str) -> None:
    assert to_capital(Decimal(figures)) == words
    assert to_capital(figures) == words


@pytest.mark.parametrize(("figures", "words"), TABLE)
def test_parse_capital_reads_it_back(figures: str, words: str) -> None:
    assert parse_capital(words) == Decimal(figures)
    assert parse_capital(words.removeprefix("人民币")) == Decimal(figures)


def test_every_amount_round_trips() -> None:
    for cents in [*range(0, 20001, 7), 10**8 + 1, 10**10 + 10**6, 123456789012, 10**13 + 5]:
        value = Decimal(cents) / 100
        assert parse_capital(to_capital(value)) == value, value


@pytest.mark.parametrize(("words", "figures"), [
    # the alternatives 支付结算办法 allows beside the canonical spelling
    ("人民币壹拾万零柒仟元伍角叁分", "107000.53"),
    ("人民币壹拾万柒仟元零伍角叁分", "107000.53"),
    ("人民币壹仟陆佰捌拾元零叁角贰分", "1680.32"),
    ("人民币壹拾亿零壹佰万元零叁角整", "1001000000.30"),
    ("人民币壹佰贰拾捌万元正", "1280000"),
])
def test_parse_capital_accepts_the_permitted_variants(words: str, figures: str) -> None:
    assert parse_capital(words) == Decimal(figures)


@pytest.mark.parametrize("words", [
    "",
    "人民币",
    "壹佰贰拾捌万元",  # 整 missing
    "壹佰元壹角贰分整",  # 整 after 分
    "拾元整",  # 壹 missing before 拾
    "一百元整",  # lower-case digits
    "贰佰两拾元整",
    "壹佰零零壹元整",  # two 零 for one run of zeros
    "壹仟零元整",  # trailing 零
    "壹佰元贰分",  # 零 missing between 元 and 分 when 角 is zero
    "壹万万元整",
    "壹佰元整整",
    "元整",
    "壹佰佰元整",
    "壹亿零零壹元整",
    "伍分角",
    "壹元 整",
    "壹万亿元整",  # out of range
    "正壹元",
    "壹佰贰拾捌万元整<b>",
    "壹" * 100,
])
def test_parse_capital_refuses_malformed_words(words: str) -> None:
    with pytest.raises(AmountError) as raised:
        parse_capital(words)
    assert raised.value.code == "amount.invalid_words"


def test_a_refusal_says_how_to_write_it() -> None:
    with pytest.raises(AmountError, match="人民币壹佰贰拾捌万元整"):
        parse_capital("壹佰贰拾捌万元")


@pytest.mark.parametrize(("text", "value"), [
    ("1,280,000.00", "1280000"), ("1280000", "1280000"), ("¥1,280,000.5", "1280000.50"), ("0", "0"),
    (" 0.05 ", "0.05"), ("999999999999.99", "999999999999.99"),
])
def test_parse_figures(text: str, value: str) -> None:
    assert parse_figures(text) == Decimal(value)


@pytest.mark.parametrize(("text", "code"), [
    ("1.005", "amount.invalid_figures"), ("-1", "amount.invalid_figures"), ("1,28,000", "amount.invalid_figures"),
    ("01", "amount.invalid_figures"), ("1e3", "amount.invalid_figures"), ("", "amount.invalid_figures"),
    ("壹佰", "amount.invalid_figures"), ("1000000000000", "amount.out_of_range"), ("NaN", "amount.invalid_figures"),
])
def test_parse_figures_refuses(text: str, code: str) -> None:
    with pytest.raises(AmountError) as raised:
        parse_figures(text)
    assert raised.value.code == code


def test_to_capital_refuses_what_it_cannot_write_exactly() -> None:
    with pytest.raises(AmountError):
        to_capital(Decimal("0.001"))
    with pytest.raises(AmountError):
        to_capital(Decimal("-5"))
    with pytest.raises(AmountError):
        to_capital(Decimal("1E+12"))
    with pytest.raises(TypeError):
        to_capital(0.1)  # type: ignore[arg-type]


def test_amounts_agree() -> None:
    assert amounts_agree("1,280,000.00", "人民币壹佰贰拾捌万元整")
    assert not amounts_agree("1,280,000.00", "人民币壹佰贰拾捌万零捌元整")
    assert amounts_agree(Decimal("0.05"), "伍分")
    with pytest.raises(AmountError):
        amounts_agree("1,280,000.00", "一百二十八万")


def test_format_figures() -> None:
    assert format_figures(Decimal("1280000.5")) == "1,280,000.50"
    assert format_figures(Decimal(0)) == "0.00"
