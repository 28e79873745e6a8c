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


def _left_of(page, text: str) -> tuple[float, float]:
    """Where `text` starts on the page, as shares of the width and of the height from the top."""
    textpage = page.get_textpage()
    searcher = textpage.search(text)
    found = searcher.get_next()
    assert found is not None, text
    left, _bottom, _right, top = textpage.get_charbox(found[0])
    width, height = page.get_size()
    return left / width, 1 - top / height


def test_page_one_renders_as_an_official_letter():
    pdf = pdfium.PdfDocument(to_pdf(sample_letter(nominees=1)))
    assert len(pdf) == 1
    page = pdf[0]
    image = page.render(scale=150 / 72).to_pil().convert("L")
    SHOTS.mkdir(exist_ok=True)
    image.save(SHOTS / "official-letter.png")
    width, height = image.size
    ink = image.point(lambda v: 255 if v < 128 else 0)
    assert ink.getbbox() is not None  # not blank
    left, top, right, _bottom = ink.getbbox()
    # text starts at the left margin (30 mm) and stops at the right one (15 mm)
    assert abs(left / width * 210 - 30) < 3 and right / width * 210 <= 196
    assert top / height * 297 >= 19
    # the issuing body on the left, the national title on the right, on the same band
    issuer, title = _left_of(page, "SỞ Y TẾ"), _left_of(page, NATIONAL_TITLE)
    assert issuer[0] < 0.4 < title[0] and issuer[1] > title[1]
    # the kind title centred, under the header
    kind = _left_of(page, "TỜ TRÌNH")
    assert 0.45 < kind[0] < 0.55 and kind[1] > issuer[1] + 0.05
    # "Nơi nhận" on the left and the signature block on the right, at the foot of the letter
    recipients, signer = _left_of(page, "Nơi nhận:"), _left_of(page, "GIÁM ĐỐC")
    assert recipients[0] < 0.2 and signer[0] > 0.5
    assert abs(recipients[1] - signer[1]) < 0.02 and signer[1] > kind[1]
