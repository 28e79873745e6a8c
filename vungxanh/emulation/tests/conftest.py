"""Shared setup of the emulation tests: Nha Trang's campaign organized by the province's
emulation office, with two wards registered and accepted in one cluster (through the actions)."""

from __future__ import annotations

from datetime import date

import pytest

from conftest import make_user
from vungxanh.accounts.roles import Role
from vungxanh.areas.models import Area
from vungxanh.emulation import actions
from vungxanh.risk import actions as risk

PHASE_1 = actions.PhaseSpec(
    "Đợt 1", date(2021, 8, 15), date(2021, 9, 10), date(2021, 9, 10), date(2021, 9, 8)
)


def spec(code, label, weight, metric=""):
    return actions.CriterionSpec(code, label, weight, metric)


def record_case(code: str, day: date, count: int) -> None:
    """Community cases in an area on a day, and Khánh Hòa's levels recomputed around it."""
    risk.do_record_cases(
        None,
        [risk.CaseInput(Area.objects.get(code=code), day, count, source_known=False)],
        recompute=False,
    )
    risk.do_recompute_levels([Area.objects.get(code="56")], date(2021, 8, 1), date(2021, 9, 30))


@pytest.fixture
def campaign(personas):
    organizer = make_user("thidua", Role.EMULATION, Area.objects.get(code="56"))
    made = actions.do_create_campaign(
        organizer,
        Area.objects.get(code="568"),
        code="vung-xanh-nt",
        name="Thi đua bảo vệ Vùng xanh",
        plan_number="96/KH-UBND",
        plan_date=date(2021, 8, 10),
        plan_issuer="UBND thành phố Nha Trang",
        phases=[PHASE_1],
        criteria=[
            spec("green", "Số ngày xanh", 70, "days_green"),
            spec("fall", "Số ngày từ đỉnh về xanh", 30, "days_peak_to_green"),
            spec("model", "Mô hình hay, cách làm sáng tạo", 10),
        ],
        clusters=["Phường nội thành"],
        registration_deadline=date(2021, 8, 20),
    )
    cluster = made.clusters.get()
    for persona, code in ((personas.commune_a, "22327"), (personas.commune_b, "22333")):
        reg = actions.do_register(
            persona,
            made,
            area=Area.objects.get(code=code),
            pledges=["Xanh hóa toàn phường trước 10/9/2021"],
            on=date(2021, 8, 16),
        )
        actions.do_decide_registration(organizer, reg, accept=True, cluster=cluster)
    return made, organizer
