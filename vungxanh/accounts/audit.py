"""The audit log (every change of state) and the access log (every read of sensitive data)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import models, transaction

from .models import AccessEvent, AuditEvent, User


class AuditOutsideTransaction(RuntimeError):
    pass


def record_audit(
    actor: User | None,
    verb: str,
    obj: models.Model,
    *,
    area_path: str,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    note: str = "",
) -> AuditEvent:
    """Write one audit row. Must run inside the transaction that made the change."""
    _require_transaction()
    event = _event(actor, verb, obj, area_path, before, after, note)
    event.save()
    return event


def _require_transaction() -> None:
    if not transaction.get_connection().in_atomic_block:
        raise AuditOutsideTransaction("an audit row is written in the change's own transaction")


def _event(
    actor: User | None,
    verb: str,
    obj: models.Model,
    area_path: str,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
    note: str,
) -> AuditEvent:
    return AuditEvent(
        actor=actor if actor and actor.pk else None,
        actor_name=actor.get_username() if actor and actor.pk else "system",
        verb=verb,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        object_repr=str(obj)[:300],
        area_path=area_path,
        before=before,
        after=after,
        note=note,
    )


def record_access(
    actor: User,
    obj: models.Model,
    *,
    area_path: str,
    purpose: str = "",
    ip_address: str | None = None,
) -> AccessEvent:
    return AccessEvent.objects.create(
        actor=actor,
        actor_name=actor.get_username(),
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        area_path=area_path,
        purpose=purpose[:300],
        ip_address=ip_address,
    )


def record_audit_many(
    actor: User | None,
    verb: str,
    changes: Sequence[tuple[models.Model, str, dict[str, Any] | None, dict[str, Any] | None]],
    note: str = "",
) -> None:
    """One audit row per (object, area path, before, after), written in one statement."""
    _require_transaction()
    AuditEvent.objects.bulk_create(
        [
            _event(actor, verb, obj, area_path, before, after, note)
            for obj, area_path, before, after in changes
        ],
        batch_size=1000,
    )
