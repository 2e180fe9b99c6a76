"""The tender's version-3 ``opening`` object (docs/formats/tender.md "opening"): the decryption window, the
committee remedy, further announced fields — accepted in version 3 only, checked against the price schedule."""

from __future__ import annotations

from typing import Any

from bidclient.protocol.common import canonical_json
from bidclient.protocol.tender import parse_definition
from tests.bidclient.test_tender_package import _code, _definition


def test_the_opening_object_is_read_in_version_3(pki: Any) -> None:
    data = _definition(pki, format="bidclient-tender/3",
                       opening={"decryption_window_minutes": 45, "remedy": True, "announce": ["p"]})
    parsed = parse_definition(canonical_json(data))
    assert parsed.opening is not None
    opening = parsed.opening
    assert (opening.decryption_window_minutes, opening.remedy, opening.announce) == (45, True, ["p"])
    assert parse_definition(parsed.to_bytes()) == parsed


def test_the_opening_object_is_checked(pki: Any) -> None:
    assert _code(_definition(pki, format="bidclient-tender/2", opening={"remedy": True})) == "tender.opening_invalid"
    assert _code(_definition(pki, format="bidclient-tender/3",
                             opening={"announce": ["no_such_field"]})) == "tender.opening_invalid"
    assert _code(_definition(pki, format="bidclient-tender/3",
                             opening={"decryption_window_minutes": 1})) == "tender.definition_invalid"


def test_a_definition_without_it_keeps_its_bytes(pki: Any) -> None:
    data = _definition(pki)
    assert b'"opening"' not in parse_definition(canonical_json(data)).to_bytes()
