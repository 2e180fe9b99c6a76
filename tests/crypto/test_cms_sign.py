"""Detached CMS signatures: interoperability with the real `openssl cms` both ways, and hostile input."""

from __future__ import annotations

import datetime as dt
import hashlib
import subprocess
import tracemalloc
from dataclasses import dataclass
from pathlib import Path

import pytest
from asn1crypto import cms, core
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from crypto.algorithms import SignatureAlgorithm
from crypto.cms_sign import (
    describe_signature,
    sign_detached,
    sign_detached_digest,
    verify_detached,
)
from crypto.errors import MalformedError, MechanismUnsupported, SignatureInvalid, UnsupportedAlgorithm
from crypto.software_key import PrivateKey, SoftwareKey

NOW = dt.datetime.now(dt.UTC)


# --- a small PKI, generated once per session ------------------------------------------------------


@dataclass
class Issued:
    key: PrivateKey
    cert: x509.Certificate


def _name(cn: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, "bidclient tests"),
                      x509.NameAttribute(NameOID.COMMON_NAME, cn)])


def issue(cn: str, key: PrivateKey, issuer: Issued | None, *, ca: bool,
          eku: list[x509.ObjectIdentifier] | None = None, eku_critical: bool = True) -> Issued:
    """A certificate for ``key``, self-signed when ``issuer`` is None."""
    signing_key = issuer.key if issuer else key
    builder = (x509.CertificateBuilder()
               .subject_name(_name(cn))
               .issuer_name(issuer.cert.subject if issuer else _name(cn))
               .public_key(key.public_key())
               .serial_number(x509.random_serial_number())
               .not_valid_before(NOW - dt.timedelta(days=1))
               .not_valid_after(NOW + dt.timedelta(days=365))
               .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
               .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False))
    if ca:
        builder = builder.add_extension(x509.KeyUsage(
            digital_signature=True, content_commitment=False, key_encipherment=False, data_encipherment=False,
            key_agreement=False, key_cert_sign=True, crl_sign=True, encipher_only=False, decipher_only=False),
            critical=True)
    else:
        builder = builder.add_extension(x509.KeyUsage(
            digital_signature=True, content_commitment=True, key_encipherment=False,
            data_encipherment=False, key_agreement=False, key_cert_sign=False, crl_sign=False,
            encipher_only=False, decipher_only=False),
            critical=True)
    if eku:
        builder = builder.add_extension(x509.ExtendedKeyUsage(eku), critical=eku_critical)
    if issuer:
        builder = builder.add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(
            issuer.key.public_key()), critical=False)
    return Issued(key, builder.sign(signing_key, hashes.SHA256()))


def pem(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(serialization.Encoding.PEM)


def key_pem(key: PrivateKey) -> bytes:
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())


@dataclass
class Pki:
    root: Issued
    intermediate: Issued
    leaves: dict[str, Issued]
    other_root: Issued

    def signer(self, kind: str) -> SoftwareKey:
        leaf = self.leaves[kind]
        return SoftwareKey(leaf.key, leaf.cert, [self.intermediate.cert])


@pytest.fixture(scope="session")
def pki() -> Pki:
    root = issue("Test Root CA", ec.generate_private_key(ec.SECP256R1()), None, ca=True)
    inter = issue("Test Intermediate CA", ec.generate_private_key(ec.SECP256R1()), root, ca=True)
    leaves = {
        "rsa": issue("RSA signer", rsa.generate_private_key(65537, 2048), inter, ca=False),
        "p256": issue("P-256 signer", ec.generate_private_key(ec.SECP256R1()), inter, ca=False),
        "p384": issue("P-384 signer", ec.generate_private_key(ec.SECP384R1()), inter, ca=False),
    }
    other_root = issue("Other Root", ec.generate_private_key(ec.SECP256R1()), None, ca=True,
                       eku=[ExtendedKeyUsageOID.CODE_SIGNING], eku_critical=False)
    return Pki(root, inter, leaves, other_root)


def openssl(*args: str | Path, check: bool = True) -> subprocess.CompletedProcess[bytes]:
    proc = subprocess.run(["openssl", *map(str, args)], capture_output=True, timeout=60)
    if check and proc.returncode != 0:
        command = " ".join(map(str, args))
        raise AssertionError(f"openssl {command} failed:\n{proc.stderr.decode(errors='replace')}")
    return proc


def openssl_verify(tmp_path: Path, pki: Pki, content: bytes,
                   signature: bytes) -> subprocess.CompletedProcess[bytes]:
    (tmp_path / "root.pem").write_bytes(pem(pki.root.cert))
    (tmp_path / "content.bin").write_bytes(content)
    (tmp_path / "sig.p7s").write_bytes(signature)
    return openssl("cms", "-verify", "-binary", "-inform", "DER", "-in", tmp_path / "sig.p7s",
                   "-content", tmp_path / "content.bin", "-CAfile", tmp_path / "root.pem", "-purpose", "any",
                   "-out", "/dev/null", check=False)


CASES = [
    ("rsa", SignatureAlgorithm.RSA_PKCS1V15_SHA256, "sha256"),
    ("rsa", SignatureAlgorithm.RSA_PSS_SHA256, "sha256"),
    ("p256", SignatureAlgorithm.ECDSA_SHA256, "sha256"),
    ("p384", SignatureAlgorithm.ECDSA_SHA384, "sha384"),
]


# --- ours -> OpenSSL ------------------------------------------------------------------------------


@pytest.mark.parametrize(("kind", "algorithm", "digest"), CASES, ids=[c[1].value for c in CASES])
def test_openssl_verifies_our_signature_through_the_embedded_intermediate(
        tmp_path: Path, pki: Pki, kind: str, algorithm: SignatureAlgorithm, digest: str) -> None:
    content = b"bid manifest \x00\xff" * 1000
    signature = sign_detached(content, pki.signer(kind), algorithm=algorithm)

    ok = openssl_verify(tmp_path, pki, content, signature)
    assert ok.returncode == 0, ok.stderr.decode()
    assert b"Verification successful" in ok.stderr

    tampered = bytearray(content)
    tampered[1234] ^= 0x01
    bad = openssl_verify(tmp_path, pki, bytes(tampered), signature)
    assert bad.returncode != 0
    assert b"content verify error" in bad.stderr.lower()

    info = verify_detached(content, signature)
    assert info.signer_certificate == pki.leaves[kind].cert
    assert info.digest_algorithm == digest
    assert pki.intermediate.cert in info.certificates


def test_openssl_sees_cades_attributes_and_pss_parameters(tmp_path: Path, pki: Pki) -> None:
    when = dt.datetime(2026, 3, 1, 9, 30, tzinfo=dt.UTC)
    signature = sign_detached(b"x", pki.signer("rsa"), algorithm=SignatureAlgorithm.RSA_PSS_SHA256,
                              signing_time=when)
    (tmp_path / "sig.p7s").write_bytes(signature)
    text = openssl("cms", "-cmsout", "-print", "-inform", "DER", "-in", tmp_path / "sig.p7s").stdout.decode()
    assert "id-smime-aa-signingCertificateV2" in text
    assert "signingTime" in text and "Mar  1 09:30:00 2026 GMT" in text
    assert "rsassaPss" in text and "sha256" in text and "mgf1" in text.lower()
    assert "eContent: <ABSENT>" in text
    info = verify_detached(b"x", signature)
    assert info.signing_time == when
    assert info.signature_algorithm == "rsassa_pss"


def test_the_default_algorithm_is_the_signers_preferred(pki: Pki) -> None:
    info = verify_detached(b"abc", sign_detached(b"abc", pki.signer("p384")))
    assert (info.signature_algorithm, info.digest_algorithm) == ("sha384_ecdsa", "sha384")


def test_an_algorithm_the_key_cannot_do_is_refused(pki: Pki) -> None:
    with pytest.raises(MechanismUnsupported):
        sign_detached(b"abc", pki.signer("p256"), algorithm=SignatureAlgorithm.RSA_PSS_SHA256)


def test_a_key_that_does_not_match_its_certificate_is_caught_at_signing(pki: Pki) -> None:
    wrong = SoftwareKey(pki.leaves["p256"].key, pki.leaves["p384"].cert)
    with pytest.raises(SignatureInvalid) as exc:
        sign_detached(b"abc", wrong, algorithm=SignatureAlgorithm.ECDSA_SHA256)
    assert exc.value.code == "cms.signer_key_mismatch"


def test_sign_detached_digest_equals_hashing_ourselves(tmp_path: Path, pki: Pki) -> None:
    content = b"already hashed by the caller"
    signature = sign_detached_digest(hashlib.sha384(content).digest(), "sha384", pki.signer("p384"))
    assert openssl_verify(tmp_path, pki, content, signature).returncode == 0
    with pytest.raises(ValueError, match="sha384"):
        sign_detached_digest(hashlib.sha256(content).digest(), "sha256", pki.signer("p384"))


# --- OpenSSL -> ours ------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["rsa", "p256"])
def test_we_verify_openssl_detached_signatures(tmp_path: Path, pki: Pki, kind: str) -> None:
    leaf = pki.leaves[kind]
    content = b"signed by openssl\n" * 500
    (tmp_path / "file").write_bytes(content)
    (tmp_path / "c.pem").write_bytes(pem(leaf.cert))
    (tmp_path / "k.pem").write_bytes(key_pem(leaf.key))
    (tmp_path / "chain.pem").write_bytes(pem(pki.intermediate.cert))
    openssl("cms", "-sign", "-binary", "-outform", "DER", "-in", tmp_path / "file", "-signer",
            tmp_path / "c.pem", "-inkey", tmp_path / "k.pem", "-certfile", tmp_path / "chain.pem",
            "-out", tmp_path / "sig.p7s")
    signature = (tmp_path / "sig.p7s").read_bytes()

    with (tmp_path / "file").open("rb") as stream:
        info = verify_detached(stream, signature)
    assert info.signer_certificate == leaf.cert
    assert info.signer_certificate.subject.rfc4514_string().startswith("CN=")
    assert pki.intermediate.cert in info.certificates
    assert info.signing_time is not None
    assert abs(info.signing_time - dt.datetime.now(dt.UTC)).total_seconds() < 120

    with pytest.raises(SignatureInvalid):
        verify_detached(content + b"!", signature)


@pytest.mark.parametrize("kind", ["rsa", "p256"])
def test_a_sha1_signature_is_unsupported_not_invalid(tmp_path: Path, pki: Pki, kind: str) -> None:
    # Nothing says such a signature was altered: the user must hear "unsupported", not "tampered".
    leaf = pki.leaves[kind]
    content = b"an old client's signature\n"
    (tmp_path / "file").write_bytes(content)
    (tmp_path / "c.pem").write_bytes(pem(leaf.cert))
    (tmp_path / "k.pem").write_bytes(key_pem(leaf.key))
    openssl("cms", "-sign", "-binary", "-outform", "DER", "-in", tmp_path / "file", "-signer",
            tmp_path / "c.pem", "-inkey", tmp_path / "k.pem", "-md", "sha1", "-out", tmp_path / "sig.p7s")
    with pytest.raises(UnsupportedAlgorithm, match="sha1"):
        verify_detached(content, (tmp_path / "sig.p7s").read_bytes())


def test_an_sm2_signature_is_unsupported_not_invalid(pki: Pki) -> None:
    signature = sign_detached(b"content", pki.signer("p256"))

    def sm2(info: cms.ContentInfo, si: cms.SignerInfo) -> None:
        si["signature_algorithm"] = {"algorithm": "1.2.156.10197.1.501"}  # SM2 with SM3 (GM/T 0006)

    with pytest.raises(UnsupportedAlgorithm, match=r"1\.2\.156\.10197\.1\.501"):
        verify_detached(b"content", _edit_signer_info(signature, sm2))


def test_we_parse_openssl_streamed_ber_signatures(tmp_path: Path, pki: Pki) -> None:
    leaf = pki.leaves["rsa"]
    (tmp_path / "file").write_bytes(b"streamed" * 10000)
    (tmp_path / "c.pem").write_bytes(pem(leaf.cert))
    (tmp_path / "k.pem").write_bytes(key_pem(leaf.key))
    openssl("cms", "-sign", "-stream", "-binary", "-outform", "DER", "-in", tmp_path / "file", "-signer",
            tmp_path / "c.pem", "-inkey", tmp_path / "k.pem", "-out", tmp_path / "sig.p7s")
    signature = (tmp_path / "sig.p7s").read_bytes()
    assert signature[1] == 0x80, "expected BER indefinite length from -stream"
    # -stream with DER output embeds the content: it parses, but is not taken for a detached signature
    assert describe_signature(signature).signer_certificate == leaf.cert
    with pytest.raises(MalformedError, match="detached"):
        verify_detached(b"streamed" * 10000, signature)


def test_openssl_cades_signature_with_ess_attribute_verifies(tmp_path: Path, pki: Pki) -> None:
    leaf = pki.leaves["p256"]
    (tmp_path / "file").write_bytes(b"cades")
    (tmp_path / "c.pem").write_bytes(pem(leaf.cert))
    (tmp_path / "k.pem").write_bytes(key_pem(leaf.key))
    openssl("cms", "-sign", "-cades", "-binary", "-outform", "DER", "-in", tmp_path / "file", "-signer",
            tmp_path / "c.pem", "-inkey", tmp_path / "k.pem", "-out", tmp_path / "sig.p7s")
    assert verify_detached(b"cades", (tmp_path / "sig.p7s").read_bytes()).signer_certificate == leaf.cert


def test_an_attached_openssl_signature_is_not_taken_for_a_detached_one(tmp_path: Path, pki: Pki) -> None:
    leaf = pki.leaves["p256"]
    (tmp_path / "file").write_bytes(b"inside")
    (tmp_path / "c.pem").write_bytes(pem(leaf.cert))
    (tmp_path / "k.pem").write_bytes(key_pem(leaf.key))
    openssl("cms", "-sign", "-nodetach", "-binary", "-outform", "DER", "-in", tmp_path / "file", "-signer",
            tmp_path / "c.pem", "-inkey", tmp_path / "k.pem", "-out", tmp_path / "sig.p7s")
    with pytest.raises(MalformedError, match="detached"):
        verify_detached(b"inside", (tmp_path / "sig.p7s").read_bytes())


# --- what other implementations write --------------------------------------------------------------


def _tlv(tag: int, body: bytes) -> bytes:
    n = len(body)
    if n < 0x80:
        return bytes([tag, n]) + body
    length = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes([tag, 0x80 | len(length)]) + length + body


def _resign_with_attributes(signature: bytes, signer: SoftwareKey, extra: list[bytes]) -> tuple[bytes, bytes]:
    """``signature`` with ``extra`` encoded attributes added and all of them in reverse order (not the
    DER order of a SET OF), signed over exactly those bytes. Returns the signature and the attributes."""
    info = cms.ContentInfo.load(signature)
    sd = info["content"]
    si = sd["signer_infos"][0]
    attrs = [a.dump() for a in si["signed_attrs"]] + extra
    body = b"".join(reversed(attrs))
    assert body != b"".join(sorted(attrs))
    value = signer.sign(_tlv(0x31, body), SignatureAlgorithm.ECDSA_SHA256)
    signer_info = _tlv(0x30, si["version"].dump() + si["sid"].dump() + si["digest_algorithm"].dump()
                       + _tlv(0xA0, body) + si["signature_algorithm"].dump() + _tlv(0x04, value))
    signed_data = cms.SignedData({
        "version": sd["version"], "digest_algorithms": sd["digest_algorithms"],
        "encap_content_info": sd["encap_content_info"], "certificates": sd["certificates"],
        "signer_infos": cms.SignerInfos([cms.SignerInfo.load(signer_info)]),
    })
    out = cms.ContentInfo({"content_type": "signed_data", "content": signed_data}).dump()
    assert body in out  # the attributes as signed, not re-sorted on the way
    return out, body


def test_signed_attributes_are_checked_as_received_including_unknown_ones(tmp_path: Path, pki: Pki) -> None:
    # What Mozilla NSS does: Microsoft's encryption-key preference (1.3.6.1.4.1.311.16.4), an
    # IssuerAndSerialNumber that asn1crypto cannot parse, among the signed attributes. Here also in an
    # order that is not DER's, so re-encoding them before checking would break the signature.
    signer = pki.signer("p256")
    content = b"signed elsewhere\n" * 10
    leaf = asn1_x509.Certificate.load(pki.leaves["p256"].cert.public_bytes(serialization.Encoding.DER))
    names = cms.IssuerAndSerialNumber({"issuer": leaf.issuer, "serial_number": leaf.serial_number})
    ms_preference = _tlv(0x30, core.ObjectIdentifier("1.3.6.1.4.1.311.16.4").dump() + _tlv(0x31, names.dump()))
    signature, _signed = _resign_with_attributes(sign_detached(content, signer), signer, [ms_preference])
    assert openssl_verify(tmp_path, pki, content, signature).returncode == 0  # a valid signature
    info = verify_detached(content, signature)
    assert info.signer_certificate == pki.leaves["p256"].cert
    # The unknown attribute is covered: change a byte of it (the serial's last) and the signature fails.
    at = signature.index(ms_preference) + len(ms_preference) - 1
    altered = signature[:at] + bytes([signature[at] ^ 1]) + signature[at + 1:]
    with pytest.raises(SignatureInvalid, match="does not verify"):
        verify_detached(content, altered)


# --- tampering and hostile input ------------------------------------------------------------------


def _edit_signer_info(signature: bytes, edit: object) -> bytes:
    info = cms.ContentInfo.load(signature)
    si = info["content"]["signer_infos"][0]
    edit(info, si)  # type: ignore[operator]
    return cms.ContentInfo.load(info.dump(force=True)).dump()


def test_tampered_content_is_signature_invalid(pki: Pki) -> None:
    signature = sign_detached(b"price: 100", pki.signer("rsa"))
    with pytest.raises(SignatureInvalid, match="message digest"):
        verify_detached(b"price: 900", signature)


def test_a_tampered_signed_attribute_is_signature_invalid(pki: Pki) -> None:
    signature = sign_detached(b"content", pki.signer("p256"),
                              signing_time=dt.datetime(2026, 1, 1, tzinfo=dt.UTC))

    def backdate(info: cms.ContentInfo, si: cms.SignerInfo) -> None:
        attrs = [a for a in si["signed_attrs"] if a["type"].native != "signing_time"]
        earlier = cms.Time({"utc_time": dt.datetime(2025, 1, 1, tzinfo=dt.UTC)})
        attrs.append(cms.CMSAttribute({"type": "signing_time", "values": [earlier]}))
        si["signed_attrs"] = cms.CMSAttributes(attrs)

    with pytest.raises(SignatureInvalid, match="does not verify"):
        verify_detached(b"content", _edit_signer_info(signature, backdate))


def test_a_flipped_signature_bit_is_signature_invalid(pki: Pki) -> None:
    signature = sign_detached(b"content", pki.signer("rsa"))

    def flip(info: cms.ContentInfo, si: cms.SignerInfo) -> None:
        value = bytearray(si["signature"].native)
        value[10] ^= 0x80
        si["signature"] = bytes(value)

    with pytest.raises(SignatureInvalid):
        verify_detached(b"content", _edit_signer_info(signature, flip))


def test_another_certificate_with_the_same_issuer_and_serial_is_signature_invalid(pki: Pki) -> None:
    # An impostor certificate claiming the signer's issuer and serial but carrying another key.
    leaf = pki.leaves["p256"]
    impostor_key = ec.generate_private_key(ec.SECP256R1())
    impostor = (x509.CertificateBuilder().subject_name(leaf.cert.subject).issuer_name(leaf.cert.issuer)
                .public_key(impostor_key.public_key()).serial_number(leaf.cert.serial_number)
                .not_valid_before(NOW).not_valid_after(NOW + dt.timedelta(days=1))
                .sign(impostor_key, hashes.SHA256()))
    signature = sign_detached(b"content", pki.signer("p256"))

    def swap(info: cms.ContentInfo, si: cms.SignerInfo) -> None:
        der = impostor.public_bytes(serialization.Encoding.DER)
        info["content"]["certificates"] = [cms.CertificateChoices({"certificate": cms.Certificate.load(der)})]

    with pytest.raises(SignatureInvalid, match="signing-certificate"):
        verify_detached(b"content", _edit_signer_info(signature, swap))


def test_a_signature_without_its_signer_certificate_is_signature_invalid(pki: Pki) -> None:
    signature = sign_detached(b"content", pki.signer("p256"))

    def drop(info: cms.ContentInfo, si: cms.SignerInfo) -> None:
        der = pki.other_root.cert.public_bytes(serialization.Encoding.DER)
        info["content"]["certificates"] = [cms.CertificateChoices({"certificate": cms.Certificate.load(der)})]

    with pytest.raises(SignatureInvalid, match="not embedded"):
        verify_detached(b"content", _edit_signer_info(signature, drop))


def test_a_wrong_content_type_attribute_is_signature_invalid(pki: Pki) -> None:
    signature = sign_detached(b"content", pki.signer("p256"))

    def retype(info: cms.ContentInfo, si: cms.SignerInfo) -> None:
        info["content"]["encap_content_info"] = {"content_type": "enveloped_data"}

    with pytest.raises(SignatureInvalid, match="content-type"):
        verify_detached(b"content", _edit_signer_info(signature, retype))


def test_garbage_truncated_and_non_signed_data_are_malformed(tmp_path: Path, pki: Pki) -> None:
    signature = sign_detached(b"content", pki.signer("rsa"))
    (tmp_path / "c.pem").write_bytes(pem(pki.leaves["rsa"].cert))
    (tmp_path / "file").write_bytes(b"secret")
    openssl("cms", "-encrypt", "-binary", "-outform", "DER", "-aes256", "-in", tmp_path / "file",
            "-out", tmp_path / "env.p7m", tmp_path / "c.pem")
    enveloped = (tmp_path / "env.p7m").read_bytes()

    for bad in [b"", b"not a signature at all", b"\x30\x82\xff\xff" + b"\x00" * 20, signature[:-1],
                signature[: len(signature) // 2], signature + b"trailing", enveloped]:
        with pytest.raises(MalformedError):
            verify_detached(b"content", bad)
        with pytest.raises(MalformedError):
            describe_signature(bad)
    with pytest.raises(MalformedError, match="enveloped_data"):
        verify_detached(b"secret", enveloped)


def test_describe_signature_reports_signer_without_content(pki: Pki) -> None:
    signature = sign_detached(b"content", pki.signer("p384"))
    info = describe_signature(signature)
    assert info.signer_certificate == pki.leaves["p384"].cert
    assert info.verified is False and info.timestamp is None
    assert len(info.certificates) == 2


# --- streaming ------------------------------------------------------------------------------------


def test_signing_and_verifying_a_large_file_uses_bounded_memory(tmp_path: Path, pki: Pki) -> None:
    big = tmp_path / "big.bin"
    block = hashlib.sha256(b"seed").digest() * (1 << 15)  # 1 MiB
    with big.open("wb") as f:
        for _ in range(40):
            f.write(block)
    signer = pki.signer("p256")

    tracemalloc.start()
    try:
        with big.open("rb") as f:
            signature = sign_detached(f, signer)
        with big.open("rb") as f:
            verify_detached(f, signature)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 8 * (1 << 20), f"peak {peak / 2**20:.1f} MiB for a 40 MiB file"
    assert openssl_verify(tmp_path, pki, big.read_bytes(), signature).returncode == 0
