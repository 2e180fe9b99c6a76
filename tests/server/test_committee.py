"""The committee key ceremony through a real server over HTTP, on SQLite and PostgreSQL (docs/api.md
"Opening committees"): naming, dealing, relaying, acknowledging, completion with the committee
certificate, complaints and disclosure, and every fault of issue 11 §7 that concerns the ceremony."""

from __future__ import annotations

import base64
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from sqlalchemy import select

from bidclient.api_client import ApiClient, ApiError
from bidclient.protocol.committee import complaint_message
from crypto import threshold as th
from server.committee import service
from server.committee.models import CommitteeMessage, CommitteeShare
from tests.server.committee_helpers import (
    AGENCY_PARTY,
    MEMBER_PARTIES,
    Member,
    b64,
    committee_key,
    deal_body,
    grant,
    log_in,
)
from tests.server.conftest import start_server
from tests.server.submission_helpers import db_session


@pytest.fixture
def people(live_server, pki) -> tuple[Member, list[Member]]:  # type: ignore[no-untyped-def]
    grant(live_server, pki, AGENCY_PARTY, "agency")
    for party in MEMBER_PARTIES:
        grant(live_server, pki, party, "opening_staff")
    agency = log_in(live_server.url, pki, AGENCY_PARTY)
    return agency, [log_in(live_server.url, pki, p) for p in MEMBER_PARTIES]


def _create(agency: Member, members: list[Member], k: int = 2, tender_id: str = "ZB-2026-0042") -> dict[str, Any]:
    out = agency.client.post_json("/api/v1/committees", {"tender_id": tender_id, "threshold": k,
                                                          "members": [m.member_in() for m in members]})
    assert isinstance(out, dict)
    return out


def _refused(call: Any, code: str) -> ApiError:
    with pytest.raises(ApiError) as info:
        call()
    assert info.value.code == code, info.value
    return info.value


def _key_share(member: Member, number: int, out: dict[str, Any],
               disclosures: tuple[th.ShareDisclosure, ...] = ()) -> th.KeyShare:
    fetched = member.client.get_json(f"/api/v1/committees/{out['committee_id']}/shares")
    shares = [th.EncryptedShare.from_bytes(base64.b64decode(s)) for s in fetched["shares"]]
    return th.member_key_share(committee_key(out), number, shares, member.encryption, disclosures)


def _ack(member: Member, number: int, out: dict[str, Any]) -> dict[str, Any]:
    ack = th.Acknowledgment.for_member(committee_key(out), number).to_bytes()
    return member.client.post_json(f"/api/v1/committees/{out['committee_id']}/acks", member.signed(ack))


def test_a_committee_is_formed_through_the_server_and_nobody_holds_its_key(live_server, people) -> None:  # type: ignore[no-untyped-def]
    agency, members = people
    out = _create(agency, members)
    cid = out["committee_id"]
    assert cid == "ZB-2026-0042.committee-1" and out["status"] == "dealing"
    assert [m["identity"] for m in out["members"]] == [m.identity for m in members]
    ceremony = th.Ceremony(cid, 2, 3)
    dealers = {i: th.Dealer(ceremony, i) for i in (1, 2, 3)}
    for i, member in enumerate(members, start=1):
        out = member.client.post_json(f"/api/v1/committees/{cid}/deal", deal_body(dealers[i], members, member))
    assert out["status"] == "checking"
    key = committee_key(out)
    assert out["public_key"] == key.public_point.hex()
    assert out["verification_keys"] == [key.verification_key(j).hex() for j in (1, 2, 3)]

    # Each member fetches only what is addressed to it (and its own dealer's copies).
    fetched = members[1].client.get_json(f"/api/v1/committees/{cid}/shares")
    assert fetched["member"] == 2
    assert sorted((s.sender, s.receiver) for s in (th.EncryptedShare.from_bytes(base64.b64decode(x))
                                                    for x in fetched["shares"])) == [(1, 2), (2, 2), (3, 2)]
    assert sorted((s.sender, s.receiver) for s in (th.EncryptedShare.from_bytes(base64.b64decode(x))
                                                    for x in fetched["copies"])) == [(2, 1), (2, 2), (2, 3)]
    key_shares = {j: _key_share(m, j, out) for j, m in enumerate(members, start=1)}
    for j, member in enumerate(members, start=1):
        out = _ack(member, j, out)
    assert out["status"] == "complete"
    from cryptography import x509

    cert = x509.load_pem_x509_certificate(out["certificate"].encode())
    assert cert.public_key().public_bytes(serialization.Encoding.X962,
                                          serialization.PublicFormat.UncompressedPoint) == key.public_point
    assert cert.extensions.get_extension_for_class(x509.KeyUsage).value.key_agreement

    # The key was never formed, and no share is stored in the clear: no share value, key share or
    # reconstructed key appears anywhere in the committee tables.
    secrets = [f"{d.share_value(j):064x}".encode() for d in dealers.values() for j in (1, 2, 3)]
    secrets += [f"{s.value:064x}".encode() for s in key_shares.values()]
    with db_session(live_server.data) as db:
        stored = [r.message for r in db.execute(select(CommitteeShare)).scalars()]
        stored += [r.body for r in db.execute(select(CommitteeMessage)).scalars()]
        assert len(stored) == 3 * 6 + 3 + 3
        assert not any(s in blob or bytes.fromhex(s.decode()) in blob for s in secrets for blob in stored)
        # What the opening uses (engineer "opening"): k, the members, every X_j and the certificate.
        found = service.committee_for_tender(db, "ZB-2026-0042")
        assert found.committee_id == cid and found.threshold == 2
        assert [m.identity_key for m in found.members] == [m.identity for m in members]
        assert [m.verification_key for m in found.members] == list(key.verification_points)
        assert found.certificate == cert
    # Any k members' partials open what is sealed to the certificate: the key works without existing whole.
    assert th.reconstruct_private_key([key_shares[1], key_shares[3]])

    # Every step is on the live channel and in the audit chain.
    from server.live.service import events_after

    with db_session(live_server.data) as db:
        kinds = [e.kind for e in events_after(db, f"committee:{cid}", 0)]
    assert kinds.count("committee.dealt") == 3 and kinds.count("committee.acknowledged") == 3
    assert kinds[0] == "committee.created" and kinds[-1] == "committee.complete"
    with db_session(live_server.data) as db:
        from server.audit.models import AuditEntry

        actions = [a for a, in db.execute(select(AuditEntry.action).where(AuditEntry.object_id == cid))]
    assert actions == ["committee.create", "committee.deal", "committee.deal", "committee.deal", "committee.dealt",
                       "committee.acknowledge", "committee.acknowledge", "committee.acknowledge",
                       "committee.complete"]


def test_faults_are_refused_by_name_and_lose_nothing(live_server, people, pki) -> None:  # type: ignore[no-untyped-def]
    agency, members = people
    m1, m2, m3 = members
    # k > n, and a duplicate member.
    _refused(lambda: _create(agency, members, k=4), "committee.threshold_invalid")
    _refused(lambda: agency.client.post_json("/api/v1/committees", {
        "tender_id": "ZB-2026-0042", "threshold": 1, "members": [m1.member_in(), m1.member_in()]}),
        "committee.duplicate_member")
    out = _create(agency, members)
    cid = out["committee_id"]
    ceremony = th.Ceremony(cid, 2, 3)
    dealers = {i: th.Dealer(ceremony, i) for i in (1, 2, 3)}
    url = f"/api/v1/committees/{cid}"

    # A non-member posting (the agency itself is not on this committee).
    _refused(lambda: agency.client.post_json(f"{url}/deal", deal_body(dealers[1], members, agency)),
             "committee.not_member")
    # A missing share; a share for another ceremony; another member's deal posted as one's own.
    body = deal_body(dealers[1], members, m1)
    _refused(lambda: m1.client.post_json(f"{url}/deal", {**body, "shares": body["shares"][:2]}),
             "committee.share_missing")
    other = th.Dealer(th.Ceremony("ZB-2026-0042.committee-9", 2, 3), 1)
    foreign = b64(other.encrypt_share(3, m3.encryption.certificate).to_bytes())
    _refused(lambda: m1.client.post_json(f"{url}/deal", {**body, "shares": [*body["shares"][:2], foreign]}),
             "committee.wrong_ceremony")
    _refused(lambda: m2.client.post_json(f"{url}/deal", body), "committee.wrong_sender")
    # Signed by someone else than the member posting.
    forged = {**body, "signature": m2.signed(dealers[1].commitments().to_bytes())["signature"]}
    _refused(lambda: m1.client.post_json(f"{url}/deal", forged), "committee.signature_invalid")
    # Nothing was kept of the refused deals: the real one goes through, and replaying it is refused.
    m1.client.post_json(f"{url}/deal", body)
    _refused(lambda: m1.client.post_json(f"{url}/deal", body), "committee.already_dealt")
    # Member 3 deals a bad share to member 2 (the value does not match its commitments).
    bad = deal_body(dealers[3], members, m3)
    wrong = th.EncryptedShare.seal(ceremony, 3, 2, dealers[3].share_value(2) + 1, m2.encryption.certificate)
    bad["shares"][1] = b64(wrong.to_bytes())
    m2.client.post_json(f"{url}/deal", deal_body(dealers[2], members, m2))
    _refused(lambda: m1.client.post_json(f"{url}/acks", m1.signed(b"{}")),
             "committee.wrong_state")  # not every member has dealt yet

    # The server restarts mid-ceremony; the ceremony resumes where it was.
    live_server.stop()
    restarted = start_server(live_server.data, live_server.database_url)
    try:
        for m in (agency, *members):
            m.client = ApiClient(restarted.url, token=m.client.token, retries=0)
        out = m3.client.post_json(f"{url}/deal", bad)
        assert out["status"] == "checking"

        # Member 2 names member 3; it may not acknowledge while its complaint is open.
        with pytest.raises(th.BadShare) as named:
            _key_share(m2, 2, out)
        assert named.value.member == 3
        complaint = complaint_message(ceremony=cid, member=2, accused=3, reason=named.value.message)
        _refused(lambda: m1.client.post_json(f"{url}/complaints", m1.signed(complaint)), "committee.wrong_sender")
        out = m2.client.post_json(f"{url}/complaints", m2.signed(complaint))
        assert out["status"] == "disputed" and out["complaints"][0]["accused"] == 3
        _refused(lambda: _ack(m2, 2, out), "committee.complaint_open")
        # An acknowledgment from someone else: member 1's, posted by member 2; member 1's signed by member 3.
        ack1 = th.Acknowledgment.for_member(committee_key(out), 1).to_bytes()
        _refused(lambda: m2.client.post_json(f"{url}/acks", m1.signed(ack1)), "committee.ack_not_yours")
        _refused(lambda: m1.client.post_json(f"{url}/acks", m3.signed(ack1)), "committee.signer_not_member")
        # Member 3 answers in public; the disclosure verifies (its commitments are right, the envelope was
        # not), so member 2 uses it and everyone acknowledges.
        disclosure = dealers[3].disclose(2)
        _refused(lambda: m1.client.post_json(f"{url}/disclosures", m1.signed(disclosure.to_bytes())),
                 "committee.wrong_sender")
        out = m3.client.post_json(f"{url}/disclosures", m3.signed(disclosure.to_bytes()))
        assert out["status"] == "checking" and out["complaints"][0]["resolution"] == "disclosed"
        published = th.ShareDisclosure.from_bytes(base64.b64decode(out["disclosures"][0]["message"]))
        _key_share(m2, 2, out, (published,))
        for j, m in enumerate(members, start=1):
            out = _ack(m, j, out)
        _refused(lambda: _ack(m1, 1, out), "committee.already_acknowledged")  # a replayed acknowledgment
        _refused(lambda: m1.client.post_json(f"{url}/deal", body), "committee.already_dealt")
        assert out["status"] == "complete"

        # A sender whose disclosure does not verify is provably at fault: the committee fails, named.
        out = _create(agency, members, tender_id="ZB-2026-0043")
        cid2, url2 = out["committee_id"], f"/api/v1/committees/{out['committee_id']}"
        ceremony2 = th.Ceremony(cid2, 2, 3)
        for i, m in enumerate(members, start=1):
            body = deal_body(th.Dealer(ceremony2, i), members, m)
            if i == 2:  # member 2 seals member 1's share to member 3's certificate: a share for another member
                wrong_receiver = th.EncryptedShare.seal(ceremony2, 2, 1, 7, m3.encryption.certificate)
                body["shares"][0] = b64(wrong_receiver.to_bytes())
            out = m.client.post_json(f"{url2}/deal", body)
        with pytest.raises(th.BadShare) as named:
            _key_share(m1, 1, out)
        assert named.value.members == (2,) and "could not be decrypted" in named.value.message
        m1.client.post_json(f"{url2}/complaints", m1.signed(complaint_message(ceremony=cid2, member=1, accused=2,
                                                                              reason=named.value.message)))
        lie = th.ShareDisclosure(cid2, 2, 1, 12345)
        out = m2.client.post_json(f"{url2}/disclosures", m2.signed(lie.to_bytes()))
        assert out["status"] == "failed" and "member 2 is at fault" in out["status_reason"]
        # Re-forming: a new committee for the tender; the failed one stays on record.
        out = _create(agency, members, tender_id="ZB-2026-0043")
        assert out["committee_id"] == "ZB-2026-0043.committee-2"
        # Naming yet another one abandons the unfinished one, on the record.
        assert _create(agency, members, tender_id="ZB-2026-0043")["committee_id"] == "ZB-2026-0043.committee-3"
        assert agency.client.get_json("/api/v1/committees/ZB-2026-0043.committee-2")["status"] == "abandoned"
        assert agency.client.get_json(f"/api/v1/committees/{cid2}")["status"] == "failed"
        # Another agency cannot name a committee for this tender id.
        grant(restarted, pki, "ent-a", "agency")
        _refused(lambda: _create(m1, members, tender_id="ZB-2026-0043"), "committee.not_owner")
    finally:
        restarted.stop()



def test_who_may_take_part_and_who_may_watch(live_server, pki) -> None:  # type: ignore[no-untyped-def]
    """Members hold the role agency, opening_staff or supervisor and are named; an account with none of
    these roles cannot deal even if named, and one that is neither named, the owner, opening staff nor a
    supervisor sees neither the committee nor its live channel."""
    grant(live_server, pki, AGENCY_PARTY, "agency")
    grant(live_server, pki, "ent-a", "agency")  # another agency's staff, named as a member
    agency = log_in(live_server.url, pki, AGENCY_PARTY)
    member = log_in(live_server.url, pki, "ent-a")
    roleless = log_in(live_server.url, pki, "ent-b")  # named, but holds no member role
    outsider = log_in(live_server.url, pki, "opener-1")  # not named, no role
    out = _create(agency, [member, roleless], k=1)
    cid = out["committee_id"]
    ceremony = th.Ceremony(cid, 1, 2)
    members = [member, roleless]
    member.client.post_json(f"/api/v1/committees/{cid}/deal", deal_body(th.Dealer(ceremony, 1), members, member))
    _refused(lambda: roleless.client.post_json(f"/api/v1/committees/{cid}/deal",
                                               deal_body(th.Dealer(ceremony, 2), members, roleless)),
             "auth.forbidden")
    assert member.client.get_json(f"/api/v1/committees/{cid}")["members"][0]["dealt"] is True
    _refused(lambda: outsider.client.get_json(f"/api/v1/committees/{cid}"), "committee.not_found")
    import requests

    for who, status in ((agency, 200), (member, 200), (outsider, 403)):
        with requests.get(f"{live_server.url}/api/v1/live/events", params={"channel": f"committee:{cid}"},
                          headers={"Authorization": f"Bearer {who.client.token}"}, stream=True,
                          timeout=30) as answer:
            assert answer.status_code == status, answer.text if status != 200 else ""
            if status == 403:
                assert answer.json()["code"] == "live.forbidden"
