"""Daily: verified ratings past their validity become expired; list those ending soon.

python manage.py expire_ratings [--within 14]
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from vungxanh.criteria import actions
from vungxanh.criteria.models import Assessment
from vungxanh.lib import clock


class Command(BaseCommand):
    help = "Expire verified safety ratings past their validity and list those ending soon."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--within", type=int, default=14, help="days ahead for reminders")

    def handle(self, *args: Any, within: int, **options: Any) -> None:
        today = clock.today()
        expired = actions.expire_ratings(today)
        self.stdout.write(f"{expired} rating(s) expired on {today:%d/%m/%Y}.")
        soon = (
            Assessment.objects.filter(
                status=Assessment.Status.VERIFIED,
                valid_until__gte=today,
                valid_until__lte=today + timedelta(days=within),
            )
            .select_related("area", "organization", "version__criteria_set")
            .order_by("valid_until")
        )
        for a in soon:
            self.stdout.write(
                f"ending {a.valid_until:%d/%m/%Y}: {a.unit_name} "
                f"({a.version.criteria_set.code}, #{a.pk})"
            )
