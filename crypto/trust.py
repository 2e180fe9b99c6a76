"""The trust list and certificate validation (path, validity, key usage, CRL and OCSP).

A ``TrustList`` is loaded from files or folders holding CA certificates (self-signed ones become
trust roots, the others intermediates usable for path building) and CRLs. ``validate`` builds and
checks a path with pyhanko-certvalidator and raises ``TrustError`` with a stable ``reason``.

Revocation: CRLs from the trust list are used first-hand; with ``at=None`` CRLs and OCSP answers
named in the certificates (CRL distribution points, AIA OCSP) are fetched over HTTP. A certificate
passes when one source says "good" (OCSP is asked first). SOFT_FAIL accepts a certificate whose
revocation sources cannot be reached (and says so in ``ValidatedCertificate.warnings``); HARD_FAIL
refuses it with reason ``revocation_unknown``. Validation at a past moment (``at``) never fetches:
only the trust list's CRLs are consulted.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import datetime as dt
import enum
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from asn1crypto import crl as asn1_crl
from asn1crypto import pem as asn1_pem
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID
from pyhanko_certvalidator import CertificateValidator, ValidationContext
from pyhanko_certvalidator import errors as pv_errors
from pyhanko_certvalidator.fetchers.requests_fetchers import RequestsFetcherBackend

from crypto.errors import TrustError, TrustListError

KeyUsagePurpose = Literal["signing", "encryption", "any"]

# File name endings read from a trust folder; anything else there (README, keys) is left alone.
TRUST_FILE_SUFFIXES = (".pem", ".crt", ".cer", ".der", ".crl")
_MAX_TRUST_FILE = 10 * 1024 * 1024
_FETCH_TIMEOUT_S = 10


class RevocationMode(enum.Enum):
    SOFT_FAIL = "soft-fail"  # refuse revoked; accept when no source can be reached
    HARD_FAIL = "hard-fail"  # refuse revoked, and refuse when declared sources cannot be checked
    OFF = "none"  # no revocation checking at all


@dataclass(frozen=True)
class TrustList:
    roots: tuple[x509.Certificate, ...]
    intermediates: tuple[x509.Certificate, ...] = ()
    crls: tuple[x509.CertificateRevocationList, ...] = ()
    sources: tuple[Path, ...] = ()

    @classmethod
    def load(cls, paths: Sequence[Path]) -> TrustList:
        """Read certificates and CRLs (PEM or DER) from files and folders (not recursive).

        A folder contributes its files ending in .pem, .crt, .cer, .der or .crl; a file named
        explicitly is read whatever its name. Raises TrustListError for a file that is neither.
        """
        roots: list[x509.Certificate] = []
        intermediates: list[x509.Certificate] = []
        crls: list[x509.CertificateRevocationList] = []
        files: list[Path] = []
        for path in paths:
            path = Path(path)
            if path.is_dir():
                files.extend(sorted(p for p in path.iterdir()
                                    if p.is_file() and p.name.lower().endswith(TRUST_FILE_SUFFIXES)))
            elif path.is_file():
                files.append(path)
            else:
                raise TrustListError(f"trust list path {path} does not exist")
        seen: set[bytes] = set()
        for file in files:
            certs, file_crls = _read_trust_file(file)
            for cert in certs:
                fingerprint = cert.public_bytes(serialization.Encoding.DER)
                if fingerprint in seen:
                    continue
                seen.add(fingerprint)
                (roots if _is_self_signed(cert) else intermediates).append(cert)
            for crl in file_crls:
                fingerprint = crl.public_bytes(serialization.Encoding.DER)
                if fingerprint not in seen:  # the same CRL as DER and PEM side by side
                    seen.add(fingerprint)
                    crls.append(crl)
        return cls(tuple(roots), tuple(intermediates), tuple(crls), tuple(Path(p) for p in paths))

    @classmethod
    def of(cls, certificates: Iterable[x509.Certificate],
           crls: Iterable[x509.CertificateRevocationList] = ()) -> TrustList:
        """A trust list from certificates in memory (self-signed ones become roots)."""
        certs = list(certificates)
        return cls(tuple(c for c in certs if _is_self_signed(c)),
                   tuple(c for c in certs if not _is_self_signed(c)), tuple(crls))


@dataclass(frozen=True)
class ValidatedCertificate:
    certificate: x509.Certificate
    path: tuple[x509.Certificate, ...]  # end entity first, trust root last
    issuer_name: str  # the issuing CA's subject (RFC 4514)
    root_name: str
    warnings: tuple[str, ...] = field(default=())  # e.g. revocation could not be checked (soft fail)

    @property
    def subject(self) -> str:
        return describe_subject(self.certificate)


def describe_subject(cert: x509.Certificate) -> str:
    """A short name for people: CN (and O when it adds something), else the full RFC 4514 subject."""
    def first(oid: x509.ObjectIdentifier) -> str | None:
        attrs = cert.subject.get_attributes_for_oid(oid)
        value = attrs[0].value if attrs else None
        return value if isinstance(value, str) else None

    try:
        cn = first(NameOID.COMMON_NAME)
        org = first(NameOID.ORGANIZATION_NAME)
        if cn and org and org not in cn:
            return f"{cn} ({org})"
        return cn or org or cert.subject.rfc4514_string() or f"serial {cert.serial_number:x}"
    except ValueError:  # a subject cryptography cannot decode: still name the certificate somehow
        return f"serial {cert.serial_number:x}"


def validate(cert: x509.Certificate, trust: TrustList, *, usage: KeyUsagePurpose = "any",
             at: dt.datetime | None = None, extra_certs: Iterable[x509.Certificate] = (),
             revocation: RevocationMode = RevocationMode.SOFT_FAIL) -> ValidatedCertificate:
    """Validate ``cert`` for ``usage`` against ``trust``; raise TrustError (see module docstring).

    Safe to call from a thread that runs an asyncio loop (it then validates on a helper thread).
    """
    coroutine_args = (cert, trust, usage, at, tuple(extra_certs), revocation)
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(validate_async(*coroutine_args))
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, validate_async(*coroutine_args)).result()


async def validate_async(cert: x509.Certificate, trust: TrustList, usage: KeyUsagePurpose = "any",
                         at: dt.datetime | None = None, extra_certs: Sequence[x509.Certificate] = (),
                         revocation: RevocationMode = RevocationMode.SOFT_FAIL) -> ValidatedCertificate:
    """The coroutine behind ``validate`` (same arguments and errors)."""
    subject = describe_subject(cert)
    if at is not None and at.tzinfo is None:
        raise ValueError("'at' must be timezone-aware")
    if not trust.roots:
        raise TrustError(f"The certificate of {subject} cannot be trusted: the trust list holds no root "
                         "certificate.", reason=TrustError.REASON_UNTRUSTED_ROOT, subject=subject)
    try:
        ee = asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER))
        context = ValidationContext(
            trust_roots=[_to_asn1(c) for c in trust.roots],
            other_certs=[_to_asn1(c) for c in (*trust.intermediates, *extra_certs)],
            crls=[asn1_crl.CertificateList.load(c.public_bytes(serialization.Encoding.DER))
                  for c in trust.crls],
            ocsps=[],
            moment=at,
            allow_fetching=at is None and revocation is not RevocationMode.OFF,
            revocation_mode=revocation.value,
            # At a past moment, a CRL issued later that does not list the certificate shows it was
            # not revoked then (revocation dates are compared with the moment); without this,
            # pyhanko refuses every CRL newer than the moment.
            retroactive_revinfo=at is not None,
            fetcher_backend=RequestsFetcherBackend(per_request_timeout=_FETCH_TIMEOUT_S),
        )
        validator = CertificateValidator(ee, validation_context=context)
        path = await validator.async_validate_path()
    except pv_errors.RevokedError as ex:
        who = _who(ex, subject)
        when = ex.revocation_dt.strftime("%Y-%m-%d %H:%M UTC")
        raise TrustError(f"The certificate of {subject} is not trusted: {who} was revoked on {when} "
                         f"({ex.reason.human_friendly}).", reason=TrustError.REASON_REVOKED,
                         subject=subject) from ex
    except pv_errors.ExpiredError as ex:
        who = _who(ex, subject)
        when = ex.expired_dt.strftime("%Y-%m-%d %H:%M UTC")
        raise TrustError(f"The certificate of {subject} is not trusted: {who} expired on {when}.",
                         reason=TrustError.REASON_EXPIRED, subject=subject) from ex
    except pv_errors.NotYetValidError as ex:
        who = _who(ex, subject)
        when = ex.valid_from.strftime("%Y-%m-%d %H:%M UTC")
        raise TrustError(f"The certificate of {subject} is not trusted: {who} is not valid before {when}.",
                         reason=TrustError.REASON_NOT_YET_VALID, subject=subject) from ex
    except pv_errors.InsufficientRevinfoError as ex:
        raise TrustError(f"The certificate of {subject} is not trusted: its revocation status could not be "
                         f"checked (no usable CRL or OCSP answer: {_plain(ex)}).",
                         reason=TrustError.REASON_REVOCATION_UNKNOWN, subject=subject) from ex
    except (pv_errors.PathBuildingError, pv_errors.InvalidCertificateError) as ex:
        # InvalidCertificateError here is "self-signed and not a trust root".
        raise TrustError(f"The certificate of {subject} is not trusted: it was not issued by a CA on the "
                         "trust list.", reason=TrustError.REASON_UNTRUSTED_ROOT, subject=subject) from ex
    except pv_errors.PathValidationError as ex:
        raise TrustError(f"The certificate of {subject} is not valid: {_plain(ex)}",
                         reason=TrustError.REASON_INVALID, subject=subject) from ex
    except (pv_errors.ValidationError, ValueError, TypeError) as ex:
        raise TrustError(f"The certificate of {subject} could not be validated: {_plain(ex)}",
                         reason=TrustError.REASON_INVALID, subject=subject) from ex

    check_key_usage(cert, usage)
    chain = tuple(x509.load_der_x509_certificate(c.dump()) for c in path.iter_certs(include_root=True))
    ordered = tuple(reversed(chain))  # pyhanko lists root first
    warnings = tuple(f"a revocation source could not be used: {_plain(e)}"
                     for e in context.soft_fail_exceptions)
    issuer = ordered[1] if len(ordered) > 1 else ordered[0]
    return ValidatedCertificate(certificate=cert, path=ordered, issuer_name=issuer.subject.rfc4514_string(),
                                root_name=ordered[-1].subject.rfc4514_string(), warnings=warnings)


def check_key_usage(cert: x509.Certificate, usage: KeyUsagePurpose) -> None:
    """Raise TrustError(wrong_key_usage) unless keyUsage allows ``usage``.

    Signing needs digitalSignature or nonRepudiation (Chinese CAs mark signing certificates with
    either or both). Encryption needs keyEncipherment for RSA keys and keyAgreement for EC keys.
    A certificate without a keyUsage extension is unrestricted (RFC 5280 4.2.1.3).
    """
    if usage == "any":
        return
    try:
        ku = cert.extensions.get_extension_for_class(x509.KeyUsage).value
    except x509.ExtensionNotFound:
        return
    except ValueError as ex:
        raise TrustError(f"The certificate of {describe_subject(cert)} has a malformed keyUsage extension.",
                         reason=TrustError.REASON_INVALID, subject=describe_subject(cert)) from ex
    key = cert.public_key()
    if usage == "signing":
        ok = ku.digital_signature or ku.content_commitment
        needed = "digital signatures"
    elif isinstance(key, ec.EllipticCurvePublicKey):
        ok = ku.key_agreement
        needed = "key agreement (encryption)"
    elif isinstance(key, rsa.RSAPublicKey):
        ok = ku.key_encipherment
        needed = "key encipherment (encryption)"
    else:
        ok = False
        needed = "encryption"
    if not ok:
        subject = describe_subject(cert)
        raise TrustError(f"The certificate of {subject} may not be used for {usage}: its key usage does not "
                         f"allow {needed}.", reason=TrustError.REASON_WRONG_KEY_USAGE, subject=subject)


def _who(ex: pv_errors.PathValidationError, subject: str) -> str:
    if ex.is_ee_cert:
        return "it"
    return "a CA certificate in its chain"


def _plain(ex: BaseException) -> str:
    text = str(ex).strip() or type(ex).__name__
    return text.removeprefix("The path could not be validated because ")


def _to_asn1(cert: x509.Certificate) -> asn1_x509.Certificate:
    return asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER))


def _is_self_signed(cert: x509.Certificate) -> bool:
    if cert.subject != cert.issuer:
        return False
    try:
        cert.verify_directly_issued_by(cert)
    except (ValueError, TypeError, InvalidSignature):
        return False
    return True


def _read_trust_file(path: Path) -> tuple[list[x509.Certificate], list[x509.CertificateRevocationList]]:
    try:
        size = path.stat().st_size
        if size > _MAX_TRUST_FILE:
            raise TrustListError(f"trust list file {path} is too large ({size} bytes)")
        data = path.read_bytes()
    except OSError as ex:
        raise TrustListError(f"cannot read trust list file {path}: {ex.strerror}") from ex
    certs: list[x509.Certificate] = []
    crls: list[x509.CertificateRevocationList] = []
    try:
        if asn1_pem.detect(data):
            found = False
            for kind, _headers, der in asn1_pem.unarmor(data, multiple=True):
                if kind == "CERTIFICATE":
                    certs.append(_strict_cert(der))
                    found = True
                elif kind == "X509 CRL":
                    crls.append(_strict_crl(der))
                    found = True
            if not found:
                raise TrustListError(f"trust list file {path} holds no certificate or CRL")
        else:
            try:
                certs.append(_strict_cert(data))
            except ValueError:
                crls.append(_strict_crl(data))
    except TrustListError:
        raise
    except (ValueError, TypeError) as ex:
        raise TrustListError(f"trust list file {path} is not a readable certificate or CRL") from ex
    return certs, crls


def _strict_cert(der: bytes) -> x509.Certificate:
    cert = x509.load_der_x509_certificate(der)
    # Parse the fields pyhanko reads later, so a malformed file fails here with its name.
    asn1_x509.Certificate.load(der).native  # noqa: B018
    return cert


def _strict_crl(der: bytes) -> x509.CertificateRevocationList:
    crl = x509.load_der_x509_crl(der)
    asn1_crl.CertificateList.load(der).native  # noqa: B018
    return crl
