"""A whole evaluation session over real HTTP on SQLite and PostgreSQL: check-in with the dongle, recusal and
reserve, chair election, review with majority exclusion, scoring through each expert's journal, signed
sheets, summary only after every sheet, a return with its reason, report signatures in order — and the
refusals on the way, each with its stable code."""

from __future__ import annotations

import base64
from decimal import Decimal
from pathlib import Path

import pytest
from cryptography import x509

from bidclient.api_client import ApiError
from bidclient.evaluation.report import sign_report, verify_report
from bidclient.evaluation.session import EvaluationError, committee_result, open_workspace, write_session_report
from bidclient.protocol.evaluation_session import Phase, SheetState, checkin_statement
from tests.server.conftest import RunningServer
from tests.server.evaluation_helpers import committee, issue_expert, person
from tests.server.live_helpers import Stream


def _code(call) -> str:  # type: ignore[no-untyped-def]
    with pytest.raises((ApiError, EvaluationError)) as caught:
        call()
    return str(caught.value.code)


def test_a_whole_session_from_checkin_to_the_signed_report(live_server: RunningServer, pki, tmp_path: Path  # type: ignore[no-untyped-def]
                                                           ) -> None:
    c = committee(live_server, pki, experts=4)
    sid = c.session_id
    e1, e2, e3, conflicted = c.experts
    assert c.supervisor.client.token
    stream = Stream(live_server.url, c.supervisor.client.token, f"evaluation:{sid}")
    try:
        # Check-in: a statement signed by someone else's key is refused; one's own is accepted.
        content = checkin_statement(sid, e1.identity)
        assert _code(lambda: e1.client.post_json(f"/api/v1/evaluation/sessions/{sid}/checkin", {
            "content": base64.b64encode(content).decode(),
            "signature": base64.b64encode(e2.sign(content)).decode()})) == "evaluation.signer_mismatch"
        for m in c.experts:
            m.api.check_in(sid, m.identity, m.sign)
        assert _code(lambda: c.agency.api.advance(sid, Phase.ELECTION)) == "evaluation.members_waiting"
        for m in (e1, e2, e3):
            m.api.declare(sid, m.identity, m.sign, conflict=False, detail="")
        assert _code(lambda: conflicted.api.declare(sid, conflicted.identity, conflicted.sign, conflict=True,
                                                    detail="")) == "evaluation.reason_required"
        out = conflicted.api.declare(sid, conflicted.identity, conflicted.sign, conflict=True,
                                     detail="近亲属在北京甲公司任职")
        assert out.reserves_needed == 1
        assert {m.identity_key: m.status for m in out.members}[conflicted.identity] == "recused"
        assert _code(lambda: c.agency.api.advance(sid, Phase.ELECTION)) == "evaluation.reserve_needed"
        reserve = person(live_server.url, issue_expert(pki, "候补专家"))
        live_server.admin("grant", "--identity", reserve.identity, "--role", "expert")
        reserve = person(live_server.url, reserve.key)  # log in again: the grant is read at login
        c.agency.api.add_reserves(sid, [reserve.identity])
        reserve.api.check_in(sid, reserve.identity, reserve.sign)
        reserve.api.declare(sid, reserve.identity, reserve.sign, conflict=False, detail="")
        # A recused expert can no longer act.
        assert _code(lambda: conflicted.api.vote_chair(sid, e1.identity)) == "evaluation.not_active"
        # Only the agency moves the session out of the check-in; phases go one at a time.
        assert _code(lambda: e1.api.advance(sid, Phase.ELECTION)) == "evaluation.not_chair"
        assert _code(lambda: c.agency.api.advance(sid, Phase.REVIEW)) == "evaluation.phase_order"
        c.agency.api.advance(sid, Phase.ELECTION)
        experts = [e1, e2, e3, reserve]
        for m in experts[:2]:
            m.api.vote_chair(sid, e1.identity)
        assert c.agency.api.get(sid).chair is None  # 2 of 4 is no majority
        out = e3.api.vote_chair(sid, e1.identity)
        assert out.chair == e1.identity
        assert _code(lambda: c.agency.api.advance(sid, Phase.READING)) == "evaluation.not_chair"
        e1.api.advance(sid, Phase.READING)
        e1.api.advance(sid, Phase.REVIEW)

        # Review through the journals: bid-b fails for three of four (majority), with reasons.
        spaces = [open_workspace(m.client, sid, m.identity, path=tmp_path / f"j{n}.sqlite")
                  for n, m in enumerate(experts)]
        assert _code(lambda: spaces[0].review("bid-b", "licence", passed=False)) == "evaluation.fail_without_reason"
        for n, space in enumerate(spaces):
            for bid in ("bid-a", "bid-b", "bid-c"):
                fails = bid == "bid-b" and n < 3
                saved = space.review(bid, "licence", passed=not fails, reason="营业执照过期" if fails else "")
                assert saved.sync.applied == 1 and saved.sync.pending == 0
        e1.api.advance(sid, Phase.SCORING)
        assert c.agency.api.get(sid).excluded_bids == {"bid-b": ["licence (营业执照): 营业执照过期"]}

        # Scoring: range, number, computed and excluded items are refused before anything is saved.
        assert _code(lambda: spaces[0].score("bid-a", "tech", "31")) == "evaluation.score_out_of_range"
        assert _code(lambda: spaces[0].score("bid-a", "tech", "abc")) == "evaluation.score_not_a_number"
        assert _code(lambda: spaces[0].score("bid-a", "price", "90")) == "evaluation.score_computed"
        assert spaces[0].journal.status().entries == 3
        saved = spaces[0].score("bid-b", "tech", "20")
        assert saved.sync.conflicts[0][1].code == "evaluation.bid_excluded"
        for n, space in enumerate(spaces):
            for bid in ("bid-a", "bid-c"):
                space.score(bid, "tech", str(20 + n))
                space.score(bid, "service", "8.5")
        # A sheet with an unresolved conflict is not signed; resolving means the conflict stays recorded.
        assert _code(lambda: spaces[0].submit(e1.sign)) == "evaluation.unsynced_conflicts"

        # The chair cannot summarise before every sheet is in.
        assert _code(lambda: e1.api.summary(sid)) == "evaluation.sheet_missing"
        assert _code(lambda: e1.api.advance(sid, Phase.SUMMARY)) == "evaluation.sheet_missing"
        for space, m in zip(spaces[1:], experts[1:], strict=True):
            assert space.submit(m.sign).members
        # Editing after submitting: saved locally, refused by the server as a conflict, and shown.
        saved = spaces[1].score("bid-a", "tech", "29")
        assert [r.code for _e, r in saved.sync.conflicts] == ["evaluation.sheet_frozen"]
        assert spaces[1].status().conflicts[0][1].code == "evaluation.sheet_frozen"
        # The chair's conflict is shown until the chair acknowledges it; then the sheet can be signed.
        conflict = spaces[0].status().conflicts[0][0]
        assert spaces[0].journal.acknowledge([conflict.edit_id]) == 1
        assert _code(lambda: e1.api.summary(sid)) == "evaluation.sheet_missing"
        spaces[0].submit(e1.sign)
        # Every sheet in: the chair summarises; the agency and a bidder may not.
        e1.api.advance(sid, Phase.SUMMARY)
        summary = e1.api.summary(sid)
        lines = {line.bid: line for line in summary.lines}
        assert lines["bid-b"].excluded and lines["bid-b"].rank is None
        assert lines["bid-a"].scores == {"tech": "21.50", "service": "8.50"}
        assert summary.candidates == ["bid-a", "bid-c"]
        assert _code(lambda: c.agency.api.summary(sid)) == "evaluation.scores_hidden"
        assert _code(lambda: c.bidder.api.summary(sid)) == "evaluation.session_not_found"
        # A return needs a reason; the returned expert alone may edit, then submits a second signed sheet.
        assert _code(lambda: e1.client.post_json(f"/api/v1/evaluation/sessions/{sid}/sheets/{e2.identity}/return",
                                                 {"reason": " "})) == "evaluation.reason_required"
        assert _code(lambda: e2.api.return_sheet(sid, e3.identity, "x")) == "evaluation.not_chair"
        out = e1.api.return_sheet(sid, e2.identity, "技术方案分数合计错误 (Art. 64: sum error)")
        assert {m.identity_key: m.sheet_state for m in out.members}[e2.identity] == SheetState.RETURNED
        assert _code(lambda: e1.api.advance(sid, Phase.RANKING)) == "evaluation.sheet_missing"
        assert spaces[2].score("bid-a", "tech", "10").sync.conflicts  # e3's sheet is still frozen
        spaces[1].journal.acknowledge([e.edit_id for e, _d in spaces[1].status().conflicts])
        assert spaces[1].score("bid-a", "tech", "25").sync.applied == 1
        spaces[1].submit(e2.sign)
        assert c.agency.api.get(sid).members[1].sheet_state == SheetState.SUBMITTED
        e1.api.advance(sid, Phase.RANKING)
        e1.api.advance(sid, Phase.REPORT)
        # The report: the chair writes it from the rules' result; each member signs it in turn with the dongle
        # checked in with (PAdES, incremental) and uploads it; the server keeps every revision in order.
        result = committee_result(e1.api, sid)
        assert [e.bidder_id for e in result.review.excluded] == ["bid-b"]
        assert result.price.benchmark == Decimal("900000.00")  # bid-a: 1,000,000.00 less the 10% SME deduction
        assert result.ranking.candidates == ("bid-a", "bid-c")
        report = write_session_report(e1.api, sid, tmp_path / "report.pdf", created_at="2026-12-02 17:00 北京时间")
        assert _code(lambda: e1.api.report(sid)) == "evaluation.report_not_found"
        for n, m in enumerate(experts):
            if n:
                report.write_bytes(m.api.report(sid))  # the revision the previous member uploaded
            if n == 2:
                assert _code(lambda: e3.api.sign_report(sid, b"%PDF-1.7 other")) == "evaluation.report_out_of_date"
            decision = "dissent" if n == 1 else "agree"
            sign_report(report, m.key, decision, "价格分计算有异议" if n == 1 else "")
            out_sig = m.api.sign_report(sid, report.read_bytes(), stance=decision,
                                        reason="价格分计算有异议" if n == 1 else "")
            assert out_sig.position == n + 1
        assert [s.stance for s in c.supervisor.api.report_signatures(sid).signatures] == \
            ["agree", "dissent", "agree", "agree"]
        final = tmp_path / "final.pdf"
        final.write_bytes(c.agency.api.report(sid))
        roots = [x509.load_pem_x509_certificate(p.read_bytes()) for p in sorted(Path(pki.trust_dir).glob("*.pem"))]
        verified = verify_report(final, roots)
        assert not verified.problems
        assert [s.state for s in verified.members] == ["agreed", "dissented", "agreed", "agreed"]
        e1.api.advance(sid, Phase.CLOSED)
        kinds = [e["kind"] for e in stream.wait(40)]
        assert kinds.count("evaluation.phase") == 8
        assert "evaluation.sheet_returned" in kinds and "evaluation.recused" in kinds
        assert not any("value" in str(e["payload"]) or "tech" in str(e["payload"]) for e in stream.events)
    finally:
        stream.close()
        for space in locals().get("spaces", []):
            space.close()


def test_a_clarification_goes_to_the_bid_s_bidder_and_comes_back_signed(live_server: RunningServer, pki,  # type: ignore[no-untyped-def]
                                                                        ) -> None:
    from tests.server.evaluation_helpers import party, to_review

    c = committee(live_server, pki, experts=2)
    sid = c.session_id
    to_review(c)
    e1 = c.experts[0]
    asked = e1.api.ask(sid, "bid-a", "请澄清第3.2节的交货期")
    assert _code(lambda: e1.api.ask(sid, "bid-x", "?")) == "evaluation.unknown_bid"
    # The bid's bidder sees the request among its own; another bidder does not, and cannot answer it.
    assert [q.id for q in c.bidder.api.clarifications().clarifications] == [asked.id]
    other = party(live_server.url, pki, "ent-a-ec")  # the same enterprise from another CA: the same identity
    assert [q.id for q in other.api.clarifications().clarifications] == [asked.id]
    stranger = party(live_server.url, pki, "ent-b")
    live_server.admin("grant", "--identity", stranger.identity, "--role", "bidder")
    stranger = party(live_server.url, pki, "ent-b")
    assert stranger.api.clarifications().clarifications == []
    assert _code(lambda: stranger.api.answer(asked.id, "x", stranger.sign)) == "evaluation.clarification_not_found"
    # The answer must be signed by the bidder's own key.
    from bidclient.protocol.evaluation_session import answer_statement

    content = answer_statement(asked.id, "交货期为30日")
    assert _code(lambda: c.bidder.client.post_json(f"/api/v1/evaluation/clarifications/{asked.id}/answer", {
        "content": base64.b64encode(content).decode(),
        "signature": base64.b64encode(stranger.sign(content)).decode()})) == "evaluation.signer_mismatch"
    answered = c.bidder.api.answer(asked.id, "交货期为30日", c.bidder.sign)
    assert answered.answer == "交货期为30日" and answered.answered_by == c.bidder.identity
    assert _code(lambda: c.bidder.api.answer(asked.id, "again", c.bidder.sign)) == "evaluation.already_answered"
    seen = c.experts[1].api.clarifications(sid).clarifications
    assert [(q.question, q.answer) for q in seen] == [("请澄清第3.2节的交货期", "交货期为30日")]
    # A bidder never sees the session itself.
    assert _code(lambda: c.bidder.api.get(sid)) == "evaluation.session_not_found"
