"""Changes to areas and organizations. Each runs in one transaction and writes its audit rows.

`actor=None` means the system itself (a management command run by the operator); with an actor,
every area touched must lie in the actor's scope for the permission, or it is reported as not
found, exactly like a 404.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from vungxanh.accounts.audit import record_audit, record_audit_many
from vungxanh.accounts.models import User
from vungxanh.accounts.roles import MANAGE_AREAS, MANAGE_ORGANIZATIONS
from vungxanh.accounts.scope import Scope, scope_of_actor
from vungxanh.lib import tabular, tree
from vungxanh.lib.errors import Refused
from vungxanh.lib.tabular import CellError, Column, ImportRejected, RowError, Schema

from .models import (
    TYPES_OF_TIER,
    Area,
    AreaGeometry,
    AreaType,
    Organization,
    OrganizationType,
    PopulationSource,
    Tier,
    organization_path,
)
from .official import estimate_populations

VILLAGE_TYPES = [(t, AreaType(t).label) for t in TYPES_OF_TIER[Tier.VILLAGE]]


class AreaRefused(Refused):
    pass


_scope = scope_of_actor


def default_village_type(commune: Area) -> str:
    urban = commune.type in {AreaType.WARD, AreaType.TOWNSHIP}
    return AreaType.RESIDENTIAL_GROUP if urban else AreaType.VILLAGE


def next_village_codes(commune: Area, count: int, taken: set[str] | None = None) -> list[str]:
    """Codes "<commune>-001", "<commune>-002"… that no area holds yet."""
    used = set(
        Area.objects.filter(code__startswith=f"{commune.code}-").values_list("code", flat=True)
    ) | (taken or set())
    codes: list[str] = []
    n = 1
    while len(codes) < count:
        code = f"{commune.code}-{n:03d}"
        if code not in used:
            codes.append(code)
        n += 1
    return codes


@dataclass
class VillageSpec:
    name: str
    type: str | None = None
    code: str | None = None
    population: int | None = None
    is_generated: bool = False


def do_create_village(actor: User | None, commune: Area, spec: VillageSpec) -> Area:
    """Create one village under a commune the actor manages."""
    return do_create_villages(actor, commune, [spec])[0]


def do_create_villages(actor: User | None, commune: Area, specs: list[VillageSpec]) -> list[Area]:
    if not _scope(actor, MANAGE_AREAS).covers(commune.path):
        raise AreaRefused("parent", _("Area not found."))
    if commune.tier != Tier.COMMUNE:
        raise AreaRefused("parent", _("Villages are created under a commune, ward or township."))
    names = {n.lower() for n in commune.children.values_list("name", flat=True)}
    for spec in specs:
        if spec.name.strip().lower() in names:
            message = _("“%(name)s” already exists in %(commune)s.")
            raise AreaRefused("name", message % {"name": spec.name, "commune": commune.name})
        names.add(spec.name.strip().lower())
        if spec.type and spec.type not in TYPES_OF_TIER[Tier.VILLAGE]:
            raise AreaRefused("type", _("Not a village-level type."))
    fresh = iter(next_village_codes(commune, sum(1 for s in specs if not s.code)))
    villages = []
    for spec in specs:
        code = spec.code or next(fresh)
        villages.append(
            Area(
                code=code,
                name=spec.name.strip(),
                type=spec.type or default_village_type(commune),
                level=commune.level + 1,
                parent=commune,
                path=tree.child_path(commune.path, code),
                population=spec.population,
                population_source=PopulationSource.IMPORTED if spec.population else "",
                is_generated=spec.is_generated,
                source="generated for the demo" if spec.is_generated else "entered by a user",
            )
        )
    try:
        with transaction.atomic():
            Area.objects.bulk_create(villages)
            created = list(Area.objects.filter(code__in=[v.code for v in villages]))
            record_audit_many(actor, "create", [(v, v.path, None, v.audit_dict()) for v in created])
    except IntegrityError as exc:
        raise AreaRefused("code", _("This code is already used by another area.")) from exc
    return created


# Imports. Each declares its schema and its writer; the reader and the all-or-nothing rule are
# shared (vungxanh.lib.tabular).

VILLAGE_SCHEMA = Schema(
    [
        Column("commune_code", tabular.parse_code, aliases=("ma_xa", "mã xã", "commune")),
        Column("name", aliases=("ten", "tên", "ten_thon", "tên thôn")),
        Column(
            "type",
            tabular.choice_parser(VILLAGE_TYPES),
            required=False,
            aliases=("loai", "loại"),
        ),
        Column("code", tabular.parse_code, required=False, aliases=("ma", "mã")),
        Column(
            "population",
            tabular.parse_non_negative_int,
            required=False,
            aliases=("dan_so", "dân số"),
        ),
    ]
)


def do_import_villages(actor: User | None, data: bytes, filename: str) -> list[Area]:
    """Villages from CSV/XLSX: every row valid and in scope, or none stored."""
    rows = tabular.read_rows(data, filename, VILLAGE_SCHEMA)
    scope = _scope(actor, MANAGE_AREAS)
    communes = {a.code: a for a in Area.objects.filter(code__in={r["commune_code"] for r in rows})}
    existing_codes = set(
        Area.objects.filter(code__in={r["code"] for r in rows if r["code"]}).values_list(
            "code", flat=True
        )
    )
    existing_names = {
        (parent, name.lower())
        for parent, name in Area.objects.filter(parent__in=communes.values()).values_list(
            "parent__code", "name"
        )
    }
    errors: list[RowError] = []
    seen_codes: set[str] = set()
    seen_names: set[tuple[str, str]] = set()
    for r in rows:
        commune = communes.get(r["commune_code"])
        if commune is None or not scope.covers(commune.path):
            errors.append(
                RowError(r["_row"], "commune_code", _("No such commune within your scope."))
            )
            continue
        if commune.tier != Tier.COMMUNE:
            message = _("%(code)s is not a commune, ward or township.")
            errors.append(RowError(r["_row"], "commune_code", message % {"code": commune.code}))
        key = (commune.code, r["name"].lower())
        if key in existing_names:
            errors.append(RowError(r["_row"], "name", _("This village already exists.")))
        elif key in seen_names:
            errors.append(RowError(r["_row"], "name", _("Repeated in this file.")))
        seen_names.add(key)
        if r["code"]:
            if r["code"] in existing_codes:
                errors.append(RowError(r["_row"], "code", _("This code is already used.")))
            elif r["code"] in seen_codes:
                errors.append(RowError(r["_row"], "code", _("Repeated in this file.")))
            seen_codes.add(r["code"])
    if errors:
        raise ImportRejected(errors)
    created: list[Area] = []
    with transaction.atomic():
        by_commune: dict[str, list[VillageSpec]] = {}
        for r in rows:
            by_commune.setdefault(r["commune_code"], []).append(
                VillageSpec(r["name"], r["type"], r["code"], r["population"])
            )
        for code, specs in by_commune.items():
            created += do_create_villages(actor, communes[code], specs)
    return created


ORGANIZATION_SCHEMA = Schema(
    [
        Column("code", tabular.parse_code, aliases=("ma", "mã", "ma_so_thue", "mã số thuế")),
        Column("name", aliases=("ten", "tên")),
        Column("type", tabular.choice_parser(OrganizationType.choices), aliases=("loai", "loại")),
        Column("area_code", tabular.parse_code, aliases=("ma_dia_ban", "mã địa bàn")),
        Column(
            "managing_organization_code",
            tabular.parse_code,
            required=False,
            aliases=("don_vi_quan_ly", "đơn vị quản lý"),
        ),
        Column(
            "managing_area_code",
            tabular.parse_code,
            required=False,
            aliases=("ubnd_quan_ly", "ubnd quản lý"),
        ),
        Column("address", required=False, default="", aliases=("dia_chi", "địa chỉ")),
        Column("phone", required=False, default="", aliases=("dien_thoai", "điện thoại")),
    ]
)


def do_import_organizations(actor: User | None, data: bytes, filename: str) -> list[Organization]:
    """Organizations from CSV/XLSX. A manager may be an earlier row of the same file."""
    rows = tabular.read_rows(data, filename, ORGANIZATION_SCHEMA)
    scope = _scope(actor, MANAGE_ORGANIZATIONS)
    area_codes = {r["area_code"] for r in rows} | {
        r["managing_area_code"] for r in rows if r["managing_area_code"]
    }
    areas = {a.code: a for a in Area.objects.filter(code__in=area_codes)}
    orgs = {
        o.code: o
        for o in Organization.objects.filter(
            code__in={r["code"] for r in rows}
            | {r["managing_organization_code"] for r in rows if r["managing_organization_code"]}
        )
    }
    errors: list[RowError] = []
    planned: list[Organization] = []
    for r in rows:
        errors += _plan_organization(r, scope, areas, orgs, planned)
    if errors:
        raise ImportRejected(errors)
    with transaction.atomic():
        for org in planned:  # in file order, so that managers exist before what they manage
            if org.managing_organization is not None:
                org.managing_organization_id = org.managing_organization.pk
            org.save()
        record_audit_many(
            actor, "create", [(o, o.area.path, None, o.audit_dict()) for o in planned]
        )
    return planned


def _plan_organization(
    r: dict[str, Any],
    scope: Scope,
    areas: dict[str, Area],
    orgs: dict[str, Organization],
    planned: list[Organization],
) -> list[RowError]:
    row = r["_row"]
    if r["code"] in orgs:
        return [RowError(row, "code", _("This code is already used."))]
    area = areas.get(r["area_code"])
    if area is None or not scope.covers(area.path):
        return [RowError(row, "area_code", _("No such area within your scope."))]
    manager: Organization | Area | None
    if bool(r["managing_organization_code"]) == bool(r["managing_area_code"]):
        message = _("Give exactly one of managing_organization_code and managing_area_code.")
        return [RowError(row, "managing_organization_code", message)]
    if r["managing_organization_code"]:
        manager = orgs.get(r["managing_organization_code"])
        field = "managing_organization_code"
        ok = manager is not None and scope.covers(manager.management_path)
    else:
        manager = areas.get(r["managing_area_code"])
        field = "managing_area_code"
        ok = manager is not None and scope.covers(manager.path)
    if not ok or manager is None:
        return [RowError(row, field, _("No such manager within your scope."))]
    org = Organization(
        code=r["code"],
        name=r["name"],
        type=r["type"],
        area=area,
        address=r["address"],
        phone=r["phone"],
        management_path=organization_path(r["code"], manager),
    )
    if isinstance(manager, Organization):
        org.managing_organization = manager
    else:
        org.managing_area = manager
    orgs[org.code] = org
    planned.append(org)
    return []


def do_create_organization(
    actor: User | None,
    *,
    code: str,
    name: str,
    type: str,
    area: Area,
    manager: Organization | Area,
    address: str = "",
    is_generated: bool = False,
) -> Organization:
    scope = _scope(actor, MANAGE_ORGANIZATIONS)
    manager_path = manager.management_path if isinstance(manager, Organization) else manager.path
    if not (scope.covers(area.path) and scope.covers(manager_path)):
        raise AreaRefused("area", _("Area not found."))
    org = Organization(
        code=code,
        name=name,
        type=type,
        area=area,
        address=address,
        is_generated=is_generated,
        management_path=organization_path(code, manager),
    )
    if isinstance(manager, Organization):
        org.managing_organization = manager
    else:
        org.managing_area = manager
    with transaction.atomic():
        org.save()
        record_audit(actor, "create", org, area_path=area.path, after=org.audit_dict())
    return org


POPULATION_SCHEMA = Schema(
    [
        Column("area_code", tabular.parse_code, aliases=("ma_dia_ban", "mã địa bàn", "code")),
        Column("population", tabular.parse_non_negative_int, aliases=("dan_so", "dân số")),
        Column("year", tabular.parse_non_negative_int, aliases=("nam", "năm")),
        Column("note", required=False, default="", aliases=("nguon", "nguồn", "source")),
    ]
)


def do_import_populations(actor: User | None, data: bytes, filename: str) -> int:
    """Real population figures; estimates of the rest of each province are redone around them."""
    rows = tabular.read_rows(data, filename, POPULATION_SCHEMA)
    scope = _scope(actor, MANAGE_AREAS)
    areas = {a.code: a for a in Area.objects.filter(code__in={r["area_code"] for r in rows})}
    errors = [
        RowError(r["_row"], "area_code", _("No such area within your scope."))
        for r in rows
        if r["area_code"] not in areas or not scope.covers(areas[r["area_code"]].path)
    ]
    if errors:
        raise ImportRejected(errors)
    with transaction.atomic():
        changes = []
        for r in rows:
            area = areas[r["area_code"]]
            before = {"population": area.population, "source": area.population_source}
            area.population = r["population"]
            area.population_year = r["year"]
            area.population_source = PopulationSource.IMPORTED
            area.population_note = r["note"][:300]
            area.save(
                update_fields=[
                    "population",
                    "population_year",
                    "population_source",
                    "population_note",
                    "updated_at",
                ]
            )
            after = {"population": area.population, "source": area.population_source}
            changes.append((area, area.path, before, after))
        record_audit_many(actor, "set_population", changes)
        roots = {tree.segments(a.path)[0] for a, *_ in changes}
        for province in Area.objects.filter(code__in=roots):
            estimate_populations(province)
    return len(rows)


def do_import_boundaries(
    actor: User | None, data: bytes, code_property: str = "code", source: str = ""
) -> int:
    """Boundaries from a GeoJSON FeatureCollection keyed by an area-code property."""
    try:
        collection = json.loads(data.decode("utf-8-sig"))
        features = collection["features"]
    except (ValueError, KeyError, TypeError) as exc:
        raise ImportRejected([RowError(None, None, _("Not a GeoJSON FeatureCollection."))]) from exc
    scope = _scope(actor, MANAGE_AREAS)
    wanted: dict[int, str] = {}
    errors: list[RowError] = []
    for index, feature in enumerate(features, start=1):
        try:
            wanted[index] = _feature_code(feature, code_property)
            _check_geometry(feature.get("geometry"))
        except CellError as exc:
            errors.append(RowError(index, code_property, str(exc)))
    areas = {a.code: a for a in Area.objects.filter(code__in=set(wanted.values()))}
    for index, code in wanted.items():
        if code not in areas or not scope.covers(areas[code].path):
            errors.append(RowError(index, code_property, _("No such area within your scope.")))
    if errors:
        raise ImportRejected(errors)
    with transaction.atomic():
        changes = []
        for index, code in wanted.items():
            area = areas[code]
            AreaGeometry.objects.update_or_create(
                area=area, defaults={"geojson": features[index - 1]["geometry"], "source": source}
            )
            changes.append((area, area.path, None, {"boundary": source or "imported"}))
        record_audit_many(actor, "set_boundary", changes)
    return len(wanted)


def _feature_code(feature: Any, code_property: str) -> str:
    try:
        value = feature["properties"][code_property]
    except (KeyError, TypeError) as exc:
        raise CellError(_("The feature has no such property.")) from exc
    return tabular.parse_code(str(value))


def _check_geometry(geometry: Any) -> None:
    if not isinstance(geometry, dict) or geometry.get("type") not in {"Polygon", "MultiPolygon"}:
        raise CellError(_("The geometry is not a Polygon or MultiPolygon."))
    if not isinstance(geometry.get("coordinates"), list) or not geometry["coordinates"]:
        raise CellError(_("The geometry has no coordinates."))
