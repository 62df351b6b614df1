"""Reads for views, exports, reports and the api (no writes)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import date
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone

from ablework.assisted import rules
from ablework.assisted.enums import InstitutionKind, InstitutionStatus, ParticipantStatus
from ablework.assisted.models import (
    Institution,
    LabourProject,
    MonthlyRecord,
    Participant,
    ProjectOutput,
    RuralBase,
    RuralSupport,
)
from ablework.core.listing import ListSpec
from ablework.core.models import District
from ablework.core.scoping import unscoped

# --- coverage KPI -------------------------------------------------------------------------------------------


def _active_on(on: date) -> Q:
    return Q(status=InstitutionStatus.ACTIVE) | Q(closed_on__gt=on)


def coverage_kpi(on: date | None = None) -> rules.CoverageKpi:
    """Per district: active workstations and active institutions of any kind on ``on`` (counts only, no
    personal data, so city-wide for every staff user)."""
    on = on or timezone.localdate()
    with unscoped():
        live = Institution.objects.filter(_active_on(on)).filter(
            Q(production_start__isnull=True) | Q(production_start__lte=on)
        )
        stations = dict(
            live.filter(kind=InstitutionKind.WORKSTATION).values_list("district_id").annotate(n=Count("id"))
        )
        all_kinds = dict(live.values_list("district_id").annotate(n=Count("id")))
        rows = [
            rules.DistrictCoverage(
                code=d.code,
                name=d.name,
                agricultural=d.is_agricultural,
                active_workstations=stations.get(d.pk, 0),
                active_institutions=all_kinds.get(d.pk, 0),
            )
            for d in District.objects.order_by("sort_order", "code")
        ]
    return rules.coverage_kpi(rows)


# --- lists ------------------------------------------------------------------------------------------------


def _district(qs: QuerySet[Any], v: str) -> QuerySet[Any]:
    return qs.filter(district__code=v)


def list_institutions() -> QuerySet[Institution]:
    return Institution.objects.select_related("district", "street").annotate(
        active_participants=Count("participants", filter=Q(participants__status=ParticipantStatus.ACTIVE))
    )


INSTITUTION_LIST = ListSpec(
    filters={
        "q": lambda qs, v: qs.filter(Q(name__icontains=v) | Q(uscc__iexact=v) | Q(operator__icontains=v)),
        "district": _district,
        "kind": lambda qs, v: qs.filter(kind=v),
        "status": lambda qs, v: qs.filter(status=v),
        "barrier_free": lambda qs, v: qs.filter(barrier_free=(v == "1")),
    },
    sorts={
        "name": ("名称", "name"),
        "district": ("区", "district__sort_order"),
        "capacity": ("可安置人数", "capacity"),
        "participants": ("在岗人数", "active_participants"),
        "start": ("开始生产", "production_start"),
    },
    default_sort="district",
)

INSTITUTION_HEADERS = [
    "名称", "类型", "统一社会信用代码", "区", "街道/乡镇", "地址", "举办单位", "可安置人数", "在岗人数",
    "场地无障碍", "无障碍设施", "状态", "开始生产日期", "关闭日期", "联系人", "联系电话",
]  # fmt: skip


def institution_rows(qs: Iterable[Institution]) -> Iterator[list[Any]]:
    for i in qs:
        yield [
            i.name, i.get_kind_display(), i.uscc, i.district.name, i.street.name if i.street else "", i.address,
            i.operator, i.capacity, getattr(i, "active_participants", ""), "是" if i.barrier_free else "否",
            i.barrier_free_facilities, i.get_status_display(), i.production_start, i.closed_on, i.contact_name,
            i.contact_phone,
        ]  # fmt: skip


def list_participants() -> QuerySet[Participant]:
    return Participant.objects.select_related("institution", "person", "district")


PARTICIPANT_LIST = ListSpec(
    filters={
        "q": lambda qs, v: qs.filter(Q(person__name__icontains=v) | Q(person__name_initials__iexact=v.lower())),
        "district": _district,
        "institution": lambda qs, v: qs.filter(institution_id=int(v)) if v.isdigit() else qs.none(),
        "status": lambda qs, v: qs.filter(status=v),
        "eligible": lambda qs, v: qs.filter(eligible=(v == "1")),
    },
    sorts={
        "joined": ("进入日期", "joined_on"),
        "name": ("姓名", "person__name_pinyin"),
        "institution": ("机构", "institution__name"),
    },
    default_sort="-joined",
)

PARTICIPANT_HEADERS = [
    "姓名", "身份证号（脱敏）", "残疾类别", "残疾等级", "机构", "区", "进入日期", "离开日期", "状态",
    "符合对象条件", "资格说明", "从事工作",
]  # fmt: skip


def participant_rows(qs: Iterable[Participant]) -> Iterator[list[Any]]:
    for p in qs:
        yield [
            p.person.name, p.person.id_masked, p.person.get_disability_category_display() or "",
            p.person.get_disability_level_display() or "", p.institution.name, p.district.name, p.joined_on,
            p.left_on, p.get_status_display(), "是" if p.eligible else "否", p.eligibility_note, p.work_content,
        ]  # fmt: skip


def list_projects() -> QuerySet[LabourProject]:
    return LabourProject.objects.select_related("institution", "district").annotate(
        output_income=Sum("outputs__income")
    )


PROJECT_LIST = ListSpec(
    filters={
        "q": lambda qs, v: qs.filter(Q(source_unit__icontains=v) | Q(content__icontains=v)),
        "district": _district,
        "source_kind": lambda qs, v: qs.filter(source_kind=v),
        "allocated": lambda qs, v: qs.filter(institution__isnull=(v != "1")),
        "year": lambda qs, v: qs.filter(start_date__year=int(v)) if v.isdigit() else qs.none(),
    },
    sorts={"start": ("开始日期", "start_date"), "source": ("来源单位", "source_unit")},
    default_sort="-start",
)

PROJECT_HEADERS = [
    "来源单位", "来源单位类型", "项目内容", "数量", "计量单位", "单价（元）", "金额（元）", "开始日期",
    "结束日期", "承接机构", "调配日期", "区", "累计产出收入（元）",
]  # fmt: skip


def project_rows(qs: Iterable[LabourProject]) -> Iterator[list[Any]]:
    for p in qs:
        yield [
            p.source_unit, p.get_source_kind_display(), p.content, p.volume, p.unit, p.unit_price,
            p.volume * p.unit_price, p.start_date, p.end_date, p.institution.name if p.institution else "",
            p.allocated_on, p.district.name, getattr(p, "output_income", None) or 0,
        ]  # fmt: skip


def list_rural_bases() -> QuerySet[RuralBase]:
    return RuralBase.objects.select_related("district", "street").annotate(
        persons=Count("supports__person", distinct=True), income=Sum("supports__income")
    )


RURAL_LIST = ListSpec(
    filters={
        "q": lambda qs, v: qs.filter(Q(name__icontains=v) | Q(operator__icontains=v)),
        "district": _district,
        "kind": lambda qs, v: qs.filter(kind=v),
        "industry": lambda qs, v: qs.filter(industry=v),
    },
    sorts={"name": ("名称", "name"), "district": ("区", "district__sort_order")},
    default_sort="district",
)

RURAL_HEADERS = [
    "名称",
    "类型",
    "区",
    "街道/乡镇",
    "依托企业/合作社",
    "行业",
    "认定日期",
    "状态",
    "帮扶人数",
    "带来收入（元）",
]


def rural_rows(qs: Iterable[RuralBase]) -> Iterator[list[Any]]:
    for b in qs:
        yield [
            b.name, b.get_kind_display(), b.district.name, b.street.name if b.street else "", b.operator,
            b.get_industry_display(), b.recognised_on, b.get_status_display(), getattr(b, "persons", 0),
            getattr(b, "income", None) or 0,
        ]  # fmt: skip


# --- detail pages ---------------------------------------------------------------------------------------


def participants_of(institution: Institution) -> QuerySet[Participant]:
    return Participant.objects.filter(institution=institution).select_related("person").order_by("status", "-joined_on")


def months_of(participant: Participant) -> QuerySet[MonthlyRecord]:
    return MonthlyRecord.objects.filter(participant=participant).order_by("-month")


def outputs_of(project: LabourProject) -> QuerySet[ProjectOutput]:
    return ProjectOutput.objects.filter(project=project).order_by("-month")


def supports_of(base: RuralBase) -> QuerySet[RuralSupport]:
    return RuralSupport.objects.filter(base=base).select_related("person").order_by("-year", "id")


def institution_summary(institution: Institution) -> dict[str, Any]:
    parts = Participant.objects.filter(institution=institution)
    active = parts.filter(status=ParticipantStatus.ACTIVE)
    return {
        "active": active.count(),
        "eligible": active.filter(eligible=True).count(),
        "job_coaches": institution.staff.filter(role="job_coach").count(),
        "projects": LabourProject.objects.filter(institution=institution).count(),
    }
