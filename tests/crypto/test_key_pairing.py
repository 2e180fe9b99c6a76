"""Dongles as CAs really issue them, on real SoftHSM tokens: only the end-entity certificate on the token
(the issuing CA is an intermediate the token lacks), several enterprises' pairs on one token, and
software dual certificates (two PKCS#12 files).

Checked with the real ``openssl cms -verify`` and ``pdfsig`` against the root alone, and by opening
envelopes with the encryption key the session chose.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID

from crypto import cms_envelope, cms_sign, errors, token_worker
from crypto.identity import uscc_check_character
from crypto.key_access import open_key, paired_encryption_certificates
from crypto.pin import PinRequest
from tests.crypto.softhsm_fixtures import MODULE, USER_PIN, Ca, KeyPair, SoftHsm, make_ca, make_softhsm

USCC_X = "91110108MA01B2C3D" + uscc_check_character("91110108MA01B2C3D")
USCC_Y = "91440300MA5F8K2L7" + uscc_check_character("91440300MA5F8K2L7")
USCC_Z = "91310115MA1H7X9Q4" + uscc_check_character("91310115MA1H7X9Q4")


def enterprise(name: str, uscc: str, cn_suffix: str = "") -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COUNTRY_NAME, "CN"),
                      x509.NameAttribute(NameOID.ORGANIZATION_NAME, name),
                      x509.NameAttribute(NameOID.ORGANIZATION_IDENTIFIER, f"NTRCN-{uscc}"),
                      x509.NameAttribute(NameOID.COMMON_NAME, name + cn_suffix)])


def issue(ca: Ca, subject: x509.Name, key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey,
          usage: str) -> x509.Certificate:
    now = dt.datetime.now(dt.UTC)
    is_rsa = isinstance(key, rsa.RSAPrivateKey)
    return (x509.CertificateBuilder().subject_name(subject).issuer_name(ca.certificate.subject)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(days=1)).not_valid_after(now + dt.timedelta(days=365))
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.KeyUsage(
                digital_signature=usage == "sign", content_commitment=usage == "sign",
                key_encipherment=usage == "enc" and is_rsa, data_encipherment=False,
                key_agreement=usage == "enc" and not is_rsa, key_cert_sign=False, crl_sign=False,
                encipher_only=False, decipher_only=False), critical=True)
            .sign(ca.key, hashes.SHA256()))


def dual(ca: Ca, key_id: int, label: str, subject: x509.Name,
         enc_subject: x509.Name | None = None) -> tuple[KeyPair, KeyPair]:
    sign_key = ec.generate_private_key(ec.SECP256R1())
    enc_key = ec.generate_private_key(ec.SECP256R1())
    return (KeyPair(bytes([key_id]), f"{label}-signing", sign_key, issue(ca, subject, sign_key, "sign"), ("sign",)),
            KeyPair(bytes([key_id + 1]), f"{label}-encryption", enc_key,
                    issue(ca, enc_subject or subject, enc_key, "enc"), ("derive",)))


@dataclass
class World:
    hsm: SoftHsm
    root: Ca
    sub: Ca
    x: tuple[KeyPair, KeyPair]  # enterprise X: signing, encryption (same subject)
    y: tuple[KeyPair, KeyPair]  # enterprise Y, same CA
    z: tuple[KeyPair, KeyPair]  # enterprise Z, only on the shared token
    odd: tuple[KeyPair, KeyPair]  # a one-holder dongle whose encryption certificate has another CN
    p12_sign: Path
    p12_enc: Path


def uri(token: str, label: str | None = None) -> str:
    text = f"pkcs11:token={token}"
    if label:
        text += f";object={label}"
    return text + f"?module-path={MODULE}"


class CountingPin:
    def __init__(self) -> None:
        self.requests: list[PinRequest] = []

    def __call__(self, request: PinRequest) -> str:
        self.requests.append(request)
        return USER_PIN


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    root_dir = tmp_path_factory.mktemp("pairing")
    hsm = make_softhsm(root_dir / "softhsm")
    root = make_ca("Pairing Root CA")
    sub = make_ca("Pairing Issuing CA", root)
    x = dual(sub, 0x01, "x", enterprise("甲公司", USCC_X))
    y = dual(sub, 0x11, "y", enterprise("乙公司", USCC_Y))
    z = dual(sub, 0x31, "z", enterprise("丁公司", USCC_Z))
    odd = dual(sub, 0x21, "odd", enterprise("丙公司", USCC_X), x509.Name(
        [x509.NameAttribute(NameOID.COMMON_NAME, "encipherment key 7")]))
    # A dongle as CAs deliver it: the two pairs, and no CA certificate.
    hsm.init_token("Solo")
    for pair in x:
        hsm.add_pair("Solo", pair)
    # An agency's shared token: three enterprises' dual pairs.
    hsm.init_token("Shared")
    for pair in (*x, *y, *z):
        hsm.add_pair("Shared", pair)
    # X's signing pair next to Y's encryption pair only: never seal X's bid to Y.
    hsm.init_token("Mixed")
    hsm.add_pair("Mixed", x[0])
    hsm.add_pair("Mixed", y[1])
    hsm.init_token("Odd")
    for pair in odd:
        hsm.add_pair("Odd", pair)
    # Software dual certificates: two PKCS#12 files, as CAs deliver software certificates.
    p12 = {}
    for pair, name in ((x[0], "signing"), (x[1], "encryption")):
        p12[name] = root_dir / f"{name}.p12"
        p12[name].write_bytes(pkcs12.serialize_key_and_certificates(
            name.encode(), pair.private_key, pair.certificate, None,
            serialization.BestAvailableEncryption(USER_PIN.encode())))
    previous = os.environ.get("SOFTHSM2_CONF")
    token_worker.shutdown_all()  # SoftHSM reads SOFTHSM2_CONF when the module is initialised
    os.environ["SOFTHSM2_CONF"] = str(hsm.conf)
    yield World(hsm, root, sub, x, y, z, odd, p12["signing"], p12["encryption"])
    token_worker.shutdown_all()
    if previous is None:
        os.environ.pop("SOFTHSM2_CONF", None)
    else:
        os.environ["SOFTHSM2_CONF"] = previous


def pem(path: Path, *certs: x509.Certificate) -> Path:
    path.write_bytes(b"".join(c.public_bytes(serialization.Encoding.PEM) for c in certs))
    return path


def openssl_verify(tmp_path: Path, content: bytes, signature: bytes, root: x509.Certificate) -> \
        subprocess.CompletedProcess[str]:
    (tmp_path / "content").write_bytes(content)
    (tmp_path / "sig.p7s").write_bytes(signature)
    return subprocess.run(["openssl", "cms", "-verify", "-binary", "-inform", "DER", "-in", str(tmp_path / "sig.p7s"),
                           "-content", str(tmp_path / "content"), "-CAfile", str(pem(tmp_path / "root.pem", root)),
                           "-purpose", "any", "-out", os.devnull], capture_output=True, text=True, check=False)


# --- §2: the chain a signature embeds ---------------------------------------------------------------


def test_a_dongle_signature_embeds_the_intermediate_from_the_trust_list_and_openssl_verifies_it(
        world: World, tmp_path: Path) -> None:
    content = b"bid manifest"
    with open_key(uri("Solo", "x-signing"), CountingPin(),
                  chain_certificates=lambda: [world.sub.certificate, world.root.certificate]) as session:
        signer = session.signer()
        signature = cms_sign.sign_detached(content, signer)
    assert signer.chain == [world.sub.certificate, world.root.certificate]
    ok = openssl_verify(tmp_path, content, signature, world.root.certificate)
    assert ok.returncode == 0, ok.stderr
    assert world.sub.certificate in cms_sign.verify_detached(content, signature).certificates

    # What the dongle alone gives: OpenSSL cannot reach the root (the bug this guards against).
    with open_key(uri("Solo", "x-signing"), CountingPin()) as session:
        bare = cms_sign.sign_detached(content, session.signer())
    refused = openssl_verify(tmp_path, content, bare, world.root.certificate)
    assert refused.returncode != 0 and "unable to get local issuer certificate" in refused.stderr


def test_the_chain_source_is_asked_only_to_sign_and_unrelated_certificates_are_not_embedded(
        world: World) -> None:
    other_ca = make_ca("Unrelated CA")
    asked: list[int] = []

    def source() -> list[x509.Certificate]:
        asked.append(1)
        return [other_ca.certificate, world.sub.certificate]

    with open_key(uri("Solo", "x-encryption"), CountingPin(), chain_certificates=source) as session:
        assert session.encryption_certificate == world.x[1].certificate
        assert asked == []
        signer = session.signer()
    assert asked == [1]
    assert signer.chain == [world.sub.certificate]  # the issuer only; its root was not offered


def test_a_pkcs12_signature_embeds_the_intermediate_too(world: World, tmp_path: Path) -> None:
    with open_key(str(world.p12_sign), CountingPin(),
                  chain_certificates=lambda: [world.sub.certificate]) as session:
        signature = cms_sign.sign_detached(b"statement", session.signer())
    ok = openssl_verify(tmp_path, b"statement", signature, world.root.certificate)
    assert ok.returncode == 0, ok.stderr


@pytest.mark.skipif(shutil.which("pdfsig") is None or shutil.which("certutil") is None,
                    reason="pdfsig and certutil (poppler-utils, libnss3-tools) are needed")
def test_a_pades_signature_by_a_dongle_verifies_with_pdfsig_and_pyhanko_against_the_root_alone(
        world: World, tmp_path: Path) -> None:
    from forms.bid_letter import render_bid_letter
    from forms.model import BidLetter
    from forms.pdf_sign import sign_form, verify_pdf
    from tests.forms.test_validation import LETTER

    rendered = render_bid_letter(BidLetter(LETTER), tmp_path / "letter.pdf")
    with open_key(uri("Solo", "x-signing"), CountingPin(),
                  chain_certificates=lambda: [world.sub.certificate, world.root.certificate]) as session:
        sign_form(rendered, tmp_path / "signed.pdf", session.signer())

    nss = tmp_path / "nss"
    nss.mkdir()
    subprocess.run(["certutil", "-N", "-d", f"sql:{nss}", "--empty-password"], check=True)
    subprocess.run(["certutil", "-A", "-d", f"sql:{nss}", "-n", "root", "-t", "CT,C,C", "-a", "-i",
                    str(pem(tmp_path / "root.pem", world.root.certificate))], check=True)
    report = subprocess.run(["pdfsig", "-nssdir", f"sql:{nss}", str(tmp_path / "signed.pdf")],
                            capture_output=True, text=True, check=False).stdout
    assert "Signature is Valid." in report, report
    assert "Certificate is Trusted." in report, report

    verification = verify_pdf(tmp_path / "signed.pdf", [world.root.certificate])
    assert verification.ok, [s.problem for s in verification.signatures]


# --- §3: which encryption pair is the bidder's own -------------------------------------------------


def envelope_to(cert: x509.Certificate) -> bytes:
    out = io.BytesIO()
    cms_envelope.encrypt(io.BytesIO(b"sealed to myself"), out, [cert], length=16)
    return out.getvalue()


@pytest.mark.parametrize("enterprise_index", [0, 1], ids=["x", "y"])
def test_on_a_shared_token_the_encryption_pair_is_the_signers_own(world: World, enterprise_index: int) -> None:
    signing, encryption = (world.x, world.y)[enterprise_index]
    pin = CountingPin()
    with open_key(uri("Shared", signing.label), pin) as session:
        assert session.signer().certificate == signing.certificate
        assert session.encryption_certificate == encryption.certificate
        opened = cms_envelope.decrypt_bytes(envelope_to(encryption.certificate), session.decrypter())
    assert opened == b"sealed to myself"
    assert len(pin.requests) == 1


def test_naming_the_encryption_pair_on_a_shared_token_signs_with_its_enterprises_signing_pair(
        world: World) -> None:
    for signing, encryption in (world.x, world.y, world.z):
        with open_key(uri("Shared", encryption.label), CountingPin()) as session:
            assert session.signer().certificate == signing.certificate
            assert session.encryption_certificate == encryption.certificate


def test_another_enterprises_encryption_pair_is_never_taken_for_the_signers(world: World) -> None:
    with open_key(uri("Mixed", "x-signing"), CountingPin()) as session:
        with pytest.raises(errors.KeyNotFound) as raised:
            _ = session.encryption_certificate
    assert raised.value.code == "token.no_paired_encryption_key"
    assert "甲公司" in raised.value.message


def test_a_one_holder_dongle_pairs_its_two_keys_whatever_their_names(world: World) -> None:
    with open_key(uri("Odd", "odd-signing"), CountingPin()) as session:
        assert session.encryption_certificate == world.odd[1].certificate


def test_enc_key_on_the_same_token_needs_no_second_pin(world: World) -> None:
    pin = CountingPin()
    with open_key(uri("Shared", "x-signing"), pin, encryption_key=uri("Shared", "y-encryption")) as session:
        assert session.encryption_certificate == world.y[1].certificate
        session.signer().sign(b"x", session.signer().supported_signature_algorithms()[0])
        opened = cms_envelope.decrypt_bytes(envelope_to(world.y[1].certificate), session.decrypter())
    assert opened == b"sealed to myself"
    assert len(pin.requests) == 1


def test_software_dual_certificates_seal_with_the_encryption_file_named(world: World) -> None:
    with open_key(str(world.p12_sign), CountingPin()) as session:
        assert session.encryption_certificate is None  # the signing file alone cannot seal to itself
    pin = CountingPin()
    with open_key(str(world.p12_sign), pin, encryption_key=str(world.p12_enc)) as session:
        assert session.signer().certificate == world.x[0].certificate
        assert session.encryption_certificate == world.x[1].certificate
        decrypter = session.decrypter(session.encryption_certificate)
        assert cms_envelope.decrypt_bytes(envelope_to(world.x[1].certificate), decrypter) == b"sealed to myself"
    assert [r.token_label for r in pin.requests] == ["signing.p12", "encryption.p12"]


def test_enc_key_naming_a_signing_only_key_is_refused(world: World) -> None:
    with pytest.raises(errors.KeyNotFound):
        with open_key(uri("Shared", "x-signing"), CountingPin(), encryption_key=uri("Shared", "y-signing")):
            pass


def test_pairing_rule_prefers_same_subject_then_same_code(world: World) -> None:
    x_sign, x_enc = (p.certificate for p in world.x)
    renamed_key = ec.generate_private_key(ec.SECP256R1())
    renamed = issue(world.sub, enterprise("甲公司", USCC_X, "（加密）"), renamed_key, "enc")
    pool = [x_sign, world.y[1].certificate, renamed, x_enc]
    assert paired_encryption_certificates(x_sign, pool) == [x_enc]
    assert paired_encryption_certificates(x_sign, [x_sign, world.y[1].certificate, renamed]) == [renamed]
    assert paired_encryption_certificates(x_sign, [x_sign, world.y[0].certificate, world.y[1].certificate]) == []


def test_the_app_shows_each_signers_own_encryption_certificate_on_a_shared_token(
        world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    from bidclient.signin import find_signed_in_key
    from crypto.modules import ENV_MODULES

    monkeypatch.setenv(ENV_MODULES, MODULE)
    for signing, encryption in (world.y, world.z):  # their signing certificates are on this token only
        key = find_signed_in_key(signing.certificate.fingerprint(hashes.SHA256()).hex())
        assert key.signing_certificate == signing.certificate
        assert key.encryption_certificate == encryption.certificate
        # The seal page opens key.uri and seals through the core, which pairs the same way.
        with open_key(key.uri, CountingPin()) as session:
            assert session.encryption_certificate == encryption.certificate
