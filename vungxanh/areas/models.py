from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from vungxanh.lib import tree

from .fields import PathField

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from vungxanh.accounts.models import User


class Tier(models.TextChoices):
    """The tier an area type belongs to. Depth in the tree is `Area.level`, which may differ."""

    PROVINCE = "province", _("Province")
    DISTRICT = "district", _("District")
    COMMUNE = "commune", _("Commune")
    VILLAGE = "village", _("Village")


class AreaType(models.TextChoices):
    PROVINCE = "tinh", _("province (tỉnh)")
    CENTRAL_CITY = "thanh_pho_trung_uong", _("centrally-run city")
    URBAN_DISTRICT = "quan", _("urban district (quận)")
    RURAL_DISTRICT = "huyen", _("rural district (huyện)")
    TOWN = "thi_xa", _("town (thị xã)")
    CITY = "thanh_pho", _("provincial city")
    WARD = "phuong", _("ward (phường)")
    COMMUNE = "xa", _("commune (xã)")
    TOWNSHIP = "thi_tran", _("township (thị trấn)")
    VILLAGE = "thon", _("village (thôn)")
    RESIDENTIAL_GROUP = "to_dan_pho", _("residential group (tổ dân phố)")
    BUON = "buon", _("ethnic village (buôn)")
    HAMLET = "ap", _("hamlet (ấp)")
    QUARTER = "khu_pho", _("quarter (khu phố)")
    OTHER_VILLAGE = "khac", _("other village-level unit")


TIER_OF_TYPE: dict[str, str] = {
    AreaType.PROVINCE: Tier.PROVINCE,
    AreaType.CENTRAL_CITY: Tier.PROVINCE,
    AreaType.URBAN_DISTRICT: Tier.DISTRICT,
    AreaType.RURAL_DISTRICT: Tier.DISTRICT,
    AreaType.TOWN: Tier.DISTRICT,
    AreaType.CITY: Tier.DISTRICT,
    AreaType.WARD: Tier.COMMUNE,
    AreaType.COMMUNE: Tier.COMMUNE,
    AreaType.TOWNSHIP: Tier.COMMUNE,
    AreaType.VILLAGE: Tier.VILLAGE,
    AreaType.RESIDENTIAL_GROUP: Tier.VILLAGE,
    AreaType.BUON: Tier.VILLAGE,
    AreaType.HAMLET: Tier.VILLAGE,
    AreaType.QUARTER: Tier.VILLAGE,
    AreaType.OTHER_VILLAGE: Tier.VILLAGE,
}
TYPES_OF_TIER: dict[str, list[str]] = {
    tier: [t for t, of in TIER_OF_TYPE.items() if of == tier] for tier in Tier.values
}


class PopulationSource(models.TextChoices):
    OFFICIAL = "official", _("official statistics")
    IMPORTED = "imported", _("imported by a user")
    ESTIMATED = "estimated", _("estimate")


class AreaQuerySet(models.QuerySet["Area"]):
    def subtree(self, area: Area, include_self: bool = True) -> AreaQuerySet:
        return self.filter(under(area.path, include_self=include_self))

    def of_tier(self, tier: str) -> AreaQuerySet:
        return self.filter(type__in=TYPES_OF_TIER[tier])

    def with_children_count(self) -> AreaQuerySet:
        return self.annotate(
            children_count=models.Count("children", distinct=True),
        )


def under(path: str, field: str = "path", include_self: bool = True) -> Q:
    """Rows whose `field` path lies in the subtree at `path`: one indexed range."""
    low = f"{field}__gte" if include_self else f"{field}__gt"
    return Q(**{low: path, f"{field}__lt": tree.upper_bound(path)})


class Area(models.Model):
    """A node of the administrative tree, of any depth."""

    code = models.CharField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200)
    type = models.CharField(_("type"), max_length=30, choices=AreaType.choices)
    level = models.PositiveSmallIntegerField(_("level"), help_text=_("Depth in the tree; 1 = root"))
    parent = models.ForeignKey(
        "self", models.PROTECT, null=True, blank=True, related_name="children"
    )
    path = PathField(max_length=255, unique=True, editable=False)

    population = models.PositiveIntegerField(_("population"), null=True, blank=True)
    population_year = models.PositiveSmallIntegerField(null=True, blank=True)
    population_source = models.CharField(
        max_length=20, choices=PopulationSource.choices, blank=True
    )
    population_note = models.CharField(max_length=300, blank=True)

    centroid_lat = models.FloatField(null=True, blank=True)
    centroid_lon = models.FloatField(null=True, blank=True)
    centroid_source = models.CharField(max_length=200, blank=True)

    source = models.CharField(
        _("source"), max_length=200, blank=True, help_text=_("Where this unit comes from")
    )
    is_generated = models.BooleanField(
        _("generated"), default=False, help_text=_("Generated for the demo, not a real unit")
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = AreaQuerySet.as_manager()

    class Meta:
        ordering = ["path"]
        indexes = [models.Index(fields=["parent", "name"])]
        verbose_name = _("area")
        verbose_name_plural = _("areas")

    def __str__(self) -> str:
        return self.name

    @property
    def tier(self) -> str:
        return TIER_OF_TYPE.get(self.type, "")

    @property
    def population_is_estimate(self) -> bool:
        return self.population_source == PopulationSource.ESTIMATED

    def ancestors(self) -> AreaQuerySet:
        """This area's ancestors, root first, in one query."""
        codes = tree.segments(self.path)[:-1]
        return Area.objects.filter(code__in=codes).order_by("level")

    def audit_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "name": self.name,
            "type": self.type,
            "parent": self.parent.code if self.parent else None,
            "population": self.population,
        }


class AreaGeometry(models.Model):
    """An area's boundary, kept apart from the area row (it can be megabytes)."""

    area = models.OneToOneField(Area, models.CASCADE, primary_key=True, related_name="geometry")
    geojson = models.JSONField(help_text=_("A GeoJSON geometry (Polygon or MultiPolygon)"))
    source = models.CharField(max_length=200, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"boundary of {self.area_id}"


class OrganizationType(models.TextChoices):
    AGENCY = "agency", _("state agency")
    HEALTH_AUTHORITY = "health_authority", _("health authority")
    HEALTH_STATION = "health_station", _("health station")
    HOSPITAL = "hospital", _("hospital")
    SCHOOL = "school", _("school")
    BUSINESS = "business", _("business")
    FACTORY = "factory", _("factory")
    MARKET = "market", _("market")
    QUARANTINE_FACILITY = "quarantine_facility", _("quarantine facility")
    RELIGIOUS = "religious", _("religious establishment")
    MASS_ORGANIZATION = "mass_organization", _("Front or mass organization")
    POLICE = "police", _("police")
    MARKET_SURVEILLANCE = "market_surveillance", _("market surveillance")
    OTHER = "other", _("other")


class OrganizationQuerySet(models.QuerySet["Organization"]):
    def visible_to(self, user: User | AnonymousUser) -> OrganizationQuerySet:
        from vungxanh.accounts.scope import scope_for

        return self.filter(scope_for(user).q(area_path="area__path", org_path="management_path"))


class Organization(models.Model):
    """An agency, business, school, hospital… located in an area and managed by someone.

    Exactly one manager: another organization, or the People's Committee of an area. The
    management tree has its own materialized path, rooted in the path of the managing area:
    "/56/o.SYT-56/o.BV-56-01/" is a hospital managed by the health department that the province's
    People's Committee manages. "Who manages whom" routes award dossiers and report duties.
    """

    code = models.CharField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=300)
    type = models.CharField(_("type"), max_length=30, choices=OrganizationType.choices)
    area = models.ForeignKey(
        Area, models.PROTECT, related_name="organizations", verbose_name=_("located in")
    )
    managing_organization = models.ForeignKey(
        "self", models.PROTECT, null=True, blank=True, related_name="managed_organizations"
    )
    managing_area = models.ForeignKey(
        Area,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="managed_organizations",
        help_text=_("Managed by the People's Committee of this area"),
    )
    management_path = PathField(max_length=400, unique=True, editable=False)
    address = models.CharField(_("address"), max_length=300, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    is_generated = models.BooleanField(_("generated"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = OrganizationQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        indexes = [models.Index(fields=["area", "type"])]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(managing_organization__isnull=False, managing_area__isnull=True)
                    | Q(managing_organization__isnull=True, managing_area__isnull=False)
                ),
                name="organization_has_one_manager",
            )
        ]
        verbose_name = _("organization")
        verbose_name_plural = _("organizations")

    def __str__(self) -> str:
        return self.name

    @property
    def manager_name(self) -> str:
        if self.managing_organization_id:
            assert self.managing_organization is not None
            return self.managing_organization.name
        assert self.managing_area is not None
        name = self.managing_area.name  # "Tỉnh Khánh Hòa" reads "tỉnh Khánh Hòa" mid-sentence
        return str(_("People's Committee of %(area)s") % {"area": name[:1].lower() + name[1:]})

    def audit_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "name": self.name,
            "type": self.type,
            "area": self.area.code,
            "managing_organization": (
                self.managing_organization.code if self.managing_organization else None
            ),
            "managing_area": self.managing_area.code if self.managing_area else None,
        }


def organization_path(org_code: str, manager: Organization | Area) -> str:
    base = manager.management_path if isinstance(manager, Organization) else manager.path
    return tree.child_path(base, f"o.{org_code}")
