"""Users and their roles. Granting a role at a place needs MANAGE_USERS over that place."""

from __future__ import annotations

from django.db import transaction
from django.http import Http404

from vungxanh.areas.models import Area, Organization

from .audit import record_audit
from .models import Assignment, User
from .roles import MANAGE_USERS, Role
from .scope import scope_for


def do_create_user(actor: User | None, username: str, password: str, full_name: str = "") -> User:
    with transaction.atomic():
        user = User(username=username, full_name=full_name)
        user.set_password(password)
        user.save()
        record_audit(actor, "create", user, area_path="", after={"username": username})
    return user


def do_assign_role(
    actor: User | None, user: User, role: Role | str, place: Area | Organization
) -> Assignment:
    """Grant `role` at an area (its whole subtree) or an organization."""
    path = place.path if isinstance(place, Area) else place.management_path
    if actor is not None and not scope_for(actor, MANAGE_USERS).covers(path):
        raise Http404
    with transaction.atomic():
        assignment, created = Assignment.objects.get_or_create(
            user=user,
            role=role,
            area=place if isinstance(place, Area) else None,
            organization=place if isinstance(place, Organization) else None,
        )
        if created:
            record_audit(
                actor,
                "grant_role",
                assignment,
                area_path=path,
                after={"user": user.username, "role": str(role), "at": str(place)},
            )
    user.__dict__.pop("_vungxanh_scopes", None)
    return assignment
