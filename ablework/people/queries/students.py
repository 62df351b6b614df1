"""Reads of the college-student ledger (一人一策) for its views and exports."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet

from ablework.accounts.enums import CITY_ROLES, STAFF_ROLES
from ablework.core.listing import ListSpec
from ablework.people.models import StudentPlanEntry, StudentRecord


def list_students() -> QuerySet[StudentRecord]:
    return StudentRecord.objects.select_related("person", "district", "officer", "officer__organisation")


def get_student(pk: int) -> StudentRecord | None:
    """The student inside the current district scope, or None (missing and out of scope alike)."""
    return list_students().filter(pk=pk).first()


def list_entries(student: StudentRecord) -> QuerySet[StudentPlanEntry]:
    return StudentPlanEntry.objects.filter(student=student).select_related("recorded_by")


def eligible_officers(district_ids: list[int]) -> QuerySet[Any]:
    """Active staff users who may be responsible for students of any of these districts: staff of the
    district (by organisation or an extra district) and city staff.  ``actions.students`` checks the
    student's own district when the officer is assigned."""
    user_model = get_user_model()
    return (
        user_model.objects.filter(is_active=True, role__in=STAFF_ROLES)
        .filter(
            Q(role__in=CITY_ROLES)
            | Q(organisation__district_id__in=district_ids)
            | Q(extra_districts__id__in=district_ids)
        )
        .select_related("organisation")
        .distinct()
        .order_by("organisation__name", "display_name", "username")
    )


def _year(qs: QuerySet[Any], v: str) -> QuerySet[Any]:
    return qs.filter(graduation_year=int(v)) if v.isdigit() else qs.none()


def _officer(qs: QuerySet[Any], v: str) -> QuerySet[Any]:
    if v == "none":
        return qs.filter(officer__isnull=True)
    return qs.filter(officer_id=int(v)) if v.isdigit() else qs.none()


def student_list_spec(user: Any) -> ListSpec:
    """The ledger filters; "mine" (my students) needs the user, hence a spec per request."""
    return ListSpec(
        filters={
            "q": lambda qs, v: qs.filter(Q(person__name__startswith=v) | Q(school__contains=v)),
            "year": _year,
            "status": lambda qs, v: qs.filter(status=v),
            "school": lambda qs, v: qs.filter(school__contains=v),
            "district": lambda qs, v: qs.filter(district__code=v),
            "officer": _officer,
            "mine": lambda qs, v: qs.filter(officer_id=user.pk) if v == "1" else qs,
        },
        sorts={
            "year": ("毕业年份", "graduation_year"),
            "name": ("姓名", "person__name"),
            "school": ("学校", "school"),
            "updated": ("更新时间", "updated_at"),
        },
        default_sort="year",
    )


def graduation_years() -> list[int]:
    return list(StudentRecord.objects.order_by("-graduation_year").values_list("graduation_year", flat=True).distinct())
