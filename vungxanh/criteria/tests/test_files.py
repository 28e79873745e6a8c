"""Sets as files: a version exported to XLSX or JSON and imported back is a new draft version
that scores the same; a bad file is refused whole, each error naming sheet, row and field."""

from __future__ import annotations

import io
import json
from datetime import date
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from openpyxl import load_workbook

from conftest import client_for, make_user
from vungxanh.accounts.roles import Role
from vungxanh.criteria import actions, files, queries, rules
from vungxanh.criteria.models import CriteriaSet, CriteriaSetVersion
from vungxanh.criteria.tests.test_rules import answers_for, completed_2194
from vungxanh.lib.tabular import ImportRejected

EXPORTS = {"xlsx": files.export_xlsx, "json": files.export_json}


@pytest.fixture
def health(khanh_hoa):
    return make_user("yte_kh", Role.HEALTH, khanh_hoa)


def answer_sets(definition: rules.Definition) -> list[dict[str, Any]]:
    """Nothing answered, everything at its lowest, at its highest, and a mix of the two."""
    low: dict[str, Any] = {}
    high: dict[str, Any] = {}
    for c in definition.criteria:
        if c.kind == "pass_fail":
            low[c.number], high[c.number] = False, True
        elif c.kind == "choice":
            keys = [o.key for o in c.options if o.points is not None]
            low[c.number], high[c.number] = keys[0], keys[-1]
        elif c.kind == "number":
            low[c.number], high[c.number] = c.bands[0].min, c.bands[-1].min + 1
        elif c.max_points is not None:
            low[c.number], high[c.number] = 0, c.max_points
    mixed = {n: (low if i % 2 else high)[n] for i, n in enumerate(low)}
    return [{}, low, high, mixed]


def _round_trip(actor, version: CriteriaSetVersion, fmt: str) -> CriteriaSetVersion:
    data = EXPORTS[fmt](version)
    return actions.do_import_version(actor, version.criteria_set, data, f"set.{fmt}")


def _assert_same(new: CriteriaSetVersion, old: CriteriaSetVersion, answers: list[dict]) -> None:
    assert new.version > old.version and new.status == CriteriaSetVersion.Status.DRAFT
    assert new.definition == old.definition
    facts = ("decision", "decision_date", "effective_from", "provenance")
    assert [getattr(new, f) for f in facts] == [getattr(old, f) for f in facts]
    for a in answers:
        assert rules.score(new.parsed, a) == rules.score(old.parsed, a)


@pytest.mark.django_db
@pytest.mark.parametrize("fmt", ["xlsx", "json"])
@pytest.mark.parametrize("code", rules.SHIPPED)
def test_a_shipped_set_exported_and_imported_scores_the_same(health, code, fmt):
    old = queries.get_version(code)
    new = _round_trip(health, old, fmt)
    _assert_same(new, old, answer_sets(old.parsed))
    assert rules.score(new.parsed, answer_sets(old.parsed)[2]).points > 0


@pytest.mark.django_db
@pytest.mark.parametrize("fmt", ["xlsx", "json"])
def test_a_completed_2194_round_trips_with_its_bands(health, fmt):
    cset = CriteriaSet.objects.get(code="2194")
    completed = actions.do_draft_version(
        health,
        cset,
        definition=completed_2194().model_dump(mode="json"),
        decision="2194/QĐ-BCĐQG",
        decision_date=date(2020, 5, 27),
        effective_from=date(2020, 5, 27),
        provenance="Điền từ văn bản gốc",
    )
    # CS1 (120 people) gives 2 points and CS3 (an F1) 20: 22 points besides the scales.
    answers = [answers_for(p) | {"CS1": 120, "CS3": "f1"} for p in (0, 23, 24, 100, 150, 241)]
    new = _round_trip(health, completed, fmt)
    _assert_same(new, completed, answers + answer_sets(completed.parsed))
    assert [rules.score(new.parsed, a).rating for a in answers] == [
        "very_low",
        "very_low",
        "low",
        "medium",
        "high",
        "very_high",
    ]
    assert not new.parsed.publish_errors()


@pytest.mark.django_db
def test_the_workbook_has_a_sheet_per_part_with_machine_headers():
    book = load_workbook(io.BytesIO(files.export_xlsx(queries.get_version("2194"))))
    sheets = "Bộ tiêu chí|Phần|Tiêu chí|Lựa chọn|Khoảng điểm|Xếp loại|Quy tắc"
    assert "|".join(book.sheetnames) == sheets
    criteria = book["Tiêu chí"]
    assert [c.value for c in criteria[1]][:5] == ["number", "section", "text", "kind", "max_points"]
    assert criteria.freeze_panes == "A2" and criteria["A1"].font.b
    assert [c.value for c in criteria[4]][:4] == ["CS3", "A", criteria["C4"].value, "choice"]
    assert [c.value for c in book["Lựa chọn"][4]] == ["CS3", "f1", "Có F1", None]
    facts = {row[0]: row[1] for row in book["Bộ tiêu chí"].iter_rows(values_only=True)}
    assert facts["decision_date"].date() == date(2020, 5, 27)
    assert book["Bộ tiêu chí"]["B7"].number_format == "DD/MM/YYYY"


def _edited_village_workbook(edit) -> bytes:
    book = load_workbook(io.BytesIO(files.export_xlsx(queries.get_version("village"))))
    edit(book)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _errors(data: bytes, filename: str = "set.xlsx") -> set[tuple]:
    with pytest.raises(ImportRejected) as caught:
        files.import_definition(data, filename)
    return {(e.sheet, e.row, e.field) for e in caught.value.errors}


def _break_cells(book) -> None:
    book["Tiêu chí"]["D2"] = "abc"  # kind
    book["Tiêu chí"]["E3"] = "nhiều"  # max_points
    book["Xếp loại"].delete_rows(3)  # the rating "not_safe", which the rule gives otherwise


@pytest.mark.django_db
def test_a_bad_workbook_is_refused_naming_sheet_row_and_field(health):
    assert _errors(_edited_village_workbook(_break_cells)) == {
        ("Tiêu chí", 2, "kind"),
        ("Tiêu chí", 3, "max_points"),
        ("Quy tắc", 3, "rating"),
    }


@pytest.mark.django_db
def test_a_refused_sheet_does_not_make_the_rows_naming_it_wrong_too():
    book = load_workbook(io.BytesIO(files.export_xlsx(queries.get_version("2194"))))
    book["Tiêu chí"]["D2"] = "abc"  # CS1's kind; its bands and CS3's options still name it
    out = io.BytesIO()
    book.save(out)
    assert _errors(out.getvalue()) == {("Tiêu chí", 2, "kind")}


def _break_definition(book) -> None:
    book["Tiêu chí"]["D4"] = "choice"  # criterion 3, with no options
    book["Bộ tiêu chí"]["B10"] = 0  # validity_days


@pytest.mark.django_db
def test_errors_of_the_assembled_definition_go_back_to_their_rows():
    assert _errors(_edited_village_workbook(_break_definition)) == {
        ("Tiêu chí", 4, None),
        ("Bộ tiêu chí", 10, "validity_days"),
    }


def _unknown_section(book) -> None:
    book["Tiêu chí"]["B4"] = "xyz"


@pytest.mark.django_db
def test_a_criterion_in_an_unknown_section_is_refused():
    assert _errors(_edited_village_workbook(_unknown_section)) == {("Tiêu chí", 4, "section")}


def _drop_min_passed(book) -> None:
    book["Quy tắc"]["B2"] = None


@pytest.mark.django_db
def test_a_tier_without_its_threshold_is_refused():
    assert _errors(_edited_village_workbook(_drop_min_passed)) == {("Quy tắc", 2, "min_passed")}


@pytest.mark.django_db
def test_a_bad_json_file_is_refused_naming_the_field():
    document = json.loads(files.export_json(queries.get_version("1467")))
    document["definition"]["criteria"][0]["kind"] = "abc"
    document["decision_date"] = "hôm qua"
    assert _errors(json.dumps(document).encode(), "set.json") == {
        (None, None, "definition.criteria.0.kind"),
        (None, None, "decision_date"),
    }
    assert _errors(b"{not json", "set.json") == {(None, None, None)}
    assert _errors(b"a,b\n", "set.csv") == {(None, None, None)}


def _upload(data: bytes, name: str = "set.xlsx") -> dict[str, SimpleUploadedFile]:
    return {"file": SimpleUploadedFile(name, data)}


@pytest.mark.django_db
def test_the_api_imports_a_file_as_a_new_draft(health):
    data = Client().get("/api/v1/criteria/sets/village/export.xlsx").content
    response = client_for(health).post("/api/v1/criteria/sets/village/import", _upload(data))
    assert response.status_code == 201
    assert (response.json()["version"], response.json()["status"]) == (2, "draft")
    assert response.json()["definition"] == queries.get_version("village", 1).definition


@pytest.mark.django_db
def test_the_api_refuses_a_bad_file_whole_with_the_rows_in_details(health):
    data = _edited_village_workbook(_break_cells)
    response = client_for(health).post("/api/v1/criteria/sets/village/import", _upload(data))
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "import_rejected"
    assert {(d["sheet"], d["row"], d["field"]) for d in error["details"]} == {
        ("Tiêu chí", 2, "kind"),
        ("Tiêu chí", 3, "max_points"),
        ("Quy tắc", 3, "rating"),
    }
    assert CriteriaSetVersion.objects.filter(criteria_set__code="village").count() == 1


@pytest.mark.django_db
def test_exports_are_public_and_name_their_version():
    client = Client()
    response = client.get("/api/v1/criteria/sets/1467/export.json?version=1")
    assert response.status_code == 200
    assert 'filename="criteria-1467-v1.json"' in response["Content-Disposition"]
    assert response.json()["version"] == 1 and response.json()["code"] == "1467"
    response = client.get("/api/v1/criteria/sets/2194/export.xlsx")
    assert response.status_code == 200 and response["Content-Type"] == files.XLSX_TYPE
    assert client.get("/api/v1/criteria/sets/2194/export.xlsx?version=9").status_code == 404
    assert client.get("/api/v1/criteria/sets/nope/export.json").status_code == 404


@pytest.mark.django_db
def test_only_an_editor_of_criteria_imports(personas):
    village = CriteriaSet.objects.get(code="village")
    data = files.export_json(queries.get_version("village"))
    with pytest.raises(actions.CriteriaRefused) as caught:
        actions.do_import_version(personas.commune_a, village, data, "set.json")
    assert caught.value.field == "set"

    client = client_for(personas.commune_a)
    imported = client.post("/api/v1/criteria/sets/village/import", _upload(data, "set.json"))
    document = json.loads(data)
    body = {k: document[k] for k in ("definition", "decision", "decision_date", "effective_from")}
    drafted = client.post(
        "/api/v1/criteria/sets/village/versions", body, content_type="application/json"
    )
    # The same refusal as drafting a version by hand.
    assert imported.status_code == drafted.status_code
    assert imported.json()["error"]["message"] == drafted.json()["error"]["message"]
    anonymous = Client().post("/api/v1/criteria/sets/village/import", _upload(data, "set.json"))
    assert anonymous.status_code == 401
    assert CriteriaSetVersion.objects.filter(criteria_set=village).count() == 1


@pytest.mark.django_db
def test_a_file_of_another_set_is_refused(health):
    data = files.export_json(queries.get_version("village"))
    school = CriteriaSet.objects.get(code="1467")
    with pytest.raises(actions.CriteriaRefused) as caught:
        actions.do_import_version(health, school, data, "set.json")
    assert caught.value.field == "code"
    response = client_for(health).post("/api/v1/criteria/sets/1467/import", _upload(data, "x.json"))
    assert response.status_code == 400
    assert CriteriaSetVersion.objects.filter(criteria_set=school).count() == 1


def test_reading_a_file_needs_no_database():
    document = rules.shipped("village") | {"version": 1}
    imported = files.import_definition(json.dumps(document).encode(), "v.JSON")
    assert imported.code == "village" and imported.definition == rules.parse(document["definition"])


@pytest.mark.django_db
def test_the_set_page_imports_an_edited_workbook_and_shows_row_errors(health, personas):
    from openpyxl import load_workbook

    page = client_for(health)
    data = page.get("/api/v1/criteria/sets/village/export.xlsx?version=1").content
    book = load_workbook(io.BytesIO(data))
    sheet = book["Tiêu chí"]
    headers = [c.value for c in sheet[1]]
    sheet.cell(row=2, column=headers.index("text") + 1, value="Có Tổ COVID cộng đồng hoạt động")
    edited = io.BytesIO()
    book.save(edited)
    done = page.post("/tieu-chi/village/nhap/", _upload(edited.getvalue()))
    assert done.status_code == 302 and done["Location"].endswith("?v=2")
    v2 = CriteriaSetVersion.objects.get(criteria_set__code="village", version=2)
    assert (v2.status, v2.parsed.criteria[0].text) == ("draft", "Có Tổ COVID cộng đồng hoạt động")

    sheet.cell(row=3, column=headers.index("kind") + 1, value="abc")
    bad = io.BytesIO()
    book.save(bad)
    refused = page.post("/tieu-chi/village/nhap/", _upload(bad.getvalue()))
    assert refused.status_code == 400
    assert [(e.sheet, e.row, e.field) for e in refused.context["errors"]] == [
        ("Tiêu chí", 3, "kind")
    ]
    assert CriteriaSetVersion.objects.filter(criteria_set__code="village").count() == 2
    assert client_for(personas.commune_a).get("/tieu-chi/village/nhap/").status_code == 404
