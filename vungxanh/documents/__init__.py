"""Administrative documents in the layout of Decree 30/2020/NĐ-CP (national title and motto,
issuing body, number and symbol, place and date, kind and summary, body, signature block,
recipients), rendered as .docx and as PDF. Plain Python: no database, no Django."""

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
