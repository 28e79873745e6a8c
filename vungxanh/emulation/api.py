"""API of emulation campaigns (/api/v1/emulation/…): the campaigns and their standings (public,
like the pages), registrations with pledges, the organizer's acceptance, hand scores and the
frozen phase review."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date, datetime
from typing import Any

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema, Status
from ninja.errors import HttpError
from ninja.pagination import paginate

from vungxanh.accounts.models import User
from vungxanh.accounts.roles import REGISTER_EMULATION
from vungxanh.areas.api import PageOf200, UnitIn
from vungxanh.areas.models import Area
from vungxanh.areas.queries import get_unit_for_user

from . import actions, queries, standings
from .models import (
    REVIEW_STEPS,
    Campaign,
    Cluster,
    Phase,
    PhaseReview,
    Registration,
    ScoringCriterion,
)

router = Router(tags=["emulation"])


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


def _refused(exc: actions.EmulationRefused) -> HttpError:
    if exc.field in ("campaign", "area"):
        return HttpError(404, exc.message)
    status = 409 if exc.conflict or exc.field in ("status", "phase") else 400
    return HttpError(status, f"{exc.field}: {exc.message}")


def _campaign(code: str) -> Campaign:
    return get_object_or_404(Campaign.objects.select_related("area"), code=code)


# Campaigns -------------------------------------------------------------------------------------


class CampaignRow(Schema):
    code: str
    name: str
    plan_number: str
    plan_date: date
    plan_issuer: str
    area_code: str = Field(..., alias="area.code")
    area_name: str = Field(..., alias="area.name")
    goal: str
    target_date: date | None
    registration_deadline: date | None


class PhaseOut(Schema):
    id: int
    number: int
    name: str
    starts_on: date
    ends_on: date
    review_on: date
    dossier_deadline: date | None
    reviewed: bool

    @staticmethod
    def resolve_reviewed(phase: Phase) -> bool:
        return PhaseReview.objects.filter(phase=phase).exists()


class ClusterOut(Schema):
    id: int
    name: str
    description: str


class CriterionOut(Schema):
    code: str
    label: str
    metric: str = Field(..., description="a metric the product computes; empty: scored by hand")
    weight: float
    better: str
    manual: bool


class CampaignOut(CampaignRow):
    participant_kinds: list[str]
    review_chain: list[str]
    phases: list[PhaseOut]
    clusters: list[ClusterOut]
    criteria: list[CriterionOut]

    @staticmethod
    def resolve_phases(campaign: Campaign) -> list[Phase]:
        return list(campaign.phases.all())

    @staticmethod
    def resolve_clusters(campaign: Campaign) -> list[Cluster]:
        return list(campaign.clusters.all())

    @staticmethod
    def resolve_criteria(campaign: Campaign) -> list[ScoringCriterion]:
        return list(campaign.criteria.all())


@router.get("/campaigns/", response=list[CampaignRow], auth=None)
@paginate(PageOf200)
def campaign_list(request: HttpRequest) -> Any:
    """Public: every campaign, latest plan first."""
    return queries.campaigns()


@router.get("/campaigns/{code}", response=CampaignOut, auth=None)
def campaign_detail(request: HttpRequest, code: str) -> Any:
    """Public: a campaign with its phases, clusters and scoring criteria."""
    return _campaign(code)


class PhaseIn(Schema):
    name: str = Field(..., min_length=1, max_length=200)
    starts_on: date
    ends_on: date
    review_on: date
    dossier_deadline: date | None = None


class CriterionIn(Schema):
    code: str = Field(..., pattern=r"^[-a-z0-9_]{1,40}$")
    label: str = Field(..., min_length=1, max_length=300)
    weight: float = Field(..., gt=0)
    metric: str = Field("", description="a period metric of the product; empty: scored by hand")


class CampaignIn(Schema):
    code: str = Field(..., pattern=r"^[-a-z0-9_]{1,60}$")
    name: str = Field(..., min_length=1, max_length=300)
    area_code: str
    plan_number: str = Field(..., min_length=1, max_length=100)
    plan_date: date
    plan_issuer: str = Field(..., min_length=1, max_length=300)
    phases: list[PhaseIn] = Field(..., min_length=1)
    criteria: list[CriterionIn] = Field(..., min_length=1)
    clusters: list[str] = []
    participant_kinds: list[str] = ["commune"]
    goal: str = ""
    target_date: date | None = None
    registration_deadline: date | None = None
    review_chain: list[str] = Field(
        list(REVIEW_STEPS),
        description="the steps a dossier takes at the granting level, in order",
    )


@router.post("/campaigns/", response={201: CampaignOut})
def campaign_create(request: HttpRequest, body: CampaignIn) -> Status[Any]:
    """Launch a campaign over an area within the caller's scope (the emulation office)."""
    area = get_object_or_404(Area, code=body.area_code)
    try:
        made = actions.do_create_campaign(
            _user(request),
            area,
            code=body.code,
            name=body.name,
            plan_number=body.plan_number,
            plan_date=body.plan_date,
            plan_issuer=body.plan_issuer,
            phases=[actions.PhaseSpec(**p.dict()) for p in body.phases],
            criteria=[actions.CriterionSpec(**c.dict()) for c in body.criteria],
            clusters=body.clusters,
            participant_kinds=body.participant_kinds,
            goal=body.goal,
            target_date=body.target_date,
            registration_deadline=body.registration_deadline,
            review_chain=body.review_chain,
        )
    except actions.EmulationRefused as exc:
        raise _refused(exc) from exc
    return Status(201, made)


# Standings -------------------------------------------------------------------------------------


class LineOut(Schema):
    code: str
    label: str
    value: float | None
    points: float
    weight: float
    note: str


class StandingOut(Schema):
    registration: int
    unit: str
    unit_code: str
    cluster: str
    total: float
    rank: int
    lines: list[LineOut]


class StandingsOut(Schema):
    campaign: str
    phase: int
    phase_id: int
    as_of: date
    frozen: bool = Field(..., description="true: the phase review's record, which never changes")
    reviewed_at: datetime | None
    rows: list[StandingOut]


def _rows(rows: list[standings.Standing], cluster: str | None = None) -> list[dict[str, Any]]:
    return [asdict(r) for r in rows if cluster is None or r.cluster == cluster]


@router.get("/campaigns/{code}/standings", response=StandingsOut, auth=None)
def campaign_standings(
    request: HttpRequest,
    code: str,
    date: date | None = None,
    phase: int | None = None,
    cluster: int | None = None,
) -> dict[str, Any]:
    """Public, like the standings page: each unit's criteria, points and rank in its cluster.
    Default phase: the one running today; default date: today or the phase's last day. A
    reviewed phase answers its frozen record whatever the date."""
    campaign = _campaign(code)
    shown = queries.shown_standings(campaign, phase, date)
    name = get_object_or_404(Cluster, pk=cluster, campaign=campaign).name if cluster else None
    return {
        "campaign": campaign.code,
        "phase": shown.phase.number,
        "phase_id": shown.phase.pk,
        "as_of": shown.day,
        "frozen": shown.review is not None,
        "reviewed_at": shown.review.reviewed_at if shown.review else None,
        "rows": _rows(shown.rows, name),
    }


# Registrations ---------------------------------------------------------------------------------


class RegistrationOut(Schema):
    id: int
    campaign: str = Field(..., alias="campaign.code")
    unit: str = Field(..., alias="unit_name")
    area_code: str | None
    organization_code: str | None
    cluster: str | None
    pledges: list[str]
    status: str
    registered_on: date
    late: bool
    note: str

    @staticmethod
    def resolve_area_code(reg: Registration) -> str | None:
        return reg.area.code if reg.area else None

    @staticmethod
    def resolve_organization_code(reg: Registration) -> str | None:
        return reg.organization.code if reg.organization else None

    @staticmethod
    def resolve_cluster(reg: Registration) -> str | None:
        return reg.cluster.name if reg.cluster else None


@router.get("/campaigns/{code}/registrations", response=list[RegistrationOut])
@paginate(PageOf200)
def registration_list(request: HttpRequest, code: str, status: str | None = None) -> Any:
    """Registrations in the user's scope: a unit sees its own, the organizer all of them."""
    rows = queries.registrations_for(_user(request), _campaign(code)).select_related("campaign")
    return rows.filter(status=status) if status else rows


class RegisterIn(UnitIn):
    pledges: list[str] = Field(..., min_length=1, description="targets the unit commits to")


@router.post("/campaigns/{code}/registrations", response={201: RegistrationOut})
def register(request: HttpRequest, code: str, body: RegisterIn) -> Status[Any]:
    """A unit (an area's committee or an organization) registers with its pledges; after the
    deadline it is marked late for the organizer to decide."""
    user = _user(request)
    campaign = _campaign(code)
    area, org = get_unit_for_user(
        user,
        REGISTER_EMULATION,
        area_code=body.area_code,
        organization_code=body.organization_code,
    )
    try:
        registration = actions.do_register(
            user, campaign, area=area, organization=org, pledges=body.pledges
        )
    except actions.EmulationRefused as exc:
        raise _refused(exc) from exc
    return Status(201, registration)


class DecisionIn(Schema):
    accept: bool
    cluster_id: int | None = None
    note: str = ""


@router.post("/registrations/{registration_id}/decision", response=RegistrationOut)
def decide_registration(request: HttpRequest, registration_id: int, body: DecisionIn) -> Any:
    """The organizer accepts a registration (into a cluster) or refuses it."""
    user = _user(request)
    registration = queries.get_registration_for_user(user, registration_id)
    cluster = None
    if body.cluster_id is not None:
        cluster = get_object_or_404(
            Cluster, pk=body.cluster_id, campaign_id=registration.campaign_id
        )
    try:
        actions.do_decide_registration(
            user, registration, accept=body.accept, cluster=cluster, note=body.note
        )
    except actions.EmulationRefused as exc:
        raise _refused(exc) from exc
    return registration


# Hand scores and reviews -----------------------------------------------------------------------


class ScoreIn(Schema):
    registration_id: int
    criterion: str = Field(..., description="code of a criterion scored by hand")
    phase: int = Field(..., description="the phase's number")
    points: float
    note: str


class ScoreOut(Schema):
    registration_id: int
    criterion: str = Field(..., alias="criterion.code")
    phase: int = Field(..., alias="phase.number")
    points: float
    note: str


@router.post("/campaigns/{code}/scores", response={201: ScoreOut})
def score_by_hand(request: HttpRequest, code: str, body: ScoreIn) -> Status[Any]:
    """The organizer's points (0 to the criterion's weight) with a note saying what for."""
    user = _user(request)
    campaign = _campaign(code)
    registration = queries.get_registration_for_user(user, body.registration_id, campaign)
    criterion = get_object_or_404(ScoringCriterion, campaign=campaign, code=body.criterion)
    phase = get_object_or_404(Phase, campaign=campaign, number=body.phase)
    try:
        score = actions.do_score_by_hand(
            user, registration, criterion, phase, body.points, body.note
        )
    except actions.EmulationRefused as exc:
        raise _refused(exc) from exc
    return Status(201, score)


class ReviewIn(Schema):
    as_of: date | None = Field(None, description="default: the phase's review date")


class ReviewOut(Schema):
    campaign: str = Field(..., alias="phase.campaign.code")
    phase: int = Field(..., alias="phase.number")
    phase_id: int
    as_of: date
    reviewed_at: datetime
    rows: list[StandingOut] = Field(..., alias="standings")


@router.post("/phases/{phase_id}/review", response={201: ReviewOut})
def review_phase(request: HttpRequest, phase_id: int, body: ReviewIn) -> Status[Any]:
    """Freeze the phase's standings: a record that later data cannot change."""
    phase = get_object_or_404(Phase.objects.select_related("campaign"), pk=phase_id)
    try:
        review = actions.do_review_phase(_user(request), phase, body.as_of)
    except actions.EmulationRefused as exc:
        raise _refused(exc) from exc
    return Status(201, review)


@router.get("/phases/{phase_id}/review", response=ReviewOut, auth=None)
def phase_review(request: HttpRequest, phase_id: int) -> Any:
    """Public: the frozen standings of a reviewed phase; 404 while it is not reviewed."""
    return get_object_or_404(
        PhaseReview.objects.select_related("phase", "phase__campaign"), phase_id=phase_id
    )
