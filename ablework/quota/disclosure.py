"""Writes of the public list (公示, policy-rules R12.3): a city administrator publishes or withdraws the
list of agencies and institutions that placed persons in a data year.

Publishing takes a snapshot of ``public_sector.disclosure_rows`` (certified declarations only; unit
data only) with the date; publishing the same year again replaces the snapshot and the date.  Both
writes are audited with the number of units before and after.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from ablework.accounts.enums import Role
from ablework.core import audit
from ablework.core.enums import AuditAction
from ablework.quota.models import Campaign, DisclosurePublication
from ablework.quota.public_sector import disclosure_rows

__all__ = ["DisclosureError", "publish_disclosure", "unpublish_disclosure"]


class DisclosureError(ValueError):
    """A refused publication; ``str(err)`` is a Chinese message for the user."""


def _check_actor(actor: Any) -> None:
    if getattr(actor, "role", None) != Role.CITY_ADMIN:
        raise DisclosureError("公示须由市级管理员发布或撤下")


def publish_disclosure(*, actor: Any, data_year: int) -> DisclosurePublication:
    """Publish (or publish again) the list of ``data_year``.  Refused for a year without a campaign and
    for anyone but a city administrator.  An empty list is published as such (no unit placed anyone)."""
    _check_actor(actor)
    if not Campaign.objects.filter(data_year=data_year).exists():
        raise DisclosureError(f"{data_year}年度没有年审批次，无可公示的数据")
    rows = disclosure_rows(data_year)
    with transaction.atomic():
        pub, _created = DisclosurePublication.objects.select_for_update().get_or_create(data_year=data_year)
        before = {"published": pub.published, "units": len(pub.rows or []), "published_at": pub.published_at}
        pub.published, pub.published_at, pub.published_by, pub.rows = True, timezone.now(), actor, rows
        pub.save()
        after = {"published": True, "units": len(rows), "published_at": pub.published_at}
        audit.record(AuditAction.UPDATE, actor=actor, obj=pub, changes=audit.diff(before, after), purpose="发布公示")
    return pub


def unpublish_disclosure(*, actor: Any, data_year: int) -> DisclosurePublication:
    """Take the list of ``data_year`` off the portal (the snapshot is kept for the record)."""
    _check_actor(actor)
    with transaction.atomic():
        pub = DisclosurePublication.objects.select_for_update().filter(data_year=data_year, published=True).first()
        if pub is None:
            raise DisclosureError(f"{data_year}年度公示未发布")
        pub.published, pub.unpublished_at, pub.unpublished_by = False, timezone.now(), actor
        pub.save(update_fields=["published", "unpublished_at", "unpublished_by"])
        audit.record(
            AuditAction.UPDATE,
            actor=actor,
            obj=pub,
            changes={"published": [True, False], "units": [len(pub.rows or []), None]},
            purpose="撤下公示",
        )
    return pub
