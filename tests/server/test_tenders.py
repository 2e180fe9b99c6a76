"""Tenders over real HTTP on SQLite and PostgreSQL: publish, clarify, list, fetch, and every refusal."""

from __future__ import annotations

import base64
import io
import json
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import requests
from reportlab.pdfgen import canvas

from bidclient import tender_package as tp
from bidclient.api_client import ApiClient, ApiError
from bidclient.errors import BidclientError
from bidclient.protocol.common import canonical_json
from bidclient.protocol.tender import package_sha256
from crypto import cms_sign
from crypto.key_access import open_key
from crypto.pin import pin_from_source_spec
from crypto.trust import TrustList

AGENCY = "opener-1"  # 示例招标代理有限公司: signs tenders, and its encryption certificate opens bids
OTHER_AGENCY = "ent-b"

Sign = Callable[[bytes], bytes]


def make_pdf(path: Path, text: str) -> Path:
    pdf = canvas.Canvas(str(path))
    pdf.drawString(72, 720, text)
    pdf.save()
    return path


def signer(pki: Any, party: str) -> Sign:  # type: ignore[no-untyped-def]
    uri = pki.party(party).signing_uri
    pin = pin_from_source_spec(f"file:{pki.pin_file}")

    def sign(data: bytes) -> bytes:
        with open_key(uri, pin) as session:
            return cms_sign.sign_detached(data, session.signer())

    return sign


def draft(pki: Any, tender_id: str, *, kind: str = "goods", price_weight: float = 30,
          deadline: datetime | None = None, agency: str = AGENCY) -> dict[str, Any]:
    deadline = deadline or datetime.now(UTC) + timedelta(days=10)
    opener = pki.party(AGENCY).encryption_cert.read_text()
    party = pki.party(agency)
    return {
        "tender_id": tender_id, "title": "办公设备采购项目", "procurement_kind": kind,
        "agency": {"name": party.organization or "示例招标代理有限公司", "uscc": party.uscc},
        "lots": [{"id": "1", "name": "台式计算机", "budget": "1200000.00"}],
        "forms": [
            {"id": "bid_letter", "name": "投标函", "fields": [
                {"name": "bidder_name", "label": "投标人名称", "type": "text", "required": True},
                {"name": "validity_days", "label": "投标有效期", "type": "duration_days", "required": True}]},
            {"id": "price_schedule", "name": "开标一览表", "fields": [
                {"name": "total_price", "label": "投标总价", "type": "money", "required": True},
                {"name": "delivery_days", "label": "交货期", "type": "duration_days", "required": True}]},
        ],
        "scoring": {"method": "comprehensive", "criteria": [
            {"id": "price", "name": "价格", "weight": price_weight, "score_range": {"min": 0, "max": 100},
             "kind": "objective", "price": True, "formula": "cn-87-art55"},
            {"id": "tech", "name": "技术方案", "weight": 100 - price_weight,
             "score_range": {"min": 0, "max": 100 - price_weight}, "kind": "subjective"},
        ]},
        "bid_deadline": deadline.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "opening_time": deadline.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "opening_certificates": [opener],
    }


def grant(live_server: Any, pki: Any, party: str, role: str = "agency") -> None:
    assert live_server.admin("grant", "--identity", f"uscc:{pki.party(party).uscc}", "--role", role) == 0


def logged_in(live_server: Any, sign: Sign) -> ApiClient:
    client = ApiClient(live_server.url)
    client.login(sign)
    return client


def publish_new(client: ApiClient, sign: Sign, pki: Any, tender_id: str, pdfs: list[Path],
                **kwargs: Any) -> tuple[bytes, Any]:
    entries = [tp.document_entry(p) for p in pdfs]
    definition = tp.prepare_definition(draft(pki, tender_id, **kwargs), entries)
    content, signature = tp.sign_definition(definition, sign)
    tp.upload_documents(client, pdfs, entries)
    return content, tp.publish(client, content, signature)


def raw_publish(live_server: Any, client: ApiClient, content: bytes, signature: bytes,
                path: str = "/api/v1/tenders") -> requests.Response:
    return requests.post(live_server.url + path, timeout=30, headers={"Authorization": f"Bearer {client.token}"},
                         json={"definition": base64.b64encode(content).decode(),
                               "signature": base64.b64encode(signature).decode()})


@pytest.fixture
def agency(live_server, pki) -> tuple[ApiClient, Sign]:  # type: ignore[no-untyped-def]
    grant(live_server, pki, AGENCY)
    sign = signer(pki, AGENCY)
    return logged_in(live_server, sign), sign


@pytest.fixture
def pdfs(tmp_path: Path) -> list[Path]:
    return [make_pdf(tmp_path / "招标文件.pdf", "tender document"), make_pdf(tmp_path / "technical.pdf", "specs")]


def test_publish_list_fetch_and_seal_with_the_cli(live_server, pki, tmp_path: Path, monkeypatch,  # type: ignore[no-untyped-def]
                                                  capsys) -> None:
    from bidclient.cli.main import main

    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("BIDCLIENT_NO_KEYRING", "1")
    grant(live_server, pki, AGENCY)
    make_pdf(tmp_path / "招标文件.pdf", "tender document")
    (tmp_path / "def.json").write_text(json.dumps(draft(pki, "ZB-2026-0001")), encoding="utf-8")
    key = pki.party(AGENCY).signing_uri
    assert main(["tender", "publish", str(tmp_path / "def.json"), "--documents", str(tmp_path / "招标文件.pdf"),
                 "--key", key, "--server", live_server.url]) == 0, capsys.readouterr().err
    assert "Published tender ZB-2026-0001 version 1" in capsys.readouterr().out

    # Public: no login needed to list or fetch.
    listing = requests.get(live_server.url + "/api/v1/tenders", timeout=10).json()
    assert [t["tender_id"] for t in listing["tenders"]] == ["ZB-2026-0001"]
    assert listing["tenders"][0]["agency_uscc"] == pki.party(AGENCY).uscc
    assert main(["tender", "list", "--server", live_server.url]) == 0
    assert "ZB-2026-0001  v1  办公设备采购项目" in capsys.readouterr().out

    folder = tmp_path / "fetched"
    assert main(["tender", "fetch", "ZB-2026-0001", "-o", str(folder), "--trust", str(pki.trust_dir),
                 "--server", live_server.url]) == 0, capsys.readouterr().err
    # The agency's certificate names rsa-ca's OCSP responder: the answer used is named.
    assert "signer revocation: not revoked according to the OCSP answer of bidclient Dev RSA CA OCSP Responder" \
        in capsys.readouterr().out
    assert sorted(p.name for p in folder.iterdir()) == ["documents", "tender.json", "tender.json.p7s"]
    assert (folder / "documents" / "招标文件.pdf").read_bytes() == (tmp_path / "招标文件.pdf").read_bytes()
    package = tp.verify_folder(folder, trust_list=TrustList.load([pki.trust_dir]))
    assert package.signer is not None and package.signer.identity.uscc == pki.party(AGENCY).uscc
    published = requests.get(live_server.url + "/api/v1/tenders/ZB-2026-0001", timeout=10).json()
    assert published["package_sha256"] == package.package_sha256

    # The sealed bid names the fetched version and is encrypted to the tender's opening certificate.
    bid_dir = tmp_path / "bid"
    bid_dir.mkdir()
    (bid_dir / "letter.pdf").write_bytes(b"%PDF-1.7 bid letter\n")
    monkeypatch.setenv("BIDCLIENT_TRUST", str(pki.trust_dir))
    assert main(["seal", str(bid_dir), "--key", pki.party("ent-b").signing_uri, "--tender", str(folder),
                 "-o", str(tmp_path / "b.bid")]) == 0, capsys.readouterr().err
    assert "tender: ZB-2026-0001 v1" in capsys.readouterr().out
    from bidclient.bidpackage import reader
    from crypto import cms_envelope

    with open(tmp_path / "b.bid", "rb") as f:
        recipients = cms_envelope.describe(f).recipients
    opener = pki.party(AGENCY)
    from cryptography import x509

    opener_cert = x509.load_pem_x509_certificate(opener.encryption_cert.read_bytes())
    assert any(r.matches(opener_cert) for r in recipients)
    with open_key(opener.encryption_uri, pin_from_source_spec(f"file:{pki.pin_file}")) as session:
        cms_envelope.decrypt_file(tmp_path / "b.bid", tmp_path / "inner.zip", session.decrypter(opener_cert))
    with reader.open_package(tmp_path / "inner.zip") as inner:
        manifest = inner.check(lambda _m, _s: None)
    assert manifest.tender.package_sha256 == package.package_sha256

    audit = requests.get(live_server.url + "/api/v1/tenders/ZB-2026-0001/versions/1", timeout=10).json()
    assert audit["current_version"] == 1


def test_only_agencies_publish(live_server, pki, pdfs: list[Path]) -> None:  # type: ignore[no-untyped-def]
    sign = signer(pki, "ent-a")
    bidder = logged_in(live_server, sign)
    with pytest.raises(ApiError) as caught:
        publish_new(bidder, sign, pki, "ZB-X", pdfs, agency="ent-a")
    assert (caught.value.status, caught.value.code) == (403, "auth.forbidden")
    anonymous = requests.post(live_server.url + "/api/v1/tenders/documents", data=pdfs[0].read_bytes(), timeout=10)
    assert (anonymous.status_code, anonymous.json()["code"]) == (401, "auth.required")


def test_signature_refusals(live_server, pki, agency, pdfs: list[Path]) -> None:  # type: ignore[no-untyped-def]
    client, sign = agency
    entries = [tp.document_entry(p) for p in pdfs]
    tp.upload_documents(client, pdfs, entries)
    content = tp.prepare_definition(draft(pki, "ZB-SIG"), entries).to_bytes()

    forged = bytearray(sign(content))
    forged[-10] ^= 0x01  # the signature value
    response = raw_publish(live_server, client, content, bytes(forged))
    assert (response.status_code, response.json()["code"]) == (422, "tender.signature_invalid")

    altered = content.replace("办公设备".encode(), "办公家具".encode())
    response = raw_publish(live_server, client, altered, sign(content))
    assert (response.status_code, response.json()["code"]) == (422, "tender.signature_invalid")

    grant(live_server, pki, OTHER_AGENCY)
    response = raw_publish(live_server, client, content, signer(pki, OTHER_AGENCY)(content))
    assert (response.status_code, response.json()["code"]) == (403, "tender.signer_not_publisher")

    response = raw_publish(live_server, client, content, signer(pki, "bad-rogue")(content))
    assert (response.status_code, response.json()["code"]) == (422, "tender.signer_untrusted")
    assert response.json()["reason"] == "untrusted_root"

    not_canonical = json.dumps(json.loads(content), indent=1).encode()
    response = raw_publish(live_server, client, not_canonical, sign(not_canonical))
    assert (response.status_code, response.json()["code"]) == (422, "tender.definition_not_canonical")
    assert requests.get(live_server.url + "/api/v1/tenders", timeout=10).json()["tenders"] == []


@pytest.mark.parametrize(("kind", "weights", "code"), [
    ("goods", (30, 60), "tender.weights_sum"),
    ("goods", (25, 75), "tender.price_weight_goods"),
    ("services", (5, 95), "tender.price_weight_services"),
])
def test_scoring_rules_are_enforced(live_server, pki, agency, pdfs: list[Path], kind: str,  # type: ignore[no-untyped-def]
                                    weights: tuple[int, int], code: str) -> None:
    client, sign = agency
    entries = [tp.document_entry(p) for p in pdfs]
    tp.upload_documents(client, pdfs, entries)
    data = draft(pki, "ZB-W", kind=kind, price_weight=weights[0])
    data["scoring"]["criteria"][1]["weight"] = weights[1]
    data |= {"format": "bidclient-tender/1", "version": 1, "changes": [], "previous_package_sha256": None,
             "documents": [e.model_dump() for e in entries]}
    content = canonical_json(data)  # bypass the client's own check: the server must refuse on its own
    response = raw_publish(live_server, client, content, sign(content))
    assert (response.status_code, response.json()["code"]) == (422, code)
    with pytest.raises(BidclientError) as caught:  # the client refuses the same before asking for a PIN
        tp.prepare_definition(draft(pki, "ZB-W", kind=kind, price_weight=weights[0]) | {"scoring": data["scoring"]},
                              entries)
    assert caught.value.code == code


def test_document_refusals(live_server, pki, agency, pdfs: list[Path], tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    client, sign = agency
    headers = {"Authorization": f"Bearer {client.token}"}
    url = live_server.url + "/api/v1/tenders/documents"
    wrong_hash = requests.post(url, data=pdfs[0].read_bytes(), timeout=10,
                               headers=headers | {"X-Content-SHA256": "0" * 64})
    assert (wrong_hash.status_code, wrong_hash.json()["code"]) == (422, "tender.document_hash_mismatch")
    not_pdf = requests.post(url, data=b"PK\x03\x04 a zip, not a PDF" * 10, timeout=10, headers=headers)
    assert (not_pdf.status_code, not_pdf.json()["code"]) == (415, "tender.document_not_pdf")

    # A definition naming a document that was never uploaded (or with another size) is refused.
    entries = [tp.document_entry(p) for p in pdfs]
    content = tp.prepare_definition(draft(pki, "ZB-DOC"), entries).to_bytes()
    response = raw_publish(live_server, client, content, sign(content))
    assert (response.status_code, response.json()["code"]) == (422, "tender.document_missing")
    tp.upload_documents(client, pdfs, entries)
    lying = [entries[0].model_copy(update={"size": entries[0].size + 1}), entries[1]]
    content = tp.prepare_definition(draft(pki, "ZB-DOC"), lying).to_bytes()
    response = raw_publish(live_server, client, content, sign(content))
    assert (response.status_code, response.json()["code"]) == (422, "tender.document_size_mismatch")
    (tmp_path / "x.pdf").write_bytes(b"GIF89a not a PDF")
    with pytest.raises(BidclientError) as caught:  # the client refuses a non-PDF before uploading
        tp.document_entry(tmp_path / "x.pdf")
    assert caught.value.code == "tender.invalid"


def test_clarification_makes_version_2(live_server, pki, agency, pdfs: list[Path], tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    client, sign = agency
    content, v1 = publish_new(client, sign, pki, "ZB-CL", pdfs)
    entries = [tp.document_entry(p) for p in pdfs]
    later = datetime.now(UTC) + timedelta(days=20)
    changes = ["第三章技术参数第5项由“≥16GB”改为“≥32GB”", "投标截止时间顺延至新的时间"]
    v2 = tp.prepare_definition(draft(pki, "ZB-CL", deadline=later), entries, version=2,
                               previous_package_sha256=v1.package_sha256, changes=changes)
    out = tp.clarify(client, "ZB-CL", *tp.sign_definition(v2, sign))
    assert (out.version, out.current_version) == (2, 2)

    trust_list = TrustList.load([pki.trust_dir])
    fetched = tp.fetch(ApiClient(live_server.url), "ZB-CL", tmp_path / "v2", trust_list=trust_list)
    assert fetched.definition.version == 2 and list(fetched.definition.changes) == changes
    assert fetched.definition.previous_package_sha256 == v1.package_sha256 == package_sha256(content)
    assert fetched.definition.bid_deadline == later.replace(microsecond=0)
    old = tp.fetch(ApiClient(live_server.url), "ZB-CL", tmp_path / "v1", version=1, trust_list=trust_list)
    assert old.definition.version == 1 and old.package_sha256 == v1.package_sha256
    summary = requests.get(live_server.url + "/api/v1/tenders/ZB-CL", timeout=10).json()
    assert [v["version"] for v in summary["versions"]] == [1, 2] and summary["current_version"] == 2

    # Another agency may not clarify someone else's tender; a stale version number is refused.
    grant(live_server, pki, OTHER_AGENCY)
    other_sign = signer(pki, OTHER_AGENCY)
    other = logged_in(live_server, other_sign)
    v3 = tp.prepare_definition(draft(pki, "ZB-CL", agency=OTHER_AGENCY), entries, version=3,
                               previous_package_sha256=out.package_sha256, changes=["x"])
    with pytest.raises(ApiError) as caught:
        tp.clarify(other, "ZB-CL", *tp.sign_definition(v3, other_sign))
    assert (caught.value.status, caught.value.code) == (403, "tender.not_owner")
    with pytest.raises(ApiError) as caught:
        tp.clarify(client, "ZB-CL", *tp.sign_definition(v2, sign))
    assert (caught.value.status, caught.value.code) == (409, "tender.version_conflict")


def test_no_clarification_after_the_deadline(live_server, pki, agency, pdfs: list[Path]) -> None:  # type: ignore[no-untyped-def]
    client, sign = agency
    deadline = datetime.now(UTC).replace(microsecond=0) + timedelta(seconds=3)
    _content, v1 = publish_new(client, sign, pki, "ZB-LATE", pdfs, deadline=deadline)
    entries = [tp.document_entry(p) for p in pdfs]
    v2 = tp.prepare_definition(draft(pki, "ZB-LATE"), entries, version=2,
                               previous_package_sha256=v1.package_sha256, changes=["too late"])
    signed = tp.sign_definition(v2, sign)
    time.sleep(max(0.0, (deadline - datetime.now(UTC)).total_seconds()) + 0.5)
    with pytest.raises(ApiError) as caught:
        tp.clarify(client, "ZB-LATE", *signed)
    assert (caught.value.status, caught.value.code) == (409, "tender.deadline_passed")


class _Tampering(requests.Session):
    """A man in the middle: alters the definition or a document on its way to the client."""

    def __init__(self, target: str) -> None:
        super().__init__()
        self.target = target

    def request(self, method, url, *args, **kwargs):  # type: ignore[no-untyped-def,override]
        response = super().request(method, url, *args, **kwargs)
        if self.target == "document" and "/documents/" in url:
            data = bytearray(response.raw.read())
            data[len(data) // 2] ^= 0x01
            response.raw = io.BytesIO(bytes(data))
        elif self.target == "definition" and url.endswith("/versions/1"):
            body = response.json()
            definition = base64.b64decode(body["definition"]).replace("办公设备".encode(), "办公家具".encode())
            body["definition"] = base64.b64encode(definition).decode()
            response._content = json.dumps(body).encode()
        return response


@pytest.mark.parametrize("target", ["document", "definition"])
def test_fetch_refuses_tampering_and_writes_nothing(live_server, pki, agency, pdfs: list[Path],  # type: ignore[no-untyped-def]
                                                    tmp_path: Path, target: str) -> None:
    client, sign = agency
    publish_new(client, sign, pki, "ZB-MITM", pdfs)
    out = tmp_path / "out"
    out.mkdir()
    trust_list = TrustList.load([pki.trust_dir])
    with pytest.raises(BidclientError) as caught:
        tp.fetch(ApiClient(live_server.url, session=_Tampering(target)), "ZB-MITM", out / "tender",
                 trust_list=trust_list)
    assert caught.value.code == "tender.package_tampered"
    assert list(out.iterdir()) == []  # no folder, no temporary leftovers

    # The local copy: a changed document or definition is caught when the folder is read again.
    good = tp.fetch(ApiClient(live_server.url), "ZB-MITM", out / "tender", trust_list=trust_list)
    assert good.directory is not None
    if target == "document":
        victim = good.document_paths[1]
        data = bytearray(victim.read_bytes())
        data[len(data) // 2] ^= 0x01
        victim.write_bytes(bytes(data))
    else:
        victim = good.directory / "tender.json"
        victim.write_bytes(victim.read_bytes().replace("办公设备".encode(), "办公家具".encode()))
    with pytest.raises(BidclientError) as caught:
        tp.verify_folder(good.directory, trust_list=trust_list)
    assert caught.value.code == "tender.package_tampered"
    from bidclient.tenderfile import load_tender_target

    with pytest.raises(BidclientError):
        load_tender_target(good.directory, trust_list=trust_list)


def test_a_revoked_agency_certificate_cannot_publish(live_server, pki, pki_no_addresses, pdfs: list[Path],  # type: ignore[no-untyped-def]
                                                     tmp_path: Path) -> None:
    """Issue 8 §1: the agency's certificate names no CRL address; its CA's new CRL lists it."""
    from server.auth.service import forget_cached_trust_lists
    from tests.server.submission_helpers import signer_for, software_key
    from tests.server.test_auth import _crl_file, _trust_no_address_pki

    _trust_no_address_pki(live_server, pki_no_addresses)
    grant(live_server, pki, AGENCY)
    sign = signer_for(software_key(pki_no_addresses, AGENCY))
    client = logged_in(live_server, sign)
    serial = pki_no_addresses.party(AGENCY).serials["signing"]
    assert live_server.admin("trust-add", _crl_file(pki_no_addresses, "rsa-ca", [serial], tmp_path / "r.crl")) == 0
    forget_cached_trust_lists()
    entries = [tp.document_entry(p) for p in pdfs]
    tp.upload_documents(client, pdfs, entries)
    content = tp.prepare_definition(draft(pki, "ZB-REVOKED"), entries).to_bytes()
    response = raw_publish(live_server, client, content, sign(content))
    assert (response.status_code, response.json()["code"]) == (422, "tender.signer_revoked")
    assert "was revoked on" in response.json()["detail"]
    assert requests.get(live_server.url + "/api/v1/tenders", timeout=10).json()["tenders"] == []


def test_publishing_with_the_agency_key_while_a_bidder_is_logged_in_acts_as_the_agency(  # type: ignore[no-untyped-def]
        live_server, pki, tmp_path: Path, monkeypatch, capsys) -> None:
    """--key decides who acts: a stored bidder session on the same computer does not make the agency's
    publication fail with 'you have bidder'."""
    from bidclient.cli.main import main

    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("BIDCLIENT_NO_KEYRING", "1")
    grant(live_server, pki, AGENCY)
    assert main(["login", "--key", pki.party("ent-b").signing_uri, "--server", live_server.url]) == 0
    capsys.readouterr()
    make_pdf(tmp_path / "招标文件.pdf", "tender document")
    (tmp_path / "def.json").write_text(json.dumps(draft(pki, "ZB-2026-0007")), encoding="utf-8")
    assert main(["tender", "publish", str(tmp_path / "def.json"), "--documents", str(tmp_path / "招标文件.pdf"),
                 "--key", pki.party(AGENCY).signing_uri, "--server", live_server.url]) == 0, capsys.readouterr().err
    assert "Published tender ZB-2026-0007 version 1" in capsys.readouterr().out
    assert main(["whoami", "--server", live_server.url]) == 0
    assert pki.party(AGENCY).uscc in capsys.readouterr().out  # the stored session is now the agency's
