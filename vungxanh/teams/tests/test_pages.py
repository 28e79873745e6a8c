"""The pages of teams and the register: scope (404), masking, access log, purposes, the daily
list, registration refusals, the dashboard's counts, coverage and its export."""

from __future__ import annotations

import io
from datetime import date

import pytest
from django.test import override_settings
from openpyxl import load_workbook

from conftest import client_for, make_user
from vungxanh.accounts.models import AccessEvent
from vungxanh.accounts.roles import Role
from vungxanh.areas.actions import VillageSpec, do_create_village
from vungxanh.areas.models import Area
from vungxanh.teams import actions
from vungxanh.teams.models import Check, FoundingDeadline, Person, RegisterEntry

CCCD = "056095001234"
TODAY = "2021-08-15"


@pytest.fixture
def villages(personas):
    a = do_create_village(None, Area.objects.get(code="22327"), VillageSpec("Tổ dân phố 1"))
    b = do_create_village(None, Area.objects.get(code="22333"), VillageSpec("Tổ dân phố 7"))
    return a, b


def register(village, id_number=CCCD, name="Nguyễn Văn An", start=date(2021, 8, 10), **kw):
    spec = actions.PersonSpec(
        full_name=name, birth_year=1980, sex="m", id_number=id_number, phone="0912345678"
    )
    return actions.do_register(
        None, village, spec, category=kw.get("category", "f1"), start_date=start
    )


@pytest.mark.django_db
def test_an_officer_of_another_commune_gets_404_on_the_list_record_and_daily_page(
    villages, personas
):
    entry = register(villages[0])
    other = client_for(personas.commune_b)
    assert other.get("/so-theo-doi/22327/").status_code == 404
    assert other.get(f"/so-theo-doi/ho-so/{entry.pk}/").status_code == 404
    assert other.get(f"/so-theo-doi/ho-so/{entry.pk}/?muc-dich=báo cáo").status_code == 404
    assert other.get(f"/to-tu-quan/{villages[0].code}/hom-nay/").status_code == 404
    response = other.post(
        f"/to-tu-quan/{villages[0].code}/hom-nay/{entry.pk}/",
        {"date": "2021-08-11", "result": "ok"},
    )
    assert response.status_code == 404
    assert not Check.objects.exists() and not AccessEvent.objects.exists()
    # the officer's own commune answers
    assert other.get("/so-theo-doi/22333/").status_code == 200


@pytest.mark.django_db
@override_settings(VUNGXANH_TODAY=TODAY)
def test_the_list_masks_id_numbers_and_phones(villages, personas):
    register(villages[0])
    response = client_for(personas.commune_a).get("/so-theo-doi/22327/")
    page = response.content.decode()
    assert response.status_code == 200
    assert "Nguyễn Văn An" in page
    assert "0*********34" in page and "0*******78" in page
    assert CCCD not in page and "0912345678" not in page


@pytest.mark.django_db
@override_settings(VUNGXANH_TODAY=TODAY)
def test_the_list_filters_and_marks_a_missing_check_of_yesterday_as_late(villages, personas):
    checked = register(villages[0], name="Trần Thị Bình")
    register(villages[0], id_number="056190002222", name="Lê Văn Cường", category="returnee")
    actions.do_record_check(None, checked, actions.CheckSpec(date(2021, 8, 14)))
    client = client_for(personas.commune_a)
    late = client.get("/so-theo-doi/22327/?late=on").content.decode()
    assert "Lê Văn Cường" in late and "Trần Thị Bình" not in late
    returnees = client.get("/so-theo-doi/22327/?category=returnee").content.decode()
    assert "Lê Văn Cường" in returnees and "Trần Thị Bình" not in returnees


@pytest.mark.django_db
@override_settings(VUNGXANH_TODAY=TODAY)
def test_opening_a_record_asks_the_purpose_first_then_writes_one_access_event(villages, personas):
    entry = register(villages[0])
    client = client_for(personas.commune_a)
    ask = client.get(f"/so-theo-doi/ho-so/{entry.pk}/")
    assert ask.status_code == 200
    assert CCCD not in ask.content.decode() and "Nguyễn Văn An" not in ask.content.decode()
    assert not AccessEvent.objects.exists()

    record = client.get(f"/so-theo-doi/ho-so/{entry.pk}/?muc-dich=theo dõi hằng ngày")
    page = record.content.decode()
    assert record.status_code == 200
    assert CCCD in page and "0912345678" in page  # the record shows the person unmasked
    assert entry.rule.name in page
    event = AccessEvent.objects.get()
    assert (event.actor, event.object_id, event.purpose) == (
        personas.commune_a,
        str(entry.person_id),
        "theo dõi hằng ngày",
    )


@pytest.mark.django_db
def test_a_typed_purpose_too_short_is_asked_again_and_not_logged(villages, personas):
    entry = register(villages[0])
    client = client_for(personas.commune_a)
    response = client.get(f"/so-theo-doi/ho-so/{entry.pk}/?muc-dich-khac=xem")
    assert response.status_code == 200 and CCCD not in response.content.decode()
    assert not AccessEvent.objects.exists()
    response = client.get(f"/so-theo-doi/ho-so/{entry.pk}/?muc-dich-khac=gọi điện hỏi thăm")
    assert CCCD in response.content.decode()
    assert AccessEvent.objects.get().purpose == "gọi điện hỏi thăm"


@pytest.mark.django_db
def test_an_export_without_a_purpose_is_refused_and_nothing_is_logged(villages, personas):
    register(villages[0])
    client = client_for(personas.commune_a)
    refused = client.post("/so-theo-doi/22327/xuat/", {"purpose": "  ", "format": "csv"})
    assert refused.status_code == 400
    assert "text/html" in refused["Content-Type"]
    assert "(ít nhất 5" in refused.content.decode() or "at least 5" in refused.content.decode()
    short = client.post("/so-theo-doi/22327/xuat/", {"purpose": "bc", "format": "csv"})
    assert short.status_code == 400
    assert not AccessEvent.objects.exists()


@pytest.mark.django_db
def test_an_export_with_a_purpose_downloads_and_is_logged(villages, personas):
    register(villages[0])
    client = client_for(personas.commune_a)
    response = client.post("/so-theo-doi/22327/xuat/", {"purpose": "báo cáo BCĐ", "format": "csv"})
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="so-theo-doi-22327.csv"'
    assert CCCD in response.content.decode("utf-8-sig")
    event = AccessEvent.objects.get()
    assert (event.purpose, event.object_id) == ("export: báo cáo BCĐ", str(villages[0].parent_id))

    xlsx = client.post("/so-theo-doi/22327/xuat/", {"purpose": "báo cáo BCĐ", "format": "xlsx"})
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:5] == ("id", "full_name", "birth_year", "sex", "id_number")
    assert rows[1][4] == CCCD
    assert AccessEvent.objects.count() == 2


@pytest.mark.django_db
def test_the_api_export_shares_the_page_s_rows(villages, personas):
    register(villages[0])
    client = client_for(personas.commune_a)
    api = client.get("/api/v1/register/export?area=22327&format=csv&purpose=báo cáo BCĐ")
    page = client.post("/so-theo-doi/22327/xuat/", {"purpose": "báo cáo BCĐ", "format": "csv"})
    assert api.content == page.content


@pytest.mark.django_db
@override_settings(VUNGXANH_TODAY=TODAY)
def test_the_province_gets_the_dashboard_counts_but_404_on_the_list(villages, personas):
    register(villages[0])
    register(villages[1], id_number="056190002222", name="Lê Văn Cường", category="returnee")
    province = client_for(personas.province)
    dashboard = province.get("/so-theo-doi/56/tong-hop/")
    page = dashboard.content.decode()
    assert dashboard.status_code == 200
    assert dashboard.context["data"]["open"] == 2
    assert dashboard.context["data"]["late_checks"] == 2  # nobody checked on 14/08
    assert "Nguyễn Văn An" not in page and "Lê Văn Cường" not in page
    assert province.get("/so-theo-doi/56/").status_code == 404
    assert province.get("/so-theo-doi/22327/").status_code == 404
    # a commune officer sees the dashboard of their commune, not of the province
    assert client_for(personas.commune_a).get("/so-theo-doi/56/tong-hop/").status_code == 404
    commune = client_for(personas.commune_a).get("/so-theo-doi/22327/tong-hop/")
    assert commune.context["data"]["open"] == 1


@pytest.mark.django_db
@override_settings(VUNGXANH_TODAY=TODAY)
def test_a_duplicate_id_registration_shows_the_refusal_and_stores_nothing(villages, personas):
    first = register(villages[0])
    entries, people = RegisterEntry.objects.count(), Person.objects.count()
    response = client_for(personas.commune_b).post(
        "/so-theo-doi/22333/dang-ky/",
        {
            "village": villages[1].pk,
            "full_name": "Nguyễn Văn An (khai lại)",
            "id_number": CCCD,
            "category": "returnee",
            "start_date": "12/08/2021",
        },
    )
    assert response.status_code == 400
    message = " ".join(response.context["register_form"].errors["id_number"])
    assert "Tổ dân phố 1, Phường Vĩnh Hòa" in message and "10/08/2021" in message
    assert str(first.pk) in message
    assert message in response.content.decode()  # shown next to the field
    assert (RegisterEntry.objects.count(), Person.objects.count()) == (entries, people)


@pytest.mark.django_db
@override_settings(VUNGXANH_TODAY=TODAY)
def test_registering_from_the_list_page(villages, personas):
    response = client_for(personas.commune_a).post(
        "/so-theo-doi/22327/dang-ky/",
        {
            "village": villages[0].pk,
            "full_name": "Phạm Thị Dung",
            "birth_year": "1992",
            "sex": "f",
            "id_number": "056192003333",
            "phone": "0905 111 222",
            "category": "returnee",
            "start_date": "15/08/2021",
            "origin": "TP. Hồ Chí Minh",
            "arrival_date": "14/08/2021",
        },
    )
    assert response.status_code == 302
    entry = RegisterEntry.objects.select_related("person").get()
    assert (entry.person.phone, entry.village, entry.arrival_date) == (
        "0905111222",
        villages[0],
        date(2021, 8, 14),
    )
    # another commune's village is not a choice
    refused = client_for(personas.commune_a).post(
        "/so-theo-doi/22327/dang-ky/",
        {
            "village": villages[1].pk,
            "full_name": "Người khác",
            "category": "f1",
            "start_date": "15/08/2021",
        },
    )
    assert refused.status_code == 400 and RegisterEntry.objects.count() == 1


@pytest.mark.django_db
@override_settings(VUNGXANH_TODAY=TODAY)
def test_the_daily_ok_records_an_all_clear_check_and_jumps_to_the_next_person(villages):
    village = villages[0]
    an = register(village, name="Nguyễn Văn An")
    binh = register(village, id_number="056190002222", name="Trần Thị Bình")
    leader = make_user("totruong", Role.TEAM_LEADER, village)
    client = client_for(leader)
    page = client.get(f"/to-tu-quan/{village.code}/hom-nay/")
    assert page.status_code == 200
    assert page.context["total"] == 2 and page.context["done"] == 0
    assert "0*******78" in page.content.decode() and "tel:" not in page.content.decode()

    response = client.post(
        f"/to-tu-quan/{village.code}/hom-nay/{an.pk}/", {"date": "2021-08-15", "result": "ok"}
    )
    assert response.status_code == 302
    assert response["Location"] == f"/to-tu-quan/{village.code}/hom-nay/#p-{binh.pk}"
    check = Check.objects.get()
    assert (check.entry, check.date, check.at_home, check.has_problem, check.checked_by) == (
        an,
        date(2021, 8, 15),
        True,
        False,
        leader,
    )
    after = client.get(f"/to-tu-quan/{village.code}/hom-nay/")
    assert after.context["done"] == 1
    assert [c.entry.pk for c in after.context["cards"]] == [binh.pk, an.pk]  # checked last


@pytest.mark.django_db
@override_settings(VUNGXANH_TODAY=TODAY)
def test_a_daily_problem_refers_the_person_and_an_empty_problem_is_refused(villages):
    village = villages[0]
    entry = register(village)
    client = client_for(make_user("totruong", Role.TEAM_LEADER, village))
    url = f"/to-tu-quan/{village.code}/hom-nay/{entry.pk}/"
    empty = client.post(url, {"date": "2021-08-15", "result": "problem", "temperature": "36.8"})
    assert empty.status_code == 400 and not Check.objects.exists()
    assert empty.context["failed"] == entry.pk

    client.post(
        url,
        {"date": "2021-08-15", "result": "problem", "temperature": "38.5", "symptoms": ["ho"]},
    )
    check = Check.objects.get()
    assert (str(check.temperature), check.symptoms) == ("38.5", "ho")
    entry.refresh_from_db()
    assert entry.escalation == "referred"


@pytest.mark.django_db
@override_settings(VUNGXANH_TODAY=TODAY)
def test_the_daily_page_of_another_day_and_a_member_of_another_village(villages):
    village = villages[0]
    register(village)
    client = client_for(make_user("totruong", Role.TEAM_LEADER, village))
    earlier = client.get(f"/to-tu-quan/{village.code}/hom-nay/?ngay=11/08/2021")
    assert earlier.context["day"] == date(2021, 8, 11)
    assert earlier.context["cards"][0].day_n == 2 and earlier.context["cards"][0].day_m == 28
    assert client.get(f"/to-tu-quan/{villages[1].code}/hom-nay/").status_code == 404
    assert client.get("/to-tu-quan/22327/hom-nay/").status_code == 404  # not a village


@pytest.mark.django_db
@override_settings(VUNGXANH_TODAY=TODAY)
def test_the_daily_list_pages_people_still_to_check_first_with_the_whole_day_s_counts(
    villages, monkeypatch
):
    from vungxanh.teams import queries

    monkeypatch.setattr(queries, "DAILY_PAGE", 2)
    village = villages[0]
    names = ["Bùi Văn A", "Hồ Thị B", "Lê Văn C", "Phạm Thị D", "Vũ Văn E"]
    entries = [register(village, id_number=f"05609500{i:04d}", name=n) for i, n in enumerate(names)]
    leader = make_user("totruong", Role.TEAM_LEADER, village)
    actions.do_record_check(leader, entries[0], actions.CheckSpec(date(2021, 8, 15)))
    client = client_for(leader)
    url = f"/to-tu-quan/{village.code}/hom-nay/"

    first = client.get(url)
    assert (first.context["total"], first.context["done"]) == (5, 1)
    assert [c.entry.pk for c in first.context["cards"]] == [entries[1].pk, entries[2].pk]
    assert (first.context["page"].number, first.context["page"].pages) == (1, 3)
    assert 'rel="next"' in first.content.decode()
    last = client.get(url + "?trang=3")
    assert [c.entry.pk for c in last.context["cards"]] == [entries[0].pk]  # checked last
    assert client.get(url + "?trang=99").context["page"].number == 3
    assert client.get(url + "?trang=x").context["page"].number == 1


@pytest.mark.django_db
@override_settings(VUNGXANH_TODAY=TODAY)
def test_escalation_and_closing_from_the_record(villages, personas):
    entry = register(villages[0])
    client = client_for(personas.commune_a)
    purpose = {"muc-dich": "xử lý chuyển tuyến"}
    response = client.post(
        f"/so-theo-doi/ho-so/{entry.pk}/chuyen-tuyen/", {"to": "referred"} | purpose
    )
    assert response.status_code == 302 and "muc-dich=" in response["Location"]
    entry.refresh_from_db()
    assert entry.escalation == "referred"
    refused = client.post(f"/so-theo-doi/ho-so/{entry.pk}/chuyen-tuyen/", {"to": "referred"})
    assert refused.status_code == 302
    client.post(
        f"/so-theo-doi/ho-so/{entry.pk}/ket-thuc/", {"outcome": "absconded", "on": "15/08/2021"}
    )
    entry.refresh_from_db()
    assert (entry.status, entry.outcome) == ("closed", "absconded")
    assert entry.alerts.count() == 1
    # the province's standing agency cannot change an entry it may not read
    other = client_for(personas.province)
    assert (
        other.post(f"/so-theo-doi/ho-so/{entry.pk}/chuyen-tuyen/", {"to": "none"}).status_code
        == 404
    )


@pytest.mark.django_db
@override_settings(VUNGXANH_TODAY=TODAY)
def test_coverage_page_founds_a_team_and_exports_the_table(villages, personas):
    FoundingDeadline.objects.create(area=Area.objects.get(code="56"), deadline=date(2021, 8, 10))
    client = client_for(personas.commune_a)
    page = client.get("/to-tu-quan/22327/")
    assert page.status_code == 200 and "10/08/2021" in page.content.decode()
    response = client.post(
        "/to-tu-quan/22327/thanh-lap/",
        {
            "village": villages[0].pk,
            "name": "",
            "founded_on": "12/08/2021",
            "leader": "Võ Văn Tổ",
            "leader_phone": "0905123456",
        },
    )
    assert response.status_code == 302
    team = villages[0].teams.get()
    assert (team.name, team.members.count()) == ("Tổ tự quản Tổ dân phố 1", 1)
    rows = {r.village.code: r for r in client.get("/to-tu-quan/22327/").context["village_rows"]}
    assert rows[villages[0].code].with_team and not rows[villages[0].code].on_time

    district = client_for(personas.province).get("/to-tu-quan/568/")
    vinh_hoa = next(r for r in district.context["rows"] if r.area.code == "22327")
    assert (vinh_hoa.villages, vinh_hoa.with_team, vinh_hoa.on_time) == (1, 1, 0)
    assert villages[0] in list(district.context["late"])

    xlsx = client_for(personas.province).get("/to-tu-quan/568/xuat.xlsx")
    rows = list(load_workbook(io.BytesIO(xlsx.content)).active.iter_rows(values_only=True))
    assert rows[0] == (
        "area_code",
        "name",
        "villages",
        "with_team",
        "founded_by_deadline",
        "late",
        "share",
    )
    assert ("22327", "Phường Vĩnh Hòa", 1, 1, 0, 1, 1) in rows
    # commune B's officer may not found a team in commune A, nor see its page
    other = client_for(personas.commune_b)
    assert other.get("/to-tu-quan/22327/").status_code == 404
    refused = other.post(
        "/to-tu-quan/22327/thanh-lap/", {"village": villages[0].pk, "founded_on": "12/08/2021"}
    )
    assert refused.status_code == 404


@pytest.mark.django_db
def test_an_import_with_a_bad_row_shows_the_error_table_and_stores_nothing(villages, personas):
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["Mã thôn", "Họ tên", "CCCD", "Điện thoại", "Đối tượng", "Ngày bắt đầu"])
    sheet.append(
        [villages[0].code, "Trần Thị Bình", "056190001111", "0905111222", "f1", "10/08/2021"]
    )
    sheet.append([villages[0].code, "Lê Văn Cường", "12345", "0905", "f1", "10/08/2021"])
    buffer = io.BytesIO()
    book.save(buffer)
    buffer.seek(0)
    buffer.name = "so.xlsx"
    response = client_for(personas.commune_a).post("/so-theo-doi/22327/nhap/", {"file": buffer})
    assert response.status_code == 400
    assert {(e.row, e.field) for e in response.context["errors"]} == {
        (3, "id_number"),
        (3, "phone"),
    }
    assert '<table class="errors">' in response.content.decode()
    assert not RegisterEntry.objects.exists()


@pytest.mark.django_db
def test_anonymous_visitors_are_sent_to_log_in(villages):
    from django.test import Client

    response = Client().get("/so-theo-doi/22327/")
    assert response.status_code == 302 and response["Location"].startswith("/dang-nhap/")


@pytest.mark.django_db
@override_settings(VUNGXANH_TODAY=TODAY)
def test_a_team_s_members_are_added_and_stood_down_audited_and_out_of_scope_is_404(
    villages, personas
):
    from vungxanh.accounts.models import AuditEvent

    team = actions.do_found_team(None, villages[0], name="Tổ 1", founded_on=date(2021, 8, 9))
    client = client_for(personas.commune_a)
    assert client_for(personas.commune_b).get(f"/to-tu-quan/to/{team.pk}/").status_code == 404
    bad = client.post(
        f"/to-tu-quan/to/{team.pk}/thanh-vien/",
        {"full_name": "Lê Văn Dân", "role": "militia", "phone": "12345"},
    )
    assert bad.status_code == 400 and "phone" in bad.context["member_form"].errors
    assert not team.members.exists()
    client.post(
        f"/to-tu-quan/to/{team.pk}/thanh-vien/",
        {"full_name": "Lê Văn Dân", "role": "militia", "phone": "0905123456"},
    )
    member = team.members.get()
    assert (member.role, member.active) == ("militia", True)
    outsider = client_for(personas.commune_b).post(
        f"/to-tu-quan/to/{team.pk}/thanh-vien/{member.pk}/", {"active": "0"}
    )
    assert outsider.status_code == 404
    client.post(f"/to-tu-quan/to/{team.pk}/thanh-vien/{member.pk}/", {"active": "0"})
    member.refresh_from_db()
    assert member.active is False
    # a second, stale "stand down" changes nothing and writes no audit row
    client.post(f"/to-tu-quan/to/{team.pk}/thanh-vien/{member.pk}/", {"active": "0"})
    verbs = list(AuditEvent.objects.filter(area_path=team.area_path).values_list("verb", flat=True))
    assert verbs.count("member_inactive") == 1 and "add_member" in verbs
    page = client.get(f"/to-tu-quan/to/{team.pk}/")
    assert "Lê Văn Dân" in page.content.decode() and page.context["can_manage"]


@pytest.mark.django_db
@override_settings(VUNGXANH_TODAY=TODAY)
def test_commitments_are_recorded_in_scope_and_counted_per_unit_and_kind(villages, personas):
    from vungxanh.teams.models import Commitment

    form = {
        "area": villages[0].pk,
        "signer_kind": "household",
        "signer_name": "Hộ ông Nguyễn Văn Ba",
        "text": "Thực hiện nghiêm 5K, khai báo y tế khi có người về từ vùng dịch.",
        "signed_on": "12/08/2021",
        "witness": "Trưởng thôn",
    }
    client = client_for(personas.commune_a)
    assert client.post("/cam-ket/22327/ky/", form).status_code == 302
    # commune B may not record one in commune A, neither from its own page nor from A's
    other = client_for(personas.commune_b)
    assert other.post("/cam-ket/22327/ky/", form).status_code == 404
    refused = other.post("/cam-ket/22333/ky/", form)
    assert refused.status_code == 400 and "area" in refused.context["form"].errors
    assert Commitment.objects.count() == 1
    assert client.post("/cam-ket/22327/ky/", form | {"text": ""}).status_code == 400
    assert Commitment.objects.count() == 1

    district = client_for(personas.province).get("/cam-ket/568/")
    counts = {child.code: n for child, n in district.context["rows"]}
    assert counts["22327"] == [1, 0, 0] and counts["22333"] == [0, 0, 0]
    assert district.context["total"] == 1 and district.context["form"] is None
    listed = client.get("/cam-ket/22327/")
    assert "Hộ ông Nguyễn Văn Ba" in listed.content.decode()
    assert other.get("/cam-ket/22327/").status_code == 404
