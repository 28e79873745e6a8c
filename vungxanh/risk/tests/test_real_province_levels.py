"""real_province_levels on the shipped MoH series; the hand-checked figures come from the CSV."""

import csv
import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

# Khánh Hòa (56), 7 days ending Sunday 2021-08-08, from vungxanh/risk/data/
# province_daily_cases_moh.csv, 2 to 8 August; population 1,240,400 (2020).
KHANH_HOA_WEEK_TO_8_AUGUST = 286 + 189 + 150 + 96 + 269 + 167 + 201  # 1,358
# Ninh Thuận (58), same days; population 593,600.
NINH_THUAN_WEEK_TO_8_AUGUST = 19 + 29 + 29 + 32 + 25 + 22 + 85  # 241


def run(tmp_path, *args):
    out = tmp_path / "levels.csv"
    stdout = io.StringIO()
    call_command("real_province_levels", *args, "--out", str(out), stdout=stdout)
    return list(csv.DictReader(out.open(encoding="utf-8"))), stdout.getvalue()


def test_it_writes_the_weeks_of_one_province(tmp_path):
    rows, stdout = run(tmp_path, "--province", "56", "--from", "2021-08-01", "--to", "2021-08-31")
    assert list(rows[0]) == [
        "week_ending",
        "province_code",
        "province_name",
        "cases_7d",
        "rate_per_100k",
        "level",
        "colour",
    ]
    assert [r["week_ending"] for r in rows] == [
        "2021-08-01",
        "2021-08-08",
        "2021-08-15",
        "2021-08-22",
        "2021-08-29",
    ]
    assert {(r["province_code"], r["province_name"]) for r in rows} == {("56", "Tỉnh Khánh Hòa")}
    assert "Tỉnh Khánh Hòa" in stdout
    assert "5 rows written" in stdout


def test_the_hand_checked_week_of_khanh_hoa(tmp_path):
    rows, _ = run(tmp_path, "--province", "56", "--from", "2021-08-08", "--to", "2021-08-08")
    assert len(rows) == 1
    row = rows[0]
    assert row["week_ending"] == "2021-08-08"
    assert int(row["cases_7d"]) == KHANH_HOA_WEEK_TO_8_AUGUST == 1358
    rate = KHANH_HOA_WEEK_TO_8_AUGUST * 100_000 / 1_240_400  # 109.48
    assert float(row["rate_per_100k"]) == pytest.approx(rate, abs=0.005)
    assert 50 <= rate < 150
    assert (row["level"], row["colour"]) == ("3", "orange")


def test_coverage_is_ignored_criterion_1_only(tmp_path):
    # 40.6 per 100,000 is band 20–<50: yellow by criterion 1; the full 4800 matrix, with no
    # coverage figure (counted as not met), would say orange.
    rows, _ = run(tmp_path, "--province", "58", "--from", "2021-08-08", "--to", "2021-08-08")
    row = rows[0]
    assert int(row["cases_7d"]) == NINH_THUAN_WEEK_TO_8_AUGUST
    assert float(row["rate_per_100k"]) == pytest.approx(241 * 100_000 / 593_600, abs=0.005)
    assert (row["level"], row["colour"]) == ("2", "yellow")


def test_defaults_three_provinces_and_say_the_counts_are_upper_bounds(tmp_path):
    rows, stdout = run(tmp_path)
    assert [r["province_code"] for r in rows[:3]] == ["56", "58", "66"]
    assert rows[0]["week_ending"] == "2021-07-11"  # the first Sunday with 7 days of data
    assert rows[-1]["week_ending"] == "2022-01-16"  # the last Sunday of the series
    assert len(rows) == 3 * 28
    assert "does not split community cases from quarantine cases" in stdout
    assert "UPPER BOUNDS" in stdout
    assert "criterion 1 only" in stdout


def test_codes_of_one_or_two_digits_and_daily_rows(tmp_path):
    args = ("--from", "2021-08-02", "--to", "2021-08-08", "--no-weekly")
    one, _ = run(tmp_path, "--province", "1", *args)
    two, _ = run(tmp_path, "--province", "01", *args)
    assert one == two
    assert len(one) == 7
    assert {r["province_code"] for r in one} == {"01"}


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("99", "--province 99: unknown province code"),
        ("abc", "a province code is 1 or 2 digits"),
        ("31", "no daily series for this province"),  # Hải Phòng: not in the MoH series
    ],
)
def test_a_bad_province_code_is_a_clear_error(tmp_path, code, message):
    with pytest.raises(CommandError, match=message):
        run(tmp_path, "--province", "56", "--province", code)
    assert not (tmp_path / "levels.csv").exists()


def test_a_period_outside_the_series_is_an_error(tmp_path):
    with pytest.raises(CommandError, match="covers 2021-07-01 to 2022-01-22 only"):
        run(tmp_path, "--to", "2022-02-01")
