"""The official administrative units of 2021, loaded from maintained packages.

- Units and codes: `vietnam_provinces` 0.4.3 (the official list of 2021-02-03; GPL, used as a
  dependency, its data never copied here). Codes are written at their official widths: province 2
  digits, district 3, commune 5 ("01", "001", "00001").
- Centroids: `vietnamadminunits` (its 63-province table), matched by code.
- Province population: the General Statistics Office's average population of 2020, shipped in
  `data/province_population_2020.csv`. Districts and communes get an estimate (see
  `estimate_populations`) until a user imports real figures.
"""

from __future__ import annotations

import csv
import functools
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import transaction
from django.db.models import Sum

from vungxanh.lib import tree

from .models import Area, AreaType, PopulationSource, Tier, under

SOURCE = "vietnam-provinces 0.4.3 (danh mục 03/02/2021)"
CENTROID_SOURCE = "vietnamadminunits"
POPULATION_FILE = Path(__file__).parent / "data" / "province_population_2020.csv"
POPULATION_NOTE = "Tổng cục Thống kê, dân số trung bình 2020"
ESTIMATE_NOTE = (
    "Ước tính: dân số tỉnh trừ các xã đã có số liệu, chia đều cho các xã còn lại; "
    "huyện bằng tổng các xã"
)

TYPE_OF_DIVISION = {
    "tỉnh": AreaType.PROVINCE,
    "thành phố trung ương": AreaType.CENTRAL_CITY,
    "huyện": AreaType.RURAL_DISTRICT,
    "quận": AreaType.URBAN_DISTRICT,
    "thành phố": AreaType.CITY,
    "thị xã": AreaType.TOWN,
    "xã": AreaType.COMMUNE,
    "thị trấn": AreaType.TOWNSHIP,
    "phường": AreaType.WARD,
}
CODE_WIDTH = {1: 2, 2: 3, 3: 5}


def official_code(number: int | str, level: int) -> str:
    return str(int(number)).zfill(CODE_WIDTH[level])


@dataclass
class UnitRow:
    code: str
    name: str
    type: str
    level: int
    parent_code: str | None
    path: str
    centroid: tuple[float, float] | None = None
    population: int | None = None


@dataclass
class LoadReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    provinces: list[str] = field(default_factory=list)


@functools.cache
def _package_divisions() -> list[dict[str, Any]]:
    import vietnam_provinces

    data: list[dict[str, Any]] = json.loads(
        Path(vietnam_provinces.NESTED_DIVISIONS_JSON_PATH).read_text("utf-8")
    )
    return data


def official_units(province_codes: Iterable[str] | None = None) -> list[UnitRow]:
    """Every unit of the named provinces (or all), parents before children."""
    wanted = {official_code(c, 1) for c in province_codes} if province_codes else None
    data = _package_divisions()
    rows: list[UnitRow] = []
    for p in data:
        p_code = official_code(p["code"], 1)
        if wanted is not None and p_code not in wanted:
            continue
        p_path = tree.child_path(None, p_code)
        rows.append(UnitRow(p_code, p["name"], _type(p), 1, None, p_path))
        for d in p["districts"]:
            d_code = official_code(d["code"], 2)
            d_path = tree.child_path(p_path, d_code)
            rows.append(UnitRow(d_code, d["name"], _type(d), 2, p_code, d_path))
            for w in d["wards"]:
                w_code = official_code(w["code"], 3)
                w_path = tree.child_path(d_path, w_code)
                rows.append(UnitRow(w_code, w["name"], _type(w), 3, d_code, w_path))
    if wanted is not None:
        missing = wanted - {r.code for r in rows if r.level == 1}
        if missing:
            raise ValueError(f"unknown province code(s): {', '.join(sorted(missing))}")
    _attach_centroids(rows)
    _attach_province_population(rows)
    return rows


def _type(unit: dict[str, Any]) -> str:
    return TYPE_OF_DIVISION[unit["division_type"]]


def _attach_centroids(rows: list[UnitRow]) -> None:
    found = _package_centroids()
    for row in rows:
        row.centroid = found.get(f"{row.level}:{row.code}")


@functools.cache
def _package_centroids() -> dict[str, tuple[float, float]]:
    from vietnamadminunits.database import query

    found: dict[str, tuple[float, float]] = {}
    for level, prefix in ((1, "province"), (2, "district"), (3, "ward")):
        sql = (
            f"SELECT DISTINCT {prefix}Code AS code, {prefix}Lat AS lat, {prefix}Lon AS lon "  # noqa: S608
            f"FROM admin_units_legacy WHERE {prefix}Lat IS NOT NULL"
        )
        for rec in query(sql):
            found[f"{level}:{official_code(rec['code'], level)}"] = (rec["lat"], rec["lon"])
    return found


def province_populations() -> dict[str, int]:
    with POPULATION_FILE.open(encoding="utf-8") as f:
        return {
            official_code(r["province_code"], 1): int(r["average_population_2020"])
            for r in csv.DictReader(f)
        }


def _attach_province_population(rows: list[UnitRow]) -> None:
    populations = province_populations()
    for row in rows:
        if row.level == 1:
            row.population = populations.get(row.code)


def load_official_units(province_codes: Iterable[str] | None = None) -> LoadReport:
    """Create the units that are missing and correct those whose official fields differ.

    Running it twice changes nothing. Fields that users own (population imported by a user,
    boundaries, villages, organizations) are never touched.
    """
    rows = official_units(province_codes)
    report = LoadReport(provinces=[r.code for r in rows if r.level == 1])
    with transaction.atomic():
        existing = {a.code: a for a in Area.objects.filter(code__in=[r.code for r in rows])}
        ids: dict[str, int] = {code: a.pk for code, a in existing.items()}
        for level in (1, 2, 3):
            new: list[Area] = []
            changed: list[Area] = []
            for row in (r for r in rows if r.level == level):
                parent_id = ids[row.parent_code] if row.parent_code else None
                area = existing.get(row.code)
                if area is None:
                    new.append(_new_area(row, parent_id))
                elif _apply(area, row, parent_id):
                    changed.append(area)
                else:
                    report.unchanged += 1
            Area.objects.bulk_create(new, batch_size=2000)
            if changed:
                Area.objects.bulk_update(changed, _OFFICIAL_FIELDS, batch_size=2000)
            report.created += len(new)
            report.updated += len(changed)
            if new:
                fresh = Area.objects.filter(code__in=[a.code for a in new]).values_list(
                    "code", "pk"
                )
                ids.update(dict(fresh))
        for code in report.provinces:
            estimate_populations(Area.objects.get(code=code))
    return report


_OFFICIAL_FIELDS = [
    "name",
    "type",
    "level",
    "parent",
    "path",
    "source",
    "centroid_lat",
    "centroid_lon",
    "centroid_source",
    "population",
    "population_year",
    "population_source",
    "population_note",
]


def _new_area(row: UnitRow, parent_id: int | None) -> Area:
    area = Area(code=row.code, parent_id=parent_id)
    _apply(area, row, parent_id)
    return area


def _apply(area: Area, row: UnitRow, parent_id: int | None) -> bool:
    """Set the official fields on `area`; True when anything differed."""
    wanted: dict[str, Any] = {
        "name": row.name,
        "type": row.type,
        "level": row.level,
        "parent_id": parent_id,
        "path": row.path,
        "source": SOURCE,
    }
    if row.centroid:
        wanted.update(
            centroid_lat=row.centroid[0],
            centroid_lon=row.centroid[1],
            centroid_source=CENTROID_SOURCE,
        )
    if row.population is not None and area.population_source != PopulationSource.IMPORTED:
        wanted.update(
            population=row.population,
            population_year=2020,
            population_source=PopulationSource.OFFICIAL,
            population_note=POPULATION_NOTE,
        )
    differs = any(getattr(area, k) != v for k, v in wanted.items())
    for k, v in wanted.items():
        setattr(area, k, v)
    return differs


def estimate_populations(province: Area) -> int:
    """Fill district and commune population where no real figure is known.

    The rule, stated wherever the figure is shown: the province's figure, less the communes a
    user has imported, split equally over the remaining communes; a district is the sum of its
    communes. Returns the number of rows changed; a second run changes none.
    """
    if province.population is None:
        return 0
    communes = Area.objects.filter(under(province.path)).of_tier(Tier.COMMUNE)
    known = communes.exclude(population_source=PopulationSource.ESTIMATED).exclude(
        population__isnull=True
    )
    known_total = known.aggregate(total=Sum("population"))["total"] or 0
    unknown = communes.exclude(pk__in=known.values("pk"))
    count = unknown.count()
    changed = 0
    if count:
        share = max(province.population - known_total, 0) // count
        changed += _set_estimate(unknown, share, province.population_year)
    for district in Area.objects.filter(parent=province).of_tier(Tier.DISTRICT):
        if district.population_source == PopulationSource.IMPORTED:
            continue
        communes_of_district = Area.objects.filter(under(district.path)).of_tier(Tier.COMMUNE)
        total = communes_of_district.aggregate(total=Sum("population"))["total"] or 0
        changed += _set_estimate(
            Area.objects.filter(pk=district.pk), total, province.population_year
        )
    return changed


def _set_estimate(queryset: Any, population: int, year: int | None) -> int:
    values = {
        "population": population,
        "population_year": year,
        "population_source": PopulationSource.ESTIMATED,
        "population_note": ESTIMATE_NOTE,
    }
    differing = queryset.exclude(**values)
    return int(differing.update(**values))
