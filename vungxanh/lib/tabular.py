"""Tables in and out: one reader for CSV and XLSX, one schema check, one writer.

Every import in the product declares a `Schema` (its columns and how each parses) and hands the
uploaded file here. Reading never touches the database: it returns clean rows or raises
`ImportRejected` with every problem found, each naming its row and field, so the caller can refuse
the whole file before it writes anything.

Row numbers are those a person sees in a spreadsheet: the header is row 1, the first data row 2.
A file of several sheets (`read_sheets`, `read_sheet`) names the sheet in each error as well.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook


@dataclass(frozen=True)
class RowError:
    row: int | None
    field: str | None
    message: str
    sheet: str | None = None  # in a workbook of several sheets

    def as_dict(self) -> dict[str, Any]:
        where = {"sheet": self.sheet} if self.sheet else {}
        return {**where, "row": self.row, "field": self.field, "message": self.message}

    def __str__(self) -> str:
        where = [self.sheet] if self.sheet else []
        if self.row is not None:
            where.append(_("row %(row)s") % {"row": self.row})
        if self.field:
            where.append(_("field “%(field)s”") % {"field": self.field})
        return f"{', '.join(where)}: {self.message}" if where else self.message


class ImportRejected(Exception):
    """A file that cannot be taken whole. Nothing of it is stored."""

    def __init__(self, errors: Sequence[RowError]):
        self.errors = list(errors)
        super().__init__("; ".join(str(e) for e in self.errors[:5]))


class CellError(ValueError):
    """Raised by a column parser; the message is shown to the user."""


Parser = Callable[[str], Any]


@dataclass(frozen=True)
class Column:
    name: str
    parse: Parser = str
    required: bool = True
    aliases: tuple[str, ...] = ()
    default: Any = None


@dataclass
class Schema:
    columns: Sequence[Column]
    max_rows: int = 200_000
    _by_header: dict[str, Column] = field(init=False, default_factory=dict)

    def __post_init__(self) -> None:
        for column in self.columns:
            for header in (column.name, *column.aliases):
                self._by_header[normalize_header(header)] = column

    def validate(self, table: list[dict[str, str]], first_row: int = 2) -> list[dict[str, Any]]:
        """Parse every cell of every row; raise ImportRejected listing every error."""
        errors: list[RowError] = []
        if not table:
            raise ImportRejected([RowError(None, None, _("The file has no data rows."))])
        if len(table) > self.max_rows:
            message = _("The file has %(n)s rows; at most %(max)s are accepted.")
            raise ImportRejected(
                [RowError(None, None, message % {"n": len(table), "max": self.max_rows})]
            )
        clean: list[dict[str, Any]] = []
        for offset, raw in enumerate(table):
            row_number = first_row + offset
            parsed: dict[str, Any] = {}
            for column in self.columns:
                text = (raw.get(column.name) or "").strip()
                if not text:
                    if column.required:
                        errors.append(
                            RowError(row_number, column.name, _("This field is required."))
                        )
                    parsed[column.name] = column.default
                    continue
                try:
                    parsed[column.name] = column.parse(text)
                except (CellError, ValueError) as exc:
                    errors.append(RowError(row_number, column.name, str(exc)))
            parsed["_row"] = row_number
            clean.append(parsed)
        if errors:
            raise ImportRejected(errors)
        return clean

    def map_headers(self, headers: Sequence[str]) -> dict[int, str]:
        """Column index → schema column name; refuses unknown or missing required headers."""
        mapping: dict[int, str] = {}
        errors: list[RowError] = []
        for index, header in enumerate(headers):
            if not header or not header.strip():
                continue
            column = self._by_header.get(normalize_header(header))
            if column is None:
                errors.append(RowError(1, header.strip(), _("Unknown column.")))
            else:
                mapping[index] = column.name
        present = set(mapping.values())
        for column in self.columns:
            if column.required and column.name not in present:
                errors.append(RowError(1, column.name, _("The column is missing.")))
        if errors:
            raise ImportRejected(errors)
        return mapping


def normalize_header(header: str) -> str:
    return re.sub(r"[\s\-]+", "_", header.strip().lower())


def read_rows(data: bytes, filename: str, schema: Schema) -> list[dict[str, Any]]:
    """Read a CSV or XLSX file and validate it against the schema."""
    headers, body = read_table(data, filename)
    mapping = schema.map_headers(headers)
    table = [
        {name: (cells[i] if i < len(cells) else "") for i, name in mapping.items()}
        for cells in body
    ]
    return schema.validate(table)


def read_table(data: bytes, filename: str) -> tuple[list[str], list[list[str]]]:
    """Headers and rows of text, from CSV (UTF-8, with or without BOM) or XLSX."""
    name = filename.lower()
    if name.endswith(".xlsx"):
        rows = _read_xlsx(data)
    elif name.endswith(".csv") or name.endswith(".txt"):
        rows = _read_csv(data)
    else:
        raise ImportRejected([RowError(None, None, _("Only CSV and XLSX files are accepted."))])
    rows = [r for r in rows if any(cell.strip() for cell in r)]
    if not rows:
        raise ImportRejected([RowError(None, None, _("The file is empty."))])
    return rows[0], rows[1:]


def _read_csv(data: bytes) -> list[list[str]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        message = _("The file is not UTF-8 text (byte %(pos)s). Save it as CSV UTF-8.")
        raise ImportRejected([RowError(None, None, message % {"pos": exc.start})]) from exc
    sample = text[:4096]
    delimiter = ";" if sample.count(";") > sample.count(",") else ","
    return [list(r) for r in csv.reader(io.StringIO(text), delimiter=delimiter)]


def _read_xlsx(data: bytes) -> list[list[str]]:
    return next(iter(read_sheets(data).values()), [])


def read_sheets(data: bytes) -> dict[str, list[list[str]]]:
    """Every sheet of an XLSX workbook by name, as rows of text. Empty rows are kept, so that
    the row at index i is row i + 1 of the spreadsheet."""
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a broken file
        message = _("The file is not a readable XLSX workbook.")
        raise ImportRejected([RowError(None, None, message)]) from exc
    sheets = {
        sheet.title: [[_cell_text(v) for v in row] for row in sheet.iter_rows(values_only=True)]
        for sheet in book.worksheets
    }
    book.close()
    return sheets


def read_sheet(rows: list[list[str]], schema: Schema, sheet: str) -> list[dict[str, Any]]:
    """One sheet of `read_sheets` validated against the schema: its first row the headers, empty
    rows skipped, each row keeping its spreadsheet number; every error names the sheet."""
    try:
        mapping = schema.map_headers(rows[0] if rows else [])
    except ImportRejected as exc:
        raise ImportRejected([replace(e, sheet=sheet) for e in exc.errors]) from exc
    clean: list[dict[str, Any]] = []
    errors: list[RowError] = []
    for number, cells in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in cells):
            continue
        raw = {name: (cells[i] if i < len(cells) else "") for i, name in mapping.items()}
        try:
            clean.extend(schema.validate([raw], first_row=number))
        except ImportRejected as exc:
            errors.extend(replace(e, sheet=sheet) for e in exc.errors)
    if errors:
        raise ImportRejected(errors)
    return clean


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return (
            value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat()
        )
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


# Parsers shared by the schemas of every app.


def parse_int(text: str) -> int:
    cleaned = text.replace(".", "").replace(",", "").replace(" ", "")
    if not re.fullmatch(r"-?\d+", cleaned):
        raise CellError(_("“%(value)s” is not a whole number.") % {"value": text})
    return int(cleaned)


def parse_non_negative_int(text: str) -> int:
    value = parse_int(text)
    if value < 0:
        raise CellError(_("The number may not be negative."))
    return value


def parse_decimal(text: str) -> Decimal:
    try:
        return Decimal(text.replace(",", "."))
    except InvalidOperation as exc:
        raise CellError(_("“%(value)s” is not a number.") % {"value": text}) from exc


def parse_percentage(text: str) -> float:
    value = float(parse_decimal(text.rstrip("%").strip()))
    if not 0 <= value <= 100:
        raise CellError(_("A percentage lies between 0 and 100."))
    return value


def parse_date(text: str) -> date:
    for pattern in ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y"):
        try:
            return datetime.strptime(text[:10], pattern).date()
        except ValueError:
            continue
    raise CellError(_("“%(value)s” is not a date (dd/mm/yyyy).") % {"value": text})


def parse_yes_no(text: str) -> bool:
    value = text.strip().lower()
    if value in {"yes", "y", "true", "1", "có", "co", "x"}:
        return True
    if value in {"no", "n", "false", "0", "không", "khong"}:
        return False
    raise CellError(_("“%(value)s” is neither yes nor no.") % {"value": text})


CODE_PATTERN = re.compile(r"^[0-9A-Za-z][0-9A-Za-z.\-]{0,39}$")


def parse_code(text: str) -> str:
    if not CODE_PATTERN.match(text):
        message = _("“%(value)s” is not a valid code (letters, digits, dot and dash; 40 at most).")
        raise CellError(message % {"value": text})
    return text


def choice_parser(choices: Iterable[tuple[str, Any]]) -> Parser:
    """Accept a choice by its value or its label, in any case."""
    table: dict[str, str] = {}
    for value, label in choices:
        table[str(value).lower()] = str(value)
        table[str(label).lower()] = str(value)

    def parse(text: str) -> str:
        try:
            return table[text.strip().lower()]
        except KeyError as exc:
            allowed = ", ".join(sorted({v for v in table.values()}))
            message = _("“%(value)s” is not one of: %(allowed)s.")
            raise CellError(message % {"value": text, "allowed": allowed}) from exc

    return parse


# Writing.


def write_table(headers: Sequence[str], rows: Iterable[Sequence[Any]], fmt: str) -> bytes:
    """The same list out as CSV (UTF-8 with BOM, so Excel reads the diacritics) or XLSX."""
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(headers)
        writer.writerows(rows)
        return ("\ufeff" + out.getvalue()).encode("utf-8")
    if fmt == "xlsx":
        book = Workbook(write_only=True)
        sheet = book.create_sheet()
        sheet.append(list(headers))
        for row in rows:
            sheet.append(list(row))
        buffer = io.BytesIO()
        book.save(buffer)
        return buffer.getvalue()
    raise ValueError(f"unknown format {fmt!r}")
