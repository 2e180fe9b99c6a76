"""Login by challenge–response with the dongle; accounts keyed by identity; role grants.

Services take keyword arguments, flush but never commit, and raise DomainError, never HTTP errors.
"""

from __future__ import annotations

import hashlib
import secrets
import threading
import time
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from bidclient.protocol.auth import login_statement
from crypto import cms_sign, identity, trust
from crypto.errors import CryptoError, TrustError
from server import clock
from server.audit import chain
from server.auth import challenges
from server.auth.models import Account, Challenge, Credential, Role, RoleGrant, SessionToken, TrustEntry
from server.db import READ_ONLY
from server.problems import DomainError
from server.settings import Settings


@dataclass(frozen=True)
class Actor:
    """The authenticated caller of a request."""

    account_id: str
    identity_key: str
    uscc: str | None
    organization: str | None
    person: str | None
    roles: frozenset[str]
    cert_sha256: str
    address: str

    @property
    def ref(self) -> chain.ActorRef:
        return chain.ActorRef(self.identity_key, self.cert_sha256, self.address)

    def has(self, *roles: str) -> bool:
        return bool(self.roles.intersection(roles))


def load_trust_list(db: Session) -> trust.TrustList:
    certs: list[x509.Certificate] = []
    crls: list[x509.CertificateRevocationList] = []
    for entry in db.execute(select(TrustEntry)).scalars():
        if entry.kind == "crl":
            crls.append(x509.load_der_x509_crl(entry.der))
        else:
            certs.append(x509.load_der_x509_certificate(entry.der))
    return trust.TrustList.of(certs, crls)


TRUST_CACHE_SECONDS = 10.0
_trust_cache: dict[str, tuple[float, trust.TrustList]] = {}
_trust_cache_lock = threading.Lock()


def current_trust_list(db: Session) -> trust.TrustList:
    """The trust list, re-read from the database at most every TRUST_CACHE_SECONDS.

    It is read in a short session of its own, so that a request never holds its transaction (on
    SQLite: the write lock) while certificates are validated, which may fetch CRLs and OCSP answers.
    A change made with the admin commands reaches every instance within TRUST_CACHE_SECONDS.
    """
    bind = db.get_bind()
    key = str(bind.engine.url) if hasattr(bind, "engine") else str(id(bind))
    now = time.monotonic()
    with _trust_cache_lock:
        hit = _trust_cache.get(key)
        if hit is not None and now - hit[0] < TRUST_CACHE_SECONDS:
            return hit[1]
    engine = bind.engine if hasattr(bind, "engine") else bind
    # Read-only (deferred on SQLite): the caller's own transaction may hold the write lock already.
    with Session(engine.execution_options(**{READ_ONLY: True})) as fresh:
        loaded = load_trust_list(fresh)
    with _trust_cache_lock:
        _trust_cache[key] = (now, loaded)
    return loaded


def forget_cached_trust_lists() -> None:
    with _trust_cache_lock:
        _trust_cache.clear()


def _revocation(settings: Settings) -> trust.RevocationMode:
    return {"hard-fail": trust.RevocationMode.HARD_FAIL, "off": trust.RevocationMode.OFF}.get(
        settings.revocation, trust.RevocationMode.SOFT_FAIL)


def verify_signed_by_trusted(db: Session, *, content: bytes, signature: bytes, settings: Settings,
                             usage: trust.KeyUsagePurpose = "signing") -> cms_sign.SignatureInfo:
    """Integrity plus trust of a detached signature; DomainError with the precise reason otherwise."""
    return check_signed_by_trusted(db, content=content, signature=signature, settings=settings, usage=usage)[0]


def check_signed_by_trusted(db: Session, *, content: bytes, signature: bytes, settings: Settings,
                            usage: trust.KeyUsagePurpose = "signing"
                            ) -> tuple[cms_sign.SignatureInfo, tuple[trust.RevocationCheck, ...]]:
    """``verify_signed_by_trusted``, plus how the signer's revocation was checked."""
    try:
        info = cms_sign.verify_detached(content, signature)
    except CryptoError as ex:
        raise DomainError("auth.signature_invalid", f"the signature is not valid: {ex}", status=401) from ex
    trust_list = current_trust_list(db)
    cert = info.signer_certificate
    key = (cert.fingerprint(hashes.SHA256()), tuple(c.fingerprint(hashes.SHA256()) for c in info.certificates),
           _trust_list_digest(trust_list), usage, settings.revocation)
    remembered = _recently_validated(key)
    if remembered is not None:
        return info, remembered
    try:
        validated = trust.validate(cert, trust_list, usage=usage, extra_certs=info.certificates,
                                   revocation=_revocation(settings))
    except TrustError as ex:
        raise DomainError(f"auth.certificate_{ex.reason}", str(ex), status=401, reason=ex.reason) from ex
    _remember_validated(key, cert, validated.revocation)
    return info, validated.revocation


# A certificate path found valid (with revocation) is reused for this long for the same certificate,
# chain, trust list, usage and revocation mode: a bidder who just logged in is not validated again,
# CRLs and OCSP are not fetched again, for each statement of the same upload. A change to the trust
# list changes the key at once; a revocation is seen within this time, the usual freshness of OCSP
# answers. Only successes are remembered, never past the certificate's notAfter.
VALIDATION_CACHE_SECONDS = 300.0
_VALIDATION_CACHE_SIZE = 4096
_validated: dict[tuple[Any, ...], tuple[float, tuple[trust.RevocationCheck, ...]]] = {}
_validated_lock = threading.Lock()


def _trust_list_digest(trust_list: trust.TrustList) -> bytes:
    digest = hashlib.sha256()
    for item in (*trust_list.roots, *trust_list.intermediates):
        digest.update(item.fingerprint(hashes.SHA256()))
    for crl in trust_list.crls:
        digest.update(hashlib.sha256(crl.public_bytes(serialization.Encoding.DER)).digest())
    return digest.digest()


def _recently_validated(key: tuple[Any, ...]) -> tuple[trust.RevocationCheck, ...] | None:
    """How revocation was checked, if this path was found valid recently; else None."""
    with _validated_lock:
        hit = _validated.get(key)
        if hit is None:
            return None
        if hit[0] <= time.monotonic():
            del _validated[key]
            return None
        return hit[1]


def _remember_validated(key: tuple[Any, ...], cert: x509.Certificate,
                        checks: tuple[trust.RevocationCheck, ...]) -> None:
    left_on_cert = (cert.not_valid_after_utc - clock.now()).total_seconds()
    until = time.monotonic() + min(VALIDATION_CACHE_SECONDS, left_on_cert)
    with _validated_lock:
        if len(_validated) >= _VALIDATION_CACHE_SIZE:
            _validated.clear()
        _validated[key] = (until, checks)


def forget_validated_certificates() -> None:
    with _validated_lock:
        _validated.clear()


def login(db: Session, *, nonce: str, signature: bytes, address: str, settings: Settings, challenge_key: bytes
          ) -> tuple[str, SessionToken, Account, list[str], str, tuple[trust.RevocationCheck, ...]]:
    """Check the challenge, the signature and certificate, consume the challenge, and open a session.

    The certificate is validated before the first write, so that no transaction (on SQLite: the write
    lock) is held while revocation information is fetched.
    """
    expires = challenges.check(challenge_key, nonce, now=clock.now())
    info, revocation = check_signed_by_trusted(db, content=login_statement(nonce), signature=signature,
                                               settings=settings)
    now = clock.now()
    db.execute(delete(Challenge).where(Challenge.expires_at < now))  # used challenges no longer needed
    if not _insert_if_absent(db, Challenge, {"nonce": nonce, "created_at": now, "expires_at": expires,
                                             "used_at": now}):
        raise challenges.invalid()  # already used: a replay
    cert = info.signer_certificate
    ident = identity.identity_of(cert)
    account = _account_for(db, ident, now)
    credential = _credential_for(db, account, cert, now)
    token = secrets.token_urlsafe(32)
    session = SessionToken(token_sha256=hash_token(token), account_id=account.id, credential_id=credential.id,
                           created_at=now, expires_at=now + settings.session_ttl, address=address[:64])
    db.add(session)
    db.flush()
    roles = roles_of(db, account.identity_key, ident)
    chain.append(db, actor=chain.ActorRef(account.identity_key, credential.cert_sha256, address),
                 action="auth.login", object_type="account", object_id=account.id,
                 payload={"certificate_sha256": credential.cert_sha256})
    return token, session, account, roles, credential.cert_sha256, revocation


def _insert_if_absent(db: Session, model: type[Any], values: dict[str, Any]) -> bool:
    """INSERT … ON CONFLICT DO NOTHING: two first logins of one identity at the same moment (two
    dongles, two instances) must both succeed and share one row, not fail on the unique key.
    True if this call inserted the row."""
    dialect = db.get_bind().dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        statement: Any = pg_insert(model).values(**values).on_conflict_do_nothing()
    else:
        from sqlalchemy.dialects.sqlite import insert as sqlite_insert

        statement = sqlite_insert(model).values(**values).on_conflict_do_nothing()
    # RETURNING, not rowcount: psycopg reports no reliable rowcount for ON CONFLICT DO NOTHING here.
    key = list(model.__table__.primary_key.columns)
    return db.execute(statement.returning(*key)).first() is not None


def _account_for(db: Session, ident: identity.Identity, now: datetime) -> Account:
    query = select(Account).where(Account.identity_key == ident.key)
    account = db.execute(query).scalar_one_or_none()
    if account is None:
        _insert_if_absent(db, Account, {"id": str(uuid.uuid4()), "identity_key": ident.key, "uscc": ident.uscc,
                                        "organization": ident.organization, "person": ident.person,
                                        "created_at": now})
        account = db.execute(query).scalar_one()
    return account


def _credential_for(db: Session, account: Account, cert: x509.Certificate, now: datetime) -> Credential:
    fingerprint = cert.fingerprint(hashes.SHA256()).hex()
    query = select(Credential).where(Credential.cert_sha256 == fingerprint)
    credential = db.execute(query).scalar_one_or_none()
    if credential is None:
        _insert_if_absent(db, Credential, {
            "id": str(uuid.uuid4()), "account_id": account.id, "cert_sha256": fingerprint,
            "certificate_der": cert.public_bytes(serialization.Encoding.DER),
            "subject": cert.subject.rfc4514_string()[:1000], "issuer": cert.issuer.rfc4514_string()[:1000],
            "first_seen": now, "last_seen": now})
        credential = db.execute(query).scalar_one()
    else:
        credential.last_seen = now
    db.flush()
    return credential


def roles_of(db: Session, identity_key: str, ident: identity.Identity | None = None) -> list[str]:
    """Granted roles; every enterprise identity is a bidder without a grant (register once)."""
    return _roles(identity_key, db.execute(select(RoleGrant.role).where(RoleGrant.identity_key == identity_key))
                  .scalars())


def _roles(identity_key: str, granted: Any) -> list[str]:
    roles = {role for role in granted if role}
    if identity_key.startswith("uscc:"):
        roles.add(Role.BIDDER.value)
    return sorted(roles)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


# The session, its account, certificate and role grants in one statement (one row per grant, or one row
# with no role): every authenticated request runs it, the chunks of a deadline rush included.
_ACTOR_QUERY = (select(SessionToken.expires_at, Account.id, Account.identity_key, Account.uscc, Account.organization,
                       Account.person, Credential.cert_sha256, RoleGrant.role)
                .join(Account, Account.id == SessionToken.account_id)
                .join(Credential, Credential.id == SessionToken.credential_id)
                .outerjoin(RoleGrant, RoleGrant.identity_key == Account.identity_key))


def actor_for_token(db: Session, *, token: str, address: str) -> Actor:
    now = clock.now()
    rows = db.execute(_ACTOR_QUERY.where(SessionToken.token_sha256 == hash_token(token))).all()
    if not rows:
        raise DomainError("auth.session_invalid", "the session is not valid; log in again", status=401)
    expires_at, account_id, identity_key, uscc, organization, person, cert_sha256, _role = rows[0]
    if expires_at < now:
        raise DomainError("auth.session_expired", "the session has expired; log in again", status=401)
    return Actor(account_id=account_id, identity_key=identity_key, uscc=uscc, organization=organization,
                 person=person, roles=frozenset(_roles(identity_key, (row[-1] for row in rows))),
                 cert_sha256=cert_sha256, address=address)


def grant_role(db: Session, *, identity_key: str, role: Role, granted_by: str) -> bool:
    exists = db.execute(select(RoleGrant).where(RoleGrant.identity_key == identity_key,
                                                RoleGrant.role == role.value)).scalar_one_or_none()
    if exists is not None:
        return False
    db.add(RoleGrant(id=str(uuid.uuid4()), identity_key=identity_key, role=role.value, granted_by=granted_by,
                     granted_at=clock.now()))
    chain.append(db, actor=chain.ActorRef(granted_by), action="auth.grant_role", object_type="identity",
                 object_id=identity_key, payload={"role": role.value})
    return True


def revoke_role(db: Session, *, identity_key: str, role: Role, revoked_by: str) -> bool:
    result = db.execute(delete(RoleGrant).where(RoleGrant.identity_key == identity_key,
                                                RoleGrant.role == role.value))
    if result.rowcount:  # type: ignore[attr-defined]
        chain.append(db, actor=chain.ActorRef(revoked_by), action="auth.revoke_role", object_type="identity",
                     object_id=identity_key, payload={"role": role.value})
        return True
    return False
