"""Rulesets as data: what the decisions say, each threshold with its provenance.

A ruleset version is a JSON document validated by `RulesetParams`. The engine reads it; officials
edit it in the product (a published version never changes, an edit makes a new version). Metrics
(how a number is computed) are code; which metric, which threshold, at which level, are data.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

Status = Literal["confirmed", "remembered", "unknown"]
Setting = Literal["community", "quarantine", "lockdown"]

# Metrics an area is judged on. Counts and rates are over the ruleset's window, of the counted
# settings only; "children" metrics look at the levels of the area's direct children that day.
Metric = Literal[
    "community_cases",
    "community_rate",  # cases per 100,000 people
    "known_source_cases",
    "known_source_rate",
    "unknown_source_cases",
    "high_contact_cases",
    "share_children_at_least",  # share (0–1) of children at `child_level` or above
    "children_at_least",  # number of children at `child_level` or above
]
CHILD_METRICS = {"share_children_at_least", "children_at_least"}
LEVELS = {1: "green", 2: "yellow", 3: "orange", 4: "red"}
COLOURS = {v: k for k, v in LEVELS.items()}


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Condition(Strict):
    metric: Metric
    op: Literal[">", ">=", "<", "<="] = ">="
    value: float
    child_level: int | None = Field(None, ge=1, le=4)
    status: Status = "confirmed"
    source: str = ""

    @model_validator(mode="after")
    def _child_level_for_child_metrics(self) -> Condition:
        if (self.metric in CHILD_METRICS) != (self.child_level is not None):
            raise ValueError("child_level is given exactly for the children metrics")
        return self


class ConditionLevels(Strict):
    """A unit is at the highest level any of whose conditions holds; green otherwise."""

    type: Literal["conditions"] = "conditions"
    red: list[Condition] = []
    orange: list[Condition] = []
    yellow: list[Condition] = []

    def by_level(self) -> list[tuple[int, list[Condition]]]:
        return [(2, self.yellow), (3, self.orange), (4, self.red)]

    def flat(self) -> list[tuple[int, Condition]]:
        """Conditions in the order the engine numbers them (its `reason` codes)."""
        return [(level, c) for level, conditions in self.by_level() for c in conditions]


class Band(Strict):
    below: float | None = Field(None, description="Upper bound, exclusive; null: no bound")
    met: int = Field(..., ge=1, le=4)
    not_met: int = Field(..., ge=1, le=4)
    status: Status = "confirmed"


class RateMatrix(Strict):
    """Level from the weekly community rate's band and whether vaccine coverage is met."""

    type: Literal["rate_matrix"] = "rate_matrix"
    no_case_level: int = Field(1, ge=1, le=4)
    bands: list[Band]
    coverage_metric: Literal["first_dose_18_pct", "full_dose_50_pct"] = "first_dose_18_pct"
    coverage_min: float = 70
    coverage_status: Status = "remembered"
    treatment_floor: bool = True
    treatment_status: Status = "confirmed"

    @model_validator(mode="after")
    def _bands_ascend(self) -> RateMatrix:
        bounds = [b.below for b in self.bands]
        if not bounds or bounds[-1] is not None:
            raise ValueError("the last band has no upper bound")
        finite = [b for b in bounds[:-1] if b is not None]
        if len(finite) != len(bounds) - 1 or finite != sorted(set(finite)):
            raise ValueError("band bounds ascend strictly")
        return self


AreaMethod = Annotated[ConditionLevels | RateMatrix, Field(discriminator="type")]


class Rollup(Strict):
    """How an area with children is assessed.

    direct: the area method on the area's own totals and population; worst_of: the worst child;
    conditions: conditions over the children's levels and the area's own totals.
    """

    policy: Literal["direct", "worst_of", "conditions"]
    conditions: ConditionLevels | None = None
    status: Status = "confirmed"

    @model_validator(mode="after")
    def _conditions_for_conditions(self) -> Rollup:
        if (self.policy == "conditions") != (self.conditions is not None):
            raise ValueError("conditions are given exactly for the 'conditions' policy")
        return self


class RulesetParams(Strict):
    window_days: int = Field(..., ge=1, le=60)
    window_status: Status = "confirmed"
    counted_settings: list[Setting] = ["community"]
    area_method: AreaMethod
    rollup: Rollup

    @model_validator(mode="after")
    def _leaves_have_no_children(self) -> RulesetParams:
        method = self.area_method
        if isinstance(method, ConditionLevels):
            for _, conditions in method.by_level():
                if any(c.metric in CHILD_METRICS for c in conditions):
                    raise ValueError("the area method cannot look at children")
        return self

    def unconfirmed(self) -> list[str]:
        """Where the thresholds rest on memory or on nothing: shown beside every result."""
        notes: list[str] = []
        if self.window_status != "confirmed":
            notes.append(f"window_days={self.window_days} ({self.window_status})")
        for where, levels in self._condition_sets():
            for level, conditions in levels.by_level():
                notes += [
                    f"{where} {LEVELS[level]}: {c.metric} {c.op} {c.value:g} ({c.status})"
                    for c in conditions
                    if c.status != "confirmed"
                ]
        method = self.area_method
        if isinstance(method, RateMatrix):
            notes += [
                f"band below {b.below} → {b.met}/{b.not_met} ({b.status})"
                for b in method.bands
                if b.status != "confirmed"
            ]
            if method.coverage_status != "confirmed":
                notes.append(
                    f"{method.coverage_metric} ≥ {method.coverage_min:g} ({method.coverage_status})"
                )
        if self.rollup.status != "confirmed":
            notes.append(f"roll-up {self.rollup.policy} ({self.rollup.status})")
        return notes

    def _condition_sets(self) -> list[tuple[str, ConditionLevels]]:
        sets: list[tuple[str, ConditionLevels]] = []
        if isinstance(self.area_method, ConditionLevels):
            sets.append(("area", self.area_method))
        if self.rollup.conditions is not None:
            sets.append(("roll-up", self.rollup.conditions))
        return sets


class RulesetDocument(Strict):
    """A shipped ruleset: identity and provenance around its parameters."""

    code: str
    name: str
    decision: str
    decision_date: str
    effective_from: str
    provenance: str
    params: RulesetParams


DATA_DIR = Path(__file__).parent / "data"


def shipped_rulesets() -> dict[str, RulesetDocument]:
    documents = [
        RulesetDocument.model_validate(json.loads(p.read_text("utf-8")))
        for p in sorted(DATA_DIR.glob("ruleset_*.json"))
    ]
    return {d.code: d for d in documents}


def install_shipped_rulesets(ruleset_model: Any, version_model: Any) -> None:
    """Version 1 of each shipped ruleset, published, where the ruleset has no version yet.

    Takes the model classes so that the data migration can pass its historical models.
    """
    from datetime import date

    from django.utils import timezone

    for code, doc in shipped_rulesets().items():
        ruleset, _ = ruleset_model.objects.get_or_create(code=code, defaults={"name": doc.name})
        if version_model.objects.filter(ruleset=ruleset).exists():
            continue
        version_model.objects.create(
            ruleset=ruleset,
            version=1,
            status="published",
            params=doc.params.model_dump(mode="json"),
            decision=doc.decision,
            decision_date=date.fromisoformat(doc.decision_date),
            effective_from=date.fromisoformat(doc.effective_from),
            provenance=doc.provenance,
            published_at=timezone.now(),
        )
