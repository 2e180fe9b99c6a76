"""The data of the structured forms: field definitions as a tender defines them, and what the bidder typed.

Values are kept as the text the user typed (``Mapping[str, str]``), so that validation can say exactly
what is wrong with it and a draft round-trips unchanged. Field types use the names of the tender format
(bidclient/protocol/tender.py ``FieldType``); this module does not import it, so forms/ stays below
bidclient/. ``FormDef.from_mapping`` reads a tender form's ``model_dump()``.

Convention shared with tenders: a money field ``X`` and a text field ``X_words`` are the same amount in
figures and in capital numerals (大写); validation checks they agree (words prevail, 87号令 Art. 59).

Announced items (唱标内容): the price, the duration and the quality read out at the opening. A field
states one when it says so (``announces``, tender format version 2) or, for tenders that do not say,
when its type fits and its label is one of the usual names (``ANNOUNCED_LABELS``: 投标总价, 交货期…).
``announced_item`` decides; the standard forms' own fields carry ``announces``.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal, get_args

__all__ = [
    "ANNOUNCED_ITEMS",
    "ANNOUNCED_LABELS",
    "ANNOUNCED_TYPES",
    "BID_LETTER_FORM",
    "FIELD_TYPES",
    "PRICE_LINE_COLUMNS",
    "PRICE_SCHEDULE_FORM",
    "WORDS_SUFFIX",
    "AnnouncedItem",
    "BidLetter",
    "FieldDef",
    "FieldType",
    "FormDef",
    "Issue",
    "PriceLine",
    "PriceSchedule",
    "announced_item",
]

FieldType = Literal["text", "money", "integer", "decimal", "percent", "date", "duration_days", "boolean"]
FIELD_TYPES: frozenset[str] = frozenset(get_args(FieldType))
WORDS_SUFFIX = "_words"
AnnouncedItem = Literal["price", "duration", "quality"]
ANNOUNCED_ITEMS: tuple[AnnouncedItem, ...] = ("price", "duration", "quality")
ANNOUNCED_TYPES: Mapping[str, str] = {"price": "money", "duration": "duration_days", "quality": "text"}
# The usual names of the announced items in Chinese tenders, compared after dropping brackets and what
# they hold (（小写，元）), spaces and punctuation.
ANNOUNCED_LABELS: Mapping[str, frozenset[str]] = {
    "price": frozenset({"投标总价", "投标总报价", "投标报价", "总报价", "投标价", "报价", "投标总金额", "总价"}),
    "duration": frozenset({"工期", "交货期", "交货期限", "供货期", "交付期", "服务期", "服务期限", "完成期限",
                           "计划工期", "工期交货期"}),
    "quality": frozenset({"质量", "质量标准", "质量要求", "质量目标", "质量等级"}),
}
_BRACKETED = re.compile(r"[（(【\[][^）)】\]]*[）)】\]]")
_LABEL_NOISE = re.compile(r"[\s:：,，、/／*]+")
DEFAULT_MAX_LENGTH = 500  # the tender format's bound on a text


@dataclass(frozen=True)
class FieldDef:
    """One field of a form: ``name`` is the key in the values, ``label`` what the form prints."""

    name: str
    label: str
    type: FieldType = "text"
    required: bool = True
    max_length: int = DEFAULT_MAX_LENGTH
    announces: AnnouncedItem | None = None

    def __post_init__(self) -> None:
        if self.type not in FIELD_TYPES:
            raise ValueError(f"field {self.name}: unknown type {self.type!r}")
        if self.announces is not None and ANNOUNCED_TYPES.get(self.announces) != self.type:
            raise ValueError(f"field {self.name}: announces {self.announces!r} but is of type {self.type}")


def announced_item(field: FieldDef) -> AnnouncedItem | None:
    """The announced item ``field`` states: its own ``announces``, else the item whose usual names
    include its label (brackets and punctuation ignored) when the type fits, else None."""
    if field.announces is not None:
        return field.announces
    label = _LABEL_NOISE.sub("", _BRACKETED.sub("", field.label))
    for item in ANNOUNCED_ITEMS:
        if field.type == ANNOUNCED_TYPES[item] and label in ANNOUNCED_LABELS[item]:
            return item
    return None


@dataclass(frozen=True)
class FormDef:
    """A form as the tender defines it: an id (``bid_letter``, ``price_schedule``), a title, its fields."""

    id: str
    name: str
    fields: tuple[FieldDef, ...]

    def field(self, name: str) -> FieldDef | None:
        return next((f for f in self.fields if f.name == name), None)

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> FormDef:
        """From a tender form's ``model_dump()``: ``{"id", "name", "fields": [{"name", "label", "type",
        "required"}]}``. Fields the tender format does not have keep their defaults."""
        fields = tuple(FieldDef(name=str(f["name"]), label=str(f["label"]), type=f["type"],
                                required=bool(f.get("required", True)),
                                max_length=int(f.get("max_length", DEFAULT_MAX_LENGTH)),
                                announces=f.get("announces"))
                       for f in data["fields"])
        return cls(id=str(data["id"]), name=str(data["name"]), fields=fields)


@dataclass(frozen=True)
class Issue:
    """One problem found in a form, shown next to ``field``.

    ``code`` is stable (the UI translates it); ``field`` is a field name, ``lines.N.COLUMN`` for a price
    schedule cell (N from 0), or "" for the form as a whole; ``message`` is English for logs;
    ``params`` hold the values the message quotes, for the translated text.
    """

    code: str
    field: str
    message: str
    params: Mapping[str, str] = dataclasses.field(default_factory=dict, hash=False, compare=False)


# --- the two forms every tender has (REQUIRED_FORMS of the tender format) ----------------------------

BID_LETTER_FORM = FormDef("bid_letter", "投标函", (
    FieldDef("tenderer", "招标人（采购人）"),
    FieldDef("tender_title", "项目名称"),
    FieldDef("tender_id", "招标编号", max_length=64),
    FieldDef("lot_name", "标段（包）", required=False),
    FieldDef("bidder_name", "投标人名称", max_length=200),
    FieldDef("legal_representative", "法定代表人或其委托代理人", max_length=50),
    FieldDef("bid_amount", "投标总报价（小写，元）", "money", announces="price"),
    FieldDef("bid_amount_words", "投标总报价（大写）", max_length=64),
    FieldDef("duration_days", "工期（交货期），日历天", "duration_days", announces="duration"),
    FieldDef("quality", "质量标准", announces="quality"),
    FieldDef("validity_days", "投标有效期，天", "duration_days"),
    FieldDef("date", "日期", "date"),
))

PRICE_SCHEDULE_FORM = FormDef("price_schedule", "开标一览表", (
    FieldDef("tender_title", "项目名称"),
    FieldDef("tender_id", "招标编号", max_length=64),
    FieldDef("lot_name", "标段（包）", required=False),
    FieldDef("bidder_name", "投标人名称", max_length=200),
    FieldDef("total", "投标总价（小写，元）", "money", announces="price"),
    FieldDef("total_words", "投标总价（大写）", max_length=64),
    FieldDef("duration_days", "工期（交货期），日历天", "duration_days", required=False, announces="duration"),
    FieldDef("quality", "质量标准", required=False, announces="quality"),
    FieldDef("legal_representative", "法定代表人或其委托代理人", max_length=50),
    FieldDef("date", "日期", "date"),
))


@dataclass(frozen=True)
class BidLetter:
    """投标函: the values of ``form``'s fields. Fields beyond the standard ones print as extra items."""

    values: Mapping[str, str]
    form: FormDef = BID_LETTER_FORM


@dataclass(frozen=True)
class PriceLine:
    """One row of the price schedule, as typed: quantity × unit_price must equal total."""

    item: str
    specification: str = ""
    unit: str = ""
    quantity: str = ""
    unit_price: str = ""
    total: str = ""
    remark: str = ""


PRICE_LINE_COLUMNS: tuple[tuple[str, str, int], ...] = (
    # (attribute, printed heading, max length)
    ("item", "货物（服务）名称", 200),
    ("specification", "规格型号", 200),
    ("unit", "单位", 20),
    ("quantity", "数量", 20),
    ("unit_price", "单价（元）", 24),
    ("total", "合价（元）", 24),
    ("remark", "备注", 200),
)


@dataclass(frozen=True)
class PriceSchedule:
    """开标一览表: header values of ``form``'s fields and the priced lines."""

    values: Mapping[str, str]
    lines: Sequence[PriceLine]
    form: FormDef = PRICE_SCHEDULE_FORM
