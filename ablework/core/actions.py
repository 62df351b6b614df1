"""Writes of the shared kernel: each one locks, checks, saves and audits in one transaction."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from ablework.core import audit
from ablework.core.models import District, Notification


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
