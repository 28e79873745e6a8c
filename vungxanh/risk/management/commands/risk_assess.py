from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation

from vungxanh.lib.tabular import CellError
from vungxanh.risk import engine, files
from vungxanh.risk.rules import shipped_rulesets


class Command(BaseCommand):
    help = (
        "Assess risk levels from files alone (no database): "
        "--ruleset 4800 --cases CASES.csv --areas AREAS.csv [--coverage COVERAGE.csv] "
        "--from 2021-08-01 --to 2021-08-31 --out LEVELS.csv"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--ruleset", required=True, help="2686 or 4800, or a ruleset JSON file")
        parser.add_argument("--cases", required=True, type=Path)
        parser.add_argument("--areas", required=True, type=Path)
        parser.add_argument("--coverage", type=Path)
        parser.add_argument("--from", dest="date_from", required=True)
        parser.add_argument("--to", dest="date_to", required=True)
        parser.add_argument("--out", required=True, type=Path)
        parser.add_argument(
            "--language", default="vi", choices=["vi", "en"], help="language of the explanations"
        )

    def handle(self, *args: Any, **o: Any) -> None:
        params = self._ruleset(o["ruleset"])
        try:
            date_from, date_to = files.parse_day(o["date_from"]), files.parse_day(o["date_to"])
        except CellError as exc:
            raise CommandError(f"--from/--to: {exc}") from exc
        if date_to < date_from:
            raise CommandError("--to is before --from")
        with translation.override(o["language"]):
            try:
                tree = files.read_tree(o["areas"])
                cases = files.read_cases(o["cases"], tree)
                coverage = (
                    files.read_coverage(o["coverage"], tree)
                    if o["coverage"]
                    else engine.Coverage.empty()
                )
            except files.FileRejected as exc:
                raise CommandError(f"nothing written:\n{exc}") from exc
            result = engine.assess(tree, cases, coverage, params, date_from, date_to)
            count = files.write_levels(o["out"], result, tree, params)
        self.stdout.write(f"{count} rows written to {o['out']}")

    def _ruleset(self, name: str) -> Any:
        shipped = shipped_rulesets()
        if name in shipped:
            return shipped[name].params
        path = Path(name)
        if not path.exists():
            raise CommandError(f"--ruleset: neither {', '.join(shipped)} nor a file: {name}")
        from pydantic import ValidationError

        from vungxanh.risk.rules import RulesetDocument

        try:
            return RulesetDocument.model_validate_json(path.read_text("utf-8")).params
        except ValidationError as exc:
            raise CommandError(f"--ruleset {path.name}: {exc}") from exc
