from __future__ import annotations

from datetime import date
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from vungxanh.lib.versioned import PublishedVersion

from .rules import RulesetParams


class Ruleset(models.Model):
    code = models.CharField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=300)

    def __str__(self) -> str:
        return f"{self.code} · {self.name}"


class RulesetVersion(PublishedVersion):
    """One version of a ruleset. Published versions never change; an edit makes a new draft."""

    ruleset = models.ForeignKey(Ruleset, models.PROTECT, related_name="versions")
    params = models.JSONField()

    class Meta:
        ordering = ["-effective_from", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["ruleset", "version"], name="ruleset_version_unique")
        ]

    def __str__(self) -> str:
        return f"{self.ruleset.code} v{self.version} ({self.effective_from:%d/%m/%Y})"

    def parsed(self) -> RulesetParams:
        return RulesetParams.model_validate(self.params)

    def audit_dict(self) -> dict[str, Any]:
        return {
            "ruleset": self.ruleset.code,
            "version": self.version,
            "status": self.status,
            "effective_from": self.effective_from.isoformat(),
            "params": self.params,
        }


class Setting(models.TextChoices):
    COMMUNITY = "community", _("community")
    QUARANTINE = "quarantine", _("quarantine")
    LOCKDOWN = "lockdown", _("lockdown")


class Provenance(models.TextChoices):
    ENTERED = "entered", _("entered")
    IMPORTED = "imported", _("imported")
    API = "api", _("API")
    REAL = "real", _("real published figures")
    SIMULATED = "simulated", _("simulated")


class CaseRecord(models.Model):
    """Cases of one day in one area (a commune or a village): a line-list row is a count of 1."""

    area = models.ForeignKey("areas.Area", models.PROTECT, related_name="case_records")
    date = models.DateField(_("date"))
    count = models.PositiveIntegerField(_("count"), default=1)
    setting = models.CharField(
        _("setting"), max_length=20, choices=Setting.choices, default=Setting.COMMUNITY
    )
    source_known = models.BooleanField(_("source known"), default=True)
    high_contact = models.BooleanField(_("high-contact setting"), default=False)
    provenance = models.CharField(max_length=20, choices=Provenance.choices)
    note = models.CharField(max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["area", "date"]), models.Index(fields=["date"])]

    def __str__(self) -> str:
        return f"{self.count} × {self.area_id} {self.date}"


class Coverage(models.Model):
    """Vaccine coverage and treatment capacity of an area, in force from `date` on."""

    area = models.ForeignKey("areas.Area", models.PROTECT, related_name="coverage_rows")
    date = models.DateField(_("from"))
    first_dose_18_pct = models.FloatField(null=True, blank=True)
    full_dose_50_pct = models.FloatField(null=True, blank=True)
    treatment_ok = models.BooleanField(default=True)
    provenance = models.CharField(max_length=20, choices=Provenance.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["area", "date"], name="coverage_area_date_unique")
        ]

    def __str__(self) -> str:
        return f"{self.area_id} {self.date} {self.first_dose_18_pct}%"


class AreaLevel(models.Model):
    """The level of an area on a day: the effective one (an override, if any, else the computed
    one) and the computed one beside it, with what explains the computed level."""

    # Millions of rows are written at a time, so no foreign key is checked by the database
    # (Django still cascades and protects on delete; a recompute writes only ids it has just
    # read), and the area has no index of its own (the unique (area, date) one serves it).
    area = models.ForeignKey(
        "areas.Area", models.CASCADE, related_name="levels", db_constraint=False, db_index=False
    )
    date = models.DateField()
    level = models.PositiveSmallIntegerField()
    computed_level = models.PositiveSmallIntegerField()
    ruleset_version = models.ForeignKey(
        RulesetVersion, models.PROTECT, related_name="+", db_constraint=False
    )
    reason = models.SmallIntegerField()
    value = models.FloatField()
    cases = models.IntegerField()
    rate = models.FloatField(null=True)
    coverage = models.FloatField(null=True)
    treatment_ok = models.BooleanField(default=True)
    floored = models.BooleanField(default=False)
    is_parent = models.BooleanField(default=False)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["area", "date"], name="area_level_unique")]
        indexes = [models.Index(fields=["date", "area"])]

    def __str__(self) -> str:
        return f"{self.area_id} {self.date} {self.level}"


class OverrideQuerySet(models.QuerySet["Override"]):
    def active_on(self, day: date) -> OverrideQuerySet:
        return self.filter(
            Q(date_to__isnull=True) | Q(date_to__gte=day), date_from__lte=day, revoked_at=None
        )


class Override(models.Model):
    """A level set by hand by a health officer, with reason and decision; the computed level
    stays visible beside it and recomputing never removes it."""

    area = models.ForeignKey("areas.Area", models.PROTECT, related_name="level_overrides")
    level = models.PositiveSmallIntegerField(_("level"))
    date_from = models.DateField(_("from"))
    date_to = models.DateField(_("to"), null=True, blank=True)
    reason = models.TextField(_("reason"))
    decision_number = models.CharField(_("decision number"), max_length=100)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = OverrideQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.area_id} → {self.level} ({self.decision_number})"

    def audit_dict(self) -> dict[str, Any]:
        return {
            "area": self.area_id,
            "level": self.level,
            "from": self.date_from.isoformat(),
            "to": self.date_to.isoformat() if self.date_to else None,
            "decision": self.decision_number,
            "reason": self.reason,
        }


class LevelRun(models.Model):
    """One recompute of a province's levels: when, and how much was written."""

    province = models.ForeignKey("areas.Area", models.CASCADE, related_name="+")
    date_from = models.DateField()
    date_to = models.DateField()
    rows = models.PositiveIntegerField()
    finished_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-finished_at"]

    def __str__(self) -> str:
        return f"{self.province_id} {self.date_from}–{self.date_to} ({self.rows})"
