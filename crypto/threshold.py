"""The committee opening key: a k-of-n EC P-256 key that nobody ever holds whole.

Distributed key generation (Pedersen's DKG with Feldman commitments, as in ElectionGuard's key ceremony):
every member i draws a random polynomial f_i of degree k-1, publishes C_il = a_il·G with a Schnorr proof
of knowledge of each a_il, and sends every member j (itself included) the share f_i(j), encrypted with
CMS to j's encryption certificate. The committee public key is Y = Σ_i C_i0; member j's key share is
x_j = Σ_i f_i(j) and its verification key X_j = x_j·G = Σ_i Σ_l j^l·C_il is public.

At an opening a bid's key agreement (ephemeral-static ECDH, RFC 5753) names the committee certificate
with an ephemeral key R. Member j gives P_j = x_j·R with a Chaum-Pedersen proof that log_G X_j = log_R P_j,
bound to a context string naming the tender and the bid. Any k valid partials combine with Lagrange
coefficients into Σ λ_j·P_j = y·R, whose x-coordinate is the ECDH secret; CommitteeDecrypter hands it to
the ordinary CMS reader (crypto.cms_envelope), which runs the X9.63 KDF and the AES key unwrap.

Every message has a canonical JSON form (docs/formats/committee-key.md defines the bytes); parsing
accepts only that form, so the bytes a member signs are unique. Secrets (polynomials, shares) never
appear in a message in the clear and never in a repr.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import io
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from crypto import _ec_points as ecp
from crypto.algorithms import KeyTransport
from crypto.cms_envelope import Recipient, decrypt_bytes, encrypt, key_agreement_keys
from crypto.errors import (
    BadCommitments,
    BadPartial,
    BadShare,
    CommitteeKeyMismatch,
    CommitteeMessageMalformed,
    CommitteeParametersInvalid,
    DecryptionFailed,
    MalformedError,
    NotARecipient,
    NotEnoughPartials,
    UnsupportedAlgorithm,
)
from crypto.keys import Decrypter

__all__ = [
    "FORMAT_VERSION",
    "MAX_MEMBERS",
    "Acknowledgment",
    "Ceremony",
    "Commitments",
    "CommitteeDecrypter",
    "CommitteeKey",
    "Dealer",
    "EncryptedShare",
    "KeyShare",
    "Partial",
    "ShareDisclosure",
    "canonical_json",
    "check_share",
    "combine_partials",
    "compute_partial",
    "ephemeral_keys",
    "member_key_share",
    "opening_context",
    "reconstruct_private_key",
]

FORMAT_VERSION = 1
MAX_MEMBERS = 10
_ID_RE = re.compile(r"[A-Za-z0-9._:/@=+-]{1,200}")
_CONTEXT_RE = re.compile(r"[\x20-\x7e]{1,1000}")
_HEX64 = re.compile(r"[0-9a-f]{64}")
_HEX_POINT = re.compile(r"04[0-9a-f]{128}")
_MAX_MESSAGE = 1 << 20

FORMAT_COMMITMENTS = "bidclient-committee-commitments"
FORMAT_SHARE = "bidclient-committee-share"
FORMAT_SHARE_VALUE = "bidclient-committee-share-value"
FORMAT_ACK = "bidclient-committee-ack"
FORMAT_PARTIAL = "bidclient-committee-partial"
FORMAT_DISCLOSURE = "bidclient-committee-disclosure"
_TAG_SCHNORR = b"bidclient-committee-schnorr/v1"
_TAG_DLEQ = b"bidclient-committee-dleq/v1"


# --- canonical JSON ------------------------------------------------------------------------------


def canonical_json(obj: Mapping[str, Any]) -> bytes:
    """The one byte form of a message: sorted keys, no whitespace, ASCII, no trailing newline."""
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=True).encode("ascii")


def _load(data: bytes, fmt: str, what: str) -> dict[str, Any]:
    if len(data) > _MAX_MESSAGE:
        raise CommitteeMessageMalformed(f"the {what} is larger than {_MAX_MESSAGE} bytes")
    try:
        obj = json.loads(data.decode("ascii"))
    except (UnicodeDecodeError, ValueError) as ex:
        raise CommitteeMessageMalformed(f"the {what} is not ASCII JSON: {ex}") from None
    if not isinstance(obj, dict):
        raise CommitteeMessageMalformed(f"the {what} is not a JSON object")
    if obj.get("format") != fmt:
        raise CommitteeMessageMalformed(f"the {what} has format {obj.get('format')!r}, expected {fmt!r}")
    if obj.get("version") != FORMAT_VERSION:
        raise CommitteeMessageMalformed(
            f"the {what} has version {obj.get('version')!r}; this bidclient reads version {FORMAT_VERSION}")
    return obj


def _require_canonical(data: bytes, obj: Mapping[str, Any], what: str) -> None:
    if canonical_json(obj) != data:
        raise CommitteeMessageMalformed(
            f"the {what} is not in canonical form (sorted keys, no whitespace, only the documented fields)")


def _field(obj: Mapping[str, Any], name: str, kind: type, what: str) -> Any:
    value = obj.get(name)
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise CommitteeMessageMalformed(f"the {what} lacks a valid {name!r} field")
    return value


def _keys(obj: Mapping[str, Any], expected: set[str], what: str) -> None:
    if set(obj) != expected:
        extra = sorted(set(obj) - expected)
        missing = sorted(expected - set(obj))
        raise CommitteeMessageMalformed(f"the {what} has unexpected fields {extra} or lacks {missing}")


def _ceremony_id(obj: Mapping[str, Any], what: str) -> str:
    value = _field(obj, "ceremony", str, what)
    if not _ID_RE.fullmatch(value):
        raise CommitteeMessageMalformed(f"the {what}'s ceremony id is not in the documented form")
    return str(value)


def _index(obj: Mapping[str, Any], name: str, what: str) -> int:
    value = _field(obj, name, int, what)
    if not 1 <= value <= MAX_MEMBERS:
        raise CommitteeMessageMalformed(f"the {what}'s {name} must be a member number from 1 to {MAX_MEMBERS}")
    return int(value)


def _hex_scalar(value: Any, what: str) -> int:
    if not isinstance(value, str) or not _HEX64.fullmatch(value):
        raise CommitteeMessageMalformed(f"{what} is not 64 lowercase hex digits")
    n = int(value, 16)
    if n >= ecp.ORDER:
        raise CommitteeMessageMalformed(f"{what} is not below the P-256 group order")
    return n


def _hex_point(value: Any, what: str) -> bytes:
    if not isinstance(value, str) or not _HEX_POINT.fullmatch(value):
        raise CommitteeMessageMalformed(f"{what} is not an uncompressed point (130 lowercase hex digits)")
    raw = bytes.fromhex(value)
    try:
        ecp.decode(raw)
    except ValueError:
        raise CommitteeMessageMalformed(f"{what} is not a point on P-256") from None
    return raw


def _hash_to_scalar(tag: bytes, *fields: bytes) -> int:
    """SHA-256 over length-prefixed fields (4-byte big-endian lengths), reduced mod q."""
    h = hashlib.sha256()
    for part in (tag, *fields):
        h.update(len(part).to_bytes(4, "big"))
        h.update(part)
    return int.from_bytes(h.digest(), "big") % ecp.ORDER


def _u32(n: int) -> bytes:
    return n.to_bytes(4, "big")


# --- ceremony parameters -------------------------------------------------------------------------


@dataclass(frozen=True)
class Ceremony:
    """One key ceremony: its id (unique, names the tender), the threshold k and the number of members n."""

    ceremony_id: str
    threshold: int
    members: int

    def __post_init__(self) -> None:
        if not isinstance(self.ceremony_id, str) or not _ID_RE.fullmatch(self.ceremony_id):
            raise CommitteeParametersInvalid(
                f"the ceremony id {self.ceremony_id!r} must be 1 to 200 characters from A-Z a-z 0-9 . _ : / @ = + -")
        for name in ("threshold", "members"):
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool):
                raise CommitteeParametersInvalid(f"the {name} must be an integer, not {value!r}")
        if not 1 <= self.members <= MAX_MEMBERS:
            raise CommitteeParametersInvalid(
                f"an opening committee has 1 to {MAX_MEMBERS} members; {self.members} were given")
        if not 1 <= self.threshold <= self.members:
            raise CommitteeParametersInvalid(
                f"the threshold k must be between 1 and the number of members n={self.members}; "
                f"k={self.threshold} was given")

    def check_member(self, index: int, role: str = "member") -> None:
        if not isinstance(index, int) or isinstance(index, bool) or not 1 <= index <= self.members:
            raise CommitteeParametersInvalid(
                f"the {role} index must be between 1 and {self.members}; {index!r} was given")


def opening_context(tender_id: str, bid_sha256: str) -> str:
    """The context a partial decryption is bound to: the tender and the sealed bid's SHA-256 (hex)."""
    return f"bidclient-opening/v1 tender={tender_id} bid-sha256={bid_sha256.lower()}"


def _check_context(context: str) -> bytes:
    if not isinstance(context, str) or not _CONTEXT_RE.fullmatch(context):
        raise CommitteeParametersInvalid("the context must be 1 to 1000 printable ASCII characters")
    return context.encode("ascii")


# --- Feldman commitments -------------------------------------------------------------------------


@dataclass(frozen=True)
class Commitments:
    """Member ``sender``'s Feldman commitments C_l = a_l·G (l = 0..k-1) and a Schnorr proof of each a_l."""

    ceremony: Ceremony
    sender: int
    points: tuple[bytes, ...]  # uncompressed SEC 1
    proofs: tuple[tuple[int, int], ...]  # (challenge c, response s)

    def to_bytes(self) -> bytes:
        return canonical_json(self._obj())

    def _obj(self) -> dict[str, Any]:
        return {
            "format": FORMAT_COMMITMENTS, "version": FORMAT_VERSION,
            "ceremony": self.ceremony.ceremony_id, "threshold": self.ceremony.threshold,
            "members": self.ceremony.members, "sender": self.sender,
            "commitments": [p.hex() for p in self.points],
            "proofs": [{"c": f"{c:064x}", "s": f"{s:064x}"} for c, s in self.proofs],
        }

    def digest(self) -> str:
        return hashlib.sha256(self.to_bytes()).hexdigest()

    @classmethod
    def from_bytes(cls, data: bytes) -> Commitments:
        what = "commitments message"
        obj = _load(data, FORMAT_COMMITMENTS, what)
        _keys(obj, {"format", "version", "ceremony", "threshold", "members", "sender", "commitments", "proofs"},
              what)
        try:
            ceremony = Ceremony(_field(obj, "ceremony", str, what), _field(obj, "threshold", int, what),
                                _field(obj, "members", int, what))
            sender = _field(obj, "sender", int, what)
            ceremony.check_member(sender, "sender")
        except CommitteeParametersInvalid as ex:
            raise CommitteeMessageMalformed(f"the {what} is invalid: {ex.message}") from None
        points = _field(obj, "commitments", list, what)
        proofs = _field(obj, "proofs", list, what)
        if len(points) != ceremony.threshold or len(proofs) != ceremony.threshold:
            raise CommitteeMessageMalformed(
                f"the {what} of member {sender} must hold k={ceremony.threshold} commitments and proofs")
        parsed_proofs = []
        for n, p in enumerate(proofs):
            if not isinstance(p, dict) or set(p) != {"c", "s"}:
                raise CommitteeMessageMalformed(f"proof {n} of the {what} must have exactly 'c' and 's'")
            parsed_proofs.append((_hex_scalar(p["c"], f"proof {n}'s c"), _hex_scalar(p["s"], f"proof {n}'s s")))
        result = cls(ceremony, sender, tuple(_hex_point(p, f"commitment {n}") for n, p in enumerate(points)),
                     tuple(parsed_proofs))
        _require_canonical(data, obj, what)
        return result

    def verify(self) -> None:
        """Check every Schnorr proof of knowledge; BadCommitments names the sender otherwise.

        The proofs stop a member from choosing its C_0 after seeing the others' (a rogue key that would
        let it cancel their contributions): each C_l comes with a proof that its sender knows a_l.
        """
        if len(self.points) != self.ceremony.threshold or len(self.proofs) != self.ceremony.threshold:
            raise BadCommitments(f"member {self.sender} sent {len(self.points)} commitments; "
                                 f"k={self.ceremony.threshold} are needed", member=self.sender)
        for index, (point, (c, s)) in enumerate(zip(self.points, self.proofs, strict=True)):
            try:
                t = ecp.add(ecp.base_mul(s), ecp.mul(ecp.decode(point), ecp.ORDER - c))
                t_bytes = ecp.encode(t)
            except ValueError:
                t_bytes = b""
            if not t_bytes or _schnorr_challenge(self.ceremony, self.sender, index, point, t_bytes) != c:
                raise BadCommitments(
                    f"member {self.sender}'s commitment {index} carries an invalid proof of knowledge",
                    member=self.sender)


def _schnorr_challenge(ceremony: Ceremony, sender: int, index: int, point: bytes, t: bytes) -> int:
    return _hash_to_scalar(_TAG_SCHNORR, ceremony.ceremony_id.encode("ascii"), _u32(ceremony.threshold),
                           _u32(ceremony.members), _u32(sender), _u32(index), point, t)


def _eval_commitments(points: Sequence[bytes], at: int) -> ecp.Point:
    """Σ_l at^l · C_l: the point f(at)·G that a share f(at) must match."""
    total = ecp.infinity()
    power = 1
    for p in points:
        total = ecp.add(total, ecp.mul(ecp.decode(p), power))
        power = power * at % ecp.ORDER
    return total


# --- the dealer (one member's contribution) -------------------------------------------------------


class Dealer:
    """Member ``member``'s secret polynomial for one ceremony. Keep it in memory only, until every member
    has acknowledged (``disclose`` answers a complaint), then discard it.

    ``commitments()`` is published; ``encrypt_share(j, cert)`` is sent to member j (itself included).
    """

    def __init__(self, ceremony: Ceremony, member: int) -> None:
        ceremony.check_member(member)
        self.ceremony = ceremony
        self.member = member
        self._coefficients = [ecp.random_scalar() for _ in range(ceremony.threshold)]

    def __repr__(self) -> str:
        return f"Dealer(ceremony={self.ceremony.ceremony_id!r}, member={self.member})"

    def commitments(self) -> Commitments:
        points: list[bytes] = []
        proofs: list[tuple[int, int]] = []
        for index, a in enumerate(self._coefficients):
            point = ecp.encode(ecp.base_mul(a))
            r = ecp.random_scalar()
            t = ecp.encode(ecp.base_mul(r))
            c = _schnorr_challenge(self.ceremony, self.member, index, point, t)
            points.append(point)
            proofs.append((c, (r + c * a) % ecp.ORDER))
        return Commitments(self.ceremony, self.member, tuple(points), tuple(proofs))

    def share_value(self, receiver: int) -> int:
        """f(receiver), Horner's rule mod q."""
        self.ceremony.check_member(receiver, "receiver")
        value = 0
        for a in reversed(self._coefficients):
            value = (value * receiver + a) % ecp.ORDER
        return value

    def disclose(self, receiver: int) -> ShareDisclosure:
        """Answer a complaint by member ``receiver``: publish its share in the clear for all to check."""
        return ShareDisclosure(self.ceremony.ceremony_id, self.member, receiver, self.share_value(receiver))

    def encrypt_share(self, receiver: int, certificate: x509.Certificate,
                      key_transport: KeyTransport | None = None) -> EncryptedShare:
        return EncryptedShare.seal(self.ceremony, self.member, receiver, self.share_value(receiver), certificate,
                                   key_transport)


# --- shares in transit ---------------------------------------------------------------------------


@dataclass(frozen=True)
class EncryptedShare:
    """f_sender(receiver), sealed with CMS (AES-256-GCM AuthEnvelopedData) to the receiver's encryption
    certificate. The envelope's plaintext is the canonical share-value JSON, which repeats ceremony,
    sender and receiver so that an envelope cannot be passed off for another pair."""

    ceremony_id: str
    sender: int
    receiver: int
    envelope: bytes  # DER CMS

    @classmethod
    def seal(cls, ceremony: Ceremony, sender: int, receiver: int, value: int, certificate: x509.Certificate,
             key_transport: KeyTransport | None = None) -> EncryptedShare:
        ceremony.check_member(sender, "sender")
        ceremony.check_member(receiver, "receiver")
        plain = canonical_json({"format": FORMAT_SHARE_VALUE, "version": FORMAT_VERSION,
                                "ceremony": ceremony.ceremony_id, "sender": sender, "receiver": receiver,
                                "value": f"{value % ecp.ORDER:064x}"})
        out = io.BytesIO()
        encrypt(io.BytesIO(plain), out, [Recipient(certificate, key_transport)])
        return cls(ceremony.ceremony_id, sender, receiver, out.getvalue())

    def to_bytes(self) -> bytes:
        return canonical_json({"format": FORMAT_SHARE, "version": FORMAT_VERSION, "ceremony": self.ceremony_id,
                               "sender": self.sender, "receiver": self.receiver,
                               "envelope": base64.b64encode(self.envelope).decode("ascii")})

    @classmethod
    def from_bytes(cls, data: bytes) -> EncryptedShare:
        what = "encrypted share"
        obj = _load(data, FORMAT_SHARE, what)
        _keys(obj, {"format", "version", "ceremony", "sender", "receiver", "envelope"}, what)
        try:
            envelope = base64.b64decode(_field(obj, "envelope", str, what), validate=True)
        except (binascii.Error, ValueError):
            raise CommitteeMessageMalformed(f"the {what}'s envelope is not base64") from None
        result = cls(_ceremony_id(obj, what), _index(obj, "sender", what), _index(obj, "receiver", what), envelope)
        _require_canonical(data, obj, what)
        return result

    def open(self, decrypter: Decrypter) -> int:
        """Decrypt the share with the receiver's key (a dongle works: the Decrypter protocol). The value
        is checked against the commitments by ``member_key_share``, not here."""
        plain = decrypt_bytes(self.envelope, decrypter)
        what = f"share from member {self.sender}"
        try:
            obj = _load(plain, FORMAT_SHARE_VALUE, what)
            _keys(obj, {"format", "version", "ceremony", "sender", "receiver", "value"}, what)
            value = _hex_scalar(obj["value"], f"the {what}")
            _require_canonical(plain, obj, what)
        except CommitteeMessageMalformed as ex:
            raise BadShare(f"member {self.sender} sent a share that is not well-formed: {ex.message}",
                           member=self.sender) from None
        if (obj["ceremony"], obj["sender"], obj["receiver"]) != (self.ceremony_id, self.sender, self.receiver):
            raise BadShare(f"the share said to come from member {self.sender} for member {self.receiver} "
                           f"holds one for ceremony {obj['ceremony']!r}, from {obj['sender']!r} to "
                           f"{obj['receiver']!r}", member=self.sender)
        return value


# --- the committee's public key ------------------------------------------------------------------


@dataclass(frozen=True)
class CommitteeKey:
    """What everybody can compute from the n verified commitments messages: Y and every X_j."""

    ceremony: Ceremony
    commitments: tuple[Commitments, ...]  # sender 1..n
    public_point: bytes = field(repr=False)
    verification_points: tuple[bytes, ...] = field(repr=False)  # X_1..X_n

    @classmethod
    def from_commitments(cls, ceremony: Ceremony, commitments: Iterable[Commitments]) -> CommitteeKey:
        """Check that there is exactly one commitments message per member, for this ceremony, each with
        valid proofs (BadCommitments names the first bad sender), and compute Y and X_1..X_n."""
        by_sender: dict[int, Commitments] = {}
        for c in commitments:
            if c.ceremony != ceremony:
                raise BadCommitments(f"member {c.sender}'s commitments are for ceremony {c.ceremony}, "
                                     f"not {ceremony}", member=c.sender)
            if c.sender in by_sender and by_sender[c.sender] != c:
                raise BadCommitments(f"member {c.sender} published two different commitments", member=c.sender)
            by_sender[c.sender] = c
        missing = [i for i in range(1, ceremony.members + 1) if i not in by_sender]
        if missing:
            raise CommitteeParametersInvalid(f"commitments are missing from member(s) "
                                             f"{', '.join(map(str, missing))}")
        ordered = tuple(by_sender[i] for i in range(1, ceremony.members + 1))
        for c in ordered:
            c.verify()
        public = ecp.infinity()
        for c in ordered:
            public = ecp.add(public, ecp.decode(c.points[0]))
        try:
            public_point = ecp.encode(public)
            verification = tuple(
                ecp.encode(_sum(_eval_commitments(c.points, j) for c in ordered))
                for j in range(1, ceremony.members + 1))
        except ValueError:  # a point at infinity: only when the members' keys cancel out
            raise CommitteeParametersInvalid("the commitments add up to no key; run the ceremony again") from None
        return cls(ceremony, ordered, public_point, verification)

    @property
    def public_key(self) -> ec.EllipticCurvePublicKey:
        """Y, the key bids are sealed to (put it in the committee certificate)."""
        return ecp.to_public_key(ecp.decode(self.public_point))

    def verification_key(self, member: int) -> bytes:
        self.ceremony.check_member(member)
        return self.verification_points[member - 1]


def _sum(points: Iterable[ecp.Point]) -> ecp.Point:
    total = ecp.infinity()
    for p in points:
        total = ecp.add(total, p)
    return total


# --- complaints ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ShareDisclosure:
    """A sender's public answer to a complaint (ElectionGuard's "challenge"): the share f_i(j) in the clear.

    When member j names member i for a bad share, the encrypted share alone cannot show who is at fault
    (i, j, or whoever relayed it). i publishes this, signed; anyone checks it against i's commitments.
    If it verifies, j takes the value from it and the ceremony goes on (that one share of i's polynomial
    is now public, which k ≥ 2 tolerates for one receiver); if not, i is at fault. Either way the result
    is provable."""

    ceremony_id: str
    sender: int
    receiver: int
    value: int = field(repr=False)

    def to_bytes(self) -> bytes:
        return canonical_json({"format": FORMAT_DISCLOSURE, "version": FORMAT_VERSION,
                               "ceremony": self.ceremony_id, "sender": self.sender, "receiver": self.receiver,
                               "value": f"{self.value:064x}"})

    @classmethod
    def from_bytes(cls, data: bytes) -> ShareDisclosure:
        what = "share disclosure"
        obj = _load(data, FORMAT_DISCLOSURE, what)
        _keys(obj, {"format", "version", "ceremony", "sender", "receiver", "value"}, what)
        result = cls(_ceremony_id(obj, what), _index(obj, "sender", what), _index(obj, "receiver", what),
                     _hex_scalar(obj.get("value"), f"the {what}'s value"))
        _require_canonical(data, obj, what)
        return result

    def verify(self, committee: CommitteeKey) -> None:
        """BadShare naming the sender unless the value matches the sender's commitments."""
        if self.ceremony_id != committee.ceremony.ceremony_id:
            raise BadShare(f"member {self.sender}'s disclosure is for ceremony {self.ceremony_id!r}",
                           member=self.sender)
        committee.ceremony.check_member(self.sender, "sender")
        committee.ceremony.check_member(self.receiver, "receiver")
        check_share(self.value, self.receiver, committee.commitments[self.sender - 1])


# --- a member's key share ------------------------------------------------------------------------


@dataclass(frozen=True)
class KeyShare:
    """Member ``member``'s x_j, in memory only while it computes. Never written anywhere in the clear;
    at rest it is the n EncryptedShare messages addressed to the member."""

    ceremony: Ceremony
    member: int
    value: int = field(repr=False)
    public_point: bytes = field(repr=False)  # Y, to check a reconstruction against


def check_share(value: int, receiver: int, commitments: Commitments) -> None:
    """f_i(j)·G == Σ_l j^l·C_il, or BadShare naming the sender i."""
    expected = _eval_commitments(commitments.points, receiver)
    if ecp.base_mul(value) != expected or not 0 <= value < ecp.ORDER:
        raise BadShare(f"member {commitments.sender}'s share for member {receiver} does not match "
                       f"member {commitments.sender}'s commitments", member=commitments.sender)


def member_key_share(committee: CommitteeKey, member: int, shares: Iterable[EncryptedShare],
                     decrypter: Decrypter, disclosures: Iterable[ShareDisclosure] = ()) -> KeyShare:
    """Open the n shares addressed to ``member`` with its decryption key, check each against its sender's
    commitments and add them up. BadShare names every sender whose share is wrong (``members``); the
    first one is ``member``. A verified ShareDisclosure from a sender to ``member`` (the answer to a
    complaint) takes the place of that sender's envelope; a disclosure that does not verify names its
    sender. The result is what an acknowledgment vouches for and a partial needs."""
    ceremony = committee.ceremony
    ceremony.check_member(member)
    disclosed: dict[int, int] = {}
    for disclosure in disclosures:
        if disclosure.receiver == member and disclosure.ceremony_id == ceremony.ceremony_id:
            disclosure.verify(committee)
            disclosed[disclosure.sender] = disclosure.value
    by_sender: dict[int, EncryptedShare] = {}
    for received in shares:
        if received.receiver != member or received.ceremony_id != ceremony.ceremony_id:
            continue
        ceremony.check_member(received.sender, "sender")
        by_sender[received.sender] = received
    bad: list[int] = []
    messages: list[str] = []
    total = 0
    for sender in range(1, ceremony.members + 1):
        if sender in disclosed:
            total = (total + disclosed[sender]) % ecp.ORDER
            continue
        share = by_sender.get(sender)
        if share is None:
            bad.append(sender)
            messages.append(f"member {sender} sent no share to member {member}")
            continue
        try:
            value = share.open(decrypter)
            check_share(value, member, committee.commitments[sender - 1])
        except BadShare as ex:
            bad.append(sender)
            messages.append(ex.message)
            continue
        except (DecryptionFailed, NotARecipient, MalformedError, UnsupportedAlgorithm):
            bad.append(sender)
            messages.append(f"member {sender}'s share for member {member} could not be decrypted with "
                            f"member {member}'s key")
            continue
        total = (total + value) % ecp.ORDER
    if bad:
        raise BadShare("; ".join(messages), member=bad[0], members=tuple(bad))
    if ecp.encode(ecp.base_mul(total)) != committee.verification_key(member):
        raise CommitteeKeyMismatch(f"member {member}'s shares do not add up to its verification key")
    return KeyShare(ceremony, member, total, committee.public_point)


# --- acknowledgment ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Acknowledgment:
    """What member ``member`` signs once its shares check out: the ceremony, every commitments message
    (by SHA-256 of its canonical bytes), the committee public key and every verification key."""

    ceremony: Ceremony
    member: int
    commitment_digests: tuple[str, ...]
    public_point: bytes
    verification_points: tuple[bytes, ...]

    @classmethod
    def for_member(cls, committee: CommitteeKey, member: int) -> Acknowledgment:
        committee.ceremony.check_member(member)
        return cls(committee.ceremony, member, tuple(c.digest() for c in committee.commitments),
                   committee.public_point, committee.verification_points)

    def to_bytes(self) -> bytes:
        """The exact bytes the member signs (detached CMS with its signing key)."""
        return canonical_json({
            "format": FORMAT_ACK, "version": FORMAT_VERSION, "ceremony": self.ceremony.ceremony_id,
            "threshold": self.ceremony.threshold, "members": self.ceremony.members, "member": self.member,
            "commitments": list(self.commitment_digests), "public_key": self.public_point.hex(),
            "verification_keys": [p.hex() for p in self.verification_points],
        })

    @classmethod
    def from_bytes(cls, data: bytes) -> Acknowledgment:
        what = "acknowledgment"
        obj = _load(data, FORMAT_ACK, what)
        _keys(obj, {"format", "version", "ceremony", "threshold", "members", "member", "commitments",
                    "public_key", "verification_keys"}, what)
        try:
            ceremony = Ceremony(_field(obj, "ceremony", str, what), _field(obj, "threshold", int, what),
                                _field(obj, "members", int, what))
            member = _field(obj, "member", int, what)
            ceremony.check_member(member)
        except CommitteeParametersInvalid as ex:
            raise CommitteeMessageMalformed(f"the {what} is invalid: {ex.message}") from None
        digests = _field(obj, "commitments", list, what)
        if len(digests) != ceremony.members or not all(isinstance(d, str) and _HEX64.fullmatch(d) for d in digests):
            raise CommitteeMessageMalformed(f"the {what} must list n={ceremony.members} SHA-256 digests")
        keys = _field(obj, "verification_keys", list, what)
        if len(keys) != ceremony.members:
            raise CommitteeMessageMalformed(f"the {what} must list n={ceremony.members} verification keys")
        result = cls(ceremony, member, tuple(digests), _hex_point(obj.get("public_key"), "the public key"),
                     tuple(_hex_point(k, f"verification key {n + 1}") for n, k in enumerate(keys)))
        _require_canonical(data, obj, what)
        return result

    def matches(self, committee: CommitteeKey) -> bool:
        """Whether this acknowledgment vouches for exactly ``committee`` (signature checked elsewhere)."""
        return self == Acknowledgment.for_member(committee, self.member)


# --- partial decryption --------------------------------------------------------------------------


@dataclass(frozen=True)
class Partial:
    """P_j = x_j·R for one bid's ephemeral key R, with a Chaum-Pedersen proof (c, s) bound to ``context``."""

    ceremony_id: str
    context: str
    member: int
    ephemeral: bytes
    point: bytes
    proof: tuple[int, int]

    def to_bytes(self) -> bytes:
        c, s = self.proof
        return canonical_json({
            "format": FORMAT_PARTIAL, "version": FORMAT_VERSION, "ceremony": self.ceremony_id,
            "context": self.context, "member": self.member, "ephemeral": self.ephemeral.hex(),
            "partial": self.point.hex(), "proof": {"c": f"{c:064x}", "s": f"{s:064x}"},
        })

    @classmethod
    def from_bytes(cls, data: bytes) -> Partial:
        what = "partial decryption"
        obj = _load(data, FORMAT_PARTIAL, what)
        _keys(obj, {"format", "version", "ceremony", "context", "member", "ephemeral", "partial", "proof"}, what)
        proof = obj.get("proof")
        if not isinstance(proof, dict) or set(proof) != {"c", "s"}:
            raise CommitteeMessageMalformed(f"the {what}'s proof must have exactly 'c' and 's'")
        context = _field(obj, "context", str, what)
        if not _CONTEXT_RE.fullmatch(context):
            raise CommitteeMessageMalformed(f"the {what}'s context is not 1 to 1000 printable ASCII characters")
        result = cls(_ceremony_id(obj, what), context,
                     _index(obj, "member", what), _hex_point(obj.get("ephemeral"), "the ephemeral key"),
                     _hex_point(obj.get("partial"), "the partial result"),
                     (_hex_scalar(proof["c"], "the proof's c"), _hex_scalar(proof["s"], "the proof's s")))
        _require_canonical(data, obj, what)
        return result

    def verify(self, committee: CommitteeKey, context: str, ephemeral: bytes) -> None:
        """Check the proof against X_member for this R and context; BadPartial names the member."""
        committee.ceremony.check_member(self.member)
        m = self.member
        if self.ceremony_id != committee.ceremony.ceremony_id:
            raise BadPartial(f"member {m}'s partial result is for ceremony {self.ceremony_id!r}", member=m)
        if self.context != context or self.ephemeral != ephemeral:
            raise BadPartial(f"member {m}'s partial result was made for another bid", member=m)
        c, s = self.proof
        x_point = committee.verification_key(m)
        try:
            r_pt = ecp.decode(self.ephemeral)
            p_pt = ecp.decode(self.point)
            a = ecp.encode(ecp.add(ecp.base_mul(s), ecp.mul(ecp.decode(x_point), ecp.ORDER - c)))
            b = ecp.encode(ecp.add(ecp.mul(r_pt, s), ecp.mul(p_pt, ecp.ORDER - c)))
        except ValueError:
            raise BadPartial(f"member {m}'s partial result does not verify", member=m) from None
        expected = _dleq_challenge(committee.ceremony.ceremony_id, context, m, x_point, self.ephemeral,
                                   self.point, a, b)
        if expected != c:
            raise BadPartial(f"member {m}'s partial result does not verify: its proof does not show that it "
                             f"used member {m}'s committed key share", member=m)


def _dleq_challenge(ceremony_id: str, context: str, member: int, x_point: bytes, r_point: bytes,
                    p_point: bytes, a: bytes, b: bytes) -> int:
    return _hash_to_scalar(_TAG_DLEQ, ceremony_id.encode("ascii"), context.encode("ascii"), _u32(member),
                           ecp.encode(ecp.generator()), x_point, r_point, p_point, a, b)


def _ephemeral_bytes(ephemeral: ec.EllipticCurvePublicKey | bytes) -> bytes:
    if isinstance(ephemeral, ec.EllipticCurvePublicKey):
        try:
            return ecp.encode(ecp.from_public_key(ephemeral))
        except ValueError as ex:
            raise CommitteeParametersInvalid(f"the bid's ephemeral key is unusable: {ex}") from None
    try:
        return ecp.encode(ecp.decode(bytes(ephemeral)))
    except ValueError as ex:
        raise CommitteeParametersInvalid(f"the bid's ephemeral key is unusable: {ex}") from None


def compute_partial(share: KeyShare, ephemeral: ec.EllipticCurvePublicKey | bytes, context: str) -> Partial:
    """Member share.member's P_j = x_j·R with its Chaum-Pedersen proof, bound to ``context``."""
    _check_context(context)
    r_bytes = _ephemeral_bytes(ephemeral)
    r_pt = ecp.decode(r_bytes)
    x = share.value
    x_point = ecp.encode(ecp.base_mul(x))
    p_bytes = ecp.encode(ecp.mul(r_pt, x))
    nonce = ecp.random_scalar()
    a = ecp.encode(ecp.base_mul(nonce))
    b = ecp.encode(ecp.mul(r_pt, nonce))
    c = _dleq_challenge(share.ceremony.ceremony_id, context, share.member, x_point, r_bytes, p_bytes, a, b)
    s = (nonce + c * x) % ecp.ORDER
    return Partial(share.ceremony.ceremony_id, context, share.member, r_bytes, p_bytes, (c, s))


def _lagrange_at_zero(member: int, members: Sequence[int]) -> int:
    num, den = 1, 1
    for m in members:
        if m != member:
            num = num * m % ecp.ORDER
            den = den * (m - member) % ecp.ORDER
    return num * pow(den, -1, ecp.ORDER) % ecp.ORDER


def combine_partials(committee: CommitteeKey, partials: Iterable[Partial], context: str,
                     ephemeral: ec.EllipticCurvePublicKey | bytes) -> bytes:
    """Verify every partial (BadPartial names each wrong member in ``members``), then combine k of them
    (the lowest member indices) into y·R and return its x-coordinate: the ECDH shared secret.

    NotEnoughPartials when fewer than k distinct members gave one."""
    _check_context(context)
    r_bytes = _ephemeral_bytes(ephemeral)
    by_member: dict[int, Partial] = {}
    bad: list[int] = []
    messages: list[str] = []
    for p in partials:
        try:
            p.verify(committee, context, r_bytes)
        except BadPartial as ex:
            if ex.member not in bad:
                bad.append(ex.member)
                messages.append(ex.message)
            continue
        by_member[p.member] = p
    if bad:
        raise BadPartial("; ".join(messages), member=bad[0], members=tuple(bad))
    k = committee.ceremony.threshold
    if len(by_member) < k:
        raise NotEnoughPartials(f"{len(by_member)} member(s) gave a valid partial result; k={k} are needed "
                                f"to open the bid")
    chosen = sorted(by_member)[:k]
    return ecp.x_coordinate(_interpolate({m: ecp.decode(by_member[m].point) for m in chosen}))


def _interpolate(points: Mapping[int, ecp.Point]) -> ecp.Point:
    """Σ λ_j·P_j over the given members (Lagrange at 0)."""
    members = sorted(points)
    return _sum(ecp.mul(points[m], _lagrange_at_zero(m, members)) for m in members)


# --- opening an envelope with the shared secret ---------------------------------------------------


def ephemeral_keys(envelope: bytes, committee_certificate: x509.Certificate) -> tuple[bytes, ...]:
    """The ephemeral keys R of the envelope's key agreements with the committee certificate (usually one)."""
    return key_agreement_keys(io.BytesIO(envelope), committee_certificate)


class CommitteeDecrypter:
    """A Decrypter for the committee certificate whose ECDH was done by k members: ``exchange`` answers
    with the combined shared secret for a known R, so crypto.cms_envelope's KDF and AES key unwrap run
    unchanged (decrypt_file / decrypt_bytes / check_file accept it)."""

    def __init__(self, certificate: x509.Certificate, secrets: Mapping[bytes, bytes]) -> None:
        self._certificate = certificate
        self._secrets = dict(secrets)

    def __repr__(self) -> str:
        return f"CommitteeDecrypter({self._certificate.subject.rfc4514_string()!r})"

    @property
    def certificate(self) -> x509.Certificate:
        return self._certificate

    def decrypt_key_transport(self, encrypted_key: bytes, padding_kind: KeyTransport) -> bytes:
        raise DecryptionFailed("the committee key is an EC key; it cannot decrypt RSA key transport")

    def exchange(self, peer_public_key: ec.EllipticCurvePublicKey) -> bytes:
        encoded = peer_public_key.public_bytes(serialization.Encoding.X962,
                                               serialization.PublicFormat.UncompressedPoint)
        secret = self._secrets.get(encoded)
        if secret is None:
            raise DecryptionFailed("no combined partial results for this key agreement")
        return secret


# --- disaster recovery ---------------------------------------------------------------------------


def reconstruct_private_key(shares: Sequence[KeyShare]) -> bytes:
    """The committee's private key y = Σ λ_j·x_j from k members' shares, as an unencrypted PKCS#8 PEM.

    An audited, deliberate act: afterwards the key exists whole and the threshold protects nothing.
    Raises NotEnoughPartials with fewer than k distinct members and CommitteeKeyMismatch when the
    result is not the committee's key (a share is wrong or from another ceremony)."""
    if not shares:
        raise NotEnoughPartials("no key shares were given")
    ceremony = shares[0].ceremony
    by_member: dict[int, KeyShare] = {}
    for s in shares:
        if s.ceremony != ceremony or s.public_point != shares[0].public_point:
            raise CommitteeKeyMismatch(f"member {s.member}'s share belongs to another ceremony")
        by_member[s.member] = s
    if len(by_member) < ceremony.threshold:
        raise NotEnoughPartials(f"{len(by_member)} member(s) gave their share; k={ceremony.threshold} are "
                                f"needed to reconstruct the key")
    chosen = sorted(by_member)[:ceremony.threshold]
    y = sum(_lagrange_at_zero(m, chosen) * by_member[m].value for m in chosen) % ecp.ORDER
    if y == 0 or ecp.encode(ecp.base_mul(y)) != shares[0].public_point:
        raise CommitteeKeyMismatch("the shares do not reconstruct the committee's key")
    key = ec.derive_private_key(y, ec.SECP256R1())
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())
