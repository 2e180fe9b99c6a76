"""The trust list and certificate validation (path, validity, key usage, CRL and OCSP).

A ``TrustList`` is loaded from files or folders holding CA certificates (self-signed ones become
trust roots, the others intermediates usable for path building) and CRLs. ``validate`` builds and
checks a path with pyhanko-certvalidator and raises ``TrustError`` with a stable ``reason``.

Revocation: every CRL the trust list holds is applied to every certificate its issuer issued, whatever
the certificate declares (pyhanko-certvalidator alone consults CRLs only for certificates that name a
CRL distribution point, so ``validate`` checks the trust list's CRLs itself after the path is built).
A CRL counts only when its signature verifies with the issuer's key. A certificate listed on such a CRL
is refused (reason ``revoked``), even when the CRL is past its nextUpdate. A CRL that does not list the
certificate shows it "good" only while fresh (nextUpdate not passed at the moment of validation, or,
at a past moment, issued after it); an expired CRL is reported (``RevocationCheck.stale``): SOFT_FAIL
accepts with a warning, HARD_FAIL refuses with reason ``revocation_unknown`` unless an OCSP answer or a
fresh CRL fetched from the certificate's own address says "good".

With ``at=None`` CRLs and OCSP answers named in the certificates (CRL distribution points, AIA OCSP)
are fetched over HTTP. SOFT_FAIL accepts a certificate whose declared sources cannot be reached (and
says so in ``ValidatedCertificate.warnings``); HARD_FAIL refuses it with reason ``revocation_unknown``.
A certificate that names no source and whose issuer has no CRL in the trust list cannot be checked:
SOFT_FAIL accepts it and reports it "not checked"; HARD_FAIL refuses it (``revocation_unknown``).
Validation at a past moment (``at``) never fetches: only the trust list's CRLs are consulted.

``ValidatedCertificate.revocation`` says, for each certificate of the path below the root, how its
revocation was checked: which CRL (issuer, thisUpdate), which OCSP answer, or "not checked" and why.
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
from cryptography.x509.oid import AuthorityInformationAccessOID, NameOID
from pyhanko_certvalidator import CertificateValidator, ValidationContext
from pyhanko_certvalidator import errors as pv_errors
from pyhanko_certvalidator.fetchers.requests_fetchers import RequestsFetcherBackend

from crypto.errors import TrustError, TrustListError

KeyUsagePurpose = Literal["signing", "encryption", "any"]

# File name endings read from a trust folder; anything else there (README, keys) is left alone.
TRUST_FILE_SUFFIXES = (".pem", ".crt", ".cer", ".der", ".crl")
_MAX_TRUST_FILE = 10 * 1024 * 1024
_FETCH_TIMEOUT_S = 10
# A CRL whose thisUpdate is further than this in the future (clock skew) is not used.
_CLOCK_TOLERANCE = dt.timedelta(minutes=5)


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


RevocationSource = Literal["crl", "ocsp", "none"]
# Why a certificate's revocation was not checked (RevocationCheck.not_checked):
NOT_CHECKED_DISABLED = "disabled"  # revocation checking is off
NOT_CHECKED_NO_SOURCE = "no_source"  # no CRL of its issuer at hand and no CRL/OCSP address in it
NOT_CHECKED_UNAVAILABLE = "unavailable"  # its declared CRL/OCSP addresses could not be used (soft fail)


@dataclass(frozen=True)
class RevocationCheck:
    """How the revocation of one certificate of a path was checked."""

    subject: str  # the certificate checked (describe_subject)
    end_entity: bool
    source: RevocationSource
    issuer: str = ""  # the CRL's issuer or the OCSP responder (describe_name)
    this_update: dt.datetime | None = None  # CRL thisUpdate, or the OCSP answer's producedAt
    next_update: dt.datetime | None = None
    from_trust_list: bool = False  # the CRL came from the trust list (else fetched from the certificate's address)
    stale: bool = False  # the CRL was past its nextUpdate: a later revocation would not be seen
    not_checked: str = ""  # a NOT_CHECKED_* reason when source == "none"


@dataclass(frozen=True)
class ValidatedCertificate:
    certificate: x509.Certificate
    path: tuple[x509.Certificate, ...]  # end entity first, trust root last
    issuer_name: str  # the issuing CA's subject (RFC 4514)
    root_name: str
    warnings: tuple[str, ...] = field(default=())  # e.g. revocation could not be checked (soft fail)
    revocation: tuple[RevocationCheck, ...] = field(default=())  # end entity first; roots are not checked

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


# Attribute names people (and CA support desks) know, for the OIDs cryptography prints as dotted numbers.
_READABLE_ATTRIBUTES = {
    NameOID.SERIAL_NUMBER: "serialNumber",
    NameOID.ORGANIZATION_IDENTIFIER: "organizationIdentifier",
    NameOID.EMAIL_ADDRESS: "emailAddress",
    NameOID.SURNAME: "SN",
    NameOID.GIVEN_NAME: "GN",
    NameOID.TITLE: "title",
    NameOID.BUSINESS_CATEGORY: "businessCategory",
    NameOID.JURISDICTION_COUNTRY_NAME: "jurisdictionC",
    NameOID.POSTAL_CODE: "postalCode",
    NameOID.UNSTRUCTURED_NAME: "unstructuredName",
}


def readable_name(name: x509.Name) -> str:
    """A distinguished name as RFC 4514 text, with attribute names instead of dotted OIDs where known
    (``serialNumber=…`` rather than ``2.5.4.5=…``)."""
    try:
        return name.rfc4514_string(_READABLE_ATTRIBUTES)
    except ValueError:
        return "?"


def describe_name(name: x509.Name) -> str:
    """A short name for people from a distinguished name: CN, else O, else RFC 4514."""
    for oid in (NameOID.COMMON_NAME, NameOID.ORGANIZATION_NAME):
        try:
            attrs = name.get_attributes_for_oid(oid)
        except ValueError:
            continue
        if attrs and isinstance(attrs[0].value, str):
            return attrs[0].value
    return name.rfc4514_string()


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
    warnings = [f"a revocation source could not be used: {_plain(e)}" for e in context.soft_fail_exceptions]
    checks = _check_revocation_everywhere(ordered, trust, context, at=at, revocation=revocation,
                                          warnings=warnings)
    issuer = ordered[1] if len(ordered) > 1 else ordered[0]
    return ValidatedCertificate(certificate=cert, path=ordered, issuer_name=issuer.subject.rfc4514_string(),
                                root_name=ordered[-1].subject.rfc4514_string(), warnings=tuple(warnings),
                                revocation=checks)


def _check_revocation_everywhere(path: tuple[x509.Certificate, ...], trust: TrustList, context: ValidationContext,
                                 *, at: dt.datetime | None, revocation: RevocationMode,
                                 warnings: list[str]) -> tuple[RevocationCheck, ...]:
    """Apply every CRL at hand to every certificate of ``path`` below its root (see the module docstring).

    pyhanko has already refused what a source it consulted shows revoked; this adds the CRLs it skips
    (those of issuers whose certificates name no distribution point) and says where each answer came from.
    """
    moment = at or dt.datetime.now(dt.UTC)
    fetched: list[x509.CertificateRevocationList] = []
    given = {c.public_bytes(serialization.Encoding.DER) for c in trust.crls}
    for raw in context.crls:
        der = raw.dump()
        if der not in given:
            try:
                fetched.append(x509.load_der_x509_crl(der))
            except ValueError:
                continue
    candidates = [(c, True) for c in trust.crls] + [(c, False) for c in fetched]
    checks: list[RevocationCheck] = []
    for index, cert in enumerate(path[:-1]):
        issuer = path[index + 1]
        end_entity = index == 0
        subject = describe_subject(cert) if end_entity else describe_name(cert.subject)
        if revocation is RevocationMode.OFF:
            checks.append(RevocationCheck(subject, end_entity, "none", not_checked=NOT_CHECKED_DISABLED))
            continue
        usable: list[tuple[x509.CertificateRevocationList, bool]] = []
        issuer_name = _comparable_name(issuer.subject)
        for crl, from_list in candidates:
            if _comparable_name(crl.issuer) != issuer_name:
                continue
            if not _crl_signed_by(crl, issuer):
                warnings.append(f"a CRL naming {describe_name(crl.issuer)} as issuer is not signed by that CA's key "
                                "and was ignored")
                continue
            if at is None and crl.last_update_utc > moment + _CLOCK_TOLERANCE:
                warnings.append(f"the CRL of {describe_name(crl.issuer)} issued "
                                f"{crl.last_update_utc:%Y-%m-%d %H:%M} UTC is dated in the future and was ignored")
                continue
            if not _crl_scope_ok(crl, cert):
                continue
            usable.append((crl, from_list))
        for crl, _from_list in usable:
            entry = crl.get_revoked_certificate_by_serial_number(cert.serial_number)
            if entry is None or _entry_reason(entry) == x509.ReasonFlags.remove_from_crl:
                continue
            revoked_at = entry.revocation_date_utc
            if at is not None and revoked_at > at:
                continue  # revoked after the moment asked about: it was good then
            reason = _entry_reason(entry)
            why = f" ({reason.value})" if reason is not None else ""
            who = "it" if end_entity else f"a CA certificate in its chain ({describe_name(cert.subject)})"
            raise TrustError(f"The certificate of {describe_subject(path[0])} is not trusted: {who} was revoked on "
                             f"{revoked_at:%Y-%m-%d %H:%M} UTC{why}, according to the CRL of "
                             f"{describe_name(crl.issuer)} issued {crl.last_update_utc:%Y-%m-%d %H:%M} UTC.",
                             reason=TrustError.REASON_REVOKED, subject=describe_subject(path[0]))
        fresh = [(c, f) for c, f in usable if _crl_fresh(c, at=at, moment=moment)]
        if fresh:
            crl, from_list = max(fresh, key=lambda item: item[0].last_update_utc)
            checks.append(_crl_check(subject, end_entity, crl, from_list, stale=False))
            continue
        answer = _ocsp_good_answer(context, cert, issuer)
        if answer is not None:
            checks.append(RevocationCheck(subject, end_entity, "ocsp", issuer=answer[0], this_update=answer[1],
                                          next_update=answer[2]))
            continue
        if usable:
            crl, from_list = max(usable, key=lambda item: item[0].last_update_utc)
            due = crl.next_update_utc
            message = (f"the revocation of {subject} was checked only against an expired CRL of "
                       f"{describe_name(crl.issuer)} (issued {crl.last_update_utc:%Y-%m-%d %H:%M} UTC, next update "
                       f"due {due:%Y-%m-%d %H:%M} UTC)" if due is not None else "")
            if revocation is RevocationMode.HARD_FAIL:
                raise TrustError(f"The certificate of {describe_subject(path[0])} is not trusted: {message}; a "
                                 "revocation since then would not be seen. Get the CA's current CRL.",
                                 reason=TrustError.REASON_REVOCATION_UNKNOWN, subject=describe_subject(path[0]))
            warnings.append(message)
            checks.append(_crl_check(subject, end_entity, crl, from_list, stale=True))
            continue
        why_not = NOT_CHECKED_UNAVAILABLE if _declares_revocation_source(cert) else NOT_CHECKED_NO_SOURCE
        if revocation is RevocationMode.HARD_FAIL and why_not == NOT_CHECKED_NO_SOURCE:
            # Hard-fail means "refuse what cannot be shown unrevoked"; with no CRL at hand and no address to ask,
            # nothing can show it. The remedy is the CA's CRL in the trust list.
            raise TrustError(f"The certificate of {describe_subject(path[0])} is not trusted: its revocation cannot "
                             f"be checked ({subject} names no CRL or OCSP address and no CRL of "
                             f"{describe_name(cert.issuer)} is in the trust list). Add that CA's current CRL to the "
                             "trust list, or validate in soft-fail mode.",
                             reason=TrustError.REASON_REVOCATION_UNKNOWN, subject=describe_subject(path[0]))
        checks.append(RevocationCheck(subject, end_entity, "none", not_checked=why_not))
    return tuple(checks)


def _comparable_name(name: x509.Name) -> asn1_x509.Name | None:
    """A name compared as RFC 5280 7.1 asks (case and spaces folded, PrintableString = UTF8String), so that a
    CA whose CRL encodes its name differently from its certificate is still matched."""
    try:
        return asn1_x509.Name.load(name.public_bytes())
    except ValueError:
        return None


def _crl_check(subject: str, end_entity: bool, crl: x509.CertificateRevocationList, from_list: bool, *,
               stale: bool) -> RevocationCheck:
    return RevocationCheck(subject, end_entity, "crl", issuer=describe_name(crl.issuer),
                           this_update=crl.last_update_utc, next_update=crl.next_update_utc,
                           from_trust_list=from_list, stale=stale)


def _crl_signed_by(crl: x509.CertificateRevocationList, issuer: x509.Certificate) -> bool:
    key = issuer.public_key()
    if not isinstance(key, rsa.RSAPublicKey | ec.EllipticCurvePublicKey):
        return False
    try:
        return crl.is_signature_valid(key)
    except (ValueError, TypeError, InvalidSignature):
        return False


def _crl_scope_ok(crl: x509.CertificateRevocationList, cert: x509.Certificate) -> bool:
    """Whether a complete, direct CRL covers ``cert`` (delta, indirect and attribute CRLs are not used)."""
    try:
        crl.extensions.get_extension_for_class(x509.DeltaCRLIndicator)
        return False
    except x509.ExtensionNotFound:
        pass
    try:
        idp = crl.extensions.get_extension_for_class(x509.IssuingDistributionPoint).value
    except x509.ExtensionNotFound:
        return True
    if idp.indirect_crl or idp.only_contains_attribute_certs or idp.only_some_reasons:
        return False
    try:
        is_ca = cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    except x509.ExtensionNotFound:
        is_ca = False
    if (idp.only_contains_ca_certs and not is_ca) or (idp.only_contains_user_certs and is_ca):
        return False
    if idp.full_name:  # a partitioned CRL covers the certificates that name its distribution point
        try:
            points = cert.extensions.get_extension_for_class(x509.CRLDistributionPoints).value
        except x509.ExtensionNotFound:
            return False
        names = {n for p in points if p.full_name for n in p.full_name}
        return any(n in names for n in idp.full_name)
    return True


def _crl_fresh(crl: x509.CertificateRevocationList, *, at: dt.datetime | None, moment: dt.datetime) -> bool:
    if at is not None and crl.last_update_utc >= at:
        return True  # issued after the moment asked about and not listing it: good then
    due = crl.next_update_utc
    return due is None or due >= moment


def _entry_reason(entry: x509.RevokedCertificate) -> x509.ReasonFlags | None:
    try:
        return entry.extensions.get_extension_for_class(x509.CRLReason).value.reason
    except (x509.ExtensionNotFound, ValueError):
        return None


def _declares_revocation_source(cert: x509.Certificate) -> bool:
    try:
        cert.extensions.get_extension_for_class(x509.CRLDistributionPoints)
        return True
    except (x509.ExtensionNotFound, ValueError):
        pass
    try:
        aia = cert.extensions.get_extension_for_class(x509.AuthorityInformationAccess).value
    except (x509.ExtensionNotFound, ValueError):
        return False
    return any(d.access_method == AuthorityInformationAccessOID.OCSP for d in aia)


def _ocsp_good_answer(context: ValidationContext, cert: x509.Certificate, issuer: x509.Certificate
                      ) -> tuple[str, dt.datetime, dt.datetime | None] | None:
    """(responder, producedAt, nextUpdate) of an OCSP answer pyhanko used that says ``cert`` is good."""
    from asn1crypto import ocsp as asn1_ocsp
    from cryptography.hazmat.primitives import hashes

    issuer_key = issuer.public_key().public_bytes(serialization.Encoding.DER,
                                                  serialization.PublicFormat.SubjectPublicKeyInfo)
    spki = asn1_x509.PublicKeyInfo.load(issuer_key)
    key_bits = spki["public_key"].contents[1:]  # the BIT STRING's bytes, without the unused-bits octet
    for response in context.ocsps:
        try:
            if not isinstance(response, asn1_ocsp.OCSPResponse) or response["response_status"].native != "successful":
                continue
            basic = response["response_bytes"]["response"].parsed
            data = basic["tbs_response_data"]
            for single in data["responses"]:
                cert_id = single["cert_id"]
                if cert_id["serial_number"].native != cert.serial_number:
                    continue
                algo = cert_id["hash_algorithm"]["algorithm"].native
                # SHA-1 only to match the CertID the responder chose (RFC 6960), not for security.
                algorithm = hashes.SHA256() if algo == "sha256" else hashes.SHA1()  # noqa: S303
                digest = hashes.Hash(algorithm)
                digest.update(key_bits)
                if cert_id["issuer_key_hash"].native != digest.finalize():
                    continue
                if single["cert_status"].name != "good":
                    continue
                responder = data["responder_id"]
                who = _asn1_name(responder.chosen) if responder.name == "by_name" else _responder_by_key(
                    basic, responder.chosen.native) or describe_name(issuer.subject)
                nxt = single["next_update"].native
                return who, data["produced_at"].native, nxt
        except (KeyError, ValueError, TypeError):
            continue
    return None


def _responder_by_key(basic: object, key_hash: object) -> str | None:
    """The name of the certificate in an OCSP answer whose key has SHA-1 hash ``key_hash``."""
    try:
        certs = basic["certs"]  # type: ignore[index]
        for cert in certs or ():
            if cert.public_key.sha1 == key_hash:
                return _asn1_name(cert.subject)
    except (KeyError, ValueError, TypeError):
        return None
    return None


def _asn1_name(name: asn1_x509.Name) -> str:
    native = name.native
    if isinstance(native, dict):
        for key in ("common_name", "organization_name"):
            value = native.get(key)
            if isinstance(value, str) and value:
                return value
    return str(name.human_friendly)


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
