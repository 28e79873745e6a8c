from __future__ import annotations

from datetime import date
from typing import Any, Literal

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from ninja import Field, File, Router, Schema, Status
from ninja.errors import HttpError
from ninja.files import UploadedFile

from vungxanh.accounts.models import User
from vungxanh.areas.models import TYPES_OF_TIER, Area, under
from vungxanh.areas.queries import get_area

from . import actions, queries
from .models import Override, Ruleset, RulesetVersion
from .rules import RulesetParams

router = Router(tags=["risk"])


class OverrideOut(Schema):
    id: int
    level: int
    date_from: date
    date_to: date | None
    reason: str
    decision_number: str


class LevelOut(Schema):
    area_code: str
    name: str
    level: int | None
    colour: str | None
    computed_level: int | None
    override: OverrideOut | None
    explanation: str


@router.get("/levels", response=list[LevelOut], auth=None)
def levels(
    request: HttpRequest,
    date: date,
    parent: str | None = None,
    tier: Literal["province", "district", "commune"] | None = None,
    explain: bool = True,
) -> HttpResponse:
    """The level of each area on `date`, the computed level beside any override.

    `parent=CODE`: the children of CODE (by name). `tier=commune` (or district, province):
    every area of that tier in the country, or under `parent` when it is given too (by tree
    order). `explain=0` leaves the explanations out (faster for a whole country).
    """
    if parent is None and tier is None:
        raise HttpError(400, _("Give parent, tier or both."))
    areas = Area.objects.filter(type__in=queries.assessed_types())
    if tier is not None:
        areas = areas.filter(type__in=TYPES_OF_TIER[tier]).order_by("path")
        if parent is not None:
            areas = areas.filter(under(get_area(parent).path))
    else:
        areas = areas.filter(parent=get_area(parent or "")).order_by("name")
    rows = queries.levels_for_day(areas, date, with_explanation=explain)
    # Rows are already plain JSON values: skip validating thousands of them through the schema
    # (which stays declared above for the OpenAPI document).
    return JsonResponse(rows, safe=False)


@router.get("/series", auth=None)
def series(request: HttpRequest, area: str) -> dict[str, Any]:
    """Every day's level of every assessed area under `area`, for the map to play."""
    return queries.series(get_area(area))


@router.get("/progress", auth=None)
def progress(request: HttpRequest, area: str) -> dict[str, Any]:
    """Per day, the share of communes (and of their population) in green."""
    return {"area_code": area, "days": queries.progress(get_area(area))}


@router.get("/areas/{code}/history", auth=None)
def history(request: HttpRequest, code: str) -> dict[str, Any]:
    return queries.history(get_area(code))


@router.get("/geometry", auth=None)
def geometry(request: HttpRequest, area: str) -> dict[str, Any]:
    """Boundaries loaded for the communes under `area`, as a GeoJSON FeatureCollection."""
    from vungxanh.areas.models import AreaGeometry, under

    root = get_area(area)
    rows = AreaGeometry.objects.filter(under(root.path, "area__path")).select_related("area")
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"code": g.area.code, "name": g.area.name},
                "geometry": g.geojson,
            }
            for g in rows
        ],
    }


class CaseIn(Schema):
    date: date
    area_code: str
    count: int = Field(1, ge=0)
    setting: str = Field("community", pattern="^(community|quarantine|lockdown)$")
    source_known: bool = True
    high_contact: bool = False
    note: str = ""


class CreatedOut(Schema):
    created: int


@router.post("/cases", response={201: CreatedOut})
def record_cases(request: HttpRequest, body: list[CaseIn]) -> Status[CreatedOut]:
    """Record cases (a line list or daily counts); levels are recomputed at once."""
    assert isinstance(request.user, User)
    areas = {c: get_area(c) for c in {b.area_code for b in body}}
    inputs = [
        actions.CaseInput(
            areas[b.area_code], b.date, b.count, b.setting, b.source_known, b.high_contact, b.note
        )
        for b in body
    ]
    try:
        records = actions.do_record_cases(request.user, inputs, actions.Provenance.API)
    except actions.RiskRefused as exc:
        if exc.field == "area_code":
            raise HttpError(404, exc.message) from exc
        raise HttpError(400, f"{exc.field}: {exc.message}") from exc
    return Status(201, CreatedOut(created=len(records)))


@router.post("/cases/import", response={201: CreatedOut})
def import_cases(request: HttpRequest, file: UploadedFile = File(...)) -> Status[CreatedOut]:  # noqa: B008
    assert isinstance(request.user, User)
    records = actions.do_import_cases(request.user, file.read(), file.name or "")
    return Status(201, CreatedOut(created=len(records)))


class CoverageIn(Schema):
    area_code: str
    date: date
    first_dose_18_pct: float | None = Field(None, ge=0, le=100)
    full_dose_50_pct: float | None = Field(None, ge=0, le=100)
    treatment_ok: bool = True


@router.post("/coverage", response={201: CreatedOut})
def set_coverage(request: HttpRequest, body: list[CoverageIn]) -> Status[CreatedOut]:
    """Vaccine coverage and treatment capacity of areas, each in force from its date."""
    assert isinstance(request.user, User)
    rows = [b.model_dump() for b in body]
    try:
        count = actions.do_set_coverage(request.user, rows, actions.Provenance.API)
    except actions.RiskRefused as exc:
        raise HttpError(404, exc.message) from exc
    return Status(201, CreatedOut(created=count))


@router.post("/coverage/import", response={201: CreatedOut})
def import_coverage(request: HttpRequest, file: UploadedFile = File(...)) -> Status[CreatedOut]:  # noqa: B008
    assert isinstance(request.user, User)
    count = actions.do_import_coverage(request.user, file.read(), file.name or "")
    return Status(201, CreatedOut(created=count))


class OverrideIn(Schema):
    area_code: str
    level: int = Field(..., ge=1, le=4)
    date_from: date
    date_to: date | None = None
    reason: str = Field(..., min_length=3)
    decision_number: str = Field(..., min_length=1)


@router.post("/overrides", response={201: OverrideOut})
def set_override(request: HttpRequest, body: OverrideIn) -> Status[Override]:
    """A health officer sets a level by hand, with reason and decision number."""
    assert isinstance(request.user, User)
    try:
        override = actions.do_set_override(
            request.user,
            get_area(body.area_code),
            level=body.level,
            date_from=body.date_from,
            date_to=body.date_to,
            reason=body.reason,
            decision_number=body.decision_number,
        )
    except actions.RiskRefused as exc:
        if exc.field == "area":
            raise HttpError(404, exc.message) from exc
        raise HttpError(400, f"{exc.field}: {exc.message}") from exc
    return Status(201, override)


@router.post("/overrides/{override_id}/revoke", response={204: None})
def revoke_override(request: HttpRequest, override_id: int) -> Status[None]:
    assert isinstance(request.user, User)
    override = Override.objects.select_related("area").filter(pk=override_id).first()
    if override is None:
        raise HttpError(404, "")
    try:
        actions.do_revoke_override(request.user, override)
    except actions.RiskRefused as exc:
        raise HttpError(404 if exc.field == "area" else 409, exc.message) from exc
    return Status(204, None)


class RulesetVersionIn(Schema):
    params: dict[str, Any]
    effective_from: date
    decision: str = Field(..., min_length=1)
    decision_date: date
    provenance: str = ""


class RulesetVersionOut(Schema):
    version: int
    status: str
    effective_from: date


def _refused(exc: actions.RiskRefused) -> HttpError:
    return HttpError(404 if exc.field == "ruleset" else 400, f"{exc.field}: {exc.message}")


@router.post("/rulesets/{code}/versions", response={201: RulesetVersionOut})
def draft_version(
    request: HttpRequest, code: str, body: RulesetVersionIn
) -> Status[RulesetVersion]:
    """A health officer drafts a new version (thresholds, roll-up…); the published ones stay."""
    assert isinstance(request.user, User)
    ruleset = Ruleset.objects.filter(code=code).first()
    if ruleset is None:
        raise HttpError(404, "")
    try:
        version = actions.do_draft_ruleset_version(request.user, ruleset, **body.model_dump())
    except actions.RiskRefused as exc:
        raise _refused(exc) from exc
    return Status(201, version)


@router.post("/rulesets/{code}/versions/{number}/publish", response=RulesetVersionOut)
def publish_version(request: HttpRequest, code: str, number: int) -> RulesetVersion:
    assert isinstance(request.user, User)
    version = RulesetVersion.objects.filter(ruleset__code=code, version=number).first()
    if version is None:
        raise HttpError(404, "")
    try:
        actions.do_publish_ruleset_version(request.user, version)
    except actions.RiskRefused as exc:
        raise _refused(exc) from exc
    return version


@router.get("/rulesets", auth=None)
def rulesets(request: HttpRequest) -> list[dict[str, Any]]:
    """Every ruleset with its versions, provenance, and the thresholds not confirmed."""
    out = []
    for ruleset in Ruleset.objects.prefetch_related("versions"):
        out.append(
            {
                "code": ruleset.code,
                "name": ruleset.name,
                "versions": [
                    {
                        "version": v.version,
                        "status": v.status,
                        "decision": v.decision,
                        "decision_date": v.decision_date,
                        "effective_from": v.effective_from,
                        "provenance": v.provenance,
                        "params": v.params,
                        "unconfirmed": RulesetParams.model_validate(v.params).unconfirmed(),
                    }
                    for v in ruleset.versions.all()
                ],
            }
        )
    return out
