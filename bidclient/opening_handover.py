"""The opening host hands the opened bids to the evaluation committee (docs/evaluation.md "The opened bids
reach the committee", docs/formats/handover.md).

Nothing is uploaded again and nothing is decrypted on the server: the host's terminal unwraps each opened
bid's content key exactly as it did at the opening — the bidder's released key with the host's own
encryption key, or, for a bid the committee remedied, the k partial results recombined and checked against
the committee's commitments — and wraps it to each seated expert's encryption certificate, which it checks
first (trusted for encryption, of the member's own identity). The server keeps the envelopes; each opens
only on its expert's dongle. Qt-free; the CLI (`bidclient opening hand-over`) and the Opening workspace call
``hand_over`` in one line.
"""

from __future__ import annotations

import io
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from cryptography import x509
from cryptography.hazmat.primitives import hashes

from bidclient import opening
from bidclient.api_client import ApiClient
from bidclient.errors import BidclientError
from bidclient.i18n import _
from bidclient.interaction import Prompter, Question, Severity
from bidclient.opening import OpeningApi, _KeyFailure
from bidclient.protocol import opening as proto
from bidclient.protocol.handover import CONTENT_KEY_SIZE, HandoverIn, HandoverKeyIn, HandoverOut
from crypto import cms_envelope, identity, trust
from crypto.errors import CryptoError, TrustError
from crypto.key_access import KeySession

__all__ = ["HandoverResult", "hand_over", "hand_over_signed_in", "handover_state"]


def handover_state(client: ApiClient, tender_id: str) -> list[HandoverOut]:
    """The hand-over of every evaluation session of the tender (a host or supervisor of its opening)."""
    listed = client.get_json(f"/api/v1/evaluation/tenders/{quote(tender_id, safe='')}/handover")
    if not isinstance(listed, list):
        raise BidclientError(_("The server's hand-over state could not be read."), code="handover.state_invalid")
    return [HandoverOut.model_validate(item) for item in listed[:100]]


@dataclass(frozen=True)
class HandoverResult:
    session: HandoverOut  # as the server holds it after the hand-over
    handed: int  # key envelopes made and kept by this run
    experts_without_certificate: tuple[str, ...]  # seated experts who registered no encryption certificate yet


def _checked_certificates(out: HandoverOut, trust_list: trust.TrustList) -> dict[str, x509.Certificate]:
    """Each seated expert's registered certificate, checked here rather than taken on the server's word:
    trusted for encryption, naming the member's identity, with the digest the server states."""
    found: dict[str, x509.Certificate] = {}
    for member in out.members:
        if not member.certificate:
            continue
        try:
            cert = x509.load_pem_x509_certificate(member.certificate.encode("ascii"))
            trust.validate(cert, trust_list, usage="encryption")
            holder = identity.identity_of(cert).key
        except (ValueError, CryptoError, TrustError) as ex:
            raise BidclientError(_("The encryption certificate of {expert} is not usable: {reason}").format(
                expert=member.identity_key, reason=ex), code="handover.certificate_invalid") from ex
        if holder != member.identity_key or cert.fingerprint(hashes.SHA256()).hex() != member.certificate_sha256:
            raise BidclientError(_("The encryption certificate listed for {expert} belongs to {holder}: nothing was "
                                   "handed over.").format(expert=member.identity_key, holder=holder),
                                 code="handover.certificate_invalid")
        found[member.identity_key] = cert
    return found


def _content_key(api: OpeningApi, session: KeySession, bid: proto.BidOut) -> bytes:
    """The bid's content key, as the host's terminal had it at the opening."""
    try:
        if bid.remedied:
            remedy = api.remedy(bid.submission_id)
            head = opening._bid_head(api.client, bid, None)
            with tempfile.TemporaryDirectory(prefix=".bidclient-handover-") as scratch:
                path = Path(scratch) / "head.bid"
                path.write_bytes(head)
                key = opening._committee_key_source(api, remedy)(path)
        else:
            key = opening._released_key_source(api, session, bid)(None)
    except _KeyFailure as ex:
        raise BidclientError(_("The content key of bid {bid} could not be recovered: {reason}").format(
            bid=bid.submission_id, reason=ex.detail), code="handover.key_unavailable") from ex
    if len(key) != CONTENT_KEY_SIZE:
        raise BidclientError(_("The content key of bid {bid} could not be recovered: {reason}").format(
            bid=bid.submission_id, reason=f"{len(key)} bytes"), code="handover.key_unavailable")
    return key


def hand_over(client: ApiClient, tender_id: str, session: KeySession, trust_list: trust.TrustList,
              prompter: Prompter, *, session_id: str | None = None,
              progress: Callable[[int, int], None] | None = None) -> list[HandoverResult]:
    """Hand every opened bid of ``tender_id`` to every seated expert of its evaluation session(s) who does
    not hold it yet (only ``session_id`` when given): one PIN (the host's dongle), one confirmation, one
    request per session. Run it again after a member registers a certificate late: only what is missing is
    made. ``progress(done, total)`` counts the bids whose key was recovered."""
    api = OpeningApi(client, tender_id)
    sessions = [s for s in handover_state(client, tender_id) if session_id is None or s.session_id == session_id]
    if not sessions:
        raise BidclientError(_("Tender {tender} has no evaluation session to hand the bids to.").format(
            tender=tender_id), code="handover.no_session")
    for out in sessions:
        if out.your_role != "host":
            raise BidclientError(_("Only a host of the opening hands the bids to the committee."),
                                 code="handover.not_host")
        if not out.seated:
            raise BidclientError(_("The committee of session {session} is not seated yet (phase {phase}).").format(
                session=out.session_id, phase=out.phase), code="handover.not_seated")
    certificates = {out.session_id: _checked_certificates(out, trust_list) for out in sessions}
    wanted = {sub for out in sessions for sub, expert in out.missing() if expert in certificates[out.session_id]}
    results: list[HandoverResult] = []
    if not wanted:
        return [HandoverResult(out, 0, tuple(m.identity_key for m in out.members if not m.certificate))
                for out in sessions]
    experts = {expert for out in sessions for _sub, expert in out.missing()}
    if not prompter.confirm(Question(
            title=_("Hand the bids to the committee?"),
            text=_("Hand {bids} opened bid(s) of tender {tender} to {experts} seated expert(s)? Each expert's "
                   "own dongle will open them.").format(bids=len(wanted), tender=tender_id, experts=len(experts)),
            yes_label=_("Hand over"), severity=Severity.DANGER)):
        raise BidclientError(_("Nothing was handed over: you did not confirm."), code="handover.cancelled")
    by_id = {b.submission_id: b for b in api.get().bids}
    keys: dict[str, bytes] = {}
    done = 0
    for sub in sorted(wanted, key=lambda s: by_id[s].position if s in by_id else 0):
        bid = by_id.get(sub)
        if bid is None or bid.state != "opened":
            raise BidclientError(_("Bid {bid} was not opened at the opening: it is not handed over.").format(bid=sub),
                                 code="handover.bid_not_opened")
        keys[sub] = _content_key(api, session, bid)
        done += 1
        if progress is not None:
            progress(done, len(wanted))
    try:
        for out in sessions:
            items = []
            for sub, expert in out.missing():
                cert = certificates[out.session_id].get(expert)
                if cert is None:
                    continue
                sealed = io.BytesIO()
                cms_envelope.encrypt(io.BytesIO(keys[sub]), sealed, [cert], length=CONTENT_KEY_SIZE)
                items.append(HandoverKeyIn(submission_id=sub, expert=expert, key_envelope=proto.b64(sealed.getvalue())))
            after = out
            if items:
                after = HandoverOut.model_validate(client.post_json(
                    f"/api/v1/evaluation/sessions/{quote(out.session_id, safe='')}/handover",
                    HandoverIn(keys=items).model_dump()))
            results.append(HandoverResult(after, len(items),
                                          tuple(m.identity_key for m in after.members if not m.certificate)))
    finally:
        keys.clear()  # the content keys lived only in this call
    return results


def hand_over_signed_in(client: ApiClient, tender_id: str, certificate_sha256: str, prompter: Prompter,
                        trust_list: trust.TrustList, *, session_id: str | None = None,
                        progress: Callable[[int, int], None] | None = None) -> list[HandoverResult]:
    """``hand_over`` with the dongle the host signed in with (the desktop app's Opening workspace)."""
    from bidclient.opening_host import _require_dongle
    from bidclient.signin import open_signed_in_key

    _require_dongle(certificate_sha256)
    with open_signed_in_key(certificate_sha256, prompter) as session:
        return hand_over(client, tender_id, session, trust_list, prompter, session_id=session_id, progress=progress)
