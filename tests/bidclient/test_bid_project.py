"""The bid project: a draft that survives a restart, coverage of the scoring criteria, what a clarification
changes, and assemble + seal with a SoftHSM dongle — checked with pdfsig and by opening the sealed bid."""

from __future__ import annotations

import json
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from reportlab.pdfgen import canvas

from bidclient import bid_project as bp
from bidclient import tender_package as tp
from bidclient.bidpackage.manifest import Link
from bidclient.errors import BidclientError
from bidclient.protocol.submission import submission_statement
from bidclient.sealing import unseal
from bidclient.signing import load_trust
from crypto import cms_sign
from crypto.key_access import open_key
from crypto.pin import pin_from_source_spec
from devtools.demo_env import demo_tender_draft
from forms.model import PriceLine
from tests.server.submission_helpers import signer_for, software_key

AGENCY = "opener-1"


def make_pdf(path: Path, pages: int = 1, text: str = "document") -> Path:
    pdf = canvas.Canvas(str(path))
    for n in range(pages):
        pdf.drawString(72, 720, f"{text} page {n + 1}")
        pdf.showPage()
    pdf.save()
    return path


def tender_folder(tmp: Path, pki: Any, *, version: int = 1, previous: tp.TenderPackage | None = None,
                  edit: Any = None, deadline: datetime | None = None) -> Path:
    """A tender folder as `bidclient tender fetch` writes it, signed by the agency's key."""
    deadline = deadline or datetime.now(UTC).replace(microsecond=0) + timedelta(days=5)
    draft = demo_tender_draft(pki, deadline) | {"tender_id": "ZB-2026-007"}
    draft["forms"][1]["fields"].append({"name": "warranty_months", "label": "质保期（月）", "type": "integer",
                                        "required": False})
    if edit is not None:
        edit(draft)
    docs = tmp / f"docs-v{version}"
    docs.mkdir(parents=True)
    pdf = make_pdf(docs / "招标文件.pdf", text=f"tender v{version}")
    definition = tp.prepare_definition(draft, [tp.document_entry(pdf)], version=version,
                                       previous_package_sha256=previous.package_sha256 if previous else None,
                                       changes=["技术方案评分标准调整"] if previous else None)
    content, signature = tp.sign_definition(definition, signer_for(software_key(pki, AGENCY)))
    folder = tmp / f"tender-v{version}"
    (folder / tp.DOCUMENTS_DIR).mkdir(parents=True)
    (folder / tp.DEFINITION_FILE).write_bytes(content)
    (folder / tp.SIGNATURE_FILE).write_bytes(signature)
    (folder / tp.DOCUMENTS_DIR / pdf.name).write_bytes(pdf.read_bytes())
    return folder


def fill(project: bp.BidProject) -> None:
    project.bid_letter.update({
        "legal_representative": "王五", "bid_amount": "1,280,000.00", "bid_amount_words": "人民币壹佰贰拾捌万元整",
        "duration_days": "30", "quality": "合格", "validity_days": "90"})
    project.price_schedule.update({"warranty_months": "36"})
    project.price_lines[:] = [PriceLine("台式计算机", "i5/16G", "台", "200", "5,000.00", "1,000,000.00"),
                              PriceLine("显示器", "27英寸", "台", "200", "1,400.00", "280,000.00")]


@pytest.fixture
def project(tmp_path: Path, pki: Any) -> bp.BidProject:
    draft = tmp_path / "draft"
    folder = tender_folder(draft, pki)
    return bp.create_project(draft, folder, bidder_name="示例建设工程有限公司")


def test_a_draft_is_restored_after_a_restart(project: bp.BidProject, tmp_path: Path) -> None:
    assert project.bid_letter["tender_id"] == "ZB-2026-007"  # prefilled from the tender
    assert project.bid_letter["bidder_name"] == "示例建设工程有限公司"
    # The tender's 投标总价 (both forms) and 交货期 are the announced price and duration: typed once.
    assert project.bid_letter_form().field("total_price") is None
    assert project.price_schedule_form().field("delivery_days") is None
    assert project.price_schedule_form().field("warranty_months") is not None  # the tender's own extra field
    fill(project)
    tech = project.attach("technical", make_pdf(tmp_path / "技术方案.pdf", pages=3))
    assert (tech.path, tech.pages) == ("technical/技术方案.pdf", 3)
    project.link("tech", tech.path, 2)
    project.save()

    restored = bp.open_project(project.directory)
    assert restored.to_json() == project.to_json()
    assert restored.price_lines == project.price_lines
    assert restored.links["tech"] == bp.CriterionLink("tech", "technical/技术方案.pdf", 2)
    assert restored.definition.version == 1
    assert all(not issues for issues in restored.form_issues().values())


def test_coverage_shows_what_is_unlinked_and_warns_before_sealing(project: bp.BidProject, tmp_path: Path) -> None:
    fill(project)
    coverage = project.coverage()
    states = {i.criterion.id: i.state for i in coverage.items}
    assert states == {"price": "automatic", "tech": "unlinked", "service": "unlinked", "credit": "unlinked"}
    assert coverage.ratio == (1, 4) and not coverage.complete
    codes = [(w.code, w.params.get("id")) for w in project.preseal_warnings()]
    assert codes == [("bid.criterion_unlinked", "tech"), ("bid.criterion_unlinked", "service"),
                     ("bid.criterion_unlinked", "credit")]

    doc = project.attach("commercial", make_pdf(tmp_path / "资信.pdf", pages=2)).path
    for criterion in ("tech", "service", "credit"):
        project.link(criterion, doc, 1)
    assert project.coverage().complete and project.preseal_warnings() == []
    with pytest.raises(BidclientError, match="has no page 3"):
        project.link("tech", doc, 3)
    with pytest.raises(BidclientError, match="not a file of this bid"):
        project.link("tech", "commercial/other.pdf", 1)
    # Removing the document unlinks what pointed at it.
    assert project.remove_attachment(doc) == ["tech", "service", "credit"]
    assert project.coverage().ratio == (1, 4)


def test_warnings_for_forms_deadline_and_an_expiring_certificate(tmp_path: Path, pki: Any) -> None:
    from cryptography import x509

    cert = x509.load_pem_x509_certificate(Path(pki.party("ent-a").encryption_cert).read_bytes())
    # A tender whose opening comes after the bidder's encryption certificate expires.
    far = cert.not_valid_after_utc.replace(microsecond=0) + timedelta(days=10)
    project = bp.create_project(tmp_path / "draft", tender_folder(tmp_path / "draft", pki, deadline=far),
                                bidder_name="示例建设工程有限公司")
    fill(project)
    assert "bid.certificate_expires_before_opening" in [
        w.code for w in project.preseal_warnings(encryption_certificate=cert)]
    project.bid_letter["bid_amount_words"] = "人民币壹佰万元整"  # disagrees with the figures
    now = project.definition.bid_deadline + timedelta(seconds=1)
    warnings = project.preseal_warnings(now=now, encryption_certificate=cert)
    assert [w.code for w in warnings if w.blocking] == ["bid.deadline_passed", "bid.forms_invalid"]
    assert [i.code for i in project.form_issues()["bid_letter"]] == ["form.amount_words_mismatch"]
    # A certificate valid beyond the opening gives no such warning.
    soon = bp.create_project(tmp_path / "soon", tender_folder(tmp_path / "soon", pki))
    assert "bid.certificate_expires_before_opening" not in [
        w.code for w in soon.preseal_warnings(encryption_certificate=cert)]


def test_attachments_are_checked_as_hostile_input(project: bp.BidProject, tmp_path: Path) -> None:
    fake = tmp_path / "fake.pdf"
    fake.write_bytes(b"MZ\x90\x00 not a pdf")
    with pytest.raises(BidclientError) as caught:
        project.attach("technical", fake)
    assert caught.value.code == "bid.attachment_invalid"
    broken = tmp_path / "broken.pdf"
    broken.write_bytes(b"%PDF-1.7\n garbage without objects")
    with pytest.raises(BidclientError) as caught:
        project.attach("technical", broken)
    assert caught.value.code == "bid.attachment_invalid"
    with pytest.raises(BidclientError, match="unknown section"):
        project.attach("../../etc", make_pdf(tmp_path / "ok.pdf"))
    # A tampered project file cannot point outside the draft.
    project.attach("technical", make_pdf(tmp_path / "ok.pdf"))
    project.save()
    data = json.loads((project.directory / bp.PROJECT_FILE).read_text())
    data["attachments"][0]["section"] = "../.."
    (project.directory / bp.PROJECT_FILE).write_text(json.dumps(data))
    with pytest.raises(BidclientError) as caught:
        bp.open_project(project.directory)
    assert caught.value.code == "bid.project_invalid"
    (project.directory / bp.PROJECT_FILE).write_text("[1, 2")
    with pytest.raises(BidclientError) as caught:
        bp.open_project(project.directory)
    assert caught.value.code == "bid.project_invalid"


def test_a_clarification_says_what_changed_and_requires_relinking(project: bp.BidProject, tmp_path: Path,
                                                                   pki: Any) -> None:
    fill(project)
    doc = project.attach("technical", make_pdf(tmp_path / "方案.pdf", pages=4)).path
    for criterion, page in (("tech", 1), ("service", 2), ("credit", 3)):
        project.link(criterion, doc, page)
    project.sealed = bp.SealedBid("old.bid", 1, "0" * 64, 10, "2026-01-01T00:00:00+00:00")

    def edit(draft: dict[str, Any]) -> None:
        criteria = draft["scoring"]["criteria"]
        criteria[1]["description"] = "技术方案须包含实施进度计划"  # tech: changed
        del criteria[2]  # service: removed
        criteria.append({"id": "quality", "name": "质量保证", "weight": 20, "score_range": {"min": 0, "max": 20},
                         "kind": "subjective"})
        draft["forms"][1]["fields"] = [f for f in draft["forms"][1]["fields"] if f["name"] != "warranty_months"]

    v2 = tender_folder(project.directory, pki, version=2, previous=project.tender, edit=edit)
    changes = project.update_tender(v2)
    assert (changes.old_version, changes.new_version) == (1, 2)
    assert changes.criteria_added == ("quality",) and changes.criteria_removed == ("service",)
    assert changes.criteria_changed == ("tech",)
    assert changes.forms_changed == ("price_schedule",)
    assert changes.values_dropped == ("price_schedule.warranty_months",)
    assert changes.notes == ("技术方案评分标准调整",) and not changes.empty
    assert project.definition.version == 2 and project.sealed is None  # a v1 bid would be refused
    states = {i.criterion.id: i.state for i in project.coverage().items}
    assert states == {"price": "automatic", "tech": "relink", "credit": "linked", "quality": "unlinked"}
    assert [w.code for w in project.preseal_warnings()] == ["bid.criterion_relink", "bid.criterion_unlinked"]
    project.save()
    restored = bp.open_project(project.directory)
    assert restored.changes == changes and restored.links["tech"].needs_relink
    restored.confirm_link("tech")
    restored.link("quality", doc, 4)
    assert restored.coverage().complete
    with pytest.raises(BidclientError) as caught:
        restored.update_tender(project.directory / "tender-v1")
    assert caught.value.code == "bid.older_tender"


def test_assemble_signs_the_forms_and_seal_puts_forms_and_links_in_the_manifest(
        project: bp.BidProject, tmp_path: Path, pki: Any) -> None:
    fill(project)
    tech = project.attach("technical", make_pdf(tmp_path / "技术方案.pdf", pages=2)).path
    for criterion in ("tech", "service", "credit"):
        project.link(criterion, tech, 2)
    party = pki.party("ent-a")
    pin = pin_from_source_spec(f"file:{pki.pin_file}")
    with open_key(party.signing_uri, pin) as session:
        assembled = bp.assemble(project, tmp_path / "bid", signer=session.signer())
    assert sorted(assembled.files) == ["forms/bid_letter.pdf", "forms/price_schedule.pdf", "technical/技术方案.pdf",
                                       bp.BOOK_FILE]
    for name in ("bid_letter", "price_schedule"):
        pdf = assembled.directory / bp.FORM_FILES[name]
        report = subprocess.run(["pdfsig", "-nocert", str(pdf)], capture_output=True, text=True).stdout
        assert "Signature Validation: Signature is Valid." in report, report
        fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True).stdout
        rows = fonts.splitlines()[2:]
        assert rows and all(row.split()[-5] == "yes" for row in rows), fonts  # every font embedded
    assert Link("price", "forms/price_schedule.pdf", 1) in assembled.links
    assert Link("tech", tech, 2) in assembled.links

    with open_key(party.signing_uri, pin) as session:
        result = bp.seal_project(project, session=session, bidder_identity="uscc:" + (party.uscc or ""))
    assert result.self_check_passed
    sealed = project.sealed_path()
    assert sealed is not None and sealed.is_file() and project.sealed is not None
    assert bp.open_project(project.directory).sealed == project.sealed
    # The pre-signed submission statement verifies for exactly this envelope.
    sign = bp.presigned_statement(project)
    assert sign is not None
    statement = submission_statement(tender_id="ZB-2026-007", tender_version=1,
                                     envelope_sha256=result.envelope_sha256, size=result.envelope_size,
                                     bidder="uscc:" + (party.uscc or ""))
    assert cms_sign.verify_detached(statement, sign(statement)).signer_certificate is not None
    with pytest.raises(BidclientError, match="not the one signed"):
        sign(statement + b" ")
    # The opener opens it: the manifest carries the forms and the links.
    with open_key(pki.party(AGENCY).encryption_uri, pin) as opener:
        opened = unseal(sealed, tmp_path / "opened", session=opener,
                        trust_list=load_trust([pki.trust_dir, pki.crl_dir]))
    assert opened.manifest.forms["price_schedule"]["values"]["total"] == "1,280,000.00"
    assert opened.manifest.forms["bid_letter"]["bid_amount_words"] == "人民币壹佰贰拾捌万元整"
    assert {k.criterion: (k.file, k.page) for k in opened.manifest.links} == {
        "price": ("forms/price_schedule.pdf", 1), "tech": (tech, 2), "service": (tech, 2), "credit": (tech, 2)}
    assert (tmp_path / "opened" / "forms" / "bid_letter.pdf").is_file()


def test_assemble_refuses_invalid_forms_and_sealing_after_the_deadline(project: bp.BidProject, tmp_path: Path,
                                                                       pki: Any) -> None:
    fill(project)
    project.bid_letter.update({"bid_amount": "1,000.00", "bid_amount_words": "人民币壹仟元整"})  # lines: 1,280,000.00
    pin = pin_from_source_spec(f"file:{pki.pin_file}")
    with open_key(pki.party("ent-a").signing_uri, pin) as session, pytest.raises(BidclientError) as caught:
        bp.assemble(project, tmp_path / "bid", signer=session.signer())
    assert caught.value.code == "bid.forms_invalid"
    fill(project)
    late = project.definition.bid_deadline + timedelta(seconds=1)
    with open_key(pki.party("ent-a").signing_uri, pin) as session, pytest.raises(BidclientError) as caught:
        bp.seal_project(project, session=session, now=lambda: late)
    assert caught.value.code == "bid.deadline_passed" and project.sealed is None


def test_a_field_the_tender_marks_as_the_price_is_the_bid_amount(tmp_path: Path, pki: Any) -> None:
    # Format 2: the agency says its 合同价款 is the announced price (no list of usual names knows it).
    def edit(draft: dict[str, Any]) -> None:
        draft["forms"][0]["fields"] = [{"name": "contract_sum", "label": "合同价款", "type": "money",
                                        "announces": "price"},
                                       {"name": "contract_sum_words", "label": "合同价款（大写）", "type": "text"}]

    draft = tmp_path / "draft"
    project = bp.create_project(draft, tender_folder(draft, pki, edit=edit), bidder_name="示例建设工程有限公司")
    assert project.definition.format == "bidclient-tender/2"
    assert project.bid_letter_form().field("contract_sum") is None
    assert project.bid_letter_form().field("contract_sum_words") is None
    # A draft that typed it under the tender's name (a script, an older app) keeps it, once.
    fill(project)
    del project.bid_letter["bid_amount"]
    project.bid_letter["contract_sum"] = "1,280,000.00"
    project.save()
    restored = bp.open_project(draft)
    assert restored.bid_letter["bid_amount"] == "1,280,000.00" and "contract_sum" not in restored.bid_letter
    assert all(not issues for issues in restored.form_issues().values()), restored.form_issues()
    letter = restored.forms_data()["bid_letter"]
    assert letter["contract_sum"] == letter["bid_amount"] == "1,280,000.00"
    assert letter["contract_sum_words"] == "人民币壹佰贰拾捌万元整"


def test_the_signed_forms_print_the_signing_time_in_beijing_time(monkeypatch: pytest.MonkeyPatch) -> None:
    # In the English app too: the forms are Chinese documents.
    monkeypatch.setenv("BIDCLIENT_LANG", "en")
    monkeypatch.delenv("BIDCLIENT_TIMEZONE", raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", "/nonexistent")
    assert bp.printed_time(datetime(2026, 12, 2, 5, 44, 52, tzinfo=UTC)) == "2026-12-02 13:44:52 北京时间"
    monkeypatch.setenv("BIDCLIENT_TIMEZONE", "UTC")  # configured otherwise: that zone, named
    assert bp.printed_time(datetime(2026, 12, 2, 5, 44, 52, tzinfo=UTC)) == "2026-12-02 05:44:52 UTC"


def test_sealing_again_within_the_same_second_gets_a_new_file_name(tmp_path: Path) -> None:
    """A clerk who changes a form and seals again at once must not be refused with "the output already
    exists" (the names had whole seconds only); the names still sort by sealing time, and older drafts'
    names (without milliseconds) are still read."""
    from datetime import UTC, datetime

    moment = datetime(2026, 12, 2, 7, 46, 2, 123456, tzinfo=UTC)
    first = bp.sealed_bid_path(tmp_path, "ZB-1", 1, moment)
    first.write_bytes(b"sealed")
    second = bp.sealed_bid_path(tmp_path, "ZB-1", 1, moment)
    assert second != first and not second.exists()
    second.write_bytes(b"sealed again")
    later = bp.sealed_bid_path(tmp_path, "ZB-1", 1, moment.replace(second=3, microsecond=0))
    assert sorted([later, second, first]) == [first, second, later]
    assert bp.sealed_at(first) == moment.replace(microsecond=123000)
    assert bp.sealed_at(tmp_path / "ZB-1-v1-20261202T074602Z.bid") == moment.replace(microsecond=0)


def test_the_bid_is_bound_in_the_bidders_order_and_sealed_as_one_signed_pdf(
        project: bp.BidProject, tmp_path: Path, pki: Any) -> None:
    fill(project)
    first = project.attach("technical", make_pdf(tmp_path / "施工组织设计.pdf", pages=2, text="organisation")).path
    second = project.attach("technical", make_pdf(tmp_path / "质量保证措施.pdf", pages=1, text="quality")).path
    project.attach("qualification", make_pdf(tmp_path / "营业执照.pdf", text="licence"))
    assert project.move_attachment(second, -1) == 0
    assert project.move_attachment(second, -5) == 0  # already first: stays
    project.save()
    reopened = bp.open_project(project.directory)
    assert [a.path for a in reopened.attachments if a.section == "technical"] == [second, first]
    with pytest.raises(BidclientError, match="not attached"):
        reopened.move_attachment("technical/none.pdf", 1)

    preview = reopened.render_book_preview()
    assert preview.path.name == "投标文件（预览）.pdf" and preview.path.is_relative_to(reopened.directory)
    titles = [(e.section, e.title) for e in preview.entries]
    assert titles == [("资格证明文件", "营业执照"), ("商务文件", "投标函"), ("商务文件", "开标一览表"),
                      ("技术文件", "质量保证措施"), ("技术文件", "施工组织设计")]
    assert "预览（未签章）" in subprocess.run(["pdftotext", str(preview.path), "-"], capture_output=True,
                                             text=True).stdout
    assert preview.marks.legal_representative == "王五"
    assert preview.company_seal.page == preview.entries[1].first_page - 1  # on the bid letter

    party = pki.party("ent-a")
    with open_key(party.signing_uri, pin_from_source_spec(f"file:{pki.pin_file}")) as session:
        assembled = bp.assemble(reopened, tmp_path / "bid", signer=session.signer())
    book = assembled.directory / bp.BOOK_FILE
    report = subprocess.run(["pdfsig", "-nocert", str(book)], capture_output=True, text=True).stdout
    assert report.count("Signature Validation: Signature is Valid.") == 2, report
    text = subprocess.run(["pdftotext", "-layout", str(book), "-"], capture_output=True, text=True).stdout
    pages = text.split("\f")
    assert "预览" not in text
    quality = next(e for e in preview.entries if e.title == "质量保证措施")
    assert "quality page 1" in pages[quality.first_page - 1]
    assert "organisation page 2" in pages[quality.first_page + 1]


def test_a_document_that_cannot_be_bound_is_named_and_nothing_is_left(project: bp.BidProject, tmp_path: Path) -> None:
    from bidclient.errors import describe

    fill(project)
    broken = make_pdf(tmp_path / "资质证书.pdf")
    data = broken.read_bytes()
    assert b"/MediaBox" in data
    broken.write_bytes(data.replace(b"/MediaBox", b"/MediaBoz"))  # same length: the file still parses
    project.attach("qualification", broken)  # its page count reads, so it is accepted here
    with pytest.raises(BidclientError) as caught:
        project.render_book_preview()
    assert caught.value.code == "bid.book_failed" and "qualification/资质证书.pdf" in str(caught.value)
    message = describe(caught.value)
    assert "投标文件.pdf" in message.headline and "print to PDF" in message.hint
    assert list((project.directory / bp.PREVIEW_DIR / "book").glob("*/*")) == []
