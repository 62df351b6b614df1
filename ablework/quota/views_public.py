"""Pages of the public-sector rule (§12: the list, progress, export, the disclosure's publication) and
of the credit events (§13: list, detail with the due-process buttons, objection, payments, scan).

Every page parses input, checks access (``quota.access_public``: 404 for missing and forbidden alike),
calls a query or an action and renders.  These pages show unit data only (no personal data); exports
and publications are still recorded in the audit log.
"""

from __future__ import annotations

import mimetypes
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import transaction
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.views.decorators.http import require_http_methods, require_POST

from ablework.core import audit
from ablework.core.files import xlsx_response
from ablework.core.listing import apply_list
from ablework.core.models import District
from ablework.core.policy import PolicyParameterMissing
from ablework.core.workflow import TransitionNotAllowed
from ablework.employers import api as employers_api
from ablework.quota import access_public as access
from ablework.quota import credit, credit_queries, disclosure, public_sector, queries
from ablework.quota.enums import CreditEventKind, CreditEventState, CreditSeverity
from ablework.quota.forms_public import (
    CreditActionForm,
    CreditCreateForm,
    DetectForm,
    DisclosureForm,
    ObjectionForm,
    PaymentForm,
)
from ablework.quota.models import CreditEvent, DisclosurePublication


def _districts(request: HttpRequest) -> Any:
    return District.objects.filter(id__in=request.user.scope_district_ids()).order_by("sort_order", "code")  # type: ignore[union-attr]


def _form_errors(form: Any, exc: credit.CreditError) -> None:
    if exc.errors:
        for name, message in exc.errors.items():
            form.add_error(name if name in form.fields else None, message)
    else:
        form.add_error(None, str(exc))


# --- §12 the public-sector list -----------------------------------------------------------------------


def _years() -> list[int]:
    return sorted(queries.list_campaigns().values_list("data_year", flat=True), reverse=True)


def _list_params(request: HttpRequest) -> tuple[int | None, str, str, list[int]]:
    years = _years()
    raw = request.GET.get("year", "")
    year = int(raw) if raw.isdigit() and int(raw) in years else (years[0] if years else None)
    show = "all" if request.GET.get("show") == "all" else "unplaced"
    return year, request.GET.get("district", "").strip(), show, years


def _units(year: int, rule: public_sector.YearRule, district: str, show: str) -> Any:
    qs = public_sector.covered_units(year) if show == "all" else public_sector.unplaced_units(year, rule=rule)
    return qs.filter(district__code=district) if district else qs


@login_required
def public_sector_list(request: HttpRequest) -> HttpResponse:
    """公职单位安置情况: covered agencies and institutions that placed nobody (or all covered units), per
    district with counts, and the progress by data year."""
    if not access.can_view_public_sector(request.user):
        raise Http404
    year, district, show, years = _list_params(request)
    context: dict[str, Any] = {
        "years": years, "year": year, "district": district, "show": show, "districts": _districts(request),
        "progress": public_sector.progress_by_year(), "can_publish": access.can_publish_disclosure(request.user),
    }  # fmt: skip
    if year is not None:
        try:
            rule = public_sector.rule_for_year(year)
        except PolicyParameterMissing as exc:
            context["rule_error"] = str(exc)
        else:
            summary, total = public_sector.district_summary(year)
            page = Paginator(_units(year, rule, district, show), 50).get_page(request.GET.get("page"))
            context.update(
                rule=rule, summary=summary, total=total, page=page,
                rows=public_sector.unit_rows(page.object_list, rule),  # type: ignore[arg-type]
                querystring=f"year={year}&district={district}&show={show}&",
            )  # fmt: skip
    return render(request, "quota/public_sector/list.html", context)


@login_required
def public_sector_export(request: HttpRequest) -> HttpResponse:
    """The list as shown (year, district, unplaced or all covered), as Excel."""
    if not access.can_view_public_sector(request.user):
        raise Http404
    year, district, show, _ = _list_params(request)
    if year is None:
        raise Http404
    try:
        rule = public_sector.rule_for_year(year)
    except PolicyParameterMissing:
        raise Http404 from None
    rows = public_sector.unit_rows(_units(year, rule, district, show), rule)
    with transaction.atomic():
        audit.record(
            audit.AuditAction.EXPORT,
            actor=request.user,
            object_type="employers.employer",
            object_label=f"{year}年度公职单位安置情况（{len(rows)}家）",
            changes={"data_year": year, "district": district, "show": show, "employer_ids": [r["pk"] for r in rows]},
            purpose="导出公职单位安置情况",
        )
    headers = ["单位名称", "统一社会信用代码", "税务登记区", "单位类型", "编制数", "在职职工年平均人数",
               "认定安排人数（加权）", "安排比例（%）", "已安排人数", "安置情况"]  # fmt: skip
    data = [
        [r["name"], r["uscc"], r["district"], r["kind"], r["establishment_size"],
         r["staff"].normalize() if r["staff"] is not None else "",
         r["accepted"].normalize() if r["accepted"] is not None else "",
         r["ratio"] if r["ratio"] is not None else "", r["persons"], r["status"]]
        for r in rows
    ]  # fmt: skip
    label = "未安排" if show == "unplaced" else "全部"
    return xlsx_response(f"公职单位安置情况-{year}-{label}.xlsx", headers, data)


@login_required
@require_http_methods(["GET", "POST"])
def disclosure_admin(request: HttpRequest) -> HttpResponse:
    """公示管理 (city administrators): publish or withdraw a year's list on the portal."""
    if not access.can_publish_disclosure(request.user):
        raise Http404
    if request.method == "POST":
        form = DisclosureForm(request.POST)
        if not form.is_valid():
            messages.error(request, "请选择数据年度")
            return redirect("quota:disclosure_admin")
        year, action = form.cleaned_data["data_year"], form.cleaned_data["action"]
        try:
            if action == "publish":
                pub = disclosure.publish_disclosure(actor=request.user, data_year=year)
                messages.success(request, f"已发布{year}年度公示（{len(pub.rows)}家单位）")
            else:
                disclosure.unpublish_disclosure(actor=request.user, data_year=year)
                messages.success(request, f"已撤下{year}年度公示")
        except disclosure.DisclosureError as exc:
            messages.error(request, str(exc))
        return redirect("quota:disclosure_admin")
    pubs = {p.data_year: p for p in DisclosurePublication.objects.select_related("published_by")}
    rows = [{"year": y, "pub": pubs.get(y), "current": len(public_sector.disclosure_rows(y))} for y in _years()]
    return render(request, "quota/public_sector/disclosure_admin.html", {"rows": rows})


# --- §13 credit events --------------------------------------------------------------------------------


@login_required
def credit_list(request: HttpRequest) -> HttpResponse:
    """失信信息: staff see the events of their districts; a unit's users see their own (after notice)."""
    if access.can_list_credit(request.user):
        state = apply_list(request, credit_queries.list_credit_events(), credit_queries.CREDIT_LIST)
        return render(
            request,
            "quota/credit/list.html",
            {"state": state, "years": _years(), "districts": _districts(request),
             "statuses": CreditEventState.choices, "kinds": CreditEventKind.choices,
             "severities": CreditSeverity.choices, "can_act": access.can_act_credit(request.user),
             "can_detect": access.can_detect_credit(request.user),
             "detect_form": DetectForm() if access.can_detect_credit(request.user) else None},
        )  # fmt: skip
    employer = access.own_employer(request.user)
    if employer is None:
        raise Http404
    return render(
        request, "quota/credit/mine.html", {"employer": employer, "events": credit_queries.events_of_employer(employer)}
    )


# Transition → the action form's value (both withdrawals go through ``withdraw_credit_event``).
BUTTONS = {
    "send_notice": "send_notice", "uphold_objection": "uphold_objection", "reject_objection": "reject_objection",
    "propose_push": "propose_push", "approve_push": "approve_push", "return_push": "return_push",
    "withdraw": "withdraw", "withdraw_pushed": "withdraw",
}  # fmt: skip


def _detail(request: HttpRequest, event: CreditEvent, status: int = 200, **extra: Any) -> HttpResponse:
    user = request.user
    view = credit_queries.credit_view(event, user)
    staff = access.can_list_credit(request.user)
    officer = access.can_act_credit(request.user)
    names = {t.name for t in view.transitions}
    # The buttons are the officers' (a payment withdraws by itself; the unit objects on its own form).
    buttons = [
        {"name": t.name, "value": BUTTONS[t.name], "label": t.label} for t in view.transitions if t.name in BUTTONS
    ] if officer else []  # fmt: skip
    can_object = "file_objection" in names and (access.is_own_event(request.user, event) or officer)
    context = {
        "e": event, "view": view, "is_staff": staff, "is_officer": officer, "buttons": buttons,
        "can_object": can_object and event.objection_at is None,
        "action_form": extra.pop("action_form", None) or CreditActionForm(initial={"stage": view.stage_id}),
        "payment_url": f"{reverse('quota:credit_payment')}?uscc={event.employer.uscc}&data_year={event.data_year}",
        **extra,
    }  # fmt: skip
    return render(request, "quota/credit/detail.html", context, status=status)


@login_required
def credit_detail(request: HttpRequest, pk: int) -> HttpResponse:
    event = access.access_credit_event(request.user, pk)
    return _detail(request, event)


@login_required
@require_POST
def credit_act(request: HttpRequest, pk: int) -> HttpResponse:
    """One due-process step chosen by its button; refusals are shown on the detail page."""
    event = access.access_credit_event(request.user, pk)
    if not access.can_act_credit(request.user):
        raise Http404
    form = CreditActionForm(request.POST)
    if not form.is_valid():
        raise Http404
    name, note = form.cleaned_data["transition"], form.cleaned_data["note"]
    stage, actor = form.cleaned_data["stage"], request.user
    done = {
        "send_notice": "已发送预先告知", "uphold_objection": "已认定异议成立，不予推送",
        "reject_objection": "已认定异议不成立", "propose_push": "已提请推送，待另一名经办员审核",
        "approve_push": "已同意推送，列入待推送", "return_push": "已退回", "withdraw": "已撤销",
    }  # fmt: skip
    try:
        if name == "send_notice":
            credit.send_pre_notice(event, actor=actor, decision_number=form.cleaned_data["decision_number"])
        elif name in ("uphold_objection", "reject_objection"):
            credit.decide_objection(event, actor=actor, upheld=name == "uphold_objection", note=note)
        elif name == "propose_push":
            credit.propose_push(event, actor=actor, note=note)
        elif name == "approve_push":
            credit.approve_push(event, actor=actor, note=note, stage=stage)
        elif name == "return_push":
            credit.return_push(event, actor=actor, note=note, stage=stage)
        else:
            credit.withdraw_credit_event(event, actor=actor, reason=note)
    except (credit.CreditError, TransitionNotAllowed) as exc:
        event = access.access_credit_event(request.user, pk)
        return _detail(request, event, status=422, action_error=str(exc), action_form=form)
    messages.success(request, done[name])
    return redirect("quota:credit_detail", pk=pk)


@login_required
@require_http_methods(["GET", "POST"])
def credit_objection(request: HttpRequest, pk: int) -> HttpResponse:
    """提出异议: the unit's user (or an officer recording a paper objection), with an optional document."""
    event = access.access_credit_event(request.user, pk)
    if not (access.is_own_event(request.user, event) or access.can_act_credit(request.user)):
        raise Http404
    form = ObjectionForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            credit.file_objection(
                event, actor=request.user, text=form.cleaned_data["text"], file=form.cleaned_data["file"]
            )
        except credit.CreditError as exc:
            _form_errors(form, exc)
        except TransitionNotAllowed as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "已提交异议，审查结果将通知贵单位")
            return redirect("quota:credit_detail", pk=pk)
    return render(
        request, "quota/credit/form.html",
        {"form": form, "title": f"提出异议：{event.employer.name}{event.data_year}年度{event.get_kind_display()}",
         "submit_label": "提交异议", "multipart": True, "back": reverse("quota:credit_detail", args=[pk]),
         "intro": f"异议期限至{event.objection_due:%Y-%m-%d}。请说明理由并附证明材料（如缴款凭证）。" if event.objection_due else ""},
        status=422 if request.method == "POST" else 200,
    )  # fmt: skip


@login_required
def credit_objection_file(request: HttpRequest, pk: int) -> HttpResponseBase:
    event = access.access_credit_event(request.user, pk)
    if not event.objection_file:
        raise Http404
    audit.record_read(event, actor=request.user, purpose="下载异议证明材料")
    try:
        handle = event.objection_file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    name = event.objection_filename or "异议材料.pdf"
    content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
    return FileResponse(handle, as_attachment=True, filename=name, content_type=content_type)


def _employer_in_scope(request: HttpRequest, form: Any) -> Any:
    employer = employers_api.find_employer_by_uscc(form.cleaned_data["uscc"])
    if employer is None or employer.district_id not in request.user.scope_district_ids():  # type: ignore[union-attr]
        form.add_error("uscc", "未找到该统一社会信用代码的单位，或该单位不在您的辖区")
        return None
    return employer


@login_required
@require_http_methods(["GET", "POST"])
def credit_create(request: HttpRequest) -> HttpResponse:
    """登记失信事件 (district officers): an event found outside the scan."""
    if not access.can_act_credit(request.user):
        raise Http404
    form = CreditCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        employer = _employer_in_scope(request, form)
        if employer is not None:
            data = form.cleaned_data
            try:
                event = credit.create_credit_event(
                    employer, actor=request.user, data_year=data["data_year"], kind=data["kind"],
                    description=data["description"], amount_owed=data["amount_owed"],
                    decision_number=data["decision_number"],
                )  # fmt: skip
            except credit.CreditError as exc:
                _form_errors(form, exc)
            else:
                messages.success(request, "已登记失信事件，下一步：发送预先告知")
                return redirect("quota:credit_detail", pk=event.pk)
    return render(
        request, "quota/credit/form.html",
        {"form": form, "title": "登记失信事件", "submit_label": "登记", "back": reverse("quota:credit_list"),
         "intro": "登记后须先向单位发送预先告知，整改期和异议期届满后方可提请推送。"},
        status=422 if request.method == "POST" else 200,
    )  # fmt: skip


@login_required
@require_POST
def credit_detect(request: HttpRequest) -> HttpResponse:
    """City-wide scan of a data year (city administrators)."""
    if not access.can_detect_credit(request.user):
        raise Http404
    form = DetectForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请填写数据年度")
        return redirect("quota:credit_list")
    year = form.cleaned_data["data_year"]
    try:
        scan = credit.detect_credit_events(year, actor=request.user)
    except credit.CreditError as exc:
        messages.error(request, str(exc))
        return redirect("quota:credit_list")
    messages.success(
        request,
        f"{year}年度核查完成（缴纳期至{scan.deadline:%Y-%m-%d}）：新发现{len(scan.created)}条，已有{scan.already}条",
    )
    return redirect(f"{reverse('quota:credit_list')}?year={year}")


@login_required
@require_http_methods(["GET", "POST"])
def credit_payment(request: HttpRequest) -> HttpResponse:
    """登记保障金缴纳 (district officers): clears the unit's payment-related events once all is paid."""
    if not access.can_act_credit(request.user):
        raise Http404
    form = PaymentForm(request.POST or None, initial={k: request.GET.get(k, "") for k in ("uscc", "data_year")})
    if request.method == "POST" and form.is_valid():
        employer = _employer_in_scope(request, form)
        if employer is not None:
            data = form.cleaned_data
            try:
                result = credit.record_levy_payment(
                    employer, actor=request.user, data_year=data["data_year"], amount=data["amount"],
                    paid_on=data["paid_on"], reference=data["reference"],
                )  # fmt: skip
            except credit.CreditError as exc:
                _form_errors(form, exc)
            else:
                left = f"，尚欠{result.outstanding}元" if result.outstanding and result.outstanding > 0 else ""
                done = f"，已撤销{len(result.withdrawn)}条失信事件" if result.withdrawn else ""
                messages.success(
                    request, f"已登记{employer.name}{data['data_year']}年度保障金缴纳{data['amount']}元{left}{done}"
                )
                if len(result.withdrawn) == 1:
                    return redirect("quota:credit_detail", pk=result.withdrawn[0].pk)
                return redirect("quota:credit_list")
    return render(
        request, "quota/credit/form.html",
        {"form": form, "title": "登记保障金缴纳", "submit_label": "登记", "back": reverse("quota:credit_list"),
         "intro": "按税务缴款凭证登记。单位缴清该年度应缴保障金后，其相关失信事件自动撤销（已推送的将推送撤销记录）。"},
        status=422 if request.method == "POST" else 200,
    )  # fmt: skip


urlpatterns: list[URLPattern] = [
    path("public-sector/", public_sector_list, name="public_sector_list"),
    path("public-sector/export.xlsx", public_sector_export, name="public_sector_export"),
    path("public-sector/disclosure/", disclosure_admin, name="disclosure_admin"),
    path("credit/", credit_list, name="credit_list"),
    path("credit/new/", credit_create, name="credit_create"),
    path("credit/detect/", credit_detect, name="credit_detect"),
    path("credit/payments/new/", credit_payment, name="credit_payment"),
    path("credit/<int:pk>/", credit_detail, name="credit_detail"),
    path("credit/<int:pk>/act/", credit_act, name="credit_act"),
    path("credit/<int:pk>/objection/", credit_objection, name="credit_objection"),
    path("credit/<int:pk>/objection/file/", credit_objection_file, name="credit_objection_file"),
]
