"""Campaigns through the API: public campaigns and standings equal to the page's, registering
within one's scope, the organizer's decisions, hand scores, and a phase review that a later
case does not change."""

from __future__ import annotations

import json
from dataclasses import asdict
from datetime import date

import pytest
from django.test import Client, override_settings

from conftest import client_for, make_user
from vungxanh.accounts.roles import Role
from vungxanh.areas.models import Area
from vungxanh.emulation.tests.conftest import record_case

API = "/api/v1/emulation"


def post(client, url, body=None):
    return client.post(url, json.dumps(body or {}), content_type="application/json")


@pytest.mark.django_db
def test_campaigns_and_standings_are_public_and_equal_the_page_s(campaign):
    record_case("22327", date(2021, 8, 20), 4)
    anonymous = Client()
    listed = anonymous.get(f"{API}/campaigns/").json()
    assert [c["code"] for c in listed["items"]] == ["vung-xanh-nt"]
    detail = anonymous.get(f"{API}/campaigns/vung-xanh-nt").json()
    assert [p["name"] for p in detail["phases"]] == ["Đợt 1"]
    assert [c["name"] for c in detail["clusters"]] == ["Phường nội thành"]
    assert [(c["code"], c["manual"]) for c in detail["criteria"]] == [
        ("green", False),
        ("fall", False),
        ("model", True),
    ]

    api = anonymous.get(f"{API}/campaigns/vung-xanh-nt/standings?date=2021-09-05").json()
    page = anonymous.get("/thi-dua/vung-xanh-nt/?ngay=05/09/2021")
    shown = [asdict(row) for rows in page.context["clusters"].values() for row in rows]
    assert api["as_of"] == "2021-09-05" and api["frozen"] is False
    assert api["rows"] == shown
    assert [(r["unit_code"], r["rank"]) for r in api["rows"]] == [("22333", 1), ("22327", 2)]
    assert api["rows"][0]["lines"][0] == {
        "code": "green",
        "label": "Số ngày xanh",
        "value": 22.0,
        "points": 70.0,
        "weight": 70.0,
        "note": "",
    }
    cluster = detail["clusters"][0]["id"]
    url = f"{API}/campaigns/vung-xanh-nt/standings?date=2021-09-05&cluster={cluster}"
    assert anonymous.get(url).json()["rows"] == shown
    assert anonymous.get(f"{url}0").status_code == 404
    assert anonymous.get(f"{API}/campaigns/nowhere/standings").status_code == 404


@pytest.mark.django_db
@override_settings(VUNGXANH_TODAY="2021-08-25")
def test_a_unit_registers_within_its_scope_and_the_organizer_decides(campaign, personas):
    made, organizer = campaign
    url = f"{API}/campaigns/vung-xanh-nt/registrations"
    district = client_for(make_user("nhatrang", Role.AREA_OFFICER, Area.objects.get(code="568")))
    pledge = {"area_code": "568", "pledges": ["Không để vùng đỏ"]}

    assert post(client_for(personas.commune_b), url, pledge).status_code == 404  # not its area
    assert post(district, url, {"area_code": "568", "pledges": []}).status_code == 422
    assert post(district, url, {"pledges": ["x"]}).status_code == 422  # no unit
    created = post(district, url, pledge)
    assert created.status_code == 201, created.content
    registration = created.json()
    assert registration["late"] is True and registration["status"] == "pending"
    again = post(district, url, pledge)
    assert again.status_code == 409 and again.json()["error"]["message"].startswith("unit:")

    # registrations are seen in scope: the ward sees its own, another province none
    seen = client_for(personas.commune_a).get(url).json()["items"]
    assert [r["area_code"] for r in seen] == ["22327"]
    assert client_for(personas.other_province).get(url).json()["items"] == []

    decision = f"{API}/registrations/{registration['id']}/decision"
    assert post(client_for(personas.commune_a), decision, {"accept": True}).status_code == 404
    cluster = made.clusters.get()
    accepted = post(client_for(organizer), decision, {"accept": True, "cluster_id": cluster.pk})
    assert accepted.status_code == 200, accepted.content
    assert accepted.json()["status"] == "accepted"
    assert accepted.json()["cluster"] == "Phường nội thành"
    twice = post(client_for(organizer), decision, {"accept": False})
    assert twice.status_code == 409 and twice.json()["error"]["code"] == "conflict"


@pytest.mark.django_db
def test_hand_scores_and_a_frozen_review_that_a_later_case_does_not_change(campaign, personas):
    made, organizer = campaign
    phase = made.phases.get()
    leader = made.registrations.get(area__code="22333")
    record_case("22327", date(2021, 8, 20), 4)
    scores = f"{API}/campaigns/vung-xanh-nt/scores"
    hand = {
        "registration_id": leader.pk,
        "criterion": "model",
        "phase": 1,
        "points": 8,
        "note": "Mô hình chợ an toàn",
    }
    assert post(client_for(personas.commune_b), scores, hand).status_code == 404
    assert post(client_for(organizer), scores, hand | {"points": 12}).status_code == 400
    assert post(client_for(organizer), scores, hand | {"criterion": "green"}).status_code == 400
    scored = post(client_for(organizer), scores, hand)
    assert scored.status_code == 201 and scored.json()["points"] == 8

    review_url = f"{API}/phases/{phase.pk}/review"
    assert Client().get(review_url).status_code == 404  # not reviewed yet
    assert post(client_for(personas.commune_a), review_url).status_code == 404
    frozen = post(client_for(organizer), review_url, {"as_of": "2021-09-10"})
    assert frozen.status_code == 201, frozen.content
    record = Client().get(review_url).json()
    assert record["as_of"] == "2021-09-10" and record["rows"] == frozen.json()["rows"]
    assert record["rows"][0]["unit_code"] == "22333"
    assert record["rows"][0]["lines"][2]["note"] == "Mô hình chợ an toàn"

    # a later case in the leader's ward: the record and the standings shown stay the same
    record_case("22333", date(2021, 9, 1), 6)
    assert Client().get(review_url).json() == record
    shown = Client().get(f"{API}/campaigns/vung-xanh-nt/standings?date=2021-09-10").json()
    assert shown["frozen"] is True and shown["rows"] == record["rows"]
    again = post(client_for(organizer), review_url)
    assert again.status_code == 409
    late_score = post(client_for(organizer), scores, hand | {"points": 2})
    assert late_score.status_code == 409
    assert late_score.json()["error"]["message"].startswith("phase:")


@pytest.mark.django_db
def test_the_emulation_office_launches_a_campaign_over_its_own_area_only(khanh_hoa, personas):
    office = client_for(make_user("thidua_api", Role.EMULATION, Area.objects.get(code="56")))
    body = {
        "code": "vung-xanh-2",
        "name": "Thi đua giữ vững “Vùng xanh”",
        "area_code": "56",
        "plan_number": "12/KH-UBND",
        "plan_date": "2021-09-12",
        "plan_issuer": "UBND tỉnh",
        "phases": [
            {
                "name": "Đợt 1",
                "starts_on": "2021-09-12",
                "ends_on": "2021-12-31",
                "review_on": "2021-12-31",
                "dossier_deadline": "2021-12-20",
            }
        ],
        "criteria": [
            {"code": "xanh", "label": "Số ngày xanh", "weight": 80, "metric": "days_green"},
            {"code": "hay", "label": "Cách làm hay", "weight": 20},
        ],
        "clusters": ["Phường", "Xã"],
    }
    made = post(office, f"{API}/campaigns/", body)
    assert made.status_code == 201, made.content
    assert [c["metric"] for c in made.json()["criteria"]] == ["days_green", ""]
    assert post(office, f"{API}/campaigns/", body).status_code == 409  # the code is taken
    reserved = post(office, f"{API}/campaigns/", body | {"code": "phat-dong"})
    assert reserved.status_code == 409  # the launch page's own address
    chain = post(office, f"{API}/campaigns/", body | {"code": "w", "review_chain": ["mayor"]})
    assert chain.status_code == 400 and "review_chain" in chain.json()["error"]["message"]
    unknown = post(
        office,
        f"{API}/campaigns/",
        body
        | {
            "code": "x",
            "criteria": [{"code": "a", "label": "A", "weight": 5, "metric": "nothing"}],
        },
    )
    assert unknown.status_code == 400 and "criteria" in unknown.json()["error"]["message"]
    elsewhere = post(office, f"{API}/campaigns/", body | {"code": "y", "area_code": "58"})
    assert elsewhere.status_code == 404
    officer = client_for(personas.commune_a)
    assert post(officer, f"{API}/campaigns/", body | {"code": "z"}).status_code == 404
