from datetime import date

import pytest
from django.test import Client

from conftest import client_for, make_user
from vungxanh.accounts.roles import Role
from vungxanh.areas.models import Area
from vungxanh.risk import actions
from vungxanh.risk.models import AreaLevel, CaseRecord, Override


@pytest.fixture
def health(personas):
    return make_user("yte_kh", Role.HEALTH, Area.objects.get(code="56"))


@pytest.mark.django_db
def test_the_rulesets_page_is_public_and_marks_unconfirmed_thresholds():
    page = Client().get("/quy-tac/").content.decode()
    assert "2686/QĐ-BCĐQG" in page and "4800/QĐ-BYT" in page
    assert "nhớ lại, chưa xác nhận" in page and "chưa tìm thấy văn bản" in page
    assert "Soạn phiên bản mới" not in page  # the public cannot edit


@pytest.mark.django_db
def test_a_health_officer_drafts_a_version_from_the_page(health):
    client = client_for(health)
    page = client.get("/quy-tac/2686/phien-ban-moi/")
    assert page.status_code == 200 and "window_days" in page.content.decode()
    bad = client.post(
        "/quy-tac/2686/phien-ban-moi/",
        {
            "effective_from": "01/09/2021",
            "decision": "1/QĐ",
            "decision_date": "01/09/2021",
            "params": '{"window_days": 14}',
        },
    )
    assert bad.status_code == 200 and "area_method" in bad.content.decode()
    assert Client().get("/quy-tac/2686/phien-ban-moi/").status_code == 404


@pytest.mark.django_db
def test_the_area_level_page_shows_the_level_its_reason_and_changes(personas):
    vinh_hoa = Area.objects.get(code="22327")
    actions.do_record_cases(
        None, [actions.CaseInput(vinh_hoa, date(2021, 9, 5), 1, source_known=False)]
    )
    page = Client().get("/cap-do/22327/").content.decode()
    assert "không có điều kiện nào của cấp cao hơn" in page  # green on the last day, and why
    assert "ngày 19/09/2021" in page  # red from the first case (5/9) until 18/9
    assert "Điều chỉnh cấp độ thủ công" not in page  # no form for the public


@pytest.mark.django_db
def test_page_forms_are_scoped(personas, health):
    vinh_hoa = Area.objects.get(code="22327")
    actions.do_record_cases(None, [actions.CaseInput(vinh_hoa, date(2021, 9, 5), 1)])
    body = {"level": 2, "date_from": "06/09/2021", "decision_number": "5/QĐ", "reason": "thử"}
    assert client_for(personas.commune_b).post("/cap-do/22327/dieu-chinh/", body).status_code == 404
    assert client_for(health).post("/cap-do/22327/dieu-chinh/", body).status_code == 302
    assert Override.objects.get().level == 2
    assert AreaLevel.objects.get(area=vinh_hoa, date=date(2021, 9, 6)).level == 2
    case = {"date": "07/09/2021", "count": 2, "setting": "community", "source_known": "on"}
    assert client_for(personas.commune_a).post("/cap-do/22327/ghi-ca/", case).status_code == 404
    assert client_for(health).post("/cap-do/22327/ghi-ca/", case).status_code == 302
    assert CaseRecord.objects.filter(date=date(2021, 9, 7), count=2).exists()


@pytest.mark.django_db
def test_real_provinces_week_by_week_is_public_and_says_its_limits():
    page = Client().get("/cap-do-tinh/").content.decode()
    assert "Tỉnh Khánh Hòa" in page and "Tỉnh Ninh Thuận" in page and "Tỉnh Đắk Lắk" in page
    assert "08/08/2021" in page and "109,5" in page  # Khánh Hòa: 1,358 cases in 7 days
    assert "giới hạn trên" in page
