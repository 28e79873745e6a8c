"""Nominations and dossiers: the route a dossier takes up the hierarchy, each step a guarded
transition with its audit row, and the decisions that grant awards once per achievement.

Routing follows "the level that manages the unit grants, or proposes to the level above": an
organization's dossier first goes to the organizations that manage it, then up the area tree, one
level at a time, to the level of the award's grantor, where the campaign's review chain (e.g.
standing agency → emulation office → chairman) takes it. Awards of the central level go through the
provincial chairman; the province's emulation office records the central decision. Nobody chooses
the route: it is computed from the managing links when the dossier is sent.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from vungxanh.accounts.audit import record_audit
from vungxanh.accounts.models import Assignment, User
from vungxanh.accounts.roles import GRANT_AWARDS, PROPOSE_AWARDS, Role
from vungxanh.accounts.scope import scope_of_actor
from vungxanh.accounts.workflow import Conflict, transition
from vungxanh.areas.models import Area, Organization, Tier
from vungxanh.documents import format_number
from vungxanh.emulation.models import REVIEW_STEPS
from vungxanh.lib import clock
from vungxanh.lib.errors import Refused

from .models import (
    AwardForm,
    Decision,
    Dossier,
    GrantedAward,
    Nomination,
    ReviewStep,
    step_title,
)

DATA = Path(__file__).parent / "data" / "award_forms.json"
CHAIN_ROLES = {
    "standing_agency": [Role.STANDING_AGENCY],
    "emulation": [Role.EMULATION],
    "chairman": [Role.CHAIRMAN],
}
FORWARD_ROLES = [Role.AREA_OFFICER, Role.STANDING_AGENCY, Role.CHAIRMAN]
TIER_ORDER = {"central": 0, Tier.PROVINCE: 1, Tier.DISTRICT: 2, Tier.COMMUNE: 3, Tier.VILLAGE: 4}


class AwardRefused(Refused):
    pass


def install_award_forms(model: Any = AwardForm) -> None:
    """The shipped award forms, created or updated from the data file (idempotent)."""
    document = json.loads(DATA.read_text(encoding="utf-8"))
    for row in document["forms"]:
        fields = {k: v for k, v in row.items() if k in {f.name for f in model._meta.fields}}
        model.objects.update_or_create(code=row["code"], defaults=fields)


# Routing ------------------------------------------------------------------------------------------


@dataclass
class StepSpec:
    kind: str
    roles: list[str]
    area: Area
    organization: Organization | None
    label: str


def managing_chain(org: Organization) -> tuple[list[Organization], Area]:
    """The organizations that manage `org`, nearest first, and the area whose committee is at
    the root of its management chain."""
    chain: list[Organization] = []
    current = org
    while current.managing_organization_id is not None:
        assert current.managing_organization is not None
        current = Organization.objects.select_related("managing_organization", "managing_area").get(
            pk=current.managing_organization_id
        )
        chain.append(current)
    assert current.managing_area is not None
    return chain, current.managing_area


def grantor_area(level: Area, form: AwardForm) -> Area:
    """The area whose level grants `form` for a unit at `level` (central forms: its province)."""
    tier = Tier.PROVINCE if form.grantor_tier == "central" else form.grantor_tier
    for area in [*level.ancestors(), level]:
        if area.tier == tier:
            return area
    raise AwardRefused(
        "award_form",
        _("%(form)s is granted at a level below this unit; it cannot propose it.")
        % {"form": form.name},
    )


def route(
    form: AwardForm,
    chain: list[str],
    *,
    issuer_area: Area | None = None,
    issuer_org: Organization | None = None,
) -> list[StepSpec]:
    """The steps a dossier for `form` takes from its issuer to the decision."""
    steps: list[StepSpec] = []
    if issuer_org is not None:
        managers, level = managing_chain(issuer_org)
        for manager in managers:
            steps.append(
                StepSpec(
                    "forward",
                    [Role.ORG_REPRESENTATIVE],
                    manager.area,
                    manager,
                    step_title("forward", manager.area.name, manager.name),
                )
            )
    else:
        assert issuer_area is not None
        level = issuer_area
    target = grantor_area(level, form)
    between = [a for a in level.ancestors() if a.level > target.level]
    if issuer_org is not None and level != target and level.level > target.level:
        between = [level, *between]
    for area in sorted(between, key=lambda a: -a.level):
        steps.append(
            StepSpec(
                "forward",
                list(FORWARD_ROLES),
                area,
                None,
                step_title("forward", area.name),
            )
        )
    for kind in chain:
        steps.append(
            StepSpec(kind, list(CHAIN_ROLES[kind]), target, None, step_title(kind, target.name))
        )
    if form.grantor_tier == "central":
        steps.append(
            StepSpec(
                "central",
                [Role.EMULATION],
                target,
                None,
                step_title("central", target.name),
            )
        )
    return steps


def route_of(dossier: Dossier) -> list[StepSpec]:
    """The route of a dossier: from its issuer, through its campaign's chain (or the default)."""
    chain = (dossier.campaign.review_chain if dossier.campaign else None) or REVIEW_STEPS
    return route(
        dossier.award_form,
        list(chain),
        issuer_area=dossier.issuer_area,
        issuer_org=dossier.issuer_org,
    )


def holds_step(actor: User | None, step: ReviewStep) -> bool:
    """Whether the actor holds one of the step's roles at the step's area (or organization)."""
    if actor is None or not actor.pk:
        return actor is None  # the system (demo, imports)
    if actor.is_superuser:
        return True
    where = (
        {"organization_id": step.organization_id}
        if step.organization_id
        else {"area_id": step.area_id}
    )
    return Assignment.objects.filter(user=actor, role__in=step.roles, **where).exists()


# Dossiers -----------------------------------------------------------------------------------------


def _issuer_scope(actor: User | None, dossier: Dossier) -> bool:
    scope = scope_of_actor(actor, PROPOSE_AWARDS)
    path = dossier.org_path or dossier.area_path
    return scope.covers(path)


def do_create_dossier(
    actor: User | None,
    *,
    award_form: AwardForm,
    title: str,
    signer_title: str,
    signer_name: str,
    issuer_abbr: str,
    issuer_area: Area | None = None,
    issuer_org: Organization | None = None,
    campaign: Any = None,
    phase: Any = None,
    body: str = "",
) -> Dossier:
    if (issuer_area is None) == (issuer_org is None):
        raise AwardRefused("issuer", _("A dossier is sent by one unit."))
    if phase is not None and (campaign is None or phase.campaign_id != campaign.pk):
        raise AwardRefused("phase", _("This phase belongs to another campaign."))
    level = managing_chain(issuer_org)[1] if issuer_org else issuer_area
    assert level is not None
    grantor_area(level, award_form)  # refuses a form granted below the issuer's level
    dossier = Dossier(
        campaign=campaign,
        phase=phase,
        award_form=award_form,
        issuer_area=issuer_area,
        issuer_org=issuer_org,
        issuer_name=(issuer_org.name if issuer_org else _committee(issuer_area)),
        issuer_abbr=issuer_abbr.strip().upper(),
        area_path=issuer_org.area.path if issuer_org else issuer_area.path,  # type: ignore[union-attr]
        org_path=issuer_org.management_path if issuer_org else "",
        title=title,
        body=body,
        signer_title=signer_title,
        signer_name=signer_name,
        register_key=issuer_org.code if issuer_org else issuer_area.code,  # type: ignore[union-attr]
        created_by=actor if actor and actor.pk else None,
    )
    if not _issuer_scope(actor, dossier):
        raise AwardRefused("issuer", _("No such unit within your scope."))
    try:
        format_number(1, "TTr", dossier.issuer_abbr)
    except ValueError:
        raise AwardRefused("issuer_abbr", _("Letters and digits, e.g. SYT or UBND.")) from None
    with transaction.atomic():
        dossier.save()
        record_audit(
            actor,
            "create_dossier",
            dossier,
            area_path=dossier.area_path,
            after=dossier.audit_dict(),
        )
    return dossier


def _committee(area: Area | None) -> str:
    assert area is not None
    return f"Ủy ban nhân dân {area.name[:1].lower()}{area.name[1:]}"


def achievement_key(dossier: Dossier, nominee: str) -> str:
    campaign = dossier.campaign.code if dossier.campaign else "-"
    phase = dossier.phase.number if dossier.phase else 0
    return f"{campaign}:{phase}:{nominee}"


def do_nominate(
    actor: User | None,
    dossier: Dossier,
    *,
    kind: str,
    nominee_name: str,
    summary: str,
    position: str = "",
    nominee_area: Area | None = None,
    nominee_org: Organization | None = None,
    evidence: dict[str, Any] | None = None,
) -> Nomination:
    """Propose a collective (the issuer or a unit it manages) or an individual."""
    if not _issuer_scope(actor, dossier):
        raise AwardRefused("dossier", _("No such dossier within your scope."))
    if dossier.status not in (Dossier.Status.DRAFT, Dossier.Status.RETURNED):
        raise AwardRefused("status", _("The dossier is sent; nominees can no longer change."))
    form = dossier.award_form
    if kind == Nomination.Kind.COLLECTIVE and not form.for_collective:
        raise AwardRefused("kind", _("%(form)s is for individuals.") % {"form": form.name})
    if kind == Nomination.Kind.INDIVIDUAL and not form.for_individual:
        raise AwardRefused("kind", _("%(form)s is for collectives.") % {"form": form.name})
    if len(summary.strip()) < 20:
        raise AwardRefused("summary", _("Summarize the achievement (at least a sentence)."))
    if kind == Nomination.Kind.COLLECTIVE:
        unit_path = (
            nominee_org.management_path
            if nominee_org
            else nominee_area.path
            if nominee_area
            else ""
        )
        managed = dossier.org_path or dossier.area_path
        if not unit_path or not unit_path.startswith(managed):
            raise AwardRefused("nominee", _("A unit proposes itself or the units it manages."))
        key = nominee_org.code if nominee_org else nominee_area.code  # type: ignore[union-attr]
    else:
        if len(nominee_name.strip()) < 3 or len(position.strip()) < 3:
            raise AwardRefused("nominee", _("Give the person's full name and position."))
        key = f"person:{' '.join(nominee_name.lower().split())}:{dossier.register_key}"
    with transaction.atomic():
        nomination = Nomination.objects.create(
            dossier=dossier,
            kind=kind,
            nominee_name=nominee_name.strip(),
            position=position.strip(),
            nominee_area=nominee_area,
            nominee_org=nominee_org,
            summary=summary.strip(),
            evidence=evidence or {},
            achievement_key=achievement_key(dossier, key),
            order=dossier.nominations.count() + 1,
        )
        record_audit(
            actor,
            "nominate",
            dossier,
            area_path=dossier.area_path,
            after={"nominee": nomination.nominee_name, "kind": kind},
        )
    return nomination


def do_submit_dossier(actor: User | None, dossier: Dossier, on: date | None = None) -> Dossier:
    """Send the dossier: numbered in the issuer's register (first time) as Decree 30/2020
    writes numbers (05/TTr-UBND), routed, marked late when sent on or after the phase's
    deadline."""
    if not _issuer_scope(actor, dossier):
        raise AwardRefused("dossier", _("No such dossier within your scope."))
    if not dossier.nominations.exists():
        raise AwardRefused("nominations", _("Propose at least one collective or individual."))
    old = dossier.status
    if old not in (Dossier.Status.DRAFT, Dossier.Status.RETURNED):
        raise AwardRefused("status", _("The dossier is already sent."))
    day = on or clock.today()
    steps = route_of(dossier)
    deadline = dossier.phase.dossier_deadline if dossier.phase else None
    with transaction.atomic():
        also: dict[str, Any] = {
            "submitted_on": day,
            "late": bool(deadline and day >= deadline),
            "return_reason": "",
        }
        if dossier.seq is None:
            last = (
                Dossier.objects.select_for_update()
                .filter(register_key=dossier.register_key, year=day.year)
                .aggregate(m=Max("seq"))["m"]
            )
            seq = (last or 0) + 1
            also |= {
                "year": day.year,
                "seq": seq,
                "number": format_number(seq, "TTr", dossier.issuer_abbr),
            }
        try:
            transition(
                dossier,
                field="status",
                old=old,
                new=Dossier.Status.IN_REVIEW,
                actor=actor,
                area_path=dossier.area_path,
                also=also,
            )
        except Conflict as exc:
            raise AwardRefused("status", str(exc)) from exc
        dossier.steps.exclude(
            status__in=[ReviewStep.Status.ACCEPTED, ReviewStep.Status.RETURNED]
        ).delete()
        start = (dossier.steps.aggregate(m=Max("order"))["m"] or 0) + 1
        ReviewStep.objects.bulk_create(
            ReviewStep(
                dossier=dossier,
                order=start + n,
                kind=s.kind,
                roles=s.roles,
                area=s.area,
                organization=s.organization,
                area_path=s.area.path,
                label=s.label,
                status=ReviewStep.Status.PENDING if n == 0 else ReviewStep.Status.WAITING,
            )
            for n, s in enumerate(steps)
        )
    return dossier


def _act(
    actor: User | None, step: ReviewStep, new: str, note: str, *, accept_late: bool = False
) -> None:
    dossier = step.dossier
    if not holds_step(actor, step):
        raise AwardRefused("step", _("This step is not yours to act on."))
    if dossier.late and not dossier.late_accepted and new == ReviewStep.Status.ACCEPTED:
        if not accept_late:
            raise AwardRefused(
                "late",
                _(
                    "The dossier came after the deadline; "
                    "accept it as late explicitly, or return it."
                ),
            )
        if len(note.strip()) < 5:
            raise AwardRefused("late", _("Say why a late dossier is accepted."))
    try:
        transition(
            step,
            field="status",
            old=ReviewStep.Status.PENDING,
            new=new,
            actor=actor,
            area_path=step.area_path,
            note=note,
            also={
                "acted_by": actor if actor and actor.pk else None,
                "acted_at": timezone.now(),
                "note": note,
            },
        )
    except Conflict as exc:
        raise AwardRefused("status", str(exc)) from exc
    if accept_late and not dossier.late_accepted:
        Dossier.objects.filter(pk=dossier.pk).update(late_accepted=True, late_note=note[:300])
        dossier.late_accepted = True


def do_accept_step(
    actor: User | None, step: ReviewStep, note: str = "", *, accept_late: bool = False
) -> None:
    """Accept (or forward) the dossier at this step; the next step becomes the one to act on."""
    if step.kind in ("chairman", "central"):
        raise AwardRefused("step", _("This step is the decision: record it."))
    with transaction.atomic():
        _act(actor, step, ReviewStep.Status.ACCEPTED, note, accept_late=accept_late)
        following = (
            ReviewStep.objects.filter(dossier=step.dossier, order__gt=step.order)
            .order_by("order")
            .first()
        )
        if following is not None:
            ReviewStep.objects.filter(pk=following.pk).update(status=ReviewStep.Status.PENDING)


def do_return_step(actor: User | None, step: ReviewStep, reason: str) -> None:
    """Return the dossier to its issuer with the reasons; it is sent again once fixed."""
    if len(reason.strip()) < 5:
        raise AwardRefused("reason", _("Give the reasons for returning the dossier."))
    dossier = step.dossier
    with transaction.atomic():
        _act(actor, step, ReviewStep.Status.RETURNED, reason)
        try:
            transition(
                dossier,
                field="status",
                old=Dossier.Status.IN_REVIEW,
                new=Dossier.Status.RETURNED,
                actor=actor,
                area_path=dossier.area_path,
                note=reason,
                also={"return_reason": reason.strip()},
            )
        except Conflict as exc:
            raise AwardRefused("status", str(exc)) from exc


def do_decide(
    actor: User | None,
    dossier: Dossier,
    *,
    number: str,
    signed_on: date,
    signer: str,
    nominations: list[Nomination],
) -> Decision:
    """The granting authority's decision for some or all nominees; an achievement already
    awarded is refused, naming the earlier decision."""
    step = dossier.current_step()
    if step is None or step.kind not in ("chairman", "central"):
        raise AwardRefused("step", _("The dossier has not reached the granting authority."))
    if (
        actor is not None
        and actor.pk
        and not scope_of_actor(actor, GRANT_AWARDS).covers(step.area_path)
        and step.kind == "chairman"
    ):
        raise AwardRefused("step", _("This step is not yours to act on."))
    if not nominations or any(n.dossier_id != dossier.pk for n in nominations):
        raise AwardRefused("nominations", _("Choose nominees of this dossier."))
    for n in nominations:
        earlier = (
            GrantedAward.objects.filter(achievement_key=n.achievement_key)
            .select_related("decision")
            .first()
        )
        if earlier is not None:
            raise AwardRefused(
                "nominations",
                _(
                    "%(name)s was already awarded for this achievement "
                    "by decision %(number)s of %(day)s."
                )
                % {
                    "name": n.nominee_name,
                    "number": earlier.decision.number,
                    "day": earlier.decision.signed_on.strftime("%d/%m/%Y"),
                },
                conflict=True,
            )
    try:
        with transaction.atomic():
            _act(actor, step, ReviewStep.Status.ACCEPTED, _("Decision %(n)s") % {"n": number})
            decision = Decision.objects.create(
                dossier=dossier,
                number=number.strip(),
                signed_on=signed_on,
                signer=signer.strip(),
                area=step.area,
                recorded_by=actor if actor and actor.pk else None,
            )
            GrantedAward.objects.bulk_create(
                GrantedAward(
                    decision=decision,
                    nomination=n,
                    award_form=dossier.award_form,
                    nominee_name=n.nominee_name,
                    achievement_key=n.achievement_key,
                )
                for n in nominations
            )
            transition(
                dossier,
                field="status",
                old=Dossier.Status.IN_REVIEW,
                new=Dossier.Status.DECIDED,
                actor=actor,
                area_path=dossier.area_path,
                note=decision.number,
            )
            record_audit(
                actor,
                "grant_awards",
                decision,
                area_path=step.area_path,
                after={
                    "dossier": dossier.number,
                    "nominees": [n.nominee_name for n in nominations],
                },
            )
    except (IntegrityError, Conflict) as exc:
        raise AwardRefused(
            "status", _("Someone else acted on this dossier first; reload it.")
        ) from exc
    return decision


def do_record_ceremony(actor: User | None, award: GrantedAward, on: date) -> None:
    decision = award.decision
    if (
        actor is not None
        and actor.pk
        and not scope_of_actor(actor, GRANT_AWARDS).covers(decision.area.path)
        and not scope_of_actor(actor, PROPOSE_AWARDS).covers(decision.dossier.area_path)
    ):
        raise AwardRefused("award", _("No such award within your scope."))
    with transaction.atomic():
        GrantedAward.objects.filter(pk=award.pk).update(presented_on=on)
        award.presented_on = on
        record_audit(
            actor,
            "present_award",
            award,
            area_path=decision.dossier.area_path,
            after={"on": on.isoformat()},
        )
