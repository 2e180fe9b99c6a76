"""PAdES signatures on PDFs with our keys (dongle or PKCS#12), with a visible seal; and their verification.

pyHanko assembles the PDF signature (ETSI.CAdES.detached, incremental update); the raw signature comes
from a crypto.keys.Signer, so a token key never leaves the token. The result opens in any PDF reader and
checks with ``pdfsig`` (poppler) and pyHanko's validator.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import os
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from asn1crypto import algos, cms
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import Encoding
from cryptography.x509.oid import NameOID
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.misc import PdfError
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields, signers
from pyhanko.sign.general import SigningError
from pyhanko.sign.timestamps import TimeStamper
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.errors import SignatureValidationError
from pyhanko.sign.validation.settings import KeyUsageConstraints
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko.stamp import StaticStampStyle
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.registry import SimpleCertificateStore

from crypto.algorithms import SignatureAlgorithm
from crypto.errors import CryptoError, MechanismUnsupported, SignatureInvalid
from crypto.keys import Signer
from crypto.timestamp import Timestamper
from forms._layout import SEAL_BOX_SIZE, RenderedForm
from forms.errors import FormsError, PdfMalformed, PdfSignError
from forms.seal_image import SealAppearance, render_appearance

__all__ = [
    "DEFAULT_REASON",
    "PdfSignatureReport",
    "PdfVerification",
    "sign_form",
    "sign_pdf",
    "verify_pdf",
]

DEFAULT_REASON = "投标文件签章"
MAX_PDF_SIZE = 512 << 20
_MECHANISMS = {
    SignatureAlgorithm.RSA_PKCS1V15_SHA256: ("sha256_rsa", "sha256"),
    SignatureAlgorithm.ECDSA_SHA256: ("sha256_ecdsa", "sha256"),
    SignatureAlgorithm.ECDSA_SHA384: ("sha384_ecdsa", "sha384"),
}


# --- our Signer as pyHanko's ---------------------------------------------------------------------------


def _asn1(certificate: x509.Certificate) -> asn1_x509.Certificate:
    return asn1_x509.Certificate.load(certificate.public_bytes(Encoding.DER))


class _PyHankoSigner(signers.Signer):
    """pyHanko's Signer over a crypto.keys.Signer: pyHanko builds the CMS, our key signs its bytes."""

    def __init__(self, signer: Signer) -> None:
        supported = [a for a in signer.supported_signature_algorithms() if a in _MECHANISMS]
        if not supported:
            raise MechanismUnsupported("this key can sign with neither RSA PKCS#1 v1.5 nor ECDSA with SHA-256/384")
        self._signer = signer
        self.algorithm = supported[0]
        mechanism, self.digest = _MECHANISMS[self.algorithm]
        key = signer.certificate.public_key()
        if isinstance(key, rsa.RSAPublicKey):
            self._size = key.key_size // 8
        elif isinstance(key, ec.EllipticCurvePublicKey):
            self._size = 2 * ((key.curve.key_size + 7) // 8 + 1) + 8  # DER SEQUENCE of two INTEGERs, worst case
        else:
            raise MechanismUnsupported("only RSA and EC keys can sign PDFs")
        super().__init__(
            signing_cert=_asn1(signer.certificate),
            cert_registry=SimpleCertificateStore.from_certs([_asn1(c) for c in signer.chain]),
            signature_mechanism=algos.SignedDigestAlgorithm({"algorithm": mechanism}),
        )

    async def async_sign_raw(self, data: bytes, digest_algorithm: str, dry_run: bool = False) -> bytes:
        if digest_algorithm != self.digest:
            raise PdfSignError(f"pyHanko asked for {digest_algorithm}, the key signs with {self.digest}")
        if dry_run:
            return bytes(self._size)  # only the size matters: pyHanko reserves room for the signature
        # Blocking is fine: this event loop runs nothing but this signature. A token signer hands the
        # job to its token thread and may ask for the PIN here (once per operation).
        return self._signer.sign(data, self.algorithm)


class _PyHankoTimeStamper(TimeStamper):
    """pyHanko's TimeStamper over a crypto.timestamp.Timestamper (HTTP client or the built-in TSA)."""

    def __init__(self, timestamper: Timestamper) -> None:
        super().__init__(include_nonce=False)  # our Timestamper sends and checks its own nonce
        self._timestamper = timestamper

    async def async_timestamp(self, message_digest: bytes, md_algorithm: str) -> cms.ContentInfo:
        token = self._timestamper.timestamp(message_digest, md_algorithm)
        return cms.ContentInfo.load(token)


# --- signing -------------------------------------------------------------------------------------------


def _subject_value(certificate: x509.Certificate, oid: x509.ObjectIdentifier) -> str:
    values = certificate.subject.get_attributes_for_oid(oid)
    return str(values[0].value) if values else ""


def signer_display_name(certificate: x509.Certificate) -> str:
    """The name shown in the appearance: the subject's CN, else its O."""
    return (_subject_value(certificate, NameOID.COMMON_NAME)
            or _subject_value(certificate, NameOID.ORGANIZATION_NAME) or certificate.subject.rfc4514_string())


def sign_pdf(input_path: str | Path, output_path: str | Path, signer: Signer, *, field_name: str = "Signature1",
             page: int = -1, box: tuple[int, int, int, int] | None = None, seal_name: str | None = None,
             seal_image: str | Path | None = None, inscription: str = "", reason: str = DEFAULT_REASON,
             location: str = "", timestamper: Timestamper | None = None,
             time_text: Callable[[datetime], str] | None = None, seal_style: str = "company") -> None:
    """Sign ``input_path`` with a visible seal into ``output_path`` (PAdES B-B, or B-T with a timestamper).

    ``page`` counts from 0 (-1 = last page); ``box`` is (x1, y1, x2, y2) in points, default the lower
    right of the page. The seal shows ``seal_image`` (PNG/JPEG) if given, else a drawn round seal with
    ``seal_name`` (default: the certificate's organisation), or with ``seal_style="personal"`` a square name
    seal (法定代表人章) of ``seal_name``. ``time_text`` writes the signing time as the
    seal prints it (the caller's zone, named: bidclient.timefmt); default: local time and offset. The
    output is written to a temporary file and renamed, so a failure (wrong PIN, TSA down) leaves no
    partial output; ``output_path`` may equal ``input_path``. Raises PdfMalformed, PdfSignError,
    RenderError, and the signer's crypto.errors (PinIncorrect, TokenNotPresent...) unchanged;
    TimestampError from the timestamper.
    """
    source, target = Path(input_path), Path(output_path)
    data = _read_pdf(source)
    adapter = _PyHankoSigner(signer)
    certificate = signer.certificate
    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        if reader.encrypted:
            raise PdfMalformed(f"{source} is encrypted; remove the password before signing",
                               code="pdf.encrypted")
        page_count = int(reader.root["/Pages"]["/Count"])
    except FormsError:
        raise
    except Exception as ex:  # pyHanko's reader raises PdfReadError, KeyError, TypeError... on junk
        raise PdfMalformed(f"{source} is not a readable PDF: {ex}") from ex
    page_index = page if page >= 0 else page_count + page
    if not 0 <= page_index < page_count:
        raise PdfSignError(f"{source} has {page_count} page(s); there is no page {page}", code="pdf.no_such_page")
    if box is None:
        width, height = SEAL_BOX_SIZE
        box = (595 - 60 - int(width), 70, 595 - 60, 70 + int(height))
    x1, y1, x2, y2 = box
    if x2 - x1 < 20 or y2 - y1 < 20:
        raise PdfSignError(f"the signature box {box} is too small", code="pdf.bad_box")

    signed_at = datetime.now().astimezone()
    appearance = SealAppearance(
        seal_name=seal_name if seal_name is not None else (
            _subject_value(certificate, NameOID.ORGANIZATION_NAME) or signer_display_name(certificate)),
        signer_name=signer_display_name(certificate), signed_at=signed_at,
        signed_at_text=time_text(signed_at) if time_text is not None else None,
        reason=reason, inscription=inscription, seal_image=Path(seal_image) if seal_image is not None else None,
        style=seal_style)
    with tempfile.TemporaryDirectory(prefix="bidclient-seal-") as scratch:
        appearance_pdf = Path(scratch) / "appearance.pdf"
        appearance_pdf.write_bytes(render_appearance(appearance, x2 - x1, y2 - y1))
        meta = signers.PdfSignatureMetadata(
            field_name=field_name, reason=reason or None, location=location or None, md_algorithm=adapter.digest,
            subfilter=fields.SigSeedSubFilter.PADES, name=signer_display_name(certificate))
        pdf_signer = signers.PdfSigner(
            meta, signer=adapter, timestamper=_PyHankoTimeStamper(timestamper) if timestamper else None,
            stamp_style=StaticStampStyle.from_pdf_file(str(appearance_pdf), border_width=0),
            new_field_spec=fields.SigFieldSpec(sig_field_name=field_name, on_page=page_index, box=box))
        output = io.BytesIO()
        try:
            writer = IncrementalPdfFileWriter(io.BytesIO(data), strict=False)
            asyncio.run(pdf_signer.async_sign_pdf(writer, output=output))
        except (CryptoError, FormsError):
            raise
        except SigningError as ex:
            raise PdfSignError(f"{source} could not be signed: {ex}") from ex
        except PdfError as ex:
            raise PdfMalformed(f"{source} could not be signed: {ex}") from ex
    _write_atomically(target, output.getvalue())


def sign_form(rendered: RenderedForm, output_path: str | Path, signer: Signer, **options: Any) -> None:
    """``sign_pdf`` with the seal in the signature area the renderer reserved."""
    sign_pdf(rendered.path, output_path, signer, page=rendered.seal_page, box=rendered.seal_box, **options)


def _read_pdf(path: Path) -> bytes:
    try:
        size = path.stat().st_size
        if size > MAX_PDF_SIZE:
            raise PdfMalformed(f"{path} is larger than {MAX_PDF_SIZE >> 20} MiB", code="pdf.too_large")
        data = path.read_bytes()
    except OSError as ex:
        raise PdfMalformed(f"cannot read {path}: {ex.strerror}", code="pdf.unreadable") from None
    if not data.startswith(b"%PDF-"):
        raise PdfMalformed(f"{path} is not a PDF (no %PDF- header)")
    return data


def _write_atomically(path: Path, data: bytes) -> None:
    directory = path.parent if str(path.parent) else Path(".")
    fd, temp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=directory)
    try:
        with os.fdopen(fd, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temp_name, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temp_name)
        raise


# --- verification --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PdfSignatureReport:
    """One signature of a PDF, as pyHanko's validator judged it."""

    field_name: str
    signer_certificate: x509.Certificate | None
    signer_name: str
    signing_time: datetime | None  # as the signer claims it
    timestamp_time: datetime | None  # from a trusted timestamp, if there is one
    intact: bool  # the signed bytes are unchanged
    valid: bool  # the signature value verifies with the certificate's key
    trusted: bool  # the certificate chains to a given root and is usable for signing
    covers_whole_file: bool  # nothing was appended after this signature
    problem: str  # "" when ok, else what is wrong in English

    @property
    def ok(self) -> bool:
        return self.intact and self.valid and self.trusted and not self.problem


@dataclass(frozen=True)
class PdfVerification:
    signatures: list[PdfSignatureReport]

    @property
    def ok(self) -> bool:
        """Every signature is ok and the last one covers the whole file."""
        return bool(self.signatures) and all(s.ok for s in self.signatures) \
            and self.signatures[-1].covers_whole_file

    def require_valid(self) -> None:
        """Raise SignatureInvalid naming the first problem, unless ``ok``."""
        if not self.signatures:
            raise SignatureInvalid("the PDF carries no signature", code="pdf.unsigned")
        for report in self.signatures:
            if not report.ok:
                raise SignatureInvalid(f"signature {report.field_name!r}: {report.problem}",
                                       code="pdf.signature_invalid")
        if not self.signatures[-1].covers_whole_file:
            raise SignatureInvalid("content was added after the last signature", code="pdf.signature_invalid")


def verify_pdf(path: str | Path, trust_roots: Sequence[x509.Certificate], *,
               tsa_roots: Sequence[x509.Certificate] = (), allow_fetching: bool = False,
               intermediates: Sequence[x509.Certificate] = ()) -> PdfVerification:
    """Check every signature of the PDF at ``path`` against ``trust_roots``.

    ``intermediates`` are CA certificates usable to build a path to a root (the trust list's), for
    signatures that do not embed their whole chain; they are not trusted by themselves.

    Returns a report per signature (never raises for a bad signature: read ``ok`` or call
    ``require_valid()``). Revocation is soft-fail: checked when ``allow_fetching`` and the CA answers.
    Raises PdfMalformed when the file cannot be read as a PDF.
    """
    source = Path(path)
    data = _read_pdf(source)
    roots = [_asn1(c) for c in trust_roots]
    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        embedded = list(reader.embedded_signatures)
    except Exception as ex:  # hostile input: any failure to parse is "not a readable PDF"
        raise PdfMalformed(f"{source} is not a readable PDF: {ex}") from ex
    usage = KeyUsageConstraints(key_usage={"digital_signature", "non_repudiation"}, match_all_key_usages=False)
    reports = []
    for signature in embedded:
        context = ValidationContext(trust_roots=roots, allow_fetching=allow_fetching,
                                    other_certs=[_asn1(c) for c in intermediates])
        ts_context = ValidationContext(trust_roots=[_asn1(c) for c in tsa_roots] or roots,
                                       allow_fetching=allow_fetching)
        reports.append(_report(signature, context, ts_context, usage))
    return PdfVerification(reports)


def _report(signature: Any, context: ValidationContext, ts_context: ValidationContext,
            usage: KeyUsageConstraints) -> PdfSignatureReport:
    name = str(signature.field_name)
    try:
        status = validate_pdf_signature(signature, signer_validation_context=context,
                                         ts_validation_context=ts_context, key_usage_settings=usage)
    except (SignatureValidationError, ValueError, KeyError, TypeError, PdfError) as ex:
        return PdfSignatureReport(name, None, "", None, None, False, False, False, False,
                                  f"the signature cannot be checked: {ex}")
    certificate = x509.load_der_x509_certificate(status.signing_cert.dump())
    whole = status.coverage == SignatureCoverageLevel.ENTIRE_FILE
    timestamp = status.timestamp_validity
    problems = []
    if not status.intact:
        problems.append("the document was changed after signing (digest mismatch)")
    elif not status.valid:
        problems.append("the signature value does not verify")
    if not status.trusted:
        indication = str(status.trust_problem_indic) if status.trust_problem_indic else "no trusted path"
        problems.append(f"the signer's certificate is not trusted ({indication})")
    if timestamp is not None and not (timestamp.intact and timestamp.valid and timestamp.trusted):
        problems.append("the signature timestamp is not valid or not trusted")
    if status.coverage not in (SignatureCoverageLevel.ENTIRE_FILE, SignatureCoverageLevel.ENTIRE_REVISION):
        problems.append("the signature does not cover its revision of the document")
    elif status.docmdp_ok is False:
        problems.append("later changes break the document's modification policy")
    return PdfSignatureReport(
        field_name=name, signer_certificate=certificate, signer_name=signer_display_name(certificate),
        signing_time=status.signer_reported_dt,
        timestamp_time=timestamp.timestamp if timestamp is not None and timestamp.trusted else None,
        intact=status.intact, valid=status.valid, trusted=status.trusted, covers_whole_file=whole,
        problem="; ".join(problems))
