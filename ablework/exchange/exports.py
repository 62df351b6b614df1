"""Outbound files: the national employment and training information system (全国残疾人就业和职业培训信息
管理系统, policy-rules §16) and the tax bureau (accepted counts and levy per employer, R4.5).

Both as .xlsx (formula-like text neutralised by ``core.files``) or CSV (UTF-8 with BOM, for Excel).
The national file is real-name (full resident ID and certificate number, as the system requires): the
views allow it to the city administrator only and audit every export with the list of persons.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from ablework.core import audit
from ablework.core.enums import AuditAction
from ablework.people import api as people_api
from ablework.quota import api as quota_api

NATIONAL_HEADERS = [
    "姓名", "身份证号", "残疾人证号", "联系电话", "户籍区", "残疾类别", "残疾等级", "就业状态", "就业时间",
    "就业形式", "所属行业", "就业单位", "是否签订劳动合同", "是否缴纳社会保险", "是否缴纳住房公积金",
]  # fmt: skip

TAX_HEADERS = [
    "统一社会信用代码", "单位名称", "所属区", "在职职工年平均人数", "认定安排残疾人就业人数",
    "应安排人数", "应缴纳保障金（元）", "已缴纳保障金（元）", "逾期申报",
]  # fmt: skip


def _yn(value: bool) -> str:
    return "是" if value else "否"


def _cell(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    if value is None:
        return ""
    return value


def national_rows(*, on: date, district_ids: list[int] | None = None) -> tuple[list[list[Any]], list[int]]:
    rows: list[list[Any]] = []
    person_ids: list[int] = []
    for r in people_api.national_system_rows(on=on, district_ids=district_ids):
        person_ids.append(r["person_id"])
        rows.append(
            [_cell(v) for v in (
                r["name"], r["resident_id"], r["cert_number"], r["phone"], r["district"], r["category"], r["level"],
                "已就业" if r["employed"] else "未就业", r["employment_date"], r["employment_form"], r["industry"],
                r["employer_name"], _yn(r["contract"]) if r["employed"] else "",
                _yn(r["social_insurance"]) if r["employed"] else "", "",
            )]
        )  # fmt: skip
    return rows, person_ids


def audit_national_export(person_ids: Sequence[int], *, actor: Any, on: date, fmt: str) -> None:
    audit.record_many(
        AuditAction.EXPORT,
        actor=actor,
        object_type="people.person",
        object_ids=person_ids,
        object_label=f"导出全国就业和培训信息系统数据（{len(person_ids)}人，{on:%Y-%m-%d}，{fmt}）",
        purpose="报送全国残疾人就业和职业培训信息管理系统",
    )


def _money(value: Decimal | None) -> Any:
    return "" if value is None else Decimal(value).quantize(Decimal("0.01"))


def tax_rows(data_year: int) -> list[list[Any]]:
    return [
        [
            r["uscc"],
            r["name"],
            r["district"],
            r["staff_count"],
            r["accepted_count"],
            r["required_count"] if r["required_count"] is not None else "",
            _money(r["levy_due"]),
            _money(r["levy_paid"]),
            _yn(r["late"]),
        ]
        for r in quota_api.tax_export_rows(data_year)
    ]


def audit_tax_export(count: int, *, actor: Any, data_year: int, fmt: str) -> None:
    from django.db import transaction

    with transaction.atomic():
        audit.record(
            AuditAction.EXPORT,
            actor=actor,
            object_type="quota.declaration",
            object_label=f"导出{data_year}年度税务对接数据（{count}家单位，{fmt}）",
            changes={"data_year": data_year, "units": count},
            purpose="向税务部门提供按比例就业认定结果",
        )


def iter_rows(rows: list[list[Any]]) -> Iterator[list[Any]]:
    yield from rows
