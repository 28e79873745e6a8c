"""Changes to risk inputs, rulesets, levels and overrides; each in one transaction, audited.

Levels are derived data: `do_recompute_levels` rebuilds them for whole provinces from the inputs
(idempotent), and every change of inputs recomputes the provinces it touches. Overrides are kept
apart and laid over the computed levels after every recompute, so they survive it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import numpy as np
import numpy.typing as npt
from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from pydantic import ValidationError

from vungxanh.accounts.audit import record_audit, record_audit_many
from vungxanh.accounts.models import User
from vungxanh.accounts.roles import EDIT_RULES, ENTER_CASES, OVERRIDE_LEVELS
from vungxanh.accounts.scope import scope_for, scope_of_actor
from vungxanh.accounts.workflow import Conflict, transition
from vungxanh.areas.models import TYPES_OF_TIER, Area, Tier, under
from vungxanh.lib import tabular, tree
from vungxanh.lib.errors import Refused
from vungxanh.lib.tabular import ImportRejected, RowError

from . import engine, files, levels_store
from .models import (
    AreaLevel,
    CaseRecord,
    Coverage,
    LevelRun,
    Override,
    Provenance,
    Ruleset,
    RulesetVersion,
)
from .rules import RulesetParams
from .signals import cases_recorded

ASSESSED_TYPES = (
    TYPES_OF_TIER[Tier.PROVINCE] + TYPES_OF_TIER[Tier.DISTRICT] + TYPES_OF_TIER[Tier.COMMUNE]
)
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]
HISTORY_DAYS = 60  # how far back inputs are read when only recent days are recomputed


class RiskRefused(Refused):
    pass


_scope = scope_of_actor


# Rulesets ---------------------------------------------------------------------------------


def versions_in_force(date_from: date, date_to: date) -> list[tuple[RulesetVersion, date, date]]:
    """The published versions that govern each stretch of [date_from, date_to].

    On a day, the version in force is the published one with the latest `effective_from` not
    after that day (the latest version number breaks ties).
    """
    published = list(
        RulesetVersion.objects.filter(status=RulesetVersion.Status.PUBLISHED)
        .select_related("ruleset")
        .order_by("effective_from", "version")
    )
    stretches = []
    for i, version in enumerate(published):
        start = version.effective_from
        later = [v.effective_from for v in published[i + 1 :] if v.effective_from > start]
        end = (min(later) - timedelta(days=1)) if later else date.max
        superseded = any(
            v.effective_from == start and v.version > version.version for v in published[i + 1 :]
        )
        lo, hi = max(start, date_from), min(end, date_to)
        if lo <= hi and not superseded:
            stretches.append((version, lo, hi))
    return stretches


# Recompute --------------------------------------------------------------------------------


@dataclass
class RecomputeReport:
    provinces: int = 0
    areas: int = 0
    days: int = 0
    rows: int = 0


def input_span(province: Area) -> tuple[date, date] | None:
    """The days that have levels to compute: from the first input to the last input plus the
    longest window of any ruleset in force (by then every case has left every window)."""
    dates = CaseRecord.objects.filter(under(province.path, "area__path")).values_list(
        "date", flat=True
    )
    first, last = dates.order_by("date").first(), dates.order_by("-date").first()
    if first is None or last is None:
        return None
    return first, last + timedelta(days=_longest_window(versions_in_force(first, last)))


def _longest_window(stretches: list[tuple[RulesetVersion, date, date]]) -> int:
    return max((v.parsed().window_days for v, _, _ in stretches), default=14)


def do_recompute_levels(
    provinces: list[Area] | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
) -> RecomputeReport:
    """Recompute and store the levels of whole provinces (all, or the given ones).

    One pass of the engine over every province together for each ruleset version in force (the
    provinces are disjoint trees, so assessing them together gives each its own levels), then
    one bulk write. Without dates, each province spans its own inputs (`input_span`).
    """
    country = _Country.load(provinces)
    since = date_from - timedelta(days=HISTORY_DAYS) if date_from else None
    cases = _case_arrays(country, since, date_to)
    spans = _spans(country, cases, date_from, date_to)
    report = RecomputeReport()
    if not spans:
        return report
    lo, hi = min(a for a, _ in spans.values()), max(b for _, b in spans.values())
    coverage = _coverage_arrays(country, since, hi)
    written = np.zeros(len(country.ids), dtype=np.int64)  # rows stored, by province
    with transaction.atomic():
        for version, a, b in versions_in_force(lo, hi):
            result = engine.assess(country.tree, cases, coverage, version.parsed(), a, b)
            keep = _in_spans(country, spans, result.days)
            level = _with_overrides(country, result)
            written += _store(country, spans, result, level, keep, version.pk)
        LevelRun.objects.bulk_create(
            LevelRun(province_id=int(country.ids[r]), date_from=a, date_to=b, rows=int(written[r]))
            for r, (a, b) in spans.items()
        )
    report.rows = int(written.sum())
    report.provinces = len(spans)
    roots = np.array(list(spans))
    report.areas = int(np.isin(country.province, roots).sum())
    report.days = max((b - a).days + 1 for a, b in spans.values())
    return report


@dataclass
class _Country:
    """The assessed areas of some provinces, in path order, as the engine sees them."""

    ids: IntArray  # primary keys
    paths: list[str]
    tree: engine.Tree
    province: IntArray  # tree index of each area's province
    root_filter: Q | None  # the provinces' subtrees, None for all

    @staticmethod
    def load(provinces: list[Area] | None) -> _Country:
        root_filter = None
        if provinces:  # None or none given: every province
            root_filter = Q(pk__in=[])
            for p in provinces:
                root_filter |= under(p.path)
        areas = Area.objects.filter(type__in=ASSESSED_TYPES)
        if root_filter is not None:
            areas = areas.filter(root_filter)
        rows = list(
            areas.order_by("path").values_list("pk", "code", "path", "parent_id", "population")
        )
        position = {r[0]: i for i, r in enumerate(rows)}
        parent = np.array([position.get(r[3], -1) for r in rows], dtype=np.int64)
        province = np.arange(len(rows))
        for i in range(len(rows)):  # parents come before their children in path order
            if parent[i] >= 0:
                province[i] = province[parent[i]]
        the_tree = engine.Tree(
            codes=[r[1] for r in rows],
            parent=parent,
            population=np.array([float(r[4] or 0) for r in rows]),
        )
        return _Country(
            ids=np.array([r[0] for r in rows], dtype=np.int64),
            paths=[r[2] for r in rows],
            tree=the_tree,
            province=province,
            root_filter=root_filter,
        )

    def exact_positions(self, area_ids: IntArray) -> IntArray:
        """Tree indexes of assessed areas given by primary key; -1 for any other area."""
        out = np.full(len(area_ids), -1, dtype=np.int64)
        if not len(self.ids):
            return out
        order = np.argsort(self.ids)
        found = np.minimum(np.searchsorted(self.ids, area_ids, sorter=order), len(order) - 1)
        hit = self.ids[order[found]] == area_ids
        out[hit] = order[found[hit]]
        return out

    def positions(self, area_ids: IntArray) -> IntArray:
        """Tree indexes of areas given by primary key: an assessed area's own, a village's
        (or any unit's below a commune) that of its deepest assessed ancestor; -1 elsewhere."""
        out = self.exact_positions(area_ids)
        hit = out >= 0
        missing = np.unique(area_ids[~hit])
        if len(missing) and len(self.ids):
            below = {}
            for pk, path in Area.objects.filter(pk__in=missing.tolist()).values_list("pk", "path"):
                codes = [self.tree.index.get(s) for s in reversed(tree.segments(path))]
                below[pk] = next((c for c in codes if c is not None), -1)
            out[~hit] = [below.get(int(pk), -1) for pk in area_ids[~hit]]
        return out


def _days_sql(column: str) -> str:
    """An SQL expression of a date column as days since 1970-01-01 (fast to read in bulk)."""
    if connection.vendor == "sqlite":
        return f"CAST(julianday({column}) - 2440587.5 AS INTEGER)"
    return f"({column} - DATE '1970-01-01')"


def _select(sql: str, params: list[Any]) -> list[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _where(country: _Country, since: date | None, until: date | None) -> tuple[str, list[Any]]:
    """The WHERE clause of input rows (alias `r`, joined area alias `a`) in the country."""
    clauses: list[str] = ["1 = 1"]
    params: list[Any] = []
    if since is not None:
        clauses.append("r.date >= %s")
        params.append(since)
    if until is not None:
        clauses.append("r.date <= %s")
        params.append(until)
    if country.root_filter is not None:
        roots = tree.minimal_cover(
            [country.paths[i] for i in np.flatnonzero(country.tree.parent < 0)]
        )
        ranges = " OR ".join(["(a.path >= %s AND a.path < %s)"] * len(roots)) or "1 = 0"
        clauses.append(f"({ranges})")
        params += [x for r in roots for x in (r, tree.upper_bound(r))]
    return " AND ".join(clauses), params


def _case_arrays(country: _Country, since: date | None, until: date | None) -> engine.Cases:
    """Cases of the country, each attributed to its deepest assessed area (a village's case
    counts for its commune)."""
    where, params = _where(country, since, until)
    rows = _select(
        f"SELECT r.area_id, {_days_sql('r.date')}, r.count, r.setting, r.source_known, "  # noqa: S608
        f"r.high_contact FROM {CaseRecord._meta.db_table} r "
        f"JOIN {Area._meta.db_table} a ON a.id = r.area_id WHERE {where}",
        params,
    )
    if not rows:
        return engine.Cases.empty()
    area_id, day, count, setting, known, high = zip(*rows, strict=True)
    area = country.positions(np.array(area_id, dtype=np.int64))
    settings = {s: i for i, s in enumerate(engine.SETTINGS)}
    keep = area >= 0
    return engine.Cases(
        day=np.array(day, dtype="datetime64[D]")[keep],
        area=area[keep],
        count=np.array(count, dtype=np.int64)[keep],
        setting=np.array([settings[s] for s in setting], dtype=np.int64)[keep],
        source_known=np.array(known, dtype=bool)[keep],
        high_contact=np.array(high, dtype=bool)[keep],
    )


def _coverage_arrays(country: _Country, since: date | None, until: date) -> engine.Coverage:
    """Coverage rows of the assessed areas up to `until`; from `since` on, with the row in
    force on `since` dated `since` (the engine reaches back to its earliest input: an old row
    would make it assess months that nobody asked for)."""
    where, params = _where(country, None, until)
    table = Coverage._meta.db_table
    if since is not None:
        where += (
            f" AND (r.date > %s OR r.date = (SELECT MAX(c.date) FROM {table} c "  # noqa: S608
            "WHERE c.area_id = r.area_id AND c.date <= %s))"
        )
        params += [since, since]
    rows = _select(
        f"SELECT r.area_id, {_days_sql('r.date')}, r.first_dose_18_pct, r.full_dose_50_pct, "  # noqa: S608
        f"r.treatment_ok FROM {table} r "
        f"JOIN {Area._meta.db_table} a ON a.id = r.area_id WHERE {where}",
        params,
    )
    if not rows:
        return engine.Coverage.empty()
    area_id, day, first, full, treatment_ok = zip(*rows, strict=True)
    area = country.exact_positions(np.array(area_id, dtype=np.int64))
    keep = area >= 0  # assessed areas only
    days = np.array(day, dtype="datetime64[D]")
    if since is not None:
        days = np.maximum(days, np.datetime64(since, "D"))
    return engine.Coverage(
        day=days[keep],
        area=area[keep],
        first_dose_18_pct=np.array(first, dtype=np.float64)[keep],  # None → NaN
        full_dose_50_pct=np.array(full, dtype=np.float64)[keep],
        treatment_ok=np.array(treatment_ok, dtype=bool)[keep],
    )


def _spans(
    country: _Country, cases: engine.Cases, date_from: date | None, date_to: date | None
) -> dict[int, tuple[date, date]]:
    """The days to recompute of each province (by tree index): the given dates, or from its
    first case to its last plus the longest window in force; none for a province without
    cases unless both dates are given."""
    roots = np.flatnonzero(country.tree.parent < 0)
    if date_from is not None and date_to is not None:
        return {int(r): (date_from, date_to) for r in roots}
    spans: dict[int, tuple[date, date]] = {}
    if not len(cases.day):
        return spans
    day = cases.day.astype(np.int64)
    of_case = country.province[cases.area]
    first = np.full(len(country.ids), np.iinfo(np.int64).max)
    last = np.full(len(country.ids), np.iinfo(np.int64).min)
    np.minimum.at(first, of_case, day)
    np.maximum.at(last, of_case, day)
    had = [int(r) for r in roots if last[r] >= first[r]]
    if not had:
        return spans
    epoch = date(1970, 1, 1)
    lo, hi = (epoch + timedelta(days=int(x)) for x in (first[had].min(), last[had].max()))
    stretches = versions_in_force(lo, hi)
    for r in had:
        a, b = (epoch + timedelta(days=int(x)) for x in (first[r], last[r]))
        in_force = [(v, x, y) for v, x, y in stretches if x <= b and y >= a]
        b += timedelta(days=_longest_window(in_force))
        spans[r] = (date_from or a, date_to or b)
    return {r: (a, b) for r, (a, b) in spans.items() if a <= b}


def _in_spans(
    country: _Country, spans: dict[int, tuple[date, date]], days: list[date]
) -> BoolArray | None:
    """Which (area, day) of an assessment fall in their province's span: None for all."""
    if len(spans) == int((country.tree.parent < 0).sum()) and len(set(spans.values())) == 1:
        ((a, b),) = set(spans.values())
        if a <= days[0] and days[-1] <= b:
            return None
    lo = np.full(len(country.ids), np.datetime64("NaT"), dtype="datetime64[D]")
    hi = lo.copy()
    for r, (a, b) in spans.items():
        lo[r], hi[r] = a, b
    lo, hi = lo[country.province], hi[country.province]
    day = np.array(days, dtype="datetime64[D]")
    return (day[None, :] >= lo[:, None]) & (day[None, :] <= hi[:, None])


def _with_overrides(country: _Country, result: engine.Assessment) -> npt.NDArray[np.int8]:
    """The effective levels: the computed ones with every active override laid over them
    (oldest first, so the newest wins), as `_apply_overrides` does on stored rows."""
    level = result.level.copy()
    first, last = result.days[0], result.days[-1]
    overrides = Override.objects.filter(
        Q(date_to=None) | Q(date_to__gte=first), revoked_at=None, date_from__lte=last
    )
    if country.root_filter is not None:
        overrides = overrides.filter(area_id__in=country.ids.tolist())
    rows = list(
        overrides.order_by("created_at").values_list("area_id", "date_from", "date_to", "level")
    )
    if not rows:
        return level
    found = country.exact_positions(np.array([r[0] for r in rows], dtype=np.int64))
    for i, (_pk, a, b, lvl) in zip(found, rows, strict=True):
        if i < 0:
            continue
        t0 = max((a - first).days, 0)
        t1 = min(((b or last) - first).days, len(result.days) - 1)
        level[i, t0 : t1 + 1] = lvl
    return level


LEVEL_COLUMNS = tuple(name for name, _kind, _null in levels_store.COLUMNS)


def _store(
    country: _Country,
    spans: dict[int, tuple[date, date]],
    result: engine.Assessment,
    level: npt.NDArray[np.int8],
    keep: BoolArray | None,
    version_id: int,
) -> IntArray:
    """Replace the stored levels of the kept areas and days with these, in bulk; the rows
    written, by province (tree index)."""
    n_areas, n_days = result.level.shape
    # By area id, then day: the order of both keys that begin with the area, so that each
    # index is filled near its end rather than all over (three times faster on SQLite).
    by_id = np.argsort(country.ids, kind="stable")
    cells = (by_id[:, None] * n_days + np.arange(n_days)).ravel()
    if keep is not None:
        cells = cells[keep.ravel()[cells]]
    area = cells // n_days
    columns: dict[str, npt.NDArray[Any]] = {
        "area_id": country.ids[area],
        "day": np.array(result.days, dtype="datetime64[D]")[cells % n_days],
        "level": level.ravel()[cells],
        "computed_level": result.level.ravel()[cells],
        "reason": result.reason.ravel()[cells],
        "value": np.nan_to_num(result.value.ravel()[cells].astype(np.float64), nan=0.0),
        "cases": result.cases.ravel()[cells],
        "rate": result.rate.ravel()[cells].astype(np.float64),  # NaN: NULL
        "coverage": result.coverage.ravel()[cells].astype(np.float64),
        "treatment_ok": result.treatment_ok.ravel()[cells],
        "floored": result.floored.ravel()[cells],
        "is_parent": result.is_parent[area],
    }
    if connection.vendor == "postgresql":
        _delete_levels(country, spans, result.days[0], result.days[-1])
        levels_store.copy_levels(AreaLevel._meta.db_table, columns, version_id)
    else:
        replace = _any_levels(country, result.days[0], result.days[-1])
        levels_store.insert_levels(AreaLevel._meta.db_table, columns, version_id, replace)
    return np.bincount(country.province[area], minlength=n_areas)


def _any_levels(country: _Country, first: date, last: date) -> bool:
    """Whether any level of the country is stored in [first, last]."""
    stored = AreaLevel.objects.filter(date__range=(first, last))
    if country.root_filter is not None:
        stored = stored.filter(area__in=Area.objects.filter(country.root_filter))
    return stored.exists()


def _delete_levels(
    country: _Country, spans: dict[int, tuple[date, date]], first: date, last: date
) -> None:
    """Delete the stored levels that a store of [first, last] replaces."""
    table = AreaLevel._meta.db_table
    with connection.cursor() as cursor:
        every_root = len(spans) == int((country.tree.parent < 0).sum())
        if country.root_filter is None and every_root and len(set(spans.values())) == 1:
            ((a, b),) = set(spans.values())
            cursor.execute(
                f"DELETE FROM {table} WHERE date BETWEEN %s AND %s",  # noqa: S608
                [max(a, first), min(b, last)],
            )
            return
        for r, (a, b) in spans.items():
            if max(a, first) <= min(b, last):
                ids = country.ids[country.province == r].tolist()
                cursor.execute(
                    f"DELETE FROM {table} WHERE date BETWEEN %s AND %s AND area_id = ANY(%s)",  # noqa: S608
                    [max(a, first), min(b, last), ids],
                )


def _apply_overrides(ids: list[int], date_from: date, date_to: date) -> None:
    """Lay active overrides over the computed levels (oldest first, so the newest wins)."""
    overrides = Override.objects.filter(area_id__in=ids, revoked_at=None, date_from__lte=date_to)
    for o in overrides.order_by("created_at"):
        end = min(o.date_to or date_to, date_to)
        AreaLevel.objects.filter(
            area_id=o.area_id, date__range=(max(o.date_from, date_from), end)
        ).update(level=o.level)


# Inputs -----------------------------------------------------------------------------------

CASE_SCHEMA = files.CASES_SCHEMA
COVERAGE_SCHEMA = files.COVERAGE_SCHEMA


@dataclass
class CaseInput:
    area: Area
    date: date
    count: int = 1
    setting: str = "community"
    source_known: bool = True
    high_contact: bool = False
    note: str = ""


def do_record_cases(
    actor: User | None,
    inputs: list[CaseInput],
    provenance: str = Provenance.ENTERED,
    recompute: bool = True,
) -> list[CaseRecord]:
    scope = _scope(actor, ENTER_CASES)
    for item in inputs:
        if not scope.covers(item.area.path):
            raise RiskRefused("area_code", _("No such area within your scope."))
        if item.area.tier not in (Tier.COMMUNE, Tier.VILLAGE):
            raise RiskRefused("area_code", _("Cases are recorded in a commune or a village."))
    with transaction.atomic():
        records = CaseRecord.objects.bulk_create(
            [
                CaseRecord(
                    area=i.area,
                    date=i.date,
                    count=i.count,
                    setting=i.setting,
                    source_known=i.source_known,
                    high_contact=i.high_contact,
                    note=i.note[:300],
                    provenance=provenance,
                    created_by=actor if actor and actor.pk else None,
                )
                for i in inputs
            ]
        )
        record_audit_many(
            actor,
            "record_cases",
            [(r, r.area.path, None, _case_dict(r)) for r in records],
        )
        cases_recorded.send(sender=CaseRecord, records=records)
        if recompute:
            _recompute_touched([i.area for i in inputs])
    return records


def _case_dict(r: CaseRecord) -> dict[str, Any]:
    return {
        "area": r.area.code,
        "date": r.date.isoformat(),
        "count": r.count,
        "setting": r.setting,
        "source_known": r.source_known,
        "high_contact": r.high_contact,
    }


def _recompute_touched(areas: list[Area]) -> None:
    roots = {tree.segments(a.path)[0] for a in areas}
    do_recompute_levels(list(Area.objects.filter(code__in=roots)))


def do_import_cases(actor: User | None, data: bytes, filename: str) -> list[CaseRecord]:
    rows = tabular.read_rows(data, filename, CASE_SCHEMA)
    areas = _areas_for_rows(actor, rows, ENTER_CASES)
    inputs = [
        CaseInput(
            areas[r["area_code"]],
            r["date"],
            r["count"],
            r["setting"],
            r["source_known"],
            r["high_contact"],
            r["note"],
        )
        for r in rows
    ]
    try:
        return do_record_cases(actor, inputs, Provenance.IMPORTED)
    except RiskRefused as exc:
        raise ImportRejected([RowError(None, exc.field, exc.message)]) from exc


def _areas_for_rows(
    actor: User | None, rows: list[dict[str, Any]], permission: str
) -> dict[str, Area]:
    scope = _scope(actor, permission)
    areas = {a.code: a for a in Area.objects.filter(code__in={r["area_code"] for r in rows})}
    errors = [
        RowError(r["_row"], "area_code", _("No such area within your scope."))
        for r in rows
        if r["area_code"] not in areas or not scope.covers(areas[r["area_code"]].path)
    ]
    if errors:
        raise ImportRejected(errors)
    return areas


def do_import_coverage(actor: User | None, data: bytes, filename: str) -> int:
    rows = tabular.read_rows(data, filename, COVERAGE_SCHEMA)
    _areas_for_rows(actor, rows, ENTER_CASES)
    return do_set_coverage(actor, rows, Provenance.IMPORTED)


def do_set_coverage(actor: User | None, rows: list[dict[str, Any]], provenance: str) -> int:
    """Coverage rows ({area_code, date, first_dose_18_pct, full_dose_50_pct, treatment_ok}),
    each replacing the area's row of the same date; then the touched provinces recompute."""
    scope = _scope(actor, ENTER_CASES)
    areas = {a.code: a for a in Area.objects.filter(code__in={r["area_code"] for r in rows})}
    if any(
        r["area_code"] not in areas or not scope.covers(areas[r["area_code"]].path) for r in rows
    ):
        raise RiskRefused("area_code", _("No such area within your scope."))
    with transaction.atomic():
        changes = []
        for r in rows:
            values = {k: r[k] for k in ("first_dose_18_pct", "full_dose_50_pct", "treatment_ok")}
            row, _created = Coverage.objects.update_or_create(
                area=areas[r["area_code"]],
                date=r["date"],
                defaults={**values, "provenance": provenance},
            )
            changes.append((row, row.area.path, None, {"date": r["date"].isoformat(), **values}))
        record_audit_many(actor, "set_coverage", changes)
        _recompute_touched(list(areas.values()))
    return len(rows)


# Overrides --------------------------------------------------------------------------------


def do_set_override(
    actor: User,
    area: Area,
    *,
    level: int,
    date_from: date,
    date_to: date | None,
    reason: str,
    decision_number: str,
) -> Override:
    if not scope_for(actor, OVERRIDE_LEVELS).covers(area.path):
        raise RiskRefused("area", _("No such area within your scope."))
    if level not in (1, 2, 3, 4):
        raise RiskRefused("level", _("A level is 1, 2, 3 or 4."))
    if date_to is not None and date_to < date_from:
        raise RiskRefused("date_to", _("The end is before the start."))
    if not reason.strip() or not decision_number.strip():
        raise RiskRefused("reason", _("A reason and a decision number are required."))
    with transaction.atomic():
        override = Override.objects.create(
            area=area,
            level=level,
            date_from=date_from,
            date_to=date_to,
            reason=reason.strip(),
            decision_number=decision_number.strip(),
            created_by=actor,
        )
        before = list(
            AreaLevel.objects.filter(area=area, date__gte=date_from).values_list("date", "level")[
                :1
            ]
        )
        record_audit(
            actor,
            "override_level",
            override,
            area_path=area.path,
            before={"level": before[0][1]} if before else None,
            after=override.audit_dict(),
        )
        _apply_overrides([area.pk], date_from, date_to or date.max)
    return override


def do_revoke_override(actor: User, override: Override) -> None:
    if not scope_for(actor, OVERRIDE_LEVELS).covers(override.area.path):
        raise RiskRefused("area", _("No such area within your scope."))
    with transaction.atomic():
        changed = Override.objects.filter(pk=override.pk, revoked_at=None).update(
            revoked_at=timezone.now()
        )
        if changed != 1:
            raise RiskRefused("override", _("This override was already revoked."))
        record_audit(
            actor,
            "revoke_override",
            override,
            area_path=override.area.path,
            before=override.audit_dict(),
            after=None,
        )
        AreaLevel.objects.filter(area_id=override.area_id).update(level=F("computed_level"))
        _apply_overrides([override.area_id], date.min, date.max)


# Ruleset versions ---------------------------------------------------------------------------


def do_draft_ruleset_version(
    actor: User,
    ruleset: Ruleset,
    *,
    params: dict[str, Any],
    effective_from: date,
    decision: str,
    decision_date: date,
    provenance: str,
) -> RulesetVersion:
    """A new draft version; the published ones stay as they are."""
    if scope_for(actor, EDIT_RULES).is_empty:
        raise RiskRefused("ruleset", _("You may not edit rulesets."))
    try:
        parsed = RulesetParams.model_validate(params)
    except ValidationError as exc:
        raise RiskRefused("params", _ruleset_errors(exc)) from exc
    with transaction.atomic():
        last = ruleset.versions.select_for_update().order_by("-version").first()
        version = RulesetVersion.objects.create(
            ruleset=ruleset,
            version=(last.version if last else 0) + 1,
            params=parsed.model_dump(mode="json"),
            effective_from=effective_from,
            decision=decision,
            decision_date=decision_date,
            provenance=provenance,
            created_by=actor,
        )
        record_audit(
            actor,
            "draft_ruleset",
            version,
            area_path="",
            before=last.audit_dict() if last else None,
            after=version.audit_dict(),
        )
    return version


def _ruleset_errors(exc: ValidationError) -> str:
    return "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors())


def do_publish_ruleset_version(actor: User, version: RulesetVersion) -> None:
    """Publish a draft (a guarded transition: published once), then recompute the levels."""
    if scope_for(actor, EDIT_RULES).is_empty:
        raise RiskRefused("ruleset", _("You may not edit rulesets."))
    try:
        transition(
            version,
            field="status",
            old=RulesetVersion.Status.DRAFT,
            new=RulesetVersion.Status.PUBLISHED,
            actor=actor,
            area_path="",
            also={"published_at": timezone.now()},
        )
    except Conflict as exc:
        raise RiskRefused("status", str(exc)) from exc
    do_recompute_levels()
