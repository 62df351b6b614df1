"""Subsidy pages: programmes and budgets, applications (applicant self-service or an officer on the
applicant's behalf), review with the chain's buttons, bulk approval, public notice and objections,
payment batches (bank file, signed summary, return file) and clawbacks.

Staff see the applications of their districts (scoped managers); an applicant sees only their own
(their unit, institution or linked person).  Missing and forbidden records both answer 404.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone
from django.views.decorators.http import require_POST

from ablework.accounts.enums import CITY_ROLES, Role
from ablework.assisted import api as assisted_api
from ablework.core import audit, workflow
from ablework.core.enums import AuditAction
from ablework.core.files import xlsx_response
from ablework.core.listing import ListSpec, apply_list
from ablework.core.models import District
from ablework.core.scoping import unscoped
from ablework.core.workflow import TransitionNotAllowed
from ablework.employers import api as employers_api
from ablework.people import api as people_api
from ablework.subsidies import actions, forms
from ablework.subsidies.enums import ApplicantKind, ApplicationStatus
from ablework.subsidies.models import Application, Attachment, Clawback, Objection, PaymentBatch, Programme

app_name = "subsidies"


# --- access ---------------------------------------------------------------------------------------------


def user_of(request: HttpRequest) -> Any:
    """The logged-in user (every view here is ``login_required``)."""
    return request.user


def _staff(user: Any) -> bool:
    return bool(getattr(user, "is_staff_role", False))


def _city(user: Any) -> bool:
    return getattr(user, "role", None) in CITY_ROLES


def _own_filter(user: Any) -> Q | None:
    """What an applicant may see: their unit's, institution's or linked persons' applications."""
    role = getattr(user, "role", None)
    if role == Role.EMPLOYER_USER:
        employer = employers_api.employer_for_user(user)
        if employer is not None:
            return Q(employer_id=employer.pk, programme__applicant_kind=ApplicantKind.EMPLOYER)
    inst = assisted_api.institution_for_user(user)
    if inst is not None:
        return Q(institution_id=inst.pk)
    if role == Role.PERSON:
        ids = [p.pk for p, _rel in people_api.portal_persons(user)]
        if ids:
            return Q(person_id__in=ids, programme__applicant_kind=ApplicantKind.PERSON)
    return None


def _application(user: Any, pk: int) -> Application:
    if _staff(user):
        app = Application.objects.select_related("programme", "district", "employer", "person").filter(pk=pk).first()
    else:
        own = _own_filter(user)
        with unscoped():
            app = (
                Application.objects.select_related("programme", "district", "employer", "person")
                .filter(own, pk=pk)
                .first()
                if own is not None
                else None
            )
    if app is None:
        raise Http404
    return app


def _require_staff(user: Any) -> None:
    if not _staff(user):
        raise PermissionDenied


# --- programmes -----------------------------------------------------------------------------------------


@login_required
def programme_list(request: HttpRequest) -> HttpResponse:
    if not _staff(request.user) and _own_filter(request.user) is None:
        raise PermissionDenied
    rows = []
    for prog in Programme.objects.all():
        rows.append({"p": prog, "committed": actions.committed_amount(prog), "paid": actions.paid_amount(prog)})
    return render(request, "subsidies/programme_list.html", {
        "rows": rows, "staff": _staff(request.user), "can_create": getattr(request.user, "role", None) == Role.CITY_ADMIN,
    })  # fmt: skip


@login_required
def programme_create(request: HttpRequest) -> HttpResponse:
    if getattr(request.user, "role", None) != Role.CITY_ADMIN:
        raise PermissionDenied
    form = forms.ProgrammeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            prog = actions.create_programme(d["kind"], d["year"], actor=request.user, budget=d["budget"],
                                            window_start=d["window_start"], window_end=d["window_end"],
                                            notice_days=d["notice_days"])  # fmt: skip
        except actions.SubsidyError as exc:
            for k, v in exc.errors.items():
                form.add_error(k if k in form.fields else None, v)
        else:
            messages.success(request, f"已创建{prog}")
            return redirect("subsidies:programme", prog.pk)
    return render(request, "quota/form.html", {"form": form, "title": "新建补贴项目", "submit_label": "创建",
                                               "back": ("subsidies:programmes", None)})  # fmt: skip


APP_LIST = ListSpec(
    filters={
        "status": lambda qs, v: qs.filter(status=v),
        "district": lambda qs, v: qs.filter(district__code=v),
        "q": lambda qs, v: qs.filter(Q(beneficiary_name__icontains=v) | Q(claim_key__icontains=v)),
    },
    sorts={"created": ("申请时间", "created_at"), "amount": ("金额", "amount"), "name": ("对象", "beneficiary_name")},
    default_sort="-created",
)
EXPORT_HEADERS = ["编号", "受益对象", "区", "期间", "状态", "测算金额", "核定金额", "代为申请", "提交时间"]


@login_required
def programme_detail(request: HttpRequest, pk: int) -> HttpResponseBase:
    _require_staff(request.user)
    prog = get_object_or_404(Programme, pk=pk)
    qs: QuerySet[Application] = Application.objects.filter(programme=prog).select_related("district")
    state = apply_list(request, qs, APP_LIST)
    if request.GET.get("export") in ("xlsx", "csv"):
        rows = list(state.queryset)
        audit.record_many(AuditAction.EXPORT, actor=request.user, object_type="subsidies.application",
                          object_ids=[a.pk for a in rows], object_label=f"导出{prog}申请名单")  # fmt: skip
        return xlsx_response(f"{prog}申请.xlsx", EXPORT_HEADERS, [
            [a.pk, a.beneficiary_name, a.district.name, a.period, a.get_status_display(), a.amount,
             a.approved_amount, "是" if a.on_behalf else "否", a.submitted_at] for a in rows])  # fmt: skip
    page = list(state.page)
    progress = {a.pk: workflow.chain_progress(a) for a in page if a.status == ApplicationStatus.SUBMITTED}
    can_decide = {
        a.pk for a in page if any(t.name == "approve" for t in workflow.available_transitions(a, request.user))
    }
    return render(request, "subsidies/programme_detail.html", {
        "prog": prog, "state": state, "page_rows": [(a, progress.get(a.pk), a.pk in can_decide) for a in page],
        "statuses": ApplicationStatus.choices, "districts": District.objects.filter(id__in=user_of(request).scope_district_ids()),
        "committed": actions.committed_amount(prog), "paid": actions.paid_amount(prog),
        "budget_form": forms.BudgetForm(initial={"budget": prog.budget}), "is_city": _city(request.user),
        "batches": prog.batches.all()[:20], "notices": prog.notices.all()[:20],
        "open_objections": Objection.objects.filter(application__programme=prog, status="open").select_related("application"),
    })  # fmt: skip


@login_required
@require_POST
def programme_budget(request: HttpRequest, pk: int) -> HttpResponse:
    if getattr(request.user, "role", None) != Role.CITY_ADMIN:
        raise PermissionDenied
    prog = get_object_or_404(Programme, pk=pk)
    form = forms.BudgetForm(request.POST)
    if form.is_valid():
        try:
            actions.set_budget(prog, form.cleaned_data["budget"], actor=request.user)
            messages.success(request, "预算已更新")
        except actions.SubsidyError as exc:
            messages.error(request, str(exc))
    else:
        messages.error(request, "请填写有效的预算金额")
    return redirect("subsidies:programme", pk)


@login_required
@require_POST
def bulk_approve(request: HttpRequest, pk: int) -> HttpResponse:
    _require_staff(request.user)
    prog = get_object_or_404(Programme, pk=pk)
    ids = [int(i) for i in request.POST.getlist("ids") if i.isdigit()]
    apps = list(Application.objects.filter(programme=prog, pk__in=ids, status=ApplicationStatus.SUBMITTED))
    if not apps:
        messages.error(request, "请先勾选待审核的申请")
        return redirect("subsidies:programme", pk)
    result = actions.bulk_approve(apps, actor=request.user, note=request.POST.get("note", ""))
    messages.success(request, f"批量审核：通过{len(result.approved)}件")
    for app, reason in result.refused:
        messages.warning(request, f"{app.beneficiary_name}：{reason}")
    return redirect("subsidies:programme", pk)


@login_required
@require_POST
def publish_notice(request: HttpRequest, pk: int) -> HttpResponse:
    prog = get_object_or_404(Programme, pk=pk)
    try:
        notice = actions.publish_notice(prog, actor=request.user)
        messages.success(request, f"已发布公示：{notice.title}，至{notice.ends_on:%Y-%m-%d}")
    except actions.SubsidyError as exc:
        messages.error(request, str(exc))
    return redirect("subsidies:programme", pk)


@login_required
@require_POST
def build_batch(request: HttpRequest, pk: int) -> HttpResponse:
    prog = get_object_or_404(Programme, pk=pk)
    try:
        batch = actions.build_batch(prog, actor=request.user)
    except actions.SubsidyError as exc:
        messages.error(request, str(exc))
        return redirect("subsidies:programme", pk)
    messages.success(request, f"已生成发放批次{batch.reference}：{batch.count}笔，{batch.total}元")
    return redirect("subsidies:batch", batch.pk)


# --- applications ---------------------------------------------------------------------------------------


def _applicant_objects(request: HttpRequest, prog: Programme, form: forms.ApplicantForm | None) -> dict[str, Any]:
    """Who the application is for: from the officer's form, or the logged-in applicant."""
    user = user_of(request)
    found: dict[str, Any] = {"employer": None, "person": None, "institution": None}
    if _staff(user):
        assert form is not None
        d = form.cleaned_data
        if d.get("uscc"):
            found["employer"] = employers_api.find_employer_by_uscc(d["uscc"])
            if found["employer"] is None:
                form.add_error("uscc", "未找到该统一社会信用代码的用人单位")
        if d.get("person_number"):
            number = d["person_number"].strip()
            found["person"] = people_api.find_person(number)
            if found["person"] is None:
                form.add_error("person_number", "未在残疾人信息库中找到该证号或身份证号")
        if d.get("institution_id"):
            with unscoped():
                found["institution"] = assisted_api.get_institution(d["institution_id"])
            if found["institution"] is None:
                form.add_error("institution_id", "未找到该辅助性就业机构")
        return found
    found["employer"] = employers_api.employer_for_user(user) if user.role == Role.EMPLOYER_USER else None
    found["institution"] = assisted_api.institution_for_user(user)
    persons = [p for p, _rel in people_api.portal_persons(user)] if user.role == Role.PERSON else []
    if prog.applicant_kind == ApplicantKind.PERSON:
        found["person"] = persons[0] if persons else None
    elif form is not None and form.cleaned_data.get("person_number"):
        number = form.cleaned_data["person_number"].strip()
        found["person"] = people_api.find_person(number)
        if found["person"] is None:
            form.add_error("person_number", "未在残疾人信息库中找到该证号或身份证号")
    return found


@login_required
def application_create(request: HttpRequest, pk: int) -> HttpResponse:
    prog = get_object_or_404(Programme, pk=pk)
    staff = _staff(request.user)
    if not staff and _own_filter(request.user) is None and user_of(request).role != Role.EMPLOYER_USER:
        raise PermissionDenied
    post = request.POST or None
    who = forms.ApplicantForm(post, prefix="who")
    if not staff:
        who.fields.pop("uscc")
        who.fields.pop("institution_id")
        if prog.applicant_kind == ApplicantKind.PERSON:
            who.fields.pop("person_number")
    data_form = forms.DATA_FORMS[prog.kind](post, prefix="data")
    bank = forms.BankForm(post, prefix="bank")
    if request.method == "POST" and who.is_valid() and data_form.is_valid() and bank.is_valid():
        found = _applicant_objects(request, prog, who)
        if not who.errors:
            try:
                app = actions.create_application(
                    prog, actor=request.user, data=forms.form_data(data_form), **found,
                    bank_name=bank.cleaned_data["bank_name"], bank_account=bank.cleaned_data["bank_account"],
                )  # fmt: skip
            except actions.SubsidyError as exc:
                for k, v in exc.errors.items():
                    target = data_form if k in data_form.fields else who if k in who.fields else data_form
                    target.add_error(k if k in target.fields else None, v)
            else:
                messages.success(request, "申请已保存为草稿，请上传材料后提交")
                return redirect("subsidies:application", app.pk)
    return render(request, "subsidies/application_form.html", {
        "prog": prog, "forms": [who, data_form, bank], "title": f"申请{prog}",
    })  # fmt: skip


@login_required
def application_detail(request: HttpRequest, pk: int) -> HttpResponse:
    app = _application(request.user, pk)
    if app.person_id:
        audit.record_read(app, actor=request.user, purpose="查阅补贴申请")
    progress = workflow.chain_progress(app) if app.status == ApplicationStatus.SUBMITTED else None
    transitions = [t for t in workflow.available_transitions(app, request.user) if t.name != "revoke"]
    decisions = [t for t in transitions if t.name in ("approve", "return", "reject")]
    return render(request, "subsidies/application_detail.html", {
        "app": app, "progress": progress, "decisions": decisions,
        "can_submit": any(t.name == "submit" for t in transitions),
        "can_withdraw": any(t.name == "withdraw" for t in transitions),
        "editable": app.status in (ApplicationStatus.DRAFT, ApplicationStatus.RETURNED),
        "attach_form": forms.AttachmentForm(documents=app.programme.required_documents),
        "decision_form": forms.DecisionForm(initial={"stage": progress.current.pk if progress and progress.current else None}),
        "transitions_log": workflow.history(app), "history": audit.history_for(app),
        "objections": app.objections.all(), "payments": app.payments.select_related("batch"),
        "clawbacks": app.clawbacks.all(), "staff": _staff(request.user),
        "attachments": app.attachments.all(),
    })  # fmt: skip


@login_required
def application_edit(request: HttpRequest, pk: int) -> HttpResponse:
    app = _application(request.user, pk)
    if app.status not in (ApplicationStatus.DRAFT, ApplicationStatus.RETURNED):
        messages.error(request, "只有草稿或退回修改的申请可以修改")
        return redirect("subsidies:application", pk)
    data_form = forms.DATA_FORMS[app.programme.kind](request.POST or None, prefix="data", initial=app.data)
    bank = forms.BankForm(request.POST or None, prefix="bank", initial={"bank_name": app.bank_name})
    if request.method == "POST" and data_form.is_valid() and bank.is_valid():
        try:
            actions.update_application(
                app, actor=request.user, data=forms.form_data(data_form), bank_name=bank.cleaned_data["bank_name"],
                bank_account=bank.cleaned_data["bank_account"] or None,
            )  # fmt: skip
        except actions.SubsidyError as exc:
            for k, v in exc.errors.items():
                data_form.add_error(k if k in data_form.fields else None, v)
        else:
            messages.success(request, "已保存，资格审查与金额已重新计算")
            return redirect("subsidies:application", pk)
    return render(request, "subsidies/application_form.html", {
        "prog": app.programme, "forms": [data_form, bank], "title": f"修改申请：{app.beneficiary_name}",
    })  # fmt: skip


@login_required
@require_POST
def application_attach(request: HttpRequest, pk: int) -> HttpResponse:
    app = _application(request.user, pk)
    form = forms.AttachmentForm(request.POST, request.FILES, documents=app.programme.required_documents)
    if form.is_valid():
        try:
            actions.add_attachment(app, actor=request.user, doc_type=form.cleaned_data["doc_type"],
                                   file=form.cleaned_data["file"])  # fmt: skip
            messages.success(request, "材料已上传")
        except actions.SubsidyError as exc:
            messages.error(request, str(exc))
    else:
        messages.error(request, "请选择材料类型和文件")
    return redirect("subsidies:application", pk)


@login_required
def attachment_download(request: HttpRequest, pk: int) -> FileResponse:
    with unscoped():
        att = Attachment.objects.select_related("application").filter(pk=pk).first()
    if att is None:
        raise Http404
    _application(request.user, att.application_id)  # access check
    audit.record_read(att, actor=request.user, purpose="查看申请材料")
    return FileResponse(att.file.open("rb"), as_attachment=True, filename=att.filename)


@login_required
@require_POST
def application_submit(request: HttpRequest, pk: int) -> HttpResponse:
    app = _application(request.user, pk)
    try:
        actions.submit(app, actor=request.user)
        messages.success(request, "已提交审核")
    except (actions.SubsidyError, TransitionNotAllowed) as exc:
        messages.error(request, str(exc))
    return redirect("subsidies:application", pk)


@login_required
@require_POST
def application_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    app = _application(request.user, pk)
    try:
        actions.withdraw(app, actor=request.user)
        messages.success(request, "申请已撤回")
    except TransitionNotAllowed as exc:
        messages.error(request, str(exc))
    return redirect("subsidies:application", pk)


@login_required
@require_POST
def application_decide(request: HttpRequest, pk: int) -> HttpResponse:
    _require_staff(request.user)
    app = _application(request.user, pk)
    form = forms.DecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请选择审核决定")
        return redirect("subsidies:application", pk)
    d = form.cleaned_data
    try:
        actions.decide(app, d["decision"], actor=request.user, note=d["note"], stage=d["stage"])
        messages.success(request, "审核意见已提交")
    except (actions.SubsidyError, TransitionNotAllowed) as exc:
        messages.error(request, str(exc))
    return redirect("subsidies:application", pk)


@login_required
def my_applications(request: HttpRequest) -> HttpResponse:
    own = _own_filter(request.user)
    if own is None and _staff(request.user):
        return redirect("subsidies:programmes")
    with unscoped():
        apps = list(Application.objects.filter(own).select_related("programme")) if own is not None else []
        open_progs = list(Programme.objects.filter(status="open"))
    return render(request, "subsidies/mine.html", {"apps": apps, "programmes": open_progs})


# --- objections, batches, clawbacks -----------------------------------------------------------------------


@login_required
def objection_resolve(request: HttpRequest, pk: int) -> HttpResponse:
    _require_staff(request.user)
    obj = get_object_or_404(Objection.objects.select_related("application"), pk=pk)
    form = forms.ResolveForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.resolve_objection(obj, actor=request.user, upheld=form.cleaned_data["upheld"],
                                      resolution=form.cleaned_data["resolution"])  # fmt: skip
            messages.success(request, "异议已处理")
            return redirect("subsidies:application", obj.application_id)
        except (actions.SubsidyError, TransitionNotAllowed) as exc:
            form.add_error(None, str(exc))
    return render(request, "quota/form.html", {
        "form": form, "title": f"处理异议：{obj.application.beneficiary_name}", "intro": obj.text,
        "submit_label": "提交", "back": ("subsidies:application", obj.application_id),
    })  # fmt: skip


def _batch(user: Any, pk: int) -> PaymentBatch:
    if not _city(user):
        raise PermissionDenied
    return get_object_or_404(PaymentBatch.objects.select_related("programme"), pk=pk)


@login_required
def batch_detail(request: HttpRequest, pk: int) -> HttpResponseBase:
    batch = _batch(request.user, pk)
    if request.GET.get("file") == "bank":
        rows = actions.bank_file_rows(batch, actor=request.user)
        return xlsx_response(f"{batch.reference}-银行代发.xlsx", actions.BANK_HEADERS, rows)
    if request.GET.get("file") == "summary":
        resp = HttpResponse(actions.batch_summary(batch), content_type="text/plain; charset=utf-8")
        resp["Content-Disposition"] = f'attachment; filename="{batch.reference}-summary.txt"'
        return resp
    form = forms.BankReturnForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        if request.POST.get("action") == "submit":
            actions.submit_batch(batch, actor=request.user)
            messages.success(request, "批次已标记为报送银行")
            return redirect("subsidies:batch", pk)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                result = actions.apply_bank_return(batch, actor=request.user, filename=upload.name,
                                                   data=upload.read())  # fmt: skip
                messages.success(
                    request,
                    f"回盘已处理：更新{result.updated_rows}笔，未变{result.unchanged_rows}笔，错误{result.error_rows}行",
                )
            except actions.SubsidyError as exc:
                messages.error(request, str(exc))
            return redirect("subsidies:batch", pk)
    with unscoped():
        items = list(batch.items.select_related("application__district").order_by("pk"))
    return render(request, "subsidies/batch_detail.html", {"batch": batch, "items": items, "form": form})


@login_required
def clawback_list(request: HttpRequest) -> HttpResponse:
    _require_staff(request.user)
    if request.method == "POST" and request.POST.get("action") == "detect":
        if not _city(request.user):
            raise PermissionDenied
        found = actions.detect_clawbacks(actor=request.user)
        messages.success(request, f"核查完成：新发现{len(found)}笔应追回")
        return redirect("subsidies:clawbacks")
    if request.method == "POST" and request.POST.get("id", "").isdigit():
        cb = get_object_or_404(Clawback, pk=int(request.POST["id"]))
        try:
            actions.settle_clawback(cb, actor=request.user, status=request.POST.get("status", ""))
            messages.success(request, "已处理")
        except actions.SubsidyError as exc:
            messages.error(request, str(exc))
        return redirect("subsidies:clawbacks")
    rows = Clawback.objects.select_related("application__programme", "application__district")
    return render(request, "subsidies/clawback_list.html", {"rows": rows, "is_city": _city(request.user),
                                                            "today": timezone.localdate()})  # fmt: skip


urlpatterns = [
    path("", programme_list, name="programmes"),
    path("new/", programme_create, name="programme_create"),
    path("mine/", my_applications, name="mine"),
    path("programmes/<int:pk>/", programme_detail, name="programme"),
    path("programmes/<int:pk>/budget/", programme_budget, name="programme_budget"),
    path("programmes/<int:pk>/bulk-approve/", bulk_approve, name="bulk_approve"),
    path("programmes/<int:pk>/notice/", publish_notice, name="publish_notice"),
    path("programmes/<int:pk>/batch/", build_batch, name="build_batch"),
    path("programmes/<int:pk>/apply/", application_create, name="apply"),
    path("applications/<int:pk>/", application_detail, name="application"),
    path("applications/<int:pk>/edit/", application_edit, name="application_edit"),
    path("applications/<int:pk>/attach/", application_attach, name="application_attach"),
    path("applications/<int:pk>/submit/", application_submit, name="application_submit"),
    path("applications/<int:pk>/withdraw/", application_withdraw, name="application_withdraw"),
    path("applications/<int:pk>/decide/", application_decide, name="application_decide"),
    path("attachments/<int:pk>/", attachment_download, name="attachment"),
    path("objections/<int:pk>/", objection_resolve, name="objection_resolve"),
    path("batches/<int:pk>/", batch_detail, name="batch"),
    path("clawbacks/", clawback_list, name="clawbacks"),
]
