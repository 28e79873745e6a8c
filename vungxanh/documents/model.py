"""An administrative document as data: the parts Decree 30/2020/NĐ-CP lays out, independent of
the file format that renders it (word.py for .docx, pdf.py for PDF)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Literal

NATIONAL_TITLE = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO = "Độc lập - Tự do - Hạnh phúc"

Align = Literal["justify", "left", "center", "right"]


@dataclass
class Paragraph:
    """A paragraph of the body; by default justified with an indented first line."""

    text: str
    bold: bool = False
    italic: bool = False
    align: Align = "justify"
    indent: bool = True


@dataclass
class Column:
    title: str
    width: float  # a share of the text width; shares are normalized
    align: Align = "left"


@dataclass
class Table:
    """A table of the body (a list of nominees...), with an optional caption above it."""

    columns: list[Column]
    rows: list[list[str]]
    caption: str = ""


Block = Paragraph | Table


@dataclass
class Signer:
    """The signature block: "TM. ỦY BAN NHÂN DÂN" / "CHỦ TỊCH" / the name. `authority` is the
    line that says on whose behalf (TM., KT., Q., TL., TUQ.), empty when the head signs as
    himself; `position` is the signer's title."""

    position: str
    name: str
    authority: str = ""

    def lines(self) -> list[str]:
        """The capitalized lines above the signature (`authority` may hold several: a deputy
        of a committee signs "TM. ỦY BAN NHÂN DÂN", "KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH")."""
        text = f"{self.authority}\n{self.position}"
        return [line.strip().upper() for line in text.splitlines() if line.strip()]


@dataclass
class OfficialDocument:
    issuer: str  # "SỞ Y TẾ", "ỦY BAN NHÂN DÂN PHƯỜNG VĨNH HÒA"
    kind_title: str  # "TỜ TRÌNH"
    summary: str  # "Về việc đề nghị ..."
    place: str  # "Khánh Hòa"
    day: date | None  # None: a draft, the date left blank
    number: str = ""  # "05/TTr-SYT"; empty for a draft: "Số:      /TTr-SYT"
    draft_symbol: str = ""  # "TTr-SYT", shown after the blank of a draft's number
    parent: str = ""  # the issuing body's managing body: "ỦY BAN NHÂN DÂN TỈNH KHÁNH HÒA"
    addressees: list[str] = field(default_factory=list)  # "Kính gửi: ..."
    body: list[Block] = field(default_factory=list)
    signer: Signer | None = None
    recipients: list[str] = field(default_factory=list)  # "Nơi nhận:"

    def number_line(self) -> str:
        if self.number:
            return f"Số: {self.number}"
        return f"Số:        /{self.draft_symbol}" if self.draft_symbol else "Số:"

    def recipient_lines(self) -> list[str]:
        """`- X;` each, the last ending with a full stop, as the Decree writes the list."""
        items = [r.strip().lstrip("-").strip().rstrip(";.") for r in self.recipients]
        items = [r for r in items if r]
        return [f"- {r}{'.' if n == len(items) - 1 else ';'}" for n, r in enumerate(items)]

    def addressee_lines(self) -> list[str]:
        """One addressee reads "Kính gửi: X."; several are listed one a line under it."""
        names = [a.strip().rstrip(";.") for a in self.addressees if a.strip()]
        if not names:
            return []
        if len(names) == 1:
            return [f"Kính gửi: {names[0]}."]
        return ["Kính gửi:", *[f"- {n};" for n in names[:-1]], f"- {names[-1]}."]
