"""A loopback HTTP server for the dev PKI: OCSP for rsa-ca, CRLs and CA certificates.

It serves exactly the URLs ``devtools.pki`` writes into certificates:

- ``POST /ocsp/<ca>`` (body: DER OCSPRequest) and ``GET /ocsp/<ca>/<base64 request>``
- ``GET /crl/<ca>.crl`` (DER CRL) and ``GET /ca/<ca>.cer`` (DER certificate)

OCSP answers are signed by the delegated responder certificate (EKU OCSPSigning, id-pkix-ocsp-nocheck)
and are fresh on every request: ``revoked`` for the serials in ``pki.revoked``, ``good`` for other
certificates the CA issued, ``unknown`` otherwise. Set ``online = False`` to make every request fail
with 503, which is how tests simulate a responder that is down.

For development and tests only.
"""

from __future__ import annotations

import base64
import collections
import datetime as dt
import functools
import http.server
import threading
import urllib.parse
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509 import ocsp

from devtools.pki import DevPki

_MAX_REQUEST = 64 * 1024


class _Responder:
    def __init__(self, pki: DevPki) -> None:
        self.pki = pki
        ca = pki.ca("rsa-ca")
        self.ca_cert = x509.load_pem_x509_certificate(ca.certificate.read_bytes())
        self.cert = x509.load_pem_x509_certificate(pki.ocsp_responder_cert.read_bytes())
        key = serialization.load_pem_private_key(pki.ocsp_responder_key.read_bytes(), password=None)
        if not isinstance(key, rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey):
            raise ValueError("the OCSP responder key must be RSA or EC")
        self.key = key
        self.issued: set[int] = {self.cert.serial_number}
        for party in pki.parties.values():
            if party.ca == "rsa-ca":
                self.issued.update(party.serials.values())
        self.revoked = set(pki.revoked.get("rsa-ca", []))

    def respond(self, der_request: bytes) -> bytes:
        try:
            request = ocsp.load_der_ocsp_request(der_request)
        except ValueError:
            return ocsp.OCSPResponseBuilder.build_unsuccessful(
                ocsp.OCSPResponseStatus.MALFORMED_REQUEST).public_bytes(serialization.Encoding.DER)
        algorithm = request.hash_algorithm
        expected_name = self._hash(algorithm, self.ca_cert.subject.public_bytes())
        expected_key = self._hash(algorithm, self._key_bits(self.ca_cert))
        if request.issuer_name_hash != expected_name or request.issuer_key_hash != expected_key:
            return ocsp.OCSPResponseBuilder.build_unsuccessful(
                ocsp.OCSPResponseStatus.UNAUTHORIZED).public_bytes(serialization.Encoding.DER)
        now = dt.datetime.now(dt.UTC).replace(microsecond=0)
        serial = request.serial_number
        revocation_time = None
        reason = None
        if serial in self.revoked:
            status = ocsp.OCSPCertStatus.REVOKED
            revocation_time = self.pki.created - dt.timedelta(minutes=30)
            reason = x509.ReasonFlags.key_compromise
        elif serial in self.issued:
            status = ocsp.OCSPCertStatus.GOOD
        else:
            status = ocsp.OCSPCertStatus.UNKNOWN
        builder = (ocsp.OCSPResponseBuilder()
                   .add_response_by_hash(request.issuer_name_hash, request.issuer_key_hash, serial,
                                         algorithm, status, now - dt.timedelta(minutes=5),
                                         now + dt.timedelta(hours=1), revocation_time, reason)
                   .responder_id(ocsp.OCSPResponderEncoding.HASH, self.cert)
                   .certificates([self.cert]))
        for extension in request.extensions:
            if isinstance(extension.value, x509.OCSPNonce):
                builder = builder.add_extension(extension.value, critical=False)
        return builder.sign(self.key, hashes.SHA256()).public_bytes(serialization.Encoding.DER)

    @staticmethod
    def _hash(algorithm: hashes.HashAlgorithm, data: bytes) -> bytes:
        digest = hashes.Hash(algorithm)
        digest.update(data)
        return digest.finalize()

    @staticmethod
    def _key_bits(cert: x509.Certificate) -> bytes:
        # issuerKeyHash is over the subjectPublicKey BIT STRING contents, not the whole SPKI.
        from asn1crypto import keys as asn1_keys

        spki = asn1_keys.PublicKeyInfo.load(cert.public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo))
        return bytes(spki["public_key"].contents[1:])


def _reply(handler: http.server.BaseHTTPRequestHandler, status: int, body: bytes, content_type: str) -> None:
    handler.send_response(status)
    handler.send_header("Content-Type", content_type)
    handler.send_header("Content-Length", str(len(body)))
    handler.end_headers()
    handler.wfile.write(body)


class PkiServer:
    """Serve a dev PKI's OCSP, CRLs and CA certificates on 127.0.0.1.

    Usable as a context manager. ``hits`` counts requests per kind ("ocsp", "crl", "ca").
    """

    def __init__(self, pki: DevPki | None = None, *, port: int = 0) -> None:
        self._pki = pki
        self._responder: _Responder | None = _Responder(pki) if pki is not None else None
        self.online = True
        self.hits: collections.Counter[str] = collections.Counter()
        self._server = http.server.ThreadingHTTPServer(("127.0.0.1", port), self._handler_class())
        self._server.daemon_threads = True
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    def attach(self, pki: DevPki) -> None:
        """Set the PKI to serve (for a server started before the PKI existed, to learn its port)."""
        self._pki = pki
        self._responder = _Responder(pki)

    def start(self) -> PkiServer:
        self._thread = threading.Thread(target=self._server.serve_forever, name="dev-pki-server",
                                        daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def serve_forever(self) -> None:
        self._server.serve_forever()

    def __enter__(self) -> PkiServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _handler_class(self) -> type[http.server.BaseHTTPRequestHandler]:
        owner = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: object) -> None:
                return  # quiet: tests and the demo do not want access logs on stderr

            def do_GET(self) -> None:
                owner._get(self)

            def do_POST(self) -> None:
                owner._post(self)

        return Handler

    def _unavailable(self, handler: http.server.BaseHTTPRequestHandler) -> bool:
        if self.online and self._pki is not None and self._responder is not None:
            return False
        _reply(handler, 503, b"unavailable", "text/plain")
        return True

    def _get(self, handler: http.server.BaseHTTPRequestHandler) -> None:
        path = urllib.parse.urlparse(handler.path).path
        parts = [p for p in path.split("/") if p]
        if self._unavailable(handler):
            return
        assert self._pki is not None and self._responder is not None
        send = functools.partial(_reply, handler)
        if len(parts) == 2 and parts[0] == "crl" and parts[1].endswith(".crl"):
            self.hits["crl"] += 1
            self._send_file(handler, self._pki.crl_dir / parts[1], "application/pkix-crl")
        elif len(parts) == 2 and parts[0] == "ca" and parts[1].endswith(".cer"):
            self.hits["ca"] += 1
            self._send_file(handler, self._pki.directory / "ca" / parts[1], "application/pkix-cert")
        elif len(parts) >= 3 and parts[0] == "ocsp" and parts[1] == "rsa-ca":
            self.hits["ocsp"] += 1
            try:
                der = base64.b64decode(urllib.parse.unquote("/".join(parts[2:])), validate=True)
            except ValueError:
                send(400, b"bad request", "text/plain")
                return
            send(200, self._responder.respond(der), "application/ocsp-response")
        else:
            send(404, b"not found", "text/plain")

    def _post(self, handler: http.server.BaseHTTPRequestHandler) -> None:
        path = urllib.parse.urlparse(handler.path).path
        if self._unavailable(handler):
            return
        assert self._responder is not None
        send = functools.partial(_reply, handler)
        if path.rstrip("/") != "/ocsp/rsa-ca":
            send(404, b"not found", "text/plain")
            return
        self.hits["ocsp"] += 1
        try:
            length = int(handler.headers.get("Content-Length", "0"))
        except ValueError:
            length = -1
        if not 0 < length <= _MAX_REQUEST:
            send(400, b"bad request", "text/plain")
            return
        send(200, self._responder.respond(handler.rfile.read(length)), "application/ocsp-response")

    @staticmethod
    def _send_file(handler: http.server.BaseHTTPRequestHandler, path: Path, content_type: str) -> None:
        send = functools.partial(_reply, handler)
        # The name comes from the URL: only plain file names inside the served folder.
        if "/" in path.name or path.name.startswith(".") or not path.is_file():
            send(404, b"not found", "text/plain")
            return
        send(200, path.read_bytes(), content_type)
