"""Excel/CSV import of one institution's monthly hours and pay (through ``core.imports``).

One row per person and month: 身份证号, 姓名 (checked against the registry), 月份, 工作时长, 劳动报酬, 银行发放.
The person must be placed in the institution; the month must lie within the person's stay.  A row for a month
already recorded updates it (or is ``unchanged``).  Every written row goes through ``actions.record_month``
(validated and audited).  Files are small (one institution), so they are processed at once.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import transaction

from ablework.assisted import actions
from ablework.assisted.models import Institution, MonthlyRecord, Participant
from ablework.core import imports as core_imports
from ablework.core.imports import CellError, Column, ImportSpec, Problem, Row
from ablework.core.models import ImportBatch
from ablework.core.scoping import district_scope
from ablework.people import api as people_api

MONTHS = "assisted_months"


def _month(value: Any) -> date:
    if isinstance(value, date):
        return value.replace(day=1)
    s = core_imports.cell_text(value).strip()
    m = re.fullmatch(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*月?(?:[-/.]\d{1,2}日?)?", s)
    if not m or not 1 <= int(m[2]) <= 12:
        raise CellError(f"月份格式不正确：“{s}”，应为如2025-03")
    return date(int(m[1]), int(m[2]), 1)


def month_spec() -> ImportSpec:
    return ImportSpec(
        kind=MONTHS,
        title="月度工时与报酬",
        columns=(
            Column(
                "resident_id",
                "身份证号",
                core_imports.resident_id(),
                required=True,
                as_text=True,
                aliases=("公民身份号码", "身份证号码"),
                help="18位身份证号",
                example="120101199001011234",
            ),
            Column("name", "姓名", core_imports.text(60), help="与信息库不一致时该行不导入", example="张三"),
            Column("month", "月份", _month, required=True, help="如2025-03", example="2025-03"),
            Column(
                "hours",
                "工作时长（小时）",
                core_imports.decimal_amount(6, 1),
                required=True,
                aliases=("工时",),
                example="80",
            ),
            Column(
                "pay",
                "劳动报酬（元）",
                core_imports.decimal_amount(),
                required=True,
                aliases=("报酬", "工资"),
                example="900",
            ),
            Column(
                "bank",
                "银行发放",
                core_imports.boolean(),
                aliases=("是否银行发放",),
                help="是/否，不填为否",
                example="是",
            ),
        ),
        notes=("每人每月一行；同一人同一月再次导入时以新数据为准。", "人员须已在本机构登记。"),
        chunk_size=500,
    )


class MonthImporter:
    def __init__(self, institution: Institution, actor: Any) -> None:
        self.institution = institution
        self.actor = actor
        self.spec = month_spec()

    def __call__(self, rows: list[Row]) -> list[core_imports.Outcome]:
        out: list[core_imports.Outcome] = []
        with district_scope([self.institution.district_id]), transaction.atomic():
            for row in rows:
                out.append(self._one(row))
        return out

    def _one(self, row: Row) -> core_imports.Outcome:
        v = row.values
        h = self.spec.header_of
        person = people_api.find_person_by_resident_id(str(v["resident_id"]))
        if person is None:
            return [Problem(h("resident_id"), "残疾人信息库中没有此人")]
        if v.get("name") and v["name"].strip() != person.name:
            return [Problem(h("name"), f"姓名与信息库不一致（信息库为“{person.name}”）")]
        part = (
            Participant.objects.filter(institution=self.institution, person=person)
            .order_by("status", "-joined_on")  # "active" sorts before "left": the current stay first
            .first()
        )
        if part is None:
            return [Problem(h("resident_id"), "此人未在本机构登记")]
        existing = MonthlyRecord.objects.filter(participant=part, month=v["month"]).first()
        bank = bool(v.get("bank"))
        hours, pay = Decimal(v["hours"]), Decimal(v["pay"])
        if existing and (existing.hours, existing.pay, existing.paid_by_bank) == (hours, pay, bank):
            return core_imports.UNCHANGED
        try:
            with transaction.atomic():
                actions.record_month(part, actor=self.actor, month=v["month"], hours=hours, pay=pay, paid_by_bank=bank)
        except actions.AssistedError as exc:
            column = {"month": h("month"), "hours": h("hours"), "pay": h("pay")}
            if exc.errors:
                return [Problem(column.get(k, ""), m) for k, m in exc.errors.items()]
            return [Problem("", str(exc))]
        return core_imports.UPDATED if existing else core_imports.CREATED


def scope_key(institution: Institution) -> str:
    return f"institution:{institution.pk}"


def import_months(institution: Institution, *, actor: Any, filename: str, data: bytes) -> core_imports.Submitted:
    """Accept the file and import it at once; the same file again gives the earlier batch back."""
    spec = month_spec()
    submitted = core_imports.submit_import(
        spec=spec, scope_key=scope_key(institution), filename=filename, data=data, actor=actor
    )
    if not submitted.created:
        return submitted
    batch = core_imports.process_batch(submitted.batch, spec=spec, handler=MonthImporter(institution, actor))
    return core_imports.Submitted(batch, created=True)


def batch_for(institution: Institution, pk: int) -> ImportBatch | None:
    return ImportBatch.objects.filter(pk=pk, kind=MONTHS, scope_key=scope_key(institution)).first()
