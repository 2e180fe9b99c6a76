"""The opening committee's key ceremony, as the agency and each member run it (docs/opening.md
"The committee key"), and the bidder's check of the committee a tender names (docs/formats/tender.md).

- The agency names the committee (``create``) and, once it is complete, puts ``tender_committee(...)``
  into its tender definition (format version 3) and signs it.
- Each member, with its own dongle: ``deal`` (once), ``check`` (read-only), ``acknowledge``, or
  ``complain`` about a sender; an accused sender ``disclose``s the disputed share. At the opening,
  ``key_share`` recomputes the member's x_j in memory for a partial result.
- A bidder's client: ``verify_tender_committee`` before sealing to the committee certificate.

A member's key share x_j is never written anywhere: ``check`` and ``acknowledge`` recompute it in memory
from the encrypted shares the server relays, decrypting them with the member's dongle, and drop it. The
dealer's polynomial lives only for the ``deal`` call; what a dealer needs later (to answer a complaint)
is its n "dealer's copies", the same share values sealed to its own encryption certificate.

The core never prints or reads a terminal: it asks the ``Prompter`` it is given (PINs, confirmations).
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import hashlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import quote

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from bidclient.api_client import ApiClient
from bidclient.errors import BidclientError
from bidclient.i18n import _
from bidclient.interaction import Prompter, Question, Severity
from bidclient.protocol.committee import CommitteeOut, complaint_message
from bidclient.protocol.common import canonical_json
from bidclient.protocol.tender import TenderCommittee
from crypto import cms_sign, identity, trust
from crypto import threshold as th
from crypto.errors import BadShare, CommitteeError, CryptoError, TrustError
from crypto.keys import Decrypter

INVALID = "tender.committee_invalid"
T = TypeVar("T")


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: str, what: str, code: str = INVALID) -> bytes:
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise BidclientError(f"{what} is not base64", code=code) from None


def _pem(cert: x509.Certificate) -> str:
    return cert.public_bytes(serialization.Encoding.PEM).decode("ascii")


def _path(committee_id: str) -> str:
    return f"/api/v1/committees/{quote(committee_id, safe='')}"


def commitments_sha256(commitments: Sequence[th.Commitments]) -> str:
    """The hash of a committee's commitments that a tender carries: SHA-256 (hex) of the canonical JSON
    array of the n commitments digests, in member order (docs/formats/tender.md "committee")."""
    return hashlib.sha256(canonical_json([c.digest() for c in commitments])).hexdigest()


# --- reading a committee -------------------------------------------------------------------------


def status(client: ApiClient, committee_id: str) -> CommitteeOut:
    """The committee and every signed message of its ceremony, as the server holds them."""
    return CommitteeOut.model_validate(client.get_json(_path(committee_id)))


def committee_key(out: CommitteeOut) -> th.CommitteeKey:
    """Y and X_1..X_n computed here from the commitments (never taken from the server's word)."""
    try:
        ceremony = th.Ceremony(out.committee_id, out.threshold, len(out.members))
        return th.CommitteeKey.from_commitments(
            ceremony, [th.Commitments.from_bytes(_unb64(c.message, "a commitments message", "committee.malformed"))
                       for c in out.commitments])
    except CommitteeError as ex:
        raise BidclientError(f"committee {out.committee_id}: {ex}", code=ex.code) from None


@dataclass(frozen=True)
class VerifiedCommittee:
    committee_id: str
    threshold: int
    members: tuple[str, ...]  # identities, member order
    public_key: bytes  # Y
    certificate: x509.Certificate
    commitments_sha256: str


def verify_committee(out: CommitteeOut, *, trust_list: trust.TrustList | None = None,
                     revocation: trust.RevocationMode = trust.RevocationMode.SOFT_FAIL) -> VerifiedCommittee:
    """Everything public of a complete committee, checked offline (committee-key.md §9, steps 1-3)."""
    if out.status != "complete" or out.certificate is None:
        raise BidclientError(f"committee {out.committee_id} is {out.status}, not complete", code=INVALID)
    entry = tender_committee(out)
    certificate = verify_tender_committee(entry, trust_list=trust_list, revocation=revocation)
    return VerifiedCommittee(committee_id=out.committee_id, threshold=out.threshold,
                             members=tuple(m.identity for m in out.members),
                             public_key=committee_key(out).public_point, certificate=certificate,
                             commitments_sha256=entry.commitments_sha256)


def tender_committee(out: CommitteeOut) -> TenderCommittee:
    """The ``committee`` object of a tender definition (format version 3) for a complete committee."""
    if out.status != "complete" or out.certificate is None:
        raise BidclientError(f"committee {out.committee_id} is {out.status}: a tender can name it only once "
                             "every member has acknowledged", code="committee.not_complete")
    key = committee_key(out)
    return TenderCommittee(
        id=out.committee_id, threshold=out.threshold,
        members=[{"number": m.number, "identity": m.identity, "signing_certificate": m.signing_certificate,  # type: ignore[misc]
                  "encryption_certificate": m.encryption_certificate} for m in out.members],
        certificate=out.certificate, commitments=[c.message for c in out.commitments],
        commitments_sha256=commitments_sha256(key.commitments),
        acks=[{"member": a.member, "signature": a.signature} for a in out.acks])  # type: ignore[misc]


def _point(public_key: Any) -> bytes | None:
    if not isinstance(public_key, ec.EllipticCurvePublicKey) or not isinstance(public_key.curve, ec.SECP256R1):
        return None
    return public_key.public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)


def verify_tender_committee(committee: TenderCommittee, *, trust_list: trust.TrustList | None,
                            revocation: trust.RevocationMode = trust.RevocationMode.SOFT_FAIL,
                            opening_time: datetime | None = None) -> x509.Certificate:
    """A bidder's check of the committee a tender names; returns the committee certificate to seal to.

    The certificate must carry the Y computed here from the n commitments (each with valid proofs, and
    matching ``commitments_sha256``), and every member must have signed the acknowledgment of exactly
    those commitments, that Y and every X_j. With a trust list, each acknowledgment's signer must chain to
    it. (The agency's signature over the whole definition is checked by the caller.) Anything else:
    BidclientError ``tender.committee_invalid`` saying what does not check."""
    n = len(committee.members)
    try:
        ceremony = th.Ceremony(committee.id, committee.threshold, n)
        commitments = [th.Commitments.from_bytes(_unb64(c, f"commitments message {i}"))
                       for i, c in enumerate(committee.commitments, start=1)]
        key = th.CommitteeKey.from_commitments(ceremony, commitments)
    except CommitteeError as ex:
        raise BidclientError(f"the tender's committee {committee.id}: {ex}", code=INVALID) from None
    if commitments_sha256(key.commitments) != committee.commitments_sha256:
        raise BidclientError(f"the tender's committee {committee.id}: commitments_sha256 does not match its "
                             "commitments", code=INVALID)
    try:
        certificate = x509.load_pem_x509_certificate(committee.certificate.encode("ascii"))
    except ValueError:
        raise BidclientError("the tender's committee certificate is not a certificate", code=INVALID) from None
    if opening_time is not None and certificate.not_valid_after_utc <= opening_time:
        raise BidclientError(f"the tender's committee certificate expires {certificate.not_valid_after_utc:%Y-%m-%d} "
                             "UTC, before the opening: nobody could open with it", code=INVALID)
    if _point(certificate.public_key()) != key.public_point:
        raise BidclientError(f"the tender's committee certificate does not carry the key of committee "
                             f"{committee.id} (the Y its members' commitments give): do not seal to it",
                             code=INVALID)
    for member, ack in zip(committee.members, committee.acks, strict=True):
        try:
            listed = {identity.identity_of(x509.load_pem_x509_certificate(pem.encode("ascii"))).key
                      for pem in (member.signing_certificate, member.encryption_certificate)}
        except (ValueError, CryptoError):
            raise BidclientError(f"committee member {member.number}'s certificates are not readable",
                                 code=INVALID) from None
        if listed != {member.identity}:
            raise BidclientError(f"committee member {member.number}'s certificates do not name "
                                 f"{member.identity}", code=INVALID)
        content = th.Acknowledgment.for_member(key, member.number).to_bytes()
        signature = _unb64(ack.signature, f"member {member.number}'s acknowledgment signature")
        try:
            info = cms_sign.verify_detached(content, signature)
            signer = identity.identity_of(info.signer_certificate).key
            if trust_list is not None:
                trust.validate(info.signer_certificate, trust_list, usage="signing", extra_certs=info.certificates,
                               revocation=revocation)
        except TrustError as ex:
            raise BidclientError(f"committee member {member.number}'s acknowledgment is not signed by a trusted "
                                 f"certificate: {ex}", code=INVALID) from ex
        except CryptoError as ex:
            raise BidclientError(f"committee member {member.number}'s acknowledgment does not match this "
                                 f"committee's commitments and key: {ex}", code=INVALID) from ex
        if signer != member.identity:
            raise BidclientError(f"committee member {member.number}'s acknowledgment is signed by {signer}, not "
                                 f"by {member.identity}", code=INVALID)
    return certificate


# --- the agency ----------------------------------------------------------------------------------


def _load_cert(path: Path) -> x509.Certificate:
    from bidclient import certfiles

    return certfiles.load_certificate(path)


def create(client: ApiClient, *, tender_id: str, threshold: int,
           members: Sequence[tuple[Path, Path]]) -> CommitteeOut:
    """Name a committee: ``members`` are (signing certificate, encryption certificate) files, member order."""
    if not 1 <= len(members) <= th.MAX_MEMBERS:
        raise BidclientError(f"an opening committee has 1 to {th.MAX_MEMBERS} members; {len(members)} were given",
                             code="committee.invalid_parameters")
    if not 1 <= threshold <= len(members):
        raise BidclientError(f"the threshold k must be between 1 and the number of members n={len(members)}; "
                             f"k={threshold} was given", code="committee.invalid_parameters")
    body = {"tender_id": tender_id, "threshold": threshold,
            "members": [{"signing_certificate": _pem(_load_cert(s)), "encryption_certificate": _pem(_load_cert(e))}
                        for s, e in members]}
    return CommitteeOut.model_validate(client.post_json("/api/v1/committees", body))


# --- a member ------------------------------------------------------------------------------------


@dataclass
class MemberSession:
    """A member logged in with its dongle: the client, its signer and its encryption key."""

    client: ApiClient
    identity: str
    sign: Any  # Callable[[bytes], bytes]
    _key: Any  # the open KeySession: its encryption pair is looked up only when a share is sealed or opened

    @property
    def decrypter(self) -> Decrypter:
        decrypter: Decrypter = self._key.decrypter()
        return decrypter

    def number(self, out: CommitteeOut) -> int:
        for m in out.members:
            if m.identity == self.identity:
                return m.number
        raise BidclientError(f"you ({self.identity}) are not a member of committee {out.committee_id}",
                             code="committee.not_member")

    def _signed(self, message: bytes) -> dict[str, str]:
        return {"message": _b64(message), "signature": _b64(self.sign(message))}

    def _shares(self, out: CommitteeOut) -> tuple[list[th.EncryptedShare], list[th.EncryptedShare]]:
        fetched = self.client.get_json(f"{_path(out.committee_id)}/shares")
        try:
            return ([th.EncryptedShare.from_bytes(_unb64(s, "a share", "committee.malformed"))
                     for s in fetched["shares"]],
                    [th.EncryptedShare.from_bytes(_unb64(s, "a share", "committee.malformed"))
                     for s in fetched["copies"]])
        except CommitteeError as ex:
            raise BidclientError(str(ex), code=ex.code) from None


@contextlib.contextmanager
def open_member(server: str | None, key: str, prompter: Prompter, *, modules: Sequence[str] = (),
                encryption_key: str | None = None) -> Iterator[MemberSession]:
    """Open KEY (one PIN), log in with it (or reuse the stored session of the same identity)."""
    from bidclient import session_store
    from bidclient.signin import connect_with_key

    with connect_with_key(session_store.resolve_server(server), key, prompter, modules=modules,
                          encryption_key=encryption_key) as connected:
        yield MemberSession(client=connected.client, identity=connected.identity, sign=connected.sign,
                            _key=connected.session)


@contextlib.contextmanager
def signed_in_member(client: ApiClient, certificate_sha256: str, prompter: Prompter) -> Iterator[MemberSession]:
    """The desktop app's member: the dongle the person signed in with (one PIN, asked through ``prompter``)
    over the app's own session ``client``."""
    from bidclient.signin import open_signed_in_key
    from bidclient.signing import detached_signer

    with open_signed_in_key(certificate_sha256, prompter) as session:
        signer = session.signer()
        yield MemberSession(client=client, identity=identity.identity_of(signer.certificate).key,
                            sign=detached_signer(signer), _key=session)


def my_committees(client: ApiClient) -> list[CommitteeOut]:
    """The committees naming the caller as a member, newest first."""
    listed = client.get_json("/api/v1/committees")
    if not isinstance(listed, list):
        raise BidclientError("the server's list of committees is not a list", code="committee.malformed")
    return [CommitteeOut.model_validate(c) for c in listed[:1000]]


def as_signed_in(client: ApiClient, certificate_sha256: str, prompter: Prompter,
                 step: Callable[[MemberSession], T]) -> T:
    """Run one ceremony step (``deal``, ``check``, …, given the member) with the signed-in dongle."""
    with signed_in_member(client, certificate_sha256, prompter) as member:
        return step(member)


def deal(member: MemberSession, committee_id: str) -> CommitteeOut:
    """Contribute: a fresh polynomial, its signed commitments, n shares, n dealer's copies, in one request."""
    out = status(member.client, committee_id)
    number = member.number(out)
    ceremony = th.Ceremony(out.committee_id, out.threshold, len(out.members))
    certificates = [x509.load_pem_x509_certificate(m.encryption_certificate.encode("ascii")) for m in out.members]
    own = member.decrypter.certificate
    if own != certificates[number - 1]:
        raise BidclientError(f"the encryption key opened is not the one committee {committee_id} names for member "
                             f"{number}; give that key's URI with --encryption-key", code="committee.wrong_key")
    dealer = th.Dealer(ceremony, number)
    body = {**member._signed(dealer.commitments().to_bytes()),
            "shares": [_b64(dealer.encrypt_share(j, cert).to_bytes()) for j, cert in enumerate(certificates, 1)],
            "copies": [_b64(dealer.encrypt_share(j, own).to_bytes()) for j in range(1, len(certificates) + 1)]}
    del dealer  # the polynomial is not kept: the dealer's copies answer a complaint
    return CommitteeOut.model_validate(member.client.post_json(f"{_path(committee_id)}/deal", body))


@dataclass(frozen=True)
class CheckResult:
    committee: CommitteeOut
    member: int
    bad_senders: tuple[int, ...]  # empty: every share checks out
    detail: str


def _key_share(member: MemberSession, out: CommitteeOut) -> th.KeyShare:
    number = member.number(out)
    if out.status == "dealing":
        missing = [m.number for m in out.members if not m.dealt]
        raise BidclientError(f"committee {out.committee_id} is still dealing: member(s) "
                             f"{', '.join(map(str, missing))} have not dealt yet", code="committee.wrong_state")
    key = committee_key(out)
    shares, _copies = member._shares(out)
    decrypter = member.decrypter
    disclosures = [th.ShareDisclosure.from_bytes(_unb64(d.message, "a disclosure", "committee.malformed"))
                   for d in out.disclosures if d.receiver == number]
    return th.member_key_share(key, number, shares, decrypter, disclosures)


def key_share(member: MemberSession, committee_id: str) -> th.KeyShare:
    """This member's key share x_j, recomputed in memory from the encrypted shares the server relays (opened
    with the member's dongle, each checked against its sender's commitments): what a partial result at the
    opening needs (``crypto.threshold.compute_partial``). Never write it anywhere; drop it after use.
    BidclientError ``committee.bad_share`` names a sender whose share does not check out."""
    try:
        return _key_share(member, status(member.client, committee_id))
    except BadShare as ex:
        raise BidclientError(ex.message, code="committee.bad_share") from None


def check(member: MemberSession, committee_id: str) -> CheckResult:
    """Open the shares addressed to this member with its dongle and check each against its sender's
    commitments (and any verified public disclosure). Nothing is sent or written."""
    out = status(member.client, committee_id)
    number = member.number(out)
    try:
        _key_share(member, out)
    except BadShare as ex:
        return CheckResult(out, number, ex.members, ex.message)
    return CheckResult(out, number, (), "")


def acknowledge(member: MemberSession, committee_id: str, prompter: Prompter) -> CommitteeOut:
    """Check the shares, then (with the member's confirmation) sign and post the acknowledgment."""
    result = check(member, committee_id)
    if result.bad_senders:
        raise BidclientError(result.detail, code="committee.bad_share")
    key = committee_key(result.committee)
    question = Question(title=_("Acknowledge the committee key"),
                        text=_("Your shares check out. Sign that committee {id} has the public key {key}…, made "
                               "from the commitments of all {n} members?").format(
                                   id=committee_id, key=key.public_point.hex()[:16], n=len(result.committee.members)),
                        yes_label=_("Sign"), severity=Severity.WARNING)
    if not prompter.confirm(question):
        raise BidclientError("the acknowledgment was not signed", code="crypto.cancelled")
    ack = th.Acknowledgment.for_member(key, result.member).to_bytes()
    return CommitteeOut.model_validate(member.client.post_json(f"{_path(committee_id)}/acks", member._signed(ack)))


def complain(member: MemberSession, committee_id: str, accused: int, reason: str) -> CommitteeOut:
    """Name member ``accused`` for a bad or missing share, in a signed complaint."""
    out = status(member.client, committee_id)
    message = complaint_message(ceremony=committee_id, member=member.number(out), accused=accused,
                                reason=reason or "the share does not match the sender's commitments")
    return CommitteeOut.model_validate(member.client.post_json(f"{_path(committee_id)}/complaints",
                                                               member._signed(message)))


def disclose(member: MemberSession, committee_id: str, receiver: int, prompter: Prompter) -> CommitteeOut:
    """Answer member ``receiver``'s complaint: publish the disputed share, opened from the dealer's copy."""
    out = status(member.client, committee_id)
    number = member.number(out)
    _shares, copies = member._shares(out)
    copy = next((c for c in copies if c.receiver == receiver and c.sender == number), None)
    if copy is None:
        raise BidclientError(f"the server holds no dealer's copy of your share for member {receiver}",
                             code="committee.malformed")
    question = Question(title=_("Disclose a share"),
                        text=_("Member {j} says your share for it is wrong. Publish that one share so that "
                               "everyone can check it against your commitments? The committee's threshold "
                               "still holds.").format(j=receiver), yes_label=_("Disclose"),
                        severity=Severity.WARNING)
    if not prompter.confirm(question):
        raise BidclientError("nothing was disclosed", code="crypto.cancelled")
    try:
        value = copy.open(member.decrypter)
    except (CryptoError) as ex:
        raise BidclientError(f"your dealer's copy for member {receiver} cannot be opened with your key: {ex}",
                             code=getattr(ex, "code", "committee.error")) from None
    disclosure = th.ShareDisclosure(committee_id, number, receiver, value).to_bytes()
    return CommitteeOut.model_validate(member.client.post_json(f"{_path(committee_id)}/disclosures",
                                                               member._signed(disclosure)))
