"""The evaluation session wired to the platform, over real HTTP on SQLite and PostgreSQL: its committee is the
tender's expert draw (a declared conflict calls the draw's next reserve), its bids and prices are the
opening's opened bids, its criteria the tender's; the server ranks with the same rules as the chair's client
(same numbers, checked on both sides); and the server validates every uploaded report signature, refusing
— and auditing — a foreign or tampered one."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.x509.oid import NameOID
from sqlalchemy import select, update

from bidclient.api_client import ApiError
from bidclient.evaluation.report import sign_report, verify_report
from bidclient.evaluation.session import (
    EvaluationApi,
    EvaluationError,
    committee_result,
    open_workspace,
    result_differences,
    write_session_report,
)
from bidclient.experts import ExpertsService
from bidclient.protocol.evaluation_rules import show
from bidclient.protocol.evaluation_session import Phase, SessionCreateIn
from tests.server.conftest import RunningServer
from tests.server.evaluation_helpers import issue_expert, person
from tests.server.expert_helpers import expert_row, import_pool, own_tender, place_bid, request, uscc, world
from tests.server.submission_helpers import _filled, db_session

SCORING = {"method": "comprehensive", "criteria": [
    {"id": "tech", "name": "技术方案", "weight": 30, "score_range": {"min": 0, "max": 30}, "kind": "subjective"},
    {"id": "service", "name": "售后服务", "weight": 10, "score_range": {"min": 0, "max": 10}, "kind": "objective"},
    {"id": "price", "name": "价格分", "weight": 60, "score_range": {"min": 0, "max": 100}, "kind": "objective",
     "price": True, "formula": "cn-87-art55"}]}
EVALUATION = {"review_items": [{"id": "licence", "name": "营业执照", "kind": "qualification"}],
              "sme_price_deduction": "10", "recommended_candidates": 2}
PRICES = {"北京甲公司": "1000000.00", "上海乙公司": "850000.00", "广州丙公司": "950000.00"}


def _code(call) -> str:  # type: ignore[no-untyped-def]
    with pytest.raises((ApiError, EvaluationError)) as caught:
        call()
    return str(caught.value.code)


def _tender_with_opening(data: Path, agency_account: str) -> tuple[str, dict[str, str]]:
    """A version-3 tender with scoring and evaluation rules, and its opening as announced: three bids opened
    with their 唱标 prices, one revoked (its key never released). Returns the tender and name -> bid id."""
    from server.opening.models import OpeningBid, OpeningSession
    from server.submissions.models import Submission
    from server.tenders.models import TenderVersion

    tender = own_tender(data, agency_account, evaluation=EVALUATION)
    for n in range(4):
        place_bid(data, tender, uscc(700001 + n))
    now = datetime.now(UTC)
    with db_session(data) as db:
        version = db.execute(select(TenderVersion).where(TenderVersion.tender_id == tender)).scalar_one()
        stated = json.loads(version.definition)
        stated["scoring"] = SCORING
        version.definition = json.dumps(stated, ensure_ascii=False).encode()
        db.add(_filled(OpeningSession, tender_id=tender, state="announced", hosts="[]", supervisors="[]",
                       scheduled_by="test", scheduled_at=now, step=5, window_minutes=30, record_signers="[]"))
        db.flush()
        subs = list(db.execute(select(Submission).where(Submission.tender_id == tender)
                               .order_by(Submission.identity_key)).scalars())
        ids = {}
        for position, (sub, name) in enumerate(zip(subs, [*PRICES, "深圳丁公司"], strict=True), start=1):
            opened = name in PRICES
            announced = {"bidder": name, "price": PRICES[name], "price_figures": PRICES[name]} if opened else None
            db.add(_filled(OpeningBid, submission_id=sub.id, tender_id=tender, position=position,
                           identity_key=sub.identity_key, organization=name,
                           state="opened" if opened else "revoked", attempts=1,
                           announced=json.dumps(announced, ensure_ascii=False) if announced else None))
            ids[name] = sub.id
        db.commit()
    return tender, ids


def test_a_session_from_the_draw_and_the_opening_ranked_on_the_server(live_server: RunningServer, pki,  # type: ignore[no-untyped-def]
                                                                       tmp_path: Path) -> None:
    from server.audit.models import AuditEntry
    from server.experts.models import Draw, Pick

    data = live_server.data
    w = world(live_server, pki)
    agency = EvaluationApi(w.agency.client)
    keys = [issue_expert(pki, f"专家{uuid.uuid4().hex[:4]}{n}") for n in range(5)]
    names = [str(k.certificate.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value) for k in keys]
    import_pool(tmp_path, w.admin, [expert_row(2000 + n, identity=f"person:{name}") | {"name": name}
                                    for n, name in enumerate(names)])
    representative_key = issue_expert(pki, f"采购人代表{uuid.uuid4().hex[:4]}")
    rep_identity = "person:" + str(representative_key.certificate.subject.get_attributes_for_oid(
        NameOID.COMMON_NAME)[0].value)
    assert live_server.admin("grant", "--identity", rep_identity, "--role", "expert") == 0
    people = {f"person:{n}": person(live_server.url, k) for n, k in zip(names, keys, strict=True)}
    representative = person(live_server.url, representative_key)
    tender, bid_ids = _tender_with_opening(data, w.agency.account_id)

    # The draw: 4 experts and 1 reserve from the 5 in the pool, plus 1 representative of the tenderer.
    drawn = w.agency.experts.run_draw(w.agency.experts.commit_draw(request(
        tender, [{"specialty": "it.hw", "count": 4, "reserves": 1}], representatives=1)).id)
    assert _code(lambda: agency.create(SessionCreateIn(tender_id=tender))) == "evaluation.too_early"
    bare = own_tender(data, w.agency.account_id)  # no draw, no opening
    assert _code(lambda: agency.create(SessionCreateIn(tender_id=bare))) == "evaluation.no_draw"
    assert _code(lambda: agency.create(SessionCreateIn(tender_id=bare, experts=[rep_identity]))) == \
        "evaluation.opening_not_done"
    assert w.agency.experts.get_draw(drawn.id).members is None  # names hidden until the evaluation begins
    for p in people.values():
        for invitation in ExpertsService(p.client).invitations():
            ExpertsService(p.client).accept(invitation.id)
    with db_session(data) as db:  # the evaluation begins: the draw's start time has come
        db.execute(update(Draw).where(Draw.id == drawn.id).values(
            starts_at=datetime.now(UTC) - timedelta(minutes=1), respond_by=datetime.now(UTC) - timedelta(hours=1)))
        db.commit()
    assert _code(lambda: agency.create(SessionCreateIn(tender_id=tender))) == "evaluation.representatives"
    session = agency.create(SessionCreateIn(tender_id=tender, representatives=[rep_identity],
                                            sme_bids=[bid_ids["北京甲公司"]]))
    sid = session.id
    members = [m.identity_key for m in session.members]
    assert session.draw_id == drawn.id and len(members) == 5 and members[-1] == rep_identity
    reserve_identity = next(k for k in people if k not in members)
    # The bids are the opened ones with their announced prices (the revoked one is not evaluated); the
    # criteria and rules are the tender's.
    d = session.definition
    assert {(b.name, str(b.price), b.sme) for b in d.bids} == {
        ("北京甲公司", "1000000.00", True), ("上海乙公司", "850000.00", False), ("广州丙公司", "950000.00", False)}
    assert [(c.id, c.kind) for c in d.criteria] == [("tech", "subjective"), ("service", "objective"),
                                                   ("price", "computed")]
    assert (d.candidates, d.sme_deduction, [r.id for r in d.review_items]) == (2, Decimal(10), ["licence"])
    a, b, c = bid_ids["北京甲公司"], bid_ids["上海乙公司"], bid_ids["广州丙公司"]
    # The agency now sees the drawn experts' names (the evaluation has begun).
    assert {m["name"] for m in w.agency.experts.get_draw(drawn.id).members or []} >= set(names) - {
        reserve_identity.removeprefix("person:")}

    # Check-in; a declared conflict releases the expert's place in the draw and invites the reserve.
    committee = [people[k] for k in members[:-1]] + [representative]
    for m in committee:
        m.api.check_in(sid, m.identity, m.sign)
    conflicted = committee[1]
    conflicted.api.declare(sid, conflicted.identity, conflicted.sign, conflict=True, detail="曾在上海乙公司任职")
    for m in committee[:1] + committee[2:]:
        m.api.declare(sid, m.identity, m.sign, conflict=False, detail="")
    assert _code(lambda: agency.add_reserves(sid)) == "evaluation.reserve_not_ready"
    reserve = people[reserve_identity]
    invitation = ExpertsService(reserve.client).invitations()[0]
    assert invitation.state == "pending"
    ExpertsService(reserve.client).accept(invitation.id)
    assert [m.identity_key for m in agency.add_reserves(sid).members][-1] == reserve_identity
    reserve.api.check_in(sid, reserve.identity, reserve.sign)
    reserve.api.declare(sid, reserve.identity, reserve.sign, conflict=False, detail="")
    with db_session(data) as db:
        states = dict(db.execute(select(Pick.role, Pick.state).where(Pick.draw_id == drawn.id,
                                                                     Pick.reason == "declared_conflict")).all())
    assert states == {"member": "withdrawn"}
    experts = [m for m in committee if m is not conflicted] + [reserve]

    # Election, review (上海乙公司 fails for 3 of 5), scoring, signed sheets.
    agency.advance(sid, Phase.ELECTION)
    chair = experts[0]
    for m in experts:
        m.api.vote_chair(sid, chair.identity)
    chair.api.advance(sid, Phase.READING)
    chair.api.advance(sid, Phase.REVIEW)
    spaces = [open_workspace(m.client, sid, m.identity, path=tmp_path / f"j{n}.sqlite") for n, m in enumerate(experts)]
    try:
        for n, space in enumerate(spaces):
            for bid in (a, b, c):
                fails = bid == b and n < 3
                space.review(bid, "licence", passed=not fails, reason="营业执照已过期" if fails else "")
        chair.api.advance(sid, Phase.SCORING)
        for n, space in enumerate(spaces):
            space.score(a, "tech", str(20 + n))
            space.score(c, "tech", "26")
            space.score(a, "service", "8")
            space.score(c, "service", "9" if n else "7")  # the chair differs on an objective item: flagged
        for space, m in zip(spaces, experts, strict=True):
            space.submit(m.sign)
    finally:
        for space in spaces:
            space.close()
    chair.api.advance(sid, Phase.SUMMARY)

    # The server's result is the rules' result: the chair's client recomputes it and finds the same numbers.
    summary = chair.api.summary(sid)
    result = committee_result(chair.api, sid)
    lines = {line.bid: line for line in summary.lines}
    assert lines[b].excluded and lines[b].rank is None
    assert summary.benchmark == "900000.00" == show(result.price.benchmark)  # 1,000,000.00 less 10% (SME)
    assert (lines[a].evaluated_price, lines[a].price_score) == ("900000.00", "100.00")
    assert lines[c].price_score == "94.74"  # 900000.00 / 950000.00 × 100
    for row in result.ranking.rows:
        assert (lines[row.bidder_id].total, lines[row.bidder_id].rank) == (show(row.final or 0), row.rank)
    assert summary.candidates == list(result.ranking.candidates) == [c, a]
    assert {(f["code"], f["expert"], f["bid"]) for f in summary.flags} == {
        ("objective_differs", chair.identity, c)}
    doctored = summary.model_copy(update={"candidates": [a, c]})
    assert result_differences(result, doctored) and not result_differences(result, summary)
    chair.api.advance(sid, Phase.RANKING)
    chair.api.advance(sid, Phase.REPORT)

    # The report: a revision whose new signature is not the uploader's, or whose signed bytes were changed,
    # is refused with its code and kept on the record; the members' own signatures are accepted in turn.
    report = write_session_report(chair.api, sid, tmp_path / "report.pdf", created_at="2026-12-02 17:00 北京时间")
    original = report.read_bytes()
    sign_report(report, experts[1].key, allow_skip=True)  # the second member's signature, uploaded by the chair
    assert _code(lambda: chair.api.sign_report(sid, report.read_bytes())) == "evaluation.report_signer_mismatch"
    report.write_bytes(original)
    sign_report(report, chair.key)
    signed = report.read_bytes()
    at = signed.index(b"/Count")  # a change inside the signed bytes
    tampered = signed[:at] + b"/Cnt__" + signed[at + 6:]
    assert _code(lambda: chair.api.sign_report(sid, tampered)) == "evaluation.report_signature_invalid"
    with db_session(data) as db:
        refused = list(db.execute(select(AuditEntry).where(AuditEntry.action == "evaluation.report_refused",
                                                           AuditEntry.object_id == sid)).scalars())
    assert len(refused) == 2
    for n, m in enumerate(experts):
        if n:
            report.write_bytes(m.api.report(sid))
            sign_report(report, m.key)
        m.api.sign_report(sid, report.read_bytes())
    final = tmp_path / "final.pdf"
    final.write_bytes(agency.report(sid))
    roots = [x509.load_pem_x509_certificate(p.read_bytes()) for p in sorted(Path(pki.trust_dir).glob("*.pem"))]
    verified = verify_report(final, roots)
    assert not verified.problems and [s.state for s in verified.members] == ["agreed"] * 5
    chair.api.advance(sid, Phase.CLOSED)
