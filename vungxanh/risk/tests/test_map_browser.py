"""The public risk map (/ban-do/): a plain test of the page, and the page played in headless
Chromium (Debian's package, driven by Playwright) over the demo province, without logging in.

Without Chromium the browser test is skipped, unless VUNGXANH_REQUIRE_BROWSER=1 (set by CI).
Screenshots go to screenshots/ (a failing test saves one too).
"""

from __future__ import annotations

import json
import re
import urllib.request
from datetime import date
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders

from conftest import SHOTS

# The colour names of the levels as the page shows them (Vietnamese, the default language).
COLOUR_VI = {1: "xanh", 2: "vàng", 3: "cam", 4: "đỏ"}
DATES = ["2021-08-15", "2021-09-20", "2021-10-31"]


# --- The page, without a browser ---------------------------------------------------------------


@pytest.mark.django_db
def test_the_map_page_is_public_and_uses_nothing_outside_the_site(client, khanh_hoa):
    response = client.get("/ban-do/")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<script src="/static/leaflet/leaflet.js">' in html
    assert 'href="/static/leaflet/leaflet.css"' in html
    assert 'src="/static/vungxanh/map.js"' in html
    outside = [
        url
        for url in re.findall(r"(?:https?:)?//[\w.-]+[^\s\"'<>]*", html)
        if not url.startswith(("http://testserver/", "//testserver/"))
    ]
    assert outside == [], "the page must work with no Internet: no CDN, tile server or font"
    config = json.loads(re.search(r'id="rm-config"[^>]*>(.*?)</script>', html, re.S).group(1))
    assert config["area"] == "56"
    assert 'data-target="2021-09-10"' in html
    assert "10/09/2021" in html  # the goal, dated as people read dates


@pytest.mark.django_db
def test_the_map_takes_a_province_and_a_date_and_refuses_an_unknown_area(client, khanh_hoa):
    response = client.get("/ban-do/?area=56&date=2021-09-20")
    assert response.status_code == 200
    assert '"start": "2021-09-20"' in response.content.decode()
    assert client.get("/ban-do/?date=not-a-date").status_code == 200
    assert client.get("/ban-do/?area=99999").status_code == 404


def test_the_map_script_holds_no_vietnamese_text():
    """Every word the script shows comes from the template, in the page's language."""
    path = finders.find("vungxanh/map.js")
    assert path is not None
    text = Path(path).read_text(encoding="utf-8")
    assert re.findall(r"\w*[\u00c0-\u1ef9]\w*", text) == []


# --- The page in Chromium ------------------------------------------------------------------------


OVERRIDDEN = "22342"  # Phường Xương Huân: no centroid in the demo, so a tile of the grid


@pytest.fixture
def demo_province(transactional_db):
    """The demo province, and one level set by hand over the last week of October."""
    from vungxanh.accounts.models import User
    from vungxanh.areas.models import Area, AreaGeometry
    from vungxanh.portal.demo import load_demo
    from vungxanh.risk.actions import do_set_override

    load_demo(all_provinces=False)
    # One boundary (a square around the commune's centre): drawn as a polygon, not a circle.
    commune = Area.objects.filter(parent__code="575", centroid_lat__isnull=False).order_by("code")[
        0
    ]
    lat, lon, d = commune.centroid_lat, commune.centroid_lon, 0.02
    square = [[lon - d, lat - d], [lon + d, lat - d], [lon + d, lat + d], [lon - d, lat + d]]
    AreaGeometry.objects.create(
        area=commune, geojson={"type": "Polygon", "coordinates": [[*square, square[0]]]}
    )
    do_set_override(
        User.objects.get(username="yte"),
        Area.objects.get(code=OVERRIDDEN),
        level=3,
        date_from=date(2021, 10, 25),
        date_to=date(2021, 10, 31),
        reason="Ổ dịch tại chợ, chờ kết quả xét nghiệm",
        decision_number="125/QĐ-UBND",
    )
    return {"boundary": commune.code}


def _get(base: str, path: str):
    with urllib.request.urlopen(f"{base}{path}", timeout=30) as response:  # noqa: S310 (local)
        return json.load(response)


def _dmy(iso: str) -> str:
    return f"{iso[8:10]}/{iso[5:7]}/{iso[0:4]}"


def _pct(share: float) -> str:
    return f"{share * 100:.1f}".replace(".", ",") + "%"  # Vietnamese decimal comma


def _show_date(page, dates: list[str], day: str) -> None:
    page.locator("#rm-slider").fill(str(dates.index(day)))
    page.locator("#rm-slider").blur()
    page.wait_for_function(
        "text => document.getElementById('rm-date').textContent === text", arg=_dmy(day)
    )


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_map_plays_the_campaign_and_explains_an_area(live_server, demo_province, browser_page):
    page = browser_page
    base = live_server.url
    series = _get(base, "/api/v1/risk/series?area=56")
    progress = {d["date"]: d for d in _get(base, "/api/v1/risk/progress?area=56")["days"]}
    dates = series["dates"]
    elsewhere = []
    page.on(
        "request",
        lambda r: None if r.url.startswith((base, "data:")) else elsewhere.append(r.url),
    )
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))

    page.goto(f"{base}/ban-do/")
    assert "/dang-nhap/" not in page.url  # public: no log-in asked
    page.wait_for_selector("#rm-map .rm-commune[data-level]")
    assert page.locator("#rm-date").inner_text() == _dmy(dates[-1])  # starts on the last day
    updated = page.locator("#rm-updated").inner_text()
    assert re.fullmatch(r"\d\d:\d\d \d\d/\d\d/\d{4}", updated), updated

    # Every commune is drawn: on the map, or as a tile of the grid when it has no place.
    communes = [a for a in series["areas"] if a["tier"] == "commune"]

    def series_level(code: str, i: int) -> str:
        return next(a["levels"][i] for a in communes if a["code"] == code)

    drawn = page.locator("#rm-map .rm-commune").count() + page.locator("#rm-grid .rm-tile").count()
    assert drawn == len(communes)
    boundary = page.locator(f"#rm-map .rm-commune[data-code='{demo_province['boundary']}']")
    assert boundary.get_attribute("data-shape") == "boundary"
    assert boundary.get_attribute("data-level") == series_level(demo_province["boundary"], -1)
    for a in communes:
        if a["centroid"] is None:
            assert page.locator(f"#rm-grid .rm-tile[data-code='{a['code']}']").count() == 1

    red = {}
    for day in DATES:
        _show_date(page, dates, day)
        expected = progress[day]
        share = page.locator("#rm-share-green").inner_text()
        count = page.locator("#rm-count-green").inner_text()
        assert share == _pct(expected["share_green"]), (day, share, expected)
        assert count.startswith(f"{expected['green']}/{expected['communes']} "), (day, count)
        assert page.locator("#rm-share-pop").inner_text() == _pct(
            expected["share_population_green"]
        )
        red[day] = page.locator("#rm-map .rm-commune[data-level='4']").count()
        # The legend counts the communes the map shows that day.
        i = dates.index(day)
        assert page.locator("#rm-n-1").inner_text() == str(
            sum(1 for a in communes if a["levels"][i] == "1")
        )
        page.screenshot(path=str(SHOTS / f"map-{day}.png"), full_page=True)
    assert red["2021-08-15"] > red["2021-10-31"], red

    # Click a red commune on 15/08/2021: its level, the reason, the history with its changes.
    _show_date(page, dates, "2021-08-15")
    code = page.evaluate(
        """() => {
          for (const el of document.querySelectorAll("#rm-map .rm-commune[data-level='4']")) {
            const r = el.getBoundingClientRect();
            const hit = document.elementFromPoint(r.x + r.width / 2, r.y + r.height / 2);
            if (hit === el) return el.dataset.code;
          }
          return null;
        }"""
    )
    assert code, "no red commune free to click"
    page.locator(f"#rm-map .rm-commune[data-code='{code}']").click()
    area = next(a for a in communes if a["code"] == code)
    assert page.locator("#rm-detail-name").inner_text() == area["name"]
    assert area["parent_name"] in page.locator("#rm-detail-body").inner_text()
    assert page.locator("#rm-detail-level").get_attribute("data-level") == "4"
    page.wait_for_function(
        "() => document.querySelector('#rm-explanation').textContent.includes(':')"
    )
    explanation = page.locator("#rm-explanation").inner_text()
    assert explanation.startswith(COLOUR_VI[4]), explanation
    page.wait_for_selector("#rm-changes li[data-date]")
    changes = page.locator("#rm-changes li[data-date]")
    assert changes.count() >= 1
    assert re.search(
        r"(xanh|vàng|cam|đỏ) → (xanh|vàng|cam|đỏ) .*\d\d/\d\d/\d{4}", changes.first.inner_text()
    )
    assert page.locator("#rm-history svg rect[data-level='4']").count() >= 1
    page.screenshot(path=str(SHOTS / "map-selected-commune.png"), full_page=True)

    # A level set by hand shows beside the computed one, with its decision.
    _show_date(page, dates, "2021-10-31")
    page.click(f"#rm-grid .rm-tile[data-code='{OVERRIDDEN}']")
    assert (
        page.locator(f"#rm-grid .rm-tile[data-code='{OVERRIDDEN}']").get_attribute("data-level")
        == "3"
    )
    page.wait_for_selector("#rm-detail-override .rm-override")
    assert "125/QĐ-UBND" in page.locator("#rm-detail-override").inner_text()
    assert "cam" in page.locator("#rm-detail-override").inner_text()
    computed = next(a for a in communes if a["code"] == OVERRIDDEN)
    history = _get(base, f"/api/v1/risk/areas/{OVERRIDDEN}/history")
    computed_level = next(d for d in history["levels"] if d["date"] == "2021-10-31")
    computed_name = COLOUR_VI[computed_level["computed_level"]]
    assert computed_name in page.locator("#rm-detail-computed").inner_text()
    assert computed["levels"][dates.index("2021-10-31")] == "3"
    page.screenshot(path=str(SHOTS / "map-override.png"), full_page=True)

    # Play: from the start of the campaign, some days a second; pause stops it.
    _show_date(page, dates, dates[-1])
    page.click("#rm-play")
    page.wait_for_function(
        "() => document.getElementById('rm-date').textContent.endsWith('/08/2021')"
        " && document.getElementById('rm-date').textContent !== '01/08/2021'"
    )
    page.click("#rm-play")
    assert page.locator("#rm-play").get_attribute("aria-pressed") == "false"
    paused = page.locator("#rm-date").inner_text()
    page.wait_for_timeout(400)
    assert page.locator("#rm-date").inner_text() == paused

    # A phone: the map on top, the panels below, nothing to scroll sideways.
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{base}/ban-do/?date=2021-09-20")
    page.wait_for_selector("#rm-map .rm-commune[data-level]")
    assert page.locator("#rm-date").inner_text() == "20/09/2021"
    page.screenshot(path=str(SHOTS / "map-phone.png"), full_page=True)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390 + 1, "the page scrolls sideways on a phone"
    map_box = page.locator("#rm-map").bounding_box()
    legend_box = page.locator("#rm-legend").bounding_box()
    assert map_box and legend_box and map_box["y"] < legend_box["y"]

    assert elsewhere == [], "the page asked for something outside the site"
    assert errors == []
