"""Pages of the annual review: the unit's own declaration, the officers' list and detail with the
review, dispatch filings, documents, conflicts, campaigns and the certification notice (PDF).

Every page parses input, checks access (``quota.access``: 404 for missing and forbidden alike), calls
an action or a query and renders.  Pages showing persons are recorded in the audit log (one READ
entry per page or list, with the ids).
"""

from __future__ import annotations

import mimetypes
from typing import Any
from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.views.decorators.http import require_http_methods, require_POST

from ablework.core import audit
from ablework.core.listing import apply_list
from ablework.core.models import District
from ablework.core.policy import PolicyParameterMissing
from ablework.core.workflow import TransitionNotAllowed
from ablework.employers import api as employers_api
from ablework.quota import access, actions, queries
from ablework.quota.enums import ConflictDecision, ConflictState, DeclarationStatus, ReviewOutcome
from ablework.quota.forms import (
    CampaignForm,
    ConflictForm,
    DecisionForm,
    DeclarationForm,
    DispatchForm,
    EmployeeForm,
    EmployeeReviewForm,
    OnBehalfForm,
    UploadForm,
)
from ablework.quota.models import Declaration
from ablework.quota.notice import NoticeNotAvailable, render_notice_pdf

app_name = "quota"


def _form_errors(form: Any, exc: actions.ReviewError) -> None:
    if exc.errors:
        for name, message in exc.errors.items():
            form.add_error(name if name in form.fields else None, message)
    else:
        form.add_error(None, str(exc))


def _read(user: Any, decl: Declaration, purpose: str, person_ids: list[int]) -> None:
    """One READ entry for a page showing a declaration's persons, with the registry ids among them."""
    with transaction.atomic():
        audit.record(audit.AuditAction.READ, actor=user, obj=decl, changes={"person_ids": person_ids}, purpose=purpose)


# --- the unit's own declaration ----------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def my_declaration(request: HttpRequest) -> HttpResponse:
    """本单位年审申报: the unit's declaration of the open campaign (start it here), and earlier ones."""
    employer = access.own_employer(request.user)
    if employer is None:
        raise Http404
    campaign = queries.open_campaign()
    current = queries.declaration_for(employer, campaign) if campaign else None
    if current is not None and request.method == "GET" and "history" not in request.GET:
        return redirect("quota:declaration_detail", pk=current.pk)
    form = DeclarationForm(request.POST or None) if campaign and current is None else None
    if request.method == "POST":
        if form is None or campaign is None:
            raise Http404
        if form.is_valid():
            try:
                decl = actions.create_declaration(
                    employer, actor=request.user, campaign=campaign, **form.action_kwargs()
                )
            except actions.ReviewError as exc:
                _form_errors(form, exc)
            else:
                messages.success(request, "已建立本年度申报，请添加残疾职工、上传材料后提交")
                return redirect("quota:declaration_detail", pk=decl.pk)
    return render(
        request,
        "quota/my_declaration.html",
        {"employer": employer, "campaign": campaign, "current": current, "form": form,
         "past": queries.declarations_of_employer(employer)},
        status=422 if request.method == "POST" else 200,
    )  # fmt: skip


# --- officers' list and entry on behalf --------------------------------------------------------------


def _districts(request: HttpRequest) -> Any:
    return District.objects.filter(id__in=request.user.scope_district_ids())  # type: ignore[union-attr]


@login_required
def declaration_list(request: HttpRequest) -> HttpResponse:
    """年审审核: declarations of the user's districts with filters (year, status, district, late, conflict)."""
    if not access.can_list_declarations(request.user):
        raise Http404
    campaign = queries.open_campaign()
    state = apply_list(request, queries.list_declarations(), queries.DECLARATION_LIST)
    return render(
        request,
        "quota/declaration_list.html",
        {
            "state": state,
            "campaign": campaign,
            "years": list(queries.list_campaigns().values_list("data_year", flat=True)),
            "statuses": DeclarationStatus.choices,
            "districts": _districts(request),
            "can_enter": access.can_enter_for_employer(request.user),
            "can_campaigns": access.can_manage_campaigns(request.user),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def declaration_create(request: HttpRequest) -> HttpResponse:
    """An officer starts a declaration on a unit's behalf (the unit of their district, by credit code)."""
    if not access.can_enter_for_employer(request.user):
        raise Http404
    campaign = queries.open_campaign()
    if campaign is None:
        messages.error(request, "当前没有进行中的年审批次，请由市级管理员新建")
        return redirect("quota:declaration_list")
    form = OnBehalfForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        employer = employers_api.find_employer_by_uscc(form.cleaned_data["uscc"])
        if employer is None or employer.district_id not in request.user.scope_district_ids():  # type: ignore[union-attr]
            form.add_error("uscc", "未找到该统一社会信用代码的单位，或该单位不在您的辖区；请先在“用人单位”中登记")
        else:
            try:
                decl = actions.create_declaration(
                    employer, actor=request.user, campaign=campaign, **form.action_kwargs()
                )
            except actions.ReviewError as exc:
                _form_errors(form, exc)
            else:
                messages.success(request, f"已为“{employer.name}”建立{campaign.data_year}年度申报")
                return redirect("quota:declaration_detail", pk=decl.pk)
    return render(
        request,
        "quota/form.html",
        {"form": form, "title": f"代单位申报（{campaign.data_year}年度）", "submit_label": "建立申报",
         "back": ("quota:declaration_list", None), "months": True},
        status=422 if request.method == "POST" else 200,
    )  # fmt: skip


# --- detail ------------------------------------------------------------------------------------------


def _detail_context(request: HttpRequest, decl: Declaration, **extra: Any) -> dict[str, Any]:
    view = queries.declaration_view(decl)
    transitions, maker_reason = queries.review_transitions(decl, request.user)
    if not transitions and decl.status == DeclarationStatus.SUBMITTED and access.can_review(request.user):
        maker_reason = maker_reason or actions.maker_refusal(decl, request.user) or ""
    editable = access.can_edit(request.user, decl)
    return {
        "d": decl,
        "view": view,
        "editable": editable,
        "is_staff": access.can_list_declarations(request.user),
        "transitions": transitions,
        "maker_reason": maker_reason,
        "decision_form": DecisionForm(initial={"stage": queries.current_stage_id(decl)}),
        "upload_form": UploadForm() if editable else None,
        "open_conflicts": [c for c in view.conflicts if c.state == ConflictState.OPEN],
        "rejected": ReviewOutcome.REJECTED,
        **extra,
    }


@login_required
def declaration_detail(request: HttpRequest, pk: int) -> HttpResponse:
    decl = access.access_declaration(request.user, pk)
    context = _detail_context(request, decl)
    ids = [e.person_id for e in context["view"].employees if e.person_id]
    _read(request.user, decl, request.GET.get("purpose", "查看年审申报"), ids)
    return render(request, "quota/declaration_detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def declaration_edit(request: HttpRequest, pk: int) -> HttpResponse:
    decl = access.access_declaration_for_edit(request.user, pk)
    form = DeclarationForm(request.POST or None, initial=DeclarationForm.initial_for(decl))
    if request.method == "POST" and form.is_valid():
        try:
            actions.update_declaration(decl, actor=request.user, **form.action_kwargs())
        except actions.ReviewError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, "已保存")
            return redirect("quota:declaration_detail", pk=decl.pk)
    return render(
        request,
        "quota/form.html",
        {"form": form, "title": f"修改申报：{decl.employer.name}", "submit_label": "保存",
         "back": ("quota:declaration_detail", decl.pk), "months": True},
        status=422 if request.method == "POST" else 200,
    )  # fmt: skip


@login_required
@require_http_methods(["GET", "POST"])
def employee_add(request: HttpRequest, pk: int) -> HttpResponse:
    decl = access.access_declaration_for_edit(request.user, pk)
    form = EmployeeForm(request.POST or None, initial={"in_post": True, "bank_wage": True})
    if request.method == "POST" and form.is_valid():
        try:
            result = actions.add_employee(decl, actor=request.user, **form.cleaned_data)
        except actions.ReviewError as exc:
            _form_errors(form, exc)
        else:
            emp = result.employee
            if emp.errors:
                messages.warning(request, f"已添加{emp.name}，但核验未通过，将不予计入：{'；'.join(emp.errors)}")
            else:
                messages.success(request, f"已添加{emp.name}，核验通过")
            for c in result.conflicts:
                other = c.other_side(decl)
                messages.error(
                    request,
                    f"重复计算：{emp.name}同时被“{other.employer.name}”申报为{c.data_year}年度安置人员，"
                    "一人只能由一家单位计算，须由审核人员作出处理决定",
                )
            return redirect("quota:declaration_detail", pk=decl.pk)
    return render(
        request,
        "quota/form.html",
        {"form": form, "title": f"添加残疾职工：{decl.employer.name}", "submit_label": "添加并核验",
         "back": ("quota:declaration_detail", decl.pk)},
        status=422 if request.method == "POST" else 200,
    )  # fmt: skip


@login_required
@require_POST
def employee_remove(request: HttpRequest, pk: int, emp_pk: int) -> HttpResponse:
    decl = access.access_declaration_for_edit(request.user, pk)
    emp = access.access_employee(decl, emp_pk)
    try:
        actions.remove_employee(emp, actor=request.user)
    except actions.ReviewError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"已移除{emp.name}")
    return redirect("quota:declaration_detail", pk=decl.pk)


@login_required
@require_POST
def employee_review(request: HttpRequest, pk: int, emp_pk: int) -> HttpResponse:
    """The reviewer's per-person decision (认定计入 / 不予计入 with a reason)."""
    decl = access.access_declaration(request.user, pk)
    if not access.can_review(request.user):
        raise Http404
    emp = access.access_employee(decl, emp_pk)
    form = EmployeeReviewForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请选择审核结果")
        return redirect("quota:declaration_detail", pk=decl.pk)
    try:
        actions.review_employee(emp, actor=request.user, **form.cleaned_data)
    except (actions.ReviewError, TransitionNotAllowed) as exc:
        messages.error(request, f"{emp.name}：{exc}")
    else:
        label = "认定计入" if form.cleaned_data["outcome"] == ReviewOutcome.ACCEPTED else "不予计入"
        messages.success(request, f"{emp.name}：{label}")
    return redirect("quota:declaration_detail", pk=decl.pk)


@login_required
@require_http_methods(["GET", "POST"])
def dispatch_add(request: HttpRequest, pk: int) -> HttpResponse:
    decl = access.access_declaration_for_edit(request.user, pk)
    form = DispatchForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            filing = actions.add_dispatch_filing(decl, actor=request.user, **form.cleaned_data)
        except actions.ReviewError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, f"已备案：{filing.name}由{filing.get_counting_party_display()}计入")
            return redirect("quota:declaration_detail", pk=decl.pk)
    return render(
        request,
        "quota/form.html",
        {"form": form, "title": f"劳务派遣备案：{decl.employer.name}", "submit_label": "提交备案", "multipart": True,
         "back": ("quota:declaration_detail", decl.pk), "intro": "派遣单位与用工单位须签订协议，约定由其中一方计入残疾人数和在职职工人数；"
         "另一方不得再计入该人员（一人只能由一家单位计算，R2.7）。"},
        status=422 if request.method == "POST" else 200,
    )  # fmt: skip


@login_required
@require_POST
def dispatch_remove(request: HttpRequest, pk: int, filing_pk: int) -> HttpResponse:
    decl = access.access_declaration_for_edit(request.user, pk)
    filing = access.access_filing(decl, filing_pk)
    try:
        actions.remove_dispatch_filing(filing, actor=request.user)
    except actions.ReviewError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"已撤回{filing.name}的劳务派遣备案")
    return redirect("quota:declaration_detail", pk=decl.pk)


def _file_response(field: Any, filename: str) -> FileResponse:
    try:
        handle = field.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    content_type = mimetypes.guess_type(filename)[0] or "application/octet-stream"
    return FileResponse(handle, as_attachment=True, filename=filename, content_type=content_type)


@login_required
def dispatch_agreement(request: HttpRequest, pk: int, filing_pk: int) -> HttpResponseBase:
    decl = access.access_declaration(request.user, pk)
    filing = access.access_filing(decl, filing_pk)
    audit.record_read(filing, actor=request.user, purpose="下载劳务派遣用工认定协议")
    return _file_response(filing.agreement_file, filing.agreement_filename or "协议.pdf")


@login_required
@require_POST
def upload_add(request: HttpRequest, pk: int) -> HttpResponse:
    decl = access.access_declaration_for_edit(request.user, pk)
    form = UploadForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            up = actions.add_upload(decl, actor=request.user, **form.cleaned_data)
        except actions.ReviewError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, f"已上传：{up}")
            return redirect("quota:declaration_detail", pk=decl.pk)
    context = _detail_context(request, decl, upload_form=form)
    return render(request, "quota/declaration_detail.html", context, status=422)


@login_required
def upload_download(request: HttpRequest, pk: int, upload_pk: int) -> HttpResponseBase:
    decl = access.access_declaration(request.user, pk)
    up = access.access_upload(decl, upload_pk)
    audit.record_read(up, actor=request.user, purpose="下载年审申报材料")
    return _file_response(up.file, up.filename)


@login_required
@require_POST
def upload_remove(request: HttpRequest, pk: int, upload_pk: int) -> HttpResponse:
    decl = access.access_declaration_for_edit(request.user, pk)
    up = access.access_upload(decl, upload_pk)
    try:
        actions.remove_upload(up, actor=request.user)
    except actions.ReviewError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"已删除：{up.filename}")
    return redirect("quota:declaration_detail", pk=decl.pk)


@login_required
@require_POST
def declaration_submit(request: HttpRequest, pk: int) -> HttpResponse:
    decl = access.access_declaration_for_edit(request.user, pk)
    try:
        result = actions.submit_declaration(decl, actor=request.user)
    except (actions.ReviewError, TransitionNotAllowed) as exc:
        messages.error(request, f"未能提交：{exc}")
        return redirect("quota:declaration_detail", pk=decl.pk)
    note = []
    if result.late:
        note.append(f"已超过申报截止日{decl.campaign.declaration_end:%Y-%m-%d}，按规定视为未安排残疾人就业（R3.1）")
    if result.persons_with_errors:
        note.append(f"{result.persons_with_errors}名人员核验未通过，将不予计入")
    if result.conflicts:
        note.append(f"{len(result.conflicts)}名人员同时被其他单位申报，须由审核人员作出处理决定")
    messages.success(request, "已提交区级审核" + ("；" + "；".join(note) if note else ""))
    return redirect("quota:declaration_detail", pk=decl.pk)


@login_required
@require_POST
def declaration_decide(request: HttpRequest, pk: int) -> HttpResponse:
    """审核认定 / 退回修改; refusals (maker-checker, open conflicts, role) are shown on the detail page."""
    decl = access.access_declaration(request.user, pk)
    if not access.can_review(request.user):
        raise Http404
    form = DecisionForm(request.POST)
    if not form.is_valid():
        raise Http404
    name, note, stage = form.cleaned_data["transition"], form.cleaned_data["note"], form.cleaned_data["stage"]
    try:
        if name == "certify":
            levy = actions.certify_declaration(decl, actor=request.user, note=note, stage=stage)
        else:
            actions.return_declaration(decl, actor=request.user, note=note, stage=stage)
    except (actions.ReviewError, TransitionNotAllowed, PolicyParameterMissing) as exc:
        decl = access.access_declaration(request.user, pk)
        context = _detail_context(request, decl, decision_error=str(exc))
        context["decision_form"] = form
        return render(request, "quota/declaration_detail.html", context, status=422)
    if name == "certify":
        due = f"，测算应缴保障金{levy.levy_due}元" if not levy.error else ""
        messages.success(request, f"已审核认定：安排人数（加权）{decl.accepted_count}{due}")
    else:
        messages.success(request, "已退回修改")
    return redirect("quota:declaration_detail", pk=decl.pk)


@login_required
def notice_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """审核认定书 (PDF), for the unit and the staff of its district, once certified."""
    decl = access.access_declaration(request.user, pk)
    try:
        pdf = render_notice_pdf(decl)
    except NoticeNotAvailable:
        raise Http404 from None
    with transaction.atomic():
        audit.record(audit.AuditAction.EXPORT, actor=request.user, obj=decl, purpose="下载审核认定书")
    response = HttpResponse(pdf, content_type="application/pdf")
    filename = f"审核认定书-{decl.campaign.data_year}-{decl.employer.uscc}.pdf"
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response


# --- conflicts ---------------------------------------------------------------------------------------


@login_required
def conflict_list(request: HttpRequest) -> HttpResponse:
    """Conflicts of the one-unit rule the user may see (either side in scope, or their own unit)."""
    qs = access.visible_conflicts(request.user)
    if not access.can_list_declarations(request.user) and access.own_employer(request.user) is None:
        raise Http404
    state_filter = request.GET.get("state", "open")
    if state_filter in ConflictState.values:
        qs = qs.filter(state=state_filter)
    year = request.GET.get("year", "")
    if year.isdigit():
        qs = qs.filter(data_year=int(year))
    rows = list(qs.order_by("-detected_at", "-id")[:500])
    with transaction.atomic():
        audit.record(
            audit.AuditAction.READ,
            actor=request.user,
            object_type="quota.countconflict",
            object_label=f"重复计算冲突列表（{len(rows)}条）",
            changes={"conflict_ids": [c.pk for c in rows], "state": state_filter, "year": year},
            purpose="查看重复计算冲突",
        )
    return render(
        request,
        "quota/conflict_list.html",
        {"rows": rows, "state": state_filter, "year": year, "states": ConflictState.choices,
         "years": list(queries.list_campaigns().values_list("data_year", flat=True)),
         "can_scan": access.can_manage_campaigns(request.user)},
    )  # fmt: skip


@login_required
@require_http_methods(["GET", "POST"])
def conflict_detail(request: HttpRequest, pk: int) -> HttpResponse:
    conflict = access.access_conflict(request.user, pk)
    a, b = conflict.declaration_a, conflict.declaration_b
    labels: dict[str, str] = {
        ConflictDecision.COUNT_A: f"由“{a.employer.name}”计算",
        ConflictDecision.COUNT_B: f"由“{b.employer.name}”计算",
        ConflictDecision.NEITHER: "两家单位均不计入",
    }
    can_decide = conflict.state == ConflictState.OPEN and actions.can_resolve(conflict, request.user)
    form = ConflictForm(request.POST or None, labels=labels) if can_decide else None
    if request.method == "POST":
        if form is None:
            raise Http404
        if form.is_valid():
            try:
                actions.resolve_conflict(conflict, actor=request.user, **form.cleaned_data)
            except actions.ReviewError as exc:
                _form_errors(form, exc)
            except TransitionNotAllowed as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, f"已作出处理决定：{labels[form.cleaned_data['decision']]}")
                return redirect("quota:conflict_detail", pk=conflict.pk)
    rows, filings = queries.conflict_sides(conflict)
    with transaction.atomic():
        audit.record(
            audit.AuditAction.READ,
            actor=request.user,
            obj=conflict,
            changes={"person_ids": sorted({e.person_id for e in rows if e.person_id})},
            purpose="查看重复计算冲突",
        )
    own = access.own_employer(request.user)
    return render(
        request,
        "quota/conflict_detail.html",
        {"c": conflict, "rows": rows, "filings": filings, "form": form, "labels": labels,
         "is_staff": access.can_list_declarations(request.user),
         "own_id": own.pk if own is not None else None,
         "cross_district": a.employer.district_id != b.employer.district_id and not can_decide
         and conflict.state == ConflictState.OPEN},
        status=422 if request.method == "POST" else 200,
    )  # fmt: skip


@login_required
@require_POST
def conflict_scan(request: HttpRequest) -> HttpResponse:
    """Batch check of the one-unit rule over a data year (city administrators)."""
    if not access.can_manage_campaigns(request.user):
        raise Http404
    year = request.POST.get("year", "")
    if not year.isdigit():
        messages.error(request, "请选择数据年度")
        return redirect("quota:conflict_list")
    scan = actions.detect_conflicts(int(year), actor=request.user)
    messages.success(
        request, f"{year}年度核查完成：新发现{scan.created}个，已消除{scan.withdrawn}个，待处理{scan.open}个"
    )
    return redirect(f"{reverse('quota:conflict_list')}?state=open&year={year}")


# --- campaigns ---------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def campaign_list(request: HttpRequest) -> HttpResponse:
    if not access.can_list_declarations(request.user):
        raise Http404
    form = CampaignForm(request.POST or None) if access.can_manage_campaigns(request.user) else None
    if request.method == "POST":
        if form is None:
            raise Http404
        if form.is_valid():
            try:
                campaign = actions.create_campaign(actor=request.user, **form.cleaned_data)
            except actions.ReviewError as exc:
                _form_errors(form, exc)
            else:
                messages.success(request, f"已新建{campaign}")
                return redirect("quota:campaign_list")
    return render(
        request,
        "quota/campaign_list.html",
        {"campaigns": queries.list_campaigns(), "form": form},
        status=422 if request.method == "POST" else 200,
    )


urlpatterns: list[URLPattern] = [
    path("my/", my_declaration, name="my_declaration"),
    path("declarations/", declaration_list, name="declaration_list"),
    path("declarations/new/", declaration_create, name="declaration_create"),
    path("declarations/<int:pk>/", declaration_detail, name="declaration_detail"),
    path("declarations/<int:pk>/edit/", declaration_edit, name="declaration_edit"),
    path("declarations/<int:pk>/employees/add/", employee_add, name="employee_add"),
    path("declarations/<int:pk>/employees/<int:emp_pk>/remove/", employee_remove, name="employee_remove"),
    path("declarations/<int:pk>/employees/<int:emp_pk>/review/", employee_review, name="employee_review"),
    path("declarations/<int:pk>/dispatch/add/", dispatch_add, name="dispatch_add"),
    path("declarations/<int:pk>/dispatch/<int:filing_pk>/remove/", dispatch_remove, name="dispatch_remove"),
    path("declarations/<int:pk>/dispatch/<int:filing_pk>/agreement/", dispatch_agreement, name="dispatch_agreement"),
    path("declarations/<int:pk>/uploads/", upload_add, name="upload_add"),
    path("declarations/<int:pk>/uploads/<int:upload_pk>/", upload_download, name="upload_download"),
    path("declarations/<int:pk>/uploads/<int:upload_pk>/remove/", upload_remove, name="upload_remove"),
    path("declarations/<int:pk>/submit/", declaration_submit, name="declaration_submit"),
    path("declarations/<int:pk>/decide/", declaration_decide, name="declaration_decide"),
    path("declarations/<int:pk>/notice.pdf", notice_pdf, name="notice_pdf"),
    path("conflicts/", conflict_list, name="conflict_list"),
    path("conflicts/scan/", conflict_scan, name="conflict_scan"),
    path("conflicts/<int:pk>/", conflict_detail, name="conflict_detail"),
    path("campaigns/", campaign_list, name="campaign_list"),
]
