"""Writes to the college-student ledger (一人一策): students and graduates with disabilities, each with
one responsible officer, a personal plan, dated service entries and a status.  Every write is audited
on the student record in the transaction of the change."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import transaction

from ablework.accounts.enums import STAFF_ROLES
from ablework.core import audit
from ablework.people.actions.registry import RegistryError, add_employment_record, today
from ablework.people.enums import Education, ServiceType, StudentStatus
from ablework.people.models import EmploymentRecord, Person, StudentPlanEntry, StudentRecord

# Fields of StudentRecord an officer edits directly; officer and status have their own actions.
STUDENT_FIELDS = ("school", "major", "degree", "graduation_year", "plan", "outcome")
FIRST_GRADUATION_YEAR = 1950
MAX_YEARS_AHEAD = 8  # a first-year doctoral student graduates within eight years


class StudentError(RegistryError):
    """A ledger write refused because it breaks a ledger rule; the message is for the user."""


def officer_may_serve(officer: Any, district_id: int) -> bool:
    """May this user be the responsible officer of a student of this district?  An active staff user
    whose districts include it (city staff cover every district)."""
    return bool(
        officer is not None
        and getattr(officer, "pk", None)
        and officer.is_active
        and officer.role in STAFF_ROLES
        and district_id in officer.scope_district_ids()
    )


def _check_officer(officer: Any, district_id: int) -> None:
    if not officer_may_serve(officer, district_id):
        name = getattr(officer, "display_name", "") or getattr(officer, "username", "")
        raise StudentError(f"责任人“{name}”不是该学生户籍区的在岗工作人员，不能负责该学生")


def _clean(changes: dict[str, Any]) -> dict[str, Any]:
    unknown = set(changes) - set(STUDENT_FIELDS)
    if unknown:
        raise StudentError(f"不能直接修改以下项目：{'、'.join(sorted(unknown))}")
    for key in ("school", "major", "plan", "outcome"):
        if key in changes:
            changes[key] = str(changes[key] or "").strip()
    if "school" in changes and not changes["school"]:
        raise StudentError("请填写学校名称")
    if "degree" in changes and changes["degree"] not in Education.values:
        raise StudentError(f"未知学历：{changes['degree']}")
    if "graduation_year" in changes:
        try:
            year = int(changes["graduation_year"])
        except (TypeError, ValueError):
            raise StudentError("毕业年份应为四位数字年份") from None
        latest = today().year + MAX_YEARS_AHEAD
        if not FIRST_GRADUATION_YEAR <= year <= latest:
            raise StudentError(f"毕业年份应在{FIRST_GRADUATION_YEAR}至{latest}年之间")
        changes["graduation_year"] = year
    return changes


def add_student(
    person: Person,
    *,
    actor: Any,
    school: str,
    graduation_year: int,
    major: str = "",
    degree: str = Education.BACHELOR,
    officer: Any = None,
    plan: str = "",
    status: str = StudentStatus.IN_SCHOOL,
) -> StudentRecord:
    """Put a person on the ledger (one ledger row per person) with a responsible officer of the
    person's district.  Raises ``StudentError`` if the person is already on it, the officer may not
    serve this district, or a field is invalid."""
    fields = _clean({"school": school, "major": major, "degree": degree, "graduation_year": graduation_year,
                     "plan": plan})  # fmt: skip
    if status not in StudentStatus.values:
        raise StudentError(f"未知状态：{status}")
    if officer is not None:
        _check_officer(officer, person.district_id)
    with transaction.atomic():
        locked = Person.objects.select_for_update().get(pk=person.pk)
        if StudentRecord.objects.filter(person=locked).exists():
            raise StudentError(f"{locked.name}已在高校学生台账中")
        student = StudentRecord.objects.create(
            person=locked, district_id=locked.district_id, officer=officer, status=status, **fields
        )
        audit.record(
            audit.AuditAction.CREATE,
            actor=actor,
            obj=student,
            object_label=f"{locked.name} {student}",
            changes=audit.diff({}, fields | {"status": status, "officer": getattr(officer, "username", None)}),
        )
    return student


def update_student(student: StudentRecord, *, actor: Any, **changes: Any) -> StudentRecord:
    """Change school, major, degree, graduation year, plan or outcome; the audit entry holds before
    and after.  Nothing is written when nothing changes."""
    changes = _clean(dict(changes))
    with transaction.atomic():
        locked = StudentRecord.objects.select_for_update().select_related("person").get(pk=student.pk)
        delta = audit.diff({k: getattr(locked, k) for k in changes}, changes)
        if not delta:
            return locked
        for key, value in changes.items():
            setattr(locked, key, value)
        locked.save()
        audit.record(
            audit.AuditAction.UPDATE, actor=actor, obj=locked, object_label=f"{locked.person.name} {locked}",
            changes=delta,
        )  # fmt: skip
    return locked


def update_plan(student: StudentRecord, *, actor: Any, plan: str, outcome: str | None = None) -> StudentRecord:
    """Rewrite the personal plan (一人一策) and, if given, the outcome so far."""
    changes: dict[str, Any] = {"plan": plan}
    if outcome is not None:
        changes["outcome"] = outcome
    return update_student(student, actor=actor, **changes)


def assign_officer(student: StudentRecord, *, actor: Any, officer: Any, reason: str = "") -> StudentRecord:
    """Make ``officer`` the one responsible officer of the student (replacing the previous one).
    The officer must be active staff whose districts include the student's district."""
    if officer is None:
        raise StudentError("请选择责任人")
    with transaction.atomic():
        locked = (
            StudentRecord.objects.select_for_update(of=("self",)).select_related("person", "officer").get(pk=student.pk)
        )
        _check_officer(officer, locked.district_id)
        if locked.officer_id == officer.pk:
            return locked
        before = locked.officer.username if locked.officer else None
        locked.officer = officer
        locked.save(update_fields=["officer", "updated_at"])
        audit.record(
            audit.AuditAction.UPDATE,
            actor=actor,
            obj=locked,
            object_label=f"{locked.person.name} {locked}",
            changes={"officer": [before, officer.username]},
            purpose=reason.strip(),
        )
    return locked


def add_plan_entry(
    student: StudentRecord,
    *,
    actor: Any,
    date: date,
    service_type: str,
    note: str,
    outcome: str = "",
) -> StudentPlanEntry:
    """Record one dated service delivered under the plan (who recorded it is the actor)."""
    if service_type not in ServiceType.values:
        raise StudentError(f"未知服务方式：{service_type}")
    note = (note or "").strip()
    if not note:
        raise StudentError("请填写服务内容")
    if date > today():
        raise StudentError("服务日期不能晚于今天")
    with transaction.atomic():
        locked = StudentRecord.objects.select_for_update().select_related("person").get(pk=student.pk)
        entry = StudentPlanEntry.objects.create(
            student=locked,
            district_id=locked.district_id,
            date=date,
            service_type=service_type,
            note=note,
            outcome=(outcome or "").strip(),
            recorded_by=actor if getattr(actor, "pk", None) else None,
        )
        audit.record(
            audit.AuditAction.CREATE,
            actor=actor,
            obj=locked,
            object_label=f"{locked.person.name} 帮扶记录",
            changes=audit.diff({}, {"entry": entry.pk, "date": date, "service_type": service_type,
                                    "note": note[:100], "outcome": entry.outcome}),
        )  # fmt: skip
    return entry


def has_current_employment(person: Person, on: date | None = None) -> bool:
    on = on or today()
    return EmploymentRecord.objects.filter(person=person, start_date__lte=on).exclude(end_date__lt=on).exists()


def set_student_status(
    student: StudentRecord,
    *,
    actor: Any,
    status: str,
    outcome: str | None = None,
    employment: dict[str, Any] | None = None,
) -> StudentRecord:
    """Move the student to another status (在校 / 毕业未就业 / 已就业 / 升学 / 其他).

    "已就业" must agree with the employment history, from which the person's own employment status is
    derived: either the person already has a current employment record, or ``employment`` carries the
    keyword arguments of ``add_employment_record`` (form, start_date, employer_name, ...) and the
    record is added in the same transaction.  Raises ``StudentError`` / ``RegistryError``."""
    if status not in StudentStatus.values:
        raise StudentError(f"未知状态：{status}")
    with transaction.atomic():
        locked = StudentRecord.objects.select_for_update().select_related("person").get(pk=student.pk)
        record = None
        if status == StudentStatus.EMPLOYED:
            if employment:
                record = add_employment_record(locked.person, actor=actor, **employment)
            elif not has_current_employment(locked.person):
                raise StudentError(
                    "标记为“已就业”前，请填写就业记录（就业形式、单位、开始日期），以便更新本人的就业状态"
                )
        changes: dict[str, Any] = {"status": status}
        if outcome is not None:
            changes["outcome"] = outcome.strip()
        delta = audit.diff({k: getattr(locked, k) for k in changes}, changes)
        if not delta:
            return locked
        for key, value in changes.items():
            setattr(locked, key, value)
        locked.save()
        audit.record(
            audit.AuditAction.UPDATE,
            actor=actor,
            obj=locked,
            object_label=f"{locked.person.name} {locked}",
            changes=delta | ({"employment_record": [None, record.pk]} if record else {}),
        )
    return locked


__all__ = [
    "STUDENT_FIELDS",
    "StudentError",
    "add_plan_entry",
    "add_student",
    "assign_officer",
    "has_current_employment",
    "officer_may_serve",
    "set_student_status",
    "update_plan",
    "update_student",
]
