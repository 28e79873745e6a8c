"""The engine's inputs and output as files: CASES.csv, AREAS.csv, COVERAGE.csv → LEVELS.csv."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import numpy as np
from django.utils.translation import gettext as _

from vungxanh.lib import tabular
from vungxanh.lib.tabular import Column, ImportRejected, RowError, Schema

from . import engine, explain
from .rules import LEVELS, RulesetParams

AREAS_SCHEMA = Schema(
    [
        Column("area_code", tabular.parse_code),
        Column("parent_code", tabular.parse_code, required=False),
        Column("population", tabular.parse_non_negative_int),
    ]
)
CASES_SCHEMA = Schema(
    [
        Column("date", tabular.parse_date, aliases=("ngay", "ngày")),
        Column("area_code", tabular.parse_code, aliases=("ma_dia_ban", "mã địa bàn", "ma_xa")),
        Column(
            "count",
            tabular.parse_non_negative_int,
            required=False,
            default=1,
            aliases=("so_ca", "số ca"),
        ),
        Column(
            "setting",
            tabular.choice_parser([(s, s) for s in engine.SETTINGS]),
            required=False,
            default="community",
        ),
        Column("source_known", tabular.parse_yes_no, required=False, default=True),
        Column("high_contact", tabular.parse_yes_no, required=False, default=False),
        Column("note", required=False, default=""),
    ],
    max_rows=10_000_000,
)
COVERAGE_SCHEMA = Schema(
    [
        Column("area_code", tabular.parse_code),
        Column("date", tabular.parse_date),
        Column("first_dose_18_pct", tabular.parse_percentage, required=False),
        Column("full_dose_50_pct", tabular.parse_percentage, required=False),
        Column("treatment_ok", tabular.parse_yes_no, required=False, default=True),
    ]
)


class FileRejected(Exception):
    def __init__(self, path: Path, errors: list[RowError]):
        self.path = path
        self.errors = errors
        super().__init__("\n".join(f"{path.name}: {e}" for e in errors))


def _read(path: Path, schema: Schema) -> list[dict[str, object]]:
    try:
        return tabular.read_rows(path.read_bytes(), path.name, schema)
    except ImportRejected as exc:
        raise FileRejected(path, exc.errors) from exc
    except OSError as exc:
        raise FileRejected(path, [RowError(None, None, str(exc))]) from exc


def read_tree(path: Path) -> engine.Tree:
    rows = _read(path, AREAS_SCHEMA)
    codes = [str(r["area_code"]) for r in rows]
    errors: list[RowError] = []
    seen: set[str] = set()
    for r in rows:
        if r["area_code"] in seen:
            errors.append(RowError(_row(r), "area_code", _("Repeated in this file.")))
        seen.add(str(r["area_code"]))
        if r["parent_code"] and r["parent_code"] not in set(codes):
            errors.append(RowError(_row(r), "parent_code", _("No such area in this file.")))
        if r["population"] == 0:
            errors.append(RowError(_row(r), "population", _("The population must be positive.")))
    if errors:
        raise FileRejected(path, errors)
    index = {c: i for i, c in enumerate(codes)}
    parent = np.array([index[str(r["parent_code"])] if r["parent_code"] else -1 for r in rows])
    try:
        return engine.Tree(codes, parent, np.array([float(r["population"]) for r in rows]))  # type: ignore[arg-type]
    except ValueError as exc:
        raise FileRejected(path, [RowError(None, "parent_code", str(exc))]) from exc


def read_cases(path: Path, tree: engine.Tree) -> engine.Cases:
    rows = _read(path, CASES_SCHEMA)
    _check_areas(path, rows, tree)
    return engine.Cases(
        day=np.array([r["date"] for r in rows], dtype="datetime64[D]"),
        area=np.array([tree.index[str(r["area_code"])] for r in rows], dtype=np.int64),
        count=np.array([r["count"] for r in rows], dtype=np.int64),
        setting=np.array([engine.SETTINGS.index(str(r["setting"])) for r in rows], dtype=np.int64),
        source_known=np.array([r["source_known"] for r in rows], dtype=bool),
        high_contact=np.array([r["high_contact"] for r in rows], dtype=bool),
    )


def read_coverage(path: Path, tree: engine.Tree) -> engine.Coverage:
    rows = _read(path, COVERAGE_SCHEMA)
    _check_areas(path, rows, tree)

    def floats(name: str) -> np.ndarray:
        return np.array([np.nan if r[name] is None else r[name] for r in rows], dtype=np.float64)

    return engine.Coverage(
        day=np.array([r["date"] for r in rows], dtype="datetime64[D]"),
        area=np.array([tree.index[str(r["area_code"])] for r in rows], dtype=np.int64),
        first_dose_18_pct=floats("first_dose_18_pct"),
        full_dose_50_pct=floats("full_dose_50_pct"),
        treatment_ok=np.array([r["treatment_ok"] for r in rows], dtype=bool),
    )


def _check_areas(path: Path, rows: list[dict[str, object]], tree: engine.Tree) -> None:
    errors = [
        RowError(_row(r), "area_code", _("No such area in the areas file."))
        for r in rows
        if r["area_code"] not in tree.index
    ]
    if errors:
        raise FileRejected(path, errors)


def _row(r: dict[str, object]) -> int:
    return int(r["_row"])  # type: ignore[call-overload]


def level_rows(
    result: engine.Assessment, tree: engine.Tree, params: RulesetParams
) -> Iterator[tuple[str, str, int, str, str]]:
    """LEVELS.csv rows: by day, then in the order of the areas file."""
    for t, day in enumerate(result.days):
        for a, code in enumerate(tree.codes):
            level = int(result.level[a, t])
            yield (
                day.isoformat(),
                code,
                level,
                LEVELS[level],
                explain.explain(result.facts(a, t), params),
            )


def write_levels(
    path: Path, result: engine.Assessment, tree: engine.Tree, params: RulesetParams
) -> int:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["date", "area_code", "level", "colour", "explanation"])
    count = 0
    for row in level_rows(result, tree, params):
        writer.writerow(row)
        count += 1
    path.write_text(out.getvalue(), encoding="utf-8")
    return count


def parse_day(text: str) -> date:
    return tabular.parse_date(text)
