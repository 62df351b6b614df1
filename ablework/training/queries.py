"""Reads of ablework.training for views, exports and the api (no writes)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from django.db.models import Count, Q, QuerySet

from ablework.core.listing import ListSpec
from ablework.training.models import (
    CompetitionEntry,
    Course,
    Enrolment,
    MassageInstitution,
    MassagePractitioner,
    Provider,
)


def _district(qs: QuerySet[Any], v: str) -> QuerySet[Any]:
    return qs.filter(district__code=v)


def _int(field: str) -> Any:
    return lambda qs, v: qs.filter(**{field: int(v)}) if v.isdigit() else qs.none()


def list_providers() -> QuerySet[Provider]:
    return Provider.objects.select_related("district", "street").annotate(course_count=Count("courses"))


PROVIDER_LIST = ListSpec(
    filters={
        "q": lambda qs, v: qs.filter(Q(name__icontains=v) | Q(occupations__icontains=v) | Q(uscc__iexact=v)),
        "district": _district,
        "kind": lambda qs, v: qs.filter(kind=v),
        "listing": lambda qs, v: qs.filter(listing_status=v),
    },
    sorts={"name": ("名称", "name"), "district": ("区", "district__sort_order"), "listed": ("挂牌日期", "listed_on")},
    default_sort="district",
)
PROVIDER_HEADERS = ["名称", "类型", "统一社会信用代码", "区", "地址", "培训工种", "挂牌状态", "挂牌日期", "挂牌有效期至",
                    "场地无障碍", "培训班数", "联系人", "联系电话"]  # fmt: skip


def provider_rows(qs: Iterable[Provider]) -> Iterator[list[Any]]:
    for p in qs:
        yield [p.name, p.get_kind_display(), p.uscc, p.district.name, p.address, p.occupations,
               p.get_listing_status_display(), p.listed_on, p.listing_expires, "是" if p.accessible_site else "否",
               getattr(p, "course_count", ""), p.contact_name, p.contact_phone]  # fmt: skip


def list_courses() -> QuerySet[Course]:
    return Course.objects.select_related("provider", "district").annotate(
        enrolled=Count("enrolments", filter=~Q(enrolments__status="dropped")),
        completed=Count("enrolments", filter=Q(enrolments__status="completed")),
    )


COURSE_LIST = ListSpec(
    filters={
        "q": lambda qs, v: qs.filter(
            Q(name__icontains=v) | Q(occupation__icontains=v) | Q(provider__name__icontains=v)
        ),
        "district": _district,
        "year": _int("year"),
        "length": lambda qs, v: qs.filter(length_class=v),
        "format": lambda qs, v: qs.filter(accessible_formats__contains=v),
        "provider": _int("provider_id"),
    },
    sorts={"start": ("开班日期", "start_date"), "name": ("班次", "name"), "capacity": ("计划人数", "capacity")},
    default_sort="-start",
)
COURSE_HEADERS = ["班次名称", "培训工种/项目", "培训机构", "区", "培训方式", "开班日期", "结业日期", "培训期限",
                  "统计年度", "计划人数", "报名人数", "结业人数", "无障碍形式"]  # fmt: skip


def course_rows(qs: Iterable[Course], format_labels: dict[str, str]) -> Iterator[list[Any]]:
    for c in qs:
        yield [c.name, c.occupation, c.provider.name, c.district.name, c.get_mode_display(), c.start_date, c.end_date,
               c.get_length_class_display(), c.year, c.capacity, getattr(c, "enrolled", ""),
               getattr(c, "completed", ""), "、".join(format_labels.get(f, f) for f in c.format_list)]  # fmt: skip


def enrolments_of(course: Course) -> list[Enrolment]:
    return list(Enrolment.objects.filter(course=course).select_related("person", "course").order_by("id"))


def list_practitioners() -> QuerySet[MassagePractitioner]:
    return MassagePractitioner.objects.select_related("person", "institution", "district")


PRACTITIONER_LIST = ListSpec(
    filters={
        "q": lambda qs, v: qs.filter(Q(person__name__icontains=v) | Q(certificate_no__iexact=v)),
        "district": _district,
        "title": lambda qs, v: qs.filter(title_level="" if v == "none" else v),
        "exam": lambda qs, v: qs.filter(exam_year__isnull=(v != "1")),
    },
    sorts={"exam": ("考试年度", "exam_year"), "name": ("姓名", "person__name_pinyin")},
    default_sort="-exam",
)
PRACTITIONER_HEADERS = [
    "姓名",
    "身份证号（脱敏）",
    "区",
    "考试合格年度",
    "证书编号",
    "职称",
    "职称评定年度",
    "执业机构",
]


def practitioner_rows(qs: Iterable[MassagePractitioner]) -> Iterator[list[Any]]:
    for p in qs:
        yield [p.person.name, p.person.id_masked, p.district.name, p.exam_year, p.certificate_no,
               p.get_title_level_display(), p.title_year, p.institution.name if p.institution else ""]  # fmt: skip


def list_massage_institutions() -> QuerySet[MassageInstitution]:
    return MassageInstitution.objects.select_related("district").annotate(staff=Count("practitioners"))


MASSAGE_LIST = ListSpec(
    filters={
        "q": lambda qs, v: qs.filter(name__icontains=v),
        "district": _district,
        "kind": lambda qs, v: qs.filter(kind=v),
    },
    sorts={"name": ("名称", "name"), "district": ("区", "district__sort_order")},
    default_sort="district",
)
MASSAGE_HEADERS = ["名称", "类型", "区", "执业许可证号", "统一社会信用代码", "地址", "示范中心", "营业中", "按摩人员数"]


def massage_rows(qs: Iterable[MassageInstitution]) -> Iterator[list[Any]]:
    for m in qs:
        yield [m.name, m.get_kind_display(), m.district.name, m.licence_no, m.uscc, m.address,
               "是" if m.demo_centre else "否", "是" if m.active else "否", getattr(m, "staff", "")]  # fmt: skip


def list_entries() -> QuerySet[CompetitionEntry]:
    return CompetitionEntry.objects.select_related("person", "district")


ENTRY_LIST = ListSpec(
    filters={
        "year": _int("year"),
        "district": _district,
        "q": lambda qs, v: qs.filter(
            Q(competition__icontains=v) | Q(event__icontains=v) | Q(person__name__icontains=v)
        ),
    },
    sorts={"year": ("年度", "year")},
    default_sort="-year",
)
ENTRY_HEADERS = ["年度", "赛事", "级别", "竞赛项目", "新业态", "选手", "身份证号（脱敏）", "区", "成绩"]


def entry_rows(qs: Iterable[CompetitionEntry]) -> Iterator[list[Any]]:
    for e in qs:
        yield [e.year, e.competition, e.get_level_display(), e.event, "是" if e.new_form else "否", e.person.name,
               e.person.id_masked, e.district.name, e.get_award_display()]  # fmt: skip
