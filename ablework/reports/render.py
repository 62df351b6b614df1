"""The annual report as PDF (HTML template → WeasyPrint with the machine's CJK font, Debian
``fonts-noto-cjk``, as ``quota.notice`` does) and as Excel (xlsxwriter).  Reads only: the caller audits.

The PDF is tagged (PDF/UA-1 variant: structure tree, document language and title), so screen readers
read headings and tables in order; the tables carry header cells (``th scope``).
"""

from __future__ import annotations

import io
from typing import Any

import xlsxwriter
from django.template.loader import render_to_string

from ablework.core.files import neutralise
from ablework.reports.annual import NARRATIVE_FIELDS, deadline, report_figures
from ablework.reports.models import AnnualReport

NARRATIVE_LABELS = {"overview": "一、总体情况", "measures": "二、主要措施和成效", "problems": "三、存在的问题",
                    "next_steps": "四、下一年度工作计划"}  # fmt: skip


def report_context(report: AnnualReport, extra: dict[str, Any] | None = None) -> dict[str, Any]:
    due, due_param = deadline(report.year)
    return {
        "report": report,
        "figures": report_figures(report),
        "narrative": [(NARRATIVE_LABELS[f], getattr(report, f)) for f in NARRATIVE_FIELDS],
        "deadline": due,
        "deadline_param": due_param,
        **(extra or {}),
    }


def report_html(report: AnnualReport, extra: dict[str, Any] | None = None) -> str:
    return render_to_string("reports/annual/pdf.html", report_context(report, extra))


def render_pdf(report: AnnualReport, extra: dict[str, Any] | None = None, *, uncompressed: bool = False) -> bytes:
    from weasyprint import HTML  # imported here: loading it costs time every other page does not need

    return HTML(string=report_html(report, extra)).write_pdf(pdf_variant="pdf/ua-1", uncompressed_pdf=uncompressed)


def render_xlsx(report: AnnualReport) -> bytes:
    figures = report_figures(report)
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False})
    bold = wb.add_format({"bold": True})
    title = wb.add_format({"bold": True, "font_size": 14})
    ws = wb.add_worksheet("报告")
    ws.write(0, 0, str(report), title)
    row = 2
    for f in NARRATIVE_FIELDS:
        ws.write(row, 0, NARRATIVE_LABELS[f], bold)
        ws.write(row + 1, 0, neutralise(getattr(report, f) or "（未填写）"))
        row += 3
    ws.set_column(0, 0, 60)
    cmp_ws = wb.add_worksheet("与上年比较")
    cmp_ws.write_row(0, 0, ["指标", f"{report.year}年", f"{report.year - 1}年", "增减"], bold)
    r = 1
    for section in figures.get("sections", []):
        for c in section["comparison"]:
            cmp_ws.write_row(r, 0, [neutralise(c["item"]), c["current"], c["previous"], c["change"]])
            r += 1
    cmp_ws.set_column(0, 0, 50)
    for section in figures.get("sections", []):
        ws2 = wb.add_worksheet(section["title"][:31])
        r = 0
        for p in section["panels"]:
            ws2.write(r, 0, p["title"], bold)
            ws2.write(r + 1, 0, neutralise(p["summary"]))
            ws2.write_row(r + 2, 0, [p["unit_label"], *p["columns"]], bold)
            r += 3
            for line in p["rows"]:
                ws2.write_row(r, 0, [neutralise(line["label"]), *line["cells"]])
                r += 1
            if p["total"]:
                ws2.write_row(r, 0, ["合计", *p["total"]], bold)
                r += 1
            r += 1
        ws2.set_column(0, 0, 24)
    wb.close()
    return buf.getvalue()


def city_appendix(year: int) -> list[dict[str, Any]]:
    """For the city summary: every district's report of ``year`` (its narrative and figures; a district
    without a report appears with live figures and an empty narrative)."""
    from ablework.core.models import District
    from ablework.core.scoping import unscoped

    out = []
    with unscoped():
        reports = {r.district_id: r for r in AnnualReport.objects.filter(year=year, district__isnull=False)}
        for d in District.objects.order_by("sort_order", "code"):
            report = reports.get(d.pk) or AnnualReport(district=d, year=year)
            out.append(
                {
                    "report": report,
                    "narrative": [(NARRATIVE_LABELS[f], getattr(report, f)) for f in NARRATIVE_FIELDS],
                    "figures": report_figures(report),
                }
            )
    return out
