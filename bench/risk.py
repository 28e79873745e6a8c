"""Vùng Xanh risk benchmark: the level engine, its storage and its reads, each beside a baseline.

    python bench/risk.py [--communes 10600] [--days 365] [--repeat 3]
                         [--provinces all] [--start 2021-01-01] [--day 2021-07-15]

A synthetic country on the real tree (`load_official_units`: 63 provinces, 705 districts, the
communes thinned evenly to --communes) and --days of daily cases from a seeded NumPy generator:
per commune a Poisson count whose daily rate is a skewed (log-normal) commune rate plus provincial
outbreak waves over some of its districts' communes; settings, known source and high-contact
settings in fixed shares. Cases are inserted as `CaseRecord` rows (provenance "simulated") and
vaccine coverage as monthly `Coverage` rows per commune (treatment capacity always there).

1. The engine alone (`engine.assess`) on the whole country and every day, under 4800 and 2686,
   beside a plain vectorized NumPy computation of the same levels written here; the two must give
   equal levels.
2. The whole span end to end, `do_recompute_levels(None, first, last)`, on an empty level table
   and once more over its own rows, beside the engine alone on the same stretches of rulesets in
   force plus a raw executemany INSERT of the same rows into `bench_arealevel`, a copy of
   `risk_arealevel` (same columns, keys and indexes); the rows must be identical.
3. One day end to end, `do_recompute_levels(None, day, day)` over the stored span, beside the
   engine alone on that day plus the INSERT of its rows into an empty `bench_arealevel`.
4. The levels API in-process (Django's test Client) for one district's communes and one
   province's districts, and every commune of the country on one day (`?tier=commune`, with and
   without explanations; and, for comparison, `?parent=` over every district), beside one SQL
   SELECT of the same rows.

Figures are medians of --repeat runs (reads after one warm-up). `main()` alone makes the scratch
database, as bench/run.py does: a temporary SQLite file, or a `vungxanh_bench_<pid>` database on
the PostgreSQL server of DATABASE_URL, dropped at the end. The measuring functions run on
whatever database Django is configured with, which must be a scratch or test database.
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # `python bench/risk.py`

import numpy as np
import numpy.typing as npt
from django.db import connection, transaction

from bench.run import (
    Figure,
    _median_time,
    _ms,
    _timed,
    in_scratch_database,
    machine_facts,
    province_codes,
    table,
)

if TYPE_CHECKING:
    from vungxanh.risk import engine
    from vungxanh.risk.rules import RulesetParams

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
Levels = npt.NDArray[np.int8]

START = date(2021, 1, 1)
DAY = date(2021, 7, 15)
SEED = 2021
LEVEL_BENCH_TABLE = "bench_arealevel"

# The generator's fixed shares.
COMMUNITY_SHARE = 0.85  # of cases; the rest were found in quarantine (70%) or lockdown
QUARANTINE_SHARE = 0.7
UNKNOWN_SHARE = 0.08  # of community cases: source unknown
HIGH_CONTACT_SHARE = 0.03  # of the other community cases: in a high-contact setting
BASE_RATE = 0.002  # median cases per commune per day outside outbreaks (log-normal, sigma 1.5)
WAVES_PER_PROVINCE = 1.2  # Poisson mean of outbreak waves in a province over the span
# Given to assessed areas without a population (in the official tree, five island districts with
# no commune): under 4800 their rate, hence `value`, is NaN, which SQLite stores as NULL, and
# `do_recompute_levels` fails on the NOT NULL constraint of risk_arealevel.value.
NOMINAL_POPULATION = 1000


@dataclass
class Target:
    """A figure's target: a time in seconds, or a ratio to its baseline."""

    limit: float
    of_ratio: bool = False

    def text(self) -> str:
        if self.of_ratio:
            return f"ratio ≤ {self.limit:g}"
        if self.limit < 1:
            return f"≤ {self.limit * 1000:g} ms"
        return f"≤ {self.limit:g} s"

    def met(self, figure: Figure) -> bool:
        return (figure.ratio if self.of_ratio else figure.figure) <= self.limit


@dataclass
class Line:
    figure: Figure
    target: Target | None = None


@dataclass
class Country:
    """The areas as the engine sees them (tree order: by path) and the inputs as arrays."""

    ids: IntArray  # primary keys
    codes: list[str]
    parent: IntArray  # tree index of the parent, -1 for a province
    population: FloatArray
    depth: IntArray  # 1 province, 2 district, 3 commune
    cases: engine.Cases
    coverage: engine.Coverage
    start: date
    days: int
    case_rows: int
    coverage_rows: int
    dropped_communes: int
    no_population: list[str]  # codes given NOMINAL_POPULATION
    setup: dict[str, float]

    @property
    def end(self) -> date:
        return self.start + timedelta(days=self.days - 1)

    def count(self, depth: int) -> int:
        return int((self.depth == depth).sum())

    def tree(self) -> engine.Tree:
        from vungxanh.risk import engine

        return engine.Tree(codes=self.codes, parent=self.parent, population=self.population)

    def inputs(self, since: date, until: date) -> tuple[engine.Cases, engine.Coverage]:
        """The cases of [since, until] and the coverage rows up to `until`, as the product
        reads them."""
        from vungxanh.risk import engine

        c = self.cases
        keep = (c.day >= np.datetime64(since, "D")) & (c.day <= np.datetime64(until, "D"))
        cases = engine.Cases(
            c.day[keep],
            c.area[keep],
            c.count[keep],
            c.setting[keep],
            c.source_known[keep],
            c.high_contact[keep],
        )
        v = self.coverage
        upto = v.day <= np.datetime64(until, "D")
        coverage = engine.Coverage(
            v.day[upto],
            v.area[upto],
            v.first_dose_18_pct[upto],
            v.full_dose_50_pct[upto],
            v.treatment_ok[upto],
        )
        return cases, coverage


# The country. -------------------------------------------------------------------------------


def ensure_rulesets() -> None:
    """The shipped rulesets, as the data migration installs them (a flushed test database has
    none)."""
    from vungxanh.risk.models import Ruleset, RulesetVersion
    from vungxanh.risk.rules import install_shipped_rulesets

    if not RulesetVersion.objects.exists():
        install_shipped_rulesets(Ruleset, RulesetVersion)


def build_country(
    codes: list[str] | None,
    communes: int | None,
    start: date = START,
    days: int = 365,
    seed: int = SEED,
) -> Country:
    """Load the real units (thinned to `communes`), simulate inputs and insert them."""
    from vungxanh.areas.models import Area
    from vungxanh.areas.official import load_official_units

    if Area.objects.exists():
        raise RuntimeError("build_country needs an empty areas table (use a scratch database)")
    ensure_rulesets()
    setup: dict[str, float] = {}
    setup["load_official_units"], _report = _timed(lambda: load_official_units(codes))
    dropped = _thin_communes(communes)
    no_population = _fill_missing_population()
    ids, codes_, parent, population, depth = _areas()
    rng = np.random.default_rng(seed)
    elapsed, counts = _timed(lambda: _simulate_counts(rng, parent, depth, days))
    setup["simulate"] = elapsed
    cases = _split_cases(rng, counts, np.flatnonzero(depth == 3), start)
    coverage = _simulate_coverage(rng, np.flatnonzero(depth == 3), start, days)
    setup["insert cases"] = _timed(lambda: _insert_cases(ids, cases))[0]
    setup["insert coverage"] = _timed(lambda: _insert_coverage(ids, coverage))[0]
    with connection.cursor() as cursor:
        for model in ("risk_caserecord", "risk_coverage", "areas_area"):
            cursor.execute(f"ANALYZE {connection.ops.quote_name(model)}")
    return Country(
        ids=ids,
        codes=codes_,
        parent=parent,
        population=population,
        depth=depth,
        cases=cases,
        coverage=coverage,
        start=start,
        days=days,
        case_rows=len(cases.day),
        coverage_rows=len(coverage.day),
        dropped_communes=dropped,
        no_population=no_population,
        setup=setup,
    )


def _thin_communes(wanted: int | None) -> int:
    """Keep `wanted` communes, spread evenly over the tree; the number dropped."""
    from vungxanh.areas.models import Area

    communes = list(Area.objects.filter(level=3).order_by("path").values_list("pk", flat=True))
    if wanted is None or wanted >= len(communes):
        if wanted is not None and wanted > len(communes):
            raise ValueError(f"--communes: the real tree has {len(communes)} communes")
        return 0
    keep = set(np.linspace(0, len(communes) - 1, wanted).round().astype(np.int64).tolist())
    drop = [pk for i, pk in enumerate(communes) if i not in keep]
    Area.objects.filter(pk__in=drop).delete()
    return len(drop)


def _fill_missing_population() -> list[str]:
    """Give NOMINAL_POPULATION to the assessed areas that have none; their codes."""
    from django.db.models import Q

    from vungxanh.areas.models import Area
    from vungxanh.risk.actions import ASSESSED_TYPES

    missing = Area.objects.filter(Q(population=None) | Q(population=0), type__in=ASSESSED_TYPES)
    codes = sorted(missing.values_list("code", flat=True))
    Area.objects.filter(code__in=codes).update(population=NOMINAL_POPULATION)
    return codes


def _areas() -> tuple[IntArray, list[str], IntArray, FloatArray, IntArray]:
    """The assessed areas in the order the product's recompute uses (by path)."""
    from vungxanh.areas.models import Area
    from vungxanh.risk.actions import ASSESSED_TYPES

    rows = list(
        Area.objects.filter(type__in=ASSESSED_TYPES)
        .order_by("path")
        .values_list("pk", "code", "parent_id", "population", "level")
    )
    position = {r[0]: i for i, r in enumerate(rows)}
    return (
        np.array([r[0] for r in rows], dtype=np.int64),
        [r[1] for r in rows],
        np.array([position.get(r[2], -1) for r in rows], dtype=np.int64),
        np.array([float(r[3] or 0) for r in rows]),
        np.array([r[4] for r in rows], dtype=np.int64),
    )


def _simulate_counts(
    rng: np.random.Generator, parent: IntArray, depth: IntArray, days: int
) -> IntArray:
    """Cases per commune and day: Poisson, the rate a log-normal commune rate plus waves.

    A province has Poisson(1.2) waves, each a Gaussian bump in time (peak anywhere in the span,
    width 7–35 days, log-normal height) over 60% of the communes of a third of its districts.
    """
    communes = np.flatnonzero(depth == 3)
    district = parent[communes]
    province = parent[district]
    t = np.arange(days, dtype=np.float64)
    rate = np.repeat(rng.lognormal(np.log(BASE_RATE), 1.5, len(communes))[:, None], days, axis=1)
    for p in np.unique(province):
        in_p = np.flatnonzero(province == p)
        for _ in range(rng.poisson(WAVES_PER_PROVINCE)):
            peak, width = rng.uniform(0, days), rng.uniform(7, 35)
            height = rng.lognormal(np.log(0.4), 1.0)
            districts = np.unique(district[in_p])
            hit = districts[rng.random(len(districts)) < 1 / 3]
            affected = in_p[np.isin(district[in_p], hit) & (rng.random(len(in_p)) < 0.6)]
            curve = height * np.exp(-0.5 * ((t - peak) / width) ** 2)
            rate[affected] += curve[None, :] * rng.lognormal(0.0, 0.7, len(affected))[:, None]
    return rng.poisson(rate).astype(np.int64)


def _split_cases(
    rng: np.random.Generator, counts: IntArray, communes: IntArray, start: date
) -> engine.Cases:
    """One row per commune, day and kind of case (known, unknown, high-contact, quarantine,
    lockdown) that has any; areas are tree indexes."""
    from vungxanh.risk import engine

    where, day = np.nonzero(counts)
    n = counts[where, day]
    community = rng.binomial(n, COMMUNITY_SHARE)
    quarantine = rng.binomial(n - community, QUARANTINE_SHARE)
    lockdown = n - community - quarantine
    unknown = rng.binomial(community, UNKNOWN_SHARE)
    high = rng.binomial(community - unknown, HIGH_CONTACT_SHARE)
    known = community - unknown - high
    setting = {s: engine.SETTINGS.index(s) for s in engine.SETTINGS}
    kinds = [  # count, setting, source known, high contact
        (known, setting["community"], True, False),
        (unknown, setting["community"], False, False),
        (high, setting["community"], True, True),
        (quarantine, setting["quarantine"], True, False),
        (lockdown, setting["lockdown"], True, False),
    ]
    parts: dict[str, list[npt.NDArray[Any]]] = {k: [] for k in engine.Cases.__annotations__}
    for count, kind, known_source, high_contact in kinds:
        some = count > 0
        parts["day"].append(np.datetime64(start, "D") + day[some])
        parts["area"].append(communes[where[some]])
        parts["count"].append(count[some])
        parts["setting"].append(np.full(some.sum(), kind, dtype=np.int64))
        parts["source_known"].append(np.full(some.sum(), known_source))
        parts["high_contact"].append(np.full(some.sum(), high_contact))
    joined = {k: np.concatenate(v) for k, v in parts.items()}
    order = np.lexsort((joined["area"], joined["day"]))  # by day, then area: as entered
    return engine.Cases(
        day=joined["day"][order].astype("datetime64[D]"),
        area=joined["area"][order].astype(np.int64),
        count=joined["count"][order].astype(np.int64),
        setting=joined["setting"][order],
        source_known=joined["source_known"][order].astype(bool),
        high_contact=joined["high_contact"][order].astype(bool),
    )


def _simulate_coverage(
    rng: np.random.Generator, communes: IntArray, start: date, days: int
) -> engine.Coverage:
    """A row per commune on the first day and on the 1st of every later month: 18+ first-dose
    coverage flat at 0.5–5% until a commune-specific day in April–July, then rising linearly
    over 120–220 days to 80–99.5%; full dose 60% of it; treatment capacity always there."""
    from vungxanh.risk import engine

    firsts = [start] + [
        d
        for d in (start + timedelta(days=i) for i in range(1, days))
        if d.day == 1  # the 1st of each month after the first day
    ]
    n, m = len(communes), len(firsts)
    low, high = rng.uniform(0.5, 5, n), rng.uniform(80, 99.5, n)
    rise_from = rng.uniform(90, 200, n)  # day of the year
    rise_days = rng.uniform(120, 220, n)
    doy = np.array([(d - date(d.year, 1, 1)).days for d in firsts], dtype=np.float64)
    progress = np.clip((doy[None, :] - rise_from[:, None]) / rise_days[:, None], 0, 1)
    first_dose = np.round(low[:, None] + (high - low)[:, None] * progress, 1)
    return engine.Coverage(
        day=np.tile(np.array(firsts, dtype="datetime64[D]"), n),
        area=np.repeat(communes, m),
        first_dose_18_pct=first_dose.ravel(),
        full_dose_50_pct=np.round(first_dose * 0.6, 1).ravel(),
        treatment_ok=np.ones(n * m, dtype=bool),
    )


def _insert_rows(model: Any, values: dict[str, list[Any]]) -> None:
    """A raw executemany INSERT of every concrete column of `model` but the id."""
    quote = connection.ops.quote_name
    columns = [f.column for f in model._meta.concrete_fields if f.column != "id"]
    if set(columns) != set(values):
        raise RuntimeError(f"the rows do not fill exactly the columns {columns}")
    sql = (
        f"INSERT INTO {quote(model._meta.db_table)} ({', '.join(quote(c) for c in columns)}) "
        f"VALUES ({', '.join(['%s'] * len(columns))})"
    )
    rows = list(zip(*(values[c] for c in columns), strict=True))
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.executemany(sql, rows)


def _now() -> Any:
    from django.utils import timezone

    return connection.ops.adapt_datetimefield_value(timezone.now())


def _insert_cases(ids: IntArray, cases: engine.Cases) -> None:
    from vungxanh.risk import engine
    from vungxanh.risk.models import CaseRecord, Provenance

    n = len(cases.day)
    _insert_rows(
        CaseRecord,
        {
            "area_id": ids[cases.area].tolist(),
            "date": cases.day.astype(date).tolist(),
            "count": cases.count.tolist(),
            "setting": np.array(engine.SETTINGS)[cases.setting].tolist(),
            "source_known": cases.source_known.tolist(),
            "high_contact": cases.high_contact.tolist(),
            "provenance": [str(Provenance.SIMULATED)] * n,
            "note": ["bench/risk.py"] * n,
            "created_by_id": [None] * n,
            "created_at": [_now()] * n,
        },
    )


def _insert_coverage(ids: IntArray, coverage: engine.Coverage) -> None:
    from vungxanh.risk.models import Coverage, Provenance

    n = len(coverage.day)
    _insert_rows(
        Coverage,
        {
            "area_id": ids[coverage.area].tolist(),
            "date": coverage.day.astype(date).tolist(),
            "first_dose_18_pct": coverage.first_dose_18_pct.tolist(),
            "full_dose_50_pct": coverage.full_dose_50_pct.tolist(),
            "treatment_ok": coverage.treatment_ok.tolist(),
            "provenance": [str(Provenance.SIMULATED)] * n,
            "created_at": [_now()] * n,
        },
    )


# The baselines: the same levels by plain NumPy. ----------------------------------------------


def baseline_levels(
    country: Country, params: RulesetParams, date_from: date, date_to: date
) -> Levels:
    """Levels of every area and day of [date_from, date_to] under 4800 or 2686 (dispatched on
    the ruleset's shape), from the same case and coverage rows the engine is given."""
    from vungxanh.risk.rules import RateMatrix

    if isinstance(params.area_method, RateMatrix):
        return baseline_4800(country, params, date_from, date_to)
    return baseline_2686(country, params, date_from, date_to)


def _windowed(
    country: Country, params: RulesetParams, date_from: date, date_to: date
) -> Callable[[npt.NDArray[np.bool_] | None], IntArray]:
    """A function of a mask of case rows: their counted cases in the window ending each day,
    per area (its own and every case below it) and day of [date_from, date_to]."""
    from vungxanh.risk import engine

    window = params.window_days
    origin = date_from - timedelta(days=window - 1)
    n_days = (date_to - origin).days + 1
    n_areas = len(country.ids)
    cases = country.cases
    day = (cases.day - np.datetime64(origin, "D")).astype(np.int64)
    counted = np.isin(cases.setting, [engine.SETTINGS.index(s) for s in params.counted_settings])
    keep = counted & (day >= 0) & (day < n_days)
    children = [np.flatnonzero(country.depth == d) for d in (3, 2)]  # communes, then districts

    def windowed(mask: npt.NDArray[np.bool_] | None) -> IntArray:
        rows = keep if mask is None else keep & mask
        daily = np.bincount(
            cases.area[rows] * n_days + day[rows],
            weights=cases.count[rows],
            minlength=n_areas * n_days,
        ).reshape(n_areas, n_days)
        for kids in children:  # up the tree: into districts, then into provinces
            np.add.at(daily, country.parent[kids], daily[kids])
        running = np.cumsum(daily, axis=1).astype(np.int64)
        sums = running[:, window - 1 :].copy()
        sums[:, 1:] -= running[:, :-window]
        return sums

    return windowed


def _rate(count: IntArray, population: FloatArray) -> npt.NDArray[np.float32]:
    """Per 100,000 people, NaN without population; float32, as the engine stores it."""
    with np.errstate(divide="ignore", invalid="ignore"):
        rate = count * 100_000.0 / population[:, None]
    return np.where(population[:, None] > 0, rate, np.nan).astype(np.float32)


def _coverage_in_force(
    country: Country, metric: str, date_from: date, date_to: date
) -> npt.NDArray[np.float32]:
    """The coverage percentage in force per area and day: each row from its day on."""
    v = country.coverage
    n_days = (date_to - date_from).days + 1
    day = np.clip((v.day - np.datetime64(date_from, "D")).astype(np.int64), 0, None)
    order = np.lexsort((day, v.area))
    order = order[day[order] < n_days]
    latest = np.zeros((len(country.ids), n_days), dtype=np.int64)
    latest[v.area[order], day[order]] = np.arange(1, len(order) + 1)
    np.maximum.accumulate(latest, axis=1, out=latest)
    values = np.r_[np.nan, getattr(v, metric)[order]].astype(np.float32)
    return values[latest]


def baseline_4800(
    country: Country, params: RulesetParams, date_from: date, date_to: date
) -> Levels:
    """The rate × coverage matrix on every area's own totals (districts and provinces "direct").

    Without the treatment floor: it needs every coverage row to have treatment capacity."""
    from vungxanh.risk.rules import RateMatrix

    method = params.area_method
    assert isinstance(method, RateMatrix) and params.rollup.policy == "direct"
    if not country.coverage.treatment_ok.all():
        raise ValueError("the baseline omits the treatment floor: every row needs treatment_ok")
    cases = _windowed(country, params, date_from, date_to)(None)
    rate = _rate(cases, country.population)
    bounds = np.array([b.below for b in method.bands[:-1]], dtype=np.float64)
    band = np.searchsorted(bounds, np.nan_to_num(rate, nan=0.0), side="right")
    cover = _coverage_in_force(country, method.coverage_metric, date_from, date_to)
    met = np.nan_to_num(cover, nan=-1.0) >= method.coverage_min
    met_level = np.array([b.met for b in method.bands], dtype=np.int8)
    not_met_level = np.array([b.not_met for b in method.bands], dtype=np.int8)
    level = np.where(met, met_level[band], not_met_level[band])
    level[cases == 0] = method.no_case_level
    return level


def baseline_2686(
    country: Country, params: RulesetParams, date_from: date, date_to: date
) -> Levels:
    """Decision 2686 as shipped, its thresholds written out: a commune is red with a case of
    unknown source or in a high-contact setting in 14 days, yellow above 1 known-source case per
    100,000; a district, then a province, from the shares of its children at each level."""
    from vungxanh.risk.rules import shipped_rulesets

    if params != shipped_rulesets()["2686"].params:
        raise ValueError("the 2686 baseline is written for the shipped ruleset 2686")
    windowed = _windowed(country, params, date_from, date_to)
    cases = country.cases
    unknown = windowed(~cases.source_known)
    high_contact = windowed(cases.high_contact)
    yellow = _rate(windowed(cases.source_known), country.population).astype(np.float64) > 1
    level = np.where((unknown >= 1) | (high_contact >= 1), 4, np.where(yellow, 2, 1))
    level = level.astype(np.int8)
    n_areas = len(country.ids)
    for depth in (2, 1):  # districts from their communes, then provinces from their districts
        kids = np.flatnonzero(country.depth == depth + 1)
        parents = country.parent[kids]
        n_children = np.maximum(np.bincount(parents, minlength=n_areas), 1)[:, None]
        at_least = {}
        for k in (2, 3, 4):
            count = np.zeros((n_areas, level.shape[1]), dtype=np.int64)
            np.add.at(count, parents, level[kids] >= k)
            at_least[k] = count
        share = {k: at_least[k] / n_children for k in at_least}
        red = (share[4] >= 0.3) | (share[3] >= 0.5)
        orange = (share[3] >= 0.3) | (share[2] >= 0.5) | (at_least[4] >= 1)
        rolled = np.where(red, 4, np.where(orange, 3, np.where(yellow, 2, 1)))
        rows = np.unique(parents)
        level[rows] = rolled[rows]
    return level


# Measuring. ----------------------------------------------------------------------------------


@dataclass
class EngineResult:
    lines: list[Line]
    shape: tuple[int, int]
    equal: dict[str, bool]
    green_communes: dict[str, float]  # share of commune-days at level 1


def measure_engine(country: Country, repeat: int) -> EngineResult:
    """`engine.assess` on the whole country and span under 4800 and 2686, beside the baseline."""
    from vungxanh.risk import engine
    from vungxanh.risk.rules import shipped_rulesets

    tree = country.tree()
    lines: list[Line] = []
    equal: dict[str, bool] = {}
    green: dict[str, float] = {}
    shape = (0, 0)
    for code in ("4800", "2686"):
        params = shipped_rulesets()[code].params

        def product(params: RulesetParams = params) -> engine.Assessment:
            return engine.assess(
                tree, country.cases, country.coverage, params, country.start, country.end
            )

        def baseline(params: RulesetParams = params) -> Levels:
            return baseline_levels(country, params, country.start, country.end)

        figure, result = _median_time(product, repeat)
        base, levels = _median_time(baseline, repeat)
        equal[code] = bool(np.array_equal(result.level, levels))
        if not equal[code]:
            raise AssertionError(f"the baseline's levels differ from the engine's under {code}")
        shape = result.level.shape
        green[code] = float((result.level[country.depth == 3] == 1).mean())
        lines.append(
            Line(
                Figure(
                    f"engine.assess, {code}, {shape[0]} areas × {shape[1]} days",
                    figure,
                    base,
                    f"plain NumPy levels under {code} (bincount, cumsum windows, "
                    + (
                        "searchsorted bands, np.where coverage; no treatment floor)"
                        if code == "4800"
                        else "np.where conditions, np.add.at children shares)"
                    )
                    + "; levels equal: yes",
                ),
                Target(3, of_ratio=True),
            )
        )
    return EngineResult(lines, shape, equal, green)


@dataclass
class StoreResult:
    lines: list[Line]
    rows: int
    stretches: list[str]
    identical: bool
    baseline_parts: dict[str, float]


def measure_year(country: Country, repeat: int) -> StoreResult:
    """`do_recompute_levels` over the whole span on an empty level table, then once more over
    its own rows, beside the engine and a raw INSERT; leaves the span's levels stored."""
    from vungxanh.risk.actions import do_recompute_levels

    lo, hi = country.start, country.end
    runs: list[float] = []
    rows = 0
    for _ in range(repeat):
        _empty_levels()
        elapsed, report = _timed(lambda: do_recompute_levels(None, lo, hi))
        runs.append(elapsed)
        rows = report.rows
    base, parts, base_rows, stretches = _baseline_store(country, lo, hi, repeat)
    identical = base_rows == rows and _same_rows(lo, hi)
    _drop_level_bench_table()
    again, _report = _timed(lambda: do_recompute_levels(None, lo, hi))
    name = f"{lo:%Y-%m-%d}..{hi:%Y-%m-%d}"
    baseline_is = (
        f"engine.assess on the same stretches + building the rows + raw executemany INSERT of "
        f"the same {base_rows} rows into {LEVEL_BENCH_TABLE}, one transaction"
    )
    return StoreResult(
        lines=[
            Line(
                Figure(
                    f"do_recompute_levels(None, {name}), empty table ({rows} rows)",
                    statistics.median(runs),
                    base,
                    baseline_is,
                ),
                Target(60),
            ),
            Line(
                Figure(
                    f"do_recompute_levels(None, {name}), again over its rows (1 run)",
                    again,
                    base,
                    "the same baseline (which never deletes)",
                ),
                Target(60),
            ),
        ],
        rows=rows,
        stretches=stretches,
        identical=identical,
        baseline_parts=parts,
    )


def measure_day(country: Country, day: date, repeat: int) -> StoreResult:
    """`do_recompute_levels` for one day over the stored levels, beside the engine on that day
    and a raw INSERT of its rows into an empty table."""
    from vungxanh.risk.actions import do_recompute_levels

    runs: list[float] = []
    rows = 0
    for _ in range(repeat):
        elapsed, report = _timed(lambda: do_recompute_levels(None, day, day))
        runs.append(elapsed)
        rows = report.rows
    base, parts, base_rows, stretches = _baseline_store(country, day, day, repeat)
    identical = base_rows == rows and _same_rows(day, day)
    _drop_level_bench_table()
    return StoreResult(
        lines=[
            Line(
                Figure(
                    f"do_recompute_levels(None, {day}, {day}) ({rows} rows)",
                    statistics.median(runs),
                    base,
                    f"engine.assess on that day + building the rows + raw executemany INSERT of "
                    f"the same {base_rows} rows into an empty {LEVEL_BENCH_TABLE}",
                ),
                Target(2),
            )
        ],
        rows=rows,
        stretches=stretches,
        identical=identical,
        baseline_parts=parts,
    )


def _baseline_store(
    country: Country, lo: date, hi: date, repeat: int
) -> tuple[float, dict[str, float], int, list[str]]:
    """The engine on the stretches of rulesets in force in [lo, hi], rows built, INSERTed into a
    fresh `bench_arealevel`: median total, median parts, rows, the stretches."""
    from vungxanh.risk import engine
    from vungxanh.risk.actions import HISTORY_DAYS, versions_in_force

    tree = country.tree()
    cases, coverage = country.inputs(lo - timedelta(days=HISTORY_DAYS), hi)
    stretches = versions_in_force(lo, hi)
    totals: list[float] = []
    parts: dict[str, list[float]] = {"engine": [], "rows": [], "INSERT": []}
    rows: list[tuple[Any, ...]] = []
    for _ in range(repeat):
        _drop_level_bench_table()
        _create_level_bench_table()
        rows = []
        spent = dict.fromkeys(parts, 0.0)
        for version, a, b in stretches:
            params = version.parsed()
            started = time.perf_counter()
            result = engine.assess(tree, cases, coverage, params, a, b)
            built = time.perf_counter()
            rows += level_rows(result, country.ids, version.pk)
            spent["engine"] += built - started
            spent["rows"] += time.perf_counter() - built
        started = time.perf_counter()
        _insert_levels(rows)
        spent["INSERT"] = time.perf_counter() - started
        for k, v in spent.items():
            parts[k].append(v)
        totals.append(sum(spent.values()))
    described = [
        f"{v.ruleset.code} v{v.version} {a}..{b} ({_days((b - a).days + 1)})"
        for v, a, b in stretches
    ]
    medians = {k: statistics.median(v) for k, v in parts.items()}
    return statistics.median(totals), medians, len(rows), described


def level_rows(result: engine.Assessment, ids: IntArray, version_id: int) -> list[tuple[Any, ...]]:
    """The stored rows of an assessment (columns of `actions.LEVEL_COLUMNS`), NaN as NULL."""
    n_areas, n_days = result.level.shape

    def nullable(values: npt.NDArray[Any]) -> list[Any]:
        flat = values.astype(np.float64).ravel()
        out = flat.astype(object)
        out[np.isnan(flat)] = None
        return list(out.tolist())

    level = result.level.ravel().tolist()
    return list(
        zip(
            np.repeat(ids, n_days).tolist(),
            np.tile(np.array(result.days, dtype="datetime64[D]"), n_areas).astype(date).tolist(),
            level,
            level,
            [version_id] * len(level),
            result.reason.ravel().tolist(),
            result.value.astype(np.float64).ravel().tolist(),
            result.cases.ravel().tolist(),
            nullable(result.rate),
            nullable(result.coverage),
            result.treatment_ok.ravel().tolist(),
            result.floored.ravel().tolist(),
            np.repeat(result.is_parent, n_days).tolist(),
            strict=True,
        )
    )


def _insert_levels(rows: list[tuple[Any, ...]]) -> None:
    from vungxanh.risk.actions import LEVEL_COLUMNS

    quote = connection.ops.quote_name
    sql = (
        f"INSERT INTO {quote(LEVEL_BENCH_TABLE)} ({', '.join(LEVEL_COLUMNS)}) "
        f"VALUES ({', '.join(['%s'] * len(LEVEL_COLUMNS))})"
    )
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.executemany(sql, rows)


def _level_table() -> str:
    from vungxanh.risk.models import AreaLevel

    return AreaLevel._meta.db_table


def _empty_levels() -> None:
    """Empty the level table (and the record of runs), as Django's flush does."""
    from django.core.management.color import no_style

    from vungxanh.risk.models import LevelRun

    statements = connection.ops.sql_flush(
        no_style(), [_level_table(), LevelRun._meta.db_table], reset_sequences=True
    )
    connection.ops.execute_sql_flush(statements)


def _create_level_bench_table() -> None:
    """`bench_arealevel`: an empty copy of the level table with its keys and indexes."""
    quote = connection.ops.quote_name
    source = _level_table()
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(
                "SELECT sql FROM sqlite_master WHERE tbl_name = %s AND sql IS NOT NULL "
                "ORDER BY type = 'index'",
                [source],
            )
            for (ddl,) in cursor.fetchall():
                ddl = re.sub(r'^(CREATE (?:UNIQUE )?INDEX) "', r'\1 "bench_', ddl)
                cursor.execute(ddl.replace(quote(source), quote(LEVEL_BENCH_TABLE)))
        elif connection.vendor == "postgresql":
            cursor.execute(f"CREATE TABLE {LEVEL_BENCH_TABLE} (LIKE {source} INCLUDING ALL)")
            for column, target in _level_foreign_keys():
                cursor.execute(
                    f"ALTER TABLE {LEVEL_BENCH_TABLE} ADD CONSTRAINT "
                    f"{LEVEL_BENCH_TABLE}_{column}_fk FOREIGN KEY ({column}) "
                    f"REFERENCES {target} (id) DEFERRABLE INITIALLY DEFERRED"
                )
        else:
            raise NotImplementedError(f"no baseline table for {connection.vendor}")


def _level_foreign_keys() -> list[tuple[str, str]]:
    """(column, referenced table) of the level table's foreign keys that the database checks
    (LIKE … INCLUDING ALL copies no foreign key: the baseline table gets the same ones)."""
    from django.db.models import ForeignKey

    from vungxanh.risk.models import AreaLevel

    return [
        (f.column, f.target_field.model._meta.db_table)
        for f in AreaLevel._meta.concrete_fields
        if isinstance(f, ForeignKey) and f.db_constraint  # type: ignore[attr-defined]
    ]


def _drop_level_bench_table() -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {connection.ops.quote_name(LEVEL_BENCH_TABLE)}")


def _same_rows(lo: date, hi: date) -> bool:
    """The stored levels of [lo, hi] and the baseline's rows hold the same values (ids aside)."""
    from vungxanh.risk.actions import LEVEL_COLUMNS

    columns = ", ".join(LEVEL_COLUMNS)
    stored = f"SELECT {columns} FROM {_level_table()} WHERE date BETWEEN %s AND %s"
    bench = f"SELECT {columns} FROM {LEVEL_BENCH_TABLE}"
    with connection.cursor() as cursor:
        for sql, params in (
            (f"{stored} EXCEPT {bench}", [lo, hi]),
            (f"{bench} EXCEPT {stored}", [lo, hi]),
        ):
            cursor.execute(f"SELECT COUNT(*) FROM ({sql}) AS d", params)
            if cursor.fetchone()[0]:
                return False
    return True


@dataclass
class ApiResult:
    lines: list[Line]
    district: str
    district_rows: int
    province: str
    province_rows: int
    all_rows: int
    same_levels: bool


def measure_api(day: date, repeat: int) -> ApiResult:
    """Reads of the stored levels of `day`, beside one SELECT of the same rows."""
    from django.conf import settings
    from django.db.models import Count
    from django.test import Client, override_settings

    from vungxanh.areas.models import Area

    province = (
        Area.objects.filter(level=1)
        .annotate(n=Count("children__children"))
        .order_by("-n", "code")
        .first()
    )
    district = (
        Area.objects.filter(parent=province).annotate(n=Count("children")).order_by("-n", "code")
    ).first()
    assert province is not None and district is not None
    client = Client()
    url = "/api/v1/risk/levels"

    def get(parent: str | None = None, **more: str) -> list[dict[str, Any]]:
        query = {"date": day.isoformat(), **({"parent": parent} if parent else {}), **more}
        response = client.get(url, query)
        if response.status_code != 200:
            raise RuntimeError(f"GET {url}?{query}: {response.status_code}")
        data: list[dict[str, Any]] = response.json()
        return data

    def every_commune(explain: str) -> list[dict[str, Any]]:
        return get(tier="commune", explain=explain)

    def api_every_district() -> int:
        return sum(
            len(get(code)) for code in Area.objects.filter(level=2).values_list("code", flat=True)
        )

    by_parent = (
        f"SELECT l.area_id, l.level FROM {_level_table()} l JOIN areas_area a ON a.id = l.area_id "
        "WHERE l.date = %s AND a.parent_id = %s"
    )
    communes = (
        f"SELECT l.area_id, l.level FROM {_level_table()} l JOIN areas_area a ON a.id = l.area_id "
        "WHERE l.date = %s AND a.level = 3"
    )

    def select(sql: str, params: list[Any]) -> dict[int, int]:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return dict(cursor.fetchall())

    hosts = [*settings.ALLOWED_HOSTS, "testserver"]
    with override_settings(ALLOWED_HOSTS=hosts):
        d_time, d_rows = _median_time(lambda: get(district.code), repeat)
        d_base, d_sql = _median_time(lambda: select(by_parent, [day, district.pk]), repeat)
        p_time, p_rows = _median_time(lambda: get(province.code), repeat)
        p_base, p_sql = _median_time(lambda: select(by_parent, [day, province.pk]), repeat)
        all_time, all_rows = _median_time(lambda: every_commune("1"), repeat)
        bare_time, bare_rows = _median_time(lambda: every_commune("0"), repeat)
        all_base, all_sql = _median_time(lambda: select(communes, [day]), repeat)
        api_time, api_rows = _median_time(api_every_district, repeat)
    codes = dict(Area.objects.values_list("code", "pk"))
    same = (
        {codes[r["area_code"]]: r["level"] for r in d_rows} == d_sql
        and {codes[r["area_code"]]: r["level"] for r in p_rows} == p_sql
        and {codes[r["area_code"]]: r["level"] for r in all_rows} == all_sql
        and {codes[r["area_code"]]: r["level"] for r in bare_rows} == all_sql
        and all(r["explanation"] for r in all_rows)
        and api_rows == len(all_sql)
    )
    n_districts = Area.objects.filter(level=2).count()
    select_is = "one SELECT area_id, level FROM risk_arealevel JOIN areas_area WHERE date = %s"
    lines = [
        Line(
            Figure(
                f"GET levels?parent={district.code} (a district: {len(d_rows)} communes)",
                d_time,
                d_base,
                f"{select_is} AND parent_id = <district>: {len(d_sql)} rows",
            )
        ),
        Line(
            Figure(
                f"GET levels?parent={province.code} (a province: {len(p_rows)} districts)",
                p_time,
                p_base,
                f"{select_is} AND parent_id = <province>: {len(p_sql)} rows",
            )
        ),
        Line(
            Figure(
                f"GET levels?tier=commune (every commune: {len(all_rows)})",
                all_time,
                all_base,
                f"{select_is} AND a.level = 3 (every commune): {len(all_sql)} rows",
            ),
            Target(0.3),
        ),
        Line(
            Figure(
                f"GET levels?tier=commune&explain=0 (every commune: {len(bare_rows)})",
                bare_time,
                all_base,
                "the same SELECT of every commune",
            ),
            Target(0.3),
        ),
        Line(
            Figure(
                f"GET levels?parent=<d> for all {n_districts} districts ({api_rows} communes)",
                api_time,
                all_base,
                "the same SELECT of every commune",
            )
        ),
    ]
    return ApiResult(
        lines=lines,
        district=f"{district.code} {district.name}",
        district_rows=len(d_rows),
        province=f"{province.code} {province.name}",
        province_rows=len(p_rows),
        all_rows=len(all_rows),
        same_levels=same,
    )


# Reporting. ----------------------------------------------------------------------------------


def results_table(lines: Sequence[Line]) -> list[str]:
    """bench/run.py's table of figure, baseline and ratio, with the target and PASS/MISS."""
    base = table([line.figure for line in lines])
    targets = ["target", "-"] + [line.target.text() if line.target else "—" for line in lines]
    verdicts = ["verdict", "-"] + [
        ("PASS" if line.target.met(line.figure) else "MISS") if line.target else ""
        for line in lines
    ]
    widths = [max(len(t) for t in targets), max(len(v) for v in verdicts)]
    out = []
    for i, (row, target, verdict) in enumerate(zip(base, targets, verdicts, strict=True)):
        if i == 1:
            target, verdict = "-" * widths[0], "-" * widths[1]
        out.append(f"{row}  {target.rjust(widths[0])}  {verdict.ljust(widths[1])}".rstrip())
    return out


def report(
    country: Country,
    engine_result: EngineResult,
    year: StoreResult,
    one_day: StoreResult,
    api: ApiResult,
    day: date,
    repeat: int,
) -> list[str]:
    from vungxanh.risk import engine

    lines = engine_result.lines + year.lines + one_day.lines + api.lines
    cases = country.cases
    community = cases.setting == engine.SETTINGS.index("community")
    setup = country.setup
    dropped = (
        f"; {country.dropped_communes} communes dropped evenly to reach --communes"
        if country.dropped_communes
        else ""
    )
    return [
        f"country:  {country.count(1)} provinces, {country.count(2)} districts, "
        f"{country.count(3)} communes: the real tree, load_official_units "
        f"{_s(setup['load_official_units'])}{dropped}",
        f"inputs:   {country.case_rows} CaseRecord rows ({int(cases.count.sum())} cases, "
        f"{int(cases.count[community].sum())} community) over {country.days} days "
        f"{country.start}..{country.end}, seed {SEED}, provenance simulated; simulated in "
        f"{_s(setup['simulate'])}, inserted by raw executemany in {_s(setup['insert cases'])}",
        f"          {country.coverage_rows} Coverage rows (per commune: the first day and the 1st "
        f"of each month; treatment_ok true), inserted in {_s(setup['insert coverage'])}",
        *(
            [
                f"          {len(country.no_population)} areas without population "
                f"({' '.join(country.no_population)}) given {NOMINAL_POPULATION} in the scratch "
                "database: with none, do_recompute_levels fails on SQLite (NOT NULL "
                "risk_arealevel.value, the NaN rate of 4800)"
            ]
            if country.no_population
            else []
        ),
        "          commune-days green (engine, whole span): "
        + ", ".join(f"{k} {v:.0%}" for k, v in engine_result.green_communes.items()),
        f"runs:     median of {repeat}; engine and reads after one warm-up; stores from an empty "
        f"{LEVEL_BENCH_TABLE} each run",
        "",
        *results_table(lines),
        "",
        "baselines:",
        *(f"  {line.figure.measure}: {line.figure.baseline_is}" for line in lines),
        "",
        f"rulesets in force over {country.start}..{country.end} (stored rows): "
        + ("; ".join(year.stretches) or "none"),
        f"rulesets in force on {day}: " + ("; ".join(one_day.stretches) or "none"),
        "baseline store, median parts: span "
        + ", ".join(f"{k} {_ms(v)}" for k, v in year.baseline_parts.items())
        + "; one day "
        + ", ".join(f"{k} {_ms(v)}" for k, v in one_day.baseline_parts.items()),
        f"baseline rows identical to the stored ones (every column, ids aside): span "
        f"{'yes' if year.identical else 'NO'}, one day {'yes' if one_day.identical else 'NO'}",
        f"levels read: district {api.district} ({api.district_rows} communes), province "
        f"{api.province} ({api.province_rows} districts), all {api.all_rows} communes on {day}; "
        f"the same levels as the SELECT: {'yes' if api.same_levels else 'NO'}",
        "all communes of a date: GET /api/v1/risk/levels?date=&tier=commune in-process (levels, "
        "overrides and explanations; explain=0 without explanations), and for comparison "
        "?date=&parent=<district> for every district, one request each",
    ]


def _days(n: int) -> str:
    return f"{n} day" if n == 1 else f"{n} days"


def _s(seconds: float) -> str:
    return f"{seconds:.1f} s"


def run(
    provinces: str, communes: int | None, start: date, days: int, day: date, repeat: int
) -> list[str]:
    """Build the country and measure everything on the configured database; the report."""
    started = time.perf_counter()

    def progress(step: str) -> None:
        print(f"[{time.perf_counter() - started:5.0f} s] {step}", file=sys.stderr, flush=True)

    country = build_country(province_codes(provinces), communes, start, days)
    progress("country built")
    engine_result = measure_engine(country, repeat)
    progress("engine measured")
    year = measure_year(country, repeat)
    progress("span stored and measured")
    one_day = measure_day(country, day, repeat)
    progress("one day measured")
    api = measure_api(day, repeat)
    progress("reads measured")
    return machine_facts() + report(country, engine_result, year, one_day, api, day, repeat)


# The scratch database, made and dropped by main() only. -------------------------------------


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument(
        "--communes",
        default="10600",
        help="communes kept of the real tree, spread evenly (default 10600; 'all': 10,603)",
    )
    parser.add_argument("--days", type=int, default=365, help="days of cases (default 365)")
    parser.add_argument("--repeat", type=int, default=3, help="runs per figure (default 3)")
    parser.add_argument(
        "--provinces", default="all", help="'all' (default), the first N, or codes such as 56,58"
    )
    parser.add_argument("--start", type=date.fromisoformat, default=START, help="first day")
    parser.add_argument("--day", type=date.fromisoformat, default=DAY, help="the one day")
    args = parser.parse_args(argv)
    if args.repeat < 1 or args.days < 1:
        parser.error("--repeat and --days must be at least 1")
    if args.communes != "all" and not args.communes.isdigit():
        parser.error("--communes is a number or 'all'")
    if not args.start <= args.day < args.start + timedelta(days=args.days):
        parser.error("--day must fall within the days of cases")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    communes = None if args.communes == "all" else int(args.communes)
    return in_scratch_database(
        lambda: run(args.provinces, communes, args.start, args.days, args.day, args.repeat)
    )


if __name__ == "__main__":
    sys.exit(main())
