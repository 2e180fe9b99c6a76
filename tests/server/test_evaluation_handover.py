"""The opened bids reach the drawn experts through the platform, over real HTTP: a real opening (SoftHSM
dongles for the host and two bidders, real sealed bids, a third bidder whose key is never released), then the
evaluation session's seated experts (one on a SoftHSM dongle, one from a PKCS#12 file). The host hands the
opened bids over (content keys wrapped to each expert's registered encryption certificate); each expert
fetches, decrypts and verifies them. Probes: before the committee is seated, a recipient that is not a seated
member, a bid the opening did not open, bidders / agency / host / a recused expert asking for a bid, a stored
bid tampered with. And the server never holds a content key in the clear: everything it stored is scanned
for the keys' bytes."""

from __future__ import annotations

import base64
import io
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from sqlalchemy import select, text, update

from bidclient import opening, opening_handover
from bidclient.api_client import ApiClient, ApiError
from bidclient.cli.main import main
from bidclient.errors import BidclientError
from bidclient.evaluation import bids as eval_bids
from bidclient.evaluation.session import EvaluationApi
from bidclient.protocol.evaluation_session import (
    BidRef,
    CriterionDef,
    Phase,
    ReviewItemDef,
    SessionCreateIn,
    SessionDefinition,
)
from crypto import cms_envelope, cms_sign
from tests.opening_helpers import identity_of, login, session_for
from tests.server.conftest import RunningServer
from tests.server.submission_helpers import db_session, set_times
from tests.server.test_opening import Opening, Yes, _close_window, _trust


def _now() -> datetime:
    return datetime.now(UTC)


def _code(call: Any) -> str:
    with pytest.raises((ApiError, BidclientError)) as caught:
        call()
    return str(caught.value.code)


def _status(call: Any) -> int:
    with pytest.raises(ApiError) as caught:
        call()
    return int(caught.value.status or 0)


def _opened(o: Opening) -> None:
    """Lock, open the window, ent-a and ent-b release their keys, the host opens them; ent-c never releases
    (revoked, 撤销); the opening announces."""
    data = o.server.data
    set_times(data, o.tender, deadline=_now() - timedelta(seconds=1), opening=_now() + timedelta(hours=1))
    o.host(lambda a, s: a.lock())
    set_times(data, o.tender, deadline=_now() - timedelta(minutes=2), opening=_now() - timedelta(seconds=1))
    o.host(lambda a, s: a.open_window([o.opening_cert]))
    for who in ("ent-a", "ent-b"):
        with o.as_(who) as (a, s):
            opening.release_key(a, s, Yes(), bid=o.bids[who])
    results = o.host(lambda a, s: opening.open_released_bids(a, s, _trust(o.pki, o), o.tmp / "host-opened"))
    assert sorted(r.state for r in results) == ["opened", "opened"]
    _close_window(data, o.tender)
    assert o.host(lambda a, s: a.announce()).state == "announced"


def _definition(o: Opening) -> SessionDefinition:
    prices = {"ent-a": "1234567.89", "ent-b": "995000.00", "ent-c": "1000000.00"}
    names = {b.submission_id: b.organization or b.identity_key for b in o.host(lambda a, s: a.get().bids)}
    return SessionDefinition(
        bids=[BidRef(id=o.submissions[w], name=names[o.submissions[w]], price=Decimal(prices[w]))
              for w in ("ent-a", "ent-b", "ent-c")],
        criteria=[CriterionDef(id="tech", name="技术方案", min=0, max=40, weight=40),  # type: ignore[arg-type]
                  CriterionDef(id="price", name="价格分", min=0, max=100, weight=60, kind="computed")],  # type: ignore[arg-type]
        review_items=[ReviewItemDef(id="licence", name="营业执照", kind="qualification")], candidates=1)


def _content_key(o: Opening, who: str) -> bytes:
    with session_for(o.pki, o.third, who) as s, open(o.bids[who], "rb") as f:
        head = f.read(1 << 20)
        info = cms_envelope.describe(io.BytesIO(head))
        own = next(c for c in s.certificates() for r in info.recipients if r.matches(c))
        return cms_envelope.content_key(io.BytesIO(head), s.decrypter(own))


def _stored_everywhere(server: RunningServer) -> list[bytes]:
    """Every value the server keeps: each column of each row of every table, and every blob file."""
    from server.schema import import_models

    found: list[bytes] = []
    base = import_models()
    with db_session(server.data) as db:
        for table in base.metadata.sorted_tables:
            for row in db.execute(select(table)).all():
                for value in row:
                    if isinstance(value, bytes | bytearray | memoryview):
                        found.append(bytes(value))
                    elif value is not None:
                        found.append(str(value).encode("utf-8", "replace"))
    found += [p.read_bytes() for p in (server.data / "blobs").rglob("*") if p.is_file()]
    return found


def _raw_handover(client: ApiClient, session_id: str, submission: str, expert: str, envelope: bytes) -> Any:
    return client.post_json(f"/api/v1/evaluation/sessions/{session_id}/handover",
                            {"keys": [{"submission_id": submission, "expert": expert,
                                       "key_envelope": base64.b64encode(envelope).decode()}]})


def _envelope_to(cert: x509.Certificate) -> bytes:
    out = io.BytesIO()
    cms_envelope.encrypt(io.BytesIO(b"\x01" * 32), out, [cert], length=32)
    return out.getvalue()


def _run(capsys: pytest.CaptureFixture[str], *args: Any) -> tuple[int, str, str]:
    capsys.readouterr()
    status = main([str(a) for a in args])
    out = capsys.readouterr()
    return status, out.out, out.err


def test_the_host_hands_the_opened_bids_to_the_seated_experts(live_server: RunningServer, pki: Any,
                                                               tmp_path: Path,
                                                               capsys: pytest.CaptureFixture[str]) -> None:
    o = Opening(live_server, pki, tmp_path, bidders=("ent-a", "ent-b", "ent-c"))
    token = ["--pin-source", f"file:{pki.pin_file}", "--server", live_server.url]
    trust_args = ["--trust", pki.trust_dir, "--trust", o.third.ca_pem]
    _opened(o)
    trust_list = _trust(pki, o)
    experts = ("centre-1", "centre")  # a SoftHSM dongle; a PKCS#12 file from another CA
    ids = {}
    for who in experts:
        with session_for(pki, o.third, who) as s:
            ids[who] = identity_of(s)
        assert live_server.admin("grant", "--identity", ids[who], "--role", "expert") == 0
    with session_for(pki, o.third, "agency") as s:
        agency, _ = login(live_server.url, s)
    created = EvaluationApi(agency).create(SessionCreateIn(tender_id=o.tender, experts=[ids[w] for w in experts],
                                                           definition=_definition(o)))
    sid = created.id

    # Before the committee is seated, nothing is handed over (the server says so, and so does the client).
    with o.as_("opener-1") as (a, s):
        host = a.client
        assert _code(lambda: opening_handover.hand_over(host, o.tender, s, trust_list, Yes())) == "handover.not_seated"
        assert _code(lambda: _raw_handover(host, sid, o.submissions["ent-a"], ids["centre-1"],
                                           _envelope_to(o.opening_cert))) == "handover.not_seated"
    for who in experts:
        with session_for(pki, o.third, who) as s:
            client, _ = login(live_server.url, s)
            sign = (lambda signer: lambda data: cms_sign.sign_detached(data, signer))(s.signer())
            EvaluationApi(client).check_in(sid, ids[who], sign)
            EvaluationApi(client).declare(sid, ids[who], sign, conflict=False, detail="")
            # The expert's client registers the dongle's encryption certificate (paired by identity): by the
            # CLI at check-in, or on the first fetch (nothing was handed over yet).
            if who == "centre-1":
                status, out, err = _run(capsys, "evaluation", "register-key", sid, "--key",
                                        pki.party(who).signing_uri, *token)
                assert status == 0 and "registered" in out, err
            else:
                assert _code(lambda c=client, w=who, k=s: eval_bids.fetch_bids(
                    c, sid, k, trust_list, tmp_path / w)) == "handover.nothing_yet"
            if who == "centre":  # someone else's encryption certificate is refused
                ent_a_enc = Path(pki.party("ent-a").encryption_cert).read_text()
                assert _code(lambda c=client, pem=ent_a_enc: c.request(
                    "PUT", f"/api/v1/evaluation/sessions/{sid}/encryption-certificate",
                    json={"certificate": pem})) == "handover.certificate_invalid"
    EvaluationApi(agency).advance(sid, Phase.ELECTION)

    with o.as_("opener-1") as (a, s):
        host = a.client
        state = opening_handover.handover_state(host, o.tender)[0]
        assert state.seated and {m.identity_key for m in state.members} == set(ids.values())
        # A key envelope to a certificate that is not the seated member's, a non-member, a bid not opened.
        ent_a_cert = x509.load_pem_x509_certificate(Path(pki.party("ent-a").encryption_cert).read_bytes())
        assert _code(lambda: _raw_handover(host, sid, o.submissions["ent-a"], ids["centre-1"],
                                           _envelope_to(ent_a_cert))) == "handover.recipient_invalid"
        assert _code(lambda: _raw_handover(host, sid, o.submissions["ent-a"], identity_of(s),
                                           _envelope_to(o.opening_cert))) == "handover.recipient_invalid"
        expert_cert = x509.load_pem_x509_certificate(state.members[0].certificate.encode())  # type: ignore[union-attr]
        assert _code(lambda: _raw_handover(host, sid, o.submissions["ent-c"], state.members[0].identity_key,
                                           _envelope_to(expert_cert))) == "handover.bid_not_opened"
        # The host hands over from the command line: 2 opened bids × 2 experts; never without a yes.
        host_key = ["--key", pki.party("opener-1").signing_uri, *token, *trust_args]
        status, _out, err = _run(capsys, "opening", "hand-over", o.tender, *host_key)
        assert status != 0 and "handover.cancelled" in err
        status, out, err = _run(capsys, "opening", "hand-over", o.tender, "--yes", *host_key)
        assert status == 0, err
        assert "4 key envelope(s) handed over" in out and out.count("handed to 2 of 2 expert(s)") == 2
        status, out, err = _run(capsys, "evaluation", "handover", sid, "--server", live_server.url)  # stored login
        assert status == 0 and "committee seated" in out and "not opened at the opening" in out, err
        asked = Yes()
        done = opening_handover.hand_over(host, o.tender, s, trust_list, asked)
        assert [r.handed for r in done] == [0] and not asked.questions  # nothing missing: nothing asked
        handed = {b.submission_id: sorted(b.handed_to) for b in done[0].session.bids}
        assert handed[o.submissions["ent-a"]] == handed[o.submissions["ent-b"]] == sorted(ids.values())
        assert handed[o.submissions["ent-c"]] == []
        # The host itself cannot take a bid through the evaluation routes.
        assert _status(lambda: host.request("GET", f"/api/v1/evaluation/sessions/{sid}/bids/"
                                                   f"{o.submissions['ent-a']}/key")) in (403, 404)
    # Only the host hands over; the agency and the supervisor see, bidders are told nothing exists.
    assert _code(lambda: _raw_handover(agency, sid, o.submissions["ent-a"], ids["centre-1"], b"x")) == \
        "handover.not_host"
    assert EvaluationApi(agency).client.get_json(f"/api/v1/evaluation/sessions/{sid}/handover")["seated"] is True
    with o.as_("ent-a") as (a, s):
        bidder = a.client
        assert _status(lambda: bidder.get_json(f"/api/v1/evaluation/sessions/{sid}/handover")) == 404
        for what in ("key", "envelope"):
            assert _status(lambda w=what: bidder.request(
                "GET", f"/api/v1/evaluation/sessions/{sid}/bids/{o.submissions['ent-a']}/{w}")) in (403, 404)
    assert _status(lambda: agency.request(
        "GET", f"/api/v1/evaluation/sessions/{sid}/bids/{o.submissions['ent-a']}/envelope")) in (403, 404)

    # Each expert fetches, opens with the dongle and verifies; the files are there, nothing else.
    status, out, err = _run(capsys, "evaluation", "fetch-bids", sid, "-o", tmp_path / "cli",
                            "--key", pki.party("centre-1").signing_uri, *token, *trust_args)
    assert status == 0, err
    assert out.count("verified →") == 2 and len(list((tmp_path / "cli").iterdir())) == 2
    for who in experts:
        with session_for(pki, o.third, who) as s:
            client, _ = login(live_server.url, s)
            seen: list[tuple[int, int]] = []
            fetched = eval_bids.fetch_bids(client, sid, s, trust_list, tmp_path / who,
                                           progress=lambda d, t, into=seen: into.append((d, t)))
            assert [(f.ok, f.failure_code) for f in fetched] == [(True, None), (True, None)]
            assert seen[-1] == (2, 2)
            for f in fetched:
                assert f.directory is not None and (f.directory / "tech" / "proposal.pdf").is_file()
            assert sorted(p.name for p in (tmp_path / who).iterdir()) == sorted(f.directory.name for f in fetched
                                                                                if f.directory)
            assert all(f.already for f in eval_bids.fetch_bids(client, sid, s, trust_list, tmp_path / who))
            assert _code(lambda c=client: c.request("GET", f"/api/v1/evaluation/sessions/{sid}/bids/"
                                                          f"{o.submissions['ent-c']}/key")) == "handover.no_key"

    # The server never held a usable content key: no stored byte carries one, raw, hex or base64.
    stored = _stored_everywhere(live_server)
    for who in ("ent-a", "ent-b"):
        key = _content_key(o, who)
        for form in (key, key.hex().encode(), key.hex().upper().encode(), base64.b64encode(key)):
            assert not any(form in value for value in stored), f"{who}'s content key is stored in the clear"

    # A stored bid damaged on the server: the expert is told, and nothing of it is extracted.
    with db_session(live_server.data) as db:
        sha = db.execute(text("SELECT envelope_sha256 FROM submission WHERE id = :i"),
                         {"i": o.submissions["ent-b"]}).scalar_one()
    blob = next(p for p in (live_server.data / "blobs").rglob(sha + "*") if p.is_file())
    damaged = bytearray(blob.read_bytes())
    damaged[len(damaged) // 2] ^= 0x40
    blob.write_bytes(bytes(damaged))
    with session_for(pki, o.third, "centre-1") as s:
        client, _ = login(live_server.url, s)
        again = eval_bids.fetch_bids(client, sid, s, trust_list, tmp_path / "again")
    by_id = {f.submission_id: f for f in again}
    assert by_id[o.submissions["ent-a"]].ok
    bad = by_id[o.submissions["ent-b"]]
    assert (bad.ok, bad.failure_code) == (False, "handover.bid_invalid")
    assert "opening.stored_bid_damaged" in bad.failure_detail
    assert [p.name for p in (tmp_path / "again").iterdir()] == [by_id[o.submissions["ent-a"]].directory.name]  # type: ignore[union-attr]

    # An expert who loses the seat loses access at once.
    from server.evaluation.models import EvalMember

    with db_session(live_server.data) as db:
        db.execute(update(EvalMember).where(EvalMember.session_id == sid, EvalMember.identity_key == ids["centre"])
                   .values(status="recused"))
        db.commit()
    with session_for(pki, o.third, "centre") as s:
        client, _ = login(live_server.url, s)
        assert _code(lambda: client.request("GET", f"/api/v1/evaluation/sessions/{sid}/bids/"
                                                   f"{o.submissions['ent-a']}/key")) == "handover.no_key"
        assert _status(lambda: client.request("GET", f"/api/v1/evaluation/sessions/{sid}/bids/"
                                                     f"{o.submissions['ent-a']}/envelope")) == 404


@pytest.mark.parametrize("backend", ["sqlite"])
def test_a_bid_the_committee_remedied_is_handed_over_too(live_server: RunningServer, pki: Any,
                                                        tmp_path: Path) -> None:
    """ent-c never releases its key; a 2-of-3 committee opens it (补救方案). The host's terminal recovers its
    content key again from the k partial results, checked against the ceremony's commitments, and hands it
    over like the others; the expert opens and verifies all three."""
    from bidclient import committee as committees
    from tests.opening_helpers import P12_PASSWORD
    from tests.server.test_opening_remedy import Member, _allow_remedy

    o = Opening(live_server, pki, tmp_path, bidders=())
    third = o.third
    with o.as_("centre") as (_a, s):
        assert live_server.admin("grant", "--identity", identity_of(s), "--role", "opening_staff") == 0
    members = {1: (pki.party("opener-1").signing_uri, None, pki.user_pin),
               2: (str(third.centre), str(third.centre_enc), P12_PASSWORD),
               3: (str(third.agency), str(third.agency_enc), P12_PASSWORD)}
    with o.as_("agency") as (a, _s):
        cid = committees.create(a.client, tender_id=o.tender, threshold=2, members=[
            (Path(pki.party("opener-1").signing_cert), Path(pki.party("opener-1").encryption_cert)),
            (third.certificate(third.centre), third.certificate(third.centre_enc)),
            (third.certificate(third.agency), third.certificate(third.agency_enc))]).committee_id
    for step in (committees.deal, lambda m, c: committees.acknowledge(m, c, Member(""))):
        for key, enc, pin in members.values():
            with committees.open_member(live_server.url, key, Member(pin), encryption_key=enc) as m:
                out = step(m, cid)
    o.opening_cert = x509.load_pem_x509_certificate(out.certificate.encode())
    _allow_remedy(live_server.data, o.tender)
    o.add_bidders(("ent-a", "ent-b", "ent-c"))
    data = live_server.data
    set_times(data, o.tender, deadline=_now() - timedelta(seconds=1), opening=_now() + timedelta(hours=1))
    o.host(lambda a, s: a.lock())
    set_times(data, o.tender, deadline=_now() - timedelta(minutes=2), opening=_now() - timedelta(seconds=1))
    o.host(lambda a, s: a.open_window([x509.load_pem_x509_certificate(
        Path(pki.party("opener-1").encryption_cert).read_bytes())]))
    for who in ("ent-a", "ent-b"):
        with o.as_(who) as (a, s):
            opening.release_key(a, s, Yes(), bid=o.bids[who])
    _close_window(data, o.tender)
    target = o.submissions["ent-c"]
    o.host(lambda a, s: a.start_remedy(target))
    for number in (1, 2):
        key, enc, pin = members[number]
        with committees.open_member(live_server.url, key, Member(pin), encryption_key=enc) as m:
            opening.contribute_partial(opening.OpeningApi(m.client, o.tender), m, target, Member(pin))
    opened = o.host(lambda a, s: opening.open_released_bids(a, s, _trust(pki, o), tmp_path / "host"))
    assert sorted(r.state for r in opened) == ["opened"] * 3
    assert o.host(lambda a, s: a.announce()).state == "announced"

    with session_for(pki, o.third, "centre-1") as s:
        expert_id = identity_of(s)
    assert live_server.admin("grant", "--identity", expert_id, "--role", "expert") == 0
    with session_for(pki, o.third, "agency") as s:
        agency, _ = login(live_server.url, s)
    sid = EvaluationApi(agency).create(SessionCreateIn(tender_id=o.tender, experts=[expert_id],
                                                       definition=_definition(o))).id
    with session_for(pki, o.third, "centre-1") as s:
        client, _ = login(live_server.url, s)
        sign = (lambda signer: lambda data: cms_sign.sign_detached(data, signer))(s.signer())
        EvaluationApi(client).check_in(sid, expert_id, sign)
        EvaluationApi(client).declare(sid, expert_id, sign, conflict=False, detail="")
        eval_bids.register_certificate(client, sid, s)
    EvaluationApi(agency).advance(sid, Phase.ELECTION)
    with o.as_("opener-1") as (a, s):
        done = opening_handover.hand_over(a.client, o.tender, s, _trust(pki, o), Yes())
    assert [r.handed for r in done] == [3]
    assert {b.submission_id: b.remedied for b in done[0].session.bids}[target] is True
    with session_for(pki, o.third, "centre-1") as s:
        client, _ = login(live_server.url, s)
        fetched = eval_bids.fetch_bids(client, sid, s, _trust(pki, o), tmp_path / "expert")
    assert [(f.ok, f.failure_code) for f in fetched] == [(True, None)] * 3
    remedied = next(f for f in fetched if f.submission_id == target)
    assert remedied.directory is not None and (remedied.directory / "tech" / "proposal.pdf").is_file()
