"""Policy simulation pages (city administrators only): the list of scenarios, a new scenario (the live
values shown, some changed) and the side-by-side result."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from ablework.core.access import require
from ablework.quota import api as quota_api
from ablework.reports import simulation
from ablework.reports.access import is_city_admin
from ablework.reports.models import Scenario


def _year_choices() -> list[int]:
    return quota_api.review_years()


def _shown(key: str, value: str | None) -> str:
    """A stored value as the form shows it: per cent for the ratio fields."""
    if value is None:
        return ""
    f = next((f for f in simulation.FIELDS if f.key == key), None)
    if f is not None and f.unit == "%":
        from decimal import Decimal

        return format((Decimal(value) * 100).normalize(), "f")
    return value


@require(is_city_admin)
def simulation_list(request: HttpRequest) -> HttpResponse:
    return render(request, "reports/simulation/list.html", {"scenarios": Scenario.objects.all()[:50]})


@require(is_city_admin)
def simulation_new(request: HttpRequest) -> HttpResponse:
    years = _year_choices()
    try:
        year = int(request.POST.get("data_year") or request.GET.get("data_year") or (years[0] if years else 0))
    except ValueError:
        year = years[0] if years else 0
    errors: dict[str, str] = {}
    base: dict[str, Any] = {}
    form_error = ""
    try:
        base = simulation.current_values(year) if year else {}
    except simulation.SimulationError as exc:
        form_error = str(exc)
    values = {f.key: _shown(f.key, base.get(f.key)) for f in simulation.FIELDS}
    name = ""
    if request.method == "POST" and not form_error:
        name = request.POST.get("name", "").strip()
        values = {f.key: request.POST.get(f.key, "").strip() for f in simulation.FIELDS}
        overrides, errors = simulation.parse_overrides(values, base)
        if not name:
            errors["name"] = "请填写方案名称"
        if not errors:
            try:
                scenario = simulation.create_scenario(
                    name=name, data_year=year, overrides=overrides, actor=request.user
                )
            except simulation.SimulationError as exc:
                form_error = str(exc)
            else:
                messages.success(request, "测算完成（现行参数未作任何改变）。")
                return redirect("reports:simulation_detail", pk=scenario.pk)
    fields = [
        {"f": f, "value": values.get(f.key, ""), "current": _shown(f.key, base.get(f.key)), "error": errors.get(f.key),
         "disabled": base.get(f.key) is None}
        for f in simulation.FIELDS
    ]  # fmt: skip
    return render(
        request,
        "reports/simulation/new.html",
        {"years": years, "year": year, "fields": fields, "name": name, "name_error": errors.get("name"),
         "form_error": form_error},
        status=400 if (errors or form_error) and request.method == "POST" else 200,
    )  # fmt: skip


def _scenario(pk: int) -> Scenario:
    scenario = Scenario.objects.filter(pk=pk).first()
    if scenario is None:
        raise Http404("没有该方案")
    return scenario


@require(is_city_admin)
def simulation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    scenario = _scenario(pk)
    params = [
        {"label": f.label, "unit": f.unit, "current": _shown(f.key, scenario.base_values.get(f.key)),
         "scenario": _shown(f.key, scenario.values().get(f.key)), "changed": f.key in scenario.overrides}
        for f in simulation.FIELDS
    ]  # fmt: skip
    return render(request, "reports/simulation/detail.html", {"s": scenario, "r": scenario.result, "params": params})


@require_POST
@require(is_city_admin)
def simulation_recompute(request: HttpRequest, pk: int) -> HttpResponse:
    scenario = _scenario(pk)
    try:
        simulation.recompute(scenario, actor=request.user)
        messages.success(request, "已按当前数据重新测算。")
    except simulation.SimulationError as exc:
        messages.error(request, str(exc))
    return redirect("reports:simulation_detail", pk=scenario.pk)
