"""The draw algorithm, the committee rules and the offline verification of a draw record (no server), and
the tender format's `evaluation` object (version 3)."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import pytest

from bidclient import tender_package as tp
from bidclient.errors import BidclientError
from bidclient.experts import verify_record
from bidclient.protocol import experts as proto
from bidclient.protocol.common import canonical_json
from bidclient.protocol.tender import DefinitionError, Document, parse_definition
from tests.bidclient.test_tender_package import PDF, _definition

SEED = "5a" * 32
POOL = [proto.Candidate(f"e{n:03d}", ("it.hw",) if n % 3 else ("it.hw", "econ"), "北京" if n % 2 else "上海")
        for n in range(40)]
CATEGORIES = {"it.hw": "technical", "econ": "economic", "law": "legal"}


def _slots(*specs: tuple[str, int, int, list[str]]) -> list[proto.Slot]:
    return [proto.Slot(specialty=s, count=c, reserves=r, regions=g) for s, c, r, g in specs]


def test_the_draw_is_deterministic_and_follows_the_seed() -> None:
    slots = _slots(("econ", 2, 1, []), ("it.hw", 3, 2, ["北京"]))
    picks, short = proto.draw(POOL, slots, SEED)
    assert short == {0: 0, 1: 0}
    assert proto.draw(list(reversed(POOL)), slots, SEED)[0] == picks  # the pool's order does not matter
    assert proto.draw(POOL, slots, "a5" * 32)[0] != picks
    by_id = {c.id: c for c in POOL}
    assert all("econ" in by_id[p.id].specialties for p in picks if p.slot == 0)
    assert all(by_id[p.id].region == "北京" for p in picks if p.slot == 1)
    assert len({p.id for p in picks}) == len(picks) == 8  # nobody twice, even with two specialties
    assert [(p.role, p.order) for p in picks if p.slot == 1] == [("member", 1), ("member", 2), ("member", 3),
                                                                ("reserve", 1), ("reserve", 2)]
    # Each slot walks one ranking: HMAC-SHA256(seed, id), ascending.
    ranking = sorted(POOL, key=lambda c: proto.rank_key(bytes.fromhex(SEED), c.id))
    econ = [c.id for c in ranking if "econ" in c.specialties][:3]
    assert [p.id for p in picks if p.slot == 0] == econ
    skipped, _short = proto.draw(POOL, slots, SEED, skipped=[econ[0]])
    assert [p.id for p in skipped if p.slot == 0] == [c.id for c in ranking if "econ" in c.specialties][1:4]


def test_the_ranking_and_its_head_are_the_documented_order() -> None:
    """rank and rank_head (the server keeps the head at the commitment) give exactly the order that
    docs/formats/expert-draw.md defines, HMAC-SHA256(seed, UTF-8 id) ascending, ties by id, for ids of any
    script and length, whatever order the entries come in."""
    import hmac
    import random

    rng = random.Random(12)
    ids = {f"{rng.choice(['e', '专家', 'Ω', '😀', ''])}{rng.getrandbits(40):x}" for _ in range(3000)}
    entries = [[i, "北京", ["it.hw"]] for i in ids]
    rng.shuffle(entries)
    documented = sorted(entries, key=lambda e: (hmac.digest(bytes.fromhex(SEED), e[0].encode("utf-8"), "sha256"),
                                                e[0]))
    assert proto.rank(entries, SEED) == documented
    for n in (0, 1, 7, 2999, 3000, 5000):
        assert proto.rank_head(entries, SEED, n) == documented[:n]


def test_a_pool_too_small_says_how_many_are_missing() -> None:
    picks, short = proto.draw(POOL, _slots(("econ", 12, 3, []), ("law", 1, 0, [])), SEED)
    assert short == {0: 1, 1: 1} and len(picks) == 14


@pytest.mark.parametrize(("specs", "representatives", "budget", "complex_project", "code"), [
    ([("it.hw", 5, 0, [])], 0, None, False, None),
    ([("it.hw", 4, 0, [])], 1, None, False, None),  # the tenderer's representative counts toward the size
    ([("it.hw", 2, 0, []), ("law", 1, 0, [])], 2, None, False, "experts.committee_composition"),
    ([("it.hw", 4, 0, []), ("law", 1, 0, [])], 2, None, False, "experts.committee_composition"),  # 4 of 7
    ([("it.hw", 4, 0, []), ("econ", 1, 0, [])], 2, None, False, None),  # 5 of 7 ≥ 2/3
    ([("it.hw", 5, 0, [])], 0, Decimal("10000000"), True, "experts.committee_too_small_large_project"),
    ([("it.hw", 5, 0, [])], 0, Decimal("9999999.99"), True, None),
    ([("it.hw", 5, 0, [])], 0, Decimal("50000000"), False, None),  # large but not complex
    ([("it.hw", 3, 0, [])], 0, None, False, "experts.committee_too_small"),
    ([("it.hw", 6, 0, [])], 0, None, False, "experts.committee_even"),
])
def test_committee_rules(specs: Any, representatives: int, budget: Decimal | None, complex_project: bool,
                         code: str | None) -> None:
    slots = _slots(*specs)
    if code is None:
        assert proto.check_committee(slots, representatives=representatives, categories=CATEGORIES, budget=budget,
                                     complex_project=complex_project) == sum(s.count for s in slots) + representatives
        return
    with pytest.raises(proto.CommitteeError) as refused:
        proto.check_committee(slots, representatives=representatives, categories=CATEGORIES, budget=budget,
                              complex_project=complex_project)
    assert refused.value.code == code


def _record() -> dict[str, Any]:
    slots = _slots(("econ", 2, 1, []), ("it.hw", 3, 1, []))
    snapshot = proto.snapshot_document("D-1", "T-1", POOL[1:])
    taken = proto.draw(POOL[1:], slots, SEED)[0][0].id  # drawn for an overlapping committee in the meantime
    skips = [proto.Skip(id=taken, reason="overlapping_draw", detail="D-0")]
    picks, _short = proto.draw(POOL[1:], slots, SEED, skipped=[taken])
    return json.loads(json.dumps({
        "format": proto.DRAW_FORMAT, "draw_id": "D-1", "tender_id": "T-1", "state": "drawn",
        "slots": [s.model_dump() for s in slots], "representatives": 0, "commitment": proto.commitment(SEED),
        "snapshot_sha256": proto.snapshot_sha256(snapshot), "snapshot": snapshot,
        "exclusions": [{"id": "e000", "reason": "employer_is_bidder", "detail": ""}], "seed": SEED,
        "skips": [s.model_dump() for s in skips], "picks": [p.model_dump() for p in picks]}))


def test_a_record_verifies_and_every_change_to_it_is_caught() -> None:
    record = _record()
    result = verify_record(record)
    assert (result.members, result.reserves, result.skips, result.candidates) == (5, 2, 1, 39)

    def code_of(change: Any) -> str:
        changed = json.loads(json.dumps(record))
        change(changed)
        with pytest.raises(BidclientError) as caught:
            verify_record(changed)
        return caught.value.code

    assert code_of(lambda r: r.update(seed="00" * 32)) == "experts.draw_mismatch"
    assert code_of(lambda r: r["snapshot"]["candidates"].pop(0)) == "experts.draw_mismatch"
    assert code_of(lambda r: r["skips"].clear()) == "experts.draw_mismatch"  # a skip not recorded
    assert code_of(lambda r: r["picks"].reverse() or r["picks"][0].update(order=9)) == "experts.draw_mismatch"
    assert code_of(lambda r: r["exclusions"].append({"id": "e007", "reason": "status"})) == "experts.draw_mismatch"
    assert code_of(lambda r: r.update(seed=None)) == "experts.draw_not_run"
    assert code_of(lambda r: r.pop("picks")) == "experts.record_invalid"
    assert code_of(lambda r: r.update(format="other/1")) == "experts.record_invalid"


def test_the_tender_evaluation_object_needs_format_3(pki) -> None:  # type: ignore[no-untyped-def]
    evaluation = {"budget": "12000000.00", "complex": True}
    with pytest.raises(DefinitionError) as refused:
        parse_definition(canonical_json(_definition(pki, evaluation=evaluation)))
    assert refused.value.code == "tender.format_version"
    parsed = parse_definition(canonical_json(_definition(pki, format="bidclient-tender/3", evaluation=evaluation)))
    assert parsed.evaluation is not None and parsed.evaluation.committee_budget(list(parsed.lots)) == Decimal(12000000)
    assert b'"evaluation":{"abnormal_deviation_percent":"30","budget":"12000000.00","complex":true,' \
        in parsed.to_bytes()  # the evaluation rules' defaults are written; members without a value are absent
    assert b"sme_price_deduction" not in parsed.to_bytes() and b"tenderer_uscc" not in parsed.to_bytes()
    plain = parse_definition(canonical_json(_definition(pki)))
    assert b"evaluation" not in plain.to_bytes()  # older definitions keep their exact bytes
    draft = {k: v for k, v in _definition(pki, evaluation={"complex": True}).items()
             if k not in ("format", "version", "documents", "previous_package_sha256", "changes")}
    document = Document(name="招标文件.pdf", size=len(PDF), sha256=__import__("hashlib").sha256(PDF).hexdigest())
    assert tp.prepare_definition(draft, [document]).format == "bidclient-tender/3"
