"""College-student ledger (一人一策): list with filters and masked Excel export, detail with the plan
and its service entries, add/edit, responsible-officer assignment and status.

Staff of a district see its students (the scoped manager filters); district officers and city
administrators write.  Missing and out-of-district records both answer 404.  Every read of a student's
record is logged on the person, so that it appears in the person's own access log.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.views.decorators.http import require_http_methods

from ablework.accounts.enums import Role
from ablework.core import audit
from ablework.core.crypto import lookup_hash
from ablework.core.files import xlsx_response
from ablework.core.listing import apply_list, filtered
from ablework.core.models import District
from ablework.people import access, actions
from ablework.people.actions.students import STUDENT_FIELDS, has_current_employment
from ablework.people.enums import StudentStatus
from ablework.people.forms.students import (
    AssignOfficerForm,
    PlanEntryForm,
    StudentAddForm,
    StudentEditForm,
    StudentStatusForm,
)
from ablework.people.models import Person, StudentRecord
from ablework.people.queries import students as queries

EDIT_ROLES = frozenset({Role.CITY_ADMIN, Role.DISTRICT_OFFICER})
EXPORT_HEADERS = ["姓名", "身份证号（脱敏）", "户籍区", "学校", "专业", "学历", "毕业年份", "状态", "责任人",
                  "一人一策帮扶计划", "帮扶结果"]  # fmt: skip
EXPORT_PURPOSE = "高校学生台账导出"


def can_edit_students(user: Any) -> bool:
    return bool(access.can_list_people(user) and getattr(user, "role", None) in EDIT_ROLES)


def access_student(user: Any, pk: int) -> StudentRecord:
    """The student, if inside the user's district scope; 404 for missing and forbidden alike."""
    if not access.can_list_people(user):
        raise Http404
    student = queries.get_student(pk)
    if student is None:
        raise Http404
    return student


def _editable_student(user: Any, pk: int) -> StudentRecord:
    student = access_student(user, pk)
    if not can_edit_students(user):
        raise Http404
    return student


def _officer_name(user: Any) -> str:
    return (user.display_name or user.username) if user else ""


@login_required
def students_list(request: HttpRequest) -> HttpResponseBase:
    if not access.can_list_people(request.user):
        raise Http404
    spec = queries.student_list_spec(request.user)
    qs = queries.list_students()
    if request.GET.get("export") == "xlsx":
        qs, values, _ = filtered(request, qs, spec)
        students = list(qs)
        # One entry per exported person, so that each person's own access log shows the export.
        audit.record_many(
            audit.AuditAction.EXPORT, actor=request.user, object_type="people.person",
            object_ids=[s.person_id for s in students], object_label=f"高校学生台账导出（{len(students)}条）",
            purpose=EXPORT_PURPOSE, changes={"filters": values, "format": "xlsx"},
        )  # fmt: skip
        rows = [
            [
                s.person.name,
                s.person.id_masked,
                s.district.name,
                s.school,
                s.major,
                s.get_degree_display(),
                s.graduation_year,
                s.get_status_display(),
                _officer_name(s.officer) or "未分配",
                s.plan,
                s.outcome,
            ]
            for s in students
        ]
        return xlsx_response("高校残疾学生台账.xlsx", EXPORT_HEADERS, rows)
    state = apply_list(request, qs, spec)
    scope_ids = request.user.scope_district_ids()  # type: ignore[union-attr]
    return render(
        request,
        "people/students/student_list.html",
        {
            "state": state,
            "statuses": StudentStatus.choices,
            "years": queries.graduation_years(),
            "districts": District.objects.filter(id__in=scope_ids),
            "officers": queries.eligible_officers(scope_ids),
            "can_edit": can_edit_students(request.user),
        },
    )


def _person_from_query(request: HttpRequest) -> Person | None:
    raw = request.GET.get("person", "")
    if not raw.isdigit():
        return None
    return access.access_person(request.user, int(raw))


@login_required
@require_http_methods(["GET", "POST"])
def students_add(request: HttpRequest) -> HttpResponse:
    if not can_edit_students(request.user):
        raise Http404
    person = _person_from_query(request)
    scope_ids = request.user.scope_district_ids()  # type: ignore[union-attr]
    officers = queries.eligible_officers([person.district_id] if person else scope_ids)
    form = StudentAddForm(request.POST or None, officers=officers, with_resident_id=person is None,
                          initial={"officer": request.user.pk})  # fmt: skip
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if person is None:
            person = Person.objects.filter(id_hash=lookup_hash(data["resident_id"].number)).first()
            if person is None:
                form.add_error("resident_id", "在您的辖区内未找到该身份证号登记的人员，请先在残疾人信息中登记")
        if person is not None:
            try:
                student = actions.add_student(
                    person, actor=request.user, school=data["school"], major=data["major"], degree=data["degree"],
                    graduation_year=data["graduation_year"], officer=data["officer"], plan=data["plan"],
                )  # fmt: skip
            except actions.StudentError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, f"已将{person.name}加入高校学生台账。")
                return redirect("people:students_detail", pk=student.pk)
    return render(
        request, "people/students/student_form.html", {"form": form, "person": person, "title": "新增台账记录"}
    )


@login_required
def students_detail(request: HttpRequest, pk: int) -> HttpResponse:
    student = access_student(request.user, pk)
    audit.record_read(student.person, actor=request.user, purpose=request.GET.get("purpose", "查看高校学生台账"))
    can_edit = can_edit_students(request.user)
    return render(
        request,
        "people/students/student_detail.html",
        {
            "student": student,
            "person": student.person,
            "entries": queries.list_entries(student),
            "history": audit.history_for(student),
            "can_edit": can_edit,
            "entry_form": PlanEntryForm(prefix="entry") if can_edit else None,
            "status_form": _status_form(student, None) if can_edit else None,
            "officer_form": AssignOfficerForm(
                officers=queries.eligible_officers([student.district_id]), initial={"officer": student.officer_id}
            )
            if can_edit
            else None,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def students_edit(request: HttpRequest, pk: int) -> HttpResponse:
    student = _editable_student(request.user, pk)
    initial = {k: getattr(student, k) for k in STUDENT_FIELDS}
    form = StudentEditForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            actions.update_student(student, actor=request.user, **form.cleaned_data)
        except actions.StudentError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "台账信息已保存。")
            return redirect("people:students_detail", pk=student.pk)
    return render(
        request,
        "people/students/student_form.html",
        {"form": form, "person": student.person, "student": student, "title": "修改台账记录"},
    )


@login_required
@require_http_methods(["GET", "POST"])
def students_officer(request: HttpRequest, pk: int) -> HttpResponse:
    student = _editable_student(request.user, pk)
    officers = queries.eligible_officers([student.district_id])
    form = AssignOfficerForm(request.POST or None, officers=officers, initial={"officer": student.officer_id})
    if request.method == "POST" and form.is_valid():
        try:
            actions.assign_officer(
                student, actor=request.user, officer=form.cleaned_data["officer"], reason=form.cleaned_data["reason"]
            )
        except actions.StudentError as exc:
            form.add_error("officer", str(exc))
        else:
            messages.success(request, "责任人已调整。")
            return redirect("people:students_detail", pk=student.pk)
    return render(
        request,
        "people/students/student_action.html",
        {"form": form, "student": student, "title": "调整责任人", "action": "people:students_officer"},
        status=422 if request.method == "POST" else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def students_entry_add(request: HttpRequest, pk: int) -> HttpResponse:
    student = _editable_student(request.user, pk)
    form = PlanEntryForm(request.POST or None, prefix="entry")
    if request.method == "POST" and form.is_valid():
        try:
            actions.add_plan_entry(student, actor=request.user, **form.cleaned_data)
        except actions.StudentError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "帮扶记录已添加。")
            return redirect("people:students_detail", pk=student.pk)
    return render(
        request,
        "people/students/student_action.html",
        {"form": form, "student": student, "title": "添加帮扶记录", "action": "people:students_entry_add"},
        status=422 if request.method == "POST" else 200,
    )


def _status_form(student: StudentRecord, data: Any) -> StudentStatusForm:
    return StudentStatusForm(
        data,
        prefix="status",
        needs_employment=not has_current_employment(student.person),
        initial={"status": student.status, "outcome": student.outcome},
    )


@login_required
@require_http_methods(["GET", "POST"])
def students_status(request: HttpRequest, pk: int) -> HttpResponse:
    student = _editable_student(request.user, pk)
    form = _status_form(student, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.set_student_status(
                student,
                actor=request.user,
                status=form.cleaned_data["status"],
                outcome=form.cleaned_data["outcome"],
                employment=form.employment(),
            )
        except actions.RegistryError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "状态已更新。")
            return redirect("people:students_detail", pk=student.pk)
    return render(
        request,
        "people/students/student_action.html",
        {"form": form, "student": student, "title": "更新状态", "action": "people:students_status"},
        status=422 if request.method == "POST" else 200,
    )


urlpatterns: list[URLPattern] = [
    path("students/", students_list, name="students_list"),
    path("students/add/", students_add, name="students_add"),
    path("students/<int:pk>/", students_detail, name="students_detail"),
    path("students/<int:pk>/edit/", students_edit, name="students_edit"),
    path("students/<int:pk>/officer/", students_officer, name="students_officer"),
    path("students/<int:pk>/entries/add/", students_entry_add, name="students_entry_add"),
    path("students/<int:pk>/status/", students_status, name="students_status"),
]
