"""Tables out of the register and of team coverage, shared by the API and the pages.

Personal data leaves only with a stated purpose, and every export is written to the access log
(Decree 13/2023). Coverage holds no personal data.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from vungxanh.accounts.audit import record_access
from vungxanh.accounts.models import User
from vungxanh.areas.models import Area
from vungxanh.lib import tabular

from . import queries

PURPOSE_MIN_LENGTH = 5
CONTENT_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv",
}
REGISTER_HEADERS = [
    "id",
    "full_name",
    "birth_year",
    "sex",
    "id_number",
    "phone",
    "village_code",
    "category",
    "origin",
    "arrival_date",
    "start_date",
    "end_date",
    "status",
    "outcome",
]
COVERAGE_HEADERS = [
    "area_code",
    "name",
    "villages",
    "with_team",
    "founded_by_deadline",
    "late",
    "share",
]


class ExportRefused(Exception):
    """An export refused, with the field it concerns and a message for the user."""

    def __init__(self, field: str, message: str):
        self.field = field
        self.message = message
        super().__init__(f"{field}: {message}")


@dataclass(frozen=True)
class ExportFile:
    body: bytes
    content_type: str
    filename: str


def register_rows(user: User, root: Area) -> list[list[Any]]:
    """The entries under `root` whose personal data the user may read, unmasked."""
    entries = queries.entries_under(user, root).select_related("person", "village")
    return [
        [
            e.pk,
            e.person.full_name,
            e.person.birth_year,
            e.person.sex,
            e.person.id_number,
            e.person.phone,
            e.village.code,
            e.category,
            e.origin,
            e.arrival_date,
            e.start_date,
            e.end_date,
            e.status,
            e.outcome,
        ]
        for e in entries.iterator(chunk_size=2000)
    ]


def export_register(
    user: User, root: Area, *, purpose: str, fmt: str = "xlsx", ip: str | None = None
) -> ExportFile:
    """The register of an area as XLSX or CSV: refused without a stated purpose (nothing is
    logged then); otherwise the export is written to the access log with its purpose."""
    purpose = purpose.strip()
    if len(purpose) < PURPOSE_MIN_LENGTH:
        raise ExportRefused(
            "purpose",
            _("State the purpose of the export (at least %(n)s characters).")
            % {"n": PURPOSE_MIN_LENGTH},
        )
    if fmt not in CONTENT_TYPES:
        raise ExportRefused("format", _("Choose XLSX or CSV."))
    rows = register_rows(user, root)
    record_access(user, root, area_path=root.path, purpose=f"export: {purpose}", ip_address=ip)
    return ExportFile(
        body=tabular.write_table(REGISTER_HEADERS, rows, fmt),
        content_type=CONTENT_TYPES[fmt],
        filename=f"so-theo-doi-{root.code}.{fmt}",
    )


def coverage_rows(rows: list[queries.CoverageRow]) -> list[list[Any]]:
    return [
        [r.area.code, r.area.name, r.villages, r.with_team, r.on_time, r.late, round(r.share, 4)]
        for r in rows
    ]


def export_coverage(area: Area, rows: list[queries.CoverageRow]) -> ExportFile:
    return ExportFile(
        body=tabular.write_table(COVERAGE_HEADERS, coverage_rows(rows), "xlsx"),
        content_type=CONTENT_TYPES["xlsx"],
        filename=f"to-tu-quan-{area.code}.xlsx",
    )
