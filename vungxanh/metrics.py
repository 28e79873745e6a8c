"""Named figures the product computes in the database for an area on a day.

One figure, one definition: criteria answered from live data, dashboards and (later) emulation
scoring read the same registry. Each metric is a function of (area, day) returning a number.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Exists, OuterRef, Sum
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
    """Share (in %) of the people under monitoring on the day before `day` who were checked
    that day; 100 when nobody was under monitoring."""
    from vungxanh.teams.models import Check, RegisterEntry

    yesterday = day - timedelta(days=1)
    due = RegisterEntry.objects.open().filter(
        under(area.path, "area_path"), start_date__lte=yesterday, end_date__gte=yesterday
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
