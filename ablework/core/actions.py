"""Writes of the shared kernel: each one locks, checks, saves and audits in one transaction."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.utils import timezone

from ablework.core import audit
from ablework.core.models import District, Notification
from ablework.core.scoping import unscoped


class RecordError(Exception):
    """A refused write: ``str(err)`` is the message for the user, ``errors`` maps form fields to theirs."""

    def __init__(self, message: str, errors: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.errors = errors or {}


def field_values(obj: models.Model) -> dict[str, Any]:
    """The audited values of a record (its concrete columns, without id and timestamps)."""
    return {
        f.attname: getattr(obj, f.attname)
        for f in obj._meta.concrete_fields
        if f.attname not in ("id", "created_at", "updated_at")
    }


def stored_values(obj: models.Model) -> dict[str, Any]:
    """``field_values`` of the stored row of ``obj`` (empty for a new record), read city-wide."""
    if not obj.pk:
        return {}
    with unscoped():
        return field_values(type(obj)._default_manager.get(pk=obj.pk))


def save_audited(
    obj: models.Model,
    *,
    actor: Any,
    purpose: str,
    before: dict[str, Any] | None = None,
    error: type[RecordError] = RecordError,
) -> Any:
    """Validate (fields, uniqueness, constraints), save and audit the change in one transaction.

    Validation messages come back as ``error`` with one message per field; a database constraint the
    validation could not foresee (a concurrent duplicate) becomes a plain message too."""
    try:
        obj.full_clean(validate_unique=True, validate_constraints=True)
    except ValidationError as exc:
        errors = {k: "；".join(str(m) for m in v) for k, v in exc.message_dict.items()}
        raise error("；".join(errors.values()), {k: v for k, v in errors.items() if k != "__all__"}) from exc
    creating = obj.pk is None
    try:
        with transaction.atomic():
            obj.save()
            audit.record(
                audit.AuditAction.CREATE if creating else audit.AuditAction.UPDATE,
                actor=actor,
                obj=obj,
                changes=audit.diff(before or {}, field_values(obj)),
                purpose=purpose,
            )
    except IntegrityError as exc:
        raise error("与已有记录重复或不符合数据约束，请检查后再保存") from exc
    return obj


def set_district_agricultural(district_id: int, *, is_agricultural: bool, actor: Any) -> District:
    """Set the 涉农区 flag (not source-confirmed, policy-rules §17, so city administrators may change it)."""
    with transaction.atomic():
        district = District.objects.select_for_update().get(pk=district_id)
        before = district.is_agricultural
        if before != is_agricultural:
            district.is_agricultural = is_agricultural
            district.save(update_fields=["is_agricultural"])
            audit.record(
                audit.AuditAction.UPDATE,
                actor=actor,
                obj=district,
                changes={"is_agricultural": [before, is_agricultural]},
            )
    return district


def mark_notification_read(notification: Notification) -> None:
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
