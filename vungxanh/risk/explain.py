"""Plain-language explanations of levels, from what the engine kept beside each level.

"cam: 63 ca cộng đồng/100.000 dân trong 7 ngày ≥ 50; tỷ lệ tiêm mũi 1 từ 18 tuổi 64% < 70%"
"""

from __future__ import annotations

import math

from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.utils.translation import pgettext

from . import engine
from .rules import Condition, ConditionLevels, RateMatrix, RulesetParams


def colour_name(level: int) -> str:
    return {
        1: pgettext("risk colour", "green"),
        2: pgettext("risk colour", "yellow"),
        3: pgettext("risk colour", "orange"),
        4: pgettext("risk colour", "red"),
    }[level]


OPS = {">": ">", ">=": "≥", "<": "<", "<=": "≤"}


def _number(value: float) -> str:
    """One decimal at most, with the active language's decimal separator."""
    if math.isnan(value):
        return "—"
    rounded = round(value, 1)
    return formats.number_format(rounded, decimal_pos=0 if rounded == int(rounded) else 1)


def explain(facts: engine.Facts, params: RulesetParams) -> str:
    window = params.window_days
    head = colour_name(facts.level)
    if facts.reason == engine.REASON_MATRIX:
        assert isinstance(params.area_method, RateMatrix)
        return f"{head}: {_matrix_text(facts, params.area_method, window)}"
    if facts.reason == engine.REASON_WORST_CHILD:
        return f"{head}: " + _("the worst level of the units below")
    conditions = _conditions_for(facts, params)
    if facts.reason == engine.REASON_NONE or conditions is None:
        text = _("no condition of a higher level holds (%(n)s community cases in %(w)s days)")
        return f"{head}: " + text % {"n": facts.cases, "w": window}
    _level, condition = conditions.flat()[facts.reason]
    return f"{head}: {_condition_text(condition, facts.value, window)}"


def _conditions_for(facts: engine.Facts, params: RulesetParams) -> ConditionLevels | None:
    if facts.is_parent and params.rollup.policy == "conditions":
        return params.rollup.conditions
    method = params.area_method
    return method if isinstance(method, ConditionLevels) else None


def _condition_text(c: Condition, value: float, window: int) -> str:
    bound = f"{OPS[c.op]} {_number(c.value)}"
    if c.metric == "unknown_source_cases":
        text = _("%(n)s community cases of unknown source in %(w)s days")
    elif c.metric == "high_contact_cases":
        text = _("%(n)s cases in a high-contact setting (school, hospital, market) in %(w)s days")
    elif c.metric == "community_cases":
        text = _("%(n)s community cases in %(w)s days")
    elif c.metric == "known_source_cases":
        text = _("%(n)s known-source community cases in %(w)s days")
    elif c.metric == "known_source_rate":
        text = _("%(v)s known-source community cases per 100,000 in %(w)s days %(bound)s")
    elif c.metric == "community_rate":
        text = _("%(v)s community cases per 100,000 in %(w)s days %(bound)s")
    elif c.metric == "share_children_at_least" and c.child_level == 4:
        text = _("%(pct)s%% of the units below are %(colour)s (%(bound_pct)s)")
    elif c.metric == "share_children_at_least":
        text = _("%(pct)s%% of the units below are %(colour)s or worse (%(bound_pct)s)")
    elif c.child_level == 4:
        text = _("%(n)s of the units below are %(colour)s (%(bound)s)")
    else:
        text = _("%(n)s of the units below are %(colour)s or worse (%(bound)s)")
    return text % {
        "n": int(value),
        "v": _number(value),
        "w": window,
        "bound": bound,
        "pct": _number(value * 100),
        "bound_pct": f"{OPS[c.op]} {_number(c.value * 100)}%",
        "colour": colour_name(c.child_level or 1),
    }


def _matrix_text(facts: engine.Facts, m: RateMatrix, window: int) -> str:
    if facts.cases == 0:
        parts = [_("no community case in %(w)s days") % {"w": window}]
    else:
        rate = facts.rate
        lower = [b.below for b in m.bands if b.below is not None and b.below <= rate]
        bound = f"≥ {_number(max(lower))}" if lower else f"< {_number(m.bands[0].below or 0)}"
        text = _("%(v)s community cases per 100,000 in %(w)s days %(bound)s")
        parts = [text % {"v": _number(rate), "w": window, "bound": bound}]
        parts.append(_coverage_text(facts.coverage, m))
    if facts.floored:
        parts.append(_("treatment capacity not met: not lower than the day before"))
    return "; ".join(parts)


def _coverage_text(coverage: float, m: RateMatrix) -> str:
    if math.isnan(coverage):
        return _("no vaccine coverage figure: counted as not met")
    label = (
        _("18+ first-dose coverage")
        if m.coverage_metric == "first_dose_18_pct"
        else _("50+ full-dose coverage")
    )
    op = "≥" if coverage >= m.coverage_min else "<"
    return f"{label} {_number(coverage)}% {op} {_number(m.coverage_min)}%"


METRIC_LABELS = {
    "community_cases": _lazy("community cases"),
    "community_rate": _lazy("community cases per 100,000"),
    "known_source_cases": _lazy("known-source community cases"),
    "known_source_rate": _lazy("known-source community cases per 100,000"),
    "unknown_source_cases": _lazy("community cases of unknown source"),
    "high_contact_cases": _lazy("cases in a high-contact setting"),
    "share_children_at_least": _lazy("share of the units below at %(colour)s or worse"),
    "children_at_least": _lazy("units below at %(colour)s or worse"),
}


def threshold_rows(params: RulesetParams) -> list[tuple[str, str, str]]:
    """(where, rule, status) for every threshold of a ruleset, as the rulesets page lists them."""
    rows: list[tuple[str, str, str]] = [
        (
            _("window"),
            _("%(d)s days ending on the day") % {"d": params.window_days},
            params.window_status,
        ),
        (_("cases counted"), ", ".join(params.counted_settings), "confirmed"),
    ]
    method = params.area_method
    if isinstance(method, ConditionLevels):
        rows += _condition_rows(_("unit assessed"), method)
    else:
        lower = 0.0
        for band in method.bands:
            upper = band.below
            span = f"{_number(lower)}–<{_number(upper)}" if upper else f"≥ {_number(lower)}"
            rule = _("%(span)s per 100,000 in the window → %(met)s (coverage met) / %(not)s") % {
                "span": span,
                "met": colour_name(band.met),
                "not": colour_name(band.not_met),
            }
            rows.append((_("unit assessed"), rule, band.status))
            lower = band.below or lower
        rows.append(
            (
                _("area"),
                _("no community case → %(c)s") % {"c": colour_name(method.no_case_level)},
                "confirmed",
            )
        )
        rows.append(
            (
                _("coverage"),
                f"{method.coverage_metric} ≥ {_number(method.coverage_min)}%",
                method.coverage_status,
            )
        )
        if method.treatment_floor:
            rows.append(
                (
                    _("treatment"),
                    _("capacity not met: not lower than the day before"),
                    method.treatment_status,
                )
            )
    rollup = params.rollup
    rows.append((_("roll-up"), rollup.policy, rollup.status))
    if rollup.conditions is not None:
        rows += _condition_rows(_("roll-up"), rollup.conditions)
    return rows


def _condition_rows(where: str, levels: ConditionLevels) -> list[tuple[str, str, str]]:
    rows: list[tuple[str, str, str]] = []
    for level, c in reversed(levels.flat()):
        metric = str(METRIC_LABELS[c.metric])
        if c.child_level:
            metric = metric % {"colour": colour_name(c.child_level)}
        value = (
            f"{_number(c.value * 100)}%"
            if c.metric == "share_children_at_least"
            else (_number(c.value))
        )
        rows.append((where, f"{colour_name(level)}: {metric} {OPS[c.op]} {value}", c.status))
    return rows
