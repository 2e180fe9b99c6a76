"""The opening (开标) as the client takes part in it: the bidder's check-in and key release, the hosts'
opening terminal (decrypt, verify, report), objections, the record's signatures and acknowledgments, and
the offline check of a published record. The CLI (bidclient/cli/opening_commands.py) calls each flow in
one line; the core never prints and asks a person only through the Prompter (bidclient.interaction).

Protection of a released content key (docs/opening.md "Releasing a key"): the bidder's client unwraps it
from the bidder's own recipient entry and sends it inside a CMS envelope to the hosts' encryption
certificates, which the server publishes when the window opens, over TLS, with a signed statement that
binds it to the tender, the bid and the envelope's SHA-256. The server stores only that envelope: it can
never open a bid itself, a TLS-terminating proxy or a request log sees no key, and a statement cannot be
replayed for another bid.
"""

from __future__ import annotations

import hashlib
import hmac
import io
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO, cast
from urllib.parse import quote

from cryptography import x509
from cryptography.hazmat.primitives import hashes

from bidclient.api_client import ApiClient, body_chunks
from bidclient.bidpackage import reader as package_reader
from bidclient.bidpackage.errors import BidPackageError
from bidclient.bidpackage.manifest import Manifest
from bidclient.bidpackage.stream import PackageStream
from bidclient.errors import BidclientError
from bidclient.i18n import _
from bidclient.interaction import Prompter, Question, Severity
from bidclient.protocol import opening as proto
from bidclient.signing import VerifiedSignature, verify_content
from crypto import cms_envelope, cms_sign, identity, trust
from crypto.errors import CryptoError, TokenError, TrustError
from crypto.key_access import KeySession

__all__ = [
    "OpenedBid",
    "OpeningApi",
    "RecordCheck",
    "acknowledge_record",
    "check_in",
    "open_released_bids",
    "release_key",
    "sign_record",
    "verify_record",
]

CONTENT_KEY_SIZE = 32


class OpeningApi:
    """The opening routes of one tender, for a logged-in client."""

    def __init__(self, client: ApiClient, tender_id: str) -> None:
        self.client = client
        self.tender_id = tender_id
        self.base = f"/api/v1/tenders/{quote(tender_id, safe='')}/opening"

    def get(self) -> proto.OpeningOut:
        return proto.OpeningOut.model_validate(self.client.get_json(self.base))

    def _act(self, path: str, body: dict[str, Any]) -> proto.OpeningOut:
        return proto.OpeningOut.model_validate(self.client.post_json(self.base + path, body))

    def schedule(self, hosts: Sequence[str], supervisors: Sequence[str]) -> proto.OpeningOut:
        return self._act("", {"hosts": list(hosts), "supervisors": list(supervisors)})

    def _step(self, step: int | None) -> int:
        return self.get().step if step is None else step

    def lock(self, *, step: int | None = None) -> proto.OpeningOut:
        return self._act("/lock", {"step": self._step(step)})

    def open_window(self, recipients: Sequence[x509.Certificate], *, step: int | None = None) -> proto.OpeningOut:
        from cryptography.hazmat.primitives import serialization

        pems = [c.public_bytes(serialization.Encoding.PEM).decode("ascii") for c in recipients]
        return self._act("/window", {"step": self._step(step), "recipients": pems})

    def extend_window(self, minutes: int, reason: str, *, step: int | None = None) -> proto.OpeningOut:
        return self._act("/window/extend", {"step": self._step(step), "minutes": minutes, "reason": reason})

    def announce(self, *, step: int | None = None) -> proto.OpeningOut:
        return self._act("/announce", {"step": self._step(step)})

    def object(self, text: str) -> proto.ObjectionOut:
        return proto.ObjectionOut.model_validate(self.client.post_json(self.base + "/objections", {"text": text}))

    def answer(self, objection_id: str, answer: str) -> proto.ObjectionOut:
        return proto.ObjectionOut.model_validate(self.client.post_json(
            f"{self.base}/objections/{quote(objection_id, safe='')}/answer", {"answer": answer}))

    def draft_record(self, *, step: int | None = None) -> proto.OpeningOut:
        return self._act("/record", {"step": self._step(step)})

    def record(self) -> bytes:
        return self.client.request("GET", self.base + "/record").content

    def upload_record(self, pdf: bytes, step: int) -> proto.OpeningOut:
        response = self.client.request("PUT", self.base + "/record", data=pdf,
                                       headers={"Content-Type": "application/pdf", "X-Opening-Step": str(step)})
        return proto.OpeningOut.model_validate(response.json())

    def publish(self, *, step: int | None = None) -> proto.OpeningOut:
        return self._act("/publish", {"step": self._step(step)})

    def key_envelope(self, submission_id: str) -> bytes:
        return self.client.request("GET", f"{self.base}/bids/{quote(submission_id, safe='')}/key").content

    def start_remedy(self, submission_id: str) -> proto.RemedyOut:
        return proto.RemedyOut.model_validate(self.client.post_json(
            f"{self.base}/bids/{quote(submission_id, safe='')}/remedy", {}))

    def remedy(self, submission_id: str) -> proto.RemedyOut:
        return proto.RemedyOut.model_validate(self.client.get_json(
            f"{self.base}/bids/{quote(submission_id, safe='')}/remedy"))

    def post_partial(self, submission_id: str, partial: bytes, signature: bytes) -> proto.RemedyOut:
        return proto.RemedyOut.model_validate(self.client.post_json(
            f"{self.base}/bids/{quote(submission_id, safe='')}/partials",
            {"statement": proto.b64(partial), "signature": proto.b64(signature)}))

    def post_result(self, submission_id: str, body: dict[str, Any]) -> proto.BidOut:
        return proto.BidOut.model_validate(self.client.post_json(
            f"{self.base}/bids/{quote(submission_id, safe='')}/result", body))


def _sign(session: KeySession) -> Callable[[bytes], bytes]:
    signer = session.signer()
    return lambda data: cms_sign.sign_detached(data, signer)


def _me(session: KeySession) -> str:
    return identity.identity_of(session.signer().certificate).key


# --- the bidder ----------------------------------------------------------------------------------------

def check_in(api: OpeningApi, session: KeySession) -> proto.OpeningOut:
    """Sign and send the check-in statement (签到)."""
    statement = proto.statement(proto.CHECK_IN_FORMAT, tender_id=api.tender_id, identity=_me(session))
    signature = _sign(session)(statement)
    return api._act("/check-in", {"statement": proto.b64(statement), "signature": proto.b64(signature)})


def release_key(api: OpeningApi, session: KeySession, prompter: Prompter, *,
                bid: Path | None = None) -> proto.BidOut:
    """Unwrap this bidder's content key from its own recipient entry (the session's PIN, entered once)
    and release it to the opening, encrypted to the hosts, after the person confirmed. ``bid`` is the
    sealed bid as sealed; without it the bid is fetched from the server (only its head is used).
    Run it again to retry while the window is open."""
    opening = api.get()
    me = _me(session)
    mine = [b for b in opening.bids if b.identity_key == me]
    if not mine:
        raise BidclientError(_("You have no bid counted in the opening of {tender}.").format(tender=api.tender_id),
                             code="opening.no_bid")
    target = mine[0]
    if opening.state != "decrypting":
        raise BidclientError(_("The decryption window is not open (the opening is {state}).").format(
            state=opening.state), code="opening.window_not_open")
    if target.state == "opened":
        raise BidclientError(_("Your bid is already opened; nothing more is needed."), code="opening.bid_final")
    head = _bid_head(api.client, target, bid)
    info = cms_envelope.describe(io.BytesIO(head))
    own = next((c for c in session.certificates() for r in info.recipients if r.matches(c)), None)
    if own is None:
        raise BidclientError(_("None of your key's certificates can open this bid: it was sealed to another "
                               "encryption certificate (renewed since?)."), code="opening.not_a_recipient")
    question = Question(
        title=_("Release your key?"),
        text=_("Release your key for bid {bid} of tender {tender} now? The opening's hosts will open your "
               "bid with it.").format(bid=target.submission_id, tender=api.tender_id),
        yes_label=_("Release key"), severity=Severity.DANGER)
    if not prompter.confirm(question):
        raise BidclientError(_("The key was not released."), code="opening.cancelled")
    try:
        key = cms_envelope.content_key(io.BytesIO(head), session.decrypter(own))
    except TokenError:
        raise  # a wrong PIN, a locked or pulled-out dongle: said as such (and the key can be released again)
    except CryptoError as ex:
        raise BidclientError(_("Your key could not unwrap the bid's content key: {reason}").format(
            reason=ex), code="opening.unwrap_failed") from ex
    recipients = [x509.load_pem_x509_certificate(p.encode("ascii")) for p in opening.recipients]
    sealed = io.BytesIO()
    cms_envelope.encrypt(io.BytesIO(key), sealed, recipients, length=len(key))
    key_envelope = sealed.getvalue()
    statement = proto.statement(proto.KEY_RELEASE_FORMAT, tender_id=api.tender_id,
                                submission_id=target.submission_id, envelope_sha256=target.envelope_sha256,
                                key_envelope_sha256=hashlib.sha256(key_envelope).hexdigest())
    body = {"statement": proto.b64(statement), "signature": proto.b64(_sign(session)(statement)),
            "key_envelope": proto.b64(key_envelope)}
    return proto.BidOut.model_validate(api.client.post_json(
        f"{api.base}/bids/{quote(target.submission_id, safe='')}/key", body))


def _bid_head(client: ApiClient, bid: proto.BidOut, path: Path | None, limit: int = 1 << 20) -> bytes:
    """The first bytes of the sealed bid (the recipients are at its start), checked to be the bid counted."""
    if path is not None:
        with open(path, "rb") as f:
            digest = hashlib.file_digest(f, "sha256").hexdigest()
            if digest != bid.envelope_sha256:
                raise BidclientError(_("{file} is not the bid counted in the opening (its SHA-256 differs).").format(
                    file=path), code="opening.wrong_bid_file")
            f.seek(0)
            return f.read(limit)
    response = client.request("GET", f"/api/v1/submissions/{quote(bid.submission_id, safe='')}/envelope",
                              stream=True)
    try:
        head = bytearray()
        for chunk in body_chunks(response, 64 << 10):
            head.extend(chunk)
            if len(head) >= limit:
                break
        return bytes(head)
    finally:
        response.close()


# --- the hosts' opening terminal -----------------------------------------------------------------------

@dataclass(frozen=True)
class OpenedBid:
    submission_id: str
    position: int
    state: str
    failure_code: str | None
    directory: Path | None  # the verified files, when opened and a copy was asked for


def open_released_bids(api: OpeningApi, session: KeySession, trust_list: trust.TrustList, output: Path | None, *,
                       progress: Callable[[str], None] | None = None) -> list[OpenedBid]:
    """Open every bid whose key was released and is not yet reported: unwrap the key with the host's own
    encryption key, decrypt the sealed bid (GCM tag), verify the manifest's signature and its signer (the
    submitter's USCC), the tender, and every file's size and SHA-256; then report the result. With
    ``output``, a verified copy of each opened bid is kept in ``output``/<position>-<submission> (written
    while it is checked; nothing of a bid is kept unless every check passed); without, nothing is written:
    the announcement comes from the signed manifest, which the server keeps."""
    opening = api.get()
    if output is not None:
        output.mkdir(parents=True, exist_ok=True)
    results = []
    for bid in opening.bids:
        if bid.state not in ("key_released", "remedy"):
            continue
        key_source: Callable[[Path | None], bytes]
        if bid.state == "remedy":
            remedy = api.remedy(bid.submission_id)
            if len({p.member for p in remedy.partials}) < remedy.threshold:
                results.append(OpenedBid(bid.submission_id, bid.position, "remedy", None, None))
                continue  # k−1 partial results open nothing: wait for more members
            key_source = _committee_key_source(api, remedy)
        else:
            key_source = _released_key_source(api, session, bid)
        if progress is not None:
            progress(bid.submission_id)
        dest = None if output is None else output / f"{bid.position:02d}-{bid.submission_id}"
        code, detail, manifest, signature = _open_one(api, trust_list, bid, dest, key_source,
                                                      streamed=bid.state != "remedy")
        if code is None:
            body: dict[str, Any] = {"outcome": "opened", "manifest": proto.b64(manifest),
                                    "manifest_signature": proto.b64(signature)}
        else:
            body = {"outcome": "failed", "failure_code": code, "failure_detail": detail[:2000]}
        out = api.post_result(bid.submission_id, body)
        if out.state != "opened" and dest is not None and dest.exists():
            shutil.rmtree(dest, ignore_errors=True)  # the server refused what the terminal saw: show nothing
        results.append(OpenedBid(bid.submission_id, bid.position, out.state, out.failure_code,
                                 dest if out.state == "opened" and dest is not None and dest.exists() else None))
    return results


class _KeyFailure(Exception):
    def __init__(self, code: str, detail: str) -> None:
        super().__init__(detail)
        self.code, self.detail = code, detail


def _released_key_source(api: OpeningApi, session: KeySession,
                         bid: proto.BidOut) -> Callable[[Path | None], bytes]:
    """The bidder's released key, opened with the host's own encryption key (the sealed bid is not needed)."""

    def get(_sealed: Path | None) -> bytes:
        envelope = api.key_envelope(bid.submission_id)
        try:
            info = cms_envelope.describe(io.BytesIO(envelope))
            own = next((c for c in session.certificates() for r in info.recipients if r.matches(c)), None)
            if own is None:
                raise _KeyFailure("opening.not_a_recipient", _("The released key is not encrypted to your key."))
            key = cms_envelope.decrypt_bytes(envelope, session.decrypter(own))
        except CryptoError as ex:
            raise _KeyFailure("opening.key_envelope_invalid", str(ex)) from ex
        if len(key) != CONTENT_KEY_SIZE:
            raise _KeyFailure("opening.decryption_failed",
                              f"the released key is {len(key)} bytes, not {CONTENT_KEY_SIZE}")
        return key

    return get


def _committee_key_source(api: OpeningApi, remedy: proto.RemedyOut) -> Callable[[Path | None], bytes]:
    """The content key from k members' partial results: each verified against the committee key this client
    recomputes from the ceremony's commitments (not the server's word), combined (Lagrange), then used as
    the committee's ECDH result to unwrap the key from the committee's recipient entry."""
    from bidclient import committee as committees
    from crypto import threshold as th

    def get(sealed: Path | None) -> bytes:
        assert sealed is not None, "the committee's key is unwrapped from the sealed bid's head"
        out = committees.status(api.client, remedy.committee_id)
        key = committees.committee_key(out)
        if out.certificate is None:
            raise _KeyFailure("opening.remedy_failed", "the committee has no certificate")
        certificate = x509.load_pem_x509_certificate(out.certificate.encode("ascii"))
        partials = [th.Partial.from_bytes(proto.b64decode(p.partial)) for p in remedy.partials]
        secrets = {}
        try:
            for r_hex in remedy.ephemeral:
                r = bytes.fromhex(r_hex)
                mine = [p for p in partials if p.ephemeral == r]
                secrets[r] = th.combine_partials(key, mine, remedy.context, r)
            with open(sealed, "rb") as f:
                return cms_envelope.content_key(f, th.CommitteeDecrypter(certificate, secrets))
        except CryptoError as ex:
            raise _KeyFailure("opening.remedy_failed", str(ex)) from ex

    return get


class _HashingReader(io.RawIOBase):
    """A download read as a stream, hashed (SHA-256) as it is read, on a second thread (hashlib releases the
    GIL, so it runs beside the decryption); ``drain`` reads and hashes the rest, ``hexdigest`` waits."""

    def __init__(self, chunks: Iterator[bytes]) -> None:
        super().__init__()
        self._chunks = chunks
        self._pending = memoryview(b"")
        self._digest = hashlib.sha256()
        self._hasher = ThreadPoolExecutor(max_workers=1, thread_name_prefix="opening-envelope-sha256")
        self._queued: Future[None] | None = None

    def readable(self) -> bool:
        return True

    def _hash(self, chunk: bytes) -> None:
        if self._queued is not None:
            self._queued.result()  # one chunk in flight: the download is not held in memory
        self._queued = self._hasher.submit(self._digest.update, chunk)

    def readinto(self, buffer: Any) -> int:
        while not self._pending:
            chunk = next(self._chunks, None)
            if chunk is None:
                return 0
            self._hash(chunk)
            self._pending = memoryview(chunk)
        n = min(len(buffer), len(self._pending))
        buffer[:n] = self._pending[:n]
        self._pending = self._pending[n:]
        return n

    def drain(self) -> None:
        self._pending = memoryview(b"")
        for chunk in self._chunks:
            self._hash(chunk)

    def hexdigest(self) -> str:
        if self._queued is not None:
            self._queued.result()
            self._queued = None
        self._hasher.shutdown(wait=True)
        return self._digest.hexdigest()


def _content_length(response: Any) -> int | None:
    text = response.headers.get("Content-Length", "")
    return int(text) if text.isdigit() and len(text) < 19 else None


def _receive_and_open(response: Any, bid: proto.BidOut, key_source: Callable[[Path | None], bytes],
                      keep_as: Path | None) -> tuple[tuple[str, str] | None, PackageStream | None]:
    """The released-key path in one pass: the sealed bid is decrypted while it downloads, hashed on the way,
    and the package checked as the plaintext comes out (every entry's SHA-256, a verified copy written once
    into a hidden folder that becomes ``keep_as`` only when everything verified; nothing of the sealed bid
    or the package is written anywhere else). The served bid's SHA-256 is judged first, then the key, then
    the decryption (GCM tag), then the package, as when the bid was downloaded before it was opened: a
    package error met in bytes the tag then refutes is a decryption failure. The package stream is returned
    (to check the manifest, then keep or discard) only when this returns no failure."""
    key: bytes | None = None
    key_failure: _KeyFailure | None = None
    decrypt_failure: CryptoError | None = None
    package_failure: BidPackageError | None = None
    try:
        key = key_source(None)
    except _KeyFailure as ex:
        key_failure = ex
    body = _HashingReader(body_chunks(response, 1 << 20))
    package: PackageStream | None = None
    if key is not None:
        try:
            package = PackageStream(keep_as=keep_as)
        except BidPackageError as ex:
            package_failure = ex

        def consume(buffer: bytes | bytearray, n: int) -> None:
            nonlocal package_failure
            if package_failure is None and package is not None:
                try:
                    package.feed(buffer, n)
                except BidPackageError as ex:
                    package_failure = ex  # the rest is still decrypted: the tag decides what is reported

        try:
            cms_envelope.decrypt_into(cast(BinaryIO, body), key, consume, size=_content_length(response))
            if package_failure is None and package is not None:
                package.close()
        except CryptoError as ex:
            decrypt_failure = ex
        except BidPackageError as ex:
            package_failure = ex
        except BaseException:
            if package is not None:
                package.discard()
            raise
    body.drain()
    failure: tuple[str, str] | None = None
    if not hmac.compare_digest(body.hexdigest(), bid.envelope_sha256):
        failure = "opening.stored_bid_damaged", "the sealed bid served differs from the one received"
    elif key_failure is not None:
        failure = key_failure.code, key_failure.detail
    elif decrypt_failure is not None:
        failure = "opening.decryption_failed", str(decrypt_failure)
    elif package_failure is not None:
        failure = _package_failure(package_failure)
    if failure is not None:
        if package is not None:
            package.discard()
        return failure, None
    return None, package


def _package_failure(ex: BidPackageError | CryptoError | TrustError) -> tuple[str, str]:
    code = getattr(ex, "code", "") or "opening.bid_invalid"
    return (code if code.startswith(("bid.", "opening.")) else "opening.bid_invalid"), str(ex)


def _receive_then_decrypt(response: Any, bid: proto.BidOut, key_source: Callable[[Path | None], bytes],
                          sealed: Path, inner: Path) -> tuple[str, str] | None:
    """The remedy path: the committee's key is unwrapped from the sealed bid's head, so the bid is
    downloaded (and its SHA-256 checked) before it is decrypted."""
    digest = hashlib.sha256()
    with open(sealed, "wb") as out:
        for chunk in body_chunks(response, 1 << 20):
            out.write(chunk)
            digest.update(chunk)
    if not hmac.compare_digest(digest.hexdigest(), bid.envelope_sha256):
        return "opening.stored_bid_damaged", "the sealed bid served differs from the one received"
    try:
        key = key_source(sealed)
    except _KeyFailure as ex:
        return ex.code, ex.detail
    try:
        cms_envelope.decrypt_file(sealed, inner, key)  # type: ignore[arg-type]
    except CryptoError as ex:
        return "opening.decryption_failed", str(ex)
    return None


def _open_one(api: OpeningApi, trust_list: trust.TrustList, bid: proto.BidOut, dest: Path | None,
              key_source: Callable[[Path | None], bytes], *,
              streamed: bool, url: str | None = None) -> tuple[str | None, str, bytes, bytes]:
    """Download the sealed bid (from ``url``, default the submission's), decrypt it with the key
    ``key_source`` gives, verify everything and, with ``dest``, extract it there — all or nothing. Used by
    the host's terminal at the opening and by an expert's client for the bids handed over to the committee
    (bidclient.evaluation.bids): one verifier for both. Returns (failure code or None, detail, manifest,
    manifest signature)."""
    verified: list[VerifiedSignature] = []

    def verify_manifest(manifest_bytes: bytes, signature: bytes) -> None:
        verified.append(verify_content(manifest_bytes, signature, trust_list))

    def judge(manifest: Manifest) -> tuple[str, str] | None:
        signer = verified[0]
        fingerprint = signer.certificate.fingerprint(hashes.SHA256()).hex()
        if manifest.bidder.signing_certificate_sha256 != fingerprint:
            return "opening.signer_mismatch", "the manifest names another signing certificate"
        if identity.identity_of(signer.certificate).key != bid.identity_key:
            return "opening.signer_mismatch", (f"signed by {identity.identity_of(signer.certificate).key}, "
                                               f"submitted by {bid.identity_key}")
        if manifest.tender.id != api.tender_id:
            return "opening.tender_mismatch", f"the bid answers tender {manifest.tender.id}"
        return None

    url = url or f"/api/v1/submissions/{quote(bid.submission_id, safe='')}/envelope"
    if streamed:
        response = api.client.request("GET", url, stream=True)
        try:
            failure, stream = _receive_and_open(response, bid, key_source, dest)
        finally:
            response.close()
        if failure is not None or stream is None:
            code, detail = failure or ("opening.bid_invalid", "")
            return code, detail, b"", b""
        try:
            problem = judge(stream.check(verify_manifest))
            if problem is not None:
                return problem[0], problem[1], b"", b""
            stream.keep()
            return None, "", stream.manifest_bytes, stream.signature_bytes
        except (BidPackageError, CryptoError, TrustError) as ex:
            return (*_package_failure(ex), b"", b"")
        except BidclientError as ex:
            return ex.code, str(ex), b"", b""
        finally:
            stream.discard()  # nothing once kept; everything otherwise
    scratch = Path(tempfile.mkdtemp(prefix=".bidclient-opening-", dir=None if dest is None else dest.parent))
    try:
        inner = scratch / "package.zip"
        response = api.client.request("GET", url, stream=True)
        try:
            failed = _receive_then_decrypt(response, bid, key_source, scratch / "bid.bid", inner)
        finally:
            response.close()
        if failed is not None:
            return failed[0], failed[1], b"", b""
        try:
            with package_reader.open_package(inner) as package:
                problem = judge(package.check(verify_manifest))
                if problem is not None:
                    return problem[0], problem[1], b"", b""
                if dest is None:
                    package.verify_contents()  # every file's size and SHA-256, nothing written
                else:
                    package.extract_to(dest)  # the same, all or nothing
                return None, "", package.manifest_bytes, package.signature_bytes
        except (BidPackageError, CryptoError, TrustError) as ex:
            return (*_package_failure(ex), b"", b"")
        except BidclientError as ex:
            return ex.code, str(ex), b"", b""
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


# --- a committee member at the remedy -------------------------------------------------------------------

def contribute_partial(api: OpeningApi, member: Any, submission_id: str, prompter: Prompter) -> proto.RemedyOut:
    """A committee member's part of the remedy for one bid: its key share recomputed in memory from the
    encrypted shares addressed to it (its dongle opens them; each checked against the commitments), the
    partial result x_j·R with its Chaum-Pedersen proof, signed and sent; the share is then dropped."""
    from bidclient import committee as committees
    from crypto import threshold as th

    remedy = api.remedy(submission_id)
    out = committees.status(member.client, remedy.committee_id)
    number = member.number(out)
    if not prompter.confirm(Question(
            _("Contribute to the remedy?"),
            _("Contribute your partial result as member {n} of committee {committee} to open bid {bid}?").format(
                n=number, committee=remedy.committee_id, bid=submission_id),
            yes_label=_("Contribute"), severity=Severity.DANGER)):
        raise BidclientError(_("Nothing was done: you did not confirm."), code="opening.cancelled")
    key = committees.committee_key(out)
    shares, _copies = member._shares(out)
    disclosures = [th.ShareDisclosure.from_bytes(proto.b64decode(d.message)) for d in out.disclosures
                   if d.receiver == number]
    try:
        # The share lives only in this frame, while it computes; it is neither returned nor kept.
        partials = [th.compute_partial(th.member_key_share(key, number, shares, member.decrypter, disclosures),
                                       bytes.fromhex(r_hex), remedy.context).to_bytes()
                    for r_hex in remedy.ephemeral]
    except CryptoError as ex:
        raise BidclientError(str(ex), code=getattr(ex, "code", "opening.remedy_failed")) from ex
    result = remedy
    for partial in partials:
        result = api.post_partial(submission_id, partial, member.sign(partial))
    return result


# --- the record ----------------------------------------------------------------------------------------

def sign_record(api: OpeningApi, session: KeySession, prompter: Prompter, *,
                keep: Path | None = None) -> proto.OpeningOut:
    """Sign the drafted record (host first, then supervisor) with a visible seal and upload it."""
    from forms.opening_record import HOST_SEAL_BOX, SUPERVISOR_SEAL_BOX
    from forms.pdf_sign import sign_pdf

    opening = api.get()
    me = _me(session)
    as_host = opening.state == "record_drafted"
    if opening.state not in ("record_drafted", "host_signed"):
        raise BidclientError(_("There is no record waiting for a signature (the opening is {state}).").format(
            state=opening.state), code="opening.nothing_to_sign")
    pdf = api.record()
    if hashlib.sha256(pdf).hexdigest() != opening.record_sha256:
        raise BidclientError(_("The record downloaded is not the one the opening names."),
                             code="opening.record_changed")
    if not prompter.confirm(Question(_("Sign the opening record?"),
                                     _("Sign the opening record of {tender} (SHA-256 {sha}) as {who}?").format(
                                         tender=api.tender_id, sha=opening.record_sha256, who=me),
                                     yes_label=_("Sign"), severity=Severity.DANGER)):
        raise BidclientError(_("The record was not signed."), code="opening.cancelled")
    with tempfile.TemporaryDirectory(prefix="bidclient-record-") as scratch:
        source, signed = Path(scratch) / "record.pdf", Path(scratch) / "signed.pdf"
        source.write_bytes(pdf)
        sign_pdf(source, signed, session.signer(), field_name="Host" if as_host else "Supervisor",
                 box=HOST_SEAL_BOX if as_host else SUPERVISOR_SEAL_BOX,
                 reason="开标记录 主持人" if as_host else "开标记录 监督人")
        data = signed.read_bytes()
    out = api.upload_record(data, opening.step)
    if keep is not None:
        _write_new(keep, data)
    return out


def acknowledge_record(api: OpeningApi, session: KeySession, *, decision: str, text: str = "") -> proto.OpeningOut:
    opening = api.get()
    if opening.record_sha256 is None:
        raise BidclientError(_("The record is not published yet."), code="opening.nothing_to_sign")
    statement = proto.statement(proto.ACKNOWLEDGMENT_FORMAT, tender_id=api.tender_id,
                                record_sha256=opening.record_sha256, decision=decision, text=text)
    return api._act("/acknowledgment", {"statement": proto.b64(statement),
                                        "signature": proto.b64(_sign(session)(statement))})


def download_record(api: OpeningApi, output: Path) -> str:
    data = api.record()
    _write_new(output, data)
    return hashlib.sha256(data).hexdigest()


def _write_new(path: Path, data: bytes) -> None:
    if path.exists():
        raise BidclientError(_("{path} already exists; it was left untouched.").format(path=path),
                             code="io.output_exists")
    tmp = path.with_name(f".{path.name}.part")
    tmp.write_bytes(data)
    os.replace(tmp, path)


@dataclass(frozen=True)
class RecordCheck:
    sha256: str
    signers: list[str]  # identity keys, in signing order
    problems: list[str]

    @property
    def ok(self) -> bool:
        return not self.problems


def verify_record(path: Path, trust_list: trust.TrustList, *, min_signatures: int = 2) -> RecordCheck:
    """Offline: every PAdES signature of the record is intact and trusted, nothing was added after the
    last one, and it carries the host's and the supervisor's (at least ``min_signatures``)."""
    from forms.errors import FormsError
    from forms.pdf_sign import verify_pdf

    if not path.is_file():
        raise BidclientError(_("{path} does not exist").format(path=path), code="io.input_missing")
    try:
        result = verify_pdf(path, [*trust_list.roots, *trust_list.intermediates])
    except FormsError as ex:
        raise BidclientError(str(ex), code="opening.record_invalid") from ex
    problems = [f"{r.field_name}: {r.problem}" for r in result.signatures if not r.ok]
    if result.signatures and not result.signatures[-1].covers_whole_file:
        problems.append(_("content was added after the last signature"))
    if len(result.signatures) < min_signatures:
        problems.append(_("{n} signature(s); the record needs the host's and the supervisor's").format(
            n=len(result.signatures)))
    signers = [identity.identity_of(r.signer_certificate).key for r in result.signatures
               if r.signer_certificate is not None]
    with open(path, "rb") as f:
        sha = hashlib.file_digest(f, "sha256").hexdigest()
    return RecordCheck(sha, signers, problems)



# --- the desktop app: the bidder with the signed-in dongle ------------------------------------------------
# Each flow opens the dongle the person signed in with (bidclient.signin.open_signed_in_key: one PIN entry,
# asked through the prompter) for one step, and closes it again.

@dataclass(frozen=True)
class MyOpening:
    """A tender the signed-in bidder has an active bid in, and its opening as the server shows it."""

    tender_id: str
    submission_id: str
    opening: proto.OpeningOut | None  # None: the agency has not scheduled the opening yet


def my_openings(client: ApiClient) -> list[MyOpening]:
    """The tenders the caller has an active submission to (its own list on the server), each with its
    opening (None when not scheduled). The server's answers are validated, never trusted as shaped."""
    from pydantic import ValidationError

    from bidclient.api_client import ApiError
    from bidclient.protocol.submission import SubmissionOut

    listed = client.get_json("/api/v1/submissions")
    if not isinstance(listed, list):
        raise BidclientError(_("The server's list of your submissions is not a list."),
                             code="submission.history_invalid")
    active: dict[str, str] = {}
    for raw in listed[:1000]:
        try:
            submission = SubmissionOut.model_validate(raw)
        except ValidationError:
            raise BidclientError(_("The server listed a malformed submission."),
                                 code="submission.history_invalid") from None
        if submission.status == "active":
            active[submission.tender_id] = submission.id
    out = []
    for tender_id in sorted(active):
        try:
            view: proto.OpeningOut | None = OpeningApi(client, tender_id).get()
        except ApiError as ex:
            if ex.code != "opening.not_found":
                raise
            view = None
        out.append(MyOpening(tender_id, active[tender_id], view))
    return out


def check_in_signed_in(client: ApiClient, tender_id: str, certificate_sha256: str,
                       prompter: Prompter) -> proto.OpeningOut:
    """Check in (签到) with the dongle the person signed in with (one PIN)."""
    from bidclient.signin import open_signed_in_key

    with open_signed_in_key(certificate_sha256, prompter) as session:
        return check_in(OpeningApi(client, tender_id), session)


def release_key_signed_in(client: ApiClient, tender_id: str, certificate_sha256: str,
                          prompter: Prompter) -> proto.BidOut:
    """Decrypt with the signed-in dongle: ``release_key`` on the bid as the server counted it (one PIN, then
    the confirmation). Run it again to retry while the window is open."""
    from bidclient.signin import open_signed_in_key

    with open_signed_in_key(certificate_sha256, prompter) as session:
        return release_key(OpeningApi(client, tender_id), session, prompter)


def acknowledge_signed_in(client: ApiClient, tender_id: str, certificate_sha256: str, prompter: Prompter, *,
                          decision: str, text: str = "") -> proto.OpeningOut:
    """Confirm the published record, or object to it with ``text`` (a signed statement; one PIN)."""
    from bidclient.signin import open_signed_in_key

    if decision not in ("confirm", "object"):
        raise BidclientError(f"unknown decision {decision!r}", code="usage.invalid")
    if decision == "object" and not text.strip():
        raise BidclientError(_("Say what you object to in the record."), code="opening.objection_empty")
    with open_signed_in_key(certificate_sha256, prompter) as session:
        return acknowledge_record(OpeningApi(client, tender_id), session, decision=decision, text=text.strip())


def raise_objection(client: ApiClient, tender_id: str, text: str) -> proto.ObjectionOut:
    """Raise an objection (异议) for the hosts to answer."""
    if not text.strip():
        raise BidclientError(_("Write your objection first."), code="opening.objection_empty")
    return OpeningApi(client, tender_id).object(text.strip())


def fetch_record(client: ApiClient, tender_id: str, folder: Path) -> Path:
    """The published record, downloaded into ``folder`` and checked to be the one the opening names (its
    SHA-256); returns the PDF's path (replacing an earlier download of the same tender)."""
    api = OpeningApi(client, tender_id)
    opening = api.get()
    if opening.record_sha256 is None:
        raise BidclientError(_("The record is not published yet."), code="opening.nothing_to_sign")
    data = api.record()
    if hashlib.sha256(data).hexdigest() != opening.record_sha256:
        raise BidclientError(_("The record downloaded is not the one the opening names."),
                             code="opening.record_changed")
    folder.mkdir(parents=True, exist_ok=True)
    safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in tender_id)
    path = folder / f"{safe}-opening-record.pdf"
    tmp = path.with_name(f".{path.name}.part")
    tmp.write_bytes(data)
    os.replace(tmp, path)
    return path


# --- the desktop app: a committee member at the remedy ----------------------------------------------------

def list_remedies(client: ApiClient, tender_id: str) -> list[proto.RemedyOut]:
    """The bids of ``tender_id`` in the committee remedy that the caller's committees are asked for."""
    listed = client.get_json(f"/api/v1/tenders/{quote(tender_id, safe='')}/opening/remedies")
    if not isinstance(listed, list):
        raise BidclientError(_("The server's list of remedies is not a list."), code="opening.remedies_invalid")
    return [proto.RemedyOut.model_validate(r) for r in listed[:1000]]


def partials_received(remedy: proto.RemedyOut) -> int:
    """How many members' valid partial results have arrived (k of them open the bid)."""
    return len({p.member for p in remedy.partials})


def contribute_partial_signed_in(client: ApiClient, tender_id: str, submission_id: str, certificate_sha256: str,
                                 prompter: Prompter) -> proto.RemedyOut:
    """``contribute_partial`` with the dongle the member signed in with (one PIN, then the confirmation)."""
    from bidclient import committee as committees

    with committees.signed_in_member(client, certificate_sha256, prompter) as member:
        return contribute_partial(OpeningApi(client, tender_id), member, submission_id, prompter)


def default_records_folder() -> Path:
    """Where the app keeps downloaded opening records: $XDG_DATA_HOME/bidclient/openings."""
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "bidclient" / "openings"
