"""Prometheus metrics (prometheus-client), exposed at /metrics.

Every instance keeps its own registry; ``bidclient-server run --workers N`` points prometheus-client at a
shared directory (PROMETHEUS_MULTIPROC_DIR) so that a scrape of any worker sums all of them.

The upload chunk path pays one counter increment and two gauge changes per chunk (each a lock and an
addition): nothing is measured per byte.
"""

from __future__ import annotations

import hmac
import ipaddress
import os
from typing import Any

from fastapi import Depends, Request
from fastapi.responses import Response
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.multiprocess import MultiProcessCollector

from server.auth.permissions import permission
from server.problems import Problem

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
# Request latencies: from a login challenge (milliseconds) to a 16 MiB chunk on a slow line (a minute).
_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0)


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        r = self.registry
        self.requests = Counter("bidclient_http_requests", "HTTP requests answered, by route template",
                                ["method", "route", "status"], registry=r)
        self.latency = Histogram("bidclient_http_request_duration_seconds",
                                 "Time from the request's arrival to the end of the response, by route template",
                                 ["method", "route"], buckets=_BUCKETS, registry=r)
        self.chunks_in_flight = Gauge("bidclient_upload_chunks_in_progress",
                                      "Upload chunks being received right now", registry=r,
                                      multiprocess_mode="livesum")
        self.upload_bytes = Counter("bidclient_upload_bytes", "Bid bytes received in upload chunks and recorded",
                                    registry=r)
        self.uploads_started = Counter("bidclient_uploads_started", "Uploads opened", registry=r)
        self.uploads_completed = Counter("bidclient_uploads_completed", "Uploads completed into a submission",
                                         registry=r)
        self.logins_refused = Counter("bidclient_logins_refused", "Logins refused, by reason (the problem code)",
                                      ["reason"], registry=r)
        self.rate_limited = Counter("bidclient_rate_limited", "Requests answered 429, by limit", ["limit"],
                                    registry=r)
        self.lane_waiting = Gauge("bidclient_lane_waiting", "Requests queued for a lane (server/lanes.py)",
                                  ["lane"], registry=r, multiprocess_mode="livesum")
        self.lane_busy = Gauge("bidclient_lane_busy", "Requests working in a lane", ["lane"], registry=r,
                               multiprocess_mode="livesum")

    def exposition(self) -> bytes:
        if os.environ.get(MULTIPROC_ENV):
            registry = CollectorRegistry()
            MultiProcessCollector(registry)
            return generate_latest(registry)
        return generate_latest(self.registry)


def _loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@permission("metrics scraper (metrics_token, or a direct loopback peer)")
def require_metrics_scraper(request: Request) -> None:
    """With ``metrics_token`` set, only a Bearer of that token; without, only a direct peer on loopback (a
    request relayed by a proxy carries a forwarding header and is refused)."""
    token = request.app.state.settings.metrics_token
    if token:
        scheme, _, given = request.headers.get("authorization", "").partition(" ")
        allowed = scheme.lower() == "bearer" and hmac.compare_digest(given.strip().encode(), token.encode())
    else:
        forwarded = "x-forwarded-for" in request.headers or "forwarded" in request.headers
        allowed = request.client is not None and _loopback(request.client.host) and not forwarded
    if not allowed:
        raise Problem(403, "metrics.forbidden", "Metrics are not public",
                      "send the configured metrics_token as a Bearer token, or scrape from this "
                      "machine's loopback without a proxy (docs/operations.md)")


def install_endpoint(app: Any) -> None:
    """GET /metrics, for a metrics scraper only (require_metrics_scraper)."""
    @app.get("/metrics", include_in_schema=False, dependencies=[Depends(require_metrics_scraper)])
    async def metrics_endpoint(request: Request) -> Response:
        return Response(app.state.metrics.exposition(), media_type=CONTENT_TYPE)
