"""Sizes of Decree 30/2020/NĐ-CP, Appendix I, shared by the .docx and the PDF.

rules/README.md confirms the margins and the parts [C] and remembers the sizes [M]: Times New
Roman on A4, title lines 12–14 pt bold, body 13–14 pt, place and date in italics, "Nơi nhận" 12 pt
bold italic with an 11 pt list. Where the Decree gives a range we take one value and say which.
"""

from __future__ import annotations

PAGE_WIDTH_MM = 210.0  # A4
PAGE_HEIGHT_MM = 297.0
MARGIN_TOP_MM = 20.0  # 20–25
MARGIN_BOTTOM_MM = 20.0  # 20–25
MARGIN_LEFT_MM = 30.0  # 30–35
MARGIN_RIGHT_MM = 15.0  # 15–20
TEXT_WIDTH_MM = PAGE_WIDTH_MM - MARGIN_LEFT_MM - MARGIN_RIGHT_MM

# The header is a two-column table: the issuing body and the number on the left, the national
# title, the motto and the place and date on the right (the right one is the wider: the national
# title must fit on one line).
HEADER_LEFT_MM = 62.0
HEADER_RIGHT_MM = TEXT_WIDTH_MM - HEADER_LEFT_MM

FONT_NAME = "Times New Roman"  # what the Decree names; the .docx asks for it by name

PT_PARENT = 12.0  # the managing body: 12–13, upright, capitals
PT_ISSUER = 12.0  # the issuing body: 12–13, bold, capitals, a rule of 1/3–1/2 its length below
PT_NATIONAL_TITLE = 12.0  # 12–13, bold, capitals
PT_MOTTO = 13.0  # 13–14, bold, a rule as long as the motto below
PT_NUMBER = 13.0  # "Số: 05/TTr-SYT", 13, upright
PT_DATE = 14.0  # 13–14, italic
PT_KIND = 14.0  # "TỜ TRÌNH": 13–14, bold, capitals, centred
PT_SUMMARY = 14.0  # 13–14, bold, centred, a rule of 1/3–1/2 its length below
PT_ADDRESSEE = 14.0  # "Kính gửi: ...": 14
PT_BODY = 14.0  # 13–14
PT_TABLE = 12.0  # tables in the body: our choice, so that five columns fit
PT_SIGNER = 13.0  # "TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH": 13–14, bold, capitals
PT_SIGNER_NAME = 14.0  # 13–14, bold
PT_RECIPIENTS_HEAD = 12.0  # "Nơi nhận:" 12, bold italic
PT_RECIPIENTS = 11.0  # the list, 11, upright
PT_PAGE_NUMBER = 13.0  # 13–14, centred in the top margin, not on page 1

FIRST_LINE_INDENT_MM = 12.7  # 1–1.27 cm
PARAGRAPH_SPACING_PT = 6.0  # at least 6 pt between paragraphs
LINE_SPACING = 1.15  # single to 1.5 lines
SIGNATURE_SPACE_MM = 25.0  # room for the signature and the seal
