"""Assessments and announcements through the API: scope (404), the workflow (submit, verify by
someone else, return, correct with a reason), versions that never change, and an announced
village flagged in the very request that records a community case in it."""

from __future__ import annotations

import json
from datetime import date

import pytest
from django.test import override_settings

from conftest import client_for, make_user
from vungxanh.accounts.models import AuditEvent
from vungxanh.accounts.roles import Role
from vungxanh.areas.actions import VillageSpec, do_create_village
from vungxanh.areas.models import Area
from vungxanh.criteria import actions
from vungxanh.criteria.models import AnnouncedUnit, Assessment, CriteriaSet, CriteriaSetVersion
from vungxanh.criteria.tests.test_rules import completed_2194
from vungxanh.teams import actions as team_actions

TODAY = "2021-09-15"
MANUAL_YES = {"3": True, "4": True, "5": True, "6": True}


def post(client, url, body=None):
    return client.post(url, json.dumps(body or {}), content_type="application/json")


@pytest.fixture
def village(personas):
    v = do_create_village(None, Area.objects.get(code="22327"), VillageSpec("Tổ dân phố 3"))
    team_actions.do_found_team(None, v, name="Tổ tự quản 3", founded_on=date(2021, 8, 5))
    return v


@pytest.fixture
def health(khanh_hoa):
    return make_user("yte", Role.HEALTH, khanh_hoa)


def start_village(client, village, answers=None):
    response = post(
        client,
        "/api/v1/criteria/assessments",
        {"set_code": "village", "area_code": village.code, "answers": answers or MANUAL_YES},
    )
    assert response.status_code == 201, response.content
    return response.json()


@pytest.mark.django_db
@override_settings(VUNGXANH_TODAY=TODAY)
def test_a_village_assessment_is_answered_from_live_data_submitted_and_verified_above(
    village, personas
):
    officer = client_for(personas.commune_a)
    body = start_village(officer, village)
    # team founded, nobody under monitoring, no case in the village: answered by the product;
    # the commune has no level stored in this test, so criterion 8 cannot pass
    assert body["auto_answers"] == {"1": 1.0, "2": 100.0, "7": 0.0, "8": 4.0}
    assert (body["passed"], body["rating"]) == (7, "safe")
    assert post(officer, f"/api/v1/criteria/assessments/{body['id']}/submit").status_code == 200

    # the commune that submitted it may not verify it; commune B does not even see it
    refused = post(officer, f"/api/v1/criteria/assessments/{body['id']}/verify")
    assert refused.status_code == 400 and "verifier" in refused.json()["error"]["message"]
    other = client_for(personas.commune_b)
    assert other.get(f"/api/v1/criteria/assessments/{body['id']}").status_code == 404
    assert post(other, f"/api/v1/criteria/assessments/{body['id']}/verify").status_code == 404

    province = client_for(personas.province)
    verified = post(province, f"/api/v1/criteria/assessments/{body['id']}/verify", {"note": "ok"})
    assert verified.status_code == 200
    assert (verified.json()["status"], verified.json()["valid_until"]) == ("verified", "2021-10-15")
    again = post(province, f"/api/v1/criteria/assessments/{body['id']}/verify")
    assert again.status_code == 409  # the step is done; a second reviewer cannot act on it
    assert AuditEvent.objects.filter(verb="transition", after__status="verified").count() == 1


@pytest.mark.django_db
@override_settings(VUNGXANH_TODAY=TODAY)
def test_a_returned_assessment_is_corrected_and_submitted_again(village, personas):
    officer = client_for(personas.commune_a)
    body = start_village(officer, village)
    url = f"/api/v1/criteria/assessments/{body['id']}"
    post(officer, f"{url}/submit")
    province = client_for(personas.province)
    assert post(province, f"{url}/return", {"reason": "ok"}).status_code == 400  # too short
    returned = post(province, f"{url}/return", {"reason": "Thiếu ảnh biên bản cam kết"})
    assert returned.json()["status"] == "returned"
    assert returned.json()["review_note"] == "Thiếu ảnh biên bản cam kết"
    changed = officer.put(
        f"{url}/answers", json.dumps({"answers": {**MANUAL_YES, "4": False}}), "application/json"
    )
    assert changed.json()["rating"] == "not_safe"
    assert post(officer, f"{url}/submit").json()["status"] == "submitted"
    # the verifier corrects an answer, with a reason; the score follows
    fix = {"criterion": "4", "value": True, "reason": "Đã kiểm tra biên bản tại thôn"}
    no_reason = post(province, f"{url}/verify", {"corrections": [fix | {"reason": ""}]})
    assert no_reason.status_code == 400
    verified = post(province, f"{url}/verify", {"corrections": [fix]}).json()
    assert (verified["status"], verified["rating"]) == ("verified", "safe")
    assert verified["corrections"][0]["before"] is False
    assert verified["corrections"][0]["reason"] == "Đã kiểm tra biên bản tại thôn"


@pytest.mark.django_db
@override_settings(VUNGXANH_TODAY=TODAY)
def test_a_business_sees_only_its_own_assessments_and_a_published_version_never_changes(
    personas, health
):
    cset = CriteriaSet.objects.get(code="2194")
    shipped = cset.versions.get(version=1)
    refused = post(client_for(health), "/api/v1/criteria/sets/2194/versions/1/publish")
    assert refused.status_code == 400 and "CS4" in refused.json()["error"]["message"]
    draft = actions.do_draft_version(
        health,
        cset,
        definition=completed_2194().model_dump(mode="json"),
        decision="2194/QĐ-BCĐQG",
        decision_date=date(2020, 5, 27),
        effective_from=date(2020, 5, 27),
        provenance="completed from the official text (test)",
    )
    actions.do_publish_version(health, draft)
    assert shipped.status == "draft" and draft.version == 2

    business = client_for(personas.business)
    body = {
        "set_code": "2194",
        "organization_code": personas.business_org.code,
        "answers": {"CS1": 120, "CS2": 2, "CS3": "none", "CS4": 20, "CS5": 5},
    }
    created = post(business, "/api/v1/criteria/assessments", body)
    assert created.status_code == 201
    assert (created.json()["points"], created.json()["percent"]) == (27, 9.0)
    assert created.json()["rating"] == "very_low" and created.json()["version"] == 2
    listed = business.get("/api/v1/criteria/assessments").json()["items"]
    assert [a["id"] for a in listed] == [created.json()["id"]]
    assert client_for(personas.commune_b).get("/api/v1/criteria/assessments").json()["count"] == 0
    assert client_for(personas.commune_a).get("/api/v1/criteria/assessments").json()["count"] == 1

    # published: refuses changes; an edit is a new version; the assessment keeps version 2
    with pytest.raises(actions.CriteriaRefused) as refusal:
        actions.do_update_draft(health, draft, draft.definition)
    assert refusal.value.field == "status"
    edited = completed_2194().model_dump(mode="json")
    edited["result"]["bands"][0]["up_to"] = 10
    v3 = actions.do_draft_version(
        health,
        cset,
        definition=edited,
        decision="2194/QĐ-BCĐQG",
        decision_date=date(2020, 5, 27),
        effective_from=date(2021, 9, 1),
        provenance="test",
    )
    actions.do_publish_version(health, v3)
    draft.refresh_from_db()
    assert draft.definition["result"]["bands"][0]["up_to"] == 15
    assert Assessment.objects.get().version_id == draft.pk
    assert CriteriaSetVersion.objects.filter(criteria_set=cset).count() == 3


@pytest.mark.django_db
@override_settings(VUNGXANH_TODAY=TODAY)
def test_an_announced_village_is_flagged_in_the_request_that_records_a_case_in_it(
    village, personas, health
):
    officer = client_for(personas.commune_a)
    body = start_village(officer, village)
    post(officer, f"/api/v1/criteria/assessments/{body['id']}/submit")
    post(client_for(personas.province), f"/api/v1/criteria/assessments/{body['id']}/verify")
    announced = post(
        client_for(health),
        "/api/v1/criteria/announcements",
        {
            "area_code": "56",
            "number": "123/QĐ-SYT",
            "signed_on": "2021-09-15",
            "signer": "Giám đốc Sở Y tế",
            "issuer": "Sở Y tế tỉnh Khánh Hòa",
            "valid_from": "2021-09-15",
            "valid_until": "2021-10-15",
            "assessment_ids": [body["id"]],
        },
    )
    assert announced.status_code == 201, announced.content
    public = client_for(personas.nobody).get("/api/v1/criteria/announcements").json()
    assert public[0]["units"][0]["flagged"] is False

    case = [{"date": "2021-09-16", "area_code": village.code, "count": 1}]
    assert post(client_for(health), "/api/v1/risk/cases", case).status_code == 201
    unit = AnnouncedUnit.objects.get()
    assert unit.flagged_at is not None and "16/09/2021" in unit.flag_reason
    public = client_for(personas.nobody).get("/api/v1/criteria/announcements").json()
    assert public[0]["units"][0]["flagged"] is True


@pytest.mark.django_db
@override_settings(VUNGXANH_TODAY=TODAY)
def test_announcing_needs_verified_safe_ratings_and_the_authority_s_scope(
    village, personas, health
):
    officer = client_for(personas.commune_a)
    body = start_village(officer, village)  # a draft, not verified
    payload = {
        "area_code": "56",
        "number": "1/QĐ",
        "signed_on": "2021-09-15",
        "signer": "Giám đốc",
        "issuer": "Sở Y tế",
        "valid_from": "2021-09-15",
        "valid_until": "2021-10-15",
        "assessment_ids": [body["id"]],
    }
    refused = post(client_for(health), "/api/v1/criteria/announcements", payload)
    assert refused.status_code == 400 and refused.json()["error"]["message"].startswith("units:")
    assert post(officer, "/api/v1/criteria/announcements", payload).status_code == 404


def test_the_score_call_stores_nothing_and_names_a_bad_answer(client, db):
    response = client.post(
        "/api/v1/criteria/sets/1467/score",
        json.dumps({"answers": {"4": True, "5": "x"}}),
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400 and "5: answer yes or no" in response.content.decode()
    ok = post(
        client,
        "/api/v1/criteria/sets/1467/score",
        {"answers": {str(n): True for n in range(1, 12)}},
    )
    assert (ok.json()["rating"], ok.json()["safe"], ok.json()["percent"]) == ("good", True, 73.33)
    assert (ok.json()["points"], ok.json()["max_points"], ok.json()["passed"]) == (11, 15, 11)
    assert not Assessment.objects.exists()


@pytest.mark.django_db
def test_a_verified_rating_expires_after_its_validity_and_is_listed_before(village, personas):
    from io import StringIO

    from django.core.management import call_command

    with override_settings(VUNGXANH_TODAY=TODAY):
        body = start_village(client_for(personas.commune_a), village)
        post(client_for(personas.commune_a), f"/api/v1/criteria/assessments/{body['id']}/submit")
        post(client_for(personas.province), f"/api/v1/criteria/assessments/{body['id']}/verify")
    out = StringIO()
    with override_settings(VUNGXANH_TODAY="2021-10-05"):
        call_command("expire_ratings", stdout=out)
    assert "ending 15/10/2021: Tổ dân phố 3" in out.getvalue()
    assert Assessment.objects.get().status == "verified"
    with override_settings(VUNGXANH_TODAY="2021-10-16"):
        call_command("expire_ratings", stdout=StringIO())
    assert Assessment.objects.get().status == "expired"
    event = AuditEvent.objects.filter(after__status="expired").get()
    assert event.before == {"status": "verified"}
