"""The product's "today". A demo of 2021 sets VUNGXANH_TODAY so that its data is current."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.utils import timezone


def today() -> date:
    fixed = getattr(settings, "VUNGXANH_TODAY", None)
    return date.fromisoformat(fixed) if fixed else timezone.localdate()
