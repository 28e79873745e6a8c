"""API of awards (/api/v1/awards/…): the award forms (public), dossiers in the user's scope with
their nominees, route and decisions, every step of the workflow through the actions, and the
public register of awards granted in a campaign.

A step acted on by someone else first answers 409: the transitions are guarded updates."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema, Status
from ninja.errors import HttpError
from ninja.pagination import paginate

from vungxanh.accounts.models import User
from vungxanh.accounts.roles import PROPOSE_AWARDS
from vungxanh.areas.api import PageOf200, UnitIn
from vungxanh.areas.models import Area, Organization
from vungxanh.areas.queries import get_area, get_organization_for_user, get_unit_for_user
from vungxanh.emulation.models import Campaign

from . import actions, letters, queries
from .models import AwardForm, Dossier, GrantedAward, Nomination, ReviewStep

router = Router(tags=["awards"])


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


def _refused(exc: actions.AwardRefused) -> HttpError:
    if exc.field in ("dossier", "issuer", "award"):
        return HttpError(404, exc.message)
    if exc.field == "step":
        return HttpError(403, f"{exc.field}: {exc.message}")
    conflict = exc.conflict or exc.field == "status"
    return HttpError(409 if conflict else 400, f"{exc.field}: {exc.message}")


# Forms -----------------------------------------------------------------------------------------


class FormOut(Schema):
    code: str
    name: str
    grantor: str
    grantor_tier: str
    for_collective: bool
    for_individual: bool
    classes: list[str]
    copies: int = Field(..., description="copies of the dossier to send")
    dossier_parts: list[str]
    status: str
    source: str


@router.get("/forms", response=list[FormOut], auth=None)
def form_list(request: HttpRequest) -> Any:
    """Public: the award forms, who grants them and what their dossier holds."""
    return AwardForm.objects.all()


# Dossiers --------------------------------------------------------------------------------------


class DossierRow(Schema):
    id: int
    number: str
    title: str
    status: str
    award_form: str = Field(..., alias="award_form.code")
    campaign: str | None
    phase: int | None
    issuer_name: str
    submitted_on: date | None
    late: bool
    late_accepted: bool
    created_at: datetime

    @staticmethod
    def resolve_campaign(dossier: Dossier) -> str | None:
        return dossier.campaign.code if dossier.campaign else None

    @staticmethod
    def resolve_phase(dossier: Dossier) -> int | None:
        return dossier.phase.number if dossier.phase else None


class NominationOut(Schema):
    id: int
    kind: str
    nominee_name: str
    position: str
    nominee_area_code: str | None
    nominee_org_code: str | None
    summary: str
    evidence: dict[str, Any]
    granted_by: str | None = Field(..., description="number of the decision that granted it")


class StepOut(Schema):
    id: int
    order: int
    kind: str
    title: str
    area_code: str
    organization_code: str | None
    status: str
    acted_by: str | None
    acted_at: datetime | None
    note: str
    yours: bool = Field(..., description="the step to act on, and the caller holds it")


class DecisionOut(Schema):
    id: int
    number: str
    signed_on: date
    signer: str
    area_code: str
    nominees: list[str]


def _nomination(n: Nomination) -> dict[str, Any]:
    granted = getattr(n, "granted", None)
    return {
        "id": n.pk,
        "kind": n.kind,
        "nominee_name": n.nominee_name,
        "position": n.position,
        "nominee_area_code": n.nominee_area.code if n.nominee_area else None,
        "nominee_org_code": n.nominee_org.code if n.nominee_org else None,
        "summary": n.summary,
        "evidence": n.evidence,
        "granted_by": granted.decision.number if granted else None,
    }


def _step(user: Any, s: ReviewStep) -> dict[str, Any]:
    return {
        "id": s.pk,
        "order": s.order,
        "kind": s.kind,
        "title": s.title,
        "area_code": s.area.code,
        "organization_code": s.organization.code if s.organization else None,
        "status": s.status,
        "acted_by": str(s.acted_by) if s.acted_by else None,
        "acted_at": s.acted_at,
        "note": s.note,
        "yours": s.status == ReviewStep.Status.PENDING and actions.holds_step(user, s),
    }


class DossierOut(DossierRow):
    award_form_name: str = Field(..., alias="award_form.name")
    issuer_abbr: str
    issuer_area_code: str | None
    issuer_org_code: str | None
    body: str
    signer_title: str
    signer_name: str
    late_note: str
    return_reason: str
    nominations: list[NominationOut]
    steps: list[StepOut]
    decisions: list[DecisionOut]

    @staticmethod
    def resolve_issuer_area_code(dossier: Dossier) -> str | None:
        return dossier.issuer_area.code if dossier.issuer_area else None

    @staticmethod
    def resolve_issuer_org_code(dossier: Dossier) -> str | None:
        return dossier.issuer_org.code if dossier.issuer_org else None

    @staticmethod
    def resolve_nominations(dossier: Dossier) -> list[dict[str, Any]]:
        rows = dossier.nominations.select_related(
            "nominee_area", "nominee_org", "granted__decision"
        )
        return [_nomination(n) for n in rows]

    @staticmethod
    def resolve_steps(dossier: Dossier, context: dict[str, Any]) -> list[dict[str, Any]]:
        user = context["request"].user
        return [_step(user, s) for s in queries.steps_of(dossier)]

    @staticmethod
    def resolve_decisions(dossier: Dossier) -> list[dict[str, Any]]:
        return [
            {
                "id": d.pk,
                "number": d.number,
                "signed_on": d.signed_on,
                "signer": d.signer,
                "area_code": d.area.code,
                "nominees": [a.nominee_name for a in d.awards.all()],
            }
            for d in dossier.decisions.select_related("area").prefetch_related("awards")
        ]


@router.get("/dossiers/", response=list[DossierRow])
@paginate(PageOf200)
def dossier_list(
    request: HttpRequest, status: str | None = None, campaign: str | None = None
) -> Any:
    """Dossiers in the user's scope: those its units sent, and those that reach its areas."""
    rows = queries.dossiers_for(_user(request))
    if status:
        rows = rows.filter(status=status)
    if campaign:
        rows = rows.filter(campaign__code=campaign)
    return rows


@router.get("/dossiers/{dossier_id}", response=DossierOut)
def dossier_detail(request: HttpRequest, dossier_id: int) -> Dossier:
    """A dossier with its nominees, route and decisions; 404 when missing or out of scope."""
    return queries.get_dossier_for_user(_user(request), dossier_id)


@router.get(
    "/dossiers/{dossier_id}/letter.docx",
    response={200: None},
    openapi_extra={"responses": {200: {"content": {letters.LETTER_TYPES["docx"]: {}}}}},
)
def dossier_letter_docx(request: HttpRequest, dossier_id: int) -> HttpResponse:
    """The submission letter (tờ trình) with its list of nominees, as .docx (Decree 30 layout)."""
    return letters.letter_response(queries.get_dossier_for_user(_user(request), dossier_id), "docx")


@router.get(
    "/dossiers/{dossier_id}/letter.pdf",
    response={200: None},
    openapi_extra={"responses": {200: {"content": {letters.LETTER_TYPES["pdf"]: {}}}}},
)
def dossier_letter_pdf(request: HttpRequest, dossier_id: int) -> HttpResponse:
    """The submission letter as PDF (Noto Serif embedded; Vietnamese diacritics)."""
    return letters.letter_response(queries.get_dossier_for_user(_user(request), dossier_id), "pdf")


class DossierIn(UnitIn):
    award_form: str = Field(..., description="code of the award form proposed")
    issuer_abbr: str = Field(..., min_length=2, max_length=30, description="e.g. UBND, SYT")
    signer_title: str = Field(..., min_length=2, max_length=120)
    signer_name: str = Field(..., min_length=2, max_length=120)
    title: str = Field("", max_length=400, description="default: from the award form")
    body: str = ""
    campaign: str | None = Field(None, description="code of the campaign")
    phase: int | None = Field(None, description="number of the campaign's phase")


@router.post("/dossiers/", response={201: DossierOut})
def create_dossier(request: HttpRequest, body: DossierIn) -> Status[Dossier]:
    """A draft dossier sent by a unit (`area_code` for an area's committee, or
    `organization_code`), for one award form, optionally within a campaign's phase."""
    user = _user(request)
    issuer_area, issuer_org = get_unit_for_user(
        user, PROPOSE_AWARDS, area_code=body.area_code, organization_code=body.organization_code
    )
    form = get_object_or_404(AwardForm, code=body.award_form)
    campaign = get_object_or_404(Campaign, code=body.campaign) if body.campaign else None
    phase = None
    if body.phase is not None:
        if campaign is None:
            raise HttpError(400, "phase: give the campaign too")
        phase = get_object_or_404(campaign.phases, number=body.phase)
    try:
        dossier = actions.do_create_dossier(
            user,
            award_form=form,
            title=body.title.strip() or form.dossier_title,
            signer_title=body.signer_title.strip(),
            signer_name=body.signer_name.strip(),
            issuer_abbr=body.issuer_abbr,
            issuer_area=issuer_area,
            issuer_org=issuer_org,
            campaign=campaign,
            phase=phase,
            body=body.body,
        )
    except actions.AwardRefused as exc:
        raise _refused(exc) from exc
    return Status(201, queries.get_dossier_for_user(user, dossier.pk))


class NominateIn(Schema):
    kind: str = Field(..., pattern="^(collective|individual)$")
    nominee_area_code: str | None = Field(None, description="a collective: the area's unit")
    nominee_org_code: str | None = Field(None, description="a collective: the organization")
    nominee_name: str = Field("", max_length=300, description="default: the unit's name")
    position: str = Field("", max_length=300, description="an individual: position and unit")
    summary: str


def _nominee_unit(user: User, body: NominateIn) -> Area | Organization | None:
    if body.kind != Nomination.Kind.COLLECTIVE:
        return None
    if body.nominee_org_code:
        return get_organization_for_user(user, body.nominee_org_code)
    return get_area(body.nominee_area_code) if body.nominee_area_code else None


@router.post("/dossiers/{dossier_id}/nominations", response={201: NominationOut})
def nominate(request: HttpRequest, dossier_id: int, body: NominateIn) -> Status[dict[str, Any]]:
    """Propose a collective (the issuer or a unit it manages; its place in the phase's
    standings is attached as evidence) or an individual (name and position)."""
    user = _user(request)
    dossier = queries.get_dossier_for_user(user, dossier_id)
    unit = _nominee_unit(user, body)
    try:
        nomination = actions.do_nominate(
            user,
            dossier,
            kind=body.kind,
            nominee_name=body.nominee_name.strip() or (unit.name if unit else ""),
            position=body.position,
            nominee_area=unit if isinstance(unit, Area) else None,
            nominee_org=unit if isinstance(unit, Organization) else None,
            summary=body.summary,
            evidence=queries.nominee_evidence(dossier, unit) if unit else {},
        )
    except actions.AwardRefused as exc:
        raise _refused(exc) from exc
    return Status(201, _nomination(nomination))


@router.post("/dossiers/{dossier_id}/submit", response=DossierOut)
def submit(request: HttpRequest, dossier_id: int) -> Dossier:
    """Send the dossier: numbered in the issuer's register, routed up the managing links; late
    when sent on or after the phase's deadline."""
    user = _user(request)
    dossier = queries.get_dossier_for_user(user, dossier_id)
    try:
        actions.do_submit_dossier(user, dossier)
    except actions.AwardRefused as exc:
        raise _refused(exc) from exc
    return queries.get_dossier_for_user(user, dossier_id)


# Steps and decisions ---------------------------------------------------------------------------


class AcceptIn(Schema):
    note: str = ""
    accept_late: bool = Field(False, description="accept a late dossier; the note says why")


@router.post("/steps/{step_id}/accept", response=DossierOut)
def accept_step(request: HttpRequest, step_id: int, body: AcceptIn) -> Dossier:
    """Accept (forward) the dossier at its current step; 409 when someone acted on it first."""
    user = _user(request)
    step = queries.get_step_for_user(user, step_id)
    try:
        actions.do_accept_step(user, step, body.note, accept_late=body.accept_late)
    except actions.AwardRefused as exc:
        raise _refused(exc) from exc
    return queries.get_dossier_for_user(user, step.dossier_id)


class ReturnIn(Schema):
    reason: str


@router.post("/steps/{step_id}/return", response=DossierOut)
def return_step(request: HttpRequest, step_id: int, body: ReturnIn) -> Dossier:
    """Return the dossier to its issuer with the reasons; 409 when someone acted on it first."""
    user = _user(request)
    step = queries.get_step_for_user(user, step_id)
    try:
        actions.do_return_step(user, step, body.reason)
    except actions.AwardRefused as exc:
        raise _refused(exc) from exc
    return queries.get_dossier_for_user(user, step.dossier_id)


class DecideIn(Schema):
    number: str = Field(..., min_length=2, max_length=60, description="e.g. 1520/QĐ-UBND")
    signed_on: date
    signer: str = Field(..., min_length=2, max_length=200)
    nominations: list[int] = Field(..., min_length=1, description="ids of the nominees granted")


@router.post("/dossiers/{dossier_id}/decision", response={201: DossierOut})
def decide(request: HttpRequest, dossier_id: int, body: DecideIn) -> Status[Dossier]:
    """The granting authority's decision for some or all nominees; an achievement already
    awarded is refused, naming the earlier decision."""
    user = _user(request)
    dossier = queries.get_dossier_for_user(user, dossier_id)
    chosen = list(dossier.nominations.filter(pk__in=body.nominations))
    if len(chosen) != len(set(body.nominations)):
        raise HttpError(400, "nominations: not nominees of this dossier")
    try:
        actions.do_decide(
            user,
            dossier,
            number=body.number,
            signed_on=body.signed_on,
            signer=body.signer,
            nominations=chosen,
        )
    except actions.AwardRefused as exc:
        raise _refused(exc) from exc
    return Status(201, queries.get_dossier_for_user(user, dossier_id))


# The register of granted awards ----------------------------------------------------------------


class GrantedOut(Schema):
    id: int
    nominee_name: str
    kind: str = Field(..., alias="nomination.kind")
    position: str = Field(..., alias="nomination.position")
    award_form: str = Field(..., alias="award_form.code")
    award_form_name: str = Field(..., alias="award_form.name")
    decision_number: str = Field(..., alias="decision.number")
    signed_on: date = Field(..., alias="decision.signed_on")
    signer: str = Field(..., alias="decision.signer")
    campaign: str | None
    phase: int | None
    presented_on: date | None

    @staticmethod
    def resolve_campaign(award: GrantedAward) -> str | None:
        campaign = award.decision.dossier.campaign
        return campaign.code if campaign else None

    @staticmethod
    def resolve_phase(award: GrantedAward) -> int | None:
        phase = award.decision.dossier.phase
        return phase.number if phase else None


@router.get("/granted", response=list[GrantedOut], auth=None)
@paginate(PageOf200)
def granted(request: HttpRequest, campaign: str | None = None, q: str = "", unit: str = "") -> Any:
    """Public: the register of granted awards, latest decision first; of a campaign, searched by
    words of the name, position or proposing unit (`q`), or of a unit by its code (`unit`:
    awarded as a collective, or proposing the person)."""
    chosen = get_object_or_404(Campaign, code=campaign) if campaign else None
    return queries.granted_register(campaign=chosen, q=q, unit=unit)


class CeremonyIn(Schema):
    on: date


@router.post("/granted/{award_id}/ceremony", response=GrantedOut)
def record_ceremony(request: HttpRequest, award_id: int, body: CeremonyIn) -> Any:
    """The award was presented on a day (the granting level or the unit that proposed it)."""
    award = (
        queries.granted_awards()
        .select_related("decision__area", "decision__dossier")
        .filter(pk=award_id)
        .first()
    )
    if award is None:
        raise Http404
    try:
        actions.do_record_ceremony(_user(request), award, body.on)
    except actions.AwardRefused as exc:
        raise _refused(exc) from exc
    return award
