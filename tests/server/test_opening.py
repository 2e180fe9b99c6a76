"""The opening session end to end over real HTTP, on SQLite and PostgreSQL: SoftHSM dongles for
enterprises A and B and the host, a third enterprise from a CA of its own (no CRL address, PKCS#12),
real sealed bids with a price schedule, the live channel, the record signed in PAdES and checked with
pdfsig. Then the faults of issue 11 §7."""

from __future__ import annotations

import base64
import hashlib
import io
import json
import os
import shutil
import subprocess
import threading
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509

from bidclient import opening
from bidclient.api_client import ApiError
from bidclient.interaction import Choice, Notice, Question
from bidclient.live import EventFollower
from bidclient.protocol import opening as proto
from crypto import cms_envelope, trust
from crypto.pin import PinRequest
from tests.opening_helpers import (
    api,
    identity_of,
    login,
    make_third_pki,
    own_tender,
    price_forms,
    seal_bid,
    session_for,
    submit,
)
from tests.server.conftest import RunningServer, start_server
from tests.server.submission_helpers import make_tender, set_times


class Yes:
    """A person who answers every question with yes, and remembers the questions."""

    def __init__(self, answer: bool = True) -> None:
        self.answer = answer
        self.questions: list[Question] = []

    def ask_pin(self, request: PinRequest) -> str | None:
        return None

    def confirm(self, question: Question) -> bool:
        self.questions.append(question)
        return self.answer

    def choose(self, title: str, options: Sequence[Choice]) -> int | None:
        return None

    def notice(self, notice: Notice) -> None:
        pass


class Opening:
    """One tender's opening with its parties, driven through the real client against a live server."""

    def __init__(self, server: RunningServer, pki: Any, tmp: Path, *, bidders: tuple[str, ...],
                 extra_hosts: tuple[str, ...] = ()) -> None:
        self.server, self.pki, self.tmp = server, pki, tmp
        self.third = make_third_pki(tmp / "third-pki")
        assert server.admin("trust-add", str(self.third.ca_pem)) == 0
        self.tender = make_tender(server.data)
        self.opening_cert = x509.load_pem_x509_certificate(Path(pki.party("opener-1").encryption_cert).read_bytes())
        with session_for(pki, self.third, "opener-1") as s:
            self.host_id = identity_of(s)
        with session_for(pki, self.third, "expert-1") as s:
            self.supervisor_id = identity_of(s)
        with session_for(pki, self.third, "agency") as s:
            agency_id = identity_of(s)
        self.host_ids = [self.host_id]
        for who in extra_hosts:  # further hosts (opening staff of the same opening)
            with session_for(pki, self.third, who) as s:
                self.host_ids.append(identity_of(s))
        for role, who in (("opening_staff", self.host_id), ("supervisor", self.supervisor_id),
                          ("agency", agency_id), *(("opening_staff", h) for h in self.host_ids[1:])):
            assert server.admin("grant", "--identity", who, "--role", role) == 0
        with session_for(pki, self.third, "agency") as s:
            client, _ = login(server.url, s)
            own_tender(server.data, self.tender, agency_id)
            opened = api(client, self.tender).schedule(self.host_ids, [self.supervisor_id])
            assert opened.state == "scheduled"
        self.submissions: dict[str, str] = {}
        self.bids: dict[str, Path] = {}
        self.add_bidders(bidders)

    def add_bidders(self, bidders: tuple[str, ...]) -> None:
        server, pki, tmp = self.server, self.pki, self.tmp
        prices = {"ent-a": ("1234567.89", "壹佰贰拾叁万肆仟伍佰陆拾柒元捌角玖分"),
                  "ent-b": ("990000.00", "玖拾玖万伍仟元整"),  # words say 995000: they prevail (Art. 59)
                  "ent-c": ("1000000", "壹佰万元整")}
        for who in bidders:
            with session_for(pki, self.third, who) as s:
                bid = seal_bid(s, tmp / f"bid-{who}", tmp / f"{who}.bid", tender_id=self.tender,
                               opening_cert=self.opening_cert, forms=price_forms(*prices[who]))
                client, _ = login(server.url, s)
                self.submissions[who] = submit(client, s, bid, self.tender)
                self.bids[who] = bid

    def as_(self, who: str) -> Any:
        return _As(self, who)

    def host(self, fn: Any) -> Any:
        with self.as_("opener-1") as (a, s):
            return fn(a, s)


class _As:
    def __init__(self, o: Opening, who: str) -> None:
        self.o, self.who = o, who

    def __enter__(self) -> tuple[opening.OpeningApi, Any]:
        self._cm = session_for(self.o.pki, self.o.third, self.who)
        s = self._cm.__enter__()
        client, _ = login(self.o.server.url, s)
        return api(client, self.o.tender), s

    def __exit__(self, *exc: object) -> None:
        self._cm.__exit__(*exc)


def _code(call: Any) -> str:
    with pytest.raises(ApiError) as caught:
        call()
    return caught.value.code


def _now() -> datetime:
    return datetime.now(UTC)


def _follow(o: Opening, who: str, after: int = 0) -> tuple[EventFollower, list[Any], threading.Thread, Any]:
    cm = session_for(o.pki, o.third, who)
    s = cm.__enter__()
    client, _ = login(o.server.url, s)
    cm.__exit__(None, None, None)
    seen: list[Any] = []
    follower = EventFollower(client, f"opening:{o.tender}", on_event=seen.append, after=after)
    thread = threading.Thread(target=follower.run, daemon=True)
    thread.start()
    return follower, seen, thread, client


def _wait(cond: Any, timeout: float = 30) -> None:
    import time

    end = time.monotonic() + timeout
    while not cond():
        if time.monotonic() > end:
            raise AssertionError("timed out waiting")
        time.sleep(0.05)


def _close_window(data: Path, tender_id: str) -> None:
    """Let the decryption window's time run out (as set_times does for the deadline)."""
    from sqlalchemy import update

    from server.opening.models import OpeningSession
    from tests.server.submission_helpers import db_session

    with db_session(data) as db:
        db.execute(update(OpeningSession).where(OpeningSession.tender_id == tender_id)
                   .values(window_closes_at=_now() - timedelta(seconds=1)))
        db.commit()


def _trust(pki: Any, o: Opening) -> trust.TrustList:
    return trust.TrustList.load([Path(pki.trust_dir), o.third.ca_pem])


def test_opening_end_to_end(live_server: RunningServer, pki: Any, tmp_path: Path) -> None:
    o = Opening(live_server, pki, tmp_path, bidders=("ent-a", "ent-b", "ent-c"))
    follower, seen, thread, _ = _follow(o, "ent-a")
    try:
        with o.as_("ent-a") as (a, s):
            assert opening.check_in(a, s).check_ins[0].late is False
        with o.as_("ent-b") as (a, s):
            opening.check_in(a, s)
        # Before the deadline the opening cannot lock; bids stay unknown to everyone.
        assert o.host(lambda a, s: _code(lambda: a.lock())) == "opening.before_deadline"
        set_times(live_server.data, o.tender, deadline=_now() - timedelta(seconds=1),
                  opening=_now() + timedelta(hours=1))
        locked = o.host(lambda a, s: a.lock())
        assert (locked.state, locked.bid_count) == ("locked", 3)
        # Before the opening time: no window, no key, for anyone.
        assert o.host(lambda a, s: _code(lambda: a.open_window([o.opening_cert]))) == "opening.before_opening_time"
        with o.as_("ent-a") as (a, s):
            assert _code(lambda: a.client.post_json(
                f"{a.base}/bids/{o.submissions['ent-a']}/key",
                {"statement": "e30=", "signature": "AA==", "key_envelope": "AA=="})) == "opening.before_opening_time"
        set_times(live_server.data, o.tender, deadline=_now() - timedelta(minutes=2),
                  opening=_now() - timedelta(seconds=1))
        # Two hosts acting on the same step: one wins, the other is told the opening moved on.
        step = o.host(lambda a, s: a.get().step)
        o.host(lambda a, s: a.open_window([o.opening_cert], step=step))
        assert o.host(lambda a, s: _code(lambda: a.open_window([o.opening_cert], step=step))) == \
            "opening.state_conflict"
        # Each bidder releases its own key (one confirmation each); nobody releases another's.
        for who in ("ent-a", "ent-b"):
            with o.as_(who) as (a, s):
                person = Yes()
                out = opening.release_key(a, s, person, bid=o.bids[who])
                assert out.state == "key_released"
                assert o.submissions[who] in person.questions[0].text
        with o.as_("ent-b") as (a, s):
            # ent-b, signed in with its own dongle, sends a properly signed release for ent-a's bid.
            assert _code(lambda: _release_wrong_key(a, s, o.submissions["ent-a"])) == "opening.not_your_bid"
        # ent-c releases a wrong key first: recorded as failed, then retries inside the window.
        with o.as_("ent-c") as (a, s):
            _release_wrong_key(a, s, o.submissions["ent-c"])
        results = o.host(lambda a, s: opening.open_released_bids(a, s, _trust(pki, o), tmp_path / "opened"))
        states = {r.submission_id: (r.state, r.failure_code) for r in results}
        assert states[o.submissions["ent-c"]] == ("failed", "opening.decryption_failed")
        assert states[o.submissions["ent-a"]] == ("opened", None)
        opened_dir = next(r.directory for r in results if r.submission_id == o.submissions["ent-a"])
        assert opened_dir is not None and (opened_dir / "tech" / "proposal.pdf").is_file()
        with o.as_("ent-c") as (a, s):
            assert opening.release_key(a, s, Yes(), bid=o.bids["ent-c"]).attempts == 2
        o.host(lambda a, s: opening.open_released_bids(a, s, _trust(pki, o), tmp_path / "opened"))
        # A bidder whose bid is opened is not asked again.
        with o.as_("ent-a") as (a, s):
            with pytest.raises(Exception) as caught:
                opening.release_key(a, s, Yes(), bid=o.bids["ent-a"])
            assert getattr(caught.value, "code", "") == "opening.bid_final"
        announced = o.host(lambda a, s: a.announce())
        assert announced.state == "announced"
        by_bidder = {b.identity_key: b for b in announced.bids}
        with session_for(pki, o.third, "ent-b") as s:
            b = by_bidder[identity_of(s)]
        assert b.outcome == "opened" and b.announced is not None
        assert b.announced.price_mismatch is True and b.announced.price == "995000.00"
        assert b.announced.price_figures == "990000.00" and b.announced.duration == "90"
        assert all(x.outcome == "opened" for x in announced.bids)
        # A bidder joining late checks in, marked late; objections and answers go into the record.
        with o.as_("ent-c") as (a, s):
            assert [c.late for c in opening.check_in(a, s).check_ins] == [False, False, True]
        with o.as_("ent-b") as (a, s):
            objection = a.object("我方报价应以大写为准，请确认。")
        assert o.host(lambda a, s: _code(lambda: a.draft_record())) == "opening.objections_open"
        o.host(lambda a, s: a.answer(objection.id, "确认：以大写金额为准（87号令第59条）。"))
        drafted = o.host(lambda a, s: a.draft_record())
        assert drafted.state == "record_drafted"
        # The supervisor cannot sign first; the host signs, then the supervisor; then it is published.
        with o.as_("expert-1") as (a, s):
            assert _code(lambda: a.upload_record(a.record() + b"x", a.get().step)) == "opening.not_your_turn"
        o.host(lambda a, s: opening.sign_record(a, s, Yes()))
        with o.as_("expert-1") as (a, s):
            signed = opening.sign_record(a, s, Yes())
        assert signed.state == "signed" and signed.record_signers == [o.host_id, o.supervisor_id]
        published = o.host(lambda a, s: a.publish())
        assert published.state == "published"
        with o.as_("ent-a") as (a, s):
            record = tmp_path / "record.pdf"
            sha = opening.download_record(a, record)
            done = opening.acknowledge_record(a, s, decision="confirm")
        assert done.acknowledgments[0].decision == "confirm" and sha == published.record_sha256
        check = opening.verify_record(record, _trust(pki, o))
        assert check.ok and check.signers == [o.host_id, o.supervisor_id]
        pdfsig = subprocess.run(["pdfsig", str(record)], capture_output=True, text=True, check=False)
        assert pdfsig.stdout.count("Signature is Valid.") == 2, pdfsig.stdout
        # Tampering with the published record is detected offline.
        tampered = tmp_path / "tampered.pdf"
        data = bytearray(record.read_bytes())
        at = data.find(b"BT")
        data[at + 10] ^= 1
        tampered.write_bytes(bytes(data))
        assert not opening.verify_record(tampered, _trust(pki, o)).ok
        # The live channel carried every step, in order, to a bidder following it.
        _wait(lambda: any(e.kind == "opening.publish" for e in seen))
    finally:
        follower.stop()
        thread.join(timeout=10)
    kinds = [e.kind for e in seen]
    assert kinds.index("opening.lock") < kinds.index("opening.window_open") < kinds.index("opening.announce") \
        < kinds.index("opening.record_draft") < kinds.index("opening.publish")
    assert [e.seq for e in seen] == sorted({e.seq for e in seen})
    announce_event = next(e for e in seen if e.kind == "opening.announce")
    assert len(announce_event.payload["bids"]) == 3


def _release_wrong_key(a: opening.OpeningApi, s: Any, submission_id: str) -> None:
    """A released key that is not the bid's: properly encrypted and signed, but 32 other bytes."""
    from crypto import cms_sign

    out = a.get()
    bid = next(b for b in out.bids if b.submission_id == submission_id)
    recipients = [x509.load_pem_x509_certificate(p.encode()) for p in out.recipients]
    sealed = io.BytesIO()
    cms_envelope.encrypt(io.BytesIO(os.urandom(32)), sealed, recipients, length=32)
    envelope = sealed.getvalue()
    statement = proto.statement(proto.KEY_RELEASE_FORMAT, tender_id=a.tender_id, submission_id=submission_id,
                                envelope_sha256=bid.envelope_sha256,
                                key_envelope_sha256=hashlib.sha256(envelope).hexdigest())
    signature = cms_sign.sign_detached(statement, s.signer())
    a.client.post_json(f"{a.base}/bids/{submission_id}/key", {
        "statement": base64.b64encode(statement).decode(), "signature": base64.b64encode(signature).decode(),
        "key_envelope": base64.b64encode(envelope).decode()})


@pytest.mark.parametrize("backend", ["sqlite"])
def test_fewer_than_three_bids_is_no_opening(live_server: RunningServer, pki: Any, tmp_path: Path) -> None:
    o = Opening(live_server, pki, tmp_path, bidders=("ent-a", "ent-b"))
    set_times(live_server.data, o.tender, deadline=_now() - timedelta(seconds=1), opening=_now())
    out = o.host(lambda a, s: a.lock())
    assert (out.state, out.bid_count) == ("no_opening", 2)
    assert o.host(lambda a, s: _code(lambda: a.open_window([o.opening_cert]))) == "opening.wrong_state"


@pytest.mark.parametrize("backend", ["sqlite"])
def test_faults_damaged_bid_foreign_signer_restart_and_catch_up(live_server: RunningServer, pki: Any,
                                                                tmp_path: Path) -> None:
    """A stored bid whose tag fails (撤回, the platform's fault); a bid signed by another enterprise than
    the one that submitted it (撤销); the server restarted mid-opening resumes without asking again for
    what it accepted; a bidder whose connection dropped catches up exactly once."""
    o = Opening(live_server, pki, tmp_path, bidders=("ent-a", "ent-b"))
    # ent-c seals a bid that ent-a submits (ent-a can open it: it is a recipient too).
    with session_for(pki, o.third, "ent-a") as s:
        ent_a_enc = s.encryption_certificate
    with session_for(pki, o.third, "ent-c") as s:
        from bidclient.sealing import TenderTarget, seal

        folder = tmp_path / "foreign"
        (folder / "x").mkdir(parents=True)
        (folder / "x" / "a.pdf").write_bytes(b"%PDF-1.4 foreign")
        seal(folder, tmp_path / "foreign.bid", session=s,
             target=TenderTarget(o.tender, 1, [o.opening_cert, ent_a_enc]), forms=price_forms("1", "壹元整"))
    with o.as_("ent-a") as (a, s):
        # replaces ent-a's own bid with the foreign-signed one
        o.submissions["ent-a"] = submit(a.client, s, tmp_path / "foreign.bid", o.tender)
        o.bids["ent-a"] = tmp_path / "foreign.bid"
    with session_for(pki, o.third, "ent-c") as s:
        bid = seal_bid(s, tmp_path / "bid-c", tmp_path / "ent-c.bid", tender_id=o.tender,
                       opening_cert=o.opening_cert, forms=price_forms("5", "伍元整"))
        client, _ = login(live_server.url, s)
        o.submissions["ent-c"] = submit(client, s, bid, o.tender)
        o.bids["ent-c"] = bid
    set_times(live_server.data, o.tender, deadline=_now() - timedelta(minutes=1), opening=_now())
    follower, seen, thread, client = _follow(o, "ent-b")
    o.host(lambda a, s: a.lock())
    _wait(lambda: any(e.kind == "opening.lock" for e in seen))
    follower.stop()  # ent-b's connection drops here
    thread.join(timeout=10)
    missed_from = follower.last_seq
    o.host(lambda a, s: a.open_window([o.opening_cert]))
    for who in ("ent-a", "ent-b", "ent-c"):
        with o.as_(who) as (a, s):
            opening.release_key(a, s, Yes(), bid=o.bids[who])
    # The stored copy of ent-b's bid is damaged on the server's disk.
    sub_b = o.submissions["ent-b"]
    with o.as_("ent-b") as (a, s):
        sha_b = next(b.envelope_sha256 for b in a.get().bids if b.submission_id == sub_b)
    stored = next(p for p in (live_server.data).rglob(sha_b) if p.is_file())
    damaged = bytearray(stored.read_bytes())
    damaged[-40] ^= 0xFF
    stored.write_bytes(bytes(damaged))
    # The server restarts mid-opening: nothing accepted is lost or asked for again.
    live_server.stop()
    database_url = json.loads((live_server.data / "server.json").read_text())["database_url"]
    restarted = start_server(live_server.data, database_url)
    try:
        o.server = restarted
        before = o.host(lambda a, s: a.get())
        assert before.state == "decrypting"
        assert {b.state for b in before.bids} == {"key_released"}
        results = o.host(lambda a, s: opening.open_released_bids(a, s, _trust(pki, o), tmp_path / "opened"))
        by_sub = {r.submission_id: r for r in results}
        assert by_sub[o.submissions["ent-a"]].failure_code == "opening.signer_mismatch"
        assert by_sub[o.submissions["ent-a"]].directory is None
        assert by_sub[sub_b].failure_code == "opening.stored_bid_damaged"
        assert by_sub[o.submissions["ent-c"]].state == "opened"
        assert not (tmp_path / "opened" / f"01-{o.submissions['ent-a']}").exists()
        # Failed bids may be retried while the window is open: the announcement waits for its end.
        assert o.host(lambda a, s: _code(lambda: a.announce())) == "opening.window_open"
        _close_window(live_server.data, o.tender)
        out = o.host(lambda a, s: a.announce())
        outcomes = {b.submission_id: (b.outcome, b.fault) for b in out.bids}
        assert outcomes[o.submissions["ent-a"]] == ("revoked", "bidder")
        assert outcomes[sub_b] == ("withdrawn", "other")
        assert outcomes[o.submissions["ent-c"]] == ("opened", None)
        # ent-b reconnects and gets every event it missed, in order, exactly once.
        caught_up: list[Any] = []
        again = EventFollower(client, f"opening:{o.tender}", on_event=caught_up.append, after=missed_from)
        client.base_url = restarted.url
        t = threading.Thread(target=again.run, daemon=True)
        t.start()
        _wait(lambda: any(e.kind == "opening.announce" for e in caught_up))
        again.stop()
        t.join(timeout=10)
        seqs = [e.seq for e in caught_up]
        assert seqs == list(range(missed_from + 1, missed_from + 1 + len(seqs)))
        assert "opening.window_open" in [e.kind for e in caught_up]
    finally:
        restarted.stop()
        shutil.rmtree(tmp_path / "opened", ignore_errors=True)
