"""Structured logs: one JSON object per line, carrying the id of the request being served.

The request id lives in a context variable set by server.observability.requests, so any log call made
while a request is handled (in the event loop or in a worker thread started for it) names its request.
"""

from __future__ import annotations

import contextvars
import json
import logging
import sys
from datetime import UTC, datetime
from typing import Any

request_id: contextvars.ContextVar[str] = contextvars.ContextVar("bidclient_request_id", default="")

# Attributes every LogRecord has; anything else given as ``extra=`` is an event field.
_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime", "taskName"}


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds")
            .replace("+00:00", "Z"),
            "level": record.levelname.lower(), "logger": record.name, "message": record.getMessage()}
        rid = getattr(record, "request_id", None) or request_id.get()
        if rid:
            line["request_id"] = rid
        for key, value in vars(record).items():
            if key not in _STANDARD and key not in line:
                line[key] = value if isinstance(value, str | int | float | bool | type(None) | list | dict) \
                    else str(value)
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False, separators=(",", ":"))


def configure(level: str = "info", stream: Any = None) -> None:
    """JSON lines on stderr for the server's own loggers ("server.*", "bidclient.*") and uvicorn's."""
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(JsonFormatter())
    for name in ("server", "bidclient", "uvicorn", "uvicorn.error"):
        logger = logging.getLogger(name)
        logger.handlers[:] = [handler]
        logger.propagate = False
    logging.getLogger("server").setLevel(logging.INFO)
    logging.getLogger("bidclient").setLevel(logging.INFO)
    logging.getLogger("uvicorn").setLevel(level.upper())
