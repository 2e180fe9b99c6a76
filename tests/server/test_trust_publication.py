"""The signed trust list: published by the server, verified against a pinned server CA (and by OpenSSL),
installed as the client's trust list so the client validates exactly as the server does."""

from __future__ import annotations

import base64
import os
import subprocess
import sys
from pathlib import Path

import pytest
import requests
from cryptography import x509
from cryptography.hazmat.primitives import serialization

from bidclient.api_client import ApiClient
from bidclient.trust_sync import TrustSyncError, ca_pin_path, fingerprint, sync_trust_list
from crypto import trust


@pytest.fixture
def config_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.delenv("BIDCLIENT_TRUST", raising=False)
    return tmp_path / "config"


def test_sync_installs_the_servers_list_and_validates_like_the_server(live_server, pki, config_home) -> None:  # type: ignore[no-untyped-def]
    result = sync_trust_list(ApiClient(live_server.url))
    assert result.first_use and result.trust_dir == config_home / "bidclient" / "trust"
    server_ca = x509.load_pem_x509_certificate((live_server.data / "keys" / "ca.pem").read_bytes())
    assert result.server_ca_sha256 == fingerprint(server_ca)
    assert ca_pin_path(live_server.url).read_bytes() == server_ca.public_bytes(serialization.Encoding.PEM)
    names = sorted(p.name for p in result.trust_dir.iterdir())
    assert len(names) == result.certificates + result.crls and result.crls >= 1
    installed = trust.TrustList.load([result.trust_dir])
    good = x509.load_pem_x509_certificate(pki.party("ent-a").signing_cert.read_bytes())
    trust.validate(good, installed, usage="signing", revocation=trust.RevocationMode.OFF)
    revoked = x509.load_pem_x509_certificate(pki.party("bad-revoked-crl").signing_cert.read_bytes())
    with pytest.raises(Exception) as caught:  # the server's CRLs came along
        trust.validate(revoked, installed, usage="signing", revocation=trust.RevocationMode.SOFT_FAIL)
    assert getattr(caught.value, "reason", "") == "revoked"

    # The server drops a CA: the next sync removes it, with a higher serial.
    victim = next(n for n in names if n.endswith(".pem"))[len("server-"):-len(".pem")]
    assert live_server.admin("trust-remove", victim) == 0
    again = sync_trust_list(ApiClient(live_server.url))
    assert again.removed == 1 and again.serial > result.serial and not again.first_use
    assert not (result.trust_dir / f"server-{victim}.pem").exists()


def test_signature_verifies_with_openssl(live_server, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    signed = requests.get(live_server.url + "/api/v1/trust-list", timeout=10).json()
    (tmp_path / "list.json").write_bytes(base64.b64decode(signed["content"]))
    (tmp_path / "list.p7s").write_bytes(base64.b64decode(signed["signature"]))
    (tmp_path / "ca.pem").write_bytes((live_server.data / "keys" / "ca.pem").read_bytes())
    done = subprocess.run(["openssl", "cms", "-verify", "-binary", "-inform", "DER", "-in", str(tmp_path / "list.p7s"),
                           "-content", str(tmp_path / "list.json"), "-CAfile", str(tmp_path / "ca.pem"),
                           "-purpose", "any", "-out", os.devnull], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr


def test_changed_server_ca_is_refused_until_accepted(live_server, config_home, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from server.keys import generate, load

    generate(tmp_path / "impostor")
    impostor = load(tmp_path / "impostor").ca_certificate
    pin = ca_pin_path(live_server.url)
    pin.parent.mkdir(parents=True)
    pin.write_bytes(impostor.public_bytes(serialization.Encoding.PEM))
    target = tmp_path / "trust"
    with pytest.raises(TrustSyncError) as caught:
        sync_trust_list(ApiClient(live_server.url), trust_dir=target)
    assert caught.value.code == "trust.server_ca_changed"
    assert fingerprint(impostor) in str(caught.value) and not target.exists()
    real = x509.load_pem_x509_certificate((live_server.data / "keys" / "ca.pem").read_bytes())
    with pytest.raises(TrustSyncError):
        sync_trust_list(ApiClient(live_server.url), trust_dir=target, accept_ca_sha256=fingerprint(impostor))
    result = sync_trust_list(ApiClient(live_server.url), trust_dir=target, accept_ca_sha256=fingerprint(real))
    assert result.server_ca_sha256 == fingerprint(real) and result.certificates > 0


def test_replayed_older_list_is_refused(live_server, config_home) -> None:  # type: ignore[no-untyped-def]
    old = requests.get(live_server.url + "/api/v1/trust-list", timeout=10).json()
    sync_trust_list(ApiClient(live_server.url))
    digest = sorted(p.name for p in (config_home / "bidclient" / "trust").iterdir())[0][7:71]
    assert live_server.admin("trust-remove", digest) == 0
    sync_trust_list(ApiClient(live_server.url))

    class Replaying(ApiClient):
        def get_json(self, path: str):  # type: ignore[no-untyped-def]
            return old  # a man in the middle replaying a validly signed, older list

    with pytest.raises(TrustSyncError) as caught:
        sync_trust_list(Replaying(live_server.url))
    assert caught.value.code == "trust.list_rollback"


def test_tampered_list_is_refused(live_server, config_home) -> None:  # type: ignore[no-untyped-def]
    signed = requests.get(live_server.url + "/api/v1/trust-list", timeout=10).json()
    content = base64.b64decode(signed["content"]).replace(b'"entries":[', b'"entries":[ ', 1)
    forged = dict(signed, content=base64.b64encode(content).decode())

    class Forging(ApiClient):
        def get_json(self, path: str):  # type: ignore[no-untyped-def]
            return forged

    with pytest.raises(TrustSyncError) as caught:
        sync_trust_list(Forging(live_server.url))
    assert caught.value.code == "trust.list_signature_invalid"


def test_cli_trust_sync(live_server, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    env = dict(os.environ, XDG_CONFIG_HOME=str(tmp_path / "config"), BIDCLIENT_NO_KEYRING="1")
    env.pop("BIDCLIENT_TRUST", None)
    args = [sys.executable, "-m", "bidclient.cli.main", "trust", "sync", "--server", live_server.url,
            "--trust-dir", str(tmp_path / "trust")]
    done = subprocess.run(args, capture_output=True, text=True, env=env, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    assert "First use" in done.stdout and "Installed the trust list" in done.stdout
    done = subprocess.run(args, capture_output=True, text=True, env=env, timeout=60, check=False)
    assert done.returncode == 0 and "First use" not in done.stdout
