"""Criteria sets (versioned rules as data), the assessments units make against them, the evidence
they attach, and the announcements of safe villages and residential groups."""

from __future__ import annotations

from datetime import date
from functools import cached_property
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from vungxanh.areas.fields import PathField
from vungxanh.lib.versioned import PublishedVersion

from .rules import TARGETS, Definition, parse

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from vungxanh.accounts.models import User

TARGET_LABELS = {
    "village": _("village or residential group"),
    "commune": _("commune"),
    "agency": _("agency"),
    "business": _("business or workplace"),
    "school": _("school"),
    "market": _("market"),
    "other": _("other"),
}


class CriteriaSet(models.Model):
    code = models.CharField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=300)
    target = models.CharField(
        _("assessed units"), max_length=20, choices=[(t, TARGET_LABELS[t]) for t in TARGETS]
    )
    local_example = models.BooleanField(
        _("local example"), default=False, help_text=_("Built locally, not a national standard.")
    )

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} · {self.name}"

    def current(self) -> CriteriaSetVersion | None:
        """The version units assess against: the latest published one."""
        return (
            self.versions.filter(status=CriteriaSetVersion.Status.PUBLISHED)
            .order_by("-version")
            .first()
        )

    def latest(self) -> CriteriaSetVersion | None:
        return self.versions.order_by("-version").first()


class CriteriaSetVersion(PublishedVersion):
    """One version of a set. A published version never changes; an edit makes a new draft."""

    criteria_set = models.ForeignKey(CriteriaSet, models.PROTECT, related_name="versions")
    definition = models.JSONField()

    class Meta:
        ordering = ["criteria_set", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["criteria_set", "version"], name="criteria_version_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.criteria_set.code} v{self.version}"

    @cached_property
    def parsed(self) -> Definition:
        return parse(self.definition)

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED

    def audit_dict(self) -> dict[str, Any]:
        return {
            "set": self.criteria_set.code,
            "version": self.version,
            "status": self.status,
            "decision": self.decision,
        }


class AssessmentQuerySet(models.QuerySet["Assessment"]):
    def visible_to(self, user: User | AnonymousUser) -> AssessmentQuerySet:
        """A unit's own assessments, and those of units in or managed within the user's areas."""
        from vungxanh.accounts.scope import scope_for

        return self.filter(scope_for(user).q(area_path="area_path", org_path="org_path"))


class Assessment(models.Model):
    """A unit rating itself against one version of a set, then verified (or returned) above."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        SUBMITTED = "submitted", _("submitted")
        RETURNED = "returned", _("returned")
        VERIFIED = "verified", _("verified")
        EXPIRED = "expired", _("expired")

    version = models.ForeignKey(CriteriaSetVersion, models.PROTECT, related_name="assessments")
    # The unit: an area (village, commune) or an organization (business, school, agency…).
    area = models.ForeignKey(
        "areas.Area", models.PROTECT, null=True, blank=True, related_name="assessments"
    )
    organization = models.ForeignKey(
        "areas.Organization", models.PROTECT, null=True, blank=True, related_name="assessments"
    )
    area_path = PathField(max_length=400, db_index=True, editable=False)
    org_path = PathField(max_length=400, db_index=True, editable=False, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT)
    answers = models.JSONField(default=dict)
    auto_answers = models.JSONField(default=dict)  # criterion → metric value read from live data
    points = models.FloatField(default=0)
    max_points = models.FloatField(default=0)
    percent = models.FloatField(default=0)
    passed = models.PositiveIntegerField(default=0)
    rating = models.CharField(_("rating"), max_length=30, blank=True)
    safe = models.BooleanField(default=False)
    assessed_on = models.DateField(_("assessed on"))
    submitted_at = models.DateTimeField(null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    verified_at = models.DateTimeField(null=True, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    review_note = models.TextField(_("note of the review"), blank=True)
    corrections = models.JSONField(default=list)  # [{criterion, before, after, reason, by, at}]
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = AssessmentQuerySet.as_manager()

    class Meta:
        ordering = ["-assessed_on", "-pk"]
        indexes = [
            models.Index(fields=["status", "valid_until"]),
            models.Index(fields=["area", "status"]),
            models.Index(fields=["organization", "status"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(area__isnull=False, organization__isnull=True)
                    | models.Q(area__isnull=True, organization__isnull=False)
                ),
                name="assessment_has_one_unit",
            )
        ]

    def __str__(self) -> str:
        return f"{self.unit_name} · {self.version} · {self.assessed_on:%d/%m/%Y}"

    @property
    def unit_name(self) -> str:
        unit = self.organization or self.area
        return unit.name if unit else ""

    @property
    def rating_label(self) -> str:
        if not self.rating:
            return ""
        ratings = {r.code: r.label for r in self.version.parsed.ratings}
        return ratings.get(self.rating, self.rating)

    @property
    def is_valid(self) -> bool:
        from vungxanh.lib import clock

        return (
            self.status == self.Status.VERIFIED
            and self.valid_until is not None
            and self.valid_until >= clock.today()
        )

    def days_left(self, today: date) -> int | None:
        return (self.valid_until - today).days if self.valid_until else None

    def audit_dict(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "points": self.points,
            "percent": self.percent,
            "rating": self.rating,
            "answers": self.answers,
        }


def evidence_path(instance: Evidence, filename: str) -> str:
    return f"evidence/{instance.assessment_id}/{filename}"


class Evidence(models.Model):
    """A photo or PDF attached to an assessment (type and size checked on upload)."""

    assessment = models.ForeignKey(Assessment, models.CASCADE, related_name="evidence")
    criterion = models.CharField(_("criterion"), max_length=20, blank=True)
    file = models.FileField(upload_to=evidence_path, max_length=300)
    name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(max_length=60)
    size = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["criterion", "pk"]

    def __str__(self) -> str:
        return self.name


class Announcement(models.Model):
    """A decision announcing villages and residential groups as safe, until a date."""

    class Status(models.TextChoices):
        IN_FORCE = "in_force", _("in force")
        WITHDRAWN = "withdrawn", _("withdrawn")

    number = models.CharField(_("decision number"), max_length=100)
    signed_on = models.DateField(_("signed on"))
    signer = models.CharField(_("signer"), max_length=200)
    issuer = models.CharField(_("issuing body"), max_length=300)
    area = models.ForeignKey("areas.Area", models.PROTECT, related_name="+")  # whose authority
    area_path = PathField(max_length=400, db_index=True, editable=False)
    valid_from = models.DateField(_("valid from"))
    valid_until = models.DateField(_("valid until"))
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.IN_FORCE)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-signed_on", "-pk"]

    def __str__(self) -> str:
        return self.number

    def audit_dict(self) -> dict[str, Any]:
        return {
            "number": self.number,
            "signed_on": self.signed_on.isoformat(),
            "valid_until": self.valid_until.isoformat(),
            "units": list(self.units.values_list("area__code", flat=True)),
        }


class AnnouncedUnit(models.Model):
    """A village or residential group in an announcement, flagged for review when a community
    case appears in it (or in its commune, when cases are counted by commune)."""

    announcement = models.ForeignKey(Announcement, models.CASCADE, related_name="units")
    area = models.ForeignKey("areas.Area", models.PROTECT, related_name="announcements")
    area_path = PathField(max_length=400, db_index=True, editable=False)
    assessment = models.ForeignKey(Assessment, models.PROTECT, related_name="announced")
    flagged_at = models.DateTimeField(null=True, blank=True)
    flag_reason = models.CharField(max_length=300, blank=True)
    flag_case = models.ForeignKey(
        "risk.CaseRecord", models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["area_path"]
        constraints = [
            models.UniqueConstraint(fields=["announcement", "area"], name="announced_once")
        ]

    def __str__(self) -> str:
        return f"{self.announcement} · {self.area}"
