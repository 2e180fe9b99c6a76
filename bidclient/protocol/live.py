"""Live updates (shared schema): the event envelope carried in each Server-Sent Event's ``data`` line.

Each SSE frame is ``id: <seq>`` / ``event: <kind>`` / ``data: <envelope JSON>``; comment lines
(``: heartbeat``) keep the connection alive. docs/api.md, "Live updates".
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

LIVE_MEDIA_TYPE = "text/event-stream"
EVENTS_PATH = "/api/v1/live/events"
CHANNEL_PATTERN = r"^[a-z][a-z0-9_]{0,31}:[A-Za-z0-9._-]{1,150}$"


class LiveEventOut(BaseModel):
    channel: str = Field(pattern=CHANNEL_PATTERN)
    seq: int = Field(ge=1)
    kind: str = Field(max_length=64)
    time: str = Field(max_length=40)
    payload: dict[str, Any]
