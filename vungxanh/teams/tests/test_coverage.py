"""Team coverage and lateness against the founding deadline, checked by hand counts."""

from datetime import date

import pytest
from django.test import Client

from conftest import client_for
from vungxanh.areas.actions import VillageSpec, do_create_villages
from vungxanh.areas.models import Area
from vungxanh.teams import actions, queries
from vungxanh.teams.models import FoundingDeadline


@pytest.fixture
def campaign(personas):
    """Vĩnh Hòa: 4 villages, 2 teams on time, 1 late, 1 none. Vĩnh Phước: 2 villages, 1 team."""
    a = do_create_villages(
        None, Area.objects.get(code="22327"), [VillageSpec(f"Tổ {n}") for n in range(1, 5)]
    )
    b = do_create_villages(
        None, Area.objects.get(code="22333"), [VillageSpec(f"Tổ {n}") for n in range(1, 3)]
    )
    FoundingDeadline.objects.create(area=Area.objects.get(code="56"), deadline=date(2021, 8, 10))
    for village, founded in [
        (a[0], date(2021, 8, 1)),
        (a[1], date(2021, 8, 10)),
        (a[2], date(2021, 8, 20)),
        (b[0], date(2021, 7, 30)),
    ]:
        actions.do_found_team(
            None,
            village,
            name=f"Tổ tự quản {village.name}",
            founded_on=founded,
            members=[actions.MemberSpec("Nguyễn Văn Tổ", "leader")],
        )
    return a, b


@pytest.mark.django_db
def test_coverage_by_commune_matches_a_hand_count(campaign):
    rows = {
        r.area.code: r
        for r in queries.team_coverage(Area.objects.get(code="568"), as_of=date(2021, 9, 1))
    }
    vinh_hoa, vinh_phuoc = rows["22327"], rows["22333"]
    assert (vinh_hoa.villages, vinh_hoa.with_team, vinh_hoa.on_time, vinh_hoa.late) == (4, 3, 2, 2)
    assert (vinh_phuoc.villages, vinh_phuoc.with_team, vinh_phuoc.on_time) == (2, 1, 1)
    assert rows["22330"].villages == 0  # a commune with no village entered


@pytest.mark.django_db
def test_coverage_rolls_up_to_the_district_and_the_province(campaign):
    rows = {
        r.area.code: r
        for r in queries.team_coverage(Area.objects.get(code="56"), as_of=date(2021, 9, 1))
    }
    assert (rows["568"].villages, rows["568"].with_team, rows["568"].on_time) == (6, 4, 3)
    assert sum(r.villages for r in rows.values()) == 6


@pytest.mark.django_db
def test_a_team_founded_after_the_day_asked_does_not_count_yet(campaign):
    rows = {
        r.area.code: r
        for r in queries.team_coverage(Area.objects.get(code="568"), as_of=date(2021, 8, 5))
    }
    assert rows["22327"].with_team == 1


@pytest.mark.django_db
def test_late_villages_are_those_without_a_team_by_the_deadline(campaign):
    a, b = campaign
    late = {v.code for v in queries.late_villages(Area.objects.get(code="56"))}
    assert late == {a[2].code, a[3].code, b[1].code}


@pytest.mark.django_db
def test_the_coverage_api_reports_the_deadline_and_founding_is_scoped(campaign, personas):
    body = Client().get("/api/v1/teams/coverage?area=568")
    assert body.status_code == 401  # counts are for logged-in roles
    data = client_for(personas.province).get("/api/v1/teams/coverage?area=568").json()
    assert data["deadline"] == "2021-08-10"
    row = next(r for r in data["rows"] if r["area_code"] == "22327")
    assert (row["villages"], row["founded_by_deadline"], row["late"]) == (4, 2, 2)
    import json

    village = campaign[1][1]
    team = {"village_code": village.code, "name": "Tổ mới", "founded_on": "2021-09-01"}
    response = client_for(personas.commune_a).post(
        "/api/v1/teams/", json.dumps(team), content_type="application/json"
    )
    assert response.status_code == 404
    response = client_for(personas.commune_b).post(
        "/api/v1/teams/", json.dumps(team), content_type="application/json"
    )
    assert response.status_code == 201


@pytest.mark.django_db
def test_the_demo_coverage_matches_a_count_village_by_village():
    """On the demo province: count, village by village in Python, the teams founded by the
    deadline, and compare with the dashboard's figures for every district."""
    from vungxanh.areas.models import Tier
    from vungxanh.portal.demo import load_demo
    from vungxanh.teams.models import Team

    load_demo(all_provinces=False)
    province = Area.objects.get(code="56")
    deadline = queries.deadline_for(province).deadline
    assert deadline == date(2021, 8, 10)
    as_of = date(2021, 9, 15)
    rows = {r.area.code: r for r in queries.team_coverage(province, as_of=as_of)}
    for district in province.children.all():
        villages = list(Area.objects.subtree(district).of_tier(Tier.VILLAGE))
        founded = {
            v.pk: [t.founded_on for t in Team.objects.filter(village=v, status="active")]
            for v in villages
        }
        on_time = sum(any(d <= deadline for d in days) for days in founded.values())
        with_team = sum(any(d <= as_of for d in days) for days in founded.values())
        row = rows[district.code]
        assert (row.villages, row.with_team, row.on_time) == (len(villages), with_team, on_time)
    late = queries.late_villages(province).count()
    assert late == sum(r.late for r in rows.values()) > 0  # the demo has late communes
