"""The PDF: A4, text in Vietnamese that extracts as written, the official layout on page 1.

Renders page 1 to screenshots/official-letter.png (look at it: header in two columns, centred
title, signature block on the right, "Nơi nhận" on the left in small italics)."""

from __future__ import annotations

import pypdfium2 as pdfium

from conftest import SHOTS
from vungxanh.documents import MOTTO, NATIONAL_TITLE, to_pdf

from .samples import sample_letter

A4_PT = (595.28, 841.89)


def _text(page) -> str:
    return " ".join(page.get_textpage().get_text_range().split())


def test_the_pdf_is_a4_with_the_parts_and_the_diacritics():
    letter = sample_letter(nominees=2)
    pdf = pdfium.PdfDocument(to_pdf(letter))
    page = pdf[0]
    width, height = page.get_size()
    assert abs(width - A4_PT[0]) < 1 and abs(height - A4_PT[1]) < 1
    text = " ".join(_text(p) for p in pdf)
    for part in (
        NATIONAL_TITLE,
        MOTTO,
        "SỞ Y TẾ",
        "Số: 05/TTr-SYT",
        "Khánh Hòa, ngày 05 tháng 9 năm 2021",
        "TỜ TRÌNH",
        "Kính gửi: Ủy ban nhân dân tỉnh Khánh Hòa.",
        "Tổ COVID cộng đồng phường Vĩnh Hòa hoạt động hiệu quả",
        "ưu tiên người già, trẻ nhỏ",
        "Nguyễn Thị Hồng Nhung 1",
        "Nơi nhận:",
        "- Lưu: VT, NVY.",
        "GIÁM ĐỐC",
        "Trần Văn Ấn",
    ):
        assert part in text, part


def test_page_one_renders_as_an_official_letter():
    pdf = pdfium.PdfDocument(to_pdf(sample_letter(nominees=2)))
    image = pdf[0].render(scale=150 / 72).to_pil().convert("L")
    SHOTS.mkdir(exist_ok=True)
    image.save(SHOTS / "official-letter.png")
    width, height = image.size
    ink = image.point(lambda v: 255 if v < 128 else 0)
    assert ink.getbbox() is not None  # not blank
    left, top, right, _bottom = ink.getbbox()
    # text starts at the left margin (30 mm) and stops at the right one (15 mm)
    assert abs(left / width * 210 - 30) < 3 and right / width * 210 <= 196
    assert top / height * 297 >= 19
    # the national title sits in the right column, the issuing body in the left one
    band = ink.crop((0, int(top), width, int(top + height * 0.02)))
    l_ink = band.crop((0, 0, int(width * 0.44), band.height)).getbbox()
    r_ink = band.crop((int(width * 0.46), 0, width, band.height)).getbbox()
    assert l_ink is not None and r_ink is not None
