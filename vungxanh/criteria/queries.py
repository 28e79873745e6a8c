"""Reads of criteria sets, assessments and announcements."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from vungxanh.accounts.scope import get_visible_or_404

from .models import Assessment, CriteriaSetVersion


def get_version(code: str, number: int | None = None) -> CriteriaSetVersion:
    """A set's version `number`, else the one in force (latest published), else the latest."""
    versions = CriteriaSetVersion.objects.select_related("criteria_set").filter(
        criteria_set__code=code
    )
    if number is not None:
        version = versions.filter(version=number).first()
    else:
        version = (
            versions.filter(status=CriteriaSetVersion.Status.PUBLISHED).order_by("-version").first()
            or versions.order_by("-version").first()
        )
    if version is None:
        raise Http404
    return version


def assessments_for(user: Any) -> QuerySet[Assessment]:
    return Assessment.objects.visible_to(user).select_related(
        "version", "version__criteria_set", "area", "organization"
    )


def get_assessment_for_user(user: Any, pk: int) -> Assessment:
    return get_visible_or_404(
        Assessment.objects.select_related(
            "version", "version__criteria_set", "area", "area__parent", "organization"
        ),
        user,
        pk=pk,
    )
