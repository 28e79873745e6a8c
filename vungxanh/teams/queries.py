"""Reads of teams and the register. Names are read through `visible_to`; counts through
`countable_by`; every opening of a person's record is logged."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.http import Http404

from vungxanh.accounts.audit import record_access
from vungxanh.accounts.models import User
from vungxanh.accounts.scope import get_visible_or_404
from vungxanh.areas.models import TYPES_OF_TIER, Area, Tier, under
from vungxanh.lib import clock, tree

from .models import Check, Commitment, FoundingDeadline, RegisterEntry, Team


def get_entry_for_user(
    user: User, pk: int, *, purpose: str = "", ip: str | None = None
) -> RegisterEntry:
    """A register entry with the person's full record; 404 if missing or out of scope. The
    opening is written to the access log."""
    entry = get_visible_or_404(
        RegisterEntry.objects.select_related("person", "village", "village__parent", "rule"),
        user,
        pk=pk,
    )
    record_access(user, entry.person, area_path=entry.area_path, purpose=purpose, ip_address=ip)
    return entry


def entries_under(user: User, area: Area) -> QuerySet[RegisterEntry]:
    return RegisterEntry.objects.visible_to(user).filter(under(area.path, "area_path"))


DAILY_PAGE = 200
"""People on one page of a village's daily list: a page a phone renders at once, and a bound on
the work of one request however many people a village has under monitoring."""


def _day_entries(village: Area, day: date) -> QuerySet[RegisterEntry]:
    return RegisterEntry.objects.open().filter(
        village=village, start_date__lte=day, end_date__gte=day
    )


def _day_checks(day: date) -> QuerySet[Check]:
    return Check.objects.filter(entry=OuterRef("pk"), date=day)


def daily_list(village: Area, day: date) -> QuerySet[RegisterEntry]:
    """The village's people to check on `day`, each with that day's check if done: those still
    to check first, then by name."""
    checks = _day_checks(day)
    return (
        _day_entries(village, day)
        .select_related("person")
        .annotate(
            checked=Exists(checks),
            problem=Exists(
                checks.filter(Q(at_home=False) | ~Q(symptoms="") | Q(temperature__gte=37.5))
            ),
        )
        .order_by("checked", "person__full_name", "pk")
    )


@dataclass
class DailyPage:
    entries: list[RegisterEntry]
    total: int
    done: int
    number: int
    pages: int

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.pages


def daily_page(village: Area, day: date, number: int = 1, size: int | None = None) -> DailyPage:
    """One page of `daily_list` with the counts of the whole day (two queries: the counts, the
    page). A page number out of range gives the nearest page."""
    counts = (
        _day_entries(village, day)
        .annotate(checked=Exists(_day_checks(day)))
        .aggregate(total=Count("pk"), done=Count("pk", filter=Q(checked=True)))
    )
    total, done = counts["total"], counts["done"]
    size = size or DAILY_PAGE
    pages = max(1, -(-total // size))
    number = min(max(1, number), pages)
    start = (number - 1) * size
    return DailyPage(
        list(daily_list(village, day)[start : start + size]), total, done, number, pages
    )


def next_to_check(village: Area, day: date, after: RegisterEntry) -> RegisterEntry | None:
    """The next person still to check after `after` in name order, wrapping to the first."""
    pending = daily_list(village, day).filter(~Exists(_day_checks(day))).exclude(pk=after.pk)
    name = after.person.full_name
    later = pending.filter(
        Q(person__full_name__gt=name) | Q(person__full_name=name, pk__gt=after.pk)
    )
    return later.first() or pending.first()


@dataclass
class CoverageRow:
    area: Area
    villages: int
    with_team: int
    on_time: int

    @property
    def share(self) -> float:
        return self.with_team / self.villages if self.villages else 0.0

    @property
    def late(self) -> int:
        return self.villages - self.on_time


def deadline_for(area: Area) -> FoundingDeadline | None:
    roots = tree.segments(area.path)
    return FoundingDeadline.objects.filter(area__code__in=roots).order_by("-area__level").first()


def team_coverage(area: Area, as_of: date | None = None) -> list[CoverageRow]:
    """For each child of `area`: villages, villages with an active team (founded by `as_of`),
    and those founded by the campaign's deadline. Two GROUP BY queries, whatever the size."""
    as_of = as_of or clock.today()
    deadline = deadline_for(area)
    children = list(area.children.exclude(type__in=TYPES_OF_TIER[Tier.VILLAGE]).order_by("name"))
    if not children:
        return []
    teams = Team.objects.filter(village=OuterRef("pk"), status=Team.Status.ACTIVE)
    villages = (
        Area.objects.filter(under(area.path, include_self=False))
        .of_tier(Tier.VILLAGE)
        .annotate(
            has_team=Exists(teams.filter(founded_on__lte=as_of)),
            on_time=Exists(teams.filter(founded_on__lte=deadline.deadline))
            if deadline
            else Exists(teams.filter(founded_on__lte=as_of)),
        )
        .values("parent_id")
        .annotate(
            n=Count("pk"),
            with_team=Count("pk", filter=Q(has_team=True)),
            on_time=Count("pk", filter=Q(on_time=True)),
        )
    )
    by_commune = {r["parent_id"]: r for r in villages}
    commune_child = _child_of_communes(area, children)
    rows = {c.pk: CoverageRow(c, 0, 0, 0) for c in children}
    for commune_id, child_id in commune_child.items():
        r = by_commune.get(commune_id)
        if r:
            row = rows[child_id]
            row.villages += r["n"]
            row.with_team += r["with_team"]
            row.on_time += r["on_time"]
    return [rows[c.pk] for c in children]


def _child_of_communes(area: Area, children: list[Area]) -> dict[int, int]:
    """commune id → the child of `area` it lies under (the commune itself if a child)."""
    by_path = {c.path: c.pk for c in children}
    communes = Area.objects.filter(under(area.path, include_self=False)).of_tier(Tier.COMMUNE)
    result = {}
    for pk, path in communes.values_list("pk", "path"):
        for p, child_id in by_path.items():
            if path.startswith(p):
                result[pk] = child_id
                break
    return result


def late_villages(area: Area) -> QuerySet[Area]:
    """Villages with no active team founded by the deadline."""
    deadline = deadline_for(area)
    cutoff = deadline.deadline if deadline else clock.today()
    teams = Team.objects.filter(
        village=OuterRef("pk"), status=Team.Status.ACTIVE, founded_on__lte=cutoff
    )
    return (
        Area.objects.filter(under(area.path, include_self=False))
        .of_tier(Tier.VILLAGE)
        .exclude(Exists(teams))
        .select_related("parent")
        .order_by("path")
    )


def dashboard(user: Any, area: Area, day: date | None = None) -> dict[str, Any]:
    """Counts an officer needs, in the area and scope: no names."""
    day = day or clock.today()
    entries = RegisterEntry.objects.countable_by(user).filter(under(area.path, "area_path"))
    open_entries = entries.open()
    yesterday = day - timedelta(days=1)
    checked_yesterday = Check.objects.filter(entry=OuterRef("pk"), date=yesterday)
    by_category = dict(
        open_entries.values_list("category").annotate(n=Count("pk")).values_list("category", "n")
    )
    return {
        "day": day,
        "open": sum(by_category.values()),
        "by_category": by_category,
        "ending_this_week": open_entries.filter(
            end_date__range=(day, day + timedelta(days=6))
        ).count(),
        "late_checks": open_entries.filter(start_date__lte=yesterday, end_date__gte=yesterday)
        .exclude(Exists(checked_yesterday))
        .count(),
        "escalations": open_entries.exclude(escalation=RegisterEntry.Escalation.NONE).count(),
        "outcomes": dict(
            entries.filter(status=RegisterEntry.Status.CLOSED)
            .values_list("outcome")
            .annotate(n=Count("pk"))
            .values_list("outcome", "n")
        ),
        "commitments": Commitment.objects.filter(under(area.path, "area_path")).count(),
    }


def get_team_for_user(user: Any, pk: int, permission: str | None = None) -> Team:
    from vungxanh.accounts.scope import scope_for

    team = Team.objects.select_related("village", "village__parent").filter(pk=pk).first()
    if team is None or not scope_for(user, permission).covers(team.area_path):
        raise Http404
    return team


def commitment_counts(user: Any, area: Area) -> dict[str, int]:
    """Commitments signed under `area` that the user's scope reaches, by kind of signer."""
    from vungxanh.accounts.scope import scope_for

    rows = (
        Commitment.objects.filter(
            scope_for(user).q(area_path="area_path"), under(area.path, "area_path")
        )
        .values_list("signer_kind")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return dict(rows)


def commitments_by_child(area: Area) -> dict[int, dict[str, int]]:
    """For each child of `area` (by id): commitments under it by kind of signer; one query over
    the subtree, each row attributed to the child whose path begins its own."""
    children = {c.path: c.pk for c in area.children.all()}
    counts: dict[int, dict[str, int]] = {pk: {} for pk in children.values()}
    rows = (
        Commitment.objects.filter(under(area.path, "area_path"))
        .values_list("area_path", "signer_kind")
        .annotate(n=Count("pk"))
        .order_by()
    )
    start = len(area.path)
    for path, kind, n in rows:
        end = path.find(tree.SEPARATOR, start)
        child = children.get(path[: end + 1]) if end >= 0 else None
        if child is not None:
            counts[child][kind] = counts[child].get(kind, 0) + n
    return counts
