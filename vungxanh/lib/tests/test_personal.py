import pytest

from vungxanh.lib.personal import mask, normalize_id_number, normalize_phone
from vungxanh.lib.tabular import CellError


@pytest.mark.parametrize("text", ["056095001234", "056 095 001 234", "225123456"])
def test_valid_cccd_and_cmnd_numbers_are_accepted(text):
    assert normalize_id_number(text) == text.replace(" ", "")


@pytest.mark.parametrize("text", ["097095001234", "12345", "05609500123A", "0560950012345"])
def test_invalid_id_numbers_are_refused(text):
    with pytest.raises(CellError):
        normalize_id_number(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("0912 345 678", "0912345678"),
        ("+84912345678", "0912345678"),
        ("02583812345", "02583812345"),
    ],
)
def test_phones_are_normalized(text, expected):
    assert normalize_phone(text) == expected


@pytest.mark.parametrize("text", ["0112345678", "091234567", "12345678901"])
def test_invalid_phones_are_refused(text):
    with pytest.raises(CellError):
        normalize_phone(text)


def test_masks_keep_only_the_ends():
    assert mask("056095001234") == "0*********34"
    assert mask("0912345678") == "0*******78"
    assert mask("") == ""
