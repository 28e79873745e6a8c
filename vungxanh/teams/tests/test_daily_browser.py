"""The daily list on a phone (390×844), in headless Chromium: a team leader checks three people,
one with a problem. Also the officer's pages of the register, seen on a desktop.

Screenshots go to screenshots/ (daily-before.png, daily-problem.png, daily-after.png, …).
Selectors use names and data attributes, not words, so the tests hold in either language.
"""

from __future__ import annotations

from datetime import date

import pytest
from django.test import override_settings

from conftest import SHOTS, log_in, make_user
from vungxanh.accounts.roles import Role
from vungxanh.areas.actions import VillageSpec, do_create_village
from vungxanh.areas.models import Area
from vungxanh.teams import actions
from vungxanh.teams.models import Check, FoundingDeadline, RegisterEntry

pytestmark = pytest.mark.browser
PHONE = {"width": 390, "height": 844}
PEOPLE = [
    ("Nguyễn Văn An", "056095001234", "f1"),
    ("Trần Thị Bình", "056190002222", "returnee"),
    ("Lê Văn Cường", "056080003333", "home_quarantine"),
]


@pytest.fixture
def village_with_people(personas):
    village = do_create_village(None, Area.objects.get(code="22327"), VillageSpec("Tổ dân phố 1"))
    FoundingDeadline.objects.create(area=Area.objects.get(code="56"), deadline=date(2021, 8, 10))
    actions.do_found_team(
        None,
        village,
        name="Tổ tự quản Tổ dân phố 1",
        founded_on=date(2021, 8, 5),
        members=[actions.MemberSpec("Võ Thị Hoa", "leader", "0905123456")],
    )
    for n, (name, id_number, category) in enumerate(PEOPLE):
        actions.do_register(
            None,
            village,
            actions.PersonSpec(
                full_name=name, birth_year=1980 + n, id_number=id_number, phone=f"09051110{n}0"
            ),
            category=category,
            start_date=date(2021, 8, 8 + n),
        )
    make_user("totruong", Role.TEAM_LEADER, village)
    return village


def _no_sideways_scroll(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"] + 1, f"the page scrolls sideways on a phone ({width}px)"


def _card(page, name: str):
    return page.locator("article.person", has_text=name)


@pytest.mark.django_db(transaction=True)
@override_settings(VUNGXANH_TODAY="2021-08-15")
def test_a_team_leader_checks_three_people_on_a_phone(
    live_server,
    village_with_people,
    browser_page,
):
    page = browser_page
    page.set_viewport_size(PHONE)
    daily = f"/to-tu-quan/{village_with_people.code}/hom-nay/"
    log_in(page, live_server.url, "totruong", daily)

    progress = page.locator("#progress")
    assert (progress.get_attribute("data-done"), progress.get_attribute("data-total")) == (
        "0",
        "3",
    )
    assert page.locator("article.person").count() == 3
    assert "tel:" not in page.content()
    for button in page.locator("button[name=result][value=ok], summary.button").all():
        assert button.bounding_box()["height"] >= 44, "a button is too small for a thumb"
    _no_sideways_scroll(page)
    page.screenshot(path=str(SHOTS / "daily-before.png"), full_page=True)

    for name in ("Nguyễn Văn An", "Trần Thị Bình"):
        _card(page, name).locator("button[name=result][value=ok]").click()
        page.wait_for_load_state()
        assert _card(page, name).get_attribute("data-checked") == "1"

    third = _card(page, "Lê Văn Cường")
    third.locator("summary").click()
    third.locator("input[name=temperature]").fill("38.5")
    third.locator("input[name=symptoms][value=ho]").check()
    _no_sideways_scroll(page)
    third.scroll_into_view_if_needed()
    page.screenshot(path=str(SHOTS / "daily-problem.png"), full_page=False)
    third.locator("button[name=result][value=problem]").click()
    page.wait_for_load_state()

    progress = page.locator("#progress")
    assert (progress.get_attribute("data-done"), progress.get_attribute("data-total")) == (
        "3",
        "3",
    )
    assert "3/3" in progress.inner_text()
    third = _card(page, "Lê Văn Cường")
    assert third.get_attribute("data-escalation") == "referred"
    assert "38,5" in third.inner_text() or "38.5" in third.inner_text()
    assert page.locator("article.person[data-checked='1']").count() == 3
    _no_sideways_scroll(page)
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=str(SHOTS / "daily-after.png"), full_page=True)

    problem = Check.objects.get(entry__person__full_name="Lê Văn Cường")
    assert (str(problem.temperature), problem.symptoms, problem.date) == (
        "38.5",
        "ho",
        date(2021, 8, 15),
    )
    assert Check.objects.filter(date=date(2021, 8, 15)).count() == 3


@pytest.mark.django_db(transaction=True)
@override_settings(VUNGXANH_TODAY="2021-08-15")
def test_an_officer_s_register_record_and_coverage_pages(
    live_server,
    village_with_people,
    browser_page,
):
    page = browser_page
    log_in(page, live_server.url, "xa_a", "/so-theo-doi/22327/")
    assert page.locator("table.register tbody tr").count() == 3
    assert "056095001234" not in page.content()
    page.screenshot(path=str(SHOTS / "register-list.png"), full_page=True)

    # No purpose: the browser refuses to send the form (the server would refuse it too).
    page.click("a[href='#export']")
    page.click("#export button[type=submit]")
    assert not page.locator("#export input[name=purpose]").evaluate("e => e.validity.valid")
    assert page.url.endswith("/so-theo-doi/22327/#export")

    # A second registration of an ID number already followed: the refusal stands by the field.
    page.click("a[href='#register']")
    form = page.locator("#register form")
    form.locator("input[name=full_name]").fill("Nguyễn Văn An")
    form.locator("input[name=id_number]").fill("056095001234")
    form.locator("select[name=category]").select_option("returnee")
    form.locator("input[name=start_date]").fill("15/08/2021")
    form.locator("button[type=submit]").click()
    page.wait_for_load_state()
    assert "Tổ dân phố 1, Phường Vĩnh Hòa" in page.locator("#register .error").inner_text()
    assert RegisterEntry.objects.count() == 3
    page.locator("#register").screenshot(path=str(SHOTS / "register-duplicate.png"))

    page.click("table.register >> text=Lê Văn Cường")
    page.screenshot(path=str(SHOTS / "record-purpose.png"), full_page=True)
    page.locator(".purpose-choices button").first.click()
    assert "056080003333" in page.content()
    page.locator("#escalation button[name=to][value=referred]").click()
    page.wait_for_load_state()
    entry = RegisterEntry.objects.get(person__full_name="Lê Văn Cường")
    assert entry.escalation == "referred"
    page.screenshot(path=str(SHOTS / "record.png"), full_page=True)

    page.goto(f"{live_server.url}/to-tu-quan/22327/")
    page.screenshot(path=str(SHOTS / "teams-commune.png"), full_page=True)
    page.goto(f"{live_server.url}/so-theo-doi/22327/tong-hop/")
    assert page.locator(".stat[data-key=open] b").inner_text() == "3"
    page.screenshot(path=str(SHOTS / "register-dashboard.png"), full_page=True)
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/so-theo-doi/22327/")
    _no_sideways_scroll(page)
    page.screenshot(path=str(SHOTS / "register-list-phone.png"), full_page=True)

    # The province's standing agency: counts and coverage, no names.
    page.context.clear_cookies()
    page.set_viewport_size({"width": 1280, "height": 900})
    log_in(page, live_server.url, "tinh", "/to-tu-quan/568/")
    assert "Phường Vĩnh Hòa" in page.locator("table").first.inner_text()
    page.screenshot(path=str(SHOTS / "teams-district.png"), full_page=True)
    page.goto(f"{live_server.url}/so-theo-doi/56/tong-hop/")
    assert page.locator(".stat[data-key=open] b").inner_text() == "3"
    assert "Lê Văn Cường" not in page.content()
    page.screenshot(path=str(SHOTS / "register-dashboard-province.png"), full_page=True)
