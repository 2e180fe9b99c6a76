"""The `bidclient` command line against its contract (docs/cli.md), with the dev PKI's SoftHSM tokens.

Contract runs are real subprocesses (`python -m bidclient.cli.main`): exit statuses and stderr are
what users see. Error cases that need no token run in-process through ``main([...])``. OpenSSL checks
that what the CLI writes is standard CMS.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec

from bidclient.cli.main import main
from crypto import cms_sign
from crypto.software_key import SoftwareKey
from devtools.pki import DevPki, Party
from tests.crypto.softhsm_fixtures import KeyPair, make_softhsm

REPO = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Run:
    status: int
    out: str
    err: str


class Cli(Protocol):
    def __call__(self, *args: str | Path, cwd: Path, env: dict[str, str] | None = None) -> Run: ...


RunMain = Callable[..., Run]


def _base_env(pki: DevPki, config_home: Path) -> dict[str, str]:
    env = pki.softhsm_env()
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH", "")]))
    env["BIDCLIENT_LANG"] = "en"
    env["XDG_CONFIG_HOME"] = str(config_home)  # no user trust list or modules leak in
    env.pop("BIDCLIENT_TRUST", None)
    env.pop("BIDCLIENT_PKCS11_MODULES", None)
    return env


def _check_stderr(err: str) -> None:
    assert "Traceback" not in err, err


@pytest.fixture(scope="module")
def config_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("xdg-config")


@pytest.fixture(scope="module")
def cli(pki: DevPki, config_home: Path) -> Cli:
    """Run `bidclient ARGS` as a subprocess in ``cwd``; stderr never holds a traceback."""

    def run(*args: str | Path, cwd: Path, env: dict[str, str] | None = None) -> Run:
        done = subprocess.run([sys.executable, "-m", "bidclient.cli.main", *map(str, args)], cwd=cwd,
                              env=env or _base_env(pki, config_home), capture_output=True, text=True,
                              stdin=subprocess.DEVNULL,
                              timeout=120, check=False)
        _check_stderr(done.stderr)
        return Run(done.returncode, done.stdout, done.stderr)

    return run


@pytest.fixture
def run_main(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
             config_home: Path) -> RunMain:
    """Run ``main(ARGS)`` in this process; a usage error's SystemExit becomes its status."""
    monkeypatch.setenv("BIDCLIENT_LANG", "en")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(config_home))
    monkeypatch.delenv("BIDCLIENT_TRUST", raising=False)

    def run(*args: str | Path) -> Run:
        capsys.readouterr()
        try:
            status = main([str(a) for a in args])
        except SystemExit as ex:
            status = int(ex.code or 0)
        captured = capsys.readouterr()
        _check_stderr(captured.err)
        return Run(status, captured.out, captured.err)

    return run


def error_code(run: Run) -> str:
    """The stable code of the one error message on stderr."""
    codes = re.findall(r"^error \[([a-z0-9_.]+)\]", run.err, flags=re.MULTILINE)
    assert len(codes) == 1, run.err
    return codes[0]


def token_uri(party: Party, role: str = "signing") -> str:
    uri = party.signing_uri if role == "signing" else party.encryption_uri
    assert uri is not None
    return uri


def software_signature(party: Party, content: bytes) -> bytes:
    """A signature by ``party``'s key made in software (for certificates a token would not sign with)."""
    key = serialization.load_pem_private_key(party.signing_key.read_bytes(), password=None)
    cert = x509.load_pem_x509_certificate(party.signing_cert.read_bytes())
    chain = [x509.load_pem_x509_certificate(p.read_bytes()) for p in party.chain]
    return cms_sign.sign_detached(content, SoftwareKey(key, cert, chain))  # type: ignore[arg-type]


def openssl(*args: str | Path, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["openssl", *map(str, args)], cwd=cwd, capture_output=True, text=True, check=False)


def listing(directory: Path) -> list[str]:
    return sorted(str(p.relative_to(directory)) for p in directory.rglob("*"))


def make_bid_folder(root: Path) -> Path:
    folder = root / "bid"
    (folder / "tech").mkdir(parents=True)
    (folder / "商务").mkdir()
    # Large enough that the middle of the sealed file is ciphertext, whatever the recipients.
    (folder / "tech" / "proposal.pdf").write_bytes(b"%PDF-1.7 proposal\n" + os.urandom(40_000))
    (folder / "商务" / "报价单.pdf").write_bytes(b"%PDF-1.7 price schedule 1234567.89\n")
    return folder


def files_of(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


# --- keys ------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def keys_run(cli: Cli, tmp_path_factory: pytest.TempPathFactory) -> Run:
    return cli("keys", "--module", "/nonexistent/libvendor-pkcs11.so",
               cwd=tmp_path_factory.mktemp("keys"))


def test_keys_lists_tokens_pairs_and_uris_and_reports_a_missing_module(keys_run: Run, pki: DevPki) -> None:
    assert keys_run.status == 0, keys_run.err
    out = keys_run.out
    for name in ("ent-a", "ent-a-ec", "ent-b", "opener-1", "expert-1"):
        label = pki.party(name).token_label
        assert f"Token {label} " in out
        assert f"pkcs11:token={label};" in out
    assert out.count("[signing pair]") >= 5 and out.count("[encryption pair]") >= 4
    assert re.search(r"pkcs11:token=ent-a-rsa;[^\s]*object=signing;id=%01\?module-path=", out)
    assert re.search(r"pkcs11:token=ent-a-rsa;[^\s]*object=encryption;id=%02\?module-path=", out)
    assert "enterprise: 91110108MA01B2C3D0" in out  # enterprise A's code, read from its certificate
    # The missing module is named on stderr; the others are still listed.
    assert "/nonexistent/libvendor-pkcs11.so" in keys_run.err
    assert "does not exist" in keys_run.err


# --- sign / verify ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def signed(cli: Cli, pki: DevPki, keys_run: Run,
           tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """report.pdf signed three ways: RSA token key, EC token key (URI as `keys` printed it), PKCS#12."""
    work = tmp_path_factory.mktemp("signed")
    (work / "report.pdf").write_bytes(b"%PDF-1.7 tender report\n" + os.urandom(3000))
    ec_uri = next(line.strip() for line in keys_run.out.splitlines()
                  if line.strip().startswith("pkcs11:token=ent-a-ec;") and "object=signing" in line)
    pin = f"file:{pki.pin_file}"
    rsa = cli("sign", "report.pdf", "--key", token_uri(pki.party("ent-a")), cwd=work)
    assert rsa.status == 0, rsa.err
    assert "report.pdf.p7s" in rsa.out
    ec = cli("sign", "report.pdf", "--key", ec_uri, "--pin-source", pin, "-o", "report.ec.p7s", cwd=work)
    assert ec.status == 0, ec.err
    p12 = cli("sign", "report.pdf", "--key", pki.party("ent-b").signing_p12, "--pin-source", pin,
              "--output", "report.p12.p7s", cwd=work)
    assert p12.status == 0, p12.err
    return {"dir": work, "content": work / "report.pdf", "rsa": work / "report.pdf.p7s",
            "ec": work / "report.ec.p7s", "p12": work / "report.p12.p7s"}


def test_sign_writes_der_cms_next_to_the_file_by_default(signed: dict[str, Path]) -> None:
    assert listing(signed["dir"]) == ["report.ec.p7s", "report.p12.p7s", "report.pdf", "report.pdf.p7s"]
    for kind in ("rsa", "ec", "p12"):
        assert signed[kind].read_bytes()[:1] == b"\x30"  # DER SEQUENCE, not PEM


def test_verify_prints_signer_enterprise_and_issuing_ca(cli: Cli, signed: dict[str, Path],
                                                       pki: DevPki) -> None:
    result = cli("verify", "report.pdf", "--signature", "report.pdf.p7s", "--trust", pki.trust_dir,
                 cwd=signed["dir"])
    assert result.status == 0, result.err
    assert "Signature OK" in result.out
    assert "signer: 示例建设工程有限公司" in result.out
    assert "enterprise: 91110108MA01B2C3D0 示例建设工程有限公司" in result.out
    assert "issuing CA: CN=bidclient Dev RSA Root CA" in result.out


def test_verify_prints_the_signing_time_in_beijing_time_or_the_configured_zone(
        cli: Cli, signed: dict[str, Path], pki: DevPki, config_home: Path) -> None:
    args = ("verify", "report.pdf", "--signature", "report.pdf.p7s", "--trust", pki.trust_dir)
    result = cli(*args, cwd=signed["dir"])
    assert result.status == 0, result.err
    line = next(text for text in result.out.splitlines() if "signing time" in text)
    assert re.fullmatch(r"  signing time: \d{4}-\d\d-\d\d \d\d:\d\d:\d\d Beijing time \(UTC\+8\)", line), line
    env = _base_env(pki, config_home) | {"BIDCLIENT_TIMEZONE": "UTC"}
    in_utc = cli(*args, cwd=signed["dir"], env=env)
    utc_line = next(text for text in in_utc.out.splitlines() if "signing time" in text)
    assert utc_line.endswith(" UTC") and utc_line != line


@pytest.mark.parametrize(("kind", "uscc", "ca"), [
    ("ec", "91110108MA01B2C3D0", "bidclient Dev EC Issuing CA 1"),  # same enterprise, another CA
    ("p12", "91440300MA5F8K2L74", "bidclient Dev EC Issuing CA 1"),
])
def test_verify_ec_token_and_pkcs12_signatures(run_main: RunMain, signed: dict[str, Path], pki: DevPki,
                                               kind: str, uscc: str, ca: str) -> None:
    result = run_main("verify", signed["content"], "--signature", signed[kind], "--trust", pki.trust_dir)
    assert result.status == 0, result.err
    assert f"enterprise: {uscc}" in result.out
    assert f"issuing CA: CN={ca}" in result.out


@pytest.mark.parametrize("kind", ["rsa", "ec"])
def test_openssl_accepts_our_signatures(signed: dict[str, Path], pki: DevPki, kind: str,
                                        tmp_path: Path) -> None:
    cafile = tmp_path / "ca.pem"
    cafile.write_bytes(b"".join(p.read_bytes() for p in sorted(pki.trust_dir.iterdir())))
    done = openssl("cms", "-verify", "-binary", "-inform", "DER", "-in", signed[kind],
                   "-content", signed["content"], "-CAfile", cafile, "-purpose", "any", "-out", "/dev/null")
    assert done.returncode == 0 and "Verification successful" in done.stderr, done.stderr


def test_verify_uses_the_configured_trust_list(run_main: RunMain, signed: dict[str, Path], pki: DevPki,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    result = run_main("verify", signed["content"], "--signature", signed["rsa"])
    assert (result.status, error_code(result)) == (1, "trust.no_trust_list")
    monkeypatch.setenv("BIDCLIENT_TRUST", str(pki.trust_dir))
    result = run_main("verify", signed["content"], "--signature", signed["rsa"])
    assert result.status == 0, result.err


def test_verify_refuses_tampered_content(cli: Cli, signed: dict[str, Path], pki: DevPki,
                                         tmp_path: Path) -> None:
    altered = bytearray(signed["content"].read_bytes())
    altered[100] ^= 0x01
    (tmp_path / "report.pdf").write_bytes(altered)
    result = cli("verify", "report.pdf", "--signature", signed["rsa"], "--trust", pki.trust_dir, cwd=tmp_path)
    assert (result.status, error_code(result)) == (1, "cms.signature_invalid")
    assert "Signature OK" not in result.out
    assert len(result.err.strip().splitlines()) <= 4  # one message: headline, detail, hint


@pytest.mark.parametrize(("party", "code"), [
    ("bad-rogue", "trust.untrusted_root"),
    ("bad-expired", "trust.expired"),
    ("bad-not-yet-valid", "trust.not_yet_valid"),
    ("bad-wrong-usage", "trust.wrong_key_usage"),
])
def test_verify_refuses_bad_signer_certificates(run_main: RunMain, pki: DevPki, tmp_path: Path,
                                                party: str, code: str) -> None:
    content = tmp_path / "letter.txt"
    content.write_bytes(b"bid letter")
    (tmp_path / "letter.txt.p7s").write_bytes(software_signature(pki.party(party), b"bid letter"))
    result = run_main("verify", content, "--signature", tmp_path / "letter.txt.p7s", "--trust", pki.trust_dir)
    assert (result.status, error_code(result)) == (1, code)
    assert result.out == ""


def test_verify_refuses_a_certificate_revoked_in_a_local_crl(run_main: RunMain, pki: DevPki, tmp_path: Path,
                                                             pki_server_down: object) -> None:
    # The CRL server is down: the revocation comes from the CRL file given with --trust.
    content = tmp_path / "letter.txt"
    content.write_bytes(b"bid letter")
    (tmp_path / "sig.p7s").write_bytes(software_signature(pki.party("bad-revoked-crl"), b"bid letter"))
    result = run_main("verify", content, "--signature", tmp_path / "sig.p7s",
                      "--trust", pki.trust_dir, "--trust", pki.crl_dir)
    assert (result.status, error_code(result)) == (1, "trust.revoked")


def test_verify_refuses_a_revoked_signer_whose_certificate_names_no_crl_address(
        run_main: RunMain, pki_no_addresses: DevPki, tmp_path: Path) -> None:
    """Issue 8 §1: the CA puts no CRL or OCSP address in its certificates; its CRL is given with --trust."""
    content = tmp_path / "letter.txt"
    content.write_bytes(b"bid letter")
    (tmp_path / "sig.p7s").write_bytes(software_signature(pki_no_addresses.party("bad-revoked-crl"), b"bid letter"))
    for mode in ("soft-fail", "hard-fail"):
        result = run_main("verify", content, "--signature", tmp_path / "sig.p7s", "--trust", pki_no_addresses.trust_dir,
                          "--trust", pki_no_addresses.crl_dir, "--revocation", mode)
        assert (result.status, error_code(result)) == (1, "trust.revoked")
        assert "according to the CRL of bidclient Dev EC Issuing CA 1 issued" in result.err
        assert "Signature OK" not in result.out


def test_verify_says_how_revocation_was_checked(run_main: RunMain, pki_no_addresses: DevPki,
                                                tmp_path: Path) -> None:
    content = tmp_path / "letter.txt"
    content.write_bytes(b"bid letter")
    (tmp_path / "sig.p7s").write_bytes(software_signature(pki_no_addresses.party("ent-b"), b"bid letter"))
    args = ("verify", content, "--signature", tmp_path / "sig.p7s", "--trust", pki_no_addresses.trust_dir)
    with_crls = run_main(*args, "--trust", pki_no_addresses.crl_dir)
    assert with_crls.status == 0, with_crls.err
    assert re.search(r"^  revocation: not revoked according to the CRL of bidclient Dev EC Issuing CA 1 issued "
                     r"\d{4}-\d\d-\d\d \d\d:\d\d Beijing time \(UTC\+8\) \(from the trust list\)$", with_crls.out,
                     flags=re.MULTILINE)
    assert re.search(r"^    CA bidclient Dev EC Issuing CA 1: not revoked according to the CRL of bidclient Dev EC "
                     r"Root CA issued ", with_crls.out, flags=re.MULTILINE)
    without = run_main(*args)
    assert without.status == 0, without.err
    assert ("  revocation: not checked: the trust list holds no CRL of its CA and the certificate names no CRL or "
            "OCSP address") in without.out
    off = run_main(*args, "--revocation", "off")
    assert "  revocation: not checked: revocation checking is turned off" in off.out
    hard = run_main(*args, "--revocation", "hard-fail")  # nothing can show it unrevoked: hard-fail refuses
    assert (hard.status, error_code(hard)) == (1, "trust.revocation_unknown")
    assert "Signature OK" not in hard.out


def test_revocation_soft_fail_warns_and_hard_fail_refuses(run_main: RunMain, signed: dict[str, Path],
                                                          pki: DevPki, pki_server_down: object) -> None:
    soft = run_main("verify", signed["content"], "--signature", signed["rsa"], "--trust", pki.trust_dir)
    assert soft.status == 0, soft.err
    assert re.search(r"^warning: a revocation source could not be used", soft.err, flags=re.MULTILINE)
    hard = run_main("verify", signed["content"], "--signature", signed["rsa"], "--trust", pki.trust_dir,
                    "--revocation", "hard-fail")
    assert (hard.status, error_code(hard)) == (1, "trust.revocation_unknown")
    assert "Signature OK" not in hard.out


def test_verify_refuses_a_signer_whose_ca_is_not_in_the_trust_given(
        run_main: RunMain, signed: dict[str, Path], pki: DevPki) -> None:
    # ent-a's RSA signature checked against the EC CAs only.
    result = run_main("verify", signed["content"], "--signature", signed["rsa"],
                      "--trust", pki.ca("ec-root").certificate, "--trust", pki.ca("ec-sub").certificate)
    assert (result.status, error_code(result)) == (1, "trust.untrusted_root")


def test_signing_to_an_existing_output_leaves_it_untouched(run_main: RunMain, signed: dict[str, Path],
                                                           pki: DevPki) -> None:
    before = signed["rsa"].read_bytes()
    result = run_main("sign", signed["content"], "--key", token_uri(pki.party("ent-a")))
    assert (result.status, error_code(result)) == (2, "io.output_exists")
    assert signed["rsa"].read_bytes() == before


# --- encrypt / decrypt -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def encrypted(cli: Cli, pki: DevPki, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """data.bin encrypted to ent-a (RSA) and ent-b (EC), with GCM (default name) and CBC."""
    work = tmp_path_factory.mktemp("encrypted")
    (work / "data.bin").write_bytes(os.urandom(70_000))
    a, b = pki.party("ent-a").encryption_cert, pki.party("ent-b").encryption_cert
    assert a is not None and b is not None
    gcm = cli("encrypt", "data.bin", "--to", a, "--to", b, cwd=work)
    assert gcm.status == 0, gcm.err
    assert "2 recipient(s)" in gcm.out
    cbc = cli("encrypt", "data.bin", "--to", a, "--to", b, "--cipher", "aes-256-cbc", "-o", "data.cbc.p7m",
              cwd=work)
    assert cbc.status == 0, cbc.err
    return {"dir": work, "plain": work / "data.bin", "gcm": work / "data.bin.p7m",
            "cbc": work / "data.cbc.p7m"}


@pytest.mark.parametrize(("cipher", "party"), [("gcm", "ent-a"), ("gcm", "ent-b"), ("cbc", "ent-b")])
def test_each_recipient_decrypts_with_its_token_key(cli: Cli, encrypted: dict[str, Path], pki: DevPki,
                                                    tmp_path: Path, cipher: str, party: str) -> None:
    result = cli("decrypt", encrypted[cipher], "--key", token_uri(pki.party(party), "encryption"),
                 "-o", "plain.bin", cwd=tmp_path)
    assert result.status == 0, result.err
    assert (tmp_path / "plain.bin").read_bytes() == encrypted["plain"].read_bytes()


def test_decrypt_default_output_drops_the_p7m_suffix(cli: Cli, encrypted: dict[str, Path], pki: DevPki,
                                                     tmp_path: Path) -> None:
    shutil.copy(encrypted["gcm"], tmp_path / "data.bin.p7m")
    result = cli("decrypt", "data.bin.p7m", "--key", token_uri(pki.party("ent-a"), "encryption"),
                 cwd=tmp_path)
    assert result.status == 0, result.err
    assert (tmp_path / "data.bin").read_bytes() == encrypted["plain"].read_bytes()


@pytest.mark.parametrize("cipher", ["gcm", "cbc"])
@pytest.mark.parametrize("party", ["ent-a", "ent-b"])
def test_openssl_decrypts_with_the_pem_key(encrypted: dict[str, Path], pki: DevPki, tmp_path: Path,
                                           cipher: str, party: str) -> None:
    p = pki.party(party)
    assert p.encryption_cert is not None and p.encryption_key is not None
    done = openssl("cms", "-decrypt", "-binary", "-inform", "DER", "-in", encrypted[cipher],
                   "-recip", p.encryption_cert, "-inkey", p.encryption_key, "-out", tmp_path / "out.bin")
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "out.bin").read_bytes() == encrypted["plain"].read_bytes()


def test_inspect_names_the_cipher_and_both_recipients(run_main: RunMain, encrypted: dict[str, Path]) -> None:
    gcm = run_main("inspect", encrypted["gcm"])
    cbc = run_main("inspect", encrypted["cbc"])
    assert gcm.status == 0 and cbc.status == 0
    assert "AuthEnvelopedData, aes-256-gcm" in gcm.out and "EnvelopedData, aes-256-cbc" in cbc.out
    assert "recipients (2)" in gcm.out
    assert "[ktri rsa_oaep_sha1] CN=bidclient Dev RSA Root CA" in gcm.out
    assert "[kari ecdh-sha256kdf-aes256wrap] CN=bidclient Dev EC Issuing CA 1" in gcm.out


@pytest.mark.parametrize("command", ["encrypt", "seal"])
@pytest.mark.parametrize("recipient", ["signing-only", "CA"])
def test_a_certificate_nobody_can_decrypt_with_is_refused_as_recipient(
        run_main: RunMain, pki: DevPki, tmp_path: Path, command: str, recipient: str) -> None:
    cert = pki.party("opener-1").signing_cert if recipient == "signing-only" else pki.ca("rsa-ca").certificate
    source = make_bid_folder(tmp_path) if command == "seal" else tmp_path / "data.bin"
    if command == "encrypt":
        source.write_bytes(b"secret")
        result = run_main("encrypt", source, "--to", pki.party("ent-a").encryption_cert, "--to", cert)
    else:
        result = run_main("seal", source, "--key", token_uri(pki.party("ent-a")), "--to", cert, "--tender-id", "ZB-1")
    assert (result.status, error_code(result)) == (1, "trust.wrong_key_usage")
    assert [p.name for p in tmp_path.iterdir()] == [source.name]


def test_decrypt_with_a_key_that_is_not_a_recipient(cli: Cli, encrypted: dict[str, Path], pki: DevPki,
                                                    tmp_path: Path) -> None:
    result = cli("decrypt", encrypted["gcm"], "--key", token_uri(pki.party("opener-1"), "encryption"),
                 "-o", "plain.bin", cwd=tmp_path)
    assert (result.status, error_code(result)) == (1, "cms.not_a_recipient")
    assert listing(tmp_path) == []


# --- seal / unseal ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sealed(cli: Cli, pki: DevPki, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A bid folder sealed by ent-a (RSA token) to opener-1, with the default output name."""
    work = tmp_path_factory.mktemp("sealed")
    folder = make_bid_folder(work)
    opener_cert = pki.party("opener-1").encryption_cert
    assert opener_cert is not None
    result = cli("seal", "bid", "--key", token_uri(pki.party("ent-a")), "--to", opener_cert,
                 "--tender-id", "ZB-2026-0042", cwd=work)
    assert result.status == 0, result.err
    assert "Sealed bid -> bid.bid" in result.out
    assert "tender: ZB-2026-0042 v1" in result.out
    assert "bidder: 91110108MA01B2C3D0 示例建设工程有限公司" in result.out
    assert "recipients: 2" in result.out and "self-check: passed" in result.out
    assert result.err == ""
    return {"dir": work, "folder": folder, "bid": work / "bid.bid"}


@pytest.mark.parametrize("opener", ["opener-1", "ent-a"])
def test_unseal_by_the_opening_key_and_by_the_bidders_own_key(cli: Cli, sealed: dict[str, Path], pki: DevPki,
                                                              tmp_path: Path, opener: str) -> None:
    result = cli("unseal", sealed["bid"], "--key", token_uri(pki.party(opener), "encryption"),
                 "--trust", pki.trust_dir, "-o", "opened", cwd=tmp_path)
    assert result.status == 0, result.err
    assert "signature trusted, every file intact" in result.out
    assert "signed by: 示例建设工程有限公司 (issuing CA: CN=bidclient Dev RSA Root CA" in result.out
    # How revocation was checked: ent-a's certificate names rsa-ca's OCSP responder, which is up.
    assert "  revocation: not revoked according to the OCSP answer of bidclient Dev RSA CA OCSP Responder produced " \
        in result.out
    opened = files_of(tmp_path / "opened")
    bid_files = {k: v for k, v in opened.items() if not k.startswith("manifest.json")}
    assert bid_files == files_of(sealed["folder"])
    assert {"manifest.json", "manifest.json.p7s"} <= set(opened)
    assert [p.name for p in tmp_path.iterdir()] == ["opened"]  # no temporary folder left


def test_inspect_a_sealed_bid_its_inner_zip_signature_and_certificate(
        run_main: RunMain, sealed: dict[str, Path], pki: DevPki, tmp_path: Path) -> None:
    bid = run_main("inspect", sealed["bid"])
    assert bid.status == 0
    assert "AuthEnvelopedData, aes-256-gcm" in bid.out and "recipients (2)" in bid.out

    opener = pki.party("opener-1")
    assert opener.encryption_cert is not None and opener.encryption_key is not None
    done = openssl("cms", "-decrypt", "-binary", "-inform", "DER", "-in", sealed["bid"], "-recip",
                   opener.encryption_cert, "-inkey", opener.encryption_key, "-out", tmp_path / "inner.zip")
    assert done.returncode == 0, done.stderr
    inner = run_main("inspect", tmp_path / "inner.zip")
    assert inner.status == 0
    assert inner.out.startswith("Bid package")
    assert "tender: ZB-2026-0042 v1" in inner.out and "tech/proposal.pdf" in inner.out
    assert "商务/报价单.pdf" in inner.out

    subprocess.run(["unzip", "-q", tmp_path / "inner.zip", "manifest.json.p7s", "-d", tmp_path], check=True)
    signature = run_main("inspect", tmp_path / "manifest.json.p7s")
    assert signature.status == 0
    assert "detached signature (not verified" in signature.out
    assert "enterprise: 91110108MA01B2C3D0" in signature.out

    for cert_file in (pki.party("ent-b").signing_cert, pki.party("ent-b").signing_cert.with_suffix(".cer")):
        cert = run_main("inspect", cert_file)
        assert cert.status == 0
        assert cert.out.startswith("X.509 certificate")
        assert "enterprise: 91440300MA5F8K2L74 乙方科技有限公司" in cert.out


def test_inspect_refuses_unknown_and_damaged_files(cli: Cli, run_main: RunMain, sealed: dict[str, Path],
                                                   tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("just some notes\n")
    unknown = cli("inspect", "notes.txt", cwd=tmp_path)
    assert (unknown.status, error_code(unknown)) == (1, "inspect.unknown")
    assert unknown.out == ""
    (tmp_path / "cut.bid").write_bytes(sealed["bid"].read_bytes()[:200])
    damaged = run_main("inspect", tmp_path / "cut.bid")
    assert (damaged.status, error_code(damaged)) == (1, "inspect.damaged")


def test_inspect_tells_unsupported_from_damaged(cli: Cli, run_main: RunMain, pki: DevPki,
                                                tmp_path: Path) -> None:
    p = pki.party("ent-a")
    assert p.encryption_cert is not None and p.encryption_p12 is not None
    (tmp_path / "offer.txt").write_text("offer\n")
    made = {}
    for option in ("-aes128", "-aes192", "-aes-128-gcm", "-des3"):
        made[option] = tmp_path / f"offer{option}.p7m"
        done = openssl("cms", "-encrypt", option, "-binary", "-outform", "DER", "-in", tmp_path / "offer.txt",
                       "-out", made[option], "-recip", p.encryption_cert)
        assert done.returncode == 0, done.stderr
    for option, shown in (("-aes128", "EnvelopedData, aes-128-cbc"), ("-aes192", "EnvelopedData, aes-192-cbc"),
                          ("-aes-128-gcm", "AuthEnvelopedData, aes-128-gcm")):
        result = run_main("inspect", made[option])
        assert result.status == 0, result.err
        assert shown in result.out
    des3 = run_main("inspect", made["-des3"])
    assert (des3.status, error_code(des3)) == (1, "inspect.unsupported")
    assert "tripledes" in des3.err and "damaged" not in des3.err.replace("not damaged", "")
    # Decrypting says the same, and writes nothing.
    env = {**_base_env(pki, tmp_path / "xdg"), "P12_PASSWORD": p.p12_password}
    refused = cli("decrypt", made["-des3"], "--key", p.encryption_p12, "--pin-source", "env:P12_PASSWORD",
                  "-o", "out.txt", cwd=tmp_path, env=env)
    assert (refused.status, error_code(refused)) == (1, "cms.unsupported_algorithm")
    assert not (tmp_path / "out.txt").exists()
    # A cut or scrambled file is still damaged, whatever its cipher.
    for name, data in (("cut.p7m", made["-aes128"].read_bytes()[:120]),
                       ("garbage.p7m", made["-aes-128-gcm"].read_bytes()[:40] + bytes(range(256)) * 2)):
        (tmp_path / name).write_bytes(data)
        damaged = run_main("inspect", tmp_path / name)
        assert (damaged.status, error_code(damaged)) == (1, "inspect.damaged")


def test_seal_for_a_tender_warns_when_the_encryption_certificate_expires_before_opening(
        cli: Cli, pki: DevPki, tmp_path: Path) -> None:
    folder = make_bid_folder(tmp_path)
    bidder = pki.party("ent-b")
    assert bidder.encryption_cert is not None
    expiry = x509.load_pem_x509_certificate(bidder.encryption_cert.read_bytes()).not_valid_after_utc
    opening = expiry + dt.timedelta(days=30)
    opener_cert = pki.party("opener-1").encryption_cert
    assert opener_cert is not None
    (tmp_path / "tender.json").write_text(json.dumps({
        "tender_id": "ZB-2026-0042", "version": 3, "package_sha256": "ab" * 32,
        "opening_time": opening.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "opening_certificates": [opener_cert.read_text()]}))
    result = cli("seal", folder, "--key", token_uri(bidder), "--tender", "tender.json", "-o", "b.bid",
                 cwd=tmp_path)
    assert result.status == 0, result.err
    assert "tender: ZB-2026-0042 v3" in result.out
    assert re.search(r"^warning: your encryption certificate expires .*before the opening", result.err,
                     flags=re.MULTILINE), result.err

    # Sealed for opener-1 (rsa-ca); the bidder's CA (ec-sub) is not in the trust given: nothing comes out.
    refused = cli("unseal", "b.bid", "--key", token_uri(pki.party("opener-1"), "encryption"),
                  "--trust", pki.ca("rsa-ca").certificate, "-o", "opened", cwd=tmp_path)
    assert (refused.status, error_code(refused)) == (1, "trust.untrusted_root")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["b.bid", "bid", "tender.json"]


def test_unseal_of_a_tampered_bid_extracts_nothing(cli: Cli, sealed: dict[str, Path], pki: DevPki,
                                                   tmp_path: Path) -> None:
    data = bytearray(sealed["bid"].read_bytes())
    data[len(data) // 2] ^= 0x01  # a ciphertext byte
    (tmp_path / "bid.bid").write_bytes(data)
    result = cli("unseal", "bid.bid", "--key", token_uri(pki.party("opener-1"), "encryption"),
                 "--trust", pki.trust_dir, "-o", "opened", cwd=tmp_path)
    assert (result.status, error_code(result)) == (1, "cms.decryption_failed")
    assert [p.name for p in tmp_path.iterdir()] == ["bid.bid"]  # no output, no temporary folder


def test_seal_refuses_a_missing_folder_and_an_existing_output(run_main: RunMain, pki: DevPki,
                                                              tmp_path: Path) -> None:
    opener_cert = pki.party("opener-1").encryption_cert
    assert opener_cert is not None
    missing = run_main("seal", tmp_path / "nope", "--key", token_uri(pki.party("ent-a")), "--to", opener_cert,
                       "--tender-id", "ZB-1")
    assert (missing.status, error_code(missing)) == (2, "io.input_missing")
    folder = make_bid_folder(tmp_path)
    (tmp_path / "bid.bid").write_bytes(b"an earlier bid")
    exists = run_main("seal", folder, "--key", token_uri(pki.party("ent-a")), "--to", opener_cert,
                      "--tender-id", "ZB-1")
    assert (exists.status, error_code(exists)) == (2, "io.output_exists")
    assert (tmp_path / "bid.bid").read_bytes() == b"an earlier bid"
    both = run_main("seal", folder, "--key", "k.p12", "--to", opener_cert, "--tender", "t.json")
    assert both.status == 2 and "not allowed with argument" in both.err


def test_seal_with_a_broken_tender_file(run_main: RunMain, pki: DevPki, tmp_path: Path) -> None:
    folder = make_bid_folder(tmp_path)
    (tmp_path / "tender.json").write_text('{"tender_id": "ZB-1", "version": 0, "opening_certificates": []}')
    result = run_main("seal", folder, "--key", token_uri(pki.party("ent-a")),
                      "--tender", tmp_path / "tender.json")
    assert (result.status, error_code(result)) == (1, "tender.invalid")
    assert not (tmp_path / "bid.bid").exists()


# --- dongles as CAs issue them: no CA certificate on the token, shared tokens, software dual certificates


@dataclass(frozen=True)
class Dongles:
    """A SoftHSM directory of its own, with tokens built from the dev PKI's keys (ent-b and ent-a-ec,
    both certified by the intermediate CA ec-sub): "solo-b" holds ent-b's two pairs and no CA
    certificate; "shared" holds ent-b's and ent-a-ec's pairs (an agency's token); "twice-b" holds ent-b's
    signing pair and two valid encryption pairs of ent-b (a renewal)."""

    env: dict[str, str]  # for the cli fixture: this SoftHSM, a configured trust list holding the dev CAs
    bare_env: dict[str, str]  # the same without any configured trust list
    root: Path  # ec-root alone: what a verifier trusts
    second_encryption: str  # twice-b's other encryption pair


def _key_pair(party: Party, role: str, key_id: int, label: str) -> KeyPair:
    cert_path = party.signing_cert if role == "signing" else party.encryption_cert
    key_path = party.signing_key if role == "signing" else party.encryption_key
    assert cert_path is not None and key_path is not None
    key = serialization.load_pem_private_key(key_path.read_bytes(), password=None)
    return KeyPair(bytes([key_id]), label, key,  # type: ignore[arg-type]
                   x509.load_pem_x509_certificate(cert_path.read_bytes()),
                   ("sign",) if role == "signing" else ("derive",))


@pytest.fixture(scope="module")
def dongles(pki: DevPki, tmp_path_factory: pytest.TempPathFactory) -> Dongles:
    work = tmp_path_factory.mktemp("dongles")
    hsm = make_softhsm(work / "softhsm")
    b, a = pki.party("ent-b"), pki.party("ent-a-ec")
    hsm.init_token("solo-b", pki.user_pin)
    hsm.add_pair("solo-b", _key_pair(b, "signing", 1, "signing"), pki.user_pin)
    hsm.add_pair("solo-b", _key_pair(b, "encryption", 2, "encryption"), pki.user_pin)
    hsm.init_token("shared", pki.user_pin)
    hsm.add_pair("shared", _key_pair(b, "signing", 1, "b-signing"), pki.user_pin)
    hsm.add_pair("shared", _key_pair(b, "encryption", 2, "b-encryption"), pki.user_pin)
    hsm.add_pair("shared", _key_pair(a, "signing", 0x11, "a-signing"), pki.user_pin)
    hsm.add_pair("shared", _key_pair(a, "encryption", 0x12, "a-encryption"), pki.user_pin)
    # A second encryption certificate for ent-b from ec-sub, as a renewal leaves it.
    ca_key = serialization.load_pem_private_key(pki.ca("ec-sub").key.read_bytes(), password=None)
    ca_cert = x509.load_pem_x509_certificate(pki.ca("ec-sub").certificate.read_bytes())
    old = _key_pair(b, "encryption", 2, "encryption")
    new_key = ec.generate_private_key(ec.SECP256R1())
    now = dt.datetime.now(dt.UTC)
    renewed = (x509.CertificateBuilder().subject_name(old.certificate.subject).issuer_name(ca_cert.subject)
               .public_key(new_key.public_key()).serial_number(x509.random_serial_number())
               .not_valid_before(now - dt.timedelta(hours=1)).not_valid_after(now + dt.timedelta(days=700))
               .add_extension(old.certificate.extensions.get_extension_for_class(x509.KeyUsage).value, critical=True)
               .sign(ca_key, hashes.SHA256()))  # type: ignore[arg-type]
    hsm.init_token("twice-b", pki.user_pin)
    hsm.add_pair("twice-b", _key_pair(b, "signing", 1, "signing"), pki.user_pin)
    hsm.add_pair("twice-b", old, pki.user_pin)
    hsm.add_pair("twice-b", KeyPair(b"\x03", "encryption-2", new_key, renewed, ("derive",)), pki.user_pin)

    config_home = work / "config"
    shutil.copytree(pki.trust_dir, config_home / "bidclient" / "trust")
    env = _base_env(pki, config_home)
    env["SOFTHSM2_CONF"] = str(hsm.conf)
    bare = dict(env, XDG_CONFIG_HOME=str(work / "no-config"))
    root = pki.ca("ec-root").certificate
    return Dongles(env, bare, root, _dongle("twice-b", "encryption-2", pki))


def _dongle(token: str, label: str, pki: DevPki) -> str:
    return (f"pkcs11:token={token};object={label}?module-path=/usr/lib/softhsm/libsofthsm2.so"
            f"&pin-source=file:{pki.pin_file}")


def openssl_verify_root_only(content: Path, signature: Path, root: Path) -> subprocess.CompletedProcess[str]:
    return openssl("cms", "-verify", "-binary", "-inform", "DER", "-in", signature, "-content", content,
                   "-CAfile", root, "-purpose", "any", "-out", os.devnull)


@pytest.mark.parametrize("trust_from", ["configured", "option"])
def test_sign_with_a_dongle_lacking_its_ca_embeds_the_chain_that_openssl_needs(
        cli: Cli, dongles: Dongles, pki: DevPki, tmp_path: Path, trust_from: str) -> None:
    (tmp_path / "bid.pdf").write_bytes(b"%PDF-1.7 bid")
    key = _dongle("solo-b", "signing", pki)
    if trust_from == "configured":
        result = cli("sign", "bid.pdf", "--key", key, cwd=tmp_path, env=dongles.env)
    else:
        result = cli("sign", "bid.pdf", "--key", key, "--trust", pki.trust_dir, cwd=tmp_path, env=dongles.bare_env)
    assert result.status == 0, result.err
    assert result.err == ""
    checked = openssl_verify_root_only(tmp_path / "bid.pdf", tmp_path / "bid.pdf.p7s", dongles.root)
    assert checked.returncode == 0, checked.stderr
    assert "Verification successful" in checked.stderr


def test_sign_without_any_trust_list_warns_that_the_issuing_ca_is_missing(
        cli: Cli, dongles: Dongles, pki: DevPki, tmp_path: Path) -> None:
    (tmp_path / "bid.pdf").write_bytes(b"%PDF-1.7 bid")
    result = cli("sign", "bid.pdf", "--key", _dongle("solo-b", "signing", pki), cwd=tmp_path, env=dongles.bare_env)
    assert result.status == 0, result.err
    assert re.search(r"^warning: the certificate of the CA that issued .*bidclient Dev EC Issuing CA 1.*"
                     r"--trust, or run 'bidclient trust sync'", result.err, flags=re.MULTILINE), result.err
    refused = openssl_verify_root_only(tmp_path / "bid.pdf", tmp_path / "bid.pdf.p7s", dongles.root)
    assert "unable to get local issuer certificate" in refused.stderr


@pytest.mark.parametrize(("signing", "own"), [("b-signing", "b-encryption"), ("a-signing", "a-encryption")])
def test_seal_on_a_shared_token_seals_to_the_signers_own_encryption_pair(
        cli: Cli, dongles: Dongles, pki: DevPki, tmp_path: Path, signing: str, own: str) -> None:
    folder = make_bid_folder(tmp_path)
    opener = pki.party("opener-1").encryption_cert
    assert opener is not None
    result = cli("seal", folder, "--key", _dongle("shared", signing, pki), "--to", opener,
                 "--tender-id", "ZB-2026-0042", "-o", "b.bid", cwd=tmp_path, env=dongles.env)
    assert result.status == 0, result.err
    holder = "乙方科技有限公司" if signing.startswith("b") else "示例建设工程有限公司"
    assert "recipients: 2" in result.out and f"O={holder}" in result.out
    assert "self-check: passed" in result.out

    # The bidder's own encryption key opens it, and the manifest signature inside verifies with
    # OpenSSL against the root alone: the intermediate came from the trust list.
    opened = cli("unseal", "b.bid", "--key", _dongle("shared", own, pki), "--trust", pki.trust_dir,
                 "-o", "opened", cwd=tmp_path, env=dongles.env)
    assert opened.status == 0, opened.err
    assert files_of(tmp_path / "opened") .keys() >= {"tech/proposal.pdf", "manifest.json"}
    checked = openssl_verify_root_only(tmp_path / "opened" / "manifest.json",
                                       tmp_path / "opened" / "manifest.json.p7s", dongles.root)
    assert checked.returncode == 0, checked.stderr


def test_several_encryption_pairs_of_the_signer_ask_for_enc_key(cli: Cli, dongles: Dongles, pki: DevPki,
                                                                tmp_path: Path) -> None:
    folder = make_bid_folder(tmp_path)
    opener = pki.party("opener-1").encryption_cert
    assert opener is not None
    key = _dongle("twice-b", "signing", pki)
    ambiguous = cli("seal", folder, "--key", key, "--to", opener, "--tender-id", "ZB-1", "-o", "b.bid",
                    cwd=tmp_path, env=dongles.env)
    assert (ambiguous.status, error_code(ambiguous)) == (3, "token.encryption_key_ambiguous")
    assert "--enc-key" in ambiguous.err and "object=" not in ambiguous.err.splitlines()[-1]
    assert not (tmp_path / "b.bid").exists()

    chosen = cli("seal", folder, "--key", key, "--enc-key", dongles.second_encryption, "--to", opener,
                 "--tender-id", "ZB-1", "-o", "b.bid", cwd=tmp_path, env=dongles.env)
    assert chosen.status == 0, chosen.err
    opened = cli("unseal", "b.bid", "--key", dongles.second_encryption, "--trust", pki.trust_dir, "-o", "opened",
                 cwd=tmp_path, env=dongles.env)
    assert opened.status == 0, opened.err


def test_software_dual_certificates_seal_with_enc_key_and_open_with_the_encryption_file(
        cli: Cli, dongles: Dongles, pki: DevPki, tmp_path: Path) -> None:
    folder = make_bid_folder(tmp_path)
    opener = pki.party("opener-1").encryption_cert
    bidder = pki.party("ent-b")
    assert opener is not None and bidder.encryption_p12 is not None
    pin = ["--pin-source", f"file:{pki.pin_file}"]
    alone = cli("seal", folder, "--key", bidder.signing_p12, *pin, "--to", opener, "--tender-id", "ZB-1",
                "-o", "b.bid", cwd=tmp_path, env=dongles.env)
    assert (alone.status, error_code(alone)) == (1, "seal.no_encryption_certificate")
    assert "--enc-key" in alone.err
    assert not (tmp_path / "b.bid").exists()

    sealed = cli("seal", folder, "--key", bidder.signing_p12, "--enc-key", bidder.encryption_p12, *pin,
                 "--to", opener, "--tender-id", "ZB-1", "-o", "b.bid", cwd=tmp_path, env=dongles.env)
    assert sealed.status == 0, sealed.err
    assert "self-check: passed" in sealed.out
    opened = cli("unseal", "b.bid", "--key", bidder.encryption_p12, *pin, "--trust", pki.trust_dir,
                 "-o", "opened", cwd=tmp_path, env=dongles.env)
    assert opened.status == 0, opened.err
    assert "signed by: 乙方科技有限公司" in opened.out

    other = pki.party("ent-a-ec").encryption_p12
    assert other is not None
    foreign = cli("seal", folder, "--key", bidder.signing_p12, "--enc-key", other, *pin, "--to", opener,
                  "--tender-id", "ZB-1", "-o", "c.bid", cwd=tmp_path, env=dongles.env)
    assert (foreign.status, error_code(foreign)) == (1, "seal.encryption_key_mismatch")
    assert not (tmp_path / "c.bid").exists()


def test_login_statement_of_a_dongle_lacking_its_ca_is_accepted_by_a_server_trusting_the_root_alone(
        cli: Cli, dongles: Dongles, pki: DevPki, tmp_path: Path) -> None:
    from server.cli import main as server_main
    from tests.server.conftest import start_server

    data = tmp_path / "server"
    assert server_main(["init", "--data", str(data), "--revocation", "off"]) == 0
    assert server_main(["admin", "trust-add", "--data", str(data), str(dongles.root)]) == 0
    server = start_server(data)
    try:
        env = dict(dongles.env, BIDCLIENT_NO_KEYRING="1")
        env.pop("BIDCLIENT_SERVER", None)
        done = cli("login", "--server", server.url, "--key", _dongle("solo-b", "signing", pki), cwd=tmp_path,
                   env=env)
    finally:
        server.stop()
    assert done.status == 0, done.err
    assert "91440300MA5F8K2L74" in done.out and "bidder" in done.out


def test_seal_to_without_tender_id_is_a_usage_error_before_any_work(run_main: RunMain, pki: DevPki,
                                                                     tmp_path: Path) -> None:
    folder = make_bid_folder(tmp_path)
    opener = pki.party("opener-1").encryption_cert
    assert opener is not None
    # The token does not exist: reaching it would exit 3, so exit 2 shows nothing was tried.
    result = run_main("seal", folder, "--key", "pkcs11:token=absent-dongle", "--to", opener)
    assert (result.status, error_code(result)) == (2, "usage.invalid")
    assert "--tender-id" in result.err and "bidder" not in result.err
    both = run_main("seal", folder, "--key", "pkcs11:token=absent-dongle", "--tender", "t.json", "--tender-id", "X")
    assert (both.status, error_code(both)) == (2, "usage.invalid")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bid"]


def test_a_tender_id_the_manifest_refuses_is_a_sealing_error_that_leaves_nothing(
        cli: Cli, pki: DevPki, tmp_path: Path) -> None:
    folder = make_bid_folder(tmp_path)
    opener = pki.party("opener-1").encryption_cert
    assert opener is not None
    result = cli("seal", folder, "--key", token_uri(pki.party("ent-a")), "--to", opener,
                 "--tender-id", "ZB-" + "9" * 200, "-o", "b.bid", cwd=tmp_path)
    assert (result.status, error_code(result)) == (1, "seal.manifest_invalid")
    assert "tender.id" in result.err
    assert "bidder" not in result.err.lower() and "Nothing was written" in result.err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bid"]


def test_errors_met_while_preparing_a_bid_never_send_the_user_to_the_bidder() -> None:
    from bidclient.errors import BidclientError, describe

    # Raised on the bidder's side (the draft, the statement): the catch-all for bid.* said "Ask the
    # bidder for an intact bid" to the bidder.
    for code in ("bid.project_invalid", "bid.attachment_missing", "bid.statement_mismatch", "bid.wrong_tender",
                 "bid.unknown_section"):
        message = describe(BidclientError("x", code=code))
        assert "bidder" not in (message.headline + message.hint).lower(), message
    # Refusals of a bid being opened keep their advice.
    for code in ("sealed.hash_mismatch", "sealed.manifest_invalid", "sealed.signer_mismatch"):
        assert "Ask the bidder" in describe(BidclientError("x", code=code)).hint


# --- usage errors and unavailable keys -------------------------------------------------------------


def test_a_usage_error_exits_2_with_the_usage_line(cli: Cli, tmp_path: Path) -> None:
    (tmp_path / "f.txt").write_text("x")
    result = cli("sign", "f.txt", cwd=tmp_path)
    assert (result.status, error_code(result)) == (2, "usage.invalid")
    assert result.err.startswith("usage: bidclient sign")
    assert "--key" in result.err
    assert listing(tmp_path) == ["f.txt"]


@pytest.mark.parametrize("args", [
    ["sign", "{file}", "--key", "k.p12", "--bogus"],
    ["verify", "{file}"],  # --signature is required
    ["encrypt", "{file}"],  # --to is required
    ["encrypt", "{file}", "--to", "c.pem", "--cipher", "des"],
    ["decrypt", "{file}"],
    ["unseal", "{file}"],
    ["seal", "{file}", "--key", "k.p12"],  # neither --to nor --tender
    ["frobnicate"],
])
def test_argument_errors_exit_2(run_main: RunMain, tmp_path: Path, args: list[str]) -> None:
    (tmp_path / "f.txt").write_text("x")
    result = run_main(*[a.format(file=tmp_path / "f.txt") for a in args])
    assert (result.status, error_code(result)) == (2, "usage.invalid")


@pytest.mark.parametrize("args", [
    ["sign", "{missing}", "--key", "{key}"],
    ["verify", "{file}", "--signature", "{missing}", "--trust", "{trust}"],
    ["verify", "{missing}", "--signature", "{file}", "--trust", "{trust}"],
    ["verify", "{file}", "--signature", "{file}", "--trust", "{missing}"],
    ["encrypt", "{missing}", "--to", "{cert}"],
    ["encrypt", "{file}", "--to", "{missing}"],
    ["decrypt", "{missing}", "--key", "{key}"],
    ["unseal", "{missing}", "--key", "{key}"],
    ["inspect", "{missing}"],
])
def test_a_missing_input_file_exits_2(run_main: RunMain, pki: DevPki, tmp_path: Path,
                                      args: Sequence[str]) -> None:
    (tmp_path / "f.txt").write_text("x")
    values = {"missing": tmp_path / "missing.bin", "file": tmp_path / "f.txt", "trust": pki.trust_dir,
              "key": token_uri(pki.party("ent-a")), "cert": pki.party("ent-a").signing_cert}
    result = run_main(*[a.format(**values) for a in args])
    assert (result.status, error_code(result)) == (2, "io.input_missing")
    assert "missing.bin" in result.err
    assert listing(tmp_path) == ["f.txt"]


def test_a_bogus_pin_source_is_a_usage_error(run_main: RunMain, tmp_path: Path) -> None:
    (tmp_path / "f.txt").write_text("x")
    result = run_main("sign", tmp_path / "f.txt", "--key", "pkcs11:token=ent-a-rsa;object=signing",
                      "--pin-source", "bogus:x")
    assert (result.status, error_code(result)) == (2, "usage.invalid")
    assert "bogus:x" in result.err
    assert listing(tmp_path) == ["f.txt"]


def test_a_key_that_is_neither_uri_nor_file_exits_3(run_main: RunMain, tmp_path: Path) -> None:
    (tmp_path / "f.txt").write_text("x")
    result = run_main("sign", tmp_path / "f.txt", "--key", tmp_path / "no-such.p12")
    assert (result.status, error_code(result)) == (3, "token.key_not_found")


@pytest.fixture
def token_copy(pki: DevPki, tmp_path: Path, config_home: Path) -> Iterator[dict[str, str]]:
    """An environment whose SOFTHSM2_CONF points at a copy of the dev tokens, for tests that enter a
    wrong PIN (SoftHSM keeps the 'count low' flag, which must not leak into other tests)."""
    assert pki.softhsm_conf is not None
    tokens = tmp_path / "softhsm-tokens"
    shutil.copytree(pki.softhsm_conf.parent / "tokens", tokens)
    conf = tmp_path / "softhsm2.conf"
    conf.write_text(f"directories.tokendir = {tokens}\nobjectstore.backend = file\nlog.level = ERROR\n")
    env = _base_env(pki, config_home)
    env["SOFTHSM2_CONF"] = str(conf)
    yield env


def test_a_wrong_pin_exits_3_and_is_not_retried(cli: Cli, pki: DevPki, tmp_path: Path,
                                                token_copy: dict[str, str]) -> None:
    (tmp_path / "f.txt").write_text("x")
    (tmp_path / "pin").write_text("00000000\n")
    uri = f"pkcs11:token=ent-a-rsa;object=signing?module-path={pki.module_path}"
    result = cli("sign", "f.txt", "--key", uri, "--pin-source", f"file:{tmp_path / 'pin'}", cwd=tmp_path,
                 env=token_copy)
    assert (result.status, error_code(result)) == (3, "token.pin_incorrect")
    assert "not retried" in result.err
    assert "00000000" not in result.err + result.out
    assert not (tmp_path / "f.txt.p7s").exists()
    # The token now says a wrong PIN was entered: `keys` shows it.
    listed = cli("keys", cwd=tmp_path, env=token_copy)
    block = listed.out.split("Token ent-a-rsa ", 1)[1].split("\nToken ", 1)[0]
    assert "a wrong PIN was entered" in block


def test_without_a_pin_source_or_terminal_the_pin_is_not_guessed(cli: Cli, pki: DevPki, tmp_path: Path) -> None:
    (tmp_path / "f.txt").write_text("x")
    uri = f"pkcs11:token=ent-a-rsa;object=signing?module-path={pki.module_path}"
    result = cli("sign", "f.txt", "--key", uri, cwd=tmp_path)  # stdin is not a terminal
    assert (result.status, error_code(result)) == (3, "token.pin_cancelled")
    assert "--pin-source" in result.err
    assert listing(tmp_path) == ["f.txt"]


def test_a_token_that_is_not_there_exits_3(cli: Cli, pki: DevPki, tmp_path: Path) -> None:
    (tmp_path / "f.txt").write_text("x")
    uri = f"pkcs11:token=no-such-dongle;object=signing?module-path={pki.module_path}"
    result = cli("sign", "f.txt", "--key", uri, "--pin-source", f"file:{pki.pin_file}", cwd=tmp_path)
    assert (result.status, error_code(result)) == (3, "token.not_present")
    assert "no-such-dongle" in result.err
    assert listing(tmp_path) == ["f.txt"]


def test_decrypt_failure_leaves_no_partial_output(run_main: RunMain, encrypted: dict[str, Path], pki: DevPki,
                                                  tmp_path: Path) -> None:
    data = bytearray(encrypted["gcm"].read_bytes())
    data[-40] ^= 0x01  # near the end: the tag no longer matches the content
    (tmp_path / "data.bin.p7m").write_bytes(data)
    p12 = pki.party("ent-a").encryption_p12
    assert p12 is not None
    result = run_main("decrypt", tmp_path / "data.bin.p7m", "--key", p12,
                      "--pin-source", f"file:{pki.pin_file}")
    assert (result.status, error_code(result)) == (1, "cms.decryption_failed")
    assert listing(tmp_path) == ["data.bin.p7m"]


# --- the error codes a user can meet are documented -------------------------------------------------


# What the CLI's commands can raise: the crypto layer, the bid package and the core modules it calls.
CLI_SOURCES = ("crypto", "bidclient/bidpackage", "bidclient/cli", "bidclient/errors.py",
               "bidclient/atomic.py", "bidclient/certfiles.py", "bidclient/inspection.py",
               "bidclient/sealing.py", "bidclient/signing.py", "bidclient/tenderfile.py", "bidclient/evaluation")


def _all_error_codes() -> set[str]:
    codes: set[str] = set()
    for source in CLI_SOURCES:
        root = REPO / source
        for path in [root] if root.is_file() else root.rglob("*.py"):
            text = path.read_text(encoding="utf-8")
            codes |= set(re.findall(r'\bcode\s*=\s*"([a-z0-9_]+\.[a-z0-9_.]+)"', text))
    from crypto.errors import TrustError

    codes |= {f"trust.{value}" for name, value in vars(TrustError).items() if name.startswith("REASON_")}
    return codes - {"crypto.error", "sealed.error", "source.error", "trust.error", "timestamp.error",
                    "bidclient.error"}


def test_every_error_code_has_a_headline_and_is_documented() -> None:
    from bidclient.errors import BidclientError, describe

    doc = (REPO / "docs" / "cli.md").read_text(encoding="utf-8")
    codes = _all_error_codes()
    assert len(codes) > 60
    undocumented = sorted(c for c in codes if f"`{c}`" not in doc)
    assert not undocumented, f"docs/cli.md does not list: {undocumented}"
    generic = sorted(c for c in codes
                     if describe(BidclientError("x", code=c)).headline == "The operation failed.")
    assert not generic, f"no headline for: {generic}"


def test_login_refuses_an_expired_or_revoked_certificate_before_asking_for_the_pin(
        cli: Cli, pki: DevPki, tmp_path: Path) -> None:
    """`bidclient login` checks the dongle's certificate against the configured trust list (and its CRLs)
    before the PIN: the PIN source is a file that does not exist, so reading it would fail as token.*
    (exit 3). The server checks no revocation and would let the revoked certificate in: the refusal is
    the client's, and nothing reaches the server."""
    from server.cli import main as server_main
    from tests.server.conftest import start_server

    data = tmp_path / "server"
    assert server_main(["init", "--data", str(data), "--revocation", "off"]) == 0
    for ca in sorted(pki.trust_dir.glob("*.pem")):
        assert server_main(["admin", "trust-add", "--data", str(data), str(ca)]) == 0
    server = start_server(data)
    env = _base_env(pki, tmp_path / "config")
    env["BIDCLIENT_TRUST"] = os.pathsep.join([str(pki.trust_dir), str(pki.crl_dir)])
    env["BIDCLIENT_NO_KEYRING"] = "1"
    env.pop("BIDCLIENT_SERVER", None)
    never_read = tmp_path / "no-such-pin.txt"
    sessions = tmp_path / "config" / "bidclient" / "sessions.json"

    def dongle(party: str) -> str:
        uri = token_uri(pki.party(party))
        return uri.split("&pin-source=")[0] + f"&pin-source=file:{never_read}"

    try:
        expired = cli("login", "--server", server.url, "--key", dongle("bad-expired"), cwd=tmp_path, env=env)
        revoked = cli("login", "--server", server.url, "--key", dongle("bad-revoked-crl"), cwd=tmp_path, env=env)
        p12 = pki.party("bad-revoked-crl").signing_p12
        revoked_file = cli("login", "--server", server.url, "--key", p12, "--pin-source", f"file:{pki.pin_file}",
                           cwd=tmp_path, env=env)
        saved_after_refusals = sessions.exists()
        good = cli("login", "--server", server.url, "--key", token_uri(pki.party("ent-a-ec")), cwd=tmp_path,
                   env=env)
    finally:
        server.stop()
    assert (expired.status, error_code(expired)) == (1, "trust.expired"), expired.err
    assert "The certificate has expired." in expired.err and " expired on " in expired.err
    assert (revoked.status, error_code(revoked)) == (1, "trust.revoked"), revoked.err
    assert "The certificate has been revoked." in revoked.err, revoked.err
    assert "is not trusted: it was revoked on " in revoked.err
    for refused in (expired, revoked):
        assert "no PIN was asked and nothing was sent to the server" in refused.err
    assert (revoked_file.status, error_code(revoked_file)) == (1, "trust.revoked"), revoked_file.err
    assert "Checked once the key was open, before anything was sent to the server." in revoked_file.err
    assert not never_read.exists()
    assert good.status == 0, good.err  # the same server and trust list let a valid dongle in
    assert "91110108MA01B2C3D0" in good.out
    assert not saved_after_refusals and sessions.exists()
