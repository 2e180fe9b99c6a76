"""An expert gets the opened bids from the platform (远程异地评标; docs/evaluation.md "The opened bids reach
the committee", docs/formats/handover.md).

The expert's client registers the dongle's encryption certificate with the session (the one paired with the
signing certificate by identity, as ``bidclient seal`` pairs them), then, once the opening host has handed
the bids over, for each bid: downloads the content key's envelope (made for that certificate alone) and opens
it with the dongle (one PIN for all), downloads the sealed bid as submitted and decrypts it while it arrives,
and verifies everything before anything is kept — the served bid's SHA-256 against the one counted at the
opening, the GCM tag, the manifest's signature by the identity that submitted it, the tender, every file's
size and digest — with the opening's own verifier (``bidclient.opening._open_one``). The files are extracted
into the session's local folder, all or nothing: a bid that fails leaves nothing behind.

Qt-free: the CLI (`bidclient evaluation fetch-bids`) and the expert's documents view (a ``ui.workers.Task``)
call ``fetch_bids``.
"""

from __future__ import annotations

import io
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

from bidclient import opening
from bidclient.api_client import ApiClient
from bidclient.errors import BidclientError
from bidclient.evaluation.recipient import register_certificate
from bidclient.i18n import _
from bidclient.interaction import Prompter
from bidclient.jobs import Cancel, JobCancelled, never_cancel
from bidclient.opening import OpeningApi, _KeyFailure
from bidclient.protocol import opening as proto
from bidclient.protocol.handover import CONTENT_KEY_SIZE, HandoverBidOut, HandoverOut
from crypto import cms_envelope, trust
from crypto.errors import CryptoError, TokenError
from crypto.key_access import KeySession

__all__ = ["FetchedBid", "bid_folder", "default_folder", "fetch_bids", "fetched_folders", "handover",
           "register_certificate"]


def _base(session_id: str) -> str:
    return f"/api/v1/evaluation/sessions/{quote(session_id, safe='')}"


def handover(client: ApiClient, session_id: str) -> HandoverOut:
    """Which opened bids were handed to which seated expert of the session."""
    return HandoverOut.model_validate(client.get_json(_base(session_id) + "/handover"))


def _safe(text: str) -> str:
    return "".join(c if c.isalnum() or c in "-_." else "_" for c in text)[:80] or "session"


def default_folder(session_id: str) -> Path:
    """Where the app keeps a session's bids: $XDG_DATA_HOME/bidclient/evaluation-bids/<session>."""
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "bidclient" / "evaluation-bids" / _safe(session_id)


def bid_folder(output: Path, bid: HandoverBidOut) -> Path:
    return output / f"{bid.position:02d}-{_safe(bid.submission_id)}"


def fetched_folders(output: Path) -> dict[str, Path]:
    """The bids already fetched into ``output`` (a folder per bid, named by position and submission id; a
    partial folder never carries that name)."""
    found: dict[str, Path] = {}
    if output.is_dir():
        for entry in sorted(output.iterdir()):
            position, sep, submission = entry.name.partition("-")
            if sep and position.isdigit() and entry.is_dir() and (entry / "manifest.json").is_file():
                found[submission] = entry
    return found


@dataclass(frozen=True)
class FetchedBid:
    submission_id: str
    position: int
    bidder: str
    directory: Path | None  # the verified files; None when it failed
    failure_code: str | None = None
    failure_detail: str = ""
    already: bool = False  # it was fetched and verified before: left as it was

    @property
    def ok(self) -> bool:
        return self.directory is not None


def _as_bid(bid: HandoverBidOut) -> proto.BidOut:
    return proto.BidOut(submission_id=bid.submission_id, position=bid.position, identity_key=bid.identity_key,
                        organization=bid.organization, envelope_sha256=bid.envelope_sha256, state=bid.state,
                        attempts=0, key_released_at=None, failure_code=None, failure_detail=None, fault=None,
                        outcome=bid.state, announced=None, remedied=bid.remedied)


def _key_source(client: ApiClient, session_id: str, session: KeySession,
                bid: HandoverBidOut) -> Callable[[Path | None], bytes]:
    def get(_sealed: Path | None) -> bytes:
        envelope = client.request("GET", f"{_base(session_id)}/bids/{quote(bid.submission_id, safe='')}/key").content
        try:
            info = cms_envelope.describe(io.BytesIO(envelope))
            own = next((c for c in session.certificates() for r in info.recipients if r.matches(c)), None)
            if own is None:
                raise _KeyFailure("handover.not_a_recipient", _("The key envelope is not encrypted to your key."))
            key = cms_envelope.decrypt_bytes(envelope, session.decrypter(own))
        except TokenError:
            raise  # a wrong PIN, a pulled-out dongle: said as such
        except CryptoError as ex:
            raise _KeyFailure("handover.envelope_invalid", str(ex)) from ex
        if len(key) != CONTENT_KEY_SIZE:
            raise _KeyFailure("handover.envelope_invalid", f"the key is {len(key)} bytes, not {CONTENT_KEY_SIZE}")
        return key

    return get


def fetch_bids(client: ApiClient, session_id: str, session: KeySession, trust_list: trust.TrustList,
               output: Path, *, progress: Callable[[int, int], None] | None = None,
               cancel: Cancel = never_cancel) -> list[FetchedBid]:
    """Register the dongle's encryption certificate, then fetch, open and verify every bid handed to the caller
    that is not in ``output`` yet (one folder per bid). A bid that fails any check is reported with its code
    and leaves nothing behind; the others are kept. ``progress(done, total)`` after each bid; ``cancel`` is
    polled between bids."""
    me = register_certificate(client, session_id, session).identity_key
    state = handover(client, session_id)
    mine = [b for b in state.bids if me in b.handed_to]
    if not mine:
        raise BidclientError(_("No opened bid has been handed to you yet in session {session}.").format(
            session=session_id), code="handover.nothing_yet")
    output.mkdir(parents=True, exist_ok=True)
    have = fetched_folders(output)
    api = OpeningApi(client, state.tender_id)
    results: list[FetchedBid] = []
    if progress is not None:
        progress(0, len(mine))
    for done, bid in enumerate(mine, start=1):
        if cancel():
            raise JobCancelled(_("Fetching the bids was cancelled."))
        bidder = bid.organization or bid.identity_key
        if _safe(bid.submission_id) in have:
            results.append(FetchedBid(bid.submission_id, bid.position, bidder, have[_safe(bid.submission_id)],
                                      already=True))
        else:
            dest = bid_folder(output, bid)
            code, detail, _m, _s = opening._open_one(
                api, trust_list, _as_bid(bid), dest, _key_source(client, session_id, session, bid), streamed=True,
                url=f"{_base(session_id)}/bids/{quote(bid.submission_id, safe='')}/envelope")
            if code is None:
                results.append(FetchedBid(bid.submission_id, bid.position, bidder, dest))
            elif code.startswith("handover."):
                results.append(FetchedBid(bid.submission_id, bid.position, bidder, None, code, detail))
            else:  # the opening's verifier found the bid damaged, foreign or not this tender's
                results.append(FetchedBid(bid.submission_id, bid.position, bidder, None, "handover.bid_invalid",
                                          f"{code}: {detail}"))
        if progress is not None:
            progress(done, len(mine))
    return results


def fetch_bids_signed_in(client: ApiClient, session_id: str, certificate_sha256: str, prompter: Prompter,
                         output: Path, *, progress: Callable[[int, int], None] | None = None,
                         cancel: Cancel = never_cancel) -> list[FetchedBid]:
    """``fetch_bids`` with the dongle the expert signed in with (one PIN) and the user's trust list (the
    desktop app's documents view)."""
    from bidclient.signin import open_signed_in_key
    from bidclient.signing import load_trust

    trust_list = load_trust([])
    with open_signed_in_key(certificate_sha256, prompter) as session:
        return fetch_bids(client, session_id, session, trust_list, output, progress=progress, cancel=cancel)


# --- the expert's documents view (ui/evaluation/documents_view.py) ----------------------------------------

@dataclass(frozen=True)
class ViewBids:
    """What the documents view shows of the session's bids: the verified ones by bid id, and the failures."""

    documents: dict[str, Any]  # bid id -> bidclient.evaluation.desk.BidDocuments
    failures: tuple[FetchedBid, ...] = ()


def local_documents(session_id: str, output: Path | None = None) -> ViewBids:
    """The bids of the session fetched (and verified) before, from the session's local folder."""
    from bidclient.evaluation.desk import bid_documents

    folder = output if output is not None else default_folder(session_id)
    return ViewBids({submission: bid_documents(path) for submission, path in fetched_folders(folder).items()})


def fetch_for_view(client: ApiClient, session_id: str, certificate_sha256: str, prompter: Prompter, *,
                   progress: Callable[[int, int], None] | None = None, cancel: Cancel = never_cancel,
                   output: Path | None = None) -> ViewBids:
    """Get the bids from the platform into the session's local folder with the signed-in dongle, then what the
    view lists: every verified bid (those fetched before included) and the failures of this run."""
    folder = output if output is not None else default_folder(session_id)
    results = fetch_bids_signed_in(client, session_id, certificate_sha256, prompter, folder, progress=progress,
                                   cancel=cancel)
    found = local_documents(session_id, folder)
    return ViewBids(found.documents, tuple(r for r in results if not r.ok))
