import io

import pytest
from openpyxl import Workbook, load_workbook

from vungxanh.lib import tabular
from vungxanh.lib.tabular import Column, ImportRejected, Schema

SCHEMA = Schema(
    [
        Column("code", tabular.parse_code, aliases=("mã",)),
        Column("population", tabular.parse_non_negative_int, required=False),
        Column("day", tabular.parse_date, required=False),
    ]
)


def test_it_reads_csv_with_bom_semicolons_and_vietnamese_headers():
    data = "\ufeffMã;population;day\n22327;1.234;03/09/2021\n".encode()
    rows = tabular.read_rows(data, "x.csv", SCHEMA)
    assert rows[0]["code"] == "22327"
    assert rows[0]["population"] == 1234
    assert rows[0]["day"].isoformat() == "2021-09-03"
    assert rows[0]["_row"] == 2


def test_every_error_names_its_row_and_field():
    data = b"code,population\n22327,12\nbad code!,x\n,5\n"
    with pytest.raises(ImportRejected) as caught:
        tabular.read_rows(data, "x.csv", SCHEMA)
    found = {(e.row, e.field) for e in caught.value.errors}
    assert found == {(3, "code"), (3, "population"), (4, "code")}


def test_unknown_and_missing_columns_are_refused_at_the_header():
    with pytest.raises(ImportRejected) as caught:
        tabular.read_rows(b"population,colour\n1,red\n", "x.csv", SCHEMA)
    assert {(e.row, e.field) for e in caught.value.errors} == {(1, "colour"), (1, "code")}


def test_it_reads_xlsx_numbers_and_dates_as_text():
    book = Workbook()
    sheet = book.active
    sheet.append(["code", "population", "day"])
    import datetime

    sheet.append([22327, 1500.0, datetime.datetime(2021, 9, 3)])
    buffer = io.BytesIO()
    book.save(buffer)
    rows = tabular.read_rows(buffer.getvalue(), "x.xlsx", SCHEMA)
    assert rows[0]["code"] == "22327" and rows[0]["population"] == 1500
    assert rows[0]["day"] == datetime.date(2021, 9, 3)


def test_a_broken_workbook_and_an_unknown_format_are_refused_clearly():
    with pytest.raises(ImportRejected, match="XLSX"):
        tabular.read_rows(b"not a zip", "x.xlsx", SCHEMA)
    with pytest.raises(ImportRejected, match="CSV"):
        tabular.read_rows(b"code\n1\n", "x.pdf", SCHEMA)


def test_write_table_round_trips_through_both_formats():
    rows = [["22327", "Phường Vĩnh Hòa"]]
    csv_bytes = tabular.write_table(["code", "name"], rows, "csv")
    assert csv_bytes.decode("utf-8-sig").splitlines()[1] == "22327,Phường Vĩnh Hòa"
    book = load_workbook(io.BytesIO(tabular.write_table(["code", "name"], rows, "xlsx")))
    assert [c.value for c in book.active[2]] == ["22327", "Phường Vĩnh Hòa"]


def test_a_sheet_keeps_its_row_numbers_and_its_errors_name_it():
    book = Workbook()
    book.active.title = "Đầu"
    other = book.create_sheet("Thôn")
    for row in (["code", "population"], ["22327", 5], [], ["bad code!", "x"]):
        other.append(row)
    out = io.BytesIO()
    book.save(out)
    sheets = tabular.read_sheets(out.getvalue())
    assert list(sheets) == ["Đầu", "Thôn"]
    with pytest.raises(ImportRejected) as caught:
        tabular.read_sheet(sheets["Thôn"], SCHEMA, "Thôn")
    assert [(e.sheet, e.row, e.field) for e in caught.value.errors] == [
        ("Thôn", 4, "code"),
        ("Thôn", 4, "population"),
    ]
    assert caught.value.errors[0].as_dict()["sheet"] == "Thôn"
    assert str(caught.value.errors[0]).startswith("Thôn, ")
