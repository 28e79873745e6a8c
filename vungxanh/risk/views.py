from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def public_map(request: HttpRequest) -> HttpResponse:
    """The public, read-only risk map (placeholder until the map page lands)."""
    return render(request, "risk/map.html", {})
