"""Transport security of the server: HTTPS served by uvicorn itself (TLS 1.2 or later, forward-secret
AEAD ciphers only), and the client address behind trusted reverse proxies.

A session token or a signed login statement must never cross the network in the clear, so an operator
either gives ``run`` a certificate and key, or puts the server behind a TLS-terminating proxy on the
same host or network and names that proxy with ``--trusted-proxy`` (docs/deploy.md).
"""

from __future__ import annotations

import ipaddress
import ssl
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import serialization

# TLS 1.2 suites with forward secrecy and authenticated encryption (Mozilla "intermediate"); TLS 1.3
# suites are all of that kind and are not affected by this list.
MODERN_CIPHERS = ("ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:"
                  "ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305")

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


class TlsSetupError(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


def check_certificate(cert_file: Path, key_file: Path) -> x509.Certificate:
    """The server certificate, after checking what would otherwise fail late or obscurely: both files
    readable, the key belongs to the certificate, and the certificate is valid now."""
    try:
        certs = x509.load_pem_x509_certificates(cert_file.read_bytes())
    except OSError as ex:
        raise TlsSetupError("server.tls_unreadable", f"the certificate file {cert_file} cannot be read: "
                            f"{ex.strerror or ex}") from None
    except ValueError:
        raise TlsSetupError("server.tls_unreadable", f"{cert_file} holds no PEM certificate") from None
    try:
        key = serialization.load_pem_private_key(key_file.read_bytes(), password=None)
    except OSError as ex:
        raise TlsSetupError("server.tls_unreadable", f"the key file {key_file} cannot be read: "
                            f"{ex.strerror or ex}") from None
    except (ValueError, TypeError):
        raise TlsSetupError("server.tls_unreadable", f"{key_file} holds no unencrypted PEM private key") from None
    cert = certs[0]
    spki = serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    if cert.public_key().public_bytes(*spki) != key.public_key().public_bytes(*spki):
        raise TlsSetupError("server.tls_key_mismatch", f"the key in {key_file} does not belong to the certificate "
                            f"in {cert_file}")
    now = datetime.now(UTC)
    if cert.not_valid_after_utc <= now:
        raise TlsSetupError("server.tls_expired", f"the certificate in {cert_file} expired on "
                            f"{cert.not_valid_after_utc:%Y-%m-%d}; clients would refuse it")
    if cert.not_valid_before_utc > now:
        raise TlsSetupError("server.tls_not_yet_valid", f"the certificate in {cert_file} is valid only from "
                            f"{cert.not_valid_before_utc:%Y-%m-%d %H:%M} UTC")
    return cert


def ssl_context_factory(config: Any, default: Callable[[], ssl.SSLContext]) -> ssl.SSLContext:
    """For uvicorn's ``ssl_context_factory``: its context, held to TLS 1.2 or later."""
    context = default()
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.options |= ssl.OP_NO_COMPRESSION | ssl.OP_CIPHER_SERVER_PREFERENCE
    return context


def uvicorn_ssl_options(cert_file: Path, key_file: Path) -> dict[str, Any]:
    check_certificate(cert_file, key_file)
    return {"ssl_certfile": str(cert_file), "ssl_keyfile": str(key_file), "ssl_ciphers": MODERN_CIPHERS,
            "ssl_context_factory": ssl_context_factory}


def parse_networks(values: Iterable[str]) -> tuple[Network, ...]:
    """``--trusted-proxy`` values: addresses or CIDR networks."""
    networks = []
    for value in values:
        try:
            networks.append(ipaddress.ip_network(value.strip(), strict=False))
        except ValueError:
            raise TlsSetupError("usage.invalid", f"--trusted-proxy {value!r} is not an IP address or network "
                                "(e.g. 10.0.0.5 or 10.0.0.0/24)") from None
    return tuple(networks)


def is_loopback(host: str) -> bool:
    if host.lower() in ("localhost", "localhost."):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    text = text.strip().strip('"')
    if text.startswith("["):  # [v6]:port
        text = text[1:].split("]", 1)[0]
    elif text.count(":") == 1:  # v4:port
        text = text.split(":", 1)[0]
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


def real_client_address(peer: str, forwarded_for: Sequence[str], trusted: Sequence[Network]) -> str:
    """The client's address: the peer's, unless the peer is a trusted proxy; then the nearest address in
    X-Forwarded-For that is not itself a trusted proxy (read from the right, the only end a client
    cannot write). Addresses the client put further left are never believed."""
    if not trusted:
        return peer
    current = _address(peer)
    if current is None or not any(current in net for net in trusted):
        return peer
    hops = [hop for header in forwarded_for for hop in header.split(",")]
    for hop in reversed(hops):
        address = _address(hop)
        if address is None:
            return str(current)  # a malformed hop: stop at the last address we can vouch for
        current = address
        if not any(current in net for net in trusted):
            return str(current)
    return str(current)
