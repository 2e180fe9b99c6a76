"""Clarification requests (澄清) through the platform, in the core: a committee member asks the bidder of a bid
in writing, the bidder answers signed with its dongle, and whoever reads the answer verifies that signature
here before showing it as signed (docs/evaluation.md, "Clarifications").

The verification checks the bidder's detached CMS signature over ``answer_statement(id, answer)`` (the very
bytes the server checked), that the certificate chains to the trust list, and that it names the bidder the
session lists for the bid (and who the server says answered). The reader is told the bid's name as the
session shows it — never the certificate's subject: experts learn no more of a bidder than the session
shows. The desktop app (ui/evaluation/clarifications_panel.py, ui/bidder/clarifications_page.py) and the
report call these; nothing here prints or imports Qt.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from bidclient.api_client import ApiClient
from bidclient.errors import BidclientError
from bidclient.i18n import _
from bidclient.interaction import Prompter
from bidclient.protocol.evaluation_session import (
    ClarificationOut,
    ClarificationsOut,
    SessionOut,
    answer_statement,
)
from crypto import trust

Sign = Callable[[bytes], bytes]
BASE = "/api/v1/evaluation"

Verdict = Literal["asked", "verified", "unverified"]


@dataclass(frozen=True)
class Clarification:
    """One request as a reader sees it. ``verdict``: ``asked`` (no answer yet), ``verified`` (the answer's
    signature is intact, trusted and the bidder's), ``unverified`` (an answer whose signature does not hold:
    ``problem`` says why; it must not be shown as signed)."""

    id: str
    session_id: str
    bid: str
    bid_name: str  # as the session shows it (the bid's id when the reader has no session)
    question: str
    asked_at: datetime
    answer: str | None
    answered_at: datetime | None
    verdict: Verdict
    problem: str = ""

    @property
    def answered(self) -> bool:
        return self.answer is not None


def verify_answer(item: ClarificationOut, bidder: str | None, trust_list: trust.TrustList | None) -> str:
    """Why the answer of ``item`` cannot be shown as signed by ``bidder`` (its identity key as the session
    lists it; None when the session does not say), or "" when it can: the signature is over this request's
    answer statement, intact, by a certificate the trust list validates, naming that bidder."""
    from bidclient.signing import verify_content
    from crypto.errors import CryptoError

    if item.answer is None:
        return _("not answered")
    if not item.answer_signature:
        return _("the server sent the answer without its signature")
    if trust_list is None:
        return _("no trust list is configured to check the signature ('bidclient trust sync')")
    try:
        signature = base64.b64decode(item.answer_signature, validate=True)
    except (binascii.Error, ValueError):
        return _("the answer's signature is not base64")
    try:
        checked = verify_content(answer_statement(item.id, item.answer), signature, trust_list)
    except (CryptoError, ValueError) as ex:
        return _("the signature does not hold: {why}").format(why=ex)
    except Exception:  # hostile bytes a parser chokes on: not verified, never a crash
        return _("the signature does not hold: {why}").format(why=_("it cannot be read"))
    signer = checked.identity.key
    if bidder is not None and signer != bidder:
        return _("the answer is signed by another party than the bidder of this bid")
    if item.answered_by is not None and signer != item.answered_by:
        return _("the answer is signed by another party than the one the server names")
    return ""


def _trust() -> trust.TrustList | None:
    from bidclient.signing import load_trust

    try:
        return load_trust([])
    except Exception:  # no trust list configured, or a damaged one: answers are shown as not verified
        return None


def _read(item: ClarificationOut, names: dict[str, str], bidders: dict[str, str | None],
          trust_list: trust.TrustList | None) -> Clarification:
    problem = verify_answer(item, bidders.get(item.bid), trust_list) if item.answer is not None else ""
    verdict: Verdict = "asked" if item.answer is None else ("unverified" if problem else "verified")
    return Clarification(item.id, item.session_id, item.bid, names.get(item.bid, item.bid), item.question,
                         item.asked_at, item.answer, item.answered_at, verdict, problem)


def session_clarifications(client: ApiClient, session: SessionOut, *,
                           trust_list: trust.TrustList | None = None) -> list[Clarification]:
    """The session's requests (its experts and supervisors), oldest first, each answer verified against the
    bidder the session lists for the bid."""
    items = fetch(client, session.id).clarifications
    bids = session.definition.bids
    chosen = trust_list if trust_list is not None else _trust()
    return [_read(i, {b.id: b.name for b in bids}, {b.id: b.bidder for b in bids}, chosen) for i in items]


def my_clarifications(client: ApiClient, *, trust_list: trust.TrustList | None = None) -> list[Clarification]:
    """The requests put to the signed-in bidder, newest first (its own answers verified too)."""
    items = fetch(client).clarifications
    chosen = trust_list if trust_list is not None else _trust()
    found = [_read(i, {}, {}, chosen) for i in items]
    return sorted(found, key=lambda c: (c.asked_at, c.id), reverse=True)


def fetch(client: ApiClient, session_id: str | None = None) -> ClarificationsOut:
    """A session's requests as the server lists them, or (no session) those put to the calling bidder."""
    path = f"{BASE}/sessions/{session_id}/clarifications" if session_id else f"{BASE}/clarifications"
    return ClarificationsOut.model_validate(client.get_json(path))


def ask(client: ApiClient, session_id: str, bid: str, question: str) -> ClarificationOut:
    """Put ``question`` to the bidder of ``bid`` (an active expert, during the review or the scoring; the
    server refuses it in other phases). ``bidclient evaluation ask`` and the app call this."""
    if not question.strip():
        raise BidclientError(_("a clarification request needs its question"), code="evaluation.question_required")
    return ClarificationOut.model_validate(client.post_json(
        f"{BASE}/sessions/{session_id}/clarifications", {"bid": bid, "question": question.strip()}))


def answer(client: ApiClient, clarification_id: str, text: str, sign: Sign) -> ClarificationOut:
    """Answer a request put to the caller (a bidder), ``sign`` signing the answer statement.
    ``bidclient evaluation answer`` and the app (answer_signed_in) call this."""
    if not text.strip():
        raise BidclientError(_("an answer needs its text"), code="evaluation.answer_required")
    content = answer_statement(clarification_id, text.strip())
    return ClarificationOut.model_validate(client.post_json(
        f"{BASE}/clarifications/{clarification_id}/answer",
        {"content": base64.b64encode(content).decode("ascii"),
         "signature": base64.b64encode(sign(content)).decode("ascii")}))


def answer_signed_in(client: ApiClient, clarification_id: str, text: str, certificate_sha256: str,
                     prompter: Prompter) -> ClarificationOut:
    """Answer with the dongle the bidder signed in with (one PIN entry; nothing is asked for an empty
    answer)."""
    from bidclient.signin import open_signed_in_key
    from bidclient.signing import detached_signer

    if not text.strip():
        raise BidclientError(_("an answer needs its text"), code="evaluation.answer_required")
    with open_signed_in_key(certificate_sha256, prompter) as key:
        return answer(client, clarification_id, text, detached_signer(key.signer()))
