import csv
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

DATA = Path(__file__).parent / "data"  # the worked example of shared/examples/risk_assess


def run(
    tmp_path, ruleset, cases="cases.csv", areas="areas.csv", coverage="coverage.csv", language="en"
):
    out = tmp_path / "levels.csv"
    args = [
        "--ruleset",
        ruleset,
        "--cases",
        str(DATA / cases if "/" not in str(cases) else cases),
        "--areas",
        str(DATA / areas if "/" not in str(areas) else areas),
        "--from",
        "2021-09-01",
        "--to",
        "2021-09-20",
        "--out",
        str(out),
        "--language",
        language,
    ]
    if coverage:
        args += ["--coverage", str(DATA / coverage if "/" not in str(coverage) else coverage)]
    call_command("risk_assess", *args)
    return list(csv.DictReader(out.open(encoding="utf-8")))


@pytest.mark.parametrize("ruleset", ["2686", "4800"])
def test_it_reproduces_the_worked_example(tmp_path, ruleset):
    rows = run(tmp_path, ruleset)
    expected = list(csv.DictReader((DATA / f"expected_{ruleset}.csv").open()))
    assert [(r["date"], r["area_code"], r["level"], r["colour"]) for r in rows] == [
        (r["date"], r["area_code"], r["level"], r["colour"]) for r in expected
    ]
    assert all(r["explanation"].startswith(r["colour"]) for r in rows)


def test_explanations_say_why(tmp_path):
    rows = {(r["date"], r["area_code"]): r["explanation"] for r in run(tmp_path, "4800")}
    assert rows[("2021-09-07", "112")] == (
        "red: 50 community cases per 100,000 in 7 days ≥ 50; 18+ first-dose coverage 66% < 70%"
    )
    assert "no vaccine coverage figure: counted as not met" in rows[("2021-09-05", "12")]
    assert "treatment capacity not met" in rows[("2021-09-13", "112")]
    rows = {(r["date"], r["area_code"]): r["explanation"] for r in run(tmp_path, "2686")}
    assert rows[("2021-09-05", "121")] == "red: 1 community cases of unknown source in 14 days"


def test_explanations_speak_vietnamese_by_default(tmp_path):
    rows = run(tmp_path, "4800", language="vi")
    assert rows[0]["explanation"].startswith("vàng")


def test_the_coverage_file_is_optional(tmp_path):
    rows = run(tmp_path, "4800", coverage=None)
    assert len(rows) == 120


def test_a_bad_cases_file_names_file_row_and_field_and_writes_nothing(tmp_path):
    bad = tmp_path / "bad_cases.csv"
    bad.write_text(
        "date,area_code,count,setting\n2021-09-01,111,1,community\n"
        "2021-09-02,999,1,community\n2021-09-03,111,x,home\n"
    )
    with pytest.raises(CommandError) as caught:
        run(tmp_path, "2686", cases=bad)
    message = str(caught.value)
    assert "bad_cases.csv: row 4, field “count”" in message
    assert "bad_cases.csv: row 4, field “setting”" in message
    assert not (tmp_path / "levels.csv").exists()


def test_an_unknown_area_and_a_bad_parent_are_named(tmp_path):
    bad_cases = tmp_path / "c.csv"
    bad_cases.write_text("date,area_code\n2021-09-01,999\n")
    with pytest.raises(CommandError, match=r"c.csv: row 2, field “area_code”"):
        run(tmp_path, "2686", cases=bad_cases)
    bad_areas = tmp_path / "a.csv"
    bad_areas.write_text("area_code,parent_code,population\n1,,100\n11,7,50\n12,1,0\n")
    with pytest.raises(CommandError) as caught:
        run(tmp_path, "2686", areas=bad_areas, coverage=None)
    assert "a.csv: row 3, field “parent_code”" in str(caught.value)
    assert "a.csv: row 4, field “population”" in str(caught.value)


def test_a_ruleset_file_with_a_bad_threshold_is_refused(tmp_path):
    path = tmp_path / "r.json"
    path.write_text(
        '{"code": "x", "name": "x", "decision": "x", "decision_date": "x", '
        '"effective_from": "x", "provenance": "", "params": {"window_days": 0}}'
    )
    with pytest.raises(CommandError, match="window_days"):
        run(tmp_path, str(path))
