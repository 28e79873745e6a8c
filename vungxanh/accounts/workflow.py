"""Guarded status transitions: exactly one row moves from the old status to the new, or nothing.

Two reviewers acting on the same step at once: the first update changes one row, the second finds
none in the old status and gets a Conflict. The audit row is written in the same transaction.
"""

from __future__ import annotations

from typing import Any

from django.db import models, transaction
from django.utils.translation import gettext as _

from .audit import record_audit
from .models import User


class Conflict(Exception):
    """The object was not in the expected state (someone else acted first)."""


def transition(
    obj: models.Model,
    *,
    field: str,
    old: str,
    new: str,
    actor: User | None,
    area_path: str,
    note: str = "",
    also: dict[str, Any] | None = None,
) -> None:
    model = type(obj)
    with transaction.atomic():
        changed = model._default_manager.filter(pk=obj.pk, **{field: old}).update(
            **{field: new}, **(also or {})
        )
        if changed != 1:
            raise Conflict(
                _("This item is no longer “%(old)s”; reload it and try again.") % {"old": old}
            )
        setattr(obj, field, new)
        for name, value in (also or {}).items():
            setattr(obj, name, value)
        record_audit(
            actor,
            "transition",
            obj,
            area_path=area_path,
            before={field: old},
            after={field: new},
            note=note,
        )
