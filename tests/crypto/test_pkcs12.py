"""PKCS#12 files as keys: passwords, interop with OpenSSL-made files, the KeySession around them."""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.serialization import pkcs12

from crypto import errors
from crypto.algorithms import KeyTransport, SignatureAlgorithm
from crypto.key_access import open_key
from crypto.pin import PinRequest
from crypto.pkcs12 import load_pkcs12
from tests.crypto.softhsm_fixtures import Ca, make_ca, make_leaf

PASSWORD = "p12 密码 pass"


@dataclass
class P12:
    path: Path
    key: rsa.RSAPrivateKey
    certificate: x509.Certificate
    root: Ca
    sub: Ca


class Answer:
    def __init__(self, password: str | None) -> None:
        self.password = password
        self.requests: list[PinRequest] = []

    def __call__(self, request: PinRequest) -> str | None:
        self.requests.append(request)
        return self.password


@pytest.fixture(scope="module")
def p12(tmp_path_factory: pytest.TempPathFactory) -> P12:
    root = make_ca("P12 Root")
    sub = make_ca("P12 Sub", root)
    key = rsa.generate_private_key(65537, 2048)
    # No keyUsage-restricted pair here: a single software key that signs and decrypts.
    certificate = make_leaf(sub, "Enterprise P12", key, "sign")
    data = pkcs12.serialize_key_and_certificates(
        b"enterprise", key, certificate, [sub.certificate, root.certificate],
        serialization.BestAvailableEncryption(PASSWORD.encode()))
    path = tmp_path_factory.mktemp("p12") / "enterprise.p12"
    path.write_bytes(data)
    return P12(path, key, certificate, root, sub)


def test_load_with_the_right_password(p12: P12) -> None:
    answer = Answer(PASSWORD)
    contents = load_pkcs12(p12.path, answer)
    assert [(r.for_file, r.token_label) for r in answer.requests] == [(True, "enterprise.p12")]
    assert contents.key.certificate == p12.certificate
    assert contents.key.chain == [p12.sub.certificate, p12.root.certificate]
    signature = contents.key.sign(b"bid", SignatureAlgorithm.RSA_PKCS1V15_SHA256)
    p12.key.public_key().verify(signature, b"bid", padding.PKCS1v15(), hashes.SHA256())


def test_wrong_password_is_a_key_file_error_asked_once(p12: P12) -> None:
    answer = Answer("hunter2-xyz")
    with pytest.raises(errors.KeyFileError, match="password is wrong") as raised:
        load_pkcs12(p12.path, answer)
    assert raised.value.code == "token.key_file"
    assert "hunter2-xyz" not in raised.value.message
    assert len(answer.requests) == 1


def test_cancelled_password(p12: P12) -> None:
    with pytest.raises(errors.PinCancelled):
        load_pkcs12(p12.path, Answer(None))


@pytest.mark.parametrize("content", [b"", b"\x30\x82\xff\xff garbage", b"-----BEGIN CERTIFICATE-----\n"])
def test_not_a_pkcs12_file(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "bad.p12"
    path.write_bytes(content)
    with pytest.raises(errors.KeyFileError):
        load_pkcs12(path, Answer("x"))


def test_certificate_only_file_is_refused(tmp_path: Path, p12: P12) -> None:
    path = tmp_path / "certs.p12"
    path.write_bytes(pkcs12.serialize_key_and_certificates(b"c", None, None, [p12.certificate],
                                                           serialization.NoEncryption()))
    with pytest.raises(errors.KeyFileError, match="no private key"):
        load_pkcs12(path, Answer(None))


def test_openssl_made_file_opens(tmp_path: Path) -> None:
    """A .pfx as a CA or Windows export makes it (here: OpenSSL 3, AES-256 + PBKDF2)."""
    ca = make_ca("OpenSSL Root")
    key = ec.generate_private_key(ec.SECP256R1())
    cert = make_leaf(ca, "EC enterprise", key, "sign")
    (tmp_path / "key.pem").write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                                         serialization.PrivateFormat.PKCS8,
                                                         serialization.NoEncryption()))
    (tmp_path / "cert.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    (tmp_path / "ca.pem").write_bytes(ca.certificate.public_bytes(serialization.Encoding.PEM))
    subprocess.run(["openssl", "pkcs12", "-export", "-inkey", "key.pem", "-in", "cert.pem",
                    "-certfile", "ca.pem", "-out", "key.pfx", "-passout", "pass:secret"],
                   cwd=tmp_path, check=True, capture_output=True)
    with open_key(str(tmp_path / "key.pfx"), Answer("secret")) as session:
        signer = session.signer()
        assert signer.chain == [ca.certificate]
        signature = signer.sign(b"bid", SignatureAlgorithm.ECDSA_SHA256)
        assert session.encryption_certificate is None  # keyUsage says signing only
    key.public_key().verify(signature, b"bid", ec.ECDSA(hashes.SHA256()))


def test_open_key_session_over_a_file(tmp_path: Path) -> None:
    ca = make_ca("Both Root")
    key = rsa.generate_private_key(65537, 2048)
    builder_cert = make_leaf(ca, "Both", key, "enc")
    path = tmp_path / "enc.p12"
    path.write_bytes(pkcs12.serialize_key_and_certificates(
        b"e", key, builder_cert, None, serialization.BestAvailableEncryption(b"pw")))
    answer = Answer("pw")
    with open_key(str(path), answer) as session:
        assert session.encryption_certificate == builder_cert
        decrypter = session.decrypter()
        wrapped = key.public_key().encrypt(b"k" * 32, padding.PKCS1v15())
        assert decrypter.decrypt_key_transport(wrapped, KeyTransport.RSA_PKCS1V15) == b"k" * 32
        with pytest.raises(errors.KeyNotFound, match="no signing key"):
            session.signer()
    assert len(answer.requests) == 1
