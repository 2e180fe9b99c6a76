"""The expert pool and the verifiable committee draw over real HTTP on SQLite and PostgreSQL, with dongle
(SoftHSM) logins: import and its row report, status history, who sees what, the committee rules,
exclusions with reasons, verification, redraws, concurrent draws, a pool too small, invitations and reserves."""

from __future__ import annotations

import json
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import requests
from sqlalchemy import func, select, update

from bidclient.api_client import ApiError
from bidclient.errors import BidclientError
from bidclient.experts import ImportRefused, verify_record
from tests.server.conftest import RunningServer
from tests.server.expert_helpers import (
    EXPERT,
    EXPERT_IDENTITY,
    OTHER_AGENCY,
    dongle_login,
    expert_row,
    grant,
    import_pool,
    own_tender,
    place_bid,
    pool_csv,
    random_rows,
    request,
    uscc,
    world,
)
from tests.server.live_helpers import Stream
from tests.server.submission_helpers import db_session


def _audit_actions(data: Path) -> list[tuple[str, str]]:
    from server.audit.models import AuditEntry

    with db_session(data) as db:
        return [(a, o) for a, o in db.execute(select(AuditEntry.action, AuditEntry.object_id)
                                              .order_by(AuditEntry.seq)).all()]


def test_import_is_all_or_nothing_with_a_row_report(live_server: RunningServer, pki, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    w = world(live_server, pki)
    good = [expert_row(n) for n in range(3)]
    broken_uscc = expert_row(3) | {"employer_uscc": uscc(5)[:17] + ("0" if uscc(5)[17] != "0" else "1")}
    rows = [*good, broken_uscc, expert_row(4, "nosuch"), expert_row(5) | {"identity": good[0]["identity"]},
            expert_row(6) | {"email": "not-an-address"}]
    with pytest.raises(ImportRefused) as refused:
        import_pool(tmp_path, w.admin, rows)
    assert refused.value.code == "experts.csv_rows_invalid"
    report = {r.row: " ".join(r.errors) for r in refused.value.rows}
    assert sorted(report) == [5, 6, 7, 8]  # line numbers: the header is line 1
    assert "wrong check character" in report[5]
    assert "unknown specialties: nosuch" in report[6]
    assert "also on line 2" in report[7]
    assert "not an e-mail address" in report[8]
    assert w.admin.experts.list_experts().total == 0  # a bad row changes nothing

    out = import_pool(tmp_path, w.admin, good)
    assert (out.created, out.updated) == (3, 0)
    export = tmp_path / "export.csv"
    w.admin.experts.export_csv(export)
    text = export.read_text(encoding="utf-8-sig")
    assert "专家00001" in text and "admitted" in text
    # The export imports again as it is (status columns ignored): an update, nothing duplicated.
    again = w.admin.experts.import_csv(export)
    assert (again.created, again.updated) == (0, 3)
    assert w.admin.experts.list_experts().total == 3
    actions = [a for a, _o in _audit_actions(live_server.data)]
    assert actions.count("expert.admit") == 3 and actions.count("expert.update") == 3
    grants = [o for a, o in _audit_actions(live_server.data) if a == "auth.grant_role"]
    assert all(grants.count(r["identity"]) == 1 for r in good)  # each imported expert granted once, audited

    bad_encoding = tmp_path / "gbk.csv"
    bad_encoding.write_bytes(pool_csv([expert_row(9)]).decode().encode("gbk"))
    with pytest.raises(ApiError) as refused_encoding:
        w.admin.experts.import_csv(bad_encoding)
    assert refused_encoding.value.code == "experts.csv_encoding"


def test_status_history_and_who_sees_what(live_server: RunningServer, pki, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    w = world(live_server, pki)
    import_pool(tmp_path, w.admin, [expert_row(1, "it.hw;econ", identity=EXPERT_IDENTITY), expert_row(2)])
    me = dongle_login(live_server.url, pki, EXPERT)  # the import granted the expert role to the identity
    record = me.experts.me()
    assert record.name == "专家00001" and record.specialties == ["econ", "it.hw"]
    assert [h.status for h in record.history] == ["admitted"]

    until = datetime.now(UTC) + timedelta(days=30)
    w.admin.experts.set_status(record.id, "suspended", "未按时参加评标", until)
    w.admin.experts.set_status(record.id, "renewed", "续聘 2027")
    shown = w.supervisor.experts.get(record.id)
    assert [(h.status, h.reason) for h in shown.history] == [
        ("admitted", "imported"), ("suspended", "未按时参加评标"), ("renewed", "续聘 2027")]
    assert shown.history[1].until is not None and abs((shown.history[1].until - until).total_seconds()) < 1
    assert ("expert.status", record.id) in _audit_actions(live_server.data)
    # The list pages through the server: part of a name or identity, sorted on the server, either way.
    assert [e.name for e in w.supervisor.experts.list_experts(name="00002").experts] == ["专家00002"]
    assert [e.name for e in w.supervisor.experts.list_experts(name="张三").experts] == ["专家00001"]
    assert [e.name for e in w.supervisor.experts.list_experts(sort="-name").experts] == ["专家00002", "专家00001"]
    assert [e.status for e in w.supervisor.experts.list_experts(sort="-status", limit=1).experts] == ["renewed"]
    with pytest.raises(ApiError) as unsortable:
        w.supervisor.experts.list_experts(sort="email")
    assert unsortable.value.code == "experts.sort_invalid"
    with pytest.raises(ApiError) as past:
        w.admin.experts.set_status(record.id, "suspended", "x", datetime.now(UTC) - timedelta(days=1))
    assert past.value.code == "experts.suspension_until"

    # The expert sees their own record only; the agency counts the pool but reads no names.
    for call in (lambda: me.experts.list_experts(), lambda: me.experts.get(shown.id)):
        with pytest.raises(ApiError) as denied:
            call()
        assert denied.value.code == "auth.forbidden"
    with pytest.raises(ApiError) as denied:
        w.agency.experts.list_experts()
    assert denied.value.code == "auth.forbidden"
    assert w.agency.experts.count(specialty="it.hw") == 2
    with pytest.raises(ApiError) as not_expert:
        w.agency.experts.me()
    assert not_expert.value.code == "auth.forbidden"

    w.admin.experts.set_status(record.id, "dismissed", "违规")
    with pytest.raises(ApiError) as final:
        w.admin.experts.set_status(record.id, "renewed", "again")
    assert final.value.code == "experts.dismissed"


@pytest.mark.parametrize(("slots", "representatives", "code"), [
    ([{"specialty": "it.hw", "count": 4}], 0, "experts.committee_too_small"),
    ([{"specialty": "it.hw", "count": 6}], 0, "experts.committee_even"),
    ([{"specialty": "it.hw", "count": 3}, {"specialty": "law", "count": 2}], 0, "experts.committee_composition"),
    ([{"specialty": "it.hw", "count": 3}], 2, "experts.committee_composition"),  # a representative is no expert
    ([{"specialty": "it.hw", "count": 5}], 0, "experts.committee_too_small_large_project"),
    ([{"specialty": "nosuch", "count": 5}], 0, "experts.specialty_unknown"),
])
def test_committee_rules_are_refused_with_a_clear_code(live_server: RunningServer, pki, slots, representatives,  # type: ignore[no-untyped-def]
                                                        code, tmp_path: Path) -> None:
    w = world(live_server, pki)
    import_pool(tmp_path, w.admin, random_rows(40))
    large = code.endswith("large_project")
    tender = own_tender(live_server.data, w.agency.account_id,
                        evaluation={"complex": True} if large else None, budget="12000000.00")
    with pytest.raises(ApiError) as refused:
        w.agency.experts.commit_draw(request(tender, slots, representatives=representatives))
    assert refused.value.code == code and refused.value.status == 422
    if large:  # the same committee of 7 passes
        w.agency.experts.commit_draw(request(tender, [{"specialty": "it.hw", "count": 5},
                                                      {"specialty": "econ", "count": 2}]))


def test_a_draw_excludes_with_reasons_and_verifies(live_server: RunningServer, pki, tmp_path: Path,  # type: ignore[no-untyped-def]
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    data = live_server.data
    # The commitment keeps only the head of the draw order; this draw walks past it, so the run ranks the
    # whole snapshot again (and draws the same committee the verifier recomputes).
    import server.experts.service

    monkeypatch.setattr(server.experts.service, "RANKING_HEAD", 3)
    w = world(live_server, pki)
    bidder = uscc(900001)
    tenderer = uscc(900002)
    rows = random_rows(60)
    rows += [expert_row(1001, employer=bidder), expert_row(1002, employer=tenderer), expert_row(1003),
             expert_row(1004), expert_row(1005)]
    import_pool(tmp_path, w.admin, rows)
    by_name = {e.name: e.id for e in w.admin.experts.list_experts(limit=1000).experts}
    w.admin.experts.set_status(by_name["专家01003"], "suspended", "暂停", datetime.now(UTC) + timedelta(days=9))
    w.admin.experts.add_relation(by_name["专家01004"], "relative", bidder, "配偶任职")
    w.admin.experts.add_relation(by_name["专家01005"], "punished", None, "2025 年受行政处罚")
    tender = own_tender(data, w.agency.account_id, evaluation={"tenderer_uscc": tenderer})
    place_bid(data, tender, bidder)

    committed = w.agency.experts.commit_draw(request(tender, [{"specialty": "it.hw", "count": 4, "reserves": 2},
                                                              {"specialty": "econ", "count": 1, "reserves": 1}]))
    assert committed.state == "committed" and committed.seed is None
    early = w.agency.experts.record(committed.id)
    assert early["seed"] is None and early["picks"] == []  # the commitment is published, the seed is not
    reasons = {e["id"]: e["reason"] for e in early["exclusions"]}
    assert reasons[by_name["专家01001"]] == "employer_is_bidder"
    assert reasons[by_name["专家01002"]] == "employer_is_tenderer"
    assert reasons[by_name["专家01003"]] == "status"
    assert reasons[by_name["专家01004"]] == "declared_relation"
    assert reasons[by_name["专家01005"]] == "declared_relation"
    assert set(reasons) == {by_name[f"专家0100{n}"] for n in range(1, 6)}
    # The snapshot: every other expert of the requested specialties, by id, each with their region and those
    # of their specialties that were requested, sorted (an expert of it.sw only is not in it).
    wanted = {"it.hw", "econ"}
    assert early["snapshot"]["candidates"] == sorted(
        [e.id, e.region, sorted(wanted & set(e.specialties))] for e in w.admin.experts.list_experts(limit=1000).experts
        if wanted & set(e.specialties) and e.id not in reasons)
    assert any(len(c[2]) == 2 for c in early["snapshot"]["candidates"])

    from server.experts.models import Draw

    with db_session(data) as db:
        head = db.execute(select(Draw.ranking).where(Draw.id == committed.id)).scalar_one()
    assert head is not None and head.startswith('{"complete":false,') and len(json.loads(head)["order"]) == 3
    drawn = w.agency.experts.run_draw(committed.id)
    assert drawn.state == "drawn" and drawn.seed and drawn.commitment == committed.commitment
    assert drawn.counts == {"pending": 5, "waiting": 3}
    assert drawn.members is None  # names hidden from the agency before the evaluation begins
    again = w.agency.experts.run_draw(committed.id)  # running again changes nothing
    assert again.seed == drawn.seed
    record = w.agency.experts.record(committed.id)
    result = verify_record(record)
    assert (result.members, result.reserves) == (5, 3)
    assert not {p["id"] for p in record["picks"]} & set(reasons)
    assert "专家" not in json.dumps(record, ensure_ascii=False)  # ids, never names

    tampered = json.loads(json.dumps(record))
    tampered["seed"] = "00" * 32
    with pytest.raises(BidclientError, match="commitment") as wrong_seed:
        verify_record(tampered)
    assert wrong_seed.value.code == "experts.draw_mismatch"
    swapped = json.loads(json.dumps(record))
    outsider = next(c[0] for c in record["snapshot"]["candidates"]
                    if c[0] not in {p["id"] for p in record["picks"]} and "it.hw" in c[2])
    swapped["picks"][0]["id"] = outsider
    with pytest.raises(BidclientError, match="not the one the seed"):
        verify_record(swapped)
    shrunk = json.loads(json.dumps(record))
    shrunk["snapshot"]["candidates"].pop()
    with pytest.raises(BidclientError, match="hash"):
        verify_record(shrunk)

    supervisor_view = w.supervisor.experts.get_draw(committed.id)
    assert supervisor_view.members is not None and len(supervisor_view.members) == 8
    assert all(m["name"].startswith("专家") for m in supervisor_view.members)
    # Once the evaluation begins, the agency sees the names too.
    with db_session(data) as db:
        db.execute(update(Draw).where(Draw.id == committed.id)
                   .values(starts_at=datetime.now(UTC) - timedelta(minutes=1)))
        db.commit()
    assert w.agency.experts.get_draw(committed.id).members is not None
    actions = _audit_actions(data)
    assert ("expert.draw_commit", committed.id) in actions and ("expert.draw_run", committed.id) in actions


def test_no_silent_redraw(live_server: RunningServer, pki, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    w = world(live_server, pki)
    import_pool(tmp_path, w.admin, random_rows(40))
    tender = own_tender(live_server.data, w.agency.account_id)
    slots = [{"specialty": "it.hw", "count": 5}]
    first = w.agency.experts.draw(request(tender, slots))
    with pytest.raises(ApiError) as refused:
        w.agency.experts.commit_draw(request(tender, slots))
    assert refused.value.code == "experts.draw_exists"
    with pytest.raises(ApiError) as no_reason:
        w.agency.experts.commit_draw(request(tender, slots, replaces=first.id))
    assert no_reason.value.code == "experts.redraw_reason"
    second = w.agency.experts.draw(request(tender, slots, replaces=first.id, reason="评标时间变更"))
    old = w.agency.experts.get_draw(first.id)
    assert old.state == "superseded" and old.superseded_by == second.id
    assert old.counts == {"withdrawn": 6}  # the first committee's invitations are withdrawn
    assert second.replaces == first.id and second.reason == "评标时间变更"
    assert ("expert.draw_superseded", first.id) in _audit_actions(live_server.data)
    # Another agency cannot run, re-check or follow a draw that is not theirs.
    grant(live_server, dongle_login(live_server.url, pki, OTHER_AGENCY).identity, "agency")
    other = dongle_login(live_server.url, pki, OTHER_AGENCY)
    with pytest.raises(ApiError) as foreign:
        other.experts.run_draw(second.id)
    assert foreign.value.code == "experts.draw_not_found"
    with pytest.raises(ApiError):
        other.experts.get_draw(second.id)


def test_pool_too_small_names_what_is_short_and_draws_nothing(live_server: RunningServer, pki, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    w = world(live_server, pki)
    import_pool(tmp_path, w.admin, [expert_row(n, "it.hw") for n in range(6)]
                + [expert_row(100 + n, "econ", region="上海") for n in range(3)])
    tender = own_tender(live_server.data, w.agency.account_id)
    with pytest.raises(ApiError) as refused:
        w.agency.experts.commit_draw(request(tender, [{"specialty": "it.hw", "count": 5, "reserves": 2},
                                                      {"specialty": "econ", "count": 2, "regions": ["北京"]}]))
    assert refused.value.code == "experts.pool_too_small" and refused.value.status == 409
    assert "it.hw: 7 needed (members and reserves), 6 available" in str(refused.value)
    assert "econ in 北京: 3 needed (members and reserves), 0 available" in str(refused.value)
    from server.experts.models import Draw

    with db_session(live_server.data) as db:
        assert db.execute(select(func.count()).select_from(Draw)).scalar_one() == 0


def test_two_agencies_drawing_at_once_never_share_an_expert(live_server: RunningServer, pki,  # type: ignore[no-untyped-def]
                                                            tmp_path: Path) -> None:
    w = world(live_server, pki)
    other = dongle_login(live_server.url, pki, OTHER_AGENCY)
    grant(live_server, other.identity, "agency")
    import_pool(tmp_path, w.admin, [expert_row(n, "it.hw") for n in range(13)])
    tenders = [own_tender(live_server.data, w.agency.account_id), own_tender(live_server.data, other.account_id)]
    agencies = [w.agency, other]
    slots = [{"specialty": "it.hw", "count": 5, "reserves": 1}]
    committed = [a.experts.commit_draw(request(t, slots)) for a, t in zip(agencies, tenders, strict=True)]
    # Both snapshots hold the whole pool; both runs start together.
    results: list[object] = [None, None]
    barrier = threading.Barrier(2)

    def run(i: int) -> None:
        client = agencies[i].client.sibling()
        from bidclient.experts import ExpertsService

        barrier.wait()
        try:
            results[i] = ExpertsService(client).run_draw(committed[i].id)
        except ApiError as ex:
            results[i] = ex

    threads = [threading.Thread(target=run, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert all(not isinstance(r, ApiError) for r in results), results
    records = [a.experts.record(d.id) for a, d in zip(agencies, committed, strict=True)]
    chosen = [{p["id"] for p in r["picks"]} for r in records]
    assert len(chosen[0]) == len(chosen[1]) == 6
    assert not chosen[0] & chosen[1]  # no expert in two overlapping committees
    # The second run skipped the first's experts its walk met before filling its slots, each with its reason
    # and the other draw; the first skipped nobody; both verify.
    from bidclient.protocol.experts import rank

    def met(record: dict, other: dict) -> list[str]:  # type: ignore[type-arg]
        ranked = [e[0] for e in rank(record["snapshot"]["candidates"], record["seed"])]
        last = max(ranked.index(p["id"]) for p in record["picks"])
        theirs = {p["id"] for p in other["picks"]}
        return [i for i in ranked[:last] if i in theirs]

    second = 1 if records[1]["skips"] else 0
    assert records[1 - second]["skips"] == []
    assert [s["id"] for s in records[second]["skips"]] == met(records[second], records[1 - second])
    assert {(s["reason"], s["detail"]) for s in records[second]["skips"]} <= {
        ("overlapping_draw", records[1 - second]["draw_id"])}
    for r in records:
        verify_record(r)


def test_invitations_reserves_and_the_live_channel(live_server: RunningServer, pki, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    data = live_server.data
    w = world(live_server, pki)
    # The expert with a dongle is the only one of their specialty and region, so certainly drawn as member 1.
    import_pool(tmp_path, w.admin, [expert_row(1, "it.sw", identity=EXPERT_IDENTITY, region="深圳")]
                + [expert_row(n, "it.hw") for n in range(10, 17)])
    tender = own_tender(data, w.agency.account_id)
    committed = w.agency.experts.commit_draw(request(
        tender, [{"specialty": "it.sw", "count": 1, "reserves": 0, "regions": ["深圳"]},
                 {"specialty": "it.hw", "count": 4, "reserves": 2}], place="北京市海淀区评标基地 3 楼"))
    assert w.agency.client.token and w.supervisor.client.token
    stream = Stream(live_server.url, w.agency.client.token, f"draw:{committed.id}")
    try:
        w.agency.experts.run_draw(committed.id)
        me = dongle_login(live_server.url, pki, EXPERT)
        [invitation] = me.experts.invitations()
        assert invitation.state == "pending" and invitation.place == "北京市海淀区评标基地 3 楼"
        declined = me.experts.decline(invitation.id, "出差")
        assert declined.state == "declined" and declined.reason == "出差"
        with pytest.raises(ApiError) as twice:
            me.experts.accept(invitation.id)
        assert twice.value.code == "experts.invitation_answered"
        kinds = [e["kind"] for e in stream.wait(4)]
        assert kinds[:4] == ["draw.committed", "draw.drawn", "invitation.declined", "draw.short"]
        assert "张三" not in json.dumps(stream.events, ensure_ascii=False)  # the agency's channel names nobody
    finally:
        stream.close()
    # An it.hw member declines: the first reserve of that slot is invited, in draw order.
    from server.experts.models import Pick

    with db_session(data) as db:
        member = db.execute(select(Pick).where(Pick.draw_id == committed.id, Pick.slot == 1,
                                               Pick.role == "member", Pick.position == 1)).scalar_one()
        reserve_id = db.execute(select(Pick.id).where(Pick.draw_id == committed.id, Pick.slot == 1,
                                                      Pick.role == "reserve", Pick.position == 1)).scalar_one()
    with db_session(data) as db:  # the member lets the deadline pass without an answer
        db.execute(update(Pick).where(Pick.id == member.id).values(respond_by=datetime.now(UTC) - timedelta(seconds=1)))
        db.commit()
    deadline = time.monotonic() + 60  # the server's mailer round (every expert_mail_poll s) expires it
    while w.agency.experts.get_draw(committed.id).counts.get("expired") != 1:
        assert time.monotonic() < deadline, "the unanswered invitation never expired"
        time.sleep(0.2)
    with db_session(data) as db:
        called = db.get(Pick, reserve_id)
        assert called is not None and called.state == "pending" and called.invited_at is not None
        assert db.get(Pick, member.id).state == "expired"  # type: ignore[union-attr]
    assert w.agency.experts.get_draw(committed.id).counts == {"declined": 1, "expired": 1, "pending": 4,
                                                              "waiting": 1}


def test_an_answer_after_the_deadline_is_refused(live_server: RunningServer, pki, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    data = live_server.data
    w = world(live_server, pki)
    import_pool(tmp_path, w.admin, [expert_row(1, "it.sw", identity=EXPERT_IDENTITY)]
                + [expert_row(n, "it.hw") for n in range(10, 15)])
    tender = own_tender(data, w.agency.account_id)
    drawn = w.agency.experts.draw(request(tender, [{"specialty": "it.sw", "count": 1, "reserves": 0},
                                                   {"specialty": "it.hw", "count": 4, "reserves": 0}]))
    me = dongle_login(live_server.url, pki, EXPERT)
    [invitation] = me.experts.invitations()
    from server.experts.models import Pick

    with db_session(data) as db:
        db.execute(update(Pick).where(Pick.id == invitation.id)
                   .values(respond_by=datetime.now(UTC) - timedelta(minutes=1)))
        db.commit()
    for answer in (lambda: me.experts.decline(invitation.id, "太晚"), lambda: me.experts.accept(invitation.id)):
        with pytest.raises(ApiError) as late:
            answer()
        assert late.value.code == "experts.invitation_expired" and late.value.status == 409
    counts = w.agency.experts.get_draw(drawn.id).counts  # the server's mailer may have expired it meanwhile
    assert "declined" not in counts and "accepted" not in counts and sum(counts.values()) == 5
    # Another identity cannot answer it (not theirs: not found).
    response = requests.post(f"{live_server.url}/api/v1/experts/invitations/{invitation.id}/accept",
                             headers={"Authorization": f"Bearer {w.agency.client.token}"}, timeout=30)
    assert response.status_code == 403


def test_bidders_known_after_the_deadline_are_rechecked(live_server: RunningServer, pki, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    data = live_server.data
    w = world(live_server, pki)
    bidder = uscc(910001)
    import_pool(tmp_path, w.admin, [expert_row(n, "it.hw", employer=bidder) for n in range(5)]
                + [expert_row(n, "it.hw") for n in range(10, 16)])
    tender = own_tender(data, w.agency.account_id, deadline_in=timedelta(hours=2))
    drawn = w.agency.experts.draw(request(tender, [{"specialty": "it.hw", "count": 5, "reserves": 6}]))
    with pytest.raises(ApiError) as early:
        w.agency.experts.recheck(drawn.id)
    assert early.value.code == "experts.bidders_unknown"
    from server.tenders.models import TenderVersion

    with db_session(data) as db:
        db.execute(update(TenderVersion).where(TenderVersion.tender_id == tender)
                   .values(deadline=datetime.now(UTC) - timedelta(minutes=1)))
        db.commit()
    place_bid(data, tender, bidder)
    after = w.agency.experts.recheck(drawn.id)
    assert after.counts["withdrawn"] == 5
    assert after.counts["pending"] == 5  # every conflicted member was replaced by a reserve
    supervisor = w.supervisor.experts.get_draw(drawn.id)
    assert supervisor.members is not None
    assert all(m["employer_name"] != "" for m in supervisor.members)
    active = [m for m in supervisor.members if m["state"] in ("pending", "waiting", "accepted")]
    assert len(active) == 6 and all(int(m["name"][2:]) >= 10 for m in active)


def test_an_expert_is_the_same_with_another_cas_certificate(live_server: RunningServer, pki, pki_no_addresses,  # type: ignore[no-untyped-def]
                                                            tmp_path: Path) -> None:
    """The record follows the identity, not one certificate: 张三's certificate from a second PKI whose CAs put
    no CRL address in what they issue (and whose issuing CA is an intermediate) reaches the same record."""
    from bidclient.experts import ExpertsService
    from tests.server.submission_helpers import login
    from tests.server.test_auth import _trust_no_address_pki

    w = world(live_server, pki)
    import_pool(tmp_path, w.admin, [expert_row(1, "it.hw", identity=EXPERT_IDENTITY), expert_row(2)])
    by_dongle = dongle_login(live_server.url, pki, EXPERT).experts.me()
    _trust_no_address_pki(live_server, pki_no_addresses)
    other = login(live_server.url, pki_no_addresses, EXPERT)
    assert other.identity == EXPERT_IDENTITY
    by_file = ExpertsService(other.client).me()
    assert by_file.id == by_dongle.id and by_file.name == "专家00001"
