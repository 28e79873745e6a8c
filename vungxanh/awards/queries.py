"""Reads of dossiers and awards shared by the pages and the API: dossiers in the user's scope,
one dossier or step (404 when missing or not the user's), its route, the standing a collective
nominee brings as evidence, and the public register of awards granted in a campaign."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404

from vungxanh.accounts.scope import get_visible_or_404
from vungxanh.areas.models import Area, Organization
from vungxanh.emulation.actions import phase_standings
from vungxanh.emulation.models import Campaign

from .models import Dossier, GrantedAward, ReviewStep


def dossiers_for(user: Any) -> QuerySet[Dossier]:
    return Dossier.objects.visible_to(user).select_related("award_form", "campaign", "phase")


def get_dossier_for_user(user: Any, pk: int) -> Dossier:
    return get_visible_or_404(
        Dossier.objects.select_related(
            "award_form", "campaign", "phase", "issuer_area", "issuer_org"
        ),
        user,
        pk=pk,
    )


def get_step_for_user(user: Any, pk: int, dossier: Dossier | None = None) -> ReviewStep:
    """A step of a dossier the user sees (of `dossier` when given)."""
    steps = ReviewStep.objects.select_related("dossier", "dossier__award_form", "area")
    if dossier is None:
        steps = steps.filter(dossier__in=Dossier.objects.visible_to(user))
    else:
        steps = steps.filter(dossier=dossier)
    step = steps.filter(pk=pk).first()
    if step is None:
        raise Http404
    return step


def steps_of(dossier: Dossier) -> list[ReviewStep]:
    return list(dossier.steps.select_related("area", "organization", "acted_by").order_by("order"))


def nominee_evidence(dossier: Dossier, unit: Area | Organization) -> dict[str, Any]:
    """What the product knows of a collective nominee: its place in the standings of the
    dossier's phase, and its latest verified safety rating."""
    evidence = standing_evidence(dossier, unit.code)
    from vungxanh.criteria.models import Assessment

    unit_filter: dict[str, Area | Organization] = (
        {"organization": unit} if isinstance(unit, Organization) else {"area": unit}
    )
    rating = (
        Assessment.objects.filter(status=Assessment.Status.VERIFIED, **unit_filter)
        .select_related("version__criteria_set")
        .order_by("-verified_at")
        .first()
    )
    if rating is not None and rating.verified_at is not None:
        evidence["rating"] = {
            "assessment": rating.pk,
            "set": rating.version.criteria_set.code,
            "rating": rating.rating,
            "safe": rating.safe,
            "verified_on": rating.verified_at.date().isoformat(),
            "valid_until": rating.valid_until.isoformat() if rating.valid_until else None,
        }
    return evidence


def standing_evidence(dossier: Dossier, unit_code: str) -> dict[str, Any]:
    """The unit's place in the standings of the dossier's phase (frozen if reviewed), as the
    evidence a collective nominee carries; empty when the unit is not ranked."""
    if dossier.campaign is None or dossier.phase is None:
        return {}
    rows, review = phase_standings(dossier.phase, dossier.phase.review_on)
    found = next((r for r in rows if r.unit_code == unit_code), None)
    if found is None:
        return {}
    return {
        "standing": {
            "campaign": dossier.campaign.code,
            "phase": dossier.phase.number,
            "cluster": found.cluster,
            "rank": found.rank,
            "total": found.total,
            "frozen": review is not None,
        }
    }


def granted_awards() -> QuerySet[GrantedAward]:
    """Public: the register of granted awards, latest decision first."""
    return GrantedAward.objects.select_related(
        "decision", "award_form", "nomination", "decision__dossier__phase"
    ).order_by("-decision__signed_on", "award_form__pk", "nominee_name")


def granted_in(campaign: Campaign) -> QuerySet[GrantedAward]:
    return granted_awards().filter(decision__dossier__campaign=campaign)


def granted_register(
    *, campaign: Campaign | None = None, q: str = "", unit: str = ""
) -> QuerySet[GrantedAward]:
    """Public: the register of granted awards, searched by words of the name, the position or
    the proposing unit (`q`), or for a unit by its code (`unit`: awarded as a collective, or the
    unit whose dossier proposed the person)."""
    rows = granted_in(campaign) if campaign is not None else granted_awards()
    for word in q.split():
        # SQLite folds only ASCII letters: try the word as typed, lower and capitalized ("đặng"
        # finds "Đặng").
        match = Q()
        for form in {word, word.lower(), word.capitalize()}:
            match |= (
                Q(nominee_name__icontains=form)
                | Q(nomination__position__icontains=form)
                | Q(decision__dossier__issuer_name__icontains=form)
            )
        rows = rows.filter(match)
    if unit.strip():
        code = unit.strip()
        rows = rows.filter(
            Q(nomination__nominee_area__code=code)
            | Q(nomination__nominee_org__code=code)
            | Q(nomination__kind="individual", decision__dossier__issuer_area__code=code)
            | Q(nomination__kind="individual", decision__dossier__issuer_org__code=code)
        )
    return rows.select_related("decision__dossier__campaign")
