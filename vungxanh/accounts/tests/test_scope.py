import pytest
from django.http import Http404

from conftest import make_user
from vungxanh.accounts.actions import do_assign_role
from vungxanh.accounts.roles import MANAGE_AREAS, MANAGE_USERS, Role
from vungxanh.accounts.scope import scope_for
from vungxanh.areas.models import Area


@pytest.mark.django_db
def test_a_role_at_an_area_reaches_its_subtree_and_nothing_else(personas):
    scope = scope_for(personas.commune_a)
    assert scope.covers("/56/568/22327/")
    assert scope.covers("/56/568/22327/22327-001/")
    assert not scope.covers("/56/568/22333/")
    assert not scope.covers("/56/568/")
    assert not scope.covers("/58/")


@pytest.mark.django_db
def test_write_scope_counts_only_roles_that_carry_the_permission(personas):
    health = make_user("yte", Role.HEALTH, Area.objects.get(code="56"))
    assert scope_for(health).covers("/56/568/22327/")
    assert scope_for(health, MANAGE_AREAS).is_empty


@pytest.mark.django_db
def test_nested_assignments_collapse_into_one_range(personas):
    do_assign_role(None, personas.province, Role.AREA_OFFICER, Area.objects.get(code="568"))
    assert scope_for(personas.province, MANAGE_AREAS).area_paths == ("/56/",)


@pytest.mark.django_db
def test_anonymous_users_have_an_empty_scope():
    from django.contrib.auth.models import AnonymousUser

    assert scope_for(AnonymousUser()).is_empty


@pytest.mark.django_db
def test_granting_a_role_needs_user_management_over_the_place(personas):
    admin = make_user("admin_kh", Role.ADMIN, Area.objects.get(code="56"))
    target = make_user("moi")
    do_assign_role(admin, target, Role.AREA_OFFICER, Area.objects.get(code="22327"))
    assert scope_for(target).covers("/56/568/22327/")
    with pytest.raises(Http404):
        do_assign_role(admin, target, Role.AREA_OFFICER, Area.objects.get(code="58"))
    with pytest.raises(Http404):  # an area officer may not hand out roles
        do_assign_role(
            personas.commune_a, target, Role.AREA_OFFICER, Area.objects.get(code="22327")
        )
    assert not scope_for(personas.commune_a, MANAGE_USERS).covers("/56/")
