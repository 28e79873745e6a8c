from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Field, File, Router, Schema, Status
from ninja.errors import HttpError
from ninja.files import UploadedFile
from ninja.pagination import paginate

from vungxanh.accounts.models import User
from vungxanh.accounts.roles import KEEP_REGISTER, MANAGE_TEAMS
from vungxanh.accounts.throttle import client_ip
from vungxanh.areas.api import PageOf200
from vungxanh.areas.queries import get_area, get_area_for_user

from . import actions, exports, queries
from .models import MonitoringRule, RegisterEntry, Team

router = Router(tags=["teams and register"])


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


def _refused(exc: actions.TeamRefused) -> HttpError:
    if exc.field == "area":
        return HttpError(404, exc.message)
    status = 409 if exc.field in ("id_number", "status", "escalation") else 400
    return HttpError(status, f"{exc.field}: {exc.message}")


class EntryRow(Schema):
    id: int
    full_name: str = Field(..., alias="person.full_name")
    id_number: str = Field(..., alias="person.masked_id")
    phone: str = Field(..., alias="person.masked_phone")
    village_code: str = Field(..., alias="village.code")
    category: str
    start_date: date
    end_date: date
    status: str
    escalation: str
    outcome: str


class PersonOut(Schema):
    full_name: str
    birth_year: int | None
    sex: str
    id_number: str | None
    phone: str
    address: str


class EntryOut(Schema):
    id: int
    person: PersonOut
    village_code: str = Field(..., alias="village.code")
    category: str
    origin: str
    arrival_date: date | None
    rule: str = Field(..., alias="rule.code")
    start_date: date
    end_date: date
    status: str
    escalation: str
    outcome: str
    closed_on: date | None


@router.get("/register/", response=list[EntryRow])
@paginate(PageOf200)
def register_list(request: HttpRequest, area: str, status: str = "open") -> Any:
    """People under monitoring in an area, ID numbers and phones masked."""
    entries = queries.entries_under(_user(request), get_area(area)).select_related(
        "person", "village"
    )
    return entries.filter(status=status) if status in RegisterEntry.Status.values else entries


@router.get("/register/dashboard")
def register_dashboard(request: HttpRequest, area: str) -> dict[str, Any]:
    """Counts only: open entries by category, ending this week, late checks, escalations."""
    return queries.dashboard(_user(request), get_area(area))


@router.get("/register/export")
def register_export(
    request: HttpRequest, area: str, purpose: str = "", format: str = "xlsx"
) -> HttpResponse:
    """Personal data out, as XLSX or CSV: refused without a stated purpose; logged."""
    try:
        export = exports.export_register(
            _user(request),
            get_area(area),
            purpose=purpose,
            fmt=format,
            ip=client_ip(request.META),
        )
    except exports.ExportRefused as exc:
        raise HttpError(400, f"{exc.field}: {exc.message}") from exc
    response = HttpResponse(export.body, content_type=export.content_type)
    response["Content-Disposition"] = f'attachment; filename="{export.filename}"'
    return response


@router.post("/register/import", response={201: dict[str, int]})
def import_register(
    request: HttpRequest,
    file: UploadedFile = File(...),  # noqa: B008
) -> Status[dict[str, int]]:
    entries = actions.do_import_register(_user(request), file.read(), file.name or "")
    return Status(201, {"created": len(entries)})


@router.get("/register/{entry_id}", response=EntryOut)
def register_detail(request: HttpRequest, entry_id: int, purpose: str = "") -> Any:
    """One person's full record; 404 out of scope; every opening is logged (with the purpose)."""
    return queries.get_entry_for_user(
        _user(request), entry_id, purpose=purpose, ip=client_ip(request.META)
    )


class PersonIn(Schema):
    full_name: str = Field(..., min_length=2, max_length=200)
    birth_year: int | None = Field(None, ge=1900, le=2030)
    sex: str = Field("", pattern="^(m|f|)$")
    id_number: str = ""
    phone: str = ""
    address: str = ""


class RegisterIn(Schema):
    village_code: str
    person: PersonIn
    category: str
    start_date: date
    origin: str = ""
    arrival_date: date | None = None
    rule_code: str | None = None


@router.post("/register/", response={201: EntryOut})
def register_person(request: HttpRequest, body: RegisterIn) -> Status[Any]:
    user = _user(request)
    village = get_area_for_user(user, body.village_code, KEEP_REGISTER)
    rule = MonitoringRule.objects.filter(code=body.rule_code).first() if body.rule_code else None
    if body.rule_code and rule is None:
        raise HttpError(400, "rule_code: unknown rule")
    try:
        entry = actions.do_register(
            user,
            village,
            actions.PersonSpec(**body.person.model_dump()),
            category=body.category,
            start_date=body.start_date,
            origin=body.origin,
            arrival_date=body.arrival_date,
            rule=rule,
        )
    except actions.TeamRefused as exc:
        raise _refused(exc) from exc
    return Status(201, entry)


class CheckIn(Schema):
    date: date
    temperature: Decimal | None = Field(None, ge=30, le=45)
    symptoms: str = ""
    at_home: bool = True
    test_result: str = Field("", pattern="^(|negative|positive)$")


class CheckOut(Schema):
    date: date
    has_problem: bool
    escalation: str
    status: str


def _entry(request: HttpRequest, entry_id: int) -> RegisterEntry:
    from vungxanh.accounts.scope import get_visible_or_404

    return get_visible_or_404(
        RegisterEntry.objects.select_related("village"), _user(request), pk=entry_id
    )


@router.post("/register/{entry_id}/checks", response={201: CheckOut})
def record_check(request: HttpRequest, entry_id: int, body: CheckIn) -> Status[CheckOut]:
    """The day's check; a problem refers the person, a positive test makes a case record."""
    entry = _entry(request, entry_id)
    try:
        check = actions.do_record_check(
            _user(request), entry, actions.CheckSpec(**body.model_dump())
        )
    except actions.TeamRefused as exc:
        raise _refused(exc) from exc
    entry.refresh_from_db()
    return Status(
        201,
        CheckOut(
            date=check.date,
            has_problem=check.has_problem,
            escalation=entry.escalation,
            status=entry.status,
        ),
    )


class StepIn(Schema):
    to: str


@router.post("/register/{entry_id}/escalate", response=CheckOut)
def escalate(request: HttpRequest, entry_id: int, body: StepIn) -> CheckOut:
    entry = _entry(request, entry_id)
    try:
        actions.do_escalate(_user(request), entry, body.to)
    except actions.TeamRefused as exc:
        raise _refused(exc) from exc
    return CheckOut(
        date=date.today(), has_problem=False, escalation=entry.escalation, status=entry.status
    )


class CloseIn(Schema):
    outcome: str
    on: date | None = None


@router.post("/register/{entry_id}/close", response={204: None})
def close(request: HttpRequest, entry_id: int, body: CloseIn) -> Status[None]:
    try:
        actions.do_close_entry(_user(request), _entry(request, entry_id), body.outcome, body.on)
    except actions.TeamRefused as exc:
        raise _refused(exc) from exc
    return Status(204, None)


class TransferIn(Schema):
    village_code: str


@router.post("/register/{entry_id}/transfer", response=EntryOut)
def transfer(request: HttpRequest, entry_id: int, body: TransferIn) -> Any:
    """The receiving village takes over a person already followed elsewhere (found, not copied):
    the keeper of the receiving village may ask, knowing the entry number from the refusal."""
    user = _user(request)
    village = get_area_for_user(user, body.village_code, KEEP_REGISTER)
    entry = (
        RegisterEntry.objects.select_related("person", "village", "rule")
        .filter(pk=entry_id)
        .first()
    )
    if entry is None:
        raise HttpError(404, "")
    try:
        return actions.do_transfer_entry(user, entry, village)
    except actions.TeamRefused as exc:
        raise _refused(exc) from exc


class MemberIn(Schema):
    full_name: str = Field(..., min_length=2)
    role: str
    phone: str = ""


class TeamIn(Schema):
    village_code: str
    name: str = Field(..., min_length=2)
    founded_on: date
    decision_number: str = ""
    members: list[MemberIn] = []


class TeamOut(Schema):
    id: int
    village_code: str = Field(..., alias="village.code")
    name: str
    founded_on: date
    decision_number: str
    status: str
    members: int

    @staticmethod
    def resolve_members(team: Any) -> int:
        return int(getattr(team, "n_members", None) or team.members.filter(active=True).count())


@router.get("/teams/", response=list[TeamOut])
@paginate(PageOf200)
def team_list(request: HttpRequest, area: str) -> Any:
    from django.db.models import Count, Q

    from vungxanh.accounts.scope import scope_for
    from vungxanh.areas.models import under

    root = get_area(area)
    scope = scope_for(request.user)
    return (
        Team.objects.filter(scope.q(area_path="area_path"), under(root.path, "area_path"))
        .select_related("village")
        .annotate(n_members=Count("members", filter=Q(members__active=True)))
    )


@router.post("/teams/", response={201: TeamOut})
def found_team(request: HttpRequest, body: TeamIn) -> Status[Any]:
    user = _user(request)
    village = get_area_for_user(user, body.village_code, MANAGE_TEAMS)
    members = [actions.MemberSpec(m.full_name, m.role, m.phone) for m in body.members]
    try:
        team = actions.do_found_team(
            user,
            village,
            name=body.name,
            founded_on=body.founded_on,
            decision_number=body.decision_number,
            members=members,
        )
    except actions.TeamRefused as exc:
        raise _refused(exc) from exc
    return Status(201, team)


@router.post("/teams/{team_id}/members", response={201: dict[str, Any]})
def add_member(request: HttpRequest, team_id: int, body: MemberIn) -> Status[dict[str, Any]]:
    user = _user(request)
    team = queries.get_team_for_user(user, team_id, MANAGE_TEAMS)
    try:
        member = actions.do_add_member(user, team, actions.MemberSpec(**body.model_dump()))
    except actions.TeamRefused as exc:
        raise _refused(exc) from exc
    return Status(201, {"id": member.pk, "full_name": member.full_name, "role": member.role})


@router.get("/teams/coverage")
def coverage(request: HttpRequest, area: str) -> dict[str, Any]:
    """Villages with an active team, per child area, against the founding deadline."""
    root = get_area(area)
    deadline = queries.deadline_for(root)
    return {
        "area_code": root.code,
        "deadline": deadline.deadline if deadline else None,
        "rows": [
            {
                "area_code": r.area.code,
                "name": r.area.name,
                "villages": r.villages,
                "with_team": r.with_team,
                "founded_by_deadline": r.on_time,
                "late": r.late,
                "share": round(r.share, 4),
            }
            for r in queries.team_coverage(root)
        ],
    }


class CommitmentIn(Schema):
    area_code: str
    signer_kind: str = Field(..., pattern="^(household|organization|village)$")
    signer_name: str = Field(..., min_length=2, max_length=200)
    text: str = Field(..., min_length=5)
    signed_on: date
    witness: str = ""


@router.post("/commitments", response={201: dict[str, int]})
def sign_commitment(request: HttpRequest, body: CommitmentIn) -> Status[dict[str, int]]:
    """A household, organization or village signs a commitment (who, what, date, witness)."""
    user = _user(request)
    area = get_area(body.area_code)
    try:
        commitment = actions.do_sign_commitment(
            user, area, **body.model_dump(exclude={"area_code"})
        )
    except actions.TeamRefused as exc:
        raise _refused(exc) from exc
    return Status(201, {"id": commitment.pk})


@router.get("/commitments/counts")
def commitment_counts(request: HttpRequest, area: str) -> dict[str, Any]:
    """Commitments signed under an area, by kind of signer (counts only)."""
    root = get_area(area)
    return {"area_code": root.code, "by_signer": queries.commitment_counts(request.user, root)}
