"""Browser tests: the real pages in headless Chromium (Debian's package, driven by Playwright).

Without Chromium these tests are skipped, unless VUNGXANH_REQUIRE_BROWSER=1 (set by CI), where a
missing browser fails the run. Screenshots go to screenshots/ (a failing test saves one too).
"""

from __future__ import annotations

import pytest

from conftest import PASSWORD, SHOTS
from vungxanh.areas import actions
from vungxanh.areas.models import Area

pytestmark = pytest.mark.browser


@pytest.fixture
def demo_commune(personas):
    commune = Area.objects.get(code="22327")
    actions.do_create_villages(
        None, commune, [actions.VillageSpec(name=f"Tổ dân phố {n}") for n in (1, 2, 3)]
    )
    return commune


@pytest.mark.django_db(transaction=True)
def test_walk_the_tree_down_to_a_village_and_back_then_switch_language(
    live_server, demo_commune, browser_page
):
    page = browser_page
    page.goto(f"{live_server.url}/dang-nhap/")
    page.fill("input[name=username]", "xa_a")
    page.fill("input[name=password]", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
    assert "Đăng xuất" in page.content()

    page.click("nav.mainnav >> text=Địa bàn")
    page.click("text=Tỉnh Khánh Hòa")
    page.click("text=Thành phố Nha Trang")
    page.click("text=Phường Vĩnh Hòa")
    assert page.locator("h1").inner_text().startswith("Phường Vĩnh Hòa")
    assert page.locator("#add-village").is_visible()  # an officer of this commune may add
    page.screenshot(path=str(SHOTS / "commune-vi.png"), full_page=True)
    page.click("table.areas >> text=Tổ dân phố 2")
    assert page.locator("h1").inner_text().startswith("Tổ dân phố 2")
    crumbs = page.locator("nav.crumbs").inner_text()
    assert "Tỉnh Khánh Hòa" in crumbs and "Phường Vĩnh Hòa" in crumbs
    page.screenshot(path=str(SHOTS / "village-vi.png"), full_page=True)

    page.click("nav.crumbs >> text=Thành phố Nha Trang")
    assert page.locator("h1").inner_text().startswith("Thành phố Nha Trang")

    page.click("button[data-lang=en]")
    page.wait_for_selector("html[lang=en]")
    assert "Areas" in page.locator("nav.mainnav").inner_text()
    page.screenshot(path=str(SHOTS / "district-en.png"), full_page=True)

    page.set_viewport_size({"width": 390, "height": 844})
    page.click("button[data-lang=vi]")
    page.wait_for_selector("html[lang=vi]")
    page.screenshot(path=str(SHOTS / "district-vi-phone.png"), full_page=True)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390 + 1, "the page scrolls sideways on a phone"


@pytest.mark.django_db(transaction=True)
def test_a_village_form_error_shows_in_the_page(live_server, demo_commune, browser_page):
    page = browser_page
    page.goto(f"{live_server.url}/dang-nhap/?next=/dia-ban/22327/")
    page.fill("input[name=username]", "xa_a")
    page.fill("input[name=password]", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url("**/dia-ban/22327/")
    page.fill("#add-village input[name=name]", "Tổ dân phố 1")
    page.click("#add-village button[type=submit]")
    assert page.locator("#add-village .error").is_visible()
    page.screenshot(path=str(SHOTS / "village-duplicate-vi.png"), full_page=True)
