from __future__ import annotations

from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from vungxanh.areas.models import TYPES_OF_TIER, Area, Tier


def home(request: HttpRequest) -> HttpResponse:
    """The front page: what Vùng Xanh is, the size of the tree it holds, the user's places."""
    counts = Area.objects.aggregate(
        provinces=Count("pk", filter=Q(type__in=TYPES_OF_TIER[Tier.PROVINCE])),
        districts=Count("pk", filter=Q(type__in=TYPES_OF_TIER[Tier.DISTRICT])),
        communes=Count("pk", filter=Q(type__in=TYPES_OF_TIER[Tier.COMMUNE])),
        villages=Count("pk", filter=Q(type__in=TYPES_OF_TIER[Tier.VILLAGE])),
    )
    assignments = (
        request.user.assignments.select_related("area", "organization")
        if request.user.is_authenticated
        else []
    )
    return render(request, "portal/home.html", {"counts": counts, "assignments": assignments})
