"""Award forms (rules as data), nominations, the dossiers that carry them up the hierarchy step by
step, the decisions that grant them, and the register of what was granted."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from vungxanh.areas.fields import PathField

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from vungxanh.accounts.models import User


class AwardForm(models.Model):
    """A form of award, who grants it and what its dossier needs (shipped as data)."""

    class Grantor(models.TextChoices):
        PRESIDENT = "president", _("the President")
        PRIME_MINISTER = "prime_minister", _("the Prime Minister")
        PROVINCE_CHAIRMAN = "province_chairman", _("the chairman of the provincial committee")
        DISTRICT_CHAIRMAN = "district_chairman", _("the chairman of the district committee")
        COMMUNE_CHAIRMAN = "commune_chairman", _("the chairman of the commune committee")

    code = models.CharField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=200)
    grantor = models.CharField(_("granted by"), max_length=30, choices=Grantor.choices)
    grantor_tier = models.CharField(max_length=20)  # central | province | district | commune
    for_collective = models.BooleanField(default=True)
    for_individual = models.BooleanField(default=True)
    classes = models.JSONField(default=list)
    copies = models.PositiveSmallIntegerField(_("copies of the dossier"), default=1)
    dossier_parts = models.JSONField(default=list)
    status = models.CharField(max_length=20, default="confirmed")
    source = models.TextField(_("source"), blank=True)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.name

    @property
    def dossier_title(self) -> str:
        """The summary line of a dossier proposing this form, unless its issuer writes one."""
        return f"Về việc đề nghị tặng {self.name}"


class DossierQuerySet(models.QuerySet["Dossier"]):
    def visible_to(self, user: User | AnonymousUser) -> DossierQuerySet:
        """The proposer's own dossiers, and those that reach a step in the user's areas."""
        from vungxanh.accounts.scope import scope_for

        scope = scope_for(user)
        return self.filter(
            scope.q(area_path="area_path", org_path="org_path")
            | scope.q(area_path="steps__area_path")
        ).distinct()


class Dossier(models.Model):
    """A submission letter (tờ trình) with its nominees, sent by a unit and reviewed step by step
    along the route its managing links give."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        IN_REVIEW = "in_review", _("in review")
        RETURNED = "returned", _("returned")
        DECIDED = "decided", _("decided")

    campaign = models.ForeignKey(
        "emulation.Campaign", models.PROTECT, null=True, blank=True, related_name="dossiers"
    )
    phase = models.ForeignKey(
        "emulation.Phase", models.PROTECT, null=True, blank=True, related_name="dossiers"
    )
    award_form = models.ForeignKey(AwardForm, models.PROTECT, related_name="dossiers")
    # The proposing unit: an area's committee or an organization.
    issuer_area = models.ForeignKey(
        "areas.Area", models.PROTECT, null=True, blank=True, related_name="+"
    )
    issuer_org = models.ForeignKey(
        "areas.Organization", models.PROTECT, null=True, blank=True, related_name="+"
    )
    issuer_name = models.CharField(_("issuing body"), max_length=300)
    issuer_abbr = models.CharField(_("abbreviation"), max_length=30)
    area_path = PathField(max_length=400, db_index=True, editable=False)
    org_path = PathField(max_length=400, blank=True, editable=False)
    title = models.CharField(_("summary line"), max_length=400)
    body = models.TextField(_("letter"), blank=True)
    signer_title = models.CharField(_("signer's title"), max_length=120)
    signer_name = models.CharField(_("signer"), max_length=120)
    # Numbered in the issuer's register when sent: seq/TTr-ABBR, e.g. 45/TTr-SYT, 05/TTr-UBND.
    register_key = models.CharField(max_length=60, blank=True)
    year = models.PositiveSmallIntegerField(null=True, blank=True)
    seq = models.PositiveIntegerField(null=True, blank=True)
    number = models.CharField(_("number"), max_length=60, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT)
    submitted_on = models.DateField(_("sent on"), null=True, blank=True)
    late = models.BooleanField(default=False)
    late_accepted = models.BooleanField(default=False)
    late_note = models.CharField(max_length=300, blank=True)
    return_reason = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = DossierQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["register_key", "year", "seq"],
                name="dossier_number_unique",
                condition=models.Q(seq__isnull=False),
            ),
            models.CheckConstraint(
                condition=(
                    models.Q(issuer_area__isnull=False, issuer_org__isnull=True)
                    | models.Q(issuer_area__isnull=True, issuer_org__isnull=False)
                ),
                name="dossier_has_one_issuer",
            ),
        ]

    def __str__(self) -> str:
        return self.number or f"#{self.pk} ({self.issuer_name})"

    def current_step(self) -> ReviewStep | None:
        return self.steps.filter(status=ReviewStep.Status.PENDING).order_by("order").first()

    def audit_dict(self) -> dict[str, Any]:
        return {"number": self.number, "status": self.status, "form": self.award_form.code}


class ReviewStep(models.Model):
    """One step of a dossier's route: a level that forwards it, or a body of the granting level
    (standing agency, emulation office, chairman) that accepts or returns it."""

    class Status(models.TextChoices):
        WAITING = "waiting", _("waiting")
        PENDING = "pending", _("to act on")
        ACCEPTED = "accepted", _("accepted")
        RETURNED = "returned", _("returned")

    dossier = models.ForeignKey(Dossier, models.CASCADE, related_name="steps")
    order = models.PositiveSmallIntegerField()
    kind = models.CharField(max_length=30)  # forward | standing_agency | emulation | chairman
    roles = models.JSONField()  # roles that act on it, held at `area` (or at `organization`)
    area = models.ForeignKey("areas.Area", models.PROTECT, related_name="+")
    organization = models.ForeignKey(
        "areas.Organization", models.PROTECT, null=True, blank=True, related_name="+"
    )
    area_path = PathField(max_length=400, db_index=True, editable=False)
    label = models.CharField(max_length=300)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.WAITING)
    acted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    acted_at = models.DateTimeField(null=True, blank=True)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["dossier", "order"]
        constraints = [
            models.UniqueConstraint(fields=["dossier", "order"], name="step_order_unique")
        ]

    def __str__(self) -> str:
        return f"{self.dossier} · {self.order} · {self.label}"

    @property
    def title(self) -> str:
        """What the step is, in the reader's language."""
        organization = self.organization.name if self.organization_id else None  # type: ignore[union-attr]
        return step_title(self.kind, self.area.name, organization) or self.label


def step_title(kind: str, area: str, organization: str | None = None) -> str:
    """The title of a review step: who acts, at which area (or managing organization)."""
    from django.utils.translation import gettext as _

    if kind == "forward" and organization:
        return _("%(unit)s (managing unit) reviews and proposes") % {"unit": organization}
    labels = {
        "forward": _("%(area)s reviews and proposes to the level above"),
        "standing_agency": _("Standing agency of %(area)s reviews"),
        "emulation": _("Emulation office of %(area)s reviews"),
        "chairman": _("Chairman of %(area)s decides"),
        "central": _("The central level decides (recorded by the emulation office of %(area)s)"),
    }
    if kind not in labels:
        return ""
    # the area's name opens the sentence only for "forward"; elsewhere it is lower-cased
    # ("Cơ quan thường trực tỉnh Khánh Hòa")
    name = area if kind == "forward" else f"{area[:1].lower()}{area[1:]}"
    return labels[kind] % {"area": name}


class Nomination(models.Model):
    class Kind(models.TextChoices):
        COLLECTIVE = "collective", _("collective")
        INDIVIDUAL = "individual", _("individual")

    dossier = models.ForeignKey(Dossier, models.CASCADE, related_name="nominations")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    nominee_name = models.CharField(_("nominee"), max_length=300)
    position = models.CharField(_("position and unit"), max_length=300, blank=True)
    nominee_area = models.ForeignKey(
        "areas.Area", models.PROTECT, null=True, blank=True, related_name="+"
    )
    nominee_org = models.ForeignKey(
        "areas.Organization", models.PROTECT, null=True, blank=True, related_name="+"
    )
    summary = models.TextField(_("summary of achievement"))
    evidence = models.JSONField(default=dict)  # {"standing": {...}, "assessment": id}
    achievement_key = models.CharField(max_length=300)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["dossier", "order", "pk"]

    def __str__(self) -> str:
        return self.nominee_name


class Decision(models.Model):
    dossier = models.ForeignKey(Dossier, models.PROTECT, related_name="decisions")
    number = models.CharField(_("decision number"), max_length=60)
    signed_on = models.DateField(_("signed on"))
    signer = models.CharField(_("signer"), max_length=200)
    area = models.ForeignKey("areas.Area", models.PROTECT, related_name="+")  # the granting level
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.number


class GrantedAward(models.Model):
    """The register of granted awards; one achievement is awarded once."""

    decision = models.ForeignKey(Decision, models.PROTECT, related_name="awards")
    nomination = models.OneToOneField(Nomination, models.PROTECT, related_name="granted")
    award_form = models.ForeignKey(AwardForm, models.PROTECT, related_name="+")
    nominee_name = models.CharField(max_length=300)
    achievement_key = models.CharField(max_length=300, unique=True)
    presented_on = models.DateField(_("presented on"), null=True, blank=True)

    class Meta:
        ordering = ["decision", "pk"]

    def __str__(self) -> str:
        return f"{self.nominee_name} · {self.award_form.code}"
