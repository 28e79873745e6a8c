from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from vungxanh.teams.actions import anonymize_closed


class Command(BaseCommand):
    help = (
        "Blank the identity of monitored people whose entries closed more than "
        "ANONYMIZE_AFTER_DAYS days ago (Decree 13/2023: keep personal data no longer than needed)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        count = anonymize_closed()
        self.stdout.write(f"{count} people anonymized (after {settings.ANONYMIZE_AFTER_DAYS} days)")
