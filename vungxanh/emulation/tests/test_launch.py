"""Launching a campaign from its page: the organizer's plan, phases, clusters and weighted
criteria become the campaign; bad rows are named; nobody else sees the page."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from conftest import make_user
from vungxanh.accounts.models import AuditEvent
from vungxanh.accounts.roles import Role
from vungxanh.areas.models import Area
from vungxanh.emulation.models import Campaign

URL = reverse("emulation:launch")


def plan(**changes: str) -> dict[str, str]:
    data = {
        "name": "Thi đua bảo vệ “Vùng xanh”",
        "code": "",
        "area": "56",
        "plan_number": "4458/KH-UBND",
        "plan_date": "25/08/2021",
        "plan_issuer": "Ủy ban nhân dân tỉnh",
        "participant_kinds": "commune",
        "goal": "Xanh hóa toàn bản đồ tỉnh trước ngày 10/9/2021",
        "target_date": "10/09/2021",
        "registration_deadline": "31/08/2021",
        "clusters": "Phường nội thành\nXã ngoại thành\n",
        "phase1_name": "Đợt 1",
        "phase1_starts_on": "25/08/2021",
        "phase1_ends_on": "10/09/2021",
        "phase1_review_on": "10/09/2021",
        "phase1_dossier_deadline": "08/09/2021",
        "phase2_name": "Đợt 2",
        "phase2_starts_on": "10/09/2021",
        "phase2_ends_on": "31/12/2021",
        "phase2_review_on": "31/12/2021",
        "phase2_dossier_deadline": "20/12/2021",
        "weight_days_green": "60",
        "weight_days_peak_to_green": "30",
        "manual1_label": "Cách làm hay, sáng tạo",
        "manual1_weight": "10",
    }
    data.update(changes)
    return data


@pytest.fixture
def organizer(khanh_hoa):
    return make_user("thidua", Role.EMULATION, Area.objects.get(code="56"))


@pytest.mark.django_db
def test_the_organizer_launches_a_campaign_with_its_phases_clusters_and_criteria(client, organizer):
    client.force_login(organizer)
    response = client.post(URL, plan())
    made = Campaign.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"/thi-dua/{made.code}/")
    assert made.code == "thi-dua-bao-ve-vung-xanh" and made.area.code == "56"
    assert made.registration_deadline == date(2021, 8, 31)
    assert [(p.name, p.review_on, p.dossier_deadline) for p in made.phases.all()] == [
        ("Đợt 1", date(2021, 9, 10), date(2021, 9, 8)),
        ("Đợt 2", date(2021, 12, 31), date(2021, 12, 20)),
    ]
    assert [c.name for c in made.clusters.order_by("pk")] == ["Phường nội thành", "Xã ngoại thành"]
    assert [(c.metric, c.weight, c.better) for c in made.criteria.all()] == [
        ("days_green", 60, "higher"),
        ("days_peak_to_green", 30, "lower"),
        ("", 10, "higher"),
    ]
    assert AuditEvent.objects.filter(verb="create_campaign", actor=organizer).count() == 1


@pytest.mark.django_db
def test_a_phase_with_missing_dates_or_no_criterion_is_refused_and_nothing_is_created(
    client, organizer
):
    client.force_login(organizer)
    half = client.post(URL, plan(phase2_review_on=""))
    assert half.status_code == 200
    assert "phase2_starts_on" in half.context["form"].errors
    none = client.post(
        URL, plan(weight_days_green="", weight_days_peak_to_green="", manual1_weight="")
    )
    assert none.status_code == 200 and none.context["form"].errors
    backwards = client.post(URL, plan(phase1_ends_on="20/08/2021"))
    assert backwards.status_code == 200 and backwards.context["form"].non_field_errors()
    assert not Campaign.objects.exists()
    client.post(URL, plan())
    taken = client.post(URL, plan())
    assert "code" in taken.context["form"].errors and Campaign.objects.count() == 1


@pytest.mark.django_db
def test_only_an_organizer_may_launch_and_only_over_its_own_area(client, organizer, personas):
    client.force_login(personas.commune_a)
    assert client.get(URL).status_code == 404
    client.force_login(organizer)
    page = client.get(URL)
    choices = dict(page.context["form"].fields["area"].choices)
    assert "56" in choices and "568" in choices and "58" not in choices
    refused = client.post(URL, plan(area="58"))
    assert refused.status_code == 200 and "area" in refused.context["form"].errors
    assert not Campaign.objects.exists()
