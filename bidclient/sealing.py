"""Seal and unseal: the inner signed package inside the outer CMS envelope (docs/formats/sealed-bid.md).

seal    files --hash+zip--> package --encrypt--> BID, in one pass; meanwhile a self-check reads back what
        reaches the file, hashes it and verifies it decrypts and authenticates; at the end the bidder's own
        encryption key (same token session, so the same PIN entry) must unwrap that content key from the
        file, before the BID is renamed into place.
unseal  BID --decrypt (tag verified)--> temporary package --verify signature, check every entry--> DIR,
        renamed into place only when everything passed.
"""

from __future__ import annotations

import hashlib
import hmac
import shutil
import tempfile
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, BinaryIO

from cryptography import x509
from cryptography.hazmat.primitives import hashes

from bidclient import __version__
from bidclient.atomic import atomic_output, refuse_existing
from bidclient.bidpackage import reader as package_reader
from bidclient.bidpackage import writer as package_writer
from bidclient.bidpackage.errors import ManifestValueInvalid
from bidclient.bidpackage.manifest import Link, Manifest
from bidclient.certfiles import check_recipient_certificate
from bidclient.errors import BidclientError
from bidclient.jobs import Cancel, Progress
from bidclient.signing import VerifiedSignature, sign_content, verify_content
from crypto import cms_envelope, identity, trust
from crypto.errors import CryptoError, OperationCancelled
from crypto.identity import readable_name
from crypto.key_access import KeySession
from crypto.keys import Decrypter


@dataclass(frozen=True)
class TenderTarget:
    """What a bid is sealed for: the tender and the opening certificates."""

    tender_id: str
    tender_version: int
    opening_certificates: Sequence[x509.Certificate]
    package_sha256: str | None = None
    opening_time: datetime | None = None


@dataclass
class SealResult:
    manifest: Manifest
    envelope_sha256: str
    envelope_size: int
    recipients: list[x509.Certificate]
    self_check_passed: bool
    warnings: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class UnsealResult:
    manifest: Manifest
    signature: VerifiedSignature
    directory: Path


def _fingerprint(cert: x509.Certificate) -> str:
    return cert.fingerprint(hashes.SHA256()).hex()


def _dedupe(certs: Sequence[x509.Certificate]) -> list[x509.Certificate]:
    seen: dict[str, x509.Certificate] = {}
    for cert in certs:
        seen.setdefault(_fingerprint(cert), cert)
    return list(seen.values())


def preflight_warnings(session: KeySession, target: TenderTarget, *,
                       now: datetime | None = None) -> list[str]:
    """Warnings the bidder must see before sealing (certificate expiring before the opening...)."""
    now = now or datetime.now(UTC)
    warnings: list[str] = []
    encryption = session.encryption_certificate
    if encryption is not None:
        deadline = target.opening_time or now
        if encryption.not_valid_after_utc <= deadline:
            warnings.append(
                f"your encryption certificate expires {encryption.not_valid_after_utc:%Y-%m-%d %H:%M} UTC, "
                "before the opening; renew it and seal again, or only the opening key will open this bid")
    for cert in target.opening_certificates:
        if cert.not_valid_after_utc <= now:
            warnings.append(f"the opening certificate {readable_name(cert.subject)} has expired")
    return warnings


def seal(directory: Path, output: Path, *, session: KeySession, target: TenderTarget,
         progress: Progress | None = None, cancel: Cancel | None = None,
         tsa_url: str | None = None, forms: Mapping[str, Any] | None = None,
         links: Sequence[Link] = ()) -> SealResult:
    """Seal ``directory`` for ``target``. ``forms`` (the structured form values) and ``links`` (scoring
    criterion → file and page) go into the signed manifest (bidclient.bid_project assembles both)."""
    if not directory.is_dir():
        raise BidclientError(f"{directory} is not a directory of bid files", code="io.input_missing")
    if not target.tender_id.strip():
        # Checked before any work: the manifest must name the tender, and its own unseal refuses one that
        # does not.
        raise BidclientError("the bid names no tender: a tender id is needed", code="seal.no_tender_id",
                             exit_status=2)
    refuse_existing(output)
    signer = session.signer()
    own_encryption = session.encryption_certificate
    if own_encryption is None:
        raise BidclientError(
            "the key has no encryption certificate to seal the bid to yourself as well; without it a broken "
            "opening key would lose the bid", code="seal.no_encryption_certificate")
    _check_same_holder(signer.certificate, own_encryption)
    if not target.opening_certificates:
        raise BidclientError("no opening certificate was given", code="usage.invalid", exit_status=2)
    for cert in target.opening_certificates:
        check_recipient_certificate(cert)
    recipients = _dedupe([*target.opening_certificates, own_encryption])
    warnings = preflight_warnings(session, target)
    signer_identity = identity.identity_of(signer.certificate)

    def sign_manifest(data: bytes) -> bytes:
        return sign_content(data, signer, tsa_url=tsa_url)

    with atomic_output(output) as stream:
        published = _Published(stream)
        check = _SelfCheck(Path(stream.name), published, cancel=cancel)
        try:
            with cms_envelope.EnvelopeWriter(published, recipients,  # type: ignore[arg-type]
                                             keep_content_key=True) as envelope:
                check.start(envelope.content_key)
                try:
                    manifest = package_writer.write_package(
                        envelope, directory,  # type: ignore[arg-type]
                        tender_id=target.tender_id, tender_version=target.tender_version,
                        package_sha256=target.package_sha256,
                        bidder_uscc=signer_identity.uscc or "", bidder_name=signer_identity.organization or "",
                        signing_certificate_sha256=_fingerprint(signer.certificate),
                        tool=f"bidclient {__version__}",
                        sign_manifest=sign_manifest, progress=progress, cancel=cancel, forms=forms, links=links)
                except ManifestValueInvalid as ex:
                    # The bidder's own input (tender id, forms) cannot go into a manifest: a sealing error,
                    # never the opener's "the bid is not acceptable".
                    raise BidclientError(f"the manifest cannot be written: {ex.message}",
                                         code="seal.manifest_invalid") from ex
                written = envelope.tell()
                cek = envelope.content_key
        finally:
            published.finish()  # the end of the file for the self-check, whether complete or not
            check.join()  # its file handle closed before the file is renamed or removed
        envelope_sha256, envelope_size = check.result(written, cek, session.decrypter(own_encryption))
    return SealResult(manifest=manifest, envelope_sha256=envelope_sha256, envelope_size=envelope_size,
                      recipients=recipients, self_check_passed=True, warnings=warnings)


def _check_same_holder(signing: x509.Certificate, encryption: x509.Certificate) -> None:
    """The bid's own copy must go to the signer's enterprise: whoever holds the key opens the bid."""
    try:
        ours, theirs = identity.identity_of(signing).uscc, identity.identity_of(encryption).uscc
    except CryptoError:
        return  # an undecodable subject: verification of the signer reports it
    if ours and theirs and ours != theirs:
        raise BidclientError(f"the encryption certificate {readable_name(encryption.subject)!r} belongs to "
                             f"enterprise {theirs}, not to the signer's {ours}: its holder could open the bid",
                             code="seal.encryption_key_mismatch")


class _Published:
    """The seal's output file, telling the self-check how far the bid is written. Each write is passed
    on to the operating system before the self-check may read it back, so the self-check reads the
    file's bytes, not a copy of what was meant to be written."""

    def __init__(self, stream: BinaryIO) -> None:
        self._stream = stream
        self.changed = threading.Condition()
        self.visible = 0  # bytes handed to the operating system
        self.finished = False

    def write(self, data: bytes | memoryview) -> int:
        n = memoryview(data).nbytes
        self._stream.write(data)
        self._stream.flush()
        with self.changed:
            self.visible += n
            self.changed.notify_all()
        return n

    def flush(self) -> None:
        self._stream.flush()

    def finish(self) -> None:
        with self.changed:
            self.finished = True
            self.changed.notify_all()


class _ReadBehind:
    """Reads the bid from the file while it is being written, never past what reached the operating
    system (waits for more), with end of file once the writing finished; hashes every byte read."""

    def __init__(self, path: Path, published: _Published) -> None:
        self._f = open(path, "rb", buffering=0)  # closed by close()
        self._published = published
        self.pos = 0
        self.sha256 = hashlib.sha256()

    def _available(self, want: int) -> int:
        published = self._published
        with published.changed:
            while published.visible <= self.pos and not published.finished:
                published.changed.wait()
            return min(want, published.visible - self.pos)

    def read(self, n: int = -1) -> bytes:
        k = self._available(n if n >= 0 else 1 << 30)
        data = self._f.read(k) if k > 0 else b""
        self._took(data)
        return data or b""

    def readinto(self, b: bytearray | memoryview) -> int:
        view = memoryview(b).cast("B")
        k = self._available(view.nbytes)
        n = self._f.readinto(view[:k]) if k > 0 else 0
        self._took(view[:n or 0])
        return n or 0

    def _took(self, data: bytes | memoryview | None) -> None:
        if data:
            self.sha256.update(data)  # releases the GIL: runs beside the writing thread's work
            self.pos += len(data)

    def close(self) -> None:
        self._f.close()


class _SelfCheck:
    """Prove that the bid on disk opens with the bidder's own key, at little more than its reading.

    1. While the bid is written, a thread reads back every byte that reached the file (``_ReadBehind``),
       hashes it (the envelope SHA-256 for the submission statement and the receipt) and decrypts the
       content with the content key the writer used, writing nothing; at the end the GCM tag must
       verify, so every byte of the content on disk is what was encrypted, and the length must match.
    2. Then the bidder's own key (the token session that signed) unwraps the content key from its
       recipient entry in the file on disk, and it must equal the key the content authenticated under.
    Together: the file as written opens with the bidder's key. No plaintext is kept or released.
    """

    def __init__(self, path: Path, published: _Published, *, cancel: Cancel | None) -> None:
        self._path = path
        self._published = published
        self._cancel = cancel
        self._thread: threading.Thread | None = None
        self._reader: _ReadBehind | None = None
        self._opened: int | None = None
        self._error: BaseException | None = None

    def start(self, content_key: bytes) -> None:
        self._reader = _ReadBehind(self._path, self._published)
        self._thread = threading.Thread(target=self._run, args=(content_key,), name="seal-self-check",
                                        daemon=True)
        self._thread.start()

    def _run(self, content_key: bytes) -> None:
        assert self._reader is not None
        try:
            _info, self._opened = cms_envelope.check_stream(self._reader, content_key,  # type: ignore[arg-type]
                                                            cancel=self._cancel)
        except BaseException as ex:  # reported by result(), on the sealing thread
            self._error = ex

    def join(self) -> None:
        if self._thread is not None:
            self._thread.join()
        if self._reader is not None:
            self._reader.close()

    def result(self, plaintext_size: int, content_key: bytes, decrypter: Decrypter) -> tuple[str, int]:
        """The envelope's SHA-256 and size once every check passed; BidclientError if one did not."""
        assert self._reader is not None
        try:
            if self._error is not None:
                raise self._error
            with open(self._path, "rb") as head:
                unwrapped = cms_envelope.content_key(head, decrypter)
            if not hmac.compare_digest(unwrapped, content_key):
                raise BidclientError("the self-check found that your own key does not unwrap the key the bid "
                                     "was encrypted with", code="seal.self_check_failed")
        except OperationCancelled:
            raise
        except CryptoError as ex:
            raise BidclientError(f"the self-check could not open the bid just written with your own key: "
                                 f"{ex.message}", code="seal.self_check_failed") from ex
        if self._opened != plaintext_size:
            raise BidclientError(f"the self-check opened {self._opened} bytes where {plaintext_size} were "
                                 "written", code="seal.self_check_failed")
        return self._reader.sha256.hexdigest(), self._reader.pos


def unseal(bid: Path, output: Path, *, session: KeySession, trust_list: trust.TrustList,
           revocation: trust.RevocationMode = trust.RevocationMode.SOFT_FAIL,
           progress: Progress | None = None) -> UnsealResult:
    if not bid.is_file():
        raise BidclientError(f"{bid} does not exist", code="io.input_missing")
    refuse_existing(output)
    with open(bid, "rb") as head:
        info = cms_envelope.describe(head)
    decrypter = session.decrypter(_matching_recipient(session, info))
    verified: list[VerifiedSignature] = []

    def verify_manifest(manifest_bytes: bytes, signature: bytes) -> None:
        verified.append(verify_content(manifest_bytes, signature, trust_list, revocation=revocation))

    output.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".bidclient-unseal-", dir=output.parent))
    try:
        inner = tmp / "package.zip"
        cms_envelope.decrypt_file(bid, inner, decrypter, progress=progress)
        with package_reader.open_package(inner) as package:
            manifest = package.check(verify_manifest)
            signature = verified[0]
            _check_bidder_matches(manifest, signature)
            package.extract_to(output)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return UnsealResult(manifest=manifest, signature=signature, directory=output)


def _matching_recipient(session: KeySession, info: cms_envelope.EnvelopeInfo) -> x509.Certificate | None:
    """The certificate on the token that the envelope was encrypted to, if any."""
    for cert in session.certificates():
        for recipient in info.recipients:
            if recipient.matches(cert):
                return cert
    return None


def _check_bidder_matches(manifest: Manifest, signature: VerifiedSignature) -> None:
    """The manifest's bidder must be the enterprise whose key signed it."""
    if manifest.bidder.signing_certificate_sha256 != _fingerprint(signature.certificate):
        raise BidclientError("the manifest names a different signing certificate than the one that signed it",
                             code="sealed.signer_mismatch")
    claimed = manifest.bidder.uscc
    if claimed and signature.identity.uscc and claimed != signature.identity.uscc:
        raise BidclientError(f"the manifest names enterprise {claimed} but was signed by "
                             f"{signature.identity.uscc}", code="sealed.signer_mismatch")


