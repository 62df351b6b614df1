"""Reads of the employer registry for views and exports."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import OuterRef, QuerySet, Subquery
from django.utils.translation import gettext as _

from ablework.accounts.enums import OrgKind, Role
from ablework.accounts.models import User
from ablework.core import audit
from ablework.core.enums import AuditAction
from ablework.core.listing import ListSpec
from ablework.core.models import AuditLog
from ablework.employers.enums import AgencyLevel, EmployerKind, EmployerStatus
from ablework.employers.models import Employer, EmployerContact

IMPORT_OBJECT_PREFIX = "import-"  # object_id of the audit entries an import batch writes (one per chunk)


def _search(qs: QuerySet[Employer], value: str) -> QuerySet[Employer]:
    value = value.strip()
    if re.fullmatch(r"[0-9A-Za-z]{18}", value):
        return qs.filter(uscc=value.upper())
    return qs.filter(name__contains=value)


def _choice(field: str, allowed: list[str]) -> Any:
    def apply(qs: QuerySet[Employer], value: str) -> QuerySet[Employer]:
        return qs.filter(**{field: value}) if value in allowed else qs.none()

    return apply


def _district(qs: QuerySet[Employer], value: str) -> QuerySet[Employer]:
    return qs.filter(district__code=value)


def _public(qs: QuerySet[Employer], value: str) -> QuerySet[Employer]:
    if value == "yes":
        return qs.filter(kind__in=[EmployerKind.AGENCY, EmployerKind.INSTITUTION])
    return qs


EMPLOYER_LIST = ListSpec(
    filters={
        "q": _search,
        "district": _district,
        "kind": _choice("kind", list(EmployerKind.values)),
        "level": _choice("agency_level", list(AgencyLevel.values)),
        "status": _choice("status", list(EmployerStatus.values)),
        "public": _public,
    },
    sorts={
        "name": ("单位名称", "name"),
        "uscc": ("统一社会信用代码", "uscc"),
        "size": ("编制数", "establishment_size"),
        "id": ("登记顺序", "id"),
    },
    default_sort="id",
)


def list_employers() -> QuerySet[Employer]:
    """Units in the current district scope, with what the list shows."""
    return Employer.objects.select_related("district", "industry")


def with_primary_contact(qs: QuerySet[Employer]) -> QuerySet[Employer]:
    primary = EmployerContact.objects.filter(employer=OuterRef("pk"), is_primary=True)
    return qs.annotate(
        contact_name=Subquery(primary.values("name")[:1]),
        contact_phone=Subquery(primary.values("phone")[:1]),
    )


EXPORT_HEADERS = [
    "统一社会信用代码", "单位名称", "单位类型", "机关层级", "编制数", "中小学或幼儿园", "税务登记区", "行业代码", "行业",
    "地址", "法定代表人（负责人）", "主要联系人", "联系电话", "状态", "注销日期",
]  # fmt: skip


def export_rows(qs: QuerySet[Employer]) -> Iterator[list[Any]]:
    for e in with_primary_contact(qs).iterator(chunk_size=2000):
        yield [
            e.uscc,
            e.name,
            e.get_kind_display(),
            e.get_agency_level_display() if e.agency_level else "",
            e.establishment_size if e.establishment_size is not None else "",
            ("是" if e.is_school else "否") if e.kind == EmployerKind.INSTITUTION else "",
            e.district.name,
            e.industry.code if e.industry else "",
            e.industry.name if e.industry else "",
            e.address,
            e.legal_representative,
            e.contact_name or "",  # type: ignore[attr-defined]
            e.contact_phone or "",  # type: ignore[attr-defined]
            e.get_status_display(),
            e.deregistered_on.isoformat() if e.deregistered_on else "",
        ]


def list_employer_users(employer: Employer) -> QuerySet[User]:
    return User.objects.filter(
        role=Role.EMPLOYER_USER, organisation__kind=OrgKind.EMPLOYER, organisation__external_ref=str(employer.pk)
    ).order_by("username")


@dataclass(frozen=True)
class HistoryEntry:
    """One line of a unit's history (the shape ``components/history.html`` reads)."""

    at: datetime
    actor_label: str
    action: str
    changes: dict[str, Any]
    seq: int

    def get_action_display(self) -> str:
        label = dict(AuditAction.choices).get(self.action, self.action)
        return str(label)


def history_for_employer(employer: Employer) -> list[HistoryEntry]:
    """The unit's own audit entries, and its part of the import batches that created or changed it
    (an import writes one entry per chunk, listing each unit it touched under ``employers``)."""
    entries = [
        HistoryEntry(e.at, e.actor_label, e.action, dict(e.changes or {}), e.seq) for e in audit.history_for(employer)
    ]
    key = str(employer.pk)
    imported = AuditLog.objects.filter(
        object_type=audit.object_type_of(employer),
        object_id__startswith=IMPORT_OBJECT_PREFIX,
        changes__employers__has_key=key,
    ).order_by("seq")
    for e in imported:
        delta = dict((e.changes or {}).get("employers", {}).get(key) or {})
        delta["batch"] = [None, _("导入批次%(batch)s") % {"batch": e.changes.get("batch")}]
        entries.append(HistoryEntry(e.at, e.actor_label, e.action, delta, e.seq))
    return sorted(entries, key=lambda h: h.seq)
