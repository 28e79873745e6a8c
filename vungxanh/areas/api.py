from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, File, Router, Schema, Status
from ninja.errors import HttpError
from ninja.files import UploadedFile
from ninja.pagination import PageNumberPagination, paginate
from pydantic import model_validator

from vungxanh.accounts.models import User
from vungxanh.accounts.roles import MANAGE_AREAS

from . import actions, queries
from .models import TYPES_OF_TIER, Area, Organization

router = Router(tags=["areas"])


class PageOf200(PageNumberPagination):
    class Input(PageNumberPagination.Input):
        page_size: int = Field(200, ge=1, le=1000)


class CentroidOut(Schema):
    lat: float
    lon: float


class AreaOut(Schema):
    code: str
    name: str
    type: str
    tier: str
    level: int
    parent_code: str | None
    population: int | None
    population_year: int | None
    population_source: str
    population_estimated: bool
    children_count: int
    centroid: CentroidOut | None
    is_generated: bool

    @staticmethod
    def resolve_parent_code(area: Area) -> str | None:
        segments = area.path.strip("/").split("/")
        return segments[-2] if len(segments) > 1 else None

    @staticmethod
    def resolve_population_estimated(area: Area) -> bool:
        return area.population_is_estimate

    @staticmethod
    def resolve_children_count(area: Area) -> int:
        return int(getattr(area, "children_count", 0))

    @staticmethod
    def resolve_centroid(area: Area) -> CentroidOut | None:
        if area.centroid_lat is None or area.centroid_lon is None:
            return None
        return CentroidOut(lat=area.centroid_lat, lon=area.centroid_lon)


class UnitIn(Schema):
    """One unit: an area's committee (`area_code`) or an organization (`organization_code`)."""

    area_code: str | None = None
    organization_code: str | None = None

    @model_validator(mode="after")
    def one_unit(self) -> UnitIn:
        if (self.area_code is None) == (self.organization_code is None):
            raise ValueError("give one unit: area_code or organization_code")
        return self


class VillageIn(Schema):
    name: str = Field(..., min_length=1, max_length=200)
    type: str | None = None
    code: str | None = Field(None, pattern=r"^[0-9A-Za-z][0-9A-Za-z.\-]{0,39}$")
    population: int | None = Field(None, ge=0)


class OrganizationOut(Schema):
    code: str
    name: str
    type: str
    area_code: str = Field(..., alias="area.code")
    address: str
    managing_organization_code: str | None
    managing_area_code: str | None

    @staticmethod
    def resolve_managing_organization_code(org: Organization) -> str | None:
        return org.managing_organization.code if org.managing_organization else None

    @staticmethod
    def resolve_managing_area_code(org: Organization) -> str | None:
        return org.managing_area.code if org.managing_area else None


class ImportOut(Schema):
    created: int
    codes: list[str]


@router.get("/areas/{code}", response=AreaOut, auth=None, tags=["areas"])
def area_detail(request: HttpRequest, code: str) -> Any:
    """One area (public: names, codes and populations of administrative units are public)."""
    return queries.get_area(code)


@router.get("/areas/{code}/children", response=list[AreaOut], auth=None)
@paginate(PageOf200)
def area_children(request: HttpRequest, code: str) -> Any:
    area = queries.get_area(code)
    return area.children.with_children_count().order_by("name")


@router.get("/areas/{code}/descendants", response=list[AreaOut], auth=None)
@paginate(PageOf200)
def area_descendants(request: HttpRequest, code: str, tier: str | None = None) -> Any:
    """Every area below this one, optionally of one tier (province, district, commune, village)."""
    area = queries.get_area(code)
    queryset = Area.objects.subtree(area, include_self=False).with_children_count()
    if tier:
        if tier not in TYPES_OF_TIER:
            raise HttpError(400, _("Unknown tier."))
        queryset = queryset.of_tier(tier)
    return queryset.order_by("path")


@router.post("/areas/{code}/children", response={201: AreaOut})
def create_village(request: HttpRequest, code: str, body: VillageIn) -> Status[Any]:
    """Create a village under a commune. Only a user whose scope covers the commune may."""
    assert isinstance(request.user, User)
    commune = queries.get_area_for_user(request.user, code, MANAGE_AREAS)
    spec = actions.VillageSpec(
        name=body.name, type=body.type, code=body.code, population=body.population
    )
    try:
        village = actions.do_create_village(request.user, commune, spec)
    except actions.AreaRefused as exc:
        raise HttpError(400, f"{exc.field}: {exc.message}") from exc
    return Status(201, village)


@router.post("/areas/import/villages", response={201: ImportOut})
def import_villages(request: HttpRequest, file: UploadedFile = File(...)) -> Status[ImportOut]:  # noqa: B008
    """Villages from CSV or XLSX: all rows or none; each error names its row and field."""
    assert isinstance(request.user, User)
    created = actions.do_import_villages(request.user, file.read(), file.name or "")
    return Status(201, ImportOut(created=len(created), codes=[a.code for a in created]))


@router.get("/organizations", response=list[OrganizationOut], tags=["organizations"])
@paginate(PageOf200)
def organization_list(
    request: HttpRequest, area: str | None = None, q: str = "", type: str = ""
) -> Any:
    """Organizations in the caller's scope, optionally under an area, by text or type."""
    where = queries.get_area(area) if area else None
    rows = queries.search_organizations(request.user, area=where, text=q, type=type)
    return rows.select_related("managing_organization", "managing_area")


@router.post("/organizations/import", response={201: ImportOut}, tags=["organizations"])
def import_organizations(
    request: HttpRequest,
    file: UploadedFile = File(...),  # noqa: B008
) -> Status[ImportOut]:
    assert isinstance(request.user, User)
    created = actions.do_import_organizations(request.user, file.read(), file.name or "")
    return Status(201, ImportOut(created=len(created), codes=[o.code for o in created]))


@router.get("/organizations/{code}", response=OrganizationOut, tags=["organizations"])
def organization_detail(request: HttpRequest, code: str) -> Any:
    return queries.get_organization_for_user(request.user, code)
