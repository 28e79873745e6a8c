import pytest
from django.core.management import call_command
from django.db.models import Sum

from vungxanh.areas.models import Area, PopulationSource, Tier
from vungxanh.areas.official import load_official_units


def _snapshot():
    return list(Area.objects.order_by("code").values())


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("province", "districts", "communes"), [("56", 9, 139), ("58", 7, 65), ("66", 15, 184)]
)
def test_it_loads_the_real_2021_units_of_a_province(province, districts, communes):
    load_official_units([province])
    root = Area.objects.get(code=province)
    assert root.children.count() == districts
    assert Area.objects.subtree(root).of_tier(Tier.COMMUNE).count() == communes


@pytest.mark.django_db
def test_codes_are_official_widths_and_paths_follow_the_tree():
    load_official_units(["1"])
    hanoi = Area.objects.get(code="01")
    ba_dinh = Area.objects.get(code="001")
    phuc_xa = Area.objects.get(code="00001")
    assert (hanoi.level, ba_dinh.level, phuc_xa.level) == (1, 2, 3)
    assert phuc_xa.path == "/01/001/00001/"
    assert [a.code for a in phuc_xa.ancestors()] == ["01", "001"]


@pytest.mark.django_db
def test_loading_twice_changes_nothing():
    call_command("load_areas", "--province", "56", stdout=None)
    before = _snapshot()
    load_official_units(["56"])
    call_command("load_areas", "--province", "56")
    assert _snapshot() == before


@pytest.mark.django_db
def test_a_user_imported_population_survives_a_reload():
    load_official_units(["56"])
    Area.objects.filter(code="22327").update(
        population=12345, population_source=PopulationSource.IMPORTED
    )
    load_official_units(["56"])
    assert Area.objects.get(code="22327").population == 12345


@pytest.mark.django_db
def test_populations_are_official_for_provinces_and_marked_estimates_below():
    load_official_units(["56"])
    province = Area.objects.get(code="56")
    assert (province.population, province.population_year) == (1240400, 2020)  # GSO 2020
    assert province.population_source == PopulationSource.OFFICIAL
    communes = Area.objects.subtree(province).of_tier(Tier.COMMUNE)
    assert set(communes.values_list("population_source", flat=True)) == {"estimated"}
    total = communes.aggregate(t=Sum("population"))["t"]
    assert province.population - total < communes.count()  # equal shares, rounded down
    nha_trang = Area.objects.get(code="568")
    assert nha_trang.population_is_estimate
    assert (
        nha_trang.population
        == Area.objects.filter(parent=nha_trang).aggregate(t=Sum("population"))["t"]
    )


@pytest.mark.django_db
def test_centroids_come_from_the_package_matched_by_code():
    load_official_units(["56"])
    vinh_hoa = Area.objects.get(code="22327")
    assert 12.2 < vinh_hoa.centroid_lat < 12.4 and 109.1 < vinh_hoa.centroid_lon < 109.3
    assert vinh_hoa.centroid_source == "vietnamadminunits"


@pytest.mark.django_db
def test_an_unknown_province_is_refused():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="99"):
        call_command("load_areas", "--province", "99")
