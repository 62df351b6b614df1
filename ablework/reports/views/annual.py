"""Annual reports: the list with the deadline and overdue districts, a report's page (narrative form,
figures, workflow buttons), PDF and Excel."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.encoding import escape_uri_path
from django.views.decorators.http import require_POST

from ablework.accounts.enums import Role
from ablework.core import audit, workflow
from ablework.core.access import require
from ablework.core.enums import AuditAction
from ablework.core.models import District
from ablework.core.scoping import unscoped
from ablework.core.workflow import TransitionNotAllowed
from ablework.reports import annual
from ablework.reports import render as rendering
from ablework.reports.access import is_staff, scope_ids
from ablework.reports.models import AnnualReport, ReportStatus


def _year(request: HttpRequest) -> int:
    try:
        return int(request.GET.get("year") or request.POST.get("year") or timezone.localdate().year)
    except ValueError:
        return timezone.localdate().year


def get_report(request: HttpRequest, pk: int) -> AnnualReport:
    """The report if the user may see it: a district report inside the scope; the city summary for
    city roles only.  Missing and forbidden give the same 404."""
    user: Any = request.user
    with unscoped():
        report = AnnualReport.objects.select_related("district").filter(pk=pk).first()
    if report is None:
        raise Http404("没有该报告或无权查看")
    if report.is_city:
        if not user.is_city:
            raise Http404("没有该报告或无权查看")
    elif report.district_id not in scope_ids(user):
        raise Http404("没有该报告或无权查看")
    return report


@require(is_staff)
def annual_list(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    year = _year(request)
    ids = scope_ids(user)
    due, due_param = annual.deadline(year)
    city_report = None
    if user.is_city:
        with unscoped():
            city_report = AnnualReport.objects.filter(district__isnull=True, year=year).first()
    rows = annual.status_table(year, ids)
    now = timezone.localdate().year
    return render(
        request,
        "reports/annual/list.html",
        {
            "year": year,
            "years": list(range(now, now - 4, -1)),
            "deadline": due,
            "deadline_param": due_param,
            "past_deadline": timezone.localdate() > due,
            "rows": rows,
            "overdue_count": sum(r["overdue"] for r in rows),
            "city_report": city_report,
            "can_start_city": user.role == Role.CITY_ADMIN,
            "own_districts": [r for r in rows if user.role == Role.DISTRICT_OFFICER],
        },
    )


@require_POST
@require(is_staff)
def annual_start(request: HttpRequest) -> HttpResponse:
    """Open (or create) the report of a district of the user's scope, or the city summary."""
    user: Any = request.user
    year = _year(request)
    code = request.POST.get("district") or ""
    if code:
        if user.role != Role.DISTRICT_OFFICER:
            raise Http404("没有该区或无权操作")
        district = District.objects.filter(code=code, pk__in=scope_ids(user)).first()
        if district is None:
            raise Http404("没有该区或无权操作")
    else:
        if user.role != Role.CITY_ADMIN:
            raise Http404("无权操作")
        district = None
    report = annual.get_or_create_report(district=district, year=year, actor=user)
    return redirect("reports:annual_detail", pk=report.pk)


def _may_edit(user: Any, report: AnnualReport) -> bool:
    if report.status not in (ReportStatus.DRAFT, ReportStatus.RETURNED):
        return False
    return user.role == (Role.CITY_ADMIN if report.is_city else Role.DISTRICT_OFFICER)


@require(is_staff)
def annual_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user: Any = request.user
    report = get_report(request, pk)
    if request.method == "POST":
        if not _may_edit(user, report):
            raise Http404("无权修改")
        annual.save_narrative(report, actor=user, **{f: request.POST.get(f, "") for f in annual.NARRATIVE_FIELDS})
        messages.success(request, "报告内容已保存。")
        return redirect("reports:annual_detail", pk=report.pk)
    annual.ensure_report_chain()
    transitions = list(workflow.available_transitions(report, user))
    return render(
        request,
        "reports/annual/detail.html",
        {
            **rendering.report_context(report),
            "editable": _may_edit(user, report),
            "transitions": transitions,
            "history": workflow.history(report),
            "overdue": (not report.is_city) and annual.is_overdue(report, report.year),
            "fields": [(f, rendering.NARRATIVE_LABELS[f], getattr(report, f)) for f in annual.NARRATIVE_FIELDS],
        },
    )


@require_POST
@require(is_staff)
def annual_transition(request: HttpRequest, pk: int, name: str) -> HttpResponse:
    user: Any = request.user
    report = get_report(request, pk)
    try:
        if name == "submit":
            annual.submit_report(report, actor=user)
            messages.success(request, "报告已报送市级审核。")
        else:
            annual.decide_report(report, name, actor=user, note=request.POST.get("note", "").strip())
            messages.success(request, "已处理。")
    except (annual.ReportError, TransitionNotAllowed) as exc:
        messages.error(request, str(exc))
    return redirect("reports:annual_detail", pk=report.pk)


def _filename(report: AnnualReport, ext: str) -> str:
    return f"{report.scope_name}{report.year}年度执行情况报告.{ext}"


def _download(content: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{escape_uri_path(filename)}"
    return response


@require(is_staff)
def annual_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    report = get_report(request, pk)
    extra = {"district_reports": rendering.city_appendix(report.year)} if report.is_city else None
    pdf = rendering.render_pdf(report, extra)
    with transaction.atomic():
        audit.record(
            AuditAction.EXPORT, actor=request.user, obj=report, changes={"format": "pdf"}, purpose="下载年度报告"
        )
    return _download(pdf, "application/pdf", _filename(report, "pdf"))


@require(is_staff)
def annual_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    report = get_report(request, pk)
    content = rendering.render_xlsx(report)
    with transaction.atomic():
        audit.record(
            AuditAction.EXPORT, actor=request.user, obj=report, changes={"format": "xlsx"}, purpose="下载年度报告"
        )
    return _download(
        content, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", _filename(report, "xlsx")
    )
