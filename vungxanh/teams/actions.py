"""Changes to teams and the register; each in one transaction, audited, scope-checked.

`actor=None` is the system (a management command, the demo loader).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from vungxanh.accounts.audit import record_audit, record_audit_many
from vungxanh.accounts.models import User
from vungxanh.accounts.roles import KEEP_REGISTER, MANAGE_TEAMS
from vungxanh.accounts.scope import scope_of_actor
from vungxanh.accounts.workflow import Conflict, transition
from vungxanh.areas.models import Area, Tier
from vungxanh.lib import clock, personal, tabular
from vungxanh.lib.errors import Refused
from vungxanh.lib.tabular import CellError, Column, ImportRejected, RowError, Schema
from vungxanh.risk import actions as risk_actions

from .models import (
    Alert,
    Category,
    Check,
    Commitment,
    Member,
    MonitoringRule,
    Person,
    RegisterEntry,
    Team,
)


class TeamRefused(Refused):
    pass


_scope = scope_of_actor


def _require(actor: User | None, permission: str, path: str) -> None:
    if not _scope(actor, permission).covers(path):
        raise TeamRefused("area", _("No such area within your scope."))


# Teams ------------------------------------------------------------------------------------


@dataclass
class MemberSpec:
    full_name: str
    role: str
    phone: str = ""


def do_found_team(
    actor: User | None,
    village: Area,
    *,
    name: str,
    founded_on: date,
    decision_number: str = "",
    members: list[MemberSpec] | None = None,
) -> Team:
    _require(actor, MANAGE_TEAMS, village.path)
    if village.tier != Tier.VILLAGE:
        raise TeamRefused("village", _("A team is founded in a village or residential group."))
    with transaction.atomic():
        team = Team.objects.create(
            village=village,
            area_path=village.path,
            name=name,
            founded_on=founded_on,
            decision_number=decision_number,
        )
        for spec in members or []:
            _add_member(team, spec)
        record_audit(actor, "found_team", team, area_path=village.path, after=team.audit_dict())
    return team


def _add_member(team: Team, spec: MemberSpec) -> Member:
    phone = _clean(personal.normalize_phone, spec.phone, "phone") if spec.phone else ""
    if spec.role not in Member.Role.values:
        raise TeamRefused("role", _("Unknown role."))
    return Member.objects.create(
        team=team, full_name=spec.full_name.strip(), role=spec.role, phone=phone
    )


def do_add_member(actor: User | None, team: Team, spec: MemberSpec) -> Member:
    _require(actor, MANAGE_TEAMS, team.area_path)
    with transaction.atomic():
        member = _add_member(team, spec)
        record_audit(
            actor,
            "add_member",
            member,
            area_path=team.area_path,
            after={"team": team.pk, "name": member.full_name, "role": member.role},
        )
    return member


def do_set_member_active(actor: User | None, member: Member, active: bool) -> Member:
    """A member leaves the team (or comes back); the row stays for the record."""
    team = member.team
    _require(actor, MANAGE_TEAMS, team.area_path)
    with transaction.atomic():
        if not Member.objects.filter(pk=member.pk, active=not active).update(active=active):
            raise TeamRefused("active", _("This member's status has already changed."))
        member.active = active
        record_audit(
            actor,
            "member_active" if active else "member_inactive",
            member,
            area_path=team.area_path,
            before={"active": not active},
            after={"active": active},
        )
    return member


def _clean(parse: Any, value: str, field: str) -> Any:
    try:
        return parse(value)
    except CellError as exc:
        raise TeamRefused(field, str(exc)) from exc


# The register -----------------------------------------------------------------------------


@dataclass
class PersonSpec:
    full_name: str
    birth_year: int | None = None
    sex: str = ""
    id_number: str = ""
    phone: str = ""
    address: str = ""


def rule_in_force(category: str, on: date) -> MonitoringRule:
    """The category's rule with the latest effective date not after `on` (the officer may pick
    another, e.g. the vaccinated-F1 rule)."""
    rule = (
        MonitoringRule.objects.filter(category=category, effective_from__lte=on)
        .exclude(code__contains="vaccinated")
        .order_by("-effective_from")
        .first()
    )
    if rule is None:
        raise TeamRefused("category", _("No monitoring rule is in force for this category."))
    return rule


def do_register(
    actor: User | None,
    village: Area,
    person: PersonSpec,
    *,
    category: str,
    start_date: date,
    origin: str = "",
    arrival_date: date | None = None,
    rule: MonitoringRule | None = None,
) -> RegisterEntry:
    """Register a person for monitoring. The same ID number cannot have two open entries: the
    refusal names where the person is already followed (a transfer moves that entry)."""
    _require(actor, KEEP_REGISTER, village.path)
    if village.tier != Tier.VILLAGE:
        raise TeamRefused("village", _("People are registered in a village or residential group."))
    if category not in Category.values:
        raise TeamRefused("category", _("Unknown category."))
    id_number = (
        _clean(personal.normalize_id_number, person.id_number, "id_number")
        if (person.id_number)
        else None
    )
    phone = _clean(personal.normalize_phone, person.phone, "phone") if person.phone else ""
    rule = rule or rule_in_force(category, start_date)
    with transaction.atomic():
        existing = (
            Person.objects.select_for_update().filter(id_number=id_number).first()
            if (id_number)
            else None
        )
        if existing is not None:
            _refuse_second_open_entry(existing)
        target = existing or Person()
        for name, value in {
            "full_name": person.full_name.strip(),
            "birth_year": person.birth_year,
            "sex": person.sex,
            "id_number": id_number,
            "phone": phone,
            "village": village,
            "address": person.address.strip(),
        }.items():
            setattr(target, name, value)
        target.save()
        entry = RegisterEntry.objects.create(
            person=target,
            village=village,
            area_path=village.path,
            category=category,
            origin=origin,
            arrival_date=arrival_date,
            rule=rule,
            start_date=start_date,
            end_date=rule.end_date(start_date),
            created_by=actor if actor and actor.pk else None,
        )
        record_audit(actor, "register", entry, area_path=village.path, after=entry.audit_dict())
    return entry


def _refuse_second_open_entry(person: Person) -> None:
    open_entry = (
        person.entries.filter(status=RegisterEntry.Status.OPEN)
        .select_related("village", "village__parent")
        .first()
    )
    if open_entry is None:
        return
    message = _(
        "This ID number is already under monitoring in %(village)s, %(commune)s since "
        "%(start)s (entry #%(id)s); transfer that entry instead of registering again."
    ) % {
        "village": open_entry.village.name,
        "commune": open_entry.village.parent.name if open_entry.village.parent else "",
        "start": open_entry.start_date.strftime("%d/%m/%Y"),
        "id": open_entry.pk,
    }
    raise TeamRefused("id_number", message)


def do_transfer_entry(actor: User | None, entry: RegisterEntry, village: Area) -> RegisterEntry:
    """Move an open entry to the village where the person now is (found, not copied). The
    receiving village's keeper asks for it; the move is audited on both sides."""
    _require(actor, KEEP_REGISTER, village.path)
    if entry.status != RegisterEntry.Status.OPEN:
        raise TeamRefused("status", _("Only an open entry can be transferred."))
    before = {"village": entry.village_id}
    with transaction.atomic():
        RegisterEntry.objects.filter(pk=entry.pk).update(village=village, area_path=village.path)
        Person.objects.filter(pk=entry.person_id).update(village=village)
        entry.village, entry.area_path = village, village.path
        record_audit(
            actor,
            "transfer",
            entry,
            area_path=village.path,
            before=before,
            after={"village": village.pk},
        )
    return entry


@dataclass
class CheckSpec:
    date: date
    temperature: Decimal | None = None
    symptoms: str = ""
    at_home: bool = True
    test_result: str = ""


def do_record_check(actor: User | None, entry: RegisterEntry, spec: CheckSpec) -> Check:
    """The day's check. A problem refers the person to the health station; a test result moves
    the escalation on (negative: back to monitoring; positive: a case record, entry closed)."""
    _require(actor, KEEP_REGISTER, entry.area_path)
    if entry.status != RegisterEntry.Status.OPEN:
        raise TeamRefused("status", _("This entry is closed."))
    if not entry.start_date <= spec.date <= max(entry.end_date, spec.date) or (
        spec.date > clock.today() + timedelta(days=1)
    ):
        raise TeamRefused("date", _("The date is outside the monitoring period."))
    with transaction.atomic():
        check, _created = Check.objects.update_or_create(
            entry=entry,
            date=spec.date,
            defaults={
                "temperature": spec.temperature,
                "symptoms": spec.symptoms.strip(),
                "at_home": spec.at_home,
                "test_result": spec.test_result,
                "checked_by": actor if actor and actor.pk else None,
            },
        )
        record_audit(
            actor,
            "check",
            check,
            area_path=entry.area_path,
            after={
                "date": spec.date.isoformat(),
                "problem": check.has_problem,
                "test_result": spec.test_result,
            },
        )
        if spec.test_result == Check.TestResult.POSITIVE:
            _became_case(actor, entry, spec.date)
        elif spec.test_result == Check.TestResult.NEGATIVE:
            _move(actor, entry, entry.escalation, RegisterEntry.Escalation.NONE)
        elif check.has_problem and entry.escalation == RegisterEntry.Escalation.NONE:
            _move(actor, entry, RegisterEntry.Escalation.NONE, RegisterEntry.Escalation.REFERRED)
    return check


def do_escalate(actor: User | None, entry: RegisterEntry, to: str) -> None:
    """referred → tested (a sample taken); any → none (cleared by the health station)."""
    _require(actor, KEEP_REGISTER, entry.area_path)
    allowed = {
        (RegisterEntry.Escalation.NONE, RegisterEntry.Escalation.REFERRED),
        (RegisterEntry.Escalation.REFERRED, RegisterEntry.Escalation.TESTED),
        (RegisterEntry.Escalation.REFERRED, RegisterEntry.Escalation.NONE),
        (RegisterEntry.Escalation.TESTED, RegisterEntry.Escalation.NONE),
    }
    if (entry.escalation, to) not in allowed:
        raise TeamRefused("escalation", _("This step does not follow from the current one."))
    _move(actor, entry, entry.escalation, to)


def _move(actor: User | None, entry: RegisterEntry, old: str, new: str) -> None:
    if old == new:
        return
    try:
        transition(
            entry, field="escalation", old=old, new=new, actor=actor, area_path=entry.area_path
        )
    except Conflict as exc:
        raise TeamRefused("escalation", str(exc)) from exc


# A monitored person found positive was watched over: the source is known. Under home or
# concentrated quarantine the case is found in quarantine, which the 2686 ruleset does not
# count as a community case; others are community cases.
QUARANTINED = {Category.HOME_QUARANTINE, Category.F1, Category.RETURNEE}


def _became_case(actor: User | None, entry: RegisterEntry, day: date) -> None:
    setting = "quarantine" if entry.category in QUARANTINED else "community"
    risk_actions.do_record_cases(
        None,
        [
            risk_actions.CaseInput(
                area=entry.village,
                date=day,
                count=1,
                setting=setting,
                source_known=True,
                note=_("from the register, entry #%(id)s") % {"id": entry.pk},
            )
        ],
    )
    _close(actor, entry, RegisterEntry.Outcome.BECAME_CASE, day)


def do_close_entry(
    actor: User | None, entry: RegisterEntry, outcome: str, on: date | None = None
) -> None:
    """Close an entry with its outcome; an absconded person raises an alert to the police."""
    _require(actor, KEEP_REGISTER, entry.area_path)
    if outcome not in RegisterEntry.Outcome.values or outcome == "became_case":
        raise TeamRefused("outcome", _("Choose completed, moved away or absconded."))
    with transaction.atomic():
        _close(actor, entry, outcome, on or clock.today())
        if outcome == RegisterEntry.Outcome.ABSCONDED:
            Alert.objects.create(entry=entry, area_path=entry.area_path)


def _close(actor: User | None, entry: RegisterEntry, outcome: str, on: date) -> None:
    try:
        transition(
            entry,
            field="status",
            old=RegisterEntry.Status.OPEN,
            new=RegisterEntry.Status.CLOSED,
            actor=actor,
            area_path=entry.area_path,
            note=outcome,
            also={"outcome": outcome, "closed_on": on},
        )
    except Conflict as exc:
        raise TeamRefused("status", str(exc)) from exc


def do_sign_commitment(
    actor: User | None,
    area: Area,
    *,
    signer_kind: str,
    signer_name: str,
    text: str,
    signed_on: date,
    witness: str = "",
) -> Commitment:
    _require(actor, KEEP_REGISTER if area.tier == Tier.VILLAGE else MANAGE_TEAMS, area.path)
    with transaction.atomic():
        commitment = Commitment.objects.create(
            area=area,
            area_path=area.path,
            signer_kind=signer_kind,
            signer_name=signer_name,
            text=text,
            signed_on=signed_on,
            witness=witness,
        )
        record_audit(
            actor,
            "sign_commitment",
            commitment,
            area_path=area.path,
            after={"signer": signer_name, "kind": signer_kind},
        )
    return commitment


def anonymize_closed(before: date | None = None) -> int:
    """Blank the identity of people whose entries all closed before `before` (default: the
    configured number of days ago). Counts and dates stay for the statistics."""
    cutoff = before or clock.today() - timedelta(days=settings.ANONYMIZE_AFTER_DAYS)
    people = (
        Person.objects.filter(anonymized_at=None)
        .exclude(entries__status=RegisterEntry.Status.OPEN)
        .exclude(entries__closed_on__gte=cutoff)
    )
    with transaction.atomic():
        ids = list(people.values_list("pk", flat=True))
        Person.objects.filter(pk__in=ids).update(
            full_name="—",
            id_number=None,
            phone="",
            address="",
            birth_year=None,
            anonymized_at=timezone.now(),
        )
        record_audit_many(
            None, "anonymize", [(p, "", None, None) for p in Person.objects.filter(pk__in=ids)]
        )
    return len(ids)


# Import -----------------------------------------------------------------------------------

REGISTER_SCHEMA = Schema(
    [
        Column("village_code", tabular.parse_code, aliases=("ma_thon", "mã thôn")),
        Column("full_name", aliases=("ho_ten", "họ tên", "họ và tên")),
        Column(
            "birth_year",
            tabular.parse_non_negative_int,
            required=False,
            aliases=("nam_sinh", "năm sinh"),
        ),
        Column(
            "sex",
            tabular.choice_parser([("m", "nam"), ("f", "nữ"), ("m", "m"), ("f", "f")]),
            required=False,
            default="",
            aliases=("gioi_tinh", "giới tính"),
        ),
        Column(
            "id_number",
            personal.normalize_id_number,
            required=False,
            default="",
            aliases=("cccd", "cmnd", "so_giay_to", "số giấy tờ"),
        ),
        Column(
            "phone",
            personal.normalize_phone,
            required=False,
            default="",
            aliases=("dien_thoai", "điện thoại", "sđt"),
        ),
        Column("address", required=False, default="", aliases=("dia_chi", "địa chỉ")),
        Column(
            "category", tabular.choice_parser(Category.choices), aliases=("doi_tuong", "đối tượng")
        ),
        Column("origin", required=False, default="", aliases=("noi_den_tu", "nơi đến từ")),
        Column(
            "arrival_date", tabular.parse_date, required=False, aliases=("ngay_den", "ngày đến")
        ),
        Column("start_date", tabular.parse_date, aliases=("ngay_bat_dau", "ngày bắt đầu")),
    ]
)


def do_import_register(actor: User | None, data: bytes, filename: str) -> list[RegisterEntry]:
    """A commune's register from XLSX/CSV: every row valid and in scope, or nothing stored."""
    rows = tabular.read_rows(data, filename, REGISTER_SCHEMA)
    scope = _scope(actor, KEEP_REGISTER)
    villages = {a.code: a for a in Area.objects.filter(code__in={r["village_code"] for r in rows})}
    errors: list[RowError] = []
    seen: dict[str, int] = {}
    for r in rows:
        village = villages.get(r["village_code"])
        if village is None or not scope.covers(village.path) or village.tier != Tier.VILLAGE:
            errors.append(
                RowError(r["_row"], "village_code", _("No such village within your scope."))
            )
        if r["id_number"]:
            if r["id_number"] in seen:
                errors.append(
                    RowError(
                        r["_row"],
                        "id_number",
                        _("Same ID number as row %(n)s.") % {"n": seen[r["id_number"]]},
                    )
                )
            seen[r["id_number"]] = r["_row"]
    open_ids = set(
        RegisterEntry.objects.open()
        .filter(person__id_number__in=list(seen))
        .values_list("person__id_number", flat=True)
    )
    errors += [
        RowError(r["_row"], "id_number", _("Already under monitoring (an open entry)."))
        for r in rows
        if r["id_number"] in open_ids
    ]
    if errors:
        raise ImportRejected(errors)
    entries = []
    with transaction.atomic():
        for r in rows:
            spec = PersonSpec(
                r["full_name"], r["birth_year"], r["sex"], r["id_number"], r["phone"], r["address"]
            )
            try:
                entries.append(
                    do_register(
                        actor,
                        villages[r["village_code"]],
                        spec,
                        category=r["category"],
                        start_date=r["start_date"],
                        origin=r["origin"],
                        arrival_date=r["arrival_date"],
                    )
                )
            except TeamRefused as exc:
                raise ImportRejected([RowError(r["_row"], exc.field, exc.message)]) from exc
    return entries
