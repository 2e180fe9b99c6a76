"""A real submitted bid and its receipt: a sealed envelope uploaded to a live server on loopback (SQLite),
the receipt saved beside it as the app saves it. Import the fixtures into a test module to use them."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from bidclient import receipts
from bidclient.submit import Uploader, receipt_path
from tests.server.conftest import RunningServer, live_server, server_data
from tests.server.submission_helpers import login, make_tender, sealed_bid

__all__ = ["Submitted", "backend", "live_server", "pg_cluster", "server_data", "submit_bid", "submitted"]


@pytest.fixture
def backend() -> str:
    return "sqlite"  # the receipt is the same on PostgreSQL; tests/server covers both


@pytest.fixture
def pg_cluster() -> Iterator[str]:
    yield ""  # not used with SQLite


@dataclass
class Submitted:
    bid: Path
    receipt: Path
    tender_id: str
    server: RunningServer
    bidder: Any


def submit_bid(server: RunningServer, pki: Any, bid: Path, tender_id: str | None = None) -> Submitted:
    tender_id = tender_id or make_tender(server.data)
    bidder = login(server.url, pki, "ent-a")
    if not bid.exists():
        sealed_bid(bid, pki, 50_000)
    out = Uploader(bidder.client).submit(bid, tender_id=tender_id, tender_version=1, bidder=bidder.identity,
                                        sign=bidder.sign)
    path = receipt_path(bid)
    receipts.save_receipt(path, out.receipt, receipts.pinned_server_ca(bidder.client))
    return Submitted(bid, path, tender_id, server, bidder)


@pytest.fixture
def submitted(live_server: RunningServer, pki: Any, tmp_path: Path,
              monkeypatch: pytest.MonkeyPatch) -> Submitted:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))  # the server CA pin stays in the test
    (tmp_path / "bids").mkdir()
    return submit_bid(live_server, pki, tmp_path / "bids" / "ZB-2026-007.bid")
