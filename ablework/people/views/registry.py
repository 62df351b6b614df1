from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.views.decorators.http import require_POST

from ablework.core import audit, saved_filters
from ablework.core.files import csv_response, xlsx_response
from ablework.core.listing import apply_list, filtered
from ablework.core.models import District, Street
from ablework.employers import api as employers_api
from ablework.people import access, actions, queries
from ablework.people.enums import DisabilityCategory, DisabilityLevel, EmploymentStatus
from ablework.people.forms.registry import (
    CertificateForm,
    EmploymentRecordForm,
    EndEmploymentForm,
    PersonCreateForm,
    PersonFieldsForm,
)
from ablework.people.models import EmploymentRecord, Person
from ablework.people.queries import difficulty as difficulty_queries
from ablework.people.queries import search
from ablework.people.queries import services as services_queries

EXPORT_HEADERS = [
    "姓名", "身份证号（脱敏）", "性别", "出生日期", "区", "街道", "社区/村", "残疾类别", "残疾等级", "就业状态", "联系电话",
]  # fmt: skip
PEOPLE_LIST_NAME = "people"


def _mask_phone(phone: str) -> str:
    """``138****5678``: roles that may not unmask see only the first three and last four digits."""
    return phone[:3] + "*" * (len(phone) - 7) + phone[-4:] if len(phone) > 7 else "*" * len(phone)


def _export_people(request: HttpRequest, qs: QuerySet[Person], values: dict[str, str], fmt: str) -> HttpResponseBase:
    full_phone = access.can_unmask(request.user)
    # One entry for the file, indexed by every person in it (their access log shows the export).
    ids = list(qs.values_list("pk", flat=True))
    audit.record_many(
        audit.AuditAction.EXPORT,
        actor=request.user,
        object_type="people.person",
        object_ids=ids,
        object_label=f"残疾人名单导出（{len(ids)}条）",
        changes={"filters": search.audit_filters(values), "format": fmt, "count": len(ids)},
    )
    rows = (
        [
            p.name,
            p.id_masked,
            p.get_sex_display(),
            p.birth_date,
            p.district.name,
            p.street.name if p.street else "",
            p.community,
            p.get_disability_category_display(),
            p.get_disability_level_display(),
            p.get_status_display(),
            p.phone if full_phone else _mask_phone(p.phone),
        ]
        for p in qs.iterator(chunk_size=2000)
    )
    if fmt == "csv":
        return csv_response("残疾人名单.csv", EXPORT_HEADERS, rows)
    return xlsx_response("残疾人名单.xlsx", EXPORT_HEADERS, list(rows))


@login_required
def person_list(request: HttpRequest) -> HttpResponseBase:
    """The person list: search (name, pinyin, initials, exact ID or certificate number), filters,
    saved filters and export.  Each search is a read of personal data: one audit entry with the
    filters (an ID number only as "an ID search"), the count and the persons shown."""
    if not access.can_list_people(request.user):
        raise Http404
    qs = queries.list_people()
    fmt = request.GET.get("export")
    if fmt in ("csv", "xlsx"):
        qs, values, _ = filtered(request, qs, queries.PEOPLE_LIST)
        return _export_people(request, qs, values, fmt)
    state = apply_list(request, qs, queries.PEOPLE_LIST)
    logged = search.audit_filters(state.values)
    if logged:
        audit.record_many(
            audit.AuditAction.READ,
            actor=request.user,
            object_type="people.person",
            object_ids=[p.pk for p in state.page],
            object_label=f"残疾人查询（{state.page.paginator.count}条）",
            changes={"filters": logged, "count": state.page.paginator.count},
            purpose="查询残疾人",
        )
    q = state.values.get("q", "")
    query = search.classify_query(q) if q else None
    savable = {k: v for k, v in state.values.items() if v and not (k == "q" and search.is_secret_query(v))}
    if state.sort and state.sort != queries.PEOPLE_LIST.default_sort:
        savable["sort"] = state.sort
    district_ids = request.user.scope_district_ids()  # type: ignore[union-attr]
    streets = Street.objects.filter(district_id__in=district_ids).select_related("district")
    template = "people/includes/person_table.html" if request.headers.get("HX-Request") else "people/person_list.html"
    return render(
        request,
        template,
        {
            "state": state,
            "districts": District.objects.filter(id__in=district_ids),
            "streets": streets.order_by("district__sort_order", "district__code", "code"),
            "categories": DisabilityCategory.choices,
            "levels": DisabilityLevel.choices,
            "statuses": EmploymentStatus.choices,
            "gaps": search.GAP_CHOICES,
            "search_hint": query.hint if query and state.page.paginator.count == 0 else "",
            "saved_filters": saved_filters.list_saved_filters(request.user, PEOPLE_LIST_NAME),
            "saved_list_name": PEOPLE_LIST_NAME,
            "save_query": urlencode(savable),
            "can_create": access.can_edit_people(request.user),
        },
    )


@login_required
def person_detail(request: HttpRequest, pk: int) -> HttpResponse:
    person = access.access_person(request.user, pk)
    audit.record_read(person, actor=request.user, purpose=request.GET.get("purpose", "查看个人档案"))
    return render(
        request,
        "people/person_detail.html",
        {
            "person": person,
            "certificates": person.certificates.all(),
            "employment": person.employment_records.select_related("employer"),
            "si_rows": person.si_contributions.order_by("-month", "employer_uscc")[:24],
            "working_age": actions.is_working_age(person),
            "history": audit.history_for(person),
            "can_unmask": access.can_unmask(request.user),
            "can_edit": access.can_edit_people(request.user),
            "services_summary": services_queries.services_summary(person),
            "difficulty_summary": difficulty_queries.difficulty_summary(person, user=request.user),
            "can_record_services": access.can_record_services(request.user),
            "student": getattr(person, "student_record", None) if hasattr(person, "student_record") else None,
        },
    )


def _district_ids(request: HttpRequest) -> list[int]:
    return list(request.user.scope_district_ids())  # type: ignore[union-attr]


@login_required
def person_create(request: HttpRequest) -> HttpResponse:
    if not access.can_edit_people(request.user):
        raise Http404
    form = PersonCreateForm(request.POST or None, district_ids=_district_ids(request))
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        rid = data.pop("resident_id")
        cert = {k: data.pop(k) for k in ("cert_kind", "cert_number", "military_level", "issued_on", "valid_until")}
        try:
            with transaction.atomic():
                result = actions.register_person(actor=request.user, resident_id=rid.number, **data)
                if result.outcome != "created":
                    raise actions.RegistryError("该身份证号已登记，请在档案中修改")
                actions.add_certificate(
                    result.person, actor=request.user, kind=cert["cert_kind"], number=cert["cert_number"],
                    military_level=cert["military_level"], issued_on=cert["issued_on"], valid_until=cert["valid_until"],
                )  # fmt: skip
        except actions.RegistryError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, f"已登记{result.person.name}")
            return redirect("people:detail", pk=result.person.pk)
    return render(request, "people/person_form.html", {"form": form, "title": "登记残疾人"})


@login_required
def person_edit(request: HttpRequest, pk: int) -> HttpResponse:
    person = access.access_person_for_edit(request.user, pk)
    initial = {f: getattr(person, f) for f in actions.EDITABLE_FIELDS}
    form = PersonFieldsForm(request.POST or None, initial=initial, district_ids=_district_ids(request))
    if request.method == "POST" and form.is_valid():
        try:
            actions.update_person(person, actor=request.user, **form.cleaned_data)
        except actions.RegistryError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "已保存")
            return redirect("people:detail", pk=person.pk)
    return render(
        request, "people/person_form.html", {"form": form, "person": person, "title": f"修改 {person.name} 的信息"}
    )


@login_required
def certificate_add(request: HttpRequest, pk: int) -> HttpResponse:
    person = access.access_person_for_edit(request.user, pk)
    form = CertificateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.add_certificate(person, actor=request.user, **form.cleaned_data)
        except actions.RegistryError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "已登记证件")
            return redirect("people:detail", pk=person.pk)
    return render(request, "people/person_form.html", {"form": form, "person": person, "title": "登记证件"})


@login_required
def employment_add(request: HttpRequest, pk: int) -> HttpResponse:
    person = access.access_person_for_edit(request.user, pk)
    form = EmploymentRecordForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        uscc = data.pop("employer_uscc")
        employer = employers_api.find_employer_by_uscc(uscc.code) if uscc else None
        try:
            actions.add_employment_record(
                person, actor=request.user, employer=employer, employer_uscc=uscc.code if uscc else "", **data
            )
        except actions.RegistryError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "已添加就业记录")
            return redirect("people:detail", pk=person.pk)
    return render(request, "people/person_form.html", {"form": form, "person": person, "title": "添加就业记录"})


@login_required
def employment_end(request: HttpRequest, pk: int, record_pk: int) -> HttpResponse:
    person = access.access_person_for_edit(request.user, pk)
    record = get_object_or_404(EmploymentRecord, pk=record_pk, person=person)
    form = EndEmploymentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.end_employment(record, actor=request.user, **form.cleaned_data)
        except actions.RegistryError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "已登记就业结束")
            return redirect("people:detail", pk=person.pk)
    return render(request, "people/person_form.html", {"form": form, "person": person, "title": f"结束就业：{record}"})


@login_required
@require_POST
def person_unmask(request: HttpRequest, pk: int) -> HttpResponse:
    person = access.access_person(request.user, pk)
    if not access.can_unmask(request.user):
        raise Http404
    purpose = request.POST.get("purpose", "").strip()
    if not purpose:
        return render(request, "people/includes/unmask.html", {"person": person, "error": "请填写查看用途"}, status=422)
    number = actions.reveal_resident_id(person, actor=request.user, purpose=purpose)
    return render(request, "people/includes/unmask.html", {"person": person, "number": number})


urlpatterns = [
    path("", person_list, name="list"),
    path("<int:pk>/", person_detail, name="detail"),
    path("<int:pk>/unmask/", person_unmask, name="unmask"),
    path("new/", person_create, name="create"),
    path("<int:pk>/edit/", person_edit, name="edit"),
    path("<int:pk>/certificates/new/", certificate_add, name="certificate_add"),
    path("<int:pk>/employment/new/", employment_add, name="employment_add"),
    path("<int:pk>/employment/<int:record_pk>/end/", employment_end, name="employment_end"),
]
