"""The opening terminal's rules (bidclient.opening_host): what each bid's decryption shows, the countdown on
the server clock, and which actions the state, the time and the person's part allow."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from bidclient import opening_host as oh
from bidclient.protocol import opening as proto

NOW = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)
HOST, SUPERVISOR, BIDDER = "uscc:HOST", "person:SUP", "uscc:BIDDER"


def _iso(delta: timedelta) -> str:
    return (NOW + delta).isoformat()


def _bid(position: int, state: str, **extra: Any) -> proto.BidOut:
    fields: dict[str, Any] = dict(submission_id=f"S-{position}", position=position, identity_key=f"uscc:{position}",
                                  organization=f"Bidder {position}", envelope_sha256="0" * 64, state=state,
                                  attempts=1, key_released_at=None, failure_code=None, failure_detail=None,
                                  fault=None, outcome=None, announced=None)
    fields.update(extra)
    return proto.BidOut(**fields)


def _opening(state: str, bids: list[proto.BidOut], **extra: Any) -> proto.OpeningOut:
    fields: dict[str, Any] = dict(
        tender_id="ZB-1", state=state, step=4, hosts=[HOST], supervisors=[SUPERVISOR],
        deadline=_iso(-timedelta(hours=1)),
        opening_time=_iso(-timedelta(minutes=30)), server_time=_iso(timedelta(0)), bid_count=len(bids) or None,
        window_opens_at=None, window_closes_at=None, recipients=[], check_ins=[], bids=bids, objections=[],
        record_sha256=None, record_signers=[], published_at=None, acknowledgments=[], remedy_allowed=True)
    fields.update(extra)
    return proto.OpeningOut(**fields)


def _view(out: proto.OpeningOut, me: str = HOST, remedies: dict[str, oh.RemedyProgress] | None = None) -> oh.HostView:
    remedies = remedies or {}
    rows = tuple(oh.BidRow(b, oh._phase(b, remedies.get(b.submission_id)), remedies.get(b.submission_id))
                 for b in out.bids)
    return oh.HostView(out, oh.role_of(out, me), me, rows)


def test_countdown_follows_the_state_on_the_server_clock() -> None:
    scheduled = _view(_opening("scheduled", [], deadline=_iso(timedelta(minutes=5, seconds=3))))
    c = oh.countdown(scheduled, NOW)
    assert (c.target, c.seconds_left, c.reached) == (oh.CountdownTarget.DEADLINE, 303, False)
    assert oh.clock_text(c.seconds_left) == "00:05:03"
    locked = _view(_opening("locked", [], opening_time=_iso(-timedelta(seconds=1))))
    assert oh.countdown(locked, NOW).target is oh.CountdownTarget.OPENING_TIME and oh.countdown(locked, NOW).reached
    window = _view(_opening("decrypting", [], window_closes_at=_iso(timedelta(days=1, hours=2))))
    assert oh.clock_text(oh.countdown(window, NOW).seconds_left) == "1 d 02:00:00"
    assert oh.countdown(_view(_opening("announced", [])), NOW).target is oh.CountdownTarget.NONE


def test_lock_and_window_wait_for_their_times() -> None:
    early = _view(_opening("scheduled", [], deadline=_iso(timedelta(seconds=30))))
    assert not oh.actions(early, NOW).lock
    assert oh.actions(early, NOW + timedelta(seconds=30)).lock
    locked = _view(_opening("locked", [_bid(1, "awaiting_key")], opening_time=_iso(timedelta(minutes=1))))
    assert not oh.actions(locked, NOW).open_window and oh.actions(locked, NOW + timedelta(minutes=1)).open_window


def test_decryption_phases_and_the_remedy_counted_k_of_n() -> None:
    bids = [_bid(1, "opened"), _bid(2, "opened", remedied=True), _bid(3, "remedy"), _bid(4, "failed",
            failure_code="opening.decryption_failed"), _bid(5, "awaiting_key"), _bid(6, "key_released")]
    out = _opening("decrypting", bids, window_closes_at=_iso(timedelta(minutes=10)))
    one_of_two = {"S-3": oh.RemedyProgress("C-1", 2, (1,))}
    view = _view(out, remedies=one_of_two)
    assert [r.phase for r in view.rows] == [oh.BidPhase.OPENED, oh.BidPhase.REMEDIED, oh.BidPhase.REMEDY,
                                            oh.BidPhase.FAILED, oh.BidPhase.AWAITING_KEY, oh.BidPhase.KEY_RELEASED]
    a = oh.actions(view, NOW)
    assert a.open_bids and a.extend and not a.announce  # a released key waits to be opened
    assert a.remedy_for == frozenset({"S-4"})  # failed; the one awaiting its key still has the window
    assert oh.actions(view, NOW + timedelta(minutes=10)).remedy_for == frozenset({"S-4", "S-5"})
    # A remedy still short of k partial results: nothing to open, and nothing may be announced yet.
    waiting = _opening("decrypting", [_bid(1, "opened"), _bid(3, "remedy")], window_closes_at=_iso(-timedelta(1)))
    a = oh.actions(_view(waiting, remedies=one_of_two), NOW)
    assert not a.open_bids and not a.announce
    ready = _view(out, remedies={"S-3": oh.RemedyProgress("C-1", 2, (1, 3))})
    assert ready.rows[2].phase is oh.BidPhase.REMEDY_READY
    # Nothing may be announced while a bid can still be opened, nor inside the window with undecided bids.
    settled = _opening("decrypting", [_bid(1, "opened"), _bid(2, "failed")], window_closes_at=_iso(timedelta(1)))
    assert not oh.actions(_view(settled), NOW).announce
    assert oh.actions(_view(settled), NOW + timedelta(days=1)).announce
    all_opened = _opening("decrypting", [_bid(1, "opened")], window_closes_at=_iso(timedelta(1)))
    assert oh.actions(_view(all_opened), NOW).announce


def test_a_supervisor_only_cosigns_and_a_bidder_does_nothing() -> None:
    for state in ("scheduled", "locked", "decrypting", "announced", "record_drafted", "signed"):
        out = _opening(state, [_bid(1, "key_released")], window_closes_at=_iso(-timedelta(1)))
        assert oh.actions(_view(out, SUPERVISOR), NOW) == oh.HostActions()
        assert oh.actions(_view(out, BIDDER), NOW) == oh.HostActions()
    host_signed = _opening("host_signed", [])
    assert oh.actions(_view(host_signed, SUPERVISOR), NOW) == oh.HostActions(sign_record=True)
    assert not oh.actions(_view(host_signed), NOW).sign_record  # the host signed already


def test_the_record_waits_for_every_answer_and_the_announcement_shows_only_once_announced() -> None:
    objection = proto.ObjectionOut(id="O-1", identity_key=BIDDER, organization="B", text="?", raised_at=_iso(
        timedelta(0)), answer=None, answered_by=None, answered_at=None)
    out = _opening("announced", [_bid(1, "opened")], objections=[objection])
    a = oh.actions(_view(out), NOW)
    assert a.answer and not a.draft_record
    answered = objection.model_copy(update={"answer": "ok"})
    a = oh.actions(_view(_opening("announced", [_bid(1, "opened")], objections=[answered])), NOW)
    assert a.draft_record and not a.answer
    assert _view(_opening("decrypting", [_bid(1, "opened")])).announced == ()
    assert len(_view(out).announced) == 1
    assert oh.actions(_view(_opening("signed", [])), NOW).publish


def test_no_opening_allows_nothing() -> None:
    out = _opening("no_opening", [_bid(1, "awaiting_key"), _bid(2, "awaiting_key")])
    assert oh.actions(_view(out), NOW) == oh.HostActions()
    assert oh.countdown(_view(out), NOW).target is oh.CountdownTarget.NONE


def test_a_restored_session_asks_for_a_sign_in_before_any_dongle_step() -> None:
    import pytest

    from bidclient.api_client import ApiClient
    from bidclient.errors import BidclientError, describe
    from tests.prompters import PinPrompter

    client = ApiClient("http://127.0.0.1:9")  # never reached: refused before anything is sent
    prompter = PinPrompter(lambda _r: "never asked")
    for call in (lambda: oh.open_window(client, "ZB-1", "", prompter, step=1),
                 lambda: oh.sign_record(client, "ZB-1", "", prompter)):
        with pytest.raises(BidclientError) as caught:
            call()
        assert caught.value.code == "opening.dongle_unknown"
        assert "Sign in again with your dongle" in describe(caught.value).hint
