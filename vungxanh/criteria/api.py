"""API of criteria sets, assessments and announcements (/api/v1/criteria/…)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from ninja import Field, File, Router, Schema, Status
from ninja.errors import HttpError
from ninja.files import UploadedFile
from ninja.pagination import paginate

from vungxanh.accounts.models import User
from vungxanh.areas.api import PageOf200
from vungxanh.areas.models import Organization, under
from vungxanh.areas.queries import get_area

from . import actions, files, queries, rules
from .models import AnnouncedUnit, Announcement, Assessment, CriteriaSet, CriteriaSetVersion

router = Router(tags=["criteria and announcements"])


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


def _refused(exc: actions.CriteriaRefused) -> HttpError:
    if exc.field in ("unit", "area"):
        return HttpError(404, exc.message)
    return HttpError(409 if exc.field == "status" else 400, f"{exc.field}: {exc.message}")


# Sets ------------------------------------------------------------------------------------------


class SetRow(Schema):
    code: str
    name: str
    target: str
    local_example: bool
    current_version: int | None
    latest_version: int | None
    latest_status: str | None


class VersionOut(Schema):
    code: str
    name: str
    version: int
    status: str
    decision: str
    decision_date: date
    effective_from: date
    provenance: str
    incomplete: list[str]
    publish_errors: list[str]
    definition: dict[str, Any]


def _version_out(version: CriteriaSetVersion) -> dict[str, Any]:
    return {
        "code": version.criteria_set.code,
        "name": version.criteria_set.name,
        "version": version.version,
        "status": version.status,
        "decision": version.decision,
        "decision_date": version.decision_date,
        "effective_from": version.effective_from,
        "provenance": version.provenance,
        "incomplete": version.parsed.incomplete,
        "publish_errors": version.parsed.publish_errors(),
        "definition": version.definition,
    }


@router.get("/sets", response=list[SetRow], auth=None)
def list_sets(request: HttpRequest) -> list[dict[str, Any]]:
    """Every criteria set with its version in force (latest published) and its latest version."""
    rows = []
    for cset in CriteriaSet.objects.prefetch_related("versions"):
        versions = sorted(cset.versions.all(), key=lambda v: -v.version)
        published = [v for v in versions if v.is_published]
        rows.append(
            {
                "code": cset.code,
                "name": cset.name,
                "target": cset.target,
                "local_example": cset.local_example,
                "current_version": published[0].version if published else None,
                "latest_version": versions[0].version if versions else None,
                "latest_status": versions[0].status if versions else None,
            }
        )
    return rows


@router.get("/sets/{code}", response=VersionOut, auth=None)
def get_set(request: HttpRequest, code: str, version: int | None = None) -> dict[str, Any]:
    """A set's definition: the given version, else the one in force, else the latest draft."""
    return _version_out(queries.get_version(code, version))


class ScoreIn(Schema):
    answers: dict[str, Any] = Field(..., description="criterion number → value")
    version: int | None = Field(None, description="default: the version in force, else latest")


class CriterionScore(Schema):
    number: str
    points: float
    passed: bool | None = Field(..., description="pass/fail criteria only")


class ScoreOut(Schema):
    version: int
    points: float
    max_points: float
    percent: float
    passed: int = Field(..., description="pass/fail criteria passed")
    rating: str
    safe: bool
    must_pass_failed: list[str]
    unanswered: list[str]
    complete: bool = Field(..., description="false while the set has criteria to complete")
    criteria: list[CriterionScore]


@router.post("/sets/{code}/score", response=ScoreOut, auth=None)
def score(request: HttpRequest, code: str, body: ScoreIn) -> dict[str, Any]:
    """Score answers against a set and store nothing: the live score of the assessment form.
    Values: pass/fail true|false; a choice's option key; a number; points on a scale."""
    version = queries.get_version(code, body.version)
    try:
        result = rules.score(version.parsed, body.answers)
    except rules.AnswerError as exc:
        raise HttpError(400, str(exc)) from exc
    return {"version": version.version, **result.as_dict()}


class DraftIn(Schema):
    definition: dict[str, Any]
    decision: str = Field(..., min_length=2, max_length=100)
    decision_date: date
    effective_from: date
    provenance: str = ""


@router.post("/sets/{code}/versions", response={201: VersionOut})
def draft_version(request: HttpRequest, code: str, body: DraftIn) -> Status[dict[str, Any]]:
    """A new draft version (published versions never change)."""
    cset = get_object_or_404(CriteriaSet, code=code)
    try:
        version = actions.do_draft_version(_user(request), cset, **body.model_dump())
    except actions.CriteriaRefused as exc:
        raise _refused(exc) from exc
    return Status(201, _version_out(version))


@router.post("/sets/{code}/versions/{number}/publish", response=VersionOut)
def publish_version(request: HttpRequest, code: str, number: int) -> dict[str, Any]:
    version = queries.get_version(code, number)
    try:
        actions.do_publish_version(_user(request), version)
    except actions.CriteriaRefused as exc:
        raise _refused(exc) from exc
    return _version_out(version)


# Assessments -----------------------------------------------------------------------------------


class AssessmentRow(Schema):
    id: int
    set_code: str
    version: int
    unit: str
    area_code: str | None
    organization_code: str | None
    assessed_on: date
    status: str
    points: float
    max_points: float
    percent: float
    passed: int
    rating: str
    safe: bool
    valid_until: date | None


class AssessmentOut(AssessmentRow):
    answers: dict[str, Any]
    auto_answers: dict[str, Any]
    review_note: str
    corrections: list[dict[str, Any]]
    evidence: list[dict[str, Any]]


def _row(a: Assessment) -> dict[str, Any]:
    return {
        "id": a.pk,
        "set_code": a.version.criteria_set.code,
        "version": a.version.version,
        "unit": a.unit_name,
        "area_code": a.area.code if a.area else None,
        "organization_code": a.organization.code if a.organization else None,
        "assessed_on": a.assessed_on,
        "status": a.status,
        "points": a.points,
        "max_points": a.max_points,
        "percent": a.percent,
        "passed": a.passed,
        "rating": a.rating,
        "safe": a.safe,
        "valid_until": a.valid_until,
    }


def _full(a: Assessment) -> dict[str, Any]:
    return _row(a) | {
        "answers": a.answers,
        "auto_answers": a.auto_answers,
        "review_note": a.review_note,
        "corrections": a.corrections,
        "evidence": [
            {"id": e.pk, "criterion": e.criterion, "name": e.name, "size": e.size}
            for e in a.evidence.all()
        ],
    }


@router.get("/assessments", response=list[AssessmentRow])
@paginate(PageOf200)
def list_assessments(
    request: HttpRequest, area: str | None = None, status: str | None = None
) -> list[dict[str, Any]]:
    """Assessments in the user's scope: a unit sees its own, the commune those in its area."""
    rows = queries.assessments_for(_user(request))
    if area:
        rows = rows.filter(under(get_area(area).path, "area_path"))
    if status:
        rows = rows.filter(status=status)
    return [_row(a) for a in rows]


class StartIn(Schema):
    set_code: str
    area_code: str | None = None
    organization_code: str | None = None
    assessed_on: date | None = None
    answers: dict[str, Any] = {}


@router.post("/assessments", response={201: AssessmentOut})
def start_assessment(request: HttpRequest, body: StartIn) -> Status[dict[str, Any]]:
    """Start a unit's self-assessment (a draft), optionally with its first answers."""
    user = _user(request)
    cset = get_object_or_404(CriteriaSet, code=body.set_code)
    area = get_area(body.area_code) if body.area_code else None
    org = None
    if body.organization_code:
        org = (
            Organization.objects.select_related("area").filter(code=body.organization_code).first()
        )
        if org is None:
            raise Http404
    try:
        assessment = actions.do_start_assessment(
            user, cset, area=area, organization=org, assessed_on=body.assessed_on
        )
        if body.answers:
            actions.do_save_answers(user, assessment, body.answers)
    except actions.CriteriaRefused as exc:
        raise _refused(exc) from exc
    return Status(201, _full(assessment))


@router.get("/assessments/{assessment_id}", response=AssessmentOut)
def get_assessment(request: HttpRequest, assessment_id: int) -> dict[str, Any]:
    return _full(queries.get_assessment_for_user(_user(request), assessment_id))


class AnswersIn(Schema):
    answers: dict[str, Any]


@router.put("/assessments/{assessment_id}/answers", response=AssessmentOut)
def save_answers(request: HttpRequest, assessment_id: int, body: AnswersIn) -> dict[str, Any]:
    user = _user(request)
    assessment = queries.get_assessment_for_user(user, assessment_id)
    try:
        actions.do_save_answers(user, assessment, body.answers)
    except actions.CriteriaRefused as exc:
        raise _refused(exc) from exc
    return _full(assessment)


@router.post("/assessments/{assessment_id}/submit", response=AssessmentOut)
def submit(request: HttpRequest, assessment_id: int) -> dict[str, Any]:
    user = _user(request)
    assessment = queries.get_assessment_for_user(user, assessment_id)
    try:
        actions.do_submit_assessment(user, assessment)
    except actions.CriteriaRefused as exc:
        raise _refused(exc) from exc
    return _full(assessment)


class CorrectionIn(Schema):
    criterion: str
    value: Any
    reason: str


class VerifyIn(Schema):
    note: str = ""
    corrections: list[CorrectionIn] = []


@router.post("/assessments/{assessment_id}/verify", response=AssessmentOut)
def verify(request: HttpRequest, assessment_id: int, body: VerifyIn) -> dict[str, Any]:
    """Verify a submitted assessment, correcting answers with a reason each."""
    user = _user(request)
    assessment = queries.get_assessment_for_user(user, assessment_id)
    fixes = [actions.Correction(c.criterion, c.value, c.reason) for c in body.corrections]
    try:
        actions.do_verify_assessment(user, assessment, note=body.note, corrections=fixes)
    except actions.CriteriaRefused as exc:
        raise _refused(exc) from exc
    return _full(assessment)


class ReturnIn(Schema):
    reason: str


@router.post("/assessments/{assessment_id}/return", response=AssessmentOut)
def return_assessment(request: HttpRequest, assessment_id: int, body: ReturnIn) -> dict[str, Any]:
    user = _user(request)
    assessment = queries.get_assessment_for_user(user, assessment_id)
    try:
        actions.do_return_assessment(user, assessment, body.reason)
    except actions.CriteriaRefused as exc:
        raise _refused(exc) from exc
    return _full(assessment)


@router.post("/assessments/{assessment_id}/evidence", response={201: dict[str, Any]})
def add_evidence(
    request: HttpRequest, assessment_id: int, file: File[UploadedFile], criterion: str = ""
) -> Status[dict[str, Any]]:
    """Attach a photo (JPEG, PNG) or a PDF of at most 5 MB."""
    user = _user(request)
    assessment = queries.get_assessment_for_user(user, assessment_id)
    try:
        evidence = actions.do_add_evidence(user, assessment, file, criterion)
    except actions.CriteriaRefused as exc:
        raise _refused(exc) from exc
    return Status(201, {"id": evidence.pk, "name": evidence.name, "size": evidence.size})


# Announcements ---------------------------------------------------------------------------------


class AnnouncedOut(Schema):
    area_code: str
    name: str
    commune: str
    commune_code: str
    flagged: bool
    flagged_on: date | None = Field(..., description="the day of the case that flagged it")
    flag_reason: str


class AnnouncementOut(Schema):
    id: int
    number: str
    signed_on: date
    signer: str
    issuer: str
    valid_from: date
    valid_until: date
    status: str
    units: list[AnnouncedOut]


def _announcement(a: Announcement) -> dict[str, Any]:
    return {
        "id": a.pk,
        "number": a.number,
        "signed_on": a.signed_on,
        "signer": a.signer,
        "issuer": a.issuer,
        "valid_from": a.valid_from,
        "valid_until": a.valid_until,
        "status": a.status,
        "units": [
            {
                "area_code": u.area.code,
                "name": u.area.name,
                "commune": u.area.parent.name if u.area.parent else "",
                "commune_code": u.area.parent.code if u.area.parent else "",
                "flagged": u.flagged_at is not None,
                "flagged_on": u.flag_case.date if u.flagged_at and u.flag_case else None,
                "flag_reason": u.flag_reason if u.flagged_at else "",
            }
            for u in a.units.all()
        ],
    }


@router.get("/announcements", response=list[AnnouncementOut], auth=None)
def list_announcements(request: HttpRequest, area: str | None = None) -> list[dict[str, Any]]:
    """Public: announcements of safe villages and residential groups, latest first."""
    rows = Announcement.objects.prefetch_related(
        Prefetch(
            "units",
            queryset=AnnouncedUnit.objects.select_related("area", "area__parent", "flag_case"),
        )
    )
    if area:
        rows = rows.filter(under(get_area(area).path, "area_path"))
    return [_announcement(a) for a in rows]


class AnnounceIn(Schema):
    area_code: str
    number: str = Field(..., min_length=2, max_length=100)
    signed_on: date
    signer: str = Field(..., min_length=2)
    issuer: str = Field(..., min_length=2)
    valid_from: date
    valid_until: date
    assessment_ids: list[int]


@router.post("/announcements", response={201: AnnouncementOut})
def announce(request: HttpRequest, body: AnnounceIn) -> Status[dict[str, Any]]:
    """Announce the villages of verified safe assessments as safe, by a decision."""
    user = _user(request)
    area = get_area(body.area_code)
    chosen = list(
        queries.assessments_for(user).filter(pk__in=body.assessment_ids).select_related("area")
    )
    if len(chosen) != len(set(body.assessment_ids)):
        raise HttpError(404, "assessment_ids: not found")
    data = body.model_dump(exclude={"area_code", "assessment_ids"})
    try:
        announcement = actions.do_announce(user, area, assessments=chosen, **data)
    except actions.CriteriaRefused as exc:
        raise _refused(exc) from exc
    return Status(201, _announcement(announcement))


# Files -----------------------------------------------------------------------------------------


def _download(body: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@router.get("/sets/{code}/export.xlsx", auth=None)
def export_xlsx(request: HttpRequest, code: str, version: int | None = None) -> HttpResponse:
    """A version as a workbook to read and edit in Excel (sheets described in criteria/files.py);
    default: the version in force, else the latest."""
    found = queries.get_version(code, version)
    name = f"criteria-{code}-v{found.version}.xlsx"
    return _download(files.export_xlsx(found), files.XLSX_TYPE, name)


@router.get("/sets/{code}/export.json", auth=None)
def export_json(request: HttpRequest, code: str, version: int | None = None) -> HttpResponse:
    """A version as JSON, the shape of the shipped sets plus its version number."""
    found = queries.get_version(code, version)
    name = f"criteria-{code}-v{found.version}.json"
    return _download(files.export_json(found), "application/json; charset=utf-8", name)


@router.post("/sets/{code}/import", response={201: VersionOut})
def import_version(
    request: HttpRequest, code: str, file: File[UploadedFile]
) -> Status[dict[str, Any]]:
    """A file as exported (XLSX or JSON) taken whole as a new draft version; a refused file
    lists every problem by sheet, row and field, and nothing is stored."""
    cset = get_object_or_404(CriteriaSet, code=code)
    try:
        version = actions.do_import_version(_user(request), cset, file.read(), file.name or "")
    except actions.CriteriaRefused as exc:
        raise _refused(exc) from exc
    return Status(201, _version_out(version))
