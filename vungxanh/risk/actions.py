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
from django.db import connection, transaction
from django.db.models import F
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

from . import engine, files
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
    windows = [v.parsed().window_days for v, _, _ in versions_in_force(first, last)] or [14]
    return first, last + timedelta(days=max(windows))


def do_recompute_levels(
    provinces: list[Area] | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
) -> RecomputeReport:
    """Recompute and store the levels of whole provinces (all, or the given ones)."""
    report = RecomputeReport()
    roots = provinces or list(Area.objects.filter(parent=None))
    for province in roots:
        span = input_span(province)
        if span is None and (date_from is None or date_to is None):
            continue
        start = date_from or span[0]  # type: ignore[index]
        end = date_to or span[1]  # type: ignore[index]
        report.rows += _recompute_province(province, start, end)
        report.provinces += 1
        report.areas += Area.objects.filter(under(province.path), type__in=ASSESSED_TYPES).count()
        report.days = max(report.days, (end - start).days + 1)
    return report


def _recompute_province(province: Area, date_from: date, date_to: date) -> int:
    areas = list(
        Area.objects.filter(under(province.path), type__in=ASSESSED_TYPES)
        .order_by("path")
        .values_list("pk", "code", "path", "parent_id", "population")
    )
    ids = [a[0] for a in areas]
    position = {pk: i for i, pk in enumerate(ids)}
    the_tree = engine.Tree(
        codes=[a[1] for a in areas],
        parent=np.array([position.get(a[3], -1) for a in areas], dtype=np.int64),
        population=np.array([float(a[4] or 0) for a in areas]),
    )
    by_segment = {tree.segments(a[2])[-1]: i for i, a in enumerate(areas)}
    since = date_from - timedelta(days=HISTORY_DAYS)
    cases = _case_arrays(province, by_segment, since, date_to)
    coverage = _coverage_arrays(position, ids, date_to)
    written = 0
    with transaction.atomic():
        for version, lo, hi in versions_in_force(date_from, date_to):
            params = version.parsed()
            result = engine.assess(the_tree, cases, coverage, params, lo, hi)
            written += _store(result, ids, version.pk, lo, hi)
        _apply_overrides(ids, date_from, date_to)
        LevelRun.objects.create(
            province=province, date_from=date_from, date_to=date_to, rows=written
        )
    return written


def _case_arrays(
    province: Area, by_segment: dict[str, int], since: date, until: date
) -> engine.Cases:
    """Cases of the province, each attributed to its deepest assessed area (a village's case
    counts for its commune)."""
    rows = list(
        CaseRecord.objects.filter(under(province.path, "area__path"), date__range=(since, until))
        .values_list("area__path", "date", "count", "setting", "source_known", "high_contact")
        .order_by()
    )
    if not rows:
        return engine.Cases.empty()
    area = []
    for path, *_rest in rows:
        segments = tree.segments(path)
        area.append(next(by_segment[s] for s in reversed(segments) if s in by_segment))
    return engine.Cases(
        day=np.array([r[1] for r in rows], dtype="datetime64[D]"),
        area=np.array(area, dtype=np.int64),
        count=np.array([r[2] for r in rows], dtype=np.int64),
        setting=np.array([engine.SETTINGS.index(r[3]) for r in rows], dtype=np.int64),
        source_known=np.array([r[4] for r in rows], dtype=bool),
        high_contact=np.array([r[5] for r in rows], dtype=bool),
    )


def _coverage_arrays(position: dict[int, int], ids: list[int], until: date) -> engine.Coverage:
    rows = list(
        Coverage.objects.filter(area_id__in=ids, date__lte=until).values_list(
            "area_id", "date", "first_dose_18_pct", "full_dose_50_pct", "treatment_ok"
        )
    )
    if not rows:
        return engine.Coverage.empty()
    return engine.Coverage(
        day=np.array([r[1] for r in rows], dtype="datetime64[D]"),
        area=np.array([position[r[0]] for r in rows], dtype=np.int64),
        first_dose_18_pct=np.array([np.nan if r[2] is None else r[2] for r in rows]),
        full_dose_50_pct=np.array([np.nan if r[3] is None else r[3] for r in rows]),
        treatment_ok=np.array([r[4] for r in rows], dtype=bool),
    )


LEVEL_COLUMNS = (
    "area_id",
    "date",
    "level",
    "computed_level",
    "ruleset_version_id",
    "reason",
    "value",
    "cases",
    "rate",
    "coverage",
    "treatment_ok",
    "floored",
    "is_parent",
)


def _store(result: engine.Assessment, ids: list[int], version_id: int, lo: date, hi: date) -> int:
    """Replace the stored levels of these areas and days with the engine's, in bulk."""
    AreaLevel.objects.filter(area_id__in=ids, date__range=(lo, hi)).delete()
    n_areas, n_days = result.level.shape
    area_ids = np.repeat(np.array(ids), n_days)
    days = np.tile(np.array(result.days, dtype="datetime64[D]"), n_areas).astype(date)
    level = result.level.ravel().tolist()
    rate = _nullable(result.rate)
    cover = _nullable(result.coverage)
    rows = zip(
        area_ids.tolist(),
        days.tolist(),
        level,
        level,
        [version_id] * len(level),
        result.reason.ravel().tolist(),
        np.nan_to_num(result.value.astype(np.float64), nan=0.0).ravel().tolist(),
        result.cases.ravel().tolist(),
        rate,
        cover,
        result.treatment_ok.ravel().tolist(),
        result.floored.ravel().tolist(),
        np.repeat(result.is_parent, n_days).tolist(),
        strict=True,
    )
    table = AreaLevel._meta.db_table
    sql = (
        f"INSERT INTO {table} ({', '.join(LEVEL_COLUMNS)}) "  # noqa: S608 (fixed names)
        f"VALUES ({', '.join(['%s'] * len(LEVEL_COLUMNS))})"
    )
    batch = list(rows)
    with connection.cursor() as cursor:
        cursor.executemany(sql, batch)
    return len(batch)


def _nullable(values: np.ndarray) -> list[float | None]:
    """Floats for SQL, NaN as NULL."""
    return [None if v != v else v for v in values.astype(np.float64).ravel().tolist()]


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
