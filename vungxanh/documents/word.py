"""An OfficialDocument as a .docx (python-docx), in the layout of Decree 30/2020/NĐ-CP."""

from __future__ import annotations

import io
import unicodedata

from docx import Document as new_document
from docx.document import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt
from docx.table import Table as DocxTable
from docx.table import _Cell, _Row
from docx.text.paragraph import Paragraph as DocxParagraph

from . import layout as L
from .model import MOTTO, NATIONAL_TITLE, Align, OfficialDocument, Paragraph, Table
from .numbering import date_line

ALIGN = {
    "justify": WD_ALIGN_PARAGRAPH.JUSTIFY,
    "left": WD_ALIGN_PARAGRAPH.LEFT,
    "center": WD_ALIGN_PARAGRAPH.CENTER,
    "right": WD_ALIGN_PARAGRAPH.RIGHT,
}
# Average advance of Times New Roman capitals and of mixed text, in ems, to size the rules the
# Decree draws under the issuing body and the summary ("1/3 to 1/2 of the line").
# Measured on Liberation Serif 2 (metric-compatible with Times New Roman).
EM_CAPS_BOLD = 0.62
EM_TEXT_BOLD = 0.46
MOTTO_WIDTH_MM = 56.0  # "Độc lập - Tự do - Hạnh phúc" is 12.24 em: at 13 pt, 56 mm
SIGNER_SHARE = 0.55  # the signature block takes the right 55 %, "Nơi nhận" the left


def to_docx(doc: OfficialDocument) -> bytes:
    document = new_document()
    _setup(document, doc)
    _header(document, doc)
    _title(document, doc)
    for block in doc.body:
        if isinstance(block, Table):
            _table(document, block)
        else:
            _paragraph(document, block)
    if doc.body and isinstance(doc.body[-1], Paragraph):
        # the closing paragraph stays on the page of the signature
        document.paragraphs[-1].paragraph_format.keep_with_next = True
    _signature(document, doc)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _setup(document: Document, doc: OfficialDocument) -> None:
    section = document.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(L.PAGE_WIDTH_MM), Mm(L.PAGE_HEIGHT_MM)
    section.top_margin, section.bottom_margin = Mm(L.MARGIN_TOP_MM), Mm(L.MARGIN_BOTTOM_MM)
    section.left_margin, section.right_margin = Mm(L.MARGIN_LEFT_MM), Mm(L.MARGIN_RIGHT_MM)
    section.header_distance = Mm(10)
    normal = document.styles["Normal"]
    normal.font.name = L.FONT_NAME
    normal.font.size = Pt(L.PT_BODY)
    fonts = normal.element.get_or_add_rPr().get_or_add_rFonts()
    for attr in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        fonts.set(qn(attr), L.FONT_NAME)
    lang = OxmlElement("w:lang")
    lang.set(qn("w:val"), "vi-VN")
    normal.element.get_or_add_rPr().append(lang)
    normal.paragraph_format.space_before = Pt(0)
    normal.paragraph_format.space_after = Pt(0)
    # Page numbers: centred in the top margin, from page 2 on.
    section.different_first_page_header_footer = True
    number = section.header.paragraphs[0]
    number.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _field(number, "PAGE", L.PT_PAGE_NUMBER)
    props = document.core_properties
    props.title = _nfc(f"{doc.kind_title} {doc.number}".strip())
    props.subject = _nfc(doc.summary)
    props.author = _nfc(doc.issuer.replace("\n", " "))
    props.language = "vi-VN"


def _header(document: Document, doc: OfficialDocument) -> None:
    table = _layout_table(document, 2, [L.HEADER_LEFT_MM, L.HEADER_RIGHT_MM])
    left, right = table.cell(0, 0), table.cell(0, 1)
    first = True
    if doc.parent.strip():
        _cell_text(left, doc.parent.upper(), L.PT_PARENT, first=first)
        first = False
    _cell_text(left, doc.issuer.upper(), L.PT_ISSUER, bold=True, first=first)
    widest = max(len(line) for line in doc.issuer.splitlines() or [""])
    issuer_mm = min(widest * EM_CAPS_BOLD * L.PT_ISSUER * 0.3528, L.HEADER_LEFT_MM)
    _rule(left, L.HEADER_LEFT_MM, max(min(issuer_mm * 0.45, L.HEADER_LEFT_MM / 2), 8))
    _cell_text(right, NATIONAL_TITLE, L.PT_NATIONAL_TITLE, bold=True, first=True)
    _cell_text(right, MOTTO, L.PT_MOTTO, bold=True)
    _rule(right, L.HEADER_RIGHT_MM, MOTTO_WIDTH_MM)
    number, place = table.cell(1, 0), table.cell(1, 1)
    _cell_text(number, doc.number_line(), L.PT_NUMBER, first=True, before=6)
    _cell_text(place, date_line(doc.place, doc.day), L.PT_DATE, italic=True, first=True, before=6)


def _title(document: Document, doc: OfficialDocument) -> None:
    kind = _add(document, doc.kind_title.upper(), L.PT_KIND, bold=True, align="center")
    kind.paragraph_format.space_before = Pt(24)
    kind.paragraph_format.keep_with_next = True
    summary = _add(document, doc.summary, L.PT_SUMMARY, bold=True, align="center")
    summary.paragraph_format.keep_with_next = True
    line_mm = min(len(doc.summary) * EM_TEXT_BOLD * L.PT_SUMMARY * 0.3528, L.TEXT_WIDTH_MM)
    _rule(document, L.TEXT_WIDTH_MM, max(line_mm / 3, 25))
    lines = doc.addressee_lines()
    for n, line in enumerate(lines):
        single = len(lines) == 1
        p = _add(document, line, L.PT_ADDRESSEE, align="center" if single else "left")
        if not single:
            p.paragraph_format.left_indent = Mm(30 if n == 0 else 54)
        if n == 0:
            p.paragraph_format.space_before = Pt(12)
    if lines:
        document.paragraphs[-1].paragraph_format.space_after = Pt(12)


def _paragraph(document: Document, block: Paragraph) -> None:
    p = _add(
        document, block.text, L.PT_BODY, bold=block.bold, italic=block.italic, align=block.align
    )
    fmt = p.paragraph_format
    fmt.space_after = Pt(L.PARAGRAPH_SPACING_PT)
    fmt.line_spacing = L.LINE_SPACING
    if block.indent and block.align == "justify":
        fmt.first_line_indent = Mm(L.FIRST_LINE_INDENT_MM)


def _table(document: Document, block: Table) -> None:
    if block.caption:
        caption = _add(document, block.caption, L.PT_BODY, bold=True, align="center")
        caption.paragraph_format.space_after = Pt(6)
        caption.paragraph_format.keep_with_next = True
    total = sum(c.width for c in block.columns) or 1
    widths = [L.TEXT_WIDTH_MM * c.width / total for c in block.columns]
    table = document.add_table(rows=1 + len(block.rows), cols=len(block.columns))
    table.style = document.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    _fix_widths(table, widths)
    head = table.rows[0]
    _repeat_header(head)
    for cell, column in zip(head.cells, block.columns, strict=True):
        _cell_text(cell, column.title, L.PT_TABLE, bold=True, first=True, align="center")
    for row, values in zip(table.rows[1:], block.rows, strict=True):
        for cell, column, value in zip(row.cells, block.columns, values, strict=True):
            _cell_text(cell, value, L.PT_TABLE, first=True, align=column.align)
    spacer = document.add_paragraph()
    spacer.paragraph_format.space_after = Pt(6)


def _signature(document: Document, doc: OfficialDocument) -> None:
    if doc.signer is None and not doc.recipients:
        return
    share = L.TEXT_WIDTH_MM * SIGNER_SHARE
    table = _layout_table(document, 1, [L.TEXT_WIDTH_MM - share, share])
    left, right = table.cell(0, 0), table.cell(0, 1)
    if doc.recipients:
        _cell_text(
            left,
            "Nơi nhận:",
            L.PT_RECIPIENTS_HEAD,
            bold=True,
            italic=True,
            first=True,
            align="left",
        )
        for line in doc.recipient_lines():
            _cell_text(left, line, L.PT_RECIPIENTS, align="left")
    if doc.signer is not None:
        first = True
        for line in doc.signer.lines():
            _cell_text(right, line, L.PT_SIGNER, bold=True, first=first)
            first = False
        name = _cell_text(right, doc.signer.name, L.PT_SIGNER_NAME, bold=True, first=first)
        name.paragraph_format.space_before = Mm(L.SIGNATURE_SPACE_MM)
    _cant_split(table.rows[0])


# Helpers ------------------------------------------------------------------------------------------


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def _runs(p: DocxParagraph, text: str, size: float, bold: bool, italic: bool) -> None:
    """The text in runs of one format; a newline in the text is a line break."""
    for n, line in enumerate(_nfc(text).split("\n")):
        if n:
            p.add_run().add_break()
        run = p.add_run(line)
        run.font.size, run.font.bold, run.font.italic = Pt(size), bold, italic


def _add(
    document: Document,
    text: str,
    size: float,
    *,
    bold: bool = False,
    italic: bool = False,
    align: Align = "justify",
) -> DocxParagraph:
    p = document.add_paragraph()
    p.alignment = ALIGN[align]
    _runs(p, text, size, bold, italic)
    return p


def _cell_text(
    cell: _Cell,
    text: str,
    size: float,
    *,
    bold: bool = False,
    italic: bool = False,
    first: bool = False,
    align: Align = "center",
    before: float = 0,
) -> DocxParagraph:
    p = cell.paragraphs[0] if first else cell.add_paragraph()
    p.alignment = ALIGN[align]
    p.paragraph_format.space_before = Pt(before)
    _runs(p, text, size, bold, italic)
    return p


def _rule(container: Document | _Cell, width_mm: float, rule_mm: float) -> None:
    """A centred horizontal line `rule_mm` long: an empty paragraph whose top border runs
    between indents (editable in Word, no drawing object)."""
    p = container.add_paragraph()
    side = max((width_mm - rule_mm) / 2, 0)
    fmt = p.paragraph_format
    fmt.left_indent = fmt.right_indent = Mm(side)
    fmt.space_before, fmt.space_after = Pt(4), Pt(0)  # the border is drawn below space_before
    fmt.line_spacing = Pt(4)
    borders = OxmlElement("w:pBdr")
    top = OxmlElement("w:top")
    for key, value in {"w:val": "single", "w:sz": "6", "w:space": "1", "w:color": "000000"}.items():
        top.set(qn(key), value)
    borders.append(top)
    p._p.get_or_add_pPr().append(borders)


def _layout_table(document: Document, rows: int, widths: list[float]) -> DocxTable:
    """A table without borders that places parts side by side."""
    table = document.add_table(rows=rows, cols=len(widths))
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    _fix_widths(table, widths)
    return table


def _fix_widths(table: DocxTable, widths: list[float]) -> None:
    table.autofit = False
    layout = OxmlElement("w:tblLayout")
    layout.set(qn("w:type"), "fixed")
    table._tbl.tblPr.append(layout)
    for column, width in zip(table.columns, widths, strict=True):
        column.width = Mm(width)
        for cell in column.cells:
            cell.width = Mm(width)


def _repeat_header(row: _Row) -> None:
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    row._tr.get_or_add_trPr().append(header)


def _cant_split(row: _Row) -> None:
    keep = OxmlElement("w:cantSplit")
    keep.set(qn("w:val"), "true")
    row._tr.get_or_add_trPr().append(keep)


def _field(p: DocxParagraph, code: str, size: float) -> None:
    run = p.add_run()
    run.font.size = Pt(size)
    simple = OxmlElement("w:fldSimple")
    simple.set(qn("w:instr"), code)
    inner = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "2"
    inner.append(text)
    simple.append(inner)
    p._p.append(simple)
