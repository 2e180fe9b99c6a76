"""唱标 from a bid's signed price schedule (server.opening.service.announce): figures and words, the words
prevailing on a mismatch (87号令 Art. 59), further announced fields, and hostile manifests."""

from __future__ import annotations

from server.opening.service import announce


def _manifest(values: object) -> dict[str, object]:
    return {"bidder": {"name": "乙方科技有限公司", "uscc": "91440300MA5F8K2L74"},
            "forms": {"price_schedule": {"values": values, "lines": []}}}


def test_figures_and_words_that_agree() -> None:
    values = {"total": "1234567.89", "total_words": "壹佰贰拾叁万肆仟伍佰陆拾柒元捌角玖分", "duration_days": "90",
              "quality": "合格", "warranty": "三年"}
    out = announce(_manifest(values), {"announce": ["warranty"]})
    assert (out["price"], out["price_mismatch"], out["duration"], out["quality"]) == ("1234567.89", False, "90", "合格")
    assert out["other"] == {"warranty": "三年"} and out["bidder"] == "乙方科技有限公司"


def test_the_words_prevail_on_a_mismatch() -> None:
    out = announce(_manifest({"total": "990000.00", "total_words": "玖拾玖万伍仟元整"}), {})
    assert (out["price_figures"], out["price_mismatch"], out["price"]) == ("990000.00", True, "995000.00")


def test_unreadable_words_are_flagged_and_no_price_is_made_up() -> None:
    out = announce(_manifest({"total": "100", "total_words": "一百块钱左右"}), {})
    assert out["price_mismatch"] is True and out["price"] is None


def test_a_hostile_manifest_announces_nothing_rather_than_failing() -> None:
    for manifest in ({}, {"forms": "x"}, {"forms": {"price_schedule": ["x"]}}, _manifest(None),
                     {"bidder": "x", "forms": {"price_schedule": {"values": {"total": {"a": 1}}}}}):
        out = announce(manifest, {"announce": "not a list"})  # type: ignore[arg-type]
        assert out["price"] is None and out["price_mismatch"] is False and out["other"] == {}


def test_figures_that_are_not_a_number_are_flagged() -> None:
    out = announce(_manifest({"total": "about 100"}), {})
    assert out["price"] is None and out["price_mismatch"] is True
