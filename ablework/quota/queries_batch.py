"""Reads of the levy batch (``batch.py``) for its page and the tax-bureau export.

Everything here runs in the caller's district scope (the request's, or an explicit one): a district
officer sees and exports the units registered for tax in their district, the city all of them.
The export holds unit data only (credit code, name, district, staff, wages, amounts): registration data
of the unit, no person's data — so nothing is masked, and the export is audited with the unit ids.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum

from ablework.employers.enums import EmployerKind
from ablework.quota.batch import BASIS_LABELS, UNDECLARED, basis_of, undeclared_employers
from ablework.quota.enums import DeclarationStatus
from ablework.quota.models import Campaign, Declaration

EXPORT_HEADERS = [
    "统一社会信用代码", "单位名称", "单位类型", "税务登记区", "数据年度", "申报状态", "计算依据",
    "在职职工年平均人数", "上年在职职工工资总额（元）", "认定安排人数（加权）", "应安排人数", "差额人数",
    "计征工资基数（元）", "减免前金额（元）", "小微企业免征", "缴纳比例", "应缴纳金额（元）", "说明",
]  # fmt: skip

NOT_COMPUTED = "尚未计算：请先运行保障金批量计算"
UNDECLARED_NOTE = "未申报：无在职职工人数和工资总额，不能计算金额（逾期未申报视为未安排，R3.1）"

_KINDS = dict(EmployerKind.choices)
_STATUSES = dict(DeclarationStatus.choices)


@dataclass
class DistrictLine:
    code: str
    name: str
    declarations: int = 0
    certified: int = 0
    computed: int = 0
    errors: int = 0
    undeclared: int = 0
    levy_due: Decimal = Decimal(0)


@dataclass
class Overview:
    lines: list[DistrictLine] = field(default_factory=list)

    @property
    def total(self) -> DistrictLine:
        t = DistrictLine("", "合计")
        for line in self.lines:
            t.declarations += line.declarations
            t.certified += line.certified
            t.computed += line.computed
            t.errors += line.errors
            t.undeclared += line.undeclared
            t.levy_due += line.levy_due
        return t


def levy_overview(campaign: Campaign) -> Overview:
    """Per district in scope: declarations, certified, results stored, results that could not be computed,
    employers without a declaration, and the sum of the levy due (two grouped queries)."""
    lines: dict[str, DistrictLine] = {}
    grouped = (
        Declaration.objects.filter(campaign=campaign)
        .order_by()
        .values("employer__district__code", "employer__district__name")
        .annotate(
            n=Count("id"),
            certified=Count("id", filter=Q(status=DeclarationStatus.CERTIFIED)),
            computed=Count("levy_result"),
            errors=Count("levy_result", filter=~Q(levy_result__error="")),
            due=Sum("levy_result__levy_due"),
        )
    )
    for g in grouped:
        code = g["employer__district__code"]
        lines[code] = DistrictLine(
            code, g["employer__district__name"], g["n"], g["certified"], g["computed"], g["errors"], 0,
            g["due"] or Decimal(0),
        )  # fmt: skip
    missing = (
        undeclared_employers(campaign).order_by().values("district__code", "district__name").annotate(n=Count("id"))
    )
    for g in missing:
        line = lines.setdefault(g["district__code"], DistrictLine(g["district__code"], g["district__name"]))
        line.undeclared = g["n"]
    return Overview([lines[c] for c in sorted(lines)])


def _plain(value: Decimal | None) -> Decimal | None:
    """A count without trailing zeros or exponent (300.0000 → 300, 4.500000 → 4.5)."""
    if value is None:
        return None
    return value.quantize(Decimal(1)) if value == value.to_integral_value() else value.normalize()


_DECL_FIELDS = (
    "employer__district__code", "employer__uscc", "employer__name", "employer__kind", "employer__district__name",
    "status", "late", "staff_count", "total_wages", "accepted_count", "levy_result__id",
    "levy_result__weighted_count", "levy_result__required", "levy_result__shortfall", "levy_result__wage_base",
    "levy_result__gross_levy", "levy_result__exempt", "levy_result__rate", "levy_result__levy_due",
    "levy_result__error",
)  # fmt: skip


def _declarations(campaign: Campaign, district_code: str) -> QuerySet[Declaration]:
    qs = Declaration.objects.filter(campaign=campaign)
    return qs.filter(employer__district__code=district_code) if district_code else qs


def _undeclared(campaign: Campaign, district_code: str) -> QuerySet[Any]:
    qs = undeclared_employers(campaign)
    return qs.filter(district__code=district_code) if district_code else qs


def export_employer_ids(campaign: Campaign, *, district_code: str = "") -> list[int]:
    """The ids of the units an export of ``campaign`` lists (for its audit entry)."""
    ids = list(_declarations(campaign, district_code).values_list("employer_id", flat=True))
    return ids + list(_undeclared(campaign, district_code).values_list("pk", flat=True))


def export_rows(campaign: Campaign, *, district_code: str = "") -> Iterator[list[Any]]:
    """The export's rows (``EXPORT_HEADERS``), by district code then credit code: the declarations with
    their stored result, and the units without a declaration as "未申报" with no amount.

    The querysets are built now, in the caller's scope, and read lazily in chunks: a streamed CSV reads
    them after the view has returned, outside the request's scope."""
    decls = (
        _declarations(campaign, district_code)
        .order_by("employer__district__code", "employer__uscc")
        .values_list(*_DECL_FIELDS)
    )
    missing = (
        _undeclared(campaign, district_code)
        .order_by("district__code", "uscc")
        .values_list("district__code", "uscc", "name", "kind", "district__name")
    )
    return _merged(campaign.data_year, decls, missing)


def _merged(year: int, decls: QuerySet[Any], missing: QuerySet[Any]) -> Iterator[list[Any]]:
    def declared() -> Iterator[tuple[tuple[str, str], list[Any]]]:
        for row in decls.iterator(chunk_size=5000):
            code, uscc, name, kind, district, status, late, staff, wages, _accepted, result_id, *r = row
            weighted, required, shortfall, wage_base, gross, exempt, rate, due, error = r
            computed = result_id is not None and not error
            yield (code, uscc), [
                uscc, name, str(_KINDS.get(kind, kind)), district, year, str(_STATUSES.get(status, status)),
                BASIS_LABELS[basis_of(status, late)], _plain(staff), wages, _plain(weighted), _plain(required),
                _plain(shortfall), wage_base, gross, ("是" if exempt else "否") if computed else None, _plain(rate),
                due, NOT_COMPUTED if result_id is None else error,
            ]  # fmt: skip

    def undeclared() -> Iterator[tuple[tuple[str, str], list[Any]]]:
        label = BASIS_LABELS[UNDECLARED]
        for code, uscc, name, kind, district in missing.iterator(chunk_size=5000):
            yield (code, uscc), [
                uscc, name, str(_KINDS.get(kind, kind)), district, year, label, label,
                None, None, None, None, None, None, None, None, None, None, UNDECLARED_NOTE,
            ]  # fmt: skip

    for _key, row in heapq.merge(declared(), undeclared(), key=lambda item: item[0]):
        yield row
