"""A realistic evaluation for the tests: one goods lot, 5 experts, 4 bids (one excluded), SME deduction."""

from __future__ import annotations

from decimal import Decimal as D

from bidclient.evaluation.rules import (
    Bid,
    CriterionDefinition,
    ReviewItemDefinition,
    ReviewVote,
    ScoreSheet,
    ScoringDefinition,
)

EXPERTS = ["e1", "e2", "e3", "e4", "e5"]
EXPERT_NAMES = {"e1": "张三", "e2": "李四", "e3": "王五", "e4": "赵六", "e5": "钱七"}


def definition(**changes: object) -> ScoringDefinition:
    values: dict[str, object] = dict(
        tender_id="ZB-2026-0042", tender_version=1, title="某市第一中学教学设备采购", lot_id="1",
        lot_name="教学设备", procurement_kind="goods", method="comprehensive",
        criteria=(
            CriterionDefinition("price", "价格", D(30), D(0), D(100), "objective", True),
            CriterionDefinition("tech", "技术方案", D(50), D(0), D(50), "subjective"),
            CriterionDefinition("cert", "资质证书", D(20), D(0), D(10), "objective"),
        ),
        review_items=(ReviewItemDefinition("licence", "营业执照", "qualification"),
                      ReviewItemDefinition("bond", "投标保证金", "compliance")),
        sme_deduction=D(10))
    values.update(changes)
    return ScoringDefinition(**values)  # type: ignore[arg-type]


BIDS = [
    Bid("b1", "甲科技有限公司", D("1000000.00"), sme=True),
    Bid("b2", "乙设备有限公司", D("950000.00")),
    Bid("b3", "丙教育科技有限公司", D("990000.00")),
    Bid("b4", "丁贸易有限公司", D("800000.00")),
]
NAMES = {b.bidder_id: b.name for b in BIDS}


def votes() -> list[ReviewVote]:
    """Everyone passes everything, except b4: 4 of 5 experts fail its bond (and e5 fails b2's licence)."""
    cast = []
    for expert in EXPERTS:
        for bid in BIDS:
            for item in ("licence", "bond"):
                fails = (bid.bidder_id == "b4" and item == "bond" and expert != "e1") or \
                    (bid.bidder_id == "b2" and item == "licence" and expert == "e5")
                cast.append(ReviewVote(expert, bid.bidder_id, item, not fails,
                                       "未按招标文件要求提交投标保证金" if fails else ""))
    return cast


TECH = {  # expert -> bidder -> technical score (0–50)
    "e1": {"b1": D(40), "b2": D(45), "b3": D("38.5")},
    "e2": {"b1": D(42), "b2": D(44), "b3": D(39)},
    "e3": {"b1": D(41), "b2": D(46), "b3": D(40)},
    "e4": {"b1": D(39), "b2": D(45), "b3": D(37)},
    "e5": {"b1": D(20), "b2": D(45), "b3": D(38)},  # e5 on b1: abnormally low
}
CERT = {"b1": D(8), "b2": D(6), "b3": D(10)}


def sheets() -> list[ScoreSheet]:
    result = []
    for expert in EXPERTS:
        scores = {(b, "tech"): TECH[expert][b] for b in ("b1", "b2", "b3")}
        scores |= {(b, "cert"): CERT[b] for b in ("b1", "b2", "b3")}
        if expert == "e3":
            scores[("b3", "cert")] = D(8)  # differs on an objective item
        result.append(ScoreSheet(expert, scores))
    return result
