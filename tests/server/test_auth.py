"""Login with the dongle over real HTTP: one identity across CAs, and every way a login must fail."""

from __future__ import annotations

import base64

import pytest
import requests

from bidclient.api_client import ApiClient, ApiError
from bidclient.protocol.auth import login_statement
from crypto import cms_sign
from crypto.key_access import open_key
from crypto.pin import pin_from_source_spec


def _signer_sign(pki, party_name: str):  # type: ignore[no-untyped-def]
    party = pki.party(party_name)
    pin = pin_from_source_spec(f"file:{pki.pin_file}")

    def sign(data: bytes) -> bytes:
        with open_key(party.signing_uri, pin) as session:
            return cms_sign.sign_detached(data, session.signer())

    return sign


def test_same_enterprise_with_two_cas_is_one_account(live_server, pki) -> None:  # type: ignore[no-untyped-def]
    rsa = ApiClient(live_server.url).login(_signer_sign(pki, "ent-a"))
    ec = ApiClient(live_server.url).login(_signer_sign(pki, "ent-a-ec"))
    assert rsa.account.id == ec.account.id
    assert rsa.account.uscc == "91110108MA01B2C3D0"
    assert rsa.certificate_sha256 != ec.certificate_sha256
    assert "bidder" in rsa.account.roles
    other = ApiClient(live_server.url).login(_signer_sign(pki, "ent-b"))
    assert other.account.id != rsa.account.id


def test_session_token_authenticates_and_garbage_does_not(live_server, pki) -> None:  # type: ignore[no-untyped-def]
    client = ApiClient(live_server.url)
    client.login(_signer_sign(pki, "ent-b"))
    me = client.get_json("/api/v1/auth/me")
    assert me["uscc"] == pki.party("ent-b").uscc
    response = requests.get(live_server.url + "/api/v1/auth/me", headers={"Authorization": "Bearer nope"},
                            timeout=5)
    assert response.status_code == 401
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["code"] == "auth.session_invalid"
    response = requests.get(live_server.url + "/api/v1/auth/me", timeout=5)
    assert response.json()["code"] == "auth.required"


@pytest.mark.parametrize(("party", "code"), [
    ("bad-expired", "auth.certificate_expired"),
    ("bad-revoked-crl", "auth.certificate_revoked"),
    ("bad-rogue", "auth.certificate_untrusted_root"),
    ("bad-not-yet-valid", "auth.certificate_not_yet_valid"),
])
def test_login_refused_for_bad_certificates(live_server, pki, party: str, code: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ApiError) as caught:
        ApiClient(live_server.url).login(_signer_sign(pki, party))
    assert caught.value.code == code
    assert caught.value.status == 401


def test_replayed_challenge_is_refused(live_server, pki) -> None:  # type: ignore[no-untyped-def]
    client = ApiClient(live_server.url)
    nonce = client.post_json("/api/v1/auth/challenge", {})["nonce"]
    signature = base64.b64encode(_signer_sign(pki, "ent-a")(login_statement(nonce))).decode()
    first = requests.post(live_server.url + "/api/v1/auth/login", json={"nonce": nonce, "signature": signature},
                          timeout=10)
    assert first.status_code == 200
    replay = requests.post(live_server.url + "/api/v1/auth/login", json={"nonce": nonce, "signature": signature},
                           timeout=10)
    assert replay.status_code == 401
    assert replay.json()["code"] == "auth.challenge_invalid"


def test_signature_over_another_nonce_is_refused(live_server, pki) -> None:  # type: ignore[no-untyped-def]
    client = ApiClient(live_server.url)
    nonce = client.post_json("/api/v1/auth/challenge", {})["nonce"]
    other = client.post_json("/api/v1/auth/challenge", {})["nonce"]
    signature = base64.b64encode(_signer_sign(pki, "ent-a")(login_statement(other))).decode()
    response = requests.post(live_server.url + "/api/v1/auth/login",
                             json={"nonce": nonce, "signature": signature}, timeout=10)
    assert response.status_code == 401
    assert response.json()["code"] == "auth.signature_invalid"


def test_server_time_header_sets_client_clock(live_server) -> None:  # type: ignore[no-untyped-def]
    client = ApiClient(live_server.url)
    client.get_json("/api/v1/health")
    assert abs(client.clock_offset.total_seconds()) < 5


def test_simultaneous_first_logins_of_one_identity_share_one_account(live_server, pki) -> None:  # type: ignore[no-untyped-def]
    from concurrent.futures import ThreadPoolExecutor

    # Signatures are made first, so the two logins reach the server at the same moment.
    clients = [ApiClient(live_server.url) for _ in range(2)]
    nonces = [c.post_json("/api/v1/auth/challenge", {})["nonce"] for c in clients]
    signs = [_signer_sign(pki, "expert-1"), _signer_sign(pki, "expert-1")]
    bodies = [{"nonce": n, "signature": base64.b64encode(s(login_statement(n))).decode()}
              for n, s in zip(nonces, signs, strict=True)]

    def post(body: dict[str, str]) -> requests.Response:
        return requests.post(live_server.url + "/api/v1/auth/login", json=body, timeout=30)

    with ThreadPoolExecutor(max_workers=2) as pool:
        responses = list(pool.map(post, bodies))
    assert [r.status_code for r in responses] == [200, 200], [r.text for r in responses]
    assert responses[0].json()["account"]["id"] == responses[1].json()["account"]["id"]


def test_challenges_are_stateless_until_used_and_cannot_be_forged(live_server, pki) -> None:  # type: ignore[no-untyped-def]
    import sqlite3

    from server.auth import challenges
    from server.keys import load

    client = ApiClient(live_server.url)
    issued = [client.post_json("/api/v1/auth/challenge", {}) for _ in range(3)]
    assert len({c["nonce"] for c in issued}) == 3
    if not live_server.database_url:  # handing out challenges wrote nothing
        with sqlite3.connect(live_server.data / "bidclient.sqlite3") as db:
            assert db.execute("SELECT count(*) FROM login_challenge").fetchone()[0] == 0
    sign = _signer_sign(pki, "ent-a")

    def login_with(nonce: str) -> requests.Response:
        signature = base64.b64encode(sign(login_statement(nonce))).decode()
        return requests.post(live_server.url + "/api/v1/auth/login", json={"nonce": nonce, "signature": signature},
                             timeout=10)

    nonce = issued[0]["nonce"]
    tampered = nonce[:-2] + ("AA" if nonce[-2:] != "AA" else "BB")
    made_up = base64.urlsafe_b64encode(b"\0" * 40).decode().rstrip("=")
    # Signed by a trusted key, but the challenge is not this server's: refused before anything is recorded.
    for forged in (tampered, made_up):
        refused = login_with(forged)
        assert refused.status_code == 401 and refused.json()["code"] == "auth.challenge_invalid"
    # A challenge made with this server's key but already expired.
    from datetime import UTC, datetime, timedelta

    key = load(live_server.data / "keys").challenge_key
    expired, _ = challenges.issue(key, now=datetime.now(UTC) - timedelta(minutes=10), ttl=timedelta(minutes=5))
    refused = login_with(expired)
    assert refused.status_code == 401 and refused.json()["code"] == "auth.challenge_invalid"
    # A genuine one works once.
    assert login_with(nonce).status_code == 200
    assert login_with(nonce).json()["code"] == "auth.challenge_invalid"


def test_a_removed_ca_is_refused_at_once_although_its_certificate_just_logged_in(live_server, pki) -> None:  # type: ignore[no-untyped-def]
    """Successful certificate validations are reused for a few minutes (server/auth/service.py), but
    never across a change of the trust list."""
    import hashlib
    from pathlib import Path

    from cryptography import x509
    from cryptography.hazmat.primitives import serialization

    from server.auth.service import forget_cached_trust_lists

    sign = _signer_sign(pki, "ent-a")
    ApiClient(live_server.url).login(sign)
    ApiClient(live_server.url).login(sign)  # validated again or reused: either way accepted
    cas = [x509.load_pem_x509_certificate(p.read_bytes()) for p in sorted(Path(pki.trust_dir).glob("*.pem"))]
    cert = x509.load_pem_x509_certificate(pki.party("ent-a").signing_cert.read_bytes())
    issuer = next(c for c in cas if c.subject == cert.issuer)
    while issuer.issuer != issuer.subject:  # up to the root
        issuer = next(c for c in cas if c.subject == issuer.issuer)
    digest = hashlib.sha256(issuer.public_bytes(serialization.Encoding.DER)).hexdigest()
    assert live_server.admin("trust-remove", digest) == 0
    forget_cached_trust_lists()  # instead of waiting for the server's 10 s re-read of the list
    with pytest.raises(ApiError) as caught:
        ApiClient(live_server.url).login(sign)
    assert caught.value.code.startswith("auth.certificate_")
    assert caught.value.status == 401


def _crl_file(pki, ca: str, serials: list[int], path) -> str:  # type: ignore[no-untyped-def]
    """The CA's next CRL, listing ``serials`` (as the CA publishes after a revocation)."""
    import datetime as dt

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization

    issuer = x509.load_pem_x509_certificate(pki.ca(ca).certificate.read_bytes())
    key = serialization.load_pem_private_key(pki.ca(ca).key.read_bytes(), password=None)
    now = dt.datetime.now(dt.UTC)
    builder = (x509.CertificateRevocationListBuilder().issuer_name(issuer.subject)
               .last_update(now - dt.timedelta(seconds=5)).next_update(now + dt.timedelta(days=7))
               .add_extension(x509.CRLNumber(2), critical=False))
    for serial in serials:
        builder = builder.add_revoked_certificate(x509.RevokedCertificateBuilder().serial_number(serial)
                                                  .revocation_date(now - dt.timedelta(seconds=5)).build())
    path.write_bytes(builder.sign(key, hashes.SHA256()).public_bytes(serialization.Encoding.PEM))  # type: ignore[arg-type]
    return str(path)


def _trust_no_address_pki(live_server, pki_no_addresses) -> None:  # type: ignore[no-untyped-def]
    from pathlib import Path

    from server.auth.service import forget_cached_trust_lists

    files = [str(p) for p in sorted(Path(pki_no_addresses.trust_dir).glob("*.pem"))]
    files += [str(p) for p in sorted(Path(pki_no_addresses.crl_dir).glob("*.pem"))]
    assert live_server.admin("trust-add", *files) == 0
    forget_cached_trust_lists()


def test_revoked_certificate_naming_no_crl_address_cannot_log_in(live_server, pki_no_addresses) -> None:  # type: ignore[no-untyped-def]
    """Issue 8 §1: a CA that puts no CRL address in its certificates; its CRL is on the trust list."""
    from tests.server.submission_helpers import login

    _trust_no_address_pki(live_server, pki_no_addresses)
    with pytest.raises(ApiError) as caught:
        login(live_server.url, pki_no_addresses, "bad-revoked-crl")
    assert (caught.value.status, caught.value.code) == (401, "auth.certificate_revoked")
    assert "according to the CRL of bidclient Dev EC Issuing CA 1 issued" in str(caught.value)
    assert "bidder" in login(live_server.url, pki_no_addresses, "ent-b").client.get_json("/api/v1/auth/me")["roles"]


def test_certificate_revoked_after_login_is_refused_at_every_statement(live_server, pki, pki_no_addresses,  # type: ignore[no-untyped-def]
                                                                        tmp_path) -> None:
    from bidclient.submit import SubmitError, Uploader, withdraw
    from server.auth.service import forget_cached_trust_lists
    from tests.server.submission_helpers import login, make_tender, sealed_bid

    _trust_no_address_pki(live_server, pki_no_addresses)
    tender_id = make_tender(live_server.data)
    bidder = login(live_server.url, pki_no_addresses, "ent-b")

    def submit() -> object:
        return Uploader(bidder.client, chunk_size=64 << 10).submit(
            sealed_bid(tmp_path / f"{len(list(tmp_path.iterdir()))}.bid", pki), tender_id=tender_id,
            tender_version=1, bidder=bidder.identity, sign=bidder.sign)

    submit()  # accepted while the certificate is good
    serial = pki_no_addresses.party("ent-b").serials["signing"]
    assert live_server.admin("trust-add", _crl_file(pki_no_addresses, "ec-sub", [serial], tmp_path / "new.crl")) == 0
    forget_cached_trust_lists()
    with pytest.raises((SubmitError, ApiError)) as caught:  # a replacement: the upload statement
        submit()
    assert caught.value.code == "submission.statement_signer_revoked"  # type: ignore[union-attr]
    with pytest.raises((SubmitError, ApiError)) as caught:  # the withdrawal statement
        withdraw(bidder.client, tender_id=tender_id, bidder=bidder.identity, sign=bidder.sign)
    assert caught.value.code == "submission.statement_signer_revoked"  # type: ignore[union-attr]
    with pytest.raises(ApiError) as login_refused:
        login(live_server.url, pki_no_addresses, "ent-b")
    assert login_refused.value.code == "auth.certificate_revoked"
