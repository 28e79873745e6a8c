"""The dossier's submission letter (tờ trình) and its list of nominees, as an OfficialDocument in
the layout of Decree 30/2020/NĐ-CP, and as .docx or PDF bytes for the pages and the API.

The letter is an official document in Vietnamese whatever language the reader's interface uses, so
its wording is Vietnamese here rather than a translated string.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date

from django.http import HttpResponse
from django.utils.http import content_disposition_header

from vungxanh import documents
from vungxanh.areas.models import Area, OrganizationType
from vungxanh.documents import (
    Column,
    OfficialDocument,
    Paragraph,
    Signer,
    Table,
    parse_number,
    place_name,
)
from vungxanh.documents.numbering import KIND_CODES

from .actions import StepSpec, _committee, managing_chain, route_of
from .models import Dossier, Nomination

# State bodies write their managing body above their own name; businesses and associations do not.
STATE_BODIES = {
    OrganizationType.AGENCY,
    OrganizationType.HEALTH_AUTHORITY,
    OrganizationType.HEALTH_STATION,
    OrganizationType.HOSPITAL,
    OrganizationType.SCHOOL,
    OrganizationType.POLICE,
    OrganizationType.MARKET_SURVEILLANCE,
    OrganizationType.QUARANTINE_FACILITY,
}
# The laws the letter rests on: those in force on the letter's day (rules/README.md: the 2003 law
# and Decree 91/2017 for the 2021 campaigns, replaced from 1/1/2024).
NEW_LAW_FROM = date(2024, 1, 1)
LEGAL_BASIS_2003 = [
    "Căn cứ Luật Thi đua, Khen thưởng năm 2003; Luật sửa đổi, bổ sung một số điều của Luật Thi "
    "đua, Khen thưởng năm 2005 và năm 2013;",
    "Căn cứ Nghị định số 91/2017/NĐ-CP của Chính phủ quy định chi tiết thi hành một số điều của "
    "Luật Thi đua, khen thưởng;",
]
LEGAL_BASIS_2022 = [
    "Căn cứ Luật Thi đua, khen thưởng số 06/2022/QH15;",
    "Căn cứ Nghị định số 98/2023/NĐ-CP của Chính phủ quy định chi tiết thi hành một số điều của "
    "Luật Thi đua, khen thưởng;",
]
NOMINEE_COLUMNS = [
    Column("STT", 0.8, "center"),
    Column("Tên tập thể, cá nhân", 2.2),
    Column("Đơn vị, chức vụ", 2.0),
    Column("Hình thức đề nghị", 1.8),
    Column("Tóm tắt thành tích", 3.4),
]


def submission_letter(dossier: Dossier) -> OfficialDocument:
    """The tờ trình of a dossier: numbered and dated once sent, a draft with blanks before."""
    nominations = list(dossier.nominations.select_related("nominee_area", "nominee_org"))
    first = next_level(dossier)
    addressee = _addressee(first)
    decides = first.kind != "forward" and dossier.award_form.grantor_tier != "central"
    closing = "xem xét, quyết định" if decides else "xem xét, trình cấp có thẩm quyền khen thưởng"
    body: list[Paragraph | Table] = [Paragraph(line) for line in _legal_basis(dossier)]
    if dossier.campaign is not None:
        body.append(Paragraph(_campaign_basis(dossier)))
    body += [Paragraph(p) for p in re.split(r"\n\s*\n", dossier.body.strip()) if p.strip()]
    body.append(Paragraph(_proposal(dossier, nominations, addressee)))
    body.append(nominee_table(nominations, dossier))
    body.append(Paragraph(f"{dossier.issuer_name} kính trình {addressee} {closing}./."))
    return OfficialDocument(
        parent=_parent(dossier),
        issuer=_heading(dossier.issuer_name),
        number=dossier.number,
        draft_symbol=f"TTr-{dossier.issuer_abbr}",
        place=place_name(_seat(dossier).name),
        day=dossier.submitted_on if dossier.number else None,
        kind_title="TỜ TRÌNH",
        summary=summary_line(dossier),
        addressees=[addressee],
        body=body,
        signer=_signer(dossier),
        recipients=["Như trên", "Lưu: VT"],
    )


def nominee_table(nominations: list[Nomination], dossier: Dossier) -> Table:
    """The list of nominees: STT, name, unit and position, the form proposed, the achievement."""
    rows = [
        [
            str(n),
            item.nominee_name,
            item.position or "Tập thể",
            dossier.award_form.name,
            _achievement(item),
        ]
        for n, item in enumerate(nominations, start=1)
    ]
    return Table(NOMINEE_COLUMNS, rows, caption="DANH SÁCH TẬP THỂ, CÁ NHÂN ĐỀ NGHỊ KHEN THƯỞNG")


def letter_docx(dossier: Dossier) -> bytes:
    return documents.to_docx(submission_letter(dossier))  # loads python-docx on first use


def letter_pdf(dossier: Dossier) -> bytes:
    return documents.to_pdf(submission_letter(dossier))  # loads fpdf2 on first use


def letter_filename(dossier: Dossier, extension: str) -> str:
    """`to-trinh-05-TTr-UBND.pdf`; a draft: `to-trinh-du-thao-12.pdf`."""
    stem = dossier.number.replace("/", "-") if dossier.number else f"du-thao-{dossier.pk}"
    return f"to-trinh-{stem}.{extension}"


LETTER_TYPES = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
}


def letter_response(dossier: Dossier, extension: str) -> HttpResponse:
    """The letter as a download (`docx` or `pdf`), for the page and the API alike."""
    render = letter_docx if extension == "docx" else letter_pdf
    response = HttpResponse(render(dossier), content_type=LETTER_TYPES[extension])
    filename = letter_filename(dossier, extension)
    response["Content-Disposition"] = (
        content_disposition_header(as_attachment=True, filename=filename) or "attachment"
    )
    return response


def next_level(dossier: Dossier) -> StepSpec:
    """The first step of the dossier's route: whom the letter is addressed to."""
    return route_of(dossier)[0]


def summary_line(dossier: Dossier) -> str:
    """The dossier's own summary line, or one that names the form and the campaign."""
    title = dossier.title.strip()
    if title and title != f"Về việc đề nghị tặng {dossier.award_form.name}":
        return title
    line = f"Về việc đề nghị tặng {dossier.award_form.name} cho các tập thể, cá nhân có thành tích"
    if dossier.campaign is not None:
        line += f" trong {_movement(dossier.campaign.name)}"
    return line


# Parts ------------------------------------------------------------------------------------------


def _heading(name: str) -> str:
    """A body's name as its header prints it: a committee on two lines, "ỦY BAN NHÂN DÂN" first."""
    upper = unicodedata.normalize("NFC", " ".join(name.split()).upper())
    for prefix in ("ỦY BAN NHÂN DÂN ", "UỶ BAN NHÂN DÂN "):  # both placements of the tone mark
        if upper.startswith(prefix):
            return prefix.strip() + "\n" + upper[len(prefix) :]
    return upper


def _parent(dossier: Dossier) -> str:
    org = dossier.issuer_org
    if org is None or org.type not in STATE_BODIES:
        return ""
    if org.managing_organization is not None:
        return _heading(org.managing_organization.name)
    assert org.managing_area is not None
    return _heading(_committee(org.managing_area))


def _seat(dossier: Dossier) -> Area:
    """The administrative unit whose name the date line carries: the issuer's area, or for an
    organization the area whose committee heads its management chain (a provincial department
    writes the province)."""
    if dossier.issuer_org is not None:
        return managing_chain(dossier.issuer_org)[1]
    assert dossier.issuer_area is not None
    return dossier.issuer_area


def _addressee(step: StepSpec) -> str:
    return step.organization.name if step.organization is not None else _committee(step.area)


def _signer(dossier: Dossier) -> Signer:
    """TM. ỦY BAN NHÂN DÂN / CHỦ TỊCH for a committee; a deputy signs KT. (for) the head."""
    title = " ".join(dossier.signer_title.split()).upper()
    head = title[4:] if title.startswith("PHÓ ") else ""
    authority = "TM. ỦY BAN NHÂN DÂN" if dossier.issuer_area is not None else ""
    if head:
        authority = "\n".join(a for a in (authority, f"KT. {head}") if a)
    return Signer(position=title, name=dossier.signer_name, authority=authority)


def _legal_basis(dossier: Dossier) -> list[str]:
    day = dossier.submitted_on or (dossier.phase.ends_on if dossier.phase else None)
    return LEGAL_BASIS_2022 if day and day >= NEW_LAW_FROM else LEGAL_BASIS_2003


def _campaign_basis(dossier: Dossier) -> str:
    campaign = dossier.campaign
    assert campaign is not None
    try:
        kind = KIND_CODES.get(parse_number(campaign.plan_number).kind, "văn bản")
    except ValueError:
        kind = "văn bản"
    text = (
        f"Căn cứ {kind.capitalize()} số {campaign.plan_number} ngày "
        f"{_day(campaign.plan_date)} của {campaign.plan_issuer} về việc phát động "
        f"{_movement(campaign.name)}"
    )
    if campaign.goal.strip():
        text += f" với mục tiêu {_lower_first(campaign.goal.strip().rstrip('.;'))}"
    return text + ";"


def _proposal(dossier: Dossier, nominations: list[Nomination], addressee: str) -> str:
    collectives = sum(1 for n in nominations if n.kind == Nomination.Kind.COLLECTIVE)
    individuals = len(nominations) - collectives
    whom = " và ".join(
        part
        for part in (
            f"{collectives:02d} tập thể" if collectives else "",
            f"{individuals:02d} cá nhân" if individuals else "",
        )
        if part
    )
    phase = dossier.phase
    when = (
        f" trong {_lower_first(phase.name)} (từ ngày {_day(phase.starts_on)} đến ngày "
        f"{_day(phase.ends_on)})"
        if phase is not None
        else ""
    )
    movement = f" {_movement(dossier.campaign.name)}" if dossier.campaign else " công tác"
    return (
        f"Xét thành tích đạt được{when} của các tập thể, cá nhân trong{movement}, "
        f"{dossier.issuer_name} kính trình {addressee} xem xét, đề nghị tặng "
        f"{dossier.award_form.name} cho {whom} có thành tích tiêu biểu (danh sách kèm theo):"
    )


def _achievement(item: Nomination) -> str:
    text = item.summary.strip()
    standing = item.evidence.get("standing") if isinstance(item.evidence, dict) else None
    if standing:
        points = f"{float(standing.get('total', 0)):.1f}".replace(".", ",")
        text += (
            f" Xếp thứ {standing.get('rank')} ({points} điểm) trong cụm thi đua "
            f"“{standing.get('cluster')}”"
            + (" theo kết quả sơ kết đợt." if standing.get("frozen") else ".")
        )
    return text


def _movement(name: str) -> str:
    """ "Thi đua bảo vệ “Vùng xanh”" → "phong trào thi đua bảo vệ “Vùng xanh”"."""
    words = name.strip()
    for prefix in ("phong trào thi đua ", "thi đua "):
        if words.lower().startswith(prefix):
            words = words[len(prefix) :]
            break
    return f"phong trào thi đua {words}"


def _day(day: date) -> str:
    return day.strftime("%d/%m/%Y")


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]
