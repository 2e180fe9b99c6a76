"""CMS envelopes: round trips, OpenSSL interop in both directions, tampering and hostile input."""

from __future__ import annotations

import datetime
import io
import os
import random
import subprocess
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from cryptography.x509.oid import NameOID

from crypto import token_worker
from crypto.algorithms import KeyTransport
from crypto.cms_envelope import (
    CHUNK_SIZE,
    WRITABLE_CIPHERS,
    ContentCipher,
    EnvelopeWriter,
    Recipient,
    content_key,
    decrypt_bytes,
    decrypt_file,
    decrypt_stream,
    describe,
    encrypt,
    is_envelope,
)
from crypto.errors import (
    DecryptionFailed,
    MalformedError,
    MechanismUnsupported,
    NotARecipient,
    OperationCancelled,
    UnsupportedAlgorithm,
)
from crypto.key_access import open_key
from crypto.pin import PinRequest
from crypto.software_key import SoftwareKey
from tests.crypto.softhsm_fixtures import MODULE as SOFTHSM_MODULE
from tests.crypto.softhsm_fixtures import USER_PIN as SOFTHSM_PIN
from tests.crypto.softhsm_fixtures import KeyPair, make_ca, make_leaf, make_softhsm

# --- test PKI ------------------------------------------------------------------------------------

_NOW = datetime.datetime.now(datetime.UTC)


def _name(cn: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COUNTRY_NAME, "CN"),
                      x509.NameAttribute(NameOID.ORGANIZATION_NAME, "测试 Bid Client"),
                      x509.NameAttribute(NameOID.COMMON_NAME, cn)])


def _cert(subject_key: ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey | ed25519.Ed25519PrivateKey,
          cn: str, issuer_key: ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey | ed25519.Ed25519PrivateKey,
          issuer: x509.Name | None = None, *, ca: bool = False) -> x509.Certificate:
    pub = subject_key.public_key()
    builder = (x509.CertificateBuilder()
               .subject_name(_name(cn)).issuer_name(issuer or _name(cn)).public_key(pub)
               .serial_number(x509.random_serial_number())
               .not_valid_before(_NOW - datetime.timedelta(days=1))
               .not_valid_after(_NOW + datetime.timedelta(days=30))
               .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
               .add_extension(x509.SubjectKeyIdentifier.from_public_key(pub), critical=False))
    if not ca:
        builder = builder.add_extension(
            x509.KeyUsage(digital_signature=False, content_commitment=False,
                          key_encipherment=isinstance(pub, rsa.RSAPublicKey), data_encipherment=False,
                          key_agreement=isinstance(pub, ec.EllipticCurvePublicKey), key_cert_sign=False,
                          crl_sign=False, encipher_only=False, decipher_only=False), critical=True)
    algorithm = None if isinstance(issuer_key, ed25519.Ed25519PrivateKey) else hashes.SHA256()
    return builder.sign(issuer_key, algorithm)


@dataclass
class Party:
    """A recipient: certificate, private key and their PEM files for openssl."""

    key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey
    cert: x509.Certificate
    cert_pem: Path
    key_pem: Path

    @property
    def decrypter(self) -> SoftwareKey:
        return SoftwareKey(self.key, self.cert)


@pytest.fixture(scope="session")
def pki(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Party]:
    folder = tmp_path_factory.mktemp("envelope-pki")
    ca_key = rsa.generate_private_key(65537, 2048)
    ca_cert = _cert(ca_key, "Envelope Test CA", ca_key, ca=True)
    parties: dict[str, Party] = {}
    specs: dict[str, rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey] = {
        "rsa": rsa.generate_private_key(65537, 2048),
        "rsa_selfsigned": rsa.generate_private_key(65537, 2048),
        "p256": ec.generate_private_key(ec.SECP256R1()),
        "p384": ec.generate_private_key(ec.SECP384R1()),
        "other_rsa": rsa.generate_private_key(65537, 2048),
    }
    for label, key in specs.items():
        if label == "rsa_selfsigned":
            cert = _cert(key, label, key)
        else:
            cert = _cert(key, f"Recipient {label}", ca_key, ca_cert.subject)
        cert_pem = folder / f"{label}.pem"
        key_pem = folder / f"{label}.key"
        cert_pem.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
        key_pem.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                              serialization.NoEncryption()))
        parties[label] = Party(key, cert, cert_pem, key_pem)
    return parties


# Recipient kinds: (party, key transport for RSA or None)
KINDS: dict[str, tuple[str, KeyTransport | None]] = {
    "oaep-sha1": ("rsa", None),  # the default
    "oaep-sha256": ("rsa", KeyTransport.RSA_OAEP_SHA256),
    "pkcs1v15": ("rsa_selfsigned", KeyTransport.RSA_PKCS1V15),
    "ecdh-p256": ("p256", None),
    "ecdh-p384": ("p384", None),
}


def _seal(data: bytes, recipients: list[x509.Certificate | Recipient], *,
          cipher: ContentCipher = ContentCipher.AES_256_GCM, definite: bool = True) -> bytes:
    out = io.BytesIO()
    encrypt(io.BytesIO(data), out, recipients, cipher=cipher, length=len(data) if definite else None)
    return out.getvalue()


def _openssl(*args: str | Path) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(["openssl", *map(str, args)], capture_output=True, check=False, timeout=120)


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".part"))


# --- round trips ---------------------------------------------------------------------------------


@pytest.mark.parametrize("cipher", WRITABLE_CIPHERS)
@pytest.mark.parametrize("kind", list(KINDS))
@pytest.mark.parametrize("definite", [True, False], ids=["der", "ber-indefinite"])
def test_round_trip(pki: dict[str, Party], tmp_path: Path, cipher: ContentCipher, kind: str,
                    definite: bool) -> None:
    label, kt = KINDS[kind]
    party = pki[label]
    data = os.urandom(CHUNK_SIZE + 12345)
    sealed = _seal(data, [Recipient(party.cert, kt)], cipher=cipher, definite=definite)
    assert data[:64] not in sealed
    src = tmp_path / "bid.p7m"
    src.write_bytes(sealed)
    info = decrypt_file(src, tmp_path / "bid.zip", party.decrypter)
    assert (tmp_path / "bid.zip").read_bytes() == data
    assert info.cipher is cipher
    assert info.content_type == ("auth-enveloped" if cipher is ContentCipher.AES_256_GCM else "enveloped")
    assert info.indefinite_length is (not definite)
    assert _leftovers(tmp_path) == []


@pytest.mark.parametrize("cipher", WRITABLE_CIPHERS)
@pytest.mark.parametrize("definite", [True, False], ids=["der", "ber-indefinite"])
@pytest.mark.parametrize("size", [0, 1, 15, 16, 17, CHUNK_SIZE - 1, CHUNK_SIZE, CHUNK_SIZE + 1,
                                  3 * CHUNK_SIZE + 5])
def test_sizes_at_chunk_and_block_boundaries(pki: dict[str, Party], cipher: ContentCipher, definite: bool,
                                             size: int) -> None:
    data = os.urandom(size)
    sealed = _seal(data, [pki["rsa"].cert], cipher=cipher, definite=definite)
    assert decrypt_bytes(sealed, pki["rsa"].decrypter) == data


def test_several_recipients_each_can_decrypt(pki: dict[str, Party]) -> None:
    data = b"sealed bid " * 1000
    recipients: list[x509.Certificate | Recipient] = [
        Recipient(pki["rsa"].cert, KeyTransport.RSA_OAEP_SHA256), pki["p256"].cert, pki["p384"].cert,
        Recipient(pki["rsa_selfsigned"].cert, KeyTransport.RSA_PKCS1V15)]
    for cipher in WRITABLE_CIPHERS:
        sealed = _seal(data, recipients, cipher=cipher)
        for label in ("rsa", "p256", "p384", "rsa_selfsigned"):
            assert decrypt_bytes(sealed, pki[label].decrypter) == data
        with pytest.raises(NotARecipient):
            decrypt_bytes(sealed, pki["other_rsa"].decrypter)
        info = describe(io.BytesIO(sealed))
        # DER sorts the SET OF RecipientInfo, so look each recipient up by certificate.
        found = {label: [r for r in info.recipients if r.matches(pki[label].cert)]
                 for label in ("rsa", "p256", "p384", "rsa_selfsigned", "other_rsa")}
        assert {label: [(r.kind, r.algorithm) for r in rs] for label, rs in found.items()} == {
            "rsa": [("ktri", "rsa_oaep_sha256")],
            "p256": [("kari", "ecdh-sha256kdf-aes256wrap")],
            "p384": [("kari", "ecdh-sha256kdf-aes256wrap")],
            "rsa_selfsigned": [("ktri", "rsa_pkcs1v15")],
            "other_rsa": [],
        }
        assert found["rsa"][0].issuer == pki["rsa"].cert.issuer.rfc4514_string() == (
            "CN=Envelope Test CA,O=测试 Bid Client,C=CN")
        assert found["rsa"][0].serial == pki["rsa"].cert.serial_number


class _Trickle(io.RawIOBase):
    """A download: not seekable, and each read gives at most a few kilobytes."""

    def __init__(self, data: bytes) -> None:
        super().__init__()
        self.data = memoryview(data)

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        n = min(len(buffer), len(self.data), 5000)
        buffer[:n] = self.data[:n]
        self.data = self.data[n:]
        return n


def test_decrypt_stream_opens_a_download_with_the_content_key_or_a_recipient(pki: dict[str, Party]) -> None:
    """The opening decrypts a released bid while it downloads: from a stream that cannot seek, with the
    released content key (or a recipient's key); a bid altered in transit is refused."""
    data = os.urandom(2 * CHUNK_SIZE + 12345)
    sealed = _seal(data, [pki["p256"].cert])
    key = content_key(io.BytesIO(sealed), pki["p256"].decrypter)
    for opener in (key, pki["p256"].decrypter):
        out = io.BytesIO()
        decrypt_stream(_Trickle(sealed), out, opener, size=len(sealed))  # type: ignore[arg-type]
        assert out.getvalue() == data
    damaged = bytearray(sealed)
    damaged[len(sealed) // 2] ^= 1
    with pytest.raises(DecryptionFailed):
        decrypt_stream(_Trickle(bytes(damaged)), io.BytesIO(), key)  # type: ignore[arg-type]
    with pytest.raises(DecryptionFailed):
        decrypt_stream(_Trickle(sealed), io.BytesIO(), os.urandom(32))  # type: ignore[arg-type]


def test_writer_accepts_many_small_writes(pki: dict[str, Party]) -> None:
    data = os.urandom(3 * CHUNK_SIZE + 777)
    out = io.BytesIO()
    with EnvelopeWriter(out, [pki["p256"].cert]) as writer:
        pos = 0
        step = 1
        while pos < len(data):
            writer.write(data[pos:pos + step])
            pos += step
            step = step * 3 + 1 if step < CHUNK_SIZE else 4099
        assert writer.tell() == len(data)
    assert decrypt_bytes(out.getvalue(), pki["p256"].decrypter) == data


def test_zipfile_writes_into_an_envelope(pki: dict[str, Party], tmp_path: Path) -> None:
    files = {"manifest.json": b'{"version": 1}', "docs/报价单.pdf": os.urandom(2 * CHUNK_SIZE + 3),
             "empty.txt": b""}
    sealed_path = tmp_path / "bid.p7m"
    with open(sealed_path, "wb") as dst, EnvelopeWriter(dst, [pki["rsa"].cert, pki["p384"].cert]) as writer:
        assert not writer.seekable()
        with zipfile.ZipFile(writer, "w", compression=zipfile.ZIP_DEFLATED) as zf:
            for name, content in files.items():
                zf.writestr(name, content)
    plain = tmp_path / "bid.zip"
    decrypt_file(sealed_path, plain, pki["p384"].decrypter)
    with zipfile.ZipFile(plain) as zf:
        assert zf.testzip() is None
        assert {n: zf.read(n) for n in zf.namelist()} == files


def test_encrypt_from_a_file_writes_definite_length_der(pki: dict[str, Party], tmp_path: Path) -> None:
    src = tmp_path / "plain.bin"
    src.write_bytes(os.urandom(5 * CHUNK_SIZE // 2))
    seen: list[int] = []
    with open(src, "rb") as s, open(tmp_path / "x.p7m", "wb") as d:
        encrypt(s, d, [pki["rsa"].cert], progress=seen.append)
    assert seen[-1] == src.stat().st_size and seen == sorted(seen)
    info = describe(io.BytesIO((tmp_path / "x.p7m").read_bytes()))
    assert not info.indefinite_length and info.encrypted_length == src.stat().st_size
    # A canonical DER parser accepts the whole file.
    assert _openssl("asn1parse", "-inform", "DER", "-in", tmp_path / "x.p7m", "-noout").returncode == 0


def test_writer_abandoned_by_an_exception_leaves_no_valid_envelope(pki: dict[str, Party]) -> None:
    out = io.BytesIO()
    with pytest.raises(RuntimeError), EnvelopeWriter(out, [pki["rsa"].cert]) as writer:
        writer.write(b"half of the bid")
        raise RuntimeError("disk full")
    with pytest.raises(MalformedError):
        decrypt_bytes(out.getvalue(), pki["rsa"].decrypter)


def test_writer_refuses_a_wrong_announced_length(pki: dict[str, Party]) -> None:
    writer = EnvelopeWriter(io.BytesIO(), [pki["rsa"].cert], length=10)
    with pytest.raises(ValueError, match="announced length"):
        writer.write(b"x" * 11)
    writer.write(b"x" * 5)
    with pytest.raises(ValueError, match="5 bytes written but 10"):
        writer.close()


def test_unsupported_recipient_keys_are_refused(pki: dict[str, Party]) -> None:
    ed_key = ed25519.Ed25519PrivateKey.generate()
    ed_cert = _cert(ed_key, "ed25519 recipient", ed_key)
    with pytest.raises(UnsupportedAlgorithm, match="ed25519 recipient"):
        EnvelopeWriter(io.BytesIO(), [ed_cert])
    with pytest.raises(ValueError, match="RSA recipients only"):
        EnvelopeWriter(io.BytesIO(), [Recipient(pki["p256"].cert, KeyTransport.RSA_OAEP_SHA1)])
    with pytest.raises(ValueError, match="at least one recipient"):
        EnvelopeWriter(io.BytesIO(), [])


# --- OpenSSL interop -----------------------------------------------------------------------------


@pytest.mark.parametrize("cipher", WRITABLE_CIPHERS)
@pytest.mark.parametrize("kind", list(KINDS))
@pytest.mark.parametrize("definite", [True, False], ids=["der", "ber-indefinite"])
def test_openssl_decrypts_ours(pki: dict[str, Party], tmp_path: Path, cipher: ContentCipher, kind: str,
                               definite: bool) -> None:
    label, kt = KINDS[kind]
    party = pki[label]
    data = os.urandom(CHUNK_SIZE + 4242)
    src = tmp_path / "ours.p7m"
    # Two recipients so OpenSSL must pick its own entry.
    src.write_bytes(_seal(data, [pki["other_rsa"].cert, Recipient(party.cert, kt)], cipher=cipher,
                          definite=definite))
    out = tmp_path / "plain"
    r = _openssl("cms", "-decrypt", "-inform", "DER", "-in", src, "-recip", party.cert_pem,
                 "-inkey", party.key_pem, "-binary", "-out", out)
    assert r.returncode == 0, r.stderr.decode()
    assert out.read_bytes() == data


_OPENSSL_OPTIONS: dict[str, tuple[str, list[str]]] = {
    "pkcs1v15": ("rsa", []),
    "oaep-sha1": ("rsa", ["-keyopt", "rsa_padding_mode:oaep"]),
    "oaep-sha256": ("rsa", ["-keyopt", "rsa_padding_mode:oaep", "-keyopt", "rsa_oaep_md:sha256"]),
    "ecdh-p256-sha1kdf": ("p256", []),  # OpenSSL's default KDF digest is SHA-1
    "ecdh-p256-sha256kdf": ("p256", ["-keyopt", "ecdh_kdf_md:sha256"]),
    "ecdh-p384-sha256kdf": ("p384", ["-keyopt", "ecdh_kdf_md:sha256"]),
    "ecdh-p384-sha384kdf": ("p384", ["-keyopt", "ecdh_kdf_md:sha384"]),
}


@pytest.mark.parametrize("cipher", WRITABLE_CIPHERS)
@pytest.mark.parametrize("kind", list(_OPENSSL_OPTIONS))
@pytest.mark.parametrize("stream", [False, True], ids=["der", "stream"])
def test_we_decrypt_openssl(pki: dict[str, Party], tmp_path: Path, cipher: ContentCipher, kind: str,
                            stream: bool) -> None:
    label, options = _OPENSSL_OPTIONS[kind]
    party = pki[label]
    plain = tmp_path / "plain.bin"
    plain.write_bytes(os.urandom(CHUNK_SIZE + 999))
    sealed = tmp_path / "openssl.p7m"
    r = _openssl("cms", "-encrypt", f"-{cipher.value}", "-binary", "-outform", "DER",
                 *(["-stream"] if stream else []), "-in", plain, "-out", sealed,
                 "-recip", party.cert_pem, *options)
    assert r.returncode == 0, r.stderr.decode()
    assert is_envelope(sealed)
    info = decrypt_file(sealed, tmp_path / "out.bin", party.decrypter)
    assert (tmp_path / "out.bin").read_bytes() == plain.read_bytes()
    assert info.cipher is cipher
    assert info.indefinite_length is stream


_OTHER_KEY_SIZES = [ContentCipher.AES_128_CBC, ContentCipher.AES_192_CBC, ContentCipher.AES_128_GCM,
                    ContentCipher.AES_192_GCM]


@pytest.mark.parametrize("cipher", _OTHER_KEY_SIZES, ids=lambda c: c.value)
@pytest.mark.parametrize("kind", ["pkcs1v15", "ecdh-p256-sha256kdf"])
def test_we_decrypt_openssl_aes_128_and_192(pki: dict[str, Party], tmp_path: Path, cipher: ContentCipher,
                                            kind: str) -> None:
    # `openssl cms -encrypt -aes128` (EnvelopedData) and `-aes-128-gcm` (AuthEnvelopedData); for EC the
    # key is wrapped with AES key wrap of the same size.
    label, options = _OPENSSL_OPTIONS[kind]
    party = pki[label]
    plain = tmp_path / "plain.bin"
    plain.write_bytes(os.urandom(100_003))
    sealed = tmp_path / "openssl.p7m"
    r = _openssl("cms", "-encrypt", f"-{cipher.value}", "-binary", "-outform", "DER", "-in", plain,
                 "-out", sealed, "-recip", party.cert_pem, *options)
    assert r.returncode == 0, r.stderr.decode()
    info = describe(io.BytesIO(sealed.read_bytes()))
    assert info.cipher is cipher
    assert info.content_type == ("auth-enveloped" if cipher.authenticated else "enveloped")
    decrypt_file(sealed, tmp_path / "out.bin", party.decrypter)
    assert (tmp_path / "out.bin").read_bytes() == plain.read_bytes()
    # Tampering is still caught at any key size (GCM: the tag; CBC: at worst the padding).
    if cipher.authenticated:
        damaged = bytearray(sealed.read_bytes())
        damaged[-30] ^= 1
        with pytest.raises(DecryptionFailed):
            decrypt_bytes(bytes(damaged), party.decrypter)


def test_we_decrypt_openssl_aes128_shorthand(pki: dict[str, Party], tmp_path: Path) -> None:
    plain = tmp_path / "plain.bin"
    plain.write_bytes(b"openssl -aes128\n" * 99)
    for option, cipher in (("-aes128", ContentCipher.AES_128_CBC), ("-aes192", ContentCipher.AES_192_CBC)):
        sealed = tmp_path / f"{option}.p7m"
        r = _openssl("cms", "-encrypt", option, "-binary", "-outform", "DER", "-stream", "-in", plain,
                     "-out", sealed, "-recip", pki["rsa"].cert_pem)
        assert r.returncode == 0, r.stderr.decode()
        out = tmp_path / f"{option}.out"
        assert decrypt_file(sealed, out, pki["rsa"].decrypter).cipher is cipher
        assert out.read_bytes() == plain.read_bytes()


def test_unsupported_cipher_is_unsupported_not_malformed(pki: dict[str, Party], tmp_path: Path) -> None:
    plain = tmp_path / "plain.bin"
    plain.write_bytes(b"triple DES")
    sealed = tmp_path / "des3.p7m"
    r = _openssl("cms", "-encrypt", "-des3", "-binary", "-outform", "DER", "-in", plain, "-out", sealed,
                 "-recip", pki["rsa"].cert_pem)
    assert r.returncode == 0, r.stderr.decode()
    with pytest.raises(UnsupportedAlgorithm, match="des"):
        describe(io.BytesIO(sealed.read_bytes()))
    with pytest.raises(UnsupportedAlgorithm):
        decrypt_file(sealed, tmp_path / "out.bin", pki["rsa"].decrypter)
    assert not (tmp_path / "out.bin").exists() and _leftovers(tmp_path) == []


def test_bidclient_writes_only_aes_256(pki: dict[str, Party]) -> None:
    with pytest.raises(ValueError, match="AES-256"):
        _seal(b"x", [pki["rsa"].cert], cipher=ContentCipher.AES_128_CBC)


def test_we_decrypt_openssl_subject_key_identifier_recipients(pki: dict[str, Party], tmp_path: Path) -> None:
    plain = tmp_path / "plain.bin"
    plain.write_bytes(b"addressed by key identifier")
    sealed = tmp_path / "keyid.p7m"
    r = _openssl("cms", "-encrypt", "-aes-256-gcm", "-binary", "-outform", "DER", "-keyid", "-in", plain,
                 "-out", sealed, pki["rsa"].cert_pem, pki["p256"].cert_pem)
    assert r.returncode == 0, r.stderr.decode()
    info = describe(io.BytesIO(sealed.read_bytes()))
    assert all(rec.serial is None and rec.subject_key_identifier for rec in info.recipients)
    for label in ("rsa", "p256"):
        assert decrypt_bytes(sealed.read_bytes(), pki[label].decrypter) == plain.read_bytes()
    with pytest.raises(NotARecipient):
        decrypt_bytes(sealed.read_bytes(), pki["p384"].decrypter)


# --- tampering and wrong keys --------------------------------------------------------------------


def _flip(data: bytes, index: int) -> bytes:
    b = bytearray(data)
    b[index] ^= 0x01
    return bytes(b)


def _positions(sealed: bytes, data_len: int, definite: bool) -> dict[str, int]:
    """Offsets of the first/last ciphertext byte and of a tag byte in an envelope written by us."""
    if definite:
        last = len(sealed) - 18 - 1  # the content is followed by the 18-byte mac TLV
        return {"first-ciphertext": last - data_len + 1, "last-ciphertext": last, "tag": last + 5}
    # ... a0 80 | 04 83 10 00 00 <1 MiB> ...; the end is 00 00 00 00 | 04 10 <tag> | 00 00 00 00 00 00
    first = sealed.index(b"\xa0\x80\x04\x83\x10\x00\x00") + 7
    last = len(sealed) - 28 - 1
    return {"first-ciphertext": first, "last-ciphertext": last, "tag": last + 9}


@pytest.mark.parametrize("where", ["first-ciphertext", "last-ciphertext", "tag"])
@pytest.mark.parametrize("definite", [True, False], ids=["der", "ber-indefinite"])
def test_tampered_gcm_envelope_releases_nothing(pki: dict[str, Party], tmp_path: Path, where: str,
                                                definite: bool) -> None:
    data = os.urandom(2 * CHUNK_SIZE + 100)
    sealed = _seal(data, [pki["p256"].cert], definite=definite)
    index = _positions(sealed, len(data), definite)[where]
    src = tmp_path / "bid.p7m"
    src.write_bytes(_flip(sealed, index))
    dst = tmp_path / "bid.zip"
    with pytest.raises(DecryptionFailed):
        decrypt_file(src, dst, pki["p256"].decrypter)
    assert not dst.exists()
    assert _leftovers(tmp_path) == []
    # The unmodified envelope still opens, so the flip (not the offsets) caused the failure.
    assert decrypt_bytes(sealed, pki["p256"].decrypter) == data


def test_existing_destination_survives_a_failed_decryption(pki: dict[str, Party], tmp_path: Path) -> None:
    sealed = _seal(b"new content" * 100, [pki["rsa"].cert])
    src = tmp_path / "bid.p7m"
    src.write_bytes(_flip(sealed, len(sealed) - 3))
    dst = tmp_path / "bid.zip"
    dst.write_bytes(b"previous")
    with pytest.raises(DecryptionFailed):
        decrypt_file(src, dst, pki["rsa"].decrypter)
    assert dst.read_bytes() == b"previous"
    assert _leftovers(tmp_path) == []


@pytest.mark.parametrize("cipher", WRITABLE_CIPHERS)
@pytest.mark.parametrize("label", ["rsa", "p256"])
def test_right_certificate_wrong_private_key_fails_as_one_error(pki: dict[str, Party], tmp_path: Path,
                                                                cipher: ContentCipher, label: str) -> None:
    sealed = _seal(os.urandom(5000), [pki[label].cert], cipher=cipher)
    impostor_key = (rsa.generate_private_key(65537, 2048) if label == "rsa"
                    else ec.generate_private_key(ec.SECP256R1()))
    impostor = SoftwareKey(impostor_key, pki[label].cert)
    src = tmp_path / "bid.p7m"
    src.write_bytes(sealed)
    with pytest.raises(DecryptionFailed) as caught:
        decrypt_file(src, tmp_path / "out", impostor)
    assert caught.value.code == "cms.decryption_failed"
    assert not (tmp_path / "out").exists() and _leftovers(tmp_path) == []


def test_not_a_recipient_names_the_certificate(pki: dict[str, Party], tmp_path: Path) -> None:
    src = tmp_path / "bid.p7m"
    src.write_bytes(_seal(b"x", [pki["rsa"].cert, pki["p256"].cert]))
    with pytest.raises(NotARecipient, match="Recipient other_rsa"):
        decrypt_file(src, tmp_path / "out", pki["other_rsa"].decrypter)
    assert not (tmp_path / "out").exists() and _leftovers(tmp_path) == []


def test_cancel_stops_and_leaves_nothing(pki: dict[str, Party], tmp_path: Path) -> None:
    src = tmp_path / "bid.p7m"
    src.write_bytes(_seal(os.urandom(4 * CHUNK_SIZE), [pki["rsa"].cert]))
    seen: list[int] = []
    cancel: Callable[[], bool] = lambda: len(seen) >= 2  # noqa: E731
    with pytest.raises(OperationCancelled):
        decrypt_file(src, tmp_path / "out", pki["rsa"].decrypter, progress=seen.append, cancel=cancel)
    assert len(seen) == 2 and not (tmp_path / "out").exists() and _leftovers(tmp_path) == []


def test_progress_reaches_the_file_size(pki: dict[str, Party], tmp_path: Path) -> None:
    src = tmp_path / "bid.p7m"
    src.write_bytes(_seal(os.urandom(3 * CHUNK_SIZE), [pki["rsa"].cert], definite=False))
    seen: list[int] = []
    decrypt_file(src, tmp_path / "out", pki["rsa"].decrypter, progress=seen.append)
    assert seen == sorted(seen) and src.stat().st_size - 64 < seen[-1] <= src.stat().st_size


# --- hostile input -------------------------------------------------------------------------------


@pytest.mark.parametrize("definite", [True, False], ids=["der", "ber-indefinite"])
def test_truncated_envelopes_are_malformed(pki: dict[str, Party], tmp_path: Path, definite: bool) -> None:
    sealed = _seal(os.urandom(CHUNK_SIZE + 50), [pki["rsa"].cert], definite=definite)
    for cut in (1, 2, 10, 100, 400, len(sealed) // 2, len(sealed) - 20, len(sealed) - 1):
        src = tmp_path / "cut.p7m"
        src.write_bytes(sealed[:cut])
        with pytest.raises(MalformedError):
            decrypt_file(src, tmp_path / "out", pki["rsa"].decrypter)
        assert not (tmp_path / "out").exists() and _leftovers(tmp_path) == []


def _ber_pieces(content: bytes, rng: random.Random, depth: int = 0) -> bytes:
    """``content`` as BER OCTET STRING pieces of random sizes, some empty, some nested constructed."""
    out = bytearray()
    pos = 0
    while pos < len(content):
        n = rng.choice([0, 1, 15, 16, 17, 100, 4096, 70000])
        piece = content[pos:pos + n]
        pos += len(piece)
        kind = rng.random()
        if depth < 3 and kind < 0.1:
            out += b"\x24\x80" + _ber_pieces(piece, rng, depth + 1) + b"\x00\x00"
        elif depth < 3 and kind < 0.2:
            inner = _ber_pieces(piece, rng, depth + 1)
            out += b"\x24" + _der_length(len(inner)) + inner
        else:
            out += b"\x04" + _der_length(len(piece)) + piece
    return bytes(out)


def _der_length(n: int) -> bytes:
    if n < 0x80:
        return bytes([n])
    body = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(body)]) + body


@pytest.mark.parametrize("cipher", WRITABLE_CIPHERS)
def test_any_ber_segmentation_of_the_content_is_read(pki: dict[str, Party], cipher: ContentCipher) -> None:
    data = os.urandom(300_000)
    sealed = _seal(data, [pki["rsa"].cert], cipher=cipher, definite=False)
    start = sealed.index(b"\xa0\x80\x04\x83") + 2  # our single piece: 04 83 <3 length octets>
    length = int.from_bytes(sealed[start + 2:start + 5], "big")
    ciphertext = sealed[start + 5:start + 5 + length]
    rng = random.Random(7)
    for _ in range(5):
        rebuilt = sealed[:start] + _ber_pieces(ciphertext, rng) + sealed[start + 5 + length:]
        assert rebuilt != sealed
        assert decrypt_bytes(rebuilt, pki["rsa"].decrypter) == data


def test_trailing_data_is_malformed(pki: dict[str, Party]) -> None:
    sealed = _seal(b"abc", [pki["rsa"].cert])
    with pytest.raises(MalformedError, match="after its end"):
        decrypt_bytes(sealed + b"\x00", pki["rsa"].decrypter)


_ENVELOPE_START = bytes.fromhex("30 80 06 09 2a 86 48 86 f7 0d 01 07 03")  # envelopedData, BER


@pytest.mark.parametrize("garbage, message, looks_like_envelope", [
    (b"", "empty", False),
    (b"PK\x03\x04 this is a zip, not an envelope", "does not start with", False),
    (b"-----BEGIN CMS-----\nMIAG\n-----END CMS-----\n", "PEM", False),
    (bytes.fromhex("30 89 ff ff ff ff ff ff ff ff ff"), "absurd length", False),
    (bytes.fromhex("30 84 7f ff ff ff 06 09 2a 86 48 86 f7 0d 01 07 03"), "truncated", True),
    (bytes.fromhex("30 0f 06 09 2a 86 48 86 f7 0d 01 07 02 a0 02 30 00"), "signedData", False),
    (_ENVELOPE_START + bytes.fromhex("a0 80 30 80 02 01 00 31 03 02 01 00 00 00"), "recipient list", True),
    (_ENVELOPE_START + bytes.fromhex("a0 80 30 80 02 01 00 31 00 00 00"), "no recipients", True),
    (_ENVELOPE_START + b"\xa0\x80" * 40, "expected", True),
])
def test_garbage_is_malformed(pki: dict[str, Party], garbage: bytes, message: str,
                              looks_like_envelope: bool) -> None:
    with pytest.raises(MalformedError, match=message):
        decrypt_bytes(garbage, pki["rsa"].decrypter)
    with pytest.raises(MalformedError):
        describe(io.BytesIO(garbage))
    # is_envelope only probes the first bytes, so a damaged envelope still looks like one.
    assert is_envelope(garbage) is looks_like_envelope


def test_deeply_nested_content_is_malformed(pki: dict[str, Party]) -> None:
    sealed = _seal(b"", [pki["rsa"].cert], definite=False)
    # Our empty indefinite content is "a0 80 00 00"; replace it with constructed OCTET STRINGs nested
    # 1000 deep, which BER allows in principle.
    empty = sealed.index(b"\xa0\x80\x00\x00")
    nested = b"\xa0\x80" + b"\x24\x80" * 1000 + b"\x00\x00" * 1001
    hostile = sealed[:empty] + nested + sealed[empty + 4:]
    with pytest.raises(MalformedError, match="nested too deeply"):
        decrypt_bytes(hostile, pki["rsa"].decrypter)


def test_random_bytes_never_escape_as_library_errors(pki: dict[str, Party]) -> None:
    sealed = _seal(b"hello", [pki["p256"].cert, pki["rsa"].cert], definite=False)
    rng = random.Random(1234)
    for _ in range(300):
        b = bytearray(sealed)
        for _ in range(rng.randint(1, 4)):
            b[rng.randrange(len(b))] = rng.randrange(256)
        try:
            plaintext = decrypt_bytes(bytes(b), pki["p256"].decrypter)
        except (MalformedError, DecryptionFailed, NotARecipient, UnsupportedAlgorithm):
            continue
        # A damaged envelope either opens to the very bytes sealed or is refused: never other bytes.
        assert plaintext == b"hello", f"a damaged envelope opened to {plaintext!r}"


def test_the_random_bytes_test_fails_when_a_mutation_opens_to_other_bytes(
        pki: dict[str, Party], monkeypatch: pytest.MonkeyPatch) -> None:
    """The test above can fail: with a decryption that, instead of refusing a damaged envelope, hands back
    other bytes (as an unauthenticated mode would), it fails. Refusals that are not library errors fail it
    too (they escape the except clause)."""
    real = decrypt_bytes

    def opens_to_other_bytes(data: bytes, decrypter: object) -> bytes:
        try:
            return real(data, decrypter)  # type: ignore[arg-type]
        except DecryptionFailed:
            return b"hellp"

    monkeypatch.setattr(f"{__name__}.decrypt_bytes", opens_to_other_bytes)
    with pytest.raises(AssertionError, match="a damaged envelope opened to"):
        test_random_bytes_never_escape_as_library_errors(pki)

    def leaks_a_library_error(data: bytes, decrypter: object) -> bytes:
        try:
            return real(data, decrypter)  # type: ignore[arg-type]
        except DecryptionFailed as ex:
            raise ValueError("InvalidTag") from ex

    monkeypatch.setattr(f"{__name__}.decrypt_bytes", leaks_a_library_error)
    with pytest.raises(ValueError, match="InvalidTag"):
        test_random_bytes_never_escape_as_library_errors(pki)


def test_describe_and_is_envelope(pki: dict[str, Party], tmp_path: Path) -> None:
    sealed = _seal(b"x" * 100, [pki["p384"].cert], cipher=ContentCipher.AES_256_CBC)
    info = describe(io.BytesIO(sealed))
    assert info.content_type == "enveloped" and info.cipher is ContentCipher.AES_256_CBC
    (only,) = info.recipients
    assert (only.kind, only.issuer, only.serial) == ("kari", pki["p384"].cert.issuer.rfc4514_string(),
                                                     pki["p384"].cert.serial_number)
    assert info.encrypted_length == 112
    assert is_envelope(sealed) and is_envelope(sealed[:40])
    path = tmp_path / "x.p7m"
    path.write_bytes(sealed)
    assert is_envelope(path)
    assert not is_envelope(tmp_path / "missing.p7m")
    assert not is_envelope(b"\x30\x03\x02\x01\x00")


# --- a real token (SoftHSM) ----------------------------------------------------------------------


@dataclass
class _Token:
    rsa: KeyPair
    ec: KeyPair


@pytest.fixture(scope="module")
def token(tmp_path_factory: pytest.TempPathFactory) -> Iterator[_Token]:
    hsm = make_softhsm(tmp_path_factory.mktemp("softhsm-envelope"))
    ca = make_ca("Envelope Token CA")
    rsa_key = rsa.generate_private_key(65537, 2048)
    ec_key = ec.generate_private_key(ec.SECP256R1())
    t = _Token(
        rsa=KeyPair(b"\x02", "rsa enc", rsa_key, make_leaf(ca, "Opening key RSA", rsa_key, "enc"),
                    ("decrypt",)),
        ec=KeyPair(b"\x12", "ec enc", ec_key, make_leaf(ca, "Opening key EC", ec_key, "enc"),
                   ("derive",)),
    )
    hsm.init_token("Opening RSA")
    hsm.add_pair("Opening RSA", t.rsa)
    hsm.init_token("Opening EC")
    hsm.add_pair("Opening EC", t.ec)
    previous = os.environ.get("SOFTHSM2_CONF")
    token_worker.shutdown_all()  # SoftHSM reads SOFTHSM2_CONF when the module is initialised
    os.environ["SOFTHSM2_CONF"] = str(hsm.conf)
    yield t
    token_worker.shutdown_all()
    if previous is None:
        os.environ.pop("SOFTHSM2_CONF", None)
    else:
        os.environ["SOFTHSM2_CONF"] = previous


def _token_uri(label: str) -> str:
    return f"pkcs11:token={label.replace(' ', '%20')}?module-path={SOFTHSM_MODULE}"


def _pin(request: PinRequest) -> str:
    return SOFTHSM_PIN


@pytest.mark.parametrize("kt", [None, KeyTransport.RSA_PKCS1V15], ids=["oaep-sha1-default", "pkcs1v15"])
def test_token_opens_an_envelope_by_key_transport(token: _Token, pki: dict[str, Party], tmp_path: Path,
                                                  kt: KeyTransport | None) -> None:
    data = os.urandom(CHUNK_SIZE + 1)
    src = tmp_path / "bid.p7m"
    recipients: list[x509.Certificate | Recipient] = [
        pki["p256"].cert, Recipient(token.rsa.certificate, kt), token.ec.certificate]
    src.write_bytes(_seal(data, recipients, definite=False))
    with open_key(_token_uri("Opening RSA"), _pin) as session:
        decrypt_file(src, tmp_path / "bid.zip", session.decrypter())
    assert (tmp_path / "bid.zip").read_bytes() == data


def test_token_opens_an_envelope_by_ecdh(token: _Token, tmp_path: Path) -> None:
    data = b"sealed with ECDH to a dongle"
    src = tmp_path / "bid.p7m"
    src.write_bytes(_seal(data, [token.rsa.certificate, token.ec.certificate],
                          cipher=ContentCipher.AES_256_CBC))
    with open_key(_token_uri("Opening EC"), _pin) as session:
        decrypt_file(src, tmp_path / "bid.zip", session.decrypter())
    assert (tmp_path / "bid.zip").read_bytes() == data


def test_token_without_oaep_sha256_says_so(token: _Token, tmp_path: Path) -> None:
    # SoftHSM 2.6 has no OAEP with SHA-256: the user must learn that, not get "wrong key".
    src = tmp_path / "bid.p7m"
    src.write_bytes(_seal(b"x", [Recipient(token.rsa.certificate, KeyTransport.RSA_OAEP_SHA256)]))
    with open_key(_token_uri("Opening RSA"), _pin) as session, pytest.raises(MechanismUnsupported):
        decrypt_file(src, tmp_path / "bid.zip", session.decrypter())
    assert not (tmp_path / "bid.zip").exists() and _leftovers(tmp_path) == []
