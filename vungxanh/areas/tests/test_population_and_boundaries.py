import json

import pytest
from django.db.models import Sum

from vungxanh.areas import actions
from vungxanh.areas.models import Area, AreaGeometry, PopulationSource, Tier
from vungxanh.lib.tabular import ImportRejected


@pytest.mark.django_db
def test_imported_populations_replace_estimates_and_the_rest_is_re_estimated(khanh_hoa):
    data = b"area_code,population,year,note\n22327,20000,2021,UBND phuong\n"
    actions.do_import_populations(None, data, "pop.csv")
    vinh_hoa = Area.objects.get(code="22327")
    assert (vinh_hoa.population, vinh_hoa.population_source) == (20000, PopulationSource.IMPORTED)
    communes = Area.objects.subtree(khanh_hoa).of_tier(Tier.COMMUNE)
    total = communes.aggregate(t=Sum("population"))["t"]
    assert khanh_hoa.population - total < communes.count()
    nha_trang = Area.objects.get(code="568")
    assert (
        nha_trang.population
        == Area.objects.filter(parent=nha_trang).aggregate(t=Sum("population"))["t"]
    )


SQUARE = {
    "type": "Polygon",
    "coordinates": [[[109.1, 12.2], [109.2, 12.2], [109.2, 12.3], [109.1, 12.2]]],
}


@pytest.mark.django_db
def test_boundaries_import_from_geojson_keyed_by_a_property(khanh_hoa):
    collection = {
        "type": "FeatureCollection",
        "features": [
            {"type": "Feature", "properties": {"ma_xa": "22327"}, "geometry": SQUARE},
        ],
    }
    count = actions.do_import_boundaries(None, json.dumps(collection).encode(), "ma_xa", "t")
    assert count == 1
    assert AreaGeometry.objects.get(area__code="22327").geojson == SQUARE


@pytest.mark.django_db
def test_a_geojson_with_a_bad_feature_stores_no_boundary(khanh_hoa):
    collection = {
        "type": "FeatureCollection",
        "features": [
            {"type": "Feature", "properties": {"code": "22327"}, "geometry": SQUARE},
            {
                "type": "Feature",
                "properties": {"code": "22333"},
                "geometry": {"type": "Point", "coordinates": [1, 2]},
            },
            {"type": "Feature", "properties": {"code": "99999"}, "geometry": SQUARE},
        ],
    }
    with pytest.raises(ImportRejected) as caught:
        actions.do_import_boundaries(None, json.dumps(collection).encode())
    assert [(e.row, e.field) for e in caught.value.errors] == [(2, "code"), (3, "code")]
    assert not AreaGeometry.objects.exists()
