from hypothesis import given
from hypothesis import strategies as st

from vungxanh.lib import tree

segment = st.text(alphabet="0123456789abcXYZ.-_%", min_size=1, max_size=6)


def test_upper_bound_excludes_siblings_sharing_a_prefix():
    assert tree.upper_bound("/56/") > "/56/568/"
    assert not ("/56/" <= "/560/" < tree.upper_bound("/56/"))
    assert not ("/5/" <= "/56/" < tree.upper_bound("/5/"))


@given(st.lists(segment, min_size=1, max_size=4), st.lists(segment, min_size=1, max_size=4))
def test_range_membership_is_exactly_prefix_membership(a, b):
    path_a = "/" + "/".join(a) + "/"
    path_b = "/" + "/".join(b) + "/"
    in_range = path_a <= path_b < tree.upper_bound(path_a)
    assert in_range == path_b.startswith(path_a)


def test_minimal_cover_drops_nested_paths():
    assert tree.minimal_cover(["/56/568/", "/56/", "/58/", "/58/"]) == ["/56/", "/58/"]


def test_child_path_refuses_a_separator():
    import pytest

    with pytest.raises(ValueError):
        tree.child_path("/56/", "a/b")
