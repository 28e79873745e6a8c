"""In headless Chromium, the whole path of issue 6: a ward registers for the campaign, the
organizer accepts it, the ward proposes itself for the provincial chairman's certificate and
sends the dossier, the district, the standing agency and the emulation office pass it on, the
chairman records the decision, and a visitor sees the award on the public list.

Screenshots: campaign-standings.png, dossier-route.png, awards-granted.png.
"""

from __future__ import annotations

from datetime import date

import pytest
from django.test import override_settings

from conftest import SHOTS, log_in, make_user
from vungxanh.accounts.roles import Role
from vungxanh.areas.models import Area
from vungxanh.awards.models import Dossier, GrantedAward
from vungxanh.emulation import actions as emulation
from vungxanh.emulation.models import Registration

pytestmark = pytest.mark.browser


@pytest.fixture
def campaign(personas):
    province = Area.objects.get(code="56")
    make_user("nt_ub", Role.AREA_OFFICER, Area.objects.get(code="568"))
    make_user("thidua", Role.EMULATION, province)
    make_user("ct_tinh", Role.CHAIRMAN, province)
    return emulation.do_create_campaign(
        None,
        province,
        code="bao-ve-vung-xanh",
        name="Thi đua bảo vệ “Vùng xanh”",
        plan_number="4458/KH-UBND",
        plan_date=date(2021, 8, 25),
        plan_issuer="Ủy ban nhân dân tỉnh",
        goal="Xanh hóa toàn bản đồ",
        target_date=date(2021, 9, 10),
        phases=[
            emulation.PhaseSpec(
                "Đợt 1", date(2021, 8, 25), date(2021, 9, 10), date(2021, 9, 10), date(2021, 9, 8)
            )
        ],
        criteria=[
            emulation.CriterionSpec("green", "Số ngày xanh", 70, "days_green"),
            emulation.CriterionSpec("model", "Mô hình hay", 30),
        ],
        clusters=["Phường, xã thành phố Nha Trang"],
    )


def _act(page, base, username, dossier, verb="accept"):
    url = f"/khen-thuong/ho-so/{dossier.pk}/"
    log_in(page, base, username, url)
    page.click(f"#act button[value={verb}]")
    page.wait_for_load_state()


@pytest.mark.django_db(transaction=True)
@override_settings(VUNGXANH_TODAY="2021-09-05")
def test_register_nominate_submit_review_decide_and_the_public_list(
    live_server, campaign, browser_page
):
    page, base = browser_page, live_server.url
    code = campaign.code
    log_in(page, base, "xa_a", f"/thi-dua/{code}/")
    page.select_option("#register select[name=unit]", "a:22327")
    page.fill("#register textarea[name=pledges]", "Xanh hóa toàn phường trước 10/9/2021")
    page.click("#register button[type=submit]")
    page.wait_for_load_state()
    registration = Registration.objects.get()
    assert registration.status == "pending"

    log_in(page, base, "thidua", f"/thi-dua/{code}/")
    page.select_option(f"li[data-registration='{registration.pk}'] select[name=cluster]", index=1)
    page.click(f"li[data-registration='{registration.pk}'] button[value='1']")
    page.wait_for_selector("tr[data-unit='22327']")
    page.screenshot(path=str(SHOTS / "campaign-standings.png"), full_page=True)

    log_in(page, base, "xa_a", "/khen-thuong/ho-so/")
    page.select_option("#new select[name=issuer]", "a:22327")
    page.fill("#new input[name=issuer_abbr]", "UBND")
    page.select_option("#new select[name=award_form]", "BK_UBND_TINH")
    page.select_option("#new select[name=campaign]", code)
    page.fill("#new input[name=signer_title]", "CHỦ TỊCH")
    page.fill("#new input[name=signer_name]", "Nguyễn Văn Phường")
    page.click("#new button[type=submit]")
    page.wait_for_url("**/khen-thuong/ho-so/*/")
    page.select_option("#nominate select[name=unit]", "a:22327")
    page.fill(
        "#nominate textarea[name=summary]",
        "Kéo giảm cấp độ dịch về xanh trong 10 ngày; Tổ COVID cộng đồng hoạt động hiệu quả.",
    )
    page.click("#nominate button[type=submit]")
    page.wait_for_selector("tr[data-nomination]")
    page.click("button[name=send]")
    page.wait_for_selector("[data-status=in_review]")
    dossier = Dossier.objects.get()
    assert dossier.number == "01/TTr-UBND"
    assert dossier.nominations.get().evidence["standing"]["rank"] == 1

    _act(page, base, "nt_ub", dossier)  # the district passes it on
    _act(page, base, "tinh", dossier)  # the standing agency
    _act(page, base, "thidua", dossier)  # the emulation office
    log_in(page, base, "ct_tinh", f"/khen-thuong/ho-so/{dossier.pk}/")
    page.screenshot(path=str(SHOTS / "dossier-route.png"), full_page=True)
    page.fill("#decide input[name=number]", "1520/QĐ-UBND")
    page.fill("#decide input[name=signer]", "Chủ tịch UBND tỉnh")
    page.click("#decide button[type=submit]")
    page.wait_for_selector("[data-status=decided]")
    assert GrantedAward.objects.get().decision.number == "1520/QĐ-UBND"

    page.context.clear_cookies()
    page.goto(f"{base}/khen-thuong/{code}/")
    row = page.locator("table.granted tbody tr").first
    assert "1520/QĐ-UBND" in row.inner_text()
    page.screenshot(path=str(SHOTS / "awards-granted.png"), full_page=True)
