"""Scoring of the shipped sets: 2194's bands (upper bounds inclusive), 1467's must-pass rule,
answers refused by criterion, and which versions may be published."""

from __future__ import annotations

import copy

import pytest
from django.utils import translation

from vungxanh.criteria import rules


def completed_2194() -> rules.Definition:
    """2194 as a health officer completes it from the official text (test figures): CS3's
    higher tiers and CS4–CS15's scales filled so that the criteria add up to 300 points."""
    data = copy.deepcopy(rules.shipped("2194")["definition"])
    for c in data["criteria"]:
        if c["number"] == "CS3":
            c["options"][2]["points"] = 20
            c["options"][3]["points"] = 30
        elif c["kind"] == "scale":
            c["max_points"] = 30 if c["number"] == "CS15" else 20
        c["complete"] = True
    return rules.parse(data)


def answers_for(points: float) -> dict[str, float]:
    """Scale answers CS4, CS5, … adding up to `points`."""
    answers, left = {}, points
    for i in range(4, 16):
        top = 30 if i == 15 else 20
        answers[f"CS{i}"] = min(top, left)
        left -= answers[f"CS{i}"]
    assert left == 0
    return answers


@pytest.mark.parametrize(
    ("points", "percent", "rating"),
    [
        (0, 0.0, "very_low"),
        (45, 15.0, "very_low"),
        (45.5, 15.17, "low"),
        (46, 15.33, "low"),
        (90, 30.0, "low"),
        (91, 30.33, "medium"),
        (150, 50.0, "medium"),
        (150.5, 50.17, "high"),
        (240, 80.0, "high"),
        (241, 80.33, "very_high"),
        (250, 83.33, "very_high"),
    ],
)
def test_2194_percentage_bands_include_their_upper_bound(points, percent, rating):
    result = rules.score(completed_2194(), answers_for(points))
    assert (result.points, result.max_points, result.percent, result.rating) == (
        points,
        300,
        percent,
        rating,
    )
    assert result.safe is (rating in ("very_low", "low"))


def test_2194_cs1_and_cs2_map_numbers_to_points_by_band():
    definition = completed_2194()
    for workers, expected in [(0, 1), (49, 1), (50, 2), (199, 2), (200, 4), (999, 6), (5000, 10)]:
        assert rules.score(definition, {"CS1": workers}).points == expected
    assert rules.score(definition, {"CS2": 0.8}).points == 10
    assert rules.score(definition, {"CS2": 1}).points == 0
    assert rules.score(definition, {"CS3": "f2"}).points == 5


def test_1467_eleven_passed_without_criterion_5_is_not_safe():
    definition = rules.parse(rules.shipped("1467")["definition"])
    eleven = {str(n): True for n in range(1, 13) if n != 5}
    assert len(eleven) == 11
    result = rules.score(definition, eleven)
    assert (result.passed, result.rating, result.safe) == (11, "unsafe", False)
    assert result.must_pass_failed == ["5"]
    with_five = rules.score(definition, {str(n): True for n in range(1, 12)})
    assert (with_five.passed, with_five.rating, with_five.safe) == (11, "good", True)
    fair = rules.score(definition, {str(n): n in (1, 2, 3, 4, 5, 10, 11, 12) for n in range(1, 16)})
    assert (fair.passed, fair.rating) == (8, "fair")
    assert rules.score(definition, {str(n): True for n in (4, 5, 10, 11)}).rating == "unsafe"


@translation.override("en")
def test_answers_are_refused_naming_the_criterion():
    definition = completed_2194()
    with pytest.raises(rules.AnswerError, match="CS4: at most 20 points"):
        rules.score(definition, {"CS4": 21})
    with pytest.raises(rules.AnswerError, match="CS99"):
        rules.score(definition, {"CS99": 1})
    with pytest.raises(rules.AnswerError, match="CS3: choose one of"):
        rules.score(definition, {"CS3": "f9"})
    with pytest.raises(rules.AnswerError, match="CS1: a number"):
        rules.score(definition, {"CS1": "nhiều"})
    shipped = rules.parse(rules.shipped("2194")["definition"])
    with pytest.raises(rules.AnswerError, match="CS3: this option has no points"):
        rules.score(shipped, {"CS3": "f1"})


@translation.override("en")
def test_the_national_sets_refuse_publication_until_completed_and_the_village_set_may():
    assert rules.parse(rules.shipped("2194")["definition"]).publish_errors()
    assert rules.parse(rules.shipped("1467")["definition"]).publish_errors()
    assert not rules.parse(rules.shipped("village")["definition"]).publish_errors()
    assert not completed_2194().publish_errors()
    wrong_total = completed_2194().model_dump()
    wrong_total["criteria"][5]["max_points"] = 25
    assert "the rule divides by 300" in rules.parse(wrong_total).publish_errors()[0]


def test_a_definition_with_an_unknown_rating_is_refused():
    data = copy.deepcopy(rules.shipped("village")["definition"])
    data["result"]["otherwise"] = "maybe"
    with pytest.raises(Exception, match="ratings not listed: maybe"):
        rules.parse(data)
