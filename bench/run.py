"""Vùng Xanh benchmark: each product figure beside a raw baseline measured in the same run.

    python bench/run.py [--provinces N|all|CODE,CODE...] [--repeat K]

1. Loading the official units with `load_official_units` into an empty areas table, beside a raw
   `executemany` INSERT of the same rows into `bench_area`, a scratch copy of `areas_area` (same
   columns, primary key, unique indexes on code and path, other indexes, self foreign key).
   A second, idempotent run of the loader is timed beside a raw SELECT of every row.
2. Subtree queries (an indexed range on the materialized path): counting each province's
   communes, and fetching the largest province's subtree, beside the same number of lookups on
   the unique code index and a fetch of as many rows by primary-key range.

Every figure is the median of K runs; nothing here asserts a time. `main()` alone makes the
scratch database (a temporary SQLite file, or a `vungxanh_bench_<pid>` database on the
PostgreSQL server of DATABASE_URL, dropped at the end); the measuring functions run on whatever
database Django is configured with, which must be a scratch or test database: they empty the
areas table between runs.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import urlsplit, urlunsplit

from django.db import connection, transaction

if TYPE_CHECKING:
    from vungxanh.areas.models import Area
    from vungxanh.areas.official import LoadReport, UnitRow

T = TypeVar("T")

AREA_TABLE = "areas_area"
BENCH_TABLE = "bench_area"
PARENT_ID_NOTE = "ids and parent_id assigned in Python beforehand (real parents, not NULL)"
POSTGRES_SCHEMES = {"postgres", "postgresql", "pgsql", "postgis"}


@dataclass
class Figure:
    """One line of the table: the product's figure and its baseline, in seconds (medians)."""

    measure: str
    figure: float
    baseline: float
    baseline_is: str

    @property
    def ratio(self) -> float:
        return self.figure / self.baseline


@dataclass
class LoadResult:
    figures: list[Figure]
    rows: int
    provinces: int
    districts: int
    communes: int
    first_run: LoadReport
    second_run: LoadReport
    baseline_rows_identical: bool
    bench_table_keys: list[str]
    same_keys: bool


@dataclass
class SubtreeResult:
    figures: list[Figure]
    provinces: int
    communes_counted: int
    largest_code: str
    largest_name: str
    largest_rows: int
    explain_count: str
    explain_fetch: str


# Measuring. These run on the database Django is already configured with.


def province_codes(provinces: str) -> list[str] | None:
    """The codes `--provinces` names: None for all, the first N, or a comma-separated list."""
    from vungxanh.areas.official import official_code, official_units

    if provinces == "all":
        return None
    if not provinces.isdigit():
        return [official_code(c.strip(), 1) for c in provinces.split(",") if c.strip()]
    all_codes = [r.code for r in official_units(None) if r.level == 1]
    return all_codes[: int(provinces)]


def measure_load(codes: list[str] | None, repeat: int) -> LoadResult:
    """Time the loader on an empty areas table, its second run, and their baselines."""
    from vungxanh.areas.models import Area
    from vungxanh.areas.official import load_official_units, official_units

    if Area.objects.exists():
        raise RuntimeError("measure_load needs an empty areas table (use a scratch database)")
    units = official_units(codes)  # also warms the package-data caches the loader uses
    columns, params = _baseline_rows(units)
    load_times: list[float] = []
    insert_times: list[float] = []
    reload_times: list[float] = []
    read_times: list[float] = []
    first_run = second_run = None
    identical = same_keys = False
    keys: list[str] = []
    for i in range(repeat):
        _empty_areas()
        _create_bench_table()
        try:
            insert_times.append(_timed(lambda: _insert_baseline(columns, params))[0])
            elapsed, first_run = _timed(lambda: load_official_units(codes))
            load_times.append(elapsed)
            elapsed, second_run = _timed(lambda: load_official_units(codes))
            reload_times.append(elapsed)
            read_times.append(_timed(_read_all_areas)[0])
            if i == repeat - 1:
                identical = _rows_of(AREA_TABLE) == _rows_of(BENCH_TABLE)
                keys = _keys_of(BENCH_TABLE)
                same_keys = keys == _keys_of(AREA_TABLE)
        finally:
            _drop_bench_table()
    assert first_run is not None and second_run is not None
    n = len(units)
    return LoadResult(
        figures=[
            Figure(
                f"load_official_units, empty table ({n} rows)",
                statistics.median(load_times),
                statistics.median(insert_times),
                f"raw executemany INSERT of the same {n} rows into {BENCH_TABLE}",
            ),
            Figure(
                "load_official_units, second run (no change)",
                statistics.median(reload_times),
                statistics.median(read_times),
                f"raw SELECT of every column of the {n} rows",
            ),
        ],
        rows=n,
        provinces=sum(1 for u in units if u.level == 1),
        districts=sum(1 for u in units if u.level == 2),
        communes=sum(1 for u in units if u.level == 3),
        first_run=first_run,
        second_run=second_run,
        baseline_rows_identical=identical,
        bench_table_keys=keys,
        same_keys=same_keys,
    )


def measure_subtree(repeat: int) -> SubtreeResult:
    """Time subtree queries over the loaded provinces beside plain indexed lookups."""
    from vungxanh.areas.models import Area, Tier

    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {connection.ops.quote_name(AREA_TABLE)}")
    provinces = list(Area.objects.filter(level=1).order_by("code"))
    if not provinces:
        raise RuntimeError("measure_subtree needs loaded provinces")
    codes = [p.code for p in provinces]

    def count_subtrees() -> list[int]:
        return [Area.objects.subtree(p).of_tier(Tier.COMMUNE).count() for p in provinces]

    def count_codes() -> list[int]:
        return [Area.objects.filter(code=code).count() for code in codes]

    sizes = {p.code: Area.objects.subtree(p).count() for p in provinces}
    largest = max(provinces, key=lambda p: (sizes[p.code], p.code))
    pks = list(Area.objects.order_by("pk").values_list("pk", flat=True)[: sizes[largest.code]])

    def fetch_subtree() -> list[Area]:
        return list(Area.objects.subtree(largest))

    def fetch_pk_range() -> list[Area]:
        return list(Area.objects.filter(pk__gte=pks[0], pk__lte=pks[-1]).order_by("pk"))

    count_time, counts = _median_time(count_subtrees, repeat)
    code_time, found = _median_time(count_codes, repeat)
    fetch_time, fetched = _median_time(fetch_subtree, repeat)
    range_time, ranged = _median_time(fetch_pk_range, repeat)
    if set(found) != {1} or len(fetched) != len(ranged) or len(fetched) != len(pks):
        raise RuntimeError("the baseline did not read what the measured query read")
    n = len(provinces)
    return SubtreeResult(
        figures=[
            Figure(
                f"subtree(province).of_tier(COMMUNE).count(), x{n}",
                count_time,
                code_time,
                f"{n} x Area.objects.filter(code=X).count() on the unique index",
            ),
            Figure(
                f"fetch subtree of {largest.code} ({len(fetched)} rows)",
                fetch_time,
                range_time,
                f"fetch {len(ranged)} rows by primary-key range",
            ),
        ],
        provinces=n,
        communes_counted=sum(counts),
        largest_code=largest.code,
        largest_name=largest.name,
        largest_rows=len(fetched),
        explain_count=Area.objects.subtree(largest).of_tier(Tier.COMMUNE).order_by().explain(),
        explain_fetch=Area.objects.subtree(largest).explain(),
    )


def _timed(fn: Callable[[], T]) -> tuple[float, T]:
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def _median_time(fn: Callable[[], T], repeat: int) -> tuple[float, T]:
    """The median of `repeat` timed calls, after one untimed warm-up call."""
    result = fn()
    times = []
    for _ in range(repeat):
        elapsed, result = _timed(fn)
        times.append(elapsed)
    return statistics.median(times), result


# The baseline table and rows.


def _empty_areas() -> None:
    """Empty the areas table and restart its ids, the way Django's own flush does."""
    from django.core.management.color import no_style

    statements = connection.ops.sql_flush(
        no_style(), [AREA_TABLE], reset_sequences=True, allow_cascade=True
    )
    connection.ops.execute_sql_flush(statements)


def _create_bench_table() -> None:
    """Make `bench_area`, an empty copy of `areas_area` with the same keys and indexes."""
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(
                "SELECT sql FROM sqlite_master WHERE tbl_name = %s AND sql IS NOT NULL "
                "ORDER BY type = 'index'",
                [AREA_TABLE],
            )
            for (ddl,) in cursor.fetchall():
                # The table, its self foreign key and its named indexes, renamed.
                ddl = ddl.replace(quote(AREA_TABLE), quote(BENCH_TABLE))
                ddl = ddl.replace(f'"{AREA_TABLE}_', f'"{BENCH_TABLE}_')
                cursor.execute(ddl)
        elif connection.vendor == "postgresql":
            cursor.execute(f"CREATE TABLE {BENCH_TABLE} (LIKE {AREA_TABLE} INCLUDING ALL)")
            cursor.execute(
                f"ALTER TABLE {BENCH_TABLE} ADD CONSTRAINT {BENCH_TABLE}_parent_fk "
                f"FOREIGN KEY (parent_id) REFERENCES {BENCH_TABLE} (id) "
                "DEFERRABLE INITIALLY DEFERRED"
            )
        else:
            raise NotImplementedError(f"no baseline table for {connection.vendor}")


def _drop_bench_table() -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {connection.ops.quote_name(BENCH_TABLE)}")


def _baseline_rows(units: Sequence[UnitRow]) -> tuple[list[str], list[list[Any]]]:
    """Every column of the rows the loader leaves behind, for a raw INSERT.

    Ids follow the units' order (parents first), so parent_id is known before inserting.
    District and commune populations follow the loader's estimate (see
    `official.estimate_populations`): the province's figure split equally over its communes, a
    district the sum of its communes.
    """
    from django.utils import timezone

    from vungxanh.areas.models import Area, PopulationSource
    from vungxanh.areas.official import (
        CENTROID_SOURCE,
        ESTIMATE_NOTE,
        POPULATION_NOTE,
        SOURCE,
    )

    now = connection.ops.adapt_datetimefield_value(timezone.now())
    ids = {u.code: i for i, u in enumerate(units, start=1)}
    rows: dict[str, dict[str, Any]] = {}
    for u in units:
        rows[u.code] = {
            "id": ids[u.code],
            "code": u.code,
            "name": u.name,
            "type": u.type,
            "level": u.level,
            "parent_id": ids[u.parent_code] if u.parent_code else None,
            "path": u.path,
            "population": u.population,
            "population_year": 2020 if u.population is not None else None,
            "population_source": PopulationSource.OFFICIAL if u.population is not None else "",
            "population_note": POPULATION_NOTE if u.population is not None else "",
            "centroid_lat": u.centroid[0] if u.centroid else None,
            "centroid_lon": u.centroid[1] if u.centroid else None,
            "centroid_source": CENTROID_SOURCE if u.centroid else "",
            "source": SOURCE,
            "is_generated": False,
            "created_at": now,
            "updated_at": now,
        }
    estimated = {
        "population_source": str(PopulationSource.ESTIMATED),
        "population_note": ESTIMATE_NOTE,
    }
    children: dict[str, list[UnitRow]] = {}
    for u in units:
        if u.parent_code:
            children.setdefault(u.parent_code, []).append(u)
    for province in (u for u in units if u.level == 1):
        if province.population is None:
            continue
        districts = children.get(province.code, [])
        communes = {d.code: children.get(d.code, []) for d in districts}
        share = province.population // max(sum(len(c) for c in communes.values()), 1)
        for district in districts:
            for commune in communes[district.code]:
                rows[commune.code].update(population=share, population_year=2020, **estimated)
            total = share * len(communes[district.code])
            rows[district.code].update(population=total, population_year=2020, **estimated)
    columns = [f.column for f in Area._meta.concrete_fields]
    if set(columns) != set(rows[units[0].code]):
        raise RuntimeError(f"the baseline does not fill exactly the columns {columns}")
    return columns, [[row[c] for c in columns] for row in rows.values()]


def _insert_baseline(columns: list[str], params: list[list[Any]]) -> None:
    quote = connection.ops.quote_name
    sql = (
        f"INSERT INTO {quote(BENCH_TABLE)} ({', '.join(quote(c) for c in columns)}) "
        f"VALUES ({', '.join(['%s'] * len(columns))})"
    )
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.executemany(sql, params)


def _read_all_areas() -> int:
    from vungxanh.areas.models import Area

    quote = connection.ops.quote_name
    columns = ", ".join(quote(f.column) for f in Area._meta.concrete_fields)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {columns} FROM {quote(AREA_TABLE)}")
        return len(cursor.fetchall())


def _rows_of(table: str) -> list[tuple[Any, ...]]:
    """A table's rows without ids and timestamps, the parent named by its code."""
    from vungxanh.areas.models import Area

    quote = connection.ops.quote_name
    skip = {"id", "parent_id", "created_at", "updated_at"}
    columns = [f.column for f in Area._meta.concrete_fields if f.column not in skip]
    select = ", ".join(f"a.{quote(c)}" for c in columns)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {select}, p.code FROM {quote(table)} a "
            f"LEFT JOIN {quote(table)} p ON p.id = a.parent_id ORDER BY a.path"
        )
        return [tuple(r) for r in cursor.fetchall()]


def _keys_of(table: str) -> list[str]:
    """The table's primary key, unique constraints, indexes and foreign keys, names aside."""
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, table)
    keys = []
    for c in constraints.values():
        columns = ",".join(c["columns"])
        if c["primary_key"]:
            keys.append(f"PK({columns})")
        elif c["unique"]:
            keys.append(f"UNIQUE({columns})")
        elif c["foreign_key"]:
            keys.append(f"FK({columns})")
        elif c["index"]:
            keys.append(f"INDEX({columns})")
    return sorted(keys)


# Reporting.


def machine_facts() -> list[str]:
    cpu = platform.processor() or platform.machine()
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    import django

    return [
        f"machine:  {os.cpu_count()} cores, {cpu}, {platform.platform()}",
        f"python:   {platform.python_version()} ({platform.python_implementation()}), "
        f"Django {django.get_version()}",
        f"database: {database_version()}",
    ]


def database_version() -> str:
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT sqlite_version()")
            return (
                f"SQLite {cursor.fetchone()[0]} (scratch file {connection.settings_dict['NAME']})"
            )
        if connection.vendor == "postgresql":
            cursor.execute("SHOW server_version")
            return (
                f"PostgreSQL {cursor.fetchone()[0]} (scratch database "
                f"{connection.settings_dict['NAME']} on {connection.settings_dict['HOST']})"
            )
    return connection.vendor


def table(figures: Sequence[Figure]) -> list[str]:
    header = ("measure", "figure", "baseline", "ratio")
    body = [(f.measure, _ms(f.figure), _ms(f.baseline), f"{f.ratio:.1f}") for f in figures]
    widths = [max(len(r[i]) for r in [header, *body]) for i in range(4)]

    def line(cells: Sequence[str]) -> str:
        first = cells[0].ljust(widths[0])
        return "  ".join([first, *(c.rjust(w) for c, w in zip(cells[1:], widths[1:], strict=True))])

    return [line(header), "  ".join("-" * w for w in widths), *(line(r) for r in body)]


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:,.1f} ms"


def report(load: LoadResult, subtree: SubtreeResult, repeat: int) -> list[str]:
    figures = load.figures + subtree.figures
    lines = [
        f"loaded:   {load.provinces} provinces, {load.districts} districts, "
        f"{load.communes} communes ({load.rows} rows)",
        f"runs:     median of {repeat}; the subtree and lookup figures after one warm-up",
        "",
        *table(figures),
        "",
        "baselines:",
        *(f"  {f.measure}: {f.baseline_is}" for f in figures),
        "",
        f"first run of the loader:  created {load.first_run.created}, "
        f"updated {load.first_run.updated}, unchanged {load.first_run.unchanged}",
        f"second run of the loader: created {load.second_run.created}, "
        f"updated {load.second_run.updated}, unchanged {load.second_run.unchanged}",
        f"baseline INSERT: {PARENT_ID_NOTE}; one transaction, commit timed",
        f"{BENCH_TABLE} keys: {' '.join(load.bench_table_keys)} "
        f"({'same as' if load.same_keys else 'DIFFERENT FROM'} {AREA_TABLE})",
        f"baseline rows identical to the loader's, ids and timestamps aside: "
        f"{'yes' if load.baseline_rows_identical else 'NO'}",
        f"communes counted over {subtree.provinces} provinces: {subtree.communes_counted}; "
        f"largest subtree: {subtree.largest_code} {subtree.largest_name} "
        f"({subtree.largest_rows} rows)",
        "",
        f"EXPLAIN subtree({subtree.largest_code}).of_tier(COMMUNE) (the WHERE of the count):",
        *(f"  {line}" for line in subtree.explain_count.splitlines()),
        f"EXPLAIN subtree({subtree.largest_code}) (the fetch):",
        *(f"  {line}" for line in subtree.explain_fetch.splitlines()),
    ]
    return lines


def run(provinces: str, repeat: int) -> list[str]:
    """Measure everything on the configured database; the report's lines."""
    codes = province_codes(provinces)
    load = measure_load(codes, repeat)
    subtree = measure_subtree(repeat)
    return machine_facts() + report(load, subtree, repeat)


# The scratch database, made and dropped by main() only.


def _create_postgres_database(url: str) -> tuple[str, str]:
    """Create `vungxanh_bench_<pid>` on the server of `url`; its name and URL."""
    import psycopg
    from psycopg import sql

    name = f"vungxanh_bench_{os.getpid()}"
    with psycopg.connect(url, dbname="postgres", autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return name, urlunsplit(urlsplit(url)._replace(path=f"/{name}"))


def _drop_postgres_database(url: str, name: str) -> None:
    import psycopg
    from psycopg import sql

    with psycopg.connect(url, dbname="postgres", autocommit=True) as conn:
        force = " WITH (FORCE)" if conn.info.server_version >= 130000 else ""
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {}" + force).format(sql.Identifier(name)))


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument(
        "--provinces",
        default="all",
        help="'all' (default), the first N provinces, or codes such as 56,58 (one code: 56,)",
    )
    parser.add_argument("--repeat", type=int, default=5, help="runs per figure (default 5)")
    args = parser.parse_args(argv)
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    return args


def in_scratch_database(measure: Callable[[], Sequence[str]]) -> int:
    """Run `measure` against a fresh scratch database (a temporary SQLite file, or a scratch
    PostgreSQL database on DATABASE_URL's server), print its lines, and remove the database."""
    root = str(Path(__file__).resolve().parent.parent)
    if root not in sys.path:
        sys.path.insert(0, root)
    os.environ["DJANGO_SETTINGS_MODULE"] = "vungxanh.settings"
    var_dir = tempfile.mkdtemp(prefix="vungxanh-bench-")
    os.environ["VUNGXANH_VAR_DIR"] = var_dir
    server_url = os.environ.get("DATABASE_URL")
    scratch: str | None = None
    django_ready = False
    try:
        if server_url:
            if urlsplit(server_url).scheme not in POSTGRES_SCHEMES:
                print("DATABASE_URL must be a PostgreSQL URL, or unset for SQLite", file=sys.stderr)
                return 2
            scratch, os.environ["DATABASE_URL"] = _create_postgres_database(server_url)
        import django
        from django.core.management import call_command

        django.setup()
        django_ready = True
        call_command("migrate", verbosity=0)
        started = time.perf_counter()
        print("\n".join(measure()))
        print(f"\nwhole benchmark: {time.perf_counter() - started:.0f} s")
    finally:
        if django_ready:
            from django.db import connections

            connections.close_all()
        if server_url and scratch:
            _drop_postgres_database(server_url, scratch)
        shutil.rmtree(var_dir, ignore_errors=True)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    return in_scratch_database(lambda: run(args.provinces, args.repeat))


if __name__ == "__main__":
    sys.exit(main())
