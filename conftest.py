"""Shared fixtures: real areas loaded through the product's loader, and personas in different
places (healthchecks-style alice/bob/charlie) so that every endpoint gets a scope test."""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.test import Client

from vungxanh.accounts.actions import do_assign_role, do_create_user
from vungxanh.accounts.models import User
from vungxanh.accounts.roles import Role
from vungxanh.areas import actions
from vungxanh.areas.models import Area, Organization, OrganizationType
from vungxanh.areas.official import load_official_units

PASSWORD = "a-long-test-password"


@pytest.fixture(autouse=True)
def _fast_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def khanh_hoa(db) -> Area:
    """Khánh Hòa (56) with its real districts and communes, and Ninh Thuận (58) beside it."""
    load_official_units(["56", "58"])
    return Area.objects.get(code="56")


@dataclass
class Personas:
    province: User  # standing agency of Khánh Hòa
    commune_a: User  # officer of Phường Vĩnh Hòa (22327)
    commune_b: User  # officer of Phường Vĩnh Phước (22333)
    other_province: User  # officer of Ninh Thuận (58)
    business: User  # representative of a business in commune A
    nobody: User  # logged in, no role
    business_org: Organization


def make_user(username: str, role: str | None = None, place: Area | Organization | None = None):
    user = do_create_user(None, username, PASSWORD)
    if role and place is not None:
        do_assign_role(None, user, role, place)
    return user


@pytest.fixture
def personas(khanh_hoa) -> Personas:
    a = Area.objects.get(code="22327")
    b = Area.objects.get(code="22333")
    nha_trang = Area.objects.get(code="568")
    org = actions.do_create_organization(
        None,
        code="DN-TEST",
        name="Công ty Thử nghiệm",
        type=OrganizationType.BUSINESS,
        area=a,
        manager=nha_trang,
    )
    return Personas(
        province=make_user("tinh", Role.STANDING_AGENCY, khanh_hoa),
        commune_a=make_user("xa_a", Role.AREA_OFFICER, a),
        commune_b=make_user("xa_b", Role.AREA_OFFICER, b),
        other_province=make_user("ninhthuan", Role.AREA_OFFICER, Area.objects.get(code="58")),
        business=make_user("dn", Role.ORG_REPRESENTATIVE, org),
        nobody=make_user("nobody"),
        business_org=org,
    )


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """Keep each phase's report on the test item, so fixtures can tell a failure."""
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"rep_{report.when}", report)


SHOTS = Path(__file__).resolve().parent / "screenshots"


def _chromium() -> str | None:
    for candidate in (os.environ.get("CHROMIUM"), "chromium", "chromium-browser"):
        if candidate and (found := shutil.which(candidate)):
            return found
    return None


def log_in(page, base: str, username: str, next_url: str) -> None:
    """Log in through the page (after dropping any earlier session) and land on `next_url`."""
    page.context.clear_cookies()
    page.goto(f"{base}/dang-nhap/?next={next_url}")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(f"**{next_url}")


@pytest.fixture
def browser_page(request):
    """A page in headless Chromium (Debian's package, driven by Playwright).

    Without Chromium a browser test is skipped, unless VUNGXANH_REQUIRE_BROWSER=1 (CI), where a
    missing browser fails the run. A failing test saves a screenshot in screenshots/.
    Request this fixture after the ones that write data: Django connections opened inside
    Playwright's event loop are not closed with the test.
    """
    executable = _chromium()
    if executable is None:
        if os.environ.get("VUNGXANH_REQUIRE_BROWSER") == "1":
            pytest.fail("Chromium is required (VUNGXANH_REQUIRE_BROWSER=1) but was not found")
        pytest.skip("Chromium not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the ORM calls of the test body
    # are still synchronous and safe.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    SHOTS.mkdir(exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=executable,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="vi-VN")
        yield page
        if getattr(request.node, "rep_call", None) is not None and request.node.rep_call.failed:
            page.screenshot(path=str(SHOTS / f"FAILED-{request.node.name}.png"), full_page=True)
        browser.close()
        # Queries the test body made while Playwright ran opened connections of their own.
        from django.db import connections

        connections.close_all()


@pytest.fixture(autouse=True)
def _shipped_data_survives_flushes(request, django_db_blocker):
    """A transactional test ends by emptying every table, which removes the rows that data
    migrations install (rulesets, monitoring rules). Put them back before a database test."""
    uses_db = request.node.get_closest_marker("django_db") is not None or any(
        name in request.fixturenames for name in ("db", "transactional_db", "live_server")
    )
    if uses_db:
        from vungxanh.risk.models import Ruleset, RulesetVersion
        from vungxanh.risk.rules import install_shipped_rulesets
        from vungxanh.teams.models import MonitoringRule
        from vungxanh.teams.rules import install_monitoring_rules

        with django_db_blocker.unblock():
            if not RulesetVersion.objects.exists():
                install_shipped_rulesets(Ruleset, RulesetVersion)
            from vungxanh.criteria.actions import install_shipped_sets
            from vungxanh.criteria.models import CriteriaSetVersion

            if not CriteriaSetVersion.objects.exists():
                install_shipped_sets()
            from vungxanh.awards.actions import install_award_forms
            from vungxanh.awards.models import AwardForm

            if not AwardForm.objects.exists():
                install_award_forms()
            if not MonitoringRule.objects.exists():
                install_monitoring_rules(MonitoringRule)
    yield
