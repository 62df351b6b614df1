"""Pages of the employer registry: the list (filters, export), a unit's page, officer forms, the
unit's own page for its users (本单位信息), contacts, user accounts, and the Excel import.

Every page decides access first (``employers.access``: 404 for missing and forbidden alike), then
calls an action or a query.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.encoding import escape_uri_path
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from ablework.core import audit
from ablework.core import imports as core_imports
from ablework.core.files import csv_response, xlsx_response
from ablework.core.listing import apply_list, filtered
from ablework.core.models import District, ImportBatch
from ablework.employers import access, actions, queries
from ablework.employers import imports as employer_imports
from ablework.employers.enums import AgencyLevel, EmployerKind, EmployerStatus
from ablework.employers.forms import (
    ContactForm,
    DeregisterForm,
    EmployerForm,
    EmployerUserForm,
    ImportUploadForm,
    ReactivateForm,
)
from ablework.employers.models import Employer

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _district_ids(request: HttpRequest) -> list[int]:
    return list(request.user.scope_district_ids())  # type: ignore[union-attr]


def _add_errors(form: forms.Form, exc: actions.EmployerError) -> None:
    if not exc.errors:
        form.add_error(None, str(exc))
    for field, message in exc.errors.items():
        form.add_error(field if field in form.fields else None, message)


# --- list and export --------------------------------------------------------------------------------


def _export(request: HttpRequest, fmt: str) -> HttpResponseBase:
    qs, values, _ = filtered(request, queries.list_employers(), queries.EMPLOYER_LIST)
    count = qs.count()
    with transaction.atomic():
        audit.record(
            audit.AuditAction.EXPORT,
            actor=request.user,
            object_type="employers.employer",
            object_label=f"用人单位名单导出（{count}家）",
            changes={"filters": {k: v for k, v in values.items() if v}, "format": fmt, "count": count},
        )
    rows = queries.export_rows(qs)
    if fmt == "csv":
        return csv_response("用人单位名单.csv", queries.EXPORT_HEADERS, rows)
    return xlsx_response("用人单位名单.xlsx", queries.EXPORT_HEADERS, list(rows))


@login_required
def employer_list(request: HttpRequest) -> HttpResponseBase:
    if not access.can_list_employers(request.user):
        raise Http404
    fmt = request.GET.get("export")
    if fmt in ("csv", "xlsx"):
        return _export(request, fmt)
    state = apply_list(request, queries.list_employers(), queries.EMPLOYER_LIST)
    return render(
        request,
        "employers/employer_list.html",
        {
            "state": state,
            "kinds": EmployerKind.choices,
            "levels": AgencyLevel.choices,
            "statuses": EmployerStatus.choices,
            "districts": District.objects.filter(pk__in=_district_ids(request)),
            "can_edit": access.can_edit_employers(request.user),
        },
    )


# --- a unit's page ----------------------------------------------------------------------------------


def _render_detail(request: HttpRequest, employer: Employer, *, own: bool) -> HttpResponse:
    audit.record_read(employer, actor=request.user, purpose="查看用人单位信息")
    staff = access.can_list_employers(request.user)
    return render(
        request,
        "employers/employer_detail.html",
        {
            "employer": employer,
            "own": own,
            "contacts": employer.contacts.all(),
            "users": queries.list_employer_users(employer),
            "warnings": actions.warnings_for(employer) if staff else [],
            "history": queries.history_for_employer(employer) if staff else [],
            "can_edit": access.can_edit_employers(request.user),
            "can_edit_contacts": access.can_edit_contacts(request.user, employer),
        },
    )


@login_required
def employer_detail(request: HttpRequest, pk: int) -> HttpResponse:
    employer = access.access_employer(request.user, pk)
    return _render_detail(request, employer, own=access.is_employer_user(request.user))


@login_required
def employer_mine(request: HttpRequest) -> HttpResponse:
    """本单位信息: the page of the unit an employer user belongs to."""
    employer = access.own_employer(request.user)
    if employer is None:
        raise Http404
    return _render_detail(request, employer, own=True)


def _detail_url(request: HttpRequest, employer: Employer) -> str:
    if access.is_employer_user(request.user):
        return reverse("employers:mine")
    return reverse("employers:detail", args=[employer.pk])


# --- officer forms ----------------------------------------------------------------------------------


def _employer_form_page(
    request: HttpRequest, form: EmployerForm, employer: Employer | None, title: str
) -> HttpResponse:
    return render(request, "employers/employer_form.html", {"form": form, "employer": employer, "title": title})


@login_required
@require_http_methods(["GET", "POST"])
def employer_create(request: HttpRequest) -> HttpResponse:
    if not access.can_edit_employers(request.user):
        raise Http404
    ids = _district_ids(request)
    initial = {"district": ids[0]} if len(ids) == 1 else {}
    form = EmployerForm(request.POST or None, district_ids=ids, initial=initial)
    if request.method == "POST" and form.is_valid() and not form.needs_confirmation:
        try:
            employer = actions.create_employer(actor=request.user, **form.action_kwargs())
        except actions.EmployerError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, f"已登记{employer.name}")
            return redirect("employers:detail", pk=employer.pk)
    return _employer_form_page(request, form, None, "登记用人单位")


@login_required
@require_http_methods(["GET", "POST"])
def employer_edit(request: HttpRequest, pk: int) -> HttpResponse:
    employer = access.access_employer_for_edit(request.user, pk)
    initial: dict[str, Any] = {f: getattr(employer, f) for f in actions.EDITABLE_FIELDS}
    initial["district"], initial["industry"] = employer.district_id, employer.industry_id
    form = EmployerForm(request.POST or None, district_ids=_district_ids(request), initial=initial)
    if request.method == "POST" and form.is_valid() and not form.needs_confirmation:
        try:
            actions.update_employer(employer, actor=request.user, **form.action_kwargs())
        except actions.EmployerError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, "已保存")
            return redirect("employers:detail", pk=employer.pk)
    return _employer_form_page(request, form, employer, f"修改 {employer.name}")


def _simple_form_page(
    request: HttpRequest, employer: Employer, form: forms.Form, title: str, *, submit: str = "保存", intro: str = ""
) -> HttpResponse:
    return render(
        request,
        "employers/simple_form.html",
        {
            "employer": employer,
            "form": form,
            "title": title,
            "submit": submit,
            "intro": intro,
            "back": _detail_url(request, employer),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def employer_deregister(request: HttpRequest, pk: int) -> HttpResponse:
    employer = access.access_employer_for_edit(request.user, pk)
    if employer.status != EmployerStatus.ACTIVE:
        raise Http404
    form = DeregisterForm(request.POST or None, initial={"on": actions.today()})
    if request.method == "POST" and form.is_valid():
        try:
            actions.deregister_employer(employer, actor=request.user, **form.cleaned_data)
        except actions.EmployerError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, f"已将{employer.name}登记为注销")
            return redirect("employers:detail", pk=employer.pk)
    intro = "注销后单位信息、历史和账号保留，以前年度的年审和缴费记录仍可查询。"
    return _simple_form_page(request, employer, form, f"注销 {employer.name}", submit="确认注销", intro=intro)


@login_required
@require_http_methods(["GET", "POST"])
def employer_reactivate(request: HttpRequest, pk: int) -> HttpResponse:
    employer = access.access_employer_for_edit(request.user, pk)
    if employer.status == EmployerStatus.ACTIVE:
        raise Http404
    form = ReactivateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.reactivate_employer(employer, actor=request.user, **form.cleaned_data)
        except actions.EmployerError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, f"已恢复{employer.name}为存续")
            return redirect("employers:detail", pk=employer.pk)
    return _simple_form_page(request, employer, form, f"恢复 {employer.name} 为存续", submit="确认恢复")


# --- contacts ---------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def contact_add(request: HttpRequest, pk: int) -> HttpResponse:
    employer = access.access_employer_for_contacts(request.user, pk)
    form = ContactForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.add_contact(employer, actor=request.user, **form.cleaned_data)
        except actions.EmployerError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, "已添加联系人")
            return redirect(_detail_url(request, employer))
    return _simple_form_page(request, employer, form, "添加联系人")


@login_required
@require_http_methods(["GET", "POST"])
def contact_edit(request: HttpRequest, pk: int, contact_pk: int) -> HttpResponse:
    contact = access.access_contact(request.user, pk, contact_pk)
    employer = contact.employer
    initial = {f: getattr(contact, f) for f in actions.CONTACT_FIELDS}
    form = ContactForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            actions.update_contact(contact, actor=request.user, **form.cleaned_data)
        except actions.EmployerError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, "已保存联系人")
            return redirect(_detail_url(request, employer))
    return _simple_form_page(request, employer, form, f"修改联系人 {contact.name}")


@login_required
@require_POST
def contact_delete(request: HttpRequest, pk: int, contact_pk: int) -> HttpResponse:
    contact = access.access_contact(request.user, pk, contact_pk)
    actions.remove_contact(contact, actor=request.user)
    messages.success(request, f"已删除联系人{contact.name}")
    return redirect(_detail_url(request, contact.employer))


# --- user accounts ----------------------------------------------------------------------------------


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def user_add(request: HttpRequest, pk: int) -> HttpResponse:
    employer = access.access_employer_for_edit(request.user, pk)
    if employer.status != EmployerStatus.ACTIVE:
        raise Http404
    form = EmployerUserForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            created = actions.create_employer_user(employer, actor=request.user, **form.cleaned_data)
        except actions.EmployerError as exc:
            _add_errors(form, exc)
        else:
            # Shown once, on this response only (never stored in clear, never redirected through a URL).
            return render(request, "employers/user_created.html", {"employer": employer, "created": created})
    intro = "账号创建后，系统生成初始密码并只显示一次，请当面或通过安全渠道告知使用人，并提醒其首次登录后修改密码。"
    return _simple_form_page(request, employer, form, "新增单位账号", submit="创建账号", intro=intro)


# --- import -----------------------------------------------------------------------------------------


def _require_importer(request: HttpRequest) -> None:
    if not access.can_edit_employers(request.user):
        raise Http404


def _batches(request: HttpRequest) -> Any:
    qs = ImportBatch.objects.filter(kind=employer_imports.EMPLOYERS).select_related("job", "uploaded_by")
    if getattr(request.user, "is_city", False):
        return qs
    return qs.filter(scope_key=employer_imports.import_scope_key(request.user))


def _access_batch(request: HttpRequest, pk: int) -> ImportBatch:
    _require_importer(request)
    batch = _batches(request).filter(pk=pk).first()
    if batch is None:
        raise Http404
    return batch


def _attachment(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type=XLSX)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{escape_uri_path(filename)}"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def import_upload(request: HttpRequest) -> HttpResponse:
    _require_importer(request)
    form = ImportUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        submitted = employer_imports.start_employer_import(actor=request.user, filename=upload.name, data=upload.read())
        batch = submitted.batch
        message = batch.job.message.split("\n")[0] if batch.job else ""
        if not submitted.created:
            messages.info(
                request,
                f"该文件此前已导入（{batch.created_at:%Y-%m-%d %H:%M}，批次{batch.pk}），本次未重复导入。以下是当时的结果。",
            )
        elif batch.status == "done":
            messages.success(request, "导入完成。" + message)
        elif batch.status == "failed":
            messages.error(request, "导入未能完成：" + (batch.job.message if batch.job else ""))
        else:
            messages.info(request, "文件较大，已转入后台导入；本页显示进度，完成后可下载错误报告。")
        return redirect("employers:import_detail", pk=batch.pk)
    return render(
        request,
        "employers/import_upload.html",
        {"form": form, "spec": employer_imports.employer_spec(), "recent": _batches(request)[:10]},
    )


@login_required
def import_template(request: HttpRequest) -> HttpResponse:
    _require_importer(request)
    return _attachment(core_imports.template_xlsx(employer_imports.employer_spec()), "用人单位导入模板.xlsx")


@login_required
def import_detail(request: HttpRequest, pk: int) -> HttpResponse:
    batch = _access_batch(request, pk)
    running = employer_imports.is_running(batch)
    context = {
        "batch": batch,
        "running": running,
        "percent": batch.job.percent if batch.job else (0 if running else 100),
        "message": batch.job.message if batch.job else "",
    }
    if request.headers.get("HX-Request"):
        return render(request, "employers/includes/batch_status.html", context)
    context["errors"] = batch.errors[:100]
    return render(request, "employers/import_detail.html", context)


@login_required
def import_report(request: HttpRequest, pk: int) -> HttpResponse:
    batch = _access_batch(request, pk)
    if employer_imports.is_running(batch):
        raise Http404
    with transaction.atomic():
        audit.record(
            audit.AuditAction.EXPORT,
            actor=request.user,
            obj=batch,
            object_label=f"导入错误报告 {batch.filename}"[:200],
            changes={"batch": batch.pk, "rows": len(batch.errors)},
        )
    spec = employer_imports.employer_spec()
    stem = batch.filename.rsplit(".", 1)[0] or spec.title
    return _attachment(core_imports.report_xlsx(batch, spec), f"{stem}_错误报告.xlsx")
