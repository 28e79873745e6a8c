from __future__ import annotations

import hashlib

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from vungxanh.areas.fields import PathField

from .roles import Role


class User(AbstractUser):
    full_name = models.CharField(_("full name"), max_length=200, blank=True)

    def __str__(self) -> str:
        return self.full_name or self.username


class Assignment(models.Model):
    """A role held by a user at an area (reaching its whole subtree) or at an organization."""

    user = models.ForeignKey(User, models.CASCADE, related_name="assignments")
    role = models.CharField(_("role"), max_length=30, choices=Role.choices)
    area = models.ForeignKey(
        "areas.Area", models.CASCADE, null=True, blank=True, related_name="assignments"
    )
    organization = models.ForeignKey(
        "areas.Organization", models.CASCADE, null=True, blank=True, related_name="assignments"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(area__isnull=False, organization__isnull=True)
                    | Q(area__isnull=True, organization__isnull=False)
                ),
                name="assignment_at_area_or_organization",
            ),
            models.UniqueConstraint(
                fields=["user", "role", "area", "organization"], name="assignment_unique"
            ),
        ]
        verbose_name = _("assignment")

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} · {self.area or self.organization}"


class AuditEvent(models.Model):
    """One change of state: who, when, which object, old → new. Written in the same transaction."""

    at = models.DateTimeField(default=timezone.now, db_index=True)
    actor = models.ForeignKey(User, models.SET_NULL, null=True, blank=True, related_name="+")
    actor_name = models.CharField(max_length=150, blank=True)
    verb = models.CharField(max_length=40)
    object_type = models.CharField(max_length=60)
    object_id = models.CharField(max_length=60)
    object_repr = models.CharField(max_length=300, blank=True)
    # The area path the object lies in, so that audit reads are scoped like everything else.
    area_path = PathField(max_length=400, blank=True, db_index=True)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_name} {self.verb} {self.object_repr}"


class AccessEvent(models.Model):
    """One read of a sensitive record (a monitored person's health data, an export of it)."""

    at = models.DateTimeField(default=timezone.now, db_index=True)
    actor = models.ForeignKey(User, models.SET_NULL, null=True, blank=True, related_name="+")
    actor_name = models.CharField(max_length=150, blank=True)
    object_type = models.CharField(max_length=60)
    object_id = models.CharField(max_length=60)
    area_path = PathField(max_length=400, blank=True, db_index=True)
    purpose = models.CharField(max_length=300, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self) -> str:
        return (
            f"{self.at:%Y-%m-%d %H:%M} {self.actor_name} read {self.object_type} {self.object_id}"
        )


class ApiToken(models.Model):
    """A bearer token for the API. Only its SHA-256 is stored."""

    user = models.ForeignKey(User, models.CASCADE, related_name="api_tokens")
    digest = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=12)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    last_used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user})"

    @staticmethod
    def digest_of(raw: str) -> str:
        return hashlib.sha256(raw.encode()).hexdigest()

    def is_valid(self) -> bool:
        return self.expires_at > timezone.now() and self.user.is_active


class LoginFailure(models.Model):
    """A failed log-in, counted to throttle guessing; old rows are pruned as they age out."""

    username = models.CharField(max_length=150, db_index=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True, db_index=True)
    at = models.DateTimeField(default=timezone.now, db_index=True)

    def __str__(self) -> str:
        return f"{self.username} {self.at:%Y-%m-%d %H:%M}"
