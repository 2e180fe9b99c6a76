"""The `bidclient` commands. Each is thin: parse inputs, call the core, print a result."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from cryptography import x509

from bidclient import certfiles
from bidclient.atomic import atomic_output, refuse_existing, write_atomically
from bidclient.cli.prompt import pin_source_for
from bidclient.errors import EXIT_OK, BidclientError, UsageError
from bidclient.i18n import _
from bidclient.revocation import RevocationCheckLike
from bidclient.timefmt import format_time
from crypto.identity import readable_name


def _out(text: str = "") -> None:
    print(text)


def _warn(warnings: Sequence[str]) -> None:
    for warning in warnings:
        print(f"{_('warning')}: {warning}", file=sys.stderr)


def _print_revocation(checks: Sequence[RevocationCheckLike]) -> None:
    """How revocation was checked: the end entity's line, then one per CA certificate."""
    from bidclient.revocation import revocation_lines

    lines = revocation_lines(checks)
    _out(f"  {_('revocation')}: {lines[0]}")
    for line in lines[1:]:
        _out(f"    {line}")


def _require_file(path: Path) -> None:
    if not path.is_file():
        raise BidclientError(f"{path} does not exist or is not a file", code="io.input_missing")


def _open_key(args: argparse.Namespace, *, chain_trust: Sequence[Path] = (), encryption_key: str | None = None):
    from bidclient.signing import open_key

    return open_key(args.key, pin_source_for(args.pin_source), modules=args.module, trust_paths=chain_trust,
                    encryption_key=encryption_key)


# --- keys ----------------------------------------------------------------------------------------


def cmd_keys(args: argparse.Namespace) -> int:
    from bidclient.config import extra_module_paths
    from crypto.identity import identity_of, readable_name
    from crypto.modules import discover_modules

    modules = discover_modules([*extra_module_paths(), *args.module])
    from crypto.key_access import list_tokens

    listings = list_tokens(modules)
    _out(_("Modules:"))
    for module in modules:
        _out(f"  {module.path}")
    for failure in listings.failures:
        print(f"  {_('could not load')} {failure.module.path}: {failure.error.message}", file=sys.stderr)
    if not listings:
        _out(_("No tokens found. Insert a dongle, or name its module with --module PATH."))
    for token in listings:
        info = token.info
        _out("")
        _out(_("Token {label} (serial {serial}, {manufacturer} {model})").format(
            label=info.label, serial=info.serial, manufacturer=info.manufacturer, model=info.model))
        _out(f"  {token.uri}")
        flags = []
        if getattr(info, "protected_authentication_path", False):
            flags.append(_("PIN pad"))
        if getattr(info, "pin_locked", False):
            flags.append(_("LOCKED"))
        elif getattr(info, "pin_final_try", False):
            flags.append(_("one PIN try left"))
        elif getattr(info, "pin_count_low", False):
            flags.append(_("a wrong PIN was entered"))
        if flags:
            _out("  " + ", ".join(flags))
        for pair in token.pairs:
            ident = identity_of(pair.certificate)
            roles = {"signing": _("signing pair"), "encryption": _("encryption pair")}
            role = roles.get(pair.role, pair.role)
            _out(f"  [{role}] {readable_name(pair.certificate.subject)}")
            if ident.uscc:
                _out(f"      {_('enterprise')}: {ident.uscc} {ident.organization or ''}".rstrip())
            _out(f"      {_('issuer')}: {readable_name(pair.certificate.issuer)}")
            _out(f"      {_('valid until')}: {pair.certificate.not_valid_after_utc:%Y-%m-%d}")
            _out(f"      {pair.uri}")
    return EXIT_OK


# --- sign / verify -------------------------------------------------------------------------------


def cmd_sign(args: argparse.Namespace) -> int:
    from bidclient.signing import incomplete_chain_warning, sign_content

    _require_file(args.file)
    output: Path = args.output or args.file.with_name(args.file.name + ".p7s")
    refuse_existing(output)
    with _open_key(args, chain_trust=args.trust) as session, open(args.file, "rb") as content:
        signer = session.signer()
        signature = sign_content(content, signer, tsa_url=args.tsa)
    write_atomically(output, signature)
    _out(_("Signed {file} -> {sig}").format(file=args.file, sig=output))
    warning = incomplete_chain_warning(signer)
    if warning:
        _warn([warning])
    return EXIT_OK


def cmd_verify(args: argparse.Namespace) -> int:
    from bidclient.signing import load_trust, revocation_mode, verify_content

    _require_file(args.file)
    _require_file(args.signature)
    trust_list = load_trust(args.trust)
    signature = args.signature.read_bytes()
    with open(args.file, "rb") as content:
        verified = verify_content(content, signature, trust_list, revocation=revocation_mode(args.revocation))
    _warn(verified.warnings)
    _out(_("Signature OK: intact and trusted."))
    _out(f"  {_('signer')}: {verified.signer_name}")
    ident = verified.identity
    _out(f"  {_('enterprise')}: {ident.uscc or '-'} {ident.organization or ''}".rstrip())
    _out(f"  {_('issuing CA')}: {verified.issuer_name}")
    _print_revocation(verified.revocation)
    if verified.signing_time:
        _out(f"  {_('signing time')}: {format_time(verified.signing_time, seconds=True)}")
    if verified.timestamp_time:
        _out(f"  {_('timestamp')}: {format_time(verified.timestamp_time, seconds=True)}")
    return EXIT_OK


# --- encrypt / decrypt ---------------------------------------------------------------------------


def cmd_encrypt(args: argparse.Namespace) -> int:
    from crypto.cms_envelope import ContentCipher, encrypt

    _require_file(args.file)
    from bidclient.certfiles import check_recipient_certificate

    recipients = [certfiles.load_certificate(path) for path in args.to]
    for cert in recipients:
        check_recipient_certificate(cert)
    output: Path = args.output or args.file.with_name(args.file.name + ".p7m")
    refuse_existing(output)
    size = args.file.stat().st_size
    with open(args.file, "rb") as src, atomic_output(output) as dst:
        encrypt(src, dst, recipients, cipher=ContentCipher(args.cipher), length=size)
    _out(_("Encrypted {file} -> {out} for {n} recipient(s)").format(file=args.file, out=output,
                                                                     n=len(recipients)))
    return EXIT_OK


def _default_plain_name(path: Path, suffix: str, fallback: str) -> Path:
    if path.suffix == suffix:
        return path.with_suffix("")
    return path.with_name(path.name + fallback)


def _recipient_certificate(session, path: Path) -> x509.Certificate | None:
    from crypto.cms_envelope import describe

    with open(path, "rb") as head:
        info = describe(head)
    for cert in session.certificates():
        if any(r.matches(cert) for r in info.recipients):
            return cert
    return None


def cmd_decrypt(args: argparse.Namespace) -> int:
    from crypto.cms_envelope import decrypt_file

    _require_file(args.file)
    output: Path = args.output or _default_plain_name(args.file, ".p7m", ".out")
    refuse_existing(output)
    with _open_key(args) as session:
        cert = _recipient_certificate(session, args.file)
        decrypt_file(args.file, output, session.decrypter(cert))
    _out(_("Decrypted {file} -> {out}").format(file=args.file, out=output))
    return EXIT_OK


# --- seal / unseal -------------------------------------------------------------------------------


def _print_manifest(manifest) -> None:
    _out(f"  {_('tender')}: {manifest.tender.id} v{manifest.tender.version}")
    _out(f"  {_('bidder')}: {manifest.bidder.uscc or '-'} {manifest.bidder.name}".rstrip())
    _out(f"  {_('files')}: "
         + _("{n} ({size} bytes)").format(n=len(manifest.files), size=manifest.total_size))


def cmd_seal(args: argparse.Namespace) -> int:
    from bidclient.certfiles import check_recipient_certificate
    from bidclient.sealing import TenderTarget, seal

    # Usage first, before any file is read or any PIN asked: a bid must name its tender.
    if args.tender is None and not args.tender_id.strip():
        raise UsageError(_("seal --to needs --tender-id ID: the manifest names the tender the bid is for "
                           "(or give --tender TENDER, which names it)"))
    if args.tender is not None and args.tender_id:
        raise UsageError(_("--tender-id goes with --to; a tender file (--tender) names its own tender"))
    if args.tender is not None:
        from bidclient.tenderfile import load_tender_target

        target = load_tender_target(args.tender)
    else:
        target = TenderTarget(tender_id=args.tender_id, tender_version=1,
                              opening_certificates=[certfiles.load_certificate(p) for p in args.to])
    output: Path = args.output or args.directory.with_name(args.directory.name.rstrip("/") + ".bid")
    # Checked before the token is opened, so that a typo costs no PIN entry.
    for cert in target.opening_certificates:
        check_recipient_certificate(cert)
    if not args.directory.is_dir():
        raise BidclientError(f"{args.directory} is not a directory of bid files", code="io.input_missing")
    refuse_existing(output)
    with _open_key(args, chain_trust=args.trust, encryption_key=args.enc_key) as session:
        result = seal(args.directory, output, session=session, target=target)
    _warn(result.warnings)
    _out(_("Sealed {dir} -> {bid}").format(dir=args.directory, bid=output))
    _print_manifest(result.manifest)
    _out(f"  {_('recipients')}: {len(result.recipients)}")
    for cert in result.recipients:
        _out(f"    {readable_name(cert.subject)}")
    _out(f"  {_('envelope SHA-256')}: {result.envelope_sha256}")
    _out(f"  {_('self-check')}: {_('passed: the bid opens with your own key')}")
    return EXIT_OK


def cmd_unseal(args: argparse.Namespace) -> int:
    from bidclient.sealing import unseal
    from bidclient.signing import load_trust, revocation_mode

    _require_file(args.bid)
    output: Path = args.output or _default_plain_name(args.bid, ".bid", ".d")
    refuse_existing(output)
    trust_list = load_trust(args.trust)
    with _open_key(args) as session:
        result = unseal(args.bid, output, session=session, trust_list=trust_list,
                        revocation=revocation_mode(args.revocation))
    _out(_("Unsealed {bid} -> {dir}: signature trusted, every file intact").format(bid=args.bid, dir=output))
    _print_manifest(result.manifest)
    signature = result.signature
    _warn(signature.warnings)
    _out(f"  {_('signed by')}: {signature.signer_name} ({_('issuing CA')}: {signature.issuer_name})")
    _print_revocation(signature.revocation)
    return EXIT_OK


# --- inspect -------------------------------------------------------------------------------------


def cmd_inspect(args: argparse.Namespace) -> int:
    from bidclient.inspection import inspect_file

    _require_file(args.file)
    for line in inspect_file(args.file):
        _out(line)
    return EXIT_OK
