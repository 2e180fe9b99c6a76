"""The live-updates channel (/api/v1/live/events) over real HTTP on SQLite and PostgreSQL: order, resume
exactly once, authorization, nothing from a rolled-back transaction, wake-ups across processes and
instances, heartbeats, and a server that stops promptly with streams open."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
import requests

from server.live import service
from tests.server.conftest import RunningServer, start_server
from tests.server.live_helpers import Stream, publish, publish_from_other_process
from tests.server.submission_helpers import db_session, login, make_tender


def _database_url(data: Path) -> str:
    return str(json.loads((data / "server.json").read_text())["database_url"])


@pytest.fixture
def quiet_server(server_data: Path, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    """A server whose fallback poll is too slow to matter: events can only arrive through a wake-up."""
    monkeypatch.setenv("BIDCLIENT_LIVE_POLL", "60")
    running = start_server(server_data, _database_url(server_data))
    try:
        yield running
    finally:
        running.stop()


def test_events_arrive_in_order_and_resume_exactly_once(quiet_server: RunningServer, pki) -> None:  # type: ignore[no-untyped-def]
    data = quiet_server.data
    tender = make_tender(data)
    channel = f"tender:{tender}"
    token = login(quiet_server.url, pki, "ent-a").client.token
    assert token
    for n in range(1, 4):
        assert publish(data, channel, "test.note", {"n": n, "text": "开标"}) == n

    first = Stream(quiet_server.url, token, channel)
    try:
        assert first.response.headers["content-type"].startswith("text/event-stream")
        assert [e["seq"] for e in first.wait(3)] == [1, 2, 3]
        assert first.ids == ["1", "2", "3"]
        assert first.events[0] == {"channel": channel, "seq": 1, "kind": "test.note",
                                   "time": first.events[0]["time"], "payload": {"n": 1, "text": "开标"}}
        publish(data, channel, "test.note", {"n": 4})  # live, through the in-process wake-up
        assert [e["seq"] for e in first.wait(4, timeout=10)] == [1, 2, 3, 4]
    finally:
        first.close()

    # A client that handled event 2 reconnects: it gets 3 and 4 once, then new events, in order.
    resumed = Stream(quiet_server.url, token, channel, last_event_id=2)
    try:
        assert resumed.wait(2) and resumed.seqs() == [3, 4]
        for n in range(5, 8):
            publish(data, channel, "test.note", {"n": n})
        assert resumed.wait(5, timeout=10) and resumed.seqs() == [3, 4, 5, 6, 7]
        time.sleep(0.3)
        assert resumed.seqs() == [3, 4, 5, 6, 7]  # nothing twice
    finally:
        resumed.close()
    # ?after= works as Last-Event-ID does (the header wins when both are given).
    by_query = Stream(quiet_server.url, token, channel, after=6)
    try:
        assert by_query.wait(1) and by_query.seqs() == [7]
    finally:
        by_query.close()


def test_a_rolled_back_change_never_produces_an_event(quiet_server: RunningServer, pki) -> None:  # type: ignore[no-untyped-def]
    data = quiet_server.data
    channel = f"tender:{make_tender(data)}"
    token = login(quiet_server.url, pki, "ent-a").client.token
    assert token
    stream = Stream(quiet_server.url, token, channel)
    try:
        with db_session(data) as db:
            service.publish(db, channel, "test.note", {"n": "rolled back"})
            db.rollback()
        publish(data, channel, "test.note", {"n": "committed"})
        stream.wait(1)
        time.sleep(0.5)
        assert [(e["seq"], e["payload"]["n"]) for e in stream.events] == [(1, "committed")]
    finally:
        stream.close()
    replay = Stream(quiet_server.url, token, channel)
    try:
        replay.wait(1)
        time.sleep(0.3)
        assert [e["payload"]["n"] for e in replay.events] == ["committed"]
    finally:
        replay.close()


def test_only_readers_the_owning_domain_accepts_may_follow(live_server: RunningServer, pki) -> None:  # type: ignore[no-untyped-def]
    url = live_server.url
    tender = make_tender(live_server.data)
    ent_a = login(url, pki, "ent-a")
    ent_b = login(url, pki, "ent-b")
    assert ent_a.client.token and ent_b.client.token
    events = url + "/api/v1/live/events"

    anonymous = requests.get(events, params={"channel": f"tender:{tender}"}, timeout=10)
    assert anonymous.status_code == 401
    assert anonymous.headers["content-type"] == "application/problem+json"

    def get(token: str, channel: str, **headers: str) -> requests.Response:
        return requests.get(events, params={"channel": channel}, timeout=10,
                            headers={"Authorization": f"Bearer {token}", **headers}, stream=True)

    # A domain registers who reads its channels: here only ent-a may follow "room:" channels.
    service.register_reader("room", lambda db, actor, object_id: actor.identity_key == ent_a.identity)
    try:
        refused = get(ent_b.client.token, "room:R-1")
        assert refused.status_code == 403
        assert refused.headers["content-type"] == "application/problem+json"
        assert refused.json()["code"] == "live.forbidden"
        allowed = get(ent_a.client.token, "room:R-1")
        assert allowed.status_code == 200
        allowed.close()
    finally:
        service._readers.pop("room", None)

    for channel, status, code in [("nosuch:1", 404, "live.channel_unknown"),
                                  ("tender:T-none", 404, "live.channel_not_found"),
                                  ("tender", 422, "live.channel_invalid"),
                                  ("tender:a b", 422, "live.channel_invalid")]:
        answer = get(ent_b.client.token, channel)
        assert (answer.status_code, answer.json()["code"]) == (status, code), channel
    bad_cursor = get(ent_b.client.token, f"tender:{tender}", **{"Last-Event-ID": "abc"})
    assert (bad_cursor.status_code, bad_cursor.json()["code"]) == (422, "live.cursor_invalid")


def test_an_event_committed_elsewhere_arrives_through_the_fallback_poll(server_data: Path, pki,  # type: ignore[no-untyped-def]
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BIDCLIENT_LIVE_POLL", "0.5")
    server = start_server(server_data, _database_url(server_data))
    try:
        channel = f"tender:{make_tender(server_data)}"
        token = login(server.url, pki, "ent-a").client.token
        assert token
        stream = Stream(server.url, token, channel)
        try:
            publish_from_other_process(server_data, channel, "test.note", {"n": 1})
            assert [e["payload"] for e in stream.wait(1, timeout=15)] == [{"n": 1}]
        finally:
            stream.close()
    finally:
        server.stop()


@pytest.mark.parametrize("backend", ["postgresql"])
def test_listen_notify_reaches_the_clients_of_every_instance(server_data: Path, pki,  # type: ignore[no-untyped-def]
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    """Two server processes' worth of instances on one PostgreSQL; the event is committed by a third
    process and the fallback poll is slower than the test: only LISTEN/NOTIFY can deliver it in time."""
    monkeypatch.setenv("BIDCLIENT_LIVE_POLL", "60")
    url = _database_url(server_data)
    first = start_server(server_data, url)
    second = start_server(server_data, url)
    try:
        channel = f"tender:{make_tender(server_data)}"
        token = login(first.url, pki, "ent-a").client.token
        assert token
        streams = [Stream(first.url, token, channel), Stream(second.url, token, channel)]
        try:
            time.sleep(0.5)  # both subscribed
            started = time.monotonic()
            publish_from_other_process(server_data, channel, "test.announce", {"bidder": "甲"})
            for stream in streams:
                assert [e["payload"] for e in stream.wait(1, timeout=10)] == [{"bidder": "甲"}]
            assert time.monotonic() - started < 30
        finally:
            for stream in streams:
                stream.close()
    finally:
        first.stop()
        second.stop()


def test_heartbeats_keep_an_idle_stream_alive(server_data: Path, pki, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("BIDCLIENT_LIVE_HEARTBEAT", "0.2")
    server = start_server(server_data, _database_url(server_data))
    try:
        channel = f"tender:{make_tender(server_data)}"
        token = login(server.url, pki, "ent-a").client.token
        assert token
        stream = Stream(server.url, token, channel)
        try:
            time.sleep(1.5)
            assert stream.comments.count("heartbeat") >= 3
        finally:
            stream.close()
    finally:
        server.stop()


def test_the_server_stops_promptly_with_streams_open(server_data: Path, pki) -> None:  # type: ignore[no-untyped-def]
    server = start_server(server_data, _database_url(server_data))
    channel = f"tender:{make_tender(server_data)}"
    token = login(server.url, pki, "ent-a").client.token
    assert token
    streams = [Stream(server.url, token, channel) for _ in range(3)]
    time.sleep(0.3)
    started = time.monotonic()
    server.stop()
    assert not server._thread.is_alive(), "the server still waits for its open streams"
    assert time.monotonic() - started < 5
    for stream in streams:
        assert stream.ended.wait(5), "a stream was left open"


def test_open_streams_are_kept_out_of_full_collections_and_reclaimed_once_all_close(  # type: ignore[no-untyped-def]
        monkeypatch: pytest.MonkeyPatch) -> None:
    """A server process with a frozen heap (``run``) freezes the objects of its open streams as they grow,
    so that a full collection does not walk a thousand streams while every write waits; once the last
    stream has closed, whatever the streams left in reference cycles is collected after all."""
    import asyncio
    import gc
    import weakref

    from sqlalchemy import create_engine
    from sqlalchemy.orm import sessionmaker

    from server.live import hub as hub_module
    from server.live.hub import Hub

    monkeypatch.setattr(hub_module, "FREEZE_FIRST", 4)
    engine = create_engine("sqlite://")

    class Held:  # something of a stream's that sits in a reference cycle, as a cancelled task's frames do
        pass

    async def scenario() -> tuple[list[bool], bool, bool, int]:
        hub = Hub(engine, sessionmaker(engine), poll_interval=60, listen=False, freeze=True)
        await hub.start()
        hub.cursor["evaluation:s1"] = 0
        subs, held, frozen_after_each = [], [], []
        for _ in range(5):
            sub = await hub.subscribe("evaluation:s1")
            cycle = Held()
            cycle.self = cycle  # type: ignore[attr-defined]
            cycle.sub = sub  # type: ignore[attr-defined]
            sub.keep_alive = lambda cycle=cycle: cycle is not None
            held.append(weakref.ref(cycle))
            subs.append(sub)
            frozen_after_each.append(hub.freezes > 0)
        in_reach = any(obj is subs[0] for obj in gc.get_objects())
        for sub in subs:
            hub.unsubscribe(sub)
        del subs, sub, cycle
        for _ in range(100):  # the hub's next tick
            if not hub.frozen_at:
                break
            await asyncio.sleep(0.05)
        await hub.stop()
        gc.collect()
        return frozen_after_each, in_reach, all(ref() is None for ref in held), hub.frozen_at

    try:
        frozen_after_each, in_reach, reclaimed, frozen_at = asyncio.run(scenario())
    finally:
        gc.unfreeze()  # leave the test process as it was
    # Nothing frozen below FREEZE_FIRST open streams; at 4 the streams' objects left the collector's reach.
    assert frozen_after_each == [False, False, False, True, True]
    assert not in_reach
    # All closed: the cycles the frozen streams left are collected, not kept for the process's life.
    assert reclaimed
    assert frozen_at == 0
