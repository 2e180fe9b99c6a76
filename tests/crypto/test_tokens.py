"""Keys on real SoftHSM tokens through python-pkcs11: listing, signing, decrypting, PINs, threads."""

from __future__ import annotations

import os
import shutil
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from typing import Any

import pkcs11
import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa

from crypto import errors, token_worker
from crypto.algorithms import KeyTransport, SignatureAlgorithm
from crypto.key_access import discover_modules, list_tokens, open_key
from crypto.modules import ENV_MODULES
from crypto.pin import PinRequest, cancelled
from crypto.pkcs11_uri import parse_uri
from tests.crypto.softhsm_fixtures import (
    MODULE,
    USER_PIN,
    Ca,
    KeyPair,
    SoftHsm,
    make_ca,
    make_leaf,
    make_softhsm,
)

MESSAGE = b"bid manifest digest input"


@dataclass
class Tokens:
    hsm: SoftHsm
    root: Ca
    sub: Ca
    rsa_sign: KeyPair
    rsa_enc: KeyPair
    ec_sign: KeyPair
    ec_enc: KeyPair
    ec384_sign: KeyPair
    other: KeyPair  # on the "Spare" token, for wrong-PIN tests


def _pair(ca: Ca, key_id: bytes, label: str, key: Any, usage: str, token_usages: tuple[str, ...]) -> KeyPair:
    return KeyPair(key_id, label, key, make_leaf(ca, f"Enterprise {label}", key, usage), token_usages)


@pytest.fixture(scope="module")
def tokens(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Tokens]:
    hsm = make_softhsm(tmp_path_factory.mktemp("softhsm"))
    root = make_ca("Test Root")
    sub = make_ca("Test Sub CA", root)
    rsa_keys = [rsa.generate_private_key(65537, 2048) for _ in range(3)]
    t = Tokens(
        hsm, root, sub,
        rsa_sign=_pair(sub, b"\x01", "rsa sign", rsa_keys[0], "sign", ("sign",)),
        rsa_enc=_pair(sub, b"\x02", "rsa enc", rsa_keys[1], "enc", ("decrypt",)),
        ec_sign=_pair(sub, b"\x11", "ec sign", ec.generate_private_key(ec.SECP256R1()), "sign", ("sign",)),
        ec_enc=_pair(sub, b"\x12", "ec enc", ec.generate_private_key(ec.SECP256R1()), "enc", ("derive",)),
        ec384_sign=_pair(sub, b"\x13", "ec384 sign", ec.generate_private_key(ec.SECP384R1()), "sign",
                         ("sign",)),
        other=_pair(sub, b"\x21", "spare sign", rsa_keys[2], "sign", ("sign",)),
    )
    # A Chinese CA's dongle: one signing and one encryption pair, and the CA chain.
    hsm.init_token("Bidder RSA")
    hsm.add_pair("Bidder RSA", t.rsa_sign)
    hsm.add_pair("Bidder RSA", t.rsa_enc)
    hsm.add_certificate("Bidder RSA", sub.certificate, "Test Sub CA")
    hsm.add_certificate("Bidder RSA", root.certificate, "Test Root")
    hsm.init_token("Bidder EC")
    hsm.add_pair("Bidder EC", t.ec_sign)
    hsm.add_pair("Bidder EC", t.ec_enc)
    hsm.add_pair("Bidder EC", t.ec384_sign)
    hsm.init_token("Spare")
    hsm.add_pair("Spare", t.other)

    previous = os.environ.get("SOFTHSM2_CONF")
    token_worker.shutdown_all()  # SoftHSM reads SOFTHSM2_CONF when the module is initialised
    os.environ["SOFTHSM2_CONF"] = str(hsm.conf)
    yield t
    token_worker.shutdown_all()
    if previous is None:
        os.environ.pop("SOFTHSM2_CONF", None)
    else:
        os.environ["SOFTHSM2_CONF"] = previous


class CountingPin:
    def __init__(self, pin: str | None = USER_PIN) -> None:
        self.pin = pin
        self.requests: list[PinRequest] = []

    def __call__(self, request: PinRequest) -> str | None:
        self.requests.append(request)
        return self.pin


def uri(token: str, key_id: bytes | None = None, **query: str) -> str:
    text = f"pkcs11:token={token.replace(' ', '%20')}"
    if key_id is not None:
        text += ";id=" + "".join(f"%{b:02x}" for b in key_id)
    text += "?module-path=" + MODULE
    for name, value in query.items():
        text += f"&{name.replace('_', '-')}={value}"
    return text


# --- discovery and listing -------------------------------------------------------------------------


def test_discover_modules_reads_p11kit_registry_and_configuration(tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    registry = tmp_path / "modules"
    registry.mkdir()
    (registry / "vendor.module").write_text("# a CA's dongle\nmodule: /opt/vendor/libvendor.so\n")
    (registry / "relative.module").write_text("module: opensc-pkcs11.so\n")
    (registry / "trust.module").write_text("module: p11-kit-trust.so\ntrust-policy: yes\n")
    (registry / "proxy.module").write_text("module: p11-kit-client.so\n")
    (registry / "disabled.module").write_text("module: /opt/x/libx.so\ndisable-in: bidclient\n")
    monkeypatch.setenv(ENV_MODULES, os.pathsep.join(["/opt/env/libenv.so", MODULE]))

    found = discover_modules(["/opt/cli/libcli.so"], registry_dirs=[registry])

    paths = [str(m.path) for m in found]
    assert paths[:3] == ["/opt/cli/libcli.so", "/opt/env/libenv.so", MODULE]
    assert "/opt/vendor/libvendor.so" in paths
    relative = next(m for m in found if m.name == "relative")
    assert relative.path.name == "opensc-pkcs11.so" and relative.path.is_absolute()
    assert not any("p11-kit" in p or "libx.so" in p for p in paths)


def test_system_registry_lists_softhsm_once() -> None:
    found = discover_modules([MODULE])  # a symlink to the registry's path: the same module
    real = [os.path.realpath(m.path) for m in found]
    assert real.count(os.path.realpath(MODULE)) == 1
    assert not any("p11-kit-trust" in p for p in real)


def test_listing_needs_no_pin_and_classifies_pairs(tokens: Tokens) -> None:
    listing = list_tokens([MODULE])

    by_label = {t.info.label: t for t in listing}
    assert set(by_label) == {"Bidder RSA", "Bidder EC", "Spare"}
    bidder = by_label["Bidder RSA"]
    assert bidder.info.manufacturer == "SoftHSM project" and bidder.info.serial
    roles = {p.key_id: p.role for p in bidder.pairs}
    assert roles == {b"\x01": "signing", b"\x02": "encryption"}
    assert {c.label for c in bidder.certificates} >= {"Test Sub CA", "Test Root"}
    for pair in bidder.pairs:
        parsed = parse_uri(pair.uri)
        assert parsed.id == pair.key_id and parsed.token == "Bidder RSA"
    ec_roles = sorted(p.role for p in by_label["Bidder EC"].pairs)
    assert ec_roles == ["encryption", "signing", "signing"]


def test_a_module_that_fails_to_load_is_reported_not_fatal(tokens: Tokens, tmp_path: Path) -> None:
    garbage = tmp_path / "libgarbage.so"
    garbage.write_bytes(b"not an ELF file")
    listing = list_tokens([str(garbage), "/nonexistent/libvendor.so", MODULE])

    assert {t.info.label for t in listing} == {"Bidder RSA", "Bidder EC", "Spare"}
    failed = {str(f.module.path): f.error for f in listing.failures}
    assert set(failed) == {str(garbage), "/nonexistent/libvendor.so"}
    assert all(isinstance(e, errors.ModuleLoadError) for e in failed.values())


def test_listed_uri_opens_the_listed_key(tokens: Tokens) -> None:
    pair = next(p for t in list_tokens([MODULE]) for p in t.pairs if p.key_id == b"\x01")
    with open_key(pair.uri, CountingPin()) as session:
        assert session.signing_certificate == tokens.rsa_sign.certificate


# --- signing -------------------------------------------------------------------------------------


def test_rsa_signatures_on_the_token_verify(tokens: Tokens) -> None:
    public = tokens.rsa_sign.private_key.public_key()
    assert isinstance(public, rsa.RSAPublicKey)
    with open_key(uri("Bidder RSA", b"\x01"), CountingPin()) as session:
        signer = session.signer()
        v15 = signer.sign(MESSAGE, SignatureAlgorithm.RSA_PKCS1V15_SHA256)
        pss = signer.sign(MESSAGE, SignatureAlgorithm.RSA_PSS_SHA256)
        assert signer.chain == [tokens.sub.certificate, tokens.root.certificate]
        assert signer.supported_signature_algorithms() == [SignatureAlgorithm.RSA_PKCS1V15_SHA256,
                                                           SignatureAlgorithm.RSA_PSS_SHA256]
    public.verify(v15, MESSAGE, padding.PKCS1v15(), hashes.SHA256())
    public.verify(pss, MESSAGE, padding.PSS(padding.MGF1(hashes.SHA256()), 32), hashes.SHA256())


@pytest.mark.parametrize(("which", "algorithm", "hash_"), [
    ("ec_sign", SignatureAlgorithm.ECDSA_SHA256, hashes.SHA256()),
    ("ec384_sign", SignatureAlgorithm.ECDSA_SHA384, hashes.SHA384()),
])
def test_ecdsa_signatures_are_der_and_verify(tokens: Tokens, which: str, algorithm: SignatureAlgorithm,
                                             hash_: hashes.HashAlgorithm) -> None:
    pair: KeyPair = getattr(tokens, which)
    with open_key(uri("Bidder EC", pair.key_id), CountingPin()) as session:
        signer = session.signer()
        assert signer.supported_signature_algorithms()[0] is algorithm
        signature = signer.sign(MESSAGE, algorithm)
    public = pair.private_key.public_key()
    assert isinstance(public, ec.EllipticCurvePublicKey)
    assert signature[0] == 0x30  # DER SEQUENCE, not the token's raw r‖s
    public.verify(signature, MESSAGE, ec.ECDSA(hash_))


def test_wrong_algorithm_for_the_key_is_refused(tokens: Tokens) -> None:
    with open_key(uri("Bidder EC", b"\x11"), CountingPin()) as session, \
            pytest.raises(errors.MechanismUnsupported):
        session.signer().sign(MESSAGE, SignatureAlgorithm.RSA_PSS_SHA256)


# --- decryption and key agreement ------------------------------------------------------------------


def test_rsa_key_transport_oaep_sha1_and_v15(tokens: Tokens) -> None:
    public = tokens.rsa_enc.private_key.public_key()
    assert isinstance(public, rsa.RSAPublicKey)
    cek = os.urandom(32)
    oaep = public.encrypt(cek, padding.OAEP(padding.MGF1(hashes.SHA1()), hashes.SHA1(), None))  # noqa: S303
    v15 = public.encrypt(cek, padding.PKCS1v15())
    pin = CountingPin()
    with open_key(uri("Bidder RSA"), pin) as session:
        decrypter = session.decrypter()
        assert decrypter.certificate == tokens.rsa_enc.certificate
        assert decrypter.decrypt_key_transport(oaep, KeyTransport.RSA_OAEP_SHA1) == cek
        assert decrypter.decrypt_key_transport(v15, KeyTransport.RSA_PKCS1V15) == cek
        with pytest.raises(errors.DecryptionFailed):
            decrypter.decrypt_key_transport(os.urandom(256), KeyTransport.RSA_OAEP_SHA1)
    assert len(pin.requests) == 1


def test_softhsm_oaep_sha256_is_reported_unsupported(tokens: Tokens) -> None:
    public = tokens.rsa_enc.private_key.public_key()
    assert isinstance(public, rsa.RSAPublicKey)
    oaep256 = padding.OAEP(padding.MGF1(hashes.SHA256()), hashes.SHA256(), None)
    wrapped = public.encrypt(os.urandom(32), oaep256)
    with open_key(uri("Bidder RSA"), CountingPin()) as session, \
            pytest.raises(errors.MechanismUnsupported, match="rsa_oaep_sha256"):
        session.decrypter().decrypt_key_transport(wrapped, KeyTransport.RSA_OAEP_SHA256)


def test_ecdh_on_the_token_equals_software_ecdh(tokens: Tokens) -> None:
    ephemeral = ec.generate_private_key(ec.SECP256R1())
    token_public = tokens.ec_enc.private_key.public_key()
    assert isinstance(token_public, ec.EllipticCurvePublicKey)
    with open_key(uri("Bidder EC", b"\x12"), CountingPin()) as session:
        secret = session.decrypter().exchange(ephemeral.public_key())
    assert secret == ephemeral.exchange(ec.ECDH(), token_public)
    assert len(secret) == 32


# --- which pair -----------------------------------------------------------------------------------


def test_dongle_with_signing_and_encryption_pairs(tokens: Tokens) -> None:
    # The URI names the signing pair; the session still finds the companion encryption pair.
    with open_key(uri("Bidder RSA", b"\x01"), CountingPin()) as session:
        assert session.signing_certificate == tokens.rsa_sign.certificate
        assert session.encryption_certificate == tokens.rsa_enc.certificate
        assert session.decrypter().certificate == tokens.rsa_enc.certificate
        by_cert = session.decrypter(tokens.rsa_enc.certificate)
        assert by_cert.certificate == tokens.rsa_enc.certificate
        with pytest.raises(errors.KeyNotFound):
            session.decrypter(tokens.ec_enc.certificate)
        assert set(session.certificates()) >= {tokens.root.certificate, tokens.sub.certificate}
    # Naming the encryption pair still signs with the signing pair.
    with open_key(uri("Bidder RSA", b"\x02"), CountingPin()) as session:
        assert session.signer().certificate == tokens.rsa_sign.certificate


def test_two_signing_pairs_are_ambiguous_and_listed(tokens: Tokens) -> None:
    with open_key(uri("Bidder EC"), CountingPin()) as session:
        with pytest.raises(errors.AmbiguousKey) as raised:
            session.signer()
        assert "id=%11" in raised.value.message and "id=%13" in raised.value.message
        assert session.encryption_certificate == tokens.ec_enc.certificate


def test_key_errors(tokens: Tokens, tmp_path: Path) -> None:
    with pytest.raises(errors.KeyNotFound, match=r"pkcs11:.*PKCS#12"):
        with open_key(str(tmp_path / "missing.p12"), CountingPin()):
            pass
    with pytest.raises(errors.TokenNotPresent):
        with open_key(uri("No Such Token"), CountingPin()):
            pass
    with pytest.raises(errors.KeyNotFound):
        with open_key(uri("Bidder RSA", b"\x99"), CountingPin()):
            pass
    with pytest.raises(errors.ModuleLoadError):
        with open_key("pkcs11:token=x?module-path=/nonexistent/lib.so", CountingPin()):
            pass
    with pytest.raises(errors.InvalidKeyUri):
        with open_key("pkcs11:token=x;bogus=1", CountingPin()):
            pass


def test_module_name_selects_a_registered_module(tokens: Tokens) -> None:
    with open_key("pkcs11:token=Spare?module-name=softhsm2", CountingPin()) as session:
        assert session.signing_certificate == tokens.other.certificate


# --- PIN ------------------------------------------------------------------------------------------


def test_one_pin_entry_per_session_and_none_before_use(tokens: Tokens) -> None:
    pin = CountingPin()
    with open_key(uri("Bidder RSA"), pin) as session:
        _ = session.signing_certificate
        assert pin.requests == []  # certificates are public: no login yet
        session.signer().sign(MESSAGE, SignatureAlgorithm.RSA_PKCS1V15_SHA256)
        public = tokens.rsa_enc.private_key.public_key()
        assert isinstance(public, rsa.RSAPublicKey)
        session.decrypter().decrypt_key_transport(public.encrypt(b"k" * 32, padding.PKCS1v15()),
                                                  KeyTransport.RSA_PKCS1V15)
    assert [(r.token_label, r.for_file) for r in pin.requests] == [("Bidder RSA", False)]


def test_wrong_pin_is_not_retried_and_count_low_is_shown(tokens: Tokens) -> None:
    wrong = CountingPin("000000")
    with open_key(uri("Spare"), wrong) as session:
        signer = session.signer()
        with pytest.raises(errors.PinIncorrect):
            signer.sign(MESSAGE, SignatureAlgorithm.RSA_PKCS1V15_SHA256)
        with pytest.raises(errors.PinIncorrect):
            signer.sign(MESSAGE, SignatureAlgorithm.RSA_PKCS1V15_SHA256)
    assert len(wrong.requests) == 1

    right = CountingPin()
    with open_key(uri("Spare"), right) as session:
        session.signer().sign(MESSAGE, SignatureAlgorithm.RSA_PKCS1V15_SHA256)
    assert right.requests[0].count_low  # the token flags a failed attempt since the last success


def test_cancelled_pin(tokens: Tokens) -> None:
    with open_key(uri("Spare"), CountingPin(None)) as session, pytest.raises(errors.PinCancelled):
        session.signer().sign(MESSAGE, SignatureAlgorithm.RSA_PKCS1V15_SHA256)


def test_pin_source_file_in_the_uri(tokens: Tokens, tmp_path: Path) -> None:
    pin_file = tmp_path / "pin.txt"
    pin_file.write_text(USER_PIN + "\n")
    key = uri("Bidder RSA", b"\x01", pin_source=f"file:{pin_file}")
    with open_key(key, cancelled) as session:  # the given PinSource would refuse
        signature = session.signer().sign(MESSAGE, SignatureAlgorithm.RSA_PKCS1V15_SHA256)
    public = tokens.rsa_sign.private_key.public_key()
    assert isinstance(public, rsa.RSAPublicKey)
    public.verify(signature, MESSAGE, padding.PKCS1v15(), hashes.SHA256())


# --- modules side by side, threads ---------------------------------------------------------------


def test_two_modules_side_by_side(tokens: Tokens, tmp_path: Path) -> None:
    # A copy at another path is a separate dlopen handle with its own state: a second vendor.
    copy = tmp_path / "libvendor-copy.so"
    shutil.copyfile(MODULE, copy)
    try:
        listing = list_tokens([MODULE, str(copy)])
        assert listing.failures == []
        modules = {os.path.realpath(t.info.module_path) for t in listing}
        assert modules == {os.path.realpath(MODULE), str(copy)}
        signatures = []
        for path in (MODULE, str(copy)):
            key = f"pkcs11:token=Bidder%20EC;id=%11?module-path={path}"
            with open_key(key, CountingPin()) as session:
                signatures.append(session.signer().sign(MESSAGE, SignatureAlgorithm.ECDSA_SHA256))
        public = tokens.ec_sign.private_key.public_key()
        assert isinstance(public, ec.EllipticCurvePublicKey)
        for signature in signatures:
            public.verify(signature, MESSAGE, ec.ECDSA(hashes.SHA256()))
        first, second = token_worker.worker_for(MODULE), token_worker.worker_for(copy)
        assert first.thread is not second.thread
    finally:
        token_worker.worker_for(copy).shutdown()
        with token_worker._workers_lock:
            token_worker._workers.pop(str(copy), None)


def test_jobs_run_on_the_module_thread(tokens: Tokens) -> None:
    worker = token_worker.worker_for(MODULE)
    assert worker.run(threading.current_thread) is worker.thread
    assert worker.thread is not threading.current_thread()
    with pytest.raises(RuntimeError, match="outside its worker thread"):
        _ = worker.lib


def test_every_python_pkcs11_call_happens_on_a_worker_thread(tokens: Tokens) -> None:
    """Trace every Python-level function of the pkcs11 package, on every thread, during a whole
    open / sign / decrypt / exchange: all of them must run on a module worker thread."""
    package = os.path.dirname(pkcs11.__file__)
    seen: list[str] = []

    def profiler(frame: FrameType, event: str, _arg: Any) -> None:
        if event == "call" and frame.f_code.co_filename.startswith(package):
            seen.append(threading.current_thread().name)

    token_worker.shutdown_all()  # worker threads started from now on inherit the profiler
    threading.setprofile(profiler)
    sys.setprofile(profiler)
    try:
        with open_key(uri("Bidder EC"), CountingPin()) as session:
            session.decrypter().exchange(ec.generate_private_key(ec.SECP256R1()).public_key())
            list_tokens([MODULE])
    finally:
        sys.setprofile(None)
        threading.setprofile(None)
    assert len(seen) > 20  # the trace did see python-pkcs11 at work
    assert {name for name in seen if not name.startswith("pkcs11-")} == set()
