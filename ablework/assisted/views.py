"""Pages of the assisted-employment system: institutions, participants (agreements, monthly hours and
pay), labour projects and their allocation, the 涉农区 coverage page, rural support bases.

Every page decides access first (``assisted.access``: 404 for missing and forbidden alike), then calls
an action or a query.  Reads of personal records (participants) are audited, one entry per page or export.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager, nullcontext
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import escape_uri_path

from ablework.assisted import access, actions, queries
from ablework.assisted import imports as assisted_imports
from ablework.assisted.enums import (
    InstitutionKind,
    InstitutionStatus,
    ParticipantStatus,
    RuralBaseKind,
    RuralIndustry,
    SourceUnitKind,
)
from ablework.assisted.facts import eligibility_of
from ablework.assisted.forms import (
    AgreementForm,
    AllocateForm,
    InstitutionForm,
    LeaveForm,
    MonthForm,
    OutputForm,
    ParticipantForm,
    ProjectForm,
    RuralBaseForm,
    StaffForm,
    SupportForm,
)
from ablework.assisted.models import Institution, LabourProject, RuralBase
from ablework.core import audit
from ablework.core import imports as core_imports
from ablework.core.files import xlsx_response
from ablework.core.listing import ListSpec, apply_list, filtered
from ablework.core.models import District
from ablework.core.scoping import district_scope


@contextmanager
def _own_scope(request: HttpRequest, district_id: int) -> Iterator[None]:
    """An institution's own users have no district scope; once access has decided, their pages read and
    write inside the institution's district."""
    ctx = nullcontext() if access.can_list(request.user) else district_scope([district_id])
    with ctx:
        yield


def _district_ids(request: HttpRequest) -> list[int]:
    return list(request.user.scope_district_ids())  # type: ignore[union-attr]


def _add_errors(form: forms.BaseForm, exc: actions.AssistedError) -> None:
    if not exc.errors:
        form.add_error(None, str(exc))
    for field, message in exc.errors.items():
        form.add_error(field if field in form.fields else None, message)


def _form_page(
    request: HttpRequest,
    form: forms.BaseForm,
    *,
    title: str,
    back: str,
    crumb: str,
    submit: str = "保存",
    intro: str = "",
) -> HttpResponse:
    return render(
        request,
        "assisted/form.html",
        {"form": form, "title": title, "back": back, "crumb": crumb, "submit": submit, "intro": intro},
    )


def _export(
    request: HttpRequest,
    qs: QuerySet[Any],
    spec: ListSpec,
    *,
    filename: str,
    headers: Sequence[str],
    rows: Callable[[Iterable[Any]], Iterable[list[Any]]],
    object_type: str,
    personal: bool,
) -> HttpResponseBase:
    qs, values, _ = filtered(request, qs, spec)
    items = list(qs)
    filters = {k: v for k, v in values.items() if v}
    if personal:
        audit.record_many(
            audit.AuditAction.EXPORT,
            actor=request.user,
            object_type=object_type,
            object_ids=[o.pk for o in items],
            object_label=f"{filename}导出（{len(items)}条）",
            changes={"filters": filters, "format": "xlsx"},
            purpose="导出名单",
        )
    else:
        with transaction.atomic():
            audit.record(
                audit.AuditAction.EXPORT,
                actor=request.user,
                object_type=object_type,
                object_label=f"{filename}导出（{len(items)}条）",
                changes={"filters": filters, "format": "xlsx", "count": len(items)},
                purpose="导出名单",
            )
    return xlsx_response(f"{filename}.xlsx", headers, list(rows(items)))


def _list_context(request: HttpRequest) -> dict[str, Any]:
    return {
        "districts": District.objects.filter(pk__in=_district_ids(request)),
        "can_edit": access.can_edit(request.user),
        "can_record": access.can_record(request.user),
    }


# --- institutions -----------------------------------------------------------------------------------------


@login_required
def institution_list(request: HttpRequest) -> HttpResponseBase:
    if not access.can_list(request.user):
        raise Http404
    qs = queries.list_institutions()
    if request.GET.get("export") == "xlsx":
        return _export(
            request, qs, queries.INSTITUTION_LIST, filename="辅助性就业机构名单", headers=queries.INSTITUTION_HEADERS,
            rows=queries.institution_rows, object_type="assisted.institution", personal=False,
        )  # fmt: skip
    state = apply_list(request, qs, queries.INSTITUTION_LIST)
    ctx = _list_context(request) | {
        "state": state, "kinds": InstitutionKind.choices, "statuses": InstitutionStatus.choices,
    }  # fmt: skip
    return render(request, "assisted/institution_list.html", ctx)


@login_required
def institution_create(request: HttpRequest) -> HttpResponse:
    if not access.can_edit(request.user):
        raise Http404
    form = InstitutionForm(request.POST or None, district_ids=_district_ids(request))
    if request.method == "POST" and form.is_valid():
        try:
            inst = actions.save_institution(form.save(commit=False), actor=request.user)
        except actions.AssistedError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, f"已登记“{inst.name}”")
            return redirect("assisted:institution_detail", pk=inst.pk)
    return _form_page(
        request, form, title="登记辅助性就业机构", back=reverse("assisted:institution_list"), crumb="辅助性就业机构"
    )


def _render_institution(request: HttpRequest, inst: Institution, *, own: bool) -> HttpResponse:
    with _own_scope(request, inst.district_id):
        return _render_institution_in_scope(request, inst, own=own)


def _render_institution_in_scope(request: HttpRequest, inst: Institution, *, own: bool) -> HttpResponse:
    participants = list(queries.participants_of(inst))
    if participants:
        audit.record_many(
            audit.AuditAction.READ,
            actor=request.user,
            object_type="assisted.participant",
            object_ids=[p.pk for p in participants],
            object_label=f"{inst.name}人员名单",
            purpose="查看机构人员名单",
            district_code=inst.district.code,
        )
    return render(
        request,
        "assisted/institution_detail.html",
        {
            "inst": inst,
            "own": own,
            "participants": participants,
            "staff": inst.staff.all(),
            "projects": LabourProject.objects.filter(institution=inst).order_by("-allocated_on"),
            "summary": queries.institution_summary(inst),
            "can_edit": access.can_edit(request.user),
            "can_record": access.can_record(request.user) or own,
        },
    )


@login_required
def institution_detail(request: HttpRequest, pk: int) -> HttpResponse:
    inst = access.access_institution(request.user, pk)
    return _render_institution(request, inst, own=not access.can_list(request.user))


@login_required
def institution_mine(request: HttpRequest) -> HttpResponse:
    """本机构: the page of the institution a user's organisation stands for."""
    inst = access.own_institution(request.user)
    if inst is None:
        raise Http404
    return _render_institution(request, inst, own=True)


@login_required
def institution_edit(request: HttpRequest, pk: int) -> HttpResponse:
    inst = access.access_institution_for_edit(request.user, pk)
    form = InstitutionForm(request.POST or None, instance=inst, district_ids=_district_ids(request))
    if request.method == "POST" and form.is_valid():
        try:
            actions.save_institution(form.save(commit=False), actor=request.user)
        except actions.AssistedError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, "已保存")
            return redirect("assisted:institution_detail", pk=inst.pk)
    back = reverse("assisted:institution_detail", args=[inst.pk])
    return _form_page(request, form, title=f"修改机构信息：{inst.name}", back=back, crumb=inst.name)


@login_required
def staff_add(request: HttpRequest, pk: int) -> HttpResponse:
    inst = access.access_institution_for_edit(request.user, pk)
    form = StaffForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.add_staff(inst, actor=request.user, **form.cleaned_data)
        except actions.AssistedError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, "已登记工作人员")
            return redirect("assisted:institution_detail", pk=inst.pk)
    back = reverse("assisted:institution_detail", args=[inst.pk])
    return _form_page(request, form, title="登记工作人员（含就业辅导员）", back=back, crumb=inst.name)


@login_required
def coverage(request: HttpRequest) -> HttpResponse:
    """涉农区辅助性就业工作站全覆盖 (R9.4): active workstations per district."""
    if not access.can_list(request.user):
        raise Http404
    kpi = queries.coverage_kpi()
    mine = set(District.objects.filter(pk__in=_district_ids(request)).values_list("code", flat=True))
    ctx = {"kpi": kpi, "today": timezone.localdate(), "mine": mine}
    return render(request, "assisted/coverage.html", ctx)


# --- participants -----------------------------------------------------------------------------------------


@login_required
def participant_list(request: HttpRequest) -> HttpResponseBase:
    if not access.can_list(request.user):
        raise Http404
    qs = queries.list_participants()
    if request.GET.get("export") == "xlsx":
        return _export(
            request, qs, queries.PARTICIPANT_LIST, filename="辅助性就业人员名单", headers=queries.PARTICIPANT_HEADERS,
            rows=queries.participant_rows, object_type="assisted.participant", personal=True,
        )  # fmt: skip
    state = apply_list(request, qs, queries.PARTICIPANT_LIST)
    shown = [p.pk for p in state.page]
    if shown:
        audit.record_many(
            audit.AuditAction.READ,
            actor=request.user,
            object_type="assisted.participant",
            object_ids=shown,
            object_label="辅助性就业人员名单",
            purpose="查看人员名单",
        )
    ctx = _list_context(request) | {"state": state, "statuses": ParticipantStatus.choices}
    return render(request, "assisted/participant_list.html", ctx)


@login_required
def participant_add(request: HttpRequest, pk: int) -> HttpResponse:
    inst = access.access_institution_for_records(request.user, pk)
    with _own_scope(request, inst.district_id):
        return _participant_add(request, inst)


def _participant_add(request: HttpRequest, inst: Institution) -> HttpResponse:
    form = ParticipantForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        person = data.pop("person")
        try:
            part = actions.add_participant(inst, person, actor=request.user, **data)
        except actions.AssistedError as exc:
            _add_errors(form, exc)
        else:
            if part.eligible:
                messages.success(request, f"已登记{person.name}，符合辅助性就业对象条件")
            else:
                messages.warning(request, f"已登记{person.name}。{part.eligibility_note}，不计入机构补贴人数")
            return redirect("assisted:participant_detail", pk=part.pk)
    back = reverse("assisted:institution_detail", args=[inst.pk])
    return _form_page(request, form, title=f"登记辅助性就业人员：{inst.name}", back=back, crumb=inst.name)


@login_required
def participant_detail(request: HttpRequest, pk: int) -> HttpResponse:
    part = access.access_participant(request.user, pk)
    audit.record_read(part, actor=request.user, purpose="查看辅助性就业人员")
    result = eligibility_of(part.person, timezone.localdate(), part.institution.district)
    with _own_scope(request, part.district_id):
        return render(
            request,
            "assisted/participant_detail.html",
            {
                "part": part,
                "eligibility": result,
                "agreements": part.agreements.all(),
                "months": queries.months_of(part)[:24],
                "can_record": access.can_record_for(request.user, part),
                "staff_view": access.can_list(request.user),
            },
        )


def _participant_form(
    request: HttpRequest, pk: int, form_class: type[forms.Form], title: str, run: Callable[..., Any], done: str
) -> HttpResponse:
    part = access.access_participant(request.user, pk)
    if not access.can_record_for(request.user, part):
        raise Http404
    with _own_scope(request, part.district_id):
        return _participant_form_in_scope(request, part, form_class, title, run, done)


def _participant_form_in_scope(
    request: HttpRequest, part: Any, form_class: type[forms.Form], title: str, run: Callable[..., Any], done: str
) -> HttpResponse:
    form = form_class(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            run(part, actor=request.user, **form.cleaned_data)
        except actions.AssistedError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, done)
            return redirect("assisted:participant_detail", pk=part.pk)
    back = reverse("assisted:participant_detail", args=[part.pk])
    return _form_page(request, form, title=f"{title}：{part.person.name}", back=back, crumb=part.person.name)


@login_required
def agreement_add(request: HttpRequest, pk: int) -> HttpResponse:
    return _participant_form(request, pk, AgreementForm, "登记协议", actions.add_agreement, "已登记协议")


@login_required
def month_add(request: HttpRequest, pk: int) -> HttpResponse:
    return _participant_form(request, pk, MonthForm, "登记月度工时与报酬", actions.record_month, "已登记")


@login_required
def participant_leave(request: HttpRequest, pk: int) -> HttpResponse:
    return _participant_form(request, pk, LeaveForm, "登记离开", actions.end_participation, "已登记离开")


# --- labour projects ---------------------------------------------------------------------------------------


@login_required
def project_list(request: HttpRequest) -> HttpResponseBase:
    if not access.can_list(request.user):
        raise Http404
    qs = queries.list_projects()
    if request.GET.get("export") == "xlsx":
        return _export(
            request, qs, queries.PROJECT_LIST, filename="辅助性就业劳动项目", headers=queries.PROJECT_HEADERS,
            rows=queries.project_rows, object_type="assisted.labourproject", personal=False,
        )  # fmt: skip
    state = apply_list(request, qs, queries.PROJECT_LIST)
    ctx = _list_context(request) | {"state": state, "source_kinds": SourceUnitKind.choices}
    return render(request, "assisted/project_list.html", ctx)


@login_required
def project_create(request: HttpRequest) -> HttpResponse:
    if not access.can_edit(request.user):
        raise Http404
    form = ProjectForm(request.POST or None, district_ids=_district_ids(request))
    if request.method == "POST" and form.is_valid():
        try:
            project = actions.save_project(form.save(commit=False), actor=request.user)
        except actions.AssistedError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, "已登记劳动项目")
            return redirect("assisted:project_detail", pk=project.pk)
    return _form_page(request, form, title="登记劳动项目", back=reverse("assisted:project_list"), crumb="劳动项目")


@login_required
def project_detail(request: HttpRequest, pk: int) -> HttpResponse:
    project = access.access_project(request.user, pk)
    outputs = list(queries.outputs_of(project))
    return render(
        request,
        "assisted/project_detail.html",
        {
            "project": project,
            "outputs": outputs,
            "income": sum((o.income for o in outputs), 0),
            "can_edit": access.can_edit(request.user),
        },
    )


@login_required
def project_edit(request: HttpRequest, pk: int) -> HttpResponse:
    project = access.access_project(request.user, pk)
    if not access.can_edit(request.user):
        raise Http404
    form = ProjectForm(request.POST or None, instance=project, district_ids=_district_ids(request))
    if request.method == "POST" and form.is_valid():
        try:
            actions.save_project(form.save(commit=False), actor=request.user)
        except actions.AssistedError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, "已保存")
            return redirect("assisted:project_detail", pk=project.pk)
    back = reverse("assisted:project_detail", args=[project.pk])
    return _form_page(request, form, title="修改劳动项目", back=back, crumb=str(project))


@login_required
def project_allocate(request: HttpRequest, pk: int) -> HttpResponse:
    project = access.access_project(request.user, pk)
    if not access.can_edit(request.user):
        raise Http404
    form = AllocateForm(request.POST or None, project=project)
    if request.method == "POST" and form.is_valid():
        try:
            actions.allocate_project(
                project, form.cleaned_data["institution"], actor=request.user, on=form.cleaned_data["allocated_on"]
            )
        except actions.AssistedError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, "已调配")
            return redirect("assisted:project_detail", pk=project.pk)
    back = reverse("assisted:project_detail", args=[project.pk])
    return _form_page(request, form, title="调配劳动项目", back=back, crumb=str(project), submit="调配")


@login_required
def output_add(request: HttpRequest, pk: int) -> HttpResponse:
    project = access.access_project(request.user, pk)
    if not access.can_record(request.user):
        raise Http404
    form = OutputForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.record_output(project, actor=request.user, **form.cleaned_data)
        except actions.AssistedError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, "已登记产出")
            return redirect("assisted:project_detail", pk=project.pk)
    back = reverse("assisted:project_detail", args=[project.pk])
    return _form_page(request, form, title="登记项目月度产出", back=back, crumb=str(project))


# --- rural bases -------------------------------------------------------------------------------------------


@login_required
def rural_list(request: HttpRequest) -> HttpResponseBase:
    if not access.can_list(request.user):
        raise Http404
    qs = queries.list_rural_bases()
    if request.GET.get("export") == "xlsx":
        return _export(
            request, qs, queries.RURAL_LIST, filename="农村助残基地名单", headers=queries.RURAL_HEADERS,
            rows=queries.rural_rows, object_type="assisted.ruralbase", personal=False,
        )  # fmt: skip
    state = apply_list(request, qs, queries.RURAL_LIST)
    ctx = _list_context(request) | {
        "state": state, "kinds": RuralBaseKind.choices, "industries": RuralIndustry.choices,
    }  # fmt: skip
    return render(request, "assisted/rural_list.html", ctx)


@login_required
def rural_create(request: HttpRequest) -> HttpResponse:
    if not access.can_edit(request.user):
        raise Http404
    form = RuralBaseForm(request.POST or None, district_ids=_district_ids(request))
    if request.method == "POST" and form.is_valid():
        try:
            base = actions.save_rural_base(form.save(commit=False), actor=request.user)
        except actions.AssistedError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, "已登记")
            return redirect("assisted:rural_detail", pk=base.pk)
    return _form_page(
        request, form, title="登记农村助残基地", back=reverse("assisted:rural_list"), crumb="农村助残基地"
    )


@login_required
def rural_detail(request: HttpRequest, pk: int) -> HttpResponse:
    base = access.access_rural_base(request.user, pk)
    supports = list(queries.supports_of(base))
    if supports:
        audit.record_many(
            audit.AuditAction.READ,
            actor=request.user,
            object_type="assisted.ruralsupport",
            object_ids=[s.pk for s in supports],
            object_label=f"{base.name}帮扶名单",
            purpose="查看基地帮扶名单",
            district_code=base.district.code,
        )
    return render(
        request,
        "assisted/rural_detail.html",
        {
            "base": base,
            "supports": supports,
            "income": sum((s.income for s in supports), 0),
            "can_edit": access.can_edit(request.user),
            "can_record": access.can_record(request.user),
        },
    )


@login_required
def rural_edit(request: HttpRequest, pk: int) -> HttpResponse:
    base = access.access_rural_base(request.user, pk)
    if not access.can_edit(request.user):
        raise Http404
    form = RuralBaseForm(request.POST or None, instance=base, district_ids=_district_ids(request))
    if request.method == "POST" and form.is_valid():
        try:
            actions.save_rural_base(form.save(commit=False), actor=request.user)
        except actions.AssistedError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, "已保存")
            return redirect("assisted:rural_detail", pk=base.pk)
    back = reverse("assisted:rural_detail", args=[base.pk])
    return _form_page(request, form, title=f"修改：{base.name}", back=back, crumb=base.name)


@login_required
def support_add(request: HttpRequest, pk: int) -> HttpResponse:
    base: RuralBase = access.access_rural_base(request.user, pk)
    if not access.can_record(request.user):
        raise Http404
    form = SupportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        person = data.pop("person")
        try:
            actions.add_support(base, person, actor=request.user, **data)
        except actions.AssistedError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, "已登记帮扶记录")
            return redirect("assisted:rural_detail", pk=base.pk)
    back = reverse("assisted:rural_detail", args=[base.pk])
    return _form_page(request, form, title=f"登记帮扶记录：{base.name}", back=back, crumb=base.name)


# --- import of monthly records ------------------------------------------------------------------------


class MonthImportForm(forms.Form):
    file = forms.FileField(
        label="Excel或CSV文件",
        help_text="每人每月一行：身份证号、姓名、月份、工作时长、劳动报酬、银行发放",
        widget=forms.ClearableFileInput(attrs={"class": "form-control", "accept": ".xlsx,.xls,.xlsm,.ods,.csv"}),
    )


@login_required
def month_import(request: HttpRequest, pk: int) -> HttpResponse:
    inst = access.access_institution_for_records(request.user, pk)
    form = MonthImportForm(request.POST or None, request.FILES or None)
    batch = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        with _own_scope(request, inst.district_id):
            submitted = assisted_imports.import_months(
                inst, actor=request.user, filename=upload.name, data=upload.read()
            )
        batch = submitted.batch
        if not submitted.created:
            messages.info(request, f"该文件此前已导入（批次{batch.pk}），本次未重复导入。以下是当时的结果。")
    return render(
        request,
        "assisted/month_import.html",
        {"inst": inst, "form": form, "batch": batch, "spec": assisted_imports.month_spec(),
         "errors": batch.errors[:100] if batch else []},
    )  # fmt: skip


@login_required
def month_import_template(request: HttpRequest, pk: int) -> HttpResponse:
    access.access_institution_for_records(request.user, pk)
    return _xlsx_attachment(core_imports.template_xlsx(assisted_imports.month_spec()), "月度工时与报酬导入模板.xlsx")


@login_required
def month_import_report(request: HttpRequest, pk: int, batch_pk: int) -> HttpResponse:
    inst = access.access_institution_for_records(request.user, pk)
    batch = assisted_imports.batch_for(inst, batch_pk)
    if batch is None:
        raise Http404
    return _xlsx_attachment(
        core_imports.report_xlsx(batch, assisted_imports.month_spec()), f"导入错误报告-{batch.pk}.xlsx"
    )


def _xlsx_attachment(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{escape_uri_path(filename)}"
    return response
