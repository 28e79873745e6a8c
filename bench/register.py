"""Vùng Xanh register benchmark: the daily check list and the dashboard on a country-sized register.

    python bench/register.py [--entries 2000000] [--repeat 5] [--provinces all]
                             [--villages 10] [--try-fixes]

A synthetic register on the real tree (`load_official_units`: 63 provinces, 705 districts, 10,603
communes), from a seeded NumPy generator:

* about --villages villages per commune (5 to 15, "<commune>-NNN", type "thon", level 4), one
  active team per village (88% founded by the campaign's deadline, one `FoundingDeadline` per
  province), inserted with a raw executemany;
* --entries register entries, one person each, spread over the villages with skewed weights (a
  log-normal factor per province, commune and village, so that a few communes hold thousands),
  in the order they were opened (by start date); each under the `MonitoringRule` of the data
  migration in force for its category; 30% under monitoring on the day (DAY, 2021-09-15, when
  the rules of July and August 2021 were in force), 1% still open a few days after their end,
  the rest closed with an outcome;
* a daily `Check` for most open entries on each of the last 3 days (fewer on the day itself).
  People and entries are inserted with a raw executemany on SQLite and COPY on PostgreSQL.

Measured, each beside a baseline measured in the same run, as the median of --repeat runs after
one warm-up:

1. `queries.daily_page(village, day)` (the day's counts and the first page of the list, as the
   phone page serves it) for the village with the most people to check, and for every village of
   the busiest commune one after another, beside one plain SELECT of all the village's entries of
   the day by village_id and dates. Target: ≤ 100 ms a list.
2. `queries.dashboard(user, province, day)` for the province with the most entries and a user
   holding Role.STANDING_AGENCY there, beside one `SELECT category, count(*) … GROUP BY
   category` of its open entries. Target: ≤ 500 ms. `queries.team_coverage(province, day)`
   beside one count of the province's villages per commune (no target given).

Each dashboard statement is timed and explained. When a target is missed (or with
--try-fixes), candidate fixes are applied TEMPORARILY to the scratch database (an index created,
measured, dropped) or tried as another query shape written here, and measured the same way.

`main()` alone makes the scratch database, as bench/run.py does: a temporary SQLite file, or a
`vungxanh_bench_<pid>` database on the PostgreSQL server of DATABASE_URL, dropped at the end. The
measuring functions run on whatever database Django is configured with, which must be a scratch
or test database.
"""

from __future__ import annotations

import argparse
import cProfile
import importlib
import io
import os
import pstats
import statistics
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # `python bench/register.py`

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
    from django.db.models import QuerySet

    from vungxanh.accounts.models import User
    from vungxanh.areas.models import Area
    from vungxanh.teams.models import RegisterEntry

IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

DAY = date(2021, 9, 15)
DEADLINE = date(2021, 8, 31)  # teams founded by then are on time
TEAMS_FROM = date(2021, 7, 15)
SEED = 2021
DAILY_TARGET = 0.100
DASHBOARD_TARGET = 0.500
CHECK_DAYS = 3
USERNAME = "bench-standing-agency"

# The generator's shares.
OPEN_SHARE = 0.30  # under monitoring on the day
OVERDUE_SHARE = 0.01  # still open 1 to 3 days after their end
CATEGORY_SHARES = {
    "f1": 0.35,
    "f2": 0.25,
    "returnee": 0.20,
    "home_quarantine": 0.08,
    "health_monitoring": 0.07,
    "suspected": 0.04,
    "false_declaration": 0.01,
}
RULE_OF_CATEGORY = {
    "f1": "f1-2021-07",
    "f2": "f2-local",
    "returnee": "returnee-2021-07",
    "home_quarantine": "home-quarantine-local",
    "health_monitoring": "monitoring-local",
    "suspected": "suspected-local",
    "false_declaration": "false-declaration-local",
}
VACCINATED_F1_RULE = "f1-vaccinated-2021-08"
VACCINATED_F1_SHARE = 0.3
OUTCOME_SHARES = {"completed": 0.94, "became_case": 0.04, "moved_away": 0.015, "absconded": 0.005}
CHECKED_SHARE = (0.93, 0.90, 0.65)  # of the people to check 2 days ago, yesterday, today
ON_TIME_TEAMS = 0.88
SKEW = {"province": 0.8, "commune": 1.2, "village": 0.6}  # sigma of the log-normal factors
FAMILY = ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi")
MIDDLE = ("Văn", "Thị", "Hữu", "Đức", "Minh", "Ngọc", "Thanh", "Quốc", "Xuân", "Thu")
GIVEN: tuple[str, ...] = (
    "An",
    "Bình",
    "Cường",
    "Dũng",
    "Hà",
    "Hải",
    "Hạnh",
    "Hoa",
    "Hùng",
    "Hương",
    "Khánh",
)
GIVEN += ("Lan", "Linh", "Long", "Mai", "Nam", "Nga", "Phong", "Phúc", "Quân", "Quang", "Sơn")
GIVEN += ("Tâm", "Thảo", "Trang", "Tuấn", "Tú", "Vân", "Việt", "Yến")
ORIGINS = ["TP. Hồ Chí Minh", "Bình Dương", "Đồng Nai", "Long An", "Hà Nội", "Bắc Giang"]
SYMPTOMS = ["ho", "sốt", "đau họng", "mất vị giác", "khó thở"]

PERSON_COLUMNS = [
    "id",
    "full_name",
    "birth_year",
    "sex",
    "id_number",
    "phone",
    "address",
    "anonymized_at",
    "village_id",
]
ENTRY_COLUMNS = [
    "id",
    "person_id",
    "village_id",
    "area_path",
    "category",
    "origin",
    "arrival_date",
    "rule_id",
    "start_date",
    "end_date",
    "status",
    "escalation",
    "outcome",
    "closed_on",
    "created_by_id",
    "created_at",
]
CHECK_COLUMNS = [
    "entry_id",
    "date",
    "temperature",
    "symptoms",
    "at_home",
    "test_result",
    "checked_by_id",
    "created_at",
]


@dataclass
class Target:
    limit: float  # seconds

    def text(self) -> str:
        return f"≤ {self.limit * 1000:g} ms"

    def verdict(self, seconds: float) -> str:
        return "PASS" if seconds <= self.limit else "MISS"


@dataclass
class Register:
    """What was generated, how long it took, and the busiest places."""

    provinces: int
    districts: int
    communes: int
    villages: int
    teams: int
    persons: int
    entries: int
    to_check: int  # open and within their dates on the day
    open_entries: int
    checks: int
    day: date
    parts: dict[str, float]
    busy_village: str  # code
    busy_commune: str
    busiest_province: str

    @property
    def seconds(self) -> float:
        return sum(self.parts.values())


@dataclass
class DailyResult:
    figures: list[Figure]
    village: str
    village_rows: int
    baseline_rows: int
    commune: str
    commune_villages: int
    commune_rows: int
    commune_baseline_rows: int
    slowest_village: float  # the largest per-village median, seconds
    slowest_baseline: float
    explain: str
    sql_time: float  # the daily list's own statement, rows fetched raw (no model instances)
    profile: list[str] = field(default_factory=list)
    db_share: float = 0.0


@dataclass
class Statement:
    label: str
    seconds: float  # median over the measured runs
    sql: str
    plan: str = ""


@dataclass
class DashboardResult:
    figures: list[Figure]
    province: str
    province_name: str
    province_entries: int
    counts: dict[str, Any]
    baseline_counts: dict[str, int]
    statements: list[Statement]
    mirrors_match: bool
    coverage_rows: int
    coverage_villages: int
    coverage_with_team: int
    coverage_on_time: int
    coverage_baseline_villages: int
    profile: list[str] = field(default_factory=list)
    db_share: float = 0.0


@dataclass
class Fix:
    """One candidate fix, measured with everything else unchanged."""

    name: str
    kind: str  # "index" or "query shape"
    ddl: list[str]
    before: float
    after: float
    same_answer: bool
    detail: list[str] = field(default_factory=list)


# The register. ------------------------------------------------------------------------------


def ensure_rules() -> None:
    """The monitoring rules of the data migration (a flushed test database has none)."""
    from django.apps import apps

    from vungxanh.teams.models import MonitoringRule

    if not MonitoringRule.objects.exists():
        migration = importlib.import_module("vungxanh.teams.migrations.0002_monitoring_rules")
        migration.load(apps, None)


def build_register(
    codes: list[str] | None,
    entries: int,
    day: date = DAY,
    villages_per_commune: int = 10,
    seed: int = SEED,
) -> Register:
    """Load the tree and generate villages, teams, people, entries and checks. Made for DAY:
    the teams' dates and the rules' effective dates are those of mid-2021."""
    from vungxanh.areas.models import Area
    from vungxanh.areas.official import load_official_units

    rng = np.random.default_rng(seed)
    parts: dict[str, float] = {}
    if Area.objects.exists():
        raise RuntimeError("build_register needs an empty areas table (use a scratch database)")
    ensure_rules()
    with _bulk_session():
        elapsed, _ = _timed(lambda: load_official_units(codes))
        parts["official units (load_official_units)"] = elapsed
        elapsed, villages = _timed(lambda: _make_villages(rng, villages_per_commune))
        parts["villages, teams, deadlines"] = elapsed
        elapsed, (persons, n_entries, to_check, open_entries, entry_days) = _timed(
            lambda: _make_entries(rng, villages, entries, day)
        )
        parts["people and entries"] = elapsed
        elapsed, checks = _timed(lambda: _make_checks(rng, entry_days, day))
        parts["checks"] = elapsed
    parts["ANALYZE" if connection.vendor == "sqlite" else "VACUUM ANALYZE"] = _timed(_analyze)[0]
    counts = {level: Area.objects.filter(level=level).count() for level in (1, 2, 3, 4)}
    busy_village, busy_commune, busiest_province = _busiest(day)
    return Register(
        provinces=counts[1],
        districts=counts[2],
        communes=counts[3],
        villages=counts[4],
        teams=len(villages.ids),
        persons=persons,
        entries=n_entries,
        to_check=to_check,
        open_entries=open_entries,
        checks=checks,
        day=day,
        parts=parts,
        busy_village=busy_village,
        busy_commune=busy_commune,
        busiest_province=busiest_province,
    )


@dataclass
class _Villages:
    ids: IntArray
    paths: list[str]
    commune: IntArray  # index of the commune, by path order
    province: IntArray  # index of the province


@dataclass
class _EntryDays:
    """The entries to check on the day (status open, within their dates)."""

    ids: IntArray
    start: IntArray  # days relative to the day (<= 0)


def _make_villages(rng: np.random.Generator, per_commune: int) -> _Villages:
    from vungxanh.areas.models import Area, AreaType

    communes = list(Area.objects.filter(level=3).order_by("path").values_list("id", "code", "path"))
    provinces = {
        p: i
        for i, p in enumerate(
            Area.objects.filter(level=1).order_by("path").values_list("path", flat=True)
        )
    }
    low, high = max(per_commune // 2, 1), per_commune + per_commune // 2
    sizes = rng.integers(low, high + 1, len(communes))
    now = _stamp(datetime.now(UTC))
    rows: list[tuple[Any, ...]] = []
    commune_of: list[int] = []
    for c, ((commune_id, code, path), size) in enumerate(zip(communes, sizes, strict=True)):
        for n in range(1, int(size) + 1):
            v_code = f"{code}-{n:03d}"
            rows.append(
                (
                    v_code,
                    f"Thôn {n}",
                    str(AreaType.VILLAGE),
                    4,
                    commune_id,
                    f"{path}{v_code}/",
                    "",
                    "",
                    "",
                    "generated for the register benchmark",
                    True,
                    now,
                    now,
                )
            )
            commune_of.append(c)
    columns = [
        "code",
        "name",
        "type",
        "level",
        "parent_id",
        "path",
        "population_source",
        "population_note",
        "centroid_source",
        "source",
        "is_generated",
        "created_at",
        "updated_at",
    ]
    _executemany("areas_area", columns, rows)
    id_of = dict(Area.objects.filter(level=4).values_list("path", "id"))
    paths = [r[5] for r in rows]
    ids = np.array([id_of[p] for p in paths], dtype=np.int64)
    commune = np.array(commune_of, dtype=np.int64)
    province_of_commune = np.array([provinces[p[:4]] for _, _, p in communes], dtype=np.int64)
    # Teams: one active team per village, most founded by the deadline.
    on_time = rng.random(len(rows)) < ON_TIME_TEAMS
    span_early = (DEADLINE - TEAMS_FROM).days + 1
    founded = np.where(
        on_time,
        rng.integers(0, span_early, len(rows)),
        span_early + rng.integers(0, (DAY - DEADLINE).days, len(rows)),
    )
    founded_on = _date_labels(TEAMS_FROM, founded).tolist()
    team_rows = [
        (int(vid), path, f"Tổ COVID cộng đồng {path.rsplit('/', 2)[-2]}", f_on, "", "active", now)
        for vid, path, f_on in zip(ids, paths, founded_on, strict=True)
    ]
    _bulk_insert(
        "teams_team",
        [
            "village_id",
            "area_path",
            "name",
            "founded_on",
            "decision_number",
            "status",
            "created_at",
        ],
        team_rows,
    )
    province_ids = Area.objects.filter(level=1).values_list("id", flat=True)
    _executemany(
        "teams_foundingdeadline",
        ["area_id", "deadline", "source"],
        [(pid, DEADLINE.isoformat(), "register benchmark") for pid in province_ids],
    )
    return _Villages(ids, paths, commune, province_of_commune[commune])


def _make_entries(
    rng: np.random.Generator, villages: _Villages, n: int, day: date
) -> tuple[int, int, int, int, _EntryDays]:
    """People and their entries, in the order they were opened; (people, entries, to check,
    open, the entries to check)."""
    from vungxanh.teams.models import MonitoringRule, Person, RegisterEntry

    rules = {r.code: r for r in MonitoringRule.objects.all()}
    # Where: skewed weights per province, commune and village.
    n_villages = len(villages.ids)
    weight = (
        rng.lognormal(0, SKEW["province"], int(villages.province.max()) + 1)[villages.province]
        * rng.lognormal(0, SKEW["commune"], int(villages.commune.max()) + 1)[villages.commune]
        * rng.lognormal(0, SKEW["village"], n_villages)
    )
    village = np.repeat(np.arange(n_villages), rng.multinomial(n, weight / weight.sum()))
    # What: a category, the rule in force for it, and its length.
    categories = list(CATEGORY_SHARES)
    category = rng.choice(len(categories), n, p=list(CATEGORY_SHARES.values()))
    rule_codes = [RULE_OF_CATEGORY[c] for c in categories] + [VACCINATED_F1_RULE]
    rule = category.copy()
    rule[(category == 0) & (rng.random(n) < VACCINATED_F1_SHARE)] = len(categories)
    rule_ids = np.array([rules[c].pk for c in rule_codes], dtype=np.int64)[rule]
    length = np.array([rules[c].days_total for c in rule_codes], dtype=np.int64)[rule]
    earliest = np.array([(rules[c].effective_from - day).days for c in rule_codes], dtype=np.int64)[
        rule
    ]
    # When, relative to the day: open within dates, open past their end, or closed.
    draw = rng.random(n)
    to_check = draw < OPEN_SHARE
    overdue = (draw >= OPEN_SHARE) & (draw < OPEN_SHARE + OVERDUE_SHARE)
    closed = ~(to_check | overdue)
    start = np.empty(n, dtype=np.int64)
    start[to_check] = -rng.integers(0, length[to_check])
    start[overdue] = -rng.integers(1, 4, int(overdue.sum())) - length[overdue] + 1
    latest = -length[closed]  # ends the day before the day at the latest
    start[closed] = earliest[closed] + (
        rng.random(int(closed.sum())) * (latest - earliest[closed] + 1)
    ).astype(np.int64)
    end = start + length - 1
    # In the order they were opened.
    order = np.lexsort((rng.random(n), start))
    village, category, rule_ids, length = (
        village[order],
        category[order],
        rule_ids[order],
        length[order],
    )
    start, end = start[order], end[order]
    to_check, overdue, closed = to_check[order], overdue[order], closed[order]
    first_person = (Person.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
    first_entry = (
        RegisterEntry.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    ) + 1
    person_ids = np.arange(first_person, first_person + n, dtype=np.int64)
    entry_ids = np.arange(first_entry, first_entry + n, dtype=np.int64)
    village_ids = villages.ids[village].tolist()

    names = np.array([f"{f} {m} {g}" for f in FAMILY for m in MIDDLE for g in GIVEN])
    full_name = names[rng.integers(0, len(names), n)].tolist()
    birth_year = rng.integers(1940, 2016, n).tolist()
    sex = np.where(rng.random(n) < 0.5, "m", "f").tolist()
    has_id = rng.random(n) >= 0.15
    id_number = [
        f"{i:012d}" if has else None
        for i, has in zip(person_ids.tolist(), has_id.tolist(), strict=True)
    ]
    phone = np.where(
        rng.random(n) < 0.8,
        np.char.add("09", np.char.zfill(rng.integers(0, 10**8, n).astype(str), 8)),
        "",
    ).tolist()
    pids = person_ids.tolist()
    person_rows = list(
        zip(
            pids,
            full_name,
            birth_year,
            sex,
            id_number,
            phone,
            [""] * n,
            [None] * n,
            village_ids,
            strict=True,
        )
    )
    _bulk_insert("teams_person", PERSON_COLUMNS, person_rows)
    del person_rows, full_name, phone, id_number

    status = np.where(closed, "closed", "open")
    escalation = np.full(n, "none", dtype=object)
    esc_draw = rng.random(n)
    escalation[~closed & (esc_draw < 0.02)] = "referred"
    escalation[~closed & (esc_draw >= 0.02) & (esc_draw < 0.03)] = "tested"
    outcome_names = list(OUTCOME_SHARES)
    outcome_index = rng.choice(len(outcome_names), n, p=list(OUTCOME_SHARES.values()))
    outcome = np.where(closed, np.array(outcome_names, dtype=object)[outcome_index], "")
    escalation[closed & (outcome == "became_case")] = "tested"
    completed = outcome == "completed"
    closed_day = np.where(completed, end, start + (rng.random(n) * length).astype(np.int64))
    lo, hi = int(min(start.min(), 0)), int(max(end.max(), closed_day.max(), 0))
    labels = _date_labels(day + timedelta(days=lo), np.arange(hi - lo + 1))
    start_s = labels[start - lo]
    nothing = np.full(n, None, dtype=object)
    closed_on = np.where(closed, labels[closed_day - lo], nothing).tolist()
    stamps = np.array(
        [_stamp(_at(day + timedelta(days=d), hours=1)) for d in range(lo, hi + 1)], dtype=object
    )
    is_returnee = category == categories.index("returnee")
    origin = np.where(
        is_returnee, np.array(ORIGINS, dtype=object)[rng.integers(0, len(ORIGINS), n)], ""
    ).tolist()
    arrival = np.where(is_returnee, start_s, nothing).tolist()
    paths = np.array(villages.paths, dtype=object)[village].tolist()
    entry_rows = list(
        zip(
            entry_ids.tolist(),
            pids,
            village_ids,
            paths,
            np.array(categories, dtype=object)[category].tolist(),
            origin,
            arrival,
            rule_ids.tolist(),
            start_s.tolist(),
            labels[end - lo].tolist(),
            status.tolist(),
            escalation.tolist(),
            outcome.tolist(),
            closed_on,
            [None] * n,
            stamps[start - lo].tolist(),
            strict=True,
        )
    )
    _bulk_insert("teams_registerentry", ENTRY_COLUMNS, entry_rows)
    _reset_sequences()
    days = _EntryDays(entry_ids[to_check], start[to_check])
    return n, n, int(to_check.sum()), int((~closed).sum()), days


def _make_checks(rng: np.random.Generator, entries: _EntryDays, day: date) -> int:
    """A check for most entries to check on each of the last days, by date then entry."""
    rows: list[tuple[Any, ...]] = []
    for back in range(CHECK_DAYS - 1, -1, -1):
        d = day - timedelta(days=back)
        share = CHECKED_SHARE[CHECK_DAYS - 1 - back]
        checked = (entries.start <= -back) & (rng.random(len(entries.ids)) < share)
        k = int(checked.sum())
        fever = rng.random(k) < 0.015
        temperature = np.where(
            fever, rng.uniform(37.5, 39.5, k), rng.normal(36.6, 0.25, k).clip(35.5, 37.4)
        )
        symptom = rng.random(k) < 0.02
        symptoms = np.where(
            symptom, np.array(SYMPTOMS, dtype=object)[rng.integers(0, len(SYMPTOMS), k)], ""
        )
        at_home = rng.random(k) >= 0.005
        stamp = _stamp(_at(d, hours=2))
        rows.extend(
            zip(
                entries.ids[checked].tolist(),
                [d.isoformat()] * k,
                np.char.mod("%.1f", temperature).tolist(),
                symptoms.tolist(),
                at_home.tolist(),
                [""] * k,
                [None] * k,
                [stamp] * k,
                strict=True,
            )
        )
    _bulk_insert("teams_check", CHECK_COLUMNS, rows)
    return len(rows)


def _busiest(day: date) -> tuple[str, str, str]:
    """The village and commune with the most people to check, the province with the most
    entries."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT a.code, p.code, count(*) FROM teams_registerentry e "
            "JOIN areas_area a ON a.id = e.village_id JOIN areas_area p ON p.id = a.parent_id "
            "WHERE e.status = 'open' AND e.start_date <= %s AND e.end_date >= %s "
            "GROUP BY a.code, p.code ORDER BY count(*) DESC, a.code LIMIT 1",
            [day, day],
        )
        village, _, _ = cursor.fetchone()
        cursor.execute(
            "SELECT p.code, count(*) FROM teams_registerentry e "
            "JOIN areas_area a ON a.id = e.village_id JOIN areas_area p ON p.id = a.parent_id "
            "WHERE e.status = 'open' AND e.start_date <= %s AND e.end_date >= %s "
            "GROUP BY p.code ORDER BY count(*) DESC, p.code LIMIT 1",
            [day, day],
        )
        commune = cursor.fetchone()[0]
        cursor.execute(
            "SELECT substr(area_path, 1, 4), count(*) FROM teams_registerentry "
            "GROUP BY substr(area_path, 1, 4) ORDER BY count(*) DESC, 1 LIMIT 1"
        )
        province = cursor.fetchone()[0].strip("/")
    return village, commune, province


# Bulk writes. ---------------------------------------------------------------------------------


@contextmanager
def _bulk_session() -> Iterator[None]:
    """SQLite loads with a large page cache and no syncing; the connection is closed
    afterwards, so that the measures run on a connection with the settings' defaults."""
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA cache_size = -4000000")  # 4 GB
            cursor.execute("PRAGMA synchronous = OFF")
    try:
        yield
    finally:
        if connection.vendor == "sqlite":
            connection.close()


def _executemany(table_name: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    quote = connection.ops.quote_name
    sql = (
        f"INSERT INTO {quote(table_name)} ({', '.join(quote(c) for c in columns)}) "
        f"VALUES ({', '.join(['%s'] * len(columns))})"
    )
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.executemany(sql, rows)


def _bulk_insert(table_name: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    """COPY on PostgreSQL, a raw executemany elsewhere."""
    if connection.vendor != "postgresql":
        _executemany(table_name, columns, rows)
        return
    quote = connection.ops.quote_name
    sql = f"COPY {quote(table_name)} ({', '.join(quote(c) for c in columns)}) FROM STDIN"
    with (
        _foreign_keys_checked_at_the_end(table_name),
        transaction.atomic(),
        connection.cursor() as cursor,
        cursor.cursor.copy(sql) as copy,
    ):
        for row in rows:
            copy.write_row(row)


@contextmanager
def _foreign_keys_checked_at_the_end(table_name: str) -> Iterator[None]:
    """PostgreSQL: the table's foreign keys dropped during a COPY and added back afterwards,
    the same definitions, each checked by one query over the table instead of one trigger call
    per row at COMMIT (minutes for millions of rows)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = %s::regclass AND contype = 'f' ORDER BY conname",
            [table_name],
        )
        keys = cursor.fetchall()
        for name, _ in keys:
            cursor.execute(f"ALTER TABLE {table_name} DROP CONSTRAINT {name}")
    try:
        yield
    finally:
        with transaction.atomic(), connection.cursor() as cursor:
            for name, definition in keys:
                cursor.execute(f"ALTER TABLE {table_name} ADD CONSTRAINT {name} {definition}")


def _reset_sequences() -> None:
    """After explicit ids, the next ids PostgreSQL hands out (SQLite follows by itself)."""
    from django.core.management.color import no_style

    from vungxanh.teams.models import Person, RegisterEntry

    statements = connection.ops.sequence_reset_sql(no_style(), [Person, RegisterEntry])
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)


def _analyze() -> None:
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE" if connection.vendor == "sqlite" else "VACUUM ANALYZE")


def _stamp(moment: datetime) -> str:
    """A timestamp as Django stores it (UTC)."""
    text = moment.astimezone(UTC).replace(tzinfo=None).isoformat(" ")
    return text if connection.vendor == "sqlite" else f"{text}+00:00"


def _date_labels(first: date, offsets: IntArray) -> npt.NDArray[np.object_]:
    """ISO dates `first + offset`, one per offset."""
    labels = np.array(
        [(first + timedelta(days=d)).isoformat() for d in range(int(offsets.max()) + 1)],
        dtype=object,
    )
    result: npt.NDArray[np.object_] = labels[offsets]
    return result


def _at(day: date, hours: int) -> datetime:
    return datetime.combine(day, datetime.min.time(), UTC) + timedelta(hours=hours)


# Measuring. These run on the database Django is already configured with. ---------------------

ENTRY_SELECT = (
    "SELECT {columns} FROM teams_registerentry "
    "WHERE village_id = %s AND status = 'open' AND start_date <= %s AND end_date >= %s"
)
CATEGORY_SELECT = (
    "SELECT category, count(*) FROM teams_registerentry "
    "WHERE status = 'open' AND area_path >= %s AND area_path < %s GROUP BY category"
)
VILLAGES_SELECT = (
    "SELECT parent_id, count(*) FROM areas_area "
    "WHERE path > %s AND path < %s AND type IN ({types}) GROUP BY parent_id"
)


def baseline_entries(village_id: int, day: date) -> list[tuple[Any, ...]]:
    """The daily list's baseline: one plain SELECT of the same entries, no join, no
    annotation."""
    from vungxanh.teams.models import RegisterEntry

    columns = ", ".join(f.column for f in RegisterEntry._meta.concrete_fields)
    with connection.cursor() as cursor:
        cursor.execute(ENTRY_SELECT.format(columns=columns), [village_id, day, day])
        return list(cursor.fetchall())


def baseline_categories(path: str) -> dict[str, int]:
    """The dashboard's baseline: one GROUP BY of the open entries under the path."""
    from vungxanh.lib import tree

    with connection.cursor() as cursor:
        cursor.execute(CATEGORY_SELECT, [path, tree.upper_bound(path)])
        return dict(cursor.fetchall())


def baseline_villages(path: str) -> dict[int, int]:
    """team_coverage's baseline: one count of the villages under the path per commune."""
    from vungxanh.areas.models import TYPES_OF_TIER, Tier
    from vungxanh.lib import tree

    types = TYPES_OF_TIER[Tier.VILLAGE]
    with connection.cursor() as cursor:
        cursor.execute(
            VILLAGES_SELECT.format(types=", ".join(["%s"] * len(types))),
            [path, tree.upper_bound(path), *types],
        )
        return dict(cursor.fetchall())


def measure_daily(register: Register, repeat: int) -> DailyResult:
    """The busiest village's daily list, and every village of the busiest commune in turn."""
    from vungxanh.areas.models import Area
    from vungxanh.teams import queries

    day = register.day
    village = Area.objects.get(code=register.busy_village)
    commune = Area.objects.get(code=register.busy_commune)
    villages = list(Area.objects.filter(parent=commune).order_by("path"))

    def daily(v: Area) -> list[RegisterEntry]:
        return queries.daily_page(v, day).entries

    list_time, rows = _median_time(lambda: daily(village), repeat)
    select_time, selected = _median_time(lambda: baseline_entries(village.pk, day), repeat)
    lists, list_rows = _median_each(villages, daily, repeat)
    selects, select_rows = _median_each(villages, lambda v: baseline_entries(v.pk, day), repeat)
    sql_time = _median_time(lambda: raw_rows(queries.daily_list(village, day)), repeat)[0]
    profile, db_share = _profile(lambda: daily(village))
    n = len(villages)
    return DailyResult(
        figures=[
            Figure(
                f"daily_page, village {village.code} ({len(rows)} people on page 1)",
                list_time,
                select_time,
                f"one SELECT of the village's {len(selected)} entries by village_id and dates",
            ),
            Figure(
                f"daily_page x{n}, every village of commune {commune.code} ({list_rows} people)",
                lists.total,
                selects.total,
                f"{n} SELECTs of the same entries ({select_rows} rows) by village_id and dates",
            ),
        ],
        village=f"{village.code} {village.name} of {commune.code} {commune.name}",
        village_rows=len(rows),
        baseline_rows=len(selected),
        commune=f"{commune.code} {commune.name}",
        commune_villages=n,
        commune_rows=list_rows,
        commune_baseline_rows=select_rows,
        slowest_village=lists.slowest,
        slowest_baseline=selects.slowest,
        explain=queries.daily_list(village, day).explain(),
        sql_time=sql_time,
        profile=profile,
        db_share=db_share,
    )


def raw_rows(qs: QuerySet[Any]) -> list[tuple[Any, ...]]:
    """A queryset's own statement, its rows fetched as tuples: the database's part of it."""
    sql, params = qs.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return list(cursor.fetchall())


@dataclass
class _Each:
    total: float  # the median of the passes' totals
    slowest: float  # the largest of the per-item medians


def _median_each(
    items: Sequence[Area], fn: Callable[[Area], Sequence[Any]], repeat: int
) -> tuple[_Each, int]:
    """Call `fn` on every item in turn, `repeat` passes after a warm-up pass."""
    rows = sum(len(fn(item)) for item in items)
    per_item: list[list[float]] = [[] for _ in items]
    totals: list[float] = []
    for _ in range(repeat):
        total = 0.0
        for i, item in enumerate(items):
            elapsed = _timed(partial(fn, item))[0]
            per_item[i].append(elapsed)
            total += elapsed
        totals.append(total)
    slowest = max((statistics.median(t) for t in per_item), default=0.0)
    return _Each(statistics.median(totals), slowest), rows


def standing_agency(province: Area) -> User:
    """A user holding Role.STANDING_AGENCY at the province, made through the product."""
    from vungxanh.accounts.actions import do_assign_role, do_create_user
    from vungxanh.accounts.models import User
    from vungxanh.accounts.roles import Role

    user = User.objects.filter(username=USERNAME).first()
    if user is None:
        user = do_create_user(None, USERNAME, "a-long-benchmark-password-" + str(os.getpid()))
    do_assign_role(None, user, Role.STANDING_AGENCY, province)
    return user


SCOPE = "scope (the user's assignments)"
COUNTED = ("ending_this_week", "late_checks", "escalations", "commitments")


def dashboard_querysets(
    user: User, area: Area, day: date, single_range: bool = False
) -> dict[str, QuerySet[Any]]:
    """The querysets `queries.dashboard` evaluates, written the same way, to label, time and
    explain its statements one by one. Those named in COUNTED are evaluated with count().

    With `single_range`, when the user's scope covers the area, the entries are filtered by the
    area's range alone instead of the scope's range and the area's (the same range twice when
    the area is the scope's root): a candidate fix, same answer."""
    from django.db.models import Count, Exists, OuterRef

    from vungxanh.accounts.scope import scope_for
    from vungxanh.areas.models import under
    from vungxanh.teams.models import Check, Commitment, RegisterEntry

    if single_range and scope_for(user).covers(area.path):
        entries = RegisterEntry.objects.filter(under(area.path, "area_path"))
    else:
        entries = RegisterEntry.objects.countable_by(user).filter(under(area.path, "area_path"))
    open_entries = entries.open()
    yesterday = day - timedelta(days=1)
    checked_yesterday = Check.objects.filter(entry=OuterRef("pk"), date=yesterday)
    return {
        "by_category": open_entries.values_list("category")
        .annotate(n=Count("pk"))
        .values_list("category", "n"),
        "ending_this_week": open_entries.filter(end_date__range=(day, day + timedelta(days=6))),
        "late_checks": open_entries.filter(
            start_date__lte=yesterday, end_date__gte=yesterday
        ).exclude(Exists(checked_yesterday)),
        "escalations": open_entries.exclude(escalation=RegisterEntry.Escalation.NONE),
        "outcomes": entries.filter(status=RegisterEntry.Status.CLOSED)
        .values_list("outcome")
        .annotate(n=Count("pk"))
        .values_list("outcome", "n"),
        "commitments": Commitment.objects.filter(under(area.path, "area_path")),
    }


def dashboard_single_range(user: User, area: Area, day: date) -> dict[str, Any]:
    """`queries.dashboard`'s answer from its querysets with a single range (a candidate fix)."""
    qs = dashboard_querysets(user, area, day, single_range=True)
    by_category = dict(_evaluate("by_category", qs["by_category"]))
    return {
        "day": day,
        "open": sum(by_category.values()),
        "by_category": by_category,
        "ending_this_week": _evaluate("ending_this_week", qs["ending_this_week"]),
        "late_checks": _evaluate("late_checks", qs["late_checks"]),
        "escalations": _evaluate("escalations", qs["escalations"]),
        "outcomes": dict(_evaluate("outcomes", qs["outcomes"])),
        "commitments": _evaluate("commitments", qs["commitments"]),
    }


def time_statements(
    user: User, area: Area, day: date, repeat: int, single_range: bool = False
) -> dict[str, float]:
    """The median time of each dashboard statement run alone, by label."""
    from vungxanh.accounts.scope import scope_for

    def scope() -> Any:
        user.__dict__.pop("_vungxanh_scopes", None)
        return scope_for(user)

    times = {SCOPE: _median_time(scope, repeat)[0]}
    for label, qs in dashboard_querysets(user, area, day, single_range).items():
        times[label] = _median_time(partial(_evaluate, label, qs), repeat)[0]
    return times


def _evaluate(label: str, qs: QuerySet[Any]) -> Any:
    fresh = qs.all()  # a queryset keeps its rows: evaluate a copy each time
    return fresh.count() if label in COUNTED else list(fresh)


def measure_dashboard(register: Register, repeat: int) -> DashboardResult:
    """The dashboard of the province with the most entries, for its standing agency."""
    from django.test.utils import CaptureQueriesContext

    from vungxanh.accounts.scope import scope_for
    from vungxanh.areas.models import Area
    from vungxanh.teams import queries

    day = register.day
    province = Area.objects.get(code=register.busiest_province)
    user = standing_agency(province)

    def dashboard() -> dict[str, Any]:
        user.__dict__.pop("_vungxanh_scopes", None)  # a request computes its scope anew
        return queries.dashboard(user, province, day)

    dash_time, counts = _median_time(dashboard, repeat)
    base_time, base_counts = _median_time(lambda: baseline_categories(province.path), repeat)
    coverage_time, coverage = _median_time(lambda: queries.team_coverage(province, day), repeat)
    villages_time, villages = _median_time(lambda: baseline_villages(province.path), repeat)

    # Each statement of a dashboard call, labelled by the querysets written like it, each timed
    # alone (the Django query building included).
    with CaptureQueriesContext(connection) as ctx:
        dashboard()
    run_sql = [q["sql"] for q in ctx.captured_queries]
    mirrors = dashboard_querysets(user, province, day)
    labels: dict[str, str] = {}
    with CaptureQueriesContext(connection) as ctx:
        user.__dict__.pop("_vungxanh_scopes", None)
        scope_for(user)
    labels.update({q["sql"]: SCOPE for q in ctx.captured_queries})
    for label, qs in mirrors.items():
        with CaptureQueriesContext(connection) as ctx:
            _evaluate(label, qs)
        labels[ctx.captured_queries[-1]["sql"]] = label
    mirrors_match = sorted(labels) == sorted(run_sql)
    times = time_statements(user, province, day, repeat)
    statements = []
    for sql in run_sql:
        label = labels.get(sql, "unlabelled")
        plan = _explain(label, mirrors[label], sql) if label in mirrors else ""
        statements.append(Statement(label, times.get(label, float("nan")), sql, plan))
    profile, db_share = _profile(dashboard)
    name = province.name
    return DashboardResult(
        figures=[
            Figure(
                f"dashboard, province {province.code} ({counts['open']} open)",
                dash_time,
                base_time,
                "one SELECT category, count(*) … GROUP BY category of the open entries",
            ),
            Figure(
                f"team_coverage, province {province.code} ({len(coverage)} districts)",
                coverage_time,
                villages_time,
                "one SELECT parent_id, count(*) of its villages GROUP BY parent_id",
            ),
        ],
        province=province.code,
        province_name=name,
        province_entries=_count_under(province.path),
        counts=counts,
        baseline_counts=base_counts,
        statements=statements,
        mirrors_match=mirrors_match,
        coverage_rows=len(coverage),
        coverage_villages=sum(r.villages for r in coverage),
        coverage_with_team=sum(r.with_team for r in coverage),
        coverage_on_time=sum(r.on_time for r in coverage),
        coverage_baseline_villages=sum(villages.values()),
        profile=profile,
        db_share=db_share,
    )


def _explain(label: str, qs: QuerySet[Any], sql: str) -> str:
    """QuerySet.explain() of a queryset the dashboard lists; for one it counts, the EXPLAIN of
    the count statement itself (explain() would plan a SELECT of the rows instead)."""
    if label not in COUNTED:
        return qs.explain()
    return explain_sql(sql)


def explain_sql(sql: str, analyze: bool = False) -> str:
    """EXPLAIN of a statement as run (parameters inlined), with the prefix QuerySet.explain()
    uses; on PostgreSQL, `analyze` runs it (EXPLAIN ANALYZE, BUFFERS)."""
    ops = connection.ops
    prefix = (
        ops.explain_query_prefix(None, analyze=True, buffers=True)
        if analyze
        else ops.explain_query_prefix()
    )
    with connection.cursor() as cursor:
        cursor.execute(f"{prefix} {sql}")
        rows = cursor.fetchall()
    return "\n".join(" ".join(str(c) for c in row) for row in rows)


def _count_under(path: str) -> int:
    from vungxanh.areas.models import under
    from vungxanh.teams.models import RegisterEntry

    return RegisterEntry.objects.filter(under(path, "area_path")).count()


def _profile(fn: Callable[[], Any], top: int = 8) -> tuple[list[str], float]:
    """cProfile of one call: the functions with the most time of their own, and the share of
    the call spent in the database's execute()."""
    from django.test.utils import CaptureQueriesContext

    profiler = cProfile.Profile()
    with CaptureQueriesContext(connection) as ctx:
        start = time.perf_counter()
        profiler.enable()
        fn()
        profiler.disable()
        total = time.perf_counter() - start
    in_db = sum(float(q["time"]) for q in ctx.captured_queries)
    stats = pstats.Stats(profiler, stream=io.StringIO())
    rows = sorted(
        stats.stats.items(),  # type: ignore[attr-defined]
        key=lambda item: item[1][2],
        reverse=True,
    )[:top]
    lines = [f"{'own':>10}  {'cumulative':>10}  {'calls':>6}  function"]
    for (filename, line, name), (_, calls, own, cumulative, _) in rows:
        where = _short(filename)
        lines.append(f"{_ms(own):>10}  {_ms(cumulative):>10}  {calls:>6}  {where}:{line}({name})")
    return lines, in_db / total if total else 0.0


def _short(filename: str) -> str:
    for marker in ("site-packages/", "/work/main/"):
        if marker in filename:
            return filename.split(marker, 1)[1]
    return filename


# Candidate fixes, applied to the scratch database only and removed afterwards. ----------------

DAILY_INDEX = ("bench_entry_village_status_start", ["village_id", "status", "start_date"])
# The columns every dashboard statement on entries reads, behind its (status, area_path) range,
# id included (Count("pk") counts it; the late checks join on it): the scans need not visit the
# table. It would replace the (status, area_path) index.
COVERING_INDEX = (
    "bench_entry_status_path_cover",
    ["status", "area_path", "category", "escalation", "outcome", "start_date", "end_date", "id"],
)
PG_SETTINGS = ["SET random_page_cost = 1.1"]  # the usual value for data in memory or on SSD
PG_DEFAULTS = ["RESET random_page_cost"]
SQLITE_PRAGMAS = ["PRAGMA cache_size = -262144", "PRAGMA mmap_size = 1073741824"]
SQLITE_DEFAULTS = ["PRAGMA cache_size = -2000", "PRAGMA mmap_size = 0"]


def index_ddl(name: str, columns: Sequence[str]) -> tuple[str, str]:
    quote = connection.ops.quote_name
    return (
        f"CREATE INDEX {quote(name)} ON teams_registerentry "
        f"({', '.join(quote(c) for c in columns)})",
        f"DROP INDEX {quote(name)}",
    )


def dashboard_one_pass(
    user: User, area: Area, day: date, single_range: bool = False
) -> dict[str, Any]:
    """`queries.dashboard` as one GROUP BY over the area's entries (status, category, outcome)
    with conditional counts, plus the late checks and the commitments: four statements instead
    of seven, the entries read once for all but the late checks. Same answer. `single_range`
    as for `dashboard_querysets`."""
    from django.db.models import Count, Exists, OuterRef, Q

    from vungxanh.accounts.scope import scope_for
    from vungxanh.areas.models import under
    from vungxanh.teams.models import Check, Commitment, RegisterEntry

    if single_range and scope_for(user).covers(area.path):
        entries = RegisterEntry.objects.filter(under(area.path, "area_path"))
    else:
        entries = RegisterEntry.objects.countable_by(user).filter(under(area.path, "area_path"))
    yesterday = day - timedelta(days=1)
    is_open = Q(status=RegisterEntry.Status.OPEN)
    groups = (
        entries.order_by()
        .values_list("status", "category", "outcome")
        .annotate(
            n=Count("pk"),
            ending=Count("pk", filter=is_open & Q(end_date__range=(day, day + timedelta(days=6)))),
            escalated=Count("pk", filter=is_open & ~Q(escalation=RegisterEntry.Escalation.NONE)),
        )
    )
    by_category: dict[str, int] = {}
    outcomes: dict[str, int] = {}
    ending = escalations = 0
    for status, category, outcome, n, ending_n, escalated_n in groups:
        if status == RegisterEntry.Status.OPEN:
            by_category[category] = by_category.get(category, 0) + n
            ending += ending_n
            escalations += escalated_n
        elif status == RegisterEntry.Status.CLOSED:
            outcomes[outcome] = outcomes.get(outcome, 0) + n
    checked_yesterday = Check.objects.filter(entry=OuterRef("pk"), date=yesterday)
    return {
        "day": day,
        "open": sum(by_category.values()),
        "by_category": by_category,
        "ending_this_week": ending,
        "late_checks": entries.open()
        .filter(start_date__lte=yesterday, end_date__gte=yesterday)
        .exclude(Exists(checked_yesterday))
        .count(),
        "escalations": escalations,
        "outcomes": outcomes,
        "commitments": Commitment.objects.filter(under(area.path, "area_path")).count(),
    }


def measure_fixes(
    register: Register, daily: DailyResult, dash: DashboardResult, repeat: int
) -> list[Fix]:
    """Each candidate fix applied alone, measured beside the figure it should improve (both
    measured now, one after the other), then removed."""
    from vungxanh.areas.models import Area
    from vungxanh.teams import queries

    day = register.day
    village = Area.objects.get(code=register.busy_village)
    villages = list(Area.objects.filter(parent__code=register.busy_commune).order_by("path"))
    province = Area.objects.get(code=register.busiest_province)
    user = standing_agency(province)

    def daily_list() -> list[tuple[int, bool, bool]]:
        rows = queries.daily_list(village, day)
        return [(e.pk, e.checked, e.problem) for e in rows]  # type: ignore[attr-defined]

    def dashboard() -> dict[str, Any]:
        user.__dict__.pop("_vungxanh_scopes", None)
        return queries.dashboard(user, province, day)

    def one_pass() -> dict[str, Any]:
        user.__dict__.pop("_vungxanh_scopes", None)
        return dashboard_one_pass(user, province, day)

    def single_range() -> dict[str, Any]:
        user.__dict__.pop("_vungxanh_scopes", None)
        return dashboard_single_range(user, province, day)

    def all_together() -> dict[str, Any]:
        user.__dict__.pop("_vungxanh_scopes", None)
        return dashboard_one_pass(user, province, day, single_range=True)

    def commune() -> Callable[[], list[str]]:
        def lines() -> list[str]:
            each, _ = _median_each(villages, lambda v: queries.daily_page(v, day).entries, repeat)
            return [
                f"slowest village of commune {register.busy_commune} with it: "
                f"{_ms(each.slowest)} (without: {_ms(daily.slowest_village)}); all "
                f"{len(villages)} lists {_ms(each.total)} (without: "
                f"{_ms(daily.figures[1].figure)})"
            ]

        return lines

    def daily_plan() -> list[str]:
        plan = _plan_lines(queries.daily_list(village, day).explain())
        return [*commune()(), "EXPLAIN with it:", *plan]

    def statements(single: bool) -> Callable[[], list[str]]:
        def lines() -> list[str]:
            times = time_statements(user, province, day, repeat, single_range=single)
            mirrors = dashboard_querysets(user, province, day, single_range=single)
            return [
                "statements with it: "
                + ", ".join(
                    f"{s.label} {_ms(s.seconds)} -> {_ms(times[s.label])}"
                    for s in dash.statements
                    if s.label in times and s.label != SCOPE
                ),
                *(
                    f"EXPLAIN {label} with it: "
                    + " / ".join(_plan_lines(_explain(label, qs, _sql_of(label, qs))))
                    for label, qs in mirrors.items()
                    if label != "commitments"
                ),
            ]

        return lines

    daily_index = index_ddl(*DAILY_INDEX)
    covering = index_ddl(*COVERING_INDEX)
    fixes = [
        _try_fix(
            f"index ({', '.join(DAILY_INDEX[1])}) for daily_list({village.code})",
            "index",
            daily_list,
            daily_list,
            [daily_index[0]],
            [daily_index[1]],
            repeat,
            daily_plan,
        ),
        _try_fix(
            f"covering index ({', '.join(COVERING_INDEX[1])}) for the dashboard",
            "index",
            dashboard,
            dashboard,
            [covering[0]],
            [covering[1]],
            repeat,
            statements(single=False),
        ),
        _try_fix(
            "the dashboard's entries filtered by the area's range once, not by the scope's "
            "range and the area's (dashboard_single_range)",
            "query shape",
            dashboard,
            single_range,
            [],
            [],
            repeat,
            statements(single=True),
        ),
        _try_fix(
            "one GROUP BY for the counts but the late checks (dashboard_one_pass)",
            "query shape",
            dashboard,
            one_pass,
            [],
            [],
            repeat,
        ),
        _try_fix(
            "all three: one range, one GROUP BY, the covering index",
            "query shape + index",
            dashboard,
            all_together,
            [covering[0]],
            [covering[1]],
            repeat,
        ),
    ]
    if connection.vendor == "sqlite":
        fixes.append(
            _try_fix(
                "a larger SQLite page cache and memory-mapped reads (connection settings), "
                "the dashboard",
                "settings",
                dashboard,
                dashboard,
                SQLITE_PRAGMAS,
                SQLITE_DEFAULTS,
                repeat,
                analyze=False,
            )
        )
    elif connection.vendor == "postgresql":
        fixes.append(
            _try_fix(
                "random_page_cost 1.1 instead of 4 (a server setting), the dashboard",
                "settings",
                dashboard,
                dashboard,
                PG_SETTINGS,
                PG_DEFAULTS,
                repeat,
                statements(single=False),
                analyze=False,
            )
        )
    return fixes


def _sql_of(label: str, qs: QuerySet[Any]) -> str:
    """The statement a queryset of the dashboard runs, parameters inlined."""
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        _evaluate(label, qs)
    sql: str = ctx.captured_queries[-1]["sql"]
    return sql


def _try_fix(
    name: str,
    kind: str,
    before_fn: Callable[[], Any],
    after_fn: Callable[[], Any],
    apply: list[str],
    undo: list[str],
    repeat: int,
    detail: Callable[[], list[str]] | None = None,
    analyze: bool = True,
) -> Fix:
    before, expected = _median_time(before_fn, repeat)
    _execute(apply)
    if apply and analyze:
        _execute(["ANALYZE teams_registerentry"])
    try:
        after, got = _median_time(after_fn, repeat)
        lines = detail() if detail else []
    finally:
        _execute(undo)
        if undo and analyze:
            _execute(["ANALYZE teams_registerentry"])
    return Fix(name, kind, apply, before, after, got == expected, lines)


def _execute(statements: Sequence[str]) -> None:
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)


def _plan_lines(plan: str) -> list[str]:
    """The lines of a plan that name how a table or index is read."""
    keep = ("SCAN", "SEARCH", "Scan", "SubPlan", "Aggregate", "Index Cond")
    lines = [line.strip() for line in plan.splitlines() if any(k in line for k in keep)]
    return lines or [line.strip() for line in plan.splitlines()]


# Reporting. -----------------------------------------------------------------------------------


def report(
    register: Register,
    daily: DailyResult,
    dash: DashboardResult,
    fixes: list[Fix],
    repeat: int,
) -> list[str]:
    r = register
    figures = daily.figures + dash.figures
    targets = [
        ("daily_page, busiest village", daily.figures[0].figure, Target(DAILY_TARGET)),
        ("daily_page, slowest village of the commune", daily.slowest_village, Target(DAILY_TARGET)),
        ("dashboard, busiest province", dash.figures[0].figure, Target(DASHBOARD_TARGET)),
    ]
    by_category = dash.counts["by_category"]
    lines = [
        f"register: {r.provinces} provinces, {r.districts} districts, {r.communes} communes, "
        f"{r.villages:,} villages, {r.teams:,} teams; {r.persons:,} people, {r.entries:,} "
        f"entries ({r.open_entries:,} open, {r.to_check:,} to check on {r.day}), "
        f"{r.checks:,} checks over the last {CHECK_DAYS} days",
        f"generated in {r.seconds:.0f} s: "
        + ", ".join(f"{k} {v:.1f} s" for k, v in r.parts.items()),
        f"busiest: village {daily.village} ({daily.village_rows} to check); commune "
        f"{daily.commune} ({daily.commune_villages} villages, {daily.commune_rows} to check); "
        f"province {dash.province} {dash.province_name} ({dash.province_entries:,} entries)",
        f"runs:     median of {repeat} after one warm-up",
        "",
        *table(figures),
        "",
        "baselines:",
        *(f"  {f.measure}: {f.baseline_is}" for f in figures),
        "",
        "targets:",
        *(
            f"  {t.verdict(seconds)}  {name}: {_ms(seconds)} (target {t.text()})"
            for name, seconds, t in targets
        ),
        "  no target given for team_coverage: reported only",
        "",
        f"daily list of {daily.village}: {daily.village_rows} rows, baseline "
        f"{daily.baseline_rows} rows; commune {daily.commune}: {daily.commune_rows} rows over "
        f"{daily.commune_villages} lists (baseline {daily.commune_baseline_rows}), slowest "
        f"village {_ms(daily.slowest_village)} (its baseline at most "
        f"{_ms(daily.slowest_baseline)})",
        f"daily list of {r.busy_village}: its own statement, rows fetched raw, "
        f"{_ms(daily.sql_time)}; the database's execute() takes {daily.db_share:.0%} of a "
        "profiled call, the rest is Django building the entries and people",
        "cProfile of one daily_list call, by own time:",
        *(f"  {line}" for line in daily.profile),
        f"dashboard of {dash.province}: open {dash.counts['open']:,} (baseline sum "
        f"{sum(dash.baseline_counts.values()):,}), by category "
        + ", ".join(f"{k} {v:,}" for k, v in sorted(by_category.items()))
        + f"; ending this week {dash.counts['ending_this_week']:,}, late checks "
        f"{dash.counts['late_checks']:,}, escalations {dash.counts['escalations']:,}, closed "
        + ", ".join(f"{k} {v:,}" for k, v in sorted(dash.counts["outcomes"].items()))
        + f", commitments {dash.counts['commitments']}",
        f"team_coverage of {dash.province}: {dash.coverage_rows} districts, "
        f"{dash.coverage_villages:,} villages (baseline {dash.coverage_baseline_villages:,}), "
        f"{dash.coverage_with_team:,} with a team by {r.day}, {dash.coverage_on_time:,} by the "
        f"deadline {DEADLINE}",
        "",
        f"dashboard statements, each run alone, median of {repeat} (querysets written like "
        f"queries.dashboard's: {'the same SQL' if dash.mirrors_match else 'SQL DIFFERS'}):",
        *(f"  {_ms(s.seconds):>10}  {s.label}" for s in dash.statements),
        f"  {_ms(sum(s.seconds for s in dash.statements)):>10}  in all; the database's "
        f"execute() takes {dash.db_share:.0%} of a profiled call",
        "cProfile of one dashboard call, by own time:",
        *(f"  {line}" for line in dash.profile),
        "",
        f"EXPLAIN daily_list({r.busy_village}, {r.day}) (QuerySet.explain()):",
        *(f"  {line}" for line in daily.explain.splitlines()),
    ]
    for s in dash.statements:
        if s.plan and s.label != "commitments":
            how = "count statement" if s.label in COUNTED else "QuerySet.explain()"
            lines += [
                f"EXPLAIN dashboard {s.label} ({how}):",
                *(f"  {line}" for line in s.plan.splitlines()),
            ]
    if fixes:
        lines += ["", "candidate fixes, each applied alone, measured, then removed:"]
        for fix in fixes:
            lines += [
                f"  {fix.name} ({fix.kind}): {_ms(fix.before)} -> {_ms(fix.after)} "
                f"({fix.before / fix.after:.1f}x); same answer: "
                f"{'yes' if fix.same_answer else 'NO'}",
                *(f"    {d}" for d in fix.ddl),
                *(f"    {d}" for d in fix.detail),
            ]
    return lines


def load_line(before: tuple[float, float, float]) -> str:
    """The machine's load when measuring began and ended: others' work skews the figures."""
    after = os.getloadavg()
    return (
        f"load:     1-minute load average {before[0]:.2f} when measuring began, "
        f"{after[0]:.2f} at the end ({os.cpu_count()} cores)"
    )


def run(
    provinces: str,
    entries: int,
    villages: int,
    day: date,
    repeat: int,
    try_fixes: bool,
) -> list[str]:
    """Build the register and measure everything on the configured database; the report."""
    register = build_register(province_codes(provinces), entries, day, villages)
    print(f"generated in {register.seconds:.0f} s", file=sys.stderr)
    load = os.getloadavg()
    daily = measure_daily(register, repeat)
    dash = measure_dashboard(register, repeat)
    missed = (
        daily.figures[0].figure > DAILY_TARGET
        or daily.slowest_village > DAILY_TARGET
        or dash.figures[0].figure > DASHBOARD_TARGET
    )
    fixes = measure_fixes(register, daily, dash, repeat) if missed or try_fixes else []
    return [*machine_facts(), load_line(load), *report(register, daily, dash, fixes, repeat)]


# The scratch database, made and dropped by main() only. --------------------------------------


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument(
        "--entries", type=int, default=2_000_000, help="register entries (default 2000000)"
    )
    parser.add_argument("--repeat", type=int, default=5, help="runs per figure (default 5)")
    parser.add_argument(
        "--provinces", default="all", help="'all' (default), the first N, or codes such as 56,58"
    )
    parser.add_argument(
        "--villages", type=int, default=10, help="villages per commune on average (default 10)"
    )
    parser.add_argument(
        "--try-fixes",
        action="store_true",
        help="measure the candidate fixes even when every target is met",
    )
    args = parser.parse_args(argv)
    if args.repeat < 1 or args.entries < 1 or args.villages < 1:
        parser.error("--repeat, --entries and --villages must be at least 1")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    return in_scratch_database(
        lambda: run(args.provinces, args.entries, args.villages, DAY, args.repeat, args.try_fixes)
    )


if __name__ == "__main__":
    sys.exit(main())
