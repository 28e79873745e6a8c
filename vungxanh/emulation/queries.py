"""Reads of campaigns shared by the pages and the API: the list, the phase asked for (else the
current one), the standings shown for it at a day, and registrations in the user's scope."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from vungxanh.accounts.scope import get_visible_or_404
from vungxanh.lib import clock

from . import actions, standings
from .models import Campaign, Phase, PhaseReview, Registration


def campaigns() -> QuerySet[Campaign]:
    return Campaign.objects.select_related("area").prefetch_related("phases")


def phase_of(campaign: Campaign, number: str | int | None = None) -> Phase:
    """Phase `number` of the campaign, else the one running today, else the last; 404 when the
    campaign has no phase."""
    phases = list(campaign.phases.all())
    if not phases:
        raise Http404
    today = clock.today()
    current = next((p for p in phases if p.starts_on <= today <= p.ends_on), phases[-1])
    return next((p for p in phases if str(p.number) == str(number or "")), current)


@dataclass
class Shown:
    """The standings of a phase as shown: frozen by its review, else live at `day`."""

    phase: Phase
    day: date
    rows: list[standings.Standing]
    review: PhaseReview | None


def shown_standings(campaign: Campaign, number: str | int | None, day: date | None) -> Shown:
    """Default day: today, or the phase's last day once it has ended."""
    phase = phase_of(campaign, number)
    asked = day or min(clock.today(), phase.ends_on)
    rows, review = actions.phase_standings(phase, asked)
    return Shown(phase, review.as_of if review else asked, rows, review)


def registrations_for(user: Any, campaign: Campaign) -> QuerySet[Registration]:
    if not user.is_authenticated:
        return Registration.objects.none()
    return (
        Registration.objects.visible_to(user)
        .filter(campaign=campaign)
        .select_related("area", "organization", "cluster")
    )


def get_registration_for_user(user: Any, pk: int, campaign: Campaign | None = None) -> Registration:
    lookup: dict[str, Any] = {"pk": pk} if campaign is None else {"pk": pk, "campaign": campaign}
    return get_visible_or_404(
        Registration.objects.select_related("campaign", "area", "organization", "cluster"),
        user,
        **lookup,
    )
