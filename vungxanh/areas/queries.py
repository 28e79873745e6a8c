"""Reads of areas and organizations. Area names, codes and populations are public; organizations
and every write go through the caller's scope."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce, Concat, Length, Substr
from django.http import Http404

from vungxanh.accounts.scope import get_visible_or_404, require_scope

from .models import TYPES_OF_TIER, Area, AreaQuerySet, Organization, Tier


def get_area(code: str) -> Area:
    try:
        return Area.objects.with_children_count().select_related("parent").get(code=code)
    except Area.DoesNotExist as exc:
        raise Http404 from exc


def get_area_for_user(user: Any, code: str, permission: str) -> Area:
    """An area the user may change under `permission`; 404 when missing or out of scope."""
    area = get_area(code)
    require_scope(user, area.path, permission)
    return area


def get_organization_for_user(user: Any, code: str) -> Organization:
    queryset = Organization.objects.select_related("area", "managing_organization", "managing_area")
    return get_visible_or_404(queryset, user, code=code)


def get_unit_for_user(
    user: Any, permission: str, *, area_code: str | None, organization_code: str | None
) -> tuple[Area | None, Organization | None]:
    """The unit the user acts for under `permission`: an organization when its code is given,
    else an area's committee; 404 when missing or out of scope."""
    if organization_code:
        org = get_organization_for_user(user, organization_code)
        require_scope(user, org.management_path, permission)
        return None, org
    return get_area_for_user(user, area_code or "", permission), None


def _descendants_of_tier(tier: str) -> Subquery:
    """Count of the outer area's strict descendants of a tier, as one correlated subquery."""
    outer_path = OuterRef("path")
    upper = Concat(Substr(outer_path, 1, Length(outer_path) - 1), Value("0"))
    inner = (
        Area.objects.filter(path__gt=outer_path, path__lt=upper, type__in=TYPES_OF_TIER[tier])
        .order_by()
        .values(marker=Value(1))
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Subquery(inner)


def children_with_counts(area: Area | None) -> AreaQuerySet:
    """The children of an area (or the roots), each with counts of children, communes, villages."""
    queryset = Area.objects.filter(parent=area) if area else Area.objects.filter(parent=None)
    return (
        queryset.with_children_count()
        .annotate(
            communes_count=Coalesce(_descendants_of_tier(Tier.COMMUNE), 0),
            villages_count=Coalesce(_descendants_of_tier(Tier.VILLAGE), 0),
            organizations_count=Count("organizations", distinct=True),
        )
        .order_by("name")
    )


def search_organizations(
    user: Any, *, area: Area | None = None, text: str = "", type: str = ""
) -> QuerySet[Organization]:
    queryset = Organization.objects.visible_to(user).select_related("area")
    if area is not None:
        queryset = queryset.filter(area__in=Area.objects.subtree(area))
    if text:
        queryset = queryset.filter(Q(name__icontains=text) | Q(code__icontains=text))
    if type:
        queryset = queryset.filter(type=type)
    return queryset.order_by("name")
