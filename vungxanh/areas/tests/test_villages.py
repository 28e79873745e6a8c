import io
import json

import pytest
from openpyxl import Workbook

from conftest import client_for
from vungxanh.accounts.models import AuditEvent
from vungxanh.areas.models import Area


def _post_village(client, commune_code, **body):
    return client.post(
        f"/api/v1/areas/{commune_code}/children",
        data=json.dumps({"name": "Tổ dân phố Mới", **body}),
        content_type="application/json",
    )


@pytest.mark.django_db
def test_an_officer_of_another_commune_gets_404_and_nothing_is_stored(personas):
    before = Area.objects.count()
    audits = AuditEvent.objects.count()
    response = _post_village(client_for(personas.commune_b), "22327")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
    assert Area.objects.count() == before
    assert AuditEvent.objects.count() == audits


@pytest.mark.django_db
def test_an_officer_of_the_commune_creates_a_village_and_an_audit_row(personas):
    response = _post_village(client_for(personas.commune_a), "22327", population=850)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["parent_code"] == "22327"
    assert body["type"] == "to_dan_pho"  # a ward's villages are residential groups
    village = Area.objects.get(code=body["code"])
    assert village.path == "/56/568/22327/" + village.code + "/"
    event = AuditEvent.objects.get(object_type="areas.area", object_id=str(village.pk))
    assert event.actor == personas.commune_a and event.verb == "create"
    assert event.after["name"] == "Tổ dân phố Mới" and event.before is None


@pytest.mark.django_db
def test_province_and_city_roles_reach_their_whole_subtree_but_not_beyond(personas):
    assert _post_village(client_for(personas.province), "22333").status_code == 201
    assert _post_village(client_for(personas.other_province), "22333").status_code == 404
    # Roles without the permission to manage areas are refused the same way.
    assert _post_village(client_for(personas.business), "22327").status_code == 404


@pytest.mark.django_db
def test_anonymous_callers_get_401_and_a_village_needs_a_commune_parent(personas):
    assert _post_village(__import__("django.test").test.Client(), "22327").status_code == 401
    response = _post_village(client_for(personas.province), "568")
    assert response.status_code == 400
    assert "parent" in response.json()["error"]["message"]


@pytest.mark.django_db
def test_a_duplicate_village_name_is_refused(personas):
    client = client_for(personas.commune_a)
    assert _post_village(client, "22327").status_code == 201
    response = _post_village(client, "22327")
    assert response.status_code == 400
    assert response.json()["error"]["message"].startswith("name")


@pytest.mark.django_db
def test_the_page_form_is_scoped_like_the_api(personas):
    url = "/dia-ban/22327/them-thon/"
    assert client_for(personas.commune_b).post(url, {"name": "Thôn Lạ"}).status_code == 404
    response = client_for(personas.commune_a).post(url, {"name": "Thôn Lạ"})
    assert response.status_code == 302
    assert Area.objects.filter(parent__code="22327", name="Thôn Lạ").exists()


VILLAGES_CSV = (
    "commune_code,name,type,population\n"
    "22327,Tổ dân phố 1,to_dan_pho,900\n"
    "22327,Tổ dân phố 2,,\n"
    "22327,Tổ dân phố 3,nhà,abc\n"
    "22327,Tổ dân phố 4,,\n"
)


@pytest.mark.django_db
def test_a_csv_with_one_bad_row_is_refused_naming_row_and_field_and_stores_nothing(personas):
    before = Area.objects.count()
    client = client_for(personas.commune_a)
    response = client.post(
        "/api/v1/areas/import/villages",
        {"file": io.BytesIO(VILLAGES_CSV.encode()) | _named("thon.csv")},
    )
    assert response.status_code == 400
    errors = response.json()["error"]["details"]
    assert {(e["row"], e["field"]) for e in errors} == {(4, "type"), (4, "population")}
    assert Area.objects.count() == before


@pytest.mark.django_db
def test_the_import_page_lists_errors_and_stores_nothing(personas):
    before = Area.objects.count()
    client = client_for(personas.commune_a)
    upload = _named("thon.csv", io.BytesIO(VILLAGES_CSV.encode()))
    response = client.post("/dia-ban/nhap/", {"kind": "villages", "file": upload})
    assert response.status_code == 400
    page = response.content.decode()
    assert "<td>4</td><td>type</td>" in page
    assert Area.objects.count() == before


@pytest.mark.django_db
def test_an_xlsx_of_villages_imports_whole_with_audit_rows(personas):
    book = Workbook()
    sheet = book.active
    sheet.append(["Mã xã", "Tên", "Dân số"])
    sheet.append([22327, "Tổ dân phố 10", 700])
    sheet.append([22327, "Tổ dân phố 11", None])
    buffer = io.BytesIO()
    book.save(buffer)
    buffer.seek(0)
    buffer.name = "thon.xlsx"
    response = client_for(personas.commune_a).post(
        "/api/v1/areas/import/villages", {"file": buffer}
    )
    assert response.status_code == 201, response.content
    codes = response.json()["codes"]
    assert len(codes) == 2
    assert Area.objects.get(name="Tổ dân phố 10").population == 700
    assert AuditEvent.objects.filter(verb="create", object_type="areas.area").count() == 2


@pytest.mark.django_db
def test_an_import_naming_a_commune_outside_the_scope_stores_nothing(personas):
    data = "commune_code,name\n22327,Tổ A\n22333,Tổ B\n".encode()
    upload = _named("thon.csv", io.BytesIO(data))
    response = client_for(personas.commune_a).post(
        "/api/v1/areas/import/villages", {"file": upload}
    )
    assert response.status_code == 400
    assert response.json()["error"]["details"] == [
        {
            "row": 3,
            "field": "commune_code",
            "message": "Không có xã này trong phạm vi quản lý của bạn.",
        }
    ]
    assert not Area.objects.filter(name__in=["Tổ A", "Tổ B"]).exists()


@pytest.mark.django_db
def test_repeated_names_and_codes_in_one_file_are_refused(personas):
    data = "commune_code,name,code\n22327,Tổ A,T1\n22327,Tổ A,T1\n".encode()
    response = client_for(personas.commune_a).post(
        "/api/v1/areas/import/villages", {"file": _named("t.csv", io.BytesIO(data))}
    )
    assert {(e["row"], e["field"]) for e in response.json()["error"]["details"]} == {
        (3, "name"),
        (3, "code"),
    }


def _named(name, buffer=None):
    if buffer is None:
        return _Namer(name)
    buffer.name = name
    return buffer


class _Namer:
    def __init__(self, name):
        self.name = name

    def __ror__(self, buffer):
        buffer.name = self.name
        return buffer
