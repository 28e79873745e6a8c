"""Pages of emulation campaigns: standings (public), registration, acceptance, hand scoring and
the phase review for the organizer."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from vungxanh.accounts.models import User
from vungxanh.accounts.roles import MANAGE_EMULATION, REGISTER_EMULATION
from vungxanh.accounts.scope import scope_for
from vungxanh.areas.models import TYPES_OF_TIER, Area, Organization, Tier
from vungxanh.lib import clock

from . import actions, queries
from .forms import LaunchForm
from .models import Campaign, Cluster, Phase, Registration, ScoringCriterion


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


def campaigns(request: HttpRequest) -> HttpResponse:
    can_launch = (
        request.user.is_authenticated and not scope_for(request.user, MANAGE_EMULATION).is_empty
    )
    return render(
        request,
        "emulation/campaigns.html",
        {"campaigns": queries.campaigns(), "can_launch": can_launch},
    )


def _launch_areas(user: User) -> list[tuple[str, str]]:
    """The provinces and districts where the user may launch a campaign."""
    scope = scope_for(user, MANAGE_EMULATION)
    if scope.is_empty:
        return []
    kinds = [*TYPES_OF_TIER[Tier.PROVINCE], *TYPES_OF_TIER[Tier.DISTRICT]]
    areas = Area.objects.filter(scope.q(area_path="path"), type__in=kinds).order_by("path")
    return [(a.code, a.name) for a in areas[:800]]


@login_required
def launch(request: HttpRequest) -> HttpResponse:
    """Launch a campaign: the plan, its phases and dates, clusters and weighted criteria."""
    user = _user(request)
    areas = _launch_areas(user)
    if not areas:
        raise Http404
    form = LaunchForm(request.POST or None, areas=areas)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            made = actions.do_create_campaign(
                user,
                Area.objects.get(code=data["area"]),
                code=data["code"],
                name=data["name"],
                plan_number=data["plan_number"],
                plan_date=data["plan_date"],
                plan_issuer=data["plan_issuer"],
                phases=data["phases"],
                criteria=data["criteria"],
                clusters=data["cluster_names"],
                participant_kinds=data["participant_kinds"],
                goal=data["goal"],
                target_date=data["target_date"],
                registration_deadline=data["registration_deadline"],
            )
        except actions.EmulationRefused as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, _("Campaign launched."))
            return redirect("emulation:campaign", code=made.code)
    return render(request, "emulation/launch.html", {"form": form})


def campaign(request: HttpRequest, code: str) -> HttpResponse:
    """The campaign and its standings at a date, cluster by cluster, explained unit by unit."""
    item = get_object_or_404(Campaign.objects.select_related("area"), code=code)
    shown = queries.shown_standings(
        item, request.GET.get("dot"), clock.parse_day(request.GET.get("ngay", ""))
    )
    clusters: dict[str, list[Any]] = {}
    for row in shown.rows:
        clusters.setdefault(row.cluster, []).append(row)
    user = request.user
    organizer = user.is_authenticated and scope_for(user, MANAGE_EMULATION).covers(item.area_path)
    registrations = queries.registrations_for(user, item)
    context = {
        "c": item,
        "phases": item.phases.all(),
        "phase": shown.phase,
        "day": shown.day,
        "review": shown.review,
        "clusters": clusters,
        "criteria": ScoringCriterion.objects.filter(campaign=item),
        "organizer": organizer,
        "pending": [r for r in registrations if r.status == Registration.Status.PENDING],
        "registrations": list(registrations),
        "cluster_choices": Cluster.objects.filter(campaign=item),
        "manual_criteria": ScoringCriterion.objects.filter(campaign=item, metric=""),
        "accepted": [r for r in registrations if r.status == Registration.Status.ACCEPTED],
        "units": _registrable(user, item) if user.is_authenticated else ([], []),
    }
    return render(request, "emulation/campaign.html", context)


def _registrable(user: Any, item: Campaign) -> tuple[list[Area], list[Organization]]:
    scope = scope_for(user, REGISTER_EMULATION)
    if scope.is_empty:
        return [], []
    kinds = [*TYPES_OF_TIER[Tier.COMMUNE], *TYPES_OF_TIER[Tier.DISTRICT]]
    areas = list(
        Area.objects.filter(
            scope.q(area_path="path"), type__in=kinds, path__startswith=item.area_path
        ).order_by("path")[:300]
    )
    orgs = list(
        Organization.objects.filter(scope.q(area_path="area__path", org_path="management_path"))
        .filter(area__path__startswith=item.area_path)
        .order_by("name")[:300]
    )
    return areas, orgs


def _number(text: str | None) -> int:
    return int(text) if text and text.isdigit() else 0


def _back(code: str) -> str:
    return reverse("emulation:campaign", args=[code])


@login_required
@require_POST
def register(request: HttpRequest, code: str) -> HttpResponse:
    item = get_object_or_404(Campaign, code=code)
    kind, _sep, unit = request.POST.get("unit", "").partition(":")
    area = Area.objects.filter(code=unit).first() if kind == "a" else None
    org = (
        Organization.objects.select_related("area").filter(code=unit).first()
        if kind == "o"
        else None
    )
    pledges = request.POST.get("pledges", "").splitlines()
    try:
        actions.do_register(_user(request), item, area=area, organization=org, pledges=pledges)
    except actions.EmulationRefused as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Registered; the organizer will accept the registration."))
    return redirect(_back(code))


@login_required
@require_POST
def decide(request: HttpRequest, code: str, registration_id: int) -> HttpResponse:
    item = get_object_or_404(Campaign, code=code)
    registration = queries.get_registration_for_user(_user(request), registration_id, item)
    cluster = Cluster.objects.filter(pk=request.POST.get("cluster") or 0, campaign=item).first()
    try:
        actions.do_decide_registration(
            _user(request),
            registration,
            accept=request.POST.get("accept") == "1",
            cluster=cluster,
            note=request.POST.get("note", ""),
        )
    except actions.EmulationRefused as exc:
        if exc.field == "campaign":
            raise Http404 from exc
        messages.error(request, exc.message)
    return redirect(_back(code))


@login_required
@require_POST
def score(request: HttpRequest, code: str) -> HttpResponse:
    item = get_object_or_404(Campaign, code=code)
    user = _user(request)
    registration = queries.get_registration_for_user(
        user, _number(request.POST.get("registration")), item
    )
    criterion = get_object_or_404(
        ScoringCriterion, pk=request.POST.get("criterion") or 0, campaign=item
    )
    phase = get_object_or_404(Phase, pk=request.POST.get("phase") or 0, campaign=item)
    try:
        points = float(request.POST.get("points", "").replace(",", "."))
    except ValueError:
        messages.error(request, _("Points: a number."))
        return redirect(_back(code))
    try:
        actions.do_score_by_hand(
            user, registration, criterion, phase, points, request.POST.get("note", "")
        )
    except actions.EmulationRefused as exc:
        if exc.field == "campaign":
            raise Http404 from exc
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Points recorded."))
    return redirect(f"{_back(code)}?dot={phase.number}")


@login_required
@require_POST
def review(request: HttpRequest, code: str, number: int) -> HttpResponse:
    item = get_object_or_404(Campaign, code=code)
    phase = get_object_or_404(Phase, campaign=item, number=number)
    try:
        frozen = actions.do_review_phase(_user(request), phase)
    except actions.EmulationRefused as exc:
        if exc.field == "campaign":
            raise Http404 from exc
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _("The standings of %(phase)s are frozen as of %(day)s.")
            % {"phase": phase.name, "day": frozen.as_of.strftime("%d/%m/%Y")},
        )
    return redirect(f"{_back(code)}?dot={phase.number}")
