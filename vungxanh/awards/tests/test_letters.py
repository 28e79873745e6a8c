"""The submission letter (tờ trình) of a dossier: numbered as Decree 30/2020 writes numbers,
addressed to the next level of the route, listing the nominees; downloadable as .docx and PDF by
those who see the dossier, and 404 for the others.

Renders the first and last pages of a ward's letter to screenshots/submission-letter.png and
submission-letter-last.png."""

from __future__ import annotations

import io
from datetime import date

import docx
import pypdfium2 as pdfium
import pytest
from django.urls import reverse

from conftest import SHOTS, client_for
from vungxanh.areas import actions as areas
from vungxanh.areas.models import Area, OrganizationType
from vungxanh.awards import actions, letters
from vungxanh.awards.models import AwardForm

from .conftest import SUMMARY, commune_dossier


def _sent(people, campaign):
    dossier = commune_dossier(people, campaign)
    actions.do_nominate(
        people["commune"],
        dossier,
        kind="individual",
        nominee_name="Trần Thị Ánh Tuyết",
        position="Trưởng trạm Y tế phường Vĩnh Hòa",
        summary="Tổ chức tiêm chủng an toàn cho 12.000 người, truy vết F1 trong 24 giờ.",
    )
    actions.do_submit_dossier(people["commune"], dossier, on=date(2021, 9, 5))
    return dossier


@pytest.mark.django_db
def test_a_sent_dossier_s_letter_is_numbered_addressed_up_and_lists_its_nominees(people, campaign):
    letter = letters.submission_letter(_sent(people, campaign))
    assert letter.number == "01/TTr-UBND"
    assert letter.issuer == "ỦY BAN NHÂN DÂN\nPHƯỜNG VĨNH HÒA" and letter.parent == ""
    assert (letter.place, letter.day) == ("Vĩnh Hòa", date(2021, 9, 5))
    assert letter.kind_title == "TỜ TRÌNH"
    assert letter.summary.startswith("Về việc đề nghị tặng Bằng khen của Chủ tịch UBND tỉnh")
    # the ward's dossier goes to the city first, not straight to the province
    assert letter.addressees == ["Ủy ban nhân dân thành phố Nha Trang"]
    table = next(b for b in letter.body if isinstance(b, letters.Table))
    assert [c.title for c in table.columns] == [
        "STT",
        "Tên tập thể, cá nhân",
        "Đơn vị, chức vụ",
        "Hình thức đề nghị",
        "Tóm tắt thành tích",
    ]
    assert [row[:3] for row in table.rows] == [
        ["1", "Tổ dân phố 1, phường Vĩnh Hòa", "Tập thể"],
        ["2", "Trần Thị Ánh Tuyết", "Trưởng trạm Y tế phường Vĩnh Hòa"],
    ]
    assert table.rows[0][3] == "Bằng khen của Chủ tịch Ủy ban nhân dân tỉnh"
    assert table.rows[0][4] == SUMMARY
    texts = [b.text for b in letter.body if isinstance(b, letters.Paragraph)]
    assert any("4458/KH-UBND" in t and "phong trào thi đua bảo vệ Vùng xanh" in t for t in texts)
    assert any("01 tập thể và 01 cá nhân" in t for t in texts)
    assert letter.signer is not None
    assert letter.signer.lines() == ["TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH"]
    assert letter.recipient_lines() == ["- Như trên;", "- Lưu: VT."]


@pytest.mark.django_db
def test_a_draft_s_letter_leaves_the_number_and_date_blank(people, campaign):
    letter = letters.submission_letter(commune_dossier(people, campaign))
    assert letter.number == "" and letter.day is None
    assert letter.number_line().replace(" ", "") == "Số:/TTr-UBND"


@pytest.mark.django_db
def test_a_department_writes_its_managing_body_and_a_deputy_signs_for_the_head(people, campaign):
    province = Area.objects.get(code="56")
    department = areas.do_create_organization(
        None,
        code="SYT-56",
        name="Sở Y tế",
        type=OrganizationType.HEALTH_AUTHORITY,
        area=province,
        manager=province,
    )
    dossier = actions.do_create_dossier(
        people["standing"],
        award_form=AwardForm.objects.get(code="BK_UBND_TINH"),
        title="",
        signer_title="Phó Giám đốc",
        signer_name="Lê Văn Phó",
        issuer_abbr="syt",
        issuer_org=department,
        campaign=campaign,
    )
    actions.do_nominate(
        people["standing"],
        dossier,
        kind="individual",
        nominee_name="Phạm Ngọc Ẩn",
        position="Bác sĩ, Trung tâm Y tế thành phố Nha Trang",
        summary="Điều phối xét nghiệm diện rộng cho 400.000 người trong 7 ngày.",
    )
    actions.do_submit_dossier(people["standing"], dossier, on=date(2021, 9, 1))
    letter = letters.submission_letter(dossier)
    assert letter.number == "01/TTr-SYT"
    assert (letter.parent, letter.issuer) == ("ỦY BAN NHÂN DÂN\nTỈNH KHÁNH HÒA", "SỞ Y TẾ")
    assert letter.place == "Khánh Hòa"
    assert letter.addressees == ["Ủy ban nhân dân tỉnh Khánh Hòa"]
    assert letter.summary.endswith("trong phong trào thi đua bảo vệ Vùng xanh")
    assert letter.signer is not None
    assert letter.signer.lines() == ["KT. GIÁM ĐỐC", "PHÓ GIÁM ĐỐC"]
    assert letter.body[-1].text.endswith("xem xét, quyết định./.")


@pytest.mark.django_db
def test_the_letter_downloads_as_docx_and_pdf_with_its_filename(people, campaign):
    dossier = _sent(people, campaign)
    client = client_for(people["commune"])
    page = client.get(reverse("awards:dossier", args=[dossier.pk]))
    assert reverse("awards:letter_pdf", args=[dossier.pk]) in page.content.decode()

    response = client.get(f"/khen-thuong/ho-so/{dossier.pk}/to-trinh.docx")
    assert response.status_code == 200
    assert response["Content-Type"].endswith("wordprocessingml.document")
    assert response["Content-Disposition"] == 'attachment; filename="to-trinh-01-TTr-UBND.docx"'
    document = docx.Document(io.BytesIO(response.content))
    assert document.tables[0].cell(1, 0).text == "Số: 01/TTr-UBND"
    assert "Kính gửi: Ủy ban nhân dân thành phố Nha Trang." in [p.text for p in document.paragraphs]
    assert document.tables[1].cell(2, 1).text == "Trần Thị Ánh Tuyết"

    response = client.get(f"/khen-thuong/ho-so/{dossier.pk}/to-trinh.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="to-trinh-01-TTr-UBND.pdf"'
    pdf = pdfium.PdfDocument(response.content)
    text = " ".join(" ".join(p.get_textpage().get_text_range().split()) for p in pdf)
    for part in ("Số: 01/TTr-UBND", "Vĩnh Hòa, ngày 05 tháng 9 năm 2021", "Trần Thị Ánh Tuyết"):
        assert part in text
    SHOTS.mkdir(exist_ok=True)
    pdf[0].render(scale=150 / 72).to_pil().save(SHOTS / "submission-letter.png")
    pdf[len(pdf) - 1].render(scale=150 / 72).to_pil().save(SHOTS / "submission-letter-last.png")


@pytest.mark.django_db
def test_out_of_scope_users_get_404_on_the_letter(people, campaign, personas):
    dossier = _sent(people, campaign)
    for user in (personas.commune_b, personas.other_province, personas.nobody):
        client = client_for(user)
        for extension in ("docx", "pdf"):
            response = client.get(f"/khen-thuong/ho-so/{dossier.pk}/to-trinh.{extension}")
            assert response.status_code == 404, (user.username, extension)
    anonymous = client_for(personas.commune_b)
    anonymous.logout()
    assert anonymous.get(f"/khen-thuong/ho-so/{dossier.pk}/to-trinh.pdf").status_code == 302
    # the district that reviews it sees it
    reviewer = client_for(people["district_officer"])
    assert reviewer.get(f"/khen-thuong/ho-so/{dossier.pk}/to-trinh.docx").status_code == 200


@pytest.mark.django_db
def test_the_api_serves_the_letter_in_scope_and_404_outside(people, campaign, personas):
    dossier = _sent(people, campaign)
    url = f"/api/v1/awards/dossiers/{dossier.pk}/letter"
    own = client_for(people["commune"])
    as_docx = own.get(f"{url}.docx")
    assert as_docx.status_code == 200
    assert as_docx["Content-Disposition"] == 'attachment; filename="to-trinh-01-TTr-UBND.docx"'
    paragraphs = [p.text for p in docx.Document(io.BytesIO(as_docx.content)).paragraphs]
    assert "TỜ TRÌNH" in paragraphs
    as_pdf = own.get(f"{url}.pdf")
    assert as_pdf.status_code == 200 and as_pdf.content.startswith(b"%PDF")
    for user in (personas.commune_b, personas.other_province):
        assert client_for(user).get(f"{url}.pdf").status_code == 404
    assert client_for(personas.commune_b).get(f"{url}.docx").status_code == 404
    own.logout()
    assert own.get(f"{url}.pdf").status_code == 401
