"""Criteria sets as data, and the pure scoring of answers against one version.

A version's definition is a JSON document validated by `Definition`: sections, criteria (points on
a scale, a choice list with points per option, pass/fail, or a number mapped to points by bands),
must-pass criteria, and a result rule (bands of the risk percentage, or "N passed including these")
that gives a rating and what the rating allows. Every criterion carries its provenance; one that
the official text still has to complete is marked `complete: false`, and a version holding such a
criterion refuses to be published.

`score()` is a pure function: the same definition and answers give the same result anywhere (the
assessment form's live score, the stored assessment, the import round trip).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal

from django.utils.translation import gettext as _
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

Status = Literal["confirmed", "remembered", "unknown"]
Kind = Literal["scale", "choice", "pass_fail", "number"]
TARGETS = ("village", "commune", "agency", "business", "school", "market", "other")
Target = Literal["village", "commune", "agency", "business", "school", "market", "other"]
DATA = Path(__file__).parent / "data"
SHIPPED = ("2194", "1467", "village")


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Option(Strict):
    key: str = Field(..., min_length=1, max_length=40)
    label: str
    points: float | None = None  # None: the official text is still to be read for it


class Band(Strict):
    """From `min` (inclusive) up to the next band's `min`: `points`."""

    min: float
    points: float


class Criterion(Strict):
    number: str = Field(..., min_length=1, max_length=20)
    section: str = ""
    text: str
    kind: Kind
    max_points: float | None = None  # scale: the top of the scale; None: not yet known
    options: list[Option] = []
    bands: list[Band] = []
    unit: str = ""  # what a number criterion counts, e.g. "người"
    must_pass: bool = False
    status: Status = "confirmed"
    complete: bool = True
    source: str = ""
    # Answered from live data when the unit is an area: a metric of `vungxanh.metrics`, and
    # for pass/fail the lowest (`pass_at_least`) or highest (`pass_at_most`) passing value.
    auto: str | None = None
    pass_at_least: float | None = None
    pass_at_most: float | None = None

    @model_validator(mode="after")
    def _shape(self) -> Criterion:
        if self.kind == "choice" and not self.options:
            raise ValueError(f"{self.number}: a choice criterion lists its options")
        if self.kind == "number" and not self.bands:
            raise ValueError(f"{self.number}: a number criterion lists its bands")
        if self.kind != "choice" and self.options:
            raise ValueError(f"{self.number}: only a choice criterion has options")
        if self.kind != "number" and self.bands:
            raise ValueError(f"{self.number}: only a number criterion has bands")
        mins = [b.min for b in self.bands]
        if mins != sorted(set(mins)):
            raise ValueError(f"{self.number}: bands go up, each from a different value")
        keys = [o.key for o in self.options]
        if len(keys) != len(set(keys)):
            raise ValueError(f"{self.number}: two options have the same key")
        no_threshold = self.pass_at_least is None and self.pass_at_most is None
        if self.auto and self.kind == "pass_fail" and no_threshold:
            raise ValueError(f"{self.number}: an automatic pass/fail needs its threshold")
        return self

    @property
    def top(self) -> float | None:
        """The most points the criterion can give; None while the official text is unread."""
        if self.kind == "pass_fail":
            return 1.0
        if self.kind == "scale":
            return self.max_points
        if self.kind == "choice":
            points = [o.points for o in self.options]
            return None if None in points else max(p for p in points if p is not None)
        return max(b.points for b in self.bands)

    @property
    def is_complete(self) -> bool:
        return self.complete and self.top is not None


class Rating(Strict):
    code: str = Field(..., min_length=1, max_length=30)
    label: str
    allows: str = ""
    safe: bool = False  # a verified rating that counts as "safe" (announcements, emulation)
    status: Status = "confirmed"


class PercentBand(Strict):
    """Percentages up to `up_to` (inclusive) and above the previous band's bound."""

    up_to: float
    rating: str


class Tier(Strict):
    """At least `min_passed` criteria passed (with every must-pass one if `with_must_pass`)."""

    min_passed: int = Field(..., ge=0)
    with_must_pass: bool = True
    rating: str


class PercentResult(Strict):
    type: Literal["percent_bands"] = "percent_bands"
    out_of: float = Field(..., gt=0)  # the denominator of the percentage (2194: 300 points)
    bands: list[PercentBand]

    @model_validator(mode="after")
    def _ordered(self) -> PercentResult:
        bounds = [b.up_to for b in self.bands]
        if not bounds or bounds != sorted(set(bounds)) or bounds[-1] < 100:
            raise ValueError("bands go up and the last one reaches 100%")
        return self


class PassedResult(Strict):
    type: Literal["passed_count"] = "passed_count"
    tiers: list[Tier]  # the first tier that holds gives the rating
    otherwise: str


class Definition(Strict):
    target: Target
    sections: dict[str, str] = {}  # code → title
    criteria: list[Criterion]
    ratings: list[Rating]
    result: PercentResult | PassedResult = Field(..., discriminator="type")
    validity_days: int = Field(90, ge=1, le=3650)

    @model_validator(mode="after")
    def _consistent(self) -> Definition:
        numbers = [c.number for c in self.criteria]
        if len(numbers) != len(set(numbers)):
            raise ValueError("two criteria have the same number")
        codes = {r.code for r in self.ratings}
        used = (
            {b.rating for b in self.result.bands}
            if isinstance(self.result, PercentResult)
            else {t.rating for t in self.result.tiers} | {self.result.otherwise}
        )
        if missing := sorted(used - codes):
            raise ValueError(f"the result rule uses ratings not listed: {', '.join(missing)}")
        for c in self.criteria:
            if c.section and self.sections and c.section not in self.sections:
                raise ValueError(f"{c.number}: unknown section {c.section}")
        return self

    def criterion(self, number: str) -> Criterion | None:
        return next((c for c in self.criteria if c.number == number), None)

    def rating(self, code: str) -> Rating:
        return next(r for r in self.ratings if r.code == code)

    @property
    def incomplete(self) -> list[str]:
        """Numbers of the criteria the official text has still to complete."""
        return [c.number for c in self.criteria if not c.is_complete]

    def publish_errors(self) -> list[str]:
        """Why this definition may not be published yet (empty: it may)."""
        errors = []
        if self.incomplete:
            errors.append(
                _("criteria to complete from the official text: %(list)s")
                % {"list": ", ".join(self.incomplete)}
            )
        if isinstance(self.result, PercentResult) and not self.incomplete:
            total = sum(c.top or 0 for c in self.criteria)
            if abs(total - self.result.out_of) > 1e-9:
                errors.append(
                    _("the criteria give %(total)s points at most, the rule divides by %(out_of)s")
                    % {"total": _num(total), "out_of": _num(self.result.out_of)}
                )
        return errors


def parse(data: dict[str, Any]) -> Definition:
    return Definition.model_validate(data)


def errors_of(exc: ValidationError) -> list[str]:
    """Pydantic's errors as lines naming where in the definition each one is."""
    lines = []
    for error in exc.errors():
        where = ".".join(str(p) for p in error["loc"])
        message = str(error["msg"]).removeprefix("Value error, ")
        lines.append(f"{where}: {message}" if where else message)
    return lines


def shipped(code: str) -> dict[str, Any]:
    """The shipped document of a set: its identity, provenance and definition."""
    data: dict[str, Any] = json.loads((DATA / f"set_{code}.json").read_text(encoding="utf-8"))
    return data


# Scoring ---------------------------------------------------------------------------------------


class AnswerError(ValueError):
    def __init__(self, number: str, message: str) -> None:
        super().__init__(f"{number}: {message}")
        self.number = number
        self.message = message


@dataclass
class CriterionResult:
    number: str
    answered: bool
    points: float
    top: float | None
    passed: bool | None  # pass/fail criteria only
    must_pass: bool


@dataclass
class Score:
    points: float
    max_points: float
    percent: float
    passed: int  # pass/fail criteria passed
    rating: str
    safe: bool
    must_pass_failed: list[str]
    unanswered: list[str]
    complete: bool  # every criterion is complete in the definition (publishable)
    details: list[CriterionResult] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "points": self.points,
            "max_points": self.max_points,
            "percent": self.percent,
            "passed": self.passed,
            "rating": self.rating,
            "safe": self.safe,
            "must_pass_failed": self.must_pass_failed,
            "unanswered": self.unanswered,
            "complete": self.complete,
            "criteria": [
                {"number": d.number, "points": d.points, "passed": d.passed} for d in self.details
            ],
        }


def clean_answers(definition: Definition, answers: dict[str, Any]) -> dict[str, Any]:
    """Answers checked against the definition and brought to their stored form (numbers as
    numbers, pass/fail as booleans, choices as option keys); empty answers dropped. Raises
    `AnswerError` naming the criterion."""
    cleaned: dict[str, Any] = {}
    for number, value in answers.items():
        criterion = definition.criterion(str(number))
        if criterion is None:
            raise AnswerError(str(number), _("no such criterion in this set"))
        if value is None or value == "":
            continue
        cleaned[criterion.number] = _clean_one(criterion, value)
    return cleaned


def _clean_one(c: Criterion, value: Any) -> Any:
    if c.kind == "pass_fail":
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text in {"1", "true", "yes", "co", "có", "đạt", "dat", "pass"}:
            return True
        if text in {"0", "false", "no", "khong", "không", "không đạt", "khong dat", "fail"}:
            return False
        raise AnswerError(c.number, _("answer yes or no"))
    if c.kind == "choice":
        keys = {o.key for o in c.options}
        if str(value) not in keys:
            raise AnswerError(
                c.number, _("choose one of %(keys)s") % {"keys": ", ".join(sorted(keys))}
            )
        option = next(o for o in c.options if o.key == str(value))
        if option.points is None:
            raise AnswerError(
                c.number, _("this option has no points until the official text is read")
            )
        return option.key
    number = _number(c, value)
    if number < 0:
        raise AnswerError(c.number, _("a number of 0 or more"))
    if c.kind == "scale":
        if c.max_points is None:
            raise AnswerError(
                c.number, _("this criterion has no scale until the official text is read")
            )
        if number > c.max_points:
            raise AnswerError(c.number, _("at most %(n)s points") % {"n": _num(c.max_points)})
    return number


def _number(c: Criterion, value: Any) -> float:
    if isinstance(value, bool):
        raise AnswerError(c.number, _("a number"))
    try:
        number = float(Decimal(str(value).strip().replace(",", ".")))
    except (ArithmeticError, ValueError):
        raise AnswerError(c.number, _("a number")) from None
    if number != number or number in (float("inf"), float("-inf")):
        raise AnswerError(c.number, _("a number"))
    return number


def criterion_points(c: Criterion, value: Any) -> tuple[float, bool | None]:
    """Points an (already cleaned) answer gives, and for pass/fail whether it passed."""
    if c.kind == "pass_fail":
        return (1.0 if value else 0.0), bool(value)
    if c.kind == "choice":
        option = next(o for o in c.options if o.key == value)
        return float(option.points or 0), None
    if c.kind == "scale":
        return float(value), None
    points = c.bands[0].points if value < c.bands[0].min else 0.0
    for band in c.bands:
        if value >= band.min:
            points = band.points
    return float(points), None


def score(definition: Definition, answers: dict[str, Any]) -> Score:
    """Score answers (raw or cleaned) against a definition. Unanswered criteria give no points
    and, when pass/fail, do not pass."""
    cleaned = clean_answers(definition, answers)
    details = []
    for c in definition.criteria:
        if c.number in cleaned:
            points, passed = criterion_points(c, cleaned[c.number])
            details.append(CriterionResult(c.number, True, points, c.top, passed, c.must_pass))
        else:
            passed_none = False if c.kind == "pass_fail" else None
            details.append(CriterionResult(c.number, False, 0.0, c.top, passed_none, c.must_pass))
    points = sum(d.points for d in details)
    n_passed = sum(1 for d in details if d.passed)
    failed_must = [d.number for d in details if d.must_pass and d.passed is not True]
    result = definition.result
    if isinstance(result, PercentResult):
        max_points = result.out_of
        percent = points / max_points * 100
        rating = next(b.rating for b in result.bands if _at_most(points, b.up_to, max_points))
    else:
        max_points = float(sum(d.top or 0 for d in details))
        percent = points / max_points * 100 if max_points else 0.0
        rating = result.otherwise
        for tier in result.tiers:
            if n_passed >= tier.min_passed and not (tier.with_must_pass and failed_must):
                rating = tier.rating
                break
    return Score(
        points=_round(points),
        max_points=_round(max_points),
        percent=_round(percent),
        passed=n_passed,
        rating=rating,
        safe=definition.rating(rating).safe,
        must_pass_failed=failed_must,
        unanswered=[d.number for d in details if not d.answered],
        complete=not definition.incomplete,
        details=details,
    )


def _at_most(points: float, percent: float, out_of: float) -> bool:
    """points / out_of × 100 ≤ percent, in exact decimals: 45 of 300 is 15%, not a float's
    15.000000000000002, and 45.01 of 300 is above it."""
    return Decimal(str(points)) * 100 <= Decimal(str(percent)) * Decimal(str(out_of))


def _round(value: float) -> float:
    return round(value, 2)


def _num(value: float) -> str:
    return f"{value:g}"
