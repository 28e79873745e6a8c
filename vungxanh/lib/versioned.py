"""What every versioned body of rules shares (risk rulesets, criteria sets): a numbered version,
draft or published, the decision it comes from, the day it takes effect, its provenance, and who
made it. A published version never changes; an edit makes a new draft."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class PublishedVersion(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        PUBLISHED = "published", _("published")

    version = models.PositiveIntegerField()
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT)
    decision = models.CharField(_("decision"), max_length=100)
    decision_date = models.DateField(_("decision date"))
    effective_from = models.DateField(_("effective from"))
    provenance = models.TextField(_("provenance"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True
