"""Mozilla NSS (`cmsutil`, Debian's libnss3-tools) as a second CMS peer beside OpenSSL, both ways.

NSS is the CMS code behind Thunderbird and many government clients. What NSS 3.87 (Debian 12) does, as
these tests and docs/keys-and-trust.md record it:

- signatures: `cmsutil -S` signs with SHA-256 and adds, besides content type, message digest and (``-G``)
  signing time, the encryption-key-preference attributes of RFC 5751 and of Microsoft
  (1.3.6.1.4.1.311.16.4), and with ``-P`` S/MIME capabilities. It verifies bidclient's signatures:
  RSA PKCS#1 v1.5, RSA-PSS and ECDSA, made with a PKCS#12 file or a dongle (SoftHSM).
- envelopes: `cmsutil -E` writes EnvelopedData with AES-128-CBC and RSA PKCS#1 v1.5 key transport and
  cannot envelope to an EC certificate (SEC_ERROR_INVALID_ALGORITHM). `cmsutil -D` reads EnvelopedData
  with AES-CBC and PKCS#1 v1.5 key transport only: not AuthEnvelopedData, RSAES-OAEP or ECDH key
  agreement, so it opens what bidclient writes only with ``Recipient(cert, KeyTransport.RSA_PKCS1V15)``
  and ``ContentCipher.AES_256_CBC``.
"""

from __future__ import annotations

import io
import os
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from asn1crypto import cms
from cryptography import x509

from bidclient.cli.main import main
from crypto import token_worker
from crypto.algorithms import KeyTransport, SignatureAlgorithm
from crypto.cms_envelope import ContentCipher, Recipient, decrypt_file, describe, encrypt
from crypto.cms_sign import sign_detached, verify_detached
from crypto.errors import SignatureInvalid
from crypto.key_access import open_key
from crypto.pin import PinRequest
from devtools.pki import DevPki

_MS_ENCRYPTION_KEY_PREFERENCE = "1.3.6.1.4.1.311.16.4"
_TRUSTED_CAS = ("rsa-ca", "ec-root", "ec-sub")


# --- NSS databases -------------------------------------------------------------------------------


def _run(*args: str | Path, check: bool = True) -> subprocess.CompletedProcess[bytes]:
    proc = subprocess.run([str(a) for a in args], capture_output=True, stdin=subprocess.DEVNULL, timeout=120,
                          check=False)
    if check and proc.returncode != 0:
        raise AssertionError(f"{' '.join(map(str, args))} failed ({proc.returncode}):\n"
                             f"{proc.stdout.decode(errors='replace')}{proc.stderr.decode(errors='replace')}")
    return proc


@dataclass(frozen=True)
class NssDb:
    """An NSS certificate database (no password) trusting the dev PKI's CAs, with one party's keys."""

    directory: Path
    nickname: str | None  # the party's certificates' (NSS gives certificates of one subject one nickname)

    @property
    def spec(self) -> str:
        return f"sql:{self.directory}"

    def cmsutil(self, *args: str | Path, check: bool = True) -> subprocess.CompletedProcess[bytes]:
        return _run("cmsutil", *args, "-d", self.spec, check=check)


NssDbs = Callable[[str | None], NssDb]


@pytest.fixture(scope="module")
def nss(pki: DevPki, tmp_path_factory: pytest.TempPathFactory) -> NssDbs:
    """``nss(party)``: a database holding ``party``'s signing and encryption keys (imported from its
    PKCS#12 files, as a Thunderbird user would), or no key for None; made once per party.

    Both certificates share the party's subject, so NSS lists them under one nickname and picks the
    right one by usage: signing, or the encryption-key preference and decryption.
    """
    made: dict[str | None, NssDb] = {}

    def get(name: str | None) -> NssDb:
        if name not in made:
            folder = tmp_path_factory.mktemp("nssdb")
            _run("certutil", "-N", "-d", f"sql:{folder}", "--empty-password")
            for ca in _TRUSTED_CAS:
                _run("certutil", "-A", "-d", f"sql:{folder}", "-n", ca, "-t", "CT,C,C",
                     "-i", pki.ca(ca).certificate)
            nickname = None
            if name is not None:
                party = pki.party(name)
                for p12 in filter(None, (party.signing_p12, party.encryption_p12)):
                    _run("pk12util", "-i", p12, "-d", f"sql:{folder}", "-W", party.p12_password, "-K", "")
                listed = _run("certutil", "-L", "-d", f"sql:{folder}").stdout.decode()
                (nickname,) = {line.rsplit(None, 1)[0].strip() for line in listed.splitlines()
                               if line.rstrip().endswith("u,u,u")}
            made[name] = NssDb(folder, nickname)
        return made[name]

    return get


@pytest.fixture
def dev_tokens(pki: DevPki) -> None:
    """The dev PKI's SoftHSM tokens (another module's fixture may have pointed SoftHSM elsewhere)."""
    assert pki.softhsm_conf is not None
    if os.environ.get("SOFTHSM2_CONF") != str(pki.softhsm_conf):
        token_worker.shutdown_all()  # SoftHSM reads SOFTHSM2_CONF when the module is initialised
        os.environ["SOFTHSM2_CONF"] = str(pki.softhsm_conf)


def _pin_of(pki: DevPki) -> Callable[[PinRequest], str]:
    return lambda _request: pki.user_pin


def _bidclient(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path,
               *args: str | Path) -> tuple[int, str, str]:
    """`bidclient ARGS` in this process, in English, without the user's configuration."""
    monkeypatch.setenv("BIDCLIENT_LANG", "en")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    monkeypatch.delenv("BIDCLIENT_TRUST", raising=False)
    capsys.readouterr()
    try:
        status = main([str(a) for a in args])
    except SystemExit as ex:
        status = int(ex.code or 0)
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err
    return status, captured.out, captured.err


def _attribute_types(signature: bytes) -> list[str]:
    signer_info = cms.ContentInfo.load(signature)["content"]["signer_infos"][0]
    return [attr["type"].dotted for attr in signer_info["signed_attrs"]]


# --- NSS -> bidclient: signatures ------------------------------------------------------------------

# (party, cmsutil options); ent-a signs with RSA, ent-a-ec with ECDSA P-256 (the case of issue 14).
NSS_SIGNATURES = {
    "ecdsa-default": ("ent-a-ec", ["-G"]),
    "ecdsa-smime-capabilities": ("ent-a-ec", ["-G", "-P"]),
    "ecdsa-sha384": ("ent-a-ec", ["-G", "-H", "SHA384"]),
    "rsa-default": ("ent-a", ["-G"]),
    "rsa-smime-capabilities": ("ent-a", ["-G", "-P"]),
}


def _nss_sign(nss: NssDbs, pki: DevPki, party: str, options: list[str],
              content: Path, out: Path) -> None:
    db = nss(party)
    assert db.nickname is not None
    db.cmsutil("-S", "-T", "-N", db.nickname, *options, "-i", content, "-o", out)


@pytest.mark.parametrize("case", list(NSS_SIGNATURES))
def test_we_verify_nss_signatures_with_its_default_attributes(nss: NssDbs, pki: DevPki,
                                                              tmp_path: Path, case: str) -> None:
    party, options = NSS_SIGNATURES[case]
    content = tmp_path / "tender.pdf"
    content.write_bytes(os.urandom(70_001))
    signature = tmp_path / "tender.pdf.p7s"
    _nss_sign(nss, pki, party, options, content, signature)
    # The attribute that asn1crypto cannot parse is there, so this test is about it.
    assert _MS_ENCRYPTION_KEY_PREFERENCE in _attribute_types(signature.read_bytes())
    info = verify_detached(content.read_bytes(), signature.read_bytes())
    expected = x509.load_pem_x509_certificate(pki.party(party).signing_cert.read_bytes())
    assert info.signer_certificate == expected
    assert info.signing_time is not None
    assert info.digest_algorithm == ("sha384" if "SHA384" in options else "sha256")


def test_nss_signature_verifies_in_the_cli(nss: NssDbs, pki: DevPki, tmp_path: Path,
                                           monkeypatch: pytest.MonkeyPatch,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    content = tmp_path / "bid.txt"
    content.write_text("投标函\n", encoding="utf-8")
    signature = tmp_path / "bid.txt.p7s"
    _nss_sign(nss, pki, "ent-a-ec", ["-G"], content, signature)
    status, out, err = _bidclient(monkeypatch, capsys, tmp_path, "verify", content, "--signature", signature,
                                  "--trust", pki.trust_dir)
    assert status == 0, err
    assert "intact and trusted" in out and "91110108MA01B2C3D0" in out
    status, out, err = _bidclient(monkeypatch, capsys, tmp_path, "inspect", signature)
    assert status == 0, err
    assert "CMS SignedData" in out and "sha256_ecdsa" in out


def test_an_nss_sha1_signature_is_unsupported_not_tampered(nss: NssDbs, pki: DevPki, tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch,
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    # SHA-1 was NSS's default for years; bidclient refuses it as too weak, and must say why.
    content = tmp_path / "old.txt"
    content.write_text("signed with SHA-1\n")
    signature = tmp_path / "old.txt.p7s"
    _nss_sign(nss, pki, "ent-a", ["-G", "-H", "SHA1"], content, signature)
    status, _out, err = _bidclient(monkeypatch, capsys, tmp_path, "verify", content, "--signature", signature,
                                   "--trust", pki.trust_dir)
    assert status == 1 and "[cms.unsupported_algorithm]" in err and "sha1" in err
    assert "altered" not in err


def test_tampering_with_an_nss_signature_is_caught(nss: NssDbs, pki: DevPki,
                                                   tmp_path: Path) -> None:
    content = tmp_path / "doc.bin"
    content.write_bytes(b"the original document\n" * 100)
    signature = tmp_path / "doc.p7s"
    _nss_sign(nss, pki, "ent-a-ec", ["-G", "-P"], content, signature)
    sig = signature.read_bytes()
    with pytest.raises(SignatureInvalid, match="message digest"):
        verify_detached(content.read_bytes().replace(b"original", b"0riginal", 1), sig)
    # An attribute bidclient does not read is still covered by the signature, as the bytes received:
    # change the last byte of the Microsoft attribute (the serial number it names).
    signer_info = cms.ContentInfo.load(sig)["content"]["signer_infos"][0]
    (attr,) = [a for a in signer_info["signed_attrs"] if a["type"].dotted == _MS_ENCRYPTION_KEY_PREFERENCE]
    encoded = attr.dump()
    assert sig.count(encoded) == 1
    end = sig.index(encoded) + len(encoded) - 1
    altered = sig[:end] + bytes([sig[end] ^ 1]) + sig[end + 1:]
    with pytest.raises(SignatureInvalid, match="does not verify"):
        verify_detached(content.read_bytes(), altered)


# --- bidclient -> NSS: signatures ------------------------------------------------------------------


def _nss_verify(db: NssDb, content: Path, signature: Path) -> subprocess.CompletedProcess[bytes]:
    # certUsageEmailSigner (4): the chain must lead to a CA trusted in ``db``. Without -h, cmsutil
    # exits non-zero when the signature does not verify (with -h it prints the status and exits 0).
    return db.cmsutil("-D", "-i", signature, "-c", content, "-n", "-u", "4", check=False)


@pytest.mark.parametrize("party, algorithm", [
    ("ent-a", SignatureAlgorithm.RSA_PKCS1V15_SHA256),
    ("ent-a", SignatureAlgorithm.RSA_PSS_SHA256),
    ("ent-a-ec", SignatureAlgorithm.ECDSA_SHA256),
])
def test_nss_verifies_our_pkcs12_signatures(nss: NssDbs, pki: DevPki, tmp_path: Path,
                                            party: str, algorithm: SignatureAlgorithm) -> None:
    content = tmp_path / "bid.zip"
    content.write_bytes(os.urandom(200_000))
    with open_key(str(pki.party(party).signing_p12), lambda _r: pki.parties[party].p12_password) as session:
        signature = sign_detached(content.read_bytes(), session.signer(), algorithm=algorithm)
    (tmp_path / "bid.zip.p7s").write_bytes(signature)
    verifier = nss(None)
    done = _nss_verify(verifier, content, tmp_path / "bid.zip.p7s")
    assert done.returncode == 0, done.stderr.decode(errors="replace")
    content.write_bytes(content.read_bytes()[:-1] + b"!")
    tampered = _nss_verify(verifier, content, tmp_path / "bid.zip.p7s")
    assert tampered.returncode != 0
    assert b"DigestMismatch" in tampered.stdout + tampered.stderr


@pytest.mark.parametrize("party", ["ent-a", "ent-a-ec"])
def test_nss_verifies_our_dongle_signatures(nss: NssDbs, pki: DevPki, dev_tokens: None,
                                            tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                            capsys: pytest.CaptureFixture[str], party: str) -> None:
    content = tmp_path / "manifest.json"
    content.write_text('{"tender": "ZB-2026-001"}\n')
    uri = pki.party(party).signing_uri
    assert uri is not None
    status, _out, err = _bidclient(monkeypatch, capsys, tmp_path, "sign", content, "--key", uri,
                                   "-o", tmp_path / "manifest.json.p7s")
    assert status == 0, err
    verifier = nss(None)
    done = _nss_verify(verifier, content, tmp_path / "manifest.json.p7s")
    assert done.returncode == 0, done.stderr.decode(errors="replace")
    content.write_text('{"tender": "ZB-2026-002"}\n')
    tampered = _nss_verify(verifier, content, tmp_path / "manifest.json.p7s")
    assert tampered.returncode != 0
    assert b"DigestMismatch" in tampered.stdout + tampered.stderr


# --- NSS -> bidclient: envelopes ------------------------------------------------------------------


def _nss_envelope(nss: NssDbs, pki: DevPki, party: str, content: Path,
                  out: Path) -> None:
    db = nss(party)
    assert db.nickname is not None
    db.cmsutil("-E", "-r", db.nickname, "-i", content, "-o", out)


def test_we_decrypt_nss_default_envelopes_with_the_dongle(nss: NssDbs, pki: DevPki,
                                                          dev_tokens: None, tmp_path: Path) -> None:
    plain = tmp_path / "bid.zip"
    plain.write_bytes(os.urandom(3 * 1024 * 1024 + 5))  # several of NSS's BER segments
    sealed = tmp_path / "bid.zip.p7m"
    _nss_envelope(nss, pki, "ent-a", plain, sealed)
    info = describe(io.BytesIO(sealed.read_bytes()))
    assert (info.content_type, info.cipher) == ("enveloped", ContentCipher.AES_128_CBC)
    assert [(r.kind, r.algorithm) for r in info.recipients] == [("ktri", "rsa_pkcs1v15")]
    uri = pki.party("ent-a").encryption_uri
    assert uri is not None
    with open_key(uri, _pin_of(pki)) as session:
        decrypt_file(sealed, tmp_path / "opened.zip", session.decrypter())
    assert (tmp_path / "opened.zip").read_bytes() == plain.read_bytes()


def test_nss_envelopes_in_the_cli(nss: NssDbs, pki: DevPki, tmp_path: Path,
                                  monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    plain = tmp_path / "price.txt"
    plain.write_text("报价: 1,234,567.00\n", encoding="utf-8")
    sealed = tmp_path / "price.txt.p7m"
    _nss_envelope(nss, pki, "ent-a", plain, sealed)
    status, out, err = _bidclient(monkeypatch, capsys, tmp_path, "inspect", sealed)
    assert status == 0, err
    assert "CMS EnvelopedData, aes-128-cbc" in out and "[ktri rsa_pkcs1v15]" in out
    p12 = pki.party("ent-a").encryption_p12
    assert p12 is not None
    monkeypatch.setenv("P12_PASSWORD", pki.parties["ent-a"].p12_password)
    status, out, err = _bidclient(monkeypatch, capsys, tmp_path, "decrypt", sealed, "--key", p12,
                                  "--pin-source", "env:P12_PASSWORD", "-o", tmp_path / "price.out")
    assert status == 0, err
    assert (tmp_path / "price.out").read_bytes() == plain.read_bytes()
    # Damaged stays damaged. Cut inside its head, inspect (which reads only the head) says so; cut at
    # the end, decrypt does, and writes nothing.
    (tmp_path / "head.p7m").write_bytes(sealed.read_bytes()[:200])
    status, out, err = _bidclient(monkeypatch, capsys, tmp_path, "inspect", tmp_path / "head.p7m")
    assert status == 1 and "[inspect.damaged]" in err and "truncated" in err
    (tmp_path / "cut.p7m").write_bytes(sealed.read_bytes()[:-40])
    status, _, err = _bidclient(monkeypatch, capsys, tmp_path, "decrypt", tmp_path / "cut.p7m", "--key", p12,
                                "--pin-source", "env:P12_PASSWORD", "-o", tmp_path / "cut.out")
    assert status == 1 and "[cms.malformed]" in err
    assert not (tmp_path / "cut.out").exists()


# --- bidclient -> NSS: envelopes ------------------------------------------------------------------


@pytest.mark.parametrize("definite", [True, False], ids=["der", "ber-indefinite"])
def test_nss_decrypts_our_cbc_envelopes_with_pkcs1v15_key_transport(nss: NssDbs,
                                                                    pki: DevPki, tmp_path: Path,
                                                                    definite: bool) -> None:
    # Another recipient before, which NSS must skip to find its own entry. It is RSA too: NSS 3.87
    # fails on the whole envelope (SEC_ERROR_BAD_DER) when any recipient is EC (KeyAgreeRecipientInfo).
    certs = [pki.party(name).encryption_cert for name in ("opener-1", "ent-a")]
    assert None not in certs
    other, ent_a = (x509.load_pem_x509_certificate(c.read_bytes()) for c in certs if c is not None)
    data = os.urandom(1024 * 1024 + 77)
    out = io.BytesIO()
    recipients = [Recipient(other, KeyTransport.RSA_PKCS1V15), Recipient(ent_a, KeyTransport.RSA_PKCS1V15)]
    encrypt(io.BytesIO(data), out, recipients, cipher=ContentCipher.AES_256_CBC,
            length=len(data) if definite else None)
    sealed = tmp_path / "ours.p7m"
    sealed.write_bytes(out.getvalue())
    db = nss("ent-a")
    db.cmsutil("-D", "-i", sealed, "-o", tmp_path / "plain")
    assert (tmp_path / "plain").read_bytes() == data
