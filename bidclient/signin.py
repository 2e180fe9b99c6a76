"""Signing in to the platform with the dongle, restoring a stored session, and finding the signed-in key.

One implementation each, called in one line by ``bidclient login`` / ``submit`` / ``withdraw`` and by the
desktop app's jobs (on a worker thread). The person is asked through the ``Prompter`` the caller passes
(the terminal, or the app's dialogs); nothing here prints, reads a terminal or imports Qt. The session
token goes to the keyring (bidclient.session_store), never the PIN.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from pydantic import ValidationError

from bidclient import session_store
from bidclient.api_client import ApiClient, ApiError, TlsOptions
from bidclient.errors import BidclientError
from bidclient.interaction import Prompter
from bidclient.jobs import Cancel, never_cancel
from bidclient.protocol.auth import AccountOut, RevocationCheckOut
from bidclient.signin_check import Assessment, assess, check_before_pin, configured_trust
from bidclient.signing import Sign, detached_signer, open_key
from crypto.errors import OperationCancelled
from crypto.identity import identity_of
from crypto.key_access import KeySession, list_tokens, listed_signing_certificate, paired_encryption_certificates
from crypto.pin import PinRequest


@dataclass(frozen=True)
class SignedIn:
    """A successful dongle login (or a stored session the server confirmed at start-up): the client
    carries the session token and the server clock offset."""

    server: str
    client: ApiClient
    account: AccountOut
    expires_at: datetime | None  # None: a restored session (the store keeps the expiry, not the server's word)
    certificate_sha256: str = ""  # empty for a restored session: /auth/me does not say which certificate
    revocation: tuple[RevocationCheckOut, ...] = ()  # how the server checked the certificate (empty if restored)

    @property
    def enterprise_name(self) -> str:
        return self.account.organization or self.account.person or ""

    @property
    def enterprise_code(self) -> str:
        return self.account.uscc or ""


@dataclass(frozen=True)
class SigningCertificate:
    """A signing certificate on a plugged-in dongle, and its standing here (trust, dates, revocation)."""

    uri: str  # the key to sign in with
    token_label: str
    certificate: x509.Certificate
    assessment: Assessment


def signing_certificates() -> list[SigningCertificate]:
    """Every signing certificate on the plugged-in dongles (no PIN), each assessed against the configured
    trust list. May fetch OCSP answers and CRLs: call it on a worker thread."""
    trust = configured_trust()
    return [SigningCertificate(pair.uri, token.info.label, pair.certificate,
                               assess(pair.certificate, trust, "signing"))
            for token in list_tokens() for pair in token.pairs if "signing" in pair.usages]


def sign_in(server: str, key: str, prompter: Prompter, cancel: Cancel = never_cancel, *,
            certificate: x509.Certificate | None = None, modules: Sequence[str | Path] = (),
            tls: TlsOptions | None = None, remember: bool = False) -> SignedIn:
    """Challenge, signature with the dongle (one PIN entry, asked through ``prompter``), session stored.

    The signing certificate is checked first (check_before_pin): ``certificate`` when the caller chose
    one, else the one a ``pkcs11:`` KEY names, read without a PIN; so an expired or revoked certificate
    costs no PIN entry. A PKCS#12 file's certificate is read with its password and checked then, before
    anything is sent to the server. ``cancel()`` is looked at before each step that waits (the PIN, the
    server); once it says stop, no PIN is asked and no session is stored, even if the server still
    answers. ``tls``: the connection's TLS options (default: those stored for the server).
    ``remember``: also store ``tls`` for the server and make it the default server (``bidclient login``).
    """
    client = ApiClient(server, tls=tls if tls is not None else session_store.tls_options(server))
    checked = certificate if certificate is not None else listed_signing_certificate(key, modules)
    if checked is not None:
        check_before_pin(checked)

    def pin(request: PinRequest) -> str | None:
        return None if cancel() else prompter.ask_pin(request)  # None: PinCancelled

    with open_key(key, pin, modules=modules) as session:
        signer = session.signer()
        if checked is None:  # a PKCS#12 file: its certificate is read with the password, checked now
            check_before_pin(signer.certificate, after_password=True)
        out = client.login(detached_signer(signer))
    if cancel():
        raise OperationCancelled("sign-in was stopped")
    session_store.save_session(client.base_url, out.token, out.expires_at, out.account.identity_key)
    if remember:
        session_store.save_tls_options(client.base_url, client.tls)
        session_store.set_default_server(client.base_url)
    return SignedIn(client.base_url, client, out.account, out.expires_at, out.certificate_sha256,
                    tuple(out.revocation))


def restore_session(server: str) -> SignedIn | None:
    """The stored session token for ``server``, checked with GET /auth/me (start-up, on a worker).

    None when nothing (still valid) is stored. Raises ApiError: ``net.*`` when the server cannot be
    reached (keep the token, try later), ``auth.*`` when it no longer accepts the token.
    """
    token = session_store.load_token(server)
    if token is None:
        return None
    # One quick retry: start-up must say "offline" soon, not after the CLI's patient back-off.
    client = ApiClient(server, token=token, retries=1, tls=session_store.tls_options(server))
    try:
        account = AccountOut.model_validate(client.get_json("/api/v1/auth/me"))
    except ValidationError:
        raise ApiError("net.bad_response", "the server's answer to /auth/me is not an account") from None
    return SignedIn(client.base_url, client, account, None)


@dataclass(frozen=True)
class DongleKey:
    """The signed-in certificate's token: its URI (to open with a PIN later) and its encryption certificate."""

    uri: str
    signing_certificate: x509.Certificate
    encryption_certificate: x509.Certificate | None


def find_signed_in_key(certificate_sha256: str) -> DongleKey:
    """The token holding the certificate the user signed in with (no PIN needed to list)."""
    for token in list_tokens():
        for pair in token.pairs:
            if pair.certificate.fingerprint(hashes.SHA256()).hex() == certificate_sha256.lower():
                # The pair that belongs with the signing certificate (the core's rule, also used when
                # sealing), not the token's first: a shared dongle holds several enterprises' pairs.
                partners = paired_encryption_certificates(pair.certificate, [p.certificate for p in token.pairs])
                encryption = partners[0] if len(partners) == 1 else None
                return DongleKey(pair.uri, pair.certificate, encryption)
    raise BidclientError("the dongle you signed in with is not plugged in", code="token.not_present")


def signed_in_fingerprint(session: SignedIn) -> str:
    """The SHA-256 of the certificate ``session`` was signed in with. A session restored at start-up does not
    say it (/auth/me names the identity, not the certificate): then the one signing certificate of that
    identity on the plugged-in dongles (no PIN needed to list them)."""
    if session.certificate_sha256:
        return session.certificate_sha256
    from crypto.pkcs11_keys import SIGNING, key_usages

    found = {pair.certificate.fingerprint(hashes.SHA256()).hex()
             for token in list_tokens() for pair in token.pairs
             if SIGNING in key_usages(pair.certificate)
             and identity_of(pair.certificate).key == session.account.identity_key}
    if not found:
        raise BidclientError(f"no plugged-in dongle holds a signing certificate of {session.account.identity_key}",
                             code="token.not_present")
    if len(found) > 1:
        raise BidclientError("several plugged-in dongles hold a signing certificate of "
                             f"{session.account.identity_key}: sign in again with the one to use",
                             code="token.key_ambiguous")
    return found.pop()


@contextlib.contextmanager
def open_signed_in_key(certificate_sha256: str, prompter: Prompter) -> Iterator[KeySession]:
    """The signed-in dongle, opened with one PIN entry asked through ``prompter``."""
    key = find_signed_in_key(certificate_sha256)
    with open_key(key.uri, prompter.ask_pin) as session:
        yield session


def signed_in_signer(certificate_sha256: str, prompter: Prompter) -> Sign:
    """A ``Sign`` that opens the signed-in dongle only when a statement is to be signed (one PIN entry
    per signature): a resumed upload, whose statement was signed before, asks for no PIN."""

    def sign(data: bytes) -> bytes:
        with open_signed_in_key(certificate_sha256, prompter) as session:
            return detached_signer(session.signer())(data)

    return sign


@dataclass(frozen=True)
class KeyedClient:
    """A client with a session on the server, and the key it was opened with (one PIN entry)."""

    client: ApiClient
    identity: str  # the account's identity key
    sign: Sign
    session: KeySession


@contextlib.contextmanager
def connect_with_key(server: str, key: str, prompter: Prompter, *, modules: Sequence[str | Path] = (),
                     encryption_key: str | None = None) -> Iterator[KeyedClient]:
    """Open KEY (one PIN entry) and a session with ``server``: the stored one when the server still
    accepts it and it is the key's own identity's, else a new login signed with the same key (stored).
    So ``--key`` always decides who acts: an agency's key used while a bidder's session is stored logs the
    agency in rather than acting (and failing) as the bidder."""
    with open_key(key, prompter.ask_pin, modules=modules, encryption_key=encryption_key) as session:
        signer = session.signer()
        sign = detached_signer(signer)
        key_identity = identity_of(signer.certificate).key
        client = ApiClient(server, token=session_store.load_token(server), tls=session_store.tls_options(server))
        identity: str | None = None
        if client.token:
            try:
                identity = str(client.get_json("/api/v1/auth/me")["identity_key"])
            except ApiError as ex:
                if not ex.code.startswith("auth."):
                    raise
        if identity != key_identity:  # no session, an expired one, or another identity's: log in with the key
            out = client.login(sign)
            session_store.save_session(server, out.token, out.expires_at, out.account.identity_key)
            identity = out.account.identity_key
        yield KeyedClient(client, identity, sign, session)
