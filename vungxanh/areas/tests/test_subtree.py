import pytest
from django.db import connection

from vungxanh.areas.models import Area, Tier
from vungxanh.areas.queries import children_with_counts


@pytest.mark.django_db
def test_subtree_holds_exactly_the_descendants(khanh_hoa):
    nha_trang = Area.objects.get(code="568")
    inside = set(Area.objects.subtree(nha_trang).values_list("code", flat=True))
    expected = {"568"} | set(Area.objects.filter(parent=nha_trang).values_list("code", flat=True))
    assert inside == expected
    assert not Area.objects.subtree(nha_trang).filter(code="58").exists()


@pytest.mark.django_db
def test_subtree_query_uses_an_index(khanh_hoa):
    plan = Area.objects.subtree(khanh_hoa).explain()
    if connection.vendor == "sqlite":
        assert "USING INDEX" in plan or "USING COVERING INDEX" in plan, plan
    else:
        # A table this small may be scanned; forbid that to see whether the index serves.
        with connection.cursor() as cursor:
            cursor.execute("SET enable_seqscan = off")
        plan = Area.objects.subtree(khanh_hoa).explain()
        assert "Index" in plan and "path" in plan, plan


@pytest.mark.django_db
def test_children_counts_are_computed_in_the_database(khanh_hoa, django_assert_max_num_queries):
    with django_assert_max_num_queries(1):
        rows = list(children_with_counts(khanh_hoa))
    assert len(rows) == 9
    assert sum(r.communes_count for r in rows) == 139
    nha_trang = next(r for r in rows if r.code == "568")
    assert nha_trang.communes_count == Area.objects.filter(parent__code="568").count()
    assert nha_trang.children_count == nha_trang.communes_count


@pytest.mark.django_db
def test_tiers_do_not_assume_four_levels(khanh_hoa):
    """A village under a village-level unit (e.g. a hamlet inside a village) is still found."""
    from vungxanh.lib import tree

    vinh_hoa = Area.objects.get(code="22327")
    village = Area.objects.create(
        code="X1",
        name="Thôn X",
        type="thon",
        level=4,
        parent=vinh_hoa,
        path=tree.child_path(vinh_hoa.path, "X1"),
    )
    Area.objects.create(
        code="X1.1",
        name="Xóm 1",
        type="khac",
        level=5,
        parent=village,
        path=tree.child_path(village.path, "X1.1"),
    )
    assert Area.objects.subtree(khanh_hoa).of_tier(Tier.VILLAGE).count() == 2
    assert Area.objects.get(code="X1.1").level == 5
