"""The .docx opens in python-docx with every part of Decree 30/2020 where it belongs."""

from __future__ import annotations

import io

import docx
from docx.shared import Mm

from vungxanh.documents import MOTTO, NATIONAL_TITLE, OfficialDocument, Signer, to_docx

from .samples import DIACRITICS, sample_letter


def _read(data: bytes):
    return docx.Document(io.BytesIO(data))


def _cell_lines(cell) -> list[str]:
    return [line for p in cell.paragraphs for line in p.text.splitlines() if line.strip()]


def test_the_docx_has_the_header_title_body_signer_and_recipients():
    document = _read(to_docx(sample_letter()))
    header, body_table, signature = document.tables
    left, right = header.cell(0, 0), header.cell(0, 1)
    assert _cell_lines(left) == ["ỦY BAN NHÂN DÂN", "TỈNH KHÁNH HÒA", "SỞ Y TẾ"]
    assert _cell_lines(right) == [NATIONAL_TITLE, MOTTO]
    assert header.cell(1, 0).text == "Số: 05/TTr-SYT"
    assert header.cell(1, 1).text == "Khánh Hòa, ngày 05 tháng 9 năm 2021"
    texts = [p.text for p in document.paragraphs if p.text.strip()]
    assert texts[0] == "TỜ TRÌNH"
    assert texts[1].startswith("Về việc đề nghị tặng Bằng khen")
    assert texts[2] == "Kính gửi: Ủy ban nhân dân tỉnh Khánh Hòa."
    assert texts[3].startswith("Căn cứ Luật Thi đua, Khen thưởng")
    assert texts[-1].endswith("quyết định./.")
    assert [c.text for c in body_table.rows[0].cells][:2] == ["STT", "Tên tập thể, cá nhân"]
    assert len(body_table.rows) == 1 + 3 and DIACRITICS in body_table.cell(1, 4).text
    recipients, signer = signature.cell(0, 0), signature.cell(0, 1)
    assert _cell_lines(recipients) == [
        "Nơi nhận:",
        "- Như trên;",
        "- Ban Thi đua - Khen thưởng tỉnh;",
        "- Lưu: VT, NVY.",
    ]
    assert _cell_lines(signer) == ["GIÁM ĐỐC", "Trần Văn Ấn"]


def test_the_docx_uses_the_decree_s_page_fonts_and_emphasis():
    document = _read(to_docx(sample_letter()))
    section = document.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    assert round(section.left_margin.mm) == 30 and round(section.right_margin.mm) == 15
    assert Mm(20) <= section.top_margin <= Mm(25)
    assert document.styles["Normal"].font.name == "Times New Roman"
    header = document.tables[0]
    issuer = header.cell(0, 0).paragraphs[1].runs[-1]
    motto = header.cell(0, 1).paragraphs[1].runs[0]
    place = header.cell(1, 1).paragraphs[0].runs[0]
    assert issuer.bold and issuer.text == "SỞ Y TẾ"
    assert motto.bold and motto.font.size.pt == 13
    assert place.italic and place.font.size.pt == 14
    kind = next(p for p in document.paragraphs if p.text == "TỜ TRÌNH")
    assert kind.runs[0].bold and kind.alignment == 1  # centred
    head = document.tables[2].cell(0, 0).paragraphs[0].runs[0]
    assert head.bold and head.italic and head.font.size.pt == 12
    items = document.tables[2].cell(0, 0).paragraphs[1].runs[0]
    assert not items.bold and items.font.size.pt == 11
    body = next(p for p in document.paragraphs if p.text.startswith("Căn cứ"))
    assert body.runs[0].font.size.pt == 14 and body.paragraph_format.first_line_indent > 0


def test_a_draft_leaves_the_number_and_the_date_blank():
    draft = OfficialDocument(
        issuer="ỦY BAN NHÂN DÂN\nPHƯỜNG VĨNH HÒA",
        kind_title="Tờ trình",
        summary="Về việc đề nghị khen thưởng",
        place="Vĩnh Hòa",
        day=None,
        draft_symbol="TTr-UBND",
        signer=Signer(authority="TM. Ủy ban nhân dân", position="Chủ tịch", name="Lê Văn Phường"),
    )
    document = _read(to_docx(draft))
    header = document.tables[0]
    assert header.cell(1, 0).text.replace(" ", "") == "Số:/TTr-UBND"
    assert header.cell(1, 1).text.startswith("Vĩnh Hòa, ngày ")
    assert "TỜ TRÌNH" in [p.text for p in document.paragraphs]
    assert _cell_lines(document.tables[-1].cell(0, 1)) == [
        "TM. ỦY BAN NHÂN DÂN",
        "CHỦ TỊCH",
        "Lê Văn Phường",
    ]
