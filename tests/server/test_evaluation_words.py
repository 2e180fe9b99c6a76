"""The calculations' words in the reader's language: the server computes the Art. 64 flags in its own language,
but sends each flag's words as a stable id with parameters, so that a client in another language shows them
in its own (bidclient.protocol.evaluation_rules.flag_texts); a flag from an older server, without ids, still
shows the words it carries. The server here runs in this process, so its language is switched around each
request: English server, Chinese reader, and the reverse."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bidclient.evaluation.session import open_workspace
from bidclient.protocol.evaluation_rules import Calculation, flag_texts
from bidclient.protocol.evaluation_session import Phase, SummaryOut
from server.cli import main as server_main
from tests.server.conftest import RunningServer, start_server
from tests.server.evaluation_helpers import Committee, committee, to_review


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, pki: Any) -> Iterator[RunningServer]:
    data = tmp_path_factory.mktemp("evaluation-words") / "server"
    assert server_main(["init", "--data", str(data)]) == 0
    trust = [str(p) for p in sorted(Path(pki.trust_dir).glob("*.pem"))]
    assert server_main(["admin", "trust-add", "--data", str(data), *trust]) == 0
    running = start_server(data)
    try:
        yield running
    finally:
        running.stop()


@pytest.fixture(scope="module")
def summarised(server: RunningServer, pki: Any, tmp_path_factory: pytest.TempPathFactory) -> Committee:
    """Three experts review and score; the third scores bid-c's technical plan abnormally low; summary."""
    c = committee(server, pki, experts=3)
    sid = c.session_id
    to_review(c)
    folder = tmp_path_factory.mktemp("journals")
    spaces = [open_workspace(m.client, sid, m.identity, path=folder / f"{n}.sqlite") for n, m in enumerate(c.experts)]
    try:
        for space in spaces:
            for bid in ("bid-a", "bid-b", "bid-c"):
                space.review(bid, "licence", passed=True)
        c.experts[0].api.advance(sid, Phase.SCORING)
        for n, (space, m) in enumerate(zip(spaces, c.experts, strict=True)):
            for bid in ("bid-a", "bid-b", "bid-c"):
                space.score(bid, "tech", "2" if n == 2 and bid == "bid-c" else "25")
                space.score(bid, "service", "8")
            space.submit(m.sign)
    finally:
        for space in spaces:
            space.close()
    c.experts[0].api.advance(sid, Phase.SUMMARY)
    return c


def _summary(c: Committee, monkeypatch: pytest.MonkeyPatch, server_language: str) -> SummaryOut:
    monkeypatch.setenv("BIDCLIENT_LANG", server_language)  # the in-process server computes in this language
    return c.supervisor.api.summary(c.session_id)


def _abnormal(summary: SummaryOut) -> dict[str, str]:
    flags = [f for f in summary.flags if f["code"] == "abnormal_low"]
    assert len(flags) == 1, summary.flags
    return flags[0]


def test_an_english_server_s_flag_reads_in_chinese_and_a_chinese_server_s_in_english(
        summarised: Committee, monkeypatch: pytest.MonkeyPatch) -> None:
    english = _abnormal(_summary(summarised, monkeypatch, "en"))
    assert english["detail"].startswith("the score differs from the mean")  # the server's own language
    assert english["words_id"] == "abnormal" and english["formula"].startswith("|2.00 − 25.00|")
    monkeypatch.setenv("BIDCLIENT_LANG", "zh_CN")  # the reader
    detail, may_change = flag_texts(english)
    assert detail.startswith("该评分与其他专家评分平均值之差超过规定的限度")
    assert detail.endswith(english["formula"])
    assert may_change == "由评标委员会认定该评分是否畸高或畸低；如认定，该专家可修改"

    chinese = _abnormal(_summary(summarised, monkeypatch, "zh_CN"))
    assert chinese["detail"].startswith("该评分与其他专家评分平均值")
    monkeypatch.setenv("BIDCLIENT_LANG", "en")
    detail, may_change = flag_texts(chinese)
    assert detail == f"the score differs from the mean of the other experts' scores by more than the stated rule: " \
                     f"{chinese['formula']}"
    assert may_change == "the committee judges whether the score is abnormal; if so, the expert may change it"


def test_a_flag_without_ids_from_an_older_server_shows_its_own_words(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BIDCLIENT_LANG", "en")
    old = {"code": "abnormal_low", "may_change": "由评标委员会判断",
           "detail": "该评分与其他专家评分平均值之差超过规定的限度: |2.00 − 25.00| = 23.00 > 9.00"}
    assert flag_texts(old) == (old["detail"], old["may_change"])
    unknown = {**old, "words_id": "from_a_newer_server", "formula": "1 + 1 = 2", "words_params": "{}"}
    assert flag_texts(unknown)[0] == old["detail"]


def test_a_calculation_renders_its_words_in_the_language_of_the_moment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BIDCLIENT_LANG", "en")
    calc = Calculation.of("900000.00", "evaluated_price_sme", percent="10")
    assert str(calc) == "evaluated price = bid price less the small/micro enterprise deduction of 10%: 900000.00"
    monkeypatch.setenv("BIDCLIENT_LANG", "zh_CN")
    assert str(calc).endswith(": 900000.00") and "10%" in str(calc) and "评标价" in str(calc)
    assert Calculation("1", "words as sent").text == "words as sent"  # words without an id stay as they are
