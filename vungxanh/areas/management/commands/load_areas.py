from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from vungxanh.areas.official import load_official_units


class Command(BaseCommand):
    help = "Load the official 2021 provinces, districts and communes (all, or the named provinces)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--province",
            action="append",
            dest="provinces",
            metavar="CODE",
            help="A province code (e.g. 56 for Khánh Hòa); repeat for several. Default: all.",
        )

    def handle(self, *args: Any, provinces: list[str] | None = None, **options: Any) -> None:
        started = time.perf_counter()
        try:
            report = load_official_units(provinces)
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"{len(report.provinces)} province(s): {report.created} created, "
            f"{report.updated} updated, {report.unchanged} unchanged "
            f"in {time.perf_counter() - started:.1f} s"
        )
