"""Experts declare and withdraw their own relations (评标委员会和评标方法暂行规定 Art. 12) over real HTTP with dongle
logins, on SQLite and PostgreSQL: only for themselves, audited, and used by the draw's exclusions."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from bidclient.api_client import ApiError
from bidclient.errors import BidclientError
from tests.server.conftest import RunningServer
from tests.server.expert_helpers import (
    EXPERT,
    EXPERT_IDENTITY,
    dongle_login,
    expert_row,
    import_pool,
    own_tender,
    place_bid,
    request,
    uscc,
    world,
)
from tests.server.submission_helpers import db_session


def _audit(data: Path) -> list[tuple[str, str, str]]:
    from server.audit.models import AuditEntry

    with db_session(data) as db:
        return [(a, o, str(actor)) for a, o, actor in db.execute(
            select(AuditEntry.action, AuditEntry.object_id, AuditEntry.actor).order_by(AuditEntry.seq)).all()]


def test_an_expert_declares_and_withdraws_their_own_relations(live_server: RunningServer, pki,  # type: ignore[no-untyped-def]
                                                               tmp_path: Path) -> None:
    data = live_server.data
    w = world(live_server, pki)
    bidder = uscc(910001)
    import_pool(tmp_path, w.admin, [expert_row(1, identity=EXPERT_IDENTITY)] + [expert_row(n) for n in range(2, 12)])
    me = dongle_login(live_server.url, pki, EXPERT)
    mine = me.experts.me()
    others = [e for e in w.admin.experts.list_experts(limit=100).experts if e.id != mine.id]
    assert me.experts.my_relations() == []

    declared = me.experts.declare_relation("relative", bidder, "配偶在该公司任职")
    assert (declared.kind, declared.uscc, declared.source, declared.withdrawn_at) == ("relative", bidder, "self", None)
    assert declared.declared_at is not None
    punished = me.experts.declare_relation("punished", None, "2025 年行政处罚",
                                           until=datetime.now(UTC) + timedelta(days=300))
    assert [r.id for r in me.experts.my_relations()] == [declared.id, punished.id]
    # The administrator and the supervisor see them on the expert's record, marked as the expert's own.
    assert [(r.kind, r.source) for r in w.supervisor.experts.get(mine.id).relations] == [
        ("relative", "self"), ("punished", "self")]

    # Refused with a code, nothing recorded: no enterprise, a broken check character, an end in the past.
    for args, code in ((("economic_interest", None), "experts.relation_uscc"),
                       (("relative", bidder[:17] + ("0" if bidder[17] != "0" else "1")), "experts.uscc_invalid")):
        with pytest.raises((ApiError, BidclientError)) as refused:
            me.experts.declare_relation(*args)
        assert refused.value.code == code
    with pytest.raises(ApiError) as past:
        me.experts.declare_relation("relative", bidder, until=datetime.now(UTC) - timedelta(days=1))
    assert past.value.code == "experts.relation_until"
    assert len(me.experts.my_relations()) == 2

    # Only for themselves: another expert's relation, and one the administrator recorded, cannot be withdrawn.
    theirs = w.admin.experts.add_relation(others[0].id, "relative", bidder, "recorded by the administrator")
    with pytest.raises(ApiError) as probe:
        me.experts.withdraw_relation(theirs.id)
    assert (probe.value.code, probe.value.status) == ("experts.relation_not_found", 404)
    assert w.admin.experts.get(others[0].id).relations[0].withdrawn_at is None
    recorded = w.admin.experts.add_relation(mine.id, "supervising_authority", uscc(910002), "主管部门")
    with pytest.raises(ApiError) as not_yours:
        me.experts.withdraw_relation(recorded.id)
    assert not_yours.value.code == "experts.relation_not_yours"
    # Nor can anyone but an expert declare through /me; the administrator has their own route.
    with pytest.raises(ApiError) as agency:
        w.agency.experts.declare_relation("relative", bidder)
    assert agency.value.code == "auth.forbidden"

    # The draw leaves the expert out while the declaration holds, with the reason and the kinds.
    tender = own_tender(data, w.agency.account_id)
    place_bid(data, tender, bidder)
    first = w.agency.experts.commit_draw(request(tender, [{"specialty": "it.hw", "count": 5, "reserves": 1}]))
    excluded = {e["id"]: e for e in w.agency.experts.record(first.id)["exclusions"]}
    assert excluded[mine.id]["reason"] == "declared_relation"
    assert excluded[mine.id]["detail"] == "punished,relative"
    assert excluded[others[0].id]["reason"] == "declared_relation"

    me.experts.withdraw_relation(punished.id)
    withdrawn = me.experts.withdraw_relation(declared.id)
    assert withdrawn.withdrawn_at is not None
    with pytest.raises(ApiError) as twice:
        me.experts.withdraw_relation(declared.id)
    assert twice.value.code == "experts.relation_withdrawn"
    assert [r.withdrawn_at is not None for r in me.experts.my_relations()] == [True, True, False]  # on record

    redraw = w.agency.experts.commit_draw(request(tender, [{"specialty": "it.hw", "count": 5, "reserves": 1}],
                                                  replaces=first.id, reason="an expert withdrew a relation"))
    record = w.agency.experts.record(redraw.id)
    assert mine.id in {c[0] for c in record["snapshot"]["candidates"]}  # withdrawn: no longer excluded
    assert others[0].id in {e["id"] for e in record["exclusions"]}

    actions = [(a, o) for a, o, _actor in _audit(data)]
    assert actions.count(("expert.relation_declare", mine.id)) == 2
    assert actions.count(("expert.relation_withdraw", mine.id)) == 2
    assert ("expert.relation_add", others[0].id) in actions
