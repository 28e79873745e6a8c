"""An OfficialDocument as a PDF (fpdf2), in the layout of Decree 30/2020/NĐ-CP, with Noto Serif
embedded (fonts.py says why not Times New Roman)."""

from __future__ import annotations

import unicodedata

from fpdf import FPDF, FontFace
from fpdf.enums import Align as FAlign
from fpdf.enums import MethodReturnValue, TableCellFillMode, XPos, YPos

from . import layout as L
from .fonts import FAMILY, font_files
from .model import MOTTO, NATIONAL_TITLE, Align, OfficialDocument, Paragraph, Table
from .numbering import date_line

PT_MM = 25.4 / 72
ALIGN = {"justify": "J", "left": "L", "center": "C", "right": "R"}
SIGNER_SHARE = 0.55  # the signature block takes the right 55 %, "Nơi nhận" the left
RULE_MM = 0.3


def to_pdf(doc: OfficialDocument) -> bytes:
    pdf = _Letter()
    pdf.set_title(_nfc(f"{doc.kind_title} {doc.number}".strip()))
    pdf.set_subject(_nfc(doc.summary))
    pdf.set_author(_nfc(doc.issuer.replace("\n", " ")))
    pdf.set_creator("Vùng Xanh")
    pdf.set_lang("vi-VN")
    pdf.add_page()
    _header(pdf, doc)
    _title(pdf, doc)
    closing = doc.body[-1] if doc.body and isinstance(doc.body[-1], Paragraph) else None
    for block in doc.body:
        if isinstance(block, Table):
            _table(pdf, block)
        else:
            if block is closing:
                _keep_with_signature(pdf, block, doc)
            _paragraph(pdf, block)
    _signature(pdf, doc)
    return bytes(pdf.output())


class _Letter(FPDF):
    def __init__(self) -> None:
        super().__init__(orientation="P", unit="mm", format="A4")
        self.set_margins(L.MARGIN_LEFT_MM, L.MARGIN_TOP_MM, L.MARGIN_RIGHT_MM)
        self.set_auto_page_break(True, margin=L.MARGIN_BOTTOM_MM)
        self.c_margin = 0.5
        for style, path in font_files().items():
            self.add_font(FAMILY, style, path)

    def header(self) -> None:
        """The page number, centred in the top margin, from page 2 on."""
        if self.page_no() > 1:
            self.set_font(FAMILY, "", L.PT_PAGE_NUMBER)
            self.set_xy(self.l_margin, 10)
            self.cell(L.TEXT_WIDTH_MM, _lh(L.PT_PAGE_NUMBER), str(self.page_no()), align="C")
            self.set_xy(self.l_margin, self.t_margin)

    def write_lines(
        self, text: str, x: float, w: float, size: float, style: str = "", align: str = "C"
    ) -> list[str]:
        """Text in a column at the current y, wrapped; returns the lines as laid out."""
        self.set_font(FAMILY, style, size)
        text = _nfc(text)
        lines = self.multi_cell(
            w, _lh(size), text, align=align, dry_run=True, output=MethodReturnValue.LINES
        )
        assert isinstance(lines, list)
        self.set_x(x)
        self.multi_cell(w, _lh(size), text, align=align, new_x=XPos.LEFT, new_y=YPos.NEXT)
        return lines

    def rule(self, centre: float, width: float, y: float) -> None:
        self.set_line_width(RULE_MM)
        self.line(centre - width / 2, y, centre + width / 2, y)


def _lh(size: float, factor: float = 1.25) -> float:
    return size * PT_MM * factor


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def _header(pdf: _Letter, doc: OfficialDocument) -> None:
    left, right = L.MARGIN_LEFT_MM, L.MARGIN_LEFT_MM + L.HEADER_LEFT_MM
    top = pdf.get_y()
    if doc.parent.strip():
        pdf.write_lines(doc.parent.upper(), left, L.HEADER_LEFT_MM, L.PT_PARENT)
    lines = pdf.write_lines(doc.issuer.upper(), left, L.HEADER_LEFT_MM, L.PT_ISSUER, "B")
    widest = max(pdf.get_string_width(line) for line in lines)
    rule = min(max(widest * 0.45, 8), L.HEADER_LEFT_MM / 2)  # 1/3 to 1/2 of the line
    pdf.rule(left + L.HEADER_LEFT_MM / 2, rule, pdf.get_y() + 1.2)
    left_bottom = pdf.get_y() + 1.2

    pdf.set_y(top)
    pdf.write_lines(NATIONAL_TITLE, right, L.HEADER_RIGHT_MM, L.PT_NATIONAL_TITLE, "B")
    pdf.write_lines(MOTTO, right, L.HEADER_RIGHT_MM, L.PT_MOTTO, "B")
    pdf.set_font(FAMILY, "B", L.PT_MOTTO)
    centre = right + L.HEADER_RIGHT_MM / 2
    pdf.rule(centre, pdf.get_string_width(MOTTO), pdf.get_y() + 0.5)

    y = max(left_bottom, pdf.get_y()) + 4
    pdf.set_y(y)
    pdf.write_lines(doc.number_line(), left, L.HEADER_LEFT_MM, L.PT_NUMBER)
    pdf.set_y(y)
    pdf.write_lines(date_line(doc.place, doc.day), right, L.HEADER_RIGHT_MM, L.PT_DATE, "I")


def _title(pdf: _Letter, doc: OfficialDocument) -> None:
    x, w = L.MARGIN_LEFT_MM, L.TEXT_WIDTH_MM
    pdf.set_y(pdf.get_y() + 9)
    pdf.write_lines(doc.kind_title.upper(), x, w, L.PT_KIND, "B")
    lines = pdf.write_lines(doc.summary, x + 10, w - 20, L.PT_SUMMARY, "B")
    widest = max(pdf.get_string_width(line) for line in lines)
    pdf.rule(x + w / 2, max(widest / 3, 25), pdf.get_y() + 3)
    pdf.set_y(pdf.get_y() + 8)
    addressees = doc.addressee_lines()
    if len(addressees) == 1:
        pdf.write_lines(addressees[0], x, w, L.PT_ADDRESSEE)
    elif addressees:
        pdf.set_font(FAMILY, "", L.PT_ADDRESSEE)
        head = addressees[0] + " "
        hanging = pdf.get_string_width(head)
        items = addressees[1:]
        block = hanging + max(pdf.get_string_width(i) for i in items)
        start = x + max((w - block) / 2, 0)
        pdf.set_x(start)
        pdf.cell(hanging, _lh(L.PT_ADDRESSEE), head)
        for item in items:
            pdf.write_lines(
                item, start + hanging, w - (start - x) - hanging, L.PT_ADDRESSEE, "", "L"
            )
    pdf.set_y(pdf.get_y() + 4)


def _paragraph(pdf: _Letter, block: Paragraph) -> None:
    style = ("B" if block.bold else "") + ("I" if block.italic else "")
    pdf.set_font(FAMILY, style, L.PT_BODY)
    indent = L.FIRST_LINE_INDENT_MM if block.indent and block.align == "justify" else 0
    spacing = L.PARAGRAPH_SPACING_PT * PT_MM
    with (
        pdf.text_columns(text_align=ALIGN[block.align], line_height=1.2) as column,
        column.paragraph(first_line_indent=indent, bottom_margin=spacing) as par,
    ):
        par.write(_nfc(block.text))


def _table(pdf: _Letter, block: Table) -> None:
    if block.caption:
        pdf.set_y(pdf.get_y() + 1)
        pdf.write_lines(block.caption, L.MARGIN_LEFT_MM, L.TEXT_WIDTH_MM, L.PT_BODY, "B")
        pdf.set_y(pdf.get_y() + 2)
    pdf.set_font(FAMILY, "", L.PT_TABLE)
    pdf.set_line_width(0.2)
    aligns = tuple(FAlign.coerce(ALIGN[c.align]) for c in block.columns)
    with pdf.table(
        width=L.TEXT_WIDTH_MM,
        align="LEFT",
        col_widths=tuple(c.width for c in block.columns),
        text_align=aligns,
        line_height=_lh(L.PT_TABLE, 1.2),
        padding=(1, 1.2),
        headings_style=FontFace(emphasis="BOLD", fill_color=None),
        cell_fill_mode=TableCellFillMode.NONE,
        repeat_headings=1,
    ) as table:
        head = table.row()
        for column in block.columns:
            head.cell(_nfc(column.title), align=FAlign.C)
        for values in block.rows:
            row = table.row()
            for value in values:
                row.cell(_nfc(value))
    pdf.set_y(pdf.get_y() + 4)


def _signature_height(doc: OfficialDocument) -> float:
    signer = (
        (len(doc.signer.lines()) * _lh(L.PT_SIGNER) + L.SIGNATURE_SPACE_MM + _lh(L.PT_SIGNER_NAME))
        if doc.signer
        else 0
    )
    recipients = _lh(L.PT_RECIPIENTS_HEAD) + len(doc.recipients) * _lh(L.PT_RECIPIENTS) * 1.5
    return max(signer, recipients) + 2 if doc.signer or doc.recipients else 0


def _keep_with_signature(pdf: _Letter, block: Paragraph, doc: OfficialDocument) -> None:
    """The closing paragraph goes to the next page with the signature rather than leave the
    signature alone on a page."""
    pdf.set_font(FAMILY, "", L.PT_BODY)
    lines = pdf.multi_cell(
        L.TEXT_WIDTH_MM - L.FIRST_LINE_INDENT_MM,
        _lh(L.PT_BODY, 1.2),
        _nfc(block.text),
        dry_run=True,
        output=MethodReturnValue.LINES,
    )
    assert isinstance(lines, list)
    height = len(lines) * _lh(L.PT_BODY, 1.2) + L.PARAGRAPH_SPACING_PT * PT_MM
    if pdf.get_y() + height + _signature_height(doc) > L.PAGE_HEIGHT_MM - L.MARGIN_BOTTOM_MM:
        pdf.add_page()


def _signature(pdf: _Letter, doc: OfficialDocument) -> None:
    if doc.signer is None and not doc.recipients:
        return
    recipients = doc.recipient_lines()
    y = pdf.get_y()
    if y + _signature_height(doc) > L.PAGE_HEIGHT_MM - L.MARGIN_BOTTOM_MM:
        pdf.add_page()
        y = pdf.get_y()
    share = L.TEXT_WIDTH_MM * SIGNER_SHARE
    left_w = L.TEXT_WIDTH_MM - share
    if recipients:
        pdf.set_y(y + 1)
        pdf.write_lines("Nơi nhận:", L.MARGIN_LEFT_MM, left_w, L.PT_RECIPIENTS_HEAD, "BI", "L")
        for line in recipients:
            pdf.write_lines(line, L.MARGIN_LEFT_MM, left_w - 4, L.PT_RECIPIENTS, "", "L")
    if doc.signer is not None:
        x = L.MARGIN_LEFT_MM + left_w
        pdf.set_y(y)
        for line in doc.signer.lines():
            pdf.write_lines(line, x, share, L.PT_SIGNER, "B")
        pdf.set_y(pdf.get_y() + L.SIGNATURE_SPACE_MM)
        pdf.write_lines(doc.signer.name, x, share, L.PT_SIGNER_NAME, "B")


__all__ = ["Align", "to_pdf"]
