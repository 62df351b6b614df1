"""The annual report (年度执行情况报告, policy-rules R14.3): each district's report to the city by the
deadline (parameter ``annual_report_deadline``, 30 November), and the city's summary.

- The figures are the dashboards' panels for the report's area and year, with the previous year beside
  them (``report_figures``); frozen into ``AnnualReport.figures`` when the report is submitted.
- The narrative (four sections) is written by the district officer (the city summary by a city
  administrator) while the report is a draft or returned.
- The workflow is ``core.workflow``: submit (district officer / city administrator) → the city
  reviewer approves or returns it (one-stage chain ``annual_report``; maker-checker by the engine).
- ``overdue``: a district report of a year not submitted (or returned and not resubmitted) after the
  deadline of that year.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import transaction
from django.utils import timezone

from ablework.accounts.enums import Role
from ablework.core import audit, workflow
from ablework.core.enums import AuditAction
from ablework.core.models import District
from ablework.core.policy import get_param
from ablework.core.scoping import unscoped
from ablework.core.workflow import ChainStep, Transition, Workflow
from ablework.reports.dashboards import TOPICS, Area, Panel, fmt
from ablework.reports.models import AnnualReport, ReportStatus

REPORT_CHAIN = "annual_report"
REPORT_CHAIN_NAME = "年度执行情况报告审核"
NARRATIVE_FIELDS = ("overview", "measures", "problems", "next_steps")
# The topics a report contains, in order (placeholders without figures are left out).
REPORT_TOPICS = ("employment", "services", "difficulty", "students", "review", "public_sector", "subsidies",
                 "assisted", "jobs")  # fmt: skip

REPORT_FLOW = Workflow(
    "annual_report",
    model="reports.AnnualReport",
    field="status",
    chain=REPORT_CHAIN,
    transitions=[
        Transition("submit", source=(ReportStatus.DRAFT, ReportStatus.RETURNED), target=ReportStatus.SUBMITTED,
                   label="报送市级", roles={Role.DISTRICT_OFFICER, Role.CITY_ADMIN}, step=ChainStep.SUBMIT),
        Transition("approve", source=ReportStatus.SUBMITTED, target=ReportStatus.APPROVED, label="审核通过",
                   step=ChainStep.APPROVE),
        Transition("return", source=ReportStatus.SUBMITTED, target=ReportStatus.RETURNED, label="退回修改",
                   step=ChainStep.RETURN, note_required=True),
    ],
)  # fmt: skip


class ReportError(ValueError):
    """A report action refused by a rule; the message is Chinese."""


def ensure_report_chain() -> None:
    workflow.ensure_chain(REPORT_CHAIN, REPORT_CHAIN_NAME, [("市级审核", Role.CITY_REVIEWER, 10)])


def deadline(year: int) -> tuple[date, Any]:
    """The day a district's report of ``year`` is due, and the parameter it comes from."""
    pv = get_param("annual_report_deadline", on=date(year, 1, 1), default={"month": 11, "day": 30})
    value = pv.value if isinstance(pv.value, dict) else {"month": 11, "day": 30}
    return date(year, int(value["month"]), int(value["day"])), pv


def is_overdue(report: AnnualReport | None, year: int, today: date | None = None) -> bool:
    """A district report not with the city (submitted or approved) after the deadline."""
    today = today or timezone.localdate()
    if today <= deadline(year)[0]:
        return False
    return report is None or report.status in (ReportStatus.DRAFT, ReportStatus.RETURNED)


# --- figures --------------------------------------------------------------------------------------------


@dataclass
class Section:
    code: str
    title: str
    panels: list[Panel]
    previous: list[Panel]


def _area(report: AnnualReport) -> Area:
    if report.district_id is None:
        ids = list(District.objects.values_list("pk", flat=True))
        return Area("city", ids, all_districts=True)
    assert report.district is not None
    return Area("district", [report.district_id], district=report.district)


def report_sections(report: AnnualReport) -> list[Section]:
    """The dashboards' panels of the report's area, this year and the previous one."""
    area = _area(report)
    out = []
    with unscoped():
        for code in REPORT_TOPICS:
            spec = TOPICS[code]
            panels = spec.build(report.year, area)
            if panels:
                out.append(Section(code, spec.title, panels, spec.build(report.year - 1, area)))
    return out


def _panel_dict(p: Panel) -> dict[str, Any]:
    return {
        "id": p.id,
        "title": p.title,
        "summary": p.summary,
        "note": p.note,
        "unit_label": p.unit_label,
        "columns": [c.label for c in p.columns],
        "rows": [{"label": r["label"], "cells": r["cells"]} for r in p.table_rows()],
        "total": p.total_cells() if len(p.rows) > 1 else None,
    }


def report_figures(report: AnnualReport) -> dict[str, Any]:
    """The report's figures as plain data (what is frozen at submission and rendered to PDF/Excel)."""
    if report.figures:
        return report.figures
    return live_figures(report)


def live_figures(report: AnnualReport) -> dict[str, Any]:
    sections = report_sections(report)
    return {
        "year": report.year,
        "generated_at": timezone.localtime().strftime("%Y-%m-%d %H:%M"),
        "sections": [
            {
                "code": s.code,
                "title": s.title,
                "panels": [_panel_dict(p) for p in s.panels],
                "comparison": comparison(s.panels, s.previous),
            }
            for s in sections
        ],
    }


def comparison(current: list[Panel], previous: list[Panel]) -> list[dict[str, str]]:
    """This year against the previous one: the totals of each panel's columns that are counts or money."""
    out = []
    prev = {p.id: p for p in previous}
    for p in current:
        q = prev.get(p.id)
        if q is None or p.id.endswith("target"):
            continue
        now_total = p.total or (p.rows[0]["values"] if len(p.rows) == 1 else None)
        before = q.total or (q.rows[0]["values"] if len(q.rows) == 1 else None)
        if not now_total:
            continue
        for c in p.columns:
            if (c.kind == "pct" and c.key == "share") or c.kind == "yesno":
                continue
            a = now_total.get(c.key)
            b = before.get(c.key) if before else None
            change = ""
            if a is not None and b is not None and c.kind != "pct":
                change = ("+" if a - b >= 0 else "") + fmt(a - b, c.kind)
            elif a is not None and b is not None:
                change = f"{(a - b) * 100:+.1f}个百分点"
            out.append({"item": f"{p.title}：{c.label}", "current": fmt(a, c.kind), "previous": fmt(b, c.kind),
                        "change": change})  # fmt: skip
    return out


# --- actions --------------------------------------------------------------------------------------------


def get_or_create_report(*, district: District | None, year: int, actor: Any) -> AnnualReport:
    """The report of ``district`` (None: the city summary) and ``year``, created as a draft if missing."""
    with unscoped(), transaction.atomic():
        report = AnnualReport.objects.filter(district=district, year=year).first()
        if report is not None:
            return report
        report = AnnualReport.objects.create(
            district=district, year=year, created_by=actor if getattr(actor, "pk", None) else None
        )
        audit.record(AuditAction.CREATE, actor=actor, obj=report, changes={"year": year}, purpose="年度执行情况报告")
    return report


def save_narrative(report: AnnualReport, *, actor: Any, **texts: str) -> AnnualReport:
    if report.status not in (ReportStatus.DRAFT, ReportStatus.RETURNED):
        raise ReportError("报告已报送，不能修改；如需修改请由市级审核退回")
    before = {f: getattr(report, f) for f in NARRATIVE_FIELDS}
    for f in NARRATIVE_FIELDS:
        if f in texts:
            setattr(report, f, texts[f].strip())
    after = {f: getattr(report, f) for f in NARRATIVE_FIELDS}
    with transaction.atomic():
        report.save()
        audit.record(
            AuditAction.UPDATE, actor=actor, obj=report, changes=audit.diff(before, after), purpose="填写年度报告"
        )
    return report


def submit_report(report: AnnualReport, *, actor: Any) -> AnnualReport:
    """Freeze the figures and send the report to the city.  A district report is submitted by a district
    officer, the city summary by a city administrator; the narrative's overview must be written."""
    if report.is_city and getattr(actor, "role", None) != Role.CITY_ADMIN:
        raise ReportError("全市汇总报告由市级管理员报送")
    if not report.is_city and getattr(actor, "role", None) != Role.DISTRICT_OFFICER:
        raise ReportError("区年度报告由区级经办员报送")
    if not report.overview.strip():
        raise ReportError("请先填写“总体情况”再报送")
    ensure_report_chain()
    figures = live_figures(report)
    workflow.apply(report, "submit", actor=actor, figures=figures, submitted_at=timezone.now())
    report.refresh_from_db()
    return report


def decide_report(report: AnnualReport, decision: str, *, actor: Any, note: str = "") -> AnnualReport:
    """The city reviewer approves (``approve``) or returns (``return``, with a reason) a report."""
    if decision not in ("approve", "return"):
        raise ReportError("没有这项操作")
    ensure_report_chain()
    if decision == "return":
        workflow.apply(report, "return", actor=actor, note=note, figures={})
    else:
        workflow.apply(report, "approve", actor=actor, note=note)
    report.refresh_from_db()
    return report


def status_table(year: int, district_ids: list[int], today: date | None = None) -> list[dict[str, Any]]:
    """Every district of ``district_ids`` with its report of ``year`` (or none) and the overdue flag."""
    reports = {r.district_id: r for r in AnnualReport.objects.filter(year=year, district_id__in=district_ids)}
    return [
        {"district": d, "report": reports.get(d.pk), "overdue": is_overdue(reports.get(d.pk), year, today)}
        for d in District.objects.filter(pk__in=district_ids).order_by("sort_order", "code")
    ]
