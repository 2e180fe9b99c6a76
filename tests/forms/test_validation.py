"""Form validation: each problem reported once, next to its field, with a stable code and both values."""

from __future__ import annotations

import dataclasses

from forms.model import BID_LETTER_FORM, BidLetter, FieldDef, FormDef, Issue, PriceLine, PriceSchedule
from forms.validation import cross_check, validate_bid_letter, validate_form, validate_price_schedule

LETTER = {
    "tenderer": "某某市公共资源交易中心",
    "tender_title": "某某市第一中学教学楼改造工程",
    "tender_id": "ZB-2025-001",
    "lot_name": "",
    "bidder_name": "示例建设工程有限公司",
    "legal_representative": "王五",
    "bid_amount": "1,280,000.00",
    "bid_amount_words": "人民币壹佰贰拾捌万元整",
    "duration_days": "180",
    "quality": "合格",
    "validity_days": "90",
    "date": "2025-03-01",
}

LINES = [
    PriceLine("教学楼加固", "C30", "项", "1", "800,000.00", "800,000.00"),
    PriceLine("门窗更换", "断桥铝", "樘", "120", "3,500.00", "420,000.00"),
    PriceLine("室外工程", "", "平方米", "2.5", "24,000.00", "60,000.00"),
]
SCHEDULE = {
    "tender_title": "某某市第一中学教学楼改造工程",
    "tender_id": "ZB-2025-001",
    "bidder_name": "示例建设工程有限公司",
    "total": "1,280,000.00",
    "total_words": "人民币壹佰贰拾捌万元整",
    "duration_days": "180",
    "legal_representative": "王五",
    "date": "2025-03-01",
}


def codes(issues: list[Issue]) -> list[tuple[str, str]]:
    return [(i.code, i.field) for i in issues]


def test_a_correct_bid_letter_has_no_issues() -> None:
    assert validate_bid_letter(BidLetter(LETTER)) == []


def test_required_fields_and_formats() -> None:
    values = dict(LETTER, bidder_name="  ", bid_amount="1,28,000", duration_days="0", date="2025-02-30",
                  quality="合格\x00", validity_days="ninety")
    assert codes(validate_bid_letter(BidLetter(values))) == [
        ("form.required", "bidder_name"),
        ("form.invalid_money", "bid_amount"),
        ("form.invalid_days", "duration_days"),
        ("form.invalid_characters", "quality"),
        ("form.invalid_days", "validity_days"),
        ("form.invalid_date", "date"),
    ]


def test_optional_fields_may_be_empty_and_unknown_fields_are_reported() -> None:
    issues = validate_bid_letter(BidLetter(dict(LETTER, lot_name="", colour="red")))
    assert codes(issues) == [("form.unknown_field", "colour")]


def test_max_length() -> None:
    issues = validate_bid_letter(BidLetter(dict(LETTER, legal_representative="王" * 51)))
    assert codes(issues) == [("form.too_long", "legal_representative")]
    assert issues[0].params["max_length"] == "50"


def test_figures_and_words_must_agree_and_the_message_names_both() -> None:
    values = dict(LETTER, bid_amount="1,208,000.00")
    [issue] = validate_bid_letter(BidLetter(values))
    assert (issue.code, issue.field) == ("form.amount_words_mismatch", "bid_amount_words")
    assert issue.params["figures"] == "1,208,000.00"
    assert issue.params["words_value"] == "1,280,000.00"
    assert "1,208,000.00" in issue.message and "人民币壹佰贰拾捌万元整" in issue.message
    assert "words prevails" in issue.message


def test_malformed_words_are_reported_on_the_words_field() -> None:
    [issue] = validate_bid_letter(BidLetter(dict(LETTER, bid_amount_words="一百二十八万元")))
    assert (issue.code, issue.field) == ("form.invalid_amount_words", "bid_amount_words")


def test_a_tender_defined_form_gets_the_same_checks() -> None:
    form = FormDef.from_mapping({"id": "extra", "name": "补充报价", "fields": [
        {"name": "fee", "label": "服务费", "type": "money", "required": True},
        {"name": "fee_words", "label": "服务费（大写）", "type": "text", "required": True},
        {"name": "share", "label": "分包比例", "type": "percent", "required": False},
        {"name": "count", "label": "人数", "type": "integer", "required": True},
    ]})
    assert validate_form(form, {"fee": "10", "fee_words": "壹拾元整", "count": "3"}) == []
    issues = validate_form(form, {"fee": "10", "fee_words": "壹拾壹元整", "share": "120", "count": "3.5"})
    assert codes(issues) == [("form.invalid_percent", "share"), ("form.invalid_integer", "count"),
                             ("form.amount_words_mismatch", "fee_words")]


def test_a_correct_price_schedule_has_no_issues() -> None:
    assert validate_price_schedule(PriceSchedule(SCHEDULE, LINES)) == []


def test_line_total_mismatch_names_the_cell_and_both_values() -> None:
    lines = [LINES[0], dataclasses.replace(LINES[1], total="402,000.00"), LINES[2]]
    issues = validate_price_schedule(PriceSchedule(SCHEDULE, lines))
    assert codes(issues) == [("price_schedule.line_total_mismatch", "lines.1.total"),
                             ("price_schedule.sum_mismatch", "total")]
    line_issue, sum_issue = issues
    assert line_issue.params == {"row": "2", "quantity": "120", "unit_price": "3,500.00",
                                 "computed": "420,000.00", "stated": "402,000.00"}
    assert sum_issue.params == {"computed": "1,262,000.00", "stated": "1,280,000.00"}


def test_sum_mismatch_alone() -> None:
    values = dict(SCHEDULE, total="1,280,000.10", total_words="人民币壹佰贰拾捌万元壹角整")
    assert codes(validate_price_schedule(PriceSchedule(values, LINES))) == [("price_schedule.sum_mismatch", "total")]


def test_bad_cells() -> None:
    lines = [PriceLine("", quantity="0", unit_price="abc", total=""), PriceLine("x" * 201, quantity="1")]
    assert codes(validate_price_schedule(PriceSchedule(SCHEDULE, lines))) == [
        ("form.required", "lines.0.item"),
        ("price_schedule.invalid_quantity", "lines.0.quantity"),
        ("form.invalid_money", "lines.0.unit_price"),
        ("form.required", "lines.0.total"),
        ("form.too_long", "lines.1.item"),
    ]


def test_an_empty_schedule() -> None:
    assert codes(validate_price_schedule(PriceSchedule(SCHEDULE, []))) == [("price_schedule.no_lines", "lines")]


def test_the_schedule_total_words_must_agree_too() -> None:
    values = dict(SCHEDULE, total_words="人民币壹佰贰拾万元整")
    assert codes(validate_price_schedule(PriceSchedule(values, LINES))) == [
        ("form.amount_words_mismatch", "total_words")]


def test_cross_check_letter_against_schedule() -> None:
    assert cross_check(BidLetter(LETTER), PriceSchedule(SCHEDULE, LINES)) == []
    letter = BidLetter(dict(LETTER, bid_amount="1,200,000.00", bid_amount_words="人民币壹佰贰拾万元整"))
    [issue] = cross_check(letter, PriceSchedule(SCHEDULE, LINES))
    assert issue.code == "forms.letter_schedule_mismatch"
    assert issue.params == {"letter": "1,200,000.00", "schedule": "1,280,000.00"}


def test_field_definitions_refuse_unknown_types() -> None:
    try:
        FieldDef("x", "X", "colour")  # type: ignore[arg-type]
    except ValueError as ex:
        assert "colour" in str(ex)
    else:
        raise AssertionError("an unknown field type was accepted")
    assert BID_LETTER_FORM.field("bid_amount") is not None


def test_cross_check_duration_and_quality_too() -> None:
    letter = BidLetter(dict(LETTER, duration_days="30", quality="合格"))
    schedule = PriceSchedule(dict(SCHEDULE, duration_days="45"), LINES)
    [issue] = cross_check(letter, schedule)
    assert (issue.code, issue.field) == ("forms.announced_mismatch", "duration_days")
    assert issue.params["letter"] == "30" and issue.params["schedule"] == "45"
