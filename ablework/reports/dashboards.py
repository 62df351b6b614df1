"""The monitoring dashboards: each topic is a list of panels (chart + data table + one-sentence summary)
built from the pre-aggregated figures (``queries.figures_by``) for one area: the city (rows = the
districts the user may see), a district (rows = its streets) or a street (its breakdowns only).

A panel is plain data (``Panel``) so that the same numbers feed the ECharts chart (``json_script``),
the table beside it and the annual report.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode

from ablework.core.models import District, Street
from ablework.people.enums import DisabilityCategory, EmploymentForm, StudentStatus, UrbanRural
from ablework.reports import queries
from ablework.reports.aggregates import subsidy_totals_function

ZERO = Decimal(0)


@dataclass
class Area:
    """Where the user looks: ``level`` city / district / street; ``district_ids`` the rows it sums."""

    level: str
    district_ids: list[int]
    district: District | None = None
    street: Street | None = None
    all_districts: bool = False

    @property
    def name(self) -> str:
        if self.street is not None:
            return f"{self.district.name if self.district else ''}{self.street.name}"
        if self.district is not None:
            return self.district.name
        return "全市" if self.all_districts else "所辖各区"


@dataclass
class Column:
    key: str
    label: str
    kind: str = "int"  # int | money | pct | yesno


@dataclass
class Panel:
    id: str
    title: str
    summary: str
    columns: list[Column]
    rows: list[dict[str, Any]]  # {"label", "link", "values": {key: Decimal|None}}
    total: dict[str, Any] | None
    chart_keys: list[str]
    note: str = ""
    chart_percent: bool = False
    unit_label: str = "区"

    def chart(self) -> dict[str, Any]:
        labels = [r["label"] for r in self.rows]
        series = []
        by_key = {c.key: c for c in self.columns}
        for k in self.chart_keys:
            col = by_key[k]
            data: list[float | None] = []
            for r in self.rows:
                v = r["values"].get(k)
                if v is None:
                    data.append(None)
                elif col.kind == "pct":
                    data.append(float(round(v * 100, 1)))
                elif col.kind == "money":
                    data.append(float(round(v / 10000, 2)))
                else:
                    data.append(float(v))
            label = col.label + ("（万元）" if col.kind == "money" else "")
            series.append({"name": label, "data": data})
        return {"labels": labels, "series": series, "percent": self.chart_percent}

    def table_rows(self) -> list[dict[str, Any]]:
        return [
            {
                "label": r["label"],
                "link": r.get("link"),
                "cells": [fmt(r["values"].get(c.key), c.kind) for c in self.columns],
            }
            for r in self.rows
        ]

    def total_cells(self) -> list[str] | None:
        if self.total is None:
            return None
        return [fmt(self.total.get(c.key), c.kind) for c in self.columns]


def panel_context(p: Panel) -> dict[str, Any]:
    """What ``reports/_panel.html`` renders: the panel, its chart data (json_script id) and table cells."""
    return {"p": p, "chart": p.chart(), "data_id": f"{p.id}-data", "rows": p.table_rows(), "total": p.total_cells()}


def fmt(value: Any, kind: str) -> str:
    if value is None:
        return "—"
    if kind == "yesno":
        return "是" if value else "否"
    if kind == "pct":
        return f"{value * 100:.1f}%"
    if kind == "money":
        return f"{value:,.2f}"
    return f"{int(value):,}"


def ratio(a: Decimal | None, b: Decimal | None) -> Decimal | None:
    if not b:
        return None
    return Decimal(a or 0) / Decimal(b)


# --- areas and links ------------------------------------------------------------------------------------


def _link(topic: str, year: int, **params: str) -> str:
    return reverse("reports:topic", args=[topic]) + "?" + urlencode({"year": str(year), **params})


def _area_rows(
    topic: str, year: int, area: Area, values: dict[Any, dict[str, Decimal]], *, street_level: bool = True
) -> tuple[list[dict[str, Any]], str]:
    """Rows of the area's sub-areas with their values and drill-down links; and the unit label."""
    rows: list[dict[str, Any]] = []
    if area.level == "city":
        for d in District.objects.filter(pk__in=area.district_ids).order_by("sort_order", "code"):
            rows.append(
                {"label": d.name, "link": _link(topic, year, district=d.code), "values": dict(values.get(d.pk, {}))}
            )
        return rows, "区"
    assert area.district is not None
    if not street_level:
        return [{"label": area.district.name, "link": None, "values": dict(values.get(area.district.pk, {}))}], "区"
    streets = {s.pk: s for s in Street.objects.filter(district=area.district).order_by("code")}
    if area.street is not None:
        streets = {area.street.pk: area.street}
    for pk, s in streets.items():
        if pk in values:
            rows.append(
                {
                    "label": s.name,
                    "link": _link(topic, year, district=area.district.code, street=s.code),
                    "values": dict(values[pk]),
                }
            )
    if area.street is None and None in values:
        rows.append({"label": "未登记街道", "link": None, "values": dict(values[None])})
    return rows, "街道/乡镇"


def _values(
    topic: str, year: int, area: Area, *, street_level: bool = True, dim: str = ""
) -> dict[Any, dict[str, Decimal]]:
    if area.level == "city" or not street_level:
        return queries.figures_by(topic, year, area.district_ids, group="district_id", dim=dim)
    return queries.figures_by(
        topic, year, area.district_ids, group="street_id", dim=dim, street_id=area.street.pk if area.street else None
    )


def _dim_panel(
    topic: str, year: int, area: Area, dim: str, measure: str, title: str, labels: dict[str, str], pid: str
) -> Panel:
    values = queries.figures_by(
        topic, year, area.district_ids, group="dim_value", dim=dim, street_id=area.street.pk if area.street else None
    )
    order = list(labels) + sorted(k for k in values if k not in labels)
    rows: list[dict[str, Any]] = [
        {"label": labels.get(k, k or "未登记"), "link": None, "values": {measure: values[k].get(measure, ZERO)}}
        for k in order
        if k in values
    ]
    total = sum((r["values"][measure] for r in rows), ZERO)
    for r in rows:
        r["values"]["share"] = ratio(r["values"][measure], total)
    top = max(rows, key=lambda r: r["values"][measure], default=None)
    summary = (
        f"{area.name}{year}年按{title}分，{top['label']}最多，{fmt(top['values'][measure], 'int')}人，"
        f"占{fmt(top['values']['share'], 'pct')}。"
        if top and total
        else f"{area.name}{year}年暂无数据。"
    )
    return Panel(pid, f"按{title}", summary, [Column(measure, "人数"), Column("share", "占比", "pct")], rows,
                 {measure: total, "share": Decimal(1) if total else None}, [measure], unit_label=title)  # fmt: skip


def _choices(enum: Any) -> dict[str, str]:
    return {str(v): str(label) for v, label in enum.choices}


# --- topics ---------------------------------------------------------------------------------------------


def employment(year: int, area: Area) -> list[Panel]:
    values = _values("employment", year, area)
    rows, unit = _area_rows("employment", year, area, values)
    total = queries.total_of(r["values"] for r in rows)
    n = total.get("new_jobs", ZERO)
    top = max(rows, key=lambda r: r["values"].get("new_jobs", ZERO), default=None)
    summary = f"{area.name}{year}年新增残疾人就业{fmt(n, 'int')}人"
    if top and len(rows) > 1 and top["values"].get("new_jobs"):
        summary += f"，{top['label']}最多（{fmt(top['values']['new_jobs'], 'int')}人）"
    panels = [
        Panel(
            "emp-areas",
            f"各{unit}新增就业",
            summary + "。",
            [Column("new_jobs", "新增就业人数")],
            rows,
            {"new_jobs": n},
            ["new_jobs"],
            unit_label=unit,
            note="按当年开始的就业记录计（一人当年有两条记录计两次）。",
        ),
    ]
    target = target_panel(year, area)
    if target is not None:
        panels.insert(0, target)
    panels.append(
        _dim_panel("employment", year, area, "form", "new_jobs", "就业形式", _choices(EmploymentForm), "emp-form")
    )
    panels.append(
        _dim_panel("employment", year, area, "urban_rural", "new_jobs", "城乡", _choices(UrbanRural), "emp-ur")
    )
    panels.append(
        _dim_panel(
            "employment", year, area, "category", "new_jobs", "残疾类别", _choices(DisabilityCategory), "emp-cat"
        )
    )
    return panels


def target_panel(year: int, area: Area) -> Panel | None:
    period = queries.target_period(year)
    if period is None:
        return None
    first, last, target, pv = period
    years = list(range(first, last + 1))
    by_year = queries.figures_by(
        "employment", years, area.district_ids, group="year", street_id=area.street.pk if area.street else None
    )
    rows = []
    cumulative = ZERO
    whole_city = area.all_districts and area.level == "city"
    for y in years:
        n = by_year.get(y, {}).get("new_jobs", ZERO)
        cumulative += n
        rows.append({"label": f"{y}年", "link": None,
                     "values": {"new_jobs": n, "cumulative": cumulative,
                                "progress": ratio(cumulative, Decimal(target)) if whole_city else None}})  # fmt: skip
    pending = "" if pv.confirmed else "（待确认）"
    if whole_city:
        summary = (
            f"{first}—{last}年新增就业目标{target:,}人{pending}，截至{min(year, last)}年累计完成"
            f"{fmt(cumulative, 'int')}人，完成目标的{fmt(ratio(cumulative, Decimal(target)), 'pct')}。"
        )
    else:
        summary = (
            f"{area.name}{first}—{last}年累计新增就业{fmt(cumulative, 'int')}人；全市目标{target:,}人，不分解到区。"
        )
    cols = [Column("new_jobs", "当年新增"), Column("cumulative", "累计")]
    if whole_city:
        cols.append(Column("progress", "目标完成率", "pct"))
    return Panel("emp-target", f"新增就业目标完成情况（{first}—{last}年）", summary, cols, rows, None,
                 ["new_jobs", "cumulative"], note=f"目标来源：{pv.source}", unit_label="年度")  # fmt: skip


def services(year: int, area: Area) -> list[Panel]:
    values = _values("services", year, area)
    rows, unit = _area_rows("services", year, area, values)
    for r in rows:
        v = r["values"]
        v["info_rate"] = ratio(v.get("info_checked"), v.get("population"))
        v["all_four_rate"] = ratio(v.get("all_four_done"), v.get("wants_job_population"))
    total = queries.total_of(
        {k: r["values"].get(k, ZERO) for k in ("population", "info_checked", "wants_job_population", "all_four_done")}
        for r in rows
    )
    total["info_rate"] = ratio(total.get("info_checked"), total.get("population"))
    total["all_four_rate"] = ratio(total.get("all_four_done"), total.get("wants_job_population"))
    rated = [r for r in rows if r["values"]["info_rate"] is not None]
    low = min(rated, key=lambda r: r["values"]["info_rate"], default=None)
    summary = (
        f"{area.name}{year}年劳动年龄内未就业残疾人{fmt(total.get('population'), 'int')}人，基础信息核对率"
        f"{fmt(total['info_rate'], 'pct')}，有就业意愿者四项全部完成率{fmt(total['all_four_rate'], 'pct')}"
    )
    if low is not None and len(rated) > 1:
        summary += f"；核对率最低的是{low['label']}（{fmt(low['values']['info_rate'], 'pct')}）"
    cols = [
        Column("population", "应核对人数"), Column("info_checked", "已核对"), Column("info_rate", "核对率", "pct"),
        Column("wants_job_population", "有就业意愿"), Column("all_four_done", "四项全部完成"),
        Column("all_four_rate", "四项完成率", "pct"),
    ]  # fmt: skip
    return [Panel("svc-areas", f"各{unit}四个一完成率", summary + "。", cols, rows, total,
                  ["info_rate", "all_four_rate"], chart_percent=True, unit_label=unit,
                  note="口径同“四个一完成率”页：服务日期在所选年度内才计入。")]  # fmt: skip


def difficulty(year: int, area: Area) -> list[Panel]:
    values = _values("difficulty", year, area)
    rows, unit = _area_rows("difficulty", year, area, values)
    total = queries.total_of(r["values"] for r in rows)
    summary = (
        f"{area.name}{year}年新认定就业困难残疾人{fmt(total.get('certified'), 'int')}人，现处于认定有效期内"
        f"{fmt(total.get('active'), 'int')}人，其中已就业{fmt(total.get('employed'), 'int')}人；"
        f"当年安置公益性岗位{fmt(total.get('placed'), 'int')}人。"
    )
    cols = [Column("certified", "当年新认定"), Column("active", "认定有效"), Column("employed", "认定有效且已就业"),
            Column("placed", "当年安置公益性岗位")]  # fmt: skip
    return [Panel("dif-areas", f"各{unit}就业困难残疾人援助", summary, cols, rows, total,
                  ["certified", "employed", "placed"], unit_label=unit)]  # fmt: skip


def students(year: int, area: Area) -> list[Panel]:
    labels = _choices(StudentStatus)
    values = _values("students", year, area)
    rows, unit = _area_rows("students", year, area, values)
    total = queries.total_of(r["values"] for r in rows)
    status_panel = _dim_panel("students", year, area, "status", "n", "去向", labels, "stu-status")
    employed = next((r["values"]["n"] for r in status_panel.rows if r["label"] == labels["employed"]), ZERO)
    summary = (
        f"{area.name}{year}年毕业的残疾大学生{fmt(total.get('n'), 'int')}人，已就业{fmt(employed, 'int')}人"
        f"（{fmt(ratio(employed, total.get('n')), 'pct')}）。"
    )
    return [
        Panel(
            "stu-areas",
            f"各{unit}{year}年毕业残疾大学生",
            summary,
            [Column("n", "人数")],
            rows,
            total,
            ["n"],
            unit_label=unit,
        ),
        status_panel,
    ]


def review(year: int, area: Area) -> list[Panel]:
    values = _values("review", year, area, street_level=False)
    rows, unit = _area_rows("review", year, area, values, street_level=False)
    for r in rows:
        v = r["values"]
        v["meeting_share"] = ratio(v.get("meeting_ratio"), v.get("certified"))
        v["paid_share"] = ratio(v.get("levy_paid"), v.get("levy_due"))
    keys = ("declared", "certified", "meeting_ratio", "levy_due", "levy_paid", "conflicts_open")
    total = queries.total_of({k: r["values"].get(k, ZERO) for k in keys} for r in rows)
    total["meeting_share"] = ratio(total.get("meeting_ratio"), total.get("certified"))
    total["paid_share"] = ratio(total.get("levy_paid"), total.get("levy_due"))
    summary = (
        f"{area.name}{year}年度年审：已申报{fmt(total.get('declared'), 'int')}家，审核认定{fmt(total.get('certified'), 'int')}家，"
        f"其中达到规定比例{fmt(total.get('meeting_ratio'), 'int')}家；应缴保障金{fmt(total.get('levy_due'), 'money')}元，"
        f"已缴{fmt(total.get('levy_paid'), 'money')}元（{fmt(total['paid_share'], 'pct')}），"
        f"待处理重复计算冲突{fmt(total.get('conflicts_open'), 'int')}起。"
    )
    cols = [
        Column("declared", "已申报"), Column("certified", "已认定"), Column("meeting_ratio", "达到比例"),
        Column("meeting_share", "达标率", "pct"), Column("levy_due", "应缴保障金（元）", "money"),
        Column("levy_paid", "已缴（元）", "money"), Column("paid_share", "缴纳率", "pct"),
        Column("conflicts_open", "待处理冲突"),
    ]  # fmt: skip
    note = "按用人单位税务登记区统计，不细分到街道；数据年度为申报所属年度。"
    return [Panel("rev-areas", f"{year}年度按比例就业年审", summary, cols, rows, total, ["levy_due", "levy_paid"],
                  note=note, unit_label=unit)]  # fmt: skip


def public_sector(year: int, area: Area) -> list[Panel]:
    values = _values("public_sector", year, area, street_level=False)
    rows, unit = _area_rows("public_sector", year, area, values, street_level=False)
    for r in rows:
        r["values"]["share"] = ratio(r["values"].get("placed"), r["values"].get("covered"))
    total = queries.total_of({k: r["values"].get(k, ZERO) for k in ("covered", "placed")} for r in rows)
    total["share"] = ratio(total.get("placed"), total.get("covered"))
    summary = (
        f"{area.name}{year}年度应至少安排1名残疾人的机关、事业单位{fmt(total.get('covered'), 'int')}家，"
        f"已安排{fmt(total.get('placed'), 'int')}家（{fmt(total['share'], 'pct')}），"
        f"尚未安排{fmt((total.get('covered') or ZERO) - (total.get('placed') or ZERO), 'int')}家。"
    )
    cols = [Column("covered", "适用单位"), Column("placed", "已安排"), Column("share", "安排率", "pct")]
    return [Panel("pub-areas", "机关、事业单位至少安排1名残疾人（十四五）", summary, cols, rows, total,
                  ["covered", "placed"], note="按用人单位税务登记区统计（policy-rules §12）。", unit_label=unit)]  # fmt: skip


def subsidies(year: int, area: Area) -> list[Panel]:
    if subsidy_totals_function() is None:
        return []
    from ablework.subsidies.enums import ProgrammeKind

    labels = _choices(ProgrammeKind)
    values = queries.figures_by("subsidies", year, area.district_ids, group="dim_value", dim="programme")
    budgets = queries.figures_by("subsidies", year, area.district_ids, group="dim_value", dim="programme", agg="max")
    whole_city = area.all_districts and area.level == "city"
    rows: list[dict[str, Any]] = []
    for code in list(labels) + sorted(k for k in values if k not in labels):
        if code not in values:
            continue
        v = {k: x for k, x in values[code].items() if k != "budget"}
        v["budget"] = budgets[code].get("budget")
        v["budget_used"] = ratio(v.get("paid_amount"), v["budget"]) if whole_city else None
        rows.append({"label": labels.get(code, code), "link": None, "values": v})
    total = queries.total_of({k: x for k, x in r["values"].items() if k not in ("budget_used",)} for r in rows)
    total["budget_used"] = ratio(total.get("paid_amount"), total.get("budget")) if whole_city else None
    summary = (
        f"{area.name}{year}年各补贴项目共受理申请{fmt(total.get('applications'), 'int')}件，"
        f"批准{fmt(total.get('approved'), 'int')}件，已发放{fmt(total.get('paid_amount'), 'money')}元"
    )
    if whole_city and total.get("budget"):
        summary += f"，占预算的{fmt(total['budget_used'], 'pct')}"
    cols = [
        Column("applications", "申请"),
        Column("approved", "批准"),
        Column("paid", "已发放（件）"),
        Column("committed", "批准金额（元）", "money"),
        Column("paid_amount", "发放金额（元）", "money"),
        Column("budget", "全市预算（元）", "money"),
        Column("budget_used", "预算使用率", "pct"),
    ]
    note = "预算为全市口径，区级页面只显示全市预算，不计算使用率。"
    return [
        Panel(
            "sub-programmes",
            "各补贴项目",
            summary + "。",
            cols,
            rows,
            total,
            ["applications", "approved", "paid"],
            note=note,
            unit_label="项目",
        )
    ]


def _street_area_panel(
    topic: str, year: int, area: Area, pid: str, title: str, cols: list[Column], chart_keys: list[str], note: str,
    summary: Callable[[dict[str, Any], list[dict[str, Any]]], str],
    rates: dict[str, tuple[str, str]] | None = None,
) -> Panel:  # fmt: skip
    """A panel with one row per sub-area (district → street) and rate columns ``key: (num, den)``."""
    rates = rates or {}
    rows, unit = _area_rows(topic, year, area, _values(topic, year, area))
    counts = [c.key for c in cols if c.key not in rates]
    for r in rows:
        for k in counts:
            r["values"].setdefault(k, ZERO)
        for k, (a, b) in rates.items():
            r["values"][k] = ratio(r["values"].get(a), r["values"].get(b))
    total = queries.total_of({k: r["values"].get(k, ZERO) for k in counts} for r in rows)
    for k, (a, b) in rates.items():
        total[k] = ratio(total.get(a), total.get(b))
    return Panel(pid, title.format(unit=unit), summary(total, rows), cols, rows, total, chart_keys, note=note,
                 unit_label=unit)  # fmt: skip


def coverage_panel(year: int, area: Area) -> Panel:
    """涉农区 workstation coverage (R9.4): every 涉农区 needs at least one active 辅助性就业工作站."""
    values = _values("assisted", year, area, street_level=False)
    rows, unit = _area_rows("assisted", year, area, values, street_level=False)
    agri = dict(District.objects.filter(pk__in=area.district_ids).values_list("name", "is_agricultural"))
    for r in rows:
        v = r["values"]
        for k in ("workstations", "institutions"):
            v.setdefault(k, ZERO)
        v["agricultural"] = Decimal(1) if agri.get(r["label"]) else ZERO
        v["covered"] = (Decimal(1) if v.get("workstations") else ZERO) if v["agricultural"] else None
    agri_rows = [r for r in rows if r["values"]["agricultural"]]
    uncovered = [r["label"] for r in agri_rows if not r["values"]["covered"]]
    total = queries.total_of({k: r["values"].get(k, ZERO) for k in ("workstations", "institutions")} for r in rows)
    total["agricultural"] = total["covered"] = None
    ws = fmt(total.get("workstations", ZERO), "int")
    if area.level == "city":
        summary = (
            f"{area.name}{len(agri_rows)}个涉农区中{len(agri_rows) - len(uncovered)}个已有运营中的辅助性就业工作站"
            + (f"，尚未覆盖：{'、'.join(uncovered)}" if uncovered else "，已全覆盖" if agri_rows else "")
            + f"；全部运营中工作站{ws}个。"
        )
    elif agri_rows:
        summary = f"{area.name}是涉农区，{'已有' if not uncovered else '尚无'}运营中的辅助性就业工作站（{ws}个）。"
    else:
        summary = f"{area.name}不是涉农区，不适用工作站全覆盖要求；运营中的辅助性就业工作站{ws}个。"
    cols = [Column("agricultural", "涉农区", "yesno"), Column("workstations", "运营中工作站"),
            Column("institutions", "各类辅助性就业机构"), Column("covered", "工作站已覆盖", "yesno")]  # fmt: skip
    ref = "年末" if year < timezone.localdate().year else "统计更新日"
    return Panel("asst-coverage", "涉农区辅助性就业工作站覆盖", summary, cols, rows, total, ["workstations"],
                 note=f"按机构所在区统计{ref}运营中的机构；涉农区标记见区划设置（policy-rules R9.4）。",
                 unit_label=unit)  # fmt: skip


def assisted(year: int, area: Area) -> list[Panel]:
    def people(t: dict[str, Any], rows: list[dict[str, Any]]) -> str:
        return (
            f"{area.name}{year}年参加辅助性就业{fmt(t.get('participants_year'), 'int')}人，其中当年新进入"
            f"{fmt(t.get('joined'), 'int')}人；{'年末' if year < timezone.localdate().year else '目前'}在岗"
            f"{fmt(t.get('participants_active'), 'int')}人（符合对象条件{fmt(t.get('eligible_active'), 'int')}人），"
            f"分布在{fmt(t.get('institutions'), 'int')}个运营中的机构。"
        )

    def training(t: dict[str, Any], rows: list[dict[str, Any]]) -> str:
        return (
            f"{area.name}{year}年开班{fmt(t.get('courses'), 'int')}期，培训{fmt(t.get('enrolled'), 'int')}人，"
            f"结业{fmt(t.get('completed'), 'int')}人，取得证书{fmt(t.get('certified'), 'int')}人；结业后就业"
            f"{fmt(t.get('employed'), 'int')}人，占结业人数的{fmt(t.get('employed_rate'), 'pct')}。"
        )

    panels = [] if area.level == "street" else [coverage_panel(year, area)]
    panels.append(_street_area_panel(
        "assisted", year, area, "asst-areas", "各{unit}辅助性就业人员",
        [Column("institutions", "运营中机构"), Column("participants_year", "年内在岗人数"), Column("joined", "当年新进入"),
         Column("participants_active", "年末/当前在岗"), Column("eligible_active", "其中符合对象条件")],
        ["participants_year", "joined", "participants_active"],
        "按机构所在街道统计；年末/当前在岗：当年12月31日（本年为统计更新日）仍在岗。", people,
    ))  # fmt: skip
    panels.append(_street_area_panel(
        "training", year, area, "trn-areas", "各{unit}职业培训与培训后就业",
        [Column("courses", "开班期数"), Column("enrolled", "培训人数"), Column("completed", "结业"),
         Column("certified", "取得证书"), Column("employed", "结业后就业"), Column("employed_rate", "就业率", "pct")],
        ["enrolled", "completed", "employed"],
        "按开班年度、培训班所在区和培训机构所在街道统计；结业后就业：培训开始至结业后窗口期内有新的就业记录"
        "（窗口期为参数 training_outcome，待确认）；就业率 = 结业后就业 ÷ 结业。", training,
        {"employed_rate": ("employed", "completed")},
    ))  # fmt: skip
    return panels


RETENTION_MONTHS = (3, 6, 12)


def jobs(year: int, area: Area) -> list[Panel]:
    panels: list[Panel] = []
    if area.level != "street":
        values = _values("jobs_post", year, area, street_level=False)
        rows, unit = _area_rows("jobs_post", year, area, values, street_level=False)
        for r in rows:
            for k in ("postings", "headcount", "reserved"):
                r["values"].setdefault(k, ZERO)
        total = queries.total_of(
            {k: r["values"].get(k, ZERO) for k in ("postings", "headcount", "reserved")} for r in rows
        )
        summary = (
            f"{area.name}{year}年发布岗位{fmt(total.get('postings'), 'int')}个，招聘{fmt(total.get('headcount'), 'int')}人，"
            f"其中预留或定向岗位{fmt(total.get('reserved'), 'int')}个。"
        )
        cols = [Column("postings", "发布岗位"), Column("headcount", "招聘人数"), Column("reserved", "预留/定向岗位")]
        panels.append(Panel("job-postings", f"各{unit}发布岗位", summary, cols, rows, total, ["postings", "headcount"],
                            note="按工作地点所在区统计发布日期在当年的岗位（不含草稿），不细分到街道。",
                            unit_label=unit))  # fmt: skip

    def matching(t: dict[str, Any], rows: list[dict[str, Any]]) -> str:
        return (
            f"{area.name}{year}年残疾人求职申请{fmt(t.get('applications'), 'int')}件，经办人推荐"
            f"{fmt(t.get('referrals'), 'int')}人次，录用{fmt(t.get('hires'), 'int')}人。"
        )

    panels.append(_street_area_panel(
        "jobs", year, area, "job-areas", "各{unit}求职、推荐与录用",
        [Column("applications", "本人申请"), Column("referrals", "经办人推荐"), Column("hires", "录用")],
        ["applications", "referrals", "hires"],
        "按残疾人登记所属区、街道统计；申请和推荐按登记日期、录用按入职日期计入年度。", matching,
    ))  # fmt: skip
    totals = next(
        iter(queries.figures_by("jobs", year, area.district_ids, group="year",
                                street_id=area.street.pk if area.street else None).values()),
        {},
    )  # fmt: skip
    hires = totals.get("hires", ZERO)
    ret_rows: list[dict[str, Any]] = []
    for m in RETENTION_MONTHS:
        due, done, kept = (totals.get(f"ret{m}_{k}", ZERO) for k in ("due", "done", "kept"))
        ret_rows.append({"label": f"入职{m}个月", "link": None,
                         "values": {"due": due, "done": done, "kept": kept, "done_rate": ratio(done, due),
                                    "kept_rate": ratio(kept, done)}})  # fmt: skip
    parts = [
        f"{r['label']}回访{fmt(r['values']['done'], 'int')}人、仍在岗{fmt(r['values']['kept_rate'], 'pct')}"
        for r in ret_rows
        if r["values"]["done"]
    ]
    summary = (
        f"{area.name}{year}年录用的{fmt(hires, 'int')}人中，" + "；".join(parts) + "。"
        if parts
        else f"{area.name}{year}年录用的{fmt(hires, 'int')}人尚无稳岗回访记录。"
    )
    cols = [Column("due", "已到期回访"), Column("done", "已回访"), Column("done_rate", "回访率", "pct"),
            Column("kept", "仍在岗"), Column("kept_rate", "留存率", "pct")]  # fmt: skip
    panels.append(Panel("job-retention", f"{year}年录用人员稳岗回访（3/6/12个月）", summary, cols, ret_rows, None,
                        ["done_rate", "kept_rate"], chart_percent=True, unit_label="回访节点",
                        note="对象为当年录用的人员；已到期：应回访日期不晚于统计更新日；留存率 = 仍在岗 ÷ 已回访。"))  # fmt: skip
    return panels


@dataclass(frozen=True)
class Topic:
    code: str
    title: str
    build: Callable[[int, Area], list[Panel]]
    street_level: bool = True
    placeholder: str = ""
    tags: list[str] = field(default_factory=list)


TOPICS: dict[str, Topic] = {
    t.code: t
    for t in (
        Topic("employment", "新增就业", employment),
        Topic("services", "四个一", services),
        Topic("difficulty", "就业困难人员援助", difficulty),
        Topic("students", "高校残疾学生", students),
        Topic("review", "按比例就业年审", review, street_level=False),
        Topic("public_sector", "机关事业单位安排", public_sector, street_level=False),
        Topic(
            "subsidies",
            "补贴项目",
            subsidies,
            street_level=False,
            placeholder="补贴项目的统计接口（subsidies.api.programme_totals）尚未提供，该栏待补贴模块上线后显示。",
        ),
        Topic("assisted", "辅助性就业与培训", assisted),
        Topic("jobs", "岗位对接", jobs),
    )
}
