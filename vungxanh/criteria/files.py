"""A criteria set version as a file, out and back in: JSON, and an XLSX workbook an official can
read and edit in Excel.

JSON is the shape of the shipped files in `data/` plus the version number: {code, name, version,
decision, decision_date, effective_from, provenance, local_example, definition}, dates in ISO.

The workbook has one sheet per part of the definition. Sheet names are Vietnamese and fixed (they
are the file format, not translated text); the header row of every sheet holds the machine names
of the fields, the same names as in JSON and in the errors of an import, so a file reads back the
same whatever the language of the person who exported it.

- "Bộ tiêu chí": the set's facts as `key`/`value` rows: code, name, target, local_example,
  decision, decision_date, effective_from, provenance, validity_days, result_type, out_of.
- "Phần": the sections, `code`, `title`.
- "Tiêu chí": one criterion a row: number, section, text, kind, max_points, must_pass, status,
  complete, unit, auto, pass_at_least, pass_at_most, source.
- "Lựa chọn": the options of choice criteria, one a row: criterion (its number), key, label,
  points. A row of their own rather than "key=label:points; …" in a cell: labels are free text
  that may hold any separator, and each option's error then names its own row.
- "Khoảng điểm": the bands of number criteria, one a row: criterion, min, points.
- "Xếp loại": the ratings: code, label, allows, safe, status.
- "Quy tắc": the result rule, read top down. For `percent_bands`: `up_to` → `rating`. For
  `passed_count`: `min_passed`, `with_must_pass` → `rating`, and one last row with no
  `min_passed`: the rating otherwise.

Dates are date cells shown dd/mm/yyyy (typed text is read as dd/mm/yyyy or ISO); yes/no cells are
TRUE/FALSE (có/không, yes/no, x also read); an empty cell is "not given" (a points value the
official text has still to give is left empty).

`import_definition` reads either format back into an `ImportedSet` and stores nothing; every
problem is an `ImportRejected` error naming the sheet, row and field.
"""

from __future__ import annotations

import io
import json
import math
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.worksheet.worksheet import Worksheet
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from vungxanh.lib import tabular
from vungxanh.lib.tabular import CellError, Column, ImportRejected, RowError, Schema

from . import rules
from .models import CriteriaSetVersion

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FACTS, SECTIONS, CRITERIA, OPTIONS, BANDS, RATINGS, RULE = (
    "Bộ tiêu chí",
    "Phần",
    "Tiêu chí",
    "Lựa chọn",
    "Khoảng điểm",
    "Xếp loại",
    "Quy tắc",
)


class ImportedSet(BaseModel):
    """A set's file as read: its identity, provenance and a valid definition."""

    model_config = ConfigDict(extra="forbid")

    code: str = Field(..., min_length=1, max_length=40)
    name: str = Field(..., min_length=1, max_length=300)
    version: int | None = None  # the exported version's number; an import makes a new one
    decision: str = Field(..., min_length=2, max_length=100)
    decision_date: date
    effective_from: date
    provenance: str = ""
    local_example: bool = False
    definition: rules.Definition


# Cell parsers ----------------------------------------------------------------------------------


def _number(text: str) -> float:
    value = float(tabular.parse_decimal(text))
    if not math.isfinite(value):
        raise CellError(_("“%(value)s” is not a number.") % {"value": text})
    return value


def _choice(values: Iterable[str]) -> tabular.Parser:
    return tabular.choice_parser([(v, v) for v in values])


KINDS = ("scale", "choice", "pass_fail", "number")
STATUSES = ("confirmed", "remembered", "unknown")
RESULT_TYPES = ("percent_bands", "passed_count")


def _col(name: str, parse: tabular.Parser = str, default: Any = None) -> Column:
    """An optional column (most are: an empty cell takes the definition's default)."""
    return Column(name, parse, required=False, default=default)


def _key(name: str, parse: tabular.Parser = str) -> Column:
    return Column(name, parse)


FACT_FIELDS = Schema(
    [
        _key("code", tabular.parse_code),
        _key("name"),
        _key("target", _choice(rules.TARGETS)),
        _col("local_example", tabular.parse_yes_no, False),
        _key("decision"),
        _key("decision_date", tabular.parse_date),
        _key("effective_from", tabular.parse_date),
        _col("provenance", default=""),
        _col("validity_days", tabular.parse_int, 90),
        _key("result_type", _choice(RESULT_TYPES)),
        _col("out_of", _number),
    ]
)
SCHEMAS = {
    FACTS: Schema([_key("key"), _col("value", default="")]),
    SECTIONS: Schema([_key("code"), _col("title", default="")]),
    CRITERIA: Schema(
        [
            _key("number"),
            _col("section", default=""),
            _key("text"),
            _key("kind", _choice(KINDS)),
            _col("max_points", _number),
            _col("must_pass", tabular.parse_yes_no, False),
            _col("status", _choice(STATUSES), "confirmed"),
            _col("complete", tabular.parse_yes_no, True),
            _col("unit", default=""),
            _col("auto"),
            _col("pass_at_least", _number),
            _col("pass_at_most", _number),
            _col("source", default=""),
        ]
    ),
    OPTIONS: Schema(
        [_key("criterion"), _key("key"), _col("label", default=""), _col("points", _number)]
    ),
    BANDS: Schema([_key("criterion"), _key("min", _number), _key("points", _number)]),
    RATINGS: Schema(
        [
            _key("code"),
            _key("label"),
            _col("allows", default=""),
            _col("safe", tabular.parse_yes_no, False),
            _col("status", _choice(STATUSES), "confirmed"),
        ]
    ),
    RULE: Schema(
        [
            _col("up_to", _number),
            _col("min_passed", tabular.parse_non_negative_int),
            _col("with_must_pass", tabular.parse_yes_no),
            _key("rating"),
        ]
    ),
}
OPTIONAL_SHEETS = (SECTIONS, OPTIONS, BANDS)  # a set may have none of these
WIDTHS = {"text": 60, "source": 50, "label": 40, "allows": 45, "title": 45, "value": 80}


# Export ----------------------------------------------------------------------------------------


def document_of(version: CriteriaSetVersion) -> dict[str, Any]:
    cset = version.criteria_set
    return {
        "code": cset.code,
        "name": cset.name,
        "version": version.version,
        "decision": version.decision,
        "decision_date": version.decision_date.isoformat(),
        "effective_from": version.effective_from.isoformat(),
        "provenance": version.provenance,
        "local_example": cset.local_example,
        "definition": version.definition,
    }


def export_json(version: CriteriaSetVersion) -> bytes:
    text = json.dumps(document_of(version), ensure_ascii=False, indent=2)
    return (text + "\n").encode("utf-8")


def export_xlsx(version: CriteriaSetVersion) -> bytes:
    d = version.parsed
    book = Workbook()
    book.remove(book.active)
    _add_sheet(book, FACTS, _names(FACTS), _fact_rows(version))
    _add_sheet(book, SECTIONS, _names(SECTIONS), d.sections.items())
    criteria = [c.model_dump() for c in d.criteria]
    _add_sheet(book, CRITERIA, _names(CRITERIA), _pick(criteria, _names(CRITERIA)))
    _add_sheet(
        book,
        OPTIONS,
        _names(OPTIONS),
        ([c.number, o.key, o.label, o.points] for c in d.criteria for o in c.options),
    )
    _add_sheet(
        book,
        BANDS,
        _names(BANDS),
        ([c.number, b.min, b.points] for c in d.criteria for b in c.bands),
    )
    ratings = [r.model_dump() for r in d.ratings]
    _add_sheet(book, RATINGS, _names(RATINGS), _pick(ratings, _names(RATINGS)))
    _add_sheet(book, RULE, _names(RULE), _rule_rows(d.result))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _names(sheet: str) -> list[str]:
    return [c.name for c in SCHEMAS[sheet].columns]


def _pick(rows: list[dict[str, Any]], names: list[str]) -> list[list[Any]]:
    return [[row[name] for name in names] for row in rows]


def _fact_rows(version: CriteriaSetVersion) -> list[list[Any]]:
    d = version.parsed
    cset = version.criteria_set
    out_of = d.result.out_of if isinstance(d.result, rules.PercentResult) else None
    return [
        ["code", cset.code],
        ["name", cset.name],
        ["target", d.target],
        ["local_example", cset.local_example],
        ["decision", version.decision],
        ["decision_date", version.decision_date],
        ["effective_from", version.effective_from],
        ["provenance", version.provenance],
        ["validity_days", d.validity_days],
        ["result_type", d.result.type],
        ["out_of", out_of],
    ]


def _rule_rows(result: rules.PercentResult | rules.PassedResult) -> list[list[Any]]:
    if isinstance(result, rules.PercentResult):
        return [[b.up_to, None, None, b.rating] for b in result.bands]
    tiers = [[None, t.min_passed, t.with_must_pass, t.rating] for t in result.tiers]
    return [*tiers, [None, None, None, result.otherwise]]


def _add_sheet(
    book: Workbook, title: str, headers: list[str], rows: Iterable[Sequence[Any]]
) -> None:
    sheet: Worksheet = book.create_sheet(title)
    sheet.append(headers)
    for row in rows:
        sheet.append(list(row))
        for cell in sheet[sheet.max_row]:
            if cell.data_type == "f":  # a text starting with "=" stays text, not a formula
                cell.data_type = "s"
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    for index, name in enumerate(headers, start=1):
        letter = sheet.cell(row=1, column=index).column_letter
        sheet.column_dimensions[letter].width = WIDTHS.get(name, max(12, len(name) + 2))
        wrap = WIDTHS.get(name, 0) >= 40
        for (cell,) in sheet.iter_rows(min_row=2, min_col=index, max_col=index):
            if isinstance(cell.value, date):
                cell.number_format = "DD/MM/YYYY"
            elif wrap:
                cell.alignment = Alignment(wrap_text=True, vertical="top")


# Import ----------------------------------------------------------------------------------------

Where = dict[tuple[Any, ...], tuple[str, int | None, str | None]]


def import_definition(data: bytes, filename: str) -> ImportedSet:
    """A set's file (.json or .xlsx, as exported) read and checked; nothing is stored."""
    name = filename.lower()
    if name.endswith(".json"):
        return _validated(_json_document(data), {})
    if name.endswith(".xlsx"):
        document, where = _workbook_document(tabular.read_sheets(data))
        return _validated(document, where)
    raise ImportRejected([RowError(None, None, _("Only JSON and XLSX files are accepted."))])


def _json_document(data: bytes) -> Any:
    try:
        return json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ImportRejected([RowError(None, None, f"JSON: {exc}")]) from exc


def _validated(document: Any, where: Where) -> ImportedSet:
    try:
        return ImportedSet.model_validate(document)
    except ValidationError as exc:
        raise ImportRejected([_located(e["loc"], e["msg"], where) for e in exc.errors()]) from exc


def _located(loc: tuple[Any, ...], msg: str, where: Where) -> RowError:
    """A validation error at `loc` of the document, put on the sheet, row and field it came
    from (the longest known prefix of `loc`); without one, the dotted path is the field."""
    message = str(msg).removeprefix("Value error, ")
    for end in range(len(loc), 0, -1):
        if loc[:end] in where:
            sheet, row, field_name = where[loc[:end]]
            rest = [str(p) for p in loc[end:] if isinstance(p, str)]
            return RowError(row, rest[0] if rest else field_name, message, sheet=sheet)
    return RowError(None, ".".join(str(p) for p in loc) or None, message)


@dataclass
class _Reading:
    """Rows of every sheet, the errors found assembling them, and where each part came from."""

    sheets: dict[str, list[list[str]]]
    errors: list[RowError] = field(default_factory=list)
    where: Where = field(default_factory=dict)
    broken: set[str] = field(default_factory=set)  # sheets refused (their rows are not known)

    def rows(self, sheet: str) -> list[dict[str, Any]]:
        if sheet not in self.sheets:
            if sheet not in OPTIONAL_SHEETS:
                message = _("The workbook has no sheet “%(sheet)s”.") % {"sheet": sheet}
                self.errors.append(RowError(None, None, message, sheet=sheet))
                self.broken.add(sheet)
            return []
        try:
            return tabular.read_sheet(self.sheets[sheet], SCHEMAS[sheet], sheet)
        except ImportRejected as exc:
            self.errors.extend(exc.errors)
            self.broken.add(sheet)
            return []

    def refuse(self, sheet: str, row: dict[str, Any], name: str, message: str) -> None:
        self.errors.append(RowError(row["_row"], name, message, sheet=sheet))

    def refer(
        self, sheet: str, row: dict[str, Any], name: str, known: Collection[str], other: str
    ) -> bool:
        """Whether the cell names something the sheet `other` holds; if not, an error (none
        when `other` was refused itself: its rows are unknown, not missing)."""
        if row[name] in known:
            return True
        if other not in self.broken:
            message = _("“%(value)s” is not in the sheet “%(sheet)s”.")
            self.refuse(sheet, row, name, message % {"value": row[name], "sheet": other})
        return False


def _workbook_document(sheets: dict[str, list[list[str]]]) -> tuple[dict[str, Any], Where]:
    reading = _Reading(sheets)
    facts = _facts(reading)
    sections = _sections(reading)
    criteria = _criteria(reading, sections)
    ratings = _ratings(reading)
    result = _result(reading, facts, {r["code"] for r in ratings})
    if reading.errors:
        raise ImportRejected(reading.errors)
    definition = {
        "target": facts["target"],
        "sections": sections,
        "criteria": criteria,
        "ratings": ratings,
        "result": result,
        "validity_days": facts["validity_days"],
    }
    keep = ("code", "name", "decision", "decision_date", "effective_from", "provenance")
    document = {k: facts[k] for k in (*keep, "local_example")}
    return {**document, "definition": definition}, reading.where


def _facts(reading: _Reading) -> dict[str, Any]:
    """The key/value rows validated as one record; each error goes back to its key's row."""
    rows = reading.rows(FACTS)
    if not rows and FACTS not in reading.sheets:
        return {}
    key_rows = {tabular.normalize_header(r["key"]): r["_row"] for r in rows}
    errors: list[RowError] = []
    try:
        FACT_FIELDS.map_headers(list(key_rows))
        values = {tabular.normalize_header(r["key"]): r["value"] for r in rows}
        facts = FACT_FIELDS.validate([values])[0]
    except ImportRejected as exc:
        errors = exc.errors
        facts = {}
    for e in errors:
        reading.errors.append(RowError(key_rows.get(e.field or ""), e.field, e.message, FACTS))
    for key, row in key_rows.items():
        reading.where[("definition", key)] = (FACTS, row, key)
        reading.where[(key,)] = (FACTS, row, key)
    if "out_of" in key_rows:
        out_of = ("definition", "result", "percent_bands", "out_of")
        reading.where[out_of] = (FACTS, key_rows["out_of"], "out_of")
    return facts


def _sections(reading: _Reading) -> dict[str, str]:
    sections: dict[str, str] = {}
    for row in reading.rows(SECTIONS):
        if row["code"] in sections:
            reading.refuse(SECTIONS, row, "code", _("Repeated in this file."))
        sections[row["code"]] = row["title"]
        reading.where[("definition", "sections", row["code"])] = (SECTIONS, row["_row"], "title")
    return sections


def _criteria(reading: _Reading, sections: dict[str, str]) -> list[dict[str, Any]]:
    criteria: dict[str, dict[str, Any]] = {}
    for row in reading.rows(CRITERIA):
        number = row["number"]
        if number in criteria:
            reading.refuse(CRITERIA, row, "number", _("Repeated in this file."))
        if row["section"] and sections:  # as in rules: without sections, none is checked
            reading.refer(CRITERIA, row, "section", sections, SECTIONS)
        place: tuple[Any, ...] = ("definition", "criteria", len(criteria))
        reading.where[place] = (CRITERIA, row["_row"], None)
        criteria[number] = {**_without_row(row), "options": [], "bands": []}
    for sheet, part in ((OPTIONS, "options"), (BANDS, "bands")):
        for row in reading.rows(sheet):
            if not reading.refer(sheet, row, "criterion", criteria, CRITERIA):
                continue
            criterion = criteria[row["criterion"]]
            index = list(criteria).index(row["criterion"])
            place = ("definition", "criteria", index, part, len(criterion[part]))
            reading.where[place] = (sheet, row["_row"], None)
            criterion[part].append({k: v for k, v in _without_row(row).items() if k != "criterion"})
    return list(criteria.values())


def _ratings(reading: _Reading) -> list[dict[str, Any]]:
    ratings: list[dict[str, Any]] = []
    for row in reading.rows(RATINGS):
        if any(r["code"] == row["code"] for r in ratings):
            reading.refuse(RATINGS, row, "code", _("Repeated in this file."))
        reading.where[("definition", "ratings", len(ratings))] = (RATINGS, row["_row"], None)
        ratings.append(_without_row(row))
    return ratings


def _result(reading: _Reading, facts: dict[str, Any], ratings: set[str]) -> dict[str, Any]:
    rows = reading.rows(RULE)
    for row in rows:
        reading.refer(RULE, row, "rating", ratings, RATINGS)
    kind = facts.get("result_type")
    if kind == "percent_bands":
        return _percent_result(reading, facts, rows)
    if kind == "passed_count":
        return _passed_result(reading, rows)
    return {}


def _percent_result(
    reading: _Reading, facts: dict[str, Any], rows: list[dict[str, Any]]
) -> dict[str, Any]:
    for row in rows:
        _expect(reading, row, given=["up_to"], empty=["min_passed", "with_must_pass"])
    place = ("definition", "result", "percent_bands")
    reading.where[place] = (RULE, None, None)
    for index, row in enumerate(rows):
        reading.where[(*place, "bands", index)] = (RULE, row["_row"], None)
    bands = [{"up_to": r["up_to"], "rating": r["rating"]} for r in rows]
    return {"type": "percent_bands", "out_of": facts.get("out_of"), "bands": bands}


def _passed_result(reading: _Reading, rows: list[dict[str, Any]]) -> dict[str, Any]:
    *tiers, last = rows or [{"_row": None, "rating": "", "min_passed": None}]
    for row in tiers:
        _expect(reading, row, given=["min_passed"], empty=["up_to"])
    if last["_row"] is not None:
        _expect(reading, last, given=[], empty=["up_to", "with_must_pass"])
    if last["_row"] is None or last["min_passed"] is not None:
        message = _("The last row gives the rating otherwise: it has no min_passed.")
        reading.errors.append(RowError(last["_row"], "min_passed", message, sheet=RULE))
    place = ("definition", "result", "passed_count")
    reading.where[place] = (RULE, None, None)
    reading.where[(*place, "otherwise")] = (RULE, last["_row"], "rating")
    for index, row in enumerate(tiers):
        reading.where[(*place, "tiers", index)] = (RULE, row["_row"], None)
    return {
        "type": "passed_count",
        "tiers": [_tier(r) for r in tiers],
        "otherwise": last["rating"],
    }


def _tier(row: dict[str, Any]) -> dict[str, Any]:
    with_must_pass = True if row["with_must_pass"] is None else row["with_must_pass"]
    return {
        "min_passed": row["min_passed"],
        "with_must_pass": with_must_pass,
        "rating": row["rating"],
    }


def _expect(reading: _Reading, row: dict[str, Any], given: list[str], empty: list[str]) -> None:
    for name in given:
        if row[name] is None:
            reading.refuse(RULE, row, name, _("This field is required."))
    for name in empty:
        if row[name] is not None:
            reading.refuse(RULE, row, name, _("Leave this empty for this kind of result rule."))


def _without_row(row: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in row.items() if k != "_row"}
