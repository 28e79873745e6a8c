"""Levels of real provinces in 2021, from the Ministry of Health's daily counts (4800, criterion 1).

Used by `manage.py real_province_levels` and the public page of provincial levels.

The counts (`vungxanh/risk/data/province_daily_cases_moh.csv`, see the README there) are every
confirmed case announced in a province on a day: the source does not split community cases from
cases found in quarantine or lockdown. They are all counted here as community cases of known
source, so every rate and level below is an upper bound of the community rate's.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import numpy as np

from vungxanh.areas.official import POPULATION_FILE
from vungxanh.risk import engine
from vungxanh.risk.rules import DATA_DIR, LEVELS, RateMatrix, RulesetParams, shipped_rulesets

CASES_FILE = DATA_DIR / "province_daily_cases_moh.csv"
RULESET = "4800"
DEFAULT_PROVINCES = ("56", "58", "66")  # Khánh Hòa, Ninh Thuận, Đắk Lắk
DEFAULT_FROM = "2021-07-01"
DEFAULT_TO = "2022-01-22"
CSV_HEADER = (
    "week_ending",
    "province_code",
    "province_name",
    "cases_7d",
    "rate_per_100k",
    "level",
    "colour",
)
UPPER_BOUND_NOTE = (
    "The source does not split community cases from quarantine cases: every confirmed case is "
    "counted as a community case, so these rates and levels are UPPER BOUNDS of the community "
    "rate."
)


@dataclass(frozen=True)
class DailyCounts:
    """The MoH series: province names, and one (day, province code, new cases) row a day."""

    names: dict[str, str]
    rows: list[tuple[date, str, int]]
    first_day: date
    last_day: date


@dataclass(frozen=True)
class LevelRow:
    week_ending: date
    province_code: str
    province_name: str
    cases_7d: int
    rate_per_100k: float
    level: int

    @property
    def colour(self) -> str:
        return LEVELS[self.level]

    def csv_row(self) -> list[str]:
        return [
            self.week_ending.isoformat(),
            self.province_code,
            self.province_name,
            str(self.cases_7d),
            f"{self.rate_per_100k:.2f}",
            str(self.level),
            self.colour,
        ]


def province_code(text: str) -> str:
    """ "1", "01" → "01": the product's 2-digit codes."""
    text = text.strip()
    if not (text.isdigit() and 1 <= len(text) <= 2):
        raise ValueError(f"--province {text!r}: a province code is 1 or 2 digits, like 56 or 01")
    return text.zfill(2)


def checked_province(code: str, counts: DailyCounts, population: dict[str, int]) -> str:
    if code not in population:
        raise ValueError(
            f"--province {code}: unknown province code (not in the 2020 population list "
            f"{POPULATION_FILE.name}; codes run from 01 to 96, with gaps)"
        )
    if code not in counts.names:
        raise ValueError(
            f"--province {code}: no daily series for this province in {CASES_FILE.name} "
            "(the source leaves out Cao Bằng, Hải Phòng, Kiên Giang and Cà Mau)"
        )
    return code


def parse_day(option: str, text: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError as exc:
        raise ValueError(f"{option} {text!r}: not a date (YYYY-MM-DD)") from exc


def read_daily_counts(path: Path) -> DailyCounts:
    names: dict[str, str] = {}
    rows: list[tuple[date, str, int]] = []
    with path.open(encoding="utf-8", newline="") as f:
        for r in csv.DictReader(f):
            code = r["province_code"].zfill(2)
            names[code] = r["province_name"]
            rows.append((date.fromisoformat(r["date"]), code, int(r["new_cases"])))
    if not rows:
        raise ValueError(f"{path}: no rows")
    days = [d for d, _, _ in rows]
    return DailyCounts(names, rows, min(days), max(days))


def read_population(path: Path) -> dict[str, int]:
    with path.open(encoding="utf-8", newline="") as f:
        return {
            r["province_code"].zfill(2): int(r["average_population_2020"])
            for r in csv.DictReader(f)
        }


def criterion_1_params(params: RulesetParams) -> RulesetParams:
    """4800's rate matrix with coverage out of it: criterion 1 (the weekly rate) alone.

    Chosen: every band's `not_met` is set to its `met`, so the level is the band's level whatever
    the coverage (none is given). The treatment-capacity floor is switched off as well: with no
    coverage rows the engine takes capacity as met anyway, and criterion 1 does not look at it.
    """
    copy = params.model_copy(deep=True)
    method = copy.area_method
    if not isinstance(method, RateMatrix):
        raise ValueError(f"ruleset {RULESET} is not a rate matrix")
    for band in method.bands:
        band.not_met = band.met
    method.treatment_floor = False
    return copy


def reported_days(
    date_from: date, date_to: date, first_data_day: date, window: int, weekly: bool
) -> list[date]:
    """Days from `date_from` to `date_to` (Sundays if weekly) whose whole window has data."""
    first = max(date_from, first_data_day + timedelta(days=window - 1))
    days = [first + timedelta(days=i) for i in range((date_to - first).days + 1)]
    return [d for d in days if not weekly or d.weekday() == 6]


def engine_cases(counts: DailyCounts, tree: engine.Tree) -> engine.Cases:
    """Daily counts of the tree's provinces, all as community cases of known source."""
    rows = [(d, tree.index[c], n) for d, c, n in counts.rows if c in tree.index and n > 0]
    n = len(rows)
    return engine.Cases(
        day=np.array([d for d, _, _ in rows], dtype="datetime64[D]"),
        area=np.array([a for _, a, _ in rows], dtype=np.int64),
        count=np.array([k for _, _, k in rows], dtype=np.int64),
        setting=np.full(n, engine.SETTINGS.index("community"), dtype=np.int64),
        source_known=np.ones(n, dtype=bool),
        high_contact=np.zeros(n, dtype=bool),
    )


def level_rows(
    result: engine.Assessment, tree: engine.Tree, names: dict[str, str], days: set[date]
) -> list[LevelRow]:
    """By day, then in the order the provinces were asked for."""
    return [
        LevelRow(
            week_ending=day,
            province_code=code,
            province_name=names[code],
            cases_7d=int(result.cases[a, t]),
            rate_per_100k=float(result.rate[a, t]),
            level=int(result.level[a, t]),
        )
        for t, day in enumerate(result.days)
        if day in days
        for a, code in enumerate(tree.codes)
    ]


def bands_text(params: RulesetParams) -> str:
    method = params.area_method
    assert isinstance(method, RateMatrix)
    parts: list[str] = []
    lower: float | None = None
    for band in method.bands:
        if lower is None:
            span = f"<{band.below:g}"
        elif band.below is None:
            span = f"≥{lower:g}"
        else:
            span = f"{lower:g}–<{band.below:g}"
        note = "" if band.status == "confirmed" else f" ({band.status})"
        parts.append(f"{span} {LEVELS[band.met]}{note}")
        lower = band.below
    return ", ".join(parts)


def header(
    params: RulesetParams,
    weekly: bool,
    date_from: date,
    date_to: date,
    days: list[date],
    first_data_day: date,
) -> str:
    w = params.window_days
    when = (
        f"each Sunday, for the {w} days ending on it"
        if weekly
        else f"every day, for the {w} days ending on it"
    )
    lines = [
        f"Risk levels under Decision 4800/QĐ-BYT, criterion 1 only: cases in {w} days per "
        "100,000 people; vaccine coverage and treatment capacity not considered.",
        f"Bands: {bands_text(params)}; no case in {w} days: {LEVELS[_no_case_level(params)]}.",
        "Cases: Ministry of Health dashboard, new confirmed cases a day by province, by "
        f"announcement date ({CASES_FILE.name}). " + UPPER_BOUND_NOTE,
        'A zero in the source can mean "no report that day" (Đắk Lắk reported in batches).',
        "Population: General Statistics Office, average population of 2020.",
        f"Period {date_from} to {date_to}: {when}, from {days[0]} to {days[-1]} (a day whose "
        f"{w} days start before the series, {first_data_day}, is left out).",
        "",
        "",
    ]
    return "\n".join(lines)


def _no_case_level(params: RulesetParams) -> int:
    assert isinstance(params.area_method, RateMatrix)
    return params.area_method.no_case_level


def table(rows: list[LevelRow]) -> str:
    head = ("week_ending", "code", "province", "cases_7d", "rate/100k", "level", "colour")
    cells = [
        (
            r.week_ending.isoformat(),
            r.province_code,
            r.province_name,
            str(r.cases_7d),
            f"{r.rate_per_100k:.1f}",
            str(r.level),
            r.colour,
        )
        for r in rows
    ]
    widths = [max(len(c[i]) for c in [head, *cells]) for i in range(len(head))]
    right = {3, 4, 5}  # numbers

    def line(c: tuple[str, ...]) -> str:
        return "  ".join(
            v.rjust(widths[i]) if i in right else v.ljust(widths[i]) for i, v in enumerate(c)
        ).rstrip()

    out = [line(head), "  ".join("-" * n for n in widths)]
    previous: str | None = None
    several = len({r.province_code for r in rows}) > 1
    for c in cells:
        if several and previous is not None and c[0] != previous:
            out.append("")
        out.append(line(c))
        previous = c[0]
    return "\n".join(out)


def write_csv(path: Path, rows: list[LevelRow]) -> None:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_HEADER)
    writer.writerows(r.csv_row() for r in rows)
    path.write_text(out.getvalue(), encoding="utf-8")


@dataclass
class Assessed:
    params: RulesetParams
    days: list[date]
    rows: list[LevelRow]
    counts: DailyCounts


def assess_provinces(
    provinces: list[str] | tuple[str, ...], date_from: date, date_to: date, weekly: bool = True
) -> Assessed:
    """Levels of the provinces under 4800's criterion 1; ValueError names what is wrong."""
    counts = read_daily_counts(CASES_FILE)
    population = read_population(POPULATION_FILE)
    codes = [
        checked_province(code, counts, population)
        for code in dict.fromkeys(province_code(text) for text in provinces)
    ]
    if date_to < date_from:
        raise ValueError(f"--to {date_to} is before --from {date_from}")
    if date_from < counts.first_day or date_to > counts.last_day:
        raise ValueError(
            f"--from/--to: the MoH series covers {counts.first_day} to {counts.last_day} only"
        )
    params = criterion_1_params(shipped_rulesets()[RULESET].params)
    days = reported_days(date_from, date_to, counts.first_day, params.window_days, weekly)
    if not days:
        raise ValueError(
            f"no {'Sunday' if weekly else 'day'} from {date_from} to {date_to} "
            f"has its {params.window_days} days within the MoH series "
            f"({counts.first_day} to {counts.last_day})"
        )
    tree = engine.Tree(
        codes=codes,
        parent=np.full(len(codes), -1, dtype=np.int64),  # flat: every province a root
        population=np.array([float(population[c]) for c in codes], dtype=np.float64),
    )
    cases = engine_cases(counts, tree)
    result = engine.assess(tree, cases, engine.Coverage.empty(), params, days[0], days[-1])
    return Assessed(params, days, level_rows(result, tree, counts.names, set(days)), counts)
