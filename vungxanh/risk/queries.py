"""Reads of levels for the map, the levels API and the progress panel. Levels are public.

Every figure here is computed in the database (filters, GROUP BY) or over one province's rows;
none loops over a country's rows in Python.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import numpy as np
from django.db.models import Count, Max, Min, Q, QuerySet, Sum

from vungxanh.areas.models import TYPES_OF_TIER, Area, AreaGeometry, Tier, under
from vungxanh.lib import tree

from . import engine, explain
from .models import AreaLevel, LevelRun, Override, RulesetVersion
from .rules import LEVELS, RulesetParams


def level_facts(row: AreaLevel) -> engine.Facts:
    return engine.Facts(
        level=row.computed_level,
        reason=row.reason,
        value=row.value,
        cases=row.cases,
        rate=np.nan if row.rate is None else row.rate,
        coverage=np.nan if row.coverage is None else row.coverage,
        floored=row.floored,
        is_parent=row.is_parent,
    )


def explanation(row: AreaLevel, versions: dict[int, RulesetVersion]) -> str:
    version = versions[row.ruleset_version_id]
    return explain.explain(level_facts(row), _parsed(version))


def _parsed(version: RulesetVersion) -> RulesetParams:
    """A version's parameters, validated once per loaded version (not once per row)."""
    cached: RulesetParams | None = getattr(version, "_parsed_params", None)
    if cached is None:
        cached = version.parsed()
        version._parsed_params = cached  # type: ignore[attr-defined]
    return cached


def _versions() -> dict[int, RulesetVersion]:
    return {v.pk: v for v in RulesetVersion.objects.select_related("ruleset")}


LEVEL_FIELDS = (
    "level",
    "computed_level",
    "ruleset_version_id",
    "reason",
    "value",
    "cases",
    "rate",
    "coverage",
    "floored",
    "is_parent",
)


def levels_for_day(
    areas: QuerySet[Area], day: date, *, with_explanation: bool = True
) -> list[dict[str, Any]]:
    """The level of each of `areas` (in their order) on `day`, as the levels API gives it.

    Plain rows (values_list) joined in a dict, no model objects: every commune of the country
    is one query for the areas, one for their levels, one for their overrides. Explanations
    are made once per distinct set of facts (most green communes share one).
    """
    listed = list(areas.values_list("pk", "code", "name"))
    of_areas = areas.values("pk")
    levels = {
        r[0]: r[1:]
        for r in AreaLevel.objects.filter(date=day, area__in=of_areas)
        .values_list("area_id", *LEVEL_FIELDS)
        .order_by()
    }
    overrides: dict[int, dict[str, Any]] = {}
    for o in Override.objects.filter(area__in=of_areas).active_on(day).order_by("created_at"):
        overrides[o.area_id] = {  # the newest wins, as in the stored level
            "id": o.pk,
            "level": o.level,
            "date_from": o.date_from.isoformat(),
            "date_to": o.date_to.isoformat() if o.date_to else None,
            "reason": o.reason,
            "decision_number": o.decision_number,
        }
    versions = _versions() if with_explanation else {}
    explained: dict[tuple[Any, ...], str] = {}
    out = []
    for pk, code, name in listed:
        row = levels.get(pk)
        text = ""
        if row is not None and with_explanation:
            if row[1:] not in explained:
                explained[row[1:]] = _explain_values(row, versions)
            text = explained[row[1:]]
        out.append(
            {
                "area_code": code,
                "name": name,
                "level": row[0] if row else None,
                "colour": LEVELS[row[0]] if row else None,
                "computed_level": row[1] if row else None,
                "override": overrides.get(pk),
                "explanation": text,
            }
        )
    return out


def _explain_values(row: tuple[Any, ...], versions: dict[int, RulesetVersion]) -> str:
    _level, computed, version_id, reason, value, cases, rate, coverage, floored, is_parent = row
    facts = engine.Facts(
        level=computed,
        reason=reason,
        value=value,
        cases=cases,
        rate=np.nan if rate is None else rate,
        coverage=np.nan if coverage is None else coverage,
        floored=bool(floored),
        is_parent=bool(is_parent),
    )
    return explain.explain(facts, _parsed(versions[version_id]))


def assessed_types() -> list[str]:
    return TYPES_OF_TIER[Tier.PROVINCE] + TYPES_OF_TIER[Tier.DISTRICT] + TYPES_OF_TIER[Tier.COMMUNE]


def level_dates(area: Area) -> tuple[date, date] | None:
    span = AreaLevel.objects.filter(area=area).aggregate(lo=Min("date"), hi=Max("date"))
    if span["lo"] is None:
        return None
    return span["lo"], span["hi"]


def series(area: Area) -> dict[str, Any]:
    """Every assessed area under `area`, with its effective level per day as a digit string
    ("0": no level), its centroid, boundary flag and neighbours: all the map needs to play."""
    span = level_dates(area)
    areas = list(
        Area.objects.filter(under(area.path), type__in=assessed_types())
        .select_related("parent")
        .order_by("path")
    )
    if span is None:
        return {"dates": [], "areas": [], "updated_at": None}
    n_days = (span[1] - span[0]).days + 1
    position = {a.pk: i for i, a in enumerate(areas)}
    grid = np.zeros((len(areas), n_days), dtype=np.int8)
    rows = AreaLevel.objects.filter(area_id__in=position, date__range=span).values_list(
        "area_id", "date", "level"
    )
    for area_id, day, level in rows.iterator(chunk_size=20_000):
        grid[position[area_id], (day - span[0]).days] = level
    with_boundary = set(
        AreaGeometry.objects.filter(area_id__in=position).values_list("area_id", flat=True)
    )
    neighbours = adjacency(areas)
    run = LevelRun.objects.filter(province__code=tree.segments(area.path)[0]).first()
    return {
        "dates": [str(np.datetime64(span[0]) + i) for i in range(n_days)],
        "updated_at": run.finished_at.isoformat() if run else None,
        "areas": [
            {
                "code": a.code,
                "name": a.name,
                "tier": a.tier,
                "parent_code": a.parent.code if a.parent else None,
                "parent_name": a.parent.name if a.parent else None,
                "population": a.population,
                "population_estimated": a.population_is_estimate,
                "centroid": (
                    [a.centroid_lat, a.centroid_lon] if a.centroid_lat is not None else None
                ),
                "has_boundary": a.pk in with_boundary,
                "neighbours": neighbours.get(a.code, []),
                "levels": "".join(map(str, grid[i].tolist())),
            }
            for i, a in enumerate(areas)
        ],
    }


def adjacency(areas: list[Area], k: int = 4) -> dict[str, list[str]]:
    """Neighbouring communes: touching boundaries where both are loaded, else the k nearest
    centroids within the same district (a stated approximation)."""
    communes = [a for a in areas if a.tier == Tier.COMMUNE]
    result: dict[str, list[str]] = {a.code: [] for a in communes}
    geometries = {g.area_id: g.geojson for g in AreaGeometry.objects.filter(area__in=communes)}
    if geometries:
        _touching(communes, geometries, result)
    by_district: dict[int | None, list[Area]] = {}
    for a in communes:
        if a.pk not in geometries and a.centroid_lat is not None:
            by_district.setdefault(a.parent_id, []).append(a)
    for group in by_district.values():
        points = np.array([[a.centroid_lat, a.centroid_lon] for a in group], dtype=float)
        for i, a in enumerate(group):
            distance = np.hypot(*(points - points[i]).T)
            order = [j for j in np.argsort(distance) if group[j].code != a.code]
            nearest = [group[j].code for j in order[:k]]
            result[a.code] = sorted(set(result[a.code]) | set(nearest))
    return result


def _touching(
    communes: list[Area], geometries: dict[int, Any], result: dict[str, list[str]]
) -> None:
    from shapely.geometry import shape
    from shapely.strtree import STRtree

    with_shape = [(a, shape(geometries[a.pk])) for a in communes if a.pk in geometries]
    index = STRtree([s for _, s in with_shape])
    for a, s in with_shape:
        for j in index.query(s, predicate="intersects"):
            other = with_shape[int(j)][0]
            if other.pk != a.pk:
                result[a.code].append(other.code)


def progress(area: Area) -> list[dict[str, Any]]:
    """Per day: communes under `area` and the share of them, and of their population, in green."""
    communes = Q(
        area__path__gte=area.path,
        area__path__lt=tree.upper_bound(area.path),
        area__type__in=TYPES_OF_TIER[Tier.COMMUNE],
    )
    rows = (
        AreaLevel.objects.filter(communes)
        .values("date")
        .annotate(
            communes=Count("pk"),
            green=Count("pk", filter=Q(level=1)),
            population=Sum("area__population"),
            population_green=Sum("area__population", filter=Q(level=1)),
        )
        .order_by("date")
    )
    return [
        {
            "date": r["date"].isoformat(),
            "communes": r["communes"],
            "green": r["green"],
            "share_green": round(r["green"] / r["communes"], 4) if r["communes"] else 0.0,
            "population": r["population"] or 0,
            "population_green": r["population_green"] or 0,
            "share_population_green": (
                round((r["population_green"] or 0) / r["population"], 4) if r["population"] else 0.0
            ),
        }
        for r in rows
    ]


def history(area: Area) -> dict[str, Any]:
    """The area's levels day by day and the days they changed ("vàng → xanh ngày 03/9/2021")."""
    rows = list(
        AreaLevel.objects.filter(area=area)
        .order_by("date")
        .values_list("date", "level", "computed_level")
    )
    changes = [
        {
            "date": day.isoformat(),
            "from": rows[i - 1][1],
            "to": level,
            "from_colour": LEVELS[rows[i - 1][1]],
            "to_colour": LEVELS[level],
        }
        for i, (day, level, _c) in enumerate(rows)
        if i and level != rows[i - 1][1]
    ]
    return {
        "levels": [
            {"date": d.isoformat(), "level": lvl, "computed_level": c} for d, lvl, c in rows
        ],
        "changes": changes,
    }
