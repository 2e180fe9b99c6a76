"""The evaluation's rules: price score (87号令 Art. 55 with the small/micro-enterprise deduction), the
review by majority, the Art. 64 checks, ranking with the tie rule, and the tender's version-3 object."""

from __future__ import annotations

import itertools
from decimal import Decimal as D
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bidclient.errors import describe
from bidclient.evaluation import (
    Bid,
    EvaluationError,
    ReviewVote,
    ScoreSheet,
    art64_checks,
    evaluate,
    parse_score,
    price_scores,
    rank,
    review,
    scoring_definition,
    validate_score,
)
from bidclient.protocol.common import canonical_json
from bidclient.protocol.tender import DefinitionError, parse_definition
from tests.bidclient.test_tender_package import _code, _definition
from tests.evaluation import sample


def codes(call: Any, *args: Any) -> str:
    with pytest.raises(EvaluationError) as raised:
        call(*args)
    message = describe(raised.value)
    assert message.headline and message.hint, message  # catalogued: what happened and what to do
    return raised.value.code


# --- price ---------------------------------------------------------------------------------------------


def test_price_score_with_the_small_enterprise_deduction_shows_its_calculation() -> None:
    result = price_scores(sample.definition(), sample.BIDS[:3])
    sme, b2, b3 = result.scores
    assert sme.evaluated_price == D("900000.00")  # 1,000,000 less 10%: now the lowest
    assert sme.evaluated_calculation.formula == "1000000.00 × (100% − 10%) = 900000.00"
    assert result.benchmark == D("900000.00") and result.benchmark_bidders == ("b1",)
    assert (sme.score, b2.score, b3.score) == (D("100.00"), D("94.74"), D("90.91"))
    assert b2.score_calculation is not None
    assert b2.score_calculation.formula == "900000.00 / 950000.00 × 100 = 94.74"
    assert "87号令 Art. 55" in b2.score_calculation.words
    assert b2.weighted == D("28.42")  # 94.74 / 100 × 30 = 28.422 → 28.42
    assert b2.weighted_calculation is not None and b2.weighted_calculation.formula == "94.74 / 100.00 × 30 = 28.42"


def test_without_a_deduction_the_lowest_price_is_the_benchmark() -> None:
    result = price_scores(sample.definition(sme_deduction=D(0)), sample.BIDS[:3])
    assert result.benchmark == D("950000.00") and result.benchmark_bidders == ("b2",)
    assert result.of("b1").score == D("95.00")
    assert "sets no price deduction" in result.of("b1").evaluated_calculation.words


def test_rounding_is_half_up_at_each_step() -> None:
    bids = [Bid("x", "X", D("3.00")), Bid("y", "Y", D("8.00"))]
    result = price_scores(sample.definition(sme_deduction=D(0)), bids)
    assert result.of("y").score == D("37.50")  # 3 / 8 × 100 = 37.5 exactly
    assert result.of("y").weighted == D("11.25")  # 37.50 / 100 × 30
    bids = [Bid("x", "X", D("1.00")), Bid("y", "Y", D("1.60"))]
    assert price_scores(sample.definition(sme_deduction=D(0)), bids).of("y").score == D("62.50")
    # 2 / 3 × 100 = 66.666… → 66.67; half up: 0.125 → 0.13 (bankers' rounding would give 0.12)
    bids = [Bid("x", "X", D("2.00")), Bid("y", "Y", D("3.00"))]
    assert price_scores(sample.definition(sme_deduction=D(0)), bids).of("y").score == D("66.67")
    definition = sample.definition(sme_deduction=D("12.5"))
    bids = [Bid("x", "X", D("1.00"), sme=True), Bid("y", "Y", D("5.00"))]
    assert price_scores(definition, bids).of("x").evaluated_price == D("0.88")  # 0.875 → 0.88


@pytest.mark.parametrize("price", [D(0), D(-1), D("1.001"), D("NaN"), D("Infinity")])
def test_a_bad_price_is_refused(price: D) -> None:
    assert codes(Bid, "x", "X", price) == "evaluation.price_invalid"


# --- entering scores -----------------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "code"), [
    ("abc", "evaluation.score_not_a_number"), ("", "evaluation.score_not_a_number"),
    ("1e3", "evaluation.score_not_a_number"), ("NaN", "evaluation.score_not_a_number"),
    ("7.125", "evaluation.score_precision"), ("1" * 40, "evaluation.score_not_a_number"),
])
def test_typed_scores_are_checked(text: str, code: str) -> None:
    assert codes(parse_score, text) == code


def test_scores_within_the_range_only() -> None:
    tech = sample.definition().criterion("tech")
    assert validate_score(tech, parse_score(" 37.5 ")) == D("37.5")
    assert validate_score(tech, parse_score("50")) == D(50)
    assert codes(validate_score, tech, D("50.5")) == "evaluation.score_out_of_range"
    assert codes(validate_score, tech, D(-1)) == "evaluation.score_out_of_range"
    assert codes(validate_score, sample.definition().criterion("price"), D(90)) == "evaluation.score_computed"


# --- review --------------------------------------------------------------------------------------------


def test_the_majority_decides_and_every_fail_keeps_its_reason() -> None:
    bidders = [b.bidder_id for b in sample.BIDS]
    outcome = review(sample.definition(), sample.EXPERTS, bidders, sample.votes())
    assert outcome.qualified == ("b1", "b2", "b3")
    [excluded] = outcome.excluded
    assert excluded.bidder_id == "b4" and [d.item_id for d in excluded.failed] == ["bond"]
    assert excluded.failed[0].passes == 1 and excluded.failed[0].fails == 4
    assert excluded.reasons == ("未按招标文件要求提交投标保证金",) * 4
    # b2's licence: one fail of five — passed, and the minority's reason is kept for the report.
    licence = next(d for d in outcome.decisions if (d.bidder_id, d.item_id) == ("b2", "licence"))
    assert licence.passed and licence.fail_reasons == (("e5", "未按招标文件要求提交投标保证金"),)


def test_a_tie_is_not_a_majority_for_passing() -> None:
    experts = ["e1", "e2", "e3", "e4"]
    votes = [ReviewVote(e, "b1", item, e in ("e1", "e2") or item == "licence", "" if e in ("e1", "e2") else "缺")
             for e in experts for item in ("licence", "bond")]
    outcome = review(sample.definition(), experts, ["b1"], votes)
    assert outcome.excluded[0].failed[0].item_id == "bond"


def test_review_input_is_checked() -> None:
    d = sample.definition()
    votes = sample.votes()
    no_reason = [ReviewVote("e1", "b1", "bond", False, "  ")]
    assert codes(review, d, sample.EXPERTS, ["b1"], no_reason) == "evaluation.fail_without_reason"
    assert codes(review, d, sample.EXPERTS, [b.bidder_id for b in sample.BIDS], votes[1:]) \
        == "evaluation.review_incomplete"
    assert codes(review, d, sample.EXPERTS, [b.bidder_id for b in sample.BIDS], [*votes, votes[0]]) \
        == "evaluation.duplicate_vote"
    stranger = [ReviewVote("x9", "b1", "bond", True)]
    assert codes(review, d, sample.EXPERTS, ["b1"], stranger) == "evaluation.unknown_expert"


# --- Art. 64 -------------------------------------------------------------------------------------------


def test_art64_flags_name_expert_bidder_criterion_and_what_may_change() -> None:
    d = sample.definition()
    still_in = sample.BIDS[:3]
    price = price_scores(d, still_in)
    sheets = sample.sheets()
    sheets[0] = ScoreSheet("e1", {**sheets[0].scores, ("b2", "tech"): D(51)},
                           stated_totals={"b1": D("86.00"), "b2": D("90.00")})
    flags = {(f.code, f.expert_id, f.bidder_id, f.criterion_id): f
             for f in art64_checks(d, sheets, price, ["b1", "b2", "b3"])}
    assert set(flags) == {
        ("out_of_range", "e1", "b2", "tech"),
        ("sum_error", "e1", "b2", None),  # b1's stated 86.00 is right
        ("objective_differs", "e3", "b3", "cert"),
        ("abnormal_low", "e5", "b1", "tech"),
    }
    low = flags[("abnormal_low", "e5", "b1", "tech")]
    assert low.detail.formula == "|20.00 − 40.50| = 20.50 > 30% × (50.00 − 0.00) = 15.00"
    assert "committee judges" in low.may_change
    assert "most experts gave 10.00" in flags[("objective_differs", "e3", "b3", "cert")].detail.words
    assert flags[("sum_error", "e1", "b2", None)].detail.formula.startswith("90.00 ≠ ")
    # The out-of-range score must be corrected before ranking.
    assert codes(rank, d, still_in, sheets, price) == "evaluation.score_out_of_range"


def test_the_deviation_rule_is_the_tenders() -> None:
    strict = sample.definition(abnormal_deviation_percent=D(10))
    flags = art64_checks(strict, sample.sheets(), price_scores(strict, sample.BIDS[:3]), ["b1", "b2", "b3"])
    # 10% of the 0–50 range = 5 points from the mean of the *other* four: on b1 (40, 42, 41, 39, 20)
    # e5's 20 is 20.50 below 40.50, and e5's low score pulls the others' means down, so e2's 42 (mean of
    # the others 35.50 → wait, 33.33) and e3's 41 (33.75) are more than 5 above theirs.
    assert {(f.code, f.expert_id, f.bidder_id) for f in flags if f.code.startswith("abnormal")} == {
        ("abnormal_low", "e5", "b1"), ("abnormal_high", "e2", "b1"), ("abnormal_high", "e3", "b1")}
    assert "10%" in strict.deviation_rule()
    lenient = sample.definition(abnormal_deviation_percent=D(50))
    assert not [f for f in art64_checks(lenient, sample.sheets(), price_scores(lenient, sample.BIDS[:3]),
                                        ["b1", "b2", "b3"]) if f.code.startswith("abnormal")]


def test_objective_split_without_a_majority_flags_everyone() -> None:
    d = sample.definition()
    sheets = [ScoreSheet(e, {("b1", "tech"): D(40), ("b1", "cert"): D(v)}) for e, v in (("e1", 8), ("e2", 9))]
    flags = art64_checks(d, sheets, price_scores(d, sample.BIDS[:1]), ["b1"])
    assert sorted(f.expert_id for f in flags if f.code == "objective_differs") == ["e1", "e2"]


# --- ranking -------------------------------------------------------------------------------------------


def test_the_whole_evaluation_ranks_the_bids_that_passed() -> None:
    result = evaluate(sample.definition(), sample.BIDS, sample.EXPERTS, sample.votes(), sample.sheets())
    assert [r.bidder_id for r in result.ranking.rows] == ["b2", "b3", "b1"]
    assert result.ranking.candidates == ("b2", "b3", "b1")
    top = result.ranking.rows[0]
    assert top.final == D("85.42")
    assert top.calculation.formula == "(85.42 + 84.42 + 86.42 + 85.42 + 85.42) / 5 = 85.42"
    # b4 (800,000, the lowest price) was excluded: it is not the benchmark.
    assert result.price.benchmark == D("900000.00")
    assert len(result.totals) == 5 * 3


def test_ties_go_to_the_lower_price_then_the_technical_score() -> None:
    bids = [Bid("x", "X", D(100)), Bid("y", "Y", D(100)), Bid("z", "Z", D(100))]
    d = sample.definition(sme_deduction=D(0), recommended_candidates=1)
    same = ScoreSheet("e1", {(b, c): D(5) for b in "xyz" for c in ("tech", "cert")})
    ranking = rank(d, bids, [same])
    assert [r.rank for r in ranking.rows] == [1, 1, 1] and all(r.tied for r in ranking.rows)
    assert ranking.unresolved_tie and ranking.candidates == ("x",)
    # Equal totals and equal bid prices, but x is a small enterprise: its evaluated price 90.00 scores
    # 100 (30.00 weighted), y's 100.00 scores 90 (27.00); y's technical score makes up the 3 points.
    pair = [Bid("x", "X", D(100), sme=True), Bid("y", "Y", D(100))]
    split = ScoreSheet("e1", {("x", "tech"): D(10), ("x", "cert"): D(5), ("y", "tech"): D(13), ("y", "cert"): D(5)})
    by_price = rank(sample.definition(sme_deduction=D(10)), pair, [split])
    assert by_price.rows[0].final == by_price.rows[1].final == D(50) and all(r.tied for r in by_price.rows)
    technical = rank(sample.definition(sme_deduction=D(10), tie_break="price_then_technical"), pair, [split])
    assert [(r.bidder_id, r.technical) for r in technical.rows] == [("y", D(23)), ("x", D(20))]
    assert not any(r.tied for r in technical.rows) and "technical" in technical.tie_rule
    cheaper = rank(d, [Bid("x", "X", D(100)), Bid("y", "Y", D("99.99"))],
                   [ScoreSheet("e1", {(b, c): D(5) for b in "xy" for c in ("tech", "cert")})])
    # y is cheaper, so it also has the higher price score; not a tie at all.
    assert [r.bidder_id for r in cheaper.rows] == ["y", "x"]


def test_lowest_evaluated_price_ranks_by_evaluated_price() -> None:
    d = sample.definition(method="lowest_evaluated_price", criteria=(), sme_deduction=D(10))
    ranking = rank(d, sample.BIDS[:3], [])
    assert [r.bidder_id for r in ranking.rows] == ["b1", "b2", "b3"]  # 900,000 after deduction
    assert ranking.rows[0].final is None and ranking.rows[0].evaluated_price == D("900000.00")


def test_the_chair_summarises_only_with_every_sheet() -> None:
    assert codes(evaluate, sample.definition(), sample.BIDS, sample.EXPERTS, sample.votes(), sample.sheets()[:4]) \
        == "evaluation.sheet_missing"
    incomplete = sample.sheets()
    incomplete[2] = ScoreSheet("e3", {k: v for k, v in incomplete[2].scores.items() if k != ("b1", "tech")})
    assert codes(evaluate, sample.definition(), sample.BIDS, sample.EXPERTS, sample.votes(), incomplete) \
        == "evaluation.sheet_incomplete"
    everyone_out = [ReviewVote(v.expert_id, v.bidder_id, v.item_id, False, "缺") for v in sample.votes()]
    assert codes(evaluate, sample.definition(), sample.BIDS, sample.EXPERTS, everyone_out, sample.sheets()) \
        == "evaluation.no_valid_bids"


# --- properties ----------------------------------------------------------------------------------------

score = st.integers(min_value=0, max_value=5000).map(lambda n: D(n) / 100)  # 0.00–50.00
cert_score = st.integers(min_value=0, max_value=10).map(D)
prices = st.integers(min_value=1, max_value=10**9).map(lambda n: D(n) / 100)


@settings(max_examples=60, deadline=None)
@given(data=st.data(), n_experts=st.integers(1, 7), n_bids=st.integers(1, 5))
def test_the_order_of_experts_and_bids_does_not_change_the_result(data: st.DataObject, n_experts: int,
                                                                    n_bids: int) -> None:
    bids = [Bid(f"b{i}", f"B{i}", data.draw(prices), sme=data.draw(st.booleans())) for i in range(n_bids)]
    sheets = [ScoreSheet(f"e{j}", {(b.bidder_id, c): data.draw(score if c == "tech" else cert_score)
                                   for b in bids for c in ("tech", "cert")}) for j in range(n_experts)]
    d = sample.definition(tie_break="price_then_technical")
    ranking = rank(d, bids, sheets)
    shuffled = rank(d, data.draw(st.permutations(bids)), data.draw(st.permutations(sheets)))
    assert [(r.rank, r.bidder_id, r.final) for r in ranking.rows] == \
        [(r.rank, r.bidder_id, r.final) for r in shuffled.rows]
    assert ranking.candidates == shuffled.candidates


@settings(max_examples=60, deadline=None)
@given(st.lists(prices, min_size=1, max_size=8), st.lists(st.booleans(), min_size=8, max_size=8))
def test_price_scores_are_100_for_the_benchmark_and_fall_with_the_price(amounts: list[D], sme: list[bool]) -> None:
    bids = [Bid(f"b{i}", "", p, sme=sme[i]) for i, p in enumerate(amounts)]
    result = price_scores(sample.definition(), bids)
    for s in result.scores:
        assert s.score is not None and D(0) <= s.score <= D(100)
        if s.evaluated_price == result.benchmark:
            assert s.score == D(100)
    ordered = sorted(result.scores, key=lambda s: s.evaluated_price)
    assert all(a.score >= b.score for a, b in itertools.pairwise(ordered))  # type: ignore[operator]


# --- the tender's version-3 evaluation object ----------------------------------------------------------

EVALUATION = {"review_items": [{"id": "licence", "name": "营业执照", "kind": "qualification"},
                               {"id": "bond", "name": "投标保证金", "kind": "compliance", "lot": "1"}],
              "sme_price_deduction": "15", "recommended_candidates": 2, "tie_break": "price_then_technical",
              "abnormal_deviation_percent": "25"}


def test_a_version_3_tender_carries_the_evaluation_rules(pki) -> None:  # type: ignore[no-untyped-def]
    data = _definition(pki, format="bidclient-tender/3", evaluation=EVALUATION)
    tender = parse_definition(canonical_json(data))
    assert parse_definition(tender.to_bytes()) == tender  # what the agency signs reads back the same
    d = scoring_definition(tender)
    assert (d.sme_deduction, d.recommended_candidates, d.tie_break, d.abnormal_deviation_percent) == \
        (D(15), 2, "price_then_technical", D(25))
    assert [i.id for i in d.review_items] == ["licence", "bond"]
    assert d.price_criterion is not None and d.price_criterion.weight == D(10)
    assert codes(scoring_definition, tender, "9") == "evaluation.unknown_lot"
    # Without the object: the regulation's defaults.
    plain = scoring_definition(parse_definition(canonical_json(_definition(pki))))
    assert (plain.sme_deduction, plain.recommended_candidates, plain.tie_break, plain.review_items) == \
        (D(0), 3, "price", ())
    # A version-1 definition stays exactly as it was: no "evaluation": null in its bytes.
    assert b"evaluation" not in parse_definition(canonical_json(_definition(pki))).to_bytes()


@pytest.mark.parametrize(("change", "code"), [
    ({"format": "bidclient-tender/1"}, "tender.format_version"),
    ({"evaluation": {**EVALUATION, "sme_price_deduction": "25"}}, "tender.sme_deduction"),  # services: 10–20
    ({"evaluation": {**EVALUATION, "sme_price_deduction": "5"}}, "tender.sme_deduction"),
    ({"evaluation": {**EVALUATION, "recommended_candidates": 4}}, "tender.definition_invalid"),
    ({"evaluation": {**EVALUATION, "abnormal_deviation_percent": "0.5"}}, "tender.abnormal_deviation"),
    ({"evaluation": {**EVALUATION, "review_items": [{"id": "a", "name": "x", "kind": "qualification",
                                                      "lot": "nope"}]}}, "tender.unknown_lot"),
    ({"evaluation": {**EVALUATION, "review_items": [{"id": "a", "name": "x", "kind": "qualification"}] * 2}},
     "tender.duplicate_id"),
    ({"evaluation": {**EVALUATION, "tie_break": "lottery"}}, "tender.definition_invalid"),
])
def test_the_evaluation_object_is_checked(pki, change: dict[str, Any], code: str) -> None:  # type: ignore[no-untyped-def]
    data = {**_definition(pki, format="bidclient-tender/3", evaluation=EVALUATION), **change}
    assert _code(data) == code


def test_prepare_definition_writes_version_3_only_when_needed(pki) -> None:  # type: ignore[no-untyped-def]
    from bidclient import tender_package as tp
    from bidclient.protocol.tender import Document

    draft = {k: v for k, v in _definition(pki).items() if k not in ("format", "version", "documents",
                                                                   "previous_package_sha256", "changes")}
    documents = [Document.model_validate(d) for d in _definition(pki)["documents"]]
    assert tp.prepare_definition(draft, documents).format == "bidclient-tender/1"
    assert tp.prepare_definition({**draft, "evaluation": EVALUATION}, documents).format == "bidclient-tender/3"
    with pytest.raises(DefinitionError):
        parse_definition(canonical_json(_definition(pki, evaluation=EVALUATION)))
