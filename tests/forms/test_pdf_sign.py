"""PAdES signing with a SoftHSM token key (RSA and EC) and a PKCS#12 key, checked by pdfsig and pyHanko."""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID
from PIL import Image

from crypto.errors import PinIncorrect, SignatureInvalid
from crypto.key_access import open_key
from crypto.keys import Signer
from crypto.pin import pin_from_source_spec
from crypto.software_key import SoftwareKey
from crypto.timestamp import TimestampAuthority
from devtools.pki import DevPki
from forms._layout import RenderedForm
from forms.bid_letter import render_bid_letter
from forms.errors import PdfMalformed, RenderError
from forms.model import BidLetter, PriceSchedule
from forms.pdf_sign import sign_form, sign_pdf, verify_pdf
from forms.price_schedule import render_price_schedule
from tests.crypto.test_cms_sign import issue
from tests.forms.test_render import assert_fonts_embedded, pdftotext
from tests.forms.test_validation import LETTER, LINES, SCHEDULE


def roots(pki: DevPki) -> list[x509.Certificate]:
    return [x509.load_pem_x509_certificate(p.read_bytes()) for p in sorted(pki.trust_dir.glob("*.pem"))]


@pytest.fixture(scope="module")
def nss_db(tmp_path_factory: pytest.TempPathFactory, pki: DevPki) -> Path | None:
    """An NSS database trusting the dev CAs, so pdfsig can judge the certificate too."""
    if shutil.which("certutil") is None:
        return None
    directory = tmp_path_factory.mktemp("nssdb")
    subprocess.run(["certutil", "-N", "-d", f"sql:{directory}", "--empty-password"], check=True)
    for path in sorted(pki.trust_dir.glob("*.pem")):
        subprocess.run(["certutil", "-A", "-d", f"sql:{directory}", "-n", path.stem, "-t", "CT,C,C",
                        "-a", "-i", str(path)], check=True)
    return directory


def pdfsig(path: Path, nss: Path | None) -> str:
    command = ["pdfsig", "-nocert"] if nss is None else ["pdfsig", "-nssdir", f"sql:{nss}"]
    return subprocess.run([*command, str(path)], capture_output=True, text=True).stdout


@pytest.fixture
def letter(tmp_path: Path) -> RenderedForm:
    return render_bid_letter(BidLetter(LETTER), tmp_path / "letter.pdf")


@pytest.fixture
def token_signer(pki: DevPki, request: pytest.FixtureRequest) -> Iterator[Signer]:
    uri = pki.party(request.param).signing_uri
    assert uri is not None
    with open_key(uri, pin_from_source_spec(f"file:{pki.pin_file}")) as session:
        yield session.signer()


def check_valid(path: Path, pki: DevPki, nss: Path | None, signer_cn: str) -> None:
    report = pdfsig(path, nss)
    assert "Signature Validation: Signature is Valid." in report, report
    assert "Total document signed" in report
    assert "ETSI.CAdES.detached" in report
    if nss is not None:
        assert "Certificate Validation: Certificate is Trusted." in report, report
    result = verify_pdf(path, roots(pki))
    assert result.ok, result
    [signature] = result.signatures
    assert signature.intact and signature.valid and signature.trusted and signature.covers_whole_file
    assert signature.signer_name == signer_cn
    result.require_valid()


def tamper(path: Path) -> Path:
    """Flip one byte inside the first page's content stream (inside the signed range)."""
    data = bytearray(path.read_bytes())
    offset = data.index(b"stream\n", data.index(b"/Type /Page")) + 40
    data[offset] ^= 0x01
    tampered = path.with_name("tampered.pdf")
    tampered.write_bytes(bytes(data))
    return tampered


@pytest.mark.parametrize("token_signer", ["ent-a", "ent-b"], indirect=True)
def test_sign_with_a_token_key(token_signer: Signer, letter: RenderedForm, pki: DevPki, nss_db: Path | None,
                               tmp_path: Path) -> None:
    signed = tmp_path / "signed.pdf"
    sign_form(letter, signed, token_signer, reason="投标函签章", location="呼和浩特")
    cn = token_signer.certificate.subject.get_attributes_for_oid(x509.NameOID.COMMON_NAME)[0].value
    check_valid(signed, pki, nss_db, str(cn))
    assert_fonts_embedded(signed)
    assert "投标函" in pdftotext(signed)

    tampered = tamper(signed)
    report = pdfsig(tampered, nss_db)
    assert "Signature is Valid." not in report and "Signature Validation:" in report, report
    result = verify_pdf(tampered, roots(pki))
    assert not result.ok and not result.signatures[0].intact
    with pytest.raises(SignatureInvalid, match="changed after signing"):
        result.require_valid()


def test_sign_with_a_pkcs12_key(pki: DevPki, nss_db: Path | None, tmp_path: Path) -> None:
    party = pki.party("ent-a")
    schedule = render_price_schedule(PriceSchedule(SCHEDULE, LINES), tmp_path / "schedule.pdf")
    with open_key(str(party.signing_p12), lambda _request: party.p12_password) as session:
        sign_form(schedule, tmp_path / "signed.pdf", session.signer(), inscription="投标专用章")
    check_valid(tmp_path / "signed.pdf", pki, nss_db, "示例建设工程有限公司")
    tampered = tamper(tmp_path / "signed.pdf")
    assert not verify_pdf(tampered, roots(pki)).ok
    assert "Signature is Valid." not in pdfsig(tampered, nss_db)


def test_two_signatures_and_signing_in_place(pki: DevPki, letter: RenderedForm, tmp_path: Path) -> None:
    a, b = pki.party("ent-a"), pki.party("ent-b")
    with open_key(str(a.signing_p12), lambda _r: a.p12_password) as session:
        sign_pdf(letter.path, letter.path, session.signer(), field_name="Bidder", page=0, box=letter.seal_box)
    with open_key(str(b.signing_p12), lambda _r: b.p12_password) as session:
        sign_pdf(letter.path, letter.path, session.signer(), field_name="Second", box=(60, 80, 230, 190))
    result = verify_pdf(letter.path, roots(pki))
    assert [s.field_name for s in result.signatures] == ["Bidder", "Second"]
    assert result.ok and not result.signatures[0].covers_whole_file and result.signatures[1].covers_whole_file


def test_untrusted_root_is_reported(pki: DevPki, letter: RenderedForm, tmp_path: Path) -> None:
    rogue = pki.party("bad-rogue")
    with open_key(str(rogue.signing_p12), lambda _r: rogue.p12_password) as session:
        sign_form(letter, tmp_path / "signed.pdf", session.signer())
    result = verify_pdf(tmp_path / "signed.pdf", roots(pki))
    [signature] = result.signatures
    assert signature.intact and signature.valid and not signature.trusted and not result.ok
    assert "not trusted" in signature.problem


def test_a_wrong_pin_leaves_no_output(pki: DevPki, letter: RenderedForm, tmp_path: Path) -> None:
    named = pki.party("ent-b").signing_uri
    assert named is not None
    uri = re.sub(r"&?pin-source=[^&]*", "", named)  # else the URI's own pin-source supplies the right PIN
    target = tmp_path / "signed.pdf"
    with pytest.raises(PinIncorrect), open_key(uri, lambda _r: "00000000") as session:
        sign_form(letter, target, session.signer())
    assert not target.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["letter.pdf"]


def test_with_a_seal_image_and_a_timestamp(pki: DevPki, letter: RenderedForm, tmp_path: Path) -> None:
    image = tmp_path / "seal.png"
    Image.new("RGBA", (200, 200), (220, 0, 0, 180)).save(image)
    tsa_root = issue("TSA Root", ec.generate_private_key(ec.SECP256R1()), None, ca=True)
    tsa = issue("Test TSA", ec.generate_private_key(ec.SECP256R1()), tsa_root, ca=False,
                eku=[ExtendedKeyUsageOID.TIME_STAMPING])
    authority = TimestampAuthority(SoftwareKey(tsa.key, tsa.cert, [tsa_root.cert]))
    party = pki.party("ent-b")
    with open_key(str(party.signing_p12), lambda _r: party.p12_password) as session:
        sign_form(letter, tmp_path / "signed.pdf", session.signer(), seal_image=image, timestamper=authority)
    result = verify_pdf(tmp_path / "signed.pdf", roots(pki), tsa_roots=[tsa_root.cert])
    assert result.ok, result
    assert result.signatures[0].timestamp_time is not None
    assert "Signature is Valid." in pdfsig(tmp_path / "signed.pdf", None)


def test_hostile_inputs(pki: DevPki, letter: RenderedForm, tmp_path: Path) -> None:
    party = pki.party("ent-b")
    junk = tmp_path / "junk.pdf"
    junk.write_bytes(b"%PDF-1.7\n" + b"\x00garbage" * 100)
    not_pdf = tmp_path / "notes.txt"
    not_pdf.write_text("hello")
    bad_image = tmp_path / "seal.png"
    bad_image.write_bytes(b"\x89PNG\r\n\x1a\n" + b"nope")
    with open_key(str(party.signing_p12), lambda _r: party.p12_password) as session:
        signer = session.signer()
        for source in (junk, not_pdf):
            with pytest.raises(PdfMalformed):
                sign_pdf(source, tmp_path / "out.pdf", signer)
        with pytest.raises(RenderError):
            sign_form(letter, tmp_path / "out.pdf", signer, seal_image=bad_image)
    assert not (tmp_path / "out.pdf").exists()
    for source in (junk, not_pdf):
        with pytest.raises(PdfMalformed):
            verify_pdf(source, roots(pki))
    unsigned = verify_pdf(letter.path, roots(pki))
    assert not unsigned.ok
    with pytest.raises(SignatureInvalid):
        unsigned.require_valid()


def test_the_seal_prints_the_signing_time_as_the_caller_words_it(pki: DevPki, tmp_path: Path) -> None:
    from datetime import datetime

    from forms.seal_image import SealAppearance, render_appearance

    asked: list[datetime] = []

    def beijing(value: datetime) -> str:
        asked.append(value)
        return "2026-12-02 13:44:52 北京时间"

    party = pki.party("ent-a")
    schedule = render_price_schedule(PriceSchedule(SCHEDULE, LINES), tmp_path / "schedule.pdf")
    with open_key(str(party.signing_p12), lambda _request: party.p12_password) as session:
        sign_form(schedule, tmp_path / "signed.pdf", session.signer(), time_text=beijing)
    [when] = asked
    assert when.tzinfo is not None and abs((datetime.now(when.tzinfo) - when).total_seconds()) < 120
    # What the seal box draws (pdftotext does not read a signature's appearance inside the signed file).
    box = tmp_path / "appearance.pdf"
    box.write_bytes(render_appearance(SealAppearance("示例建设工程有限公司", "张三", when,
                                                     signed_at_text=beijing(when)), 170, 110))
    assert "时间：2026-12-0213:44:52北京时间\n" in re.sub(r"[ \t]+", "", pdftotext(box))  # whole, not cut
