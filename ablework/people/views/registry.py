from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import render
from django.urls import path
from django.views.decorators.http import require_POST

from ablework.core import audit
from ablework.core.files import csv_response, xlsx_response
from ablework.core.listing import apply_list, filtered
from ablework.core.models import District
from ablework.people import access, actions, queries
from ablework.people.enums import DisabilityCategory, DisabilityLevel

EXPORT_HEADERS = ["姓名", "身份证号（脱敏）", "性别", "出生日期", "区", "街道", "残疾类别", "残疾等级"]


@login_required
def person_list(request: HttpRequest) -> HttpResponseBase:
    if not access.can_list_people(request.user):
        raise Http404
    qs = queries.list_people()
    fmt = request.GET.get("export")
    if fmt in ("csv", "xlsx"):
        qs, values, _ = filtered(request, qs, queries.PEOPLE_LIST)
        with transaction.atomic():
            audit.record(
                audit.AuditAction.EXPORT,
                actor=request.user,
                object_type="people.person",
                object_label=f"残疾人名单导出（{qs.count()}条）",
                changes={"filters": values, "format": fmt},
            )
        rows = (
            [
                p.name,
                p.id_masked,
                p.get_sex_display(),
                p.birth_date,
                p.district.name,
                p.street.name if p.street else "",
                p.get_disability_category_display(),
                p.get_disability_level_display(),
            ]
            for p in qs.iterator(chunk_size=2000)
        )
        if fmt == "csv":
            return csv_response("残疾人名单.csv", EXPORT_HEADERS, rows)
        return xlsx_response("残疾人名单.xlsx", EXPORT_HEADERS, list(rows))
    state = apply_list(request, qs, queries.PEOPLE_LIST)
    template = "people/includes/person_table.html" if request.headers.get("HX-Request") else "people/person_list.html"
    return render(
        request,
        template,
        {
            "state": state,
            "districts": District.objects.filter(id__in=request.user.scope_district_ids()),  # type: ignore[union-attr]
            "categories": DisabilityCategory.choices,
            "levels": DisabilityLevel.choices,
        },
    )


@login_required
def person_detail(request: HttpRequest, pk: int) -> HttpResponse:
    person = access.access_person(request.user, pk)
    audit.record_read(person, actor=request.user, purpose=request.GET.get("purpose", "查看个人档案"))
    return render(
        request,
        "people/person_detail.html",
        {"person": person, "history": audit.history_for(person), "can_unmask": access.can_unmask(request.user)},
    )


@login_required
@require_POST
def person_unmask(request: HttpRequest, pk: int) -> HttpResponse:
    person = access.access_person(request.user, pk)
    if not access.can_unmask(request.user):
        raise Http404
    purpose = request.POST.get("purpose", "").strip()
    if not purpose:
        return render(request, "people/includes/unmask.html", {"person": person, "error": "请填写查看用途"}, status=422)
    number = actions.reveal_resident_id(person, actor=request.user, purpose=purpose)
    return render(request, "people/includes/unmask.html", {"person": person, "number": number})


urlpatterns = [
    path("", person_list, name="list"),
    path("<int:pk>/", person_detail, name="detail"),
    path("<int:pk>/unmask/", person_unmask, name="unmask"),
]
