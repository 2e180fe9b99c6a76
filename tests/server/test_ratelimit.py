"""Rate limits on logging in and on starting uploads, per identity and per address: 429
``request.rate_limited`` with Retry-After, configurable in server.json; the deadline rush's 200 bidders
(200 identities on one address) pass the defaults untouched."""

from __future__ import annotations

import base64
import hashlib
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests

from benchmarks._server_fixture import BenchCA, signer_for
from bidclient.api_client import ApiClient, ApiError
from bidclient.protocol.submission import submission_statement
from server.settings import Settings
from tests.server.conftest import start_server
from tests.server.submission_helpers import login, make_tender
from tests.server.test_health import configure


@pytest.fixture
def backend() -> str:
    return "sqlite"


def _start_upload(client: ApiClient, sign, identity: str, tender_id: str, n: int) -> requests.Response:  # type: ignore[no-untyped-def]
    sha256, size = hashlib.sha256(str(n).encode()).hexdigest(), 1000 + n
    statement = submission_statement(tender_id=tender_id, tender_version=1, envelope_sha256=sha256, size=size,
                                     bidder=identity)
    return requests.post(client.base_url + "/api/v1/uploads", timeout=60,
                         headers={"Authorization": f"Bearer {client.token}"},
                         json={"tender_id": tender_id, "tender_version": 1, "size": size, "sha256": sha256,
                               "statement_signature": base64.b64encode(sign(statement)).decode()})


def test_logins_of_one_identity_are_limited_and_others_are_not(server_data: Path, pki) -> None:  # type: ignore[no-untyped-def]
    configure(server_data, login_per_identity=2, rate_window=600)
    server = start_server(server_data)
    try:
        login(server.url, pki, "ent-a")
        login(server.url, pki, "ent-a")
        with pytest.raises(ApiError) as raised:
            login(server.url, pki, "ent-a")
        other = login(server.url, pki, "ent-b")  # another identity, same address
        assert ApiClient(server.url, token=other.client.token).get_json("/api/v1/auth/me")
        metrics = requests.get(server.url + "/metrics", timeout=30).text
    finally:
        server.stop()
    error = raised.value
    assert error.status == 429 and error.code == "request.rate_limited"
    assert error.problem["limit"] == "login_per_identity" and 500 <= error.problem["retry_after"] <= 600
    assert "too many logins of this identity" in str(error)
    assert 'bidclient_logins_refused_total{reason="request.rate_limited"} 1.0' in metrics


def test_logins_from_one_address_are_limited_before_any_signature_work(server_data: Path, pki) -> None:  # type: ignore[no-untyped-def]
    configure(server_data, login_per_address=3, rate_window=600)
    server = start_server(server_data)
    try:
        login(server.url, pki, "ent-a")
        login(server.url, pki, "ent-b")
        bogus = {"nonce": "n" * 43, "signature": "c2lnbmF0dXJlIGJ5dGVz"}
        assert requests.post(server.url + "/api/v1/auth/login", json=bogus, timeout=30).status_code == 401
        refused = requests.post(server.url + "/api/v1/auth/login", json=bogus, timeout=30)
        with pytest.raises(ApiError) as raised:
            login(server.url, pki, "ent-a-ec")
    finally:
        server.stop()
    assert refused.status_code == 429
    assert refused.headers["content-type"] == "application/problem+json"
    assert 1 <= int(refused.headers["Retry-After"]) <= 600
    assert refused.json()["code"] == "request.rate_limited" and refused.json()["limit"] == "login_per_address"
    assert raised.value.status == 429


def test_upload_starts_of_one_identity_are_limited(server_data: Path, pki) -> None:  # type: ignore[no-untyped-def]
    configure(server_data, upload_start_per_identity=2, rate_window=600)
    server = start_server(server_data)
    try:
        tender_id = make_tender(server_data)
        a, b = login(server.url, pki, "ent-a"), login(server.url, pki, "ent-b")
        answers = [_start_upload(a.client, a.sign, a.identity, tender_id, n).status_code for n in range(3)]
        other = _start_upload(b.client, b.sign, b.identity, tender_id, 9)
        refused = _start_upload(a.client, a.sign, a.identity, tender_id, 4)
    finally:
        server.stop()
    assert answers == [201, 201, 429] and other.status_code == 201
    assert refused.json()["limit"] == "upload_start_per_identity" and int(refused.headers["Retry-After"]) >= 1


def test_the_deadline_rush_is_not_throttled_by_default(server_data: Path) -> None:
    """200 bidders on one address (as in benchmarks/deadline_rush.py), each logging in and starting an
    upload, with the default limits; one identity logging in again and again is held off."""
    from server.cli import main as server_main

    ca = BenchCA()
    assert server_main(["admin", "trust-add", "--data", str(server_data),
                        str(ca.write(server_data.parent / "bench-ca.pem"))]) == 0
    tender_id = make_tender(server_data)
    server = start_server(server_data)

    def bidder(n: int) -> int:
        sign = signer_for(ca.issue_bidder(n))
        client = ApiClient(server.url, retries=0)
        identity = client.login(sign).account.identity_key
        return _start_upload(client, sign, identity, tender_id, n).status_code

    try:
        with ThreadPoolExecutor(max_workers=8) as pool:
            statuses = list(pool.map(bidder, range(200)))
        # ... while the same defaults hold off one identity hammering the login.
        hammer = signer_for(ca.issue_bidder(999))  # an identity not among the 200
        logins = []
        for _ in range(Settings(data_dir=server_data).login_per_identity + 1):
            try:
                ApiClient(server.url, retries=0).login(hammer)
                logins.append(200)
            except ApiError as ex:
                logins.append(ex.status)
    finally:
        server.stop()
    assert statuses == [201] * 200
    assert logins == [200] * (len(logins) - 1) + [429]


@pytest.mark.parametrize("backend", ["postgresql"])
def test_on_postgresql_instances_behind_a_balancer_share_one_count(server_data: Path, pki) -> None:  # type: ignore[no-untyped-def]
    """Two instances on one database (docs/deploy-cluster.md): a client alternating between them gets the
    configured limit, not twice it; and the other identities go on."""
    configure(server_data, login_per_identity=3, rate_window=600)
    first, second = start_server(server_data), start_server(server_data)
    try:
        login(first.url, pki, "ent-a")
        login(second.url, pki, "ent-a")
        login(first.url, pki, "ent-a")
        with pytest.raises(ApiError) as raised:
            login(second.url, pki, "ent-a")  # 4th of the platform, 2nd of this instance
        with pytest.raises(ApiError) as again:
            login(first.url, pki, "ent-a")
        assert login(second.url, pki, "ent-b").client.token  # another identity is not held off
    finally:
        first.stop()
        second.stop()
    for error in (raised.value, again.value):
        assert error.status == 429 and error.code == "request.rate_limited"
        assert error.problem["limit"] == "login_per_identity" and 500 <= error.problem["retry_after"] <= 600


@pytest.mark.parametrize("backend", ["postgresql"])
def test_on_postgresql_a_new_window_starts_after_the_old_one_ends(server_data: Path, pki) -> None:  # type: ignore[no-untyped-def]
    configure(server_data, login_per_identity=1, rate_window=2)
    first, second = start_server(server_data), start_server(server_data)
    try:
        login(first.url, pki, "ent-a")
        with pytest.raises(ApiError) as raised:
            login(second.url, pki, "ent-a")
        wait = int(raised.value.problem["retry_after"])
        assert 1 <= wait <= 2
        time.sleep(2.2)
        assert login(second.url, pki, "ent-a").client.token
    finally:
        first.stop()
        second.stop()
