"""A test CA made in the test (cryptography), server certificates from it, and a real HTTPS server on
loopback serving an initialised data directory."""

from __future__ import annotations

import ipaddress
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import uvicorn
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from tests.server.pgcluster import free_port
from tests.server.startup import wait_until_healthy


def _name(cn: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])


@dataclass
class TestCa:
    __test__ = False
    name: str
    key: ec.EllipticCurvePrivateKey
    cert: x509.Certificate

    @classmethod
    def create(cls, name: str) -> TestCa:
        key = ec.generate_private_key(ec.SECP256R1())
        now = datetime.now(UTC)
        cert = (x509.CertificateBuilder().subject_name(_name(name)).issuer_name(_name(name))
                .public_key(key.public_key()).serial_number(x509.random_serial_number())
                .not_valid_before(now - timedelta(days=1)).not_valid_after(now + timedelta(days=30))
                .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
                .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=False,
                                             key_encipherment=False, data_encipherment=False, key_agreement=False,
                                             key_cert_sign=True, crl_sign=True, encipher_only=False,
                                             decipher_only=False), critical=True)
                .sign(key, hashes.SHA256()))
        return cls(name, key, cert)

    def write(self, path: Path) -> Path:
        path.write_bytes(self.cert.public_bytes(serialization.Encoding.PEM))
        return path

    def issue_server(self, directory: Path, *, hosts: tuple[str, ...] = ("127.0.0.1", "localhost"),
                     expired: bool = False) -> tuple[Path, Path, x509.Certificate]:
        """A server certificate and its key, as PEM files in ``directory``."""
        key = ec.generate_private_key(ec.SECP256R1())
        now = datetime.now(UTC)
        start, end = (now - timedelta(days=20), now - timedelta(days=1)) if expired else \
            (now - timedelta(hours=1), now + timedelta(days=10))
        names: list[x509.GeneralName] = []
        for host in hosts:
            try:
                names.append(x509.IPAddress(ipaddress.ip_address(host)))
            except ValueError:
                names.append(x509.DNSName(host))
        cert = (x509.CertificateBuilder().subject_name(_name(hosts[0])).issuer_name(self.cert.subject)
                .public_key(key.public_key()).serial_number(x509.random_serial_number())
                .not_valid_before(start).not_valid_after(end)
                .add_extension(x509.SubjectAlternativeName(names), critical=False)
                .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
                .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
                .sign(self.key, hashes.SHA256()))
        directory.mkdir(parents=True, exist_ok=True)
        cert_file = directory / "server.pem"
        key_file = directory / "server.key"
        cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
        key_file.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                               serialization.NoEncryption()))
        return cert_file, key_file, cert


@dataclass
class TlsServer:
    url: str
    server: uvicorn.Server
    thread: threading.Thread

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


def start_tls_server(data: Path, cert_file: Path, key_file: Path) -> TlsServer:
    """The app over HTTPS with the options `bidclient-server run --tls-cert` gives uvicorn, minus the
    start-up check (so that an expired certificate can be served to the client under test)."""
    import json

    from server.app import create_app
    from server.cli import _settings
    from server.tls import MODERN_CIPHERS, ssl_context_factory

    database_url = json.loads((data / "server.json").read_text())["database_url"]
    import argparse

    app = create_app(_settings(argparse.Namespace(data=data, database_url=database_url)))
    port = free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="critical", access_log=False,
                            ssl_certfile=str(cert_file), ssl_keyfile=str(key_file), ssl_ciphers=MODERN_CIPHERS,
                            ssl_context_factory=ssl_context_factory)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True, name=f"tls-server-{port}")
    thread.start()
    deadline = time.monotonic() + 60
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the TLS test server did not start")
        time.sleep(0.05)
    return TlsServer(f"https://127.0.0.1:{port}", server, thread)


@dataclass
class ServerProcess:
    url: str
    process: subprocess.Popen[str]

    def stop(self) -> str:
        self.process.terminate()
        try:
            _, err = self.process.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            _, err = self.process.communicate()
        return err


def run_server_process(data: Path, *extra: str, scheme: str = "http", verify: Any = False,
                       database_url: str = "") -> ServerProcess:
    """`bidclient-server run` as an operator starts it, on a free loopback port."""
    port = free_port()
    args = [sys.executable, "-m", "server.cli", "run", "--data", str(data), "--port", str(port), *extra]
    if database_url:
        args += ["--database-url", database_url]
    process = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    url = f"{scheme}://127.0.0.1:{port}"
    def exited() -> str | None:
        return None if process.poll() is None else f"it exited: {process.communicate()[1]}"

    try:
        wait_until_healthy(url, timeout=90, still_starting=exited, what="the server", verify=verify)
    except RuntimeError:
        process.kill()
        process.communicate()
        raise
    return ServerProcess(url, process)
