"""Administrative documents in the layout of Decree 30/2020/NĐ-CP (national title and motto,
issuing body, number and symbol, place and date, kind and summary, body, signature block,
recipients), rendered as .docx and as PDF. Plain Python: no database, no Django."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .model import (
    MOTTO,
    NATIONAL_TITLE,
    Column,
    OfficialDocument,
    Paragraph,
    Signer,
    Table,
)
from .numbering import DocumentNumber, date_line, format_number, parse_number, place_name

if TYPE_CHECKING:
    from .pdf import to_pdf
    from .word import to_docx

__all__ = [
    "MOTTO",
    "NATIONAL_TITLE",
    "Column",
    "DocumentNumber",
    "OfficialDocument",
    "Paragraph",
    "Signer",
    "Table",
    "date_line",
    "format_number",
    "parse_number",
    "place_name",
    "to_docx",
    "to_pdf",
]


def __getattr__(name: str) -> Any:
    """The renderers load fpdf2 and python-docx (most of a second) only when first used, so that
    code needing only numbers and dates (awards.actions) does not pay for them at start-up."""
    if name == "to_pdf":
        from .pdf import to_pdf

        return to_pdf
    if name == "to_docx":
        from .word import to_docx

        return to_docx
    raise AttributeError(name)
