from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from vungxanh.accounts.models import User
from vungxanh.accounts.roles import MANAGE_AREAS
from vungxanh.accounts.scope import scope_for
from vungxanh.lib.tabular import ImportRejected
from vungxanh.risk import actions as risk_actions
from vungxanh.teams.queries import team_coverage

from . import actions, queries
from .forms import ImportForm, OrganizationFilter, VillageForm
from .models import Area, Organization, Tier


def _columns(area: Area | None) -> dict[str, bool]:
    """Which count columns mean something for the children of this area."""
    tier = area.tier if area else None
    return {
        "units": tier != Tier.COMMUNE,
        "communes": tier in (None, Tier.PROVINCE),
        "villages": tier in (None, Tier.PROVINCE, Tier.DISTRICT),
    }


def area_browser(request: HttpRequest) -> HttpResponse:
    """The provinces (roots of the tree), each with its counts."""
    context = {"children": queries.children_with_counts(None), "columns": _columns(None)}
    return render(request, "areas/browser.html", context)


def area_detail(request: HttpRequest, code: str) -> HttpResponse:
    area = queries.get_area(code)
    can_add_village = area.tier == Tier.COMMUNE and scope_for(request.user, MANAGE_AREAS).covers(
        area.path
    )
    organizations = (
        Organization.objects.visible_to(request.user)
        .filter(area=area)
        .select_related("managing_organization", "managing_area")[:100]
        if request.user.is_authenticated
        else None
    )
    children = list(queries.children_with_counts(area))
    if request.user.is_authenticated and area.tier != Tier.VILLAGE:
        coverage = {row.area.pk: row for row in team_coverage(area)}
        for child in children:
            child.team_coverage = coverage.get(child.pk)  # type: ignore[attr-defined]
    context = {
        "area": area,
        "ancestors": area.ancestors(),
        "children": children,
        "columns": {
            **_columns(area),
            "teams": request.user.is_authenticated
            and area.tier != Tier.COMMUNE
            and area.tier != Tier.VILLAGE,
        },
        "organizations": organizations,
        "can_add_village": can_add_village,
        "village_form": VillageForm() if can_add_village else None,
    }
    return render(request, "areas/detail.html", context)


@login_required
@require_POST
def add_village(request: HttpRequest, code: str) -> HttpResponse:
    assert isinstance(request.user, User)
    commune = queries.get_area_for_user(request.user, code, MANAGE_AREAS)
    form = VillageForm(request.POST)
    if form.is_valid():
        spec = actions.VillageSpec(
            name=form.cleaned_data["name"],
            type=form.cleaned_data["type"] or None,
            code=form.cleaned_data["code"] or None,
            population=form.cleaned_data["population"],
        )
        try:
            village = actions.do_create_village(request.user, commune, spec)
        except actions.AreaRefused as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, _("Created %(name)s.") % {"name": village.name})
            return redirect("areas:detail", code=commune.code)
    context = {
        "area": commune,
        "ancestors": commune.ancestors(),
        "children": queries.children_with_counts(commune),
        "columns": _columns(commune),
        "organizations": Organization.objects.visible_to(request.user).filter(area=commune),
        "can_add_village": True,
        "village_form": form,
    }
    return render(request, "areas/detail.html", context, status=400)


@login_required
def import_page(request: HttpRequest) -> HttpResponse:
    assert isinstance(request.user, User)
    form = ImportForm(request.POST or None, request.FILES or None)
    errors = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        data, name = upload.read(), upload.name
        kind = form.cleaned_data["kind"]
        try:
            if kind == "villages":
                count = len(actions.do_import_villages(request.user, data, name))
            elif kind == "organizations":
                count = len(actions.do_import_organizations(request.user, data, name))
            elif kind == "populations":
                count = actions.do_import_populations(request.user, data, name)
            elif kind == "cases":
                count = len(risk_actions.do_import_cases(request.user, data, name))
            elif kind == "coverage":
                count = risk_actions.do_import_coverage(request.user, data, name)
            else:
                prop = form.cleaned_data["code_property"] or "code"
                count = actions.do_import_boundaries(request.user, data, prop, source=name)
        except ImportRejected as exc:
            errors = exc.errors
        else:
            message = ngettext("Imported %(count)s row.", "Imported %(count)s rows.", count)
            messages.success(request, message % {"count": count})
            return redirect("areas:import")
    status = 400 if errors else 200
    return render(request, "areas/import.html", {"form": form, "errors": errors}, status=status)


@login_required
def organization_list(request: HttpRequest) -> HttpResponse:
    form = OrganizationFilter(request.GET or None)
    area = None
    text = kind = ""
    if form.is_valid():
        text, kind = form.cleaned_data["q"], form.cleaned_data["type"]
        if form.cleaned_data["area"]:
            try:
                area = queries.get_area(form.cleaned_data["area"])
            except Http404:
                form.add_error("area", _("No such area."))
    rows = queries.search_organizations(request.user, area=area, text=text, type=kind)
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "areas/organizations.html",
        {"form": form, "page": page, "area": area, "query": query.urlencode()},
    )


@login_required
def organization_detail(request: HttpRequest, code: str) -> HttpResponse:
    org = queries.get_organization_for_user(request.user, code)
    managed = org.managed_organizations.visible_to(request.user).select_related("area")[:200]
    return render(request, "areas/organization.html", {"org": org, "managed": managed})
