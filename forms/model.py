"""The data of the structured forms: field definitions as a tender defines them, and what the bidder typed.

Values are kept as the text the user typed (``Mapping[str, str]``), so that validation can say exactly
what is wrong with it and a draft round-trips unchanged. Field types use the names of the tender format
(bidclient/protocol/tender.py ``FieldType``); this module does not import it, so forms/ stays below
bidclient/. ``FormDef.from_mapping`` reads a tender form's ``model_dump()``.

Convention shared with tenders: a money field ``X`` and a text field ``X_words`` are the same amount in
figures and in capital numerals (大写); validation checks they agree (words prevail, 87号令 Art. 59).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal, get_args

__all__ = [
    "BID_LETTER_FORM",
    "FIELD_TYPES",
    "PRICE_LINE_COLUMNS",
    "PRICE_SCHEDULE_FORM",
    "WORDS_SUFFIX",
    "BidLetter",
    "FieldDef",
    "FieldType",
    "FormDef",
    "Issue",
    "PriceLine",
    "PriceSchedule",
]

FieldType = Literal["text", "money", "integer", "decimal", "percent", "date", "duration_days", "boolean"]
FIELD_TYPES: frozenset[str] = frozenset(get_args(FieldType))
WORDS_SUFFIX = "_words"
DEFAULT_MAX_LENGTH = 500  # the tender format's bound on a text


@dataclass(frozen=True)
class FieldDef:
    """One field of a form: ``name`` is the key in the values, ``label`` what the form prints."""

    name: str
    label: str
    type: FieldType = "text"
    required: bool = True
    max_length: int = DEFAULT_MAX_LENGTH

    def __post_init__(self) -> None:
        if self.type not in FIELD_TYPES:
            raise ValueError(f"field {self.name}: unknown type {self.type!r}")


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
                                max_length=int(f.get("max_length", DEFAULT_MAX_LENGTH)))
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
    FieldDef("bid_amount", "投标总报价（小写，元）", "money"),
    FieldDef("bid_amount_words", "投标总报价（大写）", max_length=64),
    FieldDef("duration_days", "工期（交货期），日历天", "duration_days"),
    FieldDef("quality", "质量标准"),
    FieldDef("validity_days", "投标有效期，天", "duration_days"),
    FieldDef("date", "日期", "date"),
))

PRICE_SCHEDULE_FORM = FormDef("price_schedule", "开标一览表", (
    FieldDef("tender_title", "项目名称"),
    FieldDef("tender_id", "招标编号", max_length=64),
    FieldDef("lot_name", "标段（包）", required=False),
    FieldDef("bidder_name", "投标人名称", max_length=200),
    FieldDef("total", "投标总价（小写，元）", "money"),
    FieldDef("total_words", "投标总价（大写）", max_length=64),
    FieldDef("duration_days", "工期（交货期），日历天", "duration_days", required=False),
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
