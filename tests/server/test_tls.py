"""Transport security with real parts: `bidclient-server run` serving HTTPS on loopback with a
certificate from a CA made in the test, the client checking CA, expiry, host name and pins, plain HTTP
refused to remote servers, and forwarded client addresses believed only from a trusted proxy."""

from __future__ import annotations

import hashlib
import socket
import ssl
import subprocess
import sys
import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from cryptography.hazmat.primitives import serialization
from sqlalchemy import select

from bidclient.api_client import ApiClient, ApiError, TlsOptions
from bidclient.errors import BidclientError, describe
from server.cli import main as server_main
from tests.server.startup import wait_until_healthy
from tests.server.submission_helpers import db_session, signer_for, software_key
from tests.server.tls_helpers import TestCa, TlsServer, run_server_process, start_tls_server


@pytest.fixture
def backend() -> str:
    return "sqlite"  # transport security does not depend on the database


@pytest.fixture(scope="module")
def ca() -> TestCa:
    return TestCa.create("bidclient test platform CA")


@pytest.fixture
def tls_server(server_data: Path, ca: TestCa, tmp_path: Path) -> Iterator[tuple[TlsServer, Path]]:
    cert_file, key_file, _ = ca.issue_server(tmp_path / "tls")
    running = start_tls_server(server_data, cert_file, key_file)
    try:
        yield running, ca.write(tmp_path / "ca.pem")
    finally:
        running.stop()


def _handshake(port: int, *, version: ssl.TLSVersion, ciphers: str | None = None) -> str:
    """A raw TLS handshake limited to ``version`` (and ``ciphers``): the negotiated version, or raises."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    context.set_ciphers((ciphers or "DEFAULT") + ":@SECLEVEL=0")
    with warnings.catch_warnings():  # TLS 1.0/1.1 are deprecated: that is the point
        warnings.simplefilter("ignore", DeprecationWarning)
        context.minimum_version = version
        context.maximum_version = version
    with socket.create_connection(("127.0.0.1", port), timeout=10) as raw, \
            context.wrap_socket(raw, server_hostname="127.0.0.1") as tls:
        return str(tls.version())


def test_run_serves_https_with_modern_tls_only(server_data: Path, ca: TestCa, tmp_path: Path) -> None:
    cert_file, key_file, cert = ca.issue_server(tmp_path / "tls")
    ca_file = ca.write(tmp_path / "ca.pem")
    server = run_server_process(server_data, "--tls-cert", str(cert_file), "--tls-key", str(key_file),
                                scheme="https", verify=str(ca_file))
    try:
        client = ApiClient(server.url, tls=TlsOptions(ca_file=str(ca_file)))
        assert client.get_json("/api/v1/health")["status"] == "ok"
        port = int(server.url.rsplit(":", 1)[1])
        assert _handshake(port, version=ssl.TLSVersion.TLSv1_2) == "TLSv1.2"
        assert _handshake(port, version=ssl.TLSVersion.TLSv1_3) == "TLSv1.3"
        for old in (ssl.TLSVersion.TLSv1, ssl.TLSVersion.TLSv1_1):
            with pytest.raises((ssl.SSLError, ConnectionError)):
                _handshake(port, version=old)
        with pytest.raises((ssl.SSLError, ConnectionError)):  # CBC without AEAD: refused
            _handshake(port, version=ssl.TLSVersion.TLSv1_2, ciphers="ECDHE-ECDSA-AES128-SHA")
        with pytest.raises(requests.RequestException):  # no plain HTTP on the TLS port
            requests.get(f"http://127.0.0.1:{port}/api/v1/health", timeout=5)
        # Pinned by the certificate's SHA-256, and by its public key's (SPKI) in base64.
        der = cert.public_bytes(serialization.Encoding.DER)
        spki = cert.public_key().public_bytes(serialization.Encoding.DER,
                                              serialization.PublicFormat.SubjectPublicKeyInfo)
        import base64

        for pin in (hashlib.sha256(der).hexdigest(), "sha256/" + base64.b64encode(hashlib.sha256(spki).digest())
                    .decode()):
            pinned = ApiClient(server.url, tls=TlsOptions(ca_file=str(ca_file), pin_sha256=(pin,)))
            assert pinned.get_json("/api/v1/health")["status"] == "ok"
    finally:
        server.stop()


def test_run_refuses_unusable_certificates_before_serving(server_data: Path, ca: TestCa, tmp_path: Path) -> None:
    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "server.cli", "run", "--data", str(server_data), "--port", "1",
                               *args], capture_output=True, text=True, timeout=60, check=False)

    expired_cert, expired_key, _ = ca.issue_server(tmp_path / "old", expired=True)
    done = run("--tls-cert", str(expired_cert), "--tls-key", str(expired_key))
    assert done.returncode == 2 and "[server.tls_expired]" in done.stderr and "Traceback" not in done.stderr
    cert_file, _, _ = ca.issue_server(tmp_path / "a")
    _, other_key, _ = ca.issue_server(tmp_path / "b")
    done = run("--tls-cert", str(cert_file), "--tls-key", str(other_key))
    assert done.returncode == 2 and "[server.tls_key_mismatch]" in done.stderr
    done = run("--tls-cert", str(cert_file))
    assert done.returncode == 2 and "--tls-key" in done.stderr
    done = run("--host", "192.0.2.1")  # plain HTTP to the network: only when asked
    assert done.returncode == 2 and "[server.insecure_http]" in done.stderr


def test_client_verifies_the_server_certificate(tls_server: tuple[TlsServer, Path], ca: TestCa,
                                                tmp_path: Path) -> None:
    server, ca_file = tls_server
    assert ApiClient(server.url, tls=TlsOptions(ca_file=str(ca_file))).get_json("/api/v1/health")["status"] == "ok"
    # The system's CA store does not know the platform's CA.
    with pytest.raises(ApiError) as refused:
        ApiClient(server.url, retries=0).get_json("/api/v1/health")
    assert refused.value.code == "net.tls_untrusted"
    # Another CA's file: refused as well, with the same stable code and a message saying what to do.
    other = TestCa.create("some other CA").write(tmp_path / "other.pem")
    with pytest.raises(ApiError) as refused:
        ApiClient(server.url, tls=TlsOptions(ca_file=str(other))).get_json("/api/v1/health")
    assert refused.value.code == "net.tls_untrusted"
    message = describe(refused.value)
    assert "--ca-file" in message.hint and message.exit_status == 3
    # A pin that does not match: refused before anything is sent, though the CA is right.
    with pytest.raises(ApiError) as refused:
        ApiClient(server.url, tls=TlsOptions(ca_file=str(ca_file), pin_sha256=("ab" * 32,))).get_json(
            "/api/v1/health")
    assert refused.value.code == "net.tls_pin_mismatch"
    assert "--pin-sha256" in describe(refused.value).hint
    with pytest.raises(BidclientError) as bad_pin:
        ApiClient(server.url, tls=TlsOptions(pin_sha256=("not-a-hash",)))
    assert bad_pin.value.code == "usage.invalid"
    with pytest.raises(BidclientError) as missing:
        ApiClient(server.url, tls=TlsOptions(ca_file=str(tmp_path / "missing.pem")))
    assert missing.value.code == "net.ca_file_unreadable"


def test_client_refuses_expired_and_misnamed_certificates(server_data: Path, ca: TestCa, tmp_path: Path) -> None:
    ca_file = ca.write(tmp_path / "ca.pem")
    for kind, options, code in (("expired", {"expired": True}, "net.tls_expired"),
                                ("misnamed", {"hosts": ("platform.example",)}, "net.tls_hostname_mismatch")):
        cert_file, key_file, _ = ca.issue_server(tmp_path / kind, **options)  # type: ignore[arg-type]
        server = start_tls_server(server_data, cert_file, key_file)
        try:
            with pytest.raises(ApiError) as refused:
                ApiClient(server.url, tls=TlsOptions(ca_file=str(ca_file))).get_json("/api/v1/health")
            assert refused.value.code == code, refused.value
        finally:
            server.stop()


def test_client_refuses_plain_http_to_a_remote_server(tmp_path: Path) -> None:
    for url in ("http://192.0.2.10:8443", "http://platform.example"):
        with pytest.raises(BidclientError) as refused:
            ApiClient(url)
        assert refused.value.code == "net.insecure_http" and refused.value.exit_status == 2
        assert ApiClient(url, tls=TlsOptions(insecure_http=True)).base_url == url  # when told explicitly
    for url in ("http://127.0.0.1:8443", "http://localhost:1", "http://[::1]:8443"):
        assert ApiClient(url).base_url == url
    env = {"XDG_CONFIG_HOME": str(tmp_path / "config"), "BIDCLIENT_NO_KEYRING": "1", "BIDCLIENT_LANG": "en",
           "PATH": "/usr/bin:/bin"}
    done = subprocess.run([sys.executable, "-m", "bidclient.cli.main", "trust", "sync", "--server",
                           "http://192.0.2.10:8443"], capture_output=True, text=True, env=env, timeout=60,
                          check=False)
    assert done.returncode == 2 and "[net.insecure_http]" in done.stderr and "Traceback" not in done.stderr


def test_cli_login_over_https_remembers_the_ca_and_pin(tls_server: tuple[TlsServer, Path], pki,  # type: ignore[no-untyped-def]
                                                      tmp_path: Path) -> None:
    server, ca_file = tls_server
    env = pki.softhsm_env()
    env.update({"XDG_CONFIG_HOME": str(tmp_path / "config"), "BIDCLIENT_NO_KEYRING": "1", "BIDCLIENT_LANG": "en"})
    env.pop("BIDCLIENT_SERVER", None)

    def cli(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "bidclient.cli.main", *args], capture_output=True, text=True,
                              env=env, timeout=120, check=False)

    # Before any login, the CA file comes from the environment (trust sync, tender fetch).
    done = cli("trust", "sync", "--server", server.url, "--trust-dir", str(tmp_path / "t0"))
    assert done.returncode == 3 and "[net.tls_untrusted]" in done.stderr
    env["BIDCLIENT_CA_FILE"] = str(ca_file)
    done = cli("trust", "sync", "--server", server.url, "--trust-dir", str(tmp_path / "t1"))
    assert done.returncode == 0, done.stderr
    del env["BIDCLIENT_CA_FILE"]
    key = pki.party("ent-a-ec").signing_uri
    done = cli("login", "--server", server.url, "--key", key)
    assert done.returncode == 3 and "[net.tls_untrusted]" in done.stderr and "Traceback" not in done.stderr
    assert not (tmp_path / "config" / "bidclient" / "sessions.json").exists()
    done = cli("login", "--server", server.url, "--key", key, "--ca-file", str(ca_file), "--pin-sha256", "cd" * 32)
    assert done.returncode == 3 and "[net.tls_pin_mismatch]" in done.stderr
    done = cli("login", "--server", server.url, "--key", key, "--ca-file", str(ca_file))
    assert done.returncode == 0, done.stderr
    done = cli("whoami")  # the CA file was remembered for this server
    assert done.returncode == 0, done.stderr
    assert "uscc:91110108MA01B2C3D0" in done.stdout


@pytest.mark.parametrize("trusted", [False, True])
def test_forwarded_address_believed_only_from_a_trusted_proxy(server_data: Path, pki, trusted: bool) -> None:  # type: ignore[no-untyped-def]
    from server.audit.models import AuditEntry

    extra = ["--trusted-proxy", "127.0.0.0/8"] if trusted else []
    server = run_server_process(server_data, *extra)
    try:
        session = requests.Session()
        # What a client behind the proxy would claim for itself, then what the proxy appends.
        session.headers["X-Forwarded-For"] = "198.51.100.66, 203.0.113.7"
        client = ApiClient(server.url, session=session, retries=0)
        client.login(signer_for(software_key(pki, "ent-a")))
    finally:
        server.stop()
    with db_session(server_data) as db:
        entry = db.execute(select(AuditEntry).where(AuditEntry.action == "auth.login")).scalars().one()
    assert entry.address == ("203.0.113.7" if trusted else "127.0.0.1")


def test_trusted_proxy_must_be_an_address(server_data: Path) -> None:
    assert server_main(["run", "--data", str(server_data), "--trusted-proxy", "proxy.local"]) == 2


NGINX_CONF = """
daemon off;
master_process off;
pid {tmp}/nginx.pid;
error_log {tmp}/error.log warn;
events {{ worker_connections 64; }}
http {{
    access_log off;
    client_body_temp_path {tmp}/body;
    proxy_temp_path {tmp}/proxy;
    fastcgi_temp_path {tmp}/fastcgi;
    uwsgi_temp_path {tmp}/uwsgi;
    scgi_temp_path {tmp}/scgi;
    server {{
        listen 127.0.0.1:{port} ssl;
        ssl_certificate {cert};
        ssl_certificate_key {key};
        ssl_protocols TLSv1.2 TLSv1.3;
        client_max_body_size 17m;
        proxy_request_buffering off;
        location / {{
            proxy_pass http://127.0.0.1:{backend_port};
            proxy_bind 127.0.0.1;
            proxy_http_version 1.1;
            proxy_set_header Host $host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
        }}
    }}
}}
"""


def test_through_nginx_the_audit_trail_records_the_real_client(server_data: Path, ca: TestCa, pki,  # type: ignore[no-untyped-def]
                                                               tmp_path: Path) -> None:
    """docs/deploy.md's reverse proxy for real: nginx terminates TLS and forwards to `run --trusted-proxy
    127.0.0.1`. The bidder connects from 127.0.0.2 and claims another address in X-Forwarded-For; the
    audit trail records 127.0.0.2. A whole bid goes through the proxy in chunks of up to 16 MiB."""
    import base64
    import shutil

    from bidclient import receipts
    from bidclient.api_client import _TlsAdapter, tls_context
    from bidclient.protocol.auth import login_statement
    from bidclient.submit import Uploader
    from server.audit.models import AuditEntry
    from tests.server.pgcluster import free_port
    from tests.server.submission_helpers import make_tender, sealed_bid

    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    if not Path(nginx).is_file():
        pytest.fail("nginx is needed for this test: apt-get install nginx-light (scripts/bootstrap.sh)")
    backend = run_server_process(server_data, "--trusted-proxy", "127.0.0.1")
    cert_file, key_file, _ = ca.issue_server(tmp_path / "tls")
    ca_file = ca.write(tmp_path / "ca.pem")
    port = free_port()
    prefix = tmp_path / "nginx"
    prefix.mkdir()
    conf = prefix / "nginx.conf"
    conf.write_text(NGINX_CONF.format(tmp=prefix, port=port, cert=cert_file, key=key_file,
                                      backend_port=backend.url.rsplit(":", 1)[1]))
    proxy = subprocess.Popen([nginx, "-p", str(prefix), "-c", str(conf), "-e", str(prefix / "error.log")],
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    url = f"https://127.0.0.1:{port}"
    try:
        wait_until_healthy(url, timeout=30, what="nginx", verify=str(ca_file), still_starting=lambda: None
                           if proxy.poll() is None else (proxy.stderr.read() if proxy.stderr else "it exited"))

        class FromSecondLoopback(_TlsAdapter):  # the client's own verification, from another address
            def init_poolmanager(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
                kwargs["source_address"] = ("127.0.0.2", 0)
                super().init_poolmanager(*args, **kwargs)

        bidder = requests.Session()
        bidder.mount("https://", FromSecondLoopback(tls_context(str(ca_file)), ()))
        bidder.headers["X-Forwarded-For"] = "198.51.100.66"  # a lie the proxy must not pass for the truth
        nonce = bidder.post(url + "/api/v1/auth/challenge", json={}, timeout=30).json()["nonce"]
        signature = signer_for(software_key(pki, "ent-b"))(login_statement(nonce))
        answer = bidder.post(url + "/api/v1/auth/login", timeout=30,
                             json={"nonce": nonce, "signature": base64.b64encode(signature).decode()})
        assert answer.status_code == 200, answer.text

        tender_id = make_tender(server_data)
        client = ApiClient(url, tls=TlsOptions(ca_file=str(ca_file)))
        out = client.login(signer_for(software_key(pki, "ent-a")))
        bid = sealed_bid(tmp_path / "a.bid", pki, 10 << 20)
        key = software_key(pki, "ent-a")
        submitted = Uploader(client).submit(bid, tender_id=tender_id, tender_version=1,
                                            bidder=out.account.identity_key, sign=signer_for(key))
        assert receipts.verify_receipt(submitted.receipt, server_ca=receipts.pinned_server_ca(client),
                                       bid=bid).bid_checked
    finally:
        proxy.terminate()
        proxy.wait(timeout=20)
        backend.stop()
    with db_session(server_data) as db:
        addresses = {e.actor: e.address for e in db.execute(
            select(AuditEntry).where(AuditEntry.action == "auth.login")).scalars()}
    assert sorted(addresses.values()) == ["127.0.0.1", "127.0.0.2"], addresses
