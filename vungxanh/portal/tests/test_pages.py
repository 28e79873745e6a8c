import pytest
from django.core.management import call_command
from django.test import Client

from vungxanh.accounts.models import Assignment, User
from vungxanh.areas.models import Area, Tier


@pytest.mark.django_db
def test_pages_speak_vietnamese_by_default_and_english_on_request(khanh_hoa):
    client = Client()
    page = client.get("/dia-ban/56/").content.decode()
    assert 'lang="vi"' in page and "Địa bàn" in page and "Đăng nhập" in page
    client.post("/i18n/setlang/", {"language": "en", "next": "/dia-ban/56/"})
    page = client.get("/dia-ban/56/").content.decode()
    assert 'lang="en"' in page and "Areas" in page and "Log in" in page


@pytest.mark.django_db
def test_every_interface_string_has_a_vietnamese_translation():
    import polib
    from django.conf import settings

    catalogue = polib.pofile(str(settings.LOCALE_PATHS[0] / "vi/LC_MESSAGES/django.po"))
    missing = [e.msgid for e in catalogue.untranslated_entries() + catalogue.fuzzy_entries()]
    assert missing == []


@pytest.mark.django_db
def test_the_area_page_shows_estimates_as_estimates(khanh_hoa):
    page = Client().get("/dia-ban/568/").content.decode()
    assert "ước tính" in page.lower() or "estimate" in page.lower()
    assert "Phường Vĩnh Hòa" in page


@pytest.mark.django_db
def test_an_unknown_area_page_is_404():
    assert Client().get("/dia-ban/00000/").status_code == 404


@pytest.mark.django_db
def test_dates_print_as_dd_mm_yyyy_in_both_languages():
    import datetime

    from django.utils import formats, translation

    for language in ("vi", "en"):
        with translation.override(language):
            assert (
                formats.date_format(datetime.date(2021, 9, 3), "SHORT_DATE_FORMAT") == "03/09/2021"
            )


@pytest.mark.django_db
def test_load_demo_is_idempotent_and_creates_every_demo_log_in(settings):
    call_command("load_demo", "--only-demo-province", "--force")
    counts = (Area.objects.count(), Assignment.objects.count(), User.objects.count())
    call_command("load_demo", "--only-demo-province", "--force")
    assert (Area.objects.count(), Assignment.objects.count(), User.objects.count()) == counts
    for username in [
        "tinh",
        "nhatrang",
        "vinhhoa",
        "vinhphuoc",
        "totruong",
        "yte",
        "thidua",
        "doanhnghiep",
    ]:
        user = User.objects.get(username=username)
        assert user.check_password("vungxanh-demo")
        assert user.assignments.exists()
    villages = Area.objects.of_tier(Tier.VILLAGE)
    assert villages.count() > 139 * 4 and not villages.filter(is_generated=False).exists()
    assert Area.objects.get(code="56").children.count() == 9


@pytest.mark.django_db
def test_load_demo_refuses_without_debug(settings):
    from django.core.management.base import CommandError

    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG"):
        call_command("load_demo")


@pytest.mark.django_db
def test_pages_stay_vietnamese_for_an_english_browser_until_the_user_switches():
    client = Client(HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert 'lang="vi"' in client.get("/").content.decode()
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert 'lang="en"' in client.get("/").content.decode()


@pytest.mark.django_db
def test_api_clients_may_ask_for_english_messages():
    response = Client().get("/api/v1/areas/nope", HTTP_ACCEPT_LANGUAGE="en")
    assert response.json()["error"]["message"] == "Not found."
    assert Client().get("/api/v1/areas/nope").json()["error"]["message"] != "Not found."
