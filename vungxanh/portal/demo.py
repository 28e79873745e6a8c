"""The demo province: Khánh Hòa's real districts and communes, generated villages and
organizations (labelled as generated), and one log-in per role. Idempotent.

Demo accounts exist only here; a production set-up never runs this.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from django.db import transaction

from vungxanh.accounts.actions import do_assign_role, do_create_user
from vungxanh.accounts.models import User
from vungxanh.accounts.roles import Role
from vungxanh.areas import actions
from vungxanh.areas.models import Area, Organization, OrganizationType, PopulationSource, Tier
from vungxanh.areas.official import load_official_units
from vungxanh.awards.demo import load_demo_dossiers
from vungxanh.criteria.demo import load_demo_assessments
from vungxanh.emulation.demo import load_demo_campaign
from vungxanh.risk.actions import do_recompute_levels
from vungxanh.risk.demo import load_demo_cases
from vungxanh.teams.demo import load_demo_register

DEMO_PROVINCE = "56"  # Khánh Hòa
DEMO_PASSWORD = "vungxanh-demo"  # noqa: S105 (published: the demo only)
SEED = 2021


@dataclass(frozen=True)
class DemoAccount:
    username: str
    full_name: str
    role: str
    area_code: str | None = None
    org_code: str | None = None
    superuser: bool = False


# Provincial agencies that exist in every province; their names are real, their codes ours.
PROVINCE_AGENCIES = [
    ("SYT-56", "Sở Y tế tỉnh Khánh Hòa", OrganizationType.HEALTH_AUTHORITY),
    ("SVHTT-56", "Sở Văn hóa và Thể thao tỉnh Khánh Hòa", OrganizationType.AGENCY),
    ("SNV-56", "Sở Nội vụ tỉnh Khánh Hòa", OrganizationType.AGENCY),
    ("SCT-56", "Sở Công Thương tỉnh Khánh Hòa", OrganizationType.AGENCY),
    ("CA-56", "Công an tỉnh Khánh Hòa", OrganizationType.POLICE),
    ("MTTQ-56", "Ủy ban MTTQ Việt Nam tỉnh Khánh Hòa", OrganizationType.MASS_ORGANIZATION),
]
MANAGED_BY_AGENCY = [
    ("BTDKT-56", "Ban Thi đua - Khen thưởng tỉnh Khánh Hòa", OrganizationType.AGENCY, "SNV-56"),
    (
        "QLTT-56",
        "Cục Quản lý thị trường tỉnh Khánh Hòa",
        OrganizationType.MARKET_SURVEILLANCE,
        "SCT-56",
    ),
    (
        "CDC-56",
        "Trung tâm Kiểm soát bệnh tật tỉnh Khánh Hòa",
        OrganizationType.HEALTH_AUTHORITY,
        "SYT-56",
    ),
]

ACCOUNTS = [
    DemoAccount("tinh", "Cơ quan thường trực tỉnh", Role.STANDING_AGENCY, area_code="56"),
    DemoAccount("nhatrang", "BCĐ thành phố Nha Trang", Role.STANDING_AGENCY, area_code="568"),
    DemoAccount("vinhhoa", "Cán bộ phường Vĩnh Hòa", Role.AREA_OFFICER, area_code="22327"),
    DemoAccount("vinhphuoc", "Cán bộ phường Vĩnh Phước", Role.AREA_OFFICER, area_code="22333"),
    DemoAccount("totruong", "Tổ trưởng tổ tự quản", Role.TEAM_LEADER, area_code="22327-001"),
    DemoAccount("yte", "Sở Y tế Khánh Hòa", Role.HEALTH, area_code="56"),
    DemoAccount("thidua", "Ban Thi đua - Khen thưởng", Role.EMULATION, area_code="56"),
    DemoAccount("chutich", "Chủ tịch UBND tỉnh (demo)", Role.CHAIRMAN, area_code="56"),
    DemoAccount(
        "doanhnghiep", "Công ty mẫu tại Nha Trang", Role.ORG_REPRESENTATIVE, org_code="DN-568-01"
    ),
    DemoAccount("admin", "Quản trị hệ thống (demo)", Role.ADMIN, superuser=True),
]
ACCOUNT_DESCRIPTIONS = {
    "tinh": "provincial standing agency, Khánh Hòa (56)",
    "nhatrang": "steering committee of Nha Trang city (568)",
    "vinhhoa": "commune officer, Phường Vĩnh Hòa (22327)",
    "vinhphuoc": "commune officer, Phường Vĩnh Phước (22333)",
    "totruong": "team leader, Tổ dân phố 1, Phường Vĩnh Hòa",
    "yte": "provincial health department",
    "thidua": "provincial emulation office",
    "chutich": "chairman of the provincial committee (grants awards)",
    "doanhnghiep": "a business in Nha Trang",
    "admin": "superuser of the demo (all areas)",
}


def load_demo(all_provinces: bool = True) -> None:
    load_official_units(None if all_provinces else [DEMO_PROVINCE])
    with transaction.atomic():
        province = Area.objects.get(code=DEMO_PROVINCE)
        _generate_villages(province)
        _generate_organizations(province)
        _create_accounts()
        if load_demo_cases(province):
            do_recompute_levels([province])
        load_demo_register(province)
        load_demo_assessments(province)
        load_demo_campaign(province)
        load_demo_dossiers(province)


def _generate_villages(province: Area) -> None:
    """5 to 12 villages per commune, named as communes name them, labelled as generated.

    Population: the commune's figure split equally over its villages, marked as an estimate.
    """
    rng = random.Random(SEED)
    communes = Area.objects.subtree(province).of_tier(Tier.COMMUNE).order_by("code")
    with_villages = set(
        Area.objects.subtree(province).of_tier(Tier.VILLAGE).values_list("parent_id", flat=True)
    )
    for commune in communes:
        count = rng.randint(5, 12)
        if commune.pk in with_villages:
            continue
        kind = actions.default_village_type(commune)
        label = "Tổ dân phố" if kind == "to_dan_pho" else "Thôn"
        specs = [
            actions.VillageSpec(name=f"{label} {n}", type=kind, is_generated=True)
            for n in range(1, count + 1)
        ]
        villages = actions.do_create_villages(None, commune, specs)
        share = (commune.population or 0) // count
        Area.objects.filter(pk__in=[v.pk for v in villages]).update(
            population=share,
            population_year=commune.population_year,
            population_source=PopulationSource.ESTIMATED,
            population_note="Ước tính: dân số xã chia đều cho các thôn, tổ dân phố mô phỏng",
        )


def _generate_organizations(province: Area) -> None:
    if Organization.objects.filter(code="SYT-56").exists():
        return
    rng = random.Random(SEED)
    agencies: dict[str, Organization] = {}
    for code, name, kind in PROVINCE_AGENCIES:
        agencies[code] = actions.do_create_organization(
            None, code=code, name=name, type=kind, area=_provincial_seat(), manager=province
        )
    for code, name, kind, parent in MANAGED_BY_AGENCY:
        agencies[code] = actions.do_create_organization(
            None,
            code=code,
            name=name,
            type=kind,
            area=_provincial_seat(),
            manager=agencies[parent],
        )
    districts = Area.objects.filter(parent=province).order_by("code")
    for district in districts:
        _district_organizations(district, agencies, rng)


def _provincial_seat() -> Area:
    return Area.objects.get(code="22327")  # offices sit in Nha Trang; any commune of it would do


def _district_organizations(
    district: Area, agencies: dict[str, Organization], rng: random.Random
) -> None:
    communes = list(Area.objects.filter(parent=district).order_by("code"))
    seat = communes[0]
    short = (
        district.name.split(" ", 2)[-1]
        if district.name.startswith("Thành phố")
        else (district.name.split(" ", 1)[-1])
    )
    health_centre = actions.do_create_organization(
        None,
        code=f"TTYT-{district.code}",
        name=f"Trung tâm Y tế {district.name}",
        type=OrganizationType.HEALTH_AUTHORITY,
        area=seat,
        manager=agencies["SYT-56"],
    )
    actions.do_create_organization(
        None,
        code=f"CA-{district.code}",
        name=f"Công an {district.name}",
        type=OrganizationType.POLICE,
        area=seat,
        manager=agencies["CA-56"],
    )
    for commune in communes:
        actions.do_create_organization(
            None,
            code=f"TYT-{commune.code}",
            name=f"Trạm Y tế {commune.name}",
            type=OrganizationType.HEALTH_STATION,
            area=commune,
            manager=health_centre,
        )
    samples = [
        ("DN", OrganizationType.BUSINESS, "Công ty TNHH Thương mại {short} {n} (mô phỏng)"),
        ("TH", OrganizationType.SCHOOL, "Trường THCS {short} {n} (mô phỏng)"),
        ("CHO", OrganizationType.MARKET, "Chợ {commune} (mô phỏng)"),
        ("NM", OrganizationType.FACTORY, "Nhà máy chế biến {short} {n} (mô phỏng)"),
    ]
    for prefix, kind, pattern in samples:
        for n in range(1, 3):
            commune = rng.choice(communes)
            name = pattern.format(short=short, n=n, commune=commune.name.split(" ", 1)[-1])
            if prefix == "DN" and district.code == "568" and n == 1:
                commune = Area.objects.get(code="22327")
            actions.do_create_organization(
                None,
                code=f"{prefix}-{district.code}-{n:02d}",
                name=name,
                type=kind,
                area=commune,
                manager=district,
                is_generated=True,
            )


def _create_accounts() -> None:
    for account in ACCOUNTS:
        user = User.objects.filter(username=account.username).first()
        if user is None:
            user = do_create_user(None, account.username, DEMO_PASSWORD, account.full_name)
        if account.superuser:
            User.objects.filter(pk=user.pk).update(is_superuser=True, is_staff=True)
            continue
        place: Area | Organization = (
            Area.objects.get(code=account.area_code)
            if account.area_code
            else Organization.objects.get(code=account.org_code)
        )
        do_assign_role(None, user, account.role, place)


def login_table() -> str:
    lines = [f"Demo log-ins (password: {DEMO_PASSWORD})"]
    for account in ACCOUNTS:
        lines.append(f"  {account.username:<12} {ACCOUNT_DESCRIPTIONS[account.username]}")
    return "\n".join(lines)
