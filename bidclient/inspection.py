"""`bidclient inspect`: say what a file is without any key — envelope, signature, bid package, certificate.

Nothing printed here is verified unless it says so: inspection is for orientation, not trust.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

from cryptography import x509

from bidclient.errors import BidclientError
from bidclient.i18n import _
from bidclient.timefmt import format_time
from crypto import cms_envelope, cms_sign, identity
from crypto.errors import CryptoError, UnsupportedAlgorithm
from crypto.identity import readable_name

MAX_SIGNATURE_BYTES = 16 << 20


def _cert_lines(cert: x509.Certificate, indent: str = "  ") -> list[str]:
    ident = identity.identity_of(cert)
    lines = [
        f"{indent}{_('subject')}: {readable_name(cert.subject)}",
        f"{indent}{_('issuer')}: {readable_name(cert.issuer)}",
        f"{indent}{_('serial')}: {cert.serial_number:x}",
        f"{indent}{_('valid')}: {cert.not_valid_before_utc:%Y-%m-%d} .. {cert.not_valid_after_utc:%Y-%m-%d}",
    ]
    if ident.uscc:
        lines.append(f"{indent}{_('enterprise')}: {ident.uscc} {ident.organization or ''}".rstrip())
    return lines


def _envelope_lines(path: Path) -> list[str]:
    with open(path, "rb") as f:
        info = cms_envelope.describe(f)
    kind = "AuthEnvelopedData" if info.content_type == "auth-enveloped" else "EnvelopedData"
    lines = [_("CMS {kind}, {cipher} (an encrypted file or sealed bid)").format(
        kind=kind, cipher=info.cipher.value)]
    lines.append(_("  encoding: {enc}").format(
        enc=_("BER indefinite length") if info.indefinite_length else "DER"))
    lines.append(_("  recipients ({n}):").format(n=len(info.recipients)))
    for r in info.recipients:
        who = f"{r.issuer} {_('serial')} {r.serial:x}" if r.serial is not None else \
            f"subjectKeyIdentifier {(r.subject_key_identifier or b'').hex()}"
        lines.append(f"    [{r.kind} {r.algorithm}] {who}")
    return lines


def _signature_lines(data: bytes) -> list[str]:
    info = cms_sign.describe_signature(data)
    lines = [_("CMS SignedData, detached signature (not verified: use 'bidclient verify')")]
    lines.append(f"  {_('signer')}:")
    lines += _cert_lines(info.signer_certificate, "    ")
    lines.append(f"  {_('algorithm')}: {info.signature_algorithm} / {info.digest_algorithm}")
    if info.signing_time:
        lines.append(f"  {_('signing time')}: {format_time(info.signing_time, seconds=True)}")
    if info.timestamp:
        lines.append(f"  {_('timestamp')}: {format_time(info.timestamp.gen_time, seconds=True)}")
    lines.append(f"  {_('embedded certificates')}: {len(info.certificates)}")
    return lines


def _package_lines(path: Path) -> list[str]:
    from bidclient.bidpackage.manifest import parse_manifest

    with zipfile.ZipFile(path) as archive:
        names = archive.namelist()
        lines = [_("ZIP archive with {n} entries").format(n=len(names))]
        if "manifest.json" not in names:
            return lines
        info = archive.getinfo("manifest.json")
        if info.file_size > 4 << 20:
            return [*lines, _("  manifest.json is too large to show")]
        manifest = parse_manifest(archive.read("manifest.json"))
    lines[0] = _("Bid package (inner ZIP of a sealed bid; signature not verified: use 'bidclient unseal')")
    lines.append(f"  {_('tender')}: {manifest.tender.id} v{manifest.tender.version}")
    lines.append(f"  {_('bidder')}: {manifest.bidder.uscc or '-'} {manifest.bidder.name}".rstrip())
    lines.append(f"  {_('created')}: {manifest.created}  {manifest.tool or ''}".rstrip())
    for entry in manifest.files:
        lines.append(f"    {entry.sha256}  {entry.size:>12}  {entry.path}")
    return lines


def inspect_file(path: Path) -> list[str]:
    """Lines describing ``path``; raises BidclientError when it is none of the known kinds."""
    try:
        if cms_envelope.is_envelope(path):
            return _envelope_lines(path)
        if zipfile.is_zipfile(path):
            return _package_lines(path)
        head = path.read_bytes()[: MAX_SIGNATURE_BYTES + 1]
        if b"-----BEGIN CERTIFICATE-----" in head[:4096]:
            return [_("X.509 certificate"), *_cert_lines(x509.load_pem_x509_certificate(head))]
        if len(head) <= MAX_SIGNATURE_BYTES:
            try:
                return _signature_lines(head)
            except CryptoError:
                pass
            try:
                return [_("X.509 certificate"), *_cert_lines(x509.load_der_x509_certificate(head))]
            except ValueError:
                pass
    except UnsupportedAlgorithm as ex:
        # Well-formed, only made with an algorithm bidclient does not implement: never "damaged".
        raise BidclientError(f"{path}: {ex}", code="inspect.unsupported") from ex
    except (CryptoError, zipfile.BadZipFile, ValueError) as ex:
        raise BidclientError(f"{path} looks like a known kind of file but is damaged: {ex}",
                             code="inspect.damaged") from ex
    raise BidclientError(f"{path} is not a CMS envelope, signature, bid package or certificate",
                         code="inspect.unknown")
