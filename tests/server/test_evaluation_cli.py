"""`bidclient evaluation …` as an expert runs it, with a SoftHSM dongle, against a real server: check in,
declare, vote, review, score (bad input refused with its code and nothing saved), status, submit signed."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bidclient.evaluation.session import open_workspace
from bidclient.protocol.evaluation_session import Phase
from tests.server.conftest import RunningServer
from tests.server.evaluation_helpers import committee

CLI_EXPERT = "person:张三"  # the dev PKI's expert-1, whose key is on a SoftHSM token


def _cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "bidclient.cli.main", *args], capture_output=True, text=True,
                          env=env, timeout=180, check=False)


# The CLI is the same whatever database the server keeps; the session's rules on PostgreSQL are covered by
# test_evaluation_session.py. One backend keeps this subprocess-heavy test to its purpose.
@pytest.mark.parametrize("backend", ["sqlite"])
def test_an_expert_runs_the_session_from_the_command_line(live_server: RunningServer, pki, tmp_path: Path  # type: ignore[no-untyped-def]
                                                          ) -> None:
    c = committee(live_server, pki, experts=2, also=(CLI_EXPERT,))
    sid = c.session_id
    env = pki.softhsm_env()
    env.update(XDG_CONFIG_HOME=str(tmp_path / "config"), XDG_DATA_HOME=str(tmp_path / "data"),
               BIDCLIENT_NO_KEYRING="1", BIDCLIENT_LANG="en")
    env.pop("BIDCLIENT_SERVER", None)
    dongle = pki.party("expert-1").signing_uri
    done = _cli(env, "login", "--server", live_server.url, "--key", dongle)
    assert done.returncode == 0, done.stderr
    listed = _cli(env, "evaluation", "list", "--json")
    assert [s["id"] for s in json.loads(listed.stdout)] == [sid]
    for step in (["checkin", sid, "--key", dongle], ["declare", sid, "--key", dongle]):
        done = _cli(env, "evaluation", *step)
        assert done.returncode == 0, done.stderr
    e0 = c.experts[0]
    for m in c.experts:
        m.api.check_in(sid, m.identity, m.sign)
        m.api.declare(sid, m.identity, m.sign, conflict=False, detail="")
    c.agency.api.advance(sid, Phase.ELECTION)
    assert _cli(env, "evaluation", "vote-chair", sid, e0.identity).returncode == 0
    e0.api.vote_chair(sid, e0.identity)
    e0.api.advance(sid, Phase.READING)
    e0.api.advance(sid, Phase.REVIEW)

    refused = _cli(env, "evaluation", "review", sid, "bid-b", "licence", "fail")
    assert refused.returncode == 1 and "[evaluation.fail_without_reason]" in refused.stderr
    assert "Traceback" not in refused.stderr
    status = json.loads(_cli(env, "evaluation", "status", sid, "--json").stdout)
    assert status["entries"] == 0  # nothing saved
    for bid, verdict in (("bid-a", "pass"), ("bid-b", "fail"), ("bid-c", "pass")):
        extra = ["--reason", "资质证书缺失"] if verdict == "fail" else []
        done = _cli(env, "evaluation", "review", sid, bid, "licence", verdict, *extra)
        assert done.returncode == 0 and "1 applied" in done.stdout, done.stdout + done.stderr
    for n, m in enumerate(c.experts):
        with open_workspace(m.client, sid, m.identity, path=tmp_path / f"c{n}.sqlite") as space:
            for bid in ("bid-a", "bid-b", "bid-c"):
                space.review(bid, "licence", passed=True)
    e0.api.advance(sid, Phase.SCORING)

    # A clarification request: an empty question is refused before sending; the bidder's signed answer is
    # listed as verified, named as the session names the bid.
    refused = _cli(env, "evaluation", "ask", sid, "bid-a", "--question", "  ")
    assert refused.returncode == 1 and "[evaluation.question_required]" in refused.stderr, refused.stderr
    asked = _cli(env, "evaluation", "ask", sid, "bid-a", "--question", "请澄清交货期")
    assert asked.returncode == 0, asked.stderr
    request = c.bidder.api.clarifications().clarifications[0]
    c.bidder.api.answer(request.id, "交货期为合同签订后30日", c.bidder.sign)
    listed = _cli(env, "evaluation", "clarifications", sid)  # no trust list here: not shown as signed
    assert "signature NOT verified: no trust list is configured" in listed.stdout, listed.stdout
    trusted = {**env, "BIDCLIENT_TRUST": os.pathsep.join([str(pki.trust_dir), str(pki.crl_dir)])}
    listed = _cli(trusted, "evaluation", "clarifications", sid)
    assert "请澄清交货期" in listed.stdout and "signed by 北京甲公司, verified" in listed.stdout, listed.stdout
    assert "交货期为合同签订后30日" in listed.stdout

    for value, code in (("31", "evaluation.score_out_of_range"), ("七", "evaluation.score_not_a_number"),
                        ("1e400", "evaluation.score_not_a_number")):
        refused = _cli(env, "evaluation", "score", sid, "bid-a", "tech", value)
        assert refused.returncode == 1 and f"[{code}]" in refused.stderr, refused.stderr
    refused = _cli(env, "evaluation", "score", sid, "bid-a", "price", "80")
    assert "[evaluation.score_computed]" in refused.stderr
    for bid in ("bid-a", "bid-b", "bid-c"):
        for criterion, value in (("tech", "24.5"), ("service", "9")):
            done = _cli(env, "evaluation", "score", sid, bid, criterion, value, "--comment", "方案完整")
            assert done.returncode == 0, done.stderr
    status = json.loads(_cli(env, "evaluation", "status", sid, "--json").stdout)
    assert (status["entries"], status["applied"], status["pending"], status["not_applied"]) == (9, 9, 0, [])
    scores = _cli(env, "evaluation", "scores", sid)
    assert "shown once your own sheet is submitted" in scores.stdout and e0.identity not in scores.stdout
    done = _cli(env, "evaluation", "submit", sid, "--key", dongle)
    assert done.returncode == 0, done.stderr
    member = {m.identity_key: m for m in c.supervisor.api.get(sid).members}[CLI_EXPERT]
    assert member.sheet_state == "submitted"
    # Frozen: a later score is saved locally, refused by the server, and the CLI says so (exit 1).
    late = _cli(env, "evaluation", "score", sid, "bid-a", "tech", "10")
    assert late.returncode == 1 and "[evaluation.sheet_frozen]" in late.stderr
    shown = _cli(env, "evaluation", "status", sid)
    assert "NOT applied [evaluation.sheet_frozen]" in shown.stdout
    refused = _cli(env, "evaluation", "summary", sid)
    assert refused.returncode == 1 and "[evaluation.not_chair]" in refused.stderr
