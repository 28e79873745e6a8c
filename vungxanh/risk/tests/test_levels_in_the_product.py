"""Levels in the product: recompute, overrides, scope, inputs, and the API around them."""

from __future__ import annotations

import io
import json
from datetime import date

import pytest
from django.db.models import Max, Min
from django.test import Client

from conftest import client_for, make_user
from vungxanh.accounts.models import AuditEvent
from vungxanh.accounts.roles import Role
from vungxanh.areas.models import Area
from vungxanh.risk import actions
from vungxanh.risk.models import AreaLevel, CaseRecord, Override, RulesetVersion


@pytest.fixture
def health(personas):
    return make_user("yte_kh", Role.HEALTH, Area.objects.get(code="56"))


@pytest.fixture
def outbreak(personas):
    """Unknown-source cases in Vĩnh Hòa on 5/9/2021 (2686 in force then)."""
    vinh_hoa = Area.objects.get(code="22327")
    actions.do_record_cases(
        None, [actions.CaseInput(vinh_hoa, date(2021, 9, 5), 3, source_known=False)]
    )
    return vinh_hoa


def level(code, day):
    return AreaLevel.objects.get(area__code=code, date=day)


@pytest.mark.django_db
def test_recording_cases_recomputes_the_province(outbreak):
    assert level("22327", date(2021, 9, 5)).level == 4  # unknown source: red under 2686
    assert level("22327", date(2021, 9, 18)).level == 4  # 14th day of the window
    assert level("22327", date(2021, 9, 19)).level == 1
    assert level("22333", date(2021, 9, 5)).level == 1
    # Nha Trang: 1 red commune of 27 (< 30%, but one red): orange. The province: 1 orange
    # district of 9 is < 30% and none is red, and its own known-source rate is 0: green.
    assert level("568", date(2021, 9, 5)).level == 3
    assert level("56", date(2021, 9, 5)).level == 1


@pytest.mark.django_db
def test_recompute_is_idempotent(outbreak):
    province = Area.objects.get(code="56")
    before = list(
        AreaLevel.objects.order_by("area_id", "date").values_list(
            "area_id", "date", "level", "computed_level", "reason", "cases"
        )
    )
    actions.do_recompute_levels([province])
    after = list(
        AreaLevel.objects.order_by("area_id", "date").values_list(
            "area_id", "date", "level", "computed_level", "reason", "cases"
        )
    )
    assert before == after


@pytest.mark.django_db
def test_recomputing_provinces_together_gives_each_its_own_span_and_levels(outbreak):
    phan_rang = Area.objects.get(code="58").children.first().children.first()
    actions.do_record_cases(None, [actions.CaseInput(phan_rang, date(2021, 10, 20), 40)])

    def stored():
        return sorted(
            AreaLevel.objects.values_list(
                "area__code", "date", "level", "computed_level", "reason", "cases", "rate"
            )
        )

    one_by_one = stored()  # each recording recomputed its own province
    AreaLevel.objects.all().delete()
    report = actions.do_recompute_levels()
    assert stored() == one_by_one
    assert report.provinces == 2
    spans = {
        code: AreaLevel.objects.filter(area__code=code).aggregate(lo=Min("date"), hi=Max("date"))
        for code in ("56", "58")
    }
    assert spans["56"] == {"lo": date(2021, 9, 5), "hi": date(2021, 9, 19)}  # 2686: 14 days
    assert spans["58"] == {"lo": date(2021, 10, 20), "hi": date(2021, 10, 27)}  # 4800: 7 days


@pytest.mark.django_db
def test_the_ruleset_in_force_changes_on_its_effective_date(outbreak):
    day_before, day_of = date(2021, 10, 11), date(2021, 10, 12)
    stretches = actions.versions_in_force(day_before, day_of)
    assert [(v.ruleset.code, lo, hi) for v, lo, hi in stretches] == [
        ("2686", day_before, day_before),
        ("4800", day_of, day_of),
    ]


@pytest.mark.django_db
def test_an_override_shows_beside_the_computed_level_is_audited_and_survives_a_recompute(
    outbreak, health
):
    client = client_for(health)
    response = client.post(
        "/api/v1/risk/overrides",
        json.dumps(
            {
                "area_code": "22327",
                "level": 3,
                "date_from": "2021-09-10",
                "date_to": "2021-09-12",
                "reason": "Khoanh vùng đã kiểm soát",
                "decision_number": "123/QĐ-UBND",
            }
        ),
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    actions.do_recompute_levels([Area.objects.get(code="56")])
    rows = Client().get("/api/v1/risk/levels?date=2021-09-11&parent=568").json()
    vinh_hoa = next(r for r in rows if r["area_code"] == "22327")
    assert (vinh_hoa["level"], vinh_hoa["computed_level"]) == (3, 4)
    assert vinh_hoa["override"]["decision_number"] == "123/QĐ-UBND"
    assert vinh_hoa["explanation"].startswith("đỏ")  # the computed level's reasons
    assert level("22327", date(2021, 9, 13)).level == 4  # after the override's end
    event = AuditEvent.objects.get(verb="override_level")
    assert event.actor == health and event.after["level"] == 3 and event.before == {"level": 4}


@pytest.mark.django_db
def test_revoking_an_override_restores_the_computed_level(outbreak, health):
    override = actions.do_set_override(
        health,
        outbreak,
        level=1,
        date_from=date(2021, 9, 6),
        date_to=None,
        reason="thử",
        decision_number="1/QĐ",
    )
    assert level("22327", date(2021, 9, 7)).level == 1
    actions.do_revoke_override(health, override)
    assert level("22327", date(2021, 9, 7)).level == 4
    with pytest.raises(actions.RiskRefused):
        actions.do_revoke_override(health, Override.objects.get(pk=override.pk))


@pytest.mark.django_db
def test_overrides_and_cases_are_scoped(outbreak, personas):
    body = {
        "area_code": "22327",
        "level": 1,
        "date_from": "2021-09-10",
        "reason": "không có quyền",
        "decision_number": "9/QĐ",
    }
    other = make_user("yte_nt", Role.HEALTH, Area.objects.get(code="58"))
    for user in (other, personas.commune_a):  # another province; a role without the right
        response = client_for(user).post(
            "/api/v1/risk/overrides", json.dumps(body), content_type="application/json"
        )
        assert response.status_code == 404
    assert not Override.objects.exists()
    cases = [{"date": "2021-09-01", "area_code": "22327", "count": 2}]
    response = client_for(other).post(
        "/api/v1/risk/cases", json.dumps(cases), content_type="application/json"
    )
    assert response.status_code == 404
    assert CaseRecord.objects.count() == 1


@pytest.mark.django_db
def test_a_case_import_with_a_bad_row_names_it_and_stores_nothing(health, khanh_hoa):
    data = (
        b"date,area_code,count,setting,source_known\n"
        b"01/09/2021,22327,2,community,yes\n"
        b"02/09/2021,22327,x,home,maybe\n"
    )
    upload = io.BytesIO(data)
    upload.name = "ca.csv"
    response = client_for(health).post("/api/v1/risk/cases/import", {"file": upload})
    assert response.status_code == 400
    assert {(d["row"], d["field"]) for d in response.json()["error"]["details"]} == {
        (3, "count"),
        (3, "setting"),
        (3, "source_known"),
    }
    assert not CaseRecord.objects.exists()


@pytest.mark.django_db
def test_a_village_case_counts_for_its_commune(health, khanh_hoa):
    from vungxanh.areas.actions import VillageSpec, do_create_village

    village = do_create_village(None, Area.objects.get(code="22327"), VillageSpec("Tổ 1"))
    actions.do_record_cases(
        health, [actions.CaseInput(village, date(2021, 9, 5), 1, source_known=False)]
    )
    assert level("22327", date(2021, 9, 5)).level == 4
    assert not AreaLevel.objects.filter(area=village).exists()


@pytest.mark.django_db
def test_progress_numbers_match_the_levels_api(outbreak):
    client = Client()
    days = client.get("/api/v1/risk/progress?area=56").json()["days"]
    day = next(d for d in days if d["date"] == "2021-09-05")
    districts = client.get("/api/v1/risk/levels?date=2021-09-05&parent=56").json()
    green = sum(
        r["level"] == 1
        for d in districts
        for r in client.get(f"/api/v1/risk/levels?date=2021-09-05&parent={d['area_code']}").json()
    )
    assert (day["communes"], day["green"]) == (139, green) == (139, 138)


@pytest.mark.django_db
def test_the_levels_api_gives_every_commune_of_a_date_by_tier(outbreak, health):
    actions.do_set_override(
        health,
        outbreak,
        level=2,
        date_from=date(2021, 9, 5),
        date_to=None,
        reason="thử",
        decision_number="2/QĐ",
    )
    client = Client()
    url = "/api/v1/risk/levels?date=2021-09-05"
    every = client.get(f"{url}&tier=commune").json()
    assert len(every) == Area.objects.of_tier("commune").count() == 139 + 65
    by_code = {r["area_code"]: r for r in every}
    for district in client.get(f"{url}&parent=56").json():
        for r in client.get(f"{url}&parent={district['area_code']}").json():
            assert by_code[r["area_code"]] == r  # the same rows as the children of each district
    vinh_hoa = by_code["22327"]
    assert (vinh_hoa["level"], vinh_hoa["computed_level"], vinh_hoa["colour"]) == (2, 4, "yellow")
    assert vinh_hoa["override"]["decision_number"] == "2/QĐ"
    assert vinh_hoa["explanation"].startswith("đỏ")
    ninh_thuan = Area.objects.get(code="58")
    in_58 = Area.objects.subtree(ninh_thuan).of_tier("commune").values_list("code", flat=True)
    assert {by_code[c]["level"] for c in in_58} == {None}  # no case there: no level stored
    bare = client.get(f"{url}&tier=commune&parent=568&explain=0").json()
    assert len(bare) == 27 and {r["explanation"] for r in bare} == {""}
    assert {r["area_code"]: r["level"] for r in bare}["22327"] == 2
    assert client.get(url).status_code == 400
    assert client.get(f"{url}&tier=village").status_code in (400, 422)


@pytest.mark.django_db
def test_a_health_officer_drafts_and_publishes_a_version_and_the_old_one_stays(outbreak, health):
    old = RulesetVersion.objects.get(ruleset__code="2686")
    params = json.loads(json.dumps(old.params))
    params["area_method"]["yellow"][0]["value"] = 5  # a stricter yellow threshold
    client = client_for(health)
    response = client.post(
        "/api/v1/risk/rulesets/2686/versions",
        json.dumps(
            {
                "params": params,
                "effective_from": "2021-09-01",
                "decision": "99/QĐ-SYT",
                "decision_date": "2021-08-30",
                "provenance": "điều chỉnh của tỉnh",
            }
        ),
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    assert response.json() == {"version": 2, "status": "draft", "effective_from": "2021-09-01"}
    assert client.post("/api/v1/risk/rulesets/2686/versions/2/publish").status_code == 200
    assert client.post("/api/v1/risk/rulesets/2686/versions/2/publish").status_code == 400
    old.refresh_from_db()
    assert old.status == "published" and old.params["area_method"]["yellow"][0]["value"] == 1
    assert level("22327", date(2021, 9, 5)).ruleset_version.version == 2
    verbs = list(
        AuditEvent.objects.filter(object_type="risk.rulesetversion").values_list("verb", flat=True)
    )
    assert sorted(verbs) == ["draft_ruleset", "transition"]


@pytest.mark.django_db
def test_a_bad_threshold_is_refused_with_its_path_and_commune_officers_may_not_edit(
    outbreak, health, personas
):
    body = {
        "params": {"window_days": 0},
        "effective_from": "2021-09-01",
        "decision": "x",
        "decision_date": "2021-09-01",
    }
    response = client_for(health).post(
        "/api/v1/risk/rulesets/2686/versions", json.dumps(body), content_type="application/json"
    )
    assert response.status_code == 400
    assert "window_days" in response.json()["error"]["message"]
    response = client_for(personas.commune_a).post(
        "/api/v1/risk/rulesets/2686/versions", json.dumps(body), content_type="application/json"
    )
    assert response.status_code == 404


@pytest.mark.django_db
def test_rulesets_show_their_unconfirmed_thresholds():
    rulesets = {r["code"]: r for r in Client().get("/api/v1/risk/rulesets").json()}
    notes = rulesets["4800"]["versions"][0]["unconfirmed"]
    assert any("band below 50.0" in n and "remembered" in n for n in notes)
    assert any("roll-up direct (unknown)" in n for n in notes)
    assert rulesets["2686"]["versions"][0]["unconfirmed"] == []


@pytest.mark.django_db
def test_coverage_by_api_changes_the_4800_level_and_is_scoped(health, personas):
    vinh_hoa = Area.objects.get(code="22327")
    day = date(2021, 10, 20)
    # 2 cases for ~8,900 people: ~22 per 100,000 in 7 days, band 20–<50
    actions.do_record_cases(None, [actions.CaseInput(vinh_hoa, day, 2)])
    assert level("22327", day).level == 3  # no coverage figure: not met
    body = [{"area_code": "22327", "date": "2021-10-01", "first_dose_18_pct": 85}]
    response = client_for(health).post(
        "/api/v1/risk/coverage", json.dumps(body), content_type="application/json"
    )
    assert response.status_code == 201
    assert level("22327", day).level == 2
    other = make_user("yte_nt2", Role.HEALTH, Area.objects.get(code="58"))
    response = client_for(other).post(
        "/api/v1/risk/coverage", json.dumps(body), content_type="application/json"
    )
    assert response.status_code == 404


@pytest.mark.django_db
def test_an_area_without_population_is_stored_under_4800(khanh_hoa):
    """Island districts have no commune and no population: their rate is undefined, and the
    level must still be stored (it once failed NOT NULL on SQLite)."""
    vinh_hoa = Area.objects.get(code="22327")
    Area.objects.filter(code="568").update(population=None)
    actions.do_record_cases(None, [actions.CaseInput(vinh_hoa, date(2021, 10, 20), 1)])
    row = level("568", date(2021, 10, 20))
    assert row.rate is None and row.value == 0.0
