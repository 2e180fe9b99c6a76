"""The entry point to keys: ``open_key(KEY, pin_source)`` and token listing.

KEY is an RFC 7512 ``pkcs11:`` URI or the path of a PKCS#12 file. A KeySession is one operation: it
asks for the PIN at most once (on first use of a private key), and closes its token sessions on exit.

A token usually holds a signing pair and an encryption pair (Chinese CAs issue both on one dongle),
told apart by their certificates' keyUsage; ``signer()`` and ``decrypter()`` pick the right one. On a
token holding several enterprises' pairs, the encryption pair is the one that belongs with the signing
pair by identity (``paired_encryption_certificates``), or the one the caller names (``encryption_key``).
A signer's chain is completed from the token's CA certificates and from ``chain_certificates`` (the
caller's trust list), so that a signature embeds the intermediate CAs a verifier needs.
"""

from __future__ import annotations

import contextlib
import datetime
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pkcs11
from cryptography import x509

from crypto import errors
from crypto.algorithms import SignatureAlgorithm
from crypto.identity import identity_of
from crypto.keys import Decrypter, Signer
from crypto.modules import ModuleInfo, discover_modules
from crypto.pin import PinSource, pin_from_source_spec
from crypto.pkcs11_keys import (
    ENCRYPTION,
    SIGNING,
    CertificateObject,
    Notice,
    Pkcs11Decrypter,
    Pkcs11Signer,
    PublicKeyObject,
    TokenContext,
    TokenInfo,
    is_ca_certificate,
    issuer_chain,
    key_usages,
    read_public_objects,
    read_token_info,
)
from crypto.pkcs11_uri import Pkcs11Uri, format_uri, is_pkcs11_uri, parse_uri
from crypto.pkcs12 import load_pkcs12
from crypto.token_worker import worker_for

__all__ = [
    "CertificateListing",
    "KeyPairListing",
    "KeySession",
    "ModuleFailure",
    "ModuleInfo",
    "TokenListing",
    "TokenListings",
    "discover_modules",
    "list_tokens",
    "open_key",
    "paired_encryption_certificates",
    "token_uri",
]

ChainSource = Callable[[], Sequence[x509.Certificate]]

KEY_FORMS_HELP = ("a key is either a PKCS#11 URI such as 'pkcs11:token=MyToken;id=%01' (list them with "
                  "'bidclient tokens') or the path of an existing PKCS#12 file (.p12/.pfx)")


# --- pairs ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Pair:
    key_id: bytes
    labels: frozenset[str]
    certificate: x509.Certificate
    usages: frozenset[str]
    uri: str

    def valid_now(self) -> bool:
        now = datetime.datetime.now(datetime.UTC)
        return self.certificate.not_valid_before_utc <= now <= self.certificate.not_valid_after_utc


def _pairs_from_objects(certs: list[CertificateObject], keys: list[PublicKeyObject],
                        uri_for: Callable[[bytes, str], str]) -> list[_Pair]:
    """Key pairs matched by CKA_ID: an end-entity certificate (or one whose id a public key shares)."""
    public_ids = {k.key_id for k in keys}
    pairs = []
    for cert in certs:
        if not cert.key_id:
            continue
        if is_ca_certificate(cert.certificate) and cert.key_id not in public_ids:
            continue
        labels = {cert.label} | {k.label for k in keys if k.key_id == cert.key_id}
        labels.discard("")
        pairs.append(_Pair(cert.key_id, frozenset(labels), cert.certificate,
                           key_usages(cert.certificate), uri_for(cert.key_id, cert.label)))
    return pairs


def _choose(candidates: list[_Pair], what: str, where: str) -> _Pair:
    if not candidates:
        raise errors.KeyNotFound(f"no {what} key on {where}")
    if len(candidates) > 1:
        # A renewed certificate leaves the old pair on the token: prefer the one valid today.
        valid = [p for p in candidates if p.valid_now()]
        if len(valid) == 1:
            return valid[0]
        names = "; ".join(p.uri for p in candidates)
        raise errors.AmbiguousKey(f"{len(candidates)} {what} keys on {where}, name one of: {names}")
    return candidates[0]


def paired_encryption_certificates(signing: x509.Certificate,
                                   certificates: Sequence[x509.Certificate]) -> list[x509.Certificate]:
    """The encryption certificates among ``certificates`` (a token's key pairs) that belong with ``signing``.

    The dual-certificate convention: a CA issues an enterprise's signing and encryption certificates
    with the same subject. In order of preference: ``signing`` itself when its key may also encrypt;
    encryption certificates with the same subject from the same CA; with the same subject from another
    CA; with the same 统一社会信用代码 (a CA that varies the common name); and, on a dongle holding just
    one signing and one encryption pair, that pair whatever its name. Only the best match is returned;
    among several equally good ones, those valid now. An empty list means none belongs with ``signing``:
    never another enterprise's certificate, whose holder could then open the bid.
    """
    candidates = [c for c in certificates if ENCRYPTION in key_usages(c)]
    if signing in candidates:
        return [signing]
    signers = [c for c in certificates if SIGNING in key_usages(c)]
    uscc = _uscc_of(signing)
    tiers: list[Callable[[x509.Certificate], bool]] = [
        lambda c: c.subject == signing.subject and c.issuer == signing.issuer,
        lambda c: c.subject == signing.subject,
        lambda c: uscc is not None and _uscc_of(c) == uscc,
        lambda c: len(candidates) == 1 and signers == [signing] and _uscc_of(c) in (None, uscc),
    ]
    for belongs in tiers:
        found = [c for c in candidates if belongs(c)]
        if len(found) > 1:
            now = datetime.datetime.now(datetime.UTC)
            valid = [c for c in found if c.not_valid_before_utc <= now <= c.not_valid_after_utc]
            found = valid or found
        if found:
            return found
    return []


def _uscc_of(certificate: x509.Certificate) -> str | None:
    try:
        return identity_of(certificate).uscc
    except errors.MalformedError:
        return None


class _ChainedSigner:
    """A Signer whose chain was completed from more certificates than its key source holds."""

    def __init__(self, signer: Signer, chain: list[x509.Certificate]) -> None:
        self._signer = signer
        self._chain = list(chain)

    @property
    def certificate(self) -> x509.Certificate:
        return self._signer.certificate

    @property
    def chain(self) -> list[x509.Certificate]:
        return list(self._chain)

    def sign(self, data: bytes, algorithm: SignatureAlgorithm) -> bytes:
        return self._signer.sign(data, algorithm)

    def supported_signature_algorithms(self) -> list[SignatureAlgorithm]:
        return self._signer.supported_signature_algorithms()


# --- the session ---------------------------------------------------------------------------------


class KeySession:
    """The keys behind one KEY for the duration of one operation (one PIN entry at most)."""

    def __init__(self, description: str, pairs: list[_Pair], named: list[_Pair] | None,
                 certificates: list[x509.Certificate],
                 make_signer: Callable[[_Pair, list[x509.Certificate]], Signer],
                 make_decrypter: Callable[[_Pair], Decrypter],
                 change_pin: Callable[[str], None] | None = None, *,
                 token: TokenInfo | None = None, chain_source: ChainSource | None = None) -> None:
        self._description = description
        self._change_pin = change_pin
        self._pairs = pairs
        self._named = named  # the pairs the KEY names explicitly, or None for "the whole token"
        self._certificates = certificates
        self._make_signer = make_signer
        self._make_decrypter = make_decrypter
        self._token = token
        self._chain_source = chain_source
        # The encryption pair named apart from KEY (--enc-key), with what opens it.
        self._encryption: tuple[_Pair, Callable[[_Pair], Decrypter]] | None = None

    def _pick(self, usage: str) -> _Pair:
        what = "signing" if usage == SIGNING else "encryption"
        if self._named is not None:
            usable = [p for p in self._named if usage in p.usages]
            if usable:
                return _choose(usable, what, self._description)
            if usage == SIGNING:
                # KEY names an encryption pair: sign with the pair it belongs to (a shared token).
                everything = [p.certificate for p in self._pairs]
                belonging = [p for p in self._pairs if SIGNING in p.usages and any(
                    n.certificate in paired_encryption_certificates(p.certificate, everything) for n in self._named)]
                if belonging:
                    return _choose(belonging, what, self._description)
        return _choose([p for p in self._pairs if usage in p.usages], what, self._description)

    def _encryption_pair(self) -> _Pair:
        """The encryption pair named (by KEY or --enc-key), else the one paired with the signing pair."""
        if self._encryption is not None:
            return self._encryption[0]
        if self._named is not None:
            usable = [p for p in self._named if ENCRYPTION in p.usages]
            if usable:
                return _choose(usable, "encryption", self._description)
        encrypting = [p for p in self._pairs if ENCRYPTION in p.usages]
        try:
            signing = self._pick(SIGNING)
        except (errors.KeyNotFound, errors.AmbiguousKey):
            # A key that cannot sign (an encryption-only token or PKCS#12 file): its own pair. With no
            # one signing pair to pair with, only a token's one encryption pair is taken (to decrypt;
            # sealing needs the signer first, and stops there).
            return _choose(encrypting, "encryption", self._description)
        partners = paired_encryption_certificates(signing.certificate, [p.certificate for p in self._pairs])
        found = [p for p in encrypting if p.certificate in partners]
        subject = signing.certificate.subject.rfc4514_string()
        if not found:
            others = f" ({len(encrypting)} of other holders)" if encrypting else ""
            raise errors.KeyNotFound(f"{self._description} holds no encryption certificate of the signing "
                                     f"certificate's holder {subject!r}{others}",
                                     code="token.no_paired_encryption_key")
        if len(found) > 1:
            names = "; ".join(p.uri for p in found)
            raise errors.AmbiguousKey(f"{len(found)} encryption keys on {self._description} belong with the "
                                      f"signing certificate {subject!r}, name one of: {names}",
                                      code="token.encryption_key_ambiguous")
        return found[0]

    def use_encryption_key(self, pair: _Pair, make_decrypter: Callable[[_Pair], Decrypter]) -> None:
        if ENCRYPTION not in pair.usages:
            raise errors.KeyNotFound(f"the encryption key named ({pair.uri}) has a certificate that may not "
                                     "encrypt", code="token.no_paired_encryption_key")
        self._encryption = (pair, make_decrypter)

    def change_pin(self, new_pin: str) -> None:
        """Change the token's user PIN: the current PIN is asked once through the session's PinSource."""
        if self._change_pin is None:
            raise errors.MechanismUnsupported(f"{self._description} has no PIN to change (a key file's password "
                                              "is changed with openssl pkcs12)")
        self._change_pin(new_pin)

    def signer(self) -> Signer:
        """The signing pair: the KEY's object if it can sign, else the token's signing pair.

        Its chain holds the issuers found on the token or among the chain certificates given to
        open_key, up to a root when one is there."""
        pair = self._pick(SIGNING)
        pool = list(self._certificates)
        if self._chain_source is not None:
            pool += self._chain_source()
        chain = issuer_chain(pair.certificate, pool)
        signer = self._make_signer(pair, chain)
        if signer.chain != chain and len(chain) > len(signer.chain):
            return _ChainedSigner(signer, chain)  # a PKCS#12 key knows only its file's certificates
        return signer

    def decrypter(self, certificate: x509.Certificate | None = None) -> Decrypter:
        """The encryption pair, or the pair whose certificate (or public key) is ``certificate``."""
        if certificate is None:
            return self._decrypter_for(self._encryption_pair())
        wanted = certificate.public_key()
        extra = [self._encryption[0]] if self._encryption is not None else []
        for pair in [*extra, *self._pairs]:
            if pair.certificate == certificate or pair.certificate.public_key() == wanted:
                return self._decrypter_for(pair)
        raise errors.KeyNotFound(f"{self._description} holds no key for the certificate "
                                 f"{certificate.subject.rfc4514_string()!r}")

    def _decrypter_for(self, pair: _Pair) -> Decrypter:
        if self._encryption is not None and pair is self._encryption[0]:
            return self._encryption[1](pair)
        return self._make_decrypter(pair)

    @property
    def signing_certificate(self) -> x509.Certificate:
        return self._pick(SIGNING).certificate

    @property
    def encryption_certificate(self) -> x509.Certificate | None:
        """The companion encryption certificate (to seal to oneself), None if the key has none at all.

        Raises KeyNotFound (``token.no_paired_encryption_key``) or AmbiguousKey
        (``token.encryption_key_ambiguous``) when the token holds encryption pairs but none, or several,
        belong with the signing pair: name it with open_key's ``encryption_key``."""
        if self._encryption is None and not any(ENCRYPTION in p.usages for p in self._pairs):
            return None
        return self._encryption_pair().certificate

    def certificates(self) -> list[x509.Certificate]:
        """Every certificate the KEY's token or file holds (pairs and CA certificates)."""
        extra = [self._encryption[0].certificate] if self._encryption is not None else []
        return [*self._certificates, *(c for c in extra if c not in self._certificates)]

    @property
    def key_uris(self) -> list[str]:
        return [p.uri for p in self._pairs]


# --- opening -------------------------------------------------------------------------------------


@contextlib.contextmanager
def open_key(key: str, pin_source: PinSource, *, modules: Sequence[str | Path] = (),
             notice: Notice | None = None, chain_certificates: ChainSource | None = None,
             encryption_key: str | None = None) -> Iterator[KeySession]:
    """Open KEY (``pkcs11:`` URI or PKCS#12 path) for one operation.

    ``modules`` are extra module paths (``--module``); ``notice`` tells the user things that need no
    answer (e.g. "enter the PIN on the reader's PIN pad"). ``chain_certificates`` returns CA
    certificates (the trust list) that complete a signer's chain, asked only when a signer is made.
    ``encryption_key`` names the encryption pair apart from KEY (a software signing and encryption
    certificate come as two PKCS#12 files; a token may hold several enterprises' pairs): a URI on
    KEY's token is resolved within the same login, anything else is opened too, for as long as KEY.
    Raises ModuleLoadError, TokenNotPresent, KeyNotFound, AmbiguousKey, InvalidKeyUri, KeyFileError.
    """
    with contextlib.ExitStack() as stack:
        session = stack.enter_context(_open_one(key, pin_source, modules, notice, chain_certificates))
        if encryption_key is not None:
            _attach_encryption_key(stack, session, encryption_key, pin_source, modules, notice)
        yield session


@contextlib.contextmanager
def _open_one(key: str, pin_source: PinSource, modules: Sequence[str | Path], notice: Notice | None,
              chain_source: ChainSource | None) -> Iterator[KeySession]:
    if is_pkcs11_uri(key):
        uri = parse_uri(key)
        with _open_token(uri, pin_source, modules, notice, chain_source) as session:
            yield session
        return
    path = Path(key)
    if not path.is_file():
        raise errors.KeyNotFound(f"{key!r} is not a key: {KEY_FORMS_HELP}")
    yield _pkcs12_session(path, pin_source, chain_source)


def _attach_encryption_key(stack: contextlib.ExitStack, session: KeySession, key: str, pin_source: PinSource,
                           modules: Sequence[str | Path], notice: Notice | None) -> None:
    token = session._token
    if token is not None and is_pkcs11_uri(key):
        uri = parse_uri(key)
        same_module = uri.module_path is None or Path(uri.module_path).resolve() == Path(token.module_path).resolve()
        if same_module and uri.names_object and uri.matches_token(token.label, token.serial, token.manufacturer,
                                                                  token.model):
            named = [p for p in session._pairs if _object_matches(uri, p)]
            usable = [p for p in named if ENCRYPTION in p.usages]
            if not usable:
                raise errors.KeyNotFound(f"no encryption key on {session._description} matches "
                                         f"{uri.without_pin()}", code="token.no_paired_encryption_key")
            pair = _choose(usable, "encryption", session._description)
            session.use_encryption_key(pair, session._make_decrypter)
            return
    other = stack.enter_context(_open_one(key, pin_source, modules, notice, None))
    pair = other._encryption_pair()
    session.use_encryption_key(pair, other._decrypter_for)


def _pkcs12_session(path: Path, pin_source: PinSource, chain_source: ChainSource | None) -> KeySession:
    contents = load_pkcs12(path, pin_source)
    key = contents.key
    pair = _Pair(b"", frozenset({path.name}), key.certificate, key_usages(key.certificate), str(path))
    return KeySession(f"key file {path}", [pair], None, contents.certificates,
                      lambda _pair, _chain: key, lambda _pair: key, chain_source=chain_source)


def _modules_for(uri: Pkcs11Uri, extra: Sequence[str | Path]) -> tuple[list[ModuleInfo], bool]:
    """Modules to search, and whether the URI chose them (then a load failure is fatal)."""
    if uri.module_path is not None:
        return [ModuleInfo(Path(uri.module_path), Path(uri.module_path).name, "uri")], True
    found = discover_modules(extra)
    if uri.module_name is not None:
        chosen = [m for m in found if uri.module_name in m.names]
        if not chosen:
            raise errors.ModuleLoadError(f"no PKCS#11 module named {uri.module_name!r} is registered or "
                                         "configured")
        return chosen, True
    return found, False


@dataclass
class _Candidate:
    worker: Any
    slot: Any
    info: TokenInfo
    mechanisms: frozenset[int]


def _find_tokens(module: ModuleInfo, uri: Pkcs11Uri) -> list[_Candidate]:
    worker = worker_for(module.path)

    def job() -> list[_Candidate]:
        lib = worker.lib
        if not uri.matches_library(lib.manufacturer_id.strip(), lib.library_description.strip(),
                                   tuple(lib.library_version)):
            return []
        found = []
        for slot in lib.get_slots(token_present=True):
            try:
                info = read_token_info(str(worker.path), slot)
            except pkcs11.PKCS11Error:
                continue  # a slot emptied between listing and reading
            if not uri.matches_slot(info.slot_id, info.slot_manufacturer, info.slot_description):
                continue
            if not uri.matches_token(info.label, info.serial, info.manufacturer, info.model):
                continue
            mechanisms = frozenset(int(m) for m in slot.get_mechanisms())
            found.append(_Candidate(worker, slot, info, mechanisms))
        return found

    try:
        return worker.run(job)
    except errors.TokenError:
        raise
    except pkcs11.PKCS11Error as ex:
        raise errors.ModuleLoadError(f"PKCS#11 module {module.path} failed: {type(ex).__name__}") from ex


def _describe(info: TokenInfo) -> str:
    return f"token {info.label!r} (serial {info.serial})"


def token_uri(info: TokenInfo, *, key_id: bytes | None = None, label: str | None = None) -> str:
    return format_uri(Pkcs11Uri(token=info.label, manufacturer=info.manufacturer, serial=info.serial,
                                model=info.model, id=key_id, object=label or None,
                                module_path=info.module_path))


def _object_matches(uri: Pkcs11Uri, pair: _Pair) -> bool:
    return ((uri.id is None or uri.id == pair.key_id)
            and (uri.object is None or uri.object in pair.labels))


@contextlib.contextmanager
def _open_token(uri: Pkcs11Uri, pin_source: PinSource, extra: Sequence[str | Path],
                notice: Notice | None, chain_source: ChainSource | None = None) -> Iterator[KeySession]:
    if uri.type in ("secret-key", "data"):
        raise errors.KeyNotFound(f"the URI names a {uri.type} object; a key pair is needed")
    if uri.pin_source is not None:
        pin_source = pin_from_source_spec(uri.pin_source)
    elif uri.pin_value is not None:
        value = uri.pin_value
        pin_source = lambda _request: value  # noqa: E731
    chosen_modules, explicit = _modules_for(uri, extra)
    candidates: list[_Candidate] = []
    failures: list[str] = []
    for module in chosen_modules:
        try:
            candidates += _find_tokens(module, uri)
        except errors.ModuleLoadError as ex:
            if explicit:
                raise
            failures.append(ex.message)
    shown = str(uri.without_pin())
    if not candidates:
        detail = f" ({'; '.join(failures)})" if failures else ""
        raise errors.TokenNotPresent(f"no token matches {shown}; is the dongle plugged in?{detail}")

    contexts = [TokenContext(c.worker, c.slot, c.info, c.mechanisms, pin_source, notice) for c in candidates]
    try:
        opened = []
        for ctx in contexts:
            certs, keys = ctx.read_objects()
            info = ctx.info

            def uri_for(key_id: bytes, label: str, info: TokenInfo = info) -> str:
                return token_uri(info, key_id=key_id, label=label)

            pairs = _pairs_from_objects(certs, keys, uri_for)
            named = [p for p in pairs if _object_matches(uri, p)] if uri.names_object else None
            if named is not None and not named:
                continue
            opened.append((ctx, pairs, named, [c.certificate for c in certs]))
        if not opened:
            raise errors.KeyNotFound(f"no key pair with a certificate matches {shown}")
        if len(opened) > 1:
            names = "; ".join(token_uri(o[0].info) for o in opened)
            raise errors.AmbiguousKey(f"{len(opened)} tokens match {shown}, name one of: {names}")
        ctx, pairs, named, certificates = opened[0]

        def make_signer(pair: _Pair, chain: list[x509.Certificate]) -> Signer:
            return Pkcs11Signer(ctx, pair.key_id, pair.certificate, chain)

        def make_decrypter(pair: _Pair) -> Decrypter:
            return Pkcs11Decrypter(ctx, pair.key_id, pair.certificate)

        yield KeySession(_describe(ctx.info), pairs, named, certificates, make_signer, make_decrypter,
                         ctx.change_pin, token=ctx.info, chain_source=chain_source)
    finally:
        for ctx in contexts:
            ctx.close()


# --- listing -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class KeyPairListing:
    key_id: bytes
    label: str
    uri: str
    certificate: x509.Certificate
    usages: frozenset[str]  # {"signing"}, {"encryption"} or both

    @property
    def role(self) -> str:
        if self.usages == {SIGNING}:
            return "signing"
        if self.usages == {ENCRYPTION}:
            return "encryption"
        return "signing+encryption" if self.usages else "none"


@dataclass(frozen=True)
class CertificateListing:
    key_id: bytes
    label: str
    uri: str
    certificate: x509.Certificate


@dataclass(frozen=True)
class TokenListing:
    module: ModuleInfo
    info: TokenInfo  # label, serial, manufacturer, model, flags
    uri: str
    pairs: list[KeyPairListing]
    certificates: list[CertificateListing]  # every certificate, including CA certificates
    public_keys_without_certificate: list[bytes]


@dataclass(frozen=True)
class ModuleFailure:
    module: ModuleInfo
    error: errors.TokenError


class TokenListings(list[TokenListing]):
    """The tokens found, plus the modules that failed to load (reported, not fatal)."""

    def __init__(self, tokens: Sequence[TokenListing] = (), failures: Sequence[ModuleFailure] = ()) -> None:
        super().__init__(tokens)
        self.failures: list[ModuleFailure] = list(failures)
        self.modules: list[ModuleInfo] = []


def _list_module(module: ModuleInfo) -> list[TokenListing]:
    worker = worker_for(module.path)

    def job() -> list[TokenListing]:
        listings = []
        for slot in worker.lib.get_slots(token_present=True):
            try:
                info = read_token_info(str(worker.path), slot)
                session = slot.get_token().open()
                try:
                    certs, keys = read_public_objects(session)
                finally:
                    session.close()
            except pkcs11.PKCS11Error:
                continue  # a token that cannot be read is not listed; others still are

            def uri_for(key_id: bytes, label: str, info: TokenInfo = info) -> str:
                return token_uri(info, key_id=key_id, label=label)

            pairs = [KeyPairListing(p.key_id, sorted(p.labels)[0] if p.labels else "", p.uri,
                                    p.certificate, p.usages)
                     for p in _pairs_from_objects(certs, keys, uri_for)]
            certificates = [CertificateListing(c.key_id, c.label, uri_for(c.key_id, c.label) if c.key_id
                                               else token_uri(info, label=c.label), c.certificate)
                            for c in certs]
            cert_ids = {c.key_id for c in certs}
            orphans = sorted({k.key_id for k in keys if k.key_id not in cert_ids})
            listings.append(TokenListing(module, info, token_uri(info), pairs, certificates, orphans))
        return listings

    try:
        return worker.run(job)
    except errors.TokenError:
        raise
    except pkcs11.PKCS11Error as ex:
        raise errors.ModuleLoadError(f"PKCS#11 module {module.path} failed: {type(ex).__name__}") from ex


def list_tokens(modules: Sequence[ModuleInfo | str | Path] | None = None) -> TokenListings:
    """Every token present in ``modules`` (default: discover_modules()), without a PIN."""
    infos = discover_modules() if modules is None else [
        m if isinstance(m, ModuleInfo) else ModuleInfo(Path(m), Path(m).name, "configured") for m in modules]
    result = TokenListings()
    result.modules = list(infos)
    for module in infos:
        try:
            result.extend(_list_module(module))
        except errors.ModuleLoadError as ex:
            result.failures.append(ModuleFailure(module, ex))
    return result


def change_pin(key: str, pin_source: PinSource, new_pin: str, *, modules: Sequence[str | Path] = ()) -> None:
    """Change the user PIN of the token named by ``key`` (asks the current PIN once, never retries)."""
    if len(new_pin) < 4:
        raise errors.TokenError("the new PIN is too short (at least 4 characters)", code="token.pin_invalid")
    with open_key(key, pin_source, modules=modules) as session:
        session.change_pin(new_pin)


def listed_signing_certificate(key: str, modules: Sequence[str | Path] = ()) -> x509.Certificate | None:
    """The signing certificate a ``pkcs11:`` KEY names, read from the token's public objects without a
    PIN (what open_key's signer would use), so that it can be checked before the PIN is asked.

    None when KEY is not a pkcs11: URI, or the token or certificate cannot be told apart this way (no
    token matches, several signing pairs match): open_key then reports why, or checks after the PIN."""
    if not is_pkcs11_uri(key):
        return None
    try:
        uri = parse_uri(key)
        chosen, _ = _modules_for(uri, modules)
    except errors.TokenError:
        return None
    if uri.type in ("secret-key", "data"):
        return None
    found: list[x509.Certificate] = []
    for token in list_tokens(chosen):
        info = token.info
        if not uri.matches_token(info.label, info.serial, info.manufacturer, info.model):
            continue
        signing = [p for p in token.pairs if SIGNING in p.usages]
        if uri.names_object:
            labels = {c.key_id: {c.label} for c in token.certificates}
            named = [p for p in signing if (uri.id is None or uri.id == p.key_id)
                     and (uri.object is None or uri.object == p.label or uri.object in labels.get(p.key_id, set()))]
            signing = named
        found += [p.certificate for p in signing if p.certificate not in found]
    return found[0] if len(found) == 1 else None
