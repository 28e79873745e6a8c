"""Named figures the product computes in the database for an area on a day.

One figure, one definition: criteria answered from live data, dashboards and (later) emulation
scoring read the same registry. Each metric is a function of (area, day) returning a number.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Exists, OuterRef, Q, Sum
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from vungxanh.areas.models import TYPES_OF_TIER, Area, Tier, under


@dataclass(frozen=True)
class Metric:
    name: str
    label: str | Promise
    unit: str
    compute: Callable[[Area, date], float]


REGISTRY: dict[str, Metric] = {}


def metric(
    name: str, label: str | Promise, unit: str = ""
) -> Callable[[Callable[[Area, date], float]], Callable[[Area, date], float]]:
    def register(compute: Callable[[Area, date], float]) -> Callable[[Area, date], float]:
        REGISTRY[name] = Metric(name, label, unit, compute)
        return compute

    return register


def value(name: str, area: Area, day: date) -> float:
    """The metric `name` for `area` on `day`; KeyError for an unknown name."""
    return REGISTRY[name].compute(area, day)


@metric("team_active", _("share of villages with an active team"), "0–1")
def team_active(area: Area, day: date) -> float:
    from vungxanh.teams.models import Team

    villages = Area.objects.filter(under(area.path), type__in=TYPES_OF_TIER[Tier.VILLAGE])
    teams = Team.objects.filter(
        village=OuterRef("pk"), status=Team.Status.ACTIVE, founded_on__lte=day
    )
    total = villages.count()
    if not total:
        return 0.0
    return villages.filter(Exists(teams)).count() / total


@metric("register_checks_on_time_pct", _("people under monitoring checked the day before"), "%")
def register_checks_on_time(area: Area, day: date) -> float:
    """Share (in %) of the people under monitoring on the day before `day` (open then, even if
    closed since) who were checked that day; 100 when nobody was under monitoring."""
    from vungxanh.teams.models import Check, RegisterEntry

    yesterday = day - timedelta(days=1)
    due = RegisterEntry.objects.filter(
        Q(status=RegisterEntry.Status.OPEN) | Q(closed_on__gt=yesterday),
        under(area.path, "area_path"),
        start_date__lte=yesterday,
        end_date__gte=yesterday,
    )
    total = due.count()
    if not total:
        return 100.0
    done = due.filter(Exists(Check.objects.filter(entry=OuterRef("pk"), date=yesterday))).count()
    return round(done / total * 100, 2)


@metric("community_cases_14d", _("community cases in the 14 days ending on the day"), "ca")
def community_cases_14d(area: Area, day: date) -> float:
    """Community cases recorded in the area (or below it) in the 14 days ending on `day`."""
    from vungxanh.risk.models import CaseRecord, Setting

    total = CaseRecord.objects.filter(
        under(area.path, "area__path"),
        setting=Setting.COMMUNITY,
        date__gt=day - timedelta(days=14),
        date__lte=day,
    ).aggregate(n=Sum("count"))["n"]
    return float(total or 0)


@metric("commune_level", _("risk level of the commune on the day"), "1–4")
def commune_level(area: Area, day: date) -> float:
    """The level in force (override included) of the area's commune (or of the area itself at
    commune tier and above) on `day`; 4 when no level is known, so that an unknown never
    passes for green."""
    from vungxanh.risk.models import AreaLevel

    target = area
    while target.tier == Tier.VILLAGE and target.parent_id is not None:
        assert target.parent is not None
        target = target.parent
    row = AreaLevel.objects.filter(area=target, date=day).values_list("level", flat=True).first()
    return float(row) if row is not None else 4.0


# Figures over a period (emulation scoring) -------------------------------------------------------


@dataclass(frozen=True)
class PeriodMetric:
    name: str
    label: str | Promise
    unit: str
    better: str  # "higher" | "lower"
    compute: Callable[[Area, date, date], float]


PERIOD_REGISTRY: dict[str, PeriodMetric] = {}


def period_metric(
    name: str, label: str | Promise, unit: str = "", better: str = "higher"
) -> Callable[[Callable[[Area, date, date], float]], Callable[[Area, date, date], float]]:
    def register(
        compute: Callable[[Area, date, date], float],
    ) -> Callable[[Area, date, date], float]:
        PERIOD_REGISTRY[name] = PeriodMetric(name, label, unit, better, compute)
        return compute

    return register


def period_value(name: str, area: Area, start: date, end: date) -> float:
    return PERIOD_REGISTRY[name].compute(area, start, end)


@period_metric("days_green", _("days at level 1 (green) in the period"), "ngày")
def days_green(area: Area, start: date, end: date) -> float:
    from vungxanh.risk.models import AreaLevel

    return float(
        AreaLevel.objects.filter(area=area, date__gte=start, date__lte=end, level=1).count()
    )


@period_metric(
    "days_peak_to_green",
    _("days from the highest level of the period to green"),
    "ngày",
    better="lower",
)
def days_peak_to_green(area: Area, start: date, end: date) -> float:
    """Days from the (first) day of the period's highest level to the first green day after
    it; when it never turned green, the days from the peak to the end of the period, plus one."""
    from vungxanh.risk.models import AreaLevel

    rows = list(
        AreaLevel.objects.filter(area=area, date__gte=start, date__lte=end)
        .order_by("date")
        .values_list("date", "level")
    )
    if not rows:
        return float((end - start).days + 1)
    peak_level = max(level for _day, level in rows)
    if peak_level == 1:
        return 0.0
    peak_day = next(day for day, level in rows if level == peak_level)
    green = next((day for day, level in rows if day > peak_day and level == 1), None)
    return float(((green or end) - peak_day).days + (0 if green else 1))


@period_metric("team_coverage", _("share of villages with an active team at the end"), "0–1")
def team_coverage(area: Area, start: date, end: date) -> float:
    return team_active(area, end)


@period_metric(
    "verified_safe_share",
    _("share of villages with a verified safe rating in force at the end"),
    "0–1",
)
def verified_safe_share(area: Area, start: date, end: date) -> float:
    from vungxanh.criteria.models import Assessment

    villages = Area.objects.filter(under(area.path), type__in=TYPES_OF_TIER[Tier.VILLAGE])
    total = villages.count()
    if not total:
        return 0.0
    safe = Assessment.objects.filter(
        area=OuterRef("pk"),
        safe=True,
        status__in=[Assessment.Status.VERIFIED, Assessment.Status.EXPIRED],
        verified_at__date__lte=end,
        valid_until__gte=end,
    )
    return villages.filter(Exists(safe)).count() / total


@period_metric("checks_on_time", _("people under monitoring checked the day before the end"), "%")
def checks_on_time(area: Area, start: date, end: date) -> float:
    return register_checks_on_time(area, end)
