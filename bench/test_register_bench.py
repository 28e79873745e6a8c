"""A smoke run of the register benchmark on one province (Khánh Hòa, 56) of the test database.

It checks that the benchmark builds and measures what it says, never how fast anything is.
"""

from __future__ import annotations

import pytest
from django.db import connection

from bench import register
from vungxanh.areas.models import Area
from vungxanh.teams.models import Check, Person, RegisterEntry, Team


def _indexes() -> set[str]:
    with connection.cursor() as cursor:
        return set(connection.introspection.get_constraints(cursor, "teams_registerentry"))


@pytest.mark.django_db(transaction=True)
def test_the_register_benchmark_runs_on_one_province() -> None:
    built = register.build_register(["56"], 2000, villages_per_commune=10)

    assert (built.provinces, built.districts, built.communes) == (1, 9, 139)
    assert 5 * 139 <= built.villages <= 15 * 139
    assert built.villages == Area.objects.filter(level=4, code__contains="-").count()
    assert built.teams == built.villages == Team.objects.filter(status="active").count()
    assert built.persons == built.entries == 2000
    assert Person.objects.count() == RegisterEntry.objects.count() == 2000
    assert built.to_check == (
        RegisterEntry.objects.open()
        .filter(start_date__lte=built.day, end_date__gte=built.day)
        .count()
    )
    assert built.to_check < built.open_entries == RegisterEntry.objects.open().count()
    assert 0 < built.checks == Check.objects.count()
    assert not Check.objects.exclude(entry__status="open").exists()
    assert built.busiest_province == "56"
    assert set(built.parts) and all(s >= 0 for s in built.parts.values())
    # Every entry sits in its village's subtree, under a rule of its category.
    assert not RegisterEntry.objects.exclude(area_path__endswith="/").exists()
    for entry in RegisterEntry.objects.select_related("village", "rule")[:50]:
        assert entry.area_path == entry.village.path
        assert entry.rule.category == entry.category
        assert entry.end_date == entry.rule.end_date(entry.start_date)

    daily = register.measure_daily(built, repeat=1)
    assert daily.village_rows == daily.baseline_rows > 0
    assert daily.commune_rows == daily.commune_baseline_rows >= daily.village_rows
    assert daily.commune_villages == Area.objects.filter(parent__code=built.busy_commune).count()
    assert "teams_registerentry" in daily.explain

    before = _indexes()
    dash = register.measure_dashboard(built, repeat=1)
    assert dash.province == "56" and dash.province_entries == 2000
    assert dash.counts["open"] == sum(dash.baseline_counts.values()) == built.open_entries
    assert dash.counts["by_category"] == dash.baseline_counts
    assert sum(dash.counts["outcomes"].values()) == 2000 - built.open_entries
    assert dash.mirrors_match
    labels = [s.label for s in dash.statements]
    assert labels == [
        register.SCOPE,
        "by_category",
        "ending_this_week",
        "late_checks",
        "escalations",
        "outcomes",
        "commitments",
    ]
    assert all(s.plan for s in dash.statements if s.label != register.SCOPE)
    assert dash.coverage_villages == dash.coverage_baseline_villages == built.villages
    assert dash.coverage_with_team == built.villages  # every team was founded by the day
    assert 0 < dash.coverage_on_time < built.villages

    fixes = register.measure_fixes(built, daily, dash, repeat=1)
    assert fixes and all(f.same_answer for f in fixes)
    assert all(f.before > 0 and f.after > 0 for f in fixes)
    assert _indexes() == before  # every index made for a fix was dropped

    figures = daily.figures + dash.figures
    assert len(figures) == 4 and all(f.baseline > 0 and f.ratio > 0 for f in figures)
    lines = register.report(built, daily, dash, fixes, repeat=1)
    assert sum(line.strip().startswith(("PASS", "MISS")) for line in lines) == 3
    assert any(line.startswith("EXPLAIN dashboard by_category") for line in lines)


def test_parse_args_defaults() -> None:
    args = register.parse_args([])
    assert (args.entries, args.repeat, args.villages) == (2_000_000, 5, 10)
    with pytest.raises(SystemExit):
        register.parse_args(["--entries", "0"])
