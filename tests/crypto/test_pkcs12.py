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


# --- the decoder that keeps the desktop app responsive (crypto/pkcs12.py) ---------------------------


def _openssl_export(tmp_path: Path, key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey, cert: x509.Certificate,
                    extra: list[str]) -> Path:
    (tmp_path / "key.pem").write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                                         serialization.PrivateFormat.PKCS8,
                                                         serialization.NoEncryption()))
    (tmp_path / "cert.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    subprocess.run(["openssl", "pkcs12", "-export", "-inkey", "key.pem", "-in", "cert.pem", "-out", "key.pfx",
                    "-passout", f"pass:{PASSWORD}", *extra], cwd=tmp_path, check=True, capture_output=True)
    return tmp_path / "key.pfx"


@pytest.mark.parametrize("made_by", ["cryptography", "openssl 3 (AES-256, MAC SHA-256)",
                                     "openssl 3 (AES-128, MAC SHA-512, 100000 iterations)"])
def test_usual_files_open_without_cryptographys_key_validation(
        p12: P12, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, made_by: str) -> None:
    # cryptography's load_pkcs12 validates an RSA key with primality tests while holding the GIL, which
    # froze the desktop app's window for 70-200 ms as a seal opened its key. Files in today's usual form
    # are decoded without it, to the same key and certificates.
    path, key, certificate, chain = p12.path, p12.key, p12.certificate, [p12.sub.certificate,
                                                                           p12.root.certificate]
    if made_by != "cryptography":
        extra = ([] if "AES-256" in made_by else
                 ["-keypbe", "AES-128-CBC", "-certpbe", "AES-128-CBC", "-macalg", "sha512", "-iter", "100000"])
        key, chain = rsa.generate_private_key(65537, 2048), []
        certificate = make_leaf(p12.root, "OpenSSL-made", key, "sign")
        path = _openssl_export(tmp_path, key, certificate, extra)
    expected = pkcs12.load_pkcs12(path.read_bytes(), PASSWORD.encode())

    def no_slow_path(*_args: object, **_kw: object) -> None:
        raise AssertionError("cryptography's load_pkcs12 (GIL-holding RSA validation) was used")

    monkeypatch.setattr(pkcs12, "load_pkcs12", no_slow_path)
    contents = load_pkcs12(path, Answer(PASSWORD))
    assert expected.key is not None and expected.cert is not None
    assert contents.key.certificate == certificate == expected.cert.certificate
    assert contents.certificates == [certificate, *[c.certificate for c in expected.additional_certs]]
    assert contents.key.chain == chain
    signature = contents.key.sign(b"bid", SignatureAlgorithm.RSA_PKCS1V15_SHA256)
    key.public_key().verify(signature, b"bid", padding.PKCS1v15(), hashes.SHA256())


def test_legacy_files_still_open(p12: P12, tmp_path: Path) -> None:
    # 3DES/RC2 files (older CA tools, Windows exports) go to cryptography's decoder.
    legacy = (serialization.PrivateFormat.PKCS12.encryption_builder().kdf_rounds(2048)
              .key_cert_algorithm(pkcs12.PBES.PBESv1SHA1And3KeyTripleDESCBC).hmac_hash(hashes.SHA1())  # noqa: S303 - the legacy form under test
              .build(PASSWORD.encode()))
    path = tmp_path / "legacy.p12"
    path.write_bytes(pkcs12.serialize_key_and_certificates(b"legacy", p12.key, p12.certificate,
                                                           [p12.sub.certificate], legacy))
    contents = load_pkcs12(path, Answer(PASSWORD))
    assert contents.key.certificate == p12.certificate and contents.key.chain == [p12.sub.certificate]
    with pytest.raises(errors.KeyFileError, match="password is wrong"):
        load_pkcs12(path, Answer("wrong"))


def test_a_tampered_usual_file_is_refused(p12: P12, tmp_path: Path) -> None:
    data = bytearray(p12.path.read_bytes())
    data[len(data) // 2] ^= 0x01  # inside the encrypted safes: the MAC no longer matches
    path = tmp_path / "tampered.p12"
    path.write_bytes(data)
    with pytest.raises(errors.KeyFileError):
        load_pkcs12(path, Answer(PASSWORD))


def test_an_rsa_key_whose_parts_disagree_is_refused(p12: P12, tmp_path: Path) -> None:
    # The primality tests are skipped, so the key's consistency is checked instead: a key whose CRT
    # parameters disagree with d would sign wrongly, and such signatures can give the key away.
    numbers = p12.key.private_numbers()
    bad = rsa.RSAPrivateNumbers(numbers.p, numbers.q, numbers.d, numbers.dmp1 ^ 2, numbers.dmq1, numbers.iqmp,
                                numbers.public_numbers).private_key(unsafe_skip_rsa_key_validation=True)
    path = tmp_path / "inconsistent.p12"
    path.write_bytes(pkcs12.serialize_key_and_certificates(
        b"bad", bad, p12.certificate, None, serialization.BestAvailableEncryption(PASSWORD.encode())))
    with pytest.raises(errors.KeyFileError):
        load_pkcs12(path, Answer(PASSWORD))
