"""A bid in preparation (Qt-free): the tender it answers, the forms, the attached PDFs, the criterion links.

A project is a local draft folder that survives a restart::

    DRAFT/project.json            what the bidder typed and linked (format bidclient-bid-project/1)
    DRAFT/tender-v2/              the fetched tender folder it answers (verified again on every open)
    DRAFT/attachments/SECTION/    the PDFs attached into the bid's sections (copies, never links)
    DRAFT/assembled/              the last bid folder assembled for sealing (signed form PDFs + copies)
    DRAFT/sealed/                 sealed bids, their upload state, receipts and signed statements
    DRAFT/preview/forms/          the forms drawn as they will be signed, for previewing (never signed)
    DRAFT/preview/book/           the whole bid bound as it will be sealed (投标文件（预览）.pdf, never signed)

The tender format has no notion of sections, so a bid has four fixed ones (``SECTIONS``). Every
scoring criterion (评分点) is linked to a file of the bid and a page; ``coverage`` says which are not,
and ``preseal_warnings`` lists what the bidder must see before sealing. After a clarification (答疑)
``update_tender`` says what changed and marks the links that need the bidder's attention again.
``assemble`` renders and signs the forms with the dongle and lays out the folder that
``bidclient.sealing.seal`` packs; ``seal_project`` does both with one key session (one PIN entry).
"""

from __future__ import annotations

import contextlib
import dataclasses
import enum
import hashlib
import io
import json
import re
import shutil
import tempfile
import time
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from cryptography import x509

from bidclient.atomic import write_atomically
from bidclient.bidpackage.manifest import Link
from bidclient.errors import BidclientError
from bidclient.interaction import Prompter
from bidclient.jobs import Cancel, Progress
from bidclient.protocol.tender import Criterion, TenderDefinition
from bidclient.sealing import SealResult, TenderTarget, seal
from bidclient.signing import detached_signer, open_key
from bidclient.tender_package import TenderPackage, verify_folder
from crypto import trust
from crypto.identity import readable_name
from crypto.key_access import KeySession
from crypto.keys import Signer
from crypto.timestamp import Timestamper
from forms.model import (
    BID_LETTER_FORM,
    PRICE_LINE_COLUMNS,
    PRICE_SCHEDULE_FORM,
    WORDS_SUFFIX,
    BidLetter,
    FormDef,
    Issue,
    PriceLine,
    PriceSchedule,
    announced_item,
)

FORMAT = "bidclient-bid-project/1"
PROJECT_FILE = "project.json"
ATTACHMENTS_DIR = "attachments"
ASSEMBLED_DIR = "assembled"
SEALED_DIR = "sealed"
PREVIEW_DIR = "preview"
MAX_PROJECT_FILE = 8 << 20
MAX_ATTACHMENT = 512 << 20
# Where the bid's documents go. The tender format defines no sections; these are the ones every
# Chinese bid has (资格证明文件, 商务文件, 技术文件) and a catch-all.
SECTIONS = ("qualification", "commercial", "technical", "other")
SECTION_NAMES_ZH = {"qualification": "资格证明文件", "commercial": "商务文件", "technical": "技术文件",
                    "other": "其他材料"}
FORMS_DIR = "forms"
FORM_FILES = {"bid_letter": f"{FORMS_DIR}/bid_letter.pdf", "price_schedule": f"{FORMS_DIR}/price_schedule.pdf"}
PREVIEW_NAMES = {"bid_letter": "投标函（预览）", "price_schedule": "开标一览表（预览）"}
FORM_TITLES = {"bid_letter": "投标函", "price_schedule": "开标一览表"}
# The whole bid bound as one PDF (contents, page seals, riding seal, PAdES): forms.bid_book.
BOOK_FILE = "投标文件.pdf"
BOOK_PREVIEW_NAME = "投标文件（预览）.pdf"
PDF_MAGIC = b"%PDF-"
_NAME_FORBIDDEN = re.compile(r"[/\\\x00-\x1f\x7f:*?\"<>|]")



class BidProjectError(BidclientError):
    code = "bid.project_invalid"


# --- the parts of a project ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Attachment:
    """A PDF copied into the draft, in one of ``SECTIONS``."""

    section: str
    name: str
    pages: int
    sha256: str
    size: int

    @property
    def path(self) -> str:
        """Its path in the bid folder and in the package (and in the draft, under attachments/)."""
        return f"{self.section}/{self.name}"


@dataclass(frozen=True)
class CriterionLink:
    """A scoring criterion answered by a page of a bid file. ``needs_relink`` is set when a
    clarification changed the criterion: the bidder must confirm or move the link."""

    criterion: str
    file: str
    page: int | None = None
    needs_relink: bool = False


class CoverageState(enum.StrEnum):
    """How a scoring criterion is covered by the bid."""

    LINKED = "linked"
    AUTOMATIC = "automatic"  # the price criterion → the price schedule
    UNLINKED = "unlinked"
    RELINK = "relink"  # linked, but the criterion changed in a newer tender version


@dataclass(frozen=True)
class CoverageItem:
    criterion: Criterion
    link: CriterionLink | None
    state: CoverageState

    @property
    def covered(self) -> bool:
        return self.state in (CoverageState.LINKED, CoverageState.AUTOMATIC)


@dataclass(frozen=True)
class Coverage:
    items: tuple[CoverageItem, ...]

    @property
    def unlinked(self) -> list[CoverageItem]:
        return [i for i in self.items if not i.covered]

    @property
    def complete(self) -> bool:
        return not self.unlinked

    @property
    def ratio(self) -> tuple[int, int]:
        return sum(1 for i in self.items if i.covered), len(self.items)


@dataclass(frozen=True)
class SealWarning:
    """Something the bidder must see before sealing. ``code`` is stable (the UI words it);
    ``message`` is English for logs; ``params`` hold what the message quotes."""

    code: str
    message: str
    params: Mapping[str, str] = field(default_factory=dict)
    blocking: bool = False  # sealing would be pointless (deadline passed, forms invalid)


@dataclass(frozen=True)
class TenderChanges:
    """What a newer tender version changed for this bid."""

    old_version: int
    new_version: int
    criteria_added: tuple[str, ...] = ()
    criteria_removed: tuple[str, ...] = ()
    criteria_changed: tuple[str, ...] = ()
    forms_changed: tuple[str, ...] = ()
    documents_changed: tuple[str, ...] = ()
    deadline_changed: bool = False
    opening_changed: bool = False
    notes: tuple[str, ...] = ()  # the agency's own list of changes (答疑内容), plain text
    values_dropped: tuple[str, ...] = ()  # "form.field" values of fields the new version no longer has

    @property
    def empty(self) -> bool:
        return not (self.criteria_added or self.criteria_removed or self.criteria_changed or self.forms_changed
                    or self.documents_changed or self.deadline_changed or self.opening_changed)

    def to_json(self) -> dict[str, Any]:
        return {k: (list(v) if isinstance(v, tuple) else v) for k, v in dataclasses.asdict(self).items()}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> TenderChanges:
        names = {f.name for f in dataclasses.fields(cls)}
        values: dict[str, Any] = {k: (tuple(str(x) for x in v) if isinstance(v, list) else v)
                                  for k, v in data.items() if k in names}
        return cls(**values)


@dataclass(frozen=True)
class SealedBid:
    """The sealed bid kept in DRAFT/sealed/, for submitting (and resuming) after a restart."""

    file: str  # name under sealed/
    tender_version: int
    envelope_sha256: str
    size: int
    sealed_at: str
    statement_signature: str | None = None  # name under sealed/ of the pre-signed submission statement
    statement_bidder: str | None = None


# --- forms as the tender defines them -----------------------------------------------------------------


def merged_form(standard: FormDef, tender_form: Mapping[str, Any] | None) -> FormDef:
    """The standard form's fields (which the renderer prints in its wording) followed by the tender's
    own extra fields. A tender field that names a standard field, or states an announced item the
    standard form has (投标总价 → the price, 交货期 → the duration; ``forms.model.announced_item``), is that
    standard field — typed once, required if either says so; see ``form_aliases``."""
    if tender_form is None:
        return standard
    theirs = FormDef.from_mapping(tender_form)
    aliases = form_aliases(standard, tender_form)
    required: dict[str, bool] = {}
    for f in theirs.fields:
        target = aliases.get(f.name, f.name)
        required[target] = required.get(target, False) or f.required
    fields = [dataclasses.replace(f, required=f.required or required.get(f.name, False)) for f in standard.fields]
    fields += [f for f in theirs.fields if standard.field(f.name) is None and f.name not in aliases]
    return FormDef(standard.id, theirs.name or standard.name, tuple(fields))


def form_aliases(standard: FormDef, tender_form: Mapping[str, Any] | None) -> dict[str, str]:
    """The tender's own names for standard fields: {tender field: standard field}. A field stating an
    announced item maps to the standard field stating it (and ``X_words`` of a price field to the
    standard amount's words), so the bidder types it once and the manifest has it under both names."""
    if tender_form is None:
        return {}
    theirs = FormDef.from_mapping(tender_form)
    by_item = {announced_item(f): f for f in standard.fields if announced_item(f) is not None}
    aliases: dict[str, str] = {}
    for f in theirs.fields:
        item = announced_item(f)
        if standard.field(f.name) is not None or item is None or item not in by_item:
            continue
        if by_item[item].name in aliases.values():
            continue  # a second field for the same item stays a field of its own
        aliases[f.name] = by_item[item].name
        words = theirs.field(f.name + WORDS_SUFFIX)
        standard_words = standard.field(by_item[item].name + WORDS_SUFFIX)
        if item == "price" and words is not None and standard_words is not None \
                and standard.field(words.name) is None:
            aliases[words.name] = standard_words.name
    return aliases


def _fold(values: Mapping[str, str], aliases: Mapping[str, str]) -> dict[str, str]:
    """Values typed under a tender's own name for a standard field (an older draft, a script) count
    for the standard field when that is empty."""
    out = {k: v for k, v in values.items() if k not in aliases}
    for alias, standard in aliases.items():
        if values.get(alias, "").strip() and not out.get(standard, "").strip():
            out[standard] = values[alias]
    return out


def _tender_form(definition: TenderDefinition, form_id: str) -> dict[str, Any] | None:
    for form in definition.forms:
        if form.id == form_id:
            return form.model_dump(mode="json")
    return None


def diff_tenders(old: TenderDefinition, new: TenderDefinition) -> TenderChanges:
    """Criteria added, removed or changed (anything but their order), forms and documents changed."""
    before = {c.id: c for c in old.scoring.criteria}
    after = {c.id: c for c in new.scoring.criteria}
    forms_before = {f.id: f.model_dump(mode="json") for f in old.forms}
    forms_after = {f.id: f.model_dump(mode="json") for f in new.forms}
    docs_before = {d.name: d.sha256 for d in old.documents}
    docs_after = {d.name: d.sha256 for d in new.documents}
    return TenderChanges(
        old_version=old.version, new_version=new.version,
        criteria_added=tuple(k for k in after if k not in before),
        criteria_removed=tuple(k for k in before if k not in after),
        criteria_changed=tuple(k for k in after if k in before and after[k] != before[k]),
        forms_changed=tuple(sorted(k for k in forms_before.keys() | forms_after.keys()
                                   if forms_before.get(k) != forms_after.get(k))),
        documents_changed=tuple(sorted(k for k in docs_before.keys() | docs_after.keys()
                                       if docs_before.get(k) != docs_after.get(k))),
        deadline_changed=old.bid_deadline != new.bid_deadline,
        opening_changed=old.opening_time != new.opening_time,
        notes=tuple(new.changes) if new.version > old.version else ())


# --- the project ----------------------------------------------------------------------------------


class BidProject:
    """One bid in preparation, kept in ``directory``. Mutators change memory; ``save()`` writes."""

    def __init__(self, directory: Path, tender: TenderPackage) -> None:
        self.directory = directory
        self.tender = tender
        self.bid_letter: dict[str, str] = {}
        self.price_schedule: dict[str, str] = {}
        self.price_lines: list[PriceLine] = []
        self.other_forms: dict[str, dict[str, str]] = {}
        self.attachments: list[Attachment] = []
        self.links: dict[str, CriterionLink] = {}
        self.changes: TenderChanges | None = None  # the last clarification's changes, until acknowledged
        self.sealed: SealedBid | None = None
        self._previews: dict[str, tuple[str, Path, int]] = {}  # form id → (what was drawn, file, pages)

    # --- the tender ---

    @property
    def definition(self) -> TenderDefinition:
        return self.tender.definition

    @property
    def tender_folder(self) -> Path:
        assert self.tender.directory is not None
        return self.tender.directory

    def criteria(self) -> list[Criterion]:
        return list(self.definition.scoring.criteria)

    def criterion(self, criterion_id: str) -> Criterion:
        for c in self.definition.scoring.criteria:
            if c.id == criterion_id:
                return c
        raise BidProjectError(f"the tender has no scoring criterion {criterion_id!r}", code="bid.unknown_criterion")

    def bid_letter_form(self) -> FormDef:
        return merged_form(BID_LETTER_FORM, _tender_form(self.definition, "bid_letter"))

    def price_schedule_form(self) -> FormDef:
        return merged_form(PRICE_SCHEDULE_FORM, _tender_form(self.definition, "price_schedule"))

    def carried_fields(self, form: FormDef | None = None) -> dict[str, str]:
        """{field: bid letter field} for what ``form`` (default: the price schedule; or another form of
        the tender) repeats from the bid letter: the announced items (the total is the letter's amount,
        in figures and words; the duration; the quality) and every field both have (bidder, tender,
        representative, date). Those are typed in the bid letter only; the other forms show them
        (``schedule_values``, ``other_values``)."""
        letter = self.bid_letter_form()
        form = form if form is not None else self.price_schedule_form()
        carried: dict[str, str] = {}
        for f in form.fields:
            item = announced_item(f)
            source = next((g for g in letter.fields if item is not None and announced_item(g) == item), None)
            if source is None and letter.field(f.name) is not None:
                source = letter.field(f.name)
            if source is None or source.type != f.type:
                continue
            carried[f.name] = source.name
            words, source_words = f.name + WORDS_SUFFIX, source.name + WORDS_SUFFIX
            if item == "price" and form.field(words) is not None and letter.field(source_words) is not None:
                carried[words] = source_words
        return carried

    def other_values(self, form: FormDef) -> dict[str, str]:
        """Another form's values: what was typed in it, and what it carries from the bid letter."""
        return self._carry(dict(self.other_forms.get(form.id, {})), self.carried_fields(form))

    def _carry(self, values: dict[str, str], carried: Mapping[str, str]) -> dict[str, str]:
        letter = self.letter_values()
        for name, source in carried.items():
            if letter.get(source, "").strip():
                values[name] = letter[source]
            else:
                values.pop(name, None)
        return values

    def normalize_values(self) -> None:
        """Keep values typed under a tender's own name for a standard field under the standard name."""
        self.bid_letter = self.letter_values()
        self.price_schedule = _fold(self.price_schedule, form_aliases(
            PRICE_SCHEDULE_FORM, _tender_form(self.definition, "price_schedule")))

    def letter_values(self) -> dict[str, str]:
        """The bid letter's values by the merged form's field names."""
        return _fold(self.bid_letter, form_aliases(BID_LETTER_FORM, _tender_form(self.definition, "bid_letter")))

    def schedule_values(self) -> dict[str, str]:
        """The price schedule's values: what was typed in it, and what it carries from the bid letter."""
        values = _fold(self.price_schedule,
                       form_aliases(PRICE_SCHEDULE_FORM, _tender_form(self.definition, "price_schedule")))
        return self._carry(values, self.carried_fields())

    def other_form_defs(self) -> list[FormDef]:
        """The tender's forms beyond the bid letter and the price schedule (filled as plain fields)."""
        return [FormDef.from_mapping(f.model_dump(mode="json")) for f in self.definition.forms
                if f.id not in FORM_FILES]

    def prefill(self, *, bidder_name: str = "", today: date | None = None) -> None:
        """Fill what the tender and the signed-in identity already say (only empty fields)."""
        d = self.definition
        lot = d.lots[0].name if len(d.lots) == 1 else ""
        common = {"tender_title": d.title, "tender_id": d.tender_id, "bidder_name": bidder_name,
                  "lot_name": lot, "date": (today or date.today()).isoformat()}
        carried = self.carried_fields()
        for values, form in ((self.bid_letter, self.bid_letter_form()),
                             (self.price_schedule, self.price_schedule_form())):
            for name, value in {**common, "tenderer": d.agency.name}.items():
                if values is self.price_schedule and name in carried:
                    continue
                if form.field(name) is not None and value and not values.get(name):
                    values[name] = value

    # --- forms ---

    def schedule(self) -> PriceSchedule:
        return PriceSchedule(self.schedule_values(), list(self.price_lines), self.price_schedule_form())

    def letter(self) -> BidLetter:
        return BidLetter(self.letter_values(), self.bid_letter_form())

    def form_issues(self) -> dict[str, list[Issue]]:
        """Problems per form ("bid_letter", "price_schedule", other form ids) and "cross" (letter vs schedule)."""
        from forms.validation import cross_check, validate_bid_letter, validate_form, validate_price_schedule

        letter = self.letter()
        schedule = self.schedule()
        letter_issues = validate_bid_letter(letter)
        in_letter = {(i.code, i.field) for i in letter_issues}

        def once(found: list[Issue], carried: Mapping[str, str]) -> list[Issue]:
            # A field repeated from the letter has the letter's problem once, not twice.
            return [i for i in found if i.field not in carried or (i.code, carried[i.field]) not in in_letter]

        issues = {"bid_letter": letter_issues,
                  "price_schedule": once(validate_price_schedule(schedule), self.carried_fields()),
                  "cross": cross_check(letter, schedule)}
        for form in self.other_form_defs():
            issues[form.id] = once(validate_form(form, self.other_values(form)), self.carried_fields(form))
        return issues

    def forms_data(self) -> dict[str, Any]:
        """The form values as they go into the manifest (the opening reads the price from here)."""
        letter, schedule = self.letter_values(), self.schedule_values()
        # Under the tender's own names too (投标总价 = the amount typed once), for whoever reads them.
        for values, form_id in ((letter, "bid_letter"), (schedule, "price_schedule")):
            standard = BID_LETTER_FORM if form_id == "bid_letter" else PRICE_SCHEDULE_FORM
            for alias, name in form_aliases(standard, _tender_form(self.definition, form_id)).items():
                if values.get(name, "").strip():
                    values[alias] = values[name]
        data: dict[str, Any] = {
            "bid_letter": letter,
            "price_schedule": {"values": schedule,
                               "lines": [dataclasses.asdict(line) for line in self.price_lines]},
        }
        defined = {form.id: form for form in self.other_form_defs()}
        for form_id, values in self.other_forms.items():
            data[form_id] = self.other_values(defined[form_id]) if form_id in defined else dict(values)
        for form_id, form in defined.items():
            data.setdefault(form_id, self.other_values(form))
        return data

    def render_preview(self, form_id: str) -> tuple[Path, int]:
        """Draw the bid letter or price schedule as it will be signed, with the seal's place outlined,
        into DRAFT/preview/forms/ (a new file each time, the older ones removed); returns the file and its
        page count. Problems in the forms do not stop a preview (it prints what is typed); sealing refuses
        them."""
        from forms.bid_letter import render_bid_letter
        from forms.errors import RenderError
        from forms.price_schedule import render_price_schedule

        if form_id not in FORM_FILES:
            raise BidProjectError(f"{form_id!r} is not a form with a preview", code="bid.link_invalid")
        form = self.letter() if form_id == "bid_letter" else self.schedule()
        key = hashlib.sha256(repr(form).encode("utf-8")).hexdigest()
        drawn = self._previews.get(form_id)
        if drawn is not None and drawn[0] == key and drawn[1].is_file():
            return drawn[1], drawn[2]  # nothing changed since: the same file (a viewer keeps its place)
        folder = self.directory / PREVIEW_DIR / FORMS_DIR / form_id
        # A new folder each time: a viewer may still hold the previous file open (Windows cannot replace
        # it). The file is named as the clerk knows the form, since the viewer shows its name.
        for old in folder.glob("*/*.pdf"):
            with contextlib.suppress(OSError):
                old.unlink()
                old.parent.rmdir()
        target = folder / str(time.time_ns()) / f"{PREVIEW_NAMES[form_id]}.pdf"
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            if isinstance(form, BidLetter):
                rendered = render_bid_letter(form, target, preview=True)
            else:
                rendered = render_price_schedule(form, target, preview=True)
        except RenderError as ex:
            raise BidProjectError(f"the {form_id} preview could not be drawn: {ex}",
                                  code="bid.preview_failed") from ex
        self._previews[form_id] = (key, target, rendered.pages)
        return target, rendered.pages

    # --- attachments ---

    def attach(self, section: str, source: Path, *, name: str | None = None) -> Attachment:
        """Copy the PDF at ``source`` into ``section`` (refused unless it is a readable PDF)."""
        if section not in SECTIONS:
            raise BidProjectError(f"unknown section {section!r}; one of {', '.join(SECTIONS)}",
                                  code="bid.unknown_section")
        name = unicodedata.normalize("NFC", name or source.name)
        if not name.lower().endswith(".pdf") or _NAME_FORBIDDEN.search(name) or name.startswith(".") \
                or len(name.encode("utf-8")) > 200:
            raise BidProjectError(f"{name!r} cannot be attached: use a plain file name ending in .pdf",
                                  code="bid.attachment_invalid")
        path = f"{section}/{name}"
        if any(a.path.casefold() == path.casefold() for a in self.attachments):
            raise BidProjectError(f"{path} is already attached; remove it first or rename the file",
                                  code="bid.attachment_exists")
        pages, digest, size = inspect_pdf(source)
        target = self.directory / ATTACHMENTS_DIR / section / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)
        attachment = Attachment(section, name, pages, digest, size)
        self.attachments.append(attachment)
        return attachment

    def remove_attachment(self, path: str) -> list[str]:
        """Remove an attachment; returns the criteria whose link pointed at it (now unlinked)."""
        found = next((a for a in self.attachments if a.path == path), None)
        if found is None:
            raise BidProjectError(f"{path} is not attached", code="bid.attachment_missing")
        self.attachments.remove(found)
        (self.directory / ATTACHMENTS_DIR / found.section / found.name).unlink(missing_ok=True)
        orphaned = [k for k, link in self.links.items() if link.file == path]
        for k in orphaned:
            del self.links[k]
        return orphaned

    def move_attachment(self, path: str, offset: int) -> int:
        """Move an attachment ``offset`` places up (negative) or down within its section, as it will be
        bound into the bid (the contents and the assembled 投标文件.pdf follow this order); returns its new
        place in the section (0-based). Moving past either end of the section keeps it there."""
        found = next((a for a in self.attachments if a.path == path), None)
        if found is None:
            raise BidProjectError(f"{path} is not attached", code="bid.attachment_missing")
        siblings = [a for a in self.attachments if a.section == found.section]
        place = max(0, min(len(siblings) - 1, siblings.index(found) + offset))
        siblings.remove(found)
        siblings.insert(place, found)
        ordered = iter(siblings)
        self.attachments = [next(ordered) if a.section == found.section else a for a in self.attachments]
        return place

    def book_parts(self, forms: Mapping[str, Path]) -> list[Any]:
        """What the bid book binds, in order: the forms (``forms``: form id → its PDF) at the head of
        商务文件, then every attachment in its section, in the bidder's order."""
        from forms.bid_book import BookPart

        parts = [BookPart(SECTION_NAMES_ZH["commercial"], FORM_TITLES[form_id], FORM_FILES[form_id], path)
                 for form_id, path in forms.items()]
        for a in self.attachments:
            title = a.name[:-4] if a.name.lower().endswith(".pdf") else a.name
            parts.append(BookPart(SECTION_NAMES_ZH[a.section], title, a.path,
                                  self.directory / ATTACHMENTS_DIR / a.section / a.name))
        return parts

    def seal_marks(self, enterprise: str | None = None) -> Any:
        """The seals of the bid book: the enterprise named in the bid letter (or ``enterprise``), the legal
        representative's seal with the name typed in the bid letter."""
        from forms.bid_book import SealMarks

        letter = self.letter_values()
        name = (enterprise or letter.get("bidder_name", "")).strip()
        return SealMarks(enterprise=name, legal_representative=letter.get("legal_representative", "").strip())

    def bind_book(self, path: Path, *, preview: bool, enterprise: str | None = None) -> Any:
        """Draw the forms and bind the whole bid (forms.bid_book) into ``path``; returns the BidBook."""
        from forms.bid_book import build_book
        from forms.bid_letter import render_bid_letter
        from forms.errors import PdfMalformed, RenderError
        from forms.price_schedule import render_price_schedule

        with tempfile.TemporaryDirectory(prefix="bidclient-book-") as scratch:
            try:
                letter = render_bid_letter(self.letter(), Path(scratch) / "bid_letter.pdf")
                schedule = render_price_schedule(self.schedule(), Path(scratch) / "price_schedule.pdf")
                d = self.definition
                return build_book(self.book_parts({"bid_letter": letter.path, "price_schedule": schedule.path}),
                                  path, title=f"{d.title}（{d.tender_id}）",
                                  bidder=self.letter_values().get("bidder_name", ""),
                                  marks=self.seal_marks(enterprise),
                                  company_seal=(FORM_FILES["bid_letter"], letter.seal_page, letter.seal_box),
                                  preview=preview)
            except (PdfMalformed, RenderError) as ex:
                raise BidProjectError(f"the bid could not be bound into one PDF: {ex}", code="bid.book_failed") \
                    from ex

    def render_book_preview(self, *, enterprise: str | None = None) -> Any:
        """The whole bid as it will be sealed — contents, every page with its page seal and 骑缝章 slice,
        the enterprise and legal representative's seals in place — into DRAFT/preview/book/ (a new file
        each time, older ones removed); returns the BidBook. Never signed; problems in the forms do not
        stop a preview. ``enterprise``: the name the seals will carry (the certificate's organisation),
        when known; else the bidder named in the bid letter. Raises BidProjectError ``bid.book_failed``
        naming a document that cannot be bound."""
        folder = self.directory / PREVIEW_DIR / "book"
        for old in folder.glob("*/*.pdf"):
            with contextlib.suppress(OSError):
                old.unlink()
                old.parent.rmdir()
        target = folder / str(time.time_ns()) / BOOK_PREVIEW_NAME
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            return self.bind_book(target, preview=True, enterprise=enterprise)
        except BidProjectError:
            with contextlib.suppress(OSError):
                target.parent.rmdir()
            raise

    def files(self) -> dict[str, int | None]:
        """Every file a criterion may link to, with its page count (None: known after rendering)."""
        listed: dict[str, int | None] = {path: None for path in FORM_FILES.values()}
        listed.update({a.path: a.pages for a in self.attachments})
        return listed

    # --- links ---

    def link(self, criterion_id: str, file: str, page: int | None = None) -> CriterionLink:
        self.criterion(criterion_id)
        files = self.files()
        if file not in files:
            raise BidProjectError(f"{file} is not a file of this bid", code="bid.link_invalid")
        pages = files[file]
        if page is not None and (page < 1 or (pages is not None and page > pages)):
            raise BidProjectError(f"{file} has no page {page} (it has {pages})", code="bid.link_invalid")
        link = CriterionLink(criterion_id, file, page)
        self.links[criterion_id] = link
        return link

    def unlink(self, criterion_id: str) -> None:
        self.links.pop(criterion_id, None)

    def confirm_link(self, criterion_id: str) -> None:
        """Keep a link a clarification put in doubt, as it is."""
        link = self.links.get(criterion_id)
        if link is not None:
            self.links[criterion_id] = dataclasses.replace(link, needs_relink=False)

    def coverage(self) -> Coverage:
        items = []
        for c in self.criteria():
            link = self.links.get(c.id)
            if link is not None:
                state = CoverageState.RELINK if link.needs_relink else CoverageState.LINKED
            elif c.price:  # scored by formula from the 开标一览表: it answers the criterion
                link, state = CriterionLink(c.id, FORM_FILES["price_schedule"], 1), CoverageState.AUTOMATIC
            else:
                state = CoverageState.UNLINKED
            items.append(CoverageItem(c, link, state))
        return Coverage(tuple(items))

    def manifest_links(self) -> list[Link]:
        return [Link(criterion=i.criterion.id, file=i.link.file, page=i.link.page)
                for i in self.coverage().items if i.link is not None and i.covered]

    # --- clarifications ---

    def update_tender(self, folder: Path, *, trust_list: trust.TrustList | None = None) -> TenderChanges:
        """Answer a newer version of the same tender (a clarification): verify it, compute what changed,
        drop links to removed criteria, mark links to changed criteria for re-linking, drop values of
        fields that no longer exist, and forget a bid sealed against the old version."""
        new = verify_folder(folder, trust_list=trust_list)
        old = self.definition
        if new.definition.tender_id != old.tender_id:
            raise BidProjectError(f"{folder} holds tender {new.definition.tender_id}, not {old.tender_id}",
                                  code="bid.wrong_tender")
        if new.definition.version < old.version:
            raise BidProjectError(f"{folder} holds version {new.definition.version}, older than version "
                                  f"{old.version} this bid answers", code="bid.older_tender")
        changes = diff_tenders(old, new.definition)
        self.tender = new
        for k in changes.criteria_removed:
            self.links.pop(k, None)
        for k in changes.criteria_changed:
            if k in self.links:
                self.links[k] = dataclasses.replace(self.links[k], needs_relink=True)
        self.normalize_values()
        dropped = []
        for form_id, values, form in (("bid_letter", self.bid_letter, self.bid_letter_form()),
                                      ("price_schedule", self.price_schedule, self.price_schedule_form())):
            for name in [n for n in values if form.field(n) is None]:
                dropped.append(f"{form_id}.{name}")
                del values[name]
        known = {f.id for f in self.other_form_defs()}
        for form_id in [k for k in self.other_forms if k not in known]:
            dropped.append(form_id)
            del self.other_forms[form_id]
        changes = dataclasses.replace(changes, values_dropped=tuple(dropped))
        if new.definition.version != old.version:
            self.sealed = None
            self.changes = changes
        return changes

    def acknowledge_changes(self) -> None:
        self.changes = None

    # --- before sealing ---

    def preseal_warnings(self, *, now: datetime | None = None,
                         encryption_certificate: x509.Certificate | None = None) -> list[SealWarning]:
        """What the bidder must see before sealing, most serious first."""
        now = now or datetime.now(UTC)
        d = self.definition
        out: list[SealWarning] = []
        if d.bid_deadline <= now:
            out.append(SealWarning("bid.deadline_passed", f"the bid deadline {d.bid_deadline.isoformat()} has passed",
                               {"deadline": d.bid_deadline.isoformat()}, blocking=True))
        problems = [i for issues in self.form_issues().values() for i in issues]
        if problems:
            out.append(SealWarning("bid.forms_invalid", f"the forms have {len(problems)} problem(s)",
                               {"count": str(len(problems))}, blocking=True))
        coverage = self.coverage()
        for item in coverage.items:
            if item.state is CoverageState.UNLINKED:
                out.append(SealWarning("bid.criterion_unlinked",
                                       f"criterion {item.criterion.name} is linked to no page",
                                       {"criterion": item.criterion.name, "id": item.criterion.id}))
            elif item.state is CoverageState.RELINK:
                out.append(SealWarning("bid.criterion_relink", f"criterion {item.criterion.name} changed in the "
                                   "clarification: check its link", {"criterion": item.criterion.name,
                                                                      "id": item.criterion.id}))
        if encryption_certificate is not None and encryption_certificate.not_valid_after_utc <= d.opening_time:
            expiry = encryption_certificate.not_valid_after_utc
            out.append(SealWarning("bid.certificate_expires_before_opening",
                               f"your encryption certificate expires {expiry.isoformat()}, before the opening "
                               f"{d.opening_time.isoformat()}",
                               {"expires": expiry.isoformat(), "opening": d.opening_time.isoformat()}))
        for cert in self.tender.opening_certificates:
            if cert.not_valid_after_utc <= d.opening_time:
                out.append(SealWarning("bid.opening_certificate_expires",
                                   f"the opening certificate {readable_name(cert.subject)} expires before the "
                                   "opening", {"subject": readable_name(cert.subject)}))
        return out

    # --- persistence ---

    def to_json(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "tender": {"id": self.definition.tender_id, "version": self.definition.version,
                       "package_sha256": self.tender.package_sha256,
                       "folder": _relative(self.tender_folder, self.directory)},
            "bid_letter": dict(self.bid_letter),
            "price_schedule": {"values": dict(self.price_schedule),
                               "lines": [dataclasses.asdict(line) for line in self.price_lines]},
            "other_forms": {k: dict(v) for k, v in self.other_forms.items()},
            "attachments": [dataclasses.asdict(a) for a in self.attachments],
            "links": [dataclasses.asdict(k) for k in self.links.values()],
            "changes": self.changes.to_json() if self.changes else None,
            "sealed": dataclasses.asdict(self.sealed) if self.sealed else None,
        }

    def save(self) -> None:
        self.normalize_values()  # a value under a tender's own name for a standard field is kept once
        self.directory.mkdir(parents=True, exist_ok=True)
        text = json.dumps(self.to_json(), ensure_ascii=False, indent=2, sort_keys=True) + "\n"
        write_atomically(self.directory / PROJECT_FILE, text.encode("utf-8"), overwrite=True)

    @property
    def sealed_dir(self) -> Path:
        return self.directory / SEALED_DIR

    def sealed_path(self) -> Path | None:
        return self.sealed_dir / self.sealed.file if self.sealed is not None else None


def _relative(path: Path, base: Path) -> str:
    try:
        return path.resolve().relative_to(base.resolve()).as_posix()
    except ValueError:
        return str(path.resolve())


def inspect_pdf(path: Path) -> tuple[int, str, int]:
    """Page count, SHA-256 and size of a PDF the bidder attaches (hostile input: precise errors)."""
    from pyhanko.pdf_utils.reader import PdfFileReader

    try:
        size = path.stat().st_size
        if size > MAX_ATTACHMENT:
            raise BidProjectError(f"{path.name} is larger than {MAX_ATTACHMENT >> 20} MiB",
                                  code="bid.attachment_invalid")
        data = path.read_bytes()
    except FileNotFoundError:
        raise BidclientError(f"{path} does not exist", code="io.input_missing") from None
    if not data.startswith(PDF_MAGIC):
        raise BidProjectError(f"{path.name} is not a PDF", code="bid.attachment_invalid")
    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        if reader.encrypted:
            raise BidProjectError(f"{path.name} is password-protected; remove the password first",
                                  code="bid.attachment_invalid")
        pages = int(reader.root["/Pages"]["/Count"])
    except BidProjectError:
        raise
    except Exception as ex:  # pyHanko raises many kinds on junk
        raise BidProjectError(f"{path.name} is not a readable PDF: {type(ex).__name__}",
                              code="bid.attachment_invalid") from ex
    if not 0 < pages <= 100_000:
        raise BidProjectError(f"{path.name} has no pages", code="bid.attachment_invalid")
    return pages, hashlib.sha256(data).hexdigest(), size


# --- creating and opening -------------------------------------------------------------------------


def create_project(directory: Path, tender_folder: Path, *, trust_list: trust.TrustList | None = None,
                   bidder_name: str = "") -> BidProject:
    """A new draft for the (verified) tender folder; the draft folder must not hold a project yet."""
    if (directory / PROJECT_FILE).exists():
        raise BidProjectError(f"{directory} already holds a bid project", code="io.output_exists")
    project = BidProject(directory, verify_folder(tender_folder, trust_list=trust_list))
    project.prefill(bidder_name=bidder_name)
    project.save()
    return project


def open_project(directory: Path, *, trust_list: trust.TrustList | None = None) -> BidProject:
    """Restore a draft; the tender folder it answers is verified again (it may have been touched)."""
    path = directory / PROJECT_FILE
    try:
        with open(path, "rb") as f:
            raw = f.read(MAX_PROJECT_FILE + 1)
    except FileNotFoundError:
        raise BidclientError(f"{directory} holds no bid project", code="io.input_missing") from None
    if len(raw) > MAX_PROJECT_FILE:
        raise BidProjectError(f"{path} is too large", code="bid.project_invalid")
    try:
        data = json.loads(raw.decode("utf-8"))
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            raise ValueError("not a bid project")
        folder = Path(str(data["tender"]["folder"]))
        tender = verify_folder(folder if folder.is_absolute() else directory / folder, trust_list=trust_list)
        project = BidProject(directory, tender)
        project.bid_letter = _strings(data["bid_letter"])
        project.price_schedule = _strings(data["price_schedule"]["values"])
        columns = {c for c, _, _ in PRICE_LINE_COLUMNS}
        project.price_lines = [PriceLine(**{k: str(v) for k, v in _strings(line).items() if k in columns})
                               for line in data["price_schedule"]["lines"]]
        project.other_forms = {str(k): _strings(v) for k, v in dict(data.get("other_forms") or {}).items()}
        project.normalize_values()
        project.attachments = [Attachment(section=str(a["section"]), name=str(a["name"]), pages=int(a["pages"]),
                                          sha256=str(a["sha256"]), size=int(a["size"]))
                               for a in data["attachments"]]
        project.links = {}
        for k in data["links"]:
            link = CriterionLink(str(k["criterion"]), str(k["file"]),
                                 None if k.get("page") is None else int(k["page"]), bool(k.get("needs_relink")))
            project.links[link.criterion] = link
        project.changes = TenderChanges.from_json(data["changes"]) if data.get("changes") else None
        if data.get("sealed"):
            s = data["sealed"]
            project.sealed = SealedBid(file=Path(str(s["file"])).name, tender_version=int(s["tender_version"]),
                                       envelope_sha256=str(s["envelope_sha256"]), size=int(s["size"]),
                                       sealed_at=str(s["sealed_at"]),
                                       statement_signature=s.get("statement_signature") and
                                       Path(str(s["statement_signature"])).name,
                                       statement_bidder=s.get("statement_bidder"))
    except BidclientError:
        raise
    except (ValueError, KeyError, TypeError, AttributeError) as ex:
        raise BidProjectError(f"{path} is not a readable bid project: {type(ex).__name__}: {ex}",
                              code="bid.project_invalid") from ex
    for a in project.attachments:
        if a.section not in SECTIONS or _NAME_FORBIDDEN.search(a.name) or a.name.startswith("."):
            raise BidProjectError(f"{path} names an attachment outside the draft: {a.path!r}",
                                  code="bid.project_invalid")
        if not (directory / ATTACHMENTS_DIR / a.section / a.name).is_file():
            raise BidProjectError(f"the attachment {a.path} is missing from {directory}", code="bid.project_invalid")
    return project


def _strings(value: Any) -> dict[str, str]:
    if not isinstance(value, dict):
        raise ValueError("expected an object of texts")
    return {str(k): str(v) for k, v in value.items()}


# --- assembling and sealing -----------------------------------------------------------------------


@dataclass(frozen=True)
class AssembledBid:
    directory: Path
    forms: dict[str, Any]
    links: list[Link]
    files: list[str]


def assemble(project: BidProject, out_dir: Path, *, signer: Signer, timestamper: Timestamper | None = None,
             seal_name: str | None = None) -> AssembledBid:
    """Render the bid letter and price schedule to PDF, sign both (PAdES, visible seal) with ``signer``
    and lay out the bid folder: ``forms/*.pdf``, ``SECTION/NAME.pdf`` for every attachment, and the whole
    bid bound as one signed PDF, ``投标文件.pdf`` (contents, page seals, 骑缝章; forms.bid_book).

    Refused while a form has a problem (sealing a bid whose amounts disagree helps nobody).
    ``out_dir`` is replaced. The links and form values to put in the manifest come back with it.
    """
    from forms.bid_letter import render_bid_letter
    from forms.pdf_sign import sign_form
    from forms.price_schedule import render_price_schedule

    problems = [i for issues in project.form_issues().values() for i in issues]
    if problems:
        raise BidProjectError(f"the forms have {len(problems)} problem(s), first: {problems[0].message}",
                              code="bid.forms_invalid")
    if out_dir.exists():
        shutil.rmtree(out_dir)
    (out_dir / FORMS_DIR).mkdir(parents=True)
    with tempfile.TemporaryDirectory(prefix="bidclient-forms-") as scratch:
        letter = render_bid_letter(project.letter(), Path(scratch) / "bid_letter.pdf")
        schedule = render_price_schedule(project.schedule(), Path(scratch) / "price_schedule.pdf")
        for rendered, target in ((letter, FORM_FILES["bid_letter"]), (schedule, FORM_FILES["price_schedule"])):
            sign_form(rendered, out_dir / target, signer, timestamper=timestamper, seal_name=seal_name,
                      time_text=printed_time)
    files = list(FORM_FILES.values())
    for a in project.attachments:
        source = project.directory / ATTACHMENTS_DIR / a.section / a.name
        (out_dir / a.section).mkdir(exist_ok=True)
        shutil.copyfile(source, out_dir / a.section / a.name)
        files.append(a.path)
    from forms.bid_book import sign_book

    with tempfile.TemporaryDirectory(prefix="bidclient-book-") as scratch:
        name = seal_name or _organisation(signer)
        book = project.bind_book(Path(scratch) / BOOK_FILE, preview=False, enterprise=name or None)
        sign_book(book, out_dir / BOOK_FILE, signer, timestamper=timestamper, time_text=printed_time)
    files.append(BOOK_FILE)
    return AssembledBid(out_dir, project.forms_data(), project.manifest_links(), files)


def _organisation(signer: Signer) -> str:
    """The enterprise the key belongs to (its certificate's O), as the forms' seals name it."""
    from cryptography.x509.oid import NameOID

    values = signer.certificate.subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)
    return str(values[0].value) if values else ""


def printed_time(value: datetime) -> str:
    """A time as the signed forms print it (bidclient.timefmt's display zone, named): Beijing time in
    Chinese as the forms are, whatever the app's language, and short enough for the seal's box —
    "2026-12-02 14:00:05 北京时间"; another zone with its name and offset."""
    from bidclient import timefmt
    from bidclient.i18n import _

    name = timefmt.display_zone_name()
    stamp = timefmt.format_time(value, seconds=True, zone=name, named=False)
    label = timefmt.zone_label(timefmt.to_display(value, name), name)
    return f"{stamp} {'北京时间' if label.startswith(_('Beijing time')) else label}"


SEALED_NAME = re.compile(r"-(\d{8}T\d{6})(\d{3})?Z\.bid$")  # older drafts' names have no milliseconds


def sealed_bid_path(folder: Path, tender_id: str, version: int, when: datetime) -> Path:
    """A new sealed bid's file in ``folder``, named by its sealing time to the millisecond (so that the
    names sort by time), and never one that exists: sealing again within the same moment, after a quick
    change, must not fail with "the output already exists"."""
    moment = when.astimezone(UTC)
    while True:
        stamp = moment.strftime("%Y%m%dT%H%M%S") + f"{moment.microsecond // 1000:03d}Z"
        path = folder / f"{tender_id}-v{version}-{stamp}.bid"
        if not path.exists():
            return path
        moment += timedelta(milliseconds=1)


def sealed_at(path: Path) -> datetime | None:
    """The sealing time in a sealed bid's file name (see sealed_bid_path), or None."""
    match = SEALED_NAME.search(path.name)
    if match is None:
        return None
    when = datetime.strptime(match.group(1), "%Y%m%dT%H%M%S").replace(tzinfo=UTC)
    return when + timedelta(milliseconds=int(match.group(2) or 0))


def seal_project(project: BidProject, *, session: KeySession, progress: Progress | None = None,
                 cancel: Cancel | None = None, bidder_identity: str | None = None,
                 now: Callable[[], datetime] | None = None, tsa_url: str | None = None) -> SealResult:
    """Assemble, sign and seal with one key session (``crypto.key_access.KeySession``: one PIN entry).

    The sealed bid goes to DRAFT/sealed/ and is recorded in the project (saved). With
    ``bidder_identity`` (the server account's identity key) the submission statement is signed in the
    same session, so that submitting needs no second PIN entry. ``now`` is the server clock: when the
    deadline passes while sealing, the bid is kept but BidclientError ``bid.deadline_passed`` is raised.
    Returns the sealing's SealResult.
    """
    from bidclient.protocol.submission import submission_statement

    clock = now or (lambda: datetime.now(UTC))
    deadline = project.definition.bid_deadline
    if clock() >= deadline:
        raise BidclientError(f"the bid deadline {deadline.isoformat()} has passed (server time)",
                             code="bid.deadline_passed")
    signer = session.signer()
    assembled = assemble(project, project.directory / ASSEMBLED_DIR, signer=signer)
    project.sealed_dir.mkdir(parents=True, exist_ok=True)
    output = sealed_bid_path(project.sealed_dir, project.definition.tender_id, project.definition.version,
                             datetime.now(UTC))
    name = output.name
    target = _target(project)
    result = seal(assembled.directory, output, session=session, target=target, progress=progress,
                  cancel=cancel, tsa_url=tsa_url, forms=assembled.forms, links=assembled.links)
    statement_file = None
    if bidder_identity:
        statement = submission_statement(tender_id=target.tender_id, tender_version=target.tender_version,
                                         envelope_sha256=result.envelope_sha256, size=result.envelope_size,
                                         bidder=bidder_identity)
        statement_file = name + ".statement.p7s"
        write_atomically(project.sealed_dir / statement_file, detached_signer(signer)(statement),
                         overwrite=True)
    project.sealed = SealedBid(file=name, tender_version=target.tender_version,
                               envelope_sha256=result.envelope_sha256, size=result.envelope_size,
                               sealed_at=datetime.now(UTC).isoformat(timespec="seconds"),
                               statement_signature=statement_file, statement_bidder=bidder_identity)
    project.save()
    if clock() >= deadline:
        raise BidclientError(f"the bid deadline {deadline.isoformat()} passed while sealing (server time); "
                             "the server will refuse the bid", code="bid.deadline_passed")
    return result


def seal_with_key(project: BidProject, key: str, prompter: Prompter, *, bidder_identity: str | None = None,
                  now: Callable[[], datetime] | None = None, progress: Progress | None = None,
                  cancel: Cancel | None = None, tsa_url: str | None = None) -> SealResult:
    """The seal flow: open KEY (one PIN entry, asked through ``prompter``) and ``seal_project`` with it."""
    with open_key(key, prompter.ask_pin) as session:
        return seal_project(project, session=session, progress=progress, cancel=cancel,
                            bidder_identity=bidder_identity, now=now, tsa_url=tsa_url)


def _target(project: BidProject) -> TenderTarget:
    d = project.definition
    return TenderTarget(tender_id=d.tender_id, tender_version=d.version,
                        opening_certificates=project.tender.opening_certificates,
                        package_sha256=project.tender.package_sha256, opening_time=d.opening_time)


def presigned_statement(project: BidProject) -> Callable[[bytes], bytes] | None:
    """A ``sign`` for bidclient.submit.Uploader that returns the statement signed at sealing time,
    or None when there is none. It refuses to sign anything else (a mismatch means re-signing)."""
    sealed = project.sealed
    if sealed is None or sealed.statement_signature is None:
        return None
    path = project.sealed_dir / sealed.statement_signature
    if not path.is_file():
        return None
    signature = path.read_bytes()
    from bidclient.protocol.submission import submission_statement

    expected = submission_statement(tender_id=project.definition.tender_id, tender_version=sealed.tender_version,
                                    envelope_sha256=sealed.envelope_sha256, size=sealed.size,
                                    bidder=sealed.statement_bidder or "")

    def sign(data: bytes) -> bytes:
        if data != expected:
            raise BidclientError("the statement to sign is not the one signed when sealing",
                                 code="bid.statement_mismatch")
        return signature

    return sign


__all__ = [
    "ASSEMBLED_DIR",
    "BOOK_FILE",
    "FORM_FILES",
    "PREVIEW_DIR",
    "SECTIONS",
    "SECTION_NAMES_ZH",
    "AssembledBid",
    "Attachment",
    "BidProject",
    "BidProjectError",
    "Coverage",
    "CoverageItem",
    "CoverageState",
    "CriterionLink",
    "SealWarning",
    "SealedBid",
    "TenderChanges",
    "assemble",
    "create_project",
    "diff_tenders",
    "form_aliases",
    "inspect_pdf",
    "merged_form",
    "open_project",
    "presigned_statement",
    "seal_project",
    "seal_with_key",
]
