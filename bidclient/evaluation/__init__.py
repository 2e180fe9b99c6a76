"""The evaluation's rules and its signed report, Qt-free and server-free (docs/evaluation.md).

- ``rules``: pure functions over frozen dataclasses. The scoring definition of one lot (from the tender's
  ``scoring`` and its version-3 ``evaluation`` object), the qualification/compliance review by majority,
  the price score of 87号令 Art. 55 with the small/micro-enterprise deduction, the Art. 64 checks on the
  experts' score sheets, and the ranking with the recommended candidates. Every number is a Decimal and
  every result carries its calculation (``Calculation``: the formula with its numbers, and in words).
- ``report``: the evaluation report as a PDF (forms.evaluation_report draws it), signed by every member
  of the committee in turn (incremental PAdES), and its offline verification.

The session server and the CLI call these; nothing here talks to a server, prints or reads stdin.
"""

from __future__ import annotations

from bidclient.protocol.evaluation_rules import (
    Bid,
    Calculation,
    CriterionDefinition,
    EvaluationError,
    EvaluationResult,
    Flag,
    PriceResult,
    PriceScore,
    Ranking,
    RankRow,
    ReviewItemDefinition,
    ReviewOutcome,
    ReviewVote,
    ScoreSheet,
    ScoringDefinition,
    SheetTotals,
    art64_checks,
    evaluate,
    parse_score,
    price_scores,
    rank,
    review,
    scoring_definition,
    sheet_totals,
    validate_score,
)

__all__ = [
    "Bid",
    "Calculation",
    "CriterionDefinition",
    "EvaluationError",
    "EvaluationResult",
    "Flag",
    "PriceResult",
    "PriceScore",
    "RankRow",
    "Ranking",
    "ReviewItemDefinition",
    "ReviewOutcome",
    "ReviewVote",
    "ScoreSheet",
    "ScoringDefinition",
    "SheetTotals",
    "art64_checks",
    "evaluate",
    "parse_score",
    "price_scores",
    "rank",
    "review",
    "scoring_definition",
    "sheet_totals",
    "validate_score",
]
