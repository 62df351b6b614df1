"""The data-quality report: four checks, each a scoped list with a link to where the record is fixed,
paginated and exportable (xlsx, audited).  The lists name persons, so every page view and export is
audited as a read of those records."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from ablework.core import audit
from ablework.core.access import require
from ablework.core.enums import AuditAction
from ablework.core.files import xlsx_response
from ablework.people import api as people_api
from ablework.quota import api as quota_api
from ablework.reports.access import is_staff, scope_ids


@dataclass(frozen=True)
class Check:
    code: str
    title: str
    explain: str
    headers: tuple[str, ...]
    object_type: str


CHECKS = {
    c.code: c
    for c in (
        Check(
            "info_check",
            "缺少四个一基础信息核对",
            "劳动年龄内未就业、当年尚无基础信息核对记录的残疾人（R14.1）。",
            ("姓名", "身份证号", "区", "街道/乡镇", "就业状态"),
            "people.person",
        ),
        Check(
            "expired_cert",
            "证件过期仍计入按比例就业",
            "在已审核认定的年审申报中认定计入、但登记证件在该数据年度结束前已过期的人员（R2.4）。",
            ("姓名", "身份证号", "申报单位", "区", "证件有效期至"),
            "quota.declaredemployee",
        ),
        Check(
            "age_status",
            "非劳动年龄却登记为未就业",
            "按劳动年龄参数已不在劳动年龄内，但就业状态仍为“未就业”的残疾人（R14.2）：状态未及时更新。",
            ("姓名", "身份证号", "区", "出生日期", "就业状态"),
            "people.person",
        ),
        Check(
            "employment_overlap",
            "就业记录相互冲突",
            "同一人的两条就业记录期间重叠（同时在两处就业或漏填结束日期）。",
            ("姓名", "身份证号", "区", "就业形式", "单位", "开始", "结束"),
            "people.employmentrecord",
        ),
    )
}


def _year(request: HttpRequest) -> int:
    try:
        return int(request.GET.get("year") or timezone.localdate().year)
    except ValueError:
        return timezone.localdate().year


def review_year(year: int) -> int:
    """The annual review's data year for a chosen year: the current year has no review yet (units
    declare their previous year), so it means last year's data."""
    return min(year, timezone.localdate().year - 1)


def _rows(code: str, request: HttpRequest, year: int) -> tuple[Any, Any]:
    """(queryset, row function → (cells, fix link, audited id)) of a check, in the request's scope."""
    today = timezone.localdate()
    if code == "info_check":
        qs = people_api.quality_missing_info_check(year, scope_ids(request.user))
        return qs, lambda p: (
            (p.name, p.id_masked, p.district.name, p.street.name if p.street else "", p.get_status_display()),
            reverse("people:services_person", args=[p.pk]),
            p.pk,
        )
    if code == "expired_cert":
        qs = quota_api.expired_certificates_counted(review_year(year))
        return qs, lambda e: (
            (
                e.name,
                e.id_masked,
                e.declaration.employer.name,
                e.declaration.employer.district.name,
                f"{e.person.cert_valid_until:%Y-%m-%d}" if e.person and e.person.cert_valid_until else "",
            ),
            reverse("quota:declaration_detail", args=[e.declaration_id]),
            e.pk,
        )
    if code == "age_status":
        qs = people_api.quality_unemployed_outside_working_age(today)
        return qs, lambda p: (
            (p.name, p.id_masked, p.district.name, f"{p.birth_date:%Y-%m-%d}", p.get_status_display()),
            reverse("people:detail", args=[p.pk]),
            p.pk,
        )
    qs = people_api.quality_conflicting_employment()
    return qs, lambda r: (
        (
            r.person.name,
            r.person.id_masked,
            r.person.district.name,
            r.get_form_display(),
            r.employer_name,
            f"{r.start_date:%Y-%m-%d}",
            f"{r.end_date:%Y-%m-%d}" if r.end_date else "至今",
        ),
        reverse("people:detail", args=[r.person_id]),
        r.pk,
    )


@require(is_staff)
def quality(request: HttpRequest) -> HttpResponse:
    """Overview: how many records each check finds in the user's districts."""
    year = _year(request)
    counts = {code: _rows(code, request, year)[0].count() for code in CHECKS}
    return render(request, "reports/quality/index.html", {"checks": CHECKS.values(), "counts": counts, "year": year})


@require(is_staff)
def quality_check(request: HttpRequest, code: str) -> HttpResponse:
    check = CHECKS.get(code)
    if check is None:
        raise Http404("没有该检查项")
    year = _year(request)
    qs, row = _rows(code, request, year)
    if request.GET.get("export") == "xlsx":
        items = [row(x) for x in qs[:50000]]
        audit.record_many(
            AuditAction.EXPORT,
            actor=request.user,
            object_type=check.object_type,
            object_ids=[i[2] for i in items],
            purpose=f"数据质量报告导出：{check.title}",
        )
        return xlsx_response(f"数据质量-{check.title}.xlsx", check.headers, [i[0] for i in items])
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    items = [row(x) for x in page.object_list]
    if items:
        audit.record_many(
            AuditAction.READ,
            actor=request.user,
            object_type=check.object_type,
            object_ids=[i[2] for i in items],
            purpose=f"数据质量报告：{check.title}",
        )
    return render(
        request,
        "reports/quality/check.html",
        {
            "check": check,
            "page": page,
            "items": items,
            "year": year,
            "checks": CHECKS.values(),
            "data_year": review_year(year) if code == "expired_cert" else None,
        },
    )
