"""Enterprise identity: the USCC check character and where CAs put the code in a subject."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from crypto.identity import (
    USCC_CHARSET,
    Identity,
    find_uscc,
    identity_of,
    is_valid_uscc,
    uscc_check_character,
)
from devtools.pki import DevPki

# Published codes of real enterprises (business licences), so the check is tested on real data.
REAL_CODES = ["91350100M000100Y43", "914403001922038216", "91330100716105852F", "9144030071526726XG",
              "91110000802100433B", "91110108551385082Q"]


@pytest.mark.parametrize("code", REAL_CODES)
def test_real_codes_are_valid(code: str) -> None:
    assert is_valid_uscc(code)
    assert uscc_check_character(code[:17]) == code[17]


@pytest.mark.parametrize("code", REAL_CODES)
def test_every_single_character_change_is_detected(code: str) -> None:
    for position in range(18):
        for replacement in USCC_CHARSET:
            if replacement != code[position]:
                mutated = code[:position] + replacement + code[position + 1:]
                assert not is_valid_uscc(mutated), mutated


@pytest.mark.parametrize("code", REAL_CODES)
def test_adjacent_transpositions_in_the_body_are_detected(code: str) -> None:
    for position in range(16):
        a, b = code[position], code[position + 1]
        if a != b:
            swapped = code[:position] + b + a + code[position + 2:]
            assert not is_valid_uscc(swapped), swapped


@pytest.mark.parametrize("text", ["", "91350100M000100Y4", "91350100M000100Y431", "91350100m000100y43",
                                  "91350100O000100Y43", "9135010OM000100Y43", " 91350100M000100Y43",
                                  "91350100M000100Y4３"])
def test_malformed_codes_are_invalid(text: str) -> None:
    assert not is_valid_uscc(text)


def test_check_character_refuses_bad_bodies() -> None:
    for body in ("9135010", "91350100I000100Y4", "91350100M000100Y43"):
        with pytest.raises(ValueError):
            uscc_check_character(body)


def test_find_uscc_in_free_text() -> None:
    assert find_uscc("统一社会信用代码:91440300MA5F8K2L74") == "91440300MA5F8K2L74"
    assert find_uscc("91350100M000100Y43@某某公司") == "91350100M000100Y43"
    # Glued to other characters: the valid 18-character window is still found.
    assert find_uscc("X91350100M000100Y43X") == "91350100M000100Y43"
    assert find_uscc("某某公司 91350100M000100Y44") is None
    assert find_uscc("no code here") is None


def _cert(*attributes: tuple[x509.ObjectIdentifier, str]) -> x509.Certificate:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(oid, value) for oid, value in attributes])
    now = dt.datetime.now(dt.UTC)
    return (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(1).not_valid_before(now).not_valid_after(now + dt.timedelta(days=1))
            .sign(key, hashes.SHA256()))


def _from(path: Path | None) -> x509.Certificate:
    assert path is not None
    return x509.load_pem_x509_certificate(path.read_bytes())


def test_same_enterprise_from_two_cas_is_one_identity(pki: DevPki) -> None:
    ent_a, ent_a_ec = pki.party("ent-a"), pki.party("ent-a-ec")
    identities = {identity_of(_from(p)) for p in (ent_a.signing_cert, ent_a.encryption_cert,
                                                  ent_a_ec.signing_cert, ent_a_ec.encryption_cert)}
    assert identities == {Identity(uscc=ent_a.uscc, organization=ent_a.organization, person=None)}
    # The code sits in different subject attributes, so this is not a subject comparison.
    assert _from(ent_a.signing_cert).subject != _from(ent_a_ec.signing_cert).subject


def test_dev_parties_resolve_to_their_documented_identity(pki: DevPki) -> None:
    ent_b = identity_of(_from(pki.party("ent-b").signing_cert))
    assert ent_b == Identity(uscc=pki.party("ent-b").uscc, organization="乙方科技有限公司", person=None)
    opener = identity_of(_from(pki.party("opener-1").signing_cert))  # code and name inside CN, no O
    assert opener == Identity(uscc=pki.party("opener-1").uscc, organization="示例招标代理有限公司",
                              person=None)
    expert = identity_of(_from(pki.party("expert-1").signing_cert))
    assert expert == Identity(uscc=None, organization=None, person="张三")
    assert expert.key == "person:张三"
    assert ent_b.key == f"uscc:{pki.party('ent-b').uscc}"
    assert ent_b.display_name() == f"乙方科技有限公司 ({pki.party('ent-b').uscc})"


def test_identity_is_not_trust(pki: DevPki) -> None:
    # A rogue CA can name anyone: identity_of only reads the subject; trust.validate decides.
    rogue = identity_of(_from(pki.party("bad-rogue").signing_cert))
    assert rogue.uscc == pki.party("ent-a").uscc


def test_organization_identifier_forms() -> None:
    code = "91350100M000100Y43"
    bare = _cert((NameOID.ORGANIZATION_IDENTIFIER, code), (NameOID.ORGANIZATION_NAME, "甲公司"))
    assert identity_of(bare).uscc == code
    prefixed = _cert((NameOID.ORGANIZATION_IDENTIFIER, f"NTRCN-{code}"), (NameOID.COMMON_NAME, "甲公司"))
    assert identity_of(prefixed) == Identity(uscc=code, organization="甲公司", person=None)


def test_bad_organization_identifier_falls_back_to_serial_number() -> None:
    code = "914403001922038216"
    cert = _cert((NameOID.ORGANIZATION_IDENTIFIER, "NTRCN-914403001922038217"),
                 (NameOID.SERIAL_NUMBER, code), (NameOID.ORGANIZATION_NAME, "乙公司"))
    assert identity_of(cert).uscc == code


def test_employee_certificate_names_the_person_and_the_enterprise() -> None:
    code = "91330100716105852F"
    cert = _cert((NameOID.ORGANIZATION_NAME, "丙公司"), (NameOID.ORGANIZATIONAL_UNIT_NAME, code),
                 (NameOID.COMMON_NAME, "李四"))
    assert identity_of(cert) == Identity(uscc=code, organization="丙公司", person="李四")


def test_code_in_common_name_without_organization() -> None:
    cert = _cert((NameOID.COMMON_NAME, "丁公司(91110108551385082Q)"))
    assert identity_of(cert) == Identity(uscc="91110108551385082Q", organization="丁公司", person=None)


def test_a_personal_id_number_in_serial_number_is_not_taken_for_a_code() -> None:
    # An 18-digit ID number fails the USCC check (with probability 30/31; this one does).
    cert = _cert((NameOID.SERIAL_NUMBER, "110101199003074477"), (NameOID.COMMON_NAME, "王五"))
    assert not is_valid_uscc("110101199003074477")
    assert identity_of(cert) == Identity(uscc=None, organization=None, person="王五")


def test_undecodable_subject_is_a_precise_error() -> None:
    from cryptography.hazmat.primitives import serialization

    from crypto.errors import MalformedError

    der = _cert((NameOID.COMMON_NAME, "QQQQ")).public_bytes(serialization.Encoding.DER)
    hostile = x509.load_der_x509_certificate(der.replace(b"QQQQ", b"\xff\xfe\xff\xfe"))  # not UTF-8
    with pytest.raises(MalformedError):
        identity_of(hostile)


def test_names_in_messages_spell_out_the_attributes_chinese_cas_use() -> None:
    """A bidder reading 'recipients: 2.5.4.5=9131…' cannot tell it is the enterprise's code."""
    from cryptography import x509

    from crypto.identity import readable_name

    name = x509.Name([x509.NameAttribute(x509.NameOID.COMMON_NAME, "示例科技有限公司"),
                      x509.NameAttribute(x509.NameOID.SERIAL_NUMBER, "91310115MA1K4ABC18"),
                      x509.NameAttribute(x509.NameOID.ORGANIZATION_IDENTIFIER, "NTRCN-91310115MA1K4ABC18")])
    text = readable_name(name)
    assert "serialNumber=91310115MA1K4ABC18" in text and "organizationIdentifier=NTRCN-" in text
    assert "2.5.4." not in text and "示例科技有限公司" in text
