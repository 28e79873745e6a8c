"""Pages of the risk capability other than the map: rulesets, an area's level and its history."""

from __future__ import annotations

import json
from datetime import date

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from vungxanh.accounts.models import User
from vungxanh.accounts.roles import EDIT_RULES, ENTER_CASES, OVERRIDE_LEVELS
from vungxanh.accounts.scope import scope_for
from vungxanh.areas.models import Tier
from vungxanh.areas.queries import get_area, get_area_for_user

from . import actions, queries, real_data
from .forms import CaseForm, OverrideForm, RulesetVersionForm
from .models import AreaLevel, Override, Ruleset, RulesetVersion
from .rules import RulesetParams


def _form_errors(form: forms.Form) -> str:
    return "; ".join(
        f"{field}: {' '.join(map(str, errors))}" for field, errors in form.errors.items()
    )


def rulesets(request: HttpRequest) -> HttpResponse:
    rows = []
    for ruleset in Ruleset.objects.prefetch_related("versions"):
        versions = [(v, RulesetParams.model_validate(v.params)) for v in ruleset.versions.all()]
        rows.append((ruleset, versions))
    can_edit = not scope_for(request.user, EDIT_RULES).is_empty
    return render(request, "risk/rulesets.html", {"rulesets": rows, "can_edit": can_edit})


def ruleset_version_form(request: HttpRequest, code: str) -> HttpResponse:
    if scope_for(request.user, EDIT_RULES).is_empty:
        raise Http404
    assert isinstance(request.user, User)
    ruleset = Ruleset.objects.filter(code=code).first()
    if ruleset is None:
        raise Http404
    latest = ruleset.versions.order_by("-version").first()
    initial = {"params": json.dumps(latest.params if latest else {}, indent=2, ensure_ascii=False)}
    form = RulesetVersionForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            version = actions.do_draft_ruleset_version(request.user, ruleset, **form.cleaned_data)
        except actions.RiskRefused as exc:
            form.add_error("params", exc.message)
        else:
            messages.success(request, _("Draft version %(n)s saved.") % {"n": version.version})
            return redirect("risk:rulesets")
    return render(request, "risk/ruleset_form.html", {"form": form, "ruleset": ruleset})


@require_POST
def publish_version(request: HttpRequest, code: str, number: int) -> HttpResponse:
    if scope_for(request.user, EDIT_RULES).is_empty:
        raise Http404
    assert isinstance(request.user, User)
    version = RulesetVersion.objects.filter(ruleset__code=code, version=number).first()
    if version is None:
        raise Http404
    try:
        actions.do_publish_ruleset_version(request.user, version)
    except actions.RiskRefused as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Published; the levels were recomputed."))
    return redirect("risk:rulesets")


def area_level(request: HttpRequest, code: str) -> HttpResponse:
    """An area's level: the latest day, computed beside any override, why, and its history."""
    area = get_area(code)
    if area.tier == Tier.VILLAGE:
        raise Http404
    latest = AreaLevel.objects.filter(area=area).order_by("-date").first()
    versions = {v.pk: v for v in RulesetVersion.objects.select_related("ruleset")}
    history = queries.history(area)
    context = {
        "area": area,
        "ancestors": area.ancestors(),
        "latest": latest,
        "explanation": queries.explanation(latest, versions) if latest else "",
        "version": versions.get(latest.ruleset_version_id) if latest else None,
        "changes": list(reversed(history["changes"]))[:30],
        "overrides": Override.objects.filter(area=area).select_related("created_by"),
        "override_form": (
            OverrideForm() if scope_for(request.user, OVERRIDE_LEVELS).covers(area.path) else None
        ),
        "case_form": (
            CaseForm()
            if area.tier == Tier.COMMUNE and scope_for(request.user, ENTER_CASES).covers(area.path)
            else None
        ),
    }
    return render(request, "risk/area_level.html", context)


@require_POST
def set_override(request: HttpRequest, code: str) -> HttpResponse:
    assert isinstance(request.user, User)
    area = get_area_for_user(request.user, code, OVERRIDE_LEVELS)
    form = OverrideForm(request.POST)
    if form.is_valid():
        try:
            actions.do_set_override(request.user, area, **form.cleaned_data)
        except actions.RiskRefused as exc:
            messages.error(request, exc.message)
        else:
            messages.success(
                request, _("The level was set by hand; the computed level stays visible beside it.")
            )
    else:
        messages.error(request, _form_errors(form))
    return redirect("risk:area", code=area.code)


@require_POST
def record_cases(request: HttpRequest, code: str) -> HttpResponse:
    assert isinstance(request.user, User)
    area = get_area_for_user(request.user, code, ENTER_CASES)
    form = CaseForm(request.POST)
    if form.is_valid():
        actions.do_record_cases(request.user, [actions.CaseInput(area=area, **form.cleaned_data)])
        messages.success(request, _("Cases recorded; the levels were recomputed."))
    else:
        messages.error(request, _form_errors(form))
    return redirect("risk:area", code=area.code)


def real_provinces(request: HttpRequest) -> HttpResponse:
    """Real provinces, week by week, under 4800's criterion 1 (MoH daily counts, 2021–2022)."""
    codes = [c for c in request.GET.getlist("province") if c.isdigit()] or list(
        real_data.DEFAULT_PROVINCES
    )
    try:
        done = real_data.assess_provinces(
            codes,
            date.fromisoformat(real_data.DEFAULT_FROM),
            date.fromisoformat(real_data.DEFAULT_TO),
        )
    except ValueError as exc:
        raise Http404(str(exc)) from exc
    by_week: dict[date, dict[str, real_data.LevelRow]] = {}
    for row in done.rows:
        by_week.setdefault(row.week_ending, {})[row.province_code] = row
    provinces = list(dict.fromkeys(r.province_code for r in done.rows))
    names = {r.province_code: r.province_name for r in done.rows}
    context = {
        "provinces": [(c, names[c]) for c in provinces],
        "weeks": [(day, [cells.get(c) for c in provinces]) for day, cells in by_week.items()],
    }
    return render(request, "risk/real_provinces.html", context)
