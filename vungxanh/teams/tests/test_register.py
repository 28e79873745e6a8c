"""The register: scope, masking, access log, duplicates, escalation to a case, outcomes."""

from __future__ import annotations

import io
import json
from datetime import date

import pytest
from django.test import Client, override_settings

from conftest import client_for, make_user
from vungxanh.accounts.models import AccessEvent, AuditEvent
from vungxanh.accounts.roles import Role
from vungxanh.areas.actions import VillageSpec, do_create_village
from vungxanh.areas.models import Area
from vungxanh.risk.models import AreaLevel, CaseRecord
from vungxanh.teams import actions
from vungxanh.teams.models import Alert, Person, RegisterEntry

CCCD = "056095001234"


@pytest.fixture
def villages(personas):
    a = do_create_village(None, Area.objects.get(code="22327"), VillageSpec("Tổ dân phố 1"))
    b = do_create_village(None, Area.objects.get(code="22333"), VillageSpec("Tổ dân phố 7"))
    return a, b


def register(village, id_number=CCCD, category="f1", start=date(2021, 8, 10), **person):
    spec = actions.PersonSpec(
        full_name=person.get("name", "Nguyễn Văn An"),
        birth_year=1980,
        sex="m",
        id_number=id_number,
        phone="0912345678",
    )
    return actions.do_register(None, village, spec, category=category, start_date=start)


@pytest.mark.django_db
def test_an_officer_of_another_commune_gets_404_for_an_entry(villages, personas):
    entry = register(villages[0])
    assert client_for(personas.commune_b).get(f"/api/v1/register/{entry.pk}").status_code == 404
    assert client_for(personas.commune_a).get(f"/api/v1/register/{entry.pk}").status_code == 200
    body = {"date": "2021-08-11"}
    response = client_for(personas.commune_b).post(
        f"/api/v1/register/{entry.pk}/checks", json.dumps(body), content_type="application/json"
    )
    assert response.status_code == 404


@pytest.mark.django_db
def test_lists_mask_id_numbers_and_phones(villages, personas):
    register(villages[0])
    rows = client_for(personas.commune_a).get("/api/v1/register/?area=22327").json()["items"]
    assert rows[0]["id_number"] == "0*********34"
    assert rows[0]["phone"] == "0*******78"
    assert rows[0]["full_name"] == "Nguyễn Văn An"


@pytest.mark.django_db
def test_opening_a_record_writes_an_access_log_row_with_the_purpose(villages, personas):
    entry = register(villages[0])
    client = client_for(personas.commune_a)
    record = client.get(f"/api/v1/register/{entry.pk}?purpose=gọi điện hỏi thăm").json()
    assert record["person"]["id_number"] == CCCD
    event = AccessEvent.objects.get()
    assert (event.actor, event.object_id, event.purpose) == (
        personas.commune_a,
        str(entry.person_id),
        "gọi điện hỏi thăm",
    )


@pytest.mark.django_db
def test_names_are_for_the_commune_and_health_counts_for_everyone_else(villages, personas):
    register(villages[0])
    province = client_for(personas.province)  # standing agency of the province
    assert province.get("/api/v1/register/?area=56").json()["count"] == 0
    assert province.get("/api/v1/register/dashboard?area=56").json()["open"] == 1
    health = make_user("yte56", Role.HEALTH, Area.objects.get(code="56"))
    assert client_for(health).get("/api/v1/register/?area=56").json()["count"] == 1
    district = make_user("phuong_nt", Role.AREA_OFFICER, Area.objects.get(code="568"))
    assert client_for(district).get("/api/v1/register/?area=568").json()["count"] == 0


@pytest.mark.django_db
def test_an_export_needs_a_purpose_and_is_logged(villages, personas):
    register(villages[0])
    client = client_for(personas.commune_a)
    refused = client.get("/api/v1/register/export?area=22327")
    assert refused.status_code == 400 and "purpose" in refused.json()["error"]["message"]
    assert not AccessEvent.objects.exists()
    response = client.get("/api/v1/register/export?area=22327&format=csv&purpose=báo cáo BCĐ")
    assert response.status_code == 200
    assert CCCD in response.content.decode("utf-8-sig")
    assert AccessEvent.objects.get().purpose == "export: báo cáo BCĐ"


@pytest.mark.django_db
def test_a_second_open_entry_with_the_same_id_number_is_refused_and_nothing_changes(villages):
    first = register(villages[0])
    entries, people = RegisterEntry.objects.count(), Person.objects.count()
    with pytest.raises(actions.TeamRefused) as caught:
        register(villages[1], name="Nguyễn Văn An (khai lại)")
    assert caught.value.field == "id_number"
    assert "Tổ dân phố 1, Phường Vĩnh Hòa" in caught.value.message
    assert str(first.pk) in caught.value.message and "15/08/2021" not in caught.value.message
    assert (RegisterEntry.objects.count(), Person.objects.count()) == (entries, people)
    assert Person.objects.get().full_name == "Nguyễn Văn An"


@pytest.mark.django_db
def test_the_refusal_answers_409_in_the_api_and_a_transfer_moves_the_entry(villages, personas):
    first = register(villages[0])
    body = {
        "village_code": villages[1].code,
        "category": "returnee",
        "start_date": "2021-08-12",
        "person": {"full_name": "Nguyễn Văn An", "id_number": CCCD},
    }
    client = client_for(personas.commune_b)
    response = client.post("/api/v1/register/", json.dumps(body), content_type="application/json")
    assert response.status_code == 409
    moved = client.post(
        f"/api/v1/register/{first.pk}/transfer",
        json.dumps({"village_code": villages[1].code}),
        content_type="application/json",
    )
    assert moved.status_code == 200 and moved.json()["village_code"] == villages[1].code
    assert RegisterEntry.objects.count() == 1
    assert client_for(personas.commune_a).get(f"/api/v1/register/{first.pk}").status_code == 404


@pytest.mark.django_db
def test_a_closed_entry_lets_the_person_be_registered_again(villages):
    first = register(villages[0])
    actions.do_close_entry(None, first, "completed", date(2021, 9, 6))
    again = register(villages[1], start=date(2021, 10, 1))
    assert again.person_id == first.person_id and Person.objects.count() == 1


@pytest.mark.django_db
def test_end_dates_follow_the_category_rule_in_force(villages):
    july = register(villages[0], category="f1", start=date(2021, 8, 10))
    assert july.rule.code == "f1-2021-07" and july.end_date == date(2021, 9, 6)  # 14 + 14
    december = register(villages[1], id_number="", category="f1", start=date(2021, 12, 5))
    assert december.rule.code == "f1-2021-12" and december.end_date == date(2021, 12, 18)


@pytest.mark.django_db
def test_a_problem_refers_and_a_positive_test_makes_a_case_and_recomputes(villages, personas):
    entry = register(villages[0], category="suspected", start=date(2021, 9, 1))
    keeper = client_for(personas.commune_a)

    def check(day, **body):
        return keeper.post(
            f"/api/v1/register/{entry.pk}/checks",
            json.dumps({"date": day, **body}),
            content_type="application/json",
        )

    assert check("2021-09-01").json()["escalation"] == "none"
    assert check("2021-09-02", temperature="38.2", symptoms="ho, sốt").json()["escalation"] == (
        "referred"
    )
    keeper.post(
        f"/api/v1/register/{entry.pk}/escalate",
        json.dumps({"to": "tested"}),
        content_type="application/json",
    )
    result = check("2021-09-03", test_result="positive").json()
    assert result["status"] == "closed"
    entry.refresh_from_db()
    assert entry.outcome == "became_case"
    case = CaseRecord.objects.get()
    assert (case.area, case.date, case.setting, case.source_known) == (
        villages[0],
        date(2021, 9, 3),
        "community",
        True,
    )
    # 1 known-source community case in ~8,900 people: > 1 per 100,000 → yellow under 2686
    assert AreaLevel.objects.get(area__code="22327", date=date(2021, 9, 3)).level == 2


@pytest.mark.django_db
def test_a_negative_test_returns_the_person_to_monitoring(villages):
    entry = register(villages[0], category="suspected", start=date(2021, 9, 1))
    actions.do_record_check(
        None, entry, actions.CheckSpec(date(2021, 9, 2), at_home=True, symptoms="ho")
    )
    entry.refresh_from_db()
    assert entry.escalation == "referred"
    actions.do_record_check(
        None, entry, actions.CheckSpec(date(2021, 9, 4), test_result="negative")
    )
    entry.refresh_from_db()
    assert (entry.escalation, entry.status) == ("none", "open")


@pytest.mark.django_db
def test_absconding_alerts_the_police_of_the_area(villages):
    entry = register(villages[0])
    actions.do_close_entry(None, entry, "absconded", date(2021, 8, 15))
    alert = Alert.objects.get()
    assert alert.entry == entry and alert.area_path == villages[0].path
    with pytest.raises(actions.TeamRefused):  # closed already: the guarded transition refuses
        actions.do_close_entry(None, entry, "completed")
    assert AuditEvent.objects.filter(verb="transition", object_id=str(entry.pk)).count() == 1


@pytest.mark.django_db
def test_an_xlsx_register_with_a_bad_row_stores_nothing(villages, personas):
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(
        ["Mã thôn", "Họ tên", "Năm sinh", "CCCD", "Điện thoại", "Đối tượng", "Ngày bắt đầu"]
    )
    sheet.append(
        [villages[0].code, "Trần Thị Bình", 1990, "056190001111", "0905111222", "f1", "10/08/2021"]
    )
    sheet.append([villages[0].code, "Lê Văn Cường", 1975, "12345", "0905", "f1", "10/08/2021"])
    buffer = io.BytesIO()
    book.save(buffer)
    buffer.seek(0)
    buffer.name = "so.xlsx"
    response = client_for(personas.commune_a).post("/api/v1/register/import", {"file": buffer})
    assert response.status_code == 400
    assert {(d["row"], d["field"]) for d in response.json()["error"]["details"]} == {
        (3, "id_number"),
        (3, "phone"),
    }
    assert not RegisterEntry.objects.exists()


@pytest.mark.django_db
@override_settings(ANONYMIZE_AFTER_DAYS=30)
def test_closed_entries_are_anonymized_after_the_configured_days(villages):
    from django.core.management import call_command

    old = register(villages[0])
    actions.do_close_entry(None, old, "completed", date(2021, 9, 6))
    recent = register(villages[1], id_number="056190002222")
    actions.do_close_entry(None, recent, "completed", date(2021, 12, 20))
    with override_settings(VUNGXANH_TODAY="2021-12-31"):
        call_command("anonymize_register")
    people = {p.pk: p for p in Person.objects.all()}
    assert people[old.person_id].id_number is None and people[old.person_id].full_name == "—"
    assert people[recent.person_id].id_number == "056190002222"
    assert RegisterEntry.objects.count() == 2  # the statistics stay


@pytest.mark.django_db
def test_anonymous_callers_get_401():
    assert Client().get("/api/v1/register/?area=56").status_code == 401


@pytest.mark.django_db
def test_commitments_are_signed_in_scope_and_counted(villages, personas):
    body = {
        "area_code": villages[0].code,
        "signer_kind": "household",
        "signer_name": "Hộ Nguyễn Văn An",
        "text": "Cam kết thực hiện 5K",
        "signed_on": "2021-08-05",
        "witness": "Tổ trưởng",
    }
    other = client_for(personas.commune_b).post(
        "/api/v1/commitments", json.dumps(body), content_type="application/json"
    )
    assert other.status_code == 404
    mine = client_for(personas.commune_a).post(
        "/api/v1/commitments", json.dumps(body), content_type="application/json"
    )
    assert mine.status_code == 201
    counts = client_for(personas.province).get("/api/v1/commitments/counts?area=568").json()
    assert counts["by_signer"] == {"household": 1}
