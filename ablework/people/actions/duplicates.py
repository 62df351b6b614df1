"""Duplicate handling: merge two records of the same person, or record that two look-alike records
are different persons.

A merge never deletes: every row of history (certificates, employment records, 四个一 services,
就业困难 certifications, 公益性岗位 placements, the student record when the kept one has none,
portal links, correction requests) moves to the kept record, the other one is marked
``merged_into`` and disappears from lists and searches, and both are audited with a snapshot.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import transaction

from ablework.core import audit
from ablework.core.scoping import district_scope, unscoped
from ablework.people.actions.registry import RegistryError, recompute_status, refresh_current_certificate, today
from ablework.people.models import (
    Certificate,
    CorrectionRequest,
    DifficultyCertification,
    DuplicateDismissal,
    EmploymentRecord,
    Person,
    PortalLink,
    PublicWelfarePlacement,
    ServiceRecord,
    StudentPlanEntry,
    StudentRecord,
)

# Only these roles decide about duplicates (reviewers and street workers see but do not merge).
DUPLICATE_ROLES = frozenset({"city_admin", "district_officer"})
OPEN_DIFFICULTY = ("draft", "submitted", "approved")


class DuplicateError(RegistryError):
    """A merge or dismissal refused; the message is for the user."""


def can_handle_duplicates(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and getattr(user, "role", None) in DUPLICATE_ROLES)


def _check_actor(actor: Any, *persons: Person) -> list[int]:
    if not can_handle_duplicates(actor):
        raise DuplicateError("只有区级经办员和市级管理员可以处理疑似重复档案")
    allowed = list(actor.scope_district_ids())
    if any(p.district_id not in allowed for p in persons):
        raise DuplicateError("不能处理本人管辖范围以外的档案")
    return allowed


def snapshot(person: Person) -> dict[str, Any]:
    """What the audit log keeps of a record at merge time (masked identity numbers only)."""
    return {
        "id": person.pk,
        "name": person.name,
        "id_masked": person.id_masked,
        "sex": person.sex,
        "birth_date": person.birth_date,
        "district": person.district_id,
        "street": person.street_id,
        "community": person.community,
        "address": person.address,
        "phone": person.phone,
        "cert": person.cert_masked,
        "wants_job": person.wants_job,
        "status": person.status,
        "merged_into": person.merged_into_id,
    }


def _move_history(keep: Person, other: Person) -> dict[str, int]:
    """Re-point every child row of ``other`` to ``keep`` (set-based, one UPDATE per table).  Runs
    unscoped on purpose: all of the other record's history moves, whatever district a row carries."""
    moved: dict[str, int] = {}
    district = keep.district_id
    with unscoped():
        for label, model in (
            ("certificates", Certificate),
            ("employment_records", EmploymentRecord),
            ("service_records", ServiceRecord),
            ("difficulty_certifications", DifficultyCertification),
            ("public_welfare_placements", PublicWelfarePlacement),
            ("correction_requests", CorrectionRequest),
        ):
            moved[label] = model.objects.filter(person_id=other.pk).update(person_id=keep.pk, district_id=district)
        student = StudentRecord.objects.filter(person_id=other.pk).first()
        moved["student_record"] = 0
        if student is not None and not StudentRecord.objects.filter(person_id=keep.pk).exists():
            StudentRecord.objects.filter(pk=student.pk).update(person_id=keep.pk, district_id=district)
            StudentPlanEntry.objects.filter(student_id=student.pk).update(district_id=district)
            moved["student_record"] = 1
        elif student is not None:
            moved["student_record_left_on_merged"] = 1
        # A portal account linked to both keeps its link to the kept record only.
        already = PortalLink.objects.filter(person_id=keep.pk).values_list("user_id", flat=True)
        moved["portal_links_dropped"], _ = PortalLink.objects.filter(
            person_id=other.pk, user_id__in=list(already)
        ).delete()
        moved["portal_links"] = PortalLink.objects.filter(person_id=other.pk).update(person_id=keep.pk)
        # Records merged earlier into ``other`` now point at the record that survives.
        moved["earlier_merges"] = Person.objects.filter(merged_into_id=other.pk).update(merged_into_id=keep.pk)
    return moved


def merge_persons(keep: Person, other: Person, *, actor: Any, reason: str, on: date | None = None) -> Person:
    """Merge ``other`` into ``keep``: all history moves to ``keep``, ``other.merged_into = keep`` (never
    deleted), ``keep``'s current certificate and derived status are re-computed, both are audited
    with a snapshot.  A wish to work known only on ``other`` is carried over.

    Raises ``DuplicateError`` when the actor may not handle duplicates or cannot see either
    district, for a merge of a record into itself, of or into an already merged record, when both
    have an open 就业困难 certification, or without a reason.
    """
    reason = reason.strip()
    if not reason:
        raise DuplicateError("请填写合并理由")
    if keep.pk == other.pk:
        raise DuplicateError("不能将档案与其自身合并")
    allowed = _check_actor(actor, keep, other)
    with transaction.atomic(), district_scope(allowed):
        locked = {p.pk: p for p in Person.objects.select_for_update().filter(pk__in=[keep.pk, other.pk]).order_by("pk")}
        if len(locked) != 2:
            raise DuplicateError("不能处理本人管辖范围以外的档案")
        keep, other = locked[keep.pk], locked[other.pk]
        _check_actor(actor, keep, other)  # districts as of now, under the lock
        if keep.merged_into_id or other.merged_into_id:
            raise DuplicateError("已合并的档案不能再次合并，请选择保留的档案")
        with unscoped():
            open_cases = DifficultyCertification.objects.filter(
                person_id__in=[keep.pk, other.pk], status__in=OPEN_DIFFICULTY
            ).values("person_id")
            if open_cases.distinct().count() > 1:
                raise DuplicateError("两份档案都有进行中的就业困难认定，请先办结其中一份再合并")
        keep_before, other_before = snapshot(keep), snapshot(other)
        moved = _move_history(keep, other)
        if keep.wants_job is None and other.wants_job is not None:
            keep.wants_job = other.wants_job
            Person.objects.filter(pk=keep.pk).update(wants_job=other.wants_job)
        on = on or today()
        refresh_current_certificate(keep, on)
        recompute_status(keep, on=on)
        other.merged_into = keep
        Person.objects.filter(pk=other.pk).update(merged_into=keep)
        audit.record(
            audit.AuditAction.UPDATE,
            actor=actor,
            obj=keep,
            changes=audit.diff(
                {k: keep_before[k] for k in ("status", "wants_job", "cert")},
                {k: v for k, v in snapshot(keep).items() if k in ("status", "wants_job", "cert")},
            )
            | {"merged_from": [None, other.pk], "moved": moved, "before": keep_before, "merged_record": other_before},
            purpose=f"合并重复档案：{reason}",
        )
        audit.record(
            audit.AuditAction.UPDATE,
            actor=actor,
            obj=other,
            changes={"merged_into": [None, keep.pk], "before": other_before, "kept_record": keep_before},
            purpose=f"合并重复档案：{reason}",
        )
    return keep


def dismiss_duplicate(first: Person, second: Person, *, actor: Any, reason: str) -> DuplicateDismissal:
    """Record that two records which look alike belong to two different persons; the pair leaves
    the candidate list for good.  Raises ``DuplicateError`` without a reason, for a record paired
    with itself, or outside the actor's districts."""
    reason = " ".join(reason.split())
    if not reason:
        raise DuplicateError("请填写判定不是同一人的理由")
    if len(reason) > 200:
        raise DuplicateError("理由不能超过200个字")
    if first.pk == second.pk:
        raise DuplicateError("不能将档案与其自身比对")
    _check_actor(actor, first, second)
    low, high = sorted((first, second), key=lambda p: p.pk)
    with transaction.atomic():
        dismissal = DuplicateDismissal.objects.filter(low_id=low.pk, high_id=high.pk).first()
        if dismissal is not None:
            return dismissal
        dismissal = DuplicateDismissal.objects.create(low=low, high=high, decided_by=actor, reason=reason)
        audit.record(
            audit.AuditAction.CREATE,
            actor=actor,
            obj=dismissal,
            object_label=f"非重复判定：{low.name}（{low.id_masked}）与{high.name}（{high.id_masked}）",
            district_code=low.audit_district_code(),
            changes={"low": low.pk, "high": high.pk, "reason": reason},
        )
    return dismissal
