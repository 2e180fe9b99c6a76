"""The tender definition's rules and hostile inputs, and the local tender folder (no server needed)."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from bidclient import tender_package as tp
from bidclient.errors import BidclientError
from bidclient.protocol.common import canonical_json
from bidclient.protocol.tender import DefinitionError, Document, parse_definition
from bidclient.tenderfile import load_tender_target
from crypto import cms_sign
from crypto.key_access import open_key
from crypto.pin import pin_from_source_spec
from crypto.trust import TrustList

PDF = b"%PDF-1.7\n% a tender document\n"


def _definition(pki: Any, **changes: Any) -> dict[str, Any]:
    deadline = (datetime.now(UTC) + timedelta(days=5)).strftime("%Y-%m-%dT%H:%M:%SZ")
    opener = pki.party("opener-1")
    data: dict[str, Any] = {
        "format": "bidclient-tender/1", "tender_id": "ZB-1", "version": 1, "title": "采购", "procurement_kind":
        "services", "agency": {"name": "示例招标代理有限公司", "uscc": opener.uscc},
        "lots": [{"id": "1", "name": "服务"}],
        "forms": [{"id": "bid_letter", "name": "投标函", "fields": [{"name": "n", "label": "名称", "type": "text"}]},
                  {"id": "price_schedule", "name": "开标一览表",
                   "fields": [{"name": "p", "label": "总价", "type": "money"}]}],
        "scoring": {"method": "comprehensive", "criteria": [
            {"id": "price", "name": "价格", "weight": 10, "score_range": {"min": 0, "max": 100},
             "kind": "objective", "price": True, "formula": "cn-87-art55"},
            {"id": "svc", "name": "服务方案", "weight": 90, "score_range": {"min": 0, "max": 90},
             "kind": "subjective"}]},
        "bid_deadline": deadline, "opening_time": deadline,
        "opening_certificates": [opener.encryption_cert.read_text()],
        "documents": [{"name": "招标文件.pdf", "size": len(PDF), "sha256": hashlib.sha256(PDF).hexdigest()}],
        "previous_package_sha256": None, "changes": [],
    }
    data.update(changes)
    return data


def _code(data: dict[str, Any]) -> str:
    with pytest.raises(DefinitionError) as caught:
        parse_definition(canonical_json(data))
    return caught.value.code


def test_services_at_the_10_percent_floor_are_accepted(pki) -> None:  # type: ignore[no-untyped-def]
    parsed = parse_definition(canonical_json(_definition(pki)))
    assert parsed.procurement_kind == "services"
    assert parse_definition(parsed.to_bytes()) == parsed  # what the agency signs reads back the same


@pytest.mark.parametrize(("change", "code"), [
    ({"opening_time": "2020-01-01T00:00:00Z"}, "tender.opening_before_deadline"),
    ({"forms": [{"id": "bid_letter", "name": "投标函", "fields": [{"name": "n", "label": "x", "type": "text"}]},
                {"id": "other", "name": "x", "fields": [{"name": "n", "label": "x", "type": "text"}]}]},
     "tender.required_form_missing"),
    ({"documents": [{"name": "../../etc/passwd.pdf", "size": 1, "sha256": "0" * 64}]}, "tender.document_name"),
    ({"documents": [{"name": ".hidden.pdf", "size": 1, "sha256": "0" * 64}]}, "tender.document_name"),
    ({"documents": [{"name": "a\\b.pdf", "size": 1, "sha256": "0" * 64}]}, "tender.document_name"),
    ({"version": 2}, "tender.version_chain"),
    ({"changes": ["a change in version 1"]}, "tender.version_chain"),
    ({"unknown": 1}, "tender.definition_invalid"),
    ({"version": True}, "tender.definition_invalid"),
    ({"bid_deadline": "2030-01-01T00:00:00"}, "tender.definition_invalid"),  # no time zone
])
def test_definition_rules_have_codes(pki, change: dict[str, Any], code: str) -> None:  # type: ignore[no-untyped-def]
    assert _code(_definition(pki, **change)) == code


def test_scoring_rules(pki) -> None:  # type: ignore[no-untyped-def]
    data = _definition(pki)
    data["scoring"]["criteria"][0]["formula"] = None
    assert _code(data) == "tender.price_formula"
    data = _definition(pki)
    data["scoring"]["criteria"][1]["weight"] = 89.999
    assert _code(data) == "tender.weight_precision"
    data = _definition(pki)
    data["scoring"] = {"method": "lowest_evaluated_price", "criteria": data["scoring"]["criteria"]}
    assert _code(data) == "tender.criteria_not_allowed"
    data = _definition(pki, procurement_kind="works")
    data["scoring"]["criteria"][0]["weight"], data["scoring"]["criteria"][1]["weight"] = 5, 95
    assert parse_definition(canonical_json(data)).procurement_kind == "works"  # 87号令 limits: goods/services


def test_duplicate_keys_and_non_canonical_bytes_are_refused(pki) -> None:  # type: ignore[no-untyped-def]
    raw = canonical_json(_definition(pki))
    with pytest.raises(DefinitionError) as caught:
        parse_definition(raw[:-1] + b',"title":"another"}')
    assert caught.value.code == "tender.definition_invalid"
    with pytest.raises(DefinitionError) as caught:
        parse_definition(json.dumps(_definition(pki), indent=2).encode())
    assert caught.value.code == "tender.definition_not_canonical"
    with pytest.raises(DefinitionError) as caught:
        parse_definition(b"[" * 100000)
    assert caught.value.code == "tender.definition_invalid"


def _sign(pki, party: str, content: bytes) -> bytes:  # type: ignore[no-untyped-def]
    with open_key(str(pki.party(party).signing_p12), pin_from_source_spec(f"file:{pki.pin_file}")) as session:
        return cms_sign.sign_detached(content, session.signer())


def _folder(pki, tmp_path: Path) -> Path:  # type: ignore[no-untyped-def]
    content = canonical_json(_definition(pki))
    folder = tmp_path / "tender"
    (folder / "documents").mkdir(parents=True)
    (folder / "tender.json").write_bytes(content)
    (folder / "tender.json.p7s").write_bytes(_sign(pki, "opener-1", content))
    (folder / "documents" / "招标文件.pdf").write_bytes(PDF)
    return folder


def test_a_folder_gives_the_sealing_target_and_detects_tampering(pki, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    folder = _folder(pki, tmp_path)
    trust_list = TrustList.load([pki.trust_dir])
    target = load_tender_target(folder, trust_list=trust_list)
    assert (target.tender_id, target.tender_version) == ("ZB-1", 1)
    assert target.package_sha256 == tp.verify_folder(folder, trust_list=trust_list).package_sha256
    assert load_tender_target(folder / "tender.json", trust_list=trust_list) == target
    (folder / "documents" / "招标文件.pdf").write_bytes(PDF + b"x")
    with pytest.raises(BidclientError) as caught:
        load_tender_target(folder, trust_list=trust_list)
    assert caught.value.code == "tender.package_tampered"
    (folder / "documents" / "招标文件.pdf").unlink()
    with pytest.raises(BidclientError) as caught:
        load_tender_target(folder, trust_list=trust_list)
    assert caught.value.code == "tender.invalid"


def test_a_folder_signed_by_another_enterprise_is_untrusted(pki, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    folder = _folder(pki, tmp_path)
    (folder / "tender.json.p7s").write_bytes(_sign(pki, "ent-a", (folder / "tender.json").read_bytes()))
    with pytest.raises(BidclientError) as caught:
        tp.verify_folder(folder, trust_list=TrustList.load([pki.trust_dir]))
    assert caught.value.code == "tender.package_untrusted"


def test_document_entry_refuses_unsafe_names(tmp_path: Path) -> None:
    (tmp_path / "a.pdf").write_bytes(PDF)
    assert tp.document_entry(tmp_path / "a.pdf") == Document(name="a.pdf", size=len(PDF),
                                                             sha256=hashlib.sha256(PDF).hexdigest())
    (tmp_path / ".a.pdf").write_bytes(PDF)
    with pytest.raises(BidclientError) as caught:
        tp.document_entry(tmp_path / ".a.pdf")
    assert caught.value.code == "tender.invalid"


def _announcing(price_type: str = "money", item: str = "price") -> list[dict[str, Any]]:
    return [{"id": "bid_letter", "name": "投标函", "fields": [{"name": "n", "label": "名称", "type": "text"}]},
            {"id": "price_schedule", "name": "开标一览表",
             "fields": [{"name": "contract_sum", "label": "合同价款", "type": price_type, "announces": item}]}]


def test_format_2_says_which_field_states_the_announced_price(pki) -> None:  # type: ignore[no-untyped-def]
    # A label no list of usual names knows (合同价款): the agency says it is the price.
    parsed = parse_definition(canonical_json(_definition(pki, format="bidclient-tender/2", forms=_announcing())))
    assert parsed.forms[1].fields[0].announces == "price"
    assert parse_definition(parsed.to_bytes()) == parsed
    # A version-1 definition keeps its bytes: no "announces" key appears where none was given.
    v1 = parse_definition(canonical_json(_definition(pki)))
    assert b"announces" not in v1.to_bytes()
    # prepare_definition writes version 2 only when a field uses it (older clients read the rest).
    draft = {k: v for k, v in _definition(pki).items()
             if k not in ("format", "version", "documents", "previous_package_sha256", "changes")}
    document = Document(name="招标文件.pdf", size=len(PDF), sha256=hashlib.sha256(PDF).hexdigest())
    assert tp.prepare_definition(draft, [document]).format == "bidclient-tender/1"
    assert tp.prepare_definition(draft | {"forms": _announcing()}, [document]).format == "bidclient-tender/2"


@pytest.mark.parametrize(("change", "code"), [
    ({"forms": _announcing()}, "tender.announced_item"),  # announces needs format 2
    ({"format": "bidclient-tender/2", "forms": _announcing("text")}, "tender.announced_item"),  # wrong type
])
def test_announced_items_are_checked(pki, change: dict[str, Any], code: str) -> None:  # type: ignore[no-untyped-def]
    assert _code(_definition(pki, **change)) == code


def test_two_fields_cannot_announce_the_same_item(pki) -> None:  # type: ignore[no-untyped-def]
    forms = _announcing()
    forms[1]["fields"].append({"name": "sum2", "label": "报价", "type": "money", "announces": "price"})
    assert _code(_definition(pki, format="bidclient-tender/2", forms=forms)) == "tender.announced_item"
