from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from vungxanh.areas.models import Area
from vungxanh.lib.tabular import CellError, parse_date
from vungxanh.risk.actions import do_recompute_levels


class Command(BaseCommand):
    help = "Recompute and store risk levels (idempotent): all provinces, or the named ones."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--province", action="append", dest="provinces", metavar="CODE")
        parser.add_argument("--from", dest="date_from", help="default: the first case")
        parser.add_argument("--to", dest="date_to", help="default: the last case + the window")

    def handle(self, *args: Any, provinces: list[str] | None, **o: Any) -> None:
        roots = None
        if provinces:
            roots = list(Area.objects.filter(code__in=[p.zfill(2) for p in provinces]))
            if len(roots) != len(provinces):
                raise CommandError(f"unknown province among {', '.join(provinces)}")
        try:
            date_from = parse_date(o["date_from"]) if o["date_from"] else None
            date_to = parse_date(o["date_to"]) if o["date_to"] else None
        except CellError as exc:
            raise CommandError(str(exc)) from exc
        started = time.perf_counter()
        report = do_recompute_levels(roots, date_from, date_to)
        self.stdout.write(
            f"{report.provinces} province(s), {report.areas} areas, {report.rows} levels stored "
            f"in {time.perf_counter() - started:.1f} s"
        )
