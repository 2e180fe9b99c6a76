"""Signing files and verifying signatures: integrity (crypto.cms_sign) plus trust and identity.

``open_key`` is how the application opens a key to sign with: a signature embeds the chain up to the
trust anchor, completed from the token's CA certificates and from the trust list (``--trust`` paths
and the configured trust folder, where ``bidclient trust sync`` installs the server's published list),
because a dongle usually holds only its own certificate and OpenSSL will not chain through an
intermediate CA that is not in the signature.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import BinaryIO

from cryptography import x509

from bidclient.config import default_trust_paths
from bidclient.errors import BidclientError
from crypto import cms_sign, identity, trust
from crypto.errors import TrustListError
from crypto.identity import readable_name
from crypto.key_access import KeySession
from crypto.key_access import open_key as _open_key
from crypto.keys import Signer
from crypto.pin import PinSource
from crypto.pkcs11_keys import Notice


@dataclass(frozen=True)
class VerifiedSignature:
    """A signature that is intact and chains to a trusted CA."""

    certificate: x509.Certificate
    identity: identity.Identity
    signer_name: str
    issuer_name: str
    signing_time: datetime | None
    timestamp_time: datetime | None
    warnings: tuple[str, ...] = ()
    revocation: tuple[trust.RevocationCheck, ...] = ()  # how each certificate's revocation was checked


def load_trust(paths: Sequence[Path]) -> trust.TrustList:
    """The trust list from ``paths``, else the configured default; an error when there is none."""
    chosen = list(paths) or default_trust_paths()
    if not chosen:
        raise BidclientError("no CA certificates were given with --trust and no trust list is configured",
                             code="trust.no_trust_list")
    for path in chosen:
        if not path.exists():
            raise BidclientError(f"trust path {path} does not exist", code="io.input_missing")
    return trust.TrustList.load(chosen)


def chain_certificates(paths: Sequence[Path] = ()) -> list[x509.Certificate]:
    """CA certificates to complete a signer's chain with: those under ``paths`` and the configured
    trust list. ``paths`` the user named must be readable (else ``trust.list_invalid``); the configured
    list is best effort, since signing does not depend on it."""
    certificates: list[x509.Certificate] = []
    if paths:
        for path in paths:
            if not path.exists():
                raise BidclientError(f"trust path {path} does not exist", code="io.input_missing")
        listed = trust.TrustList.load(list(paths))
        certificates += [*listed.intermediates, *listed.roots]
    for path in default_trust_paths():
        files = sorted(path.iterdir()) if path.is_dir() else [path]
        for file in files:
            if file.is_dir() or (path.is_dir() and not file.name.lower().endswith(trust.TRUST_FILE_SUFFIXES)):
                continue
            try:
                listed = trust.TrustList.load([file])
            except (TrustListError, OSError):
                continue  # the verifying side reports a damaged trust list; signing goes on without it
            certificates += [*listed.intermediates, *listed.roots]
    return certificates


@contextlib.contextmanager
def open_key(key: str, pin_source: PinSource, *, modules: Sequence[str | Path] = (), notice: Notice | None = None,
             trust_paths: Sequence[Path] = (), encryption_key: str | None = None) -> Iterator[KeySession]:
    """crypto.key_access.open_key, with signers' chains completed from the trust list (see above).

    ``encryption_key`` names the bidder's encryption pair when KEY's token or file does not settle it."""
    pool: list[x509.Certificate] | None = None

    def chain_source() -> list[x509.Certificate]:
        nonlocal pool
        if pool is None:
            pool = chain_certificates(trust_paths)
        return pool

    if trust_paths:
        chain_source()  # a bad --trust path is a usage error before any PIN is asked
    with _open_key(key, pin_source, modules=modules, notice=notice, chain_certificates=chain_source,
                   encryption_key=encryption_key) as session:
        yield session


# A detached CMS signature over the given bytes, made with one key (a login challenge, a submission or
# withdrawal statement, a tender's signed definition).
Sign = Callable[[bytes], bytes]


def detached_signer(signer: Signer) -> Sign:
    """The ``Sign`` of ``signer``: every flow that signs a statement for the server signs it this way."""

    def sign(data: bytes) -> bytes:
        return cms_sign.sign_detached(data, signer)

    return sign


def incomplete_chain_warning(signer: Signer) -> str | None:
    """A warning when ``signer``'s chain stops short of a root: verifiers must then hold the missing CA."""
    last = signer.chain[-1] if signer.chain else signer.certificate
    if last.issuer == last.subject:
        return None
    return (f"the certificate of the CA that issued {readable_name(last.subject)} ({readable_name(last.issuer)}) "
            "is neither on the key nor in the trust list, so the signature does not include it: a verifier "
            "must have it. Give it with --trust, or run 'bidclient trust sync'")


def revocation_mode(name: str) -> trust.RevocationMode:
    return {
        "soft-fail": trust.RevocationMode.SOFT_FAIL,
        "hard-fail": trust.RevocationMode.HARD_FAIL,
        "off": trust.RevocationMode.OFF,
    }[name]


def sign_content(content: BinaryIO | bytes, signer: Signer, *, tsa_url: str | None = None) -> bytes:
    """A detached CMS signature (DER) over ``content``, timestamped when a TSA URL is given."""
    timestamper = None
    if tsa_url:
        from crypto.timestamp import HttpTimestamper

        timestamper = HttpTimestamper(tsa_url)
    return cms_sign.sign_detached(content, signer, timestamper=timestamper)


def verify_content(content: BinaryIO | bytes, signature: bytes, trust_list: trust.TrustList, *,
                   revocation: trust.RevocationMode = trust.RevocationMode.SOFT_FAIL) -> VerifiedSignature:
    """Check integrity, then the signer's certificate path at the signing time; raise on any failure."""
    info = cms_sign.verify_detached(content, signature)
    when = info.timestamp.gen_time if info.timestamp is not None else None
    validated = trust.validate(info.signer_certificate, trust_list, usage="signing",
                               at=when, extra_certs=info.certificates, revocation=revocation)
    cert = info.signer_certificate
    return VerifiedSignature(
        certificate=cert,
        identity=identity.identity_of(cert),
        signer_name=trust.describe_subject(cert),
        issuer_name=validated.issuer_name,
        signing_time=info.signing_time,
        timestamp_time=when,
        warnings=validated.warnings,
        revocation=validated.revocation,
    )
