"""Certificate validation against the dev PKI: each refusal reason, CRL, OCSP, soft and hard fail."""

from __future__ import annotations

import asyncio
import datetime as dt
from pathlib import Path

import pytest
from cryptography import x509

from crypto.errors import TrustError
from crypto.trust import RevocationMode, TrustList, TrustListError, validate
from devtools.ocsp import PkiServer
from devtools.pki import DevPki

HARD = RevocationMode.HARD_FAIL
SOFT = RevocationMode.SOFT_FAIL


def _load(path: Path) -> x509.Certificate:
    return x509.load_pem_x509_certificate(path.read_bytes())


def _signing(pki: DevPki, name: str) -> x509.Certificate:
    return _load(pki.party(name).signing_cert)


def _encryption(pki: DevPki, name: str) -> x509.Certificate:
    path = pki.party(name).encryption_cert
    assert path is not None
    return _load(path)


@pytest.fixture(scope="module")
def trust_with_crls(pki: DevPki) -> TrustList:
    return TrustList.load([pki.trust_dir, pki.crl_dir])


@pytest.fixture(scope="module")
def trust_roots_only(pki: DevPki) -> TrustList:
    """CA certificates only: revocation must come from the network (CRL DP / OCSP)."""
    return TrustList.load([pki.trust_dir])


def test_trust_list_sorts_roots_intermediates_and_crls(trust_with_crls: TrustList) -> None:
    assert sorted(c.subject.rfc4514_string() for c in trust_with_crls.roots) == [
        "CN=bidclient Dev EC Root CA,O=bidclient dev PKI,C=CN",
        "CN=bidclient Dev RSA Root CA,O=bidclient dev PKI,C=CN"]
    assert [c.subject.rfc4514_string() for c in trust_with_crls.intermediates] == [
        "CN=bidclient Dev EC Issuing CA 1,O=bidclient dev PKI,C=CN"]
    assert len(trust_with_crls.crls) == 3  # DER and PEM copies of each CA's CRL count once


@pytest.mark.parametrize(("name", "issuer_cn"), [
    ("ent-a", "bidclient Dev RSA Root CA"), ("ent-a-ec", "bidclient Dev EC Issuing CA 1"),
    ("ent-b", "bidclient Dev EC Issuing CA 1"), ("expert-1", "bidclient Dev EC Issuing CA 1"),
    ("opener-1", "bidclient Dev RSA Root CA")])
def test_good_signing_certificates_validate_with_hard_fail(pki: DevPki, trust_with_crls: TrustList,
                                                           name: str, issuer_cn: str) -> None:
    result = validate(_signing(pki, name), trust_with_crls, usage="signing", revocation=HARD)
    assert f"CN={issuer_cn}," in result.issuer_name
    assert result.path[0] == _signing(pki, name)
    assert result.path[-1].subject == result.path[-1].issuer  # ends at a root
    assert result.warnings == ()


def test_ec_path_goes_through_the_intermediate(pki: DevPki, trust_with_crls: TrustList) -> None:
    result = validate(_signing(pki, "ent-b"), trust_with_crls, usage="signing", revocation=HARD)
    assert [c.subject.rfc4514_string().split(",")[0] for c in result.path] == [
        "CN=乙方科技有限公司", "CN=bidclient Dev EC Issuing CA 1", "CN=bidclient Dev EC Root CA"]
    assert result.root_name.startswith("CN=bidclient Dev EC Root CA")


@pytest.mark.parametrize("name", ["ent-a", "ent-a-ec", "ent-b", "opener-1"])
def test_encryption_certificates_validate_for_encryption(pki: DevPki, trust_with_crls: TrustList,
                                                         name: str) -> None:
    validate(_encryption(pki, name), trust_with_crls, usage="encryption", revocation=HARD)


@pytest.mark.parametrize(("name", "reason", "words"), [
    ("bad-expired", "expired", "expired on"),
    ("bad-not-yet-valid", "not_yet_valid", "is not valid before"),
    ("bad-revoked-crl", "revoked", "was revoked on"),
    ("bad-revoked-ocsp", "revoked", "was revoked on"),
    ("bad-wrong-usage", "wrong_key_usage", "may not be used for signing"),
    ("bad-rogue", "untrusted_root", "not issued by a CA on the trust list"),
])
def test_each_bad_certificate_is_refused_for_its_reason(pki: DevPki, trust_with_crls: TrustList, name: str,
                                                        reason: str, words: str) -> None:
    cert = _signing(pki, name)
    with pytest.raises(TrustError) as info:
        validate(cert, trust_with_crls, usage="signing", revocation=HARD)
    assert info.value.reason == reason
    assert info.value.code == f"trust.{reason}"
    assert words in info.value.message
    # The message names the certificate in words people know (its CN).
    cn = cert.subject.get_attributes_for_oid(x509.NameOID.COMMON_NAME)[0].value
    assert str(cn) in info.value.message
    assert info.value.subject


def test_signing_certificate_is_refused_for_encryption(pki: DevPki, trust_with_crls: TrustList) -> None:
    with pytest.raises(TrustError) as info:
        validate(_signing(pki, "ent-a"), trust_with_crls, usage="encryption", revocation=HARD)
    assert info.value.reason == "wrong_key_usage"
    with pytest.raises(TrustError) as info:
        validate(_signing(pki, "ent-b"), trust_with_crls, usage="encryption", revocation=HARD)
    assert info.value.reason == "wrong_key_usage"  # EC without keyAgreement


def test_any_usage_accepts_an_encryption_only_certificate(pki: DevPki, trust_with_crls: TrustList) -> None:
    validate(_signing(pki, "bad-wrong-usage"), trust_with_crls, usage="any", revocation=HARD)


def test_ocsp_is_asked_and_finds_what_the_crl_does_not(pki: DevPki, pki_server: PkiServer,
                                                        trust_with_crls: TrustList) -> None:
    before = pki_server.hits["ocsp"]
    with pytest.raises(TrustError) as info:
        validate(_signing(pki, "bad-revoked-ocsp"), trust_with_crls, usage="signing", revocation=SOFT)
    assert info.value.reason == "revoked"
    assert pki_server.hits["ocsp"] > before


def test_crls_are_fetched_from_distribution_points(pki: DevPki, pki_server: PkiServer,
                                                   trust_roots_only: TrustList) -> None:
    before = pki_server.hits["crl"]
    with pytest.raises(TrustError) as info:
        validate(_signing(pki, "bad-revoked-crl"), trust_roots_only, usage="signing", revocation=HARD)
    assert info.value.reason == "revoked"
    assert pki_server.hits["crl"] > before
    validate(_signing(pki, "ent-b"), trust_roots_only, usage="signing", revocation=HARD)


def test_revocation_off_accepts_a_revoked_certificate(pki: DevPki, trust_roots_only: TrustList) -> None:
    validate(_signing(pki, "bad-revoked-crl"), trust_roots_only, usage="signing",
             revocation=RevocationMode.OFF)


def test_responder_down_soft_fail_accepts_with_a_warning(pki: DevPki, trust_roots_only: TrustList,
                                                         pki_server_down: PkiServer) -> None:
    result = validate(_signing(pki, "ent-a"), trust_roots_only, usage="signing", revocation=SOFT)
    assert result.warnings and any("OCSP" in w for w in result.warnings)
    # Soft fail is exactly that: a certificate revoked only in OCSP slips through while it is down.
    validate(_signing(pki, "bad-revoked-ocsp"), trust_roots_only, usage="signing", revocation=SOFT)


@pytest.mark.parametrize("name", ["ent-a", "ent-b"])
def test_responder_down_hard_fail_refuses(pki: DevPki, trust_roots_only: TrustList,
                                          pki_server_down: PkiServer, name: str) -> None:
    with pytest.raises(TrustError) as info:
        validate(_signing(pki, name), trust_roots_only, usage="signing", revocation=HARD)
    assert info.value.reason == "revocation_unknown"
    assert "revocation status could not be checked" in info.value.message


def test_responder_down_hard_fail_falls_back_to_trust_list_crls(pki: DevPki, trust_with_crls: TrustList,
                                                                pki_server_down: PkiServer) -> None:
    validate(_signing(pki, "ent-a"), trust_with_crls, usage="signing", revocation=HARD)
    with pytest.raises(TrustError) as info:
        validate(_signing(pki, "bad-revoked-crl"), trust_with_crls, usage="signing", revocation=HARD)
    assert info.value.reason == "revoked"


def test_validation_at_a_past_moment(pki: DevPki, trust_with_crls: TrustList) -> None:
    # Signed while still valid: the expired certificate is fine at that moment.
    validate(_signing(pki, "bad-expired"), trust_with_crls, usage="signing", revocation=HARD,
             at=pki.created - dt.timedelta(days=100))
    # Signed a day before the revocation: not revoked at that moment.
    validate(_signing(pki, "bad-revoked-crl"), trust_with_crls, usage="signing", revocation=HARD,
             at=pki.created - dt.timedelta(minutes=40))
    with pytest.raises(TrustError) as info:
        validate(_signing(pki, "bad-revoked-crl"), trust_with_crls, usage="signing", revocation=HARD,
                 at=pki.created - dt.timedelta(minutes=10))
    assert info.value.reason == "revoked"
    with pytest.raises(TrustError) as info:
        validate(_signing(pki, "ent-a"), trust_with_crls, usage="signing",
                 at=pki.created + dt.timedelta(days=800))
    assert info.value.reason == "expired"


def test_extra_certs_supply_a_missing_intermediate(pki: DevPki, pki_server_down: PkiServer,
                                                   tmp_path: Path) -> None:
    roots = TrustList.load([pki.ca("ec-root").certificate, pki.ca("rsa-ca").certificate,
                            pki.crl_dir])
    cert = _signing(pki, "ent-b")
    with pytest.raises(TrustError) as info:  # the AIA caIssuers server is down too
        validate(cert, roots, usage="signing", revocation=HARD)
    assert info.value.reason == "untrusted_root"
    result = validate(cert, roots, usage="signing", revocation=HARD,
                      extra_certs=[_load(pki.ca("ec-sub").certificate)])
    assert len(result.path) == 3


def test_missing_intermediate_is_fetched_from_aia(pki: DevPki, pki_server: PkiServer) -> None:
    roots = TrustList.load([pki.ca("ec-root").certificate, pki.crl_dir])
    result = validate(_signing(pki, "ent-b"), roots, usage="signing", revocation=HARD)
    assert len(result.path) == 3


def test_rogue_root_is_refused_even_when_named(pki: DevPki) -> None:
    trust = TrustList.load([pki.trust_dir])
    rogue = _load(pki.ca("rogue-ca").certificate)
    with pytest.raises(TrustError) as info:
        validate(rogue, trust, revocation=RevocationMode.OFF)
    assert info.value.reason == "untrusted_root"


def test_empty_trust_list_trusts_nothing(pki: DevPki, tmp_path: Path) -> None:
    with pytest.raises(TrustError) as info:
        validate(_signing(pki, "ent-a"), TrustList.load([tmp_path]), revocation=RevocationMode.OFF)
    assert info.value.reason == "untrusted_root"


def test_trust_list_rejects_unreadable_files_with_their_name(tmp_path: Path, pki: DevPki) -> None:
    bad = tmp_path / "junk.pem"
    bad.write_text("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n")
    with pytest.raises(TrustListError) as info:
        TrustList.load([tmp_path])
    assert "junk.pem" in info.value.message
    bad.write_bytes(b"\x30\x82\xff\xff garbage")
    with pytest.raises(TrustListError):
        TrustList.load([bad])
    with pytest.raises(TrustListError):
        TrustList.load([tmp_path / "missing"])
    key_only = tmp_path / "key.pem"
    key_only.write_bytes(pki.party("ent-a").signing_key.read_bytes())
    bad.unlink()
    with pytest.raises(TrustListError, match="no certificate or CRL"):
        TrustList.load([tmp_path])


def test_trust_list_ignores_other_files_in_a_folder(tmp_path: Path, pki: DevPki) -> None:
    (tmp_path / "README.txt").write_text("not a certificate")
    (tmp_path / "rsa-ca.cer").write_bytes(pki.ca("rsa-ca").certificate_der.read_bytes())
    (tmp_path / "rsa-ca.crl").write_bytes((pki.crl_dir / "rsa-ca.crl").read_bytes())
    trust = TrustList.load([tmp_path])
    assert len(trust.roots) == 1 and len(trust.crls) == 1


def test_validate_works_inside_a_running_event_loop(pki: DevPki, trust_with_crls: TrustList) -> None:
    async def from_a_coroutine() -> str:
        # As a FastAPI handler would call it: a loop is already running in this thread.
        return validate(_signing(pki, "ent-a"), trust_with_crls, usage="signing", revocation=HARD).issuer_name

    assert "RSA Root CA" in asyncio.run(from_a_coroutine())


def test_undecodable_subject_is_refused_with_a_trust_error(pki: DevPki, trust_with_crls: TrustList) -> None:
    from cryptography.hazmat.primitives import serialization

    der = _signing(pki, "ent-b").public_bytes(serialization.Encoding.DER)
    hostile = x509.load_der_x509_certificate(der.replace("乙方科技有限公司".encode(), b"\xff" * 24))
    with pytest.raises(TrustError) as info:
        validate(hostile, trust_with_crls, usage="signing", revocation=HARD)
    assert info.value.reason == "invalid"  # altered bytes break the CA signature
    assert f"serial {hostile.serial_number:x}" in info.value.message


# --- the trust list's CRLs apply to every certificate, whatever it declares (issue 8 §1) -------------


def _crl(pki: DevPki, ca: str, revoked: list[int] = (), *, last: dt.datetime | None = None,  # type: ignore[assignment]
         next_: dt.datetime | None = None, key_of: str | None = None) -> x509.CertificateRevocationList:
    """A CRL issued in the name of ``ca`` (signed with ``key_of``'s key: another CA's key forges it)."""
    from cryptography.hazmat.primitives import hashes, serialization

    issuer = _load(pki.ca(ca).certificate)
    key = serialization.load_pem_private_key(pki.ca(key_of or ca).key.read_bytes(), password=None)
    now = dt.datetime.now(dt.UTC)
    builder = (x509.CertificateRevocationListBuilder().issuer_name(issuer.subject)
               .last_update(last or now - dt.timedelta(minutes=5))
               .next_update(next_ or now + dt.timedelta(days=7)))
    for serial in revoked:
        builder = builder.add_revoked_certificate(
            x509.RevokedCertificateBuilder().serial_number(serial)
            .revocation_date(now - dt.timedelta(days=3)).build())
    return builder.sign(key, hashes.SHA256())  # type: ignore[arg-type]


def _roots(pki: DevPki) -> list[x509.Certificate]:
    return [_load(p) for p in sorted(pki.trust_dir.glob("*.pem"))]


def test_certificates_of_the_no_address_pki_name_no_revocation_source(pki_no_addresses: DevPki) -> None:
    cert = _signing(pki_no_addresses, "bad-revoked-crl")
    for extension in (x509.CRLDistributionPoints, x509.AuthorityInformationAccess):
        with pytest.raises(x509.ExtensionNotFound):
            ext = cert.extensions.get_extension_for_class(extension)
            if extension is x509.AuthorityInformationAccess:  # caIssuers alone is fine; no OCSP address
                assert all(d.access_method != x509.AuthorityInformationAccessOID.OCSP for d in ext.value)
                raise x509.ExtensionNotFound("no OCSP", extension.oid)


@pytest.mark.parametrize("mode", [SOFT, HARD])
def test_trust_list_crl_refuses_a_certificate_that_names_no_crl_address(pki_no_addresses: DevPki,
                                                                        mode: RevocationMode) -> None:
    trust = TrustList.load([pki_no_addresses.trust_dir, pki_no_addresses.crl_dir])
    with pytest.raises(TrustError) as info:
        validate(_signing(pki_no_addresses, "bad-revoked-crl"), trust, usage="signing", revocation=mode)
    assert info.value.reason == "revoked"
    assert "was revoked on" in info.value.message
    assert "according to the CRL of bidclient Dev EC Issuing CA 1 issued" in info.value.message


def test_good_certificate_says_which_crl_checked_it(pki_no_addresses: DevPki) -> None:
    trust = TrustList.load([pki_no_addresses.trust_dir, pki_no_addresses.crl_dir])
    crl = x509.load_pem_x509_crl((pki_no_addresses.crl_dir / "ec-sub.crl.pem").read_bytes())
    result = validate(_signing(pki_no_addresses, "ent-b"), trust, usage="signing", revocation=HARD)
    ee, ca = result.revocation
    assert (ee.source, ee.issuer, ee.this_update, ee.from_trust_list, ee.stale) == (
        "crl", "bidclient Dev EC Issuing CA 1", crl.last_update_utc, True, False)
    assert ee.end_entity and not ca.end_entity
    assert (ca.source, ca.issuer) == ("crl", "bidclient Dev EC Root CA")  # the intermediate, by the root's CRL
    assert result.warnings == ()


def test_without_any_source_revocation_is_reported_not_checked(pki_no_addresses: DevPki) -> None:
    result = validate(_signing(pki_no_addresses, "ent-a"), TrustList.load([pki_no_addresses.trust_dir]),
                      usage="signing", revocation=SOFT)
    assert [(c.source, c.not_checked) for c in result.revocation] == [("none", "no_source")]
    assert result.revocation[0].end_entity
    result = validate(_signing(pki_no_addresses, "ent-a"), TrustList.load([pki_no_addresses.trust_dir]),
                      usage="signing", revocation=RevocationMode.OFF)
    assert [(c.source, c.not_checked) for c in result.revocation] == [("none", "disabled")]


def test_a_revoked_intermediate_is_refused(pki_no_addresses: DevPki) -> None:
    sub = _load(pki_no_addresses.ca("ec-sub").certificate)
    trust = TrustList.of(_roots(pki_no_addresses), [_crl(pki_no_addresses, "ec-root", [sub.serial_number]),
                                                   _crl(pki_no_addresses, "ec-sub")])
    with pytest.raises(TrustError) as info:
        validate(_signing(pki_no_addresses, "ent-b"), trust, usage="signing", revocation=SOFT)
    assert info.value.reason == "revoked"
    assert "a CA certificate in its chain (bidclient Dev EC Issuing CA 1)" in info.value.message


def test_a_crl_not_signed_by_its_issuer_is_ignored(pki_no_addresses: DevPki) -> None:
    good = _signing(pki_no_addresses, "ent-a")
    forged = _crl(pki_no_addresses, "rsa-ca", [good.serial_number], key_of="ec-root")
    result = validate(good, TrustList.of(_roots(pki_no_addresses), [forged]), usage="signing", revocation=SOFT)
    assert result.revocation[0].source == "none"
    assert any("not signed by that CA's key" in w for w in result.warnings)


def test_an_expired_crl_still_refuses_what_it_lists(pki_no_addresses: DevPki) -> None:
    now = dt.datetime.now(dt.UTC)
    cert = _signing(pki_no_addresses, "ent-a")
    old = _crl(pki_no_addresses, "rsa-ca", [cert.serial_number], last=now - dt.timedelta(days=20),
               next_=now - dt.timedelta(days=13))
    with pytest.raises(TrustError) as info:
        validate(cert, TrustList.of(_roots(pki_no_addresses), [old]), usage="signing", revocation=SOFT)
    assert info.value.reason == "revoked"


def test_an_expired_crl_warns_in_soft_fail_and_refuses_in_hard_fail(pki_no_addresses: DevPki) -> None:
    now = dt.datetime.now(dt.UTC)
    old = _crl(pki_no_addresses, "rsa-ca", last=now - dt.timedelta(days=20), next_=now - dt.timedelta(days=13))
    trust = TrustList.of(_roots(pki_no_addresses), [old])
    cert = _signing(pki_no_addresses, "ent-a")
    result = validate(cert, trust, usage="signing", revocation=SOFT)
    assert result.revocation[0].source == "crl" and result.revocation[0].stale
    assert any("expired CRL" in w for w in result.warnings)
    with pytest.raises(TrustError) as info:
        validate(cert, trust, usage="signing", revocation=HARD)
    assert info.value.reason == "revocation_unknown"
    assert "expired CRL of bidclient Dev RSA Root CA" in info.value.message
    # The newest CRL is the one that counts: a fresh one beside the expired one is enough.
    fresh = TrustList.of(_roots(pki_no_addresses), [old, _crl(pki_no_addresses, "rsa-ca")])
    assert not validate(cert, fresh, usage="signing", revocation=HARD).revocation[0].stale


def test_no_address_revocation_at_a_past_moment(pki_no_addresses: DevPki) -> None:
    trust = TrustList.load([pki_no_addresses.trust_dir, pki_no_addresses.crl_dir])
    cert = _signing(pki_no_addresses, "bad-revoked-crl")
    validate(cert, trust, usage="signing", revocation=HARD, at=pki_no_addresses.created - dt.timedelta(minutes=40))
    with pytest.raises(TrustError):
        validate(cert, trust, usage="signing", revocation=HARD,
                 at=pki_no_addresses.created - dt.timedelta(minutes=10))


def test_declared_sources_are_reported_too(pki: DevPki, trust_with_crls: TrustList,
                                           trust_roots_only: TrustList) -> None:
    # From the trust list's CRL, from the OCSP responder, and from a CRL fetched from the certificate's address.
    assert validate(_signing(pki, "ent-a"), trust_with_crls, usage="signing",
                    revocation=HARD).revocation[0].from_trust_list
    by_ocsp = validate(_signing(pki, "ent-a"), trust_roots_only, usage="signing", revocation=HARD).revocation[0]
    assert (by_ocsp.source, by_ocsp.issuer) == ("ocsp", "bidclient Dev RSA CA OCSP Responder")
    assert by_ocsp.this_update is not None
    fetched = validate(_signing(pki, "ent-b"), trust_roots_only, usage="signing", revocation=HARD).revocation[0]
    assert (fetched.source, fetched.from_trust_list) == ("crl", False)


def test_unreachable_declared_sources_are_reported_unavailable(pki: DevPki, trust_roots_only: TrustList,
                                                                pki_server_down: PkiServer) -> None:
    result = validate(_signing(pki, "ent-b"), trust_roots_only, usage="signing", revocation=SOFT)
    assert result.revocation[0].not_checked == "unavailable"


def test_a_crl_naming_its_issuer_with_other_case_and_spaces_still_applies(pki_no_addresses: DevPki) -> None:
    """RFC 5280 7.1 name matching (case and inner spaces folded): the CRL spells the CA's name differently."""
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.x509.name import _ASN1Type

    ca = _load(pki_no_addresses.ca("rsa-ca").certificate)
    spelled = x509.Name([x509.NameAttribute(a.oid, str(a.value).upper().replace(" ", "  "),
                                            _ASN1Type.PrintableString) for a in ca.subject])
    assert spelled != ca.subject
    key = serialization.load_pem_private_key(pki_no_addresses.ca("rsa-ca").key.read_bytes(), password=None)
    cert = _signing(pki_no_addresses, "ent-a")
    now = dt.datetime.now(dt.UTC)
    crl = (x509.CertificateRevocationListBuilder().issuer_name(spelled).last_update(now - dt.timedelta(minutes=5))
           .next_update(now + dt.timedelta(days=7))
           .add_revoked_certificate(x509.RevokedCertificateBuilder().serial_number(cert.serial_number)
                                    .revocation_date(now - dt.timedelta(days=1)).build())
           .sign(key, hashes.SHA256()))  # type: ignore[arg-type]
    with pytest.raises(TrustError) as info:
        validate(cert, TrustList.of(_roots(pki_no_addresses), [crl]), usage="signing", revocation=SOFT)
    assert info.value.reason == "revoked"


def test_hard_fail_refuses_a_certificate_whose_revocation_nothing_can_show(pki_no_addresses: DevPki) -> None:
    """No CRL at hand and no address to ask: hard-fail cannot show the certificate unrevoked, so it refuses,
    and says that the CA's CRL is what is missing; with the CRL the same certificate is accepted."""
    with pytest.raises(TrustError) as caught:
        validate(_signing(pki_no_addresses, "ent-a"), TrustList.load([pki_no_addresses.trust_dir]),
                 usage="signing", revocation=HARD)
    assert caught.value.reason == TrustError.REASON_REVOCATION_UNKNOWN
    assert "CRL" in str(caught.value) and "trust list" in str(caught.value)
    result = validate(_signing(pki_no_addresses, "ent-a"),
                      TrustList.load([pki_no_addresses.trust_dir, pki_no_addresses.crl_dir]),
                      usage="signing", revocation=HARD)
    assert [c.source for c in result.revocation] == ["crl"]
