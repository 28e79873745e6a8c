"""A smoke run of the benchmark on one province (Khánh Hòa, 56) of the test database.

It checks that the benchmark measures what it says, never how fast anything is.
"""

from __future__ import annotations

import pytest

from bench import run


@pytest.mark.django_db(transaction=True)
def test_the_benchmark_runs_on_one_province() -> None:
    load = run.measure_load(["56"], repeat=1)
    subtree = run.measure_subtree(repeat=1)

    assert (load.provinces, load.districts, load.communes, load.rows) == (1, 9, 139, 149)
    assert load.first_run.created == 149
    assert (load.second_run.created, load.second_run.updated) == (0, 0)
    assert load.second_run.unchanged == 149
    assert load.baseline_rows_identical
    assert load.same_keys and "UNIQUE(code)" in load.bench_table_keys
    assert "UNIQUE(path)" in load.bench_table_keys

    assert subtree.provinces == 1
    assert subtree.communes_counted == 139
    assert (subtree.largest_code, subtree.largest_rows) == ("56", 149)
    assert "path" in subtree.explain_count and "path" in subtree.explain_fetch

    figures = load.figures + subtree.figures
    assert len(figures) == 4
    assert all(f.figure > 0 and f.baseline > 0 and f.ratio > 0 for f in figures)

    lines = run.table(figures)
    assert len(lines) == 2 + len(figures)
    assert lines[0].split() == ["measure", "figure", "baseline", "ratio"]


def test_province_codes_reads_the_option() -> None:
    assert run.province_codes("all") is None
    assert run.province_codes("56,58") == ["56", "58"]
    assert run.province_codes("2") == ["01", "02"]
