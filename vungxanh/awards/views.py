"""Pages of award dossiers: the list in scope, a dossier with its route, nominees, the step to
act on and the decision; and the public list of awards granted in a campaign."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from vungxanh.accounts.models import User
from vungxanh.accounts.roles import PROPOSE_AWARDS
from vungxanh.accounts.scope import scope_for
from vungxanh.areas.models import TYPES_OF_TIER, Area, Organization, Tier
from vungxanh.emulation.models import Campaign
from vungxanh.lib import clock

from . import actions, letters, queries
from .models import AwardForm, Dossier, Nomination, ReviewStep

PER_PAGE = 50


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


def _dossier(request: HttpRequest, dossier_id: int) -> Dossier:
    return queries.get_dossier_for_user(_user(request), dossier_id)


def _issuers(user: User) -> tuple[list[Area], list[Organization]]:
    scope = scope_for(user, PROPOSE_AWARDS)
    if scope.is_empty:
        return [], []
    kinds = [
        *TYPES_OF_TIER[Tier.PROVINCE],
        *TYPES_OF_TIER[Tier.DISTRICT],
        *TYPES_OF_TIER[Tier.COMMUNE],
    ]
    areas = list(
        Area.objects.filter(scope.q(area_path="path"), type__in=kinds).order_by("path")[:200]
    )
    orgs = list(
        Organization.objects.filter(
            scope.q(area_path="area__path", org_path="management_path")
        ).order_by("name")[:200]
    )
    return areas, orgs


@login_required
def dossiers(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    visible = queries.dossiers_for(user)
    waiting = [
        d
        for d in visible.filter(status=Dossier.Status.IN_REVIEW)[:200]
        if (step := d.current_step()) is not None and actions.holds_step(user, step)
    ]
    areas, orgs = _issuers(user)
    context = {
        "page": Paginator(visible, PER_PAGE).get_page(request.GET.get("page")),
        "waiting": waiting,
        "forms": AwardForm.objects.all(),
        "campaigns": Campaign.objects.prefetch_related("phases"),
        "issuer_areas": areas,
        "issuer_orgs": orgs,
    }
    return render(request, "awards/dossiers.html", context)


@login_required
@require_POST
def create(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    post = request.POST
    kind, _sep, code = post.get("issuer", "").partition(":")
    area = Area.objects.filter(code=code).first() if kind == "a" else None
    org = (
        Organization.objects.select_related("area").filter(code=code).first()
        if kind == "o"
        else None
    )
    form = AwardForm.objects.filter(code=post.get("award_form", "")).first()
    campaign = Campaign.objects.filter(code=post.get("campaign", "")).first()
    phase = campaign.phases.filter(number=post.get("phase") or 0).first() if campaign else None
    if form is None or (area is None and org is None):
        messages.error(request, _("Choose the unit that proposes and the award form."))
        return redirect("awards:dossiers")
    try:
        dossier = actions.do_create_dossier(
            user,
            award_form=form,
            title=post.get("title", "").strip() or form.dossier_title,
            signer_title=post.get("signer_title", "").strip(),
            signer_name=post.get("signer_name", "").strip(),
            issuer_abbr=post.get("issuer_abbr", ""),
            issuer_area=area,
            issuer_org=org,
            campaign=campaign,
            phase=phase,
            body=post.get("body", ""),
        )
    except actions.AwardRefused as exc:
        messages.error(request, exc.message)
        return redirect("awards:dossiers")
    return redirect("awards:dossier", dossier_id=dossier.pk)


@login_required
def dossier(request: HttpRequest, dossier_id: int) -> HttpResponse:
    user = _user(request)
    item = _dossier(request, dossier_id)
    steps = queries.steps_of(item)
    current = next((s for s in steps if s.status == ReviewStep.Status.PENDING), None)
    editable = item.status in (
        Dossier.Status.DRAFT,
        Dossier.Status.RETURNED,
    ) and actions._issuer_scope(user, item)
    nominees: list[tuple[str, str]] = []
    if editable:
        base = item.issuer_org.management_path if item.issuer_org else item.area_path
        nominees = (
            [
                ("a:" + a.code, a.name)
                for a in Area.objects.filter(path__startswith=base).order_by("path")[:200]
            ]
            if not item.issuer_org
            else []
        )
        nominees += [
            ("o:" + o.code, o.name)
            for o in Organization.objects.filter(management_path__startswith=base).order_by("name")[
                :200
            ]
        ]
    context = {
        "d": item,
        "steps": steps,
        "current": current,
        "can_act": current is not None and actions.holds_step(user, current),
        "editable": editable,
        "nominations": item.nominations.select_related("nominee_area", "nominee_org"),
        "nominee_units": nominees,
        "decisions": item.decisions.prefetch_related("awards"),
        "today": clock.today(),
    }
    return render(request, "awards/dossier.html", context)


@login_required
def letter(request: HttpRequest, dossier_id: int, extension: str) -> HttpResponse:
    """The submission letter as .docx or PDF (404 out of scope, like the dossier)."""
    return letters.letter_response(_dossier(request, dossier_id), extension)


@login_required
@require_POST
def nominate(request: HttpRequest, dossier_id: int) -> HttpResponse:
    user = _user(request)
    item = _dossier(request, dossier_id)
    post = request.POST
    kind = post.get("kind", Nomination.Kind.COLLECTIVE)
    unit_kind, _sep, code = post.get("unit", "").partition(":")
    area = Area.objects.filter(code=code).first() if unit_kind == "a" else None
    org = Organization.objects.filter(code=code).first() if unit_kind == "o" else None
    name = post.get("nominee_name", "").strip() or (org.name if org else area.name if area else "")
    unit = org or area
    evidence = (
        queries.nominee_evidence(item, unit)
        if kind == Nomination.Kind.COLLECTIVE and unit is not None
        else {}
    )
    try:
        actions.do_nominate(
            user,
            item,
            kind=kind,
            nominee_name=name,
            position=post.get("position", ""),
            nominee_area=area if kind == Nomination.Kind.COLLECTIVE else None,
            nominee_org=org if kind == Nomination.Kind.COLLECTIVE else None,
            summary=post.get("summary", ""),
            evidence=evidence,
        )
    except actions.AwardRefused as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("%(name)s proposed.") % {"name": name})
    return redirect("awards:dossier", dossier_id=item.pk)


@login_required
@require_POST
def submit(request: HttpRequest, dossier_id: int) -> HttpResponse:
    item = _dossier(request, dossier_id)
    try:
        actions.do_submit_dossier(_user(request), item)
    except actions.AwardRefused as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Dossier %(n)s sent.") % {"n": item.number})
    return redirect("awards:dossier", dossier_id=item.pk)


@login_required
@require_POST
def act(request: HttpRequest, dossier_id: int, step_id: int) -> HttpResponse:
    """Accept (forward) or return at the current step."""
    user = _user(request)
    item = _dossier(request, dossier_id)
    step = queries.get_step_for_user(user, step_id, item)
    note = request.POST.get("note", "")
    try:
        if request.POST.get("verb") == "return":
            actions.do_return_step(user, step, note)
            messages.success(request, _("Returned to the unit that sent it."))
        else:
            actions.do_accept_step(
                user, step, note, accept_late=request.POST.get("accept_late") == "1"
            )
            messages.success(request, _("Accepted; sent to the next step."))
    except actions.AwardRefused as exc:
        messages.error(request, exc.message)
    return redirect("awards:dossier", dossier_id=item.pk)


@login_required
@require_POST
def decide(request: HttpRequest, dossier_id: int) -> HttpResponse:
    user = _user(request)
    item = _dossier(request, dossier_id)
    chosen = list(item.nominations.filter(pk__in=request.POST.getlist("nomination")))
    signed_on = clock.parse_day(request.POST.get("signed_on", ""))
    if signed_on is None:
        messages.error(request, _("The decision's date: dd/mm/yyyy."))
        return redirect("awards:dossier", dossier_id=item.pk)
    try:
        decision = actions.do_decide(
            user,
            item,
            number=request.POST.get("number", ""),
            signed_on=signed_on,
            signer=request.POST.get("signer", ""),
            nominations=chosen,
        )
    except actions.AwardRefused as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Decision %(n)s recorded.") % {"n": decision.number})
    return redirect("awards:dossier", dossier_id=item.pk)


def register(request: HttpRequest) -> HttpResponse:
    """Public: the register of awards granted in every campaign, searched by person or unit."""
    q = request.GET.get("q", "")[:100]
    rows = queries.granted_register(q=q)
    page = Paginator(rows, PER_PAGE).get_page(request.GET.get("page"))
    query = urlencode({"q": q}) if q else ""
    return render(request, "awards/register.html", {"page": page, "q": q, "query": query})


def granted(request: HttpRequest, code: str) -> HttpResponse:
    """Public: the awards granted in a campaign."""
    campaign = get_object_or_404(Campaign, code=code)
    rows = queries.granted_in(campaign)
    return render(request, "awards/granted.html", {"campaign": campaign, "rows": rows})
