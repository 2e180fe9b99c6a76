"""The tender package: the structured definition an agency signs, and the tender API's shapes.

The definition is hostile input on both sides (the server receives it from an agency, a bidder from a
server): every model is strict, forbids unknown fields and bounds every string and list. The rules of
the regulations that a definition must respect (87号令 Art. 55 weights, opening after the deadline...)
are checked here, once, with stable error codes; docs/formats/tender.md describes the format.
"""

from __future__ import annotations

import hashlib
import json
import re
from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import (
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    SerializerFunctionWrapHandler,
    ValidationError,
    model_serializer,
    model_validator,
)
from pydantic_core import PydanticCustomError

from bidclient.protocol.common import canonical_json

FORMAT = "bidclient-tender/1"
# Version 2 adds ``forms[].fields[].announces``; a definition that uses no version-2 field is written as
# version 1, so that clients which only know version 1 still read it (tender_package.prepare_definition).
FORMAT_V2 = "bidclient-tender/2"
# Version 3 adds optional top-level objects (``committee``, ``opening``, ``evaluation``), each described in
# its own section of docs/formats/tender.md; a definition that uses none of them keeps its older format.
FORMAT_V3 = "bidclient-tender/3"
FORMATS = (FORMAT, FORMAT_V2, FORMAT_V3)
V3_OBJECTS = ("committee", "opening", "evaluation")
MAX_DEFINITION_SIZE = 1 << 20  # bytes of canonical JSON
MAX_SIGNATURE_SIZE = 256 << 10
MAX_DOCUMENT_SIZE = 512 << 20  # one tender PDF
PRICE_FORMULA = "cn-87-art55"  # (评标基准价 / 投标报价) × 100, 87号令 Art. 55
PRICE_WEIGHT_MINIMUM = {"goods": Decimal(30), "services": Decimal(10)}  # 87号令 Art. 55; works: none
REQUIRED_FORMS = {"bid_letter": "投标函", "price_schedule": "开标一览表"}

TENDER_ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$"
_ID = r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}$"
_HEX64 = r"^[0-9a-f]{64}$"
_USCC = r"^[0-9A-HJ-NPQRTUWXY]{18}$"
# A document name is a plain file name: no directories, no hidden files, no control characters.
_DOCUMENT_NAME = re.compile(r"^[^/\\\x00-\x1f\x7f:*?\"<>|.][^/\\\x00-\x1f\x7f:*?\"<>|]{0,199}$")

Text = Annotated[str, Field(min_length=1, max_length=500)]
LongText = Annotated[str, Field(min_length=1, max_length=20000)]
Identifier = Annotated[str, Field(pattern=_ID)]
Sha256Hex = Annotated[str, Field(pattern=_HEX64)]
ProcurementKind = Literal["goods", "services", "works"]
# 综合评估法 (comprehensive scoring) | 经评审的最低投标价法 (lowest evaluated price)
EvaluationMethod = Literal["comprehensive", "lowest_evaluated_price"]
FieldType = Literal["text", "money", "integer", "decimal", "percent", "date", "duration_days", "boolean"]
# The items read out at the opening (唱标内容) that a form field can state: the bid price (投标报价),
# the duration (工期 / 交货期 / 服务期) and the quality (质量标准); each has one field type.
AnnouncedItem = Literal["price", "duration", "quality"]
ANNOUNCED_TYPES: dict[str, str] = {"price": "money", "duration": "duration_days", "quality": "text"}


class DefinitionError(ValueError):
    """A definition that cannot be accepted; ``code`` names the rule it breaks (``tender.*``)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def _rule(code: str, message: str) -> PydanticCustomError:
    return PydanticCustomError(code, message)


class _Strict(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid", frozen=True)


class Agency(_Strict):
    """The publishing agency; its signing certificate must name the same USCC."""

    name: Text
    uscc: Annotated[str, Field(pattern=_USCC)]


class Lot(_Strict):
    id: Identifier
    name: Text
    description: Annotated[str, Field(max_length=20000)] = ""
    budget: Annotated[str, Field(pattern=r"^(0|[1-9][0-9]{0,15})(\.[0-9]{1,2})?$")] | None = None  # yuan


class FormField(_Strict):
    name: Identifier
    label: Text
    type: FieldType
    required: bool = True
    announces: AnnouncedItem | None = None  # format version 2: the opening item this field states

    @model_validator(mode="after")
    def _announced_type(self) -> FormField:
        if self.announces is not None and self.type != ANNOUNCED_TYPES[self.announces]:
            raise _rule("tender.announced_item", f"field {self.name} announces the {self.announces}: its type "
                        f"must be {ANNOUNCED_TYPES[self.announces]}, not {self.type}")
        return self

    @model_serializer(mode="wrap")
    def _omit_unannounced(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        # Absent, not null, when unused: version-1 definitions keep exactly their canonical bytes.
        data: dict[str, Any] = handler(self)
        if data.get("announces") is None:
            data.pop("announces", None)
        return data


class Form(_Strict):
    id: Identifier
    name: Text
    fields: Annotated[list[FormField], Field(min_length=1, max_length=200)]

    @model_validator(mode="after")
    def _unique_fields(self) -> Form:
        names = [f.name for f in self.fields]
        if len(set(names)) != len(names):
            raise _rule("tender.duplicate_id", f"form {self.id}: field names must be unique")
        announced = [f.announces for f in self.fields if f.announces is not None]
        if len(set(announced)) != len(announced):
            raise _rule("tender.announced_item", f"form {self.id}: each announced item (price, duration, "
                        "quality) is stated by at most one field")
        return self


class ScoreRange(_Strict):
    min: Annotated[float, Field(ge=0, le=1000)]
    max: Annotated[float, Field(gt=0, le=1000)]


class Criterion(_Strict):
    """A scoring item (评分点). Its weighted score is score / range.max × weight."""

    id: Identifier
    name: Text
    weight: Annotated[float, Field(gt=0, le=100)]  # percent of the total; all weights sum to 100
    score_range: ScoreRange
    kind: Literal["objective", "subjective"]
    price: bool = False
    formula: Literal["cn-87-art55"] | None = None
    lot: Identifier | None = None  # None: every lot
    description: Annotated[str, Field(max_length=20000)] = ""

    @model_validator(mode="after")
    def _check(self) -> Criterion:
        if self.score_range.min > self.score_range.max:
            raise _rule("tender.score_range", f"criterion {self.id}: the score range's min is above its max")
        if _decimal(self.weight).as_tuple().exponent < -2:  # type: ignore[operator]
            raise _rule("tender.weight_precision", f"criterion {self.id}: weights have at most 2 decimals")
        if self.price:
            if self.formula != PRICE_FORMULA or self.kind != "objective":
                raise _rule("tender.price_formula", f"criterion {self.id}: the price criterion is objective "
                            f"and uses formula {PRICE_FORMULA!r} (87号令 Art. 55)")
            if (self.score_range.min, self.score_range.max) != (0, 100):
                raise _rule("tender.price_formula", f"criterion {self.id}: the price score "
                            "(评标基准价 / 投标报价) × 100 ranges from 0 to 100")
        elif self.formula is not None:
            raise _rule("tender.price_formula", f"criterion {self.id}: only the price criterion has a formula")
        return self


class Scoring(_Strict):
    method: EvaluationMethod
    criteria: Annotated[list[Criterion], Field(max_length=500)]


PercentText = Annotated[str, Field(pattern=r"^(0|[1-9][0-9]{0,2})(\.[0-9]{1,2})?$")]
# 财库〔2022〕19号 Art. 9: the price deduction for small and micro enterprises (小微企业价格扣除), percent.
SME_DEDUCTION_RANGE = {"goods": (Decimal(10), Decimal(20)), "services": (Decimal(10), Decimal(20)),
                       "works": (Decimal(3), Decimal(5))}


class ReviewItem(_Strict):
    """An item of the qualification (资格性审查) or compliance (符合性审查) review: pass or fail per bid."""

    id: Identifier
    name: Text
    kind: Literal["qualification", "compliance"]
    lot: Identifier | None = None  # None: every lot
    description: Annotated[str, Field(max_length=20000)] = ""


class Evaluation(_Strict):
    """Format version 3: what the committee draw and the evaluation sessions need beyond ``scoring``
    (docs/formats/tender.md, "evaluation")."""

    # For the committee draw (87号令 Art. 47): the budget the committee rules judge, yuan (absent: the sum of
    # the lots' budgets); whether the project is complex; the tenderer (采购人 / 招标人) when not the agency.
    budget: Annotated[str, Field(pattern=r"^(0|[1-9][0-9]{0,15})(\.[0-9]{1,2})?$")] | None = None
    complex: bool = False  # 技术复杂、专业性强或者社会影响较大
    tenderer_uscc: Annotated[str, Field(pattern=_USCC)] | None = None

    review_items: Annotated[list[ReviewItem], Field(max_length=200)] = []
    # Percent taken off a small/micro enterprise's price before price scoring; None: no deduction.
    sme_price_deduction: PercentText | None = None
    recommended_candidates: Annotated[int, Field(ge=1, le=3)] = 3
    # Equal total scores: lower bid price first (87号令 Art. 65); then, if the tender says so, the higher
    # technical (non-price) score. Still equal: tied, and the report says so.
    tie_break: Literal["price", "price_then_technical"] = "price"
    # Art. 64 畸高/畸低: a subjective score further than this percent of the criterion's range from the
    # mean of the other experts' scores is flagged.
    abnormal_deviation_percent: PercentText = "30"

    @model_validator(mode="after")
    def _check(self) -> Evaluation:
        deviation = Decimal(self.abnormal_deviation_percent)
        if not Decimal(1) <= deviation <= Decimal(100):
            raise _rule("tender.abnormal_deviation", "evaluation.abnormal_deviation_percent must be 1–100")
        _unique("review item", [item.id for item in self.review_items])
        return self

    @model_serializer(mode="wrap")
    def _omit_unset(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        data: dict[str, Any] = handler(self)
        return {k: v for k, v in data.items() if v is not None}

    def committee_budget(self, lots: list[Lot]) -> Decimal | None:
        if self.budget is not None:
            return Decimal(self.budget)
        budgets = [Decimal(lot.budget) for lot in lots if lot.budget is not None]
        return sum(budgets, Decimal(0)) if budgets else None


class Document(_Strict):
    """A tender PDF: the bytes a bidder downloads must have exactly this size and SHA-256."""

    name: Annotated[str, Field(min_length=5, max_length=200)]
    size: Annotated[int, Field(gt=0, le=MAX_DOCUMENT_SIZE)]
    sha256: Sha256Hex

    @model_validator(mode="after")
    def _safe_name(self) -> Document:
        if not _DOCUMENT_NAME.match(self.name) or not self.name.lower().endswith(".pdf") \
                or self.name.strip() != self.name:
            raise _rule("tender.document_name", f"document name {self.name!r} must be a plain file name "
                        "ending in .pdf (no folders, no leading dot, no control or reserved characters)")
        return self


PemCertificate = Annotated[str, Field(min_length=64, max_length=16384,
                                      pattern=r"^-----BEGIN CERTIFICATE-----\r?\n[A-Za-z0-9+/=\r\n]+"
                                              r"-----END CERTIFICATE-----\r?\n?$")]


_B64 = r"^[A-Za-z0-9+/]+={0,2}$"


class CommitteeMemberEntry(_Strict):
    """Member ``number`` of the opening committee (format version 3)."""

    number: Annotated[int, Field(ge=1, le=10)]
    identity: Annotated[str, Field(min_length=1, max_length=300)]  # uscc:<code> or person:<name>
    signing_certificate: PemCertificate
    encryption_certificate: PemCertificate


class CommitteeAckEntry(_Strict):
    """Member ``member``'s detached CMS signature over its acknowledgment (docs/formats/committee-key.md §6),
    whose bytes anyone rebuilds from the commitments."""

    member: Annotated[int, Field(ge=1, le=10)]
    signature: Annotated[str, Field(min_length=16, max_length=65536, pattern=_B64)]


class TenderCommittee(_Strict):
    """The opening committee whose key bids are sealed to (format version 3; docs/formats/tender.md)."""

    id: Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,149}$")]
    threshold: Annotated[int, Field(ge=1, le=10)]
    members: Annotated[list[CommitteeMemberEntry], Field(min_length=1, max_length=10)]
    certificate: PemCertificate
    commitments: Annotated[list[Annotated[str, Field(min_length=16, max_length=65536, pattern=_B64)]],
                           Field(min_length=1, max_length=10)]
    commitments_sha256: Sha256Hex
    acks: Annotated[list[CommitteeAckEntry], Field(min_length=1, max_length=10)]

    @model_validator(mode="after")
    def _shape(self) -> TenderCommittee:
        n = len(self.members)
        if [m.number for m in self.members] != list(range(1, n + 1)):
            raise _rule("tender.committee_invalid", "committee.members must be numbered 1..n in order")
        if self.threshold > n:
            raise _rule("tender.committee_invalid", f"committee.threshold {self.threshold} is above the "
                        f"{n} members")
        if len(self.commitments) != n or [a.member for a in self.acks] != list(range(1, n + 1)):
            raise _rule("tender.committee_invalid", "committee.commitments and committee.acks hold one entry "
                        "per member, in member order")
        return self


class TenderOpening(_Strict):
    """How the opening (开标) runs (format version 3; docs/formats/tender.md "opening")."""

    decryption_window_minutes: Annotated[int, Field(ge=5, le=480)] = 30
    remedy: bool = False  # 补救方案: a bid its bidder could not decrypt may be opened by the committee
    # Further fields of the price schedule (开标一览表) to announce, beyond price, duration and quality.
    announce: Annotated[list[Identifier], Field(max_length=20)] = []


class TenderDefinition(_Strict):
    """The signed part of a tender package (one version)."""

    format: Literal["bidclient-tender/1", "bidclient-tender/2", "bidclient-tender/3"]
    tender_id: Annotated[str, Field(pattern=TENDER_ID_PATTERN)]
    version: Annotated[int, Field(ge=1, le=1000)]
    title: Text
    procurement_kind: ProcurementKind
    agency: Agency
    lots: Annotated[list[Lot], Field(min_length=1, max_length=200)]
    forms: Annotated[list[Form], Field(min_length=2, max_length=50)]
    scoring: Scoring
    bid_deadline: AwareDatetime
    opening_time: AwareDatetime
    opening_certificates: Annotated[list[PemCertificate], Field(min_length=1, max_length=10)]
    documents: Annotated[list[Document], Field(min_length=1, max_length=100)]
    previous_package_sha256: Sha256Hex | None = None
    changes: Annotated[list[LongText], Field(max_length=500)] = []
    committee: TenderCommittee | None = None  # format version 3
    opening: TenderOpening | None = None  # format version 3 (docs/formats/tender.md "opening")
    evaluation: Evaluation | None = None  # format version 3

    @model_validator(mode="after")
    def _rules(self) -> TenderDefinition:
        if self.evaluation is not None and self.format != FORMAT_V3:
            raise _rule("tender.format_version", f"evaluation needs format {FORMAT_V3!r}")
        _unique("lot", [lot.id for lot in self.lots])
        _unique("form", [form.id for form in self.forms])
        if self.format == FORMAT and any(f.announces is not None for form in self.forms for f in form.fields):
            raise _rule("tender.announced_item", f"fields[].announces needs format {FORMAT_V2!r}")
        if self.committee is not None and self.format != FORMAT_V3:
            raise _rule("tender.format_version", f"the committee object needs format {FORMAT_V3!r}")
        if self.opening is not None:
            if self.format != FORMAT_V3:
                raise _rule("tender.opening_invalid", f"an opening object needs format {FORMAT_V3!r}")
            schedule = next((f for f in self.forms if f.id == "price_schedule"), None)
            names = {field.name for field in schedule.fields} if schedule is not None else set()
            unknown = [n for n in self.opening.announce if n not in names]
            if unknown:
                raise _rule("tender.opening_invalid", f"opening.announce names fields the price schedule "
                            f"(开标一览表) does not have: {', '.join(unknown)}")
        _unique("criterion", [c.id for c in self.scoring.criteria])
        if len({d.name.lower() for d in self.documents}) != len(self.documents):
            raise _rule("tender.duplicate_id", "document names must be unique (ignoring case)")
        missing = [f"{fid} ({name})" for fid, name in REQUIRED_FORMS.items()
                   if fid not in {form.id for form in self.forms}]
        if missing:
            raise _rule("tender.required_form_missing", f"the forms must include {', '.join(missing)}")
        lot_ids = {lot.id for lot in self.lots}
        for criterion in self.scoring.criteria:
            if criterion.lot is not None and criterion.lot not in lot_ids:
                raise _rule("tender.unknown_lot", f"criterion {criterion.id} names unknown lot {criterion.lot}")
        self._check_scoring()
        self._check_evaluation(lot_ids)
        if self.opening_time < self.bid_deadline:
            raise _rule("tender.opening_before_deadline", "the opening time must not be before the bid deadline")
        if self.version == 1:
            if self.previous_package_sha256 is not None or self.changes:
                raise _rule("tender.version_chain", "version 1 has no previous package and no changes")
        elif self.previous_package_sha256 is None or not self.changes:
            raise _rule("tender.version_chain", f"version {self.version} must name the previous version's "
                        "package_sha256 and list its changes (答疑)")
        return self

    def _check_scoring(self) -> None:
        criteria = self.scoring.criteria
        if self.scoring.method == "lowest_evaluated_price":
            if criteria:
                raise _rule("tender.criteria_not_allowed", "经评审的最低投标价法 ranks by evaluated price: "
                            "it has no weighted scoring criteria")
            return
        if not criteria:
            raise _rule("tender.weights_sum", "综合评估法 needs scoring criteria whose weights sum to 100")
        # Weights per lot: criteria without a lot apply to every lot.
        for lot in self.lots:
            applicable = [c for c in criteria if c.lot in (None, lot.id)]
            total = sum((_decimal(c.weight) for c in applicable), Decimal(0))
            if total != 100:
                raise _rule("tender.weights_sum", f"the criteria weights of lot {lot.id} sum to {total}, not 100")
            prices = [c for c in applicable if c.price]
            if len(prices) != 1:
                raise _rule("tender.price_criterion", f"lot {lot.id} needs exactly one price criterion "
                            f"(found {len(prices)})")
            minimum = PRICE_WEIGHT_MINIMUM.get(self.procurement_kind)
            if minimum is not None and _decimal(prices[0].weight) < minimum:
                raise _rule(f"tender.price_weight_{self.procurement_kind}",
                            f"the price weight of lot {lot.id} is {_decimal(prices[0].weight)}%; 87号令 Art. 55 "
                            f"requires at least {minimum}% for {self.procurement_kind}")

    def _check_evaluation(self, lot_ids: set[str]) -> None:
        if self.evaluation is None:
            return
        if self.format != FORMAT_V3:
            raise _rule("tender.format_version", f"the evaluation object needs format {FORMAT_V3!r}")
        for item in self.evaluation.review_items:
            if item.lot is not None and item.lot not in lot_ids:
                raise _rule("tender.unknown_lot", f"review item {item.id} names unknown lot {item.lot}")
        if self.evaluation.sme_price_deduction is not None:
            low, high = SME_DEDUCTION_RANGE[self.procurement_kind]
            if not low <= Decimal(self.evaluation.sme_price_deduction) <= high:
                raise _rule("tender.sme_deduction", f"the small/micro enterprise price deduction for "
                            f"{self.procurement_kind} is {low}–{high}% (财库〔2022〕19号 Art. 9), not "
                            f"{self.evaluation.sme_price_deduction}%")

    @model_serializer(mode="wrap")
    def _omit_absent_v3(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        # Absent, not null, when unused: version-1 and -2 definitions keep exactly their canonical bytes.
        data: dict[str, Any] = handler(self)
        for key in V3_OBJECTS:
            if key in data and data[key] is None:
                del data[key]
        return data

    def to_bytes(self) -> bytes:
        """The canonical JSON bytes that the agency signs (package_sha256 is their SHA-256)."""
        return canonical_json(self.model_dump(mode="json"))


def _decimal(value: float) -> Decimal:
    return Decimal(repr(value))


def _unique(what: str, ids: list[str]) -> None:
    if len(set(ids)) != len(ids):
        raise _rule("tender.duplicate_id", f"{what} ids must be unique")


def _no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    seen: dict[str, Any] = {}
    for key, value in pairs:
        if key in seen:
            raise DefinitionError("tender.definition_invalid", f"the key {key!r} appears twice in one object")
        seen[key] = value
    return seen


def package_sha256(definition_bytes: bytes) -> str:
    return hashlib.sha256(definition_bytes).hexdigest()


def parse_definition(data: bytes, *, require_canonical: bool = True) -> TenderDefinition:
    """Parse and check definition bytes; DefinitionError with the rule's code otherwise.

    With ``require_canonical`` the bytes must be exactly the canonical JSON of what they contain, so the
    signed bytes and their meaning cannot drift apart (no duplicate keys, no alternative spellings).
    """
    if len(data) > MAX_DEFINITION_SIZE:
        raise DefinitionError("tender.definition_too_large",
                              f"the definition is larger than {MAX_DEFINITION_SIZE} bytes")
    try:
        parsed = json.loads(data.decode("utf-8"), object_pairs_hook=_no_duplicate_keys)
    except DefinitionError:
        raise
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise DefinitionError("tender.definition_invalid", "the definition is not UTF-8 JSON") from None
    if not isinstance(parsed, dict):
        raise DefinitionError("tender.definition_invalid", "the definition is not a JSON object")
    if require_canonical and canonical_json(parsed) != data:
        raise DefinitionError("tender.definition_not_canonical", "the definition bytes are not canonical JSON "
                              "(sorted keys, no whitespace, UTF-8): sign TenderDefinition.to_bytes()")
    try:
        return TenderDefinition.model_validate_json(data)
    except ValidationError as ex:
        raise definition_error(ex) from None


def definition_error(ex: ValidationError) -> DefinitionError:
    """The first broken rule's code (else tender.definition_invalid) and every problem in the message."""
    errors = ex.errors(include_url=False, include_input=False)
    code = next((str(e["type"]) for e in errors if str(e["type"]).startswith("tender.")),
                "tender.definition_invalid")
    message = "; ".join(f"{'.'.join(str(p) for p in e['loc']) or 'definition'}: {e['msg']}" for e in errors[:20])
    return DefinitionError(code, message)


# --- API shapes -------------------------------------------------------------------------------------


class DocumentUploadOut(BaseModel):
    sha256: str
    size: int


class PublishIn(BaseModel):
    """A new tender (version 1) or a clarification (version > 1): the signed bytes and their signature."""

    definition: str = Field(min_length=2, max_length=(MAX_DEFINITION_SIZE * 4) // 3 + 8,
                            description="base64 of the exact canonical JSON bytes of the TenderDefinition")
    signature: str = Field(min_length=16, max_length=(MAX_SIGNATURE_SIZE * 4) // 3 + 8,
                           description="base64 DER detached CMS signature over those bytes by the agency")


class TenderVersionSummary(BaseModel):
    version: int
    package_sha256: str
    bid_deadline: datetime
    opening_time: datetime
    published_at: datetime


class TenderSummary(BaseModel):
    tender_id: str
    title: str
    procurement_kind: str
    agency_name: str | None
    agency_uscc: str | None
    current_version: int
    package_sha256: str
    bid_deadline: datetime
    opening_time: datetime
    published_at: datetime


class TenderOut(TenderSummary):
    versions: list[TenderVersionSummary]


class TenderListOut(BaseModel):
    tenders: list[TenderSummary]
    server_time: datetime


class ServerClockOut(BaseModel):
    """Whether the server's operating system reports its clock synchronised (None: it cannot tell)."""

    synchronised: bool | None
    source: str
    detail: str


class TenderVersionOut(BaseModel):
    tender_id: str
    version: int
    current_version: int
    package_sha256: str
    definition: str = Field(description="base64 of the signed definition bytes")
    signature: str = Field(description="base64 DER detached CMS signature by the agency")
    published_at: datetime
    server_clock: ServerClockOut | None = Field(
        default=None, description="in the answer to publishing: the state of the clock the deadline is judged by")
