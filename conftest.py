"""Shared fixtures: real areas loaded through the product's loader, and personas in different
places (healthchecks-style alice/bob/charlie) so that every endpoint gets a scope test."""

from __future__ import annotations

from dataclasses import dataclass

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
