"""Pages of criteria sets, assessments and announcements."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from vungxanh.accounts.models import AuditEvent, User
from vungxanh.accounts.roles import ANNOUNCE_SAFE, ASSESS_SAFETY, EDIT_CRITERIA, VERIFY_SAFETY
from vungxanh.accounts.scope import scope_for
from vungxanh.areas.models import TYPES_OF_TIER, Area, Organization, Tier
from vungxanh.lib import clock
from vungxanh.lib.tabular import ImportRejected

from . import actions, queries, rules
from .models import AnnouncedUnit, Announcement, Assessment, CriteriaSet, CriteriaSetVersion

PER_PAGE = 50
EXPIRING_WITHIN = 14  # days: ratings shown as "expiring soon" to their unit and verifiers
UNITS_LISTED = 500


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


# Sets ------------------------------------------------------------------------------------------


def sets(request: HttpRequest) -> HttpResponse:
    """Every criteria set, its versions and their provenance (public: the rules are public)."""
    rows = CriteriaSet.objects.prefetch_related(
        Prefetch("versions", queryset=CriteriaSetVersion.objects.order_by("-version"))
    )
    return render(request, "criteria/sets.html", {"sets": rows})


@dataclass
class CriterionView:
    criterion: rules.Criterion
    section: str
    top: float | None


def set_detail(request: HttpRequest, code: str) -> HttpResponse:
    cset = get_object_or_404(CriteriaSet, code=code)
    versions = list(cset.versions.order_by("-version"))
    number = request.GET.get("v", "")
    version = next((v for v in versions if str(v.version) == number), None) or (
        cset.current() or (versions[0] if versions else None)
    )
    if version is None:
        raise Http404
    definition = version.parsed
    can_edit = not scope_for(request.user, EDIT_CRITERIA).is_empty
    context = {
        "cset": cset,
        "versions": versions,
        "version": version,
        "definition": definition,
        "criteria": [
            CriterionView(c, definition.sections.get(c.section, c.section), c.top)
            for c in definition.criteria
        ],
        "publish_errors": definition.publish_errors(),
        "can_edit": can_edit,
        "result_rows": _result_rows(definition),
    }
    return render(request, "criteria/set_detail.html", context)


def _result_rows(definition: rules.Definition) -> list[tuple[str, rules.Rating]]:
    """The result rule in words, one row per rating."""
    result = definition.result
    rows: list[tuple[str, rules.Rating]] = []
    if isinstance(result, rules.PercentResult):
        low = 0.0
        for band in result.bands:
            text = _("%(low)s%% to %(high)s%% of %(total)s points") % {
                "low": f"{low:g}" if low == 0 else f"> {low:g}",
                "high": f"{band.up_to:g}",
                "total": f"{result.out_of:g}",
            }
            rows.append((text, definition.rating(band.rating)))
            low = band.up_to
        return rows
    must = [c.number for c in definition.criteria if c.must_pass]
    for tier in result.tiers:
        text = _("at least %(n)s criteria passed") % {"n": tier.min_passed}
        if tier.with_must_pass and must:
            text += " " + _("including %(list)s") % {"list": ", ".join(must)}
        rows.append((text, definition.rating(tier.rating)))
    rows.append((_("otherwise"), definition.rating(result.otherwise)))
    return rows


@login_required
@require_POST
def publish(request: HttpRequest, code: str, number: int) -> HttpResponse:
    version = queries.get_version(code, number)
    try:
        actions.do_publish_version(_user(request), version)
    except actions.CriteriaRefused as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Version %(n)s is published.") % {"n": number})
    return redirect(f"{_set_url(code)}?v={number}")


@login_required
@require_POST
def new_version(request: HttpRequest, code: str) -> HttpResponse:
    """A new draft copied from the version shown, to be edited criterion by criterion."""
    cset = get_object_or_404(CriteriaSet, code=code)
    source = queries.get_version(code, _int(request.POST.get("from")))
    try:
        draft = actions.do_draft_version(
            _user(request),
            cset,
            definition=source.definition,
            decision=source.decision,
            decision_date=source.decision_date,
            effective_from=max(source.effective_from, clock.today()),
            provenance=source.provenance,
        )
    except actions.CriteriaRefused as exc:
        messages.error(request, exc.message)
        return redirect(_set_url(code))
    messages.success(request, _("Draft version %(n)s made; edit it below.") % {"n": draft.version})
    return redirect(f"{_set_url(code)}?v={draft.version}")


def _int(text: str | None) -> int | None:
    return int(text) if text and text.isdigit() else None


def _set_url(code: str) -> str:
    from django.urls import reverse

    return reverse("criteria:set", args=[code])


@login_required
def edit_criterion(request: HttpRequest, code: str, number: int, criterion: str) -> HttpResponse:
    """Edit one criterion of a draft: wording, points, options or bands, must-pass, provenance."""
    version = queries.get_version(code, number)
    user = _user(request)
    if scope_for(user, EDIT_CRITERIA).is_empty:
        raise Http404
    definition = version.parsed
    current = definition.criterion(criterion)
    if current is None:
        raise Http404
    error = ""
    values = _criterion_form_values(current)
    if request.method == "POST":
        values = {k: request.POST.get(k, "") for k in values}
        try:
            changed = _criterion_from_form(current, values)
            data = definition.model_dump(mode="json")
            data["criteria"] = [
                changed if c["number"] == criterion else c for c in data["criteria"]
            ]
            actions.do_update_draft(user, version, data)
        except (ValueError, actions.CriteriaRefused) as exc:
            error = exc.message if isinstance(exc, actions.CriteriaRefused) else str(exc)
        else:
            messages.success(request, _("Criterion %(n)s saved.") % {"n": criterion})
            return redirect(f"{_set_url(code)}?v={number}#c-{criterion}")
    context = {
        "version": version,
        "cset": version.criteria_set,
        "criterion": current,
        "values": values,
        "error": error,
        "statuses": [
            ("confirmed", _("confirmed")),
            ("remembered", _("remembered, not confirmed")),
            ("unknown", _("not found")),
        ],
    }
    return render(request, "criteria/criterion_form.html", context, status=400 if error else 200)


def _criterion_form_values(c: rules.Criterion) -> dict[str, str]:
    return {
        "text": c.text,
        "max_points": "" if c.max_points is None else f"{c.max_points:g}",
        "options": "\n".join(
            f"{o.key} | {o.label} | {'' if o.points is None else f'{o.points:g}'}"
            for o in c.options
        ),
        "bands": "\n".join(f"{b.min:g} | {b.points:g}" for b in c.bands),
        "must_pass": "1" if c.must_pass else "",
        "status": c.status,
        "complete": "1" if c.complete else "",
        "source": c.source,
    }


def _criterion_from_form(c: rules.Criterion, values: dict[str, str]) -> dict[str, Any]:
    """The criterion as edited; ValueError names the line of a bad option or band."""
    data = c.model_dump(mode="json")
    data["text"] = values["text"].strip()
    data["must_pass"] = bool(values["must_pass"])
    data["complete"] = bool(values["complete"])
    data["status"] = values["status"] if values["status"] in rules.Status.__args__ else c.status  # type: ignore[attr-defined]
    data["source"] = values["source"].strip()
    if c.kind == "scale":
        data["max_points"] = _float_or_none(values["max_points"], _("maximum points"))
    if c.kind == "choice":
        options = []
        for n, line in enumerate(values["options"].splitlines(), start=1):
            if not line.strip():
                continue
            parts = [p.strip() for p in line.split("|")]
            if len(parts) != 3:
                raise ValueError(_("Options, line %(n)s: write “key | label | points”.") % {"n": n})
            options.append(
                {
                    "key": parts[0],
                    "label": parts[1],
                    "points": _float_or_none(parts[2], _("options, line %(n)s") % {"n": n}),
                }
            )
        data["options"] = options
    if c.kind == "number":
        bands = []
        for n, line in enumerate(values["bands"].splitlines(), start=1):
            if not line.strip():
                continue
            parts = [p.strip() for p in line.split("|")]
            where = _("bands, line %(n)s") % {"n": n}
            low, points = (_float_or_none(p, where) for p in [*parts, "", ""][:2])
            if len(parts) != 2 or low is None or points is None:
                raise ValueError(_("Bands, line %(n)s: write “from | points”.") % {"n": n})
            bands.append({"min": low, "points": points})
        data["bands"] = bands
    if not data["text"]:
        raise ValueError(_("The criterion needs its wording."))
    return data


def _float_or_none(text: str, where: str) -> float | None:
    text = text.strip().replace(",", ".")
    if not text:
        return None
    try:
        return float(text)
    except ValueError:
        raise ValueError(
            _("%(where)s: “%(text)s” is not a number.") % {"where": where, "text": text}
        ) from None


class SetFileForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("File (XLSX or JSON, as exported)"))


@login_required
def import_version(request: HttpRequest, code: str) -> HttpResponse:
    """A set's file, as exported and edited, taken whole as a new draft version."""
    cset = get_object_or_404(CriteriaSet, code=code)
    user = _user(request)
    if scope_for(user, EDIT_CRITERIA).is_empty:
        raise Http404
    form = SetFileForm(request.POST or None, request.FILES or None)
    errors = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            version = actions.do_import_version(user, cset, upload.read(), upload.name or "")
        except ImportRejected as exc:
            errors = exc.errors
        except actions.CriteriaRefused as exc:
            form.add_error("file", exc.message)
        else:
            messages.success(
                request, _("Imported as draft version %(n)s.") % {"n": version.version}
            )
            return redirect(f"{_set_url(code)}?v={version.version}")
    context = {"cset": cset, "form": form, "errors": errors}
    status = 400 if errors or form.errors else 200
    return render(request, "criteria/import.html", context, status=status)


# Assessments -----------------------------------------------------------------------------------


def _assessable_units(user: User) -> tuple[list[Area], list[Organization]]:
    scope = scope_for(user, ASSESS_SAFETY)
    if scope.is_empty:
        return [], []
    types = [*TYPES_OF_TIER[Tier.VILLAGE], *TYPES_OF_TIER[Tier.COMMUNE]]
    areas = list(
        Area.objects.filter(scope.q(area_path="path"), type__in=types)
        .select_related("parent")
        .order_by("path")[:UNITS_LISTED]
    )
    orgs = list(
        Organization.objects.filter(scope.q(area_path="area__path", org_path="management_path"))
        .select_related("area")
        .order_by("name")[:UNITS_LISTED]
    )
    return areas, orgs


@login_required
def assessments(request: HttpRequest) -> HttpResponse:
    """Assessments in scope: those waiting for the user's verification first, then the list."""
    user = _user(request)
    visible = queries.assessments_for(user)
    status = request.GET.get("trang-thai", "")
    listed = visible.filter(status=status) if status in Assessment.Status.values else visible
    verify = scope_for(user, VERIFY_SAFETY)
    to_verify = (
        []
        if verify.is_empty
        else list(
            visible.filter(
                verify.q(area_path="area_path", org_path="org_path"),
                status=Assessment.Status.SUBMITTED,
            ).exclude(submitted_by=user)[:PER_PAGE]
        )
    )
    today = clock.today()
    expiring = list(
        visible.filter(
            status=Assessment.Status.VERIFIED,
            valid_until__gte=today,
            valid_until__lte=today + timedelta(days=EXPIRING_WITHIN),
        ).order_by("valid_until")[:PER_PAGE]
    )
    areas, orgs = _assessable_units(user)
    context = {
        "page": Paginator(listed, PER_PAGE).get_page(request.GET.get("page")),
        "query": f"trang-thai={status}" if status else "",
        "status": status,
        "statuses": Assessment.Status.choices,
        "to_verify": to_verify,
        "expiring": expiring,
        "today": today,
        "sets": [s for s in CriteriaSet.objects.all() if s.current() is not None],
        "unit_areas": areas,
        "unit_orgs": orgs,
    }
    return render(request, "criteria/assessments.html", context)


@login_required
@require_POST
def start(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    cset = get_object_or_404(CriteriaSet, code=request.POST.get("set", ""))
    kind, _sep, code = request.POST.get("unit", "").partition(":")
    area = org = None
    if kind == "a":
        area = Area.objects.filter(code=code).first()
    elif kind == "o":
        org = Organization.objects.select_related("area").filter(code=code).first()
    if area is None and org is None:
        messages.error(request, _("Choose the unit to assess."))
        return redirect("criteria:assessments")
    try:
        assessment = actions.do_start_assessment(user, cset, area=area, organization=org)
    except actions.CriteriaRefused as exc:
        if exc.field == "unit" and "scope" in exc.message:
            raise Http404 from exc
        messages.error(request, exc.message)
        return redirect("criteria:assessments")
    return redirect("criteria:assessment", assessment_id=assessment.pk)


@dataclass
class Row:
    """One criterion on the assessment page, with the unit's answer and what it gives."""

    criterion: rules.Criterion
    section: str
    value: Any
    auto: float | None
    points: float
    passed: bool | None
    error: str = ""


def _rows(assessment: Assessment, answers: dict[str, Any], errors: dict[str, str]) -> list[Row]:
    definition = assessment.version.parsed
    auto = assessment.auto_answers
    merged = actions.merged_answers(definition, answers, auto)
    result = rules.score(definition, {k: v for k, v in merged.items() if k not in errors})
    by_number = {d.number: d for d in result.details}
    return [
        Row(
            c,
            definition.sections.get(c.section, c.section),
            merged.get(c.number),
            auto.get(c.number),
            by_number[c.number].points,
            by_number[c.number].passed,
            errors.get(c.number, ""),
        )
        for c in definition.criteria
    ]


def _answers_from_post(assessment: Assessment, data: Any) -> dict[str, Any]:
    definition = assessment.version.parsed
    return {
        c.number: data.get(f"c-{c.number}", "")
        for c in definition.criteria
        if c.number not in assessment.auto_answers
    }


@login_required
def assessment(request: HttpRequest, assessment_id: int) -> HttpResponse:
    user = _user(request)
    item = queries.get_assessment_for_user(user, assessment_id)
    return _render_assessment(request, item)


def _render_assessment(
    request: HttpRequest,
    item: Assessment,
    *,
    answers: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> HttpResponse:
    user = _user(request)
    definition = item.version.parsed
    can_assess = actions._covers(user, ASSESS_SAFETY, item) and item.status in actions.EDITABLE
    can_verify = (
        actions._covers(user, VERIFY_SAFETY, item)
        and item.status == Assessment.Status.SUBMITTED
        and item.submitted_by_id != user.pk
    )
    history = (
        queries.assessments_for(user)
        .filter(area=item.area, organization=item.organization)
        .exclude(pk=item.pk)[:20]
    )
    events = (
        AuditEvent.objects.filter(object_type="criteria.assessment", object_id=str(item.pk))
        .select_related("actor")
        .order_by("at")
    )
    context = {
        "a": item,
        "definition": definition,
        "rating": definition.rating(item.rating) if item.rating else None,
        "rows": _rows(item, item.answers if answers is None else answers, errors or {}),
        "can_assess": can_assess,
        "can_verify": can_verify,
        "history": history,
        "events": [(e, _event_text(e)) for e in events],
        "ratings": {r.code: {"label": r.label, "allows": r.allows} for r in definition.ratings},
        "evidence": item.evidence.all(),
        "today": clock.today(),
        "correction_slots": range(3),
        "correctable": [c for c in definition.criteria if c.number not in item.auto_answers],
    }
    return render(request, "criteria/assessment.html", context, status=status)


def _event_text(event: AuditEvent) -> str:
    statuses = dict(Assessment.Status.choices)
    if event.verb == "transition" and event.after:
        return str(statuses.get(event.after.get("status", ""), event.after.get("status", "")))
    return str(EVENT_LABELS.get(event.verb, event.verb))


EVENT_LABELS = {
    "start_assessment": gettext_lazy("started"),
    "save_assessment": gettext_lazy("answers saved"),
    "correct_assessment": gettext_lazy("answers corrected by the verifier"),
    "add_evidence": gettext_lazy("evidence attached"),
}


@login_required
@require_POST
def save(request: HttpRequest, assessment_id: int) -> HttpResponse:
    """Save the answers; with "submit", send them for verification too."""
    user = _user(request)
    item = queries.get_assessment_for_user(user, assessment_id)
    answers = _answers_from_post(item, request.POST)
    try:
        actions.do_save_answers(user, item, answers)
    except actions.CriteriaRefused as exc:
        return _render_assessment(
            request, item, answers=answers, errors={exc.field: exc.message}, status=400
        )
    if "submit" in request.POST:
        try:
            actions.do_submit_assessment(user, item)
        except actions.CriteriaRefused as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Submitted for verification."))
    else:
        messages.success(request, _("Saved."))
    return redirect("criteria:assessment", assessment_id=item.pk)


@login_required
@require_POST
def upload_evidence(request: HttpRequest, assessment_id: int) -> HttpResponse:
    user = _user(request)
    item = queries.get_assessment_for_user(user, assessment_id)
    upload = request.FILES.get("file")
    if upload is None:
        messages.error(request, _("Choose a file to attach."))
    else:
        try:
            actions.do_add_evidence(user, item, upload, request.POST.get("criterion", ""))
        except actions.CriteriaRefused as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Attached %(name)s.") % {"name": upload.name})
    return redirect("criteria:assessment", assessment_id=item.pk)


@login_required
def evidence_file(request: HttpRequest, assessment_id: int, evidence_id: int) -> FileResponse:
    item = queries.get_assessment_for_user(_user(request), assessment_id)
    evidence = get_object_or_404(item.evidence, pk=evidence_id)
    return FileResponse(
        evidence.file.open("rb"), content_type=evidence.content_type, filename=evidence.name
    )


@login_required
@require_POST
def review(request: HttpRequest, assessment_id: int) -> HttpResponse:
    """Verify (with corrections, each with a reason) or return with a reason."""
    user = _user(request)
    item = queries.get_assessment_for_user(user, assessment_id)
    try:
        if request.POST.get("decision") == "return":
            actions.do_return_assessment(user, item, request.POST.get("note", ""))
            messages.success(request, _("Returned to the unit."))
        else:
            fixes = []
            for i in range(3):
                number = request.POST.get(f"fix-{i}-criterion", "")
                if number:
                    fixes.append(
                        actions.Correction(
                            number,
                            request.POST.get(f"fix-{i}-value", ""),
                            request.POST.get(f"fix-{i}-reason", ""),
                        )
                    )
            actions.do_verify_assessment(
                user, item, note=request.POST.get("note", ""), corrections=fixes
            )
            messages.success(request, _("Verified."))
    except actions.CriteriaRefused as exc:
        if exc.field == "unit":
            raise Http404 from exc
        general = exc.field in ("status", "verifier", "reason", "set")
        messages.error(request, exc.message if general else str(exc))
    return redirect("criteria:assessment", assessment_id=item.pk)


# Announcements ---------------------------------------------------------------------------------


def announcements(request: HttpRequest) -> HttpResponse:
    """Public: the villages and residential groups announced safe, where, and until when."""
    today = clock.today()
    rows = (
        Announcement.objects.filter(status=Announcement.Status.IN_FORCE)
        .prefetch_related(
            Prefetch(
                "units",
                queryset=AnnouncedUnit.objects.select_related(
                    "area", "area__parent", "area__parent__parent"
                ),
            )
        )
        .order_by("-signed_on", "-pk")
    )
    current = [a for a in rows if a.valid_until >= today]
    past = [a for a in rows if a.valid_until < today]
    user = request.user
    can_announce = user.is_authenticated and not scope_for(user, ANNOUNCE_SAFE).is_empty
    candidates: list[Assessment] = []
    areas: list[Area] = []
    if can_announce:
        scope = scope_for(user, ANNOUNCE_SAFE)
        candidates = list(
            Assessment.objects.filter(
                scope.q(area_path="area_path"),
                status=Assessment.Status.VERIFIED,
                safe=True,
                valid_until__gte=today,
                area__type__in=TYPES_OF_TIER[Tier.VILLAGE],
            )
            .select_related("area", "area__parent", "version__criteria_set")
            .order_by("area_path")[:UNITS_LISTED]
        )
        areas = list(
            Area.objects.filter(scope.q(area_path="path"), level__lte=2).order_by("path")[:100]
        )
    flagged = sum(1 for a in current for u in a.units.all() if u.flagged_at)
    units_in_force = sum(len(a.units.all()) for a in current)
    context = {
        "current": current,
        "past": past,
        "today": today,
        "flagged": flagged,
        "units_in_force": units_in_force,
        "can_announce": can_announce,
        "candidates": candidates,
        "authority_areas": areas,
        "form": request.POST if request.method == "POST" else {},
    }
    return render(request, "criteria/announcements.html", context)


@login_required
@require_POST
def announce(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    area = Area.objects.filter(code=request.POST.get("area", "")).first()
    ids = [int(i) for i in request.POST.getlist("assessment") if i.isdigit()]
    chosen = list(queries.assessments_for(user).filter(pk__in=ids))
    days = {
        k: clock.parse_day(request.POST.get(k, ""))
        for k in ("signed_on", "valid_from", "valid_until")
    }
    missing = [k for k, v in days.items() if v is None]
    if area is None or missing or len(chosen) != len(ids):
        messages.error(
            request,
            _("Fill in the decision: area, dates (dd/mm/yyyy) and at least one village."),
        )
        return redirect("criteria:announcements")
    try:
        made = actions.do_announce(
            user,
            area,
            number=request.POST.get("number", "").strip(),
            signer=request.POST.get("signer", "").strip(),
            issuer=request.POST.get("issuer", "").strip(),
            signed_on=days["signed_on"],  # type: ignore[arg-type]
            valid_from=days["valid_from"],  # type: ignore[arg-type]
            valid_until=days["valid_until"],  # type: ignore[arg-type]
            assessments=chosen,
        )
    except actions.CriteriaRefused as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Announcement %(number)s recorded.") % {"number": made.number})
    return redirect("criteria:announcements")


@login_required
@require_POST
def clear_flag(request: HttpRequest, unit_id: int) -> HttpResponse:
    user = _user(request)
    unit = get_object_or_404(AnnouncedUnit.objects.select_related("announcement"), pk=unit_id)
    try:
        actions.do_clear_flag(user, unit, request.POST.get("note", ""))
    except actions.CriteriaRefused as exc:
        raise Http404 from exc
    messages.success(request, _("The unit stays in the announcement."))
    return redirect("criteria:announcements")
