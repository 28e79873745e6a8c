"""manage.py real_province_levels: see vungxanh/risk/real_data.py."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from vungxanh.risk.real_data import (
    CSV_HEADER,
    DEFAULT_FROM,
    DEFAULT_PROVINCES,
    DEFAULT_TO,
    UPPER_BOUND_NOTE,
    assess_provinces,
    header,
    parse_day,
    table,
    write_csv,
)


class Command(BaseCommand):
    help = (
        "Risk levels of real provinces, July 2021 – January 2022, under criterion 1 of Decision "
        "4800/QĐ-BYT only (community cases in 7 days per 100,000 people; vaccine coverage and "
        "treatment capacity ignored), from the Ministry of Health's daily case counts by "
        "province (announcement dates) and the 2020 population. " + UPPER_BOUND_NOTE
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--province",
            action="append",
            dest="provinces",
            metavar="CODE",
            help="province code, 1 or 2 digits (56 or 01); repeat for several "
            f"(default: {' '.join(DEFAULT_PROVINCES)})",
        )
        parser.add_argument("--from", dest="date_from", default=DEFAULT_FROM, help="YYYY-MM-DD")
        parser.add_argument("--to", dest="date_to", default=DEFAULT_TO, help="YYYY-MM-DD")
        parser.add_argument(
            "--weekly",
            action=argparse.BooleanOptionalAction,
            default=True,
            help="each Sunday, for the 7 days ending on it (default); --no-weekly: every day, "
            "for the 7 days ending on that day",
        )
        parser.add_argument(
            "--out",
            type=Path,
            help="also write CSV: " + ",".join(CSV_HEADER),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            date_from = parse_day("--from", options["date_from"])
            date_to = parse_day("--to", options["date_to"])
            done = assess_provinces(
                options["provinces"] or DEFAULT_PROVINCES, date_from, date_to, options["weekly"]
            )
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            header(
                done.params, options["weekly"], date_from, date_to, done.days, done.counts.first_day
            )
        )
        self.stdout.write(table(done.rows))
        if options["out"]:
            write_csv(options["out"], done.rows)
            self.stdout.write(f"\n{len(done.rows)} rows written to {options['out']}")
