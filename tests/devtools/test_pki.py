"""The dev PKI as OpenSSL, pkcs11-tool and an OCSP client see it."""

from __future__ import annotations

import datetime as dt
import subprocess
import time
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.x509.oid import NameOID

from crypto.identity import is_valid_uscc
from devtools import pki as devpki
from devtools.ocsp import PkiServer
from devtools.pki import DevPki

GOOD = ["ent-a", "ent-a-ec", "ent-b", "expert-1", "opener-1"]


def _cert(path: Path) -> x509.Certificate:
    return x509.load_pem_x509_certificate(path.read_bytes())


def _openssl_verify(pki: DevPki, cert: Path, tmp_path: Path, *,
                    crls: bool = True) -> subprocess.CompletedProcess[str]:
    bundle = tmp_path / "trust.pem"
    bundle.write_bytes(b"".join(p.read_bytes() for p in sorted(pki.trust_dir.glob("*.pem"))))
    args = ["openssl", "verify", "-CAfile", str(bundle), "-untrusted", str(pki.ca("ec-sub").certificate)]
    if crls:
        args.append("-crl_check_all")
        for crl in sorted(pki.crl_dir.glob("*.crl.pem")):
            args += ["-CRLfile", str(crl)]
    return subprocess.run([*args, str(cert)], capture_output=True, text=True, check=False)


@pytest.mark.parametrize("name", GOOD)
def test_good_parties_verify_with_openssl_and_crls(pki: DevPki, name: str, tmp_path: Path) -> None:
    party = pki.party(name)
    for cert in (party.signing_cert, party.encryption_cert):
        if cert is None:
            continue
        result = _openssl_verify(pki, cert, tmp_path)
        assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize(("name", "openssl_error"), [
    ("bad-expired", "certificate has expired"),
    ("bad-not-yet-valid", "certificate is not yet valid"),
    ("bad-revoked-crl", "certificate revoked"),
    ("bad-rogue", "unable to get local issuer certificate"),
])
def test_bad_parties_fail_openssl_for_the_documented_reason(pki: DevPki, name: str, openssl_error: str,
                                                            tmp_path: Path) -> None:
    result = _openssl_verify(pki, pki.party(name).signing_cert, tmp_path)
    assert result.returncode != 0
    assert openssl_error in result.stdout + result.stderr


def test_revoked_only_via_ocsp_passes_the_crl_check(pki: DevPki, tmp_path: Path) -> None:
    # Its revocation is known to the OCSP responder only, which is the point of this party.
    result = _openssl_verify(pki, pki.party("bad-revoked-ocsp").signing_cert, tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize(("name", "status"), [("ent-a", "good"), ("opener-1", "good"),
                                              ("bad-revoked-ocsp", "revoked")])
def test_openssl_ocsp_client_gets_signed_answers(pki: DevPki, pki_server: PkiServer, name: str,
                                                 status: str, tmp_path: Path) -> None:
    party = pki.party(name)
    result = subprocess.run(
        ["openssl", "ocsp", "-issuer", str(pki.ca("rsa-ca").certificate), "-cert", str(party.signing_cert),
         "-url", pki.ocsp_url, "-CAfile", str(pki.ca("rsa-ca").certificate), "-timeout", "10"],
        capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    assert "Response verify OK" in result.stderr + result.stdout
    assert f"{party.signing_cert}: {status}" in result.stdout


def test_ocsp_answers_503_when_down(pki: DevPki, pki_server_down: PkiServer) -> None:
    result = subprocess.run(
        ["openssl", "ocsp", "-issuer", str(pki.ca("rsa-ca").certificate),
         "-cert", str(pki.party("ent-a").signing_cert), "-url", pki.ocsp_url, "-timeout", "5"],
        capture_output=True, text=True, check=False)
    assert result.returncode != 0


def test_usages_and_identity_placement(pki: DevPki) -> None:
    ent_a = pki.party("ent-a")
    sign = _cert(ent_a.signing_cert).extensions.get_extension_for_class(x509.KeyUsage).value
    assert sign.digital_signature and sign.content_commitment and not sign.key_encipherment
    assert ent_a.encryption_cert is not None
    enc = _cert(ent_a.encryption_cert).extensions.get_extension_for_class(x509.KeyUsage).value
    assert enc.key_encipherment and not enc.digital_signature
    ent_b = pki.party("ent-b")
    assert ent_b.encryption_cert is not None
    ecdh = _cert(ent_b.encryption_cert).extensions.get_extension_for_class(x509.KeyUsage).value
    assert ecdh.key_agreement and not ecdh.digital_signature
    wrong = _cert(pki.party("bad-wrong-usage").signing_cert).extensions.get_extension_for_class(x509.KeyUsage)
    assert not wrong.value.digital_signature

    a_rsa = _cert(ent_a.signing_cert).subject
    a_ec = _cert(pki.party("ent-a-ec").signing_cert).subject
    assert a_rsa.get_attributes_for_oid(NameOID.ORGANIZATION_IDENTIFIER)[0].value == f"NTRCN-{ent_a.uscc}"
    assert a_ec.get_attributes_for_oid(NameOID.SERIAL_NUMBER)[0].value == ent_a.uscc
    assert pki.party("ent-a-ec").uscc == ent_a.uscc
    for party in pki.parties.values():
        assert party.uscc is None or is_valid_uscc(party.uscc)


def test_tokens_hold_keys_with_the_right_usage(pki: DevPki) -> None:
    env = pki.softhsm_env()

    def objects(token: str) -> str:
        return subprocess.run(
            ["pkcs11-tool", "--module", pki.module_path, "--token-label", token, "--login",
             "--pin", pki.user_pin, "--list-objects", "--type", "privkey"],
            capture_output=True, text=True, check=True, env=env).stdout

    ent_b = objects("ent-b")
    enc_block = ent_b.split("label:      encryption", 1)[1].split("Private Key Object", 1)[0]
    assert "derive" in enc_block  # ECDH needs CKA_DERIVE
    assert "label:      signing" in objects("ent-a-rsa")


def test_token_signature_verifies_with_openssl(pki: DevPki, tmp_path: Path) -> None:
    party = pki.party("ent-a")
    data = tmp_path / "data.txt"
    data.write_bytes(b"bid manifest")
    sig = tmp_path / "data.sig"
    subprocess.run(["pkcs11-tool", "--module", pki.module_path, "--token-label", party.token_label or "",
                    "--login", "--pin", pki.user_pin, "--sign", "--mechanism", "SHA256-RSA-PKCS",
                    "--id", "01", "--input-file", str(data), "--output-file", str(sig)],
                   capture_output=True, check=True, env=pki.softhsm_env())
    pub = tmp_path / "pub.pem"
    subprocess.run(["openssl", "x509", "-in", str(party.signing_cert), "-pubkey", "-noout", "-out", str(pub)],
                   check=True)
    verify = subprocess.run(["openssl", "dgst", "-sha256", "-verify", str(pub), "-signature", str(sig),
                             str(data)], capture_output=True, text=True, check=False)
    assert verify.stdout.strip() == "Verified OK"


def test_pkcs12_opens_with_openssl_and_the_documented_password(pki: DevPki) -> None:
    party = pki.party("ent-a-ec")
    result = subprocess.run(["openssl", "pkcs12", "-in", str(party.signing_p12), "-nokeys",
                             "-passin", f"pass:{party.p12_password}"],
                            capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    assert result.stdout.count("BEGIN CERTIFICATE") == 3  # end entity + ec-sub + ec-root


def test_index_round_trips_and_uris_name_the_pin_file(pki: DevPki) -> None:
    assert devpki.load(pki.directory) == pki
    uri = pki.party("ent-a").signing_uri
    assert uri is not None and uri.startswith("pkcs11:token=ent-a-rsa;object=signing;type=private?")
    assert f"pin-source=file:{pki.pin_file}" in uri
    assert pki.pin_file.read_text() == "12345678"
    assert pki.pin_file.stat().st_mode & 0o077 == 0


def test_generate_is_fast_honours_now_and_refuses_a_used_directory(tmp_path: Path) -> None:
    now = dt.datetime(2030, 1, 2, 3, 4, 5, tzinfo=dt.UTC)
    start = time.monotonic()
    pki = devpki.generate(tmp_path / "p", now=now, softhsm=False, port=18990)
    assert time.monotonic() - start < 10
    assert pki.softhsm_conf is None and pki.party("ent-a").signing_uri is None
    expired = _cert(pki.party("bad-expired").signing_cert)
    assert expired.not_valid_after_utc < now < _cert(pki.party("ent-a").signing_cert).not_valid_after_utc
    assert "127.0.0.1:18990" in pki.ocsp_url
    with pytest.raises(FileExistsError):
        devpki.generate(tmp_path / "p", softhsm=False)
