"""RFC 3161: our TSA served over loopback HTTP, our client, and `openssl ts` checking both."""

from __future__ import annotations

import datetime as dt
import hashlib
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import requests
from asn1crypto import cms, tsp
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID

from crypto.cms_sign import describe_signature, sign_detached, verify_detached
from crypto.errors import MalformedError, SignatureInvalid, TimestampError, TrustError
from crypto.software_key import SoftwareKey
from crypto.timestamp import (
    PRIVATE_POLICY_OID,
    HttpTimestamper,
    TimestampAuthority,
    verify_timestamp_token,
)
from tests.crypto.test_cms_sign import Issued, issue, key_pem, openssl, pem

TS = [ExtendedKeyUsageOID.TIME_STAMPING]


@dataclass
class TsaPki:
    root: Issued
    tsa: Issued
    tsa_rsa: Issued
    signer: SoftwareKey  # an ordinary document signer (not a TSA)
    signer_root: Issued


@pytest.fixture(scope="session")
def tsa_pki() -> TsaPki:
    root = issue("TSA Root", ec.generate_private_key(ec.SECP256R1()), None, ca=True)
    tsa = issue("Test TSA", ec.generate_private_key(ec.SECP256R1()), root, ca=False, eku=TS)
    tsa_rsa = issue("Test RSA TSA", rsa.generate_private_key(65537, 2048), root, ca=False, eku=TS)
    signer_root = issue("Signer Root", ec.generate_private_key(ec.SECP256R1()), None, ca=True)
    leaf = issue("Bidder", ec.generate_private_key(ec.SECP256R1()), signer_root, ca=False)
    return TsaPki(root, tsa, tsa_rsa, SoftwareKey(leaf.key, leaf.cert), signer_root)


def authority(issued: Issued, **kwargs: object) -> TimestampAuthority:
    return TimestampAuthority(SoftwareKey(issued.key, issued.cert), **kwargs)  # type: ignore[arg-type]


class TsaServer:
    """TimestampAuthority.respond over a loopback HTTP server; ``tamper`` rewrites answers."""

    def __init__(self, tsa: TimestampAuthority) -> None:
        self.tsa = tsa
        self.tamper: Callable[[bytes, bytes], bytes] | None = None
        self.status = 200
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                request = self.rfile.read(int(self.headers["Content-Length"]))
                answer = server.tsa.respond(request)
                if server.tamper is not None:
                    answer = server.tamper(request, answer)
                self.send_response(server.status)
                self.send_header("Content-Type", "application/timestamp-reply")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, format: str, *args: object) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/tsa"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> TsaServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(5)


@pytest.fixture
def server(tsa_pki: TsaPki) -> Iterator[TsaServer]:
    with TsaServer(authority(tsa_pki.tsa)) as srv:
        yield srv


# --- end to end -----------------------------------------------------------------------------------


def test_signature_timestamped_over_http_verifies_here_and_in_openssl(
        tmp_path: Path, tsa_pki: TsaPki, server: TsaServer) -> None:
    before = dt.datetime.now(dt.UTC).replace(microsecond=0)
    content = b"sealed bid manifest"
    signature = sign_detached(content, tsa_pki.signer, timestamper=HttpTimestamper(server.url))

    info = verify_detached(content, signature)
    assert info.timestamp is not None and info.timestamp.verified
    assert before <= info.timestamp.gen_time <= dt.datetime.now(dt.UTC)
    assert info.timestamp.tsa_certificate == tsa_pki.tsa.cert
    assert info.timestamp.policy == PRIVATE_POLICY_OID
    assert describe_signature(signature).timestamp == info.timestamp

    # openssl cms still verifies the signature carrying the unsigned attribute
    (tmp_path / "root.pem").write_bytes(pem(tsa_pki.signer_root.cert))
    (tmp_path / "content").write_bytes(content)
    (tmp_path / "sig.p7s").write_bytes(signature)
    openssl("cms", "-verify", "-binary", "-inform", "DER", "-in", tmp_path / "sig.p7s", "-content",
            tmp_path / "content", "-CAfile", tmp_path / "root.pem", "-purpose", "any", "-out", "/dev/null")

    # and openssl ts checks the embedded token against the signature value it timestamps
    si = cms.ContentInfo.load(signature)["content"]["signer_infos"][0]
    (tmp_path / "sigvalue.bin").write_bytes(si["signature"].native)
    token = si["unsigned_attrs"][0]["values"][0].dump()
    (tmp_path / "token.der").write_bytes(token)
    (tmp_path / "tsa-root.pem").write_bytes(pem(tsa_pki.root.cert))
    (tmp_path / "tsa.pem").write_bytes(pem(tsa_pki.tsa.cert))
    out = openssl("ts", "-verify", "-data", tmp_path / "sigvalue.bin", "-token_in", "-in",
                  tmp_path / "token.der", "-CAfile", tmp_path / "tsa-root.pem",
                  "-untrusted", tmp_path / "tsa.pem")
    assert b"Verification: OK" in out.stdout

    (tmp_path / "sigvalue.bin").write_bytes(b"another signature")
    bad = openssl("ts", "-verify", "-data", tmp_path / "sigvalue.bin", "-token_in", "-in",
                  tmp_path / "token.der", "-CAfile", tmp_path / "tsa-root.pem", "-untrusted",
                  tmp_path / "tsa.pem", check=False)
    assert bad.returncode != 0 and b"Verification: OK" not in bad.stdout


@pytest.mark.parametrize("which", ["tsa", "tsa_rsa"])
def test_openssl_ts_query_answered_over_http_verifies(tmp_path: Path, tsa_pki: TsaPki, which: str) -> None:
    issued: Issued = getattr(tsa_pki, which)
    data = tmp_path / "bid.zip"
    data.write_bytes(b"PK\x03\x04 bid archive" * 100)
    openssl("ts", "-query", "-data", data, "-sha256", "-cert", "-out", tmp_path / "req.tsq")
    with TsaServer(authority(issued)) as srv:
        answer = requests.post(srv.url, data=(tmp_path / "req.tsq").read_bytes(), timeout=10,
                               headers={"Content-Type": "application/timestamp-query"})
    (tmp_path / "resp.tsr").write_bytes(answer.content)

    text = openssl("ts", "-reply", "-in", tmp_path / "resp.tsr", "-text").stdout.decode()
    assert "Status: Granted." in text
    assert f"Policy OID: {PRIVATE_POLICY_OID}" in text
    assert "Nonce: 0x" in text

    (tmp_path / "tsa-root.pem").write_bytes(pem(tsa_pki.root.cert))
    (tmp_path / "tsa.pem").write_bytes(pem(issued.cert))
    verify: list[str | Path] = ["ts", "-verify", "-in", tmp_path / "resp.tsr",
                                "-CAfile", tmp_path / "tsa-root.pem", "-untrusted", tmp_path / "tsa.pem"]
    assert b"Verification: OK" in openssl(*verify, "-data", data).stdout
    assert b"Verification: OK" in openssl(*verify, "-queryfile", tmp_path / "req.tsq").stdout  # nonce too

    data.write_bytes(b"changed after timestamping")
    assert openssl(*verify, "-data", data, check=False).returncode != 0


def test_a_bad_request_gets_a_rejection_openssl_can_read(tmp_path: Path, tsa_pki: TsaPki) -> None:
    tsa = authority(tsa_pki.tsa)
    (tmp_path / "resp.tsr").write_bytes(tsa.respond(b"\x30\x03\x02\x01"))
    text = openssl("ts", "-reply", "-in", tmp_path / "resp.tsr", "-text").stdout.decode()
    assert "Status: Rejected" in text
    assert "the data submitted has the wrong format" in text

    sha1_req = tsp.TimeStampReq({"version": "v1", "message_imprint": {
        "hash_algorithm": {"algorithm": "sha1"}, "hashed_message": b"\x00" * 20}}).dump()
    (tmp_path / "resp.tsr").write_bytes(tsa.respond(sha1_req))
    assert "unrecognized or unsupported algorithm" in openssl(
        "ts", "-reply", "-in", tmp_path / "resp.tsr", "-text").stdout.decode().lower()


def test_token_without_certificate_needs_the_tsa_certificate(tsa_pki: TsaPki) -> None:
    digest = hashlib.sha256(b"x").digest()
    req = tsp.TimeStampReq({"version": "v1", "message_imprint": {
        "hash_algorithm": {"algorithm": "sha256"}, "hashed_message": digest}, "cert_req": False}).dump()
    resp = tsp.TimeStampResp.load(authority(tsa_pki.tsa).respond(req))
    token = resp["time_stamp_token"].dump()
    assert resp["time_stamp_token"]["content"]["certificates"].native is None
    with pytest.raises(SignatureInvalid, match="not embedded"):
        verify_timestamp_token(token, digest=digest)
    info = verify_timestamp_token(token, digest=digest, tsa_certificate=tsa_pki.tsa.cert)
    assert info.verified and info.tsa_certificate == tsa_pki.tsa.cert


@pytest.mark.parametrize("ess", ["ess_cert_id_alg = sha256", ""], ids=["ess-v2", "ess-v1-sha1"])
def test_we_verify_tokens_made_by_openssl_ts(tmp_path: Path, tsa_pki: TsaPki, ess: str) -> None:
    (tmp_path / "tsa.pem").write_bytes(pem(tsa_pki.tsa.cert))
    (tmp_path / "tsa.key").write_bytes(key_pem(tsa_pki.tsa.key))
    (tmp_path / "serial").write_text("01\n")
    (tmp_path / "tsa.cnf").write_text(f"""
[tsa]
default_tsa = tsa_config
[tsa_config]
serial = {tmp_path}/serial
signer_cert = {tmp_path}/tsa.pem
signer_key = {tmp_path}/tsa.key
signer_digest = sha256
default_policy = 1.2.3.4.1
digests = sha256
accuracy = secs:1
{ess}
""")
    (tmp_path / "data").write_bytes(b"data stamped by openssl")
    openssl("ts", "-query", "-data", tmp_path / "data", "-sha256", "-cert", "-out", tmp_path / "req.tsq")
    openssl("ts", "-reply", "-config", tmp_path / "tsa.cnf", "-queryfile", tmp_path / "req.tsq",
            "-token_out", "-out", tmp_path / "token.der")
    token = (tmp_path / "token.der").read_bytes()
    info = verify_timestamp_token(token, data=b"data stamped by openssl")
    assert info.policy == "1.2.3.4.1" and info.tsa_certificate == tsa_pki.tsa.cert
    assert info.serial_number == int((tmp_path / "serial").read_text(), 16)  # openssl bumps, then uses
    with pytest.raises(SignatureInvalid, match="imprint"):
        verify_timestamp_token(token, data=b"other data")


# --- hostile or broken TSAs -----------------------------------------------------------------------


def _reanswer_with_nonce(tsa: TimestampAuthority, delta: int) -> Callable[[bytes, bytes], bytes]:
    def tamper(request: bytes, answer: bytes) -> bytes:
        req = tsp.TimeStampReq.load(request)
        forged = tsp.TimeStampReq({"version": "v1", "message_imprint": req["message_imprint"],
                                   "nonce": req["nonce"].native + delta, "cert_req": True})
        return tsa.respond(forged.dump())
    return tamper


def test_a_wrong_nonce_echo_is_refused(tsa_pki: TsaPki, server: TsaServer) -> None:
    server.tamper = _reanswer_with_nonce(server.tsa, 1)
    with pytest.raises(TimestampError) as exc:
        HttpTimestamper(server.url).timestamp(hashlib.sha256(b"x").digest(), "sha256")
    assert exc.value.code == "timestamp.nonce_mismatch"
    assert "nonce" in exc.value.message


def test_a_tampered_token_is_refused(tsa_pki: TsaPki, server: TsaServer) -> None:
    def tamper(request: bytes, answer: bytes) -> bytes:
        # Move the serial number (inside the signed TSTInfo) by one: a same-length edit.
        resp = tsp.TimeStampResp.load(answer)
        serial = resp["time_stamp_token"]["content"]["encap_content_info"]["content"].parsed["serial_number"]
        old = serial.dump()
        new = serial.__class__(serial.native ^ 1).dump()
        assert len(old) == len(new) and answer.count(old) == 1
        return answer.replace(old, new)

    server.tamper = tamper
    with pytest.raises(TimestampError) as exc:
        HttpTimestamper(server.url).timestamp(hashlib.sha256(b"x").digest(), "sha256")
    assert exc.value.code == "timestamp.bad_signature"


def test_an_answer_for_another_digest_is_refused(server: TsaServer) -> None:
    def tamper(request: bytes, answer: bytes) -> bytes:
        req = tsp.TimeStampReq.load(request)
        other = tsp.TimeStampReq({"version": "v1", "nonce": req["nonce"].native, "cert_req": True,
                                  "message_imprint": {"hash_algorithm": {"algorithm": "sha256"},
                                                      "hashed_message": hashlib.sha256(b"y").digest()}})
        return server.tsa.respond(other.dump())

    server.tamper = tamper
    with pytest.raises(TimestampError) as exc:
        HttpTimestamper(server.url).timestamp(hashlib.sha256(b"x").digest(), "sha256")
    assert exc.value.code == "timestamp.imprint_mismatch"


@pytest.mark.parametrize(("answer", "code"), [
    (b"<html>busy</html>", "timestamp.bad_response"),
    (b"", "timestamp.bad_response"),
    (b"\x30\x84" + b"\x00" * (2 << 20), "timestamp.bad_response"),  # oversized: refused unread
])
def test_garbage_answers_are_refused(server: TsaServer, answer: bytes, code: str) -> None:
    server.tamper = lambda request, _: answer
    with pytest.raises(TimestampError) as exc:
        HttpTimestamper(server.url).timestamp(hashlib.sha256(b"x").digest(), "sha256")
    assert exc.value.code == code


def test_truncated_answer_is_refused(server: TsaServer) -> None:
    server.tamper = lambda request, answer: answer[:-10]
    with pytest.raises(TimestampError) as exc:
        HttpTimestamper(server.url).timestamp(hashlib.sha256(b"x").digest(), "sha256")
    assert exc.value.code == "timestamp.bad_response"


def test_rejection_http_error_and_unreachable_server_have_clear_codes(server: TsaServer) -> None:
    digest = hashlib.sha256(b"x").digest()
    server.tamper = lambda request, _: server.tsa.respond(b"garbage")
    with pytest.raises(TimestampError) as exc:
        HttpTimestamper(server.url).timestamp(digest, "sha256")
    assert exc.value.code == "timestamp.rejected" and "bad_data_format" in exc.value.message

    server.tamper = None
    server.status = 503
    with pytest.raises(TimestampError) as exc:
        HttpTimestamper(server.url).timestamp(digest, "sha256")
    assert exc.value.code == "timestamp.http_status" and "503" in exc.value.message

    url = server.url
    server.httpd.shutdown()
    server.httpd.server_close()
    with pytest.raises(TimestampError) as exc:
        HttpTimestamper(url, timeout=2).timestamp(digest, "sha256")
    assert exc.value.code == "timestamp.unreachable"


def test_a_failing_timestamper_fails_the_signature_instead_of_dropping_the_timestamp(
        tsa_pki: TsaPki, server: TsaServer) -> None:
    server.tamper = _reanswer_with_nonce(server.tsa, 7)
    with pytest.raises(TimestampError):
        sign_detached(b"content", tsa_pki.signer, timestamper=HttpTimestamper(server.url))


# --- authority and token checks -------------------------------------------------------------------


def test_the_authority_refuses_a_certificate_without_critical_timestamping_eku(tsa_pki: TsaPki) -> None:
    not_tsa = issue("Not a TSA", ec.generate_private_key(ec.SECP256R1()), tsa_pki.root, ca=False)
    soft_eku = issue("Soft EKU", ec.generate_private_key(ec.SECP256R1()), tsa_pki.root, ca=False, eku=TS,
                     eku_critical=False)
    for issued in (not_tsa, soft_eku):
        with pytest.raises(TrustError) as exc:
            authority(issued)
        assert exc.value.reason == TrustError.REASON_WRONG_KEY_USAGE


def test_the_local_authority_uses_the_given_clock_serial_and_policy(tsa_pki: TsaPki) -> None:
    when = dt.datetime(2026, 5, 4, 3, 2, 1, 999, tzinfo=dt.UTC)
    tsa = authority(tsa_pki.tsa_rsa, clock=lambda: when, serial_source=lambda: 42, policy_oid="1.2.3.4.5")
    digest = hashlib.sha384(b"payload").digest()
    info = verify_timestamp_token(tsa.timestamp(digest, "SHA-384"), data=b"payload")
    assert (info.gen_time, info.serial_number, info.policy) == (when.replace(microsecond=0), 42, "1.2.3.4.5")
    assert info.hash_algorithm == "sha384" and info.nonce is None
    with pytest.raises(ValueError, match="48 bytes"):
        tsa.timestamp(digest[:32], "sha384")


def test_verify_timestamp_token_rejects_non_tokens(tsa_pki: TsaPki) -> None:
    signature = sign_detached(b"content", tsa_pki.signer)
    for bad in [b"", b"junk", signature]:
        with pytest.raises(MalformedError):
            verify_timestamp_token(bad)
