from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from vungxanh.portal.demo import load_demo, login_table


class Command(BaseCommand):
    help = "Load the demo province (Khánh Hòa) with generated villages, organizations and log-ins."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--only-demo-province",
            action="store_true",
            help="Load only Khánh Hòa's units, not the whole country",
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="Load even with DEBUG off (never on a production database)",
        )

    def handle(self, *args: Any, only_demo_province: bool, force: bool, **opts: Any) -> None:
        if not settings.DEBUG and not force:
            raise CommandError(
                "The demo creates log-ins with a published password. Run it with DEBUG=1 "
                "(make run does), or pass --force on a database that is not production."
            )
        started = time.perf_counter()
        load_demo(all_provinces=not only_demo_province)
        self.stdout.write(f"Demo ready in {time.perf_counter() - started:.1f} s.")
        self.stdout.write(login_table())
