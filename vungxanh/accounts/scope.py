"""Who may see and change what: the subtrees of a user's assignments.

`scope_for(user)` is what any role reaches (reading); `scope_for(user, permission)` is what roles
carrying that permission reach (changing). A model with non-public rows filters through
`Scope.q(...)` in its `visible_to(user)`, and views fetch single objects through a
`get_<thing>_for_user` helper that answers 404 both for "does not exist" and for "not yours".
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeAlias, TypeVar

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ObjectDoesNotExist
from django.db import models
from django.db.models import Q
from django.http import Http404

from vungxanh.areas.models import under
from vungxanh.lib import tree

from .roles import PERMISSIONS, TIER_LIMITS

if TYPE_CHECKING:
    from .models import User

AnyUser: TypeAlias = "User | AnonymousUser"


@dataclass(frozen=True)
class Scope:
    everything: bool = False
    area_paths: tuple[str, ...] = ()
    organization_paths: tuple[str, ...] = ()

    @property
    def is_empty(self) -> bool:
        return not (self.everything or self.area_paths or self.organization_paths)

    def q(self, area_path: str | None = None, org_path: str | None = None) -> Q:
        """Rows located in an area of the scope (`area_path`), or managed within it (`org_path`).

        An organization's management path starts with the path of the area whose People's
        Committee is at the root of its management chain, so area holders see what is managed
        beneath their area too.
        """
        if self.everything:
            return Q()
        result = Q(pk__in=[])
        if area_path:
            for path in self.area_paths:
                result |= under(path, area_path)
        if org_path:
            for path in tree.minimal_cover([*self.area_paths, *self.organization_paths]):
                result |= under(path, org_path)
        return result

    def covers(self, path: str) -> bool:
        if self.everything:
            return True
        return any(path.startswith(p) for p in (*self.area_paths, *self.organization_paths))


def scope_for(user: AnyUser, permission: str | None = None) -> Scope:
    if isinstance(user, AnonymousUser) or not user.is_authenticated:
        return Scope()
    if user.is_superuser:
        return Scope(everything=True)
    cache: dict[str | None, Scope] = user.__dict__.setdefault("_vungxanh_scopes", {})
    if permission not in cache:
        cache[permission] = _compute_scope(user, permission)
    return cache[permission]


def _compute_scope(user: User, permission: str | None) -> Scope:
    from vungxanh.areas.models import TIER_OF_TYPE

    from .models import Assignment

    rows = Assignment.objects.filter(user_id=user.pk).values_list(
        "role", "area__path", "area__type", "organization__management_path"
    )
    area_paths: list[str] = []
    org_paths: list[str] = []
    for role, area_path, area_type, org_path in rows:
        if permission is not None and permission not in PERMISSIONS.get(role, frozenset()):
            continue
        tiers = TIER_LIMITS.get((role, permission or ""))
        if tiers is not None and TIER_OF_TYPE.get(area_type) not in tiers:
            continue
        if area_path:
            area_paths.append(area_path)
        elif org_path:
            org_paths.append(org_path)
    return Scope(
        area_paths=tuple(tree.minimal_cover(area_paths)),
        organization_paths=tuple(tree.minimal_cover(org_paths)),
    )


def scope_of_actor(actor: User | None, permission: str) -> Scope:
    """The scope of an action's actor; `None` is the system itself (a command run by the
    operator), which reaches everything."""
    return Scope(everything=True) if actor is None else scope_for(actor, permission)


def require_scope(user: Any, path: str, permission: str | None = None) -> None:
    """404 unless the user's scope for the permission covers the path."""
    if not scope_for(user, permission).covers(path):
        raise Http404


M = TypeVar("M", bound=models.Model)


def get_visible_or_404(queryset: models.QuerySet[M], user: Any, **lookup: Any) -> M:
    """The one way to fetch a single non-public object: 404 if missing or out of scope."""
    visible = queryset.visible_to(user)  # type: ignore[attr-defined]
    try:
        obj: M = visible.get(**lookup)
    except ObjectDoesNotExist as exc:
        raise Http404 from exc
    return obj
