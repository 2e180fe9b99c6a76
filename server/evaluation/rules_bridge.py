"""The three places where the session needs the evaluation rules — WIRING POINT for engineer "evalrules".

The rules proper (the price formula with its calculation trail, 87号令 Art. 55; the qualification majority;
the Art. 64 checks; the ranking) are built as pure functions in ``bidclient.evaluation.rules``. The server
may import only ``bidclient.protocol`` (tests/test_layering.py), so the lead wires them here once they land
(by moving the pure rules under ``bidclient.protocol`` or by allowing that one import). Until then these
functions implement the plainest reading of each rule, so that a session runs end to end:

- ``review_decision``: a bid fails an item when a strict majority of the experts failed it;
- ``summarise``: a bid's committee score per criterion is the mean of the experts' scores; its total is the
  weighted sum (score / max × weight) when every criterion has a weight, else the plain sum;
- ``art64_flags``: none (the checks come with the rules);
- ``rank``: by total, highest first, ties in the bids' listed order.
"""

from __future__ import annotations

from decimal import Decimal

from bidclient.protocol.evaluation_session import SessionDefinition

# expert -> bid -> item -> (passed, reason)
Reviews = dict[str, dict[str, dict[str, tuple[bool, str]]]]
# expert -> bid -> criterion -> score
Sheets = dict[str, dict[str, dict[str, Decimal]]]


def review_decision(definition: SessionDefinition, reviews: Reviews) -> dict[str, list[str]]:
    """The committee's decision after the review: bid id -> the reasons it is excluded (absent: it passes)."""
    experts = list(reviews)
    excluded: dict[str, list[str]] = {}
    for bid in definition.bids:
        for item in definition.review_items:
            votes = [reviews[e].get(bid.id, {}).get(item.id) for e in experts]
            fails = [v for v in votes if v is not None and not v[0]]
            if len(fails) * 2 > len(experts):
                reasons = "; ".join(sorted({v[1] for v in fails}))
                excluded.setdefault(bid.id, []).append(f"{item.id} ({item.name}): {reasons}")
    return excluded


def summarise(definition: SessionDefinition, sheets: Sheets, excluded: set[str]
              ) -> dict[str, tuple[dict[str, Decimal], Decimal]]:
    """bid id -> (criterion -> committee score, total), for the bids not excluded."""
    weighted = all(c.weight is not None for c in definition.criteria)
    out: dict[str, tuple[dict[str, Decimal], Decimal]] = {}
    for bid in definition.bids:
        if bid.id in excluded:
            continue
        scores: dict[str, Decimal] = {}
        for criterion in definition.criteria:
            given = [s[bid.id][criterion.id] for s in sheets.values() if criterion.id in s.get(bid.id, {})]
            if given:
                scores[criterion.id] = (sum(given, Decimal(0)) / len(given)).quantize(Decimal("0.01"))
        if weighted:
            total = sum((scores.get(c.id, Decimal(0)) / c.max * (c.weight or Decimal(0))
                         for c in definition.criteria), Decimal(0))
        else:
            total = sum(scores.values(), Decimal(0))
        out[bid.id] = (scores, total.quantize(Decimal("0.01")))
    return out


def art64_flags(definition: SessionDefinition, sheets: Sheets) -> list[dict[str, str]]:
    """What Art. 64 allows to change (sum error, out of range, experts differing on objective items,
    abnormal scores): [{expert, bid, criterion, rule, detail}]."""
    return []


def rank(definition: SessionDefinition, totals: dict[str, Decimal]) -> list[str]:
    """Bid ids, best first."""
    order = {b.id: n for n, b in enumerate(definition.bids)}
    return sorted(totals, key=lambda b: (-totals[b], order[b]))
