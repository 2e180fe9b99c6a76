"""/api/v1/auth: challenge, login, whoami."""

from __future__ import annotations

import base64
import binascii
import dataclasses

from fastapi import APIRouter

from bidclient.protocol.auth import AccountOut, ChallengeOut, LoginIn, LoginOut, RevocationCheckOut
from server import clock
from server.auth import challenges, service
from server.auth.permissions import CurrentActor, Public
from server.deps import AddressDep, DbSession, KeysDep, SettingsDep
from server.problems import Problem

router = APIRouter(prefix="/api/v1/auth", tags=["auth"])


@router.post("/challenge", response_model=ChallengeOut, dependencies=[Public])
async def challenge(settings: SettingsDep, keys: KeysDep) -> ChallengeOut:
    """A login challenge. Stateless until used (server/auth/challenges.py), so it needs no thread and
    no database: it answers at once even during a deadline rush."""
    now = clock.now()
    nonce, expires = challenges.issue(keys.challenge_key, now=now, ttl=settings.challenge_ttl)
    return ChallengeOut(nonce=nonce, expires_at=expires, server_time=now)


@router.post("/login", response_model=LoginOut, dependencies=[Public])
def login(body: LoginIn, db: DbSession, settings: SettingsDep, keys: KeysDep, address: AddressDep) -> LoginOut:
    try:
        signature = base64.b64decode(body.signature, validate=True)
    except (binascii.Error, ValueError):
        raise Problem(422, "request.invalid", "The signature is not base64") from None
    token, session, account, roles, cert_sha256, revocation = service.login(db, nonce=body.nonce, signature=signature,
                                                                            address=address, settings=settings,
                                                                            challenge_key=keys.challenge_key)
    return LoginOut(token=token, expires_at=session.expires_at, certificate_sha256=cert_sha256,
                    account=AccountOut(id=account.id, identity_key=account.identity_key, uscc=account.uscc,
                                       organization=account.organization, person=account.person, roles=roles),
                    revocation=[RevocationCheckOut(**dataclasses.asdict(check)) for check in revocation])


@router.get("/me", response_model=AccountOut)
def me(actor: CurrentActor) -> AccountOut:
    return AccountOut(id=actor.account_id, identity_key=actor.identity_key, uscc=actor.uscc,
                      organization=actor.organization, person=actor.person, roles=sorted(actor.roles))
