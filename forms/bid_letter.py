"""投标函 (bid letter) as a PDF: the formal letter with the bid amount in figures and in capital numerals."""

from __future__ import annotations

from pathlib import Path

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, KeepTogether, Spacer, Table, TableStyle

from forms._layout import (
    SEAL_BOX_SIZE,
    RenderedForm,
    SealArea,
    build,
    chinese_date,
    money,
    para,
    printed_value,
    styles,
    text,
)
from forms.fonts import cjk_font
from forms.model import BID_LETTER_FORM, BidLetter

__all__ = ["STANDARD_FIELDS", "RenderedForm", "render_bid_letter"]

# The fields the letter's wording uses; any other field of the tender's form prints as an extra item.
STANDARD_FIELDS = frozenset(f.name for f in BID_LETTER_FORM.fields)


def render_bid_letter(letter: BidLetter, path: str | Path, *, preview: bool = False) -> RenderedForm:
    """Render ``letter`` to ``path`` (A4, the CJK font embedded); returns where the seal goes.

    Values are printed as typed (validate first with forms.validation.validate_bid_letter); every value
    is drawn as text, never interpreted as markup. With ``preview`` the seal's place is outlined
    (for showing the form before it is signed; never sign a preview).
    Raises RenderError; ``path`` is written atomically.
    """
    values = {k: (v if isinstance(v, str) else str(v)) for k, v in letter.values.items()}

    def v(name: str) -> str:
        return text(values.get(name, ""))

    s = styles()
    lot = f"{v('lot_name')}" if values.get("lot_name", "").strip() else ""
    project = f"{v('tender_title')}{lot}（招标编号：{v('tender_id')}）"
    words = values.get("bid_amount_words", "").strip().removeprefix("人民币")
    story: list[Flowable] = [
        para("投标函", s["title"]),
        para(f"致：{v('tenderer')}", s["body"]),
        Spacer(0, 6),
        para(f"1. 我方已仔细研究了{project}招标文件的全部内容，愿意以人民币（大写）"
             f"<u>{text(words)}</u>（¥<u>{money(values.get('bid_amount', ''))}</u>）的投标总报价，"
             f"工期（交货期）<u>{v('duration_days')}</u>日历天，按合同约定实施和完成本项目，"
             f"质量达到<u>{v('quality')}</u>。", s["indent"]),
        para(f"2. 我方承诺在招标文件规定的投标有效期内不修改、撤销投标文件；投标有效期为自投标截止之日起"
             f"<u>{v('validity_days')}</u>天。", s["indent"]),
        para("3. 如我方中标，我方承诺在收到中标通知书后，在中标通知书规定的期限内与你方签订合同，"
             "并按照招标文件的规定提交履约担保。", s["indent"]),
        para("4. 我方在此声明，所递交的投标文件及有关资料内容完整、真实和准确。", s["indent"]),
    ]
    number = 5
    for field in letter.form.fields:
        if field.name in STANDARD_FIELDS:
            continue
        value = values.get(field.name, "").strip()
        if value:
            story.append(para(f"{number}. {text(field.label)}：{printed_value(field, value)}", s["indent"]))
            number += 1
    signature = Table([
        [para("投标人（盖单位章）：", s["body"]), para(v("bidder_name"), s["body"])],
        [para("法定代表人或其委托代理人（签字）：", s["body"]), para(v("legal_representative"), s["body"])],
        [para("日期：", s["body"]), para(chinese_date(values.get("date", "")), s["body"])],
    ], colWidths=[82 * mm, 80 * mm], hAlign="RIGHT")
    signature.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("ALIGN", (0, 0), (0, -1), "RIGHT"),
                                   ("FONTNAME", (0, 0), (-1, -1), cjk_font())]))
    seal = SealArea(*SEAL_BOX_SIZE, preview=preview)
    story += [Spacer(0, 20), KeepTogether([signature, Spacer(0, 6), seal])]
    return build(Path(path), story, seal, title="投标函", author=values.get("bidder_name", ""),
                 subject=f"{values.get('tender_title', '')} {values.get('tender_id', '')}".strip())
