"""Changing a dongle's PIN: the old PIN asked once, the new one works, a wrong old PIN changes nothing."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from crypto import token_worker
from crypto.errors import PinIncorrect, TokenError
from crypto.key_access import change_pin, open_key
from crypto.pin import PinRequest
from tests.crypto.softhsm_fixtures import MODULE, make_softhsm

OLD = "11112222"
NEW = "33334444"


@pytest.fixture
def private_token(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    from cryptography.hazmat.primitives.asymmetric import ec

    from tests.crypto.softhsm_fixtures import KeyPair, make_ca, make_leaf

    hsm = make_softhsm(tmp_path / "hsm")
    hsm.init_token("pin-change", OLD)
    ca = make_ca("PIN test CA")
    key = ec.generate_private_key(ec.SECP256R1())
    cert = make_leaf(ca, "PIN holder", key, "sign")
    hsm.add_pair("pin-change", KeyPair(b"\x01", "signing", key, cert, ("sign",)), OLD)
    token_worker.shutdown_all()
    monkeypatch.setenv("SOFTHSM2_CONF", str(hsm.conf))
    yield f"pkcs11:token=pin-change;object=signing?module-path={MODULE}"
    token_worker.shutdown_all()


class Answer:
    def __init__(self, pin: str) -> None:
        self.pin = pin
        self.asked = 0

    def __call__(self, _request: PinRequest) -> str | None:
        self.asked += 1
        return self.pin


def test_change_pin_then_only_the_new_pin_works(private_token: str) -> None:
    old = Answer(OLD)
    change_pin(private_token, old, NEW)
    assert old.asked == 1
    with pytest.raises(PinIncorrect), open_key(private_token, Answer(OLD)) as session:
        session.signer().sign(b"x", session.signer().supported_signature_algorithms()[0])
    with open_key(private_token, Answer(NEW)) as session:
        signer = session.signer()
        assert signer.sign(b"x", signer.supported_signature_algorithms()[0])


def test_wrong_old_pin_changes_nothing(private_token: str) -> None:
    wrong = Answer("00000000")
    with pytest.raises(PinIncorrect):
        change_pin(private_token, wrong, NEW)
    assert wrong.asked == 1
    with open_key(private_token, Answer(OLD)) as session:
        signer = session.signer()
        assert signer.sign(b"x", signer.supported_signature_algorithms()[0])


def test_too_short_new_pin_is_refused_before_asking(private_token: str) -> None:
    asked = Answer(OLD)
    with pytest.raises(TokenError) as caught:
        change_pin(private_token, asked, "12")
    assert caught.value.code == "token.pin_invalid"
    assert asked.asked == 0
