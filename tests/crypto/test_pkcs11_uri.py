"""RFC 7512 PKCS#11 URIs: parsing, formatting, percent-encoding, matching."""

from __future__ import annotations

import logging

import pytest

from crypto.errors import InvalidKeyUri
from crypto.pkcs11_uri import Pkcs11Uri, format_uri, is_pkcs11_uri, parse_uri


def test_parse_all_attributes() -> None:
    uri = parse_uri(
        "pkcs11:token=My%20Token;manufacturer=CFCA;serial=0123;model=ePass3003;"
        "library-manufacturer=Feitian;library-description=ePass;library-version=2.1;"
        "object=Sign%20Key;type=private;id=%01%A2;slot-manufacturer=Feitian;slot-description=Reader%201;"
        "slot-id=7?module-path=/usr/lib/libcfca.so&module-name=cfca&pin-source=file:/run/pin")
    assert uri == Pkcs11Uri(token="My Token", manufacturer="CFCA", serial="0123", model="ePass3003",
                            library_manufacturer="Feitian", library_description="ePass",
                            library_version="2.1", object="Sign Key", type="private", id=b"\x01\xa2",
                            slot_manufacturer="Feitian", slot_description="Reader 1", slot_id=7,
                            module_path="/usr/lib/libcfca.so", module_name="cfca",
                            pin_source="file:/run/pin")


def test_rfc7512_examples() -> None:
    assert parse_uri("pkcs11:").token is None
    assert parse_uri("pkcs11:object=my-pubkey;type=public").object == "my-pubkey"
    uri = parse_uri("pkcs11:token=The%20Software%20PKCS%2311%20Softtoken;manufacturer=Snake%20Oil,%20Inc.;"
                    "model=1.0;object=my-certificate;type=cert;id=%69%95%3E%5C%F4%BD%EC%91;"
                    "serial=?pin-source=file:/etc/token_pin")
    assert uri.token == "The Software PKCS#11 Softtoken"
    assert uri.manufacturer == "Snake Oil, Inc."
    assert uri.id == bytes.fromhex("69953e5cf4bdec91")
    assert uri.serial == ""
    assert uri.pin_source == "file:/etc/token_pin"
    assert parse_uri("pkcs11:token=A%20name%20with%20a%20substring%20%25%3B;object=my-certificate;"
                     "type=cert").token == "A name with a substring %;"
    assert parse_uri("pkcs11:token=Name%20with%20a%20small%20A%20with%20acute:%20%C3%A1;"
                     "object=my-certificate;type=cert").token == "Name with a small A with acute: á"
    assert parse_uri("pkcs11:x-vendor-aid=%C3%A1;token=t").vendor == (("x-vendor-aid", "á"),)


@pytest.mark.parametrize("uri", [
    Pkcs11Uri(token="Bidder; Co/Ltd?#%&", object="签名密钥", id=bytes(range(256))),
    Pkcs11Uri(token="t", module_path="/opt/vendor dir/lib&x.so", pin_source="file:/tmp/p?x|y"),
    Pkcs11Uri(serial="", slot_id=0, library_version="3", type="cert"),
    Pkcs11Uri(),
])
def test_format_parse_round_trip(uri: Pkcs11Uri) -> None:
    text = format_uri(uri)
    assert text.isascii()
    assert parse_uri(text) == uri
    assert format_uri(parse_uri(text)) == text


def test_format_escapes_only_what_it_must() -> None:
    text = format_uri(Pkcs11Uri(token="Bidder; Co", id=b"\x01", module_path="/usr/lib/a.so"))
    assert text == "pkcs11:token=Bidder%3B%20Co;id=%01?module-path=/usr/lib/a.so"


def test_scheme_is_case_insensitive_and_detected() -> None:
    assert is_pkcs11_uri("PKCS11:token=x")
    assert parse_uri("PKCS11:token=x").token == "x"
    assert not is_pkcs11_uri("/home/u/key.p12")


@pytest.mark.parametrize(("text", "problem"), [
    ("file:key.p12", "starts with"),
    ("pkcs11:token=a;token=b", "twice"),
    ("pkcs11:tokn=a", "unknown"),
    ("pkcs11:token", "name=value"),
    ("pkcs11:id=%0", "percent"),
    ("pkcs11:id=%zz", "percent"),
    ("pkcs11:token=%FF%FE", "UTF-8"),
    ("pkcs11:slot-id=abc", "decimal"),
    ("pkcs11:slot-id=%D9%A3", "decimal"),  # Arabic-Indic digit three: not ASCII
    ("pkcs11:type=secret", "type"),
    ("pkcs11:library-version=1.x", "library-version"),
    ("pkcs11:token=a#frag", "fragment"),
    ("pkcs11:token=a?pin-sourc=x", "unknown"),
])
def test_malformed_uris_are_refused_precisely(text: str, problem: str) -> None:
    with pytest.raises(InvalidKeyUri, match=problem) as raised:
        parse_uri(text)
    assert raised.value.code == "token.invalid_uri"


def test_pin_value_is_accepted_with_a_warning_that_does_not_show_it(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="crypto.pkcs11_uri"):
        uri = parse_uri("pkcs11:token=t?pin-value=S3cr3tPIN")
    assert uri.pin_value == "S3cr3tPIN"
    assert "pin-source" in caplog.text and "S3cr3tPIN" not in caplog.text
    assert "S3cr3tPIN" not in repr(uri)
    assert "pin-value" not in str(uri.without_pin())


def test_matching() -> None:
    uri = parse_uri("pkcs11:token=Bidder;serial=42;library-version=2;slot-id=3")
    assert uri.matches_token("Bidder", "42", "any", "any")
    assert not uri.matches_token("Bidder", "43", "any", "any")
    assert uri.matches_library("m", "d", (2, 0))
    assert not uri.matches_library("m", "d", (2, 1))
    assert uri.matches_slot(3, "m", "d") and not uri.matches_slot(4, "m", "d")
    assert not uri.names_object and parse_uri("pkcs11:id=%01").names_object
