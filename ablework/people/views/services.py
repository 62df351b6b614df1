"""The "四个一" pages: a person's services and the four record forms (made for phones), the worklist
of who still lacks which service (per district and street, exportable, masked), and the completion
rates per district and street (R14.1) with a chart and its data table."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils import timezone

from ablework.core import audit
from ablework.core.files import csv_response, xlsx_response
from ablework.core.models import District, Street
from ablework.people import access, actions
from ablework.people.actions.services import ServiceError
from ablework.people.enums import EmploymentStatus, ServiceKind
from ablework.people.forms.services import FIELD_ALIASES, FORMS, describe_details
from ablework.people.queries import services as q

FIRST_YEAR = 2022  # the action plan (津政办函〔2022〕28号) starts the 四个一 ledger
EXPORT_HEADERS = ["姓名", "身份证号（脱敏）", "区", "街道", "社区/村", "就业状态", "缺少的服务"]


can_record_services = access.can_record_services


def _unit_of(user: Any) -> str:
    org = getattr(user, "organisation", None)
    return str(org.name) if org is not None else ""


def _year(request: HttpRequest) -> int:
    this_year = timezone.localdate().year
    raw = request.GET.get("year", "")
    return int(raw) if raw.isdigit() and FIRST_YEAR <= int(raw) <= this_year else this_year


def _years() -> list[int]:
    return list(range(timezone.localdate().year, FIRST_YEAR - 1, -1))


def _districts(request: HttpRequest) -> list[District]:
    ids = request.user.scope_district_ids()  # type: ignore[union-attr]
    return list(District.objects.filter(id__in=ids).order_by("sort_order", "code"))


@login_required
def person_services(request: HttpRequest, pk: int) -> HttpResponse:
    person = access.access_person(request.user, pk)
    audit.record_read(person, actor=request.user, purpose="查看四个一服务记录")
    records = [(r, describe_details(r.kind, r.details)) for r in q.list_services(person)]
    return render(
        request,
        "people/services/person.html",
        {
            "person": person,
            "records": records,
            "services_summary": q.services_summary(person),
            "can_record_services": can_record_services(request.user),
        },
    )


def _record(request: HttpRequest, pk: int, kind: str) -> HttpResponseBase:
    """GET: the empty form (a read of the person, audited); POST: record through the action."""
    if not can_record_services(request.user):
        raise Http404
    person = access.access_person(request.user, pk)
    if person.merged_into_id:
        raise Http404
    form_class = FORMS[kind]
    unit = _unit_of(request.user)
    status = 200
    if request.method == "POST":
        form = form_class(request.POST, person=person, unit=unit)
        if form.is_valid():
            data = form.cleaned_data
            try:
                actions.record_service(
                    person,
                    actor=request.user,
                    kind=kind,
                    date=data["date"],
                    unit=data["unit"],
                    outcome=data["outcome"],
                    details=form.details(),
                    service_type=form.service_type_value(),
                    follow_up_on=form.follow_up_value(),
                )
            except ServiceError as exc:
                field = FIELD_ALIASES.get(exc.field, exc.field)
                form.add_error(field if field in form.fields else None, str(exc))
            else:
                messages.success(request, f"已登记{ServiceKind(kind).label}")
                return redirect("people:services_person", pk=person.pk)
        status = 422
    else:
        form = form_class(person=person, unit=unit)
        audit.record_read(person, actor=request.user, purpose=f"登记{ServiceKind(kind).label}")
    return render(
        request,
        "people/services/form.html",
        {"person": person, "form": form, "kind": kind, "title": str(ServiceKind(kind).label)},
        status=status,
    )


def _record_view(kind: str) -> Any:
    def view(request: HttpRequest, pk: int) -> HttpResponseBase:
        return _record(request, pk, kind)

    view.__name__ = view.__qualname__ = f"record_{kind}"
    return login_required(view)


@login_required
def worklist(request: HttpRequest) -> HttpResponseBase:
    """Who still lacks which of the four in the year, for a district (and street); CSV/Excel export."""
    if not access.can_list_people(request.user):
        raise Http404
    districts = _districts(request)
    by_code = {d.code: d for d in districts}
    district = by_code.get(request.GET.get("district", "")) or (districts[0] if len(districts) == 1 else None)
    streets = list(Street.objects.filter(district=district).order_by("code")) if district else []
    street = next((s for s in streets if str(s.pk) == request.GET.get("street", "")), None)
    gap = request.GET.get("gap", "")
    gap = gap if gap in q.KINDS else ""
    year = _year(request)
    period = q.Period.year(year)
    district_ids = [district.pk] if district else [d.pk for d in districts]
    qs = q.worklist(district_ids, street, gap or None, period=period)
    filters = {
        "district": district.code if district else "",
        "street": street.pk if street else "",
        "gap": gap,
        "year": year,
    }
    fmt = request.GET.get("export")
    if fmt in ("csv", "xlsx"):
        return _export(request, qs, filters, fmt, district)
    counts = q.gap_counts(q.worklist(district_ids, street, None, period=period))
    page = Paginator(qs, 25).get_page(request.GET.get("page"))
    rows = [(p, [(k, q.KIND_LABELS[k], f"people:services_new_{k}") for k in q.gaps_of(p)]) for p in page]
    if rows:
        with transaction.atomic():
            audit.record(
                audit.AuditAction.READ,
                actor=request.user,
                object_type="people.person",
                object_label=f"四个一工作台（{len(rows)}人）",
                district_code=district.code if district else "",
                changes={"persons": [p.pk for p, _ in rows], "filters": filters},
                purpose="四个一工作台",
            )
    params = {k: v for k, v in filters.items() if v}
    return render(
        request,
        "people/services/worklist.html",
        {
            "districts": districts,
            "district": district,
            "streets": streets,
            "street": street,
            "gap": gap,
            "year": year,
            "years": _years(),
            "period": period,
            "kinds": [(k, q.KIND_LABELS[k], counts[k]) for k in q.KINDS],
            "total": counts["total"],
            "page": page,
            "rows": rows,
            "querystring_prefix": urlencode(params) + ("&" if params else ""),
            "can_record_services": can_record_services(request.user),
        },
    )


def _export(
    request: HttpRequest, qs: Any, filters: dict[str, Any], fmt: str, district: District | None
) -> HttpResponseBase:
    status_labels = dict(EmploymentStatus.choices)
    people = list(qs)
    with transaction.atomic():
        audit.record(
            audit.AuditAction.EXPORT,
            actor=request.user,
            object_type="people.person",
            object_label=f"四个一缺项名单导出（{len(people)}条）",
            district_code=district.code if district else "",
            changes={"filters": filters, "format": fmt, "persons": [p.pk for p in people]},
            purpose="四个一工作台",
        )
    rows = [
        [
            p.name,
            p.id_masked,
            p.district.name,
            p.street.name if p.street else "",
            p.community,
            str(status_labels.get(p.status, p.status)),
            "、".join(q.KIND_LABELS[k] for k in q.gaps_of(p)),
        ]
        for p in people
    ]
    name = f"四个一缺项名单{filters['year']}"
    if fmt == "csv":
        return csv_response(f"{name}.csv", EXPORT_HEADERS, rows)
    return xlsx_response(f"{name}.xlsx", EXPORT_HEADERS, rows)


def _chart(rows: list[q.CompletionRow]) -> dict[str, Any]:
    def pct(rate: float | None) -> float | None:
        return None if rate is None else round(rate * 100, 1)

    return {
        "labels": [r.name for r in rows],
        "series": [
            {"name": "基础信息核对率", "data": [pct(r.completion.info_rate) for r in rows]},
            {"name": "四项全部完成率", "data": [pct(r.completion.all_four_rate) for r in rows]},
        ],
    }


@login_required
def completion(request: HttpRequest) -> HttpResponse:
    """R14.1 rates per district (every district in the user's scope) and per street of one district."""
    if not access.can_list_people(request.user):
        raise Http404
    districts = _districts(request)
    year = _year(request)
    rows = q.completion_by_district(year, district_ids=[d.pk for d in districts])
    by_code = {d.code: d for d in districts}
    district = by_code.get(request.GET.get("district", "")) or (districts[0] if len(districts) == 1 else None)
    street_rows = q.completion_by_street(district.pk, year) if district else []
    return render(
        request,
        "people/services/completion.html",
        {
            "year": year,
            "years": _years(),
            "rows": rows,
            "total": q.CompletionRow(code="", name="合计", completion=q.total(rows)),
            "district": district,
            "districts": districts,
            "street_rows": street_rows,
            "chart_districts": _chart(rows),
            "chart_streets": _chart(street_rows) if street_rows else None,
        },
    )


urlpatterns: list[URLPattern] = [
    path("services/worklist/", worklist, name="services_worklist"),
    path("services/completion/", completion, name="services_completion"),
    path("<int:pk>/services/", person_services, name="services_person"),
    *[
        path(f"<int:pk>/services/{kind.replace('_', '-')}/", _record_view(kind), name=f"services_new_{kind}")
        for kind in q.KINDS
    ],
]
