"""The whole bid as one PDF: contents with page numbers, bookmarks, page seals, the riding seal (骑缝章)
sliced across the right edges of every page, and two PAdES signatures pdfsig validates."""

from __future__ import annotations

import itertools
import subprocess
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from reportlab.lib.pagesizes import A4, landscape
from reportlab.pdfgen.canvas import Canvas

from crypto.key_access import open_key
from crypto.pin import pin_from_source_spec
from devtools.pki import DevPki
from forms.bid_book import (
    RIDING_GROUP,
    BookPart,
    SealMarks,
    build_book,
    riding_groups,
    sign_book,
)
from forms.bid_letter import render_bid_letter
from forms.errors import PdfMalformed, RenderError
from forms.model import BidLetter
from forms.pdf_sign import verify_pdf
from tests.forms.test_pdf_sign import nss_db, pdfsig, roots  # noqa: F401  (nss_db is a fixture)
from tests.forms.test_render import pdftotext
from tests.forms.test_validation import LETTER

MARKS = SealMarks(enterprise="示例建设工程有限公司", legal_representative="张三", inscription="投标专用章")


def blank_pdf(path: Path, pages: int, *, size: tuple[float, float] = A4, label: str = "附件") -> Path:
    canvas = Canvas(str(path), pagesize=size)
    for number in range(pages):
        canvas.drawString(72, size[1] - 144, f"{label} page {number + 1}")
        canvas.showPage()
    canvas.save()
    return path


def parts(tmp_path: Path, attachment_pages: int) -> tuple[list[BookPart], tuple[str, int, tuple[int, int, int, int]]]:
    letter = render_bid_letter(BidLetter(LETTER), tmp_path / "letter.pdf")
    attachment = blank_pdf(tmp_path / "licence.pdf", attachment_pages, label="licence")
    listed = [
        BookPart("技术文件", "技术方案", "technical/plan.pdf", attachment),
        BookPart("商务文件", "投标函", "forms/bid_letter.pdf", letter.path),
        BookPart("资格证明文件", "营业执照", "qualification/licence.pdf",
                 blank_pdf(tmp_path / "q.pdf", 1, label="qualification")),
    ]
    return listed, ("forms/bid_letter.pdf", letter.seal_page, letter.seal_box)


def render(path: Path, page: int, directory: Path, dpi: int = 36) -> Image.Image:
    prefix = directory / f"page-{page}"
    subprocess.run(["pdftoppm", "-r", str(dpi), "-f", str(page), "-l", str(page), "-png", "-singlefile",
                    str(path), str(prefix)], check=True)
    with Image.open(f"{prefix}.png") as image:
        return image.convert("RGB")


def red(pixel: Any) -> bool:
    r, g, b = pixel
    return r > 150 and g < 110 and b < 110


def red_at_right_edge(image: Image.Image, columns: int = 3) -> int:
    """Red pixels in the rightmost ``columns`` columns, around the vertical middle."""
    width, height = image.size
    return len([1 for x in range(width - columns, width) for y in range(height // 4, 3 * height // 4)
                if red(image.getpixel((x, y)))])


def red_right_of_edge_strip(image: Image.Image, strip: int) -> int:
    """Red pixels in the middle band left of the riding seal's strip (where no other seal is)."""
    width, height = image.size
    return len([1 for x in range(width // 2, width - strip - 2) for y in range(height // 3, 2 * height // 3)
                if red(image.getpixel((x, y)))])


def test_riding_groups_split_evenly() -> None:
    assert riding_groups(1) == ((0, 1),)
    assert riding_groups(RIDING_GROUP) == ((0, RIDING_GROUP),)
    assert riding_groups(RIDING_GROUP + 1) == ((0, 11), (11, 10))
    groups = riding_groups(203)
    assert sum(n for _first, n in groups) == 203 and max(n for _f, n in groups) <= RIDING_GROUP
    assert all(first == prev_first + prev_n for (prev_first, prev_n), (first, _n) in itertools.pairwise(groups))


def test_contents_bookmarks_and_sections_in_order(tmp_path: Path) -> None:
    listed, spot = parts(tmp_path, 3)
    book = build_book(listed, tmp_path / "book.pdf", title="某某学校教学楼建设项目", bidder="示例建设工程有限公司",
                      marks=MARKS, company_seal=spot)
    # 目录 (1 page), then the sections in binding order whatever order the parts came in.
    assert [(e.section, e.title, e.first_page, e.pages) for e in book.entries] == [
        ("资格证明文件", "营业执照", 2, 1), ("商务文件", "投标函", 3, book.entries[1].pages),
        ("技术文件", "技术方案", 3 + book.entries[1].pages, 3)]
    assert book.pages == 1 + 1 + book.entries[1].pages + 3
    info = subprocess.run(["pdfinfo", str(book.path)], capture_output=True, text=True, check=True).stdout
    assert f"Pages:           {book.pages}" in info
    contents = pdftotext(book.path).split("\f")[0]
    for entry in book.entries:
        line = next(ln for ln in contents.splitlines() if entry.title in ln)
        assert line.rstrip().endswith(str(entry.first_page)), line
    assert "资格证明文件" in contents and "技术文件" in contents and "其他材料" not in contents
    # The attachment's own text is on the page the contents promise.
    text = pdftotext(book.path).split("\f")
    assert "licence page 1" in text[book.entries[2].first_page - 1]
    assert f"第1页共{book.pages}页" in text[0].replace(" ", "")
    from pyhanko.pdf_utils.reader import PdfFileReader

    with open(book.path, "rb") as f:
        reader = PdfFileReader(f, strict=False)
        first = reader.root["/Outlines"]["/First"]
        titles = []
        node = first
        while node is not None:
            titles.append(str(node["/Title"]))
            node = node["/Next"] if "/Next" in node else None
        assert titles == ["目录", "资格证明文件", "商务文件", "技术文件"]
        technical = reader.root["/Outlines"]["/Last"]
        assert str(technical["/First"]["/Title"]) == "技术方案"
        target = technical["/First"]["/Dest"].raw_get(0)
        pages = [reader.find_page_for_modification(i)[0].idnum for i in range(book.pages)]
        assert pages.index(target.idnum) == book.entries[2].first_page - 1


@pytest.mark.parametrize("party", ["ent-a", "ent-a-ec"])
def test_the_riding_seal_is_on_every_page_and_the_signatures_verify(pki: DevPki, nss_db: Path | None,  # noqa: F811
                                                                   tmp_path: Path, party: str) -> None:
    listed, spot = parts(tmp_path, 1)
    book = build_book(listed, tmp_path / "book.pdf", title="某某项目", bidder="示例建设工程有限公司", marks=MARKS,
                      company_seal=spot)
    assert book.riding == ((0, book.pages),)
    uri = pki.party(party).signing_uri
    assert uri is not None
    signed = tmp_path / "signed.pdf"
    with open_key(uri, pin_from_source_spec(f"file:{pki.pin_file}")) as session:
        sign_book(book, signed, session.signer())
    report = pdfsig(signed, nss_db)
    assert report.count("Signature Validation: Signature is Valid.") == 2, report
    assert "Total document signed" in report
    result = verify_pdf(signed, roots(pki))
    assert result.ok and [s.field_name for s in result.signatures] == ["CompanySeal", "LegalRepresentativeSeal"]
    strip = 2 * 21 / 25.4 * 36 / book.pages  # the strip's width in pixels at 36 dpi
    for page in range(1, book.pages + 1):
        image = render(signed, page, tmp_path)
        assert red_at_right_edge(image) > 0, f"no riding-seal slice at the right edge of page {page}"
        assert red_right_of_edge_strip(image, int(strip) + 1) == 0 or page == spot[1] + 3, page


def test_a_one_page_bid_and_a_200_page_bid(tmp_path: Path) -> None:
    one = blank_pdf(tmp_path / "one.pdf", 1)
    book = build_book([BookPart("商务文件", "投标函", "forms/bid_letter.pdf", one)], tmp_path / "one-book.pdf",
                      title="t", bidder="b", marks=MARKS, company_seal=("forms/bid_letter.pdf", 0, (350, 70, 520, 180)))
    assert book.pages == 2 and book.riding == ((0, 2),)
    for page in (1, 2):
        assert red_at_right_edge(render(book.path, page, tmp_path)) > 0

    many = blank_pdf(tmp_path / "many.pdf", 199)
    big = build_book([BookPart("技术文件", "技术方案", "technical/many.pdf", many),
                      BookPart("商务文件", "投标函", "forms/bid_letter.pdf", one)], tmp_path / "big.pdf", title="t",
                     bidder="b", marks=MARKS, company_seal=("forms/bid_letter.pdf", 0, (350, 70, 520, 180)))
    assert big.pages == 201 and len(big.riding) == 11
    subprocess.run(["pdftoppm", "-r", "18", "-png", str(big.path), str(tmp_path / "all")], check=True)
    images = sorted(tmp_path.glob("all-*.png"))
    assert len(images) == 201
    for index, name in enumerate(images):
        with Image.open(name) as image:
            assert red_at_right_edge(image.convert("RGB"), columns=2) > 0, f"page {index + 1} has no slice"


def test_a_rotated_landscape_attachment_gets_its_slice_on_the_right_as_displayed(tmp_path: Path) -> None:
    scan = tmp_path / "scan.pdf"
    blank_pdf(scan, 1, size=landscape(A4))
    book = build_book([BookPart("商务文件", "投标函", "forms/bid_letter.pdf", blank_pdf(tmp_path / "l.pdf", 1)),
                       BookPart("资格证明文件", "资质证书", "qualification/scan.pdf", scan)], tmp_path / "book.pdf",
                      title="t", bidder="b", marks=MARKS, company_seal=("forms/bid_letter.pdf", 0, (350, 70, 520, 180)))
    image = render(book.path, 2, tmp_path)
    assert image.size[0] > image.size[1]
    assert red_at_right_edge(image) > 0


def test_the_preview_shows_the_seals_and_says_it_is_one(tmp_path: Path) -> None:
    listed, spot = parts(tmp_path, 1)
    preview = build_book(listed, tmp_path / "preview.pdf", title="t", bidder="b", marks=MARKS, company_seal=spot,
                         preview=True)
    text = pdftotext(preview.path)
    assert text.count("预览（未签章）") == preview.pages
    # The enterprise seal's place on the bid letter's page is red in the preview.
    page = preview.company_seal.page + 1
    image = render(preview.path, page, tmp_path, dpi=72)
    x1, y1, x2, y2 = preview.company_seal.box
    height = image.size[1]
    box = image.crop((x1, height - y2, x2, height - y1))
    assert len([1 for x in range(box.size[0]) for y in range(box.size[1]) if red(box.getpixel((x, y)))]) > 100
    with pytest.raises(RenderError, match="never signed"):
        sign_book(preview, tmp_path / "x.pdf", signer=None)  # type: ignore[arg-type]


def test_hostile_parts(tmp_path: Path) -> None:
    junk = tmp_path / "junk.pdf"
    junk.write_bytes(b"%PDF-1.7\n this is not a pdf")
    target = tmp_path / "book.pdf"
    with pytest.raises(PdfMalformed, match=r"technical/junk\.pdf"):
        build_book([BookPart("技术文件", "x", "technical/junk.pdf", junk)], target, title="t", bidder="b",
                   marks=MARKS, company_seal=("technical/junk.pdf", 0, (0, 0, 100, 100)))
    assert not target.exists()
