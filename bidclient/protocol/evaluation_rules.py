"""The evaluation's rules: review by majority, price score (87号令 Art. 55), Art. 64 checks, ranking.

Pure functions over frozen dataclasses; nothing here prints, stores or talks to a server. Numbers are
``Decimal`` throughout (never float). **Rounding**: every step rounds its result to 2 decimals, half up
(0.005 → 0.01), and the next step uses the rounded value, so that each printed calculation can be
redone by hand from the printed numbers:

1. evaluated price  = bid price × (100 − deduction) / 100        (small/micro enterprises only)
2. price score      = 评标基准价 / evaluated price × 100           (87号令 Art. 55; 评标基准价 = the lowest
                                                                   evaluated price of the bids still in)
3. weighted score   = score / criterion maximum × weight
4. an expert's total for a bid = Σ weighted scores (exact: a sum of 2-decimal numbers)
5. the bid's final score = Σ experts' totals / number of experts

docs/evaluation.md states the rules with examples; every result carries its ``Calculation``.

The module lives in ``bidclient.protocol`` because both sides run it: the session server decides the review
and computes the ranking and the recommended candidates with it, and the chair's client computes the same
result again from the sheets the server gives and checks that both agree (``session_result`` below). It
imports nothing of the client but ``bidclient.errors`` and ``bidclient.i18n`` (both standard library only).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Literal

from bidclient.errors import BidclientError
from bidclient.i18n import _
from bidclient.protocol.evaluation_session import SessionDefinition
from bidclient.protocol.tender import PRICE_FORMULA, TenderDefinition

CENT = Decimal("0.01")
HUNDRED = Decimal(100)
DEFAULT_DEVIATION_PERCENT = Decimal(30)
DEFAULT_CANDIDATES = 3
MAX_SCORE_TEXT = 32

FlagCode = Literal["sum_error", "out_of_range", "objective_differs", "abnormal_high", "abnormal_low"]
TieBreak = Literal["price", "price_then_technical"]


class EvaluationError(BidclientError):
    """Input the rules cannot accept; ``code`` is one of the ``evaluation.*`` codes in bidclient.errors."""

    code = "evaluation.invalid"


def round2(value: Decimal) -> Decimal:
    """Round to 2 decimals, half up: the one rounding rule of the evaluation."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def show(value: Decimal) -> str:
    """A number as the calculations print it: 2 decimals, no exponent, no grouping."""
    return f"{round2(value):f}"


def _percent(value: Decimal) -> str:
    text = f"{value.normalize():f}"
    return text


def _decimal(value: float | int | str | Decimal) -> Decimal:
    # The tender's JSON numbers arrive as floats; repr() gives the shortest text that reads back the same.
    return value if isinstance(value, Decimal) else Decimal(repr(value) if isinstance(value, float) else value)


# The calculations' words by stable id: a result computed on one side (the server, in its own language) is
# read on another (an expert's client, in theirs), so what travels is the id and its parameters, and every
# reader renders the words with its own catalogue (docs/api.md, "Calculations in the reader's language").
# Ids are never renamed or reused; a reader that does not know an id shows the words as sent.
WORDS: dict[str, Callable[[], str]] = {
    "weighted_score": lambda: _("weighted score = score / maximum × weight"),
    "evaluated_price_sme": lambda: _("evaluated price = bid price less the small/micro enterprise deduction of "
                                     "{percent}%"),
    "evaluated_price_not_sme": lambda: _("evaluated price = bid price (no deduction: not a small/micro "
                                         "enterprise)"),
    "evaluated_price_no_deduction": lambda: _("evaluated price = bid price (the tender sets no price deduction)"),
    "benchmark": lambda: _("评标基准价 = the lowest evaluated price of the bids still in the evaluation"),
    "price_score": lambda: _("price score = 评标基准价 / evaluated price × 100 (87号令 Art. 55)"),
    "review_passed": lambda: _("passed by more than half of the experts"),
    "review_not_passed": lambda: _("not passed by more than half of the experts"),
    "expert_total": lambda: _("expert's total = sum of the weighted scores"),
    "out_of_range": lambda: _("the score is outside the criterion's range"),
    "out_of_range_change": lambda: _("the expert corrects this score to within the range"),
    "sum_error": lambda: _("the stated total is not the sum of the weighted scores"),
    "sum_error_change": lambda: _("the total is corrected to the sum; the scores stay"),
    "objective_differs": lambda: _("experts differ on an objective item"),
    "objective_differs_majority": lambda: _("experts differ on an objective item; most experts gave {value}"),
    "objective_differs_change": lambda: _("the expert re-checks this objective score against the bid"),
    "abnormal": lambda: _("the score differs from the mean of the other experts' scores by more than the stated "
                          "rule"),
    "abnormal_change": lambda: _("the committee judges whether the score is abnormal; if so, the expert may "
                                 "change it"),
    "final_score": lambda: _("final score = mean of the experts' totals"),
}


def render_words(words_id: str, params: Mapping[str, str], fallback: str = "") -> str:
    """The words of ``words_id`` in the current language with ``params``; ``fallback`` (the words as sent)
    for an id this reader does not know or parameters that do not fit."""
    template = WORDS.get(words_id)
    if template is None:
        return fallback
    try:
        return template().format(**params)
    except (KeyError, IndexError, ValueError):
        return fallback


def flag_texts(flag: Mapping[str, str]) -> tuple[str, str]:
    """An Art. 64 flag as the server sends it (SummaryOut.flags) in the reader's language: its detail (words:
    formula) and what may change. A flag without ids (an older server) is shown with the words it carries."""
    import json

    try:
        loaded = json.loads(flag.get("words_params") or "{}")
    except ValueError:
        loaded = {}
    params = {str(k): str(v) for k, v in loaded.items()} if isinstance(loaded, dict) else {}
    formula = flag.get("formula", "")
    words = render_words(flag.get("words_id", ""), params)
    detail = f"{words}: {formula}" if words and formula else flag.get("detail", "")
    may_change = render_words(flag.get("may_change_id", ""), {}, flag.get("may_change", ""))
    return detail, may_change


@dataclass(frozen=True)
class Calculation:
    """How a number was obtained: ``formula`` with the numbers (language-neutral), ``words`` the rule as
    rendered when computed, and — for the rules' own words — ``words_id`` with its ``params``, from which
    ``text`` renders them again in the reader's language (str() does)."""

    formula: str
    words: str
    words_id: str = field(default="", compare=False)
    params: tuple[tuple[str, str], ...] = field(default=(), compare=False)

    @classmethod
    def of(cls, formula: str, words_id: str, **params: str) -> Calculation:
        pairs = tuple(sorted(params.items()))
        return cls(formula, render_words(words_id, params), words_id, pairs)

    @property
    def text(self) -> str:
        """The words in the current language (as computed, for words without an id)."""
        return render_words(self.words_id, dict(self.params), self.words) if self.words_id else self.words

    def __str__(self) -> str:
        words = self.text
        return f"{words}: {self.formula}" if words else self.formula


# --- the scoring definition ----------------------------------------------------------------------------


@dataclass(frozen=True)
class CriterionDefinition:
    """A scoring item (评分点); weighted score = score / maximum × weight."""

    id: str
    name: str
    weight: Decimal  # percent of the total
    minimum: Decimal
    maximum: Decimal
    kind: Literal["objective", "subjective"]
    price: bool = False
    description: str = ""

    def weighted(self, score: Decimal) -> tuple[Decimal, Calculation]:
        value = round2(score / self.maximum * self.weight)
        return value, Calculation.of(f"{show(score)} / {show(self.maximum)} × {_percent(self.weight)} = "
                                     f"{show(value)}", "weighted_score")


@dataclass(frozen=True)
class ReviewItemDefinition:
    """An item of the qualification (资格性) or compliance (符合性) review."""

    id: str
    name: str
    kind: Literal["qualification", "compliance"]
    description: str = ""


@dataclass(frozen=True)
class ScoringDefinition:
    """Everything the rules need about one lot of one tender version."""

    tender_id: str
    tender_version: int
    title: str
    lot_id: str
    lot_name: str
    procurement_kind: str
    method: Literal["comprehensive", "lowest_evaluated_price"]
    criteria: tuple[CriterionDefinition, ...]
    review_items: tuple[ReviewItemDefinition, ...] = ()
    sme_deduction: Decimal = Decimal(0)  # percent; 0: the tender sets none
    recommended_candidates: int = DEFAULT_CANDIDATES
    tie_break: TieBreak = "price"
    abnormal_deviation_percent: Decimal = DEFAULT_DEVIATION_PERCENT

    def __post_init__(self) -> None:
        ids = [c.id for c in self.criteria]
        if len(set(ids)) != len(ids) or len({i.id for i in self.review_items}) != len(self.review_items):
            raise EvaluationError("criterion and review item ids must be unique", code="evaluation.definition_invalid")
        if not 1 <= self.recommended_candidates <= 3:
            raise EvaluationError("the number of recommended candidates is 1 to 3",
                                  code="evaluation.definition_invalid")
        if not Decimal(0) <= self.sme_deduction < HUNDRED:
            raise EvaluationError("the small/micro enterprise deduction is a percent below 100",
                                  code="evaluation.definition_invalid")
        if not Decimal(1) <= self.abnormal_deviation_percent <= HUNDRED:
            raise EvaluationError("the abnormal-score deviation is 1 to 100 percent of the range",
                                  code="evaluation.definition_invalid")
        for c in self.criteria:
            if not (Decimal(0) <= c.minimum <= c.maximum and c.maximum > 0 and c.weight > 0):
                raise EvaluationError(f"criterion {c.id}: the range must be 0 ≤ min ≤ max, max > 0, weight > 0",
                                      code="evaluation.definition_invalid")
        if self.method == "lowest_evaluated_price":
            if self.criteria:
                raise EvaluationError("经评审的最低投标价法 has no scoring criteria",
                                      code="evaluation.definition_invalid")
            return
        if sum((c.weight for c in self.criteria), Decimal(0)) != HUNDRED:
            raise EvaluationError(f"lot {self.lot_id}: the criteria weights must sum to 100",
                                  code="evaluation.definition_invalid")
        prices = [c for c in self.criteria if c.price]
        if len(prices) != 1 or prices[0].kind != "objective" or (prices[0].minimum, prices[0].maximum) != (0, 100):
            raise EvaluationError(f"lot {self.lot_id}: exactly one objective price criterion ranging 0–100",
                                  code="evaluation.definition_invalid")

    @property
    def price_criterion(self) -> CriterionDefinition | None:
        return next((c for c in self.criteria if c.price), None)

    @property
    def entered_criteria(self) -> tuple[CriterionDefinition, ...]:
        """The criteria the experts score by hand (all but the computed price)."""
        return tuple(c for c in self.criteria if not c.price)

    def criterion(self, criterion_id: str) -> CriterionDefinition:
        for c in self.criteria:
            if c.id == criterion_id:
                return c
        raise EvaluationError(f"lot {self.lot_id} has no criterion {criterion_id!r}",
                              code="evaluation.unknown_criterion")

    def tie_rule(self) -> str:
        if self.method == "lowest_evaluated_price":
            return _("Lowest evaluated price first; equal evaluated prices: lower bid price first; "
                     "still equal: tied, the committee decides as the tender says.")
        if self.tie_break == "price_then_technical":
            return _("Highest final score first; equal scores: lower bid price first (87号令 Art. 65), then "
                     "higher technical (non-price) score; still equal: tied, the committee decides as the "
                     "tender says.")
        return _("Highest final score first; equal scores: lower bid price first (87号令 Art. 65); still "
                 "equal: tied, the committee decides as the tender says.")

    def deviation_rule(self) -> str:
        return _("A subjective score is abnormally high or low (87号令 Art. 64) when it differs from the mean "
                 "of the other experts' scores for the same bid and criterion by more than {percent}% of the "
                 "criterion's range (maximum − minimum); checked with 3 or more experts.").format(
            percent=_percent(self.abnormal_deviation_percent))


def scoring_definition(tender: TenderDefinition, lot_id: str | None = None) -> ScoringDefinition:
    """The scoring definition of ``lot_id`` (default: the tender's only lot) from a checked tender."""
    if lot_id is None:
        if len(tender.lots) != 1:
            raise EvaluationError(f"tender {tender.tender_id} has {len(tender.lots)} lots: name one",
                                  code="evaluation.unknown_lot")
        lot_id = tender.lots[0].id
    lot = next((lot for lot in tender.lots if lot.id == lot_id), None)
    if lot is None:
        raise EvaluationError(f"tender {tender.tender_id} has no lot {lot_id!r}", code="evaluation.unknown_lot")
    criteria = tuple(
        CriterionDefinition(id=c.id, name=c.name, weight=_decimal(c.weight), minimum=_decimal(c.score_range.min),
                            maximum=_decimal(c.score_range.max), kind=c.kind,
                            price=c.price and c.formula == PRICE_FORMULA, description=c.description)
        for c in tender.scoring.criteria if c.lot in (None, lot_id))
    extra = tender.evaluation
    items: tuple[ReviewItemDefinition, ...] = ()
    sme = Decimal(0)
    candidates, tie, deviation = DEFAULT_CANDIDATES, "price", DEFAULT_DEVIATION_PERCENT
    if extra is not None:
        items = tuple(ReviewItemDefinition(i.id, i.name, i.kind, i.description)
                      for i in extra.review_items if i.lot in (None, lot_id))
        sme = Decimal(extra.sme_price_deduction) if extra.sme_price_deduction is not None else Decimal(0)
        candidates, tie = extra.recommended_candidates, extra.tie_break
        deviation = Decimal(extra.abnormal_deviation_percent)
    return ScoringDefinition(
        tender_id=tender.tender_id, tender_version=tender.version, title=tender.title, lot_id=lot.id,
        lot_name=lot.name, procurement_kind=tender.procurement_kind, method=tender.scoring.method,
        criteria=criteria, review_items=items, sme_deduction=sme, recommended_candidates=candidates,
        tie_break="price_then_technical" if tie == "price_then_technical" else "price",
        abnormal_deviation_percent=deviation)


# --- entering a score ----------------------------------------------------------------------------------


def parse_score(text: str) -> Decimal:
    """A score typed by an expert: a plain decimal with at most 2 decimals ("8", "7.5", "7.25")."""
    stripped = text.strip()
    if not stripped or len(stripped) > MAX_SCORE_TEXT or not all(ch in "0123456789.-" for ch in stripped):
        raise EvaluationError(f"{text[:MAX_SCORE_TEXT]!r} is not a number", code="evaluation.score_not_a_number")
    try:
        value = Decimal(stripped)
    except InvalidOperation:
        raise EvaluationError(f"{stripped!r} is not a number", code="evaluation.score_not_a_number") from None
    if not value.is_finite():
        raise EvaluationError(f"{stripped!r} is not a number", code="evaluation.score_not_a_number")
    _check_precision(value)
    return value


def _check_precision(value: Decimal) -> None:
    exponent = value.as_tuple().exponent
    if not isinstance(exponent, int) or exponent < -2:
        raise EvaluationError(f"{value} has more than 2 decimals", code="evaluation.score_precision")


def validate_score(criterion: CriterionDefinition, value: Decimal) -> Decimal:
    """``value`` if it is a score the expert may enter for ``criterion``, else EvaluationError."""
    if criterion.price:
        raise EvaluationError(f"{criterion.name}: the price score is computed, not entered",
                              code="evaluation.score_computed")
    if not value.is_finite():
        raise EvaluationError(f"{value} is not a number", code="evaluation.score_not_a_number")
    _check_precision(value)
    if not criterion.minimum <= value <= criterion.maximum:
        raise EvaluationError(f"{criterion.name}: {value} is outside {show(criterion.minimum)}–"
                              f"{show(criterion.maximum)}", code="evaluation.score_out_of_range")
    return value


# --- bids and the price score (87号令 Art. 55) -----------------------------------------------------------


@dataclass(frozen=True)
class Bid:
    """A bid still in the evaluation: its price as opened (投标报价, yuan) and whether the bidder declared
    itself a small or micro enterprise (中小企业声明函) qualifying for the tender's price deduction."""

    bidder_id: str
    name: str
    price: Decimal
    sme: bool = False

    def __post_init__(self) -> None:
        if not isinstance(self.price, Decimal) or not self.price.is_finite() or self.price <= 0:
            raise EvaluationError(f"bid {self.bidder_id}: the price must be a positive amount",
                                  code="evaluation.price_invalid")
        exponent = self.price.as_tuple().exponent
        if not isinstance(exponent, int) or exponent < -2:
            raise EvaluationError(f"bid {self.bidder_id}: the price has more than 2 decimals (fen)",
                                  code="evaluation.price_invalid")


@dataclass(frozen=True)
class PriceScore:
    bidder_id: str
    price: Decimal
    sme: bool
    evaluated_price: Decimal  # after the small/micro-enterprise deduction
    evaluated_calculation: Calculation
    score: Decimal | None  # 0–100; None under 经评审的最低投标价法
    score_calculation: Calculation | None
    weighted: Decimal | None
    weighted_calculation: Calculation | None


@dataclass(frozen=True)
class PriceResult:
    benchmark: Decimal  # 评标基准价: the lowest evaluated price
    benchmark_bidders: tuple[str, ...]
    benchmark_calculation: Calculation
    scores: tuple[PriceScore, ...]

    def of(self, bidder_id: str) -> PriceScore:
        for s in self.scores:
            if s.bidder_id == bidder_id:
                return s
        raise EvaluationError(f"no price for bidder {bidder_id!r}", code="evaluation.unknown_bidder")


def _unique_bids(bids: Sequence[Bid]) -> None:
    ids = [b.bidder_id for b in bids]
    if len(set(ids)) != len(ids):
        raise EvaluationError("a bidder appears twice", code="evaluation.duplicate_bidder")


def price_scores(definition: ScoringDefinition, bids: Sequence[Bid]) -> PriceResult:
    """Evaluated prices, the 评标基准价 and (综合评分法) each bid's price score, with their calculations.

    ``bids`` are the bids still in after the review: the benchmark is the lowest evaluated price among them.
    """
    if not bids:
        raise EvaluationError("no bid is left to score", code="evaluation.no_valid_bids")
    _unique_bids(bids)
    deduction = definition.sme_deduction
    evaluated: dict[str, tuple[Decimal, Calculation]] = {}
    for bid in bids:
        if bid.sme and deduction > 0:
            value = round2(bid.price * (HUNDRED - deduction) / HUNDRED)
            evaluated[bid.bidder_id] = (value, Calculation.of(
                f"{show(bid.price)} × (100% − {_percent(deduction)}%) = {show(value)}", "evaluated_price_sme",
                percent=_percent(deduction)))
        else:
            why = "evaluated_price_not_sme" if deduction > 0 else "evaluated_price_no_deduction"
            evaluated[bid.bidder_id] = (bid.price, Calculation.of(show(bid.price), why))
    benchmark = min(v for v, _c in evaluated.values())
    lowest = tuple(b.bidder_id for b in bids if evaluated[b.bidder_id][0] == benchmark)
    benchmark_calculation = Calculation.of(
        f"min({', '.join(show(evaluated[b.bidder_id][0]) for b in bids)}) = {show(benchmark)}", "benchmark")
    criterion = definition.price_criterion if definition.method == "comprehensive" else None
    scores = []
    for bid in bids:
        value, calculation = evaluated[bid.bidder_id]
        score = weighted = None
        score_calculation = weighted_calculation = None
        if criterion is not None:
            score = round2(benchmark / value * HUNDRED)
            score_calculation = Calculation.of(f"{show(benchmark)} / {show(value)} × 100 = {show(score)}",
                                               "price_score")
            weighted, weighted_calculation = criterion.weighted(score)
        scores.append(PriceScore(bid.bidder_id, bid.price, bid.sme, value, calculation, score, score_calculation,
                                 weighted, weighted_calculation))
    return PriceResult(benchmark, lowest, benchmark_calculation, tuple(scores))


# --- the qualification and compliance review -----------------------------------------------------------


@dataclass(frozen=True)
class ReviewVote:
    """One expert's pass or fail for one bid on one review item; a fail needs a reason."""

    expert_id: str
    bidder_id: str
    item_id: str
    passed: bool
    reason: str = ""


@dataclass(frozen=True)
class ItemDecision:
    bidder_id: str
    item_id: str
    passed: bool
    passes: int
    fails: int
    fail_reasons: tuple[tuple[str, str], ...]  # (expert id, reason) of every fail vote, kept even when passed
    calculation: Calculation


@dataclass(frozen=True)
class Exclusion:
    bidder_id: str
    failed: tuple[ItemDecision, ...]

    @property
    def reasons(self) -> tuple[str, ...]:
        return tuple(reason for d in self.failed for _e, reason in d.fail_reasons)


@dataclass(frozen=True)
class ReviewOutcome:
    decisions: tuple[ItemDecision, ...]
    qualified: tuple[str, ...]  # bidder ids in the order given
    excluded: tuple[Exclusion, ...]


def review(definition: ScoringDefinition, experts: Sequence[str], bidders: Sequence[str],
           votes: Iterable[ReviewVote]) -> ReviewOutcome:
    """The committee's decision per bid and item: the majority (more than half of the experts) decides.

    Every expert votes on every item for every bid; a fail without a reason is refused. A bid that fails
    any item is excluded, with every reason the experts gave for it. A tie (possible only with an even
    number of experts) is not a majority for passing, so the item fails.
    """
    if not experts:
        raise EvaluationError("the committee has no experts", code="evaluation.no_experts")
    if len(set(experts)) != len(experts):
        raise EvaluationError("an expert appears twice", code="evaluation.duplicate_expert")
    if len(set(bidders)) != len(bidders):
        raise EvaluationError("a bidder appears twice", code="evaluation.duplicate_bidder")
    item_ids = [i.id for i in definition.review_items]
    cast: dict[tuple[str, str, str], ReviewVote] = {}
    for vote in votes:
        if vote.expert_id not in experts:
            raise EvaluationError(f"{vote.expert_id!r} is not on the committee", code="evaluation.unknown_expert")
        if vote.bidder_id not in bidders:
            raise EvaluationError(f"no bid from {vote.bidder_id!r}", code="evaluation.unknown_bidder")
        if vote.item_id not in item_ids:
            raise EvaluationError(f"no review item {vote.item_id!r}", code="evaluation.unknown_review_item")
        if not vote.passed and not vote.reason.strip():
            raise EvaluationError(f"expert {vote.expert_id}: the fail of {vote.bidder_id} on {vote.item_id} "
                                  "has no reason", code="evaluation.fail_without_reason")
        key = (vote.expert_id, vote.bidder_id, vote.item_id)
        if key in cast:
            raise EvaluationError(f"expert {vote.expert_id} voted twice on {vote.bidder_id}/{vote.item_id}",
                                  code="evaluation.duplicate_vote")
        cast[key] = vote
    missing = [f"{e}/{b}/{i}" for b in bidders for i in item_ids for e in experts if (e, b, i) not in cast]
    if missing:
        shown = ", ".join(missing[:5]) + (" …" if len(missing) > 5 else "")
        raise EvaluationError(f"{len(missing)} review vote(s) missing (expert/bidder/item): {shown}",
                              code="evaluation.review_incomplete")
    decisions: list[ItemDecision] = []
    excluded: list[Exclusion] = []
    qualified: list[str] = []
    for bidder in bidders:
        failed = []
        for item in item_ids:
            row = [cast[(e, bidder, item)] for e in experts]
            passes = sum(1 for v in row if v.passed)
            passed = passes * 2 > len(experts)
            decision = ItemDecision(
                bidder, item, passed, passes, len(row) - passes,
                tuple((v.expert_id, v.reason.strip()) for v in row if not v.passed),
                Calculation.of(f"{passes} / {len(experts)}", "review_passed" if passed else "review_not_passed"))
            decisions.append(decision)
            if not passed:
                failed.append(decision)
        if failed:
            excluded.append(Exclusion(bidder, tuple(failed)))
        else:
            qualified.append(bidder)
    return ReviewOutcome(tuple(decisions), tuple(qualified), tuple(excluded))


# --- score sheets, totals and the Art. 64 checks ---------------------------------------------------------


@dataclass(frozen=True)
class ScoreSheet:
    """One expert's sheet: a score per (bidder id, criterion id) for every entered criterion, and the
    totals the expert's sheet states, if it states any (checked for sum errors)."""

    expert_id: str
    scores: Mapping[tuple[str, str], Decimal]
    stated_totals: Mapping[str, Decimal] = field(default_factory=dict)


@dataclass(frozen=True)
class ScoreLine:
    criterion_id: str
    score: Decimal
    weighted: Decimal
    calculation: Calculation
    computed: bool  # the price score, computed from the prices


@dataclass(frozen=True)
class SheetTotals:
    expert_id: str
    bidder_id: str
    lines: tuple[ScoreLine, ...]
    total: Decimal
    calculation: Calculation

    @property
    def technical(self) -> Decimal:
        return sum((line.weighted for line in self.lines if not line.computed), Decimal(0))


def _check_sheets(definition: ScoringDefinition, sheets: Sequence[ScoreSheet], bidders: Sequence[str]) -> None:
    experts = [s.expert_id for s in sheets]
    if len(set(experts)) != len(experts):
        raise EvaluationError("two sheets of the same expert", code="evaluation.duplicate_expert")
    entered = {c.id for c in definition.entered_criteria}
    for sheet in sheets:
        for bidder, criterion in sheet.scores:
            if bidder not in bidders:
                raise EvaluationError(f"sheet of {sheet.expert_id}: {bidder!r} is not a bid being scored",
                                      code="evaluation.unknown_bidder")
            if criterion not in entered:
                definition.criterion(criterion)  # unknown: evaluation.unknown_criterion
                raise EvaluationError(f"sheet of {sheet.expert_id}: the price score is computed, not entered",
                                      code="evaluation.score_computed")
        missing = [f"{b}/{c}" for b in bidders for c in sorted(entered) if (b, c) not in sheet.scores]
        if missing:
            raise EvaluationError(f"sheet of {sheet.expert_id} has no score for {', '.join(missing[:5])}"
                                  + (" …" if len(missing) > 5 else ""), code="evaluation.sheet_incomplete")
        for value in sheet.scores.values():
            if not isinstance(value, Decimal) or not value.is_finite():
                raise EvaluationError(f"sheet of {sheet.expert_id}: {value!r} is not a number",
                                      code="evaluation.score_not_a_number")
            _check_precision(value)


def sheet_totals(definition: ScoringDefinition, sheet: ScoreSheet, price: PriceResult,
                 bidders: Sequence[str]) -> tuple[SheetTotals, ...]:
    """The expert's total per bid: Σ weighted scores of the entered criteria plus the computed price."""
    _check_sheets(definition, [sheet], bidders)
    result = []
    for bidder in bidders:
        lines = []
        for criterion in definition.criteria:
            if criterion.price:
                ps = price.of(bidder)
                assert ps.score is not None and ps.weighted is not None and ps.weighted_calculation is not None
                lines.append(ScoreLine(criterion.id, ps.score, ps.weighted, ps.weighted_calculation, True))
            else:
                score = sheet.scores[(bidder, criterion.id)]
                weighted, calculation = criterion.weighted(score)
                lines.append(ScoreLine(criterion.id, score, weighted, calculation, False))
        total = sum((line.weighted for line in lines), Decimal(0))
        result.append(SheetTotals(sheet.expert_id, bidder, tuple(lines), total, Calculation.of(
            " + ".join(show(line.weighted) for line in lines) + f" = {show(total)}", "expert_total")))
    return tuple(result)


@dataclass(frozen=True)
class Flag:
    """An Art. 64 finding: which expert's which cell may be changed, and why."""

    code: FlagCode
    expert_id: str
    bidder_id: str
    criterion_id: str | None  # None for a sum error
    value: Decimal
    detail: Calculation
    may_change: str  # what 87号令 Art. 64 allows to change, in words (as computed)
    may_change_id: str = field(default="", compare=False)  # its WORDS id: may_change_text renders it again

    @property
    def may_change_text(self) -> str:
        """What may change, in the current language."""
        return render_words(self.may_change_id, {}, self.may_change) if self.may_change_id else self.may_change


def art64_checks(definition: ScoringDefinition, sheets: Sequence[ScoreSheet], price: PriceResult,
                 bidders: Sequence[str]) -> tuple[Flag, ...]:
    """The four grounds on which 87号令 Art. 64 lets a score change after the totals, as flags.

    1. ``sum_error``: a total the sheet states differs from the sum of its weighted scores;
    2. ``out_of_range``: a score outside its criterion's range;
    3. ``objective_differs``: experts differ on an objective item — each expert whose score is not the
       most common one is flagged (all of them when no single value is most common);
    4. ``abnormal_high`` / ``abnormal_low``: ScoringDefinition.deviation_rule().
    """
    if definition.method != "comprehensive":
        return ()
    _check_sheets(definition, sheets, bidders)
    flags: list[Flag] = []
    for sheet in sheets:
        for bidder in bidders:
            for criterion in definition.entered_criteria:
                value = sheet.scores[(bidder, criterion.id)]
                if not criterion.minimum <= value <= criterion.maximum:
                    flags.append(Flag("out_of_range", sheet.expert_id, bidder, criterion.id, value, Calculation.of(
                        f"{show(value)} ∉ [{show(criterion.minimum)}, {show(criterion.maximum)}]", "out_of_range"),
                        render_words("out_of_range_change", {}), "out_of_range_change"))
        if sheet.stated_totals:
            for totals in sheet_totals(definition, sheet, price, bidders):
                stated = sheet.stated_totals.get(totals.bidder_id)
                if stated is not None and stated != totals.total:
                    flags.append(Flag("sum_error", sheet.expert_id, totals.bidder_id, None, stated, Calculation.of(
                        f"{show(stated)} ≠ {totals.calculation.formula}", "sum_error"),
                        render_words("sum_error_change", {}), "sum_error_change"))
    for bidder in bidders:
        for criterion in definition.entered_criteria:
            values = [(s.expert_id, s.scores[(bidder, criterion.id)]) for s in sheets]
            if criterion.kind == "objective":
                flags += _objective_flags(criterion, bidder, values)
            elif len(values) >= 3:
                flags += _abnormal_flags(definition, criterion, bidder, values)
    return tuple(flags)


def _objective_flags(criterion: CriterionDefinition, bidder: str,
                     values: list[tuple[str, Decimal]]) -> list[Flag]:
    counts = Counter(v for _e, v in values)
    if len(counts) <= 1:
        return []
    ranked = counts.most_common()
    majority = ranked[0][0] if ranked[0][1] > ranked[1][1] else None
    listing = ", ".join(f"{e}: {show(v)}" for e, v in values)
    flags = []
    for expert, value in values:
        if value == majority:
            continue
        calculation = Calculation.of(listing, "objective_differs") if majority is None \
            else Calculation.of(listing, "objective_differs_majority", value=show(majority))
        flags.append(Flag("objective_differs", expert, bidder, criterion.id, value, calculation,
                          render_words("objective_differs_change", {}), "objective_differs_change"))
    return flags


def _abnormal_flags(definition: ScoringDefinition, criterion: CriterionDefinition, bidder: str,
                    values: list[tuple[str, Decimal]]) -> list[Flag]:
    total = sum((v for _e, v in values), Decimal(0))
    threshold = (criterion.maximum - criterion.minimum) * definition.abnormal_deviation_percent / HUNDRED
    flags = []
    for expert, value in values:
        others = (total - value) / (len(values) - 1)
        deviation = value - others
        if abs(deviation) > threshold:
            code: FlagCode = "abnormal_high" if deviation > 0 else "abnormal_low"
            flags.append(Flag(code, expert, bidder, criterion.id, value, Calculation.of(
                f"|{show(value)} − {show(others)}| = {show(abs(deviation))} > "
                f"{_percent(definition.abnormal_deviation_percent)}% × ({show(criterion.maximum)} − "
                f"{show(criterion.minimum)}) = {show(threshold)}", "abnormal"),
                render_words("abnormal_change", {}), "abnormal_change"))
    return flags


# --- ranking and candidates ----------------------------------------------------------------------------


@dataclass(frozen=True)
class RankRow:
    rank: int  # tied rows share a rank
    bidder_id: str
    name: str
    final: Decimal | None  # None under 经评审的最低投标价法
    expert_totals: tuple[tuple[str, Decimal], ...]
    technical: Decimal | None  # mean of the experts' non-price weighted scores
    price: Decimal
    evaluated_price: Decimal
    calculation: Calculation
    tied: bool  # the tie rule could not separate it from a neighbour


@dataclass(frozen=True)
class Ranking:
    rows: tuple[RankRow, ...]
    candidates: tuple[str, ...]  # the recommended candidates, in order
    tie_rule: str
    unresolved_tie: bool  # a tie across the candidates' cut-off: the committee decides as the tender says


def rank(definition: ScoringDefinition, bids: Sequence[Bid], sheets: Sequence[ScoreSheet],
         price: PriceResult | None = None) -> Ranking:
    """Rank the bids still in and name the recommended candidates (ScoringDefinition.tie_rule()).

    Under 综合评分法 every sheet must be complete and every score within its range (Art. 64: out-of-range
    scores are corrected before ranking); under 经评审的最低投标价法 ``sheets`` is empty.
    """
    if not bids:
        raise EvaluationError("no bid is left to rank", code="evaluation.no_valid_bids")
    price = price or price_scores(definition, bids)
    bidders = [b.bidder_id for b in bids]
    rows: list[tuple[tuple[Decimal, ...], RankRow]] = []
    if definition.method == "comprehensive":
        if not sheets:
            raise EvaluationError("no score sheet was submitted", code="evaluation.sheet_incomplete")
        out_of_range = [f for f in art64_checks(definition, sheets, price, bidders) if f.code == "out_of_range"]
        if out_of_range:
            f = out_of_range[0]
            raise EvaluationError(f"expert {f.expert_id}, {f.bidder_id}, {f.criterion_id}: {f.detail.formula}; "
                                  "correct it before ranking", code="evaluation.score_out_of_range")
        per_expert = {s.expert_id: {t.bidder_id: t for t in sheet_totals(definition, s, price, bidders)}
                      for s in sheets}
        n = Decimal(len(sheets))
        for bid in bids:
            totals = [(e, per_expert[e][bid.bidder_id]) for e in sorted(per_expert)]
            summed = sum((t.total for _e, t in totals), Decimal(0))
            final = round2(summed / n)
            technical = round2(sum((t.technical for _e, t in totals), Decimal(0)) / n)
            ps = price.of(bid.bidder_id)
            calculation = Calculation.of(
                f"({' + '.join(show(t.total) for _e, t in totals)}) / {len(totals)} = {show(final)}", "final_score")
            by_technical = -technical if definition.tie_break == "price_then_technical" else Decimal(0)
            key: tuple[Decimal, ...] = (-final, bid.price, by_technical)
            rows.append((key, RankRow(0, bid.bidder_id, bid.name, final,
                                      tuple((e, t.total) for e, t in totals), technical, bid.price,
                                      ps.evaluated_price, calculation, False)))
    else:
        for bid in bids:
            ps = price.of(bid.bidder_id)
            rows.append(((ps.evaluated_price, bid.price), RankRow(
                0, bid.bidder_id, bid.name, None, (), None, bid.price, ps.evaluated_price,
                ps.evaluated_calculation, False)))
    rows.sort(key=lambda r: (r[0], r[1].bidder_id))  # the id only makes the order of tied rows stable
    ranked: list[RankRow] = []
    for i, (key, row) in enumerate(rows):
        tied = (i > 0 and rows[i - 1][0] == key) or (i + 1 < len(rows) and rows[i + 1][0] == key)
        position = ranked[-1].rank if i > 0 and rows[i - 1][0] == key else i + 1
        ranked.append(RankRow(position, row.bidder_id, row.name, row.final, row.expert_totals, row.technical,
                              row.price, row.evaluated_price, row.calculation, tied))
    n_candidates = min(definition.recommended_candidates, len(ranked))
    unresolved = n_candidates < len(ranked) and rows[n_candidates - 1][0] == rows[n_candidates][0]
    return Ranking(tuple(ranked), tuple(r.bidder_id for r in ranked[:n_candidates]), definition.tie_rule(),
                   unresolved)


# --- everything at once --------------------------------------------------------------------------------


@dataclass(frozen=True)
class EvaluationResult:
    definition: ScoringDefinition
    review: ReviewOutcome
    price: PriceResult
    totals: tuple[SheetTotals, ...]
    flags: tuple[Flag, ...]
    ranking: Ranking


def evaluate(definition: ScoringDefinition, bids: Sequence[Bid], experts: Sequence[str],
             votes: Iterable[ReviewVote], sheets: Sequence[ScoreSheet]) -> EvaluationResult:
    """Review, price, totals, Art. 64 flags and ranking, in that order, over the bids that passed.

    ``sheets`` score only the bids that passed the review; every expert of ``experts`` has one sheet under
    综合评分法 (the chair summarises only after every expert has submitted).
    """
    _unique_bids(bids)
    outcome = review(definition, experts, [b.bidder_id for b in bids], votes)
    still_in = [b for b in bids if b.bidder_id in outcome.qualified]
    if not still_in:
        raise EvaluationError("every bid failed the review", code="evaluation.no_valid_bids")
    if definition.method == "comprehensive":
        missing = sorted(set(experts) - {s.expert_id for s in sheets})
        if missing:
            raise EvaluationError(f"no sheet from {', '.join(missing)}", code="evaluation.sheet_missing")
        strangers = sorted({s.expert_id for s in sheets} - set(experts))
        if strangers:
            raise EvaluationError(f"{', '.join(strangers)} is not on the committee", code="evaluation.unknown_expert")
    price = price_scores(definition, still_in)
    bidders = [b.bidder_id for b in still_in]
    totals = tuple(t for s in sheets for t in sheet_totals(definition, s, price, bidders)) \
        if definition.method == "comprehensive" else ()
    flags = art64_checks(definition, sheets, price, bidders)
    return EvaluationResult(definition, outcome, price, totals, flags, rank(definition, still_in, sheets, price))


# --- a session's definition and cells, as the server and the chair's client read them ------------------


def scoring_of(tender_id: str, definition: SessionDefinition) -> ScoringDefinition:
    """The rules' ScoringDefinition of an evaluation session: its criteria (the ``computed`` one is the price),
    review items, method, deduction, candidates, tie-break and deviation rule. EvaluationError
    ``evaluation.definition_invalid`` when the session's criteria are not a complete scoring (weights summing
    to 100, exactly one computed price criterion ranging 0–100)."""
    d = definition
    criteria = tuple(CriterionDefinition(id=c.id, name=c.name, weight=c.weight or Decimal(0), minimum=c.min,
                                         maximum=c.max, kind="subjective" if c.kind == "subjective" else "objective",
                                         price=c.kind == "computed") for c in d.criteria)
    return ScoringDefinition(
        tender_id=tender_id, tender_version=d.tender_version, title=d.title or tender_id, lot_id=d.lot_id,
        lot_name=d.lot_name, procurement_kind=d.procurement_kind, method=d.method,
        criteria=criteria if d.method == "comprehensive" else (),
        review_items=tuple(ReviewItemDefinition(r.id, r.name, r.kind) for r in d.review_items),
        sme_deduction=d.sme_deduction, recommended_candidates=d.candidates, tie_break=d.tie_break,
        abnormal_deviation_percent=d.abnormal_deviation_percent)


def session_bids(definition: SessionDefinition) -> list[Bid]:
    """The session's bids with their opened prices; EvaluationError ``evaluation.price_missing`` naming every
    bid whose price is not known (the price score and the ranking need each one)."""
    missing = [b.id for b in definition.bids if b.price is None]
    if missing:
        raise EvaluationError(_("the opened prices of {bids} are not in the session: the price score cannot be "
                                "computed").format(bids=", ".join(missing)), code="evaluation.price_missing")
    return [Bid(b.id, b.name, b.price or Decimal(0), b.sme) for b in definition.bids]


Cells = Mapping[str, Mapping[str, Mapping[str, Decimal]]]  # expert -> bid -> criterion -> score


def review_decision(tender_id: str, definition: SessionDefinition, experts: Sequence[str],
                    votes: Iterable[ReviewVote]) -> dict[str, list[str]]:
    """The committee's review decision (``review``, by majority) as the session records it: bid id -> one
    line per failed item, ``ITEM (NAME): the fail reasons``; a bid that passed is absent."""
    outcome = review(scoring_of(tender_id, definition), experts, [b.id for b in definition.bids], votes)
    names = {r.id: r.name for r in definition.review_items}
    return {e.bidder_id: [f"{d.item_id} ({names[d.item_id]}): " + "; ".join(sorted({r for _x, r in d.fail_reasons}))
                          for d in e.failed]
            for e in outcome.excluded}


def session_result(tender_id: str, definition: SessionDefinition, experts: Sequence[str],
                   votes: Iterable[ReviewVote], sheets: Cells) -> EvaluationResult:
    """The whole result of a session — review, price scores, totals, Art. 64 flags, ranking, candidates —
    from its definition, the active experts, their review votes and their submitted score sheets. The
    server computes it at the summary; the chair's client computes it again from the same cells."""
    scoring = scoring_of(tender_id, definition)
    score_sheets = [ScoreSheet(expert, {(bid, criterion): value for bid, items in sheets.get(expert, {}).items()
                                        for criterion, value in items.items()})
                    for expert in experts] if scoring.method == "comprehensive" else []
    return evaluate(scoring, session_bids(definition), experts, votes, score_sheets)
