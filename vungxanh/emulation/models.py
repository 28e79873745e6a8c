"""Emulation campaigns: phases, clusters of comparable units, registrations with pledges,
scoring criteria over the product's metrics (or scored by hand), and frozen phase reviews."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from vungxanh.areas.fields import PathField

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from vungxanh.accounts.models import User


# The steps a dossier may go through at the granting level, and the default chain, in its order.
REVIEW_STEPS = ("standing_agency", "emulation", "chairman")


class Campaign(models.Model):
    """A movement launched by a plan at a level, over an area, with a goal."""

    code = models.SlugField(_("code"), max_length=60, unique=True)
    name = models.CharField(_("name"), max_length=300)
    plan_number = models.CharField(_("launching plan"), max_length=100)
    plan_date = models.DateField(_("plan date"))
    plan_issuer = models.CharField(_("issued by"), max_length=300)
    area = models.ForeignKey("areas.Area", models.PROTECT, related_name="campaigns")
    area_path = PathField(max_length=400, db_index=True, editable=False)
    participant_kinds = models.JSONField(
        _("who takes part"), default=list
    )  # "commune", "district", "organization"…
    goal = models.TextField(_("goal"), blank=True)
    target_date = models.DateField(_("target date"), null=True, blank=True)
    registration_deadline = models.DateField(_("registration deadline"), null=True, blank=True)
    # The steps a dossier goes through at the granting level, in order (of REVIEW_STEPS).
    review_chain = models.JSONField(default=list)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-plan_date", "name"]

    def __str__(self) -> str:
        return self.name

    def audit_dict(self) -> dict[str, Any]:
        return {"code": self.code, "name": self.name, "area": self.area_id}


class Phase(models.Model):
    campaign = models.ForeignKey(Campaign, models.CASCADE, related_name="phases")
    number = models.PositiveSmallIntegerField()
    name = models.CharField(_("name"), max_length=200)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    review_on = models.DateField(_("review on"))
    dossier_deadline = models.DateField(_("dossiers due before"), null=True, blank=True)

    class Meta:
        ordering = ["campaign", "number"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "number"], name="phase_number_unique")
        ]

    def __str__(self) -> str:
        return f"{self.campaign.code} · {self.name}"


class Cluster(models.Model):
    """Comparable units ranked together (cụm, khối thi đua)."""

    campaign = models.ForeignKey(Campaign, models.CASCADE, related_name="clusters")
    name = models.CharField(_("name"), max_length=200)
    description = models.CharField(_("description"), max_length=300, blank=True)

    class Meta:
        ordering = ["campaign", "name"]

    def __str__(self) -> str:
        return self.name


class RegistrationQuerySet(models.QuerySet["Registration"]):
    def visible_to(self, user: User | AnonymousUser) -> RegistrationQuerySet:
        from vungxanh.accounts.scope import scope_for

        scope = scope_for(user)
        return self.filter(
            scope.q(area_path="area_path", org_path="org_path")
            | scope.q(area_path="campaign__area_path")
        )


class Registration(models.Model):
    """A unit taking part, with the targets it pledges; the organizer accepts it."""

    class Status(models.TextChoices):
        PENDING = "pending", _("waiting for acceptance")
        ACCEPTED = "accepted", _("accepted")
        REFUSED = "refused", _("refused")

    campaign = models.ForeignKey(Campaign, models.CASCADE, related_name="registrations")
    cluster = models.ForeignKey(
        Cluster, models.PROTECT, null=True, blank=True, related_name="registrations"
    )
    area = models.ForeignKey("areas.Area", models.PROTECT, null=True, blank=True, related_name="+")
    organization = models.ForeignKey(
        "areas.Organization", models.PROTECT, null=True, blank=True, related_name="+"
    )
    area_path = PathField(max_length=400, db_index=True, editable=False)
    org_path = PathField(max_length=400, blank=True, editable=False)
    pledges = models.JSONField(_("pledges"), default=list)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)
    registered_on = models.DateField(_("registered on"))
    late = models.BooleanField(default=False)
    note = models.CharField(_("note"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = RegistrationQuerySet.as_manager()

    class Meta:
        ordering = ["campaign", "area_path"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(area__isnull=False, organization__isnull=True)
                    | models.Q(area__isnull=True, organization__isnull=False)
                ),
                name="registration_has_one_unit",
            ),
            models.UniqueConstraint(
                fields=["campaign", "area"],
                name="registered_area_once",
                condition=models.Q(area__isnull=False),
            ),
            models.UniqueConstraint(
                fields=["campaign", "organization"],
                name="registered_org_once",
                condition=models.Q(organization__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return self.unit_name

    @property
    def unit_name(self) -> str:
        unit = self.organization or self.area
        return unit.name if unit else ""


class ScoringCriterion(models.Model):
    """A weighted criterion: a metric the product computes over the phase, or scored by hand."""

    class Better(models.TextChoices):
        HIGHER = "higher", _("higher is better")
        LOWER = "lower", _("lower is better")

    campaign = models.ForeignKey(Campaign, models.CASCADE, related_name="criteria")
    code = models.SlugField(max_length=40)
    label = models.CharField(_("label"), max_length=300)
    metric = models.CharField(_("metric"), max_length=60, blank=True)  # empty: scored by hand
    weight = models.FloatField(_("weight"))
    better = models.CharField(max_length=10, choices=Better.choices, default=Better.HIGHER)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["campaign", "order", "code"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "code"], name="criterion_code_unique")
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def manual(self) -> bool:
        return not self.metric


class ManualScore(models.Model):
    """The organizer's points for a unit on a hand-scored criterion in a phase, with a note."""

    registration = models.ForeignKey(Registration, models.CASCADE, related_name="manual_scores")
    criterion = models.ForeignKey(ScoringCriterion, models.CASCADE, related_name="+")
    phase = models.ForeignKey(Phase, models.CASCADE, related_name="+")
    points = models.FloatField(_("points"))
    note = models.CharField(_("note"), max_length=300)
    scored_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    scored_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["registration", "criterion", "phase"], name="manual_score_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.registration} · {self.criterion_id} · {self.points:g}"


class PhaseReview(models.Model):
    """The standings of a phase frozen on its review date: a record later data cannot change."""

    phase = models.OneToOneField(Phase, models.PROTECT, related_name="review")
    as_of = models.DateField(_("standings as of"))
    standings = models.JSONField()
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.phase} · {self.as_of}"
