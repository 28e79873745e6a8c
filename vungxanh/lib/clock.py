"""The product's "today". A demo of 2021 sets VUNGXANH_TODAY so that its data is current."""

from __future__ import annotations

from datetime import date, datetime

from django.conf import settings
from django.utils import timezone


def today() -> date:
    fixed = getattr(settings, "VUNGXANH_TODAY", None)
    return date.fromisoformat(fixed) if fixed else timezone.localdate()


def parse_day(text: str) -> date | None:
    """A day typed as dd/mm/yyyy (or ISO yyyy-mm-dd); None when it is not one."""
    for pattern in ("%d/%m/%Y", "%Y-%m-%d"):
        try:
            return datetime.strptime(text.strip(), pattern).date()
        except ValueError:
            continue
    return None
