"""Dossiers through the API: the whole chain from a commune's draft to the public register,
scope (another province gets 404), a district that cannot grant what only the province grants,
two acts on the same step (one 409, one audit row), late dossiers, and the OpenAPI document."""

from __future__ import annotations

import json
from datetime import date

import pytest
from django.test import Client, override_settings

from conftest import client_for
from vungxanh.awards import actions
from vungxanh.awards.models import Dossier, ReviewStep
from vungxanh.awards.tests.conftest import SUMMARY, commune_dossier, step_transitions

API = "/api/v1/awards"


def post(client, url, body=None):
    return client.post(url, json.dumps(body or {}), content_type="application/json")


def accept(person, step_id, **body):
    return post(client_for(person), f"{API}/steps/{step_id}/accept", body)


def sent(people, campaign, on):
    dossier = commune_dossier(people, campaign)
    actions.do_submit_dossier(people["commune"], dossier, on=on)
    return dossier


def decision_of(nominations):
    return {
        "number": "1520/QĐ-UBND",
        "signed_on": "2021-09-07",
        "signer": "Chủ tịch UBND tỉnh",
        "nominations": [n["id"] for n in nominations],
    }


@pytest.mark.django_db
@override_settings(VUNGXANH_TODAY="2021-09-05")
def test_a_dossier_goes_from_draft_to_the_public_register_through_the_api(people, campaign):
    commune = client_for(people["commune"])
    created = post(
        commune,
        f"{API}/dossiers/",
        {
            "area_code": "22327",
            "award_form": "BK_UBND_TINH",
            "issuer_abbr": "UBND",
            "signer_title": "CHỦ TỊCH",
            "signer_name": "Nguyễn Văn Xã",
            "campaign": "vung-xanh",
            "phase": 1,
        },
    )
    assert created.status_code == 201, created.content
    dossier = created.json()
    assert dossier["status"] == "draft" and dossier["title"].startswith("Về việc đề nghị tặng")
    url = f"{API}/dossiers/{dossier['id']}"
    nominee = {"kind": "collective", "nominee_area_code": "22327", "summary": SUMMARY}
    nominated = post(commune, f"{url}/nominations", nominee)
    assert nominated.status_code == 201 and nominated.json()["nominee_name"] == "Phường Vĩnh Hòa"
    submitted = post(commune, f"{url}/submit").json()
    assert submitted["number"] == "01/TTr-UBND" and submitted["late"] is False
    steps = {s["kind"]: s["id"] for s in submitted["steps"]}
    assert [s["kind"] for s in submitted["steps"]] == [
        "forward",
        "standing_agency",
        "emulation",
        "chairman",
    ]

    body = decision_of(submitted["nominations"])
    early = post(client_for(people["chairman"]), f"{url}/decision", body)
    assert early.status_code == 403  # the dossier has not reached the chairman yet
    assert accept(people["standing"], steps["forward"]).status_code == 403  # not its step
    assert accept(people["district_officer"], steps["forward"], note="Đề nghị").status_code == 200
    assert accept(people["standing"], steps["standing_agency"]).status_code == 200
    reviewed = accept(people["emulation"], steps["emulation"]).json()
    assert [s["status"] for s in reviewed["steps"]] == ["accepted"] * 3 + ["pending"]

    # a district chairman cannot grant what only the province grants: refused
    refused = post(client_for(people["district_chairman"]), f"{url}/decision", body)
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "forbidden"
    decided = post(client_for(people["chairman"]), f"{url}/decision", body)
    assert decided.status_code == 201, decided.content
    assert decided.json()["status"] == "decided"
    assert decided.json()["nominations"][0]["granted_by"] == "1520/QĐ-UBND"

    public = Client().get(f"{API}/granted?campaign=vung-xanh").json()["items"]
    assert [(g["nominee_name"], g["decision_number"], g["award_form"]) for g in public] == [
        ("Phường Vĩnh Hòa", "1520/QĐ-UBND", "BK_UBND_TINH")
    ]
    # the public register, by person or unit, across campaigns; the page shows the same
    anyone = Client()
    for query in ("unit=22327", "q=vĩnh+hòa", "q=VĨNH", "q=phường+vĩnh", ""):
        found = anyone.get(f"{API}/granted?{query}").json()["items"]
        assert [(g["nominee_name"], g["campaign"]) for g in found] == [
            ("Phường Vĩnh Hòa", "vung-xanh")
        ], query
    for query in ("unit=22333", "q=Vĩnh+Phước"):
        assert anyone.get(f"{API}/granted?{query}").json()["items"] == [], query
    page = anyone.get("/khen-thuong/?q=V%C4%A9nh+H%C3%B2a")
    assert [a.nominee_name for a in page.context["page"]] == ["Phường Vĩnh Hòa"]
    assert not anyone.get("/khen-thuong/?q=Ph%C6%B0%E1%BB%9Bc").context["page"].object_list
    listed = commune.get(f"{API}/dossiers/?status=decided&campaign=vung-xanh").json()["items"]
    assert [d["number"] for d in listed] == ["01/TTr-UBND"]
    assert commune.get(f"{API}/dossiers/?status=draft").json()["items"] == []


@pytest.mark.django_db
def test_a_dossier_out_of_scope_answers_404(people, campaign, personas):
    dossier = sent(people, campaign, date(2021, 9, 5))
    step = dossier.steps.get(order=1)
    for outsider in (personas.other_province, personas.commune_b):
        client = client_for(outsider)
        assert client.get(f"{API}/dossiers/{dossier.pk}").status_code == 404
        assert post(client, f"{API}/dossiers/{dossier.pk}/submit").status_code == 404
        assert accept(outsider, step.pk).status_code == 404
        assert client.get(f"{API}/dossiers/").json()["items"] == []
    seen = client_for(people["district_officer"]).get(f"{API}/dossiers/{dossier.pk}").json()
    assert seen["steps"][0]["yours"] is True and seen["steps"][1]["yours"] is False
    assert Client().get(f"{API}/dossiers/{dossier.pk}").status_code == 401
    # a unit cannot propose what is granted below its level, nor for a unit not its own
    below = {
        "area_code": "56",
        "award_form": "GK_XA",
        "issuer_abbr": "SYT",
        "signer_title": "GIÁM ĐỐC",
        "signer_name": "Giám đốc",
    }
    refused = post(client_for(people["standing"]), f"{API}/dossiers/", below)
    assert refused.status_code == 400
    assert refused.json()["error"]["message"].startswith("award_form:")
    not_own = below | {"area_code": "22327"}
    assert post(client_for(personas.commune_b), f"{API}/dossiers/", not_own).status_code == 404
    by_business = {
        "organization_code": "DN-TEST",
        "award_form": "BK_UBND_TINH",
        "issuer_abbr": "CTY",
        "signer_title": "GIÁM ĐỐC",
        "signer_name": "Giám đốc",
    }
    assert post(client_for(personas.commune_b), f"{API}/dossiers/", by_business).status_code == 404
    own = post(client_for(personas.business), f"{API}/dossiers/", by_business)
    assert own.status_code == 201 and own.json()["issuer_org_code"] == "DN-TEST"
    both = by_business | {"area_code": "22327"}
    assert post(client_for(personas.business), f"{API}/dossiers/", both).status_code == 422


@pytest.mark.django_db
def test_two_acts_on_the_same_step_one_succeeds_the_other_gets_409_and_one_audit_row(
    people, campaign, monkeypatch
):
    dossier = sent(people, campaign, date(2021, 9, 5))
    for step in dossier.steps.order_by("order")[:2]:
        step.refresh_from_db()
        holder = "district_officer" if step.kind == "forward" else "standing"
        actions.do_accept_step(people[holder], step)
    step = dossier.steps.get(kind="emulation")
    # both reviewers opened the step while it was to act on; the second acts after the first
    seen_by_two = ReviewStep.objects.select_related("dossier").get(pk=step.pk)
    assert accept(people["emulation"], step.pk, note="Đủ điều kiện").status_code == 200
    from vungxanh.awards import queries

    monkeypatch.setattr(queries, "get_step_for_user", lambda user, pk: seen_by_two)
    reason = {"reason": "Thiếu tóm tắt thành tích"}
    conflict = post(client_for(people["emulation_2"]), f"{API}/steps/{step.pk}/return", reason)
    assert conflict.status_code == 409
    error = conflict.json()["error"]
    assert error["code"] == "conflict" and error["message"].startswith("status:")
    monkeypatch.undo()
    again = accept(people["emulation_2"], step.pk)  # a plain second act: the same answer
    assert again.status_code == 409
    assert step_transitions(step) == 1
    dossier.refresh_from_db()
    assert dossier.status == Dossier.Status.IN_REVIEW


@pytest.mark.django_db
def test_a_late_dossier_is_accepted_only_explicitly_and_a_return_needs_reasons(people, campaign):
    dossier = sent(people, campaign, date(2021, 9, 8))
    step = dossier.steps.get(order=1)
    officer = people["district_officer"]
    refused = accept(officer, step.pk)
    assert refused.status_code == 400 and refused.json()["error"]["message"].startswith("late:")
    assert (
        post(client_for(officer), f"{API}/steps/{step.pk}/return", {"reason": ""}).status_code
        == 400
    )
    late = accept(officer, step.pk, accept_late=True, note="Chậm do phong tỏa, chấp nhận")
    assert late.status_code == 200 and late.json()["late_accepted"] is True
    returned = post(
        client_for(people["standing"]),
        f"{API}/steps/{dossier.steps.get(order=2).pk}/return",
        {"reason": "Thiếu tóm tắt thành tích"},
    )
    assert returned.status_code == 200
    assert returned.json()["status"] == "returned"
    assert returned.json()["return_reason"] == "Thiếu tóm tắt thành tích"


@pytest.mark.django_db
def test_the_openapi_document_builds_with_the_emulation_and_awards_endpoints():
    response = Client().get("/api/v1/openapi.json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    for path in [
        "/api/v1/emulation/campaigns/",
        "/api/v1/emulation/campaigns/{code}/standings",
        "/api/v1/emulation/phases/{phase_id}/review",
        "/api/v1/awards/forms",
        "/api/v1/awards/dossiers/",
        "/api/v1/awards/dossiers/{dossier_id}",
        "/api/v1/awards/steps/{step_id}/accept",
        "/api/v1/awards/dossiers/{dossier_id}/decision",
        "/api/v1/awards/granted",
    ]:
        assert path in paths
    forms = Client().get(f"{API}/forms").json()
    assert any(f["code"] == "BK_UBND_TINH" and f["grantor_tier"] == "province" for f in forms)


@pytest.mark.django_db
def test_a_collective_nominee_carries_its_latest_verified_safety_rating_as_evidence(
    people, campaign
):
    from django.utils import timezone

    from vungxanh.areas.models import Area
    from vungxanh.criteria.models import Assessment, CriteriaSet

    ward = Area.objects.get(code="22327")
    version = CriteriaSet.objects.get(code="village").current()
    assert version is not None
    verified = Assessment.objects.create(
        version=version,
        area=ward,
        area_path=ward.path,
        status=Assessment.Status.VERIFIED,
        rating="safe",
        safe=True,
        assessed_on=date(2021, 9, 1),
        verified_at=timezone.make_aware(timezone.datetime(2021, 9, 3, 10)),
        valid_until=date(2021, 10, 3),
    )
    dossier = commune_dossier(people, campaign)  # nominated through the action: no evidence
    nominee = {"kind": "collective", "nominee_area_code": "22327", "summary": SUMMARY}
    made = post(client_for(people["commune"]), f"{API}/dossiers/{dossier.pk}/nominations", nominee)
    assert made.status_code == 201, made.content
    evidence = dossier.nominations.order_by("-pk").first().evidence
    assert evidence["rating"] == {
        "assessment": verified.pk,
        "set": "village",
        "rating": "safe",
        "safe": True,
        "verified_on": "2021-09-03",
        "valid_until": "2021-10-03",
    }
    page = client_for(people["commune"]).get(f"/khen-thuong/ho-so/{dossier.pk}/")
    assert f"/danh-gia/{verified.pk}/" in page.content.decode()
