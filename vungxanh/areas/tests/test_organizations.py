import io

import pytest

from conftest import client_for
from vungxanh.accounts.models import AuditEvent
from vungxanh.areas import actions
from vungxanh.areas.models import Area, Organization


@pytest.fixture
def orgs(personas):
    """A health department managed by the province; a hospital it manages in commune B;
    a school managed by the commune A People's Committee."""
    province = Area.objects.get(code="56")
    b = Area.objects.get(code="22333")
    a = Area.objects.get(code="22327")
    syt = actions.do_create_organization(
        None, code="SYT", name="Sở Y tế", type="health_authority", area=a, manager=province
    )
    hospital = actions.do_create_organization(
        None, code="BV1", name="Bệnh viện 1", type="hospital", area=b, manager=syt
    )
    school = actions.do_create_organization(
        None, code="TH1", name="Trường Tiểu học 1", type="school", area=a, manager=a
    )
    return syt, hospital, school


def _codes(user):
    return set(Organization.objects.visible_to(user).values_list("code", flat=True))


@pytest.mark.django_db
def test_visibility_follows_location_and_management(personas, orgs):
    assert _codes(personas.province) == {"SYT", "BV1", "TH1", "DN-TEST"}
    # Commune A sees what is located in it (incl. the department's office) and what it manages.
    assert _codes(personas.commune_a) == {"SYT", "TH1", "DN-TEST"}
    assert _codes(personas.commune_b) == {"BV1"}
    assert _codes(personas.other_province) == set()
    # A business representative sees its own organization only.
    assert _codes(personas.business) == {"DN-TEST"}


@pytest.mark.django_db
def test_a_role_at_an_organization_reaches_what_it_manages(personas, orgs):
    from conftest import make_user
    from vungxanh.accounts.roles import Role

    syt, _, _ = orgs
    health = make_user("syt_user", Role.HEALTH, syt)
    assert _codes(health) == {"SYT", "BV1"}


@pytest.mark.django_db
def test_out_of_scope_organizations_answer_404_on_pages_and_api(personas, orgs):
    client = client_for(personas.commune_b)
    assert client.get("/to-chuc/TH1/").status_code == 404
    assert client.get("/api/v1/organizations/TH1").status_code == 404
    assert client.get("/to-chuc/BV1/").status_code == 200
    assert client.get("/api/v1/organizations/BV1").json()["managing_organization_code"] == "SYT"
    assert client.get("/to-chuc/NOPE/").status_code == 404


@pytest.mark.django_db
def test_the_list_searches_within_scope(personas, orgs):
    client = client_for(personas.province)
    body = client.get("/api/v1/organizations?q=bệnh viện").json()
    assert [o["code"] for o in body["items"]] == ["BV1"]
    body = client_for(personas.commune_b).get("/api/v1/organizations?q=Trường").json()
    assert body["count"] == 0
    page = client.get("/to-chuc/?q=Tiểu+học").content.decode()
    assert "Trường Tiểu học 1" in page and "Bệnh viện 1" not in page


@pytest.mark.django_db
def test_importing_organizations_with_a_manager_earlier_in_the_file(personas):
    data = (
        "code,name,type,area_code,managing_organization_code,managing_area_code\n"
        "PYT-568,Phòng Y tế Nha Trang,health_authority,568,,568\n"
        "TYT-X,Trạm Y tế X,health_station,22327,PYT-568,\n"
    ).encode()
    upload = io.BytesIO(data)
    upload.name = "org.csv"
    response = client_for(personas.province).post("/api/v1/organizations/import", {"file": upload})
    assert response.status_code == 201, response.content
    station = Organization.objects.get(code="TYT-X")
    assert station.managing_organization.code == "PYT-568"
    assert station.management_path == "/56/568/o.PYT-568/o.TYT-X/"
    assert AuditEvent.objects.filter(object_type="areas.organization", verb="create").count() >= 2


@pytest.mark.django_db
def test_an_organization_import_with_two_managers_or_a_foreign_area_stores_nothing(personas):
    data = (
        "code,name,type,area_code,managing_organization_code,managing_area_code\n"
        "OK-1,Đơn vị tốt,agency,22327,,22327\n"
        "BAD-1,Đơn vị hai chủ,agency,22327,OK-1,22327\n"
        "BAD-2,Đơn vị ngoài,agency,58,,58\n"
    ).encode()
    upload = io.BytesIO(data)
    upload.name = "org.csv"
    response = client_for(personas.commune_a).post("/api/v1/organizations/import", {"file": upload})
    assert response.status_code == 400
    details = response.json()["error"]["details"]
    assert [(d["row"], d["field"]) for d in details] == [
        (3, "managing_organization_code"),
        (4, "area_code"),
    ]
    assert not Organization.objects.filter(code="OK-1").exists()


@pytest.mark.django_db
def test_organization_pages_need_a_login(personas):
    from django.test import Client

    assert Client().get("/to-chuc/").status_code == 302
    assert Client().get("/api/v1/organizations").status_code == 401
