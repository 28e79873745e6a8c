"""Changes to campaigns: one transaction each, checked against the actor's scope, audited."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from vungxanh import metrics
from vungxanh.accounts.audit import record_audit
from vungxanh.accounts.models import User
from vungxanh.accounts.roles import MANAGE_EMULATION, REGISTER_EMULATION
from vungxanh.accounts.scope import scope_of_actor
from vungxanh.accounts.workflow import Conflict, transition
from vungxanh.areas.models import Area, Organization
from vungxanh.lib import clock
from vungxanh.lib.errors import Refused

from . import standings
from .models import (
    REVIEW_STEPS,
    Campaign,
    Cluster,
    ManualScore,
    Phase,
    PhaseReview,
    Registration,
    ScoringCriterion,
)


class EmulationRefused(Refused):
    pass


# Codes a campaign cannot take: path segments of the pages beside /thi-dua/<code>/.
RESERVED_CODES = {"phat-dong"}


def _organizer(actor: User | None, campaign: Campaign) -> None:
    if not scope_of_actor(actor, MANAGE_EMULATION).covers(campaign.area_path):
        raise EmulationRefused("campaign", _("No such campaign within your scope."))


@dataclass
class PhaseSpec:
    name: str
    starts_on: date
    ends_on: date
    review_on: date
    dossier_deadline: date | None = None


@dataclass
class CriterionSpec:
    code: str
    label: str
    weight: float
    metric: str = ""  # a period metric of vungxanh.metrics; empty: scored by hand


def do_create_campaign(
    actor: User | None,
    area: Area,
    *,
    code: str,
    name: str,
    plan_number: str,
    plan_date: date,
    plan_issuer: str,
    phases: list[PhaseSpec],
    criteria: list[CriterionSpec],
    clusters: list[str] | None = None,
    participant_kinds: list[str] | None = None,
    goal: str = "",
    target_date: date | None = None,
    registration_deadline: date | None = None,
    review_chain: list[str] | None = None,
) -> Campaign:
    if not scope_of_actor(actor, MANAGE_EMULATION).covers(area.path):
        raise EmulationRefused("area", _("No such area within your scope."))
    if code in RESERVED_CODES or Campaign.objects.filter(code=code).exists():
        raise EmulationRefused("code", _code_taken(), conflict=True)
    if review_chain is not None and (
        not review_chain or any(step not in REVIEW_STEPS for step in review_chain)
    ):
        raise EmulationRefused(
            "review_chain", _("Steps of the chain: %(steps)s.") % {"steps": ", ".join(REVIEW_STEPS)}
        )
    if not phases:
        raise EmulationRefused("phases", _("A campaign has at least one phase."))
    for n, p in enumerate(phases, start=1):
        if not p.starts_on <= p.ends_on:
            raise EmulationRefused("phases", _("Phase %(n)s ends before it starts.") % {"n": n})
    for c in criteria:
        if c.metric and c.metric not in metrics.PERIOD_REGISTRY:
            raise EmulationRefused("criteria", _("Unknown metric: %(m)s.") % {"m": c.metric})
        if c.weight <= 0:
            raise EmulationRefused("criteria", _("A criterion's weight is above 0."))
    if len({c.code for c in criteria}) != len(criteria):
        raise EmulationRefused("criteria", _("Each criterion has a code of its own."))
    try:
        with transaction.atomic():
            campaign = Campaign.objects.create(
                code=code,
                name=name,
                plan_number=plan_number,
                plan_date=plan_date,
                plan_issuer=plan_issuer,
                area=area,
                area_path=area.path,
                participant_kinds=participant_kinds or ["commune"],
                goal=goal,
                target_date=target_date,
                registration_deadline=registration_deadline,
                review_chain=list(review_chain or REVIEW_STEPS),
                created_by=actor if actor and actor.pk else None,
            )
            Phase.objects.bulk_create(
                Phase(campaign=campaign, number=n, **vars(p)) for n, p in enumerate(phases, start=1)
            )
            Cluster.objects.bulk_create(Cluster(campaign=campaign, name=c) for c in clusters or [])
            ScoringCriterion.objects.bulk_create(
                ScoringCriterion(
                    campaign=campaign,
                    code=c.code,
                    label=c.label,
                    weight=c.weight,
                    metric=c.metric,
                    better=metrics.PERIOD_REGISTRY[c.metric].better if c.metric else "higher",
                    order=n,
                )
                for n, c in enumerate(criteria)
            )
            record_audit(
                actor, "create_campaign", campaign, area_path=area.path, after=campaign.audit_dict()
            )
    except IntegrityError as exc:  # taken meanwhile
        raise EmulationRefused("code", _code_taken(), conflict=True) from exc
    return campaign


def _code_taken() -> str:
    return _("Another campaign has this code; choose another.")


def do_register(
    actor: User | None,
    campaign: Campaign,
    *,
    area: Area | None = None,
    organization: Organization | None = None,
    pledges: list[str],
    on: date | None = None,
) -> Registration:
    """A unit registers with its pledges; after the deadline it is marked late for the
    organizer to decide."""
    unit_path = organization.management_path if organization else area.path if area else ""
    place = organization.area.path if organization else unit_path
    if not unit_path or not scope_of_actor(actor, REGISTER_EMULATION).covers(unit_path):
        raise EmulationRefused("unit", _("No such unit within your scope."))
    if not place.startswith(campaign.area_path):
        raise EmulationRefused("unit", _("This unit is outside the campaign's area."))
    pledges = [p.strip() for p in pledges if p.strip()]
    if not pledges:
        raise EmulationRefused("pledges", _("State at least one target the unit pledges."))
    day = on or clock.today()
    try:
        with transaction.atomic():
            registration = Registration.objects.create(
                campaign=campaign,
                area=area,
                organization=organization,
                area_path=place,
                org_path=organization.management_path if organization else "",
                pledges=pledges,
                registered_on=day,
                late=bool(campaign.registration_deadline and day > campaign.registration_deadline),
                created_by=actor if actor and actor.pk else None,
            )
            record_audit(
                actor,
                "register_emulation",
                registration,
                area_path=place,
                after={"campaign": campaign.code, "pledges": pledges},
            )
    except IntegrityError as exc:
        raise EmulationRefused(
            "unit", _("This unit is already registered."), conflict=True
        ) from exc
    return registration


def do_decide_registration(
    actor: User | None,
    registration: Registration,
    *,
    accept: bool,
    cluster: Cluster | None = None,
    note: str = "",
) -> None:
    _organizer(actor, registration.campaign)
    if accept and cluster is not None and cluster.campaign_id != registration.campaign_id:
        raise EmulationRefused("cluster", _("This cluster belongs to another campaign."))
    new = Registration.Status.ACCEPTED if accept else Registration.Status.REFUSED
    try:
        with transaction.atomic():
            transition(
                registration,
                field="status",
                old=Registration.Status.PENDING,
                new=new,
                actor=actor,
                area_path=registration.area_path,
                note=note,
                also={"cluster": cluster, "note": note[:300]},
            )
    except Conflict as exc:
        raise EmulationRefused("status", str(exc)) from exc


def do_score_by_hand(
    actor: User | None,
    registration: Registration,
    criterion: ScoringCriterion,
    phase: Phase,
    points: float,
    note: str,
) -> ManualScore:
    campaign = registration.campaign
    _organizer(actor, campaign)
    if not criterion.manual or criterion.campaign_id != campaign.pk:
        raise EmulationRefused("criterion", _("This criterion is not scored by hand."))
    if not 0 <= points <= criterion.weight:
        raise EmulationRefused(
            "points", _("Between 0 and %(w)s points.") % {"w": f"{criterion.weight:g}"}
        )
    if len(note.strip()) < 5:
        raise EmulationRefused("note", _("Say what the points are for."))
    if PhaseReview.objects.filter(phase=phase).exists():
        raise EmulationRefused("phase", _("This phase is reviewed; its standings are final."))
    with transaction.atomic():
        score, _created = ManualScore.objects.update_or_create(
            registration=registration,
            criterion=criterion,
            phase=phase,
            defaults={
                "points": points,
                "note": note.strip(),
                "scored_by": actor if actor and actor.pk else None,
            },
        )
        record_audit(
            actor,
            "score_by_hand",
            registration,
            area_path=registration.area_path,
            after={
                "criterion": criterion.code,
                "phase": phase.number,
                "points": points,
                "note": note,
            },
        )
    return score


def do_review_phase(actor: User | None, phase: Phase, as_of: date | None = None) -> PhaseReview:
    """Freeze the phase's standings as of its review date (or `as_of`): a record that later
    data cannot change."""
    campaign = phase.campaign
    _organizer(actor, campaign)
    day = as_of or phase.review_on
    frozen = standings.as_json(standings.compute(campaign, phase, day))
    try:
        with transaction.atomic():
            review = PhaseReview.objects.create(
                phase=phase,
                as_of=day,
                standings=frozen,
                reviewed_by=actor if actor and actor.pk else None,
            )
            record_audit(
                actor,
                "review_phase",
                review,
                area_path=campaign.area_path,
                after={"phase": phase.number, "as_of": day.isoformat(), "units": len(frozen)},
            )
    except IntegrityError as exc:
        raise EmulationRefused("phase", _("This phase is already reviewed.")) from exc
    return review


def phase_standings(
    phase: Phase, as_of: date
) -> tuple[list[standings.Standing], PhaseReview | None]:
    """The frozen standings when the phase is reviewed, else the live ones at `as_of`."""
    review = PhaseReview.objects.filter(phase=phase).first()
    if review is not None:
        return standings.from_json(review.standings), review
    return standings.compute(phase.campaign, phase, as_of), None


def unit_of(registration: Registration) -> Any:
    return registration.organization or registration.area
