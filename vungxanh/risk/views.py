from __future__ import annotations

from datetime import date

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.formats import get_format

from vungxanh.areas.models import under
from vungxanh.areas.queries import get_area

from .models import CaseRecord, Provenance

DEFAULT_AREA = "56"  # Khánh Hòa, the demo province
# The campaign the map plays, and its goal: every commune green by TARGET_DATE.
CAMPAIGN_START = date(2021, 8, 1)
CAMPAIGN_END = date(2021, 10, 31)
TARGET_DATE = date(2021, 9, 10)
# Words the map drops from names where space is short (district labels, commune tiles).
NAME_PREFIXES = ["Thành phố", "Thị xã", "Thị trấn", "Huyện", "Quận", "Phường", "Xã"]


def _day(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def public_map(request: HttpRequest) -> HttpResponse:
    """The public, read-only risk map: the levels of a province's areas day by day, played over
    the campaign, with the progress toward its goal. The page reads the public risk API."""
    area = get_area(request.GET.get("area") or DEFAULT_AREA)
    start = _day(request.GET.get("date"))
    simulated = CaseRecord.objects.filter(
        under(area.path, "area__path"), provenance=Provenance.SIMULATED
    ).exists()
    context = {
        "area": area,
        "target_date": TARGET_DATE,
        "campaign_start": CAMPAIGN_START,
        "campaign_end": CAMPAIGN_END,
        "simulated": simulated,
        "config": {
            "area": area.code,
            "start": start.isoformat() if start else None,
            "urls": {
                "series": reverse("api:series"),
                "progress": reverse("api:progress"),
                "levels": reverse("api:levels"),
                "geometry": reverse("api:geometry"),
                "history": reverse("api:history", args=["CODE"]),
                "area": reverse("risk:area", args=["CODE"]),
            },
            "name_prefixes": NAME_PREFIXES,
            "decimal": get_format("DECIMAL_SEPARATOR"),
            "thousands": get_format("THOUSAND_SEPARATOR"),
        },
    }
    return render(request, "risk/map.html", context)
