"""Self-management teams, the people they watch over, daily checks, commitments.

Personal data of monitored people is sensitive health data (Decree 13/2023): collected at the
minimum, shown masked in lists, every opening of a record logged, anonymized after closing.
Register rows carry their village's path so that scope is one indexed range, as for areas.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from vungxanh.areas.fields import PathField
from vungxanh.lib.personal import mask

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from vungxanh.accounts.models import User


class Team(models.Model):
    class Status(models.TextChoices):
        ACTIVE = "active", _("active")
        DISSOLVED = "dissolved", _("dissolved")

    village = models.ForeignKey("areas.Area", models.PROTECT, related_name="teams")
    area_path = PathField(max_length=400, db_index=True, editable=False)
    name = models.CharField(_("name"), max_length=200)
    founded_on = models.DateField(_("founded on"))
    decision_number = models.CharField(_("decision"), max_length=100, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.ACTIVE)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["area_path", "name"]
        indexes = [models.Index(fields=["status", "founded_on"])]

    def __str__(self) -> str:
        return self.name

    def audit_dict(self) -> dict[str, Any]:
        return {
            "village": self.village_id,
            "name": self.name,
            "founded_on": self.founded_on.isoformat(),
            "status": self.status,
        }


class Member(models.Model):
    class Role(models.TextChoices):
        LEADER = "leader", _("leader")
        DEPUTY = "deputy", _("deputy")
        FRONT = "front", _("Fatherland Front")
        VETERANS = "veterans", _("veterans")
        YOUTH_UNION = "youth_union", _("youth union")
        WOMENS_UNION = "womens_union", _("women's union")
        MILITIA = "militia", _("militia")
        POLICE = "police", _("police")
        HEALTH_WORKER = "health_worker", _("health worker")
        OTHER = "other", _("other")

    team = models.ForeignKey(Team, models.CASCADE, related_name="members")
    full_name = models.CharField(_("full name"), max_length=200)
    phone = models.CharField(_("phone"), max_length=15, blank=True)
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    active = models.BooleanField(_("active"), default=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["team", "role", "full_name"]

    def __str__(self) -> str:
        return f"{self.full_name} ({self.get_role_display()})"


class FoundingDeadline(models.Model):
    """A campaign's deadline for founding a team in every village of an area."""

    area = models.ForeignKey("areas.Area", models.CASCADE, related_name="+")
    deadline = models.DateField(_("deadline"))
    source = models.CharField(_("source"), max_length=300, blank=True)

    def __str__(self) -> str:
        return f"{self.area_id} {self.deadline}"


class Category(models.TextChoices):
    RETURNEE = "returnee", _("returnee from an epidemic area")
    HOME_QUARANTINE = "home_quarantine", _("home quarantine")
    HEALTH_MONITORING = "health_monitoring", _("health monitoring")
    SUSPECTED = "suspected", _("suspected symptoms")
    F1 = "f1", _("F1 (close contact)")
    F2 = "f2", _("F2 (contact of an F1)")
    FALSE_DECLARATION = "false_declaration", _("false declaration")


class MonitoringRule(models.Model):
    """How long a category is monitored, from which date, on whose authority. Rules are data:
    an officer picks the rule in force from a date; entries keep the rule they started under."""

    code = models.CharField(max_length=40, unique=True)
    category = models.CharField(max_length=30, choices=Category.choices)
    name = models.CharField(max_length=300)
    days_concentrated = models.PositiveSmallIntegerField(default=0)
    days_at_home = models.PositiveSmallIntegerField()
    test_days = models.JSONField(default=list, blank=True, help_text=_("Days of the tests"))
    effective_from = models.DateField()
    decision = models.CharField(max_length=100)
    status = models.CharField(max_length=20, default="confirmed")
    provenance = models.TextField(blank=True)

    class Meta:
        ordering = ["category", "-effective_from"]

    def __str__(self) -> str:
        return self.name

    @property
    def days_total(self) -> int:
        return self.days_concentrated + self.days_at_home

    def end_date(self, start: date) -> date:
        """The last day of monitoring: day 1 is the start date."""
        return start + timedelta(days=self.days_total - 1)


class Person(models.Model):
    full_name = models.CharField(_("full name"), max_length=200)
    birth_year = models.PositiveSmallIntegerField(_("year of birth"), null=True, blank=True)
    sex = models.CharField(
        _("sex"), max_length=1, choices=[("m", _("male")), ("f", _("female"))], blank=True
    )
    # NULL, not "": unique where given, and blanked to NULL when anonymized.
    id_number = models.CharField(  # noqa: DJ001
        _("ID number"), max_length=12, null=True, blank=True
    )
    phone = models.CharField(_("phone"), max_length=15, blank=True)
    village = models.ForeignKey("areas.Area", models.PROTECT, related_name="+")
    address = models.CharField(_("address"), max_length=300, blank=True)
    anonymized_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["id_number"],
                condition=Q(id_number__isnull=False),
                name="person_id_number_unique",
            )
        ]

    def __str__(self) -> str:
        return self.full_name

    @property
    def masked_id(self) -> str:
        return mask(self.id_number or "")

    @property
    def masked_phone(self) -> str:
        return mask(self.phone)


class EntryQuerySet(models.QuerySet["RegisterEntry"]):
    def visible_to(self, user: User | AnonymousUser) -> EntryQuerySet:
        """Entries whose personal data the user may read (see roles.VIEW_PERSONAL)."""
        from vungxanh.accounts.roles import VIEW_PERSONAL
        from vungxanh.accounts.scope import scope_for

        return self.filter(scope_for(user, VIEW_PERSONAL).q(area_path="area_path"))

    def countable_by(self, user: User | AnonymousUser) -> EntryQuerySet:
        """Entries the user may count (any role over the area), without reading them."""
        from vungxanh.accounts.scope import scope_for

        return self.filter(scope_for(user).q(area_path="area_path"))

    def open(self) -> EntryQuerySet:
        return self.filter(status=RegisterEntry.Status.OPEN)


class RegisterEntry(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("under monitoring")
        CLOSED = "closed", _("closed")

    class Outcome(models.TextChoices):
        COMPLETED = "completed", _("completed")
        BECAME_CASE = "became_case", _("became a case")
        MOVED_AWAY = "moved_away", _("moved away")
        ABSCONDED = "absconded", _("absconded")

    class Escalation(models.TextChoices):
        NONE = "none", _("none")
        REFERRED = "referred", _("referred to the health station")
        TESTED = "tested", _("tested, waiting for the result")

    person = models.ForeignKey(Person, models.PROTECT, related_name="entries")
    village = models.ForeignKey("areas.Area", models.PROTECT, related_name="+")
    area_path = PathField(max_length=400, db_index=True, editable=False)
    category = models.CharField(_("category"), max_length=30, choices=Category.choices)
    origin = models.CharField(_("coming from"), max_length=200, blank=True)
    arrival_date = models.DateField(_("arrival date"), null=True, blank=True)
    rule = models.ForeignKey(MonitoringRule, models.PROTECT, related_name="+")
    start_date = models.DateField(_("start"))
    end_date = models.DateField(_("end"))
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.OPEN)
    escalation = models.CharField(
        max_length=20, choices=Escalation.choices, default=Escalation.NONE
    )
    outcome = models.CharField(max_length=20, choices=Outcome.choices, blank=True)
    closed_on = models.DateField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = EntryQuerySet.as_manager()

    class Meta:
        ordering = ["-start_date", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["person"], condition=Q(status="open"), name="one_open_entry_per_person"
            )
        ]
        indexes = [
            # Covers every count of the dashboard (bench/register.py: 4x on a 2M register).
            models.Index(
                fields=[
                    "status",
                    "area_path",
                    "category",
                    "escalation",
                    "outcome",
                    "start_date",
                    "end_date",
                    "id",
                ],
                name="entry_dashboard_cover",
            ),
            models.Index(fields=["status", "end_date"]),
            # The village's daily list.
            models.Index(fields=["village", "status", "start_date"], name="entry_daily_list"),
        ]
        verbose_name_plural = _("register entries")

    def __str__(self) -> str:
        return f"#{self.pk} {self.get_category_display()}"

    def audit_dict(self) -> dict[str, Any]:
        return {
            "person": self.person_id,
            "category": self.category,
            "start": self.start_date.isoformat(),
            "end": self.end_date.isoformat(),
            "status": self.status,
            "escalation": self.escalation,
            "outcome": self.outcome,
        }


class Check(models.Model):
    class TestResult(models.TextChoices):
        NONE = "", _("no test")
        NEGATIVE = "negative", _("negative")
        POSITIVE = "positive", _("positive")

    entry = models.ForeignKey(RegisterEntry, models.CASCADE, related_name="checks")
    date = models.DateField()
    temperature = models.DecimalField(max_digits=3, decimal_places=1, null=True, blank=True)
    symptoms = models.CharField(_("symptoms"), max_length=300, blank=True)
    at_home = models.BooleanField(_("at home"), default=True)
    test_result = models.CharField(max_length=10, choices=TestResult.choices, blank=True)
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["entry", "date"], name="one_check_a_day")]

    def __str__(self) -> str:
        return f"{self.entry_id} {self.date}"

    @property
    def has_problem(self) -> bool:
        fever = self.temperature is not None and self.temperature >= 37.5
        return bool(self.symptoms) or fever or not self.at_home


class Alert(models.Model):
    """A person who absconded: the police of the area must know."""

    entry = models.ForeignKey(RegisterEntry, models.CASCADE, related_name="alerts")
    area_path = PathField(max_length=400, db_index=True, editable=False)
    kind = models.CharField(max_length=20, default="absconded")
    created_at = models.DateTimeField(auto_now_add=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.kind} #{self.entry_id}"


class Commitment(models.Model):
    class Signer(models.TextChoices):
        HOUSEHOLD = "household", _("household")
        ORGANIZATION = "organization", _("organization")
        VILLAGE = "village", _("village")

    area = models.ForeignKey("areas.Area", models.PROTECT, related_name="commitments")
    area_path = PathField(max_length=400, db_index=True, editable=False)
    signer_kind = models.CharField(_("signed by"), max_length=20, choices=Signer.choices)
    signer_name = models.CharField(_("signer"), max_length=200)
    organization = models.ForeignKey(
        "areas.Organization", models.SET_NULL, null=True, blank=True, related_name="+"
    )
    text = models.TextField(_("commitment"))
    signed_on = models.DateField(_("signed on"))
    witness = models.CharField(_("witness"), max_length=200, blank=True)

    def __str__(self) -> str:
        return f"{self.signer_name} {self.signed_on}"
