"""Shared setup of the award tests: the people along a commune's route (district, the province's
standing agency, emulation office and chairman), a provincial campaign, and a commune's dossier
for the provincial chairman's certificate, all made through the actions."""

from __future__ import annotations

from datetime import date

import pytest

from conftest import make_user
from vungxanh.accounts.models import AuditEvent
from vungxanh.accounts.roles import Role
from vungxanh.areas.models import Area
from vungxanh.awards import actions
from vungxanh.awards.models import AwardForm
from vungxanh.emulation import actions as emulation

SUMMARY = "Kéo giảm cấp độ dịch từ đỏ về xanh trong 12 ngày, không để lây lan ra cộng đồng."


@pytest.fixture
def people(personas):
    province, district = Area.objects.get(code="56"), Area.objects.get(code="568")
    return {
        "commune": personas.commune_a,
        "district_officer": make_user("nt_ub", Role.AREA_OFFICER, district),
        "district_chairman": make_user("nt_ct", Role.CHAIRMAN, district),
        "standing": personas.province,  # standing agency of the province
        "emulation": make_user("snv", Role.EMULATION, province),
        "emulation_2": make_user("snv2", Role.EMULATION, province),
        "chairman": make_user("ct_tinh", Role.CHAIRMAN, province),
    }


@pytest.fixture
def campaign(people):
    return emulation.do_create_campaign(
        people["emulation"],
        Area.objects.get(code="56"),
        code="vung-xanh",
        name="Thi đua bảo vệ Vùng xanh",
        plan_number="4458/KH-UBND",
        plan_date=date(2021, 8, 25),
        plan_issuer="UBND tỉnh",
        phases=[
            emulation.PhaseSpec(
                "Đợt 1", date(2021, 8, 25), date(2021, 9, 10), date(2021, 9, 10), date(2021, 9, 8)
            )
        ],
        criteria=[emulation.CriterionSpec("green", "Số ngày xanh", 100, "days_green")],
    )


def commune_dossier(people, campaign, form="BK_UBND_TINH"):
    dossier = actions.do_create_dossier(
        people["commune"],
        award_form=AwardForm.objects.get(code=form),
        title="Về việc đề nghị tặng Bằng khen của Chủ tịch UBND tỉnh",
        signer_title="CHỦ TỊCH",
        signer_name="Nguyễn Văn Xã",
        issuer_abbr="UBND",
        issuer_area=Area.objects.get(code="22327"),
        campaign=campaign,
        phase=campaign.phases.get(),
    )
    actions.do_nominate(
        people["commune"],
        dossier,
        kind="collective",
        nominee_name="Tổ dân phố 1, phường Vĩnh Hòa",
        nominee_area=Area.objects.get(code="22327"),
        summary=SUMMARY,
    )
    return dossier


def step_transitions(step) -> int:
    """How many transitions of the step the audit log holds."""
    return AuditEvent.objects.filter(
        verb="transition", object_type="awards.reviewstep", object_id=str(step.pk)
    ).count()
