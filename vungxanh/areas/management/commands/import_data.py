from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from vungxanh.areas import actions
from vungxanh.lib.tabular import ImportRejected


class Command(BaseCommand):
    help = (
        "Import villages, organizations or population figures (CSV/XLSX) or boundaries "
        "(GeoJSON), all or nothing, as the system."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "kind", choices=["villages", "organizations", "populations", "boundaries"]
        )
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--code-property", default="code", help="GeoJSON feature property holding the area code"
        )

    def handle(self, *args: Any, kind: str, file: Path, code_property: str, **opts: Any) -> None:
        data = file.read_bytes()
        try:
            if kind == "villages":
                count = len(actions.do_import_villages(None, data, file.name))
            elif kind == "organizations":
                count = len(actions.do_import_organizations(None, data, file.name))
            elif kind == "populations":
                count = actions.do_import_populations(None, data, file.name)
            else:
                count = actions.do_import_boundaries(None, data, code_property, source=file.name)
        except ImportRejected as exc:
            lines = [f"{file.name}: {e}" for e in exc.errors]
            raise CommandError("nothing was stored:\n" + "\n".join(lines)) from exc
        self.stdout.write(f"{count} row(s) imported from {file.name}")
