"""/api/v1/live: the live-updates stream (Server-Sent Events) with resume by sequence number.

    GET /api/v1/live/events?channel=tender:T-1        Last-Event-ID: 41   (or ?after=41)

The stream first sends every event of the channel after the given sequence number, from the table, then
new ones as they commit, each exactly once and in order; a comment line every few seconds (heartbeat)
lets both ends notice a dead connection. Why SSE rather than WebSocket: docs/architecture.md.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import json
import os
from collections.abc import AsyncIterator, Callable, Mapping
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Query, Request
from fastapi.responses import StreamingResponse
from starlette.concurrency import run_in_threadpool

from bidclient.protocol.live import CHANNEL_PATTERN, LIVE_MEDIA_TYPE
from server.auth.service import Actor
from server.deps import current_actor
from server.live import service
from server.live.hub import Hub
from server.live.service import Event
from server.problems import DomainError

HEARTBEAT_ENV = "BIDCLIENT_LIVE_HEARTBEAT"
POLL_ENV = "BIDCLIENT_LIVE_POLL"
DEFAULT_HEARTBEAT = 15.0
DEFAULT_POLL = 2.0
RETRY_MS = 2000


def _setting(extra: Mapping[str, str], key: str, env: str, default: float) -> float:
    value = extra.get(key) or os.environ.get(env)
    return max(0.05, float(value)) if value else default


@contextlib.asynccontextmanager
async def lifespan(app: Any) -> AsyncIterator[None]:
    """One hub per server process for as long as it runs (attached to this router)."""
    settings = app.state.settings
    hub = Hub(app.state.engine, app.state.read_session_factory,
              poll_interval=_setting(settings.extra, "live_poll", POLL_ENV, DEFAULT_POLL), listen=True,
              freeze=getattr(settings, "freeze_heap", False))
    app.state.live_hub = hub
    app.state.live_heartbeat = _setting(settings.extra, "live_heartbeat", HEARTBEAT_ENV, DEFAULT_HEARTBEAT)
    await hub.start()
    try:
        yield
    finally:
        await hub.stop()


router = APIRouter(prefix="/api/v1/live", tags=["live"], lifespan=lifespan)


def frame(ev: Event) -> bytes:
    data = json.dumps(ev.envelope(), ensure_ascii=False, separators=(",", ":"))
    return f"id: {ev.seq}\nevent: {ev.kind}\ndata: {data}\n\n".encode()


def _cursor(after: int | None, last_event_id: str | None) -> int:
    """Where to resume: the Last-Event-ID header (sent by SSE clients on reconnect) wins over ?after."""
    if last_event_id is not None and last_event_id.strip() != "":
        value = last_event_id.strip()
        if not value.isdigit() or len(value) > 18:
            raise DomainError("live.cursor_invalid",
                              f"Last-Event-ID must be the sequence number of an event, not {value[:40]!r}",
                              status=422)
        return int(value)
    return after or 0


def _keep_alive_probe(request: Request) -> tuple[Callable[[], bool], bool]:
    """uvicorn's request cycle behind ``receive`` (its keep_alive turns False when the server shuts down)."""
    cycle = getattr(request.receive, "__self__", None)
    if cycle is None or not hasattr(cycle, "keep_alive"):
        return (lambda: True), False
    return (lambda: bool(cycle.keep_alive)), bool(cycle.keep_alive)


@router.get("/events", response_class=StreamingResponse, summary="Follow a channel's events (Server-Sent Events)",
            responses={200: {"content": {LIVE_MEDIA_TYPE: {"schema": {
                "type": "string", "description": "SSE frames: id (the event's seq), event (its kind), data "
                                                 "(the LiveEventOut envelope as JSON); ': heartbeat' comments"}}},
                             "description": "An endless event stream"},
                       403: {"description": "Not a reader of this channel"},
                       404: {"description": "No such channel"}})
async def events(request: Request, actor: Annotated[Actor, Depends(current_actor)],
                 channel: Annotated[str, Query(max_length=200,
                                               description=f"<kind>:<id>, e.g. tender:T-1 ({CHANNEL_PATTERN})")],
                 after: Annotated[int | None, Query(ge=0, le=10**18,
                                                    description="resume after this sequence number")] = None,
                 last_event_id: Annotated[str | None, Header(alias="Last-Event-ID", max_length=40)] = None,
                 ) -> StreamingResponse:
    cursor = _cursor(after, last_event_id)
    hub: Hub = request.app.state.live_hub

    def check() -> None:
        with request.app.state.read_session_factory() as db:
            service.authorize(db, actor, channel)

    await run_in_threadpool(check)
    if hub.closing:
        raise DomainError("server.busy", "the server is shutting down; connect again", status=503)
    heartbeat: float = request.app.state.live_heartbeat
    return StreamingResponse(_stream(hub, channel, _keep_alive_probe(request), cursor, heartbeat),
                             media_type=LIVE_MEDIA_TYPE,
                             headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})


async def _stream(hub: Hub, channel: str, probe: tuple[Callable[[], bool], bool], last: int,
                  heartbeat: float) -> AsyncIterator[bytes]:
    """Events after ``last`` in order, each once: from the table first, then from the hub; a gap (events the
    hub had read before this stream joined, or dropped for a slow stream) is filled from the table.

    The stream joins the hub here, inside the generator, so that its ``finally`` always leaves it again."""
    sub = await hub.subscribe(channel)
    sub.keep_alive, sub.kept_alive_at_start = probe

    async def from_table(after: int, upto: int | None = None) -> AsyncIterator[Event]:
        while True:
            batch: list[Event] = await run_in_threadpool(
                hub._read, functools.partial(service.events_after, channel=sub.channel, after=after))
            for ev in batch:
                if upto is not None and ev.seq > upto:
                    return
                yield ev
                after = ev.seq
            if len(batch) < 500:
                return

    try:
        yield f"retry: {RETRY_MS}\n: connected\n\n".encode()
        async for ev in from_table(last):
            yield frame(ev)
            last = ev.seq
        while not sub.closing:
            if sub.overflowed:
                sub.overflowed = False
                while not sub.queue.empty():
                    sub.queue.get_nowait()
                async for ev in from_table(last):
                    yield frame(ev)
                    last = ev.seq
            try:
                item = await asyncio.wait_for(sub.queue.get(), timeout=heartbeat)
            except TimeoutError:
                yield b": heartbeat\n\n"
                continue
            if item is None:
                break
            if item.seq <= last:
                continue
            if item.seq > last + 1:
                async for ev in from_table(last, item.seq - 1):
                    yield frame(ev)
                    last = ev.seq
            yield frame(item)
            last = item.seq
    finally:
        hub.unsubscribe(sub)
