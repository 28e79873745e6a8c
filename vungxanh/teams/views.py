"""Pages of teams and the monitoring register.

Privacy (Decree 13/2023, health data is sensitive): names only for roles carrying VIEW_PERSONAL
over the area (the village's team, the commune's officers, health officers); everyone else gets
counts. Lists mask ID numbers and phones; opening a record asks its purpose and is logged; an
export needs a stated purpose and is logged. Out-of-scope objects answer 404.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import (
    Count,
    Exists,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    prefetch_related_objects,
)
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from vungxanh.accounts.models import User
from vungxanh.accounts.roles import KEEP_REGISTER, MANAGE_TEAMS, VIEW_PERSONAL
from vungxanh.accounts.scope import get_visible_or_404, require_scope, scope_for
from vungxanh.accounts.throttle import client_ip
from vungxanh.areas.models import TYPES_OF_TIER, Area, AreaQuerySet, Tier, under
from vungxanh.areas.queries import get_area, get_area_for_user
from vungxanh.lib import clock
from vungxanh.lib.tabular import ImportRejected

from . import actions, exports, queries
from .forms import (
    CheckForm,
    CloseForm,
    CommitmentForm,
    EscalateForm,
    ExportForm,
    ImportForm,
    MemberForm,
    ProblemForm,
    PurposeForm,
    RegisterFilter,
    RegisterForm,
    TeamForm,
)
from .models import Category, Check, Commitment, Member, RegisterEntry, Team

PER_PAGE = 50
LATE_VILLAGES_SHOWN = 100
# The escalation steps `actions.do_escalate` allows from each state.
NEXT_STEPS: dict[str, list[str]] = {
    RegisterEntry.Escalation.NONE: [RegisterEntry.Escalation.REFERRED],
    RegisterEntry.Escalation.REFERRED: [
        RegisterEntry.Escalation.TESTED,
        RegisterEntry.Escalation.NONE,
    ],
    RegisterEntry.Escalation.TESTED: [RegisterEntry.Escalation.NONE],
}


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


def _day_of(entry: RegisterEntry, day: date) -> tuple[int, int]:
    """Day N of M of the monitoring period (day 1 is the start date)."""
    return (day - entry.start_date).days + 1, (entry.end_date - entry.start_date).days + 1


def _villages_under(area: Area) -> AreaQuerySet:
    return Area.objects.filter(under(area.path)).of_tier(Tier.VILLAGE)


def _crumbs(user: User, area: Area, permission: str | None = None) -> list[tuple[Area, bool]]:
    """The area's ancestors, each with whether the user may open the same page there."""
    scope = scope_for(user, permission)
    return [(a, scope.covers(a.path)) for a in area.ancestors()]


def _tabs(user: User, area: Area, current: str) -> dict[str, Any]:
    """Which of the area's pages of this capability the user may open."""
    return {
        "current": current,
        "register": scope_for(user, VIEW_PERSONAL).covers(area.path),
        "daily": area.tier == Tier.VILLAGE and scope_for(user, KEEP_REGISTER).covers(area.path),
    }


# The daily list (the phone page) ------------------------------------------------------------


@dataclass
class DailyCard:
    entry: RegisterEntry
    day_n: int
    day_m: int
    check: Check | None

    @property
    def checked(self) -> bool:
        return self.check is not None


def _daily_village(user: User, village_code: str) -> Area:
    village = get_area_for_user(user, village_code, KEEP_REGISTER)
    if village.tier != Tier.VILLAGE:
        raise Http404
    return village


def _daily_url(village: Area, day: date, anchor: str = "") -> str:
    url = reverse("teams:daily", args=[village.code])
    if day != clock.today():
        url += "?" + urlencode({"ngay": day.strftime("%d/%m/%Y")})
    return url + (f"#{anchor}" if anchor else "")


def _daily_cards(page: queries.DailyPage, day: date) -> list[DailyCard]:
    prefetch_related_objects(
        page.entries,
        Prefetch("checks", queryset=Check.objects.filter(date=day), to_attr="day_checks"),
    )
    cards = []
    for entry in page.entries:
        n, m = _day_of(entry, day)
        day_checks = entry.day_checks  # type: ignore[attr-defined]
        cards.append(DailyCard(entry, n, m, day_checks[0] if day_checks else None))
    return cards


@login_required
def daily(request: HttpRequest, village_code: str) -> HttpResponse:
    """The village's people to check today: one big "all clear" per person, a few fields for a
    problem. Made for a phone, works without JavaScript."""
    village = _daily_village(_user(request), village_code)
    today = clock.today()
    day = today
    if text := request.GET.get("ngay", ""):
        parsed = clock.parse_day(text)
        if parsed is None or parsed > today + timedelta(days=1):
            messages.error(request, _("“%(value)s” is not a day of the list.") % {"value": text})
        else:
            day = parsed
    return _render_daily(request, village, day)


def _render_daily(
    request: HttpRequest,
    village: Area,
    day: date,
    *,
    failed: int | None = None,
    problem_form: ProblemForm | None = None,
    status: int = 200,
) -> HttpResponse:
    page = queries.daily_page(village, day, _page_number(request))
    cards = _daily_cards(page, day)
    today = clock.today()
    context = {
        "village": village,
        "commune": village.parent,
        "day": day,
        "today": today,
        "is_today": day == today,
        "previous_day": day - timedelta(days=1),
        "next_day": day + timedelta(days=1) if day < today else None,
        "cards": cards,
        "page": page,
        "done": page.done,
        "total": page.total,
        "failed": failed,
        "problem_form": problem_form,
        "fresh_form": ProblemForm(),
        "iso_day": day.isoformat(),
    }
    return render(request, "teams/daily.html", context, status=status)


@login_required
@require_POST
def daily_check(request: HttpRequest, village_code: str, entry_id: int) -> HttpResponse:
    """Record one person's check from the daily list, then go back to the next person."""
    user = _user(request)
    village = _daily_village(user, village_code)
    entry = (
        RegisterEntry.objects.select_related("person").filter(pk=entry_id, village=village).first()
    )
    day = clock.parse_day(request.POST.get("date", ""))
    if entry is None or day is None:
        raise Http404
    if request.POST.get("result") == "problem":
        form = ProblemForm(request.POST)
        if not form.is_valid():
            return _render_daily(
                request, village, day, failed=entry.pk, problem_form=form, status=400
            )
        spec = actions.CheckSpec(
            day,
            temperature=form.cleaned_data["temperature"],
            symptoms=form.symptom_text,
            at_home=not form.cleaned_data["not_at_home"],
        )
    else:
        spec = actions.CheckSpec(day, at_home=True)
    try:
        check = actions.do_record_check(user, entry, spec)
    except actions.TeamRefused as exc:
        if exc.field == "area":
            raise Http404 from exc
        messages.error(request, f"{entry.person.full_name}: {exc.message}")
        return redirect(_daily_url(village, day, f"p-{entry.pk}"))
    if check.has_problem:
        messages.warning(
            request,
            _("%(name)s: problem recorded; referred to the health station.")
            % {"name": entry.person.full_name},
        )
    else:
        messages.success(request, _("%(name)s: all clear.") % {"name": entry.person.full_name})
    return redirect(_daily_url(village, day, _next_anchor(village, day, entry)))


def _next_anchor(village: Area, day: date, after: RegisterEntry) -> str:
    """The next person still to check after `after` in name order (wrapping), else the top."""
    following = queries.next_to_check(village, day, after)
    return f"p-{following.pk}" if following else "progress"


def _page_number(request: HttpRequest) -> int:
    text = request.GET.get("trang", "1")
    return int(text) if text.isdigit() else 1


# The register list ----------------------------------------------------------------------------


def _register_villages(user: User, area: Area) -> AreaQuerySet | None:
    """Villages of a commune (or the village itself) where the user keeps the register."""
    if area.tier not in (Tier.COMMUNE, Tier.VILLAGE):
        return None
    scope = scope_for(user, KEEP_REGISTER)
    villages = _villages_under(area).filter(scope.q(area_path="path")).order_by("name")
    return villages if villages.exists() else None


def _filtered_entries(
    user: User, area: Area, form: RegisterFilter, yesterday: date
) -> QuerySet[RegisterEntry]:
    entries = (
        queries.entries_under(user, area)
        .select_related("person", "village")
        .annotate(
            checked_yesterday=Exists(Check.objects.filter(entry=OuterRef("pk"), date=yesterday))
        )
    )
    data = form.cleaned_data if form.is_valid() else {}
    status = data.get("status") or "open"
    if status != "all":
        entries = entries.filter(status=status)
    if data.get("category"):
        entries = entries.filter(category=data["category"])
    if data.get("escalation"):
        entries = entries.filter(escalation=data["escalation"])
    if data.get("late"):
        entries = entries.filter(
            status=RegisterEntry.Status.OPEN,
            start_date__lte=yesterday,
            end_date__gte=yesterday,
            checked_yesterday=False,
        )
    return entries.order_by("-start_date", "person__full_name", "pk")


def _render_register(
    request: HttpRequest,
    area: Area,
    *,
    export_form: ExportForm | None = None,
    register_form: RegisterForm | None = None,
    status: int = 200,
) -> HttpResponse:
    user = _user(request)
    yesterday = clock.today() - timedelta(days=1)
    filters = RegisterFilter(request.GET or None, auto_id="filter_%s")
    page = Paginator(_filtered_entries(user, area, filters, yesterday), PER_PAGE).get_page(
        request.GET.get("page")
    )
    query = request.GET.copy()
    query.pop("page", None)
    villages = _register_villages(user, area)
    if register_form is None and villages is not None:
        register_form = RegisterForm(villages=villages, initial={"start_date": clock.today()})
    context = {
        "area": area,
        "crumbs": _crumbs(user, area, VIEW_PERSONAL),
        "tabs": _tabs(user, area, "register"),
        "filters": filters,
        "page": page,
        "query": query.urlencode(),
        "yesterday": yesterday,
        "export_form": export_form or ExportForm(),
        "register_form": register_form,
        "can_keep": scope_for(user, KEEP_REGISTER).covers(area.path),
    }
    return render(request, "teams/register.html", context, status=status)


def _register_area(user: User, area_code: str) -> Area:
    area = get_area(area_code)
    require_scope(user, area.path, VIEW_PERSONAL)
    return area


@login_required
def register_list(request: HttpRequest, area_code: str) -> HttpResponse:
    """The people under monitoring in an area, for the roles that may read their names."""
    return _render_register(request, _register_area(_user(request), area_code))


@login_required
@require_POST
def register_export(request: HttpRequest, area_code: str) -> HttpResponse:
    user = _user(request)
    area = _register_area(user, area_code)
    form = ExportForm(request.POST)
    if form.is_valid():
        try:
            export = exports.export_register(
                user,
                area,
                purpose=form.cleaned_data["purpose"],
                fmt=form.cleaned_data["format"],
                ip=client_ip(request.META),
            )
        except exports.ExportRefused as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            response = HttpResponse(export.body, content_type=export.content_type)
            response["Content-Disposition"] = f'attachment; filename="{export.filename}"'
            return response
    return _render_register(request, area, export_form=form, status=400)


@login_required
@require_POST
def register_person(request: HttpRequest, area_code: str) -> HttpResponse:
    user = _user(request)
    area = _register_area(user, area_code)
    villages = _register_villages(user, area)
    if villages is None:
        raise Http404
    form = RegisterForm(request.POST, villages=villages)
    if form.is_valid():
        data = form.cleaned_data
        person = actions.PersonSpec(
            full_name=data["full_name"],
            birth_year=data["birth_year"],
            sex=data["sex"],
            id_number=data["id_number"],
            phone=data["phone"],
            address=data["address"],
        )
        try:
            entry = actions.do_register(
                user,
                data["village"],
                person,
                category=data["category"],
                start_date=data["start_date"],
                origin=data["origin"],
                arrival_date=data["arrival_date"],
                rule=data["rule"],
            )
        except actions.TeamRefused as exc:
            field = "village" if exc.field == "area" else exc.field
            form.add_error(field if field in form.fields else None, exc.message)
        else:
            messages.success(
                request,
                _("Registered %(name)s (entry #%(id)s), monitored until %(end)s.")
                % {
                    "name": entry.person.full_name,
                    "id": entry.pk,
                    "end": entry.end_date.strftime("%d/%m/%Y"),
                },
            )
            return redirect("teams:register", area_code=area.code)
    return _render_register(request, area, register_form=form, status=400)


@login_required
def register_import(request: HttpRequest, area_code: str) -> HttpResponse:
    """A register from XLSX/CSV: every row valid and in scope, or nothing stored."""
    user = _user(request)
    area = _register_area(user, area_code)
    require_scope(user, area.path, KEEP_REGISTER)
    form = ImportForm(request.POST or None, request.FILES or None)
    errors = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            entries = actions.do_import_register(user, upload.read(), upload.name or "")
        except ImportRejected as exc:
            errors = exc.errors
        else:
            message = ngettext(
                "Registered %(count)s person.", "Registered %(count)s people.", len(entries)
            )
            messages.success(request, message % {"count": len(entries)})
            return redirect("teams:register", area_code=area.code)
    context = {
        "area": area,
        "form": form,
        "errors": errors,
        "villages": _villages_under(area).order_by("name")[:200],
        "categories": Category.choices,
    }
    return render(
        request, "teams/import.html", context, status=400 if errors or form.errors else 200
    )


# One person's record ------------------------------------------------------------------------


def _purpose_of(request: HttpRequest) -> str:
    """The purpose given: a quick choice (`muc-dich`) or one typed (`muc-dich-khac`)."""
    for name in ("muc-dich", "muc-dich-khac"):
        if value := request.GET.get(name, "").strip():
            return value
    return ""


def _record_url(entry_id: int, purpose: str, anchor: str = "") -> str:
    """The record again, opened for the same purpose (without one, the purpose is asked)."""
    url = reverse("teams:record", args=[entry_id])
    if purpose:
        url += "?" + urlencode({"muc-dich": purpose}) + (f"#{anchor}" if anchor else "")
    return url


@login_required
def record(request: HttpRequest, entry_id: int) -> HttpResponse:
    """One person's full record. The purpose of opening it is asked first; every opening is
    written to the access log with that purpose."""
    user = _user(request)
    purpose = _purpose_of(request)
    form = PurposeForm({"purpose": purpose})
    if not form.is_valid():
        # In scope or 404, before anything else; nothing personal is shown on this step.
        entry = get_visible_or_404(
            RegisterEntry.objects.select_related("village"), user, pk=entry_id
        )
        context = {
            "entry": entry,
            "form": form,
            "asked": "muc-dich" in request.GET or "muc-dich-khac" in request.GET,
            "typed": request.GET.get("muc-dich-khac", ""),
            "choices": [_("daily monitoring"), _("handling a referral"), _("reporting")],
        }
        return render(request, "teams/purpose.html", context)
    purpose = form.cleaned_data["purpose"]
    entry = queries.get_entry_for_user(user, entry_id, purpose=purpose, ip=client_ip(request.META))
    day = clock.today()
    is_open = entry.status == RegisterEntry.Status.OPEN
    can_keep = is_open and scope_for(user, KEEP_REGISTER).covers(entry.area_path)
    n, m = _day_of(entry, min(max(day, entry.start_date), entry.end_date))
    context = {
        "entry": entry,
        "person": entry.person,
        "purpose": purpose,
        "checks": entry.checks.select_related("checked_by").order_by("-date"),
        "day_n": n,
        "day_m": m,
        "in_period": entry.start_date <= day <= entry.end_date,
        "can_keep": can_keep,
        "steps": [
            (step, RegisterEntry.Escalation(step).label)
            for step in (NEXT_STEPS.get(entry.escalation, []) if can_keep else [])
        ],
        "close_form": CloseForm(initial={"on": day}) if can_keep else None,
        "check_form": CheckForm(initial={"date": day}) if can_keep else None,
        "daily_url": _daily_url(entry.village, day, f"p-{entry.pk}") if can_keep else None,
    }
    return render(request, "teams/record.html", context)


def _entry_to_change(request: HttpRequest, entry_id: int) -> tuple[User, RegisterEntry, str]:
    user = _user(request)
    entry = get_visible_or_404(
        RegisterEntry.objects.select_related("village", "person"), user, pk=entry_id
    )
    return user, entry, request.POST.get("muc-dich", "").strip()


def _refused(request: HttpRequest, exc: actions.TeamRefused) -> None:
    if exc.field == "area":
        raise Http404 from exc
    messages.error(request, exc.message)


@login_required
@require_POST
def escalate(request: HttpRequest, entry_id: int) -> HttpResponse:
    user, entry, purpose = _entry_to_change(request, entry_id)
    form = EscalateForm(request.POST)
    if form.is_valid():
        try:
            actions.do_escalate(user, entry, form.cleaned_data["to"])
        except actions.TeamRefused as exc:
            _refused(request, exc)
        else:
            messages.success(
                request,
                _("Escalation: %(step)s.")
                % {"step": RegisterEntry.Escalation(form.cleaned_data["to"]).label},
            )
    else:
        messages.error(request, _("This step does not follow from the current one."))
    return redirect(_record_url(entry.pk, purpose, "escalation"))


@login_required
@require_POST
def close(request: HttpRequest, entry_id: int) -> HttpResponse:
    user, entry, purpose = _entry_to_change(request, entry_id)
    form = CloseForm(request.POST)
    if form.is_valid():
        outcome = form.cleaned_data["outcome"]
        try:
            actions.do_close_entry(user, entry, outcome, form.cleaned_data["on"])
        except actions.TeamRefused as exc:
            _refused(request, exc)
        else:
            text = _("Closed: %(outcome)s.") % {"outcome": RegisterEntry.Outcome(outcome).label}
            if outcome == RegisterEntry.Outcome.ABSCONDED:
                text += " " + _("The police of the area are alerted.")
            messages.success(request, text)
    else:
        messages.error(request, _form_errors(form))
    return redirect(_record_url(entry.pk, purpose))


@login_required
@require_POST
def record_check(request: HttpRequest, entry_id: int) -> HttpResponse:
    user, entry, purpose = _entry_to_change(request, entry_id)
    form = CheckForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        spec = actions.CheckSpec(
            data["date"],
            temperature=data["temperature"],
            symptoms=data["symptoms"],
            at_home=not data["not_at_home"],
            test_result=data["test_result"],
        )
        try:
            actions.do_record_check(user, entry, spec)
        except actions.TeamRefused as exc:
            _refused(request, exc)
        else:
            messages.success(request, _("Check recorded."))
    else:
        messages.error(request, _form_errors(form))
    return redirect(_record_url(entry.pk, purpose, "checks"))


def _form_errors(form: Any) -> str:
    return "; ".join(
        f"{form.fields[name].label if name in form.fields else ''}: {' '.join(errors)}".lstrip(": ")
        for name, errors in form.errors.items()
    )


# Teams and coverage -------------------------------------------------------------------------


@dataclass
class VillageRow:
    """A village of a commune with its active teams."""

    village: Area
    teams: list[Team]
    with_team: bool
    on_time: bool
    can_keep: bool = False
    can_read: bool = False


def _coverage_rows(area: Area) -> list[queries.CoverageRow]:
    """Coverage per child of the area; for a commune, per village (each counts 1)."""
    if area.tier == Tier.COMMUNE:
        return _rows_of_villages(_village_rows(area))
    return queries.team_coverage(area)


def _rows_of_villages(rows: list[VillageRow]) -> list[queries.CoverageRow]:
    return [queries.CoverageRow(r.village, 1, int(r.with_team), int(r.on_time)) for r in rows]


def _village_rows(area: Area) -> list[VillageRow]:
    deadline = queries.deadline_for(area)
    today = clock.today()
    cutoff = deadline.deadline if deadline else today
    teams: dict[int, list[Team]] = {}
    for team in (
        Team.objects.filter(under(area.path, "area_path"), status=Team.Status.ACTIVE)
        .annotate(n_members=Count("members", filter=Q(members__active=True)))
        .order_by("founded_on")
    ):
        teams.setdefault(team.village_id, []).append(team)
    rows = []
    for village in _villages_under(area).order_by("name"):
        own = teams.get(village.pk, [])
        rows.append(
            VillageRow(
                village,
                own,
                with_team=any(t.founded_on <= today for t in own),
                on_time=any(t.founded_on <= cutoff for t in own),
            )
        )
    return rows


def _summary(area: Area, rows: list[queries.CoverageRow]) -> queries.CoverageRow:
    return queries.CoverageRow(
        area,
        sum(r.villages for r in rows),
        sum(r.with_team for r in rows),
        sum(r.on_time for r in rows),
    )


def _visible_area(user: User, area_code: str) -> Area:
    """An area any role of the user reaches; 404 otherwise."""
    area = get_area(area_code)
    require_scope(user, area.path)
    return area


@login_required
def coverage(request: HttpRequest, area_code: str) -> HttpResponse:
    """Teams and coverage: per child, villages with a team and those founded by the deadline."""
    user = _user(request)
    area = _visible_area(user, area_code)
    return _render_coverage(request, area)


def _render_coverage(
    request: HttpRequest, area: Area, *, team_form: TeamForm | None = None, status: int = 200
) -> HttpResponse:
    user = _user(request)
    by_village = area.tier in (Tier.COMMUNE, Tier.VILLAGE)
    village_rows = _village_rows(area) if by_village else []
    keep, personal = scope_for(user, KEEP_REGISTER), scope_for(user, VIEW_PERSONAL)
    for row in village_rows:
        row.can_keep = keep.covers(row.village.path)
        row.can_read = personal.covers(row.village.path)
    rows = _rows_of_villages(village_rows) if by_village else queries.team_coverage(area)
    teams_page = None
    if not by_village:
        teams = (
            Team.objects.filter(
                scope_for(user).q(area_path="area_path"),
                under(area.path, "area_path"),
                status=Team.Status.ACTIVE,
            )
            .select_related("village", "village__parent")
            .annotate(n_members=Count("members", filter=Q(members__active=True)))
            .order_by("area_path", "name")
        )
        teams_page = Paginator(teams, PER_PAGE).get_page(request.GET.get("page"))
    can_manage = scope_for(user, MANAGE_TEAMS).covers(area.path) and by_village
    if team_form is None and can_manage:
        team_form = TeamForm(
            villages=_villages_under(area).order_by("name"),
            initial={"founded_on": clock.today()},
        )
    late = queries.late_villages(area) if area.tier != Tier.VILLAGE else None
    context = {
        "area": area,
        "crumbs": _crumbs(user, area),
        "tabs": _tabs(user, area, "coverage"),
        "deadline": queries.deadline_for(area),
        "rows": rows,
        "summary": _summary(area, rows),
        "village_rows": village_rows,
        "by_village": by_village,
        "teams_page": teams_page,
        "late": late[:LATE_VILLAGES_SHOWN] if late is not None else None,
        "late_count": late.count() if late is not None else 0,
        "late_shown": LATE_VILLAGES_SHOWN,
        "team_form": team_form,
        "today": clock.today(),
    }
    return render(request, "teams/coverage.html", context, status=status)


@login_required
def coverage_export(request: HttpRequest, area_code: str) -> HttpResponse:
    """The coverage table as XLSX (no personal data)."""
    area = _visible_area(_user(request), area_code)
    export = exports.export_coverage(area, _coverage_rows(area))
    response = HttpResponse(export.body, content_type=export.content_type)
    response["Content-Disposition"] = f'attachment; filename="{export.filename}"'
    return response


@login_required
@require_POST
def found_team(request: HttpRequest, area_code: str) -> HttpResponse:
    user = _user(request)
    area = get_area_for_user(user, area_code, MANAGE_TEAMS)
    if area.tier not in (Tier.COMMUNE, Tier.VILLAGE):
        raise Http404
    form = TeamForm(request.POST, villages=_villages_under(area).order_by("name"))
    if form.is_valid():
        data = form.cleaned_data
        village = data["village"]
        members = (
            [actions.MemberSpec(data["leader"], Member.Role.LEADER, data["leader_phone"])]
            if data["leader"].strip()
            else []
        )
        try:
            team = actions.do_found_team(
                user,
                village,
                name=data["name"].strip() or f"Tổ tự quản {village.name}",
                founded_on=data["founded_on"],
                decision_number=data["decision_number"],
                members=members,
            )
        except actions.TeamRefused as exc:
            field = {"area": "village", "phone": "leader_phone", "role": None}.get(
                exc.field, exc.field
            )
            form.add_error(field if field in form.fields else None, exc.message)
        else:
            messages.success(request, _("Founded %(name)s.") % {"name": team.name})
            return redirect("teams:coverage", area_code=area.code)
    return _render_coverage(request, area, team_form=form, status=400)


# The dashboard --------------------------------------------------------------------------------


@login_required
def dashboard(request: HttpRequest, area_code: str) -> HttpResponse:
    """Counts only (no names): for any role over the area."""
    user = _user(request)
    area = _visible_area(user, area_code)
    data = queries.dashboard(user, area)
    rows = _coverage_rows(area) if area.tier != Tier.VILLAGE else []
    labels = dict(RegisterEntry.Outcome.choices)
    context = {
        "area": area,
        "crumbs": _crumbs(user, area),
        "tabs": _tabs(user, area, "dashboard"),
        "data": data,
        "by_category": sorted(
            ((_category_label(c), n) for c, n in data["by_category"].items()),
            key=lambda item: -item[1],
        ),
        "outcomes": [(labels.get(o, o or "—"), n) for o, n in data["outcomes"].items()],
        "rows": rows,
        "summary": _summary(area, rows) if rows else None,
        "deadline": queries.deadline_for(area),
        "can_read_names": scope_for(user, VIEW_PERSONAL).covers(area.path),
        "can_keep": area.tier == Tier.VILLAGE and scope_for(user, KEEP_REGISTER).covers(area.path),
        "by_village": area.tier == Tier.COMMUNE,
    }
    return render(request, "teams/dashboard.html", context)


def _category_label(value: str) -> str:
    return str(dict(Category.choices).get(value, value))


# One team and its members ---------------------------------------------------------------------


@login_required
def team(request: HttpRequest, team_id: int) -> HttpResponse:
    """A team: its founding, its members and their status; members added or stood down by
    whoever manages teams there."""
    user = _user(request)
    return _render_team(request, queries.get_team_for_user(user, team_id))


def _render_team(
    request: HttpRequest, team: Team, *, form: MemberForm | None = None, status: int = 200
) -> HttpResponse:
    user = _user(request)
    can_manage = scope_for(user, MANAGE_TEAMS).covers(team.area_path)
    village = team.village
    context = {
        "team": team,
        "area": village,
        "crumbs": [*_crumbs(user, village), (village, True)],
        "members": team.members.order_by("-active", "role", "full_name"),
        "can_manage": can_manage,
        "member_form": (form or MemberForm()) if can_manage else None,
    }
    return render(request, "teams/team.html", context, status=status)


@login_required
@require_POST
def add_member(request: HttpRequest, team_id: int) -> HttpResponse:
    user = _user(request)
    team = queries.get_team_for_user(user, team_id, MANAGE_TEAMS)
    form = MemberForm(request.POST)
    if form.is_valid():
        try:
            member = actions.do_add_member(user, team, actions.MemberSpec(**form.cleaned_data))
        except actions.TeamRefused as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, _("Added %(name)s.") % {"name": member.full_name})
            return redirect("teams:team", team_id=team.pk)
    return _render_team(request, team, form=form, status=400)


@login_required
@require_POST
def member_status(request: HttpRequest, team_id: int, member_id: int) -> HttpResponse:
    user = _user(request)
    team = queries.get_team_for_user(user, team_id, MANAGE_TEAMS)
    member = Member.objects.filter(pk=member_id, team=team).select_related("team").first()
    if member is None:
        raise Http404
    active = request.POST.get("active") == "1"
    try:
        actions.do_set_member_active(user, member, active)
    except actions.TeamRefused as exc:
        messages.error(request, exc.message)
    else:
        text = _("%(name)s is back in the team.") if active else _("%(name)s left the team.")
        messages.success(request, text % {"name": member.full_name})
    return redirect("teams:team", team_id=team.pk)


# Commitments -------------------------------------------------------------------------------


def _commitment_areas(user: User, area: Area) -> AreaQuerySet:
    """Where the user may record a commitment under `area`: villages where they keep the
    register, and the area itself or communes where they manage teams."""
    keep, manage = scope_for(user, KEEP_REGISTER), scope_for(user, MANAGE_TEAMS)
    tiers = Q(type__in=TYPES_OF_TIER[Tier.VILLAGE]) & (
        keep.q(area_path="path") | manage.q(area_path="path")
    )
    communes = Q(type__in=TYPES_OF_TIER[Tier.COMMUNE]) & manage.q(area_path="path")
    return Area.objects.filter(under(area.path)).filter(tiers | communes).order_by("path")


@login_required
def commitments(request: HttpRequest, area_code: str) -> HttpResponse:
    """Commitments signed under an area: counts by kind per unit below, the list, a form."""
    user = _user(request)
    return _render_commitments(request, _visible_area(user, area_code))


def _render_commitments(
    request: HttpRequest, area: Area, *, form: CommitmentForm | None = None, status: int = 200
) -> HttpResponse:
    user = _user(request)
    by_commune = area.tier in (Tier.COMMUNE, Tier.VILLAGE)
    signable = _commitment_areas(user, area) if by_commune else None
    if signable is not None and not signable.exists():
        signable = None
    if form is None and signable is not None:
        form = CommitmentForm(
            areas=signable,
            initial={
                "signed_on": clock.today(),
                "area": area if area.tier == Tier.VILLAGE else None,
            },
        )
    listed = (
        Commitment.objects.filter(
            scope_for(user).q(area_path="area_path"), under(area.path, "area_path")
        )
        .select_related("area")
        .order_by("-signed_on", "-pk")
    )
    kinds = Commitment.Signer.choices
    by_child = queries.commitments_by_child(area)
    rows = [
        (child, [by_child.get(child.pk, {}).get(k, 0) for k, _label in kinds])
        for child in area.children.order_by("path")
    ]
    totals = queries.commitment_counts(user, area)
    context = {
        "area": area,
        "crumbs": _crumbs(user, area),
        "tabs": _tabs(user, area, "commitments"),
        "kinds": kinds,
        "totals": [(label, totals.get(k, 0)) for k, label in kinds],
        "total": sum(totals.values()),
        "rows": rows,
        "page": Paginator(listed, PER_PAGE).get_page(request.GET.get("page")),
        "form": form if signable is not None else None,
    }
    return render(request, "teams/commitments.html", context, status=status)


@login_required
@require_POST
def sign_commitment(request: HttpRequest, area_code: str) -> HttpResponse:
    user = _user(request)
    area = _visible_area(user, area_code)
    signable = _commitment_areas(user, area)
    if area.tier not in (Tier.COMMUNE, Tier.VILLAGE) or not signable.exists():
        raise Http404
    form = CommitmentForm(request.POST, areas=signable)
    if form.is_valid():
        data = dict(form.cleaned_data)
        where = data.pop("area")
        try:
            actions.do_sign_commitment(user, where, **data)
        except actions.TeamRefused as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("Commitment recorded."))
            return redirect("teams:commitments", area_code=area.code)
    return _render_commitments(request, area, form=form, status=400)
