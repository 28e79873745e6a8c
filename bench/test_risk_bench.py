"""A smoke run of the risk benchmark on one province (Khánh Hòa, 56) and 30 days of the test
database, over the switch from ruleset 2686 to 4800 (12/10/2021).

It checks that the benchmark measures what it says (shapes, counts, the baselines' levels and rows
equal to the product's), never how fast anything is.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest

from bench import risk
from vungxanh.risk.models import AreaLevel, CaseRecord, Coverage, Provenance
from vungxanh.risk.rules import shipped_rulesets

START = date(2021, 9, 27)
DAYS = 30
DAY = date(2021, 10, 12)  # the first day of 4800
AREAS = 1 + 9 + 139  # Khánh Hòa, its districts and its communes


@pytest.mark.django_db(transaction=True)
def test_the_risk_benchmark_runs_on_one_province() -> None:
    country = risk.build_country(["56"], None, START, DAYS)

    assert (country.count(1), country.count(2), country.count(3)) == (1, 9, 139)
    assert len(country.ids) == AREAS and country.dropped_communes == 0
    assert country.no_population == []
    assert country.case_rows == CaseRecord.objects.count() > 0
    assert set(CaseRecord.objects.values_list("provenance", flat=True)) == {Provenance.SIMULATED}
    assert int(country.cases.count.sum()) == sum(CaseRecord.objects.values_list("count", flat=True))
    assert country.coverage_rows == Coverage.objects.count() == 139 * 2  # 27/9 and 1/10

    engine_result = risk.measure_engine(country, repeat=1)
    assert engine_result.shape == (AREAS, DAYS)
    assert engine_result.equal == {"4800": True, "2686": True}
    assert all(0 < share < 1 for share in engine_result.green_communes.values())

    span = risk.measure_year(country, repeat=1)
    assert span.rows == AREAS * DAYS == AreaLevel.objects.count()
    assert span.identical
    assert [s.split()[0] for s in span.stretches] == ["2686", "4800"]

    one_day = risk.measure_day(country, DAY, repeat=1)
    assert one_day.rows == AREAS and one_day.identical
    assert [s.split()[0] for s in one_day.stretches] == ["4800"]
    assert AreaLevel.objects.count() == AREAS * DAYS

    api = risk.measure_api(DAY, repeat=1)
    assert api.district.startswith("568 ") and api.district_rows == 27
    assert api.province.startswith("56 ") and api.province_rows == 9
    assert api.all_rows == 139 and api.same_levels

    lines = engine_result.lines + span.lines + one_day.lines + api.lines
    assert len(lines) == 2 + 2 + 1 + 5
    assert all(line.figure.figure > 0 and line.figure.baseline > 0 for line in lines)
    table = risk.results_table(lines)
    assert len(table) == 2 + len(lines)
    assert table[0].split() == ["measure", "figure", "baseline", "ratio", "target", "verdict"]
    assert all(line.rstrip().endswith(("PASS", "MISS")) for line in table[2:] if "≤" in line)

    report = risk.report(country, engine_result, span, one_day, api, DAY, repeat=1)
    assert any("rows identical to the stored ones" in line and "NO" not in line for line in report)


@pytest.mark.django_db(transaction=True)
def test_the_4800_baseline_needs_treatment_capacity() -> None:
    country = risk.build_country(["56"], None, START, DAYS)
    country.coverage.treatment_ok[0] = False

    with pytest.raises(ValueError, match="treatment"):
        risk.baseline_4800(country, shipped_rulesets()["4800"].params, START, DAY)


def test_the_baseline_windows_match_the_engine_on_a_hand_made_tree() -> None:
    from vungxanh.risk import engine

    # A province, one district, two communes; cases on days 0, 3 and 9 of 10.
    country = risk.Country(
        ids=np.array([1, 2, 3, 4]),
        codes=["p", "d", "c1", "c2"],
        parent=np.array([-1, 0, 1, 1]),
        population=np.array([20_000.0, 20_000.0, 10_000.0, 10_000.0]),
        depth=np.array([1, 2, 3, 3]),
        cases=engine.Cases(
            day=np.array(["2021-10-12", "2021-10-15", "2021-10-21"], dtype="datetime64[D]"),
            area=np.array([2, 3, 2]),
            count=np.array([3, 1, 20]),
            setting=np.array([0, 0, 1]),  # the last in quarantine: not counted
            source_known=np.array([True, False, True]),
            high_contact=np.array([False, False, False]),
        ),
        coverage=engine.Coverage.empty(),
        start=DAY,
        days=10,
        case_rows=3,
        coverage_rows=0,
        dropped_communes=0,
        no_population=[],
        setup={},
    )
    for code in ("4800", "2686"):
        params = shipped_rulesets()[code].params
        result = engine.assess(
            country.tree(), country.cases, country.coverage, params, DAY, country.end
        )
        levels = risk.baseline_levels(country, params, DAY, country.end)
        assert levels.shape == (4, 10)
        assert np.array_equal(levels, result.level)


def test_the_options() -> None:
    args = risk.parse_args([])
    assert (args.communes, args.days, args.repeat) == ("10600", 365, 3)
    assert (args.start, args.day) == (date(2021, 1, 1), date(2021, 7, 15))
    with pytest.raises(SystemExit):
        risk.parse_args(["--day", "2022-01-01"])
