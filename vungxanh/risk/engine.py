"""The risk-level engine: a pure function from a tree, cases and coverage to levels by day.

No database here. Everything is an array over (area, day), so a country of 10,600 communes and a
year of days is a few vectorized passes, not a loop over rows:

1. cases of the counted settings are summed per area and day, then up the tree (an area's own
   totals include every case below it), then over the ruleset's window by cumulative sums;
2. areas without children are judged by the ruleset's area method; areas with children, deepest
   first, by its roll-up policy (which may read the children's levels of the same day);
3. the treatment-capacity floor is the one sequential step: a loop over days, vectorized over areas.

Alongside each level the engine keeps what explains it (which condition held and its value, or the
rate, coverage and floor), so that the product can say why an area is orange.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

import numpy as np
import numpy.typing as npt

from .rules import ConditionLevels, RateMatrix, RulesetParams

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]

SETTINGS = ("community", "quarantine", "lockdown")
REASON_NONE = -1  # green: no condition holds
REASON_MATRIX = -2  # rate × coverage matrix
REASON_WORST_CHILD = -3  # worst of the children


@dataclass
class Tree:
    """Areas to assess; `parent[i]` is the index of i's parent, or -1 for a root."""

    codes: list[str]
    parent: IntArray
    population: FloatArray

    def __post_init__(self) -> None:
        self.index = {code: i for i, code in enumerate(self.codes)}
        self.depth = _depths(self.parent)
        self.has_children = np.zeros(len(self.codes), dtype=bool)
        self.has_children[self.parent[self.parent >= 0]] = True


@dataclass
class Cases:
    """Case rows: a line list (count 1 each) or daily counts. Areas are tree indexes."""

    day: npt.NDArray[np.datetime64]
    area: IntArray
    count: IntArray
    setting: IntArray  # index into SETTINGS
    source_known: BoolArray
    high_contact: BoolArray

    @staticmethod
    def empty() -> Cases:
        return Cases(
            np.array([], dtype="datetime64[D]"),
            *(np.array([], dtype=np.int64),) * 3,
            np.array([], dtype=bool),
            np.array([], dtype=bool),
        )


@dataclass
class Coverage:
    """Coverage rows; each holds from its day on, until the area's next row."""

    day: npt.NDArray[np.datetime64]
    area: IntArray
    first_dose_18_pct: FloatArray
    full_dose_50_pct: FloatArray
    treatment_ok: BoolArray

    @staticmethod
    def empty() -> Coverage:
        return Coverage(
            np.array([], dtype="datetime64[D]"),
            np.array([], dtype=np.int64),
            np.array([]),
            np.array([]),
            np.array([], dtype=bool),
        )


@dataclass(frozen=True)
class Facts:
    """What explains one area's level on one day."""

    level: int
    reason: int
    value: float
    cases: int
    rate: float
    coverage: float
    floored: bool
    is_parent: bool


@dataclass
class Assessment:
    """Levels and what explains them, for every area of the tree and every day assessed."""

    days: list[date]
    level: npt.NDArray[np.int8]  # (area, day), 1–4
    reason: npt.NDArray[np.int16]  # condition index, or REASON_*
    value: npt.NDArray[np.float32]  # the value of the metric that decided
    cases: npt.NDArray[np.int32]  # counted cases in the window
    rate: npt.NDArray[np.float32]  # counted cases per 100,000 in the window
    coverage: npt.NDArray[np.float32]  # coverage percentage in force (NaN: none)
    treatment_ok: BoolArray
    floored: BoolArray  # raised to the day before's level for lack of treatment capacity
    is_parent: BoolArray = field(default_factory=lambda: np.array([], dtype=bool))

    def facts(self, a: int, t: int) -> Facts:
        return Facts(
            level=int(self.level[a, t]),
            reason=int(self.reason[a, t]),
            value=float(self.value[a, t]),
            cases=int(self.cases[a, t]),
            rate=float(self.rate[a, t]),
            coverage=float(self.coverage[a, t]),
            floored=bool(self.floored[a, t]),
            is_parent=bool(self.is_parent[a]),
        )


def assess(
    tree: Tree,
    cases: Cases,
    coverage: Coverage,
    params: RulesetParams,
    date_from: date,
    date_to: date,
) -> Assessment:
    """Levels for every area of `tree` on every day from `date_from` to `date_to`, inclusive.

    Windows and the treatment floor reach back before `date_from` to the earliest input given.
    """
    if date_to < date_from:
        raise ValueError("date_to is before date_from")
    start = _first_day(cases, coverage, date_from, params.window_days)
    n_days = (date_to - start).days + 1
    offset = (date_from - start).days

    window = _Windows(tree, cases, params, start, n_days)
    cover, treatment = _coverage_arrays(tree, coverage, params, start, n_days)

    state = _State.new(len(tree.codes), n_days)
    state.cases[:] = window["community"]
    state.rate[:] = _per_100k(window["community"], tree.population)
    state.coverage[:] = cover
    state.treatment_ok[:] = treatment

    if params.rollup.policy == "direct":  # every area on its own totals: one pass
        _apply_area_method(state, np.arange(len(tree.codes)), params, window, tree)
    else:
        leaves = np.flatnonzero(~tree.has_children)
        _apply_area_method(state, leaves, params, window, tree)
        for depth in sorted(set(tree.depth[tree.has_children].tolist()), reverse=True):
            group = np.flatnonzero(tree.has_children & (tree.depth == depth))
            _apply_rollup(state, group, params, window, tree)

    days = [date_from + timedelta(days=i) for i in range(n_days - offset)]
    return Assessment(
        days=days,
        level=state.level[:, offset:],
        reason=state.reason[:, offset:],
        value=state.value[:, offset:],
        cases=state.cases[:, offset:],
        rate=state.rate[:, offset:],
        coverage=state.coverage[:, offset:],
        treatment_ok=state.treatment_ok[:, offset:],
        floored=state.floored[:, offset:],
        is_parent=tree.has_children.copy(),
    )


@dataclass
class _State:
    level: npt.NDArray[np.int8]
    reason: npt.NDArray[np.int16]
    value: npt.NDArray[np.float32]
    cases: npt.NDArray[np.int32]
    rate: npt.NDArray[np.float32]
    coverage: npt.NDArray[np.float32]
    treatment_ok: BoolArray
    floored: BoolArray

    @staticmethod
    def new(n_areas: int, n_days: int) -> _State:
        shape = (n_areas, n_days)
        return _State(
            level=np.ones(shape, dtype=np.int8),
            reason=np.full(shape, REASON_NONE, dtype=np.int16),
            value=np.zeros(shape, dtype=np.float32),
            cases=np.zeros(shape, dtype=np.int32),
            rate=np.zeros(shape, dtype=np.float32),
            coverage=np.full(shape, np.nan, dtype=np.float32),
            treatment_ok=np.ones(shape, dtype=bool),
            floored=np.zeros(shape, dtype=bool),
        )


def _depths(parent: IntArray) -> IntArray:
    depth = np.zeros(len(parent), dtype=np.int64)
    current = parent.copy()
    while (current >= 0).any():
        alive = current >= 0
        depth[alive] += 1
        current[alive] = parent[current[alive]]
        if depth.max() > len(parent):
            raise ValueError("the tree has a cycle")
    return depth


def _first_day(cases: Cases, coverage: Coverage, date_from: date, window: int) -> date:
    first = date_from - timedelta(days=window)
    for days in (cases.day, coverage.day):
        if len(days):
            first = min(first, days.min().astype(date))
    return first


class _Windows:
    """Counted cases in the window ending on each day, per area (its own and every case below
    it), by category; each category is computed when a metric first asks for it, so that a
    ruleset that reads only community cases pays for one category, not four."""

    def __init__(
        self, tree: Tree, cases: Cases, params: RulesetParams, start: date, n_days: int
    ) -> None:
        counted = np.isin(cases.setting, [SETTINGS.index(s) for s in params.counted_settings])
        day = (cases.day - np.datetime64(start, "D")).astype(np.int64)
        in_range = counted & (day >= 0) & (day < n_days)
        self._masks = {
            "community": in_range,
            "known": in_range & cases.source_known,
            "unknown": in_range & ~cases.source_known,
            "high_contact": in_range & cases.high_contact,
        }
        self._flat = cases.area * n_days + day
        self._tree, self._cases, self._window = tree, cases, params.window_days
        self._shape = (len(tree.codes), n_days)
        self._sums: dict[str, npt.NDArray[np.int32]] = {}

    def __getitem__(self, name: str) -> npt.NDArray[np.int32]:
        if name not in self._sums:
            mask = self._masks[name]
            own = np.bincount(
                self._flat[mask],
                weights=self._cases.count[mask],
                minlength=self._shape[0] * self._shape[1],
            )
            totals = _sum_up_the_tree(self._tree, own.reshape(self._shape).astype(np.int32))
            self._sums[name] = _window_sums(totals, self._window)
        return self._sums[name]


def _sum_up_the_tree(tree: Tree, own: npt.NDArray[np.int32]) -> npt.NDArray[np.int32]:
    """Each area's totals: its own cases and every case below it."""
    totals = own.copy()
    for depth in sorted(set(tree.depth.tolist()), reverse=True):
        children = np.flatnonzero((tree.depth == depth) & (tree.parent >= 0))
        if not len(children):
            continue
        children = children[np.argsort(tree.parent[children], kind="stable")]
        parents = tree.parent[children]
        starts = np.flatnonzero(np.r_[True, parents[1:] != parents[:-1]])
        totals[parents[starts]] += np.add.reduceat(totals[children], starts, axis=0)
    return totals


def _window_sums(daily: npt.NDArray[np.int32], window: int) -> npt.NDArray[np.int32]:
    running = np.cumsum(daily, axis=1, dtype=np.int64)
    out = running.copy()
    out[:, window:] -= running[:, :-window]
    return out.astype(np.int32)


def _per_100k(count: npt.NDArray[np.int32], population: FloatArray) -> npt.NDArray[np.float32]:
    with np.errstate(divide="ignore", invalid="ignore"):
        rate = count * 100_000.0 / population[:, None]
    return np.where(population[:, None] > 0, rate, np.nan).astype(np.float32)


def _coverage_arrays(
    tree: Tree, coverage: Coverage, params: RulesetParams, start: date, n_days: int
) -> tuple[npt.NDArray[np.float32], BoolArray]:
    """Coverage percentage in force and treatment capacity, per area and day (forward-filled)."""
    metric = "first_dose_18_pct"
    if isinstance(params.area_method, RateMatrix):
        metric = params.area_method.coverage_metric
    shape = (len(tree.codes), n_days)
    day = np.clip((coverage.day - np.datetime64(start, "D")).astype(np.int64), 0, None)
    order = np.lexsort((coverage.day, coverage.area))  # by area, then date: later rows win
    order = order[day[order] < n_days]
    area, at = coverage.area[order], day[order]
    last = np.r_[(area[1:] != area[:-1]) | (at[1:] != at[:-1]), True][: len(order)]
    order, area, at = order[last], area[last], at[last]  # the last row of an area and day
    # 1 + the position in `order` of the row in force (0: none yet), carried forward in time:
    # within an area, positions grow with the day, so a running maximum is "the latest row".
    latest = np.zeros(shape, dtype=np.int32)
    latest[area, at] = np.arange(1, len(order) + 1, dtype=np.int32)
    np.maximum.accumulate(latest, axis=1, out=latest)
    values = np.r_[np.nan, getattr(coverage, metric)[order]].astype(np.float32)
    treatment = np.r_[True, coverage.treatment_ok[order]].astype(bool)
    return values[latest], treatment[latest]


def _apply_area_method(
    state: _State,
    rows: IntArray,
    params: RulesetParams,
    window: _Windows,
    tree: Tree,
) -> None:
    method = params.area_method
    if isinstance(method, RateMatrix):
        _apply_matrix(state, rows, method)
    else:
        _apply_conditions(state, rows, method, window, tree)


def _apply_rollup(
    state: _State,
    rows: IntArray,
    params: RulesetParams,
    window: _Windows,
    tree: Tree,
) -> None:
    rollup = params.rollup
    if rollup.policy == "direct":
        _apply_area_method(state, rows, params, window, tree)
    elif rollup.policy == "worst_of":
        worst = _children_reduce(tree, rows, state.level, np.maximum)
        state.level[rows] = worst
        state.reason[rows] = REASON_WORST_CHILD
        state.value[rows] = worst
    else:
        assert rollup.conditions is not None
        _apply_conditions(state, rows, rollup.conditions, window, tree)


def _apply_matrix(state: _State, rows: IntArray, method: RateMatrix) -> None:
    bounds = np.array([b.below for b in method.bands[:-1]], dtype=np.float64)
    met_level = np.array([b.met for b in method.bands], dtype=np.int8)
    not_met_level = np.array([b.not_met for b in method.bands], dtype=np.int8)
    rate = state.rate[rows]
    band = np.searchsorted(bounds, np.nan_to_num(rate, nan=0.0), side="right")
    met = np.nan_to_num(state.coverage[rows], nan=-1.0) >= method.coverage_min
    level = np.where(met, met_level[band], not_met_level[band]).astype(np.int8)
    level[state.cases[rows] == 0] = method.no_case_level
    floored = np.zeros_like(level, dtype=bool)
    if method.treatment_floor:
        _treatment_floor(level, floored, ~state.treatment_ok[rows])
    state.level[rows] = level
    state.reason[rows] = REASON_MATRIX
    state.value[rows] = rate
    state.floored[rows] = floored


def _treatment_floor(level: npt.NDArray[np.int8], floored: BoolArray, not_ok: BoolArray) -> None:
    """Where treatment capacity is not met, the level is never lower than the day before's:
    a loop over days (each day reads the one before), over the areas that ever lack capacity,
    day-major so that each step reads contiguous memory."""
    some = np.flatnonzero(not_ok.any(axis=1))
    if not len(some):
        return
    lv, lacking = level[some].T.copy(), not_ok[some].T.copy()
    raised = np.zeros_like(lacking)
    for d in range(1, lv.shape[0]):
        raise_to = np.where(lacking[d], lv[d - 1], 0)
        raised[d] = raise_to > lv[d]
        np.maximum(lv[d], raise_to, out=lv[d])
    level[some], floored[some] = lv.T, raised.T


def _apply_conditions(
    state: _State,
    rows: IntArray,
    levels: ConditionLevels,
    window: _Windows,
    tree: Tree,
) -> None:
    n_days = state.level.shape[1]
    level = np.ones((len(rows), n_days), dtype=np.int8)
    reason = np.full((len(rows), n_days), REASON_NONE, dtype=np.int16)
    value = np.zeros((len(rows), n_days), dtype=np.float32)
    index = 0
    for lvl, conditions in levels.by_level():  # lowest first: a higher level overwrites
        holds_any = np.zeros_like(level, dtype=bool)
        for condition in conditions:
            metric = _metric(condition.metric, condition.child_level, rows, state, window, tree)
            holds = _compare(metric, condition.op, condition.value)
            first = holds & ~holds_any
            reason[first] = index
            value[first] = metric[first]
            holds_any |= holds
            index += 1
        level[holds_any] = lvl
    state.level[rows] = level
    state.reason[rows] = reason
    state.value[rows] = value


def _metric(
    name: str,
    child_level: int | None,
    rows: IntArray,
    state: _State,
    window: _Windows,
    tree: Tree,
) -> npt.NDArray[np.float64]:
    population = tree.population[rows]
    if name == "community_cases":
        return window["community"][rows].astype(np.float64)
    if name == "community_rate":
        return _per_100k(window["community"][rows], population).astype(np.float64)
    if name == "known_source_cases":
        return window["known"][rows].astype(np.float64)
    if name == "known_source_rate":
        return _per_100k(window["known"][rows], population).astype(np.float64)
    if name == "unknown_source_cases":
        return window["unknown"][rows].astype(np.float64)
    if name == "high_contact_cases":
        return window["high_contact"][rows].astype(np.float64)
    assert child_level is not None
    at_least = (state.level >= child_level).astype(np.int64)
    count = _children_reduce(tree, rows, at_least, np.add).astype(np.float64)
    if name == "children_at_least":
        return count
    n_children = _children_reduce(tree, rows, np.ones_like(at_least), np.add)
    return count / np.maximum(n_children, 1)


def _children_reduce(
    tree: Tree, rows: IntArray, values: npt.NDArray[np.generic], ufunc: np.ufunc
) -> npt.NDArray[np.generic]:
    """For each area of `rows`, `ufunc` reduced over its direct children's rows of `values`."""
    children = np.flatnonzero(np.isin(tree.parent, rows))
    order = np.argsort(tree.parent[children], kind="stable")
    children = children[order]
    parents = tree.parent[children]
    starts = np.flatnonzero(np.r_[True, parents[1:] != parents[:-1]])
    reduced = ufunc.reduceat(values[children], starts, axis=0)
    position = {int(p): i for i, p in enumerate(parents[starts])}
    return reduced[[position[int(r)] for r in rows]]


def _compare(metric: npt.NDArray[np.float64], op: str, value: float) -> BoolArray:
    metric = np.nan_to_num(metric, nan=-np.inf)
    if op == ">":
        return metric > value
    if op == ">=":
        return metric >= value
    if op == "<":
        return metric < value
    return metric <= value
