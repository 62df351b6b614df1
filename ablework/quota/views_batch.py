"""Pages of the levy batch (保障金核定): per-district overview of a data year, starting the batch (city
administrators; runs as a task, progress on the job page) and the export for the tax bureau (CSV/Excel).

Staff of the city and districts see and export the units of their districts (the request's scope);
the export is recorded in the audit log with the ids of the units it lists.
"""

from __future__ import annotations

import hashlib
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.views.decorators.http import require_POST

from ablework.accounts.enums import CITY_ROLES
from ablework.core import audit
from ablework.core.files import csv_response, xlsx_response
from ablework.core.models import District
from ablework.quota import access, batch, queries, queries_batch
from ablework.quota.models import Campaign


def _campaign(raw: str) -> Campaign | None:
    years = queries.list_campaigns()
    if raw.isdigit():
        return years.filter(data_year=int(raw)).first()
    return years.first()


def _can_see_job(user: Any, job: Any) -> bool:
    """The job page shows city staff every job and others their own (``core.views.job_detail``)."""
    return job is not None and (user.role in CITY_ROLES or job.created_by_id == user.pk)


@login_required
def levy_batch(request: HttpRequest) -> HttpResponse:
    """保障金核定: the data year's results per district (in scope), the last batch run, exports."""
    if not access.can_list_declarations(request.user):
        raise Http404
    campaign = _campaign(request.GET.get("year", ""))
    job = batch.latest_job(campaign.data_year) if campaign else None
    districts = District.objects.filter(id__in=request.user.scope_district_ids()).order_by("code")  # type: ignore[union-attr]
    return render(
        request,
        "quota/batch/levy.html",
        {
            "campaign": campaign,
            "years": list(queries.list_campaigns().values_list("data_year", flat=True)),
            "overview": queries_batch.levy_overview(campaign) if campaign else None,
            "job": job,
            "job_link": _can_see_job(request.user, job),
            "can_run": access.can_manage_campaigns(request.user),
            "districts": districts,
        },
    )


@login_required
@require_POST
def levy_batch_run(request: HttpRequest) -> HttpResponse:
    """Start the batch of a data year (city administrators); the job page shows its progress."""
    if not access.can_manage_campaigns(request.user):
        raise Http404
    year = request.POST.get("year", "")
    if not year.isdigit():
        messages.error(request, "请选择数据年度")
        return redirect("quota:levy_batch")
    try:
        job = batch.start_levy_batch(int(year), actor=request.user)
    except batch.BatchError as exc:
        messages.error(request, str(exc))
        return redirect(f"{reverse('quota:levy_batch')}?year={year}")
    messages.success(request, f"已发起{year}年度保障金批量计算，可在本页查看进度")
    return redirect("core:job_detail", pk=job.pk)


@login_required
def levy_export(request: HttpRequest) -> HttpResponseBase:
    """The tax bureau's list for a data year: CSV (``format=csv``) or Excel (``format=xlsx``), optionally
    one district (``district=<code>``) — always within the user's districts."""
    if not access.can_list_declarations(request.user):
        raise Http404
    campaign = _campaign(request.GET.get("year", ""))
    if campaign is None:
        raise Http404
    fmt = request.GET.get("format", "csv")
    if fmt not in ("csv", "xlsx"):
        raise Http404
    district = request.GET.get("district", "").strip()
    ids = queries_batch.export_employer_ids(campaign, district_code=district)
    digest = hashlib.sha256(",".join(str(i) for i in sorted(ids)).encode()).hexdigest()
    with transaction.atomic():
        audit.record(
            audit.AuditAction.EXPORT,
            actor=request.user,
            object_type="quota.levyresult",
            object_label=f"{campaign.data_year}年度保障金核定结果导出（{len(ids)}家单位）",
            changes={
                "data_year": campaign.data_year,
                "format": fmt,
                "district": district or "全部（本人辖区）",
                "employers": len(ids),
                "employer_ids_sha256": digest,
            },
            purpose="向税务部门提供保障金核定结果",
        )
    rows = queries_batch.export_rows(campaign, district_code=district)
    name = f"{campaign.data_year}年度残疾人就业保障金核定结果{('_' + district) if district else ''}.{fmt}"
    if fmt == "xlsx":
        return xlsx_response(name, queries_batch.EXPORT_HEADERS, rows)
    return csv_response(name, queries_batch.EXPORT_HEADERS, rows)


urlpatterns: list[URLPattern] = [
    path("levy/", levy_batch, name="levy_batch"),
    path("levy/run/", levy_batch_run, name="levy_batch_run"),
    path("levy/export/", levy_export, name="levy_export"),
]
