"""The price schedule's priced lines (报价明细) to and from an Excel workbook (.xlsx).

Export writes one sheet: a header row (the printed headings of the 开标一览表's columns) and one row per line;
quantities and amounts are numbers (Excel can sum them), written from their Decimal values.

Import treats the file as hostile: it must be an .xlsx of at most MAX_FILE_BYTES whose parts unpack to at
most MAX_UNPACKED_BYTES (a zip bomb is refused before openpyxl reads it) with at most MAX_ROWS lines. The
header row names the columns (the printed headings or the English names, in any order; item, quantity,
unit price and total are required). Every row is checked; if any is wrong, LinesImportError
(``lines.import_invalid``) lists each problem with its row number and nothing is returned: a bad file
changes nothing. Amounts are Decimals: a text cell is read as typed, a number cell from its value (a
float is converted with str() and must have at most two decimals, four for a quantity), never computed
in binary floating point.
"""

from __future__ import annotations

import datetime
import math
import re
import unicodedata
import warnings
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from io import BytesIO
from pathlib import Path

from bidclient.atomic import write_atomically
from bidclient.errors import BidclientError
from bidclient.i18n import _
from forms.amounts import format_figures, parse_figures
from forms.errors import AmountError
from forms.model import PRICE_LINE_COLUMNS, PriceLine

__all__ = [
    "MAX_FILE_BYTES",
    "MAX_ROWS",
    "MAX_UNPACKED_BYTES",
    "LinesImportError",
    "RowProblem",
    "export_lines",
    "import_lines",
]

MAX_FILE_BYTES = 10 * 1024 * 1024
MAX_UNPACKED_BYTES = 100 * 1024 * 1024  # a real 5,000-line sheet unpacks to a few MB
MAX_ZIP_ENTRIES = 1000
MAX_ROWS = 5000
MAX_COLUMNS = 64  # cells beyond this column are not read

_QUANTITY = re.compile(r"^(0|[1-9][0-9]{0,11})(\.[0-9]{1,4})?$")
_CENT = Decimal("0.01")
_MONEY = ("unit_price", "total")
_REQUIRED = ("item", "quantity", "unit_price", "total")
_ENGLISH = {
    "item": ("item", "name", "description"),
    "specification": ("specification", "spec", "model"),
    "unit": ("unit",),
    "quantity": ("quantity", "qty"),
    "unit_price": ("unit price", "unit_price", "price"),
    "total": ("total", "line total", "amount"),
    "remark": ("remark", "remarks", "note", "notes"),
}
_HEADINGS = {attribute: heading for attribute, heading, _width in PRICE_LINE_COLUMNS}
_NUMBER_FORMATS = {"quantity": "#,##0.####", "unit_price": "#,##0.00", "total": "#,##0.00"}


@dataclass(frozen=True)
class RowProblem:
    """One problem of the file: ``row`` is the sheet's row number (1 = the header, 0 = the file as a whole)."""

    row: int
    column: str  # the column's attribute (PRICE_LINE_COLUMNS), or "" for the whole row or file
    message: str

    def __str__(self) -> str:
        heading = _HEADINGS.get(self.column, "")
        if not self.row:
            return self.message
        if heading:
            return _("row {row}, {column}: {message}").format(row=self.row, column=heading, message=self.message)
        return _("row {row}: {message}").format(row=self.row, message=self.message)


class LinesImportError(BidclientError):
    """The workbook cannot be imported; ``problems`` says where and why. Nothing was changed."""

    code = "lines.import_invalid"

    def __init__(self, problems: Sequence[RowProblem]) -> None:
        self.problems = tuple(problems)
        shown = "; ".join(str(p) for p in self.problems[:20])
        more = _(" (and {count} more)").format(count=len(self.problems) - 20) if len(self.problems) > 20 else ""
        super().__init__(shown + more)


# --- export ---------------------------------------------------------------------------------------------


def export_lines(lines: Sequence[PriceLine], path: Path) -> None:
    """Write ``lines`` to ``path`` (.xlsx), atomically: a failure leaves no file behind."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "报价明细"
    sheet.append([heading for _a, heading, _w in PRICE_LINE_COLUMNS])
    for line in lines:
        sheet.append([_exported(attribute, getattr(line, attribute)) for attribute, _h, _w in PRICE_LINE_COLUMNS])
    for index, (attribute, _h, _w) in enumerate(PRICE_LINE_COLUMNS, start=1):
        if attribute in _NUMBER_FORMATS:
            for (cell,) in sheet.iter_rows(min_row=2, min_col=index, max_col=index):
                if isinstance(cell.value, Decimal):
                    cell.number_format = _NUMBER_FORMATS[attribute]
        sheet.column_dimensions[chr(ord("A") + index - 1)].width = 40 if attribute == "item" else 16
    buffer = BytesIO()
    book.save(buffer)
    try:
        write_atomically(path, buffer.getvalue(), overwrite=True)
    except OSError as exc:
        raise BidclientError(f"{path} could not be written: {exc.strerror or exc}",
                             code="lines.export_failed") from exc


def _exported(attribute: str, text: str) -> str | Decimal:
    """A number where the line holds one (so that Excel can sum it), else the text as typed."""
    stripped = text.strip()
    if attribute in _MONEY and stripped:
        try:
            return parse_figures(stripped)
        except AmountError:
            return text
    if attribute == "quantity" and _QUANTITY.match(stripped):
        return Decimal(stripped)
    return text


# --- import ---------------------------------------------------------------------------------------------


def import_lines(path: Path) -> list[PriceLine]:
    """The priced lines of the workbook at ``path``; raises LinesImportError listing every problem."""
    data = _read_capped(path)
    _check_zip(data)
    rows = _rows(data)
    if not rows:
        raise LinesImportError([RowProblem(0, "", _("The first sheet is empty (no header row)."))])
    header_row, header = rows[0]
    columns, problems = _columns(header_row, header)
    if problems:
        raise LinesImportError(problems)
    lines: list[PriceLine] = []
    for number, values in rows[1:]:
        cells = {attribute: values[index] if index < len(values) else None for attribute, index in columns.items()}
        if all(_blank(v) for v in cells.values()):
            continue
        line, found = _line(number, cells)
        problems += found
        if line is not None:
            lines.append(line)
    if not lines and not problems:
        problems.append(RowProblem(0, "", _("The sheet has a header but no priced line.")))
    if problems:
        raise LinesImportError(problems)
    return lines


def _read_capped(path: Path) -> bytes:
    try:
        with open(path, "rb") as stream:
            data = stream.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise LinesImportError([RowProblem(0, "", _("{path} cannot be read: {reason}").format(
            path=path, reason=exc.strerror or exc))]) from exc
    if len(data) > MAX_FILE_BYTES:
        raise LinesImportError([RowProblem(0, "", _("The file is larger than {size} MB.").format(
            size=MAX_FILE_BYTES // (1024 * 1024)))])
    return data


def _check_zip(data: bytes) -> None:
    not_xlsx = RowProblem(0, "", _("The file is not an Excel workbook (.xlsx); save it as .xlsx and try again."))
    try:
        with zipfile.ZipFile(BytesIO(data)) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError, EOFError) as exc:
        raise LinesImportError([not_xlsx]) from exc
    if len(infos) > MAX_ZIP_ENTRIES or sum(i.file_size for i in infos) > MAX_UNPACKED_BYTES:
        message = _("The workbook unpacks to more than {size} MB; it is refused.")
        raise LinesImportError([RowProblem(0, "", message.format(size=MAX_UNPACKED_BYTES // (1024 * 1024)))])
    if not any(i.filename == "[Content_Types].xml" for i in infos):
        raise LinesImportError([not_xlsx])


def _rows(data: bytes) -> list[tuple[int, tuple[object, ...]]]:
    """The first sheet's non-empty rows as (row number, values), at most the header and MAX_ROWS lines."""
    from openpyxl import load_workbook

    out: list[tuple[int, tuple[object, ...]]] = []
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # openpyxl warns about extensions it drops (data validation...)
            book = load_workbook(BytesIO(data), read_only=True, data_only=True)
            try:
                sheet = book.worksheets[0] if book.worksheets else None
                if sheet is None:
                    return out
                for number, values in enumerate(sheet.iter_rows(max_col=MAX_COLUMNS, values_only=True), start=1):
                    if all(_blank(v) for v in values):
                        continue
                    if len(out) > MAX_ROWS:  # the header and MAX_ROWS lines are already in
                        raise LinesImportError([RowProblem(number, "", _(
                            "The sheet has more than {count} lines; split it or delete rows that only look "
                            "empty.").format(count=f"{MAX_ROWS:,}"))])
                    out.append((number, tuple(values)))
            finally:
                book.close()
    except LinesImportError:
        raise
    except Exception as exc:  # any parse failure of a hostile file: openpyxl raises many kinds
        message = _("The workbook cannot be read; open it in Excel, save it as .xlsx and try again ({reason}).")
        raise LinesImportError([RowProblem(0, "", message.format(reason=type(exc).__name__))]) from exc
    return out


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _normal(text: str) -> str:
    return re.sub(r"\s+", " ", unicodedata.normalize("NFKC", text)).strip().casefold()


def _columns(row: int, header: tuple[object, ...]) -> tuple[dict[str, int], list[RowProblem]]:
    names: dict[str, str] = {}
    for name_of, heading, _w in PRICE_LINE_COLUMNS:
        for name in (heading, *_ENGLISH[name_of]):
            names[_normal(name)] = name_of
    columns: dict[str, int] = {}
    problems: list[RowProblem] = []
    for index, value in enumerate(header):
        if _blank(value):
            continue
        attribute = names.get(_normal(str(value)))
        if attribute is None:
            continue  # a column of the clerk's own (notes...) is left alone
        if attribute in columns:
            twice = _("the column {name} appears twice in the header").format(name=value)
            problems.append(RowProblem(row, attribute, twice))
        columns[attribute] = index
    for attribute in _REQUIRED:
        if attribute not in columns:
            missing = _("the header row has no such column (name it {heading} or {english})").format(
                heading=_HEADINGS[attribute], english=_ENGLISH[attribute][0].capitalize())
            problems.append(RowProblem(row, attribute, missing))
    return columns, problems


def _line(row: int, cells: dict[str, object]) -> tuple[PriceLine | None, list[RowProblem]]:
    problems: list[RowProblem] = []
    texts: dict[str, str] = {}
    for attribute, _h, max_length in PRICE_LINE_COLUMNS:
        if attribute not in cells:
            continue
        text, problem = _text(attribute, cells[attribute])
        if problem is None and len(text) > max_length:
            problem = _("longer than {max_length} characters").format(max_length=max_length)
        if problem is None and any(unicodedata.category(c) == "Cc" for c in text):
            problem = _("contains control characters")
        if problem is not None:
            problems.append(RowProblem(row, attribute, problem))
        else:
            texts[attribute] = text
    if problems:
        return None, problems
    if not texts.get("item"):
        problems.append(RowProblem(row, "item", _("empty; every line needs an item name")))
    quantity = texts.get("quantity", "")
    if not _QUANTITY.match(quantity) or Decimal(quantity) == 0:
        problems.append(RowProblem(row, "quantity", _("{value} is not a positive number (at most 4 decimals)").format(
            value=quantity or _("empty"))))
    amounts: dict[str, Decimal] = {}
    for attribute in _MONEY:
        try:
            amounts[attribute] = parse_figures(texts[attribute])
        except AmountError:
            shown = texts[attribute] or _("empty")
            message = _("{value} is not an amount in yuan (at most 2 decimals)").format(value=shown)
            problems.append(RowProblem(row, attribute, message))
    if problems:
        return None, problems
    computed = (Decimal(quantity) * amounts["unit_price"]).quantize(_CENT, rounding=ROUND_HALF_UP)
    if computed != amounts["total"]:
        mismatch = _("{quantity} × {unit_price} = {computed}, but the total says {stated}").format(
            quantity=quantity, unit_price=format_figures(amounts["unit_price"]), computed=format_figures(computed),
            stated=format_figures(amounts["total"]))
        return None, [RowProblem(row, "total", mismatch)]
    texts.update({attribute: format_figures(amount) for attribute, amount in amounts.items()})
    return PriceLine(**texts), []


def _text(attribute: str, value: object) -> tuple[str, str | None]:
    """The cell as the text a user would have typed, or a problem."""
    if value is None:
        return "", None
    if isinstance(value, str):
        return value.strip(), None
    if isinstance(value, bool):
        return "", _("a TRUE/FALSE cell, not a value")
    if isinstance(value, (datetime.date, datetime.time, datetime.timedelta)):
        return "", _("a date or time, not a value; format the cell as a number or text")
    if isinstance(value, int):
        return str(value), None
    if isinstance(value, (float, Decimal)):
        if isinstance(value, float) and not math.isfinite(value):
            return "", _("not a finite number")
        text = str(value)
        try:
            number = Decimal(text)
        except InvalidOperation:
            return "", _("{value} is not a number").format(value=text)
        if attribute not in ("quantity", *_MONEY):
            return (str(int(number)) if number == number.to_integral_value() else text), None
        places = 4 if attribute == "quantity" else 2
        exponent = number.normalize().as_tuple().exponent
        if not isinstance(exponent, int):
            return "", _("{value} is not a number").format(value=text)
        if exponent < -places:
            return "", _("{value} has more than {places} decimals (a formula's unrounded result?); round it "
                         "to {places} decimals").format(value=text, places=places)
        return format(number.normalize(), "f"), None
    return "", _("an unsupported kind of cell")
