"""The committee remedy (补救方案) at the opening, over real HTTP: a 2-of-3 committee made by the real key
ceremony (the host's SoftHSM dongle and two members from another CA's PKCS#12 files), bids sealed to its
certificate; one bidder never releases its key and the committee opens its bid instead. Partial results are
refused before the opening time, from a non-member, and when forged (the member is named); one partial
(k−1) opens nothing; with a member offline, the other two (k of n) open the bid."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from sqlalchemy import select, update

from bidclient import committee as committees
from bidclient import opening
from crypto import cms_sign
from crypto import threshold as th
from crypto.pin import PinRequest
from tests.opening_helpers import P12_PASSWORD
from tests.server.conftest import RunningServer
from tests.server.submission_helpers import db_session, set_times
from tests.server.test_opening import Opening, Yes, _close_window, _code, _trust


class Member(Yes):
    """A committee member at its terminal: gives its PIN (or file password) and confirms."""

    def __init__(self, pin: str) -> None:
        super().__init__()
        self.pin = pin

    def ask_pin(self, request: PinRequest) -> str | None:
        return self.pin


def _allow_remedy(data: Path, tender_id: str) -> None:
    from server.tenders.models import TenderVersion

    with db_session(data) as db:
        row = db.query(TenderVersion).filter_by(tender_id=tender_id).one()
        definition = json.loads(row.definition)
        definition["opening"] = {"remedy": True}
        db.execute(update(TenderVersion).where(TenderVersion.id == row.id)
                   .values(definition=json.dumps(definition).encode()))
        db.commit()


@pytest.mark.parametrize("backend", ["sqlite"])
def test_committee_remedy_opens_a_bid_whose_bidder_did_not(live_server: RunningServer, pki: Any,
                                                           tmp_path: Path) -> None:
    o = Opening(live_server, pki, tmp_path, bidders=())
    third = o.third
    with o.as_("centre") as (_a, s):
        centre_id = opening._me(s)
    assert live_server.admin("grant", "--identity", centre_id, "--role", "opening_staff") == 0
    members = {  # member number → (key, encryption key, PIN)
        1: (pki.party("opener-1").signing_uri, None, pki.user_pin),
        2: (str(third.centre), str(third.centre_enc), P12_PASSWORD),
        3: (str(third.agency), str(third.agency_enc), P12_PASSWORD),
    }
    # The agency names the committee; each member deals, then acknowledges: the committee is complete.
    with o.as_("agency") as (a, _s):
        made = committees.create(a.client, tender_id=o.tender, threshold=2, members=[
            (Path(pki.party("opener-1").signing_cert), Path(pki.party("opener-1").encryption_cert)),
            (third.certificate(third.centre), third.certificate(third.centre_enc)),
            (third.certificate(third.agency), third.certificate(third.agency_enc))])
    cid = made.committee_id
    for step in (committees.deal, lambda m, c: committees.acknowledge(m, c, Member(""))):
        for key, enc, pin in members.values():
            with committees.open_member(live_server.url, key, Member(pin), encryption_key=enc) as m:
                out = step(m, cid)
    assert out.status == "complete" and out.certificate is not None
    o.opening_cert = x509.load_pem_x509_certificate(out.certificate.encode())
    _allow_remedy(live_server.data, o.tender)
    o.add_bidders(("ent-a", "ent-b", "ent-c"))
    set_times(live_server.data, o.tender, deadline=datetime.now(UTC) - timedelta(seconds=1),
              opening=datetime.now(UTC) + timedelta(hours=1))
    o.host(lambda a, s: a.lock())
    target = o.submissions["ent-c"]

    def partial_from(number: int, *, forged: bool = False) -> Any:
        key, enc, pin = members[number]
        with committees.open_member(live_server.url, key, Member(pin), encryption_key=enc) as m:
            api = opening.OpeningApi(m.client, o.tender)
            if not forged:
                return opening.contribute_partial(api, m, target, Member(pin))
            remedy = api.remedy(target)
            ceremony = th.Ceremony(cid, 2, 3)
            share = th.KeyShare(ceremony, number, 12345, b"")  # not the member's committed share
            fake = th.compute_partial(share, bytes.fromhex(remedy.ephemeral[0]), remedy.context).to_bytes()
            return api.post_partial(target, fake, m.sign(fake))

    # Before the opening time no partial result is accepted, from anyone.
    with committees.open_member(live_server.url, members[2][0], Member(P12_PASSWORD),
                                encryption_key=members[2][1]) as m:
        early = opening.OpeningApi(m.client, o.tender)
        assert _code(lambda: early.post_partial(target, b"{}", m.sign(b"{}"))) == "opening.before_opening_time"
    set_times(live_server.data, o.tender, deadline=datetime.now(UTC) - timedelta(minutes=1),
              opening=datetime.now(UTC) - timedelta(seconds=1))
    o.host(lambda a, s: a.open_window([x509.load_pem_x509_certificate(
        Path(pki.party("opener-1").encryption_cert).read_bytes())]))
    for who in ("ent-a", "ent-b"):  # ent-c's dongle is "broken": it never releases its key
        with o.as_(who) as (a, s):
            opening.release_key(a, s, Yes(), bid=o.bids[who])
    o.host(lambda a, s: opening.open_released_bids(a, s, _trust(pki, o), tmp_path / "opened"))
    # While the window is open, ent-c may still release its key: no remedy yet.
    assert o.host(lambda a, s: _code(lambda: a.start_remedy(target))) == "opening.remedy_not_needed"
    _close_window(live_server.data, o.tender)
    # A key arriving after the window closed is refused: judged by its arrival, as the deadline is.
    with o.as_("ent-c") as (a, s):
        assert _code(lambda: opening.release_key(a, s, Yes(), bid=o.bids["ent-c"])) == "opening.window_closed"
    remedy = o.host(lambda a, s: a.start_remedy(target))
    assert (remedy.committee_id, remedy.threshold, remedy.partials) == (cid, 2, [])
    # A non-member (a bidder) cannot contribute.
    with o.as_("ent-a") as (a, s):
        fake = b"{}"
        assert _code(lambda: a.post_partial(target, fake, cms_sign.sign_detached(fake, s.signer()))) in (
            "opening.not_member", "auth.forbidden")
    # A forged partial (a share that is not the committed one) is refused, naming its member.
    assert _code(lambda: partial_from(2, forged=True)) == "opening.partial_invalid"
    # ... and the refusal stays on the record (who sent it, why), although the request was rolled back.
    from server.audit.models import AuditEntry
    from server.live.models import LiveEvent

    with db_session(live_server.data) as db:
        actions = [a for a, in db.execute(select(AuditEntry.action).where(AuditEntry.object_id == target))]
        announced = [json.loads(p) for p, in db.execute(
            select(LiveEvent.payload).where(LiveEvent.kind == "opening.partial_refused"))]
    assert actions.count("opening.partial_refused") == 1
    assert len(announced) == 1 and announced[0]["member"] == 2 and announced[0]["submission_id"] == target
    assert announced[0]["reason"]
    # Member 1 contributes: k−1 = 1 partial opens nothing.
    assert [p.member for p in partial_from(1).partials] == [1]
    waiting = o.host(lambda a, s: opening.open_released_bids(a, s, _trust(pki, o), tmp_path / "opened"))
    assert [(r.submission_id, r.state) for r in waiting] == [(target, "remedy")]
    # Member 3 is offline; member 2 contributes: k = 2 of n = 3 open the bid, verified like any other.
    assert sorted(p.member for p in partial_from(2).partials) == [1, 2]
    done = o.host(lambda a, s: opening.open_released_bids(a, s, _trust(pki, o), tmp_path / "opened"))
    assert [(r.submission_id, r.state) for r in done] == [(target, "opened")]
    assert done[0].directory is not None and (done[0].directory / "tech" / "proposal.pdf").is_file()
    announced = o.host(lambda a, s: a.announce())
    by_sub = {b.submission_id: b for b in announced.bids}
    assert by_sub[target].outcome == "opened" and by_sub[target].remedied is True
    assert by_sub[target].announced is not None and by_sub[target].announced.price == "1000000"
