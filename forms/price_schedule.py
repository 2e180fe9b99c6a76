"""开标一览表 (price schedule) as a PDF: the header, the priced lines with their total, the signature area."""

from __future__ import annotations

from pathlib import Path

from reportlab.lib import colors
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
from forms.model import PRICE_SCHEDULE_FORM, PriceSchedule

__all__ = ["RenderedForm", "render_price_schedule"]

STANDARD_FIELDS = frozenset(f.name for f in PRICE_SCHEDULE_FORM.fields)
_COLUMNS = (  # (heading, width in mm, attribute, alignment)
    ("序号", 12, "", "cell_center"),
    ("货物（服务）名称", 33, "item", "cell"),
    ("规格型号", 22, "specification", "cell"),
    ("单位", 14, "unit", "cell_center"),
    ("数量", 14, "quantity", "cell_right"),
    ("单价（元）", 28, "unit_price", "cell_right"),
    ("合价（元）", 28, "total", "cell_right"),
    ("备注", 15, "remark", "cell"),
)


def render_price_schedule(schedule: PriceSchedule, path: str | Path, *,
                          preview: bool = False) -> RenderedForm:
    """Render ``schedule`` to ``path`` (A4, the CJK font embedded); returns where the seal goes.

    Amounts are printed as 1,234.00 when readable, else as typed; nothing is recomputed here (run
    forms.validation.validate_price_schedule first). With ``preview`` the seal's place is outlined
    (for showing the form before it is signed; never sign a preview).
    Raises RenderError; ``path`` is written atomically.
    """
    values = {k: (v if isinstance(v, str) else str(v)) for k, v in schedule.values.items()}

    def v(name: str) -> str:
        return text(values.get(name, ""))

    s = styles()
    header_rows = [[para("项目名称", s["cell"]), para(v("tender_title"), s["cell"])],
                   [para("招标编号", s["cell"]), para(v("tender_id"), s["cell"])]]
    if values.get("lot_name", "").strip():
        header_rows.append([para("标段（包）", s["cell"]), para(v("lot_name"), s["cell"])])
    header_rows.append([para("投标人名称", s["cell"]), para(v("bidder_name"), s["cell"])])
    header = Table(header_rows, colWidths=[30 * mm, 136 * mm])
    header.setStyle(_grid())

    rows: list[list[Flowable]] = [[para(h, s["cell_center"]) for h, _, _, _ in _COLUMNS]]
    for number, line in enumerate(schedule.lines, start=1):
        row = []
        for _, _, attribute, style in _COLUMNS:
            raw = str(getattr(line, attribute)) if attribute else str(number)
            shown = money(raw) if attribute in ("unit_price", "total") else text(raw)
            row.append(para(shown, s[style]))
        rows.append(row)
    rows.append([para("合计", s["cell_center"]), *[para("", s["cell"]) for _ in range(5)],
                 para(money(values.get("total", "")), s["cell_right"]), para("", s["cell"])])
    lines = Table(rows, colWidths=[w * mm for _, w, _, _ in _COLUMNS], repeatRows=1)
    lines.setStyle(_grid([("BACKGROUND", (0, 0), (-1, 0), colors.Color(0.93, 0.93, 0.93)),
                          ("SPAN", (0, -1), (5, -1))]))

    words = values.get("total_words", "").strip().removeprefix("人民币")
    summary = [para(f"投标总价：人民币（大写）<u>{text(words)}</u>（¥<u>{money(values.get('total', ''))}</u>）",
                    s["body"])]
    if values.get("duration_days", "").strip():
        summary.append(para(f"工期（交货期）：<u>{v('duration_days')}</u>日历天", s["body"]))
    if values.get("quality", "").strip():
        summary.append(para(f"质量标准：<u>{v('quality')}</u>", s["body"]))
    for field in schedule.form.fields:
        value = values.get(field.name, "").strip()
        if field.name not in STANDARD_FIELDS and value:
            summary.append(para(f"{text(field.label)}：{printed_value(field, value)}", s["body"]))

    signature = Table([
        [para("投标人（盖单位章）：", s["body"]), para(v("bidder_name"), s["body"])],
        [para("法定代表人或其委托代理人（签字）：", s["body"]), para(v("legal_representative"), s["body"])],
        [para("日期：", s["body"]), para(chinese_date(values.get("date", "")), s["body"])],
    ], colWidths=[82 * mm, 80 * mm], hAlign="RIGHT")
    signature.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("ALIGN", (0, 0), (0, -1), "RIGHT"),
                                   ("FONTNAME", (0, 0), (-1, -1), cjk_font())]))
    seal = SealArea(*SEAL_BOX_SIZE, preview=preview)
    story: list[Flowable] = [para("开标一览表", s["title"]), header, Spacer(0, 10), lines, Spacer(0, 10),
                             *summary, Spacer(0, 16), KeepTogether([signature, Spacer(0, 6), seal])]
    return build(Path(path), story, seal, title="开标一览表", author=values.get("bidder_name", ""),
                 subject=f"{values.get('tender_title', '')} {values.get('tender_id', '')}".strip())


def _grid(extra: list[tuple[object, ...]] | None = None) -> TableStyle:
    return TableStyle([
        ("GRID", (0, 0), (-1, -1), 0.6, colors.black),
        ("FONTNAME", (0, 0), (-1, -1), cjk_font()),  # the default Helvetica would be referenced, unembedded
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("TOPPADDING", (0, 0), (-1, -1), 3),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 5),
        *(extra or []),
    ])
