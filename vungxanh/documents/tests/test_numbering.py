"""Numbers, dates and places as Decree 30/2020/NĐ-CP writes them."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from vungxanh.documents import DocumentNumber, date_line, format_number, parse_number, place_name


def test_numbers_below_ten_get_a_leading_zero():
    assert format_number(5, "TTr", "SYT") == "05/TTr-SYT"
    assert format_number(45, "TTr", "SYT") == "45/TTr-SYT"
    assert format_number(7579, "KH", "BCĐ") == "7579/KH-BCĐ"
    assert format_number(1, "QĐ", "UBND-VX") == "01/QĐ-UBND-VX"


def test_a_number_must_be_positive_and_symbols_plain():
    with pytest.raises(ValueError):
        format_number(0, "TTr", "SYT")
    with pytest.raises(ValueError):
        format_number(3, "TTr", "S YT")


def test_it_parses_numbers_with_or_without_the_word_so():
    assert parse_number("Số: 05/TTr-SYT") == DocumentNumber(5, "TTr", "SYT")
    assert parse_number("4458/KH-UBND") == DocumentNumber(4458, "KH", "UBND")
    assert parse_number("12/QĐ-UBND-VX").body == "UBND-VX"
    for bad in ("", "TTr-SYT", "0/TTr-SYT", "5/TTr", "abc/TTr-SYT"):
        with pytest.raises(ValueError):
            parse_number(bad)


@given(
    st.integers(min_value=1, max_value=99999),
    st.sampled_from(["TTr", "QĐ", "KH", "BC"]),
    st.sampled_from(["SYT", "UBND", "BCĐ", "UBND-VX"]),
)
def test_format_and_parse_are_inverse(seq, kind, body):
    assert parse_number(format_number(seq, kind, body)) == DocumentNumber(seq, kind, body)


def test_days_below_ten_and_months_one_and_two_get_a_leading_zero():
    assert date_line("Khánh Hòa", date(2021, 9, 5)) == "Khánh Hòa, ngày 05 tháng 9 năm 2021"
    assert date_line("Nha Trang", date(2021, 12, 20)) == "Nha Trang, ngày 20 tháng 12 năm 2021"
    assert date_line("Vĩnh Hòa", date(2022, 1, 15)) == "Vĩnh Hòa, ngày 15 tháng 01 năm 2022"
    assert date_line("Vĩnh Hòa", date(2022, 2, 3)) == "Vĩnh Hòa, ngày 03 tháng 02 năm 2022"
    assert date_line("Khánh Hòa", None).startswith("Khánh Hòa, ngày ")


def test_the_place_is_the_unit_without_its_type_word_unless_it_is_a_number():
    assert place_name("Tỉnh Khánh Hòa") == "Khánh Hòa"
    assert place_name("Thành phố Nha Trang") == "Nha Trang"
    assert place_name("Phường Vĩnh Hòa") == "Vĩnh Hòa"
    assert place_name("Thị trấn Vạn Giã") == "Vạn Giã"
    assert place_name("Phường 1") == "Phường 1"
