"""/api/v1/auth: challenge, login, whoami."""

from __future__ import annotations

import base64
import binascii
import dataclasses

from fastapi import APIRouter, Request

from bidclient.protocol.auth import AccountOut, ChallengeOut, LoginIn, LoginOut, RevocationCheckOut
from server import clock, ratelimit
from server.auth import challenges, service
from server.auth.permissions import CurrentActor, Public
from server.deps import AddressDep, DbSession, KeysDep, SettingsDep
from server.problems import DomainError, Problem

router = APIRouter(prefix="/api/v1/auth", tags=["auth"])


@router.post("/challenge", response_model=ChallengeOut, dependencies=[Public])
async def challenge(settings: SettingsDep, keys: KeysDep) -> ChallengeOut:
    """A login challenge. Stateless until used (server/auth/challenges.py), so it needs no thread and
    no database: it answers at once even during a deadline rush."""
    now = clock.now()
    nonce, expires = challenges.issue(keys.challenge_key, now=now, ttl=settings.challenge_ttl)
    return ChallengeOut(nonce=nonce, expires_at=expires, server_time=now)


@router.post("/login", response_model=LoginOut, dependencies=[Public],
             responses={429: {"description": "Too many login attempts (request.rate_limited); see Retry-After"}})
def login(body: LoginIn, request: Request, db: DbSession, settings: SettingsDep, keys: KeysDep,
          address: AddressDep) -> LoginOut:
    metrics = request.app.state.metrics
    refused = metrics.logins_refused.labels("request.rate_limited").inc
    # Per address first, before any signature work; per identity once the signature names it.
    ratelimit.check(request.app.state.rate_limiter, "login_per_address", address, settings.login_per_address,
                    what="login attempts from this address", on_refused=lambda _kind: refused())
    try:
        signature = base64.b64decode(body.signature, validate=True)
    except (binascii.Error, ValueError):
        metrics.logins_refused.labels("request.invalid").inc()
        raise Problem(422, "request.invalid", "The signature is not base64") from None
    try:
        token, session, account, roles, cert_sha256, revocation = service.login(
            db, nonce=body.nonce, signature=signature, address=address, settings=settings,
            challenge_key=keys.challenge_key)
    except DomainError as ex:
        metrics.logins_refused.labels(ex.code).inc()
        raise
    # Raising here rolls the login back (no session, the challenge stays unused).
    ratelimit.check(request.app.state.rate_limiter, "login_per_identity", account.identity_key,
                    settings.login_per_identity, what="logins of this identity", on_refused=lambda _kind: refused())
    return LoginOut(token=token, expires_at=session.expires_at, certificate_sha256=cert_sha256,
                    account=AccountOut(id=account.id, identity_key=account.identity_key, uscc=account.uscc,
                                       organization=account.organization, person=account.person, roles=roles),
                    revocation=[RevocationCheckOut(**dataclasses.asdict(check)) for check in revocation])


@router.get("/me", response_model=AccountOut)
def me(actor: CurrentActor) -> AccountOut:
    return AccountOut(id=actor.account_id, identity_key=actor.identity_key, uscc=actor.uscc,
                      organization=actor.organization, person=actor.person, roles=sorted(actor.roles))
