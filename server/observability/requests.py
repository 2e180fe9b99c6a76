"""Request ids, the access log and the per-route request metrics, in one plain ASGI middleware (upload
bodies stream through untouched).

The request id is taken from X-Request-ID when a trusted reverse proxy sent it (so that one id follows a
request through the proxy's log and ours), else made here; it is returned in X-Request-ID, put on every
log line of the request, and shown by the client in its error messages.
"""

from __future__ import annotations

import ipaddress
import logging
import os
import re
import socket
import time
import uuid
from collections.abc import Sequence
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from server.observability.logs import request_id
from server.observability.metrics import Metrics

access_log = logging.getLogger("server.access")
_VALID_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")
_INSTANCE = f"{socket.gethostname()}:{os.getpid()}"  # which instance served: several share one log store


def _trusted(peer: str, networks: Sequence[Any]) -> bool:
    if not peer or not networks:
        return False
    try:
        address = ipaddress.ip_address(peer)
    except ValueError:
        return False
    return any(address in network for network in networks)


def _networks(values: Sequence[str]) -> list[Any]:
    return [ipaddress.ip_network(v, strict=False) for v in values]


class RequestContextMiddleware:
    def __init__(self, app: ASGIApp, metrics: Metrics, trusted_proxies: Sequence[str] = (),
                 access_log_enabled: bool = True) -> None:
        self.app = app
        self.metrics = metrics
        self.trusted = _networks(trusted_proxies)
        self.access_log_enabled = access_log_enabled

    def _request_id(self, scope: Scope) -> str:
        client = scope.get("client")
        if client and _trusted(client[0], self.trusted):
            for name, value in scope["headers"]:
                if name == b"x-request-id":
                    text = value.decode("latin-1")
                    if _VALID_ID.match(text):
                        return text
                    break
        return uuid.uuid4().hex

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        rid = self._request_id(scope)
        token = request_id.set(rid)
        status = 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message = {**message, "headers": [*message.get("headers", []),
                                                  (b"x-request-id", rid.encode("ascii"))]}
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            elapsed = time.perf_counter() - started
            route = scope.get("route")
            template = getattr(route, "path_format", None) or getattr(route, "path", None) or "unmatched"
            method = scope["method"]
            self.metrics.requests.labels(method, template, str(status)).inc()
            self.metrics.latency.labels(method, template).observe(elapsed)
            if self.access_log_enabled and access_log.isEnabledFor(logging.INFO):
                client = scope.get("client")
                access_log.info("%s %s %s", method, template, status,
                                extra={"request_id": rid, "method": method, "route": template, "path": scope["path"],
                                       "status": status, "duration_ms": round(elapsed * 1000, 2),
                                       "peer": client[0] if client else "", "instance": _INSTANCE})
            request_id.reset(token)

