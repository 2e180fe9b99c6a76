"""/api/v1/auth: challenge, login, whoami."""

from __future__ import annotations

import base64
import binascii

from fastapi import APIRouter

from bidclient.protocol.auth import AccountOut, ChallengeOut, LoginIn, LoginOut
from server import clock
from server.auth import service
from server.deps import AddressDep, CurrentActor, DbSession, SettingsDep
from server.problems import Problem

router = APIRouter(prefix="/api/v1/auth", tags=["auth"])


@router.post("/challenge", response_model=ChallengeOut)
def challenge(db: DbSession, settings: SettingsDep) -> ChallengeOut:
    made = service.new_challenge(db, settings=settings)
    return ChallengeOut(nonce=made.nonce, expires_at=made.expires_at, server_time=clock.now())


@router.post("/login", response_model=LoginOut)
def login(body: LoginIn, db: DbSession, settings: SettingsDep, address: AddressDep) -> LoginOut:
    try:
        signature = base64.b64decode(body.signature, validate=True)
    except (binascii.Error, ValueError):
        raise Problem(422, "request.invalid", "The signature is not base64") from None
    token, session, account, roles, cert_sha256 = service.login(db, nonce=body.nonce, signature=signature,
                                                                address=address, settings=settings)
    return LoginOut(token=token, expires_at=session.expires_at, certificate_sha256=cert_sha256,
                    account=AccountOut(id=account.id, identity_key=account.identity_key, uscc=account.uscc,
                                       organization=account.organization, person=account.person, roles=roles))


@router.get("/me", response_model=AccountOut)
def me(actor: CurrentActor) -> AccountOut:
    return AccountOut(id=actor.account_id, identity_key=actor.identity_key, uscc=actor.uscc,
                      organization=actor.organization, person=actor.person, roles=sorted(actor.roles))
