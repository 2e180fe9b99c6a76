""""My bids": every draft in the projects folder with its state read from the folder (receipts verified),
soonest deadline first, the countdown on the server clock, and a notice when a clarification makes a
draft stale."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bidclient import bid_project as bp
from bidclient import receipts
from bidclient.my_bids import BidState, countdown_text, scan, server_versions
from bidclient.submit import withdraw
from tests.bidclient.test_bid_project import tender_folder
from tests.server.submission_helpers import clarify, login, make_tender, sealed_bid
from tests.submitted_bid import (  # noqa: F401
    Submitted,
    backend,
    live_server,
    pg_cluster,
    server_data,
    submit_bid,
)


def make_project(root: Path, name: str, pki: Any, *, deadline_in: timedelta = timedelta(days=5)) -> bp.BidProject:
    directory = root / name
    folder = tender_folder(root / f".{name}-tender", pki, deadline=datetime.now(UTC).replace(microsecond=0)
                           + deadline_in)
    return bp.create_project(directory, folder, bidder_name="示例建设工程有限公司")


def seal(project: bp.BidProject, pki: Any) -> Path:
    """Stand in for the sealing step's result: a real envelope in sealed/, recorded in the draft."""
    project.sealed_dir.mkdir(parents=True, exist_ok=True)
    bid = sealed_bid(project.sealed_dir / "ZB-2026-007.bid", pki, 20_000)
    digest, size = receipts.file_sha256(bid)
    project.sealed = bp.SealedBid(file=bid.name, tender_version=project.definition.version, envelope_sha256=digest,
                                  size=size, sealed_at=datetime.now(UTC).isoformat())
    project.save()
    return bid


def test_states_from_the_projects_folder(live_server, pki, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    root = tmp_path / "bids"
    make_project(root, "a-draft", pki, deadline_in=timedelta(days=9))
    seal(make_project(root, "b-sealed", pki, deadline_in=timedelta(days=1)), pki)
    submitted = submit_bid(live_server, pki, seal(make_project(root, "c-submitted", pki), pki))
    gone = submit_bid(live_server, pki, seal(make_project(root, "d-withdrawn", pki), pki))
    out = withdraw(gone.bidder.client, tender_id=gone.tender_id, bidder=gone.bidder.identity, sign=gone.bidder.sign)
    assert out.withdrawal_receipt is not None
    receipts.save_receipt(gone.bid.with_name(gone.bid.name + ".withdrawal.receipt"), out.withdrawal_receipt,
                          receipts.pinned_server_ca(gone.bidder.client))
    (root / "e-broken").mkdir()
    (root / "e-broken" / bp.PROJECT_FILE).write_text("{not json")

    entries = {e.directory.name: e for e in scan(root, now=datetime.now(UTC))}
    assert {k: e.state for k, e in entries.items()} == {
        "a-draft": BidState.DRAFT, "b-sealed": BidState.SEALED, "c-submitted": BidState.SUBMITTED,
        "d-withdrawn": BidState.WITHDRAWN, "e-broken": BidState.UNREADABLE}
    assert entries["e-broken"].problem  # said in words, not hidden
    # Soonest deadline first; an unreadable draft last.
    assert [e.directory.name for e in scan(root)] == ["b-sealed", "c-submitted", "d-withdrawn", "a-draft",
                                                      "e-broken"]

    # After the opening time (server clock), a submitted bid reads "opened".
    opening = entries["c-submitted"].opening_time
    assert opening is not None
    later = opening + timedelta(minutes=1)
    assert {e.directory.name: e.state for e in scan(root, now=later)}["c-submitted"] is BidState.OPENED

    # A receipt that does not verify does not make a bid "submitted".
    data = json.loads(submitted.receipt.read_text())
    data["receipt"]["size"] += 1
    submitted.receipt.write_text(json.dumps(data))
    entry = {e.directory.name: e for e in scan(root)}["c-submitted"]
    assert entry.state is BidState.SEALED and "does not verify" in entry.problem


def test_a_clarification_makes_a_draft_stale(live_server, pki, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    root = tmp_path / "bids"
    project = make_project(root, "draft", pki)
    tender_id = make_tender(live_server.data)
    client = login(live_server.url, pki, "ent-a").client
    assert server_versions(client, [tender_id]) == {tender_id: 1}
    clarify(live_server.data, tender_id)
    versions = server_versions(client, [tender_id, "NO-SUCH-TENDER"])
    assert versions == {tender_id: 2}  # a tender the server does not know is left out

    fresh = scan(root, server_versions={project.definition.tender_id: 1})[0]
    assert not fresh.stale and fresh.notice() == ""
    stale = scan(root, server_versions={project.definition.tender_id: versions[tender_id]})[0]
    assert stale.stale and "version 2" in stale.notice() and "stale" in stale.notice()


def test_countdown_text() -> None:
    now = datetime(2026, 12, 2, 6, 0, tzinfo=UTC)
    assert countdown_text(now + timedelta(days=2, hours=3, minutes=4, seconds=5), now) == "2 d 03:04:05 left"
    assert countdown_text(now + timedelta(minutes=5), now) == "00:05:00 left"
    assert countdown_text(now - timedelta(seconds=1), now) == "deadline passed"


def test_an_empty_or_missing_folder_lists_nothing(tmp_path: Path) -> None:
    assert scan(tmp_path / "nothing-here") == []
    (tmp_path / "stray").mkdir()
    assert scan(tmp_path) == []
