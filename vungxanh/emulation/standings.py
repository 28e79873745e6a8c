"""Standings of a campaign's phase at a date: each accepted unit's criteria, its points and its
rank in its cluster, with every figure shown so a unit can see why it stands where it does.

Points of a metric criterion are relative within the cluster: the best value gets the full weight,
the worst none, the others in proportion (all equal: all full). A hand-scored criterion gives the
organizer's points (0 to the weight). A unit's total is the sum; ties share a rank.

`rank_cluster` is pure; `compute` reads the data (levels, teams, ratings) as of the date, so the
same date gives the same standings until the data before that date changes, which a frozen
`PhaseReview` guards against.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any

from vungxanh import metrics

from .models import Campaign, ManualScore, Phase, Registration, ScoringCriterion


@dataclass
class Line:
    code: str
    label: str
    value: float | None
    points: float
    weight: float
    note: str = ""


@dataclass
class Standing:
    registration: int
    unit: str
    unit_code: str
    cluster: str
    total: float = 0.0
    rank: int = 0
    lines: list[Line] = field(default_factory=list)


@dataclass(frozen=True)
class CriterionSpec:
    code: str
    label: str
    weight: float
    better: str  # "higher" | "lower"
    manual: bool


def rank_cluster(
    units: list[Standing],
    criteria: list[CriterionSpec],
    values: dict[int, dict[str, float | None]],
    manual: dict[int, dict[str, tuple[float, str]]],
) -> list[Standing]:
    """Points, totals and ranks of one cluster's units (in place; returned best first)."""
    for spec in criteria:
        if spec.manual:
            for unit in units:
                points, note = manual.get(unit.registration, {}).get(spec.code, (0.0, ""))
                points = min(max(points, 0.0), spec.weight)
                unit.lines.append(Line(spec.code, spec.label, points, points, spec.weight, note))
            continue
        known = [v for u in units if (v := values[u.registration].get(spec.code)) is not None]
        low, high = (min(known), max(known)) if known else (0.0, 0.0)
        for unit in units:
            value = values[unit.registration].get(spec.code)
            if value is None:
                points = 0.0
            elif high == low:  # nobody differs: all the weight, unless there is none of it
                points = 0.0 if spec.better == "higher" and value == 0 else spec.weight
            elif spec.better == "lower":
                points = spec.weight * (high - value) / (high - low)
            else:
                points = spec.weight * (value - low) / (high - low)
            unit.lines.append(Line(spec.code, spec.label, value, round(points, 2), spec.weight))
    for unit in units:
        unit.total = round(sum(line.points for line in unit.lines), 2)
    ordered = sorted(units, key=lambda u: (-u.total, u.unit))
    previous: float | None = None
    for position, unit in enumerate(ordered, start=1):
        unit.rank = ordered[position - 2].rank if unit.total == previous else position
        previous = unit.total
    return ordered


def period_of(phase: Phase, as_of: date) -> tuple[date, date]:
    return phase.starts_on, min(as_of, phase.ends_on)


def compute(campaign: Campaign, phase: Phase, as_of: date) -> list[Standing]:
    """Standings of every cluster (clusters by name, units by rank) at `as_of`."""
    start, end = period_of(phase, as_of)
    criteria = [
        CriterionSpec(c.code, c.label, c.weight, c.better, c.manual)
        for c in ScoringCriterion.objects.filter(campaign=campaign)
    ]
    registrations = list(
        Registration.objects.filter(campaign=campaign, status=Registration.Status.ACCEPTED)
        .select_related("area", "organization", "cluster")
        .order_by("cluster__name", "area_path")
    )
    manual: dict[int, dict[str, tuple[float, str]]] = {}
    for score in ManualScore.objects.filter(
        registration__in=registrations, phase=phase
    ).select_related("criterion"):
        manual.setdefault(score.registration_id, {})[score.criterion.code] = (
            score.points,
            score.note,
        )
    values: dict[int, dict[str, float | None]] = {}
    by_cluster: dict[str, list[Standing]] = {}
    metric_of = {c.code: c.metric for c in ScoringCriterion.objects.filter(campaign=campaign)}
    for reg in registrations:
        unit_values: dict[str, float | None] = {}
        for spec in criteria:
            name = metric_of[spec.code]
            if spec.manual or reg.area is None or name not in metrics.PERIOD_REGISTRY:
                unit_values[spec.code] = None
            else:
                unit_values[spec.code] = round(metrics.period_value(name, reg.area, start, end), 4)
        values[reg.pk] = unit_values
        unit = reg.organization or reg.area
        assert unit is not None
        cluster = reg.cluster.name if reg.cluster else ""
        by_cluster.setdefault(cluster, []).append(Standing(reg.pk, unit.name, unit.code, cluster))
    result: list[Standing] = []
    for cluster in sorted(by_cluster):
        result.extend(rank_cluster(by_cluster[cluster], criteria, values, manual))
    return result


def as_json(standings: list[Standing]) -> list[dict[str, Any]]:
    return [asdict(s) for s in standings]


def from_json(data: list[dict[str, Any]]) -> list[Standing]:
    return [Standing(**{**row, "lines": [Line(**line) for line in row["lines"]]}) for row in data]
