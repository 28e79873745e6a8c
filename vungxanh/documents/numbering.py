"""Number and symbol, place and date, as Decree 30/2020/NĐ-CP writes them.

Appendix I of the Decree (as remembered, not re-read from the text; rules/README.md confirms only
the type codes and the "7579/KH-BCĐ" shape): numbers are Arabic numerals counted from 01 each
year, "with a leading 0 for numbers below 10"; in the date, "a 0 before days below 10 and before
months 1 and 2" (so that no one can turn "tháng 1" into "tháng 11"): ngày 05 tháng 9, ngày 15 tháng
02. The place is the administrative unit where the issuing body sits, without its type word
("Khánh Hòa", "Nha Trang", "Vĩnh Hòa") unless the name is a number or a person's name.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date

# Kinds of document and their codes (Decree 30/2020, Appendix III; rules/README.md marks them [C]).
KIND_CODES = {
    "KH": "KẾ HOẠCH",
    "TTr": "TỜ TRÌNH",
    "QĐ": "QUYẾT ĐỊNH",
    "HD": "HƯỚNG DẪN",
    "BC": "BÁO CÁO",
    "TB": "THÔNG BÁO",
}

_NUMBER = re.compile(r"^\s*(?:Số:\s*)?(\d+)\s*/\s*([^\s/-]+)-(\S+?)\s*$")
_SYMBOL = re.compile(r"^[^\W_]+(?:-[^\W_]+)*$")
_TYPE_WORDS = (
    "thành phố",
    "thị trấn",
    "thị xã",
    "phường",
    "huyện",
    "quận",
    "tỉnh",
    "xã",
)


@dataclass(frozen=True)
class DocumentNumber:
    seq: int
    kind: str  # TTr, QĐ, KH...
    body: str  # the issuing body's abbreviation: SYT, UBND, BCĐ...

    def __str__(self) -> str:
        return format_number(self.seq, self.kind, self.body)


def format_number(seq: int, kind_abbrev: str, body_abbrev: str) -> str:
    """`45/TTr-SYT`; below 10 with a leading zero: `05/TTr-SYT`."""
    if seq < 1:
        raise ValueError("A document number starts at 1.")
    kind, body = _nfc(kind_abbrev).strip(), _nfc(body_abbrev).strip()
    for part in (kind, body):
        if not _SYMBOL.match(part):
            raise ValueError(f"Not a symbol: {part!r}")
    return f"{seq:02d}/{kind}-{body}"


def parse_number(text: str) -> DocumentNumber:
    """`"Số: 05/TTr-SYT"` or `"45/KH-UBND-VX"` → its parts; ValueError if it is no number."""
    found = _NUMBER.match(_nfc(text))
    if found is None:
        raise ValueError(f"Not a document number: {text!r}")
    seq, kind, body = found.groups()
    if int(seq) < 1 or not _SYMBOL.match(body):
        raise ValueError(f"Not a document number: {text!r}")
    return DocumentNumber(int(seq), kind, body)


def date_line(place: str, day: date | None) -> str:
    """`Khánh Hòa, ngày 05 tháng 9 năm 2021`. Without a day (a draft not yet signed) the
    numbers are left blank for the hand that signs, as offices print drafts."""
    where = _nfc(place).strip()
    if day is None:
        return f"{where}, ngày     tháng     năm     "
    month = f"{day.month:02d}" if day.month <= 2 else str(day.month)
    return f"{where}, ngày {day.day:02d} tháng {month} năm {day.year}"


def place_name(area_name: str) -> str:
    """The place of a date line from an administrative unit's name: "Tỉnh Khánh Hòa" →
    "Khánh Hòa", "Phường Vĩnh Hòa" → "Vĩnh Hòa", but "Phường 1" stays "Phường 1"."""
    name = _nfc(area_name).strip()
    lowered = name.lower()
    for word in _TYPE_WORDS:
        if lowered.startswith(word + " "):
            rest = name[len(word) + 1 :].strip()
            return name if not rest or rest[0].isdigit() else rest
    return name


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)
