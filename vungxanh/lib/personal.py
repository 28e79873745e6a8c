"""Personal identifiers: validation and masking (no database).

ID numbers: the 12-digit citizen identity card (CCCD) or the older 9-digit identity card (CMND).
Phones: Vietnamese mobile and landline numbers, written 0xxxxxxxxx or +84xxxxxxxxx.
"""

from __future__ import annotations

import re

from django.utils.translation import gettext as _

from .tabular import CellError

# CCCD: 3-digit province code (001–096), a digit for century and sex, 2 for the year of birth,
# 6 more. CMND: 9 digits.
_CCCD = re.compile(r"^0(0[1-9]|[1-8][0-9]|9[0-6])\d{9}$")
_CMND = re.compile(r"^\d{9}$")
_PHONE = re.compile(r"^0(3|5|7|8|9)\d{8}$|^02\d{9}$")


def normalize_id_number(text: str) -> str:
    value = re.sub(r"[\s.\-]", "", text)
    if _CCCD.match(value) or _CMND.match(value):
        return value
    if len(value) == 12 and value.isdigit():
        raise CellError(_("A 12-digit CCCD starts with a province code from 001 to 096."))
    raise CellError(_("An ID number is a 12-digit CCCD or a 9-digit CMND."))


def normalize_phone(text: str) -> str:
    value = re.sub(r"[\s.\-()]", "", text)
    if value.startswith("+84"):
        value = "0" + value[3:]
    elif value.startswith("84") and len(value) == 11:
        value = "0" + value[2:]
    if not _PHONE.match(value):
        raise CellError(_("Not a Vietnamese phone number (10 digits starting with 0, or +84)."))
    return value


def mask(value: str, keep_start: int = 1, keep_end: int = 2) -> str:
    """ "0912345678" → "0*******78"."""
    if not value:
        return ""
    if len(value) <= keep_start + keep_end:
        return "*" * len(value)
    return value[:keep_start] + "*" * (len(value) - keep_start - keep_end) + value[-keep_end:]
