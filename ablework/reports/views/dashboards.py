"""The landing page (工作台) and the monitoring dashboards with drill-down city → district → street."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from ablework.core.access import require
from ablework.core.models import District
from ablework.reports import aggregates, queries
from ablework.reports.access import area_for, is_city_admin, is_staff, scope_ids
from ablework.reports.dashboards import TOPICS, Area, panel_context, target_panel


def _year(request: HttpRequest) -> int:
    try:
        year = int(request.GET.get("year", ""))
    except ValueError:
        year = timezone.localdate().year
    return year if 2000 <= year <= 2100 else timezone.localdate().year


def _years(year: int) -> list[int]:
    now = timezone.localdate().year
    return sorted(set(queries.years_with_figures()) | {now, now - 1, now - 2, year}, reverse=True)


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    """The landing page.  Staff see the counts of their districts (from the pre-aggregated figures),
    the new-jobs target and links to the dashboards; others a short welcome."""
    user = request.user
    ctx: dict[str, Any] = {}
    if is_staff(user):
        year = timezone.localdate().year
        ids = scope_ids(user)
        latest = queries.latest_refresh(None)
        # The registry counts are "now" counts: taken from the latest refresh, whatever its year.
        figures = queries.figures_by("registry", latest.year if latest else year, ids, group="district_id")
        districts = District.objects.filter(id__in=ids).order_by("sort_order", "code")
        ctx["rows"] = [
            {"district": d, "people": int(figures.get(d.pk, {}).get("persons", 0)),
             "employers": int(figures.get(d.pk, {}).get("employers", 0))}
            for d in districts
        ]  # fmt: skip
        ctx["people_total"] = sum(r["people"] for r in ctx["rows"])
        ctx["employers_total"] = sum(r["employers"] for r in ctx["rows"])
        ctx["refresh"] = latest
        area = Area("city", ids, all_districts=getattr(user, "is_city", False))
        ctx["target"] = target_panel(year, area)
        ctx["topics"] = list(TOPICS.values())
        ctx["year"] = year
    return render(request, "reports/dashboard.html", ctx)


@require(is_staff)
def topic(request: HttpRequest, code: str) -> HttpResponse:
    spec = TOPICS.get(code)
    if spec is None:
        raise Http404("没有该统计主题")
    year = _year(request)
    district_code = request.GET.get("district") or None
    street_code = request.GET.get("street") or None
    if street_code and not spec.street_level:
        street_code = None
    area = area_for(request.user, district_code, street_code)
    panels = spec.build(year, area)
    crumbs = []
    if area.level != "city" and len(scope_ids(request.user)) > 1:
        crumbs.append(("全部", f"?year={year}"))
    if area.street is not None and area.district is not None:
        crumbs.append((area.district.name, f"?year={year}&district={area.district.code}"))
    return render(
        request,
        "reports/topic.html",
        {
            "spec": spec,
            "topics": list(TOPICS.values()),
            "area": area,
            "year": year,
            "years": _years(year),
            "panels": [panel_context(p) for p in panels],
            "refresh": queries.latest_refresh(year),
            "crumbs": crumbs,
            "district_code": district_code or "",
            "street_code": street_code or "",
        },
    )


@require_POST
@require(is_city_admin)
def refresh_figures(request: HttpRequest) -> HttpResponse:
    """Queue the refresh of the figures of this year and the two before (task ``refresh_figures_task``)."""
    from ablework.reports.tasks import refresh_figures_task

    years = aggregates.default_years()
    refresh_figures_task.enqueue(years)
    messages.success(request, f"已提交{years[0]}—{years[-1]}年统计数据的更新任务，完成后页面显示新的更新时间。")
    return redirect(request.POST.get("next") or "reports:dashboard")
