""""My bids": every tender worked on in the projects folder, its state, the deadline countdown, and
whether a clarification (答疑) has made the draft stale. Qt-free; the desktop app shows it
(ui/bidder/my_bids.py).

The state is read from each draft folder: a sealed bid, and the receipts kept beside it — verified
offline, so a receipt that does not verify does not make a bid "submitted". Staleness is known only
online: the project's tender version is compared with the server's current version.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from pathlib import Path

from bidclient import bid_project as bp
from bidclient import receipts
from bidclient.api_client import ApiClient, ApiError
from bidclient.errors import BidclientError, describe
from bidclient.i18n import _
from bidclient.submit import receipt_path, withdrawal_receipt_path
from bidclient.tender_package import get_tender
from crypto import trust

__all__ = ["BidEntry", "BidState", "countdown_text", "scan", "time_left"]


class BidState(StrEnum):
    DRAFT = "draft"
    SEALED = "sealed"
    SUBMITTED = "submitted"
    WITHDRAWN = "withdrawn"
    OPENED = "opened"
    UNREADABLE = "unreadable"

    def label(self) -> str:
        return {
            BidState.DRAFT: _("draft"),
            BidState.SEALED: _("sealed, not submitted"),
            BidState.SUBMITTED: _("submitted"),
            BidState.WITHDRAWN: _("withdrawn"),
            BidState.OPENED: _("opened"),
            BidState.UNREADABLE: _("cannot be read"),
        }[self]


def default_projects_root() -> Path:
    """Where bid drafts live: BIDCLIENT_BIDS_DIR, else $XDG_DATA_HOME/bidclient/bids."""
    given = os.environ.get("BIDCLIENT_BIDS_DIR")
    if given:
        return Path(given)
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "bidclient" / "bids"


@dataclass(frozen=True)
class BidEntry:
    directory: Path
    state: BidState
    tender_id: str = ""
    title: str = ""
    tender_version: int = 0
    bid_deadline: datetime | None = None
    opening_time: datetime | None = None
    server_version: int | None = None  # the server's current version, when known (online)
    unacknowledged_changes: bool = False  # a clarification was fetched and not yet reviewed
    problem: str = ""  # why the draft cannot be read, or its receipt does not verify

    @property
    def stale(self) -> bool:
        """A clarification was published that the draft does not answer yet."""
        if self.state in (BidState.WITHDRAWN, BidState.OPENED, BidState.UNREADABLE):
            return False
        newer = self.server_version is not None and self.server_version > self.tender_version
        return newer or self.unacknowledged_changes

    def notice(self) -> str:
        if self.problem:
            return self.problem
        if self.server_version is not None and self.server_version > self.tender_version:
            if self.state is BidState.SUBMITTED:
                return _("A clarification (version {new}) was published after your bid (version {old}): "
                         "check it; you may need to seal and submit again.").format(
                             new=self.server_version, old=self.tender_version)
            return _("A clarification (version {new}) makes this draft (version {old}) stale: fetch it, review "
                     "the changes, then seal again.").format(new=self.server_version, old=self.tender_version)
        if self.unacknowledged_changes:
            return _("The tender changed (clarification): review the changes before sealing.")
        return ""


def _state(project: bp.BidProject, now: datetime | None) -> tuple[BidState, str]:
    bid = project.sealed_path()
    if bid is None or not bid.is_file():
        return BidState.DRAFT, ""
    withdrawal = withdrawal_receipt_path(bid)
    submitted = receipt_path(bid)
    problem = ""
    for path, state in ((withdrawal, BidState.WITHDRAWN), (submitted, BidState.SUBMITTED)):
        if not path.is_file():
            continue
        try:
            receipts.verify_receipt_file(path, bid=None if state is BidState.WITHDRAWN else bid)
        except BidclientError as ex:
            problem = _("The receipt {file} does not verify: {reason}").format(file=path.name,
                                                                               reason=describe(ex).headline)
            continue
        if state is BidState.SUBMITTED and now is not None and now >= project.definition.opening_time:
            return BidState.OPENED, ""
        return state, ""
    return BidState.SEALED, problem


def _project_dirs(root: Path) -> Iterable[Path]:
    if not root.is_dir():
        return []
    return sorted(p for p in root.iterdir() if p.is_dir() and (p / bp.PROJECT_FILE).is_file())


def scan(root: Path, *, now: datetime | None = None, server_versions: Mapping[str, int] | None = None,
         trust_list: trust.TrustList | None = None) -> list[BidEntry]:
    """Every draft under ``root``, soonest deadline first. ``now`` is the server clock when known
    (``ApiClient.server_now()``); ``server_versions`` maps tender id to the server's current version."""
    entries: list[BidEntry] = []
    for directory in _project_dirs(root):
        try:
            project = bp.open_project(directory, trust_list=trust_list)
        except BidclientError as ex:
            entries.append(BidEntry(directory, BidState.UNREADABLE, title=directory.name,
                                    problem=describe(ex).headline))
            continue
        d = project.definition
        state, problem = _state(project, now)
        entries.append(BidEntry(directory, state, tender_id=d.tender_id, title=d.title, tender_version=d.version,
                                bid_deadline=d.bid_deadline, opening_time=d.opening_time,
                                server_version=(server_versions or {}).get(d.tender_id),
                                unacknowledged_changes=project.changes is not None and not project.changes.empty,
                                problem=problem))
    entries.sort(key=lambda e: (e.bid_deadline is None, e.bid_deadline.timestamp() if e.bid_deadline else 0.0,
                                e.directory.name))
    return entries


def time_left(deadline: datetime, now: datetime) -> timedelta:
    return deadline - now


def countdown_text(deadline: datetime, now: datetime) -> str:
    """"2 d 03:04:05 left" / "03:04:05 left" / "deadline passed"."""
    left = int((deadline - now).total_seconds())
    if left <= 0:
        return _("deadline passed")
    days, rest = divmod(left, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, seconds = divmod(rest, 60)
    clock = f"{hours:02d}:{minutes:02d}:{seconds:02d}"
    if days:
        return _("{days} d {clock} left").format(days=days, clock=clock)
    return _("{clock} left").format(clock=clock)


def server_versions(client: ApiClient, tender_ids: Iterable[str]) -> dict[str, int]:
    """The server's current version of each tender worked on. A tender the server no longer lists is
    left out; being offline raises (net.*), so that the caller can say it could not check."""
    out: dict[str, int] = {}
    for tender_id in sorted(set(tender_ids)):
        if not tender_id:
            continue
        try:
            out[tender_id] = get_tender(client, tender_id).current_version
        except ApiError as ex:
            if ex.code.startswith("net."):
                raise
    return out
